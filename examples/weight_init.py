"""Why initial weights matter: activation histograms of a 5-layer network (seed 002 §8).

1000 random inputs go through 5 layers of 100 units (no training, no biases).
We look at the distribution of each layer's activations for five ways of
drawing the initial weights:

- std 1 with sigmoid: the activations pile up at 0 and 1, where the sigmoid is
  flat, so its gradient vanishes ("gradient vanishing").
- std 0.01 with sigmoid: they all pile up at 0.5: every unit outputs the same
  thing, so 100 units are no better than one ("limited expressive power").
- Xavier (std 1/√n, nn.init.xavier_normal_) with sigmoid or tanh: the spread
  stays broad in every layer.
- He (std √(2/n), nn.init.kaiming_normal_) with ReLU: ReLU zeroes half its
  inputs, so the weights need twice the variance; the spread is then kept.
  (Those exact zeros would be one tall bar that flattens all the others: the
  ReLU histograms show the positive outputs, and each panel says what share of
  the outputs are 0.)

Optimizers choose how to walk down the mountain; the initial weights choose
where the walk starts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from _common import make_parser, parse_args, plt, print_table, save_figure

import minigrad
from minigrad import nn

LAYERS, UNITS, SAMPLES = 5, 100, 1000

# name: (how to initialise a weight tensor in place, activation, histogram range)
SETUPS: dict[str, tuple[Callable[[Any], Any], Callable[[Any], Any], tuple[float, float]]] = {
    "std 1, sigmoid": (lambda w: nn.init.normal_(w, std=1.0), minigrad.sigmoid, (0, 1)),
    "std 0.01, sigmoid": (lambda w: nn.init.normal_(w, std=0.01), minigrad.sigmoid, (0, 1)),
    "Xavier, sigmoid": (nn.init.xavier_normal_, minigrad.sigmoid, (0, 1)),
    "Xavier, tanh": (nn.init.xavier_normal_, minigrad.tanh, (-1, 1)),
    "He, ReLU": (
        lambda w: nn.init.kaiming_normal_(w, nonlinearity="relu"),
        minigrad.relu,
        (0, 3),
    ),
}


def activations(x: Any, init: Callable[[Any], Any], activation: Callable[[Any], Any]) -> list:
    """Push ``x`` through LAYERS fresh Linear layers; return their activations (on the host)."""
    outputs = []
    with minigrad.no_grad():  # no training here: no graph needed
        for _ in range(LAYERS):
            layer = nn.Linear(UNITS, UNITS, bias=False).to(x.device)
            init(layer.weight)
            x = activation(layer(x))
            outputs.append(x.cpu().numpy().ravel())  # .cpu() first: works on a GPU too
    return outputs


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = make_parser(__doc__)
    args = parse_args(parser, argv)

    x = minigrad.randn(SAMPLES, UNITS, device=args.device)  # the same inputs for every setup
    fig, axes = plt.subplots(len(SETUPS), LAYERS, figsize=(12, 10), sharey="row")
    rows, relu_zeros = [], []
    for row, (name, (init, activation, value_range)) in zip(axes, SETUPS.items(), strict=True):
        acts = activations(x, init, activation)
        for layer, (ax, a) in enumerate(zip(row, acts, strict=True), start=1):
            if activation is minigrad.relu:
                # ReLU outputs exactly 0 for about half its inputs: that spike would flatten
                # every other bar, so the histogram shows the positive outputs and says how
                # many zeros it leaves out.
                zeros = float(np.mean(a == 0))
                relu_zeros.append(zeros)
                a = a[a > 0]
                ax.text(
                    0.97,
                    0.95,
                    f"{zeros:.0%} are 0\n(not drawn)",
                    transform=ax.transAxes,
                    ha="right",
                    va="top",
                    fontsize=8,
                )
            ax.hist(a, bins=30, range=value_range, color="C0")
            ax.set_title(f"layer {layer}", fontsize=9)
            ax.tick_params(labelsize=7)
            ax.set_yticks([])
        row[0].set_ylabel(name, fontsize=10)
        rows.append(
            {"weights, activation": name}
            | {f"std L{i}": float(np.std(a)) for i, a in enumerate(acts, start=1)}
        )
    fig.suptitle("activations of a 5-layer, 100-unit network for different initial weights")
    fig.tight_layout()
    figure = save_figure(fig, args.out, "weight_init")
    print_table(rows, title="standard deviation of each layer's activations")
    print(
        "He, ReLU: share of exact zeros per layer (left out of the histograms): "
        + ", ".join(f"{z:.0%}" for z in relu_zeros)
    )
    return {"rows": rows, "relu_zeros": relu_zeros, "figures": [figure]}


if __name__ == "__main__":
    main()
