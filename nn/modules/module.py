"""``torch.nn.modules.module``'s import path for minigrad's classes."""

from __future__ import annotations

from ..module import (
    Module,
)

__all__ = [
    "Module",
]
