"""Element-wise operations. Each backward returns gradients in the broadcast
shape of the output; the node sums them back to the inputs' shapes and dtypes."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np

from minigrad.autograd.graph import Op
from minigrad.backend import Backend, Device, backend_of, get_array_module

Method = TypeVar("Method", bound=Callable[..., Any])


def quiet(method: Method) -> Method:
    """``method`` with NumPy's floating-point warnings off: PyTorch gives inf and NaN
    (log 0, √-1, x/0, exp(1000), 0·inf in a gradient) without a warning."""

    @functools.wraps(method)
    def run(*args: Any) -> Any:
        with np.errstate(all="ignore"):
            return method(*args)

    return run  # type: ignore[return-value]


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
        try:
            return a - b
        except TypeError:
            if a.dtype.kind == "b" and getattr(b, "dtype", a.dtype).kind == "b":
                raise RuntimeError(
                    "Subtraction, the `-` operator, with two bool tensors is not supported. "
                    "Use the `^` or `logical_xor()` operator instead."
                ) from None
            raise

    def backward(self, xp: Any, g: Any, out: Any, a: Any, b: Any) -> tuple[Any, Any]:
        return g, (-g if self.needs_grad(1) else None)


class Mul(Op):
    # d(a * b) = b da + a db
    __slots__ = ()
    broadcasts = True
    saved_for = ((0, (1,)), (1, (0,)))

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
    saved_for = ((0, (1,)),)

    @quiet
    def forward(self, a: Any, b: Any) -> Any:
        return a / b

    @quiet
    def backward(self, xp: Any, g: Any, out: Any, a: Any, b: Any) -> tuple[Any, Any]:
        ga = g / b
        return ga, (-ga * a / b if self.needs_grad(1) else None)


class Neg(Op):
    # d(-x) = -dx
    __slots__ = ()

    def forward(self, x: Any) -> Any:
        try:
            return -x
        except TypeError:
            if x.dtype.kind == "b":
                raise RuntimeError(
                    "Negation, the `-` operator, on a bool tensor is not supported. If you are "
                    "trying to invert a mask, use the `~` or `logical_not()` operator instead."
                ) from None
            raise

    def backward(self, xp: Any, g: Any, out: Any, x: Any) -> tuple[Any]:
        return (-g,)


class Pow(Op):
    # d(a ** b) = b a^(b-1) da + a^b log(a) db
    __slots__ = ()
    broadcasts = True
    saved = (0, 1)
    saves_output = True

    @quiet
    def forward(self, a: Any, b: Any) -> Any:
        try:
            return a**b
        except ValueError as exc:  # NumPy's error for an integer to a negative integer power
            if "negative integer powers" in str(exc):
                raise RuntimeError("Integers to negative integer powers are not allowed.") from None
            raise

    @quiet
    def backward(self, xp: Any, g: Any, out: Any, a: Any, b: Any) -> tuple[Any, Any]:
        # PyTorch's values at 0 where the formulas give 0 · inf = NaN: d(0**0)/dx = 0 and
        # d(0**y)/dy = 0 for y ≥ 0
        ga = gb = None
        if self.needs_grad(0):
            ga = g * b * a ** (b - 1)
            if getattr(b, "ndim", 0) or b == 0:
                ga = xp.where((a == 0) & (b == 0), 0, ga)
        if self.needs_grad(1):
            gb = g * out * xp.log(a)
            if getattr(a, "ndim", 0) or a == 0:
                gb = xp.where((a == 0) & (b >= 0), 0, gb)
        return ga, gb


class Exp(Op):
    # d exp(x) = exp(x) dx
    __slots__ = ()
    saves_output = True

    @quiet
    def forward(self, x: Any) -> Any:
        return get_array_module(x).exp(x)

    @quiet
    def backward(self, xp: Any, g: Any, out: Any, x: Any) -> tuple[Any]:
        return (g * out,)


class Log(Op):
    # d log(x) = dx / x
    __slots__ = ()
    saved = (0,)

    @quiet
    def forward(self, x: Any) -> Any:
        return get_array_module(x).log(x)

    @quiet
    def backward(self, xp: Any, g: Any, out: Any, x: Any) -> tuple[Any]:
        return (g / x,)


class Log1p(Op):
    # d log(1 + x) = dx / (1 + x)
    __slots__ = ()
    saved = (0,)

    @quiet
    def forward(self, x: Any) -> Any:
        return get_array_module(x).log1p(x)

    @quiet
    def backward(self, xp: Any, g: Any, out: Any, x: Any) -> tuple[Any]:
        return (g / (1 + x),)


class Sqrt(Op):
    # d sqrt(x) = dx / (2 sqrt(x))
    __slots__ = ()
    saves_output = True

    @quiet
    def forward(self, x: Any) -> Any:
        return get_array_module(x).sqrt(x)

    @quiet
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
    # clamp(x, lo, hi) = min(max(x, lo), hi);  dx where lo <= x <= hi, dlo where x < lo < hi,
    # dhi where x > hi or hi < lo (PyTorch's rule; bounds may be numbers, tensors or None)
    __slots__ = ()
    broadcasts = True
    saved = (0, 1, 2)

    def forward(self, x: Any, low: Any, high: Any) -> Any:
        xp = get_array_module(x)
        out = x if low is None else xp.maximum(x, low)
        return out if high is None else xp.minimum(out, high)

    def backward(self, xp: Any, g: Any, out: Any, x: Any, low: Any, high: Any) -> tuple:
        keep = None
        grad_low = grad_high = None
        if low is not None:
            keep = x >= low
            below = x < low
            if self.needs_grad(1):
                grad_low = xp.where(below if high is None else below & (low < high), g, 0)
        if high is not None:
            inside = x <= high
            keep = inside if keep is None else keep & inside
            if self.needs_grad(2):
                above = x > high
                grad_high = xp.where(above if low is None else above | (high < low), g, 0)
        return xp.where(keep, g, 0), grad_low, grad_high


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
    pytorch_name = "ToCopyBackward0"
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


# ---------------------------------------------------------------- element-wise math (more)
class Sin(Op):
    # d sin(x) = cos(x) dx
    __slots__ = ()
    saved = (0,)

    @quiet
    def forward(self, x: Any) -> Any:
        return get_array_module(x).sin(x)

    @quiet
    def backward(self, xp: Any, g: Any, out: Any, x: Any) -> tuple[Any]:
        return (g * xp.cos(x),)


class Asin(Op):
    # d asin(x) = dx / √(1 - x²)
    __slots__ = ()
    saved = (0,)

    @quiet
    def forward(self, x: Any) -> Any:
        return get_array_module(x).arcsin(x)

    @quiet
    def backward(self, xp: Any, g: Any, out: Any, x: Any) -> tuple[Any]:
        return (g / xp.sqrt(1 - x * x),)


class Acos(Op):
    # d acos(x) = -dx / √(1 - x²)
    __slots__ = ()
    saved = (0,)

    @quiet
    def forward(self, x: Any) -> Any:
        return get_array_module(x).arccos(x)

    @quiet
    def backward(self, xp: Any, g: Any, out: Any, x: Any) -> tuple[Any]:
        return (-g / xp.sqrt(1 - x * x),)


class Atan(Op):
    # d atan(x) = dx / (1 + x²)
    __slots__ = ()
    saved = (0,)

    def forward(self, x: Any) -> Any:
        return get_array_module(x).arctan(x)

    def backward(self, xp: Any, g: Any, out: Any, x: Any) -> tuple[Any]:
        return (g / (1 + x * x),)


class Atan2(Op):
    # θ = atan2(y, x);  dθ = (x dy - y dx) / (x² + y²)
    __slots__ = ()
    broadcasts = True
    saved = (0, 1)

    @quiet
    def forward(self, y: Any, x: Any) -> Any:
        return get_array_module(y).arctan2(y, x)

    @quiet
    def backward(self, xp: Any, g: Any, out: Any, y: Any, x: Any) -> tuple[Any, Any]:
        radius2 = x * x + y * y
        scale = xp.where(radius2 == 0, 0, g / radius2)  # 0 at the origin, as PyTorch
        return scale * x, -scale * y


class Cos(Op):
    # d cos(x) = -sin(x) dx
    __slots__ = ()
    saved = (0,)

    @quiet
    def forward(self, x: Any) -> Any:
        return get_array_module(x).cos(x)

    @quiet
    def backward(self, xp: Any, g: Any, out: Any, x: Any) -> tuple[Any]:
        return (-g * xp.sin(x),)


class Tan(Op):
    # d tan(x) = (1 + tan²(x)) dx
    __slots__ = ()
    saves_output = True

    @quiet
    def forward(self, x: Any) -> Any:
        return get_array_module(x).tan(x)

    @quiet
    def backward(self, xp: Any, g: Any, out: Any, x: Any) -> tuple[Any]:
        return (g * (1 + out * out),)


class Expm1(Op):
    # d (eˣ - 1) = eˣ dx
    __slots__ = ()
    saves_output = True

    @quiet
    def forward(self, x: Any) -> Any:
        return get_array_module(x).expm1(x)

    @quiet
    def backward(self, xp: Any, g: Any, out: Any, x: Any) -> tuple[Any]:
        return (g * (out + 1),)


class Exp2(Op):
    # d 2ˣ = 2ˣ ln 2 dx
    __slots__ = ()
    saves_output = True

    @quiet
    def forward(self, x: Any) -> Any:
        return get_array_module(x).exp2(x)

    @quiet
    def backward(self, xp: Any, g: Any, out: Any, x: Any) -> tuple[Any]:
        return (g * out * math.log(2),)


class Log2(Op):
    # d log₂(x) = dx / (x ln 2)
    __slots__ = ()
    saved = (0,)

    @quiet
    def forward(self, x: Any) -> Any:
        return get_array_module(x).log2(x)

    @quiet
    def backward(self, xp: Any, g: Any, out: Any, x: Any) -> tuple[Any]:
        return (g / (x * math.log(2)),)


class Log10(Op):
    # d log₁₀(x) = dx / (x ln 10)
    __slots__ = ()
    saved = (0,)

    @quiet
    def forward(self, x: Any) -> Any:
        return get_array_module(x).log10(x)

    @quiet
    def backward(self, xp: Any, g: Any, out: Any, x: Any) -> tuple[Any]:
        return (g / (x * math.log(10)),)


class Reciprocal(Op):
    # d (1/x) = -dx / x² = -(1/x)² dx
    __slots__ = ()
    saves_output = True

    @quiet
    def forward(self, x: Any) -> Any:
        return x.dtype.type(1) / x  # NumPy 1.x: a Python 1 would widen a 0-d float32

    @quiet
    def backward(self, xp: Any, g: Any, out: Any, x: Any) -> tuple[Any]:
        return (-g * out * out,)


class Rsqrt(Op):
    # d x^(-1/2) = -x^(-3/2) / 2 dx
    __slots__ = ()
    saves_output = True

    @quiet
    def forward(self, x: Any) -> Any:
        return x.dtype.type(1) / get_array_module(x).sqrt(x)

    @quiet
    def backward(self, xp: Any, g: Any, out: Any, x: Any) -> tuple[Any]:
        return (-0.5 * g * out * out * out,)


class _PiecewiseConstant(Op):
    """An element-wise step function: its derivative is 0 wherever it exists (PyTorch's)."""

    __slots__ = ()

    def backward(self, xp: Any, g: Any, out: Any, x: Any, *constants: Any) -> tuple:
        return (g * 0, *(None for _ in constants))


class Floor(_PiecewiseConstant):
    # floor(x) = ⌊x⌋;  d floor = 0
    __slots__ = ()

    def forward(self, x: Any) -> Any:
        return get_array_module(x).floor(x)


class Ceil(_PiecewiseConstant):
    # ceil(x) = ⌈x⌉;  d ceil = 0
    __slots__ = ()

    def forward(self, x: Any) -> Any:
        return get_array_module(x).ceil(x)


class Trunc(_PiecewiseConstant):
    # trunc(x) = sign(x) ⌊|x|⌋;  d trunc = 0
    __slots__ = ()

    def forward(self, x: Any) -> Any:
        return get_array_module(x).trunc(x)


class Round(_PiecewiseConstant):
    # round(x, d) = nearest multiple of 10⁻ᵈ (halves to even);  d round = 0
    __slots__ = ()

    def forward(self, x: Any, decimals: int) -> Any:
        return get_array_module(x).round(x, decimals)


class Sign(_PiecewiseConstant):
    # sign(x) ∈ {-1, 0, 1};  d sign = 0
    __slots__ = ()

    def forward(self, x: Any) -> Any:
        out = get_array_module(x).sign(x)
        if x.dtype.kind == "f":  # PyTorch: sign(nan) = 0
            out = get_array_module(x).nan_to_num(out)
        return out


class Remainder(Op):
    # a mod b = a - ⌊a/b⌋ b (the sign of b, as Python's %);  d = da - ⌊a/b⌋ db
    __slots__ = ()
    broadcasts = True
    saved = (0, 1)

    @quiet
    def forward(self, a: Any, b: Any) -> Any:
        return _module_of_operands(a, b).remainder(a, b)

    @quiet
    def backward(self, xp: Any, g: Any, out: Any, a: Any, b: Any) -> tuple[Any, Any]:
        return g, (-g * xp.floor(a / b) if self.needs_grad(1) else None)


class Fmod(Op):
    # fmod(a, b) = a - trunc(a/b) b (the sign of a, as C's fmod);  d = da - trunc(a/b) db
    __slots__ = ()
    broadcasts = True
    saved = (0, 1)

    @quiet
    def forward(self, a: Any, b: Any) -> Any:
        return _module_of_operands(a, b).fmod(a, b)

    @quiet
    def backward(self, xp: Any, g: Any, out: Any, a: Any, b: Any) -> tuple[Any, Any]:
        return g, (-g * xp.trunc(a / b) if self.needs_grad(1) else None)


class FloorDivide(Op):
    # a // b = ⌊a/b⌋;  PyTorch defines no derivative and raises on backward
    __slots__ = ()
    broadcasts = True

    @quiet
    def forward(self, a: Any, b: Any) -> Any:
        return _module_of_operands(a, b).floor_divide(a, b)

    @quiet
    def backward(self, xp: Any, g: Any, out: Any, a: Any, b: Any) -> tuple[Any, Any]:
        raise RuntimeError("the derivative for 'floor_divide' is not implemented")


class NanToNum(Op):
    # NaN → nan, +inf → posinf, -inf → neginf;  dx where x is finite, else 0
    __slots__ = ("finite",)

    def forward(self, x: Any, nan: float, posinf: float | None, neginf: float | None) -> Any:
        xp = get_array_module(x)
        self.finite = xp.isfinite(x)
        return xp.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)

    def backward(self, xp: Any, g: Any, out: Any, x: Any, *fills: Any) -> tuple:
        return xp.where(self.finite, g, 0), None, None, None


def _module_of_operands(a: Any, b: Any) -> Any:
    """The array namespace of a binary op whose first operand may be a number (``2 % x``)."""
    return get_array_module(b if isinstance(a, int | float | np.generic) else a)


# ---------------------------------------------------------------- rounded division, fmax/fmin
class DivRounded(Op):
    # div(a, b, rounding_mode): 'trunc' → trunc(a / b), 'floor' → ⌊a / b⌋ (Python's //), integers
    # staying integers;  piecewise constant, so d = 0 for both inputs (PyTorch's derivative)
    __slots__ = ()
    broadcasts = True

    @quiet
    def forward(self, a: Any, b: Any, mode: str) -> Any:
        xp = _module_of_operands(a, b)
        if mode == "floor":
            return xp.floor_divide(a, b)
        quotient = xp.floor_divide(a, b)
        if getattr(quotient, "dtype", np.dtype(float)).kind in "iu":
            # floor → trunc: one up where the division was inexact and the signs differ
            inexact = xp.remainder(a, b) != 0
            return quotient + (inexact & ((a < 0) != (b < 0)))
        return xp.trunc(xp.true_divide(a, b))

    def backward(self, xp: Any, g: Any, out: Any, a: Any, b: Any, mode: str) -> tuple:
        return g * 0, (g * 0 if self.needs_grad(1) else None), None


class Fmax(Op):
    # fmax(a, b) = max(a, b) ignoring NaN (NaN only when both are);  the whole gradient to
    # a where a >= b or b is NaN, else to b (PyTorch's rule: ties go to a)
    __slots__ = ()
    broadcasts = True
    saved = (0, 1)

    def forward(self, a: Any, b: Any) -> Any:
        return _module_of_operands(a, b).fmax(a, b)

    def backward(self, xp: Any, g: Any, out: Any, a: Any, b: Any) -> tuple[Any, Any]:
        a_wins = (a >= b) | (b != b)
        return xp.where(a_wins, g, 0), xp.where(a_wins, 0, g)


class Fmin(Op):
    # fmin(a, b) = min(a, b) ignoring NaN (NaN only when both are);  the whole gradient to
    # a where a <= b or b is NaN, else to b (PyTorch's rule: ties go to a)
    __slots__ = ()
    broadcasts = True
    saved = (0, 1)

    def forward(self, a: Any, b: Any) -> Any:
        return _module_of_operands(a, b).fmin(a, b)

    def backward(self, xp: Any, g: Any, out: Any, a: Any, b: Any) -> tuple[Any, Any]:
        a_wins = (a <= b) | (b != b)
        return xp.where(a_wins, g, 0), xp.where(a_wins, 0, g)
