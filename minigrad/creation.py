"""Functions that make tensors: from data, filled, ranges and random."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from minigrad import random
from minigrad.backend import Device, as_device, backend_of, get_backend
from minigrad.dtypes import DEFAULT_FLOAT, DEFAULT_INT, as_dtype, infer_dtype, is_floating
from minigrad.tensor import Tensor, _device_of_data, _host_array, _shape_arg

__all__ = [
    "tensor",
    "as_tensor",
    "from_numpy",
    "zeros",
    "ones",
    "full",
    "empty",
    "arange",
    "linspace",
    "eye",
    "rand",
    "randn",
    "randint",
    "randperm",
    "zeros_like",
    "ones_like",
    "full_like",
    "empty_like",
    "rand_like",
    "randn_like",
    "randint_like",
]

DeviceLike = str | Device | None


def _finish(array: Any, device: DeviceLike, requires_grad: bool) -> Tensor:
    """Move a host array to ``device`` and wrap it."""
    dev = as_device(device)
    t = Tensor._from_op(get_backend(dev).from_host(array, dev), None)
    return t.requires_grad_() if requires_grad else t


def tensor(
    data: Any, dtype: Any = None, device: DeviceLike = None, requires_grad: bool = False
) -> Tensor:
    """A new tensor holding a copy of ``data`` (PyTorch's dtype policy).

    Without ``dtype``: Python floats and lists of them give the default float dtype
    (float32, see :func:`set_default_dtype`), Python integers int64, bools bool;
    NumPy arrays and tensors keep their dtype (float64 stays float64). The device
    defaults to that of ``data`` when it is already a device array or tensor.
    """
    if device is None:
        device = _device_of_data(data)
    host = _host_array(data)
    if dtype is not None:
        dt = as_dtype(dtype)
    elif isinstance(data, Tensor) or _is_array(data):
        dt = as_dtype(host.dtype)  # an array or a tensor keeps its dtype
    else:
        dt = infer_dtype(host)
    if requires_grad and not is_floating(dt):
        raise RuntimeError(
            f"only Tensors of floating point dtype can require gradients, got {dt}; pass "
            "dtype=minigrad.float32 or float data"
        )
    return _finish(np.array(host, dtype=dt), device, requires_grad)


def _is_array(data: Any) -> bool:
    """Whether ``data`` is an array of NumPy or of a device backend (not a Python list)."""
    if isinstance(data, np.ndarray | np.generic):
        return True
    try:
        backend_of(data)
    except TypeError:
        return False
    return True


def as_tensor(data: Any, dtype: Any = None, device: DeviceLike = None) -> Tensor:
    """Like :func:`tensor`, but without a copy when it can: ``data`` itself when it is a
    tensor that fits, and a tensor sharing memory with a NumPy array of the same dtype
    on the CPU (or a device array on its device)."""
    if _is_array(data) and not isinstance(data, np.generic):
        wanted = None if dtype is None else as_dtype(dtype)
        same_device = device is None or as_device(device) == _device_of_data(data)
        if same_device and (wanted is None or wanted == data.dtype):
            as_dtype(data.dtype)  # refuses object, complex and string arrays
            return Tensor._from_op(data)
    if (
        isinstance(data, Tensor)
        and (dtype is None or as_dtype(dtype) == data.dtype)
        and (device is None or as_device(device) == data.device)
    ):
        return data
    return tensor(data, dtype=dtype, device=device)


def from_numpy(array: np.ndarray) -> Tensor:
    """A CPU tensor sharing memory with ``array``, keeping its dtype."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy expects a numpy.ndarray, got {type(array).__name__}")
    as_dtype(array.dtype)  # refuses object, complex and string arrays
    return Tensor._from_op(array, None)


def _filled(
    fill: Any, shape: Any, dtype: Any, device: DeviceLike, requires_grad: bool, default: np.dtype
) -> Tensor:
    dt = as_dtype(dtype) if dtype is not None else default
    return _finish(np.full(_shape_arg(shape), fill, dtype=dt), device, requires_grad)


def zeros(
    *size: Any, dtype: Any = None, device: DeviceLike = None, requires_grad: bool = False
) -> Tensor:
    """A tensor of zeros (float32 unless ``dtype`` says otherwise)."""
    return _filled(0, size, dtype, device, requires_grad, DEFAULT_FLOAT)


def ones(
    *size: Any, dtype: Any = None, device: DeviceLike = None, requires_grad: bool = False
) -> Tensor:
    """A tensor of ones (float32 unless ``dtype`` says otherwise)."""
    return _filled(1, size, dtype, device, requires_grad, DEFAULT_FLOAT)


def empty(
    *size: Any, dtype: Any = None, device: DeviceLike = None, requires_grad: bool = False
) -> Tensor:
    """A tensor whose contents are unspecified (here: zeros)."""
    return zeros(*size, dtype=dtype, device=device, requires_grad=requires_grad)


def full(
    size: Sequence[int],
    fill_value: Any,
    dtype: Any = None,
    device: DeviceLike = None,
    requires_grad: bool = False,
) -> Tensor:
    """A tensor filled with ``fill_value`` (dtype inferred from it as :func:`tensor` does)."""
    return _filled(fill_value, (size,), dtype, device, requires_grad, infer_dtype(fill_value))


def arange(
    start: float,
    end: float | None = None,
    step: float = 1,
    dtype: Any = None,
    device: DeviceLike = None,
    requires_grad: bool = False,
) -> Tensor:
    """Values from ``start`` (inclusive) to ``end`` (exclusive) in steps of ``step``."""
    if end is None:
        start, end = 0, start
    if step == 0:
        raise ValueError("arange: step must be nonzero")
    default = DEFAULT_INT if all(isinstance(v, int) for v in (start, end, step)) else DEFAULT_FLOAT
    dt = as_dtype(dtype) if dtype is not None else default
    return _finish(np.arange(start, end, step).astype(dt), device, requires_grad)


def linspace(
    start: float,
    end: float,
    steps: int,
    dtype: Any = None,
    device: DeviceLike = None,
    requires_grad: bool = False,
) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive."""
    dt = as_dtype(dtype) if dtype is not None else DEFAULT_FLOAT
    return _finish(np.linspace(start, end, steps).astype(dt), device, requires_grad)


def eye(
    n: int,
    m: int | None = None,
    dtype: Any = None,
    device: DeviceLike = None,
    requires_grad: bool = False,
) -> Tensor:
    """The n×m identity matrix."""
    dt = as_dtype(dtype) if dtype is not None else DEFAULT_FLOAT
    return _finish(np.eye(n, m, dtype=dt), device, requires_grad)


def _random(
    draw: str,
    size: tuple,
    dtype: Any,
    device: DeviceLike,
    requires_grad: bool,
    generator: random.Generator | None,
) -> Tensor:
    dt = as_dtype(dtype) if dtype is not None else DEFAULT_FLOAT
    if not is_floating(dt):
        raise TypeError(f"{draw}: dtype must be a floating point dtype, got {dt}")
    gen = random.draws_from(generator, device, draw)
    method = gen.random if draw == "rand" else gen.standard_normal
    t = Tensor._from_op(method(_shape_arg(size), dtype=dt), None)
    return t.requires_grad_() if requires_grad else t


def rand(
    *size: Any,
    generator: random.Generator | None = None,
    dtype: Any = None,
    device: DeviceLike = None,
    requires_grad: bool = False,
) -> Tensor:
    """Samples of U[0, 1) from ``generator`` or else the device's seeded generator."""
    return _random("rand", size, dtype, device, requires_grad, generator)


def randn(
    *size: Any,
    generator: random.Generator | None = None,
    dtype: Any = None,
    device: DeviceLike = None,
    requires_grad: bool = False,
) -> Tensor:
    """Samples of N(0, 1) from ``generator`` or else the device's seeded generator."""
    return _random("randn", size, dtype, device, requires_grad, generator)


def randint(
    low: int,
    high: Any = None,
    size: Sequence[int] = (),
    *,
    generator: random.Generator | None = None,
    dtype: Any = None,
    device: DeviceLike = None,
) -> Tensor:
    """Integers uniform in [low, high) (``randint(high, size)`` means low = 0)."""
    if high is None:
        low, high = 0, low
    elif isinstance(high, Sequence) and not size:  # randint(high, size), as torch.randint(10, (3,))
        low, high, size = 0, low, high
    if high <= low:
        raise ValueError(f"randint: need low < high, got low={low}, high={high}")
    dt = as_dtype(dtype) if dtype is not None else DEFAULT_INT
    gen = random.draws_from(generator, device, "randint")
    return Tensor._from_op(
        gen.integers(low, high, size=tuple(size), dtype=np.int64).astype(dt), None
    )


def randperm(
    n: int,
    *,
    generator: random.Generator | None = None,
    dtype: Any = None,
    device: DeviceLike = None,
) -> Tensor:
    """A random permutation of 0..n-1 (int64), from ``generator`` or the device's default."""
    if n < 0:
        raise ValueError(f"randperm: n must be non-negative, got {n}")
    dt = as_dtype(dtype) if dtype is not None else DEFAULT_INT
    perm = random.draws_from(generator, device, "randperm").permutation(n)
    return Tensor._from_op(perm.astype(dt), None)


def _like(
    make: Any,
    other: Tensor,
    *args: Any,
    dtype: Any = None,
    device: DeviceLike = None,
    **kwargs: Any,
) -> Tensor:
    return make(
        *args,
        dtype=dtype if dtype is not None else other.dtype,
        device=device if device is not None else other.device,
        **kwargs,
    )


def zeros_like(
    input: Tensor, dtype: Any = None, device: DeviceLike = None, requires_grad: bool = False
) -> Tensor:
    """Zeros of ``input``'s shape, dtype and device."""
    return _like(zeros, input, input.shape, dtype=dtype, device=device, requires_grad=requires_grad)


def ones_like(
    input: Tensor, dtype: Any = None, device: DeviceLike = None, requires_grad: bool = False
) -> Tensor:
    """Ones of ``input``'s shape, dtype and device."""
    return _like(ones, input, input.shape, dtype=dtype, device=device, requires_grad=requires_grad)


def empty_like(
    input: Tensor, dtype: Any = None, device: DeviceLike = None, requires_grad: bool = False
) -> Tensor:
    """An unspecified tensor of ``input``'s shape, dtype and device."""
    return zeros_like(input, dtype=dtype, device=device, requires_grad=requires_grad)


def full_like(
    input: Tensor,
    fill_value: Any,
    dtype: Any = None,
    device: DeviceLike = None,
    requires_grad: bool = False,
) -> Tensor:
    """``fill_value`` in ``input``'s shape, dtype and device."""
    return _like(
        full,
        input,
        input.shape,
        fill_value,
        dtype=dtype,
        device=device,
        requires_grad=requires_grad,
    )


def rand_like(
    input: Tensor, dtype: Any = None, device: DeviceLike = None, requires_grad: bool = False
) -> Tensor:
    """U[0, 1) samples in ``input``'s shape, dtype and device."""
    return _like(rand, input, input.shape, dtype=dtype, device=device, requires_grad=requires_grad)


def randn_like(
    input: Tensor, dtype: Any = None, device: DeviceLike = None, requires_grad: bool = False
) -> Tensor:
    """N(0, 1) samples in ``input``'s shape, dtype and device."""
    return _like(randn, input, input.shape, dtype=dtype, device=device, requires_grad=requires_grad)


def randint_like(
    input: Tensor, low: int, high: int | None = None, dtype: Any = None, device: DeviceLike = None
) -> Tensor:
    """Random integers in ``input``'s shape, dtype and device."""
    return _like(randint, input, low, high, input.shape, dtype=dtype, device=device)
