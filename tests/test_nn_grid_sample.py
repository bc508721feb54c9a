"""F.grid_sample and F.affine_grid: a point-by-point NumPy oracle written from PyTorch's
documented coordinate, padding and interpolation rules, PyTorch itself when installed,
gradients to the second order on both devices, the Spatial Transformer Network tutorial,
and errors."""

from __future__ import annotations

import itertools
import math
import warnings

import numpy as np
import pytest
from engine_helpers import host, names_shape, on
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn

FAST = settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
MODES = ("bilinear", "nearest", "bicubic")
PADDINGS = ("zeros", "border", "reflection")


# ---------------------------------------------------------------- the NumPy oracle
def unnormalize(g: float, n: int, align: bool) -> float:
    return (g + 1) / 2 * (n - 1) if align else ((g + 1) * n - 1) / 2


def reflect(u: float, twice_low: int, twice_high: int) -> float:
    if twice_low == twice_high:
        return 0.0
    low, span = twice_low / 2, (twice_high - twice_low) / 2
    d = abs(u - low)
    extra = math.fmod(d, span)
    return extra + low if math.floor(d / span) % 2 == 0 else span - extra + low


def pad(u: float, n: int, padding: str, align: bool) -> float:
    if padding == "reflection":
        u = reflect(u, 0, 2 * (n - 1)) if align else reflect(u, -1, 2 * n - 1)
    if padding in ("border", "reflection"):
        u = min(max(u, 0.0), n - 1.0)
    return u


def cubic_weights(t: float) -> list[float]:
    a = -0.75

    def k1(x: float) -> float:
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def k2(x: float) -> float:
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a

    return [k2(t + 1), k1(t), k1(1 - t), k2(2 - t)]


def sample_reference(x: np.ndarray, grid: np.ndarray, mode: str, padding: str, align: bool):
    """out[n, :, i, j] from x[n] at grid[n, i, j], one point at a time."""
    n_batch, c, h, w = x.shape
    _, oh, ow, _ = grid.shape
    out = np.zeros((n_batch, c, oh, ow))

    def read(n: int, yi: int, xi: int) -> np.ndarray:
        if 0 <= yi < h and 0 <= xi < w:
            return x[n, :, yi, xi]
        return np.zeros(c)

    for n, i, j in itertools.product(range(n_batch), range(oh), range(ow)):
        gx, gy = (-1.0 if math.isnan(v) else v for v in grid[n, i, j])
        u, v = unnormalize(gx, w, align), unnormalize(gy, h, align)
        if mode == "bicubic":
            x0, y0 = math.floor(u), math.floor(v)
            wx, wy = cubic_weights(u - x0), cubic_weights(v - y0)
            for (a, wa), (b, wb) in itertools.product(enumerate(wy), enumerate(wx)):
                yi = int(pad(y0 - 1 + a, h, padding, align))
                xi = int(pad(x0 - 1 + b, w, padding, align))
                out[n, :, i, j] += wa * wb * read(n, yi, xi)
            continue
        u, v = pad(u, w, padding, align), pad(v, h, padding, align)
        if mode == "nearest":
            out[n, :, i, j] = read(n, int(np.rint(v)), int(np.rint(u)))
            continue
        x0, y0 = math.floor(u), math.floor(v)
        tx, ty = u - x0, v - y0
        out[n, :, i, j] = (
            (1 - tx) * (1 - ty) * read(n, y0, x0)
            + tx * (1 - ty) * read(n, y0, x0 + 1)
            + (1 - tx) * ty * read(n, y0 + 1, x0)
            + tx * ty * read(n, y0 + 1, x0 + 1)
        )
    return out


def affine_reference(theta: np.ndarray, size: tuple[int, ...], align: bool) -> np.ndarray:
    """grid[n, (d,) h, w] = θₙ · (x_w, y_h, (z_d,) 1)."""

    def centres(m: int) -> np.ndarray:
        if m == 1:
            return np.zeros(1)
        c = np.array([-1 + 2 * k / (m - 1) for k in range(m)])
        return c if align else c * (m - 1) / m

    spatial = size[2:]
    out = np.zeros((size[0], *spatial, len(spatial)))
    axes = [centres(m) for m in spatial]  # (z,) y, x
    for n in range(size[0]):
        for point in itertools.product(*(range(m) for m in spatial)):
            coords = [axes[d][point[d]] for d in range(len(spatial))][::-1]  # x, y, (z)
            out[(n, *point)] = theta[n] @ np.array([*coords, 1.0])
    return out


# ---------------------------------------------------------------- values
@FAST
@given(
    h=st.integers(1, 5),
    w=st.integers(1, 5),
    oh=st.integers(1, 4),
    ow=st.integers(1, 4),
    mode=st.sampled_from(MODES),
    padding=st.sampled_from(PADDINGS),
    align=st.booleans(),
    spread=st.sampled_from([1.0, 1.5, 4.0]),
    seed=st.integers(0, 999),
)
def test_grid_sample_matches_the_point_by_point_rules(
    h, w, oh, ow, mode, padding, align, spread, seed, device
):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((2, 3, h, w))
    grid = rng.uniform(-spread, spread, (2, oh, ow, 2))
    grid[0, 0, 0] = [-1.0, 1.0]  # the exact corners
    out = F.grid_sample(
        on(x, device, False), on(grid, device, False), mode, padding, align_corners=align
    )
    assert out.shape == (2, 3, oh, ow) and out.device == device
    expected = sample_reference(x, grid, mode, padding, align)
    np.testing.assert_allclose(host(out), expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("padding", PADDINGS)
@pytest.mark.parametrize("mode", MODES)
def test_nan_in_the_grid_reads_as_minus_one(mode, padding, device):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, 2, 3, 4))
    grid = rng.uniform(-1, 1, (1, 2, 2, 2))
    grid[0, 0, 0, 0] = grid[0, 1, 1, 1] = np.nan
    out = F.grid_sample(on(x, device, False), on(grid, device, False), mode, padding, False)
    np.testing.assert_allclose(host(out), sample_reference(x, grid, mode, padding, False))


def test_align_corners_true_reads_the_corner_pixels_at_plus_minus_one(device):
    x = np.arange(12.0).reshape(1, 1, 3, 4)
    corners = np.array([[[[-1, -1], [1, -1]], [[-1, 1], [1, 1]]]], dtype=float)
    for mode in MODES:
        out = F.grid_sample(on(x, device, False), on(corners, device, False), mode, "zeros", True)
        np.testing.assert_allclose(host(out)[0, 0], [[0, 3], [8, 11]], atol=1e-12)


def test_reflection_reflects_as_often_as_needed(device):
    # x = -3.5 reflects by -1 to 1.5, then by 1 to 0.5 (PyTorch's docs print "-0.5", but its
    # kernel reads 0.5 too); align_corners=True puts x = 0.5 on pixel 3 of 5
    x = np.arange(5.0).reshape(1, 1, 1, 5)
    grid = np.array([[[[-3.5, 0.0], [0.5, 0.0], [-0.5, 0.0], [5.0, 0.0]]]])
    out = F.grid_sample(
        on(x, device, False), on(grid, device, False), "bilinear", "reflection", True
    )
    np.testing.assert_allclose(host(out)[0, 0, 0], [3.0, 3.0, 1.0, 4.0])


def test_float32_stays_float32(device):
    x = mg.randn(2, 3, 5, 6, device=device)
    grid = mg.rand(2, 4, 4, 2, device=device) * 2 - 1
    for mode in MODES:
        out = F.grid_sample(x, grid, mode, align_corners=False)
        assert out.dtype == mg.float32 and out.device == device


# ---------------------------------------------------------------- against PyTorch
@pytest.mark.parametrize("align", [True, False])
@pytest.mark.parametrize("padding", PADDINGS)
@pytest.mark.parametrize("mode", MODES)
def test_values_and_gradients_match_torch(mode, padding, align):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 3, 4, 5))
    grid = rng.uniform(-1.6, 1.6, (2, 3, 6, 2))
    grid[0, 0, :2] = [[-1.0, 1.0], [1.0, -1.0]]
    weight = rng.standard_normal((2, 3, 3, 6))
    tx, tg = (torch.tensor(a, requires_grad=True) for a in (x, grid))
    expected = torch.nn.functional.grid_sample(tx, tg, mode, padding, align)
    (expected * torch.tensor(weight)).sum().backward()
    mx, mgrid = mg.tensor(x, requires_grad=True), mg.tensor(grid, requires_grad=True)
    out = F.grid_sample(mx, mgrid, mode, padding, align)
    (out * mg.tensor(weight)).sum().backward()
    np.testing.assert_allclose(out.detach().numpy(), expected.detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(mx.grad.numpy(), tx.grad.numpy(), atol=1e-12)
    if mode == "nearest":
        assert mgrid.grad is None  # PyTorch: zeros
    else:
        np.testing.assert_allclose(mgrid.grad.numpy(), tg.grad.numpy(), atol=1e-10)


@pytest.mark.parametrize("padding", PADDINGS)
@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
def test_volumes_match_torch(mode, padding):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(4)
    x, grid = rng.standard_normal((2, 2, 3, 4, 5)), rng.uniform(-1.4, 1.4, (2, 2, 3, 4, 3))
    for align in (True, False):
        tx, tg = (torch.tensor(a, requires_grad=True) for a in (x, grid))
        expected = torch.nn.functional.grid_sample(tx, tg, mode, padding, align)
        expected.sum().backward()
        mx, mgrid = mg.tensor(x, requires_grad=True), mg.tensor(grid, requires_grad=True)
        out = F.grid_sample(mx, mgrid, mode, padding, align)
        out.sum().backward()
        assert out.shape == (2, 2, 2, 3, 4)
        np.testing.assert_allclose(out.detach().numpy(), expected.detach().numpy(), atol=1e-12)
        np.testing.assert_allclose(mx.grad.numpy(), tx.grad.numpy(), atol=1e-12)
        if mode == "bilinear":
            np.testing.assert_allclose(mgrid.grad.numpy(), tg.grad.numpy(), atol=1e-10)


@pytest.mark.parametrize("align", [True, False])
@pytest.mark.parametrize("size", [(2, 3, 4, 5), (2, 1, 1, 3), (2, 3, 2, 4, 5)])
def test_affine_grid_matches_torch(size, align):
    torch = pytest.importorskip("torch")
    dims = len(size) - 2
    theta = np.random.default_rng(5).standard_normal((2, dims, dims + 1))
    tt, mt = torch.tensor(theta, requires_grad=True), mg.tensor(theta, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the unit-size warning of align_corners=True
        expected = torch.nn.functional.affine_grid(tt, size, align)
        out = F.affine_grid(mt, size, align)
    (expected**2).sum().backward()
    (out**2).sum().backward()
    np.testing.assert_allclose(out.detach().numpy(), expected.detach().numpy(), atol=1e-14)
    np.testing.assert_allclose(mt.grad.numpy(), tt.grad.numpy(), atol=1e-12)


# ---------------------------------------------------------------- affine_grid
@FAST
@given(
    size=st.tuples(st.integers(1, 3), st.integers(1, 2), st.integers(1, 4), st.integers(1, 4)),
    depth=st.none() | st.integers(1, 3),
    align=st.booleans(),
    seed=st.integers(0, 99),
)
def test_affine_grid_is_theta_times_the_pixel_centres(size, depth, align, seed, device):
    if depth is not None:
        size = (*size[:2], depth, *size[2:])
    dims = len(size) - 2
    theta = np.random.default_rng(seed).standard_normal((size[0], dims, dims + 1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = F.affine_grid(on(theta, device, False), size, align_corners=align)
    assert out.shape == (size[0], *size[2:], dims) and out.device == device
    np.testing.assert_allclose(host(out), affine_reference(theta, size, align), atol=1e-12)


def test_affine_grid_accepts_a_size_object(device):
    x = mg.zeros(2, 1, 3, 4, device=device)
    theta = mg.eye(2, 3, device=device).unsqueeze(0).expand(2, 2, 3)
    grid = F.affine_grid(theta, x.size(), align_corners=False)
    assert grid.shape == (2, 3, 4, 2)


def test_align_corners_none_means_false_with_pytorchs_warning(device):
    theta = mg.eye(2, 3, device=device).unsqueeze(0)
    x = mg.randn(1, 1, 3, 3, device=device)
    with pytest.warns(UserWarning, match="align_corners=False since 1.3.0"):
        grid = F.affine_grid(theta, (1, 1, 3, 3))
    with pytest.warns(UserWarning, match="align_corners=False since 1.3.0"):
        out = F.grid_sample(x, grid)
    np.testing.assert_allclose(host(out), host(x), atol=1e-6)
    with pytest.warns(UserWarning, match="unit-size grids"):
        F.affine_grid(theta, (1, 1, 1, 3), align_corners=True)


# ---------------------------------------------------------------- gradients
def smooth_grid(rng: np.random.Generator, shape: tuple, sizes: tuple, align: bool) -> np.ndarray:
    """Grid points whose pixel positions u sit at k + 0.2…0.3 or k + 0.65…0.8: away from the
    integers (floors, taps, clip borders) and the half-integers (reflection lines)."""
    out = np.empty(shape)
    for axis, n in enumerate(sizes):  # axis 0 is x (the width)
        k = rng.integers(-2, n + 1, shape[:-1])
        f = np.where(rng.random(shape[:-1]) < 0.5, 0.2, 0.65) + 0.1 * rng.random(shape[:-1])
        u = k + f
        out[..., axis] = 2 * u / (n - 1) - 1 if align else (2 * u + 1) / n - 1
    return out


@pytest.mark.parametrize("align", [True, False])
@pytest.mark.parametrize("padding", PADDINGS)
@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
def test_gradcheck_and_gradgradcheck_in_input_and_grid(mode, padding, align, device):
    rng = np.random.default_rng(6)
    h, w = 3, 4
    x = on(rng.standard_normal((2, 2, h, w)), device)
    grid = on(smooth_grid(rng, (2, 2, 3, 2), (w, h), align), device)

    def fn(x, grid):
        return F.grid_sample(x, grid, mode, padding, align)

    assert mg.gradcheck(fn, (x, grid))
    assert mg.gradgradcheck(fn, (x, grid))


def test_gradcheck_of_volumes_and_nearest(device):
    rng = np.random.default_rng(7)
    x = on(rng.standard_normal((1, 2, 2, 3, 3)), device)
    grid = on(smooth_grid(rng, (1, 2, 2, 2, 3), (3, 3, 2), False), device)
    assert mg.gradcheck(lambda x, g: F.grid_sample(x, g, "bilinear", "border", False), (x, grid))
    assert mg.gradgradcheck(lambda x, g: F.grid_sample(x, g, "bilinear", "zeros", False), (x, grid))
    x2 = on(rng.standard_normal((2, 2, 3, 4)), device)
    grid2 = on(smooth_grid(rng, (2, 3, 3, 2), (4, 3), True), device, False)
    for padding in PADDINGS:

        def nearest(x, padding=padding):
            return F.grid_sample(x, grid2, "nearest", padding, True)

        assert mg.gradcheck(nearest, (x2,))
        assert mg.gradgradcheck(nearest, (x2,))


def test_nearest_gradient_counts_the_reads_and_gives_the_grid_none(device):
    x = mg.zeros(1, 1, 2, 2, dtype=mg.float64, device=device, requires_grad=True)
    grid = on(np.array([[[[-0.5, -0.5], [-0.6, -0.4], [0.5, 0.5]]]]), device)
    F.grid_sample(x, grid, "nearest", align_corners=False).sum().backward()
    np.testing.assert_array_equal(host(x.grad)[0, 0], [[2, 0], [0, 1]])
    assert grid.grad is None


def test_affine_grid_gradcheck(device):
    rng = np.random.default_rng(8)
    theta2, theta3 = (
        on(rng.standard_normal((2, 2, 3)), device),
        on(rng.standard_normal((1, 3, 4)), device),
    )
    for theta, size in ((theta2, (2, 1, 3, 4)), (theta3, (1, 1, 2, 3, 2))):
        for align in (True, False):

            def fn(t, size=size, align=align):
                return F.affine_grid(t, size, align)

            assert mg.gradcheck(fn, (theta,))
            assert mg.gradgradcheck(fn, (theta,))


def test_gradient_flows_from_sample_to_theta(device):
    rng = np.random.default_rng(9)
    x = on(rng.standard_normal((2, 1, 5, 5)), device)
    theta = on(np.array([[[0.9, 0.13, 0.07], [-0.11, 0.8, 0.03]]] * 2), device)

    def fn(x, theta):
        grid = F.affine_grid(theta, x.shape, align_corners=False)
        return F.grid_sample(x, grid, "bilinear", "zeros", align_corners=False)

    assert mg.gradcheck(fn, (x, theta))


# ---------------------------------------------------------------- the STN tutorial
class SpatialTransformerNet(nn.Module):
    """PyTorch's Spatial Transformer Network tutorial model, as written there."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
        self.conv2 = nn.Conv2d(10, 20, kernel_size=5)
        self.conv2_drop = nn.Dropout2d()
        self.fc1 = nn.Linear(320, 50)
        self.fc2 = nn.Linear(50, 10)
        self.localization = nn.Sequential(
            nn.Conv2d(1, 8, kernel_size=7),
            nn.MaxPool2d(2, stride=2),
            nn.ReLU(True),
            nn.Conv2d(8, 10, kernel_size=5),
            nn.MaxPool2d(2, stride=2),
            nn.ReLU(True),
        )
        self.fc_loc = nn.Sequential(nn.Linear(10 * 3 * 3, 32), nn.ReLU(True), nn.Linear(32, 3 * 2))
        self.fc_loc[2].weight.data.zero_()
        self.fc_loc[2].bias.data.copy_(mg.tensor([1, 0, 0, 0, 1, 0], dtype=mg.float32))

    def stn(self, x):
        xs = self.localization(x)
        xs = xs.view(-1, 10 * 3 * 3)
        theta = self.fc_loc(xs)
        theta = theta.view(-1, 2, 3)
        grid = F.affine_grid(theta, x.size(), align_corners=False)
        return F.grid_sample(x, grid, align_corners=False)

    def forward(self, x):
        x = self.stn(x)
        x = F.relu(F.max_pool2d(self.conv1(x), 2))
        x = F.relu(F.max_pool2d(self.conv2_drop(self.conv2(x)), 2))
        x = x.view(-1, 320)
        x = F.relu(self.fc1(x))
        x = F.dropout(x, training=self.training)
        x = self.fc2(x)
        return F.log_softmax(x, dim=1)


def test_max_pool_output_may_be_changed_in_place(device):
    # the tutorial's nn.MaxPool2d → nn.ReLU(True): max pooling's backward must not need y
    data = np.random.default_rng(10).standard_normal((1, 2, 4, 4))
    x1, x2 = on(data, device), on(data, device)
    F.max_pool2d(x1, 2).relu_().sum().backward()
    F.max_pool2d(x2, 2).relu().sum().backward()
    np.testing.assert_array_equal(host(x1.grad), host(x2.grad))


def test_stn_identity_initialisation_reproduces_the_input(device):
    model = SpatialTransformerNet().to(device)
    x = mg.randn(4, 1, 28, 28, device=device)
    out = model.stn(x)
    np.testing.assert_allclose(host(out), host(x), rtol=1e-5, atol=1e-5)


def test_stn_trains_on_random_data(device):
    model = SpatialTransformerNet().to(device)
    optimizer = mg.optim.SGD(model.parameters(), lr=0.05)
    x = mg.randn(8, 1, 28, 28, device=device)
    y = mg.randint(0, 10, (8,), device=device)
    before = host(model.fc_loc[2].weight).copy()
    losses = []
    for _ in range(3):
        optimizer.zero_grad()
        loss = F.nll_loss(model(x), y)
        loss.backward()
        assert np.abs(host(model.fc_loc[2].weight.grad)).sum() > 0
        optimizer.step()
        losses.append(loss.item())
    assert all(math.isfinite(v) for v in losses)
    assert not np.array_equal(host(model.fc_loc[2].weight), before)


# ---------------------------------------------------------------- errors
def test_bad_mode_names():
    x, grid = mg.zeros(1, 1, 2, 2), mg.zeros(1, 2, 2, 2)
    with pytest.raises(ValueError, match="expected mode to be 'bilinear', 'nearest' or 'bicubic'"):
        F.grid_sample(x, grid, mode="linear", align_corners=False)
    with pytest.raises(ValueError, match="expected padding_mode .* but got: 'circular'"):
        F.grid_sample(x, grid, padding_mode="circular", align_corners=False)


@pytest.mark.parametrize(
    "x_shape, grid_shape",
    [
        ((2, 1, 3, 3), (1, 2, 2, 2)),  # batch sizes differ
        ((1, 1, 3, 3), (1, 2, 2, 3)),  # 3 coordinates for a 2-D input
        ((1, 1, 3, 3), (1, 2, 2, 2, 2)),  # ranks differ
        ((1, 3, 3), (1, 2, 2)),  # 3-D input
        ((1, 1, 0, 3), (1, 2, 2, 2)),  # empty spatial dim
    ],
)
def test_shape_errors_name_both_shapes(x_shape, grid_shape):
    x, grid = mg.zeros(*x_shape), mg.zeros(*grid_shape)
    with pytest.raises(RuntimeError) as info:
        F.grid_sample(x, grid, align_corners=False)
    assert names_shape(str(info.value), x_shape)
    if x_shape[2:3] != (0,):
        assert names_shape(str(info.value), grid_shape)


def test_dtype_device_and_bicubic_volume_errors():
    with pytest.raises(RuntimeError, match="same dtype"):
        F.grid_sample(
            mg.zeros(1, 1, 2, 2), mg.zeros(1, 2, 2, 2, dtype=mg.float64), align_corners=False
        )
    with pytest.raises(RuntimeError, match="same device"):
        F.grid_sample(
            mg.zeros(1, 1, 2, 2), mg.zeros(1, 2, 2, 2, device="cuda"), align_corners=False
        )
    with pytest.raises(RuntimeError, match="bicubic interpolation only supports 4D input"):
        F.grid_sample(
            mg.zeros(1, 1, 2, 2, 2), mg.zeros(1, 1, 1, 1, 3), "bicubic", align_corners=False
        )
    with pytest.raises(NotImplementedError, match="floating point"):
        F.grid_sample(
            mg.zeros(1, 1, 2, 2, dtype=mg.int64), mg.zeros(1, 2, 2, 2), align_corners=False
        )


def test_affine_grid_errors():
    with pytest.raises(ValueError, match=r"Nx2x3 for size \(1, 1, 3, 3\). Got \(1, 3, 4\)"):
        F.affine_grid(mg.zeros(1, 3, 4), (1, 1, 3, 3), align_corners=False)
    with pytest.raises(ValueError, match=r"Nx3x4 for size \(1, 1, 2, 3, 3\). Got \(1, 2, 3\)"):
        F.affine_grid(mg.zeros(1, 2, 3), (1, 1, 2, 3, 3), align_corners=False)
    with pytest.raises(NotImplementedError, match="only supports 4D and 5D sizes"):
        F.affine_grid(mg.zeros(1, 2, 3), (1, 1, 3), align_corners=False)
    with pytest.raises(ValueError, match="floating point"):
        F.affine_grid(mg.zeros(1, 2, 3, dtype=mg.int64), (1, 1, 3, 3), align_corners=False)
    with pytest.raises(ValueError, match="positive output size"):
        F.affine_grid(mg.zeros(1, 2, 3), (1, 1, 0, 3), align_corners=False)
    with pytest.raises(ValueError) as info:
        F.affine_grid(mg.zeros(2, 2, 3), (3, 1, 4, 4), align_corners=False)
    assert names_shape(str(info.value), (2, 2, 3)) and "(3, 1, 4, 4)" in str(info.value)
