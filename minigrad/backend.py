"""Devices and array backends.

A tensor's data is one array of one backend: NumPy on ``cpu``, CuPy on ``cuda``.
Everything that computes on raw arrays asks this module for the namespace of its
inputs (:func:`get_array_module`) instead of naming ``numpy``; this is the only
module that imports CuPy, and only when a CUDA device is first asked for.

For tests without a GPU, :func:`use_strict_cuda` makes the ``cuda`` device run on
:mod:`minigrad._strict`, a NumPy-backed array type that refuses implicit
conversion to and from host arrays exactly where CuPy does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "Backend",
    "Device",
    "as_device",
    "backend_of",
    "get_array_module",
    "get_backend",
    "to_host",
    "use_strict_cuda",
    "cuda_unavailable_reason",
]


@dataclass(frozen=True)
class Device:
    """A device a tensor lives on: ``Device("cpu")`` or ``Device("cuda", 0)``."""

    type: str
    index: int | None = None

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self) -> str:
        return f"device(type='{self.type}'" + (
            ")" if self.index is None else f", index={self.index})"
        )

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            try:
                other = as_device(other)
            except ValueError:
                return False
        if not isinstance(other, Device):
            return NotImplemented
        return self.type == other.type and (self.index or 0) == (other.index or 0)

    def __hash__(self) -> int:
        return hash((self.type, self.index or 0))


CPU = Device("cpu")


def as_device(spec: str | Device | None) -> Device:
    """Parse ``"cpu"``, ``"cuda"``, ``"cuda:N"`` or a :class:`Device`."""
    if spec is None:
        return CPU
    if isinstance(spec, Device):
        return spec
    if not isinstance(spec, str):
        raise TypeError(f"device must be a string like 'cpu' or 'cuda:0', got {spec!r}")
    kind, _, index = spec.partition(":")
    if kind == "cpu" and not index:
        return CPU
    if kind == "cuda":
        if not index:
            return Device("cuda", 0)
        if index.isdigit():
            return Device("cuda", int(index))
    raise ValueError(f"unknown device {spec!r}: expected 'cpu', 'cuda' or 'cuda:N'")


class Backend:
    """One array library: its namespace ``xp`` and the few operations that differ."""

    name: str
    device_type: str
    xp: Any
    array_type: type

    def device_of(self, array: Any) -> Device:
        return CPU

    def from_host(self, array: np.ndarray, device: Device) -> Any:
        """Copy a host NumPy array onto ``device``."""
        raise NotImplementedError

    def to_host(self, array: Any) -> np.ndarray:
        """Copy an array of this backend to a host NumPy array."""
        raise NotImplementedError

    def scatter_add(self, target: Any, index: Any, values: Any) -> None:
        """``target[index] += values`` with repeated indices accumulating (in place)."""
        raise NotImplementedError

    def generator(self, seed: int | None, device: Device) -> Any:
        """A random generator with NumPy's ``Generator`` method names."""
        raise NotImplementedError

    def device_count(self) -> int:
        return 1

    def data_ptr(self, array: Any) -> int:
        """The address of the array's first element."""
        raise NotImplementedError


class NumpyBackend(Backend):
    name = "numpy"
    device_type = "cpu"
    xp = np
    array_type = np.ndarray

    def from_host(self, array: np.ndarray, device: Device) -> np.ndarray:
        return np.asarray(array)  # NumPy scalars become 0-d arrays

    def to_host(self, array: np.ndarray) -> np.ndarray:
        return np.asarray(array)

    def scatter_add(self, target: np.ndarray, index: Any, values: np.ndarray) -> None:
        np.add.at(target, index, values)

    def generator(self, seed: int | None, device: Device) -> np.random.Generator:
        return np.random.Generator(np.random.PCG64(seed))

    def data_ptr(self, array: np.ndarray) -> int:
        return int(array.__array_interface__["data"][0])


class StrictBackend(Backend):
    """The ``cuda`` device simulated on the host by :mod:`minigrad._strict` (tests)."""

    name = "strict"
    device_type = "cuda"

    def __init__(self) -> None:
        from minigrad import _strict

        self._strict = _strict
        self.xp = _strict.namespace
        self.array_type = _strict.StrictArray

    def device_of(self, array: Any) -> Device:
        return Device("cuda", 0)

    def from_host(self, array: np.ndarray, device: Device) -> Any:
        return self._strict.StrictArray(np.array(array))

    def to_host(self, array: Any) -> np.ndarray:
        return array.get()

    def scatter_add(self, target: Any, index: Any, values: Any) -> None:
        self._strict.scatter_add(target, index, values)

    def generator(self, seed: int | None, device: Device) -> Any:
        return self._strict.Generator(seed)

    def data_ptr(self, array: Any) -> int:
        return int(array._a.__array_interface__["data"][0])


class CupyBackend(Backend):
    """CuPy on an NVIDIA GPU."""

    name = "cupy"
    device_type = "cuda"

    def __init__(self, cupy: Any) -> None:
        import cupyx  # noqa: F401  (ships with cupy)

        self.xp = cupy
        self._cupyx = cupyx
        self.array_type = cupy.ndarray

    def device_of(self, array: Any) -> Device:
        return Device("cuda", array.device.id)

    def from_host(self, array: np.ndarray, device: Device) -> Any:
        with self.xp.cuda.Device(device.index or 0):
            return self.xp.asarray(array)

    def to_host(self, array: Any) -> np.ndarray:
        return array.get()

    def scatter_add(self, target: Any, index: Any, values: Any) -> None:
        self._cupyx.scatter_add(target, index, values)

    def device_count(self) -> int:
        return int(self.xp.cuda.runtime.getDeviceCount())

    def data_ptr(self, array: Any) -> int:
        return int(array.data.ptr)

    def generator(self, seed: int | None, device: Device) -> Any:
        with self.xp.cuda.Device(device.index or 0):
            return _CupyGenerator(self.xp.random.RandomState(seed))


class _CupyGenerator:
    """CuPy's ``RandomState`` behind the NumPy ``Generator`` method names used here."""

    def __init__(self, state: Any) -> None:
        self._state = state

    def random(self, size: tuple[int, ...], dtype: Any = np.float64) -> Any:
        return self._state.random_sample(size, dtype=dtype)

    def standard_normal(self, size: tuple[int, ...], dtype: Any = np.float64) -> Any:
        return self._state.standard_normal(size, dtype=dtype)

    def integers(self, low: int, high: int, size: tuple[int, ...], dtype: Any = np.int64) -> Any:
        return self._state.randint(low, high, size=size, dtype=dtype)

    def permutation(self, n: int) -> Any:
        return self._state.permutation(n)


NUMPY = NumpyBackend()
_cuda_backend: Backend | None = None
_cuda_reason: str | None = None
_BY_ARRAY_TYPE: dict[type, Backend] = {np.ndarray: NUMPY}


def _load_cuda_backend() -> Backend | None:
    """Import CuPy on first use and check that a GPU answers; remember why not."""
    global _cuda_backend, _cuda_reason
    if _cuda_backend is not None or _cuda_reason is not None:
        return _cuda_backend
    try:
        import cupy

        if cupy.cuda.runtime.getDeviceCount() < 1:
            raise RuntimeError("CuPy found no CUDA device")
        cupy.zeros(1).sum().item()  # a GPU that is listed but cannot run fails here
    except Exception as exc:  # ImportError, CUDA driver errors, ...
        _cuda_reason = f"{type(exc).__name__}: {exc}"
        return None
    _register_cuda(CupyBackend(cupy))
    return _cuda_backend


def _register_cuda(backend: Backend) -> None:
    global _cuda_backend, _cuda_reason
    if _cuda_backend is not None:
        _BY_ARRAY_TYPE.pop(_cuda_backend.array_type, None)
    _cuda_backend, _cuda_reason = backend, None
    _BY_ARRAY_TYPE[backend.array_type] = backend


def use_strict_cuda() -> None:
    """Run the ``cuda`` device on the strict host-backed test backend (for tests)."""
    _register_cuda(StrictBackend())


def cuda_unavailable_reason() -> str | None:
    """Why no CUDA device can be used, or None when one can."""
    _load_cuda_backend()
    return _cuda_reason


def get_backend(device: str | Device | None) -> Backend:
    """The backend that holds arrays of ``device``; a clear error when it cannot."""
    dev = as_device(device)
    if dev.type == "cpu":
        return NUMPY
    backend = _load_cuda_backend()
    if backend is None:
        raise RuntimeError(
            f"device {dev} is not available ({_cuda_reason}); "
            "install the GPU extra with `pip install minigrad[gpu]` on a machine with "
            "an NVIDIA GPU, or use device='cpu'"
        )
    return backend


def backend_of(array: Any) -> Backend:
    """The backend an array belongs to."""
    try:
        return _BY_ARRAY_TYPE[type(array)]
    except KeyError:
        if isinstance(array, np.generic):
            return NUMPY
        raise TypeError(f"not an array of any minigrad backend: {type(array).__name__}") from None


def get_array_module(array: Any) -> Any:
    """The array namespace (``numpy`` or ``cupy``) of ``array``."""
    return backend_of(array).xp


def to_host(array: Any) -> np.ndarray:
    """Copy an array of any backend to a host NumPy array (no copy for NumPy)."""
    return backend_of(array).to_host(array)


def array_of(tensor: Any) -> Any:
    """The backend array (NumPy or CuPy) that holds a tensor's values (no copy).

    The one place outside the engine that reaches a tensor's storage, which the
    engine keeps in ``Tensor._array``.
    """
    return tensor._array
