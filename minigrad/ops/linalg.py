"""Matrix products, einsum, inverse, determinants, linear solves and p-norms."""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad.autograd.graph import Op
from minigrad.backend import get_array_module
from minigrad.ops.reduction import expand_reduced


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


# ---------------------------------------------------------------- linear algebra (more)
class Einsum(Op):
    # y = einsum("a,b,…->out", x₀, x₁, …);  dxᵢ = einsum("out,others->subsᵢ", dy, others)
    # (the front takes repeated labels' diagonals and sums labels found in one operand
    # only, so every label of xᵢ is in the output or another operand)
    __slots__ = ()

    def forward(self, equation: str, *operands: Any) -> Any:
        return get_array_module(operands[0]).einsum(equation, *operands)

    def backward(self, xp: Any, g: Any, out: Any, equation: str, *operands: Any) -> tuple:
        inputs, output = equation.split("->")
        subscripts = inputs.split(",")
        grads: list[Any] = [None]
        for i, subs in enumerate(subscripts):
            if not self.needs_grad(i + 1):
                grads.append(None)
                continue
            others = [s for j, s in enumerate(subscripts) if j != i]
            rest = [x for j, x in enumerate(operands) if j != i]
            spec = ",".join([output, *others]) + "->" + subs
            grads.append(xp.einsum(spec, g, *rest))
        return tuple(grads)


class Inv(Op):
    # Y = A⁻¹;  dA = -Yᵀ dY Yᵀ
    __slots__ = ()
    saves_output = True

    def name(self) -> str:
        return "LinalgInvExBackward0"  # PyTorch's node name

    def forward(self, a: Any) -> Any:
        return get_array_module(a).linalg.inv(a)

    def backward(self, xp: Any, g: Any, out: Any, a: Any) -> tuple[Any]:
        inv_t = out.swapaxes(-1, -2)
        return (-(inv_t @ g @ inv_t),)


class Det(Op):
    # y = det A;  dA = dy · cof(A), the cofactor matrix (det A · A⁻ᵀ when A is invertible;
    # finite for a singular A too, see Cofactor)
    __slots__ = ()
    saved = (0,)

    def name(self) -> str:
        return "LinalgDetBackward0"  # PyTorch's node name

    def forward(self, a: Any) -> Any:
        return get_array_module(a).linalg.det(a)

    def backward(self, xp: Any, g: Any, out: Any, a: Any) -> tuple[Any]:
        return (g.reshape(tuple(g.shape) + (1, 1)) * Cofactor.call(xp, a),)


class Cofactor(Op):
    # C = cof(A), Cᵢⱼ = (-1)^(i+j) det(A without row i and column j) = det A · A⁻ᵀ for an
    # invertible A; for any A, from the SVD A = U diag(s) Vᵀ: det U det V · U diag(Πⱼ≠ᵢ sⱼ) Vᵀ.
    # dA = ⟨dC, C⟩ A⁻ᵀ - A⁻ᵀ dCᵀ C  (A invertible; the derivative of det A · A⁻ᵀ)
    __slots__ = ()
    saved = (0,)
    saves_output = True

    def forward(self, a: Any) -> Any:
        xp = get_array_module(a)
        try:
            d = xp.asarray(xp.linalg.det(a))
            cof = d[..., None, None] * xp.linalg.inv(a).swapaxes(-1, -2)
            if bool((d != 0).all()) and bool(xp.isfinite(cof).all()):
                return cof
        except np.linalg.LinAlgError:  # (CuPy's is NumPy's)
            pass
        u, s, vh = (xp.asarray(m) for m in xp.linalg.svd(a))  # (a named tuple in NumPy)
        n = s.shape[-1]
        others = xp.where(xp.eye(n, dtype=bool), 1, s[..., None, :]).prod(-1)  # Πⱼ≠ᵢ sⱼ
        sign = xp.linalg.det(u) * xp.linalg.det(vh)
        return sign[..., None, None] * ((u * others[..., None, :]) @ vh)

    def backward(self, xp: Any, g: Any, out: Any, a: Any) -> tuple[Any]:
        try:
            inv_t = Inv.call(xp, a).swapaxes(-1, -2)
        except np.linalg.LinAlgError:
            raise RuntimeError(
                "linalg.det: the second derivative of the determinant at a singular matrix is "
                "not implemented (the first derivative, the cofactor matrix, is)"
            ) from None
        inner = (g * out).sum(-1).sum(-1).reshape(tuple(g.shape[:-2]) + (1, 1))
        return (inner * inv_t - inv_t @ g.swapaxes(-1, -2) @ out,)


class LogAbsDet(Op):
    # y = log |det A|;  dA = dy · A⁻ᵀ  (A invertible)
    __slots__ = ()
    saved = (0,)

    def name(self) -> str:
        return "LinalgSlogdetBackward0"  # PyTorch's node name

    def forward(self, a: Any) -> Any:
        return slogdet(a)[1]

    def backward(self, xp: Any, g: Any, out: Any, a: Any) -> tuple[Any]:
        return (g.reshape(tuple(g.shape) + (1, 1)) * Inv.call(xp, a).swapaxes(-1, -2),)


class Solve(Op):
    # X = A⁻¹ B (batched, B of shape (…, n, k));  dB = A⁻ᵀ dX,  dA = -dB Xᵀ
    __slots__ = ()
    saved = (0,)
    saves_output = True

    def name(self) -> str:
        return "LinalgSolveExBackward0"  # PyTorch's node name

    def forward(self, a: Any, b: Any) -> Any:
        return get_array_module(a).linalg.solve(a, b)

    def backward(self, xp: Any, g: Any, out: Any, a: Any, b: Any) -> tuple[Any, Any]:
        gb = Solve.call(xp, a.swapaxes(-1, -2), g)
        ga = -(gb @ out.swapaxes(-1, -2)) if self.needs_grad(0) else None
        return ga, gb


class PNorm(Op):
    # y = (Σ |x|ᵖ)^(1/p) over ``axis`` (0 < p < ∞);
    # dx = dy · sign(x) |x|^(p-1) / y^(p-1), and 0 where y = 0 (PyTorch's subgradient)
    __slots__ = ()
    saved = (0,)
    saves_output = True

    def name(self) -> str:
        return "LinalgVectorNormBackward0"  # PyTorch's node name

    def forward(self, x: Any, p: float, axis: Any, keepdim: bool) -> Any:
        xp = get_array_module(x)
        magnitude = xp.abs(x)
        if p == 1:
            return magnitude.sum(axis=axis, keepdims=keepdim)
        if p == 2:
            return xp.sqrt((magnitude * magnitude).sum(axis=axis, keepdims=keepdim))
        power = x.dtype.type(p)
        return (magnitude**power).sum(axis=axis, keepdims=keepdim) ** (1 / power)

    def backward(
        self, xp: Any, g: Any, out: Any, x: Any, p: float, axis: Any, keepdim: bool
    ) -> tuple:
        g = expand_reduced(xp, g, tuple(x.shape), axis, keepdim)
        if p == 1:
            return g * xp.sign(x), None, None, None
        norm = expand_reduced(xp, out, tuple(x.shape), axis, keepdim)
        zero = norm == 0
        safe = xp.where(zero, 1, norm)
        if p == 2:
            scaled = x / safe
        else:
            scaled = xp.sign(x) * (abs(x) / safe) ** (p - 1)
        return xp.where(zero, 0, g * scaled), None, None, None


def slogdet(a: Any) -> tuple[Any, Any]:
    """``(sign, log |det a|)`` as arrays of ``a``'s backend (the strict stand-in's namespace
    leaves the arrays inside NumPy's result tuple unwrapped)."""
    xp = get_array_module(a)
    sign, logabsdet = xp.linalg.slogdet(a)
    return xp.asarray(sign), xp.asarray(logabsdet)
