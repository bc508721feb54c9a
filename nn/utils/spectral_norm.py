"""Spectral normalisation (Miyato et al., 2018), as ``torch.nn.utils.spectral_norm``.

A weight W is divided by its spectral norm σ(W), its largest singular value,

    W_SN = W / σ(W),   σ(W) ≈ uᵀ W v,

with u and v estimated by power iteration, a few steps (``n_power_iterations``) per
training forward, continuing from the last estimate (kept in buffers).
"""

from __future__ import annotations

from typing import Any, TypeVar

from minigrad import no_grad
from minigrad.tensor import Tensor

from .. import functional as F
from ..module import Module
from ..parameter import Parameter

__all__ = ["SpectralNorm", "spectral_norm", "remove_spectral_norm"]

T_module = TypeVar("T_module", bound=Module)


class SpectralNorm:
    """The forward pre-hook of :func:`spectral_norm`: sets ``module.<name>`` to
    W / σ(W) from ``<name>_orig`` (the parameter) and the buffers ``<name>_u``,
    ``<name>_v`` (the singular-vector estimates, advanced in training mode)."""

    name: str
    dim: int
    n_power_iterations: int
    eps: float

    def __init__(
        self, name: str = "weight", n_power_iterations: int = 1, dim: int = 0, eps: float = 1e-12
    ) -> None:
        self.name = name
        self.dim = dim
        if n_power_iterations <= 0:
            raise ValueError(
                "Expected n_power_iterations to be positive, but got "
                f"n_power_iterations={n_power_iterations}"
            )
        self.n_power_iterations = n_power_iterations
        self.eps = eps

    def reshape_weight_to_matrix(self, weight: Tensor) -> Tensor:
        """W as a matrix (W.shape[dim], rest): ``dim`` moved to the front, the others flattened."""
        weight_mat = weight
        if self.dim != 0:
            order = [self.dim] + [d for d in range(weight.ndim) if d != self.dim]
            weight_mat = weight_mat.permute(*order)
        return weight_mat.reshape(weight_mat.shape[0], -1)

    def compute_weight(self, module: Module, do_power_iteration: bool) -> Tensor:
        """W / σ with σ = uᵀ W v; first, when asked, ``n_power_iterations`` steps
        v ← normalize(Wᵀu), u ← normalize(Wv), written into the buffers in place.

        u and v are constants of the graph (no gradient flows through them), as in
        PyTorch; the gradient flows through W in both W and σ."""
        weight = getattr(module, self.name + "_orig")
        u = getattr(module, self.name + "_u")
        v = getattr(module, self.name + "_v")
        weight_mat = self.reshape_weight_to_matrix(weight)
        if do_power_iteration:
            with no_grad():
                mat = weight_mat.detach()
                new_u, new_v = u.detach(), v.detach()
                for _ in range(self.n_power_iterations):
                    new_v = F.normalize(mat.mT @ new_u, dim=0, eps=self.eps)
                    new_u = F.normalize(mat @ new_v, dim=0, eps=self.eps)
                u.copy_(new_u)
                v.copy_(new_v)
            # copies, so that the next update of the buffers leaves this graph valid
            u = u.clone()
            v = v.clone()
        sigma = u.dot(weight_mat @ v)
        return weight / sigma

    def remove(self, module: Module) -> None:
        """Put back ``<name>`` as one parameter: W / σ with the current u, v."""
        with no_grad():
            weight = self.compute_weight(module, do_power_iteration=False)
        delattr(module, self.name)
        delattr(module, self.name + "_u")
        delattr(module, self.name + "_v")
        delattr(module, self.name + "_orig")
        module.register_parameter(self.name, Parameter(weight.detach()))

    def __call__(self, module: Module, inputs: Any) -> None:
        setattr(module, self.name, self.compute_weight(module, do_power_iteration=module.training))

    @staticmethod
    def apply(module: Module, name: str, n_power_iterations: int, dim: int, eps: float) -> Any:
        """Replace ``module.<name>`` by ``<name>_orig`` and the buffers ``<name>_u``,
        ``<name>_v`` (random unit vectors), and register the hook."""
        for hook in module._forward_pre_hooks.values():
            if isinstance(hook, SpectralNorm) and hook.name == name:
                raise RuntimeError(
                    f"Cannot register two spectral_norm hooks on the same parameter {name}"
                )
        weight = getattr(module, name, None)
        if not isinstance(weight, Parameter):
            raise ValueError(
                f"spectral_norm: module {type(module).__name__} has no parameter {name!r}"
            )
        fn = SpectralNorm(name, n_power_iterations, dim % max(weight.ndim, 1), eps)
        with no_grad():
            weight_mat = fn.reshape_weight_to_matrix(weight)
            h, w = weight_mat.shape
            u = F.normalize(weight.new_empty(h).normal_(0, 1), dim=0, eps=fn.eps)
            v = F.normalize(weight.new_empty(w).normal_(0, 1), dim=0, eps=fn.eps)
        delattr(module, fn.name)
        module.register_parameter(fn.name + "_orig", weight)
        # a plain attribute until the first forward sets W / σ (as PyTorch's weight.data)
        setattr(module, fn.name, weight.detach())
        module.register_buffer(fn.name + "_u", u)
        module.register_buffer(fn.name + "_v", v)
        module.register_forward_pre_hook(fn)
        return fn


def spectral_norm(
    module: T_module,
    name: str = "weight",
    n_power_iterations: int = 1,
    eps: float = 1e-12,
    dim: int | None = None,
) -> T_module:
    """Apply spectral normalisation to the parameter ``name`` of ``module``; returns ``module``.

    Before every forward the weight is set to

        W_SN = W / σ(W),   σ(W) = uᵀ W_mat v,

    with W_mat the weight as a matrix (dimension ``dim`` first, the others flattened)
    and u, v estimates of its first singular vectors. In training mode each forward
    first takes ``n_power_iterations`` steps of power iteration,
    v ← Wᵀu / max(‖Wᵀu‖, eps), u ← W v / max(‖W v‖, eps), from the last estimate; in
    eval mode u and v stay as they are. The parameter becomes ``<name>_orig`` and u, v
    the buffers ``<name>_u``, ``<name>_v`` (all three in the state dict, as PyTorch).
    ``dim`` defaults to 0, or 1 for the transposed convolutions (whose weight is
    (C_in, C_out, ...)). Keeps the Lipschitz constant of a layer near 1 (GAN
    discriminators)::

        m = spectral_norm(nn.Linear(20, 40))
        m.weight_u.shape  # (40,)
    """
    if dim is None:
        from ..conv import ConvTranspose1d, ConvTranspose2d

        dim = 1 if isinstance(module, (ConvTranspose1d, ConvTranspose2d)) else 0
    SpectralNorm.apply(module, name, n_power_iterations, dim, eps)
    return module


def remove_spectral_norm(module: T_module, name: str = "weight") -> T_module:
    """Undo :func:`spectral_norm`: ``<name>`` is one parameter again (W / σ with the current
    u, v) and the hook and buffers are gone; returns ``module``."""
    for key, hook in module._forward_pre_hooks.items():
        if isinstance(hook, SpectralNorm) and hook.name == name:
            hook.remove(module)
            del module._forward_pre_hooks[key]
            return module
    raise ValueError(f"spectral_norm of '{name}' not found in {module}")
