"""Process-wide settings that PyTorch scripts make at their start: threads and determinism.

- :func:`set_num_threads` limits the threads of NumPy's BLAS (matrix products), the only
  multi-threaded part of minigrad on the CPU. NumPy cannot change that number after it
  has started, so this needs the optional ``threadpoolctl`` package
  (``pip install threadpoolctl``); without it the call warns and changes nothing.
- :func:`use_deterministic_algorithms` records the request. minigrad's CPU operations are
  all deterministic; on the GPU, CuPy's ``scatter_add`` (the backward of indexing and
  embedding) adds in a nondeterministic order, which the flag does not change.
"""

from __future__ import annotations

import os
import warnings

__all__ = [
    "set_num_threads",
    "get_num_threads",
    "use_deterministic_algorithms",
    "are_deterministic_algorithms_enabled",
]

_settings: dict[str, object] = {"threads": None, "deterministic": False}


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
