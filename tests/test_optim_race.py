"""Seed 002's optimizer race, and where the book's and PyTorch's optimizers coincide.

f(x, y) = x²/20 + y², ∇f = (x/10, 2y), from (−7, 2), 30 steps, at the seed's
learning rates (SGD 0.95, Momentum 0.1, AdaGrad 1.5, Adam 0.3, RMSprop 0.3,
Nesterov 0.3). The PyTorch-style runs use one tensor [x, y] (f is separable).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import minigrad
from minigrad import optim
from minigrad.backend import to_host

book = optim.book

START = (-7.0, 2.0)
STEPS = 30
SEED_RACE: dict[str, Callable[[], Any]] = {  # the seed's OrderedDict, in its order
    "SGD": lambda: book.SGD(lr=0.95),
    "Momentum": lambda: book.Momentum(lr=0.1),
    "AdaGrad": lambda: book.AdaGrad(lr=1.5),
    "Adam": lambda: book.Adam(lr=0.3),
    "RMSprop": lambda: book.RMSprop(lr=0.3),
    "Nesterov": lambda: book.Nesterov(lr=0.3),
}


def df(x: Any, y: Any) -> tuple[Any, Any]:
    return x / 10.0, 2.0 * y


def book_path(opt: Any) -> np.ndarray:
    """The seed's loop: plain floats in dicts, 30 updates; returns the 31 points."""
    params = {"x": START[0], "y": START[1]}
    grads: dict[str, Any] = {}
    path = []
    for _ in range(STEPS):
        path.append((params["x"], params["y"]))
        grads["x"], grads["y"] = df(params["x"], params["y"])
        opt.update(params, grads)
    path.append((params["x"], params["y"]))
    return np.array(path)


def torch_style_path(
    make: Callable[[list[minigrad.Tensor]], optim.Optimizer],
    device: str,
    before_step: Callable[[optim.Optimizer, int], None] | None = None,
) -> np.ndarray:
    xy = minigrad.tensor(START, dtype=minigrad.float64, device=device, requires_grad=True)
    opt = make([xy])
    path = [START]
    for t in range(1, STEPS + 1):
        x, y = to_host(xy._array)
        xy.grad = minigrad.tensor(df(x, y), dtype=minigrad.float64, device=device)
        if before_step is not None:
            before_step(opt, t)
        opt.step()
        path.append(tuple(to_host(xy._array)))
    return np.array(path)


@pytest.mark.parametrize("name", list(SEED_RACE))
def test_every_optimizer_ends_closer_to_the_minimum(name: str) -> None:
    path = book_path(SEED_RACE[name]())
    start, end = math.hypot(*START), math.hypot(*path[-1])
    assert end < start
    assert end < 1.0  # all six get within 1 of (0, 0) in 30 steps (Momentum: 0.90)
    assert np.all(np.isfinite(path))


def test_array_and_float_parameters_race_alike() -> None:
    for name, make in SEED_RACE.items():
        floats = book_path(make())
        opt, params = make(), {"x": np.array(START[0]), "y": np.array(START[1])}
        for _ in range(STEPS):
            gx, gy = df(params["x"], params["y"])
            opt.update(params, {"x": gx, "y": gy})
        np.testing.assert_allclose([params["x"], params["y"]], floats[-1], rtol=1e-12, err_msg=name)


# ----------------------------------------------- the two fronts, where their formulas coincide
def test_sgd_is_the_same_rule(device: str) -> None:
    np.testing.assert_array_equal(
        torch_style_path(lambda p: optim.SGD(p, lr=0.95), device),
        book_path(book.SGD(lr=0.95)),
    )


def test_adagrad_is_the_same_rule_with_the_books_eps(device: str) -> None:
    np.testing.assert_array_equal(
        torch_style_path(lambda p: optim.Adagrad(p, lr=1.5, eps=1e-7), device),
        book_path(book.AdaGrad(lr=1.5)),
    )


def test_rmsprop_is_the_same_rule_with_the_books_eps(device: str) -> None:
    np.testing.assert_array_equal(
        torch_style_path(lambda p: optim.RMSprop(p, lr=0.3, alpha=0.99, eps=1e-7), device),
        book_path(book.RMSprop(lr=0.3, decay_rate=0.99)),
    )


def test_book_momentum_is_sgd_momentum_with_a_rescaled_velocity(device: str) -> None:
    # book: v ← αv − γg, θ ← θ + v;  PyTorch: b ← αb + g, θ ← θ − γb.  With a constant γ,
    # v = −γb at every step, so the paths agree to rounding (not bit for bit).
    np.testing.assert_allclose(
        torch_style_path(lambda p: optim.SGD(p, lr=0.1, momentum=0.9), device),
        book_path(book.Momentum(lr=0.1, momentum=0.9)),
        rtol=1e-12,
        atol=1e-14,
    )


def test_book_momentum_differs_once_the_learning_rate_changes() -> None:
    # With a changing γ the book's velocity keeps old learning rates: not PyTorch's rule.
    xy = minigrad.tensor(START, dtype=minigrad.float64, requires_grad=True)
    opt = optim.SGD([xy], lr=0.1, momentum=0.9)
    params = {"xy": np.array(START)}
    book_opt = book.Momentum(lr=0.1, momentum=0.9)
    for t in range(10):
        lr = 0.1 * 0.5**t
        opt.param_groups[0]["lr"] = book_opt.lr = lr
        xy.grad = minigrad.tensor(df(*xy._array), dtype=minigrad.float64)
        opt.step()
        book_opt.update(params, {"xy": np.array(df(*params["xy"]))})
    assert np.max(np.abs(xy._array - params["xy"])) > 0.1


def test_book_adam_is_adam_with_eps_before_the_bias_correction(device: str) -> None:
    # The book adds ε̂ = 1e-7 to √v; PyTorch adds ε to √v̂ = √v / √(1 − β₂ᵗ). They coincide
    # exactly (to rounding) when PyTorch's ε is ε̂ / √(1 − β₂ᵗ) at step t, ...
    def book_eps(opt: optim.Optimizer, t: int) -> None:
        opt.param_groups[0]["eps"] = 1e-7 / math.sqrt(1 - 0.999**t)

    book_run = book_path(book.Adam(lr=0.3))
    np.testing.assert_allclose(
        torch_style_path(lambda p: optim.Adam(p, lr=0.3), device, book_eps),
        book_run,
        rtol=1e-12,
        atol=1e-14,
    )
    # ... and with a fixed ε they differ only by an ε-sized amount.
    fixed = torch_style_path(lambda p: optim.Adam(p, lr=0.3, eps=1e-7), device)
    gap = np.max(np.abs(fixed - book_run))
    assert 0 < gap < 1e-4


def bengio_nesterov(lr: float, momentum: float) -> Callable[[dict, dict], None]:
    """Nesterov as in Bengio et al. 2012: θ ← θ + α²v_old − (1 + α)γg, then v ← αv − γg."""
    v: dict[str, Any] = {}

    def update(params: dict, grads: dict) -> None:
        for key in params:
            old = v.get(key, np.zeros_like(params[key]))
            params[key] = params[key] + momentum * momentum * old - (1 + momentum) * lr * grads[key]
            v[key] = momentum * old - lr * grads[key]

    return update


def test_nesterov_book_and_pytorch_are_different_rules(device: str) -> None:
    # PyTorch's SGD(nesterov=True) is Bengio et al.'s formula (the one the book cites) ...
    class Bengio:
        update = staticmethod(bengio_nesterov(0.3, 0.9))

    torch_nesterov = torch_style_path(
        lambda p: optim.SGD(p, lr=0.3, momentum=0.9, nesterov=True), device
    )
    np.testing.assert_allclose(torch_nesterov, book_path(Bengio()), rtol=1e-12, atol=1e-14)
    # ... but the book's code applies α² to the updated velocity, so its path is another one.
    book_nesterov = book_path(book.Nesterov(lr=0.3, momentum=0.9))
    assert np.max(np.abs(torch_nesterov - book_nesterov)) > 0.1
