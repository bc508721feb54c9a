"""``Dropout``, ``Dropout1d``, ``Dropout2d``: randomly zero activations (or whole channels)
in training (inverted dropout)."""

from __future__ import annotations

from minigrad.tensor import Tensor

from . import functional as F
from ._functional_norm import dropout1d, dropout2d
from .module import Module

__all__ = ["Dropout", "Dropout1d", "Dropout2d"]


class _DropoutNd(Module):
    """Holds ``p`` and ``inplace``; ``p`` must be in [0, 1]."""

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        F._check_dropout_probability(p)
        self.p = p
        self.inplace = inplace

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    """In training, zero each element with probability ``p`` and scale the rest by 1/(1 - p).

    y = x · m / (1 - p), m ~ Bernoulli(1 - p), so E[y] = x and ``eval()`` mode
    is the identity (no rescaling at test time). The mask is drawn from the
    seeded generator of the input's device (``minigrad.manual_seed``).
    ``p`` must be in [0, 1]; ``p = 1`` gives zeros.
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout(input, self.p, self.training, self.inplace)


class Dropout1d(_DropoutNd):
    """In training, zero whole channels of a (N, C, L) or (C, L) input, each with probability
    ``p``, and scale the rest by 1/(1 - p): y[n, c] = x[n, c] · m[n, c] / (1 - p).

    Channel dropout suits convolutional features, whose neighbouring values are
    correlated (Tompson et al., 2015). ``eval()`` mode is the identity.
    """

    def forward(self, input: Tensor) -> Tensor:
        return dropout1d(input, self.p, self.training, self.inplace)


class Dropout2d(_DropoutNd):
    """In training, zero whole channels of a (N, C, H, W) or (C, H, W) input, each with
    probability ``p``, and scale the rest by 1/(1 - p): y[n, c] = x[n, c] · m[n, c] / (1 - p).

    As PyTorch, a 3-D input is taken (with a warning) as (N, C, L): use
    :class:`Dropout1d` for that. ``eval()`` mode is the identity.
    """

    def forward(self, input: Tensor) -> Tensor:
        return dropout2d(input, self.p, self.training, self.inplace)
