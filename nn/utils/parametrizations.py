"""Parametrizations built on :mod:`minigrad.nn.utils.parametrize`, as
``torch.nn.utils.parametrizations`` (here: :func:`weight_norm`)."""

from __future__ import annotations

from typing import TypeVar

from minigrad.tensor import Tensor

from ..module import Module
from . import parametrize
from .weight_norm import _weight_norm, norm_except_dim

__all__ = ["weight_norm"]

T_module = TypeVar("T_module", bound=Module)


class _WeightNorm(Module):
    """w = g · v / ‖v‖ from (g, v) = (original0, original1); ``right_inverse`` splits a
    weight w into g = ‖w‖ (over every dimension but ``dim``) and v = w."""

    def __init__(self, dim: int | None = 0) -> None:
        super().__init__()
        self.dim = -1 if dim is None else dim

    def forward(self, weight_g: Tensor, weight_v: Tensor) -> Tensor:
        return _weight_norm(weight_v, weight_g, self.dim)

    def right_inverse(self, weight: Tensor) -> tuple[Tensor, Tensor]:
        return norm_except_dim(weight, 2, self.dim), weight


def weight_norm(module: T_module, name: str = "weight", dim: int | None = 0) -> T_module:
    """Weight normalisation through :func:`~minigrad.nn.utils.parametrize.register_parametrization`;
    returns ``module``.

    ``module.<name>`` becomes w = g · v / ‖v‖, the norm over every dimension but
    ``dim`` (``None``: the whole tensor), computed from the magnitude
    g = ``module.parametrizations.<name>.original0`` (initially ‖w‖) and the direction
    v = ``original1`` (initially w); those two are the parameters that train and
    that the state dict holds. Assigning ``module.<name> = w`` sets g and v from w.
    ``parametrize.remove_parametrizations(module, name)`` makes w one parameter again.
    """
    parametrize.register_parametrization(module, name, _WeightNorm(dim), unsafe=True)
    return module
