"""``torch.nn.modules.pixelshuffle``'s import path for minigrad's classes."""

from __future__ import annotations

from ..upsampling import (
    PixelShuffle,
    PixelUnshuffle,
)

__all__ = [
    "PixelShuffle",
    "PixelUnshuffle",
]
