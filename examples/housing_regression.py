"""Regression with Adam: California house prices from 8 district features (seed 000).

The notes' practice script, with minigrad: an MLP 8 → 6 → 5 → 4 → 3 → 1 with
LeakyReLU between the layers, trained with optim.Adam at its default
settings (lr 0.001, β = (0.9, 0.999)) on the mean squared error, in mini-batches
of 256, reshuffled every epoch, for 4000 epochs.

- The features are standardised (zero mean, unit variance) with the mean and
  standard deviation of the *training* part only, as StandardScaler does; a
  fifth of the districts is held out to measure the MSE on unseen data.
- Adam needs no tuning here: it adapts each weight's step size by itself.
- --plateau adds ReduceLROnPlateau (seed 000's "adaptive learning rate"):
  start with a larger rate (0.01) and halve it whenever the epoch loss has not
  improved for more than 10 epochs.

California housing is downloaded once by scikit-learn (about 400 kB). Offline,
--data diabetes uses scikit-learn's bundled diabetes data (442 patients,
10 features; its target is standardised too) and sizes the first layer from
its features.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from _common import (
    dataset_or_exit,
    make_parser,
    parse_args,
    plt,
    print_table,
    progress,
    save_figure,
)
from sklearn.preprocessing import StandardScaler

import minigrad
from minigrad import data, nn, optim

F = nn.functional  # as torch.nn.functional


def load(name: str, seed: int) -> tuple[np.ndarray, ...]:
    """(x_train, y_train, x_test, y_test): standardised features, targets as columns."""
    if name == "diabetes":
        X, y = data.load_diabetes()
    else:
        with dataset_or_exit("Try: python examples/housing_regression.py --data diabetes"):
            X, y = data.load_california_housing()
    order = np.random.default_rng(seed).permutation(len(X))
    n_test = len(X) // 5  # hold out a fifth
    test, train = order[:n_test], order[n_test:]
    scaler = StandardScaler().fit(X[train])  # statistics of the training part only
    x_train, x_test = scaler.transform(X[train]), scaler.transform(X[test])
    y_train, y_test = y[train, None], y[test, None]  # shape (n, 1), like the model's output
    if name == "diabetes":  # targets 25..346: standardise them too, for a loss near 1
        target = StandardScaler().fit(y_train)
        y_train, y_test = target.transform(y_train), target.transform(y_test)
    return tuple(a.astype(np.float32) for a in (x_train, y_train, x_test, y_test))


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = make_parser(__doc__)
    parser.add_argument(
        "--data",
        choices=["california", "diabetes"],
        default="california",
        help="California housing (downloaded once) or diabetes (offline)",
    )
    parser.add_argument("--epochs", type=int, default=4000, help="epochs (default: 4000)")
    parser.add_argument("--batch-size", type=int, default=256, help="batch size (256)")
    parser.add_argument(
        "--print-interval",
        type=int,
        default=200,
        help="print the loss every this many epochs (200)",
    )
    parser.add_argument(
        "--plateau",
        action="store_true",
        help="start at lr 0.01 and halve it when the loss stops improving",
    )
    args = parse_args(parser, argv)

    x, y, x_test, y_test = (
        minigrad.tensor(a, device=args.device) for a in load(args.data, args.seed)
    )
    print(f"{args.data}: x {x.shape}, y {y.shape} for training; {len(x_test)} held out")

    model = nn.Sequential(
        nn.Linear(x.size(-1), 6),  # as many inputs as the data has features
        nn.LeakyReLU(),
        nn.Linear(6, 5),
        nn.LeakyReLU(),
        nn.Linear(5, 4),
        nn.LeakyReLU(),
        nn.Linear(4, 3),
        nn.LeakyReLU(),
        nn.Linear(3, y.size(-1)),
    ).to(args.device)
    optimizer = optim.Adam(model.parameters(), lr=0.01 if args.plateau else 0.001)
    scheduler = (
        optim.lr_scheduler.ReduceLROnPlateau(optimizer, factor=0.5, patience=10)
        if args.plateau
        else None
    )

    epoch_losses, lrs = [], []
    start = time.perf_counter()
    for i in progress(range(args.epochs), "epochs"):
        # Shuffle every epoch: a random order of the rows, applied to x and y alike.
        indices = minigrad.randperm(x.size(0), device=args.device)
        x_ = minigrad.index_select(x, dim=0, index=indices)
        y_ = minigrad.index_select(y, dim=0, index=indices)
        # Split the *shuffled* tensors. (The notes' script split x and y here, so its
        # mini-batches were the same in every epoch: the shuffle had no effect.)
        x_ = x_.split(args.batch_size, dim=0)
        y_ = y_.split(args.batch_size, dim=0)

        total_loss = 0.0
        for x_i, y_i in zip(x_, y_, strict=True):
            y_hat_i = model(x_i)
            loss = F.mse_loss(y_hat_i, y_i)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total_loss += float(loss)

        total_loss = total_loss / len(x_)
        epoch_losses.append(total_loss)
        lrs.append(optimizer.param_groups[0]["lr"])
        if scheduler is not None:
            scheduler.step(total_loss)  # lowers the rate when the loss stops improving
        if (i + 1) % args.print_interval == 0:
            print("Epoch %d: loss=%.4e" % (i + 1, total_loss))  # noqa: UP031  (the notes' format)
    seconds = time.perf_counter() - start

    # Held-out predictions: no training, so no graph (no_grad) and eval mode.
    model.eval()
    with minigrad.no_grad():
        y_hat_test = model(x_test)
        test_mse = F.mse_loss(y_hat_test, y_test).item()
        train_mse = F.mse_loss(model(x), y).item()
    y_true = y_test.cpu().numpy().ravel()  # .cpu() first: NumPy and matplotlib need host data
    y_pred = y_hat_test.cpu().numpy().ravel()
    r2 = 1 - test_mse / float(np.var(y_true))

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4.5))
    left.plot(np.arange(1, len(epoch_losses) + 1), epoch_losses, label="training loss")
    left.set(xlabel="epoch", ylabel="MSE", yscale="log", title=f"training ({args.data})")
    if args.plateau:
        twin = left.twinx()
        twin.plot(np.arange(1, len(lrs) + 1), lrs, color="black", ls="--")
        twin.set(yscale="log", ylabel="learning rate (dashed)")
    right.scatter(y_true, y_pred, s=6, alpha=0.5)
    low, high = float(min(y_true.min(), y_pred.min())), float(max(y_true.max(), y_pred.max()))
    right.plot([low, high], [low, high], color="red", lw=1, label="ŷ = y")
    right.set(
        xlabel="y (true)",
        ylabel="ŷ (predicted)",
        aspect="equal",
        title=f"held-out data: MSE {test_mse:.3f}, R² {r2:.2f}",
    )
    right.legend()
    fig.tight_layout()
    figure = save_figure(fig, args.out, f"housing_regression_{args.data}")

    summary = {
        "data": args.data,
        "epochs": args.epochs,
        "final epoch loss": epoch_losses[-1],
        "train MSE": train_mse,
        "held-out MSE": test_mse,
        "held-out R²": r2,
        "final lr": lrs[-1],
        "time (s)": seconds,
    }
    print_table([summary], formats={"time (s)": "{:.1f}"})
    return summary | {"losses": epoch_losses, "lrs": lrs, "figures": [figure]}


if __name__ == "__main__":
    main()
