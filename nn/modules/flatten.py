"""``torch.nn.modules.flatten``'s import path for minigrad's classes."""

from __future__ import annotations

from ..linear import (
    Flatten,
    Unflatten,
)

__all__ = [
    "Flatten",
    "Unflatten",
]
