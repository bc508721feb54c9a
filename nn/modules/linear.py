"""``torch.nn.modules.linear``'s import path for minigrad's classes."""

from __future__ import annotations

from ..linear import (
    Bilinear,
    Identity,
    Linear,
)

__all__ = [
    "Identity",
    "Linear",
    "Bilinear",
]
