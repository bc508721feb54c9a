"""``torch.nn.modules.batchnorm``'s import path for minigrad's classes."""

from __future__ import annotations

from ..normalization import (
    BatchNorm1d,
    BatchNorm2d,
    BatchNorm3d,
)
from ..normalization import _BatchNorm as _BatchNorm
from ..normalization import _NormBase as _NormBase

__all__ = [
    "BatchNorm1d",
    "BatchNorm2d",
    "BatchNorm3d",
]
