"""Data types and PyTorch's type-promotion rules.

minigrad's dtypes are NumPy dtypes (``minigrad.float32 == numpy.dtype('float32')``),
so they work unchanged with NumPy and CuPy arrays.
"""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

float16 = half = np.dtype("float16")
float32 = np.dtype("float32")
float64 = double = np.dtype("float64")
int8 = np.dtype("int8")
int16 = short = np.dtype("int16")
int32 = np.dtype("int32")
int64 = long = np.dtype("int64")
uint8 = np.dtype("uint8")
bool_ = np.dtype("bool")

DEFAULT_INT = int64

_default_float = float32

_ALIASES: dict[Any, np.dtype] = {
    builtins.float: float64,  # dtype=float is float64, as in PyTorch (minigrad.float: float32)
    builtins.int: int64,
    builtins.bool: bool_,
    "float": float32,
    "double": float64,
    "half": float16,
    "long": int64,
    "int": int32,
    "short": int16,
}

_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2}


def as_dtype(dtype: Any) -> np.dtype:
    """Turn ``minigrad.float32``, ``numpy.float32``, ``'float32'`` or ``float`` into a dtype."""
    if isinstance(dtype, np.dtype):
        result = dtype
    elif dtype in _ALIASES:
        result = _ALIASES[dtype]
    else:
        try:
            result = np.dtype(dtype)
        except TypeError:
            raise TypeError(f"not a dtype: {dtype!r}") from None
    if result.kind not in _CATEGORY:
        raise TypeError(f"unsupported dtype {result}: use a bool, integer or float dtype")
    return result


def get_default_dtype() -> np.dtype:
    """The dtype Python floats and float-producing functions use (float32 at start)."""
    return _default_float


def set_default_dtype(d: Any) -> None:
    """Make ``d`` (``minigrad.float32`` or ``minigrad.float64``) the default float dtype.

    It is what Python floats and lists of them become in :func:`minigrad.tensor`, the
    dtype of :func:`minigrad.zeros`, :func:`~minigrad.rand`, ``Tensor(...)``, integer true
    division and new layers' parameters, as ``torch.set_default_dtype``.
    """
    global _default_float
    try:
        dtype = as_dtype(d)
    except TypeError:
        dtype = None
    if dtype is None or not is_floating(dtype):
        raise TypeError(
            f"only floating-point types are supported as the default type, got {d!r} "
            "(use minigrad.float32 or minigrad.float64)"
        )
    _default_float = dtype
    _with_number.clear()


def is_floating(dtype: np.dtype) -> bool:
    """True for float16, float32 and float64."""
    return dtype.kind == "f"


def promote_types(a: np.dtype, b: np.dtype) -> np.dtype:
    """PyTorch's promotion of two tensor dtypes.

    Across categories (bool < integer < float) the higher category's dtype wins
    (``int64 + float32 -> float32``, where NumPy would say float64); within a
    category the wider type wins, as in NumPy.
    """
    if a == b:
        return a
    ca, cb = _CATEGORY[a.kind], _CATEGORY[b.kind]
    if ca != cb:
        return a if ca > cb else b
    return np.promote_types(a, b)


# The ranks of operands in PyTorch's promotion: a tensor with dimensions outranks a 0-d
# tensor, which outranks a Python number.
DIMENSIONED, ZERO_DIM, NUMBER = 2, 1, 0


def number_dtype(value: Any) -> np.dtype:
    """The dtype a Python (or NumPy) number stands for in promotion: bool, int64 or the
    default float dtype."""
    kind = type(value)
    if kind is builtins.float:
        return _default_float
    if kind is builtins.int:
        return int64
    if isinstance(value, builtins.bool | np.bool_):
        return bool_
    if isinstance(value, builtins.int | np.integer):
        return int64
    if isinstance(value, builtins.float | np.floating):
        return _default_float
    raise TypeError(f"not a number: {value!r}")


def promote_operands(a: np.dtype, a_rank: int, b: np.dtype, b_rank: int) -> np.dtype:
    """PyTorch's result dtype of a binary op on operands of dtypes ``a`` and ``b`` and ranks
    :data:`DIMENSIONED`, :data:`ZERO_DIM` or :data:`NUMBER` (a number's dtype is
    :func:`number_dtype`). The single home of the rule that all arithmetic and
    :func:`result_type` follow.

    Operands of one rank promote as :func:`promote_types`. A lower-ranked operand only
    lifts the category (bool < integer < float): ``int32 (3,) + int64 ()`` is int32,
    ``int32 (3,) + float64 ()`` float64, ``float16 (3,) + 2.5`` float16,
    ``bool (3,) + 2`` int64.
    """
    if a_rank == b_rank:
        return promote_types(a, b)
    higher, lower = (a, b) if a_rank > b_rank else (b, a)
    if higher.kind == "f":
        return higher
    if higher.kind == "b" or lower.kind == "f":
        return promote_types(higher, lower)
    return higher


def promote_with_number(dtype: np.dtype, value: Any) -> np.dtype:
    """:func:`promote_operands` of a tensor of ``dtype`` and the number ``value``,
    remembered by ``(dtype, type(value))`` in ``_with_number`` (the fast path of
    arithmetic with a number; emptied when the default float dtype changes)."""
    result = promote_operands(dtype, DIMENSIONED, number_dtype(value), NUMBER)
    if type(value) in (builtins.bool, builtins.int, builtins.float):
        _with_number[(dtype, type(value))] = result
    return result


_with_number: dict[tuple[np.dtype, type], np.dtype] = {}


def operand_rank(value: Any) -> tuple[np.dtype, int]:
    """``(dtype, rank)`` of an operand for :func:`promote_operands`: tensors and arrays by
    their dimensions, Python and NumPy numbers as numbers."""
    if isinstance(value, builtins.bool | builtins.int | builtins.float | np.generic):
        return number_dtype(value), NUMBER
    dtype = getattr(value, "dtype", None)
    ndim = getattr(value, "ndim", None)
    if dtype is None or ndim is None:  # a list: what minigrad.tensor would make of it
        value = np.asarray(value)
        dtype, ndim = infer_dtype(value), value.ndim
    return as_dtype(dtype), (DIMENSIONED if ndim else ZERO_DIM)


def result_type(tensor1: Any, tensor2: Any) -> np.dtype:
    """The dtype of an arithmetic result on two tensors or Python numbers, with PyTorch's
    rules (:func:`promote_operands`): a number or 0-d tensor only lifts the category
    (``int64 tensor + 2.5`` is the default float dtype; ``float32 tensor + 2.5`` stays
    float32; ``bool tensor + 0`` is int64)."""
    return promote_operands(*operand_rank(tensor1), *operand_rank(tensor2))


def can_cast(from_: Any, to: Any) -> bool:
    """True unless the cast lowers the category (float → integer, number → bool), as
    ``torch.can_cast``: within a category every width casts."""
    source, target = as_dtype(from_), as_dtype(to)
    return _CATEGORY[source.kind] <= _CATEGORY[target.kind]


def infer_dtype(value: Any) -> np.dtype:
    """The dtype :func:`minigrad.tensor` gives to ``value`` when none is asked for.

    Floats (Python or NumPy, any width but float16) become the default float dtype
    (:func:`get_default_dtype`); integers become int64 (integer NumPy arrays keep their
    width); bools stay bool.
    """
    dtype = np.result_type(value) if isinstance(value, np.ndarray | np.generic) else None
    if dtype is None:
        dtype = np.asarray(value).dtype
        if dtype.kind in "iu":
            return int64
    if dtype.kind == "f":
        return float16 if dtype == float16 else _default_float
    if dtype.kind in "biu":
        return dtype
    raise TypeError(f"cannot make a tensor from data of dtype {dtype}")


def infer_sequence_dtype(data: list | tuple, host: np.ndarray) -> np.dtype:
    """The dtype :func:`minigrad.tensor` gives a (nested) list or tuple ``data`` (``host``
    is it as a NumPy array), as PyTorch: the elements' dtypes promoted
    (:func:`promote_types`), Python numbers as :func:`number_dtype`, NumPy scalars,
    arrays and tensors with their own: ``[np.float64(1.5), 2.0]`` is float64,
    ``[np.int32(1), 2]`` int64, ``[np.float32(1), 2.5]`` float32."""
    found: set[Any] = set()
    _element_dtypes(data, found)
    if found <= _PYTHON_NUMBERS:  # the common case: only Python numbers
        return infer_dtype(host)
    result: np.dtype | None = None
    for kind in found:
        if kind in _PYTHON_NUMBERS:
            kind = number_dtype(kind())  # bool, int64 or the default float dtype
        elif not isinstance(kind, np.dtype) or kind.kind not in _CATEGORY:
            return infer_dtype(host)  # something else: what NumPy made of it
        result = kind if result is None else promote_types(result, kind)
    return infer_dtype(host) if result is None else result


_PYTHON_NUMBERS = frozenset((builtins.bool, builtins.int, builtins.float))


def _element_dtypes(data: list | tuple, found: set[Any]) -> None:
    """Collect into ``found`` the leaves' Python number types and other dtypes."""
    for kind in set(map(type, data)):
        if kind is list or kind is tuple:
            for item in data:
                if type(item) is kind:
                    _element_dtypes(item, found)
        elif kind in _PYTHON_NUMBERS:
            found.add(kind)
        else:
            for item in data:
                if type(item) is kind:
                    dtype = getattr(item, "dtype", None)
                    found.add(kind if dtype is None else np.dtype(dtype))


# ---------------------------------------------------------------------- legacy type names
_TYPE_NAMES: dict[np.dtype, str] = {
    float16: "HalfTensor",
    float32: "FloatTensor",
    float64: "DoubleTensor",
    int8: "CharTensor",
    int16: "ShortTensor",
    int32: "IntTensor",
    int64: "LongTensor",
    uint8: "ByteTensor",
    bool_: "BoolTensor",
}
_TYPE_OF_NAME = {name: dtype for dtype, name in _TYPE_NAMES.items()}


def type_name(dtype: np.dtype, device_type: str = "cpu") -> str:
    """PyTorch's legacy tensor type string: ``'minigrad.FloatTensor'``,
    ``'minigrad.cuda.LongTensor'`` (what ``Tensor.type()`` returns)."""
    where = "" if device_type == "cpu" else f"{device_type}."
    return f"minigrad.{where}{_TYPE_NAMES[dtype]}"


def parse_type_name(name: str) -> tuple[np.dtype, str]:
    """The dtype and device type of a legacy type string: ``'minigrad.FloatTensor'``,
    ``'torch.cuda.LongTensor'`` (the ``torch.`` prefix is accepted too)."""
    package, _, rest = name.partition(".")
    device_type, _, kind = rest.rpartition(".")
    if package not in ("minigrad", "torch") or device_type not in ("", "cuda"):
        kind = ""
    if kind not in _TYPE_OF_NAME:
        raise ValueError(
            f"invalid type: {name!r} (expected a dtype or a type string such as "
            "'minigrad.FloatTensor' or 'minigrad.cuda.LongTensor')"
        )
    return _TYPE_OF_NAME[kind], device_type or "cpu"


# ---------------------------------------------------------------------- numeric limits
class finfo:  # noqa: N801  (PyTorch's name)
    """Machine limits of a floating-point dtype, as ``torch.finfo``.

    Attributes (Python floats): ``eps`` (the gap between 1.0 and the next float),
    ``max``, ``min`` (= -max), ``tiny`` = ``smallest_normal`` (the smallest positive
    normal number), ``resolution`` (10^-precision); ``bits`` and ``dtype``.
    ``finfo()`` describes the default float dtype.
    """

    def __init__(self, type: Any = None) -> None:  # noqa: A002  (PyTorch's name)
        dtype = _default_float if type is None else as_dtype(type)
        if not is_floating(dtype):
            raise TypeError(
                f"minigrad.finfo() requires a floating point input type, got {dtype}. "
                "Use minigrad.iinfo to handle integer types"
            )
        info = np.finfo(dtype)
        self.dtype = dtype.name
        self.bits = int(info.bits)
        self.eps = float(info.eps)
        self.max = float(info.max)
        self.min = float(info.min)
        self.tiny = self.smallest_normal = float(info.smallest_normal)
        self.resolution = 10.0 ** -int(info.precision)  # exactly 1e-06, not float32(1e-06)

    def __repr__(self) -> str:
        return (
            f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
            f"eps={self.eps:g}, smallest_normal={self.smallest_normal:g}, "
            f"tiny={self.tiny:g}, dtype={self.dtype})"
        )


class iinfo:  # noqa: N801  (PyTorch's name)
    """Limits of an integer dtype, as ``torch.iinfo``: ``min``, ``max`` (Python ints),
    ``bits`` and ``dtype``."""

    def __init__(self, type: Any) -> None:  # noqa: A002  (PyTorch's name)
        dtype = as_dtype(type)
        if dtype.kind not in "iu":
            raise TypeError(
                f"minigrad.iinfo() requires an integer input type, got {dtype}"
                + (
                    ". Use minigrad.finfo to handle floating point types"
                    if is_floating(dtype)
                    else ""
                )
            )
        info = np.iinfo(dtype)
        self.dtype = dtype.name
        self.bits = int(info.bits)
        self.min = int(info.min)
        self.max = int(info.max)

    def __repr__(self) -> str:
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})"
