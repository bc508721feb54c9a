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

import sys
from collections import OrderedDict
from typing import Any

import numpy as np

from minigrad.autograd.graph import Op
from minigrad.backend import get_array_module
from minigrad.ops.shape import IndexGrad

__all__ = [
    "Unfold",
    "Fold",
    "ConvGemm",
    "MaxPool",
    "AdaptiveMaxPool",
    "WindowScatter",
    "WindowGather",
    "first_max",
    "plane_index",
    "max_indices",
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


class Workspace:
    """Image-sized work arrays reused from step to step (NumPy only).

    A fresh array of several MB costs a page fault per 4 KB the first time it is
    written (a third of a small CNN's training step); reusing arrays avoids them.
    An array is handed out again only when nothing but this workspace refers to it
    (its reference count; a view keeps its base referenced), so a result still held
    by a tensor, the graph or the user is never overwritten. CuPy has its own memory
    pool, so other backends simply allocate.
    """

    MIN_BYTES = 1 << 20  # smaller arrays come from malloc's free lists anyway
    KEEP = 3  # arrays kept per (shape, dtype)
    SHAPES = 8  # (shape, dtype) keys kept, least recently used dropped

    def __init__(self) -> None:
        self.pools: OrderedDict[tuple, list[np.ndarray]] = OrderedDict()

    def empty(self, xp: Any, shape: tuple[int, ...], dtype: Any) -> Any:
        """An uninitialised C-contiguous array of ``shape`` and ``dtype``."""
        dtype = np.dtype(dtype)
        if xp is not np or dtype.itemsize * int(np.prod(shape)) < self.MIN_BYTES:
            return xp.empty(shape, dtype=dtype)
        key = (tuple(shape), dtype)
        pool = self.pools.setdefault(key, [])
        self.pools.move_to_end(key)
        for array, count in zip(pool, _reference_counts(pool), strict=True):
            if count == _UNREFERENCED:
                return array
        array = np.empty(shape, dtype=dtype)
        if len(pool) < self.KEEP:
            pool.append(array)
        if len(self.pools) > self.SHAPES:
            self.pools.popitem(last=False)
        return array

    def zeros(self, xp: Any, shape: tuple[int, ...], dtype: Any) -> Any:
        """A zero-filled array of ``shape`` and ``dtype``."""
        array = self.empty(xp, shape, dtype)
        array.fill(0)
        return array


def _reference_counts(arrays: list[Any]) -> list[int]:
    """The reference count of each array, as seen from here (the list holds one)."""
    return [sys.getrefcount(a) for a in arrays]


# What an array referred to by its pool's list alone counts, measured the same way (the
# interpreter's own references, e.g. of getrefcount's argument, vary between versions).
_UNREFERENCED = _reference_counts([np.empty(1)])[0]

workspace = Workspace()


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
    return _window_view(_pad(get_array_module(x), x, padding, fill), kernel, dilation, stride)


def _window_view(xpad: Any, kernel: Pair, dilation: Pair, stride: Pair) -> Any:
    """The windows of an already padded image, a (writable) strided view of its memory."""
    n, c, h, w = xpad.shape
    oh = output_size(h, kernel[0], dilation[0], 0, stride[0])
    ow = output_size(w, kernel[1], dilation[1], 0, stride[1])
    sn, sc, sh, sw = xpad.strides
    return get_array_module(xpad).lib.stride_tricks.as_strided(
        xpad,
        shape=(n, c, kernel[0], kernel[1], oh, ow),
        strides=(sn, sc, sh * dilation[0], sw * dilation[1], sh * stride[0], sw * stride[1]),
    )


def _array(value: Any) -> Any:
    """A tensor's array (backward rules of the graph pass get tensors), or the array itself."""
    return getattr(value, "_array", value)


class Unfold(Op):
    # im2col:  y[n, (c, i, j), (oh, ow)] = xpad[n, c, oh·sh + i·dh, ow·sw + j·dw];
    # dx = col2im(dy) (Fold: each column entry added back where it was read)
    __slots__ = ()

    def name(self) -> str:
        return "Im2ColBackward0"  # PyTorch's node name

    def forward(self, x: Any, kernel: Pair, dilation: Pair, padding: Padding, stride: Pair) -> Any:
        view = windows(x, kernel, dilation, padding, stride)
        n, c, kh, kw, oh, ow = view.shape
        # np.array copies even when the view happens to be contiguous: the columns
        # never alias the image.
        cols = workspace.empty(get_array_module(x), view.shape, x.dtype)
        cols[...] = view  # a copy: the columns never alias the image
        return cols.reshape(n, c * kh * kw, oh * ow)

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

    def name(self) -> str:
        return "Col2ImBackward0"  # PyTorch's node name

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
        img = workspace.zeros(xp, (n, c, height, width), cols.dtype)
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


class ConvGemm(Op):
    # The convolution's matrix product, per group g (G groups; the book's y = W·col + b):
    # y[n, g] = W[g] @ cols[n, g],  then + b per output channel
    # d cols[n, g] = W[g]ᵀ @ dy[n, g],  dW[g] = Σ_n dy[n, g] @ cols[n, g]ᵀ,  db = Σ_{n, l} dy
    __slots__ = ()
    saved = (0, 1)

    def forward(self, cols: Any, w: Any, b: Any = None) -> Any:
        """``cols`` (N, G, R, L) from :class:`Unfold`, ``w`` (G, O/G, R), ``b`` (O,) or None;
        the result is (N, O, L)."""
        xp = get_array_module(cols)
        n, length = cols.shape[0], cols.shape[3]
        shape = (n, cols.shape[1], w.shape[1], length)
        y = xp.matmul(w, cols, out=workspace.empty(xp, shape, cols.dtype))
        y = y.reshape(n, cols.shape[1] * w.shape[1], length)
        if b is not None:
            y += b.reshape(-1, 1)  # in place: the product is a fresh array
        return y

    def backward(self, xp: Any, g: Any, out: Any, cols: Any, w: Any, b: Any = None) -> tuple:
        n, groups, rows, length = cols.shape
        g = g.reshape(n, groups, w.shape[1], length)
        gcols = w.swapaxes(-1, -2) @ g if self.needs_grad(0) else None
        gw = (g @ cols.swapaxes(-1, -2)).sum(axis=0) if self.needs_grad(1) else None
        gb = g.sum(axis=(0, 3)).reshape(-1) if b is not None and self.needs_grad(2) else None
        return gcols, gw, gb


def _running_max(view: Any) -> Any:
    """The maximum over the window axes (2, 3) of ``view`` (N, C, kh, kw, OH, OW): one
    element-wise pass per window element; NaN propagates."""
    xp = get_array_module(view)
    kh, kw = view.shape[2:4]
    best = workspace.empty(xp, view[:, :, 0, 0].shape, view.dtype)
    if kh * kw == 1:
        best[...] = view[:, :, 0, 0]
    for k in range(1, kh * kw):
        first = view[:, :, 0, 0] if k == 1 else best
        xp.maximum(first, view[:, :, k // kw, k % kw], out=best)
    return best


def first_max(view: Any, best: Any) -> Any:
    """One boolean mask per window element k = i·kw + j, shape (kh·kw, N, C, OH, OW):
    True where element k is its window's first maximum ``best`` (the first NaN where the
    maximum is NaN). That is where max pooling's gradient goes, as in PyTorch."""
    xp = get_array_module(view)
    kh, kw = view.shape[2:4]
    masks = workspace.empty(xp, (kh * kw, *best.shape), bool)
    for k in range(kh * kw):
        xp.equal(view[:, :, k // kw, k % kw], best, out=masks[k])
    nan = xp.isnan(best)
    if bool(nan.any()):  # NaN equals nothing: mark the NaN elements of NaN windows
        for k in range(kh * kw):
            masks[k] |= nan & xp.isnan(view[:, :, k // kw, k % kw])
    if int(xp.count_nonzero(masks)) != best.size:  # ties (common after ReLU: all-zero
        taken = masks[0].copy()  # windows): keep each window's first hit only
        for k in range(1, kh * kw):
            xp.greater(masks[k], taken, out=masks[k])  # hit and not taken before
            taken |= masks[k]
    return masks


def plane_index(arg: Any, rows: Any, cols: Any, width: int) -> Any:
    """PyTorch's ``return_indices``: the flat position (row·W + column) in the input
    plane of window element ``arg``; ``rows`` (OH, kh) and ``cols`` (OW, kw) as in
    :func:`window_positions`."""
    xp = get_array_module(arg)
    kw = cols.shape[1]
    row = xp.asarray(rows)[xp.arange(rows.shape[0])[:, None], arg // kw]  # (OH, 1) with arg
    return row * width + xp.asarray(cols)[xp.arange(cols.shape[0]), arg % kw]


def max_indices(x: Any, out: Any, rows: Any, cols: Any, geometry: tuple | None) -> Any:
    """PyTorch's ``return_indices`` of a max pooling of the array ``x`` that gave ``out``:
    the position in each H·W plane of each window's first maximum. ``geometry`` =
    (kernel, dilation, padding, stride) for regular windows, None for adaptive ones."""
    if geometry is None:
        view = _gather_windows(x, rows, cols)
    else:
        kernel, dilation, padding, stride = geometry
        view = windows(x, kernel, dilation, padding, stride, fill=-float("inf"))
    arg = first_max(view, out).argmax(axis=0)  # the element k of each window's mask
    return plane_index(arg, rows, cols, x.shape[3])


def _coverage(size: int, kernel: int, dilation: int, stride: int) -> tuple[bool, bool]:
    """Whether no input position along an axis lies in two windows, and whether every
    position lies in one."""
    out = output_size(size, kernel, dilation, 0, stride)
    positions = [o * stride + i * dilation for o in range(out) for i in range(kernel)]
    distinct = set(positions)
    return len(distinct) == len(positions), len(distinct) == size


class MaxPool(Op):
    # y[n, c, oh, ow] = max_{i, j} xpad[n, c, oh·sh + i·dh, ow·sw + j·dw]  (-∞ padding);
    # dx = dy sent to each window's first maximum (PyTorch's choice at ties): WindowScatter.
    # Backward reads a private copy of the maxima rather than y, so y may be changed in
    # place afterwards (nn.ReLU(inplace=True) after nn.MaxPool2d, as PyTorch allows).
    __slots__ = ("maxima",)
    saved = (0,)

    def name(self) -> str:
        return "MaxPool2DWithIndicesBackward0"  # PyTorch's node name

    def forward(self, x: Any, kernel: Pair, dilation: Pair, padding: Padding, stride: Pair) -> Any:
        out = _running_max(windows(x, kernel, dilation, padding, stride, fill=-float("inf")))
        self.maxima = out.copy()  # a copy costs less than finding the maxima again
        return out

    def release(self) -> None:
        super().release()
        self.maxima = None

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
        view = windows(_array(x), kernel, dilation, padding, stride, fill=-float("inf"))
        masks = first_max(view, self.maxima)
        size = tuple(x.shape[2:])
        gx = WindowScatter.call(xp, g, masks, size, kernel, dilation, padding, stride)
        return gx, None, None, None, None


class WindowScatter(Op):
    # y = zeros (N, C, H, W) with y[element k of window (oh, ow)] += g[oh, ow] where
    # masks[k, oh, ow] (max pooling's backward);  d g = WindowGather(dy): dy read back there
    __slots__ = ()

    def forward(
        self,
        g: Any,
        masks: Any,
        size: Pair,
        kernel: Pair,
        dilation: Pair,
        padding: Padding,
        stride: Pair,
    ) -> Any:
        xp = get_array_module(g)
        (top, bottom), (left, right) = padding
        n, c = g.shape[:2]
        shape = (n, c, size[0] + top + bottom, size[1] + left + right)
        rows, cols = (_coverage(shape[2 + a], kernel[a], dilation[a], stride[a]) for a in (0, 1))
        disjoint = rows[0] and cols[0]
        if disjoint and rows[1] and cols[1]:  # every position written once below
            img = workspace.empty(xp, shape, g.dtype)
        else:
            img = workspace.zeros(xp, shape, g.dtype)
        view = _window_view(img, kernel, dilation, stride)
        for k in range(kernel[0] * kernel[1]):
            target = view[:, :, k // kernel[1], k % kernel[1]]
            if disjoint:  # every position is written once: no accumulation needed
                xp.multiply(g, masks[k], out=target)
            else:
                target += g * masks[k]
        return img[:, :, top : top + size[0], left : left + size[1]]

    def backward(  # type: ignore[override]  # (its geometry arguments follow *args)
        self, xp: Any, gy: Any, out: Any, g: Any, masks: Any, size: Any, *geometry: Any
    ) -> tuple:
        return WindowGather.call(xp, gy, masks, *geometry), None, None, None, None, None, None


class WindowGather(Op):
    # y[n, c, oh, ow] = Σ_k masks[k, n, c, oh, ow] · (element k of window (oh, ow) of ypad)
    # (the adjoint of WindowScatter);  d ypad = WindowScatter(dy)
    __slots__ = ()

    def forward(
        self, img: Any, masks: Any, kernel: Pair, dilation: Pair, padding: Padding, stride: Pair
    ) -> Any:
        xp = get_array_module(img)
        view = windows(img, kernel, dilation, padding, stride)
        out = xp.zeros(masks.shape[1:], dtype=img.dtype)
        for k in range(kernel[0] * kernel[1]):
            out += view[:, :, k // kernel[1], k % kernel[1]] * masks[k]
        return out

    def backward(self, xp: Any, g: Any, out: Any, img: Any, masks: Any, *geometry: Any) -> tuple:
        size = tuple(img.shape[2:])
        return WindowScatter.call(xp, g, masks, size, *geometry), None, None, None, None, None


class AdaptiveMaxPool(Op):
    # y[n, c, oh, ow] = max over rows[oh, :] × cols[ow, :] of x[n, c];
    # dx = dy added at each window's first maximum (windows may overlap)
    __slots__ = ()
    saved = (0,)
    saves_output = True

    def name(self) -> str:
        return "AdaptiveMaxPool2DBackward0"  # PyTorch's node name

    def forward(self, x: Any, rows: Any, cols: Any) -> Any:
        """``rows`` (OH, kh), ``cols`` (OW, kw): each window's input rows and columns
        (host int arrays, see :func:`adaptive_positions`)."""
        return _running_max(_gather_windows(x, rows, cols))

    def backward(self, xp: Any, g: Any, out: Any, x: Any, rows: Any, cols: Any) -> tuple:
        n, c, h, w = x.shape
        masks = first_max(_gather_windows(_array(x), rows, cols), _array(out))
        index = plane_index(masks.argmax(axis=0), rows, cols, w)
        ax = get_array_module(index)
        flat = ax.arange(n * c, dtype=index.dtype).reshape(n, c, 1, 1) * (h * w) + index
        gx = IndexGrad.call(xp, g.reshape(-1), (n * c * h * w,), (flat.reshape(-1),), True)
        return gx.reshape(x.shape), None, None


def _gather_windows(x: Any, rows: Any, cols: Any) -> Any:
    """Irregular windows copied out: (N, C, kh, kw, OH, OW), like :func:`windows`."""
    xp = get_array_module(x)
    view = xp.take(xp.take(x, xp.asarray(rows), axis=2), xp.asarray(cols), axis=4)
    return view.transpose(0, 1, 3, 5, 2, 4)  # (N, C, OH, kh, OW, kw) -> window axes first


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
    return np.pad(np.arange(size), (before, after), mode=numpy_mode)  # type: ignore[call-overload]
