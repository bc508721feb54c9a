"""Refresh the README's figures: run every example with --out examples/figures.

Running an example on its own writes its figure to ``out/`` (ignored by git), so
the README's thumbnails in ``examples/figures/`` change only when you mean them
to: run this script, look at the new figures, and commit them::

    python examples/make_figures.py                      # every figure (a few minutes)
    python examples/make_figures.py --only weight_init   # just one example

Each example runs with its default settings (the ones the README describes),
except where a figure needs data that ships with minigrad (``--data diabetes``).
"""

from __future__ import annotations

import argparse
import importlib
import time
from collections.abc import Sequence
from pathlib import Path

from _common import README_FIGURES

#: example module -> the extra arguments that produce the README's figure(s).
FIGURES: dict[str, list[str]] = {
    "gradient_descent": [],
    "adam_by_hand": [],
    "higher_order": [],
    "optimizer_paths": [],
    "optimizer_race": [],
    "housing_regression": ["--data", "diabetes"],
    "weight_init": [],
    "regularization": [],
    "batch_norm": [],
    "lr_schedules": [],
    "cnn_mnist": [],
}


def main(argv: Sequence[str] | None = None) -> list[Path]:
    """Run the chosen examples into ``--out`` (default: examples/figures); return the figures."""
    title, _, rest = (__doc__ or "").strip().partition("\n")
    parser = argparse.ArgumentParser(
        description=title, epilog=rest, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--only",
        nargs="+",
        choices=list(FIGURES),
        default=list(FIGURES),
        metavar="EXAMPLE",
        help=f"which examples to run (default: all of {', '.join(FIGURES)})",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=README_FIGURES,
        help="folder for the figures (default: examples/figures, the README's)",
    )
    args = parser.parse_args(argv)
    figures: list[Path] = []
    for name in args.only:
        print(f"=== {name} {' '.join(FIGURES[name])}")
        start = time.perf_counter()
        summary = importlib.import_module(name).main([*FIGURES[name], "--out", str(args.out)])
        figures += [Path(f) for f in summary["figures"]]
        print(f"=== {name}: {time.perf_counter() - start:.1f} s\n")
    return figures


if __name__ == "__main__":
    main()
