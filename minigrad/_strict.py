"""A strict stand-in for CuPy, used to test the ``cuda`` code paths on a CPU.

:class:`StrictArray` wraps a NumPy array but behaves like a ``cupy.ndarray``
where it matters for catching device bugs:

- ``numpy.asarray(a)`` / ``a.__array__()`` raise ``TypeError`` (CuPy refuses
  implicit device-to-host conversion); ``a.get()`` is the explicit way.
- Mixing a StrictArray with a host ``numpy.ndarray`` in an operator, a ufunc or
  a namespace function raises ``TypeError``, as CuPy does.
- Python scalars mix freely, and ``float(a)``, ``a.item()``, ``a.tolist()`` work.

:data:`namespace` mirrors the ``numpy`` module: each function unwraps its
StrictArray arguments, refuses host arrays, calls NumPy and wraps the result.
Only ``asarray``/``array`` accept host arrays (an explicit transfer, like
``cupy.asarray``).
"""

from __future__ import annotations

import operator
import types
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["StrictArray", "namespace", "Generator", "scatter_add"]

_TRANSFER_FUNCTIONS = {"asarray", "array", "ascontiguousarray", "asanyarray"}


def _refuse_host(value: Any) -> None:
    raise TypeError(
        "Unsupported type <class 'numpy.ndarray'>: a host NumPy array cannot be mixed "
        "with a device array; transfer it explicitly first"
    )


def _unwrap(value: Any) -> Any:
    """StrictArray -> ndarray; refuse host ndarrays; recurse into lists and tuples."""
    if type(value) is StrictArray:
        return value._a
    if isinstance(value, np.ndarray):
        _refuse_host(value)
    if type(value) in (list, tuple):
        return type(value)(_unwrap(v) for v in value)
    return value


def _wrap(value: Any) -> Any:
    """ndarray (or NumPy scalar) -> StrictArray; recurse into tuples and lists."""
    if isinstance(value, np.ndarray):
        return StrictArray(value)
    if isinstance(value, np.generic):
        return StrictArray(np.asarray(value))
    if type(value) in (list, tuple):
        return type(value)(_wrap(v) for v in value)
    return value


class StrictArray:
    """A NumPy array that refuses implicit conversion to and from host arrays."""

    __slots__ = ("_a",)
    __array_priority__ = 100

    def __init__(self, array: np.ndarray) -> None:
        self._a = array

    # -- the explicit ways out, as on cupy.ndarray
    def get(self) -> np.ndarray:
        return np.array(self._a)

    def item(self) -> Any:
        return self._a.item()

    def tolist(self) -> Any:
        return self._a.tolist()

    def __float__(self) -> float:
        return float(self._a)

    def __int__(self) -> int:
        return int(self._a)

    def __index__(self) -> int:
        return operator.index(self._a)

    def __bool__(self) -> bool:
        return bool(self._a)

    def __len__(self) -> int:
        return len(self._a)

    def __iter__(self):
        return (StrictArray(v) if isinstance(v, np.ndarray) else _wrap(v) for v in self._a)

    def __repr__(self) -> str:
        return "strict_" + repr(self._a)

    # -- implicit conversions refused
    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        raise TypeError(
            "Implicit conversion to a NumPy array is not allowed. Please use `.get()` "
            "to construct a NumPy array explicitly."
        )

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        out = kwargs.get("out")
        if out is not None:
            kwargs["out"] = tuple(_unwrap(o) for o in out)
        result = getattr(ufunc, method)(*_unwrap(inputs), **kwargs)
        if out is not None:
            return out[0] if len(out) == 1 else out
        return _wrap(result)

    def __array_function__(self, func: Any, types_: Any, args: Any, kwargs: Any) -> Any:
        return _wrap(func(*_unwrap(args), **{k: _unwrap(v) for k, v in kwargs.items()}))

    # -- attributes
    @property
    def shape(self) -> tuple[int, ...]:
        return self._a.shape

    @property
    def dtype(self) -> np.dtype:
        return self._a.dtype

    @property
    def ndim(self) -> int:
        return self._a.ndim

    @property
    def size(self) -> int:
        return self._a.size

    @property
    def itemsize(self) -> int:
        return self._a.itemsize

    @property
    def nbytes(self) -> int:
        return self._a.nbytes

    @property
    def strides(self) -> tuple[int, ...]:
        return self._a.strides

    @property
    def flags(self) -> Any:
        return self._a.flags

    @property
    def T(self) -> StrictArray:
        return StrictArray(self._a.T)

    @property
    def mT(self) -> StrictArray:
        return StrictArray(np.swapaxes(self._a, -1, -2))

    @property
    def base(self) -> Any:
        return self._a.base

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):  # never leak __array_interface__ and friends
            raise AttributeError(name)
        attr = getattr(self._a, name)
        if not callable(attr):
            return _wrap(attr)

        def method(*args: Any, **kwargs: Any) -> Any:
            return _wrap(attr(*_unwrap(args), **{k: _unwrap(v) for k, v in kwargs.items()}))

        return method

    # -- indexing
    def __getitem__(self, index: Any) -> Any:
        return _wrap(self._a[_unwrap(index)])

    def __setitem__(self, index: Any, value: Any) -> None:
        self._a[_unwrap(index)] = _unwrap(value)


def _binary(op: Any) -> Any:
    def method(self: StrictArray, other: Any) -> Any:
        return _wrap(op(self._a, _unwrap(other)))

    return method


def _reflected(op: Any) -> Any:
    def method(self: StrictArray, other: Any) -> Any:
        return _wrap(op(_unwrap(other), self._a))

    return method


def _inplace(op: Any) -> Any:
    def method(self: StrictArray, other: Any) -> StrictArray:
        op(self._a, _unwrap(other))
        return self

    return method


for _name, _op, _iop in [
    ("add", operator.add, operator.iadd),
    ("sub", operator.sub, operator.isub),
    ("mul", operator.mul, operator.imul),
    ("truediv", operator.truediv, operator.itruediv),
    ("floordiv", operator.floordiv, operator.ifloordiv),
    ("mod", operator.mod, operator.imod),
    ("pow", operator.pow, operator.ipow),
    ("matmul", operator.matmul, None),
    ("and", operator.and_, operator.iand),
    ("or", operator.or_, operator.ior),
    ("xor", operator.xor, operator.ixor),
]:
    setattr(StrictArray, f"__{_name}__", _binary(_op))
    setattr(StrictArray, f"__r{_name}__", _reflected(_op))
    if _iop is not None:
        setattr(StrictArray, f"__i{_name}__", _inplace(_iop))

for _name, _op in [
    ("lt", operator.lt),
    ("le", operator.le),
    ("gt", operator.gt),
    ("ge", operator.ge),
    ("eq", operator.eq),
    ("ne", operator.ne),
]:
    setattr(StrictArray, f"__{_name}__", _binary(_op))

_UNARY: list[tuple[str, Callable[[Any], Any]]] = [
    ("neg", operator.neg),
    ("pos", operator.pos),
    ("abs", operator.abs),
    ("invert", operator.invert),
]
for _name, _unary in _UNARY:
    setattr(StrictArray, f"__{_name}__", (lambda op: lambda self: _wrap(op(self._a)))(_unary))

StrictArray.__hash__ = None  # type: ignore[assignment]


class _Namespace(types.SimpleNamespace):
    """The ``numpy`` module seen through StrictArray: wraps every function."""

    def __init__(self, module: Any) -> None:
        super().__init__()
        self._module = module

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._module, name)
        if isinstance(attr, types.ModuleType):
            return _Namespace(attr)
        if isinstance(attr, type) or not callable(attr):
            return attr  # dtypes, constants, newaxis
        if isinstance(attr, np.ufunc):
            return _Ufunc(attr)
        transfer = name in _TRANSFER_FUNCTIONS

        def function(*args: Any, **kwargs: Any) -> Any:
            if transfer and args and isinstance(args[0], np.ndarray):
                args = (args[0], *_unwrap(args[1:]))
            else:
                args = _unwrap(args)
            return _wrap(attr(*args, **{k: _unwrap(v) for k, v in kwargs.items()}))

        function.__name__ = name
        setattr(self, name, function)  # cache: later look-ups skip __getattr__
        return function


class _Ufunc:
    """A NumPy ufunc whose call and methods (``reduce``, ``at``...) are strict."""

    def __init__(self, ufunc: np.ufunc) -> None:
        self._ufunc = ufunc

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        out = kwargs.get("out")
        if out is not None:
            kwargs["out"] = _unwrap(out)
        result = self._ufunc(*_unwrap(args), **kwargs)
        return out if out is not None else _wrap(result)

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._ufunc, name)

        def call(*args: Any, **kwargs: Any) -> Any:
            return _wrap(method(*_unwrap(args), **{k: _unwrap(v) for k, v in kwargs.items()}))

        return call


namespace = _Namespace(np)


def scatter_add(target: StrictArray, index: Any, values: Any) -> None:
    """``target[index] += values``, repeated indices accumulating (``cupyx.scatter_add``)."""
    np.add.at(target._a, _unwrap(index), _unwrap(values))


class Generator:
    """A seeded generator that returns StrictArrays (the device's own random stream)."""

    def __init__(self, seed: int | None) -> None:
        self._gen = np.random.Generator(np.random.PCG64(seed))

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._gen, name)

        def call(*args: Any, **kwargs: Any) -> Any:
            return _wrap(method(*_unwrap(args), **kwargs))

        return call
