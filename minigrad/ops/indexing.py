"""Array-level helpers of the indexing operations: PyTorch's split of an index into its
integer selects and the rest, the key that gathers along a dimension, a stable argsort
in either direction, and triangle masks.

The differentiable ops themselves are the engine's advanced-indexing ops
(:class:`~minigrad.ops.shape.Index`, :class:`~minigrad.ops.shape.IndexGrad`,
:class:`~minigrad.ops.shape.IndexPut`) applied to the keys built here, so gather,
scatter, index_add and sort get their first and second derivatives from those.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad.backend import get_array_module


def split_int_index(key: tuple[Any, ...]) -> tuple[tuple[Any, ...], tuple[Any, ...], bool] | None:
    """PyTorch's indexing rule: ``x[key]`` is ``x[selects][rest]``.

    PyTorch applies the integers of an index first, each as a select of its dimension
    (ints, NumPy integers and 0-d integer tensors alike), and then indexes what is left
    with the rest (slices, None, Ellipsis, bools, integer and bool arrays) as NumPy does.
    Integers therefore never count as advanced indices, nor separate them. NumPy instead
    treats an integer next to an advanced index as one: for ``x`` of shape (2, 3, 4),
    ``x[0, :, [1, 2]]`` has shape (3, 2) in PyTorch and (2, 3) in NumPy.

    ``key`` holds its arrays already (as :meth:`Tensor._index_key` makes them).
    ``selects`` keeps the integers and a full slice for each dimension that another part
    indexes (the selects take a view); ``rest`` is ``key`` without the integers, and the flag
    says whether it holds an array. None where NumPy's rule gives PyTorch's result unsplit:
    when ``key`` holds no integer, or only Python and NumPy integers besides basic parts.
    """
    selects: list[Any] = []
    rest: list[Any] = []
    arrays = bools = tensors = False
    for part in key:
        if _is_integer(part):
            selects.append(part)
            tensors = tensors or not isinstance(part, int | np.integer)
            continue
        rest.append(part)
        if part is Ellipsis:
            selects.append(part)
            continue
        selects.extend([slice(None)] * _dims_indexed(part))
        arrays = arrays or (hasattr(part, "ndim") and not isinstance(part, np.bool_))
        bools = bools or isinstance(part, bool | np.bool_)
    if len(rest) == len(key) or not (arrays or bools or tensors):
        return None
    return tuple(_basic(p) for p in selects), tuple(rest), arrays


def drop_empty_ellipsis(key: tuple[Any, ...], ndim: int) -> tuple[Any, ...]:
    """``key`` without an Ellipsis that stands for no dimension: it separates advanced
    indices in NumPy (``x[:, [0], ..., [0]]`` of a 3-D ``x`` has shape (1, 2) there) but
    not in PyTorch, which places them by the dimensions they index (shape (2, 1))."""
    rest = tuple(p for p in key if p is not Ellipsis)
    return rest if len(rest) < len(key) and sum(map(_dims_indexed, rest)) == ndim else key


def _dims_indexed(part: Any) -> int:
    """How many dimensions of the indexed array a part of a key (not an Ellipsis) uses up:
    none for None and a bool, as many as it has for a bool mask, else one."""
    if part is None or isinstance(part, bool | np.bool_):
        return 0
    if hasattr(part, "ndim") and part.dtype.kind == "b":
        return int(part.ndim)
    return 1


def _is_integer(part: Any) -> bool:
    """Whether PyTorch indexes with ``part`` as with an int: an int or NumPy integer (not a
    bool), or a 0-d integer array."""
    if isinstance(part, int | np.integer):
        return not isinstance(part, bool)
    return getattr(part, "ndim", None) == 0 and part.dtype.kind in "iu"


def _basic(part: Any) -> Any:
    """A part of ``selects`` as basic indexing takes it: a 0-d array or NumPy integer as an
    int (on a GPU, reading it waits for the device, as in PyTorch)."""
    if isinstance(part, int | slice) or part is Ellipsis:
        return part
    return int(part.item())


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
