"""Function forms of the indexing, shape and linear-algebra operations added for
PyTorch compatibility (``minigrad.gather``, ``minigrad.einsum``, ...)."""

from __future__ import annotations

__all__: list[str] = []
