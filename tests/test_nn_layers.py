"""Layers of ``minigrad.nn``: Linear, activations, (log-)softmax, Dropout, Flatten, Identity.

Values are compared with NumPy references of PyTorch's documented formulas, and
every layer is gradient-checked in float64 over shapes and hyper-parameters drawn
by hypothesis, on both test devices.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import minigrad
import minigrad.nn as nn
import minigrad.nn.functional as F
from minigrad.backend import to_host

FAST = settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def tensor(a, device, requires_grad=False):
    a = np.asarray(a)
    return minigrad.tensor(a, dtype=a.dtype, device=device, requires_grad=requires_grad)


def host(t):
    return to_host(t._array)


def away_from_zero(rng, shape, margin=1e-3):
    """Normal samples with |x| > margin (kinks of ReLU-like functions stay out of reach)."""
    x = rng.normal(size=shape)
    return np.where(np.abs(x) < margin, margin * 2 * np.sign(x + 1e-12), x)


shapes = st.lists(st.integers(1, 4), min_size=0, max_size=3).map(tuple)


# ----------------------------------------------------------------------------- Linear
@FAST
@given(lead=st.lists(st.integers(1, 3), min_size=0, max_size=2).map(tuple),
       n_in=st.integers(1, 4), n_out=st.integers(1, 4), bias=st.booleans(),
       seed=st.integers(0, 2**16), x_grad=st.booleans())  # fmt: skip
def test_linear_matches_numpy_and_gradchecks(device, lead, n_in, n_out, bias, seed, x_grad):
    rng = np.random.default_rng(seed)
    layer = nn.Linear(n_in, n_out, bias=bias).double().to(device)
    x = rng.normal(size=lead + (n_in,))
    xt = tensor(x, device, requires_grad=x_grad)
    w = host(layer.weight)
    expected = x @ w.T + (host(layer.bias) if bias else 0)
    out = layer(xt)
    assert out.shape == lead + (n_out,)
    np.testing.assert_allclose(host(out), expected, rtol=1e-12, atol=1e-12)
    inputs = [xt, layer.weight] + ([layer.bias] if bias else [])
    assert minigrad.gradcheck(lambda a, *p: F.linear(a, *p), inputs)


def test_linear_forward_is_one_fused_node(device):
    layer = nn.Linear(3, 2).to(device)
    x = tensor(np.ones((4, 3), np.float32), device)
    y = layer(x)
    inputs = y.grad_fn.inputs
    # matmul and bias in one node whose inputs are the leaves themselves
    assert len(inputs) == 3
    assert inputs[0] is x and inputs[1] is layer.weight and inputs[2] is layer.bias


def test_linear_backward_skips_the_gradient_of_data_inputs(device):
    layer = nn.Linear(3, 2).to(device)
    x = tensor(np.ones((4, 3), np.float32), device)
    y = layer(x)
    gx, gw, gb = y.grad_fn.run(minigrad.ones(4, 2, device=device)._array, None)
    assert gx is None
    np.testing.assert_allclose(to_host(gw), np.full((2, 3), 4.0))
    np.testing.assert_allclose(to_host(gb), [4.0, 4.0])
    y.sum().backward()
    assert x.grad is None and layer.weight.grad is not None


def test_linear_accepts_1d_and_batched_inputs(device):
    layer = nn.Linear(3, 2).to(device)
    w, b = host(layer.weight), host(layer.bias)
    x1 = np.array([1.0, -2.0, 0.5], np.float32)
    np.testing.assert_allclose(host(layer(tensor(x1, device))), w @ x1 + b, rtol=1e-6)
    x3 = np.arange(24, dtype=np.float32).reshape(2, 4, 3)
    out = layer(tensor(x3, device))
    assert out.shape == (2, 4, 2)
    np.testing.assert_allclose(host(out), x3 @ w.T + b, rtol=1e-5)


def test_linear_initialisation_is_pytorchs_uniform(device):
    layer = nn.Linear(400, 300, device=device)
    bound = 1 / math.sqrt(400)
    for p in (layer.weight, layer.bias):
        assert p.device == device and p.dtype == np.float32 and p.requires_grad
        values = host(p)
        assert values.min() >= -bound and values.max() <= bound
        assert values.max() > 0.9 * bound and values.min() < -0.9 * bound
    # U(-b, b) has standard deviation b / √3
    assert host(layer.weight).std() == pytest.approx(bound / math.sqrt(3), rel=0.02)
    assert layer.weight.shape == (300, 400) and layer.bias.shape == (300,)


def test_linear_initialisation_is_seeded():
    minigrad.manual_seed(7)
    a = host(nn.Linear(5, 4).weight)
    minigrad.manual_seed(7)
    b = host(nn.Linear(5, 4).weight)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, host(nn.Linear(5, 4).weight))


def test_linear_errors_name_the_shapes_and_dtypes(device):
    layer = nn.Linear(3, 2).to(device)
    with pytest.raises(RuntimeError, match=r"4x5 and 3x2.*Size\(\[4, 5\]\).*in_features=3"):
        layer(tensor(np.ones((4, 5), np.float32), device))
    with pytest.raises(RuntimeError, match="float64.*float32"):
        layer(tensor(np.ones((4, 3)), device))
    other = "cuda" if device == "cpu" else "cpu"
    with pytest.raises(RuntimeError, match="same device"):
        layer(tensor(np.ones((4, 3), np.float32), other))


def test_linear_rejects_a_weight_that_is_not_2d(device):
    x = tensor(np.ones((4, 3), np.float32), device)
    for weight in (np.float32(1.0), np.ones(3, np.float32)):  # a 0-d weight was an IndexError
        with pytest.raises(RuntimeError, match=r"weight must be 2-D.*got shape"):
            F.linear(x, tensor(weight, device))


@pytest.mark.parametrize(
    "data", [[[1.0, 2.0, 3.0]], np.ones((1, 3), np.float32)], ids=["list", "ndarray"]
)
def test_layers_refuse_inputs_that_are_not_tensors(data):
    """As PyTorch: a list or NumPy array is a TypeError naming it, not an AttributeError."""
    calls = {
        "linear": nn.Linear(3, 2),
        "relu": nn.ReLU(),
        "leaky_relu": nn.LeakyReLU(),
        "sigmoid": nn.Sigmoid(),
        "tanh": nn.Tanh(),
        "softmax": nn.Softmax(dim=1),
        "log_softmax": nn.LogSoftmax(dim=1),
        "dropout": nn.Dropout(),
    }
    for op, module in calls.items():
        message = rf"{op}\(\): argument 'input' must be a Tensor, not {type(data).__name__}"
        with pytest.raises(TypeError, match=message):
            module(data)
    with pytest.raises(TypeError, match="argument 'weight' must be a Tensor"):
        F.linear(minigrad.ones(1, 3), np.ones((2, 3), np.float32))
    with pytest.raises(TypeError, match="argument 'bias' must be a Tensor"):
        F.linear(minigrad.ones(1, 3), minigrad.ones(2, 3), [0.0, 0.0])


def test_linear_without_bias_and_repr():
    layer = nn.Linear(3, 2, bias=False)
    assert layer.bias is None
    assert [name for name, _ in layer.named_parameters()] == ["weight"]
    assert repr(layer) == "Linear(in_features=3, out_features=2, bias=False)"
    assert repr(nn.Linear(784, 100)) == "Linear(in_features=784, out_features=100, bias=True)"


# ----------------------------------------------------------------------------- activations
def ref_sigmoid(x):
    return 1 / (1 + np.exp(-x))


@FAST
@given(shape=shapes, seed=st.integers(0, 2**16),
       slope=st.floats(0.0, 2.0, allow_nan=False), scale=st.sampled_from([0.5, 3.0]))  # fmt: skip
def test_activations_match_numpy_and_gradcheck(device, shape, seed, slope, scale):
    rng = np.random.default_rng(seed)
    x = away_from_zero(rng, shape) * scale
    xt = tensor(x, device, requires_grad=True)
    cases = [
        (nn.ReLU(), F.relu, np.maximum(x, 0)),
        (nn.LeakyReLU(slope), lambda a: F.leaky_relu(a, slope), np.where(x > 0, x, slope * x)),
        (nn.Sigmoid(), F.sigmoid, ref_sigmoid(x)),
        (nn.Tanh(), F.tanh, np.tanh(x)),
    ]
    for module, fn, expected in cases:
        np.testing.assert_allclose(host(module(xt)), expected, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(host(fn(xt)), expected, rtol=1e-12, atol=1e-15)
        assert minigrad.gradcheck(module, [xt])


def test_leaky_relu_default_slope_and_reprs():
    assert nn.LeakyReLU().negative_slope == 0.01
    x = minigrad.tensor([-2.0, 3.0])
    np.testing.assert_allclose(host(nn.LeakyReLU()(x)), [-0.02, 3.0], rtol=1e-6)
    assert repr(nn.LeakyReLU()) == "LeakyReLU(negative_slope=0.01)"
    assert repr(nn.ReLU()) == "ReLU()"
    assert repr(nn.ReLU(inplace=True)) == "ReLU(inplace=True)"
    assert repr(nn.Softmax(dim=1)) == "Softmax(dim=1)"


def test_inplace_activations_write_into_the_input_and_its_graph(device):
    x = tensor(np.array([-1.0, 2.0, -3.0], np.float32), device)
    out = nn.ReLU(inplace=True)(x)
    assert out is x
    np.testing.assert_array_equal(host(x), [0.0, 2.0, 0.0])
    y = tensor(np.array([-1.0, 2.0]), device, requires_grad=True)
    h = y * 1.0
    out = F.leaky_relu(h, 0.1, inplace=True)  # differentiable in place, as PyTorch
    assert out is h and h._version == 1
    np.testing.assert_allclose(host(h), [-0.1, 2.0])
    out.sum().backward()
    np.testing.assert_allclose(host(y.grad), [0.1, 1.0])
    with pytest.raises(RuntimeError, match="leaf Variable"):
        F.relu(y, inplace=True)


@st.composite
def softmax_case(draw):
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=1, max_size=3)))
    dim = draw(st.integers(-len(shape), len(shape) - 1))
    return shape, dim


@FAST
@given(case=softmax_case(), seed=st.integers(0, 2**16), scale=st.sampled_from([0.1, 1.0, 10.0]))
def test_softmax_and_log_softmax(device, case, seed, scale):
    shape, dim = case
    x = np.random.default_rng(seed).normal(size=shape) * scale
    z = x - x.max(axis=dim, keepdims=True)
    log_softmax = z - np.log(np.exp(z).sum(axis=dim, keepdims=True))
    xt = tensor(x, device, requires_grad=True)
    for module, expected in [(nn.Softmax(dim), np.exp(log_softmax)),
                             (nn.LogSoftmax(dim), log_softmax)]:  # fmt: skip
        np.testing.assert_allclose(host(module(xt)), expected, rtol=1e-10, atol=1e-14)
        assert minigrad.gradcheck(module, [xt])
    np.testing.assert_allclose(host(F.softmax(xt, dim).sum(dim)), 1.0, rtol=1e-12)


def test_log_softmax_is_finite_for_logits_of_magnitude_1e4(device):
    x = tensor(np.array([[1e4, -1e4, 0.0]], np.float32), device)
    out = host(nn.LogSoftmax(dim=1)(x))
    np.testing.assert_allclose(out, [[0.0, -2e4, -1e4]], rtol=1e-6)


def test_softmax_without_dim_warns_and_picks_pytorchs_implicit_dim():
    x = minigrad.randn(2, 3)
    with pytest.warns(UserWarning, match="Implicit dimension"):
        out = nn.Softmax()(x)
    np.testing.assert_allclose(host(out.sum(1)), [1.0, 1.0], rtol=1e-6)


# ----------------------------------------------------------------------------- Dropout
@FAST
@given(p=st.floats(0.05, 0.95), n=st.sampled_from([2000, 5000]))
def test_dropout_mask_statistics_and_scaling(device, p, n):
    x = minigrad.ones(n, device=device)
    out = host(nn.Dropout(p)(x))
    dropped = out == 0
    # the fraction dropped is Binomial(n, p) / n: within 5 standard deviations of p
    assert abs(dropped.mean() - p) < 5 * math.sqrt(p * (1 - p) / n) + 1e-9
    np.testing.assert_allclose(out[~dropped], 1 / (1 - p), rtol=1e-6)
    assert abs(out.mean() - 1.0) < 5 * math.sqrt(p / (1 - p) / n) + 1e-6  # E[y] = x


def test_dropout_backward_uses_the_same_mask(device):
    x = tensor(np.arange(1.0, 101.0), device, requires_grad=True)
    out = F.dropout(x, 0.3)
    out.sum().backward()
    np.testing.assert_allclose(host(x.grad), host(out) / host(x).astype(float), rtol=1e-12)


@FAST
@given(p=st.sampled_from([0.0, 0.2, 0.5, 0.9]), shape=shapes)
def test_dropout_gradcheck(device, p, shape):
    x = tensor(np.random.default_rng(0).normal(size=shape), device, requires_grad=True)

    def fn(a):
        minigrad.manual_seed(3)  # the same mask at every evaluation
        return F.dropout(a, p)

    assert minigrad.gradcheck(fn, [x])


def test_dropout_is_the_identity_in_eval_mode(device):
    layer = nn.Dropout(0.5)
    x = tensor(np.random.default_rng(0).normal(size=(10, 10)).astype(np.float32), device)
    layer.eval()
    assert layer(x) is x
    assert F.dropout(x, 0.5, training=False) is x
    layer.train()
    assert (host(layer(x)) == 0).any()


def test_dropout_is_reproducible_under_manual_seed(device):
    x = minigrad.ones(50, 20, device=device)
    minigrad.manual_seed(123)
    a = host(nn.Dropout(0.4)(x))
    minigrad.manual_seed(123)
    b = host(nn.Dropout(0.4)(x))
    c = host(nn.Dropout(0.4)(x))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(b, c)


def test_dropout_p_1_gives_zeros_without_nan_and_p_0_the_identity(device):
    x = tensor(np.ones((4, 5), np.float32), device, requires_grad=True)
    out = nn.Dropout(1.0)(x)
    out.sum().backward()
    np.testing.assert_array_equal(host(out), np.zeros((4, 5)))
    np.testing.assert_array_equal(host(x.grad), np.zeros((4, 5)))
    assert nn.Dropout(0.0)(x) is x


@pytest.mark.parametrize("p", [-0.1, 1.5, 2, float("nan")])
def test_dropout_probability_outside_0_1_raises(p):
    with pytest.raises(ValueError, match="between 0 and 1"):
        nn.Dropout(p)
    with pytest.raises(ValueError, match="between 0 and 1"):
        F.dropout(minigrad.ones(3), p)


def test_dropout_probability_of_the_wrong_type_is_shown_with_its_type():
    with pytest.raises(ValueError, match="but got '0.5'"):  # a string, not the number 0.5
        nn.Dropout("0.5")
    with pytest.raises(ValueError, match="but got True"):
        F.dropout(minigrad.ones(3), True)


def test_dropout_defaults_repr_and_inplace(device):
    layer = nn.Dropout()
    assert layer.p == 0.5 and layer.inplace is False
    assert repr(layer) == "Dropout(p=0.5, inplace=False)"
    x = minigrad.ones(1000, device=device)
    out = nn.Dropout(0.5, inplace=True)(x)
    assert out is x and set(np.unique(host(x))) == {0.0, 2.0}


def test_dropout_mask_is_drawn_on_the_device(device):
    # the strict 'cuda' backend raises if a host mask meets a device array
    x = minigrad.ones(3, 4, device=device, dtype=minigrad.float64)
    out = F.dropout(x, 0.5)
    assert out.device == device and out.dtype == minigrad.float64


# ----------------------------------------------------------------------------- Flatten, Identity
def test_flatten_and_identity(device):
    x = tensor(np.arange(24.0).reshape(2, 3, 4), device, requires_grad=True)
    assert nn.Flatten()(x).shape == (2, 12)
    assert nn.Flatten(0, 1)(x).shape == (6, 4)
    assert nn.Flatten(start_dim=0)(x).shape == (24,)
    assert minigrad.gradcheck(nn.Flatten(), [x])
    assert nn.Identity(54, unused="argument")(x) is x
    assert repr(nn.Flatten()) == "Flatten(start_dim=1, end_dim=-1)"
    assert repr(nn.Identity()) == "Identity()"


def test_layers_emit_no_warnings(device):
    model = nn.Sequential(nn.Flatten(), nn.Linear(12, 5), nn.LeakyReLU(), nn.Dropout(0.2),
                          nn.Linear(5, 3), nn.LogSoftmax(dim=1)).to(device)  # fmt: skip
    x = tensor(np.random.default_rng(0).normal(size=(4, 3, 4)).astype(np.float32), device)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = model(x)
        F.nll_loss(out, tensor(np.array([0, 1, 2, 0]), device)).backward()
    assert all(p.grad is not None for p in model.parameters())
