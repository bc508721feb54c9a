"""PyTorch's older names that programs written for it still use.

- The typed tensor classes ``minigrad.FloatTensor``, ``LongTensor``, ... (and
  ``minigrad.cuda.FloatTensor``, ...): calling one makes a tensor of its dtype and
  device (``FloatTensor([1, 2])``, or ``FloatTensor(2, 3)`` for a shape), and
  ``isinstance(t, minigrad.FloatTensor)`` checks a tensor's dtype and device, as in
  PyTorch. ``t.type(minigrad.FloatTensor)`` casts.
- ``minigrad.autograd.Variable(t, requires_grad=False)``: since PyTorch 0.4 a tensor
  is its own Variable; this returns ``t`` detached, with ``requires_grad`` set.
"""

from __future__ import annotations

import builtins
import warnings
from typing import Any

from minigrad.creation import empty, tensor
from minigrad.dtypes import _TYPE_NAMES, type_name
from minigrad.tensor import Tensor

__all__ = ["Variable", "tensor_types"]


class _TypedTensorMeta(type):
    """``isinstance(t, FloatTensor)``: t is a tensor of that dtype on that device type."""

    dtype: Any
    device_type: str

    def __instancecheck__(cls, obj: Any) -> bool:
        return (
            isinstance(obj, Tensor)
            and obj.dtype == cls.dtype
            and obj.device.type == cls.device_type
        )


class _TypedTensor(metaclass=_TypedTensorMeta):
    """A legacy typed tensor class: its instances are plain :class:`~minigrad.Tensor` s."""

    type_name: str

    def __new__(cls, *args: Any) -> Tensor:  # type: ignore[misc]
        """``Kind(data)`` (a list, array or tensor) or ``Kind(*sizes)``; ``Kind()`` is empty."""
        device = cls.device_type
        if len(args) == 1 and not isinstance(args[0], builtins.int):
            return tensor(args[0], dtype=cls.dtype, device=device)
        if not all(isinstance(n, builtins.int) for n in args):
            raise TypeError(
                f"{cls.type_name}(): expected data or integer sizes, got "
                f"({', '.join(type(a).__name__ for a in args)})"
            )
        return empty(*(args or (0,)), dtype=cls.dtype, device=device)


def tensor_types(device_type: str) -> dict[str, type]:
    """The legacy classes of ``device_type`` by name (``'FloatTensor'`` → class)."""
    classes: dict[str, type] = {}
    for dtype, name in _TYPE_NAMES.items():
        attributes = {
            "dtype": dtype,
            "device_type": device_type,
            "type_name": type_name(dtype, device_type),
            "__doc__": f"Tensors of dtype {dtype} on {device_type} (PyTorch's legacy class).",
        }
        classes[name] = _TypedTensorMeta(name, (_TypedTensor,), attributes)
    return classes


class _VariableMeta(type):
    def __instancecheck__(cls, obj: Any) -> bool:
        return isinstance(obj, Tensor)


class Variable(metaclass=_VariableMeta):
    """``Variable(t, requires_grad=False)``: ``t`` detached (sharing its memory) with
    ``requires_grad`` set. Every tensor is an instance, as in PyTorch since 0.4."""

    def __new__(  # type: ignore[misc]
        cls, data: Tensor, requires_grad: bool = False, volatile: bool = False
    ) -> Tensor:
        if not isinstance(data, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        if volatile:
            warnings.warn(
                "volatile was removed and now has no effect. Use `with minigrad.no_grad():` "
                "instead.",
                UserWarning,
                stacklevel=2,
            )
        return data.detach().requires_grad_(requires_grad)
