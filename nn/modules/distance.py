"""``torch.nn.modules.distance``'s import path for minigrad's classes."""

from __future__ import annotations

from ..loss import (
    CosineSimilarity,
    PairwiseDistance,
)

__all__ = [
    "CosineSimilarity",
    "PairwiseDistance",
]
