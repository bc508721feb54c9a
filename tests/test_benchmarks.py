"""The benchmark scripts run (a short round each): they check first that every
implementation computes the same losses, so a broken floor or step fails here."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("script", "rows"),
    [
        ("run.py", ["784-100x4-10 ReLU, CE, batch 128", "(a*b + a).sum()"]),
        ("conv.py", ["numpy floor", "minigrad"]),
    ],
)
def test_benchmark_runs(script: str, rows: list[str]) -> None:
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", PYTHONPATH=str(ROOT))
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script), "--quick", "--rounds", "1"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    for row in rows:
        assert row in result.stdout, result.stdout
