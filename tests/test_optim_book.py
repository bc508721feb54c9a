"""minigrad.optim.book: the "Deep Learning from Scratch" optimizers (seeds 002 and 003)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from minigrad import optim
from minigrad.backend import get_backend, to_host

book = optim.book

# example count and deadline come from the profile loaded by conftest.py
FAST = settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


# ------------------------------------------------------------------- seed 002's exercises
def test_seed_002_adam_exercise_1() -> None:
    """f(x, y) = xy from (1, 2), Adam(lr=1, β₁=β₂=1/2): the notes' m, v and x, by hand."""
    opt = book.Adam(1.0, 1 / 2, 1 / 2)
    params = {"x": 1.0, "y": 2.0}
    assert opt.m is None and opt.v is None

    opt.update(params, {"x": 2.0, "y": 1.0})  # ∇f(1, 2) = (y, x) = (2, 1)
    assert {k: float(v) for k, v in opt.m.items()} == {"x": 1.0, "y": 0.5}  # m0 = (1, 1/2)
    assert {k: float(v) for k, v in opt.v.items()} == {"x": 2.0, "y": 0.5}  # v0 = (2, 1/2)
    assert params["x"] == pytest.approx(0.0, abs=1e-6)  # x1 = (0, 1)
    assert params["y"] == pytest.approx(1.0, abs=1e-6)

    opt.update(params, {"x": 1.0, "y": 0})  # ∇f(0, 1) = (1, 0), as the notes feed it
    assert {k: float(v) for k, v in opt.m.items()} == {"x": 1.0, "y": 0.25}  # m1 = (1, 1/4)
    assert {k: float(v) for k, v in opt.v.items()} == {"x": 1.5, "y": 0.25}  # v1 = (3/2, 1/4)
    assert params["x"] == pytest.approx(-2 * math.sqrt(2) / 3, abs=1e-6)  # x2
    assert params["y"] == pytest.approx(1 - math.sqrt(3) / 3, abs=1e-6)
    assert opt.iter == 2
    assert all(type(v) is float for v in params.values())  # plain numbers stay numbers


def test_seed_002_adam_exercise_2() -> None:
    """f(x, y) = x² + xy from (1, 1), Adam(lr=1, β₁=β₂=1/2)."""
    opt = book.Adam(1.0, 1 / 2, 1 / 2)
    params = {"x": 1.0, "y": 1.0}
    opt.update(params, {"x": 3.0, "y": 1.0})  # ∇f(1, 1) = (2x + y, x) = (3, 1)
    assert {k: float(v) for k, v in opt.m.items()} == {"x": 1.5, "y": 0.5}  # (3/2, 1/2)
    assert {k: float(v) for k, v in opt.v.items()} == {"x": 4.5, "y": 0.5}  # (9/2, 1/2)
    assert params["x"] == pytest.approx(0.0, abs=1e-6)  # x1 = (0, 0)
    assert params["y"] == pytest.approx(0.0, abs=1e-6)

    opt.update(params, {"x": 0, "y": 0})
    assert {k: float(v) for k, v in opt.m.items()} == {"x": 0.75, "y": 0.25}  # (3/4, 1/4)
    assert {k: float(v) for k, v in opt.v.items()} == {"x": 2.25, "y": 0.25}  # (9/4, 1/4)
    assert params["x"] == pytest.approx(-math.sqrt(3) / 3, abs=1e-6)  # x2 = (−√3/3, −√3/3)
    assert params["y"] == pytest.approx(-math.sqrt(3) / 3, abs=1e-6)


# --------------------------------------------------- the book's code, transcribed verbatim
class RefSGD:
    def __init__(self, lr=0.01):
        self.lr = lr

    def update(self, params, grads):
        for key in params.keys():
            params[key] -= self.lr * grads[key]


class RefMomentum:
    def __init__(self, lr=0.01, momentum=0.9):
        self.lr, self.momentum, self.v = lr, momentum, None

    def update(self, params, grads):
        if self.v is None:
            self.v = {key: np.zeros_like(val) for key, val in params.items()}
        for key in params.keys():
            self.v[key] = self.momentum * self.v[key] - self.lr * grads[key]
            params[key] += self.v[key]


class RefNesterov:
    def __init__(self, lr=0.01, momentum=0.9):
        self.lr, self.momentum, self.v = lr, momentum, None

    def update(self, params, grads):
        if self.v is None:
            self.v = {key: np.zeros_like(val) for key, val in params.items()}
        for key in params.keys():  # the author's 2021 fix: θ uses v before its update
            params[key] += self.momentum * self.momentum * self.v[key]
            params[key] -= (1 + self.momentum) * self.lr * grads[key]
            self.v[key] *= self.momentum
            self.v[key] -= self.lr * grads[key]


class RefAdaGrad:
    def __init__(self, lr=0.01):
        self.lr, self.h = lr, None

    def update(self, params, grads):
        if self.h is None:
            self.h = {key: np.zeros_like(val) for key, val in params.items()}
        for key in params.keys():
            self.h[key] += grads[key] * grads[key]
            params[key] -= self.lr * grads[key] / (np.sqrt(self.h[key]) + 1e-7)


class RefRMSprop:
    def __init__(self, lr=0.01, decay_rate=0.99):
        self.lr, self.decay_rate, self.h = lr, decay_rate, None

    def update(self, params, grads):
        if self.h is None:
            self.h = {key: np.zeros_like(val) for key, val in params.items()}
        for key in params.keys():
            self.h[key] *= self.decay_rate
            self.h[key] += (1 - self.decay_rate) * grads[key] * grads[key]
            params[key] -= self.lr * grads[key] / (np.sqrt(self.h[key]) + 1e-7)


class RefAdam:
    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999):
        self.lr, self.beta1, self.beta2, self.iter, self.m, self.v = lr, beta1, beta2, 0, None, None

    def update(self, params, grads):
        if self.m is None:
            self.m = {key: np.zeros_like(val) for key, val in params.items()}
            self.v = {key: np.zeros_like(val) for key, val in params.items()}
        self.iter += 1
        lr_t = self.lr * np.sqrt(1.0 - self.beta2**self.iter) / (1.0 - self.beta1**self.iter)
        for key in params.keys():
            self.m[key] += (1 - self.beta1) * (grads[key] - self.m[key])
            self.v[key] += (1 - self.beta2) * (grads[key] ** 2 - self.v[key])
            params[key] -= lr_t * self.m[key] / (np.sqrt(self.v[key]) + 1e-7)


CLASSES = {
    "SGD": (book.SGD, RefSGD),
    "Momentum": (book.Momentum, RefMomentum),
    "Nesterov": (book.Nesterov, RefNesterov),
    "AdaGrad": (book.AdaGrad, RefAdaGrad),
    "RMSprop": (book.RMSprop, RefRMSprop),
    "Adam": (book.Adam, RefAdam),
}
lrs = st.floats(1e-3, 0.5)
rates = st.floats(0.0, 0.99)
ARGS = {  # the constructor's positional arguments
    "SGD": st.tuples(lrs),
    "Momentum": st.tuples(lrs, rates),
    "Nesterov": st.tuples(lrs, rates),
    "AdaGrad": st.tuples(lrs),
    "RMSprop": st.tuples(lrs, rates),
    "Adam": st.tuples(lrs, rates, rates),
}


def _away_from_zero(g: np.ndarray) -> np.ndarray:
    return np.sign(g) * (0.1 + np.abs(g))


@pytest.mark.parametrize("name", list(CLASSES))
@FAST
@given(data=st.data(), seed=st.integers(0, 2**32 - 1))
def test_matches_the_books_code(name: str, data: st.DataObject, seed: int, device: str) -> None:
    """Each class follows the book's update formulas, on arrays, step after step."""
    cls, ref_cls = CLASSES[name]
    args = data.draw(ARGS[name])
    rng = np.random.default_rng(seed)
    shapes = {"W1": (3, 2), "b1": (2,)}
    host = {k: rng.standard_normal(s) for k, s in shapes.items()}
    dev = get_backend(device)
    params = {k: dev.from_host(v.copy(), device) for k, v in host.items()}
    arrays = dict(params)
    opt, ref = cls(*args), ref_cls(*args)
    for _ in range(8):
        # |g| ≥ 0.1: the book's v += (1 − β₂)(g² − v) cancels catastrophically when g² ≪ v
        # (β₂ = 0, g = 1e-5 after g = 3 loses six digits of v), which the reference then
        # carries; minigrad computes β₂ v + (1 − β₂) g², the same number without the loss
        grads = {k: _away_from_zero(rng.standard_normal(s)) for k, s in shapes.items()}
        opt.update(params, {k: dev.from_host(g, device) for k, g in grads.items()})
        ref.update(host, grads)
    for key in shapes:
        assert params[key] is arrays[key]  # arrays are updated in place
        # (β₂ = 0 and tiny gradients make big steps, which amplify rounding: rtol 1e-8)
        np.testing.assert_allclose(to_host(params[key]), host[key], rtol=1e-8, atol=1e-12)


@pytest.mark.parametrize("name", list(CLASSES))
def test_plain_floats_follow_the_same_formulas(name: str) -> None:
    cls, ref_cls = CLASSES[name]
    opt, ref = cls(0.1), ref_cls(0.1)
    params, host = {"x": -7.0, "y": 2}, {"x": -7.0, "y": 2.0}
    for _ in range(5):
        grads = {"x": params["x"] / 10.0, "y": 2.0 * params["y"]}
        opt.update(params, grads)
        ref.update(host, {"x": host["x"] / 10.0, "y": 2.0 * host["y"]})
    assert type(params["x"]) is float and type(params["y"]) is float
    assert params["x"] == pytest.approx(float(host["x"]), rel=1e-12)
    assert params["y"] == pytest.approx(float(host["y"]), rel=1e-12)


def test_state_is_kept_per_key() -> None:
    opt = book.Momentum(lr=0.1, momentum=0.9)
    assert opt.v is None
    a, b = np.ones(2), np.ones(3)
    opt.update({"a": a, "b": b}, {"a": np.ones(2), "b": np.zeros(3)})
    np.testing.assert_allclose(opt.v["a"], [-0.1, -0.1])
    np.testing.assert_allclose(opt.v["b"], np.zeros(3))
    velocity = opt.v["a"]
    opt.update({"a": a, "b": b}, {"a": np.ones(2), "b": np.zeros(3)})
    assert opt.v["a"] is velocity  # the same array, updated in place
    np.testing.assert_allclose(velocity, [-0.19, -0.19])
    np.testing.assert_allclose(a, [1 - 0.1 - 0.19] * 2)
    np.testing.assert_array_equal(b, np.ones(3))


def test_state_views() -> None:
    ada, rms = book.AdaGrad(lr=0.1), book.RMSprop(lr=0.1, decay_rate=0.9)
    assert ada.h is None and rms.h is None
    ada.update({"w": np.zeros(2)}, {"w": np.array([1.0, 2.0])})
    rms.update({"w": np.zeros(2)}, {"w": np.array([1.0, 2.0])})
    np.testing.assert_allclose(ada.h["w"], [1.0, 4.0])
    np.testing.assert_allclose(rms.h["w"], [0.1, 0.4])


def test_defaults_and_repr() -> None:
    assert repr(book.SGD()) == "SGD(lr=0.01)"
    assert repr(book.Momentum()) == "Momentum(lr=0.01, momentum=0.9)"
    assert repr(book.Nesterov()) == "Nesterov(lr=0.01, momentum=0.9)"
    assert repr(book.AdaGrad()) == "AdaGrad(lr=0.01)"
    assert repr(book.RMSprop()) == "RMSprop(lr=0.01, decay_rate=0.99)"
    assert repr(book.Adam()) == "Adam(lr=0.001, beta1=0.9, beta2=0.999)"


@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (lambda: book.SGD(lr=-0.1), ValueError, "Invalid learning rate"),
        (lambda: book.Momentum(momentum=-0.5), ValueError, "Invalid momentum"),
        (lambda: book.RMSprop(decay_rate=-1), ValueError, "decay_rate"),
        (lambda: book.Adam(beta1=1.0), ValueError, "beta parameter at index 0"),
        (lambda: book.Adam(beta2=-0.1), ValueError, "beta parameter at index 1"),
        (lambda: book.SGD(lr="0.1"), TypeError, "real number"),
    ],
)
def test_invalid_hyperparameters(make: Any, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        make()


def test_missing_gradient_and_integer_parameters() -> None:
    with pytest.raises(KeyError, match="grads has no entry for parameter 'b'"):
        book.SGD().update({"w": np.zeros(2), "b": np.zeros(1)}, {"w": np.ones(2)})
    with pytest.raises(TypeError, match="floating-point"):
        book.SGD().update({"w": np.zeros(2, dtype=np.int64)}, {"w": np.ones(2)})
