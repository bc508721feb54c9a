"""minigrad.distributed, DistributedDataParallel and DistributedSampler in two real processes.

Each test starts ``mpiexec -n 2 python -m mpi4py tests/mpi_worker.py SCENARIO``
(mpiexec is the one next to ``sys.executable``, installed by the ``mpich``
wheel of the ``distributed`` extra) under a timeout, and passes when both ranks
report success. The scenarios and their checks are in ``mpi_worker.py``.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("mpi4py") is None,
    reason="mpi4py is not installed (pip install -e '.[distributed]' runs these tests)",
)

ROOT = Path(__file__).resolve().parent.parent
WORKER = Path(__file__).resolve().parent / "mpi_worker.py"
EXAMPLE = ROOT / "examples" / "data_parallel.py"
TIMEOUT_S = 120
SCENARIOS = [
    "process_group",
    "collectives",
    "ddp_construction",
    "ddp_training",
    "ddp_no_sync",
    "ddp_unused_parameters",
    "sampler",
]


def mpiexec() -> Path:
    path = Path(sys.executable).parent / "mpiexec"
    if not path.exists():
        pytest.fail(
            f"mpi4py is installed but {path} is not: install the MPI launcher with "
            "pip install -e '.[distributed]' (the mpich wheel)"
        )
    return path


def run_two(*args: str) -> str:
    """``mpiexec -n 2 python -m mpi4py ARGS`` from the repository root; its stdout."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env["OMP_NUM_THREADS"] = "1"  # two ranks on two cores: no BLAS threads on top
    command = [str(mpiexec()), "-n", "2", sys.executable, "-m", "mpi4py", *args]
    try:
        done = subprocess.run(
            command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=TIMEOUT_S
        )
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"{args}: no answer after {TIMEOUT_S} s\n{e.stdout}\n{e.stderr}")
    report = f"exit code {done.returncode}\nstdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    assert done.returncode == 0, report
    return done.stdout


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_two_processes(scenario: str) -> None:
    out = run_two(str(WORKER), scenario)
    for rank in (0, 1):
        assert f"PASSED {scenario} on rank {rank}" in out, out


def test_data_parallel_example(tmp_path: Path) -> None:
    out = run_two(str(EXAMPLE), "--epochs", "1", "--batch-size", "256", "--out", str(tmp_path))
    assert "2 process(es)" in out and "global batch 256 = 2 x 128" in out
    assert out.count("final held-out accuracy") == 1  # printed by rank 0 only
    accuracy = float(out.split("final held-out accuracy: ")[1].split("%")[0])
    assert accuracy > 70  # one epoch of 4000 images
    assert (tmp_path / "data_parallel.png").read_bytes()[:4] == b"\x89PNG"
