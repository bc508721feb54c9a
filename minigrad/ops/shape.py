"""Operations that move elements around: reshape, permute, expand, indexing,
index_select, cat, stack, flip, roll and diagonals. Reshape, permute, expand,
basic indexing and diagonal return views that share memory (and the version
counter) with their input."""

from __future__ import annotations

from typing import Any

from minigrad.autograd.graph import Op, ViewOp, view_of
from minigrad.backend import backend_of, get_array_module


class Reshape(ViewOp):
    # y = reshape(x);  dx = reshape(dy, x.shape)
    pytorch_name = "ViewBackward0"
    __slots__ = ()

    def forward(self, x: Any, shape: tuple[int, ...]) -> Any:
        return x.reshape(shape)

    def backward(self, xp: Any, g: Any, out: Any, x: Any, shape: Any) -> tuple[Any, None]:
        return g.reshape(x.shape), None


class Contiguous(Op):
    # y = x copied into row-major order;  dx = dy
    pytorch_name = "CloneBackward0"
    __slots__ = ()

    def forward(self, x: Any) -> Any:
        return x.copy()  # ndarray.copy() lays the elements out in C order

    def backward(self, xp: Any, g: Any, out: Any, x: Any) -> tuple[Any]:
        return (g,)


class Permute(ViewOp):
    # y = transpose(x, axes);  dx = transpose(dy, inverse(axes))
    __slots__ = ()

    def forward(self, x: Any, axes: tuple[int, ...]) -> Any:
        return x.transpose(axes)

    def backward(self, xp: Any, g: Any, out: Any, x: Any, axes: Any) -> tuple[Any, None]:
        inverse = [0] * len(axes)
        for i, a in enumerate(axes):
            inverse[a] = i
        return xp.transpose(g, tuple(inverse)), None


class Expand(ViewOp):
    # y = broadcast_to(x, shape);  dx = Σ dy over the broadcast axes (done by the node)
    __slots__ = ()

    def forward(self, x: Any, shape: tuple[int, ...]) -> Any:
        return get_array_module(x).broadcast_to(x, shape)

    def backward(self, xp: Any, g: Any, out: Any, x: Any, shape: Any) -> tuple[Any, None]:
        return g, None


class Index(ViewOp):
    # y = x[key];  dx = dy scattered back to key (repeated integer indices accumulate)
    __slots__ = ()

    def forward(self, x: Any, key: tuple, advanced: bool) -> Any:
        if not advanced and Ellipsis not in key:
            key = (*key, Ellipsis)  # a full integer index gives a 0-d view, not a scalar copy
        return x[key]

    def backward(self, xp: Any, g: Any, out: Any, x: Any, key: Any, advanced: bool) -> tuple:
        return IndexGrad.call(xp, g, x.shape, key, advanced), None, None


class IndexGrad(Op):
    # y = zeros(shape) with y[key] += dy  (the backward of indexing);  d dy = dy'[key]
    __slots__ = ()

    def forward(self, g: Any, shape: tuple[int, ...], key: tuple, advanced: bool) -> Any:
        out = get_array_module(g).zeros(shape, dtype=g.dtype)
        if advanced:
            backend_of(out).scatter_add(out, key, g)
        else:
            out[key] = g
        return out

    def backward(self, xp: Any, g: Any, out: Any, dy: Any, shape: Any, key: Any, adv: Any) -> tuple:
        return Index.call(xp, g, key, adv), None, None, None


class IndexSelect(Op):
    # y = take(x, index, dim);  dx = dy added back at index along dim
    __slots__ = ()

    def forward(self, x: Any, index: Any, dim: int) -> Any:
        return get_array_module(x).take(x, index, axis=dim)

    def backward(self, xp: Any, g: Any, out: Any, x: Any, index: Any, dim: int) -> tuple:
        key = (slice(None),) * dim + (index,)
        return IndexGrad.call(xp, g, x.shape, key, True), None, None


class IndexPut(Op):
    # y = x with its region ``steps`` (e.g. y[key]) set to v (broadcast);
    # dx = dy with the region zeroed,  dv = dy's region
    __slots__ = ()

    def forward(self, x: Any, value: Any, steps: tuple) -> Any:
        out = x.copy()
        assign_view(out, steps, value)
        return out

    def backward(self, xp: Any, g: Any, out: Any, x: Any, value: Any, steps: tuple) -> tuple:
        gx = IndexPut.call(xp, g, 0, steps) if self.needs_grad(0) else None
        return gx, (view_of(xp, g, steps) if self.needs_grad(1) else None), None


class CopySlices(IndexPut):
    # base[region] = v written into base's own memory: an in-place change through a view
    # (PyTorch's CopySlices); the gradients are IndexPut's
    __slots__ = ()

    def forward(self, base: Any, value: Any, steps: tuple) -> Any:
        assign_view(base, steps, value)
        return base

    def name(self) -> str:
        return "CopySlices"


def assign_view(base: Any, steps: tuple, value: Any) -> None:
    """Write ``value`` into the region of the array ``base`` that ``steps`` describe (a chain
    of views; the last may be an advanced index, which selects without viewing)."""
    *lead, (op, params) = steps
    target = view_of(get_array_module(base), base, tuple(lead))
    if op is Index:
        target[params[0]] = value
    else:
        op.call(get_array_module(base), target, *params)[...] = value


class Cat(Op):
    # y = concatenate(xs, dim);  dxᵢ = the slice of dy that xᵢ filled
    __slots__ = ()

    def forward(self, dim: int, *xs: Any) -> Any:
        return get_array_module(xs[0]).concatenate(xs, axis=dim)

    def backward(self, xp: Any, g: Any, out: Any, dim: int, *xs: Any) -> tuple[Any, ...]:
        lead = (slice(None),) * dim
        start = 0
        grads = []
        for x in xs:
            end = start + x.shape[dim]
            grads.append(g[lead + (slice(start, end),)])
            start = end
        return (None, *grads)


class Stack(Op):
    # y = stack(xs, dim);  dxᵢ = dy[..., i, ...] along dim
    __slots__ = ()

    def forward(self, dim: int, *xs: Any) -> Any:
        return get_array_module(xs[0]).stack(xs, axis=dim)

    def backward(self, xp: Any, g: Any, out: Any, dim: int, *xs: Any) -> tuple[Any, ...]:
        lead = (slice(None),) * dim
        return (None, *(g[lead + (i,)] for i in range(len(xs))))


# ---------------------------------------------------------------- indexing and shape (more)
class Flip(Op):
    # y = x reversed along ``axes`` (a copy, as torch.flip);  dx = flip(dy, axes)
    __slots__ = ()

    def forward(self, x: Any, axes: tuple[int, ...]) -> Any:
        return get_array_module(x).flip(x, axes).copy()

    def backward(self, xp: Any, g: Any, out: Any, x: Any, axes: Any) -> tuple[Any, None]:
        return Flip.call(xp, g, axes), None


class Roll(Op):
    # y = x shifted cyclically by ``shifts`` along ``axes`` (flattened when None);
    # dx = roll(dy, -shifts, axes)
    __slots__ = ()

    def forward(self, x: Any, shifts: Any, axes: Any) -> Any:
        return get_array_module(x).roll(x, shifts, axes)

    def backward(self, xp: Any, g: Any, out: Any, x: Any, shifts: Any, axes: Any) -> tuple:
        back = -shifts if isinstance(shifts, int) else tuple(-s for s in shifts)
        return Roll.call(xp, g, back, axes), None, None


class Diagonal(ViewOp):
    # y = the diagonal ``offset`` of the planes (dim1, dim2), moved to the last axis (a view);
    # dx = zeros with that diagonal set to dy
    __slots__ = ()

    def forward(self, x: Any, offset: int, dim1: int, dim2: int) -> Any:
        out = get_array_module(x).diagonal(x, offset, dim1, dim2)
        flags = out.flags  # CuPy's flags have no ``writeable``: its diagonal is writable
        if not getattr(flags, "writeable", True) and x.flags.writeable:
            flags.writeable = True  # NumPy's diagonal is a read-only view; torch's is writable
        return out

    def backward(self, xp: Any, g: Any, out: Any, x: Any, offset: int, d1: int, d2: int) -> tuple:
        return DiagEmbed.call(xp, g, tuple(x.shape), offset, d1, d2), None, None, None


class DiagEmbed(Op):
    # y = zeros(shape) with its diagonal (offset, dim1, dim2) set to v (diag_embed, and the
    # backward of diagonal);  dv = diagonal(dy, offset, dim1, dim2)
    __slots__ = ()

    def forward(self, v: Any, shape: tuple[int, ...], offset: int, dim1: int, dim2: int) -> Any:
        out = get_array_module(v).zeros(shape, dtype=v.dtype)
        Diagonal.call(get_array_module(v), out, offset, dim1, dim2)[...] = v
        return out

    def backward(
        self, xp: Any, g: Any, out: Any, v: Any, shape: Any, offset: int, d1: int, d2: int
    ) -> tuple:
        return Diagonal.call(xp, g, offset, d1, d2), None, None, None, None


class Unfold(ViewOp):
    # y[..., i, ..., k] = x[..., i·step + k, ...]: the windows of length ``size`` along ``dim``,
    # every ``step``, with a new last axis of length ``size`` (a strided view);
    # dx = the windows of dy added back in place (overlapping windows sum)
    pytorch_name = "UnfoldBackward0"
    __slots__ = ()

    def forward(self, x: Any, dim: int, size: int, step: int) -> Any:
        xp = get_array_module(x)
        count = (x.shape[dim] - size) // step + 1
        shape = x.shape[:dim] + (count,) + x.shape[dim + 1 :] + (size,)
        strides = x.strides[:dim] + (x.strides[dim] * step,) + x.strides[dim + 1 :]
        return xp.lib.stride_tricks.as_strided(x, shape, strides + (x.strides[dim],))

    def backward(self, xp: Any, g: Any, out: Any, x: Any, dim: int, size: int, step: int) -> tuple:
        return UnfoldGrad.call(xp, g, tuple(x.shape), dim, size, step), None, None, None


class UnfoldGrad(Op):
    # y = zeros(shape) with every window k of g (g[..., i, ..., k] for window i) added back at
    # positions i·step + k along ``dim`` (the backward of unfold);  d dg = unfold(dy')
    __slots__ = ()

    def forward(self, g: Any, shape: tuple[int, ...], dim: int, size: int, step: int) -> Any:
        xp = get_array_module(g)
        out = xp.zeros(shape, dtype=g.dtype)
        count = g.shape[dim]
        lead = (slice(None),) * dim
        for k in range(size):  # window element k of every window at once
            out[lead + (slice(k, k + (count - 1) * step + 1, step),)] += g[..., k]
        return out

    def backward(
        self, xp: Any, g: Any, out: Any, dg: Any, shape: Any, dim: int, size: int, step: int
    ) -> tuple:
        return Unfold.call(xp, g, dim, size, step), None, None, None, None
