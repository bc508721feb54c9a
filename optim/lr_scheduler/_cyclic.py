"""Per-iteration cyclical schedules: CyclicLR (Smith 2017) and OneCycleLR (Smith & Topin 2018).

Both are stepped after every batch, and can cycle the momentum (SGD's
``momentum`` or Adam's β₁) inversely to the rate.
"""

from __future__ import annotations

import math
import types
from collections.abc import Callable
from typing import Any

from ._base import LRScheduler, check_count, check_optimizer, check_real, format_param

__all__ = ["CyclicLR", "OneCycleLR"]


def _momentum_setter(optimizer: Any) -> str:
    """Which hyper-parameter a cycled momentum goes to: ``'betas'`` (β₁) or ``'momentum'``."""
    defaults = getattr(optimizer, "defaults", {})
    if "betas" in defaults:
        return "betas"
    if "momentum" in defaults:
        return "momentum"
    raise ValueError(
        "optimizer must support momentum or beta1 with `cycle_momentum` option enabled"
    )


def _set_momentum(group: dict[str, Any], momentum: float, use_beta1: bool) -> None:
    """Write a cycled momentum into a group: β₁ of ``betas``, or ``momentum``."""
    if use_beta1:
        group["betas"] = (momentum, *group["betas"][1:])
    else:
        group["momentum"] = momentum


def _init_momentum(
    optimizer: Any, base_momentum: Any, max_momentum: Any, last_epoch: int
) -> tuple[bool, list[float], list[float]]:
    """Check and spread the momentum bounds; a new schedule starts at ``max_momentum``."""
    use_beta1 = _momentum_setter(optimizer) == "betas"
    base = format_param("base_momentum", optimizer, base_momentum)
    top = format_param("max_momentum", optimizer, max_momentum)
    if last_epoch == -1:
        for group, low, high in zip(optimizer.param_groups, base, top, strict=True):
            _set_momentum(group, high, use_beta1)
            group["max_momentum"], group["base_momentum"] = high, low
    return use_beta1, base, top


class CyclicLR(LRScheduler):
    r"""Cycle the rate between ``base_lr`` and ``max_lr`` (Smith, "Cyclical Learning Rates").

    With ``c`` = ``total_size`` = ``step_size_up + step_size_down`` and
    ``r = step_size_up / c``, at iteration ``t`` (``last_epoch``):

    .. code-block:: text

        cycle = ⌊1 + t / c⌋
        x = 1 + t / c − cycle                       (position in the cycle, in [0, 1))
        s = x / r           if x ≤ r                (rising)
            (x − 1)/(r − 1) otherwise               (falling)
        lr = base_lr + (max_lr − base_lr) · s · scale(cycle or t)
        momentum = max_momentum − (max_momentum − base_momentum) · s · scale(cycle or t)

    ``mode`` chooses ``scale``: ``'triangular'`` 1; ``'triangular2'``
    1/2^(cycle − 1) (the amplitude halves each cycle); ``'exp_range'``
    gamma^t (of the iteration). A custom ``scale_fn`` with ``scale_mode``
    (``'cycle'`` or ``'iterations'``) replaces them. Step it after every batch.

    Args:
        optimizer: the optimizer.
        base_lr: the lower rate (one per group, or one for all); it replaces
            each group's rate at construction.
        max_lr: the upper rate (one per group, or one for all).
        step_size_up: iterations of the rising half (default 2000).
        step_size_down: iterations of the falling half (default: ``step_size_up``).
        mode: ``'triangular'``, ``'triangular2'`` or ``'exp_range'``.
        gamma: the base of ``'exp_range'`` (default 1).
        scale_fn: a custom scaling function of one argument (overrides ``mode``).
        scale_mode: what ``scale_fn`` takes: ``'cycle'`` or ``'iterations'``.
        cycle_momentum: cycle the momentum (``momentum``, or Adam's β₁)
            inversely to the rate (default True).
        base_momentum: the lower momentum (default 0.8).
        max_momentum: the upper momentum (default 0.9).
        last_epoch: the index of the last batch (default −1).
    """

    def __init__(
        self,
        optimizer: Any,
        base_lr: float | list[float],
        max_lr: float | list[float],
        step_size_up: int = 2000,
        step_size_down: int | None = None,
        mode: str = "triangular",
        gamma: float = 1.0,
        scale_fn: Callable[[float], float] | None = None,
        scale_mode: str = "cycle",
        cycle_momentum: bool = True,
        base_momentum: float | list[float] = 0.8,
        max_momentum: float | list[float] = 0.9,
        last_epoch: int = -1,
    ) -> None:
        check_optimizer(optimizer)
        base_lrs = format_param("base_lr", optimizer, base_lr)
        if last_epoch == -1:
            for lr, group in zip(base_lrs, optimizer.param_groups, strict=True):
                group["lr"] = lr
        self.max_lrs = format_param("max_lr", optimizer, max_lr)
        up = float(check_count("step_size_up", step_size_up, 1))
        if step_size_down is None:
            step_size_down = step_size_up
        self.total_size = up + float(check_count("step_size_down", step_size_down, 1))
        self.step_ratio = up / self.total_size
        if mode not in ("triangular", "triangular2", "exp_range") and scale_fn is None:
            raise ValueError("mode is invalid and scale_fn is None")
        if scale_mode not in ("cycle", "iterations"):
            raise ValueError(f"scale_mode must be 'cycle' or 'iterations', got {scale_mode!r}")
        self.mode = mode
        self.gamma = check_real("gamma", gamma)
        self._scale_fn_custom = scale_fn
        self.scale_mode = scale_mode if scale_fn is not None else self._mode_scale()
        self.cycle_momentum = bool(cycle_momentum)
        if self.cycle_momentum:
            self.use_beta1, self.base_momentums, self.max_momentums = _init_momentum(
                optimizer, base_momentum, max_momentum, last_epoch
            )
        super().__init__(optimizer, last_epoch)
        self.base_lrs = base_lrs

    def _mode_scale(self) -> str:
        """What the built-in ``mode``'s scale takes: the cycle, or the iteration."""
        return "iterations" if self.mode == "exp_range" else "cycle"

    def scale_fn(self, x: float) -> float:
        """The amplitude's scale at ``x`` (the cycle or the iteration, per ``scale_mode``)."""
        if self._scale_fn_custom is not None:
            return self._scale_fn_custom(x)
        if self.mode == "triangular2":
            return 1 / (2.0 ** (x - 1))
        if self.mode == "exp_range":
            return self.gamma**x
        return 1.0

    def get_lr(self) -> list[float]:
        """The rates at iteration ``last_epoch``; also sets the cycled momentum."""
        self._warn_if_called_outside_step()
        cycle = math.floor(1 + self.last_epoch / self.total_size)
        x = 1.0 + self.last_epoch / self.total_size - cycle
        if x <= self.step_ratio:
            scale_factor = x / self.step_ratio
        else:
            scale_factor = (x - 1) / (self.step_ratio - 1)
        scale = self.scale_fn(cycle if self.scale_mode == "cycle" else self.last_epoch)
        lrs = [
            base + (top - base) * scale_factor * scale
            for base, top in zip(self.base_lrs, self.max_lrs, strict=True)
        ]
        if self.cycle_momentum:
            for group, low, high in zip(
                self.optimizer.param_groups, self.base_momentums, self.max_momentums, strict=True
            ):
                _set_momentum(group, high - (high - low) * scale_factor * scale, self.use_beta1)
        return lrs

    def state_dict(self) -> dict[str, Any]:
        """The state; a custom ``scale_fn`` is saved only if it is a callable object."""
        state = super().state_dict()
        fn = state.pop("_scale_fn_custom")
        state["_scale_fn_custom"] = (
            None if fn is None or isinstance(fn, types.FunctionType) else dict(fn.__dict__)
        )
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a state saved by :meth:`state_dict` (the custom ``scale_fn`` is kept)."""
        state = dict(state_dict)
        saved_fn = state.pop("_scale_fn_custom")
        super().load_state_dict(state)
        if saved_fn is not None and self._scale_fn_custom is not None:
            self._scale_fn_custom.__dict__.update(saved_fn)


def _positive_int(name: str, value: Any) -> int:
    """``value``, or PyTorch's ValueError unless it is a positive integer."""
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"Expected positive integer {name}, but got {value}")
    return value


_PHASE_KEYS = ("end_step", "start_lr", "end_lr", "start_momentum", "end_momentum")


class OneCycleLR(LRScheduler):
    r"""The 1cycle policy (Smith & Topin, "Super-Convergence"): one rise and one long fall.

    With ``initial_lr = max_lr / div_factor`` and
    ``min_lr = initial_lr / final_div_factor``, over ``total_steps`` batches:

    .. code-block:: text

        two phases (default):
            steps 0 … pct_start·T − 1:   initial_lr → max_lr,   max_momentum → base_momentum
            … T − 1:                     max_lr → min_lr,       base_momentum → max_momentum
        three_phase=True:
            steps 0 … pct_start·T − 1:   initial_lr → max_lr,   max_momentum → base_momentum
            … 2·pct_start·T − 2:         max_lr → initial_lr,   base_momentum → max_momentum
            … T − 1:                     initial_lr → min_lr,   max_momentum (constant)

    Within a phase from step ``a`` to ``b``, with ``p = (t − a)/(b − a)``:

    .. code-block:: text

        cos:     anneal(start, end, p) = end + (start − end)(1 + cos(π p)) / 2
        linear:  anneal(start, end, p) = start + (end − start) p

    Step it after every batch; stepping past ``total_steps`` raises.

    Args:
        optimizer: the optimizer.
        max_lr: the peak rate (one per group, or one for all).
        total_steps: the number of batches; or give ``epochs`` and ``steps_per_epoch``.
        epochs: the number of epochs (with ``steps_per_epoch``).
        steps_per_epoch: the batches per epoch (with ``epochs``).
        pct_start: the fraction of the steps spent rising (default 0.3).
        anneal_strategy: ``'cos'`` (default) or ``'linear'``.
        cycle_momentum: cycle the momentum (``momentum``, or Adam's β₁)
            inversely to the rate (default True).
        base_momentum: the lower momentum (default 0.85).
        max_momentum: the upper momentum (default 0.95).
        div_factor: ``initial_lr = max_lr / div_factor`` (default 25).
        final_div_factor: ``min_lr = initial_lr / final_div_factor`` (default 1e4).
        three_phase: use the three-phase schedule (default False).
        last_epoch: the index of the last batch (default −1).

    Example::

        sched = OneCycleLR(opt, max_lr=0.01, steps_per_epoch=len(loader), epochs=10)
    """

    def __init__(
        self,
        optimizer: Any,
        max_lr: float | list[float],
        total_steps: int | None = None,
        epochs: int | None = None,
        steps_per_epoch: int | None = None,
        pct_start: float = 0.3,
        anneal_strategy: str = "cos",
        cycle_momentum: bool = True,
        base_momentum: float | list[float] = 0.85,
        max_momentum: float | list[float] = 0.95,
        div_factor: float = 25.0,
        final_div_factor: float = 1e4,
        three_phase: bool = False,
        last_epoch: int = -1,
    ) -> None:
        check_optimizer(optimizer)
        if total_steps is not None:
            self.total_steps = _positive_int("total_steps", total_steps)
        elif epochs is not None and steps_per_epoch is not None:
            epochs = _positive_int("epochs", epochs)
            self.total_steps = epochs * _positive_int("steps_per_epoch", steps_per_epoch)
        else:
            raise ValueError("You must define either total_steps OR (epochs AND steps_per_epoch)")
        if not isinstance(pct_start, float) or not 0 <= pct_start <= 1:
            raise ValueError(f"Expected float between 0 and 1 pct_start, but got {pct_start}")
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(
                f"anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy}"
            )
        self.anneal_strategy = anneal_strategy
        self.three_phase = bool(three_phase)
        self._schedule_phases = self._phases(pct_start)
        max_lrs = format_param("max_lr", optimizer, max_lr)
        if last_epoch == -1:
            for group, top in zip(optimizer.param_groups, max_lrs, strict=True):
                group["initial_lr"] = top / div_factor
                group["max_lr"] = top
                group["min_lr"] = group["initial_lr"] / final_div_factor
        self.cycle_momentum = bool(cycle_momentum)
        if self.cycle_momentum:
            self.use_beta1, _, _ = _init_momentum(
                optimizer, base_momentum, max_momentum, last_epoch
            )
        super().__init__(optimizer, last_epoch)

    def _phases(self, pct_start: float) -> list[dict[str, Any]]:
        """The phases: the step each ends at, and the group keys of its start and end values."""
        total = self.total_steps
        rise = float(pct_start * total) - 1
        if self.three_phase:
            rows = [
                (rise, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                (2 * rise, "max_lr", "initial_lr", "base_momentum", "max_momentum"),
                (total - 1, "initial_lr", "min_lr", "max_momentum", "max_momentum"),
            ]
        else:
            rows = [
                (rise, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                (total - 1, "max_lr", "min_lr", "base_momentum", "max_momentum"),
            ]
        return [dict(zip(_PHASE_KEYS, row, strict=True)) for row in rows]

    def _anneal(self, start: float, end: float, pct: float) -> float:
        """From ``start`` (pct = 0) to ``end`` (pct = 1), along a cosine or a line."""
        if self.anneal_strategy == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def get_lr(self) -> list[float]:
        """The rates at step ``last_epoch``; also sets the cycled momentum."""
        self._warn_if_called_outside_step()
        step = self.last_epoch
        if step > self.total_steps:
            raise ValueError(
                f"Tried to step {step} times. The specified number of total steps is "
                f"{self.total_steps}"
            )
        lrs = []
        for group in self.optimizer.param_groups:
            start_step = 0.0
            for i, phase in enumerate(self._schedule_phases):
                end_step = phase["end_step"]
                if step <= end_step or i == len(self._schedule_phases) - 1:
                    pct = (step - start_step) / (end_step - start_step)
                    lrs.append(self._anneal(group[phase["start_lr"]], group[phase["end_lr"]], pct))
                    if self.cycle_momentum:
                        momentum = self._anneal(
                            group[phase["start_momentum"]], group[phase["end_momentum"]], pct
                        )
                        _set_momentum(group, momentum, self.use_beta1)
                    break
                start_step = end_step
        return lrs
