"""RAdam, as ``torch.optim.RAdam``."""

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

__all__ = ["RAdam"]


class RAdam(Optimizer):
    r"""RAdam: Adam whose adaptive step is rectified for its variance (Liu et al., 2020).

    .. code-block:: text

        input: γ (lr), β₁, β₂ (betas), θ₀ (params), f(θ) (objective),
               λ (weight decay), ε, maximize
        m₀ ← 0 (first moment), v₀ ← 0 (second moment)
        ρ∞ ← 2 / (1 − β₂) − 1
        for t = 1, 2, ...:
            g ← ∇f(θ)
            if maximize:  g ← −g
            if decoupled_weight_decay:  θ ← θ − γλθ
            elif λ ≠ 0:                 g ← g + λθ
            m ← β₁ m + (1 − β₁) g
            v ← β₂ v + (1 − β₂) g²
            m̂ ← m / (1 − β₁ᵗ)
            ρₜ ← ρ∞ − 2 t β₂ᵗ / (1 − β₂ᵗ)
            if ρₜ > 5:
                l ← √(1 − β₂ᵗ) / (√v + ε)
                r ← √((ρₜ − 4)(ρₜ − 2) ρ∞ / ((ρ∞ − 4)(ρ∞ − 2) ρₜ))
                θ ← θ − γ m̂ r l
            else:
                θ ← θ − γ m̂

    During the first steps (ρₜ ≤ 5) the second moment is too noisy to use and
    the update is SGD with momentum.

    Args:
        params: tensors to optimize, ``(name, tensor)`` pairs, or dicts defining
            parameter groups.
        lr: learning rate γ (default 1e-3).
        betas: (β₁, β₂), the decay rates of the moment estimates (default (0.9, 0.999)).
        eps: ε added to the denominator for numerical stability (default 1e-8).
        weight_decay: weight decay λ (default 0): an L2 penalty added to the
            gradient, or, with ``decoupled_weight_decay``, AdamW's decay.
        decoupled_weight_decay: shrink the weights directly (as AdamW) instead of
            adding λθ to the gradient.
        maximize: maximize the objective instead of minimizing it.
    """

    _update_rule = staticmethod(F.radam_update)
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
        decoupled_weight_decay: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
    ) -> None:
        super().__init__(params, constructor_arguments(locals()))
