"""ReduceLROnPlateau: cut the rate when a monitored quantity stops improving (seed 000)."""

from __future__ import annotations

import math
from typing import Any

from ._base import LRScheduler, check_count, check_optimizer, check_real

__all__ = ["ReduceLROnPlateau"]


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
        check_optimizer(optimizer)
        factor = check_real("factor", factor)
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
            self.min_lrs = [check_real("min_lr", m) for m in min_lr]
        else:
            self.default_min_lr = check_real("min_lr", min_lr)
            self.min_lrs = [self.default_min_lr] * len(optimizer.param_groups)
        self.patience = check_count("patience", patience, 0)
        self.cooldown = check_count("cooldown", cooldown, 0)
        self.eps = check_real("eps", eps)
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
        self.threshold = check_real("threshold", threshold)
        self.threshold_mode = threshold_mode
        self.mode_worse = math.inf if mode == "min" else -math.inf

    def _reset(self) -> None:
        """Reset the best value, the bad-epoch counter and the cooldown counter."""
        self.best = self.mode_worse
        self.cooldown_counter: float = 0
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
