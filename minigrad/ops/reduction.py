"""Reductions over a dimension (or all of them): sum, mean, var, max/min."""

from __future__ import annotations

from typing import Any

from minigrad.autograd import Function
from minigrad.backend import get_array_module

Axis = int | tuple[int, ...] | None


def expand_reduced(g: Any, shape: tuple[int, ...], axis: Axis, keepdim: bool) -> Any:
    """Spread the gradient of a reduction back over the reduced axes (a new array)."""
    if not keepdim and axis is not None:
        g = g.reshape(_kept_shape(shape, axis))
    # empty + assignment: several times faster than broadcast_to/expand_dims on small arrays
    out = get_array_module(g).empty(shape, g.dtype)
    out[...] = g
    return out


def _kept_shape(shape: tuple[int, ...], axis: Axis) -> tuple[int, ...]:
    """``shape`` with the reduced axes kept as size 1 (what keepdims=True gives)."""
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


class Sum(Function):
    # d Σx = dy broadcast over the reduced axes
    __slots__ = ("shape", "axis", "keepdim")

    def forward(self, x: Any, axis: Axis, keepdim: bool) -> Any:
        self.shape, self.axis, self.keepdim = x.shape, axis, keepdim
        return x.sum(axis, None, None, keepdim)  # positional: keywords cost on this hot path

    def backward(self, g: Any) -> tuple[Any, None, None]:
        return expand_reduced(g, self.shape, self.axis, self.keepdim), None, None


class Mean(Function):
    # d mean(x) = dy / N broadcast over the reduced axes
    __slots__ = ("shape", "axis", "keepdim")

    def forward(self, x: Any, axis: Axis, keepdim: bool) -> Any:
        self.shape, self.axis, self.keepdim = x.shape, axis, keepdim
        return x.mean(axis=axis, keepdims=keepdim)

    def backward(self, g: Any) -> tuple[Any, None, None]:
        n = reduced_count(self.shape, self.axis)
        return expand_reduced(g / n, self.shape, self.axis, self.keepdim), None, None


class Var(Function):
    # var(x) = Σ(x - mean)² / (N - correction);  d var = 2 (x - mean) / (N - correction) dy
    __slots__ = ("centered", "axis", "keepdim", "dof")

    def forward(self, x: Any, axis: Axis, keepdim: bool, correction: float) -> Any:
        self.centered = x - x.mean(axis=axis, keepdims=True)
        self.axis, self.keepdim = axis, keepdim
        self.dof = max(reduced_count(x.shape, axis) - correction, 0)
        squares = self.centered * self.centered
        return squares.sum(axis=axis, keepdims=keepdim) / self.dof

    def backward(self, g: Any) -> tuple[Any, None, None, None]:
        g = expand_reduced(g, self.centered.shape, self.axis, self.keepdim)
        return g * self.centered * (2 / self.dof), None, None, None


class Extremum(Function):
    # amax/amin: dy is split evenly among the elements equal to the extremum (PyTorch's rule)
    __slots__ = ("mask", "axis", "keepdim")

    def forward(self, x: Any, axis: Axis, keepdim: bool, largest: bool) -> Any:
        out = x.max(axis=axis, keepdims=True) if largest else x.min(axis=axis, keepdims=True)
        mask = (x == out).astype(x.dtype)
        mask /= mask.sum(axis=axis, keepdims=True)
        self.mask, self.axis, self.keepdim = mask, axis, keepdim
        if not keepdim:
            out = out.reshape(_drop_axes(x.shape, axis))
        return out

    def backward(self, g: Any) -> tuple[Any, None, None, None]:
        return expand_reduced(g, self.mask.shape, self.axis, self.keepdim) * self.mask, *(None,) * 3


def _drop_axes(shape: tuple[int, ...], axis: Axis) -> tuple[int, ...]:
    if axis is None:
        return ()
    axes = {a % len(shape) for a in ((axis,) if isinstance(axis, int) else axis)}
    return tuple(n for i, n in enumerate(shape) if i not in axes)


class TakeAlongDim(Function):
    # y = x[..., idx, ...] along ``dim`` (max/min with a dim);  dx = dy at idx, 0 elsewhere
    __slots__ = ("indices", "shape", "dim", "keepdim")

    def forward(self, x: Any, indices: Any, dim: int, keepdim: bool) -> Any:
        xp = get_array_module(x)
        self.indices, self.shape, self.dim, self.keepdim = indices, x.shape, dim, keepdim
        out = xp.take_along_axis(x, xp.expand_dims(indices, dim), axis=dim)
        return out if keepdim else out.squeeze(dim)

    def backward(self, g: Any) -> tuple[Any, None, None, None]:
        xp = get_array_module(g)
        dim = self.dim
        positions = xp.arange(self.shape[dim]).reshape((-1,) + (1,) * (len(self.shape) - dim - 1))
        chosen = positions == xp.expand_dims(self.indices, dim)
        g = g if self.keepdim else xp.expand_dims(g, dim)
        return xp.where(chosen, g, g.dtype.type(0)), None, None, None
