"""Small helpers shared by the examples: command line, devices, progress bars, tables, figures.

Every example does the same few chores; they live here so that each example
shows only its lesson::

    parser = make_parser(__doc__)            # --seed, --device, --out (+ the example's own)
    args = parse_args(parser, argv)          # seeds minigrad, checks the device, makes --out
    for step in progress(range(n), "train"): # a tqdm bar, shown only if the loop takes a while
        ...
    print_table(rows)                        # a small aligned summary table
    save_figure(fig, args.out, "name")       # out/name.png by default

and, for the MNIST examples, :func:`mnist_split`, :func:`mlp`, :func:`evaluate`
and :func:`describe_optimizer`.

Figures go to ``out/`` at the top of the repository (ignored by git), so running
an example never changes a tracked file. The README's thumbnails in
``examples/figures/`` are refreshed on purpose, by ``python examples/make_figures.py``.

Figures are saved, never shown. On a machine without a display (and outside
IPython/Jupyter), matplotlib's file-only "Agg" backend is selected before
``matplotlib.pyplot`` is imported; inside Jupyter the notebook's backend is left
alone, so its figures still appear inline. Examples take ``plt`` from this module
for that reason.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib


def in_ipython() -> bool:
    """Whether this code runs inside IPython or a Jupyter kernel."""
    ipython = sys.modules.get("IPython")
    get_ipython = getattr(ipython, "get_ipython", None)
    return callable(get_ipython) and get_ipython() is not None


def headless_backend(environ: Mapping[str, str], platform: str, ipython: bool) -> str | None:
    """The backend to select: "Agg" where no window can be drawn and none was chosen, else None.

    None (leave matplotlib's choice alone) inside IPython/Jupyter, when
    ``MPLBACKEND`` names a backend, and where a display exists (Windows, macOS,
    or an X11/Wayland session).
    """
    if ipython or environ.get("MPLBACKEND"):
        return None
    if platform.startswith(("win", "darwin")):
        return None
    if environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"):
        return None
    return "Agg"


_backend = headless_backend(os.environ, sys.platform, in_ipython())
if _backend is not None:
    matplotlib.use(_backend)

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from tqdm import tqdm  # noqa: E402

import minigrad  # noqa: E402
from minigrad import data, metrics, nn  # noqa: E402

__all__ = [
    "plt",
    "make_parser",
    "parse_args",
    "progress",
    "print_table",
    "save_figure",
    "dataset_or_exit",
    "mnist_split",
    "mlp",
    "evaluate",
    "describe_optimizer",
]

#: Where figures go by default: ``out/`` at the top of the repository (ignored by git).
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "out"
#: The README's thumbnails, refreshed by ``python examples/make_figures.py``.
README_FIGURES = Path(__file__).resolve().parent / "figures"
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
        help="folder for the figures (default: out/ at the top of the repository)",
    )
    return parser


def parse_args(parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> argparse.Namespace:
    """Parse ``argv``, seed minigrad, check that the device works and create ``--out``."""
    args = parser.parse_args(argv)
    _one_blas_thread()
    if args.device == "cuda" and not minigrad.cuda.is_available():
        parser.error(f"--device cuda is not usable here: {minigrad.cuda.unavailable_reason()}")
    minigrad.manual_seed(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    return args


def _one_blas_thread() -> None:
    """Run NumPy's matrix products on one thread (unless OPENBLAS/OMP_NUM_THREADS says otherwise).

    The examples' matrices are small (a batch of 128 × 784 at most): one thread
    computes them fastest, while several threads spend their time waiting for
    each other, many times slower on a busy machine. (threadpoolctl comes with
    scikit-learn; without it nothing changes.)
    """
    if any(name in os.environ for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")):
        return
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return
    threadpool_limits(limits=1, user_api="blas")


def progress(iterable: Iterable[Any], desc: str, **kwargs: Any) -> tqdm:
    """A tqdm progress bar that appears only when the loop runs for more than a second."""
    return tqdm(
        iterable, desc=desc, delay=1.0, mininterval=0.5, leave=False, dynamic_ncols=True, **kwargs
    )


def _cell(value: Any, fmt: str | None) -> str:
    if fmt is not None:
        return fmt.format(value)
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def print_table(
    rows: Sequence[dict[str, Any]], title: str | None = None, formats: dict[str, str] | None = None
) -> str:
    """Print a list of dicts (one per row, same keys) as an aligned table; return its text.

    Numbers are right-aligned (floats with 4 significant digits unless ``formats``
    gives a column another format, e.g. ``{"accuracy": "{:.2%}"}``), text left-aligned.
    """
    if not rows:
        return ""
    formats = formats or {}
    headers = list(rows[0])
    cells = [[_cell(row.get(h, ""), formats.get(h)) for h in headers] for row in rows]
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


# ------------------------------------------------------------------------------- data
@contextlib.contextmanager
def dataset_or_exit(hint: str) -> Iterator[None]:
    """Turn a data set that cannot be had into a clean exit: its message and ``hint``.

    ``minigrad.data.DatasetNotAvailableError`` already says what failed and how
    to install the data by hand; a traceback above it would only hide that.
    """
    try:
        yield
    except data.DatasetNotAvailableError as exc:
        raise SystemExit(f"{exc}\n\n{hint}") from None


# ------------------------------------------------------------------------------- MNIST helpers
def mnist_split(source: str = "sample", n_test: int = 1000) -> tuple[np.ndarray, ...]:
    """MNIST as ``(x_train, y_train, x_test, y_test)``: flattened float32 images in [0, 1].

    ``source='sample'``: the 5000 images shipped with minigrad (offline), split once
    and for all (the split does not depend on --seed) into a training part and
    ``n_test`` held-out images. ``source='mnist'``: the full 60000 training and
    10000 test images (downloaded once by :func:`minigrad.data.load_mnist`).
    """
    if source == "mnist":
        with dataset_or_exit("Try --data sample: the 5000 MNIST images shipped with minigrad."):
            (x_train, y_train) = data.load_mnist()
            (x_test, y_test) = data.load_mnist(train=False)
    else:
        images, labels = data.load_mnist_sample()  # sorted by digit: shuffle before splitting
        order = np.random.default_rng(12345).permutation(len(images))
        test, train = order[:n_test], order[n_test:]
        x_train, y_train, x_test, y_test = images[train], labels[train], images[test], labels[test]
    flat = [x.reshape(len(x), -1).astype(np.float32) / 255.0 for x in (x_train, x_test)]
    return flat[0], y_train, flat[1], y_test


def mlp(sizes: Sequence[int], dropout: float = 0.0, device: str = "cpu") -> nn.Sequential:
    """Linear → ReLU (→ Dropout) ... → Linear, with He initial weights and zero biases.

    ``sizes`` lists the layer widths, e.g. ``[784, 100, 100, 10]``. He
    initialisation (std √(2/fan_in), ``nn.init.kaiming_normal_``) suits ReLU
    (see weight_init.py); it is the book's ``MultiLayerNet`` default.
    """
    layers: list[nn.Module] = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        linear = nn.Linear(n_in, n_out, device=device)
        nn.init.kaiming_normal_(linear.weight, nonlinearity="relu")
        nn.init.zeros_(linear.bias)
        layers.append(linear)
        if i < len(sizes) - 2:  # every layer but the last
            layers.append(nn.ReLU())
            if dropout > 0:
                layers.append(nn.Dropout(dropout))
    return nn.Sequential(*layers)


def evaluate(model: nn.Module, x: Any, y: Any, batch_size: int = 1000) -> tuple[float, float]:
    """Accuracy and weighted F1 of ``model`` on tensors ``x``, ``y`` (in eval mode, no graph)."""
    was_training = model.training
    model.eval()  # e.g. Dropout off
    with minigrad.no_grad():
        predictions = [model(xb).argmax(dim=1).cpu() for xb in x.split(batch_size)]
    model.train(was_training)
    predicted = minigrad.cat(predictions)
    truth = y.cpu()  # metrics run on the host: move device tensors with .cpu() first
    accuracy = metrics.accuracy(truth, predicted)
    return accuracy, metrics.f1_score(truth, predicted, average="weighted")


def describe_optimizer(opt: Any) -> str:
    """``SGD(lr=0.01, momentum=0.9)``: a PyTorch-style optimizer's class and own settings.

    Shows the learning rate and every hyper-parameter that differs from the class default.
    """
    cls = type(opt)
    defaults = cls([minigrad.zeros(1, requires_grad=True)]).defaults
    settings = [
        f"{key}={value:g}" if type(value) is float else f"{key}={value}"
        for key, value in opt.defaults.items()
        if key == "lr" or value != defaults[key]
    ]
    return f"{cls.__name__}({', '.join(settings)})"
