"""``torch.nn.modules.fold``'s import path for minigrad's classes."""

from __future__ import annotations

from ..conv import (
    Fold,
    Unfold,
)

__all__ = [
    "Fold",
    "Unfold",
]
