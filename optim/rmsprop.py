"""RMSprop, as ``torch.optim.RMSprop``."""

from __future__ import annotations

from minigrad.tensor import Tensor

from . import _functional as F
from .optimizer import Optimizer, ParamsT, constructor_arguments, nonnegative

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    r"""RMSprop: divide the gradient by a running root-mean-square of recent gradients.

    .. code-block:: text

        input: α (alpha), γ (lr), θ₀ (params), f(θ) (objective), λ (weight decay),
               μ (momentum), centered, ε, maximize
        v₀ ← 0 (square average), b₀ ← 0 (buffer), g_ave₀ ← 0
        for t = 1, 2, ...:
            g ← ∇f(θ)
            if maximize:  g ← −g
            if λ ≠ 0:     g ← g + λθ
            v ← α v + (1 − α) g²
            ṽ ← v
            if centered:
                g_ave ← α g_ave + (1 − α) g
                ṽ ← ṽ − g_ave²
            if μ > 0:
                b ← μ b + g / (√ṽ + ε)
                θ ← θ − γ b
            else:
                θ ← θ − γ g / (√ṽ + ε)

    Args:
        params: tensors to optimize, ``(name, tensor)`` pairs, or dicts defining
            parameter groups.
        lr: learning rate γ (default 1e-2).
        alpha: smoothing constant α (default 0.99).
        eps: ε added to the denominator for numerical stability (default 1e-8).
        weight_decay: L2 penalty λ (default 0).
        momentum: momentum factor μ (default 0).
        centered: normalize by an estimate of the gradient's variance instead
            of its second moment.
        maximize: maximize the objective instead of minimizing it.
    """

    _update_rule = staticmethod(F.rmsprop_update)
    _constraints = {
        "lr": nonnegative,
        "eps": nonnegative,
        "momentum": nonnegative,
        "weight_decay": nonnegative,
        "alpha": nonnegative,
    }

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        super().__init__(params, constructor_arguments(locals()))
