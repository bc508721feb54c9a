"""Views after an in-place change of their memory, Python's in-place operators, and grad
modes around generators, as PyTorch defines them.

A view taken before its base (or another view of the base) is changed in place
follows the new values in the graph too (PyTorch regenerates its ``grad_fn``);
``x **= 2`` and its friends change the memory in place; ``inference_mode(False)``
turns recording back on; decorated generator functions run every step in the
decorator's mode.
"""

from __future__ import annotations

import numpy as np
import pytest
from engine_helpers import host, on
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad as mg

MODIFIED = "modified by an inplace operation"
VIEWS = {
    "row": lambda t: t[0],
    "column": lambda t: t[:, 0],
    "transpose": lambda t: t.t(),
    "reshape": lambda t: t.reshape(-1),
    "view of a view": lambda t: t.t()[1:],
    "narrow": lambda t: t.narrow(1, 0, 1),
    "unsqueeze": lambda t: t.unsqueeze(0),
}


# ----------------------------------------------------------------------- views follow the base
@pytest.mark.parametrize("take", list(VIEWS))
def test_a_view_follows_an_inplace_change_of_its_base(take, device):
    a = on([[1.0, 2.0], [3.0, 4.0]], device)
    b = a * 1
    view = VIEWS[take](b)
    b.mul_(2)  # d(view)/da is now 2 where the view reads
    view.sum().backward()
    reads = np.zeros((2, 2))
    VIEWS[take](mg.from_numpy(reads)).add_(1)  # (marks the entries the view reads)
    np.testing.assert_allclose(host(a.grad), 2 * reads)


def test_a_view_sees_the_base_through_a_relu_(device):
    x = on([[-1.0, 2.0], [3.0, 4.0]], device)
    h = x * 1
    first = h[0]
    h.relu_()
    (first * mg.tensor([5.0, 7.0], device=device)).sum().backward()
    np.testing.assert_allclose(host(x.grad), [[0.0, 7.0], [0.0, 0.0]])


def test_a_sibling_view_follows_an_inplace_change_through_another_view(device):
    a = on([[1.0, 2.0], [3.0, 4.0]], device)
    b = a * 1
    row, column = b[0], b[:, 0]
    row.mul_(10)
    column.sum().backward()
    np.testing.assert_allclose(host(a.grad), [[10.0, 0.0], [1.0, 0.0]])


def test_views_of_a_buffer_filled_later_carry_the_gradients(device):
    x = on([1.0, 2.0], device)
    h = mg.zeros(3, 2, device=device)
    rows = [h[i] for i in range(3)]  # taken before the buffer is filled
    for i in range(3):
        h[i] = x * (i + 1)
    assert all(row.requires_grad for row in rows)
    sum(row.sum() for row in rows).backward()
    np.testing.assert_allclose(host(x.grad), [6.0, 6.0])


def test_a_view_whose_history_needs_a_changed_value_raises(device):
    x = on([1.0, 2.0, 3.0, 4.0], device)
    w = on(2.0, device)
    h = x * 1
    left = h[:2]
    h += w * h  # w * h saved h, which += then changes
    with pytest.raises(RuntimeError, match=MODIFIED):
        (left * left).sum().backward()


def test_an_inplace_change_through_a_view_taken_without_grad_raises(device):
    x = on([1.0, 2.0], device)
    b = x * 1
    with mg.no_grad():
        view = b[:1]
    with pytest.raises(RuntimeError, match="created in no_grad mode"):
        view.mul_(2)
    assert not view.requires_grad
    with mg.no_grad():
        view.mul_(2)  # (both in no_grad: allowed, as PyTorch)
    np.testing.assert_allclose(host(b), [2.0, 2.0])


def test_retain_grad_follows_the_tensor_through_an_inplace_change(device):
    x = on([1.0, 2.0], device)
    y = x * 1
    y.retain_grad()
    y.mul_(5)
    (y * 3).sum().backward()
    np.testing.assert_allclose(host(y.grad), [3.0, 3.0])  # d/d(new y), not d/d(old y)
    np.testing.assert_allclose(host(x.grad), [15.0, 15.0])


@settings(deadline=None, max_examples=25)
@given(
    values=st.lists(st.floats(-3, 3), min_size=6, max_size=6),
    row=st.integers(0, 1),
    scale=st.floats(-2, 2),
)
def test_gradients_through_stale_views_match_the_out_of_place_program(values, row, scale):
    """The same program written without in-place operations gives the same gradient."""
    data = np.array(values).reshape(2, 3)
    a = mg.tensor(data, requires_grad=True)
    b = a * 1
    view = b[row]
    b.mul_(scale)
    b.add_(b.exp())  # a second change, reading the first (exp saves its output, not b)
    (view * view).sum().backward()

    c = mg.tensor(data, requires_grad=True)
    d = c * scale
    d = d + d.exp()
    (d[row] * d[row]).sum().backward()
    np.testing.assert_allclose(host(a.grad), host(c.grad), rtol=1e-12, atol=1e-12)


# ------------------------------------------------------------------------ in-place operators
@pytest.mark.parametrize(
    ("start", "apply", "expected"),
    [
        ([2.0, 3.0, 4.0], lambda v: v.__ipow__(2), [4.0, 9.0, 4.0]),
        ([5, -7, 9], lambda v: v.__ifloordiv__(2), [2, -4, 9]),
        ([5.0, -7.0, 9.0], lambda v: v.__imod__(4), [1.0, 1.0, 9.0]),
        ([5, 6, 7], lambda v: v.__iand__(3), [1, 2, 7]),
        ([5, 6, 7], lambda v: v.__ior__(8), [13, 14, 7]),
        ([5, 6, 7], lambda v: v.__ixor__(1), [4, 7, 7]),
    ],
)
def test_augmented_assignment_changes_the_memory_in_place(start, apply, expected, device):
    buffer = mg.tensor(start, device=device)
    view = buffer[:2]
    result = apply(view)
    assert result is view
    np.testing.assert_array_equal(host(buffer), expected)
    assert buffer._version == 1


def test_augmented_assignment_is_differentiable_and_guards_leaves(device):
    w = on([1.0, 2.0], device)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        w **= 2
    y = w * 1
    y **= 3
    y.sum().backward()
    np.testing.assert_allclose(host(w.grad), [3.0, 12.0])
    with mg.no_grad():
        w **= 2  # a parameter update: in place, the same tensor
    assert w.requires_grad and w.is_leaf
    np.testing.assert_allclose(host(w), [1.0, 4.0])


def test_inplace_results_that_an_integer_tensor_cannot_hold_raise():
    x = mg.tensor([1, 2])
    for change in (lambda: x.exp_(), lambda: x.__ifloordiv__(2.5)):
        with pytest.raises(RuntimeError, match="can't be cast to the desired output type"):
            change()
    np.testing.assert_array_equal(x.numpy(), [1, 2])


# ------------------------------------------------------------------------------- grad modes
def test_inference_mode_false_turns_recording_back_on():
    x = mg.ones(2, requires_grad=True)
    with mg.inference_mode():
        assert not mg.is_grad_enabled() and mg.is_inference_mode_enabled()
        with mg.inference_mode(False):
            assert mg.is_grad_enabled() and not mg.is_inference_mode_enabled()
            y = x * 2
    with mg.no_grad(), mg.inference_mode(False):
        assert mg.is_grad_enabled()
    assert y.requires_grad
    assert mg.set_grad_enabled(mode=True).enabled


@pytest.mark.parametrize("mode", [mg.no_grad, mg.inference_mode])
def test_a_decorated_generator_runs_each_step_in_the_mode(mode):
    x = mg.ones(1, requires_grad=True)

    @mode()
    def steps(x):
        received = yield x * 2
        assert received == "hi" and not mg.is_grad_enabled()
        try:
            yield x * 3
        except ValueError:
            yield x * 4
        return 7

    run = steps(x)
    first = next(run)
    assert mg.is_grad_enabled() and not first.requires_grad  # the caller's mode between steps
    run.send("hi")
    assert not run.throw(ValueError("passed in")).requires_grad
    with pytest.raises(StopIteration) as stop:
        next(run)
    assert stop.value.value == 7


def test_grad_takes_any_iterable_of_inputs():
    lin = mg.nn.Linear(2, 1)
    loss = lin(mg.ones(3, 2)).sum()
    grads = mg.autograd.grad(loss, lin.parameters())  # a generator, as MAML code passes
    np.testing.assert_allclose(grads[0].numpy(), [[3.0, 3.0]])
    np.testing.assert_allclose(grads[1].numpy(), [3.0])
    with pytest.raises(TypeError, match="sequence of tensors"):
        mg.autograd.grad(loss, "weight")
