"""The :class:`Distribution` base class, as ``torch.distributions.Distribution``."""

from __future__ import annotations

import warnings
from typing import Any

import minigrad
from minigrad.distributions import constraints
from minigrad.distributions.utils import lazy_property
from minigrad.size import Size
from minigrad.tensor import Tensor

__all__ = ["Distribution"]


class Distribution:
    """The base class of probability distributions.

    A distribution holds a batch of independent distributions of the same family:
    ``batch_shape`` is the shape of that batch (the broadcast shape of the parameters)
    and ``event_shape`` the shape of one draw (``()`` for a scalar distribution).
    ``sample(sample_shape)`` returns a tensor of shape
    ``sample_shape + batch_shape + event_shape``; ``log_prob(value)`` one of shape
    ``broadcast(value.shape[:-len(event_shape)], batch_shape)``.

    With validation on (the default, see :meth:`set_default_validate_args`), the
    parameters are checked against ``arg_constraints`` when the distribution is built,
    and the values given to ``log_prob`` against ``support``: a violation raises
    ValueError that names the parameter and the constraint.

    Args:
        batch_shape: the shape over which the parameters are batched.
        event_shape: the shape of one sample, without batching.
        validate_args: check the arguments (None: the default of
            :meth:`set_default_validate_args`).
    """

    has_rsample = False
    has_enumerate_support = False
    _validate_args = __debug__

    @staticmethod
    def set_default_validate_args(value: bool) -> None:
        """Turn argument validation on or off for every distribution built afterwards
        without an explicit ``validate_args``. It is on by default (off under
        ``python -O``, like ``assert``)."""
        if value not in [True, False]:
            raise ValueError(f"set_default_validate_args expects True or False, got {value!r}")
        Distribution._validate_args = bool(value)

    def __init__(
        self,
        batch_shape: Any = (),
        event_shape: Any = (),
        validate_args: bool | None = None,
    ) -> None:
        self._batch_shape = Size(batch_shape)
        self._event_shape = Size(event_shape)
        if validate_args is not None:
            self._validate_args = validate_args
        if self._validate_args:
            try:
                arg_constraints = self.arg_constraints
            except NotImplementedError:
                arg_constraints = {}
                warnings.warn(
                    f"{self.__class__} does not define `arg_constraints`. Please set "
                    "`arg_constraints = {}` or initialize the distribution with "
                    "`validate_args=False` to turn off validation.",
                    stacklevel=2,
                )
            for param, constraint in arg_constraints.items():
                if constraints.is_dependent(constraint):
                    continue  # cannot be checked on its own
                if param not in self.__dict__ and isinstance(
                    getattr(type(self), param), lazy_property
                ):
                    continue  # computed lazily from another parameter
                value = getattr(self, param)
                if not bool(constraint.check(value).all()):
                    raise ValueError(
                        f"Expected parameter {param} "
                        f"({type(value).__name__} of shape {tuple(value.shape)}) "
                        f"of distribution {self!r} "
                        f"to satisfy the constraint {constraint!r}, "
                        f"but found invalid values:\n{value}"
                    )

    def expand(self, batch_shape: Any, _instance: Any = None) -> Distribution:
        """A new distribution with the parameters expanded (:meth:`Tensor.expand`, no
        copy) to ``batch_shape``; the arguments are not checked again."""
        raise NotImplementedError

    @property
    def batch_shape(self) -> Size:
        """The shape over which the parameters are batched."""
        return self._batch_shape

    @property
    def event_shape(self) -> Size:
        """The shape of one sample, without batching."""
        return self._event_shape

    @property
    def arg_constraints(self) -> dict[str, constraints.Constraint]:
        """The :class:`~minigrad.distributions.constraints.Constraint` each parameter
        must satisfy, by parameter name."""
        raise NotImplementedError

    @property
    def support(self) -> Any:
        """The :class:`~minigrad.distributions.constraints.Constraint` of the values."""
        raise NotImplementedError

    @property
    def mean(self) -> Tensor:
        """The mean, of shape ``batch_shape + event_shape``."""
        raise NotImplementedError

    @property
    def mode(self) -> Tensor:
        """The mode (the most likely value)."""
        raise NotImplementedError(f"{self.__class__} does not implement mode")

    @property
    def variance(self) -> Tensor:
        """The variance."""
        raise NotImplementedError

    @property
    def stddev(self) -> Tensor:
        """The standard deviation, √variance."""
        return self.variance.sqrt()

    def sample(self, sample_shape: Any = ()) -> Tensor:
        """A sample of shape ``sample_shape + batch_shape + event_shape``, outside the
        graph (no gradient flows to the parameters)."""
        with minigrad.no_grad():
            return self.rsample(sample_shape)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        """A reparameterised sample: a differentiable function of the parameters and of
        parameter-free noise, so gradients flow through it (where ``has_rsample``)."""
        raise NotImplementedError

    def log_prob(self, value: Tensor) -> Tensor:
        """The log of the probability density (or mass) function at ``value``."""
        raise NotImplementedError

    def cdf(self, value: Tensor) -> Tensor:
        """The cumulative distribution function at ``value``."""
        raise NotImplementedError

    def icdf(self, value: Tensor) -> Tensor:
        """The inverse cumulative distribution function at ``value``."""
        raise NotImplementedError

    def enumerate_support(self, expand: bool = True) -> Tensor:
        """All values of a discrete distribution, enumerated along dimension 0: shape
        ``(cardinality,) + batch_shape + event_shape``, or with the batch dimensions of
        size 1 when ``expand=False``."""
        raise NotImplementedError

    def entropy(self) -> Tensor:
        """The entropy H = −E[log p(X)], of shape ``batch_shape``."""
        raise NotImplementedError

    def perplexity(self) -> Tensor:
        """The perplexity exp(H), of shape ``batch_shape``."""
        return self.entropy().exp()

    def _extended_shape(self, sample_shape: Any = ()) -> Size:
        """``sample_shape + batch_shape + event_shape``."""
        return Size(sample_shape) + self._batch_shape + self._event_shape

    def _validate_sample(self, value: Any) -> None:
        """Raise ValueError unless ``value`` is a tensor whose rightmost sizes match the
        event shape, that broadcasts with the batch shape, and that lies in the support."""
        if not isinstance(value, Tensor):
            raise ValueError("The value argument to log_prob must be a Tensor")
        shape = Size(value.shape)
        event_dim_start = len(shape) - len(self._event_shape)
        if shape[event_dim_start:] != self._event_shape:
            raise ValueError(
                "The right-most size of value must match event_shape: "
                f"{shape} vs {self._event_shape}."
            )
        expected = self._batch_shape + self._event_shape
        for i, j in zip(reversed(shape), reversed(expected), strict=False):
            if i != 1 and j != 1 and i != j:
                raise ValueError(
                    f"Value is not broadcastable with batch_shape+event_shape: "
                    f"{shape} vs {expected}."
                )
        try:
            support = self.support
        except NotImplementedError:
            warnings.warn(
                f"{self.__class__} does not define `support` to enable sample validation. "
                "Please initialize the distribution with `validate_args=False` to turn off "
                "validation.",
                stacklevel=2,
            )
            return
        if not bool(support.check(value).all()):
            raise ValueError(
                "Expected value argument "
                f"({type(value).__name__} of shape {tuple(value.shape)}) "
                f"to be within the support ({support!r}) "
                f"of the distribution {self!r}, "
                f"but found invalid values:\n{value}"
            )

    def _get_checked_instance(self, cls: type, _instance: Any = None) -> Any:
        """A bare instance for :meth:`expand` (``_instance`` when a subclass gives one)."""
        if _instance is None and type(self).__init__ != cls.__init__:  # type: ignore[misc]
            raise NotImplementedError(
                f"Subclass {self.__class__.__name__} of {cls.__name__} that defines a custom "
                "__init__ method must also define a custom .expand() method."
            )
        return self.__new__(type(self)) if _instance is None else _instance

    def __repr__(self) -> str:
        try:
            names = [name for name in self.arg_constraints if name in self.__dict__]
        except NotImplementedError:
            names = []
        args = []
        for name in names:
            value = self.__dict__[name]
            shown = value if value.numel() == 1 else Size(value.shape)
            args.append(f"{name}: {shown}")
        return f"{self.__class__.__name__}({', '.join(args)})"
