"""Grad mode: whether operations are recorded for differentiation, per thread (as PyTorch).

Each thread starts with recording on. :class:`no_grad`, :class:`enable_grad`,
:class:`set_grad_enabled` and :class:`inference_mode` change it for a ``with``
block or a decorated function, in the calling thread only.
"""

from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = [
    "no_grad",
    "enable_grad",
    "set_grad_enabled",
    "inference_mode",
    "is_grad_enabled",
    "is_inference_mode_enabled",
]

F = TypeVar("F", bound=Callable[..., Any])


class _ThreadMode(threading.local):
    """Per-thread flags; the class attributes are every new thread's defaults."""

    enabled = True
    inference = False


_state = _ThreadMode()


def is_grad_enabled() -> bool:
    """Whether operations are currently recorded for differentiation (in this thread)."""
    return _state.enabled


def is_inference_mode_enabled() -> bool:
    """Whether an :class:`inference_mode` block is active in this thread."""
    return _state.inference


class _GradModeContext:
    """Set the grad mode for a ``with`` block or a decorated function, then restore it."""

    enabled: bool

    def __new__(cls, func: Callable[..., Any] | None = None, *args: Any, **kwargs: Any) -> Any:
        self = super().__new__(cls)
        if callable(func):  # used as ``@no_grad`` without parentheses
            return self(func)
        return self

    def __enter__(self) -> None:
        self._saved = (_state.enabled, _state.inference)
        _state.enabled = self.enabled

    def __exit__(self, *exc: object) -> None:
        _state.enabled, _state.inference = self._saved

    def __call__(self, func: F) -> F:
        if inspect.isgeneratorfunction(func):
            return self._wrap_generator(func)

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self.clone():
                return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    def _wrap_generator(self, func: F) -> F:
        """A decorated generator function runs each of its steps in the mode (and the
        caller's code between the steps in the caller's), as PyTorch's decorators do."""

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            generator = func(*args, **kwargs)
            resume, value = generator.send, None
            while True:
                try:
                    with self.clone():
                        response = resume(value)
                except StopIteration as stop:
                    return stop.value
                try:
                    value, resume = (yield response), generator.send
                except GeneratorExit:
                    with self.clone():
                        generator.close()
                    raise
                except BaseException as error:  # thrown in by the caller: pass it on
                    value, resume = error, generator.throw

        return wrapper  # type: ignore[return-value]

    def clone(self) -> _GradModeContext:
        """A fresh context with the same setting (each call of a decorated function gets one)."""
        return type(self)()


class no_grad(_GradModeContext):
    """Record no graph inside (inference, manual parameter updates); also a decorator.

    Every result computed inside has ``requires_grad=False``, even when its inputs
    require grad. The setting is thread local, as in PyTorch.
    """

    enabled = False


class enable_grad(_GradModeContext):
    """Record the graph inside, even within :class:`no_grad`; also a decorator."""

    enabled = True


class set_grad_enabled(_GradModeContext):
    """Turn graph recording on or off: at once, or for a ``with`` block, or as a decorator.

    As in PyTorch, ``set_grad_enabled(False)`` as a plain statement switches the
    mode (of this thread) until it is switched back; in a ``with`` block the old
    mode returns at the end of the block.
    """

    def __new__(cls, mode: bool) -> set_grad_enabled:
        return object.__new__(cls)

    def __init__(self, mode: bool) -> None:
        if not isinstance(mode, bool):
            raise TypeError(f"set_grad_enabled() expects a bool, got {type(mode).__name__}")
        self.enabled = mode
        self._before = _state.enabled
        _state.enabled = mode

    def __enter__(self) -> None:
        self._saved = (self._before, _state.inference)

    def __call__(self, func: F) -> F:
        _state.enabled = self._before  # as a decorator it must not switch at definition time
        return super().__call__(func)

    def clone(self) -> set_grad_enabled:
        enabled, before = self.enabled, _state.enabled
        ctx = set_grad_enabled(enabled)
        ctx._before = before
        return ctx


class inference_mode(_GradModeContext):
    """Like :class:`no_grad`, for code that only evaluates; also a decorator.

    ``inference_mode(False)`` turns inference mode off and recording on, as in
    PyTorch (also inside ``no_grad``). PyTorch's inference mode also skips version
    counting and marks the results as inference tensors; minigrad records nothing
    either way, and its tensors made inside are ordinary tensors that do not
    require grad.
    """

    def __new__(cls, mode: Any = True) -> Any:
        if callable(mode):  # used as ``@inference_mode`` without parentheses
            return cls(True)(mode)
        return object.__new__(cls)

    def __init__(self, mode: bool = True) -> None:
        self.active = bool(mode)

    def __enter__(self) -> None:
        self._saved = (_state.enabled, _state.inference)
        _state.enabled, _state.inference = not self.active, self.active

    def clone(self) -> inference_mode:
        return inference_mode(self.active)
