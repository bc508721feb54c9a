"""The optimizers' only contact with the raw arrays behind tensors.

Everything in :mod:`minigrad.optim` that needs a tensor's backend array, wraps
an array as a tensor, or writes a parameter goes through these three helpers,
so a change of the engine's storage API is adapted here, in one place.
Parameters are only ever written through the Tensor in-place API
(``p.sub_``), under ``no_grad()``: the parameter's own memory changes (every
alias — ``p.detach()``, ``p.numpy()``, a module's ``state_dict()`` entry —
sees the update) and its version counter moves with each write.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import minigrad
from minigrad import backend

if TYPE_CHECKING:
    from minigrad import Tensor

__all__ = ["array_of", "as_tensor_view", "subtract_"]

Array = Any


def array_of(tensor: Tensor) -> Array:
    """The backend array holding ``tensor``'s values (shared, not copied)."""
    return backend.array_of(tensor)


def as_tensor_view(array: Array) -> Tensor:
    """A tensor (not requiring grad) that shares memory with the backend ``array``."""
    return minigrad.Tensor._from_op(array)


def subtract_(params: Iterable[Tensor], steps: Iterable[Tensor]) -> None:
    """``θ ← θ − Δ`` for each parameter and its step, in place and without recording."""
    with minigrad.no_grad():
        for param, step in zip(params, steps, strict=True):
            param.sub_(step)
