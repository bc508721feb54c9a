"""``Dropout``: randomly zero activations in training (inverted dropout)."""

from __future__ import annotations

from minigrad.tensor import Tensor

from . import functional as F
from .module import Module

__all__ = ["Dropout"]


class Dropout(Module):
    """In training, zero each element with probability ``p`` and scale the rest by 1/(1 - p).

    y = x · m / (1 - p), m ~ Bernoulli(1 - p), so E[y] = x and ``eval()`` mode
    is the identity (no rescaling at test time). The mask is drawn from the
    seeded generator of the input's device (``minigrad.manual_seed``).
    ``p`` must be in [0, 1]; ``p = 1`` gives zeros.
    """

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        F._check_dropout_probability(p)
        self.p = p
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout(input, self.p, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"
