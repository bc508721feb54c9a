"""``minigrad.cuda.amp``: the deprecated spellings ``minigrad.cuda.amp.autocast`` and
``minigrad.cuda.amp.GradScaler`` (each warns with a FutureWarning, as PyTorch)."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

from minigrad.amp import autocast_mode, custom, grad_scaler

__all__ = ["autocast", "GradScaler", "custom_fwd", "custom_bwd"]


class autocast(autocast_mode.autocast):
    """Deprecated: ``minigrad.amp.autocast('cuda', ...)``; the same semantics."""

    def __init__(self, enabled: bool = True, dtype: Any = None, cache_enabled: bool = True) -> None:
        warnings.warn(
            "`minigrad.cuda.amp.autocast(args...)` is deprecated. Please use "
            "`minigrad.amp.autocast('cuda', args...)` instead.",
            FutureWarning,
            stacklevel=2,
        )
        super().__init__("cuda", dtype=dtype, enabled=enabled, cache_enabled=cache_enabled)


class GradScaler(grad_scaler.GradScaler):
    """Deprecated: ``minigrad.amp.GradScaler('cuda', ...)``; the same semantics."""

    def __init__(
        self,
        init_scale: float = 2.0**16,
        growth_factor: float = 2.0,
        backoff_factor: float = 0.5,
        growth_interval: int = 2000,
        enabled: bool = True,
    ) -> None:
        warnings.warn(
            "`minigrad.cuda.amp.GradScaler(args...)` is deprecated. Please use "
            "`minigrad.amp.GradScaler('cuda', args...)` instead.",
            FutureWarning,
            stacklevel=2,
        )
        super().__init__(
            "cuda", init_scale, growth_factor, backoff_factor, growth_interval, enabled
        )


def custom_fwd(fwd: Callable[..., Any] | None = None, *, cast_inputs: Any = None) -> Any:
    """Deprecated: ``minigrad.amp.custom_fwd(device_type='cuda', ...)``."""
    warnings.warn(
        "`minigrad.cuda.amp.custom_fwd(args...)` is deprecated. Please use "
        "`minigrad.amp.custom_fwd(args..., device_type='cuda')` instead.",
        FutureWarning,
        stacklevel=2,
    )
    return custom.custom_fwd(fwd, device_type="cuda", cast_inputs=cast_inputs)


def custom_bwd(bwd: Callable[..., Any] | None = None) -> Any:
    """Deprecated: ``minigrad.amp.custom_bwd(device_type='cuda')``."""
    warnings.warn(
        "`minigrad.cuda.amp.custom_bwd(args...)` is deprecated. Please use "
        "`minigrad.amp.custom_bwd(args..., device_type='cuda')` instead.",
        FutureWarning,
        stacklevel=2,
    )
    return custom.custom_bwd(bwd, device_type="cuda")
