"""Pooling layers: MaxPool2d, AvgPool2d and the adaptive poolings, as torch.nn."""

from __future__ import annotations

__all__: list[str] = []
