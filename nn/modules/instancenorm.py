"""``torch.nn.modules.instancenorm``'s import path for minigrad's classes."""

from __future__ import annotations

from ..normalization import (
    InstanceNorm1d,
    InstanceNorm2d,
)
from ..normalization import _InstanceNorm as _InstanceNorm

__all__ = [
    "InstanceNorm1d",
    "InstanceNorm2d",
]
