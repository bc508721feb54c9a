"""Gradient descent with a numerical gradient, on f(x0, x1) = x0² + x1² (seed 001).

The lesson: to find the minimum of a function, repeatedly take a small step
against its gradient,

    x ← x − η ∇f(x)        (η: the learning rate)

Here the gradient is measured numerically, by central differences, one
coordinate at a time (minigrad.numerical_gradient, h = 1e-4, as in the notes).
From x = [-3, 4] with η = 0.1, 100 steps end at the notes' answer
[-6.11110793e-10, 8.14814391e-10]. The same descent is then run with autograd
(backward() gives the exact gradient 2x) on --device.

The learning rate matters: too large and every step overshoots the minimum
(it diverges); too small and 100 steps barely move. The figure shows the three
paths on the contour lines of f and f(x) against the step.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from _common import make_parser, parse_args, plt, print_table, save_figure

import minigrad

#: The notes' result for lr=0.1, 100 steps from [-3, 4].
NOTES_RESULT = np.array([-6.11110793e-10, 8.14814391e-10])
INIT_X = [-3.0, 4.0]


def function_2(x: Any) -> Any:
    """f(x) = x0² + x1² (the notes' ``function_2``); works on arrays and tensors alike."""
    return x[0] ** 2 + x[1] ** 2


def gradient_descent(
    f: Callable[[Any], Any], init_x: np.ndarray, lr: float = 0.01, step_num: int = 100
) -> tuple[np.ndarray, np.ndarray]:
    """The notes' gradient descent; returns the final x and the path (step_num + 1 points)."""
    x = init_x.copy()
    path = [x.copy()]
    for _ in range(step_num):
        grad = minigrad.numerical_gradient(f, x)  # central differences, h = 1e-4
        x -= lr * grad
        path.append(x.copy())
    return x, np.array(path)


def autograd_descent(lr: float, step_num: int, device: str) -> np.ndarray:
    """The same descent, with the gradient from autograd instead of finite differences."""
    x = minigrad.tensor(INIT_X, dtype=minigrad.float64, device=device, requires_grad=True)
    for _ in range(step_num):
        loss = function_2(x)
        loss.backward()  # x.grad = ∂f/∂x = 2x
        with minigrad.no_grad():  # the update itself must not be recorded in the graph
            x -= lr * x.grad
        x.grad = None  # backward() accumulates: clear the gradient before the next step
    return x.detach().cpu().numpy()


def plot(paths: dict[str, np.ndarray], out: Any) -> Any:
    """One contour panel per learning rate with its path, and f(x) against the step."""
    fig, axes = plt.subplots(2, 2, figsize=(8, 7.5))
    grid = np.linspace(-6, 6, 201)
    X0, X1 = np.meshgrid(grid, grid)
    Z = function_2(np.stack([X0, X1]))
    colors = ["C0", "C3", "C2"]
    for ax, (label, path), color in zip(axes.flat, paths.items(), colors, strict=False):
        ax.contour(X0, X1, Z, levels=12, cmap="Greys", alpha=0.5)
        ax.plot(path[:, 0], path[:, 1], "o-", color=color, markersize=3, lw=0.8)
        big_steps = np.linalg.norm(path[1] - path[0]) > 0.2
        for step in range(1, 6) if big_steps else ():  # number the first steps
            ax.annotate(
                str(step), path[step], fontsize=7, xytext=(3, 3), textcoords="offset points"
            )
        ax.plot(0, 0, "k+", markersize=12)
        ax.set(xlim=(-6, 6), ylim=(-6, 6), aspect="equal", xlabel="x0", ylabel="x1", title=label)
        axes[1, 1].semilogy(function_2(path.T), color=color, label=label)
    axes[1, 1].set(xlabel="step", ylabel="f(x) = x0² + x1²", title="f(x) per step")
    axes[1, 1].legend(fontsize=8)
    fig.tight_layout()
    return save_figure(fig, out, "gradient_descent")


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = make_parser(__doc__)
    parser.add_argument("--lr", type=float, default=0.1, help="learning rate (default: 0.1)")
    parser.add_argument("--steps", type=int, default=100, help="number of steps (default: 100)")
    parser.add_argument("--too-large", type=float, default=1.05, help="a too-large lr (1.05)")
    parser.add_argument("--too-small", type=float, default=0.001, help="a too-small lr (0.001)")
    args = parse_args(parser, argv)

    # 1. The notes' run: numerical gradient, lr=0.1, 100 steps from [-3, 4].
    init_x = np.array(INIT_X)
    result, path = gradient_descent(function_2, init_x, lr=args.lr, step_num=args.steps)
    print(f"numerical gradient descent: {result}")
    print(f"the notes' result         : {NOTES_RESULT}")
    relative = float(np.max(np.abs(result - NOTES_RESULT) / np.abs(NOTES_RESULT)))
    print(f"relative difference       : {relative:.1e}  (the notes print 9 digits)")

    # 2. The same with autograd on the chosen device: the gradient is exact, not estimated.
    autograd_result = autograd_descent(args.lr, args.steps, args.device)
    print(f"autograd on {args.device:<14}: {autograd_result}")

    # 3. The effect of the learning rate.
    paths = {f"lr={args.lr:g}": path}
    rows = [{"lr": args.lr, "x0": result[0], "x1": result[1], "f(x)": float(function_2(result))}]
    for name, lr in (("too large", args.too_large), ("too small", args.too_small)):
        x, p = gradient_descent(function_2, init_x, lr=lr, step_num=args.steps)
        paths[f"lr={lr:g} ({name})"] = p
        rows.append({"lr": lr, "x0": x[0], "x1": x[1], "f(x)": float(function_2(x))})
    print()
    print_table(rows, title=f"after {args.steps} steps from {INIT_X}")
    figure = plot(paths, args.out)

    return {
        "numerical": result,
        "autograd": autograd_result,
        "notes": NOTES_RESULT,
        "relative_difference": relative,
        "rows": rows,
        "figures": [figure],
    }


if __name__ == "__main__":
    main()
