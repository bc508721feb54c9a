"""Linear algebra: products (mm, bmm, mv, dot, outer, addmm, ...), einsum, kron, cross, and
minigrad.linalg (inv, det, slogdet, solve, norms) — values against NumPy, first and second
derivatives (float64) on both test devices, and errors."""

from __future__ import annotations

import math

import engine_helpers
import numpy as np
import pytest
from engine_helpers import arrays, assert_close, check_op, host, on, shapes
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad as mg
from minigrad import linalg

# Every example runs gradcheck and gradgradcheck: a third of the profile's examples keeps the
# file fast (the "thorough" profile still scales them up).
given_settings = settings(
    engine_helpers.given_settings, max_examples=max(settings.default.max_examples // 3, 8)
)

sides = st.integers(0, 2)


@given_settings
@given(n=sides, m=sides, p=sides, b=sides, data=st.data())
def test_matrix_products(device, n, m, p, b, data):
    a, c = data.draw(arrays((n, m))), data.draw(arrays((m, p)))
    check_op(lambda x, y: x.mm(y), np.matmul, [a, c], device)
    check_op(lambda x, y: mg.mm(x, y), np.matmul, [a, c], device)
    v = data.draw(arrays((m,)))
    check_op(lambda x, y: mg.mv(x, y), np.matmul, [a, v], device)
    w = data.draw(arrays((m,)))
    check_op(lambda x, y: mg.dot(x, y), np.dot, [v, w], device)
    check_op(lambda x, y: x.vdot(y), np.dot, [v, w], device)
    u = data.draw(arrays((n,)))
    check_op(lambda x, y: mg.outer(x, y), np.outer, [u, v], device)
    check_op(lambda x, y: x.ger(y), np.outer, [u, v], device)
    s, t = data.draw(arrays((b, n, m))), data.draw(arrays((b, m, p)))
    check_op(lambda x, y: mg.bmm(x, y), np.matmul, [s, t], device)


@given_settings
@given(n=sides, m=sides, p=sides, data=st.data(), beta=st.sampled_from([1, 0.5, 0]))
def test_add_products(device, n, m, p, data, beta):
    alpha = data.draw(st.sampled_from([1, -2.0]))
    bias_shape = data.draw(st.sampled_from([(n, p), (p,), (1, 1), ()]))
    bias, a, c = data.draw(arrays(bias_shape)), data.draw(arrays((n, m))), data.draw(arrays((m, p)))

    def addmm_ref(z, x, y):
        return beta * z + alpha * (x @ y) if beta else np.broadcast_to(alpha * (x @ y), (n, p))

    fns = [lambda z, x, y: z.addmm(x, y, beta=beta, alpha=alpha)]
    fns.append(lambda z, x, y: mg.addmm(z, x, y, beta=beta, alpha=alpha))
    for fn in fns:
        if beta:
            check_op(fn, addmm_ref, [bias, a, c], device)
        else:  # beta = 0: the input is ignored, its gradient is None
            assert_close(fn(on(bias, device), on(a, device), on(c, device)), addmm_ref(bias, a, c))
    vec, v = data.draw(arrays((n,))), data.draw(arrays((m,)))
    check_op(
        lambda z, x, y: mg.addmv(z, x, y, beta=0.5, alpha=alpha),
        lambda z, x, y: 0.5 * z + alpha * (x @ y),
        [vec, a, v],
        device,
    )
    check_op(
        lambda z, x, y: z.addr(x, y, alpha=alpha),
        lambda z, x, y: z + alpha * np.outer(x, y),
        [data.draw(arrays((n, m))), vec, v],
        device,
    )
    s, t = data.draw(arrays((2, n, m))), data.draw(arrays((2, m, p)))
    check_op(
        lambda z, x, y: mg.baddbmm(z, x, y, beta=0.5),
        lambda z, x, y: 0.5 * z + x @ y,
        [data.draw(arrays((2, n, p))), s, t],
        device,
    )


def test_beta_zero_ignores_nan_input(device):
    bias = mg.full((2, 2), float("nan"), device=device)
    out = bias.addmm(mg.eye(2, device=device), mg.eye(2, device=device), beta=0)
    assert host(out).tolist() == [[1, 0], [0, 1]]


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda d: mg.zeros(2, 3, device=d).mm(mg.zeros(3, device=d)), "must be 2-D"),
        (lambda d: mg.zeros(2, 3, device=d).mm(mg.zeros(2, 3, device=d)), "cannot be multiplied"),
        (lambda d: mg.zeros(2, 2, 2, device=d).bmm(mg.zeros(3, 2, 2, device=d)), "batch sizes"),
        (lambda d: mg.zeros(3, device=d).dot(mg.zeros(2, device=d)), "inconsistent tensor size"),
        (lambda d: mg.zeros(3, device=d).mv(mg.zeros(3, device=d)), "must be 2-D"),
        (
            lambda d: mg.zeros(3, device=d).addmm(
                mg.zeros(2, 2, device=d), mg.zeros(2, 2, device=d)
            ),
            "broadcast",
        ),
        (lambda d: mg.zeros(2, device=d).cross(mg.zeros(2, device=d)), "size 3"),
    ],
)
def test_product_errors(device, call, message):
    with pytest.raises(RuntimeError, match=message):
        call(device)


def test_products_need_one_dtype(device):
    # PyTorch's matrix products do not promote: mm(float32, float64) raises
    a = mg.ones(2, 2, device=device)
    b = mg.ones(2, 2, dtype=mg.float64, device=device)
    with pytest.raises(RuntimeError, match="float != double"):
        a.mm(b)
    assert a.double().mm(b).dtype == mg.float64
    assert a[0].outer(b[0]).dtype == mg.float64  # outer does promote, as PyTorch
    assert mg.arange(3, device=device).dot(mg.arange(3, device=device)).item() == 5


@given_settings
@given(a_shape=shapes(max_dims=3), b_shape=shapes(max_dims=3), data=st.data())
def test_kron(device, a_shape, b_shape, data):
    a, b = data.draw(arrays(a_shape)), data.draw(arrays(b_shape))
    check_op(lambda x, y: mg.kron(x, y), np.kron, [a, b], device)


@given_settings
@given(
    shapes_=hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=2, max_side=2),
    data=st.data(),
)
def test_cross(device, shapes_, data):
    a_shape, b_shape = (s + (3,) for s in shapes_.input_shapes)
    a, b = data.draw(arrays(a_shape)), data.draw(arrays(b_shape))
    check_op(lambda x, y: linalg.cross(x, y), lambda x, y: np.cross(x, y), [a, b], device)
    check_op(
        lambda x, y: mg.cross(x.unsqueeze(0), y.unsqueeze(0), dim=-1),
        lambda x, y: np.cross(x[None], y[None]),
        [a, b],
        device,
    )


EINSUM_CASES = [
    ("bij,bjk->bik", [(2, 3, 4), (2, 4, 2)]),
    ("ij,jk", [(3, 4), (4, 2)]),
    ("i,j->ij", [(3,), (2,)]),
    ("ii->", [(3, 3)]),
    ("ii", [(3, 3)]),
    ("ii->i", [(3, 3)]),
    ("ij->ji", [(2, 3)]),
    ("ijk->kij", [(2, 3, 1)]),
    ("ij->", [(2, 3)]),
    ("ij->j", [(2, 3)]),
    ("ij,ij->i", [(2, 3), (2, 3)]),
    ("i,i", [(4,), (4,)]),
    ("...ij,...jk->...ik", [(2, 3, 4), (4, 2)]),
    ("...ij,...jk->...ik", [(1, 3, 4), (2, 4, 2)]),
    ("b...,b->...", [(2, 3, 2), (2,)]),
    ("...ii->...i", [(2, 3, 3)]),
    ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 2)]),
    ("bhqd,bhkd->bhqk", [(1, 2, 3, 2), (1, 2, 2, 2)]),
    ("iij->j", [(2, 2, 3)]),
    ("i,i,i->", [(3,), (3,), (3,)]),
    ("ij,kl->ijkl", [(0, 2), (2, 1)]),
]


@pytest.mark.parametrize("equation, operand_shapes", EINSUM_CASES)
def test_einsum(device, equation, operand_shapes):
    rng = np.random.default_rng(len(equation))
    operands = [rng.uniform(-2, 2, s) for s in operand_shapes]

    def ref(*xs):
        broadcast = equation.startswith("...ij,...jk")
        if broadcast:  # NumPy's einsum broadcasts ... too, but name the result shape
            return np.matmul(*xs)
        return np.einsum(equation, *xs)

    check_op(lambda *ts: mg.einsum(equation, *ts), ref, operands, device)
    check_op(lambda *ts: mg.einsum(equation, list(ts)), ref, operands, device)


def test_einsum_same_operand_twice(device):
    x = on(np.array([1.0, 2.0, 3.0]), device)
    mg.einsum("i,i->", x, x).backward()
    assert_close(x.grad, [2.0, 4.0, 6.0])


@pytest.mark.parametrize(
    "equation, shapes_, error, message",
    [
        ("ij,jk", [(2, 3)], ValueError, "operands"),
        ("ij", [(2, 3, 4)], ValueError, "do not match"),
        ("ij->k", [(2, 3)], ValueError, "does not appear"),
        ("ij->ii", [(2, 2)], ValueError, "repeated"),
        ("i1", [(2, 2)], ValueError, "invalid subscript"),
        ("ij,jk->ik", [(2, 3), (4, 2)], RuntimeError, "broadcast"),
    ],
)
def test_einsum_errors(device, equation, shapes_, error, message):
    with pytest.raises(error, match=message):
        mg.einsum(equation, *[mg.zeros(*s, device=device) for s in shapes_])


def well_conditioned(shape):
    """Square matrices A = M + 4·I with entries |M| ≤ 1 (diagonally dominant: invertible and
    well conditioned), the first row negated in some (a negative determinant)."""
    n = shape[-1]
    flips = st.booleans().map(lambda f: np.where(np.arange(n) == 0, -1.0 if f else 1.0, 1.0))
    return st.tuples(arrays(shape, -1.0, 1.0), flips).map(
        lambda mf: (mf[0] + 4 * np.eye(n)) * mf[1][:, None]
    )


@given_settings
@given(batch=shapes(max_dims=2, max_side=2), n=st.integers(1, 3), data=st.data())
def test_inv_det_slogdet(device, batch, n, data):
    a = data.draw(well_conditioned(batch + (n, n)))
    check_op(lambda x: linalg.inv(x), np.linalg.inv, [a], device)
    check_op(lambda x: mg.inverse(x), np.linalg.inv, [a], device)
    check_op(lambda x: linalg.det(x), np.linalg.det, [a], device)
    check_op(lambda x: x.det(), np.linalg.det, [a], device)
    check_op(lambda x: linalg.slogdet(x).logabsdet, lambda x: np.linalg.slogdet(x)[1], [a], device)
    names = [linalg.inv(on(a, device)), linalg.det(on(a, device)), linalg.slogdet(on(a, device))[1]]
    assert [t.grad_fn.name() for t in names] == [
        "LinalgInvExBackward0",
        "LinalgDetBackward0",
        "LinalgSlogdetBackward0",
    ]
    sign = linalg.slogdet(on(a, device)).sign
    assert sign.dtype == mg.float64 and host(sign).tolist() == np.linalg.slogdet(a)[0].tolist()


def test_logdet(device):
    a = on(np.array([[2.0, 0.0], [0.0, 3.0]]), device)
    assert math.isclose(mg.logdet(a).item(), math.log(6.0))
    assert math.isnan(mg.logdet(on(np.diag([-1.0, 2.0]), device)).item())


@given_settings
@given(
    batch=shapes(max_dims=2, max_side=2), n=st.integers(1, 3), k=st.integers(0, 2), data=st.data()
)
def test_solve(device, batch, n, k, data):
    a = data.draw(well_conditioned(batch + (n, n)))
    b = data.draw(arrays(batch + (n, k)))
    check_op(lambda x, y: linalg.solve(x, y), np.linalg.solve, [a, b], device)
    v = data.draw(arrays(batch + (n,)))
    check_op(
        lambda x, y: linalg.solve(x, y),
        lambda x, y: np.linalg.solve(x, y[..., None])[..., 0],
        [a, v],
        device,
    )
    c = data.draw(arrays(batch + (k, n)))
    check_op(
        lambda x, y: linalg.solve(x, y, left=False),
        lambda x, y: np.swapaxes(
            np.linalg.solve(np.swapaxes(x, -1, -2), np.swapaxes(y, -1, -2)), -1, -2
        ),
        [a, c],
        device,
    )


def test_solve_broadcasts_batches(device):
    a = np.eye(2) * 2
    b = np.arange(12.0).reshape(3, 2, 2)
    check_op(lambda x, y: linalg.solve(x, y), lambda x, y: np.linalg.solve(x, y), [a, b], device)


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda d: linalg.inv(mg.zeros(2, 3, device=d)), RuntimeError, "square"),
        (lambda d: linalg.inv(mg.zeros(2, 2, device=d)), RuntimeError, "singular"),
        (lambda d: linalg.det(mg.arange(4, device=d).reshape(2, 2)), RuntimeError, "floating"),
        (
            lambda d: linalg.solve(mg.eye(2, device=d), mg.zeros(3, 1, device=d)),
            RuntimeError,
            "Incompatible",
        ),
        (
            lambda d: linalg.solve(mg.zeros(2, 2, device=d), mg.zeros(2, device=d)),
            RuntimeError,
            "singular",
        ),
        (
            lambda d: linalg.matrix_norm(mg.zeros(2, 2, device=d), "nuc"),
            NotImplementedError,
            "singular values",
        ),
        (lambda d: linalg.matrix_norm(mg.zeros(2, device=d)), RuntimeError, "at least 2"),
        (lambda d: linalg.norm(mg.zeros(2, 2, 2, device=d), 1), RuntimeError, "1D or 2D"),
        (lambda d: linalg.vector_norm(mg.arange(3, device=d)), RuntimeError, "floating point"),
    ],
)
def test_linalg_errors(device, call, error, message):
    with pytest.raises(error, match=message):
        call(device)


def distinct_magnitudes(shape):
    """Values with distinct, non-zero magnitudes (no ties for the ∞-norms, no kink at 0)."""
    size = int(np.prod(shape))
    magnitudes = st.lists(st.integers(1, 64), min_size=size, max_size=size, unique=True)
    signs = st.lists(st.sampled_from([-1.0, 1.0]), min_size=size, max_size=size)
    return st.tuples(magnitudes, signs).map(
        lambda ms: (np.array(ms[0]) / 16 * np.array(ms[1])).reshape(shape)
    )


def np_vector_norm(x, ord, dim, keepdim):
    axis = dim if dim is None or isinstance(dim, int) else tuple(dim)
    a = np.abs(x)
    if ord == math.inf:
        return a.max(axis=axis, keepdims=keepdim)
    if ord == -math.inf:
        return a.min(axis=axis, keepdims=keepdim)
    return (a**ord).sum(axis=axis, keepdims=keepdim) ** (1 / ord)


@given_settings
@given(
    shape=shapes(min_dims=1, max_dims=3, min_side=1),
    ord=st.sampled_from([1, 2, 3, 0.5, -1, math.inf, -math.inf]),
    keepdim=st.booleans(),
    data=st.data(),
)
def test_vector_norm(device, shape, ord, keepdim, data):
    x = data.draw(distinct_magnitudes(shape))
    dim = data.draw(st.one_of(st.none(), st.integers(-len(shape), len(shape) - 1)))
    check_op(
        lambda t: linalg.vector_norm(t, ord, dim, keepdim),
        lambda a: np_vector_norm(a, ord, dim, keepdim),
        [x],
        device,
    )
    check_op(
        lambda t: linalg.norm(t, ord if dim is not None or len(shape) == 1 else None, dim, keepdim),
        lambda a: np_vector_norm(a, ord if dim is not None or len(shape) == 1 else 2, dim, keepdim),
        [x],
        device,
    )


def test_vector_norm_zero_gradient_and_count(device):
    x = on(np.zeros(3), device)
    linalg.vector_norm(x).backward()
    assert_close(x.grad, [0.0, 0.0, 0.0])
    x = on(np.array([[0.0, 3.0], [4.0, 0.0]]), device)
    assert_close(linalg.vector_norm(x, 0, dim=1), [1.0, 1.0])
    assert linalg.vector_norm(x, dtype=mg.float32).dtype == mg.float32
    assert math.isclose(linalg.norm(x).item(), 5.0)


@given_settings
@given(
    batch=shapes(max_dims=1, max_side=2),
    m=st.integers(1, 3),
    n=st.integers(1, 3),
    ord=st.sampled_from(["fro", 1, -1, math.inf, -math.inf]),
    keepdim=st.booleans(),
    data=st.data(),
)
def test_matrix_norm(device, batch, m, n, ord, keepdim, data):
    x = data.draw(distinct_magnitudes(batch + (m, n)))
    # distinct column (row) sums, so the max/min of the sums has no tie
    assume(_no_tied_sums(x, ord) and _no_tied_sums(np.swapaxes(x, -1, -2), ord))
    check_op(
        lambda t: linalg.matrix_norm(t, ord, keepdim=keepdim),
        lambda a: np.linalg.norm(a, ord, axis=(-2, -1), keepdims=keepdim),
        [x],
        device,
    )
    if not batch:
        check_op(lambda t: linalg.norm(t, ord), lambda a: np.linalg.norm(a, ord), [x], device)
        check_op(
            lambda t: linalg.norm(t, ord, dim=(1, 0)),
            lambda a: np.linalg.norm(a, ord, axis=(1, 0)),
            [x],
            device,
        )


def _no_tied_sums(x, ord):
    if ord == "fro":
        return True
    sums = np.abs(x).sum(axis=-2 if abs(ord) == 1 else -1)
    ordered = np.sort(sums, axis=-1)
    return bool((np.diff(ordered, axis=-1) > 1e-3).all())


def test_against_torch_extra():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(2)
    a = rng.standard_normal((2, 3, 3)) + 3 * np.eye(3)
    b = rng.standard_normal((2, 3, 2))
    ta, tb = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    ma, mb = mg.tensor(a, requires_grad=True), mg.tensor(b, requires_grad=True)
    for name, f in [
        ("inv", lambda lib, x, y: lib.linalg.inv(x) @ y),
        ("det", lambda lib, x, y: lib.linalg.det(x)[:, None, None] * y),
        ("slogdet", lambda lib, x, y: lib.linalg.slogdet(x)[1][:, None, None] * y),
        ("solve", lambda lib, x, y: lib.linalg.solve(x, y)),
        ("einsum", lambda lib, x, y: lib.einsum("bij,bjk->bki", x, y)),
        (
            "norm",
            lambda lib, x, y: lib.linalg.vector_norm(x, 3, dim=(1, 2)) + lib.linalg.matrix_norm(y),
        ),
        ("kron", lambda lib, x, y: lib.kron(x[0], y[1])),
        ("addmm", lambda lib, x, y: lib.addmm(y[0], x[0], y[1], beta=0.5, alpha=2)),
    ]:
        tt, mt = f(torch, ta, tb), f(mg, ma, mb)
        np.testing.assert_allclose(
            mt.detach().numpy(), tt.detach().numpy(), rtol=1e-10, err_msg=name
        )
        g = rng.standard_normal(tuple(tt.shape))
        tg = torch.autograd.grad(
            tt, (ta, tb), torch.tensor(g), allow_unused=True, materialize_grads=True
        )
        mgg = mg.autograd.grad(
            mt, (ma, mb), mg.tensor(g), allow_unused=True, materialize_grads=True
        )
        for x, y in zip(mgg, tg, strict=True):
            np.testing.assert_allclose(x.numpy(), y.numpy(), rtol=1e-10, atol=1e-12, err_msg=name)
