"""Element-wise operations. Each backward returns gradients in the broadcast
shape of the output; the autograd walk sums them back to the inputs' shapes."""

from __future__ import annotations

from typing import Any

from minigrad.autograd import Function
from minigrad.backend import Backend, Device, backend_of, get_array_module


class Add(Function):
    # d(a + b) = da + db
    __slots__ = ()
    broadcasts = True

    def forward(self, a: Any, b: Any) -> Any:
        return a + b

    def backward(self, g: Any) -> tuple[Any, Any]:
        return g, g


class Sub(Function):
    # d(a - b) = da - db
    __slots__ = ()
    broadcasts = True

    def forward(self, a: Any, b: Any) -> Any:
        return a - b

    def backward(self, g: Any) -> tuple[Any, Any]:
        return g, (-g if self.needs_grad(1) else None)


class Mul(Function):
    # d(a * b) = b da + a db
    __slots__ = ("a", "b")
    broadcasts = True

    def forward(self, a: Any, b: Any) -> Any:
        self.a, self.b = a, b
        return a * b

    def backward(self, g: Any) -> tuple[Any, Any]:
        return (
            g * self.b if self.needs_grad(0) else None,
            g * self.a if self.needs_grad(1) else None,
        )


class Div(Function):
    # d(a / b) = da / b - a db / b²
    __slots__ = ("a", "b")
    broadcasts = True

    def forward(self, a: Any, b: Any) -> Any:
        self.a, self.b = a, b
        return a / b

    def backward(self, g: Any) -> tuple[Any, Any]:
        ga = g / self.b
        return ga, (-ga * self.a / self.b if self.needs_grad(1) else None)


class Neg(Function):
    # d(-x) = -dx
    __slots__ = ()

    def forward(self, x: Any) -> Any:
        return -x

    def backward(self, g: Any) -> tuple[Any]:
        return (-g,)


class Pow(Function):
    # d(a ** b) = b a^(b-1) da + a^b log(a) db
    __slots__ = ("a", "b", "out")
    broadcasts = True

    def forward(self, a: Any, b: Any) -> Any:
        self.a, self.b = a, b
        self.out = a**b
        return self.out

    def backward(self, g: Any) -> tuple[Any, Any]:
        a, b = self.a, self.b
        ga = g * b * a ** (b - 1) if self.needs_grad(0) else None
        gb = g * self.out * get_array_module(self.out).log(a) if self.needs_grad(1) else None
        return ga, gb


class Exp(Function):
    # d exp(x) = exp(x) dx
    __slots__ = ("out",)

    def forward(self, x: Any) -> Any:
        self.out = get_array_module(x).exp(x)
        return self.out

    def backward(self, g: Any) -> tuple[Any]:
        return (g * self.out,)


class Log(Function):
    # d log(x) = dx / x
    __slots__ = ("x",)

    def forward(self, x: Any) -> Any:
        self.x = x
        return get_array_module(x).log(x)

    def backward(self, g: Any) -> tuple[Any]:
        return (g / self.x,)


class Sqrt(Function):
    # d sqrt(x) = dx / (2 sqrt(x))
    __slots__ = ("out",)

    def forward(self, x: Any) -> Any:
        self.out = get_array_module(x).sqrt(x)
        return self.out

    def backward(self, g: Any) -> tuple[Any]:
        return (g / (2 * self.out),)


class Abs(Function):
    # d|x| = sign(x) dx   (0 at x = 0, as PyTorch)
    __slots__ = ("x",)

    def forward(self, x: Any) -> Any:
        self.x = x
        return abs(x)

    def backward(self, g: Any) -> tuple[Any]:
        return (g * get_array_module(self.x).sign(self.x),)


class Clamp(Function):
    # d clamp(x, lo, hi) = dx where lo <= x <= hi, else 0
    __slots__ = ("x", "low", "high")

    def forward(self, x: Any, low: Any, high: Any) -> Any:
        self.x, self.low, self.high = x, low, high
        return get_array_module(x).clip(x, low, high)

    def backward(self, g: Any) -> tuple[Any, None, None]:
        inside = True
        if self.low is not None:
            inside = self.x >= self.low
        if self.high is not None:
            inside = inside & (self.x <= self.high)
        return g * inside, None, None


class Maximum(Function):
    # d max(a, b) = da where a > b, db where b > a, (da + db)/2 on ties (as PyTorch)
    __slots__ = ("a", "b")
    broadcasts = True

    def forward(self, a: Any, b: Any) -> Any:
        self.a, self.b = a, b
        return get_array_module(a).maximum(a, b)

    def backward(self, g: Any) -> tuple[Any, Any]:
        return _split_on_ties(g, self.a > self.b, self.a == self.b)


class Minimum(Function):
    # d min(a, b) = da where a < b, db where b < a, (da + db)/2 on ties (as PyTorch)
    __slots__ = ("a", "b")
    broadcasts = True

    def forward(self, a: Any, b: Any) -> Any:
        self.a, self.b = a, b
        return get_array_module(a).minimum(a, b)

    def backward(self, g: Any) -> tuple[Any, Any]:
        return _split_on_ties(g, self.a < self.b, self.a == self.b)


def _split_on_ties(g: Any, a_wins: Any, tie: Any) -> tuple[Any, Any]:
    """Gradients of a two-way selection: the winner takes it all, ties share it."""
    xp = get_array_module(g)
    share_a = xp.where(tie, 0.5, a_wins.astype(g.dtype)).astype(g.dtype, copy=False)
    ga = g * share_a
    return ga, g - ga


class Where(Function):
    # d where(c, a, b) = da where c, db elsewhere
    __slots__ = ("condition",)
    broadcasts = True

    def forward(self, condition: Any, a: Any, b: Any) -> Any:
        self.condition = condition
        return get_array_module(condition).where(condition, a, b)

    def backward(self, g: Any) -> tuple[None, Any, Any]:
        xp = get_array_module(g)
        zero = g.dtype.type(0)
        return None, xp.where(self.condition, g, zero), xp.where(self.condition, zero, g)


class Cast(Function):
    # d cast(x) = cast back(dx)
    __slots__ = ()

    def forward(self, x: Any, dtype: Any) -> Any:
        return x.astype(dtype)

    def backward(self, g: Any) -> tuple[Any, None]:
        return g, None  # the walk casts the gradient to the input's dtype


class ToDevice(Function):
    # d to(x, device) = to(dx, x.device)
    __slots__ = ("source", "source_device")

    def forward(self, x: Any, target: Backend, device: Device) -> Any:
        self.source = backend_of(x)
        self.source_device = self.source.device_of(x)
        return target.from_host(self.source.to_host(x), device)

    def backward(self, g: Any) -> tuple[Any, None, None]:
        return self.source.from_host(backend_of(g).to_host(g), self.source_device), None, None
