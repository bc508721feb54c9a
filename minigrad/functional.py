"""Function forms of tensor operations: ``minigrad.exp(x)``, ``minigrad.cat([a, b])``, ..."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from minigrad.autograd.graph import check_same_device
from minigrad.creation import full
from minigrad.dtypes import result_type
from minigrad.ops import elementwise, shape
from minigrad.tensor import _NUMBERS, Tensor, _promote, normalize_dim

__all__ = [
    "cat",
    "concat",
    "stack",
    "where",
    "split",
    "chunk",
    "exp",
    "log",
    "sqrt",
    "abs",
    "tanh",
    "sigmoid",
    "relu",
    "leaky_relu",
    "softmax",
    "log_softmax",
    "clamp",
    "clip",
    "maximum",
    "minimum",
    "sum",
    "mean",
    "var",
    "std",
    "max",
    "min",
    "amax",
    "amin",
    "argmax",
    "argmin",
    "matmul",
    "reshape",
    "flatten",
    "squeeze",
    "unsqueeze",
    "transpose",
    "permute",
    "index_select",
    "eq",
    "ne",
    "lt",
    "le",
    "gt",
    "ge",
    "neg",
    "pow",
    "add",
    "sub",
    "mul",
    "div",
    "allclose",
    "numel",
]


def _method(name: str, number_first: str | None = None) -> Any:
    """``minigrad.<name>(input, ...)`` as ``input.<name>(...)``, with the method's docstring.

    With ``number_first`` (the name of the second operand), ``input`` may be a Python
    number when that operand is a tensor, as PyTorch's ``add(2, x)`` or ``pow(2, x)``: the
    number becomes a 0-d tensor of the dtype it promotes to with the tensor, which keeps
    the result's dtype that of ``number <op> tensor``."""
    method = getattr(Tensor, name)

    def function(input: Tensor, *args: Any, **kwargs: Any) -> Any:
        if not isinstance(input, Tensor):
            other = args[0] if args else kwargs.get(number_first or "", None)
            if not (number_first and isinstance(input, _NUMBERS) and isinstance(other, Tensor)):
                raise TypeError(
                    f"{name}(): argument 'input' must be a Tensor, not {type(input).__name__}"
                )
            input = full((), input, dtype=result_type(other, input), device=other.device)
        return method(input, *args, **kwargs)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = method.__doc__
    return function


exp = _method("exp")
log = _method("log")
sqrt = _method("sqrt")
abs = _method("abs")
tanh = _method("tanh")
sigmoid = _method("sigmoid")
relu = _method("relu")
leaky_relu = _method("leaky_relu")
softmax = _method("softmax")
log_softmax = _method("log_softmax")
clamp = _method("clamp")
clip = _method("clip")
maximum = _method("maximum")
minimum = _method("minimum")
sum = _method("sum")
mean = _method("mean")
var = _method("var")
std = _method("std")
max = _method("max")
min = _method("min")
amax = _method("amax")
amin = _method("amin")
argmax = _method("argmax")
argmin = _method("argmin")
matmul = _method("matmul")
reshape = _method("reshape")
flatten = _method("flatten")
squeeze = _method("squeeze")
unsqueeze = _method("unsqueeze")
transpose = _method("transpose")
permute = _method("permute")
index_select = _method("index_select")
eq = _method("eq")
ne = _method("ne")
lt = _method("lt")
le = _method("le")
gt = _method("gt")
ge = _method("ge")
neg = _method("neg")
pow = _method("pow", number_first="exponent")
add = _method("add", number_first="other")
sub = _method("sub", number_first="other")
mul = _method("mul", number_first="other")
div = _method("div", number_first="other")
split = _method("split")
chunk = _method("chunk")
numel = _method("numel")


def _same_kind(tensors: Sequence[Tensor], op: str) -> list[Tensor]:
    """Check a list of tensors for one device and promote them to one dtype."""
    if len(tensors) == 0:  # PyTorch's types: ValueError from cat, RuntimeError from stack
        error = ValueError if op == "cat" else RuntimeError
        raise error(f"{op}(): expected a non-empty list of tensors")
    tensors = list(tensors)
    for t in tensors:
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}(): expected a list of tensors, got {type(t).__name__}")
    check_same_device(f"{op}()", tensors)
    first = tensors[0]
    for i, t in enumerate(tensors):
        if t.dtype != first.dtype:
            first, tensors[i] = _promote(first, t)
    return [t if t.dtype == first.dtype else t.to(first.dtype) for t in tensors]


def _dim_or_axis(dim: int, axis: int | None, op: str) -> int:
    """``dim``, or PyTorch's NumPy-style alias ``axis`` for it (not both)."""
    if axis is None:
        return dim
    if dim != 0:
        raise TypeError(f"{op}() got multiple values for argument 'dim' (axis is its alias)")
    return axis


def cat(tensors: Sequence[Tensor], dim: int = 0, *, axis: int | None = None) -> Tensor:
    """Join tensors along an existing dimension ``dim`` (or ``axis``, its NumPy-style alias);
    the other sizes must match."""
    dim = _dim_or_axis(dim, axis, "cat")
    tensors = _same_kind(tensors, "cat")
    for i, t in enumerate(tensors):
        if t.ndim == 0:
            raise RuntimeError(
                f"cat(): zero-dimensional tensor (at position {i}) cannot be concatenated"
            )
    # PyTorch's legacy rule: a 1-D empty tensor joins anything (as an empty slice)
    ref = next((t.shape for t in tensors if t.shape != (0,)), tensors[0].shape)
    d = normalize_dim(dim, len(ref), "cat")
    empty = ref[:d] + (0,) + ref[d + 1 :]
    tensors = [t.reshape(empty) if t.shape == (0,) else t for t in tensors]
    for i, t in enumerate(tensors):
        if t.ndim != len(ref) or t.shape[:d] + t.shape[d + 1 :] != ref[:d] + ref[d + 1 :]:
            raise RuntimeError(
                f"cat(): sizes of tensors must match except in dimension {d}; expected shape "
                f"{ref} there, but tensor {i} has shape {t.shape}"
            )
    return shape.Cat.apply(d, *tensors)


concat = cat


def stack(tensors: Sequence[Tensor], dim: int = 0, *, axis: int | None = None) -> Tensor:
    """Join equally shaped tensors along a new dimension ``dim`` (or ``axis``, its alias)."""
    dim = _dim_or_axis(dim, axis, "stack")
    tensors = _same_kind(tensors, "stack")
    for i, t in enumerate(tensors):
        if t.shape != tensors[0].shape:
            raise RuntimeError(
                f"stack(): expects each tensor to be equal size, but got {tensors[0].shape} "
                f"at entry 0 and {t.shape} at entry {i}"
            )
    d = normalize_dim(dim, tensors[0].ndim + 1, "stack")
    return shape.Stack.apply(d, *tensors)


def where(condition: Tensor, input: Any = None, other: Any = None) -> Any:
    """``input`` where ``condition`` is True, else ``other`` (broadcast); differentiable.

    ``where(condition)`` alone is ``condition.nonzero(as_tuple=True)``, as in PyTorch.
    """
    if input is None and other is None:
        if not isinstance(condition, Tensor):
            raise TypeError(f"where(): condition must be a Tensor, got {type(condition).__name__}")
        return condition.nonzero(as_tuple=True)
    if input is None or other is None:
        raise TypeError("where(): give both input and other, or neither")
    if not isinstance(condition, Tensor):
        raise TypeError(f"where(): condition must be a Tensor, got {type(condition).__name__}")
    if condition.dtype.kind != "b":
        raise RuntimeError(
            f"where(): expected condition to be a boolean tensor, but got a tensor with dtype "
            f"{condition.dtype}"
        )
    a, b = input, other
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):  # two numbers, as PyTorch
        from minigrad.creation import tensor

        a = tensor(a, device=condition.device)  # int64, float32 or bool, as torch.tensor(a)
    if isinstance(a, Tensor):  # a number takes the tensor's dtype (also on NumPy 1.x)
        a, b = a._with_operand(b)
    else:
        b, a = b._with_operand(a)
    return elementwise.Where.apply(condition, a, b)


allclose = _method("allclose")
