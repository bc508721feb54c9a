"""The processes of the multi-process tests: ``mpiexec -n 2 python -m mpi4py mpi_worker.py NAME``.

``tests/test_distributed_mpi.py`` starts this file in two processes (under a
timeout); each runs the scenario ``NAME``, checks its results with plain
``assert`` (an uncaught error makes ``python -m mpi4py`` abort the whole job,
so nothing hangs) and prints ``PASSED NAME on rank R`` at the end.
"""

from __future__ import annotations

import os
import sys

import numpy as np

import minigrad
import minigrad.distributed as dist
import minigrad.nn.functional as F
from minigrad import backend, nn, optim
from minigrad.nn.parallel import DistributedDataParallel
from minigrad.utils.data import DataLoader, DistributedSampler, TensorDataset

if os.environ.get("MINIGRAD_TEST_CUDA", "strict") == "strict":
    backend.use_strict_cuda()  # "cuda" is the strict stand-in, as in tests/conftest.py
DEVICES = ["cpu", "cuda"]
AVG = dist.ReduceOp.AVG


def host(t: minigrad.Tensor) -> np.ndarray:
    return t.detach().cpu().numpy()


def gathered(t: minigrad.Tensor) -> list[np.ndarray]:
    """Every rank's values of ``t``."""
    everyone: list = [None] * dist.get_world_size()
    dist.all_gather_object(everyone, host(t))
    return everyone


def raises(error: type[Exception], match: str, call, *args, **kwargs) -> None:
    try:
        call(*args, **kwargs)
    except error as e:
        assert match in str(e), f"{match!r} not in {e!r}"
    else:
        raise AssertionError(f"{call.__name__} did not raise {error.__name__}")


# ----------------------------------------------------------------------------- scenarios
def process_group() -> None:
    rank, world = dist.get_rank(), dist.get_world_size()
    assert world == 2 and rank in (0, 1) and dist.is_initialized()
    assert dist.get_backend() == "mpi"
    raises(ValueError, "twice", dist.init_process_group, "mpi")
    dist.destroy_process_group()
    assert not dist.is_initialized()
    raises(ValueError, "has not been initialized", dist.get_rank)
    raises(ValueError, "world_size=3 but MPI says 2", dist.init_process_group, world_size=3)
    dist.init_process_group(backend="mpi", world_size=2, rank=rank)  # again, after destroy
    assert dist.get_rank() == rank


def collectives() -> None:
    rank, world = dist.get_rank(), dist.get_world_size()
    for device in DEVICES:
        for dtype in (minigrad.float32, minigrad.float64):

            def t(values, device=device, dtype=dtype):
                return minigrad.from_numpy(np.asarray(values, dtype=dtype)).to(device)

            mine = [rank + 1.0, 10.0 * (rank + 1) - 15.0]  # rank 0: (1, -5); rank 1: (2, 5)
            for op, expected in (
                (dist.ReduceOp.SUM, [3.0, 0.0]),
                (dist.ReduceOp.AVG, [1.5, 0.0]),
                (dist.ReduceOp.MAX, [2.0, 5.0]),
                (dist.ReduceOp.MIN, [1.0, -5.0]),
                (dist.ReduceOp.PRODUCT, [2.0, -25.0]),
            ):
                x = t(mine)
                assert dist.all_reduce(x, op=op) is None
                assert x.device == device and x.dtype == dtype
                np.testing.assert_array_equal(host(x), expected)
            x = t([rank, rank]) if rank == 0 else t([7.0, 8.0])
            dist.broadcast(x, src=1)
            np.testing.assert_array_equal(host(x), [7.0, 8.0])
            parts = [t([0.0]), t([0.0])]
            work = dist.all_gather(parts, t([rank * 10.0]), async_op=True)
            assert work.wait() and work.is_completed()
            np.testing.assert_array_equal([host(p)[0] for p in parts], [0.0, 10.0])
            x = t([rank + 1.0])
            dist.reduce(x, dst=0, op=dist.ReduceOp.SUM)
            np.testing.assert_array_equal(host(x), [3.0] if rank == 0 else [rank + 1.0])
            gather_list = [t([0.0, 0.0]) for _ in range(world)] if rank == 1 else None
            dist.gather(t([rank, -rank]), gather_list, dst=1)
            if rank == 1:
                np.testing.assert_array_equal([host(g) for g in gather_list], [[0, 0], [1, -1]])
            received = t([0.0])
            pieces = [t([100.0]), t([200.0])] if rank == 0 else None
            dist.scatter(received, pieces, src=0)
            np.testing.assert_array_equal(host(received), [100.0 * (rank + 1)])
            view = t([[1.0, 2.0], [3.0, 4.0]])[:, 0]  # a non-contiguous view, reduced in place
            dist.all_reduce(view)
            np.testing.assert_array_equal(host(view), [2.0, 6.0])
    dist.barrier()
    one, two = minigrad.zeros(1), [minigrad.zeros(1), minigrad.zeros(1)]
    raises(ValueError, "AVG needs a floating-point", dist.all_reduce, minigrad.tensor([1]), AVG)
    raises(ValueError, "src=2 is not a rank", dist.broadcast, one, 2)
    raises(TypeError, "must be a minigrad.Tensor", dist.all_reduce, [1.0])
    raises(ValueError, "one tensor per process", dist.all_gather, [one], one)
    if rank == 0:
        raises(ValueError, "must be specified on destination", dist.gather, one, None, 0)
    else:
        raises(ValueError, "must NOT be specified", dist.gather, one, two, 0)
    dist.gather(minigrad.zeros(1), [minigrad.zeros(1)] * 2 if rank == 0 else None, dst=0)


SIZES = (6, 16, 8, 3)


def mlp(device: str = "cpu") -> nn.Sequential:
    return nn.Sequential(
        nn.Linear(SIZES[0], SIZES[1], device=device),
        nn.ReLU(),
        nn.Linear(SIZES[1], SIZES[2], device=device),
        nn.Tanh(),
        nn.Linear(SIZES[2], SIZES[3], device=device),
    )


def data(n: int = 32, device: str = "cpu") -> tuple[minigrad.Tensor, minigrad.Tensor]:
    g = minigrad.Generator().manual_seed(123)  # the same data on every rank
    x = minigrad.randn(n, SIZES[0], generator=g)
    y = minigrad.randint(0, SIZES[-1], (n,), generator=g)
    return x.to(device), y.to(device)


def ddp_construction() -> None:
    rank = dist.get_rank()
    minigrad.manual_seed(100 + rank)  # a different model on each rank ...
    model = mlp()
    assert not np.array_equal(*gathered(model[0].weight))
    rank0_weights = gathered(model[0].weight)[0]
    ddp = DistributedDataParallel(model)  # ... the same after construction: rank 0's
    np.testing.assert_array_equal(host(model[0].weight), rank0_weights)
    for p in model.parameters():
        a, b = gathered(p)
        np.testing.assert_array_equal(a, b)
    assert ddp.module is model and isinstance(ddp, nn.Module)
    assert [id(p) for p in ddp.parameters()] == [id(p) for p in model.parameters()]
    assert list(ddp.state_dict()) == ["module." + k for k in model.state_dict()]
    other = mlp()
    other.load_state_dict(ddp.module.state_dict())
    # buffers: rank 0's at construction, and again at every forward (broadcast_buffers)
    counted = nn.Linear(2, 2)
    counted.register_buffer("seen", minigrad.tensor([float(rank)]))
    ddp = DistributedDataParallel(counted)
    assert counted.seen.tolist() == [0.0]
    with minigrad.no_grad():
        counted.seen.fill_(10.0 + rank)
    ddp(minigrad.ones(1, 2))
    assert counted.seen.tolist() == [10.0]
    # a model of other shapes on one rank: an error on every rank, naming the shapes
    odd = nn.Linear(3, 2) if rank == 0 else nn.Linear(3, 4)
    raises(RuntimeError, "DDP expects same model across all ranks", DistributedDataParallel, odd)


def _train(optimizer: str, steps: int, bucket_cap_mb: float | None, device: str) -> None:
    """Train with DDP on each rank's half of every global batch; compare with one process."""
    rank, world = dist.get_rank(), dist.get_world_size()
    make_opt = {
        "momentum": lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9),
        "adam": lambda ps: optim.Adam(ps, lr=0.01),
    }[optimizer]
    x, y = data(device=device)
    minigrad.manual_seed(7)
    reference = mlp(device)  # one process, the whole global batch
    minigrad.manual_seed(7 + rank)  # DDP copies rank 0's weights (= reference's) to rank 1
    model = DistributedDataParallel(mlp(device), bucket_cap_mb=bucket_cap_mb)
    if bucket_cap_mb is not None:
        assert len(model._buckets) > 2  # several buckets really are used
    opt, ref_opt = make_opt(model.parameters()), make_opt(reference.parameters())
    sampler = DistributedSampler(TensorDataset(x, y), shuffle=True, seed=1)
    assert (sampler.num_replicas, sampler.rank) == (world, rank)
    loader = DataLoader(TensorDataset(x, y), batch_size=8, sampler=sampler)  # global batch 16
    for epoch in range(steps):
        sampler.set_epoch(epoch)
        for xb, yb in loader:
            opt.zero_grad()
            F.cross_entropy(model(xb), yb).backward()
            opt.step()
        # the same epoch in one process: the union of the shards, batch by batch
        shards: list = [None] * world
        dist.all_gather_object(shards, list(sampler))
        for start in range(0, len(shards[0]), 8):
            index = minigrad.tensor(
                [i for shard in shards for i in shard[start : start + 8]], device=device
            )
            ref_opt.zero_grad()
            F.cross_entropy(reference(x[index]), y[index]).backward()
            ref_opt.step()
    for p, q in zip(model.module.parameters(), reference.parameters(), strict=True):
        mine, theirs = gathered(p)
        np.testing.assert_array_equal(mine, theirs)  # identical replicas
        np.testing.assert_allclose(host(p), host(q), rtol=2e-5, atol=2e-6)  # = one process


def ddp_training() -> None:
    _train("momentum", steps=3, bucket_cap_mb=None, device="cpu")
    _train("adam", steps=3, bucket_cap_mb=0.0002, device="cpu")
    _train("momentum", steps=2, bucket_cap_mb=0.0002, device="cuda")


def ddp_no_sync() -> None:
    rank = dist.get_rank()
    x, y = data(16)
    minigrad.manual_seed(3)
    model = DistributedDataParallel(mlp())
    reference = mlp()
    reference.load_state_dict(model.module.state_dict())
    calls = []
    original = dist.all_reduce

    def counting(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    dist.all_reduce = counting
    try:
        with model.no_sync():  # two micro-batches accumulate locally
            for part in range(2):
                rows = slice(8 * part + 4 * rank, 8 * part + 4 * rank + 4)
                F.cross_entropy(model(x[rows]), y[rows]).backward()
        assert not calls
        rows = slice(8 * 2 % 16 + 4 * rank, 8 * 2 % 16 + 4 * rank + 4)  # a third, synced
        F.cross_entropy(model(x[rows]), y[rows]).backward()
        assert calls
    finally:
        dist.all_reduce = original
    for part in range(3):
        rows = slice(8 * part % 16, 8 * part % 16 + 8)
        (F.cross_entropy(reference(x[rows]), y[rows])).backward()
    for p, q in zip(model.module.parameters(), reference.parameters(), strict=True):
        # each micro-batch loss is a mean over 4 rows here and 8 rows there: half the sum
        np.testing.assert_allclose(host(p.grad), host(q.grad), rtol=1e-5, atol=1e-6)


class TwoHeads(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.body = nn.Linear(4, 4)
        self.head = nn.Linear(4, 1)
        self.spare = nn.Linear(4, 1)  # used only when asked

    def forward(self, x, use_spare: bool = False):
        h = self.body(x)
        return self.head(h) + (self.spare(h) if use_spare else 0.0)


def ddp_unused_parameters() -> None:
    rank = dist.get_rank()
    x = minigrad.ones(2, 4)
    ddp = DistributedDataParallel(TwoHeads())
    ddp(x).sum().backward()  # spare gets no gradient: the reduction cannot finish ...
    raises(RuntimeError, "find_unused_parameters=True", ddp, x)  # ... PyTorch's error, next forward
    ddp = DistributedDataParallel(TwoHeads(), find_unused_parameters=True)
    for p in ddp.parameters():
        p.grad = None
    ddp(x).sum().backward()
    assert ddp.module.spare.weight.grad is None  # unused everywhere: left alone
    assert ddp.module.head.weight.grad is not None
    for p in ddp.parameters():
        p.grad = None
    ddp(x, use_spare=rank == 1).sum().backward()  # used on rank 1 only: half its gradient
    grads = gathered(ddp.module.spare.weight.grad)
    np.testing.assert_array_equal(grads[0], grads[1])
    single = TwoHeads()
    single.load_state_dict(ddp.module.state_dict())
    single(x, use_spare=True).sum().backward()
    np.testing.assert_allclose(grads[0], host(single.spare.weight.grad) / 2, rtol=1e-6)


def sampler() -> None:
    rank = dist.get_rank()
    sampler = DistributedSampler(range(11))  # replicas and rank from the group
    assert len(sampler) == 6
    shards: list = [None] * 2
    dist.all_gather_object(shards, list(sampler))
    assert sorted(shards[0] + shards[1]) == sorted(list(range(11)) + [shards[0][0]])  # one pad
    sampler.set_epoch(1)
    assert list(sampler) != shards[rank]


SCENARIOS = {
    f.__name__: f
    for f in (
        process_group,
        collectives,
        ddp_construction,
        ddp_training,
        ddp_no_sync,
        ddp_unused_parameters,
        sampler,
    )
}

if __name__ == "__main__":
    name = sys.argv[1]
    dist.init_process_group(backend="mpi")
    SCENARIOS[name]()
    dist.barrier()
    print(f"PASSED {name} on rank {dist.get_rank()}", flush=True)
