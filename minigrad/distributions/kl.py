"""The Kullback–Leibler divergence between two distributions, as
``torch.distributions.kl``: :func:`kl_divergence` dispatches on the pair of types to a
function registered with :func:`register_kl`."""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Callable
from typing import Any

import minigrad
from minigrad.distributions.bernoulli import Bernoulli
from minigrad.distributions.categorical import Categorical
from minigrad.distributions.distribution import Distribution
from minigrad.distributions.normal import Normal
from minigrad.distributions.one_hot_categorical import OneHotCategorical
from minigrad.distributions.uniform import Uniform
from minigrad.distributions.utils import softplus
from minigrad.tensor import Tensor

__all__ = ["kl_divergence", "register_kl"]

_KLFunction = Callable[[Any, Any], Tensor]
_KL_REGISTRY: dict[tuple[type, type], _KLFunction] = {}  # the registrations
_KL_MEMOIZE: dict[tuple[type, type], Any] = {}  # (type(p), type(q)) -> function found


def register_kl(type_p: type, type_q: type) -> Callable[[_KLFunction], _KLFunction]:
    """A decorator that registers a function ``f(p, q)`` computing KL(p ‖ q) for p an
    instance of ``type_p`` and q of ``type_q``::

        @register_kl(Normal, Normal)
        def kl_normal_normal(p, q):
            ...

    :func:`kl_divergence` uses the most specific registration, ordered by subclass;
    where two are equally specific it warns (RuntimeWarning) and you should register
    the pair of subclasses to break the tie.

    Args:
        type_p: a subclass of :class:`Distribution`.
        type_q: a subclass of :class:`Distribution`.
    """
    for name, cls in (("type_p", type_p), ("type_q", type_q)):
        if not (isinstance(cls, type) and issubclass(cls, Distribution)):
            raise TypeError(f"Expected {name} to be a Distribution subclass but got {cls}")

    def decorator(fun: _KLFunction) -> _KLFunction:
        _KL_REGISTRY[type_p, type_q] = fun
        _KL_MEMOIZE.clear()  # the most specific match may have changed
        return fun

    return decorator


@functools.total_ordering
class _Match:
    """A registered pair, ordered so that the more specific (subclass) pair is smaller."""

    __slots__ = ["types"]

    def __init__(self, *types: type) -> None:
        self.types = types

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Match) and self.types == other.types

    def __le__(self, other: _Match) -> bool:
        for x, y in zip(self.types, other.types, strict=True):
            if not issubclass(x, y):
                return False
            if x is not y:
                break
        return True


def _dispatch_kl(type_p: type, type_q: type) -> Any:
    """The most specific registered function for (type_p, type_q), or NotImplemented."""
    matches = [
        (super_p, super_q)
        for super_p, super_q in _KL_REGISTRY
        if issubclass(type_p, super_p) and issubclass(type_q, super_q)
    ]
    if not matches:
        return NotImplemented
    left_p, left_q = min(_Match(*m) for m in matches).types
    right_q, right_p = min(_Match(*reversed(m)) for m in matches).types
    left_fun = _KL_REGISTRY[left_p, left_q]
    right_fun = _KL_REGISTRY[right_p, right_q]
    if left_fun is not right_fun:
        warnings.warn(
            f"Ambiguous kl_divergence({type_p.__name__}, {type_q.__name__}). "
            f"Please register_kl({left_p.__name__}, {right_q.__name__})",
            RuntimeWarning,
            stacklevel=3,
        )
    return left_fun


def kl_divergence(p: Distribution, q: Distribution) -> Tensor:
    """KL(p ‖ q) = E_p[log p(X) − log q(X)], of shape ``batch_shape``, from the function
    registered for the types of p and q (:func:`register_kl`). Registered: Normal–Normal,
    Bernoulli–Bernoulli, Categorical–Categorical, OneHotCategorical–OneHotCategorical,
    Uniform–Uniform, Uniform–Normal and Normal–Uniform (infinite), as in PyTorch.

    Raises:
        NotImplementedError: if no function is registered for the pair.
    """
    try:
        fun = _KL_MEMOIZE[type(p), type(q)]
    except KeyError:
        fun = _KL_MEMOIZE[type(p), type(q)] = _dispatch_kl(type(p), type(q))
    if fun is NotImplemented:
        raise NotImplementedError(
            f"No KL(p || q) is implemented for p type {p.__class__.__name__} and "
            f"q type {q.__class__.__name__}"
        )
    return fun(p, q)


# ---------------------------------------------------------------------- registrations
@register_kl(Bernoulli, Bernoulli)
def _kl_bernoulli_bernoulli(p: Bernoulli, q: Bernoulli) -> Tensor:
    """p log(p/q) + (1 − p) log((1 − p)/(1 − q)), with softplus(−x) = −log σ(x)."""
    t1 = p.probs * (softplus(-q.logits) - softplus(-p.logits))
    t1 = minigrad.where(q.probs == 0, math.inf, t1)
    t1 = minigrad.where(p.probs == 0, 0.0, t1)
    t2 = (1 - p.probs) * (softplus(q.logits) - softplus(p.logits))
    t2 = minigrad.where(q.probs == 1, math.inf, t2)
    t2 = minigrad.where(p.probs == 1, 0.0, t2)
    return t1 + t2


@register_kl(Categorical, Categorical)
def _kl_categorical_categorical(p: Categorical, q: Categorical) -> Tensor:
    """Σₖ pₖ (log pₖ − log qₖ): ∞ where qₖ = 0 < pₖ, terms with pₖ = 0 count 0."""
    t = p.probs * (p.logits - q.logits)
    t = minigrad.where((q.probs == 0).expand_as(t), math.inf, t)
    t = minigrad.where((p.probs == 0).expand_as(t), 0.0, t)
    return t.sum(-1)


@register_kl(Normal, Normal)
def _kl_normal_normal(p: Normal, q: Normal) -> Tensor:
    """½ (σp²/σq² + (μp − μq)²/σq² − 1 − log(σp²/σq²))."""
    var_ratio = (p.scale / q.scale).pow(2)
    t1 = ((p.loc - q.loc) / q.scale).pow(2)
    return 0.5 * (var_ratio + t1 - 1 - var_ratio.log())


@register_kl(OneHotCategorical, OneHotCategorical)
def _kl_onehotcategorical_onehotcategorical(p: OneHotCategorical, q: OneHotCategorical) -> Tensor:
    """As for the two categoricals."""
    return _kl_categorical_categorical(p._categorical, q._categorical)


@register_kl(Uniform, Uniform)
def _kl_uniform_uniform(p: Uniform, q: Uniform) -> Tensor:
    """log((b_q − a_q)/(b_p − a_p)) where [a_p, b_p) ⊆ [a_q, b_q), else ∞."""
    result = ((q.high - q.low) / (p.high - p.low)).log()
    return minigrad.where((q.low > p.low) | (q.high < p.high), math.inf, result)


@register_kl(Normal, Uniform)
def _kl_normal_uniform(p: Normal, q: Uniform) -> Tensor:
    """∞: a normal puts mass outside any bounded interval."""
    return minigrad.full_like(p.loc, math.inf)


@register_kl(Uniform, Normal)
def _kl_uniform_normal(p: Uniform, q: Normal) -> Tensor:
    """log(√(2π) σ/(b − a)) + ((b − a)²/12 + ((a + b)/2 − μ)²) / (2σ²)."""
    width = p.high - p.low
    t1 = (math.sqrt(math.pi * 2) * q.scale / width).log()
    t2 = width.pow(2) / 12
    t3 = ((p.high + p.low - 2 * q.loc) / 2).pow(2)
    return t1 + 0.5 * (t2 + t3) / q.scale.pow(2)
