"""Gradient clipping: by the total norm of all gradients, or element by element."""

from __future__ import annotations

import math
from collections.abc import Iterable

import minigrad
from minigrad.tensor import Tensor

__all__ = ["clip_grad_norm_", "clip_grad_value_"]

TensorsT = Tensor | Iterable[Tensor]


def _grads(parameters: TensorsT) -> list[Tensor]:
    """The gradients of ``parameters`` (a tensor or an iterable of them) that exist."""
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p.grad for p in parameters if p.grad is not None]


def _vector_norm(x: Tensor, ord: float) -> Tensor:
    r"""The ``ord``-norm of ``x`` seen as one vector, as ``torch.linalg.vector_norm``.

    .. code-block:: text

        ord = inf:   max abs(xᵢ)           ord = −inf:  min abs(xᵢ)
        ord = 0:     #{i : xᵢ ≠ 0}      otherwise:   (Σ abs(xᵢ)^ord)^(1/ord)
    """
    if ord == math.inf:
        return x.abs().max()
    if ord == -math.inf:
        return x.abs().min()
    if ord == 0:
        return (x != 0).sum().to(x.dtype)
    if ord == 2:
        return (x * x).sum().sqrt()
    if ord == 1:
        return x.abs().sum()
    return (x.abs() ** ord).sum() ** (1.0 / ord)


def clip_grad_norm_(
    parameters: TensorsT,
    max_norm: float,
    norm_type: float | str = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> Tensor:
    r"""Scale the gradients of ``parameters`` in place so that their total norm is at most
    ``max_norm``, as ``torch.nn.utils.clip_grad_norm_``.

    .. code-block:: text

        total = ‖(‖g₁‖, ‖g₂‖, …)‖          (the norm of the per-gradient norms)
        gᵢ ← gᵢ · min(1, max_norm / (total + 1e-6))

    For ``norm_type`` p > 0 the total is the p-norm of all gradients seen as
    one vector; for p = 0 it counts the gradients that are not all zero (as
    PyTorch).

    Args:
        parameters: a tensor or an iterable of tensors whose ``.grad`` is
            clipped (those without a gradient are skipped).
        max_norm: the largest total norm allowed.
        norm_type: the order of the norm: a number, ``inf`` or ``'inf'`` (default 2).
        error_if_nonfinite: raise a RuntimeError if the total norm is NaN or
            ±inf, instead of scaling by it (default False).
        foreach: accepted for compatibility with PyTorch; minigrad has one
            implementation.

    Returns:
        The total norm of the gradients before clipping (a 0-d tensor of their
        dtype; ``tensor(0.)`` when there are no gradients).

    Example::

        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
        opt.step()
    """
    grads = _grads(parameters)
    norm_type = float(norm_type)
    if not grads:
        return minigrad.tensor(0.0)
    device = grads[0].device
    with minigrad.no_grad():
        norms = [_vector_norm(g, norm_type).to(device=device) for g in grads]
        total = _vector_norm(minigrad.stack(norms), norm_type)
        if error_if_nonfinite and not math.isfinite(total.item()):
            raise RuntimeError(
                f"The total norm of order {norm_type} for gradients from `parameters` is "
                "non-finite, so it cannot be clipped. To disable this error and scale the "
                "gradients by the non-finite norm anyway, set `error_if_nonfinite=False`"
            )
        coefficient = (float(max_norm) / (total + 1e-6)).clamp(max=1.0)
        for g in grads:
            g.mul_(coefficient.to(device=g.device))
    return total


def clip_grad_value_(parameters: TensorsT, clip_value: float, foreach: bool | None = None) -> None:
    r"""Clamp every gradient element of ``parameters`` into [−clip_value, clip_value], in place.

    .. code-block:: text

        gᵢ ← min(max(gᵢ, −clip_value), clip_value)

    Args:
        parameters: a tensor or an iterable of tensors whose ``.grad`` is clipped.
        clip_value: the largest magnitude allowed.
        foreach: accepted for compatibility with PyTorch; minigrad has one
            implementation.
    """
    clip_value = float(clip_value)
    with minigrad.no_grad():
        for g in _grads(parameters):
            g.copy_(g.clamp(-clip_value, clip_value))
