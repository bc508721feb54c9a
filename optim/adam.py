"""Adam and AdamW, as ``torch.optim.Adam`` and ``torch.optim.AdamW``."""

from __future__ import annotations

from minigrad.tensor import Tensor

from . import _functional as F
from .optimizer import (
    Optimizer,
    ParamsT,
    betas_in_unit_interval,
    constructor_arguments,
    nonnegative,
)

__all__ = ["Adam", "AdamW"]


class Adam(Optimizer):
    r"""Adam: momentum on the gradient plus a per-coordinate RMSprop step size.

    .. code-block:: text

        input: γ (lr), β₁, β₂ (betas), θ₀ (params), f(θ) (objective),
               λ (weight decay), amsgrad, maximize, ε
        m₀ ← 0 (first moment), v₀ ← 0 (second moment), v̂max₀ ← 0
        for t = 1, 2, ...:
            g ← ∇f(θ)
            if maximize:  g ← −g
            if decoupled_weight_decay:  θ ← θ − γλθ
            elif λ ≠ 0:                 g ← g + λθ
            m ← β₁ m + (1 − β₁) g
            v ← β₂ v + (1 − β₂) g²
            m̂ ← m / (1 − β₁ᵗ)
            if amsgrad:
                v̂max ← max(v̂max, v)
                v̂ ← v̂max / (1 − β₂ᵗ)
            else:
                v̂ ← v / (1 − β₂ᵗ)
            θ ← θ − γ m̂ / (√v̂ + ε)

    The bias corrections ``1 − βᵗ`` undo the pull of the zero initial moments
    towards 0 during the first steps. ε is added to the square root of the
    bias-corrected second moment (the book's Adam adds it before the
    correction; see :mod:`minigrad.optim.book`).

    Args:
        params: tensors to optimize, ``(name, tensor)`` pairs, or dicts defining
            parameter groups.
        lr: learning rate γ (default 1e-3).
        betas: (β₁, β₂), the decay rates of the moment estimates (default (0.9, 0.999)).
        eps: ε added to the denominator for numerical stability (default 1e-8).
        weight_decay: weight decay λ (default 0): an L2 penalty added to the
            gradient, or, with ``decoupled_weight_decay``, AdamW's decay.
        amsgrad: use the AMSGrad variant (the maximum of past second moments).
        maximize: maximize the objective instead of minimizing it.
        decoupled_weight_decay: shrink the weights directly (AdamW) instead of
            adding λθ to the gradient.
        foreach, fused: PyTorch's choice of kernel; minigrad has one implementation, so
            they change nothing but are kept in the groups (``fused=True`` with
            ``foreach=True`` or ``differentiable=True`` raises RuntimeError, as PyTorch).
        capturable, differentiable: CUDA-graph capture and a differentiable step;
            ``True`` raises NotImplementedError.

    ``lr`` may be a 1-element tensor (read at every step, so ``lr.fill_(x)`` changes it).
    """

    _update_rule = staticmethod(F.adam_update)
    _constraints = {
        "lr": nonnegative,
        "eps": nonnegative,
        "betas": betas_in_unit_interval,
        "weight_decay": nonnegative,
    }

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
        decoupled_weight_decay: bool = False,
    ) -> None:
        if isinstance(lr, Tensor) and foreach and not capturable:
            raise ValueError(
                "lr as a Tensor is not supported for capturable=False and foreach=True"
            )
        super().__init__(params, constructor_arguments(locals()))


class AdamW(Adam):
    r"""AdamW: Adam with decoupled weight decay (Loshchilov & Hutter, 2019).

    .. code-block:: text

        input: γ (lr), β₁, β₂ (betas), θ₀ (params), f(θ) (objective),
               λ (weight decay), amsgrad, maximize, ε
        m₀ ← 0, v₀ ← 0, v̂max₀ ← 0
        for t = 1, 2, ...:
            g ← ∇f(θ)
            if maximize:  g ← −g
            θ ← θ − γλθ
            m ← β₁ m + (1 − β₁) g
            v ← β₂ v + (1 − β₂) g²
            m̂ ← m / (1 − β₁ᵗ)
            v̂ ← max(v̂max, v) / (1 − β₂ᵗ) if amsgrad else v / (1 − β₂ᵗ)
            θ ← θ − γ m̂ / (√v̂ + ε)

    Unlike Adam's L2 penalty, the decay is not divided by √v̂: every weight
    shrinks by the same factor (1 − γλ) per step.

    Args:
        params: tensors to optimize, ``(name, tensor)`` pairs, or dicts defining
            parameter groups.
        lr: learning rate γ (default 1e-3).
        betas: (β₁, β₂) (default (0.9, 0.999)).
        eps: ε (default 1e-8).
        weight_decay: decoupled weight decay λ (default 1e-2).
        amsgrad: use the AMSGrad variant.
        maximize: maximize the objective instead of minimizing it.
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        super().__init__(
            params,
            lr,
            betas,
            eps,
            weight_decay,
            amsgrad,
            foreach=foreach,
            maximize=maximize,
            capturable=capturable,
            differentiable=differentiable,
            fused=fused,
            decoupled_weight_decay=True,
        )
