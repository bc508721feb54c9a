"""Padding layers, as torch.nn: constant, zero, reflection and replication padding."""

from __future__ import annotations

from collections.abc import Sequence

from minigrad.tensor import Tensor

from . import _functional_norm as F
from .module import Module

__all__ = [
    "ConstantPad1d",
    "ConstantPad2d",
    "ConstantPad3d",
    "ZeroPad1d",
    "ZeroPad2d",
    "ZeroPad3d",
    "ReflectionPad1d",
    "ReflectionPad2d",
    "ReflectionPad3d",
    "ReplicationPad1d",
    "ReplicationPad2d",
    "ReplicationPad3d",
    "CircularPad1d",
    "CircularPad2d",
    "CircularPad3d",
]


def _widths(padding: int | Sequence[int], dims: int, layer: str) -> tuple[int, ...]:
    """``padding`` as PyTorch's pad tuple for ``dims`` dims: an int pads every side."""
    if isinstance(padding, int):
        return (padding,) * (2 * dims)
    widths = tuple(int(p) for p in padding)
    if len(widths) != 2 * dims:
        raise ValueError(
            f"{layer}: padding must be an int or a tuple of {2 * dims} ints (left, right"
            + (", top, bottom" if dims > 1 else "")
            + (", front, back" if dims > 2 else "")
            + f"), got {padding}"
        )
    return widths


class _PadNd(Module):
    """``F.pad(input, padding, mode)`` as a layer; ``padding`` is an int (all sides) or
    PyTorch's tuple (left, right[, top, bottom[, front, back]]) for the last ``_dims`` dims;
    negative values crop."""

    _dims = 1
    _mode = "constant"

    def __init__(self, padding: int | Sequence[int]) -> None:
        super().__init__()
        self.padding = _widths(padding, self._dims, type(self).__name__)

    def forward(self, input: Tensor) -> Tensor:
        return F.pad(input, self.padding, self._mode)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    """Padding with the constant ``value`` (any leading dims)."""

    def __init__(self, padding: int | Sequence[int], value: float) -> None:
        super().__init__(padding)
        self.value = value

    def forward(self, input: Tensor) -> Tensor:
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class _ZeroPadNd(_PadNd):
    """Padding with zeros (any leading dims)."""

    value = 0.0


class ConstantPad1d(_ConstantPadNd):
    """Pad the last dim of any input of at least that many dims with ``value``;
    ``padding``: an int or (left, right)."""

    _dims = 1


class ConstantPad2d(_ConstantPadNd):
    """Pad the last 2 dims of any input of at least that many dims with ``value``;
    ``padding``: an int or (left, right, top, bottom)."""

    _dims = 2


class ConstantPad3d(_ConstantPadNd):
    """Pad the last 3 dims of any input of at least that many dims with ``value``;
    ``padding``: an int or (left, right, top, bottom, front, back)."""

    _dims = 3


class ZeroPad1d(_ZeroPadNd):
    """Pad the last dim of any input of at least that many dims with zeros;
    ``padding``: an int or (left, right)."""

    _dims = 1


class ZeroPad2d(_ZeroPadNd):
    """Pad the last 2 dims of any input of at least that many dims with zeros;
    ``padding``: an int or (left, right, top, bottom)."""

    _dims = 2


class ZeroPad3d(_ZeroPadNd):
    """Pad the last 3 dims of any input of at least that many dims with zeros;
    ``padding``: an int or (left, right, top, bottom, front, back)."""

    _dims = 3


class ReflectionPad1d(_PadNd):
    """Pad the last dim of a (N, C, W) or (C, W) input with its mirror image (edge not repeated);
    ``padding``: an int or (left, right)."""

    _dims = 1
    _mode = "reflect"


class ReflectionPad2d(_PadNd):
    """Pad the last 2 dims of a (N, C, H, W) or (C, H, W) input with its mirror image;
    ``padding``: an int or (left, right, top, bottom)."""

    _dims = 2
    _mode = "reflect"


class ReflectionPad3d(_PadNd):
    """Pad the last 3 dims of a (N, C, D, H, W) or (C, D, H, W) input with its mirror image;
    ``padding``: an int or (left, right, top, bottom, front, back)."""

    _dims = 3
    _mode = "reflect"


class ReplicationPad1d(_PadNd):
    """Pad the last dim of a (N, C, W) or (C, W) input with its edge values;
    ``padding``: an int or (left, right)."""

    _dims = 1
    _mode = "replicate"


class ReplicationPad2d(_PadNd):
    """Pad the last 2 dims of a (N, C, H, W) or (C, H, W) input with its edge values;
    ``padding``: an int or (left, right, top, bottom)."""

    _dims = 2
    _mode = "replicate"


class ReplicationPad3d(_PadNd):
    """Pad the last 3 dims of a (N, C, D, H, W) or (C, D, H, W) input with its edge values;
    ``padding``: an int or (left, right, top, bottom, front, back)."""

    _dims = 3
    _mode = "replicate"


class CircularPad1d(_PadNd):
    """Pad the last dim of a (N, C, W) or (C, W) input with a wrap-around;
    ``padding``: an int or (left, right)."""

    _dims = 1
    _mode = "circular"


class CircularPad2d(_PadNd):
    """Pad the last 2 dims of a (N, C, H, W) or (C, H, W) input with a wrap-around;
    ``padding``: an int or (left, right, top, bottom)."""

    _dims = 2
    _mode = "circular"


class CircularPad3d(_PadNd):
    """Pad the last 3 dims of a (N, C, D, H, W) or (C, D, H, W) input with a wrap-around;
    ``padding``: an int or (left, right, top, bottom, front, back)."""

    _dims = 3
    _mode = "circular"
