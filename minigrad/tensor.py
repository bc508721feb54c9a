"""The Tensor: one backend array plus what autograd needs to differentiate it."""

from __future__ import annotations

import builtins
import copy
import itertools
import math
import operator
import weakref
from collections import namedtuple
from collections.abc import Callable, Iterator, Sequence
from typing import Any, NoReturn

import numpy as np

from minigrad.amp.policy import autocast_call
from minigrad.amp.state import state as _amp
from minigrad.autograd import engine
from minigrad.autograd.engine import RetainGrad
from minigrad.autograd.grad_mode import is_grad_enabled
from minigrad.autograd.graph import (
    Node,
    Op,
    TensorHooks,
    bind_tensor_class,
    check_same_device,
    hook_handle,
    live_views,
    new_tensor,
    raise_if_not_broadcastable,
    view_of,
)
from minigrad.backend import CPU, Device, as_device, backend_of, get_backend
from minigrad.dtypes import (
    DIMENSIONED,
    ZERO_DIM,
    as_dtype,
    float32,
    float64,
    get_default_dtype,
    infer_dtype,
    is_floating,
    promote_operands,
    promote_with_number,
)
from minigrad.dtypes import _with_number as _WITH_NUMBER
from minigrad.ops import activation, elementwise, indexing, linalg, namespace, reduction
from minigrad.ops import shape as shape_ops
from minigrad.size import Size

__all__ = ["Tensor", "ValuesIndices", "SignLogAbsDet"]

ValuesIndices = namedtuple("ValuesIndices", ["values", "indices"])
ValuesIndices.__doc__ = "What ``max(dim)``/``min(dim)`` return: ``(values, indices)``."
MinMax = namedtuple("MinMax", ["min", "max"])
MinMax.__doc__ = "What ``aminmax`` returns: ``(min, max)``."
SignLogAbsDet = namedtuple("SignLogAbsDet", ["sign", "logabsdet"])
SignLogAbsDet.__doc__ = "What ``slogdet`` returns: ``(sign, logabsdet)`` of a determinant."

_new = object.__new__
_as_size = tuple.__new__  # a Size from an array's shape (ints already: no checks)
_PY_SCALARS = (int, float, bool)
_PY_SCALAR_TYPES = frozenset(_PY_SCALARS)
_NUMBERS = (int, float, bool, np.generic)
_NOT_MATMUL = (*_NUMBERS, list, tuple)  # operands `@` refuses (TypeError), as PyTorch


def normalize_dim(dim: int, ndim: int, op: str) -> int:
    """A dimension index in ``[-ndim, ndim)`` as a non-negative int, or a clear IndexError."""
    low, high = (-ndim, ndim - 1) if ndim else (-1, 0)
    if not isinstance(dim, int | np.integer) or not low <= dim <= high:
        if isinstance(dim, Tensor):  # a one-element integer tensor, as PyTorch
            return normalize_dim(_int_arg(dim, "dim", op), ndim, op)
        raise IndexError(
            f"{op}: dimension out of range (expected to be in range of [{low}, {high}], "
            f"but got {dim})"
        )
    return int(dim) % ndim if ndim else 0


def _int_arg(value: Any, name: str, op: str) -> Any:
    """A one-element integer tensor as a Python int, as PyTorch reads one where an int goes;
    anything else as it is (a tensor of another kind: a TypeError)."""
    if not isinstance(value, Tensor):
        return value
    if value.dtype.kind not in "iu" or value._array.size != 1:
        raise TypeError(
            f"{op}(): argument '{name}' must be int, not a {value.dtype} tensor of shape "
            f"{tuple(value.shape)}"
        )
    return int(value.item())


def _keepdim_arg(keepdim: Any, op: str) -> Any:
    """``keepdim``, which may not be a tensor (PyTorch: a TypeError)."""
    if isinstance(keepdim, Tensor):
        raise TypeError(f"{op}(): argument 'keepdim' must be bool, not Tensor")
    return keepdim


def _normalize_dims(dim: Any, ndim: int, op: str) -> int | tuple[int, ...] | None:
    if dim is None or (isinstance(dim, Sequence) and len(dim) == 0):
        return None  # PyTorch: dim=() reduces over every dimension
    if isinstance(dim, Sequence):
        dims = tuple(normalize_dim(d, ndim, op) for d in dim)
        if len(set(dims)) != len(dims):
            raise RuntimeError(f"{op}: dim {tuple(dim)} names a dimension twice")
        return dims if ndim else None
    d = normalize_dim(dim, ndim, op)
    return d if ndim else None  # a 0-d tensor: dim 0 (or -1) is the whole, axis-less tensor


def _shape_arg(shape: tuple[Any, ...], op: str = "size") -> tuple[int, ...]:
    """Accept ``f(2, 3)`` and ``f((2, 3))`` as PyTorch does; sizes must be integers."""
    if len(shape) == 1 and isinstance(shape[0], Sequence):
        shape = tuple(shape[0])
    for i, n in enumerate(shape):
        if (
            isinstance(n, bool)
            or not isinstance(n, int | np.integer | Tensor)
            or (isinstance(n, Tensor) and (n.numel() != 1 or n.dtype.kind not in "iu"))
        ):
            raise TypeError(
                f"{op}(): argument 'size' must be tuple of ints, but found element of type "
                f"{type(n).__name__} at pos {i}"
            )
    return tuple(int(n) for n in shape)


def _sizes_or_keyword(args: tuple[Any, ...], given: Any, name: str, op: str) -> tuple[Any, ...]:
    """Sizes as ``f(2, 3)``, ``f((2, 3))`` or ``f(<name>=(2, 3))`` (PyTorch's keyword form: a
    sequence only), in the positional form that :func:`_shape_arg` reads."""
    if args:
        raise TypeError(f"{op}() got multiple values for argument '{name}'")
    if not isinstance(given, Sequence):
        raise TypeError(
            f"{op}(): argument '{name}' must be tuple of ints, not {type(given).__name__}"
        )
    return (given,)


def _int64_overflow() -> ValueError:
    """PyTorch's error for a Python integer that int64, the widest integer dtype, cannot hold."""
    return ValueError(
        "Overflow when unpacking long long: an integer in the data is outside int64's range "
        "[-2**63, 2**63 - 1]"
    )


def _host_array(data: Any) -> np.ndarray:
    """Any data (nested lists of numbers or tensors, arrays of any backend) on the host."""
    if isinstance(data, Tensor):
        return backend_of(data._array).to_host(data._array)
    if isinstance(data, list | tuple) and any(isinstance(d, Tensor) for d in data):
        return np.stack([_host_array(d) for d in data])
    try:
        return backend_of(data).to_host(data)
    except TypeError:
        pass
    try:
        array = np.asarray(data)
    except OverflowError:
        raise _int64_overflow() from None
    except ValueError as exc:
        raise ValueError(
            f"tensor(): data must be a rectangular nested list of numbers: {exc}"
        ) from None
    if array.dtype.kind == "u" or (  # NumPy makes Python ints from 2**63 on uint64, or
        array.dtype.kind == "f"  # float64 among smaller ints; PyTorch refuses both
        and array.size
        and float(abs(array).max()) >= 2.0**63
        and _has_big_int(data)
        and not _has_float(data)
    ):
        raise _int64_overflow()
    if array.dtype == object:
        if _has_big_int(data):
            raise _int64_overflow()
        if _has_none(data):  # PyTorch's type for this one
            raise RuntimeError("tensor(): Could not infer dtype of NoneType (a None in the data)")
        raise TypeError(f"could not make a tensor of numbers from {type(data).__name__}")
    return array


def _has_none(data: Any) -> bool:
    return data is None or (isinstance(data, list | tuple) and any(_has_none(d) for d in data))


def _has_float(data: Any) -> bool:
    if isinstance(data, float | np.floating):
        return True
    return isinstance(data, list | tuple) and any(_has_float(d) for d in data)


def _has_big_int(data: Any) -> bool:
    if isinstance(data, int):
        return not -(2**63) <= data < 2**63
    return isinstance(data, list | tuple) and any(_has_big_int(d) for d in data)


def _device_of_data(data: Any, default: Device = CPU) -> Device:
    """The device data already lives on (a tensor's, a CuPy array's), else ``default``."""
    if isinstance(data, Tensor):
        return data.device
    if isinstance(data, np.ndarray | np.generic):
        return default
    try:
        return backend_of(data).device_of(data)
    except TypeError:
        return default


def _binary_method(op: type[Op], reflected: bool) -> Any:
    """An arithmetic dunder: two tensors of one dtype go straight to ``op``, the rest
    through :meth:`Tensor._binary` (scalars, arrays, type promotion)."""
    if reflected:

        def method(self: Tensor, other: Any) -> Tensor:
            return self._binary(op, other, True)

    else:

        def method(self: Tensor, other: Any) -> Tensor:
            # Shaped for speed: the common case costs one call less than _binary.
            if isinstance(other, Tensor) and other._array.dtype == self._array.dtype:
                return op.apply(self, other)
            return self._binary(op, other)

    return method


class Tensor:
    """A multi-dimensional array that can record the operations applied to it.

    The values live in one backend array (NumPy on ``cpu``, CuPy on ``cuda``).
    When ``requires_grad`` is True, operations on the tensor build a graph that
    :meth:`backward` walks to fill ``.grad`` of the leaves.

    ``Tensor(data)`` is PyTorch's legacy constructor: a list or array gives a
    copy in the default float dtype, sizes (``Tensor(2, 3)``) an uninitialised
    tensor of that shape, and a tensor a new leaf sharing its memory.
    """

    __slots__ = (
        "_array",  # the backend array holding the values
        "_grad",  # .grad
        "grad_fn",
        "requires_grad",
        "_counter",  # [version]: the in-place changes of the memory, shared with views
        "_view",  # (base, steps, without_grad) for a view of another tensor's memory, else None
        "_hooks",  # TensorHooks of a leaf, or None
        "__weakref__",
    )
    _array: Any
    _grad: Tensor | None
    grad_fn: Node | None
    requires_grad: builtins.bool
    _counter: list[builtins.int]
    _view: Any
    _hooks: TensorHooks | None
    __array_priority__ = 1000
    __array_ufunc__ = None  # ``ndarray * tensor`` defers to Tensor.__rmul__

    def __init__(self, *data: Any, requires_grad: builtins.bool = False) -> None:
        if len(data) == 1 and isinstance(data[0], Tensor):
            self._array, self._counter = data[0]._array, data[0]._counter
        else:
            from minigrad.creation import get_default_device

            if len(data) == 1 and not isinstance(data[0], int | np.integer | Size):
                if isinstance(data[0], float | bool | complex):
                    raise TypeError(
                        f"new(): data must be a sequence (got {type(data[0]).__name__})"
                    )
                host = np.asarray(_host_array(data[0]), dtype=get_default_dtype())
                device = _device_of_data(data[0], get_default_device())
            else:  # sizes; none at all is an empty 1-D tensor (a torch.cat accumulator)
                shape = _shape_arg(data) if data else (0,)
                host = np.zeros(shape, dtype=get_default_dtype())
                device = get_default_device()
            self._array, self._counter = get_backend(device).from_host(host, device), [0]
        self._grad = None
        self.grad_fn: Node | None = None
        self.requires_grad = False
        self._view = None
        self._hooks = None
        if requires_grad:
            self.requires_grad_()

    _from_op = staticmethod(new_tensor)

    # ------------------------------------------------------------------ attributes
    @property
    def shape(self) -> Size:
        """The sizes of the dimensions, a :class:`minigrad.Size` (a tuple of ints)."""
        return _as_size(Size, self._array.shape)

    @property
    def ndim(self) -> builtins.int:
        return self._array.ndim

    @property
    def dtype(self) -> np.dtype:
        return self._array.dtype

    @property
    def device(self) -> Device:
        return backend_of(self._array).device_of(self._array)

    @property
    def is_leaf(self) -> builtins.bool:
        return self.grad_fn is None

    @property
    def is_cuda(self) -> builtins.bool:
        return self.device.type == "cuda"

    @property
    def T(self) -> Tensor:
        """All dimensions reversed (the matrix transpose for 2-D tensors)."""
        return self.permute(*reversed(range(self.ndim)))

    def size(self, dim: builtins.int | None = None) -> Size | builtins.int:
        """The shape (a :class:`minigrad.Size`), or the length of dimension ``dim``."""
        if dim is None:
            return self.shape
        return self._array.shape[normalize_dim(dim, self.ndim, "size")]

    def dim(self) -> builtins.int:
        return self.ndim

    def data_ptr(self) -> builtins.int:
        """The address of the first element: equal for a tensor and the views that start there."""
        return backend_of(self._array).data_ptr(self._array)

    def nelement(self) -> builtins.int:
        """The number of elements (PyTorch's older name of :meth:`numel`)."""
        return self.numel()

    def ndimension(self) -> builtins.int:
        """The number of dimensions (PyTorch's older name of :meth:`dim`)."""
        return self.ndim

    def is_contiguous(self, memory_format: Any = None) -> builtins.bool:
        """Whether the elements lie in memory in row-major order without gaps."""
        return builtins.bool(self._array.flags.c_contiguous)

    def stride(self, dim: builtins.int | None = None) -> Any:
        """The step in elements between neighbours along each dimension (or ``dim``)."""
        steps = tuple(s // self._array.itemsize for s in self._array.strides)
        return steps if dim is None else steps[normalize_dim(dim, self.ndim, "stride")]

    def get_device(self) -> builtins.int:
        """-1 on the CPU, the GPU's index on ``cuda``."""
        return -1 if self.device.type == "cpu" else (self.device.index or 0)

    def numel(self) -> builtins.int:
        return int(self._array.size)

    def __len__(self) -> builtins.int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.shape[0]

    # ------------------------------------------------------------------ conversion
    def item(self) -> builtins.int | builtins.float | builtins.bool:
        """The value of a one-element tensor as a Python number."""
        if self._array.size != 1:
            raise RuntimeError(
                f"a Tensor with {self._array.size} elements cannot be converted to Scalar "
                f"(shape {self.shape})"
            )
        return self._array.item()

    def tolist(self) -> Any:
        return self._array.tolist()

    def numpy(self, *, force: builtins.bool = False) -> np.ndarray:
        """The data as a NumPy array, sharing memory (CPU tensors only); with ``force=True``
        a tensor that requires grad or lives on a GPU is detached and copied to the host
        first."""
        if force:
            return self.detach().cpu().numpy()
        if self.requires_grad:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() "
                "instead."
            )
        if backend_of(self._array).device_type != "cpu":
            raise TypeError(
                f"can't convert {self.device} device type tensor to numpy. Use Tensor.cpu() "
                "to copy the tensor to host memory first."
            )
        return self._array

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return self.detach().numpy() if dtype is None else self.detach().numpy().astype(dtype)

    def __float__(self) -> builtins.float:
        return float(self._only_element())

    def __int__(self) -> builtins.int:
        return int(self._only_element())

    def _only_element(self) -> builtins.int | builtins.float | builtins.bool:
        """The value for ``float()``/``int()``/``complex()``: PyTorch raises ValueError
        for a tensor of other than one element there (``item()`` raises RuntimeError)."""
        if self._array.size != 1:
            raise ValueError(
                "only one element tensors can be converted to Python scalars (this one has "
                f"{self._array.size} elements, shape {self.shape})"
            )
        return self._array.item()

    def __index__(self) -> builtins.int:
        if self.dtype.kind not in "iu" or self._array.size != 1:
            raise TypeError("only integer tensors of a single element can be used as an index")
        return int(self.item())

    def __bool__(self) -> builtins.bool:
        if self._array.size != 1:
            raise RuntimeError(
                f"Boolean value of Tensor with {self._array.size} elements is ambiguous"
            )
        return bool(self.item())

    # ------------------------------------------------------------ creation and conversion (more)
    def type(self, dtype: Any = None, non_blocking: builtins.bool = False) -> Any:
        """Without ``dtype``: PyTorch's type string, ``'minigrad.FloatTensor'`` (or
        ``'minigrad.cuda.FloatTensor'``). With a dtype, a type string (``'torch.``
        prefixes are accepted too) or a legacy class (``minigrad.FloatTensor``): this
        tensor cast to it (itself when it already is)."""
        from minigrad.dtypes import parse_type_name, type_name

        if dtype is None:
            return type_name(self.dtype, self.device.type)
        if isinstance(dtype, builtins.type):  # a legacy class: minigrad.FloatTensor
            dtype = getattr(dtype, "type_name", dtype)
        if isinstance(dtype, str):
            target, device_type = parse_type_name(dtype)
            out = self.to(target)
            return out if out.device.type == device_type else out.to(device_type)
        return self.to(as_dtype(dtype))

    def is_floating_point(self) -> builtins.bool:
        """Whether the dtype is a floating point one (float16, float32, float64)."""
        return is_floating(self.dtype)

    def is_complex(self) -> builtins.bool:
        """Whether the dtype is complex: always False (minigrad has no complex dtypes)."""
        return False

    def element_size(self) -> builtins.int:
        """Bytes per element (4 for float32)."""
        return int(self._array.itemsize)

    @property
    def itemsize(self) -> builtins.int:
        """Bytes per element, as :meth:`element_size`."""
        return int(self._array.itemsize)

    @property
    def nbytes(self) -> builtins.int:
        """Bytes of all elements: numel · itemsize."""
        return int(self._array.nbytes)

    def _new_args(self, dtype: Any, device: Any) -> dict[str, Any]:
        return {
            "dtype": self.dtype if dtype is None else dtype,
            "device": self.device if device is None else device,
        }

    def new_tensor(
        self, data: Any, dtype: Any = None, device: Any = None, requires_grad: builtins.bool = False
    ) -> Tensor:
        """A copy of ``data`` as a new leaf, with this tensor's dtype and device by default."""
        from minigrad.creation import tensor

        return tensor(data, requires_grad=requires_grad, **self._new_args(dtype, device))

    def new_zeros(
        self,
        *sizes: Any,
        size: Any = None,
        dtype: Any = None,
        device: Any = None,
        requires_grad: builtins.bool = False,
    ) -> Tensor:
        """Zeros of shape ``size``, with this tensor's dtype and device by default."""
        from minigrad.creation import zeros

        if size is not None:
            sizes = _sizes_or_keyword(sizes, size, "size", "new_zeros")
        return zeros(*sizes, requires_grad=requires_grad, **self._new_args(dtype, device))

    def new_ones(
        self,
        *sizes: Any,
        size: Any = None,
        dtype: Any = None,
        device: Any = None,
        requires_grad: builtins.bool = False,
    ) -> Tensor:
        """Ones of shape ``size``, with this tensor's dtype and device by default."""
        from minigrad.creation import ones

        if size is not None:
            sizes = _sizes_or_keyword(sizes, size, "size", "new_ones")
        return ones(*sizes, requires_grad=requires_grad, **self._new_args(dtype, device))

    def new_empty(
        self,
        *sizes: Any,
        size: Any = None,
        dtype: Any = None,
        device: Any = None,
        requires_grad: builtins.bool = False,
    ) -> Tensor:
        """An unspecified tensor of shape ``size``, with this tensor's dtype and device."""
        from minigrad.creation import empty

        if size is not None:
            sizes = _sizes_or_keyword(sizes, size, "size", "new_empty")
        return empty(*sizes, requires_grad=requires_grad, **self._new_args(dtype, device))

    def new_full(
        self,
        size: Sequence[builtins.int],
        fill_value: Any,
        dtype: Any = None,
        device: Any = None,
        requires_grad: builtins.bool = False,
    ) -> Tensor:
        """``fill_value`` in shape ``size``, with this tensor's dtype and device by default."""
        from minigrad.creation import full

        return full(size, fill_value, requires_grad=requires_grad, **self._new_args(dtype, device))

    def _fill_random_(self, op: str, sample: Callable[[Any], Any], generator: Any) -> Tensor:
        """Overwrite in place with ``sample(draws)`` drawn on this device (floats drawn in
        float32 or float64, then cast to this dtype)."""
        from minigrad import random

        draws = random.draws_from(generator, self.device, op)
        return self.copy_(new_tensor(sample(draws)))

    def _check_floating_fill(self, op: str) -> None:
        if not is_floating(self.dtype):
            raise NotImplementedError(
                f"{op}(): not implemented for dtype {self.dtype}; it fills floating point "
                "tensors only"
            )

    def uniform_(
        self, a: builtins.float = 0.0, b: builtins.float = 1.0, *, generator: Any = None
    ) -> Tensor:
        """Fill with samples of U(a, b): a + (b - a)·u, u ~ U[0, 1)."""
        self._check_floating_fill("uniform_")
        if a > b:
            raise RuntimeError(
                f"uniform_ expects to return a [from, to) range, but found from={a} > to={b}"
            )
        dt = _draw_dtype(self.dtype)
        return self._fill_random_(
            "uniform_", lambda g: g.random(self.shape, dtype=dt) * (b - a) + a, generator
        )

    def normal_(
        self, mean: builtins.float = 0.0, std: builtins.float = 1.0, *, generator: Any = None
    ) -> Tensor:
        """Fill with samples of N(mean, std²): mean + std·ε, ε ~ N(0, 1)."""
        self._check_floating_fill("normal_")
        if std < 0:
            raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
        dt = _draw_dtype(self.dtype)
        return self._fill_random_(
            "normal_", lambda g: g.standard_normal(self.shape, dtype=dt) * std + mean, generator
        )

    def bernoulli_(self, p: Any = 0.5, *, generator: Any = None) -> Tensor:
        """Fill with 1 with probability ``p`` (a number, or a tensor broadcast to this
        shape), else 0."""
        from minigrad.creation import _check_probabilities

        if isinstance(p, Tensor):
            p = p.detach().to(self.device)
        _check_probabilities(p, "bernoulli_")
        return self._fill_random_(
            "bernoulli_", lambda g: g.random(self.shape, dtype=np.float64) < _value_of(p), generator
        )

    def exponential_(self, lambd: builtins.float = 1.0, *, generator: Any = None) -> Tensor:
        """Fill with samples of Exp(lambd) (density λe^(-λx)): -log(1 - u)/λ, u ~ U[0, 1)."""
        if not lambd > 0:
            raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={lambd}")
        if not is_floating(self.dtype):
            raise RuntimeError(f"exponential_ needs a floating point tensor, got {self.dtype}")
        return self._fill_random_(
            "exponential_",
            lambda g: (
                -get_backend(self.device).xp.log1p(-g.random(self.shape, dtype=np.float64)) / lambd
            ),
            generator,
        )

    def random_(
        self, *bounds: builtins.int, generator: Any = None, **names: builtins.int
    ) -> Tensor:
        """Fill with integers uniform in [from, to - 1]: ``random_(from, to)``,
        ``random_(to)`` (from 0) or ``random_()`` (from 0 to 2^mantissa inclusive for floats,
        every integer exactly representable, or the dtype's maximum for integers)."""
        unknown = set(names) - {"from", "to"}
        if unknown or len(bounds) > 2:
            raise TypeError(
                "random_() takes random_(), random_(to) or random_(from, to), got "
                f"{len(bounds)} positional arguments and {sorted(names)}"
            )
        if len(bounds) == 1 and "to" not in names:
            bounds = (0, *bounds)
        given = dict(zip(("from", "to"), bounds, strict=False)) | names
        low, high = given.get("from", 0), given.get("to")
        if high is None:
            high = _random_top(self.dtype)
        if low >= high:
            raise RuntimeError(
                f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}"
            )
        return self._fill_random_(
            "random_", lambda g: g.integers(low, high, size=self.shape, dtype=np.int64), generator
        )

    # ------------------------------------------------------------------ storage and graph
    @property
    def data(self) -> Tensor:
        """The same memory as a tensor cut from the graph (``requires_grad=False``).

        As in PyTorch, changes made through ``.data`` are hidden from autograd: it
        has a version counter of its own, so a backward that saved this tensor will
        not notice them (:meth:`detach` shares the counter and does). Assigning
        ``t.data = other`` makes ``t`` use ``other``'s memory.
        """
        return new_tensor(self._array)

    @data.setter
    def data(self, value: Tensor) -> None:
        if not isinstance(value, Tensor):
            raise TypeError(f"data must be a Tensor, got {type(value).__name__}")
        self._array = value._array  # shape, dtype and device may change, as in PyTorch

    @property
    def grad(self) -> Tensor | None:
        """The gradient accumulated by ``backward()`` (None until one arrives). It may be
        assigned a tensor of this tensor's shape, dtype and device, or None."""
        return self._grad

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        if value is not None and not (
            isinstance(value, Tensor)
            and type(value._array) is type(self._array)
            and value._array.shape == self._array.shape
            and value._array.dtype == self._array.dtype
        ):
            self._refuse_grad(value)
        self._grad = value

    def _refuse_grad(self, value: Any) -> NoReturn:
        """PyTorch's error for a ``.grad`` that is no tensor of this shape, dtype and device."""
        if not isinstance(value, Tensor):
            raise TypeError(
                "assigned grad expected to be a Tensor or None but got grad of type "
                f"{type(value).__name__}"
            )
        if value.shape != self.shape:
            raise RuntimeError(
                f"attempting to assign a gradient of size '{list(value.shape)}' to a tensor "
                f"of size '{list(self.shape)}'. Please ensure that the gradient and the "
                "tensor are the same size"
            )
        if value.dtype != self.dtype:
            raise RuntimeError(
                f"attempting to assign a gradient with dtype '{value.dtype}' to a tensor "
                f"with dtype '{self.dtype}': the gradient must match the tensor's dtype"
            )
        raise RuntimeError(
            f"attempting to assign a gradient on {value.device} to a tensor on "
            f"{self.device}: assigned grad has data located on a different device"
        )

    @property
    def _version(self) -> builtins.int:
        """How many in-place changes this tensor's memory has seen (shared with its views)."""
        return self._counter[0]

    @property
    def _base(self) -> Tensor | None:
        """The tensor whose memory this view shares, or None for a tensor that is no view."""
        return None if self._view is None else self._view[0]

    def _is_view(self) -> builtins.bool:
        return self._view is not None

    def detach(self) -> Tensor:
        """The same memory and version counter, cut from the graph (``requires_grad=False``)."""
        return new_tensor(self._array, None, self._counter)

    def detach_(self) -> Tensor:
        """Cut this tensor from the graph in place: it becomes a leaf that needs no grad."""
        self.grad_fn = None
        self.requires_grad = False
        return self

    def requires_grad_(self, requires_grad: builtins.bool = True) -> Tensor:
        """Set ``requires_grad`` in place (floating-point tensors only)."""
        if requires_grad and not is_floating(self.dtype):
            raise RuntimeError(
                f"only Tensors of floating point dtype can require gradients, got {self.dtype}"
            )
        if not requires_grad and self.grad_fn is not None:
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use "
                "a computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach()."
            )
        self.requires_grad = bool(requires_grad)
        return self

    def retain_grad(self) -> None:
        """Keep ``.grad`` of this non-leaf tensor after backward (leaves always keep it)."""
        if not self.requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is not None and not self.retains_grad:
            self.grad_fn.register_prehook(RetainGrad(weakref.ref(self)))

    @property
    def retains_grad(self) -> builtins.bool:
        """Whether :meth:`retain_grad` was called on this non-leaf tensor."""
        hooks = self.grad_fn.hooks if self.grad_fn is not None else None
        return hooks is not None and any(
            isinstance(h, RetainGrad) and h.ref() is self for h in hooks.values()
        )

    def register_hook(self, hook: Callable[[Tensor], Tensor | None]) -> Any:
        """Call ``hook(grad)`` whenever the gradient of this tensor is computed.

        The hook may return a tensor to use in place of the gradient. Returns a
        handle whose ``remove()`` unregisters the hook.
        """
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            return self.grad_fn.register_prehook(hook)
        if self._hooks is None:
            self._hooks = TensorHooks()
        return hook_handle(self._hooks.grad, hook)

    def register_post_accumulate_grad_hook(self, hook: Callable[[Tensor], None]) -> Any:
        """Call ``hook(tensor)`` after a backward pass added into this leaf's ``.grad``."""
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            raise RuntimeError(
                "post accumulate grad hooks cannot be registered on non-leaf tensors"
            )
        if self._hooks is None:
            self._hooks = TensorHooks()
        return hook_handle(self._hooks.post_accumulate, hook)

    def backward(
        self,
        gradient: Tensor | None = None,
        retain_graph: builtins.bool | None = None,
        create_graph: builtins.bool = False,
        inputs: Any = None,
    ) -> None:
        """Accumulate d(self)/d(leaf) into ``.grad`` of every leaf that requires grad.

        ``gradient`` is d(loss)/d(self); it may be left out only for one-element
        tensors. ``create_graph=True`` makes the gradients differentiable (for
        higher-order derivatives); the graph is then kept unless ``retain_graph``
        says otherwise. With ``inputs``, only those tensors get ``.grad``.
        """
        engine.backward(self, gradient, retain_graph, create_graph, inputs)

    def __deepcopy__(self, memo: dict[builtins.int, Any]) -> Tensor:
        if self.grad_fn is not None:
            raise RuntimeError(
                "Only Tensors created explicitly by the user (graph leaves) support the "
                "deepcopy protocol at the moment. If you were attempting to deepcopy a module, "
                "this may be because of a torch.nn.utils.weight_norm usage."
            )
        out = type(self).__new__(type(self))
        Tensor.__init__(out, new_tensor(self._array.copy()))
        out.requires_grad = self.requires_grad
        memo[id(self)] = out
        if self.grad is not None:
            out.grad = copy.deepcopy(self.grad, memo)
        return out

    def to(self, *args: Any, dtype: Any = None, device: Any = None, **kwargs: Any) -> Tensor:
        """``to(device)``, ``to(dtype)``, ``to(device, dtype)`` or ``to(other)`` (other's
        device and dtype); differentiable. ``non_blocking`` and ``copy`` are accepted."""
        for arg in args:
            if isinstance(arg, Tensor):
                device, dtype = arg.device, arg.dtype
            elif isinstance(arg, Device) or (
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

    def cpu(self, memory_format: Any = None) -> Tensor:
        """This tensor on the CPU (itself when already there; ``memory_format`` accepted)."""
        return self.to("cpu")

    def cuda(
        self,
        device: builtins.int | str | None = None,
        non_blocking: builtins.bool = False,
        memory_format: Any = None,
    ) -> Tensor:
        """This tensor on the GPU ``device`` (default ``cuda:0``), itself when already there."""
        if isinstance(device, int):
            device = f"cuda:{device}"
        return self.to(device or "cuda")

    def _cast(self, dtype: np.dtype) -> Tensor:
        if self.requires_grad and not is_floating(dtype):
            return new_tensor(self._array.astype(dtype))
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

    def clone(self, *, memory_format: Any = None) -> Tensor:
        """A copy of the data that stays in the graph (``memory_format`` is accepted)."""
        return elementwise.Cast.apply(self, self.dtype)

    def contiguous(self, memory_format: Any = None) -> Tensor:
        """``self`` if its elements lie in row-major order, else a row-major copy (in the
        graph)."""
        if self._array.flags.c_contiguous:
            return self
        return shape_ops.Contiguous.apply(self)

    # ------------------------------------------------------------------ repr
    def __repr__(self) -> str:
        """PyTorch's printed form: ``tensor([1., 2.], requires_grad=True)`` (see
        :func:`minigrad.set_printoptions`)."""
        from minigrad import _printing

        return _printing.tensor_repr(self)

    def __format__(self, format_spec: str) -> str:
        """A 0-d tensor formats as its value (``f"{loss:.4f}"``); others as ``str``."""
        if self.ndim == 0:
            return self.item().__format__(format_spec)
        return object.__format__(self, format_spec)

    __hash__ = object.__hash__

    # ------------------------------------------------------------------ arithmetic
    def _operand(self, other: Any) -> Any:
        """Bring the other operand of a binary op into a form the op accepts."""
        if isinstance(other, np.generic):
            return other.item()
        if isinstance(other, _PY_SCALARS):
            return other
        backend = backend_of(self._array)
        if isinstance(other, backend.array_type):  # an array of this device: a constant
            return new_tensor(other)
        if isinstance(other, np.ndarray | list | tuple):
            data = np.asarray(other)
            if isinstance(other, list | tuple):
                data = data.astype(infer_dtype(other))
            return new_tensor(backend.from_host(data, self.device))
        raise TypeError(f"unsupported operand type for a Tensor op: {type(other).__name__}")

    def _binary(
        self, op: builtins.type[Op], other: Any, reflected: builtins.bool = False
    ) -> Tensor:
        """``op(self, other)`` (or ``op(other, self)``) after PyTorch's type promotion.
        A list or tuple is refused, as PyTorch does (make it a tensor first)."""
        if isinstance(other, list | tuple):
            raise TypeError(
                f"unsupported operand type(s) for {op.__name__.lower()}: 'Tensor' and "
                f"'{type(other).__name__}'; make it a tensor first (minigrad.tensor(...))"
            )
        if op is elementwise.Sub:
            _refuse_bool_subtraction(self, other)
        a, other = self._with_operand(other, wrap=True)
        return op.apply(other, a) if reflected else op.apply(a, other)

    __add__ = _binary_method(elementwise.Add, reflected=False)

    __radd__ = _binary_method(elementwise.Add, reflected=True)

    __sub__ = _binary_method(elementwise.Sub, reflected=False)

    __rsub__ = _binary_method(elementwise.Sub, reflected=True)

    __mul__ = _binary_method(elementwise.Mul, reflected=False)

    __rmul__ = _binary_method(elementwise.Mul, reflected=True)

    def __truediv__(self, other: Any) -> Tensor:
        if (
            isinstance(other, Tensor)
            and other._array.dtype == self._array.dtype
            and self._array.dtype.kind == "f"
        ):
            return elementwise.Div.apply(self, other)
        return self._true_divide(other, reflected=False)

    def __rtruediv__(self, other: Any) -> Tensor:
        return self._true_divide(other, reflected=True)

    def _true_divide(self, other: Any, reflected: builtins.bool) -> Tensor:
        """``self / other`` (or ``other / self``) in PyTorch's promoted dtype, the default
        float dtype where that is not floating: ``int / float64 0-d`` is float64,
        ``int / int`` float32. A list is refused (make it a tensor first), as PyTorch."""
        if isinstance(other, list | tuple):
            return self._binary(elementwise.Div, other, reflected)  # (raises TypeError)
        x, y = self._with_operand(other, floating=True)
        return elementwise.Div.apply(y, x) if reflected else elementwise.Div.apply(x, y)

    def __pow__(self, other: Any) -> Tensor:
        if _amp.active:
            return autocast_call("pow", Tensor.__pow__, self, other)
        if (
            isinstance(other, Tensor)
            and other._array.dtype == self._array.dtype
            and self._array.dtype.kind != "b"
        ):
            return elementwise.Pow.apply(self, other)
        return self._power(other, reflected=False)

    def __rpow__(self, other: Any) -> Tensor:
        if _amp.active:
            return autocast_call("pow", Tensor.__rpow__, self, other)
        return self._power(other, reflected=True)

    def _power(self, other: Any, reflected: builtins.bool) -> Tensor:
        """``self ** other`` (or ``other ** self``) in PyTorch's promoted dtype: a bool
        tensor to an int power is int64, to a bool power bool (``x ** True`` is x); bool
        to a bool tensor power is not implemented, as in PyTorch. An integer exponent out
        of an integer dtype's range raises RuntimeError, as PyTorch."""
        if isinstance(other, list | tuple):
            return self._binary(elementwise.Pow, other, reflected)
        x, y = self._with_operand(other)
        if x.dtype.kind == "b":
            if isinstance(y, Tensor) or reflected:
                raise NotImplementedError(
                    "\"pow\" not implemented for 'Bool' (a bool tensor as the exponent of a bool)"
                )
            xp = backend_of(x._array).xp
            return new_tensor(xp.asarray(x._array.astype(np.uint8) ** np.uint8(y)).astype(bool))
        return elementwise.Pow.apply(y, x) if reflected else elementwise.Pow.apply(x, y)

    def __neg__(self) -> Tensor:
        return elementwise.Neg.apply(self)

    def __pos__(self) -> Tensor:
        return self

    def __abs__(self) -> Tensor:
        return self.abs()

    def __matmul__(self, other: Any) -> Tensor:
        if isinstance(other, _NOT_MATMUL):
            return NotImplemented  # Python's TypeError, as PyTorch: `@` takes no numbers, lists
        return self.matmul(other)

    def __rmatmul__(self, other: Any) -> Tensor:
        if isinstance(other, _NOT_MATMUL):
            return NotImplemented
        return self._operand(other).matmul(self)

    def add(self, other: Any, *, alpha: builtins.float = 1) -> Tensor:
        """self + alpha · other (``other`` broadcasts)."""
        return self + _scaled(other, alpha)

    def sub(self, other: Any, *, alpha: builtins.float = 1) -> Tensor:
        """self - alpha · other (``other`` broadcasts)."""
        return self - _scaled(other, alpha)

    def mul(self, other: Any) -> Tensor:
        return self * other

    def div(self, other: Any, *, rounding_mode: str | None = None) -> Tensor:
        """self / other (true division: integers give the default float dtype). With
        ``rounding_mode='trunc'`` the quotient rounded toward 0, with ``'floor'`` rounded
        down (Python's ``//``); these keep the promoted dtype (integers stay integers) and
        have gradient 0, as PyTorch's."""
        if rounding_mode is None:
            return self / other
        return self._divide_rounded(other, rounding_mode)

    def pow(self, exponent: Any) -> Tensor:
        return self**exponent

    def neg(self) -> Tensor:
        return -self

    def matmul(self, other: Tensor) -> Tensor:
        """Matrix product with NumPy's rules for 1-D, 2-D and batched operands.

        Both operands must have one dtype (RuntimeError otherwise, as PyTorch), except
        inside :class:`minigrad.autocast`, which casts them first."""
        if _amp.active:
            return autocast_call("matmul", Tensor.matmul, self, other)
        if not isinstance(other, Tensor):
            if isinstance(other, _NOT_MATMUL):
                raise TypeError(
                    f"matmul(): argument 'other' must be Tensor, not {type(other).__name__}"
                )
            other = self._operand(other)
            if other.dtype != self.dtype:  # a list or an array: PyTorch's type promotion
                self, other = _promote(self, other)
        elif other._array.dtype is not self._array.dtype and other.dtype != self.dtype:
            _mismatched_dtypes("matmul", self, other)
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

    # ------------------------------------------------------------------ linear algebra
    def _check_matrix_args(
        self,
        op: str,
        others: Sequence[Any],
        ndims: Sequence[builtins.int],
        same_dtype: builtins.bool = False,
    ) -> list[Tensor]:
        """The operands as tensors of this device and one dtype, with the given numbers of
        dimensions (a clear error naming their shapes otherwise). With ``same_dtype``,
        tensors of different dtypes raise RuntimeError (PyTorch's matrix products)."""
        if same_dtype:
            for o in others:
                if isinstance(o, Tensor) and o.dtype != self.dtype:
                    _mismatched_dtypes(op, self, o)
        tensors = [self, *(o if isinstance(o, Tensor) else self._operand(o) for o in others)]
        for i, (t, n) in enumerate(zip(tensors, ndims, strict=True)):
            if t.ndim != n:
                shapes = " and ".join(str(tuple(u.shape)) for u in tensors)
                raise RuntimeError(
                    f"{op}: argument {i} must be {n}-D, got {t.ndim}-D (shapes {shapes})"
                )
        check_same_device(op, tensors)
        target = tensors[0]
        for t in tensors[1:]:
            if t.dtype != target.dtype:
                target, _ = _promote(target, t)
        return [t if t.dtype == target.dtype else t.to(target.dtype) for t in tensors]

    def mm(self, mat2: Tensor) -> Tensor:
        """The matrix product of an (n, m) and an (m, p) matrix."""
        if _amp.active:
            return autocast_call("mm", Tensor.mm, self, mat2)
        a, b = self._check_matrix_args("mm", (mat2,), (2, 2), same_dtype=True)
        return a.matmul(b)

    def bmm(self, mat2: Tensor) -> Tensor:
        """Batched matrix products: (b, n, m) @ (b, m, p) → (b, n, p), no broadcasting."""
        if _amp.active:
            return autocast_call("bmm", Tensor.bmm, self, mat2)
        a, b = self._check_matrix_args("bmm", (mat2,), (3, 3), same_dtype=True)
        if a.shape[0] != b.shape[0]:
            raise RuntimeError(f"bmm: batch sizes differ: shapes {a.shape} and {b.shape}")
        return a.matmul(b)

    def mv(self, vec: Tensor) -> Tensor:
        """The product of an (n, m) matrix and an m-vector."""
        if _amp.active:
            return autocast_call("mv", Tensor.mv, self, vec)
        a, v = self._check_matrix_args("mv", (vec,), (2, 1), same_dtype=True)
        return a.matmul(v)

    def dot(self, other: Tensor) -> Tensor:
        """Σᵢ aᵢ bᵢ of two 1-D tensors of the same length."""
        if _amp.active:
            return autocast_call("dot", Tensor.dot, self, other)
        a, b = self._check_matrix_args("dot", (other,), (1, 1), same_dtype=True)
        if a.shape != b.shape:
            raise RuntimeError(
                f"inconsistent tensor size, expected tensor [{a.shape[0]}] and src "
                f"[{b.shape[0]}] to have the same number of elements, but got {a.shape[0]} "
                f"and {b.shape[0]} elements respectively"
            )
        return a.matmul(b)

    vdot = dot  # real tensors: no conjugate

    def outer(self, vec2: Tensor) -> Tensor:
        """aᵢ bⱼ for two 1-D tensors: an (n, m) matrix."""
        a, b = self._check_matrix_args("outer", (vec2,), (1, 1))
        return a.reshape(-1, 1) * b.reshape(1, -1)

    ger = outer

    def _scaled_sum(
        self, product: Tensor, beta: builtins.float, alpha: builtins.float, op: str
    ) -> Tensor:
        """beta · self + alpha · product; ``self`` is ignored when beta is 0 (its NaN and inf
        do not propagate), as PyTorch."""
        if _broadcast_shape(op, self.shape, product.shape) != product.shape:
            raise RuntimeError(
                f"{op}: input of shape {self.shape} does not broadcast to the product's shape "
                f"{product.shape}"
            )
        scaled = _scaled(product, alpha)
        return scaled if beta == 0 else _scaled(self, beta) + scaled

    def addmm(
        self, mat1: Tensor, mat2: Tensor, *, beta: builtins.float = 1, alpha: builtins.float = 1
    ) -> Tensor:
        """beta · self + alpha · (mat1 @ mat2)."""
        if _amp.active:
            return autocast_call("addmm", Tensor.addmm, self, mat1, mat2, beta=beta, alpha=alpha)
        return self._scaled_sum(mat1.mm(mat2), beta, alpha, "addmm")

    def addmv(
        self, mat: Tensor, vec: Tensor, *, beta: builtins.float = 1, alpha: builtins.float = 1
    ) -> Tensor:
        """beta · self + alpha · (mat @ vec)."""
        if _amp.active:
            return autocast_call("addmv", Tensor.addmv, self, mat, vec, beta=beta, alpha=alpha)
        return self._scaled_sum(mat.mv(vec), beta, alpha, "addmv")

    def baddbmm(
        self, batch1: Tensor, batch2: Tensor, *, beta: builtins.float = 1, alpha: builtins.float = 1
    ) -> Tensor:
        """beta · self + alpha · (batch1 @ batch2), batched."""
        if _amp.active:
            return autocast_call(
                "baddbmm", Tensor.baddbmm, self, batch1, batch2, beta=beta, alpha=alpha
            )
        return self._scaled_sum(batch1.bmm(batch2), beta, alpha, "baddbmm")

    def addr(
        self, vec1: Tensor, vec2: Tensor, *, beta: builtins.float = 1, alpha: builtins.float = 1
    ) -> Tensor:
        """beta · self + alpha · outer(vec1, vec2)."""
        if _amp.active:
            return autocast_call("addr", Tensor.addr, self, vec1, vec2, beta=beta, alpha=alpha)
        return self._scaled_sum(vec1.outer(vec2), beta, alpha, "addr")

    def kron(self, other: Tensor) -> Tensor:
        """The Kronecker product: blocks aᵢⱼ·B (any number of dimensions)."""
        a, b = self._check_matrix_args("kron", (other,), (self.ndim, other.ndim))
        ndim = max(a.ndim, b.ndim)
        sa = (1,) * (ndim - a.ndim) + a.shape
        sb = (1,) * (ndim - b.ndim) + b.shape
        pa = a.reshape(tuple(x for n in sa for x in (n, 1)))
        pb = b.reshape(tuple(x for n in sb for x in (1, n)))
        return (pa * pb).reshape(tuple(m * n for m, n in zip(sa, sb, strict=True)))

    def cross(self, other: Tensor, dim: builtins.int | None = None) -> Tensor:
        """The cross product a × b of 3-vectors along ``dim`` (the first of size 3 when None)."""
        a, b = self._check_matrix_args("cross", (other,), (self.ndim, other.ndim))
        shape = _broadcast_shape("cross", a.shape, b.shape)
        if dim is None:
            sizes = [i for i, n in enumerate(shape) if n == 3]
            if not sizes:
                raise RuntimeError(f"cross: no dimension of size 3 in shape {shape}")
            dim = sizes[0]
        d = normalize_dim(dim, len(shape), "cross")
        if shape[d] != 3:
            raise RuntimeError(f"cross: dimension {dim} does not have size 3 (shape {shape})")
        a, b = a.expand(shape), b.expand(shape)
        x, y = a.unbind(d), b.unbind(d)
        parts = [
            x[(i + 1) % 3] * y[(i + 2) % 3] - x[(i + 2) % 3] * y[(i + 1) % 3] for i in range(3)
        ]
        return shape_ops.Stack.apply(d, *parts)

    def _square_matrices(self, op: str) -> Tensor:
        if self.ndim < 2 or self.shape[-1] != self.shape[-2]:
            raise RuntimeError(
                f"linalg.{op}: A must be batches of square matrices, but they are "
                f"{' by '.join(map(str, self.shape[-2:]))} matrices (shape {self.shape})"
            )
        if not is_floating(self.dtype):
            raise RuntimeError(f"linalg.{op}: Expected a floating point tensor, got {self.dtype}")
        return self

    def inverse(self) -> Tensor:
        """A⁻¹ of a square matrix (or a batch); d A = -A⁻ᵀ dY A⁻ᵀ."""
        if _amp.active:
            return autocast_call("inverse", Tensor.inverse, self)
        a = self._square_matrices("inv")
        try:
            return linalg.Inv.apply(a)
        except np.linalg.LinAlgError:
            raise RuntimeError(
                "linalg.inv: The diagonal element of the factorisation is zero: the input "
                "matrix is singular and has no inverse"
            ) from None

    def det(self) -> Tensor:
        """det A of a square matrix (or a batch); d A = dy · det A · A⁻ᵀ."""
        return linalg.Det.apply(self._square_matrices("det"))

    def slogdet(self) -> Any:
        """``(sign, logabsdet)`` of det A; d A = d logabsdet · A⁻ᵀ."""
        a = self._square_matrices("slogdet")
        sign = linalg.slogdet(a._array)[0]
        return SignLogAbsDet(new_tensor(a._array.dtype.type(1) * sign), linalg.LogAbsDet.apply(a))

    def logdet(self) -> Tensor:
        """log det A (NaN where det A < 0)."""
        sign, logabsdet = self.slogdet()
        return logabsdet.masked_fill(sign < 0, math.nan)

    # ------------------------------------------------------------------ in place
    def _update(
        self,
        op: str,
        write: Callable[[Any, Any], Any],
        compute: Callable[[Tensor, Any], Tensor],
        value: Any = None,
    ) -> Tensor:
        """Change this tensor's memory in place, with PyTorch's autograd semantics.

        Outside a graph (grad mode off, or nothing involved requires grad)
        ``write(array, value)`` changes the memory directly. Inside one, the
        operation is recorded out of place on a copy of the old values,
        ``compute(old, value)``, its result is written into this memory, and this
        tensor takes the result's place in the graph; for a view, its base does
        (PyTorch's CopySlices), so gradients flow through both. Either way the
        version counter, shared with every view of the memory, goes up by one.
        """
        base = None if self._view is None else self._view[0]
        if isinstance(value, Tensor):
            if type(value._array) is not type(self._array):
                check_same_device(op, (self, value))
        elif value is not None and not isinstance(value, _PY_SCALARS):
            value = self._operand(value)
        recording = is_grad_enabled() and (
            self.requires_grad
            or (isinstance(value, Tensor) and value.requires_grad)
            or (base is not None and base.requires_grad)
        )
        if recording:
            self._check_leaf(op, base)
            self._record_update(op, compute, value, base)
        else:
            try:
                write(self._array, value._array if isinstance(value, Tensor) else value)
            except (TypeError, ValueError) as exc:
                raise self._update_error(op, value, exc) from None
        self._counter[0] += 1
        return self

    def _check_leaf(self, op: str, base: Tensor | None) -> None:
        if self.requires_grad and self.grad_fn is None:
            raise RuntimeError(
                f"{op}: a leaf Variable that requires grad is being used in an in-place "
                "operation; wrap the update in `with minigrad.no_grad():` or use the "
                "out-of-place form"
            )
        if base is not None and base.requires_grad and base.grad_fn is None:
            raise RuntimeError(
                f"{op}: a view of a leaf Variable that requires grad is being used in an "
                "in-place operation"
            )

    def _record_update(
        self, op: str, compute: Callable[[Tensor, Any], Tensor], value: Any, base: Any
    ) -> None:
        if base is not None and self._view[2]:
            raise RuntimeError(
                f"{op}: a view was created in no_grad mode and is being modified inplace with "
                "grad mode enabled. Given that this use case is ambiguous and error-prone, it "
                "is forbidden. You can clarify your code by moving both the view and the "
                "inplace either both inside the no_grad block (if you don't want the inplace to "
                "be tracked) or both outside (if you want the inplace to be tracked)."
            )
        old = new_tensor(self._array.copy(), self.grad_fn)
        old.requires_grad = self.requires_grad
        try:
            result = compute(old, old if value is self else value)  # x.mul_(x) reads the old x
        except ValueError as exc:  # (a value that does not fit: RuntimeError, as unrecorded)
            raise self._update_error(op, value, exc) from None
        if result.shape != self.shape:
            raise RuntimeError(
                f"{op}: output with shape {self.shape} doesn't match the broadcast shape "
                f"{result.shape}"
            )
        if result.dtype != self.dtype:
            _check_result_type(op, result.dtype, self.dtype)
            result = result.to(self.dtype)
        if base is None:
            self._array[...] = result._array
            self._take_history(result.grad_fn)
            _rebase_views(self)
            return
        try:
            rebased = shape_ops.CopySlices.apply(base, result, self._view[1])
        except ValueError as exc:
            raise self._update_error(op, value, exc) from None
        base._take_history(rebased.grad_fn)
        _rebase_views(base)

    def _take_history(self, grad_fn: Node | None) -> None:
        """Make ``grad_fn`` this tensor's node after an in-place change (a tensor that kept
        its gradient with ``retain_grad()`` keeps that of the new value, as PyTorch)."""
        old = self.grad_fn
        self.grad_fn, self.requires_grad = grad_fn, grad_fn is not None or self.requires_grad
        if old is not None and old.hooks and grad_fn is not None:
            for key, hook in list(old.hooks.items()):
                if isinstance(hook, RetainGrad) and hook.ref() is self:
                    del old.hooks[key]
                    grad_fn.register_prehook(hook)

    def _update_error(self, op: str, value: Any, exc: Exception) -> RuntimeError:
        if "read-only" in str(exc):
            return RuntimeError(
                f"{op}: unsupported operation: more than one element of the written-to tensor "
                "refers to a single memory location (an expand()ed tensor). Please clone() the "
                "tensor before performing the operation."
            )
        what = (
            f"a {value.dtype} tensor of shape {value.shape}"
            if isinstance(value, Tensor)
            else (repr(value))
        )
        return RuntimeError(
            f"{op}: cannot update a {self.dtype} tensor of shape {self.shape} in place with "
            f"{what}: {exc}"
        )

    def __iadd__(self, other: Any) -> Tensor:  # type: ignore[misc]  # (__add__ is generated)
        return self.add_(other)

    def __isub__(self, other: Any) -> Tensor:  # type: ignore[misc]
        return self.sub_(other)

    def __imul__(self, other: Any) -> Tensor:  # type: ignore[misc]
        return self.mul_(other)

    def __itruediv__(self, other: Any) -> Tensor:
        return self.div_(other)

    def __ipow__(self, other: Any) -> Tensor:
        return self.pow_(other)

    def __ifloordiv__(self, other: Any) -> Tensor:
        return self.floor_divide_(other)

    def __imod__(self, other: Any) -> Tensor:
        return self.remainder_(other)

    def __iand__(self, other: Any) -> Tensor:
        return self.bitwise_and_(other)

    def __ior__(self, other: Any) -> Tensor:
        return self.bitwise_or_(other)

    def __ixor__(self, other: Any) -> Tensor:
        return self.bitwise_xor_(other)

    def floor_divide_(self, other: Any) -> Tensor:
        """``self = ⌊self / other⌋``, in place."""
        return self._apply_("floor_divide_", lambda t: t.floor_divide(other))

    def remainder_(self, other: Any) -> Tensor:
        """``self = self mod other`` (the sign of the divisor), in place."""
        return self._apply_("remainder_", lambda t: t.remainder(other))

    def fmod_(self, other: Any) -> Tensor:
        """``self = fmod(self, other)`` (the sign of the dividend), in place."""
        return self._apply_("fmod_", lambda t: t.fmod(other))

    def bitwise_and_(self, other: Any) -> Tensor:
        """``self &= other``, in place."""
        return self._apply_("bitwise_and_", lambda t: t & other)

    def bitwise_or_(self, other: Any) -> Tensor:
        """``self |= other``, in place."""
        return self._apply_("bitwise_or_", lambda t: t | other)

    def bitwise_xor_(self, other: Any) -> Tensor:
        """``self ^= other``, in place."""
        return self._apply_("bitwise_xor_", lambda t: t ^ other)

    def add_(self, other: Any, *, alpha: builtins.float = 1) -> Tensor:
        """``self += alpha · other``, in place."""
        return self._update("add_", operator.iadd, operator.add, _scaled(other, alpha))

    def sub_(self, other: Any, *, alpha: builtins.float = 1) -> Tensor:
        """``self -= alpha · other``, in place."""
        return self._update("sub_", operator.isub, operator.sub, _scaled(other, alpha))

    def mul_(self, other: Any) -> Tensor:
        """``self *= other``, in place."""
        return self._update("mul_", operator.imul, operator.mul, other)

    def div_(self, other: Any, *, rounding_mode: str | None = None) -> Tensor:
        """``self /= other``, in place (:meth:`div`, ``rounding_mode`` included)."""
        if rounding_mode is None:
            return self._update("div_", operator.itruediv, operator.truediv, other)
        mode = rounding_mode

        def write(array: Any, value: Any) -> None:
            result = new_tensor(array).div(value, rounding_mode=mode)._array
            if not np.can_cast(result.dtype, array.dtype, "same_kind"):
                raise TypeError(
                    f"result type {result.dtype} can't be cast to the desired output type "
                    f"{array.dtype}"
                )
            array[...] = result

        return self._update("div_", write, lambda old, v: old.div(v, rounding_mode=mode), other)

    def pow_(self, exponent: Any) -> Tensor:
        """``self = self ** exponent``, in place."""
        return self._update("pow_", operator.ipow, operator.pow, exponent)

    def clamp_(self, min: Any = None, max: Any = None) -> Tensor:
        """Limit every element to [min, max] (numbers or tensors), in place."""
        self.clamp(min, max)  # the checks of the out-of-place form
        bounds = [b._array if isinstance(b, Tensor) else b for b in (min, max)]
        return self._update(
            "clamp_",
            lambda a, _: backend_of(a).xp.clip(a, *bounds, out=a),
            lambda old, _: old.clamp(min, max),
        )

    clip_ = clamp_

    def masked_fill_(self, mask: Tensor, value: Any) -> Tensor:
        """Write ``value`` where ``mask`` is True (``mask`` broadcasts to this shape)."""
        where = self._index_array(mask, "masked_fill_")
        if where.dtype.kind != "b":
            raise RuntimeError(f"masked_fill_ only supports boolean masks, but got {where.dtype}")
        return self._update(
            "masked_fill_",
            lambda a, v: backend_of(a).xp.copyto(a, v, where=where),
            lambda old, v: elementwise.Where.apply(where, v, old),
            value,
        )

    def copy_(self, src: Any, non_blocking: builtins.bool = False) -> Tensor:
        """Copy ``src`` (broadcastable, any device) into this tensor's memory."""
        if isinstance(src, Tensor) and type(src._array) is not type(self._array):
            src = src.to(self.device)
        return self._update("copy_", _assign_all, _put_all, src)

    def fill_(self, value: Any) -> Tensor:
        """Set every element to ``value`` (a number or a one-element tensor)."""
        return self._update("fill_", _assign_all, _put_all, value)

    def zero_(self) -> Tensor:
        """Set every element to 0."""
        return self.fill_(0)

    def _apply_(self, op: str, fn: Callable[[Tensor], Tensor]) -> Tensor:
        """``self = fn(self)``, in place: the in-place forms of element-wise functions (a
        result that cannot be cast to this dtype, e.g. a float into an int, raises)."""

        def write(array: Any, _: Any) -> None:
            result = fn(new_tensor(array))._array
            _check_result_type(op, result.dtype, array.dtype)
            _assign_all(array, result)

        return self._update(op, write, lambda old, _: fn(old))

    def relu_(self) -> Tensor:
        """max(x, 0), in place."""
        return self._apply_("relu_", Tensor.relu)

    def sigmoid_(self) -> Tensor:
        """σ(x), in place."""
        return self._apply_("sigmoid_", Tensor.sigmoid)

    def tanh_(self) -> Tensor:
        """tanh(x), in place."""
        return self._apply_("tanh_", Tensor.tanh)

    def exp_(self) -> Tensor:
        """eˣ, in place."""
        return self._apply_("exp_", Tensor.exp)

    def neg_(self) -> Tensor:
        """-x, in place."""
        return self._apply_("neg_", Tensor.neg)

    def abs_(self) -> Tensor:
        """``|x|``, in place."""
        return self._apply_("abs_", Tensor.abs)

    def xlogy(self, other: Any) -> Tensor:
        """x · ln y with ``other`` as y, and 0 where x = 0 (unless y is NaN).

        Gradients as PyTorch's: ∂/∂x = ln y, ∂/∂y = x / y, both 0 where x = 0 and y ≤ 0
        (there PyTorch's ∂/∂y is 0/0 = NaN at y = 0).
        """
        x, y = self._with_operand(other, floating=True)
        y = y if isinstance(y, Tensor) else float(y)
        undefined_log = (x == 0) & (y <= 0)
        safe_y = (y if isinstance(y, Tensor) else x.new_tensor(y)).where(~undefined_log, 1.0)
        return (x * safe_y.log()).masked_fill(undefined_log, 0)

    def square_(self) -> Tensor:
        """x², in place."""
        return self._apply_("square_", Tensor.square)

    def sqrt_(self) -> Tensor:
        """√x, in place."""
        return self._apply_("sqrt_", Tensor.sqrt)

    def log_(self) -> Tensor:
        """ln x, in place."""
        return self._apply_("log_", Tensor.log)

    def __setitem__(self, key: Any, value: Any) -> None:
        if value is None:
            raise TypeError(f"can't assign a NoneType to a {self.dtype} tensor")
        key, advanced, split = self._index_key(key)
        steps: tuple[Any, ...] = ((shape_ops.Index, (key, advanced)),)
        if split is not None:  # the integer selects (a view), then the rest
            selects, rest, rest_advanced = split
            steps = ((shape_ops.Index, (selects, False)), (shape_ops.Index, (rest, rest_advanced)))
        self._update(
            "setitem",
            lambda a, v: shape_ops.assign_view(a, steps, v),
            lambda old, v: shape_ops.IndexPut.apply(old, v, steps),
            value,
        )

    # ------------------------------------------------------------------ comparisons
    def _compare(self, other: Any, compare: Any) -> Tensor:
        other = other if isinstance(other, Tensor) else self._operand(other)
        value = other._array if isinstance(other, Tensor) else other
        if isinstance(other, Tensor) and type(value) is not type(self._array):
            check_same_device("comparison", (self, other))
        try:
            return new_tensor(compare(self._array, value))
        except ValueError:
            raise_if_not_broadcastable(compare.__name__, (self._array, value))
            raise

    def __lt__(self, other: Any) -> Tensor:
        return self._compare(other, operator.lt)

    def __le__(self, other: Any) -> Tensor:
        return self._compare(other, operator.le)

    def __gt__(self, other: Any) -> Tensor:
        return self._compare(other, operator.gt)

    def __ge__(self, other: Any) -> Tensor:
        return self._compare(other, operator.ge)

    def __eq__(self, other: Any) -> Any:
        """Element-wise ``==``; against ``None`` or a string, plain ``False`` (as PyTorch)."""
        if other is None or isinstance(other, str):
            return NotImplemented  # Python then compares identities: False
        return self._compare(other, operator.eq)

    def __ne__(self, other: Any) -> Any:
        """Element-wise ``!=``; against ``None`` or a string, plain ``True`` (as PyTorch)."""
        if other is None or isinstance(other, str):
            return NotImplemented  # Python then compares identities: True
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
        return new_tensor(~self._array)

    def __and__(self, other: Any) -> Tensor:
        return self._bitwise(other, operator.and_, "&")

    def __or__(self, other: Any) -> Tensor:
        return self._bitwise(other, operator.or_, "|")

    def __xor__(self, other: Any) -> Tensor:
        return self._bitwise(other, operator.xor, "^")

    __rand__ = __and__
    __ror__ = __or__
    __rxor__ = __xor__

    def _bitwise(self, other: Any, combine: Any, symbol: str) -> Tensor:
        """``self <symbol> other`` on bool or integer tensors (logical on bools, as PyTorch)."""
        kinds = {self.dtype.kind}
        if isinstance(other, Tensor):
            kinds.add(other.dtype.kind)
        elif isinstance(other, float):
            kinds.add("f")
        if not kinds <= set("biu"):
            raise TypeError(
                f"{symbol} is only defined for bool and integer tensors, got {self.dtype}"
                + (f" and {other.dtype}" if isinstance(other, Tensor) else f" and {other!r}")
            )
        x, y = self._with_operand(other, wrap=True)  # PyTorch's promotion, as arithmetic
        # (_in_dtype: NumPy 1.x widens a 0-d array combined with a number)
        return _in_dtype(x._compare(y, combine), x._array.dtype)

    def bitwise_and(self, other: Any) -> Tensor:
        """Bit-wise AND (logical AND on bools)."""
        return self & other

    def bitwise_or(self, other: Any) -> Tensor:
        """Bit-wise OR (logical OR on bools)."""
        return self | other

    def bitwise_xor(self, other: Any) -> Tensor:
        """Bit-wise exclusive OR (logical XOR on bools)."""
        return self ^ other

    def bitwise_not(self) -> Tensor:
        """Bit-wise NOT (logical NOT on bools)."""
        return ~self

    def logical_and(self, other: Any) -> Tensor:
        """``x ≠ 0 and y ≠ 0`` element-wise, as bool."""
        return self._logical(other, "logical_and")

    def logical_or(self, other: Any) -> Tensor:
        """``x ≠ 0 or y ≠ 0`` element-wise, as bool."""
        return self._logical(other, "logical_or")

    def logical_xor(self, other: Any) -> Tensor:
        """``(x ≠ 0) ≠ (y ≠ 0)`` element-wise, as bool."""
        return self._logical(other, "logical_xor")

    def logical_not(self) -> Tensor:
        """``x == 0`` element-wise, as bool."""
        return new_tensor(backend_of(self._array).xp.logical_not(self._array))

    def _logical(self, other: Any, name: str) -> Tensor:
        if not isinstance(other, Tensor):
            raise TypeError(
                f"{name}(): argument 'other' must be a Tensor, not {type(other).__name__}"
            )
        return self._compare(other, getattr(backend_of(self._array).xp, name))

    def isnan(self) -> Tensor:
        """True where x is NaN (never for integer and bool tensors)."""
        return self._classify("isnan", False)

    def isinf(self) -> Tensor:
        """True where x is +inf or -inf."""
        return self._classify("isinf", False)

    def isfinite(self) -> Tensor:
        """True where x is neither NaN nor ±inf (always for integer and bool tensors)."""
        return self._classify("isfinite", True)

    def _classify(self, name: str, integers: builtins.bool) -> Tensor:
        xp = backend_of(self._array).xp
        if self.dtype.kind in "biu":
            return new_tensor(xp.full(self.shape, integers, dtype=np.bool_))
        return new_tensor(getattr(xp, name)(self._array))

    def isclose(
        self,
        other: Tensor,
        rtol: builtins.float = 1e-05,
        atol: builtins.float = 1e-08,
        equal_nan: builtins.bool = False,
    ) -> Tensor:
        """abs(x - y) ≤ atol + rtol·abs(y) element-wise (NaNs equal only when ``equal_nan``)."""
        if not isinstance(other, Tensor):
            raise TypeError(
                f"isclose(): argument 'other' must be a Tensor, not {type(other).__name__}"
            )
        check_same_device("isclose", (self, other))
        xp = backend_of(self._array).xp
        try:
            close = xp.isclose(self._array, other._array, rtol=rtol, atol=atol, equal_nan=equal_nan)
        except ValueError:
            raise_if_not_broadcastable("isclose", (self._array, other._array))
            raise
        return new_tensor(close)

    def allclose(
        self,
        other: Tensor,
        rtol: builtins.float = 1e-05,
        atol: builtins.float = 1e-08,
        equal_nan: builtins.bool = False,
    ) -> builtins.bool:
        """Whether abs(x - y) ≤ atol + rtol·abs(y) for every element (see :meth:`isclose`)."""
        return bool(self.isclose(other, rtol, atol, equal_nan).all())

    def equal(self, other: Tensor) -> builtins.bool:
        """Whether both tensors have the same shape and the same values."""
        if not isinstance(other, Tensor):
            raise TypeError(
                f"equal(): argument 'other' must be a Tensor, not {type(other).__name__}"
            )
        check_same_device("equal", (self, other))
        return self.shape == other.shape and bool((self == other).all())

    # ------------------------------------------------------------------ unary math
    def exp(self) -> Tensor:
        """eˣ element-wise."""
        if _amp.active:
            return autocast_call("exp", Tensor.exp, self)
        return elementwise.Exp.apply(self._floating("exp"))

    def log(self) -> Tensor:
        """Natural logarithm element-wise."""
        if _amp.active:
            return autocast_call("log", Tensor.log, self)
        return elementwise.Log.apply(self._floating("log"))

    def sqrt(self) -> Tensor:
        """√x element-wise."""
        return elementwise.Sqrt.apply(self._floating("sqrt"))

    def abs(self) -> Tensor:
        """``|x|`` element-wise (gradient sign(x), 0 at 0)."""
        return elementwise.Abs.apply(self)

    def tanh(self) -> Tensor:
        """tanh(x) element-wise."""
        return activation.Tanh.apply(self._floating("tanh"))

    def sigmoid(self) -> Tensor:
        """σ(x) = 1 / (1 + e⁻ˣ) element-wise."""
        return activation.Sigmoid.apply(self._floating("sigmoid"))

    def relu(self) -> Tensor:
        """max(x, 0) element-wise (not for bool tensors, as PyTorch)."""
        return activation.Relu.apply(self)

    def leaky_relu(self, negative_slope: builtins.float = 0.01) -> Tensor:
        """x if x > 0 else negative_slope·x, element-wise (floating tensors only, as PyTorch)."""
        return activation.LeakyRelu.apply(self, negative_slope)

    def softmax(self, dim: builtins.int, dtype: Any = None) -> Tensor:
        """exp(xᵢ) / Σⱼ exp(xⱼ) along ``dim`` (shifted by the maximum for stability), in
        ``dtype`` if given (the input is cast first); integer tensors need one, as in PyTorch."""
        if _amp.active and dtype is None:
            return autocast_call("softmax", Tensor.softmax, self, dim)
        x = self._softmax_input("softmax", dtype)
        return activation.Softmax.apply(x, normalize_dim(dim, self.ndim, "softmax"))

    def log_softmax(self, dim: builtins.int, dtype: Any = None) -> Tensor:
        """xᵢ - log Σⱼ exp(xⱼ) along ``dim``; finite for inputs of magnitude 1e4. In
        ``dtype`` if given (the input is cast first); integer tensors need one."""
        if _amp.active and dtype is None:
            return autocast_call("log_softmax", Tensor.log_softmax, self, dim)
        x = self._softmax_input("log_softmax", dtype)
        return activation.LogSoftmax.apply(x, normalize_dim(dim, self.ndim, "log_softmax"))

    def _softmax_input(self, op: str, dtype: Any) -> Tensor:
        if dtype is not None:
            return self.to(as_dtype(dtype))
        if not is_floating(self.dtype):
            raise NotImplementedError(
                f"{op}(): not implemented for {self.dtype} tensors (as PyTorch); pass "
                "dtype=minigrad.float32 or call .float() first"
            )
        return self

    def clamp(self, min: Any = None, max: Any = None) -> Tensor:
        """min(max(x, min), max) element-wise; ``min``/``max`` are numbers or tensors (broadcast).

        The gradient goes to x where min ≤ x ≤ max, to a tensor ``min`` where x < min < max,
        and to a tensor ``max`` where x > max or max < min, as in PyTorch."""
        if min is None and max is None:
            raise RuntimeError("clamp: at least one of 'min' or 'max' must not be None")
        x = self
        bounds: list[Any] = []
        for bound in (min, max):
            if bound is None:
                bounds.append(None)
                continue
            if not isinstance(bound, Tensor | int | float | np.number):
                raise TypeError(
                    f"clamp: min and max must be numbers or tensors, not {type(bound).__name__}"
                )
            x, bound = x._with_operand(bound)
            bounds.append(bound)
        low, high = (
            b._cast(x.dtype) if isinstance(b, Tensor) and b.dtype != x.dtype else b for b in bounds
        )
        return elementwise.Clamp.apply(x, low, high)

    clip = clamp

    def maximum(self, other: Tensor) -> Tensor:
        """Element-wise maximum (ties share the gradient equally, as PyTorch)."""
        return self._binary(elementwise.Maximum, other)

    def minimum(self, other: Tensor) -> Tensor:
        """Element-wise minimum (ties share the gradient equally, as PyTorch)."""
        return self._binary(elementwise.Minimum, other)

    def _floating(self, op: str) -> Tensor:
        return self if is_floating(self.dtype) else self._cast(get_default_dtype())

    def _float_only(self, op: str) -> Tensor:
        """``self``, which ``op`` (var, std) accepts only floating: PyTorch refuses integers."""
        if not is_floating(self.dtype):
            raise RuntimeError(
                f"{op}(): std and var only support floating point dtypes, got {self.dtype}; "
                "call .float() first"
            )
        return self

    # ------------------------------------------------------------------ element-wise math (more)
    def sinh(self) -> Tensor:
        """sinh(x) = (eˣ - e⁻ˣ) / 2 element-wise."""
        if _amp.active:
            return autocast_call("sinh", Tensor.sinh, self)
        x = self._floating("sinh")
        return (x.exp() - (-x).exp()) * 0.5

    def cosh(self) -> Tensor:
        """cosh(x) = (eˣ + e⁻ˣ) / 2 element-wise."""
        if _amp.active:
            return autocast_call("cosh", Tensor.cosh, self)
        x = self._floating("cosh")
        return (x.exp() + (-x).exp()) * 0.5

    def logaddexp(self, other: Any) -> Tensor:
        """log(eˣ + eʸ) = m + log(e^(x-m) + e^(y-m)), m = max(x, y) held constant: finite
        for large inputs and smooth everywhere (also where x = y)."""
        x, y = self._with_operand(other, floating=True)
        y = y if isinstance(y, Tensor) else new_tensor(backend_of(x._array).xp.asarray(y))
        m = x.maximum(y).detach()
        return m + ((x - m).exp() + (y - m).exp()).log()

    def clamp_min(self, min: Any) -> Tensor:
        """max(x, min) element-wise (:meth:`clamp` with only a lower bound)."""
        return self.clamp(min=min)

    def clamp_max(self, max: Any) -> Tensor:
        """min(x, max) element-wise (:meth:`clamp` with only an upper bound)."""
        return self.clamp(max=max)

    def dist(self, other: Tensor, p: builtins.float = 2) -> Tensor:
        """The p-norm of the difference, ‖x - y‖ₚ."""
        return (self - other).norm(p)

    def type_as(self, other: Tensor) -> Tensor:
        """This tensor in ``other``'s dtype."""
        return self.to(other.dtype)

    def where(self, condition: Tensor, other: Any) -> Tensor:
        """``self`` where ``condition`` is True, else ``other`` (as ``minigrad.where``)."""
        from minigrad.functional import where

        return where(condition, self, other)

    def addcmul_(self, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:
        """:meth:`addcmul` in place."""
        method = lambda t, a, b: Tensor.addcmul(t, a, b, value=value)  # noqa: E731
        return self._inplace_form("addcmul_", method, tensor1, tensor2)

    def addcdiv_(self, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1) -> Tensor:
        """:meth:`addcdiv` in place."""
        method = lambda t, a, b: Tensor.addcdiv(t, a, b, value=value)  # noqa: E731
        return self._inplace_form("addcdiv_", method, tensor1, tensor2)

    def _with_operand(
        self, other: Any, floating: builtins.bool = False, wrap: builtins.bool = False
    ) -> tuple[Tensor, Any]:
        """``self`` and ``other`` (a tensor or a number) in PyTorch's promoted dtype
        (:func:`minigrad.dtypes.promote_operands`); with ``floating``, in the default float
        dtype where that is not floating (true division, atan2, ...).

        A Python number becomes a NumPy scalar of that dtype (NumPy 1.x would otherwise
        widen a 0-d float32 array combined with a Python float to float64). An integer
        out of an integer dtype's range wraps around with ``wrap`` (PyTorch's arithmetic:
        ``int8 + 200`` adds -56); else it raises RuntimeError (as PyTorch's clamp, where).
        """
        if isinstance(other, Tensor):
            if other._array.dtype != self._array.dtype:
                return _promote(self, other, floating)
            if floating and self._array.dtype.kind != "f":
                target = get_default_dtype()
                return self._cast(target), other._cast(target)
            return self, other
        if type(other) not in _PY_SCALAR_TYPES:
            other = self._operand(other)
            if isinstance(other, Tensor):  # an array or a list
                return self._with_operand(other, floating, wrap)
        dtype = self._array.dtype
        result = _WITH_NUMBER.get((dtype, type(other)))
        if result is None:
            result = promote_with_number(dtype, other)
        if floating and result.kind != "f":
            result = get_default_dtype()
        x = self if result == dtype else self._cast(result)
        if result.kind == "f":
            return x, result.type(other)
        return x, _number_as(other, result, wrap)

    def _unary_float(self, op: builtins.type[Op], name: str) -> Tensor:
        """``op`` on a floating tensor (integers and bools become float32, as PyTorch)."""
        if _amp.active:
            return autocast_call(name, Tensor._unary_float, self, op, name)
        return op.apply(self._floating(name))

    def asin(self) -> Tensor:
        """asin(x) element-wise (NaN outside [-1, 1]); d/dx = 1/√(1 - x²)."""
        return self._unary_float(elementwise.Asin, "asin")

    def acos(self) -> Tensor:
        """acos(x) element-wise (NaN outside [-1, 1]); d/dx = -1/√(1 - x²)."""
        return self._unary_float(elementwise.Acos, "acos")

    def atan(self) -> Tensor:
        """atan(x) element-wise; d/dx = 1/(1 + x²)."""
        return self._unary_float(elementwise.Atan, "atan")

    def atan2(self, other: Any) -> Tensor:
        """atan2(self, other): the angle of the point (other, self), in (-π, π]."""
        y, x = self._with_operand(other, floating=True)
        return elementwise.Atan2.apply(y, x)

    arcsin, arccos, arctan, arctan2 = asin, acos, atan, atan2

    def asinh(self) -> Tensor:
        """asinh(x) = log(x + √(x² + 1)) element-wise."""
        x = self._floating("asinh")
        return (x + (x * x + 1).sqrt()).log()

    def acosh(self) -> Tensor:
        """acosh(x) = log(x + √(x² - 1)) element-wise (x ≥ 1)."""
        x = self._floating("acosh")
        return (x + (x * x - 1).sqrt()).log()

    def atanh(self) -> Tensor:
        """atanh(x) = ½ log((1 + x) / (1 - x)) element-wise (abs(x) < 1)."""
        x = self._floating("atanh")
        return ((1 + x) / (1 - x)).log() * 0.5

    def hypot(self, other: Any) -> Tensor:
        """√(x² + y²) element-wise."""
        x, y = self._with_operand(other, floating=True)
        return (x * x + y * y).sqrt()

    def deg2rad(self) -> Tensor:
        """x · π / 180."""
        return self._floating("deg2rad") * (math.pi / 180)

    def rad2deg(self) -> Tensor:
        """x · 180 / π."""
        return self._floating("rad2deg") * (180 / math.pi)

    def sin(self) -> Tensor:
        """sin(x) element-wise."""
        return self._unary_float(elementwise.Sin, "sin")

    def cos(self) -> Tensor:
        """cos(x) element-wise."""
        return self._unary_float(elementwise.Cos, "cos")

    def tan(self) -> Tensor:
        """tan(x) element-wise (d tan x = (1 + tan² x) dx)."""
        return self._unary_float(elementwise.Tan, "tan")

    def log1p(self) -> Tensor:
        """log(1 + x) element-wise, accurate for small x."""
        return self._unary_float(elementwise.Log1p, "log1p")

    def expm1(self) -> Tensor:
        """eˣ - 1 element-wise, accurate for small x."""
        return self._unary_float(elementwise.Expm1, "expm1")

    def log2(self) -> Tensor:
        """log₂(x) element-wise."""
        return self._unary_float(elementwise.Log2, "log2")

    def log10(self) -> Tensor:
        """log₁₀(x) element-wise."""
        return self._unary_float(elementwise.Log10, "log10")

    def exp2(self) -> Tensor:
        """2ˣ element-wise."""
        return self._unary_float(elementwise.Exp2, "exp2")

    def erf(self) -> Tensor:
        """erf(x) = 2/√π ∫₀ˣ e^(-t²) dt element-wise."""
        return self._unary_float(activation.Erf, "erf")

    def reciprocal(self) -> Tensor:
        """1 / x element-wise (integers give float32)."""
        return self._unary_float(elementwise.Reciprocal, "reciprocal")

    def rsqrt(self) -> Tensor:
        """1 / √x element-wise."""
        return self._unary_float(elementwise.Rsqrt, "rsqrt")

    def square(self) -> Tensor:
        """x² element-wise (integers stay integers and bools become int64, as PyTorch)."""
        x = self.long() if self.dtype.kind == "b" else self
        return x * x

    def _step(self, op: builtins.type[Op], *args: Any) -> Tensor:
        """A rounding function: the identity on integers (a copy), else ``op`` (gradient 0)."""
        if self.dtype.kind == "b":
            raise RuntimeError(f"{op.__name__.lower()}(): not defined for bool tensors")
        if self.dtype.kind in "iu":
            return self.clone()
        return op.apply(self, *args)

    def floor(self) -> Tensor:
        """⌊x⌋ element-wise (gradient 0)."""
        return self._step(elementwise.Floor)

    def ceil(self) -> Tensor:
        """⌈x⌉ element-wise (gradient 0)."""
        return self._step(elementwise.Ceil)

    def trunc(self) -> Tensor:
        """x rounded toward 0 element-wise (gradient 0)."""
        return self._step(elementwise.Trunc)

    fix = trunc

    def round(self, *, decimals: builtins.int = 0) -> Tensor:
        """x rounded to ``decimals`` decimal places, halves to even (gradient 0)."""
        if not isinstance(decimals, int | np.integer) or isinstance(decimals, bool):
            raise TypeError(f"round(): decimals must be an int, not {type(decimals).__name__}")
        return self._step(elementwise.Round, int(decimals))

    def sign(self) -> Tensor:
        """-1, 0 or 1 by the sign of x (gradient 0); bools stay bools."""
        if self.dtype.kind == "b":
            return self.clone()
        return elementwise.Sign.apply(self)

    def frac(self) -> Tensor:
        """x - trunc(x), the fractional part with the sign of x (gradient 1)."""
        if self.dtype.kind in "biu":
            raise RuntimeError(f"frac(): expected a floating point tensor, got {self.dtype}")
        return self - self.trunc()

    def remainder(self, other: Any) -> Tensor:
        """x - ⌊x / y⌋·y: the remainder with the sign of the divisor, as Python's ``%``."""
        return self._integer_division(elementwise.Remainder, other, "remainder")

    def fmod(self, other: Any) -> Tensor:
        """x - trunc(x / y)·y: the remainder with the sign of the dividend, as C's fmod."""
        return self._integer_division(elementwise.Fmod, other, "fmod")

    def floor_divide(self, other: Any) -> Tensor:
        """⌊x / y⌋, as Python's ``//`` (no derivative, as in PyTorch)."""
        return self._integer_division(elementwise.FloorDivide, other, "floor_divide")

    def __mod__(self, other: Any) -> Tensor:
        return self.remainder(other)

    def __rmod__(self, other: Any) -> Tensor:
        return self._integer_division(elementwise.Remainder, other, "remainder", reflected=True)

    def __floordiv__(self, other: Any) -> Tensor:
        return self.floor_divide(other)

    def __rfloordiv__(self, other: Any) -> Tensor:
        return self._integer_division(
            elementwise.FloorDivide, other, "floor_divide", reflected=True
        )

    def _integer_division(
        self, op: builtins.type[Op], other: Any, name: str, reflected: builtins.bool = False
    ) -> Tensor:
        """``op(self, other)`` promoted; an integer divisor of 0 raises, as in PyTorch."""
        x, y = self._with_operand(other, wrap=True)
        if reflected:
            x, y = y, x
        divisor = y._array if isinstance(y, Tensor) else np.asarray(y)  # a number: on the host
        if divisor.dtype.kind in "biu" and not bool((divisor != 0).all()):
            raise RuntimeError(f"ZeroDivisionError: {name}() of integers by zero")
        return op.apply(x, y)

    def addcmul(self, tensor1: Tensor, tensor2: Tensor, *, value: builtins.float = 1) -> Tensor:
        """self + value · tensor1 · tensor2 (all three broadcast)."""
        return self + value * (tensor1 * tensor2)

    def addcdiv(self, tensor1: Tensor, tensor2: Tensor, *, value: builtins.float = 1) -> Tensor:
        """self + value · tensor1 / tensor2 (all three broadcast; floating tensors only)."""
        for t in (tensor1, tensor2):
            if isinstance(t, Tensor) and not is_floating(t.dtype):
                raise RuntimeError(
                    "addcdiv(): integer division with addcdiv is not supported; "
                    f"got a tensor of dtype {t.dtype}, use addcmul or .float()"
                )
        return self + value * (tensor1 / tensor2)

    def lerp(self, end: Tensor, weight: Any) -> Tensor:
        """start + weight · (end - start), with ``weight`` a number or a tensor (broadcast)."""
        if not isinstance(end, Tensor):
            raise TypeError(f"lerp(): argument 'end' must be a Tensor, not {type(end).__name__}")
        if end.dtype != self.dtype:
            raise RuntimeError(
                f"lerp(): expected dtype {self.dtype} for `end` but got dtype {end.dtype}"
            )
        if not is_floating(self.dtype):
            raise RuntimeError(f"lerp(): expected floating point tensors, got {self.dtype}")
        return self + weight * (end - self)

    def nan_to_num(
        self,
        nan: builtins.float = 0.0,
        posinf: builtins.float | None = None,
        neginf: builtins.float | None = None,
    ) -> Tensor:
        """NaN → ``nan``, +inf → ``posinf``, -inf → ``neginf`` (default: the dtype's largest
        and smallest finite values); the gradient flows where x is finite."""
        if self.dtype.kind in "biu":
            return self.clone()
        return elementwise.NanToNum.apply(self, nan, posinf, neginf)

    # ------------------------------------------------------------------ reductions
    def sum(
        self, dim: Any = None, keepdim: builtins.bool = False, *, dtype: Any = None, **aliases: Any
    ) -> Tensor:
        """Σ over ``dim`` (an int, a tuple, or all dimensions); integers and bools sum as
        int64, unless ``dtype`` is given: the input is cast to it first and the sum has it
        (``bool_t.sum(dtype=bool)`` is whether any is True), as PyTorch."""
        if _amp.active:
            op = None if dtype is not None else "sum"  # an explicit dtype is respected
            return autocast_call(op, Tensor.sum, self, dim, keepdim, dtype=dtype, **aliases)
        if aliases:
            dim, keepdim = _reduction_args(dim, keepdim, aliases, "sum")
        if keepdim.__class__ is not bool:
            keepdim = _keepdim_arg(keepdim, "sum")
        x = self._accumulating(dtype)
        axis = None if dim is None else _normalize_dims(dim, self.ndim, "sum")
        out = reduction.Sum.apply(x, axis, keepdim)
        return out if dtype is None else _in_dtype(out, x.dtype)

    def mean(
        self, dim: Any = None, keepdim: builtins.bool = False, *, dtype: Any = None, **aliases: Any
    ) -> Tensor:
        """Σx / N over ``dim``."""
        if aliases:
            dim, keepdim = _reduction_args(dim, keepdim, aliases, "mean")
        if keepdim.__class__ is not bool:
            keepdim = _keepdim_arg(keepdim, "mean")
        if dtype is not None:
            return self.to(dtype).mean(dim, keepdim)
        if not is_floating(self.dtype):
            raise RuntimeError(
                f"mean(): could not infer output dtype. Input dtype must be a floating point "
                f"dtype, got {self.dtype}; call .float() first"
            )
        return reduction.Mean.apply(self, _normalize_dims(dim, self.ndim, "mean"), keepdim)

    def var(
        self,
        dim: Any = None,
        unbiased: builtins.bool | None = None,
        keepdim: builtins.bool = False,
        *,
        correction: builtins.float | None = None,
        **aliases: Any,
    ) -> Tensor:
        """Σ(x - mean)² / (N - correction); ``correction=1`` (Bessel) unless ``unbiased=False``.
        A bool as the only positional argument is ``unbiased`` (``var(False)``), as PyTorch."""
        if aliases:
            dim, keepdim = _reduction_args(dim, keepdim, aliases, "var")
        if keepdim.__class__ is not bool:
            keepdim = _keepdim_arg(keepdim, "var")
        dim, unbiased = _unbiased_first(dim, unbiased, keepdim, correction, "var")
        if unbiased is not None and correction is not None:
            raise ValueError("var: give either unbiased or correction, not both")
        if correction is None:
            correction = 0 if unbiased is False else 1
        x = self._float_only("var")
        dims = _normalize_dims(dim, self.ndim, "var")
        return reduction.Var.apply(x, dims, keepdim, correction)

    def std(
        self,
        dim: Any = None,
        unbiased: builtins.bool | None = None,
        keepdim: builtins.bool = False,
        *,
        correction: builtins.float | None = None,
        **aliases: Any,
    ) -> Tensor:
        """√(Σ(x - mean)² / (N - correction)); ``correction=1`` unless ``unbiased=False``.
        The gradient is 0 where the std is 0 (a constant slice), as in PyTorch. A bool as
        the only positional argument is ``unbiased`` (``std(False)``), as PyTorch."""
        if aliases:
            dim, keepdim = _reduction_args(dim, keepdim, aliases, "std")
        if keepdim.__class__ is not bool:
            keepdim = _keepdim_arg(keepdim, "std")
        dim, unbiased = _unbiased_first(dim, unbiased, keepdim, correction, "std")
        if unbiased is not None and correction is not None:
            raise ValueError("std: give either unbiased or correction, not both")
        if correction is None:
            correction = 0 if unbiased is False else 1
        x = self._float_only("std")
        return reduction.Std.apply(x, _normalize_dims(dim, self.ndim, "std"), keepdim, correction)

    def max(self, dim: Any = None, keepdim: builtins.bool = False, **aliases: Any) -> Any:
        """The maximum; with ``dim``, ``(values, indices)``; with a tensor, ``maximum``."""
        if aliases:
            dim, keepdim = _reduction_args(dim, keepdim, aliases, "max")
        if keepdim.__class__ is not bool:
            keepdim = _keepdim_arg(keepdim, "max")
        if isinstance(dim, Tensor):
            return self.maximum(dim)
        return self._extremum(dim, keepdim, largest=True)

    def min(self, dim: Any = None, keepdim: builtins.bool = False, **aliases: Any) -> Any:
        """The minimum; with ``dim``, ``(values, indices)``; with a tensor, ``minimum``."""
        if aliases:
            dim, keepdim = _reduction_args(dim, keepdim, aliases, "min")
        if keepdim.__class__ is not bool:
            keepdim = _keepdim_arg(keepdim, "min")
        if isinstance(dim, Tensor):
            return self.minimum(dim)
        return self._extremum(dim, keepdim, largest=False)

    def _extremum(self, dim: Any, keepdim: builtins.bool, largest: builtins.bool) -> Any:
        op = "max" if largest else "min"
        if dim is None:
            self._check_nonempty(op, None)
            return reduction.Extremum.apply(self, None, False, largest)
        dim = normalize_dim(dim, self.ndim, op)
        if self.ndim == 0:  # a 0-d tensor is its own extremum, at index 0 (as PyTorch)
            zero = backend_of(self._array).xp.zeros((), dtype=np.int64)
            return ValuesIndices(shape_ops.Reshape.apply(self, ()), new_tensor(zero))
        self._check_nonempty(op, dim)
        xp = backend_of(self._array).xp
        indices = xp.argmax(self._array, axis=dim) if largest else xp.argmin(self._array, axis=dim)
        values = reduction.TakeAlongDim.apply(self, indices, dim, keepdim)
        if keepdim:
            indices = xp.expand_dims(indices, dim)
        return ValuesIndices(values, new_tensor(indices.astype(np.int64)))

    def amax(self, dim: Any = None, keepdim: builtins.bool = False, **aliases: Any) -> Tensor:
        """The maximum over ``dim``; ties share the gradient evenly."""
        if aliases:
            dim, keepdim = _reduction_args(dim, keepdim, aliases, "amax")
        if keepdim.__class__ is not bool:
            keepdim = _keepdim_arg(keepdim, "amax")
        dims = _normalize_dims(dim, self.ndim, "amax")
        self._check_nonempty("amax", dims)
        return reduction.Extremum.apply(self, dims, keepdim, True)

    def amin(self, dim: Any = None, keepdim: builtins.bool = False, **aliases: Any) -> Tensor:
        """The minimum over ``dim``; ties share the gradient evenly."""
        if aliases:
            dim, keepdim = _reduction_args(dim, keepdim, aliases, "amin")
        if keepdim.__class__ is not bool:
            keepdim = _keepdim_arg(keepdim, "amin")
        dims = _normalize_dims(dim, self.ndim, "amin")
        self._check_nonempty("amin", dims)
        return reduction.Extremum.apply(self, dims, keepdim, False)

    def _check_nonempty(self, op: str, dim: Any) -> None:
        """PyTorch's errors for a reduction with no identity over nothing: without ``dim``
        a RuntimeError (IndexError for argmax/argmin), over an empty ``dim`` an IndexError."""
        if self._array.size != 0:
            return
        if dim is None:
            error = IndexError if op in ("argmax", "argmin") else RuntimeError
            raise error(
                f"{op}(): Expected reduction dim to be specified for input.numel() == 0 (an "
                f"empty tensor of shape {self.shape}). Specify the reduction dim with the 'dim' "
                "argument."
            )
        for d in (dim,) if isinstance(dim, int) else dim:
            if self.shape[d] == 0:
                raise IndexError(
                    f"{op}(): Expected reduction dim {d} to have non-zero size (shape "
                    f"{self.shape})."
                )

    def argmax(
        self, dim: builtins.int | None = None, keepdim: builtins.bool = False, **aliases: Any
    ) -> Tensor:
        """Index of the maximum (of the flattened tensor when ``dim`` is None)."""
        if aliases:
            dim, keepdim = _reduction_args(dim, keepdim, aliases, "argmax")
        if keepdim.__class__ is not bool:
            keepdim = _keepdim_arg(keepdim, "argmax")
        return self._arg_extremum(dim, keepdim, "argmax")

    def argmin(
        self, dim: builtins.int | None = None, keepdim: builtins.bool = False, **aliases: Any
    ) -> Tensor:
        """Index of the minimum (of the flattened tensor when ``dim`` is None)."""
        if aliases:
            dim, keepdim = _reduction_args(dim, keepdim, aliases, "argmin")
        if keepdim.__class__ is not bool:
            keepdim = _keepdim_arg(keepdim, "argmin")
        return self._arg_extremum(dim, keepdim, "argmin")

    def _arg_extremum(self, dim: builtins.int | None, keepdim: builtins.bool, op: str) -> Tensor:
        self._check_nonempty(op, None if dim is None else normalize_dim(dim, self.ndim, op))
        xp = backend_of(self._array).xp
        axis = None if dim is None else normalize_dim(dim, self.ndim, op)
        out = getattr(xp, op)(self._array, axis=axis, keepdims=keepdim)
        return new_tensor(xp.asarray(out).astype(np.int64))

    # ------------------------------------------------------------------ reductions (more)
    def prod(
        self,
        dim: builtins.int | None = None,
        keepdim: builtins.bool = False,
        *,
        dtype: Any = None,
        **aliases: Any,
    ) -> Tensor:
        """Π x over ``dim`` (an int) or over everything; integers and bools give int64.

        The gradient Π_{j≠i} xⱼ is formed without division, so it is right with zeros."""
        if _amp.active:
            op = None if dtype is not None else "prod"
            return autocast_call(op, Tensor.prod, self, dim, keepdim, dtype=dtype, **aliases)
        if aliases:
            dim, keepdim = _reduction_args(dim, keepdim, aliases, "prod")
        if keepdim.__class__ is not bool:
            keepdim = _keepdim_arg(keepdim, "prod")
        x = self._accumulating(dtype)
        axis = None if dim is None else normalize_dim(dim, self.ndim, "prod")
        return _in_dtype(
            reduction.Prod.apply(x, None if self.ndim == 0 else axis, keepdim), x.dtype
        )

    def _accumulating(self, dtype: Any, op: str | None = None) -> Tensor:
        """The input of a sum-like reduction: cast to ``dtype`` if given (the result keeps
        it, as PyTorch), else integers and bools as int64. ``op`` names a cumulative
        reduction, which PyTorch does not implement for bool."""
        if dtype is None:
            return self.long() if self.dtype.kind in "biu" and self.dtype != np.int64 else self
        x = self.to(dtype)
        if op is not None and x.dtype.kind == "b" and x.ndim:
            raise NotImplementedError(f"\"{op}\" not implemented for 'Bool' (dtype=bool)")
        return x

    def cumsum(
        self, dim: builtins.int | None = None, *, dtype: Any = None, **aliases: Any
    ) -> Tensor:
        """yᵢ = Σ_{j≤i} xⱼ along ``dim``; integers and bools give int64."""
        if _amp.active:
            op = None if dtype is not None else "cumsum"
            return autocast_call(op, Tensor.cumsum, self, dim, dtype=dtype, **aliases)
        dim = normalize_dim(_dim_arg(dim, aliases, "cumsum"), self.ndim, "cumsum")
        x = self._accumulating(dtype, "cumsum")
        if x.ndim == 0:  # NumPy would return shape (1,)
            return _in_dtype(reduction.Cumsum.apply(x.reshape(1), 0, False).reshape(()), x.dtype)
        return _in_dtype(reduction.Cumsum.apply(x, dim, False), x.dtype)

    def cumprod(
        self, dim: builtins.int | None = None, *, dtype: Any = None, **aliases: Any
    ) -> Tensor:
        """yᵢ = Π_{j≤i} xⱼ along ``dim``; integers and bools give int64 (gradient zero-safe)."""
        if _amp.active:
            op = None if dtype is not None else "cumprod"
            return autocast_call(op, Tensor.cumprod, self, dim, dtype=dtype, **aliases)
        dim = normalize_dim(_dim_arg(dim, aliases, "cumprod"), self.ndim, "cumprod")
        x = self._accumulating(dtype, "cumprod")
        if x.ndim == 0:  # NumPy would return shape (1,)
            return _in_dtype(reduction.Cumprod.apply(x.reshape(1), 0, False).reshape(()), x.dtype)
        return _in_dtype(reduction.Cumprod.apply(x, dim, False), x.dtype)

    def cummax(self, dim: builtins.int) -> Any:
        """``(values, indices)``: yᵢ = max_{j≤i} xⱼ along ``dim`` and the index of that maximum
        (the latest on ties; a NaN, once met, stays the maximum). The gradient goes to it."""
        return self._cumulative_extreme("cummax", dim, operator.gt)

    def cummin(self, dim: builtins.int) -> Any:
        """``(values, indices)``: yᵢ = min_{j≤i} xⱼ along ``dim`` and the index of that minimum
        (the latest on ties; a NaN, once met, stays the minimum). The gradient goes to it."""
        return self._cumulative_extreme("cummin", dim, operator.lt)

    def _cumulative_extreme(self, op: str, dim: builtins.int, beats: Callable) -> Any:
        """The running winner along ``dim`` by a log-step (Hillis–Steele) scan: after the step
        with shift s, position i holds the winner of [i − 2s + 1, i]. An earlier entry wins
        only if it strictly ``beats`` the later one or is NaN (the later one not)."""
        x = self if self.ndim else self.reshape(1)
        d = normalize_dim(dim, x.ndim, op)
        xp = backend_of(x._array).xp
        values = xp.moveaxis(x._array, d, -1)
        shape = values.shape
        index = xp.broadcast_to(xp.arange(shape[-1]), shape).copy()
        shift = 1
        while shift < shape[-1]:
            earlier, later = values[..., :-shift], values[..., shift:]
            wins = beats(earlier, later)
            if x.dtype.kind == "f":
                wins = (wins | xp.isnan(earlier)) & ~xp.isnan(later)
            values = xp.concatenate([values[..., :shift], xp.where(wins, earlier, later)], -1)
            index = xp.concatenate(
                [index[..., :shift], xp.where(wins, index[..., :-shift], index[..., shift:])], -1
            )
            shift *= 2
        index = xp.moveaxis(index, -1, d).astype(np.int64)
        result = x.gather(d, new_tensor(index))
        if not self.ndim:
            return ValuesIndices(result.reshape(()), new_tensor(index.reshape(())))
        return ValuesIndices(result, new_tensor(index))

    def logsumexp(self, dim: Any = None, keepdim: builtins.bool = False, **aliases: Any) -> Tensor:
        """log Σ exp(x) over ``dim``, computed as m + log Σ exp(x - m) with m the maximum
        (finite for large inputs; -inf for an all -inf slice)."""
        if _amp.active:
            return autocast_call("logsumexp", Tensor.logsumexp, self, dim, keepdim, **aliases)
        if aliases:
            dim, keepdim = _reduction_args(dim, keepdim, aliases, "logsumexp")
        if keepdim.__class__ is not bool:
            keepdim = _keepdim_arg(keepdim, "logsumexp")
        if dim is None:
            raise TypeError("logsumexp() missing required argument 'dim'")
        x = self._floating("logsumexp")
        dims = _normalize_dims(dim, self.ndim, "logsumexp")
        if x.numel() == 0:
            return x.exp().sum(dims, keepdim).log()
        shift = x.detach().amax(dims, keepdim=True)
        shift.masked_fill_(shift.isinf(), 0)  # all-(-inf) or inf slices: no shift
        total = (x - shift).exp().sum(dims, keepdim)
        return total.log() + shift.reshape(total.shape)

    def norm(
        self, p: Any = "fro", dim: Any = None, keepdim: builtins.bool = False, dtype: Any = None
    ) -> Tensor:
        """The vector p-norm (Σabs(x)ᵖ)^(1/p) over ``dim`` (all elements when None).

        ``p`` is 'fro' or 2 (the Euclidean norm; gradient x/‖x‖, 0 at x = 0), 1, inf
        (max abs(x)), -inf (min abs(x)), 0 (the number of non-zeros) or any other number."""
        if _amp.active:
            op = None if dtype is not None else "norm"
            return autocast_call(op, Tensor.norm, self, p, dim, keepdim, dtype)
        x = self if dtype is None else self.to(dtype)
        if not is_floating(x.dtype):
            raise RuntimeError(
                f"norm(): expected a floating point tensor as input, got {x.dtype}; "
                "call .float() first"
            )
        dims = _normalize_dims(dim, self.ndim, "norm")
        if p == "fro" or p == 2:
            return reduction.Norm.apply(x, dims, keepdim)
        if p == "nuc" or isinstance(p, str):
            raise ValueError(f"norm(): p={p!r} is not supported; use 'fro' or a number")
        if p == math.inf:
            return x.abs().amax(dims, keepdim)
        if p == -math.inf:
            return x.abs().amin(dims, keepdim)
        if p == 0:
            return (x != 0).to(x.dtype).sum(dims, keepdim)
        if p == 1:
            return x.abs().sum(dims, keepdim)
        if p > 0:  # one node, gradient 0 at x = 0 (PyTorch's subgradient)
            return linalg.PNorm.apply(x, float(p), dims, keepdim)
        return (x.abs() ** p).sum(dims, keepdim) ** (1 / p)

    def all(self, dim: Any = None, keepdim: builtins.bool = False, **aliases: Any) -> Tensor:
        """Whether every element over ``dim`` is non-zero (bool; uint8 for uint8 input)."""
        return self._logical_reduction("all", dim, keepdim, aliases)

    def any(self, dim: Any = None, keepdim: builtins.bool = False, **aliases: Any) -> Tensor:
        """Whether some element over ``dim`` is non-zero (bool; uint8 for uint8 input)."""
        return self._logical_reduction("any", dim, keepdim, aliases)

    def _logical_reduction(
        self, name: str, dim: Any, keepdim: builtins.bool, aliases: dict
    ) -> Tensor:
        if aliases:
            dim, keepdim = _reduction_args(dim, keepdim, aliases, name)
        axis = _normalize_dims(dim, self.ndim, name)
        xp = backend_of(self._array).xp
        out = xp.asarray(getattr(xp, name)(self._array, axis=axis, keepdims=keepdim))
        return new_tensor(out.astype(np.uint8) if self.dtype == np.uint8 else out)

    def count_nonzero(self, dim: Any = None, **aliases: Any) -> Tensor:
        """The number of non-zero elements over ``dim`` (int64)."""
        if aliases:
            dim, _ = _reduction_args(dim, False, aliases, "count_nonzero")
        axis = _normalize_dims(dim, self.ndim, "count_nonzero")
        xp = backend_of(self._array).xp
        return new_tensor(xp.asarray((self._array != 0).sum(axis=axis)).astype(np.int64))

    def var_mean(
        self,
        dim: Any = None,
        unbiased: builtins.bool | None = None,
        keepdim: builtins.bool = False,
        *,
        correction: builtins.float | None = None,
        **aliases: Any,
    ) -> tuple[Tensor, Tensor]:
        """``(var, mean)`` over ``dim`` (see :meth:`var`)."""
        if aliases:
            dim, keepdim = _reduction_args(dim, keepdim, aliases, "var_mean")
        dim, unbiased = _unbiased_first(dim, unbiased, keepdim, correction, "var_mean")
        var = self.var(dim, unbiased, keepdim, correction=correction)
        return var, self._floating("var_mean").mean(dim, keepdim)

    def std_mean(
        self,
        dim: Any = None,
        unbiased: builtins.bool | None = None,
        keepdim: builtins.bool = False,
        *,
        correction: builtins.float | None = None,
        **aliases: Any,
    ) -> tuple[Tensor, Tensor]:
        """``(std, mean)`` over ``dim`` (see :meth:`std`)."""
        var, mean = self.var_mean(dim, unbiased, keepdim, correction=correction, **aliases)
        return var.sqrt(), mean

    def aminmax(self, *, dim: builtins.int | None = None, keepdim: builtins.bool = False) -> Any:
        """``(min, max)`` over ``dim`` (all elements when None), a named tuple."""
        return MinMax(self.amin(dim, keepdim), self.amax(dim, keepdim))

    def median(
        self, dim: builtins.int | None = None, keepdim: builtins.bool = False, **aliases: Any
    ) -> Any:
        """The lower median (element ⌊(n-1)/2⌋ in sorted order; NaN if there is one).

        Without ``dim``, of all elements (a 0-d tensor), the gradient split evenly among the
        elements equal to the median (as PyTorch's); with ``dim``, ``(values, indices)``
        along it, the gradient to the chosen element."""
        if aliases:
            dim, keepdim = _reduction_args(dim, keepdim, aliases, "median")
        if dim is None:
            if self.numel() == 0 and is_floating(self.dtype):  # PyTorch: NaN, of nothing
                return self.new_full((), math.nan)
            self._check_nonempty("median", None)
            return reduction.MedianAll.apply(self)
        dim = normalize_dim(dim, self.ndim, "median")
        if self.ndim == 0:
            return self.max(dim, keepdim)
        self._check_nonempty("median", dim)
        xp = backend_of(self._array).xp
        a = self._array
        middle = (a.shape[dim] - 1) // 2
        indices = xp.take(xp.argsort(a, axis=dim, kind="stable"), middle, axis=dim)
        if self.dtype.kind == "f":  # a NaN sorts last in NumPy but is the median in PyTorch
            nan = xp.isnan(a)
            indices = xp.where(nan.any(axis=dim), xp.argmax(nan, axis=dim), indices)
        values = reduction.TakeAlongDim.apply(self, indices, dim, keepdim)
        if keepdim:
            indices = xp.expand_dims(indices, dim)
        return ValuesIndices(values, new_tensor(indices.astype(np.int64)))

    def quantile(
        self,
        q: Any,
        dim: builtins.int | None = None,
        keepdim: builtins.bool = False,
        *,
        interpolation: str = "linear",
    ) -> Tensor:
        """The q-th quantiles along ``dim`` (of all elements when None): with the values
        sorted, x₍₀₎ ≤ … ≤ x₍ₙ₋₁₎, and rank r = q (n − 1), ``'linear'`` gives
        x₍⌊r⌋₎ + (r − ⌊r⌋)(x₍⌈r⌉₎ − x₍⌊r⌋₎); ``'lower'``, ``'higher'``, ``'nearest'`` and
        ``'midpoint'`` pick x₍⌊r⌋₎, x₍⌈r⌉₎, the nearer one (ties to even) or their mean.
        A 1-D ``q`` puts its quantiles along a new first dimension. A slice with a NaN
        gives NaN. The gradient goes to the one or two order statistics used."""
        return self._quantile("quantile", q, dim, keepdim, interpolation, ignore_nan=False)

    def nanquantile(
        self,
        q: Any,
        dim: builtins.int | None = None,
        keepdim: builtins.bool = False,
        *,
        interpolation: str = "linear",
    ) -> Tensor:
        """:meth:`quantile` of the values that are not NaN (NaN for a slice of NaNs only)."""
        return self._quantile("nanquantile", q, dim, keepdim, interpolation, ignore_nan=True)

    def _quantile(
        self, op: str, q: Any, dim: Any, keepdim: builtins.bool, how: str, ignore_nan: builtins.bool
    ) -> Tensor:
        if self.dtype not in (np.float32, np.float64):
            raise RuntimeError(f"{op}() input tensor must be either float or double dtype")
        if how not in ("linear", "lower", "higher", "midpoint", "nearest"):
            raise RuntimeError(
                f"{op}() interpolation must be one of linear, lower, higher, midpoint or "
                f"nearest. Got {how}"
            )
        backend = backend_of(self._array)
        xp = backend.xp
        if isinstance(q, Tensor):
            qs = q._array.astype(self.dtype)
        else:
            qs = backend.from_host(np.asarray(q, dtype=self.dtype), self.device)
        if qs.ndim > 1:
            raise RuntimeError(f"{op}() q must be a scalar or 1D tensor, got shape {qs.shape}")
        if bool(((qs < 0) | (qs > 1)).any()):
            raise RuntimeError(f"{op}() q values must be in the range [0, 1]")
        if self.numel() == 0:
            raise RuntimeError(f"{op}() input tensor must be non-empty (shape {self.shape})")
        if dim is None:
            x, shape = self.reshape(-1), (1,) * self.ndim if keepdim else ()
        else:
            d = normalize_dim(dim, self.ndim, op)
            x = self.movedim(d, -1)
            shape = _with(self.shape, d, 1) if keepdim else self.shape[:d] + self.shape[d + 1 :]
        nan = xp.isnan(x._array)
        count = (~nan).sum(-1, keepdims=True) if ignore_nan else x.shape[-1]
        rank = xp.broadcast_to(  # (..., Q); NaNs sort last
            qs.reshape(-1) * xp.maximum(count - 1, 0), x.shape[:-1] + (qs.size,)
        )
        low, high = xp.floor(rank), xp.ceil(rank)
        if how == "linear":
            weight = rank - low
        elif how == "nearest":
            weight = (xp.round(rank) > low) * 1.0  # ties to even, as PyTorch
        else:
            weight = xp.full(rank.shape, {"lower": 0.0, "higher": 1.0, "midpoint": 0.5}[how])
        ordered = x.sort(-1).values
        lower = ordered.take_along_dim(new_tensor(low.astype(np.int64)), -1)
        upper = ordered.take_along_dim(new_tensor(high.astype(np.int64)), -1)
        values = lower + (upper - lower) * new_tensor(weight.astype(self.dtype))
        undefined = count == 0 if ignore_nan else nan.any(-1, keepdims=True)
        values = values.masked_fill(new_tensor(xp.broadcast_to(undefined, values.shape)), math.nan)
        values = values.movedim(-1, 0).reshape(-1, *shape)
        return values if qs.ndim else values[0]

    def mode(self, dim: builtins.int = -1, keepdim: builtins.bool = False, **aliases: Any) -> Any:
        """``(values, indices)``: the most frequent value along ``dim`` (the smallest of
        several) and the index of its last occurrence; the gradient goes to that element."""
        if aliases:
            dim, keepdim = _reduction_args(dim, keepdim, aliases, "mode")
        dim = normalize_dim(dim, self.ndim, "mode")
        if self.ndim == 0:
            return self.max(dim, keepdim)
        self._check_nonempty("mode", dim)
        indices = reduction.mode_indices(self._array, dim)
        values = reduction.TakeAlongDim.apply(self, indices, dim, keepdim)
        if keepdim:
            indices = backend_of(indices).xp.expand_dims(indices, dim)
        return ValuesIndices(values, new_tensor(indices.astype(np.int64)))

    def nansum(
        self, dim: Any = None, keepdim: builtins.bool = False, *, dtype: Any = None, **aliases: Any
    ) -> Tensor:
        """Σ x over ``dim``, NaNs counted as 0."""
        return self._without_nan().sum(dim, keepdim, dtype=dtype, **aliases)

    def nanmean(
        self, dim: Any = None, keepdim: builtins.bool = False, *, dtype: Any = None, **aliases: Any
    ) -> Tensor:
        """The mean over ``dim`` of the elements that are not NaN."""
        if aliases:
            dim, keepdim = _reduction_args(dim, keepdim, aliases, "nanmean")
        x = self if dtype is None else self.to(dtype)
        if not is_floating(x.dtype):
            raise RuntimeError(f"nanmean(): expected a floating point tensor, got {x.dtype}")
        count = (~x.isnan()).sum(dim, keepdim)
        return x.nansum(dim, keepdim) / count

    def _without_nan(self) -> Tensor:
        if self.dtype.kind != "f":
            return self
        return elementwise.Where.apply(self.isnan()._array, self.dtype.type(0), self)

    # ------------------------------------------------------------------ shape
    def reshape(self, *sizes: Any, shape: Any = None) -> Tensor:
        """The same elements in a new shape (one dimension may be -1): ``reshape(2, 3)``,
        ``reshape((2, 3))`` or ``reshape(shape=(2, 3))``."""
        if shape is not None:
            sizes = _sizes_or_keyword(sizes, shape, "shape", "reshape")
        shape = _shape_arg(sizes)
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

    def view(self, *shape: Any, size: Any = None, dtype: Any = None) -> Tensor:
        """The same memory in a new shape, as :meth:`reshape`, but never a copy: a RuntimeError
        where the strides cannot express the shape (a transposed tensor flattened, say).
        ``view(dtype)`` reinterprets the bytes as another dtype (not differentiable)."""
        if size is not None or dtype is not None:
            if size is not None and dtype is not None:
                raise TypeError("view(): give size or dtype, not both")
            if dtype is not None:
                if shape:
                    raise TypeError("view() got multiple values for argument 'dtype'")
                return self._view_dtype(as_dtype(dtype))
            shape = _sizes_or_keyword(shape, size, "size", "view")
        elif len(shape) == 1 and isinstance(shape[0], np.dtype | str | builtins.type):
            return self._view_dtype(as_dtype(shape[0]))
        out = self.reshape(*shape)
        if self.numel() and not self._array.flags.c_contiguous:
            backend = backend_of(self._array)
            if backend.data_ptr(out._array) != backend.data_ptr(self._array):
                raise RuntimeError(
                    f"view size is not compatible with input tensor's size and stride (shape "
                    f"{self.shape}, strides {self.stride()}, requested shape {out.shape}): at "
                    "least one dimension spans across two contiguous subspaces. Use "
                    ".reshape(...) instead."
                )
        return out

    def _view_dtype(self, dtype: Any) -> Tensor:
        if dtype.itemsize != self._array.dtype.itemsize and not (
            self.ndim and self._array.strides[-1] == self._array.itemsize
        ):
            raise RuntimeError(
                f"view(dtype): a {self.dtype} tensor of shape {self.shape} needs a contiguous "
                f"last dimension to be viewed as {dtype}"
            )
        try:
            array = self._array.view(dtype)
        except ValueError as exc:
            raise RuntimeError(
                f"view(dtype): cannot view a {self.dtype} tensor of shape {self.shape} as "
                f"{dtype}: {exc}"
            ) from None
        return new_tensor(array, version=self._counter)  # the memory, so the version, shared

    def flatten(self, start_dim: builtins.int = 0, end_dim: builtins.int = -1) -> Tensor:
        """Merge dimensions ``start_dim..end_dim`` into one."""
        if self.ndim == 0:  # dims as for a 1-d tensor, as PyTorch
            normalize_dim(start_dim, 1, "flatten")
            normalize_dim(end_dim, 1, "flatten")
            return self.reshape(1)
        start = normalize_dim(start_dim, self.ndim, "flatten")
        end = normalize_dim(end_dim, self.ndim, "flatten")
        if start > end:
            raise RuntimeError("flatten: start_dim cannot come after end_dim")
        s = self.shape
        return self.reshape(s[:start] + (math.prod(s[start : end + 1]),) + s[end + 1 :])

    def squeeze(self, dim: builtins.int | Sequence[builtins.int] | None = None) -> Tensor:
        """Drop size-1 dimensions (only those among ``dim``, an int or a tuple, if given)."""
        dims: Any
        if dim is None:
            dims = range(self.ndim)
        elif isinstance(dim, Sequence):
            dims = _normalize_dims(tuple(dim), self.ndim, "squeeze") or ()
        else:
            dims = (normalize_dim(dim, self.ndim, "squeeze"),)
        new = tuple(n for i, n in enumerate(self.shape) if not (i in dims and n == 1))
        return shape_ops.Reshape.apply(self, new)

    def unsqueeze(self, dim: builtins.int) -> Tensor:
        """Insert a size-1 dimension at ``dim``."""
        d = normalize_dim(dim, self.ndim + 1, "unsqueeze")
        return shape_ops.Reshape.apply(self, self.shape[:d] + (1,) + self.shape[d:])

    def permute(self, *args: Any, dims: Any = None) -> Tensor:
        """Reorder the dimensions: ``permute(1, 0)``, ``permute((1, 0))`` or
        ``permute(dims=(1, 0))``."""
        if dims is not None:
            args = _sizes_or_keyword(args, dims, "dims", "permute")
        dims = _shape_arg(args)
        axes = tuple(normalize_dim(d, self.ndim, "permute") for d in dims)
        if sorted(axes) != list(range(self.ndim)):
            raise RuntimeError(
                f"permute: dims {dims} are not a permutation of the {self.ndim} dimensions"
            )
        return shape_ops.Permute.apply(self, axes)

    def swapaxes(self, axis0: builtins.int, axis1: builtins.int) -> Tensor:
        """Swap two dimensions (NumPy's name for :meth:`transpose`)."""
        return self.transpose(axis0, axis1)

    def swapdims(self, dim0: builtins.int, dim1: builtins.int) -> Tensor:
        """Swap two dimensions (another name for :meth:`transpose`)."""
        return self.transpose(dim0, dim1)

    def transpose(self, dim0: builtins.int, dim1: builtins.int) -> Tensor:
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

    def expand(self, *sizes: Any, size: Any = None, implicit: builtins.bool = False) -> Tensor:
        """Broadcast size-1 dimensions to ``sizes`` without copying (-1 keeps a size).
        ``implicit`` is accepted, as in PyTorch, and has no effect."""
        if size is not None:
            sizes = _sizes_or_keyword(sizes, size, "size", "expand")
        sizes = _shape_arg(sizes)
        if len(sizes) < self.ndim:
            raise RuntimeError(
                f"expand: the number of sizes ({len(sizes)}) must be at least the number of "
                f"dimensions ({self.ndim})"
            )
        lead = len(sizes) - self.ndim
        for i in range(lead):
            if sizes[i] < 0:
                raise RuntimeError(
                    f"expand: the expanded size of the tensor ({sizes[i]}) isn't allowed in a "
                    f"leading, non-existing dimension {i}; target sizes {sizes}, tensor shape "
                    f"{self.shape}"
                )
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

    def split(
        self,
        split_size_or_sections: builtins.int | Sequence[builtins.int] | None = None,
        dim: builtins.int = 0,
        *,
        split_size: builtins.int | Sequence[builtins.int] | None = None,
    ) -> tuple:
        """Pieces of ``split_size`` along ``dim`` (the last may be smaller), or of given sizes.
        The sizes may be passed as ``split_size=`` (the method's keyword in PyTorch) or
        ``split_size_or_sections=`` (that of ``torch.split``)."""
        if split_size is not None:
            if split_size_or_sections is not None:
                raise TypeError("split() got multiple values for argument 'split_size'")
            split_size_or_sections = split_size
        elif split_size_or_sections is None:
            raise TypeError("split() missing required argument 'split_size' (pos 1)")
        if self.ndim == 0:
            raise RuntimeError("split expects at least a 1-dimensional tensor")
        if isinstance(split_size_or_sections, Tensor) and split_size_or_sections.ndim == 0:
            split_size_or_sections = _int_arg(split_size_or_sections, "split_size", "split")
        d = normalize_dim(dim, self.ndim, "split")
        n = self.shape[d]
        if isinstance(split_size_or_sections, int | np.integer):
            size = int(split_size_or_sections)
            if size < 0 or (size == 0 and n != 0):
                raise RuntimeError(
                    f"split: split_size must be positive (0 only for an empty dimension), got "
                    f"{size} for dimension {d} of size {n}"
                )
            sizes = [min(size, n - start) for start in range(0, n, size or 1)] or [0]
        else:
            sizes = [int(s) for s in split_size_or_sections]
            if sum(sizes) != n or any(s < 0 for s in sizes):
                raise RuntimeError(
                    f"split: sizes {sizes} must be non-negative and sum to {n}, the size of "
                    f"dimension {d}"
                )
        return self._pieces(_spans(sizes), d)

    def tensor_split(
        self, indices_or_sections: builtins.int | Sequence[builtins.int], dim: builtins.int = 0
    ) -> tuple:
        """Views along ``dim``: ``sections`` pieces (the first n mod sections one longer), or
        cut before each of ``indices`` (``x[:i₀], x[i₀:i₁], ..., x[iₖ:]``)."""
        if self.ndim == 0:
            raise RuntimeError(
                "tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 "
                "dims"
            )
        n = self.shape[normalize_dim(dim, self.ndim, "tensor_split")]
        if not isinstance(indices_or_sections, int | np.integer):
            cuts = [int(i) for i in indices_or_sections]  # Python's slicing of each piece
            return self._pieces(list(zip([None, *cuts], [*cuts, None], strict=True)), dim)
        sections = int(indices_or_sections)
        if sections <= 0:
            raise RuntimeError(
                f"tensor_split: number of sections must be larger than 0, got {sections}"
            )
        small, extra = divmod(n, sections)
        return self._pieces(_spans([small + 1] * extra + [small] * (sections - extra)), dim)

    def hsplit(self, indices_or_sections: builtins.int | Sequence[builtins.int]) -> tuple:
        """:meth:`tensor_split` along dimension 1 (0 for 1-D tensors); sections must divide."""
        return self._split_evenly("hsplit", indices_or_sections, 1 if self.ndim > 1 else 0)

    def vsplit(self, indices_or_sections: builtins.int | Sequence[builtins.int]) -> tuple:
        """:meth:`tensor_split` along dimension 0 of a tensor with at least 2 dims."""
        if self.ndim < 2:
            raise RuntimeError(f"vsplit needs a tensor with at least 2 dimensions, got {self.ndim}")
        return self._split_evenly("vsplit", indices_or_sections, 0)

    def _split_evenly(
        self, op: str, indices_or_sections: builtins.int | Sequence[builtins.int], dim: builtins.int
    ) -> tuple:
        if self.ndim == 0:
            raise RuntimeError(f"{op} needs a tensor with at least 1 dimension, got 0")
        if isinstance(indices_or_sections, int | np.integer):
            n = self.shape[dim]
            if indices_or_sections <= 0 or n % indices_or_sections:
                raise RuntimeError(
                    f"{op}: size {n} of dimension {dim} is not divisible by the split size "
                    f"{indices_or_sections}"
                )
        return self.tensor_split(indices_or_sections, dim)

    def _pieces(self, spans: Sequence[tuple[Any, Any]], dim: builtins.int) -> tuple:
        """The slices ``x[start:stop]`` along ``dim`` for each span (views)."""
        lead = (slice(None),) * normalize_dim(dim, self.ndim, "split")
        return tuple(shape_ops.Index.apply(self, lead + (slice(*span),), False) for span in spans)

    def chunk(self, chunks: builtins.int, dim: builtins.int = 0) -> tuple:
        """Split into ``chunks`` pieces of ceil(n / chunks) elements (fewer if n is small)."""
        if self.ndim == 0:
            raise RuntimeError("chunk expects at least a 1-dimensional tensor")
        if chunks <= 0:
            raise RuntimeError(f"chunk: chunks must be positive, got {chunks}")
        n = self.shape[normalize_dim(dim, self.ndim, "chunk")]
        if n == 0:  # PyTorch: ``chunks`` empty pieces
            return self.split([0] * chunks, dim)
        return self.split(math.ceil(n / chunks), dim)

    def index_select(self, dim: builtins.int, index: Tensor) -> Tensor:
        """The entries at ``index`` (a 1-D integer tensor) along ``dim``."""
        d = normalize_dim(dim, self.ndim, "index_select")
        idx = self._index_array(index, "index_select")
        if self.ndim == 0:  # PyTorch: a scalar takes a 0-d or 1-element index, gives a scalar
            if idx.size != 1:
                raise RuntimeError(
                    f"index_select(): Index to scalar can have only 1 value, got {idx.size} "
                    "value(s)"
                )
            _check_index_bounds(idx.reshape(1), 1, "index_select", 0)
            return shape_ops.Reshape.apply(self, ()).clone()
        if idx.ndim == 0:
            idx = idx.reshape(1)
        if idx.ndim != 1:
            raise IndexError(f"index_select: index must be 1-D, got shape {idx.shape}")
        _check_index_bounds(idx, self.shape[d], "index_select", d)
        return shape_ops.IndexSelect.apply(self, idx, d)

    def _index_array(self, index: Any, op: str) -> Any:
        """An integer or bool index as an array of this tensor's backend."""
        backend = backend_of(self._array)
        if isinstance(index, Tensor):
            data = index._array
            if type(data) is not type(self._array):
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

    def _index_key(
        self, key: Any, split: builtins.bool = True
    ) -> tuple[tuple[Any, ...], builtins.bool, Any]:
        """``key`` as a tuple with its index arrays on this tensor's backend, whether it
        holds one (an advanced index), and, with ``split``, PyTorch's split of it into
        integer selects and the rest where NumPy's rule would place the result's dimensions
        otherwise (:func:`~minigrad.ops.indexing.split_int_index`), else None. With
        ``split``, an Ellipsis that stands for no dimension is dropped too, as it separates
        advanced indices in NumPy only (:func:`~minigrad.ops.indexing.drop_empty_ellipsis`).
        """
        parts = key if isinstance(key, tuple) else (key,)
        backend = backend_of(self._array)
        out = []
        advanced = bools = False
        for part in parts:
            if isinstance(part, Tensor | np.ndarray | list | backend.array_type):
                part = self._index_array(part, "index")
                advanced = True
            elif isinstance(part, slice):
                if part.step is not None and part.step < 0:
                    raise ValueError("step must be greater than zero")  # PyTorch's: use flip()
            elif type(part) in _BOOL_TYPES:
                bools = True
            out.append(part)
        key = tuple(out)
        if split and (advanced or bools):  # where PyTorch's rule and NumPy's may differ
            key = indexing.drop_empty_ellipsis(key, self.ndim)
            return key, advanced, indexing.split_int_index(key)
        return key, advanced, None

    def __getitem__(self, key: Any) -> Tensor:
        """``self[key]`` by PyTorch's rule: the integers of ``key`` select first (a view), the
        rest then indexes what is left as NumPy does, so integers never count as advanced
        indices (``x[0, :, [1, 2]]`` of a (2, 3, 4) tensor has shape (3, 2))."""
        key, advanced, split = self._index_key(key)
        try:
            if split is None:
                return shape_ops.Index.apply(self, key, advanced)
            selects, rest, rest_advanced = split
            selected = shape_ops.Index.apply(self, selects, False)
            return shape_ops.Index.apply(selected, rest, rest_advanced)
        except IndexError as exc:
            raise IndexError(
                f"index {key} is out of bounds for a tensor of shape {self.shape}: {exc}"
            ) from None

    def __iter__(self) -> Iterator[Tensor]:
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self.shape[0]))

    # ------------------------------------------------------------------ indexing and shape (more)
    def _dim_index(self, index: Any, dim: builtins.int, op: str) -> tuple[builtins.int, Any]:
        """``dim`` normalised and ``index`` as an int64 array of this backend with this
        tensor's number of dimensions (gather/scatter's rule)."""
        d = normalize_dim(dim, self.ndim, op)
        if getattr(index, "dtype", np.dtype(np.int64)).kind not in "iu":
            raise RuntimeError(f"{op}(): Expected dtype int64 for index, got {index.dtype}")
        idx = self._index_array(index, op)
        if idx.ndim != max(self.ndim, 1) and not (idx.ndim == 0 and self.ndim == 0):
            raise RuntimeError(
                f"{op}(): Index tensor must have the same number of dimensions as input tensor "
                f"(index shape {idx.shape}, input shape {self.shape})"
            )
        return d, idx.astype(np.int64)

    def _along_dim_key(
        self, idx: Any, d: builtins.int, op: str, strict: builtins.bool = True
    ) -> tuple[Any, ...]:
        """The advanced key of gather/scatter after PyTorch's checks of ``idx``'s shape."""
        shape = self.shape or (1,)
        for i, n in enumerate(idx.shape):
            if i != d and strict and n > shape[i]:
                raise RuntimeError(
                    f"{op}(): Size does not match at dimension {i} expected index {idx.shape} "
                    f"to be smaller than self {self.shape} apart from dimension {d}"
                )
        if idx.size and (int(idx.min()) < 0 or int(idx.max()) >= shape[d]):
            bad = int(idx.min()) if int(idx.min()) < 0 else int(idx.max())
            raise RuntimeError(
                f"{op}(): index {bad} is out of bounds for dimension {d} with size {shape[d]}"
            )
        key = indexing.dim_key(idx, d)
        return key if self.ndim else key[0][()]

    def gather(
        self, dim: builtins.int, index: Tensor, *, sparse_grad: builtins.bool = False
    ) -> Tensor:
        """out[i][j][k] = self[index[i][j][k]][j][k] (for dim = 0; likewise along any dim).

        ``index`` has this tensor's number of dimensions; the result has its shape.
        The gradient adds back at ``index`` (repeated indices accumulate).
        """
        d, idx = self._dim_index(index, dim, "gather")
        if self.ndim == 0:  # a scalar: every index must be 0, the result has index's shape
            self._along_dim_key(idx.reshape(-1), d, "gather")
            return shape_ops.Index.apply(self.reshape(1), (idx,), True)
        key = self._along_dim_key(idx, d, "gather")
        return shape_ops.Index.apply(self, key, True)

    def _source_part(self, src: Tensor, idx: Any, op: str) -> Tensor:
        """The leading ``idx.shape`` block of ``src`` (scatter reads only that block)."""
        if src.dtype != self.dtype:
            raise RuntimeError(
                f"{op}(): Expected self.dtype to be equal to src.dtype (got {self.dtype} and "
                f"{src.dtype})"
            )
        if src.ndim != idx.ndim or any(n > m for n, m in zip(idx.shape, src.shape, strict=True)):
            raise RuntimeError(
                f"{op}(): Expected index {idx.shape} to be smaller than src {src.shape} in "
                "every dimension"
            )
        if src.shape == idx.shape:
            return src
        return shape_ops.Index.apply(src, tuple(slice(0, n) for n in idx.shape), False)

    def scatter(
        self,
        dim: builtins.int,
        index: Tensor,
        src: Any = None,
        *,
        value: Any = None,
        reduce: Any = None,
    ) -> Tensor:
        """A copy with ``self[index[i][j]][j] = src[i][j]`` (for dim = 0), or ``= value``.

        ``reduce='add'`` adds instead (as :meth:`scatter_add`); ``reduce='multiply'``
        multiplies (not differentiable). Where ``index`` repeats a position, which of
        the values lands there is unspecified, as in PyTorch.
        """
        if (src is None) == (value is None):
            raise TypeError("scatter(): give exactly one of src and value")
        source = src if value is None else value
        d, idx = self._dim_index(index, dim, "scatter")
        key = self._along_dim_key(idx, d, "scatter")
        if reduce is not None:
            return self._scatter_reduce(d, idx, key, source, reduce)
        if isinstance(source, Tensor) and source.ndim:
            source = self._source_part(source, idx, "scatter")
        elif isinstance(source, Tensor):
            source = source.to(self.dtype)
        return shape_ops.IndexPut.apply(self, source, ((shape_ops.Index, (key, True)),))

    def _scatter_reduce(
        self, d: builtins.int, idx: Any, key: Any, source: Any, reduce: str
    ) -> Tensor:
        if not isinstance(source, Tensor):
            source = new_tensor(backend_of(self._array).xp.full(idx.shape, source, self.dtype))
        if reduce == "add":
            return self.scatter_add(d, new_tensor(idx), source)
        if reduce != "multiply":
            raise RuntimeError(
                f"scatter(): reduce argument must be 'add' or 'multiply', got {reduce!r}"
            )
        if is_grad_enabled() and (self.requires_grad or source.requires_grad):
            raise RuntimeError("scatter(): reduce='multiply' is not differentiable")
        # On the host: NumPy's multiply.at multiplies repeated positions in turn (CuPy has none).
        backend = backend_of(self._array)
        out = backend.to_host(self._array).copy()
        factors = backend.to_host(self._source_part(source, idx, "scatter")._array)
        np.multiply.at(out, tuple(backend.to_host(k) for k in key), factors)
        return new_tensor(backend.from_host(out, self.device))

    def scatter_(
        self,
        dim: builtins.int,
        index: Tensor,
        src: Any = None,
        *,
        value: Any = None,
        reduce: Any = None,
    ) -> Tensor:
        """:meth:`scatter` in place; one-hot rows: ``zeros(n, c).scatter_(1, y[:, None], 1.0)``."""
        method = lambda t, d, i, s: Tensor.scatter(t, d, i, s, value=value, reduce=reduce)  # noqa: E731
        return self._inplace_form("scatter_", method, dim, index, src)

    def scatter_add(self, dim: builtins.int, index: Tensor, src: Tensor) -> Tensor:
        """A copy with ``self[index[i][j]][j] += src[i][j]`` (for dim = 0); repeated
        positions accumulate. d self = dy, d src = dy gathered at ``index``."""
        d, idx = self._dim_index(index, dim, "scatter_add")
        key = self._along_dim_key(idx, d, "scatter_add")
        part = self._source_part(src, idx, "scatter_add")
        if self.ndim == 0:
            return self + part.sum().to(self.dtype)
        return self + shape_ops.IndexGrad.apply(part, self.shape, key, True)

    def scatter_add_(self, dim: builtins.int, index: Tensor, src: Tensor) -> Tensor:
        """:meth:`scatter_add` in place."""
        return self._inplace_form("scatter_add_", Tensor.scatter_add, dim, index, src)

    def _inplace_form(self, op: str, method: Callable[..., Tensor], *args: Any) -> Tensor:
        """self = method(self, *args), in place, with PyTorch's autograd semantics."""
        tensor_args = [a for a in args if isinstance(a, Tensor) and a.requires_grad]
        return self._update(
            op,
            lambda a, _: _assign_all(a, method(self.detach(), *args)._array),
            lambda old, _: method(old, *args),
            tensor_args[0] if tensor_args else None,
        )

    def index_add(
        self, dim: builtins.int, index: Tensor, source: Tensor, *, alpha: builtins.float = 1
    ) -> Tensor:
        """A copy with ``self[..., index[i], ...] += alpha · source[..., i, ...]`` along ``dim``
        (repeated indices accumulate)."""
        d = normalize_dim(dim, self.ndim, "index_add")
        idx = self._index_array(index, "index_add")
        if idx.ndim > 1 or idx.dtype.kind not in "iu":
            raise IndexError(f"index_add(): index must be a 1-D integer tensor, got {idx.shape}")
        idx = idx.reshape(-1)
        expected = self.shape[:d] + (idx.shape[0],) + self.shape[d + 1 :] if self.ndim else ()
        if source.shape != expected and not (self.ndim == 0 and source.numel() == 1):
            raise RuntimeError(
                f"index_add(): source has shape {source.shape} but {expected} was expected "
                f"(self {self.shape}, {idx.shape[0]} indices along dim {d})"
            )
        if self.ndim == 0:
            return self + (source.sum() * alpha if idx.size else source.sum() * 0)
        _check_index_bounds(idx, self.shape[d], "index_add", d)
        key = (slice(None),) * d + (idx,)
        return self + shape_ops.IndexGrad.apply(_scaled(source, alpha), self.shape, key, True)

    def index_add_(
        self, dim: builtins.int, index: Tensor, source: Tensor, *, alpha: builtins.float = 1
    ) -> Tensor:
        """:meth:`index_add` in place."""
        method = lambda t, *a: Tensor.index_add(t, *a, alpha=alpha)  # noqa: E731
        return self._inplace_form("index_add_", method, dim, index, source)

    def index_fill(self, dim: builtins.int, index: Tensor, value: Any) -> Tensor:
        """A copy with every entry at ``index`` along ``dim`` set to ``value`` (a number or a
        0-d tensor, which receives the gradient of the entries it filled)."""
        d = normalize_dim(dim, self.ndim, "index_fill")
        idx = self._index_array(index, "index_fill").reshape(-1)
        size = self.shape[d] if self.ndim else 1
        _check_index_bounds(idx, size, "index_fill", d)
        # Each position once: a repeated index fills it once, and gives ``value`` its gradient once.
        idx = backend_of(idx).xp.unique(idx % size) if idx.size else idx
        if isinstance(value, Tensor):
            if value.ndim:
                raise RuntimeError(
                    f"index_fill(): only supports a 0-dimensional value tensor, but got tensor "
                    f"with {value.ndim} dimension(s)"
                )
            value = value.to(self.dtype)
        key = (slice(None),) * d + (idx,) if self.ndim else (idx,)
        target = self if self.ndim else shape_ops.Reshape.apply(self, (1,))
        out = shape_ops.IndexPut.apply(target, value, ((shape_ops.Index, (key, True)),))
        return out if self.ndim else shape_ops.Reshape.apply(out, ())

    def index_fill_(self, dim: builtins.int, index: Tensor, value: Any) -> Tensor:
        """:meth:`index_fill` in place."""
        return self._inplace_form("index_fill_", Tensor.index_fill, dim, index, value)

    def index_put(
        self, indices: Sequence[Any], values: Any, accumulate: builtins.bool = False
    ) -> Tensor:
        """A copy with ``self[indices] = values`` (``+=`` with ``accumulate``, where repeated
        indices add up)."""
        if not isinstance(indices, tuple | list):
            raise TypeError(
                f"index_put(): indices must be a tuple of tensors, got {type(indices).__name__}"
            )
        key = self._index_key(tuple(indices), split=False)[0]
        if not isinstance(values, Tensor):
            values = new_tensor(backend_of(self._array).xp.asarray(values, dtype=self.dtype))
        elif values.dtype != self.dtype:
            values = values.to(self.dtype)
        if accumulate:
            return self + shape_ops.IndexGrad.apply(values, self.shape, key, True)
        return shape_ops.IndexPut.apply(self, values, ((shape_ops.Index, (key, True)),))

    def index_put_(
        self, indices: Sequence[Any], values: Any, accumulate: builtins.bool = False
    ) -> Tensor:
        """:meth:`index_put` in place."""
        method = lambda t, i, v: Tensor.index_put(t, i, v, accumulate)  # noqa: E731
        return self._inplace_form("index_put_", method, tuple(indices), values)

    def masked_fill(self, mask: Tensor, value: Any) -> Tensor:
        """A copy with ``value`` where ``mask`` is True (``mask`` broadcasts to this shape;
        ``value`` is a number or a 0-d tensor, which receives the gradient of what it filled)."""
        where = self._index_array(mask, "masked_fill")
        if where.dtype.kind != "b":
            raise RuntimeError(f"masked_fill only supports boolean masks, but got {where.dtype}")
        if _broadcast_shape("masked_fill", where.shape, self.shape) != self.shape:
            raise RuntimeError(
                f"masked_fill(): the mask of shape {where.shape} does not broadcast to the "
                f"tensor's shape {self.shape}"
            )
        if isinstance(value, Tensor):
            if value.ndim:
                raise RuntimeError(
                    "masked_fill only supports a 0-dimensional value tensor, but got tensor "
                    f"with {value.ndim} dimension(s)"
                )
            value = value.to(self.dtype)
        else:
            value = self._array.dtype.type(value)
        return elementwise.Where.apply(where, value, self)

    def masked_select(self, mask: Tensor) -> Tensor:
        """The entries where ``mask`` is True, as a 1-D tensor (both broadcast together)."""
        where = self._index_array(mask, "masked_select")
        if where.dtype.kind != "b":
            raise RuntimeError(f"masked_select: expected a boolean mask, got {where.dtype}")
        shape = _broadcast_shape("masked_select", where.shape, self.shape)
        xp = backend_of(self._array).xp
        source = self if self.shape == shape else self.expand(shape)
        return shape_ops.Index.apply(source, (xp.broadcast_to(where, shape),), True)

    def take_along_dim(self, indices: Tensor, dim: builtins.int | None = None) -> Tensor:
        """Values at ``indices`` along ``dim`` (of the flattened tensor when None); the other
        dimensions of ``self`` and ``indices`` broadcast, as ``numpy.take_along_axis``."""
        if dim is None:
            return self.reshape(-1).gather(0, indices.reshape(-1))
        d = normalize_dim(dim, self.ndim, "take_along_dim")
        idx = self._index_array(indices, "take_along_dim")
        if idx.ndim != self.ndim:
            raise RuntimeError(
                f"take_along_dim(): input and indices should have the same number of "
                f"dimensions, but got {self.ndim} dimensions and {idx.ndim} dimensions"
            )
        shape = list(
            _broadcast_shape("take_along_dim", _with(self.shape, d, 1), _with(idx.shape, d, 1))
        )
        source = self.expand(_with(tuple(shape), d, self.shape[d]))
        xp = backend_of(self._array).xp
        idx = xp.broadcast_to(idx, _with(tuple(shape), d, idx.shape[d]))
        return source.gather(d, new_tensor(idx))

    def take(self, index: Tensor) -> Tensor:
        """The entries of the flattened tensor at ``index``; the result has ``index``'s shape."""
        idx = self._index_array(index, "take")
        _check_index_bounds(idx, self.numel(), "take", 0)
        return shape_ops.Index.apply(self.reshape(-1), (idx,), True)

    def nonzero(self, *, as_tuple: builtins.bool = False) -> Any:
        """The indices of the non-zero entries: an (n, ndim) int64 tensor, or with
        ``as_tuple`` one 1-D tensor per dimension (what ``where(condition)`` returns)."""
        xp = backend_of(self._array).xp
        array = self._array if self.ndim else self._array.reshape(1)
        found = tuple(i.astype(np.int64) for i in xp.nonzero(array))
        if as_tuple:
            return tuple(new_tensor(i) for i in found)
        if not self.ndim:
            return new_tensor(xp.zeros((found[0].shape[0], 0), dtype=np.int64))
        return new_tensor(xp.stack(found, axis=1))

    def argwhere(self) -> Tensor:
        """The indices of the non-zero entries as an (n, ndim) int64 tensor."""
        return self.nonzero()

    def select(self, dim: builtins.int, index: builtins.int) -> Tensor:
        """The slice at ``index`` along ``dim``, that dimension removed (a view)."""
        d = normalize_dim(dim, self.ndim, "select")
        n = self.shape[d]
        if not -n <= int(index) < n:
            raise IndexError(
                f"select(): index {index} out of range for tensor of size {self.shape} at "
                f"dimension {d}"
            )
        return shape_ops.Index.apply(self, (slice(None),) * d + (int(index),), False)

    def sort(
        self,
        dim: builtins.int = -1,
        descending: builtins.bool = False,
        stable: builtins.bool = False,
    ) -> Any:
        """``(values, indices)`` sorted along ``dim``; the sort is always stable here (equal
        values keep their order) and NaN counts as the largest value."""
        if self.ndim == 0:
            normalize_dim(dim, 0, "sort")
            zero = backend_of(self._array).xp.zeros((), dtype=np.int64)
            return ValuesIndices(shape_ops.Reshape.apply(self, ()), new_tensor(zero))
        d = normalize_dim(dim, self.ndim, "sort")
        order = indexing.stable_argsort(self._array, d, descending).astype(np.int64)
        return ValuesIndices(
            shape_ops.Index.apply(self, indexing.dim_key(order, d), True), new_tensor(order)
        )

    def argsort(
        self,
        dim: builtins.int = -1,
        descending: builtins.bool = False,
        stable: builtins.bool = False,
    ) -> Tensor:
        """The indices that sort the tensor along ``dim`` (see :meth:`sort`)."""
        return self.sort(dim, descending, stable).indices

    def msort(self) -> Tensor:
        """The values sorted along dimension 0."""
        return self.sort(0).values

    def topk(
        self,
        k: builtins.int,
        dim: builtins.int = -1,
        largest: builtins.bool = True,
        sorted: builtins.bool = True,
    ) -> Any:
        """``(values, indices)`` of the ``k`` largest (or smallest) entries along ``dim``,
        in sorted order."""
        n = self.shape[normalize_dim(dim, self.ndim, "topk")] if self.ndim else 1
        k = _int_arg(k, "k", "topk")
        if not isinstance(k, int | np.integer) or not 0 <= k <= n:
            raise RuntimeError(f"topk(): selected index k={k} out of range (size {n} along dim)")
        values, indices = self.sort(dim, descending=largest, stable=True)
        if self.ndim == 0:
            return ValuesIndices(values, indices)
        return ValuesIndices(values.narrow(dim, 0, k), indices.narrow(dim, 0, k))

    def kthvalue(
        self, k: builtins.int, dim: builtins.int = -1, keepdim: builtins.bool = False
    ) -> Any:
        """``(values, indices)`` of the ``k``-th smallest entry (1-based) along ``dim``."""
        n = self.shape[normalize_dim(dim, self.ndim, "kthvalue")] if self.ndim else 1
        if n == 0:
            self._check_nonempty("kthvalue", normalize_dim(dim, self.ndim, "kthvalue"))
        k = _int_arg(k, "k", "kthvalue")
        if not isinstance(k, int | np.integer) or not 1 <= k <= n:
            raise RuntimeError(
                f"kthvalue(): selected number k={k} out of range (size {n} along dim)"
            )
        values, indices = self.sort(dim, stable=True)
        if self.ndim == 0:
            return ValuesIndices(values, indices)
        values, indices = values.select(dim, k - 1), indices.select(dim, k - 1)
        if keepdim:
            values, indices = values.unsqueeze(dim), indices.unsqueeze(dim)
        return ValuesIndices(values, indices)

    def unique(
        self,
        sorted: builtins.bool = True,
        return_inverse: builtins.bool = False,
        return_counts: builtins.bool = False,
        dim: builtins.int | None = None,
    ) -> Any:
        """The distinct values (sorted), with ``return_inverse`` where each entry went and
        with ``return_counts`` how often each occurs; with ``dim``, distinct slices."""
        xp = backend_of(self._array).xp
        if dim is not None and self.ndim == 0:
            raise IndexError(f"unique(): dimension specified as {dim} but tensor has no dimensions")
        axis = None if dim is None else normalize_dim(dim, self.ndim, "unique")
        found = xp.unique(self._array, return_inverse=True, return_counts=True, axis=axis)
        values = new_tensor(found[0])
        inverse_shape = self.shape if axis is None else (self.shape[axis],)
        inverse = new_tensor(found[1].reshape(inverse_shape).astype(np.int64))
        counts = new_tensor(found[2].astype(np.int64))
        extra = ([inverse] if return_inverse else []) + ([counts] if return_counts else [])
        return (values, *extra) if extra else values

    @property
    def mT(self) -> Tensor:
        """The last two dimensions swapped (a view): a batch of transposed matrices."""
        if self.ndim < 2:
            raise RuntimeError(
                "tensor.mT is only supported on matrices or batches of matrices. Got "
                f"{self.ndim}-D tensor."
            )
        return self.transpose(-2, -1)

    mH = mT  # real tensors: the conjugate transpose is the transpose

    def adjoint(self) -> Tensor:
        """The conjugate transpose of the last two dimensions (a view; ``mT`` for real tensors)."""
        return self.mH

    @property
    def H(self) -> Tensor:
        """The conjugate transpose of a matrix (a view; ``T`` for real 2-D tensors)."""
        if self.ndim not in (0, 2):
            raise RuntimeError(
                f"tensor.H is only supported on matrices (2-D tensors). Got {self.ndim}-D tensor."
            )
        return self.T

    def unflatten(self, dim: builtins.int, sizes: Sequence[builtins.int]) -> Tensor:
        """Dimension ``dim`` split into ``sizes`` (one of them may be -1)."""
        d = normalize_dim(dim, self.ndim, "unflatten")
        sizes = _shape_arg((sizes,), "unflatten")
        if not sizes:
            raise RuntimeError("unflatten: sizes must be non-empty")
        known = math.prod(n for n in sizes if n != -1)
        n = self.shape[d]
        if sizes.count(-1) > 1 or (known != n if -1 not in sizes else known == 0 or n % known):
            raise RuntimeError(
                f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of dim "
                f"{d} ({n}) in the input tensor"
            )
        sizes = tuple(n // known if s == -1 else s for s in sizes)
        return self.reshape(self.shape[:d] + sizes + self.shape[d + 1 :])

    def repeat(self, *sizes: Any, repeats: Any = None) -> Tensor:
        """The tensor tiled ``sizes[i]`` times along dimension i (``numpy.tile``); leading
        sizes add dimensions. The gradient sums the copies."""
        if repeats is not None:
            sizes = _sizes_or_keyword(sizes, repeats, "repeats", "repeat")
        sizes = _shape_arg(sizes, "repeat")
        if len(sizes) < self.ndim:
            raise RuntimeError(
                "Number of dimensions of repeat dims can not be smaller than number of "
                f"dimensions of tensor ({len(sizes)} < {self.ndim})"
            )
        if any(n < 0 for n in sizes):
            raise RuntimeError(f"repeat(): sizes must be non-negative, got {sizes}")
        shape = (1,) * (len(sizes) - self.ndim) + self.shape
        interleaved = tuple(x for n in shape for x in (1, n))
        target = tuple(x for r, n in zip(sizes, shape, strict=True) for x in (r, n))
        spread = shape_ops.Expand.apply(self.reshape(interleaved), target)
        return spread.reshape(tuple(r * n for r, n in zip(sizes, shape, strict=True)))

    def tile(self, *args: Any, dims: Any = None) -> Tensor:
        """:meth:`repeat`, with fewer ``dims`` than dimensions padded by leading 1s."""
        if dims is not None:
            args = _sizes_or_keyword(args, dims, "dims", "tile")
        dims = _shape_arg(args, "tile")
        return self.repeat((1,) * (self.ndim - len(dims)) + dims)

    def repeat_interleave(
        self,
        repeats: Any,
        dim: builtins.int | None = None,
        *,
        output_size: builtins.int | None = None,
    ) -> Tensor:
        """Each entry repeated ``repeats`` times (an int, or one count per entry) along
        ``dim`` (of the flattened tensor when None)."""
        source = self.reshape(-1) if dim is None else self
        d = 0 if dim is None else normalize_dim(dim, self.ndim, "repeat_interleave")
        n = source.shape[d] if source.ndim else 1
        if isinstance(repeats, Tensor) and repeats.numel() == 1 and repeats.ndim == 0:
            repeats = int(repeats.item())
        if isinstance(repeats, int | np.integer):
            if repeats < 0:
                raise RuntimeError(
                    f"repeat_interleave: repeats must be non-negative, got {repeats}"
                )
            counts = np.full(n, int(repeats))
        else:
            counts = _host_array(repeats).reshape(-1)
            if counts.dtype.kind not in "iu" or (counts.size and counts.min() < 0):
                raise RuntimeError("repeat_interleave: repeats must be non-negative integers")
            if counts.size != n:
                raise RuntimeError(
                    f"repeat_interleave: repeats must have the same size as input along dim, "
                    f"but got repeats of size {counts.size} and input size {n}"
                )
        if output_size is not None and int(counts.sum()) != output_size:
            raise RuntimeError(
                f"repeat_interleave: output_size {output_size} differs from the total "
                f"{int(counts.sum())} of repeats"
            )
        index = np.repeat(np.arange(n), counts)
        return source.index_select(
            d, new_tensor(backend_of(self._array).from_host(index, self.device))
        )

    def unbind(self, dim: builtins.int = 0) -> tuple[Tensor, ...]:
        """The slices along ``dim`` (views), that dimension removed."""
        d = normalize_dim(dim, self.ndim, "unbind")
        return tuple(self.select(d, i) for i in range(self.shape[d]))

    def diff(
        self, n: builtins.int = 1, dim: builtins.int = -1, prepend: Any = None, append: Any = None
    ) -> Tensor:
        """The n-th forward difference along ``dim``: out[i] = x[i + 1] - x[i], n times
        (after joining ``prepend`` and ``append`` to the ends)."""
        d = normalize_dim(dim, self.ndim, "diff")
        n = _int_arg(n, "n", "diff")
        if not isinstance(n, builtins.int | np.integer) or isinstance(n, builtins.bool):
            raise TypeError(f"diff(): argument 'n' must be int, not {type(n).__name__}")
        if n < 0:
            raise RuntimeError(f"diff(): order must be non-negative but got {n}")
        from minigrad.functional import cat

        x = cat([t for t in (prepend, self, append) if t is not None], d)
        for _ in range(n):
            length = x.shape[d]
            if length == 0:
                break
            x = x.narrow(d, 1, length - 1) - x.narrow(d, 0, length - 1)
        return x

    def rot90(self, k: builtins.int = 1, dims: Sequence[builtins.int] = (0, 1)) -> Tensor:
        """Rotate by 90° k times in the plane of ``dims`` (from the first axis towards the
        second, as PyTorch)."""
        if len(dims) != 2:
            raise RuntimeError(f"rot90: expected total rotation dims == 2, but got {len(dims)}")
        d0, d1 = (normalize_dim(d, self.ndim, "rot90") for d in dims)
        if d0 == d1:
            raise RuntimeError(f"rot90: expected rotation dims to be different, got {dims}")
        k %= 4
        if k == 1:
            return self.flip(d1).transpose(d0, d1)
        if k == 2:
            return self.flip(d0, d1)
        if k == 3:
            return self.flip(d0).transpose(d0, d1)
        return self.clone()

    def bincount(self, weights: Tensor | None = None, minlength: builtins.int = 0) -> Tensor:
        """How often each value 0, 1, ... occurs in this 1-D int tensor (or the sum of
        ``weights`` there); not differentiable, as in PyTorch."""
        if self.ndim != 1 or self.dtype.kind not in "iu":
            raise RuntimeError(
                f"bincount only supports 1-d non-negative integral inputs, got shape "
                f"{self.shape} and dtype {self.dtype}"
            )
        if self.numel() and builtins.int(self._array.min()) < 0:
            raise RuntimeError("bincount only supports 1-d non-negative integral inputs")
        xp = backend_of(self._array).xp
        if weights is not None and (not isinstance(weights, Tensor) or weights.shape != self.shape):
            what = (
                f"shape {tuple(weights.shape)}"
                if isinstance(weights, Tensor)
                else type(weights).__name__
            )
            raise RuntimeError(
                f"bincount(): weights should be 1-d and have the same length as input "
                f"({self.shape[0]}), got {what}"
            )
        w = None if weights is None else weights.detach()._array
        counts = xp.bincount(self._array, weights=w, minlength=minlength)
        return new_tensor(counts.astype(np.int64 if w is None else w.dtype))

    def isin(self, test_elements: Any, *, invert: builtins.bool = False) -> Tensor:
        """Whether each element occurs in ``test_elements`` (a tensor or a number)."""
        xp = backend_of(self._array).xp
        other = test_elements if isinstance(test_elements, Tensor) else self._operand(test_elements)
        values = other._array if isinstance(other, Tensor) else xp.asarray(other)
        return new_tensor(xp.isin(self._array, values, invert=invert))

    def flip(self, *args: Any, dims: Any = None) -> Tensor:
        """A copy with the order of entries reversed along ``dims``: ``flip(0, 1)``,
        ``flip((0, 1))`` or ``flip(dims=(0, 1))``."""
        if dims is not None:
            args = _sizes_or_keyword(args, dims, "dims", "flip")
        chosen = args[0] if len(args) == 1 and isinstance(args[0], Sequence) else args
        axes = _normalize_dims(tuple(chosen), self.ndim, "flip") or ()
        return shape_ops.Flip.apply(self, axes)

    def fliplr(self) -> Tensor:
        """Reverse the columns (dimension 1) of a tensor with at least 2 dimensions."""
        if self.ndim < 2:
            raise RuntimeError("fliplr: Input must be >= 2-d.")
        return self.flip(1)

    def flipud(self) -> Tensor:
        """Reverse the rows (dimension 0) of a tensor with at least 1 dimension."""
        if self.ndim < 1:
            raise RuntimeError("flipud: Input must be >= 1-d.")
        return self.flip(0)

    def roll(self, shifts: Any, dims: Any = None) -> Tensor:
        """Entries shifted cyclically by ``shifts`` along ``dims`` (of the flattened tensor,
        shape kept, when ``dims`` is None)."""
        if isinstance(shifts, Tensor) and shifts.ndim == 0:
            shifts = _int_arg(shifts, "shifts", "roll")
        if isinstance(dims, Tensor) and dims.ndim == 0:
            dims = _int_arg(dims, "dims", "roll")
        single = isinstance(shifts, int | np.integer)
        shift = (int(shifts),) if single else tuple(int(s) for s in shifts)
        if dims is None:
            if len(shift) != 1:
                raise RuntimeError(f"roll: shifts {shifts} need dims when more than one is given")
            return shape_ops.Roll.apply(self, shift[0], None)
        axes = (dims,) if isinstance(dims, int | np.integer) else tuple(dims)
        if len(axes) != len(shift):
            raise RuntimeError(
                f"roll: shifts and dimensions must align. shifts: {len(shift)}, dims: {len(axes)}"
            )
        if self.ndim == 0:
            raise IndexError(f"roll: dimension specified as {dims} but tensor has no dimensions")
        axes = tuple(normalize_dim(a, self.ndim, "roll") for a in axes)
        return shape_ops.Roll.apply(self, shift, axes)

    def narrow(self, dim: builtins.int, start: Any, length: builtins.int) -> Tensor:
        """The entries from ``start`` to ``start + length - 1`` along ``dim`` (a view)."""
        if self.ndim == 0:
            raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
        d = normalize_dim(dim, self.ndim, "narrow")
        n = self.shape[d]
        start = int(start)
        if not -n <= start <= n:
            raise IndexError(
                f"narrow(): start ({start}) is out of bounds of dimension {d} of size {n}"
            )
        start %= n + 1 if start >= 0 else n
        if length < 0 or start + length > n:
            raise RuntimeError(
                f"narrow(): start ({start}) + length ({length}) exceeds dimension size ({n})."
            )
        return shape_ops.Index.apply(
            self, (slice(None),) * d + (slice(start, start + length),), False
        )

    def movedim(self, source: Any, destination: Any) -> Tensor:
        """Dimensions ``source`` moved to positions ``destination``; the others keep their
        order (a view)."""
        src = (source,) if isinstance(source, int | np.integer) else tuple(source)
        dst = (destination,) if isinstance(destination, int | np.integer) else tuple(destination)
        if len(src) != len(dst):
            raise RuntimeError(
                f"movedim: Invalid source or destination dims: source ({list(src)} dims) should "
                f"contain the same number of dims as destination ({list(dst)} dims)"
            )
        src = tuple(normalize_dim(s, self.ndim, "movedim") for s in src)
        dst = tuple(normalize_dim(s, self.ndim, "movedim") for s in dst)
        if len(set(src)) != len(src) or len(set(dst)) != len(dst):
            raise RuntimeError("movedim: repeated dim in source or destination")
        if self.ndim == 0:  # dim 0 (or -1) of a scalar: the scalar itself, as a view
            return shape_ops.Permute.apply(self, ())
        order = [i for i in range(self.ndim) if i not in src]
        for s, t in sorted(zip(dst, src, strict=True)):
            order.insert(s, t)
        return shape_ops.Permute.apply(self, tuple(order))

    moveaxis = movedim

    def reshape_as(self, other: Tensor) -> Tensor:
        """The same elements in ``other``'s shape."""
        return self.reshape(other.shape)

    def broadcast_to(self, *size: Any) -> Tensor:
        """A view broadcast to ``size`` (:meth:`expand`)."""
        return self.expand(*size)

    def _triangle(self, diagonal: builtins.int, lower: builtins.bool, op: str) -> Tensor:
        if self.ndim < 2:
            raise RuntimeError(f"{op}: input tensor must have at least 2 dimensions")
        mask = indexing.triangle_mask(backend_of(self._array).xp, self.shape, diagonal, lower)
        return elementwise.Where.apply(mask, self, self._array.dtype.type(0))

    def tril(self, diagonal: builtins.int = 0) -> Tensor:
        """The lower triangle of the last two dimensions: entries (i, j) with
        j - i ≤ ``diagonal`` kept, the rest zero."""
        return self._triangle(diagonal, True, "tril")

    def triu(self, diagonal: builtins.int = 0) -> Tensor:
        """The upper triangle of the last two dimensions: entries (i, j) with
        j - i ≥ ``diagonal`` kept, the rest zero."""
        return self._triangle(diagonal, False, "triu")

    def tril_(self, diagonal: builtins.int = 0) -> Tensor:
        """:meth:`tril` in place."""
        return self._inplace_form("tril_", Tensor.tril, diagonal)

    def triu_(self, diagonal: builtins.int = 0) -> Tensor:
        """:meth:`triu` in place."""
        return self._inplace_form("triu_", Tensor.triu, diagonal)

    def diagonal(
        self, offset: builtins.int = 0, dim1: builtins.int = 0, dim2: builtins.int = 1
    ) -> Tensor:
        """The entries (i, i + offset) of the planes (dim1, dim2), as the last dimension
        of a view."""
        d1 = normalize_dim(dim1, self.ndim, "diagonal")
        d2 = normalize_dim(dim2, self.ndim, "diagonal")
        if d1 == d2:
            raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
        return shape_ops.Diagonal.apply(self, int(offset), d1, d2)

    def diag_embed(
        self, offset: builtins.int = 0, dim1: builtins.int = -2, dim2: builtins.int = -1
    ) -> Tensor:
        """A tensor whose planes (dim1, dim2) hold the last dimension of ``self`` on their
        ``offset``-th diagonal, zeros elsewhere."""
        ndim = self.ndim + 1
        d1 = normalize_dim(dim1, ndim, "diag_embed")
        d2 = normalize_dim(dim2, ndim, "diag_embed")
        if d1 == d2:
            raise RuntimeError(
                f"diag_embed: diagonal dimensions cannot be identical {dim1}, {dim2}"
            )
        if self.ndim == 0:
            raise RuntimeError("diag_embed: input must have at least 1 dimension")
        side = self.shape[-1] + abs(int(offset))
        rest = iter(self.shape[:-1])
        shape = tuple(side if i in (d1, d2) else next(rest) for i in range(ndim))
        return shape_ops.DiagEmbed.apply(self, shape, int(offset), d1, d2)

    def diag(self, diagonal: builtins.int = 0) -> Tensor:
        """A 1-D tensor as the ``diagonal``-th diagonal of a square matrix, or a copy of the
        ``diagonal``-th diagonal of a matrix."""
        if self.ndim == 1:
            return self.diag_embed(diagonal, 0, 1)
        if self.ndim != 2:
            raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {self.ndim}D")
        return self.diagonal(diagonal).clone()

    def trace(self) -> Tensor:
        """The sum of the main diagonal of a matrix."""
        if self.ndim != 2:
            raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {self.ndim}")
        return self.diagonal().sum()

    # ------------------------------------------------------------------ PyTorch methods (more)
    def _divide_rounded(self, other: Any, mode: Any) -> Tensor:
        """``div`` with a ``rounding_mode``: PyTorch's promoted dtype, integers by zero refused."""
        if mode not in ("trunc", "floor"):
            raise RuntimeError(
                "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
                f"{mode!r}"
            )
        x, y = self._with_operand(other, wrap=True)
        if x.dtype.kind == "b" and getattr(y, "dtype", np.dtype(type(y))).kind == "b":
            raise NotImplementedError(f'"div_{mode}" not implemented for bool tensors')
        divisor = y._array if isinstance(y, Tensor) else np.asarray(y)  # a number: on the host
        if divisor.dtype.kind in "biu" and not bool((divisor != 0).all()):
            raise RuntimeError("ZeroDivisionError: div() of integers by zero")
        return elementwise.DivRounded.apply(x, y, mode)

    def divide(self, other: Any, *, rounding_mode: str | None = None) -> Tensor:
        """Alias of :meth:`div`."""
        return self.div(other, rounding_mode=rounding_mode)

    def divide_(self, other: Any, *, rounding_mode: str | None = None) -> Tensor:
        """Alias of :meth:`div_`."""
        return self.div_(other, rounding_mode=rounding_mode)

    def true_divide(self, other: Any) -> Tensor:
        """self / other, true division (integers give the default float dtype): :meth:`div`
        without a rounding mode."""
        return self / other

    def true_divide_(self, other: Any) -> Tensor:
        """:meth:`true_divide` in place."""
        return self.div_(other)

    def float_power(self, exponent: Any) -> Tensor:
        """selfᵉˣᵖᵒⁿᵉⁿᵗ computed in float64: both operands are cast to float64 first, so the
        result is float64 whatever their dtypes. d/dx xʸ = y xʸ⁻¹, d/dy xʸ = xʸ log x."""
        base = self if self.dtype == float64 else self._cast(float64)
        if isinstance(exponent, Tensor):
            check_same_device("float_power", (self, exponent))
            exponent = exponent if exponent.dtype == float64 else exponent._cast(float64)
        elif isinstance(exponent, (*_PY_SCALARS, np.generic)):
            exponent = builtins.float(exponent)
        return base**exponent

    def float_power_(self, exponent: Any) -> Tensor:
        """:meth:`float_power` in place: only a float64 tensor can hold the result."""
        if self.dtype != float64:
            raise RuntimeError(
                f"the base given to float_power_ has dtype {self.dtype} but the operation's "
                "result requires dtype float64"
            )
        if isinstance(exponent, Tensor) and exponent.dtype != float64:
            exponent = exponent._cast(float64)
        return self.pow_(exponent)

    def _fminmax(self, other: Any, op: builtins.type[Op], name: str) -> Tensor:
        if not isinstance(other, Tensor):
            raise TypeError(
                f"{name}(): argument 'other' (position 2) must be Tensor, not "
                f"{type(other).__name__}"
            )
        return self._binary(op, other)

    def fmax(self, other: Tensor) -> Tensor:
        """max(self, other) element-wise ignoring NaN: where one is NaN the other (NaN only
        where both are). The gradient goes whole to ``self`` where self ≥ other or other is
        NaN, else to ``other`` (ties: to self, as PyTorch)."""
        return self._fminmax(other, elementwise.Fmax, "fmax")

    def fmin(self, other: Tensor) -> Tensor:
        """min(self, other) element-wise ignoring NaN: where one is NaN the other (NaN only
        where both are). The gradient goes whole to ``self`` where self ≤ other or other is
        NaN, else to ``other`` (ties: to self, as PyTorch)."""
        return self._fminmax(other, elementwise.Fmin, "fmin")

    def _shift(self, other: Any, left: builtins.bool, reflected: builtins.bool = False) -> Tensor:
        """self << other (``left``) or self >> other on integer tensors (PyTorch's promotion);
        a shift by a negative amount or by at least the bit width gives 0 (-1 for a right
        shift of a negative value), as PyTorch."""
        name = "lshift" if left else "rshift"
        x, y = self._with_operand(other)
        kinds = {x.dtype.kind, getattr(y, "dtype", np.dtype(type(y))).kind}
        if not kinds <= set("biu") or kinds == {"b"}:
            dtypes = [str(x.dtype), str(getattr(y, "dtype", type(y).__name__))]
            raise NotImplementedError(f'"{name}" not implemented for {" and ".join(dtypes)}')
        a, b = x._array, (y._array if isinstance(y, Tensor) else y)
        if isinstance(y, Tensor) and type(b) is not type(a):
            check_same_device(name, (x, y))
        if reflected:
            a, b = b, a
        xp = backend_of(x._array).xp
        return new_tensor(xp.asarray((xp.left_shift if left else xp.right_shift)(a, b)))

    def bitwise_left_shift(self, other: Any) -> Tensor:
        """self << other element-wise on integer tensors: self · 2ᵒᵗʰᵉʳ wrapped to the dtype
        (0 for a shift by a negative amount or by at least the bit width)."""
        return self._shift(other, True)

    def bitwise_right_shift(self, other: Any) -> Tensor:
        """self >> other element-wise on integer tensors: ⌊self / 2ᵒᵗʰᵉʳ⌋ (an arithmetic
        shift; a shift by a negative amount or by at least the bit width gives 0 or -1)."""
        return self._shift(other, False)

    def __lshift__(self, other: Any) -> Tensor:
        return self._shift(other, True)

    def __rshift__(self, other: Any) -> Tensor:
        return self._shift(other, False)

    def __rlshift__(self, other: Any) -> Tensor:
        return self._shift(other, True, reflected=True)

    def __rrshift__(self, other: Any) -> Tensor:
        return self._shift(other, False, reflected=True)

    def bitwise_left_shift_(self, other: Any) -> Tensor:
        """:meth:`bitwise_left_shift` in place."""
        return self._apply_("bitwise_left_shift_", lambda t: t.bitwise_left_shift(other))

    def bitwise_right_shift_(self, other: Any) -> Tensor:
        """:meth:`bitwise_right_shift` in place."""
        return self._apply_("bitwise_right_shift_", lambda t: t.bitwise_right_shift(other))

    def __ilshift__(self, other: Any) -> Tensor:
        return self.bitwise_left_shift_(other)

    def __irshift__(self, other: Any) -> Tensor:
        return self.bitwise_right_shift_(other)

    def byte(self, memory_format: Any = None) -> Tensor:
        """This tensor as uint8 (floats truncate toward 0 and wrap modulo 256)."""
        return self.to("uint8")

    def char(self, memory_format: Any = None) -> Tensor:
        """This tensor as int8 (floats truncate toward 0 and wrap)."""
        return self.to("int8")

    def short(self, memory_format: Any = None) -> Tensor:
        """This tensor as int16 (floats truncate toward 0 and wrap)."""
        return self.to("int16")

    def new(self, *args: Any, device: Any = None) -> Tensor:
        """PyTorch's legacy constructor, with this tensor's dtype (and device unless
        ``device`` is given): ``x.new(2, 3)`` or ``x.new(Size)`` a tensor of that shape
        (uninitialised in PyTorch; zeros here), ``x.new(data)`` a copy of the sequence
        ``data``, ``x.new()`` an empty 1-D tensor, ``x.new(t)`` a new tensor sharing the
        memory of ``t`` (of this dtype and device)."""
        from minigrad.creation import tensor as make_tensor
        from minigrad.creation import zeros
        from minigrad.size import Size as _Size

        where = self.device if device is None else device
        if not args:
            return zeros(0, dtype=self.dtype, device=where)
        first = args[0]
        if len(args) == 1 and isinstance(first, Tensor):
            if first.dtype != self.dtype or first.device != self.device:
                raise TypeError(
                    f"new(): expected a tensor of dtype {self.dtype} on {self.device}, got "
                    f"{first.dtype} on {first.device}"
                )
            return Tensor(first)
        sizes = all(isinstance(n, int | np.integer) and not isinstance(n, bool) for n in args)
        if sizes or (len(args) == 1 and isinstance(first, _Size)):
            return zeros(_shape_arg(args, "new"), dtype=self.dtype, device=where)
        if len(args) == 1:
            if isinstance(first, builtins.float | builtins.bool | complex):
                raise TypeError(f"new(): data must be a sequence (got {type(first).__name__})")
            return make_tensor(first, dtype=self.dtype, device=where)
        raise TypeError(f"new(): expected sizes (ints) or one sequence of data, got {args!r}")

    def unique_consecutive(
        self,
        return_inverse: builtins.bool = False,
        return_counts: builtins.bool = False,
        dim: builtins.int | None = None,
    ) -> Any:
        """Every run of equal consecutive elements (of the flattened tensor; with ``dim``, of
        equal consecutive slices along ``dim``) kept once, in order; ``return_inverse``: the
        run each element (slice) belongs to, ``return_counts``: the length of each run."""
        xp = backend_of(self._array).xp
        a = self._array
        if dim is None:
            flat = a.reshape(-1)
            change = flat[1:] != flat[:-1]
            length = flat.shape[0]
        else:
            d = normalize_dim(dim, self.ndim, "unique_consecutive")
            width = math.prod(a.shape) // a.shape[d] if a.shape[d] else 0
            rows = xp.moveaxis(a, d, 0).reshape(a.shape[d], width) if self.ndim else a.reshape(1, 1)
            change = (rows[1:] != rows[:-1]).any(axis=1)
            length = rows.shape[0]
        starts = xp.concatenate([xp.ones(min(length, 1), dtype=bool), change])
        first = xp.nonzero(starts)[0]
        if dim is None:
            values = flat[first]
            inverse_shape: tuple[builtins.int, ...] = tuple(self.shape)
        else:
            values = xp.take(a, first, axis=d) if self.ndim else a.reshape(1)
            inverse_shape = (length,)
        result = [new_tensor(values)]
        if return_inverse:
            inverse = (xp.cumsum(starts) - 1).astype(np.int64)
            result.append(new_tensor(inverse.reshape(inverse_shape)))
        if return_counts:
            bounds = xp.concatenate([first, xp.full(1, length, dtype=first.dtype)])
            result.append(new_tensor(xp.diff(bounds).astype(np.int64)))
        return tuple(result) if len(result) > 1 else result[0]

    def histc(self, bins: builtins.int = 100, min: Any = 0, max: Any = 0) -> Tensor:
        """The histogram of the elements in ``bins`` equal bins over [min, max] (a tensor of
        this dtype): element v goes to bin ⌊(v - min) · bins / (max - min)⌋, v = max to the
        last; elements outside [min, max] (and NaN) are left out. With min = max (the
        default 0, 0), the range is the data's [smallest, largest] (widened by 1 either way
        if those are equal). Not differentiable, as PyTorch's."""
        if not is_floating(self.dtype):
            raise NotImplementedError(f"histc(): not implemented for {self.dtype} tensors")
        if bins <= 0:
            raise RuntimeError(f"histc(): bins must be > 0, but got {bins}")
        low, high = builtins.float(min), builtins.float(max)
        a = self._array.reshape(-1)
        if low == high and a.size:
            low, high = builtins.float(a.min()), builtins.float(a.max())
        if low == high:
            low, high = low - 1, high + 1
        if not (math.isfinite(low) and math.isfinite(high)):
            raise RuntimeError(f"histc(): range of [{low}, {high}] is not finite")
        if not low < high:
            raise RuntimeError("histc(): max must be larger than min")
        xp = backend_of(a).xp
        scalar = a.dtype.type
        left, right = scalar(low), scalar(high)
        inside = (a >= left) & (a <= right)
        with np.errstate(invalid="ignore", over="ignore"):
            position = (xp.where(inside, a, left) - left) * scalar(bins) / (right - left)
        position = xp.minimum(position.astype(np.int64), bins - 1)
        position = xp.where(inside, position, bins)  # the left-out values: one bin past the end
        counts = xp.bincount(position, minlength=bins + 1)[:bins]
        return new_tensor(counts.astype(self.dtype))

    def renorm(self, p: Any, dim: builtins.int, maxnorm: Any) -> Tensor:
        """Each slice along ``dim`` (``x.select(dim, i)``) whose p-norm exceeds ``maxnorm``
        scaled down to that norm: x · where(‖xᵢ‖ₚ > maxnorm, maxnorm / (‖xᵢ‖ₚ + 1e-7), 1).
        Differentiable, also through the norm (as PyTorch's)."""
        if self.ndim < 2:
            raise RuntimeError(
                f"renorm: input needs at least 2 dimensions, got {self.ndim} dimensions"
            )
        if not p > 0:
            raise RuntimeError("renorm: non-positive-norm not supported")
        if maxnorm < 0:
            raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm}")
        if not is_floating(self.dtype):
            raise RuntimeError(f"renorm: expected a floating point tensor, got {self.dtype}")
        d = normalize_dim(dim, self.ndim, "renorm")
        norm = self.norm(p, tuple(i for i in range(self.ndim) if i != d), keepdim=True)
        factor = maxnorm / (norm + 1e-7)
        return self * factor.where(norm > maxnorm, factor.new_ones(()))

    def renorm_(self, p: Any, dim: builtins.int, maxnorm: Any) -> Tensor:
        """:meth:`renorm` in place."""
        return self._apply_("renorm_", lambda t: t.renorm(p, dim, maxnorm))

    def logcumsumexp(self, dim: builtins.int) -> Tensor:
        """yᵢ = log Σ_{j≤i} e^(xⱼ) along ``dim``, computed stably (a scan of logaddexp);
        dxⱼ = Σ_{i≥j} dyᵢ e^(xⱼ - yᵢ)."""
        if not is_floating(self.dtype):
            raise NotImplementedError(f"logcumsumexp(): not implemented for {self.dtype} tensors")
        d = normalize_dim(dim, self.ndim, "logcumsumexp")
        if self.ndim == 0:
            return reduction.LogCumSumExp.apply(self.reshape(1), 0).reshape(())
        return reduction.LogCumSumExp.apply(self, d)

    def erfinv(self) -> Tensor:
        """erfinv(x), the y with erf(y) = x, element-wise (±inf at ±1, NaN beyond);
        dy = √π/2 · e^(y²) dx. Integers and bools become float32."""
        return self._unary_float(activation.Erfinv, "erfinv")

    def erfinv_(self) -> Tensor:
        """:meth:`erfinv` in place."""
        return self._apply_("erfinv_", Tensor.erfinv)

    def unfold(self, dimension: builtins.int, size: builtins.int, step: builtins.int) -> Tensor:
        """A view of every window of length ``size`` along ``dimension``, one every ``step``
        elements: that dimension becomes the (n - size) // step + 1 windows and a new last
        dimension of length ``size`` holds each window. The gradient adds the windows back
        (overlapping windows sum)."""
        d = normalize_dim(dimension, self.ndim, "unfold")
        length = self.shape[d] if self.ndim else 1
        if size < 0:
            raise RuntimeError(f"size is {size} but must be >= 0")
        if size > length:
            raise RuntimeError(
                f"maximum size for tensor at dimension {d} is {length} but size is {size}"
            )
        if step <= 0:
            raise RuntimeError(f"step is {step} but must be > 0")
        if self.ndim == 0:
            return shape_ops.Unfold.apply(self.reshape(1), 0, int(size), int(step)).reshape(size)
        return shape_ops.Unfold.apply(self, d, int(size), int(step))


# ---------------------------------------------------------------------- helpers
# PyTorch's C++ and ScalarType names of the dtypes, for its matrix-product messages
_CPP_NAMES = {
    "float32": ("float", "Float"),
    "float64": ("double", "Double"),
    "float16": ("c10::Half", "Half"),
    "int64": ("long int", "Long"),
    "int32": ("int", "Int"),
    "int16": ("short int", "Short"),
    "int8": ("signed char", "Char"),
    "uint8": ("unsigned char", "Byte"),
    "bool": ("bool", "Bool"),
}


def _mismatched_dtypes(op: str, a: Tensor, b: Tensor) -> None:
    """Raise PyTorch's error for a matrix product of two dtypes (it does not promote)."""
    (cpp_a, name_a), (cpp_b, name_b) = (
        _CPP_NAMES.get(str(t.dtype), (str(t.dtype), str(t.dtype))) for t in (a, b)
    )
    hint = (
        f" ({op}: {a.dtype} and {b.dtype}; convert one with .to(), or compute inside "
        "minigrad.autocast, which casts both)"
    )
    if op == "dot" or (op == "matmul" and a.ndim == 1 and b.ndim == 1):
        message = f"dot : expected both vectors to have same dtype, but found {name_a} and {name_b}"
    elif op == "bmm" or (op == "matmul" and max(a.ndim, b.ndim) > 2):
        message = f"expected scalar type {name_a} but found {name_b}"
    else:
        message = f"expected m1 and m2 to have the same dtype, but got: {cpp_a} != {cpp_b}"
    raise RuntimeError(message + hint)


def _promote(a: Tensor, b: Tensor, floating: bool = False) -> tuple[Tensor, Tensor]:
    """Cast two tensors to their PyTorch-promoted dtype (differentiably): a 0-d tensor
    never widens a dimensioned one of its category (float32 (3,) + float64 () is float32;
    only a higher category wins, int + float). With ``floating``, to the default float
    dtype where the promoted one is not floating (true division)."""
    x, y = a._array, b._array
    target = promote_operands(
        x.dtype, DIMENSIONED if x.ndim else ZERO_DIM, y.dtype, DIMENSIONED if y.ndim else ZERO_DIM
    )
    if floating and target.kind != "f":
        target = get_default_dtype()
    return (
        a if x.dtype == target else a._cast(target),
        b if y.dtype == target else b._cast(target),
    )


def _in_dtype(out: Tensor, dtype: np.dtype) -> Tensor:
    """A reduction's result in ``dtype``: NumPy sums and multiplies bools and small integers
    as int64 (an int8 sum asked for as int8 wraps, a bool one is whether any is nonzero)."""
    return out if out._array.dtype == dtype else new_tensor(out._array.astype(dtype))


def _number_as(value: Any, dtype: np.dtype, wrap: bool) -> Any:
    """The Python number ``value`` as a NumPy scalar of ``dtype`` (the promoted dtype of
    an operation). An integer out of an integer dtype's range wraps around with ``wrap``
    (as PyTorch's arithmetic: ``int8 + 200`` adds -56), else raises RuntimeError."""
    if dtype.kind in "iu" and type(value) is not bool and not _fits(value, dtype):
        if not wrap or not -(2**63) <= value < 2**64:
            raise RuntimeError(
                f"value {value} cannot be converted to type {dtype} without overflow"
            )
        bits = 8 * dtype.itemsize
        value %= 1 << bits
        if dtype.kind == "i" and value >= 1 << (bits - 1):
            value -= 1 << bits
    return dtype.type(value)


def _refuse_bool_subtraction(a: Tensor, b: Any) -> None:
    """PyTorch's error for a subtraction with a bool operand (tensor or number)."""
    if (
        a.dtype.kind == "b"
        or isinstance(b, bool | np.bool_)
        or (isinstance(b, Tensor) and b.dtype.kind == "b")
    ):
        both = a.dtype.kind == "b" and getattr(b, "dtype", np.dtype(bool)).kind == "b"
        raise RuntimeError(
            "Subtraction, the `-` operator, with two bool tensors is not supported. Use the "
            "`^` or `logical_xor()` operator instead."
            if both
            else "Subtraction, the `-` operator, with a bool tensor is not supported. If you "
            "are trying to invert a mask, use the `~` or `logical_not()` operator instead."
        )


def _spans(sizes: Sequence[int]) -> list[tuple[int, int]]:
    """Consecutive ``(start, stop)`` pairs for pieces of ``sizes``."""
    stops = list(itertools.accumulate(sizes))
    return list(zip([0, *stops[:-1]], stops, strict=True))


def _check_index_bounds(index: Any, size: int, op: str, dim: int) -> None:
    if index.dtype.kind == "b" or index.size == 0:
        return
    low, high = int(index.min()), int(index.max())
    if low < -size or high >= size:
        bad = high if high >= size else low
        raise IndexError(f"{op}: index {bad} is out of bounds for dimension {dim} with size {size}")


def _value_of(value: Any) -> Any:
    """The raw array of a tensor, or the value itself."""
    return value._array if isinstance(value, Tensor) else value


def _random_top(dtype: np.dtype) -> int:
    """``random_()``'s exclusive bound without ``to``: 2^(mantissa bits + 1) for floats, the
    maximum + 1 for integers, 2 for bool."""
    if dtype.kind == "f":
        return 2 ** (np.finfo(dtype).nmant + 1) + 1
    if dtype.kind == "b":
        return 2
    return int(np.iinfo(dtype).max) + 1


def _draw_dtype(dtype: np.dtype) -> np.dtype:
    """Generators draw float32 or float64; float16 draws float32 and rounds."""
    return dtype if dtype.itemsize >= 4 else float32


def _fits(value: int, dtype: np.dtype) -> bool:
    bounds = _INT_BOUNDS.get(dtype)
    if bounds is None:
        info = np.iinfo(dtype)
        bounds = _INT_BOUNDS[dtype] = (int(info.min), int(info.max))
    return bounds[0] <= value <= bounds[1]


_INT_BOUNDS: dict[np.dtype, tuple[int, int]] = {}


def _reduction_args(dim: Any, keepdim: bool, aliases: dict[str, Any], op: str) -> tuple[Any, bool]:
    """``dim``/``keepdim``, also given by NumPy's names ``axis``/``keepdims`` as PyTorch allows."""
    for name in aliases:
        if name not in ("axis", "keepdims"):
            raise TypeError(f"{op}() got an unexpected keyword argument '{name}'")
    if "axis" in aliases:
        if dim is not None:
            raise TypeError(f"{op}(): give either dim or axis, not both")
        dim = aliases["axis"]
    return dim, bool(aliases.get("keepdims", keepdim))


def _unbiased_first(
    dim: Any, unbiased: bool | None, keepdim: bool, correction: Any, op: str
) -> tuple[Any, bool | None]:
    """``(dim, unbiased)`` of ``std``/``var``: a bool where ``dim`` goes is PyTorch's
    overload ``op(input, unbiased)`` (``x.std(False)``), which takes nothing else."""
    if not isinstance(dim, bool | np.bool_):
        return dim, unbiased
    if unbiased is not None or keepdim or correction is not None:
        raise TypeError(
            f"{op}(): a bool first argument is `unbiased`, which takes no other argument; "
            "give dim, unbiased and keepdim by name"
        )
    return None, bool(dim)


def _dim_arg(dim: Any, aliases: dict[str, Any], op: str) -> Any:
    """``dim``, also given as ``axis`` (PyTorch's NumPy alias) for ops without ``keepdim``."""
    for name in aliases:
        if name != "axis":
            raise TypeError(f"{op}() got an unexpected keyword argument '{name}'")
    if dim is not None and aliases:
        raise TypeError(f"{op}(): give either dim or axis, not both")
    dim = aliases.get("axis", dim)
    if dim is None:
        raise TypeError(f"{op}() missing required argument 'dim'")
    return dim


def _scaled(other: Any, alpha: float) -> Any:
    return other if alpha == 1 else other * alpha


def _rebase_views(base: Tensor) -> None:
    """Move the live views of ``base`` onto its new history after a recorded in-place change
    of its memory: each view's node becomes its view operations replayed on ``base``, as
    PyTorch regenerates a view's ``grad_fn``. (A view taken with grad mode off stays out
    of the graph.)"""
    for view in live_views(base):
        _, steps, without_grad = view._view
        if not without_grad:
            view._take_history(view_of(namespace, base, steps).grad_fn)


def _check_result_type(op: str, result: Any, dtype: Any) -> None:
    """PyTorch's error for an in-place result of a kind this dtype cannot hold."""
    if result != dtype and not np.can_cast(result, dtype, "same_kind"):
        raise RuntimeError(
            f"{op}: result type {result} can't be cast to the desired output type {dtype}"
        )


def _assign_all(array: Any, value: Any) -> None:
    array[...] = value


def _put_all(old: Tensor, value: Any) -> Tensor:
    """``old`` with every element replaced by ``value`` (broadcast), recorded."""
    return shape_ops.IndexPut.apply(old, value, _WHOLE)


_BOOL_TYPES = frozenset((builtins.bool, np.bool_))  # 0-d masks, not integers
_WHOLE = ((shape_ops.Index, ((Ellipsis,), False)),)


def _broadcast_shape(op: str, *shapes: tuple[int, ...]) -> tuple[int, ...]:
    """The common broadcast shape, or a RuntimeError naming ``op`` and the shapes."""
    try:
        return tuple(np.broadcast_shapes(*shapes))
    except ValueError:
        raise RuntimeError(
            f"{op}: shapes {' and '.join(map(str, shapes))} cannot be broadcast together"
        ) from None


def _with(shape: tuple[int, ...], dim: int, size: int) -> tuple[int, ...]:
    """``shape`` with dimension ``dim`` of size ``size`` (indexing and shape helpers)."""
    return shape[:dim] + (size,) + shape[dim + 1 :]


bind_tensor_class(Tensor)
