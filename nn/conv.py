"""Convolution layers: Conv1d, Conv2d, Unfold and Fold (im2col / col2im), as torch.nn."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from minigrad.creation import empty
from minigrad.tensor import Tensor

from . import _functional_conv as FC
from . import init
from .module import Module
from .parameter import Parameter

__all__ = ["Conv1d", "Conv2d", "ConvTranspose1d", "ConvTranspose2d", "Unfold", "Fold"]


def _init_like_pytorch(weight: Tensor, bias: Tensor | None) -> None:
    """``kaiming_uniform_(weight, a=√5)`` (U(±1/√fan_in)) and bias U(±1/√fan_in)."""
    init.kaiming_uniform_(weight, a=math.sqrt(5))
    if bias is not None:
        fan_in, _ = init._calculate_fan_in_and_fan_out(weight)
        bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
        init.uniform_(bias, -bound, bound)


class _ConvNd(Module):
    """What Conv1d and Conv2d share: arguments, parameters, PyTorch's initialisation."""

    _spatial = 0  # number of spatial axes, set by the subclasses
    _function: Callable[..., Any] = staticmethod(FC.conv2d)

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Any,
        stride: Any = 1,
        padding: Any = 0,
        dilation: Any = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        name = type(self).__name__
        if not isinstance(groups, int) or groups < 1:
            raise ValueError(f"{name}: groups must be a positive integer, got {groups!r}")
        if in_channels % groups:
            raise ValueError(f"{name}: in_channels ({in_channels}) must be divisible by groups")
        if out_channels % groups:
            raise ValueError(f"{name}: out_channels ({out_channels}) must be divisible by groups")
        if padding_mode not in FC._PADDING_MODES:
            raise ValueError(
                f"{name}: padding_mode must be one of {FC._PADDING_MODES}, got {padding_mode!r}"
            )
        n = self._spatial
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = FC._tuple(kernel_size, n, "kernel_size", name)
        self.stride = FC._tuple(stride, n, "stride", name)
        self.dilation = FC._tuple(dilation, n, "dilation", name)
        # Checks 'same'/'valid' and the ints; keeps PyTorch's attribute (a str or a tuple).
        self._padding_pairs = FC._conv_padding(
            name, padding, self.kernel_size, self.dilation, self.stride
        )
        self.padding = (
            padding if isinstance(padding, str) else FC._tuple(padding, n, "padding", name, 0)
        )
        self.groups = groups
        self.padding_mode = padding_mode
        shape = (out_channels, in_channels // groups, *self.kernel_size)
        self.weight = Parameter(empty(*shape, dtype=dtype, device=device))
        if bias:
            self.bias = Parameter(empty(out_channels, dtype=dtype, device=device))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw weight and bias again as PyTorch: ``kaiming_uniform_(weight, a=√5)``, i.e.
        U(±1/√fan_in) with fan_in = in_channels/groups · kh · kw, and bias U(±1/√fan_in)."""
        _init_like_pytorch(self.weight, self.bias)

    def forward(self, input: Tensor) -> Tensor:
        padding: Any = self.padding
        try:
            if self.padding_mode != "zeros":
                input = FC.pad_by_mode(input, self._padding_pairs, self.padding_mode)
                padding = 0
            return type(self)._function(
                input, self.weight, self.bias, self.stride, padding, self.dilation, self.groups
            )
        except (RuntimeError, ValueError) as error:  # name the layer, as the book's readers need
            raise type(error)(f"{type(self).__name__}({self.extra_repr()}): {error}") from None

    def extra_repr(self) -> str:
        text = (
            f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}"
        )
        if self.padding != (0,) * self._spatial:
            text += f", padding={self.padding}"
        if self.dilation != (1,) * self._spatial:
            text += f", dilation={self.dilation}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        if self.padding_mode != "zeros":
            text += f", padding_mode={self.padding_mode}"
        return text


class Conv2d(_ConvNd):
    """2-D convolution over (N, C_in, H, W) (or unbatched (C_in, H, W)), as ``torch.nn.Conv2d``.

    y[n, o] = bias[o] + Σ_c weight[o, c] ⋆ x[n, c] (cross-correlation, see
    :func:`minigrad.nn.functional.conv2d`), computed the book's way: im2col and one
    matrix product. Output H_out = ⌊(H + 2·p - d·(k - 1) - 1) / s⌋ + 1 (W alike).

    ``weight`` has PyTorch's layout (out_channels, in_channels/groups, kh, kw), so a
    PyTorch ``state_dict`` loads as is; it starts as ``kaiming_uniform_(a=√5)``
    (U(±1/√fan_in)) and ``bias`` as U(±1/√fan_in). ``padding`` may be an int, a pair,
    'valid' or 'same'; ``padding_mode`` 'zeros', 'reflect', 'replicate' or 'circular';
    ``groups=in_channels`` gives a depthwise convolution.
    """

    _spatial = 2
    _function: Callable[..., Any] = staticmethod(FC.conv2d)


class Conv1d(_ConvNd):
    """1-D convolution over (N, C_in, L) (or unbatched (C_in, L)), as ``torch.nn.Conv1d``.

    y[n, o, t] = bias[o] + Σ_{c, i} weight[o, c, i] · xpad[n, c, t·s + i·d];
    L_out = ⌊(L + 2·p - d·(k - 1) - 1) / s⌋ + 1. ``weight`` is (out_channels,
    in_channels/groups, k); initialisation and arguments as :class:`Conv2d`.
    """

    _spatial = 1
    _function: Callable[..., Any] = staticmethod(FC.conv1d)


class _ConvTransposeNd(Module):
    """What ConvTranspose1d and ConvTranspose2d share: arguments, the (C_in, C_out/groups,
    *kernel) weight and PyTorch's initialisation (that of a convolution with this weight)."""

    _spatial = 0
    _function: Callable[..., Any] = staticmethod(FC.conv_transpose2d)

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Any,
        stride: Any = 1,
        padding: Any = 0,
        output_padding: Any = 0,
        groups: int = 1,
        bias: bool = True,
        dilation: Any = 1,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        name, n = type(self).__name__, self._spatial
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for {name}')
        if (
            not isinstance(groups, int)
            or groups < 1
            or in_channels % groups
            or out_channels % groups
        ):
            raise ValueError(
                f"{name}: groups={groups!r} must divide in_channels ({in_channels}) and "
                f"out_channels ({out_channels})"
            )
        self.in_channels, self.out_channels, self.groups = in_channels, out_channels, groups
        self.kernel_size = FC._tuple(kernel_size, n, "kernel_size", name)
        self.stride = FC._tuple(stride, n, "stride", name)
        self.padding = FC._tuple(padding, n, "padding", name, 0)
        self.output_padding = FC._tuple(output_padding, n, "output_padding", name, 0)
        self.dilation = FC._tuple(dilation, n, "dilation", name)
        self.padding_mode = padding_mode
        shape = (in_channels, out_channels // groups, *self.kernel_size)
        self.weight = Parameter(empty(*shape, dtype=dtype, device=device))
        if bias:
            self.bias = Parameter(empty(out_channels, dtype=dtype, device=device))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw weight and bias again as PyTorch: as a convolution's, with fan_in read from
        the (C_in, C_out/groups, *kernel) weight: C_out/groups · kh · kw."""
        _init_like_pytorch(self.weight, self.bias)

    def forward(self, input: Tensor, output_size: Any = None) -> Tensor:
        extra = self.output_padding
        if output_size is not None:  # the size to reach: output_padding makes up the rest
            wanted = tuple(output_size)[-self._spatial :]
            spatial = input.shape[-self._spatial :]
            extra = tuple(
                wanted[a]
                - (
                    (spatial[a] - 1) * self.stride[a]
                    - 2 * self.padding[a]
                    + self.dilation[a] * (self.kernel_size[a] - 1)
                    + 1
                )
                for a in range(self._spatial)
            )
        try:
            return type(self)._function(
                input,
                self.weight,
                self.bias,
                self.stride,
                self.padding,
                extra,
                self.groups,
                self.dilation,
            )
        except (RuntimeError, ValueError) as error:
            raise type(error)(f"{type(self).__name__}({self.extra_repr()}): {error}") from None

    def extra_repr(self) -> str:
        text = (
            f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}"
        )
        if self.padding != (0,) * self._spatial:
            text += f", padding={self.padding}"
        if self.dilation != (1,) * self._spatial:
            text += f", dilation={self.dilation}"
        if self.output_padding != (0,) * self._spatial:
            text += f", output_padding={self.output_padding}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        return text


class ConvTranspose2d(_ConvTransposeNd):
    """2-D transposed convolution (the adjoint of Conv2d: it upsamples), as
    ``torch.nn.ConvTranspose2d``; see :func:`minigrad.nn.functional.conv_transpose2d`."""

    _spatial = 2
    _function = staticmethod(FC.conv_transpose2d)


class ConvTranspose1d(_ConvTransposeNd):
    """1-D transposed convolution over (N, C, L), as ``torch.nn.ConvTranspose1d``."""

    _spatial = 1
    _function = staticmethod(FC.conv_transpose1d)


class Unfold(Module):
    """im2col as a layer: (N, C, H, W) -> (N, C·kh·kw, L), see
    :func:`minigrad.nn.functional.unfold`."""

    def __init__(
        self, kernel_size: Any, dilation: Any = 1, padding: Any = 0, stride: Any = 1
    ) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.dilation = dilation
        self.padding = padding
        self.stride = stride

    def forward(self, input: Tensor) -> Tensor:
        return FC.unfold(input, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self) -> str:
        return (
            f"kernel_size={self.kernel_size}, dilation={self.dilation}, "
            f"padding={self.padding}, stride={self.stride}"
        )


class Fold(Module):
    """col2im as a layer: ``(N, C·kh·kw, L) -> (N, C, *output_size)``, overlapping blocks
    summed, see :func:`minigrad.nn.functional.fold`."""

    def __init__(
        self,
        output_size: Any,
        kernel_size: Any,
        dilation: Any = 1,
        padding: Any = 0,
        stride: Any = 1,
    ) -> None:
        super().__init__()
        self.output_size = output_size
        self.kernel_size = kernel_size
        self.dilation = dilation
        self.padding = padding
        self.stride = stride

    def forward(self, input: Tensor) -> Tensor:
        return FC.fold(
            input, self.output_size, self.kernel_size, self.dilation, self.padding, self.stride
        )

    def extra_repr(self) -> str:
        return (
            f"output_size={self.output_size}, kernel_size={self.kernel_size}, "
            f"dilation={self.dilation}, padding={self.padding}, stride={self.stride}"
        )
