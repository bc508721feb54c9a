"""Smoke test of ``examples/cnn_mnist.py`` (the book's SimpleConvNet) in a tiny configuration.

Like ``tests/test_examples.py``: ``main(argv)`` runs in-process on the bundled
MNIST sample (nothing is downloaded), on cpu and on the strict cuda stand-in.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

EXAMPLES_DIR = Path(__file__).resolve().parent.parent / "examples"


@pytest.fixture(scope="module")
def cnn_mnist() -> Iterator[object]:
    """The example module (its ``import _common`` works); BLAS thread limits restored after."""
    from threadpoolctl import threadpool_limits

    sys.path.insert(0, str(EXAMPLES_DIR))
    with threadpool_limits(limits=None):
        yield importlib.import_module("cnn_mnist")
    sys.path.remove(str(EXAMPLES_DIR))


def test_help(cnn_mnist, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cnn_mnist.main(["--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    for option in ("--seed", "--device", "--out", "--epochs", "--data"):
        assert option in text


def test_trains_and_draws_the_filters(cnn_mnist, tmp_path: Path, device: str) -> None:
    summary = cnn_mnist.main(
        ["--epochs", "2", "--train-size", "400", "--batch-size", "50"]
        + ["--device", device, "--out", str(tmp_path)]
    )
    history = summary["history"]
    assert [row["epoch"] for row in history] == [1, 2]
    assert history[1]["train loss"] < history[0]["train loss"]
    assert history[-1]["held-out acc"] > 0.15  # chance is 0.1 (the start is slow: std 0.01)
    before, after = summary["filters"]
    assert before.shape == after.shape == (30, 5, 5)
    assert np.abs(before).max() < 0.1  # the book's N(0, 0.01²) start
    assert not np.allclose(before, after)
    (figure,) = summary["figures"]
    assert Path(figure).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert Path(figure).stat().st_size < 200_000
    with Image.open(figure) as image:
        image.verify()
