"""``torch.nn.modules.conv``'s import path for minigrad's classes."""

from __future__ import annotations

from ..conv import (
    Conv1d,
    Conv2d,
    ConvTranspose1d,
    ConvTranspose2d,
)
from ..conv import _ConvNd as _ConvNd
from ..conv import _ConvTransposeNd as _ConvTransposeNd

__all__ = [
    "Conv1d",
    "Conv2d",
    "ConvTranspose1d",
    "ConvTranspose2d",
]
