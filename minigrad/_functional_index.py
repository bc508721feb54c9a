"""Function forms of the indexing, shape and linear-algebra operations added for
PyTorch compatibility (``minigrad.gather``, ``minigrad.einsum``, ...).

Most are the Tensor methods of the same name called as functions; the rest
(einsum, meshgrid, broadcast_tensors, the stacks, searchsorted) are written here
on top of the Tensor methods.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from minigrad.amp.policy import autocast_call
from minigrad.amp.state import state as _amp
from minigrad.autograd.graph import check_same_device
from minigrad.backend import backend_of
from minigrad.functional import _method, _same_kind, cat
from minigrad.ops import linalg as linalg_ops
from minigrad.size import Size
from minigrad.tensor import Tensor, new_tensor, normalize_dim

__all__ = [
    "gather",
    "scatter",
    "scatter_add",
    "index_add",
    "index_fill",
    "index_put",
    "masked_fill",
    "masked_select",
    "take_along_dim",
    "take",
    "nonzero",
    "argwhere",
    "select",
    "sort",
    "argsort",
    "msort",
    "topk",
    "kthvalue",
    "unique",
    "searchsorted",
    "bucketize",
    "unflatten",
    "tile",
    "repeat_interleave",
    "unbind",
    "flip",
    "fliplr",
    "flipud",
    "roll",
    "narrow",
    "movedim",
    "moveaxis",
    "swapaxes",
    "swapdims",
    "broadcast_to",
    "broadcast_tensors",
    "broadcast_shapes",
    "meshgrid",
    "tril",
    "triu",
    "diag",
    "diagonal",
    "diag_embed",
    "trace",
    "atleast_1d",
    "atleast_2d",
    "atleast_3d",
    "hstack",
    "vstack",
    "row_stack",
    "dstack",
    "column_stack",
    "mm",
    "bmm",
    "mv",
    "dot",
    "vdot",
    "outer",
    "ger",
    "addmm",
    "addmv",
    "baddbmm",
    "addr",
    "kron",
    "cross",
    "einsum",
    "inverse",
    "det",
    "logdet",
    "slogdet",
    "tensor_split",
    "hsplit",
    "vsplit",
    "adjoint",
    "tensordot",
    "block_diag",
    "cartesian_prod",
    "cdist",
]

gather = _method("gather")
scatter = _method("scatter")
scatter_add = _method("scatter_add")
index_add = _method("index_add")
index_fill = _method("index_fill")
index_put = _method("index_put")
masked_fill = _method("masked_fill")
masked_select = _method("masked_select")
take_along_dim = _method("take_along_dim")
take = _method("take")
nonzero = _method("nonzero")
argwhere = _method("argwhere")
select = _method("select")
sort = _method("sort")
argsort = _method("argsort")
msort = _method("msort")
topk = _method("topk")
kthvalue = _method("kthvalue")
unique = _method("unique")
unflatten = _method("unflatten")
tile = _method("tile")
_repeat_interleave = _method("repeat_interleave")
unbind = _method("unbind")
flip = _method("flip")
fliplr = _method("fliplr")
flipud = _method("flipud")
roll = _method("roll")
narrow = _method("narrow")
movedim = _method("movedim")
moveaxis = _method("moveaxis")
swapaxes = _method("swapaxes")
swapdims = _method("swapdims")
broadcast_to = _method("broadcast_to")
tril = _method("tril")
triu = _method("triu")
diag = _method("diag")
diagonal = _method("diagonal")
diag_embed = _method("diag_embed")
trace = _method("trace")
mm = _method("mm")
bmm = _method("bmm")
mv = _method("mv")
dot = _method("dot")
vdot = _method("vdot")
outer = _method("outer")
ger = _method("ger")
addmm = _method("addmm")
addmv = _method("addmv")
baddbmm = _method("baddbmm")
addr = _method("addr")
kron = _method("kron")
cross = _method("cross")
inverse = _method("inverse")
det = _method("det")
logdet = _method("logdet")
slogdet = _method("slogdet")
tensor_split = _method("tensor_split")
hsplit = _method("hsplit")
vsplit = _method("vsplit")
adjoint = _method("adjoint")


def repeat_interleave(
    input: Tensor, repeats: Any = None, dim: int | None = None, **kw: Any
) -> Tensor:
    """Each entry of ``input`` repeated ``repeats`` times along ``dim``; with one integer
    tensor ``repeats`` only, ``arange(len(repeats))`` repeated by it."""
    if repeats is None:
        counts = input
        index = new_tensor(backend_of(counts._array).xp.arange(counts.numel()))
        return index.repeat_interleave(counts, 0, **kw)
    return _repeat_interleave(input, repeats, dim, **kw)


# ---------------------------------------------------------------------- broadcasting and grids
def broadcast_shapes(*shapes: Any) -> Size:
    """The shape that tensors of ``shapes`` broadcast to (an int is a 1-D shape), a
    :class:`minigrad.Size` as ``torch.broadcast_shapes`` gives."""
    normal = [(s,) if isinstance(s, int | np.integer) else tuple(s) for s in shapes]
    try:
        return Size(int(n) for n in np.broadcast_shapes(*normal))
    except ValueError:
        raise RuntimeError(f"shapes {' and '.join(map(str, normal))} cannot be broadcast") from None


def _tensor_list(tensors: tuple[Any, ...], op: str) -> list[Tensor]:
    """``f(a, b)`` and ``f([a, b])`` alike, as a list of tensors."""
    if len(tensors) == 1 and isinstance(tensors[0], list | tuple):
        tensors = tuple(tensors[0])
    for t in tensors:
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}(): expected tensors, got {type(t).__name__}")
    return list(tensors)


def broadcast_tensors(*tensors: Tensor) -> tuple[Tensor, ...]:
    """The tensors expanded (as views) to their common broadcast shape."""
    items = _tensor_list(tensors, "broadcast_tensors")
    shape = broadcast_shapes(*(t.shape for t in items))
    return tuple(t.expand(shape) for t in items)


def meshgrid(*tensors: Tensor, indexing: str | None = None) -> tuple[Tensor, ...]:
    """Coordinate grids of 1-D tensors x₀ … xₖ: output i holds xᵢ along dimension i
    (``indexing='ij'``, the default) — with ``'xy'`` the first two dimensions swap
    (Cartesian, as NumPy's default). The outputs are expanded views."""
    items = _tensor_list(tensors, "meshgrid")
    indexing = "ij" if indexing is None else indexing
    if indexing not in ("ij", "xy"):
        raise ValueError(f"meshgrid: indexing must be 'ij' or 'xy', got {indexing!r}")
    for t in items:
        if t.ndim > 1:
            raise RuntimeError(f"meshgrid: expects 0D or 1D tensors, got a {t.ndim}D tensor")
    vectors = [t.reshape(-1) for t in items]
    dims = list(range(len(vectors)))
    if indexing == "xy" and len(vectors) >= 2:
        dims[0], dims[1] = 1, 0
    shape = [0] * len(vectors)
    for v, d in zip(vectors, dims, strict=True):
        shape[d] = v.shape[0]
    grids = []
    for v, d in zip(vectors, dims, strict=True):
        placed = [1] * len(vectors)
        placed[d] = v.shape[0]
        grids.append(v.reshape(tuple(placed)).expand(tuple(shape)))
    return tuple(grids)


# ---------------------------------------------------------------------- at least n-D and stacks
def _at_least(tensors: tuple[Any, ...], ndim: int, op: str) -> Any:
    items = _tensor_list(tensors, op)
    out = []
    for t in items:
        if t.ndim >= ndim:
            out.append(t)
        elif ndim == 3 and t.ndim == 2:
            out.append(t.unsqueeze(-1))
        elif ndim == 3 and t.ndim == 1:
            out.append(t.reshape(1, -1, 1))
        else:
            out.append(t.reshape((1,) * (ndim - t.ndim) + t.shape))
    single = len(tensors) == 1 and isinstance(tensors[0], Tensor)
    return out[0] if single else tuple(out)


def atleast_1d(*tensors: Tensor) -> Any:
    """Each tensor viewed with at least 1 dimension (0-d becomes shape (1,))."""
    return _at_least(tensors, 1, "atleast_1d")


def atleast_2d(*tensors: Tensor) -> Any:
    """Each tensor viewed with at least 2 dimensions (shape (n,) becomes (1, n))."""
    return _at_least(tensors, 2, "atleast_2d")


def atleast_3d(*tensors: Tensor) -> Any:
    """Each tensor viewed with at least 3 dimensions ((n,) → (1, n, 1), (m, n) → (m, n, 1))."""
    return _at_least(tensors, 3, "atleast_3d")


def hstack(tensors: Sequence[Tensor]) -> Tensor:
    """Tensors joined column-wise: along dimension 0 when all are 1-D, else along 1."""
    items = [atleast_1d(t) for t in _tensor_list((tensors,), "hstack")]
    return cat(items, 0 if all(t.ndim == 1 for t in items) else 1)


def vstack(tensors: Sequence[Tensor]) -> Tensor:
    """Tensors joined row-wise (along dimension 0, 1-D ones as rows)."""
    return cat([atleast_2d(t) for t in _tensor_list((tensors,), "vstack")], 0)


row_stack = vstack


def dstack(tensors: Sequence[Tensor]) -> Tensor:
    """Tensors joined depth-wise (along dimension 2, after :func:`atleast_3d`)."""
    return cat([atleast_3d(t) for t in _tensor_list((tensors,), "dstack")], 2)


def column_stack(tensors: Sequence[Tensor]) -> Tensor:
    """Tensors joined as columns: 0-d and 1-D tensors become columns, then along dimension 1."""
    items = _tensor_list((tensors,), "column_stack")
    return cat([t.reshape(-1, 1) if t.ndim <= 1 else t for t in items], 1)


# ---------------------------------------------------------------------- products and combinations
def tensordot(a: Tensor, b: Tensor, dims: Any = 2) -> Tensor:
    """Σ over paired dimensions of a ⊗ b: ``dims = k`` pairs the last k of a with the first
    k of b; ``dims = (dims_a, dims_b)`` pairs them by position. One matrix product after
    moving the paired dimensions together."""
    if isinstance(dims, int | np.integer):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > a.ndim or dims > b.ndim:
            raise RuntimeError(
                f"tensordot expects dims <= the dimensions of a ({a.ndim}) and of b ({b.ndim}), "
                f"but got dims={dims}"
            )
        dims_a, dims_b = list(range(a.ndim - int(dims), a.ndim)), list(range(int(dims)))
    else:
        dims_a, dims_b = ([int(d) for d in _as_list(x)] for x in dims)
    dims_a = [_contracted(d, a, "a") for d in dims_a]
    dims_b = [_contracted(d, b, "b") for d in dims_b]
    if len(dims_a) != len(dims_b) or any(
        a.shape[i] != b.shape[j] for i, j in zip(dims_a, dims_b, strict=True)
    ):
        raise RuntimeError(
            f"tensordot: contracted dimensions {dims_a} of a (shape {tuple(a.shape)}) and "
            f"{dims_b} of b (shape {tuple(b.shape)}) must pair up with equal sizes"
        )
    free_a = [d for d in range(a.ndim) if d not in dims_a]
    free_b = [d for d in range(b.ndim) if d not in dims_b]
    size = int(np.prod([a.shape[d] for d in dims_a]))
    left = a.permute(*free_a, *dims_a).reshape(-1, size)
    right = b.permute(*dims_b, *free_b).reshape(size, -1)
    shape = tuple(a.shape[d] for d in free_a) + tuple(b.shape[d] for d in free_b)
    return (left @ right).reshape(shape)


def _contracted(dim: int, t: Tensor, name: str) -> int:
    """A contracted dimension of ``t`` (``a`` or ``b`` of tensordot) as a non-negative int."""
    if t.ndim == 0:
        raise IndexError(
            f"tensordot: dimension specified as {dim} but tensor {name} has no dimensions"
        )
    return normalize_dim(dim, t.ndim, "tensordot")


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, Tensor):
        return [int(v) for v in value.tolist()] if value.ndim else [int(value.item())]
    return [value] if isinstance(value, int | np.integer) else list(value)


def block_diag(*tensors: Tensor) -> Tensor:
    """The tensors (0-d, 1-d as a row, or 2-d) placed along the diagonal of a zero matrix."""
    items = _tensor_list(tensors, "block_diag")
    if not items:
        return Tensor([]).reshape(1, 0)
    for t in items:
        if t.ndim > 2:
            raise RuntimeError(
                f"block_diag: input tensors must have 2 or fewer dimensions, got a tensor of "
                f"shape {tuple(t.shape)}"
            )
    blocks = [t.reshape(1, -1) if t.ndim < 2 else t for t in _same_kind(items, "block_diag")]
    width = sum(block.shape[1] for block in blocks)
    rows, left = [], 0
    for block in blocks:
        height, cols = block.shape
        before = block.new_zeros((height, left))
        after = block.new_zeros((height, width - left - cols))
        rows.append(cat([before, block, after], 1))
        left += cols
    return cat(rows, 0)


def cartesian_prod(*tensors: Tensor) -> Tensor:
    """All tuples (x₀[i₀], x₁[i₁], ...) of 1-D tensors, one per row, the last index fastest."""
    items = _tensor_list(tensors, "cartesian_prod")
    if len(items) == 1:
        return items[0]
    return column_stack([grid.reshape(-1) for grid in meshgrid(*items, indexing="ij")])


def cdist(
    x1: Tensor,
    x2: Tensor,
    p: float = 2.0,
    compute_mode: str = "use_mm_for_euclid_dist_if_necessary",
) -> Tensor:
    """‖x1[..., i, :] − x2[..., j, :]‖ₚ for every pair of rows (batched): shape (..., P, R).

    Computed from the differences (``compute_mode`` is accepted; the matrix-product
    shortcut is never used). The gradient at a zero distance is 0, as PyTorch's."""
    if x1.ndim < 2 or x2.ndim < 2 or x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(
            f"cdist: x1 (shape {tuple(x1.shape)}) and x2 (shape {tuple(x2.shape)}) must be at "
            "least 2-D with the same number of columns"
        )
    if p < 0:
        raise RuntimeError(f"cdist only supports non-negative p values, got {p}")
    from minigrad.linalg import vector_norm  # (linalg builds on this module)

    return vector_norm(x1.unsqueeze(-2) - x2.unsqueeze(-3), p, -1)


# ---------------------------------------------------------------------- searching sorted values
def searchsorted(
    sorted_sequence: Tensor,
    input: Any,
    *,
    out_int32: bool = False,
    right: bool = False,
    side: str | None = None,
    sorter: Tensor | None = None,
) -> Tensor:
    """For each value of ``input``, the index i that keeps the innermost dimension of
    ``sorted_sequence`` sorted if it went in before position i: the first i with
    ``seq[i] >= v`` (``side='left'``) or ``seq[i] > v`` (``right=True`` / ``side='right'``).
    An N-D sequence searches row by row (its leading dimensions match ``input``'s)."""
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"searchsorted(): side can only be 'left' or 'right', got {side!r}")
        if right and side == "left":
            raise RuntimeError("searchsorted(): side and right can't be set to opposites")
    else:
        side = "right" if right else "left"
    if not isinstance(sorted_sequence, Tensor):
        raise TypeError("searchsorted(): sorted_sequence must be a Tensor")
    if sorted_sequence.ndim == 0:
        raise RuntimeError(
            "searchsorted(): boundaries tensor should have positive dimension, but got 0 dimension"
        )
    seq = sorted_sequence._array
    xp = backend_of(seq).xp
    if sorter is not None:
        seq = xp.take_along_axis(seq, sorted_sequence._index_array(sorter, "searchsorted"), -1)
    if isinstance(input, Tensor):
        check_same_device("searchsorted", (sorted_sequence, input))
        values = input._array
    else:
        values = backend_of(seq).from_host(np.asarray(input), sorted_sequence.device)
    found = _search_rows(xp, seq, values, side)
    return new_tensor(xp.asarray(found).astype(np.int32 if out_int32 else np.int64))


def _search_rows(xp: Any, seq: Any, values: Any, side: str) -> Any:
    if seq.ndim == 1:
        return xp.searchsorted(seq, values, side=side)
    if seq.shape[:-1] != values.shape[:-1]:
        raise RuntimeError(
            "searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
            f"dimensions of boundaries tensor and input value tensor must match, but we got "
            f"boundaries tensor {tuple(seq.shape)} and input value tensor {tuple(values.shape)}"
        )
    out = xp.empty(values.shape, dtype=np.int64)
    for row in np.ndindex(*seq.shape[:-1]):
        out[row] = xp.searchsorted(seq[row], values[row], side=side)
    return out


def bucketize(
    input: Any, boundaries: Tensor, *, out_int32: bool = False, right: bool = False
) -> Tensor:
    """The bucket of each value of ``input`` among 1-D sorted ``boundaries``: i with
    ``boundaries[i-1] < v <= boundaries[i]`` (``right=True``: ``boundaries[i-1] <= v <
    boundaries[i]``)."""
    if not isinstance(boundaries, Tensor) or boundaries.ndim != 1:
        raise RuntimeError("bucketize(): boundaries tensor must be 1 dimension")
    return searchsorted(boundaries, input, out_int32=out_int32, side="right" if right else "left")


# ---------------------------------------------------------------------- einsum
_LABELS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def einsum(equation: str, *operands: Any) -> Tensor:
    """Σ over the repeated labels of ``equation`` of the product of the operands, e.g.
    ``einsum('bij,bjk->bik', a, b)`` (batched matmul), ``'i,j->ij'`` (outer), ``'ii'``
    (trace), ``'ij->ji'`` (transpose), ``'...ij->...ji'`` (``...``: the broadcast
    leading dimensions). Without ``->``, the output holds the labels seen once, in
    alphabetical order. Operands may also be given as one list. Differentiable (twice):
    the gradient of each operand is again an einsum.
    """
    if _amp.active:
        return autocast_call("einsum", einsum, equation, *operands)
    tensors = _same_kind(_tensor_list(operands, "einsum"), "einsum")
    inputs, output = _parse_einsum(equation.replace(" ", ""), tensors)
    sizes = _label_sizes(inputs, tensors)
    prepared, subscripts = [], []
    for i, (subs, t) in enumerate(zip(inputs, tensors, strict=True)):
        target = tuple(sizes[c] for c in subs)
        if t.shape != target:
            t = t.expand(target)
        t, subs = _take_diagonals(t, subs)
        others = "".join(s for j, s in enumerate(inputs) if j != i) + output
        alone = [k for k, c in enumerate(subs) if c not in others]
        if alone:
            t = t.sum(tuple(alone))
            subs = "".join(c for k, c in enumerate(subs) if k not in alone)
        prepared.append(t)
        subscripts.append(subs)
    return linalg_ops.Einsum.apply(",".join(subscripts) + "->" + output, *prepared)


def _parse_einsum(equation: str, tensors: list[Tensor]) -> tuple[list[str], str]:
    """Input subscripts with ``...`` spelled out as letters, and the output subscripts."""
    lhs, arrow, rhs = equation.partition("->")
    parts = lhs.split(",")
    if len(parts) != len(tensors):
        raise ValueError(
            f"einsum(): {len(parts)} subscript groups in {equation!r} but {len(tensors)} operands"
        )
    for c in equation.replace("...", "").replace(",", "").replace("->", ""):
        if c not in _LABELS:
            raise ValueError(
                f"einsum(): invalid subscript {c!r} in {equation!r}: use letters a-zA-Z"
            )
    free = [c for c in _LABELS if c not in equation]
    widest = 0
    inputs = []
    for part, t in zip(parts, tensors, strict=True):
        named = part.replace("...", "")
        if part.count("...") > 1:
            raise ValueError(f"einsum(): more than one ellipsis in {part!r}")
        rest = t.ndim - len(named)
        if rest < 0 or ("..." not in part and rest != 0):
            raise ValueError(
                f"einsum(): the subscripts {part!r} do not match an operand with {t.ndim} "
                f"dimensions (shape {t.shape})"
            )
        widest = max(widest, rest if "..." in part else 0)
        inputs.append((part, rest))
    ellipsis = "".join(free[:widest])
    spelled = [
        p.replace("...", ellipsis[widest - rest :]) if "..." in p else p for p, rest in inputs
    ]
    if arrow:
        if rhs.count("...") > 1:
            raise ValueError(f"einsum(): more than one ellipsis in the output {rhs!r}")
        output = rhs.replace("...", ellipsis)
        seen = "".join(spelled)
        for c in output:
            if c not in seen:
                raise ValueError(f"einsum(): output subscript {c!r} does not appear in the inputs")
        if len(set(output)) != len(output):
            raise ValueError(f"einsum(): output subscript repeated in {rhs!r}")
    else:
        named = "".join(p.replace("...", "") for p, _ in inputs)
        output = ellipsis + "".join(sorted(c for c in set(named) if named.count(c) == 1))
    return spelled, output


def _label_sizes(inputs: list[str], tensors: list[Tensor]) -> dict[str, int]:
    """The size of every label; a label of size 1 broadcasts against a larger one."""
    sizes: dict[str, int] = {}
    for subs, t in zip(inputs, tensors, strict=True):
        for c, n in zip(subs, t.shape, strict=True):
            known = sizes.get(c, 1)
            if n != known and 1 not in (n, known):
                raise RuntimeError(
                    f"einsum(): subscript {c!r} has size {n} for an operand of shape {t.shape}, "
                    f"which does not broadcast with size {known} elsewhere"
                )
            sizes[c] = max(known, n) if n and known else 0
    return sizes


def _take_diagonals(t: Tensor, subs: str) -> tuple[Tensor, str]:
    """A label repeated within one operand selects its diagonal (``'ii'`` → ``'i'``)."""
    for c in subs:
        while subs.count(c) > 1:
            first = subs.index(c)
            second = subs.index(c, first + 1)
            t = t.diagonal(0, first, second)
            subs = subs[:first] + subs[first + 1 : second] + subs[second + 1 :] + c
    return t, subs


diff = _method("diff")
rot90 = _method("rot90")
bincount = _method("bincount")
isin = _method("isin")
__all__ += [
    "diff",
    "rot90",
    "bincount",
    "isin",
]

unique_consecutive = _method("unique_consecutive")
__all__ += ["unique_consecutive"]
