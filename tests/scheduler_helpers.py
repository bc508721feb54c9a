"""Shared by the scheduler tests: an optimizer with two groups, and running a schedule."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import minigrad
from minigrad import optim

S = optim.lr_scheduler
EPOCHS = 200
BASE_LRS = [0.1, 0.05]  # two parameter groups with their own rates


def make_optimizer(lrs: list[float] = BASE_LRS) -> optim.SGD:
    """SGD with momentum over one parameter group per rate in ``lrs``."""
    groups = [{"params": [minigrad.zeros(2, requires_grad=True)], "lr": lr} for lr in lrs]
    return optim.SGD(groups, lr=1.0, momentum=0.9)


def run(sched: S.LRScheduler, opt: optim.Optimizer, epochs: int = EPOCHS) -> list[list[float]]:
    """The rates of epochs 0..epochs: at construction, then after each step()."""
    rates = [sched.get_last_lr()]
    assert rates[0] == [g["lr"] for g in opt.param_groups]
    for _ in range(epochs):
        opt.step()
        sched.step()
        rates.append(sched.get_last_lr())
        assert rates[-1] == [g["lr"] for g in opt.param_groups]
    return rates


def assert_schedule(rates: list[list[float]], closed_form: Callable[[float, int], float]) -> None:
    """Each epoch's rates equal ``closed_form(base_lr, epoch)`` for each group."""
    expected = [[closed_form(base, epoch) for base in BASE_LRS] for epoch in range(len(rates))]
    np.testing.assert_allclose(rates, expected, rtol=1e-10, atol=1e-15)
