"""``Tensor.register_post_accumulate_grad_hook`` (PyTorch 2.1): DDP relies on it."""

from __future__ import annotations

import gc
import weakref

import pytest

import minigrad


def test_hook_sees_the_accumulated_gradient_after_each_backward():
    w = minigrad.ones(3, requires_grad=True)
    seen = []
    handle = w.register_post_accumulate_grad_hook(lambda p: seen.append(p.grad.tolist()))
    (w * 2).sum().backward()
    (w * 3).sum().backward()  # accumulates: the hook sees 2 + 3
    assert seen == [[2.0, 2.0, 2.0], [5.0, 5.0, 5.0]]
    handle.remove()
    handle.remove()  # a second remove does nothing
    (w * 3).sum().backward()
    assert len(seen) == 2


def test_hook_runs_once_per_backward_for_a_leaf_used_twice_and_for_a_leaf_root():
    w = minigrad.ones(2, requires_grad=True)
    calls = []
    w.register_post_accumulate_grad_hook(lambda p: calls.append(p))
    (w * w + w).sum().backward()
    assert calls == [w]
    w.backward(minigrad.ones(2))  # backward on the leaf itself
    assert len(calls) == 2


def test_hooks_of_several_leaves_and_a_leaf_without_gradient():
    a = minigrad.ones(2, requires_grad=True)
    b = minigrad.ones(2, requires_grad=True)
    unused = minigrad.ones(2, requires_grad=True)
    order = []
    for name, t in (("a", a), ("b", b), ("unused", unused)):
        t.register_post_accumulate_grad_hook(lambda p, name=name: order.append(name))
    (a * b).sum().backward()
    assert sorted(order) == ["a", "b"]


def test_registration_errors():
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        minigrad.ones(2).register_post_accumulate_grad_hook(print)
    w = minigrad.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="non-leaf"):
        (w * 2).register_post_accumulate_grad_hook(print)


def test_hooks_do_not_outlive_their_tensor():
    class Owner:  # something only the hook holds
        pass

    owner = Owner()
    alive = weakref.ref(owner)
    w = minigrad.ones(2, requires_grad=True)
    w.register_post_accumulate_grad_hook(lambda p, owner=owner: None)
    del owner, w
    gc.collect()
    assert alive() is None  # the tensor is gone, and its hook with it
