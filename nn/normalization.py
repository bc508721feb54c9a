"""Normalisation layers, as torch.nn: BatchNorm1d/2d/3d, InstanceNorm1d/2d, LayerNorm, GroupNorm,
RMSNorm and LocalResponseNorm.

Each normalises its input to zero mean and unit variance over some axes, then
applies a learnable per-feature affine map y = γ x̂ + β (``weight`` γ starts at
1, ``bias`` β at 0). They differ in the axes: batch norm over the batch (and
spatial dims) per channel, instance norm over the spatial dims per sample and
channel, layer norm over the trailing ``normalized_shape`` dims, group norm over
groups of channels per sample. RMS norm only rescales (by the root mean square
over the trailing dims); local response norm divides by a power of the summed
squares of neighbouring channels.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from minigrad import creation
from minigrad.dtypes import int64
from minigrad.tensor import Tensor

from . import _functional_norm as F
from . import init
from .module import Module
from .parameter import Parameter

__all__ = [
    "BatchNorm1d",
    "BatchNorm2d",
    "BatchNorm3d",
    "InstanceNorm1d",
    "InstanceNorm2d",
    "LayerNorm",
    "GroupNorm",
    "RMSNorm",
    "LocalResponseNorm",
]


def _reset_affine(module: Any) -> None:
    """γ ← 1 and β ← 0 for a normalisation layer's ``weight`` and ``bias`` (when it has them)."""
    if module.weight is not None:
        init.ones_(module.weight)
    if getattr(module, "bias", None) is not None:
        init.zeros_(module.bias)


class _NormBase(Module):
    """Per-channel affine parameters and running statistics (PyTorch's buffers and keys)."""

    _expected_dims: tuple[int, ...] = ()
    _layout = ""
    weight: Parameter | None
    bias: Parameter | None
    running_mean: Any
    running_var: Any
    num_batches_tracked: Any

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        device: Any = None,
        dtype: Any = None,
        bias: bool = True,
    ) -> None:
        super().__init__()
        if num_features <= 0:
            raise ValueError(
                f"{type(self).__name__}: num_features must be positive, got {num_features}"
            )
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        if affine:
            self.weight = Parameter(creation.empty(num_features, dtype=dtype, device=device))
            if bias:
                self.bias = Parameter(creation.empty(num_features, dtype=dtype, device=device))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer(
                "running_mean", creation.zeros(num_features, dtype=dtype, device=device)
            )
            self.register_buffer(
                "running_var", creation.ones(num_features, dtype=dtype, device=device)
            )
            self.register_buffer(
                "num_batches_tracked", creation.tensor(0, dtype=int64, device=device)
            )
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        self.reset_parameters()

    def reset_running_stats(self) -> None:
        """running_mean ← 0, running_var ← 1, num_batches_tracked ← 0."""
        if self.track_running_stats:
            self.running_mean.zero_()
            self.running_var.fill_(1)
            self.num_batches_tracked.zero_()

    def reset_parameters(self) -> None:
        """Reset the running statistics, and γ ← 1, β ← 0."""
        self.reset_running_stats()
        _reset_affine(self)

    def _check_input(self, input: Tensor) -> None:
        """The input's dims and channel count, with errors naming the layer and the shapes."""
        if not isinstance(input, Tensor):
            raise TypeError(f"{self}: expected a Tensor input, got {type(input).__name__}")
        if input.ndim not in self._expected_dims:
            dims = " or ".join(f"{d}D" for d in self._expected_dims)
            raise ValueError(
                f"expected {dims} input (got {input.ndim}D input): {type(self).__name__} takes "
                f"{self._layout}, got shape {input.shape}"
            )
        channels = input.shape[1] if input.ndim in self._batched_dims() else input.shape[0]
        if channels != self.num_features:
            raise RuntimeError(
                f"{type(self).__name__}({self.num_features}): expected an input with "
                f"{self.num_features} channels ({self._layout} with C={self.num_features}), "
                f"got shape {input.shape}"
            )

    def _batched_dims(self) -> tuple[int, ...]:
        return self._expected_dims

    def _momentum_now(self) -> float:
        """The running-average factor of this step: ``momentum``, or 1 / num_batches_tracked
        (a cumulative moving average) when ``momentum`` is None. Counts the batch."""
        if not (self.training and self.track_running_stats):
            return 0.0
        self.num_batches_tracked.add_(1)
        if self.momentum is None:
            return 1.0 / self.num_batches_tracked.item()
        return self.momentum

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
            f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}"
        )


class _BatchNorm(_NormBase):
    """Batch normalisation (Ioffe & Szegedy, 2015) over the batch and spatial dims per channel.

    y = (x - E[x]) / √(Var[x] + ε) · γ + β. In training, E and Var are the batch's
    (Var biased) and the running statistics follow them::

        running_mean ← (1 - momentum) running_mean + momentum E[x]
        running_var  ← (1 - momentum) running_var  + momentum Var[x] · n / (n - 1)

    (``momentum=None``: their cumulative average over the batches seen). In
    ``eval()`` mode the running statistics are used instead, unless
    ``track_running_stats=False`` (then batch statistics always).
    """

    def forward(self, input: Tensor) -> Tensor:
        self._check_input(input)
        momentum = self._momentum_now()
        return F.batch_norm(
            input,
            self.running_mean,
            self.running_var,
            self.weight,
            self.bias,
            self.training or self.running_mean is None,  # batch statistics?
            momentum,
            self.eps,
        )


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of (N, C) or (N, C, L) inputs per channel C (see :class:`_BatchNorm`)."""

    _expected_dims = (2, 3)
    _layout = "(N, C) or (N, C, L)"


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of (N, C, H, W) inputs, per channel C (see :class:`_BatchNorm`)."""

    _expected_dims = (4,)
    _layout = "(N, C, H, W)"


class BatchNorm3d(_BatchNorm):
    """Batch normalisation of (N, C, D, H, W) inputs, per channel C (see :class:`_BatchNorm`)."""

    _expected_dims = (5,)
    _layout = "(N, C, D, H, W)"


class _InstanceNorm(_NormBase):
    """Instance normalisation: each channel of each sample over its spatial dims.

    y = (x - E[x]) / √(Var[x] + ε) · γ + β with E, Var per (sample, channel).
    PyTorch's defaults: ``affine=False``, ``track_running_stats=False``; with
    running statistics (updated by ``momentum``; ``num_batches_tracked`` stays 0,
    as in PyTorch), ``eval()`` mode normalises with them. Unbatched (C, *)
    inputs are accepted.
    """

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = False,
        track_running_stats: bool = False,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(
            num_features, eps, momentum, affine, track_running_stats, device, dtype, bias=affine
        )

    def _batched_dims(self) -> tuple[int, ...]:
        return self._expected_dims[1:]

    def forward(self, input: Tensor) -> Tensor:
        self._check_input(input)
        if input.ndim == self._expected_dims[0]:  # unbatched (C, *)
            return self.forward(input.unsqueeze(0)).squeeze(0)
        use_input_stats = self.training or not self.track_running_stats
        return F.instance_norm(
            input,
            self.running_mean,
            self.running_var,
            self.weight,
            self.bias,
            use_input_stats,
            0.0 if self.momentum is None else self.momentum,  # as PyTorch: no batch counting
            self.eps,
        )


class InstanceNorm1d(_InstanceNorm):
    """Instance normalisation of (N, C, L) or (C, L) inputs (see :class:`_InstanceNorm`)."""

    _expected_dims = (2, 3)
    _layout = "(N, C, L) or (C, L)"


class InstanceNorm2d(_InstanceNorm):
    """Instance normalisation of (N, C, H, W) or (C, H, W) inputs (see :class:`_InstanceNorm`)."""

    _expected_dims = (3, 4)
    _layout = "(N, C, H, W) or (C, H, W)"


class LayerNorm(Module):
    """Layer normalisation (Ba et al., 2016) over the last ``len(normalized_shape)`` dims.

    y = (x - E[x]) / √(Var[x] + ε) · γ + β, E and Var (biased) over those dims of
    each sample; γ (ones) and β (zeros) have shape ``normalized_shape`` when
    ``elementwise_affine`` (β only with ``bias=True``). Same in training and eval.
    """

    def __init__(
        self,
        normalized_shape: int | Sequence[int],
        eps: float = 1e-5,
        elementwise_affine: bool = True,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        self.normalized_shape = F._shape_tuple(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        if elementwise_affine:
            shape = self.normalized_shape
            self.weight = Parameter(creation.ones(*shape, dtype=dtype, device=device))
            if bias:
                self.bias = Parameter(creation.zeros(*shape, dtype=dtype, device=device))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)

    def reset_parameters(self) -> None:
        """γ ← 1, β ← 0."""
        _reset_affine(self)

    def forward(self, input: Tensor) -> Tensor:
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (
            f"{self.normalized_shape}, eps={self.eps}, "
            f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}"
        )


class GroupNorm(Module):
    """Group normalisation (Wu & He, 2018): the C channels in ``num_groups`` groups.

    y = (x - E[x]) / √(Var[x] + ε) · γ + β, E and Var (biased) over each group's
    channels and spatial dims, per sample; γ, β per channel (``affine``).
    ``num_channels`` must be divisible by ``num_groups``.
    """

    def __init__(
        self,
        num_groups: int,
        num_channels: int,
        eps: float = 1e-5,
        affine: bool = True,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        if num_groups <= 0 or num_channels % num_groups:
            raise ValueError(
                f"num_channels must be divisible by num_groups: got num_channels={num_channels} "
                f"and num_groups={num_groups}"
            )
        self.num_groups = num_groups
        self.num_channels = num_channels
        self.eps = eps
        self.affine = affine
        if affine:
            self.weight = Parameter(creation.ones(num_channels, dtype=dtype, device=device))
            if bias:
                self.bias = Parameter(creation.zeros(num_channels, dtype=dtype, device=device))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)

    def reset_parameters(self) -> None:
        """γ ← 1, β ← 0."""
        _reset_affine(self)

    def forward(self, input: Tensor) -> Tensor:
        if input.ndim >= 2 and input.shape[1] != self.num_channels:
            raise RuntimeError(
                f"GroupNorm({self.num_groups}, {self.num_channels}): expected an input of shape "
                f"(N, {self.num_channels}, *), got shape {input.shape}"
            )
        return F.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (
            f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
            f"bias={self.bias is not None}"
        )


class RMSNorm(Module):
    """Root-mean-square normalisation (Zhang & Sennrich, 2019) over the trailing dims.

    y = x / √(mean(x²) + ε) · γ, the mean over the last ``len(normalized_shape)``
    dims; γ (ones, ``elementwise_affine``) has shape ``normalized_shape``; ε None
    means ``finfo(input.dtype).eps``.
    """

    def __init__(
        self,
        normalized_shape: int | Sequence[int],
        eps: float | None = None,
        elementwise_affine: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        self.normalized_shape = F._shape_tuple(normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        if elementwise_affine:
            shape = self.normalized_shape
            self.weight = Parameter(creation.ones(*shape, dtype=dtype, device=device))
        else:
            self.register_parameter("weight", None)

    def reset_parameters(self) -> None:
        """γ ← 1."""
        _reset_affine(self)

    def forward(self, input: Tensor) -> Tensor:
        return F.rms_norm(input, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self) -> str:
        return (
            f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"
        )


class LocalResponseNorm(Module):
    """``F.local_response_norm``: y_c = x_c / (k + α/n · Σ_{c' near c} x_{c'}²)^β over
    n = ``size`` neighbouring channels."""

    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0) -> None:
        super().__init__()
        self.size, self.alpha, self.beta, self.k = size, alpha, beta, k

    def forward(self, input: Tensor) -> Tensor:
        return F.local_response_norm(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self) -> str:
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"
