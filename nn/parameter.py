"""``Parameter``: a tensor that a :class:`~minigrad.nn.Module` learns."""

from __future__ import annotations

from typing import Any

from minigrad.tensor import Tensor

__all__ = ["Parameter"]


class Parameter(Tensor):
    """A leaf tensor that registers itself as a learnable parameter of a Module.

    Assigning a ``Parameter`` to an attribute of a :class:`~minigrad.nn.Module`
    adds it to ``module.parameters()``. ``Parameter(tensor)`` shares ``tensor``'s
    data (no copy) and cuts it from any graph; ``requires_grad`` is True by
    default, as in ``torch.nn.Parameter``.
    """

    __slots__ = ()

    def __init__(self, data: Any = None, requires_grad: bool = True) -> None:
        if data is None:
            from minigrad.creation import empty

            data = empty(0)
        super().__init__(data, requires_grad=requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __reduce_ex__(self, protocol: Any) -> Any:
        # copy / deepcopy / pickle: rebuild a Parameter (not a plain Tensor) from its data.
        return (_rebuild_parameter, (self.detach(), self.requires_grad, self.grad))


def _rebuild_parameter(data: Any, requires_grad: bool, grad: Any) -> Parameter:
    p = Parameter(data, requires_grad=requires_grad)
    p.grad = grad
    return p
