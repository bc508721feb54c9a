"""Creation functions: default dtype and device, sizes, ranges, fills and the *_like family."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad as mg
from minigrad import nn


@pytest.fixture(autouse=True)
def _restore_defaults():
    yield
    mg.set_default_dtype(mg.float32)
    mg.set_default_device(None)


def host(t: mg.Tensor) -> np.ndarray:
    return t.detach().cpu().numpy()


# ---------------------------------------------------------------------- default dtype
def test_default_dtype_starts_as_float32():
    assert mg.get_default_dtype() == mg.float32
    assert mg.tensor([1.5]).dtype == mg.float32


def test_every_float_producing_path_follows_the_default_dtype():
    mg.set_default_dtype(mg.float64)
    assert mg.get_default_dtype() == mg.float64
    made = {
        "tensor(list)": mg.tensor([1.5, 2.0]),
        "tensor(float)": mg.tensor(0.5),
        "zeros": mg.zeros(2),
        "ones": mg.ones(2),
        "empty": mg.empty(2),
        "full(float)": mg.full((2,), 0.5),
        "arange(float)": mg.arange(0.0, 1.0, 0.5),
        "linspace": mg.linspace(0, 1, 3),
        "logspace": mg.logspace(0, 1, 3),
        "eye": mg.eye(2),
        "rand": mg.rand(2),
        "randn": mg.randn(2),
        "normal": mg.normal(0.0, 1.0, (2,)),
        "Tensor(list)": mg.Tensor([1, 2]),
        "Tensor(sizes)": mg.Tensor(2, 3),
        "int / int": mg.tensor([1, 2]) / mg.tensor([2, 4]),
        "int * 0.5": mg.tensor([1, 2]) * 0.5,
        "int.exp()": mg.tensor([0, 1]).exp(),
        "Linear.weight": nn.Linear(2, 3).weight,
    }
    assert {name: t.dtype for name, t in made.items()} == dict.fromkeys(made, mg.float64)
    # integers, bools and arrays are unaffected
    assert mg.tensor([1, 2]).dtype == mg.int64
    assert mg.arange(3).dtype == mg.int64
    assert mg.tensor([True]).dtype == mg.bool
    assert mg.tensor(np.ones(2, np.float32)).dtype == mg.float32


def test_default_dtype_float64_gives_float64_precision():
    mg.set_default_dtype(mg.float64)
    assert mg.tensor([0.1]).item() == 0.1  # float32 would round it


def test_set_default_dtype_accepts_only_floating_dtypes():
    for bad in (mg.int32, mg.int64, mg.bool, "int64", "not a dtype"):
        with pytest.raises(TypeError, match="only floating-point types"):
            mg.set_default_dtype(bad)
    assert mg.get_default_dtype() == mg.float32
    mg.set_default_dtype("float64")
    assert mg.get_default_dtype() == mg.float64


def test_mean_of_integers_still_asks_for_a_float_dtype():
    mg.set_default_dtype(mg.float64)
    with pytest.raises(RuntimeError, match="floating point"):
        mg.tensor([1, 2]).mean()
    assert mg.tensor([1, 2]).mean(dtype=mg.get_default_dtype()).item() == 1.5


# ---------------------------------------------------------------------- default device
def test_default_device_starts_as_cpu():
    assert mg.get_default_device() == mg.device("cpu")


def test_creation_without_device_uses_the_default_device():
    mg.set_default_device("cuda")
    assert mg.get_default_device() == mg.device("cuda:0")
    made = [
        mg.tensor([1.0]),
        mg.tensor(np.ones(2)),
        mg.zeros(2),
        mg.ones(2),
        mg.empty(2),
        mg.full((2,), 3),
        mg.arange(3),
        mg.linspace(0, 1, 2),
        mg.logspace(0, 1, 2),
        mg.eye(2),
        mg.rand(2),
        mg.randn(2),
        mg.randint(0, 3, (2,)),
        mg.randperm(3),
        mg.normal(0.0, 1.0, (2,)),
        mg.Tensor([1.0, 2.0]),
        mg.Tensor(2),
        nn.Linear(2, 2).weight,
    ]
    assert all(t.device.type == "cuda" for t in made)
    assert mg.zeros(2, device="cpu").device == mg.device("cpu")
    cpu_tensor = mg.tensor([1.0], device="cpu")
    assert mg.tensor(cpu_tensor).device == mg.device("cpu")  # a tensor keeps its device
    mg.set_default_device(None)
    assert mg.zeros(1).device == mg.device("cpu")


def test_set_default_device_rejects_unknown_devices():
    with pytest.raises(ValueError, match="unknown device"):
        mg.set_default_device("tpu")


# ---------------------------------------------------------------------- sizes
@pytest.mark.parametrize(
    "make",
    [
        lambda: mg.zeros(2.5),
        lambda: mg.ones(2, 2.0),
        lambda: mg.empty((2.5,)),
        lambda: mg.rand(2.5),
        lambda: mg.randn(1, 1.5),
        lambda: mg.full((2.5,), 1.0),
        lambda: mg.randint(0, 3, (2.5,)),
        lambda: mg.randperm(2.5),
        lambda: mg.eye(2.5),
        lambda: mg.eye(2, 1.5),
        lambda: mg.linspace(0, 1, 2.5),
        lambda: mg.Tensor(2.5, 3),
        lambda: mg.Tensor(2.5),
        lambda: mg.zeros(3).reshape(1.5, -1),
        lambda: mg.zeros(3).view(3.0),
        lambda: mg.zeros(3).new_zeros(2.5),
        lambda: nn.Linear(2.5, 3),
        lambda: mg.zeros(True),
    ],
)
def test_sizes_must_be_integers(make):
    with pytest.raises(TypeError, match="must be"):
        make()


def test_sizes_may_be_numpy_integers_and_one_element_integer_tensors():
    assert mg.zeros(np.int64(2), mg.tensor(3)).shape == (2, 3)
    assert mg.ones([2, 1]).shape == (2, 1)
    assert mg.zeros(()).shape == ()


def test_negative_sizes_are_refused():
    with pytest.raises(RuntimeError, match="negative dimension -1"):
        mg.zeros(2, -1)
    with pytest.raises(RuntimeError, match="negative"):
        mg.eye(-1)


def test_integer_overflowing_int64_is_refused_with_a_clear_message():
    for data in ([2**70], [[1, 2], [3, -(2**64)]], 2**63, [1, 2**63], -(2**63) - 1):
        with pytest.raises(ValueError, match="Overflow when unpacking long long.*int64"):
            mg.tensor(data)  # PyTorch's type and words (NumPy would give uint64 or objects)
    assert mg.tensor([2**63 - 1]).item() == 2**63 - 1


# ------------------------------------------------------------ dtype=, device=, requires_grad=
FACTORIES = {
    "zeros": lambda **kw: mg.zeros(2, 3, **kw),
    "ones": lambda **kw: mg.ones((2, 3), **kw),
    "empty": lambda **kw: mg.empty(2, 3, **kw),
    "full": lambda **kw: mg.full((2, 3), 2.5, **kw),
    "arange": lambda **kw: mg.arange(0.0, 6.0, **kw),
    "linspace": lambda **kw: mg.linspace(0, 1, 6, **kw),
    "logspace": lambda **kw: mg.logspace(0, 1, 6, **kw),
    "eye": lambda **kw: mg.eye(2, 3, **kw),
    "rand": lambda **kw: mg.rand(2, 3, **kw),
    "randn": lambda **kw: mg.randn(2, 3, **kw),
    "normal": lambda **kw: mg.normal(0.0, 1.0, (2, 3), **kw),
    "tensor": lambda **kw: mg.tensor([[1, 2, 3], [4, 5, 6]], **kw),
}


@pytest.mark.parametrize("name", sorted(FACTORIES))
@pytest.mark.parametrize("dtype", [mg.float64, mg.float16])
def test_factories_take_dtype_device_and_requires_grad(name, dtype, device):
    t = FACTORIES[name](dtype=dtype, device=device, requires_grad=True)
    assert (t.numel(), t.dtype, t.device.type) == (6, dtype, device)
    assert t.requires_grad and t.is_leaf
    (t.float() * 2).sum().backward()
    assert t.grad is not None and t.grad.dtype == dtype


@pytest.mark.parametrize("name", ["zeros", "ones", "full", "tensor", "eye", "arange"])
def test_integer_tensors_cannot_require_grad(name):
    with pytest.raises(RuntimeError, match="floating point"):
        FACTORIES[name](dtype=mg.int64, requires_grad=True)


def test_full_infers_its_dtype_from_the_fill_value():
    assert mg.full((2,), True).dtype == mg.bool
    assert mg.full((2,), 3).dtype == mg.int64
    assert mg.full((2,), 3.0).dtype == mg.float32
    assert mg.full((2,), mg.tensor(2.5)).tolist() == [2.5, 2.5]
    with pytest.raises(TypeError, match="size"):
        mg.full(3, 1.0)


# ---------------------------------------------------------------------- ranges
def test_arange_dtype_inference():
    assert mg.arange(5).dtype == mg.int64
    assert mg.arange(5.0).dtype == mg.float32
    assert mg.arange(0, 5, 0.5).dtype == mg.float32
    assert mg.arange(mg.tensor(4)).tolist() == [0, 1, 2, 3]
    assert mg.arange(0, 10, 3).tolist() == [0, 3, 6, 9]
    assert mg.arange(1, 0, -0.25).tolist() == [1.0, 0.75, 0.5, 0.25]
    assert mg.arange(0).shape == (0,)


def test_arange_errors():
    with pytest.raises(RuntimeError, match="step must be nonzero"):
        mg.arange(0, 1, 0)
    with pytest.raises(RuntimeError, match="inconsistent with step sign"):
        mg.arange(0, -1, 1)
    with pytest.raises(TypeError, match="number"):
        mg.arange("3")


@given(
    start=st.integers(-20, 20),
    length=st.integers(0, 40),
    step=st.sampled_from([0.1, 0.25, 0.3, -0.1, -0.7, 1.5, 3.0]),
)
def test_arange_with_float_steps_has_ceil_length(start, length, step):
    end = start + length * step * 0.97
    t = mg.arange(float(start), end, step, dtype=mg.float64)
    n = math.ceil((end - start) / step)
    assert t.shape == (n,)
    np.testing.assert_allclose(host(t), start + np.arange(n) * step, rtol=0, atol=1e-12)


def test_linspace_and_logspace():
    x = mg.linspace(-1, 1, 5)
    assert x.tolist() == [-1.0, -0.5, 0.0, 0.5, 1.0]
    assert mg.linspace(2, 3, 1).tolist() == [2.0]
    assert mg.linspace(2, 3, 0).shape == (0,)
    np.testing.assert_allclose(host(mg.logspace(0, 2, 3)), [1, 10, 100])
    np.testing.assert_allclose(host(mg.logspace(0, 3, 4, base=2)), [1, 2, 4, 8])
    assert mg.linspace(0, 10, 6, dtype=mg.int64).tolist() == [0, 2, 4, 6, 8, 10]
    with pytest.raises(RuntimeError, match="non-negative"):
        mg.linspace(0, 1, -1)


@given(
    start=st.floats(-100, 100),
    end=st.floats(-100, 100),
    steps=st.integers(2, 50),
)
def test_linspace_is_evenly_spaced_and_hits_both_ends(start, end, steps):
    t = host(mg.linspace(start, end, steps, dtype=mg.float64))
    assert t[0] == start and t[-1] == end
    np.testing.assert_allclose(np.diff(t), (end - start) / (steps - 1), atol=1e-12)


def test_eye_n_by_m(device):
    assert mg.eye(2, 3, device=device).tolist() == [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]
    assert mg.eye(3, dtype=mg.int64).tolist() == [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
    assert mg.eye(0).shape == (0, 0)


def test_ranges_agree_with_torch():
    torch = pytest.importorskip("torch")
    cases = [
        ("arange", (0, 1, 0.1)),
        ("arange", (1, 0, -0.3)),
        ("arange", (-3, 7, 2)),
        ("arange", (2.5,)),
        ("linspace", (0, 1, 7)),
        ("linspace", (-3.3, 17.1, 11)),
        ("logspace", (-2, 2, 9)),
    ]
    for name, args in cases:
        expected = getattr(torch, name)(*args)
        got = getattr(mg, name)(*args)
        assert str(got.dtype) == str(expected.dtype).removeprefix("torch.")
        np.testing.assert_allclose(host(got), expected.numpy(), rtol=1e-6)
    np.testing.assert_allclose(
        host(mg.logspace(0, 1, 5, base=2)), torch.logspace(0, 1, 5, base=2).numpy(), rtol=1e-6
    )


# ---------------------------------------------------------------------- *_like
LIKES = {
    "zeros_like": mg.zeros_like,
    "ones_like": mg.ones_like,
    "empty_like": mg.empty_like,
    "rand_like": mg.rand_like,
    "randn_like": mg.randn_like,
    "full_like": lambda x, **kw: mg.full_like(x, 7, **kw),
    "randint_like": lambda x, **kw: mg.randint_like(x, 5, **kw),
}


@pytest.mark.parametrize("name", sorted(LIKES))
def test_like_functions_keep_shape_dtype_and_device(name, device):
    x = mg.zeros(2, 3, dtype=mg.float64, device=device)
    t = LIKES[name](x)
    assert (t.shape, t.dtype, t.device) == (x.shape, x.dtype, x.device)
    assert not t.requires_grad
    t = LIKES[name](x, dtype=mg.float16, device="cpu", requires_grad=True)
    assert (t.shape, t.dtype, t.device.type, t.requires_grad) == ((2, 3), mg.float16, "cpu", True)
    with pytest.raises(TypeError, match="Tensor"):
        LIKES[name]([1.0, 2.0])


def test_like_values():
    x = mg.zeros(200, dtype=mg.int64)
    assert mg.full_like(x, 7).tolist() == [7] * 200
    assert mg.ones_like(x, memory_format=None).dtype == mg.int64
    low_high = mg.randint_like(x, 3, 6)
    assert low_high.dtype == mg.int64 and set(low_high.tolist()) == {3, 4, 5}
    assert set(mg.randint_like(x, 2).tolist()) == {0, 1}
    r = mg.rand_like(mg.zeros(1000))
    assert 0 <= r.min().item() and r.max().item() < 1


def test_is_tensor_and_numel():
    assert mg.is_tensor(mg.zeros(1)) and mg.is_tensor(nn.Parameter(mg.zeros(1)))
    assert not mg.is_tensor(np.zeros(1)) and not mg.is_tensor([1.0])
    assert mg.numel(mg.zeros(2, 3, 4)) == 24
    with pytest.raises(TypeError, match="Tensor"):
        mg.numel(np.zeros(3))
