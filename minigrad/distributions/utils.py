"""Helpers shared by the distributions, as ``torch.distributions.utils``: broadcasting
parameters, converting between probabilities and logits, and cached properties."""

from __future__ import annotations

import functools
import numbers
from collections.abc import Callable
from typing import Any

import minigrad
from minigrad.tensor import Tensor

__all__ = [
    "broadcast_all",
    "clamp_probs",
    "lazy_property",
    "logits_to_probs",
    "probs_to_logits",
]


def broadcast_all(*values: Any) -> tuple[Tensor, ...]:
    """The values as tensors broadcast to one shape.

    Tensors are broadcast as by :func:`minigrad.broadcast_tensors` (one that already has
    the broadcast shape comes back as it is) and keep their dtypes;
    a Python number becomes a tensor of the dtype and device of the first tensor among
    ``values``, or of the default dtype (float32) when all of them are numbers.

    Raises:
        ValueError: if a value is neither a number nor a tensor.
    """
    if not all(isinstance(v, Tensor | numbers.Number) for v in values):
        raise ValueError("Input arguments must all be instances of Number or minigrad.Tensor.")
    first = next((v for v in values if isinstance(v, Tensor)), None)
    if first is None:
        options: dict[str, Any] = {"dtype": minigrad.get_default_dtype()}
    else:
        options = {"dtype": first.dtype, "device": first.device}
    tensors = [v if isinstance(v, Tensor) else minigrad.tensor(v, **options) for v in values]
    shape = tuple(minigrad.broadcast_shapes(*(t.shape for t in tensors)))
    # a tensor already of the broadcast shape is kept as it is (the user's leaf)
    return tuple(t if tuple(t.shape) == shape else t.expand(shape) for t in tensors)


def clamp_probs(probs: Tensor) -> Tensor:
    """The probabilities clamped into [ε, 1 − ε], ε the machine epsilon of their dtype,
    so that their logarithms and log-odds stay finite."""
    eps = float(minigrad.finfo(probs.dtype).eps)
    return probs.clamp(min=eps, max=1 - eps)


def logits_to_probs(logits: Tensor, is_binary: bool = False) -> Tensor:
    """Probabilities from logits: σ(x) = 1 / (1 + e⁻ˣ) for binary log-odds
    (``is_binary=True``), else softmax over the last dimension, pᵢ = eˣⁱ / Σⱼ eˣʲ."""
    if is_binary:
        return logits.sigmoid()
    return logits.softmax(-1)


def probs_to_logits(probs: Tensor, is_binary: bool = False) -> Tensor:
    """Logits from probabilities (clamped by :func:`clamp_probs`): log-odds
    log p − log(1 − p) for ``is_binary=True``, else log p."""
    clamped = clamp_probs(probs)
    if is_binary:
        return clamped.log() - (-clamped).log1p()
    return clamped.log()


def softplus(x: Tensor) -> Tensor:
    """softplus(x) = log(1 + eˣ), computed without overflow as logaddexp(0, x)."""
    return minigrad.logaddexp(minigrad.zeros_like(x), x)


class lazy_property:
    """A property computed on first use and then stored on the instance (a non-data
    descriptor replaced by an instance attribute): ``Categorical.logits`` from ``probs``
    and the other way round. The value is computed with gradients enabled, so it stays
    differentiable even when first read under :func:`minigrad.no_grad`."""

    def __init__(self, wrapped: Callable[[Any], Any]) -> None:
        self.wrapped = wrapped
        functools.update_wrapper(self, wrapped)  # type: ignore[arg-type]

    def __get__(self, instance: Any, owner: Any = None) -> Any:
        if instance is None:
            return _LazyPropertyAndProperty(self.wrapped)
        with minigrad.enable_grad():
            value = self.wrapped(instance)
        setattr(instance, self.wrapped.__name__, value)
        return value


class _LazyPropertyAndProperty(lazy_property, property):
    """Read on the class, a lazy property looks like a property (for Sphinx) and still
    like a lazy property (for argument validation)."""

    def __init__(self, wrapped: Callable[[Any], Any]) -> None:
        property.__init__(self, wrapped)
        self.wrapped = wrapped
