"""``torch.nn.modules.normalization``'s import path for minigrad's classes."""

from __future__ import annotations

from ..normalization import (
    GroupNorm,
    LayerNorm,
    LocalResponseNorm,
    RMSNorm,
)

__all__ = [
    "LayerNorm",
    "GroupNorm",
    "LocalResponseNorm",
    "RMSNorm",
]
