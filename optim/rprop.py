"""Rprop, as ``torch.optim.Rprop``."""

from __future__ import annotations

from typing import Any

from minigrad.tensor import Tensor

from . import _functional as F
from .optimizer import Optimizer, ParamsT, constructor_arguments, nonnegative, pair_of_numbers

__all__ = ["Rprop"]


def _etas(name: str, etas: Any) -> None:
    """PyTorch's check: ``0 < η⁻ < 1 < η⁺``."""
    etaminus, etaplus = pair_of_numbers(name, etas)
    if not 0.0 < etaminus < 1.0 < etaplus:
        raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")


def _step_sizes(name: str, step_sizes: Any) -> None:
    """A pair of numbers (PyTorch checks nothing more)."""
    pair_of_numbers(name, step_sizes)


class Rprop(Optimizer):
    r"""Rprop: resilient backpropagation, a step size per coordinate driven by gradient signs.

    .. code-block:: text

        input: θ₀ (params), f(θ) (objective), γ (lr), η⁻, η⁺ (etas),
               σ_min, σ_max (step_sizes), maximize
        g_prev ← 0,  σ ← γ (one step size per coordinate)
        for t = 1, 2, ...:
            g ← ∇f(θ)
            if maximize:  g ← −g
            for each coordinate i:
                if g_prev,i gᵢ > 0:    σᵢ ← min(σᵢ η⁺, σ_max)
                elif g_prev,i gᵢ < 0:  σᵢ ← max(σᵢ η⁻, σ_min);  gᵢ ← 0
                else:                  σᵢ ← clamp(σᵢ, σ_min, σ_max)
            θ ← θ − σ · sign(g)
            g_prev ← g

    The magnitude of the gradient is ignored: each coordinate moves by its own
    step size σᵢ, which grows while the gradient keeps its sign and shrinks
    when it flips (a minimum was overshot; that coordinate then pauses for one
    step). Meant for full-batch training: mini-batch noise flips the signs.
    The state of each parameter holds ``step``, ``prev`` (g_prev) and
    ``step_size`` (σ), as PyTorch's.

    Args:
        params: tensors to optimize, ``(name, tensor)`` pairs, or dicts defining
            parameter groups.
        lr: learning rate γ, the initial step size of every coordinate (default 1e-2).
        etas: (η⁻, η⁺), the factors that shrink and grow the step sizes, with
            0 < η⁻ < 1 < η⁺ (default (0.5, 1.2)).
        step_sizes: (σ_min, σ_max), the bounds of the step sizes (default (1e-6, 50)).
        maximize: maximize the objective instead of minimizing it.
    """

    _update_rule = staticmethod(F.rprop_update)
    _constraints = {"lr": nonnegative, "etas": _etas, "step_sizes": _step_sizes}

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 1e-2,
        etas: tuple[float, float] = (0.5, 1.2),
        step_sizes: tuple[float, float] = (1e-6, 50),
        *,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        super().__init__(params, constructor_arguments(locals()))
