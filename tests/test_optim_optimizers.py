"""The PyTorch-style optimizers against PyTorch's documented algorithms.

Each reference below is written step by step from the pseudo-code in PyTorch's
documentation of the optimizer (plain NumPy in float64, not minigrad's update
functions), and the optimizers must follow it on quadratic problems and on
random gradient sequences, for hyper-parameters drawn by hypothesis, on both
test devices.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import minigrad
from minigrad import optim
from minigrad.backend import to_host

# example count and deadline come from the profile loaded by conftest.py
FAST = settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
STEPS = 12
NUMBERS = (int, float)  # state entries that are numbers: step, NAdam's mu_product


# ------------------------------------------------------------------ references (NumPy)
class RefSGD:
    """torch.optim.SGD's documented algorithm."""

    def __init__(
        self, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, maximize=False
    ):
        self.h = dict(
            lr=lr, mu=momentum, tau=dampening, wd=weight_decay, nesterov=nesterov, maximize=maximize
        )
        self.b: dict[int, np.ndarray] = {}
        self.t: dict[int, int] = {}

    def step(self, i: int, theta: np.ndarray, g: np.ndarray) -> np.ndarray:
        h = self.h
        self.t[i] = t = self.t.get(i, 0) + 1
        if h["maximize"]:
            g = -g
        if h["wd"] != 0:
            g = g + h["wd"] * theta
        if h["mu"] != 0:
            if t > 1:
                self.b[i] = h["mu"] * self.b[i] + (1 - h["tau"]) * g
            else:
                self.b[i] = g
            if h["nesterov"]:
                g = g + h["mu"] * self.b[i]
            else:
                g = self.b[i]
        return theta - h["lr"] * g


class RefAdagrad:
    """torch.optim.Adagrad's documented algorithm."""

    def __init__(
        self,
        lr=1e-2,
        lr_decay=0,
        weight_decay=0,
        initial_accumulator_value=0,
        eps=1e-10,
        maximize=False,
    ):
        self.h = dict(
            lr=lr,
            eta=lr_decay,
            wd=weight_decay,
            tau=initial_accumulator_value,
            eps=eps,
            maximize=maximize,
        )
        self.sum: dict[int, np.ndarray] = {}
        self.t: dict[int, int] = {}

    def step(self, i: int, theta: np.ndarray, g: np.ndarray) -> np.ndarray:
        h = self.h
        self.t[i] = t = self.t.get(i, 0) + 1
        if h["maximize"]:
            g = -g
        lr_t = h["lr"] / (1 + (t - 1) * h["eta"])
        if h["wd"] != 0:
            g = g + h["wd"] * theta
        self.sum[i] = self.sum.get(i, np.full_like(theta, h["tau"])) + g * g
        return theta - lr_t * g / (np.sqrt(self.sum[i]) + h["eps"])


class RefAdadelta:
    """torch.optim.Adadelta's documented algorithm."""

    def __init__(self, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, maximize=False):
        self.h = dict(lr=lr, rho=rho, eps=eps, wd=weight_decay, maximize=maximize)
        self.v: dict[int, np.ndarray] = {}
        self.u: dict[int, np.ndarray] = {}

    def step(self, i: int, theta: np.ndarray, g: np.ndarray) -> np.ndarray:
        h = self.h
        if h["maximize"]:
            g = -g
        if h["wd"] != 0:
            g = g + h["wd"] * theta
        v = h["rho"] * self.v.get(i, np.zeros_like(theta)) + (1 - h["rho"]) * g * g
        u = self.u.get(i, np.zeros_like(theta))
        delta = np.sqrt(u + h["eps"]) / np.sqrt(v + h["eps"]) * g
        self.v[i], self.u[i] = v, h["rho"] * u + (1 - h["rho"]) * delta * delta
        return theta - h["lr"] * delta


class RefRMSprop:
    """torch.optim.RMSprop's documented algorithm."""

    def __init__(
        self,
        lr=1e-2,
        alpha=0.99,
        eps=1e-8,
        weight_decay=0,
        momentum=0,
        centered=False,
        maximize=False,
    ):
        self.h = dict(
            lr=lr,
            alpha=alpha,
            eps=eps,
            wd=weight_decay,
            mu=momentum,
            centered=centered,
            maximize=maximize,
        )
        self.v: dict[int, np.ndarray] = {}
        self.b: dict[int, np.ndarray] = {}
        self.g_ave: dict[int, np.ndarray] = {}

    def step(self, i: int, theta: np.ndarray, g: np.ndarray) -> np.ndarray:
        h = self.h
        zeros = np.zeros_like(theta)
        if h["maximize"]:
            g = -g
        if h["wd"] != 0:
            g = g + h["wd"] * theta
        self.v[i] = h["alpha"] * self.v.get(i, zeros) + (1 - h["alpha"]) * g * g
        v_tilde = self.v[i]
        if h["centered"]:
            self.g_ave[i] = h["alpha"] * self.g_ave.get(i, zeros) + (1 - h["alpha"]) * g
            v_tilde = v_tilde - self.g_ave[i] ** 2
        if h["mu"] > 0:
            self.b[i] = h["mu"] * self.b.get(i, zeros) + g / (np.sqrt(v_tilde) + h["eps"])
            return theta - h["lr"] * self.b[i]
        return theta - h["lr"] * g / (np.sqrt(v_tilde) + h["eps"])


class RefAdam:
    """torch.optim.Adam's (and, with ``decoupled``, AdamW's) documented algorithm."""

    def __init__(
        self,
        lr=1e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=0,
        amsgrad=False,
        maximize=False,
        decoupled=False,
    ):
        self.h = dict(
            lr=lr,
            b1=betas[0],
            b2=betas[1],
            eps=eps,
            wd=weight_decay,
            amsgrad=amsgrad,
            maximize=maximize,
            decoupled=decoupled,
        )
        self.m: dict[int, np.ndarray] = {}
        self.v: dict[int, np.ndarray] = {}
        self.vmax: dict[int, np.ndarray] = {}
        self.t: dict[int, int] = {}

    def step(self, i: int, theta: np.ndarray, g: np.ndarray) -> np.ndarray:
        h = self.h
        zeros = np.zeros_like(theta)
        self.t[i] = t = self.t.get(i, 0) + 1
        if h["maximize"]:
            g = -g
        if h["decoupled"]:
            theta = theta - h["lr"] * h["wd"] * theta
        elif h["wd"] != 0:
            g = g + h["wd"] * theta
        self.m[i] = h["b1"] * self.m.get(i, zeros) + (1 - h["b1"]) * g
        self.v[i] = h["b2"] * self.v.get(i, zeros) + (1 - h["b2"]) * g * g
        m_hat = self.m[i] / (1 - h["b1"] ** t)
        if h["amsgrad"]:
            self.vmax[i] = np.maximum(self.vmax.get(i, zeros), self.v[i])
            v_hat = self.vmax[i] / (1 - h["b2"] ** t)
        else:
            v_hat = self.v[i] / (1 - h["b2"] ** t)
        return theta - h["lr"] * m_hat / (np.sqrt(v_hat) + h["eps"])


def RefAdamW(weight_decay=1e-2, **kw: Any) -> RefAdam:  # noqa: N802
    return RefAdam(weight_decay=weight_decay, decoupled=True, **kw)


class RefAdamax:
    """torch.optim.Adamax's documented algorithm."""

    def __init__(self, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, maximize=False):
        self.h = dict(lr=lr, b1=betas[0], b2=betas[1], eps=eps, wd=weight_decay, maximize=maximize)
        self.m: dict[int, np.ndarray] = {}
        self.u: dict[int, np.ndarray] = {}
        self.t: dict[int, int] = {}

    def step(self, i: int, theta: np.ndarray, g: np.ndarray) -> np.ndarray:
        h = self.h
        zeros = np.zeros_like(theta)
        self.t[i] = t = self.t.get(i, 0) + 1
        if h["maximize"]:
            g = -g
        if h["wd"] != 0:
            g = g + h["wd"] * theta
        self.m[i] = h["b1"] * self.m.get(i, zeros) + (1 - h["b1"]) * g
        self.u[i] = np.maximum(h["b2"] * self.u.get(i, zeros), np.abs(g) + h["eps"])
        return theta - h["lr"] / (1 - h["b1"] ** t) * self.m[i] / self.u[i]


class RefNAdam:
    """torch.optim.NAdam's documented algorithm."""

    def __init__(
        self,
        lr=2e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=0,
        momentum_decay=4e-3,
        decoupled_weight_decay=False,
        maximize=False,
    ):
        self.h = dict(
            lr=lr,
            b1=betas[0],
            b2=betas[1],
            eps=eps,
            wd=weight_decay,
            psi=momentum_decay,
            decoupled=decoupled_weight_decay,
            maximize=maximize,
        )
        self.m: dict[int, np.ndarray] = {}
        self.v: dict[int, np.ndarray] = {}
        self.mu_product: dict[int, float] = {}
        self.t: dict[int, int] = {}

    def step(self, i: int, theta: np.ndarray, g: np.ndarray) -> np.ndarray:
        h = self.h
        zeros = np.zeros_like(theta)
        self.t[i] = t = self.t.get(i, 0) + 1
        if h["maximize"]:
            g = -g
        if h["decoupled"]:
            theta = theta - h["lr"] * h["wd"] * theta
        elif h["wd"] != 0:
            g = g + h["wd"] * theta
        mu = h["b1"] * (1 - 0.5 * 0.96 ** (t * h["psi"]))
        mu_next = h["b1"] * (1 - 0.5 * 0.96 ** ((t + 1) * h["psi"]))
        self.mu_product[i] = product = self.mu_product.get(i, 1.0) * mu
        self.m[i] = m = h["b1"] * self.m.get(i, zeros) + (1 - h["b1"]) * g
        self.v[i] = v = h["b2"] * self.v.get(i, zeros) + (1 - h["b2"]) * g * g
        denom = np.sqrt(v / (1 - h["b2"] ** t)) + h["eps"]
        return (
            theta
            - h["lr"] * (1 - mu) / (1 - product) * g / denom
            - h["lr"] * mu_next / (1 - product * mu_next) * m / denom
        )


class RefRAdam:
    """torch.optim.RAdam's documented algorithm."""

    def __init__(
        self,
        lr=1e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=0,
        decoupled_weight_decay=False,
        maximize=False,
    ):
        self.h = dict(
            lr=lr,
            b1=betas[0],
            b2=betas[1],
            eps=eps,
            wd=weight_decay,
            decoupled=decoupled_weight_decay,
            maximize=maximize,
        )
        self.m: dict[int, np.ndarray] = {}
        self.v: dict[int, np.ndarray] = {}
        self.t: dict[int, int] = {}

    def step(self, i: int, theta: np.ndarray, g: np.ndarray) -> np.ndarray:
        h = self.h
        zeros = np.zeros_like(theta)
        self.t[i] = t = self.t.get(i, 0) + 1
        b1, b2 = h["b1"], h["b2"]
        if h["maximize"]:
            g = -g
        if h["decoupled"]:
            theta = theta - h["lr"] * h["wd"] * theta
        elif h["wd"] != 0:
            g = g + h["wd"] * theta
        self.m[i] = h["b1"] * self.m.get(i, zeros) + (1 - b1) * g
        self.v[i] = h["b2"] * self.v.get(i, zeros) + (1 - b2) * g * g
        m_hat = self.m[i] / (1 - b1**t)
        rho_inf = 2 / (1 - b2) - 1
        rho_t = rho_inf - 2 * t * b2**t / (1 - b2**t)
        if rho_t > 5:
            adaptive = np.sqrt(1 - b2**t) / (np.sqrt(self.v[i]) + h["eps"])
            rect = np.sqrt(
                (rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
            )
            return theta - h["lr"] * m_hat * rect * adaptive
        return theta - h["lr"] * m_hat


class RefRprop:
    """torch.optim.Rprop's documented algorithm (the step sizes are clamped at every step, also
    where g_prev·g = 0, as its implementation does)."""

    def __init__(self, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), maximize=False):
        self.h = dict(lr=lr, etas=etas, step_sizes=step_sizes, maximize=maximize)
        self.prev: dict[int, np.ndarray] = {}
        self.sizes: dict[int, np.ndarray] = {}

    def step(self, i: int, theta: np.ndarray, g: np.ndarray) -> np.ndarray:
        h = self.h
        (eta_minus, eta_plus), (size_min, size_max) = h["etas"], h["step_sizes"]
        if h["maximize"]:
            g = -g
        sign = np.sign(g * self.prev.get(i, np.zeros_like(theta)))
        size = self.sizes.get(i, np.full_like(theta, h["lr"]))
        size = np.where(sign > 0, size * eta_plus, np.where(sign < 0, size * eta_minus, size))
        self.sizes[i] = size = np.clip(size, size_min, size_max)
        self.prev[i] = g = np.where(sign < 0, 0.0, g)
        return theta - size * np.sign(g)


class RefASGD:
    """torch.optim.ASGD's documented algorithm."""

    def __init__(self, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0, maximize=False):
        self.h = dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, wd=weight_decay, maximize=maximize)
        self.eta: dict[int, float] = {}
        self.mu: dict[int, float] = {}
        self.ax: dict[int, np.ndarray] = {}
        self.t: dict[int, int] = {}

    def step(self, i: int, theta: np.ndarray, g: np.ndarray) -> np.ndarray:
        h = self.h
        self.t[i] = t = self.t.get(i, 0) + 1
        eta, mu = self.eta.get(i, h["lr"]), self.mu.get(i, 1.0)
        if h["maximize"]:
            g = -g
        if h["wd"] != 0:
            g = g + h["wd"] * theta
        theta = theta * (1 - h["lambd"] * eta) - eta * g
        ax = self.ax.get(i, np.zeros_like(theta))
        self.ax[i] = ax + mu * (theta - ax) if mu != 1 else theta
        self.eta[i] = h["lr"] / (1 + h["lambd"] * h["lr"] * t) ** h["alpha"]
        self.mu[i] = 1 / max(1, t - h["t0"])
        return theta


# ------------------------------------------------------------ hyper-parameter strategies
lrs = st.floats(1e-4, 0.3)
small = st.one_of(st.just(0.0), st.floats(1e-4, 0.2))  # weight decay, lr decay
booleans = st.booleans()


@st.composite
def sgd_kwargs(draw: st.DrawFn) -> dict[str, Any]:
    nesterov = draw(booleans)
    momentum = draw(st.floats(0.05, 0.95) if nesterov else st.sampled_from([0.0, 0.5, 0.9]))
    return dict(
        lr=draw(lrs),
        momentum=momentum,
        dampening=0.0 if nesterov else draw(st.sampled_from([0.0, 0.1, 0.5])),
        weight_decay=draw(small),
        nesterov=nesterov,
        maximize=draw(booleans),
    )


def adagrad_kwargs() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        dict(
            lr=lrs,
            lr_decay=small,
            weight_decay=small,
            initial_accumulator_value=st.sampled_from([0.0, 0.1, 1.0]),
            eps=st.sampled_from([1e-10, 1e-7, 1e-3]),
            maximize=booleans,
        )
    )


def rmsprop_kwargs() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        dict(
            lr=st.floats(1e-4, 0.05),
            alpha=st.floats(0.5, 0.999),
            eps=st.sampled_from([1e-8, 1e-6, 1e-3]),
            weight_decay=small,
            momentum=st.sampled_from([0.0, 0.5, 0.9]),
            centered=booleans,
            maximize=booleans,
        )
    )


def adadelta_kwargs() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        dict(
            lr=st.floats(0.1, 2.0),
            rho=st.floats(0.0, 1.0),
            eps=st.sampled_from([1e-6, 1e-4, 1e-2]),
            weight_decay=small,
            maximize=booleans,
        )
    )


def adam_kwargs(weight_decay: st.SearchStrategy[float] = small) -> st.SearchStrategy[dict]:
    return st.fixed_dictionaries(
        dict(
            lr=st.floats(1e-4, 0.1),
            betas=st.tuples(st.floats(0.0, 0.99), st.floats(0.5, 0.9999)),
            eps=st.sampled_from([1e-8, 1e-6, 1e-3]),
            weight_decay=weight_decay,
            amsgrad=booleans,
            maximize=booleans,
        )
    )


def adamax_kwargs() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        dict(
            lr=st.floats(1e-4, 0.1),
            betas=st.tuples(st.floats(0.0, 0.99), st.floats(0.0, 0.9999)),
            eps=st.sampled_from([1e-8, 1e-6, 1e-3]),
            weight_decay=small,
            maximize=booleans,
        )
    )


def nadam_kwargs() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        dict(
            lr=st.floats(1e-4, 0.1),
            betas=st.tuples(st.floats(0.0, 0.99), st.floats(0.5, 0.9999)),
            eps=st.sampled_from([1e-8, 1e-6, 1e-3]),
            weight_decay=small,
            momentum_decay=st.sampled_from([0.0, 4e-3, 0.1]),
            decoupled_weight_decay=booleans,
            maximize=booleans,
        )
    )


def radam_kwargs() -> st.SearchStrategy[dict[str, Any]]:
    # ρₜ passes 5 (the rectified step) within the 12 steps for β₂ ≳ 0.7, never for β₂ ≤ 2/3
    return st.fixed_dictionaries(
        dict(
            lr=st.floats(1e-4, 0.1),
            betas=st.tuples(st.floats(0.0, 0.99), st.floats(0.5, 0.9999)),
            eps=st.sampled_from([1e-8, 1e-6, 1e-3]),
            weight_decay=small,
            decoupled_weight_decay=booleans,
            maximize=booleans,
        )
    )


def rprop_kwargs() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        dict(
            lr=lrs,
            etas=st.tuples(st.floats(0.05, 0.95), st.floats(1.01, 2.0)),
            step_sizes=st.sampled_from([(1e-6, 50), (1e-3, 0.1), (0.0, 1.0)]),
            maximize=booleans,
        )
    )


def asgd_kwargs() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        dict(
            lr=lrs,
            lambd=st.sampled_from([0.0, 1e-4, 0.1, 1.0]),
            alpha=st.floats(0.0, 1.0),
            t0=st.sampled_from([0.0, 3.0, 1e6]),  # averaging from the start, soon, never
            weight_decay=small,
            maximize=booleans,
        )
    )


CASES: dict[str, tuple[type, Callable[..., Any], st.SearchStrategy[dict[str, Any]]]] = {
    "SGD": (optim.SGD, RefSGD, sgd_kwargs()),
    "Adagrad": (optim.Adagrad, RefAdagrad, adagrad_kwargs()),
    "RMSprop": (optim.RMSprop, RefRMSprop, rmsprop_kwargs()),
    "Adadelta": (optim.Adadelta, RefAdadelta, adadelta_kwargs()),
    "Adam": (optim.Adam, RefAdam, adam_kwargs()),
    "AdamW": (optim.AdamW, RefAdamW, adam_kwargs(st.floats(0.0, 0.2))),
    "Adamax": (optim.Adamax, RefAdamax, adamax_kwargs()),
    "NAdam": (optim.NAdam, RefNAdam, nadam_kwargs()),
    "RAdam": (optim.RAdam, RefRAdam, radam_kwargs()),
    "Rprop": (optim.Rprop, RefRprop, rprop_kwargs()),
    "ASGD": (optim.ASGD, RefASGD, asgd_kwargs()),
}


def make_params(values: list[np.ndarray], device: str, dtype: Any = minigrad.float64) -> list:
    return [minigrad.tensor(v, dtype=dtype, device=device, requires_grad=True) for v in values]


def set_grad(p: minigrad.Tensor, g: np.ndarray, device: str) -> None:
    p.grad = minigrad.tensor(g, dtype=p.dtype, device=device)


def host(p: minigrad.Tensor) -> np.ndarray:
    return to_host(p._array)


def array_entries(opt: optim.Optimizer, p: minigrad.Tensor) -> dict[str, minigrad.Tensor]:
    """``opt.state[p]``'s array entries (exp_avg, ...) as it shows them: tensors; the number
    entries (step, NAdam's mu_product, ASGD's eta and mu) are left out."""
    state = opt.state[p]
    return {k: v for k, v in state.items() if not isinstance(state.raw(k), NUMBERS)}


# ----------------------------------------------------------------------- trajectories
@pytest.mark.parametrize("name", list(CASES))
@FAST
@given(data=st.data(), seed=st.integers(0, 2**32 - 1))
def test_quadratic_trajectory(name: str, data: st.DataObject, seed: int, device: str) -> None:
    """f(θ) = ½θᵀAθ − bᵀθ with A symmetric positive definite: ∇f = Aθ − b at each iterate."""
    cls, ref_cls, kwargs = CASES[name]
    kw = data.draw(kwargs)
    rng = np.random.default_rng(seed)
    n = 4
    q = rng.standard_normal((n, n))
    a, b = q @ q.T / n + 0.1 * np.eye(n), rng.standard_normal(n)
    theta0 = rng.standard_normal(n)
    (p,) = make_params([theta0], device)
    opt, ref = cls([p], **kw), ref_cls(**kw)
    expected = theta0
    for _ in range(STEPS):
        set_grad(p, a @ host(p) - b, device)
        opt.step()
        expected = ref.step(0, expected, a @ expected - b)
        np.testing.assert_allclose(host(p), expected, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name", list(CASES))
@FAST
@given(data=st.data(), seed=st.integers(0, 2**32 - 1))
def test_random_problem_with_two_groups(
    name: str, data: st.DataObject, seed: int, device: str
) -> None:
    """Random gradients for three parameters in two groups with their own hyper-parameters."""
    cls, ref_cls, kwargs = CASES[name]
    kw0, kw1 = data.draw(kwargs), data.draw(kwargs)
    rng = np.random.default_rng(seed)
    shapes = [(3, 2), (2,), (1, 4, 1)]
    start = [rng.standard_normal(s) for s in shapes]
    params = make_params(start, device)
    opt = cls([{"params": params[:2]}, {"params": params[2:], **kw1}], **kw0)
    refs = [ref_cls(**kw0), ref_cls(**kw0), ref_cls(**kw1)]
    expected = list(start)
    for _ in range(STEPS):
        for i, (p, s) in enumerate(zip(params, shapes, strict=True)):
            g = rng.standard_normal(s) * rng.choice([1e-3, 1.0, 10.0])
            set_grad(p, g, device)
            expected[i] = refs[i].step(i, expected[i], g)
        opt.step()
    for p, e in zip(params, expected, strict=True):
        np.testing.assert_allclose(host(p), e, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name", list(CASES))
def test_float32_parameters_stay_float32(name: str, device: str) -> None:
    cls, ref_cls, _ = CASES[name]
    rng = np.random.default_rng(0)
    start = rng.standard_normal(5)
    (p,) = make_params([start], device, dtype=minigrad.float32)
    opt, ref = cls([p], lr=0.01), ref_cls(lr=0.01)
    expected = start
    for _ in range(STEPS):
        g = rng.standard_normal(5)
        set_grad(p, g.astype(np.float32), device)
        opt.step()
        expected = ref.step(0, expected, g.astype(np.float32).astype(np.float64))
    assert p.dtype == minigrad.float32
    assert array_entries(opt, p) or cls is optim.SGD  # (plain SGD keeps no state)
    for name_, value in array_entries(opt, p).items():
        assert isinstance(value, minigrad.Tensor) and value.dtype == minigrad.float32, name_
        assert type(value._array) is type(p._array), name_
    np.testing.assert_allclose(host(p), expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", list(CASES))
def test_0d_float32_parameters_step_as_1_element_ones(name: str, device: str) -> None:
    # NumPy < 2 computed 0-d float32 arrays times Python floats in float64.
    cls, _, _ = CASES[name]
    rng = np.random.default_rng(1)
    start, grads = rng.standard_normal(), rng.standard_normal(STEPS)
    (scalar,) = make_params([np.array(start)], device, dtype=minigrad.float32)
    (vector,) = make_params([np.array([start])], device, dtype=minigrad.float32)
    decay = {"weight_decay": 0.1} if "weight_decay" in inspect.signature(cls).parameters else {}
    opts = [cls([p], lr=0.01, **decay) for p in (scalar, vector)]
    for g in grads:
        for p, opt in zip((scalar, vector), opts, strict=True):
            set_grad(p, np.full(p.shape, g, dtype=np.float32), device)
            opt.step()
    assert scalar.shape == () and scalar.dtype == minigrad.float32
    np.testing.assert_array_equal(host(scalar), host(vector)[0])
    assert opts[0].state[scalar].keys() == opts[1].state[vector].keys()
    vector_entries = array_entries(opts[1], vector)
    for key, value in array_entries(opts[0], scalar).items():
        assert (value.shape, value.dtype) == ((), minigrad.float32), key
        np.testing.assert_array_equal(host(value), host(vector_entries[key])[0])
    for key in opts[0].state[scalar].keys() - array_entries(opts[0], scalar).keys():
        assert opts[0].state[scalar].raw(key) == opts[1].state[vector].raw(key), key  # numbers
        assert float(opts[0].state[scalar][key]) == float(opts[1].state[vector][key]), key


def test_learning_rate_changes_act_as_in_pytorch(device: str) -> None:
    # The momentum buffer holds gradients, so a new learning rate scales the whole step at once.
    (p,) = make_params([np.array([1.0, -2.0])], device)
    opt, ref = optim.SGD([p], lr=0.1, momentum=0.9), RefSGD(lr=0.1, momentum=0.9)
    expected = np.array([1.0, -2.0])
    for t in range(10):
        lr = 0.1 * 0.7**t
        opt.param_groups[0]["lr"] = ref.h["lr"] = lr
        set_grad(p, 2 * host(p), device)
        opt.step()
        expected = ref.step(0, expected, 2 * expected)
    np.testing.assert_allclose(host(p), expected, rtol=1e-12)


# ------------------------------------------------------------------- stepping mechanics
@pytest.mark.parametrize("name", list(CASES))
def test_state_is_created_once_and_updated_in_place(name: str, device: str) -> None:
    cls = CASES[name][0]
    kw = {"momentum": 0.9} if cls is optim.SGD else {}
    (p,) = make_params([np.ones(3)], device)
    data = p._array
    opt = cls([p], lr=0.1, **kw)
    set_grad(p, np.array([1.0, 2.0, 3.0]), device)
    opt.step()
    arrays = array_entries(opt, p)  # tensors showing the stored arrays
    stored = {k: opt.state[p].raw(k) for k in arrays}
    snapshot = {k: host(v).copy() for k, v in arrays.items()}
    assert arrays
    for k in range(3):  # growing gradients: Adamax's running maximum moves too
        set_grad(p, np.array([1.0, 2.0, 3.0]) * (k + 2), device)
        opt.step()
    assert p._array is data  # the parameter's array is updated in place
    for key, value in arrays.items():
        assert opt.state[p].raw(key) is stored[key], key  # the same array, updated in place
        assert value._array is stored[key], key  # the tensor read before is a live view
        np.testing.assert_array_equal(host(value), host(opt.state[p][key]), err_msg=key)
        assert type(value._array) is type(data), key  # on the parameter's device
        assert not np.array_equal(host(value), snapshot[key]), key


@pytest.mark.parametrize("name", list(CASES))
def test_parameters_without_gradient_are_skipped(name: str, device: str) -> None:
    cls = CASES[name][0]
    a, b = make_params([np.ones(2), np.ones(2)], device)
    opt = cls([a, b], lr=0.1)
    state_b = {k: host(v).copy() for k, v in opt.state[b].items()}  # (tensors, numbers too)
    stored_b = {k: opt.state[b].raw(k) for k in state_b}
    set_grad(a, np.ones(2), device)
    opt.step()
    assert not np.array_equal(host(a), np.ones(2))
    np.testing.assert_array_equal(host(b), np.ones(2))
    # b's state is untouched (Adagrad creates step=0 and its sums at construction, as PyTorch)
    assert opt.state[b].keys() == state_b.keys()
    for key, value in opt.state[b].items():
        np.testing.assert_array_equal(host(value), state_b[key], err_msg=key)
        if isinstance(stored_b[key], NUMBERS):
            assert opt.state[b].raw(key) == stored_b[key], key


def test_adagrad_state_exists_from_construction(device: str) -> None:
    (p,) = make_params([np.zeros(3)], device)
    opt = optim.Adagrad([p], initial_accumulator_value=0.5)
    step, total = opt.state[p]["step"], opt.state[p]["sum"]
    assert isinstance(step, minigrad.Tensor) and step.shape == () and float(step) == 0
    assert step.dtype == minigrad.get_default_dtype()  # PyTorch: a 0-d float32 tensor
    assert isinstance(total, minigrad.Tensor) and type(total._array) is type(p._array)
    np.testing.assert_array_equal(host(total), [0.5, 0.5, 0.5])
    assert len(opt.state_dict()["state"]) == 1


def test_zero_grad(device: str) -> None:
    a, b = make_params([np.ones(2), np.ones(3)], device)
    opt = optim.SGD([a, b], lr=0.1)
    set_grad(a, np.ones(2), device)
    grad = a.grad
    opt.zero_grad(set_to_none=False)
    assert a.grad is grad and b.grad is None
    np.testing.assert_array_equal(host(grad), [0.0, 0.0])
    opt.zero_grad()
    assert a.grad is None


def test_gradients_from_backward_and_a_closure(device: str) -> None:
    w = minigrad.tensor([1.0, -1.0], dtype=minigrad.float64, device=device, requires_grad=True)
    opt = optim.SGD([w], lr=0.25)
    calls = []

    def closure() -> minigrad.Tensor:
        calls.append(1)
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    loss = opt.step(closure)
    assert calls == [1] and float(loss) == 2.0
    np.testing.assert_allclose(host(w), [0.5, -0.5])  # θ − 0.25 · 2θ


def _pytorch_defaults() -> dict[str, dict[str, Any]]:
    """torch.optim's defaults (torch 2.x), its implementation flags included: ``foreach`` and
    ``fused`` (which kernel runs), ``differentiable`` and ``capturable``."""
    flags = dict(foreach=None, differentiable=False)
    adam = dict(
        lr=1e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=0,
        amsgrad=False,
        maximize=False,
        **flags,
        capturable=False,
        fused=None,
        decoupled_weight_decay=False,
    )
    return {
        "SGD": dict(
            lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, maximize=False,
            **flags, fused=None,
        ),
        "Adagrad": dict(
            lr=1e-2, lr_decay=0, eps=1e-10, weight_decay=0, initial_accumulator_value=0,
            maximize=False, **flags, fused=None,
        ),
        "RMSprop": dict(
            lr=1e-2, momentum=0, alpha=0.99, eps=1e-8, centered=False, weight_decay=0,
            maximize=False, **flags, capturable=False,
        ),
        "Adadelta": dict(
            lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, maximize=False, **flags, capturable=False
        ),
        "Adam": adam,
        "AdamW": {**adam, "weight_decay": 1e-2, "decoupled_weight_decay": True},
        "Adamax": dict(
            lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, maximize=False, **flags,
            capturable=False,
        ),
        "NAdam": dict(
            lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, momentum_decay=4e-3,
            decoupled_weight_decay=False, maximize=False, **flags, capturable=False,
        ),
        "RAdam": dict(
            lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, decoupled_weight_decay=False,
            maximize=False, **flags, capturable=False,
        ),
        "Rprop": dict(
            lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), maximize=False, **flags,
            capturable=False,
        ),
        "ASGD": dict(
            lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0, maximize=False, **flags,
            capturable=False,
        ),
        "LBFGS": dict(
            lr=1, max_iter=20, max_eval=25, tolerance_grad=1e-7, tolerance_change=1e-9,
            history_size=100, line_search_fn=None,
        ),
    }  # fmt: skip


@pytest.mark.parametrize("name", list(_pytorch_defaults()))
def test_defaults_as_in_pytorch(name: str) -> None:
    (p,) = make_params([np.zeros(1)], "cpu")
    assert getattr(optim, name)([p]).defaults == _pytorch_defaults()[name]


@pytest.mark.parametrize("name", list(_pytorch_defaults()))
def test_defaults_equal_pytorchs_own(name: str) -> None:
    torch = pytest.importorskip("torch")
    (p,) = make_params([np.zeros(1)], "cpu")
    theirs = getattr(torch.optim, name)([torch.zeros(1, requires_grad=True)]).defaults
    assert getattr(optim, name)([p]).defaults == theirs


# ------------------------------------------------------------------- parameter groups
def test_param_groups_and_add_param_group() -> None:
    a, b, c = make_params([np.zeros(1), np.zeros(2), np.zeros(3)], "cpu")
    opt = optim.SGD([{"params": [a]}, {"params": b, "lr": 0.5}], lr=0.1, momentum=0.9)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.5]
    assert opt.param_groups[1]["params"] == [b] and opt.param_groups[1]["momentum"] == 0.9
    opt.add_param_group({"params": [c], "momentum": 0.0})
    assert opt.param_groups[2]["lr"] == 0.1 and opt.param_groups[2]["momentum"] == 0.0
    assert "Parameter Group 2" in repr(opt) and "lr: 0.5" in repr(opt)


def invalid_cases() -> list[tuple[Callable[[list], Any], type, str]]:
    return [
        (lambda p: optim.SGD(p, lr=-0.1), ValueError, "Invalid learning rate"),
        (lambda p: optim.SGD(p, momentum=-0.5), ValueError, "Invalid momentum value"),
        (lambda p: optim.SGD(p, weight_decay=-1), ValueError, "Invalid weight_decay value"),
        (lambda p: optim.SGD(p, nesterov=True), ValueError, "Nesterov momentum requires"),
        (
            lambda p: optim.SGD(p, momentum=0.9, dampening=0.1, nesterov=True),
            ValueError,
            "Nesterov momentum requires",
        ),
        (lambda p: optim.SGD(p, lr="fast"), TypeError, "real number"),
        (lambda p: optim.Adagrad(p, lr_decay=-1), ValueError, "Invalid lr_decay value"),
        (lambda p: optim.Adagrad(p, eps=-1e-10), ValueError, "Invalid epsilon value"),
        (
            lambda p: optim.Adagrad(p, initial_accumulator_value=-1),
            ValueError,
            "Invalid initial_accumulator_value",
        ),
        (lambda p: optim.RMSprop(p, alpha=-0.1), ValueError, "Invalid alpha value"),
        (lambda p: optim.RMSprop(p, momentum=-0.1), ValueError, "Invalid momentum value"),
        (lambda p: optim.RMSprop(p, eps=-1.0), ValueError, "Invalid epsilon value"),
        (lambda p: optim.Adadelta(p, rho=1.5), ValueError, "Invalid rho value"),
        (lambda p: optim.Adadelta(p, rho=-0.1), ValueError, "Invalid rho value"),
        (lambda p: optim.Adadelta(p, eps=-1.0), ValueError, "Invalid epsilon value"),
        (lambda p: optim.Adam(p, lr=-1e-3), ValueError, "Invalid learning rate"),
        (lambda p: optim.Adam(p, eps=-1e-8), ValueError, "Invalid epsilon value"),
        (lambda p: optim.Adam(p, betas=(1.0, 0.999)), ValueError, "beta parameter at index 0"),
        (lambda p: optim.Adam(p, betas=(0.9, -0.1)), ValueError, "beta parameter at index 1"),
        (lambda p: optim.Adam(p, betas=0.9), ValueError, "betas must be a pair"),
        (lambda p: optim.AdamW(p, weight_decay=-0.01), ValueError, "Invalid weight_decay"),
        (lambda p: optim.Adamax(p, betas=(0.9, 1.0)), ValueError, "beta parameter at index 1"),
        (lambda p: optim.Adamax(p, eps=-1.0), ValueError, "Invalid epsilon value"),
        (lambda p: optim.NAdam(p, momentum_decay=-1), ValueError, "Invalid momentum_decay"),
        (lambda p: optim.NAdam(p, weight_decay=-1), ValueError, "Invalid weight_decay"),
        (lambda p: optim.RAdam(p, lr=-1.0), ValueError, "Invalid learning rate"),
        (lambda p: optim.RAdam(p, betas=(-0.1, 0.9)), ValueError, "beta parameter at index 0"),
        (lambda p: optim.Rprop(p, lr=-0.01), ValueError, "Invalid learning rate"),
        (lambda p: optim.Rprop(p, etas=(1.5, 1.2)), ValueError, "Invalid eta values: 1.5, 1.2"),
        (lambda p: optim.Rprop(p, etas=(0.5, 0.9)), ValueError, "Invalid eta values: 0.5, 0.9"),
        (lambda p: optim.Rprop(p, etas=(0.0, 1.2)), ValueError, "Invalid eta values"),
        (lambda p: optim.Rprop(p, etas=0.5), ValueError, "etas must be a pair"),
        (lambda p: optim.Rprop(p, step_sizes=(1e-6,)), ValueError, "step_sizes must be a pair"),
        (lambda p: optim.ASGD(p, lr=-0.01), ValueError, "Invalid learning rate"),
        (lambda p: optim.ASGD(p, weight_decay=-1), ValueError, "Invalid weight_decay value"),
        (lambda p: optim.LBFGS(p, lr=-1), ValueError, "Invalid learning rate"),
        (
            lambda p: optim.LBFGS([{"params": p[:1]}, {"params": p[1:]}]),
            ValueError,
            "LBFGS doesn't support per-parameter options",
        ),
        (lambda p: optim.SGD([], lr=0.1), ValueError, "empty parameter list"),
        (lambda p: optim.SGD(p[0], lr=0.1), TypeError, "iterable of Tensors"),
        (lambda p: optim.SGD(set(p), lr=0.1), TypeError, "ordered collections"),
        (
            lambda p: optim.SGD([{"params": p}, {"params": p[:1]}]),
            ValueError,
            "more than one parameter group",
        ),
        (
            lambda p: optim.SGD([{"params": p[:1]}, {"params": p[1:], "lr": -1}]),
            ValueError,
            "Invalid learning rate",
        ),
        (lambda p: optim.SGD([np.zeros(2)]), TypeError, "can only optimize Tensors"),
        (lambda p: optim.SGD([p[0] * 2]), ValueError, "non-leaf Tensor"),
        (lambda p: optim.SGD([{"lr": 0.1}]), ValueError, "'params'"),
    ]


@pytest.mark.parametrize(("make", "error", "match"), invalid_cases())
def test_invalid_arguments(make: Callable[[list], Any], error: type, match: str) -> None:
    params = make_params([np.zeros(2), np.zeros(3)], "cpu")
    with pytest.raises(error, match=match):
        make(params)


def test_duplicate_parameters_in_a_group_warn_and_are_updated_twice_as_in_pytorch() -> None:
    (p,) = make_params([np.zeros(2)], "cpu")
    with pytest.warns(UserWarning, match="duplicate parameters"):
        opt = optim.SGD([p, p], lr=0.5)
    p.grad = minigrad.ones(2, dtype=minigrad.float64)
    opt.step()
    np.testing.assert_array_equal(p.detach().numpy(), [-1.0, -1.0])  # 0 − 0.5·1, twice


def test_gradient_of_the_wrong_shape() -> None:
    (p,) = make_params([np.zeros(3)], "cpu")
    with pytest.raises(RuntimeError, match=r"assign a gradient of size '\[2\]' to a tensor"):
        p.grad = minigrad.zeros(2, dtype=minigrad.float64)  # refused, as by PyTorch
    with pytest.raises(RuntimeError, match="assign a gradient with dtype 'float32'"):
        p.grad = minigrad.zeros(3, dtype=minigrad.float32)
    with pytest.raises(TypeError, match="expected to be a Tensor or None"):
        p.grad = np.zeros(3)
    assert p.grad is None
    # ``p.grad.data = t`` swaps the gradient's memory for any shape or dtype (PyTorch too):
    # then the optimizer's own check stops the step
    p.grad = minigrad.zeros(3, dtype=minigrad.float64)
    p.grad.data = minigrad.zeros(2, dtype=minigrad.float64)
    with pytest.raises(ValueError, match=r"gradient \(float64, shape \(2,\)\) does not match"):
        optim.SGD([p], lr=0.1).step()
    p.grad.data = minigrad.zeros(3, dtype=minigrad.float32)
    with pytest.raises(ValueError, match=r"parameter \(float64, shape \(3,\)\)"):
        optim.SGD([p], lr=0.1).step()
    np.testing.assert_array_equal(host(p), np.zeros(3))


def test_gradient_on_another_device() -> None:
    (p,) = make_params([np.zeros(3)], "cpu")
    with pytest.raises(RuntimeError, match="assigned grad has data located on a different device"):
        p.grad = minigrad.zeros(3, dtype=minigrad.float64, device="cuda")
    p.grad = minigrad.zeros(3, dtype=minigrad.float64)
    p.grad.data = minigrad.zeros(3, dtype=minigrad.float64, device="cuda")
    with pytest.raises(ValueError, match="move the gradient to the parameter's device"):
        optim.SGD([p], lr=0.1).step()
    np.testing.assert_array_equal(host(p), np.zeros(3))


def test_a_group_dict_becomes_the_optimizers_group() -> None:
    (p,) = make_params([np.zeros(3)], "cpu")
    group = {"params": p, "lr": 0.5}
    opt = optim.SGD([group], momentum=0.9)
    assert opt.param_groups[0] is group and group["params"] == [p] and group["momentum"] == 0.9
    opt.add_param_group({"params": []})  # an empty group is allowed (PyTorch too)
    assert opt.param_groups[1]["params"] == []
