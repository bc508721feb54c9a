"""Data-parallel step time: the 784-100x4-10 MLP at a global batch of 1024, on 1 and 2 processes.

    python benchmarks/data_parallel.py                  # 1 and 2 processes
    python benchmarks/data_parallel.py --processes 1 2 4 --steps 50

The script starts itself under ``mpiexec -n p`` (the mpiexec next to the
Python interpreter, from the ``distributed`` extra) for each ``p``. Each run
times training steps (zero grad, forward, cross-entropy, backward with the
gradient all-reduce of DistributedDataParallel, Adam step) of the network on
random float32 data, each process taking 1024/p rows of every global batch,
after a few warm-up steps. The table shows, for rank 0, the median step time;
the time spent inside DDP's ``all_reduce`` calls and its share of the step
(the communication, including the wait for the slowest process); the same
all-reduce timed alone, after a barrier (the transfer itself); and the traffic
an all-reduce of N floats costs each process: about 2·N·(p−1)/p floats (a ring
all-reduce: a reduce-scatter, then an all-gather).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

SIZES = [784, 100, 100, 100, 100, 10]
GLOBAL_BATCH = 1024
RESULT_TAG = "RESULT "


def worker(steps: int, warmup: int, seed: int) -> None:
    """One process of a run: time ``steps`` DDP training steps; rank 0 prints the result."""
    import minigrad
    import minigrad.distributed as dist
    from minigrad import nn, optim
    from minigrad.nn.parallel import DistributedDataParallel

    dist.init_process_group(backend="mpi")
    rank, world = dist.get_rank(), dist.get_world_size()
    communication = [0.0]
    all_reduce = dist.all_reduce

    def timed_all_reduce(*args, **kwargs):  # what DDP's buckets spend in MPI
        start = time.perf_counter()
        result = all_reduce(*args, **kwargs)
        communication[0] += time.perf_counter() - start
        return result

    dist.all_reduce = timed_all_reduce
    minigrad.manual_seed(seed)
    layers: list[nn.Module] = []
    for n_in, n_out in zip(SIZES[:-1], SIZES[1:], strict=True):
        layers += [nn.Linear(n_in, n_out), nn.ReLU()]
    model = DistributedDataParallel(nn.Sequential(*layers[:-1]))
    opt = optim.Adam(model.parameters())
    local = GLOBAL_BATCH // world
    generator = minigrad.Generator().manual_seed(seed + 1 + rank)
    x = minigrad.rand(local, SIZES[0], generator=generator)
    y = minigrad.randint(0, SIZES[-1], (local,), generator=generator)
    step_times, comm_times = [], []
    for step in range(warmup + steps):
        communication[0] = 0.0
        dist.barrier()  # start together: the step time then includes waiting for the others
        start = time.perf_counter()
        opt.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
        if step >= warmup:
            step_times.append(time.perf_counter() - start)
            comm_times.append(communication[0])
    n = sum(p.numel() for p in model.parameters())
    flat, alone = minigrad.zeros(n), []
    for _ in range(steps):  # the same all-reduce with every process ready: the wire alone
        dist.barrier()
        start = time.perf_counter()
        all_reduce(flat, op=dist.ReduceOp.AVG)
        alone.append(time.perf_counter() - start)
    if rank == 0:
        result = {
            "processes": world,
            "rows per process": local,
            "step (ms)": 1e3 * statistics.median(step_times),
            "in all-reduce (ms)": 1e3 * statistics.median(comm_times),
            "all-reduce alone (ms)": 1e3 * statistics.median(alone),
            "gradients": n,
            "traffic per process (MB)": 2 * n * (world - 1) / world * 4 / 1e6,
        }
        print(RESULT_TAG + json.dumps(result), flush=True)
    dist.destroy_process_group()


def launch(processes: int, steps: int, warmup: int, seed: int) -> dict:
    """Run :func:`worker` in ``processes`` processes under mpiexec; rank 0's result."""
    mpiexec = Path(sys.executable).parent / "mpiexec"
    if not mpiexec.exists():
        sys.exit(f"{mpiexec} not found: pip install -e '.[distributed]'")
    env = dict(os.environ, OMP_NUM_THREADS="1")
    root = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, env.get("PYTHONPATH")]))
    command = [str(mpiexec), "-n", str(processes), sys.executable, "-m", "mpi4py", __file__]
    command += ["--worker", "--steps", str(steps), "--warmup", str(warmup), "--seed", str(seed)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=1800)
    if done.returncode != 0:
        sys.exit(f"mpiexec -n {processes} failed:\n{done.stdout}\n{done.stderr}")
    line = next(line for line in done.stdout.splitlines() if line.startswith(RESULT_TAG))
    return json.loads(line[len(RESULT_TAG) :])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.strip().splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--steps", type=int, default=30, help="timed steps per run (30)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed steps first (5)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.steps, args.warmup, args.seed)
        return
    rows = [launch(p, args.steps, args.warmup, args.seed) for p in args.processes]
    print(f"784-100x4-10 MLP, global batch {GLOBAL_BATCH}, Adam, float32, median of {args.steps}")
    header = list(rows[0]) + ["communication share"]
    print(" | ".join(header))
    print(" | ".join("---" for _ in header))
    for row in rows:
        share = row["in all-reduce (ms)"] / row["step (ms)"]
        cells = [f"{v:.2f}" if isinstance(v, float) else str(v) for v in row.values()]
        print(" | ".join([*cells, f"{share:.0%}"]))


if __name__ == "__main__":
    main()
