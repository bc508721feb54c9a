"""Function forms of the element-wise and reduction operations added for PyTorch
compatibility (``minigrad.sin(x)``, ``minigrad.logsumexp(x, dim)``, ...)."""

from __future__ import annotations

__all__: list[str] = []
