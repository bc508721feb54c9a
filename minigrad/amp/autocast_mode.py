"""``autocast``: run a region in mixed precision, as ``torch.autocast``."""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

from minigrad.amp.state import DEVICE_TYPES, state
from minigrad.dtypes import as_dtype, float16

__all__ = ["autocast", "is_autocast_available"]

F = TypeVar("F", bound=Callable[..., Any])

#: The lower-precision dtypes each device type can autocast to (minigrad has no bfloat16).
SUPPORTED_DTYPES = {"cpu": (float16,), "cuda": (float16,)}


def is_autocast_available(device_type: str) -> bool:
    """Whether ``device_type`` supports autocast (``'cpu'`` and ``'cuda'``)."""
    return device_type in DEVICE_TYPES


def _cuda_available() -> bool:
    from minigrad import cuda

    return cuda.is_available()


class autocast:
    """Run a ``with`` block (or a decorated function) in mixed precision.

    Inside, operations on tensors of ``device_type`` follow PyTorch's autocast op
    reference: matrix products, ``linear`` and the convolutions cast their floating
    inputs to ``dtype`` (float16); losses, softmax, norms, ``exp``/``log``/``sum``
    and friends run in float32 (the lists differ per device type:
    :data:`minigrad.amp.policy.LOWER_PRECISION`, :data:`~minigrad.amp.policy.FLOAT32`).
    The casts are differentiable, so float32 parameters get float32 gradients; wrap
    only the forward pass and the loss, and run ``backward`` outside.

    The setting is per thread and blocks nest (the previous state returns at the end
    of a block). ``dtype`` defaults to float16 for ``'cuda'`` and to bfloat16 for
    ``'cpu'``, as PyTorch; minigrad has no bfloat16, so a CPU autocast without
    ``dtype=minigrad.float16`` warns and disables itself, as PyTorch does for an
    unsupported CPU dtype. ``device_type='cuda'`` without a usable GPU warns and
    disables itself too. ``cache_enabled`` (default True) reuses the cast of a leaf
    parameter within the outermost block.

    Example::

        with minigrad.autocast(device_type="cuda", dtype=minigrad.float16):
            loss = loss_fn(model(x), y)
        scaler.scale(loss).backward()
    """

    def __init__(
        self,
        device_type: str,
        dtype: Any = None,
        enabled: bool = True,
        cache_enabled: bool | None = None,
    ) -> None:
        if not isinstance(device_type, str):
            raise ValueError(
                f"Expected `device_type` of type `str`, got: `{type(device_type).__name__}`"
            )
        if device_type not in DEVICE_TYPES:
            raise RuntimeError(
                f"User specified an unsupported autocast device_type '{device_type}': "
                f"expected one of {', '.join(repr(d) for d in DEVICE_TYPES)}"
            )
        self.device = device_type
        self.fast_dtype: Any = state.dtype[device_type] if dtype is None else as_dtype(dtype)
        self._enabled = bool(enabled)
        self._cache_enabled = state.cache_enabled if cache_enabled is None else cache_enabled
        self._saved: list[tuple[bool, Any, bool]] = []
        if not self._enabled:
            return
        if device_type == "cuda" and not _cuda_available():
            warnings.warn(
                "User provided device_type of 'cuda', but CUDA is not available. Disabling",
                UserWarning,
                stacklevel=2,
            )
            self._enabled = False
        elif dtype is None and device_type == "cpu":
            warnings.warn(
                "In CPU autocast, but the target dtype is not supported. Disabling autocast.\n"
                "CPU autocast defaults to bfloat16, which minigrad does not have: pass "
                "dtype=minigrad.float16.",
                UserWarning,
                stacklevel=2,
            )
            self._enabled = False
        elif self.fast_dtype not in SUPPORTED_DTYPES[device_type]:
            kind = "CPU" if device_type == "cpu" else "CUDA"
            warnings.warn(
                f"In {kind} autocast, but the target dtype is not supported. Disabling "
                f"autocast.\n{kind} autocast in minigrad only supports minigrad.float16 "
                "(minigrad has no bfloat16).",
                UserWarning,
                stacklevel=2,
            )
            self._enabled = False

    def __enter__(self) -> None:
        device = self.device
        self._saved.append((state.enabled[device], state.dtype[device], state.cache_enabled))
        state.enabled[device] = self._enabled
        state.dtype[device] = self.fast_dtype
        state.cache_enabled = self._cache_enabled
        state.nesting += 1
        state.refresh()

    def __exit__(self, *exc: object) -> None:
        device = self.device
        state.enabled[device], state.dtype[device], state.cache_enabled = self._saved.pop()
        state.nesting -= 1
        if state.nesting == 0:
            state.cache.clear()
        state.refresh()

    def __call__(self, func: F) -> F:
        @functools.wraps(func)
        def decorate_autocast(*args: Any, **kwargs: Any) -> Any:
            with self:
                return func(*args, **kwargs)

        return decorate_autocast  # type: ignore[return-value]

    def __repr__(self) -> str:
        return (
            f"autocast(device_type={self.device!r}, dtype={self.fast_dtype}, "
            f"enabled={self._enabled})"
        )
