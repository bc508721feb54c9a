"""Normalisation, padding and embedding lookup as engine operations.

- :class:`Normalize`: x̂ = (x - mean(x)) / √(var(x) + ε) over some axes, the
  core of batch, layer, group and instance normalisation (their affine part is
  an ordinary broadcast multiply-add on top);
- :class:`Pad`: a constant border around (or, for negative widths, a crop of)
  the last dimensions, the ``'constant'`` mode of ``F.pad``;
- :class:`Embedding`: rows of a weight matrix picked by integer indices, with
  PyTorch's ``padding_idx`` and ``scale_grad_by_freq`` gradients.

Each backward is written once against ``xp`` and recomputes what it needs from
its inputs, so it serves the fast pass and ``create_graph=True`` alike.
"""

from __future__ import annotations

from typing import Any

from minigrad.autograd.graph import Op
from minigrad.backend import get_array_module
from minigrad.ops.shape import IndexGrad

__all__ = ["Normalize", "Pad", "Embedding", "pad_keys"]

Array = Any


def _standardize(xp: Any, x: Array, axes: tuple[int, ...], eps: float) -> tuple[Array, Array]:
    """x̂ = (x - μ) / √(σ² + ε) and 1 / √(σ² + ε), with μ, σ² the mean and biased variance
    over ``axes`` (kept); on arrays and on tensors alike."""
    n = 1
    for axis in axes:
        n *= x.shape[axis]
    centered = x - x.sum(axis=axes, keepdims=True) / n
    variance = (centered * centered).sum(axis=axes, keepdims=True) / n
    inv_std = 1 / xp.sqrt(variance + eps)
    return centered * inv_std, inv_std


class Normalize(Op):
    # x̂ = (x - μ) / √(σ² + ε)  (μ, σ² the mean and biased variance over ``axes``, n elements)
    # dx = (dy - mean(dy) - x̂ · mean(dy · x̂)) / √(σ² + ε)   (means over ``axes``)
    __slots__ = ()
    saved = (0,)

    def forward(self, x: Array, axes: tuple[int, ...], eps: float) -> Array:
        return _standardize(get_array_module(x), x, axes, eps)[0]

    def backward(self, xp: Any, g: Array, out: Any, x: Array, axes: Any, eps: float) -> tuple:
        n = 1
        for axis in axes:
            n *= x.shape[axis]
        x_hat, inv_std = _standardize(xp, x, axes, eps)
        mean_g = g.sum(axis=axes, keepdims=True) / n
        mean_gx = (g * x_hat).sum(axis=axes, keepdims=True) / n
        return (g - mean_g - x_hat * mean_gx) * inv_std, None, None


def pad_keys(shape: tuple[int, ...], pads: tuple[tuple[int, int], ...]) -> tuple[tuple, tuple]:
    """The index keys (source in the input, destination in the output) of a constant pad.

    ``pads`` holds (before, after) per trailing dimension, in order; negative
    widths crop. Returns ``(source_key, destination_key)`` of basic slices.
    """
    lead = len(shape) - len(pads)
    source: list[slice] = [slice(None)] * lead
    destination: list[slice] = [slice(None)] * lead
    for n, (before, after) in zip(shape[lead:], pads, strict=True):
        source.append(slice(max(-before, 0), n - max(-after, 0)))
        start = max(before, 0)
        destination.append(slice(start, start + n - max(-before, 0) - max(-after, 0)))
    return tuple(source), tuple(destination)


class Pad(Op):
    # y = value outside, x (cropped where a width is negative) inside;  dx = dy's inner region
    __slots__ = ()

    def forward(self, x: Array, pads: tuple[tuple[int, int], ...], value: float) -> Array:
        lead = x.ndim - len(pads)
        shape = x.shape[:lead] + tuple(
            n + before + after for n, (before, after) in zip(x.shape[lead:], pads, strict=True)
        )
        out = get_array_module(x).full(shape, value, dtype=x.dtype)
        source, destination = pad_keys(x.shape, pads)
        out[destination] = x[source]
        return out

    def backward(self, xp: Any, g: Array, out: Any, x: Array, pads: Any, value: Any) -> tuple:
        source, destination = pad_keys(tuple(x.shape), pads)
        return IndexGrad.call(xp, g[destination], tuple(x.shape), source, False), None, None


class Embedding(Op):
    # y = W[i]  (rows of W at the indices i);
    # dW[r] = Σ_{k: iₖ = r} dyₖ (· 1/count(r) with scale_grad_by_freq), 0 for r = padding_idx
    __slots__ = ()

    def forward(
        self, weight: Array, indices: Array, padding_idx: int | None, scale_grad_by_freq: bool
    ) -> Array:
        return weight[indices]

    def backward(
        self,
        xp: Any,
        g: Array,
        out: Any,
        weight: Array,
        indices: Array,
        padding_idx: Any,
        scale: Any,
    ) -> tuple:
        ix = get_array_module(indices)
        factor = None
        if padding_idx is not None:
            factor = (indices != padding_idx).astype(weight.dtype)
        if scale:
            counts = ix.bincount(indices.reshape(-1), minlength=weight.shape[0])
            per_index = (1 / counts[indices]).astype(weight.dtype)
            factor = per_index if factor is None else factor * per_index
        if factor is not None:
            g = g * factor.reshape(factor.shape + (1,))
        return IndexGrad.call(xp, g, tuple(weight.shape), (indices,), True), None, None, None
