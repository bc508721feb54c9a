"""minigrad.optim.lr_scheduler: each schedule against its closed form, PyTorch's semantics."""

from __future__ import annotations

import bisect
import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scheduler_helpers import BASE_LRS, EPOCHS, assert_schedule, make_optimizer, run

import minigrad
from minigrad import optim

S = optim.lr_scheduler

FAST = settings()  # example count and deadline: the profile loaded by conftest.py


# ------------------------------------------------------------ schedules vs closed forms
def step_lr(step_size: int, gamma: float) -> Callable[[float, int], float]:
    return lambda base, e: base * gamma ** (e // step_size)


def multistep_lr(milestones: list[int], gamma: float) -> Callable[[float, int], float]:
    return lambda base, e: base * gamma ** bisect.bisect_right(sorted(milestones), e)


def exponential_lr(gamma: float) -> Callable[[float, int], float]:
    return lambda base, e: base * gamma**e


def cosine_lr(t_max: int, eta_min: float) -> Callable[[float, int], float]:
    return lambda base, e: eta_min + (base - eta_min) * (1 + math.cos(math.pi * e / t_max)) / 2


SEED_004 = [  # the notes' four schedulers, with their arguments
    (lambda o: S.StepLR(o, step_size=10, gamma=0.1), step_lr(10, 0.1)),
    (lambda o: S.MultiStepLR(o, milestones=[30, 80], gamma=0.1), multistep_lr([30, 80], 0.1)),
    (lambda o: S.ExponentialLR(o, gamma=0.9), exponential_lr(0.9)),
    (lambda o: S.CosineAnnealingLR(o, T_max=50), cosine_lr(50, 0.0)),
]


@pytest.mark.parametrize(("make", "closed_form"), SEED_004, ids=["Step", "MultiStep", "Exp", "Cos"])
def test_seed_004_schedules(make: Callable, closed_form: Callable) -> None:
    opt = make_optimizer()
    assert_schedule(run(make(opt), opt), closed_form)


@FAST
@given(step_size=st.integers(1, 60), gamma=st.floats(0.05, 1.5))
def test_step_lr(step_size: int, gamma: float) -> None:
    opt = make_optimizer()
    assert_schedule(run(S.StepLR(opt, step_size, gamma), opt), step_lr(step_size, gamma))


@FAST
@given(milestones=st.lists(st.integers(0, 220), max_size=6).map(sorted), gamma=st.floats(0.1, 1.0))
def test_multistep_lr(milestones: list[int], gamma: float) -> None:
    opt = make_optimizer()
    rates = run(S.MultiStepLR(opt, milestones, gamma), opt)
    assert_schedule(rates, multistep_lr(milestones, gamma))


@FAST
@given(gamma=st.floats(0.9, 1.01))
def test_exponential_lr(gamma: float) -> None:
    opt = make_optimizer()
    assert_schedule(run(S.ExponentialLR(opt, gamma), opt), exponential_lr(gamma))


@FAST
@given(t_max=st.integers(1, 120), eta_min=st.sampled_from([0.0, 1e-4, 0.01]))
def test_cosine_annealing_lr(t_max: int, eta_min: float) -> None:
    # The rate follows the cosine past T_max too: back up to the base rate at 2·T_max, ...
    opt = make_optimizer()
    rates = run(S.CosineAnnealingLR(opt, t_max, eta_min), opt)
    assert_schedule(rates, cosine_lr(t_max, eta_min))


def test_lambda_lr_with_one_function_per_group() -> None:
    opt = make_optimizer()
    sched = S.LambdaLR(opt, [lambda e: 1 / (1 + e), lambda e: 0.95**e])
    rates = run(sched, opt)
    expected = [[0.1 / (1 + e), 0.05 * 0.95**e] for e in range(EPOCHS + 1)]
    np.testing.assert_allclose(rates, expected, rtol=1e-12)


def test_chained_schedulers_multiply() -> None:
    # The epoch-based schedulers update the current rate, so two of them compose (PyTorch).
    opt = make_optimizer()
    step, exp = S.StepLR(opt, 3, 0.5), S.ExponentialLR(opt, 0.9)
    for epoch in range(1, 40):
        opt.step()
        step.step()
        exp.step()
        want = [b * 0.5 ** (epoch // 3) * 0.9**epoch for b in BASE_LRS]
        np.testing.assert_allclose(exp.get_last_lr(), want, rtol=1e-12)


# ---------------------------------------------------------------------- semantics
def test_construction_records_initial_lr_and_keeps_the_rate() -> None:
    opt = make_optimizer()
    sched = S.ExponentialLR(opt, gamma=0.5)
    assert sched.last_epoch == 0
    assert sched.base_lrs == BASE_LRS
    assert [g["initial_lr"] for g in opt.param_groups] == BASE_LRS
    assert [g["lr"] for g in opt.param_groups] == BASE_LRS
    opt.param_groups[0]["initial_lr"] = 1.0  # an existing initial_lr is kept by a new scheduler
    assert S.StepLR(opt, 5).base_lrs == [1.0, 0.05]


def test_resume_needs_initial_lr() -> None:
    with pytest.raises(KeyError, match="initial_lr"):
        S.StepLR(make_optimizer(), step_size=5, last_epoch=10)


SCHEDULERS: list[Callable[[optim.Optimizer], S.LRScheduler]] = [
    lambda o: S.StepLR(o, 7, 0.5),
    lambda o: S.MultiStepLR(o, [5, 12, 12, 30], 0.3),
    lambda o: S.ExponentialLR(o, 0.95),
    lambda o: S.CosineAnnealingLR(o, 13, 0.001),
    lambda o: S.LambdaLR(o, lambda e: 1 / (1 + e)),
]


@pytest.mark.parametrize("make", SCHEDULERS, ids=["Step", "MultiStep", "Exp", "Cos", "Lambda"])
def test_state_dict_resume(make: Callable[[optim.Optimizer], S.LRScheduler]) -> None:
    opt = make_optimizer()
    rates = run(make(opt), opt, epochs=40)

    first = make_optimizer()
    sched = make(first)
    run(sched, first, epochs=15)
    opt_state, sched_state = first.state_dict(), sched.state_dict()
    assert "optimizer" not in sched_state and sched_state["last_epoch"] == 15

    second = make_optimizer()
    resumed = make(second)  # as in PyTorch: build the scheduler first, since building it
    second.load_state_dict(opt_state)  # may set the rates (LambdaLR), then load both states
    resumed.load_state_dict(sched_state)
    assert resumed.get_last_lr() == rates[15]
    assert run(resumed, second, epochs=25)[1:] == rates[16:]


def test_lambda_lr_saves_callable_objects_only() -> None:
    class Warmup:
        def __init__(self) -> None:
            self.factor = 0.5

        def __call__(self, epoch: int) -> float:
            return self.factor

    opt = make_optimizer()
    warm = Warmup()
    sched = S.LambdaLR(opt, [warm, lambda e: 1.0])
    assert sched.state_dict()["lr_lambdas"] == [{"factor": 0.5}, None]
    other_warm = Warmup()
    other_warm.factor = 0.1
    other = S.LambdaLR(make_optimizer(), [other_warm, lambda e: 1.0])
    other.load_state_dict(sched.state_dict())
    assert other_warm.factor == 0.5


def test_warns_when_stepped_before_the_optimizer() -> None:
    opt = make_optimizer()
    sched = S.StepLR(opt, 2)
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
        sched.step()
    opt = make_optimizer()
    sched = S.StepLR(opt, 2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        opt.step()
        sched.step()
    with pytest.warns(UserWarning, match="get_last_lr"):
        sched.get_lr()


def test_works_with_any_object_with_param_groups() -> None:
    class Bare:
        param_groups = [{"lr": 1.0}]

    bare = Bare()
    sched = S.MultiStepLR(bare, [2], gamma=0.5)
    sched.step()
    sched.step()
    assert bare.param_groups[0]["lr"] == 0.5


def test_groups_added_after_the_scheduler() -> None:
    opt = make_optimizer()
    sched = S.StepLR(opt, 2)
    opt.add_param_group({"params": [minigrad.zeros(1, requires_grad=True)]})
    opt.step()
    with pytest.raises(RuntimeError, match="create the scheduler after adding all groups"):
        sched.step()


@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (lambda o: S.StepLR(o, step_size=0), ValueError, "step_size must be >= 1"),
        (lambda o: S.StepLR(o, step_size="2"), TypeError, "step_size must be a number"),
        (lambda o: S.StepLR(o, 5, gamma=-0.1), ValueError, "gamma must be > 0"),
        (lambda o: S.MultiStepLR(o, [30, 10]), ValueError, "increasing"),
        (lambda o: S.MultiStepLR(o, [-1, 10]), ValueError, "milestone must be >= 0"),
        (lambda o: S.MultiStepLR(o, 30), TypeError, "milestones must be a list"),
        (lambda o: S.ExponentialLR(o, gamma=0), ValueError, "gamma must be > 0"),
        (lambda o: S.CosineAnnealingLR(o, T_max=0), ValueError, "T_max must be >= 1"),
        (lambda o: S.CosineAnnealingLR(o, 10, eta_min=-1), ValueError, "eta_min must be >= 0"),
        (lambda o: S.LambdaLR(o, [lambda e: 1.0]), ValueError, "Expected 2 lr_lambdas"),
        (lambda o: S.LambdaLR(o, 0.5), TypeError, "lr_lambda should be a function"),
        (lambda o: S.StepLR(o, 5, last_epoch=-2), ValueError, "last_epoch must be >= -1"),
        (lambda o: S.StepLR(object(), 5), TypeError, "is not an Optimizer"),
        (lambda o: S.ReduceLROnPlateau(o, factor=1.0), ValueError, "Factor should be < 1.0"),
        (lambda o: S.ReduceLROnPlateau(o, factor=-0.5), ValueError, "factor must be >= 0"),
        (lambda o: S.ReduceLROnPlateau(o, mode="avg"), ValueError, "mode 'avg' is unknown"),
        (lambda o: S.ReduceLROnPlateau(o, threshold_mode="x"), ValueError, "threshold mode"),
        (lambda o: S.ReduceLROnPlateau(o, patience=-1), ValueError, "patience must be >= 0"),
        (lambda o: S.ReduceLROnPlateau(o, cooldown=None), TypeError, "cooldown must be a number"),
        (lambda o: S.ReduceLROnPlateau(o, min_lr=[0.1]), ValueError, "expected 2 min_lrs"),
        (lambda o: S.ReduceLROnPlateau(o, min_lr=-1), ValueError, "min_lr must be >= 0"),
    ],
)
def test_invalid_arguments(make: Callable, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        make(make_optimizer())


# ---------------------------------------------------------------- ReduceLROnPlateau
def test_seed_000_adaptive_learning_rate() -> None:
    """Halve the rate when the epoch loss has not improved for `patience` epochs."""
    opt = make_optimizer([0.1])
    sched = S.ReduceLROnPlateau(opt, factor=0.5, patience=2)
    losses = [1.0, 0.8, 0.7, 0.7, 0.71, 0.72, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6]
    rates = []
    for loss in losses:
        sched.step(loss)
        rates.append(sched.get_last_lr()[0])
    # bad epochs: 0.7 (not < 0.7·(1 − 1e-4)), 0.71, 0.72 → the third one exceeds patience=2
    assert rates == [0.1] * 5 + [0.05] * 4 + [0.025] * 3 + [0.0125]
    assert sched.best == 0.6 and sched.last_epoch == len(losses)


def test_plateau_max_mode_abs_threshold_cooldown_and_min_lr() -> None:
    opt = make_optimizer()
    sched = S.ReduceLROnPlateau(
        opt,
        mode="max",
        factor=0.1,
        patience=0,
        threshold=0.05,
        threshold_mode="abs",
        cooldown=2,
        min_lr=[0.002, 0.0],
    )
    rates = []
    for value in [0.5, 0.54, 0.54, 0.54, 0.54, 0.6, 0.6]:
        sched.step(minigrad.tensor(value))  # a 0-d tensor works as the metric
        rates.append(sched.get_last_lr())
    np.testing.assert_allclose(
        rates,
        [
            [0.1, 0.05],  # first value: the new best
            [0.01, 0.005],  # 0.54 < 0.5 + 0.05: bad epoch > patience 0 → cut, cooldown 2
            [0.01, 0.005],
            [0.01, 0.005],  # cooldown: bad epochs ignored
            [0.002, 0.0005],  # cut again, the first group clipped at its min_lr
            [0.002, 0.0005],  # 0.6 > 0.5 + 0.05: a new best (and in cooldown anyway)
            [0.002, 0.0005],
        ],
        rtol=1e-12,
    )


def test_plateau_ignores_cuts_smaller_than_eps() -> None:
    opt = make_optimizer([1e-8])
    sched = S.ReduceLROnPlateau(opt, patience=0, eps=1e-8)
    for loss in [1.0, 2.0, 3.0]:
        sched.step(loss)
    assert sched.get_last_lr() == [1e-8]


def reference_plateau(kw: dict[str, Any], lr: float, losses: list[float]) -> list[float]:
    """ReduceLROnPlateau as PyTorch documents it, for one group."""
    best = math.inf if kw["mode"] == "min" else -math.inf
    bad = cooldown = 0
    out = []
    for a in losses:
        t = kw["threshold"]
        if kw["mode"] == "min":
            better = a < (best * (1 - t) if kw["threshold_mode"] == "rel" else best - t)
        else:
            better = a > (best * (1 + t) if kw["threshold_mode"] == "rel" else best + t)
        if better:
            best, bad = a, 0
        else:
            bad += 1
        if cooldown > 0:
            cooldown -= 1
            bad = 0
        if bad > kw["patience"]:
            new = max(lr * kw["factor"], kw["min_lr"])
            if lr - new > 1e-8:
                lr = new
            cooldown, bad = kw["cooldown"], 0
        out.append(lr)
    return out


@FAST
@given(
    kw=st.fixed_dictionaries(
        dict(
            mode=st.sampled_from(["min", "max"]),
            factor=st.sampled_from([0.1, 0.5, 0.9]),
            patience=st.integers(0, 4),
            threshold=st.sampled_from([0.0, 1e-4, 0.05]),
            threshold_mode=st.sampled_from(["rel", "abs"]),
            cooldown=st.integers(0, 3),
            min_lr=st.sampled_from([0.0, 1e-3]),
        )
    ),
    losses=st.lists(st.floats(0.0, 2.0), min_size=1, max_size=60),
)
def test_plateau_against_the_documented_rule(kw: dict[str, Any], losses: list[float]) -> None:
    opt = make_optimizer([0.1])
    sched = S.ReduceLROnPlateau(opt, **kw)
    rates = []
    for loss in losses:
        sched.step(loss)
        rates.append(sched.get_last_lr()[0])
    assert rates == reference_plateau(kw, 0.1, losses)


def test_plateau_state_dict() -> None:
    opt = make_optimizer()
    sched = S.ReduceLROnPlateau(opt, patience=1, cooldown=1)
    for loss in [1.0, 1.0, 1.0]:
        sched.step(loss)
    state = sched.state_dict()
    other = S.ReduceLROnPlateau(make_optimizer())
    other.load_state_dict(state)
    assert other.best == 1.0 and other.cooldown_counter == 1 and other.patience == 1


def test_epoch_counts_may_be_floats_as_in_pytorch():
    """PyTorch takes step sizes and periods unchecked; its tutorials pass StepLR(opt, 1.0)."""
    opt = optim.SGD([minigrad.zeros(1, requires_grad=True)], lr=1.0)
    sched = S.StepLR(opt, 1.0, gamma=0.5)
    rates = []
    for _ in range(3):
        opt.step()
        sched.step()
        rates.append(sched.get_last_lr()[0])
    assert rates == [0.5, 0.25, 0.125]
    opt = optim.SGD([minigrad.zeros(1, requires_grad=True)], lr=1.0)
    sched = S.StepLR(opt, 2.5, gamma=0.5)  # decays where the epoch is a multiple of 2.5
    for _ in range(5):
        opt.step()
        sched.step()
    assert sched.get_last_lr() == [0.5]
