"""The floors: the benchmark workloads written by hand in NumPy, without autograd.

Two versions of each workload:

- **tight** (:class:`TightMLP`, :func:`tight_expression`): the best NumPy code
  we can write for it. Every array a step needs is allocated once, at
  construction: the forward and backward passes write into preallocated
  buffers with ``out=``, the gradients land directly in one flat gradient
  buffer whose slices are the weight gradients, and Adam runs over flat
  parameter, gradient and moment buffers (a dozen ufunc calls per step, for
  the whole network). A step allocates nothing of the batch's or the
  network's size, so it pays no page faults. This is the floor minigrad is
  measured against.
- **student** (:class:`StudentMLP`, :func:`student_expression`): what a careful
  student writes after chapter 5 of "Deep Learning from Scratch": explicit
  forward and backward passes with fresh arrays, and a per-parameter Adam with
  in-place updates.

Both compute PyTorch's Adam (ε outside the square root of the bias-corrected
second moment) on the same float32 data, so their losses agree with
minigrad's and PyTorch's step for step.
"""

from __future__ import annotations

import math

import numpy as np

BETAS = (0.9, 0.999)
EPS = 1e-8


# ============================================================================ tight
class FlatAdam:
    """Adam over one flat parameter buffer and one flat gradient buffer, allocating nothing.

    .. code-block:: text

        m ← m + (1 − β₁)(g − m)
        v ← β₂ v + (1 − β₂) g²
        θ ← θ − γ √(1 − β₂ᵗ)/(1 − β₁ᵗ) · m / (√v + ε √(1 − β₂ᵗ))

    (the last line is PyTorch's θ − γ m̂ / (√v̂ + ε), with both bias
    corrections folded into two scalars). With ``theta`` None only
    :meth:`update` serves: the caller applies the step to its own arrays.
    """

    def __init__(self, theta: np.ndarray | None, grad: np.ndarray, lr: float = 1e-3) -> None:
        self.theta, self.grad, self.lr = theta, grad, lr
        self.m = np.zeros_like(grad)
        self.v = np.zeros_like(grad)
        self.tmp = np.empty_like(grad)
        self.t = 0

    def step(self) -> None:
        """θ ← θ − Δ, with Δ from :meth:`update`."""
        self.theta -= self.update()  # type: ignore[operator]

    def update(self) -> np.ndarray:
        """Advance m and v by one step and return the step Δ (in a scratch buffer)."""
        b1, b2 = BETAS
        self.t += 1
        c1, c2 = 1 - b1**self.t, 1 - b2**self.t
        g, m, v, tmp = self.grad, self.m, self.v, self.tmp
        np.subtract(g, m, out=tmp)
        tmp *= 1 - b1
        m += tmp
        v *= b2
        np.multiply(g, g, out=tmp)
        tmp *= 1 - b2
        v += tmp
        np.sqrt(v, out=tmp)
        tmp += EPS * math.sqrt(c2)
        np.divide(m, tmp, out=tmp)
        tmp *= self.lr * math.sqrt(c2) / c1
        return tmp


def _flat_views(arrays: list[np.ndarray]) -> tuple[np.ndarray, list[np.ndarray]]:
    """One flat float32 buffer holding ``arrays``, and views of it shaped like each."""
    flat = np.empty(sum(a.size for a in arrays), dtype=np.float32)
    views, offset = [], 0
    for a in arrays:
        view = flat[offset : offset + a.size].reshape(a.shape)
        view[...] = a
        views.append(view)
        offset += a.size
    return flat, views


class TightMLP:
    """A fully connected net (weights (out, in) as nn.Linear) trained with preallocated buffers.

    ``batch`` fixes the sizes of the activation buffers; ``negative_slope`` None
    means ReLU, a number LeakyReLU.
    """

    def __init__(
        self,
        weights: list[np.ndarray],
        biases: list[np.ndarray],
        batch: int,
        negative_slope: float | None = None,
    ) -> None:
        n_layers = len(weights)
        self.slope = negative_slope
        theta, views = _flat_views(weights + biases)
        self.W, self.b = views[:n_layers], views[n_layers:]
        grad, gviews = _flat_views([np.zeros_like(a) for a in weights + biases])
        self.gW, self.gb = gviews[:n_layers], gviews[n_layers:]
        self.opt = FlatAdam(theta, grad)
        widths = [w.shape[0] for w in weights]
        self.z = [np.empty((batch, k), np.float32) for k in widths]  # pre-activations
        self.h = [np.empty((batch, k), np.float32) for k in widths[:-1]]  # activations
        self.deriv = [np.empty((batch, k), np.float32) for k in widths[:-1]]  # f'(z)
        self.dh = [np.empty((batch, k), np.float32) for k in widths[:-1]]
        self.g = np.empty((batch, widths[-1]), np.float32)  # dL/d(output)
        self.row_max = np.empty((batch, 1), np.float32)
        self.row_sum = np.empty((batch, 1), np.float32)
        self.rows = np.arange(batch)

    def _forward(self, x: np.ndarray) -> np.ndarray:
        inputs = x
        for i, (w, b, z) in enumerate(zip(self.W, self.b, self.z, strict=True)):
            np.matmul(inputs, w.T, out=z)
            z += b
            if i < len(self.h):  # f(z) = f'(z)·z: f'(z) is 1 or 0 (ReLU), 1 or s (LeakyReLU)
                deriv = self.deriv[i]
                np.greater(z, 0, out=deriv)
                if self.slope is not None:
                    deriv *= 1 - self.slope
                    deriv += self.slope
                inputs = np.multiply(z, deriv, out=self.h[i])
        return self.z[-1]

    def _cross_entropy(self, out: np.ndarray, target: np.ndarray) -> float:
        """Mean cross-entropy of the logits ``out``; leaves dL/d(out) in ``self.g``."""
        n, g = out.shape[0], self.g
        np.max(out, axis=1, keepdims=True, out=self.row_max)
        np.subtract(out, self.row_max, out=g)
        np.exp(g, out=g)
        np.sum(g, axis=1, keepdims=True, out=self.row_sum)
        picked = out[self.rows, target] - self.row_max[:, 0]  # batch-sized, not network-sized
        value = float(np.log(self.row_sum).sum() - picked.sum()) / n
        np.divide(g, self.row_sum, out=g)  # softmax
        g[self.rows, target] -= 1
        g *= 1 / n
        return value

    def _mse(self, out: np.ndarray, target: np.ndarray) -> float:
        """Mean squared error; leaves dL/d(out) in ``self.g``."""
        g = self.g
        np.subtract(out, target, out=g)
        value = float(np.vdot(g, g)) / g.size
        g *= 2 / g.size
        return value

    def step(self, x: np.ndarray, target: np.ndarray, loss: str) -> float:
        """One training step: forward, loss, backward into the flat gradient, Adam."""
        out = self._forward(x)
        if loss == "cross_entropy":
            value = self._cross_entropy(out, target)
        else:
            value = self._mse(out, target)
        g = self.g
        for i in reversed(range(len(self.W))):
            inputs = self.h[i - 1] if i else x
            np.matmul(g.T, inputs, out=self.gW[i])
            np.sum(g, axis=0, out=self.gb[i])
            if i:
                g = np.matmul(g, self.W[i], out=self.dh[i - 1])
                g *= self.deriv[i - 1]
        self.opt.step()
        return value


class TightExpression:
    """L = Σ(a·b + a), forward and backward: dL/da = b + 1, dL/db = a, into preallocated buffers.

    For 16 floats the fastest NumPy code is not the all-``out=`` one: NumPy's
    cache of small arrays makes the fresh product free, while ``np.copyto`` and
    ``out=`` on a binary operator cost more to call than they save.
    """

    def __init__(self, a: np.ndarray, b: np.ndarray) -> None:
        self.a, self.b = a, b
        self.grad_a = np.empty_like(a)
        self.grad_b = np.empty_like(b)

    def step(self) -> np.ndarray:
        total = self.a * self.b
        total += self.a
        value = total.sum()
        np.add(self.b, 1, out=self.grad_a)
        self.grad_b[...] = self.a
        return value


# ============================================================================ student
class StudentAdam:
    """Adam (PyTorch's form, ε outside the square root) updating each array in place."""

    def __init__(self, params: list[np.ndarray], lr: float = 1e-3) -> None:
        self.params, self.lr = params, lr
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]
        self.t = 0

    def step(self, grads: list[np.ndarray]) -> None:
        b1, b2 = BETAS
        self.t += 1
        c1 = 1 - b1**self.t
        c2 = 1 - b2**self.t
        step_size = self.lr / c1
        for p, g, m, v in zip(self.params, grads, self.m, self.v, strict=True):
            m *= b1
            m += (1 - b1) * g
            v *= b2
            v += (1 - b2) * g * g
            denom = np.sqrt(v / c2)
            denom += EPS
            p -= step_size * m / denom


class StudentMLP:
    """Fully connected net with ReLU or LeakyReLU hidden layers; weights (out, in) as nn.Linear."""

    def __init__(
        self,
        weights: list[np.ndarray],
        biases: list[np.ndarray],
        negative_slope: float | None = None,
    ) -> None:
        self.W = [w.copy() for w in weights]
        self.b = [b.copy() for b in biases]
        self.slope = negative_slope
        self.opt = StudentAdam(self.W + self.b)

    def _act(self, z: np.ndarray) -> np.ndarray:
        if self.slope is None:
            return np.maximum(z, 0)
        return np.where(z > 0, z, z * self.slope)

    def _act_grad(self, z: np.ndarray, g: np.ndarray) -> np.ndarray:
        if self.slope is None:
            return g * (z > 0)
        return np.where(z > 0, g, g * self.slope)

    def step(self, x: np.ndarray, target: np.ndarray, loss: str) -> float:
        """One training step: forward, loss, backward, Adam. Returns the loss."""
        hs, zs = [x], []
        for i, (w, b) in enumerate(zip(self.W, self.b, strict=True)):
            z = hs[-1] @ w.T + b
            zs.append(z)
            if i < len(self.W) - 1:
                hs.append(self._act(z))
        out = zs[-1]
        n = out.shape[0]
        if loss == "cross_entropy":
            shifted = out - out.max(axis=1, keepdims=True)
            logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
            value = -logp[np.arange(n), target].mean()
            g = np.exp(logp)
            g[np.arange(n), target] -= 1
            g /= n
        else:
            diff = out - target
            value = (diff * diff).mean()
            g = diff * (2 / diff.size)
        gW, gb = [None] * len(self.W), [None] * len(self.W)
        for i in reversed(range(len(self.W))):
            gW[i] = g.T @ hs[i]
            gb[i] = g.sum(axis=0)
            if i:
                g = self._act_grad(zs[i - 1], g @ self.W[i])
        self.opt.step(gW + gb)
        return float(value)


def student_expression(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Forward and backward of L = Σ(a·b + a): dL/da = b + 1, dL/db = a."""
    (a * b + a).sum()
    return b + 1, a.copy()
