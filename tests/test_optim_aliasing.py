"""Optimizers update each parameter in its own memory: every alias sees every update.

A reproduction from issue 9: after the first ``opt.step()`` the old optimizer
rebound each parameter to a view of its flat buffer, so a module's
``state_dict()`` taken before training kept the initial weights and
``w.detach()`` stopped following the weight. In PyTorch all of these alias the
live parameter; here too, on the flat path and the per-parameter path alike.
"""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import minigrad
from minigrad import nn, optim
from minigrad.backend import to_host

OPTIMIZERS: dict[str, Callable[[Any], optim.Optimizer]] = {
    "SGD": lambda params: optim.SGD(params, lr=0.1),
    "SGD-nesterov-decay": lambda params: optim.SGD(
        params, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01
    ),
    "Adagrad": lambda params: optim.Adagrad(params, lr=0.1),
    "RMSprop-centered": lambda params: optim.RMSprop(params, lr=0.01, centered=True, momentum=0.5),
    "Adadelta": lambda params: optim.Adadelta(params, lr=0.5),
    "Adam": lambda params: optim.Adam(params, lr=0.05),
    "AdamW-amsgrad": lambda params: optim.AdamW(params, lr=0.05, amsgrad=True),
    "Adamax": lambda params: optim.Adamax(params, lr=0.05),
    "NAdam": lambda params: optim.NAdam(params, lr=0.05),
    "RAdam": lambda params: optim.RAdam(params, lr=0.05),
    "Rprop": lambda params: optim.Rprop(params, lr=0.05),
    "ASGD": lambda params: optim.ASGD(params, lr=0.05),
}


def host(t: minigrad.Tensor) -> np.ndarray:
    return np.array(to_host(t.detach()._array), copy=True)


def train(model: nn.Module, opt: optim.Optimizer, steps: int, drop_grad_of: Any = None) -> None:
    first = next(model.parameters())
    x = minigrad.randn(5, first.shape[1], device=first.device)
    for _ in range(steps):
        opt.zero_grad()
        model(x).pow(2).mean().backward()
        if drop_grad_of is not None:  # a parameter without gradient: the per-parameter path
            drop_grad_of.grad = None
        opt.step()


@pytest.mark.parametrize("name", list(OPTIMIZERS))
@pytest.mark.parametrize("drop_grad", [False, True], ids=["flat", "per-parameter"])
def test_aliases_taken_before_training_see_every_update(
    name: str, drop_grad: bool, device: str
) -> None:
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2)).to(device)
    params = list(model.parameters())
    opt = OPTIMIZERS[name](model.parameters())
    state = model.state_dict()
    detached = [p.detach() for p in params]
    arrays = [p._array for p in params]  # the storage objects themselves
    initial = [host(p) for p in params]

    train(model, opt, 3, drop_grad_of=params[1] if drop_grad else None)

    for p, array, det, start, (key, entry) in zip(
        params, arrays, detached, initial, state.items(), strict=True
    ):
        assert p._array is array, key  # never rebound
        np.testing.assert_array_equal(host(det), host(p), err_msg=key)
        np.testing.assert_array_equal(host(entry), host(p), err_msg=key)
        if not (drop_grad and p is params[1]):
            assert not np.array_equal(host(p), start), key  # it did train


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_numpy_views_taken_at_any_time_see_every_update(name: str) -> None:
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    opt = OPTIMIZERS[name](model.parameters())
    before = [p.detach().numpy() for p in model.parameters()]
    train(model, opt, 2)
    between = [p.detach().numpy() for p in model.parameters()]
    train(model, opt, 2)
    for p, early, late in zip(model.parameters(), before, between, strict=True):
        np.testing.assert_array_equal(early, host(p))
        np.testing.assert_array_equal(late, host(p))
        assert np.shares_memory(early, late)


def test_a_saved_state_dict_taken_before_training_holds_the_trained_weights() -> None:
    # The reproduction: save after training from a dict taken before it.
    model = nn.Linear(3, 2)
    saved = model.state_dict()
    opt = optim.Adam(model.parameters(), lr=0.1)
    train(model, opt, 3)
    fresh = nn.Linear(3, 2)
    fresh.load_state_dict(saved)
    np.testing.assert_array_equal(host(fresh.weight), host(model.weight))


def test_every_update_moves_the_parameters_version() -> None:
    """One version per parameter per step: a backward that saved a parameter sees the write."""
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    params = list(model.parameters())
    for make in OPTIMIZERS.values():
        opt = make(model.parameters())
        for drop in (None, params[0]):  # flat path, then per-parameter path
            before = [p._version for p in params]
            train(model, opt, 1, drop_grad_of=drop)
            moved = [p._version - b for p, b in zip(params, before, strict=True)]
            assert moved == [0 if p is drop else 1 for p in params]


def test_the_flat_step_allocates_no_parameter_sized_arrays() -> None:
    """After the first step, Adam's grouped step reuses its buffers (no fresh big arrays)."""
    model = nn.Sequential(nn.Linear(200, 100), nn.ReLU(), nn.Linear(100, 50))
    opt = optim.Adam(model.parameters(), lr=1e-3)
    train(model, opt, 2)
    size = sum(p.numel() for p in model.parameters()) * 4  # bytes of one float32 copy
    tracemalloc.start()
    try:
        opt.step()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < size / 4
