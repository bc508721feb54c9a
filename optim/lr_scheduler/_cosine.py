"""Cosine schedules: annealing over one half period, and with warm restarts (SGDR)."""

from __future__ import annotations

import math
from typing import Any

from ._base import LRScheduler, check_count, check_real

__all__ = ["CosineAnnealingLR", "CosineAnnealingWarmRestarts"]


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
        self.T_max = check_count("T_max", T_max, 1)
        self.eta_min = check_real("eta_min", eta_min)
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

    def _get_closed_form_lr(self) -> list[float]:
        cosine = (1 + math.cos(math.pi * self.last_epoch / self.T_max)) / 2
        return [self.eta_min + (base - self.eta_min) * cosine for base in self.base_lrs]


class CosineAnnealingWarmRestarts(LRScheduler):
    r"""Cosine annealing with warm restarts (SGDR, Loshchilov & Hutter 2017).

    .. code-block:: text

        lr = eta_min + (initial_lr − eta_min) × (1 + cos(π · T_cur / T_i)) / 2

    ``T_cur`` counts the epochs since the last restart and ``T_i`` is the
    length of the current period: ``T_0`` first, then ``T_0·T_mult``,
    ``T_0·T_mult²``... At the end of a period the rate jumps back to
    ``initial_lr``. :meth:`step` may be called with a fractional ``epoch`` (for
    example ``epoch + i / iters`` inside an epoch), as in PyTorch.

    Args:
        optimizer: the optimizer.
        T_0: the length of the first period, in epochs (a positive integer).
        T_mult: the factor by which each period grows (an integer ≥ 1, default 1).
        eta_min: the minimum learning rate (default 0).
        last_epoch: the index of the last epoch (default −1).
    """

    def __init__(
        self,
        optimizer: Any,
        T_0: int,
        T_mult: int = 1,
        eta_min: float = 0.0,
        last_epoch: int = -1,
    ) -> None:
        if isinstance(T_0, bool) or not isinstance(T_0, int) or T_0 <= 0:
            raise ValueError(f"Expected positive integer T_0, but got {T_0}")
        if isinstance(T_mult, bool) or not isinstance(T_mult, int) or T_mult < 1:
            raise ValueError(f"Expected integer T_mult >= 1, but got {T_mult}")
        self.T_0 = T_0
        self.T_i = T_0
        self.T_mult = T_mult
        self.eta_min = check_real("eta_min", eta_min)
        self.T_cur: float = last_epoch
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """The rates at ``T_cur`` epochs into a period of ``T_i`` epochs."""
        self._warn_if_called_outside_step()
        cosine = (1 + math.cos(math.pi * self.T_cur / self.T_i)) / 2
        return [self.eta_min + (base - self.eta_min) * cosine for base in self.base_lrs]

    def step(self, epoch: float | None = None) -> None:
        """Advance one epoch, or go to ``epoch`` (may be fractional: per-batch stepping)."""
        if epoch is None and self.last_epoch < 0:
            epoch = 0
        if epoch is None:
            epoch = self.last_epoch + 1
            self.T_cur += 1
            if self.T_cur >= self.T_i:
                self.T_cur %= self.T_i
                self.T_i *= self.T_mult
        else:
            if epoch < 0:
                raise ValueError(f"Expected non-negative epoch, but got {epoch}")
            self.T_cur, self.T_i = self._position(epoch)
        self._step_count += 1
        self.last_epoch = math.floor(epoch)
        self._get_lr_called_within_step = True
        try:
            values = self.get_lr()
        finally:
            self._get_lr_called_within_step = False
        for group, lr in zip(self.optimizer.param_groups, values, strict=True):
            group["lr"] = lr
        self._last_lr = self._current_lrs()

    def _position(self, epoch: float) -> tuple[float, int]:
        """``(T_cur, T_i)`` at ``epoch``; the periods T_0, T_0·m, T_0·m²... (m = T_mult)
        start at epochs T_0(mⁿ − 1)/(m − 1)."""
        if epoch < self.T_0:
            return epoch, self.T_0
        if self.T_mult == 1:
            return epoch % self.T_0, self.T_0
        n = int(math.log(epoch / self.T_0 * (self.T_mult - 1) + 1, self.T_mult))
        start = self.T_0 * (self.T_mult**n - 1) / (self.T_mult - 1)
        return epoch - start, self.T_0 * self.T_mult**n
