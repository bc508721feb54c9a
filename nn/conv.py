"""Convolution layers: Conv1d, Conv2d, Unfold and Fold (im2col / col2im), as torch.nn."""

from __future__ import annotations

__all__: list[str] = []
