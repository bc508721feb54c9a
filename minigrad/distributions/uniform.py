"""The continuous uniform distribution, as ``torch.distributions.Uniform``."""

from __future__ import annotations

import math
from typing import Any

import minigrad
from minigrad.distributions import constraints
from minigrad.distributions.distribution import Distribution
from minigrad.distributions.utils import broadcast_all
from minigrad.size import Size
from minigrad.tensor import Tensor

__all__ = ["Uniform"]


class Uniform(Distribution):
    """The uniform distribution on the half-open interval [a, b) = [``low``, ``high``):

        log p(x) = −log(b − a) for a ≤ x < b, −∞ elsewhere

    mean (a + b)/2, variance (b − a)²/12, entropy log(b − a). ``rsample`` returns
    a + (b − a)·u with u ~ U[0, 1), differentiable with respect to a and b.

    Args:
        low: the lower end a, included (a number or a tensor).
        high: the upper end b > a, excluded (a number or a tensor).
        validate_args: check the arguments (see :class:`Distribution`).
    """

    has_rsample = True

    @property
    def arg_constraints(self) -> dict[str, constraints.Constraint]:
        """``low`` < ``high`` and ``high`` > ``low``."""
        return {
            "low": constraints.less_than(self.high),
            "high": constraints.greater_than(self.low),
        }

    def __init__(self, low: Any, high: Any, validate_args: bool | None = None) -> None:
        self.low, self.high = broadcast_all(low, high)
        super().__init__(Size(self.low.shape), validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Uniform:
        new = self._get_checked_instance(Uniform, _instance)
        batch_shape = Size(batch_shape)
        new.low = self.low.expand(batch_shape)
        new.high = self.high.expand(batch_shape)
        Distribution.__init__(new, batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @constraints.dependent_property(is_discrete=False, event_dim=0)
    def support(self) -> constraints.Constraint:
        """The interval [``low``, ``high``]."""
        return constraints.interval(self.low, self.high)

    @property
    def mean(self) -> Tensor:
        """(a + b)/2."""
        return (self.high + self.low) / 2

    @property
    def mode(self) -> Tensor:
        """NaN: every point of [a, b) is a mode."""
        return math.nan * self.high

    @property
    def stddev(self) -> Tensor:
        """(b − a)/√12."""
        return (self.high - self.low) / 12**0.5

    @property
    def variance(self) -> Tensor:
        """(b − a)²/12."""
        return (self.high - self.low).pow(2) / 12

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        """a + (b − a)·u, u ~ U[0, 1) of shape ``sample_shape + batch_shape``."""
        shape = self._extended_shape(sample_shape)
        u = minigrad.rand(shape, dtype=self.low.dtype, device=self.low.device)
        return self.low + u * (self.high - self.low)

    def log_prob(self, value: Any) -> Tensor:
        """log 1[a ≤ x < b] − log(b − a)."""
        if self._validate_args:
            self._validate_sample(value)
        inside = (self.low <= value).type_as(self.low) * (self.high > value).type_as(self.low)
        return inside.log() - (self.high - self.low).log()

    def cdf(self, value: Any) -> Tensor:
        """(x − a)/(b − a), clamped to [0, 1]."""
        if self._validate_args:
            self._validate_sample(value)
        return ((value - self.low) / (self.high - self.low)).clamp(min=0, max=1)

    def icdf(self, value: Any) -> Tensor:
        """a + q·(b − a)."""
        return value * (self.high - self.low) + self.low

    def entropy(self) -> Tensor:
        """log(b − a)."""
        return (self.high - self.low).log()
