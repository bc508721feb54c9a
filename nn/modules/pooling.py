"""``torch.nn.modules.pooling``'s import path for minigrad's classes."""

from __future__ import annotations

from ..pooling import (
    AdaptiveAvgPool1d,
    AdaptiveAvgPool2d,
    AdaptiveMaxPool1d,
    AdaptiveMaxPool2d,
    AvgPool1d,
    AvgPool2d,
    MaxPool1d,
    MaxPool2d,
)
from ..pooling import _AdaptiveAvgPoolNd as _AdaptiveAvgPoolNd
from ..pooling import _AdaptiveMaxPoolNd as _AdaptiveMaxPoolNd
from ..pooling import _MaxPoolNd as _MaxPoolNd

__all__ = [
    "MaxPool1d",
    "MaxPool2d",
    "AvgPool1d",
    "AvgPool2d",
    "AdaptiveAvgPool1d",
    "AdaptiveAvgPool2d",
    "AdaptiveMaxPool1d",
    "AdaptiveMaxPool2d",
]
