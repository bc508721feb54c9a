"""Pooling layers: MaxPool1d/2d, AvgPool1d/2d and the adaptive poolings, as torch.nn."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from minigrad.tensor import Tensor

from . import _functional_conv as FC
from .module import Module

__all__ = [
    "MaxPool1d",
    "MaxPool2d",
    "AvgPool1d",
    "AvgPool2d",
    "AdaptiveAvgPool1d",
    "AdaptiveAvgPool2d",
    "AdaptiveMaxPool1d",
    "AdaptiveMaxPool2d",
]


class _MaxPoolNd(Module):
    _function: Callable[..., Any] = staticmethod(FC.max_pool2d)

    def __init__(
        self,
        kernel_size: Any,
        stride: Any = None,
        padding: Any = 0,
        dilation: Any = 1,
        return_indices: bool = False,
        ceil_mode: bool = False,
    ) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.dilation = dilation
        self.return_indices = return_indices
        self.ceil_mode = ceil_mode

    def forward(self, input: Tensor) -> Any:
        return type(self)._function(
            input,
            self.kernel_size,
            self.stride,
            self.padding,
            self.dilation,
            self.ceil_mode,
            self.return_indices,
        )

    def extra_repr(self) -> str:
        return (
            f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
            f"dilation={self.dilation}, ceil_mode={self.ceil_mode}"
        )


class MaxPool2d(_MaxPoolNd):
    """2-D max pooling, as ``torch.nn.MaxPool2d``: each window's maximum,
    y[n, c, oh, ow] = max_{i, j} xpad[n, c, oh·sh + i·dh, ow·sw + j·dw] (see
    :func:`minigrad.nn.functional.max_pool2d`); ``stride`` defaults to ``kernel_size``.
    The gradient flows to each window's first maximum, as in PyTorch."""

    _function: Callable[..., Any] = staticmethod(FC.max_pool2d)


class MaxPool1d(_MaxPoolNd):
    """1-D max pooling of (N, C, L), as ``torch.nn.MaxPool1d``:
    y[n, c, t] = max_i xpad[n, c, t·s + i·d]."""

    _function: Callable[..., Any] = staticmethod(FC.max_pool1d)


class AvgPool2d(Module):
    """2-D average pooling, as ``torch.nn.AvgPool2d``:
    y[n, c, oh, ow] = Σ_{i, j} xpad[n, c, oh·sh + i, ow·sw + j] / D (see
    :func:`minigrad.nn.functional.avg_pool2d` for the divisor D)."""

    def __init__(
        self,
        kernel_size: Any,
        stride: Any = None,
        padding: Any = 0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
        divisor_override: int | None = None,
    ) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def forward(self, input: Tensor) -> Tensor:
        return FC.avg_pool2d(
            input,
            self.kernel_size,
            self.stride,
            self.padding,
            self.ceil_mode,
            self.count_include_pad,
            self.divisor_override,
        )

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool1d(Module):
    """1-D average pooling of (N, C, L), as ``torch.nn.AvgPool1d``:
    y[n, c, t] = Σ_i xpad[n, c, t·s + i] / D."""

    def __init__(
        self,
        kernel_size: Any,
        stride: Any = None,
        padding: Any = 0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
    ) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad

    def forward(self, input: Tensor) -> Tensor:
        return FC.avg_pool1d(
            input,
            self.kernel_size,
            self.stride,
            self.padding,
            self.ceil_mode,
            self.count_include_pad,
        )

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class _AdaptiveAvgPoolNd(Module):
    _function: Callable[..., Any] = staticmethod(FC.adaptive_avg_pool2d)

    def __init__(self, output_size: Any) -> None:
        super().__init__()
        self.output_size = output_size

    def forward(self, input: Tensor) -> Tensor:
        return type(self)._function(input, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveAvgPool2d(_AdaptiveAvgPoolNd):
    """Average pooling to a fixed ``output_size`` (OH, OW) whatever the input's size, as
    ``torch.nn.AdaptiveAvgPool2d``: window o spans ⌊o·H/OH⌋ .. ⌈(o + 1)·H/OH⌉ - 1 (rows;
    columns alike). ``None`` in ``output_size`` keeps that input size."""

    _function: Callable[..., Any] = staticmethod(FC.adaptive_avg_pool2d)


class AdaptiveAvgPool1d(_AdaptiveAvgPoolNd):
    """Average pooling of (N, C, L) to ``output_size`` windows, as
    ``torch.nn.AdaptiveAvgPool1d``."""

    _function: Callable[..., Any] = staticmethod(FC.adaptive_avg_pool1d)


class _AdaptiveMaxPoolNd(Module):
    _function: Callable[..., Any] = staticmethod(FC.adaptive_max_pool2d)

    def __init__(self, output_size: Any, return_indices: bool = False) -> None:
        super().__init__()
        self.output_size = output_size
        self.return_indices = return_indices

    def forward(self, input: Tensor) -> Any:
        return type(self)._function(input, self.output_size, self.return_indices)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveMaxPool2d(_AdaptiveMaxPoolNd):
    """Max pooling to a fixed ``output_size`` (OH, OW), as ``torch.nn.AdaptiveMaxPool2d``
    (PyTorch's adaptive windows, see :class:`AdaptiveAvgPool2d`)."""

    _function: Callable[..., Any] = staticmethod(FC.adaptive_max_pool2d)


class AdaptiveMaxPool1d(_AdaptiveMaxPoolNd):
    """Max pooling of (N, C, L) to ``output_size`` windows, as
    ``torch.nn.AdaptiveMaxPool1d``."""

    _function: Callable[..., Any] = staticmethod(FC.adaptive_max_pool1d)
