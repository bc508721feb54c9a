"""``torch.nn.modules.dropout``'s import path for minigrad's classes."""

from __future__ import annotations

from ..dropout import (
    Dropout,
    Dropout1d,
    Dropout2d,
)
from ..dropout import _DropoutNd as _DropoutNd

__all__ = [
    "Dropout",
    "Dropout1d",
    "Dropout2d",
]
