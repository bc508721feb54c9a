"""Smoke tests of the examples (``examples/*.py``), each in a tiny configuration.

Every example's ``main(argv)`` runs in-process and returns its summary; the
tests check the summary (against the seed notes' numbers where they give one)
and that the figures are valid PNG files of a modest size. ``--device cuda``
runs on the strict test backend (``tests/conftest.py``), which refuses any
implicit host/device conversion, as CuPy does. Nothing is downloaded.
"""

from __future__ import annotations

import importlib
import math
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest
from PIL import Image

EXAMPLES_DIR = Path(__file__).resolve().parent.parent / "examples"
EXAMPLES = [
    "gradient_descent",
    "adam_by_hand",
    "optimizer_paths",
    "optimizer_race",
    "housing_regression",
    "weight_init",
    "regularization",  # smoke-tested in test_examples_lessons.py
    "batch_norm",  # smoke-tested in test_examples_lessons.py
    "lr_schedules",
    "data_parallel",  # runs under mpiexec in test_distributed_mpi.py
]


@pytest.fixture(scope="module", autouse=True)
def _examples_importable() -> Iterator[None]:
    """Make ``import gradient_descent`` (and its ``import _common``) work, for this module only.

    The examples run NumPy's matrix products on one BLAS thread (``_common``);
    the setting is undone after this module.
    """
    from threadpoolctl import threadpool_limits

    sys.path.insert(0, str(EXAMPLES_DIR))
    with threadpool_limits(limits=None):  # restores the current limits on exit
        yield
    sys.path.remove(str(EXAMPLES_DIR))


def example(name: str) -> ModuleType:
    return importlib.import_module(name)


def run(name: str, out: Path, args: str = "") -> dict[str, Any]:
    """``main()`` of the example ``name`` with the command-line arguments ``args``."""
    return example(name).main([*args.split(), "--out", str(out)])


def assert_pngs(summary: dict[str, Any], count: int) -> None:
    """The summary names ``count`` figures, each a valid PNG under 200 kB."""
    figures = [Path(f) for f in summary["figures"]]
    assert len(figures) == count
    for path in figures:
        assert path.is_file(), path
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", path
        assert path.stat().st_size < 200_000, f"{path} is {path.stat().st_size} bytes"
        with Image.open(path) as image:
            image.verify()  # a complete, uncorrupted PNG


# ----------------------------------------------------------------------------- every example
@pytest.mark.parametrize("name", EXAMPLES)
def test_help(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        example(name).main(["--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    for option in ("--seed", "--device", "--out"):
        assert option in text
    assert example(name).__doc__.strip().splitlines()[0] in text


def test_runs_as_a_script(tmp_path: Path) -> None:
    """``python examples/NAME.py`` works (``_common`` is found next to the script)."""
    done = subprocess.run(
        [sys.executable, str(EXAMPLES_DIR / "adam_by_hand.py"), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "Exercise 2" in done.stdout
    assert (tmp_path / "adam_by_hand.png").is_file()


# ----------------------------------------------------------------------------- seed 001
def test_gradient_descent_matches_the_notes(tmp_path: Path, device: str) -> None:
    summary = run("gradient_descent", tmp_path, f"--device {device}")
    notes = np.array([-6.11110793e-10, 8.14814391e-10])
    np.testing.assert_allclose(summary["numerical"], notes, rtol=1e-6)
    np.testing.assert_allclose(summary["autograd"], notes, rtol=1e-6)
    too_large, too_small = summary["rows"][1], summary["rows"][2]
    assert too_large["f(x)"] > 25  # diverged: worse than the start, f(-3, 4) = 25
    assert 1 < too_small["f(x)"] < 25  # barely moved
    assert_pngs(summary, 1)


# ----------------------------------------------------------------------------- higher order
def test_higher_order_newton_and_tanh(tmp_path: Path, device: str) -> None:
    summary = run("higher_order", tmp_path, f"--device {device}")
    assert summary["newton"][0]["f'(x)"] == pytest.approx(24.0)  # f'(2) = 4·8 - 4·2
    assert summary["newton"][0]["f''(x)"] == pytest.approx(44.0)  # f''(2) = 12·4 - 4
    assert summary["newton_steps"] <= 8 < 100 < summary["descent_steps"]
    x = np.linspace(-5, 5, 201)
    t = np.tanh(x)
    second = -2 * t * (1 - t**2)
    np.testing.assert_allclose(summary["tanh"][2], second, atol=1e-12)
    assert_pngs(summary, 1)


# ----------------------------------------------------------------------------- seed 002
def test_adam_by_hand_matches_the_closed_forms(tmp_path: Path, device: str) -> None:
    summary = run("adam_by_hand", tmp_path, f"--device {device}")
    exercises = summary["exercises"]
    assert len(exercises) == 2
    for exercise in exercises.values():
        for got, exact in zip(exercise["history"][1:], exercise["exact"], strict=True):
            for key in ("m", "v", "x"):
                np.testing.assert_allclose(got[key], exact[key], rtol=1e-6, atol=1e-6)
        assert exercise["max_abs_error"] < 1e-6
    # The first step starts from the exact gradient: m0 and v0 are exact.
    first = exercises["f(x, y) = xy"]["history"][1]
    assert first["m"] == (1.0, 0.5) and first["v"] == (2.0, 0.5)
    assert_pngs(summary, 1)


def test_optimizer_paths(tmp_path: Path) -> None:
    steps = 30  # the default, as the notes
    summary = run("optimizer_paths", tmp_path)
    start = math.hypot(-7.0, 2.0)
    for name in ("SGD", "Momentum", "AdaGrad", "Adam", "RMSprop", "Nesterov"):
        for paths in (summary["book"], summary["autograd"]):
            assert paths[name].shape == (steps + 1, 2)
            assert np.all(np.isfinite(paths[name]))
            assert math.hypot(*paths[name][-1]) < start, name
    gap = {row["optimizer"]: row["max gap book/autograd"] for row in summary["rows"]}
    for name in ("SGD", "Momentum", "AdaGrad", "RMSprop", "Nesterov"):  # the same rule
        assert gap[name] < 1e-12, name  # (the book's Nesterov as corrected in 2021)
    assert gap["Adam"] < 1e-4  # ε added before vs after the bias correction
    assert_pngs(summary, 2)


def test_optimizer_paths_on_the_device(tmp_path: Path) -> None:
    paths = example("optimizer_paths")
    summary = run("optimizer_paths", tmp_path, "--steps 5 --device cuda")
    for name, (_, make_torch) in paths.OPTIMIZERS.items():
        cpu, _ = paths.autograd_path(make_torch, 5, "cpu")
        np.testing.assert_allclose(summary["autograd"][name], cpu, rtol=1e-12, atol=1e-14)


def test_lr_schedules_on_the_device(tmp_path: Path) -> None:
    summary = run("lr_schedules", tmp_path, "--epochs 20 --batch-size 64 --device cuda")
    assert len(summary["lrs"]["ReduceLROnPlateau(0.5, 5)"]) == 20
    assert_pngs(summary, 1)


def test_weight_init_shows_saturation_and_collapse(tmp_path: Path) -> None:
    summary = run("weight_init", tmp_path)
    std = {row["weights, activation"]: row for row in summary["rows"]}
    assert len(std) == 5
    assert std["std 1, sigmoid"]["std L5"] > 0.35  # piled up at 0 and 1
    assert std["std 0.01, sigmoid"]["std L5"] < 0.05  # piled up at 0.5
    assert std["He, ReLU"]["std L5"] > 0.3  # the spread survives 5 layers
    # ReLU's exact zeros are left out of the histograms, and counted (about half).
    assert len(summary["relu_zeros"]) == 5
    assert all(0.3 < share < 0.7 for share in summary["relu_zeros"])
    assert_pngs(summary, 1)


# ----------------------------------------------------------------------------- seeds 002, 003
def test_optimizer_race_tiny(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    summary = run(
        "optimizer_race", tmp_path, "--optimizers SGD Adam --iterations 30 --print-interval 10"
    )
    rows = {row["optimizer"]: row for row in summary["rows"]}
    assert list(rows) == ["SGD", "Adam"]
    assert rows["SGD"]["minigrad.optim"] == "SGD(lr=0.01)"
    assert rows["Adam"]["minigrad.optim"] == "Adam(lr=0.001)"
    for row in rows.values():
        assert math.isfinite(row["train loss"])
        assert 0 <= row["held-out acc"] <= 1 and 0 <= row["weighted F1"] <= 1
    assert all(len(losses) == 30 for losses in summary["losses"].values())
    # Same initial weights and batches: the first loss is the same for every optimizer.
    assert summary["losses"]["SGD"][0] == summary["losses"]["Adam"][0]
    out = capsys.readouterr().out
    # --print-interval prints while each optimizer trains, before the closing table.
    progress = re.findall(r"^\s*(SGD|Adam)  iteration\s+(\d+): loss=\d\.\d{4}$", out, re.MULTILINE)
    assert progress == [(name, str(i)) for name in ("SGD", "Adam") for i in (0, 10, 20)]
    assert out.index("Adam  iteration    20") < out.index("training loss (of that")
    assert re.search(r"^\s+20\s", out, re.MULTILINE)  # the loss table, every 10 iterations
    assert "held-out acc" in out
    assert_pngs(summary, 1)


def test_optimizer_race_on_the_device(tmp_path: Path) -> None:
    summary = run(
        "optimizer_race", tmp_path, "--optimizers Momentum RMSprop --iterations 10 --device cuda"
    )
    assert [row["optimizer"] for row in summary["rows"]] == ["Momentum", "RMSprop"]
    assert all(math.isfinite(row["train loss"]) for row in summary["rows"])


def test_optimizer_race_adam_beats_sgd(tmp_path: Path) -> None:
    summary = run("optimizer_race", tmp_path, "--optimizers SGD Adam --iterations 300")
    acc = {row["optimizer"]: row["held-out acc"] for row in summary["rows"]}
    assert acc["Adam"] > 0.9
    assert acc["Adam"] > acc["SGD"] + 0.04, acc


# ----------------------------------------------------------------------------- seed 000
@pytest.mark.parametrize("plateau", [False, True])
def test_housing_regression_offline(
    tmp_path: Path, device: str, plateau: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    args = f"--data diabetes --epochs 3 --print-interval 1 --device {device}"
    summary = run("housing_regression", tmp_path, args + (" --plateau" if plateau else ""))
    out = capsys.readouterr().out
    epochs = re.findall(r"^Epoch (\d+): loss=\d\.\d{4}e[+-]\d\d$", out, re.MULTILINE)
    assert epochs == ["1", "2", "3"]  # the notes' format, 'Epoch %d: loss=%.4e'
    assert len(summary["losses"]) == 3
    assert all(math.isfinite(v) for v in (summary["held-out MSE"], summary["train MSE"]))
    assert summary["lrs"][0] == (0.01 if plateau else 0.001)
    assert_pngs(summary, 1)


def test_housing_regression_learns(tmp_path: Path) -> None:
    summary = run(
        "housing_regression", tmp_path, "--data diabetes --epochs 300 --print-interval 1000"
    )
    assert summary["losses"][-1] < 0.6 * summary["losses"][0]
    assert summary["held-out R²"] > 0.3  # 0.46 at 300 epochs, 0.36 at the notes' 4000


# ----------------------------------------------------------------------------- seed 004
def test_lr_schedules(tmp_path: Path) -> None:
    summary = run("lr_schedules", tmp_path)
    lrs = summary["lrs"]
    np.testing.assert_allclose(lrs["StepLR(10, 0.1)"][:21:10], [0.1, 0.01, 0.001])
    np.testing.assert_allclose(lrs["MultiStepLR([30, 80], 0.1)"][29:31], [0.1, 0.01])
    np.testing.assert_allclose(lrs["MultiStepLR([30, 80], 0.1)"][80], 0.001)
    np.testing.assert_allclose(lrs["ExponentialLR(0.9)"], 0.1 * 0.9 ** np.arange(100))
    np.testing.assert_allclose(lrs["CosineAnnealingLR(50)"][25], 0.05)
    assert lrs["CosineAnnealingLR(50)"][50] < 1e-12
    plateau = lrs["ReduceLROnPlateau(0.5, 5)"]
    assert len(plateau) == 100 and plateau[0] == 0.1
    assert all(b <= a for a, b in zip(plateau, plateau[1:], strict=False))  # never raised
    assert plateau[-1] < 0.1  # the training plateaued at least once
    assert_pngs(summary, 1)


def test_full_mnist_offline_prints_only_the_helpful_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from minigrad import data

    def offline(train: bool = True) -> Any:
        raise data.DatasetNotAvailableError("MNIST could not be loaded: no network (test)")

    monkeypatch.setattr(data, "load_mnist", offline)
    with pytest.raises(SystemExit) as exit_info:
        run("optimizer_race", tmp_path, "--data mnist --iterations 1")
    message = exit_info.value.code
    assert isinstance(message, str)  # printed as is by Python, without a traceback
    assert message.startswith("MNIST could not be loaded: no network (test)")
    assert "--data sample" in message
    assert exit_info.value.__cause__ is None and exit_info.value.__suppress_context__


# ----------------------------------------------------------------------------- figures, git
def test_examples_write_to_an_ignored_folder_by_default() -> None:
    common = example("_common")
    args = common.make_parser(None).parse_args([])
    assert args.out == common.DEFAULT_OUT == EXAMPLES_DIR.parent / "out"
    assert common.README_FIGURES == EXAMPLES_DIR / "figures"
    gitignore = (EXAMPLES_DIR.parent / ".gitignore").read_text().split()
    assert "out/" in gitignore


def test_make_figures_refreshes_the_readme_figures(tmp_path: Path) -> None:
    make_figures = example("make_figures")
    readme = (EXAMPLES_DIR.parent / "README.md").read_text()
    assert "python examples/make_figures.py" in readme
    figures = make_figures.main(["--only", "adam_by_hand", "--out", str(tmp_path)])
    assert figures == [tmp_path / "adam_by_hand.png"]
    # Every README thumbnail is one that make_figures.py writes.
    shown = set(re.findall(r"examples/figures/(\w+)\.png", readme))
    # data_parallel's figure comes from its own launch under mpiexec (README section)
    written = {"optimizer_paths_autograd", "housing_regression_diabetes", "data_parallel"} | set(
        make_figures.FIGURES
    )
    assert shown and shown <= written


_BACKEND_PROBE = """
import sys, types
import matplotlib
if sys.argv[1] == "jupyter":  # what a Jupyter kernel looks like to the examples
    ipython = types.ModuleType("IPython")
    ipython.get_ipython = lambda: object()
    sys.modules["IPython"] = ipython
    matplotlib.use("svg")  # the notebook's backend (stands for the inline one)
import _common
print(matplotlib.get_backend().lower())
"""


@pytest.mark.parametrize(("where", "backend"), [("jupyter", "svg"), ("headless", "agg")])
def test_matplotlib_backend_left_alone_inside_jupyter(where: str, backend: str) -> None:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DISPLAY", "WAYLAND_DISPLAY", "MPLBACKEND")
    }
    env["PYTHONPATH"] = os.pathsep.join([str(EXAMPLES_DIR), *sys.path])
    done = subprocess.run(
        [sys.executable, "-c", _BACKEND_PROBE, where],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [backend]


def test_headless_backend_decision() -> None:
    choose = example("_common").headless_backend
    assert choose({}, "linux", ipython=False) == "Agg"
    assert choose({}, "linux", ipython=True) is None  # Jupyter: the notebook's backend
    assert choose({"DISPLAY": ":0"}, "linux", ipython=False) is None
    assert choose({"WAYLAND_DISPLAY": "wayland-0"}, "linux", ipython=False) is None
    assert choose({"MPLBACKEND": "pdf"}, "linux", ipython=False) is None
    assert choose({}, "darwin", ipython=False) is None
    assert choose({}, "win32", ipython=False) is None


def test_importing_minigrad_does_not_touch_matplotlib() -> None:
    code = (
        "import sys, minigrad; from minigrad import nn, optim; print('matplotlib' in sys.modules)"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False"]
