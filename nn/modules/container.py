"""``torch.nn.modules.container``'s import path for minigrad's classes."""

from __future__ import annotations

from ..container import (
    ModuleDict,
    ModuleList,
    ParameterDict,
    ParameterList,
    Sequential,
)

__all__ = [
    "Sequential",
    "ModuleList",
    "ModuleDict",
    "ParameterList",
    "ParameterDict",
]
