"""Weight initialisers (``minigrad.nn.init``), as ``torch.nn.init``.

Every function fills its tensor in place (without recording a graph), draws
from the seeded generator of the tensor's device (``minigrad.manual_seed``),
or from ``generator=`` (a :class:`minigrad.Generator`) when one is given,
and returns the tensor. For a weight of shape ``(out, in, *k)``,
``fan_in = in · Πk`` and ``fan_out = out · Πk``.

Why initialisation matters (seed 002, "Xavier / He"): in a deep sigmoid
network, weights of std 1 push the activations to 0 and 1 (vanishing
gradients), std 0.01 squeezes them all to 0.5 (every unit alike); Xavier's
std = gain·√(2 / (fan_in + fan_out)) keeps them spread. For ReLU, He's
std = gain / √fan_in with gain √2 does the same.
"""

from __future__ import annotations

import math
import numbers
import warnings
from typing import Any

import minigrad
from minigrad.autograd import no_grad
from minigrad.backend import get_array_module
from minigrad.random import Generator
from minigrad.tensor import Tensor

__all__ = [
    "calculate_gain",
    "uniform_",
    "normal_",
    "trunc_normal_",
    "constant_",
    "zeros_",
    "ones_",
    "eye_",
    "dirac_",
    "xavier_uniform_",
    "xavier_normal_",
    "kaiming_uniform_",
    "kaiming_normal_",
    "orthogonal_",
    "sparse_",
]

_LINEAR_FNS = (
    "linear",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
)


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended gain for ``nonlinearity`` (PyTorch's table).

    linear / conv / sigmoid: 1;  tanh: 5/3;  relu: √2;
    leaky_relu: √(2 / (1 + negative_slope²)) (``param``, default 0.01);  selu: 3/4.
    """
    if nonlinearity in _LINEAR_FNS or nonlinearity == "sigmoid":
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            negative_slope = 0.01
        elif not isinstance(param, bool) and isinstance(param, numbers.Real):
            negative_slope = float(param)
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + negative_slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _check(tensor: Any, op: str) -> None:
    if not isinstance(tensor, Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(tensor).__name__}")


def _calculate_fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    """fan_in = size(1) · receptive field, fan_out = size(0) · receptive field."""
    if tensor.ndim < 2:
        raise ValueError(
            "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions "
            f"(got shape {tensor.shape})"
        )
    receptive = math.prod(tensor.shape[2:])
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


def _calculate_correct_fan(tensor: Tensor, mode: str) -> int:
    mode = mode.lower()
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of fan_in, fan_out")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def uniform_(
    tensor: Tensor, a: float = 0.0, b: float = 1.0, generator: Generator | None = None
) -> Tensor:
    """Fill with samples of U(a, b)."""
    _check(tensor, "uniform_")
    with no_grad():
        return tensor.uniform_(a, b, generator=generator)


def normal_(
    tensor: Tensor, mean: float = 0.0, std: float = 1.0, generator: Generator | None = None
) -> Tensor:
    """Fill with samples of N(mean, std²)."""
    _check(tensor, "normal_")
    with no_grad():
        return tensor.normal_(mean, std, generator=generator)


def trunc_normal_(
    tensor: Tensor,
    mean: float = 0.0,
    std: float = 1.0,
    a: float = -2.0,
    b: float = 2.0,
    generator: Generator | None = None,
) -> Tensor:
    """Fill with samples of N(mean, std²) truncated to [a, b] (``a`` and ``b`` are values,
    not multiples of ``std``): the density ∝ exp(-(x - mean)² / (2 std²)) on [a, b].

    Rejection sampling, as PyTorch: when the window holds more than 30% of the normal's
    mass, every sample outside [a, b] is redrawn from N(mean, std²) until none is left;
    otherwise candidates x ~ U(a, b) are accepted with probability
    exp(-((x - mean)² - (m - mean)²) / (2 std²)), m = the point of [a, b] nearest ``mean``.
    Warns when ``mean`` is more than 2 std outside [a, b].
    """
    _check(tensor, "trunc_normal_")
    if mean < a - 2 * std or mean > b + 2 * std:
        warnings.warn(
            "mean is more than 2 std from [a, b] in nn.init.trunc_normal_. "
            "The distribution of values may be incorrect.",
            stacklevel=2,
        )

    def cdf(x: float) -> float:
        return (1.0 + math.erf((x - mean) / (std * math.sqrt(2.0)))) / 2.0

    with no_grad():
        if tensor.numel() == 0:
            return tensor
        if cdf(b) - cdf(a) > 0.3:
            tensor.normal_(mean, std, generator=generator)
            pending = (tensor < a) | (tensor > b)
            while pending.any().item():
                fresh = minigrad.empty_like(tensor).normal_(mean, std, generator=generator)
                tensor.copy_(minigrad.where(pending, fresh, tensor))
                pending = (tensor < a) | (tensor > b)
            return tensor
        log_peak = -0.5 * ((max(a, min(mean, b)) - mean) / std) ** 2
        pending = minigrad.ones_like(tensor, dtype=minigrad.bool)
        while pending.any().item():
            candidates = minigrad.empty_like(tensor).uniform_(a, b, generator=generator)
            log_ratio = -0.5 * ((candidates - mean) / std) ** 2 - log_peak
            u = minigrad.empty_like(tensor).uniform_(generator=generator)
            accept = pending & (u.log() <= log_ratio)
            tensor.copy_(minigrad.where(accept, candidates, tensor))
            pending = pending & ~accept
    return tensor


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill with the value ``val``."""
    _check(tensor, "constant_")
    with no_grad():
        return tensor.fill_(val)


def zeros_(tensor: Tensor) -> Tensor:
    """Fill with 0."""
    return constant_(tensor, 0.0)


def ones_(tensor: Tensor) -> Tensor:
    """Fill with 1."""
    return constant_(tensor, 1.0)


def eye_(tensor: Tensor) -> Tensor:
    """Fill a 2-D tensor with the identity matrix (ones on the diagonal, zeros elsewhere)."""
    _check(tensor, "eye_")
    if tensor.ndim != 2:
        raise ValueError(f"Only tensors with 2 dimensions are supported, got shape {tensor.shape}")
    with no_grad():
        tensor.fill_(0.0)
        index = get_array_module(tensor._array).arange(min(tensor.shape))
        tensor._array[index, index] = 1
    return tensor


def dirac_(tensor: Tensor, groups: int = 1) -> Tensor:
    """Fill a 3-, 4- or 5-D convolution weight ``(out, in, *k)`` with the Dirac delta, so the
    convolution copies its input: w[g·(out/groups) + d, d, centre] = 1 for every group g and
    d < min(out/groups, in), where centre = (k₁ // 2, ...); every other entry is 0.
    """
    _check(tensor, "dirac_")
    if tensor.ndim not in (3, 4, 5):
        raise ValueError("Only tensors with 3, 4, or 5 dimensions are supported")
    out_channels = tensor.shape[0]
    if out_channels % groups != 0:
        raise ValueError("dim 0 must be divisible by groups")
    per_group = out_channels // groups
    centre = tuple(size // 2 for size in tensor.shape[2:])
    with no_grad():
        tensor.zero_()
        for g in range(groups):
            for d in range(min(per_group, tensor.shape[1])):
                index = (g * per_group + d, d, *centre)
                tensor[index] = 1
    return tensor


def xavier_uniform_(
    tensor: Tensor, gain: float = 1.0, generator: Generator | None = None
) -> Tensor:
    """Glorot uniform: U(-a, a) with a = gain · √(6 / (fan_in + fan_out)).

    (The standard deviation is then gain · √(2 / (fan_in + fan_out)).)
    """
    _check(tensor, "xavier_uniform_")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor: Tensor, gain: float = 1.0, generator: Generator | None = None) -> Tensor:
    """Glorot normal: N(0, std²) with std = gain · √(2 / (fan_in + fan_out))."""
    _check(tensor, "xavier_normal_")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return normal_(tensor, 0.0, std, generator)


def kaiming_uniform_(
    tensor: Tensor,
    a: float = 0.0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: Generator | None = None,
) -> Tensor:
    """He uniform: U(-bound, bound) with bound = gain · √(3 / fan).

    gain = ``calculate_gain(nonlinearity, a)`` (√(2 / (1 + a²)) for leaky_relu
    with negative slope ``a``; √2 for relu), fan = fan_in or fan_out (``mode``).
    """
    _check(tensor, "kaiming_uniform_")
    if 0 in tensor.shape:
        return tensor  # nothing to fill (PyTorch warns and returns)
    fan = _calculate_correct_fan(tensor, mode)
    std = calculate_gain(nonlinearity, a) / math.sqrt(fan)
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(
    tensor: Tensor,
    a: float = 0.0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator: Generator | None = None,
) -> Tensor:
    """He normal: N(0, std²) with std = gain / √fan (gain and fan as :func:`kaiming_uniform_`)."""
    _check(tensor, "kaiming_normal_")
    if 0 in tensor.shape:
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    std = calculate_gain(nonlinearity, a) / math.sqrt(fan)
    return normal_(tensor, 0.0, std, generator)


def orthogonal_(tensor: Tensor, gain: float = 1, generator: Generator | None = None) -> Tensor:
    """Fill with a (semi-)orthogonal matrix times ``gain`` (Saxe et al., 2013).

    The tensor is seen as rows = size(0) by cols = numel / rows. A matrix A ~ N(0, 1) of
    that shape (transposed when rows < cols) is factored A = QR, and Q·diag(sign(diag R))
    (the sign fix that makes Q Haar-uniform) is written back, transposed again when
    rows < cols. So W Wᵀ = gain²·I when rows ≤ cols, and Wᵀ W = gain²·I otherwise.
    """
    _check(tensor, "orthogonal_")
    if tensor.ndim < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    if tensor.numel() == 0:
        return tensor
    rows = tensor.shape[0]
    cols = tensor.numel() // rows
    with no_grad():
        flat = tensor.new_empty((rows, cols)).normal_(0.0, 1.0, generator=generator)
        if rows < cols:
            flat = flat.t()
        q, r = minigrad.linalg.qr(flat)
        q = q * r.diagonal().sign()
        if rows < cols:
            q = q.t()
        tensor.copy_(q.reshape(tensor.shape)).mul_(gain)
    return tensor


def sparse_(
    tensor: Tensor, sparsity: float, std: float = 0.01, generator: Generator | None = None
) -> Tensor:
    """Fill a 2-D ``(rows, cols)`` tensor with N(0, std²) samples, then zero
    ⌈sparsity · rows⌉ entries of every column, at rows chosen uniformly without
    replacement (Martens, 2010).

    Unlike PyTorch, whose row choice always draws from the global generator, the rows
    here come from ``generator`` too when one is given, so a seeded generator alone
    fixes the result.
    """
    _check(tensor, "sparse_")
    if tensor.ndim != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    rows, cols = tensor.shape
    num_zeros = math.ceil(sparsity * rows)
    with no_grad():
        tensor.normal_(0.0, std, generator=generator)
        keys = minigrad.rand(rows, cols, generator=generator, device=tensor.device)
        rank = keys.argsort(dim=0).argsort(dim=0)  # a random permutation of 0..rows-1 per column
        tensor.masked_fill_(rank < num_zeros, 0.0)
    return tensor
