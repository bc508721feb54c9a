"""Normalisation layers: BatchNorm1d/2d, LayerNorm, GroupNorm, as torch.nn."""

from __future__ import annotations

__all__: list[str] = []
