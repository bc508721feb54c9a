"""Automatic differentiation, with PyTorch's ``torch.autograd`` API.

- :func:`backward` and :func:`grad` run the backward pass (``create_graph=True``
  makes the gradients differentiable, for higher-order derivatives);
- :class:`Function` defines a custom differentiable operation;
- :class:`no_grad`, :class:`enable_grad`, :class:`set_grad_enabled` and
  :class:`inference_mode` switch recording per thread;
- :mod:`minigrad.autograd.functional` has ``jacobian`` and ``hessian``;
- :mod:`minigrad.autograd.graph` holds the graph's nodes (``tensor.grad_fn``).
"""

from minigrad.autograd import functional, graph
from minigrad.autograd.engine import backward, grad
from minigrad.autograd.function import Function, FunctionCtx, once_differentiable
from minigrad.autograd.grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)

__all__ = [
    "Function",
    "FunctionCtx",
    "backward",
    "enable_grad",
    "functional",
    "grad",
    "graph",
    "inference_mode",
    "is_grad_enabled",
    "is_inference_mode_enabled",
    "no_grad",
    "once_differentiable",
    "set_grad_enabled",
]
