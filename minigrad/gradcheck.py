"""Numerical differentiation and gradient checking.

:func:`numerical_gradient` is the book's central difference ("Deep Learning
from Scratch", seed 001); :func:`gradcheck` compares autograd's gradients of
any function of tensors with central differences and names the worst element.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from minigrad import autograd
from minigrad.autograd import no_grad
from minigrad.backend import backend_of, to_host
from minigrad.dtypes import float64
from minigrad.tensor import Tensor

__all__ = ["numerical_gradient", "gradcheck", "gradgradcheck", "GradcheckError"]


def numerical_gradient(f: Callable[[Any], Any], x: Any, h: float = 1e-4) -> Any:
    """∂f/∂xᵢ ≈ (f(x + h·eᵢ) - f(x - h·eᵢ)) / 2h for every element i of ``x``.

    ``x`` is an array (NumPy or CuPy) or a tensor; it is perturbed in place one
    element at a time and each element is restored afterwards. ``f(x)`` must
    return a number (or a one-element tensor). Returns an array shaped like ``x``.
    """
    data = x._array if isinstance(x, Tensor) else x
    grad = backend_of(data).xp.zeros_like(data)
    for index in np.ndindex(data.shape):
        original = data[index].item() if hasattr(data[index], "item") else data[index]
        data[index] = original + h
        f_plus = _as_float(f(x))
        data[index] = original - h
        f_minus = _as_float(f(x))
        grad[index] = (f_plus - f_minus) / (2 * h)
        data[index] = original
    return grad


def _as_float(value: Any) -> float:
    if isinstance(value, Tensor):
        return value.item()
    return float(value.item() if hasattr(value, "item") else value)


class GradcheckError(RuntimeError):
    """Raised by :func:`gradcheck` when analytic and numerical gradients disagree (a
    RuntimeError, as PyTorch's ``torch.autograd.gradcheck.GradcheckError``)."""


def gradcheck(
    fn: Callable[..., Any],
    inputs: Tensor | Sequence[Any],
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    seed: int = 0,
    *,
    raise_exception: bool = True,
    nondet_tol: float = 0.0,
    fast_mode: bool = False,
) -> bool:
    """Check autograd's gradients of ``fn(*inputs)`` against central differences.

    The outputs are reduced to one number with a fixed random weighting,
    L = Σ wₖ·outₖ, so that every Jacobian entry contributes. For every input that
    requires grad (float64 is required: float32 central differences are too coarse),
    each element must satisfy
    ``|analytic - numerical| ≤ atol + nondet_tol + rtol·|numerical|``.
    On failure raises :class:`GradcheckError` naming the input, the worst element,
    both values and the tolerance (or returns False, with ``raise_exception=False``);
    returns True when all match. PyTorch's ``fast_mode`` checks a random projection
    of the same Jacobians to save time; minigrad always checks every element, which
    passes and fails on the same gradients.
    """
    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    checked = [i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]
    if not checked:
        raise ValueError("gradcheck: no input requires grad; nothing to check")
    for i in checked:
        if inputs[i].dtype != float64:
            raise TypeError(
                f"gradcheck: input {i} has dtype {inputs[i].dtype}; gradient checks need "
                "float64 inputs (call .double())"
            )
    outputs = _as_outputs(fn(*inputs))
    weights = _weights(outputs, seed)
    tolerance = atol + nondet_tol

    def weighted_sum(outs: list[Tensor]) -> Any:
        total = None
        for out, w in zip(outs, weights, strict=True):
            term = (out * w).sum()
            total = term if total is None else total + term
        return total

    leaves = [inputs[i] for i in checked]
    grads = autograd.grad(weighted_sum(outputs), leaves, allow_unused=True)
    for i, leaf, grad in zip(checked, leaves, grads, strict=True):
        analytic = np.zeros(leaf.shape) if grad is None else to_host(grad._array)

        def loss(_: Any) -> float:
            with no_grad():
                return weighted_sum(_as_outputs(fn(*inputs))).item()

        numeric = to_host(numerical_gradient(loss, leaf, h=eps))
        error = np.abs(analytic - numeric) - (tolerance + rtol * np.abs(numeric))
        if error.size and (np.isnan(error).any() or error.max() > 0):
            if not raise_exception:
                return False
            worst = np.unravel_index(
                np.nanargmax(np.where(np.isnan(error), np.inf, error)), error.shape
            )
            raise GradcheckError(
                f"gradcheck: gradient of input {i} (shape {leaf.shape}) differs at element "
                f"{tuple(int(k) for k in worst)}: analytic {float(analytic[worst])!r} vs "
                f"numerical {float(numeric[worst])!r}; tolerance atol={tolerance} + rtol={rtol} "
                f"* |numerical| = {float(tolerance + rtol * abs(numeric[worst]))!r}"
            )
    return True


def gradgradcheck(
    fn: Callable[..., Any],
    inputs: Tensor | Sequence[Any],
    grad_outputs: Sequence[Tensor] | None = None,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    seed: int = 0,
    *,
    raise_exception: bool = True,
    nondet_tol: float = 0.0,
    fast_mode: bool = False,
) -> bool:
    """Check second derivatives: :func:`gradcheck` of the first-order gradients.

    With v the ``grad_outputs`` (random float64 tensors when not given), the map
    (inputs, v) ↦ Σ v · ∂fn/∂inputs, computed by ``autograd.grad`` with
    ``create_graph=True``, is checked against central differences in every input
    and in v. Raises :class:`GradcheckError` naming the worst element on failure.
    """
    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    checked = [t for t in inputs if isinstance(t, Tensor) and t.requires_grad]
    outputs = _as_outputs(fn(*inputs))
    if grad_outputs is None:
        grad_outputs = [w.requires_grad_() for w in _weights(outputs, seed + 1)]
    vs = list(grad_outputs)
    if len(vs) != len(outputs):
        raise ValueError(
            f"gradgradcheck: got {len(vs)} grad_outputs for {len(outputs)} outputs of fn"
        )

    def first_order(*args: Any) -> tuple[Tensor, ...]:
        ins, v = args[: len(inputs)], args[len(inputs) :]
        with autograd.enable_grad():  # also when gradcheck evaluates it under no_grad
            outs = _as_outputs(fn(*ins))
            wanted = [t for t in ins if isinstance(t, Tensor) and t.requires_grad]
            return autograd.grad(outs, wanted, v, create_graph=True, materialize_grads=True)

    if not checked:
        raise ValueError("gradgradcheck: no input requires grad; nothing to check")
    return gradcheck(
        first_order,
        (*inputs, *vs),
        eps=eps,
        atol=atol,
        rtol=rtol,
        seed=seed,
        raise_exception=raise_exception,
        nondet_tol=nondet_tol,
        fast_mode=fast_mode,
    )


def _as_outputs(out: Any) -> list[Tensor]:
    outs = list(out) if isinstance(out, tuple | list) else [out]
    if not all(isinstance(o, Tensor) for o in outs):
        raise TypeError("gradcheck: fn must return a tensor or a tuple of tensors")
    return outs


def _weights(outputs: list[Tensor], seed: int) -> list[Tensor]:
    rng = np.random.default_rng(seed)
    weights = []
    for out in outputs:
        w = rng.uniform(0.5, 1.5, size=out.shape) * rng.choice([-1.0, 1.0], size=out.shape)
        backend = backend_of(out._array)
        weights.append(Tensor._from_op(backend.from_host(w.astype(out.dtype), out.device)))
    return weights
