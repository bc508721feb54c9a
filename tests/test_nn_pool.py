"""Pooling: max/avg (1-D, 2-D), adaptive avg/max, against loops over PyTorch's definitions.

Values come from direct loops over each window (PyTorch's output size, ceil_mode
and divisor rules written out), first and second derivatives from ``check_op``
(float64, cpu and the strict cuda stand-in); max pooling's inputs have no ties
there, and ties get their own test (the first maximum takes the gradient).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from engine_helpers import assert_close, check_op, given_settings, host, on
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn

# each example runs gradcheck and gradgradcheck
FEW = settings(given_settings, max_examples=12)


# ----------------------------------------------------------------------------- references
def out_size(size, k, s, p, d, ceil_mode):
    """PyTorch's pooling output size."""
    span = size + 2 * p - d * (k - 1) - 1
    out = (math.ceil(span / s) if ceil_mode else span // s) + 1
    if ceil_mode and (out - 1) * s >= size + p:
        out -= 1
    return out


def max_pool_reference(x, k, s, p, d, ceil_mode):
    """max over {x[h, w] : h = o·s - p + i·d inside the input} per output; and the argmax."""
    n, c, height, width = x.shape
    oh = out_size(height, k[0], s[0], p[0], d[0], ceil_mode)
    ow = out_size(width, k[1], s[1], p[1], d[1], ceil_mode)
    y, index = np.zeros((n, c, oh, ow)), np.zeros((n, c, oh, ow), dtype=np.int64)
    for a in range(oh):
        for b in range(ow):
            rows = [a * s[0] - p[0] + i * d[0] for i in range(k[0])]
            cols = [b * s[1] - p[1] + j * d[1] for j in range(k[1])]
            cells = [(r, q) for r in rows for q in cols if 0 <= r < height and 0 <= q < width]
            if not cells:  # a window inside the padding only: PyTorch gives -inf
                return None, None
            values = np.stack([x[:, :, r, q] for r, q in cells], axis=-1)
            first = values.argmax(axis=-1)
            y[:, :, a, b] = values.max(axis=-1)
            index[:, :, a, b] = np.array([r * width + q for r, q in cells])[first]
    return y, index


def avg_pool_reference(x, k, s, p, ceil_mode, count_include_pad, divisor_override=None):
    """Σ over the window / (window clipped to the padded input, or its input cells)."""
    n, c, height, width = x.shape
    oh = out_size(height, k[0], s[0], p[0], 1, ceil_mode)
    ow = out_size(width, k[1], s[1], p[1], 1, ceil_mode)
    y = np.zeros((n, c, oh, ow))
    for a in range(oh):
        for b in range(ow):
            h0, w0 = a * s[0] - p[0], b * s[1] - p[1]
            h1, w1 = min(h0 + k[0], height + p[0]), min(w0 + k[1], width + p[1])
            pool_size = (h1 - h0) * (w1 - w0)
            h0, w0, h1, w1 = max(h0, 0), max(w0, 0), min(h1, height), min(w1, width)
            total = x[:, :, h0:h1, w0:w1].sum(axis=(2, 3))
            if divisor_override:
                divisor = divisor_override
            else:
                divisor = pool_size if count_include_pad else (h1 - h0) * (w1 - w0)
            y[:, :, a, b] = total / divisor
    return y


def adaptive_reference(x, out, reduce):
    """Window o spans ⌊o·size/out⌋ .. ⌈(o + 1)·size/out⌉ - 1 on each axis."""
    n, c, height, width = x.shape
    y = np.zeros((n, c, *out))
    for a in range(out[0]):
        h0, h1 = a * height // out[0], -(-(a + 1) * height // out[0])
        for b in range(out[1]):
            w0, w1 = b * width // out[1], -(-(b + 1) * width // out[1])
            y[:, :, a, b] = reduce(x[:, :, h0:h1, w0:w1], axis=(2, 3))
    return y


def distinct(shape, seed=0):
    """Values at least 1/4 apart (no ties: max pooling is differentiable there)."""
    rng = np.random.default_rng(seed)
    return rng.permutation(math.prod(shape)).reshape(shape) / 4.0 - 3.0


@st.composite
def pool_cases(draw, dilation=True):
    k = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    s = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    p = tuple(draw(st.integers(0, kk // 2)) for kk in k)
    d = (draw(st.integers(1, 2)), draw(st.integers(1, 2))) if dilation else (1, 1)
    size = [max(1, d[a] * (k[a] - 1) + 1 - 2 * p[a] + draw(st.integers(0, 3))) for a in (0, 1)]
    return k, s, p, d, draw(st.booleans()), (draw(st.integers(1, 2)), 2, *size)


# ----------------------------------------------------------------------------- max pooling
@FEW
@given(case=pool_cases())
def test_max_pool2d_values_indices_and_gradients(device: str, case) -> None:
    k, s, p, d, ceil_mode, shape = case
    x = distinct(shape)
    expected, index = max_pool_reference(x, k, s, p, d, ceil_mode)
    assume(expected is not None)
    check_op(lambda x: F.max_pool2d(x, k, s, p, d, ceil_mode), lambda x: expected, [x], device)
    y, got = F.max_pool2d(on(x, device), k, s, p, d, ceil_mode, return_indices=True)
    assert got.dtype == mg.int64 and got.device == device
    np.testing.assert_array_equal(host(got), index)


def test_max_pool_ties_send_the_gradient_to_the_first_maximum(device: str) -> None:
    x = np.array([[[[1.0, 1.0, 0.0], [1.0, 1.0, 2.0], [0.0, 2.0, 2.0]]]])
    xt = on(x, device)
    y, index = F.max_pool2d(xt, 2, stride=1, return_indices=True)
    y.sum().backward()
    # top-left window: four 1s, the first wins; the right windows: the 2 at position 5
    # first (row-major scan); the bottom-left window: its only 2, at position 7
    np.testing.assert_array_equal(host(index), [[[[0, 5], [7, 5]]]])
    expected = np.zeros((3, 3))
    expected[0, 0] = 1
    expected[1, 2] = 2
    expected[2, 1] = 1
    assert_close(xt.grad, expected[None, None])


def test_max_pool_nan_propagates(device: str) -> None:
    x = on(np.array([[[[1.0, np.nan], [3.0, 2.0]]]]), device)
    y = F.max_pool2d(x, 2)
    assert np.isnan(host(y)).all()
    y.sum().backward()
    assert_close(x.grad, np.array([[[[0.0, 1.0], [0.0, 0.0]]]]))


def test_max_pool2d_double_backward_graph(device: str) -> None:
    x = on(distinct((1, 1, 4, 4)), device)
    y = F.max_pool2d(x, 2, stride=1)  # overlapping windows: gradients accumulate
    (g,) = mg.autograd.grad((y * y).sum(), x, create_graph=True)
    (gg,) = mg.autograd.grad(g.sum(), x)
    expected_g = np.zeros(16)
    _, index = max_pool_reference(host(x), (2, 2), (1, 1), (0, 0), (1, 1), False)
    np.add.at(expected_g, index.ravel(), 2 * host(y).ravel())
    assert_close(g, expected_g.reshape(1, 1, 4, 4))
    expected_gg = np.zeros(16)
    np.add.at(expected_gg, index.ravel(), 2.0)
    assert_close(gg, expected_gg.reshape(1, 1, 4, 4))


def test_max_pool1d_and_modules(device: str) -> None:
    x = distinct((2, 3, 7))
    expected, index = max_pool_reference(x[:, :, None], (1, 3), (1, 2), (0, 1), (1, 1), True)
    check_op(
        lambda x: nn.MaxPool1d(3, 2, padding=1, ceil_mode=True)(x),
        lambda x: expected[:, :, 0],
        [x],
        device,
    )
    _, got = nn.MaxPool1d(3, 2, padding=1, ceil_mode=True, return_indices=True)(on(x, device))
    np.testing.assert_array_equal(host(got), index[:, :, 0])
    pool = nn.MaxPool2d(2)
    assert pool.stride == 2
    assert (
        repr(pool) == "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)"
    )
    unbatched = pool(on(distinct((3, 4, 4)), device))
    assert tuple(unbatched.shape) == (3, 2, 2)


# ----------------------------------------------------------------------------- average pooling
@FEW
@given(case=pool_cases(dilation=False), include=st.booleans(), override=st.sampled_from([None, 3]))
def test_avg_pool2d_values_and_gradients(device: str, case, include, override) -> None:
    k, s, p, _, ceil_mode, shape = case
    x = np.random.default_rng(1).standard_normal(shape)
    check_op(
        lambda x: F.avg_pool2d(x, k, s, p, ceil_mode, include, override),
        lambda x: avg_pool_reference(x, k, s, p, ceil_mode, include, override),
        [x],
        device,
    )


def test_avg_pool1d_and_module(device: str) -> None:
    x = np.random.default_rng(2).standard_normal((2, 2, 6))
    check_op(
        lambda x: nn.AvgPool1d(3, 2, 1, count_include_pad=False)(x),
        lambda x: avg_pool_reference(x[:, :, None], (1, 3), (1, 2), (0, 1), False, False)[:, :, 0],
        [x],
        device,
    )
    assert repr(nn.AvgPool2d(3)) == "AvgPool2d(kernel_size=3, stride=3, padding=0)"


# ----------------------------------------------------------------------------- adaptive
@FEW
@given(
    size=st.tuples(st.integers(1, 6), st.integers(1, 6)),
    out=st.tuples(st.integers(1, 5), st.integers(1, 5)),
)
def test_adaptive_pools_values_and_gradients(device: str, size, out) -> None:
    x = distinct((2, 2, *size))
    check_op(
        lambda x: F.adaptive_avg_pool2d(x, out),
        lambda x: adaptive_reference(x, out, np.mean),
        [x],
        device,
    )
    check_op(
        lambda x: F.adaptive_max_pool2d(x, out),
        lambda x: adaptive_reference(x, out, np.max),
        [x],
        device,
    )


def test_adaptive_modules_none_and_1d(device: str) -> None:
    x = on(distinct((2, 3, 5, 7)), device)
    assert tuple(nn.AdaptiveAvgPool2d((None, 2))(x).shape) == (2, 3, 5, 2)
    assert tuple(nn.AdaptiveAvgPool2d(1)(x).shape) == (2, 3, 1, 1)
    assert_close(nn.AdaptiveAvgPool2d(1)(x), host(x).mean(axis=(2, 3), keepdims=True))
    y, index = nn.AdaptiveMaxPool2d((2, 3), return_indices=True)(x)
    flat = host(x).reshape(2, 3, -1)
    np.testing.assert_array_equal(
        np.take_along_axis(flat, host(index).reshape(2, 3, -1), -1).reshape(y.shape), host(y)
    )
    signal = distinct((2, 3, 7))
    check_op(
        lambda s: nn.AdaptiveMaxPool1d(3)(s),
        lambda s: adaptive_reference(s[:, :, None], (1, 3), np.max)[:, :, 0],
        [signal],
        device,
    )
    check_op(
        lambda s: nn.AdaptiveAvgPool1d(4)(s),
        lambda s: adaptive_reference(s[:, :, None], (1, 4), np.mean)[:, :, 0],
        [signal],
        device,
    )


# ----------------------------------------------------------------------------- errors, PyTorch
def test_pool_errors() -> None:
    with pytest.raises(RuntimeError, match="pad should be at most half"):
        F.max_pool2d(mg.zeros(1, 1, 4, 4), 2, padding=2)
    with pytest.raises(RuntimeError, match="output size .* is too small"):
        F.max_pool2d(mg.zeros(1, 1, 1, 4), 3)
    with pytest.raises(RuntimeError, match="expected 3D .* or 4D"):
        F.avg_pool2d(mg.zeros(4, 4), 2)
    with pytest.raises(RuntimeError, match="floating-point"):
        F.max_pool2d(mg.zeros(1, 1, 4, 4, dtype=mg.int64), 2)
    with pytest.raises(ValueError, match="divisor_override"):
        F.avg_pool2d(mg.zeros(1, 1, 4, 4), 2, divisor_override=0)
    with pytest.raises(RuntimeError, match="non-empty"):
        F.adaptive_avg_pool2d(mg.zeros(1, 1, 0, 4), 2)


def test_against_pytorch() -> None:
    torch = pytest.importorskip("torch")
    tf = torch.nn.functional
    x = np.random.default_rng(3).standard_normal((2, 3, 9, 8))
    xt, xm = torch.tensor(x), mg.tensor(x)
    for kw in [
        dict(kernel_size=3, stride=2, padding=1, ceil_mode=True),
        dict(kernel_size=(2, 3), stride=(1, 2), dilation=(2, 1), padding=(1, 0)),
    ]:
        yt, it = tf.max_pool2d(xt, return_indices=True, **kw)
        ym, im = F.max_pool2d(xm, return_indices=True, **kw)
        np.testing.assert_allclose(ym.numpy(), yt.numpy())
        np.testing.assert_array_equal(im.numpy(), it.numpy())
    for kw in [
        dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
        dict(kernel_size=3, stride=2, padding=1, ceil_mode=True),
        dict(kernel_size=2, divisor_override=3),
    ]:
        np.testing.assert_allclose(F.avg_pool2d(xm, **kw).numpy(), tf.avg_pool2d(xt, **kw).numpy())
    for out in [(4, 3), (5, 7), (None, 2), 1]:
        np.testing.assert_allclose(
            F.adaptive_avg_pool2d(xm, out).numpy(), tf.adaptive_avg_pool2d(xt, out).numpy()
        )
        ym, im = F.adaptive_max_pool2d(xm, out, return_indices=True)
        yt, it = tf.adaptive_max_pool2d(xt, out, return_indices=True)
        np.testing.assert_allclose(ym.numpy(), yt.numpy())
        np.testing.assert_array_equal(im.numpy(), it.numpy())
