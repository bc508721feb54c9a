"""Learning-rate schedulers: how the learning rate changes over 100 epochs (seed 004).

A large learning rate learns fast at first but cannot settle into a minimum;
a small one settles but crawls. A scheduler starts large and lowers the rate
as training goes on. It changes ``optimizer.param_groups[i]['lr']`` and is
called once per epoch, after ``optimizer.step()``:

    StepLR(opt, step_size=10, gamma=0.1)             × 0.1 every 10 epochs
    MultiStepLR(opt, milestones=[30, 80], gamma=0.1) × 0.1 at epochs 30 and 80
    ExponentialLR(opt, gamma=0.9)                    × 0.9 every epoch
    CosineAnnealingLR(opt, T_max=50)                 half a cosine wave down to 0 in 50 epochs,
                                                     then back up (a full period is 100)
    ReduceLROnPlateau(opt, factor=0.5, patience=5)   × 0.5 when the loss has not improved
                                                     for 5 epochs (seed 000's "adaptive
                                                     learning rate")

The first four are fixed schedules: they do not look at the training. The last
one reacts to it, so it is shown on a real training: a small network fitting
scikit-learn's diabetes data (offline) with SGD, the epoch loss passed to
``scheduler.step(loss)``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from _common import make_parser, parse_args, plt, print_table, progress, save_figure

import minigrad
from minigrad import nn, optim
from minigrad.data import load_diabetes

F = nn.functional  # as torch.nn.functional
sched = optim.lr_scheduler

BASE_LR = 0.1
SCHEDULES: dict[str, Callable[[optim.Optimizer], Any]] = {
    "StepLR(10, 0.1)": lambda opt: sched.StepLR(opt, step_size=10, gamma=0.1),
    "MultiStepLR([30, 80], 0.1)": lambda opt: sched.MultiStepLR(
        opt, milestones=[30, 80], gamma=0.1
    ),
    "ExponentialLR(0.9)": lambda opt: sched.ExponentialLR(opt, gamma=0.9),
    "CosineAnnealingLR(50)": lambda opt: sched.CosineAnnealingLR(opt, T_max=50),
}


def fixed_schedule(make: Callable[[optim.Optimizer], Any], epochs: int) -> list[float]:
    """The learning rate used in each epoch by a schedule that ignores the training."""
    weight = minigrad.zeros(1, requires_grad=True)  # a stand-in parameter: only the lr matters
    opt = optim.SGD([weight], lr=BASE_LR)
    scheduler = make(opt)
    lrs = []
    for _ in range(epochs):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()  # (the training of one epoch would go here)
        scheduler.step()
    return lrs


def plateau_training(epochs: int, batch_size: int, device: str) -> tuple[list, list]:
    """Train a small MLP on the diabetes data with ReduceLROnPlateau; return lrs and losses."""
    X, y = load_diabetes()
    X = (X - X.mean(0)) / X.std(0)  # standardised features and target
    y = (y - y.mean()) / y.std()
    x_all = minigrad.tensor(X, device=device)
    y_all = minigrad.tensor(y[:, None], device=device)

    model = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 1)).to(device)
    opt = optim.SGD(model.parameters(), lr=BASE_LR, momentum=0.9)
    scheduler = sched.ReduceLROnPlateau(opt, factor=0.5, patience=5)
    lrs, losses = [], []
    for _ in progress(range(epochs), "ReduceLROnPlateau"):
        lrs.append(opt.param_groups[0]["lr"])
        order = minigrad.randperm(len(x_all), device=device)  # a new order every epoch
        total = 0.0
        batches = zip(
            x_all.index_select(0, order).split(batch_size),
            y_all.index_select(0, order).split(batch_size),
            strict=True,
        )
        for xb, yb in batches:
            loss = F.mse_loss(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(xb)
        losses.append(total / len(x_all))
        scheduler.step(losses[-1])  # the scheduler watches the epoch loss
    return lrs, losses


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = make_parser(__doc__)
    parser.add_argument("--epochs", type=int, default=100, help="epochs (default: 100)")
    parser.add_argument("--batch-size", type=int, default=32, help="batch size (default: 32)")
    args = parse_args(parser, argv)

    lrs = {name: fixed_schedule(make, args.epochs) for name, make in SCHEDULES.items()}
    plateau_lrs, losses = plateau_training(args.epochs, args.batch_size, args.device)
    lrs["ReduceLROnPlateau(0.5, 5)"] = plateau_lrs

    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5))
    for name, values in lrs.items():
        left.plot(values, label=name, lw=2 if "Plateau" in name else 1.5)
    left.set(
        yscale="log",
        ylim=(1e-5, 0.2),
        xlabel="epoch",
        ylabel="learning rate",
        title=f"learning-rate schedules (start: {BASE_LR})",
    )
    left.legend(fontsize=8)
    (loss_line,) = right.plot(losses, color="C4")
    right.set(
        yscale="log",
        xlabel="epoch",
        ylabel="training loss (MSE)",
        title="ReduceLROnPlateau on a real training (diabetes)",
    )
    twin = right.twinx()  # a second y-axis for the learning rate
    (lr_line,) = twin.plot(plateau_lrs, color="black", ls="--")
    twin.set(yscale="log", ylabel="learning rate")
    right.legend([loss_line, lr_line], ["epoch loss", "learning rate"], fontsize=8)
    fig.tight_layout()
    figure = save_figure(fig, args.out, "lr_schedules")

    checkpoints = [e for e in (0, 9, 10, 29, 30, 49, 79, 80, args.epochs - 1) if e < args.epochs]
    rows = [
        {"schedule": name} | {f"ep {e}": values[e] for e in checkpoints}
        for name, values in lrs.items()
    ]
    print_table(rows, title="learning rate at a few epochs (epochs counted from 0)")
    print(f"final training loss with ReduceLROnPlateau: {losses[-1]:.4f}")
    return {"lrs": lrs, "losses": losses, "rows": rows, "figures": [figure]}


if __name__ == "__main__":
    main()
