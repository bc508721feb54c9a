"""The autocast state of the calling thread: which device types autocast, to which dtype.

Every thread starts with autocast off, as in PyTorch. :class:`minigrad.autocast`
changes the state for a ``with`` block; the operations read :data:`state.active`
first (one thread-local attribute read), so they cost nothing more while autocast
is off.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from minigrad.dtypes import as_dtype, float16

__all__ = [
    "DEVICE_TYPES",
    "state",
    "is_autocast_enabled",
    "get_autocast_dtype",
    "get_autocast_gpu_dtype",
    "get_autocast_cpu_dtype",
    "is_autocast_cache_enabled",
    "suspended",
]

#: The device types minigrad can autocast, as PyTorch's ``torch.amp.is_autocast_available``.
DEVICE_TYPES = ("cpu", "cuda")


class _AutocastState(threading.local):
    """Per-thread autocast settings; ``__init__`` runs once in each thread that reads them."""

    def __init__(self) -> None:
        self.active = False  # some device type autocasts now (the operations' fast check)
        self.enabled = dict.fromkeys(DEVICE_TYPES, False)
        # PyTorch's CPU default is bfloat16, which minigrad lacks: the dtype that an
        # autocast(device_type='cpu') without a dtype asks for is reported as float16.
        self.dtype: dict[str, Any] = dict.fromkeys(DEVICE_TYPES, float16)
        self.cache_enabled = True
        self.nesting = 0  # open autocast blocks; the cast cache empties when it drops to 0
        self.cache: dict[tuple[int, Any], tuple[Any, Any]] = {}

    def refresh(self) -> None:
        """Recompute :attr:`active` after a change of :attr:`enabled`."""
        self.active = any(self.enabled.values())


state = _AutocastState()


def _check_device_type(device_type: str) -> str:
    if device_type not in DEVICE_TYPES:
        raise RuntimeError(
            f"Expected one of {', '.join(DEVICE_TYPES)} device type for autocast, "
            f"got device_type={device_type!r}"
        )
    return device_type


def is_autocast_enabled(device_type: str = "cuda") -> bool:
    """Whether autocast is on for ``device_type`` in this thread (``'cuda'`` by default, as
    PyTorch's ``torch.is_autocast_enabled()``)."""
    return state.enabled[_check_device_type(device_type)]


def get_autocast_dtype(device_type: str) -> Any:
    """The dtype that lower-precision operations on ``device_type`` cast to (float16)."""
    return state.dtype[_check_device_type(device_type)]


def get_autocast_gpu_dtype() -> Any:
    """``get_autocast_dtype('cuda')`` (PyTorch's older spelling)."""
    return state.dtype["cuda"]


def get_autocast_cpu_dtype() -> Any:
    """``get_autocast_dtype('cpu')`` (PyTorch's older spelling)."""
    return state.dtype["cpu"]


def is_autocast_cache_enabled() -> bool:
    """Whether casts of leaf parameters are reused within an autocast block."""
    return state.cache_enabled


def set_dtype(device_type: str, dtype: Any) -> None:
    state.dtype[_check_device_type(device_type)] = as_dtype(dtype)


@contextmanager
def suspended() -> Iterator[None]:
    """Run the body with autocast off (an autocast operation's own inner operations, as
    PyTorch's autocast kernels exclude the autocast dispatch key); restored afterwards."""
    saved = state.active
    state.active = False
    try:
        yield
    finally:
        state.active = saved
