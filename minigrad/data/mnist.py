"""MNIST: the full data set from the standard IDX files, and a small sample shipped inside minigrad.

:func:`load_mnist` reads the four standard files (``train-images-idx3-ubyte``,
``train-labels-idx1-ubyte``, ``t10k-images-idx3-ubyte``,
``t10k-labels-idx1-ubyte``, each gzipped or not) from a folder, downloading the
ones that are missing from the public mirrors in :data:`MIRRORS`. Every file is
checked before use: gzip magic, then the IDX magic number and header, then size
and MD5 of the *decompressed* bytes against :data:`MNIST_FILES` (so a mirror that
re-gzipped the files still passes, and any change to the data does not). A
download is written to a temporary name and renamed only once it has passed
those checks. When the data cannot be had, :class:`DatasetNotAvailableError`
says why for each file and how to install them by hand; it never falls back to
other data.

:func:`load_mnist_sample` needs no network: 5000 real MNIST training images
(500 per digit) ship with minigrad in ``mnist_sample.npz``.

The IDX format (http://yann.lecun.com/exdb/mnist/): a 4-byte magic number
``0x00 0x00 TYPE NDIM``, then NDIM big-endian uint32 dimensions, then the values
in row-major order, big-endian. :func:`parse_idx` and :func:`encode_idx` read
and write it.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import math
import os
import struct
import sys
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np

from ._download import (
    CACHE_ENV,
    DatasetNotAvailableError,
    cache_dir,
    describe_error,
    download_errors,
    fetch_to_temp,
)

__all__ = [
    "MIRRORS",
    "MNIST_FILES",
    "FileChecksum",
    "encode_idx",
    "load_mnist",
    "load_mnist_sample",
    "parse_idx",
]


class FileChecksum(NamedTuple):
    """Size in bytes and MD5 (hex) of a file's decompressed content."""

    size: int
    md5: str


#: Base URLs tried in order; a file ``NAME`` is fetched from ``MIRROR + NAME + ".gz"``.
#: Tests replace this list to point at a local server.
MIRRORS: list[str] = [
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
]

#: Size and MD5 of the decompressed IDX files, as published with the MNIST data
#: and used widely (e.g. the ``MNIST_EXTRACTED_FILE_MD5S`` list of
#: prabhuomkar/pytorch-cpp, cmake/fetch_mnist.cmake). These are the raw ``-ubyte``
#: files, *not* the ``.gz`` archives (whose MD5s torchvision lists), so a re-gzipped
#: copy is accepted. Tests replace this table with the checksums of small files.
MNIST_FILES: dict[str, FileChecksum] = {
    "train-images-idx3-ubyte": FileChecksum(47040016, "6bbc9ace898e44ae57da46a324031adb"),
    "train-labels-idx1-ubyte": FileChecksum(60008, "a25bea736e30d166cdddb491f175f624"),
    "t10k-images-idx3-ubyte": FileChecksum(7840016, "2646ac647ad5339dbf082846283269ea"),
    "t10k-labels-idx1-ubyte": FileChecksum(10008, "27ae3e4e09519cfbb04c329615203637"),
}

SAMPLE_FILE = "mnist_sample.npz"

_GZIP_MAGIC = b"\x1f\x8b"

# IDX type byte -> big-endian NumPy dtype
_IDX_TYPES: dict[int, np.dtype] = {
    0x08: np.dtype("u1"),
    0x09: np.dtype("i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_IDX_CODES: dict[str, int] = {dt.str.lstrip("<>|="): code for code, dt in _IDX_TYPES.items()}


# ----------------------------------------------------------------------------- IDX format


def parse_idx(data: bytes, source: str = "IDX data") -> np.ndarray:
    """Parse the bytes of an (uncompressed) IDX file into a NumPy array.

    Checks the magic number (two zero bytes, a known type code, the number of
    dimensions) and that the data length matches the header exactly. Returns a
    new, writable array in native byte order (uint8 for MNIST).

    Raises ``ValueError`` naming ``source`` when the bytes are not a valid IDX file.
    """
    view = memoryview(data)
    if len(view) < 4:
        raise ValueError(f"{source}: not an IDX file: only {len(view)} bytes, no header")
    zero0, zero1, type_code, ndim = view[:4].tolist()
    if zero0 != 0 or zero1 != 0 or type_code not in _IDX_TYPES:
        raise ValueError(
            f"{source}: not an IDX file: bad magic number {bytes(view[:4]).hex(' ')} "
            "(expected 00 00 followed by a type code such as 08 and the number of dimensions)"
        )
    if ndim == 0:
        raise ValueError(f"{source}: IDX header declares 0 dimensions")
    header = 4 + 4 * ndim
    if len(view) < header:
        raise ValueError(f"{source}: truncated IDX header ({len(view)} bytes, need {header})")
    dims = struct.unpack(f">{ndim}I", view[4:header])
    dtype = _IDX_TYPES[type_code]
    expected = math.prod(dims) * dtype.itemsize
    actual = len(view) - header
    if actual != expected:
        what = "truncated" if actual < expected else "has trailing bytes"
        raise ValueError(
            f"{source}: IDX data {what}: header says shape {dims} of {dtype.name} "
            f"({expected} bytes) but {actual} bytes follow the header"
        )
    array = np.frombuffer(view, dtype=dtype, offset=header).reshape(dims)
    return array.astype(dtype.newbyteorder("="))  # copies: writable, native order


def encode_idx(array: np.ndarray) -> bytes:
    """Encode an array as the bytes of an (uncompressed) IDX file; the inverse of :func:`parse_idx`.

    Supported dtypes: uint8, int8, int16, int32, float32, float64; 1 to 255 dimensions.
    """
    array = np.asarray(array)
    key = array.dtype.str.lstrip("<>|=")
    if key not in _IDX_CODES:
        raise TypeError(
            f"IDX cannot store dtype {array.dtype}; use uint8, int8, int16, int32, "
            "float32 or float64"
        )
    if not 1 <= array.ndim <= 255:
        raise ValueError(f"IDX stores 1 to 255 dimensions, got {array.ndim}")
    if any(n >= 2**32 for n in array.shape):
        raise ValueError(f"IDX dimensions must be below 2**32, got shape {array.shape}")
    code = _IDX_CODES[key]
    header = bytes([0, 0, code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    body = np.ascontiguousarray(array, dtype=_IDX_TYPES[code]).tobytes()
    return header + body


# ----------------------------------------------------------------------------- checks


def _decompress(data: bytes, limit: int, source: str) -> bytes:
    """Gunzip ``data`` if it is gzip, pass it through if it is already IDX, else refuse."""
    if data[:2] == _GZIP_MAGIC:
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
                raw = stream.read(limit + 1)
        except EOFError:
            raise ValueError(
                f"{source}: the gzip data is truncated (an incomplete download?)"
            ) from None
        except (OSError, zlib.error) as exc:  # BadGzipFile is an OSError
            raise ValueError(f"{source}: corrupt gzip data ({exc})") from None
        return raw
    if data[:2] == b"\x00\x00":  # an IDX file that is not compressed
        return data
    start = bytes(data[:16])
    hint = ""
    if start.lstrip().startswith(b"<"):
        hint = "; it looks like an HTML/XML page (an error page or a login page?)"
    elif not start:
        hint = "; the file is empty"
    raise ValueError(f"{source}: neither a gzip nor an IDX file (it starts with {start!r}){hint}")


def _md5(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def _check_content(data: bytes, name: str, source: str) -> bytes:
    """Decompress and check against :data:`MNIST_FILES`; return the raw IDX bytes."""
    want = MNIST_FILES[name]
    raw = _decompress(data, want.size, source)
    got_md5 = _md5(raw)
    if len(raw) != want.size or got_md5 != want.md5:
        more = "more than " if len(raw) > want.size else ""
        raise ValueError(
            f"{source}: checksum mismatch: the decompressed content is {more}{len(raw)} bytes "
            f"with MD5 {got_md5}, expected {want.size} bytes with MD5 {want.md5}"
        )
    return raw


# ----------------------------------------------------------------------------- loading


def _mnist_folder(root: str | os.PathLike[str] | None) -> Path:
    if root is not None:
        return Path(root).expanduser()
    return cache_dir() / "mnist"


def _manual_install_help(folder: Path) -> str:
    lines = [
        f"To install MNIST by hand, put these four files (gzipped or not) in {folder}:",
    ]
    width = max(len(n) for n in MNIST_FILES) + 4
    for name, want in MNIST_FILES.items():
        lines.append(f"  {name + '.gz':<{width}} decompressed: {want.size} bytes, MD5 {want.md5}")
    lines.append("They can be downloaded from " + " or ".join(MIRRORS) + ".")
    lines.append(
        f"(load_mnist(root=FOLDER) reads FOLDER instead; the environment variable "
        f"{CACHE_ENV}=DIR moves the cache to DIR/mnist.)"
    )
    lines.append(
        "Offline, minigrad.data.load_mnist_sample() returns 5000 MNIST training images "
        "that ship with minigrad."
    )
    return "\n".join(lines)


def _unavailable(folder: Path, what: str, details: Sequence[str] = ()) -> DatasetNotAvailableError:
    lines = [f"MNIST could not be loaded: {what}"]
    lines += [f"  - {d}" for d in details]
    return DatasetNotAvailableError("\n".join(lines) + "\n" + _manual_install_help(folder))


def _read_local(folder: Path, name: str) -> bytes | None:
    """The checked raw bytes of ``name`` from ``folder`` (raw or .gz), or None if absent."""
    for path in (folder / name, folder / f"{name}.gz"):
        if path.is_file():
            try:
                data = path.read_bytes()
                return _check_content(data, name, str(path))
            except (OSError, ValueError) as exc:
                raise _unavailable(folder, f"{exc}. Delete or replace this file.") from None
    return None


def _download(folder: Path, name: str) -> bytes:
    """Fetch ``name`` from the first mirror that serves a valid copy; cache it in ``folder``."""
    problems = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _unavailable(folder, f"{name}: cannot create the folder {folder} ({exc})") from None
    if not MIRRORS:
        raise _unavailable(folder, f"{name} is missing from {folder} and no download mirror is set")
    limit = MNIST_FILES[name].size + (1 << 20)  # a .gz is never much larger than its content
    for mirror in MIRRORS:
        url = mirror if mirror.endswith("/") else mirror + "/"
        url += f"{name}.gz"
        temp = None
        try:
            print(f"minigrad: downloading {url}", file=sys.stderr)
            temp = fetch_to_temp(url, folder, max_bytes=limit)
            data = temp.read_bytes()
            raw = _check_content(data, name, url)
            target = folder / (f"{name}.gz" if data[:2] == _GZIP_MAGIC else name)
            temp.chmod(0o644)  # mkstemp makes it private; a cache file is readable by all
            os.replace(temp, target)
            return raw
        except download_errors() as exc:
            text = str(exc)
            problems.append(text if text.startswith(url) else f"{url}: {describe_error(exc)}")
        finally:
            if temp is not None and temp.exists():
                temp.unlink()
    raise _unavailable(
        folder, f"{name} is missing from {folder} and downloading it failed:", problems
    )


def _load_file(folder: Path, name: str, download: bool) -> np.ndarray:
    raw = _read_local(folder, name)
    if raw is None:
        if not download:
            raise _unavailable(
                folder, f"{name} (or {name}.gz) is missing from {folder} and download=False"
            )
        raw = _download(folder, name)
    return parse_idx(raw, source=name)


def load_mnist(
    root: str | os.PathLike[str] | None = None,
    train: bool = True,
    download: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Load the full MNIST training set (60000 images) or test set (10000 images).

    Args:
        root: folder that holds the IDX files directly, each gzipped (``NAME.gz``)
            or not (``NAME``). Default: ``~/.cache/minigrad/mnist``, or
            ``$MINIGRAD_CACHE/mnist`` when that environment variable is set.
        train: the training set (``train-*`` files) if True, else the test set (``t10k-*``).
        download: fetch missing files from :data:`MIRRORS` into the folder.

    Returns:
        ``(images, labels)``: uint8 array of shape ``(N, 28, 28)`` (0 = background,
        255 = ink) and int64 array of shape ``(N,)`` with the digits 0..9.

    Raises:
        DatasetNotAvailableError: a file is missing and cannot be downloaded
            (offline, server error, bad copy), or a file fails its checks (gzip or IDX
            magic number, size and MD5 of the decompressed content). The message
            names each file and its checksum, the folder to put the files in by
            hand, and :func:`load_mnist_sample` as the offline alternative.

    Example::

        images, labels = minigrad.data.load_mnist(train=False)
        x = images.reshape(len(images), -1).astype("float32") / 255
    """
    folder = _mnist_folder(root)
    split = "train" if train else "t10k"
    images = _load_file(folder, f"{split}-images-idx3-ubyte", download)
    labels = _load_file(folder, f"{split}-labels-idx1-ubyte", download)
    if images.ndim != 3 or images.dtype != np.uint8:
        raise _unavailable(
            folder,
            f"{split}-images-idx3-ubyte holds {images.dtype} data of shape {images.shape}, "
            "expected uint8 images (N, rows, cols)",
        )
    if labels.ndim != 1 or len(labels) != len(images):
        raise _unavailable(
            folder,
            f"{split}-labels-idx1-ubyte has shape {labels.shape}, "
            f"expected ({len(images)},), one label per image",
        )
    return images, labels.astype(np.int64)


def load_mnist_sample() -> tuple[np.ndarray, np.ndarray]:
    """Load the 5000 MNIST training images that ship with minigrad (no network needed).

    500 images per digit, in the order of the source (sorted by label: shuffle
    before splitting off a validation set). The data is credited to Yann LeCun,
    Corinna Cortes and Christopher J. C. Burges and licensed CC BY-SA 3.0; see
    ``LICENSE-MNIST.txt`` next to this module.

    Returns:
        ``(images, labels)`` like :func:`load_mnist`: uint8 array of shape
        ``(5000, 28, 28)`` and int64 array of shape ``(5000,)``.
    """
    import importlib.resources

    resource = importlib.resources.files(__package__).joinpath(SAMPLE_FILE)
    with resource.open("rb") as fh, np.load(fh, allow_pickle=False) as npz:
        images = npz["images"]
        labels = npz["labels"].astype(np.int64)
    return images, labels
