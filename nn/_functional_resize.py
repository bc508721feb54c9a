"""Resizing: ``F.interpolate``, ``F.pixel_shuffle`` and ``F.pixel_unshuffle``
(re-exported by ``minigrad.nn.functional``).

Every mode is separable: the input is resized one spatial axis at a time, each
step a gather of whole slices (``index_select``) and, for the linear modes, a
blend of two gathers. Built from recorded ops, so gradients of every order
flow. Along one axis with input length ``n``, output length ``m`` and scale
``s`` (``1 / scale_factor`` when given, else ``n / m``), output ``j`` reads:

.. code-block:: text

    nearest         x[min(⌊j s⌋, n − 1)]
    nearest-exact   x[min(⌊(j + ½) s⌋, n − 1)]
    linear          (1 − λ) x[i] + λ x[min(i + 1, n − 1)],  i = ⌊c⌋, λ = c − i, with
                    c = max((j + ½) s − ½, 0)                  (align_corners=False)
                    c = j (n − 1) / (m − 1)   (0 when m = 1)   (align_corners=True)
    area            adaptive average pooling to m
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import minigrad
from minigrad.amp.policy import autocast_call
from minigrad.amp.state import state as _amp
from minigrad.dtypes import int64
from minigrad.tensor import Tensor

from .functional import _floating_input

__all__: list[str] = ["interpolate", "pixel_shuffle", "pixel_unshuffle"]

_LINEAR_MODES = {"linear": 3, "bilinear": 4, "trilinear": 5}
_MODES = ("nearest", "nearest-exact", "area", *_LINEAR_MODES, "bicubic")


def interpolate(
    input: Tensor,
    size: int | Sequence[int] | None = None,
    scale_factor: float | Sequence[float] | None = None,
    mode: str = "nearest",
    align_corners: bool | None = None,
    recompute_scale_factor: bool | None = None,
    antialias: bool = False,
) -> Tensor:
    """Resize the spatial dims of ``input`` ``(N, C, *spatial)`` to ``size`` or ``scale_factor``.

    As ``torch.nn.functional.interpolate``: 1 to 3 spatial dims; modes
    ``'nearest'``, ``'nearest-exact'``, ``'linear'`` (3-D input), ``'bilinear'``
    (4-D), ``'trilinear'`` (5-D) and ``'area'`` (1 or 2 spatial dims); the
    output length is ``size`` or ``⌊n · scale_factor⌋`` (formulas in the module
    docstring). ``'bicubic'`` and ``antialias=True`` are not built.
    """
    if _amp.active:
        return autocast_call(
            "interpolate",
            interpolate,
            input,
            size,
            scale_factor,
            mode,
            align_corners,
            recompute_scale_factor,
            antialias,
        )
    _floating_input("interpolate", input)
    spatial = input.ndim - 2
    if not 1 <= spatial <= 3:
        raise ValueError(
            f"interpolate(): expected a 3-D, 4-D or 5-D input (N, C, *spatial), "
            f"got shape {tuple(input.shape)}"
        )
    _check_mode(mode, input.ndim, align_corners, antialias)
    in_sizes = tuple(input.shape[2:])
    out_sizes, scales = _output_sizes(in_sizes, size, scale_factor, recompute_scale_factor)
    if mode == "area":
        pool = getattr(minigrad.nn.functional, f"adaptive_avg_pool{spatial}d", None)
        if pool is None:
            raise NotImplementedError("interpolate(): mode 'area' is built for 3-D and 4-D inputs")
        return pool(input, out_sizes)
    out = input
    for axis, (n, m, scale) in enumerate(zip(in_sizes, out_sizes, scales, strict=True), start=2):
        if mode in _LINEAR_MODES:
            out = _linear_along(out, axis, n, m, scale, bool(align_corners))
        else:
            out = _nearest_along(out, axis, n, m, scale, exact=mode == "nearest-exact")
    return out


def _check_mode(mode: str, ndim: int, align_corners: bool | None, antialias: bool) -> None:
    if mode not in _MODES:
        raise NotImplementedError(f"interpolate(): unknown mode {mode!r}; expected one of {_MODES}")
    if mode == "bicubic" or antialias:
        raise NotImplementedError(
            "interpolate(): 'bicubic' and antialias=True are not built in minigrad; "
            "use 'bilinear' or 'area'"
        )
    needed = _LINEAR_MODES.get(mode)
    if needed is not None and needed != ndim:
        raise NotImplementedError(
            f"interpolate(): got {ndim}-D input, but {mode} mode needs {needed}-D input"
        )
    if align_corners is not None and needed is None:
        raise ValueError(
            "align_corners option can only be set with the interpolating modes: "
            "linear | bilinear | bicubic | trilinear"
        )


def _output_sizes(
    in_sizes: tuple[int, ...],
    size: int | Sequence[int] | None,
    scale_factor: float | Sequence[float] | None,
    recompute_scale_factor: bool | None,
) -> tuple[tuple[int, ...], tuple[float, ...]]:
    """The output sizes and, per axis, the scale s (input length per output step)."""
    dims = len(in_sizes)
    if (size is None) == (scale_factor is None):
        raise ValueError("interpolate(): exactly one of size or scale_factor should be defined")
    if size is not None:
        if recompute_scale_factor:
            raise ValueError(
                "recompute_scale_factor is not meaningful with an explicit size: pass scale_factor"
            )
        out_sizes = _per_axis(size, dims, "size")
        if any(int(m) != m or m < 1 for m in out_sizes):
            raise ValueError(f"interpolate(): size must be positive integers, got {size}")
        sizes = tuple(int(m) for m in out_sizes)
        return sizes, tuple(n / m for n, m in zip(in_sizes, sizes, strict=True))
    factors = _per_axis(scale_factor, dims, "scale_factor")
    if any(not f > 0 for f in factors):
        raise ValueError(f"interpolate(): scale_factor must be positive, got {scale_factor}")
    sizes = tuple(math.floor(n * f) for n, f in zip(in_sizes, factors, strict=True))
    if any(m < 1 for m in sizes):
        raise ValueError(
            f"interpolate(): input spatial size {in_sizes} with scale_factor {scale_factor} "
            f"gives an empty output {sizes}"
        )
    if recompute_scale_factor:
        return sizes, tuple(n / m for n, m in zip(in_sizes, sizes, strict=True))
    return sizes, tuple(1 / f for f in factors)


def _per_axis(value: object, dims: int, name: str) -> tuple[float, ...]:
    if isinstance(value, (int, float)):
        return (float(value),) * dims
    values = tuple(float(v) for v in value)  # type: ignore[attr-defined]
    if len(values) != dims:
        raise ValueError(
            f"interpolate(): {name} must have {dims} elements for {dims} spatial dims, got {value}"
        )
    return values


def _nearest_along(x: Tensor, axis: int, n: int, m: int, scale: float, exact: bool) -> Tensor:
    offset = 0.5 if exact else 0.0
    index = [min(math.floor((j + offset) * scale), n - 1) for j in range(m)]
    return x.index_select(axis, minigrad.tensor(index, dtype=int64, device=x.device))


def _linear_along(
    x: Tensor, axis: int, n: int, m: int, scale: float, align_corners: bool
) -> Tensor:
    if align_corners:
        coords = [j * (n - 1) / (m - 1) if m > 1 else 0.0 for j in range(m)]
    else:
        coords = [max((j + 0.5) * scale - 0.5, 0.0) for j in range(m)]
    low = [min(math.floor(c), n - 1) for c in coords]
    high = [min(i + 1, n - 1) for i in low]
    shape = [1] * x.ndim
    shape[axis] = m
    weight = minigrad.tensor(
        [c - i for c, i in zip(coords, low, strict=True)], dtype=x.dtype, device=x.device
    ).reshape(shape)
    gather_low = x.index_select(axis, minigrad.tensor(low, dtype=int64, device=x.device))
    gather_high = x.index_select(axis, minigrad.tensor(high, dtype=int64, device=x.device))
    return gather_low + (gather_high - gather_low) * weight


def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """``(*, C·r², H, W)`` → ``(*, C, H·r, W·r)``: each group of r² channels becomes an r × r
    block of pixels, ``out[c, h·r + i, w·r + j] = in[c·r² + i·r + j, h, w]`` (Shi et al., 2016)."""
    r = _positive_factor("pixel_shuffle", "upscale_factor", upscale_factor)
    if input.ndim < 3 or input.shape[-3] % (r * r):
        raise RuntimeError(
            f"pixel_shuffle expects an input (*, C·r², H, W) with C·r² divisible by "
            f"r² = {r * r}, got shape {tuple(input.shape)}"
        )
    *batch, channels, h, w = input.shape
    k = len(batch)
    blocks = input.reshape(*batch, channels // (r * r), r, r, h, w)
    out = blocks.permute(*range(k), k, k + 3, k + 1, k + 4, k + 2)
    return out.reshape(*batch, channels // (r * r), h * r, w * r)


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    """``(*, C, H·r, W·r)`` → ``(*, C·r², H, W)``: the inverse of :func:`pixel_shuffle`."""
    r = _positive_factor("pixel_unshuffle", "downscale_factor", downscale_factor)
    if input.ndim < 3 or input.shape[-2] % r or input.shape[-1] % r:
        raise RuntimeError(
            f"pixel_unshuffle expects an input (*, C, H·r, W·r) with height and width "
            f"divisible by r = {r}, got shape {tuple(input.shape)}"
        )
    *batch, channels, h, w = input.shape
    k = len(batch)
    blocks = input.reshape(*batch, channels, h // r, r, w // r, r)
    out = blocks.permute(*range(k), k, k + 2, k + 4, k + 1, k + 3)
    return out.reshape(*batch, channels * r * r, h // r, w // r)


def _positive_factor(op: str, name: str, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise RuntimeError(f"{op}: {name} must be a positive integer, got {value!r}")
    return value
