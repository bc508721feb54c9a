"""Linear algebra, as ``torch.linalg``: norms, inverse, determinant, solve.

Every function takes a matrix or a batch of them (leading dimensions) and is
differentiable twice; the inverse, determinant and solve gradients assume
invertible matrices, as their formulas do.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from minigrad._functional_index import broadcast_shapes
from minigrad.amp.policy import autocast_call
from minigrad.amp.state import state as _amp
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
