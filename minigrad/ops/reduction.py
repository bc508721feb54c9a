"""Reductions over a dimension (or all of them): sum, mean, var, max/min."""

from __future__ import annotations

from typing import Any

from minigrad.autograd.graph import Op, records_graph
from minigrad.backend import get_array_module

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
        return x.mean(axis=axis, keepdims=keepdim)

    def backward(self, xp: Any, g: Any, out: Any, x: Any, axis: Axis, keepdim: bool) -> tuple:
        n = reduced_count(x.shape, axis)
        return expand_reduced(xp, g / n, x.shape, axis, keepdim), None, None


class Var(Op):
    # var(x) = Σ(x - mean)² / (N - correction);  d var = 2 (x - mean) / (N - correction) dy
    __slots__ = ()
    saved = (0,)

    def forward(self, x: Any, axis: Axis, keepdim: bool, correction: float) -> Any:
        centered = x - x.mean(axis=axis, keepdims=True)
        squares = centered * centered
        dof = x.dtype.type(_dof(x.shape, axis, correction))  # NumPy 1.x: keep 0-d float32
        return squares.sum(axis=axis, keepdims=keepdim) / dof

    def backward(
        self, xp: Any, g: Any, out: Any, x: Any, axis: Axis, keepdim: bool, correction: float
    ) -> tuple:
        centered = x - x.mean(axis=axis, keepdims=True)
        g = expand_reduced(xp, g, x.shape, axis, keepdim)
        return g * centered * (2 / _dof(x.shape, axis, correction)), None, None, None


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
        mask = hit.astype(x.dtype)
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
