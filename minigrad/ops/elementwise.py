"""Element-wise operations. Each backward returns gradients in the broadcast
shape of the output; the node sums them back to the inputs' shapes and dtypes."""

from __future__ import annotations

from typing import Any

from minigrad.autograd.graph import Op
from minigrad.backend import Backend, Device, backend_of, get_array_module


class Add(Op):
    # d(a + b) = da + db
    __slots__ = ()
    broadcasts = True

    def forward(self, a: Any, b: Any) -> Any:
        return a + b

    def backward(self, xp: Any, g: Any, out: Any, a: Any, b: Any) -> tuple[Any, Any]:
        return g, g


class Sub(Op):
    # d(a - b) = da - db
    __slots__ = ()
    broadcasts = True

    def forward(self, a: Any, b: Any) -> Any:
        return a - b

    def backward(self, xp: Any, g: Any, out: Any, a: Any, b: Any) -> tuple[Any, Any]:
        return g, (-g if self.needs_grad(1) else None)


class Mul(Op):
    # d(a * b) = b da + a db
    __slots__ = ()
    broadcasts = True
    saved_for_others = (0, 1)

    def forward(self, a: Any, b: Any) -> Any:
        return a * b

    def backward(self, xp: Any, g: Any, out: Any, a: Any, b: Any) -> tuple[Any, Any]:
        return (
            g * b if self.needs_grad(0) else None,
            g * a if self.needs_grad(1) else None,
        )


class Div(Op):
    # d(a / b) = da / b - a db / b²
    __slots__ = ()
    broadcasts = True
    saved = (1,)
    saved_for_others = (0,)

    def forward(self, a: Any, b: Any) -> Any:
        return a / b

    def backward(self, xp: Any, g: Any, out: Any, a: Any, b: Any) -> tuple[Any, Any]:
        ga = g / b
        return ga, (-ga * a / b if self.needs_grad(1) else None)


class Neg(Op):
    # d(-x) = -dx
    __slots__ = ()

    def forward(self, x: Any) -> Any:
        return -x

    def backward(self, xp: Any, g: Any, out: Any, x: Any) -> tuple[Any]:
        return (-g,)


class Pow(Op):
    # d(a ** b) = b a^(b-1) da + a^b log(a) db
    __slots__ = ()
    broadcasts = True
    saved = (0, 1)
    saves_output = True

    def forward(self, a: Any, b: Any) -> Any:
        return a**b

    def backward(self, xp: Any, g: Any, out: Any, a: Any, b: Any) -> tuple[Any, Any]:
        ga = g * b * a ** (b - 1) if self.needs_grad(0) else None
        gb = g * out * xp.log(a) if self.needs_grad(1) else None
        return ga, gb


class Exp(Op):
    # d exp(x) = exp(x) dx
    __slots__ = ()
    saves_output = True

    def forward(self, x: Any) -> Any:
        return get_array_module(x).exp(x)

    def backward(self, xp: Any, g: Any, out: Any, x: Any) -> tuple[Any]:
        return (g * out,)


class Log(Op):
    # d log(x) = dx / x
    __slots__ = ()
    saved = (0,)

    def forward(self, x: Any) -> Any:
        return get_array_module(x).log(x)

    def backward(self, xp: Any, g: Any, out: Any, x: Any) -> tuple[Any]:
        return (g / x,)


class Log1p(Op):
    # d log(1 + x) = dx / (1 + x)
    __slots__ = ()
    saved = (0,)

    def forward(self, x: Any) -> Any:
        return get_array_module(x).log1p(x)

    def backward(self, xp: Any, g: Any, out: Any, x: Any) -> tuple[Any]:
        return (g / (1 + x),)


class Sqrt(Op):
    # d sqrt(x) = dx / (2 sqrt(x))
    __slots__ = ()
    saves_output = True

    def forward(self, x: Any) -> Any:
        return get_array_module(x).sqrt(x)

    def backward(self, xp: Any, g: Any, out: Any, x: Any) -> tuple[Any]:
        return (g / (2 * out),)


class Abs(Op):
    # d|x| = sign(x) dx   (0 at x = 0, as PyTorch)
    __slots__ = ()
    saved = (0,)

    def forward(self, x: Any) -> Any:
        return abs(x)

    def backward(self, xp: Any, g: Any, out: Any, x: Any) -> tuple[Any]:
        return (g * xp.sign(x),)


class Clamp(Op):
    # d clamp(x, lo, hi) = dx where lo <= x <= hi, else 0
    __slots__ = ()
    saved = (0,)

    def forward(self, x: Any, low: Any, high: Any) -> Any:
        return get_array_module(x).clip(x, low, high)

    def backward(self, xp: Any, g: Any, out: Any, x: Any, low: Any, high: Any) -> tuple:
        if low is not None:
            g = g * (x >= low)
        if high is not None:
            g = g * (x <= high)
        return g, None, None


class Maximum(Op):
    # d max(a, b) = da where a > b, db where b > a, (da + db)/2 on ties (as PyTorch)
    __slots__ = ()
    broadcasts = True
    saved = (0, 1)

    def forward(self, a: Any, b: Any) -> Any:
        return get_array_module(a).maximum(a, b)

    def backward(self, xp: Any, g: Any, out: Any, a: Any, b: Any) -> tuple[Any, Any]:
        return split_on_ties(g, a > b, a == b)


class Minimum(Op):
    # d min(a, b) = da where a < b, db where b < a, (da + db)/2 on ties (as PyTorch)
    __slots__ = ()
    broadcasts = True
    saved = (0, 1)

    def forward(self, a: Any, b: Any) -> Any:
        return get_array_module(a).minimum(a, b)

    def backward(self, xp: Any, g: Any, out: Any, a: Any, b: Any) -> tuple[Any, Any]:
        return split_on_ties(g, a < b, a == b)


def split_on_ties(g: Any, a_wins: Any, tie: Any) -> tuple[Any, Any]:
    """Gradients of a two-way selection: the winner takes it all, ties share it."""
    ga = g * a_wins + g * tie * 0.5
    return ga, g - ga


class Where(Op):
    # d where(c, a, b) = da where c, db elsewhere
    __slots__ = ()
    broadcasts = True
    saved = (0,)

    def forward(self, condition: Any, a: Any, b: Any) -> Any:
        return get_array_module(condition).where(condition, a, b)

    def backward(self, xp: Any, g: Any, out: Any, condition: Any, a: Any, b: Any) -> tuple:
        return None, xp.where(condition, g, 0), xp.where(condition, 0, g)


class Cast(Op):
    # d cast(x) = cast back(dx)
    __slots__ = ()

    def forward(self, x: Any, dtype: Any) -> Any:
        return x.astype(dtype)

    def backward(self, xp: Any, g: Any, out: Any, x: Any, dtype: Any) -> tuple[Any, None]:
        return g, None  # the node casts the gradient to the input's dtype


class ToDevice(Op):
    # d to(x, device) = to(dx, x.device)
    __slots__ = ("source", "source_device")

    def forward(self, x: Any, target: Backend, device: Device) -> Any:
        self.source = backend_of(x)
        self.source_device = self.source.device_of(x)
        return target.from_host(self.source.to_host(x), device)

    def backward(self, xp: Any, g: Any, out: Any, x: Any, target: Any, device: Any) -> tuple:
        return ToDevice.call(xp, g, self.source, self.source_device), None, None
