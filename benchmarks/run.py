"""Training-step speed of minigrad against hand-written NumPy floors (and PyTorch CPU).

    python benchmarks/run.py            # full run (a few minutes)
    python benchmarks/run.py --quick    # a short run

Five workloads, all float32 with the same data and initial weights in every
implementation: a training step (zero grad, forward, loss, backward, Adam step)
of the notes' two networks at two batch sizes, and forward+backward of a tiny
expression. Two NumPy floors (``numpy_floor.py``): the *tight* one, the best
NumPy code for each workload (preallocated buffers, flat Adam, no allocation
in a step), which minigrad is measured against, and the *student* one, what a
careful student writes. A third reference, the *bare engine*
(``bare_engine.py``), is the least a Python autograd engine costs: recording and
walking a graph with none of PyTorch's semantics. Implementations are measured
interleaved, round after round, in one process; the table shows the median time
per step, the ratios of the bare engine and of minigrad to the tight floor, of
minigrad to the other implementations, and minigrad's target against the tight
floor. Before timing, the first steps' losses of all implementations
must agree (else the benchmark would compare different problems).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bare_engine  # noqa: E402
import numpy_floor  # noqa: E402

import minigrad as mg  # noqa: E402

try:
    import torch
except ImportError:  # PyTorch is optional
    torch = None


@dataclass
class Workload:
    name: str
    sizes: list[int] | None  # layer widths of the MLP, None for the expression
    batch: int
    target: float  # the most minigrad may take, as a multiple of the tight floor
    loss: str = "cross_entropy"
    negative_slope: float | None = None


MNIST_NET = [784, 100, 100, 100, 100, 10]
HOUSING_NET = [8, 6, 5, 4, 3, 1]
WORKLOADS = [
    Workload("784-100x4-10 ReLU, CE, batch 128", MNIST_NET, 128, 1.2),
    Workload("784-100x4-10 ReLU, CE, batch 1024", MNIST_NET, 1024, 1.2),
    Workload("8-6-5-4-3-1 LeakyReLU, MSE, batch 256", HOUSING_NET, 256, 2.0, "mse", 0.01),
    Workload("8-6-5-4-3-1 LeakyReLU, MSE, batch 8", HOUSING_NET, 8, 2.5, "mse", 0.01),
    Workload("(a*b + a).sum() fwd+bwd, 16 floats", None, 16, 5.0),
]
TIGHT, STUDENT, BARE = "tight floor", "student floor", "bare engine"


def make_problem(w: Workload, seed: int = 0) -> dict:
    """Data and PyTorch-style initial weights shared by every implementation."""
    rng = np.random.default_rng(seed)
    if w.sizes is None:
        return {
            "a": rng.standard_normal(16).astype(np.float32),
            "b": rng.standard_normal(16).astype(np.float32),
        }
    weights, biases = [], []
    for fan_in, fan_out in zip(w.sizes[:-1], w.sizes[1:], strict=True):
        bound = 1 / np.sqrt(fan_in)
        weights.append(rng.uniform(-bound, bound, (fan_out, fan_in)).astype(np.float32))
        biases.append(rng.uniform(-bound, bound, fan_out).astype(np.float32))
    x = rng.standard_normal((w.batch, w.sizes[0])).astype(np.float32)
    if w.loss == "cross_entropy":
        y = rng.integers(0, w.sizes[-1], w.batch).astype(np.int64)
    else:
        y = rng.standard_normal((w.batch, 1)).astype(np.float32)
    return {"weights": weights, "biases": biases, "x": x, "y": y}


# --------------------------------------------------------------------------- minigrad, PyTorch
def framework_step(
    w: Workload, p: dict, lib: Any, make_optimizer: Callable[[Any], Any]
) -> Callable[[], object]:
    """The training step in ``lib``, minigrad or PyTorch: one code for both, as their APIs agree."""
    if w.sizes is None:
        a = lib.tensor(p["a"], requires_grad=True)
        b = lib.tensor(p["b"], requires_grad=True)

        def expression() -> object:
            a.grad = b.grad = None
            out = (a * b + a).sum()
            out.backward()
            return out

        return expression
    nn = lib.nn
    layers: list = []
    for i, (weight, bias) in enumerate(zip(p["weights"], p["biases"], strict=True)):
        linear = nn.Linear(weight.shape[1], weight.shape[0])
        with lib.no_grad():
            linear.weight.copy_(lib.from_numpy(weight))
            linear.bias.copy_(lib.from_numpy(bias))
        layers.append(linear)
        if i < len(p["weights"]) - 1:
            layers.append(nn.ReLU() if w.negative_slope is None else nn.LeakyReLU(w.negative_slope))
    model = nn.Sequential(*layers)
    opt = make_optimizer(model.parameters())
    x, y = lib.from_numpy(p["x"]), lib.from_numpy(p["y"])
    loss_fn = nn.functional.cross_entropy if w.loss == "cross_entropy" else nn.functional.mse_loss

    def step() -> object:
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss

    return step


# --------------------------------------------------------------------------- NumPy floors
def tight_floor_step(w: Workload, p: dict) -> Callable[[], object]:
    if w.sizes is None:
        return numpy_floor.TightExpression(p["a"].copy(), p["b"].copy()).step
    net = numpy_floor.TightMLP(p["weights"], p["biases"], w.batch, w.negative_slope)
    x, y = p["x"], p["y"]
    return lambda: net.step(x, y, w.loss)


def student_floor_step(w: Workload, p: dict) -> Callable[[], object]:
    if w.sizes is None:
        a, b = p["a"].copy(), p["b"].copy()
        return lambda: numpy_floor.student_expression(a, b)
    net = numpy_floor.StudentMLP(p["weights"], p["biases"], w.negative_slope)
    x, y = p["x"], p["y"]
    return lambda: net.step(x, y, w.loss)


def bare_engine_step(w: Workload, p: dict) -> Callable[[], object]:
    if w.sizes is None:
        return bare_engine.Expression(p["a"].copy(), p["b"].copy()).step
    net = bare_engine.MLP(p["weights"], p["biases"], w.negative_slope)
    x, y = p["x"], p["y"]
    return lambda: net.step(x, y, w.loss)


# --------------------------------------------------------------------------- measuring
def implementations(w: Workload) -> dict[str, Callable[[dict], Callable[[], object]]]:
    impls = {
        TIGHT: lambda p: tight_floor_step(w, p),
        STUDENT: lambda p: student_floor_step(w, p),
        BARE: lambda p: bare_engine_step(w, p),
        "minigrad": lambda p: framework_step(w, p, mg, mg.optim.Adam),
    }
    if torch is not None:
        impls["torch eager"] = lambda p: framework_step(
            w, p, torch, lambda params: torch.optim.Adam(params, fused=False)
        )
    return impls


def _as_float(loss: Any) -> float:
    """A step's loss as a number (a float, or a framework tensor detached first)."""
    return float(loss.detach()) if hasattr(loss, "detach") else float(loss)


def cross_check(w: Workload, impls: dict, steps: int = 3) -> None:
    """The first losses of every implementation must agree (float32 rounding)."""
    if w.sizes is None:
        return
    traces = {}
    for name, make in impls.items():
        step = make(make_problem(w))
        traces[name] = [_as_float(step()) for _ in range(steps)]
    reference = traces[TIGHT]
    for name, trace in traces.items():
        if not np.allclose(trace, reference, rtol=2e-4, atol=1e-6):
            raise SystemExit(
                f"{w.name}: losses of {name} {trace} differ from the tight floor's "
                f"{reference}: the implementations train different problems"
            )


def measure(w: Workload, impls: dict, rounds: int, budget: float) -> dict[str, float]:
    """Median seconds per step of each implementation, measured interleaved."""
    steps = {name: make(make_problem(w)) for name, make in impls.items()}
    counts = {}
    for name, step in steps.items():  # warm up and size each batch of calls to ~budget
        for _ in range(3):
            step()
        start = time.perf_counter()
        n = 0
        while time.perf_counter() - start < budget / 4:
            step()
            n += 1
        counts[name] = max(1, int(n * 4 * budget / max(time.perf_counter() - start, 1e-9) / 4))
    samples: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(rounds):
        for name, step in steps.items():
            n = counts[name]
            start = time.perf_counter()
            for _ in range(n):
                step()
            samples[name].append((time.perf_counter() - start) / n)
    return {name: statistics.median(s) for name, s in samples.items()}


def peak_memory(w: Workload) -> dict[str, int]:
    """Peak traced allocation of one training step (after warm-up), per implementation."""
    result = {}
    impls = implementations(w)
    for name in (TIGHT, STUDENT, "minigrad"):
        make = impls[name]
        step = make(make_problem(w))
        step()
        step()
        tracemalloc.start()
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        step()
        result[name] = tracemalloc.get_traced_memory()[1] - base
        tracemalloc.stop()
    return result


def _fmt_time(seconds: float) -> str:
    return f"{seconds * 1e3:.3f} ms" if seconds >= 1e-4 else f"{seconds * 1e6:.1f} µs"


def _row(w: Workload, t: dict[str, float]) -> str:
    """One line of the table: times, the ratios to the tight floor (the bare engine's and
    minigrad's) and to the other implementations, and minigrad's target."""
    tight, mg_time = t[TIGHT], t["minigrad"]
    ratio = mg_time / tight
    line = (
        f"{w.name:38s} {_fmt_time(tight):>10s} {_fmt_time(t[STUDENT]):>10s}"
        f" {_fmt_time(t[BARE]):>10s} {t[BARE] / tight:6.2f}x"
        f" {_fmt_time(mg_time):>10s} {ratio:6.2f}x {mg_time / t[STUDENT]:6.2f}x"
        f" {mg_time / t[BARE]:6.2f}x"
    )
    if torch is not None:
        line += f" {_fmt_time(t['torch eager']):>10s} {mg_time / t['torch eager']:6.2f}x"
    verdict = "ok" if ratio <= w.target else "MISSED"
    return line + f"   <= {w.target:.1f}x {verdict}"


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer, shorter rounds")
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument(
        "--threads",
        type=int,
        default=2,
        help="PyTorch's threads (set NumPy's with OPENBLAS_NUM_THREADS before starting)",
    )
    args = parser.parse_args(argv)
    rounds = args.rounds or (3 if args.quick else 9)
    budget = 0.1 if args.quick else 0.3
    if torch is not None:
        torch.set_num_threads(args.threads)
    print(
        f"minigrad {mg.__version__}, numpy {np.__version__}"
        + (f", torch {torch.__version__}" if torch is not None else ", torch not installed")
        + f"; OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}"
        + (f", torch threads {args.threads}" if torch is not None else "")
        + f"; median of {rounds} interleaved rounds\n"
    )
    results = {}
    header = (
        f"{'workload':38s} {'tight':>10s} {'student':>10s} {'bare':>10s} {'/tight':>7s}"
        f" {'minigrad':>10s} {'/tight':>7s} {'/student':>7s} {'/bare':>7s}"
    )
    if torch is not None:
        header += f" {'torch':>10s} {'/torch':>7s}"
    print(header + "   target")
    for w in WORKLOADS:
        impls = implementations(w)
        cross_check(w, impls)
        t = measure(w, impls, rounds, budget)
        results[w.name] = t
        print(_row(w, t), flush=True)
    memory = peak_memory(WORKLOADS[1])
    print(
        f"\npeak memory of a step, {WORKLOADS[1].name}: "
        + ", ".join(f"{name} {size / 2**20:.2f} MiB" for name, size in memory.items())
    )
    results["peak memory"] = memory
    return results


if __name__ == "__main__":
    main()
