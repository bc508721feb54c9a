"""Over-fitting, and Dropout against it (seed 003).

A network far too large for its data learns the training set by heart: here a
7-layer, 100-unit ReLU network sees only 300 MNIST images. Its training
accuracy climbs to 100% while its accuracy on images it has never seen stays
far lower: the gap is over-fitting.

nn.Dropout(p) zeroes each activation with probability p during training (and
scales the survivors by 1/(1 − p)), so the network cannot rely on any single
unit: every step trains a different thinned network, and the full network
acts like an average of them. In eval() mode Dropout does nothing.

This is the book's experiment (SGD, lr 0.01, Dropout 0.2 after every hidden
layer; nn.Dropout's default is p = 0.5): with Dropout the network no longer
memorises the training set (its training accuracy stays below 100%) and the
gap between training and held-out accuracy narrows. The price is slower
learning: regularisation needs more epochs, or more data.

Both runs start from the same initial weights.
"""

from __future__ import annotations

from typing import Any

import numpy as np
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
from minigrad import nn, optim

F = nn.functional  # as torch.nn.functional
SIZES = [784, 100, 100, 100, 100, 100, 100, 10]  # 7 layers: far too big for 300 images


def train(
    model: nn.Module, data: tuple, epochs: int, batch_size: int, lr: float, label: str
) -> dict[str, list[float]]:
    """Plain SGD for ``epochs`` epochs; returns the training/held-out accuracy after each."""
    x_train, y_train, x_test, y_test = data
    opt = optim.SGD(model.parameters(), lr=lr)
    history: dict[str, list[float]] = {"train": [], "held-out": []}
    for _ in progress(range(epochs), label):
        model.train()  # Dropout on
        order = minigrad.randperm(len(x_train), device=x_train.device)  # reshuffle every epoch
        for xb, yb in zip(
            x_train[order].split(batch_size), y_train[order].split(batch_size), strict=True
        ):
            loss = F.cross_entropy(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
        history["train"].append(evaluate(model, x_train, y_train)[0])  # evaluate(): eval mode
        history["held-out"].append(evaluate(model, x_test, y_test)[0])
    return history


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = make_parser(__doc__)
    parser.add_argument("--epochs", type=int, default=300, help="epochs (default: 300)")
    parser.add_argument("--train-size", type=int, default=300, help="training images (300)")
    parser.add_argument("--p", type=float, default=0.2, help="dropout probability (0.2)")
    parser.add_argument("--lr", type=float, default=0.01, help="SGD learning rate (0.01)")
    parser.add_argument("--batch-size", type=int, default=100, help="batch size (100)")
    args = parse_args(parser, argv)

    x_train, y_train, x_test, y_test = mnist_split("sample")
    data = tuple(
        minigrad.tensor(a, device=args.device)
        for a in (x_train[: args.train_size], y_train[: args.train_size], x_test, y_test)
    )

    histories, rows = {}, []
    for label, p in (("without Dropout", 0.0), (f"Dropout(p={args.p:g})", args.p)):
        # Re-seeding gives both models the same initial weights (Dropout layers have none).
        minigrad.manual_seed(args.seed)
        model = mlp(SIZES, dropout=p, device=args.device)
        histories[label] = h = train(model, data, args.epochs, args.batch_size, args.lr, label)
        rows.append(
            {
                "model": label,
                "train acc": h["train"][-1],
                "held-out acc": h["held-out"][-1],
                "gap": h["train"][-1] - h["held-out"][-1],
                "best held-out": max(h["held-out"]),
            }
        )

    fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
    for ax, (label, history) in zip(axes, histories.items(), strict=True):
        epochs = np.arange(1, len(history["train"]) + 1)
        ax.plot(epochs, history["train"], label="train", marker="o", markevery=25)
        ax.plot(epochs, history["held-out"], label="held-out", marker="s", markevery=25)
        ax.set(title=label, xlabel="epoch", ylim=(0, 1.02))
        ax.legend(loc="lower right")
    axes[0].set_ylabel("accuracy")
    fig.suptitle(f"{len(SIZES) - 1}-layer network on {args.train_size} MNIST images")
    fig.tight_layout()
    figure = save_figure(fig, args.out, "dropout_overfitting")

    percent = "{:.1%}"
    print_table(
        rows,
        title=f"after {args.epochs} epochs ({len(x_test)} held-out images)",
        formats=dict.fromkeys(["train acc", "held-out acc", "gap", "best held-out"], percent),
    )
    return {"histories": histories, "rows": rows, "figures": [figure]}


if __name__ == "__main__":
    main()
