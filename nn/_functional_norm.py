"""The functional forms of normalisation, embedding, padding and channel dropout
(re-exported by ``minigrad.nn.functional``).

Normalisation is one engine node (:class:`minigrad.ops.normalization.Normalize`,
x̂ = (x - μ) / √(σ² + ε) over some axes) followed by the affine part γ x̂ + β
as ordinary broadcast operations; the functions below differ only in the axes
they normalise over and in the statistics they keep.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any

import minigrad
from minigrad import random
from minigrad.amp.policy import autocast_call
from minigrad.amp.state import state as _amp
from minigrad.backend import array_of, to_host
from minigrad.dtypes import as_dtype
from minigrad.ops.normalization import Embedding, Normalize, Pad
from minigrad.tensor import Tensor

from . import _functions
from .functional import _check_dropout_probability, _check_tensor, _floating_input

__all__: list[str] = [
    "batch_norm",
    "instance_norm",
    "layer_norm",
    "group_norm",
    "rms_norm",
    "local_response_norm",
    "embedding",
    "pad",
    "dropout1d",
    "dropout2d",
]


# ----------------------------------------------------------------------------- helpers
def _channel_shape(ndim: int) -> tuple[int, ...]:
    """The shape (1, -1, 1, ...) that broadcasts a per-channel vector along dim 1."""
    return (1, -1) + (1,) * (ndim - 2)


def _per_channel(op: str, name: str, value: Tensor | None, channels: int) -> None:
    """A per-channel argument must be None or a tensor of shape (C,)."""
    if value is None:
        return
    _check_tensor(op, name, value)
    if value.shape != (channels,):
        raise RuntimeError(
            f"{op}(): {name} should contain {channels} elements (one per channel of the input), "
            f"got shape {value.shape}"
        )


def _affine(x: Tensor, weight: Tensor | None, bias: Tensor | None, shape: Any) -> Tensor:
    """γ x + β with γ, β reshaped to ``shape`` (None: that part is left out)."""
    if weight is not None:
        x = x * (weight if shape is None else weight.reshape(shape))
    if bias is not None:
        x = x + (bias if shape is None else bias.reshape(shape))
    return x


def _update_running_stats(
    input: Tensor,
    axes: tuple[int, ...],
    running_mean: Tensor | None,
    running_var: Tensor | None,
    momentum: float,
) -> None:
    """r ← (1 - m) r + m s for the batch mean and the unbiased batch variance over ``axes``.

    The statistics of instance normalisation (``axes`` without 0) are averaged over
    the batch first, as PyTorch does.
    """
    with minigrad.no_grad():
        x = input.detach()
        batch_mean = x.mean(dim=axes)
        batch_var = x.var(dim=axes, correction=1)
        if 0 not in axes:
            batch_mean, batch_var = batch_mean.mean(dim=0), batch_var.mean(dim=0)
        for running, value in ((running_mean, batch_mean), (running_var, batch_var)):
            if running is not None:
                running.mul_(1 - momentum).add_(value.to(running.dtype) * momentum)


def _normalize_with(input: Tensor, mean: Tensor, var: Tensor, eps: float) -> Tensor:
    """(x - mean) / √(var + eps) with given per-channel statistics (evaluation mode)."""
    shape = _channel_shape(input.ndim)
    mean, var = mean.to(input.dtype), var.to(input.dtype)
    return (input - mean.reshape(shape)) * (1 / (var.reshape(shape) + eps).sqrt())


# ----------------------------------------------------------------------------- normalisation
def batch_norm(
    input: Tensor,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Batch normalisation of ``input`` ``(N, C, *)`` per channel C.

    In training, with μ_B, σ²_B the mean and biased variance of each channel over
    the batch (and any spatial dims)::

        y = (x - μ_B) / √(σ²_B + ε) · γ + β
        running_mean ← (1 - momentum) running_mean + momentum μ_B
        running_var  ← (1 - momentum) running_var  + momentum σ²_B · n / (n - 1)

    (the running variance is unbiased; the buffers are updated in place when
    given). Otherwise the running statistics replace μ_B and σ²_B.
    """
    op = "batch_norm"
    _floating_input(op, input)
    if input.ndim < 2:
        raise ValueError(
            f"{op}(): expected an input of shape (N, C) or (N, C, *), got shape {input.shape}"
        )
    channels = input.shape[1]
    for name, value in (("running_mean", running_mean), ("running_var", running_var)):
        _per_channel(op, name, value, channels)
    _per_channel(op, "weight", weight, channels)
    _per_channel(op, "bias", bias, channels)
    axes = (0,) + tuple(range(2, input.ndim))
    if training:
        per_channel = math.prod(input.shape) // max(channels, 1)
        if per_channel <= 1:
            raise ValueError(
                f"Expected more than 1 value per channel when training, got input size "
                f"{input.shape}"
            )
        _update_running_stats(input, axes, running_mean, running_var, momentum)
        x_hat = Normalize.apply(input, axes, float(eps))
    else:
        if running_mean is None or running_var is None:
            raise RuntimeError(
                f"{op}(): running_mean and running_var must be given in evaluation mode "
                "(training=False)"
            )
        x_hat = _normalize_with(input, running_mean, running_var, eps)
    return _affine(x_hat, weight, bias, _channel_shape(input.ndim))


def instance_norm(
    input: Tensor,
    running_mean: Tensor | None = None,
    running_var: Tensor | None = None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    use_input_stats: bool = True,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Instance normalisation: each channel of each sample normalised over its spatial dims.

    y = (x - μ_nc) / √(σ²_nc + ε) · γ_c + β_c, with μ_nc, σ²_nc over the dims after
    C. The running statistics (when given) track the batch average of μ_nc and
    of the unbiased σ²_nc; with ``use_input_stats=False`` they replace μ_nc, σ²_nc.
    """
    op = "instance_norm"
    _floating_input(op, input)
    if input.ndim < 3:
        raise ValueError(
            f"{op}(): expected an input of shape (N, C, *) with at least one spatial dim, got "
            f"shape {input.shape}"
        )
    channels = input.shape[1]
    for name, value in (("running_mean", running_mean), ("running_var", running_var)):
        _per_channel(op, name, value, channels)
    _per_channel(op, "weight", weight, channels)
    _per_channel(op, "bias", bias, channels)
    axes = tuple(range(2, input.ndim))
    if use_input_stats:
        if math.prod(input.shape[2:]) <= 1:
            raise ValueError(
                f"Expected more than 1 spatial element when training, got input size {input.shape}"
            )
        _update_running_stats(input, axes, running_mean, running_var, momentum)
        x_hat = Normalize.apply(input, axes, float(eps))
    else:
        if running_mean is None or running_var is None:
            raise RuntimeError(
                f"{op}(): Expected running_mean and running_var to be defined when "
                "use_input_stats is false"
            )
        x_hat = _normalize_with(input, running_mean, running_var, eps)
    return _affine(x_hat, weight, bias, _channel_shape(input.ndim))


def _shape_tuple(normalized_shape: int | Sequence[int]) -> tuple[int, ...]:
    if isinstance(normalized_shape, int):
        return (normalized_shape,)
    return tuple(int(n) for n in normalized_shape)


def _check_trailing(
    input: Tensor, normalized_shape: int | Sequence[int], op: str, **affine: Tensor | None
) -> tuple[int, ...]:
    """``normalized_shape`` as a tuple, after checking that it ends ``input``'s shape and is
    the shape of each given affine tensor. An int is refused, as PyTorch's functional forms
    do (the modules, ``nn.LayerNorm(4)``, accept one)."""
    if isinstance(normalized_shape, int):
        raise TypeError(
            f"{op}(): argument 'normalized_shape' (position 2) must be tuple of ints, not int"
        )
    _floating_input(op, input)
    shape = _shape_tuple(normalized_shape)
    k = len(shape)
    if k == 0 or input.ndim < k or input.shape[input.ndim - k :] != shape:
        raise RuntimeError(
            f"Given normalized_shape={list(shape)}, expected input with shape "
            f"[*, {', '.join(map(str, shape))}], but got input of size {list(input.shape)}"
        )
    for name, value in affine.items():
        if value is not None:
            _check_tensor(op, name, value)
            if value.shape != shape:
                raise RuntimeError(
                    f"{op}(): expected {name} of shape {shape} (normalized_shape), got "
                    f"{value.shape}"
                )
    return shape


def layer_norm(
    input: Tensor,
    normalized_shape: int | Sequence[int],
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Layer normalisation over the last ``len(normalized_shape)`` dims.

    y = (x - E[x]) / √(Var[x] + ε) · γ + β, mean and biased variance over the
    trailing dims of shape ``normalized_shape``; γ, β (if given) have that shape.
    """
    if _amp.active:
        return autocast_call("layer_norm", layer_norm, input, normalized_shape, weight, bias, eps)
    k = len(_check_trailing(input, normalized_shape, "layer_norm", weight=weight, bias=bias))
    x_hat = Normalize.apply(input, tuple(range(input.ndim - k, input.ndim)), float(eps))
    return _affine(x_hat, weight, bias, None)


def group_norm(
    input: Tensor,
    num_groups: int,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Group normalisation: the C channels of each sample split into ``num_groups`` groups,
    each normalised over its channels and spatial dims, then γ_c x̂ + β_c per channel."""
    if _amp.active:
        return autocast_call("group_norm", group_norm, input, num_groups, weight, bias, eps)
    op = "group_norm"
    _floating_input(op, input)
    if input.ndim < 2:
        raise RuntimeError(f"{op}(): expected an input of shape (N, C, *), got shape {input.shape}")
    channels = input.shape[1]
    if num_groups <= 0 or channels % num_groups:
        raise RuntimeError(
            "Expected number of channels in input to be divisible by num_groups, but got input "
            f"of shape {list(input.shape)} and num_groups={num_groups}"
        )
    _per_channel(op, "weight", weight, channels)
    _per_channel(op, "bias", bias, channels)
    n = input.shape[0]
    grouped = input.reshape(n, num_groups, -1)
    x_hat = Normalize.apply(grouped, (2,), float(eps)).reshape(input.shape)
    return _affine(x_hat, weight, bias, _channel_shape(input.ndim))


def rms_norm(
    input: Tensor,
    normalized_shape: int | Sequence[int],
    weight: Tensor | None = None,
    eps: float | None = None,
) -> Tensor:
    """Root-mean-square normalisation over the last ``len(normalized_shape)`` dims.

    y = x / √(mean(x²) + ε) · γ, the mean over the trailing dims; ε defaults to the
    machine epsilon of the input's dtype (``finfo(dtype).eps``), as PyTorch's.
    """
    shape = _check_trailing(input, normalized_shape, "rms_norm", weight=weight)
    dims = tuple(range(input.ndim - len(shape), input.ndim))
    eps = minigrad.finfo(input.dtype).eps if eps is None else eps
    out = input * ((input * input).mean(dims, keepdim=True) + eps).rsqrt()
    return out if weight is None else out * weight


def local_response_norm(
    input: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0
) -> Tensor:
    """Local response normalisation across channels (Krizhevsky et al., 2012).

    y_c = x_c / (k + α/n · Σ x_{c'}²)^β, the sum over the n = ``size`` channels
    c' ∈ [c − ⌊n/2⌋, c + ⌈n/2⌉ − 1] (zero outside), for inputs ``(N, C, *)``.
    """
    _floating_input("local_response_norm", input)
    if input.ndim < 3:
        raise ValueError(
            f"Expected 3D or higher dimensionality input (got {input.ndim} dimensions)"
        )
    if input.numel() == 0:
        return input
    channels = input.shape[1]
    squares = (input * input).movedim(1, -1)
    padded = pad(squares, (size // 2, (size - 1) // 2))
    window = padded[..., :channels]
    for start in range(1, size):
        window = window + padded[..., start : start + channels]
    div = (window.movedim(-1, 1) * (alpha / size) + k) ** beta
    return input / div


# ----------------------------------------------------------------------------- embedding
def embedding(
    input: Tensor,
    weight: Tensor,
    padding_idx: int | None = None,
    max_norm: float | None = None,
    norm_type: float = 2.0,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> Tensor:
    """The rows of ``weight`` (num_embeddings, embedding_dim) at the integer indices ``input``.

    y[...] = W[input[...]], of shape input.shape + (embedding_dim,). The row
    ``padding_idx`` receives no gradient. With ``max_norm``, each row looked up
    whose ``norm_type``-norm exceeds it is first rescaled in place to norm
    ``max_norm``. ``scale_grad_by_freq`` divides each row's gradient by how
    often its index occurs in the batch.
    """
    op = "embedding"
    _check_tensor(op, "input", input)
    _check_tensor(op, "weight", weight)
    if input.dtype.kind not in "iu":
        raise RuntimeError(
            f"{op}(): expected the indices (argument 'input') to be an integer tensor (int64), "
            f"got {input.dtype}; convert it with .long()"
        )
    if weight.ndim != 2:
        raise RuntimeError(
            f"{op}(): weight must be 2-D (num_embeddings, embedding_dim), got shape {weight.shape}"
        )
    _check_dense(op, sparse)
    num = weight.shape[0]
    padding_idx = _padding_index(padding_idx, num)
    indices = array_of(input)
    if type(indices) is not type(array_of(weight)):
        raise RuntimeError(
            f"{op}(): expected the indices and the weight on the same device, got {input.device} "
            f"and {weight.device}"
        )
    if indices.size and (int(indices.min()) < 0 or int(indices.max()) >= num):
        raise IndexError(
            f"index out of range in self: {op}() indices must be in [0, {num - 1}] for a weight "
            f"of {num} rows, got values in [{int(indices.min())}, {int(indices.max())}]"
        )
    if max_norm is not None:
        _renorm_rows(weight, input, float(max_norm), float(norm_type))
    return Embedding.apply(weight, indices, padding_idx, bool(scale_grad_by_freq))


def _check_dense(op: str, sparse: bool) -> None:
    """``sparse=True`` asks for sparse gradients, which minigrad does not have."""
    if sparse:
        raise NotImplementedError(
            f"{op}: sparse=True gives sparse gradients, which minigrad does not have; use "
            "sparse=False (a dense gradient)"
        )


def _padding_index(padding_idx: int | None, num: int) -> int | None:
    """``padding_idx`` as a row number in [0, num) (negative counts from the end)."""
    if padding_idx is None:
        return None
    if not -num <= padding_idx < num:
        raise AssertionError(  # (PyTorch's type: it asserts)
            f"padding_idx must be within num_embeddings: expected a value in [{-num}, {num - 1}], "
            f"got {padding_idx}"
        )
    return padding_idx % num


def _renorm_rows(weight: Tensor, indices: Tensor, max_norm: float, norm_type: float) -> None:
    """Rescale in place the rows of ``weight`` at ``indices`` whose norm exceeds ``max_norm``
    to norm max_norm (PyTorch's embedding_renorm_: scale = max_norm / (norm + 1e-7))."""
    with minigrad.no_grad():
        rows = minigrad.tensor(
            sorted(set(to_host(array_of(indices)).reshape(-1).tolist())),
            dtype=minigrad.int64,
            device=weight.device,
        )
        picked = weight.detach()[rows]
        norms = (picked.abs() ** norm_type).sum(dim=1, keepdim=True) ** (1 / norm_type)
        scale = minigrad.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0)
        weight[rows] = picked * scale


# ----------------------------------------------------------------------------- padding
_MODES = ("constant", "reflect", "replicate", "circular")


def pad(
    input: Tensor, pad: Sequence[int], mode: str = "constant", value: float | None = None
) -> Tensor:
    """Pad (or, with negative widths, crop) the last ``len(pad) // 2`` dims of ``input``.

    ``pad`` is PyTorch's order: (left, right) of the last dim, then (top, bottom)
    of the one before, then (front, back). Modes: ``'constant'`` (``value``,
    default 0, any number of dims), ``'reflect'`` (mirror without repeating the
    edge: x[1], x[0] | x[0] ...), ``'replicate'`` (repeat the edge) and
    ``'circular'`` (wrap around); these pad 1–3 dims of a ``(N, C, *)`` or ``(C, *)`` input.
    Differentiable: the gradient of each output element flows to the input
    element it was copied from.
    """
    op = "pad"
    _check_tensor(op, "input", input)
    widths = tuple(int(p) for p in pad)
    if len(widths) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    k = len(widths) // 2
    if k > input.ndim:
        raise RuntimeError(
            f"Padding length should be less than or equal to two times the input dimension but "
            f"got padding length {len(widths)} and input of dimension {input.ndim}"
        )
    # (before, after) per padded dim, first padded dim first.
    pairs = tuple((widths[2 * i], widths[2 * i + 1]) for i in reversed(range(k)))
    lead = input.ndim - k
    for n, (before, after) in zip(input.shape[lead:], pairs, strict=True):
        if n + before + after < 0:
            raise RuntimeError(
                f"{op}(): the padding {tuple(widths)} gives a negative output size for the input "
                f"of shape {input.shape}"
            )
    if mode == "constant":
        return Pad.apply(input, pairs, 0.0 if value is None else value)
    if mode not in _MODES:
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if value is not None and value != 0:
        raise ValueError(f'Padding mode "{mode}" doesn\'t take in value argument')
    if k > 3 or input.ndim not in (k + 1, k + 2):
        raise NotImplementedError(
            f"Padding size {len(widths)} is not supported for {input.ndim}D input tensor.\n"
            "Supported combinations for non-constant padding:\n"
            "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
            "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
            "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)"
        )
    out = input
    for i, (before, after) in enumerate(pairs):
        dim = lead + i
        index = _source_index(mode, input.shape[dim], before, after, dim, input.shape)
        out = out.index_select(dim, minigrad.tensor(index, device=input.device))
    return out


def _source_index(
    mode: str, n: int, before: int, after: int, dim: int, shape: tuple[int, ...]
) -> list[int]:
    """For each output position along a padded dim, the input position it copies."""
    if n == 0:
        raise RuntimeError(f"pad(): {mode} padding needs a non-empty dim {dim}, got shape {shape}")
    if mode == "reflect" and max(before, after) >= n:
        raise RuntimeError(
            "Padding size should be less than the corresponding input dimension, but got: "
            f"padding ({before}, {after}) at dimension {dim} of input {list(shape)}"
        )
    if mode == "circular" and max(before, after) > n:
        raise RuntimeError("Padding value causes wrapping around more than once.")
    positions = range(-before, n + after)
    if mode == "replicate":
        return [min(max(j, 0), n - 1) for j in positions]
    if mode == "circular":
        return [j % n for j in positions]
    return [-j if j < 0 else 2 * (n - 1) - j if j >= n else j for j in positions]


# ----------------------------------------------------------------------------- channel dropout
def _channel_dropout(op: str, input: Tensor, p: float, training: bool, inplace: bool) -> Tensor:
    """Zero whole channels (every element of a (sample, channel) pair) with probability p,
    scaling the rest by 1 / (1 - p); ``input`` is ``(N, C, *)`` here."""
    _check_dropout_probability(p)
    if not training or p == 0:
        return input
    _floating_input(op, input)
    draw = input.dtype if input.dtype.itemsize >= 4 else as_dtype("float32")
    shape = input.shape[:2] + (1,) * (input.ndim - 2)
    keep = random.default_generator(input.device).random(shape, dtype=draw) >= p
    mask = keep.astype(input.dtype)
    mask *= 0.0 if p == 1 else 1.0 / (1.0 - p)
    if inplace:
        return input.mul_(Tensor._from_op(mask))
    return _functions.Dropout.apply(input, mask)


def _batched(
    op: str, input: Tensor, p: float, training: bool, inplace: bool, batched_ndim: int
) -> Tensor:
    """Channel dropout of a batched (``batched_ndim`` dims) or unbatched (one less) input."""
    if input.ndim == batched_ndim - 1:  # (C, *): dropout as one sample
        return _channel_dropout(op, input.unsqueeze(0), p, training, inplace).squeeze(0)
    return _channel_dropout(op, input, p, training, inplace)


def dropout1d(
    input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False
) -> Tensor:
    """Zero whole channels of a (N, C, L) or (C, L) input, each with probability ``p``,
    and scale the rest by 1 / (1 - p) (identity when not ``training``)."""
    _check_tensor("dropout1d", "input", input)
    if input.ndim not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {input.ndim}D input. Note that "
            "dropout1d exists to provide channel-wise dropout on inputs with 1 spatial dimension, "
            "a channel dimension, and an optional batch dimension (i.e. 2D or 3D inputs)."
        )
    return _batched("dropout1d", input, p, training, inplace, 3)


def dropout2d(
    input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False
) -> Tensor:
    """Zero whole channels of a (N, C, H, W) or (C, H, W) input, each with probability ``p``,
    and scale the rest by 1 / (1 - p) (identity when not ``training``).

    As PyTorch (with its warning), a 3-D input is taken as (N, C, L) and a 2-D
    one as (N, C)."""
    _check_tensor("dropout2d", "input", input)
    if input.ndim not in (3, 4):
        warnings.warn(
            f"dropout2d: Received a {input.ndim}-D input to dropout2d, which is deprecated and "
            "will result in an error in a future release. To retain the behavior and silence "
            "this warning, please use dropout instead. Note that dropout2d exists to provide "
            "channel-wise dropout on inputs with 2 spatial dimensions, a channel dimension, and "
            "an optional batch dimension (i.e. 3D or 4D inputs).",
            UserWarning,
            stacklevel=2,
        )
    if input.ndim == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D "
            "dropout behavior is desired - input is interpreted as shape (N, C, L), where C is "
            "the channel dim. This behavior will change in a future release to interpret the "
            "input as one without a batch dimension, i.e. shape (C, H, W). To maintain the 1D "
            "channel-wise dropout behavior, please switch to using dropout1d instead.",
            UserWarning,
            stacklevel=2,
        )
    if input.ndim < 2:
        raise RuntimeError(
            f"dropout2d: expected a (N, C, H, W) or (C, H, W) input, got shape {input.shape}"
        )
    return _channel_dropout("dropout2d", input, p, training, inplace)
