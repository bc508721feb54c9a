"""Tensor methods and functions PyTorch programs call that minigrad lacked (an adversarial
probe against PyTorch): rounded division, float_power, fmax/fmin, shifts, byte/char/short,
the legacy ``new``, unique_consecutive, histc, renorm, logcumsumexp, erfinv, unfold, the
refusal of negative slice steps, and small fixes (0-d index_select/gather/movedim,
layer_norm's normalized_shape, median's tied gradient, det's gradient at a singular matrix).

Differentiable ones: values against NumPy, first and second derivatives against central
differences in float64 on both test devices; against PyTorch where it is installed."""

from __future__ import annotations

import math

import numpy as np
import pytest
from engine_helpers import (
    arrays,
    assert_close,
    check_op,
    given_settings,
    grid_arrays,
    host,
    on,
    shapes,
)
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad as mg
import minigrad.nn.functional as F

few_examples = settings(given_settings, max_examples=20)

INT_DTYPES = ["int8", "int16", "int32", "int64", "uint8"]


def int_arrays(shape, low=-50, high=50, dtype="int64"):
    return hnp.arrays(np.dtype(dtype), shape, elements=st.integers(low, high))


def _torch():
    return pytest.importorskip("torch")


# ---------------------------------------------------------------------- div with rounding_mode
def _np_div(a, b, mode):
    if mode == "floor":
        return np.floor_divide(a, b)
    if a.dtype.kind in "iu" and np.asarray(b).dtype.kind in "iu":
        q = np.abs(a) // np.abs(b)
        return np.where((a < 0) != (b < 0), -q, q).astype(np.result_type(a, b))
    return np.trunc(a / b)


@pytest.mark.parametrize("mode", ["trunc", "floor"])
@given_settings
@given(data=st.data(), shape=shapes(max_dims=3))
def test_div_rounding_integers_keep_the_dtype(mode, data, shape, device):
    a = data.draw(int_arrays(shape))
    b = data.draw(int_arrays(shape, 1, 9)) * data.draw(st.sampled_from([1, -1]))
    x, y = mg.tensor(a, device=device), mg.tensor(b, device=device)
    for out in (x.div(y, rounding_mode=mode), mg.div(x, y, rounding_mode=mode)):
        assert out.dtype == mg.int64 and out.device == device
        np.testing.assert_array_equal(host(out), _np_div(a, b, mode))
    inplace = x.clone()
    assert inplace.div_(y, rounding_mode=mode) is inplace
    np.testing.assert_array_equal(host(inplace), _np_div(a, b, mode))


@pytest.mark.parametrize("mode", ["trunc", "floor"])
@given_settings
@given(data=st.data(), shape=shapes(max_dims=3))
def test_div_rounding_floats_have_zero_gradient(mode, data, shape, device):
    a = data.draw(arrays(shape, -9, 9))
    b = data.draw(grid_arrays(shape))
    x, y = on(a, device), on(b, device)
    out = x.divide(y, rounding_mode=mode)
    assert out.dtype == mg.float64 and out.requires_grad
    assert_close(out, _np_div(a, b, mode))
    out.sum().backward()
    np.testing.assert_array_equal(host(x.grad), np.zeros(shape))
    np.testing.assert_array_equal(host(y.grad), np.zeros(shape))


def test_div_rounding_promotion_errors_and_aliases(device):
    i = mg.tensor([5, -7, 3], device=device)
    f = mg.tensor([5.5, -7.5, 3.0], device=device)
    assert i.div(2, rounding_mode="floor").tolist() == [2, -4, 1]
    assert i.div(2, rounding_mode="trunc").tolist() == [2, -3, 1]
    assert i.div(1.5, rounding_mode="floor").dtype == mg.float32  # int with a float: float
    assert f.div(-2, rounding_mode="floor").tolist() == [-3.0, 3.0, -2.0]
    assert host(f.div(0.0, rounding_mode="floor")).tolist() == [math.inf, -math.inf, math.inf]
    assert i.div(2).dtype == mg.float32 and i.true_divide(2).dtype == mg.float32
    assert mg.true_divide(i, 2).tolist() == pytest.approx([2.5, -3.5, 1.5])
    assert mg.divide(i, 2, rounding_mode="trunc").tolist() == [2, -3, 1]
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        i.div(0, rounding_mode="trunc")
    with pytest.raises(RuntimeError, match="rounding_mode"):
        i.div(2, rounding_mode="round")
    with pytest.raises(RuntimeError, match="can't be cast"):
        i.clone().div_(2.5, rounding_mode="floor")
    with pytest.raises(RuntimeError):
        i.clone().div_(2)  # true division into an integer tensor
    g = f.clone().requires_grad_()
    h = g * 1
    h.div_(2, rounding_mode="floor")
    h.sum().backward()
    assert g.grad.tolist() == [0.0, 0.0, 0.0]


def test_div_rounding_matches_pytorch():
    torch = _torch()
    rng = np.random.default_rng(0)
    a, b = rng.integers(-100, 100, 50), rng.integers(1, 9, 50) * rng.choice([-1, 1], 50)
    fa, fb = rng.normal(size=50) * 10, rng.normal(size=50)
    for mode in ("trunc", "floor"):
        for x, y in ((a, b), (fa, fb), (a, fb)):
            got = mg.tensor(x).div(mg.tensor(y), rounding_mode=mode)
            want = torch.tensor(x).div(torch.tensor(y), rounding_mode=mode)
            assert str(got.dtype) == str(want.dtype).removeprefix("torch.")
            np.testing.assert_array_equal(got.numpy(), want.numpy())


# ---------------------------------------------------------------------- float_power
@given_settings
@given(data=st.data(), shape=shapes(max_dims=3))
def test_float_power_gradients(data, shape, device):
    base = data.draw(arrays(shape, 0.5, 3))
    exponent = data.draw(arrays(shape, -2, 2))
    check_op(lambda x, y: x.float_power(y), np.power, [base, exponent], device)
    check_op(lambda x: mg.float_power(x, 2.5), lambda a: a**2.5, [base], device)


def test_float_power_is_float64(device):
    i = mg.tensor([1, 2, 3], device=device)
    f = mg.tensor([0.5, 2.0], device=device, requires_grad=True)
    assert i.float_power(2).dtype == mg.float64 and i.float_power(2).tolist() == [1, 4, 9]
    assert mg.float_power(2, i).tolist() == [2.0, 4.0, 8.0]
    assert mg.float_power(2, i).dtype == mg.float64
    out = f.float_power(mg.tensor(2, device=device))
    assert out.dtype == mg.float64
    out.sum().backward()
    assert f.grad.dtype == mg.float32 and f.grad.tolist() == [1.0, 4.0]
    with pytest.raises(RuntimeError, match="float_power_"):
        mg.tensor([2.0], device=device).float_power_(2)
    d = mg.tensor([3.0], dtype=mg.float64, device=device)
    assert d.float_power_(2) is d and d.tolist() == [9.0]


# ---------------------------------------------------------------------- fmax / fmin
@pytest.mark.parametrize("name", ["fmax", "fmin"])
@given_settings
@given(data=st.data(), shape=shapes(max_dims=3))
def test_fmax_fmin_gradients(name, data, shape, device):
    ref = getattr(np, name)
    a = data.draw(grid_arrays(shape))
    b = data.draw(grid_arrays(shape, offset=1 / 64))  # never equal to a: no ties
    check_op(lambda x, y: getattr(x, name)(y), ref, [a, b], device)
    check_op(lambda x, y: getattr(mg, name)(x, y), ref, [a, b], device)


@pytest.mark.parametrize("name", ["fmax", "fmin"])
def test_fmax_fmin_ignore_nan_and_give_ties_to_self(name, device):
    nan = math.nan
    a = mg.tensor([1.0, nan, 2.0, nan, 3.0], device=device, requires_grad=True)
    b = mg.tensor([1.0, 1.0, nan, nan, 0.0], device=device, requires_grad=True)
    out = getattr(a, name)(b)
    np.testing.assert_array_equal(host(out), getattr(np, name)(host(a.detach()), host(b.detach())))
    out.sum().backward()
    a_wins = [1.0, 0.0, 1.0, 1.0, 1.0 if name == "fmax" else 0.0]
    assert a.grad.tolist() == a_wins
    assert b.grad.tolist() == [1 - w for w in a_wins]
    ints = getattr(mg.tensor([1, 5], device=device), name)(mg.tensor([3, 2], device=device))
    assert ints.dtype == mg.int64
    with pytest.raises(TypeError, match="must be Tensor"):
        getattr(a, name)(2.0)


def test_fmax_fmin_match_pytorch():
    torch = _torch()
    nan = math.nan
    a = [1.0, nan, 2.0, nan, 3.0, -1.0]
    b = [1.0, 1.0, nan, nan, 0.0, 4.0]
    for name in ("fmax", "fmin"):
        x, y = mg.tensor(a, requires_grad=True), mg.tensor(b, requires_grad=True)
        tx, ty = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
        out, tout = getattr(mg, name)(x, y), getattr(torch, name)(tx, ty)
        np.testing.assert_array_equal(out.detach().numpy(), tout.detach().numpy())
        out.sum().backward()
        tout.sum().backward()
        np.testing.assert_array_equal(x.grad.numpy(), tx.grad.numpy())
        np.testing.assert_array_equal(y.grad.numpy(), ty.grad.numpy())


# ---------------------------------------------------------------------- shifts
@pytest.mark.parametrize("dtype", INT_DTYPES)
@given_settings
@given(data=st.data(), shape=shapes(max_dims=2))
def test_shifts_match_numpy_and_pytorch(dtype, data, shape, device):
    info = np.iinfo(dtype)
    a = data.draw(int_arrays(shape, max(info.min, -1000), min(info.max, 1000), dtype))
    bits = 8 * np.dtype(dtype).itemsize
    s = data.draw(int_arrays(shape, 0, bits + 2, dtype))
    x, y = mg.tensor(a, device=device), mg.tensor(s, device=device)
    left, right = x << y, x >> y
    assert left.dtype == right.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(host(x.bitwise_left_shift(y)), host(left))
    np.testing.assert_array_equal(host(mg.bitwise_right_shift(x, y)), host(right))
    try:
        import torch
    except ImportError:
        np.testing.assert_array_equal(host(left), np.left_shift(a, s))
        np.testing.assert_array_equal(host(right), np.right_shift(a, s))
        return
    tx, ts = torch.tensor(a), torch.tensor(s)
    np.testing.assert_array_equal(host(left), (tx << ts).numpy())
    np.testing.assert_array_equal(host(right), (tx >> ts).numpy())


def test_shift_scalars_promotion_inplace_and_errors(device):
    x = mg.tensor([5, -7, 3], device=device)
    assert (x << 2).tolist() == [20, -28, 12]
    assert (x >> 1).tolist() == [2, -4, 1]
    assert (x << -1).tolist() == [0, 0, 0] and (x >> 64).tolist() == [0, -1, 0]
    assert (2 << mg.tensor([1, 3], device=device)).tolist() == [4, 16]
    assert (64 >> mg.tensor([1, 3], device=device)).tolist() == [32, 8]
    small = mg.tensor([1], dtype=mg.int8, device=device)
    assert (small << 2).dtype == mg.int8 and (small << 7).tolist() == [-128]
    assert (small << mg.tensor([2], device=device)).dtype == mg.int64
    assert (mg.tensor([True], device=device) << 1).tolist() == [2]
    y = x.clone()
    y <<= 1
    assert y.tolist() == [10, -14, 6]
    assert y.bitwise_right_shift_(1) is y and y.tolist() == [5, -7, 3]
    with pytest.raises(NotImplementedError):
        mg.tensor([1.5], device=device) << 1
    with pytest.raises(NotImplementedError):
        x << 1.5
    with pytest.raises(NotImplementedError):
        mg.tensor([True], device=device) << mg.tensor([True], device=device)


# ---------------------------------------------------------------------- conversions and new
def test_byte_char_short(device):
    f = mg.tensor([-1.5, 300.7, 2.2], device=device)
    assert f.byte().dtype == mg.uint8 and f.byte().tolist() == [255, 44, 2]
    assert f.char().dtype == mg.int8 and f.char().tolist() == [-1, 44, 2]
    assert mg.tensor([70000.0], device=device).short().tolist() == [4464]
    assert f.short().dtype == mg.int16 == mg.short
    assert f.byte().device == device


def test_new_legacy_constructor(device):
    x = mg.tensor([1.0, 2.0], dtype=mg.float64, device=device)
    for made, shape in ((x.new(2, 3), (2, 3)), (x.new(mg.Size([4])), (4,)), (x.new(), (0,))):
        assert made.shape == shape and made.dtype == mg.float64 and made.device == device
        assert not made.requires_grad
    data = x.new([1, 2])
    assert data.dtype == mg.float64 and data.tolist() == [1.0, 2.0] and data.device == device
    assert x.new((2, 3)).tolist() == [2.0, 3.0]  # a tuple is data, as in PyTorch
    assert mg.tensor([1]).new([1.7]).tolist() == [1]
    assert x.new(2, device="cpu").device == "cpu"
    alias = x.new(x)
    assert alias.data_ptr() == x.data_ptr()
    with pytest.raises(TypeError, match="sequence"):
        x.new(2.5)
    with pytest.raises(TypeError):
        x.new(mg.tensor([1], device=device))


# ---------------------------------------------------------------------- unique_consecutive
def _np_unique_consecutive(a, dim):
    if dim is None:
        rows = a.reshape(-1, 1)
    else:
        width = a.size // a.shape[dim] if a.shape[dim] else 0
        rows = np.moveaxis(a, dim, 0).reshape(a.shape[dim], width)
    starts = np.ones(len(rows), bool)
    starts[1:] = (rows[1:] != rows[:-1]).any(axis=1)
    first = np.nonzero(starts)[0]
    values = a.reshape(-1)[first] if dim is None else np.take(a, first, axis=dim)
    inverse = np.cumsum(starts) - 1
    counts = np.diff(np.append(first, len(rows)))
    return values, inverse.reshape(a.shape if dim is None else -1), counts


@given_settings
@given(data=st.data(), shape=shapes(min_dims=1, max_dims=3), use_dim=st.booleans())
def test_unique_consecutive(data, shape, use_dim, device):
    a = data.draw(int_arrays(shape, 0, 2))
    dim = data.draw(st.integers(-len(shape), len(shape) - 1)) if use_dim else None
    x = mg.tensor(a, device=device)
    values, inverse, counts = x.unique_consecutive(True, True, dim)
    want = _np_unique_consecutive(a, None if dim is None else dim % len(shape))
    for got, ref in zip((values, inverse, counts), want, strict=True):
        assert got.device == device
        np.testing.assert_array_equal(host(got), ref)
    assert inverse.dtype == counts.dtype == mg.int64
    only = mg.unique_consecutive(x, dim=dim)
    np.testing.assert_array_equal(host(only), want[0])
    pair = x.unique_consecutive(return_counts=True, dim=dim)
    assert len(pair) == 2
    np.testing.assert_array_equal(host(pair[1]), want[2])


def test_unique_consecutive_matches_pytorch():
    torch = _torch()
    cases = [
        ([1, 1, 2, 2, 3, 1, 1, 2], None),
        ([[1, 1], [1, 1], [2, 3], [1, 1]], 0),
        ([[1, 1], [1, 1], [2, 3], [1, 1]], 1),
        ([1.0, math.nan, math.nan], None),
        (3, None),
        ([], None),
    ]
    for data, dim in cases:
        got = mg.tensor(data).unique_consecutive(True, True, dim)
        want = torch.tensor(data).unique_consecutive(True, True, dim)
        for g, w in zip(got, want, strict=True):
            assert tuple(g.shape) == tuple(w.shape)
            np.testing.assert_array_equal(g.numpy(), w.numpy())


# ---------------------------------------------------------------------- histc
def _np_histc(a, bins, low, high):
    a = a.reshape(-1)
    if low == high and a.size:
        low, high = float(a.min()), float(a.max())
    if low == high:
        low, high = low - 1, high + 1
    t = a.dtype.type
    left, right = t(low), t(high)
    kept = a[(a >= left) & (a <= right)]
    pos = np.minimum(((kept - left) * t(bins) / (right - left)).astype(np.int64), bins - 1)
    return np.bincount(pos, minlength=bins).astype(a.dtype)


@given_settings
@given(
    data=st.data(),
    shape=shapes(max_dims=2),
    bins=st.integers(1, 12),
    dtype=st.sampled_from(["float32", "float64"]),
    ranged=st.booleans(),
)
def test_histc(data, shape, bins, dtype, ranged, device):
    a = data.draw(hnp.arrays(np.dtype(dtype), shape, elements=st.integers(-40, 40)))
    a = (a / 8).astype(dtype)  # (NumPy 1.x divides a 0-d float32 array in float64)
    low, high = (data.draw(st.integers(-6, 0)), data.draw(st.integers(1, 6))) if ranged else (0, 0)
    x = mg.tensor(a, device=device)
    out = x.histc(bins, low, high)
    assert out.dtype == np.dtype(dtype) and out.shape == (bins,) and out.device == device
    assert not out.requires_grad
    np.testing.assert_array_equal(host(out), _np_histc(a, bins, low, high))
    np.testing.assert_array_equal(host(mg.histc(x, bins=bins, min=low, max=high)), host(out))
    try:
        import torch
    except ImportError:
        return
    want = torch.histc(torch.tensor(a), bins, low, high).numpy()
    np.testing.assert_array_equal(host(out), want)


def test_histc_edges_and_errors(device):
    x = mg.tensor([1.0, 2, 1, 4, 10], device=device)
    assert x.histc(4, 0, 3).tolist() == [0, 2, 1, 0]  # 4 and 10 left out, 3 = max: last bin
    assert mg.tensor([2.0, 2.0], device=device).histc(4).tolist() == [0, 0, 2, 0]  # [1, 3]
    assert mg.tensor([], device=device).histc(3).tolist() == [0, 0, 0]
    assert mg.tensor([1.0, math.nan], device=device).histc(3, 0, 2).tolist() == [0, 1, 0]
    assert len(mg.tensor([1.0], device=device).histc()) == 100
    with pytest.raises(RuntimeError, match="bins"):
        x.histc(0)
    with pytest.raises(RuntimeError, match="max must be larger than min"):
        x.histc(3, 5, 1)
    with pytest.raises(RuntimeError, match="not finite"):
        mg.tensor([1.0, math.nan], device=device).histc(3)
    with pytest.raises(NotImplementedError):
        mg.tensor([1, 2], device=device).histc()


# ---------------------------------------------------------------------- renorm
def _np_renorm(a, p, dim, maxnorm):
    others = tuple(i for i in range(a.ndim) if i != dim)
    norm = (np.abs(a) ** p).sum(axis=others, keepdims=True) ** (1 / p)
    return a * np.where(norm > maxnorm, maxnorm / (norm + 1e-7), 1.0)


@few_examples
@given(
    data=st.data(),
    shape=shapes(min_dims=2, max_dims=3, min_side=1),
    p=st.sampled_from([1.0, 2.0, 3.0]),
    maxnorm=st.sampled_from([0.5, 1.5, 4.0]),
)
def test_renorm_gradients(data, shape, p, maxnorm, device):
    a = data.draw(arrays(shape, 0.25, 2)) * data.draw(st.sampled_from([1, -1]))
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    others = tuple(i for i in range(len(shape)) if i != dim % len(shape))
    norms = (np.abs(a) ** p).sum(axis=others) ** (1 / p)
    assume(np.all(np.abs(norms - maxnorm) > 1e-3))  # away from the switch
    check_op(
        lambda x: x.renorm(p, dim, maxnorm),
        lambda a: _np_renorm(a, p, dim % a.ndim, maxnorm),
        [a],
        device,
    )
    check_op(
        lambda x: mg.renorm(x, p, dim, maxnorm),
        lambda a: _np_renorm(a, p, dim % a.ndim, maxnorm),
        [a],
        device,
    )


def test_renorm_errors_and_inplace(device):
    x = mg.ones(2, 3, device=device)
    np.testing.assert_allclose(host(x.renorm(math.inf, 1, 0.5)), np.full((2, 3), 0.5), 1e-6)
    y = x.clone()
    assert y.renorm_(2, 0, 1.0) is y
    assert host(y) == pytest.approx(np.full((2, 3), 1 / (math.sqrt(3) + 1e-7)))
    with pytest.raises(RuntimeError, match="at least 2 dimensions"):
        mg.tensor([1.0, 2.0], device=device).renorm(2, 0, 1)
    with pytest.raises(RuntimeError, match="non-positive-norm"):
        x.renorm(0, 0, 1)
    with pytest.raises(RuntimeError, match="maxnorm"):
        x.renorm(2, 0, -1)
    with pytest.raises(RuntimeError, match="floating"):
        mg.ones(2, 2, dtype=mg.int64).renorm(2, 0, 1)


def test_renorm_matches_pytorch():
    torch = _torch()
    a = np.random.default_rng(1).normal(size=(3, 4, 2)) * 2
    for p, dim, maxnorm in ((2, 0, 1.0), (1, 1, 2.0), (3, -1, 0.7)):
        x = mg.tensor(a, requires_grad=True)
        t = torch.tensor(a, requires_grad=True)
        out, tout = x.renorm(p, dim, maxnorm), t.renorm(p, dim, maxnorm)
        np.testing.assert_allclose(out.detach().numpy(), tout.detach().numpy(), rtol=1e-12)
        weights = np.arange(a.size).reshape(a.shape) / 7
        (out * mg.tensor(weights)).sum().backward()
        (tout * torch.tensor(weights)).sum().backward()
        np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-10, atol=1e-12)


# ---------------------------------------------------------------------- logcumsumexp
def _np_logcumsumexp(a, dim):
    return np.logaddexp.accumulate(a, axis=dim) if a.ndim else a.copy()


@given_settings
@given(data=st.data(), shape=shapes(max_dims=3, max_side=5))
def test_logcumsumexp_gradients(data, shape, device):
    a = data.draw(arrays(shape, -5, 5))
    dim = data.draw(st.integers(-max(len(shape), 1), max(len(shape), 1) - 1))
    check_op(lambda x: x.logcumsumexp(dim), lambda a: _np_logcumsumexp(a, dim), [a], device)
    check_op(lambda x: mg.logcumsumexp(x, dim), lambda a: _np_logcumsumexp(a, dim), [a], device)


def test_logcumsumexp_is_stable(device):
    x = mg.tensor([-1000.0, 0.0, -math.inf, 800.0, 800.0], dtype=mg.float64, device=device)
    x.requires_grad_()
    out = x.logcumsumexp(0)
    assert host(out) == pytest.approx([-1000.0, 0.0, 0.0, 800.0, 800.0 + math.log(2)])
    out.sum().backward()
    assert np.all(np.isfinite(host(x.grad)))
    f32 = mg.tensor([-200.0, -150.0], device=device).logcumsumexp(0)  # e^(-200) underflows
    assert f32.dtype == mg.float32 and host(f32) == pytest.approx([-200.0, -150.0])
    with pytest.raises(NotImplementedError):
        mg.tensor([1, 2], device=device).logcumsumexp(0)


def test_logcumsumexp_matches_pytorch():
    torch = _torch()
    a = np.random.default_rng(2).normal(size=(4, 37)) * 30
    for dim in (0, 1, -1):
        x, t = mg.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
        out, tout = x.logcumsumexp(dim), t.logcumsumexp(dim)
        np.testing.assert_allclose(out.detach().numpy(), tout.detach().numpy(), rtol=1e-13)
        weights = np.cos(np.arange(a.size)).reshape(a.shape)
        (out * mg.tensor(weights)).sum().backward()
        (tout * torch.tensor(weights)).sum().backward()
        np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-10, atol=1e-12)


# ---------------------------------------------------------------------- erfinv
@given_settings
@given(data=st.data(), shape=shapes(max_dims=3))
def test_erfinv_gradients(data, shape, device):
    a = data.draw(arrays(shape, -0.9, 0.9))
    ref = np.vectorize(_mp_erfinv, otypes=[np.float64])
    check_op(lambda x: x.erfinv(), ref, [a], device)
    check_op(mg.erfinv, ref, [a], device)


def _mp_erfinv(v: float) -> float:
    mpmath = pytest.importorskip("mpmath")
    return float(mpmath.erfinv(mpmath.mpf(v)))


def test_erfinv_values_to_float64_rounding(device):
    tail = 1 - np.logspace(-16, -1, 40)
    xs = np.concatenate([np.linspace(-0.999, 0.999, 401), tail, -tail, np.logspace(-300, -1, 9)])
    got = host(mg.tensor(xs, dtype=mg.float64, device=device).erfinv())
    want = np.array([_mp_erfinv(v) for v in xs])
    np.testing.assert_allclose(got, want, rtol=1e-14, atol=0)
    # erf(erfinv(x)) = x
    back = host(mg.tensor(got[:401], device=device).erf())
    np.testing.assert_allclose(back, xs[:401], rtol=0, atol=5e-16)


def test_erfinv_edges_and_dtypes(device):
    x = mg.tensor([-1.0, 1.0, 1.5, -2.0, 0.0, -0.0, math.nan], device=device)
    out = host(x.erfinv())
    assert out[0] == -math.inf and out[1] == math.inf
    assert np.isnan(out[2]) and np.isnan(out[3]) and np.isnan(out[6])
    assert out[4] == 0 and np.signbit(out[5])
    assert x.erfinv().dtype == mg.float32
    assert mg.tensor([0, 1], device=device).erfinv().dtype == mg.float32
    y = mg.tensor([0.5], device=device)
    assert y.erfinv_() is y and y.item() == pytest.approx(0.4769362762044699, rel=1e-6)


def test_erfinv_matches_pytorch():
    torch = _torch()
    a = np.linspace(-0.99999, 0.99999, 1001)
    x, t = mg.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    np.testing.assert_allclose(x.erfinv().detach().numpy(), t.erfinv().detach().numpy(), rtol=1e-14)
    x.erfinv().sum().backward()
    t.erfinv().sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-12)
    f = np.linspace(-0.999, 0.999, 101).astype(np.float32)
    np.testing.assert_allclose(
        mg.tensor(f).erfinv().numpy(), torch.tensor(f).erfinv().numpy(), rtol=2e-6
    )


# ---------------------------------------------------------------------- unfold
def _np_unfold(a, dim, size, step):
    windows = np.lib.stride_tricks.sliding_window_view(a, size, axis=dim)
    index = [slice(None)] * a.ndim
    index[dim] = slice(None, None, step)
    return windows[tuple(index)]


@given_settings
@given(data=st.data(), shape=shapes(min_dims=1, max_dims=3, min_side=1, max_side=5))
def test_unfold_gradients(data, shape, device):
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    size = data.draw(st.integers(0, shape[dim]))
    step = data.draw(st.integers(1, 3))
    a = data.draw(arrays(shape))
    fn = lambda x: x.unfold(dim, size, step)  # noqa: E731
    check_op(fn, lambda a: _np_unfold(a, dim % a.ndim, size, step), [a], device)


def test_unfold_is_a_view_and_sums_overlaps(device):
    x = mg.arange(7.0, device=device)
    w = x.unfold(0, 3, 2)
    assert w.tolist() == [[0, 1, 2], [2, 3, 4], [4, 5, 6]]
    assert w._base is x
    x[1] = 10.0
    assert w[0, 1].item() == 10.0
    y = mg.arange(7.0, device=device, requires_grad=True)
    y.unfold(0, 3, 2).sum().backward()
    assert y.grad.tolist() == [1, 1, 2, 1, 2, 1, 1]
    assert mg.tensor(3.0, device=device).unfold(0, 1, 1).tolist() == [3.0]
    assert x.unfold(0, 0, 1).shape == (8, 0)
    assert mg.ones(2, 5, device=device).unfold(1, 2, 2).shape == (2, 2, 2)
    with pytest.raises(RuntimeError, match="maximum size"):
        x.unfold(0, 8, 1)
    with pytest.raises(RuntimeError, match="step"):
        x.unfold(0, 2, 0)


def test_unfold_matches_pytorch():
    torch = _torch()
    a = np.random.default_rng(3).normal(size=(3, 8, 2))
    for dim, size, step in ((1, 3, 2), (1, 4, 1), (0, 2, 5), (-1, 1, 1)):
        x, t = mg.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
        out, tout = x.unfold(dim, size, step), t.unfold(dim, size, step)
        np.testing.assert_array_equal(out.detach().numpy(), tout.detach().numpy())
        weights = np.sin(np.arange(out.numel())).reshape(out.shape)
        (out * mg.tensor(weights)).sum().backward()
        (tout * torch.tensor(weights)).sum().backward()
        np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-14)


# ---------------------------------------------------------------------- negative slice steps
def test_negative_slice_steps_are_refused(device):
    x = mg.arange(5, device=device)
    for key in (slice(None, None, -1), (slice(None), slice(None, None, -2)), slice(3, 0, -1)):
        with pytest.raises(ValueError, match="step must be greater than zero"):
            x.reshape(1, 5)[key] if isinstance(key, tuple) else x[key]
    with pytest.raises(ValueError, match="step must be greater than zero"):
        x[::-1] = 0
    assert x[::2].tolist() == [0, 2, 4] and x.flip(0).tolist() == [4, 3, 2, 1, 0]


def test_reverse_cumulative_gradients_still_build_graphs(device):
    # Cumprod's backward flips tensors when it builds a graph (create_graph): it must not
    # index them with a negative step
    a = np.array([[1.5, 0.0, -2.0, 0.5], [0.0, 0.0, 1.25, 3.0]])
    check_op(lambda x: x.cumprod(1), lambda a: np.cumprod(a, 1), [a], device)


# ---------------------------------------------------------------------- small fixes
def test_zero_dim_index_select_gather_movedim(device):
    x = mg.tensor(5.0, device=device, requires_grad=True)
    for index in (mg.tensor(0), mg.tensor([0])):
        out = x.index_select(0, index.to(device))
        assert out.shape == () and out.item() == 5.0
        assert mg.index_select(x, -1, index.to(device)).shape == ()
    with pytest.raises(RuntimeError, match="only 1 value"):
        x.index_select(0, mg.tensor([0, 0], device=device))
    assert mg.arange(3.0, device=device).index_select(0, mg.tensor(1, device=device)).shape == (1,)
    assert x.gather(0, mg.tensor(0, device=device)).shape == ()
    assert x.gather(-1, mg.tensor([0], device=device)).shape == (1,)
    g = x.gather(0, mg.tensor([0, 0], device=device))
    assert g.tolist() == [5.0, 5.0]
    g.sum().backward()
    assert x.grad.item() == 2.0
    with pytest.raises(RuntimeError, match="out of bounds"):
        x.gather(0, mg.tensor([1], device=device))
    for src, dst in ((0, 0), (-1, 0), ((), ())):
        assert x.movedim(src, dst).shape == ()
    with pytest.raises(IndexError):
        x.movedim(1, 0)


def test_layer_norm_refuses_an_int_normalized_shape_as_pytorch():
    x = mg.randn(2, 3, 4)
    with pytest.raises(TypeError, match="normalized_shape"):
        F.layer_norm(x, 4)
    with pytest.raises(TypeError, match="normalized_shape"):
        F.rms_norm(x, 4)
    assert F.layer_norm(x, (4,)).shape == (2, 3, 4)
    assert F.layer_norm(x, mg.Size([3, 4])).shape == (2, 3, 4)
    assert mg.nn.LayerNorm(4)(x).shape == (2, 3, 4)  # the module takes an int


def test_median_gradient_is_split_among_ties(device):
    x = mg.tensor([1.0, 2.0, 2.0, 3.0, 2.0], device=device, requires_grad=True)
    x.median().backward()
    assert host(x.grad) == pytest.approx([0, 1 / 3, 1 / 3, 0, 1 / 3])
    y = mg.tensor([[2.0, 1.0, 2.0, 2.0]], device=device, requires_grad=True)
    y.median(1).values.sum().backward()  # along a dim: to the returned index, as PyTorch
    assert y.grad.tolist() == [[1, 0, 0, 0]]
    z = mg.tensor([1.0, math.nan, math.nan], device=device, requires_grad=True)
    assert math.isnan(z.median().item())
    z.median().backward()
    assert z.grad.tolist() == [0, 0.5, 0.5]
    assert mg.tensor([3, 1, 2], device=device).median().item() == 2


@given_settings
@given(data=st.data(), shape=shapes(min_dims=1, max_dims=3, min_side=1))
def test_median_gradients(data, shape, device):
    a = data.draw(grid_arrays(shape, unique=True))
    ref = lambda a: np.sort(a.reshape(-1))[(a.size - 1) // 2]  # noqa: E731
    check_op(lambda x: x.median(), ref, [a], device)


def test_median_ties_match_pytorch():
    torch = _torch()
    for data in ([1.0, 2.0, 2.0, 3.0, 2.0], [[2.0, 2.0], [2.0, 2.0]], [5.0, 1.0, 1.0]):
        x, t = mg.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
        x.median().backward()
        t.median().backward()
        np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy())


def _cofactor(a):
    n = a.shape[-1]
    out = np.empty_like(a)
    for i in range(n):
        for j in range(n):
            minor = np.delete(np.delete(a, i, 0), j, 1)
            out[i, j] = (-1) ** (i + j) * (np.linalg.det(minor) if n > 1 else 1.0)
    return out


@pytest.mark.parametrize(
    "matrix",
    [
        [[1.0, 2.0], [2.0, 4.0]],
        [[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [0.0, 1.0, 1.0]],
        [[0.0, 0.0], [0.0, 0.0]],
        [[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [3.0, 6.0, 9.0]],
    ],
)
def test_det_gradient_at_a_singular_matrix_is_the_cofactor_matrix(matrix, device):
    a = np.array(matrix)
    x = on(a, device)
    d = mg.linalg.det(x)
    assert d.item() == pytest.approx(0.0, abs=1e-12)
    d.backward()
    np.testing.assert_allclose(host(x.grad), _cofactor(a), atol=1e-12)
    # create_graph: the first derivative is itself recorded
    y = on(a, device)
    (grad,) = mg.autograd.grad(mg.linalg.det(y), y, create_graph=True)
    np.testing.assert_allclose(host(grad), _cofactor(a), atol=1e-12)
    assert grad.requires_grad


@few_examples
@given(data=st.data(), n=st.integers(1, 4), batch=st.sampled_from([(), (2,)]))
def test_det_gradients_of_invertible_matrices(data, n, batch, device):
    a = data.draw(arrays(batch + (n, n))) + 4 * np.eye(n)  # diagonally dominant
    check_op(lambda x: mg.linalg.det(x), np.linalg.det, [a], device)
    x = on(a, device)
    mg.linalg.det(x).sum().backward()
    want = np.linalg.det(a)[..., None, None] * np.linalg.inv(a).swapaxes(-1, -2)
    np.testing.assert_allclose(host(x.grad), want, rtol=1e-10)


def test_new_names_are_exported():
    for name in (
        "divide",
        "true_divide",
        "float_power",
        "fmax",
        "fmin",
        "bitwise_left_shift",
        "bitwise_right_shift",
        "unique_consecutive",
        "histc",
        "renorm",
        "logcumsumexp",
        "erfinv",
    ):
        assert callable(getattr(mg, name)) and getattr(mg, name).__doc__, name
