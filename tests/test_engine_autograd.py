"""Autograd semantics: backward(), accumulation, freed graphs, retain_grad, memory release."""

from __future__ import annotations

import gc
import weakref

import numpy as np
import pytest
from engine_helpers import assert_close, host, on

import minigrad as mg


def test_backward_of_a_scalar_fills_leaf_grads(device):
    x = on([1.0, 2.0, 3.0], device)
    w = on([0.5, -1.0, 2.0], device)
    y = (x * w).sum()
    assert y.shape == () and y.requires_grad and not y.is_leaf
    y.backward()
    assert_close(x.grad, [0.5, -1.0, 2.0])
    assert_close(w.grad, [1.0, 2.0, 3.0])
    assert x.grad.device == device and not x.grad.requires_grad and x.grad.is_leaf


def test_backward_of_a_leaf_scalar_gives_one(device):
    x = on(3.0, device)
    x.backward()
    assert_close(x.grad, 1.0)


def test_backward_on_a_non_scalar_needs_a_gradient(device):
    x = on([1.0, 2.0], device)
    y = x * 3
    with pytest.raises(RuntimeError, match=r"only for scalar outputs.*Size\(\[2\]\)"):
        y.backward()
    assert x.grad is None
    y.backward(gradient=on([1.0, 10.0], device, requires_grad=False))  # vector-Jacobian product
    assert_close(x.grad, [3.0, 30.0])
    one_element = (x[:1] * 2).reshape(1, 1)  # one element, not 0-d: no gradient needed
    one_element.backward()
    assert_close(x.grad, [5.0, 30.0])


def test_backward_checks_the_gradient_argument(device):
    x = on([1.0, 2.0], device)
    y = x * 2
    with pytest.raises(RuntimeError, match=r"Mismatch in shape"):
        y.backward(gradient=on([1.0, 2.0, 3.0], device, requires_grad=False))
    other = "cpu" if device == "cuda" else "cuda"
    with pytest.raises(RuntimeError, match="cuda:0"):
        y.backward(gradient=mg.ones(2, dtype=mg.float64, device=other))
    y.backward(gradient=mg.ones(2, dtype=mg.float32, device=device))  # cast to float64
    assert x.grad.dtype == mg.float64
    assert_close(x.grad, [2.0, 2.0])


def test_backward_of_a_tensor_that_does_not_require_grad_raises(device):
    x = mg.ones(2, device=device)
    with pytest.raises(RuntimeError, match="does not require grad"):
        x.sum().backward()


def test_gradients_accumulate_into_leaf_grad(device):
    x = on([1.0, -2.0], device)
    (x * x).sum().backward()
    first = x.grad
    assert_close(first, [2.0, -4.0])
    (x * 3).sum().backward()
    assert x.grad is first  # accumulated in place, as PyTorch does
    assert_close(x.grad, [5.0, -1.0])
    x.grad = None
    x.sum().backward()
    assert_close(x.grad, [1.0, 1.0])
    x.grad.zero_()
    assert_close(x.grad, [0.0, 0.0])


def test_zero_dim_leaves_get_array_gradients_that_can_be_zeroed(device):
    x = on(2.0, device)
    (x * x * 3.0).backward()
    assert type(x.grad._array) is type(x._array)  # an array of the device, not a NumPy scalar
    assert x.grad.shape == () and x.grad.item() == 12.0
    (x * 1.0).backward()
    assert x.grad.item() == 13.0
    x.grad.zero_()
    assert x.grad.item() == 0.0


def test_gradients_of_different_leaves_never_share_memory(device):
    a = on([1.0, 2.0], device)
    b = on([3.0, 4.0], device)
    (a + b).sum().backward()  # add hands the same gradient array to both inputs
    a.grad.zero_()
    assert_close(b.grad, [1.0, 1.0])
    c = on([1.0, 2.0], device)
    gradient = on([5.0, 6.0], device, requires_grad=False)
    (c + 0.0).backward(gradient)
    c.grad.zero_()  # must not write into the caller's gradient
    assert_close(gradient, [5.0, 6.0])
    d = on([1.0, 2.0, 3.0], device)
    d.sum().backward()  # the gradient of sum is a broadcast (read-only) view
    d.sum().backward()
    assert_close(d.grad, [2.0, 2.0, 2.0])


def test_a_tensor_used_several_times_sums_its_gradients(device):
    x = on([1.0, 2.0], device)
    h = x * 2  # a diamond: h feeds three branches
    y = (h * h + h + h.exp()).sum() + (x * x).sum()
    y.backward()
    hx = 2 * np.array([1.0, 2.0])
    assert_close(x.grad, 2 * (2 * hx + 1 + np.exp(hx)) + 2 * np.array([1.0, 2.0]))


def test_only_inputs_that_require_grad_get_a_gradient(device):
    x = on([1.0, 2.0], device)
    c = on([3.0, 4.0], device, requires_grad=False)
    y = x * c
    assert y.requires_grad
    y.sum().backward()
    assert c.grad is None
    assert_close(x.grad, [3.0, 4.0])
    z = c * 2
    assert not z.requires_grad and z.grad_fn is None and z.is_leaf


def test_a_second_backward_through_a_freed_graph_raises(device):
    x = on([1.0, 2.0], device)
    y = (x.exp() * 2).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.backward()
    assert_close(x.grad, 2 * np.exp([1.0, 2.0]))  # the failed call added nothing
    h = x * 3
    (h * 2).sum().backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        (h * 5).sum().backward()  # h's part of the graph was freed by the last backward


def test_retain_graph_allows_a_second_backward(device):
    x = on([1.0, 2.0], device)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward(retain_graph=True)
    assert_close(x.grad, [4.0, 8.0])
    y.backward()  # the last one may free the graph
    assert_close(x.grad, [6.0, 12.0])
    with pytest.raises(RuntimeError, match="second time"):
        y.backward()


def test_non_leaf_grad_is_kept_only_after_retain_grad(device):
    x = on([1.0, 2.0], device)
    h = x * 3
    k = x * 4
    assert not h.retains_grad
    h.retain_grad()
    assert h.retains_grad
    (h * k).sum().backward()
    assert_close(h.grad, host(k))
    assert k.grad is None  # intermediate gradients are not kept unless asked
    assert_close(x.grad, 2 * 12 * np.array([1.0, 2.0]))
    x.retain_grad()  # a no-op on leaves, which always keep their gradient
    assert x.grad is not None
    with pytest.raises(RuntimeError, match="requires_grad=False"):
        mg.ones(2, device=device).retain_grad()


def test_retained_grad_accumulates_like_a_leaf(device):
    x = on([1.0], device)
    h = x * 2
    h.retain_grad()
    y = h * h
    y.sum().backward(retain_graph=True)
    y.sum().backward()
    assert_close(h.grad, [8.0])


def test_backward_through_a_chain_of_100000_operations():
    x = mg.tensor(0.5, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y + 1.0  # no recursion in backward: the walk is iterative
    assert y.item() == pytest.approx(100_000.5)
    y.backward()
    assert x.grad.item() == 1.0
    z = x
    for _ in range(50_000):
        z = -z  # an even number of negations
    z.backward()
    assert x.grad.item() == 2.0


def test_backward_releases_intermediate_tensors_and_buffers(device):
    x = on(np.linspace(-1, 1, 5), device)
    h = x.exp()
    h_ref = weakref.ref(h)
    array_ref = weakref.ref(h._array) if device == "cpu" else None  # strict arrays have no weakref
    loss = (h * h).sum()
    del h  # the user drops the intermediate; only the graph holds it
    gc.collect()
    assert h_ref() is not None  # still needed for backward
    loss.backward()
    assert h_ref() is None  # released right after backward, without waiting for loss to die
    if array_ref is not None:
        assert array_ref() is None  # the saved exp(x) buffer is gone too
    assert loss.item() == pytest.approx(float(np.exp(2 * np.linspace(-1, 1, 5)).sum()))
    assert_close(x.grad, 2 * np.exp(2 * np.linspace(-1, 1, 5)))


def test_retain_graph_keeps_intermediates_until_the_last_backward(device):
    x = on([1.0, 2.0], device)
    h = x.tanh()
    h_ref = weakref.ref(h)
    loss = (h * 2).sum()
    del h
    loss.backward(retain_graph=True)
    gc.collect()
    assert h_ref() is not None
    loss.backward()
    assert h_ref() is None


def test_leaf_flags_and_grad_fn(device):
    x = on([1.0], device)
    assert x.is_leaf and x.grad_fn is None and x.requires_grad and x.grad is None
    y = x * 2
    assert not y.is_leaf and y.grad_fn is not None and y.requires_grad
    assert y.grad_fn.name() == "MulBackward0"
    d = y.detach()
    assert d.is_leaf and not d.requires_grad and d.grad_fn is None
    with pytest.raises(RuntimeError, match="leaf"):
        y.requires_grad_(False)
    plain = mg.tensor([1.0], device=device)
    assert plain.requires_grad is False
    assert plain.requires_grad_() is plain and plain.requires_grad


def test_detach_shares_data_and_cuts_the_graph(device):
    x = on([1.0, 2.0], device)
    d = x.detach()
    with mg.no_grad():
        d.mul_(10.0)  # same memory, as PyTorch's detach
    assert_close(x, [10.0, 20.0])
    y = (x * d).sum()  # d is a constant: the gradient flows through x only
    y.backward()
    assert_close(x.grad, [10.0, 20.0])
    assert d.grad is None


def test_backward_applies_the_chain_rule_through_shape_ops(device):
    x = on(np.arange(6.0).reshape(2, 3), device)
    y = x.T.reshape(3, 2, 1).expand(3, 2, 4)[1:, :, ::2].sum(dim=(0, 2)) * on(
        [1.0, 10.0], device, False
    )
    y.sum().backward()
    assert_close(x.grad, [[0.0, 2.0, 2.0], [0.0, 20.0, 20.0]])
