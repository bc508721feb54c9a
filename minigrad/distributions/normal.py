"""The normal (Gaussian) distribution, as ``torch.distributions.Normal``."""

from __future__ import annotations

import math
from typing import Any

import minigrad
from minigrad.distributions import constraints
from minigrad.distributions.distribution import Distribution
from minigrad.distributions.utils import broadcast_all
from minigrad.size import Size
from minigrad.tensor import Tensor

__all__ = ["Normal"]

_LOG_SQRT_2PI = math.log(math.sqrt(2 * math.pi))


class Normal(Distribution):
    """The normal distribution N(μ, σ²) with mean ``loc`` μ and standard deviation
    ``scale`` σ > 0:

        log N(x; μ, σ) = −(x − μ)² / (2σ²) − log σ − ½ log 2π

    Its entropy is ½ + ½ log 2π + log σ. ``rsample`` returns μ + σ·ε with ε ~ N(0, 1),
    differentiable with respect to μ and σ::

        m = Normal(minigrad.tensor([0.0]), minigrad.tensor([1.0]))
        m.sample()  # tensor([0.1257])

    Args:
        loc: the mean μ (a number or a tensor).
        scale: the standard deviation σ > 0 (a number or a tensor).
        validate_args: check the arguments (see :class:`Distribution`).
    """

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, loc: Any, scale: Any, validate_args: bool | None = None) -> None:
        self.loc, self.scale = broadcast_all(loc, scale)
        super().__init__(Size(self.loc.shape), validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Normal:
        new = self._get_checked_instance(Normal, _instance)
        batch_shape = Size(batch_shape)
        new.loc = self.loc.expand(batch_shape)
        new.scale = self.scale.expand(batch_shape)
        Distribution.__init__(new, batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def mean(self) -> Tensor:
        """μ."""
        return self.loc

    @property
    def mode(self) -> Tensor:
        """μ."""
        return self.loc

    @property
    def stddev(self) -> Tensor:
        """σ."""
        return self.scale

    @property
    def variance(self) -> Tensor:
        """σ²."""
        return self.scale.pow(2)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        """μ + σ·ε, ε ~ N(0, 1) of shape ``sample_shape + batch_shape``."""
        shape = self._extended_shape(sample_shape)
        eps = minigrad.randn(shape, dtype=self.loc.dtype, device=self.loc.device)
        return self.loc + eps * self.scale

    def log_prob(self, value: Any) -> Tensor:
        """−(x − μ)² / (2σ²) − log σ − ½ log 2π."""
        if self._validate_args:
            self._validate_sample(value)
        var = self.scale**2
        return -((value - self.loc) ** 2) / (2 * var) - self.scale.log() - _LOG_SQRT_2PI

    def cdf(self, value: Any) -> Tensor:
        """Φ((x − μ)/σ) = ½ (1 + erf((x − μ) / (σ√2)))."""
        if self._validate_args:
            self._validate_sample(value)
        return 0.5 * (1 + ((value - self.loc) * self.scale.reciprocal() / math.sqrt(2)).erf())

    def entropy(self) -> Tensor:
        """½ + ½ log 2π + log σ."""
        return 0.5 + 0.5 * math.log(2 * math.pi) + self.scale.log()
