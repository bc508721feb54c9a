"""Stochastic gradient descent (optionally with momentum), as ``torch.optim.SGD``."""

from __future__ import annotations

from typing import Any

from minigrad.tensor import Tensor

from . import _functional as F
from .optimizer import Optimizer, ParamsT, constructor_arguments, nonnegative

__all__ = ["SGD"]


class SGD(Optimizer):
    r"""Stochastic gradient descent, optionally with momentum.

    .. code-block:: text

        input: γ (lr), θ₀ (params), f(θ) (objective), λ (weight decay),
               μ (momentum), τ (dampening), nesterov, maximize
        for t = 1, 2, ...:
            g ← ∇f(θ)
            if maximize:  g ← −g
            if λ ≠ 0:     g ← g + λθ
            if μ ≠ 0:
                if t > 1:  b ← μ b + (1 − τ) g
                else:      b ← g
                if nesterov:  g ← g + μ b
                else:         g ← b
            θ ← θ − γ g

    The momentum buffer ``b`` holds gradients, and the learning rate scales it
    at every step (PyTorch's form, not the book's v ← αv − γg); with a constant
    learning rate the two are the same trajectory.

    Args:
        params: tensors to optimize, ``(name, tensor)`` pairs, or dicts defining
            parameter groups.
        lr: learning rate γ (default 1e-3).
        momentum: momentum factor μ (default 0).
        dampening: dampening τ for momentum (default 0).
        weight_decay: L2 penalty λ (default 0).
        nesterov: use Nesterov momentum (needs μ > 0 and τ = 0).
        maximize: maximize the objective instead of minimizing it.

    Example::

        opt = minigrad.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        opt.zero_grad(); loss_fn(model(x), y).backward(); opt.step()
    """

    _update_rule = staticmethod(F.sgd_update)
    _constraints = {"lr": nonnegative, "momentum": nonnegative, "weight_decay": nonnegative}

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        super().__init__(params, constructor_arguments(locals()))

    def _validate_group(self, group: dict[str, Any]) -> None:
        super()._validate_group(group)
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
