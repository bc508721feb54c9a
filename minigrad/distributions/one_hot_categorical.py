"""The categorical distribution over one-hot vectors, as
``torch.distributions.OneHotCategorical``."""

from __future__ import annotations

from typing import Any

import minigrad
from minigrad.distributions import constraints
from minigrad.distributions.categorical import Categorical
from minigrad.distributions.distribution import Distribution
from minigrad.size import Size
from minigrad.tensor import Tensor

__all__ = ["OneHotCategorical"]


def _one_hot(index: Tensor, num: int, like: Tensor) -> Tensor:
    """eₖ for each index k, in ``like``'s dtype, with a new last dimension of size K."""
    classes = minigrad.arange(num, dtype=minigrad.int64, device=index.device)
    return (index.unsqueeze(-1) == classes).to(like.dtype)


class OneHotCategorical(Distribution):
    """A :class:`Categorical` whose samples are one-hot vectors eₖ of length K instead of
    indices k: ``event_shape`` is ``(K,)`` and

        log p(eₖ) = log pₖ,  mean p,  variance p(1 − p),  H = −Σₖ pₖ log pₖ

    Args:
        probs: event weights, at least 1-D (normalised along the last dimension).
        logits: event log-weights, at least 1-D (normalised by logsumexp).
        validate_args: check the arguments (see :class:`Distribution`).
    """

    arg_constraints = {"probs": constraints.simplex, "logits": constraints.real_vector}
    support = constraints.one_hot
    has_enumerate_support = True

    def __init__(
        self,
        probs: Tensor | None = None,
        logits: Tensor | None = None,
        validate_args: bool | None = None,
    ) -> None:
        self._categorical = Categorical(probs, logits, validate_args=validate_args)
        batch_shape = self._categorical.batch_shape
        event_shape = self._categorical.param_shape[-1:]
        super().__init__(batch_shape, event_shape, validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> OneHotCategorical:
        new = self._get_checked_instance(OneHotCategorical, _instance)
        batch_shape = Size(batch_shape)
        new._categorical = self._categorical.expand(batch_shape)
        Distribution.__init__(new, batch_shape, self.event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def _param(self) -> Tensor:
        return self._categorical._param

    @property
    def probs(self) -> Tensor:
        """The normalised probabilities p."""
        return self._categorical.probs

    @property
    def logits(self) -> Tensor:
        """The normalised log-probabilities log p."""
        return self._categorical.logits

    @property
    def param_shape(self) -> Size:
        """The shape of the parameter, ``batch_shape + (K,)``."""
        return self._categorical.param_shape

    @property
    def mean(self) -> Tensor:
        """p."""
        return self._categorical.probs

    @property
    def mode(self) -> Tensor:
        """e_k for k = argmaxₖ pₖ."""
        probs = self._categorical.probs
        return _one_hot(probs.argmax(dim=-1), probs.shape[-1], probs)

    @property
    def variance(self) -> Tensor:
        """p(1 − p)."""
        probs = self._categorical.probs
        return probs * (1 - probs)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        """One-hot vectors of shape ``sample_shape + batch_shape + (K,)``."""
        index = self._categorical.sample(sample_shape)
        return _one_hot(index, self._categorical._num_events, self._categorical.probs)

    def log_prob(self, value: Any) -> Tensor:
        """log pₖ, k the position of the 1 in ``value``."""
        if self._validate_args:
            self._validate_sample(value)
        return self._categorical.log_prob(value.argmax(-1))

    def entropy(self) -> Tensor:
        """−Σₖ pₖ log pₖ."""
        return self._categorical.entropy()

    def enumerate_support(self, expand: bool = True) -> Tensor:
        """The K one-hot vectors, along dimension 0."""
        n = self.event_shape[0]
        values = minigrad.eye(n, dtype=self._param.dtype, device=self._param.device)
        values = values.reshape((n,) + (1,) * len(self.batch_shape) + (n,))
        if expand:
            values = values.expand((n,) + tuple(self.batch_shape) + (n,))
        return values
