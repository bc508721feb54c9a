"""Schedulers made of schedulers: one after another (SequentialLR), or all at once (Chained)."""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from typing import Any

from ._base import LRScheduler, check_count, check_int
from ._plateau import ReduceLROnPlateau

__all__ = ["SequentialLR", "ChainedScheduler"]


def _check_schedulers(owner: str, optimizer: Any, schedulers: Sequence[Any]) -> None:
    """PyTorch's checks: at least one scheduler, all of the same optimizer, no plateau one."""
    if len(schedulers) < 1:
        raise ValueError(f"{owner} expects at least one scheduler, but got no scheduler.")
    for index, scheduler in enumerate(schedulers):
        if not hasattr(scheduler, "optimizer"):
            raise TypeError(f"{owner} at index {index} should have `optimizer` as its attribute.")
        if isinstance(scheduler, ReduceLROnPlateau):
            raise ValueError(
                f"{owner} does not support `ReduceLROnPlateau` scheduler as it requires "
                "additional kwargs to be specified when calling `step`, but got one at index "
                f"{index} in the given schedulers sequence."
            )
        if scheduler.optimizer is not optimizer:
            raise ValueError(
                f"{owner} expects all schedulers to belong to the same optimizer, but got "
                f"scheduler {type(scheduler).__name__} at index {index} has "
                f"{scheduler.optimizer}, which is different from {type(optimizer).__name__}."
            )


class _Composite(LRScheduler):
    """Saving and printing for a scheduler that holds schedulers."""

    _schedulers: list[LRScheduler]

    def state_dict(self) -> dict[str, Any]:
        """Every attribute except the optimizer, with each inner scheduler's own state dict."""
        state = {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "_schedulers")}
        state["_schedulers"] = [s.state_dict() for s in self._schedulers]
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a state saved by :meth:`state_dict`, inner schedulers included."""
        state = dict(state_dict)
        inner = state.pop("_schedulers")
        self.__dict__.update(state)
        for scheduler, saved in zip(self._schedulers, inner, strict=True):
            scheduler.load_state_dict(saved)

    def __repr__(self) -> str:
        inner = ",\n".join(f"    {s!r}" for s in self._schedulers)
        return f"{type(self).__name__}(\n{inner}\n)"


class SequentialLR(_Composite):
    r"""Run schedulers one after another, switching at the given epochs.

    .. code-block:: text

        i = number of milestones ≤ epoch
        scheduler i sets the rate; at epoch milestones[i − 1] it restarts from its epoch 0

    At construction the rates go back to each group's ``initial_lr`` and only
    the first scheduler takes its initial step. A scheduler taking over at a
    milestone jumps to its epoch 0 (through its closed form where it has one).

    Args:
        optimizer: the optimizer of every scheduler.
        schedulers: the schedulers, in order (not ReduceLROnPlateau).
        milestones: the epochs at which the next scheduler takes over (one
            fewer than the schedulers).
        last_epoch: the index of the last epoch (default −1).

    Example (5 epochs of linear warm-up, then exponential decay)::

        warmup = LinearLR(opt, start_factor=0.1, total_iters=5)
        decay = ExponentialLR(opt, gamma=0.9)
        sched = SequentialLR(opt, schedulers=[warmup, decay], milestones=[5])
    """

    def __init__(
        self,
        optimizer: Any,
        schedulers: Sequence[LRScheduler],
        milestones: Sequence[float],
        last_epoch: int = -1,
    ) -> None:
        _check_schedulers(type(self).__name__, optimizer, schedulers)
        milestones = [check_count("milestone", m, 0) for m in milestones]
        if len(milestones) != len(schedulers) - 1:
            raise ValueError(
                "Sequential Schedulers expects number of schedulers provided to be one more than "
                f"the number of milestone points, but got number of schedulers {len(schedulers)} "
                f"and the number of milestones to be equal to {len(milestones)}"
            )
        self._schedulers = list(schedulers)
        self._milestones = milestones
        self.last_epoch = check_int("last_epoch", last_epoch, -1) + 1
        self.optimizer = optimizer
        for group in optimizer.param_groups:  # back to the initial rates ...
            group["lr"] = group["initial_lr"]
        self._undo_initial_steps(self)  # ... and undo the inner schedulers' initial steps
        first = self._schedulers[bisect.bisect_right(self._milestones, 0)]
        first._initial_step()
        self._last_lr = first.get_last_lr()

    def _undo_initial_steps(self, scheduler: Any) -> None:
        """Take back the epoch every (nested) scheduler counted at its construction."""
        if hasattr(scheduler, "_schedulers"):
            for inner in scheduler._schedulers:
                self._undo_initial_steps(inner)
        elif hasattr(scheduler, "last_epoch"):
            scheduler.last_epoch -= 1

    def step(self) -> None:  # type: ignore[override]
        """Advance one epoch with the scheduler in charge of it."""
        self.last_epoch += 1
        index = bisect.bisect_right(self._milestones, self.last_epoch)
        scheduler = self._schedulers[index]
        if index > 0 and self._milestones[index - 1] == self.last_epoch:
            scheduler._update_lr(0)
        else:
            scheduler.step()
        self._last_lr = scheduler.get_last_lr()


class ChainedScheduler(_Composite):
    r"""Step several schedulers together: their changes to the rate compose.

    .. code-block:: text

        step():  for each scheduler s in order: s.step()

    With chainable schedulers (which update the current rate) the factors
    multiply, e.g. ConstantLR(factor=0.1, total_iters=2) chained with
    ExponentialLR(gamma=0.9) gives 0.1·0.9ᵉ for epochs e < 2, then 0.9ᵉ.

    Args:
        schedulers: the schedulers (not ReduceLROnPlateau), of one optimizer.
        optimizer: that optimizer (default: the first scheduler's).
    """

    def __init__(self, schedulers: Sequence[LRScheduler], optimizer: Any = None) -> None:
        if len(schedulers) < 1:
            raise ValueError(
                f"{type(self).__name__} expects at least one scheduler to be chained, but got "
                "no scheduler."
            )
        optimizer = optimizer if optimizer is not None else schedulers[0].optimizer
        _check_schedulers(type(self).__name__, optimizer, schedulers)
        self._schedulers = list(schedulers)
        self.optimizer = optimizer
        self._last_lr = self._current_lrs()

    def step(self) -> None:  # type: ignore[override]
        """Step every scheduler, in order."""
        for scheduler in self._schedulers:
            scheduler.step()
        self._last_lr = self._current_lrs()
