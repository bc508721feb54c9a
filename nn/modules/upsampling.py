"""``torch.nn.modules.upsampling``'s import path for minigrad's classes."""

from __future__ import annotations

from ..upsampling import (
    Upsample,
    UpsamplingBilinear2d,
    UpsamplingNearest2d,
)

__all__ = [
    "Upsample",
    "UpsamplingNearest2d",
    "UpsamplingBilinear2d",
]
