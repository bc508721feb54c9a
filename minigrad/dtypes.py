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


def result_type(tensor1: Any, tensor2: Any) -> np.dtype:
    """The dtype of an arithmetic result on two tensors or Python numbers, with PyTorch's
    rules: a number or 0-d tensor only lifts the category (``int64 tensor + 2.5`` is the
    default float dtype; ``float32 tensor + 2.5`` stays float32)."""
    from minigrad.tensor import Tensor  # (the tensor module builds on this one)

    first, second = (tensor1, tensor2) if isinstance(tensor1, Tensor) else (tensor2, tensor1)
    if not isinstance(first, Tensor):
        return promote_types(infer_dtype(tensor1), infer_dtype(tensor2))
    return first._with_operand(second)[0].dtype


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
