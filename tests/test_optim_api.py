"""The optimizer constructor's PyTorch 2.x API: named parameters, groups, defaults, and PyTorch's
own numbers as an optional check."""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np
import pytest

import minigrad
from minigrad import nn, optim

CLASSES = [
    optim.SGD,
    optim.Adagrad,
    optim.Adadelta,
    optim.RMSprop,
    optim.Adam,
    optim.AdamW,
    optim.Adamax,
    optim.NAdam,
    optim.RAdam,
    optim.Rprop,
    optim.ASGD,
]


def model() -> nn.Module:
    minigrad.manual_seed(1)
    return nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))


@pytest.mark.parametrize("cls", CLASSES)
def test_defaults_are_the_constructors_signature(cls: type) -> None:
    opt = cls(model().parameters())
    signature = inspect.signature(cls.__init__).parameters
    for name, value in opt.defaults.items():
        if name in signature:
            assert value == signature[name].default, name
    assert set(signature) - {"self", "params"} <= set(opt.defaults)


def test_named_parameters_keep_their_names() -> None:
    net = model()
    opt = optim.Adam(net.named_parameters(), lr=0.01)
    group = opt.param_groups[0]
    assert group["param_names"] == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert group["params"] == list(net.parameters())
    net(minigrad.randn(5, 3)).sum().backward()
    opt.step()
    saved = opt.state_dict()
    assert saved["param_groups"][0]["param_names"] == group["param_names"]
    again = optim.Adam(model().named_parameters(), lr=0.01)
    again.load_state_dict(saved)
    assert again.param_groups[0]["param_names"] == group["param_names"]


def test_named_parameters_in_groups() -> None:
    net = model()
    named = list(net.named_parameters())
    opt = optim.SGD([{"params": named[:2], "lr": 0.1}, {"params": named[2:]}], lr=0.01)
    assert [g["param_names"] for g in opt.param_groups] == [
        ["0.weight", "0.bias"],
        ["2.weight", "2.bias"],
    ]
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.01]


def test_names_all_or_none() -> None:
    net = model()
    named = list(net.named_parameters())
    with pytest.raises(ValueError, match="Some param names are missing"):
        optim.SGD([named[0], named[1][1]])
    opt = optim.SGD(named[:2])
    with pytest.raises(ValueError, match="cannot add param group without names"):
        opt.add_param_group({"params": [named[2][1]]})
    opt.add_param_group({"params": named[2:], "lr": 0.5})
    assert opt.param_groups[1]["param_names"] == ["2.weight", "2.bias"]


def test_add_param_group_joins_training_with_its_own_rate() -> None:
    net = model()
    first, second = list(net[0].parameters()), list(net[2].parameters())
    opt = optim.SGD(first, lr=0.1)
    opt.add_param_group({"params": second, "lr": 0.5})
    net(minigrad.randn(5, 3)).sum().backward()
    before = [p.detach().numpy().copy() for p in second]
    grads = [p.grad.numpy().copy() for p in second]
    opt.step()
    for p, b, g in zip(second, before, grads, strict=True):
        np.testing.assert_allclose(p.detach().numpy(), b - 0.5 * g, rtol=1e-6)


def test_hyper_parameters_are_checked_in_every_group() -> None:
    with pytest.raises(ValueError, match="Invalid epsilon value"):
        optim.Adam([{"params": model().parameters(), "eps": -1.0}])
    opt = optim.Adam(model().parameters())
    with pytest.raises(ValueError, match="Invalid beta parameter at index 1"):
        opt.add_param_group(
            {"params": [minigrad.zeros(2, requires_grad=True)], "betas": (0.9, 1.0)}
        )


# ----------------------------------------------------------- optional: PyTorch's numbers
TORCH_CASES: dict[str, tuple[str, dict[str, Any]]] = {
    "SGD": ("SGD", {"lr": 0.1}),
    "SGD-momentum": ("SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.1, "weight_decay": 0.01}),
    "SGD-nesterov": ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True, "maximize": True}),
    "Adagrad": ("Adagrad", {"lr": 0.1, "lr_decay": 0.01, "weight_decay": 0.1}),
    "RMSprop": ("RMSprop", {"lr": 0.01, "momentum": 0.5, "centered": True, "weight_decay": 0.1}),
    "Adadelta": ("Adadelta", {"lr": 0.5, "rho": 0.8, "weight_decay": 0.1, "maximize": True}),
    "Adam": ("Adam", {"lr": 0.01, "weight_decay": 0.1, "amsgrad": True}),
    "AdamW": ("AdamW", {"lr": 0.01, "maximize": True}),
    "Adamax": ("Adamax", {"lr": 0.01, "weight_decay": 0.1, "maximize": True}),
    "NAdam": ("NAdam", {"lr": 0.01, "weight_decay": 0.1, "momentum_decay": 0.01}),
    "NAdam-decoupled": (
        "NAdam",
        {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True, "maximize": True},
    ),
    "RAdam": ("RAdam", {"lr": 0.01, "weight_decay": 0.1}),  # ρₜ passes 5 at the 6th step
    "RAdam-decoupled": (
        "RAdam",
        {"lr": 0.01, "betas": (0.8, 0.99), "weight_decay": 0.1, "decoupled_weight_decay": True},
    ),
    "Rprop": ("Rprop", {"lr": 0.05}),
    "Rprop-bounded": (
        "Rprop",
        {"lr": 0.05, "etas": (0.3, 1.7), "step_sizes": (1e-3, 0.2), "maximize": True},
    ),
    "ASGD": ("ASGD", {"lr": 0.05, "t0": 5, "lambd": 0.1, "weight_decay": 0.1}),
    "ASGD-maximize": ("ASGD", {"lr": 0.05, "alpha": 0.5, "maximize": True}),
}


@pytest.fixture
def torch_in_float64() -> Any:
    """torch with float64 as its default dtype, the dtype of the state numbers it creates
    (NAdam's ``mu_product`` would be a float32 tensor otherwise; minigrad's is a float)."""
    torch = pytest.importorskip("torch")
    default = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield torch
    torch.set_default_dtype(default)


@pytest.mark.parametrize("name", list(TORCH_CASES))
def test_same_trajectory_as_pytorch(name: str, torch_in_float64: Any) -> None:
    torch = torch_in_float64
    cls_name, kwargs = TORCH_CASES[name]
    rng = np.random.default_rng(0)
    start = [rng.standard_normal(s) for s in [(3, 2), (4,), (2, 1, 3)]]
    ours = [minigrad.tensor(a, dtype=minigrad.float64, requires_grad=True) for a in start]
    theirs = [torch.tensor(a, requires_grad=True) for a in start]
    opt: Any = getattr(optim, cls_name)(ours, **kwargs)
    ref = getattr(torch.optim, cls_name)(theirs, **kwargs)
    for _ in range(20):
        for p, q in zip(ours, theirs, strict=True):
            g = rng.standard_normal(p.shape) + np.sin(p.detach().numpy())
            p.grad, q.grad = minigrad.tensor(g, dtype=minigrad.float64), torch.tensor(g)
        opt.step()
        ref.step()
    for p, q in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(p.detach().numpy(), q.detach().numpy(), rtol=1e-10, atol=1e-12)
