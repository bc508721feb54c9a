"""One parameter group as views into contiguous buffers, so a step is a few array calls.

Every update rule of :mod:`minigrad.optim._functional` is element-wise: applying
it to the concatenation of a group's parameters is the same arithmetic as
applying it to each parameter in turn. :class:`FlatGroup` makes that
concatenation without copies at step time: each parameter's ``._array`` becomes a
view into one buffer, each per-parameter state array a view into one state
buffer per name, and the gradients are gathered into one gradient buffer.
The rule then runs once per group instead of once per parameter (this is what
PyTorch's ``foreach`` and ``fused`` paths do), and ``optimizer.state[p]``
still shows each parameter's own slices.
"""

from __future__ import annotations

import numbers
from typing import TYPE_CHECKING, Any

from minigrad._typing import Array
from minigrad.backend import backend_of

if TYPE_CHECKING:
    from minigrad import Tensor


class FlatGroup:
    """Contiguous parameter, gradient and state buffers behind one group's tensors."""

    __slots__ = (
        "params",
        "views",
        "param",
        "grad",
        "grad_views",
        "state",
        "states",
        "state_views",
        "owner",
    )

    def __init__(self, params: list[Tensor], states: dict[Tensor, dict[str, Any]]) -> None:
        xp = backend_of(params[0]._array).xp
        dtype = params[0].dtype
        total = sum(p._array.size for p in params)
        flat = self.param = xp.empty(total, dtype=dtype)
        self.grad = xp.empty(total, dtype=dtype)
        self.params = list(params)
        self.views, self.grad_views = [], []
        offset = 0
        for p in params:
            end = offset + p._array.size
            view = flat[offset:end].reshape(p.shape)
            view[...] = p._array
            p._array = view
            self.views.append(view)
            self.grad_views.append(self.grad[offset:end].reshape(p.shape))
            offset = end
        self.owner = states
        self.states = [states[p] for p in params]
        self.state: dict[str, Any] = {}
        self.state_views: dict[str, list[Array]] = {}
        for name, value in self.states[0].items():
            if is_array(value):
                self.state[name] = xp.concatenate([s[name].reshape(-1) for s in self.states])
            else:
                self.state[name] = value
        self.publish()

    @staticmethod
    def can_flatten(params: list[Tensor], states: dict[Tensor, dict[str, Any]]) -> bool:
        """Whether ``params`` share dtype and device and their states have the same keys
        and scalars (e.g. the same step count), so that one buffer can hold them."""
        if len(params) < 2:
            return False
        first = params[0]
        kind, dtype = type(first._array), first.dtype
        if any(type(p._array) is not kind or p.dtype != dtype for p in params):
            return False
        if len({str(p.device) for p in params}) != 1:
            return False
        reference = states.get(first, {})
        for p in params:
            state = states.get(p, {})
            if state.keys() != reference.keys():
                return False
            for name, value in state.items():
                if is_array(value):
                    if (
                        type(value) is not kind
                        or value.dtype != reference[name].dtype
                        or value.shape != p.shape
                    ):
                        return False
                elif value != reference[name]:
                    return False
        return True

    def matches(self, params: list[Tensor], states: dict[Tensor, dict[str, Any]]) -> bool:
        """Whether the buffers still back these parameters and their states (no entry
        replaced since :meth:`publish`), and each parameter has a fitting gradient."""
        if states is not self.owner or len(params) != len(self.params):
            return False
        for i, (p, mine, view, grad_view) in enumerate(
            zip(params, self.params, self.views, self.grad_views, strict=True)
        ):
            if p is not mine or p._array is not view or not self._shows(i, states.get(p)):
                return False
            grad = p.grad
            if grad is None:
                return False
            g = grad._array
            if g is not grad_view and (
                type(g) is not type(view) or g.dtype != view.dtype or g.shape != view.shape
            ):
                return False
        return True

    def _shows(self, i: int, state: dict[str, Any] | None) -> bool:
        """Whether ``state`` is parameter ``i``'s state dict, holding what :meth:`publish` put."""
        if state is not self.states[i] or state.keys() != self.state.keys():
            return False
        for name, value in self.state.items():
            views = self.state_views.get(name)
            if views is None:
                if state[name] != value:  # a number, e.g. a step count set by the user
                    return False
            elif state[name] is not views[i]:  # an array replaced by the user
                return False
        return True

    def gather_grads(self) -> Array:
        """Copy each parameter's gradient into the gradient buffer (one copy each)."""
        for p, grad_view in zip(self.params, self.grad_views, strict=True):
            g = p.grad._array
            if g is not grad_view:
                grad_view[...] = g
        return self.grad

    def publish(self) -> None:
        """Show the flat state per parameter: array entries as views, numbers as values."""
        for name, value in self.state.items():
            if not is_array(value):
                for state in self.states:
                    state[name] = value
            elif name not in self.state_views:  # a state array the rule just created
                views = self.state_views[name] = []
                offset = 0
                for p, state in zip(self.params, self.states, strict=True):
                    end = offset + p._array.size
                    views.append(value[offset:end].reshape(p.shape))
                    state[name] = views[-1]
                    offset = end


def is_array(value: Any) -> bool:
    """Whether a state entry is an array of some backend (not a number such as ``step``)."""
    try:
        backend_of(value)
    except TypeError:
        return False
    return not isinstance(value, numbers.Number)
