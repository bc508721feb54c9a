"""Embedding, as torch.nn.Embedding."""

from __future__ import annotations

__all__: list[str] = []
