"""Optimizer.state_dict / load_state_dict: PyTorch's format, exact resumption, devices."""

from __future__ import annotations

import pathlib
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import minigrad
from minigrad import optim
from minigrad.backend import to_host
from minigrad.serialization import load, save

MAKERS: dict[str, Callable[[list], optim.Optimizer]] = {
    "SGD": lambda groups: optim.SGD(groups, lr=0.05, momentum=0.9, nesterov=True),
    "Adagrad": lambda groups: optim.Adagrad(groups, lr=0.1, lr_decay=0.01),
    "RMSprop": lambda groups: optim.RMSprop(groups, lr=0.01, momentum=0.5, centered=True),
    "Adadelta": lambda groups: optim.Adadelta(groups, lr=0.5, rho=0.8),
    "Adam": lambda groups: optim.Adam(groups, lr=0.01, amsgrad=True, weight_decay=0.1),
    "AdamW": lambda groups: optim.AdamW(groups, lr=0.01),
    "Adamax": lambda groups: optim.Adamax(groups, lr=0.01, weight_decay=0.1),
    "NAdam": lambda groups: optim.NAdam(groups, lr=0.01, momentum_decay=0.01),
    "RAdam": lambda groups: optim.RAdam(groups, lr=0.01, decoupled_weight_decay=True),
    "Rprop": lambda groups: optim.Rprop(groups, lr=0.01, etas=(0.4, 1.3)),
    "ASGD": lambda groups: optim.ASGD(groups, lr=0.01, lambd=0.1, t0=3),
}
SHAPES = [(3, 2), (2,), (4,)]


def make(name: str, device: str, seed: int = 0) -> tuple[list[minigrad.Tensor], optim.Optimizer]:
    rng = np.random.default_rng(seed)
    params = [
        minigrad.tensor(
            rng.standard_normal(s), dtype=minigrad.float64, device=device, requires_grad=True
        )
        for s in SHAPES
    ]
    groups = [{"params": params[:2]}, {"params": params[2:], "lr": 0.02}]
    return params, MAKERS[name](groups)


def train(params: list[minigrad.Tensor], opt: optim.Optimizer, steps: int, start: int) -> None:
    """``steps`` updates whose gradients depend on the step index and the parameters."""
    for t in range(start, start + steps):
        rng = np.random.default_rng(1000 + t)
        for p in params:
            g = rng.standard_normal(p.shape) + 0.5 * to_host(p._array)
            p.grad = minigrad.tensor(g, dtype=p.dtype, device=p.device)
        opt.step()


@pytest.mark.parametrize("name", list(MAKERS))
def test_resuming_from_a_saved_state_is_exact(
    name: str, device: str, tmp_path: pathlib.Path, default_dtype: Any
) -> None:
    n, m = 7, 5
    ref_params, ref_opt = make(name, device)
    train(ref_params, ref_opt, n + m, start=0)

    params, opt = make(name, device)
    train(params, opt, n, start=0)
    save({"params": params, "optim": opt.state_dict()}, tmp_path / "ckpt.npz")
    checkpoint = load(tmp_path / "ckpt.npz")

    fresh_params = [p.detach().requires_grad_() for p in checkpoint["params"]]
    fresh = MAKERS[name]([{"params": fresh_params[:2]}, {"params": fresh_params[2:]}])
    fresh.load_state_dict(checkpoint["optim"])
    train(fresh_params, fresh, m, start=n)

    for got, want in zip(fresh_params, ref_params, strict=True):
        np.testing.assert_array_equal(to_host(got._array), to_host(want._array))


def test_state_dict_format() -> None:
    params, opt = make("Adam", "cpu")
    train(params, opt, 3, start=0)
    sd = opt.state_dict()
    assert sd.keys() == {"state", "param_groups"}
    assert sorted(sd["state"]) == [0, 1, 2]
    assert [g["params"] for g in sd["param_groups"]] == [[0, 1], [2]]
    assert [g["lr"] for g in sd["param_groups"]] == [0.01, 0.02]
    assert sd["param_groups"][0]["betas"] == (0.9, 0.999)
    entry = sd["state"][1]
    assert entry.keys() == {"step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"}
    assert isinstance(entry["step"], minigrad.Tensor) and entry["step"].shape == ()
    assert entry["step"].dtype == minigrad.float32 and entry["step"].item() == 3
    assert isinstance(entry["exp_avg"], minigrad.Tensor)
    assert entry["exp_avg"].shape == (2,) and entry["exp_avg"].dtype == minigrad.float64
    saved = to_host(entry["exp_avg"]._array).copy()
    train(params, opt, 1, start=3)  # the state dict holds copies: training on leaves it alone
    np.testing.assert_array_equal(to_host(entry["exp_avg"]._array), saved)
    assert sd["param_groups"][0]["params"] == [0, 1]


def test_sgd_without_momentum_has_no_state() -> None:
    (p,) = [minigrad.tensor([1.0], requires_grad=True)]
    opt = optim.SGD([p], lr=0.1)
    p.grad = minigrad.tensor([1.0])
    opt.step()
    assert opt.state_dict()["state"] == {}


def test_loading_moves_state_to_the_parameters_device(device: str) -> None:
    cpu_params, cpu_opt = make("Adam", "cpu")
    train(cpu_params, cpu_opt, 4, start=0)
    params = [p.detach().to(device).requires_grad_() for p in cpu_params]
    opt = optim.Adam([{"params": params[:2]}, {"params": params[2:]}])
    opt.load_state_dict(cpu_opt.state_dict())
    for p in params:
        for key, value in opt.state[p].items():
            assert isinstance(value, minigrad.Tensor), key
            if key == "step":  # a number (a 0-d tensor of the default dtype when read)
                assert opt.state[p].raw(key) == 4 and float(value) == 4
                continue
            assert type(value._array) is type(p._array), key  # on the parameter's device
            assert value._array is opt.state[p].raw(key), key
    assert [g["lr"] for g in opt.param_groups] == [0.01, 0.02]  # hyper-parameters come along
    train(params, opt, 3, start=4)
    train(cpu_params, cpu_opt, 3, start=4)
    for got, want in zip(params, cpu_params, strict=True):
        np.testing.assert_allclose(to_host(got._array), to_host(want._array), rtol=1e-12)


def test_loaded_state_is_independent_of_the_source() -> None:
    params, opt = make("SGD", "cpu")
    train(params, opt, 2, start=0)
    other = optim.SGD([{"params": params[:2]}, {"params": params[2:]}], lr=1.0)
    other.load_state_dict(opt.state_dict())
    mine, theirs = (
        other.state[params[0]]["momentum_buffer"],
        opt.state[params[0]]["momentum_buffer"],
    )
    np.testing.assert_array_equal(to_host(mine._array), to_host(theirs._array))
    assert not np.shares_memory(to_host(mine._array), to_host(theirs._array))
    before = mine.clone()
    train(params, opt, 1, start=2)
    np.testing.assert_array_equal(
        to_host(other.state[params[0]]["momentum_buffer"]._array), to_host(before._array)
    )
    assert not np.array_equal(to_host(theirs._array), to_host(before._array))  # (it moved on)


def test_scheduler_bookkeeping_survives_a_reload() -> None:
    params, opt = make("SGD", "cpu")
    sched = optim.lr_scheduler.StepLR(opt, step_size=2)
    other = optim.SGD([{"params": params[:2]}, {"params": params[2:]}])
    other.load_state_dict(opt.state_dict())
    assert [g["initial_lr"] for g in other.param_groups] == [0.05, 0.02]
    assert sched.get_last_lr() == [0.05, 0.02]


def bad_state_dicts() -> list[tuple[Callable[[dict], Any], str]]:
    def drop_group(sd: dict) -> dict:
        return {**sd, "param_groups": sd["param_groups"][:1]}

    def shrink_group(sd: dict) -> dict:
        groups = [dict(g) for g in sd["param_groups"]]
        groups[0]["params"] = groups[0]["params"][:1]
        return {**sd, "param_groups": groups}

    def reshape_state(sd: dict) -> dict:
        state = {k: dict(v) for k, v in sd["state"].items()}
        state[0]["exp_avg"] = minigrad.zeros(5, dtype=minigrad.float64)
        return {**sd, "state": state}

    return [
        (drop_group, "different number of parameter groups"),
        (shrink_group, "doesn't match the size of optimizer's group"),
        (reshape_state, r"state 'exp_avg' of shape \(5,\) does not match"),
        (lambda sd: {"state": {}}, "'state' and 'param_groups'"),
        (lambda sd: {**sd, "state": {7: {}}}, "unknown parameter index 7"),
    ]


@pytest.mark.parametrize(("corrupt", "match"), bad_state_dicts())
def test_load_state_dict_rejects_mismatches(corrupt: Callable[[dict], Any], match: str) -> None:
    params, opt = make("Adam", "cpu")
    train(params, opt, 1, start=0)
    with pytest.raises(ValueError, match=match):
        opt.load_state_dict(corrupt(opt.state_dict()))


def test_load_state_dict_of_another_optimizer_kind() -> None:
    params, sgd = make("SGD", "cpu")
    adam = optim.Adam([{"params": params[:2]}, {"params": params[2:]}])
    with pytest.raises(ValueError, match=r"lacks the hyper-parameters .*'betas'.* of Adam"):
        adam.load_state_dict(sgd.state_dict())
