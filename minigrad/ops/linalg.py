"""Matrix products."""

from __future__ import annotations

from typing import Any

from minigrad.autograd.graph import Op


class MatMul(Op):
    # y = a @ b (NumPy's rules: 1-D, 2-D, batched);  da = dy @ bᵀ,  db = aᵀ @ dy
    __slots__ = ()
    saved_for_others = (0, 1)

    def forward(self, a: Any, b: Any) -> Any:
        return a @ b

    def backward(self, xp: Any, g: Any, out: Any, a: Any, b: Any) -> tuple[Any, Any]:
        a_vector, b_vector = a.ndim == 1, b.ndim == 1
        # Give 1-D operands their matrix shape, so one rule covers every case.
        if a_vector:
            a = a.reshape(1, -1)
            g = g.reshape(g.shape[:-1] + (1,) + g.shape[-1:]) if not b_vector else g.reshape(1)
        if b_vector:
            b = b.reshape(-1, 1)
            g = g.reshape(tuple(g.shape) + (1,))
        ga = g @ b.swapaxes(-1, -2) if self.needs_grad(0) else None
        gb = a.swapaxes(-1, -2) @ g if self.needs_grad(1) else None
        if ga is not None and a_vector:
            ga = ga.reshape(ga.shape[:-2] + ga.shape[-1:])
        if gb is not None and b_vector:
            gb = gb.reshape(gb.shape[:-1])
        return ga, gb
