"""Smoke tests of the chapter-6 lessons (``examples/batch_norm.py``, ``examples/regularization.py``)
in tiny configurations; ``--device cuda`` runs on the strict test backend."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_examples import EXAMPLES_DIR, assert_pngs, run


@pytest.fixture(scope="module", autouse=True)
def _examples_importable() -> Iterator[None]:
    """``import batch_norm`` (and its ``import _common``) works, for this module only."""
    from threadpoolctl import threadpool_limits

    sys.path.insert(0, str(EXAMPLES_DIR))
    with threadpool_limits(limits=None):  # restores the current BLAS thread limits on exit
        yield
    sys.path.remove(str(EXAMPLES_DIR))


def accuracies(summary: dict[str, Any]) -> list[float]:
    return [a for runs in summary["histories"].values() for h in runs.values() for a in h]


def test_batch_norm_tiny(tmp_path: Path, device: str) -> None:
    summary = run(
        "batch_norm", tmp_path, f"--scales 2 --epochs 2 --train-size 200 --device {device}"
    )
    assert list(summary["histories"]) == pytest.approx([1.0, 1e-4])  # logspace(0, -4, 2)
    for runs in summary["histories"].values():
        assert list(runs) == ["batch norm", "no batch norm"]
        assert all(len(h) == 2 for h in runs.values())
    assert all(0 <= a <= 1 for a in accuracies(summary))
    assert [row["weight std"] for row in summary["rows"]] == ["1", "0.0001"]
    assert_pngs(summary, 1)


def test_batch_norm_learns_where_the_plain_network_cannot(tmp_path: Path) -> None:
    # The book's lesson in one panel: at weight std 0.01 the plain 5-layer network's signal
    # dies out (chance accuracy), the batch-normalised one learns.
    summary = run("batch_norm", tmp_path, "--scales 3 --epochs 3 --lr 0.1")
    runs = list(summary["histories"].values())[1]  # logspace(0, -4, 3)[1] = 0.01
    assert runs["batch norm"][-1] > 0.6
    assert runs["no batch norm"][-1] < 0.25


def test_regularization_tiny(tmp_path: Path, device: str) -> None:
    args = (
        "--epochs 3 --train-size 100 --weight-decay 0.1 0.01 --dropout 0.2 --hidden-dropout 0.1"
        f" --runs 2 --average 2 --device {device}"
    )
    summary = run("regularization", tmp_path, args)
    histories = summary["histories"]
    assert list(histories) == [
        "no regularisation",
        "weight decay λ=0.1",
        "weight decay λ=0.01",
        "Dropout(0.2) on the input, (0.1) after each hidden",
    ]
    for history in histories.values():
        assert list(history) == ["train", "held-out", "train loss", "held-out loss"]
        assert all(curves.shape == (2, 3) for curves in history.values())  # runs × epochs
        assert ((0 <= history["train"]) & (history["train"] <= 1)).all()
        assert ((0 <= history["held-out"]) & (history["held-out"] <= 1)).all()
    rows = summary["rows"]
    assert [row["gap"] for row in rows] == pytest.approx(
        [row["train acc"] - row["held-out acc"] for row in rows]
    )
    no_regularisation = histories["no regularisation"]["held-out"]
    assert rows[0]["held-out acc"] == pytest.approx(no_regularisation[:, -2:].mean())
    assert all(len(row["held-out acc per run"].split()) == 2 for row in rows)
    assert_pngs(summary, 1)


def test_regularization_network_puts_dropout_on_the_input_and_after_hidden_layers() -> None:
    import regularization

    from minigrad import nn

    kinds = [type(m) for m in regularization.network(0.5, 0.2, "cpu")]
    assert kinds[:3] == [nn.Dropout, nn.Linear, nn.ReLU]
    assert kinds.count(nn.Dropout) == 1 + 6  # the input, and each of the 6 hidden layers
    assert nn.Dropout not in [type(m) for m in regularization.network(0.0, 0.0, "cpu")]


def test_weight_decay_penalty_is_half_lambda_times_the_squared_weights() -> None:
    import regularization

    import minigrad
    from minigrad import nn

    model = nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 1))
    weights = [model[0].weight, model[2].weight]
    expected = 0.5 * 0.1 * sum(float((w.detach() ** 2).sum()) for w in weights)
    penalty = regularization.l2_penalty(model, 0.1)
    assert penalty.item() == pytest.approx(expected, rel=1e-6)
    penalty.backward()  # d/dW = λ W, the biases get nothing
    for w in weights:
        assert minigrad.allclose(w.grad, 0.1 * w.detach())
    assert model[0].bias.grad is None
