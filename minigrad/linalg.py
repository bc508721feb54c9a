"""Linear algebra, as ``torch.linalg``: norms, inverse, determinant, solve."""

from __future__ import annotations

__all__: list[str] = []
