"""The Tensor's attributes and methods, and the functions that create tensors."""

from __future__ import annotations

import numpy as np
import pytest
from engine_helpers import assert_close, given_settings, host, on, shapes
from hypothesis import given

import minigrad as mg
from minigrad import _strict


def data_type(device):
    """The array type a tensor's ``._array`` has on ``device``."""
    return np.ndarray if device == "cpu" else type(mg.zeros(1, device=device)._array)


# ----------------------------------------------------------------------------- attributes


def test_attributes(device):
    values = np.arange(6.0, dtype=np.float32).reshape(2, 3)
    x = mg.tensor(values, device=device, requires_grad=True)
    assert isinstance(x._array, data_type(device))
    if device == "cuda":
        assert not isinstance(x._array, np.ndarray)
    assert x.grad is None and x.requires_grad and x.is_leaf and x.grad_fn is None
    assert x.shape == (2, 3) and isinstance(x.shape, tuple)
    assert x.ndim == 2 and x.dim() == 2 and x.numel() == 6 and len(x) == 2
    assert x.size() == (2, 3) and x.size(0) == 2 and x.size(-1) == 3 and x.size(1) == 3
    with pytest.raises(IndexError, match=r"range"):
        x.size(2)
    assert x.dtype == mg.float32
    assert x.device == device and str(x.device) == ("cpu" if device == "cpu" else "cuda:0")
    assert x.is_cuda == (device == "cuda")
    assert x.T.shape == (3, 2)
    assert_close(x.T, values.T)
    assert x.tolist() == values.tolist()
    assert x[1, 2].item() == 5.0 and isinstance(x[1, 2].item(), float)


def test_item_and_tolist(device):
    assert mg.tensor(2.5, device=device).item() == 2.5
    assert mg.tensor([[7]], device=device).item() == 7
    assert isinstance(mg.tensor([[7]], device=device).item(), int)
    assert mg.tensor(True, device=device).item() is True
    with pytest.raises(RuntimeError, match="3 elements"):
        mg.tensor([1.0, 2.0, 3.0], device=device).item()
    assert mg.tensor([[1, 2], [3, 4]], device=device).tolist() == [[1, 2], [3, 4]]
    assert mg.tensor(1.5, device=device).tolist() == 1.5
    assert float(mg.tensor([4.0], device=device)) == 4.0
    assert int(mg.tensor(3, device=device)) == 3


def test_numpy_shares_memory_on_cpu():
    x = mg.tensor([1.0, 2.0])
    a = x.numpy()
    assert isinstance(a, np.ndarray) and a.dtype == np.float32
    a[0] = 5.0
    assert x[0].item() == 5.0
    with pytest.raises(RuntimeError, match=r"detach\(\)"):
        mg.tensor([1.0], requires_grad=True).numpy()
    assert mg.tensor([1.0], requires_grad=True).detach().numpy().tolist() == [1.0]
    np.testing.assert_array_equal(np.asarray(x), [5.0, 2.0])


def test_numpy_on_a_cuda_tensor_says_to_call_cpu():
    x = mg.tensor([1.0, 2.0], device="cuda")
    with pytest.raises(TypeError, match=r"\.cpu\(\)"):
        x.numpy()
    with pytest.raises(TypeError, match=r"\.cpu\(\)"):
        np.asarray(x)
    assert x.cpu().numpy().tolist() == [1.0, 2.0]


def test_float_and_double(device):
    x = mg.tensor([1, 2], device=device)
    assert x.dtype == mg.int64
    f = x.float()
    assert f.dtype == mg.float32 and f.device == device and f.tolist() == [1.0, 2.0]
    d = f.double()
    assert d.dtype == mg.float64 and d.device == device
    assert f.float() is f  # already float32: no copy, as PyTorch
    g = mg.tensor([1.5, -2.0, 0.0], device=device)
    assert g.long().dtype == mg.int64 and g.long().tolist() == [1, -2, 0]
    assert g.int().dtype == mg.int32 and g.half().dtype == mg.float16
    assert g.bool().tolist() == [True, True, False]
    assert g.to("float64").dtype == mg.float64 and g.to(dtype=mg.int16).dtype == mg.int16
    leaf = mg.tensor([1.5, 2.5], dtype=mg.float64, device=device, requires_grad=True)
    (leaf.float() * 2).sum().backward()  # the cast is differentiable
    assert leaf.grad.dtype == mg.float64
    assert_close(leaf.grad, [2.0, 2.0])


def test_repr(device):
    suffix = "" if device == "cpu" else ", device='cuda:0'"
    assert repr(mg.tensor([1.0, 2.0], device=device)) == f"tensor([1., 2.]{suffix})"
    assert repr(mg.tensor([1, 2], device=device)) == f"tensor([1, 2]{suffix})"
    x = mg.tensor([1.0, 2.0], device=device, requires_grad=True)
    assert repr(x) == f"tensor([1., 2.]{suffix}, requires_grad=True)"
    assert repr(x * 2) == f"tensor([2., 4.]{suffix}, grad_fn=<MulBackward0>)"
    assert repr(mg.tensor(0.5, dtype=mg.float64, device=device)) == (
        f"tensor(0.5000{suffix}, dtype=minigrad.float64)"  # as PyTorch prints it
    )
    assert str(mg.tensor([True, False], device=device)) == f"tensor([ True, False]{suffix})"


def test_iteration_and_len(device):
    x = mg.tensor([[1.0, 2.0], [3.0, 4.0]], device=device)
    rows = list(x)
    assert len(rows) == 2 and rows[1].tolist() == [3.0, 4.0]
    with pytest.raises(TypeError):
        len(mg.tensor(1.0))


# ----------------------------------------------------------------------------- creation


def test_tensor_copies_its_data(device):
    source = np.array([1.0, 2.0], dtype=np.float32)
    x = mg.tensor(source, device=device)
    source[0] = 100.0
    assert x.tolist() == [1.0, 2.0]
    y = mg.tensor(x)  # from a tensor: a copy, same device and dtype
    assert y.device == device and y.dtype == mg.float32
    with mg.no_grad():
        y.add_(1.0)
    assert x.tolist() == [1.0, 2.0]
    z = mg.tensor([x[0], x[1]])  # a list of 0-d tensors
    assert z.tolist() == [1.0, 2.0]


def test_tensor_places_data_on_the_device(device):
    x = mg.tensor([[1, 2]], device=device)
    assert x.device == device and isinstance(x._array, data_type(device))
    assert x.dtype == mg.int64
    on_cuda = mg.tensor([1.0], device="cuda")
    assert mg.tensor(on_cuda).device == "cuda"  # a device tensor stays there
    assert mg.tensor(on_cuda, device="cpu").device == "cpu"


def test_from_numpy_shares_memory_and_keeps_the_dtype():
    a = np.array([1.0, 2.0])
    x = mg.from_numpy(a)
    assert x.dtype == mg.float64 and x.device == "cpu"
    a[1] = 7.0
    assert x.tolist() == [1.0, 7.0]
    assert mg.from_numpy(np.arange(3, dtype=np.int32)).dtype == mg.int32
    with pytest.raises(TypeError):
        mg.from_numpy([1.0, 2.0])
    with pytest.raises(TypeError, match="complex"):
        mg.from_numpy(np.zeros(2, dtype=np.complex64))


@pytest.mark.parametrize("make, fill", [(mg.zeros, 0.0), (mg.ones, 1.0)])
def test_zeros_and_ones(make, fill, device):
    for x in (make(2, 3, device=device), make((2, 3), device=device), make([2, 3], device=device)):
        assert x.shape == (2, 3) and x.dtype == mg.float32 and x.device == device
        assert (host(x) == fill).all()
    assert make(0, device=device).shape == (0,)
    assert make((), device=device).shape == ()
    i = make(4, dtype=mg.int64, device=device)
    assert i.dtype == mg.int64 and host(i).tolist() == [int(fill)] * 4
    g = make(2, requires_grad=True, device=device)
    assert g.requires_grad and g.is_leaf


def test_full(device):
    f = mg.full((2, 2), 1.5, device=device)
    assert f.dtype == mg.float32 and f.tolist() == [[1.5, 1.5], [1.5, 1.5]]
    assert mg.full((3,), 7, device=device).dtype == mg.int64
    assert mg.full((3,), True, device=device).dtype == mg.bool
    assert mg.full((1,), 2, dtype=mg.float64, device=device).dtype == mg.float64
    assert mg.full((), -1.0, device=device).shape == ()


def test_arange(device):
    a = mg.arange(5, device=device)
    assert a.dtype == mg.int64 and a.tolist() == [0, 1, 2, 3, 4] and a.device == device
    assert mg.arange(2, 8, 3, device=device).tolist() == [2, 5]
    f = mg.arange(0, 1, 0.25, device=device)
    assert f.dtype == mg.float32 and f.tolist() == [0.0, 0.25, 0.5, 0.75]
    assert mg.arange(3, dtype=mg.float64, device=device).dtype == mg.float64
    assert mg.arange(5, 0, -2, device=device).tolist() == [5, 3, 1]
    assert mg.arange(0, device=device).shape == (0,)


def test_eye(device):
    e = mg.eye(3, device=device)
    assert e.dtype == mg.float32 and e.device == device
    np.testing.assert_array_equal(host(e), np.eye(3))
    np.testing.assert_array_equal(host(mg.eye(2, 4, dtype=mg.int64, device=device)), np.eye(2, 4))


def test_random_creation(device):
    r = mg.rand(200, device=device)
    assert r.shape == (200,) and r.dtype == mg.float32 and r.device == device
    assert isinstance(r._array, data_type(device))
    assert 0.0 <= host(r).min() and host(r).max() < 1.0
    n = mg.randn(2, 500, device=device)
    assert n.shape == (2, 500) and n.dtype == mg.float32
    assert abs(host(n).mean()) < 0.2 and 0.8 < host(n).std() < 1.2
    assert mg.randn((3, 1), dtype=mg.float64, device=device).dtype == mg.float64
    assert mg.rand(2, requires_grad=True, device=device).requires_grad
    i = mg.randint(3, 7, (50,), device=device)
    assert i.dtype == mg.int64 and i.device == device and i.shape == (50,)
    assert set(host(i).tolist()) <= {3, 4, 5, 6}
    j = mg.randint(4, (2, 3), device=device)  # randint(high, size), as torch.randint
    assert j.shape == (2, 3) and set(host(j).ravel().tolist()) <= {0, 1, 2, 3}
    assert mg.randint(0, 2, size=(3,), dtype=mg.int32, device=device).dtype == mg.int32
    p = mg.randperm(10, device=device)
    assert p.dtype == mg.int64 and p.device == device
    assert sorted(p.tolist()) == list(range(10))
    assert mg.randperm(0, device=device).shape == (0,)


@pytest.mark.parametrize("seed", [0, 1234])
def test_manual_seed_makes_draws_reproducible(seed, device):
    def draws():
        return [
            host(mg.rand(4, device=device)),
            host(mg.randn(2, 2, device=device)),
            host(mg.randint(0, 100, (5,), device=device)),
            host(mg.randperm(8, device=device)),
            host(mg.randn_like(mg.zeros(3, device=device))),
        ]

    mg.manual_seed(seed)
    first = draws()
    mg.manual_seed(seed)
    second = draws()
    for a, b in zip(first, second, strict=True):
        np.testing.assert_array_equal(a, b)
    mg.manual_seed(seed + 1)
    assert not np.array_equal(host(mg.rand(4, device=device)), first[0])
    assert mg.initial_seed() == seed + 1


def test_each_device_has_its_own_random_stream():
    mg.manual_seed(7)
    a = host(mg.randn(5))
    mg.manual_seed(7)
    mg.randn(5, device="cuda")  # draws on another device do not move the cpu stream
    np.testing.assert_array_equal(host(mg.randn(5)), a)


def test_like_functions_keep_shape_dtype_and_device(device):
    x = mg.ones(2, 3, dtype=mg.float64, device=device)
    for make in (mg.zeros_like, mg.ones_like, mg.rand_like, mg.randn_like, mg.empty_like):
        y = make(x)
        assert y.shape == (2, 3) and y.dtype == mg.float64 and y.device == device
    assert (host(mg.zeros_like(x)) == 0).all() and (host(mg.ones_like(x)) == 1).all()
    f = mg.full_like(x, 2.5)
    assert f.dtype == mg.float64 and (host(f) == 2.5).all()
    i = mg.randint_like(x, 5)
    assert i.shape == (2, 3) and i.dtype == mg.float64 and host(i).max() < 5
    assert mg.zeros_like(x, dtype=mg.int64).dtype == mg.int64
    assert mg.ones_like(x, device="cpu").device == "cpu"
    assert mg.zeros_like(x, requires_grad=True).requires_grad


@given_settings
@given(shape=shapes())
def test_creation_shapes(shape, device):
    for x in (
        mg.zeros(shape, device=device),
        mg.ones(*shape, device=device),
        mg.rand(shape, device=device),
        mg.randn(*shape, device=device),
        mg.full(shape, 3.0, device=device),
        mg.randint(0, 3, shape, device=device),
    ):
        assert x.shape == tuple(shape) and x.device == device
        assert isinstance(x._array, data_type(device))


def test_strict_device_data_is_never_a_host_array():
    makers = [
        lambda: mg.tensor([1.0], device="cuda"),
        lambda: mg.zeros(2, device="cuda"),
        lambda: mg.arange(3, device="cuda"),
        lambda: mg.eye(2, device="cuda"),
        lambda: mg.rand(2, device="cuda"),
        lambda: mg.randperm(3, device="cuda"),
        lambda: mg.tensor([1.0]).cuda(),
        lambda: mg.tensor([1.0]).to("cuda"),
    ]
    for make in makers:
        t = make()
        assert isinstance(t._array, _strict.StrictArray) or not isinstance(t._array, np.ndarray)
        assert t.device == "cuda:0"


def test_to_and_requires_grad_keep_values(device):
    x = on([1.0, -2.0], device)
    assert_close(x.to("cpu").detach(), [1.0, -2.0])
    assert_close(x.to(mg.float32).double(), [1.0, -2.0])


def test_zero_dim_tensors_take_dim_0_as_pytorch_does(device):
    x = mg.tensor(3.0, device=device, requires_grad=True)
    values, indices = x.max(0)
    assert values.shape == () and values.item() == 3.0 and indices.item() == 0
    assert x.min(-1, keepdim=True).values.shape == ()
    assert x.transpose(0, 0).shape == () and x.squeeze(0).shape == ()
    (values * 2).backward()
    assert x.grad.item() == 2.0
