"""The optimizers' only contact with the raw arrays behind tensors.

Everything in :mod:`minigrad.optim` that needs a tensor's backend array, wraps
an array as a tensor, or writes a parameter goes through these helpers,
so a change of the engine's storage API is adapted here, in one place.
Parameters are only ever written in their own memory (every alias —
``p.detach()``, ``p.numpy()``, a module's ``state_dict()`` entry — sees the
update), and each write moves the parameter's version counter, as the Tensor
in-place API does.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import minigrad
from minigrad import backend
from minigrad.autograd.graph import bump_version

if TYPE_CHECKING:
    from minigrad import Tensor

__all__ = ["array_of", "as_tensor_view", "is_array", "subtract_", "assign_"]

Array = Any


def array_of(tensor: Tensor) -> Array:
    """The backend array holding ``tensor``'s values (shared, not copied)."""
    return backend.array_of(tensor)


def as_tensor_view(array: Array) -> Tensor:
    """A tensor (not requiring grad) that shares memory with the backend ``array``."""
    return minigrad.Tensor._from_op(array)


def subtract_(params: Iterable[Tensor], steps: Iterable[Array]) -> None:
    """``θ ← θ − Δ`` for each parameter and its step (an array of its dtype and device), in
    the parameter's own memory, recording nothing; each parameter's version moves on."""
    for param, step in zip(params, steps, strict=True):
        array = backend.array_of(param)
        array -= step
        bump_version(param)


def assign_(params: Iterable[Tensor], values: Iterable[Array]) -> None:
    """``θ ← v`` for each parameter and its value (an array of its shape, dtype and device),
    copied into the parameter's own memory, recording nothing; each version moves on."""
    for param, value in zip(params, values, strict=True):
        array = backend.array_of(param)
        array[...] = value
        bump_version(param)


def is_array(value: Any) -> bool:
    """Whether a state entry is an array of some backend (not a number such as ``step``)."""
    try:
        backend.backend_of(value)
    except TypeError:
        return False
    return not isinstance(value, numbers.Number)
