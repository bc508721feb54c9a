"""The optimizer race on MNIST: six optimizers train the same network (seeds 002, 003).

The notes' optimizer_compare_mnist.py, with minigrad: a 784-100-100-100-100-10
ReLU network (He initial weights) is trained six times from the same initial
weights, on the same mini-batches of 128 images, for 2000 iterations, once per
optimizer, each with its default hyper-parameters (the book's):

    SGD        optim.SGD(lr=0.01)
    Momentum   optim.SGD(lr=0.01, momentum=0.9)
    Nesterov   optim.SGD(lr=0.01, momentum=0.9, nesterov=True)
    AdaGrad    optim.Adagrad(lr=0.01)
    RMSprop    optim.RMSprop(lr=0.01)            (decay α = 0.99)
    Adam       optim.Adam(lr=0.001)              (β1 = 0.9, β2 = 0.999)

(PyTorch's Nesterov is the formula of Bengio et al. 2012; the book's Nesterov
class differs slightly, see optimizer_paths.py.)

SGD follows the gradient alone and is the slowest. Momentum and Nesterov
build up speed in consistent directions; AdaGrad, RMSprop and Adam scale each
weight's step by its gradient history. In the notes, switching from SGD to
Adam raised the final accuracy from 91% to 97% (full MNIST).

By default the 5000 MNIST images shipped with minigrad are used, 4000 to train
and a fixed 1000 held out for the accuracy; --data mnist uses the full data
(60000 training, 10000 test images; downloaded once).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np
from _common import (
    describe_optimizer,
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
from minigrad import nn, optim

F = nn.functional  # as torch.nn.functional
SIZES = [784, 100, 100, 100, 100, 10]
OPTIMIZERS: dict[str, Callable[[Any], optim.Optimizer]] = {
    "SGD": lambda params: optim.SGD(params, lr=0.01),
    "Momentum": lambda params: optim.SGD(params, lr=0.01, momentum=0.9),
    "Nesterov": lambda params: optim.SGD(params, lr=0.01, momentum=0.9, nesterov=True),
    "AdaGrad": lambda params: optim.Adagrad(params, lr=0.01),
    "RMSprop": lambda params: optim.RMSprop(params, lr=0.01),
    "Adam": lambda params: optim.Adam(params, lr=0.001),
}
MARKERS = {
    "SGD": "o",
    "Momentum": "x",
    "Nesterov": "^",
    "AdaGrad": "s",
    "RMSprop": "v",
    "Adam": "D",
}


def smooth_curve(x: list[float]) -> np.ndarray:
    """The book's util.smooth_curve: a Kaiser-window moving average (loss curves are noisy)."""
    window_len = 11
    s = np.r_[x[window_len - 1 : 0 : -1], x, x[-1:-window_len:-1]]
    w = np.kaiser(window_len, 2)
    y = np.convolve(w / w.sum(), s, mode="valid")
    return y[5 : len(y) - 5]


def train(
    model: nn.Module,
    opt: optim.Optimizer,
    x: Any,
    y: Any,
    batches: np.ndarray,
    label: str,
    print_interval: int,
) -> list[float]:
    """One training run: a step per row of ``batches`` (image indices); returns every loss.

    Prints the loss every ``print_interval`` iterations while it trains.
    """
    losses = []
    bar = progress(batches, label)
    for i, batch in enumerate(bar):
        loss = F.cross_entropy(model(x[batch]), y[batch])
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
        if i % print_interval == 0:
            bar.write(f"{label:>9}  iteration {i:>5}: loss={losses[-1]:.4f}")
        if i % 50 == 0:
            bar.set_postfix(loss=f"{losses[-1]:.3f}", refresh=False)
    return losses


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = make_parser(__doc__)
    parser.add_argument("--iterations", type=int, default=2000, help="steps per optimizer (2000)")
    parser.add_argument("--batch-size", type=int, default=128, help="batch size (128)")
    parser.add_argument(
        "--optimizers",
        nargs="+",
        choices=list(OPTIMIZERS),
        default=list(OPTIMIZERS),
        help="which optimizers race (default: all)",
    )
    parser.add_argument(
        "--data",
        choices=["sample", "mnist"],
        default="sample",
        help="the 5000 shipped images (default) or the full MNIST",
    )
    parser.add_argument(
        "--print-interval",
        type=int,
        default=100,
        help="print the loss every this many iterations while training (100)",
    )
    args = parse_args(parser, argv)
    if args.print_interval < 1:
        parser.error(f"--print-interval must be at least 1, got {args.print_interval}")

    # Inputs in [0, 1], flattened to 784 numbers; moved to the device once.
    x_train, y_train, x_test, y_test = (
        minigrad.tensor(a, device=args.device) for a in mnist_split(args.data)
    )
    # The same random mini-batches (drawn with replacement, as the book) for every optimizer.
    rng = np.random.default_rng(args.seed)
    batches = rng.integers(0, len(x_train), size=(args.iterations, args.batch_size))
    print(
        f"{len(x_train)} training and {len(x_test)} held-out images, {args.iterations} "
        f"iterations of {args.batch_size}, on {args.device}"
    )

    losses, rows = {}, []
    for name in args.optimizers:
        minigrad.manual_seed(args.seed)  # the same initial weights for every optimizer
        model = mlp(SIZES, device=args.device)
        opt = OPTIMIZERS[name](model.parameters())
        start = time.perf_counter()
        losses[name] = train(model, opt, x_train, y_train, batches, name, args.print_interval)
        seconds = time.perf_counter() - start
        acc, f1 = evaluate(model, x_test, y_test)
        rows.append(
            {
                "optimizer": name,
                "minigrad.optim": describe_optimizer(opt),
                "train loss": float(np.mean(losses[name][-args.print_interval :])),
                "held-out acc": acc,
                "weighted F1": f1,
                "time (s)": seconds,
            }
        )

    # The losses every --print-interval iterations, one column per optimizer (the notes'
    # "===========iteration:100===========" printout, as a table).
    print_table(
        [
            {"iteration": i} | {name: losses[name][i] for name in losses}
            for i in range(0, args.iterations, args.print_interval)
        ],
        title="\ntraining loss (of that iteration's batch)",
    )

    fig, ax = plt.subplots(figsize=(7, 4.5))
    for name, values in losses.items():
        ax.plot(smooth_curve(values), marker=MARKERS[name], markevery=100, label=name)
    ax.set(
        xlabel="iterations",
        ylabel="loss",
        ylim=(0, 1),
        title=f"{len(SIZES) - 1}-layer MLP on MNIST ({args.data}), batch {args.batch_size}",
    )
    ax.legend()
    figure = save_figure(fig, args.out, "optimizer_race")

    print_table(
        rows,
        title=f"\nafter {args.iterations} iterations; train loss: mean of the last "
        f"{min(args.print_interval, args.iterations)}; accuracy and F1 on "
        f"{len(x_test)} held-out images",
        formats={"held-out acc": "{:.2%}", "weighted F1": "{:.4f}", "time (s)": "{:.1f}"},
    )
    return {"rows": rows, "losses": losses, "figures": [figure]}


if __name__ == "__main__":
    main()
