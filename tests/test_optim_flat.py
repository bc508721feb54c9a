"""The flat path of ``Optimizer.step``: one call of the update rule per parameter group.

Every update rule is element-wise, so stepping a group through its contiguous
buffers (:class:`minigrad.optim._flat.FlatGroup`) must give exactly the
parameters and state that stepping each parameter on its own gives. The
reference here is the same optimizer with one parameter per group: a group of
one parameter is never flattened, so it runs the per-parameter loop.

Also pinned down: the state entries are live views shaped like their
parameter, saving and resuming, and every transition between the flat path and
the per-parameter fallback (a missing gradient, mixed dtypes, ``p._array``
replaced, ``model.to``, new groups, bad gradients, user edits of the state).
"""

from __future__ import annotations

import copy
import pickle
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import minigrad
from minigrad import nn, optim
from minigrad.backend import to_host
from minigrad.optim._state import ParamState

# example count and deadline come from the profile loaded by conftest.py
FAST = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])

OPTIMIZERS: dict[str, Callable[[Any], optim.Optimizer]] = {
    "SGD": lambda params: optim.SGD(params, lr=0.1),
    "SGD-momentum-dampening": lambda params: optim.SGD(params, lr=0.1, momentum=0.9, dampening=0.2),
    "SGD-nesterov-decay": lambda params: optim.SGD(
        params, lr=0.1, momentum=0.8, nesterov=True, weight_decay=0.01
    ),
    "SGD-maximize": lambda params: optim.SGD(params, lr=0.05, momentum=0.5, maximize=True),
    "Adagrad": lambda params: optim.Adagrad(
        params, lr=0.1, lr_decay=0.01, weight_decay=0.01, initial_accumulator_value=0.1
    ),
    "RMSprop": lambda params: optim.RMSprop(params, lr=0.01),
    "Adadelta": lambda params: optim.Adadelta(params, lr=0.5, weight_decay=0.01),
    "RMSprop-centered-momentum": lambda params: optim.RMSprop(
        params, lr=0.01, momentum=0.5, centered=True, weight_decay=0.01
    ),
    "Adam": lambda params: optim.Adam(params, lr=0.05, weight_decay=0.01),
    "Adam-amsgrad": lambda params: optim.Adam(params, lr=0.05, amsgrad=True),
    "AdamW": lambda params: optim.AdamW(params, lr=0.05),
    "AdamW-amsgrad-maximize": lambda params: optim.AdamW(
        params, lr=0.05, amsgrad=True, maximize=True
    ),
    "Adamax": lambda params: optim.Adamax(params, lr=0.05, weight_decay=0.01),
    "NAdam": lambda params: optim.NAdam(params, lr=0.05, weight_decay=0.01),
    "NAdam-decoupled-maximize": lambda params: optim.NAdam(
        params, lr=0.05, weight_decay=0.01, decoupled_weight_decay=True, maximize=True
    ),
    "RAdam": lambda params: optim.RAdam(params, lr=0.05, weight_decay=0.01),
    "RAdam-decoupled": lambda params: optim.RAdam(
        params, lr=0.05, betas=(0.8, 0.99), weight_decay=0.01, decoupled_weight_decay=True
    ),
    "Rprop": lambda params: optim.Rprop(params, lr=0.05),
    "Rprop-bounded-maximize": lambda params: optim.Rprop(
        params, lr=0.05, etas=(0.3, 1.7), step_sizes=(1e-3, 0.2), maximize=True
    ),
    "ASGD": lambda params: optim.ASGD(params, lr=0.05, t0=0),  # μ moves from the 2nd step
    "ASGD-decay-maximize": lambda params: optim.ASGD(
        params, lr=0.05, lambd=0.1, t0=1, weight_decay=0.01, maximize=True
    ),
}
NAMES = list(OPTIMIZERS)
SHAPES = [(3, 2), (4,), (1,), (2, 1, 3)]
NUMBERS = (int, float)  # state entries that are numbers: step, NAdam's mu_product, ASGD's eta


# ------------------------------------------------------------------ helpers
def host(x: Any) -> np.ndarray:
    return to_host(x._array if isinstance(x, minigrad.Tensor) else x)


def make_params(
    shapes: Sequence[tuple[int, ...]], device: str, dtypes: Sequence[Any] | None = None
) -> list[minigrad.Tensor]:
    rng = np.random.default_rng(len(shapes))
    dtypes = dtypes or [minigrad.float64] * len(shapes)
    return [
        minigrad.tensor(rng.standard_normal(s), dtype=d, device=device, requires_grad=True)
        for s, d in zip(shapes, dtypes, strict=True)
    ]


def twin(params: list[minigrad.Tensor]) -> list[minigrad.Tensor]:
    """Independent copies of ``params`` (same values, dtypes and devices)."""
    return [
        minigrad.tensor(host(p), dtype=p.dtype, device=p.device, requires_grad=True) for p in params
    ]


def flat_and_reference(
    name: str, params: list[minigrad.Tensor]
) -> tuple[optim.Optimizer, list[minigrad.Tensor], optim.Optimizer]:
    """``name`` on one group of ``params``, and on twins of them one parameter per group."""
    ref_params = twin(params)
    opt = OPTIMIZERS[name](params)
    ref = OPTIMIZERS[name]([{"params": [p]} for p in ref_params])
    return opt, ref_params, ref


def set_grads(params: list[minigrad.Tensor], t: int, skip: Sequence[int] = ()) -> None:
    """Gradients that depend on the step ``t`` and on the parameters; None at ``skip``."""
    rng = np.random.default_rng(1000 + t)
    for i, p in enumerate(params):
        g = rng.standard_normal(p.shape) + 0.5 * host(p)
        p.grad = None if i in skip else minigrad.tensor(g, dtype=p.dtype, device=p.device)


def step_both(
    pairs: Sequence[tuple[list[minigrad.Tensor], optim.Optimizer]], t: int, skip: Sequence[int] = ()
) -> None:
    for params, opt in pairs:
        set_grads(params, t, skip)
        opt.step()


def assert_same_params(got: list[minigrad.Tensor], want: list[minigrad.Tensor]) -> None:
    for p, q in zip(got, want, strict=True):
        assert (p.shape, p.dtype, p.device) == (q.shape, q.dtype, q.device)
        np.testing.assert_array_equal(host(p), host(q))


def stored(state: Any, key: str) -> Any:
    """The stored value behind ``state[key]`` (an array or a number); a plain dict the user
    put in ``optimizer.state`` holds them as they are."""
    return state.raw(key) if isinstance(state, ParamState) else state[key]


def is_number(state: Any, key: str) -> bool:
    """Whether the entry ``key`` is a number (step, NAdam's mu_product, ASGD's eta and mu)."""
    return isinstance(stored(state, key), NUMBERS)


def number_dtype(key: str) -> Any:
    """The dtype ``state[p]`` shows a number entry in: the step count in the default dtype
    (as PyTorch), the others (NAdam's mu_product, ASGD's eta, mu) in float64, the
    precision the rules compute them in."""
    return minigrad.get_default_dtype() if key == "step" else minigrad.float64


def assert_shows_number(value: Any, number: Any, key: str) -> None:
    """A number entry as ``state[p]`` shows it: a 0-d tensor (:func:`number_dtype`)."""
    assert isinstance(value, minigrad.Tensor), key
    assert value.shape == () and value.dtype == number_dtype(key), key
    assert float(value) == float(minigrad.tensor(float(number), dtype=number_dtype(key))), key


def assert_shows_array(value: Any, array: Any, key: str) -> None:
    """An array entry as ``state[p]`` shows it: a tensor sharing the stored array's memory."""
    assert isinstance(value, minigrad.Tensor), key
    assert type(value._array) is type(array), key
    assert owner(value._array) is owner(array), key  # a view, not a copy


def assert_same_state(
    opt: optim.Optimizer, params: list[minigrad.Tensor],
    ref: optim.Optimizer, ref_params: list[minigrad.Tensor],
) -> None:  # fmt: skip
    for p, q in zip(params, ref_params, strict=True):
        got, want = opt.state.get(p, {}), ref.state.get(q, {})
        assert got.keys() == want.keys()
        for key in got:
            value, number = got[key], stored(got, key)
            if is_number(got, key):
                assert is_number(want, key), key
                assert number == stored(want, key), key  # the same number, exactly
                if isinstance(got, ParamState):
                    assert_shows_number(value, number, key)
                continue
            if isinstance(got, ParamState):
                assert_shows_array(value, number, key)
            array = value._array if isinstance(value, minigrad.Tensor) else value
            assert type(array) is type(p._array), key  # on the parameter's device
            assert (value.shape, value.dtype) == (p.shape, want[key].dtype), key
            np.testing.assert_array_equal(host(value), host(want[key]), err_msg=key)


def flat_of(opt: optim.Optimizer, group: int = 0) -> Any:
    """The group's contiguous buffers, or None when it steps parameter by parameter."""
    return opt._flat_groups.get(group)


def owner(array: Any) -> Any:
    """The array that owns the memory of ``array`` (a NumPy or CuPy view's base)."""
    array = getattr(array, "_a", array)  # the strict test backend wraps a NumPy array
    return array if array.base is None else array.base


def assert_backed_by_flat(opt: optim.Optimizer, params: list[minigrad.Tensor]) -> None:
    """Each parameter's array state is a view into the group's buffers, and so is the tensor
    that ``state[p]`` shows; the parameters keep their own memory (never a view of an
    optimizer's buffer)."""
    flat = flat_of(opt)
    assert flat is not None
    arrays = [flat.grad, flat.step] + [v for v in flat.state.values() if not isinstance(v, NUMBERS)]
    buffers = [owner(a) for a in arrays]
    for p in params:
        assert all(owner(p._array) is not b for b in buffers)
        state = opt.state[p]
        for key, value in state.items():
            if not is_number(state, key):
                assert owner(state.raw(key)) is owner(flat.state[key]), key
                assert owner(value._array) is owner(flat.state[key]), key


# ------------------------------------------------------------------ same arithmetic
@FAST
@given(
    name=st.sampled_from(NAMES),
    shapes=st.lists(st.sampled_from([(), (1,), (3,), (2, 3), (4, 1, 2), (0,)]), min_size=2,
                    max_size=5),
    dtype=st.sampled_from([minigrad.float32, minigrad.float64]),
    steps=st.integers(1, 6),
)  # fmt: skip
def test_flat_step_equals_stepping_each_parameter(name, shapes, dtype, steps, device):
    params = make_params(shapes, device, [dtype] * len(shapes))
    opt, ref_params, ref = flat_and_reference(name, params)
    for t in range(steps):
        step_both([(params, opt), (ref_params, ref)], t)
        assert_same_params(params, ref_params)
        assert_same_state(opt, params, ref, ref_params)
    assert_backed_by_flat(opt, params)
    assert not ref._flat_groups  # the reference really stepped parameter by parameter


@pytest.mark.parametrize("name", NAMES)
def test_state_entries_are_live_slices_shaped_like_their_parameter(name, device):
    params = make_params(SHAPES, device)
    opt = OPTIMIZERS[name](params)
    set_grads(params, 0)
    opt.step()
    flat = flat_of(opt)
    data = [p._array for p in params]
    states = [opt.state[p] for p in params]
    stored_entries = [dict(state.raw_items()) for state in states]  # arrays and numbers
    shown = [dict(state.items()) for state in states]  # tensors, read once, before the steps
    before = [
        {k: host(v).copy() for k, v in e.items() if not is_number(state, k)}
        for e, state in zip(shown, states, strict=True)
    ]
    for p, state, entry in zip(params, states, shown, strict=True):
        for key, value in entry.items():
            if is_number(state, key):
                assert_shows_number(value, state.raw(key), key)
            else:
                assert_shows_array(value, state.raw(key), key)
                assert value.shape == p.shape and value.dtype == p.dtype, key
    for t in range(1, 3):
        set_grads(params, t)
        opt.step()
    assert flat_of(opt) is flat  # no rebuild while nothing changes
    for i, p in enumerate(params):
        assert p._array is data[i]
        state = opt.state[p]
        for key, value in shown[i].items():
            number = stored_entries[i][key]
            if key == "step":
                assert state.raw("step") == number + 2
                assert float(state["step"]) == float(value) + 2
                continue
            if isinstance(number, NUMBERS):  # NAdam's mu_product: a new number at each step
                assert state.raw(key) != number, key
                assert float(state[key]) != float(value), key
                continue
            assert state.raw(key) is number  # the same view of the buffer, updated in place
            assert owner(value._array) is owner(flat.state[key]), key  # still a live view
            np.testing.assert_array_equal(host(value), host(state[key]), err_msg=key)
            if p._array.size and key != "max_exp_avg_sq":  # amsgrad's maximum may stand still
                assert not np.array_equal(host(value), before[i][key]), key


@pytest.mark.parametrize("name", NAMES)
def test_state_dict_after_flat_steps_equals_per_parameter_stepping(name, device):
    params = make_params(SHAPES, device)
    opt, ref_params, ref = flat_and_reference(name, params)
    for t in range(4):
        step_both([(params, opt), (ref_params, ref)], t)
    got, want = opt.state_dict(), ref.state_dict()
    assert got["state"].keys() == want["state"].keys()
    for index, entry in got["state"].items():
        assert entry.keys() == want["state"][index].keys()
        for key, value in entry.items():
            assert isinstance(value, minigrad.Tensor), key  # numbers too (PyTorch's format)
            if is_number(opt.state[params[index]], key):
                assert value.shape == () and value.dtype == number_dtype(key), key
            np.testing.assert_array_equal(host(value), host(want["state"][index][key]))
    hyper = {k: v for k, v in got["param_groups"][0].items() if k != "params"}
    assert hyper == {k: v for k, v in want["param_groups"][0].items() if k != "params"}
    saved = {i: {k: host(v).copy() for k, v in e.items()}
             for i, e in got["state"].items()}  # fmt: skip
    step_both([(params, opt)], 4)  # the state dict holds copies, not views of the buffers
    for i, entry in got["state"].items():
        for key, value in saved[i].items():
            np.testing.assert_array_equal(host(entry[key]), value)


@pytest.mark.parametrize("name", NAMES)
def test_resuming_from_a_state_dict_equals_uninterrupted_training(name, device, default_dtype):
    n, m = 3, 4
    params = make_params(SHAPES, device)
    opt = OPTIMIZERS[name](params)
    for t in range(n):
        step_both([(params, opt)], t)
    checkpoint = opt.state_dict()
    resumed = twin(params)
    resumed_opt = OPTIMIZERS[name](resumed)
    resumed_opt.load_state_dict(checkpoint)
    for t in range(n, n + m):
        step_both([(params, opt), (resumed, resumed_opt)], t)
    assert_same_params(resumed, params)
    assert_same_state(resumed_opt, resumed, opt, params)
    assert_backed_by_flat(resumed_opt, resumed)


# ------------------------------------------------------------------ fallbacks
def _uniform(opt: optim.Optimizer, params: list[minigrad.Tensor]) -> bool:
    first = opt.state.get(params[0], {})
    return all(
        opt.state.get(p, {}).keys() == first.keys() and _step_of(opt, p) == _step_of(opt, params[0])
        for p in params
    )


def _step_of(opt: optim.Optimizer, p: minigrad.Tensor) -> Any:
    """The stored step count of ``p`` (a number), None before its first step."""
    state = opt.state.get(p, {})
    return stored(state, "step") if "step" in state else None


@FAST
@given(
    name=st.sampled_from(NAMES),
    masks=st.lists(st.lists(st.booleans(), min_size=4, max_size=4), min_size=1, max_size=6),
)
def test_steps_with_missing_gradients_equal_per_parameter_stepping(name, masks, device):
    """A parameter without a gradient keeps its value and state; the others step."""
    params = make_params(SHAPES, device)
    opt, ref_params, ref = flat_and_reference(name, params)
    for t, mask in enumerate(masks):
        skip = [i for i, missing in enumerate(mask) if missing]
        stepped = [p for i, p in enumerate(params) if i not in skip]
        flat_possible = len(stepped) > 1 and _uniform(opt, stepped)
        frozen = {i: (host(params[i]).copy(), copy.deepcopy(opt.state.get(params[i], {})))
                  for i in skip}  # fmt: skip
        step_both([(params, opt), (ref_params, ref)], t, skip)
        assert_same_params(params, ref_params)
        assert_same_state(opt, params, ref, ref_params)
        for i, (value, state) in frozen.items():
            np.testing.assert_array_equal(host(params[i]), value)
            assert opt.state.get(params[i], {}).keys() == state.keys()
            for key, entry in state.items():  # (the copy shows its entries as tensors too)
                got = opt.state[params[i]][key]
                assert np.array_equal(host(got), host(entry)), key
                if is_number(state, key):
                    assert stored(opt.state[params[i]], key) == stored(state, key), key
        # two or more with gradients and one state layout: the buffers are (re)built for them
        assert (flat_of(opt) is not None) == flat_possible


def test_a_missing_gradient_then_all_gradients_rebuilds_only_a_uniform_state(device):
    for name, rebuilt in [("SGD-momentum-dampening", True), ("Adam", False)]:
        params = make_params(SHAPES, device)
        opt, ref_params, ref = flat_and_reference(name, params)
        step_both([(params, opt), (ref_params, ref)], 0)
        step_both([(params, opt), (ref_params, ref)], 1, skip=[2])
        assert flat_of(opt) is not None  # the three with gradients
        for t in range(2, 4):
            step_both([(params, opt), (ref_params, ref)], t)
            assert (flat_of(opt) is not None) == rebuilt, name  # Adam's step counts differ
        assert_same_params(params, ref_params)
        assert_same_state(opt, params, ref, ref_params)


@pytest.mark.parametrize("name", NAMES)
def test_a_group_of_mixed_dtypes_steps_each_parameter(name, device):
    dtypes = [minigrad.float32, minigrad.float64, minigrad.float32, minigrad.float64]
    params = make_params(SHAPES, device, dtypes)
    opt, ref_params, ref = flat_and_reference(name, params)
    for t in range(3):
        step_both([(params, opt), (ref_params, ref)], t)
    assert flat_of(opt) is None
    assert [p.dtype for p in params] == dtypes
    assert_same_params(params, ref_params)
    assert_same_state(opt, params, ref, ref_params)


@pytest.mark.parametrize("name", NAMES)
def test_replacing_p_data_between_steps(name, device):
    params = make_params(SHAPES, device)
    opt, ref_params, ref = flat_and_reference(name, params)
    step_both([(params, opt), (ref_params, ref)], 0)
    old = flat_of(opt)
    for ps in (params, ref_params):
        ps[1]._array = ps[1]._array * 0 + 3.0  # a new array
    step_both([(params, opt), (ref_params, ref)], 1)
    assert flat_of(opt) is old  # the buffers never held the parameters: still valid
    step_both([(params, opt), (ref_params, ref)], 2)
    assert_same_params(params, ref_params)
    assert_same_state(opt, params, ref, ref_params)
    assert_backed_by_flat(opt, params)


def _mlp() -> nn.Module:
    minigrad.manual_seed(3)
    return nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))


@pytest.mark.parametrize("name", ["SGD", "SGD-nesterov-decay", "Adagrad", "AdamW-amsgrad-maximize"])
def test_moving_the_model_between_steps(name, device):
    """A cpu model moved to ``device`` after some steps; the state follows by a reload."""
    x = minigrad.randn(5, 3)
    model, ref_model = _mlp(), _mlp()
    opt = OPTIMIZERS[name](model.parameters())
    ref = OPTIMIZERS[name]([{"params": [p]} for p in ref_model.parameters()])

    def train(steps: int, inputs: minigrad.Tensor) -> None:
        for m, o in ((model, opt), (ref_model, ref)):
            for _ in range(steps):
                o.zero_grad()
                (m(inputs) ** 2).sum().backward()
                o.step()

    train(2, x)
    for m, o in ((model, opt), (ref_model, ref)):
        m.to(device)
        o.load_state_dict(o.state_dict())  # state tensors go to their parameter's device
    train(3, x.to(device))
    params, ref_params = list(model.parameters()), list(ref_model.parameters())
    assert all(p.device == device for p in params)
    assert_same_params(params, ref_params)
    assert_same_state(opt, params, ref, ref_params)
    assert_backed_by_flat(opt, params)


def test_moving_a_model_without_state_needs_no_reload(device):
    x = minigrad.randn(5, 3)
    model, ref_model = _mlp(), _mlp()
    opt = optim.SGD(model.parameters(), lr=0.1)
    ref = optim.SGD([{"params": [p]} for p in ref_model.parameters()], lr=0.1)
    for step in range(4):
        if step == 2:
            model.to(device)
            ref_model.to(device)
            x = x.to(device)
        for m, o in ((model, opt), (ref_model, ref)):
            o.zero_grad()
            (m(x) ** 2).sum().backward()
            o.step()
    params = list(model.parameters())
    assert all(p.device == device for p in params)
    assert_same_params(params, list(ref_model.parameters()))
    assert_backed_by_flat(opt, params)


@pytest.mark.parametrize("name", NAMES)
def test_add_param_group_after_some_steps(name, device):
    params = make_params(SHAPES, device)
    extra = make_params([(2, 2), (3,), (1,)], device)
    opt, ref_params, ref = flat_and_reference(name, params)
    ref_extra = twin(extra)
    for t in range(2):
        step_both([(params, opt), (ref_params, ref)], t)
    opt.add_param_group({"params": extra, "lr": 0.02})
    for q in ref_extra:
        ref.add_param_group({"params": [q], "lr": 0.02})
    for t in range(2, 5):
        step_both([(params + extra, opt), (ref_params + ref_extra, ref)], t)
    assert flat_of(opt, 0) is not None and flat_of(opt, 1) is not None
    assert_same_params(params + extra, ref_params + ref_extra)
    assert_same_state(opt, params + extra, ref, ref_params + ref_extra)


def _wrong_gradients(p: minigrad.Tensor) -> list[tuple[minigrad.Tensor, str, str]]:
    """A gradient that does not fit ``p``, the error of assigning it to ``p.grad`` and the
    optimizer's error when it gets there anyway (through ``p.grad.data``)."""
    other = "cpu" if p.device == "cuda" else "cuda"
    return [
        (minigrad.zeros(p.shape[0] + 1, dtype=p.dtype, device=p.device),
         r"assign a gradient of size '\[4\]' to a tensor of size '\[3, 2\]'",
         r"gradient \(float64, shape \(4,\)\) does not match its parameter \(float64, shape"),
        (minigrad.zeros(*p.shape, dtype=minigrad.float32, device=p.device),
         "assign a gradient with dtype 'float32' to a tensor with dtype 'float64'",
         r"gradient \(float32, shape \(3, 2\)\) does not match its parameter \(float64"),
        (minigrad.zeros(*p.shape, dtype=p.dtype, device=other),
         "assigned grad has data located on a different device",
         "move the gradient to the parameter's device"),
    ]  # fmt: skip


@pytest.mark.parametrize("which", range(3), ids=["shape", "dtype", "device"])
@pytest.mark.parametrize("name", ["SGD-momentum-dampening", "Adam"])
def test_a_wrong_gradient_raises_and_training_can_go_on(name, which, device):
    params = make_params(SHAPES, device)
    opt, ref_params, ref = flat_and_reference(name, params)
    step_both([(params, opt), (ref_params, ref)], 0)
    set_grads(params, 1)
    bad, assign_match, match = _wrong_gradients(params[0])[which]
    with pytest.raises(RuntimeError, match=assign_match):  # PyTorch refuses it too
        params[0].grad = bad
    params[0].grad.data = bad  # (.data may change shape, dtype and device, as in PyTorch)
    assert params[0].grad._array is bad._array
    before = [host(p).copy() for p in params]
    with pytest.raises(ValueError, match=match):
        opt.step()
    for p, value in zip(params, before, strict=True):  # the first parameter failed: no update
        np.testing.assert_array_equal(host(p), value)
    for t in range(2, 4):
        step_both([(params, opt), (ref_params, ref)], t)
    assert_same_params(params, ref_params)
    assert_same_state(opt, params, ref, ref_params)
    assert_backed_by_flat(opt, params)


@pytest.mark.parametrize(
    ("name", "change"),
    [
        ("SGD-momentum-dampening", {"lr": 0.01, "weight_decay": 0.1}),
        ("RMSprop", {"momentum": 0.5, "centered": True}),  # new state arrays mid-training
        ("Adam", {"amsgrad": True, "betas": (0.5, 0.9)}),
    ],
)
def test_hyper_parameters_changed_between_steps(name, change, device):
    params = make_params(SHAPES, device)
    opt, ref_params, ref = flat_and_reference(name, params)
    for t in range(2):
        step_both([(params, opt), (ref_params, ref)], t)
    for group in opt.param_groups + ref.param_groups:
        group.update(change)
    for t in range(2, 4):
        step_both([(params, opt), (ref_params, ref)], t)
    assert_same_params(params, ref_params)
    assert_same_state(opt, params, ref, ref_params)
    assert_backed_by_flat(opt, params)


# ------------------------------------------------------------------ the tensors stay usable
@pytest.mark.parametrize("name", ["SGD-nesterov-decay", "Adam-amsgrad"])
def test_writes_to_p_data_in_place_are_seen_by_the_next_step(name, device):
    params = make_params(SHAPES, device)
    opt, ref_params, ref = flat_and_reference(name, params)
    step_both([(params, opt), (ref_params, ref)], 0)
    flat = flat_of(opt)
    source = minigrad.tensor(np.arange(4.0), dtype=minigrad.float64)  # on cpu: copy_ moves it
    for ps in (params, ref_params):
        with minigrad.no_grad():
            ps[0].mul_(0.5)
            ps[1].copy_(source)
        ps[2]._array[...] = 7.0
        ps[3]._array += 1.0
    step_both([(params, opt), (ref_params, ref)], 1)
    assert flat_of(opt) is flat  # in-place writes need no rebuild
    assert_same_params(params, ref_params)
    assert_same_state(opt, params, ref, ref_params)


def test_numpy_of_a_flat_parameter_is_its_live_memory():
    params = make_params(SHAPES, "cpu")
    opt = optim.Adam(params, lr=0.1)
    set_grads(params, 0)
    opt.step()
    array = params[0].detach().numpy()
    assert array.shape == params[0].shape
    np.testing.assert_array_equal(array, host(params[0]))
    array[...] = 0.0  # shares memory with the parameter, like PyTorch's .numpy()
    np.testing.assert_array_equal(host(params[0]), np.zeros(params[0].shape))
    set_grads(params, 1)
    opt.step()
    np.testing.assert_array_equal(array, host(params[0]))  # and sees the next update
    assert not np.array_equal(array, np.zeros(params[0].shape))


def test_sgd_momentum_of_a_0d_parameter_accumulates():
    """A 0-d parameter's momentum buffer stays an array (NumPy gives 0-d results as scalars)."""
    p = minigrad.tensor(1.0, requires_grad=True)
    q = minigrad.tensor([1.0], requires_grad=True)
    for x in (p, q):
        opt = optim.SGD([x], lr=0.1, momentum=0.9, weight_decay=0.1)
        for _ in range(3):
            x.grad = minigrad.ones_like(x)
            opt.step()
    np.testing.assert_array_equal(host(p), host(q)[0])


# ------------------------------------------------------------------ copies and user edits
@pytest.mark.parametrize("name", ["SGD-momentum-dampening", "RMSprop-centered-momentum", "Adam"])
def test_a_deep_copy_of_parameters_and_optimizer_trains_on_its_own(name, device):
    params = make_params(SHAPES, device)
    opt, ref_params, ref = flat_and_reference(name, params)
    for t in range(2):
        step_both([(params, opt), (ref_params, ref)], t)
    copied, copied_opt = copy.deepcopy((params, opt))
    for t in range(2, 4):
        step_both([(params, opt), (ref_params, ref), (copied, copied_opt)], t)
    assert_same_params(copied, ref_params)
    assert_same_state(copied_opt, copied, ref, ref_params)
    assert_same_params(params, ref_params)
    assert_same_state(opt, params, ref, ref_params)


@pytest.mark.parametrize(
    ("name", "edit"),
    [
        ("SGD-momentum-dampening", lambda s: s.update(momentum_buffer=s["momentum_buffer"] * 0)),
        ("Adam", lambda s: s.update(step=0)),
        ("Adam", lambda s: s.update(exp_avg=s["exp_avg"] + 1.0)),
        ("Adagrad", lambda s: s.clear()),
        ("Adam", lambda s: s.__setitem__("exp_avg", s["exp_avg"] * 0.5)),
        ("Adam", lambda s: s.pop("exp_avg_sq")),
        ("Adam", lambda s: s.__delitem__("exp_avg")),
    ],
    ids=["new-buffer", "step-reset", "new-exp-avg", "cleared", "item-set", "popped", "deleted"],
)  # fmt: skip
def test_entries_the_user_puts_in_the_state_are_used(name, edit, device):
    params = make_params(SHAPES, device)
    opt, ref_params, ref = flat_and_reference(name, params)
    for t in range(2):
        step_both([(params, opt), (ref_params, ref)], t)
    edit(opt.state[params[1]])
    edit(ref.state[ref_params[1]])
    for t in range(2, 4):
        step_both([(params, opt), (ref_params, ref)], t)
    assert_same_params(params, ref_params)
    assert_same_state(opt, params, ref, ref_params)


@pytest.mark.parametrize("name", ["SGD-momentum-dampening", "Adam"])
def test_a_state_entry_replaced_by_a_plain_dict_is_used(name, device):
    params = make_params(SHAPES, device)
    opt, ref_params, ref = flat_and_reference(name, params)
    for t in range(2):
        step_both([(params, opt), (ref_params, ref)], t)
    # copies of the stored entries (arrays and numbers, what the update rules work on)
    mine = {k: v * 1 for k, v in opt.state[params[0]].raw_items()}
    opt.state[params[0]] = mine
    for t in range(2, 4):
        step_both([(params, opt), (ref_params, ref)], t)
        assert opt.state[params[0]] is mine  # the user's dict is the live state
    assert_same_params(params, ref_params)
    assert_same_state(opt, params, ref, ref_params)


def test_the_state_pickles_and_deep_copies_with_its_edit_count():
    model = nn.Sequential(nn.Linear(3, 2), nn.Linear(2, 1))
    opt = optim.Adam(model.parameters())
    model(minigrad.ones(4, 3)).sum().backward()
    opt.step()
    for state in (pickle.loads(pickle.dumps(opt.state)), copy.deepcopy(opt.state)):
        assert type(state) is type(opt.state) and len(state) == len(opt.state) == 4
        assert all(entry.edits is state.edits for entry in state.values())
        before = state.edits[0]
        next(iter(state.values()))["step"] = 7  # counted by the copy that holds the entry
        assert state.edits[0] == before + 1
    shallow = copy.copy(opt.state)
    assert type(shallow) is type(opt.state) and list(shallow.values()) == list(opt.state.values())


def test_state_left_on_another_device_gives_a_clear_error_and_reload_fixes_it():
    model = nn.Linear(3, 2)
    opt = optim.Adam(model.parameters())
    model(minigrad.ones(1, 3)).sum().backward()
    opt.step()
    opt.zero_grad()
    model.to("cuda")  # the state made on the cpu stays there
    model(minigrad.ones(1, 3, device="cuda")).sum().backward()
    before = host(model.weight).copy()
    with pytest.raises(RuntimeError, match="state 'exp_avg' is on cpu but its parameter on cuda"):
        opt.step()
    np.testing.assert_array_equal(host(model.weight), before)  # nothing was updated
    opt.load_state_dict(opt.state_dict())  # moves the state to the parameters' device
    opt.step()
    assert not np.array_equal(host(model.weight), before)


def test_a_frozen_parameter_leaves_the_others_flat(device):
    """A parameter that never gets a gradient (frozen) is skipped; the rest step as one."""
    params = make_params(SHAPES, device)
    opt, ref_params, ref = flat_and_reference("Adam", params)
    for t in range(3):
        step_both([(params, opt), (ref_params, ref)], t, skip=[1])
        flat = flat_of(opt)
        assert flat is not None and flat.params == [params[0], params[2], params[3]]
    assert_same_params(params, ref_params)
    assert_same_state(opt, params, ref, ref_params)
    assert not opt.state.get(params[1])
