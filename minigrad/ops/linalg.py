"""Matrix products."""

from __future__ import annotations

from typing import Any

from minigrad.autograd import Function


class MatMul(Function):
    # y = a @ b (NumPy's rules: 1-D, 2-D, batched);  da = dy @ bᵀ,  db = aᵀ @ dy
    __slots__ = ("a", "b")

    def forward(self, a: Any, b: Any) -> Any:
        self.a, self.b = a, b
        return a @ b

    def backward(self, g: Any) -> tuple[Any, Any]:
        a, b = self.a, self.b
        # Give 1-D operands their matrix shape, so one rule covers every case.
        if a.ndim == 1:
            a = a.reshape(1, -1)
            g = g.reshape(g.shape[:-1] + (1,) + g.shape[-1:]) if b.ndim > 1 else g.reshape(1)
        if b.ndim == 1:
            b = b.reshape(-1, 1)
            g = g.reshape(g.shape + (1,))
        ga = g @ b.swapaxes(-1, -2) if self.needs_grad(0) else None
        gb = a.swapaxes(-1, -2) @ g if self.needs_grad(1) else None
        if ga is not None and self.a.ndim == 1:
            ga = ga.reshape(ga.shape[:-2] + ga.shape[-1:])
        if gb is not None and self.b.ndim == 1:
            gb = gb.reshape(gb.shape[:-1])
        return ga, gb
