"""One parameter group's gradients, steps and state in contiguous buffers.

Every update rule of :mod:`minigrad.optim._functional` is element-wise:
applying it to the concatenation of a group's gradients and states is the same
arithmetic as applying it to each parameter in turn. :class:`FlatGroup` keeps
that concatenation so that a step is one call of the rule per group (what
PyTorch's ``foreach`` path does) instead of one per parameter:

.. code-block:: text

    grad buffer  ← each p.grad copied into its slice          (one copy each)
    step buffer  ← rule(grad buffer, flat state)              (one call, no allocation)
    p.sub_(slice of the step buffer)  for each p              (in place, in p's memory)

The parameters keep their own memory: nothing is rebound, so ``p``,
``p.detach()``, ``p.numpy()`` and a module's ``state_dict()`` entries all see
every update. The state lives in one buffer per name, and
``optimizer.state[p]`` shows each parameter's own slices (live views).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from minigrad.backend import get_array_module

from ._state import OptimizerState, ParamState
from ._storage import array_of, is_array, subtract_

if TYPE_CHECKING:
    from minigrad import Tensor

Array = Any
States = OptimizerState


class FlatGroup:
    """Contiguous gradient, step and state buffers behind one group's parameters."""

    __slots__ = (
        "params",
        "arrays",
        "layout",
        "grad",
        "grad_views",
        "param",
        "param_views",
        "step",
        "step_views",
        "state",
        "states",
        "state_views",
        "owner",
        "edits",
        "scalars",
    )

    def __init__(self, params: list[Tensor], states: States) -> None:
        first = array_of(params[0])
        xp = get_array_module(first)
        self.params = list(params)
        self.arrays = [array_of(p) for p in params]  # what the layout was read from
        self.layout = [_layout(p) for p in params]
        total = sum(array_of(p).size for p in params)
        self.grad = xp.empty(total, dtype=first.dtype)
        self.step = xp.empty(total, dtype=first.dtype)
        self.param: Array | None = None  # made when a rule reads θ (weight decay)
        self.param_views: list[Array] = []
        self.grad_views = self._split(self.grad)
        self.step_views = self._split(self.step)
        self.owner = states
        self.states: list[ParamState] = [states[p] for p in params]
        self.state: dict[str, Any] = {}
        self.state_views: dict[str, list[Array]] = {}
        self.scalars: list[str] = []
        for name, value in self.states[0].raw_items():
            if is_array(value):
                self.state[name] = xp.concatenate([s.raw(name).reshape(-1) for s in self.states])
            else:
                self.state[name] = value
        self.publish()

    def _split(self, flat: Array) -> list[Array]:
        """Views of ``flat``, one per parameter, shaped like it."""
        views, offset = [], 0
        for p in self.params:
            size = array_of(p).size
            views.append(flat[offset : offset + size].reshape(p.shape))
            offset += size
        return views

    @staticmethod
    def can_flatten(params: list[Tensor], states: States) -> bool:
        """Whether ``params`` (two or more, distinct) share array type, dtype and device, each
        has a gradient like itself, and their states (kept by an :class:`OptimizerState`,
        which counts edits) have the same keys and numbers (e.g. the same step count), so
        that one buffer per name can hold them."""
        if len(params) < 2 or len({id(p) for p in params}) != len(params):
            return False
        if not isinstance(states, OptimizerState):
            return False  # (a state the user swapped in: its edits would go unseen)
        kind = _layout(params[0])[:2]
        if any(_layout(p)[:2] != kind or not _fits(p) for p in params):
            return False
        reference = dict(_raw_items(states.get(params[0])))
        for p in params:
            state = states.get(p)
            if state is not None and not (
                type(state) is ParamState and state.edits is states.edits
            ):
                return False
            entries = dict(_raw_items(state))  # (a missing state is made when the group is)
            if entries.keys() != reference.keys():
                return False
            for name, value in entries.items():
                if is_array(value):
                    if (type(value), value.dtype) != kind or value.shape != p.shape:
                        return False
                elif value != reference[name]:
                    return False
        return True

    def matches(self, params: list[Tensor], states: States) -> bool:
        """Whether the buffers still fit these parameters (the same tensors, arrays of the
        same type, dtype and shape, gradients like them) and their states (no edit since
        :meth:`publish`: the edit count of ``states`` says so)."""
        if states is not self.owner or states.edits[0] != self.edits:
            return False  # (another state, or an entry written since publish)
        if len(params) != len(self.params):
            return False
        kind, dtype = self.layout[0][:2]
        for p, mine, array, (_, _, shape) in zip(params, self.params, self.arrays, self.layout):  # noqa: B905
            if p is not mine:
                return False
            a = array_of(p)
            if a is not array and (type(a) is not kind or a.dtype != dtype or a.shape != shape):
                return False  # (the same array as at flattening: type, dtype and shape hold)
            g = array_of(p.grad)  # type: ignore[arg-type]
            if type(g) is not kind or g.dtype != dtype or g.shape != shape:
                return False
        return True

    def gather_grads(self) -> Array:
        """Copy each parameter's gradient into the gradient buffer (one copy each).

        Every parameter has a gradient here (:meth:`matches` checked it).
        """
        for p, view in zip(self.params, self.grad_views, strict=True):
            view[...] = array_of(p.grad)  # type: ignore[arg-type]
        return self.grad

    def gather_params(self) -> Array:
        """Copy each parameter's values into a parameter buffer (for weight decay)."""
        if self.param is None:
            self.param = get_array_module(self.grad).empty_like(self.grad)
            self.param_views = self._split(self.param)
        for p, view in zip(self.params, self.param_views, strict=True):
            view[...] = array_of(p)
        return self.param

    def apply_step(self) -> None:
        """``p ← p − Δ`` for every parameter, from its slice of the step buffer."""
        subtract_(self.params, self.step_views)

    def publish(self) -> None:
        """Show the flat state per parameter: array entries as views, numbers as values
        (without counting these writes as edits)."""
        if len(self.state) != len(self.state_views) + len(self.scalars):
            for name, value in self.state.items():  # arrays the rule just created
                if name not in self.state_views and is_array(value):
                    views = self.state_views[name] = self._split(value)
                    for state, view in zip(self.states, views, strict=True):
                        state.publish(name, view)
            self.scalars = [k for k in self.state if k not in self.state_views]
        for name in self.scalars:
            value = self.state[name]
            for state in self.states:
                state.publish(name, value)
        self.edits = self.owner.edits[0]


def _raw_items(state: dict[str, Any] | None) -> Any:
    """The stored entries of a parameter's state (none when it has no state yet)."""
    if state is None:
        return ()
    return state.raw_items() if isinstance(state, ParamState) else state.items()


def _layout(p: Tensor) -> tuple[Any, ...]:
    """What the buffers assume of a parameter: its array type, dtype and shape."""
    array = array_of(p)
    return type(array), array.dtype, array.shape


def _fits(p: Tensor) -> bool:
    """Whether ``p`` has a gradient of its own array type, dtype and shape."""
    grad = p.grad
    return grad is not None and _layout(grad) == _layout(p)
