"""Activation functions and the (log-)softmax, each one graph node."""

from __future__ import annotations

from typing import Any

from minigrad.autograd import Function
from minigrad.backend import get_array_module


class Tanh(Function):
    # d tanh(x) = (1 - tanh(x)²) dx
    __slots__ = ("out",)

    def forward(self, x: Any) -> Any:
        self.out = get_array_module(x).tanh(x)
        return self.out

    def backward(self, g: Any) -> tuple[Any]:
        return (g * (1 - self.out * self.out),)


class Sigmoid(Function):
    # σ(x) = 1 / (1 + e⁻ˣ), from e^-|x| ≤ 1: no overflow, and σ(-40) = 4e-18, not 0;
    # dσ = σ(1 - σ) dx
    __slots__ = ("out",)

    def forward(self, x: Any) -> Any:
        xp = get_array_module(x)
        e = xp.exp(-abs(x))
        out = 1 / (1 + e)  # σ(|x|)
        self.out = xp.where(x >= 0, out, e * out)  # σ(-|x|) = e^-|x| σ(|x|)
        return self.out

    def backward(self, g: Any) -> tuple[Any]:
        return (g * self.out * (1 - self.out),)


class Relu(Function):
    # relu(x) = max(x, 0);  d relu = dx where x > 0
    __slots__ = ("out",)

    def forward(self, x: Any) -> Any:
        self.out = get_array_module(x).maximum(x, 0)
        return self.out

    def backward(self, g: Any) -> tuple[Any]:
        return (g * (self.out > 0),)


class LeakyRelu(Function):
    # leaky_relu(x) = x if x > 0 else slope·x;  d = dx if x > 0 else slope·dx
    __slots__ = ("positive", "slope")

    def forward(self, x: Any, negative_slope: float) -> Any:
        self.positive = x > 0
        self.slope = negative_slope
        return get_array_module(x).where(self.positive, x, x * negative_slope)

    def backward(self, g: Any) -> tuple[Any, None]:
        return get_array_module(g).where(self.positive, g, g * self.slope), None


class Softmax(Function):
    # y = exp(x - max x) / Σ exp(x - max x);  dx = y (dy - Σ dy·y)
    __slots__ = ("out", "dim")

    def forward(self, x: Any, dim: int) -> Any:
        xp = get_array_module(x)
        e = xp.exp(x - _max_along(x, dim))
        e /= e.sum(axis=dim, keepdims=True)
        self.out, self.dim = e, dim
        return e

    def backward(self, g: Any) -> tuple[Any, None]:
        y = self.out
        return y * (g - (g * y).sum(axis=self.dim, keepdims=True)), None


class LogSoftmax(Function):
    # y = x - max x - log Σ exp(x - max x)  (stable for |x| ~ 1e4);  dx = dy - exp(y) Σ dy
    __slots__ = ("out", "dim")

    def forward(self, x: Any, dim: int) -> Any:
        self.out, self.dim = log_softmax_array(x, dim), dim
        return self.out

    def backward(self, g: Any) -> tuple[Any, None]:
        xp = get_array_module(g)
        return g - xp.exp(self.out) * g.sum(axis=self.dim, keepdims=True), None


def log_softmax_array(x: Any, dim: int) -> Any:
    """``x - logsumexp(x, dim)`` on a raw array, shifted by the maximum for stability."""
    xp = get_array_module(x)
    if x.size == 0:  # nothing to normalise (and the log of an empty Σ would warn)
        return x.copy()
    shifted = x - x.max(axis=dim, keepdims=True)
    shifted -= xp.log(xp.exp(shifted).sum(axis=dim, keepdims=True))
    return shifted


def _max_along(x: Any, dim: int) -> Any:
    """The maximum over ``dim`` (kept); for an empty tensor, zeros (NumPy's max would refuse)."""
    return x.max(axis=dim, keepdims=True) if x.size else x.sum(axis=dim, keepdims=True)
