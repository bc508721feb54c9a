"""Small helpers shared by the examples: command line, devices, progress bars, tables, figures.

Every example does the same few chores; they live here so that each example
shows only its lesson::

    parser = make_parser(__doc__)            # --seed, --device, --out (+ the example's own)
    args = parse_args(parser, argv)          # seeds minigrad, checks the device, makes --out
    for step in progress(range(n), "train"): # a tqdm bar, shown only if the loop takes a while
        ...
    print_table(rows)                        # a small aligned summary table
    save_figure(fig, args.out, "name")       # examples/figures/name.png by default

Figures are drawn off-screen: matplotlib's "Agg" backend is selected here,
before ``matplotlib.pyplot`` is imported, so the examples run on machines
without a display. Examples take ``plt`` from this module for that reason.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # draw into PNG files, never open a window

import matplotlib.pyplot as plt  # noqa: E402
from tqdm import tqdm  # noqa: E402

import minigrad  # noqa: E402

__all__ = ["plt", "make_parser", "parse_args", "progress", "print_table", "save_figure"]

#: Where figures go by default: running an example regenerates the README's thumbnails.
DEFAULT_OUT = Path(__file__).resolve().parent / "figures"
#: Figures are saved small: thumbnails for the README, each PNG well under 150 KB.
DPI = 80


def make_parser(doc: str | None, seed: int = 0) -> argparse.ArgumentParser:
    """An argument parser with the options every example has: --seed, --device, --out.

    ``doc`` is the example's module docstring; its first line becomes the
    description shown by ``--help`` and the rest is shown after the options.
    """
    title, _, rest = (doc or "").strip().partition("\n")
    parser = argparse.ArgumentParser(
        description=title,
        epilog=rest.strip() or None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--seed", type=int, default=seed, help="random seed (default: %(default)s)")
    parser.add_argument(
        "--device",
        choices=["cpu", "cuda"],
        default="cpu",
        help="where tensors live: cpu (NumPy) or cuda (CuPy on a GPU) (default: %(default)s)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help="folder for the figures (default: examples/figures)",
    )
    return parser


def parse_args(parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> argparse.Namespace:
    """Parse ``argv``, seed minigrad, check that the device works and create ``--out``."""
    args = parser.parse_args(argv)
    if args.device == "cuda" and not minigrad.cuda.is_available():
        parser.error(f"--device cuda is not usable here: {minigrad.cuda.unavailable_reason()}")
    minigrad.manual_seed(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    return args


def progress(iterable: Iterable[Any], desc: str, **kwargs: Any) -> tqdm:
    """A tqdm progress bar that appears only when the loop runs for more than a second."""
    return tqdm(iterable, desc=desc, delay=1.0, leave=False, dynamic_ncols=True, **kwargs)


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def print_table(rows: Sequence[dict[str, Any]], title: str | None = None) -> str:
    """Print a list of dicts (one per row, same keys) as an aligned table; return its text.

    Numbers are right-aligned (floats with 4 significant digits), text left-aligned;
    pass a preformatted string for any other format.
    """
    if not rows:
        return ""
    headers = list(rows[0])
    cells = [[_cell(row.get(h, "")) for h in headers] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    numeric = [all(isinstance(row.get(h), int | float) for row in rows) for h in headers]

    def line(values: Sequence[str]) -> str:
        return "  ".join(
            v.rjust(w) if num else v.ljust(w)
            for v, w, num in zip(values, widths, numeric, strict=True)
        ).rstrip()

    text = [line(headers), "  ".join("-" * w for w in widths)]
    text += [line(r) for r in cells]
    if title:
        text.insert(0, title)
    out = "\n".join(text)
    print(out)
    return out


def save_figure(fig: Any, out: Path, name: str) -> Path:
    """Save ``fig`` as ``out/name.png`` (small, for thumbnails), close it, return the path."""
    path = Path(out) / f"{name}.png"
    fig.savefig(path, dpi=DPI, bbox_inches="tight")
    plt.close(fig)
    print(f"saved {path}")
    return path
