"""Activation functions and the (log-)softmax, each one graph node."""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad.autograd.graph import Op
from minigrad.backend import get_array_module


class Tanh(Op):
    # d tanh(x) = (1 - tanh(x)²) dx
    __slots__ = ()
    saves_output = True

    def forward(self, x: Any) -> Any:
        return get_array_module(x).tanh(x)

    def backward(self, xp: Any, g: Any, out: Any, x: Any) -> tuple[Any]:
        return (g * (1 - out * out),)


class Sigmoid(Op):
    # σ(x) = 1 / (1 + e⁻ˣ), from e^-|x| ≤ 1: no overflow, and σ(-40) = 4e-18, not 0;
    # dσ = σ(1 - σ) dx
    __slots__ = ()
    saves_output = True

    def forward(self, x: Any) -> Any:
        xp = get_array_module(x)
        e = xp.exp(-abs(x))
        out = 1 / (1 + e)  # σ(|x|)
        return xp.where(x >= 0, out, e * out)  # σ(-|x|) = e^-|x| σ(|x|)

    def backward(self, xp: Any, g: Any, out: Any, x: Any) -> tuple[Any]:
        return (g * out * (1 - out),)


class Relu(Op):
    # relu(x) = max(x, 0);  d relu = dx where x > 0
    __slots__ = ()
    saves_output = True

    def forward(self, x: Any) -> Any:
        return get_array_module(x).maximum(x, 0)

    def backward(self, xp: Any, g: Any, out: Any, x: Any) -> tuple[Any]:
        return (g * (out > 0),)


class LeakyRelu(Op):
    # leaky_relu(x) = x if x > 0 else slope·x;  d = dx if x > 0 else slope·dx
    __slots__ = ()
    saved = (0,)

    def forward(self, x: Any, negative_slope: float) -> Any:
        xp = get_array_module(x)
        if 0 <= negative_slope <= 1:  # then max(x, slope·x) is the same, one call less
            return xp.maximum(x, x * negative_slope)
        return xp.where(x > 0, x, x * negative_slope)

    def backward(self, xp: Any, g: Any, out: Any, x: Any, slope: float) -> tuple[Any, None]:
        return xp.where(x > 0, g, g * slope), None


class Softmax(Op):
    # y = exp(x - max x) / Σ exp(x - max x);  dx = y (dy - Σ dy·y)
    __slots__ = ()
    saves_output = True

    def forward(self, x: Any, dim: int) -> Any:
        xp = get_array_module(x)
        e = xp.exp(x - _max_along(x, dim))
        e /= e.sum(axis=dim, keepdims=True)
        return e

    def backward(self, xp: Any, g: Any, y: Any, x: Any, dim: int) -> tuple[Any, None]:
        return y * (g - (g * y).sum(axis=dim, keepdims=True)), None


class LogSoftmax(Op):
    # y = x - max x - log Σ exp(x - max x)  (stable for |x| ~ 1e4);  dx = dy - exp(y) Σ dy
    __slots__ = ()
    saves_output = True

    def forward(self, x: Any, dim: int) -> Any:
        return log_softmax_array(x, dim)

    def backward(self, xp: Any, g: Any, out: Any, x: Any, dim: int) -> tuple[Any, None]:
        return g - xp.exp(out) * g.sum(axis=dim, keepdims=True), None


def log_softmax_array(x: Any, dim: int) -> Any:
    """``x - logsumexp(x, dim)`` on a raw array, shifted by the maximum for stability."""
    xp = get_array_module(x)
    if x.size == 0:  # nothing to normalise (and the log of an empty Σ would warn)
        return x.copy()
    with np.errstate(invalid="ignore"):  # a row of -inf gives nan quietly, as PyTorch
        shifted = x - x.max(axis=dim, keepdims=True)
        shifted -= xp.log(xp.exp(shifted).sum(axis=dim, keepdims=True))
    return shifted


def _max_along(x: Any, dim: int) -> Any:
    """The maximum over ``dim`` (kept); for an empty tensor, zeros (NumPy's max would refuse)."""
    return x.max(axis=dim, keepdims=True) if x.size else x.sum(axis=dim, keepdims=True)
