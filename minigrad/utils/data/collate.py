"""Turning samples into batches: :func:`default_collate` and :func:`default_convert`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

__all__ = ["default_collate", "default_convert"]

_COLLATE_ERROR = (
    "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}"
)


def _tensor_type() -> type:
    from minigrad.tensor import Tensor

    return Tensor


def _is_namedtuple(obj: Any) -> bool:
    return isinstance(obj, tuple) and hasattr(obj, "_fields")


def _check_numeric_array(array: np.ndarray) -> None:
    if array.dtype.kind in "SaUO":  # strings and Python objects cannot become tensors
        raise TypeError(_COLLATE_ERROR.format(array.dtype))


def _check_equal_shapes(shapes: Sequence[tuple[int, ...]]) -> None:
    for i, shape in enumerate(shapes[1:], start=1):
        if tuple(shape) != tuple(shapes[0]):
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {list(shapes[0])} at "
                f"entry 0 and {list(shape)} at entry {i} (pad the samples or pass collate_fn=)"
            )


def _same_type(template: Any, values: Any) -> Any:
    """``values`` in the container type of ``template`` when it can be built so, else as is."""
    try:
        return type(template)(values)
    except TypeError:  # a container whose constructor takes something else
        return values


def default_collate(batch: Sequence[Any]) -> Any:
    """Merge a list of samples into a batch, as ``DataLoader`` does by default (PyTorch's rules).

    - tensors are stacked along a new first dimension (on their device);
    - NumPy arrays and NumPy scalars become one tensor of their dtype;
    - Python ``float`` s a float64 tensor, ``int`` s an int64 tensor, ``bool`` s a bool tensor;
    - strings and bytes stay a list;
    - dicts are collated key by key, named tuples field by field, and other
      sequences position by position (tuples give a list of batches).
    """
    import minigrad

    if not batch:
        raise ValueError("default_collate: cannot collate an empty batch")
    elem = batch[0]
    if isinstance(elem, _tensor_type()):
        _check_equal_shapes([tuple(t.shape) for t in batch])
        return minigrad.stack(list(batch))
    if isinstance(elem, (np.ndarray, np.generic)):
        _check_numeric_array(np.asarray(elem))
        _check_equal_shapes([np.shape(b) for b in batch])
        return minigrad.from_numpy(np.stack([np.asarray(b) for b in batch]))
    if isinstance(elem, float):
        return minigrad.tensor(list(batch), dtype=minigrad.float64)
    if isinstance(elem, int):  # bool included: a bool tensor, as torch.tensor([True, ...])
        return minigrad.tensor(list(batch))
    if isinstance(elem, (str, bytes)):
        return list(batch)
    if isinstance(elem, Mapping):
        collated = {key: default_collate([d[key] for d in batch]) for key in elem}
        return _same_type(elem, collated)
    if _is_namedtuple(elem):
        return type(elem)(*(default_collate(list(field)) for field in zip(*batch, strict=True)))
    if isinstance(elem, Sequence):
        size = len(elem)
        if any(len(sample) != size for sample in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        fields = [default_collate(list(field)) for field in zip(*batch, strict=True)]
        return fields if isinstance(elem, tuple) else _same_type(elem, fields)
    raise TypeError(_COLLATE_ERROR.format(type(elem)))


def default_convert(data: Any) -> Any:
    """Turn NumPy arrays (also inside dicts, tuples and lists) into tensors; leave the rest.

    The ``DataLoader`` uses it on single samples when ``batch_size=None``.
    """
    import minigrad

    if isinstance(data, _tensor_type()):
        return data
    if isinstance(data, (np.ndarray, np.generic)):
        array = np.asarray(data)
        return data if array.dtype.kind in "SaUO" else minigrad.from_numpy(array)
    if isinstance(data, Mapping):
        return _same_type(data, {key: default_convert(value) for key, value in data.items()})
    if _is_namedtuple(data):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, Sequence) and not isinstance(data, (str, bytes)):
        return _same_type(data, [default_convert(d) for d in data])
    return data
