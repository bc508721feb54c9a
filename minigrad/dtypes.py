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

DEFAULT_FLOAT = float32
DEFAULT_INT = int64

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


def infer_dtype(value: Any) -> np.dtype:
    """The dtype :func:`minigrad.tensor` gives to ``value`` when none is asked for.

    Floats (Python or NumPy, any width but float16) become float32; integers become
    int64 (integer NumPy arrays keep their width); bools stay bool.
    """
    dtype = np.result_type(value) if isinstance(value, np.ndarray | np.generic) else None
    if dtype is None:
        dtype = np.asarray(value).dtype
        if dtype.kind in "iu":
            return int64
    if dtype.kind == "f":
        return float16 if dtype == float16 else float32
    if dtype.kind in "biu":
        return dtype
    raise TypeError(f"cannot make a tensor from data of dtype {dtype}")
