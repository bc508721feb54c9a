"""Saving and loading tensors and state dicts: :func:`save` and :func:`load`.

The file format is a NumPy ``.npz`` archive (a zip of ``.npy`` files) that any NumPy
can read:

- one entry per array, named ``a0``, ``a1``, ... (host copies of the tensors' data);
- one entry ``__structure__.json``: a ``uint8`` array holding UTF-8 JSON that
  describes the saved object: ``{"format": "minigrad", "version": 1, "root": node}``.

A node is a JSON object with a type tag ``"t"``:

========== ===========================================================================
``t``      other fields
========== ===========================================================================
none       (Python ``None``)
bool       ``v``: true / false
int        ``v``: the integer
float      ``v``: ``repr`` of the float (exact; also ``'nan'``, ``'inf'``, ``'-0.0'``);
           a NaN also has ``bits``: its 64 bits in hex (sign and payload, which
           ``repr`` drops)
str        ``v``: the string
list       ``items``: list of nodes
tuple      ``items``: list of nodes
dict       ``items``: list of ``[key node, value node]`` pairs (keys keep their type,
           so the int keys of an optimizer state dict come back as ints), ``ordered``
tensor     ``array`` (entry name), ``dtype``, ``shape``, ``device`` (``'cpu'``,
           ``'cuda:0'``), ``requires_grad``
ndarray    ``array``, ``dtype``, ``shape``, ``device`` (NumPy arrays are ``'cpu'`` and
           come back as NumPy arrays; CuPy arrays come back as CuPy arrays on
           their device, or where ``map_location`` sends them)
scalar     ``array``, ``dtype`` (a NumPy scalar such as ``np.float32(1.5)``)
pickle     ``array`` (a ``uint8`` entry holding the pickle), ``type`` (the object's
           class), ``tensors`` (tensor nodes: the pickle refers to the plain tensors
           inside the object by their position here, as persistent ids)
========== ===========================================================================

Loading uses ``np.load(..., allow_pickle=False)`` and ``json``: reading a file never
executes code, whoever wrote it, unless the caller passes ``weights_only=False``
to unpickle ``pickle`` nodes (whole modules and other objects, as ``torch.load``).

Saving writes a temporary file next to the target and renames it over the target
(:func:`os.replace`), so an interrupted save leaves any previous file intact. The
temporary file's name records the writer (its host and process id:
``.NAME.HOST.PID.RANDOM.tmp``); a save that is killed cannot remove its temporary file,
so the next save into that folder removes the temporaries whose writer process on this
host is gone, and never one whose writer is still running.

Gradients (``.grad``) and the autograd graph are not saved, as in PyTorch state dicts.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import os
import pickle
import re
import secrets
import socket
import struct
import sys
from collections import OrderedDict
from collections.abc import Mapping
from typing import IO, Any, cast

import numpy as np

from minigrad import backend as _backend
from minigrad.creation import tensor as _make_tensor
from minigrad.tensor import Tensor

__all__ = ["LoadError", "load", "save"]

FORMAT = "minigrad"
VERSION = 1
STRUCTURE_ENTRY = "__structure__.json"

PathLike = str | os.PathLike
MapLocation = str | _backend.Device | Mapping[str, str] | None

_SUPPORTED = (
    "Tensors, NumPy (or CuPy) arrays and scalars, None, bool, int, float, str, "
    "and lists, tuples and dicts (with str, int, float, bool or None keys) of these"
)


class LoadError(ValueError):
    """A file could not be loaded: not a minigrad save file, corrupt or truncated."""


# ----------------------------------------------------------------------------- save


def _host_and_device(array: Any) -> tuple[np.ndarray, str] | None:
    """(host copy, device string) of a backend array, or None if ``array`` is not one."""
    if isinstance(array, np.ndarray):
        return array, "cpu"
    try:
        be = _backend.backend_of(array)
    except TypeError:
        be = None
    if be is not None:
        return np.asarray(be.to_host(array)), str(be.device_of(array))
    module = type(array).__module__.split(".")[0]
    if module == "cupy" and callable(getattr(array, "get", None)):
        return np.asarray(array.get()), f"cuda:{array.device.id}"
    return None


def _float_node(value: float) -> dict[str, Any]:
    """A float's node: its exact ``repr``, and for a NaN also its bits (``repr`` is 'nan')."""
    node: dict[str, Any] = {"t": "float", "v": repr(value)}
    if math.isnan(value):
        node["bits"] = struct.pack(">d", value).hex()
    return node


def _float_from_node(node: Mapping[str, Any]) -> float:
    """The float a node describes (``bits`` first, when present); ValueError if malformed."""
    bits = node.get("bits")
    if bits is not None:
        if not isinstance(bits, str) or len(bits) != 16:
            raise ValueError(f"bad float bits {bits!r:.80}")
        return float(struct.unpack(">d", bytes.fromhex(bits))[0])
    return float(node["v"])


def _key_repr(key: Any) -> str:
    return f"[{key!r}]"


class _Encoder:
    """Turns a Python object into (JSON node tree, {entry name: host array})."""

    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}
        self._active: set[int] = set()

    def _add_array(self, host: np.ndarray, where: str) -> str:
        if host.dtype.hasobject:
            raise TypeError(
                f"cannot save {where}: arrays of dtype object are not supported "
                "(they would need pickle); convert them to a numeric dtype"
            )
        name = f"a{len(self.arrays)}"
        self.arrays[name] = np.asarray(host)
        return name

    def encode(self, obj: Any, where: str) -> dict[str, Any]:
        if obj is None:
            return {"t": "none"}
        if isinstance(obj, np.generic):  # before float: np.float64 is a float subclass
            host = np.asarray(obj)
            return {"t": "scalar", "array": self._add_array(host, where), "dtype": host.dtype.str}
        if isinstance(obj, bool):
            return {"t": "bool", "v": obj}
        if isinstance(obj, int):
            return {"t": "int", "v": int(obj)}
        if isinstance(obj, float):
            return _float_node(float(obj))
        if isinstance(obj, str):
            return {"t": "str", "v": str(obj)}
        if isinstance(obj, Tensor):
            host, _ = self._host(_backend.array_of(obj), where)
            return {
                "t": "tensor",
                "array": self._add_array(host, where),
                "dtype": host.dtype.str,
                "shape": list(host.shape),
                "device": str(obj.device),
                "requires_grad": bool(obj.requires_grad),
            }
        converted = _host_and_device(obj)
        if converted is not None:
            host, device = converted
            return {
                "t": "ndarray",
                "array": self._add_array(host, where),
                "dtype": host.dtype.str,
                "shape": list(host.shape),
                "device": device,
            }
        if isinstance(obj, (list, tuple, dict)):
            if id(obj) in self._active:
                raise TypeError(f"cannot save {where}: it contains itself (a reference cycle)")
            self._active.add(id(obj))
            try:
                if isinstance(obj, dict):
                    items = []
                    for key, value in obj.items():
                        if not isinstance(key, (str, int, float)) and key is not None:
                            raise TypeError(
                                f"cannot save {where}: dict key {key!r} of type "
                                f"{type(key).__name__} is not supported; keys must be str, "
                                "int, float, bool or None"
                            )
                        sub = where + _key_repr(key)
                        items.append([self.encode(key, sub), self.encode(value, sub)])
                    return {"t": "dict", "items": items, "ordered": isinstance(obj, OrderedDict)}
                kind = "tuple" if isinstance(obj, tuple) else "list"
                return {
                    "t": kind,
                    "items": [self.encode(v, f"{where}[{i}]") for i, v in enumerate(obj)],
                }
            finally:
                self._active.discard(id(obj))
        return self._pickled(obj, where)

    def _pickled(self, obj: Any, where: str) -> dict[str, Any]:
        """Any other object (a whole ``nn.Module``, a set, ...) as ``torch.save`` keeps it:
        pickled, with every plain tensor inside it stored as an array entry of its own."""
        tensors: list[dict[str, Any]] = []
        ids: dict[int, int] = {}  # a tensor met twice is stored once (and shared on loading)
        encoder = self

        class Pickler(pickle.Pickler):
            def persistent_id(self, value: Any) -> int | None:
                if type(value) is not Tensor:  # (a Parameter pickles through its data)
                    return None
                if id(value) not in ids:
                    ids[id(value)] = len(tensors)
                    tensors.append(encoder.encode(value, f"{where} (tensor {len(tensors)})"))
                return ids[id(value)]

        buffer = io.BytesIO()
        try:
            Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(obj)
        except (pickle.PicklingError, TypeError, AttributeError) as exc:
            raise TypeError(
                f"cannot save {where}: {type(obj).__name__} objects cannot be pickled ({exc}); "
                f"minigrad.save stores {_SUPPORTED} directly, and other objects by pickle"
            ) from None
        pickled = np.frombuffer(buffer.getvalue(), dtype=np.uint8)
        return {
            "t": "pickle",
            "array": self._add_array(pickled, where),
            "dtype": pickled.dtype.str,
            "shape": list(pickled.shape),
            "type": f"{type(obj).__module__}.{type(obj).__qualname__}",
            "tensors": tensors,
        }

    @staticmethod
    def _host(data: Any, where: str) -> tuple[np.ndarray, str]:
        converted = _host_and_device(data)
        if converted is None:
            raise TypeError(f"cannot save {where}: tensor data of type {type(data).__name__}")
        return converted


def _structure_array(root: dict[str, Any]) -> np.ndarray:
    text = json.dumps({"format": FORMAT, "version": VERSION, "root": root}, allow_nan=False)
    return np.frombuffer(text.encode("utf-8"), dtype=np.uint8)


def _write_npz(file: IO[bytes], entries: dict[str, np.ndarray]) -> None:
    """Write the archive (uncompressed ``.npz``) to an open binary file.

    No ``allow_pickle`` argument: NumPy < 2.0 would store it as an array entry of
    that name (the encoder already refuses object arrays, so nothing is pickled).
    """
    np.savez(file, **cast(dict[str, Any], entries))  # (stubs mistake names for allow_pickle)


# ------------------------------------------------------------------- temporary files

#: ``.NAME.HOST.PID.RANDOM.tmp``: the temporary file a save writes before renaming it.
_TEMP_NAME = re.compile(r"^\..+\.(?P<host>[0-9a-f]{8})\.(?P<pid>\d+)\.[0-9a-f]{12}\.tmp$")


def _host_tag() -> str:
    """A short, file-name-safe tag of this machine's host name."""
    return hashlib.sha1(socket.gethostname().encode("utf-8")).hexdigest()[:8]


def _temp_path(directory: str, base: str) -> str:
    """A fresh temporary file name beside ``base`` that names this host and process."""
    name = f".{base}.{_host_tag()}.{os.getpid()}.{secrets.token_hex(6)}.tmp"
    return os.path.join(directory, name)


def _process_is_alive(pid: int) -> bool:
    """Whether process ``pid`` exists on this machine (in doubt: True, so nothing is removed)."""
    if pid == os.getpid():
        return True
    if sys.platform == "win32":  # os.kill(pid, 0) would terminate the process on Windows
        return _windows_process_is_alive(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # PermissionError: it exists but belongs to someone else
        return True
    return True


def _windows_process_is_alive(pid: int) -> bool:
    import ctypes

    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
    process_query_limited_information, still_active, access_denied = 0x1000, 259, 5
    handle = kernel32.OpenProcess(process_query_limited_information, False, pid)
    if not handle:
        return bool(kernel32.GetLastError() == access_denied)  # denied: it exists
    try:
        code = ctypes.c_ulong()
        if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
            return True
        return code.value == still_active
    finally:
        kernel32.CloseHandle(handle)


def _remove_orphaned_temporaries(directory: str) -> None:
    """Remove the temporary files in ``directory`` left by saves whose process has died.

    Only files named as :func:`_temp_path` names them, written on this host by a
    process that no longer exists, are removed; a concurrent writer's file is kept.
    Failures (a file already gone, no permission) are ignored: cleaning up is a courtesy.
    """
    try:
        names = os.listdir(directory)
    except OSError:
        return
    host = _host_tag()
    for name in names:
        match = _TEMP_NAME.match(name)
        if match is None or match["host"] != host or _process_is_alive(int(match["pid"])):
            continue
        try:
            os.unlink(os.path.join(directory, name))
        except OSError:
            pass


def save(obj: Any, path: PathLike | IO[bytes]) -> None:
    """Save a tensor, a state dict or a nested structure of them to ``path``.

    ``obj`` may be a Tensor, a NumPy/CuPy array or scalar, ``None``, a bool, int,
    float or str, or lists, tuples and dicts of these, nested (e.g. a module's
    ``state_dict()`` or an optimizer's, whose ``state`` dict has int keys). Tuples
    stay tuples, int keys stay ints, and each tensor's dtype, shape, device and
    ``requires_grad`` are recorded; tensors on a GPU are copied to the host first.
    Any other object (a whole ``nn.Module``, a set, bytes, ...) is pickled, as
    ``torch.save`` does, with the tensors inside it stored as arrays; loading it
    back needs ``load(..., weights_only=False)``. Prefer state dicts.

    The write is atomic: the data goes to a temporary file in the same directory,
    which then replaces ``path``; if anything fails, an existing file at ``path`` is
    left unchanged. Temporary files that killed saves left in that directory are
    removed first (those whose writer process is gone; see the module docstring).
    Objects that cannot be pickled (a lambda, ...) raise ``TypeError`` naming where
    they are (e.g. ``obj['layers'][2]``) before anything is written.

    Args:
        obj: what to save.
        path: a file name (str or ``os.PathLike``; any extension, ``.npz`` is usual)
            or a file object opened for binary writing (written in place, not atomic).

    Example::

        minigrad.save({"model": model.state_dict(), "optim": opt.state_dict()}, "ckpt.npz")
    """
    encoder = _Encoder()
    root = encoder.encode(obj, "obj")
    entries = {STRUCTURE_ENTRY: _structure_array(root), **encoder.arrays}

    if hasattr(path, "write"):
        _write_npz(path, entries)  # type: ignore[arg-type]
        return

    target = os.fspath(path)
    if isinstance(target, bytes):
        target = os.fsdecode(target)
    directory, base = os.path.split(os.path.abspath(target))
    _remove_orphaned_temporaries(directory)
    tmp = _temp_path(directory, base)
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    except OSError as exc:  # a missing or read-only folder: name the target, not the temp file
        raise OSError(exc.errno, exc.strerror, target) from None
    try:
        with os.fdopen(fd, "wb") as file:
            _write_npz(file, entries)
            file.flush()
            os.fsync(file.fileno())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    _fsync_directory(directory)


def _fsync_directory(directory: str) -> None:
    """Make the rename durable where the OS allows it (POSIX); harmless elsewhere."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# ----------------------------------------------------------------------------- load


class _Decoder:
    """Turns a JSON node tree and the archive's arrays back into Python objects."""

    def __init__(
        self, arrays: Mapping[str, np.ndarray], where: str, map_location: Any, weights_only: bool
    ) -> None:
        self.arrays = arrays
        self.where = where
        self.map_location = map_location
        self.weights_only = weights_only

    def corrupt(self, message: str) -> LoadError:
        return LoadError(f"{self.where}: corrupt minigrad save file: {message}")

    def array(self, node: Mapping[str, Any], shaped: bool = True) -> np.ndarray:
        name = node.get("array")
        if not isinstance(name, str) or name not in self.arrays:
            raise self.corrupt(f"missing array entry {name!r}")
        arr = self.arrays[name]
        if arr.dtype.str != node.get("dtype"):
            raise self.corrupt(
                f"entry {name!r} has dtype {arr.dtype.str}, the structure says {node.get('dtype')}"
            )
        if shaped and list(arr.shape) != node.get("shape"):
            raise self.corrupt(
                f"entry {name!r} has shape {list(arr.shape)}, the structure says "
                f"{node.get('shape')}"
            )
        return arr

    def target_device(self, saved: str) -> _backend.Device:
        loc = self.map_location
        try:
            saved_dev = _backend.as_device(saved)
        except (TypeError, ValueError) as exc:
            raise self.corrupt(f"unknown device {saved!r}") from exc
        if loc is None:
            return saved_dev
        if isinstance(loc, (str, _backend.Device)):
            return _backend.as_device(loc)
        for source, dest in loc.items():
            if _backend.as_device(source) == saved_dev:
                return _backend.as_device(dest)
        return saved_dev

    def backend_for(self, device: _backend.Device) -> _backend.Backend:
        try:
            return _backend.get_backend(device)
        except RuntimeError as exc:
            hint = (
                "pass map_location='cpu' to load the tensors onto the CPU"
                if self.map_location is None
                else "choose another map_location, e.g. 'cpu'"
            )
            raise RuntimeError(
                f"{self.where}: a tensor was saved on device {device}, which is not available "
                f"here; {hint} ({exc})"
            ) from exc

    def decode(self, node: Any) -> Any:
        if not isinstance(node, dict) or not isinstance(node.get("t"), str):
            raise self.corrupt(f"bad structure node {node!r:.80}")
        t = node["t"]
        if t == "none":
            return None
        if t in ("bool", "int", "str"):
            value = node.get("v")
            expected = {"bool": bool, "int": int, "str": str}[t]
            if type(value) is not expected:
                raise self.corrupt(f"bad {t} value {value!r:.80}")
            return value
        if t == "float":
            try:
                return _float_from_node(node)
            except (KeyError, TypeError, ValueError) as exc:
                raise self.corrupt(f"bad float value {node.get('v')!r:.80}") from exc
        if t in ("list", "tuple"):
            items = node.get("items")
            if not isinstance(items, list):
                raise self.corrupt(f"bad {t} node")
            values = [self.decode(v) for v in items]
            return values if t == "list" else tuple(values)
        if t == "dict":
            items = node.get("items")
            if not isinstance(items, list):
                raise self.corrupt("bad dict node")
            out: dict[Any, Any] = OrderedDict() if node.get("ordered") else {}
            for pair in items:
                if not isinstance(pair, list) or len(pair) != 2:
                    raise self.corrupt("bad dict item")
                key = self.decode(pair[0])
                if not isinstance(key, (str, int, float)) and key is not None:
                    raise self.corrupt(f"bad dict key {key!r:.80}")
                out[key] = self.decode(pair[1])
            return out
        if t == "scalar":
            arr = self.array(node, shaped=False)
            if arr.ndim != 0:
                raise self.corrupt("scalar entry is not 0-d")
            return arr[()]
        if t == "ndarray":
            arr = self.array(node)
            saved = node.get("device", "cpu")
            if saved == "cpu":
                return arr  # a NumPy array stays one whatever map_location says, as in torch.load
            device = self.target_device(saved)
            if device.type == "cpu":
                return arr
            return self.backend_for(device).from_host(arr, device)
        if t == "tensor":
            return self.tensor(node)
        if t == "pickle":
            return self.unpickle(node)
        raise self.corrupt(f"unknown node type {t!r}")

    def unpickle(self, node: Mapping[str, Any]) -> Any:
        """A pickled object (only with ``weights_only=False``: unpickling can run code)."""
        if self.weights_only:
            raise pickle.UnpicklingError(
                f"{self.where}: Weights only load failed: the file holds a pickled "
                f"{node.get('type')} object (e.g. a whole module saved with minigrad.save), and "
                "unpickling can run arbitrary code. Load it with weights_only=False only if "
                "you trust where the file comes from, or save and load a state_dict() instead."
            )
        tensors: list[Any] = node.get("tensors")  # type: ignore[assignment]
        if not isinstance(tensors, list):
            raise self.corrupt("bad pickle node")
        decoded: dict[int, Any] = {}
        decoder = self

        class Unpickler(pickle.Unpickler):
            def persistent_load(self, pid: Any) -> Any:
                if not isinstance(pid, int) or not 0 <= pid < len(tensors):
                    raise decoder.corrupt(f"bad tensor reference {pid!r:.40} in a pickled object")
                if pid not in decoded:
                    decoded[pid] = decoder.decode(tensors[pid])
                return decoded[pid]

        data = self.array(node).tobytes()
        try:
            return Unpickler(io.BytesIO(data)).load()
        except (pickle.UnpicklingError, EOFError, IndexError) as exc:
            raise self.corrupt(f"bad pickled object ({type(exc).__name__}: {exc})") from exc

    def tensor(self, node: Mapping[str, Any]) -> Any:
        arr = self.array(node)
        device = self.target_device(node.get("device", "cpu"))
        if device.type != "cpu":
            self.backend_for(device)
        try:
            result = _make_tensor(arr, dtype=arr.dtype, device=device)
        except TypeError as exc:
            raise self.corrupt(f"cannot make a tensor of dtype {arr.dtype}: {exc}") from exc
        if node.get("requires_grad"):
            result.requires_grad_()
        return result


def _check_map_location(map_location: Any) -> None:
    if map_location is None:
        return
    if isinstance(map_location, (str, _backend.Device)):
        _backend.as_device(map_location)
        return
    if isinstance(map_location, Mapping):
        for source, dest in map_location.items():
            _backend.as_device(source)
            _backend.as_device(dest)
        return
    raise TypeError(
        "map_location must be None, a device ('cpu', 'cuda', 'cuda:0') or a dict mapping "
        f"saved devices to devices such as {{'cuda:0': 'cpu'}}, got {type(map_location).__name__}"
    )


def load(
    path: PathLike | IO[bytes],
    map_location: MapLocation = None,
    *,
    weights_only: bool | None = None,
    mmap: bool | None = None,
) -> Any:
    """Load an object written by :func:`save`.

    Tensors come back with their saved dtype, shape, values and ``requires_grad``
    (as new leaf tensors) on the device given by ``map_location``; lists, tuples,
    dicts (with their key types), numbers, strings and NumPy arrays come back as
    saved (raw CuPy arrays follow ``map_location``, like tensors).

    With the default ``weights_only=True`` loading never executes code from the
    file (``np.load(..., allow_pickle=False)`` and JSON), so it is safe to open
    files from elsewhere; a pickled object in the file raises
    ``pickle.UnpicklingError`` instead (as ``torch.load``).

    Args:
        path: a file name (str or ``os.PathLike``) or a binary file object.
        map_location: where to put tensors: ``None`` (the device they were saved
            from), a device such as ``'cpu'`` or ``'cuda'`` (all tensors there), or a
            dict such as ``{'cuda:0': 'cpu'}`` mapping saved devices to devices
            (devices not in the dict are kept).
        weights_only: as ``torch.load`` (default True): tensors, arrays, numbers,
            strings and containers only. Objects that :func:`save` pickled (a whole
            module, a set, ...) load only with ``weights_only=False``, because
            unpickling can run arbitrary code: use it only for files you trust.
        mmap: accepted for ``torch.load`` compatibility; the file is read into memory.

    Returns:
        The saved object.

    Raises:
        FileNotFoundError: no file at ``path``.
        LoadError: (a ``ValueError``) the file is not a minigrad save file, or is
            corrupt or truncated; the message names the file.
        RuntimeError: a tensor's device is not available here (use
            ``map_location='cpu'``).
        pickle.UnpicklingError: the file holds a pickled object and
            ``weights_only`` is not False.
    """
    _check_map_location(map_location)
    if hasattr(path, "read"):
        where = repr(getattr(path, "name", "<file object>"))
        return _load_from(path, where, map_location, weights_only)  # type: ignore[arg-type]
    filename = os.fspath(path)
    where = repr(os.fsdecode(filename))
    with open(filename, "rb") as file:
        return _load_from(file, where, map_location, weights_only)


def _load_from(file: IO[bytes], where: str, map_location: Any, weights_only: bool | None) -> Any:
    try:
        head = file.read(4)
        file.seek(-len(head), io.SEEK_CUR)
    except (OSError, ValueError) as exc:
        raise LoadError(f"{where}: cannot read the file ({exc})") from exc
    if head != b"PK\x03\x04":
        kind = "an empty file" if not head else "not a zip/.npz archive"
        raise LoadError(f"{where}: not a minigrad save file ({kind})")
    try:
        with np.load(file, allow_pickle=False) as npz:
            names = list(npz.files)
            if STRUCTURE_ENTRY not in names:
                shown = ", ".join(names[:5]) + (", ..." if len(names) > 5 else "")
                raise LoadError(
                    f"{where}: not a minigrad save file: a .npz archive without the "
                    f"{STRUCTURE_ENTRY!r} entry (it has: {shown or 'no entries'}); "
                    "read plain .npz files with numpy.load"
                )
            arrays = {name: npz[name] for name in names}
    except LoadError:
        raise
    except ValueError as exc:
        if "pickle" in str(exc):
            raise LoadError(
                f"{where}: the file contains pickled (object) data, which minigrad refuses "
                f"to load because unpickling can run arbitrary code ({exc})"
            ) from exc
        raise LoadError(f"{where}: corrupt or truncated minigrad save file ({exc})") from exc
    except Exception as exc:  # zipfile.BadZipFile, EOFError, zlib.error, OSError...
        raise LoadError(
            f"{where}: corrupt or truncated minigrad save file ({type(exc).__name__}: {exc})"
        ) from exc

    decoder = _Decoder(arrays, where, map_location, weights_only is not False)
    structure = arrays.pop(STRUCTURE_ENTRY)
    if structure.dtype != np.uint8 or structure.ndim != 1:
        raise decoder.corrupt(f"{STRUCTURE_ENTRY} is not a 1-D uint8 array")
    try:
        header = json.loads(structure.tobytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise decoder.corrupt(f"{STRUCTURE_ENTRY} is not valid JSON ({exc})") from exc
    if not isinstance(header, dict) or header.get("format") != FORMAT or "root" not in header:
        raise decoder.corrupt(f"{STRUCTURE_ENTRY} is not a minigrad structure")
    version = header.get("version")
    if not isinstance(version, int) or version > VERSION:
        raise LoadError(
            f"{where}: saved with format version {version!r}, newer than this minigrad "
            f"understands ({VERSION}); upgrade minigrad"
        )
    try:
        return decoder.decode(header["root"])
    except RecursionError as exc:
        raise decoder.corrupt("structure nested too deeply") from exc
