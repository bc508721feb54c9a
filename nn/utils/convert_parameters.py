"""All parameters as one flat vector, and a flat vector back into the parameters."""

from __future__ import annotations

from collections.abc import Iterable

import minigrad
from minigrad.tensor import Tensor

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def _check_same_device(params: list[Tensor]) -> None:
    devices = {str(p.device) for p in params}
    if len(devices) > 1:
        raise TypeError(
            "Found two parameters on different devices, this is currently not supported "
            f"(devices {sorted(devices)})."
        )


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    r"""Concatenate the parameters into one vector, as ``torch.nn.utils.parameters_to_vector``.

    .. code-block:: text

        v = (θ₁.flatten(), θ₂.flatten(), …)

    The result is a new tensor, differentiable with respect to the
    parameters (all on one device).
    """
    params = list(parameters)
    _check_same_device(params)
    return minigrad.cat([p.reshape(-1) for p in params])


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    r"""Copy consecutive slices of ``vec`` into the parameters, in place.

    .. code-block:: text

        θᵢ ← v[oᵢ : oᵢ + θᵢ.numel()].view_as(θᵢ)      (oᵢ: the sizes of θ₁ … θᵢ₋₁)

    Unlike PyTorch, which rebinds each ``param.data`` to a view of ``vec``,
    the values are copied into each parameter's own memory, so every alias of
    a parameter (``p.detach()``, a module's ``state_dict()``) sees them and
    later changes to ``vec`` do not.
    """
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected minigrad.Tensor, but got: {type(vec).__name__}")
    params = list(parameters)
    _check_same_device([vec, *params])
    total = sum(p.numel() for p in params)
    if vec.numel() != total:
        raise ValueError(f"vec has {vec.numel()} elements but the parameters have {total} in all")
    offset = 0
    with minigrad.no_grad():
        for p in params:
            p.copy_(vec[offset : offset + p.numel()].reshape(p.shape))
            offset += p.numel()
