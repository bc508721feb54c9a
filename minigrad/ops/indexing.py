"""Array-level helpers of the indexing operations: the key that gathers along a
dimension, a stable argsort in either direction, and triangle masks.

The differentiable ops themselves are the engine's advanced-indexing ops
(:class:`~minigrad.ops.shape.Index`, :class:`~minigrad.ops.shape.IndexGrad`,
:class:`~minigrad.ops.shape.IndexPut`) applied to the keys built here, so gather,
scatter, index_add and sort get their first and second derivatives from those.
"""

from __future__ import annotations

from typing import Any

from minigrad.backend import get_array_module


def dim_key(index: Any, dim: int) -> tuple[Any, ...]:
    """The advanced-indexing key that reads ``x[i₀, …, index[i₀, …, iₙ], …, iₙ]``.

    ``x[dim_key(index, dim)]`` is ``gather(x, dim, index)``: position ``i`` of the
    result takes ``x`` at ``i`` with coordinate ``dim`` replaced by ``index[i]``.
    """
    xp = get_array_module(index)
    key = []
    for d, n in enumerate(index.shape):
        if d == dim:
            key.append(index)
        else:
            shape = [1] * index.ndim
            shape[d] = n
            key.append(xp.arange(n).reshape(shape))
    return tuple(key)


def stable_argsort(array: Any, axis: int, descending: bool) -> Any:
    """Indices that sort ``array`` along ``axis``; equal elements keep their order in both
    directions, and NaN counts as the largest value (PyTorch's order)."""
    xp = get_array_module(array)
    if not descending:
        return xp.argsort(array, axis=axis, kind="stable")
    # Sorting the reversed array ascending and reversing the result gives a descending
    # order in which ties appear reversed twice, i.e. in their original order.
    n = array.shape[axis]
    reversed_order = xp.argsort(xp.flip(array, axis), axis=axis, kind="stable")
    return (n - 1) - xp.flip(reversed_order, axis)


def triangle_mask(xp: Any, shape: tuple[int, ...], diagonal: int, lower: bool) -> Any:
    """A bool mask of the last two dimensions of ``shape``: True on and below the
    ``diagonal``-th diagonal (``lower``), or on and above it."""
    rows, cols = shape[-2:]
    if lower:
        return xp.tri(rows, cols, diagonal, dtype=bool)
    return ~xp.tri(rows, cols, diagonal - 1, dtype=bool)
