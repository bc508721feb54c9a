"""Utilities, as ``torch.utils``: :mod:`minigrad.utils.data` (datasets and data loading)."""

from minigrad.utils import data
