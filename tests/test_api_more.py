"""Smaller PyTorch names student programs call: hyperbolic functions, logaddexp, clamp_min/
clamp_max, dist, type_as, the in-place activation functions of F, strides and devices."""

from __future__ import annotations

import numpy as np
import pytest
from engine_helpers import arrays, check_op, host, on, shapes
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import minigrad as mg
import minigrad.nn.functional as F

FAST = settings(max_examples=15, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FAST
@given(shape=shapes(), data=st.data())
def test_hyperbolic_functions(device, shape, data):
    a = data.draw(arrays(shape, -2.0, 2.0))
    check_op(lambda x: x.sinh(), np.sinh, [a], device)
    check_op(lambda x: mg.cosh(x), np.cosh, [a], device)


@FAST
@given(shape=shapes(), data=st.data())
def test_logaddexp_and_dist(device, shape, data):
    a = data.draw(arrays(shape))
    b = data.draw(arrays(shape))
    check_op(lambda x, y: x.logaddexp(y), np.logaddexp, [a, b], device)
    if a.size:
        check_op(
            lambda x, y: x.dist(y), lambda x, y: np.sqrt(((x - y) ** 2).sum()), [a, b + 5.0], device
        )


def test_logaddexp_stays_finite_for_large_inputs(device):
    x = on([1000.0, -1000.0], device)
    np.testing.assert_allclose(host(x.logaddexp(x)), [1000.0 + np.log(2), -1000.0 + np.log(2)])


def test_small_aliases(device):
    x = mg.tensor([[-1.0, 2.0], [3.0, -4.0]], device=device)
    np.testing.assert_array_equal(host(mg.clamp_min(x, 0)), [[0, 2], [3, 0]])
    np.testing.assert_array_equal(host(x.clamp_max(0)), [[-1, 0], [0, -4]])
    assert x.type_as(mg.ones(1, dtype=mg.float64)).dtype == mg.float64
    assert x.nelement() == 4 and x.ndimension() == 2
    assert x.is_contiguous() and not x.T.is_contiguous()
    assert x.stride() == (2, 1) and x.T.stride() == (1, 2) and x.stride(-1) == 1
    assert x.get_device() == (-1 if device == "cpu" else 0)
    np.testing.assert_array_equal(host(x.where(x > 0, 0.0)), [[0, 2], [3, 0]])
    assert mg.true_divide(mg.tensor([3]), 2).item() == 1.5
    assert mg.is_floating_point(x) and mg.t(x).shape == (2, 2)


@pytest.mark.parametrize(
    ("name", "expected"),
    [("relu_", [0.0, 2.0]), ("leaky_relu_", [-0.01, 2.0]), ("hardtanh_", [-1.0, 1.0])],
)
def test_inplace_functions_write_into_their_input(name, expected, device):
    x = on([-1.0, 2.0], device)
    h = x * 1.0
    out = getattr(F, name)(h)
    assert out is h and h._version == 1
    np.testing.assert_allclose(host(h), expected)
    h.sum().backward()
    assert x.grad is not None


def test_addcmul_and_addcdiv_in_place(device):
    t, a = mg.tensor([1.0, 2.0], device=device), mg.tensor([2.0, 3.0], device=device)
    t.addcmul_(a, mg.tensor([4.0, 5.0], device=device), value=0.5)
    np.testing.assert_allclose(host(t), [5.0, 9.5])
    t.addcdiv_(a, mg.tensor([4.0, 6.0], device=device))
    np.testing.assert_allclose(host(t), [5.5, 10.0])
    assert t._version == 2


def test_max_pool2d_with_indices(device):
    x = mg.arange(16.0, device=device).reshape(1, 1, 4, 4)
    values, indices = F.max_pool2d_with_indices(x, 2)
    np.testing.assert_array_equal(host(values)[0, 0], [[5, 7], [13, 15]])
    np.testing.assert_array_equal(host(indices)[0, 0], [[5, 7], [13, 15]])


@FAST
@given(shape=shapes(), data=st.data())
def test_inverse_trigonometry(device, shape, data):
    a = data.draw(arrays(shape, -0.9, 0.9))
    check_op(lambda x: x.asin(), np.arcsin, [a], device)
    check_op(lambda x: mg.acos(x), np.arccos, [a], device)
    check_op(lambda x: mg.atan(x * 3), lambda x: np.arctan(x * 3), [a], device)
    check_op(lambda x: x.atanh(), np.arctanh, [a], device)
    check_op(lambda x: mg.asinh(x * 3), lambda x: np.arcsinh(x * 3), [a], device)
    check_op(lambda x: (x + 2.5).acosh(), lambda x: np.arccosh(x + 2.5), [a], device)


@FAST
@given(shape=shapes(), data=st.data())
def test_atan2_and_hypot(device, shape, data):
    y = data.draw(arrays(shape))
    x = data.draw(arrays(shape, 0.5, 3.0))  # x > 0: away from atan2's branch cut
    check_op(lambda a, b: mg.atan2(a, b), np.arctan2, [y, x], device)
    check_op(lambda a, b: a.hypot(b), np.hypot, [y, x], device)
    deg = mg.tensor([180.0, 90.0], device=device)
    np.testing.assert_allclose(host(mg.deg2rad(deg)), [np.pi, np.pi / 2], rtol=1e-6)
    np.testing.assert_allclose(host(mg.deg2rad(deg).rad2deg()), [180.0, 90.0], rtol=1e-6)


@FAST
@given(shape=shapes(min_dims=1), data=st.data(), n=st.integers(1, 2))
def test_diff(device, shape, data, n):
    a = data.draw(arrays(shape))
    check_op(lambda x: x.diff(n=n, dim=-1), lambda x: np.diff(x, n=n, axis=-1), [a], device)


def test_rot90_bincount_isin(device):
    m = mg.arange(6, device=device).reshape(2, 3)
    for k in (-1, 0, 1, 2, 3):
        np.testing.assert_array_equal(host(mg.rot90(m, k)), np.rot90(np.arange(6).reshape(2, 3), k))
    counts = mg.bincount(mg.tensor([0, 1, 1, 3], device=device), minlength=6)
    assert counts.dtype == mg.int64 and host(counts).tolist() == [1, 2, 0, 1, 0, 0]
    weights = mg.tensor([0.5, 1.0, 2.0], device=device)
    weighted = mg.bincount(mg.tensor([0, 1, 1], device=device), weights=weights)
    assert weighted.dtype == mg.float32 and host(weighted).tolist() == [0.5, 3.0]
    with pytest.raises(RuntimeError, match="non-negative"):
        mg.bincount(mg.tensor([-1, 2], device=device))
    found = mg.isin(mg.tensor([1, 2, 3], device=device), mg.tensor([2, 5], device=device))
    assert host(found).tolist() == [False, True, False]


def _attention_reference(q, k, v, mask=None, causal=False):
    scores = q @ np.swapaxes(k, -1, -2) / np.sqrt(q.shape[-1])
    if causal:
        mask = np.tril(np.ones((q.shape[-2], k.shape[-2]), dtype=bool))
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    scores = scores - scores.max(-1, keepdims=True)
    weights = np.exp(scores)
    return weights / weights.sum(-1, keepdims=True) @ v


@pytest.mark.parametrize("causal", [False, True])
def test_scaled_dot_product_attention(device, causal):
    rng = np.random.default_rng(0)
    q, k, v = (rng.standard_normal((2, 3, 4)) for _ in range(3))
    check_op(
        lambda a, b, c: F.scaled_dot_product_attention(a, b, c, is_causal=causal),
        lambda a, b, c: _attention_reference(a, b, c, causal=causal),
        [q, k, v],
        device,
    )
    mask = rng.random((3, 3)) > 0.3
    mask[:, 0] = True  # every query attends somewhere
    out = F.scaled_dot_product_attention(
        *(on(a, device, False) for a in (q, k, v)), attn_mask=mg.tensor(mask, device=device)
    )
    np.testing.assert_allclose(host(out), _attention_reference(q, k, v, mask), rtol=1e-10)
