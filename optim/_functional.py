"""The update rules, one function per algorithm, written once on raw arrays.

Every optimizer in :mod:`minigrad.optim` (PyTorch-style) and
:mod:`minigrad.optim.book` ("Deep Learning from Scratch" style) is a thin front
that calls one of these functions; the arithmetic lives only here.

Each function has the signature ::

    xxx_update(param, grad, state, *, lr, <hyper-parameters>) -> None

- ``param`` is the parameter's array; it is changed **in place**.
- ``grad`` is the gradient array of the same shape (never modified).
- ``state`` is a dict of this parameter's running quantities (moment estimates,
  step count...). It is filled on the first call and afterwards updated **in
  place**: the same arrays are reused at every step, so a caller may keep
  references to them (the PyTorch-style optimizers make them views of one
  flat buffer per parameter group, see ``_flat.py``).
- Hyper-parameters are plain Python numbers (keyword-only).

The arithmetic goes through the array namespace of ``param``
(:func:`minigrad.backend.get_array_module`), so the same code runs on NumPy
(CPU), CuPy (GPU) and the strict test backend. Python scalars mix with any
array type and keep the array's dtype (a float32 parameter stays float32).

Notation in the docstrings: θ parameter, g gradient, γ learning rate,
λ weight decay, t step count (1 for the first update).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from minigrad._typing import Array
from minigrad.backend import get_array_module

__all__ = [
    "apply_rule",
    "sgd_update",
    "momentum_update",
    "nesterov_update",
    "adagrad_init_state",
    "adagrad_update",
    "rmsprop_update",
    "adam_update",
]

State = dict[str, Any]


def apply_rule(
    rule: Callable[..., None], param: Array, grad: Array, state: State, **hyper: Any
) -> None:
    """``rule(param, grad, state, **hyper)``, with a 0-d ``param`` seen as a 1-element array.

    NumPy < 2 computes a 0-d float32 array times a Python float in float64 (the
    Python float counts as float64 when every operand is a scalar), so the rules'
    arithmetic would differ from that of any other shape. Through 1-element views
    (which share memory with the 0-d arrays) a 0-d parameter is updated in its own
    dtype on every NumPy; its state arrays stay 0-d, as PyTorch's.
    """
    if param.ndim != 0:
        rule(param, grad, state, **hyper)
        return
    as_1d = {key: _reshaped(value, (1,)) for key, value in state.items()}
    rule(param.reshape(1), grad.reshape(1), as_1d, **hyper)
    state.update((key, _reshaped(value, ())) for key, value in as_1d.items())


def _reshaped(value: Any, shape: tuple[int, ...]) -> Any:
    """A view of ``value`` with ``shape`` if it is a one-element array; other values as is."""
    if getattr(value, "size", None) == 1 and hasattr(value, "reshape"):
        return value.reshape(shape)
    return value


def _sqrt(xp: Any, x: Array) -> Array:
    """√x in a new array that later operations may update in place.

    (``xp.sqrt`` of a 0-d NumPy array returns a scalar, not an array; writing
    into a fresh ``empty_like`` keeps the result an array for every shape.)
    """
    return xp.sqrt(x, out=xp.empty_like(x))


def _effective_grad(param: Array, grad: Array, weight_decay: float, maximize: bool) -> Array:
    """``g ← −g`` if maximising, then ``g ← g + λθ`` (L2 penalty); ``grad`` is left untouched."""
    g = -grad if maximize else grad
    if weight_decay != 0:
        g = g + weight_decay * param
    return g


# ----------------------------------------------------------------------------- SGD
def sgd_update(
    param: Array,
    grad: Array,
    state: State,
    *,
    lr: float,
    momentum: float = 0.0,
    dampening: float = 0.0,
    weight_decay: float = 0.0,
    nesterov: bool = False,
    maximize: bool = False,
) -> None:
    r"""Stochastic gradient descent, optionally with momentum (PyTorch's ``SGD``).

    .. code-block:: text

        g ← −g                      if maximize
        g ← g + λθ                  if λ ≠ 0
        if μ ≠ 0:
            b ← g                   on the first step
            b ← μ b + (1 − τ) g     afterwards            (τ: dampening)
            g ← g + μ b             if nesterov
            g ← b                   otherwise
        θ ← θ − γ g

    The momentum buffer ``b`` (``state["momentum_buffer"]``) accumulates
    gradients, not steps: the learning rate multiplies it at each update, so a
    learning rate changed between steps (by a scheduler) acts at once.
    With ``momentum == 0`` no state is kept. Plain ``θ ← θ − γ g`` is also the
    book's ``SGD``.
    """
    g = _effective_grad(param, grad, weight_decay, maximize)
    if momentum != 0:
        buf = state.get("momentum_buffer")
        if buf is None:  # (xp.array, not g.copy(): NumPy gives 0-d results as scalars)
            buf = state["momentum_buffer"] = get_array_module(param).array(g, copy=True)
        else:
            buf *= momentum
            buf += g if dampening == 0 else (1 - dampening) * g
        g = g + momentum * buf if nesterov else buf
    param -= lr * g


def momentum_update(param: Array, grad: Array, state: State, *, lr: float, momentum: float) -> None:
    r"""Momentum SGD in the book's velocity form ("Deep Learning from Scratch" §6.1.4).

    .. code-block:: text

        v ← α v − γ g        (v starts at 0; state["velocity"])
        θ ← θ + v

    The velocity already contains the learning rate. With a constant γ this is
    PyTorch's ``SGD(momentum=α)`` with ``v = −γ b``; when γ changes between steps
    the two differ (here the old velocity keeps the old learning rate).
    """
    xp = get_array_module(param)
    v = state.get("velocity")
    if v is None:
        v = state["velocity"] = xp.zeros_like(param)
    v *= momentum
    v -= lr * grad
    param += v


def nesterov_update(param: Array, grad: Array, state: State, *, lr: float, momentum: float) -> None:
    r"""Nesterov's accelerated gradient exactly as the book's ``Nesterov`` class codes it.

    .. code-block:: text

        v ← α v − γ g                   (v starts at 0; state["velocity"])
        θ ← θ + α² v − (1 + α) γ g

    Note that the book applies α² to the velocity *after* its update. Bengio et
    al. (2012, arXiv:1212.0901), whom the book cites, and PyTorch's
    ``SGD(nesterov=True)`` apply it to the velocity *before* the update
    (θ ← θ + α² v_old − (1 + α) γ g), so this rule is not PyTorch's Nesterov:
    written with PyTorch's buffer (v = −γ b) the book's step is
    θ ← θ − γ((1 + α + α²) g + α³ b_old) instead of θ ← θ − γ((1 + α) g + α² b_old).
    """
    xp = get_array_module(param)
    v = state.get("velocity")
    if v is None:
        v = state["velocity"] = xp.zeros_like(param)
    v *= momentum
    v -= lr * grad
    param += momentum * momentum * v
    param -= (1 + momentum) * lr * grad


# ------------------------------------------------------------------------- AdaGrad
def adagrad_init_state(
    param: Array, state: State, *, initial_accumulator_value: float = 0.0
) -> None:
    """Create AdaGrad's state: ``step = 0`` and ``sum`` full of ``initial_accumulator_value``."""
    xp = get_array_module(param)
    state["step"] = 0
    state["sum"] = xp.full_like(param, initial_accumulator_value)


def adagrad_update(
    param: Array,
    grad: Array,
    state: State,
    *,
    lr: float,
    lr_decay: float = 0.0,
    weight_decay: float = 0.0,
    initial_accumulator_value: float = 0.0,
    eps: float = 1e-10,
    maximize: bool = False,
) -> None:
    r"""AdaGrad (Duchi et al., 2011), as PyTorch's ``Adagrad`` and the book's ``AdaGrad``.

    .. code-block:: text

        t ← t + 1
        g ← −g                          if maximize
        g ← g + λθ                      if λ ≠ 0
        γ̃ ← γ / (1 + (t − 1) η)         (η: lr_decay)
        s ← s + g²                      (s starts at initial_accumulator_value)
        θ ← θ − γ̃ g / (√s + ε)

    Every coordinate gets its own step size, which shrinks as its squared
    gradients accumulate. The book's ``AdaGrad(lr)`` is this rule with ε = 1e-7
    and no decay (``s`` is the book's ``h``).
    """
    xp = get_array_module(param)
    if "sum" not in state:
        adagrad_init_state(param, state, initial_accumulator_value=initial_accumulator_value)
    state["step"] += 1
    g = _effective_grad(param, grad, weight_decay, maximize)
    clr = lr / (1 + (state["step"] - 1) * lr_decay)
    total = state["sum"]
    total += g * g
    std = _sqrt(xp, total)
    std += eps
    step = xp.divide(g, std, out=std)  # reuse the temporary: g / (√s + ε)
    step *= clr
    param -= step


# ------------------------------------------------------------------------- RMSprop
def rmsprop_update(
    param: Array,
    grad: Array,
    state: State,
    *,
    lr: float,
    alpha: float = 0.99,
    eps: float = 1e-8,
    weight_decay: float = 0.0,
    momentum: float = 0.0,
    centered: bool = False,
    maximize: bool = False,
) -> None:
    r"""RMSprop (Hinton's lecture 6e), as PyTorch's ``RMSprop`` and the book's ``RMSprop``.

    .. code-block:: text

        t ← t + 1
        g ← −g                              if maximize
        g ← g + λθ                          if λ ≠ 0
        v ← α v + (1 − α) g²                (v starts at 0; state["square_avg"])
        if centered:
            ḡ ← α ḡ + (1 − α) g             (state["grad_avg"])
            d ← √(v − ḡ²) + ε
        else:
            d ← √v + ε
        if μ > 0:
            b ← μ b + g / d                 (state["momentum_buffer"])
            θ ← θ − γ b
        else:
            θ ← θ − γ g / d

    Like AdaGrad but the squared gradients are averaged with exponentially
    decaying weights, so old gradients are forgotten. The book's
    ``RMSprop(lr, decay_rate)`` is this rule with α = decay_rate, ε = 1e-7
    (``v`` is the book's ``h``).
    """
    xp = get_array_module(param)
    if "square_avg" not in state:
        state["step"] = 0
        state["square_avg"] = xp.zeros_like(param)
    if momentum > 0 and "momentum_buffer" not in state:
        state["momentum_buffer"] = xp.zeros_like(param)
    if centered and "grad_avg" not in state:
        state["grad_avg"] = xp.zeros_like(param)
    state["step"] += 1
    g = _effective_grad(param, grad, weight_decay, maximize)

    square_avg = state["square_avg"]
    square_avg *= alpha
    square_avg += (1 - alpha) * (g * g)
    if centered:
        grad_avg = state["grad_avg"]
        grad_avg += (1 - alpha) * (g - grad_avg)
        denom = xp.multiply(grad_avg, grad_avg, out=xp.empty_like(grad_avg))
        xp.subtract(square_avg, denom, out=denom)
        xp.sqrt(denom, out=denom)
    else:
        denom = _sqrt(xp, square_avg)
    denom += eps

    if momentum > 0:
        buf = state["momentum_buffer"]
        buf *= momentum
        buf += g / denom
        param -= lr * buf
    else:
        step = xp.divide(g, denom, out=denom)
        step *= lr
        param -= step


# ---------------------------------------------------------------------------- Adam
def adam_update(
    param: Array,
    grad: Array,
    state: State,
    *,
    lr: float,
    beta1: float = 0.9,
    beta2: float = 0.999,
    eps: float = 1e-8,
    weight_decay: float = 0.0,
    amsgrad: bool = False,
    decoupled_weight_decay: bool = False,
    maximize: bool = False,
    eps_hat: bool = False,
) -> None:
    r"""Adam (Kingma & Ba, 2015) and AdamW (Loshchilov & Hutter, 2019).

    PyTorch's ``Adam`` / ``AdamW`` (``eps_hat=False``):

    .. code-block:: text

        t ← t + 1
        g ← −g                              if maximize
        θ ← θ (1 − γλ)                      if decoupled_weight_decay (AdamW)
        g ← g + λθ                          elif λ ≠ 0                 (Adam's L2)
        m ← β₁ m + (1 − β₁) g               (state["exp_avg"])
        v ← β₂ v + (1 − β₂) g²              (state["exp_avg_sq"])
        v̂max ← max(v̂max, v)                 if amsgrad (state["max_exp_avg_sq"]); use it for v
        m̂ ← m / (1 − β₁ᵗ)
        v̂ ← v / (1 − β₂ᵗ)
        θ ← θ − γ m̂ / (√v̂ + ε)

    The book's ``Adam`` (``eps_hat=True``) uses the paper's "more efficient"
    ordering (Kingma & Ba, end of §2), where ε is added before the bias
    correction of v:

    .. code-block:: text

        γₜ ← γ √(1 − β₂ᵗ) / (1 − β₁ᵗ)
        θ ← θ − γₜ m / (√v + ε̂)

    The two agree except for ε: the book's ε̂ equals ε √(1 − β₂ᵗ) in the first
    form, so they differ only where √v̂ is not much larger than ε.
    The moment updates are written ``m ← m + (1 − β₁)(g − m)`` (PyTorch's
    ``lerp``, the book's form) and ``v ← β₂ v + (1 − β₂) g²``.
    """
    xp = get_array_module(param)
    if "exp_avg" not in state:
        state["step"] = 0
        state["exp_avg"] = xp.zeros_like(param)
        state["exp_avg_sq"] = xp.zeros_like(param)
    if amsgrad and "max_exp_avg_sq" not in state:
        state["max_exp_avg_sq"] = xp.zeros_like(param)
    state["step"] += 1
    t = state["step"]

    g = -grad if maximize else grad
    if weight_decay != 0:
        if decoupled_weight_decay:
            param *= 1 - lr * weight_decay
        else:
            g = g + weight_decay * param

    exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
    exp_avg += (1 - beta1) * (g - exp_avg)
    exp_avg_sq *= beta2
    exp_avg_sq += (1 - beta2) * (g * g)
    if amsgrad:
        second = xp.maximum(state["max_exp_avg_sq"], exp_avg_sq, out=state["max_exp_avg_sq"])
    else:
        second = exp_avg_sq

    bias_correction1 = 1 - beta1**t
    bias_correction2 = 1 - beta2**t
    denom = _sqrt(xp, second)
    if eps_hat:
        step_size = lr * math.sqrt(bias_correction2) / bias_correction1
    else:
        step_size = lr / bias_correction1
        denom /= math.sqrt(bias_correction2)
    denom += eps
    step = xp.divide(exp_avg, denom, out=denom)  # m / (√v̂ + ε), in the temporary
    step *= step_size
    param -= step
