"""Matrix products, einsum, inverse, determinants, linear solves and p-norms."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from minigrad.autograd.graph import Op
from minigrad.backend import get_array_module
from minigrad.ops.reduction import expand_reduced


class MatMul(Op):
    # y = a @ b (NumPy's rules: 1-D, 2-D, batched);  da = dy @ bᵀ,  db = aᵀ @ dy
    __slots__ = ()
    saved_for = ((0, (1,)), (1, (0,)))

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


# ---------------------------------------------------------------- decompositions
# An op has one output, so a decomposition returns its factors packed: each factor flattened
# over its matrix dimensions and concatenated along the last axis, (…, Σ sizes). The front
# (minigrad.linalg) slices them out again (differentiably), and a backward unpacks the
# gradient and the saved output the same way; a factor that is not used gets a zero gradient.
def pack_batched(xp: Any, batch: tuple[int, ...], parts: Sequence[Any]) -> Any:
    """The factors ``parts`` of batch shape ``batch`` as one array (*batch, Σ sizes)."""
    flat = [p.reshape(batch + (math.prod(p.shape[len(batch) :]),)) for p in parts]
    return xp.concatenate(flat, axis=-1)


def unpack(packed: Any, shapes: Sequence[tuple[int, ...]]) -> list[Any]:
    """The factors of core shapes ``shapes`` out of ``packed`` (an array or a tensor)."""
    batch = tuple(packed.shape[:-1])
    parts, start = [], 0
    for shape in shapes:
        size = math.prod(shape)
        parts.append(packed[..., start : start + size].reshape(batch + tuple(shape)))
        start += size
    return parts


def _constants(x: Any) -> Any:
    """The array module of ``x``'s values (a tensor's or an array's), for constant arrays."""
    return get_array_module(getattr(x, "_array", x))


def _dtype(x: Any) -> Any:
    return getattr(x, "_array", x).dtype


def _eye(x: Any, n: int) -> Any:
    """The n×n identity, a constant of ``x``'s backend and dtype."""
    return _constants(x).eye(n, dtype=_dtype(x))


def _tril(x: Any, k: int = 0) -> Any:
    """The lower triangle (j - i ≤ k) of the last two dimensions, differentiable."""
    rows, cols = x.shape[-2], x.shape[-1]
    return x * _constants(x).tri(rows, cols, k, dtype=_dtype(x))


def _triu(x: Any, k: int = 0) -> Any:
    """The upper triangle (j - i ≥ k) of the last two dimensions, differentiable."""
    return x - _tril(x, k - 1)


def _diag_embed(xp: Any, v: Any) -> Any:
    """Matrices with ``v`` (…, n) on their diagonals."""
    return xp.expand_dims(v, -1) * _eye(v, v.shape[-1])


def _mT(x: Any) -> Any:
    return x.swapaxes(-1, -2)


def _results(xp: Any, result: Any) -> list[Any]:
    """The arrays of a NumPy/CuPy decomposition result (the strict stand-in leaves those
    inside NumPy's named tuples unwrapped)."""
    return [xp.asarray(r) for r in result]


class Cholesky(Op):
    # L = chol(A), A = L Lᵀ, L lower triangular (the lower triangle of A is read);
    # dA = L⁻ᵀ Φ(Lᵀ dL) L⁻¹ with Φ(X) = ½ (P + tril(P, -1)ᵀ), P = tril(X)
    # (PyTorch's formula: symmetric, half the diagonal)
    __slots__ = ()
    saves_output = True

    def name(self) -> str:
        return "LinalgCholeskyExBackward0"  # PyTorch's node name

    def forward(self, a: Any) -> Any:
        xp = get_array_module(a)
        if getattr(xp, "__name__", "") == "cupy":  # CuPy checks the factorisation only when asked
            import cupyx

            with cupyx.errstate(linalg="raise"):
                return xp.linalg.cholesky(a)
        return xp.linalg.cholesky(a)

    def backward(self, xp: Any, g: Any, out: Any, a: Any) -> tuple[Any]:
        p = _tril(_mT(out) @ g)
        phi = (p + _mT(_tril(p, -1))) * 0.5
        inv = Inv.call(xp, out)
        return (_mT(inv) @ phi @ inv,)


class Eigh(Op):
    # A = V diag(λ) Vᵀ (A symmetric; the UPLO triangle is read), λ ascending; packed (λ, V).
    # dA = V (diag(dλ) + F ∘ ½(Vᵀ dV - dVᵀ V)) Vᵀ with Fᵢⱼ = 1 / (λⱼ - λᵢ), Fᵢᵢ = 0
    # (PyTorch's: the skew part of Vᵀ dV, as the loss must not depend on the signs of the
    # eigenvectors; distinct eigenvalues)
    __slots__ = ()
    saves_output = True

    def name(self) -> str:
        return "LinalgEighBackward0"  # PyTorch's node name

    def forward(self, a: Any, uplo: str) -> Any:
        xp = get_array_module(a)
        w, v = _results(xp, xp.linalg.eigh(a, UPLO=uplo))
        return pack_batched(xp, tuple(a.shape[:-2]), [w, v])

    def backward(self, xp: Any, g: Any, out: Any, a: Any, uplo: str) -> tuple[Any, None]:
        n = a.shape[-1]
        gw, gv = unpack(g, [(n,), (n, n)])
        w, v = unpack(out, [(n,), (n, n)])
        vtgv = _mT(v) @ gv
        skew = (vtgv - _mT(vtgv)) * 0.5
        gaps = xp.expand_dims(w, -2) - xp.expand_dims(w, -1) + _eye(w, n)  # λⱼ - λᵢ, 1 on diag
        inner = skew / gaps + _diag_embed(xp, gw)
        return v @ inner @ _mT(v), None


class EigvalsH(Op):
    # λ of symmetric A; dA = V diag(dλ) Vᵀ (V from Eigh, so that it is differentiable too)
    __slots__ = ()
    saved = (0,)

    def name(self) -> str:
        return "LinalgEighBackward0"  # PyTorch's node name

    def forward(self, a: Any, uplo: str) -> Any:
        xp = get_array_module(a)
        return xp.asarray(xp.linalg.eigvalsh(a, UPLO=uplo))

    def backward(self, xp: Any, g: Any, out: Any, a: Any, uplo: str) -> tuple[Any, None]:
        n = a.shape[-1]
        v = unpack(Eigh.call(xp, a, uplo), [(n,), (n, n)])[1]
        return (v * xp.expand_dims(g, -2)) @ _mT(v), None


class QR(Op):
    # A = Q R (Householder, LAPACK's signs), packed (Q, R); mode 'reduced' or 'complete'.
    # Reduced, m ≥ n (PyTorch's formula):
    # dA = (dQ + Q syminvadj(triu(dR Rᵀ - Qᵀ dQ))) R⁻ᵀ, syminvadj(X) = X + Xᵀ - diag(X)
    __slots__ = ()
    saves_output = True

    def name(self) -> str:
        return "LinalgQrBackward0"  # PyTorch's node name

    def forward(self, a: Any, mode: str) -> Any:
        # (mode 'r' computes the reduced factors, and has no derivative, as in PyTorch)
        xp = get_array_module(a)
        q, r = _results(xp, xp.linalg.qr(a, mode="reduced" if mode == "r" else mode))
        return pack_batched(xp, tuple(a.shape[:-2]), [q, r])

    def backward(self, xp: Any, g: Any, out: Any, a: Any, mode: str) -> tuple[Any, None]:
        if mode == "r":
            raise RuntimeError(
                "The derivative of linalg.qr depends on Q, which is not computed when "
                "mode='r'. Please use linalg.qr(A, mode='reduced') if you are going to "
                "differentiate through linalg.qr."
            )
        m, n = a.shape[-2], a.shape[-1]
        if m < n or (mode == "complete" and m > n):
            raise RuntimeError(
                "linalg.qr: the derivative is implemented for mode='reduced' (or 'complete' "
                f"with a square A) and A of m ≥ n rows only (A is {m} by {n}, mode={mode!r})"
            )
        gq, gr = unpack(g, [(m, n), (n, n)])
        q, r = unpack(out, [(m, n), (n, n)])
        x = _triu(gr @ _mT(r) - _mT(q) @ gq)
        sym = x + _mT(_triu(x, 1))  # X + Xᵀ with the diagonal once
        return (gq + q @ sym) @ _mT(Inv.call(xp, r)), None


class SVD(Op):
    # A = U diag(S) Vh, S descending, packed (U, S, Vh); k = min(m, n).
    # dA (reduced factors, distinct singular values; PyTorch's formula) =
    #   U [(skew(Uᵀ dU) S + S skew(Vᵀ dV)) ∘ E⁻¹ + diag(dS)] Vh
    #   + (I - U Uᵀ) dU S⁻¹ Vh + U S⁻¹ dVh (I - V Vh),
    # skew(X) = X - Xᵀ, Eᵢⱼ = Sⱼ² - Sᵢ² (1 on the diagonal). With full_matrices, the columns
    # of U and the rows of Vh past k are ignored (PyTorch: they are arbitrary bases).
    __slots__ = ()
    saves_output = True

    def name(self) -> str:
        return "LinalgSvdBackward0"  # PyTorch's node name

    def forward(self, a: Any, full_matrices: bool) -> Any:
        xp = get_array_module(a)
        u, s, vh = _results(xp, xp.linalg.svd(a, full_matrices=full_matrices))
        return pack_batched(xp, tuple(a.shape[:-2]), [u, s, vh])

    def backward(self, xp: Any, g: Any, out: Any, a: Any, full_matrices: bool) -> tuple:
        m, n = a.shape[-2], a.shape[-1]
        k = min(m, n)
        um, vn = (m, n) if full_matrices else (k, k)
        shapes = [(m, um), (k,), (vn, n)]
        gu, gs, gvh = unpack(g, shapes)
        u, s, vh = unpack(out, shapes)
        if full_matrices:
            gu, u, gvh, vh = gu[..., :k], u[..., :k], gvh[..., :k, :], vh[..., :k, :]
        uh_gu = _mT(u) @ gu
        vh_gv = vh @ _mT(gvh)
        s_row, s_col = xp.expand_dims(s, -2), xp.expand_dims(s, -1)
        square = s * s
        gaps = xp.expand_dims(square, -2) - xp.expand_dims(square, -1) + _eye(s, k)
        inner = ((uh_gu - _mT(uh_gu)) * s_row + s_col * (vh_gv - _mT(vh_gv))) / gaps
        inner = inner + _diag_embed(xp, gs)
        if m > k:
            gu_sinv = gu / s_row
            return (u @ inner + gu_sinv - u @ (_mT(u) @ gu_sinv)) @ vh, None
        if n > k:
            sinv_gvh = gvh / s_col
            return u @ (inner @ vh + sinv_gvh - (sinv_gvh @ _mT(vh)) @ vh), None
        return u @ inner @ vh, None


class SVDVals(Op):
    # S of A; dA = U diag(dS) Vh (U, Vh from SVD, so that they are differentiable too)
    __slots__ = ()
    saved = (0,)

    def name(self) -> str:
        return "LinalgSvdBackward0"  # PyTorch's node name

    def forward(self, a: Any) -> Any:
        xp = get_array_module(a)
        return xp.asarray(xp.linalg.svd(a, compute_uv=False))

    def backward(self, xp: Any, g: Any, out: Any, a: Any) -> tuple[Any]:
        m, n = a.shape[-2], a.shape[-1]
        k = min(m, n)
        u, _, vh = unpack(SVD.call(xp, a, False), [(m, k), (k,), (k, n)])
        return ((u * xp.expand_dims(g, -2)) @ vh,)


class Pinv(Op):
    # A⁺ = V diag(1/S) Uᵀ over the singular values above ``tol`` (per matrix, (…, 1, 1));
    # dA (PyTorch's formula, exact where the rank does not change), with K = dYᵀ A⁺ (m ≤ n):
    # -(A⁺ K)ᵀ + K A⁺ᵀ - A A⁺ K A⁺ᵀ + A⁺ᵀ A⁺ (dYᵀ - K A), and its transpose for m > n
    __slots__ = ()
    saved = (0,)
    saves_output = True

    def name(self) -> str:
        return "LinalgPinvBackward0"  # PyTorch's node name

    def forward(self, a: Any, tol: Any) -> Any:
        xp = get_array_module(a)
        u, s, vh = _results(xp, xp.linalg.svd(a, full_matrices=False))
        keep = s > tol
        s_inv = xp.where(keep, 1 / xp.where(keep, s, 1), 0).astype(a.dtype)
        return (_mT(vh) * xp.expand_dims(s_inv, -2)) @ _mT(u)

    def backward(self, xp: Any, g: Any, out: Any, a: Any, tol: Any) -> tuple[Any, None]:
        m, n = a.shape[-2], a.shape[-1]
        pinv_t, g_t = _mT(out), _mT(g)
        if m <= n:
            k = g_t @ out
            k_pinv_t = k @ pinv_t
            grad = -_mT(out @ k) + k_pinv_t - (a @ out) @ k_pinv_t
            return grad + (pinv_t @ out) @ (g_t - k @ a), None
        k = out @ g_t
        pinv_t_k = pinv_t @ k
        grad = -_mT(k @ out) + (g_t - a @ k) @ out @ pinv_t + pinv_t_k
        return grad - pinv_t_k @ out @ a, None
