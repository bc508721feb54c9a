"""Adamax, as ``torch.optim.Adamax``."""

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

__all__ = ["Adamax"]


class Adamax(Optimizer):
    r"""Adamax: Adam whose second moment is an exponentially weighted infinity norm.

    .. code-block:: text

        input: γ (lr), β₁, β₂ (betas), θ₀ (params), f(θ) (objective),
               λ (weight decay), ε, maximize
        m₀ ← 0 (first moment), u₀ ← 0 (infinity norm)
        for t = 1, 2, ...:
            g ← ∇f(θ)
            if maximize:  g ← −g
            if λ ≠ 0:     g ← g + λθ
            m ← β₁ m + (1 − β₁) g
            u ← max(β₂ u, |g| + ε)
            θ ← θ − γ m / ((1 − β₁ᵗ) u)

    Args:
        params: tensors to optimize, ``(name, tensor)`` pairs, or dicts defining
            parameter groups.
        lr: learning rate γ (default 2e-3).
        betas: (β₁, β₂), the decay rates of the first moment and of the
            infinity norm (default (0.9, 0.999)).
        eps: ε added to ``|g|`` for numerical stability (default 1e-8).
        weight_decay: L2 penalty λ (default 0).
        maximize: maximize the objective instead of minimizing it.
    """

    _update_rule = staticmethod(F.adamax_update)
    _constraints = {
        "lr": nonnegative,
        "eps": nonnegative,
        "betas": betas_in_unit_interval,
        "weight_decay": nonnegative,
    }

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        capturable: bool = False,
    ) -> None:
        super().__init__(params, constructor_arguments(locals()))
