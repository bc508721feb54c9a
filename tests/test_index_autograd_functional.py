"""minigrad.autograd.functional: jacobian, hessian, vjp, jvp, vhp, hvp — against closed forms
and against each other, with PyTorch's result structure, create_graph and strict semantics."""

from __future__ import annotations

import numpy as np
import pytest
from engine_helpers import arrays, assert_close, given_settings, host, on, shapes
from hypothesis import given
from hypothesis import strategies as st

import minigrad as mg
from minigrad.autograd import functional as AF


def cubic(x):
    """f(x) = Σ xᵢ³ + x₀·x₋₁: gradient 3x² (+ the cross term), Hessian diag(6x) + cross."""
    flat = x.reshape(-1)
    return (x**3).sum() + flat[0] * flat[-1]


def cubic_hessian(x):
    flat = x.reshape(-1)
    h = np.diag(6 * flat)
    h[0, -1] += 1
    h[-1, 0] += 1
    return h.reshape(x.shape + x.shape)


@given_settings
@given(shape=shapes(min_dims=0, max_dims=2, min_side=1), data=st.data())
def test_jacobian_of_elementwise_and_matmul(device, shape, data):
    x = data.draw(arrays(shape))
    jac = AF.jacobian(lambda t: t * t, on(x, device, False))
    assert_close(jac, np.diag((2 * x).reshape(-1)).reshape(shape + shape))
    assert jac.device == device and not jac.requires_grad
    w = data.draw(arrays((2,) + shape))
    weights = on(w.reshape(2, -1), device, False)
    jac = AF.jacobian(lambda t: weights @ t.reshape(-1), on(x, device, False))
    assert_close(jac, w)


def test_jacobian_structure_follows_inputs_and_outputs(device):
    x, y = on(np.array([1.0, 2.0]), device, False), on(np.array([3.0, 4.0, 5.0]), device, False)

    def two_outputs(a, b):
        return a * 2, (a.sum() * b)

    jac = AF.jacobian(two_outputs, (x, y))
    assert isinstance(jac, tuple) and len(jac) == 2 and all(len(row) == 2 for row in jac)
    assert [[tuple(j.shape) for j in row] for row in jac] == [[(2, 2), (2, 3)], [(3, 2), (3, 3)]]
    assert_close(jac[0][0], 2 * np.eye(2))
    assert_close(jac[0][1], np.zeros((2, 3)))  # independent: zeros (not strict)
    assert_close(jac[1][0], np.tile(host(y)[:, None], (1, 2)))
    assert_close(jac[1][1], 3.0 * np.eye(3))
    one_input = AF.jacobian(lambda a: (a, a.sum()), x)
    assert isinstance(one_input, tuple) and [j.shape for j in one_input] == [(2, 2), (2,)]
    one_output = AF.jacobian(lambda a, b: a.sum() + b.sum(), [x, y])
    assert isinstance(one_output, tuple) and [j.shape for j in one_output] == [(2,), (3,)]


def test_jacobian_strict_and_strategies(device):
    x = on(np.array([1.0, 2.0]), device, False)
    with pytest.raises(RuntimeError, match="Output 0 .* does not require gradients"):
        AF.jacobian(lambda a: a.detach() * 2, x, strict=True)
    with pytest.raises(RuntimeError, match="independent"):
        AF.jacobian(lambda a, b: a * 2, (x, x.clone()), strict=True)
    assert_close(AF.jacobian(lambda a: a * 3, x, vectorize=True), 3 * np.eye(2))
    with pytest.raises(NotImplementedError, match="vectorize=True"):
        AF.jacobian(lambda a: a, x, strategy="forward-mode")
    with pytest.raises(ValueError, match="strategy"):
        AF.jacobian(lambda a: a, x, strategy="sideways")
    with pytest.raises(TypeError, match="Tensor or a tuple of Tensors"):
        AF.jacobian(lambda a: a, [1.0])
    empty = AF.jacobian(lambda a: a[:0], x)
    assert empty.shape == (0, 2)


def test_jacobian_create_graph_is_differentiable(device):
    x = on(np.array([0.5, -1.0]), device)
    jac = AF.jacobian(lambda a: a**3, x, create_graph=True)
    assert jac.requires_grad
    jac.sum().backward()  # d/dx Σ diag(3x²) = 6x
    assert_close(x.grad, 6 * np.array([0.5, -1.0]))
    plain = AF.jacobian(lambda a: a**3, x)
    assert not plain.requires_grad


@given_settings
@given(shape=shapes(min_dims=1, max_dims=2, min_side=1, max_side=2), data=st.data())
def test_hessian(device, shape, data):
    x = data.draw(arrays(shape))
    h = AF.hessian(cubic, on(x, device, False))
    assert_close(h, cubic_hessian(x), rtol=1e-9)
    assert h.shape == shape + shape and h.device == device


def test_hessian_of_several_inputs(device):
    x, y = on(np.array([1.0, 2.0]), device, False), on(np.array(3.0), device, False)
    h = AF.hessian(lambda a, b: (a * a).sum() * b, (x, y))
    assert [[tuple(t.shape) for t in row] for row in h] == [[(2, 2), (2,)], [(2,), ()]]
    assert_close(h[0][0], 2 * 3.0 * np.eye(2))
    assert_close(h[0][1], 2 * np.array([1.0, 2.0]))
    assert_close(h[1][0], 2 * np.array([1.0, 2.0]))
    assert_close(h[1][1], np.array(0.0))
    with pytest.raises(RuntimeError, match="single element"):
        AF.hessian(lambda a: a * 2, x)
    with pytest.raises(RuntimeError, match="does not require gradients"):
        AF.hessian(lambda a: a.sum(), x, strict=True)  # a linear function: its gradient is constant


@given_settings
@given(shape=shapes(min_dims=1, max_dims=2, min_side=1, max_side=2), data=st.data())
def test_products_agree_with_jacobian_and_hessian(device, shape, data):
    x = data.draw(arrays(shape))
    v = data.draw(arrays(shape))
    t, tv = on(x, device, False), on(v, device, False)
    flat_jac = host(AF.jacobian(lambda a: a**3 * a.sum(), t)).reshape(x.size, x.size)
    out, vjp = AF.vjp(lambda a: a**3 * a.sum(), t, tv)
    assert_close(out, x**3 * x.sum())
    assert_close(vjp, (v.reshape(-1) @ flat_jac).reshape(shape), rtol=1e-9)
    out, jvp = AF.jvp(lambda a: a**3 * a.sum(), t, tv)
    assert_close(jvp, (flat_jac @ v.reshape(-1)).reshape(shape), rtol=1e-9)
    hess = cubic_hessian(x).reshape(x.size, x.size)
    value, vhp = AF.vhp(cubic, t, tv)
    assert_close(vhp, (v.reshape(-1) @ hess).reshape(shape), rtol=1e-9)
    value, hvp = AF.hvp(cubic, t, tv)
    assert_close(hvp, (hess @ v.reshape(-1)).reshape(shape), rtol=1e-9)
    assert_close(value, host(cubic(on(x, device, False))).reshape(()))


def test_products_structure_defaults_and_errors(device):
    x, y = on(np.array([1.0, 2.0]), device, False), on(np.array(3.0), device, False)
    out, (gx, gy) = AF.vjp(lambda a, b: (a * b).sum(), (x, y))  # v may be omitted: 1 element
    assert out.shape == () and gy.item() == 3.0
    assert_close(gx, [3.0, 3.0])
    out, jvp = AF.jvp(lambda b: b * x, y)  # v omitted: a single one-element input
    assert_close(jvp, [1.0, 2.0])
    outs, jvps = AF.jvp(lambda a: (a * 2, a.sum()), x, mg.ones(2, dtype=mg.float64, device=device))
    assert isinstance(outs, tuple) and isinstance(jvps, tuple)
    assert_close(jvps[0], [2.0, 2.0])
    assert jvps[1].item() == 2.0
    with pytest.raises(RuntimeError, match="v can only be None"):
        AF.vjp(lambda a: a * 2, x)
    with pytest.raises(RuntimeError, match="invalid size"):
        AF.vjp(lambda a: a * 2, x, mg.ones(3, dtype=mg.float64, device=device))
    with pytest.raises(RuntimeError, match="invalid length"):
        AF.hvp(lambda a, b: (a * b).sum(), (x, y), mg.ones(2, dtype=mg.float64, device=device))
    _, zero = AF.vjp(lambda a, b: a.sum(), (x, y))
    assert zero[1].item() == 0.0
    with pytest.raises(RuntimeError, match="independent of input 1"):
        AF.vjp(lambda a, b: a.sum(), (x, y), strict=True)


def test_create_graph_products_are_differentiable(device):
    x = on(np.array([0.5, 2.0]), device)
    v = on(np.array([1.0, -1.0]), device, False)
    _, hv = AF.hvp(cubic, x, v, create_graph=True)
    assert hv.requires_grad
    hv.sum().backward()  # H v = 6 x v + cross terms; d/dx Σ(6 x v) = 6 v
    assert_close(x.grad, 6 * np.array([1.0, -1.0]))
    _, plain = AF.vjp(lambda a: a**2, x, v)
    assert not plain.requires_grad


def test_against_torch_extra():
    torch = pytest.importorskip("torch")
    from torch.autograd import functional as TF

    rng = np.random.default_rng(3)
    a, b = rng.standard_normal((2, 3)), rng.standard_normal(3)

    def f(lib):
        return lambda x, y: ((x @ y).tanh() * (x**2).sum(), (y**3).sum() * x[0])

    def g(x, y):
        return ((x @ y).tanh() * (x**2).sum()).sum() + (y**3).sum()

    tt = TF.jacobian(f(torch), (torch.tensor(a), torch.tensor(b)))
    mt = AF.jacobian(f(mg), (mg.tensor(a), mg.tensor(b)))
    for trow, mrow in zip(tt, mt, strict=True):
        for x, y in zip(mrow, trow, strict=True):
            np.testing.assert_allclose(x.numpy(), y.numpy(), rtol=1e-10, atol=1e-12)
    th = TF.hessian(g, (torch.tensor(a), torch.tensor(b)))
    mh = AF.hessian(g, (mg.tensor(a), mg.tensor(b)))
    for trow, mrow in zip(th, mh, strict=True):
        for x, y in zip(mrow, trow, strict=True):
            np.testing.assert_allclose(x.numpy(), y.numpy(), rtol=1e-10, atol=1e-12)
    va, vb = rng.standard_normal((2, 3)), rng.standard_normal(3)
    for name in ("vjp", "jvp", "vhp", "hvp"):
        fn = g if name in ("vhp", "hvp") else (lambda x, y: (x**2) * y)
        tres = getattr(TF, name)(
            fn,
            (torch.tensor(a), torch.tensor(b)),
            torch.tensor(va) if name == "vjp" else (torch.tensor(va), torch.tensor(vb)),
        )
        mres = getattr(AF, name)(
            fn,
            (mg.tensor(a), mg.tensor(b)),
            mg.tensor(va) if name == "vjp" else (mg.tensor(va), mg.tensor(vb)),
        )
        for x, y in zip(mres[1], tres[1], strict=True):
            np.testing.assert_allclose(x.numpy(), y.numpy(), rtol=1e-10, atol=1e-12, err_msg=name)
