"""Learning-rate schedulers, as ``torch.optim.lr_scheduler``.

A scheduler changes ``group['lr']`` of every parameter group of an optimizer.
Call its :meth:`~LRScheduler.step` once per epoch (or per iteration), *after*
``optimizer.step()``::

    opt = minigrad.optim.SGD(model.parameters(), lr=0.1)
    sched = minigrad.optim.lr_scheduler.StepLR(opt, step_size=30, gamma=0.1)
    for epoch in range(100):
        train_one_epoch(model, opt)     # calls opt.step() many times
        sched.step()

Constructing a scheduler records each group's starting rate as
``group['initial_lr']`` (kept in :attr:`LRScheduler.base_lrs`) and sets
``last_epoch`` to 0. Epoch-based schedulers update the rate from its current
value ("chainable" form, as PyTorch does), so that two schedulers may act on
one optimizer; each class also documents its closed form, which the chainable
form equals while no one else changes the rate.

:class:`ReduceLROnPlateau` is different: ``step(loss)`` takes the monitored
value and cuts the rate when it stops improving.
"""

from __future__ import annotations

import math
import numbers
import types
import warnings
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from .optimizer import Optimizer

__all__ = [
    "LRScheduler",
    "LambdaLR",
    "StepLR",
    "MultiStepLR",
    "ExponentialLR",
    "CosineAnnealingLR",
    "ReduceLROnPlateau",
]


def _check_optimizer(optimizer: Any) -> None:
    groups = getattr(optimizer, "param_groups", None)
    if not isinstance(groups, list) or not all(isinstance(g, dict) for g in groups):
        raise TypeError(
            f"{type(optimizer).__name__} is not an Optimizer "
            "(a scheduler needs an object with a param_groups list of dicts)"
        )
    for index, group in enumerate(groups):
        if "lr" not in group:
            raise KeyError(f"param_groups[{index}] has no 'lr' entry")


def _check_int(name: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def _check_real(name: str, value: Any, *, positive: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    value = float(value)
    if not math.isfinite(value) or value < 0 or (positive and value == 0):
        raise ValueError(f"{name} must be {'> 0' if positive else '>= 0'}, got {value}")
    return value


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
        _check_optimizer(optimizer)
        last_epoch = _check_int("last_epoch", last_epoch, -1)
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

    def step(self) -> None:
        """Advance one epoch and set the new learning rates.

        Call it after ``optimizer.step()``; calling it before skips the first
        value of the schedule (a warning says so).
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
        groups = self.optimizer.param_groups
        if len(groups) != len(self.base_lrs):
            raise RuntimeError(
                f"the optimizer has {len(groups)} parameter groups but the scheduler was "
                f"created for {len(self.base_lrs)}; create the scheduler after adding all groups"
            )
        self.last_epoch += 1
        self._get_lr_called_within_step = True
        try:
            values = self.get_lr()
        finally:
            self._get_lr_called_within_step = False
        for group, lr in zip(groups, values, strict=True):
            group["lr"] = lr
        self._last_lr = self._current_lrs()


class LambdaLR(LRScheduler):
    r"""Set each group's rate to its initial rate times a function of the epoch.

    .. code-block:: text

        lr(epoch) = initial_lr × lr_lambda(epoch)

    Args:
        optimizer: the optimizer.
        lr_lambda: a function of the epoch (an int) returning a factor, or a
            list of such functions, one per parameter group.
        last_epoch: the index of the last epoch (default −1).

    Example::

        sched = LambdaLR(opt, lr_lambda=lambda epoch: 0.95 ** epoch)
    """

    def __init__(
        self,
        optimizer: Any,
        lr_lambda: Callable[[int], float] | list[Callable[[int], float]],
        last_epoch: int = -1,
    ) -> None:
        _check_optimizer(optimizer)
        if isinstance(lr_lambda, (list, tuple)):
            if len(lr_lambda) != len(optimizer.param_groups):
                raise ValueError(
                    f"Expected {len(optimizer.param_groups)} lr_lambdas, but got {len(lr_lambda)}"
                )
            lambdas = list(lr_lambda)
        else:
            lambdas = [lr_lambda] * len(optimizer.param_groups)
        for fn in lambdas:
            if not callable(fn):
                raise TypeError(f"lr_lambda must be callable, got {fn!r}")
        self.lr_lambdas = lambdas
        super().__init__(optimizer, last_epoch)

    def state_dict(self) -> dict[str, Any]:
        """The state; a lambda is saved only if it is a callable object (its ``__dict__``).

        Plain functions and lambdas cannot be saved; the scheduler that loads
        the state keeps its own.
        """
        state = {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "lr_lambdas")}
        state["lr_lambdas"] = [
            None if isinstance(fn, types.FunctionType) else dict(fn.__dict__)
            for fn in self.lr_lambdas
        ]
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a state saved by :meth:`state_dict`."""
        state = dict(state_dict)
        lr_lambdas = state.pop("lr_lambdas")
        self.__dict__.update(state)
        for fn, saved in zip(self.lr_lambdas, lr_lambdas, strict=True):
            if saved is not None:
                fn.__dict__.update(saved)

    def get_lr(self) -> list[float]:
        """``base_lr × lr_lambda(last_epoch)`` for each group."""
        self._warn_if_called_outside_step()
        return [
            base_lr * fn(self.last_epoch)
            for fn, base_lr in zip(self.lr_lambdas, self.base_lrs, strict=True)
        ]


class StepLR(LRScheduler):
    r"""Multiply the rate by ``gamma`` every ``step_size`` epochs.

    .. code-block:: text

        lr(epoch) = initial_lr × gamma ^ ⌊epoch / step_size⌋

    (chainable form: at every epoch that is a non-zero multiple of
    ``step_size``, ``lr ← lr × gamma``).

    Args:
        optimizer: the optimizer.
        step_size: period of the decay, in epochs (a positive integer).
        gamma: multiplicative factor (default 0.1).
        last_epoch: the index of the last epoch (default −1).

    Example (seed 004)::

        sched = StepLR(opt, step_size=10, gamma=0.1)   # 0.1 → 0.01 at epoch 10 → ...
    """

    def __init__(
        self, optimizer: Any, step_size: int, gamma: float = 0.1, last_epoch: int = -1
    ) -> None:
        self.step_size = _check_int("step_size", step_size, 1)
        self.gamma = _check_real("gamma", gamma, positive=True)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """The current rates, times ``gamma`` at a non-zero multiple of ``step_size``."""
        self._warn_if_called_outside_step()
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]


class MultiStepLR(LRScheduler):
    r"""Multiply the rate by ``gamma`` at each of the given epochs.

    .. code-block:: text

        lr(epoch) = initial_lr × gamma ^ (number of milestones ≤ epoch)

    Args:
        optimizer: the optimizer.
        milestones: epoch indices (non-negative integers, increasing); a
            milestone listed twice decays twice.
        gamma: multiplicative factor (default 0.1).
        last_epoch: the index of the last epoch (default −1).

    Example (seed 004)::

        sched = MultiStepLR(opt, milestones=[30, 80], gamma=0.1)
    """

    def __init__(
        self,
        optimizer: Any,
        milestones: Iterable[int],
        gamma: float = 0.1,
        last_epoch: int = -1,
    ) -> None:
        if isinstance(milestones, numbers.Number) or not isinstance(milestones, Iterable):
            raise TypeError(f"milestones must be a list of epoch indices, got {milestones!r}")
        milestones = [_check_int("milestone", m, 0) for m in milestones]
        if milestones != sorted(milestones):
            raise ValueError(
                f"milestones should be a list of increasing integers, got {milestones}"
            )
        self.milestones = Counter(milestones)
        self.gamma = _check_real("gamma", gamma, positive=True)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """The current rates, times ``gamma ** k`` at an epoch listed ``k`` times."""
        self._warn_if_called_outside_step()
        if self.last_epoch not in self.milestones:
            return self._current_lrs()
        factor = self.gamma ** self.milestones[self.last_epoch]
        return [lr * factor for lr in self._current_lrs()]


class ExponentialLR(LRScheduler):
    r"""Multiply the rate by ``gamma`` every epoch.

    .. code-block:: text

        lr(epoch) = initial_lr × gamma ^ epoch

    Args:
        optimizer: the optimizer.
        gamma: multiplicative factor per epoch.
        last_epoch: the index of the last epoch (default −1).

    Example (seed 004)::

        sched = ExponentialLR(opt, gamma=0.9)
    """

    def __init__(self, optimizer: Any, gamma: float, last_epoch: int = -1) -> None:
        self.gamma = _check_real("gamma", gamma, positive=True)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """The current rates times ``gamma`` (unchanged at construction)."""
        self._warn_if_called_outside_step()
        if self._is_initial:
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]


class CosineAnnealingLR(LRScheduler):
    r"""Anneal the rate along a cosine from ``initial_lr`` to ``eta_min`` over ``T_max`` epochs.

    .. code-block:: text

        lr(epoch) = eta_min + (initial_lr − eta_min) × (1 + cos(π · epoch / T_max)) / 2

    (SGDR, Loshchilov & Hutter 2017, without restarts). After ``T_max`` epochs
    the cosine continues, so the rate rises back to ``initial_lr`` at
    ``2·T_max`` and so on. Like PyTorch, the rate is updated recursively:

    .. code-block:: text

        lr ← eta_min + (lr − eta_min) × (1 + cos(π·e/T_max)) / (1 + cos(π·(e − 1)/T_max))

    except at the epochs where the denominator vanishes (e − 1 − T_max a
    multiple of 2·T_max), where ``lr ← lr + (initial_lr − eta_min)(1 − cos(π/T_max))/2``.

    Args:
        optimizer: the optimizer.
        T_max: number of epochs of the half cosine (a positive integer).
        eta_min: the minimum learning rate (default 0).
        last_epoch: the index of the last epoch (default −1).

    Example (seed 004)::

        sched = CosineAnnealingLR(opt, T_max=50)
    """

    def __init__(
        self, optimizer: Any, T_max: int, eta_min: float = 0.0, last_epoch: int = -1
    ) -> None:
        self.T_max = _check_int("T_max", T_max, 1)
        self.eta_min = _check_real("eta_min", eta_min)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """The next rates of the cosine schedule (recursive form)."""
        self._warn_if_called_outside_step()
        epoch, t_max, eta_min = self.last_epoch, self.T_max, self.eta_min
        if self._is_initial:
            return self._current_lrs()
        if self._step_count == 1 and epoch > 0:
            return [
                eta_min + (base_lr - eta_min) * (1 + math.cos(epoch * math.pi / t_max)) / 2
                for base_lr in self.base_lrs
            ]
        if (epoch - 1 - t_max) % (2 * t_max) == 0:
            return [
                lr + (base_lr - eta_min) * (1 - math.cos(math.pi / t_max)) / 2
                for lr, base_lr in zip(self._current_lrs(), self.base_lrs, strict=True)
            ]
        return [
            (1 + math.cos(math.pi * epoch / t_max))
            / (1 + math.cos(math.pi * (epoch - 1) / t_max))
            * (lr - eta_min)
            + eta_min
            for lr in self._current_lrs()
        ]


class ReduceLROnPlateau(LRScheduler):
    r"""Cut the learning rate when a monitored quantity stops improving.

    This is seed 000's "adaptive learning rate": start with a large rate, and
    whenever the epoch loss has not improved for a while, multiply the rate by
    a decay ratio (``factor``, typically 0.5 or 0.1). Call ``step(loss)`` once
    per epoch with the value to monitor:

    .. code-block:: text

        better(a, best) =  a < best·(1 − threshold)    mode='min', threshold_mode='rel'
                           a < best − threshold        mode='min', threshold_mode='abs'
                           a > best·(1 + threshold)    mode='max', threshold_mode='rel'
                           a > best + threshold        mode='max', threshold_mode='abs'
        step(a):
            if better(a, best):  best ← a; bad_epochs ← 0
            else:                bad_epochs ← bad_epochs + 1
            if cooling down:     cooldown_counter ← cooldown_counter − 1; bad_epochs ← 0
            if bad_epochs > patience:
                for each group i:
                    new ← max(lr·factor, min_lr[i])
                    if lr − new > eps:  lr ← new
                cooldown_counter ← cooldown; bad_epochs ← 0

    ``best`` starts at +∞ (``'min'``) or −∞ (``'max'``), so the first value
    always counts as an improvement.

    Args:
        optimizer: the optimizer.
        mode: ``'min'`` (default; the quantity should decrease, e.g. a loss)
            or ``'max'`` (e.g. an accuracy).
        factor: the rate is multiplied by this (0 ≤ factor < 1; default 0.1).
        patience: number of epochs without improvement tolerated before
            cutting (default 10).
        threshold: how much better a value must be to count (default 1e-4).
        threshold_mode: ``'rel'`` (default) or ``'abs'``.
        cooldown: epochs to wait after a cut before counting bad epochs again
            (default 0).
        min_lr: a lower bound on the rate: a number, or one per group (default 0).
        eps: cuts smaller than this are ignored (default 1e-8).
    """

    def __init__(
        self,
        optimizer: Any,
        mode: str = "min",
        factor: float = 0.1,
        patience: int = 10,
        threshold: float = 1e-4,
        threshold_mode: str = "rel",
        cooldown: int = 0,
        min_lr: float | list[float] = 0,
        eps: float = 1e-8,
    ) -> None:
        _check_optimizer(optimizer)
        factor = _check_real("factor", factor)
        if factor >= 1.0:
            raise ValueError(f"Factor should be < 1.0, got {factor}")
        self.factor = factor
        self.optimizer = optimizer
        if isinstance(min_lr, (list, tuple)):
            if len(min_lr) != len(optimizer.param_groups):
                raise ValueError(
                    f"expected {len(optimizer.param_groups)} min_lrs, got {len(min_lr)}"
                )
            self.default_min_lr: float | None = None
            self.min_lrs = [_check_real("min_lr", m) for m in min_lr]
        else:
            self.default_min_lr = _check_real("min_lr", min_lr)
            self.min_lrs = [self.default_min_lr] * len(optimizer.param_groups)
        self.patience = _check_int("patience", patience, 0)
        self.cooldown = _check_int("cooldown", cooldown, 0)
        self.eps = _check_real("eps", eps)
        self.last_epoch = 0
        self._last_lr = self._current_lrs()
        self._init_is_better(mode=mode, threshold=threshold, threshold_mode=threshold_mode)
        self._reset()

    def _init_is_better(self, mode: str, threshold: float, threshold_mode: str) -> None:
        if mode not in {"min", "max"}:
            raise ValueError(f"mode {mode!r} is unknown! Use 'min' or 'max'")
        if threshold_mode not in {"rel", "abs"}:
            raise ValueError(f"threshold mode {threshold_mode!r} is unknown! Use 'rel' or 'abs'")
        self.mode = mode
        self.threshold = _check_real("threshold", threshold)
        self.threshold_mode = threshold_mode
        self.mode_worse = math.inf if mode == "min" else -math.inf

    def _reset(self) -> None:
        """Reset the best value, the bad-epoch counter and the cooldown counter."""
        self.best = self.mode_worse
        self.cooldown_counter = 0
        self.num_bad_epochs = 0

    @property
    def in_cooldown(self) -> bool:
        """Whether the scheduler is waiting after a cut."""
        return self.cooldown_counter > 0

    def _is_better(self, a: float, best: float) -> bool:
        """Whether ``a`` improves on ``best`` by more than the threshold."""
        if self.mode == "min" and self.threshold_mode == "rel":
            return a < best * (1.0 - self.threshold)
        if self.mode == "min":
            return a < best - self.threshold
        if self.threshold_mode == "rel":
            return a > best * (self.threshold + 1.0)
        return a > best + self.threshold

    def step(self, metrics: Any) -> None:  # type: ignore[override]
        """Record one epoch's monitored value (a number or a one-element tensor)."""
        current = float(metrics.item() if hasattr(metrics, "item") else metrics)
        self.last_epoch += 1
        if self._is_better(current, self.best):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.in_cooldown:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0  # bad epochs in cooldown do not count
        if self.num_bad_epochs > self.patience:
            self._reduce_lr()
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = self._current_lrs()

    def _reduce_lr(self) -> None:
        groups = self.optimizer.param_groups
        if len(groups) != len(self.min_lrs):
            if self.default_min_lr is None:
                raise RuntimeError(
                    f"The number of param groups in the optimizer ({len(groups)}) differs from "
                    f"when ReduceLROnPlateau was initialized ({len(self.min_lrs)}); set its "
                    "min_lrs to one value per group"
                )
            self.min_lrs = [self.default_min_lr] * len(groups)
        for group, min_lr in zip(groups, self.min_lrs, strict=True):
            old_lr = float(group["lr"])
            new_lr = max(old_lr * self.factor, min_lr)
            if old_lr - new_lr > self.eps:
                group["lr"] = new_lr

    def get_lr(self) -> list[float]:
        """The current rates (this scheduler has no schedule of its own)."""
        return self._current_lrs()

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a state saved by :meth:`state_dict`."""
        self.__dict__.update(state_dict)
        self._init_is_better(
            mode=self.mode, threshold=self.threshold, threshold_mode=self.threshold_mode
        )
