"""Operations that move elements around: reshape, permute, expand, indexing,
index_select, cat and stack."""

from __future__ import annotations

from typing import Any

from minigrad.autograd import Function
from minigrad.backend import backend_of, get_array_module


class Reshape(Function):
    # y = reshape(x);  dx = reshape(dy, x.shape)
    __slots__ = ("shape",)

    def forward(self, x: Any, shape: tuple[int, ...]) -> Any:
        self.shape = x.shape
        return x.reshape(shape)

    def backward(self, g: Any) -> tuple[Any, None]:
        return g.reshape(self.shape), None


class Permute(Function):
    # y = transpose(x, axes);  dx = transpose(dy, inverse(axes))
    __slots__ = ("axes",)

    def forward(self, x: Any, axes: tuple[int, ...]) -> Any:
        self.axes = axes
        return x.transpose(axes)

    def backward(self, g: Any) -> tuple[Any, None]:
        inverse = [0] * len(self.axes)
        for i, a in enumerate(self.axes):
            inverse[a] = i
        return g.transpose(inverse), None


class Expand(Function):
    # y = broadcast_to(x, shape);  dx = Σ dy over the broadcast axes (done by the walk)
    __slots__ = ()

    def forward(self, x: Any, shape: tuple[int, ...]) -> Any:
        return get_array_module(x).broadcast_to(x, shape)

    def backward(self, g: Any) -> tuple[Any, None]:
        return g, None


class Index(Function):
    # y = x[key];  dx = dy scattered back to key (repeated integer indices accumulate)
    __slots__ = ("shape", "dtype", "key", "advanced")

    def forward(self, x: Any, key: Any, advanced: bool) -> Any:
        self.shape, self.dtype, self.key, self.advanced = x.shape, x.dtype, key, advanced
        return x[key]

    def backward(self, g: Any) -> tuple[Any, None, None]:
        out = get_array_module(g).zeros(self.shape, dtype=self.dtype)
        if self.advanced:
            backend_of(out).scatter_add(out, self.key, g)
        else:
            out[self.key] = g
        return out, None, None


class IndexSelect(Function):
    # y = take(x, index, dim);  dx = dy added back at index along dim
    __slots__ = ("shape", "dtype", "index", "dim")

    def forward(self, x: Any, index: Any, dim: int) -> Any:
        self.shape, self.dtype, self.index, self.dim = x.shape, x.dtype, index, dim
        return get_array_module(x).take(x, index, axis=dim)

    def backward(self, g: Any) -> tuple[Any, None, None]:
        out = get_array_module(g).zeros(self.shape, dtype=self.dtype)
        key = (slice(None),) * self.dim + (self.index,)
        backend_of(out).scatter_add(out, key, g)
        return out, None, None


class Cat(Function):
    # y = concatenate(xs, dim);  dxᵢ = the slice of dy that xᵢ filled
    __slots__ = ("bounds", "dim")

    def forward(self, dim: int, *xs: Any) -> Any:
        ends = []
        total = 0
        for x in xs:
            total += x.shape[dim]
            ends.append(total)
        self.bounds, self.dim = ends, dim
        return get_array_module(xs[0]).concatenate(xs, axis=dim)

    def backward(self, g: Any) -> tuple[Any, ...]:
        lead = (slice(None),) * self.dim
        start = 0
        grads = []
        for end in self.bounds:
            grads.append(g[lead + (slice(start, end),)])
            start = end
        return (None, *grads)


class Stack(Function):
    # y = stack(xs, dim);  dxᵢ = dy[..., i, ...] along dim
    __slots__ = ("count", "dim")

    def forward(self, dim: int, *xs: Any) -> Any:
        self.count, self.dim = len(xs), dim
        return get_array_module(xs[0]).stack(xs, axis=dim)

    def backward(self, g: Any) -> tuple[Any, ...]:
        lead = (slice(None),) * self.dim
        return (None, *(g[lead + (i,)] for i in range(self.count)))
