"""``optimizer.state``: PyTorch's ``defaultdict(dict)`` that counts the user's edits.

The flat buffers of a parameter group (``_flat.py``) hold the group's state;
``optimizer.state[p]`` shows each parameter's slices of them. A flat group
stays valid as long as nobody replaced, added or removed a state entry (or a
whole ``state[p]``), and checking that entry by entry cost more than the update
itself on small networks. Instead, :class:`OptimizerState` and every
:class:`ParamState` in it share one edit counter that each of their writing
methods moves on; a flat group remembers the count it saw and rebuilds itself
from the per-parameter state when it changed.

The entries are kept as the update rules work on them, arrays and numbers, and
shown as PyTorch shows them: ``state[p]["exp_avg"]`` is a tensor sharing the
array's memory (an in-place change of it changes the state), and a number such as
``state[p]["step"]`` a 0-d tensor (optimizers whose PyTorch state holds plain
numbers, as L-BFGS, keep them plain). The step count is a tensor of the default
dtype, as in PyTorch; the other numbers (NAdam's μ product, ASGD's η and μ) are
float64 tensors: the rules compute them in double precision (PyTorch's are float32,
as its state is), and a float32 copy would make a resumed run drift from an
uninterrupted one. A tensor
written into the state is stored as its array (a 0-d one where a number was, as
its number). The optimizer itself reads and writes the stored values
(:meth:`ParamState.raw_items`, :meth:`ParamState.publish`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import ItemsView, Iterator
from typing import Any

import minigrad

from ._storage import array_of, as_tensor_view, is_array

__all__ = ["OptimizerState", "ParamState"]

# the dict methods that write: each moves the shared edit count (a one-element list) on
_WRITERS = ("__delitem__", "clear", "pop", "popitem")
_DICT_WRITERS = (*_WRITERS, "__setitem__", "__ior__", "setdefault", "update")


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
    """One parameter's state, ``optimizer.state[p]``: a dict whose writes are counted,
    holding arrays and numbers, read as tensors (see the module's docstring)."""

    __slots__ = ("edits", "tensor_numbers")

    def __init__(
        self, edits: list[int], *args: Any, tensor_numbers: bool = True, **kwargs: Any
    ) -> None:
        self.edits = edits
        self.tensor_numbers = tensor_numbers
        super().__init__()
        for key, value in dict(*args, **kwargs).items():
            dict.__setitem__(self, key, self._stored(key, value))

    def __reduce__(self) -> Any:
        return _rebuild_param_state, (self.edits, dict(self.raw_items()), self.tensor_numbers)

    # ---------------------------------------------------------------- what the user sees
    def _shown(self, key: Any, value: Any) -> Any:
        if is_array(value):
            return as_tensor_view(value)
        if isinstance(value, list):  # (L-BFGS's history)
            return [self._shown(key, v) for v in value]
        if self.tensor_numbers and type(value) in (int, float):
            dtype = minigrad.get_default_dtype() if key == "step" else minigrad.float64
            return minigrad.tensor(float(value), dtype=dtype)
        return value

    def _stored(self, key: Any, value: Any) -> Any:
        if not isinstance(value, minigrad.Tensor):
            return value
        if value.ndim == 0 and not is_array(dict.get(self, key)):
            return value.item()  # (a number such as the step count)
        return array_of(value)

    def __getitem__(self, key: Any) -> Any:
        return self._shown(key, dict.__getitem__(self, key))

    def get(self, key: Any, default: Any = None) -> Any:
        return self._shown(key, dict.__getitem__(self, key)) if key in self else default

    def values(self) -> Any:
        return [self._shown(k, v) for k, v in dict.items(self)]

    def items(self) -> Any:
        return [(k, self._shown(k, v)) for k, v in dict.items(self)]

    def pop(self, key: Any, *default: Any) -> Any:
        if key not in self and default:
            return default[0]
        self.edits[0] += 1
        return self._shown(key, dict.pop(self, key))

    def __setitem__(self, key: Any, value: Any) -> None:
        self.edits[0] += 1
        dict.__setitem__(self, key, self._stored(key, value))

    def setdefault(self, key: Any, default: Any = None) -> Any:
        if key not in self:
            self[key] = default
        return self[key]

    def update(self, *args: Any, **kwargs: Any) -> None:
        for key, value in dict(*args, **kwargs).items():
            self[key] = value

    def __ior__(self, other: Any) -> ParamState:  # type: ignore[misc]
        self.update(other)
        return self

    def __repr__(self) -> str:
        return repr(dict(self.items()))

    def __iter__(self) -> Iterator[Any]:
        # (an overridden ``__iter__`` makes ``dict(state)`` and ``{**state}`` read through
        # ``__getitem__``, so that they show tensors too)
        return dict.__iter__(self)

    # ---------------------------------------------------------------- what the optimizer sees
    def raw_items(self) -> ItemsView[Any, Any]:
        """The stored entries, arrays and numbers (for the optimizer, not the user)."""
        return dict.items(self)

    def raw(self, key: Any) -> Any:
        """The stored entry ``key`` (an array or a number)."""
        return dict.__getitem__(self, key)

    def publish(self, name: str, value: Any) -> None:
        """Set ``name`` without counting it as an edit (the optimizer's own bookkeeping)."""
        dict.__setitem__(self, name, value)


def _rebuild_param_state(edits: list[int], entries: dict, tensor_numbers: bool) -> ParamState:
    return ParamState(edits, entries, tensor_numbers=tensor_numbers)


class OptimizerState(defaultdict[Any, ParamState]):
    """``optimizer.state``: a ``defaultdict`` of :class:`ParamState` sharing one edit count
    (``tensor_numbers``: whether their numbers read as tensors)."""

    def __init__(self, edits: list[int] | None = None, tensor_numbers: bool = True) -> None:
        self.edits = [0] if edits is None else edits
        self.tensor_numbers = tensor_numbers
        super().__init__(self._new_entry)

    def _new_entry(self) -> ParamState:
        return ParamState(self.edits, tensor_numbers=self.tensor_numbers)

    def __reduce__(self) -> Any:
        args = (self.edits, self.tensor_numbers)
        return OptimizerState, args, None, None, iter(dict.items(self))

    def __copy__(self) -> OptimizerState:
        new = OptimizerState(tensor_numbers=self.tensor_numbers)
        dict.update(new, self)
        return new

    copy = __copy__

    def __repr__(self) -> str:
        return f"{type(self).__name__}({dict.__repr__(self)})"


for _name in _WRITERS:
    if _name not in vars(ParamState):
        setattr(ParamState, _name, _counting(dict, _name))
for _name in _DICT_WRITERS:
    setattr(OptimizerState, _name, _counting(defaultdict, _name))
