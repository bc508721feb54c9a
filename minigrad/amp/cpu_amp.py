"""``minigrad.cpu.amp``: the deprecated spelling ``minigrad.cpu.amp.autocast`` (it warns
with a FutureWarning, as PyTorch)."""

from __future__ import annotations

import warnings
from typing import Any

from minigrad.amp import autocast_mode

__all__ = ["autocast"]


class autocast(autocast_mode.autocast):
    """Deprecated: ``minigrad.amp.autocast('cpu', ...)``; the same semantics (dtype must be
    ``minigrad.float16``: minigrad has no bfloat16)."""

    def __init__(self, enabled: bool = True, dtype: Any = None, cache_enabled: bool = True) -> None:
        warnings.warn(
            "`minigrad.cpu.amp.autocast(args...)` is deprecated. Please use "
            "`minigrad.amp.autocast('cpu', args...)` instead.",
            FutureWarning,
            stacklevel=2,
        )
        super().__init__("cpu", dtype=dtype, enabled=enabled, cache_enabled=cache_enabled)
