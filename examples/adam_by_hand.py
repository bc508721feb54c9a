"""Adam by hand: the two worked exercises of seed 002, checked against minigrad.

Adam keeps two running averages per parameter: m, of the gradients (momentum),
and v, of the squared gradients (an adaptive step size). The book's form, with
lr = 1 and β1 = β2 = 1/2, starting from m = v = 0:

    m ← m + (1 − β1)(g − m)             v ← v + (1 − β2)(g² − v)
    lr_t = lr·√(1 − β2ᵗ) / (1 − β1ᵗ)     (bias correction)
    x ← x − lr_t · m / (√v + 1e-7)

Exercise 1: f(x, y) = xy from (1, 2), ∇f = (y, x).
Exercise 2: f(x, y) = x² + xy from (1, 1), ∇f = (2x + y, x).

Each step prints m, v and the new parameters from minigrad.optim.book.Adam
beside the closed forms worked out by hand in the notes. The gradients come
from autograd (on --device). They differ from the hand-worked ones by about
1e-7 because of the 1e-7 in the denominator: x1 is 7e-8, not exactly 0.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from _common import make_parser, parse_args, plt, print_table, save_figure

import minigrad
from minigrad import optim

SQRT2, SQRT3 = math.sqrt(2), math.sqrt(3)

# The notes' exercises: f, the start, and (m, v, x) after each step, worked out by hand.
EXERCISES: dict[str, dict[str, Any]] = {
    "f(x, y) = xy": {
        "f": lambda x, y: x * y,
        "start": (1.0, 2.0),
        "exact": [
            {"m": (1, 1 / 2), "v": (2, 1 / 2), "x": (0, 1)},
            {"m": (1, 1 / 4), "v": (3 / 2, 1 / 4), "x": (-2 * SQRT2 / 3, 1 - SQRT3 / 3)},
        ],
    },
    "f(x, y) = x² + xy": {
        "f": lambda x, y: x**2 + x * y,
        "start": (1.0, 1.0),
        "exact": [
            {"m": (3 / 2, 1 / 2), "v": (9 / 2, 1 / 2), "x": (0, 0)},
            {"m": (3 / 4, 1 / 4), "v": (9 / 4, 1 / 4), "x": (-SQRT3 / 3, -SQRT3 / 3)},
        ],
    },
}


def gradient(f: Callable[[Any, Any], Any], params: dict[str, float], device: str) -> dict:
    """∇f at ``params`` by autograd: the book's ``grads`` dict, as plain floats."""
    x = minigrad.tensor(params["x"], dtype=minigrad.float64, device=device, requires_grad=True)
    y = minigrad.tensor(params["y"], dtype=minigrad.float64, device=device, requires_grad=True)
    f(x, y).backward()
    return {"x": x.grad.item(), "y": y.grad.item()}


def run_exercise(f: Callable[[Any, Any], Any], start: tuple, steps: int, device: str) -> list:
    """Two Adam steps as in the notes; returns m, v, x (tuples) after each step."""
    opt = optim.book.Adam(1.0, 1 / 2, 1 / 2)  # lr = 1, β1 = β2 = 1/2
    params = {"x": start[0], "y": start[1]}
    history = [{"m": None, "v": None, "x": start}]
    for _ in range(steps):
        grads = gradient(f, params, device)
        opt.update(params, grads)  # changes params in place
        history.append(
            {
                "m": (float(opt.m["x"]), float(opt.m["y"])),
                "v": (float(opt.v["x"]), float(opt.v["y"])),
                "x": (params["x"], params["y"]),
            }
        )
    return history


def fmt(pair: tuple) -> str:
    return f"({pair[0]:+.6f}, {pair[1]:+.6f})"


def plot(results: dict[str, list], out: Any) -> Any:
    """Each exercise's two steps on the contour lines of its f."""
    fig, axes = plt.subplots(1, 2, figsize=(9, 4.2))
    grid = np.linspace(-2.5, 2.5, 201)
    X, Y = np.meshgrid(grid, grid)
    for ax, (name, history) in zip(axes, results.items(), strict=True):
        ax.contour(X, Y, EXERCISES[name]["f"](X, Y), levels=20, cmap="coolwarm", alpha=0.6)
        path = np.array([h["x"] for h in history])
        ax.plot(path[:, 0], path[:, 1], "o-", color="red")
        for t, point in enumerate(path):
            ax.annotate(f"x{t}", point, xytext=(5, 5), textcoords="offset points")
        ax.set(title=f"Adam(1, 1/2, 1/2) on {name}", xlabel="x", ylabel="y", aspect="equal")
    fig.tight_layout()
    return save_figure(fig, out, "adam_by_hand")


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = make_parser(__doc__)
    args = parse_args(parser, argv)

    results, summary = {}, {}
    for number, (name, exercise) in enumerate(EXERCISES.items(), start=1):
        history = run_exercise(exercise["f"], exercise["start"], 2, args.device)
        results[name] = history
        rows, worst = [], 0.0
        for t, (got, exact) in enumerate(zip(history[1:], exercise["exact"], strict=True)):
            for key in ("m", "v", "x"):
                rows.append(
                    {
                        "step": f"{key}{t}" if key != "x" else f"x{t + 1}",
                        "minigrad": fmt(got[key]),
                        "by hand": fmt(exact[key]),
                    }
                )
                worst = max(worst, float(np.max(np.abs(np.subtract(got[key], exact[key])))))
        print_table(rows, title=f"\nExercise {number}: {name} from {exercise['start']}")
        print(f"largest difference: {worst:.1e}")
        summary[name] = {"history": history, "exact": exercise["exact"], "max_abs_error": worst}

    figure = plot(results, args.out)
    return {"exercises": summary, "figures": [figure]}


if __name__ == "__main__":
    main()
