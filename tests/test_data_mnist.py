"""MNIST: IDX parsing, checked downloads from a local server, root and cache folders, the sample.

No test reaches the real network: the autouse ``no_internet`` fixture makes any
name lookup other than the loopback one fail, and every download is served by
a local ``http.server`` on 127.0.0.1 or from a ``file://`` URL.
"""

from __future__ import annotations

import gzip
import hashlib
import http.server
import importlib.resources
import socket
import struct
import threading
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from minigrad.data import (
    DatasetNotAvailableError,
    encode_idx,
    load_mnist,
    load_mnist_sample,
    parse_idx,
)
from minigrad.data import _download as download_mod
from minigrad.data import mnist as mnist_mod

NAMES = list(mnist_mod.MNIST_FILES)  # train images, train labels, t10k images, t10k labels


# ----------------------------------------------------------------------------- fixtures


@pytest.fixture(autouse=True)
def no_internet(monkeypatch):
    """Fail any name lookup that is not loopback, so a test can never reach the network.

    Proxy settings are dropped too: a proxy on localhost would otherwise relay requests.
    """
    for var in ("http_proxy", "https_proxy", "all_proxy", "ftp_proxy"):
        monkeypatch.delenv(var, raising=False)
        monkeypatch.delenv(var.upper(), raising=False)
    real = socket.getaddrinfo

    def guarded(host, *args, **kwargs):
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise OSError(f"test tried to reach the network ({host})")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", guarded)


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path, monkeypatch):
    """Point the cache at an empty folder and keep download timeouts short."""
    monkeypatch.setenv("MINIGRAD_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(download_mod, "TIMEOUT", 5.0)
    return tmp_path / "cache" / "mnist"


def _idx_by_hand(array: np.ndarray) -> bytes:
    """IDX bytes built independently of encode_idx (uint8 only)."""
    assert array.dtype == np.uint8
    return (
        bytes([0, 0, 0x08, array.ndim])
        + struct.pack(f">{array.ndim}I", *array.shape)
        + (array.tobytes())
    )


@pytest.fixture
def small_mnist(monkeypatch):
    """Tiny MNIST-like IDX files (7 train and 3 test images); the checksum table points at them."""
    rng = np.random.default_rng(0)
    arrays = {
        "train-images-idx3-ubyte": rng.integers(0, 256, (7, 28, 28), dtype=np.uint8),
        "train-labels-idx1-ubyte": rng.integers(0, 10, 7, dtype=np.uint8),
        "t10k-images-idx3-ubyte": rng.integers(0, 256, (3, 28, 28), dtype=np.uint8),
        "t10k-labels-idx1-ubyte": rng.integers(0, 10, 3, dtype=np.uint8),
    }
    raw = {name: _idx_by_hand(a) for name, a in arrays.items()}
    table = {
        name: mnist_mod.FileChecksum(len(b), hashlib.md5(b).hexdigest()) for name, b in raw.items()
    }
    monkeypatch.setattr(mnist_mod, "MNIST_FILES", table)
    return arrays, raw


class _Server:
    """A bounded local HTTP server: ``routes`` maps a path to (body, mode)."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[bytes, str]] = {}
        self.requests: list[str] = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            timeout = 5

            def do_GET(self):  # noqa: N802 (http.server's naming)
                server.requests.append(self.path)
                if self.path not in server.routes:
                    self.send_error(404, "Not Found")
                    return
                body, mode = server.routes[self.path]
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if mode == "cut":  # announce the full length, send half, hang up
                    self.wfile.write(body[: len(body) // 2])
                    self.close_connection = True
                else:
                    self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/mnist/"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def serve(self, name: str, body: bytes, mode: str = "ok") -> None:
        self.routes[f"/mnist/{name}.gz"] = (body, mode)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def server(monkeypatch):
    srv = _Server()
    monkeypatch.setattr(mnist_mod, "MIRRORS", [srv.url])
    yield srv
    srv.close()


def _closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/mnist/"


def _assert_helpful(message: str, folder: Path) -> None:
    """The error names every file with its checksum, the folder, and the offline sample."""
    for name, want in mnist_mod.MNIST_FILES.items():
        assert f"{name}.gz" in message
        assert want.md5 in message
        assert str(want.size) in message
    assert str(folder) in message
    assert "load_mnist_sample()" in message


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


# ----------------------------------------------------------------------------- IDX format


IDX_DTYPES = st.sampled_from(
    [np.uint8, np.int8, np.dtype(">i2"), np.dtype("<i2"), np.int32, np.float32, np.float64]
)


@settings(max_examples=60, deadline=None)
@given(hnp.arrays(IDX_DTYPES, hnp.array_shapes(min_dims=1, max_dims=4, min_side=0, max_side=5)))
def test_idx_round_trip(array):
    data = encode_idx(array)
    assert data[:4] == bytes([0, 0, data[2], array.ndim])
    back = parse_idx(data)
    assert back.shape == array.shape
    assert back.dtype == array.dtype.newbyteorder("=")
    assert back.dtype.isnative
    np.testing.assert_array_equal(back, array)


@settings(max_examples=30, deadline=None)
@given(hnp.arrays(np.uint8, hnp.array_shapes(min_dims=1, max_dims=3, max_side=6)))
def test_parse_idx_reads_hand_built_files(array):
    back = parse_idx(_idx_by_hand(array))
    np.testing.assert_array_equal(back, array)
    back[...] = 0  # writable, not a view of the immutable bytes


def test_parse_idx_big_endian_values():
    data = bytes([0, 0, 0x0C, 1]) + struct.pack(">I", 2) + struct.pack(">ii", 1, -70000)
    np.testing.assert_array_equal(parse_idx(data), [1, -70000])


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "no header"),
        (b"\x1f\x8b\x08\x00", "bad magic number"),
        (bytes([0, 0, 0x07, 1, 0, 0, 0, 1, 5]), "bad magic number"),  # unknown type code
        (bytes([0, 0, 0x08, 0]), "0 dimensions"),
        (bytes([0, 0, 0x08, 3, 0, 0, 0, 2]), "truncated IDX header"),
        (bytes([0, 0, 0x08, 1, 0, 0, 0, 4, 1, 2, 3]), "truncated"),
        (bytes([0, 0, 0x08, 1, 0, 0, 0, 2, 1, 2, 3]), "trailing bytes"),
    ],
)
def test_parse_idx_rejects_bad_data(data, message):
    with pytest.raises(ValueError, match=message):
        parse_idx(data, source="somefile")


def test_encode_idx_rejects_unsupported_dtype():
    with pytest.raises(TypeError, match="int64"):
        encode_idx(np.zeros(3, dtype=np.int64))
    with pytest.raises(ValueError, match="dimensions"):
        encode_idx(np.float32(1.0))


# ----------------------------------------------------------------------------- downloads


def test_good_download_is_verified_cached_and_reused(small_mnist, server, isolated_cache):
    arrays, raw = small_mnist
    for name in NAMES:
        server.serve(name, gzip.compress(raw[name]))

    images, labels = load_mnist(train=True)
    assert images.dtype == np.uint8 and images.shape == (7, 28, 28)
    assert labels.dtype == np.int64 and labels.shape == (7,)
    np.testing.assert_array_equal(images, arrays["train-images-idx3-ubyte"])
    np.testing.assert_array_equal(labels, arrays["train-labels-idx1-ubyte"])
    # only the training files were fetched, and kept as downloaded, with no temporary files
    assert _leftovers(isolated_cache) == [
        "train-images-idx3-ubyte.gz",
        "train-labels-idx1-ubyte.gz",
    ]

    test_images, test_labels = load_mnist(train=False)
    np.testing.assert_array_equal(test_images, arrays["t10k-images-idx3-ubyte"])
    np.testing.assert_array_equal(test_labels, arrays["t10k-labels-idx1-ubyte"])
    assert len(server.requests) == 4

    # a second load reads the cache: no request, even with every mirror gone
    server.routes.clear()
    images2, _ = load_mnist(train=True)
    np.testing.assert_array_equal(images2, images)
    assert len(server.requests) == 4


def test_regzipped_copy_is_accepted(small_mnist, server):
    """Checksums are of the decompressed bytes, so a copy gzipped differently passes."""
    arrays, raw = small_mnist
    for name in NAMES:
        server.serve(name, gzip.compress(raw[name], compresslevel=1, mtime=12345))
    images, _ = load_mnist(train=False)
    np.testing.assert_array_equal(images, arrays["t10k-images-idx3-ubyte"])


def test_next_mirror_is_tried_after_a_failure(small_mnist, server, monkeypatch):
    arrays, raw = small_mnist
    for name in NAMES:
        server.serve(name, gzip.compress(raw[name]))
    monkeypatch.setattr(mnist_mod, "MIRRORS", [_closed_port_url(), server.url.rstrip("/")])
    images, labels = load_mnist(train=False)
    np.testing.assert_array_equal(labels, arrays["t10k-labels-idx1-ubyte"])


def test_truncated_download_is_rejected_and_not_kept(small_mnist, server, isolated_cache):
    _, raw = small_mnist
    for name in NAMES:
        server.serve(name, gzip.compress(raw[name]), mode="cut")
    with pytest.raises(DatasetNotAvailableError) as info:
        load_mnist(train=True)
    message = str(info.value)
    assert "train-images-idx3-ubyte" in message
    assert "incomplete download" in message
    assert server.url + "train-images-idx3-ubyte.gz" in message
    _assert_helpful(message, isolated_cache)
    assert _leftovers(isolated_cache) == []


def test_truncated_gzip_content_is_rejected(small_mnist, server, isolated_cache):
    """A complete HTTP response whose gzip stream is cut short."""
    _, raw = small_mnist
    for name in NAMES:
        gz = gzip.compress(raw[name])
        server.serve(name, gz[: len(gz) - 20])
    with pytest.raises(DatasetNotAvailableError, match="gzip data is truncated"):
        load_mnist(train=False)
    assert _leftovers(isolated_cache) == []


def test_wrong_checksum_is_rejected(small_mnist, server, isolated_cache):
    _, raw = small_mnist
    for name in NAMES:
        tampered = bytearray(raw[name])
        tampered[-1] ^= 0xFF  # same size, one byte changed
        server.serve(name, gzip.compress(bytes(tampered)))
    with pytest.raises(DatasetNotAvailableError) as info:
        load_mnist(train=True)
    message = str(info.value)
    want = mnist_mod.MNIST_FILES["train-images-idx3-ubyte"]
    assert "checksum mismatch" in message
    assert f"expected {want.size} bytes with MD5 {want.md5}" in message
    _assert_helpful(message, isolated_cache)
    assert _leftovers(isolated_cache) == []


def test_html_page_saved_as_gz_is_rejected(small_mnist, server, isolated_cache):
    page = b"<!DOCTYPE html>\n<html><body>Access denied</body></html>\n"
    for name in NAMES:
        server.serve(name, page)
    with pytest.raises(DatasetNotAvailableError) as info:
        load_mnist(train=True)
    message = str(info.value)
    assert "neither a gzip nor an IDX file" in message
    assert "HTML" in message
    assert _leftovers(isolated_cache) == []


def test_http_error_is_reported(small_mnist, server):
    with pytest.raises(DatasetNotAvailableError, match="HTTP error 404"):
        load_mnist(train=True)


def test_oversized_download_is_cut_off(small_mnist, server, isolated_cache):
    _, raw = small_mnist
    for name in NAMES:
        server.serve(name, b"\x1f\x8b" + bytes(2_000_000))
    with pytest.raises(DatasetNotAvailableError, match="more than"):
        load_mnist(train=False)
    assert _leftovers(isolated_cache) == []


def test_no_network_gives_one_clear_error(small_mnist, monkeypatch, isolated_cache):
    monkeypatch.setattr(mnist_mod, "MIRRORS", [_closed_port_url()])
    with pytest.raises(DatasetNotAvailableError) as info:
        load_mnist(train=True)
    message = str(info.value)
    assert "cannot reach the server" in message
    assert "train-images-idx3-ubyte is missing from" in message.splitlines()[0]
    _assert_helpful(message, isolated_cache)


def test_default_mirrors_fail_cleanly_without_network(isolated_cache):
    """With the real mirror list and no network (see no_internet), the real checksums are shown."""
    with pytest.raises(DatasetNotAvailableError) as info:
        load_mnist(train=False)
    message = str(info.value)
    assert "https://ossci-datasets.s3.amazonaws.com/mnist/t10k-images-idx3-ubyte.gz" in message
    assert "2646ac647ad5339dbf082846283269ea" in message  # decompressed t10k images
    _assert_helpful(message, isolated_cache)


def test_file_url_mirror(small_mnist, tmp_path, monkeypatch):
    arrays, raw = small_mnist
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    for name in NAMES:
        (mirror / f"{name}.gz").write_bytes(gzip.compress(raw[name]))
    monkeypatch.setattr(mnist_mod, "MIRRORS", [mirror.as_uri() + "/"])
    images, _ = load_mnist(train=True)
    np.testing.assert_array_equal(images, arrays["train-images-idx3-ubyte"])


# ----------------------------------------------------------------------------- folders


def test_root_folder_with_raw_and_gz_files(small_mnist, tmp_path, monkeypatch):
    arrays, raw = small_mnist
    monkeypatch.setattr(mnist_mod, "MIRRORS", [_closed_port_url()])  # must not be needed
    root = tmp_path / "my_mnist"
    root.mkdir()
    (root / "train-images-idx3-ubyte").write_bytes(raw["train-images-idx3-ubyte"])
    (root / "train-labels-idx1-ubyte.gz").write_bytes(gzip.compress(raw["train-labels-idx1-ubyte"]))
    # a browser that decompressed the download but kept the .gz name
    (root / "t10k-images-idx3-ubyte.gz").write_bytes(raw["t10k-images-idx3-ubyte"])
    (root / "t10k-labels-idx1-ubyte").write_bytes(raw["t10k-labels-idx1-ubyte"])

    images, labels = load_mnist(root=root, download=False)
    np.testing.assert_array_equal(images, arrays["train-images-idx3-ubyte"])
    np.testing.assert_array_equal(labels, arrays["train-labels-idx1-ubyte"])
    images, labels = load_mnist(root=str(root), train=False)
    np.testing.assert_array_equal(images, arrays["t10k-images-idx3-ubyte"])
    np.testing.assert_array_equal(labels, arrays["t10k-labels-idx1-ubyte"])
    images[0, 0, 0] = 1  # the caller owns a writable array


def test_root_folder_missing_file_without_download(small_mnist, tmp_path):
    root = tmp_path / "empty"
    root.mkdir()
    with pytest.raises(DatasetNotAvailableError) as info:
        load_mnist(root=root, download=False)
    message = str(info.value)
    assert "download=False" in message
    _assert_helpful(message, root)


def test_corrupt_local_file_is_named(small_mnist, tmp_path):
    _, raw = small_mnist
    root = tmp_path / "bad"
    root.mkdir()
    (root / "t10k-images-idx3-ubyte").write_bytes(raw["t10k-images-idx3-ubyte"][:-5])
    with pytest.raises(DatasetNotAvailableError) as info:
        load_mnist(root=root, train=False, download=False)
    message = str(info.value)
    assert str(root / "t10k-images-idx3-ubyte") in message
    assert "checksum mismatch" in message
    assert "Delete or replace this file" in message


def test_labels_must_match_images(small_mnist, tmp_path, monkeypatch):
    _, raw = small_mnist
    root = tmp_path / "mismatch"
    root.mkdir()
    wrong_labels = _idx_by_hand(np.zeros(4, dtype=np.uint8))
    table = dict(mnist_mod.MNIST_FILES)
    table["t10k-labels-idx1-ubyte"] = mnist_mod.FileChecksum(
        len(wrong_labels), hashlib.md5(wrong_labels).hexdigest()
    )
    monkeypatch.setattr(mnist_mod, "MNIST_FILES", table)
    (root / "t10k-images-idx3-ubyte").write_bytes(raw["t10k-images-idx3-ubyte"])
    (root / "t10k-labels-idx1-ubyte").write_bytes(wrong_labels)
    with pytest.raises(DatasetNotAvailableError, match="one label per image"):
        load_mnist(root=root, train=False)


def test_cache_env_var_moves_the_cache(small_mnist, server, tmp_path, monkeypatch):
    _, raw = small_mnist
    for name in NAMES:
        server.serve(name, gzip.compress(raw[name]))
    monkeypatch.setenv("MINIGRAD_CACHE", str(tmp_path / "elsewhere"))
    load_mnist(train=False)
    assert _leftovers(tmp_path / "elsewhere" / "mnist") == [
        "t10k-images-idx3-ubyte.gz",
        "t10k-labels-idx1-ubyte.gz",
    ]


def test_default_cache_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("MINIGRAD_CACHE", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert download_mod.cache_dir() == tmp_path / ".cache" / "minigrad"
    monkeypatch.setenv("MINIGRAD_CACHE", "~/data")
    assert download_mod.cache_dir() == tmp_path / "data"


def test_real_checksum_table_is_consistent():
    """Sizes of the real files follow from their IDX headers: 16 + N*28*28 and 8 + N bytes."""
    table = {
        "train-images-idx3-ubyte": 16 + 60000 * 28 * 28,
        "train-labels-idx1-ubyte": 8 + 60000,
        "t10k-images-idx3-ubyte": 16 + 10000 * 28 * 28,
        "t10k-labels-idx1-ubyte": 8 + 10000,
    }
    assert {n: c.size for n, c in mnist_mod.MNIST_FILES.items()} == table
    assert all(len(c.md5) == 32 and int(c.md5, 16) >= 0 for c in mnist_mod.MNIST_FILES.values())


# ----------------------------------------------------------------------------- shipped sample


def test_mnist_sample():
    images, labels = load_mnist_sample()
    assert images.shape == (5000, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (5000,) and labels.dtype == np.int64
    np.testing.assert_array_equal(np.bincount(labels, minlength=10), np.full(10, 500))
    assert images.min() == 0 and images.max() == 255
    assert 20 < images.mean() < 50  # dark background, some ink: real digits, not noise
    assert np.mean(images[:, 0, :] == 0) > 0.99  # an empty border, as in MNIST
    assert len({images[i].tobytes() for i in range(0, 5000, 7)}) == len(range(0, 5000, 7))


def test_mnist_sample_file_needs_no_pickle():
    resource = importlib.resources.files("minigrad.data").joinpath("mnist_sample.npz")
    with resource.open("rb") as fh, np.load(fh, allow_pickle=False) as npz:
        assert sorted(npz.files) == ["images", "labels"]
        assert npz["images"].dtype == np.uint8
    with resource.open("rb") as fh:
        assert zipfile.is_zipfile(fh)
    assert Path(mnist_mod.__file__).with_name("mnist_sample.npz").stat().st_size < 1_200_000


def test_mnist_sample_licence_ships_alongside():
    text = importlib.resources.files("minigrad.data").joinpath("LICENSE-MNIST.txt").read_text()
    for needle in ("LeCun", "Cortes", "Burges", "CC BY-SA 3.0", "mnist_sample.npz"):
        assert needle in text
