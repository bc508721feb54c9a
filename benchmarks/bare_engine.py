"""The least a reverse-mode autograd engine in Python costs: a reference, not a library.

A micrograd-style engine over NumPy arrays, written for the benchmark workloads
only and as fast as plain Python allows: each operation records a closure that
maps its output's gradient to its inputs' gradients, and ``backward`` runs the
closures in reverse topological order. It has none of what minigrad promises
beyond that: no version counters, views, hooks, grad modes, higher-order
gradients, dtype or broadcasting rules, checks or error messages, and the graph
is not freed node by node. Its optimizer is the tight floor's flat Adam, with the
gradients copied into the flat buffer and each parameter updated in its own
memory (the no-rebinding rule that minigrad keeps).

What it shows: the time between this engine and the tight floor is what
recording and walking a graph in Python costs at all; the time between minigrad
and this engine is what PyTorch's semantics and minigrad's generality cost.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy_floor import FlatAdam

Backward = Callable[[np.ndarray], tuple[np.ndarray | None, ...]]


class Value:
    """An array, its gradient, the values it was computed from and how to send them gradients.

    A leaf made with ``requires_grad=False`` (the data) gets no gradient: the
    operations skip computing one for it (None), the input layer's dx above all.
    """

    __slots__ = ("data", "grad", "parents", "backward_fn", "requires_grad")

    def __init__(
        self,
        data: np.ndarray,
        parents: tuple[Value, ...] = (),
        backward_fn: Backward | None = None,
        requires_grad: bool = True,
    ) -> None:
        self.data, self.grad, self.parents, self.backward_fn = data, None, parents, backward_fn
        self.requires_grad = requires_grad

    def __mul__(self, other: Value) -> Value:
        a, b = self.data, other.data
        return Value(a * b, (self, other), lambda g: (g * b, g * a))

    def __add__(self, other: Value) -> Value:
        return Value(self.data + other.data, (self, other), lambda g: (g, g))

    def sum(self) -> Value:
        shape, dtype = self.data.shape, self.data.dtype
        return Value(self.data.sum(), (self,), lambda g: (np.full(shape, g, dtype),))

    def backward(self) -> None:
        """Add d(self)/d(leaf) to ``.grad`` of every leaf below ``self``."""
        order: list[Value] = []
        seen: set[int] = set()

        def visit(v: Value) -> None:
            if id(v) not in seen:
                seen.add(id(v))
                for parent in v.parents:
                    visit(parent)
                order.append(v)

        visit(self)
        grads = {id(self): np.ones((), self.data.dtype)}
        for v in reversed(order):
            g = grads.pop(id(v), None)
            if g is None:
                continue
            if v.backward_fn is None:
                v.grad = g if v.grad is None else v.grad + g
                continue
            for parent, gp in zip(v.parents, v.backward_fn(g), strict=True):
                if gp is None:
                    continue
                key = id(parent)
                grads[key] = gp if key not in grads else grads[key] + gp


def linear(x: Value, w: Value, b: Value) -> Value:
    """y = x Wᵀ + b;  dx = dy W (when x wants it), dW = dyᵀ x, db = Σ dy."""
    xs, ws, wants_dx = x.data, w.data, x.requires_grad
    y = xs @ ws.T
    y += b.data
    return Value(y, (x, w, b), lambda g: (g @ ws if wants_dx else None, g.T @ xs, g.sum(axis=0)))


def relu(x: Value, slope: float | None) -> Value:
    """ReLU (``slope`` None) or LeakyReLU; d = dy where x > 0, else slope · dy."""
    z = x.data
    if slope is None:
        return Value(np.maximum(z, 0), (x,), lambda g: (g * (z > 0),))
    return Value(np.maximum(z, z * slope), (x,), lambda g: (np.where(z > 0, g, g * slope),))


def cross_entropy(x: Value, target: np.ndarray) -> Value:
    """Mean of -log softmax(x)[target];  dx = (softmax(x) - onehot(target)) / n."""
    z = x.data
    shifted = z - z.max(axis=1, keepdims=True)
    logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    rows = np.arange(len(target))
    loss = -logp[rows, target].mean()

    def backward_fn(g: np.ndarray) -> tuple[np.ndarray]:
        dx = np.exp(logp)
        dx[rows, target] -= 1
        dx *= g / len(target)
        return (dx,)

    return Value(loss, (x,), backward_fn)


def mse(x: Value, target: np.ndarray) -> Value:
    """Mean of (x - y)²;  dx = 2 (x - y) / n."""
    diff = x.data - target
    return Value((diff * diff).mean(), (x,), lambda g: (diff * (g * 2 / diff.size),))


class MLP:
    """The benchmark's network and Adam step in the bare engine."""

    def __init__(
        self, weights: list[np.ndarray], biases: list[np.ndarray], negative_slope: float | None
    ) -> None:
        self.W = [Value(w.copy()) for w in weights]
        self.b = [Value(b.copy()) for b in biases]
        self.slope = negative_slope
        self.params = self.W + self.b
        total = sum(p.data.size for p in self.params)
        self.opt = FlatAdam(None, np.empty(total, np.float32))
        self.grad_views = _split(self.opt.grad, self.params)
        self.step_views = _split(self.opt.tmp, self.params)

    def step(self, x: np.ndarray, target: np.ndarray, loss: str) -> Any:
        for p in self.params:
            p.grad = None
        h = Value(x, requires_grad=False)
        for i, (w, b) in enumerate(zip(self.W, self.b, strict=True)):
            h = linear(h, w, b)
            if i < len(self.W) - 1:
                h = relu(h, self.slope)
        value = cross_entropy(h, target) if loss == "cross_entropy" else mse(h, target)
        value.backward()
        for p, view in zip(self.params, self.grad_views, strict=True):
            view[...] = p.grad
        self.opt.update()  # Δ into the flat scratch buffer, whose slices are step_views
        for p, view in zip(self.params, self.step_views, strict=True):
            p.data -= view
        return value.data


def _split(flat: np.ndarray, params: list[Value]) -> list[np.ndarray]:
    views, offset = [], 0
    for p in params:
        views.append(flat[offset : offset + p.data.size].reshape(p.data.shape))
        offset += p.data.size
    return views


class Expression:
    """L = Σ(a·b + a), forward and backward, in the bare engine."""

    def __init__(self, a: np.ndarray, b: np.ndarray) -> None:
        self.a, self.b = Value(a), Value(b)

    def step(self) -> Any:
        a, b = self.a, self.b
        a.grad = b.grad = None
        out = (a * b + a).sum()
        out.backward()
        return out.data
