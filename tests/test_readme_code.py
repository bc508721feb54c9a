"""The README's Python snippets run, top to bottom, as a reader would paste them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"


def snippets() -> list[str]:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    # MPI snippets need several processes (tests/test_distributed_mpi.py runs them);
    # drawing needs Graphviz's dot program (tests/test_viz.py covers it).
    return [b for b in blocks if "distributed" not in b and "viz.draw" not in b]


def test_the_readme_snippets_run(capsys: pytest.CaptureFixture[str]) -> None:
    namespace: dict[str, object] = {}
    blocks = snippets()
    assert len(blocks) >= 5
    for block in blocks:
        exec(compile(block.replace("\n    ...", "\n    pass"), str(README), "exec"), namespace)
    assert namespace["d2y"].item() == pytest.approx(44.0)  # the autograd section's f''(2)
