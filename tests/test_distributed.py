"""minigrad.distributed in one process, without starting MPI: lazy import and clear errors.

(The collectives, DistributedDataParallel and DistributedSampler run in two
processes in ``test_distributed_mpi.py``.)
"""

from __future__ import annotations

import subprocess
import sys

import pytest

import minigrad
import minigrad.distributed as dist
from minigrad import nn


def test_importing_minigrad_does_not_start_mpi():
    code = "import minigrad, minigrad.nn.parallel, sys; print('mpi4py.MPI' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize(
    "call",
    [
        dist.get_rank,
        dist.get_world_size,
        dist.get_backend,
        dist.barrier,
        dist.destroy_process_group,
        lambda: dist.all_reduce(minigrad.zeros(2)),
        lambda: dist.broadcast(minigrad.zeros(2), 0),
        lambda: dist.all_gather([minigrad.zeros(2)], minigrad.zeros(2)),
        lambda: nn.parallel.DistributedDataParallel(nn.Linear(2, 2)),
    ],
)
def test_calls_before_init_process_group_raise_pytorchs_error(call):
    assert not dist.is_initialized()
    with pytest.raises(ValueError, match="Default process group has not been initialized"):
        call()


def test_other_backends_are_refused_before_mpi_starts():
    with pytest.raises(ValueError, match="one backend, 'mpi'.*'nccl'"):
        dist.init_process_group(backend="nccl")
    assert not dist.is_initialized()


def test_without_mpi4py_the_error_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "mpi4py", None)  # import mpi4py now raises ImportError
    with pytest.raises(RuntimeError, match=r"needs mpi4py.*pip install 'minigrad\[distributed\]'"):
        dist.init_process_group(backend="mpi")
    assert not dist.is_initialized()


def test_is_available_reports_mpi4py():
    import importlib.util

    expected = importlib.util.find_spec("mpi4py") is not None
    assert dist.is_available() is expected and dist.is_mpi_available() is expected


def test_reduce_op_names():
    assert [op.name for op in dist.ReduceOp][:5] == ["SUM", "AVG", "PRODUCT", "MIN", "MAX"]


def test_buckets_group_parameters_in_reverse_order_by_dtype_under_the_cap():
    from minigrad.nn.parallel import _buckets

    a = nn.Parameter(minigrad.zeros(100))  # 400 bytes each in float32
    b = nn.Parameter(minigrad.zeros(100))
    c = nn.Parameter(minigrad.zeros(100, dtype=minigrad.float64))
    d = nn.Parameter(minigrad.zeros(100))
    buckets = _buckets([a, b, c, d], cap_bytes=800, count_users=False)
    assert [[id(p) for p in bucket.params] for bucket in buckets] == [
        [id(d), id(b)],  # reversed: the order in which backward produces the gradients
        [id(c)],  # float64 travels apart
        [id(a)],  # the float32 bucket was full at 800 bytes
    ]
    assert [b.numel for b in buckets] == [200, 100, 100]
    assert buckets[1].flat.dtype == minigrad.float64
    with_flags = _buckets([a], cap_bytes=800, count_users=True)
    assert with_flags[0].flat.shape == (101,)  # one "used here" flag per parameter
