"""Batch normalisation makes training insensitive to the initial weight scale (book, chapter 6).

The experiment of "Deep Learning from Scratch", section 6.3 (figure 6-18): a
network of 5 hidden layers of 100 ReLU units learns 1000 MNIST images with
plain SGD (lr 0.01, batches of 100), once as it is and once with a
batch-normalisation layer after every hidden Linear layer
(Linear → BatchNorm1d → ReLU). Both start from the same weights, drawn from
N(0, σ²) for 16 scales σ from 1 down to 0.0001.

nn.BatchNorm1d normalises each unit over the mini-batch,
x̂ = (x − mean) / √(var + ε), then scales and shifts it by learned γ, β. Whatever
the scale of the weights before it, its output has mean 0 and variance 1, so
the signal neither explodes nor dies out on its way through the layers. Without
it, only the scales near He's √(2/100) ≈ 0.14 learn at all; larger ones
overflow and smaller ones let the signal vanish, leaving the accuracy at
chance. With it, the network learns from almost every scale; only at the very
smallest ones does ε = 1e-5 outweigh the tiny variance of the layer's input, so
that batch norm no longer fully rescales it and learning slows down.

Each panel shows the training accuracy per epoch (measured in eval() mode,
BatchNorm then using its running statistics) with and without batch norm.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from _common import make_parser, mnist_split, parse_args, plt, print_table, progress, save_figure

import minigrad
from minigrad import nn, optim

F = nn.functional  # as torch.nn.functional
HIDDEN = [100] * 5  # the book's MultiLayerNetExtend(784, [100] * 5, 10)


def network(scale: float, batch_norm: bool, device: str) -> nn.Sequential:
    """784 → 5 × (Linear 100 [→ BatchNorm1d] → ReLU) → Linear 10, weights N(0, scale²),
    biases 0 (BatchNorm's γ = 1, β = 0)."""
    layers: list[nn.Module] = []
    sizes = [784, *HIDDEN]
    for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True):
        layers.append(nn.Linear(n_in, n_out, device=device))
        if batch_norm:
            layers.append(nn.BatchNorm1d(n_out, device=device))
        layers.append(nn.ReLU())
    layers.append(nn.Linear(sizes[-1], 10, device=device))
    for layer in layers:
        if isinstance(layer, nn.Linear):
            nn.init.normal_(layer.weight, std=scale)
            nn.init.zeros_(layer.bias)
    return nn.Sequential(*layers)


def accuracy(model: nn.Module, x: minigrad.Tensor, y: minigrad.Tensor) -> float:
    """The fraction of ``x`` classified as ``y``, in eval() mode."""
    model.eval()
    with minigrad.no_grad():
        correct = (model(x).argmax(dim=1) == y).sum().item()
    model.train()
    return correct / len(y)


def train(model: nn.Module, x: Any, y: Any, epochs: int, batch_size: int, lr: float) -> list[float]:
    """SGD on (x, y); the training accuracy after each epoch."""
    opt = optim.SGD(model.parameters(), lr=lr)
    history = []
    for _ in range(epochs):
        order = minigrad.randperm(len(x), device=x.device)
        for xb, yb in zip(x[order].split(batch_size), y[order].split(batch_size), strict=True):
            loss = F.cross_entropy(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
        history.append(accuracy(model, x, y))
    return history


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = make_parser(__doc__)
    parser.add_argument("--epochs", type=int, default=20, help="epochs per run (default: 20)")
    parser.add_argument(
        "--scales", type=int, default=16, help="weight scales, logspace(0, -4, n) (default: 16)"
    )
    parser.add_argument("--train-size", type=int, default=1000, help="training images (1000)")
    parser.add_argument("--lr", type=float, default=0.01, help="SGD learning rate (0.01)")
    parser.add_argument("--batch-size", type=int, default=100, help="batch size (100)")
    args = parse_args(parser, argv)

    x_train, y_train, _, _ = mnist_split("sample")
    x = minigrad.tensor(x_train[: args.train_size], device=args.device)
    y = minigrad.tensor(y_train[: args.train_size], device=args.device)

    scales = [float(s) for s in np.logspace(0, -4, args.scales)]
    histories: dict[float, dict[str, list[float]]] = {}
    rows = []
    for scale in progress(scales, "weight scales"):
        histories[scale] = {}
        for label, use_bn in (("batch norm", True), ("no batch norm", False)):
            minigrad.manual_seed(args.seed)  # the same initial weights with and without
            model = network(scale, use_bn, args.device)
            # Without batch norm the largest scales overflow to inf/nan (accuracy at chance,
            # as in the book): that is the lesson, not an error, so NumPy need not warn.
            with np.errstate(over="ignore", invalid="ignore"):
                history = train(model, x, y, args.epochs, args.batch_size, args.lr)
            histories[scale][label] = history
        rows.append(
            {
                "weight std": f"{scale:.2g}",
                "with batch norm": histories[scale]["batch norm"][-1],
                "without": histories[scale]["no batch norm"][-1],
            }
        )

    columns = 4 if len(scales) >= 4 else len(scales)
    grid_rows = -(-len(scales) // columns)
    fig, axes = plt.subplots(
        grid_rows,
        columns,
        figsize=(3 * columns, 2.4 * grid_rows),
        sharex=True,
        sharey=True,
        squeeze=False,
    )
    epochs = np.arange(1, args.epochs + 1)
    for ax, (scale, history) in zip(axes.flat, histories.items(), strict=False):
        ax.plot(epochs, history["batch norm"], label="batch norm")
        ax.plot(epochs, history["no batch norm"], "--", label="no batch norm")
        ax.set_title(f"W ~ N(0, {scale:.2g}²)", fontsize=9)
        ax.set_ylim(0, 1)
    for ax in axes.flat[len(scales) :]:
        ax.axis("off")
    for ax in axes[-1]:
        ax.set_xlabel("epoch")
    for ax in axes[:, 0]:
        ax.set_ylabel("train accuracy")
    axes.flat[0].legend(loc="lower right", fontsize=8)
    fig.suptitle(f"5 × 100 ReLU network on {args.train_size} MNIST images, SGD lr={args.lr:g}")
    fig.tight_layout()
    figure = save_figure(fig, args.out, "batch_norm")

    print_table(
        rows,
        title=f"training accuracy after {args.epochs} epochs",
        formats=dict.fromkeys(["with batch norm", "without"], "{:.1%}"),
    )
    return {"histories": histories, "rows": rows, "figures": [figure]}


if __name__ == "__main__":
    main()
