"""Optimizers with the interface of "Deep Learning from Scratch" (chapter 6).

Each optimizer has one method, ``update(params, grads)``, where ``params`` and
``grads`` are dicts with the same keys (``'W1'``, ``'b1'``... or ``'x'``,
``'y'``) whose values are arrays or plain Python numbers::

    from minigrad.optim.book import Adam

    opt = Adam(lr=1.0, beta1=0.5, beta2=0.5)
    params = {"x": 1.0, "y": 2.0}
    opt.update(params, {"x": 2.0, "y": 1.0})   # params now ≈ {'x': 0.0, 'y': 1.0}

``params`` is changed in place: an array value is updated in place (the same
array object keeps the new values), a plain number is replaced by the new
number in the dict. State (velocities, moment estimates) is kept per key and
created on the first update, as in the book.

The arithmetic is not written here: each class calls the update rule of
:mod:`minigrad.optim._functional`, which the PyTorch-style optimizers use too.
All use the book's ε = 1e-7.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Mapping, MutableMapping
from typing import Any

from minigrad.backend import get_backend

from . import _functional as F

__all__ = ["SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam", "BookOptimizer"]

#: The book's ε, added to square roots to avoid dividing by zero.
BOOK_EPS = 1e-7


def _check_range(name: str, value: float, low: float, high: float | None = None) -> float:
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    value = float(value)
    upper_ok = high is None or value < high
    if not (low <= value and upper_ok):
        bound = f"in [{low}, {high})" if high is not None else f">= {low}"
        raise ValueError(f"Invalid {name}: {value} (must be {bound})")
    return value


class BookOptimizer:
    """Base class: ``update(params, grads)`` applies :meth:`_rule` to every key of ``params``.

    Subclasses set :attr:`_rule` (a function of :mod:`minigrad.optim._functional`)
    and :meth:`_hyperparameters`. ``state[key]`` holds the per-key state dict.
    """

    _rule: Callable[..., None]
    _arg_names: tuple[str, ...] = ("lr",)

    def __init__(self, lr: float) -> None:
        self.lr = _check_range("learning rate", lr, 0.0)
        self.state: dict[Any, dict[str, Any]] = {}

    def _hyperparameters(self) -> dict[str, Any]:
        return {"lr": float(self.lr)}

    def _state_view(self, name: str) -> dict[Any, Any] | None:
        """``{key: state[key][name]}``: the book's ``self.v`` / ``self.h`` / ``self.m``."""
        if not self.state:
            return None
        return {key: s[name] for key, s in self.state.items() if name in s}

    def update(self, params: MutableMapping[Any, Any], grads: Mapping[Any, Any]) -> None:
        """Update every entry of ``params`` from ``grads[key]`` (in place).

        Arrays are updated in place; plain numbers are replaced in the dict by
        their new value (a Python float).
        """
        hyper = self._hyperparameters()
        for key in list(params.keys()):
            if key not in grads:
                raise KeyError(f"grads has no entry for parameter {key!r}")
            value, grad = params[key], grads[key]
            state = self.state.setdefault(key, {})
            if isinstance(value, numbers.Real):
                # A plain number: compute on a 0-d float64 host array, write the number back.
                xp = get_backend("cpu").xp
                array = xp.array(float(value), dtype=xp.float64)
                self._rule(array, xp.array(float(grad), dtype=xp.float64), state, **hyper)
                params[key] = float(array)
            else:
                dtype = getattr(value, "dtype", None)
                if dtype is None or dtype.kind not in "fc":
                    raise TypeError(
                        f"params[{key!r}] must be a floating-point array or a number, "
                        f"got {type(value).__name__} with dtype {dtype}"
                    )
                F.apply_rule(self._rule, value, grad, state, **hyper)

    def __repr__(self) -> str:
        args = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._arg_names)
        return f"{type(self).__name__}({args})"


class SGD(BookOptimizer):
    r"""Stochastic gradient descent: ``θ ← θ − lr·g``.

    .. code-block:: text

        for each key:  params[key] -= lr * grads[key]
    """

    _rule = staticmethod(F.sgd_update)

    def __init__(self, lr: float = 0.01) -> None:
        super().__init__(lr)


class Momentum(BookOptimizer):
    r"""Momentum SGD in the book's velocity form.

    .. code-block:: text

        v ← momentum·v − lr·g      (v starts at 0)
        θ ← θ + v

    ``self.v`` is ``{key: velocity}`` after the first update (None before).
    """

    _rule = staticmethod(F.momentum_update)
    _arg_names = ("lr", "momentum")

    def __init__(self, lr: float = 0.01, momentum: float = 0.9) -> None:
        super().__init__(lr)
        self.momentum = _check_range("momentum value", momentum, 0.0)

    def _hyperparameters(self) -> dict[str, Any]:
        return {"lr": float(self.lr), "momentum": float(self.momentum)}

    @property
    def v(self) -> dict[Any, Any] | None:
        """The velocities, ``{key: v}`` (None before the first update)."""
        return self._state_view("velocity")


class Nesterov(Momentum):
    r"""Nesterov's accelerated gradient, as the book's ``Nesterov`` class.

    .. code-block:: text

        v ← momentum·v − lr·g                        (v starts at 0)
        θ ← θ + momentum²·v − (1 + momentum)·lr·g

    (The book applies momentum² to the updated velocity; see
    :func:`minigrad.optim._functional.nesterov_update` for how this differs from
    PyTorch's ``SGD(nesterov=True)``.)
    """

    _rule = staticmethod(F.nesterov_update)


class AdaGrad(BookOptimizer):
    r"""AdaGrad: a step size per coordinate, shrinking with the squared gradients seen.

    .. code-block:: text

        h ← h + g²                 (h starts at 0)
        θ ← θ − lr·g / (√h + 1e-7)

    ``self.h`` is ``{key: h}`` after the first update (None before).
    """

    _rule = staticmethod(F.adagrad_update)

    def __init__(self, lr: float = 0.01) -> None:
        super().__init__(lr)

    def _hyperparameters(self) -> dict[str, Any]:
        return {"lr": float(self.lr), "eps": BOOK_EPS}

    @property
    def h(self) -> dict[Any, Any] | None:
        """The accumulated squared gradients, ``{key: h}``."""
        return self._state_view("sum")


class RMSprop(BookOptimizer):
    r"""RMSprop: AdaGrad with an exponentially decaying average of squared gradients.

    .. code-block:: text

        h ← decay_rate·h + (1 − decay_rate)·g²      (h starts at 0)
        θ ← θ − lr·g / (√h + 1e-7)
    """

    _rule = staticmethod(F.rmsprop_update)
    _arg_names = ("lr", "decay_rate")

    def __init__(self, lr: float = 0.01, decay_rate: float = 0.99) -> None:
        super().__init__(lr)
        self.decay_rate = _check_range("decay_rate", decay_rate, 0.0)

    def _hyperparameters(self) -> dict[str, Any]:
        return {"lr": float(self.lr), "alpha": float(self.decay_rate), "eps": BOOK_EPS}

    @property
    def h(self) -> dict[Any, Any] | None:
        """The running averages of squared gradients, ``{key: h}``."""
        return self._state_view("square_avg")


class Adam(BookOptimizer):
    r"""Adam in the book's form (bias correction folded into the learning rate).

    .. code-block:: text

        iter ← iter + 1
        lr_t ← lr·√(1 − beta2^iter) / (1 − beta1^iter)
        m ← m + (1 − beta1)·(g − m)          (m, v start at 0)
        v ← v + (1 − beta2)·(g² − v)
        θ ← θ − lr_t·m / (√v + 1e-7)

    ``self.m``, ``self.v`` are ``{key: array}`` after the first update (None
    before) and ``self.iter`` counts the updates. (Each key's bias correction
    counts that key's own updates, which is ``iter`` whenever every update
    has all the keys, as in the book.) Seed 002's exercise::

        opt = Adam(1., 1/2, 1/2)
        params = {'x': 1., 'y': 2.}
        opt.update(params, {'x': 2., 'y': 1.})   # m=(1, 1/2), v=(2, 1/2), params≈(0, 1)
    """

    _rule = staticmethod(F.adam_update)
    _arg_names = ("lr", "beta1", "beta2")

    def __init__(self, lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999) -> None:
        super().__init__(lr)
        self.beta1 = _check_range("beta parameter at index 0", beta1, 0.0, 1.0)
        self.beta2 = _check_range("beta parameter at index 1", beta2, 0.0, 1.0)
        self.iter = 0

    def _hyperparameters(self) -> dict[str, Any]:
        return {
            "lr": float(self.lr),
            "beta1": float(self.beta1),
            "beta2": float(self.beta2),
            "eps": BOOK_EPS,
            "eps_hat": True,
        }

    def update(self, params: MutableMapping[Any, Any], grads: Mapping[Any, Any]) -> None:
        """One Adam step on every entry of ``params`` (in place)."""
        self.iter += 1
        super().update(params, grads)

    @property
    def m(self) -> dict[Any, Any] | None:
        """First-moment estimates, ``{key: m}``."""
        return self._state_view("exp_avg")

    @property
    def v(self) -> dict[Any, Any] | None:
        """Second-moment estimates, ``{key: v}``."""
        return self._state_view("exp_avg_sq")
