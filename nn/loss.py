"""Loss modules; each calls its function of :mod:`minigrad.nn.functional`.

``reduction`` = ``'mean'`` (default) | ``'sum'`` | ``'none'``. Class weights and
``pos_weight`` are buffers: ``loss_fn.to(device)`` moves them with the model's
tensors, and they are not learned.
"""

from __future__ import annotations

from minigrad.tensor import Tensor

from . import functional as F
from .module import Module

__all__ = [
    "MSELoss",
    "L1Loss",
    "CrossEntropyLoss",
    "NLLLoss",
    "BCELoss",
    "BCEWithLogitsLoss",
]


class _Loss(Module):
    reduction: str

    def __init__(
        self,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__()
        self.reduction = F._reduction(reduction, size_average, reduce)


class _WeightedLoss(_Loss):
    weight: Tensor | None

    def __init__(
        self,
        weight: Tensor | None = None,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)


class MSELoss(_Loss):
    """Mean squared error: ℓ = mean over all elements of (xᵢ - yᵢ)² (``reduction='mean'``)."""

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.mse_loss(input, target, reduction=self.reduction)


class L1Loss(_Loss):
    """Mean absolute error: ℓ = mean over all elements of ``|xᵢ - yᵢ|`` (``reduction='mean'``)."""

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.l1_loss(input, target, reduction=self.reduction)


class CrossEntropyLoss(_WeightedLoss):
    """Cross-entropy of logits (N, C, ...) against class indices (N, ...) or probabilities.

    ℓₙ = (1 - ε) w_yₙ (-log softmax(xₙ)_yₙ) + (ε / C) Σ_c w_c (-log softmax(xₙ)_c)
    for class indices (ε = ``label_smoothing``, w = ``weight``, default 1);
    targets equal to ``ignore_index`` are skipped and ``'mean'`` divides by the
    sum of the weights of the others. See :func:`minigrad.nn.functional.cross_entropy`.
    """

    def __init__(
        self,
        weight: Tensor | None = None,
        size_average: bool | None = None,
        ignore_index: int = -100,
        reduce: bool | None = None,
        reduction: str = "mean",
        label_smoothing: float = 0.0,
    ) -> None:
        super().__init__(weight, size_average, reduce, reduction)
        F._check_label_smoothing(label_smoothing)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.cross_entropy(
            input,
            target,
            weight=self.weight,
            ignore_index=self.ignore_index,
            reduction=self.reduction,
            label_smoothing=self.label_smoothing,
        )


class NLLLoss(_WeightedLoss):
    """Negative log-likelihood of log-probabilities: ℓₙ = -w_yₙ · xₙ,yₙ.

    Use after :class:`LogSoftmax` (the pair equals :class:`CrossEntropyLoss`).
    ``ignore_index`` and the weighted mean as in :class:`CrossEntropyLoss`.
    """

    def __init__(
        self,
        weight: Tensor | None = None,
        size_average: bool | None = None,
        ignore_index: int = -100,
        reduce: bool | None = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.nll_loss(
            input,
            target,
            weight=self.weight,
            ignore_index=self.ignore_index,
            reduction=self.reduction,
        )


class BCELoss(_WeightedLoss):
    """Binary cross-entropy of probabilities: ℓₙ = -wₙ [yₙ log xₙ + (1 - yₙ) log(1 - xₙ)].

    Each log is clamped to ≥ -100 (finite at 0 and 1). On logits, prefer
    :class:`BCEWithLogitsLoss`.
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.binary_cross_entropy(input, target, weight=self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Sigmoid + binary cross-entropy, numerically stable, with optional ``pos_weight``.

    ℓₙ = -wₙ [p yₙ log σ(xₙ) + (1 - yₙ) log(1 - σ(xₙ))]; ``pos_weight`` p weighs
    the positive examples of each class (broadcast along the last dimension).
    """

    weight: Tensor | None
    pos_weight: Tensor | None

    def __init__(
        self,
        weight: Tensor | None = None,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
        pos_weight: Tensor | None = None,
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)
        self.register_buffer("pos_weight", pos_weight)

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.binary_cross_entropy_with_logits(
            input,
            target,
            weight=self.weight,
            reduction=self.reduction,
            pos_weight=self.pos_weight,
        )
