"""In-place operations and versions, as PyTorch's autograd defines them (issue 9).

Every reproduction of the issue is a test here: an in-place change of a tensor
that a backward needs raises PyTorch's error; in-place operations on graph
tensors (and through their views) are differentiable; leaves that require grad
refuse in-place changes outside ``no_grad``.
"""

from __future__ import annotations

import numpy as np
import pytest
from engine_helpers import host, on
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad as mg
from minigrad import nn, optim

MODIFIED = "modified by an inplace operation"


# ----------------------------------------------------------------------------- versions
def test_changing_a_saved_constant_before_backward_raises(device):
    x = on([1.0, 1.0], device)
    c = mg.tensor([2.0, 2.0], dtype=mg.float64, device=device)
    y = (x * c).sum()
    c += 1
    with pytest.raises(RuntimeError, match=MODIFIED) as info:
        y.backward()
    message = str(info.value)
    assert "MulBackward0" in message and "(2,)" in message
    assert "version 1" in message and "expected version 0" in message


def test_an_unchanged_graph_gives_the_gradient(device):
    x = on([1.0, 1.0], device)
    c = mg.tensor([2.0, 2.0], device=device)
    (x * c).sum().backward()
    np.testing.assert_allclose(host(x.grad), [2.0, 2.0])


def test_changing_a_leaf_under_no_grad_before_backward_raises(device):
    w = on([1.0, 2.0], device)
    y = (w * w).sum()
    with mg.no_grad():
        w.add_(1)
    with pytest.raises(RuntimeError, match=MODIFIED):
        y.backward()


def test_an_optimizer_step_between_forward_and_backward_raises(device):
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1)).to(device)
    opt = optim.SGD(model.parameters(), lr=0.1)
    x = mg.ones(2, 3, device=device)
    loss = model(x).sum()
    loss.backward(retain_graph=True)
    opt.step()
    with pytest.raises(RuntimeError, match=MODIFIED):
        loss.backward()


def test_unsaved_inputs_may_change(device):
    # Add needs no input values: PyTorch lets them change before backward.
    x = on([1.0, 2.0], device)
    c = mg.tensor([5.0, 5.0], device=device)
    y = (x + c).sum()
    c.mul_(3)
    y.backward()
    np.testing.assert_allclose(host(x.grad), [1.0, 1.0])


def test_a_value_saved_only_for_a_gradient_nobody_wants_may_change(device):
    # y = x Wᵀ + b reads W only for dx: with data x, PyTorch does not save W, so an update
    # of W between two backward passes is fine; once x wants a gradient, it is not.
    layer = nn.Linear(2, 1).to(device).double()
    for x, allowed in (
        (mg.ones(1, 2, dtype=mg.float64, device=device), True),
        (on([[1.0, 1.0]], device), False),
    ):
        y = layer(x).sum()
        y.backward(retain_graph=True)
        with mg.no_grad():
            layer.weight.mul_(2)
        if allowed:
            y.backward()
            np.testing.assert_allclose(host(layer.weight.grad), [[2.0, 2.0]])
        else:
            with pytest.raises(RuntimeError, match=MODIFIED):
                y.backward()
        layer.zero_grad()


def test_every_inplace_op_bumps_the_version_shared_with_views(device):
    t = mg.zeros(2, 3, device=device)
    view = t[0]
    steps = [
        lambda: t.add_(1),
        lambda: t.sub_(1, alpha=2),
        lambda: t.mul_(2),
        lambda: t.div_(2),
        lambda: t.zero_(),
        lambda: t.fill_(3),
        lambda: t.copy_(mg.ones(3, device=device)),
        lambda: t.clamp_(0, 1),
        lambda: t.masked_fill_(t > 0.5, 0.0),
        lambda: t.__setitem__((0, 1), 4.0),
        lambda: t.__iadd__(1),
        lambda: view.mul_(2),
    ]
    for i, step in enumerate(steps, start=1):
        step()
        assert t._version == i and view._version == i
    d = t.detach()
    d.add_(1)
    assert t._version == len(steps) + 1  # detach() shares the counter
    t.data.add_(1)  # .data does not (PyTorch: changes through .data are hidden)
    assert t._version == len(steps) + 1


# ------------------------------------------------------------------------ differentiable in place
def test_assigning_into_a_graph_tensor_is_differentiable(device):
    x = on([1.0, -2.0, 3.0], device)
    y = x * 2
    y[0] = 0
    assert y.grad_fn is not None
    (y * y).sum().backward()
    np.testing.assert_allclose(host(x.grad), [0.0, -16.0, 24.0])


def test_masked_assignment_as_the_books_relu(device):
    x = on([1.0, -2.0, 3.0, -0.5], device)
    out = x * 1.0
    out[out < 0] = 0
    out.sum().backward()
    np.testing.assert_allclose(host(out), [1.0, 0.0, 3.0, 0.0])
    np.testing.assert_allclose(host(x.grad), [1.0, 0.0, 1.0, 0.0])


def test_the_assigned_value_gets_its_gradient(device):
    x = on(np.arange(6.0).reshape(2, 3), device)
    v = on([10.0, 20.0], device)
    y = x * 1.0
    y[:, 1] = v
    (y * y).sum().backward()
    np.testing.assert_allclose(host(v.grad), [20.0, 40.0])
    np.testing.assert_allclose(host(x.grad), [[0.0, 0.0, 4.0], [6.0, 0.0, 10.0]])


def test_inplace_arithmetic_on_graph_tensors(device):
    x = on([1.0, 2.0], device)
    r = on([3.0, 4.0], device)
    y = x * 2
    y += r
    y.mul_(2)
    y.sum().backward()
    np.testing.assert_allclose(host(x.grad), [4.0, 4.0])
    np.testing.assert_allclose(host(r.grad), [2.0, 2.0])
    # mul_ by a tensor that needs grad: the old values are used, as PyTorch does
    a, b = on([1.0, 2.0], device), on([3.0, 5.0], device)
    y = a * 1.0
    y.mul_(b)
    y.sum().backward()
    np.testing.assert_allclose(host(a.grad), [3.0, 5.0])
    np.testing.assert_allclose(host(b.grad), [1.0, 2.0])


@pytest.mark.parametrize("how", ["slice", "reshape", "transpose", "view of view"])
def test_inplace_through_a_view_reaches_the_base(how, device):
    x = on(np.arange(1.0, 7.0).reshape(2, 3), device)
    y = x * 1.0
    if how == "slice":
        v = y[:, 1:]
    elif how == "reshape":
        v = y.reshape(6)
    elif how == "transpose":
        v = y.transpose(0, 1)
    else:
        v = y[1][1:]
    v.mul_(10)
    assert y.grad_fn.name() == "CopySlices"
    assert v._base is y and v._version == y._version == 1
    expected = host(x).copy()
    region = {"slice": np.s_[:, 1:], "view of view": np.s_[1, 1:]}.get(how, np.s_[...])
    expected[region] *= 10
    np.testing.assert_allclose(host(y), expected)
    (y * y).sum().backward()
    factor = np.ones((2, 3))
    factor[region] = 10
    np.testing.assert_allclose(host(x.grad), 2 * expected * factor)


def test_a_view_after_its_own_inplace_change_stays_in_the_graph(device):
    x = on([1.0, 2.0, 3.0], device)
    y = x * 1.0
    v = y[1:]
    v.add_(1)
    (v * v).sum().backward()
    np.testing.assert_allclose(host(x.grad), [0.0, 6.0, 8.0])


def test_inplace_on_a_plain_buffer_from_a_graph_value(device):
    w = on([2.0, 3.0], device)
    buf = mg.zeros(3, device=device)
    buf[1:] = w * w
    assert buf.requires_grad and not buf.is_leaf
    buf.sum().backward()
    np.testing.assert_allclose(host(w.grad), [4.0, 6.0])


def test_leaves_that_require_grad_refuse_inplace_outside_no_grad(device):
    w = on([1.0, 2.0], device)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        w.add_(1)
    with pytest.raises(RuntimeError, match="view of a leaf Variable"):
        w[0:1].mul_(2)
    with pytest.raises(RuntimeError, match="leaf Variable"):
        w[0] = 5.0
    assert w._version == 0
    with mg.no_grad():
        w.add_(1)
        w[0] = 5.0
    np.testing.assert_allclose(host(w), [5.0, 3.0])


def test_writing_into_an_expanded_tensor_is_refused(device):
    x = mg.ones(1, 3, device=device).expand(2, 3)
    with pytest.raises(RuntimeError, match="single memory location"):
        x.add_(1)


def test_inplace_with_a_result_that_does_not_fit_is_refused(device):
    y = on([1.0, 2.0], device) * 1
    with pytest.raises(RuntimeError, match="doesn't match the broadcast shape"):
        y.add_(mg.ones(2, 2, device=device, dtype=mg.float64))
    n = mg.tensor([1, 2], device=device)
    with pytest.raises(RuntimeError, match="int64"):
        n.add_(0.5)


@settings(deadline=None, max_examples=20)
@given(
    values=st.lists(st.floats(-3, 3), min_size=2, max_size=6),
    index=st.integers(0, 5),
    scale=st.floats(0.5, 2),
)
def test_inplace_gradients_match_the_out_of_place_ones(values, index, scale):
    index %= len(values)
    data = np.array(values)

    def with_inplace(x):
        y = x * 1.0
        y[index] = y[index] * scale
        y.mul_(y)
        return y

    def out_of_place(x):
        factor = np.ones(len(values))
        factor[index] = scale
        y = x * mg.tensor(factor)
        return y * y

    x1 = mg.tensor(data, requires_grad=True)
    x2 = mg.tensor(data, requires_grad=True)
    with_inplace(x1).sum().backward()
    out_of_place(x2).sum().backward()
    np.testing.assert_allclose(host(x1.grad), host(x2.grad), rtol=1e-12, atol=1e-12)
    assert mg.gradcheck(with_inplace, [mg.tensor(data, requires_grad=True)])
    assert mg.gradgradcheck(with_inplace, [mg.tensor(data, requires_grad=True)])


def test_inplace_activations_keep_their_gradients(device):
    x = on([-1.0, 0.5, 2.0], device)
    h = x * 1.0
    h.relu_()
    h.sigmoid_()
    h.sum().backward()
    s = 1 / (1 + np.exp(-np.array([0.0, 0.5, 2.0])))
    np.testing.assert_allclose(host(x.grad), [0.0, *(s * (1 - s))[1:]])
