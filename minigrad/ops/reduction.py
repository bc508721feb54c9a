"""Reductions over a dimension (or all of them): sum, mean, var, max/min."""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad.autograd.graph import Op, records_graph
from minigrad.backend import get_array_module
from minigrad.ops.elementwise import Abs, quiet
from minigrad.ops.shape import Flip

Axis = int | tuple[int, ...] | None


def expand_reduced(xp: Any, g: Any, shape: tuple[int, ...], axis: Axis, keepdim: bool) -> Any:
    """Spread the gradient of a reduction back over the reduced axes."""
    if not keepdim and axis is not None:
        g = g.reshape(kept_shape(shape, axis))
    if records_graph(xp):
        return xp.broadcast_to(g, shape)
    # empty + assignment: several times faster than broadcast_to on small arrays
    out = xp.empty(shape, g.dtype)
    out[...] = g
    return out


def kept_shape(shape: tuple[int, ...], axis: Axis) -> tuple[int, ...]:
    """``shape`` with the reduced axes kept as size 1 (what keepdims=True gives)."""
    if axis is None:
        return (1,) * len(shape)
    axes = (axis,) if isinstance(axis, int) else axis
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


def reduced_count(shape: tuple[int, ...], axis: Axis) -> int:
    """How many elements a reduction over ``axis`` folds into each output."""
    if axis is None:
        axis = tuple(range(len(shape)))
    elif isinstance(axis, int):
        axis = (axis,)
    count = 1
    for a in axis:
        count *= shape[a]
    return count


class Sum(Op):
    # d Σx = dy broadcast over the reduced axes
    __slots__ = ()

    def forward(self, x: Any, axis: Axis, keepdim: bool) -> Any:
        return x.sum(axis, None, None, keepdim)  # positional: keywords cost on this hot path

    def backward(self, xp: Any, g: Any, out: Any, x: Any, axis: Axis, keepdim: bool) -> tuple:
        return expand_reduced(xp, g, x.shape, axis, keepdim), None, None


class Mean(Op):
    # d mean(x) = dy / N broadcast over the reduced axes
    __slots__ = ()

    def forward(self, x: Any, axis: Axis, keepdim: bool) -> Any:
        return mean_array(x, axis, keepdim)

    def backward(self, xp: Any, g: Any, out: Any, x: Any, axis: Axis, keepdim: bool) -> tuple:
        n = reduced_count(x.shape, axis) or 1  # (an empty x has an empty gradient)
        return expand_reduced(xp, g / n, x.shape, axis, keepdim), None, None


def mean_array(x: Any, axis: Axis = None, keepdim: bool = False) -> Any:
    """The mean of the array ``x`` over ``axis``: Σx / N in x's dtype, what NumPy's ``mean``
    computes for float32 and float64, without its Python-level wrapper (a few µs); NaN
    over nothing, without a warning, as PyTorch."""
    if x.size == 0:
        return _mean_of_nothing(x, axis, keepdim)
    if x.dtype.kind != "f" or x.dtype.itemsize < 4:  # (float16 sums in float32)
        return x.mean(axis=axis, keepdims=keepdim)
    return _mean(x, axis, keepdim)


def _mean(x: Any, axis: Axis, keepdim: bool) -> Any:
    """The mean over ``axis`` as Σx / N, in x's dtype."""
    return x.sum(axis, None, None, keepdim) / x.dtype.type(reduced_count(x.shape, axis))


_mean_of_nothing = quiet(_mean)  # 0 / 0: NaN, without NumPy's warning


class Var(Op):
    # var(x) = Σ(x - mean)² / (N - correction);  d var = 2 (x - mean) / (N - correction) dy
    __slots__ = ()
    saved = (0,)

    @quiet
    def forward(self, x: Any, axis: Axis, keepdim: bool, correction: float) -> Any:
        centered = x - _mean(x, axis, True)
        squares = centered * centered
        dof = x.dtype.type(_dof(x.shape, axis, correction))  # NumPy 1.x: keep 0-d float32
        return squares.sum(axis=axis, keepdims=keepdim) / dof

    @quiet
    def backward(
        self, xp: Any, g: Any, out: Any, x: Any, axis: Axis, keepdim: bool, correction: float
    ) -> tuple:
        centered = x - x.mean(axis=axis, keepdims=True) if x.size else x
        g = expand_reduced(xp, g, x.shape, axis, keepdim)
        scale = 2 / x.dtype.type(_dof(x.shape, axis, correction))  # inf when N ≤ correction
        return g * centered * scale, None, None, None


class Std(Var):
    # std = √var;  d std = d var / (2 std), 0 where std = 0 (PyTorch's subgradient there)
    __slots__ = ()
    saves_output = True

    @quiet
    def forward(self, x: Any, axis: Axis, keepdim: bool, correction: float) -> Any:
        return get_array_module(x).sqrt(super().forward(x, axis, keepdim, correction))

    @quiet
    def backward(
        self, xp: Any, g: Any, out: Any, x: Any, axis: Axis, keepdim: bool, correction: float
    ) -> tuple:
        zero = out == 0
        g = xp.where(zero, 0, g / xp.where(zero, 1, 2 * out))
        return super().backward(xp, g, None, x, axis, keepdim, correction)


def _dof(shape: tuple[int, ...], axis: Axis, correction: float) -> float:
    return max(reduced_count(shape, axis) - correction, 0)


class Extremum(Op):
    # amax/amin: dy is split evenly among the elements equal to the extremum (PyTorch's
    # rule; a NaN is the extremum, and takes the gradient)
    __slots__ = ("mask",)

    def forward(self, x: Any, axis: Axis, keepdim: bool, largest: bool) -> Any:
        xp = get_array_module(x)
        out = x.max(axis=axis, keepdims=True) if largest else x.min(axis=axis, keepdims=True)
        hit = x == out
        if x.dtype.kind == "f":
            hit |= xp.isnan(x) & xp.isnan(out)
        mask = hit.astype(x.dtype if x.dtype.kind == "f" else np.float32)  # ints: no gradient
        mask /= mask.sum(axis=axis, keepdims=True)
        self.mask = mask
        return out if keepdim else out.reshape(_drop_axes(x.shape, axis))

    def backward(
        self, xp: Any, g: Any, out: Any, x: Any, axis: Axis, keepdim: bool, largest: bool
    ) -> tuple:
        return expand_reduced(xp, g, x.shape, axis, keepdim) * self.mask, None, None, None


def _drop_axes(shape: tuple[int, ...], axis: Axis) -> tuple[int, ...]:
    if axis is None:
        return ()
    axes = {a % len(shape) for a in ((axis,) if isinstance(axis, int) else axis)}
    return tuple(n for i, n in enumerate(shape) if i not in axes)


class TakeAlongDim(Op):
    # y = x[..., idx, ...] along ``dim`` (max/min with a dim);  dx = dy at idx, 0 elsewhere
    __slots__ = ()

    def forward(self, x: Any, indices: Any, dim: int, keepdim: bool) -> Any:
        xp = get_array_module(x)
        out = xp.take_along_axis(x, xp.expand_dims(indices, dim), axis=dim)
        return out if keepdim else out.squeeze(dim)

    def backward(
        self, xp: Any, g: Any, out: Any, x: Any, indices: Any, dim: int, keepdim: bool
    ) -> tuple:
        ax = get_array_module(indices)
        positions = ax.arange(x.shape[dim]).reshape((-1,) + (1,) * (x.ndim - dim - 1))
        chosen = positions == ax.expand_dims(indices, dim)
        g = g if keepdim else xp.expand_dims(g, dim)
        return xp.where(chosen, g, 0), None, None, None


# ---------------------------------------------------------------- reductions (more)
def _flip(x: Any, axis: int) -> Any:
    """``x`` reversed along ``axis`` (an array or, in a recorded backward, a tensor: tensors
    refuse negative slice steps, as PyTorch's, so they go through :class:`Flip`)."""
    if hasattr(x, "_array"):
        return Flip.apply(x, (axis % x.ndim,))
    return x[(slice(None),) * (axis % x.ndim) + (slice(None, None, -1),)]


def _along(axis: int, ndim: int, key: slice) -> tuple[slice, ...]:
    return (slice(None),) * (axis % ndim) + (key,)


class Cumsum(Op):
    # yᵢ = Σ_{j≤i} xⱼ (from the end when ``reverse``);  dxⱼ = Σ_{i≥j} dyᵢ, a reversed cumsum
    __slots__ = ()

    def forward(self, x: Any, axis: int, reverse: bool) -> Any:
        if reverse:
            return _flip(_flip(x, axis).cumsum(axis), axis)
        return x.cumsum(axis)

    def backward(self, xp: Any, g: Any, out: Any, x: Any, axis: int, reverse: bool) -> tuple:
        return Cumsum.call(xp, g, axis, not reverse), None, None


class Shift(Op):
    # yᵢ = xᵢ₋₁ (xᵢ₊₁ when ``backwards``), the vacated end = fill;  dx = dy shifted back, 0-filled
    __slots__ = ()

    def forward(self, x: Any, axis: int, backwards: bool, fill: float) -> Any:
        out = get_array_module(x).empty_like(x)
        if x.shape[axis] == 0:
            return out
        first, rest = (
            (slice(-1, None), slice(None, -1)) if backwards else (slice(0, 1), slice(1, None))
        )
        source = slice(1, None) if backwards else slice(None, -1)
        out[_along(axis, x.ndim, first)] = fill
        out[_along(axis, x.ndim, rest)] = x[_along(axis, x.ndim, source)]
        return out

    def backward(
        self, xp: Any, g: Any, out: Any, x: Any, axis: int, backwards: bool, fill: float
    ) -> tuple:
        return Shift.call(xp, g, axis, not backwards, 0), None, None, None


def exclusive_cumprod(xp: Any, x: Any, axis: int, reverse: bool) -> Any:
    """Π_{j<i} xⱼ (Π_{j>i} xⱼ when ``reverse``): the products before each element, zero-safe."""
    return Cumprod.call(xp, Shift.call(xp, x, axis, reverse, 1), axis, reverse)


class Cumprod(Op):
    # yᵢ = Π_{j≤i} xⱼ;  dxₖ = Σ_{i≥k} dyᵢ Π_{j≤i, j≠k} xⱼ  (reversed cumsum(dy·y)/xₖ if no zeros)
    __slots__ = ()
    saved = (0,)
    saves_output = True

    def forward(self, x: Any, axis: int, reverse: bool) -> Any:
        if reverse:
            return _flip(_flip(x, axis).cumprod(axis), axis)
        return x.cumprod(axis)

    def backward(self, xp: Any, g: Any, out: Any, x: Any, axis: int, reverse: bool) -> tuple:
        if bool((abs(out) >= np.finfo(out.dtype).tiny).all()):  # no zero, no underflow
            return Cumsum.call(xp, g * out, axis, not reverse) / x, None, None
        if reverse:
            return _flip(_cumprod_grad(xp, _flip(g, axis), _flip(x, axis), axis), axis), None, None
        return _cumprod_grad(xp, g, x, axis), None, None


def _cumprod_grad(xp: Any, g: Any, x: Any, axis: int) -> Any:
    """dxₖ = Π_{j<k} xⱼ · Σ_{i≥k} dyᵢ Π_{k<j≤i} xⱼ, with no division: correct where x has zeros.

    The inner products for every pair (k, i) make an n × n table along ``axis`` (n² memory,
    used only when a product is 0 or subnormal, where dividing by x would be wrong)."""
    x, g = x.swapaxes(axis, -1), g.swapaxes(axis, -1)
    ax = get_array_module(getattr(x, "_array", x))
    j = ax.arange(x.shape[-1])
    after = j[None, :] > j[:, None]  # [k, j]: j > k
    factors = xp.where(after, x[..., None, :], 1)
    partial = Cumprod.call(xp, factors, -1, False)  # [k, i] = Π_{k<j≤i} xⱼ (1 for i ≤ k)
    weighted = xp.where(~after.T, partial * g[..., None, :], 0).sum(axis=-1)
    return (weighted * exclusive_cumprod(xp, x, -1, False)).swapaxes(axis, -1)


class Prod(Op):
    # y = Π xᵢ over ``axis`` (all when None);  dxₖ = dy Π_{i≠k} xᵢ (zero-safe, no division)
    __slots__ = ()
    saved = (0,)

    def forward(self, x: Any, axis: int | None, keepdim: bool) -> Any:
        return x.prod(axis=axis, keepdims=keepdim)

    def backward(self, xp: Any, g: Any, out: Any, x: Any, axis: int | None, keepdim: bool) -> tuple:
        flat = x.reshape(-1) if axis is None else x
        along = 0 if axis is None else axis
        others = exclusive_cumprod(xp, flat, along, False) * exclusive_cumprod(
            xp, flat, along, True
        )
        others = others.reshape(x.shape)
        return expand_reduced(xp, g, x.shape, axis, keepdim) * others, None, None


class Norm(Op):
    # ‖x‖₂ = √Σxᵢ² over ``axis``;  dx = x dy / ‖x‖₂  (0 where ‖x‖₂ = 0, as PyTorch)
    __slots__ = ()
    saved = (0,)
    saves_output = True

    @quiet
    def forward(self, x: Any, axis: Axis, keepdim: bool) -> Any:
        return get_array_module(x).sqrt((x * x).sum(axis=axis, keepdims=keepdim))

    @quiet
    def backward(self, xp: Any, g: Any, out: Any, x: Any, axis: Axis, keepdim: bool) -> tuple:
        zero = out == 0
        scale = xp.where(zero, 0, g / xp.where(zero, 1, out))
        return x * expand_reduced(xp, scale, x.shape, axis, keepdim), None, None


def mode_indices(x: Any, axis: int) -> Any:
    """Per slice along ``axis``, the index of the mode of ``x``: the most frequent value
    (the smallest of several), at its last occurrence (PyTorch's choice).

    Sorted stably, equal values form runs whose original indices increase; each
    element's run starts and ends are found by sorting the run boundaries."""
    xp = get_array_module(x)
    x = xp.moveaxis(x, axis, -1)
    n = x.shape[-1]
    order = xp.argsort(x, axis=-1, kind="stable")
    values = xp.take_along_axis(x, order, axis=-1)
    positions = xp.arange(n)
    differs = values[..., 1:] != values[..., :-1]
    false = xp.zeros(differs.shape[:-1] + (1,), dtype=bool)
    starts = xp.concatenate([~false, differs], axis=-1)  # the first element of a run
    ends = xp.concatenate([differs, ~false], axis=-1)  # the last element of a run
    run = xp.cumsum(starts, axis=-1) - 1  # each element's run number
    first = xp.take_along_axis(xp.sort(xp.where(starts, positions, n), axis=-1), run, axis=-1)
    last = xp.take_along_axis(xp.sort(xp.where(ends, positions, n), axis=-1), run, axis=-1)
    best = xp.argmax(last - first, axis=-1)[..., None]  # the first, so the smallest, mode
    end = xp.take_along_axis(last, best, axis=-1)
    return xp.take_along_axis(order, end, axis=-1)[..., 0]


# ---------------------------------------------------------------- logcumsumexp, median
def _log_cumsum_exp(x: Any, axis: int) -> Any:
    """yᵢ = log Σ_{j≤i} e^(xⱼ) along ``axis`` on an array, stably: a Hillis-Steele scan
    of logaddexp (⌈log₂ n⌉ vectorised passes; logaddexp never overflows nor underflows
    where the result is representable)."""
    xp = get_array_module(x)
    out = x.copy()
    n = x.shape[axis]
    shift = 1
    while shift < n:
        later = _along(axis, x.ndim, slice(shift, None))
        earlier = _along(axis, x.ndim, slice(None, n - shift))
        out[later] = xp.logaddexp(out[later], out[earlier])  # the right side is read first
        shift *= 2
    return out


class LogCumSumExp(Op):
    # yᵢ = log Σ_{j≤i} e^(xⱼ);  dxⱼ = Σ_{i≥j} dyᵢ e^(xⱼ - yᵢ), computed stably as PyTorch's:
    # e^(xⱼ + rlcse(log dy⁺ - y)ⱼ) - e^(xⱼ + rlcse(log dy⁻ - y)ⱼ), rlcse the reversed
    # logcumsumexp and dy⁺, dy⁻ the positive and negative parts of dy
    __slots__ = ()
    saved = (0,)
    saves_output = True

    @quiet
    def forward(self, x: Any, axis: int) -> Any:
        return _log_cumsum_exp(x, axis)

    @quiet
    def backward(self, xp: Any, g: Any, out: Any, x: Any, axis: int) -> tuple[Any, None]:
        lowest = float(np.finfo(g.dtype).min)
        log_abs = xp.log(Abs.call(xp, g))
        parts = [xp.where(keep, log_abs, lowest) - out for keep in (g > 0, g < 0)]
        positive, negative = (
            xp.exp(_flip(LogCumSumExp.call(xp, _flip(p, axis), axis), axis) + x) for p in parts
        )
        return positive - negative, None


class MedianAll(Op):
    # y = the lower median of all elements (element ⌊(n-1)/2⌋ sorted; NaN if any is NaN);
    # dy is split evenly among the elements equal to y (the NaNs when y is NaN), as PyTorch
    __slots__ = ()
    saved = (0,)
    saves_output = True

    def forward(self, x: Any) -> Any:
        xp = get_array_module(x)
        flat = x.reshape(-1)
        if x.dtype.kind == "f" and bool(xp.isnan(flat).any()):
            return xp.full((), np.nan, dtype=x.dtype)
        return xp.sort(flat)[(flat.size - 1) // 2 : (flat.size + 1) // 2].reshape(())

    def backward(self, xp: Any, g: Any, out: Any, x: Any) -> tuple[Any]:
        chosen = (x == out) | ((x != x) & (out != out))
        return (xp.where(chosen, g, 0) / chosen.sum(),)
