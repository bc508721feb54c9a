"""The floor: the benchmark workloads written by hand in NumPy, without autograd.

This is what a careful student writes after chapter 5 of "Deep Learning from
Scratch": explicit forward and backward passes and a per-parameter Adam with
in-place updates. minigrad's overhead is measured against it.
"""

from __future__ import annotations

import numpy as np


class Adam:
    """Adam (PyTorch's form, eps outside the square root) updating arrays in place."""

    def __init__(
        self, params: list[np.ndarray], lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8
    ) -> None:
        self.params, self.lr, self.eps = params, lr, eps
        self.b1, self.b2 = betas
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]
        self.t = 0

    def step(self, grads: list[np.ndarray]) -> None:
        self.t += 1
        c1 = 1 - self.b1**self.t
        c2 = 1 - self.b2**self.t
        step_size = self.lr / c1
        for p, g, m, v in zip(self.params, grads, self.m, self.v, strict=True):
            m *= self.b1
            m += (1 - self.b1) * g
            v *= self.b2
            v += (1 - self.b2) * g * g
            denom = np.sqrt(v / c2)
            denom += self.eps
            p -= step_size * m / denom


class MLP:
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
        self.opt = Adam(self.W + self.b)

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


def expression(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Forward and backward of L = Σ(a·b + a): dL/da = b + 1, dL/db = a."""
    (a * b + a).sum()
    return b + 1, a.copy()
