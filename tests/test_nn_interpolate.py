"""F.interpolate and the Upsample layers: NumPy oracles written point by point from
PyTorch's documented coordinate rules, gradients to the second order, errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
from engine_helpers import host, on
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn

FAST = settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)


def source_nearest(j: int, n: int, m: int, exact: bool) -> int:
    return min(math.floor((j + (0.5 if exact else 0.0)) * n / m), n - 1)


def source_linear(j: int, n: int, m: int, align_corners: bool) -> float:
    if align_corners:
        return j * (n - 1) / (m - 1) if m > 1 else 0.0
    return max((j + 0.5) * n / m - 0.5, 0.0)


def bilinear_reference(x: np.ndarray, size: tuple[int, int], align_corners: bool) -> np.ndarray:
    """Each output pixel from its four neighbours, weights (1 − a)(1 − b), ..., a·b."""
    (h, w), (oh, ow) = x.shape[2:], size
    out = np.empty(x.shape[:2] + size)
    for i in range(oh):
        for j in range(ow):
            y, x_ = source_linear(i, h, oh, align_corners), source_linear(j, w, ow, align_corners)
            y0, x0 = min(int(y), h - 1), min(int(x_), w - 1)
            y1, x1 = min(y0 + 1, h - 1), min(x0 + 1, w - 1)
            a, b = y - y0, x_ - x0
            out[:, :, i, j] = (
                (1 - a) * (1 - b) * x[:, :, y0, x0]
                + (1 - a) * b * x[:, :, y0, x1]
                + a * (1 - b) * x[:, :, y1, x0]
                + a * b * x[:, :, y1, x1]
            )
    return out


sizes = st.integers(1, 6)


@FAST
@given(h=sizes, w=sizes, oh=sizes, ow=sizes, align_corners=st.booleans(), seed=st.integers(0, 99))
def test_bilinear_matches_the_four_neighbour_formula(h, w, oh, ow, align_corners, seed, device):
    x = np.random.default_rng(seed).standard_normal((2, 3, h, w))
    out = F.interpolate(
        on(x, device, False), size=(oh, ow), mode="bilinear", align_corners=align_corners
    )
    np.testing.assert_allclose(
        host(out), bilinear_reference(x, (oh, ow), align_corners), rtol=1e-12, atol=1e-12
    )


@FAST
@given(n=st.integers(1, 8), m=st.integers(1, 12), exact=st.booleans(), seed=st.integers(0, 99))
def test_nearest_copies_the_source_index(n, m, exact, seed, device):
    x = np.random.default_rng(seed).standard_normal((2, 3, n))
    mode = "nearest-exact" if exact else "nearest"
    out = F.interpolate(on(x, device, False), size=m, mode=mode)
    index = [source_nearest(j, n, m, exact) for j in range(m)]
    np.testing.assert_array_equal(host(out), x[:, :, index])


def test_scale_factor_sizes_and_scales(device):
    x = on(np.arange(5.0).reshape(1, 1, 5), device, False)
    # ⌊5 · 1.5⌋ = 7 outputs; the source index uses 1 / 1.5, not 5 / 7
    out = F.interpolate(x, scale_factor=1.5)
    np.testing.assert_array_equal(host(out)[0, 0], [0, 0, 1, 2, 2, 3, 4])
    again = F.interpolate(x, scale_factor=1.5, recompute_scale_factor=True)
    np.testing.assert_array_equal(host(again)[0, 0], [0, 0, 1, 2, 2, 3, 4])  # 5/7 here too
    up = F.interpolate(on(np.ones((1, 2, 3, 4)), device, False), scale_factor=(2, 0.5))
    assert up.shape == (1, 2, 6, 2)
    cube = F.interpolate(on(np.ones((1, 1, 2, 3, 4)), device, False), size=5, mode="trilinear")
    np.testing.assert_allclose(host(cube), np.ones((1, 1, 5, 5, 5)))


def test_area_is_adaptive_average_pooling(device):
    x = np.random.default_rng(0).standard_normal((2, 3, 6, 4))
    out = F.interpolate(on(x, device, False), size=(3, 2), mode="area")
    np.testing.assert_allclose(host(out), x.reshape(2, 3, 3, 2, 2, 2).mean(axis=(3, 5)))


@pytest.mark.parametrize(
    ("shape", "kwargs"),
    [
        ((1, 2, 4), dict(size=7, mode="linear")),
        ((1, 2, 3, 4), dict(scale_factor=1.5, mode="bilinear", align_corners=True)),
        ((1, 1, 2, 3, 2), dict(size=(3, 2, 4), mode="trilinear")),
        ((1, 2, 3, 3), dict(scale_factor=2, mode="nearest")),
        ((1, 2, 5), dict(size=3, mode="nearest-exact")),
        ((1, 2, 4, 6), dict(size=(2, 3), mode="area")),
    ],
)
def test_gradients(shape, kwargs, device):
    x = on(np.random.default_rng(2).standard_normal(shape), device)

    def f(x):
        return F.interpolate(x, **kwargs) ** 2  # a square, so the second order is not zero

    assert mg.gradcheck(f, [x])
    assert mg.gradgradcheck(f, [x])


def test_layers(device):
    x = mg.randn(1, 2, 3, 4, device=device)
    up = nn.Upsample(scale_factor=2, mode="bilinear")
    assert repr(up) == "Upsample(scale_factor=2.0, mode='bilinear')"
    np.testing.assert_array_equal(
        host(up(x)), host(F.interpolate(x, scale_factor=2, mode="bilinear"))
    )
    corners = nn.UpsamplingBilinear2d(size=(5, 7))
    assert repr(corners) == "UpsamplingBilinear2d(size=(5, 7), mode='bilinear')"
    np.testing.assert_array_equal(
        host(corners(x)),
        host(F.interpolate(x, size=(5, 7), mode="bilinear", align_corners=True)),
    )
    assert nn.UpsamplingNearest2d(scale_factor=3)(x).shape == (1, 2, 9, 12)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda x: F.interpolate(x), ValueError, "exactly one of size or scale_factor"),
        (lambda x: F.interpolate(x, size=2, scale_factor=2), ValueError, "exactly one"),
        (lambda x: F.interpolate(x, size=2, mode="linear"), NotImplementedError, "needs 3-D"),
        (lambda x: F.interpolate(x, size=2, mode="cubic"), NotImplementedError, "unknown mode"),
        (lambda x: F.interpolate(x, size=2, mode="bicubic"), NotImplementedError, "bicubic"),
        (
            lambda x: F.interpolate(x, size=2, align_corners=True),
            ValueError,
            "align_corners option can only be set",
        ),
        (lambda x: F.interpolate(x, size=(2, 3, 4)), ValueError, "size must have 2 elements"),
        (lambda x: F.interpolate(x, size=0), ValueError, "positive integers"),
        (lambda x: F.interpolate(x, scale_factor=0.1), ValueError, "empty output"),
        (lambda x: F.interpolate(x, scale_factor=-1), ValueError, "must be positive"),
        (lambda x: F.interpolate(x[0, 0], size=2), ValueError, "3-D, 4-D or 5-D"),
        (lambda x: F.interpolate(x.long(), size=2), NotImplementedError, "floating point"),
    ],
)
def test_errors(call, error, match):
    with pytest.raises(error, match=match):
        call(mg.ones(1, 2, 3, 4))


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(scale_factor=1.7, mode="nearest"),
        dict(size=(5, 3), mode="nearest-exact"),
        dict(scale_factor=0.6, mode="bilinear"),
        dict(size=(7, 2), mode="bilinear", align_corners=True),
        dict(size=(2, 3), mode="area"),
    ],
)
def test_same_as_pytorch(kwargs):
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(3).standard_normal((2, 3, 4, 5))
    ours = F.interpolate(mg.tensor(x, requires_grad=True), **kwargs)
    theirs = torch.nn.functional.interpolate(torch.tensor(x, requires_grad=True), **kwargs)
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), atol=1e-12)
