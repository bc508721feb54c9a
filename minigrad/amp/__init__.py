"""``minigrad.amp``: automatic mixed precision, as ``torch.amp``.

:class:`autocast` runs a region with each operation in the dtype PyTorch's op
reference gives it (float16 matrix products, float32 losses and reductions);
:class:`GradScaler` scales the loss so that float16 gradients do not underflow
and skips the steps whose gradients overflowed. The deprecated spellings
``minigrad.cuda.amp.autocast``/``GradScaler`` and ``minigrad.cpu.amp.autocast``
warn as PyTorch's do.
"""

from __future__ import annotations

import sys

from minigrad.amp import policy
from minigrad.amp.autocast_mode import autocast, is_autocast_available
from minigrad.amp.custom import custom_bwd, custom_fwd
from minigrad.amp.grad_scaler import GradScaler
from minigrad.amp.state import (
    get_autocast_cpu_dtype,
    get_autocast_dtype,
    get_autocast_gpu_dtype,
    is_autocast_cache_enabled,
    is_autocast_enabled,
)

__all__ = [
    "autocast",
    "GradScaler",
    "custom_fwd",
    "custom_bwd",
    "is_autocast_available",
    "is_autocast_enabled",
    "get_autocast_dtype",
    "get_autocast_gpu_dtype",
    "get_autocast_cpu_dtype",
    "is_autocast_cache_enabled",
]


def _install_deprecated_modules() -> None:
    """Make ``minigrad.cuda.amp`` and ``minigrad.cpu.amp`` importable (``import
    minigrad.cuda.amp``, ``from minigrad.cuda.amp import GradScaler``) and attributes."""
    from minigrad import cpu, cuda
    from minigrad.amp import cpu_amp, cuda_amp

    for parent, module in ((cuda, cuda_amp), (cpu, cpu_amp)):
        setattr(parent, "amp", module)  # noqa: B010  (mypy: the modules declare no amp)
        sys.modules[f"{parent.__name__}.amp"] = module


_install_deprecated_modules()
