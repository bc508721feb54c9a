"""``nn.Module``, ``nn.Parameter`` and the containers: registration, traversal, modes,
devices, state dicts and reprs, with PyTorch's conventions."""

from __future__ import annotations

import ast
import copy
from collections import OrderedDict
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import minigrad
import minigrad.nn as nn
import minigrad.nn.functional as F
from minigrad.backend import to_host

FAST = settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def host(t):
    return to_host(t._array)


def snapshot(module):
    return {k: host(v).copy() for k, v in module.state_dict().items()}


def assert_same_state(a, b):
    assert list(a) == list(b)
    for key in a:
        assert a[key].dtype == b[key].dtype, key
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)


class Net(nn.Module):
    """Attributes assigned in a deliberately unsorted order."""

    def __init__(self):
        super().__init__()
        self.zeta = nn.Linear(4, 3)
        self.scale = nn.Parameter(minigrad.ones(3))
        self.act = nn.ReLU()
        self.alpha = nn.Sequential(nn.Linear(3, 3), nn.Tanh(), nn.Linear(3, 2))
        self.not_a_parameter = minigrad.zeros(2)  # a plain tensor is not registered
        self.config = {"hidden": 3}

    def forward(self, x):
        return self.alpha(self.act(self.zeta(x)) * self.scale)


def mlp(sizes=(784, 100, 100, 100, 100, 10)):
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


# ----------------------------------------------------------------------------- registration
def test_parameters_and_modules_register_in_assignment_order():
    net = Net()
    assert [name for name, _ in net.named_parameters()] == [
        "scale", "zeta.weight", "zeta.bias", "alpha.0.weight", "alpha.0.bias",
        "alpha.2.weight", "alpha.2.bias",
    ]  # fmt: skip
    assert [name for name, _ in net.named_children()] == ["zeta", "act", "alpha"]
    assert [name for name, _ in net.named_modules()] == [
        "", "zeta", "act", "alpha", "alpha.0", "alpha.1", "alpha.2",
    ]  # fmt: skip
    assert list(net.children()) == [net.zeta, net.act, net.alpha]
    assert [type(m).__name__ for m in net.modules()] == [
        "Net", "Linear", "ReLU", "Sequential", "Linear", "Tanh", "Linear",
    ]  # fmt: skip
    params = list(net.parameters())
    assert len(params) == 7 and all(isinstance(p, nn.Parameter) for p in params)
    assert params[0] is net.scale and params[1] is net.zeta.weight
    assert len(list(net.parameters(recurse=False))) == 1


def test_order_is_deterministic_across_instances():
    names = [[n for n, _ in Net().named_parameters()] for _ in range(3)]
    assert names[0] == names[1] == names[2]


def test_reassignment_keeps_position_and_type_checks():
    net = Net()
    net.zeta = nn.Linear(4, 3)
    assert [n for n, _ in net.named_children()] == ["zeta", "act", "alpha"]
    with pytest.raises(TypeError, match="cannot assign 'Tensor' as parameter 'scale'"):
        net.scale = minigrad.ones(3)
    with pytest.raises(TypeError, match="child module 'act'"):
        net.act = "relu"
    net.scale = None
    assert "scale" not in dict(net.named_parameters())
    del net.act
    assert [n for n, _ in net.named_children()] == ["zeta", "alpha"]


def test_shared_parameters_and_modules_are_listed_once():
    shared = nn.Linear(2, 2)
    model = nn.Sequential(shared, nn.ReLU(), shared)
    assert len(list(model.parameters())) == 2
    assert len(list(model.modules())) == 3
    assert list(model.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]


def test_remove_duplicate_false_lists_a_shared_module_under_each_name():
    shared = nn.Linear(2, 2)
    shared.register_buffer("stats", minigrad.zeros(1))
    model = nn.Sequential(shared, nn.ReLU(), shared)
    assert [n for n, _ in model.named_parameters(remove_duplicate=False)] == [
        "0.weight", "0.bias", "2.weight", "2.bias"]  # fmt: skip
    assert [n for n, _ in model.named_buffers(remove_duplicate=False)] == ["0.stats", "2.stats"]
    assert [n for n, _ in model.named_parameters()] == ["0.weight", "0.bias"]


def test_assigning_before_init_raises_a_clear_error():
    class Forgot(nn.Module):
        def __init__(self):
            self.layer = nn.Linear(2, 2)

    with pytest.raises(AttributeError, match=r"super\(\).__init__\(\)"):
        Forgot()


def test_missing_forward_raises():
    with pytest.raises(NotImplementedError, match='missing the required "forward"'):
        nn.Module()(minigrad.ones(1))


def test_register_parameter_buffer_and_module_api():
    m = nn.Module()
    m.register_parameter("w", nn.Parameter(minigrad.ones(2)))
    m.register_parameter("unused", None)
    m.register_buffer("running", minigrad.zeros(2))
    m.register_buffer("scratch", minigrad.zeros(1), persistent=False)
    m.add_module("child", nn.Linear(1, 1))
    assert m.unused is None and list(dict(m.named_parameters())) == [
        "w", "child.weight", "child.bias"]  # fmt: skip
    assert [n for n, _ in m.named_buffers()] == ["running", "scratch"]
    assert list(m.state_dict()) == ["w", "running", "child.weight", "child.bias"]
    with pytest.raises(TypeError):
        m.register_parameter("bad", minigrad.ones(2))
    with pytest.raises(KeyError):
        m.register_buffer("a.b", minigrad.ones(2))
    m.running = minigrad.ones(2)  # assigning a tensor to a buffer name updates the buffer
    np.testing.assert_array_equal(host(m.state_dict()["running"]), [1.0, 1.0])


def test_registering_over_a_name_of_another_kind_is_refused_and_changes_nothing():
    """As PyTorch: a buffer named ``weight`` must not silently turn the parameter into a buffer."""
    layer = nn.Linear(2, 2)
    layer.register_buffer("stats", minigrad.zeros(2))
    layer.add_module("child", nn.ReLU())
    attempts = [
        lambda: layer.register_buffer("weight", minigrad.zeros(2)),
        lambda: layer.register_parameter("stats", nn.Parameter(minigrad.zeros(2))),
        lambda: layer.register_parameter("child", None),
        lambda: layer.add_module("bias", nn.ReLU()),
        lambda: layer.add_module("stats", None),
    ]
    for attempt in attempts:
        with pytest.raises(KeyError, match="already exists"):
            attempt()
    assert [n for n, _ in layer.named_parameters()] == ["weight", "bias"]
    assert [n for n, _ in layer.named_buffers()] == ["stats"]
    assert [n for n, _ in layer.named_children()] == ["child"]
    assert list(layer.state_dict()) == ["weight", "bias", "stats"]
    # re-registering under a name of the same kind replaces the entry, as in PyTorch
    layer.register_buffer("stats", minigrad.ones(3))
    layer.register_parameter("bias", None)
    layer.add_module("child", None)
    assert list(layer.state_dict()) == ["weight", "stats"] and layer.bias is None
    assert list(layer.children()) == []


# ----------------------------------------------------------------------------- Parameter
def test_parameter_is_a_tensor_that_requires_grad_and_shares_data():
    t = minigrad.tensor([1.0, 2.0])
    p = nn.Parameter(t)
    assert isinstance(p, minigrad.Tensor) and p.requires_grad and p.is_leaf
    assert p._array is t._array
    assert not nn.Parameter(t, requires_grad=False).requires_grad
    assert repr(p).startswith("Parameter containing:\ntensor([1., 2.]")
    (p * p).sum().backward()
    np.testing.assert_array_equal(host(p.grad), [2.0, 4.0])
    assert nn.Parameter().shape == (0,)


# ----------------------------------------------------------------------------- modes, grads
def test_train_eval_propagate_and_return_self():
    net = nn.Sequential(nn.Linear(2, 2), nn.Dropout(), nn.Sequential(nn.Dropout()))
    assert all(m.training for m in net.modules())
    assert net.eval() is net
    assert not any(m.training for m in net.modules())
    assert net.train() is net and all(m.training for m in net.modules())
    net.train(False)
    assert not net[2][0].training
    with pytest.raises(ValueError, match="boolean"):
        net.train("yes")


def test_zero_grad_and_requires_grad_(device):
    net = mlp((3, 4, 2)).to(device)
    x = minigrad.randn(5, 3, device=device)
    net(x).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad(set_to_none=False)
    assert all(not host(p.grad).any() for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())
    net.requires_grad_(False)
    assert not net(x).requires_grad
    net.requires_grad_()
    assert net(x).requires_grad


# ----------------------------------------------------------------------------- devices
def test_to_moves_parameters_in_place_and_returns_self(device):
    net = Net()
    params = list(net.parameters())  # what an optimizer holds
    net(minigrad.randn(2, 4)).sum().backward()
    assert net.to(device) is net
    assert all(a is b for a, b in zip(params, net.parameters(), strict=True))
    for p in params:
        assert p.device == device and p.grad.device == device
    # a training step through the old references still reaches the model
    x = minigrad.randn(2, 4, device=device)
    before = host(net(x))
    with minigrad.no_grad():
        for p in params:
            p -= 0.1 * p.grad
    assert not np.allclose(host(net(x)), before)
    assert net.cpu() is net and all(p.device == "cpu" for p in params)


def test_cuda_method_and_dtype_casts():
    net = nn.Linear(2, 3)
    assert net.cuda() is net and net.weight.device == "cuda"
    net.double()
    assert net.weight.dtype == minigrad.float64 and net.weight.device == "cuda"
    net.to("cpu", minigrad.float32)
    assert net.weight.dtype == minigrad.float32 and net.weight.device == "cpu"
    with pytest.raises(TypeError, match="floating point"):
        net.to(minigrad.int64)


@FAST
@given(sizes=st.lists(st.integers(1, 5), min_size=2, max_size=4),
       route=st.lists(st.sampled_from(["cpu", "cuda"]), min_size=1, max_size=4))  # fmt: skip
def test_state_dict_survives_device_round_trips_exactly(sizes, route):
    minigrad.manual_seed(len(sizes))
    net = mlp(tuple(sizes))
    net.register_buffer("stats", minigrad.arange(3))  # an integer buffer keeps its dtype
    before = snapshot(net)
    for device in route:
        net.to(device)
        assert all(t.device == device for t in net.state_dict().values())
    net.to("cpu")
    assert_same_state(before, snapshot(net))


def test_state_dict_is_ordered_detached_and_shares_memory():
    net = Net()
    sd = net.state_dict()
    assert isinstance(sd, OrderedDict)
    assert list(sd) == [name for name, _ in net.named_parameters()]
    assert all(not t.requires_grad for t in sd.values())
    assert sd["zeta.weight"]._array is net.zeta.weight._array


def test_load_state_dict_round_trip_across_devices(device):
    source = mlp((4, 5, 3))
    target = mlp((4, 5, 3)).to(device)
    result = target.load_state_dict(source.state_dict())
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert all(p.device == device for p in target.parameters())
    x = minigrad.randn(2, 4)
    np.testing.assert_array_equal(host(source(x)), host(target(x.to(device))))


def test_load_state_dict_lists_every_problem_and_leaves_the_module_unchanged(device):
    model = mlp((4, 5, 3)).to(device)
    before = snapshot(model)
    bad = OrderedDict(mlp((4, 5, 3)).state_dict())
    del bad["0.bias"]
    del bad["2.weight"]
    bad["2.bias"] = minigrad.zeros(7)
    bad["extra.weight"] = minigrad.zeros(1)
    with pytest.raises(RuntimeError) as info:
        model.load_state_dict(bad)
    message = str(info.value)
    assert "Error(s) in loading state_dict for Sequential" in message
    assert 'Missing key(s) in state_dict: "0.bias", "2.weight".' in message
    assert 'Unexpected key(s) in state_dict: "extra.weight".' in message
    assert "size mismatch for 2.bias: copying a param with shape minigrad.Size([7]) from " \
           "checkpoint, the shape in current model is minigrad.Size([3])." in message  # fmt: skip
    assert_same_state(before, snapshot(model))  # "0.weight" was valid but is not loaded either


def test_load_state_dict_non_strict(device):
    model = mlp((4, 5, 3)).to(device)
    source = mlp((4, 5, 3)).state_dict()
    partial = {"0.weight": source["0.weight"], "extra": minigrad.ones(1)}
    result = model.load_state_dict(partial, strict=False)
    assert result.missing_keys == ["0.bias", "2.weight", "2.bias"]
    assert result.unexpected_keys == ["extra"]
    np.testing.assert_array_equal(host(model[0].weight), host(source["0.weight"]))
    before = snapshot(model)
    with pytest.raises(RuntimeError, match="size mismatch for 0.weight"):
        model.load_state_dict({"0.weight": minigrad.zeros(2, 2)}, strict=False)
    assert_same_state(before, snapshot(model))


def test_load_state_dict_accepts_numpy_arrays_and_keeps_parameter_identity(device):
    model = nn.Linear(2, 2).to(device)
    weight = model.weight
    model.load_state_dict({"weight": np.eye(2), "bias": np.zeros(2)})
    assert model.weight is weight and weight.dtype == minigrad.float32
    np.testing.assert_array_equal(host(model.weight), np.eye(2))


# ----------------------------------------------------------------------------- containers
def test_sequential_indexing_len_iteration_append(device):
    a, b, c = nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2)
    seq = nn.Sequential(a, b)
    assert len(seq) == 2 and seq[0] is a and seq[-1] is b and list(seq) == [a, b]
    assert seq.append(c) is seq and len(seq) == 3 and seq[2] is c
    head = seq[:2]
    assert isinstance(head, nn.Sequential) and list(head) == [a, b]
    with pytest.raises(IndexError, match="out of range"):
        seq[3]
    seq.to(device)
    x = minigrad.randn(5, 3, device=device)
    np.testing.assert_allclose(host(seq(x)), host(c(b(a(x)))), rtol=1e-6)
    named = nn.Sequential(OrderedDict([("fc", nn.Linear(1, 1)), ("act", nn.Tanh())]))
    assert [n for n, _ in named.named_children()] == ["fc", "act"] and named[1] is named.act
    seq.insert(0, nn.Identity())
    assert [type(m).__name__ for m in seq] == ["Identity", "Linear", "ReLU", "Linear"]
    del seq[0]
    assert [n for n, _ in seq.named_children()] == ["0", "1", "2"] and seq[0] is a
    seq.extend([nn.Tanh()])
    assert len(seq) == 4


def test_insert_follows_pytorch_and_refuses_bad_input_without_changes():
    a, b = nn.Linear(1, 1), nn.Tanh()
    seq = nn.Sequential(a, b)
    assert seq.insert(-1, nn.ReLU()) is seq  # PyTorch's Sequential.insert returns self
    assert [type(m).__name__ for m in seq] == ["Linear", "ReLU", "Tanh"]
    assert seq.insert(3, nn.Identity()) is seq and len(seq) == 4  # index == len appends
    with pytest.raises(IndexError, match="insert index 5 is out of range.*length 4"):
        seq.insert(5, nn.ReLU())  # a list would silently append it
    with pytest.raises(TypeError, match="str is not a Module subclass"):
        seq.insert(0, "relu")  # used to empty the Sequential before failing
    with pytest.raises(TypeError, match="must be an integer"):
        seq.insert("0", nn.ReLU())
    assert [type(m).__name__ for m in seq] == ["Linear", "ReLU", "Tanh", "Identity"]
    assert [n for n, _ in seq.named_children()] == ["0", "1", "2", "3"]
    layers = nn.ModuleList([a])
    layers.insert(0, b)
    assert list(layers) == [b, a]


def test_module_list_registers_its_modules():
    class Stack(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = nn.ModuleList(nn.Linear(2, 2) for _ in range(3))

        def forward(self, x):
            for layer in self.layers:
                x = layer(x)
            return x

    model = Stack()
    assert len(list(model.parameters())) == 6 and len(model.layers) == 3
    assert model(minigrad.randn(1, 2)).shape == (1, 2)
    assert isinstance(model.layers[1:], nn.ModuleList)


def test_repr_matches_pytorch():
    net = nn.Sequential(nn.Linear(784, 100), nn.ReLU(), nn.Dropout(0.2),
                        nn.Sequential(nn.Linear(100, 10), nn.LogSoftmax(dim=1)))  # fmt: skip
    assert repr(net) == (
        "Sequential(\n"
        "  (0): Linear(in_features=784, out_features=100, bias=True)\n"
        "  (1): ReLU()\n"
        "  (2): Dropout(p=0.2, inplace=False)\n"
        "  (3): Sequential(\n"
        "    (0): Linear(in_features=100, out_features=10, bias=True)\n"
        "    (1): LogSoftmax(dim=1)\n"
        "  )\n"
        ")"
    )
    assert repr(nn.Module()) == "Module()"


def test_apply_visits_every_module_and_deepcopy_is_independent():
    net = Net()
    seen = []
    assert net.apply(lambda m: seen.append(type(m).__name__)) is net
    assert seen == ["Linear", "ReLU", "Linear", "Tanh", "Linear", "Sequential", "Net"]
    clone = copy.deepcopy(net)
    assert isinstance(clone.scale, nn.Parameter) and clone.scale is not net.scale
    assert_same_state(snapshot(net), snapshot(clone))
    with minigrad.no_grad():
        clone.zeta.weight += 1.0
    assert not np.array_equal(host(net.zeta.weight), host(clone.zeta.weight))


def test_a_model_trains(device):
    """Fit a two-layer net to a small regression problem with plain SGD on .parameters()."""
    minigrad.manual_seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 3)).astype(np.float32)
    y = (x @ np.array([[1.0], [-2.0], [0.5]], np.float32)) ** 2
    xt = minigrad.tensor(x, device=device)
    yt = minigrad.tensor(y, device=device)
    model = nn.Sequential(nn.Linear(3, 16), nn.Tanh(), nn.Linear(16, 1)).to(device)
    first = None
    for _ in range(200):
        model.zero_grad()
        loss = F.mse_loss(model(xt), yt)
        loss.backward()
        with minigrad.no_grad():
            for p in model.parameters():
                p -= 0.05 * p.grad
        first = float(loss) if first is None else first
    assert float(loss) < 0.3 * first


def test_nn_is_reachable_as_attributes_and_the_engine_modules_do_not_import_it():
    assert minigrad.nn is nn and nn.functional is F
    assert callable(minigrad.nn.init.xavier_uniform_)
    engine = Path(minigrad.__file__).parent
    for path in engine.rglob("*.py"):
        if path == engine / "__init__.py":
            continue  # the package itself exposes nn, as `import torch` does
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            assert not any(n == "minigrad.nn" or n.startswith("minigrad.nn.") for n in names), (
                f"{path} imports minigrad.nn"
            )
