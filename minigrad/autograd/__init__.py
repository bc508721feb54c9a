"""Automatic differentiation, with PyTorch's ``torch.autograd`` API.

- :func:`backward` and :func:`grad` run the backward pass (``create_graph=True``
  makes the gradients differentiable, for higher-order derivatives);
- :class:`Function` defines a custom differentiable operation;
- :class:`no_grad`, :class:`enable_grad`, :class:`set_grad_enabled` and
  :class:`inference_mode` switch recording per thread;
- :class:`detect_anomaly` and :class:`set_detect_anomaly` make a backward pass stop at
  the first node that returns a NaN gradient;
- :mod:`minigrad.autograd.functional` has ``jacobian`` and ``hessian``;
- :mod:`minigrad.autograd.graph` holds the graph's nodes (``tensor.grad_fn``).
"""

import importlib

from minigrad.autograd import functional, graph
from minigrad.autograd.anomaly_mode import detect_anomaly, set_detect_anomaly
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
    "GradcheckError",
    "Variable",
    "detect_anomaly",
    "set_detect_anomaly",
    "Function",
    "FunctionCtx",
    "backward",
    "enable_grad",
    "functional",
    "grad",
    "gradcheck",
    "gradgradcheck",
    "graph",
    "inference_mode",
    "is_grad_enabled",
    "is_inference_mode_enabled",
    "no_grad",
    "once_differentiable",
    "set_grad_enabled",
]


def __getattr__(name: str) -> object:
    """``Variable`` (PyTorch's pre-0.4 wrapper, in :mod:`minigrad.legacy`) and
    ``gradcheck``/``gradgradcheck``/``GradcheckError`` (:mod:`minigrad.gradcheck`) need
    the Tensor class: they are looked up on first use."""
    if name == "Variable":
        from minigrad.legacy import Variable

        return Variable
    if name in ("gradcheck", "gradgradcheck", "GradcheckError"):
        # (the module by its full name: the package's ``gradcheck`` is the function)
        return getattr(importlib.import_module("minigrad.gradcheck"), name)
    raise AttributeError(f"module 'minigrad.autograd' has no attribute {name!r}")
