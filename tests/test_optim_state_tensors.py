"""``optimizer.state[p]`` shows tensors, as PyTorch's does.

The optimizers store their state as arrays and Python numbers (what the update rules
compute with, ``ParamState.raw``); ``state[p][name]`` shows an array entry as a tensor
sharing the stored array's memory (an in-place change of it changes the state, and so the
next step) and a number (``step``, NAdam's ``mu_product``, ASGD's ``eta`` and ``mu``) as a
0-d tensor (the step count of the default dtype, the others float64). ``state_dict()``
holds copies in PyTorch's format, and a state dict saved by ``torch.optim`` loads and
trains on as PyTorch does. Each behaviour is checked against hand-written expectations
and, where torch is importable, against torch.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import minigrad
from minigrad import optim
from minigrad.backend import to_host

NUMBERS = (int, float)

# name -> (constructor arguments, {entry: "number" or "array"}) after a step
CASES: dict[str, tuple[dict[str, Any], dict[str, str]]] = {
    "Adam": ({"lr": 0.01}, {"step": "number", "exp_avg": "array", "exp_avg_sq": "array"}),
    "SGD": ({"lr": 0.01, "momentum": 0.9}, {"momentum_buffer": "array"}),
    "NAdam": (
        {"lr": 0.01},
        {"step": "number", "mu_product": "number", "exp_avg": "array", "exp_avg_sq": "array"},
    ),
    "ASGD": ({"lr": 0.01, "t0": 1}, {"step": "number", "eta": "number", "mu": "number",
                                    "ax": "array"}),
    "Adagrad": ({"lr": 0.01, "lr_decay": 0.01}, {"step": "number", "sum": "array"}),
}  # fmt: skip

# optimizers whose PyTorch state dict minigrad loads (hyper-parameters as in CASES and more)
TORCH_CASES: dict[str, dict[str, Any]] = {
    "SGD": {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01},
    "Adagrad": {"lr": 0.1, "lr_decay": 0.01, "initial_accumulator_value": 0.1},
    "RMSprop": {"lr": 0.01, "momentum": 0.5, "centered": True},
    "Adadelta": {"lr": 0.5, "weight_decay": 0.01},
    "Adam": {"lr": 0.01, "amsgrad": True, "weight_decay": 0.1},
    "AdamW": {"lr": 0.01},
    "Adamax": {"lr": 0.01, "weight_decay": 0.1},
    "NAdam": {"lr": 0.01, "momentum_decay": 0.01},
    "RAdam": {"lr": 0.01, "decoupled_weight_decay": True},
    "Rprop": {"lr": 0.01, "etas": (0.4, 1.3)},
    "ASGD": {"lr": 0.01, "lambd": 0.1, "t0": 2},
}
SHAPES = [(3, 2), (4,)]


# ------------------------------------------------------------------ helpers
def host(x: Any) -> np.ndarray:
    if isinstance(x, minigrad.Tensor):
        return np.array(to_host(x.detach()._array), copy=True)
    if hasattr(x, "detach"):  # a torch tensor
        return x.detach().numpy().copy()
    return np.array(to_host(x), copy=True)  # a stored array, on any device


def dtype_name(dtype: Any) -> str:
    """``float32`` for minigrad's and torch's dtypes alike."""
    return str(dtype).rsplit(".", 1)[-1]


def gradients(t: int, shapes: list[tuple[int, ...]]) -> list[np.ndarray]:
    rng = np.random.default_rng(100 + t)
    return [rng.standard_normal(s) for s in shapes]


def start_values(shapes: list[tuple[int, ...]] = SHAPES) -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    return [rng.standard_normal(s) for s in shapes]


def make_ours(
    name: str, kwargs: dict[str, Any], device: str = "cpu", values: list[np.ndarray] | None = None
) -> tuple[list[minigrad.Tensor], optim.Optimizer]:
    values = start_values() if values is None else values
    params = [
        minigrad.tensor(v, dtype=minigrad.float64, device=device, requires_grad=True)
        for v in values
    ]
    return params, getattr(optim, name)(params, **kwargs)


def make_theirs(torch: Any, name: str, kwargs: dict[str, Any]) -> tuple[list[Any], Any]:
    params = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in start_values()]
    return params, getattr(torch.optim, name)(params, **kwargs)


def step_ours(params: list[minigrad.Tensor], opt: optim.Optimizer, t: int) -> None:
    for p, g in zip(params, gradients(t, [tuple(p.shape) for p in params]), strict=True):
        p.grad = minigrad.tensor(g, dtype=p.dtype, device=p.device)
    opt.step()


def step_theirs(torch: Any, params: list[Any], opt: Any, t: int) -> None:
    for p, g in zip(params, gradients(t, [tuple(p.shape) for p in params]), strict=True):
        p.grad = torch.tensor(g, dtype=p.dtype)
    opt.step()


def assert_like_torch(ours: Any, theirs: Any, what: str, rtol: float = 1e-12) -> None:
    """A state entry shown by minigrad against torch's: a tensor of the same shape and
    dtype holding the same values (NAdam's mu_product and ASGD's eta, mu are float64 in
    minigrad, the precision its rules compute them in; float32 in torch)."""
    assert isinstance(ours, minigrad.Tensor), what
    if what in ("mu_product", "eta", "mu"):
        assert ours.dtype == minigrad.float64, what
        ours = ours.float()
    assert tuple(ours.shape) == tuple(theirs.shape), what
    assert dtype_name(ours.dtype) == dtype_name(theirs.dtype), what
    np.testing.assert_allclose(host(ours), host(theirs), rtol=rtol, atol=rtol, err_msg=what)


# ------------------------------------------------------------------ what state[p] shows
@pytest.mark.parametrize("name", list(CASES))
def test_state_entries_are_tensors(name: str, device: str, default_dtype: Any) -> None:
    kwargs, kinds = CASES[name]
    params, opt = make_ours(name, kwargs, device)
    for t in range(2):
        step_ours(params, opt, t)
    for p in params:
        state = opt.state[p]
        assert set(state) == set(state.keys()) == set(kinds) and len(state) == len(kinds)
        for key, kind in kinds.items():
            assert key in state
            value = state[key]
            assert isinstance(value, minigrad.Tensor), key
            assert not value.requires_grad, key
            stored = state.raw(key)
            if kind == "number":
                assert isinstance(stored, NUMBERS), key
                # the step count in the default dtype (PyTorch's); NAdam's mu_product and
                # ASGD's eta, mu in float64, the precision the rules compute them in
                dtype = default_dtype if key == "step" else minigrad.float64
                assert value.shape == () and value.dtype == dtype, key
                assert value.item() == float(np.asarray(stored, dtype=host(value).dtype)), key
                if key == "step":
                    assert stored == 2 and float(value) == 2.0
            else:
                assert value.shape == p.shape and value.dtype == p.dtype, key
                assert value.device == p.device, key
                assert type(value._array) is type(p._array), key  # on the parameter's device
                assert value._array is stored, key  # the stored array itself, not a copy
                again = state[key]
                assert again is not value and again._array is value._array  # a new view


@pytest.mark.parametrize("name", list(CASES))
def test_state_entries_are_pytorchs(name: str) -> None:
    torch = pytest.importorskip("torch")
    kwargs, _ = CASES[name]
    ours, opt = make_ours(name, kwargs)
    theirs, ref = make_theirs(torch, name, kwargs)
    for t in range(3):
        step_ours(ours, opt, t)
        step_theirs(torch, theirs, ref, t)
    for p, q in zip(ours, theirs, strict=True):
        # (torch computes with its numbers, NAdam's mu_product and ASGD's eta, in float32)
        np.testing.assert_allclose(host(p), host(q), rtol=1e-7, atol=1e-9)
        assert opt.state[p].keys() == ref.state[q].keys()
        for key in ref.state[q]:
            assert torch.is_tensor(ref.state[q][key]), key
            assert_like_torch(opt.state[p][key], ref.state[q][key], key, rtol=1e-6)


def test_the_dict_methods_show_tensors(device: str) -> None:
    params, opt = make_ours("Adam", {"lr": 0.01}, device)
    step_ours(params, opt, 0)
    state = opt.state[params[0]]
    stored = dict(state.raw_items())
    assert stored.keys() == {"step", "exp_avg", "exp_avg_sq"} and stored["step"] == 1
    assert isinstance(state.get("step"), minigrad.Tensor) and float(state.get("step")) == 1
    assert state.get("exp_avg")._array is stored["exp_avg"]
    assert state.get("missing") is None and state.get("missing", 3) == 3
    items = dict(state.items())
    assert items.keys() == stored.keys()
    assert all(isinstance(v, minigrad.Tensor) for v in items.values())
    assert all(isinstance(v, minigrad.Tensor) for v in state.values())
    assert items["exp_avg_sq"]._array is stored["exp_avg_sq"]
    assert state.setdefault("exp_avg")._array is stored["exp_avg"]  # present: shown, unchanged
    assert state.raw("exp_avg") is stored["exp_avg"]
    new = state.setdefault("extra", minigrad.zeros(3, 2, dtype=minigrad.float64, device=device))
    assert isinstance(new, minigrad.Tensor) and new._array is state.raw("extra")
    popped = state.pop("extra")
    assert isinstance(popped, minigrad.Tensor) and "extra" not in state
    assert len(state) == 3


# ------------------------------------------------------------------ writing through the tensors
def _zero_momentum_then_step(
    opt: Any, params: list[Any], step: Callable[[int], None], zeroed: list[Any]
) -> None:
    for t in range(2):
        step(t)
    for p in zeroed:
        opt.state[p]["momentum_buffer"].zero_()
    step(2)


@pytest.mark.parametrize("which", [[0], [0, 1]], ids=["one", "all"])
def test_zeroing_the_momentum_buffer_changes_the_next_step(which: list[int], device: str) -> None:
    kwargs = {"lr": 0.1, "momentum": 0.9, "dampening": 0.2}
    params, opt = make_ours("SGD", kwargs, device)
    for t in range(2):
        step_ours(params, opt, t)
    before = [host(p) for p in params]
    buffers = [host(opt.state[p]["momentum_buffer"]) for p in params]
    for i in which:
        buffer = opt.state[params[i]]["momentum_buffer"]
        assert buffer.zero_() is buffer
        np.testing.assert_array_equal(host(opt.state[params[i]].raw("momentum_buffer")), 0.0)
    step_ours(params, opt, 2)
    # b ← μ b + (1 − τ) g, θ ← θ − lr b, with b = 0 where it was zeroed
    for i, (p, g) in enumerate(zip(params, gradients(2, SHAPES), strict=True)):
        b = (0.0 if i in which else 0.9 * buffers[i]) + 0.8 * g
        np.testing.assert_allclose(host(opt.state[p]["momentum_buffer"]), b, rtol=1e-12)
        np.testing.assert_allclose(host(p), before[i] - 0.1 * b, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("which", [[0], [0, 1]], ids=["one", "all"])
def test_zeroing_the_momentum_buffer_as_in_pytorch(which: list[int]) -> None:
    torch = pytest.importorskip("torch")
    kwargs = {"lr": 0.1, "momentum": 0.9, "dampening": 0.2}
    ours, opt = make_ours("SGD", kwargs)
    theirs, ref = make_theirs(torch, "SGD", kwargs)
    _zero_momentum_then_step(opt, ours, lambda t: step_ours(ours, opt, t), [ours[i] for i in which])
    _zero_momentum_then_step(
        ref, theirs, lambda t: step_theirs(torch, theirs, ref, t), [theirs[i] for i in which]
    )
    for p, q in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(host(p), host(q), rtol=1e-12, atol=1e-15)
        assert_like_torch(opt.state[p]["momentum_buffer"], ref.state[q]["momentum_buffer"], "b")


def test_incrementing_the_step_count(device: str) -> None:
    params, opt = make_ours("Adam", {"lr": 0.01}, device)
    twin_params, twin = make_ours("Adam", {"lr": 0.01}, device)
    for t in range(2):
        step_ours(params, opt, t)
        step_ours(twin_params, twin, t)
    opt.state[params[0]]["step"] += 1
    assert opt.state[params[0]].raw("step") == 3  # stored as a number again
    assert isinstance(opt.state[params[0]]["step"], minigrad.Tensor)
    assert float(opt.state[params[0]]["step"]) == 3.0
    assert opt.state[params[1]].raw("step") == 2  # its own count
    step_ours(params, opt, 2)
    step_ours(twin_params, twin, 2)
    assert [float(opt.state[p]["step"]) for p in params] == [4.0, 3.0]
    # the second parameter did not notice; the first took the bias correction of step 4
    np.testing.assert_array_equal(host(params[1]), host(twin_params[1]))
    assert not np.array_equal(host(params[0]), host(twin_params[0]))
    state = opt.state[params[0]]
    m, v = host(state["exp_avg"]), host(state["exp_avg_sq"])
    twin_state = twin.state[twin_params[0]]  # (same moments: the step count is not in them)
    np.testing.assert_array_equal(m, host(twin_state["exp_avg"]))
    before = host(twin_params[0]) + 0.01 * (host(twin_state["exp_avg"]) / (1 - 0.9**3)) / (
        np.sqrt(host(twin_state["exp_avg_sq"]) / (1 - 0.999**3)) + 1e-8
    )
    expected = before - 0.01 * (m / (1 - 0.9**4)) / (np.sqrt(v / (1 - 0.999**4)) + 1e-8)
    np.testing.assert_allclose(host(params[0]), expected, rtol=1e-12)


def test_incrementing_the_step_count_as_in_pytorch() -> None:
    torch = pytest.importorskip("torch")
    ours, opt = make_ours("Adam", {"lr": 0.01})
    theirs, ref = make_theirs(torch, "Adam", {"lr": 0.01})
    for t in range(2):
        step_ours(ours, opt, t)
        step_theirs(torch, theirs, ref, t)
    opt.state[ours[0]]["step"] += 1
    ref.state[theirs[0]]["step"] += 1
    for t in range(2, 4):
        step_ours(ours, opt, t)
        step_theirs(torch, theirs, ref, t)
    for p, q in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(host(p), host(q), rtol=1e-12, atol=1e-15)
        assert_like_torch(opt.state[p]["step"], ref.state[q]["step"], "step")


def test_writing_tensors_into_the_state() -> None:
    params, opt = make_ours("Adam", {"lr": 0.01})
    step_ours(params, opt, 0)
    state = opt.state[params[0]]
    state["step"] = minigrad.tensor(5.0)  # a 0-d tensor where a number was: that number
    assert type(state.raw("step")) is float and state.raw("step") == 5.0
    fresh = minigrad.full((3, 2), 0.5, dtype=minigrad.float64)
    state["exp_avg"] = fresh  # an array entry: the tensor's array
    assert state.raw("exp_avg") is fresh._array
    np.testing.assert_array_equal(host(state["exp_avg"]), 0.5)


# ------------------------------------------------------------------ state dicts
def test_state_dict_numbers_are_0d_tensors(device: str) -> None:
    params, opt = make_ours("Adam", {"lr": 0.01}, device)
    for t in range(2):
        step_ours(params, opt, t)
    entry = opt.state_dict()["state"][0]
    step = entry["step"]
    assert isinstance(step, minigrad.Tensor) and step.shape == ()
    assert step.dtype == minigrad.get_default_dtype()
    assert step.item() == 2.0 and type(step.item()) is float
    exp_avg = entry["exp_avg"]
    assert isinstance(exp_avg, minigrad.Tensor) and exp_avg.dtype == minigrad.float64
    assert exp_avg._array is not opt.state[params[0]].raw("exp_avg")  # a copy
    np.testing.assert_array_equal(host(exp_avg), host(opt.state[params[0]]["exp_avg"]))
    opt.load_state_dict(opt.state_dict())  # a 0-d tensor comes back as a number
    assert opt.state[params[0]].raw("step") == 2


def test_state_dict_step_as_in_pytorch() -> None:
    torch = pytest.importorskip("torch")
    ours, opt = make_ours("Adam", {"lr": 0.01})
    theirs, ref = make_theirs(torch, "Adam", {"lr": 0.01})
    for t in range(2):
        step_ours(ours, opt, t)
        step_theirs(torch, theirs, ref, t)
    mine, want = opt.state_dict()["state"][0], ref.state_dict()["state"][0]
    assert mine.keys() == want.keys()
    assert mine["step"].item() == want["step"].item() == 2.0
    assert type(mine["step"].item()) is type(want["step"].item())
    for key in want:
        assert_like_torch(mine[key], want[key], key, rtol=1e-12)


def _from_torch(torch: Any, state_dict: dict[str, Any]) -> dict[str, Any]:
    """torch's optimizer state dict with each tensor made a minigrad tensor."""

    def convert(value: Any) -> Any:
        return minigrad.tensor(value.detach().numpy().copy()) if torch.is_tensor(value) else value

    return {
        "state": {
            index: {key: convert(value) for key, value in entry.items()}
            for index, entry in state_dict["state"].items()
        },
        "param_groups": copy.deepcopy(state_dict["param_groups"]),
    }


@pytest.mark.parametrize("name", list(TORCH_CASES))
def test_loading_a_pytorch_state_dict_trains_on_as_pytorch(name: str) -> None:
    torch = pytest.importorskip("torch")
    kwargs = TORCH_CASES[name]
    theirs, ref = make_theirs(torch, name, kwargs)
    for t in range(3):
        step_theirs(torch, theirs, ref, t)
    ours, opt = make_ours(name, {}, values=[host(q) for q in theirs])  # the defaults, replaced
    opt.load_state_dict(_from_torch(torch, ref.state_dict()))
    assert {k: v for k, v in opt.param_groups[0].items() if k != "params"} == {
        k: v for k, v in ref.param_groups[0].items() if k != "params"
    }
    for p, q in zip(ours, theirs, strict=True):
        assert opt.state[p].keys() == ref.state[q].keys()
        for key in ref.state[q]:
            stored = opt.state[p].raw(key)
            if ref.state[q][key].ndim == 0:  # a number (torch: a 0-d float32 tensor)
                assert isinstance(stored, NUMBERS), key
                assert stored == ref.state[q][key].item(), key
            else:
                assert type(stored) is type(p._array), key
            assert_like_torch(opt.state[p][key], ref.state[q][key], key)
    for t in range(3, 7):
        step_ours(ours, opt, t)
        step_theirs(torch, theirs, ref, t)
        for p, q in zip(ours, theirs, strict=True):
            # (torch keeps its numbers, mu_product and eta, as float32 tensors)
            np.testing.assert_allclose(host(p), host(q), rtol=1e-7, atol=1e-9, err_msg=name)
    for p, q in zip(ours, theirs, strict=True):
        for key in ref.state[q]:
            assert_like_torch(opt.state[p][key], ref.state[q][key], key, rtol=1e-6)
