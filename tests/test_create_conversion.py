"""Conversion and inspection: Tensor.type, new_*, to(other), sizes in bytes, finfo/iinfo,
Size, minigrad.backends and load's PyTorch keywords."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg


def host(t: mg.Tensor) -> np.ndarray:
    return t.detach().cpu().numpy()


# ---------------------------------------------------------------------- Tensor.type
@pytest.mark.parametrize(
    ("dtype", "name"),
    [
        (mg.float32, "FloatTensor"),
        (mg.float64, "DoubleTensor"),
        (mg.float16, "HalfTensor"),
        (mg.int64, "LongTensor"),
        (mg.int32, "IntTensor"),
        (mg.int16, "ShortTensor"),
        (mg.int8, "CharTensor"),
        (mg.uint8, "ByteTensor"),
        (mg.bool, "BoolTensor"),
    ],
)
def test_type_string(dtype, name):
    assert mg.zeros(2, dtype=dtype).type() == f"minigrad.{name}"
    assert mg.zeros(2, dtype=dtype, device="cuda").type() == f"minigrad.cuda.{name}"
    for prefix in ("minigrad.", "torch."):
        assert mg.zeros(2, dtype=mg.float64).type(prefix + name).dtype == dtype


def test_type_casts_and_moves(device):
    x = mg.tensor([1.5, 2.5], device=device, requires_grad=True)
    y = x.type(mg.float64)
    assert y.dtype == mg.float64 and y.device.type == device
    y.sum().backward()  # differentiable, as to()
    assert x.grad.tolist() == [1.0, 1.0]
    assert x.type(mg.float32) is x
    assert x.detach().type("torch.cuda.IntTensor").device.type == "cuda"
    assert x.detach().type("minigrad.LongTensor").device.type == "cpu"
    assert x.detach().type("minigrad.LongTensor").tolist() == [1, 2]


@pytest.mark.parametrize(
    "bad", ["float64", "minigrad.Float", "numpy.FloatTensor", "torch.xla.FloatTensor"]
)
def test_type_with_an_unknown_string(bad):
    with pytest.raises(ValueError, match="invalid type"):
        mg.zeros(1).type(bad)


# ---------------------------------------------------------------------- inspection
@pytest.mark.parametrize(
    ("dtype", "size", "floating"),
    [
        (mg.float16, 2, True),
        (mg.float32, 4, True),
        (mg.float64, 8, True),
        (mg.int64, 8, False),
        (mg.uint8, 1, False),
        (mg.bool, 1, False),
    ],
)
def test_sizes_in_bytes_and_kind(dtype, size, floating, device):
    x = mg.zeros(2, 3, dtype=dtype, device=device)
    assert x.element_size() == x.itemsize == size
    assert x.nbytes == 6 * size
    assert x.is_floating_point() is floating
    assert x.is_complex() is False


# ---------------------------------------------------------------------- new_*
def test_new_functions_default_to_this_tensors_dtype_and_device(device):
    x = mg.zeros(1, dtype=mg.float64, device=device)
    made = {
        "new_zeros": x.new_zeros(2, 3),
        "new_ones": x.new_ones((2, 3)),
        "new_empty": x.new_empty(2, 3),
        "new_full": x.new_full((2, 3), 7),
        "new_tensor": x.new_tensor([[1, 2, 3], [4, 5, 6]]),
    }
    for name, t in made.items():
        assert (t.shape, t.dtype, t.device.type) == ((2, 3), mg.float64, device), name
        assert t.is_leaf and not t.requires_grad
    assert host(made["new_ones"]).tolist() == [[1.0] * 3] * 2
    assert host(made["new_full"]).tolist() == [[7.0] * 3] * 2
    assert host(made["new_tensor"]).tolist() == [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]


def test_new_functions_take_dtype_device_and_requires_grad():
    x = mg.zeros(1, dtype=mg.int64)
    y = x.new_zeros(2, dtype=mg.float32, device="cuda", requires_grad=True)
    assert (y.dtype, y.device.type, y.requires_grad) == (mg.float32, "cuda", True)
    z = x.new_tensor([1.5], dtype=mg.float16, requires_grad=True)
    assert (z.dtype, z.requires_grad) == (mg.float16, True)
    with pytest.raises(RuntimeError, match="floating point"):
        x.new_ones(2, requires_grad=True)


def test_new_tensor_copies(device):
    source = mg.tensor([1.0, 2.0], device=device, requires_grad=True)
    copy = source.new_tensor(source)
    assert copy.is_leaf and not copy.requires_grad
    with mg.no_grad():
        copy.add_(1.0)
    assert source.tolist() == [1.0, 2.0]


# ---------------------------------------------------------------------- moving and copying
def test_to_other_tensor_takes_its_dtype_and_device(device):
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    other = mg.zeros(1, dtype=mg.float64, device=device)
    y = x.to(other)
    assert (y.dtype, y.device.type) == (mg.float64, device)
    (y * 3).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0] and x.grad.dtype == mg.float32
    assert x.to(mg.zeros(1)) is x


def test_clone_accepts_memory_format_and_stays_in_the_graph(device):
    x = mg.tensor([1.0, 2.0], device=device, requires_grad=True)
    y = x.clone(memory_format=None)
    assert y.grad_fn is not None
    (y * y).sum().backward()
    assert host(x.grad).tolist() == [2.0, 4.0]
    with mg.no_grad():
        y.add_(1.0)
    assert host(x).tolist() == [1.0, 2.0]  # a copy, not a view


def test_cpu_cuda_and_numpy_force(device):
    x = mg.tensor([1.0, 2.0], device=device, requires_grad=True)
    assert x.cpu().device.type == "cpu" and x.cuda().device.type == "cuda"
    assert x.cuda(0).device == mg.device("cuda:0")
    assert x.cuda(memory_format=None, non_blocking=True).device.type == "cuda"
    with pytest.raises(RuntimeError, match="requires grad"):
        x.numpy()
    forced = x.numpy(force=True)
    assert isinstance(forced, np.ndarray) and forced.tolist() == [1.0, 2.0]
    plain = mg.zeros(2)
    assert np.shares_memory(plain.numpy(force=True), plain.numpy())


# ---------------------------------------------------------------------- finfo / iinfo
def test_finfo_matches_the_ieee_formats():
    f32 = mg.finfo(mg.float32)
    assert f32.eps == 2.0**-23 and f32.tiny == 2.0**-126 and f32.smallest_normal == 2.0**-126
    assert f32.max == (2 - 2.0**-23) * 2.0**127 and f32.min == -f32.max
    assert f32.bits == 32 and f32.dtype == "float32" and f32.resolution == 1e-6
    assert mg.finfo(mg.float64).eps == 2.0**-52
    assert mg.finfo(mg.float16).max == 65504.0
    assert isinstance(f32.eps, float)
    assert mg.finfo().eps == f32.eps  # the default float dtype
    x = mg.zeros(1, dtype=mg.float64)
    assert mg.finfo(x.dtype).eps == 2.0**-52
    assert "eps=1.19209e-07" in repr(f32)
    with pytest.raises(TypeError, match="floating point"):
        mg.finfo(mg.int32)


def test_iinfo():
    assert (mg.iinfo(mg.int64).min, mg.iinfo(mg.int64).max) == (-(2**63), 2**63 - 1)
    assert (mg.iinfo(mg.uint8).min, mg.iinfo(mg.uint8).max, mg.iinfo(mg.uint8).bits) == (0, 255, 8)
    assert mg.iinfo(mg.int32).dtype == "int32"
    with pytest.raises(TypeError, match="integer"):
        mg.iinfo(mg.float32)
    with pytest.raises(TypeError, match="integer"):
        mg.iinfo(mg.bool)


# ---------------------------------------------------------------------- Size
def test_size_is_a_tuple_of_ints():
    s = mg.Size([2, 3])
    assert s == (2, 3) and isinstance(s, tuple)
    assert repr(s) == "minigrad.Size([2, 3])"
    assert s.numel() == 6 and mg.Size().numel() == 1
    assert isinstance(s[1:], mg.Size) and s[0] == 2
    assert mg.Size([np.int64(4)]) == (4,)
    assert mg.zeros(mg.Size([2, 3])).shape == (2, 3)
    with pytest.raises(TypeError, match="iterable of 'int'"):
        mg.Size([2.5])


def test_size_slices_concatenations_and_repeats_are_sizes_as_torch():
    s = mg.Size([2, 3])
    for made, value in (
        (s[::-1], (3, 2)),
        (s + (4,), (2, 3, 4)),
        ((4,) + s, (4, 2, 3)),
        (s[:1] + s[1:], (2, 3)),
        (s * 2, (2, 3, 2, 3)),
        (2 * s, (2, 3, 2, 3)),
    ):
        assert type(made) is mg.Size and made == value
    with pytest.raises(TypeError, match="iterable of 'int'"):
        s + (2.5,)  # noqa: B018
    with pytest.raises(TypeError):
        s + [4]  # noqa: B018  (PyTorch: a Size concatenates with tuples only)
    with pytest.raises(TypeError):
        [4] + s  # noqa: B018


# ---------------------------------------------------------------------- where PyTorch code looks
def test_backends():
    assert mg.backends.mps.is_available() is False and mg.backends.mps.is_built() is False
    device = "mps" if mg.backends.mps.is_available() else "cpu"
    assert mg.zeros(1, device=device).device.type == "cpu"
    mg.backends.cudnn.benchmark = True  # accepted; changes nothing
    assert mg.backends.cudnn.enabled is True
    assert mg.backends.cudnn.is_available() is False and mg.backends.cudnn.version() is None
    mg.backends.cudnn.benchmark = False


def test_load_accepts_weights_only_and_mmap(tmp_path):
    path = tmp_path / "state.mg"
    mg.save({"w": mg.tensor([1.0, 2.0])}, path)
    for kwargs in ({"weights_only": True}, {"weights_only": False}, {"mmap": True}, {}):
        loaded = mg.load(path, map_location="cpu", **kwargs)
        assert loaded["w"].tolist() == [1.0, 2.0]
