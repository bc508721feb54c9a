"""NAdam, as ``torch.optim.NAdam``."""

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

__all__ = ["NAdam"]


class NAdam(Optimizer):
    r"""NAdam: Adam with Nesterov momentum and a momentum warm-up (Dozat, 2016).

    .. code-block:: text

        input: γ (lr), β₁, β₂ (betas), θ₀ (params), f(θ) (objective),
               λ (weight decay), ψ (momentum decay), ε, maximize
        m₀ ← 0 (first moment), v₀ ← 0 (second moment), Π₀ ← 1 (mu_product)
        for t = 1, 2, ...:
            g ← ∇f(θ)
            if maximize:  g ← −g
            if decoupled_weight_decay:  θ ← θ − γλθ
            elif λ ≠ 0:                 g ← g + λθ
            μₜ ← β₁ (1 − ½ 0.96^(t ψ))
            μₜ₊₁ ← β₁ (1 − ½ 0.96^((t + 1) ψ))
            Π ← Π μₜ
            m ← β₁ m + (1 − β₁) g
            v ← β₂ v + (1 − β₂) g²
            d ← √(v / (1 − β₂ᵗ)) + ε
            θ ← θ − γ (1 − μₜ) / (1 − Π) · g / d − γ μₜ₊₁ / (1 − Π μₜ₊₁) · m / d

    ``state[p]["mu_product"]`` (Π) is a number, like ``state[p]["step"]``.

    Args:
        params: tensors to optimize, ``(name, tensor)`` pairs, or dicts defining
            parameter groups.
        lr: learning rate γ (default 2e-3).
        betas: (β₁, β₂), the decay rates of the moment estimates (default (0.9, 0.999)).
        eps: ε added to the denominator for numerical stability (default 1e-8).
        weight_decay: weight decay λ (default 0): an L2 penalty added to the
            gradient, or, with ``decoupled_weight_decay``, AdamW's decay.
        momentum_decay: ψ, how fast the momentum coefficient warms up (default 4e-3).
        decoupled_weight_decay: shrink the weights directly (as AdamW) instead of
            adding λθ to the gradient.
        maximize: maximize the objective instead of minimizing it.
    """

    _number_states = frozenset({"step", "mu_product"})
    _update_rule = staticmethod(F.nadam_update)
    _constraints = {
        "lr": nonnegative,
        "eps": nonnegative,
        "betas": betas_in_unit_interval,
        "weight_decay": nonnegative,
        "momentum_decay": nonnegative,
    }

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum_decay: float = 4e-3,
        decoupled_weight_decay: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
    ) -> None:
        super().__init__(params, constructor_arguments(locals()))
