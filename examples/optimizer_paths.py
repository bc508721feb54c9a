"""Six optimizers race down f(x, y) = x²/20 + y² from (−7, 2) in 30 steps (seed 002).

f is a long, narrow valley: steep along y, almost flat along x, so the
gradient (x/10, 2y) points mostly across the valley rather than along it.

- SGD (lr 0.95) zig-zags across the valley and crawls along it.
- Momentum (lr 0.1) and Nesterov (lr 0.3) gather speed along the valley:
  the zig-zags cancel out, the steps along x add up.
- AdaGrad (lr 1.5), RMSprop (lr 0.3) and Adam (lr 0.3) give each coordinate its
  own step size, so the flat x direction gets large steps and y small ones.

The race is run twice, as the notes' learning rates prescribe:
1. with the book-style optimizers (minigrad.optim.book) and the gradient by
   hand, exactly the notes' optimizer_compare_naive.py;
2. through autograd: a tensor p = [x, y], loss = f(p), loss.backward() and the
   PyTorch-style optimizers (minigrad.optim) with opt.step().
Both figures are 3×2 grids of contour plots with each path in red. The two runs
agree, to rounding or to Adam's ε. (For Nesterov this holds for the book's code
as its author corrected it in 2021, which minigrad's book.Nesterov follows; the
first printing applied momentum² to the updated velocity, another path.)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from _common import describe_optimizer, make_parser, parse_args, plt, print_table, save_figure

import minigrad
from minigrad import optim

START = (-7.0, 2.0)


def f(x: Any, y: Any) -> Any:
    return x**2 / 20.0 + y**2


def df(x: float, y: float) -> tuple[float, float]:
    return x / 10.0, 2.0 * y


# name: (book-style optimizer, PyTorch-style optimizer on a list of tensors), same learning rate.
# AdaGrad/RMSprop get the book's ε = 1e-7 (PyTorch's defaults are 1e-10 and 1e-8).
OPTIMIZERS: dict[str, tuple[Callable[[], Any], Callable[[list], optim.Optimizer]]] = {
    "SGD": (lambda: optim.book.SGD(lr=0.95), lambda p: optim.SGD(p, lr=0.95)),
    "Momentum": (
        lambda: optim.book.Momentum(lr=0.1),
        lambda p: optim.SGD(p, lr=0.1, momentum=0.9),
    ),
    "AdaGrad": (lambda: optim.book.AdaGrad(lr=1.5), lambda p: optim.Adagrad(p, lr=1.5, eps=1e-7)),
    "Adam": (lambda: optim.book.Adam(lr=0.3), lambda p: optim.Adam(p, lr=0.3)),
    "RMSprop": (lambda: optim.book.RMSprop(lr=0.3), lambda p: optim.RMSprop(p, lr=0.3, eps=1e-7)),
    "Nesterov": (
        lambda: optim.book.Nesterov(lr=0.3),
        lambda p: optim.SGD(p, lr=0.3, momentum=0.9, nesterov=True),
    ),
}


def book_path(opt: Any, steps: int) -> np.ndarray:
    """The notes' loop: params and grads are dicts of plain numbers; returns steps + 1 points."""
    params = {"x": START[0], "y": START[1]}
    grads = {}
    path = [START]
    for _ in range(steps):
        grads["x"], grads["y"] = df(params["x"], params["y"])  # the gradient by hand
        opt.update(params, grads)
        path.append((params["x"], params["y"]))
    return np.array(path)


def autograd_path(
    make: Callable[[list], optim.Optimizer], steps: int, device: str
) -> tuple[np.ndarray, optim.Optimizer]:
    """The same race with autograd: one tensor p = [x, y] and a PyTorch-style optimizer."""
    p = minigrad.tensor(START, dtype=minigrad.float64, device=device, requires_grad=True)
    opt = make([p])
    path = [START]
    for _ in range(steps):
        opt.zero_grad()
        loss = f(p[0], p[1])
        loss.backward()  # p.grad = (x/10, 2y)
        opt.step()
        path.append(tuple(p.detach().cpu().numpy()))  # .cpu() first: works on a GPU too
    return np.array(path), opt


def plot(
    paths: dict[str, np.ndarray],
    title: str,
    out: Any,
    name: str,
    ghosts: dict[str, np.ndarray] | None = None,
) -> Any:
    """The notes' figure: 3×2 contour plots (values above 7 masked), each path in red."""
    x = np.arange(-10, 10, 0.05)
    y = np.arange(-5, 5, 0.05)
    X, Y = np.meshgrid(x, y)
    Z = f(X, Y)
    Z[Z > 7] = 0  # simplify the outer contour lines, as the notes do
    fig, axes = plt.subplots(3, 2, figsize=(9, 11))
    for ax, (key, path) in zip(axes.flat, paths.items(), strict=True):
        ax.contour(X, Y, Z)
        if ghosts is not None:  # the book-style path underneath, for comparison
            ax.plot(
                ghosts[key][:, 0], ghosts[key][:, 1], "--", color="grey", lw=1, label="book-style"
            )
            ax.legend(loc="lower right", fontsize=8)
        ax.plot(path[:, 0], path[:, 1], "o-", color="red", markersize=3)
        ax.plot(0, 0, "+", color="black", markersize=10)
        ax.set(xlim=(-10, 10), ylim=(-10, 10), title=key, xlabel="x", ylabel="y")
    fig.suptitle(title)
    fig.tight_layout()
    return save_figure(fig, out, name)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = make_parser(__doc__)
    parser.add_argument("--steps", type=int, default=30, help="steps per optimizer (default: 30)")
    args = parse_args(parser, argv)

    book, auto, rows = {}, {}, []
    for name, (make_book, make_torch) in OPTIMIZERS.items():
        book_opt = make_book()
        book[name] = book_path(book_opt, args.steps)
        auto[name], torch_opt = autograd_path(make_torch, args.steps, args.device)
        rows.append(
            {
                "optimizer": name,
                "book-style": repr(book_opt),
                "autograd": describe_optimizer(torch_opt),
                "end (book)": f"({book[name][-1, 0]:+.3f}, {book[name][-1, 1]:+.3f})",
                "dist to min": math.hypot(*book[name][-1]),
                "max gap book/autograd": float(np.max(np.abs(book[name] - auto[name]))),
            }
        )
    print_table(rows, title=f"{args.steps} steps from {START} on f = x²/20 + y²")

    figures = [
        plot(book, "book-style optimizers (optim.book)", args.out, "optimizer_paths"),
        plot(
            auto,
            "autograd + PyTorch-style optimizers (optim)",
            args.out,
            "optimizer_paths_autograd",
            ghosts=book,
        ),
    ]
    return {"book": book, "autograd": auto, "rows": rows, "figures": figures}


if __name__ == "__main__":
    main()
