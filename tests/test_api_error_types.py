"""PyTorch's exception types (with messages that say what was wrong) where NumPy's or
Python's own errors used to leak; one-element integer tensors read as ints, as PyTorch."""

from __future__ import annotations

import numpy as np
import pytest
from engine_helpers import host, names_shape

import minigrad as mg


def _x(m, device: str = "cpu"):
    """A 2x3 float tensor of minigrad or torch (``m``)."""
    if m is mg:
        return mg.arange(6.0, device=device).reshape(2, 3)
    return m.arange(6.0).reshape(2, 3)


# name -> (call on a module m, PyTorch's exception type, words our message must contain)
ERRORS = {
    "bincount 2-d weights": (
        lambda m: m.bincount(m.tensor([0, 1, 1]), weights=m.ones(3, 1)),
        RuntimeError,
        "weights should be 1-d and have the same length",
    ),
    "bincount short weights": (
        lambda m: m.bincount(m.tensor([0, 1, 1]), weights=m.ones(2)),
        RuntimeError,
        "same length as input (3)",
    ),
    "searchsorted 0-d boundaries": (
        lambda m: m.searchsorted(m.tensor(1.0), m.tensor([0.5])),
        RuntimeError,
        "boundaries tensor should have positive dimension",
    ),
    "unique 0-d with dim": (
        lambda m: m.unique(m.tensor(3), dim=0),
        IndexError,
        "no dimensions",
    ),
    "normal_ on int": (
        lambda m: m.zeros(3, dtype=m.int64).normal_(),
        NotImplementedError,
        "int64",
    ),
    "uniform_ on int": (
        lambda m: m.zeros(3, dtype=m.int64).uniform_(),
        NotImplementedError,
        "int64",
    ),
    "expand -1 in a new leading dim": (
        lambda m: _x(m).expand(-1, 2, 3),
        RuntimeError,
        "leading, non-existing dimension 0",
    ),
    "sum keepdim tensor": (
        lambda m: _x(m).sum(1, keepdim=m.tensor(True)),
        TypeError,
        "argument 'keepdim' must be bool, not Tensor",
    ),
    "mean keepdim tensor": (
        lambda m: _x(m).mean(1, keepdim=m.tensor(True)),
        TypeError,
        "keepdim",
    ),
    "max keepdim tensor": (
        lambda m: _x(m).max(1, keepdim=m.tensor(True)),
        TypeError,
        "keepdim",
    ),
    "amax keepdim tensor": (
        lambda m: _x(m).amax(1, keepdim=m.tensor(True)),
        TypeError,
        "keepdim",
    ),
    "tensor_split 0-d": (
        lambda m: m.tensor_split(m.tensor(1.0), 2),
        RuntimeError,
        "at least a 1-dimensional tensor",
    ),
    "tensordot 0-d dims=1": (
        lambda m: m.tensordot(m.tensor(2.0), m.tensor(3.0), dims=1),
        RuntimeError,
        "dims=1",
    ),
    "tensordot 0-d dim list": (
        lambda m: m.tensordot(m.tensor(2.0), m.tensor(3.0), dims=([0], [0])),
        IndexError,
        "no dimensions",
    ),
    "tensordot dims > ndim": (
        lambda m: m.tensordot(m.ones(2), m.ones(2, 2), dims=2),
        RuntimeError,
        "dims=2",
    ),
    "tensordot dim out of range": (
        lambda m: m.tensordot(m.ones(2, 3), m.ones(3, 2), dims=([5], [0])),
        IndexError,
        "out of range",
    ),
    "float tensor as dim": (
        lambda m: _x(m).sum(m.tensor(1.0)),
        TypeError,
        "dim",
    ),
    "float tensor as k": (
        lambda m: _x(m).topk(m.tensor(2.0)),
        TypeError,
        "'k'",
    ),
    "t @ list": (lambda m: _x(m) @ [[1.0], [1.0], [1.0]], TypeError, "@"),
    "list @ t": (lambda m: [[1.0, 1.0]] @ _x(m), TypeError, "@"),
    "diff n=-1": (lambda m: _x(m).diff(n=-1), RuntimeError, "non-negative but got -1"),
    "setitem None": (
        lambda m: _x(m).__setitem__(0, None),
        TypeError,
        "can't assign a NoneType",
    ),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_error_type_and_message(name):
    call, error, words = ERRORS[name]
    with pytest.raises(error) as info:
        call(mg)
    assert words in str(info.value)


@pytest.mark.parametrize("name", list(ERRORS))
def test_error_type_matches_torch(name):
    torch = pytest.importorskip("torch")
    call, error, _ = ERRORS[name]
    with pytest.raises(error):
        call(torch)


def test_errors_on_device(device):
    x = _x(mg, device)
    with pytest.raises(RuntimeError, match="same length"):
        mg.tensor([0, 1], device=device).bincount(mg.ones(3, device=device))
    with pytest.raises(NotImplementedError):
        mg.zeros(2, dtype=mg.int32, device=device).normal_()
    with pytest.raises(RuntimeError, match="leading"):
        x.expand(-1, 2, 3)
    with pytest.raises(TypeError, match="keepdim"):
        x.sum(0, keepdim=mg.tensor(True, device=device))
    with pytest.raises(TypeError):
        x.matmul([[1.0], [1.0], [1.0]])
    with pytest.raises(TypeError, match="NoneType"):
        x[0] = None


def test_expand_minus_one_for_an_existing_dim_still_keeps_it():
    x = _x(mg)
    assert x.expand(4, -1, 3).shape == (4, 2, 3)  # (a size-1 new dim; -1 on an existing one)
    assert x[:1].expand(2, -1, -1).shape == (2, 1, 3)


def test_diff_n_zero_and_bool_keepdim_still_work():
    x = _x(mg)
    np.testing.assert_array_equal(host(x.diff(n=0)), host(x))
    assert x.sum(1, keepdim=True).shape == (2, 1)


# ---- one-element integer tensors where an int goes (PyTorch reads them as ints)

INT_TENSOR_ARGS = {
    "sum(dim)": lambda x, i: x.sum(i(1)),
    "sum((dim, 1))": lambda x, i: x.sum((i(0), 1)),
    "unsqueeze(dim)": lambda x, i: x.unsqueeze(i(1)),
    "topk(k)": lambda x, i: x.topk(i(2)).values,
    "topk(dim=)": lambda x, i: x.topk(1, dim=i(0)).values,
    "kthvalue(k)": lambda x, i: x.kthvalue(i(2)).values,
    "kthvalue(k, dim)": lambda x, i: x.kthvalue(1, i(0)).values,
    "roll(shifts, dims)": lambda x, i: x.roll(i(1), i(1)),
    "roll(shifts, 1)": lambda x, i: x.roll(i(1), 1),
    "split(size)": lambda x, i: x.split(i(1))[1],
    "split(1, dim)": lambda x, i: x.split(1, i(1))[2],
    "flip(dim)": lambda x, i: x.flip(i(0)),
    "transpose(dim, 1)": lambda x, i: x.transpose(i(0), 1),
}

EXPECTED = {
    "sum(dim)": [3.0, 12.0],
    "sum((dim, 1))": 15.0,
    "unsqueeze(dim)": [[[0.0, 1.0, 2.0]], [[3.0, 4.0, 5.0]]],
    "topk(k)": [[2.0, 1.0], [5.0, 4.0]],
    "topk(dim=)": [[3.0, 4.0, 5.0]],
    "kthvalue(k)": [1.0, 4.0],
    "kthvalue(k, dim)": [0.0, 1.0, 2.0],
    "roll(shifts, dims)": [[2.0, 0.0, 1.0], [5.0, 3.0, 4.0]],
    "roll(shifts, 1)": [[2.0, 0.0, 1.0], [5.0, 3.0, 4.0]],
    "split(size)": [[3.0, 4.0, 5.0]],
    "split(1, dim)": [[2.0], [5.0]],
    "flip(dim)": [[3.0, 4.0, 5.0], [0.0, 1.0, 2.0]],
    "transpose(dim, 1)": [[0.0, 3.0], [1.0, 4.0], [2.0, 5.0]],
}


@pytest.mark.parametrize("name", list(INT_TENSOR_ARGS))
def test_zero_dim_int_tensor_as_int(name, device):
    got = INT_TENSOR_ARGS[name](_x(mg, device), lambda n: mg.tensor(n, device=device))
    np.testing.assert_array_equal(host(got), np.array(EXPECTED[name]))


@pytest.mark.parametrize("name", list(INT_TENSOR_ARGS))
def test_zero_dim_int_tensor_as_int_matches_torch(name):
    torch = pytest.importorskip("torch")
    got = INT_TENSOR_ARGS[name](_x(mg), mg.tensor)
    want = INT_TENSOR_ARGS[name](_x(torch), torch.tensor)
    np.testing.assert_array_equal(host(got), want.numpy())


# ---- __setitem__ with a value of the wrong shape: RuntimeError, recorded or not


@pytest.mark.parametrize("requires_grad", [False, True])
@pytest.mark.parametrize(
    "key, region",
    [(0, (3,)), ((slice(None), 0), (2,)), ("index", (2, 3))],
)
def test_setitem_shape_mismatch_is_runtime_error(requires_grad, key, region, device):
    x = mg.zeros(2, 3, device=device, requires_grad=requires_grad) * 1  # (not a leaf)
    if key == "index":
        key = mg.tensor([0, 1], device=device)
    value = mg.ones(4, device=device)
    with pytest.raises(RuntimeError) as info:
        x[key] = value
    message = str(info.value)
    assert names_shape(message, (4,)), message  # the value's shape
    assert names_shape(message, (2, 3)), message  # the tensor's shape
    np.testing.assert_array_equal(host(x), np.zeros((2, 3)))  # nothing written


@pytest.mark.parametrize("requires_grad", [False, True])
def test_setitem_shape_mismatch_through_a_view(requires_grad):
    x = mg.zeros(2, 3, requires_grad=requires_grad) * 1
    row = x[0]
    with pytest.raises(RuntimeError) as info:
        row[:] = mg.ones(4)
    assert names_shape(str(info.value), (4,)) and names_shape(str(info.value), (3,))


@pytest.mark.parametrize("requires_grad", [False, True])
def test_setitem_shape_mismatch_matches_torch(requires_grad):
    torch = pytest.importorskip("torch")
    x = torch.zeros(2, 3, requires_grad=requires_grad) * 1
    with pytest.raises(RuntimeError):
        x[0] = torch.ones(4)
