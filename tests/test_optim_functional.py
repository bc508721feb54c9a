"""The array update rules of minigrad.optim._functional: arithmetic, in-place state, devices.

Each rule returns the step Δ (θ ← θ − Δ); ``F.apply_update`` applies it in place.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from minigrad import optim
from minigrad.backend import get_backend, to_host

F = optim._functional  # the update rules on arrays

# (rule, hyper-parameters) covering every branch that keeps state
RULES: list[tuple[Callable[..., Any], dict[str, Any]]] = [
    (F.sgd_update, {"lr": 0.1}),
    (F.sgd_update, {"lr": 0.1, "momentum": 0.9, "dampening": 0.1, "weight_decay": 0.01}),
    (F.sgd_update, {"lr": 0.1, "momentum": 0.9, "nesterov": True, "maximize": True}),
    (F.momentum_update, {"lr": 0.1, "momentum": 0.9}),
    (F.nesterov_update, {"lr": 0.1, "momentum": 0.9}),
    (F.adagrad_update, {"lr": 0.1, "lr_decay": 0.01, "initial_accumulator_value": 0.1}),
    (F.rmsprop_update, {"lr": 0.01, "weight_decay": 0.1}),
    (F.rmsprop_update, {"lr": 0.01, "momentum": 0.5, "centered": True}),
    (F.adam_update, {"lr": 0.01, "weight_decay": 0.1}),
    (
        F.adam_update,
        {"lr": 0.01, "amsgrad": True, "decoupled_weight_decay": True, "weight_decay": 0.1},
    ),
    (F.adam_update, {"lr": 0.01, "eps_hat": True, "eps": 1e-7}),
    (F.rprop_update, {"lr": 0.01}),
    (F.rprop_update, {"lr": 0.05, "etas": (0.3, 1.7), "step_sizes": (1e-3, 0.2), "maximize": True}),
    (F.asgd_update, {"lr": 0.01, "t0": 2, "lambd": 0.1, "weight_decay": 0.1}),
]
RULE_IDS = [f"{rule.__name__}-{i}" for i, (rule, _) in enumerate(RULES)]


def on(device: str, array: np.ndarray) -> Any:
    """A copy of a host array on ``device`` (NumPy, or the strict / CuPy device array)."""
    return get_backend(device).from_host(np.array(array), device)


@pytest.mark.parametrize(("rule", "hyper"), RULES, ids=RULE_IDS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_updates_in_place_and_reuses_its_state(
    rule: Callable[..., None], hyper: dict[str, Any], dtype: type, device: str
) -> None:
    rng = np.random.default_rng(1)
    param = on(device, rng.standard_normal((3, 4)).astype(dtype))
    before = to_host(param).copy()
    state: dict[str, Any] = {}
    grad_host = rng.standard_normal((3, 4)).astype(dtype)
    grad = on(device, grad_host)

    F.apply_update(rule, param, grad, state, **hyper)
    arrays = {k: v for k, v in state.items() if not isinstance(v, (int, float))}
    ids = {k: id(v) for k, v in arrays.items()}
    for _ in range(5):
        F.apply_update(
            rule, param, on(device, rng.standard_normal((3, 4)).astype(dtype)), state, **hyper
        )

    assert not np.allclose(to_host(param), before)  # the very same array object was updated
    assert to_host(param).dtype == dtype
    np.testing.assert_array_equal(to_host(grad), grad_host)  # the gradient is never modified
    assert {k: id(v) for k, v in state.items() if k in ids} == ids  # no new state arrays
    for name, value in arrays.items():
        assert type(value) is type(param), name  # state lives on the parameter's device
        assert value.dtype == dtype and value.shape == (3, 4), name
    if "step" in state:
        assert state["step"] == 6


def test_plain_sgd_keeps_no_state() -> None:
    param, state = np.array([1.0, 2.0]), {}
    F.apply_update(F.sgd_update, param, np.array([0.5, -1.0]), state, lr=0.1)
    np.testing.assert_allclose(param, [0.95, 2.1])
    assert state == {}


def test_sgd_momentum_buffer_starts_at_the_gradient_without_dampening() -> None:
    # PyTorch: b₁ = g₁ (dampening is not applied on the first step), b₂ = μ b₁ + (1 − τ) g₂
    param, state = np.array([0.0]), {}
    F.apply_update(F.sgd_update, param, np.array([1.0]), state, lr=1.0, momentum=0.5, dampening=0.5)
    np.testing.assert_allclose(state["momentum_buffer"], [1.0])
    np.testing.assert_allclose(param, [-1.0])
    F.apply_update(F.sgd_update, param, np.array([2.0]), state, lr=1.0, momentum=0.5, dampening=0.5)
    np.testing.assert_allclose(state["momentum_buffer"], [0.5 + 1.0])
    np.testing.assert_allclose(param, [-2.5])


def test_first_steps_of_the_adaptive_rules_by_hand() -> None:
    g = np.array([2.0, -0.5])
    # AdaGrad: s = g², θ −= γ g / (|g| + ε)
    p, s = np.zeros(2), {}
    F.apply_update(F.adagrad_update, p, g, s, lr=0.1, eps=0.0)
    np.testing.assert_allclose(p, [-0.1, 0.1])
    # RMSprop: v = (1 − α) g², θ −= γ g / (√(1 − α) |g| + ε)
    p, s = np.zeros(2), {}
    F.apply_update(F.rmsprop_update, p, g, s, lr=0.1, alpha=0.75, eps=0.0)
    np.testing.assert_allclose(p, [-0.2, 0.2])
    # Adam: m̂ = g, v̂ = g², so the first step is γ·sign(g)
    p, s = np.zeros(2), {}
    F.apply_update(F.adam_update, p, g, s, lr=0.1, eps=0.0)
    np.testing.assert_allclose(p, [-0.1, 0.1])
    np.testing.assert_allclose(s["exp_avg"], 0.1 * g)
    np.testing.assert_allclose(s["exp_avg_sq"], 0.001 * g * g)


def test_adam_eps_hat_is_eps_before_the_bias_correction() -> None:
    # The book's ε̂ (added to √v) equals ε = ε̂ / √(1 − β₂ᵗ) added to √v̂ (PyTorch's form).
    g = np.array([1e-6, 3e-7, 2.0])
    beta2, eps_hat = 0.999, 1e-7
    book, torch_form = np.ones(3), np.ones(3)
    F.apply_update(
        F.adam_update, book, g, {}, lr=0.1, betas=(0.9, beta2), eps=eps_hat, eps_hat=True
    )
    F.apply_update(
        F.adam_update,
        torch_form,
        g,
        {},
        lr=0.1,
        betas=(0.9, beta2),
        eps=eps_hat / math.sqrt(1 - beta2),
    )
    np.testing.assert_allclose(book, torch_form, rtol=1e-14)
    plain = np.ones(3)
    F.apply_update(F.adam_update, plain, g, {}, lr=0.1, betas=(0.9, beta2), eps=eps_hat)
    assert abs(plain[0] - book[0]) > 1e-3  # where g is tiny the two placements differ


def test_adamw_decay_is_decoupled_from_the_gradient() -> None:
    # With a zero gradient Adam's moments stay 0 and only the decay moves θ: θ ← θ(1 − γλ).
    p = np.array([2.0, -4.0])
    F.apply_update(
        F.adam_update, p, np.zeros(2), {}, lr=0.1, weight_decay=0.5, decoupled_weight_decay=True
    )
    np.testing.assert_allclose(p, [2.0 * 0.95, -4.0 * 0.95])
    p = np.array([2.0, -4.0])  # Adam's L2 penalty goes through the adaptive step instead
    F.apply_update(F.adam_update, p, np.zeros(2), {}, lr=0.1, weight_decay=0.5, eps=0.0)
    np.testing.assert_allclose(p, [1.9, -3.9])


def test_amsgrad_uses_the_largest_second_moment() -> None:
    p, s = np.zeros(1), {}
    F.apply_update(F.adam_update, p, np.array([10.0]), s, lr=0.1, amsgrad=True)
    peak = s["max_exp_avg_sq"].copy()
    F.apply_update(F.adam_update, p, np.array([0.1]), s, lr=0.1, amsgrad=True)
    assert s["exp_avg_sq"][0] < peak[0]
    np.testing.assert_array_equal(s["max_exp_avg_sq"], peak)


def test_zero_dimensional_arrays() -> None:
    # The book front runs plain floats as 0-d arrays: every rule must keep them arrays.
    for rule, hyper in RULES:
        p, s = np.array(1.0), {}
        for _ in range(3):
            F.apply_update(rule, p, np.array(0.5), s, **hyper)
        assert isinstance(p, np.ndarray) and p.shape == () and p != 1.0, rule.__name__
