"""Averaged stochastic gradient descent, as ``torch.optim.ASGD``."""

from __future__ import annotations

from minigrad.tensor import Tensor

from . import _functional as F
from .optimizer import Optimizer, ParamsT, constructor_arguments, nonnegative

__all__ = ["ASGD"]


class ASGD(Optimizer):
    r"""ASGD: SGD with a decaying step size and a running average of the iterates.

    .. code-block:: text

        input: γ (lr), λ (lambd), α (alpha), t₀ (t0), λ_wd (weight decay),
               θ₀ (params), f(θ) (objective), maximize
        η ← γ,  μ ← 1,  ā ← 0
        for t = 1, 2, ...:
            g ← ∇f(θ)
            if maximize:  g ← −g
            if λ_wd ≠ 0:  g ← g + λ_wd θ
            θ ← θ (1 − λ η) − η g
            if μ ≠ 1:  ā ← ā + μ (θ − ā)
            else:      ā ← θ
            η ← γ / (1 + λ γ t)^α
            μ ← 1 / max(1, t − t₀)

    The step size η decays as t^(−α); after t₀ steps ā becomes the average of
    the iterates since then (Polyak–Ruppert averaging), whose convergence is
    faster than that of the iterates themselves. ā is kept in the state
    (``state[p]["ax"]``) for the user to read or copy into the model; the
    parameters follow the plain iterates. The state of each parameter holds
    ``step``, ``eta`` (η), ``mu`` (μ) and ``ax`` (ā), as PyTorch's (η and μ as
    Python numbers, not 0-d tensors). η is the step size computed with the
    learning rate of the previous step, so a learning rate changed by a
    scheduler acts one step later, as in PyTorch.

    Args:
        params: tensors to optimize, ``(name, tensor)`` pairs, or dicts defining
            parameter groups.
        lr: learning rate γ (default 1e-2).
        lambd: decay term λ (default 1e-4).
        alpha: power α of the step size's decay (default 0.75).
        t0: the step t₀ at which averaging starts (default 1e6).
        weight_decay: L2 penalty λ_wd (default 0).
        maximize: maximize the objective instead of minimizing it.
    """

    _number_states = frozenset({"step", "eta", "mu"})
    _update_rule = staticmethod(F.asgd_update)
    _constraints = {"lr": nonnegative, "weight_decay": nonnegative}
    _reads_params = True

    def __init__(
        self,
        params: ParamsT,
        lr: float | Tensor = 1e-2,
        lambd: float = 1e-4,
        alpha: float = 0.75,
        t0: float = 1e6,
        weight_decay: float = 0,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
        capturable: bool = False,
    ) -> None:
        super().__init__(params, constructor_arguments(locals()))
