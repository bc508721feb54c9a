"""Activation functions and the (log-)softmax, each one graph node."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from minigrad.autograd.graph import Op
from minigrad.backend import get_array_module
from minigrad.ops.elementwise import quiet


class Tanh(Op):
    # d tanh(x) = (1 - tanh(x)²) dx
    __slots__ = ()
    saves_output = True

    def forward(self, x: Any) -> Any:
        return get_array_module(x).tanh(x)

    def backward(self, xp: Any, g: Any, out: Any, x: Any) -> tuple[Any]:
        return (g * (1 - out * out),)


class Sigmoid(Op):
    # σ(x) = 1 / (1 + e⁻ˣ), from e^-|x| ≤ 1: no overflow, and σ(-40) = 4e-18, not 0;
    # dσ = σ(1 - σ) dx
    __slots__ = ()
    saves_output = True

    def forward(self, x: Any) -> Any:
        xp = get_array_module(x)
        e = xp.exp(-abs(x))
        out = 1 / (1 + e)  # σ(|x|)
        return xp.where(x >= 0, out, e * out)  # σ(-|x|) = e^-|x| σ(|x|)

    def backward(self, xp: Any, g: Any, out: Any, x: Any) -> tuple[Any]:
        return (g * out * (1 - out),)


class Relu(Op):
    # relu(x) = max(x, 0);  d relu = dx where x > 0
    __slots__ = ()
    saves_output = True

    def forward(self, x: Any) -> Any:
        if x.dtype.kind == "b":
            raise RuntimeError("Boolean inputs not supported for relu (as PyTorch)")
        return get_array_module(x).maximum(x, 0)

    def backward(self, xp: Any, g: Any, out: Any, x: Any) -> tuple[Any]:
        return (g * (out > 0),)


class LeakyRelu(Op):
    # leaky_relu(x) = x if x > 0 else slope·x;  d = dx if x > 0 else slope·dx
    __slots__ = ()
    saved = (0,)

    def forward(self, x: Any, negative_slope: float) -> Any:
        if x.dtype.kind != "f":
            raise NotImplementedError(
                f"leaky_relu: not implemented for {x.dtype} tensors (as PyTorch); call .float() "
                "first"
            )
        xp = get_array_module(x)
        if 0 <= negative_slope <= 1:  # then max(x, slope·x) is the same, one call less
            return xp.maximum(x, x * negative_slope)
        return xp.where(x > 0, x, x * negative_slope)

    def backward(self, xp: Any, g: Any, out: Any, x: Any, slope: float) -> tuple[Any, None]:
        return xp.where(x > 0, g, g * slope), None


class Softmax(Op):
    # y = exp(x - max x) / Σ exp(x - max x);  dx = y (dy - Σ dy·y)
    __slots__ = ()
    saves_output = True

    @quiet
    def forward(self, x: Any, dim: int) -> Any:
        xp = get_array_module(x)
        e = xp.exp(x - _max_along(x, dim))
        e /= e.sum(axis=dim, keepdims=True)
        return e

    def backward(self, xp: Any, g: Any, y: Any, x: Any, dim: int) -> tuple[Any, None]:
        return y * (g - (g * y).sum(axis=dim, keepdims=True)), None


class LogSoftmax(Op):
    # y = x - max x - log Σ exp(x - max x)  (stable for |x| ~ 1e4);  dx = dy - exp(y) Σ dy
    __slots__ = ()
    saves_output = True

    def forward(self, x: Any, dim: int) -> Any:
        return log_softmax_array(x, dim)

    def backward(self, xp: Any, g: Any, out: Any, x: Any, dim: int) -> tuple[Any, None]:
        return g - xp.exp(out) * g.sum(axis=dim, keepdims=True), None


def log_softmax_array(x: Any, dim: int) -> Any:
    """``x - logsumexp(x, dim)`` on a raw array, shifted by the maximum for stability."""
    xp = get_array_module(x)
    if x.size == 0:  # nothing to normalise (and the log of an empty Σ would warn)
        return x.copy()
    with np.errstate(invalid="ignore"):  # a row of -inf gives nan quietly, as PyTorch
        shifted = x - x.max(axis=dim, keepdims=True)
        shifted -= xp.log(xp.exp(shifted).sum(axis=dim, keepdims=True))
    return shifted


def _max_along(x: Any, dim: int) -> Any:
    """The maximum over ``dim`` (kept); for an empty tensor, zeros (NumPy's max would refuse)."""
    return x.max(axis=dim, keepdims=True) if x.size else x.sum(axis=dim, keepdims=True)


# ----------------------------------------------------------------------------- more activations
# (GELU, SiLU, ELU/SELU/CELU, softplus, log-sigmoid and the hard piecewise-linear family,
# for ``minigrad.nn.functional``.)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_INV_SQRT_2 = 1.0 / math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_GELU_TANH_SCALE = math.sqrt(2.0 / math.pi)
_GELU_TANH_CUBIC = 0.044715

# Chebyshev coefficients of erfc(z) = t·exp(-z² + P(t)), t = 2/(2 + z), z ≥ 0 (Press et al.,
# Numerical Recipes, 3rd ed., §6.2.2): |error| < 1.2e-16 relative on z ≥ 0.
_ERFC_COEFFICIENTS = (
    -1.3026537197817094, 6.4196979235649026e-1, 1.9476473204185836e-2, -9.561514786808631e-3,
    -9.46595344482036e-4, 3.66839497852761e-4, 4.2523324806907e-5, -2.0278578112534e-5,
    -1.624290004647e-6, 1.303655835580e-6, 1.5626441722e-8, -8.5238095915e-8, 6.529054439e-9,
    5.059343495e-9, -9.91364156e-10, -2.27365122e-10, 9.6467911e-11, 2.394038e-12,
    -6.886027e-12, 8.94487e-13, 3.13092e-13, -1.12708e-13, 3.81e-16, 7.106e-15, -1.523e-15,
    -9.4e-17, 1.21e-16, -2.8e-17,
)  # fmt: skip
_ERF_SERIES_TERMS = 13  # Maclaurin terms: exact to 1 ulp for |x| ≤ 0.5


def erf_array(x: Any) -> Any:
    """erf(x) = 2/√π ∫₀ˣ e^(-t²) dt on a raw array (NumPy has none).

    float64: the Maclaurin series Σ (-1)ⁿ x^(2n+1) / (n! (2n+1)) for abs(x) ≤ 0.5 (full
    relative precision near 0), 1 - erfc(abs(x)) with erfc by a Chebyshev fit beyond:
    within a few ulp. float32 / float16: a rational minimax fit in float32 (Eigen's),
    within 5e-7 absolute.
    """
    if x.dtype.kind == "f" and x.dtype.itemsize <= 4:
        return _erf_single(x.astype("float32")).astype(x.dtype, copy=False)
    if x.dtype != "float64":
        x = x.astype("float64")
    xp = get_array_module(x)
    z = abs(x)
    small = xp.minimum(z, 0.5) * xp.sign(x)
    x2 = small * small
    term = small.copy()
    series = small.copy()
    for n in range(1, _ERF_SERIES_TERMS + 1):
        term *= x2
        term *= -1.0 / n
        series += term * (1.0 / (2 * n + 1))
    series *= _TWO_OVER_SQRT_PI
    erfc = erfc_nonnegative(z)
    large = xp.where(x >= 0, 1.0 - erfc, erfc - 1.0)
    return xp.where(z <= 0.5, series, large)


def erfc_nonnegative(z: Any) -> Any:
    """erfc(z) = 1 - erf(z) for a float64 array z ≥ 0, to full relative precision:
    t·exp(-z² + P(t)), t = 2/(2 + z), P a Chebyshev fit (see :func:`erf_array`)."""
    xp = get_array_module(z)
    t = 2.0 / (2.0 + z)
    ty = 4.0 * t - 2.0
    d = xp.zeros_like(z)
    dd = xp.zeros_like(z)
    for c in _ERFC_COEFFICIENTS[:0:-1]:
        d, dd = ty * d - dd + c, d
    return t * xp.exp(-z * z + 0.5 * (_ERFC_COEFFICIENTS[0] + ty * d) - dd)


# erf(x) ≈ x P(x²) / Q(x²) on [-4, 4] in single precision (±1 beyond), the coefficients of
# Eigen's generic_fast_erf_float (highest degree first).
_ERF_SINGLE_P = (
    -2.72614225801306e-10, 2.77068142495902e-08, -2.10102402082508e-06, -5.69250639462346e-05,
    -7.34990630326855e-04, -2.95459980854025e-03, -1.60960333262415e-02,
)  # fmt: skip
_ERF_SINGLE_Q = (
    -1.45660718464996e-05, -2.13374055278905e-04, -1.68282697438203e-03, -7.37332916720468e-03,
    -1.42647390514189e-02,
)  # fmt: skip


def _erf_single(x: Any) -> Any:
    """erf of a float32 array in float32 (see :func:`erf_array`)."""
    xp = get_array_module(x)
    x = xp.clip(x, -4.0, 4.0)
    x2 = x * x
    p = xp.full_like(x, _ERF_SINGLE_P[0])
    for c in _ERF_SINGLE_P[1:]:
        p *= x2
        p += c
    q = xp.full_like(x, _ERF_SINGLE_Q[0])
    for c in _ERF_SINGLE_Q[1:]:
        q *= x2
        q += c
    p *= x
    p /= q
    return p


class Erf(Op):
    # d erf(x) = 2/√π · e^(-x²) dx
    __slots__ = ()
    saved = (0,)

    def forward(self, x: Any) -> Any:
        return erf_array(x)

    def backward(self, xp: Any, g: Any, out: Any, x: Any) -> tuple[Any]:
        return (g * xp.exp(-(x * x)) * _TWO_OVER_SQRT_PI,)


# erfinv(x) ≈ x P(w), w = -log(1 - x²), two branches (M. Giles, "Approximating the erfinv
# function", GPU Computing Gems, 2011; single precision, highest degree first).
_ERFINV_CENTRAL = (
    2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087,
    -0.00125372503, -0.00417768164, 0.246640727, 1.50140941,
)  # fmt: skip
_ERFINV_TAIL = (
    -0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773,
    -0.0076224613, 0.00943887047, 1.00167406, 2.83297682,
)  # fmt: skip
_SQRT_PI_OVER_2 = math.sqrt(math.pi) / 2.0


def erfinv_array(x: Any) -> Any:
    """erfinv(x), the y with erf(y) = x, on a raw floating array (NumPy has none).

    Computed in float64 for every float dtype: Giles' rational approximation (relative
    error < 4e-7, worse far in the float64 tail), then four Newton steps, with
    erf'(y) = 2/√π e^(-y²): on erf(y) = |x| for |x| ≤ 1/2, y ← y + (|x| - erf y) / erf'(y),
    and on log erfc(y) = log(1 - |x|) beyond (no cancellation near ±1, fast convergence
    in the tail), y ← y + (log erfc y - log(1 - |x|)) erfc(y) / erf'(y): within a few ulp.
    ±1 → ±inf, |x| > 1 → NaN, as PyTorch.
    """
    xp = get_array_module(x)
    dtype = x.dtype
    x = x.astype("float64")
    a = abs(x)
    inside = a < 1.0
    a_in = xp.where(inside, a, 0.0)  # keeps the iteration finite; the edges are set below
    with np.errstate(divide="ignore"):
        w = -xp.log1p(-a_in * a_in)
    central = w < 5.0
    u = xp.where(central, w - 2.5, xp.sqrt(w) - 3.0)
    p = xp.where(central, _ERFINV_CENTRAL[0], _ERFINV_TAIL[0])
    for c, d in zip(_ERFINV_CENTRAL[1:], _ERFINV_TAIL[1:], strict=True):
        p = p * u + xp.where(central, c, d)
    y = p * a_in
    small = a_in <= 0.5
    log_complement = xp.log1p(-a_in)  # log(1 - |x|), exact enough near |x| = 1
    for _ in range(4):
        erfc = erfc_nonnegative(y)
        with np.errstate(divide="ignore", invalid="ignore"):
            # the tail: Newton on log erfc(y) = log(1 - |x|), which is nearly quadratic in y
            step = xp.where(
                small,
                (a_in - erf_array(y)),
                (xp.log(erfc) - log_complement) * erfc,
            )
        y = y + step * _SQRT_PI_OVER_2 * xp.exp(y * y)
    y = xp.where(inside, y, xp.where(a == 1.0, math.inf, math.nan))
    return xp.copysign(y, x).astype(dtype, copy=False)  # erfinv is odd; NaN stays NaN


class Erfinv(Op):
    # y = erfinv(x);  dy = √π/2 · e^(y²) dx   (1 / erf'(y))
    __slots__ = ()
    saves_output = True

    def forward(self, x: Any) -> Any:
        return erfinv_array(x)

    def backward(self, xp: Any, g: Any, out: Any, x: Any) -> tuple[Any]:
        return (g * xp.exp(out * out) * _SQRT_PI_OVER_2,)


class Gelu(Op):
    # 'none':  y = x Φ(x), Φ(x) = (1 + erf(x/√2)) / 2;   dy = (Φ(x) + x φ(x)) dx, φ = Φ'
    # 'tanh':  y = x (1 + tanh u) / 2, u = √(2/π)(x + 0.044715 x³);
    #          dy = [(1 + tanh u) / 2 + x (1 - tanh² u) u' / 2] dx
    __slots__ = ()
    saved = (0,)

    def forward(self, x: Any, approximate: str) -> Any:
        xp = get_array_module(x)
        if approximate == "tanh":
            return _like(x, x * (1.0 + xp.tanh(_gelu_tanh_argument(x))) * 0.5)
        return _like(x, x * (1.0 + erf_array(x * _INV_SQRT_2)) * 0.5)

    def backward(self, xp: Any, g: Any, out: Any, x: Any, approximate: str) -> tuple:
        if approximate == "tanh":
            t = Tanh.call(xp, _gelu_tanh_argument(x))
            du = (1.0 + 3.0 * _GELU_TANH_CUBIC * x * x) * _GELU_TANH_SCALE
            return g * ((1.0 + t) * 0.5 + x * (1.0 - t * t) * du * 0.5), None
        cdf = (1.0 + Erf.call(xp, x * _INV_SQRT_2)) * 0.5
        pdf = xp.exp(x * x * -0.5) * _INV_SQRT_2PI
        return g * (cdf + x * pdf), None


def _gelu_tanh_argument(x: Any) -> Any:
    """u = √(2/π) (x + 0.044715 x³), the argument of tanh in GELU's tanh approximation."""
    return (x + x * x * x * _GELU_TANH_CUBIC) * _GELU_TANH_SCALE


class Silu(Op):
    # silu(x) = x σ(x);  d silu = σ(x) (1 + x (1 - σ(x))) dx
    __slots__ = ()
    saved = (0,)

    def forward(self, x: Any) -> Any:
        return _like(x, x * Sigmoid.call(get_array_module(x), x))

    def backward(self, xp: Any, g: Any, out: Any, x: Any) -> tuple[Any]:
        s = Sigmoid.call(xp, x)
        return (g * s * (1.0 + x * (1.0 - s)),)


class Elu(Op):
    # y = s·x if x > 0 else s·α·(e^(c·x) - 1)   (ELU: s = c = 1; SELU: fixed α, s; CELU: c = 1/α)
    # dy = s dx if x > 0 else s·α·c·e^(c·x) dx
    __slots__ = ()
    saved = (0,)

    def forward(self, x: Any, alpha: float, scale: float, input_scale: float) -> Any:
        xp = get_array_module(x)
        negative = xp.expm1(xp.minimum(x, 0) * input_scale) * (alpha * scale)
        return _like(x, xp.where(x > 0, x * scale, negative))

    def backward(
        self, xp: Any, g: Any, out: Any, x: Any, alpha: float, scale: float, input_scale: float
    ) -> tuple:
        slope = xp.exp(xp.where(x > 0, 0.0, x) * input_scale) * (alpha * scale * input_scale)
        return xp.where(x > 0, g * scale, g * slope), None, None, None


class Softplus(Op):
    # y = log(1 + e^(βx)) / β, or x where βx > threshold;  dy = σ(βx) dx (dx above threshold)
    __slots__ = ()
    saved = (0,)

    def forward(self, x: Any, beta: float, threshold: float) -> Any:
        xp = get_array_module(x)
        bx = x * beta
        smooth = (xp.maximum(bx, 0) + xp.log1p(xp.exp(-abs(bx)))) / beta
        return _like(x, xp.where(bx > threshold, x, smooth))

    def backward(self, xp: Any, g: Any, out: Any, x: Any, beta: float, threshold: float) -> tuple:
        bx = x * beta
        return xp.where(bx > threshold, g, g * Sigmoid.call(xp, bx)), None, None


class LogSigmoid(Op):
    # log σ(x) = min(x, 0) - log(1 + e^-|x|)  (finite for any x);  d log σ(x) = σ(-x) dx
    __slots__ = ()
    saved = (0,)

    def forward(self, x: Any) -> Any:
        xp = get_array_module(x)
        return _like(x, xp.minimum(x, 0) - xp.log1p(xp.exp(-abs(x))))

    def backward(self, xp: Any, g: Any, out: Any, x: Any) -> tuple[Any]:
        return (g * Sigmoid.call(xp, -x),)


class Hardtanh(Op):
    # hardtanh(x) = min(max(x, lo), hi);  dy = dx where lo < x < hi, else 0 (PyTorch's
    # subgradient: 0 at the corners; relu6 = hardtanh(x, 0, 6))
    __slots__ = ()
    saved = (0,)

    def forward(self, x: Any, low: float, high: float) -> Any:
        return _like(x, get_array_module(x).clip(x, low, high))

    def backward(self, xp: Any, g: Any, out: Any, x: Any, low: float, high: float) -> tuple:
        return g * ((x > low) & (x < high)), None, None


class Hardsigmoid(Op):
    # hardsigmoid(x) = relu6(x + 3) / 6;  dy = dx / 6 where -3 < x < 3, else 0
    __slots__ = ()
    saved = (0,)

    def forward(self, x: Any) -> Any:
        return _like(x, get_array_module(x).clip(x + 3.0, 0.0, 6.0) / 6.0)

    def backward(self, xp: Any, g: Any, out: Any, x: Any) -> tuple[Any]:
        return (g * ((x > -3.0) & (x < 3.0)) / 6.0,)


class Hardswish(Op):
    # hardswish(x) = x · relu6(x + 3) / 6;  dy = 0 for x < -3, (x/3 + 1/2) dx for -3 ≤ x ≤ 3,
    # dx for x > 3 (PyTorch's one-sided choices at ±3)
    __slots__ = ()
    saved = (0,)

    def forward(self, x: Any) -> Any:
        return _like(x, x * get_array_module(x).clip(x + 3.0, 0.0, 6.0) / 6.0)

    def backward(self, xp: Any, g: Any, out: Any, x: Any) -> tuple[Any]:
        middle = xp.where(x <= 3.0, g * (x / 3.0 + 0.5), g)
        return (xp.where(x < -3.0, 0.0, middle),)


def _like(x: Any, out: Any) -> Any:
    """``out`` in ``x``'s dtype: NumPy 1.x widens a 0-d float32 array combined with a Python
    float to float64."""
    return out if out.dtype == x.dtype else out.astype(x.dtype)
