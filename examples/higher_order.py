"""Higher-order derivatives with autograd alone: Newton's method and the derivatives of tanh.

DeZero's lessons (steps 33–35) differentiate a gradient again. backward() with
create_graph=True (or minigrad.autograd.grad) records the gradient computation
itself, so the gradient is a tensor whose own gradient can be taken.

1. Newton's method on f(x) = x⁴ − 2x² from x = 2 uses the second derivative,

       x ← x − f'(x) / f''(x),

   and reaches the minimum x = 1 in about 7 steps; gradient descent with a
   well-chosen learning rate needs over a hundred.
2. tanh and its first few derivatives, each obtained by differentiating the
   previous one, on one figure.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from _common import make_parser, parse_args, plt, print_table, save_figure

import minigrad


def f(x: Any) -> Any:
    """f(x) = x⁴ − 2x²: minima at x = ±1."""
    return x**4 - 2 * x**2


def newton(x0: float, steps: int, device: str) -> list[dict[str, float]]:
    """Newton's method with f' and f'' from autograd; one row per step."""
    x = minigrad.tensor(x0, dtype=minigrad.float64, device=device, requires_grad=True)
    rows = []
    for step in range(1, steps + 1):
        (gx,) = minigrad.autograd.grad(f(x), x, create_graph=True)  # f'(x), itself a graph
        (gx2,) = minigrad.autograd.grad(gx, x)  # f''(x) = d f'(x) / dx
        with minigrad.no_grad():
            x -= gx / gx2
        rows.append({"step": step, "x": x.item(), "f'(x)": gx.item(), "f''(x)": gx2.item()})
    return rows


def gradient_descent(x0: float, lr: float, tolerance: float, limit: int, device: str) -> int:
    """How many steps x ← x − lr·f'(x) takes to come within ``tolerance`` of the minimum."""
    x = minigrad.tensor(x0, dtype=minigrad.float64, device=device, requires_grad=True)
    for step in range(1, limit + 1):
        f(x).backward()
        with minigrad.no_grad():
            x -= lr * x.grad
        x.grad = None
        if abs(x.item() - 1.0) < tolerance:
            return step
    return limit


def tanh_derivatives(order: int, device: str) -> tuple[np.ndarray, list[np.ndarray]]:
    """tanh and its derivatives up to ``order``, each the gradient of the one before."""
    x = minigrad.tensor(
        np.linspace(-5, 5, 201), dtype=minigrad.float64, device=device, requires_grad=True
    )
    y = x.tanh()
    curves = [y.detach().cpu().numpy()]
    for _ in range(order):
        (y,) = minigrad.autograd.grad(y.sum(), x, create_graph=True)
        curves.append(y.detach().cpu().numpy())
    return x.detach().cpu().numpy(), curves


def plot(grid: np.ndarray, curves: list[np.ndarray], rows: list[dict[str, float]], out: Any) -> Any:
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    for n, curve in enumerate(curves):
        label = "tanh(x)" if n == 0 else f"d{'' if n == 1 else n}/dx{'' if n == 1 else n} tanh"
        left.plot(grid, curve, label=label)
    left.set(xlabel="x", title="tanh and its derivatives (autograd, create_graph=True)")
    left.legend(fontsize=8)
    xs = np.linspace(-1.6, 2.2, 200)
    right.plot(xs, f(xs), color="0.6", label="f(x) = x⁴ − 2x²")
    path = [2.0] + [row["x"] for row in rows]
    right.plot(path, f(np.array(path)), "o-", color="C3", label="Newton's steps")
    right.set(xlabel="x", ylabel="f(x)", title="Newton's method with f'' from autograd")
    right.legend(fontsize=8)
    fig.tight_layout()
    return save_figure(fig, out, "higher_order")


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = make_parser(__doc__)
    parser.add_argument("--x0", type=float, default=2.0, help="starting point (default: 2)")
    parser.add_argument("--steps", type=int, default=10, help="Newton steps (default: 10)")
    parser.add_argument("--order", type=int, default=4, help="derivatives of tanh (default: 4)")
    parser.add_argument(
        "--lr", type=float, default=0.01, help="gradient descent's learning rate (0.01)"
    )
    args = parse_args(parser, argv)

    rows = newton(args.x0, args.steps, args.device)
    print_table(rows, title=f"Newton's method on f(x) = x⁴ − 2x² from x = {args.x0:g}")
    newton_steps = next((row["step"] for row in rows if abs(row["x"] - 1.0) < 1e-10), len(rows))
    descent_steps = gradient_descent(args.x0, args.lr, 1e-10, 100_000, args.device)
    print(
        f"\nwithin 1e-10 of the minimum: Newton after {newton_steps} steps, gradient descent "
        f"(lr={args.lr:g}) after {descent_steps}"
    )
    grid, curves = tanh_derivatives(args.order, args.device)
    figure = plot(grid, curves, rows, args.out)
    return {
        "newton": rows,
        "newton_steps": newton_steps,
        "descent_steps": descent_steps,
        "tanh": curves,
        "figures": [figure],
    }


if __name__ == "__main__":
    main()
