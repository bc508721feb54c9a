"""``minigrad.cuda``: is a GPU usable, its seeds and memory (never raises without CuPy).

It also holds the legacy GPU tensor types (``minigrad.cuda.FloatTensor``, ...)."""

from __future__ import annotations

from typing import Any

from minigrad.backend import cuda_unavailable_reason

__all__ = [
    "is_available",
    "unavailable_reason",
    "device_count",
    "manual_seed",
    "manual_seed_all",
    "empty_cache",
    "synchronize",
]


def is_available() -> bool:
    """True when CuPy is installed and a CUDA GPU answers."""
    return cuda_unavailable_reason() is None


def unavailable_reason() -> str | None:
    """Why :func:`is_available` is False (e.g. CuPy not installed), or None."""
    return cuda_unavailable_reason()


def device_count() -> int:
    """The number of usable CUDA devices (0 without CuPy)."""
    if not is_available():
        return 0
    from minigrad.backend import get_backend

    return get_backend("cuda").device_count()


def manual_seed(seed: int) -> None:
    """Seed the GPU generators (all of them: one seed per device type here)."""
    from minigrad.random import manual_seed_device_type

    manual_seed_device_type("cuda", seed)


manual_seed_all = manual_seed


def _cupy() -> Any:
    """CuPy when it is the GPU backend (None without a GPU or on the test stand-in)."""
    if not is_available():
        return None
    from minigrad.backend import get_backend

    backend = get_backend("cuda")
    return backend.xp if backend.name == "cupy" else None


def empty_cache() -> None:
    """Give CuPy's cached, unused GPU memory back to the driver (nothing without a GPU)."""
    cupy = _cupy()
    if cupy is not None:
        cupy.get_default_memory_pool().free_all_blocks()


def synchronize() -> None:
    """Wait until the GPU has finished its queued work (nothing without a GPU)."""
    cupy = _cupy()
    if cupy is not None:
        cupy.cuda.Device().synchronize()


def __getattr__(name: str) -> type:
    """The legacy GPU tensor types (``minigrad.cuda.FloatTensor``, ...), made on first use:
    they need the Tensor class, which imports this module."""
    from minigrad.legacy import tensor_types

    types = tensor_types("cuda")
    if name not in types:
        raise AttributeError(f"module 'minigrad.cuda' has no attribute {name!r}")
    globals().update(types)
    return types[name]
