"""The categorical distribution over {0, …, K−1}, as ``torch.distributions.Categorical``."""

from __future__ import annotations

import math
from typing import Any

import minigrad
from minigrad.distributions import constraints
from minigrad.distributions.distribution import Distribution
from minigrad.distributions.utils import lazy_property, logits_to_probs, probs_to_logits
from minigrad.size import Size
from minigrad.tensor import Tensor

__all__ = ["Categorical"]


def _check_parameter(value: Any, name: str) -> Tensor:
    if not isinstance(value, Tensor):
        raise TypeError(f"`{name}` must be a minigrad.Tensor, not {type(value).__name__}")
    if value.dim() < 1:
        raise ValueError(f"`{name}` parameter must be at least one-dimensional.")
    return value


class Categorical(Distribution):
    """The index k ∈ {0, …, K−1} drawn with probability pₖ, K = ``probs.size(-1)``; the
    leading dimensions of the parameter are a batch of distributions.

    Give exactly one of ``probs`` (non-negative weights, normalised along the last
    dimension: pₖ = wₖ / Σⱼ wⱼ) or ``logits`` (unnormalised log-probabilities,
    normalised as log pₖ = xₖ − logsumexp(x)):

        log p(k) = log pₖ,  entropy H = −Σₖ pₖ log pₖ

    Samples are int64 indices of shape ``sample_shape + batch_shape``. ``log_prob`` is
    differentiable with respect to the parameter, which is what the REINFORCE policy
    gradient needs::

        m = Categorical(policy(state))   # probs from a softmax
        action = m.sample()
        loss = -m.log_prob(action) * reward

    Args:
        probs: event weights, at least 1-D.
        logits: event log-weights, at least 1-D.
        validate_args: check the arguments (see :class:`Distribution`).
    """

    arg_constraints = {"probs": constraints.simplex, "logits": constraints.real_vector}
    has_enumerate_support = True

    def __init__(
        self,
        probs: Tensor | None = None,
        logits: Tensor | None = None,
        validate_args: bool | None = None,
    ) -> None:
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        if probs is not None:
            probs = _check_parameter(probs, "probs")
            self.probs = probs / probs.sum(-1, keepdim=True)
            self._param = self.probs
        else:
            logits = _check_parameter(logits, "logits")
            self.logits = logits - logits.logsumexp(dim=-1, keepdim=True)
            self._param = self.logits
        self._num_events = self._param.shape[-1]
        batch_shape = Size(self._param.shape[:-1])
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Categorical:
        new = self._get_checked_instance(Categorical, _instance)
        batch_shape = Size(batch_shape)
        param_shape = batch_shape + (self._num_events,)
        if "probs" in self.__dict__:
            new.probs = self.probs.expand(param_shape)
            new._param = new.probs
        if "logits" in self.__dict__:
            new.logits = self.logits.expand(param_shape)
            new._param = new.logits
        new._num_events = self._num_events
        Distribution.__init__(new, batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @constraints.dependent_property(is_discrete=True, event_dim=0)
    def support(self) -> constraints.Constraint:
        """The integers 0, …, K−1."""
        return constraints.integer_interval(0, self._num_events - 1)

    @lazy_property
    def logits(self) -> Tensor:
        """The normalised log-probabilities log pₖ (p clamped into [ε, 1 − ε])."""
        return probs_to_logits(self.probs)

    @lazy_property
    def probs(self) -> Tensor:
        """The normalised probabilities pₖ = softmax(x)ₖ."""
        return logits_to_probs(self.logits)

    @property
    def param_shape(self) -> Size:
        """The shape of the parameter, ``batch_shape + (K,)``."""
        return Size(self._param.shape)

    @property
    def mean(self) -> Tensor:
        """NaN: the indices are labels, not numbers."""
        return minigrad.full(
            self._extended_shape(), math.nan, dtype=self._param.dtype, device=self._param.device
        )

    @property
    def mode(self) -> Tensor:
        """argmaxₖ pₖ."""
        return self.probs.argmax(dim=-1)

    @property
    def variance(self) -> Tensor:
        """NaN: the indices are labels, not numbers."""
        return minigrad.full(
            self._extended_shape(), math.nan, dtype=self._param.dtype, device=self._param.device
        )

    def sample(self, sample_shape: Any = ()) -> Tensor:
        """Indices k with C(k−1) ≤ u < C(k), C the cumulative sum of p and u ~ U[0, 1),
        int64 of shape ``sample_shape + batch_shape`` (with replacement, on the
        parameter's device)."""
        sample_shape = Size(sample_shape)
        num = self._num_events
        with minigrad.no_grad():
            probs = self.probs.detach().reshape(-1, num).to(minigrad.float64)
            rows = probs.shape[0]
            device = probs.device
            # One sorted search for all rows: row r's cumulative distribution, scaled to
            # end at 1, is shifted to [r, r + 1], and so is its uniform draw.
            cdf = probs.cumsum(-1)
            cdf = cdf / cdf[:, -1:]
            offsets = minigrad.arange(rows, dtype=minigrad.float64, device=device).unsqueeze(-1)
            u = minigrad.rand((rows, sample_shape.numel()), dtype=minigrad.float64, device=device)
            found = minigrad.searchsorted((cdf + offsets).reshape(-1), u + offsets, right=True)
            index = (found - offsets.long() * num).clamp(0, num - 1)
            return index.T.reshape(self._extended_shape(sample_shape))

    def log_prob(self, value: Any) -> Tensor:
        """log p_value, picked from the normalised logits (broadcast with the batch)."""
        if self._validate_args:
            self._validate_sample(value)
        value = value.long().unsqueeze(-1)
        value, log_pmf = minigrad.broadcast_tensors(value, self.logits)
        value = value[..., :1]
        return log_pmf.gather(-1, value).squeeze(-1)

    def entropy(self) -> Tensor:
        """−Σₖ pₖ log pₖ (a term with pₖ = 0 counts 0)."""
        min_real = float(minigrad.finfo(self.logits.dtype).min)
        logits = self.logits.clamp(min=min_real)
        return -(logits * self.probs).sum(-1)

    def enumerate_support(self, expand: bool = True) -> Tensor:
        """The indices 0, …, K−1 (int64), along dimension 0."""
        values = minigrad.arange(self._num_events, dtype=minigrad.int64, device=self._param.device)
        values = values.reshape((-1,) + (1,) * len(self._batch_shape))
        if expand:
            values = values.expand((-1,) + tuple(self._batch_shape))
        return values
