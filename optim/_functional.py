"""The update rules, one function per algorithm, written once on raw arrays.

Every optimizer in :mod:`minigrad.optim` (PyTorch-style) and
:mod:`minigrad.optim.book` ("Deep Learning from Scratch" style) is a thin front
that calls one of these functions; the arithmetic lives only here.

Each function has the signature ::

    xxx_update(param, grad, state, *, out=None, lr, <hyper-parameters>) -> step

and returns the **step** Δ of this update, so that the new parameter is
``θ − Δ``. The caller applies it in place (``param -= step``; the
PyTorch-style optimizers write ``p.sub_(step)`` through the Tensor API so that
the parameter's version counter moves). :func:`apply_update` does both.

- ``param`` is the parameter's array, only read, and only for weight decay: it
  may be None when the rule's ``weight_decay`` is 0.
- ``grad`` is the gradient array of the same shape (never modified).
- ``state`` is a dict of this parameter's running quantities (moment
  estimates, step count...). It is filled on the first call and afterwards
  updated **in place**: the same arrays are reused at every step, so a caller
  may keep references to them (the PyTorch-style optimizers keep a whole
  parameter group's state in one flat buffer per name, see ``_flat.py``).
- ``out`` is where the step is written (a new array when None). The rules use
  it as their scratch space too, so a caller that passes a preallocated
  ``out`` makes a step allocate nothing (weight decay and ``maximize`` aside).
- Hyper-parameters are plain Python numbers (keyword-only).

The arithmetic goes through the array namespace of ``grad``
(:func:`minigrad.backend.get_array_module`), so the same code runs on NumPy
(CPU), CuPy (GPU) and the strict test backend. Python scalars mix with any
array type and keep the array's dtype (a float32 parameter stays float32).

Notation in the docstrings: θ parameter, g gradient, γ learning rate,
λ weight decay, t step count (1 for the first update), Δ the returned step.
"""

from __future__ import annotations

import math
from typing import Any

from minigrad.backend import get_array_module

__all__ = [
    "apply_update",
    "compute_step",
    "sgd_update",
    "momentum_update",
    "nesterov_update",
    "adagrad_init_state",
    "adagrad_update",
    "rmsprop_update",
    "adadelta_update",
    "adam_update",
    "adamax_update",
    "nadam_update",
    "radam_update",
    "rprop_update",
    "asgd_update",
]

Array = Any  # numpy.ndarray, cupy.ndarray or the strict test array
State = dict[str, Any]


def apply_update(rule: Any, param: Array, grad: Array, state: State, **hyper: Any) -> None:
    """``θ ← θ − rule(θ, g, state)``: one update of the array ``param``, in place."""
    param -= compute_step(rule, param, grad, state, **hyper)


def compute_step(rule: Any, param: Array, grad: Array, state: State, **hyper: Any) -> Array:
    """``rule(param, grad, state, **hyper)``, with a 0-d ``param`` seen as a 1-element array.

    NumPy < 2 computes a 0-d float32 array times a Python float in float64 (every
    operand then counts as a scalar), so a rule's arithmetic on a 0-d parameter
    would differ from that on any other shape. Through 1-element views (sharing
    memory with the 0-d arrays) it runs in the parameter's dtype on every NumPy;
    the state arrays stay 0-d, as PyTorch's.
    """
    if param.ndim != 0:
        return rule(param, grad, state, **hyper)
    as_1d = {key: _reshaped(value, (1,)) for key, value in state.items()}
    step = rule(param.reshape(1), grad.reshape(1), as_1d, **hyper)
    state.update((key, _reshaped(value, ())) for key, value in as_1d.items())
    return step.reshape(())


def _reshaped(value: Any, shape: tuple[int, ...]) -> Any:
    """A view of ``value`` with ``shape`` if it is a one-element array; other values as is."""
    if getattr(value, "size", None) == 1 and hasattr(value, "reshape"):
        return value.reshape(shape)
    return value


def _scratch(grad: Array, out: Array | None) -> Array:
    """The array a rule writes its step into: ``out``, or a new one shaped like ``grad``."""
    return get_array_module(grad).empty_like(grad) if out is None else out


def _decay(param: Array | None, weight_decay: float) -> Array:
    """``λθ``, the weight-decay term (a new array)."""
    if param is None:
        raise ValueError("weight decay needs the parameter's values: pass param, not None")
    return weight_decay * param


def _effective_grad(param: Array | None, grad: Array, weight_decay: float, maximize: bool) -> Array:
    """``g ← −g`` if maximising, then ``g ← g + λθ`` (L2 penalty); ``grad`` is left untouched."""
    g = -grad if maximize else grad
    if weight_decay != 0:
        g = g + _decay(param, weight_decay)
    return g


def _zeros_state(state: State, name: str, like: Array) -> Array:
    """``state[name]``, created full of zeros shaped like ``like`` if missing."""
    if name not in state:
        state[name] = get_array_module(like).zeros_like(like)
    return state[name]


def _count_step(state: State, like: Array, *names: str) -> tuple[int, list[Array]]:
    """``t ← t + 1`` (t starts at 0 when ``state`` has no ``names[0]`` yet), and the arrays
    ``state[name]`` for ``names`` (zeros shaped like ``like`` if missing): ``(t, arrays)``."""
    if names[0] not in state:
        state["step"] = 0
    arrays = [_zeros_state(state, name, like) for name in names]
    state["step"] += 1
    return state["step"], arrays


def _update_first_moment(exp_avg: Array, g: Array, beta1: float, scratch: Array) -> None:
    """``m ← m + (1 − β₁)(g − m)`` in place (PyTorch's ``lerp``: ``β₁ m + (1 − β₁) g``);
    ``scratch`` is overwritten."""
    get_array_module(g).subtract(g, exp_avg, out=scratch)
    scratch *= 1 - beta1
    exp_avg += scratch


def _update_moments(
    exp_avg: Array, exp_avg_sq: Array, g: Array, betas: tuple[float, float], scratch: Array
) -> None:
    """Adam's moments in place: ``m`` as :func:`_update_first_moment` and
    ``v ← β₂ v + (1 − β₂) g²``; ``scratch`` is overwritten."""
    xp = get_array_module(g)
    beta1, beta2 = betas
    _update_first_moment(exp_avg, g, beta1, scratch)
    exp_avg_sq *= beta2
    xp.multiply(g, g, out=scratch)
    scratch *= 1 - beta2
    exp_avg_sq += scratch


def _add_decoupled_decay(
    step: Array, param: Array | None, lr: float, weight_decay: float, decoupled: bool
) -> Array:
    """``Δ ← Δ + γλθ`` if ``decoupled`` (AdamW's ``θ ← θ(1 − γλ) − Δ``), in place."""
    if decoupled and weight_decay != 0:
        step += lr * _decay(param, weight_decay)
    return step


# ----------------------------------------------------------------------------- SGD
def sgd_update(
    param: Array | None,
    grad: Array,
    state: State,
    *,
    out: Array | None = None,
    lr: float,
    momentum: float = 0.0,
    dampening: float = 0.0,
    weight_decay: float = 0.0,
    nesterov: bool = False,
    maximize: bool = False,
) -> Array:
    r"""Stochastic gradient descent, optionally with momentum (PyTorch's ``SGD``).

    .. code-block:: text

        g ← −g                      if maximize
        g ← g + λθ                  if λ ≠ 0
        if μ ≠ 0:
            b ← g                   on the first step
            b ← μ b + (1 − τ) g     afterwards            (τ: dampening)
            g ← g + μ b             if nesterov
            g ← b                   otherwise
        Δ ← γ g                     (θ ← θ − Δ)

    The momentum buffer ``b`` (``state["momentum_buffer"]``) accumulates
    gradients, not steps: the learning rate multiplies it at each update, so a
    learning rate changed between steps (by a scheduler) acts at once.
    With ``momentum == 0`` no state is kept. Plain ``θ ← θ − γ g`` is also the
    book's ``SGD``.
    """
    xp = get_array_module(grad)
    step = _scratch(grad, out)
    g = _effective_grad(param, grad, weight_decay, maximize)
    if momentum != 0:
        buf = state.get("momentum_buffer")
        if buf is None:  # (xp.array, not g.copy(): NumPy gives 0-d results as scalars)
            buf = state["momentum_buffer"] = xp.array(g, copy=True)
        else:
            buf *= momentum
            if dampening == 0:
                buf += g
            else:
                buf += xp.multiply(g, 1 - dampening, out=step)
        if nesterov:
            xp.multiply(buf, momentum, out=step)
            step += g
            g = step
        else:
            g = buf
    return xp.multiply(g, lr, out=step)


def momentum_update(
    param: Array | None,
    grad: Array,
    state: State,
    *,
    out: Array | None = None,
    lr: float,
    momentum: float,
) -> Array:
    r"""Momentum SGD in the book's velocity form ("Deep Learning from Scratch" §6.1.4).

    .. code-block:: text

        v ← α v − γ g        (v starts at 0; state["velocity"])
        θ ← θ + v            (Δ = −v)

    The velocity already contains the learning rate. With a constant γ this is
    PyTorch's ``SGD(momentum=α)`` with ``v = −γ b``; when γ changes between steps
    the two differ (here the old velocity keeps the old learning rate).
    """
    xp = get_array_module(grad)
    step = _scratch(grad, out)
    v = _zeros_state(state, "velocity", grad)
    v *= momentum
    v -= xp.multiply(grad, lr, out=step)
    return xp.multiply(v, -1, out=step)


def nesterov_update(
    param: Array | None,
    grad: Array,
    state: State,
    *,
    out: Array | None = None,
    lr: float,
    momentum: float,
) -> Array:
    r"""Nesterov's accelerated gradient, as the book's author corrected it in 2021.

    .. code-block:: text

        θ ← θ + α² v − (1 + α) γ g      (v: the velocity *before* this update)
        v ← α v − γ g                   (v starts at 0; state["velocity"])

    This is Bengio et al.'s form (2012, arXiv:1212.0901), which the book
    cites, and equals PyTorch's ``SGD(momentum=α, nesterov=True)`` at a
    constant learning rate (with PyTorch's buffer b, v = −γ b). The book's
    first printing (still in the Korean edition's repository) updated v first
    and then applied α² to the *updated* velocity; its author fixed that
    ("Fix Nesterov update function", 2021).
    """
    xp = get_array_module(grad)
    step = _scratch(grad, out)
    v = _zeros_state(state, "velocity", grad)
    xp.multiply(grad, (1 + momentum) * lr, out=step)
    step -= (momentum * momentum) * v  # Δ = (1 + α) γ g − α² v_old
    v *= momentum
    v -= lr * grad
    return step


# ------------------------------------------------------------------------- AdaGrad
def adagrad_init_state(
    param: Array, state: State, *, initial_accumulator_value: float = 0.0
) -> None:
    """Create AdaGrad's state: ``step = 0`` and ``sum`` full of ``initial_accumulator_value``."""
    xp = get_array_module(param)
    state["step"] = 0
    state["sum"] = xp.full_like(param, initial_accumulator_value)


def adagrad_update(
    param: Array | None,
    grad: Array,
    state: State,
    *,
    out: Array | None = None,
    lr: float,
    lr_decay: float = 0.0,
    weight_decay: float = 0.0,
    initial_accumulator_value: float = 0.0,
    eps: float = 1e-10,
    maximize: bool = False,
) -> Array:
    r"""AdaGrad (Duchi et al., 2011), as PyTorch's ``Adagrad`` and the book's ``AdaGrad``.

    .. code-block:: text

        t ← t + 1
        g ← −g                          if maximize
        g ← g + λθ                      if λ ≠ 0
        γ̃ ← γ / (1 + (t − 1) η)         (η: lr_decay)
        s ← s + g²                      (s starts at initial_accumulator_value)
        Δ ← γ̃ g / (√s + ε)

    Every coordinate gets its own step size, which shrinks as its squared
    gradients accumulate. The book's ``AdaGrad(lr)`` is this rule with ε = 1e-7
    and no decay (``s`` is the book's ``h``).
    """
    xp = get_array_module(grad)
    step = _scratch(grad, out)
    if "sum" not in state:
        adagrad_init_state(grad, state, initial_accumulator_value=initial_accumulator_value)
    state["step"] += 1
    g = _effective_grad(param, grad, weight_decay, maximize)
    clr = lr / (1 + (state["step"] - 1) * lr_decay)
    total = state["sum"]
    total += xp.multiply(g, g, out=step)
    xp.sqrt(total, out=step)
    step += eps
    xp.divide(g, step, out=step)
    step *= clr
    return step


# ------------------------------------------------------------------------- RMSprop
def rmsprop_update(
    param: Array | None,
    grad: Array,
    state: State,
    *,
    out: Array | None = None,
    lr: float,
    alpha: float = 0.99,
    eps: float = 1e-8,
    weight_decay: float = 0.0,
    momentum: float = 0.0,
    centered: bool = False,
    maximize: bool = False,
) -> Array:
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
            Δ ← γ b
        else:
            Δ ← γ g / d

    Like AdaGrad but the squared gradients are averaged with exponentially
    decaying weights, so old gradients are forgotten. The book's
    ``RMSprop(lr, decay_rate)`` is this rule with α = decay_rate, ε = 1e-7
    (``v`` is the book's ``h``).
    """
    xp = get_array_module(grad)
    step = _scratch(grad, out)
    if "square_avg" not in state:
        state["step"] = 0
    square_avg = _zeros_state(state, "square_avg", grad)
    state["step"] += 1
    g = _effective_grad(param, grad, weight_decay, maximize)

    square_avg *= alpha
    xp.multiply(g, g, out=step)
    step *= 1 - alpha
    square_avg += step
    if centered:
        grad_avg = _zeros_state(state, "grad_avg", grad)
        xp.subtract(g, grad_avg, out=step)
        step *= 1 - alpha
        grad_avg += step  # ḡ ← ḡ + (1 − α)(g − ḡ)
        xp.multiply(grad_avg, grad_avg, out=step)
        xp.subtract(square_avg, step, out=step)
        xp.sqrt(step, out=step)
    else:
        xp.sqrt(square_avg, out=step)
    step += eps
    xp.divide(g, step, out=step)  # g / d
    if momentum > 0:
        buf = _zeros_state(state, "momentum_buffer", grad)
        buf *= momentum
        buf += step
        return xp.multiply(buf, lr, out=step)
    step *= lr
    return step


# ------------------------------------------------------------------------ Adadelta
def adadelta_update(
    param: Array | None,
    grad: Array,
    state: State,
    *,
    out: Array | None = None,
    lr: float,
    rho: float = 0.9,
    eps: float = 1e-6,
    weight_decay: float = 0.0,
    maximize: bool = False,
) -> Array:
    r"""ADADELTA (Zeiler, 2012), as PyTorch's ``Adadelta``.

    .. code-block:: text

        t ← t + 1
        g ← −g                              if maximize
        g ← g + λθ                          if λ ≠ 0
        v ← ρ v + (1 − ρ) g²                (v starts at 0; state["square_avg"])
        Δx ← √(u + ε) / √(v + ε) · g        (u starts at 0; state["acc_delta"])
        u ← ρ u + (1 − ρ) Δx²
        Δ ← γ Δx

    The ratio of two running root-mean-squares (of past updates over past
    gradients) gives each coordinate a step in the units of θ; γ only scales it
    (PyTorch's default is 1). Unlike the other rules it allocates two temporary
    arrays per call (``u + ε`` and ``Δx²``).
    """
    xp = get_array_module(grad)
    step = _scratch(grad, out)
    if "square_avg" not in state:
        state["step"] = 0
    square_avg = _zeros_state(state, "square_avg", grad)
    acc_delta = _zeros_state(state, "acc_delta", grad)
    state["step"] += 1
    g = _effective_grad(param, grad, weight_decay, maximize)

    square_avg *= rho
    xp.multiply(g, g, out=step)
    step *= 1 - rho
    square_avg += step
    xp.add(square_avg, eps, out=step)
    xp.divide(acc_delta + eps, step, out=step)
    xp.sqrt(step, out=step)
    step *= g  # Δx
    acc_delta *= rho
    acc_delta += (1 - rho) * (step * step)
    step *= lr
    return step


# ---------------------------------------------------------------------------- Adam
def adam_update(
    param: Array | None,
    grad: Array,
    state: State,
    *,
    out: Array | None = None,
    lr: float,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    weight_decay: float = 0.0,
    amsgrad: bool = False,
    decoupled_weight_decay: bool = False,
    maximize: bool = False,
    eps_hat: bool = False,
) -> Array:
    r"""Adam (Kingma & Ba, 2015) and AdamW (Loshchilov & Hutter, 2019).

    PyTorch's ``Adam`` / ``AdamW`` (``eps_hat=False``), with ``betas = (β₁, β₂)``:

    .. code-block:: text

        t ← t + 1
        g ← −g                              if maximize
        g ← g + λθ                          if λ ≠ 0 and not decoupled (Adam's L2)
        m ← β₁ m + (1 − β₁) g               (state["exp_avg"])
        v ← β₂ v + (1 − β₂) g²              (state["exp_avg_sq"])
        v̂max ← max(v̂max, v)                 if amsgrad (state["max_exp_avg_sq"]); use it for v
        m̂ ← m / (1 − β₁ᵗ)
        v̂ ← v / (1 − β₂ᵗ)
        Δ ← γ m̂ / (√v̂ + ε)
        Δ ← Δ + γλθ                         if decoupled_weight_decay (AdamW)

    (AdamW's θ ← θ(1 − γλ) − γ m̂ / (√v̂ + ε) is θ − Δ with this Δ.)

    The book's ``Adam`` (``eps_hat=True``) uses the paper's "more efficient"
    ordering (Kingma & Ba, end of §2), where ε is added before the bias
    correction of v:

    .. code-block:: text

        γₜ ← γ √(1 − β₂ᵗ) / (1 − β₁ᵗ)
        Δ ← γₜ m / (√v + ε̂)

    The two agree except for ε: the book's ε̂ equals ε √(1 − β₂ᵗ) in the first
    form, so they differ only where √v̂ is not much larger than ε. Both are
    computed in the second form (PyTorch's with ε̂ = ε √(1 − β₂ᵗ)), which folds
    both bias corrections into two scalars and saves a pass over the arrays.
    The moment updates are written ``m ← m + (1 − β₁)(g − m)`` (PyTorch's
    ``lerp``, the book's form) and ``v ← β₂ v + (1 − β₂) g²``.
    """
    xp = get_array_module(grad)
    step = _scratch(grad, out)
    t, (exp_avg, exp_avg_sq) = _count_step(state, grad, "exp_avg", "exp_avg_sq")
    g = _effective_grad(param, grad, 0.0 if decoupled_weight_decay else weight_decay, maximize)
    _update_moments(exp_avg, exp_avg_sq, g, betas, step)
    second = exp_avg_sq
    if amsgrad:
        second = _zeros_state(state, "max_exp_avg_sq", grad)
        xp.maximum(second, exp_avg_sq, out=second)

    beta1, beta2 = betas
    bias_correction1 = 1 - beta1**t
    root2 = math.sqrt(1 - beta2**t)
    step_size = lr * root2 / bias_correction1
    xp.sqrt(second, out=step)
    step += eps if eps_hat else eps * root2  # √v̂ + ε = (√v + ε√(1 − β₂ᵗ)) / √(1 − β₂ᵗ)
    xp.divide(exp_avg, step, out=step)
    step *= step_size
    return _add_decoupled_decay(step, param, lr, weight_decay, decoupled_weight_decay)


# -------------------------------------------------------------------------- Adamax
def adamax_update(
    param: Array | None,
    grad: Array,
    state: State,
    *,
    out: Array | None = None,
    lr: float,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    weight_decay: float = 0.0,
    maximize: bool = False,
) -> Array:
    r"""Adamax (Kingma & Ba, 2015, §7.1), as PyTorch's ``Adamax``: Adam with the infinity norm.

    .. code-block:: text

        t ← t + 1
        g ← −g                              if maximize
        g ← g + λθ                          if λ ≠ 0
        m ← β₁ m + (1 − β₁) g               (state["exp_avg"])
        u ← max(β₂ u, |g| + ε)              (state["exp_inf"])
        Δ ← γ / (1 − β₁ᵗ) · m / u

    The second moment of Adam becomes an exponentially weighted maximum of
    ``|g|``, which needs no bias correction (ε inside the maximum keeps u > 0).
    """
    xp = get_array_module(grad)
    step = _scratch(grad, out)
    t, (exp_avg, exp_inf) = _count_step(state, grad, "exp_avg", "exp_inf")
    g = _effective_grad(param, grad, weight_decay, maximize)
    beta1, beta2 = betas

    _update_first_moment(exp_avg, g, beta1, step)
    exp_inf *= beta2
    xp.absolute(g, out=step)
    step += eps
    xp.maximum(exp_inf, step, out=exp_inf)
    xp.divide(exp_avg, exp_inf, out=step)
    step *= lr / (1 - beta1**t)
    return step


# --------------------------------------------------------------------------- NAdam
def nadam_update(
    param: Array | None,
    grad: Array,
    state: State,
    *,
    out: Array | None = None,
    lr: float,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    weight_decay: float = 0.0,
    momentum_decay: float = 4e-3,
    decoupled_weight_decay: bool = False,
    maximize: bool = False,
) -> Array:
    r"""NAdam (Dozat, 2016): Adam with Nesterov momentum, as PyTorch's ``NAdam``.

    .. code-block:: text

        t ← t + 1
        g ← −g                              if maximize
        g ← g + λθ                          if λ ≠ 0 and not decoupled (L2)
        μₜ ← β₁ (1 − ½ 0.96^(t ψ))          (ψ: momentum_decay)
        μₜ₊₁ ← β₁ (1 − ½ 0.96^((t + 1) ψ))
        Π ← Π μₜ                            (Π starts at 1; state["mu_product"], a number)
        m ← β₁ m + (1 − β₁) g               (state["exp_avg"])
        v ← β₂ v + (1 − β₂) g²              (state["exp_avg_sq"])
        d ← √(v / (1 − β₂ᵗ)) + ε
        Δ ← γ (1 − μₜ) / (1 − Π) · g / d + γ μₜ₊₁ / (1 − Π μₜ₊₁) · m / d
        Δ ← Δ + γλθ                         if decoupled_weight_decay (θ ← θ(1 − γλ) − ...)

    The momentum coefficient μₜ warms up from β₁/2 towards β₁. Π is a number
    like the step count (PyTorch keeps it as a 0-d tensor of its default
    dtype; here a Python float). The rule allocates one temporary array
    (``g / d``).
    """
    xp = get_array_module(grad)
    step = _scratch(grad, out)
    if "exp_avg" not in state:
        state["mu_product"] = 1.0
    t, (exp_avg, exp_avg_sq) = _count_step(state, grad, "exp_avg", "exp_avg_sq")
    g = _effective_grad(param, grad, 0.0 if decoupled_weight_decay else weight_decay, maximize)
    beta1, beta2 = betas
    mu = beta1 * (1 - 0.5 * 0.96 ** (t * momentum_decay))
    mu_next = beta1 * (1 - 0.5 * 0.96 ** ((t + 1) * momentum_decay))
    mu_product = state["mu_product"] = state["mu_product"] * mu

    _update_moments(exp_avg, exp_avg_sq, g, betas, step)
    xp.divide(exp_avg_sq, 1 - beta2**t, out=step)
    xp.sqrt(step, out=step)
    step += eps  # d
    grad_part = xp.divide(g, step)
    grad_part *= lr * (1 - mu) / (1 - mu_product)
    xp.divide(exp_avg, step, out=step)
    step *= lr * mu_next / (1 - mu_product * mu_next)
    step += grad_part
    return _add_decoupled_decay(step, param, lr, weight_decay, decoupled_weight_decay)


# --------------------------------------------------------------------------- RAdam
def radam_update(
    param: Array | None,
    grad: Array,
    state: State,
    *,
    out: Array | None = None,
    lr: float,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    weight_decay: float = 0.0,
    decoupled_weight_decay: bool = False,
    maximize: bool = False,
) -> Array:
    r"""RAdam (Liu et al., 2020): Adam with a rectified adaptive step, as PyTorch's ``RAdam``.

    .. code-block:: text

        t ← t + 1
        g ← −g                              if maximize
        g ← g + λθ                          if λ ≠ 0 and not decoupled (L2)
        m ← β₁ m + (1 − β₁) g               (state["exp_avg"])
        v ← β₂ v + (1 − β₂) g²              (state["exp_avg_sq"])
        m̂ ← m / (1 − β₁ᵗ)
        ρ∞ ← 2 / (1 − β₂) − 1
        ρₜ ← ρ∞ − 2 t β₂ᵗ / (1 − β₂ᵗ)
        if ρₜ > 5:
            l ← √(1 − β₂ᵗ) / (√v + ε)
            r ← √((ρₜ − 4)(ρₜ − 2) ρ∞ / ((ρ∞ − 4)(ρ∞ − 2) ρₜ))
            Δ ← γ m̂ r l
        else:
            Δ ← γ m̂                         (SGD with momentum while v is unreliable)
        Δ ← Δ + γλθ                         if decoupled_weight_decay (θ ← θ(1 − γλ) − ...)

    ρₜ estimates the length of the moving average behind v; the adaptive step
    is used, scaled by the rectification r, once the variance of √v̂ is finite.
    """
    xp = get_array_module(grad)
    step = _scratch(grad, out)
    t, (exp_avg, exp_avg_sq) = _count_step(state, grad, "exp_avg", "exp_avg_sq")
    g = _effective_grad(param, grad, 0.0 if decoupled_weight_decay else weight_decay, maximize)
    _update_moments(exp_avg, exp_avg_sq, g, betas, step)

    beta1, beta2 = betas
    step_size = lr / (1 - beta1**t)  # γ m̂ = step_size · m
    bias_correction2 = 1 - beta2**t
    rho_inf = 2 / (1 - beta2) - 1
    rho_t = rho_inf - 2 * t * beta2**t / bias_correction2
    if rho_t > 5:
        rect = math.sqrt(
            (rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
        )
        xp.sqrt(exp_avg_sq, out=step)
        step += eps
        xp.divide(exp_avg, step, out=step)
        step *= step_size * rect * math.sqrt(bias_correction2)
    else:
        xp.multiply(exp_avg, step_size, out=step)
    return _add_decoupled_decay(step, param, lr, weight_decay, decoupled_weight_decay)


# --------------------------------------------------------------------------- Rprop
def rprop_update(
    param: Array | None,
    grad: Array,
    state: State,
    *,
    out: Array | None = None,
    lr: float,
    etas: tuple[float, float] = (0.5, 1.2),
    step_sizes: tuple[float, float] = (1e-6, 50.0),
    maximize: bool = False,
) -> Array:
    r"""Rprop (Riedmiller & Braun, 1993): a step of fixed size per coordinate, in the
    direction of the gradient's sign, as PyTorch's ``Rprop``.

    .. code-block:: text

        t ← t + 1
        g ← −g                              if maximize
        s ← g · g_prev                      (g_prev starts at 0; state["prev"])
        η ← η⁺ where s > 0, η⁻ where s < 0, 1 where s = 0      (etas = (η⁻, η⁺))
        σ ← clamp(σ η, σ_min, σ_max)        (σ starts at γ; state["step_size"];
                                             step_sizes = (σ_min, σ_max))
        g ← 0                               where s < 0 (the sign flipped: no move,
                                             and no flip seen at the next step)
        g_prev ← g
        Δ ← σ · sign(g)

    Only the signs of the gradients are used: a coordinate whose gradient keeps
    its sign speeds up by η⁺, one whose sign flips (a minimum was jumped over)
    slows down by η⁻ and waits one step. The clamp applies at every step, also
    where η = 1 (as PyTorch's implementation). The rule allocates three boolean
    masks per call.
    """
    xp = get_array_module(grad)
    step = _scratch(grad, out)
    if "prev" not in state:
        state["step"] = 0
        state["prev"] = xp.zeros_like(grad)
        state["step_size"] = xp.full_like(grad, lr)
    state["step"] += 1
    prev, step_size = state["prev"], state["step_size"]
    etaminus, etaplus = etas
    g = -grad if maximize else grad

    xp.multiply(g, prev, out=step)
    xp.sign(step, out=step)  # −1, 0, 1 (NaN stays NaN, as in PyTorch)
    flipped = step < 0
    step[step > 0] = etaplus
    step[flipped] = etaminus
    step[step == 0] = 1.0  # η, by the sign of g · g_prev
    step_size *= step
    xp.clip(step_size, step_sizes[0], step_sizes[1], out=step_size)
    prev[...] = g
    prev[flipped] = 0.0
    xp.sign(prev, out=step)
    step *= step_size
    return step


# ---------------------------------------------------------------------------- ASGD
def asgd_update(
    param: Array | None,
    grad: Array,
    state: State,
    *,
    out: Array | None = None,
    lr: float,
    lambd: float = 1e-4,
    alpha: float = 0.75,
    t0: float = 1e6,
    weight_decay: float = 0.0,
    maximize: bool = False,
) -> Array:
    r"""Averaged SGD (Polyak & Juditsky, 1992), as PyTorch's ``ASGD``.

    .. code-block:: text

        t ← t + 1
        g ← −g                              if maximize
        g ← g + λ_wd θ                      if λ_wd ≠ 0   (weight_decay)
        θ' ← θ (1 − λ η) − η g              (η starts at γ; state["eta"]; λ: lambd)
        ā ← ā + μ (θ' − ā)  if μ ≠ 1,  ā ← θ' otherwise
                                            (ā: state["ax"]; μ starts at 1; state["mu"])
        η ← γ / (1 + λ γ t)^α               (the step size of the next update)
        μ ← 1 / max(1, t − t₀)              (averaging starts after t₀ steps)
        Δ ← θ − θ'

    ā is the running average of the iterates, kept for the user (it does not
    act on θ). η and μ are numbers, like the step count (PyTorch keeps them as
    0-d tensors). θ' is computed as PyTorch computes it and the step is
    θ − θ', so that the caller's θ − Δ gives θ' back (exactly, whenever θ' is
    within a factor 2 of θ). Unlike most rules this one reads θ even without
    weight decay, and it allocates one temporary array per call.
    """
    xp = get_array_module(grad)
    if param is None:
        raise ValueError("ASGD needs the parameter's values: pass param, not None")
    step = _scratch(grad, out)
    if "ax" not in state:
        state["step"] = 0
        state["eta"] = float(lr)
        state["mu"] = 1.0
        state["ax"] = xp.zeros_like(grad)
    state["step"] += 1
    t, eta, mu, ax = state["step"], state["eta"], state["mu"], state["ax"]
    g = _effective_grad(param, grad, weight_decay, maximize)

    new = xp.multiply(param, 1 - lambd * eta)  # θ (1 − λη)
    xp.multiply(g, eta, out=step)
    new -= step  # θ'
    if mu != 1:
        xp.subtract(new, ax, out=step)
        step *= mu
        ax += step
    else:
        ax[...] = new
    xp.subtract(param, new, out=step)
    state["eta"] = lr / ((1 + lambd * lr * t) ** alpha)
    state["mu"] = 1 / max(1, t - t0)
    return step
