"""Functions that make tensors: from data, filled, ranges and random.

Without ``dtype=`` floats come out in the default float dtype
(:func:`~minigrad.get_default_dtype`, float32 at start) and integers in int64;
without ``device=`` tensors go to the default device (:func:`set_default_device`,
``cpu`` at start).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from minigrad import random
from minigrad.backend import CPU, Device, as_device, backend_of, get_backend, to_host
from minigrad.dtypes import (
    DEFAULT_INT,
    as_dtype,
    get_default_dtype,
    infer_dtype,
    infer_sequence_dtype,
    is_floating,
)
from minigrad.tensor import (
    Tensor,
    _device_of_data,
    _draw_dtype,
    _host_array,
    _shape_arg,
    _sizes_or_keyword,
)

__all__ = [
    "set_default_device",
    "get_default_device",
    "is_tensor",
    "numel",
    "tensor",
    "as_tensor",
    "from_numpy",
    "zeros",
    "ones",
    "full",
    "empty",
    "arange",
    "linspace",
    "logspace",
    "eye",
    "rand",
    "randn",
    "randint",
    "randperm",
    "normal",
    "bernoulli",
    "multinomial",
    "zeros_like",
    "ones_like",
    "full_like",
    "empty_like",
    "rand_like",
    "randn_like",
    "randint_like",
]

DeviceLike = str | Device | None
Generator = random.Generator

_default_device = CPU


def set_default_device(device: DeviceLike) -> None:
    """Make ``device`` where creation functions put tensors when no ``device=`` is given
    (``None`` restores ``cpu``), as ``torch.set_default_device``."""
    global _default_device
    _default_device = as_device(device)


def get_default_device() -> Device:
    """The device new tensors go to when no ``device=`` is given (``cpu`` at start)."""
    return _default_device


def _device(device: DeviceLike) -> Device:
    return _default_device if device is None else as_device(device)


def is_tensor(obj: Any) -> bool:
    """Whether ``obj`` is a :class:`Tensor` (a ``Parameter`` is one)."""
    return isinstance(obj, Tensor)


def numel(input: Tensor) -> int:
    """The number of elements of ``input``."""
    if not isinstance(input, Tensor):
        raise TypeError(f"numel(): argument 'input' must be Tensor, not {type(input).__name__}")
    return input.numel()


def _size(size: tuple[Any, ...], op: str) -> tuple[int, ...]:
    """A shape given as ``f(2, 3)`` or ``f((2, 3))``: integers, none negative."""
    shape = _shape_arg(size, op)
    if any(n < 0 for n in shape):
        raise RuntimeError(
            f"{op}: Trying to create tensor with negative dimension {min(shape)}: {list(shape)}"
        )
    return shape


def _leaf(array: Any, requires_grad: bool) -> Tensor:
    """A new leaf tensor holding ``array`` (a backend array), requiring grad if asked."""
    t = Tensor._from_op(array)
    return t.requires_grad_() if requires_grad else t


def _finish(array: np.ndarray, device: DeviceLike, requires_grad: bool) -> Tensor:
    """Move a host array to ``device`` (default: the default device) and wrap it."""
    dev = _device(device)
    return _leaf(get_backend(dev).from_host(array, dev), requires_grad)


def tensor(
    data: Any, dtype: Any = None, device: DeviceLike = None, requires_grad: bool = False
) -> Tensor:
    """A new tensor holding a copy of ``data`` (PyTorch's dtype policy).

    Without ``dtype``: Python floats and lists of them give the default float dtype
    (float32, see :func:`~minigrad.set_default_dtype`), Python integers int64, bools
    bool; NumPy arrays and tensors keep their dtype (float64 stays float64). The device
    defaults to that of ``data`` when it is already a device array or tensor, else to
    the default device.
    """
    if device is None:
        device = _device_of_data(data, _default_device)
    host = _host_array(data)
    if dtype is not None:
        dt = as_dtype(dtype)
    elif isinstance(data, Tensor) or _is_array(data):
        dt = as_dtype(host.dtype)  # an array or a tensor keeps its dtype
    elif isinstance(data, list | tuple):
        dt = infer_sequence_dtype(data, host)  # NumPy scalars in it keep their dtype
    else:
        dt = infer_dtype(host)
    return _finish(np.array(host, dtype=dt), device, requires_grad)


def _is_array(data: Any) -> bool:
    """Whether ``data`` is an array of NumPy or of a device backend (not a Python list)."""
    if isinstance(data, np.ndarray | np.generic):
        return True
    try:
        backend_of(data)
    except TypeError:
        return False
    return True


def as_tensor(data: Any, dtype: Any = None, device: DeviceLike = None) -> Tensor:
    """Like :func:`tensor`, but without a copy when it can: ``data`` itself when it is a
    tensor that fits, and a tensor sharing memory with a NumPy array of the same dtype
    on the CPU (or a device array on its device)."""
    if _is_array(data) and not isinstance(data, np.generic):
        wanted = None if dtype is None else as_dtype(dtype)
        same_device = device is None or as_device(device) == _device_of_data(data)
        if same_device and (wanted is None or wanted == data.dtype):
            as_dtype(data.dtype)  # refuses object, complex and string arrays
            return Tensor._from_op(data)
    if (
        isinstance(data, Tensor)
        and (dtype is None or as_dtype(dtype) == data.dtype)
        and (device is None or as_device(device) == data.device)
    ):
        return data
    return tensor(data, dtype=dtype, device=device)


def from_numpy(array: np.ndarray) -> Tensor:
    """A CPU tensor sharing memory with ``array``, keeping its dtype."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy expects a numpy.ndarray, got {type(array).__name__}")
    as_dtype(array.dtype)  # refuses object, complex and string arrays
    return Tensor._from_op(array, None)


def _dtype(dtype: Any, default: np.dtype | None = None) -> np.dtype:
    """``dtype`` as a dtype; when None, ``default`` (the default float dtype if None)."""
    if dtype is not None:
        return as_dtype(dtype)
    return get_default_dtype() if default is None else default


def _filled(
    op: str, fill: Any, size: tuple[Any, ...], dtype: np.dtype, device: Any, requires_grad: bool
) -> Tensor:
    return _finish(np.full(_size(size, op), fill, dtype=dtype), device, requires_grad)


def zeros(
    *sizes: Any,
    size: Any = None,
    dtype: Any = None,
    device: DeviceLike = None,
    requires_grad: bool = False,
) -> Tensor:
    """A tensor of zeros of shape ``size`` (``zeros(2, 3)`` or ``zeros((2, 3))``), in the
    default float dtype unless ``dtype`` says otherwise."""
    if size is not None:
        sizes = _sizes_or_keyword(sizes, size, "size", "zeros")
    return _filled("zeros", 0, sizes, _dtype(dtype), device, requires_grad)


def ones(
    *sizes: Any,
    size: Any = None,
    dtype: Any = None,
    device: DeviceLike = None,
    requires_grad: bool = False,
) -> Tensor:
    """A tensor of ones of shape ``size``, in the default float dtype unless ``dtype``
    says otherwise."""
    if size is not None:
        sizes = _sizes_or_keyword(sizes, size, "size", "ones")
    return _filled("ones", 1, sizes, _dtype(dtype), device, requires_grad)


def empty(
    *sizes: Any,
    size: Any = None,
    dtype: Any = None,
    device: DeviceLike = None,
    requires_grad: bool = False,
) -> Tensor:
    """A tensor whose contents are unspecified (here: zeros)."""
    if size is not None:
        sizes = _sizes_or_keyword(sizes, size, "size", "empty")
    return _filled("empty", 0, sizes, _dtype(dtype), device, requires_grad)


def full(
    size: Sequence[int],
    fill_value: Any,
    *,
    dtype: Any = None,
    device: DeviceLike = None,
    requires_grad: bool = False,
) -> Tensor:
    """A tensor of shape ``size`` filled with ``fill_value``; without ``dtype``, a bool
    fill gives bool, an int int64 and a float the default float dtype."""
    if not isinstance(size, Sequence):
        raise TypeError(f"full(): argument 'size' must be tuple of ints, not {type(size).__name__}")
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    return _filled(
        "full", fill_value, (size,), _dtype(dtype, infer_dtype(fill_value)), device, requires_grad
    )


def _scalar(value: Any, name: str, op: str) -> int | float:
    """A Python number from a number or a one-element tensor."""
    if isinstance(value, Tensor):
        value = value.item()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{op}(): argument '{name}' must be a number, not {type(value).__name__}")
    return value


def arange(
    start: Any = None,
    end: Any = None,
    step: Any = 1,
    *,
    dtype: Any = None,
    device: DeviceLike = None,
    requires_grad: bool = False,
) -> Tensor:
    """Values ``start, start + step, ...`` up to ``end`` (exclusive): ⌈(end - start) / step⌉
    of them. ``arange(n)`` starts at 0. Without ``dtype``: int64 when every argument is an
    integer, else the default float dtype. ``arange(end=n)`` is ``arange(n)``."""
    if end is None:
        if start is None:
            raise TypeError("arange() missing required argument 'end'")
        start, end = 0, start
    elif start is None:
        start = 0
    start, end, step = (
        _scalar(v, n, "arange") for v, n in ((start, "start"), (end, "end"), (step, "step"))
    )
    if step == 0:
        raise RuntimeError("arange: step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError(
            f"arange: upper bound and lower bound inconsistent with step sign (start={start}, "
            f"end={end}, step={step})"
        )
    integral = all(isinstance(v, int) for v in (start, end, step))
    dt = _dtype(dtype, DEFAULT_INT if integral else None)
    n = math.ceil((end - start) / step)
    values = start + np.arange(n, dtype=np.int64 if integral else np.float64) * step
    return _finish(values.astype(dt), device, requires_grad)


def _steps(steps: Any, op: str) -> int:
    if isinstance(steps, bool) or not isinstance(steps, int | np.integer):
        raise TypeError(f"{op}(): argument 'steps' must be int, not {type(steps).__name__}")
    if steps < 0:
        raise RuntimeError(f"{op}: number of steps must be non-negative, got {steps}")
    return int(steps)


def _evenly_spaced(start: float, end: float, steps: int) -> np.ndarray:
    """PyTorch's linspace in float64: from both ends, so the last value is exactly ``end``."""
    if steps == 1:
        return np.array([start], dtype=np.float64)
    i = np.arange(steps, dtype=np.float64)
    step = (end - start) / (steps - 1)
    return np.where(i < steps // 2, start + step * i, end - step * (steps - 1 - i))


def linspace(
    start: Any,
    end: Any,
    steps: int,
    *,
    dtype: Any = None,
    device: DeviceLike = None,
    requires_grad: bool = False,
) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive:
    start + i·(end - start)/(steps - 1), in the default float dtype unless ``dtype``."""
    start, end = _scalar(start, "start", "linspace"), _scalar(end, "end", "linspace")
    values = _evenly_spaced(start, end, _steps(steps, "linspace"))
    return _finish(values.astype(_dtype(dtype)), device, requires_grad)


def logspace(
    start: Any,
    end: Any,
    steps: int,
    base: float = 10.0,
    *,
    dtype: Any = None,
    device: DeviceLike = None,
    requires_grad: bool = False,
) -> Tensor:
    """``steps`` values base^t for t evenly spaced from ``start`` to ``end`` inclusive."""
    start, end = _scalar(start, "start", "logspace"), _scalar(end, "end", "logspace")
    exponents = _evenly_spaced(start, end, _steps(steps, "logspace"))
    values = np.power(float(_scalar(base, "base", "logspace")), exponents)
    return _finish(values.astype(_dtype(dtype)), device, requires_grad)


def eye(
    n: int,
    m: int | None = None,
    *,
    dtype: Any = None,
    device: DeviceLike = None,
    requires_grad: bool = False,
) -> Tensor:
    """The n×m identity matrix (n×n without ``m``): ones on the diagonal, zeros elsewhere."""
    rows, cols = _size((n, n if m is None else m), "eye")
    return _finish(np.eye(rows, cols, dtype=_dtype(dtype)), device, requires_grad)


# ---------------------------------------------------------------------- random
def _draws(generator: Generator | None, device: Device, caller: str) -> Any:
    return random.draws_from(generator, device, caller)


def _random(
    draw: str,
    size: tuple,
    dtype: Any,
    device: DeviceLike,
    requires_grad: bool,
    generator: Generator | None,
) -> Tensor:
    dt = _dtype(dtype)
    if not is_floating(dt):
        raise TypeError(f"{draw}: dtype must be a floating point dtype, got {dt}")
    shape = _size(size, draw)
    gen = _draws(generator, _device(device), draw)
    method = gen.random if draw == "rand" else gen.standard_normal
    return _leaf(method(shape, dtype=_draw_dtype(dt)).astype(dt), requires_grad)


def rand(
    *sizes: Any,
    size: Any = None,
    generator: Generator | None = None,
    dtype: Any = None,
    device: DeviceLike = None,
    requires_grad: bool = False,
) -> Tensor:
    """Samples of U[0, 1) from ``generator`` or else the device's seeded generator."""
    if size is not None:
        sizes = _sizes_or_keyword(sizes, size, "size", "rand")
    return _random("rand", sizes, dtype, device, requires_grad, generator)


def randn(
    *sizes: Any,
    size: Any = None,
    generator: Generator | None = None,
    dtype: Any = None,
    device: DeviceLike = None,
    requires_grad: bool = False,
) -> Tensor:
    """Samples of N(0, 1) from ``generator`` or else the device's seeded generator."""
    if size is not None:
        sizes = _sizes_or_keyword(sizes, size, "size", "randn")
    return _random("randn", sizes, dtype, device, requires_grad, generator)


def randint(
    low: Any,
    high: Any = None,
    size: Sequence[int] = (),
    *,
    generator: Generator | None = None,
    dtype: Any = None,
    device: DeviceLike = None,
    requires_grad: bool = False,
) -> Tensor:
    """Integers uniform in [low, high) (``randint(high, size)`` means low = 0), int64
    unless ``dtype`` says otherwise."""
    if high is None:
        low, high = 0, low
    elif isinstance(high, Sequence) and not size:  # randint(high, size), as torch.randint(10, (3,))
        low, high, size = 0, low, high
    low, high = _scalar(low, "low", "randint"), _scalar(high, "high", "randint")
    if high <= low:
        raise RuntimeError(
            f"randint: random_ expects 'from' to be less than 'to', but got from={low} >= to={high}"
        )
    dt = _dtype(dtype, DEFAULT_INT)
    gen = _draws(generator, _device(device), "randint")
    draws = gen.integers(low, high, size=_size((size,), "randint"), dtype=np.int64)
    return _leaf(draws.astype(dt), requires_grad)


def randperm(
    n: int,
    *,
    generator: Generator | None = None,
    dtype: Any = None,
    device: DeviceLike = None,
    requires_grad: bool = False,
) -> Tensor:
    """A random permutation of 0..n-1 (int64), from ``generator`` or the device's default."""
    if isinstance(n, bool) or not isinstance(n, int | np.integer):
        raise TypeError(f"randperm(): argument 'n' must be int, not {type(n).__name__}")
    if n < 0:
        raise RuntimeError(f"randperm: n must be non-negative, got {n}")
    perm = _draws(generator, _device(device), "randperm").permutation(int(n))
    return _leaf(perm.astype(_dtype(dtype, DEFAULT_INT)), requires_grad)


def normal(
    mean: Any = 0.0,
    std: Any = 1.0,
    size: Sequence[int] | None = None,
    *,
    generator: Generator | None = None,
    dtype: Any = None,
    device: DeviceLike = None,
    requires_grad: bool = False,
) -> Tensor:
    """Samples of N(mean, std²): mean + std·ε with ε ~ N(0, 1).

    The four overloads of ``torch.normal``: ``normal(mean_tensor, std_tensor)`` (one
    sample per broadcast element), ``normal(mean_tensor, std=1.0)``,
    ``normal(mean, std_tensor)``, and ``normal(mean, std, size)`` for numbers. The result
    is a new sample, not differentiable with respect to ``mean`` or ``std`` (PyTorch
    gives them zero gradients).
    """
    tensors = [v for v in (mean, std) if isinstance(v, Tensor)]
    if not tensors:
        if size is None:
            raise TypeError("normal(): with a number mean and std, give the output size")
        mean, std = _scalar(mean, "mean", "normal"), _scalar(std, "std", "normal")
        _check_std(std)
        eps = _random("randn", (size,), dtype, device, False, generator)
        out = eps * std + mean
        return out.requires_grad_() if requires_grad else out
    if size is not None or dtype is not None or requires_grad:
        raise TypeError(
            "normal(): size, dtype and requires_grad go only with a number mean and std"
        )
    mean, std = (v.detach() if isinstance(v, Tensor) else v for v in (mean, std))
    for v in (mean, std):
        if isinstance(v, Tensor) and not is_floating(v.dtype):
            raise RuntimeError(f"normal expects floating point mean and std, got {v.dtype}")
    if isinstance(std, Tensor):
        if std.numel() and float(std.min()) < 0:
            raise RuntimeError(
                f"normal expects all elements of std >= 0.0, found {float(std.min())}"
            )
    else:
        _check_std(_scalar(std, "std", "normal"))
    shape = _broadcast_shape(mean, std)
    like = tensors[0]
    if device is not None and _device(device) != like.device:
        raise RuntimeError(f"normal(): device={device} differs from the inputs' {like.device}")
    eps = _random("randn", (shape,), like.dtype, like.device, False, generator)
    return eps * std + mean


def _check_std(std: float) -> None:
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")


def _broadcast_shape(*values: Any) -> tuple[int, ...]:
    shapes = [v.shape for v in values if isinstance(v, Tensor)]
    try:
        return np.broadcast_shapes(*shapes)
    except ValueError:
        raise RuntimeError(
            f"normal(): the shapes of mean and std {' and '.join(map(str, shapes))} cannot be "
            "broadcast together"
        ) from None


def _uniform_like(input: Tensor, generator: Generator | None, caller: str) -> Tensor:
    """U[0, 1) samples, float64, of ``input``'s shape on its device."""
    gen = _draws(generator, input.device, caller)
    return Tensor._from_op(gen.random(input.shape, dtype=np.float64))


def bernoulli(
    input: Tensor, p: float | None = None, *, generator: Generator | None = None
) -> Tensor:
    """1 with probability p, else 0, for each element: p is the element of ``input`` (or
    the number ``p`` when given). The result has ``input``'s shape, dtype and device."""
    if not isinstance(input, Tensor):
        raise TypeError(f"bernoulli(): argument 'input' must be Tensor, not {type(input).__name__}")
    if not is_floating(input.dtype):
        raise TypeError(
            f"bernoulli: input must hold floating point probabilities, got {input.dtype}"
        )
    prob = input.detach() if p is None else _scalar(p, "p", "bernoulli")
    _check_probabilities(prob, "bernoulli")
    return (_uniform_like(input, generator, "bernoulli") < prob).to(input.dtype)


def _check_probabilities(p: Any, op: str) -> None:
    if isinstance(p, Tensor) and p.numel() == 0:
        return
    low, high = (float(p.min()), float(p.max())) if isinstance(p, Tensor) else (p, p)
    if not 0 <= low <= high <= 1:  # (False for NaN too)
        raise RuntimeError(f"{op}: expected every probability p to satisfy 0 <= p <= 1")


def multinomial(
    input: Tensor,
    num_samples: int,
    replacement: bool = False,
    *,
    generator: Generator | None = None,
) -> Tensor:
    """Indices drawn from the categorical distribution with weights ``input`` (1-D, or one
    distribution per row of a 2-D tensor; weights need not sum to 1), int64.

    With replacement each sample is independent: the category i with
    cumsum(w)[i-1] ≤ u·Σw < cumsum(w)[i], u ~ U[0, 1). Without replacement the
    ``num_samples`` categories with the smallest keys e/wᵢ (e ~ Exp(1)) are taken, in
    that order, which samples sequentially without replacement with probability ∝ w.
    """
    if not isinstance(input, Tensor):
        raise TypeError(
            f"multinomial(): argument 'input' must be Tensor, not {type(input).__name__}"
        )
    if isinstance(num_samples, bool) or not isinstance(num_samples, int | np.integer):
        raise TypeError(
            f"multinomial(): argument 'num_samples' must be int, not {type(num_samples).__name__}"
        )
    if input.ndim not in (1, 2):
        raise RuntimeError(f"multinomial: prob_dist must be 1 or 2 dim, got shape {input.shape}")
    if not is_floating(input.dtype):
        raise RuntimeError(
            f"multinomial only supports floating-point dtypes for input, got {input.dtype}"
        )
    if num_samples <= 0:
        raise RuntimeError(f"multinomial: cannot sample n_sample <= 0 samples, got {num_samples}")
    n = input.shape[-1]
    if not replacement and num_samples > n:
        raise RuntimeError(
            f"multinomial: cannot sample n_sample > prob_dist.size(-1) samples without "
            f"replacement ({num_samples} > {n})"
        )
    weights = np.atleast_2d(to_host(input._array)).astype(np.float64)
    if not np.all(np.isfinite(weights)) or np.any(weights < 0):
        raise RuntimeError(
            "multinomial: probability tensor contains either `inf`, `nan` or element < 0"
        )
    if np.any(weights.sum(axis=1) <= 0):
        raise RuntimeError(
            "multinomial: invalid multinomial distribution (sum of probabilities <= 0)"
        )
    gen = _draws(generator, input.device, "multinomial")
    u = to_host(gen.random((weights.shape[0], num_samples if replacement else n), dtype=np.float64))
    if replacement:
        cumulative = np.cumsum(weights, axis=1)
        cumulative /= cumulative[:, -1:]
        picks = np.stack(
            [np.searchsorted(c, row, side="right") for c, row in zip(cumulative, u, strict=True)]
        )
        picks = np.minimum(picks, n - 1)  # u·Σw rounding up to Σw
    else:
        with np.errstate(divide="ignore"):
            keys = -np.log1p(-u) / weights  # Exp(1) / w; weight 0 gives +inf: drawn last
        picks = np.argsort(keys, axis=1, kind="stable")[:, :num_samples]
    picks = picks.reshape(input.shape[:-1] + (num_samples,)).astype(np.int64)
    return _finish(picks, input.device, False)


# ---------------------------------------------------------------------- *_like
def _like_args(input: Tensor, dtype: Any, device: DeviceLike, op: str) -> dict[str, Any]:
    """dtype and device of a ``*_like`` result: those given, else ``input``'s."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}(): argument 'input' must be Tensor, not {type(input).__name__}")
    return {
        "dtype": input.dtype if dtype is None else dtype,
        "device": input.device if device is None else device,
    }


def zeros_like(
    input: Tensor,
    *,
    dtype: Any = None,
    device: DeviceLike = None,
    requires_grad: bool = False,
    memory_format: Any = None,
) -> Tensor:
    """Zeros of ``input``'s shape, dtype and device (``memory_format`` is accepted)."""
    like = _like_args(input, dtype, device, "zeros_like")
    return zeros(input.shape, requires_grad=requires_grad, **like)


def ones_like(
    input: Tensor,
    *,
    dtype: Any = None,
    device: DeviceLike = None,
    requires_grad: bool = False,
    memory_format: Any = None,
) -> Tensor:
    """Ones of ``input``'s shape, dtype and device (``memory_format`` is accepted)."""
    like = _like_args(input, dtype, device, "ones_like")
    return ones(input.shape, requires_grad=requires_grad, **like)


def empty_like(
    input: Tensor,
    *,
    dtype: Any = None,
    device: DeviceLike = None,
    requires_grad: bool = False,
    memory_format: Any = None,
) -> Tensor:
    """An unspecified tensor (here: zeros) of ``input``'s shape, dtype and device."""
    like = _like_args(input, dtype, device, "empty_like")
    return empty(input.shape, requires_grad=requires_grad, **like)


def full_like(
    input: Tensor,
    fill_value: Any,
    *,
    dtype: Any = None,
    device: DeviceLike = None,
    requires_grad: bool = False,
    memory_format: Any = None,
) -> Tensor:
    """``fill_value`` in ``input``'s shape, dtype and device."""
    like = _like_args(input, dtype, device, "full_like")
    return full(input.shape, fill_value, requires_grad=requires_grad, **like)


def rand_like(
    input: Tensor,
    *,
    generator: Generator | None = None,
    dtype: Any = None,
    device: DeviceLike = None,
    requires_grad: bool = False,
    memory_format: Any = None,
) -> Tensor:
    """U[0, 1) samples in ``input``'s shape, dtype and device."""
    like = _like_args(input, dtype, device, "rand_like")
    return rand(input.shape, generator=generator, requires_grad=requires_grad, **like)


def randn_like(
    input: Tensor,
    *,
    generator: Generator | None = None,
    dtype: Any = None,
    device: DeviceLike = None,
    requires_grad: bool = False,
    memory_format: Any = None,
) -> Tensor:
    """N(0, 1) samples in ``input``'s shape, dtype and device."""
    like = _like_args(input, dtype, device, "randn_like")
    return randn(input.shape, generator=generator, requires_grad=requires_grad, **like)


def randint_like(
    input: Tensor,
    low: int = 0,
    high: int | None = None,
    *,
    generator: Generator | None = None,
    dtype: Any = None,
    device: DeviceLike = None,
    requires_grad: bool = False,
    memory_format: Any = None,
) -> Tensor:
    """Integers uniform in [low, high) in ``input``'s shape, dtype and device
    (``randint_like(x, high)`` means low = 0)."""
    if high is None:
        low, high = 0, low
    like = _like_args(input, dtype, device, "randint_like")
    return randint(low, high, input.shape, generator=generator, requires_grad=requires_grad, **like)
