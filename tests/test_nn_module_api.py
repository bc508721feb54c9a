"""The rest of ``nn.Module``'s PyTorch API: ModuleDict, ParameterList, ParameterDict,
Unflatten, get_submodule/get_parameter/get_buffer, buffers, ``to`` overloads, and
forward/backward hooks (messages and behaviour as PyTorch's)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad
import minigrad.nn as nn
from minigrad.backend import to_host
from minigrad.tensor import Tensor


def host(t: Tensor) -> np.ndarray:
    return np.asarray(to_host(t.detach().cpu().numpy()))


# ----------------------------------------------------------------------------- ModuleDict
def test_module_dict_registers_in_order_and_behaves_like_a_dict(device):
    heads = nn.ModuleDict({"digit": nn.Linear(4, 10), "act": nn.ReLU()})
    heads.update([("odd", nn.Linear(4, 2))])
    heads["extra"] = nn.Tanh()
    assert list(heads) == list(heads.keys()) == ["digit", "act", "odd", "extra"]
    assert [type(m).__name__ for m in heads.values()] == ["Linear", "ReLU", "Linear", "Tanh"]
    assert list(heads.state_dict()) == ["digit.weight", "digit.bias", "odd.weight", "odd.bias"]
    assert len(heads) == 4 and "odd" in heads and "nope" not in heads
    assert isinstance(heads.pop("extra"), nn.Tanh) and "extra" not in heads
    del heads["act"]
    assert list(heads) == ["digit", "odd"] and not hasattr(heads, "act")
    heads.to(device)
    x = minigrad.randn(3, 4, device=device)
    assert heads["digit"](x).shape == (3, 10)
    heads.clear()
    assert len(heads) == 0 and list(heads.parameters()) == []


def test_module_dict_refuses_bad_input_as_pytorch():
    with pytest.raises(TypeError, match="iterable of key/value pairs, but got int"):
        nn.ModuleDict().update(3)
    with pytest.raises(ValueError, match="element #0 has length 1; 2 is required"):
        nn.ModuleDict([("a",)])
    with pytest.raises(TypeError, match="is not a Module subclass"):
        nn.ModuleDict({"a": 3})
    with pytest.raises(KeyError):
        nn.ModuleDict()["missing"]


def test_module_dict_repr():
    heads = nn.ModuleDict({"a": nn.Linear(2, 3), "b": nn.ReLU()})
    assert repr(heads) == (
        "ModuleDict(\n  (a): Linear(in_features=2, out_features=3, bias=True)\n  (b): ReLU()\n)"
    )


# ----------------------------------------------------------------------------- ParameterList
def test_parameter_list_makes_parameters_that_train(device):
    params = nn.ParameterList([minigrad.ones(2, 3, device=device), minigrad.zeros(3)])
    params.append(nn.Parameter(minigrad.full((3,), 2.0, device=device)))
    params[1] = minigrad.zeros(3, device=device)
    assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in params)
    assert [name for name, _ in params.named_parameters()] == ["0", "1", "2"]
    assert list(params.state_dict()) == ["0", "1", "2"]
    assert len(params) == 3 and params[-1] is params[2]
    assert isinstance(params[1:], nn.ParameterList) and len(params[1:]) == 2
    x = minigrad.ones(4, 2, device=device)
    ((x @ params[0] + params[1]) * params[2]).sum().backward()
    np.testing.assert_array_equal(host(params[1].grad), [8.0, 8.0, 8.0])  # 4 rows x 2
    np.testing.assert_array_equal(host(params[2].grad), [8.0, 8.0, 8.0])  # 4 rows x (1+1)


def test_parameter_list_errors_and_repr():
    params = nn.ParameterList([minigrad.ones(3, 4), minigrad.zeros(3)])
    params += [minigrad.ones(1)]
    assert len(params) == 3
    with pytest.raises(IndexError, match="out of range"):
        params[3]
    with pytest.raises(TypeError, match="should be called with an iterable, but got int"):
        params.extend(3)
    assert repr(nn.ParameterList([minigrad.ones(3, 4), minigrad.zeros(3)])) == (
        "ParameterList(\n"
        "    (0): Parameter containing: [minigrad.float32 of size 3x4]\n"
        "    (1): Parameter containing: [minigrad.float32 of size 3]\n"
        ")"
    )


# ----------------------------------------------------------------------------- ParameterDict
def test_parameter_dict_behaves_like_a_dict_of_parameters():
    gains = nn.ParameterDict({"a": minigrad.ones(2)})
    gains.update([("b", minigrad.zeros(2))])
    gains["c"] = nn.Parameter(minigrad.ones(1))
    assert list(gains) == ["a", "b", "c"] and all(
        isinstance(v, nn.Parameter) for v in gains.values()
    )
    assert list(gains.state_dict()) == ["a", "b", "c"]
    assert gains.get("zz") is None and gains.get("a") is gains["a"]
    assert gains.setdefault("a", minigrad.zeros(5)) is gains["a"]
    copied = gains.copy()
    assert list(copied) == ["a", "b", "c"] and copied["b"] is gains["b"]
    key, value = gains.popitem()
    assert key == "c" and value.shape == (1,) and "c" not in gains
    assert gains.pop("b").shape == (2,) and list(gains.named_parameters())[0][0] == "a"
    gains.clear()
    assert len(gains) == 0 and list(gains.parameters()) == []
    with pytest.raises(KeyError):
        gains["a"]


def test_parameter_dict_errors_and_repr():
    with pytest.raises(TypeError, match=r"not a string \(type is 'int'\)"):
        nn.ParameterDict({1: minigrad.ones(1)})
    assert repr(nn.ParameterDict({"x": minigrad.ones(2)})) == (
        "ParameterDict(  (x): Parameter containing: [minigrad.float32 of size 2])"
    )


def test_container_reprs_match_pytorch():
    torch = pytest.importorskip("torch")
    ours = nn.ParameterList([minigrad.ones(3, 4)])
    theirs = torch.nn.ParameterList([torch.ones(3, 4)])
    assert repr(ours).replace("minigrad", "torch") == repr(theirs)
    ours_d = nn.ModuleDict({"a": nn.Linear(2, 3), "b": nn.ReLU()})
    theirs_d = torch.nn.ModuleDict({"a": torch.nn.Linear(2, 3), "b": torch.nn.ReLU()})
    assert repr(ours_d) == repr(theirs_d)


# ----------------------------------------------------------------------------- Unflatten
@given(
    batch=st.integers(0, 3),
    sizes=st.lists(st.integers(1, 4), min_size=1, max_size=3),
    infer=st.booleans(),
)
def test_unflatten_undoes_flatten(batch, sizes, infer):
    x = minigrad.randn(batch, *sizes, dtype=minigrad.float64)
    flat = nn.Flatten()(x)
    spec = tuple(sizes)
    if infer and batch > 0:
        spec = (-1, *spec[1:])
    back = nn.Unflatten(1, spec)(flat)
    assert back.shape == x.shape
    np.testing.assert_array_equal(host(back), host(x))


def test_unflatten_gradient_errors_and_repr(device):
    x = minigrad.randn(2, 12, device=device, requires_grad=True)
    model = nn.Sequential(nn.Unflatten(-1, (3, 4)), nn.Flatten())
    y = model(x)
    assert y.shape == (2, 12)
    (y * 2).sum().backward()
    np.testing.assert_array_equal(host(x.grad), np.full((2, 12), 2.0))
    assert repr(nn.Unflatten(1, (2, 5))) == "Unflatten(dim=1, unflattened_size=(2, 5))"
    with pytest.raises(TypeError, match="element of type float at pos 0"):
        nn.Unflatten(1, (2.0, 5))
    with pytest.raises(TypeError, match="must be tuple of ints"):
        nn.Unflatten(1, 5)
    with pytest.raises(RuntimeError, match="invalid for input of size"):
        nn.Unflatten(1, (5, 5))(x)
    with pytest.raises(IndexError, match="Dimension out of range"):
        nn.Unflatten(2, (3, 4))(x)


# ----------------------------------------------------------------------------- lookups
def model() -> nn.Module:
    net = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Sequential(nn.Linear(3, 1)))
    net[0].register_buffer("seen", minigrad.zeros(1))
    net[0].register_buffer("scratch", minigrad.zeros(2), persistent=False)
    return net


def test_get_submodule_parameter_and_buffer():
    net = model()
    assert net.get_submodule("") is net
    assert net.get_submodule("2.0") is net[2][0]
    assert net.get_parameter("2.0.bias") is net[2][0].bias
    assert net.get_parameter("0.weight") is net[0].weight
    assert net.get_buffer("0.seen") is net[0].seen
    assert net.get_buffer("0.scratch") is net[0].scratch
    cases = [
        (net.get_submodule, "0.weight", "`weight` is not an nn.Module"),
        (net.get_submodule, "3", "Sequential has no attribute `3`"),
        (net.get_parameter, "0.foo", "Linear has no attribute `foo`"),
        (net.get_parameter, "0.seen", "`seen` is not an nn.Parameter"),
        (net.get_buffer, "0.weight", "`weight` is not a buffer"),
        (net.get_buffer, "1.x", "ReLU has no attribute `x`"),
    ]
    for method, target, message in cases:
        with pytest.raises(AttributeError) as info:
            method(target)
        assert str(info.value) == message


def test_non_persistent_buffers_move_but_stay_out_of_the_state_dict(device):
    net = model()
    assert [name for name, _ in net.named_buffers()] == ["0.seen", "0.scratch"]
    assert list(net.state_dict()) == ["0.weight", "0.bias", "0.seen", "2.0.weight", "2.0.bias"]
    net.to(device)
    assert str(net[0].scratch.device) == str(minigrad.zeros(1, device=device).device)
    result = model().load_state_dict(net.state_dict())
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert repr(result) == "<All keys matched successfully>"
    partial = nn.Linear(2, 2).load_state_dict({"weight": minigrad.ones(2, 2)}, strict=False)
    assert partial == (["bias"], []) and partial.missing_keys == ["bias"]
    assert repr(partial) == "_IncompatibleKeys(missing_keys=['bias'], unexpected_keys=[])"


def test_parameters_recurse_false_and_children():
    net = nn.Sequential(nn.Linear(2, 2))
    net.register_parameter("scale", nn.Parameter(minigrad.ones(1)))
    assert [p.shape for p in net.parameters(recurse=False)] == [(1,)]
    assert [name for name, _ in net.named_children()] == ["0"]
    assert [name for name, _ in net.named_modules(prefix="model")] == ["model", "model.0"]


# ----------------------------------------------------------------------------- to / casts
def test_to_accepts_a_tensor_a_device_and_dtype_and_refuses_integer_dtypes(device):
    net = nn.Linear(2, 2)
    weight = net.weight
    target = minigrad.zeros(1, dtype=minigrad.float64, device=device)
    assert net.to(target) is net and net.weight is weight
    assert net.weight.dtype == minigrad.float64 and net.weight.device == target.device
    net.to("cpu", minigrad.float32)
    assert net.weight.dtype == minigrad.float32 and net.weight.device.type == "cpu"
    assert net.half().weight.dtype == minigrad.float16
    assert net.double().bias.dtype == minigrad.float64
    assert net.float().bias.dtype == minigrad.float32
    with pytest.raises(TypeError, match="only accepts floating point or complex dtypes"):
        net.to(minigrad.int64)


def test_zero_grad_to_zeros_keeps_the_gradient_tensor(device):
    net = nn.Linear(3, 1).to(device)
    net(minigrad.ones(2, 3, device=device)).sum().backward()
    grad = net.weight.grad
    net.zero_grad(set_to_none=False)
    assert net.weight.grad is grad and not host(grad).any()


# ----------------------------------------------------------------------------- forward hooks
class Scale(nn.Module):
    def forward(self, x: Any, factor: float = 2.0) -> Any:
        return x * factor


def test_forward_pre_hooks_change_the_input_in_order_and_can_be_removed():
    m = Scale()
    seen: list[str] = []

    def add_one(module, args):
        seen.append("add_one")
        return args[0] + 1  # a single value is wrapped into a tuple

    def double_first(module, args):
        seen.append("double_first")
        return (args[0] * 2,)

    h1 = m.register_forward_pre_hook(add_one)
    m.register_forward_pre_hook(double_first, prepend=True)
    np.testing.assert_array_equal(host(m(minigrad.ones(2))), [6.0, 6.0])  # ((1*2)+1)*2
    assert seen == ["double_first", "add_one"]
    h1.remove()
    h1.remove()  # idempotent
    np.testing.assert_array_equal(host(m(minigrad.ones(2))), [4.0, 4.0])


def test_forward_pre_hook_with_kwargs():
    m = Scale()

    def triple(module, args, kwargs):
        return args, {**kwargs, "factor": 3.0}

    with m.register_forward_pre_hook(triple, with_kwargs=True):
        np.testing.assert_array_equal(host(m(minigrad.ones(1))), [3.0])
    np.testing.assert_array_equal(host(m(minigrad.ones(1))), [2.0])  # removed on exit
    m.register_forward_pre_hook(lambda module, args, kwargs: 5, with_kwargs=True)
    with pytest.raises(RuntimeError, match=r"tuple of \(new_args, new_kwargs\), but got 5"):
        m(minigrad.ones(1))


def test_forward_hooks_see_inputs_and_may_replace_the_output():
    m = Scale()
    calls: list[tuple[Any, ...]] = []
    m.register_forward_hook(lambda module, args, output: calls.append((module, args, output)))
    m.register_forward_hook(lambda module, args, output: output + 10)
    m.register_forward_hook(
        lambda module, args, kwargs, output: calls.append(kwargs), with_kwargs=True
    )
    x = minigrad.ones(2)
    out = m(x, factor=4.0)
    np.testing.assert_array_equal(host(out), [14.0, 14.0])
    (module, args, output), kwargs = calls
    assert module is m and args[0] is x and kwargs == {"factor": 4.0}
    np.testing.assert_array_equal(host(output), [4.0, 4.0])
    with pytest.raises(TypeError, match="hook must be callable"):
        m.register_forward_hook(3)


def test_always_call_forward_hook_runs_when_forward_raises():
    class Broken(nn.Module):
        def forward(self, x):
            raise ValueError("broken forward")

    m = Broken()
    outputs: list[Any] = []
    m.register_forward_hook(lambda module, args, output: outputs.append(("plain", output)))
    m.register_forward_hook(
        lambda module, args, output: outputs.append(("always", output)), always_call=True
    )
    with pytest.raises(ValueError, match="broken forward"):
        m(minigrad.ones(1))
    assert outputs == [("always", None)]


def test_hooks_record_activations_of_a_real_model(device):
    net = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2)).to(device)
    shapes: dict[str, tuple[int, ...]] = {}
    handles = [
        module.register_forward_hook(
            lambda module, args, output, name=name: shapes.__setitem__(name, output.shape)
        )
        for name, module in net.named_children()
    ]
    net(minigrad.randn(5, 4, device=device))
    assert shapes == {"0": (5, 3), "1": (5, 3), "2": (5, 2)}
    for handle in handles:
        handle.remove()
    shapes.clear()
    net(minigrad.randn(5, 4, device=device))
    assert shapes == {}


# ----------------------------------------------------------------------------- backward hooks
def test_full_backward_hook_sees_grad_output_and_grad_input(device):
    layer = nn.Linear(3, 2).to(device)
    x = minigrad.randn(4, 3, device=device, requires_grad=True)
    seen: list[tuple[Any, ...]] = []
    layer.register_full_backward_hook(lambda module, gi, go: seen.append((module, gi, go)))
    (layer(x) * 3).sum().backward()
    ((module, grad_input, grad_output),) = seen
    assert module is layer and len(grad_input) == 1 and len(grad_output) == 1
    np.testing.assert_allclose(host(grad_output[0]), np.full((4, 2), 3.0))
    expected = np.full((4, 2), 3.0) @ host(layer.weight)  # dL/dx = dL/dy · W
    np.testing.assert_allclose(host(grad_input[0]), expected, rtol=1e-6)
    np.testing.assert_allclose(host(x.grad), expected, rtol=1e-6)


def test_full_backward_hooks_chain_replace_grad_input_and_can_be_removed(device):
    layer = nn.Linear(3, 2).to(device)
    x = minigrad.randn(4, 3, device=device, requires_grad=True)
    handle = layer.register_full_backward_hook(lambda module, gi, go: (gi[0] * 10,))
    layer.register_full_backward_hook(lambda module, gi, go: (gi[0] + 1,))
    layer(x).sum().backward()
    plain = np.ones((4, 2)) @ host(layer.weight)
    np.testing.assert_allclose(host(x.grad), plain * 10 + 1, rtol=1e-6)
    handle.remove()
    x.grad = None
    layer(x).sum().backward()
    np.testing.assert_allclose(host(x.grad), plain + 1, rtol=1e-6)


def test_full_backward_hook_for_inputs_without_gradient_and_bad_returns(device):
    layer = nn.Linear(3, 2).to(device)
    seen: list[Any] = []
    layer.register_full_backward_hook(lambda module, gi, go: seen.append(gi))
    layer(minigrad.ones(1, 3, device=device)).sum().backward()  # x needs no gradient
    assert seen == [(None,)]
    bad = nn.Linear(3, 2).to(device)
    bad.register_full_backward_hook(lambda module, gi, go: (gi[0], gi[0]))
    x = minigrad.ones(1, 3, device=device, requires_grad=True)
    with pytest.raises(RuntimeError, match="invalid number of grad_input, got 2, but expected 1"):
        bad(x).sum().backward()


class Product(nn.Module):
    def forward(self, a, scale, b):
        return a * b * scale


def test_full_backward_hook_with_several_inputs(device):
    m = Product()
    a = minigrad.full((2,), 3.0, device=device, requires_grad=True)
    b = minigrad.full((2,), 5.0, device=device, requires_grad=True)
    seen: list[Any] = []
    m.register_full_backward_hook(lambda module, gi, go: seen.append((gi, go)))
    m(a, 2.0, b).sum().backward()  # the float is not a tensor: not in grad_input
    ((grad_input, grad_output),) = seen
    assert len(grad_input) == 2 and len(grad_output) == 1
    np.testing.assert_array_equal(host(grad_input[0]), [10.0, 10.0])  # d/da = 2b
    np.testing.assert_array_equal(host(grad_input[1]), [6.0, 6.0])  # d/db = 2a
    np.testing.assert_array_equal(host(a.grad), [10.0, 10.0])
    m.register_full_backward_hook(lambda module, gi, go: tuple(g * 0 for g in gi))
    with pytest.raises(RuntimeError, match="already passed on"):
        m(a, 2.0, b).sum().backward()


def test_a_backward_pre_hook_sees_and_may_replace_grad_output():
    lin = nn.Linear(2, 2)
    with minigrad.no_grad():
        lin.weight.copy_(minigrad.tensor([[1.0, 2.0], [3.0, 4.0]]))
        lin.bias.zero_()
    seen = []

    def pre(module, grad_output):
        seen.append(("pre", module, [g.tolist() for g in grad_output]))
        return (grad_output[0] * 10,)

    def full(module, grad_input, grad_output):
        seen.append(("full", [g.tolist() for g in grad_input], [g.tolist() for g in grad_output]))

    handles = [lin.register_full_backward_pre_hook(pre), lin.register_full_backward_hook(full)]
    x = minigrad.ones(1, 2, requires_grad=True)
    lin(x).sum().backward()
    # (as PyTorch: the pre-hook's grad_output replaces the module's, and the full hook sees it)
    assert seen == [
        ("pre", lin, [[[1.0, 1.0]]]),
        ("full", [[[40.0, 60.0]]], [[[10.0, 10.0]]]),
    ]
    assert x.grad.tolist() == [[40.0, 60.0]] and lin.weight.grad.tolist() == [[10.0, 10.0]] * 2
    for handle in handles:
        handle.remove()
    seen.clear()
    x.grad = None
    lin(x).sum().backward()
    assert seen == [] and x.grad.tolist() == [[4.0, 6.0]]
    lin.register_full_backward_pre_hook(lambda m, g: (g[0], g[0]))
    with pytest.raises(RuntimeError, match="invalid number of grad_output, got 2, but expected 1"):
        lin(x).sum().backward()
