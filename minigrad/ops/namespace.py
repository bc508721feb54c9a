"""NumPy's names over minigrad's differentiable operations: the ``xp`` of a backward
that builds a graph (``create_graph=True``).

Every op's backward is written once against an array namespace ``xp``: in the
fast pass ``xp`` is NumPy or CuPy and the operands are arrays; for higher-order
gradients it is this module and the operands are tensors, so the same lines
record a differentiable graph. Only the functions that backward rules use are
here, each with NumPy's signature.
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

from minigrad.autograd import graph
from minigrad.autograd.graph import new_tensor
from minigrad.backend import get_array_module
from minigrad.ops import elementwise, linalg, shape


def _array(value: Any) -> Any:
    """A tensor's array, or the value itself (arrays and numbers are constants)."""
    return getattr(value, "_array", value)


def _unary(op: Any, name: str, doc: str) -> Any:
    """``name`` recorded through ``op`` on a tensor; on a constant (a number or an array),
    NumPy's (or CuPy's) own function, so constants stay constants."""

    def function(x: Any) -> Any:
        if isinstance(x, graph.Tensor):
            return op.apply(x)
        return getattr(np if isinstance(x, int | float) else get_array_module(x), name)(x)

    function.__name__ = name
    function.__doc__ = doc
    return function


exp = _unary(elementwise.Exp, "exp", "eˣ, differentiable.")
log = _unary(elementwise.Log, "log", "log x, differentiable.")
log1p = _unary(elementwise.Log1p, "log1p", "log(1 + x), differentiable.")
sqrt = _unary(elementwise.Sqrt, "sqrt", "√x, differentiable.")


def where(condition: Any, a: Any, b: Any) -> Any:
    """``a`` where ``condition``, else ``b``; differentiable in ``a`` and ``b``."""
    return elementwise.Where.apply(_array(condition), a, b)


def transpose(x: Any, axes: tuple[int, ...]) -> Any:
    """The axes of ``x`` reordered, differentiable."""
    return shape.Permute.apply(x, tuple(axes))


def expand_dims(x: Any, axis: int) -> Any:
    """``x`` with a size-1 axis inserted at ``axis``."""
    return x.unsqueeze(axis)


def broadcast_to(x: Any, target: tuple[int, ...]) -> Any:
    """``x`` broadcast to ``target`` (a view), differentiable."""
    return shape.Expand.apply(x, tuple(target))


def maximum(a: Any, b: Any) -> Any:
    """The element-wise maximum, differentiable (ties share the gradient)."""
    return elementwise.Maximum.apply(a, b)


# ---------------------------------------------------------------- element-wise math and reductions
sin = _unary(elementwise.Sin, "sin", "sin x, differentiable.")
cos = _unary(elementwise.Cos, "cos", "cos x, differentiable.")


def _step(name: str) -> Any:
    """``name`` (floor, trunc, ...): piecewise constant, so on a tensor a constant tensor."""

    def function(x: Any) -> Any:
        if not isinstance(x, graph.Tensor):
            return getattr(np if isinstance(x, int | float) else get_array_module(x), name)(x)
        return new_tensor(getattr(get_array_module(x._array), name)(x._array))

    function.__name__ = name
    function.__doc__ = f"{name}(x): piecewise constant, so a constant tensor (derivative 0)."
    return function


floor = _step("floor")
sign = _step("sign")
trunc = _step("trunc")


def zeros_like(x: Any) -> Any:
    """Zeros of ``x``'s shape and dtype: a constant (a tensor for a tensor)."""
    if isinstance(x, graph.Tensor):
        return new_tensor(get_array_module(x._array).zeros_like(x._array))
    return get_array_module(x).zeros_like(x)


# ---------------------------------------------------------------- indexing, shape, linear algebra
def einsum(subscripts: str, *operands: Any) -> Any:
    """NumPy's ``einsum`` (explicit ``->`` form, no repeated labels in an operand), recorded."""
    return linalg.Einsum.apply(subscripts, *operands)


graph.bind_graph_namespace(sys.modules[__name__])
