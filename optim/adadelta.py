"""ADADELTA, as ``torch.optim.Adadelta``."""

from __future__ import annotations

from minigrad.tensor import Tensor

from . import _functional as F
from .optimizer import Optimizer, ParamsT, constructor_arguments, in_unit_interval, nonnegative

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    r"""ADADELTA: steps sized by running root-mean-squares of past updates and gradients.

    .. code-block:: text

        input: γ (lr), θ₀ (params), f(θ) (objective), ρ (decay), λ (weight decay), ε, maximize
        v₀ ← 0 (square average), u₀ ← 0 (accumulated updates)
        for t = 1, 2, ...:
            g ← ∇f(θ)
            if maximize:  g ← −g
            if λ ≠ 0:     g ← g + λθ
            v ← ρ v + (1 − ρ) g²
            Δx ← √(u + ε) / √(v + ε) · g
            u ← ρ u + (1 − ρ) Δx²
            θ ← θ − γ Δx

    Args:
        params: tensors to optimize, ``(name, tensor)`` pairs, or dicts defining
            parameter groups.
        lr: coefficient γ that scales the step (default 1.0).
        rho: decay ρ of the running averages, in [0, 1] (default 0.9).
        eps: ε added inside both square roots (default 1e-6).
        weight_decay: L2 penalty λ (default 0).
        maximize: maximize the objective instead of minimizing it.
    """

    _update_rule = staticmethod(F.adadelta_update)
    _constraints = {
        "lr": nonnegative,
        "rho": in_unit_interval,
        "eps": nonnegative,
        "weight_decay": nonnegative,
    }

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0,
        foreach: bool | None = None,
        *,
        capturable: bool = False,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        super().__init__(params, constructor_arguments(locals()))
