"""The Bernoulli distribution, as ``torch.distributions.Bernoulli``."""

from __future__ import annotations

import math
from typing import Any

import minigrad
from minigrad.distributions import constraints
from minigrad.distributions.distribution import Distribution
from minigrad.distributions.utils import (
    broadcast_all,
    lazy_property,
    logits_to_probs,
    probs_to_logits,
    softplus,
)
from minigrad.size import Size
from minigrad.tensor import Tensor

__all__ = ["Bernoulli"]


class Bernoulli(Distribution):
    """1 with probability p and 0 with probability 1 − p, given either ``probs`` p or
    ``logits`` x = log(p / (1 − p)) (exactly one of them):

        log p(k) = k·x − softplus(x) = k log p + (1 − k) log(1 − p),  k ∈ {0, 1}

    with softplus(x) = log(1 + eˣ); mean p, variance p(1 − p), entropy
    softplus(x) − p·x = −p log p − (1 − p) log(1 − p). Samples are 0. or 1. in the dtype
    of the parameter.

    Args:
        probs: the probability p ∈ [0, 1] of a 1 (a number or a tensor).
        logits: the log-odds x of a 1 (a number or a tensor).
        validate_args: check the arguments (see :class:`Distribution`).
    """

    arg_constraints = {"probs": constraints.unit_interval, "logits": constraints.real}
    support = constraints.boolean
    has_enumerate_support = True

    def __init__(
        self, probs: Any = None, logits: Any = None, validate_args: bool | None = None
    ) -> None:
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        if probs is not None:
            (self.probs,) = broadcast_all(probs)
            self._param = self.probs
        else:
            (self.logits,) = broadcast_all(logits)
            self._param = self.logits
        super().__init__(Size(self._param.shape), validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Bernoulli:
        new = self._get_checked_instance(Bernoulli, _instance)
        batch_shape = Size(batch_shape)
        if "probs" in self.__dict__:
            new.probs = self.probs.expand(batch_shape)
            new._param = new.probs
        if "logits" in self.__dict__:
            new.logits = self.logits.expand(batch_shape)
            new._param = new.logits
        Distribution.__init__(new, batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @lazy_property
    def logits(self) -> Tensor:
        """The log-odds log p − log(1 − p) (p clamped into [ε, 1 − ε])."""
        return probs_to_logits(self.probs, is_binary=True)

    @lazy_property
    def probs(self) -> Tensor:
        """The probability of a 1, σ(x) = 1 / (1 + e⁻ˣ)."""
        return logits_to_probs(self.logits, is_binary=True)

    @property
    def param_shape(self) -> Size:
        """The shape of the parameter."""
        return Size(self._param.shape)

    @property
    def mean(self) -> Tensor:
        """p."""
        return self.probs

    @property
    def mode(self) -> Tensor:
        """1 where p > ½, 0 where p < ½, NaN where p = ½."""
        probs = self.probs
        mode = (probs >= 0.5).to(probs.dtype)
        return minigrad.where(probs == 0.5, math.nan, mode)

    @property
    def variance(self) -> Tensor:
        """p(1 − p)."""
        return self.probs * (1 - self.probs)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        """1. where u < p, else 0., u ~ U[0, 1) of shape ``sample_shape + batch_shape``."""
        shape = self._extended_shape(sample_shape)
        with minigrad.no_grad():
            probs = self.probs.detach()
            u = minigrad.rand(shape, dtype=probs.dtype, device=probs.device)
            return (u < probs.expand(shape)).to(probs.dtype)

    def log_prob(self, value: Any) -> Tensor:
        """k·x − softplus(x), x the logits: minus the binary cross-entropy with logits."""
        if self._validate_args:
            self._validate_sample(value)
        logits, value = broadcast_all(self.logits, value)
        return value * logits - softplus(logits)

    def entropy(self) -> Tensor:
        """softplus(x) − p·x = −p log p − (1 − p) log(1 − p)."""
        return softplus(self.logits) - self.probs * self.logits

    def enumerate_support(self, expand: bool = True) -> Tensor:
        """The values 0. and 1., along dimension 0."""
        values = minigrad.arange(2, dtype=self._param.dtype, device=self._param.device)
        values = values.reshape((-1,) + (1,) * len(self._batch_shape))
        if expand:
            values = values.expand((-1,) + tuple(self._batch_shape))
        return values
