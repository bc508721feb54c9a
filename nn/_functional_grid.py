"""Sampling at arbitrary points: ``F.affine_grid`` and ``F.grid_sample`` (re-exported by
``minigrad.nn.functional``), the two halves of a Spatial Transformer Network.

**Coordinates.** A grid holds, per output point, normalised coordinates ``(x, y)`` (``(x, y,
z)`` in 3-D) in [-1, 1]: x runs along the input's width, y along its height, z its depth.
Along an axis with n input pixels a coordinate g is unnormalised to a pixel position

.. code-block:: text

    u = (g + 1) / 2 · (n − 1)        align_corners=True   (−1, 1: centres of the end pixels)
    u = ((g + 1) · n − 1) / 2        align_corners=False  (−1, 1: outer edges of the end pixels)

**Padding** maps u into the image before interpolating (``'zeros'`` leaves it and reads 0
outside):

.. code-block:: text

    border      clip(u) = min(max(u, 0), n − 1)
    reflection  clip(reflect(u)), reflecting u about the lines a = 0 and b = n − 1
                (align_corners=True) or a = −½ and b = n − ½ (False), as often as needed:
                with s = b − a, d = |u − a|, k = ⌊d / s⌋, r = d mod s:
                reflect(u) = a + r (k even),  a + s − r (k odd);  0 when s = 0

**Interpolation** at the padded position (u, v) (v along the height):

.. code-block:: text

    nearest   in[round(v), round(u)]       (halves to even, as C's nearbyint)
    bilinear  Σ over the corners (i, j) ∈ {⌊v⌋, ⌊v⌋ + 1} × {⌊u⌋, ⌊u⌋ + 1} of
              (1 − |v − i|)(1 − |u − j|) · in[i, j]                  (trilinear in 3-D)
    bicubic   Σ_{i, j = −1..2} w_i(t_v) w_j(t_u) · in[⌊v⌋ + i, ⌊u⌋ + j],  t = u − ⌊u⌋, taken
              at the unpadded u, each tap index padded on its own; the weights are the
              cubic convolution kernel with A = −0.75:
              w₋₁ = K₂(t + 1), w₀ = K₁(t), w₁ = K₁(1 − t), w₂ = K₂(2 − t),
              K₁(x) = ((A + 2)x − (A + 3))x² + 1,  K₂(x) = ((Ax − 5A)x + 8A)x − 4A

A tap outside the image reads 0. **Gradients**: everything is built from recorded tensor
operations (one gather by flat indices of all taps, whose backward is a scatter-add, and
element-wise arithmetic), so derivatives of every order flow to ``input`` and, through the
weights, to ``grid``. The padding maps are piecewise linear with slope ±1 or 0; like PyTorch's
kernels, the clip counts the border itself as outside (slope 0 at u = 0 and u = n − 1),
and integer parts (⌊u⌋, rounding, the tap indices) are constants. ``'nearest'`` gives the grid
no gradient (PyTorch gives zeros).
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

import minigrad
from minigrad.dtypes import is_floating
from minigrad.tensor import Tensor

from .functional import _floating_input

__all__: list[str] = ["affine_grid", "grid_sample"]

_MODES = ("bilinear", "nearest", "bicubic")
_PADDING_MODES = ("zeros", "border", "reflection")
_A = -0.75  # the cubic convolution constant of PyTorch's (and OpenCV's) bicubic

_DEFAULT_WARNING = (
    "Default grid_sample and affine_grid behavior has changed to align_corners=False since "
    "1.3.0. Please specify align_corners=True if the old behavior is desired. See the "
    "documentation of grid_sample for details."
)


def affine_grid(theta: Tensor, size: Sequence[int], align_corners: bool | None = None) -> Tensor:
    """The sampling grid of a batch of affine maps, for :func:`grid_sample`.

    As ``torch.nn.functional.affine_grid``: ``theta`` (N, 2, 3) with ``size`` (N, C, H, W)
    gives a grid (N, H, W, 2); ``theta`` (N, 3, 4) with ``size`` (N, C, D, H, W) gives
    (N, D, H, W, 3). Output point (h, w) holds

    .. code-block:: text

        grid[n, h, w] = θₙ · (x_w, y_h, 1)ᵀ,   x_w = −1 + 2w / (W − 1)      (align_corners=True)
                                               x_w = (−1 + 2w / (W − 1)) · (W − 1) / W   (False)

    (the pixel centres in normalised coordinates; 0 along a side of length 1), and likewise
    y_h over H and z_d over D. Differentiable in ``theta``. ``align_corners=None`` means False,
    with PyTorch's UserWarning that the default changed in its 1.3.0.
    """
    if align_corners is None:
        warnings.warn(_DEFAULT_WARNING, UserWarning, stacklevel=2)
        align_corners = False
    if not isinstance(theta, Tensor):
        raise TypeError(f"affine_grid(): theta must be a Tensor, got {type(theta).__name__}")
    if not is_floating(theta.dtype):
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    size = tuple(int(n) for n in size)
    theta_shape = tuple(theta.shape)
    if len(size) not in (4, 5):
        raise NotImplementedError(
            "affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, "
            f"respectively. Got size {size}."
        )
    dims = len(size) - 2
    if theta.ndim != 3 or theta_shape[1:] != (dims, dims + 1):
        raise ValueError(
            f"Expected a batch of {dims}D affine matrices of shape Nx{dims}x{dims + 1} for size "
            f"{size}. Got {theta_shape}."
        )
    spatial = size[2:]
    if align_corners and min(spatial) == 1:
        warnings.warn(
            "Since version 1.3.0, affine_grid behavior has changed for unit-size grids when "
            "align_corners=True. This is not an intended use case of affine_grid. See the "
            "documentation of affine_grid for details.",
            UserWarning,
            stacklevel=2,
        )
    elif min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    if theta_shape[0] != size[0]:
        raise ValueError(
            f"affine_grid(): theta of shape {theta_shape} holds {theta_shape[0]} matrices but "
            f"size {size} asks for a batch of {size[0]}"
        )
    # the base grid (∏ spatial, dims + 1): columns x (fastest), y, (z), 1
    axes = [_base_coordinates(n, align_corners) for n in reversed(spatial)]  # x, y, (z)
    mesh = np.meshgrid(*axes[::-1], indexing="ij")  # each of shape spatial, in (z,) y, x order
    columns = [m.reshape(-1) for m in mesh[::-1]] + [np.ones(int(np.prod(spatial)))]
    base = minigrad.tensor(np.stack(columns, axis=1), dtype=theta.dtype, device=theta.device)
    grid = base @ theta.transpose(1, 2)  # (1, S, dims + 1) @ (N, dims + 1, dims) → (N, S, dims)
    return grid.reshape(size[0], *spatial, dims)


def _base_coordinates(n: int, align_corners: bool) -> np.ndarray:
    """The normalised centres of n pixels: linspace(−1, 1, n), times (n − 1) / n unless
    ``align_corners``; [0] when n = 1 (PyTorch's ``linspace_from_neg_one``)."""
    if n <= 1:
        return np.zeros(n)
    coords = np.linspace(-1.0, 1.0, n)
    return coords if align_corners else coords * ((n - 1) / n)


def grid_sample(
    input: Tensor,
    grid: Tensor,
    mode: str = "bilinear",
    padding_mode: str = "zeros",
    align_corners: bool | None = None,
) -> Tensor:
    """Sample ``input`` at the points of ``grid``: ``torch.nn.functional.grid_sample``.

    ``input`` (N, C, H_in, W_in) with ``grid`` (N, H_out, W_out, 2) gives (N, C, H_out,
    W_out): ``out[n, :, h, w]`` interpolates ``input[n]`` at ``grid[n, h, w] = (x, y)``,
    normalised so that x = −1 is the left and y = −1 the top of the image. 5-D input
    (N, C, D, H, W) with a grid (N, D_out, H_out, W_out, 3) of (x, y, z) samples volumes
    (``'bilinear'`` is then trilinear). Modes ``'bilinear'``, ``'nearest'`` and
    ``'bicubic'`` (4-D only); padding modes ``'zeros'``, ``'border'`` and ``'reflection'``;
    NaN in the grid reads as −1. The formulas are in this module's docstring.
    Differentiable in ``input`` and (except ``'nearest'``) in ``grid``, to any order.
    ``align_corners=None`` means False, with PyTorch's UserWarning.
    """
    if mode not in _MODES:
        raise ValueError(
            "nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or "
            f"'bicubic', but got: '{mode}'"
        )
    if padding_mode not in _PADDING_MODES:
        raise ValueError(
            "nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or "
            f"'reflection', but got: '{padding_mode}'"
        )
    if align_corners is None:
        warnings.warn(_DEFAULT_WARNING, UserWarning, stacklevel=2)
        align_corners = False
    _check_grid_sample(input, grid, mode)
    n, c, *in_sizes = input.shape
    out_sizes = tuple(grid.shape[1:-1])
    grid = grid.where(~grid.isnan(), -1.0)
    # per spatial axis in input order ((D,) H, W): its taps (index, weight or None)
    axes = []
    for axis, size in enumerate(in_sizes):
        coord = grid[..., len(in_sizes) - 1 - axis]  # x is the last input axis
        axes.append(_axis_taps(coord, size, mode, padding_mode, bool(align_corners)))
    out = _gather(input, axes, in_sizes)
    return out.reshape(n, c, *out_sizes)


def _check_grid_sample(input: Tensor, grid: Tensor, mode: str) -> None:
    _floating_input("grid_sample", input)
    if not isinstance(grid, Tensor):
        raise TypeError(f"grid_sample(): grid must be a Tensor, got {type(grid).__name__}")
    in_shape, grid_shape = tuple(input.shape), tuple(grid.shape)
    if input.device != grid.device:
        raise RuntimeError(
            f"grid_sampler(): expected input and grid to be on same device, but input is on "
            f"{input.device} and grid is on {grid.device}"
        )
    if input.dtype != grid.dtype:
        raise RuntimeError(
            f"grid_sampler(): expected input and grid to have same dtype, but input has "
            f"{input.dtype} and grid has {grid.dtype}"
        )
    if input.ndim not in (4, 5) or grid.ndim != input.ndim:
        raise RuntimeError(
            "grid_sampler(): expected 4D or 5D input and grid with same number of dimensions, "
            f"but got input with sizes {in_shape} and grid with sizes {grid_shape}"
        )
    if in_shape[0] != grid_shape[0]:
        raise RuntimeError(
            "grid_sampler(): expected grid and input to have same batch size, but got input "
            f"with sizes {in_shape} and grid with sizes {grid_shape}"
        )
    if grid_shape[-1] != input.ndim - 2:
        raise RuntimeError(
            f"grid_sampler(): expected grid to have size {input.ndim - 2} in last dimension, "
            f"but got grid with sizes {grid_shape} for input with sizes {in_shape}"
        )
    for d in range(2, input.ndim):
        if in_shape[d] == 0:
            raise RuntimeError(
                f"grid_sampler(): expected input to have non-empty spatial dimensions, but "
                f"input has sizes {in_shape} with dimension {d} being empty"
            )
    if mode == "bicubic" and input.ndim != 4:
        raise RuntimeError("grid_sampler(): bicubic interpolation only supports 4D input")


Taps = list[tuple[Tensor, "Tensor | None"]]


def _axis_taps(coord: Tensor, size: int, mode: str, padding: str, align: bool) -> Taps:
    """Along one axis: the pixel index of each tap (an int64 tensor, constant) and its
    weight (a tensor differentiable in ``coord``; None for nearest)."""
    u = _unnormalize(coord, size, align)
    if mode == "bicubic":
        low = u.detach().floor()
        t = u - low
        weights = [
            _cubic2(t + 1),
            _cubic1(t),
            _cubic1(1 - t),
            _cubic2(2 - t),
        ]
        taps: Taps = []
        for offset, weight in zip((-1, 0, 1, 2), weights, strict=True):
            tap = _pad(low + offset, size, padding, align).trunc()
            taps.append((_index(tap, size), weight))
        return taps
    u = _pad(u, size, padding, align)
    if mode == "nearest":
        return [(_index(u.detach().round(), size), None)]
    low = u.detach().floor()
    t = u - low
    return [(_index(low, size), 1 - t), (_index(low + 1, size), t)]


def _unnormalize(coord: Tensor, size: int, align: bool) -> Tensor:
    """Normalised [-1, 1] to a pixel position (PyTorch's order of operations)."""
    if align:
        return (coord + 1) / 2 * (size - 1)
    return ((coord + 1) * size - 1) / 2


def _pad(u: Tensor, size: int, padding: str, align: bool) -> Tensor:
    """The padding map of ``padding`` ('zeros': none)."""
    if padding == "zeros":
        return u
    if padding == "reflection":
        u = _reflect(u, size, align)
    return _clip(u, size)


def _clip(u: Tensor, size: int) -> Tensor:
    """min(max(u, 0), n − 1); slope 1 strictly inside, 0 at and beyond the border."""
    inside = (u > 0) & (u < size - 1)
    return u.where(inside, u.detach().clamp(0, size - 1))


def _reflect(u: Tensor, size: int, align: bool) -> Tensor:
    """u reflected into [a, b] (see the module docstring): the value from the exact formula
    (with fmod, as PyTorch), the derivative its slope ±1 (``value + slope · (u − ū)``, ū
    the constant copy of u)."""
    twice_low, twice_high = (0, 2 * (size - 1)) if align else (-1, 2 * size - 1)
    fixed = u.detach()
    if twice_low == twice_high:
        return minigrad.zeros_like(fixed)
    low, span = twice_low / 2, (twice_high - twice_low) / 2
    d = fixed - low
    slope = minigrad.ones_like(d).where(d >= 0, -1.0)
    d = d.abs()
    extra = d.fmod(span)
    odd = (d / span).floor().fmod(2) == 1
    value = (extra + low).where(~odd, span - extra + low)
    return value + slope.where(~odd, -slope) * (u - fixed)


def _cubic1(x: Tensor) -> Tensor:
    """K₁(x) = ((A + 2)x − (A + 3))x² + 1, the cubic convolution kernel on |x| ≤ 1."""
    return ((_A + 2) * x - (_A + 3)) * x * x + 1


def _cubic2(x: Tensor) -> Tensor:
    """K₂(x) = ((Ax − 5A)x + 8A)x − 4A, the kernel on 1 < |x| < 2."""
    return ((_A * x - 5 * _A) * x + 8 * _A) * x - 4 * _A


def _index(position: Tensor, size: int) -> Tensor:
    """An integral float position as an int64 index; NaN and far-out values become −1 or n
    (still outside, so they read 0) before the cast."""
    return position.nan_to_num(-1.0, float(size), -1.0).clamp(-1, size).long()


def _gather(input: Tensor, axes: list[Taps], in_sizes: Sequence[int]) -> Tensor:
    """Σ over the taps (one per combination of the axes' taps) of weight · input[tap], 0 for
    taps outside; (N, C, P) with P the number of output points.

    All taps are read by one gather from the flattened input at flat indices (its backward
    one scatter-add)."""
    n, c = input.shape[:2]
    indices, valids, weights = [], [], []
    for combo in itertools.product(*axes):
        flat: Any = 0
        valid: Any = None
        weight: Any = None
        for (index, w), size in zip(combo, in_sizes, strict=True):
            flat = flat * size + index
            inside = (index >= 0) & (index < size)
            valid = inside if valid is None else valid & inside
            if w is not None:
                weight = w if weight is None else weight * w
        indices.append(flat.reshape(n, -1))
        valids.append(valid.reshape(n, -1))
        weights.append(weight)
    index = minigrad.stack(indices, 1)  # (N, T, P)
    valid = minigrad.stack(valids, 1)
    spatial = int(np.prod(in_sizes))
    offsets = minigrad.arange(n * c, device=input.device).reshape(n, c, 1, 1) * spatial
    flat_index = index.where(valid, 0).unsqueeze(1) + offsets  # (N, C, T, P)
    values = input.reshape(-1)[flat_index]
    if weights[0] is None:  # nearest: one tap, weight 1
        return values.where(valid.unsqueeze(1), 0.0).sum(2)
    weight = minigrad.stack([w.reshape(n, -1) for w in weights], 1)
    weight = weight.where(valid, 0.0)
    return (values * weight.unsqueeze(1)).sum(2)
