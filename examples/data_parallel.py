"""Data-parallel training on MPI: several processes train one MNIST network together (issue 13).

    mpiexec -n 2 python examples/data_parallel.py

Every process (a *rank*) holds the whole 784-100-100-100-100-10 ReLU network.
A DistributedSampler gives each rank its own share of every epoch, so of every
global batch of --batch-size images each of the p ranks reads batch-size/p.
DistributedDataParallel copies rank 0's initial weights to every rank, and
during backward() it averages the gradients over the ranks (an MPI all-reduce
of a few large buckets): every rank then takes the same Adam step and the
replicas stay identical. The training follows the path of one process with
the same global batch, up to float rounding, in about 1/p of the compute per
process plus the communication.

Rank 0 shows the progress, prints the table and saves the figure (the global
training loss and the held-out accuracy of the 1000 held-out images of the
bundled 5000-image sample). Without mpiexec the script runs as one process.
Needs the distributed extra: pip install -e ".[distributed]".
"""

from __future__ import annotations

import time
from typing import Any

from _common import (
    evaluate,
    make_parser,
    mlp,
    mnist_split,
    parse_args,
    plt,
    print_table,
    progress,
    save_figure,
)

import minigrad
import minigrad.distributed as dist
from minigrad import nn, optim
from minigrad.nn.parallel import DistributedDataParallel
from minigrad.utils.data import DataLoader, DistributedSampler, TensorDataset

F = nn.functional
SIZES = [784, 100, 100, 100, 100, 10]


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = make_parser(__doc__)
    parser.add_argument("--epochs", type=int, default=10, help="passes over the data (10)")
    parser.add_argument(
        "--batch-size", type=int, default=128, help="global batch, split among the ranks (128)"
    )
    parser.add_argument("--lr", type=float, default=0.001, help="Adam's learning rate (0.001)")
    args = parse_args(parser, argv)
    try:
        dist.init_process_group(backend="mpi")
    except RuntimeError as error:  # no mpi4py: say how to get it
        parser.error(str(error))
    rank, world = dist.get_rank(), dist.get_world_size()
    if args.batch_size % world:
        parser.error(f"--batch-size {args.batch_size} is not a multiple of {world} processes")
    device = args.device
    if device == "cuda":  # one GPU per rank when there are several
        device = f"cuda:{rank % minigrad.cuda.device_count()}"

    x_train, y_train, x_test, y_test = (
        minigrad.tensor(a, device=device) for a in mnist_split("sample")
    )
    train_set = TensorDataset(x_train, y_train)
    sampler = DistributedSampler(train_set, seed=args.seed)  # this rank's share of each epoch
    loader = DataLoader(train_set, batch_size=args.batch_size // world, sampler=sampler)
    minigrad.manual_seed(args.seed + rank)  # different initial weights on each rank ...
    model = DistributedDataParallel(mlp(SIZES, device=device))  # ... until rank 0's are copied
    opt = optim.Adam(model.parameters(), lr=args.lr)
    if rank == 0:
        print(
            f"{world} process(es), {len(x_train)} training images ({len(sampler)} per rank "
            f"and epoch), global batch {args.batch_size} = {world} x {args.batch_size // world}, "
            f"on {device}"
        )

    losses, rows = [], []
    for epoch in range(args.epochs):
        sampler.set_epoch(epoch)  # a new shuffle, the same on every rank
        start = time.perf_counter()
        bar = progress(loader, f"epoch {epoch + 1}", disable=rank != 0)
        for xb, yb in bar:
            loss = F.cross_entropy(model(xb), yb)
            opt.zero_grad()
            loss.backward()  # the gradients arrive averaged over the ranks
            opt.step()
            global_loss = loss.detach().clone()
            dist.all_reduce(global_loss, op=dist.ReduceOp.AVG)  # for the curve only
            losses.append(global_loss.item())
        seconds = time.perf_counter() - start
        accuracy, _ = evaluate(model.module, x_test, y_test)  # every rank has the same model
        rows.append(
            {
                "epoch": epoch + 1,
                "train loss": sum(losses[-len(loader) :]) / len(loader),
                "held-out acc": accuracy,
                "time (s)": seconds,
            }
        )

    result: dict[str, Any] = {"rank": rank, "world_size": world, "rows": rows, "figures": []}
    result["accuracy"] = rows[-1]["held-out acc"] if rows else float("nan")
    if rank == 0:
        print_table(
            rows,
            title=f"\n{world} process(es), global batch {args.batch_size}, Adam(lr={args.lr:g})",
            formats={"held-out acc": "{:.2%}", "time (s)": "{:.1f}"},
        )
        print(f"final held-out accuracy: {result['accuracy']:.2%} ({len(x_test)} images)")
        fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.5))
        left.plot(losses, lw=0.8)
        left.set(xlabel="step", ylabel="loss (mean over ranks)", ylim=(0, None))
        left.set_title(f"training, {world} process(es)")
        right.plot([r["epoch"] for r in rows], [r["held-out acc"] for r in rows], "o-")
        right.set(xlabel="epoch", ylabel="held-out accuracy", title="held-out images")
        result["figures"].append(save_figure(fig, args.out, "data_parallel"))
    dist.destroy_process_group()
    return result


if __name__ == "__main__":
    main()
