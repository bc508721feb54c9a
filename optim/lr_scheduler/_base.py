"""The base class of the learning-rate schedulers and the checks they share."""

from __future__ import annotations

import inspect
import math
import numbers
import warnings
from typing import Any

from ..optimizer import Optimizer

__all__ = ["LRScheduler", "EPOCH_DEPRECATION_WARNING"]

EPOCH_DEPRECATION_WARNING = (
    "The epoch parameter in `scheduler.step()` was not necessary and is being deprecated "
    "where possible. Please use `scheduler.step()` to step the scheduler. During the "
    "deprecation, if epoch is different from None, the closed form is used instead of the "
    "new chainable form, where available."
)
# constructor arguments that __repr__ leaves out (shown otherwise, or not hyper-parameters)
_NOT_SHOWN = {"self", "optimizer", "last_epoch", "verbose"}


def check_optimizer(optimizer: Any) -> None:
    """A clear error unless ``optimizer`` has a ``param_groups`` list of dicts with ``'lr'``."""
    groups = getattr(optimizer, "param_groups", None)
    if not isinstance(groups, list) or not all(isinstance(g, dict) for g in groups):
        raise TypeError(
            f"{type(optimizer).__name__} is not an Optimizer "
            "(a scheduler needs an object with a param_groups list of dicts)"
        )
    for index, group in enumerate(groups):
        if "lr" not in group:
            raise KeyError(f"param_groups[{index}] has no 'lr' entry")


def check_int(name: str, value: Any, minimum: int) -> int:
    """``value`` as an int, or a clear error unless it is an integer ≥ ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def check_count(name: str, value: Any, minimum: int) -> int | float:
    """A number of epochs or steps: any real number ≥ ``minimum``, as PyTorch takes them
    unchecked (``StepLR(opt, 1.0)`` appears in its tutorials); an int stays an int."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {value!r}")
    if not float(value) >= minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value) if isinstance(value, numbers.Integral) else float(value)


def check_real(name: str, value: Any, *, positive: bool = False) -> float:
    """``value`` as a float, or a clear error unless it is a finite number ≥ 0 (> 0)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    value = float(value)
    if not math.isfinite(value) or value < 0 or (positive and value == 0):
        raise ValueError(f"{name} must be {'> 0' if positive else '>= 0'}, got {value}")
    return value


def format_param(name: str, optimizer: Any, value: Any) -> list[Any]:
    """One value per parameter group: a list of that length, or one value repeated."""
    groups = len(optimizer.param_groups)
    if isinstance(value, (list, tuple)):
        if len(value) != groups:
            raise ValueError(
                f"{name} must have the same length as optimizer.param_groups. "
                f"{name} has {len(value)} values, param_groups has {groups}."
            )
        return list(value)
    return [value] * groups


class LRScheduler:
    r"""Base class of the learning-rate schedulers.

    Subclasses implement :meth:`get_lr`, the rates for epoch ``last_epoch``.
    :meth:`step` advances ``last_epoch`` by one and writes the new rates into
    ``optimizer.param_groups``:

    .. code-block:: text

        construction:  group['initial_lr'] ← group['lr'] (if last_epoch = −1)
                       base_lrs ← [group['initial_lr'] ...]
                       step()                      (last_epoch becomes 0)
        step():        last_epoch ← last_epoch + 1
                       group['lr'] ← get_lr()[i]   for every group i

    Args:
        optimizer: the optimizer whose learning rates are scheduled (any
            object with a ``param_groups`` list of dicts with ``'lr'``).
        last_epoch: index of the last epoch seen; ``-1`` (default) starts a
            new schedule. A value ≥ 0 resumes one and needs ``'initial_lr'`` in
            every group (restored by ``optimizer.load_state_dict``).

    To resume training, build the scheduler *before* loading the optimizer's
    state dict (building it may set the rates), then load both states::

        sched = StepLR(opt, step_size=30)
        opt.load_state_dict(checkpoint["optimizer"])
        sched.load_state_dict(checkpoint["scheduler"])
    """

    _get_lr_called_within_step: bool = False
    _is_initial: bool = False

    def __init__(self, optimizer: Any, last_epoch: int = -1) -> None:
        check_optimizer(optimizer)
        last_epoch = check_int("last_epoch", last_epoch, -1)
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for index, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(
                        f"param 'initial_lr' is not specified in param_groups[{index}] when "
                        "resuming a scheduler with last_epoch >= 0: load the optimizer's state "
                        "dict first, or use last_epoch=-1 for a new schedule"
                    )
        self.base_lrs: list[float] = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._initial_step()

    def _initial_step(self) -> None:
        """Set the rates of epoch ``last_epoch + 1`` (0 for a new schedule)."""
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def state_dict(self) -> dict[str, Any]:
        """The scheduler's state: every attribute except the optimizer."""
        return {key: value for key, value in self.__dict__.items() if key != "optimizer"}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a state saved by :meth:`state_dict`."""
        self.__dict__.update(state_dict)

    def get_last_lr(self) -> list[float]:
        """The learning rates set by the last :meth:`step`, one per parameter group."""
        return list(self._last_lr)

    def get_lr(self) -> list[float]:
        """The learning rates for epoch ``last_epoch`` (used by :meth:`step`)."""
        raise NotImplementedError

    def _warn_if_called_outside_step(self) -> None:
        if not self._get_lr_called_within_step:
            warnings.warn(
                "To get the last learning rate computed by the scheduler, "
                "please use `get_last_lr()`.",
                UserWarning,
                stacklevel=3,
            )

    def _current_lrs(self) -> list[float]:
        return [group["lr"] for group in self.optimizer.param_groups]

    def step(self, epoch: int | None = None) -> None:
        """Advance one epoch and set the new learning rates.

        Call it after ``optimizer.step()``; calling it before skips the first
        value of the schedule (a warning says so). ``epoch`` (deprecated, as in
        PyTorch) jumps to that epoch, through the closed form where the
        scheduler has one.
        """
        if (
            self._step_count == 1
            and isinstance(self.optimizer, Optimizer)
            and not self.optimizer._opt_called
        ):
            warnings.warn(
                "Detected call of `lr_scheduler.step()` before `optimizer.step()`. "
                "Call them in the opposite order: `optimizer.step()` before "
                "`lr_scheduler.step()`. Failure to do this will result in skipping the first "
                "value of the learning rate schedule.",
                UserWarning,
                stacklevel=2,
            )
        self._step_count += 1
        if epoch is not None:
            warnings.warn(EPOCH_DEPRECATION_WARNING, UserWarning, stacklevel=2)
        self._update_lr(epoch)

    def _update_lr(self, epoch: int | None = None) -> None:
        """Set the rates of the next epoch, or of ``epoch`` (closed form when there is one)."""
        groups = self.optimizer.param_groups
        if len(groups) != len(self.base_lrs):
            raise RuntimeError(
                f"the optimizer has {len(groups)} parameter groups but the scheduler was "
                f"created for {len(self.base_lrs)}; create the scheduler after adding all groups"
            )
        self._get_lr_called_within_step = True
        try:
            if epoch is None:
                self.last_epoch += 1
                values = self.get_lr()
            else:
                self.last_epoch = epoch
                values = self._get_closed_form_lr() or self.get_lr()
        finally:
            self._get_lr_called_within_step = False
        for group, lr in zip(groups, values, strict=True):
            group["lr"] = lr
        self._last_lr = self._current_lrs()

    def _get_closed_form_lr(self) -> list[float] | None:
        """The rates of epoch ``last_epoch`` from ``base_lrs`` alone; None where the schedule
        has no closed form (its rates depend on the path)."""
        return None

    def __repr__(self) -> str:
        """The class, its hyper-parameters, the epoch and the last rates, one line."""
        shown = []
        for name in inspect.signature(type(self).__init__).parameters:
            if name not in _NOT_SHOWN and name in self.__dict__:
                shown.append(f"{name}={getattr(self, name)!r}")
        shown += [f"last_epoch={self.last_epoch}", f"last_lr={self._last_lr!r}"]
        return f"{type(self).__name__}({', '.join(shown)})"
