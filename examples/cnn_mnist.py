"""The book's SimpleConvNet on MNIST, and what its first layer learns (chapter 7).

"Deep Learning from Scratch", chapter 7 (train_convnet.py), with minigrad:

    Conv2d(1, 30, 5) → ReLU → MaxPool2d(2) → Linear(4320, 100) → ReLU → Linear(100, 10)

trained with Adam (lr = 0.001) on mini-batches of 100, with the book's initial
weights (normal, std 0.01; zero biases). The convolution is the book's
algorithm: im2col (``F.unfold``) lays every 5×5 receptive field out as a column,
and one matrix product applies all 30 filters at once.

After each epoch the accuracy on the training images and on the held-out
images is printed. The figure shows the learning curves and the 30 filters of
the first layer before and after training (the book's figure 7-24): random
noise at first, then edge and blob detectors.

By default the 5000 MNIST images shipped with minigrad are used, 4000 to train
and a fixed 1000 held out; --data mnist trains on the full 60000 images and
tests on the 10000 test images (the book reaches about 99% after 20 epochs).
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from _common import (
    evaluate,
    make_parser,
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
FILTERS, KERNEL, HIDDEN = 30, 5, 100


def simple_conv_net(device: str = "cpu") -> nn.Sequential:
    """The book's SimpleConvNet with its initial weights: N(0, 0.01²), zero biases."""
    model = nn.Sequential(
        nn.Conv2d(1, FILTERS, KERNEL),  # 28×28 -> 30 maps of 24×24
        nn.ReLU(),
        nn.MaxPool2d(2),  # -> 30 maps of 12×12
        nn.Flatten(),
        nn.Linear(FILTERS * 12 * 12, HIDDEN),
        nn.ReLU(),
        nn.Linear(HIDDEN, 10),
    ).to(device)
    for name, param in model.named_parameters():
        if name.endswith("weight"):
            nn.init.normal_(param, std=0.01)
        else:
            nn.init.zeros_(param)
    return model


def filters_of(model: nn.Sequential) -> np.ndarray:
    """The first layer's filters as host arrays (30, 5, 5)."""
    return model[0].weight.detach().cpu().numpy()[:, 0].copy()


def train_epoch(
    model: nn.Module, opt: optim.Optimizer, x: Any, y: Any, batch: int, seed: int, label: str
) -> float:
    """One pass over the training images in a random order; returns the mean loss."""
    order = np.random.default_rng(seed).permutation(len(x))
    losses = []
    bar = progress(range(0, len(x), batch), label)
    for start in bar:
        index = minigrad.tensor(order[start : start + batch], device=x.device)
        loss = F.cross_entropy(model(x[index]), y[index])
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
        bar.set_postfix(loss=f"{losses[-1]:.3f}", refresh=False)
    return float(np.mean(losses))


def plot(history: list[dict[str, Any]], before: np.ndarray, after: np.ndarray, title: str) -> Any:
    """Learning curves (left) and the 30 filters before and after training (right)."""
    fig = plt.figure(figsize=(11, 4.2), layout="constrained")
    left, right = fig.subfigures(1, 2, width_ratios=[1, 1.35])
    ax = left.subplots()
    epochs = [row["epoch"] for row in history]
    ax.plot(epochs, [row["train acc"] for row in history], marker="o", label="train")
    ax.plot(epochs, [row["held-out acc"] for row in history], marker="s", ls="--", label="held-out")
    ax.set(xlabel="epoch", ylabel="accuracy", title=title)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.legend(loc="lower right")
    for panel, weights, name in zip(
        right.subfigures(2, 1), (before, after), ("before", "after"), strict=True
    ):
        panel.suptitle(f"conv1 filters {name} training", fontsize=10)
        axes = panel.subplots(3, 10)
        for w, a in zip(weights, axes.ravel(), strict=True):
            a.imshow(w, cmap="gray_r", interpolation="nearest")  # the book draws them in gray_r
            a.set_axis_off()
    return fig


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = make_parser(__doc__)
    parser.add_argument(
        "--epochs", type=int, default=10, help="passes over the training images (10)"
    )
    parser.add_argument("--batch-size", type=int, default=100, help="batch size (100)")
    parser.add_argument("--lr", type=float, default=0.001, help="Adam's learning rate (0.001)")
    parser.add_argument(
        "--data",
        choices=["sample", "mnist"],
        default="sample",
        help="the 5000 shipped images (default) or the full MNIST",
    )
    parser.add_argument(
        "--train-size", type=int, default=None, help="use only this many training images (all)"
    )
    args = parse_args(parser, argv)
    if args.epochs < 1 or args.batch_size < 1:
        parser.error("--epochs and --batch-size must be at least 1")

    x_train, y_train, x_test, y_test = mnist_split(args.data)
    if args.train_size is not None:
        x_train, y_train = x_train[: args.train_size], y_train[: args.train_size]
    # Images as (N, 1, 28, 28): one input channel, moved to the device once.
    x_train, x_test = (
        minigrad.tensor(a.reshape(-1, 1, 28, 28), device=args.device) for a in (x_train, x_test)
    )
    y_train, y_test = (minigrad.tensor(a, device=args.device) for a in (y_train, y_test))
    print(
        f"{len(x_train)} training and {len(x_test)} held-out images, {args.epochs} epochs of "
        f"batches of {args.batch_size}, Adam(lr={args.lr}), on {args.device}"
    )

    model = simple_conv_net(args.device)
    opt = optim.Adam(model.parameters(), lr=args.lr)
    before = filters_of(model)
    history = []
    start = time.perf_counter()
    for epoch in range(1, args.epochs + 1):
        loss = train_epoch(
            model, opt, x_train, y_train, args.batch_size, args.seed + epoch, f"epoch {epoch}"
        )
        train_acc, _ = evaluate(model, x_train, y_train)
        test_acc, _ = evaluate(model, x_test, y_test)
        history.append(
            {
                "epoch": epoch,
                "train loss": loss,
                "train acc": train_acc,
                "held-out acc": test_acc,
                "time (s)": time.perf_counter() - start,
            }
        )
        print(f"epoch {epoch:>2}: loss={loss:.4f}  train acc={train_acc:.2%}  ", end="")
        print(f"held-out acc={test_acc:.2%}")

    print_table(
        history,
        title=f"\nSimpleConvNet on MNIST ({args.data})",
        formats={"train acc": "{:.2%}", "held-out acc": "{:.2%}", "time (s)": "{:.1f}"},
    )
    title = f"SimpleConvNet, MNIST ({args.data}): {history[-1]['held-out acc']:.1%} held-out"
    figure = save_figure(plot(history, before, filters_of(model), title), args.out, "cnn_mnist")
    return {"history": history, "filters": (before, filters_of(model)), "figures": [figure]}


if __name__ == "__main__":
    main()
