"""Anomaly detection, as ``torch.autograd.detect_anomaly``: while it is on, a backward
pass stops at the first node whose gradient holds a NaN and names that node.

``set_detect_anomaly(True)`` switches it on at once (PyTorch's habit of calling it at
the top of a script) and, used as a context manager, restores the previous mode on
exit; ``detect_anomaly()`` switches it on for a ``with`` block or a decorated function.
The mode is global, as PyTorch's, and costs nothing while off.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any

__all__ = ["detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled"]

_mode = {"enabled": False, "check_nan": True}


def is_anomaly_enabled() -> bool:
    """Whether anomaly detection is on."""
    return _mode["enabled"]


def is_anomaly_check_nan_enabled() -> bool:
    """Whether anomaly detection is on and checks gradients for NaN."""
    return _mode["enabled"] and _mode["check_nan"]


class set_detect_anomaly:  # noqa: N801  (PyTorch's name)
    """Switch anomaly detection to ``mode`` now; as a context manager, restore on exit."""

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self._previous = dict(_mode)
        _mode.update(enabled=bool(mode), check_nan=bool(check_nan))

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: Any) -> None:
        _mode.update(self._previous)


class detect_anomaly:  # noqa: N801  (PyTorch's name)
    """Anomaly detection on inside a ``with`` block or a decorated function."""

    def __init__(self, check_nan: bool = True) -> None:
        self.check_nan = check_nan
        self._previous: list[dict[str, bool]] = []

    def __enter__(self) -> None:
        warnings.warn(
            "Anomaly Detection has been enabled. This mode will increase the runtime and "
            "should only be enabled for debugging.",
            UserWarning,
            stacklevel=2,
        )
        self._previous.append(dict(_mode))
        _mode.update(enabled=True, check_nan=self.check_nan)

    def __exit__(self, *exc: Any) -> None:
        _mode.update(self._previous.pop())

    def __call__(self, function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def checked(*args: Any, **kwargs: Any) -> Any:
            with self:
                return function(*args, **kwargs)

        return checked


def check_gradients(node: Any, grads: Any) -> None:
    """Raise RuntimeError naming ``node`` if one of its input gradients holds a NaN."""
    for index, g in enumerate(grads):
        array = getattr(g, "_array", g)
        if array is not None and array.dtype.kind == "f" and bool((array != array).any()):
            raise RuntimeError(
                f"Function '{node.name()}' returned nan values in its {index}th output."
            )
