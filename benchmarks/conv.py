"""Training-step speed of the book's SimpleConvNet: minigrad against a NumPy floor and PyTorch.

    python benchmarks/conv.py            # full run (about a minute)
    python benchmarks/conv.py --quick    # a short run
    python benchmarks/conv.py --profile  # where minigrad's step spends its time

The network of chapter 7 of "Deep Learning from Scratch": Conv 30 filters 5×5 →
ReLU → MaxPool 2×2 → Linear 100 → ReLU → Linear 10, cross-entropy, Adam, on a
batch of 100 MNIST-sized images (1×28×28), float32. Every implementation starts
from the same data and initial weights, and their first losses must agree
before anything is timed. They are measured interleaved in one process
(``run.measure``); the table shows the median time per step.

The floor is what a careful student writes by hand after chapter 7: im2col with
stride tricks and one batched matrix product, max pooling through the argmax of
each window, a fused Adam over one flat parameter vector, and every image-sized
work array allocated once and reused (fresh 6–7 MB arrays cost page faults).

Every implementation runs single-threaded (``OPENBLAS_NUM_THREADS=1`` before NumPy
loads, ``torch.set_num_threads(1)``): on a shared machine, BLAS threads that wait for
busy cores made one 100×4320 product 150 times slower than a single thread, which
would measure the scheduler rather than the frameworks. Set OPENBLAS_NUM_THREADS
yourself to override.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before NumPy loads its BLAS

import numpy as np  # noqa: E402
from numpy.lib.stride_tricks import as_strided  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run  # noqa: E402  (the interleaved timing of benchmarks/run.py)

import minigrad as mg  # noqa: E402

torch = run.torch

BATCH, CHANNELS, SIDE, FILTERS, KERNEL, HIDDEN, CLASSES = 100, 1, 28, 30, 5, 100, 10
CONV_SIDE = SIDE - KERNEL + 1  # 24
POOL_SIDE = CONV_SIDE // 2  # 12
FLAT = FILTERS * POOL_SIDE * POOL_SIDE  # 4320


def make_problem(seed: int = 0) -> dict[str, np.ndarray]:
    """A batch of images and labels, and PyTorch-style initial weights (U(±1/√fan_in))."""
    rng = np.random.default_rng(seed)

    def uniform(fan_in: int, shape: tuple[int, ...]) -> np.ndarray:
        bound = 1 / np.sqrt(fan_in)
        return rng.uniform(-bound, bound, shape).astype(np.float32)

    fan_conv = CHANNELS * KERNEL * KERNEL
    return {
        "x": rng.standard_normal((BATCH, CHANNELS, SIDE, SIDE)).astype(np.float32),
        "y": rng.integers(0, CLASSES, BATCH).astype(np.int64),
        "conv.weight": uniform(fan_conv, (FILTERS, CHANNELS, KERNEL, KERNEL)),
        "conv.bias": uniform(fan_conv, (FILTERS,)),
        "fc1.weight": uniform(FLAT, (HIDDEN, FLAT)),
        "fc1.bias": uniform(FLAT, (HIDDEN,)),
        "fc2.weight": uniform(HIDDEN, (CLASSES, HIDDEN)),
        "fc2.bias": uniform(HIDDEN, (CLASSES,)),
    }


# --------------------------------------------------------------------------- minigrad, PyTorch
def framework_step(p: dict, lib: Any, make_optimizer: Callable[[Any], Any]) -> Callable[[], Any]:
    """The training step in ``lib`` (minigrad or PyTorch: their APIs agree)."""
    nn = lib.nn
    model = nn.Sequential(
        nn.Conv2d(CHANNELS, FILTERS, KERNEL),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(FLAT, HIDDEN),
        nn.ReLU(),
        nn.Linear(HIDDEN, CLASSES),
    )
    names = {"0": "conv", "4": "fc1", "6": "fc2"}
    with lib.no_grad():
        for name, param in model.named_parameters():
            layer, kind = name.split(".")
            param.copy_(lib.from_numpy(p[f"{names[layer]}.{kind}"]))
    opt = make_optimizer(model.parameters())
    x, y = lib.from_numpy(p["x"]), lib.from_numpy(p["y"])

    def step() -> Any:
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss

    return step


# --------------------------------------------------------------------------- NumPy floor
class FusedAdam:
    """Adam (PyTorch's form) on one flat vector that every parameter is a view of."""

    def __init__(self, shapes: list[tuple[int, ...]], lr: float = 1e-3) -> None:
        sizes = [int(np.prod(s)) for s in shapes]
        self.flat = np.zeros(sum(sizes), np.float32)
        self.grad = np.zeros_like(self.flat)
        self.m, self.v = np.zeros_like(self.flat), np.zeros_like(self.flat)
        self.work = np.zeros_like(self.flat)
        bounds = np.cumsum([0, *sizes])
        self.params = [
            self.flat[a:b].reshape(s) for a, b, s in zip(bounds, bounds[1:], shapes, strict=False)
        ]
        self.grads = [
            self.grad[a:b].reshape(s) for a, b, s in zip(bounds, bounds[1:], shapes, strict=False)
        ]
        self.lr, self.b1, self.b2, self.eps, self.t = lr, 0.9, 0.999, 1e-8, 0

    def step(self) -> None:
        self.t += 1
        g, m, v, w = self.grad, self.m, self.v, self.work
        m *= self.b1
        m += (1 - self.b1) * g
        np.multiply(g, g, out=w)
        v *= self.b2
        v += (1 - self.b2) * w
        np.sqrt(v, out=w)
        w /= np.sqrt(1 - self.b2**self.t)
        w += self.eps
        np.divide(m, w, out=w)
        w *= self.lr / (1 - self.b1**self.t)
        self.flat -= w


class FloorConvNet:
    """SimpleConvNet by hand: explicit forward and backward, buffers reused across steps."""

    def __init__(self, p: dict[str, np.ndarray]) -> None:
        keys = ["conv.weight", "conv.bias", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
        self.adam = FusedAdam([p[k].shape for k in keys])
        for param, k in zip(self.adam.params, keys, strict=True):
            param[...] = p[k]
        n, f = BATCH, FILTERS
        self.cols = np.empty((n, CHANNELS * KERNEL * KERNEL, CONV_SIDE * CONV_SIDE), np.float32)
        self.conv = np.empty((n, f, CONV_SIDE * CONV_SIDE), np.float32)
        self.pooled = np.empty((n, f, POOL_SIDE, POOL_SIDE), np.float32)
        self.arg = np.empty(self.pooled.shape, np.int8)
        self.wins = np.empty(self.pooled.shape, bool)
        self.dconv = np.zeros((n, f, CONV_SIDE, CONV_SIDE), np.float32)
        self.dw = np.empty((n, f, CHANNELS * KERNEL * KERNEL), np.float32)

    def step(self, x: np.ndarray, y: np.ndarray) -> float:
        (cw, cb, w1, b1, w2, b2), (gcw, gcb, gw1, gb1, gw2, gb2) = self.adam.params, self.adam.grads
        n, f, k, s = BATCH, FILTERS, KERNEL, CONV_SIDE
        # im2col: a strided view of every 5×5 window, copied once into the column buffer
        sn, sc, sh, sw = x.strides
        view = as_strided(x, (n, CHANNELS, k, k, s, s), (sn, sc, sh, sw, sh, sw))
        np.copyto(self.cols.reshape(view.shape), view)
        conv = np.matmul(cw.reshape(f, -1), self.cols, out=self.conv)
        conv += cb[:, None]
        np.maximum(conv, 0, out=conv)  # ReLU in place
        # max pooling 2×2: a running maximum over the 4 strided views of the windows,
        # remembering which element won
        image = conv.reshape(n, f, s, s)
        quarters = [image[:, :, i::2, j::2] for i in (0, 1) for j in (0, 1)]
        pooled, arg, wins = self.pooled, self.arg, self.wins
        np.copyto(pooled, quarters[0])
        arg.fill(0)
        for k, quarter in enumerate(quarters[1:], start=1):
            np.greater(quarter, pooled, out=wins)
            np.copyto(pooled, quarter, where=wins)
            arg[wins] = k
        pooled = pooled.reshape(n, FLAT)
        h = pooled @ w1.T
        h += b1
        np.maximum(h, 0, out=h)
        logits = h @ w2.T
        logits += b2
        # softmax cross-entropy
        logits -= logits.max(axis=1, keepdims=True)
        e = np.exp(logits)
        prob = e / e.sum(axis=1, keepdims=True)
        loss = -np.log(prob[np.arange(n), y]).mean()
        dlogits = prob
        dlogits[np.arange(n), y] -= 1
        dlogits /= n
        np.matmul(dlogits.T, h, out=gw2)
        dlogits.sum(axis=0, out=gb2)
        dh = dlogits @ w2
        dh *= h > 0
        np.matmul(dh.T, pooled, out=gw1)
        dh.sum(axis=0, out=gb1)
        dpooled = dh @ w1
        # max pooling backward: the gradient goes to each window's winner
        dimage = self.dconv
        dpooled = dpooled.reshape(n, f, POOL_SIDE, POOL_SIDE)
        for k, (i, j) in enumerate(((0, 0), (0, 1), (1, 0), (1, 1))):
            np.equal(arg, k, out=wins)
            np.multiply(dpooled, wins, out=dimage[:, :, i::2, j::2])
        dconv = dimage.reshape(n, f, s * s)
        dconv *= conv > 0  # ReLU backward
        np.matmul(dconv, self.cols.transpose(0, 2, 1), out=self.dw)
        self.dw.sum(axis=0, out=gcw.reshape(f, -1))
        dconv.sum(axis=(0, 2), out=gcb)
        self.adam.step()
        return float(loss)


# --------------------------------------------------------------------------- measuring
def implementations() -> dict[str, Callable[[dict], Callable[[], Any]]]:
    impls: dict[str, Callable[[dict], Callable[[], Any]]] = {
        "numpy floor": lambda p: (lambda net: lambda: net.step(p["x"], p["y"]))(FloorConvNet(p)),
        "minigrad": lambda p: framework_step(p, mg, mg.optim.Adam),
    }
    if torch is not None:
        impls["torch"] = lambda p: framework_step(
            p, torch, lambda params: torch.optim.Adam(params, fused=False)
        )
    return impls


def _item(loss: Any) -> float:
    """A loss as a Python float (a framework's tensor is detached first)."""
    return loss.detach().item() if hasattr(loss, "detach") else float(loss)


def cross_check(impls: dict, steps: int = 3) -> None:
    """The first losses of every implementation must agree (float32 rounding)."""
    traces = {}
    for name, make in impls.items():
        step = make(make_problem())
        traces[name] = [_item(step()) for _ in range(steps)]
    reference = traces["numpy floor"]
    for name, trace in traces.items():
        if not np.allclose(trace, reference, rtol=2e-4, atol=1e-6):
            raise SystemExit(
                f"SimpleConvNet: losses of {name} {trace} differ from the floor's {reference}"
            )


def cpu_times(impls: dict, rounds: int, steps: int = 10) -> dict[str, tuple[float, float]]:
    """Median CPU seconds per step (``time.process_time``, interleaved rounds) and the
    minor page faults per step of each implementation. On a shared machine CPU time
    moves less than wall time; page faults show what fresh large arrays cost."""
    made = {name: make(make_problem()) for name, make in impls.items()}
    samples: dict[str, list[float]] = {name: [] for name in made}
    faults: dict[str, int] = dict.fromkeys(made, 0)
    for step in made.values():
        step()
    for _ in range(rounds):
        for name, step in made.items():
            before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
            start = time.process_time()
            for _ in range(steps):
                step()
            samples[name].append((time.process_time() - start) / steps)
            faults[name] += resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
    return {
        name: (statistics.median(s), faults[name] / (rounds * steps)) for name, s in samples.items()
    }


def profile(steps: int = 50) -> None:
    """cProfile of minigrad's step: which operations take the time."""
    step = framework_step(make_problem(), mg, mg.optim.Adam)
    for _ in range(3):
        step()
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(steps):
        step()
    profiler.disable()
    pstats.Stats(profiler).sort_stats("tottime").print_stats(15)


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer, shorter rounds")
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--profile", action="store_true", help="profile minigrad's step")
    args = parser.parse_args(argv)
    if args.profile:
        profile()
        return {}
    rounds = args.rounds or (3 if args.quick else 9)
    budget = 0.2 if args.quick else 0.5
    if torch is not None:
        torch.set_num_threads(1)
    impls = implementations()
    cross_check(impls)
    # run.measure hands each implementation run.make_problem(workload); ours ignore it
    # and build from this module's problem (the same for all).
    workload = run.Workload("SimpleConvNet", None, BATCH, 1.1)  # target: 1.1x the floor
    fresh = {name: (lambda m: lambda _: m(make_problem()))(make) for name, make in impls.items()}
    t = run.measure(workload, fresh, rounds, budget)
    cpu = cpu_times(impls, rounds)
    print(f"SimpleConvNet step, batch {BATCH}, float32; median of {rounds} interleaved rounds")
    print(f"  {'':12s} {'wall':>10s} {'/ floor':>8s} {'CPU':>10s} {'/ floor':>8s} {'faults':>7s}")
    for name, seconds in t.items():
        used, faults = cpu[name]
        print(
            f"  {name:12s} {run._fmt_time(seconds):>10s} {seconds / t['numpy floor']:7.2f}x "
            f"{run._fmt_time(used):>10s} {used / cpu['numpy floor'][0]:7.2f}x {faults:7.0f}"
        )
    return t


if __name__ == "__main__":
    main()
