"""The activations of issue 10 (GELU, ELU family, softplus, SiLU, Mish, the hard family, ...).

Each function is compared with a NumPy reference of PyTorch's documented formula,
then gradient-checked to second order in float64 (``check_op``) on both test
devices, on values kept 1/32 away from the kinks (``grid_arrays``). Module
constructors, ``extra_repr`` and argument errors follow PyTorch's.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad as mg
import minigrad.nn as nn
import minigrad.nn.functional as F
from minigrad.ops.activation import erf_array
from tests.engine_helpers import check_op, given_settings, grid_arrays, host, on, shapes

_erf = np.vectorize(math.erf, otypes=[np.float64])
SELU_ALPHA, SELU_SCALE = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946

# Many ops × 2 devices × second-order checks: fewer examples each keeps the file fast.
FEW = settings(given_settings, max_examples=12)


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _softplus(x, beta=1.0, threshold=20.0):
    return np.where(beta * x > threshold, x, np.log1p(np.exp(beta * x)) / beta)


def _gelu_tanh(x):
    return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)))


# name: (minigrad function, NumPy reference)
ACTIVATIONS = {
    "gelu": (F.gelu, lambda x: x * 0.5 * (1 + _erf(x / math.sqrt(2)))),
    "gelu_tanh": (lambda x: F.gelu(x, approximate="tanh"), _gelu_tanh),
    "elu": (lambda x: F.elu(x, 0.7), lambda x: np.where(x > 0, x, 0.7 * np.expm1(x))),
    "selu": (F.selu, lambda x: SELU_SCALE * np.where(x > 0, x, SELU_ALPHA * np.expm1(x))),
    "celu": (
        lambda x: F.celu(x, 1.5),
        lambda x: np.maximum(x, 0) + np.minimum(0, 1.5 * np.expm1(x / 1.5)),
    ),
    "softplus": (F.softplus, _softplus),
    "softplus_beta_threshold": (
        lambda x: F.softplus(x, beta=2.0, threshold=1.0),
        lambda x: _softplus(x, 2.0, 1.0),
    ),
    "softsign": (F.softsign, lambda x: x / (1 + np.abs(x))),
    "silu": (F.silu, lambda x: x * _sigmoid(x)),
    "mish": (F.mish, lambda x: x * np.tanh(np.log1p(np.exp(x)))),
    "hardtanh": (lambda x: F.hardtanh(x, -1.5, 2.0), lambda x: np.clip(x, -1.5, 2.0)),
    "relu6": (lambda x: F.relu6(x * 4), lambda x: np.clip(x * 4, 0, 6)),
    "hardsigmoid": (F.hardsigmoid, lambda x: np.clip(x / 6 + 0.5, 0, 1)),
    "hardswish": (F.hardswish, lambda x: x * np.clip(x + 3, 0, 6) / 6),
    "logsigmoid": (F.logsigmoid, lambda x: np.log(_sigmoid(x))),
    "tanhshrink": (F.tanhshrink, lambda x: x - np.tanh(x)),
    "softshrink": (
        F.softshrink,
        lambda x: np.where(x > 0.5, x - 0.5, np.where(x < -0.5, x + 0.5, 0)),
    ),
    "hardshrink": (F.hardshrink, lambda x: np.where(np.abs(x) > 0.5, x, 0)),
    "threshold": (lambda x: F.threshold(x, 0.25, -2.0), lambda x: np.where(x > 0.25, x, -2.0)),
    "rrelu_eval": (F.rrelu, lambda x: np.where(x >= 0, x, x * (1 / 8 + 1 / 3) / 2)),
    "softmin": (
        lambda x: F.softmin(x, -1),
        lambda x: np.exp(-x) / np.exp(-x).sum(-1, keepdims=True),
    ),
    "glu": (
        lambda x: F.glu(x, 0),
        lambda x: x[: len(x) // 2] * _sigmoid(x[len(x) // 2 :]),
    ),
}


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
@FEW
@given(data=st.data())
def test_activation_value_and_gradients(device, name, data):
    fn, ref = ACTIVATIONS[name]
    min_dims = 1 if name in ("softmin", "glu") else 0
    shape = data.draw(shapes(min_dims=min_dims))
    if name == "glu":
        shape = (2 * shape[0],) + shape[1:]
    x = data.draw(grid_arrays(shape))
    check_op(fn, ref, [x], device)


@pytest.mark.parametrize(
    "module, name",
    [
        (nn.GELU(), "gelu"),
        (nn.GELU("tanh"), "gelu_tanh"),
        (nn.SELU(), "selu"),
        (nn.SiLU(), "silu"),
        (nn.Mish(), "mish"),
        (nn.Softsign(), "softsign"),
        (nn.Hardsigmoid(), "hardsigmoid"),
        (nn.Hardswish(), "hardswish"),
        (nn.LogSigmoid(), "logsigmoid"),
        (nn.Tanhshrink(), "tanhshrink"),
        (nn.Softshrink(), "softshrink"),
        (nn.Hardshrink(), "hardshrink"),
        (nn.Softplus(), "softplus"),
        (nn.Softplus(2.0, 1.0), "softplus_beta_threshold"),
        (nn.ELU(0.7), "elu"),
        (nn.CELU(1.5), "celu"),
        (nn.Hardtanh(-1.5, 2.0), "hardtanh"),
        (nn.Threshold(0.25, -2.0), "threshold"),
        (nn.Softmin(-1), "softmin"),
        (nn.GLU(0), "glu"),
    ],
)
def test_modules_compute_their_function(device, module, name):
    x = np.linspace(-2.9, 2.9, 12).reshape(4, 3)
    fn, ref = ACTIVATIONS[name]
    out = module(on(x, device, requires_grad=False))
    np.testing.assert_allclose(host(out), host(fn(on(x, device, requires_grad=False))))
    np.testing.assert_allclose(host(out), ref(x), rtol=1e-12, atol=1e-14)


def test_relu6_module_and_rrelu_module_in_eval(device):
    x = np.linspace(-8, 8, 9)
    np.testing.assert_array_equal(host(nn.ReLU6()(on(x, device))), np.clip(x, 0, 6))
    m = nn.RReLU(0.1, 0.3).eval()
    np.testing.assert_allclose(host(m(on(x, device))), np.where(x >= 0, x, 0.2 * x))


@pytest.mark.parametrize(
    "fn, points, expected",
    [
        (F.relu6, [0.0, 6.0, 3.0], [0.0, 0.0, 1.0]),
        (lambda x: F.hardtanh(x, -1.0, 1.0), [-1.0, 1.0, 0.0], [0.0, 0.0, 1.0]),
        (F.hardswish, [-3.0, 3.0], [-0.5, 1.5]),
        (F.hardsigmoid, [-3.0, 3.0], [0.0, 0.0]),
        (F.elu, [0.0], [1.0]),
    ],
)
def test_subgradients_at_the_kinks_are_pytorchs(device, fn, points, expected):
    x = on(np.array(points), device)
    fn(x).sum().backward()
    np.testing.assert_allclose(host(x.grad), expected)


@FEW
@given(data=st.data(), per_channel=st.booleans())
def test_prelu_gradients_reach_input_and_weight(device, data, per_channel):
    shape = data.draw(shapes(min_dims=2, min_side=1))
    x = data.draw(grid_arrays(shape))
    w = np.linspace(0.1, 0.6, shape[1]) if per_channel else np.array([0.25])
    slope = w.reshape((-1,) + (1,) * (len(shape) - 2)) if per_channel else w[0]
    check_op(F.prelu, lambda x, w: np.where(x >= 0, x, slope * x), [x, w], device)


def test_prelu_module_learns_its_slopes(device):
    m = nn.PReLU(3, init=0.1).to(device)
    assert m.weight.shape == (3,) and np.allclose(host(m.weight), 0.1)
    x = on(-np.ones((2, 3, 4)), device, requires_grad=False)
    m(x).sum().backward()
    np.testing.assert_allclose(host(m.weight.grad), [-8.0, -8.0, -8.0])
    assert repr(m) == "PReLU(num_parameters=3)"
    with pytest.raises(RuntimeError, match="channels"):
        nn.PReLU(2)(x)


@pytest.mark.parametrize(
    "name", ["elu", "selu", "celu", "silu", "mish", "hardtanh", "relu6", "hardswish", "threshold"]
)
def test_inplace_forms_write_into_the_input_and_keep_the_graph(device, name):
    inplace = {
        "elu": lambda t: F.elu(t, 0.7, inplace=True),
        "selu": lambda t: F.selu(t, inplace=True),
        "celu": lambda t: F.celu(t, 1.5, inplace=True),
        "silu": lambda t: F.silu(t, inplace=True),
        "mish": lambda t: F.mish(t, inplace=True),
        "hardtanh": lambda t: F.hardtanh(t, -1.5, 2.0, inplace=True),
        "relu6": lambda t: F.relu6(t, inplace=True),
        "hardswish": lambda t: F.hardswish(t, inplace=True),
        "threshold": lambda t: F.threshold(t, 0.25, -2.0, inplace=True),
    }[name]
    fn, ref = (F.relu6, lambda v: np.clip(v, 0, 6)) if name == "relu6" else ACTIVATIONS[name]
    values = np.linspace(-2.9, 2.9, 6)
    x, x_ref = on(values, device), on(values, device)
    y = x * 1.0  # not a leaf: may be overwritten
    out = inplace(y)
    assert out is y
    np.testing.assert_allclose(host(out), ref(values), rtol=1e-12, atol=1e-14)
    (out * out).sum().backward()
    (fn(x_ref) ** 2).sum().backward()
    np.testing.assert_allclose(host(x.grad), host(x_ref.grad), rtol=1e-12, atol=1e-14)
    with pytest.raises(RuntimeError, match="leaf"):
        inplace(on(values, device))


def test_rrelu_training_draws_slopes_in_range(device):
    x = on(-np.ones(1000), device, requires_grad=False)
    slopes = -host(F.rrelu(x, 0.1, 0.3, training=True))
    assert slopes.min() >= 0.1 and slopes.max() <= 0.3 and slopes.std() > 0.03
    mg.manual_seed(0)
    again = -host(F.rrelu(x, 0.1, 0.3, training=True))
    mg.manual_seed(0)
    np.testing.assert_array_equal(again, -host(F.rrelu(x, 0.1, 0.3, training=True)))


def test_erf_matches_math_erf():
    x = np.concatenate([np.linspace(-7, 7, 20001), [1e-300, -1e-12, 0.0, 0.5, -0.5]])
    expected = _erf(x)
    np.testing.assert_allclose(erf_array(x), expected, rtol=1e-15, atol=1e-300)
    x32 = x.astype(np.float32)
    got = erf_array(x32)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, _erf(x32.astype(np.float64)), rtol=0, atol=5e-7)
    assert erf_array(x32.astype(np.float16)).dtype == np.float16


@pytest.mark.parametrize("shape", [(7,), ()])  # 0-d: NumPy 1.x would widen to float64
def test_float32_keeps_its_dtype(device, shape):
    x = mg.tensor(
        np.linspace(-3, 3, 7)[: shape[0] if shape else 1].reshape(shape),
        dtype=mg.float32,
        device=device,
        requires_grad=True,
    )
    for name in sorted(set(ACTIVATIONS) - {"softmin", "glu"}):
        out = ACTIVATIONS[name][0](x)
        assert out.dtype == mg.float32, name
        (grad,) = mg.autograd.grad(out.sum(), [x])
        assert grad.dtype == mg.float32, name


def test_softplus_is_linear_above_the_threshold_and_finite_far_out(device):
    x = on(np.array([-800.0, 30.0, 800.0]), device, requires_grad=False)
    np.testing.assert_allclose(host(F.softplus(x)), [0.0, 30.0, 800.0])
    np.testing.assert_allclose(host(F.logsigmoid(x)), [-800.0, -math.exp(-30), 0.0])


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda x: F.gelu(x, approximate="fast"), RuntimeError, "approximate"),
        (lambda x: F.hardtanh(x, 2.0, 1.0), ValueError, "min_val"),
        (lambda x: F.glu(x[:3]), RuntimeError, "even"),
        (lambda x: F.softshrink(x, -1.0), ValueError, "lambda"),
        (lambda x: F.celu(x, 0.0), ValueError, "alpha"),
        (lambda x: F.elu(mg.tensor([1, 2])), NotImplementedError, "int64"),
        (lambda x: F.gelu([1.0]), TypeError, "Tensor"),
        (lambda x: nn.Hardtanh(1.0, 1.0), ValueError, "max_val"),
    ],
)
def test_bad_arguments_raise_clear_errors(call, error, match):
    with pytest.raises(error, match=match):
        call(mg.tensor([0.5, -1.0, 2.0, 3.0]))


def test_softmin_and_softmax_implicit_dim_warn_as_pytorch():
    x = mg.tensor(np.ones((2, 3)))
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmin"):
        out = nn.Softmin()(x)
    np.testing.assert_allclose(host(out), np.full((2, 3), 1 / 3))
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
        nn.Softmax()(x)


def test_extra_repr_is_pytorchs():
    assert repr(nn.GELU()) == "GELU(approximate='none')"
    assert repr(nn.ELU(alpha=0.5, inplace=True)) == "ELU(alpha=0.5, inplace=True)"
    assert repr(nn.CELU()) == "CELU(alpha=1.0)"
    assert repr(nn.SELU(inplace=True)) == "SELU(inplace=True)"
    assert repr(nn.SiLU()) == "SiLU()"
    assert repr(nn.Softplus()) == "Softplus(beta=1.0, threshold=20.0)"
    assert repr(nn.Hardtanh()) == "Hardtanh(min_val=-1.0, max_val=1.0)"
    assert repr(nn.ReLU6(inplace=True)) == "ReLU6(inplace=True)"
    assert repr(nn.Hardswish(inplace=True)) == "Hardswish()"
    assert repr(nn.Threshold(0.1, 20)) == "Threshold(threshold=0.1, value=20)"
    assert repr(nn.Softshrink()) == "Softshrink(0.5)"
    assert repr(nn.Hardshrink(0.2)) == "Hardshrink(0.2)"
    assert repr(nn.GLU()) == "GLU(dim=-1)"
    assert repr(nn.Softmin(1)) == "Softmin(dim=1)"
    assert repr(nn.RReLU()) == f"RReLU(lower={1 / 8}, upper={1 / 3})"
    assert repr(nn.Softmax(dim=1)) == "Softmax(dim=1)"
    assert repr(nn.LogSoftmax()) == "LogSoftmax(dim=None)"
    assert repr(nn.Identity(3, unused=True)) == "Identity()"


def test_against_torch():
    torch = pytest.importorskip("torch")
    tf = torch.nn.functional
    x = np.random.default_rng(0).normal(size=(5, 8)) * 4
    cases = {
        "gelu": lambda t: tf.gelu(t),
        "gelu_tanh": lambda t: tf.gelu(t, approximate="tanh"),
        "softplus_beta_threshold": lambda t: tf.softplus(t, beta=2.0, threshold=1.0),
        "selu": tf.selu,
        "celu": lambda t: tf.celu(t, 1.5),
        "mish": tf.mish,
        "hardswish": tf.hardswish,
        "logsigmoid": tf.logsigmoid,
    }
    for name, torch_fn in cases.items():
        a = mg.tensor(x, requires_grad=True)
        b = torch.tensor(x, requires_grad=True)
        out_a, out_b = ACTIVATIONS[name][0](a), torch_fn(b)
        np.testing.assert_allclose(host(out_a), out_b.detach().numpy(), rtol=1e-12, atol=1e-14)
        (out_a * out_a).sum().backward()
        (out_b * out_b).sum().backward()
        np.testing.assert_allclose(host(a.grad), b.grad.numpy(), rtol=1e-10, atol=1e-12)
