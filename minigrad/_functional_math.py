"""Function forms of the element-wise and reduction operations added for PyTorch
compatibility (``minigrad.sin(x)``, ``minigrad.logsumexp(x, dim)``, ...).

Each ``minigrad.<name>(input, ...)`` is ``input.<name>(...)`` and carries the method's
docstring (and so its formula)."""

from __future__ import annotations

from typing import Any

from minigrad.dtypes import float64
from minigrad.functional import _method
from minigrad.tensor import Tensor

__all__ = [
    "sin",
    "cos",
    "tan",
    "sign",
    "floor",
    "ceil",
    "round",
    "trunc",
    "fix",
    "frac",
    "reciprocal",
    "rsqrt",
    "square",
    "log1p",
    "expm1",
    "log2",
    "log10",
    "exp2",
    "erf",
    "remainder",
    "fmod",
    "floor_divide",
    "addcmul",
    "addcdiv",
    "lerp",
    "nan_to_num",
    "logical_and",
    "logical_or",
    "logical_xor",
    "logical_not",
    "bitwise_and",
    "bitwise_or",
    "bitwise_xor",
    "bitwise_not",
    "isnan",
    "isinf",
    "isfinite",
    "isclose",
    "equal",
    "prod",
    "cumsum",
    "cumprod",
    "logsumexp",
    "norm",
    "all",
    "any",
    "count_nonzero",
    "var_mean",
    "std_mean",
    "aminmax",
    "median",
    "mode",
    "nansum",
    "nanmean",
]

# element-wise
sin = _method("sin")
cos = _method("cos")
tan = _method("tan")
sign = _method("sign")
floor = _method("floor")
ceil = _method("ceil")
round = _method("round")
trunc = _method("trunc")
fix = _method("fix")
frac = _method("frac")
reciprocal = _method("reciprocal")
rsqrt = _method("rsqrt")
square = _method("square")
log1p = _method("log1p")
expm1 = _method("expm1")
log2 = _method("log2")
log10 = _method("log10")
exp2 = _method("exp2")
erf = _method("erf")
remainder = _method("remainder", number_first="other")
fmod = _method("fmod")
floor_divide = _method("floor_divide", number_first="other")
addcmul = _method("addcmul")
addcdiv = _method("addcdiv")
lerp = _method("lerp")
nan_to_num = _method("nan_to_num")
logical_and = _method("logical_and")
logical_or = _method("logical_or")
logical_xor = _method("logical_xor")
logical_not = _method("logical_not")
bitwise_and = _method("bitwise_and")
bitwise_or = _method("bitwise_or")
bitwise_xor = _method("bitwise_xor")
bitwise_not = _method("bitwise_not")
isnan = _method("isnan")
isinf = _method("isinf")
isfinite = _method("isfinite")
isclose = _method("isclose")
equal = _method("equal")

# reductions
prod = _method("prod")
cumsum = _method("cumsum")
cumprod = _method("cumprod")
logsumexp = _method("logsumexp")
norm = _method("norm")
all = _method("all")
any = _method("any")
count_nonzero = _method("count_nonzero")
var_mean = _method("var_mean")
std_mean = _method("std_mean")
aminmax = _method("aminmax")
median = _method("median")
mode = _method("mode")
nansum = _method("nansum")
nanmean = _method("nanmean")

# more element-wise functions PyTorch programs call
sinh = _method("sinh")
cosh = _method("cosh")
logaddexp = _method("logaddexp")
clamp_min = _method("clamp_min")
clamp_max = _method("clamp_max")
dist = _method("dist")
clone = _method("clone")
t = _method("t")
is_floating_point = _method("is_floating_point")
true_divide = _method("true_divide", number_first="other")
__all__ += [
    "sinh",
    "cosh",
    "logaddexp",
    "clamp_min",
    "clamp_max",
    "dist",
    "clone",
    "t",
    "is_floating_point",
    "true_divide",
]

# inverse and hyperbolic trigonometry
asin = _method("asin")
acos = _method("acos")
atan = _method("atan")
atan2 = _method("atan2")
arcsin = _method("arcsin")
arccos = _method("arccos")
arctan = _method("arctan")
arctan2 = _method("arctan2")
asinh = _method("asinh")
acosh = _method("acosh")
atanh = _method("atanh")
hypot = _method("hypot")
deg2rad = _method("deg2rad")
rad2deg = _method("rad2deg")
__all__ += [
    "asin",
    "acos",
    "atan",
    "atan2",
    "arcsin",
    "arccos",
    "arctan",
    "arctan2",
    "asinh",
    "acosh",
    "atanh",
    "hypot",
    "deg2rad",
    "rad2deg",
]

detach = _method("detach")
xlogy = _method("xlogy")
quantile = _method("quantile")
nanquantile = _method("nanquantile")
cummax = _method("cummax")
cummin = _method("cummin")
__all__ += ["detach", "xlogy", "quantile", "nanquantile", "cummax", "cummin"]

# division with rounding, float64 powers, NaN-ignoring extrema, shifts, and more
divide = _method("divide")
fmax = _method("fmax")
fmin = _method("fmin")
bitwise_left_shift = _method("bitwise_left_shift")
bitwise_right_shift = _method("bitwise_right_shift")
histc = _method("histc")
renorm = _method("renorm")
logcumsumexp = _method("logcumsumexp")
erfinv = _method("erfinv")


def float_power(input: Any, exponent: Any) -> Tensor:
    """inputᵉˣᵖᵒⁿᵉⁿᵗ computed in float64 (the result is float64 whatever the dtypes); either
    operand may be a number (not both). d/dx xʸ = y xʸ⁻¹, d/dy xʸ = xʸ log x."""
    if isinstance(input, Tensor):
        return input.float_power(exponent)
    if not isinstance(exponent, Tensor):
        raise TypeError(
            "float_power(): expected a Tensor as input or exponent, got "
            f"{type(input).__name__} and {type(exponent).__name__}"
        )
    return exponent.new_full((), input, dtype=float64).float_power(exponent)


__all__ += [
    "divide",
    "float_power",
    "fmax",
    "fmin",
    "bitwise_left_shift",
    "bitwise_right_shift",
    "histc",
    "renorm",
    "logcumsumexp",
    "erfinv",
]
