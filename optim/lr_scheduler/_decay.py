"""Schedules that scale the rate by factors: by a function, in steps, exponentially, linearly,
by a constant for a while, or along a polynomial."""

from __future__ import annotations

import numbers
import types
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from ._base import LRScheduler, check_count, check_optimizer, check_real

__all__ = [
    "LambdaLR",
    "MultiplicativeLR",
    "StepLR",
    "MultiStepLR",
    "ExponentialLR",
    "ConstantLR",
    "LinearLR",
    "PolynomialLR",
]


def _lambdas(optimizer: Any, lr_lambda: Any) -> list[Callable[[int], float]]:
    """One callable per parameter group (a list of them, or one function for every group)."""
    check_optimizer(optimizer)
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
            raise TypeError(f"lr_lambda should be a function, but got {type(fn).__name__}")
    return lambdas


class _LambdaScheduler(LRScheduler):
    """A scheduler driven by one function of the epoch per group (saving only callable objects)."""

    lr_lambdas: list[Callable[[int], float]]

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


class LambdaLR(_LambdaScheduler):
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
        self.lr_lambdas = _lambdas(optimizer, lr_lambda)
        super().__init__(optimizer, last_epoch)

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
        self.step_size = check_count("step_size", step_size, 1)
        self.gamma = check_real("gamma", gamma, positive=True)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """The current rates, times ``gamma`` at a non-zero multiple of ``step_size``."""
        self._warn_if_called_outside_step()
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]

    def _get_closed_form_lr(self) -> list[float]:
        return [base * self.gamma ** (self.last_epoch // self.step_size) for base in self.base_lrs]


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
        milestones: Iterable[float],
        gamma: float = 0.1,
        last_epoch: int = -1,
    ) -> None:
        if isinstance(milestones, numbers.Number) or not isinstance(milestones, Iterable):
            raise TypeError(f"milestones must be a list of epoch indices, got {milestones!r}")
        milestones = [check_count("milestone", m, 0) for m in milestones]
        if milestones != sorted(milestones):
            raise ValueError(
                f"milestones should be a list of increasing integers, got {milestones}"
            )
        self.milestones = Counter(milestones)
        self.gamma = check_real("gamma", gamma, positive=True)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """The current rates, times ``gamma ** k`` at an epoch listed ``k`` times."""
        self._warn_if_called_outside_step()
        if self.last_epoch not in self.milestones:
            return self._current_lrs()
        factor = self.gamma ** self.milestones[self.last_epoch]
        return [lr * factor for lr in self._current_lrs()]

    def _get_closed_form_lr(self) -> list[float]:
        passed = sum(count for m, count in self.milestones.items() if m <= self.last_epoch)
        return [base * self.gamma**passed for base in self.base_lrs]


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
        self.gamma = check_real("gamma", gamma, positive=True)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """The current rates times ``gamma`` (unchanged at construction)."""
        self._warn_if_called_outside_step()
        if self._is_initial:
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]

    def _get_closed_form_lr(self) -> list[float]:
        return [base * self.gamma**self.last_epoch for base in self.base_lrs]


class MultiplicativeLR(_LambdaScheduler):
    r"""Multiply each group's rate by a function of the epoch, every epoch.

    .. code-block:: text

        lr(0) = initial_lr
        lr(epoch) = lr(epoch − 1) × lr_lambda(epoch)        for epoch ≥ 1

    Args:
        optimizer: the optimizer.
        lr_lambda: a function of the epoch (an int) returning the factor, or a
            list of such functions, one per parameter group.
        last_epoch: the index of the last epoch (default −1).

    Example::

        sched = MultiplicativeLR(opt, lr_lambda=lambda epoch: 0.95)
    """

    def __init__(
        self,
        optimizer: Any,
        lr_lambda: Callable[[int], float] | list[Callable[[int], float]],
        last_epoch: int = -1,
    ) -> None:
        self.lr_lambdas = _lambdas(optimizer, lr_lambda)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """The current rates times ``lr_lambda(last_epoch)`` (unchanged at construction)."""
        self._warn_if_called_outside_step()
        if self._is_initial:
            return self._current_lrs()
        return [
            lr * fn(self.last_epoch)
            for fn, lr in zip(self.lr_lambdas, self._current_lrs(), strict=True)
        ]


class ConstantLR(LRScheduler):
    r"""Multiply the rate by a constant ``factor`` until epoch ``total_iters``.

    .. code-block:: text

        lr(epoch) = initial_lr × factor      for epoch < total_iters
        lr(epoch) = initial_lr               for epoch ≥ total_iters

    (chainable form: ``lr ← lr × factor`` at epoch 0, ``lr ← lr / factor`` at
    ``total_iters``). A warm-up at a reduced rate.

    Args:
        optimizer: the optimizer.
        factor: the factor, in [0, 1] (default 1/3).
        total_iters: the number of epochs with the reduced rate (default 5).
        last_epoch: the index of the last epoch (default −1).
    """

    def __init__(
        self, optimizer: Any, factor: float = 1.0 / 3, total_iters: int = 5, last_epoch: int = -1
    ) -> None:
        if not 0 <= check_real("factor", factor) <= 1:
            raise ValueError("Constant multiplicative factor expected to be between 0 and 1.")
        self.factor = float(factor)
        self.total_iters = check_count("total_iters", total_iters, 0)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """``lr × factor`` at epoch 0, ``lr / factor`` at ``total_iters``, else ``lr``."""
        self._warn_if_called_outside_step()
        if self.last_epoch == 0:
            return [lr * self.factor for lr in self._current_lrs()]
        if self.last_epoch != self.total_iters:
            return self._current_lrs()
        return [lr * (1.0 / self.factor) for lr in self._current_lrs()]

    def _get_closed_form_lr(self) -> list[float]:
        reached = self.last_epoch >= self.total_iters
        return [base * (self.factor + reached * (1 - self.factor)) for base in self.base_lrs]


class LinearLR(LRScheduler):
    r"""Change the rate linearly from ``start_factor`` to ``end_factor`` times it.

    .. code-block:: text

        lr(epoch) = initial_lr × (s + (e − s) × min(epoch, total_iters) / total_iters)

    with s = ``start_factor``, e = ``end_factor``. Chainable form, as PyTorch:
    ``lr ← lr × s`` at epoch 0, then for 1 ≤ epoch ≤ total_iters

    .. code-block:: text

        lr ← lr × (1 + (e − s) / (total_iters·s + (epoch − 1)(e − s)))

    Args:
        optimizer: the optimizer.
        start_factor: the factor at epoch 0, in (0, 1] (default 1/3).
        end_factor: the factor from ``total_iters`` on, in [0, 1] (default 1).
        total_iters: the number of epochs of the ramp (default 5).
        last_epoch: the index of the last epoch (default −1).

    Example (a linear warm-up over 5 epochs)::

        sched = LinearLR(opt, start_factor=0.1, total_iters=5)
    """

    def __init__(
        self,
        optimizer: Any,
        start_factor: float = 1.0 / 3,
        end_factor: float = 1.0,
        total_iters: int = 5,
        last_epoch: int = -1,
    ) -> None:
        if not 0 < check_real("start_factor", start_factor) <= 1:
            raise ValueError(
                "Starting multiplicative factor expected to be greater than 0 and less or equal "
                "to 1."
            )
        if not 0 <= check_real("end_factor", end_factor) <= 1:
            raise ValueError("Ending multiplicative factor expected to be between 0 and 1.")
        self.start_factor = float(start_factor)
        self.end_factor = float(end_factor)
        self.total_iters = check_count("total_iters", total_iters, 1)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """The next rates of the ramp (chainable form)."""
        self._warn_if_called_outside_step()
        start, end, total = self.start_factor, self.end_factor, self.total_iters
        if self.last_epoch == 0:
            return [lr * start for lr in self._current_lrs()]
        if self._is_initial or self.last_epoch > total:
            return self._current_lrs()
        factor = 1.0 + (end - start) / (total * start + (self.last_epoch - 1) * (end - start))
        return [lr * factor for lr in self._current_lrs()]

    def _get_closed_form_lr(self) -> list[float]:
        start, end, total = self.start_factor, self.end_factor, self.total_iters
        factor = start + (end - start) * min(total, self.last_epoch) / total
        return [base * factor for base in self.base_lrs]


class PolynomialLR(LRScheduler):
    r"""Decay the rate along a polynomial to 0 over ``total_iters`` epochs.

    .. code-block:: text

        lr(epoch) = initial_lr × (1 − min(epoch, total_iters) / total_iters) ^ power

    Chainable form, as PyTorch: for 1 ≤ epoch ≤ total_iters

    .. code-block:: text

        lr ← lr × ((1 − epoch/total_iters) / (1 − (epoch − 1)/total_iters)) ^ power

    Args:
        optimizer: the optimizer.
        total_iters: the number of epochs of the decay (default 5).
        power: the power of the polynomial (default 1: linear decay).
        last_epoch: the index of the last epoch (default −1).
    """

    def __init__(
        self, optimizer: Any, total_iters: int = 5, power: float = 1.0, last_epoch: int = -1
    ) -> None:
        self.total_iters = check_count("total_iters", total_iters, 1)
        self.power = check_real("power", power)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """The next rates of the decay (chainable form)."""
        self._warn_if_called_outside_step()
        epoch, total = self.last_epoch, self.total_iters
        if self._is_initial or epoch > total:
            return self._current_lrs()
        factor = ((1.0 - epoch / total) / (1.0 - (epoch - 1) / total)) ** self.power
        return [lr * factor for lr in self._current_lrs()]

    def _get_closed_form_lr(self) -> list[float]:
        factor = (1.0 - min(self.total_iters, self.last_epoch) / self.total_iters) ** self.power
        return [base * factor for base in self.base_lrs]
