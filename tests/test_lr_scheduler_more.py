"""The warm-up, cyclical, restarting and combining schedulers, each against a closed form.

Expected rates are derived here from each schedule's definition (a triangle
wave, the phases of 1cycle, the restart epochs of SGDR...), not from the
schedulers' own recursions; PyTorch's values are an optional extra check.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scheduler_helpers import BASE_LRS, assert_schedule, make_optimizer, run

import minigrad
from minigrad import optim

S = optim.lr_scheduler


def adam_groups(lrs: list[float] = BASE_LRS) -> optim.Adam:
    groups = [{"params": [minigrad.zeros(2, requires_grad=True)], "lr": lr} for lr in lrs]
    return optim.Adam(groups)


# -------------------------------------------------------- warm-up and decay factors
def test_multiplicative_lr() -> None:
    def factor(e: int) -> float:
        return 0.9 + 0.01 * (e % 3)

    opt = make_optimizer()
    rates = run(S.MultiplicativeLR(opt, factor), opt, epochs=60)
    assert_schedule(rates, lambda base, e: base * math.prod(factor(k) for k in range(1, e + 1)))


@given(factor=st.floats(0.05, 1.0), total=st.integers(1, 20))
def test_constant_lr(factor: float, total: int) -> None:
    opt = make_optimizer()
    rates = run(S.ConstantLR(opt, factor=factor, total_iters=total), opt, epochs=40)
    assert_schedule(rates, lambda base, e: base * (factor if e < total else 1.0))


@given(start=st.floats(0.05, 1.0), end=st.floats(0.0, 1.0), total=st.integers(1, 30))
def test_linear_lr(start: float, end: float, total: int) -> None:
    opt = make_optimizer()
    rates = run(S.LinearLR(opt, start, end, total), opt, epochs=50)
    assert_schedule(rates, lambda base, e: base * (start + (end - start) * min(e, total) / total))


@given(total=st.integers(1, 30), power=st.floats(0.5, 3.0))
def test_polynomial_lr(total: int, power: float) -> None:
    opt = make_optimizer()
    rates = run(S.PolynomialLR(opt, total_iters=total, power=power), opt, epochs=40)
    assert_schedule(rates, lambda base, e: base * (1 - min(e, total) / total) ** power)


# ------------------------------------------------------------------------ restarts
def sgdr(t0: int, t_mult: int, eta_min: float) -> Callable[[float, int], float]:
    """SGDR's rate: find the period holding ``epoch`` by walking the restarts."""

    def rate(base: float, epoch: int) -> float:
        start, length = 0, t0
        while epoch >= start + length:
            start, length = start + length, length * t_mult
        return eta_min + (base - eta_min) * (1 + math.cos(math.pi * (epoch - start) / length)) / 2

    return rate


@pytest.mark.parametrize(("t0", "t_mult", "eta_min"), [(5, 1, 0.0), (3, 2, 0.001), (2, 3, 0.0)])
def test_cosine_annealing_warm_restarts(t0: int, t_mult: int, eta_min: float) -> None:
    opt = make_optimizer()
    rates = run(S.CosineAnnealingWarmRestarts(opt, t0, t_mult, eta_min), opt, epochs=80)
    assert_schedule(rates, sgdr(t0, t_mult, eta_min))


def test_warm_restarts_with_fractional_epochs_as_in_the_docs() -> None:
    opt = make_optimizer()
    sched = S.CosineAnnealingWarmRestarts(opt, T_0=3, T_mult=2)
    for epoch in range(12):
        for i in range(4):
            sched.step(epoch + i / 4)
            t = epoch + i / 4  # periods [0, 3), [3, 9), [9, 21)
            start, length = (0, 3) if t < 3 else (3, 6) if t < 9 else (9, 12)
            want = [b * (1 + math.cos(math.pi * (t - start) / length)) / 2 for b in BASE_LRS]
            np.testing.assert_allclose(sched.get_last_lr(), want, rtol=1e-12)
    assert sched.last_epoch == 11


# -------------------------------------------------------------------------- CyclicLR
def triangle(t: int, up: int, down: int) -> tuple[float, int]:
    """The triangle wave's height in [0, 1] at iteration ``t``, and the cycle number (from 1)."""
    position = t % (up + down)
    height = position / up if position <= up else (up + down - position) / down
    return height, t // (up + down) + 1


@pytest.mark.parametrize("mode", ["triangular", "triangular2", "exp_range"])
def test_cyclic_lr_and_its_momentum(mode: str) -> None:
    up, down, gamma = 4, 2, 0.97
    opt = make_optimizer()
    sched = S.CyclicLR(
        opt, base_lr=[0.01, 0.02], max_lr=0.1, step_size_up=up, step_size_down=down, mode=mode,
        gamma=gamma, base_momentum=0.8, max_momentum=0.95,
    )  # fmt: skip
    for t in range(40):
        height, cycle = triangle(t, up, down)
        scale = {"triangular": 1.0, "triangular2": 0.5 ** (cycle - 1), "exp_range": gamma**t}[mode]
        want = [low + (0.1 - low) * height * scale for low in (0.01, 0.02)]
        np.testing.assert_allclose(sched.get_last_lr(), want, rtol=1e-10)
        momenta = [g["momentum"] for g in opt.param_groups]
        np.testing.assert_allclose(momenta, [0.95 - 0.15 * height * scale] * 2, rtol=1e-10)
        opt.step()
        sched.step()


def test_cyclic_lr_cycles_adams_beta1_and_takes_a_custom_scale() -> None:
    opt = adam_groups()
    sched = S.CyclicLR(
        opt, 0.001, 0.01, step_size_up=3, scale_fn=lambda x: 1 / (1 + x), scale_mode="iterations"
    )
    for t in range(1, 20):
        opt.step()
        sched.step()
        height, _ = triangle(t, 3, 3)
        np.testing.assert_allclose(sched.get_last_lr(), [0.001 + 0.009 * height / (1 + t)] * 2)
        assert opt.param_groups[0]["betas"] == (
            pytest.approx(0.9 - 0.1 * height / (1 + t)),
            0.999,
        )


# ------------------------------------------------------------------------ OneCycleLR
def one_cycle(
    max_lr: float, total: int, pct: float, strategy: str, three_phase: bool
) -> Callable[[int], tuple[float, float]]:
    """(rate, momentum) at step t from the phases' end points, div 25 and final div 1e4."""
    initial, top = max_lr / 25, max_lr
    low = initial / 1e4

    def anneal(a: float, b: float, p: float) -> float:
        return (
            b + (a - b) * (1 + math.cos(math.pi * p)) / 2 if strategy == "cos" else a + (b - a) * p
        )

    rise = pct * total - 1
    if three_phase:
        phases = [(rise, initial, top, 0.95, 0.85), (2 * rise, top, initial, 0.85, 0.95),
                  (total - 1, initial, low, 0.95, 0.95)]  # fmt: skip
    else:
        phases = [(rise, initial, top, 0.95, 0.85), (total - 1, top, low, 0.85, 0.95)]

    def at(t: int) -> tuple[float, float]:
        begin = 0.0
        for end, lr0, lr1, m0, m1 in phases:
            if t <= end or end == total - 1:
                p = (t - begin) / (end - begin)
                return anneal(lr0, lr1, p), anneal(m0, m1, p)
            begin = end
        raise AssertionError("unreachable")

    return at


@pytest.mark.parametrize("strategy", ["cos", "linear"])
@pytest.mark.parametrize("three_phase", [False, True])
@pytest.mark.parametrize("make_opt", [make_optimizer, adam_groups], ids=["SGD", "Adam"])
def test_one_cycle_lr(strategy: str, three_phase: bool, make_opt: Callable) -> None:
    total = 40
    opt = make_opt()
    sched = S.OneCycleLR(
        opt, max_lr=0.5, total_steps=total, pct_start=0.25, anneal_strategy=strategy,
        three_phase=three_phase,
    )  # fmt: skip
    expected = one_cycle(0.5, total, 0.25, strategy, three_phase)
    for t in range(total):
        lr, momentum = expected(t)
        np.testing.assert_allclose(sched.get_last_lr(), [lr, lr], rtol=1e-10)
        group = opt.param_groups[1]
        got = group["betas"][0] if "betas" in group else group["momentum"]
        assert got == pytest.approx(momentum, rel=1e-10)
        if t < total - 1:
            opt.step()
            sched.step()
    opt.step()
    sched.step()  # step `total` is allowed (PyTorch) ...
    with pytest.raises(ValueError, match="Tried to step 41 times"):
        sched.step()  # ... one more is not


def test_one_cycle_lr_from_epochs_and_steps_per_epoch() -> None:
    sched = S.OneCycleLR(make_optimizer(), max_lr=1.0, epochs=3, steps_per_epoch=7)
    assert sched.total_steps == 21
    assert sched.get_last_lr() == [pytest.approx(1 / 25)] * 2


# ------------------------------------------------------------------- combinations
def test_sequential_lr_warmup_then_decay() -> None:
    opt = make_optimizer()
    warmup = S.LinearLR(opt, start_factor=0.1, total_iters=3)
    decay = S.ExponentialLR(opt, gamma=0.9)
    sched = S.SequentialLR(opt, [warmup, decay], milestones=[3])
    rates = run(sched, opt, epochs=30)
    assert_schedule(rates, lambda b, e: b * (0.1 + 0.9 * e / 3) if e < 3 else b * 0.9 ** (e - 3))


def test_sequential_lr_restarts_the_next_scheduler_at_its_milestone() -> None:
    opt = make_optimizer()
    first = S.ConstantLR(opt, factor=0.5, total_iters=10)
    second = S.StepLR(opt, step_size=2, gamma=0.5)
    third = S.CosineAnnealingLR(opt, T_max=10)
    sched = S.SequentialLR(opt, [first, second, third], milestones=[4, 9])

    def closed(base: float, e: int) -> float:
        if e < 4:
            return base * 0.5
        if e < 9:
            return base * 0.5 ** ((e - 4) // 2)
        return base * (1 + math.cos(math.pi * (e - 9) / 10)) / 2

    assert_schedule(run(sched, opt, epochs=25), closed)


def test_chained_scheduler_multiplies_its_schedules() -> None:
    opt = make_optimizer()
    sched = S.ChainedScheduler([S.ConstantLR(opt, 0.1, total_iters=2), S.ExponentialLR(opt, 0.9)])
    rates = run(sched, opt, epochs=20)
    assert_schedule(rates, lambda b, e: b * 0.9**e * (0.1 if e < 2 else 1.0))


def test_combinations_refuse_plateau_and_foreign_optimizers() -> None:
    opt, other = make_optimizer(), make_optimizer()
    with pytest.raises(ValueError, match="does not support `ReduceLROnPlateau`"):
        S.SequentialLR(opt, [S.ReduceLROnPlateau(opt), S.StepLR(opt, 2)], [3])
    with pytest.raises(ValueError, match="belong to the same optimizer"):
        S.ChainedScheduler([S.StepLR(opt, 2), S.StepLR(other, 2)])
    with pytest.raises(ValueError, match="one more than the number of milestone"):
        S.SequentialLR(opt, [S.StepLR(opt, 2), S.StepLR(opt, 3)], [3, 5])
    with pytest.raises(ValueError, match="at least one scheduler"):
        S.ChainedScheduler([])


# ------------------------------------------------------------- saving and printing
SCHEDULERS: dict[str, Callable[[optim.Optimizer], Any]] = {
    "Multiplicative": lambda o: S.MultiplicativeLR(o, lambda e: 0.97),
    "Constant": lambda o: S.ConstantLR(o, 0.25, 6),
    "Linear": lambda o: S.LinearLR(o, 0.2, 0.9, 12),
    "Polynomial": lambda o: S.PolynomialLR(o, 15, 2.0),
    "WarmRestarts": lambda o: S.CosineAnnealingWarmRestarts(o, 4, 2, 0.001),
    "Cyclic": lambda o: S.CyclicLR(o, 0.01, 0.1, 3, 5, mode="triangular2"),
    "OneCycle": lambda o: S.OneCycleLR(o, 0.3, total_steps=60, three_phase=True),
    "Sequential": lambda o: S.SequentialLR(
        o, [S.LinearLR(o, 0.1, total_iters=4), S.CosineAnnealingLR(o, 9)], [4]
    ),
    "Chained": lambda o: S.ChainedScheduler([S.StepLR(o, 3, 0.5), S.ExponentialLR(o, 0.95)]),
}


@pytest.mark.parametrize("name", list(SCHEDULERS))
def test_state_dict_resume(name: str) -> None:
    make = SCHEDULERS[name]
    opt = make_optimizer()
    rates = run(make(opt), opt, epochs=40)

    first = make_optimizer()
    sched = make(first)
    run(sched, first, epochs=15)
    opt_state, sched_state = first.state_dict(), sched.state_dict()
    assert "optimizer" not in sched_state

    second = make_optimizer()
    resumed = make(second)
    second.load_state_dict(opt_state)
    resumed.load_state_dict(sched_state)
    assert resumed.get_last_lr() == rates[15]
    assert run(resumed, second, epochs=25)[1:] == rates[16:]


@pytest.mark.parametrize("name", list(SCHEDULERS))
def test_print_shows_the_class_its_arguments_and_the_last_rates(name: str) -> None:
    opt = make_optimizer()
    sched = SCHEDULERS[name](opt)
    text = repr(sched)
    assert text.startswith(type(sched).__name__ + "(")
    if name in ("Sequential", "Chained"):
        assert all(type(s).__name__ in text for s in sched._schedulers)
    else:
        assert f"last_lr={sched.get_last_lr()!r}" in text and "last_epoch=0" in text


def test_print_of_a_linear_warmup() -> None:
    sched = S.LinearLR(make_optimizer(), start_factor=0.5, total_iters=4)
    assert repr(sched) == (
        "LinearLR(start_factor=0.5, end_factor=1.0, total_iters=4, last_epoch=0, "
        "last_lr=[0.05, 0.025])"
    )


def test_step_with_an_epoch_is_deprecated_and_uses_the_closed_form() -> None:
    opt = make_optimizer()
    sched = S.PolynomialLR(opt, total_iters=10, power=2.0)
    opt.step()
    with pytest.warns(UserWarning, match="epoch parameter in `scheduler.step\\(\\)`"):
        sched.step(7)
    np.testing.assert_allclose(sched.get_last_lr(), [b * 0.3**2 for b in BASE_LRS])


@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (lambda o: S.ConstantLR(o, factor=1.5), ValueError, "between 0 and 1"),
        (lambda o: S.LinearLR(o, start_factor=0), ValueError, "greater than 0"),
        (lambda o: S.LinearLR(o, end_factor=1.5), ValueError, "Ending multiplicative"),
        (lambda o: S.PolynomialLR(o, total_iters=0), ValueError, "total_iters must be >= 1"),
        (lambda o: S.CosineAnnealingWarmRestarts(o, 0), ValueError, "positive integer T_0"),
        (lambda o: S.CosineAnnealingWarmRestarts(o, 2, 1.5), ValueError, "integer T_mult"),
        (lambda o: S.CyclicLR(o, 0.1, 1.0, mode="sawtooth"), ValueError, "mode is invalid"),
        (lambda o: S.CyclicLR(o, [0.1], 1.0), ValueError, "same length as optimizer"),
        (lambda o: S.OneCycleLR(o, 0.1), ValueError, "either total_steps OR"),
        (lambda o: S.OneCycleLR(o, 0.1, total_steps=0), ValueError, "positive integer"),
        (lambda o: S.OneCycleLR(o, 0.1, 10, pct_start=1.5), ValueError, "pct_start"),
        (lambda o: S.OneCycleLR(o, 0.1, 10, anneal_strategy="exp"), ValueError, "'cos' or"),
    ],
)
def test_invalid_arguments(make: Callable, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        make(make_optimizer())


def test_cycling_momentum_needs_an_optimizer_with_momentum() -> None:
    opt = optim.Adagrad([minigrad.zeros(2, requires_grad=True)])
    with pytest.raises(ValueError, match="must support momentum or beta1"):
        S.OneCycleLR(opt, 0.1, total_steps=10)
    S.OneCycleLR(opt, 0.1, total_steps=10, cycle_momentum=False)  # fine without


# ------------------------------------------------------------ optional: PyTorch itself
TORCH_CASES: dict[str, tuple[str, dict[str, Any]]] = {
    "Constant": ("ConstantLR", {"factor": 0.3, "total_iters": 4}),
    "Linear": ("LinearLR", {"start_factor": 0.2, "end_factor": 0.8, "total_iters": 7}),
    "Polynomial": ("PolynomialLR", {"total_iters": 9, "power": 1.5}),
    "WarmRestarts": ("CosineAnnealingWarmRestarts", {"T_0": 3, "T_mult": 2, "eta_min": 0.001}),
    "Cyclic": (
        "CyclicLR",
        {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 3, "mode": "exp_range", "gamma": 0.95},
    ),  # fmt: skip
    "OneCycle": ("OneCycleLR", {"max_lr": 0.3, "total_steps": 30, "three_phase": True}),
    "Multiplicative": ("MultiplicativeLR", {"lr_lambda": lambda e: 0.9}),
}


@pytest.mark.parametrize("name", list(TORCH_CASES))
def test_same_rates_and_momenta_as_pytorch(name: str) -> None:
    torch = pytest.importorskip("torch")
    cls_name, kwargs = TORCH_CASES[name]
    ours = make_optimizer()
    theirs = torch.optim.SGD(
        [{"params": [torch.zeros(2, requires_grad=True)], "lr": lr} for lr in BASE_LRS],
        lr=1.0,
        momentum=0.9,
    )
    mine, ref = (
        getattr(S, cls_name)(ours, **kwargs),
        getattr(torch.optim.lr_scheduler, cls_name)(theirs, **kwargs),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PyTorch's own step-order warning
        for _ in range(29):
            np.testing.assert_allclose(mine.get_last_lr(), ref.get_last_lr(), rtol=1e-12)
            momenta = [g["momentum"] for g in theirs.param_groups]
            np.testing.assert_allclose([g["momentum"] for g in ours.param_groups], momenta)
            ours.step()
            theirs.step()
            mine.step()
            ref.step()
