"""``custom_fwd`` / ``custom_bwd``: autocast for the methods of a custom
:class:`minigrad.autograd.Function`, as ``torch.amp.custom_fwd``/``custom_bwd``."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from minigrad.amp.autocast_mode import autocast
from minigrad.amp.state import get_autocast_dtype, is_autocast_enabled

__all__ = ["custom_fwd", "custom_bwd"]


def _cast(value: Any, device_type: str, dtype: Any) -> Any:
    from minigrad.tensor import Tensor

    if isinstance(value, Tensor):
        if value.dtype.kind == "f" and value.device.type == device_type:
            return value.to(dtype)
        return value
    if isinstance(value, dict):
        return {k: _cast(v, device_type, dtype) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_cast(v, device_type, dtype) for v in value)
    return value


def custom_fwd(
    fwd: Callable[..., Any] | None = None, *, device_type: str, cast_inputs: Any = None
) -> Any:
    """Decorate a custom Function's ``forward``. With ``cast_inputs=None`` it runs under the
    surrounding autocast state (which :func:`custom_bwd` then restores for ``backward``);
    with a dtype, inside an autocast block it runs with autocast off and its floating
    tensor arguments on ``device_type`` cast to ``cast_inputs``."""
    if fwd is None:
        return functools.partial(custom_fwd, device_type=device_type, cast_inputs=cast_inputs)

    @functools.wraps(fwd)
    def decorate_fwd(*args: Any, **kwargs: Any) -> Any:
        ctx = args[0]
        ctx._dtype = get_autocast_dtype(device_type)
        if cast_inputs is None:
            ctx._fwd_used_autocast = is_autocast_enabled(device_type)
            return fwd(*args, **kwargs)
        used = is_autocast_enabled(device_type)
        ctx._fwd_used_autocast = False
        if not used:
            return fwd(*args, **kwargs)
        with autocast(device_type=device_type, enabled=False):
            args, kwargs = (
                _cast(args, device_type, cast_inputs),
                _cast(kwargs, device_type, cast_inputs),
            )
            return fwd(*args, **kwargs)

    return decorate_fwd


def custom_bwd(bwd: Callable[..., Any] | None = None, *, device_type: str) -> Any:
    """Decorate a custom Function's ``backward``: it runs with the autocast state that the
    ``forward`` (decorated by :func:`custom_fwd`) ran with."""
    if bwd is None:
        return functools.partial(custom_bwd, device_type=device_type)

    @functools.wraps(bwd)
    def decorate_bwd(*args: Any, **kwargs: Any) -> Any:
        ctx = args[0]
        with autocast(device_type=device_type, enabled=ctx._fwd_used_autocast, dtype=ctx._dtype):
            return bwd(*args, **kwargs)

    return decorate_bwd
