"""The functional form of :class:`minigrad.nn.EmbeddingBag`: sums, means or maxima of bags
of embeddings (``F.embedding_bag``), as ``torch.nn.functional.embedding_bag``.

Built from differentiable operations that exist already, so that gradients of any
order come for free: the rows looked up (the ``Embedding`` engine op), an optional
product with the per-sample weights, and a segment reduction: ``index_add`` into
the bags for ``sum`` and ``mean``, a ``gather`` of each bag's arg-max for ``max``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad import creation
from minigrad.autograd.graph import new_tensor
from minigrad.backend import array_of, get_array_module, to_host
from minigrad.functional import where
from minigrad.ops.normalization import Embedding
from minigrad.tensor import Tensor

from ._functional_norm import _check_dense, _renorm_rows
from .functional import _check_tensor

__all__ = ["embedding_bag"]

_MODES = ("sum", "mean", "max")


def embedding_bag(
    input: Tensor,
    weight: Tensor,
    offsets: Tensor | None = None,
    max_norm: float | None = None,
    norm_type: float = 2,
    scale_grad_by_freq: bool = False,
    mode: str = "mean",
    sparse: bool = False,
    per_sample_weights: Tensor | None = None,
    include_last_offset: bool = False,
    padding_idx: int | None = None,
) -> Tensor:
    """Sums, means or maxima of *bags* of rows of ``weight``, without the rows in between.

    The bags are given either as a 2-D ``input`` (B, N), B bags of N indices each
    (``offsets`` must be None), or as a 1-D ``input`` of all the indices one bag
    after the other, with ``offsets`` (1-D) the position where each bag starts:
    bag b is ``input[offsets[b]:offsets[b+1]]`` and the last runs to the end of
    ``input`` (``offsets[0]`` must be 0). With ``include_last_offset=True``
    ``offsets`` has one more entry, the end of the last bag (CSR format), so
    there are ``len(offsets) - 1`` bags (indices after that end belong to none).
    For bag b with indices i₁ … iₙ (those equal to ``padding_idx`` left out) and
    rows W[iₖ] of ``weight`` W (num_embeddings, embedding_dim), row b of the
    (B, embedding_dim) result is

    - ``mode='sum'``:  y_b = Σₖ aₖ·W[iₖ], with aₖ the ``per_sample_weights`` (1 when None);
    - ``mode='mean'``: y_b = (1/n) Σₖ W[iₖ];
    - ``mode='max'``:  y_b[d] = maxₖ W[iₖ, d], element-wise (the gradient of y_b[d]
      goes to the first row that reaches the maximum).

    An empty bag (or one of padding only) gives zeros. ``per_sample_weights`` has
    the shape of ``input`` and only goes with ``mode='sum'``. ``max_norm``,
    ``norm_type`` and ``scale_grad_by_freq`` are as in :func:`embedding` (the
    frequency n_r of row r counted over the whole batch: its gradient is divided
    by n_r; not with ``mode='max'``).
    Differentiable with respect to ``weight`` and ``per_sample_weights``;
    ``sparse=True`` (sparse gradients) is not supported.
    """
    op = "embedding_bag"
    _check_tensor(op, "input", input)
    _check_tensor(op, "weight", weight)
    if per_sample_weights is not None:
        _check_tensor(op, "per_sample_weights", per_sample_weights)
        if per_sample_weights.shape != input.shape:
            raise ValueError(
                f"embedding_bag: If per_sample_weights ({per_sample_weights.shape}) is not None, "
                f"then it must have the same shape as the input ({input.shape})"
            )
    if weight.ndim != 2:
        raise ValueError(f"weight has to be a 2D Tensor, but got Tensor of dimension {weight.ndim}")
    indices = array_of(input)
    if input.ndim == 2:
        if offsets is not None:
            raise ValueError(
                "if input is 2D, then offsets has to be None, as input is treated is a mini-batch "
                "of fixed length sequences. However, found offsets of type "
                f"{type(offsets).__name__}"
            )
        bags, length = input.shape
        starts, end = np.arange(bags, dtype=np.int64) * length, bags * length
        indices = indices.reshape(-1)
        if per_sample_weights is not None:
            per_sample_weights = per_sample_weights.reshape(-1)
    elif input.ndim == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        _check_tensor(op, "offsets", offsets)
        if offsets.ndim != 1:
            raise ValueError("offsets has to be a 1D Tensor")
        starts, end = _bag_starts(to_host(array_of(offsets)), input.shape[0], include_last_offset)
    else:
        raise ValueError(
            f"input has to be 1D or 2D Tensor, but got Tensor of dimension {input.ndim}"
        )
    if mode not in _MODES:
        raise ValueError("mode has to be one of sum, mean or max")
    if mode == "max":
        if scale_grad_by_freq:
            raise ValueError("max mode does not support scaling the gradient by the frequency")
        if sparse:
            raise ValueError("max mode does not support sparse weights")
    _check_dense(op, sparse)
    if per_sample_weights is not None:
        if mode != "sum":
            raise NotImplementedError(
                "embedding_bag: per_sample_weights was not None. per_sample_weights is only "
                f"supported for mode='sum' (got mode='{mode}'). Please open a feature request "
                "on GitHub."
            )
        if per_sample_weights.dtype != weight.dtype:
            raise RuntimeError(
                f"embedding_bag(): expected per_sample_weights of the weight's dtype "
                f"{weight.dtype}, got {per_sample_weights.dtype}"
            )
    if indices.dtype.kind not in "iu":
        raise RuntimeError(
            "Expected tensor for argument #1 'indices' to have one of the following scalar "
            f"types: Long, Int; but got {input.dtype} instead (while checking arguments for "
            "embedding_bag)"
        )
    if type(indices) is not type(array_of(weight)):
        raise RuntimeError(
            f"{op}(): expected the indices and the weight on the same device, got {input.device} "
            f"and {weight.device}"
        )
    num = weight.shape[0]
    if padding_idx is not None:
        if not -num <= padding_idx < num:
            raise RuntimeError(
                "padding_idx must be within the number of embeddings, "
                f"{-num} through {num - 1}, but got {padding_idx}"
            )
        padding_idx %= num
    if indices.size and (int(indices.min()) < 0 or int(indices.max()) >= num):
        raise IndexError(
            f"index out of range in self: {op}() indices must be in [0, {num - 1}] for a weight "
            f"of {num} rows, got values in [{int(indices.min())}, {int(indices.max())}]"
        )
    if max_norm is not None:
        _renorm_rows(weight, new_tensor(indices), float(max_norm), float(norm_type))
    return _reduce_bags(
        weight,
        indices,
        starts,
        end,
        mode,
        per_sample_weights,
        padding_idx,
        bool(scale_grad_by_freq),
    )


def _bag_starts(
    offsets: np.ndarray, length: int, include_last_offset: bool
) -> tuple[np.ndarray, int]:
    """Where each bag starts, from ``offsets`` (host), checked as PyTorch checks them, and
    where the last one ends (``offsets[-1]`` with ``include_last_offset``, as in CSR)."""
    if offsets.dtype.kind not in "iu":
        raise RuntimeError(
            "Expected tensor for argument #2 'offsets' to have one of the following scalar "
            f"types: Long, Int; but got {offsets.dtype} instead (while checking arguments for "
            "embedding_bag)"
        )
    offsets = offsets.astype(np.int64)
    if include_last_offset and offsets.size < 1:
        raise RuntimeError("include_last_offset: number of offset should be at least 1")
    if offsets.size:
        if offsets[0] != 0:
            raise RuntimeError(
                "offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start "
                f"from position 0. However, got {int(offsets[0])}"
            )
        if offsets[-1] > length:
            raise RuntimeError(
                f"offsets[-1] can not be greater than input's length {length} but got "
                f"offsets[-1] of {int(offsets[-1])}"
            )
        if (np.diff(offsets) < 0).any():
            raise RuntimeError(
                f"embedding_bag(): offsets must be non-decreasing, got {offsets.tolist()}"
            )
    if include_last_offset:
        return offsets[:-1], int(offsets[-1])
    return offsets, length


def _reduce_bags(
    weight: Tensor,
    indices: Any,
    starts: np.ndarray,
    end: int,
    mode: str,
    per_sample_weights: Tensor | None,
    padding_idx: int | None,
    scale_grad_by_freq: bool,
) -> Tensor:
    """The (B, D) bag reductions; ``indices`` flat (array), ``starts`` (B,) on the host, the
    last bag ending at ``end``."""
    xp = get_array_module(indices)
    bags, dim = starts.shape[0], weight.shape[1]
    starts_dev = xp.asarray(starts)
    # bag of each index: the last start at or before its position (-1: an index in no
    # bag, after include_last_offset's closing offset)
    position = xp.arange(indices.shape[0])
    bag_of = xp.searchsorted(starts_dev, position, side="right") - 1
    bag_of = xp.where(position < end, bag_of, -1)
    keep = bag_of >= 0
    if padding_idx is not None:
        keep = keep & (indices != padding_idx)
    if not bool(keep.all()):
        kept = xp.nonzero(keep)[0]
        indices, bag_of = indices[kept], bag_of[kept]
        if per_sample_weights is not None:
            per_sample_weights = per_sample_weights[new_tensor(kept)]
    rows = Embedding.apply(weight, indices, None, scale_grad_by_freq)  # (K, D)
    zeros = creation.zeros(bags, dim, dtype=weight.dtype, device=weight.device)
    counts = xp.bincount(bag_of, minlength=bags) if bag_of.size else xp.zeros(bags, dtype=np.int64)
    if mode == "max":
        return _bag_max(xp, rows, bag_of, counts, zeros)
    if per_sample_weights is not None:
        rows = rows * per_sample_weights.reshape(-1, 1)
    elif mode == "mean":
        inverse = 1.0 / xp.maximum(counts, 1).astype(rows.dtype)
        rows = rows * new_tensor(inverse[bag_of].reshape(-1, 1))
    return zeros.index_add(0, new_tensor(bag_of), rows)


def _bag_max(xp: Any, rows: Tensor, bag_of: Any, counts: Any, zeros: Tensor) -> Tensor:
    """y[b, d] = max of rows[k, d] over the k of bag b (0 for an empty bag): the arg-max is
    found on a (B, longest bag, D) padded copy of the values, then gathered (differentiable)."""
    bags, dim = zeros.shape
    if rows.shape[0] == 0 or bags == 0:
        return zeros.index_add(0, new_tensor(bag_of), rows)  # zeros, but still of the graph
    first = xp.cumsum(counts) - counts  # where each bag's rows start among the kept ones
    position = xp.arange(bag_of.shape[0]) - first[bag_of]
    values = array_of(rows)
    padded = xp.full((bags, int(counts.max()), dim), -xp.inf, dtype=values.dtype)
    padded[bag_of, position] = values
    source = first.reshape(-1, 1) + xp.argmax(padded, axis=1)  # first maximum, as PyTorch
    nonempty = (counts > 0).reshape(-1, 1)
    source = xp.where(nonempty, source, 0)
    picked = rows.gather(0, new_tensor(source))
    return where(new_tensor(xp.broadcast_to(nonempty, source.shape)), picked, zeros)
