"""AdaGrad, as ``torch.optim.Adagrad``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import _functional as F
from ._storage import array_of
from .optimizer import Optimizer, ParamsT, constructor_arguments, nonnegative

if TYPE_CHECKING:
    from minigrad import Tensor

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    r"""AdaGrad: a learning rate per coordinate that shrinks with its squared gradients.

    .. code-block:: text

        input: γ (lr), θ₀ (params), f(θ) (objective), λ (weight decay),
               τ (initial accumulator value), η (lr decay), ε, maximize
        state_sum₀ ← τ
        for t = 1, 2, ...:
            g ← ∇f(θ)
            if maximize:  g ← −g
            γ̃ ← γ / (1 + (t − 1) η)
            if λ ≠ 0:     g ← g + λθ
            state_sum ← state_sum + g²
            θ ← θ − γ̃ g / (√state_sum + ε)

    Coordinates with large past gradients take small steps; the steps only
    ever shrink, which can stop training too early (RMSprop and Adam fix this).
    The state (``step`` and ``sum``) is created for every parameter when the
    optimizer is constructed, as in PyTorch.

    Args:
        params: tensors to optimize, ``(name, tensor)`` pairs, or dicts defining
            parameter groups.
        lr: learning rate γ (default 1e-2).
        lr_decay: learning rate decay η (default 0).
        weight_decay: L2 penalty λ (default 0).
        initial_accumulator_value: initial value τ of the sums of squares (default 0).
        eps: ε added to the denominator for numerical stability (default 1e-10).
        maximize: maximize the objective instead of minimizing it.
    """

    _update_rule = staticmethod(F.adagrad_update)
    _constraints = {
        "lr": nonnegative,
        "lr_decay": nonnegative,
        "weight_decay": nonnegative,
        "initial_accumulator_value": nonnegative,
        "eps": nonnegative,
    }

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        super().__init__(params, constructor_arguments(locals()))

    def _init_state(self, param: Tensor, group: dict[str, Any]) -> None:
        F.adagrad_init_state(
            array_of(param),
            self.state[param],
            initial_accumulator_value=float(group["initial_accumulator_value"]),
        )
