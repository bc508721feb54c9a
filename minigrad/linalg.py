"""Linear algebra, as ``torch.linalg``: norms, inverse, determinant, solve, and the
Cholesky, symmetric eigen-, QR and singular value decompositions.

Every function takes a matrix or a batch of them (leading dimensions) and is
differentiable twice; the inverse, determinant and solve gradients assume
invertible matrices, as their formulas do, and the gradients through eigenvectors and
singular vectors assume distinct eigenvalues and singular values (and a loss that does not
depend on the vectors' signs).
"""

from __future__ import annotations

import math
from collections import namedtuple
from collections.abc import Sequence
from typing import Any

import numpy as np

from minigrad._functional_index import broadcast_shapes
from minigrad.amp.policy import autocast_call
from minigrad.amp.state import state as _amp
from minigrad.autograd.graph import new_tensor
from minigrad.backend import get_array_module
from minigrad.dtypes import as_dtype, is_floating
from minigrad.ops import linalg as linalg_ops
from minigrad.tensor import Tensor, _normalize_dims, normalize_dim

__all__ = [
    "inv",
    "det",
    "slogdet",
    "solve",
    "norm",
    "vector_norm",
    "matrix_norm",
    "cross",
    "matmul",
    "matrix_power",
    "LinAlgError",
    "cholesky",
    "cholesky_ex",
    "eigh",
    "eigvalsh",
    "qr",
    "svd",
    "svdvals",
    "pinv",
    "lstsq",
    "matrix_rank",
    "cond",
]


def inv(A: Tensor) -> Tensor:
    """A⁻¹ (batched); d A = -A⁻ᵀ dY A⁻ᵀ. A singular matrix raises RuntimeError."""
    return A.inverse()


def det(A: Tensor) -> Tensor:
    """det A (batched); d A = dy · det A · A⁻ᵀ."""
    return A.det()


def slogdet(A: Tensor) -> Any:
    """``(sign, logabsdet)`` with det A = sign · exp(logabsdet); d A = d logabsdet · A⁻ᵀ."""
    return A.slogdet()


def matrix_power(A: Tensor, n: int) -> Tensor:
    """Aⁿ (batched) by repeated squaring; A⁰ = I and A⁻ⁿ = (A⁻¹)ⁿ."""
    if A.ndim < 2 or A.shape[-1] != A.shape[-2]:
        raise RuntimeError(
            f"linalg.matrix_power: A must be a batch of square matrices, but they are "
            f"{'x'.join(map(str, A.shape[-2:]))} matrices (shape {tuple(A.shape)})"
        )
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"linalg.matrix_power: n must be an int, got {n!r}")
    if n == 0:
        eye = A.new_zeros(A.shape[-1:]).fill_(1).diag_embed()
        return eye.expand(A.shape).clone()
    base, result = (A.inverse() if n < 0 else A), None
    remaining = abs(n)
    while remaining:
        if remaining & 1:
            result = base if result is None else result @ base
        remaining >>= 1
        if remaining:
            base = base @ base
    assert result is not None
    return result.clone() if result is A else result  # a new tensor, as PyTorch's (n = 1)


def solve(A: Tensor, B: Tensor, *, left: bool = True) -> Tensor:
    """X with A X = B (``left=False``: X A = B), batched; B is a vector (or a batch of
    them) when it has one dimension less than A and its shape is A's without the last.

    dB = A⁻ᵀ dX and dA = -dB Xᵀ (A invertible).
    """
    if not isinstance(A, Tensor) or not isinstance(B, Tensor):
        raise TypeError("linalg.solve: A and B must be tensors")
    A = A._square_matrices("solve")
    if not left:
        return solve(A.mT, B.mT).mT
    vector = B.ndim == 1 or (B.ndim == A.ndim - 1 and B.shape == A.shape[:-1])
    rhs = B.unsqueeze(-1) if vector else B
    if rhs.ndim < 2 or rhs.shape[-2] != A.shape[-1]:
        raise RuntimeError(
            f"linalg.solve: Incompatible shapes of A and B for the equation AX = B "
            f"({'x'.join(map(str, A.shape[-2:]))} and {'x'.join(map(str, B.shape[-2:]))})"
        )
    A, rhs = A._check_matrix_args("linalg.solve", (rhs,), (A.ndim, rhs.ndim))
    batch = broadcast_shapes(A.shape[:-2], rhs.shape[:-2])  # explicit: not every backend does
    A, rhs = A.expand(batch + A.shape[-2:]), rhs.expand(batch + rhs.shape[-2:])
    try:
        x = linalg_ops.Solve.apply(A, rhs)
    except Exception as exc:  # NumPy's and CuPy's LinAlgError
        if "ingular" not in str(exc):
            raise
        raise RuntimeError(
            "linalg.solve: The solver failed because the input matrix is singular."
        ) from None
    return x.squeeze(-1) if vector else x


def matmul(input: Tensor, other: Tensor) -> Tensor:
    """The matrix product (``minigrad.matmul``)."""
    return input.matmul(other)


def cross(input: Tensor, other: Tensor, *, dim: int = -1) -> Tensor:
    """The cross product of 3-vectors along ``dim`` (default the last)."""
    return input.cross(other, dim)


def vector_norm(
    x: Tensor,
    ord: float = 2,
    dim: int | Sequence[int] | None = None,
    keepdim: bool = False,
    *,
    dtype: Any = None,
) -> Tensor:
    """‖x‖ₚ = (Σ abs(xᵢ)ᵖ)^(1/p) over ``dim`` (every element when None).

    ``ord=inf``: max abs(xᵢ); ``-inf``: min abs(xᵢ); ``0``: the number of non-zero entries
    (not differentiable: the result needs no grad). At x = 0 the gradient of a p-norm
    with p ≥ 1 is 0 (PyTorch's subgradient).
    """
    if _amp.active:
        return autocast_call(
            "norm" if dtype is None else None, vector_norm, x, ord, dim, keepdim, dtype=dtype
        )
    if dtype is not None:
        x = x.to(as_dtype(dtype))
    if not is_floating(x.dtype):
        raise RuntimeError(
            f"linalg.vector_norm: Expected a floating point tensor as input. Got {x.dtype}"
        )
    if isinstance(ord, str) or not isinstance(ord, int | float):
        raise RuntimeError(f"linalg.vector_norm: ord must be a number, got {ord!r}")
    dims = _normalize_dims(dim, x.ndim, "linalg.vector_norm") if x.ndim else None
    if ord == math.inf:
        return x.abs().amax(dims, keepdim)
    if ord == -math.inf:
        return x.abs().amin(dims, keepdim)
    if ord == 0:  # a count: piecewise constant, so no gradient flows
        return (x != 0).to(x.dtype).sum(dims, keepdim)
    if ord < 0:
        return x.abs().pow(ord).sum(dims, keepdim).pow(1 / ord)
    return linalg_ops.PNorm.apply(x, float(ord), dims, keepdim)


def matrix_norm(
    A: Tensor,
    ord: Any = "fro",
    dim: tuple[int, int] = (-2, -1),
    keepdim: bool = False,
    *,
    dtype: Any = None,
) -> Tensor:
    """A matrix norm over the two dimensions ``dim``: ``'fro'`` (√Σ aᵢⱼ²), ``1`` / ``-1``
    (max / min column sum of abs(aᵢⱼ)), ``inf`` / ``-inf`` (max / min row sum of abs(aᵢⱼ)).

    The spectral (``2``, ``-2``) and nuclear (``'nuc'``) norms need a differentiable SVD,
    which minigrad does not have yet: they raise NotImplementedError.
    """
    if _amp.active:
        return autocast_call(
            "norm" if dtype is None else None, matrix_norm, A, ord, dim, keepdim, dtype=dtype
        )
    if dtype is not None:
        A = A.to(as_dtype(dtype))
    if A.ndim < 2:
        raise RuntimeError(
            f"linalg.matrix_norm: The input tensor A must have at least 2 dimensions, "
            f"got shape {A.shape}"
        )
    if len(dim) != 2:
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {dim}")
    rows = normalize_dim(dim[0], A.ndim, "linalg.matrix_norm")
    cols = normalize_dim(dim[1], A.ndim, "linalg.matrix_norm")
    if rows == cols:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({rows}, {cols})")
    if ord == "fro":
        return vector_norm(A, 2, (rows, cols), keepdim)
    if ord in ("nuc", 2, -2):
        raise NotImplementedError(
            f"linalg.matrix_norm: ord={ord!r} needs singular values, which minigrad does not "
            "compute; use 'fro', 1, -1, inf or -inf"
        )
    if ord not in (1, -1, math.inf, -math.inf):
        raise RuntimeError(f"linalg.matrix_norm: Order {ord!r} not supported.")
    # ord ±1 sums down the columns (over the row dimension), ±inf along the rows.
    summed, kept = (rows, cols) if abs(ord) == 1 else (cols, rows)
    sums = A.abs().sum(summed, keepdim=True)
    out = sums.amax(kept, keepdim=True) if ord > 0 else sums.amin(kept, keepdim=True)
    return out if keepdim else out.squeeze((rows, cols))


def norm(
    A: Tensor,
    ord: Any = None,
    dim: int | Sequence[int] | None = None,
    keepdim: bool = False,
    *,
    dtype: Any = None,
) -> Tensor:
    """A vector or a matrix norm, as ``torch.linalg.norm``: ``dim`` an int (or ``ord``
    given for a 1-D input) → :func:`vector_norm`; ``dim`` a 2-tuple (or ``ord`` given for
    a 2-D input) → :func:`matrix_norm`; neither → the 2-norm of all elements."""
    if _amp.active:
        return autocast_call(
            "norm" if dtype is None else None, norm, A, ord, dim, keepdim, dtype=dtype
        )
    if isinstance(dim, int):
        return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype)
    if dim is not None:
        dims = tuple(dim)
        if len(dims) == 1:
            return vector_norm(A, 2 if ord is None else ord, dims, keepdim, dtype=dtype)
        if len(dims) != 2:
            raise RuntimeError(
                f"linalg.norm: If dim is specified, it must be of length 1 or 2. Got {dims}"
            )
        return matrix_norm(A, "fro" if ord is None else ord, dims, keepdim, dtype=dtype)
    if ord is None:
        return vector_norm(A, 2, None, keepdim, dtype=dtype)
    if A.ndim == 1:
        return vector_norm(A, ord, None, keepdim, dtype=dtype)
    if A.ndim == 2:
        return matrix_norm(A, ord, (-2, -1), keepdim, dtype=dtype)
    raise RuntimeError(
        "linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. "
        f"Got {A.ndim}D."
    )


# ---------------------------------------------------------------- decompositions
class LinAlgError(RuntimeError):
    """A linear algebra function failed on its input (``torch.linalg.LinAlgError``): a
    matrix that is not positive-definite for :func:`cholesky`, or a decomposition that did
    not converge."""


CholeskyExResult = namedtuple("CholeskyExResult", ["L", "info"])
CholeskyExResult.__doc__ = "What ``cholesky_ex`` returns: ``(L, info)``."
EighResult = namedtuple("EighResult", ["eigenvalues", "eigenvectors"])
EighResult.__doc__ = "What ``eigh`` returns: ``(eigenvalues, eigenvectors)``."
QRResult = namedtuple("QRResult", ["Q", "R"])
QRResult.__doc__ = "What ``qr`` returns: ``(Q, R)``."
SVDResult = namedtuple("SVDResult", ["U", "S", "Vh"])
SVDResult.__doc__ = "What ``svd`` returns: ``(U, S, Vh)``."
LstsqResult = namedtuple("LstsqResult", ["solution", "residuals", "rank", "singular_values"])
LstsqResult.__doc__ = "What ``lstsq`` returns: ``(solution, residuals, rank, singular_values)``."


def _float_matrices(A: Any, op: str, square: bool) -> Tensor:
    """``A`` checked: a floating tensor of (a batch of) matrices, square when ``square``."""
    if not isinstance(A, Tensor):
        raise TypeError(f"linalg.{op}: A must be a tensor, got {type(A).__name__}")
    if square:
        return A._square_matrices(op)
    if A.ndim < 2:
        raise RuntimeError(
            f"linalg.{op}: The input tensor A must have at least 2 dimensions (shape {A.shape})"
        )
    if not is_floating(A.dtype):
        raise RuntimeError(f"linalg.{op}: Expected a floating point tensor, got {A.dtype}")
    return A


def _cholesky_info(a: Any) -> Any:
    """LAPACK's ``info`` per matrix of ``a`` (only its lower triangle read): 0 when it is
    positive-definite, else the order of its first leading minor that is not (the first
    k with det ≤ 0, Sylvester's criterion)."""
    xp = get_array_module(a)
    n = a.shape[-1]
    lower = xp.tril(a.reshape((-1, n, n)))
    full = lower + xp.tril(lower, -1).swapaxes(-1, -2)
    info = xp.zeros(full.shape[0], dtype=np.int32)
    for k in range(n, 0, -1):  # the smallest failing order wins
        d = xp.asarray(xp.linalg.det(full[:, :k, :k]))
        info = xp.where(~(d > 0), k, info)
    return info.reshape(a.shape[:-2])


def cholesky_ex(A: Tensor, *, upper: bool = False, check_errors: bool = False) -> Any:
    """``(L, info)``: :func:`cholesky` that reports failures in ``info`` (an int32 tensor of
    the batch shape: 0, or the order of the first leading minor that is not
    positive-definite) instead of raising, unless ``check_errors``.

    Where a matrix is not positive-definite its ``L`` is not a factor (PyTorch leaves a
    partial factorisation there; minigrad leaves NaN)."""
    A = _float_matrices(A, "cholesky_ex", square=True)
    info = _cholesky_info(A._array)
    failed = info != 0
    if check_errors and bool(failed.any()):
        _raise_not_positive_definite("cholesky_ex", info)
    if not bool(failed.any()):
        return CholeskyExResult(cholesky(A, upper=upper), new_tensor(info))
    eye = A.new_zeros(A.shape[-1:]).fill_(1).diag_embed()
    mask = new_tensor(failed[..., None, None])
    L = cholesky(A.where(~mask, eye), upper=upper).masked_fill(mask, math.nan)
    return CholeskyExResult(L, new_tensor(info))


def _raise_not_positive_definite(op: str, info: Any) -> None:
    flat = info.reshape(-1)
    index = int(flat.argmax()) if info.ndim else 0
    where = f"(Batch element {index}): " if info.ndim else ""
    raise LinAlgError(
        f"linalg.{op}: {where}The factorization could not be completed because the input is "
        f"not positive-definite (the leading minor of order {int(flat[index])} is not "
        "positive-definite)."
    )


def cholesky(A: Tensor, *, upper: bool = False) -> Tensor:
    """The Cholesky factor of a symmetric positive-definite A (batched): lower triangular L
    with A = L Lᵀ (``upper=True``: U = Lᵀ, A = Uᵀ U). Only the lower triangle of A is read.

    dA = L⁻ᵀ Φ(Lᵀ dL) L⁻¹, Φ(X) = ½ (P + tril(P, -1)ᵀ) with P = tril(X): a symmetric
    gradient (PyTorch's). A matrix that is not positive-definite raises
    :class:`LinAlgError` naming the order of its first leading minor that is not.
    """
    A = _float_matrices(A, "cholesky", square=True)
    try:
        L = linalg_ops.Cholesky.apply(A)
        finite = bool(get_array_module(L._array).isfinite(L._array).all())  # CuPy: NaN
    except np.linalg.LinAlgError:  # (CuPy's is NumPy's)
        finite = False
    if not finite:
        _raise_not_positive_definite("cholesky", _cholesky_info(A._array))
    return L.mT if upper else L


def eigh(A: Tensor, UPLO: str = "L") -> Any:
    """``(eigenvalues, eigenvectors)`` of a symmetric A (batched): A = V diag(λ) Vᵀ with λ
    ascending and V orthogonal (its columns' signs as LAPACK's). Only the ``UPLO`` ('L' or
    'U') triangle of A is read.

    dA = V (diag(dλ) + F ∘ ½(Vᵀ dV - dVᵀ V)) Vᵀ, Fᵢⱼ = 1 / (λⱼ - λᵢ) (0 on the diagonal):
    finite for distinct eigenvalues, and meaningful when the loss does not depend on the
    eigenvectors' signs.
    """
    A = _float_matrices(A, "eigh", square=True)
    uplo = _uplo(UPLO, "eigh")
    n = A.shape[-1]
    w, v = linalg_ops.unpack(linalg_ops.Eigh.apply(A, uplo), [(n,), (n, n)])
    return EighResult(w, v)


def eigvalsh(A: Tensor, UPLO: str = "L") -> Tensor:
    """The eigenvalues of a symmetric A (batched), ascending; dA = V diag(dλ) Vᵀ (finite
    for repeated eigenvalues too; its derivative needs distinct ones)."""
    A = _float_matrices(A, "eigvalsh", square=True)
    return linalg_ops.EigvalsH.apply(A, _uplo(UPLO, "eigvalsh"))


def _uplo(UPLO: str, op: str) -> str:
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"linalg.{op}: UPLO must be 'L' or 'U', got {UPLO!r}")
    return UPLO


def qr(A: Tensor, mode: str = "reduced") -> Any:
    """``(Q, R)`` with A = Q R (batched, A m×n, k = min(m, n)): ``mode='reduced'`` Q m×k
    with orthonormal columns and R k×n upper triangular; ``'complete'`` Q m×m and R m×n;
    ``'r'`` R only (Q is an empty tensor, and there is no gradient). Householder QR, so
    the signs of R's diagonal are LAPACK's (as NumPy's and PyTorch's).

    Gradient (reduced, m ≥ n, A of full rank; PyTorch's formula):
    dA = (dQ + Q syminvadj(triu(dR Rᵀ - Qᵀ dQ))) R⁻ᵀ with syminvadj(X) = X + Xᵀ - diag(X).
    Other shapes and modes raise RuntimeError in backward.
    """
    A = _float_matrices(A, "qr", square=False)
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(
            f"linalg.qr: qr received unrecognized mode {mode!r} but expected one of "
            "'reduced' (default), 'r', or 'complete'"
        )
    m, n = A.shape[-2], A.shape[-1]
    k = min(m, n)
    q_cols, r_rows = (m, m) if mode == "complete" else (k, k)
    out = linalg_ops.QR.apply(A, mode)
    Q, R = linalg_ops.unpack(out, [(m, q_cols), (r_rows, n)])
    if mode == "r":
        return QRResult(A.new_zeros((0,)), R)
    return QRResult(Q, R)


def svd(A: Tensor, full_matrices: bool = True) -> Any:
    """``(U, S, Vh)`` with A = U diag(S) Vh (batched, A m×n, k = min(m, n)), S descending
    and non-negative; ``full_matrices=True``: U m×m and Vh n×n, else U m×k and Vh k×n.
    The singular vectors' signs are LAPACK's (as NumPy's).

    Gradient (PyTorch's formula, distinct non-zero singular values, a loss that does not
    depend on the vectors' signs), with E = Sⱼ² - Sᵢ² and skew(X) = X - Xᵀ:
    dA = U [(skew(Uᵀ dU) S + S skew(Vᵀ dV)) / E + diag(dS)] Vh
    + (I - U Uᵀ) dU S⁻¹ Vh + U S⁻¹ dVh (I - V Vh).
    With ``full_matrices=True`` the gradients of the columns of U and rows of Vh past k are
    ignored, as PyTorch does (those vectors are arbitrary bases).
    """
    A = _float_matrices(A, "svd", square=False)
    m, n = A.shape[-2], A.shape[-1]
    k = min(m, n)
    shapes = [(m, m), (k,), (n, n)] if full_matrices else [(m, k), (k,), (k, n)]
    U, S, Vh = linalg_ops.unpack(linalg_ops.SVD.apply(A, bool(full_matrices)), shapes)
    return SVDResult(U, S, Vh)


def svdvals(A: Tensor) -> Tensor:
    """The singular values of A (batched), descending; dA = U diag(dS) Vh (finite for
    repeated singular values too; its derivative needs distinct ones)."""
    return linalg_ops.SVDVals.apply(_float_matrices(A, "svdvals", square=False))


def _tolerance(a: Any, s: Any, atol: Any, rtol: Any, op: str) -> Any:
    """max(atol, rtol · σ₁) per matrix, shape (…, 1), as PyTorch's ``pinv``/``matrix_rank``:
    with neither given, rtol = eps · max(m, n); with only atol given, rtol = 0."""
    xp = get_array_module(a)
    m, n = a.shape[-2], a.shape[-1]
    if rtol is None:
        rtol = (
            0.0
            if atol is not None and not _is_zero(atol)
            else float(np.finfo(a.dtype).eps) * max(m, n)
        )
    if s.shape[-1]:
        largest = s.max(-1, keepdims=True)
    else:
        largest = xp.zeros(tuple(s.shape[:-1]) + (1,), dtype=a.dtype)
    limits = [_column(xp, rtol, op) * largest]
    if atol is not None:
        limits.append(_column(xp, atol, op))
    bound = limits[0] if len(limits) == 1 else xp.maximum(limits[0], limits[1])
    return xp.broadcast_to(bound, s.shape[:-1] + (1,)).astype(a.dtype)


def _is_zero(value: Any) -> bool:
    return not isinstance(value, Tensor) and float(value) == 0


def _column(xp: Any, value: Any, op: str) -> Any:
    """A tolerance (a number, or a tensor of the batch shape) as an array (…, 1)."""
    if isinstance(value, Tensor):
        return xp.expand_dims(value._array, -1)
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise TypeError(f"linalg.{op}: atol and rtol must be numbers or tensors, got {value!r}")
    return float(value)


def _hermitian_part(A: Tensor) -> Tensor:
    """The symmetric matrix of A's lower triangle (what LAPACK reads of a Hermitian A)."""
    return A.tril() + A.tril(-1).mT


def pinv(A: Tensor, *, atol: Any = None, rtol: Any = None, hermitian: bool = False) -> Tensor:
    """The Moore-Penrose pseudo-inverse A⁺ = V diag(1/σ) Uᵀ (batched), over the singular
    values σ > max(atol, rtol · σ₁) (PyTorch's defaults: rtol = eps · max(m, n) when neither
    is given, 0 when only atol is). ``hermitian=True`` reads A's lower triangle only.

    Gradient (PyTorch's, exact where the rank does not change), with K = dYᵀ A⁺ (m ≤ n):
    dA = -(A⁺ K)ᵀ + K A⁺ᵀ - A A⁺ K A⁺ᵀ + A⁺ᵀ A⁺ (dYᵀ - K A), transposed roles for m > n.
    """
    A = _float_matrices(A, "pinv", square=hermitian)
    if hermitian:
        A = _hermitian_part(A)
    xp = get_array_module(A._array)
    s = xp.asarray(xp.linalg.svd(A._array, compute_uv=False))
    return linalg_ops.Pinv.apply(A, _tolerance(A._array, s, atol, rtol, "pinv"))


def matrix_rank(
    A: Tensor, *, atol: Any = None, rtol: Any = None, hermitian: bool = False
) -> Tensor:
    """The number of singular values σ > max(atol, rtol · σ₁) of A (batched), an int64
    tensor (the tolerances as :func:`pinv`'s). ``hermitian=True``: the eigenvalues' absolute
    values of A's lower triangle. Not differentiable."""
    A = _float_matrices(A, "matrix_rank", square=hermitian)
    a = A._array
    xp = get_array_module(a)
    if hermitian:
        a = _hermitian_part(A.detach())._array
        s = xp.abs(xp.asarray(xp.linalg.eigvalsh(a)))
    else:
        s = xp.asarray(xp.linalg.svd(a, compute_uv=False))
    tol = _tolerance(a, s, atol, rtol, "matrix_rank")
    return new_tensor((s > tol).sum(-1).astype(np.int64))


def lstsq(A: Tensor, B: Tensor, rcond: float | None = None, *, driver: str | None = None) -> Any:
    """The least-squares solution X = argmin ‖A X - B‖_F (minimum norm when A is not of full
    rank), batched, as ``(solution, residuals, rank, singular_values)``.

    X = A⁺ B with the singular values below rcond · σ₁ dropped (rcond = eps · max(m, n) by
    default), so dB = A⁺ᵀ dX and dA = the pseudo-inverse's gradient of dX Bᵀ (PyTorch's).
    ``driver`` (default 'gelsy') says which extras are filled, as in PyTorch on the CPU:
    ``residuals`` (‖A X - B‖² per column, differentiable) for 'gels', 'gelsd' and 'gelss'
    when m > n and every A has full rank; ``rank`` (int64) for 'gelsy', 'gelsd' and
    'gelss'; ``singular_values`` for 'gelsd' and 'gelss'; the others are empty tensors.
    """
    if not isinstance(A, Tensor) or not isinstance(B, Tensor):
        raise TypeError("linalg.lstsq: A and B must be tensors")
    A = _float_matrices(A, "lstsq", square=False)
    if driver is None:
        driver = "gelsy"
    if driver not in ("gels", "gelsy", "gelsd", "gelss"):
        raise RuntimeError(
            "linalg.lstsq: parameter `driver` should be one of (gels, gelsy, gelsd, gelss)"
        )
    vector = B.ndim == A.ndim - 1
    rhs = B.unsqueeze(-1) if vector else B
    if rhs.ndim < 2 or rhs.shape[-2] != A.shape[-2]:
        raise RuntimeError(
            f"linalg.lstsq: A's rows and B's must match (shapes {tuple(A.shape)} and "
            f"{tuple(B.shape)})"
        )
    if rhs.dtype != A.dtype:
        raise RuntimeError(
            f"linalg.lstsq: Expected A and B to have the same dtype, got {A.dtype} and {B.dtype}"
        )
    m, n = A.shape[-2], A.shape[-1]
    xp = get_array_module(A._array)
    s = xp.asarray(xp.linalg.svd(A._array, compute_uv=False))
    rtol = rcond if rcond is not None and driver != "gels" else None
    tol = _tolerance(A._array, s, None, rtol, "lstsq")
    X = linalg_ops.Pinv.apply(A, tol) @ rhs
    empty = A.new_zeros((0,))
    rank = new_tensor((s > tol).sum(-1).astype(np.int64))
    residuals = empty
    if m > n and driver != "gelsy" and bool((rank._array == n).all()):
        residuals = (A @ X - rhs).square().sum(-2)
        residuals = residuals.squeeze(-1) if vector else residuals
    return LstsqResult(
        X.squeeze(-1) if vector else X,
        residuals,
        new_tensor(xp.zeros((0,), dtype=np.int64)) if driver == "gels" else rank,
        new_tensor(s) if driver in ("gelsd", "gelss") else empty,
    )


def cond(A: Tensor, p: Any = None) -> Tensor:
    """The condition number κ(A) = ‖A‖ₚ ‖A⁻¹‖ₚ (batched). ``p`` None or 2: σ₁ / σₙ, and -2:
    σₙ / σ₁, from :func:`svdvals` (any shape); 'fro', 'nuc', inf, -inf, 1, -1: through
    the norms of A and :func:`inv` (A square and invertible). Differentiable as they are.
    """
    if p is None or p in (2, -2):
        s = svdvals(_float_matrices(A, "cond", square=False))
        first, last = s[..., 0], s[..., -1]
        return last / first if p == -2 else first / last
    if p not in ("fro", "nuc", 1, -1, math.inf, -math.inf):
        raise RuntimeError(f"linalg.cond: Order {p!r} not supported.")
    A = _float_matrices(A, "cond", square=True)
    inverse = inv(A)
    if p == "nuc":
        return svdvals(A).sum(-1) * svdvals(inverse).sum(-1)
    return matrix_norm(A, p) * matrix_norm(inverse, p)
