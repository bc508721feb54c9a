"""``minigrad.cuda``: is a GPU usable? (Never raises, even without CuPy.)"""

from __future__ import annotations

from minigrad.backend import cuda_unavailable_reason

__all__ = ["is_available", "unavailable_reason", "device_count"]


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
