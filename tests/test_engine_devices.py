"""Devices (cpu / cuda), moving tensors between them, and the strict test backend.

The ``cuda`` device runs on :mod:`minigrad._strict` in these tests (or on CuPy
with ``MINIGRAD_TEST_CUDA=cupy``): it refuses implicit host/device mixing as
CuPy does, so any host array leaking into a device computation fails loudly.
"""

from __future__ import annotations

import sys
import types

import numpy as np
import pytest
from engine_helpers import assert_close, on

import minigrad as mg
from minigrad import _strict, backend

OTHER = {"cpu": "cuda", "cuda": "cpu"}


def test_device_objects_print_and_compare():
    assert str(mg.tensor([1.0]).device) == "cpu"
    assert str(mg.tensor([1.0], device="cuda").device) == "cuda:0"
    assert str(mg.tensor([1.0], device="cuda:0").device) == "cuda:0"
    assert mg.device("cuda") == mg.device("cuda:0")
    assert mg.device("cuda") == "cuda:0" and mg.device("cuda:0") == "cuda"
    assert mg.device("cpu") == "cpu" and mg.device("cpu") != "cuda"
    assert mg.device("cuda:0") == mg.Device("cuda", 0)
    assert repr(mg.device("cuda:0")) == "device(type='cuda', index=0)"
    assert hash(mg.device("cuda")) == hash(mg.device("cuda:0"))
    with pytest.raises(ValueError, match="tpu"):
        mg.device("tpu")


def test_to_cuda_cpu_round_trip(device):
    x = mg.tensor([[1.5, -2.0]], device=device)
    other = OTHER[device]
    y = x.to(other)
    assert y.device == other and y.dtype == mg.float32 and y.tolist() == [[1.5, -2.0]]
    assert isinstance(y._array, np.ndarray) == (other == "cpu")
    back = y.to(device)
    assert back.device == device and back.tolist() == x.tolist()
    assert x.to(device) is x  # already there: no copy, as PyTorch
    assert x.cuda().device == "cuda:0" and x.cpu().device == "cpu"
    assert x.cuda(0).device == "cuda:0"
    assert x.to(mg.device(other)).device == other
    z = x.to(other, mg.float64)
    assert z.device == other and z.dtype == mg.float64
    i = mg.tensor([1, 2], device=device).to(other)
    assert i.dtype == mg.int64 and i.tolist() == [1, 2]


def test_a_copy_is_independent_of_its_source(device):
    x = mg.tensor([1.0, 2.0], device=device)
    y = x.to(OTHER[device])
    with mg.no_grad():
        y.add_(1.0)
    assert x.tolist() == [1.0, 2.0]


def test_gradients_flow_through_to_back_to_the_source_device(device):
    x = on([1.0, 2.0, 3.0], device)
    other = OTHER[device]
    y = x.to(other)
    assert y.requires_grad and y.grad_fn is not None
    w = on([1.0, -1.0, 2.0], other, requires_grad=False)
    ((y * y) * w).sum().backward()
    assert x.grad.device == device and type(x.grad._array) is type(x._array)
    assert x.grad.dtype == mg.float64
    assert_close(x.grad, [2.0, -4.0, 12.0])
    assert y.grad is None  # not a leaf
    z = mg.tensor([0.5], device=device, requires_grad=True)  # float32, moved and cast
    (z.to(other, mg.float64) * 4).sum().backward()
    assert z.grad.dtype == mg.float32 and z.grad.device == device
    assert z.grad.tolist() == [4.0]


def test_a_model_split_across_devices_trains(device):
    a = on([[1.0, 2.0], [3.0, 4.0]], device)
    b = on([[0.5], [-1.0]], OTHER[device])
    hidden = (a @ a).tanh()
    out = hidden.to(OTHER[device]) @ b
    out.sum().backward()
    assert a.grad.device == device and b.grad.device == OTHER[device]
    assert mg.gradcheck(lambda p, q: (p @ p).tanh().to(OTHER[device]) @ q, [a, b])


def test_cuda_is_available_returns_a_bool():
    assert isinstance(mg.cuda.is_available(), bool)
    assert isinstance(mg.cuda.device_count(), int)
    reason = mg.cuda.unavailable_reason()
    assert reason is None if mg.cuda.is_available() else isinstance(reason, str)


def _forget_cuda(monkeypatch):
    monkeypatch.setattr(backend, "_cuda_backend", None)
    monkeypatch.setattr(backend, "_cuda_reason", None)


def test_cuda_is_available_never_raises_without_cupy(monkeypatch):
    _forget_cuda(monkeypatch)
    monkeypatch.setitem(sys.modules, "cupy", None)  # `import cupy` raises ImportError
    assert mg.cuda.is_available() is False
    assert "cupy" in mg.cuda.unavailable_reason()
    assert mg.cuda.device_count() == 0
    with pytest.raises(RuntimeError, match="not available"):
        mg.tensor([1.0]).cuda()
    with pytest.raises(RuntimeError, match="cpu"):
        mg.zeros(2, device="cuda")


def test_cuda_is_available_never_raises_with_a_broken_gpu(monkeypatch):
    _forget_cuda(monkeypatch)

    def broken():
        raise RuntimeError("cudaErrorNoDevice: no CUDA-capable device is detected")

    fake = types.ModuleType("cupy")
    fake.cuda = types.SimpleNamespace(runtime=types.SimpleNamespace(getDeviceCount=broken))
    monkeypatch.setitem(sys.modules, "cupy", fake)
    assert mg.cuda.is_available() is False
    assert "no CUDA-capable device" in mg.cuda.unavailable_reason()


def test_cuda_device_prints_as_in_the_seed_notes():
    # seed 003: `tensor.device` shows `cpu` / `cuda:0`; `.to('cuda')`, `.to('cpu')`
    x = mg.tensor([1.0, 2.0])
    print_out = [str(x.device), str(x.to("cuda").device), str(x.to("cuda").to("cpu").device)]
    assert print_out == ["cpu", "cuda:0", "cpu"]


# ----------------------------------------------------------------------------- mixing devices

MIXED_OPS = {
    "add": lambda a, b: a + b,
    "mul": lambda a, b: b * a,
    "sub": lambda a, b: a - b,
    "div": lambda a, b: a / b,
    "pow": lambda a, b: a**b,
    "matmul": lambda a, b: a.reshape(1, 2) @ b.reshape(2, 1),
    "maximum": mg.maximum,
    "minimum": mg.minimum,
    "cat": lambda a, b: mg.cat([a, b]),
    "stack": lambda a, b: mg.stack([a, b]),
    "where": lambda a, b: mg.where(a > 0, a, b),
    "comparison": lambda a, b: a < b,
    "eq": lambda a, b: a == b,
    "in-place add_": lambda a, b: a.add_(b),
    "copy of a dtype": lambda a, b: a.double() + b,
}


@pytest.mark.parametrize("name", list(MIXED_OPS))
def test_an_op_mixing_devices_names_both(name, device):
    a = mg.tensor([1.0, 2.0], device=device)
    b = mg.tensor([3.0, 4.0], device=OTHER[device])
    with pytest.raises(RuntimeError) as info:
        MIXED_OPS[name](a, b)
    message = str(info.value)
    assert "cpu" in message and "cuda:0" in message
    assert a.tolist() == [1.0, 2.0] and b.tolist() == [3.0, 4.0]


def test_index_select_with_an_index_on_another_device(device):
    x = mg.tensor([1.0, 2.0, 3.0], device="cpu")
    with pytest.raises(RuntimeError, match=r"cpu.*cuda:0|cuda:0.*cpu"):
        x.index_select(0, mg.tensor([0, 2], device="cuda"))
    # a cpu index may index a device tensor (as in PyTorch)
    y = mg.tensor([1.0, 2.0, 3.0], device=device)
    assert y.index_select(0, mg.tensor([2, 0])).tolist() == [3.0, 1.0]
    assert y[mg.tensor([1, 1])].tolist() == [2.0, 2.0]


# ----------------------------------------------------------------------------- strict backend


def _strict_array(values):
    return _strict.StrictArray(np.array(values, dtype=np.float64))


def test_strict_arrays_refuse_implicit_conversion_to_host():
    a = _strict_array([1.0, 2.0])
    with pytest.raises(TypeError, match="Implicit conversion"):
        np.asarray(a)
    with pytest.raises(TypeError):
        np.array(a)
    np.testing.assert_array_equal(a.get(), [1.0, 2.0])  # the explicit way, like cupy
    assert isinstance(a.get(), np.ndarray)
    assert a.sum().item() == 3.0 and float(a[0]) == 1.0 and a.tolist() == [1.0, 2.0]


def test_strict_arrays_refuse_mixing_with_host_arrays():
    a = _strict_array([1.0, 2.0])
    h = np.array([1.0, 2.0])
    xp = _strict.namespace
    for mix in (
        lambda: a + h,
        lambda: h + a,
        lambda: a * h,
        lambda: h < a,
        lambda: np.add(a, h),
        lambda: np.maximum(h, a),
        lambda: xp.add(a, h),
        lambda: xp.concatenate([a, h]),
        lambda: xp.where(a > 1, a, h),
        lambda: np.concatenate([a, h]),
    ):
        with pytest.raises(TypeError):
            mix()
    c = a.copy()
    with pytest.raises(TypeError):
        c[0] = h[:1]
    with pytest.raises(TypeError):
        c += h
    np.testing.assert_array_equal(c.get(), [1.0, 2.0])


def test_strict_arrays_mix_with_scalars_and_each_other():
    a = _strict_array([1.0, 2.0])
    xp = _strict.namespace
    for result in (
        a + 1,
        2.0 * a,
        a + a,
        np.exp(a),
        xp.exp(a),
        xp.concatenate([a, a]),
        np.concatenate([a, a]),
        a[a > 1],
        a.reshape(2, 1) @ a.reshape(1, 2),
    ):
        assert isinstance(result, _strict.StrictArray)
    moved = xp.asarray(np.array([3.0]))  # the explicit transfer, like cupy.asarray
    assert isinstance(moved, _strict.StrictArray) and moved.get().tolist() == [3.0]
    assert backend.get_array_module(a) is xp
    assert backend.backend_of(a).device_of(a) == "cuda:0"
    assert backend.to_host(a).tolist() == [1.0, 2.0]


def test_the_strict_cuda_device_is_what_the_suite_tests():
    x = mg.tensor([1.0], device="cuda")
    if isinstance(x._array, _strict.StrictArray):
        with pytest.raises(TypeError):
            np.asarray(x._array)
        with pytest.raises(TypeError):
            x._array + np.ones(1)
    assert not isinstance(x._array, np.ndarray)


def test_device_tensors_accept_host_data_only_through_explicit_transfer(device):
    x = mg.tensor([1.0, 2.0], device=device)
    y = x + np.array([1.0, 1.0], dtype=np.float32)  # minigrad moves a host operand over
    assert y.device == device and y.tolist() == [2.0, 3.0]
    with pytest.raises(TypeError, match="list"):  # as PyTorch: a list is not an operand
        x * [2.0, 3.0]
