"""Weight normalisation (Salimans & Kingma, 2016), as ``torch.nn.utils.weight_norm``.

A parameter ``w`` is split into a magnitude ``g`` and a direction ``v``,

    w = g · v / ‖v‖,

with the norm taken over every dimension but ``dim`` (one magnitude per output
channel for ``dim=0``; the whole tensor for ``dim=None``). The module then has the
parameters ``<name>_g`` and ``<name>_v`` in place of ``<name>``, and a forward
pre-hook recomputes ``<name>`` from them before every call.
"""

from __future__ import annotations

from typing import Any, TypeVar

from minigrad import no_grad
from minigrad.tensor import Tensor

from ..module import Module
from ..parameter import Parameter

__all__ = ["WeightNorm", "weight_norm", "remove_weight_norm", "norm_except_dim"]

T_module = TypeVar("T_module", bound=Module)


def _whole(dim: int | None) -> bool:
    # PyTorch's convention: dim=None is stored as -1, and -1 means "the whole tensor"
    return dim is None or dim == -1


def norm_except_dim(v: Tensor, pow: float = 2, dim: int | None = 0) -> Tensor:
    """‖v‖_pow over every dimension but ``dim``, kept as size-1 dimensions (to broadcast
    against ``v``): for a (C_out, C_in, k) weight and dim=0, n[c] = (Σ_{i,j} |v[c,i,j]|ᵖ)^(1/p)
    of shape (C_out, 1, 1). ``dim=None`` (or -1, as PyTorch) gives the norm of the whole
    tensor, 0-d."""
    if _whole(dim) or v.ndim == 0:
        return v.norm(pow)
    assert dim is not None
    keep = dim % v.ndim
    others = tuple(d for d in range(v.ndim) if d != keep)
    if not others:
        return v.abs()  # 1-D, dim 0: every entry its own norm
    return v.norm(pow, dim=others, keepdim=True)


def _weight_norm(v: Tensor, g: Tensor, dim: int | None) -> Tensor:
    """w = g · v / ‖v‖ (the norm over every dimension but ``dim``)."""
    return v * (g / norm_except_dim(v, 2, dim))


class WeightNorm:
    """The forward pre-hook of :func:`weight_norm`: sets ``module.<name>`` to
    g · v / ‖v‖ from the parameters ``<name>_g`` and ``<name>_v``."""

    name: str
    dim: int

    def __init__(self, name: str, dim: int) -> None:
        if dim is None:
            dim = -1
        self.name = name
        self.dim = dim

    def compute_weight(self, module: Module) -> Tensor:
        """w = g · v / ‖v‖ from the module's current ``<name>_g`` and ``<name>_v``."""
        g = getattr(module, self.name + "_g")
        v = getattr(module, self.name + "_v")
        return _weight_norm(v, g, self.dim)

    @staticmethod
    def apply(module: Module, name: str, dim: int | None) -> WeightNorm:
        """Replace ``module.<name>`` by ``<name>_g`` and ``<name>_v`` and register the hook."""
        for hook in module._forward_pre_hooks.values():
            if isinstance(hook, WeightNorm) and hook.name == name:
                raise RuntimeError(
                    f"Cannot register two weight_norm hooks on the same parameter {name}"
                )
        if dim is None:
            dim = -1
        weight = getattr(module, name, None)
        if not isinstance(weight, Parameter):
            raise ValueError(
                f"weight_norm: module {type(module).__name__} has no parameter {name!r}"
            )
        fn = WeightNorm(name, dim)
        # g and v: the magnitude and the direction, in place of the parameter
        delattr(module, name)
        module.register_parameter(
            name + "_g", Parameter(norm_except_dim(weight, 2, dim).detach().clone())
        )
        module.register_parameter(name + "_v", Parameter(weight.detach()))
        setattr(module, name, fn.compute_weight(module))
        module.register_forward_pre_hook(fn)
        return fn

    def remove(self, module: Module) -> None:
        """Put back ``<name>`` as one parameter, g · v / ‖v‖ now."""
        with no_grad():
            weight = self.compute_weight(module)
        delattr(module, self.name)
        delattr(module, self.name + "_g")
        delattr(module, self.name + "_v")
        setattr(module, self.name, Parameter(weight.detach()))

    def __call__(self, module: Module, inputs: Any) -> None:
        setattr(module, self.name, self.compute_weight(module))


def weight_norm(module: T_module, name: str = "weight", dim: int | None = 0) -> T_module:
    """Apply weight normalisation to the parameter ``name`` of ``module``; returns ``module``.

    The parameter w is replaced by a magnitude ``<name>_g`` (g = ‖w‖, initially) and a
    direction ``<name>_v`` (v = w, initially), and recomputed before every forward as

        w = g · v / ‖v‖,

    the norm over every dimension but ``dim`` (``dim=0``: one magnitude per output
    unit of ``Linear``/``Conv``; ``dim=None``: one for the whole tensor, g 0-d). Training
    g and v separately decouples the length of w from its direction. The state dict
    holds ``<name>_g`` and ``<name>_v``, as in PyTorch::

        m = weight_norm(nn.Linear(20, 40), name="weight")
        m.weight_g.shape, m.weight_v.shape  # (40, 1), (40, 20)
    """
    WeightNorm.apply(module, name, dim)
    return module


def remove_weight_norm(module: T_module, name: str = "weight") -> T_module:
    """Undo :func:`weight_norm`: ``<name>`` is one parameter again (g · v / ‖v‖ as it is now)
    and the hook is gone; returns ``module``. Raises ``ValueError`` when ``name`` has no
    weight norm."""
    for key, hook in module._forward_pre_hooks.items():
        if isinstance(hook, WeightNorm) and hook.name == name:
            hook.remove(module)
            del module._forward_pre_hooks[key]
            return module
    raise ValueError(f"weight_norm of '{name}' not found in {module}")
