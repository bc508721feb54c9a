"""Training with every optimizer: a linear model learns y = xw + b from noisy data.

The model is hand-made (tensor parameters ``w``, ``b``) and the loss is
``((x @ w + b - y) ** 2).mean()``; gradients come from minigrad's autograd.
The noise has variance 1e-4, so the best reachable loss is about 1.1e-4.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import minigrad
from minigrad import optim

book, lr_scheduler = optim.book, optim.lr_scheduler

TRUE_W = np.array([[1.5], [-2.0], [0.5]])
TRUE_B = 0.3
STEPS = 200


def data(device: str) -> tuple[minigrad.Tensor, minigrad.Tensor]:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 3))
    y = x @ TRUE_W + TRUE_B + 0.01 * rng.standard_normal((64, 1))
    # float32, as the model (a matrix product of two dtypes is an error, as in PyTorch)
    return tuple(minigrad.tensor(a, dtype=minigrad.float32, device=device) for a in (x, y))


def model(device: str) -> tuple[minigrad.Tensor, minigrad.Tensor]:
    w = minigrad.zeros((3, 1), device=device, requires_grad=True)
    b = minigrad.zeros(1, device=device, requires_grad=True)
    return w, b


def mse(x: minigrad.Tensor, y: minigrad.Tensor, w: minigrad.Tensor, b: minigrad.Tensor):
    return ((x @ w + b - y) ** 2).mean()


# (optimizer, the loss it must reach in 200 full-batch steps from w = 0, b = 0)
TORCH_STYLE: dict[str, tuple[Callable[[list], optim.Optimizer], float]] = {
    "SGD": (lambda p: optim.SGD(p, lr=0.1), 2e-4),
    "SGD-momentum": (lambda p: optim.SGD(p, lr=0.05, momentum=0.9), 2e-4),
    "SGD-nesterov": (lambda p: optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True), 2e-4),
    "Adagrad": (lambda p: optim.Adagrad(p, lr=0.5), 2e-4),
    "RMSprop": (lambda p: optim.RMSprop(p, lr=0.03), 2e-4),
    "Adam": (lambda p: optim.Adam(p, lr=0.05), 2e-4),
    "AdamW": (lambda p: optim.AdamW(p, lr=0.05), 5e-4),  # the decay pulls w towards 0 a bit
    "Rprop": (lambda p: optim.Rprop(p, lr=0.01), 2e-4),
    "ASGD": (lambda p: optim.ASGD(p, lr=0.1, t0=100), 2e-4),
}


@pytest.mark.parametrize("name", list(TORCH_STYLE))
def test_torch_style_optimizers_fit_the_model(name: str, device: str) -> None:
    make, target = TORCH_STYLE[name]
    x, y = data(device)
    w, b = model(device)
    opt = make([w, b])
    first = float(mse(x, y, w, b))
    for _ in range(STEPS):
        opt.zero_grad()
        loss = mse(x, y, w, b)
        loss.backward()
        opt.step()
    final = float(mse(x, y, w, b))
    assert first > 5.0
    assert final < target, f"{name} reached {final:.3e}"
    np.testing.assert_allclose(w.detach().cpu().numpy(), TRUE_W, atol=0.02)


BOOK: dict[str, tuple[Callable[[], Any], float]] = {
    "SGD": (lambda: book.SGD(lr=0.1), 2e-4),
    "Momentum": (lambda: book.Momentum(lr=0.05), 2e-4),
    "Nesterov": (lambda: book.Nesterov(lr=0.05), 2e-4),
    "AdaGrad": (lambda: book.AdaGrad(lr=0.5), 2e-4),
    "RMSprop": (lambda: book.RMSprop(lr=0.03), 2e-4),
    "Adam": (lambda: book.Adam(lr=0.05), 2e-4),
}


@pytest.mark.parametrize("name", list(BOOK))
def test_book_optimizers_fit_the_model(name: str, device: str) -> None:
    """The book's loop: params and grads as dicts of arrays (here the tensors' arrays)."""
    make, target = BOOK[name]
    x, y = data(device)
    w, b = model(device)
    opt = make()
    for _ in range(STEPS):
        w.grad = b.grad = None
        mse(x, y, w, b).backward()
        opt.update({"W": w._array, "b": b._array}, {"W": w.grad._array, "b": b.grad._array})
    final = float(mse(x, y, w, b))
    assert final < target, f"{name} reached {final:.3e}"


def test_adaptive_learning_rate_on_mini_batches(device: str) -> None:
    """Seed 000: a large rate, halved by ReduceLROnPlateau when the epoch loss stalls."""
    x, y = data(device)
    w, b = model(device)
    opt = optim.SGD([w, b], lr=0.3, momentum=0.5)
    sched = lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=2)
    batches = list(zip(x.split(16), y.split(16), strict=True))
    for _ in range(60):
        total = 0.0
        for xb, yb in batches:
            opt.zero_grad()
            loss = mse(xb, yb, w, b)
            loss.backward()
            opt.step()
            total += float(loss)
        sched.step(total / len(batches))
    assert sched.get_last_lr()[0] < 0.3  # the rate was cut at least once
    assert float(mse(x, y, w, b)) < 2e-4


def test_step_lr_schedule_while_training(device: str) -> None:
    x, y = data(device)
    w, b = model(device)
    opt = optim.Adam([w, b], lr=0.1)
    sched = lr_scheduler.StepLR(opt, step_size=50, gamma=0.3)
    for _ in range(STEPS):
        opt.zero_grad()
        mse(x, y, w, b).backward()
        opt.step()
        sched.step()
    assert sched.get_last_lr() == pytest.approx([0.1 * 0.3**4])
    assert float(mse(x, y, w, b)) < 2e-4
