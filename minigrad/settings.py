"""Process-wide settings that PyTorch scripts make at their start: threads, determinism and
the float32 matmul precision.

- :func:`set_num_threads` limits the threads of NumPy's BLAS (matrix products), the only
  multi-threaded part of minigrad on the CPU. NumPy cannot change that number after it
  has started, so this needs the optional ``threadpoolctl`` package
  (``pip install threadpoolctl``); without it the call warns and changes nothing.
- :func:`use_deterministic_algorithms` records the request. minigrad's CPU operations are
  all deterministic; on the GPU, CuPy's ``scatter_add`` (the backward of indexing and
  embedding) adds in a nondeterministic order, which the flag does not change.
- :func:`set_float32_matmul_precision` records the precision PyTorch lets float32 matrix
  products drop to (TF32 or bfloat16 on recent GPUs). NumPy and CuPy always multiply
  float32 in full float32, so it changes no result here.
"""

from __future__ import annotations

import os
import warnings

__all__ = [
    "set_num_threads",
    "get_num_threads",
    "use_deterministic_algorithms",
    "are_deterministic_algorithms_enabled",
    "set_float32_matmul_precision",
    "get_float32_matmul_precision",
]

_settings: dict[str, object] = {"threads": None, "deterministic": False, "matmul": "highest"}
_MATMUL_PRECISIONS = ("highest", "high", "medium")


def set_num_threads(num: int) -> None:
    """Use ``num`` threads for the CPU's matrix products (through ``threadpoolctl``)."""
    if isinstance(num, bool) or not isinstance(num, int) or num < 1:
        raise RuntimeError(f"set_num_threads expects a positive integer, got {num!r}")
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        warnings.warn(
            "set_num_threads: NumPy's BLAS threads can only be changed through threadpoolctl "
            "(pip install threadpoolctl); nothing was changed. Or set OMP_NUM_THREADS / "
            "OPENBLAS_NUM_THREADS before starting Python.",
            RuntimeWarning,
            stacklevel=2,
        )
        return
    threadpool_limits(num, user_api="blas")
    _settings["threads"] = num


def get_num_threads() -> int:
    """The threads the CPU's matrix products use: the number last set, else the CPU count."""
    threads = _settings["threads"]
    return threads if isinstance(threads, int) else os.cpu_count() or 1


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """Record whether the program asks for deterministic operations (see the module note)."""
    _settings["deterministic"] = bool(mode)


def are_deterministic_algorithms_enabled() -> bool:
    """Whether :func:`use_deterministic_algorithms` was last called with True."""
    return bool(_settings["deterministic"])


def set_float32_matmul_precision(precision: str) -> None:
    """Set the internal precision of float32 matrix products, as PyTorch:

    ``'highest'`` (the default) full float32; ``'high'`` allows TF32 (10-bit mantissa) or
    two bfloat16 products; ``'medium'`` allows one bfloat16 product. minigrad records the
    choice (:func:`get_float32_matmul_precision`, ``backends.cuda.matmul.allow_tf32``)
    but always computes in full float32 (see the module note). Another string warns and
    changes nothing; a non-string raises RuntimeError (PyTorch's behaviour).
    """
    if not isinstance(precision, str):
        raise RuntimeError(
            f"set_float32_matmul_precision expects a str, but got {type(precision).__name__}"
        )
    if precision not in _MATMUL_PRECISIONS:
        warnings.warn(
            f"{precision} is not one of 'highest', 'high', or 'medium'; the current "
            "set_float32_matmul_precision call has no effect.",
            UserWarning,
            stacklevel=2,
        )
        return
    _settings["matmul"] = precision


def get_float32_matmul_precision() -> str:
    """The float32 matmul precision last set: ``'highest'``, ``'high'`` or ``'medium'``."""
    return str(_settings["matmul"])
