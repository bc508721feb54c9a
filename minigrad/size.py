"""``minigrad.Size``: a shape as a tuple of ints, as ``torch.Size``."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

__all__ = ["Size"]

_as_size = tuple.__new__


class Size(tuple):
    """A tensor shape: a tuple of non-negative ints that equals the plain tuple of the same
    sizes (``minigrad.Size([2, 3]) == (2, 3)``) and prints as ``minigrad.Size([2, 3])``."""

    def __new__(cls, sizes: Iterable[Any] = ()) -> Size:
        sizes = tuple(sizes)
        for i, n in enumerate(sizes):
            if isinstance(n, bool) or not hasattr(n, "__index__"):
                raise TypeError(
                    f"minigrad.Size() takes an iterable of 'int' (item {i} is '{type(n).__name__}')"
                )
        return super().__new__(cls, (n.__index__() for n in sizes))

    def numel(self) -> int:
        """The number of elements of a tensor of this shape: the product of the sizes."""
        return math.prod(self)

    # Slices, concatenations and repeats of sizes are sizes (ints already: no checks).
    def __getitem__(self, key: Any) -> Any:
        item = tuple.__getitem__(self, key)
        return _as_size(Size, item) if isinstance(key, slice) else item

    def __add__(self, other: Any) -> Size:
        if not isinstance(other, tuple):
            return NotImplemented  # (PyTorch: a Size concatenates with tuples only)
        joined = tuple.__add__(self, other)
        return _as_size(Size, joined) if isinstance(other, Size) else Size(joined)

    def __radd__(self, other: Any) -> Size:
        if not isinstance(other, tuple):
            return NotImplemented
        return Size(tuple.__add__(other, self))

    def __mul__(self, times: Any) -> Size:
        return _as_size(Size, tuple.__mul__(self, times))

    __rmul__ = __mul__

    def __repr__(self) -> str:
        return f"minigrad.Size({list(self)})"
