"""``torch.nn.modules.sparse``'s import path for minigrad's classes."""

from __future__ import annotations

from ..sparse import (
    Embedding,
    EmbeddingBag,
)

__all__ = [
    "Embedding",
    "EmbeddingBag",
]
