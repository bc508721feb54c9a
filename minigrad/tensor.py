"""The Tensor: one backend array plus what autograd needs to differentiate it."""

from __future__ import annotations

import math
import operator
from collections import namedtuple
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np

from minigrad import autograd
from minigrad.autograd import Function, is_grad_enabled
from minigrad.backend import CPU, Device, as_device, backend_of, get_backend
from minigrad.dtypes import (
    DEFAULT_FLOAT,
    as_dtype,
    float32,
    float64,
    infer_dtype,
    is_floating,
    promote_types,
)
from minigrad.ops import activation, elementwise, linalg, reduction
from minigrad.ops import shape as shape_ops

__all__ = ["Tensor", "ValuesIndices"]

ValuesIndices = namedtuple("ValuesIndices", ["values", "indices"])
ValuesIndices.__doc__ = "What ``max(dim)``/``min(dim)`` return: ``(values, indices)``."

_new = object.__new__
_PY_SCALARS = (int, float, bool)


def normalize_dim(dim: int, ndim: int, op: str) -> int:
    """A dimension index in ``[-ndim, ndim)`` as a non-negative int, or a clear IndexError."""
    low, high = (-ndim, ndim - 1) if ndim else (-1, 0)
    if not isinstance(dim, int | np.integer) or not low <= dim <= high:
        raise IndexError(
            f"{op}: dimension out of range (expected to be in range of [{low}, {high}], "
            f"but got {dim})"
        )
    return int(dim) % ndim if ndim else 0


def _normalize_dims(dim: Any, ndim: int, op: str) -> int | tuple[int, ...] | None:
    if dim is None or (isinstance(dim, Sequence) and len(dim) == 0):
        return None  # PyTorch: dim=() reduces over every dimension
    if isinstance(dim, Sequence):
        dims = tuple(normalize_dim(d, ndim, op) for d in dim)
        if len(set(dims)) != len(dims):
            raise ValueError(f"{op}: dim {tuple(dim)} names a dimension twice")
        return dims
    return normalize_dim(dim, ndim, op)


def _shape_arg(shape: tuple[Any, ...]) -> tuple[int, ...]:
    """Accept ``f(2, 3)`` and ``f((2, 3))`` as PyTorch does."""
    if len(shape) == 1 and isinstance(shape[0], Sequence):
        shape = tuple(shape[0])
    return tuple(int(n) for n in shape)


def _binary_method(op: type[Function], reflected: bool) -> Any:
    """An arithmetic dunder: two tensors of one dtype go straight to ``op``, the rest
    through :meth:`Tensor._binary` (scalars, arrays, type promotion)."""
    if reflected:

        def method(self: Tensor, other: Any) -> Tensor:
            return self._binary(op, other, True)

    else:

        def method(self: Tensor, other: Any) -> Tensor:
            # Shaped for speed: the common case costs one call less than _binary.
            if isinstance(other, Tensor) and other.data.dtype == self.data.dtype:
                return op.apply(self, other)
            return self._binary(op, other)

    return method


class Tensor:
    """A multi-dimensional array that can record the operations applied to it.

    ``data`` is a NumPy array on ``cpu`` or a CuPy array on ``cuda``. When
    ``requires_grad`` is True, operations on the tensor build a graph that
    :meth:`backward` walks to fill ``.grad`` of the leaves.
    """

    __slots__ = ("data", "grad", "grad_fn", "requires_grad", "__weakref__")
    __array_priority__ = 1000
    __array_ufunc__ = None  # ``ndarray * tensor`` defers to Tensor.__rmul__

    def __init__(self, data: Any, requires_grad: bool = False) -> None:
        if isinstance(data, Tensor):
            data = data.data
        else:
            try:
                backend_of(data)
            except TypeError:
                data = np.asarray(data, dtype=infer_dtype(data))
        if isinstance(data, np.generic):
            data = np.asarray(data)
        self.data = data
        self.grad: Tensor | None = None
        self.grad_fn: Function | None = None
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_()

    @staticmethod
    def _from_op(data: Any, grad_fn: Function | None) -> Tensor:
        # The hot path of every op: no checks, just the slots.
        t = _new(Tensor)
        t.data = data
        t.grad = None
        t.grad_fn = grad_fn
        t.requires_grad = grad_fn is not None
        return t

    # ------------------------------------------------------------------ attributes
    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def device(self) -> Device:
        return backend_of(self.data).device_of(self.data)

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    @property
    def is_cuda(self) -> bool:
        return self.device.type == "cuda"

    @property
    def T(self) -> Tensor:
        """All dimensions reversed (the matrix transpose for 2-D tensors)."""
        return self.permute(*reversed(range(self.ndim)))

    def size(self, dim: int | None = None) -> tuple[int, ...] | int:
        """The shape, or the length of dimension ``dim``."""
        if dim is None:
            return self.shape
        return self.shape[normalize_dim(dim, self.ndim, "size")]

    def dim(self) -> int:
        return self.ndim

    def numel(self) -> int:
        return int(self.data.size)

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.shape[0]

    # ------------------------------------------------------------------ conversion
    def item(self) -> int | float | bool:
        """The value of a one-element tensor as a Python number."""
        if self.data.size != 1:
            raise ValueError(
                f"a Tensor with {self.data.size} elements cannot be converted to a Python "
                f"scalar (shape {self.shape})"
            )
        return self.data.item()

    def tolist(self) -> Any:
        return self.data.tolist()

    def numpy(self) -> np.ndarray:
        """The data as a NumPy array, sharing memory (CPU tensors only)."""
        if self.requires_grad:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() "
                "instead."
            )
        if backend_of(self.data).device_type != "cpu":
            raise TypeError(
                f"can't convert {self.device} device type tensor to numpy. Use Tensor.cpu() "
                "to copy the tensor to host memory first."
            )
        return self.data

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return self.detach().numpy() if dtype is None else self.detach().numpy().astype(dtype)

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self.dtype.kind not in "iu" or self.data.size != 1:
            raise TypeError("only integer tensors of a single element can be used as an index")
        return int(self.item())

    def __bool__(self) -> bool:
        if self.data.size != 1:
            raise RuntimeError(
                f"Boolean value of Tensor with {self.data.size} elements is ambiguous"
            )
        return bool(self.item())

    def detach(self) -> Tensor:
        """The same data, cut from the graph."""
        return Tensor._from_op(self.data, None)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set ``requires_grad`` in place (floating-point tensors only)."""
        if requires_grad and not is_floating(self.dtype):
            raise RuntimeError(
                f"only tensors of floating point dtype can require gradients, got {self.dtype}"
            )
        if not requires_grad and self.grad_fn is not None:
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables; use detach()"
            )
        self.requires_grad = bool(requires_grad)
        return self

    def register_post_accumulate_grad_hook(self, hook: Any) -> Any:
        """Call ``hook(self)`` after each backward pass accumulated into ``self.grad`` (leaves).

        Returns a handle whose ``remove()`` unregisters the hook (PyTorch 2.1's API).
        """
        return autograd.register_post_accumulate_grad_hook(self, hook)

    def retain_grad(self) -> None:
        """Keep ``.grad`` of this non-leaf tensor after backward (leaves always keep it)."""
        if not self.requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is not None:
            autograd.retain_grad(self)

    @property
    def retains_grad(self) -> bool:
        return self.grad_fn is not None and self.grad_fn.retained is not None

    def to(self, *args: Any, dtype: Any = None, device: Any = None) -> Tensor:
        """``to(device)``, ``to(dtype)`` or ``to(device, dtype)``; differentiable."""
        for arg in args:
            if isinstance(arg, Device) or (
                isinstance(arg, str) and arg.partition(":")[0] in ("cpu", "cuda")
            ):  # any other string names a dtype: to("int64"), as long() calls it
                device = arg
            else:
                dtype = arg
        out = self
        if dtype is not None and as_dtype(dtype) != self.dtype:
            out = out._cast(as_dtype(dtype))
        if device is not None:
            target = as_device(device)
            if target != self.device:
                out = elementwise.ToDevice.apply(out, get_backend(target), target)
        return out

    def cpu(self) -> Tensor:
        return self.to("cpu")

    def cuda(self, device: int | str | None = None) -> Tensor:
        if isinstance(device, int):
            device = f"cuda:{device}"
        return self.to(device or "cuda")

    def _cast(self, dtype: np.dtype) -> Tensor:
        if self.requires_grad and not is_floating(dtype):
            return Tensor._from_op(self.data.astype(dtype), None)
        return elementwise.Cast.apply(self, dtype)

    def float(self) -> Tensor:
        return self.to(float32)

    def double(self) -> Tensor:
        return self.to(float64)

    def half(self) -> Tensor:
        return self.to("float16")

    def long(self) -> Tensor:
        return self.to("int64")

    def int(self) -> Tensor:
        return self.to("int32")

    def bool(self) -> Tensor:
        return self.to("bool")

    def clone(self) -> Tensor:
        """A copy of the data that stays in the graph."""
        return elementwise.Cast.apply(self, self.dtype)

    def contiguous(self) -> Tensor:
        return self

    # ------------------------------------------------------------------ autograd
    def backward(self, gradient: Tensor | None = None, retain_graph: bool = False) -> None:
        """Accumulate d(self)/d(leaf) into ``.grad`` of every leaf that requires grad.

        ``gradient`` is d(loss)/d(self); it may be left out only for one-element tensors.
        """
        if not self.requires_grad:
            raise RuntimeError(
                "element 0 of tensors does not require grad and does not have a grad_fn"
            )
        if gradient is None:
            if self.data.size != 1:
                raise RuntimeError(
                    f"grad can be implicitly created only for scalar outputs; this tensor "
                    f"has shape {self.shape}: pass gradient= of the same shape"
                )
            data = self.data
            grad = backend_of(data).xp.empty(data.shape, data.dtype)
            grad.fill(1)
        else:
            grad = gradient.data if isinstance(gradient, Tensor) else gradient
            if not isinstance(gradient, Tensor) or grad.shape != self.shape:
                raise RuntimeError(
                    f"backward: gradient must be a Tensor of shape {self.shape}, got "
                    f"{type(gradient).__name__} of shape {getattr(grad, 'shape', None)}"
                )
            if type(grad) is not type(self.data):
                raise RuntimeError(
                    f"backward: gradient is on {gradient.device} but the tensor is on {self.device}"
                )
            if grad.dtype != self.dtype:
                grad = grad.astype(self.dtype)
        if self.grad_fn is None:
            autograd.accumulate_grad(self, grad, owned=gradient is None)
        else:
            autograd.run_backward(self, grad, retain_graph, gradient is None)

    # ------------------------------------------------------------------ repr
    def __repr__(self) -> str:
        host = backend_of(self.data).to_host(self.data)
        body = np.array2string(host, separator=", ", prefix="tensor(")
        extras = []
        if self.device != CPU:
            extras.append(f"device='{self.device}'")
        if self.dtype not in (DEFAULT_FLOAT, np.dtype("int64"), np.dtype("bool")) or (
            host.size == 0 and self.dtype != DEFAULT_FLOAT
        ):
            extras.append(f"dtype=minigrad.{self.dtype}")
        if self.grad_fn is not None:
            extras.append(f"grad_fn=<{self.grad_fn.name}>")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        return "tensor(" + ", ".join([body, *extras]) + ")"

    __hash__ = object.__hash__

    # ------------------------------------------------------------------ arithmetic
    def _operand(self, other: Any) -> Any:
        """Bring the other operand of a binary op into a form the op accepts."""
        if isinstance(other, np.generic):
            return other.item()
        if isinstance(other, _PY_SCALARS):
            return other
        if isinstance(other, np.ndarray | list | tuple):
            data = np.asarray(other)
            if isinstance(other, list | tuple):
                data = data.astype(infer_dtype(other))
            return Tensor._from_op(backend_of(self.data).from_host(data, self.device), None)
        raise TypeError(f"unsupported operand type for a Tensor op: {type(other).__name__}")

    def _binary(self, op: type[Function], other: Any, reflected: bool = False) -> Tensor:
        """``op(self, other)`` (or ``op(other, self)``) after PyTorch's type promotion."""
        a = self
        if isinstance(other, Tensor):
            if a.data.dtype != other.data.dtype:
                a, other = _promote(a, other)
        else:
            other = self._operand(other)
            if isinstance(other, Tensor):
                return a._binary(op, other, reflected)
            if type(other) is float and not is_floating(a.dtype):
                a = a._cast(DEFAULT_FLOAT)  # int tensor * 0.5 is float32, as PyTorch
        return op.apply(other, a) if reflected else op.apply(a, other)

    __add__ = _binary_method(elementwise.Add, reflected=False)

    __radd__ = _binary_method(elementwise.Add, reflected=True)

    __sub__ = _binary_method(elementwise.Sub, reflected=False)

    __rsub__ = _binary_method(elementwise.Sub, reflected=True)

    __mul__ = _binary_method(elementwise.Mul, reflected=False)

    __rmul__ = _binary_method(elementwise.Mul, reflected=True)

    def __truediv__(self, other: Any) -> Tensor:
        return self._float_for_division()._binary(elementwise.Div, other)

    def __rtruediv__(self, other: Any) -> Tensor:
        return self._float_for_division()._binary(elementwise.Div, other, reflected=True)

    def _float_for_division(self) -> Tensor:
        # True division of integers gives float32, as in PyTorch (NumPy would give float64).
        return self if is_floating(self.dtype) else self._cast(DEFAULT_FLOAT)

    __pow__ = _binary_method(elementwise.Pow, reflected=False)

    __rpow__ = _binary_method(elementwise.Pow, reflected=True)

    def __neg__(self) -> Tensor:
        return elementwise.Neg.apply(self)

    def __pos__(self) -> Tensor:
        return self

    def __abs__(self) -> Tensor:
        return self.abs()

    def __matmul__(self, other: Any) -> Tensor:
        return self.matmul(other)

    def __rmatmul__(self, other: Any) -> Tensor:
        return self._operand(other).matmul(self)

    def add(self, other: Any) -> Tensor:
        return self + other

    def sub(self, other: Any) -> Tensor:
        return self - other

    def mul(self, other: Any) -> Tensor:
        return self * other

    def div(self, other: Any) -> Tensor:
        return self / other

    def pow(self, exponent: Any) -> Tensor:
        return self**exponent

    def neg(self) -> Tensor:
        return -self

    def matmul(self, other: Tensor) -> Tensor:
        """Matrix product with NumPy's rules for 1-D, 2-D and batched operands."""
        if not isinstance(other, Tensor):
            other = self._operand(other)
        if self.ndim == 0 or other.ndim == 0:
            raise RuntimeError(
                f"matmul: both arguments need at least 1 dimension, got shapes {self.shape} "
                f"and {other.shape}"
            )
        if self.shape[-1] != other.shape[-2 if other.ndim > 1 else 0]:
            raise RuntimeError(
                f"matmul: shapes {self.shape} and {other.shape} cannot be multiplied "
                f"({self.shape[-1]} != {other.shape[-2 if other.ndim > 1 else 0]})"
            )
        a, b = self, other
        if a.dtype != b.dtype:
            a, b = _promote(a, b)
        try:
            return linalg.MatMul.apply(a, b)
        except ValueError:
            try:  # name the whole shapes, not just their batch dimensions
                np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
            except ValueError:
                raise ValueError(
                    f"matmul: the batch dimensions of shapes {a.shape} and {b.shape} "
                    "cannot be broadcast together"
                ) from None
            raise

    # ------------------------------------------------------------------ in place
    def _check_inplace(self, op: str) -> None:
        if is_grad_enabled() and self.requires_grad:
            what = "a leaf Variable that requires grad" if self.is_leaf else "a graph tensor"
            raise RuntimeError(
                f"{op}: {what} is being used in an in-place operation; wrap the update in "
                "`with minigrad.no_grad():` or use the out-of-place form"
            )

    def _inplace(self, op: str, other: Any, apply: Any) -> Tensor:
        self._check_inplace(op)
        value = other.data if isinstance(other, Tensor) else other
        if isinstance(other, Tensor) and type(value) is not type(self.data):
            check_same_device(op, (self, other))
        try:
            apply(self.data, value)
        except (TypeError, ValueError) as exc:
            raise RuntimeError(
                f"{op}: cannot update a {self.dtype} tensor of shape {self.shape} in place: {exc}"
            ) from None
        return self

    def __iadd__(self, other: Any) -> Tensor:
        return self._inplace("add_", other, operator.iadd)

    def __isub__(self, other: Any) -> Tensor:
        return self._inplace("sub_", other, operator.isub)

    def __imul__(self, other: Any) -> Tensor:
        return self._inplace("mul_", other, operator.imul)

    def __itruediv__(self, other: Any) -> Tensor:
        return self._inplace("div_", other, operator.itruediv)

    def add_(self, other: Any, alpha: float = 1) -> Tensor:
        return self._inplace("add_", other * alpha if alpha != 1 else other, operator.iadd)

    def sub_(self, other: Any, alpha: float = 1) -> Tensor:
        return self._inplace("sub_", other * alpha if alpha != 1 else other, operator.isub)

    def mul_(self, other: Any) -> Tensor:
        return self._inplace("mul_", other, operator.imul)

    def div_(self, other: Any) -> Tensor:
        return self._inplace("div_", other, operator.itruediv)

    def copy_(self, src: Tensor) -> Tensor:
        """Copy ``src`` (broadcastable, any device) into this tensor's memory."""
        data = src.data if isinstance(src, Tensor) else src
        if isinstance(src, Tensor) and type(data) is not type(self.data):
            data = backend_of(self.data).from_host(backend_of(data).to_host(data), self.device)
        return self._inplace("copy_", data, _np_assign)

    def fill_(self, value: float) -> Tensor:
        return self._inplace("fill_", value, _np_assign)

    def zero_(self) -> Tensor:
        return self.fill_(0)

    def uniform_(self, a: float = 0.0, b: float = 1.0) -> Tensor:
        """Fill with samples of U(a, b) from the device's seeded generator."""
        from minigrad import random

        gen = random.default_generator(self.device)
        sample = gen.random(self.shape, dtype=_draw_dtype(self.dtype))
        return self.copy_(Tensor._from_op(sample * (b - a) + a, None))

    def normal_(self, mean: float = 0.0, std: float = 1.0) -> Tensor:
        """Fill with samples of N(mean, std²) from the device's seeded generator."""
        from minigrad import random

        gen = random.default_generator(self.device)
        sample = gen.standard_normal(self.shape, dtype=_draw_dtype(self.dtype))
        return self.copy_(Tensor._from_op(sample * std + mean, None))

    def __setitem__(self, key: Any, value: Any) -> None:
        key, _ = self._index_key(key)
        value = self._operand(value) if not isinstance(value, Tensor) else value
        self._inplace("setitem", value, lambda data, v: data.__setitem__(key, v))

    # ------------------------------------------------------------------ comparisons
    def _compare(self, other: Any, compare: Any) -> Tensor:
        other = other if isinstance(other, Tensor) else self._operand(other)
        value = other.data if isinstance(other, Tensor) else other
        if isinstance(other, Tensor) and type(value) is not type(self.data):
            check_same_device("comparison", (self, other))
        try:
            return Tensor._from_op(compare(self.data, value), None)
        except ValueError:
            autograd.raise_if_not_broadcastable(compare.__name__, (self.data, value))
            raise

    def __lt__(self, other: Any) -> Tensor:
        return self._compare(other, operator.lt)

    def __le__(self, other: Any) -> Tensor:
        return self._compare(other, operator.le)

    def __gt__(self, other: Any) -> Tensor:
        return self._compare(other, operator.gt)

    def __ge__(self, other: Any) -> Tensor:
        return self._compare(other, operator.ge)

    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return self._compare(other, operator.eq)

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return self._compare(other, operator.ne)

    def eq(self, other: Any) -> Tensor:
        return self == other

    def ne(self, other: Any) -> Tensor:
        return self != other

    def lt(self, other: Any) -> Tensor:
        return self < other

    def le(self, other: Any) -> Tensor:
        return self <= other

    def gt(self, other: Any) -> Tensor:
        return self > other

    def ge(self, other: Any) -> Tensor:
        return self >= other

    def __invert__(self) -> Tensor:
        if self.dtype.kind not in "biu":
            raise TypeError(f"~ is only defined for bool and integer tensors, got {self.dtype}")
        return Tensor._from_op(~self.data, None)

    def __and__(self, other: Any) -> Tensor:
        return self._compare(other, operator.and_)

    def __or__(self, other: Any) -> Tensor:
        return self._compare(other, operator.or_)

    # ------------------------------------------------------------------ unary math
    def exp(self) -> Tensor:
        """eˣ element-wise."""
        return elementwise.Exp.apply(self._floating("exp"))

    def log(self) -> Tensor:
        """Natural logarithm element-wise."""
        return elementwise.Log.apply(self._floating("log"))

    def sqrt(self) -> Tensor:
        """√x element-wise."""
        return elementwise.Sqrt.apply(self._floating("sqrt"))

    def abs(self) -> Tensor:
        """|x| element-wise (gradient sign(x), 0 at 0)."""
        return elementwise.Abs.apply(self)

    def tanh(self) -> Tensor:
        """tanh(x) element-wise."""
        return activation.Tanh.apply(self._floating("tanh"))

    def sigmoid(self) -> Tensor:
        """σ(x) = 1 / (1 + e⁻ˣ) element-wise."""
        return activation.Sigmoid.apply(self._floating("sigmoid"))

    def relu(self) -> Tensor:
        """max(x, 0) element-wise."""
        return activation.Relu.apply(self)

    def leaky_relu(self, negative_slope: float = 0.01) -> Tensor:
        """x if x > 0 else negative_slope·x, element-wise."""
        return activation.LeakyRelu.apply(self._floating("leaky_relu"), negative_slope)

    def softmax(self, dim: int) -> Tensor:
        """exp(xᵢ) / Σⱼ exp(xⱼ) along ``dim`` (shifted by the maximum for stability)."""
        x = self._floating("softmax")
        return activation.Softmax.apply(x, normalize_dim(dim, self.ndim, "softmax"))

    def log_softmax(self, dim: int) -> Tensor:
        """xᵢ - log Σⱼ exp(xⱼ) along ``dim``; finite for inputs of magnitude 1e4."""
        x = self._floating("log_softmax")
        return activation.LogSoftmax.apply(x, normalize_dim(dim, self.ndim, "log_softmax"))

    def clamp(self, min: float | None = None, max: float | None = None) -> Tensor:
        """Limit every element to [min, max] (gradient 1 inside, 0 outside)."""
        if min is None and max is None:
            raise ValueError("clamp: at least one of min and max must be given")
        return elementwise.Clamp.apply(self, min, max)

    clip = clamp

    def maximum(self, other: Tensor) -> Tensor:
        """Element-wise maximum (ties share the gradient equally, as PyTorch)."""
        return self._binary(elementwise.Maximum, other)

    def minimum(self, other: Tensor) -> Tensor:
        """Element-wise minimum (ties share the gradient equally, as PyTorch)."""
        return self._binary(elementwise.Minimum, other)

    def _floating(self, op: str) -> Tensor:
        return self if is_floating(self.dtype) else self._cast(DEFAULT_FLOAT)

    # ------------------------------------------------------------------ reductions
    def sum(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        """Σ over ``dim`` (an int, a tuple, or all dimensions)."""
        x = self if self.data.dtype.kind != "b" else self.long()
        axis = None if dim is None else _normalize_dims(dim, self.ndim, "sum")
        return reduction.Sum.apply(x, axis, keepdim)

    def mean(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        """Σx / N over ``dim``."""
        if not is_floating(self.dtype):
            raise RuntimeError(
                f"mean(): could not infer output dtype. Input dtype must be a floating point "
                f"dtype, got {self.dtype}; call .float() first"
            )
        return reduction.Mean.apply(self, _normalize_dims(dim, self.ndim, "mean"), keepdim)

    def var(
        self,
        dim: Any = None,
        unbiased: bool | None = None,
        keepdim: bool = False,
        *,
        correction: float | None = None,
    ) -> Tensor:
        """Σ(x - mean)² / (N - correction); ``correction=1`` (Bessel) unless ``unbiased=False``."""
        if unbiased is not None and correction is not None:
            raise ValueError("var: give either unbiased or correction, not both")
        if correction is None:
            correction = 0 if unbiased is False else 1
        x = self._floating("var")
        dims = _normalize_dims(dim, self.ndim, "var")
        return reduction.Var.apply(x, dims, keepdim, correction)

    def std(self, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False) -> Tensor:
        """√var."""
        return self.var(dim, unbiased, keepdim).sqrt()

    def max(self, dim: Any = None, keepdim: bool = False) -> Any:
        """The maximum; with ``dim``, ``(values, indices)``; with a tensor, ``maximum``."""
        if isinstance(dim, Tensor):
            return self.maximum(dim)
        return self._extremum(dim, keepdim, largest=True)

    def min(self, dim: Any = None, keepdim: bool = False) -> Any:
        """The minimum; with ``dim``, ``(values, indices)``; with a tensor, ``minimum``."""
        if isinstance(dim, Tensor):
            return self.minimum(dim)
        return self._extremum(dim, keepdim, largest=False)

    def _extremum(self, dim: Any, keepdim: bool, largest: bool) -> Any:
        op = "max" if largest else "min"
        if dim is None:
            self._check_nonempty(op, None)
            return reduction.Extremum.apply(self, None, False, largest)
        dim = normalize_dim(dim, self.ndim, op)
        if self.ndim == 0:  # a 0-d tensor is its own extremum, at index 0 (as PyTorch)
            zero = backend_of(self.data).xp.zeros((), dtype=np.int64)
            return ValuesIndices(shape_ops.Reshape.apply(self, ()), Tensor._from_op(zero, None))
        self._check_nonempty(op, dim)
        xp = backend_of(self.data).xp
        indices = xp.argmax(self.data, axis=dim) if largest else xp.argmin(self.data, axis=dim)
        values = reduction.TakeAlongDim.apply(self, indices, dim, keepdim)
        if keepdim:
            indices = xp.expand_dims(indices, dim)
        return ValuesIndices(values, Tensor._from_op(indices.astype(np.int64), None))

    def amax(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        """The maximum over ``dim``; ties share the gradient evenly."""
        dims = _normalize_dims(dim, self.ndim, "amax")
        self._check_nonempty("amax", dims)
        return reduction.Extremum.apply(self, dims, keepdim, True)

    def amin(self, dim: Any = None, keepdim: bool = False) -> Tensor:
        """The minimum over ``dim``; ties share the gradient evenly."""
        dims = _normalize_dims(dim, self.ndim, "amin")
        self._check_nonempty("amin", dims)
        return reduction.Extremum.apply(self, dims, keepdim, False)

    def _check_nonempty(self, op: str, dim: Any) -> None:
        dims = range(self.ndim) if dim is None else (dim,) if isinstance(dim, int) else dim
        if self.data.size == 0 and (dim is None or any(self.shape[d] == 0 for d in dims)):
            raise RuntimeError(
                f"{op}(): cannot reduce over an empty dimension of a tensor of shape {self.shape}"
            )

    def argmax(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        """Index of the maximum (of the flattened tensor when ``dim`` is None)."""
        return self._arg_extremum(dim, keepdim, "argmax")

    def argmin(self, dim: int | None = None, keepdim: bool = False) -> Tensor:
        """Index of the minimum (of the flattened tensor when ``dim`` is None)."""
        return self._arg_extremum(dim, keepdim, "argmin")

    def _arg_extremum(self, dim: int | None, keepdim: bool, op: str) -> Tensor:
        self._check_nonempty(op, None if dim is None else normalize_dim(dim, self.ndim, op))
        xp = backend_of(self.data).xp
        axis = None if dim is None else normalize_dim(dim, self.ndim, op)
        out = getattr(xp, op)(self.data, axis=axis, keepdims=keepdim)
        return Tensor._from_op(xp.asarray(out).astype(np.int64), None)

    # ------------------------------------------------------------------ shape
    def reshape(self, *shape: Any) -> Tensor:
        """The same elements in a new shape (one dimension may be -1)."""
        shape = _shape_arg(shape)
        known = math.prod(n for n in shape if n != -1)
        if (
            shape.count(-1) > 1
            or any(n < -1 for n in shape)
            or (known != self.numel() if -1 not in shape else known == 0 or self.numel() % known)
        ):
            raise RuntimeError(
                f"reshape: shape '{list(shape)}' is invalid for input of size {self.numel()} "
                f"(shape {self.shape})"
            )
        return shape_ops.Reshape.apply(self, shape)

    view = reshape

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        """Merge dimensions ``start_dim..end_dim`` into one."""
        if self.ndim == 0:
            return self.reshape(1)
        start = normalize_dim(start_dim, self.ndim, "flatten")
        end = normalize_dim(end_dim, self.ndim, "flatten")
        if start > end:
            raise RuntimeError("flatten: start_dim cannot come after end_dim")
        s = self.shape
        return self.reshape(s[:start] + (math.prod(s[start : end + 1]),) + s[end + 1 :])

    def squeeze(self, dim: int | None = None) -> Tensor:
        """Drop size-1 dimensions (only ``dim``, if given and of size 1)."""
        if dim is None:
            new = tuple(n for n in self.shape if n != 1)
        else:
            d = normalize_dim(dim, self.ndim, "squeeze")
            squeezable = self.ndim and self.shape[d] == 1
            new = self.shape[:d] + self.shape[d + 1 :] if squeezable else self.shape
        return shape_ops.Reshape.apply(self, new)

    def unsqueeze(self, dim: int) -> Tensor:
        """Insert a size-1 dimension at ``dim``."""
        d = normalize_dim(dim, self.ndim + 1, "unsqueeze")
        return shape_ops.Reshape.apply(self, self.shape[:d] + (1,) + self.shape[d:])

    def permute(self, *dims: Any) -> Tensor:
        """Reorder the dimensions."""
        dims = _shape_arg(dims)
        axes = tuple(normalize_dim(d, self.ndim, "permute") for d in dims)
        if sorted(axes) != list(range(self.ndim)):
            raise RuntimeError(
                f"permute: dims {dims} are not a permutation of the {self.ndim} dimensions"
            )
        return shape_ops.Permute.apply(self, axes)

    def transpose(self, dim0: int, dim1: int) -> Tensor:
        """Swap two dimensions."""
        axes = list(range(self.ndim))
        d0 = normalize_dim(dim0, self.ndim, "transpose")
        d1 = normalize_dim(dim1, self.ndim, "transpose")
        if d0 != d1:  # (a 0-d tensor has no axes to swap)
            axes[d0], axes[d1] = axes[d1], axes[d0]
        return shape_ops.Permute.apply(self, tuple(axes))

    def t(self) -> Tensor:
        if self.ndim > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, got {self.ndim}")
        return self.T

    def expand(self, *sizes: Any) -> Tensor:
        """Broadcast size-1 dimensions to ``sizes`` without copying (-1 keeps a size)."""
        sizes = _shape_arg(sizes)
        if len(sizes) < self.ndim:
            raise RuntimeError(
                f"expand: the number of sizes ({len(sizes)}) must be at least the number of "
                f"dimensions ({self.ndim})"
            )
        lead = len(sizes) - self.ndim
        target = list(sizes)
        for i, n in enumerate(self.shape):
            want = sizes[lead + i]
            if want == -1:
                target[lead + i] = n
            elif n != 1 and n != want:
                raise RuntimeError(
                    f"expand: the expanded size of the tensor ({want}) must match the existing "
                    f"size ({n}) at non-singleton dimension {lead + i}; target sizes {sizes}, "
                    f"tensor shape {self.shape}"
                )
        return shape_ops.Expand.apply(self, tuple(target))

    def expand_as(self, other: Tensor) -> Tensor:
        return self.expand(other.shape)

    def view_as(self, other: Tensor) -> Tensor:
        return self.reshape(other.shape)

    def split(self, split_size_or_sections: int | Sequence[int], dim: int = 0) -> tuple:
        """Pieces of ``split_size`` along ``dim`` (the last may be smaller), or of given sizes."""
        d = normalize_dim(dim, self.ndim, "split")
        n = self.shape[d]
        if isinstance(split_size_or_sections, int | np.integer):
            size = int(split_size_or_sections)
            if size <= 0:
                raise ValueError(f"split: split_size must be positive, got {size}")
            sizes = [min(size, n - start) for start in range(0, n, size)] or [0]
        else:
            sizes = [int(s) for s in split_size_or_sections]
            if sum(sizes) != n or any(s < 0 for s in sizes):
                raise ValueError(
                    f"split: sizes {sizes} must be non-negative and sum to {n}, the size of "
                    f"dimension {d}"
                )
        pieces = []
        start = 0
        lead = (slice(None),) * d
        for size in sizes:
            pieces.append(shape_ops.Index.apply(self, lead + (slice(start, start + size),), False))
            start += size
        return tuple(pieces)

    def chunk(self, chunks: int, dim: int = 0) -> tuple:
        """Split into ``chunks`` pieces of ceil(n / chunks) elements (fewer if n is small)."""
        if chunks <= 0:
            raise ValueError(f"chunk: chunks must be positive, got {chunks}")
        n = self.shape[normalize_dim(dim, self.ndim, "chunk")]
        return self.split(max(math.ceil(n / chunks), 1), dim)

    def index_select(self, dim: int, index: Tensor) -> Tensor:
        """The entries at ``index`` (a 1-D integer tensor) along ``dim``."""
        d = normalize_dim(dim, self.ndim, "index_select")
        idx = self._index_array(index, "index_select")
        if idx.ndim != 1:
            raise IndexError(f"index_select: index must be 1-D, got shape {idx.shape}")
        _check_index_bounds(idx, self.shape[d], "index_select", d)
        return shape_ops.IndexSelect.apply(self, idx, d)

    def _index_array(self, index: Any, op: str) -> Any:
        """An integer or bool index as an array of this tensor's backend."""
        backend = backend_of(self.data)
        if isinstance(index, Tensor):
            data = index.data
            if type(data) is not type(self.data):
                if index.device != CPU:
                    check_same_device(op, (self, index))
                data = backend.from_host(data, self.device)  # a CPU index may index anything
        elif isinstance(index, backend.array_type):
            data = index
        else:
            host = np.asarray(index)
            if host.size == 0:
                host = host.astype(np.int64)  # x[[]] selects nothing, as in NumPy
            data = backend.from_host(host, self.device)
        if data.dtype.kind not in "biu":
            raise IndexError(
                f"{op}: tensors used as indices must be integer or bool, got {data.dtype}"
            )
        return data

    def _index_key(self, key: Any) -> tuple[Any, bool]:
        parts = key if isinstance(key, tuple) else (key,)
        backend = backend_of(self.data)
        out = []
        advanced = False
        for part in parts:
            if isinstance(part, Tensor | np.ndarray | list | backend.array_type):
                part = self._index_array(part, "index")
                advanced = True
            out.append(part)
        return tuple(out), advanced

    def __getitem__(self, key: Any) -> Tensor:
        key, advanced = self._index_key(key)
        try:
            return shape_ops.Index.apply(self, key, advanced)
        except IndexError as exc:
            raise IndexError(
                f"index {key} is out of bounds for a tensor of shape {self.shape}: {exc}"
            ) from None

    def __iter__(self) -> Iterator[Tensor]:
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self.shape[0]))


# ---------------------------------------------------------------------- helpers
def _promote(a: Tensor, b: Tensor) -> tuple[Tensor, Tensor]:
    """Cast two tensors to their PyTorch-promoted dtype (differentiably)."""
    target = promote_types(a.dtype, b.dtype)
    if (a.ndim == 0) != (b.ndim == 0):
        # PyTorch: a 0-d tensor never widens a dimensioned one of its category
        # (float32 (3,) + float64 () is float32); only a higher category wins (int + float).
        kept = (b if a.ndim == 0 else a).dtype
        if is_floating(kept) == is_floating(target) and (kept.kind == "b") == (target.kind == "b"):
            target = kept
    return (
        a if a.dtype == target else a._cast(target),
        b if b.dtype == target else b._cast(target),
    )


def check_same_device(op: str, values: Iterable[Any]) -> None:
    """Raise an error naming the devices when tensors of several devices meet in ``op``."""
    devices = list(dict.fromkeys(str(v.device) for v in values if isinstance(v, Tensor)))
    if len(devices) > 1:
        raise RuntimeError(
            f"{op}: expected all tensors to be on the same device, but found tensors on "
            f"{' and '.join(devices)}; move them with .to(device) first"
        )


def _check_index_bounds(index: Any, size: int, op: str, dim: int) -> None:
    if index.dtype.kind == "b" or index.size == 0:
        return
    low, high = int(index.min()), int(index.max())
    if low < -size or high >= size:
        bad = high if high >= size else low
        raise IndexError(f"{op}: index {bad} is out of bounds for dimension {dim} with size {size}")


def _draw_dtype(dtype: np.dtype) -> np.dtype:
    """Generators draw float32 or float64; float16 draws float32 and rounds."""
    return dtype if dtype.itemsize >= 4 else float32


def _np_assign(data: Any, value: Any) -> None:
    data[...] = value
