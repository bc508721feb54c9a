"""``optimizer.state``: PyTorch's ``defaultdict(dict)`` that counts the user's edits.

The flat buffers of a parameter group (``_flat.py``) hold the group's state;
``optimizer.state[p]`` shows each parameter's slices of them. A flat group
stays valid as long as nobody replaced, added or removed a state entry (or a
whole ``state[p]``), and checking that entry by entry cost more than the update
itself on small networks. Instead, :class:`OptimizerState` and every
:class:`ParamState` in it share one edit counter that each of their writing
methods moves on; a flat group remembers the count it saw and rebuilds itself
from the per-parameter state when it changed. Reads are plain dict reads.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

__all__ = ["OptimizerState", "ParamState"]

# the dict methods that write: each moves the shared edit count (a one-element list) on
_WRITERS = (
    "__setitem__",
    "__delitem__",
    "__ior__",
    "clear",
    "pop",
    "popitem",
    "setdefault",
    "update",
)


def _counting(base: type, name: str) -> Any:
    """``base.name`` that first moves the edit counter on."""
    method = getattr(base, name)

    def write(self: Any, *args: Any, **kwargs: Any) -> Any:
        self.edits[0] += 1
        return method(self, *args, **kwargs)

    write.__name__ = name
    write.__doc__ = method.__doc__
    return write


class ParamState(dict):
    """One parameter's state, ``optimizer.state[p]``: a dict whose writes are counted."""

    __slots__ = ("edits",)

    def __init__(self, edits: list[int], *args: Any, **kwargs: Any) -> None:
        self.edits = edits
        super().__init__(*args, **kwargs)

    def __reduce__(self) -> Any:
        return ParamState, (self.edits, dict(self))

    def publish(self, name: str, value: Any) -> None:
        """Set ``name`` without counting it as an edit (the optimizer's own bookkeeping)."""
        dict.__setitem__(self, name, value)


class OptimizerState(defaultdict):
    """``optimizer.state``: a ``defaultdict`` of :class:`ParamState` sharing one edit count."""

    def __init__(self, edits: list[int] | None = None) -> None:
        self.edits = [0] if edits is None else edits
        super().__init__(self._new_entry)

    def _new_entry(self) -> ParamState:
        return ParamState(self.edits)

    def __reduce__(self) -> Any:
        return OptimizerState, (self.edits,), None, None, iter(self.items())

    def __copy__(self) -> OptimizerState:
        new = OptimizerState()
        dict.update(new, self)
        return new

    copy = __copy__

    def __repr__(self) -> str:
        return f"{type(self).__name__}({dict.__repr__(self)})"


for _name in _WRITERS:
    setattr(ParamState, _name, _counting(dict, _name))
    setattr(OptimizerState, _name, _counting(defaultdict, _name))
