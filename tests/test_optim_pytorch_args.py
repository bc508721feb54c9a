"""PyTorch's ``foreach``/``fused``/``differentiable``/``capturable`` switches, a tensor
``lr``, and ``register_step_pre_hook``/``register_step_post_hook``."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import minigrad
from minigrad import optim

NAMES = ["SGD", "Adam", "AdamW", "Adagrad", "Adadelta", "Adamax", "ASGD", "NAdam", "RAdam",
         "RMSprop", "Rprop"]  # fmt: skip
FLAGS = {"foreach", "fused", "differentiable", "capturable"}


def param(values=(1.0, -2.0, 3.0), device="cpu"):
    p = minigrad.tensor(list(values), requires_grad=True, device=device)
    p.grad = minigrad.tensor([0.5, 1.0, -1.5], device=device)
    return p


def host(t):
    return t.detach().cpu().numpy()


@pytest.mark.parametrize("name", NAMES)
def test_flags_are_stored_in_defaults_and_groups(name):
    opt = getattr(optim, name)([param()])
    own = FLAGS & set(inspect.signature(getattr(optim, name).__init__).parameters)
    assert own <= opt.defaults.keys() and own <= opt.param_groups[0].keys()
    assert all(opt.defaults[f] in (None, False) for f in own)
    assert "foreach: None" in repr(opt)
    assert own <= opt.state_dict()["param_groups"][0].keys()


@pytest.mark.parametrize("name", NAMES)
def test_signature_defaults_and_group_keys_match_torch(name):
    torch = pytest.importorskip("torch")
    ours = inspect.signature(getattr(optim, name).__init__).parameters
    theirs = inspect.signature(getattr(torch.optim, name).__init__).parameters
    assert list(ours) == list(theirs)
    for key, p in theirs.items():
        assert ours[key].kind == p.kind, key
        if key != "params":
            assert ours[key].default == p.default, key
    tp = torch.nn.Parameter(torch.zeros(3))
    reference = getattr(torch.optim, name)([tp])
    opt = getattr(optim, name)([param()])
    assert opt.defaults == reference.defaults
    assert (
        opt.state_dict()["param_groups"][0].keys()
        == reference.state_dict()["param_groups"][0].keys()
    )


@pytest.mark.parametrize("name", NAMES)
def test_differentiable_and_capturable_are_not_implemented(name):
    cls = getattr(optim, name)
    keys = inspect.signature(cls.__init__).parameters
    with pytest.raises(NotImplementedError, match="differentiable"):
        cls([param()], differentiable=True)
    if "capturable" in keys:
        with pytest.raises(NotImplementedError, match="CUDA graphs"):
            cls([param()], capturable=True)
    with pytest.raises(NotImplementedError, match="differentiable"):
        cls([param()]).add_param_group({"params": [param()], "differentiable": True})


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "Adagrad"])
def test_fused_checks_as_pytorch(name):
    cls = getattr(optim, name)
    with pytest.raises(RuntimeError, match="`fused` and `foreach` cannot be `True` together"):
        cls([param()], fused=True, foreach=True)
    with pytest.raises(RuntimeError, match="`fused` does not support `differentiable`"):
        cls([param()], fused=True, differentiable=True)


IMPLEMENTATION_CHOICES = [
    (name, flags)
    for name in NAMES
    for flags in ({"foreach": True}, {"foreach": False}, {"fused": True})
    if flags.keys() <= inspect.signature(getattr(optim, name).__init__).parameters.keys()
]  # (PyTorch has no fused variant of some optimizers: no case for those)


@pytest.mark.parametrize(("name", "flags"), IMPLEMENTATION_CHOICES)
def test_implementation_choice_leaves_the_trajectory(device, name, flags):
    cls = getattr(optim, name)
    a, b = param(device=device), param(device=device)
    plain, switched = cls([a], lr=0.1), cls([b], lr=0.1, **flags)
    for _ in range(3):
        plain.step()
        switched.step()
    np.testing.assert_array_equal(host(a), host(b))


def test_tensor_lr_is_read_at_every_step(device):
    p = param(device=device)
    lr = minigrad.tensor(0.1)
    opt = optim.SGD([p], lr=lr)
    assert opt.param_groups[0]["lr"] is lr
    opt.step()  # θ − 0.1 g
    np.testing.assert_allclose(host(p), [0.95, -2.1, 3.15], rtol=1e-6)
    lr.fill_(1.0)
    opt.step()  # θ − 1.0 g
    np.testing.assert_allclose(host(p), [0.45, -3.1, 4.65], rtol=1e-6)


def test_tensor_lr_checks():
    with pytest.raises(ValueError, match="Tensor lr must be 1-element"):
        optim.SGD([param()], lr=minigrad.tensor([0.1, 0.2]))
    with pytest.raises(ValueError, match="Invalid learning rate"):
        optim.Adam([param()], lr=minigrad.tensor(-0.1))
    with pytest.raises(ValueError, match="capturable=False and foreach=True"):
        optim.AdamW([param()], lr=minigrad.tensor(0.1), foreach=True)
    optim.Adam([param()], lr=minigrad.tensor(0.1), fused=True)  # allowed, as PyTorch


@pytest.mark.parametrize("name", NAMES)
def test_tensor_lr_trajectory_matches_torch(name):
    torch = pytest.importorskip("torch")
    start = np.array([1.0, -2.0, 3.0])
    grads = [np.array([0.5, 1.0, -1.5]), np.array([-0.2, 0.3, 0.1]), np.array([1.0, 1.0, 1.0])]
    tp = torch.tensor(start, requires_grad=True)
    p = minigrad.tensor(start, requires_grad=True)
    ref = getattr(torch.optim, name)([tp], lr=torch.tensor(0.05, dtype=torch.float64))
    opt = getattr(optim, name)([p], lr=minigrad.tensor(0.05, dtype=minigrad.float64))
    for g in grads:
        tp.grad = torch.tensor(g)
        p.grad = minigrad.tensor(g)
        ref.step()
        opt.step()
    # PyTorch keeps ASGD's η, μ and NAdam's μ-product in float32 tensors: ~1e-9 apart
    np.testing.assert_allclose(host(p), tp.detach().numpy(), rtol=1e-8, atol=1e-12)
    q = minigrad.tensor(start, requires_grad=True)
    with_float = getattr(optim, name)([q], lr=0.05)
    for g in grads:
        q.grad = minigrad.tensor(g)
        with_float.step()
    np.testing.assert_array_equal(host(p), host(q))  # a tensor lr is the same lr


def test_loading_a_state_dict_without_the_flags():
    opt = optim.Adam([param()], lr=0.1, foreach=True)
    sd = opt.state_dict()
    for name in FLAGS:
        del sd["param_groups"][0][name]
    fresh = optim.Adam([param()], fused=True)
    fresh.load_state_dict(sd)
    group = fresh.param_groups[0]
    assert group["fused"] is None and group["foreach"] is None and group["lr"] == 0.1


# ----------------------------------------------------------------------------- step hooks
def test_step_hooks_order_arguments_and_removal():
    p = param()
    opt = optim.SGD([p], lr=1.0)
    calls = []

    def pre(o, args, kwargs):
        calls.append(("pre", o is opt, args, dict(kwargs)))

    def post(o, args, kwargs):
        calls.append(("post", float(p[0].item())))

    handles = [opt.register_step_pre_hook(pre), opt.register_step_post_hook(post)]
    opt.step()
    assert calls == [("pre", True, (opt,), {}), ("post", 0.5)]  # post sees the updated θ
    for handle in handles:
        handle.remove()
    opt.step()
    assert len(calls) == 2


def test_pre_hook_can_replace_the_arguments():
    p = param()
    opt = optim.SGD([p], lr=1.0)
    seen = []
    opt.register_step_pre_hook(
        lambda o, args, kwargs: ((o,), {"closure": lambda: seen.append(1) or 7.0})
    )
    assert opt.step() == 7.0 and seen == [1]
    opt.register_step_pre_hook(lambda o, args, kwargs: "bad")
    with pytest.raises(RuntimeError, match="must return None or a tuple"):
        opt.step()


def test_hooks_run_once_for_lbfgs_and_handles_are_context_managers():
    p = param()
    opt = optim.LBFGS([p], max_iter=2)
    count = []
    with opt.register_step_pre_hook(lambda *a: count.append("pre")):

        def closure():
            opt.zero_grad()
            loss = (p * p).sum()
            loss.backward()
            return loss

        opt.step(closure)
    opt.step(closure)
    assert count == ["pre"]


def test_step_hooks_match_torch():
    torch = pytest.importorskip("torch")
    tp = torch.nn.Parameter(torch.ones(2))
    tp.grad = torch.ones(2)
    ref = torch.optim.SGD([tp], lr=0.5)
    seen = []
    ref.register_step_pre_hook(lambda o, a, k: seen.append(("pre", a, k)))
    ref.register_step_post_hook(lambda o, a, k: seen.append(("post", a, k)))
    ref.step()
    ours = []
    opt = optim.SGD([param()], lr=0.5)
    opt.register_step_pre_hook(lambda o, a, k: ours.append(("pre", a, k)))
    opt.register_step_post_hook(lambda o, a, k: ours.append(("post", a, k)))
    opt.step()
    assert [(kind, len(a), a[0] is opt, k) for kind, a, k in ours] == [
        (kind, len(a), a[0] is ref, k) for kind, a, k in seen
    ]
