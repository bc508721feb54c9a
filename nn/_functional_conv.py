"""The functional forms of convolution and pooling (re-exported by ``minigrad.nn.functional``).

The convolution is the book's algorithm (chapter 7 of "Deep Learning from
Scratch"): lay every receptive field out as a column (``unfold``, im2col) and
multiply by the filters in one matrix product::

    cols = unfold(x)                        (N, C·kh·kw, OH·OW)
    y    = W.reshape(O, C·kh·kw) @ cols + b (N, O, OH·OW) -> (N, O, OH, OW)

With ``groups`` = G the channels split into G independent convolutions: the
columns and the filters are cut into G blocks and multiplied block by block (one
batched product). Max pooling takes each window's maximum (the gradient flows
to the first maximum, as in PyTorch); average pooling is the mean of unfolded
windows; the adaptive poolings use PyTorch's windows
``start = ⌊o·size/out⌋``, ``end = ⌈(o + 1)·size/out⌉``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import minigrad
from minigrad.amp.policy import autocast_call
from minigrad.amp.state import state as _amp
from minigrad.backend import array_of
from minigrad.dtypes import is_floating
from minigrad.ops import conv as conv_ops
from minigrad.tensor import Tensor

__all__: list[str] = [
    "unfold",
    "fold",
    "conv1d",
    "conv2d",
    "max_pool1d",
    "max_pool2d",
    "avg_pool1d",
    "avg_pool2d",
    "adaptive_avg_pool1d",
    "adaptive_avg_pool2d",
    "adaptive_max_pool1d",
    "adaptive_max_pool2d",
    "max_pool2d_with_indices",
    "conv_transpose1d",
    "conv_transpose2d",
]

_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


# ----------------------------------------------------------------------------- arguments
def _tuple(value: Any, n: int, name: str, op: str, minimum: int = 1) -> tuple[int, ...]:
    """An int or a sequence of ``n`` ints as a tuple of ``n`` ints, each ≥ ``minimum``."""
    values = tuple(value) if isinstance(value, Sequence) else (value,) * n
    if len(values) != n or not all(isinstance(v, int) for v in values):
        raise TypeError(f"{op}: {name} must be an int or a tuple of {n} ints, got {value!r}")
    if any(v < minimum for v in values):
        raise ValueError(f"{op}: {name} must be at least {minimum}, got {value!r}")
    return values


def _check_input(op: str, input: Any, spatial: int) -> None:
    """A float tensor of ``spatial + 1`` (unbatched) or ``spatial + 2`` (batched) dims."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}(): argument 'input' must be a Tensor, not {type(input).__name__}")
    if input.ndim not in (spatial + 1, spatial + 2):
        raise RuntimeError(
            f"{op}: expected {spatial + 1}D (unbatched) or {spatial + 2}D (batched) input, "
            f"but got input of shape {tuple(input.shape)}"
        )
    if not is_floating(input.dtype):
        raise RuntimeError(f"{op}: expected a floating-point input, got {input.dtype}")


def _batched(input: Tensor, spatial: int) -> tuple[Tensor, bool]:
    """The input with a batch axis (added when it is unbatched) and whether one was added."""
    if input.ndim == spatial + 1:
        return input.unsqueeze(0), True
    return input, False


def _as_2d(input: Tensor) -> Tensor:
    """(N, C, L) -> (N, C, 1, L): a 1-D signal as an image of height 1."""
    return input.unsqueeze(2)


def _device_array(values: Any, like: Tensor, dtype: Any = None) -> Tensor:
    """A constant tensor of host ``values`` on ``like``'s device."""
    return minigrad.tensor(values, dtype=dtype, device=like.device)


# ----------------------------------------------------------------------------- im2col
def unfold(
    input: Tensor,
    kernel_size: int | tuple[int, int],
    dilation: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
    stride: int | tuple[int, int] = 1,
) -> Tensor:
    """im2col: every (kh, kw) block of the (zero-padded) input as a column.

    (N, C, H, W) -> (N, C·kh·kw, L) with L = OH·OW blocks, where
    OH = ⌊(H + 2·ph - dh·(kh - 1) - 1) / sh⌋ + 1 (and OW alike), and
    ``out[n, (c, i, j), (oh, ow)] = xpad[n, c, oh·sh + i·dh, ow·sw + j·dw]``.
    An unbatched (C, H, W) input gives (C·kh·kw, L).
    """
    _check_input("unfold", input, 2)
    x, unbatched = _batched(input, 2)
    kernel = _tuple(kernel_size, 2, "kernel_size", "unfold")
    dil = _tuple(dilation, 2, "dilation", "unfold")
    pad = _tuple(padding, 2, "padding", "unfold", minimum=0)
    step = _tuple(stride, 2, "stride", "unfold")
    _check_windows("unfold", x.shape[2:], kernel, dil, (pad[0] * 2, pad[1] * 2))
    out = conv_ops.Unfold.apply(x, kernel, dil, ((pad[0],) * 2, (pad[1],) * 2), step)
    return out.squeeze(0) if unbatched else out


def fold(
    input: Tensor,
    output_size: int | tuple[int, int],
    kernel_size: int | tuple[int, int],
    dilation: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
    stride: int | tuple[int, int] = 1,
) -> Tensor:
    """col2im, the adjoint of :func:`unfold`: the columns (N, C·kh·kw, L) summed back into
    an image (N, C, H, W) of ``output_size`` (H, W); overlapping entries add up.

    ``out[n, c, h, w] = Σ cols[n, (c, i, j), (oh, ow)]`` over the blocks and offsets
    with oh·sh + i·dh - ph = h and ow·sw + j·dw - pw = w. A (C·kh·kw, L) input gives (C, H, W).
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"fold(): argument 'input' must be a Tensor, not {type(input).__name__}")
    if input.ndim not in (2, 3):
        raise RuntimeError(
            f"fold: expected 2D (unbatched) or 3D (batched) input, but got input of shape "
            f"{tuple(input.shape)}"
        )
    cols, unbatched = (input.unsqueeze(0), True) if input.ndim == 2 else (input, False)
    size = _tuple(output_size, 2, "output_size", "fold")
    kernel = _tuple(kernel_size, 2, "kernel_size", "fold")
    dil = _tuple(dilation, 2, "dilation", "fold")
    pad = _tuple(padding, 2, "padding", "fold", minimum=0)
    step = _tuple(stride, 2, "stride", "fold")
    blocks = [
        conv_ops.output_size(size[a], kernel[a], dil[a], 2 * pad[a], step[a]) for a in range(2)
    ]
    if cols.shape[1] % (kernel[0] * kernel[1]) or cols.shape[2] != blocks[0] * blocks[1]:
        raise RuntimeError(
            f"fold: expected an input of shape (N, C·{kernel[0]}·{kernel[1]}, "
            f"{max(blocks[0], 0) * max(blocks[1], 0)}) for output_size={size}, "
            f"kernel_size={kernel}, dilation={dil}, padding={pad}, stride={step}, "
            f"but got input of shape {tuple(input.shape)}"
        )
    out = conv_ops.Fold.apply(cols, size, kernel, dil, ((pad[0],) * 2, (pad[1],) * 2), step)
    return out.squeeze(0) if unbatched else out


def _check_windows(
    op: str, size: Sequence[int], kernel: Sequence[int], dil: Sequence[int], pad: Sequence[int]
) -> None:
    """At least one window fits: the dilated kernel is no larger than the padded input."""
    padded = [s + p for s, p in zip(size, pad, strict=True)]
    effective = [d * (k - 1) + 1 for k, d in zip(kernel, dil, strict=True)]
    if any(e > p for e, p in zip(effective, padded, strict=True)):
        raise RuntimeError(
            f"{op}: calculated padded input size per channel: ({' x '.join(map(str, padded))}). "
            f"Kernel size: ({' x '.join(map(str, effective))}). Kernel size can't be greater "
            "than actual input size"
        )


# ----------------------------------------------------------------------------- convolution
def _conv_padding(
    op: str, padding: Any, kernel: Sequence[int], dil: Sequence[int], stride: Sequence[int]
) -> tuple[tuple[int, int], ...]:
    """(before, after) per spatial axis for an int, a tuple, 'valid' or 'same'.

    'same' pads d·(k - 1) in all, the extra element (when odd) after, as PyTorch."""
    n = len(kernel)
    if isinstance(padding, str):
        if padding == "valid":
            return ((0, 0),) * n
        if padding != "same":
            raise ValueError(
                f"{op}: invalid padding string {padding!r}, should be one of 'valid', 'same'"
            )
        if any(s != 1 for s in stride):
            raise ValueError(f"{op}: padding='same' is not supported for strided convolutions")
        totals = [d * (k - 1) for k, d in zip(kernel, dil, strict=True)]
        return tuple((t // 2, t - t // 2) for t in totals)
    return tuple((p, p) for p in _tuple(padding, n, "padding", op, minimum=0))


def _convolution(
    op: str,
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None,
    stride: Any,
    padding: Any,
    dilation: Any,
    groups: int,
    spatial: int,
) -> Tensor:
    """conv1d/conv2d: unfold + one (grouped) matrix product, on 1 or 2 spatial axes."""
    _check_input(op, input, spatial)
    if not isinstance(weight, Tensor) or weight.ndim != spatial + 2:
        raise RuntimeError(
            f"{op}: expected a {spatial + 2}D weight (out_channels, in_channels/groups, "
            f"{', '.join('k' + 'hw'[a] for a in range(spatial)) if spatial == 2 else 'k'}), "
            f"got {getattr(weight, 'shape', type(weight).__name__)}"
        )
    if not isinstance(groups, int) or groups < 1:
        raise ValueError(f"{op}: groups must be a positive int, got {groups!r}")
    x, unbatched = _batched(input, spatial)
    out_channels, group_in = weight.shape[:2]
    if x.shape[1] != group_in * groups:
        raise RuntimeError(
            f"{op}: given groups={groups}, weight of size {tuple(weight.shape)}, expected "
            f"input{tuple(x.shape)} to have {group_in * groups} channels, but got "
            f"{x.shape[1]} channels instead"
        )
    if out_channels % groups:
        raise RuntimeError(
            f"{op}: out_channels ({out_channels}) must be divisible by groups ({groups})"
        )
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and (t.dtype != x.dtype or t.device != x.device):
            raise RuntimeError(
                f"{op}: input ({x.dtype} on {x.device}) and {name} ({t.dtype} on {t.device}) "
                "should have the same dtype and device"
            )
    if bias is not None and tuple(bias.shape) != (out_channels,):
        raise RuntimeError(
            f"{op}: expected bias of shape ({out_channels},), got {tuple(bias.shape)}"
        )
    kernel = tuple(weight.shape[2:])
    step = _tuple(stride, spatial, "stride", op)
    dil = _tuple(dilation, spatial, "dilation", op)
    pads = _conv_padding(op, padding, kernel, dil, step)
    _check_windows(op, x.shape[2:], kernel, dil, [a + b for a, b in pads])
    if spatial == 1:  # a signal is an image of height 1
        x, weight = _as_2d(x), _as_2d(weight)
        kernel, step, dil, pads = (1, *kernel), (1, *step), (1, *dil), ((0, 0), *pads)
    y = _conv2d_gemm(x, weight, bias, kernel, step, dil, pads, groups)
    if spatial == 1:
        y = y.squeeze(2)
    return y.squeeze(0) if unbatched else y


def _conv2d_gemm(
    x: Tensor,
    weight: Tensor,
    bias: Tensor | None,
    kernel: tuple[int, ...],
    stride: tuple[int, ...],
    dilation: tuple[int, ...],
    padding: tuple[tuple[int, int], ...],
    groups: int,
) -> Tensor:
    """The book's convolution: y = W @ im2col(x) + b, per group."""
    n, channels, height, width = x.shape
    out_channels = weight.shape[0]
    oh = conv_ops.output_size(height, kernel[0], dilation[0], sum(padding[0]), stride[0])
    ow = conv_ops.output_size(width, kernel[1], dilation[1], sum(padding[1]), stride[1])
    cols = conv_ops.Unfold.apply(x, kernel, dilation, padding, stride)  # (N, C·kh·kw, L)
    rows = channels // groups * kernel[0] * kernel[1]
    cols = cols.reshape(n, groups, rows, oh * ow)
    w = weight.reshape(groups, out_channels // groups, rows)
    y = conv_ops.ConvGemm.apply(cols, w, bias)  # (N, O, OH·OW)
    return y.reshape(n, out_channels, oh, ow)


def conv2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] | str = 0,
    dilation: int | tuple[int, int] = 1,
    groups: int = 1,
) -> Tensor:
    """2-D cross-correlation (PyTorch's convolution) of (N, C, H, W) with filters
    (O, C/groups, kh, kw)::

        y[n, o, oh, ow] = b[o] + Σ_{c, i, j} W[o, c, i, j] · xpad[n, g·C/G + c, h, w],
        h = oh·sh + i·dh,  w = ow·sw + j·dw

    for o in group g; OH = ⌊(H + 2·ph - dh·(kh - 1) - 1) / sh⌋ + 1. ``padding`` may be
    'valid' (none) or 'same' (output as large as the input; stride 1 only). Computed
    as :func:`unfold` and one matrix product. An unbatched (C, H, W) input gives (O, OH, OW).
    """
    if _amp.active:
        return autocast_call(
            "conv2d", conv2d, input, weight, bias, stride, padding, dilation, groups
        )
    return _convolution("conv2d", input, weight, bias, stride, padding, dilation, groups, 2)


def conv1d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: int | tuple[int] = 1,
    padding: int | tuple[int] | str = 0,
    dilation: int | tuple[int] = 1,
    groups: int = 1,
) -> Tensor:
    """1-D cross-correlation of (N, C, L) with filters (O, C/groups, k)::

        y[n, o, t] = b[o] + Σ_{c, i} W[o, c, i] · xpad[n, g·C/G + c, t·s + i·d]

    with L_out = ⌊(L + 2·p - d·(k - 1) - 1) / s⌋ + 1 (the 2-D convolution of an image of
    height 1). An unbatched (C, L) input gives (O, L_out).
    """
    if _amp.active:
        return autocast_call(
            "conv1d", conv1d, input, weight, bias, stride, padding, dilation, groups
        )
    return _convolution("conv1d", input, weight, bias, stride, padding, dilation, groups, 1)


def conv_transpose2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: int | tuple[int, ...] = 1,
    padding: int | tuple[int, ...] = 0,
    output_padding: int | tuple[int, ...] = 0,
    groups: int = 1,
    dilation: int | tuple[int, ...] = 1,
) -> Tensor:
    """Transposed convolution, the adjoint of :func:`conv2d` (its gradient with respect to
    the input): one product, then col2im (:func:`fold`). With weight (C, O/groups, kh, kw)::

        cols[n, (o, i, j), (h, w)] = Σ_c W[c, o, i, j] · x[n, c, h, w]   (per group)
        y = fold(cols) + b,   OH = (H - 1)·sh - 2·ph + dh·(kh - 1) + oph + 1

    An unbatched (C, H, W) input gives (O, OH, OW).
    """
    if _amp.active:
        return autocast_call(
            "conv_transpose2d",
            conv_transpose2d,
            input,
            weight,
            bias,
            stride,
            padding,
            output_padding,
            groups,
            dilation,
        )
    op = "conv_transpose2d"
    _check_input(op, input, 2)
    x, unbatched = (input.unsqueeze(0), True) if input.ndim == 3 else (input, False)
    if not isinstance(weight, Tensor) or weight.ndim != 4:
        raise RuntimeError(f"{op}: weight must be a 4-D tensor (C_in, C_out/groups, kh, kw)")
    n, channels, height, width = x.shape
    if weight.shape[0] != channels:
        raise RuntimeError(
            f"{op}: expected input {tuple(input.shape)} to have {weight.shape[0]} channels "
            f"(weight {tuple(weight.shape)}), but got {channels} channels"
        )
    if isinstance(groups, bool) or not isinstance(groups, int) or groups < 1 or channels % groups:
        raise RuntimeError(f"{op}: groups={groups!r} must be a positive divisor of {channels}")
    kernel: tuple[int, int] = (weight.shape[2], weight.shape[3])
    step, pad, extra, dil = (
        _pair(_tuple(value, 2, name, op, minimum))
        for value, name, minimum in (
            (stride, "stride", 1),
            (padding, "padding", 0),
            (output_padding, "output_padding", 0),
            (dilation, "dilation", 1),
        )
    )
    for a in range(2):
        if extra[a] >= max(step[a], dil[a]):
            raise RuntimeError(
                f"{op}: output padding must be smaller than either stride or dilation"
            )
        if extra[a] >= step[a]:
            raise NotImplementedError(f"{op}: output_padding ≥ stride is not supported")
    size = _pair(
        tuple(
            (dim - 1) * step[a] - 2 * pad[a] + dil[a] * (kernel[a] - 1) + extra[a] + 1
            for a, dim in enumerate((height, width))
        )
    )
    if min(size) < 1:
        raise RuntimeError(
            f"{op}: the output size {size} is too small (input {tuple(input.shape)})"
        )
    out_channels = weight.shape[1] * groups
    per_group = (weight.shape[1] * kernel[0] * kernel[1], channels // groups)
    w = weight.reshape(groups, channels // groups, per_group[0]).transpose(-1, -2)
    cols = w @ x.reshape(n, groups, channels // groups, height * width)
    y = fold(
        cols.reshape(n, out_channels * kernel[0] * kernel[1], height * width),
        size,
        kernel,
        dil,
        pad,
        step,
    )
    if bias is not None:
        y = y + bias.reshape(1, -1, 1, 1)
    return y.squeeze(0) if unbatched else y


def conv_transpose1d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: int | tuple[int, ...] = 1,
    padding: int | tuple[int, ...] = 0,
    output_padding: int | tuple[int, ...] = 0,
    groups: int = 1,
    dilation: int | tuple[int, ...] = 1,
) -> Tensor:
    """:func:`conv_transpose2d` over (N, C, L) with weight (C, O/groups, k): a height-1 image."""
    if _amp.active:
        return autocast_call(
            "conv_transpose1d",
            conv_transpose1d,
            input,
            weight,
            bias,
            stride,
            padding,
            output_padding,
            groups,
            dilation,
        )
    op = "conv_transpose1d"
    _check_input(op, input, 1)
    one = lambda v, name: (1, *_tuple(v, 1, name, op, 0))  # noqa: E731
    y = conv_transpose2d(
        input.unsqueeze(-2),
        weight.unsqueeze(-2),
        bias,
        one(stride, "stride"),
        (0, *_tuple(padding, 1, "padding", op, 0)),
        (0, *_tuple(output_padding, 1, "output_padding", op, 0)),
        groups,
        one(dilation, "dilation"),
    )
    return y.squeeze(-2)


def _pair(values: tuple[int, ...]) -> tuple[int, int]:
    return values[0], values[1]


def pad_by_mode(input: Tensor, padding: Sequence[tuple[int, int]], mode: str) -> Tensor:
    """``input`` padded on its last ``len(padding)`` axes by (before, after) per axis with
    ``mode`` 'reflect' (mirror without the edge), 'replicate' (repeat the edge) or
    'circular' (wrap around): a differentiable gather (``index_select``)."""
    spatial = len(padding)
    for axis, (before, after) in enumerate(padding):
        dim = input.ndim - spatial + axis
        size = input.shape[dim]
        limit = size - 1 if mode == "reflect" else size
        if mode != "replicate" and max(before, after) > limit:
            raise ValueError(
                f"padding_mode={mode!r}: padding ({before}, {after}) is too large for an axis "
                f"of size {size} (at most {limit})"
            )
        if before or after:
            index = conv_ops.pad_positions(size, before, after, mode)
            input = input.index_select(dim, _device_array(index, input))
    return input


# ----------------------------------------------------------------------------- pooling
def _pool_geometry(
    op: str,
    x: Tensor,
    kernel_size: Any,
    stride: Any,
    padding: Any,
    dilation: Any,
    ceil_mode: bool,
    spatial: int,
) -> tuple[tuple[int, ...], ...]:
    """kernel, stride (None: the kernel), padding, dilation and output size per axis, checked."""
    kernel = _tuple(kernel_size, spatial, "kernel_size", op)
    step = kernel if stride is None or stride == [] else _tuple(stride, spatial, "stride", op)
    pad = _tuple(padding, spatial, "padding", op, minimum=0)
    dil = _tuple(dilation, spatial, "dilation", op)
    if any(2 * p > k for p, k in zip(pad, kernel, strict=True)):
        raise RuntimeError(
            f"{op}: pad should be at most half of effective kernel size, but got "
            f"pad={pad} and kernel_size={kernel}"
        )
    size = x.shape[-spatial:]
    out = tuple(
        conv_ops.pool_output_size(size[a], kernel[a], dil[a], pad[a], step[a], ceil_mode)
        for a in range(spatial)
    )
    if any(o < 1 for o in out):
        raise RuntimeError(
            f"{op}: given input of shape {tuple(x.shape)}, kernel_size={kernel}, "
            f"stride={step}, padding={pad}, dilation={dil}, the calculated output size "
            f"{out} is too small"
        )
    return kernel, step, pad, dil, out


def _max_pool(
    op: str,
    input: Tensor,
    kernel_size: Any,
    stride: Any,
    padding: Any,
    dilation: Any,
    ceil_mode: bool,
    return_indices: bool,
    spatial: int,
) -> Any:
    _check_input(op, input, spatial)
    x, unbatched = _batched(input, spatial)
    kernel, step, pad, dil, out = _pool_geometry(
        op, x, kernel_size, stride, padding, dilation, ceil_mode, spatial
    )
    if spatial == 1:
        x = _as_2d(x)
        kernel, step, pad, dil, out = (1, *kernel), (1, *step), (0, *pad), (1, *dil), (1, *out)
    height, width = x.shape[2:]
    rows = conv_ops.window_positions(height, kernel[0], dil[0], pad[0], step[0], out[0])
    cols = conv_ops.window_positions(width, kernel[1], dil[1], pad[1], step[1], out[1])
    extra = [  # ceil_mode: the last windows may reach past the padded input
        max(0, (o - 1) * s + d * (k - 1) + 1 - (size + 2 * p))
        for o, s, d, k, size, p in zip(out, step, dil, kernel, (height, width), pad, strict=True)
    ]
    geometry = (kernel, dil, ((pad[0], pad[0] + extra[0]), (pad[1], pad[1] + extra[1])), step)
    y, indices = _max_over_windows(x, rows, cols, geometry, return_indices)
    return _finish_max(y, indices, spatial, unbatched)


def _max_over_windows(
    x: Tensor, rows: Any, cols: Any, geometry: tuple | None, return_indices: bool
) -> tuple:
    """The windows' maxima (one graph node) and, when asked, their positions in each
    H·W plane (int64, as PyTorch's ``return_indices``)."""
    if geometry is None:
        y = conv_ops.AdaptiveMaxPool.apply(x, rows, cols)
    else:
        y = conv_ops.MaxPool.apply(x, *geometry)
    if not return_indices:
        return y, None
    index = conv_ops.max_indices(array_of(x), array_of(y), rows, cols, geometry)
    return y, Tensor._from_op(index.astype("int64"))


def _finish_max(y: Tensor, indices: Tensor | None, spatial: int, unbatched: bool) -> Any:
    """Drop the axes added for 1-D and unbatched inputs; values, or (values, indices)."""
    outs = [y] if indices is None else [y, indices]
    if spatial == 1:
        outs = [t.squeeze(2) for t in outs]
    if unbatched:
        outs = [t.squeeze(0) for t in outs]
    return outs[0] if indices is None else tuple(outs)


def max_pool2d(
    input: Tensor,
    kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] | None = None,
    padding: int | tuple[int, int] = 0,
    dilation: int | tuple[int, int] = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Any:
    """2-D max pooling: y[n, c, oh, ow] = max over i < kh, j < kw of
    xpad[n, c, oh·sh + i·dh, ow·sw + j·dw] (padding with -∞; ``stride`` defaults to the
    kernel). The gradient goes to each window's first maximum (PyTorch's choice at ties).
    ``return_indices`` also returns each maximum's flat position in its input plane (H·W)."""
    return _max_pool(
        "max_pool2d", input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, 2
    )


def max_pool2d_with_indices(
    input: Tensor,
    kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] | None = None,
    padding: int | tuple[int, int] = 0,
    dilation: int | tuple[int, int] = 1,
    ceil_mode: bool = False,
    return_indices: bool = True,
) -> tuple[Tensor, Tensor]:
    """:func:`max_pool2d` that always returns ``(values, indices)``: the flat position of
    each window's maximum in its H·W plane."""
    return max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool1d(
    input: Tensor,
    kernel_size: int | tuple[int],
    stride: int | tuple[int] | None = None,
    padding: int | tuple[int] = 0,
    dilation: int | tuple[int] = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Any:
    """1-D max pooling of (N, C, L): y[n, c, t] = max over i < k of xpad[n, c, t·s + i·d]."""
    return _max_pool(
        "max_pool1d", input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, 1
    )


def _avg_pool(
    op: str,
    input: Tensor,
    kernel_size: Any,
    stride: Any,
    padding: Any,
    ceil_mode: bool,
    count_include_pad: bool,
    divisor_override: int | None,
    spatial: int,
) -> Tensor:
    _check_input(op, input, spatial)
    if divisor_override is not None and (
        not isinstance(divisor_override, int) or divisor_override == 0
    ):
        raise ValueError(f"{op}: divisor_override must be a non-zero int, got {divisor_override!r}")
    x, unbatched = _batched(input, spatial)
    kernel, step, pad, dil, out = _pool_geometry(
        op, x, kernel_size, stride, padding, 1, ceil_mode, spatial
    )
    if spatial == 1:
        x = _as_2d(x)
        kernel, step, pad, out = (1, *kernel), (1, *step), (0, *pad), (1, *out)
    n, channels, height, width = x.shape
    sizes = (height, width)
    extra = [
        max(0, (o - 1) * s + k - (size + 2 * p))
        for o, s, k, size, p in zip(out, step, kernel, sizes, pad, strict=True)
    ]
    padding2 = ((pad[0], pad[0] + extra[0]), (pad[1], pad[1] + extra[1]))
    cols = conv_ops.Unfold.apply(x, kernel, (1, 1), padding2, step)
    sums = cols.reshape(n, channels, kernel[0] * kernel[1], out[0], out[1]).sum(dim=2)
    if divisor_override is not None:
        y = sums / divisor_override
    else:
        counts = [
            conv_ops.average_divisor(
                sizes[a], kernel[a], pad[a], step[a], out[a], count_include_pad
            )
            for a in range(2)
        ]
        divisor = _device_array(counts[0][:, None] * counts[1][None, :], x, x.dtype)
        y = sums / divisor
    if spatial == 1:
        y = y.squeeze(2)
    return y.squeeze(0) if unbatched else y


def avg_pool2d(
    input: Tensor,
    kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] | None = None,
    padding: int | tuple[int, int] = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> Tensor:
    """2-D average pooling: y[n, c, oh, ow] = Σ_{i, j} xpad[n, c, oh·sh + i, ow·sw + j] / D,
    zero-padded; D is the window's size clipped to the padded input (``count_include_pad``),
    or its count of input elements, or ``divisor_override``. ``stride`` defaults to the kernel."""
    return _avg_pool(
        "avg_pool2d",
        input,
        kernel_size,
        stride,
        padding,
        ceil_mode,
        count_include_pad,
        divisor_override,
        2,
    )


def avg_pool1d(
    input: Tensor,
    kernel_size: int | tuple[int],
    stride: int | tuple[int] | None = None,
    padding: int | tuple[int] = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
) -> Tensor:
    """1-D average pooling of (N, C, L): y[n, c, t] = Σ_i xpad[n, c, t·s + i] / D."""
    return _avg_pool(
        "avg_pool1d", input, kernel_size, stride, padding, ceil_mode, count_include_pad, None, 1
    )


def _adaptive_size(op: str, x: Tensor, output_size: Any, spatial: int) -> tuple[int, ...]:
    """The output size per axis (None keeps the input's), checked."""
    sizes = tuple(output_size) if isinstance(output_size, Sequence) else (output_size,) * spatial
    if len(sizes) != spatial:
        raise TypeError(f"{op}: output_size must be an int or {spatial} ints, got {output_size!r}")
    sizes = tuple(x.shape[-spatial + a] if s is None else s for a, s in enumerate(sizes))
    if not all(isinstance(s, int) and s >= 0 for s in sizes):
        raise ValueError(f"{op}: output_size must be non-negative ints, got {output_size!r}")
    if any(n == 0 for n in x.shape[-spatial:]):
        raise RuntimeError(f"{op}: expected a non-empty input, got shape {tuple(x.shape)}")
    return sizes


def _adaptive_avg(op: str, input: Tensor, output_size: Any, spatial: int) -> Tensor:
    _check_input(op, input, spatial)
    sizes = _adaptive_size(op, input, output_size, spatial)
    y = input
    for axis, out in enumerate(sizes):  # y = A_h @ x @ A_wᵀ, the windows' means
        size = input.shape[input.ndim - spatial + axis]
        matrix = _device_array(conv_ops.adaptive_average_matrix(size, out), input, input.dtype)
        y = (y.swapaxes(-1, input.ndim - spatial + axis) @ matrix.t()).swapaxes(
            -1, input.ndim - spatial + axis
        )
    return y


def adaptive_avg_pool2d(input: Tensor, output_size: int | tuple[int | None, int | None]) -> Tensor:
    """2-D adaptive average pooling to ``output_size`` (OH, OW): window (o_h, o_w) spans
    rows ⌊o_h·H/OH⌋ .. ⌈(o_h + 1)·H/OH⌉ - 1 (columns alike); y is its mean."""
    return _adaptive_avg("adaptive_avg_pool2d", input, output_size, 2)


def adaptive_avg_pool1d(input: Tensor, output_size: int | tuple[int]) -> Tensor:
    """1-D adaptive average pooling of (N, C, L) to ``output_size`` windows."""
    return _adaptive_avg("adaptive_avg_pool1d", input, output_size, 1)


def _adaptive_max(
    op: str, input: Tensor, output_size: Any, return_indices: bool, spatial: int
) -> Any:
    _check_input(op, input, spatial)
    sizes = _adaptive_size(op, input, output_size, spatial)
    x, unbatched = _batched(input, spatial)
    if spatial == 1:
        x, sizes = _as_2d(x), (1, *sizes)
    rows = conv_ops.adaptive_positions(x.shape[2], sizes[0])
    cols = conv_ops.adaptive_positions(x.shape[3], sizes[1])
    y, indices = _max_over_windows(x, rows, cols, None, return_indices)
    return _finish_max(y, indices, spatial, unbatched)


def adaptive_max_pool2d(
    input: Tensor, output_size: int | tuple[int | None, int | None], return_indices: bool = False
) -> Any:
    """2-D adaptive max pooling: the maximum of each of PyTorch's adaptive windows
    (see :func:`adaptive_avg_pool2d`); the gradient goes to the first maximum."""
    return _adaptive_max("adaptive_max_pool2d", input, output_size, return_indices, 2)


def adaptive_max_pool1d(
    input: Tensor, output_size: int | tuple[int], return_indices: bool = False
) -> Any:
    """1-D adaptive max pooling of (N, C, L) to ``output_size`` windows."""
    return _adaptive_max("adaptive_max_pool1d", input, output_size, return_indices, 1)
