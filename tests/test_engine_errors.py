"""Clear errors: shapes, dtypes and devices are named, and a failing op corrupts nothing."""

from __future__ import annotations

import numpy as np
import pytest
from engine_helpers import assert_close, given_settings, host, names_shape, on, shapes
from hypothesis import assume, given
from hypothesis import strategies as st

import minigrad as mg


def _names_both(message: str, a: tuple, b: tuple) -> bool:
    return names_shape(message, a) and names_shape(message, b)


BROADCAST_OPS = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "pow": lambda a, b: a**b,
    "maximum": mg.maximum,
    "minimum": mg.minimum,
}


@given_settings
@given(
    sa=shapes(min_dims=1, max_dims=3),
    sb=shapes(min_dims=1, max_dims=3),
    name=st.sampled_from(list(BROADCAST_OPS)),
)
def test_broadcasting_errors_name_the_op_and_both_shapes(name, sa, sb, device):
    try:
        np.broadcast_shapes(sa, sb)
        assume(False)
    except ValueError:
        pass
    a = on(np.ones(sa), device)
    b = on(np.ones(sb), device)
    with pytest.raises(RuntimeError) as info:  # PyTorch's type
        BROADCAST_OPS[name](a, b)
    message = str(info.value)
    assert name in message and _names_both(message, sa, sb), message
    assert a.grad is None and b.grad is None


@pytest.mark.parametrize("case", ["inner", "batch", "scalar"])
def test_matmul_errors_name_both_shapes(case, device):
    sa, sb = {"inner": ((2, 3), (4, 5)), "batch": ((2, 3, 4), (3, 4, 5)), "scalar": ((), (3,))}[
        case
    ]
    a, b = on(np.ones(sa), device), on(np.ones(sb), device)
    with pytest.raises((RuntimeError, ValueError)) as info:
        a @ b
    message = str(info.value)
    assert "matmul" in message and _names_both(message, sa, sb), message


def test_shape_op_errors_name_the_op_and_shapes(device):
    x = on(np.ones((2, 3)), device)
    cases = [
        (lambda: x.reshape(4, 4), "reshape", ["[4, 4]", "(2, 3)"]),
        (lambda: x.view(-1, 4), "reshape", ["[-1, 4]", "(2, 3)"]),
        (lambda: x.expand(4, 3, 2), "expand", ["(4, 3, 2)", "(2, 3)"]),
        (lambda: mg.cat([x, on(np.ones((3, 2)), device)], dim=0), "cat", ["(2, 3)", "(3, 2)"]),
        (lambda: mg.stack([x, on(np.ones((3,)), device)]), "stack", ["(2, 3)", "(3,)"]),
        (lambda: mg.where(x > 0, x, on(np.ones((4,)), device)), "where", ["(2, 3)", "(4,)"]),
        (lambda: x.permute(0, 0), "permute", ["(0, 0)"]),
        (lambda: x.sum(dim=2), "sum", ["2"]),
        (lambda: x.softmax(dim=-3), "softmax", ["-3"]),
        (lambda: x.transpose(0, 5), "transpose", ["5"]),
        (lambda: x.split([1, 1], dim=1), "split", ["3"]),
        (lambda: x.index_select(1, mg.tensor([0, 3], device=device)), "index_select", ["3"]),
        (lambda: x[5], "index", ["5", "(2, 3)"]),
        (
            lambda: x.backward(on(np.ones(3), device, False)),
            "Mismatch in shape",
            ["(2, 3)", "(3,)"],
        ),
    ]
    for make, op, parts in cases:
        with pytest.raises((RuntimeError, ValueError, IndexError)) as info:
            make()
        message = str(info.value)
        assert op in message, message
        for part in parts:
            assert part in message or names_shape(message, part), (part, message)


def test_in_place_shape_mismatch_names_the_shapes_and_leaves_the_data(device):
    x = mg.ones(2, 3, device=device)
    with pytest.raises(RuntimeError) as info:
        x.add_(mg.ones(4, device=device))
    assert "add_" in str(info.value) and names_shape(str(info.value), (2, 3))
    assert (host(x) == 1).all()


def test_dtype_errors_name_the_dtype(device):
    cases = [
        (lambda: mg.tensor([1, 2], requires_grad=True, device=device), "int64"),
        (lambda: mg.tensor([1, 2], device=device).mean(), "int64"),
        (
            lambda: mg.ones(3, device=device).index_select(0, mg.tensor([0.0], device=device)),
            "float32",
        ),
        (lambda: mg.ones(3, device=device)[mg.tensor([0.5], device=device)], "float32"),
        (lambda: mg.randn(2, dtype=mg.int64, device=device), "int64"),
        (lambda: mg.zeros(2, dtype="complex64", device=device), "complex64"),
        (lambda: mg.tensor(["a", "b"], device=device), "str"),
        (
            lambda: mg.gradcheck(lambda t: t, [mg.ones(1, device=device, requires_grad=True)]),
            "float32",
        ),
    ]
    for make, dtype in cases:
        with pytest.raises((RuntimeError, TypeError, IndexError)) as info:
            make()
        assert dtype in str(info.value).replace("<U1", "str"), str(info.value)
    with pytest.raises(RuntimeError, match="bool"):  # PyTorch's type
        mg.where(mg.ones(2, device=device), mg.ones(2, device=device), 0.0)
    with pytest.raises(TypeError, match="not a dtype"):
        mg.zeros(2, dtype=object())


def test_device_errors_name_both_devices():
    a, b = mg.ones(2), mg.ones(2, device="cuda")
    for op in (lambda: a + b, lambda: b @ a, lambda: mg.cat([a, b]), lambda: b.maximum(a)):
        with pytest.raises(RuntimeError) as info:
            op()
        message = str(info.value)
        assert "cpu" in message and "cuda:0" in message


FAILING = {
    "broadcast": lambda h, device: h + mg.ones(5, dtype=mg.float64, device=device),
    "matmul": lambda h, device: h @ mg.ones(4, 4, dtype=mg.float64, device=device),
    "batch matmul": lambda h, device: (
        h.reshape(2, 1, 3) @ mg.ones(3, 3, 1, dtype=mg.float64, device=device)
    ),
    "device": lambda h, device: (
        h * mg.ones(3, dtype=mg.float64, device="cpu" if device == "cuda" else "cuda")
    ),
    "reshape": lambda h, device: h.reshape(7),
    "dtype": lambda h, device: h.long().mean(),
    "index": lambda h, device: h[3],
    "cat": lambda h, device: mg.cat([h, h.sum()]),
    "in-place with a wrong shape": lambda h, device: h.mul_(mg.ones(5, device=device)),
    "in-place on a leaf": lambda h, device: h.grad_fn.inputs[0].add_(1.0),
    "backward gradient": lambda h, device: h.backward(h.sum()),
    "numpy of a graph tensor": lambda h, device: h.numpy(),
}


@pytest.mark.parametrize("name", list(FAILING))
def test_a_failing_op_corrupts_no_tensor_or_graph(name, device):
    x = on([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], device)
    h = x * 2  # a pending graph
    k = h.exp()
    with pytest.raises((RuntimeError, ValueError, IndexError, TypeError)):
        FAILING[name](h, device)
    assert_close(x, [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    assert_close(h, [[2.0, 4.0, 6.0], [8.0, 10.0, 12.0]])
    assert x.grad is None and h.requires_grad and h.grad_fn is not None
    (k.sum() + h.sum()).backward()  # the graph still works
    assert_close(x.grad, 2 * np.exp(2 * host(x)) + 2)
    y = (x * x).sum()  # and new graphs too
    x.grad = None
    y.backward()
    assert_close(x.grad, 2 * host(x))


def test_clear_errors_for_wrong_arguments(device):
    x = on([1.0, 2.0], device)
    with pytest.raises(TypeError, match="unsupported operand"):
        x + "a"
    with pytest.raises(RuntimeError, match="clamp"):
        x.clamp()
    with pytest.raises(RuntimeError, match="split_size"):
        x.split(0)
    with pytest.raises(RuntimeError, match="randint"):
        mg.randint(5, 2, (3,))
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(x > 0)
    with pytest.raises(ValueError, match="empty"):
        mg.cat([])
    with pytest.raises(RuntimeError, match="empty"):
        mg.zeros(0, device=device).max()


@given_settings
@given(shape=shapes(min_dims=1, max_dims=3), data=st.data())
def test_reshape_to_a_wrong_size_names_both(shape, data, device):
    target = data.draw(shapes(min_dims=1, max_dims=3))
    assume(int(np.prod(target)) != int(np.prod(shape)))
    x = on(np.zeros(shape), device)
    with pytest.raises(RuntimeError) as info:
        x.reshape(target)
    message = str(info.value)
    assert "reshape" in message and str(list(target)) in message and names_shape(message, shape)
