"""minigrad.save / minigrad.load: exact round trips, devices, bad files, atomic writes."""

from __future__ import annotations

import io
import json
import math
import os
import pathlib
import pickle
import struct
from collections import OrderedDict
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad
from minigrad import backend, serialization
from minigrad.serialization import LoadError, load, save

# example counts come from the hypothesis profile in conftest.py (default 40)
FAST = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
TENSOR_DTYPES = [np.float16, np.float32, np.float64, np.int64, np.bool_]
ARRAY_DTYPES = [*TENSOR_DTYPES, np.int32, np.uint8, np.int8]


# ----------------------------------------------------------------------------- helpers


class TensorSpec:
    """A tensor to be made on the test's device (hypothesis cannot know the fixture)."""

    def __init__(self, array: np.ndarray, requires_grad: bool) -> None:
        self.array = array
        self.requires_grad = requires_grad

    def __repr__(self) -> str:
        return f"TensorSpec({self.array!r}, requires_grad={self.requires_grad})"


def materialize(obj: Any, device: str) -> Any:
    """Replace every TensorSpec in a nested structure by a tensor on ``device``."""
    if isinstance(obj, TensorSpec):
        t = minigrad.tensor(obj.array, dtype=obj.array.dtype, device=device)
        return t.requires_grad_() if obj.requires_grad else t
    if isinstance(obj, dict):
        return type(obj)((k, materialize(v, device)) for k, v in obj.items())
    if isinstance(obj, (list, tuple)):
        return type(obj)(materialize(v, device) for v in obj)
    return obj


def assert_same(a: Any, b: Any, where: str = "obj", device: str | None = None) -> None:
    """Exact structural equality: types, dict key types and order, dtypes, shapes, bits."""
    if isinstance(a, minigrad.Tensor):
        assert isinstance(b, minigrad.Tensor), where
        assert b.dtype == a.dtype and b.shape == a.shape, where
        assert b.requires_grad == a.requires_grad, where
        assert b.is_leaf, where
        assert str(b.device) == str(device if device is not None else a.device), where
        np.testing.assert_array_equal(backend.to_host(b._array), backend.to_host(a._array), where)
        return
    assert type(b) is type(a), f"{where}: {type(a).__name__} became {type(b).__name__}"
    if isinstance(a, np.ndarray):
        assert b.dtype == a.dtype and b.shape == a.shape, where
        np.testing.assert_array_equal(b, a, where)
    elif isinstance(a, (np.generic, float)):
        assert np.asarray(b).tobytes() == np.asarray(a).tobytes(), where  # bit-exact, NaN too
    elif isinstance(a, dict):
        assert [(type(k), k) for k in b] == [(type(k), k) for k in a], where
        for k in a:
            assert_same(a[k], b[k], f"{where}[{k!r}]", device)
    elif isinstance(a, (list, tuple)):
        assert len(b) == len(a), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same(x, y, f"{where}[{i}]", device)
    else:
        assert b == a, where


def arrays(dtypes: list[Any]) -> st.SearchStrategy[np.ndarray]:
    """Arrays of the given dtypes; shapes include 0-d and size 0; any values (NaN, inf)."""
    return st.sampled_from(dtypes).flatmap(
        lambda dt: hnp.arrays(
            np.dtype(dt), hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4)
        )
    )


tensor_specs = arrays(TENSOR_DTYPES).flatmap(
    lambda a: st.builds(
        TensorSpec, st.just(a), st.booleans() if a.dtype.kind == "f" else st.just(False)
    )
)
leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    arrays(ARRAY_DTYPES),
    arrays(ARRAY_DTYPES).filter(lambda a: a.size > 0).map(lambda a: a.reshape(-1)[0]),
    tensor_specs,
)
keys = st.one_of(st.text(max_size=6), st.integers(-5, 1000))
structures = st.recursive(
    leaves,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.lists(children, max_size=4).map(tuple),
        st.dictionaries(keys, children, max_size=4),
    ),
    max_leaves=12,
)


# ----------------------------------------------------------------------------- round trips


@FAST
@given(obj=structures)
def test_generated_structures_round_trip_exactly(tmp_path, device, obj):
    obj = materialize(obj, device)
    path = tmp_path / "state.npz"
    save(obj, path)
    assert_same(obj, load(path))
    assert_same(obj, load(str(path), map_location="cpu"), device="cpu")


@FAST
@given(specs=st.lists(tensor_specs, min_size=1, max_size=4))
def test_generated_tensors_round_trip_with_map_location(tmp_path, device, specs):
    tensors = materialize(specs, device)
    path = tmp_path / "tensors.npz"
    save(tensors, path)
    assert_same(tensors, load(path))
    assert_same(tensors, load(path, map_location="cpu"), device="cpu")
    assert_same(tensors, load(path, map_location={"cpu": "cuda"}), device="cuda:0")


def test_optimizer_state_dict_keeps_int_keys_and_tuples(tmp_path, device):
    p0 = minigrad.tensor(np.arange(6, dtype=np.float32).reshape(2, 3), device=device)
    state = {
        "state": {
            0: {"step": 3, "exp_avg": p0 * 0.5, "exp_avg_sq": p0 * p0},
            1: {"step": 3, "exp_avg": minigrad.tensor(np.float32(2.0), device=device)},
        },
        "param_groups": [
            {
                "lr": 0.1,
                "betas": (0.9, 0.999),
                "eps": 1e-8,
                "weight_decay": 0,
                "amsgrad": False,
                "foreach": None,
                "params": [0, 1],
            }
        ],
    }
    save(state, tmp_path / "optim.npz")
    loaded = load(tmp_path / "optim.npz")
    assert list(loaded["state"]) == [0, 1]
    assert loaded["param_groups"][0]["betas"] == (0.9, 0.999)
    assert_same(state, loaded)


def test_tensor_details_survive(tmp_path, device):
    cases = [
        minigrad.tensor(np.array(3.5, dtype=np.float64), dtype=np.float64, device=device),
        minigrad.tensor(np.zeros((0, 3), dtype=np.float32), device=device),
        minigrad.tensor(
            np.array([1.0, -0.0, np.inf, np.nan], dtype=np.float16), dtype=np.float16, device=device
        ),
        minigrad.tensor(np.array([[True, False]]), device=device),
        minigrad.tensor(np.array([2**62, -1], dtype=np.int64), device=device),
        minigrad.tensor(np.ones((2, 2), dtype=np.float32), device=device).requires_grad_(),
    ]
    save(cases, tmp_path / "t.npz")
    loaded = load(tmp_path / "t.npz")
    assert_same(cases, loaded)
    assert loaded[0].shape == () and loaded[1].shape == (0, 3)
    assert loaded[5].requires_grad and loaded[5].grad is None


def test_non_leaf_tensor_is_saved_as_a_leaf_with_its_flag(tmp_path):
    w = minigrad.tensor([1.0, 2.0], requires_grad=True)
    y = w * 3.0
    y.sum().backward()
    save({"w": w, "y": y}, tmp_path / "g.npz")
    loaded = load(tmp_path / "g.npz")
    assert loaded["w"].grad is None and loaded["w"].is_leaf and loaded["w"].requires_grad
    assert loaded["y"].is_leaf and loaded["y"].requires_grad
    np.testing.assert_array_equal(loaded["y"].detach().numpy(), [3.0, 6.0])


def test_plain_values_ordered_dict_numpy_scalars_and_path_types(tmp_path):
    obj = OrderedDict(
        [
            ("b", 1),
            ("a", [np.float32(1.5), np.int64(-3), np.bool_(True), np.float64(0.1)]),
            (None, {2.5: "x", True: "t", 7: ()}),
            ("big", 2**100),
            ("nan", float("nan")),
        ]
    )
    save(obj, str(tmp_path / "o.bin"))  # any extension; str path
    loaded = load(pathlib.Path(tmp_path / "o.bin"))
    assert type(loaded) is OrderedDict
    assert_same(obj, loaded)
    assert math.isnan(loaded["nan"])
    assert os.listdir(tmp_path) == ["o.bin"]  # no ".npz" appended, no temp file left


def test_file_objects(tmp_path):
    buffer = io.BytesIO()
    save({"x": minigrad.tensor([1.0, 2.0]), "n": 3}, buffer)
    buffer.seek(0)
    loaded = load(buffer)
    assert loaded["n"] == 3
    np.testing.assert_array_equal(loaded["x"].numpy(), np.array([1.0, 2.0], dtype=np.float32))
    with open(tmp_path / "f.npz", "wb") as f:
        save([1, 2], f)
    with open(tmp_path / "f.npz", "rb") as f:
        assert load(f) == [1, 2]


def test_file_is_an_ordinary_npz(tmp_path):
    save({"w": minigrad.tensor([[1.0, 2.0]]), "step": 4}, tmp_path / "m.npz")
    with np.load(tmp_path / "m.npz", allow_pickle=False) as npz:
        assert "__structure__.json" in npz.files
        header = json.loads(npz["__structure__.json"].tobytes().decode())
        arrays_ = {name: npz[name] for name in npz.files if name != "__structure__.json"}
    assert header["format"] == "minigrad" and header["version"] == 1
    (name,) = arrays_
    np.testing.assert_array_equal(arrays_[name], np.array([[1.0, 2.0]], dtype=np.float32))


# ----------------------------------------------------------------------------- devices


def test_map_location(tmp_path, device):
    t = minigrad.tensor(np.arange(4, dtype=np.float32), device=device).requires_grad_()
    save({"t": t}, tmp_path / "d.npz")
    assert str(load(tmp_path / "d.npz")["t"].device) == str(t.device)
    assert str(load(tmp_path / "d.npz", map_location="cpu")["t"].device) == "cpu"
    assert str(load(tmp_path / "d.npz", map_location=device)["t"].device) == str(t.device)
    mapped = load(tmp_path / "d.npz", map_location={"cuda:0": "cpu"})["t"]
    assert str(mapped.device) == "cpu"
    back = load(tmp_path / "d.npz", map_location={"cpu": "cuda"})["t"]
    assert str(back.device) == "cuda:0"
    assert back.requires_grad and back.dtype == np.float32
    np.testing.assert_array_equal(backend.to_host(back._array), np.arange(4, dtype=np.float32))
    with pytest.raises((TypeError, ValueError), match="map_location|device"):
        load(tmp_path / "d.npz", map_location=3)
    with pytest.raises(ValueError, match="unknown device"):
        load(tmp_path / "d.npz", map_location="tpu")


def test_raw_device_arrays_round_trip(tmp_path):
    host = np.arange(6, dtype=np.int32).reshape(2, 3)
    dev = backend.get_backend("cuda").from_host(host, backend.as_device("cuda"))
    save({"host": host, "dev": dev}, tmp_path / "a.npz")
    loaded = load(tmp_path / "a.npz")
    assert isinstance(loaded["host"], np.ndarray)
    assert type(loaded["dev"]) is type(dev)
    np.testing.assert_array_equal(backend.to_host(loaded["dev"]), host)
    assert isinstance(load(tmp_path / "a.npz", map_location="cpu")["dev"], np.ndarray)


def test_map_location_moves_tensors_but_leaves_numpy_arrays_on_the_host(tmp_path):
    """As torch.load: a loss history saved as a NumPy array must not become a CuPy array."""
    save({"w": minigrad.ones(2), "history": np.arange(3.0)}, tmp_path / "ckpt.npz")
    for where in ("cuda", {"cpu": "cuda"}):
        loaded = load(tmp_path / "ckpt.npz", map_location=where)
        assert str(loaded["w"].device) == "cuda:0"
        assert isinstance(loaded["history"], np.ndarray)
        np.testing.assert_array_equal(loaded["history"], [0.0, 1.0, 2.0])


def test_unavailable_device_suggests_map_location_cpu(tmp_path, monkeypatch):
    save({"t": minigrad.tensor([1.0], device="cuda")}, tmp_path / "gpu.npz")
    real_get_backend = backend.get_backend

    def no_cuda(device):
        if backend.as_device(device).type == "cuda":
            raise RuntimeError("device cuda:0 is not available (no GPU in this test)")
        return real_get_backend(device)

    monkeypatch.setattr(backend, "get_backend", no_cuda)
    with pytest.raises(RuntimeError, match=r"gpu\.npz.*map_location='cpu'"):
        load(tmp_path / "gpu.npz")
    assert str(load(tmp_path / "gpu.npz", map_location="cpu")["t"].device) == "cpu"


# ----------------------------------------------------------------------------- bad files


@pytest.fixture
def good_file(tmp_path) -> pathlib.Path:
    path = tmp_path / "good.npz"
    save({"w": minigrad.tensor(np.ones((8, 8), dtype=np.float32)), "step": 1, "name": "x"}, path)
    return path


def test_missing_file_raises_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.npz"):
        load(tmp_path / "nope.npz")


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "empty file"),
        (os.urandom(256), "not a zip"),
        (b"PK\x03\x04" + os.urandom(200), "corrupt or truncated"),
        (pickle.dumps({"w": [1, 2, 3]}), "not a zip"),
    ],
    ids=["empty", "random", "fake-zip-header", "pickle"],
)
def test_foreign_bytes_are_refused(tmp_path, content, message):
    path = tmp_path / "bad.npz"
    path.write_bytes(content)
    with pytest.raises(LoadError, match=message) as info:
        load(path)
    assert "bad.npz" in str(info.value)
    assert isinstance(info.value, ValueError)


def test_plain_npz_and_npy_are_refused(tmp_path):
    np.savez(tmp_path / "plain.npz", w=np.ones(3), b=np.zeros(2))
    with pytest.raises(LoadError, match=r"plain\.npz.*__structure__\.json.*(w, b|b, w)"):
        load(tmp_path / "plain.npz")
    np.save(tmp_path / "single.npy", np.ones(3))
    with pytest.raises(LoadError, match=r"single\.npy.*not a minigrad save file"):
        load(tmp_path / "single.npy")


def test_truncated_copies_are_refused(tmp_path, good_file):
    data = good_file.read_bytes()
    for cut in [10, 64, len(data) // 3, len(data) // 2, len(data) - 30, len(data) - 1]:
        path = tmp_path / f"cut{cut}.npz"
        path.write_bytes(data[:cut])
        with pytest.raises(LoadError, match=f"cut{cut}.npz"):
            load(path)


def test_corrupt_structure_is_refused(tmp_path):
    def write(name: str, structure: Any, **arrays_: np.ndarray) -> pathlib.Path:
        text = structure if isinstance(structure, str) else json.dumps(structure)
        path = tmp_path / name
        np.savez(path, **{"__structure__.json": np.frombuffer(text.encode(), np.uint8)}, **arrays_)
        return path

    root_t = {
        "t": "tensor",
        "array": "a0",
        "dtype": "<f4",
        "shape": [2],
        "device": "cpu",
        "requires_grad": False,
    }
    cases = {
        "notjson.npz": ("{not json", {}),
        "foreign.npz": ({"format": "other", "root": {"t": "none"}}, {}),
        "newer.npz": ({"format": "minigrad", "version": 99, "root": {"t": "none"}}, {}),
        "badnode.npz": ({"format": "minigrad", "version": 1, "root": {"t": "lambda"}}, {}),
        "noarray.npz": ({"format": "minigrad", "version": 1, "root": root_t}, {}),
        "wrongdtype.npz": (
            {"format": "minigrad", "version": 1, "root": root_t},
            {"a0": np.zeros(2, np.float64)},
        ),
        "wrongshape.npz": (
            {"format": "minigrad", "version": 1, "root": root_t},
            {"a0": np.zeros(3, np.float32)},
        ),
        "badint.npz": ({"format": "minigrad", "version": 1, "root": {"t": "int", "v": "3"}}, {}),
    }
    for name, (structure, arrays_) in cases.items():
        path = write(name, structure, **arrays_)
        with pytest.raises(LoadError, match=name.replace(".", r"\.")):
            load(path)


def test_pickled_object_arrays_are_refused_and_never_run(tmp_path):
    marker = tmp_path / "pwned"

    class Exploit:
        def __reduce__(self):
            return (pathlib.Path.touch, (marker,))

    payload = np.empty(1, dtype=object)
    payload[0] = Exploit()
    structure = {
        "format": "minigrad",
        "version": 1,
        "root": {"t": "ndarray", "array": "a0", "dtype": "|O", "shape": [1], "device": "cpu"},
    }
    text = json.dumps(structure).encode()
    path = tmp_path / "evil.npz"
    np.savez(
        path, allow_pickle=True, a0=payload, **{"__structure__.json": np.frombuffer(text, np.uint8)}
    )
    with pytest.raises(LoadError, match=r"evil\.npz.*pickle"):
        load(path)
    assert not marker.exists()


# ---------------------------------------------------------------- saving errors, atomicity


def test_unpicklable_objects_name_their_key_path(tmp_path, good_file):
    before = good_file.read_bytes()
    with pytest.raises(TypeError, match=r"obj\['layers'\]\[2\].*function.*pickle"):
        save({"layers": [1, 2, lambda x: x]}, good_file)
    with pytest.raises(TypeError, match=r"dict key \(1, 2\)"):
        save({(1, 2): 3}, good_file)
    with pytest.raises(TypeError, match=r"obj\[0\].*dtype object"):
        save([np.array([None, 1], dtype=object)], good_file)
    cycle: list[Any] = [1]
    cycle.append(cycle)
    with pytest.raises(TypeError, match="contains itself"):
        save(cycle, good_file)
    assert good_file.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["good.npz"]


# ---------------------------------------------------------------- whole objects, pickled


class Net(minigrad.nn.Module):
    """A module with tied weights, a buffer, a plain tensor attribute and a Python attribute."""

    def __init__(self) -> None:
        super().__init__()
        self.embed = minigrad.nn.Embedding(5, 3)
        self.out = minigrad.nn.Linear(3, 5)
        self.out.weight = self.embed.weight  # tied, as the word language model does
        self.norm = minigrad.nn.BatchNorm1d(3)
        self.scale = minigrad.tensor([2.0, 3.0])
        self.note = {"epochs": 3, "tags": {"a", "b"}}

    def forward(self, x: Any) -> Any:
        return self.out(self.norm(self.embed(x)))


def test_a_whole_module_round_trips_with_weights_only_false(tmp_path, device):
    net = Net().to(device)
    net.out.bias.grad = minigrad.ones(5, device=device)
    save({"model": net, "epoch": 7, "tokens": {"x", "y"}, "raw": b"\x00\x01"}, tmp_path / "m.pt")
    loaded = load(tmp_path / "m.pt", weights_only=False)
    assert loaded["epoch"] == 7 and loaded["tokens"] == {"x", "y"} and loaded["raw"] == b"\x00\x01"
    model = loaded["model"]
    assert type(model) is Net and model.note == {"epochs": 3, "tags": {"a", "b"}}
    assert model.out.weight is model.embed.weight  # still tied
    assert type(model.out.bias) is minigrad.nn.Parameter and model.out.bias.requires_grad
    np.testing.assert_array_equal(model.out.bias.grad.cpu().numpy(), np.ones(5))
    assert model.scale.device == net.scale.device
    for (name, a), (_, b) in zip(net.state_dict().items(), model.state_dict().items(), strict=True):
        np.testing.assert_array_equal(a.cpu().numpy(), b.cpu().numpy(), err_msg=name)
    x = minigrad.tensor([[0, 1, 4]], device=device).reshape(3)
    net.eval(), model.eval()
    np.testing.assert_array_equal(net(x).detach().cpu().numpy(), model(x).detach().cpu().numpy())
    moved = load(tmp_path / "m.pt", map_location="cpu", weights_only=False)["model"]
    assert moved.embed.weight.device.type == "cpu" and moved.scale.device.type == "cpu"


def test_pickled_objects_are_refused_by_default_and_never_run(tmp_path):
    marker = tmp_path / "pwned"
    save({"w": minigrad.ones(2), "exploit": _Exploit(marker)}, tmp_path / "evil.pt")
    for weights_only in (None, True):
        with pytest.raises(pickle.UnpicklingError, match=r"evil\.pt.*_Exploit.*weights_only=False"):
            load(tmp_path / "evil.pt", weights_only=weights_only)
    assert not marker.exists()
    load(tmp_path / "evil.pt", weights_only=False)  # the caller trusts the file: it runs
    assert marker.exists()


class _Exploit:
    def __init__(self, marker: pathlib.Path) -> None:
        self.marker = marker

    def __reduce__(self) -> Any:
        return (pathlib.Path.touch, (self.marker,))


def test_a_corrupt_pickle_is_refused(tmp_path):
    save({1, 2, 3}, tmp_path / "s.pt")
    with np.load(tmp_path / "s.pt", allow_pickle=False) as npz:
        arrays = {name: npz[name] for name in npz.files}
    arrays["a0"] = arrays["a0"][: len(arrays["a0"]) // 2]
    structure = json.loads(arrays["__structure__.json"].tobytes())
    structure["root"]["shape"] = list(arrays["a0"].shape)
    arrays["__structure__.json"] = np.frombuffer(json.dumps(structure).encode(), np.uint8)
    with open(tmp_path / "s.pt", "wb") as file:
        np.savez(file, **arrays)
    with pytest.raises(LoadError, match="bad pickled object"):
        load(tmp_path / "s.pt", weights_only=False)


def test_saving_into_a_missing_folder_names_the_target_not_a_temp_file(tmp_path):
    target = tmp_path / "no-such-folder" / "ckpt.npz"
    with pytest.raises(FileNotFoundError) as info:
        save({"w": minigrad.ones(2)}, target)
    assert info.value.filename == str(target)
    assert ".tmp" not in str(info.value) and "ckpt.npz" in str(info.value)
    assert os.listdir(tmp_path) == []


def test_crash_mid_write_keeps_the_old_file(tmp_path, good_file, monkeypatch):
    before = good_file.read_bytes()

    def crash(file, entries):
        file.write(b"PK\x03\x04 partial data")
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(serialization, "_write_npz", crash)
    with pytest.raises(OSError, match="disk full"):
        save({"w": minigrad.tensor(np.zeros(3))}, good_file)
    assert good_file.read_bytes() == before
    assert os.listdir(tmp_path) == ["good.npz"]
    assert load(good_file)["step"] == 1


def test_crash_at_rename_and_interrupt_leave_no_temp_file(tmp_path, good_file, monkeypatch):
    before = good_file.read_bytes()

    def interrupted(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(serialization.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        save({"w": 1}, good_file)
    monkeypatch.undo()
    assert good_file.read_bytes() == before
    assert os.listdir(tmp_path) == ["good.npz"]
    save({"w": 2}, good_file)  # a normal save then replaces it
    assert load(good_file) == {"w": 2}
    assert os.listdir(tmp_path) == ["good.npz"]


# ------------------------------------------------------- temporaries of killed saves

_SLOW_WRITER = """
import sys, time
from minigrad import serialization

def stuck(file, entries):
    file.write(b"PK\\x03\\x04" + bytes(1 << 16))  # part of the archive, then hang
    file.flush()
    print("writing", flush=True)
    time.sleep(60)

serialization._write_npz = stuck
serialization.save({"w": [1.0, 2.0]}, sys.argv[1])
"""


def _start_stuck_save(target: pathlib.Path) -> Any:
    """A real process that is in the middle of saving to ``target`` (its temp file exists)."""
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.Popen(
        [sys.executable, "-c", _SLOW_WRITER, str(target)],
        stdout=subprocess.PIPE,
        env=env,
        text=True,
    )
    assert proc.stdout is not None and proc.stdout.readline() == "writing\n"
    return proc


def _temporaries(folder: pathlib.Path) -> list[str]:
    return sorted(name for name in os.listdir(folder) if name.endswith(".tmp"))


def test_save_removes_the_temporary_file_of_a_killed_save(tmp_path, good_file):
    before = good_file.read_bytes()
    proc = _start_stuck_save(good_file)
    (orphan,) = _temporaries(tmp_path)
    assert f".{proc.pid}." in orphan  # the temp file names its writer
    proc.kill()
    proc.wait()
    assert good_file.read_bytes() == before  # the killed save never damaged the target
    assert _temporaries(tmp_path) == [orphan]  # ... but left its temporary behind
    save({"other": 1}, tmp_path / "other.npz")  # the next save into that folder cleans up
    assert _temporaries(tmp_path) == []
    assert sorted(os.listdir(tmp_path)) == ["good.npz", "other.npz"]
    assert load(good_file)["step"] == 1


def test_save_keeps_the_temporary_file_of_a_live_concurrent_save(tmp_path, good_file):
    proc = _start_stuck_save(good_file)
    try:
        (live,) = _temporaries(tmp_path)
        save({"other": 1}, tmp_path / "other.npz")
        assert _temporaries(tmp_path) == [live]
    finally:
        proc.kill()
        proc.wait()


def test_cleanup_leaves_files_it_did_not_write(tmp_path):
    import subprocess
    import sys

    dead = subprocess.Popen([sys.executable, "-c", ""])
    dead.wait()
    other_host = "0" * 8 if serialization._host_tag() != "0" * 8 else "1" * 8
    foreign = [
        ".notes.txt.tmp",
        ".x.npz.1.abc.tmp",
        "a.tmp",
        ".x.npz.zzzzzzzz.1.0123456789ab.tmp",
        f".x.npz.{other_host}.{dead.pid}.0123456789ab.tmp",  # another machine's writer
    ]
    for name in foreign:
        (tmp_path / name).write_bytes(b"keep")
    save(1, tmp_path / "x.npz")
    assert sorted(os.listdir(tmp_path)) == sorted([*foreign, "x.npz"])


def test_archive_holds_only_the_structure_and_the_arrays(tmp_path):
    # NumPy < 2 stored savez(..., allow_pickle=False) as an extra "allow_pickle" entry.
    save({"w": minigrad.tensor([1.0]), "b": np.zeros(2)}, tmp_path / "m.npz")
    with np.load(tmp_path / "m.npz", allow_pickle=False) as npz:
        assert sorted(npz.files) == ["__structure__.json", "a0", "a1"]


def test_nan_floats_keep_their_sign_and_payload(tmp_path):
    # repr() writes every NaN as 'nan'; the bits are saved beside it.
    payload = struct.unpack("<d", struct.pack("<Q", 0x7FF8000000000001))[0]
    negative = struct.unpack("<d", struct.pack("<Q", 0xFFF8000000000000))[0]
    save([payload, negative, float("nan"), 1.5], tmp_path / "nan.npz")
    loaded = load(tmp_path / "nan.npz")
    bits = [struct.pack("<d", value) for value in loaded]
    assert bits == [struct.pack("<d", v) for v in (payload, negative, float("nan"), 1.5)]


def test_corrupt_nan_bits_are_refused(tmp_path):
    root = {"t": "float", "v": "nan", "bits": "zz"}
    structure = {"format": "minigrad", "version": 1, "root": root}
    text = json.dumps(structure).encode()
    np.savez(tmp_path / "bad.npz", **{"__structure__.json": np.frombuffer(text, np.uint8)})
    with pytest.raises(LoadError, match="bad float value"):
        load(tmp_path / "bad.npz")
