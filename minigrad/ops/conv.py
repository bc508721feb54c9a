"""Sliding windows: im2col (``Unfold``), col2im (``Fold``) and max pooling (``MaxPool``).

The convolution of chapter 7 of "Deep Learning from Scratch" is one matrix
product once every receptive field is laid out as a column (*im2col*)::

    cols[n, (c, i, j), (oh, ow)] = xpad[n, c, oh·sh + i·dh, ow·sw + j·dw]

The windows are read without a Python loop: a strided *view* of the padded
image with the shape (N, C, kh, kw, OH, OW) (``as_strided``: the window axes
step by the dilation, the output axes by the stride), copied once into the
column matrix. ``col2im`` is its adjoint: every column entry is added back
where it was read from, one strided slice per kernel offset (kh·kw slices).
Each is the other's backward, so gradients of any order come for free.

Geometry arguments are tuples over the two spatial axes: ``kernel`` (kh, kw),
``dilation`` (dh, dw), ``stride`` (sh, sw) and ``padding`` ((top, bottom),
(left, right)), so 'same' padding and ``ceil_mode`` may pad one side more.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad.autograd.graph import Op
from minigrad.backend import get_array_module
from minigrad.ops.shape import IndexGrad

__all__ = [
    "Unfold",
    "Fold",
    "MaxPool",
    "output_size",
    "pool_output_size",
    "windows",
    "window_positions",
    "adaptive_positions",
    "adaptive_average_matrix",
    "average_divisor",
    "pad_positions",
]

Pair = tuple[int, int]
Padding = tuple[Pair, Pair]


def output_size(size: int, kernel: int, dilation: int, pad: int, stride: int) -> int:
    """Number of windows along one axis: ⌊(size + pad - d·(k - 1) - 1) / s⌋ + 1.

    ``pad`` is the total padding of the axis (both sides).
    """
    return (size + pad - dilation * (kernel - 1) - 1) // stride + 1


def _pad(xp: Any, x: Any, padding: Padding, value: float = 0.0) -> Any:
    """``x`` (N, C, H, W) padded with ``value`` around its last two axes (a copy if any)."""
    if not any(padding[0] + padding[1]):
        return x
    (top, bottom), (left, right) = padding
    n, c, h, w = x.shape
    out = xp.full((n, c, h + top + bottom, w + left + right), value, dtype=x.dtype)
    out[:, :, top : top + h, left : left + w] = x
    return out


def windows(
    x: Any, kernel: Pair, dilation: Pair, padding: Padding, stride: Pair, fill: float = 0.0
) -> Any:
    """The view (N, C, kh, kw, OH, OW) of every receptive field of ``x`` (N, C, H, W),
    padded with ``fill``: ``view[n, c, i, j, oh, ow] = xpad[n, c, oh·sh + i·dh, ow·sw + j·dw]``.

    No data is copied beyond the padding: the view steps through ``xpad``'s memory.
    """
    xp = get_array_module(x)
    xpad = _pad(xp, x, padding, fill)
    n, c, h, w = xpad.shape
    oh = output_size(h, kernel[0], dilation[0], 0, stride[0])
    ow = output_size(w, kernel[1], dilation[1], 0, stride[1])
    sn, sc, sh, sw = xpad.strides
    return xp.lib.stride_tricks.as_strided(
        xpad,
        shape=(n, c, kernel[0], kernel[1], oh, ow),
        strides=(sn, sc, sh * dilation[0], sw * dilation[1], sh * stride[0], sw * stride[1]),
    )


class Unfold(Op):
    # im2col:  y[n, (c, i, j), (oh, ow)] = xpad[n, c, oh·sh + i·dh, ow·sw + j·dw];
    # dx = col2im(dy) (Fold: each column entry added back where it was read)
    __slots__ = ()

    def forward(self, x: Any, kernel: Pair, dilation: Pair, padding: Padding, stride: Pair) -> Any:
        view = windows(x, kernel, dilation, padding, stride)
        n, c, kh, kw, oh, ow = view.shape
        # np.array copies even when the view happens to be contiguous: the columns
        # never alias the image.
        return get_array_module(x).array(view).reshape(n, c * kh * kw, oh * ow)

    def backward(
        self,
        xp: Any,
        g: Any,
        out: Any,
        x: Any,
        kernel: Pair,
        dilation: Pair,
        padding: Any,
        stride: Any,
    ) -> tuple:
        size = tuple(x.shape[2:])
        return Fold.call(xp, g, size, kernel, dilation, padding, stride), None, None, None, None


class Fold(Op):
    # col2im:  y[n, c, h, w] = Σ cols[n, (c, i, j), (oh, ow)] over oh·sh + i·dh - top = h,
    #          ow·sw + j·dw - left = w;   d cols = im2col(dy) (Unfold)
    __slots__ = ()

    def forward(
        self, cols: Any, size: Pair, kernel: Pair, dilation: Pair, padding: Padding, stride: Pair
    ) -> Any:
        xp = get_array_module(cols)
        (top, bottom), (left, right) = padding
        height, width = size[0] + top + bottom, size[1] + left + right
        oh = output_size(height, kernel[0], dilation[0], 0, stride[0])
        ow = output_size(width, kernel[1], dilation[1], 0, stride[1])
        n = cols.shape[0]
        c = cols.shape[1] // (kernel[0] * kernel[1])
        cols = cols.reshape(n, c, kernel[0], kernel[1], oh, ow)
        img = xp.zeros((n, c, height, width), dtype=cols.dtype)
        for i in range(kernel[0]):
            rows = slice(i * dilation[0], i * dilation[0] + stride[0] * (oh - 1) + 1, stride[0])
            for j in range(kernel[1]):
                start = j * dilation[1]
                img[:, :, rows, start : start + stride[1] * (ow - 1) + 1 : stride[1]] += cols[
                    :, :, i, j
                ]
        return img[:, :, top : top + size[0], left : left + size[1]]

    def backward(
        self,
        xp: Any,
        g: Any,
        out: Any,
        cols: Any,
        size: Any,
        kernel: Pair,
        dilation: Pair,
        padding: Padding,
        stride: Pair,
    ) -> tuple:
        return Unfold.call(xp, g, kernel, dilation, padding, stride), None, None, None, None, None


class MaxPool(Op):
    # y[n, c, oh, ow] = max over the window (rows[oh, i], cols[ow, j]) of x[n, c];
    # dx = dy scattered to each window's first maximum (PyTorch's choice at ties)
    __slots__ = ("index",)  # the flat position in x of each window's maximum (a constant)

    def forward(self, x: Any, rows: Any, cols: Any, geometry: tuple | None) -> Any:
        """``rows`` (OH, kh) and ``cols`` (OW, kw): the input row and column of every
        window element (host int64 arrays; -1 in padding, which never wins).

        ``geometry`` = (kernel, dilation, padding, stride) when the windows are regular:
        they are then read through a strided view instead of gathered."""
        xp = get_array_module(x)
        n, c, h, w = x.shape
        oh, kh = rows.shape
        ow, kw = cols.shape
        if geometry is not None:
            view = windows(x, *geometry, fill=-xp.inf).transpose(0, 1, 4, 5, 2, 3)
        else:  # gather: (N, C, OH, kh, W) then (N, C, OH, kh, OW, kw)
            view = xp.take(xp.take(x, xp.asarray(rows), axis=2), xp.asarray(cols), axis=4)
            view = view.transpose(0, 1, 2, 4, 3, 5)
        flat = view.reshape(n, c, oh, ow, kh * kw)
        best = flat.argmax(axis=-1)
        row = xp.asarray(rows)[xp.arange(oh)[:, None], best // kw]
        col = xp.asarray(cols)[xp.arange(ow), best % kw]
        self.index = row * w + col  # PyTorch's return_indices: position in the H·W plane
        return flat.max(axis=-1)

    def backward(
        self, xp: Any, g: Any, out: Any, x: Any, rows: Any, cols: Any, geometry: Any
    ) -> tuple:
        n, c, h, w = x.shape
        ax = get_array_module(self.index)
        planes = ax.arange(n * c, dtype=self.index.dtype).reshape(n, c, 1, 1) * (h * w)
        flat = (planes + self.index).reshape(-1)
        overlapping = _overlapping(rows) or _overlapping(cols)
        gx = IndexGrad.call(xp, g.reshape(-1), (n * c * h * w,), (flat,), overlapping)
        return gx.reshape(x.shape), None, None, None


def _overlapping(positions: Any) -> bool:
    """Whether some input position lies in two windows (then gradients must accumulate)."""
    taken = positions[positions >= 0]
    return len(set(taken.tolist())) != taken.size


# ------------------------------------------------------------------ geometry (host arrays)
def pool_output_size(
    size: int, kernel: int, dilation: int, pad: int, stride: int, ceil_mode: bool
) -> int:
    """PyTorch's pooling output size along one axis (``pad`` on each side).

    ⌊ or ⌈ (size + 2·pad - d·(k - 1) - 1) / s ⌉ + 1; with ``ceil_mode`` the last
    window must still start inside the input or its left padding.
    """
    span = size + 2 * pad - dilation * (kernel - 1) - 1
    out = (span + (stride - 1 if ceil_mode else 0)) // stride + 1
    if ceil_mode and (out - 1) * stride >= size + pad:
        out -= 1
    return out


def window_positions(
    size: int, kernel: int, dilation: int, pad: int, stride: int, out: int
) -> np.ndarray:
    """The input index of element i of window o: o·s - pad + i·d (shape (out, kernel));
    -1 where it falls in the padding."""
    pos = np.arange(out)[:, None] * stride - pad + np.arange(kernel)[None, :] * dilation
    return np.where((pos >= 0) & (pos < size), pos, -1)


def _adaptive_bounds(size: int, out: int) -> tuple[np.ndarray, np.ndarray]:
    """PyTorch's adaptive windows: start = ⌊o·size/out⌋, end = ⌈(o + 1)·size/out⌉."""
    o = np.arange(out)
    return (o * size) // out, -((-(o + 1) * size) // out)


def adaptive_positions(size: int, out: int) -> np.ndarray:
    """The input indices of each adaptive window (shape (out, longest window)); shorter
    windows repeat their first index (a repeat never changes a maximum)."""
    start, end = _adaptive_bounds(size, out)
    width = int((end - start).max()) if out else 0
    pos = start[:, None] + np.arange(width)[None, :]
    return np.where(pos < end[:, None], pos, start[:, None])


def adaptive_average_matrix(size: int, out: int) -> np.ndarray:
    """A (out, size) with A[o, i] = 1 / (end - start) inside window o, else 0, so that
    adaptive average pooling along an axis is the product A @ x."""
    start, end = _adaptive_bounds(size, out)
    i = np.arange(size)[None, :]
    inside = (i >= start[:, None]) & (i < end[:, None])
    return inside / (end - start)[:, None]


def average_divisor(
    size: int, kernel: int, pad: int, stride: int, out: int, count_include_pad: bool
) -> np.ndarray:
    """Each window's element count along one axis, as PyTorch's avg_pool divides:
    the window clipped to the padded input (or, without count_include_pad, to the input)."""
    start = np.arange(out) * stride - pad
    end = np.minimum(start + kernel, size + pad)
    if not count_include_pad:
        start, end = np.maximum(start, 0), np.minimum(end, size)
    return end - start


def pad_positions(size: int, before: int, after: int, mode: str) -> np.ndarray:
    """The source index of every position of an axis padded by ``mode``
    ('reflect', 'replicate' or 'circular'), e.g. reflect of 4 by (2, 1): [2 1 0 1 2 3 2]."""
    numpy_mode = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}[mode]
    return np.pad(np.arange(size), (before, after), mode=numpy_mode)
