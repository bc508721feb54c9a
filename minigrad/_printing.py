"""How tensors print: PyTorch's ``repr`` (``torch/_tensor_str.py``'s algorithm) on host arrays.

One formatter looks at every value that will be shown and picks one style for the whole
tensor, as PyTorch does:

* integer and bool tensors print their values (``tensor([1, 2])``);
* floats that are all whole numbers print as ``1.`` ("int mode");
* floats print in scientific notation (``1.0000e+05``) when the largest non-zero finite
  magnitude is over 1000 times the smallest or over 1e8, or the smallest is under 1e-4
  (``set_printoptions(sci_mode=...)`` overrides this choice);
* otherwise with ``precision`` decimals (4 by default).

Tensors of more than ``threshold`` elements print only ``edgeitems`` entries at each end of
every dimension, with ``...`` between them.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from minigrad.backend import backend_of
from minigrad.dtypes import get_default_dtype, int64, is_floating

__all__ = ["set_printoptions", "get_printoptions", "tensor_repr"]


@dataclass
class _PrintOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


_OPTIONS = _PrintOptions()
_PROFILES: dict[str, dict[str, float]] = {
    "default": {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80},
    "short": {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80},
    "full": {"precision": 4, "threshold": math.inf, "edgeitems": 3, "linewidth": 80},
}


def set_printoptions(
    precision: int | None = None,
    threshold: float | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    profile: str | None = None,
    sci_mode: bool | None = None,
) -> None:
    """Set how tensors print, as ``torch.set_printoptions``.

    Args:
        precision: digits after the decimal point (default 4).
        threshold: tensors with more elements are summarised (default 1000).
        edgeitems: entries shown at each end of a summarised dimension (default 3).
        linewidth: characters per line before wrapping (default 80).
        profile: ``'default'``, ``'short'`` (precision 2, edgeitems 2) or ``'full'`` (never
            summarise); the other arguments override it.
        sci_mode: True / False forces scientific / fixed notation; None (the default, and
            what every call that leaves it out sets) lets the formatter choose.
    """
    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError(
                f"set_printoptions: unknown profile {profile!r}; expected one of "
                f"{sorted(_PROFILES)}"
            )
        for name, value in _PROFILES[profile].items():
            setattr(_OPTIONS, name, value)
    given: dict[str, Any] = {
        "precision": precision,
        "threshold": threshold,
        "edgeitems": edgeitems,
        "linewidth": linewidth,
    }
    for name, value in given.items():
        if value is not None:
            setattr(_OPTIONS, name, value)
    _OPTIONS.sci_mode = sci_mode  # None again unless given, as in PyTorch


def get_printoptions() -> dict[str, Any]:
    """The current print options as a dict (keyword arguments of :func:`set_printoptions`)."""
    return asdict(_OPTIONS)


class _Formatter:
    """One style (width, int mode, sci mode) for every value of a tensor."""

    def __init__(self, values: np.ndarray, floating: bool) -> None:
        self.floating = floating
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        flat = values.reshape(-1)
        if not floating:
            self.max_width = max((len(str(v)) for v in flat.tolist()), default=1)
            return
        shown = flat[np.isfinite(flat) & (flat != 0)]
        if shown.size == 0:
            return  # nothing to measure: PyTorch keeps int mode and ignores sci_mode here
        magnitudes = np.abs(shown.astype(np.float64))  # float16 would overflow in the ratio
        low, high = float(magnitudes.min()), float(magnitudes.max())
        self.int_mode = bool(np.all(shown == np.ceil(shown)))
        self.sci_mode = (
            high / low > 1000.0 or high > 1.0e8 or low < 1.0e-4
            if _OPTIONS.sci_mode is None
            else _OPTIONS.sci_mode
        )
        if self.sci_mode:
            widths = (len(_sci(v)) for v in shown.tolist())
        elif self.int_mode:
            widths = (len(f"{v:.0f}") + 1 for v in shown.tolist())  # + 1 for the "."
        else:
            widths = (len(_fixed(v)) for v in shown.tolist())
        self.max_width = max(widths)

    def format(self, value: Any) -> str:
        if not self.floating:
            text = str(value)
        elif self.sci_mode:
            text = f"{value:{self.max_width}.{_OPTIONS.precision}e}"
        elif self.int_mode:
            text = f"{value:.0f}" + ("" if math.isinf(value) or math.isnan(value) else ".")
        else:
            text = _fixed(value)
        return text.rjust(self.max_width)


def _sci(value: float) -> str:
    return f"{value:.{_OPTIONS.precision}e}"


def _fixed(value: float) -> str:
    return f"{value:.{_OPTIONS.precision}f}"


def _summarized(values: np.ndarray) -> np.ndarray:
    """The entries a summarised print shows (``edgeitems`` at each end of every dimension)."""
    edge = _OPTIONS.edgeitems
    if values.ndim == 0:
        return values
    if values.ndim == 1:
        if values.shape[0] > 2 * edge:
            return np.concatenate((values[:edge], values[-edge:] if edge else values))
        return values
    if not edge:
        return values[(slice(0, 0),) * values.ndim]
    if values.shape[0] > 2 * edge:
        values = np.concatenate((values[:edge], values[-edge:]))
    return np.stack([_summarized(row) for row in values])


def _vector_str(values: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    edge = _OPTIONS.edgeitems
    per_line = max(1, (_OPTIONS.linewidth - indent) // (fmt.max_width + 2))
    if summarize and not edge:
        items = ["..."]
    elif summarize and values.shape[0] > 2 * edge:
        items = [fmt.format(v) for v in values[:edge].tolist()]
        items += [" ..."] + [fmt.format(v) for v in values[-edge:].tolist()]
    else:
        items = [fmt.format(v) for v in values.tolist()]
    lines = [", ".join(items[i : i + per_line]) for i in range(0, len(items), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _body(values: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    if values.ndim == 0:
        return fmt.format(values.item())
    if values.ndim == 1:
        return _vector_str(values, indent, summarize, fmt)
    edge = _OPTIONS.edgeitems
    n = values.shape[0]
    if summarize and n > 2 * edge:
        rows = [_body(values[i], indent + 1, summarize, fmt) for i in range(edge)]
        rows += ["..."] + [_body(values[i], indent + 1, summarize, fmt) for i in range(n - edge, n)]
    else:
        rows = [_body(row, indent + 1, summarize, fmt) for row in values]
    return "[" + ("," + "\n" * (values.ndim - 1) + " " * (indent + 1)).join(rows) + "]"


def _values_str(values: np.ndarray, indent: int) -> str:
    summarize = values.size > _OPTIONS.threshold
    fmt = _Formatter(_summarized(values) if summarize else values, is_floating(values.dtype))
    return _body(values, indent, summarize, fmt)


def _add_suffixes(text: str, suffixes: list[str], indent: int) -> str:
    """Append ``, suffix`` items, each on a new line where it would pass ``linewidth``."""
    parts = [text]
    last_line = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line + len(suffix) + 2 > _OPTIONS.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            last_line = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line += len(suffix) + 2
    return "".join(parts) + ")"


def tensor_repr(t: Any) -> str:
    """``repr(t)`` as PyTorch prints it: values, then the device when it is not the default
    device, the dtype when it is not the default float dtype, int64 or bool, and
    ``grad_fn=<...>`` or ``requires_grad=True``."""
    from minigrad.creation import get_default_device

    prefix = "tensor("
    indent = len(prefix)
    values = backend_of(t._array).to_host(t._array)
    device = t.device
    suffixes = []
    if device.type != get_default_device().type or (device.type == "cuda" and device.index):
        suffixes.append(f"device='{device}'")
    default_float = get_default_dtype()
    if values.size == 0:
        if values.ndim != 1:
            suffixes.append(f"size={tuple(values.shape)}")
        if values.dtype != default_float:
            suffixes.append(f"dtype=minigrad.{values.dtype}")
        body = "[]"
    else:
        if not _OPTIONS.edgeitems:
            suffixes.append(f"size={tuple(values.shape)}")
        if values.dtype not in (default_float, int64, np.dtype(bool)):
            suffixes.append(f"dtype=minigrad.{values.dtype}")
        body = _values_str(values, indent)
    if t.grad_fn is not None:
        suffixes.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t.requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes(prefix + body, suffixes, indent)
