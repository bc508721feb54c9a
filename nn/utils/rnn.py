"""Batches of variable-length sequences (``minigrad.nn.utils.rnn``), as ``torch.nn.utils.rnn``.

- :func:`pad_sequence`: a list of sequences of lengths Lᵢ as one padded tensor;
- :func:`unpad_sequence`: a padded tensor and its lengths back into the list;
- :class:`PackedSequence`, :func:`pack_padded_sequence`, :func:`pack_sequence`,
  :func:`pad_packed_sequence`: the same batch packed time step by time step
  (no padding), the form the recurrent layers take.

All are built from differentiable ops (pad, stack, cat, slicing), so gradients
flow from the padded or packed batch to each sequence and back.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import minigrad
from minigrad.autograd.graph import check_same_device
from minigrad.tensor import Tensor

from ..functional import pad

__all__ = [
    "PackedSequence",
    "pack_padded_sequence",
    "pack_sequence",
    "pad_packed_sequence",
    "pad_sequence",
    "unpad_sequence",
]


class PackedSequence(NamedTuple):
    r"""A batch of variable-length sequences packed step by step, as PyTorch's.

    .. code-block:: text

        data:        (Σ batch_sizes, *)  step 0 of the batch_sizes[0] sequences still running,
                                         then step 1 of the batch_sizes[1] ones, …
        batch_sizes: (T,) int64 on the CPU, non-increasing: #{i : Lᵢ > t}
        sorted_indices[k]:   the batch entry stored in row k (longest first); None: as given
        unsorted_indices[i]: the row of batch entry i (the inverse permutation)
    """

    data: Tensor
    batch_sizes: Tensor
    sorted_indices: Tensor | None = None
    unsorted_indices: Tensor | None = None


def _as_list(sequences: Tensor | Sequence[Tensor]) -> list[Tensor]:
    """The sequences as a list of tensors (a tensor counts as the list of its rows)."""
    if isinstance(sequences, Tensor):
        return list(sequences.unbind(0))
    seqs = list(sequences)
    for i, s in enumerate(seqs):
        if not isinstance(s, Tensor):
            raise TypeError(
                f"pad_sequence(): expected Tensor as element {i} of sequences, "
                f"but got {type(s).__name__}"
            )
    return seqs


def pad_sequence(
    sequences: Tensor | Sequence[Tensor],
    batch_first: bool = False,
    padding_value: float = 0.0,
    padding_side: str = "right",
) -> Tensor:
    r"""Stack sequences of different lengths into one tensor, padding the shorter ones.

    .. code-block:: text

        sequences[i]: (Lᵢ, *)           L = max Lᵢ
        out: (L, B, *)  or, with batch_first, (B, L, *)
        right padding:  out[t, i] = sequences[i][t]          for t < Lᵢ, else padding_value
        left padding:   out[t, i] = sequences[i][t − L + Lᵢ]  for t ≥ L − Lᵢ, else padding_value

    The trailing dims ``*`` must be equal in all sequences, which must share
    one device; the result has the dtype of ``sequences[0]`` (the others are
    cast to it, as in PyTorch). Differentiable with respect to every sequence.
    """
    if padding_side not in ("left", "right"):
        raise RuntimeError(
            f"Expected padding_side to be one of left or right, but got {padding_side}."
        )
    seqs = _as_list(sequences)
    if not seqs:
        raise RuntimeError("received an empty list of sequences")
    first = seqs[0]
    for i, s in enumerate(seqs):
        if s.ndim == 0:
            raise RuntimeError(
                f"pad_sequence(): sequence {i} is a 0-dim tensor; each sequence needs a "
                "leading length dimension"
            )
        if s.shape[1:] != first.shape[1:]:
            raise RuntimeError(
                f"pad_sequence(): all sequences must have the same trailing shape, but "
                f"sequence 0 has shape {first.shape} and sequence {i} has shape {s.shape}"
            )
    check_same_device("pad_sequence()", seqs)
    longest = max(s.shape[0] for s in seqs)
    trailing = [0, 0] * (first.ndim - 1)
    padded = []
    for s in seqs:
        gap = longest - s.shape[0]
        widths = [*trailing, gap, 0] if padding_side == "left" else [*trailing, 0, gap]
        padded.append(pad(s.to(first.dtype), widths, value=padding_value))
    return minigrad.stack(padded, dim=0 if batch_first else 1)


def unpad_sequence(
    padded_sequences: Tensor, lengths: Tensor | Sequence[int], batch_first: bool = False
) -> list[Tensor]:
    r"""Split a right-padded batch back into its sequences, the inverse of :func:`pad_sequence`.

    .. code-block:: text

        padded_sequences: (L, B, *)  or, with batch_first, (B, L, *)
        out[i] = padded_sequences[:lengths[i], i]  (batch_first: padded_sequences[i, :lengths[i]])

    ``lengths`` (a tensor or a list of ints) gives one length per batch entry,
    each at most L. Each result is a differentiable view into the batch.
    """
    if not isinstance(padded_sequences, Tensor):
        raise TypeError(
            f"unpad_sequence(): expected a Tensor, but got {type(padded_sequences).__name__}"
        )
    if padded_sequences.ndim < 2:
        raise RuntimeError(
            "unpad_sequence(): padded_sequences needs a time and a batch dimension, but has "
            f"shape {padded_sequences.shape}"
        )
    sizes = _lengths(lengths)
    batch = padded_sequences if batch_first else padded_sequences.transpose(0, 1)
    if len(sizes) != batch.shape[0]:
        raise ValueError(
            f"unpad_sequence(): got {len(sizes)} lengths for a batch of {batch.shape[0]} sequences"
        )
    for i, n in enumerate(sizes):
        if not 0 <= n <= batch.shape[1]:
            raise ValueError(
                f"unpad_sequence(): length {n} of sequence {i} is outside [0, {batch.shape[1]}]"
            )
    return [batch[i, :n] for i, n in enumerate(sizes)]


def _lengths(lengths: Tensor | Sequence[int]) -> list[int]:
    """The lengths as a list of ints."""
    return [int(n) for n in (lengths.tolist() if isinstance(lengths, Tensor) else lengths)]


def pack_padded_sequence(
    input: Tensor,
    lengths: Tensor | Sequence[int],
    batch_first: bool = False,
    enforce_sorted: bool = True,
) -> PackedSequence:
    r"""Pack a padded batch of sequences of the given lengths.

    .. code-block:: text

        input: (T, B, *)  or, with batch_first, (B, T, *)
        rows sorted by decreasing length (sorted_indices; enforce_sorted: already so)
        data = cat(x[0, :batch_sizes[0]], x[1, :batch_sizes[1]], …)     (x: the sorted batch)

    Every length must be in [1, T]. Differentiable with respect to ``input``
    (the padding gets zero gradient).
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"pack_padded_sequence(): expected a Tensor, got {type(input).__name__}")
    if input.ndim < 2:
        raise RuntimeError(
            "pack_padded_sequence(): input needs a time and a batch dimension, but has "
            f"shape {input.shape}"
        )
    sizes = _lengths(lengths)
    x = input.transpose(0, 1) if batch_first else input
    if len(sizes) != x.shape[1]:
        raise ValueError(
            f"pack_padded_sequence(): got {len(sizes)} lengths for a batch of {x.shape[1]}"
        )
    if any(n <= 0 for n in sizes):
        raise RuntimeError(
            "Length of all samples has to be greater than 0, but found an element in "
            f"'lengths' that is <= 0 (lengths {sizes})"
        )
    if max(sizes) > x.shape[0]:
        raise RuntimeError(
            f"pack_padded_sequence(): length {max(sizes)} is longer than the input's "
            f"{x.shape[0]} time steps"
        )
    sorted_indices = unsorted_indices = None
    if enforce_sorted:
        if sizes != sorted(sizes, reverse=True):
            raise RuntimeError(
                "`lengths` array must be sorted in decreasing order when `enforce_sorted` is "
                "True. You can pass `enforce_sorted=False` to pack_padded_sequence and/or "
                "pack_sequence to sidestep this requirement if you do not need ONNX "
                "exportability."
            )
    else:
        order = sorted(range(len(sizes)), key=lambda i: -sizes[i])  # stable: ties keep order
        inverse = [0] * len(order)
        for position, i in enumerate(order):
            inverse[i] = position
        sorted_indices = minigrad.tensor(order, dtype=minigrad.int64, device=input.device)
        unsorted_indices = minigrad.tensor(inverse, dtype=minigrad.int64, device=input.device)
        x = x.index_select(1, sorted_indices)
        sizes = [sizes[i] for i in order]
    batch_sizes = [sum(n > t for n in sizes) for t in range(sizes[0])]
    data = minigrad.cat([x[t, :b] for t, b in enumerate(batch_sizes)])
    return PackedSequence(
        data, minigrad.tensor(batch_sizes, dtype=minigrad.int64), sorted_indices, unsorted_indices
    )


def pad_packed_sequence(
    sequence: PackedSequence,
    batch_first: bool = False,
    padding_value: float = 0.0,
    total_length: int | None = None,
) -> tuple[Tensor, Tensor]:
    r"""Unpack a :class:`PackedSequence` into a padded batch and the lengths, in input order.

    .. code-block:: text

        out: (T', B, *)  or, with batch_first, (B, T', *)     T' = total_length or T
        out[t, i] = step t of sequence i for t < lengths[i], else padding_value
        lengths: (B,) int64 on the CPU

    The inverse of :func:`pack_padded_sequence`; differentiable with respect to
    ``sequence.data``.
    """
    sizes = [int(b) for b in sequence.batch_sizes.tolist()]
    steps = total_length if total_length is not None else len(sizes)
    if steps < len(sizes):
        raise ValueError(
            "Expected total_length to be at least the length of the longest sequence in input, "
            f"but got total_length={total_length} and max sequence length being {len(sizes)}"
        )
    data, batch = sequence.data, sizes[0]
    rows, offset = [], 0
    trailing = [0, 0] * (data.ndim - 1)
    for b in sizes:
        rows.append(pad(data[offset : offset + b], [*trailing, 0, batch - b], value=padding_value))
        offset += b
    padded = minigrad.stack(rows)
    if steps > len(sizes):
        padded = pad(padded, [*trailing, 0, 0, 0, steps - len(sizes)], value=padding_value)
    lengths = [sum(b > i for b in sizes) for i in range(batch)]
    if sequence.unsorted_indices is not None:
        padded = padded.index_select(1, sequence.unsorted_indices)
        lengths = [lengths[i] for i in sequence.unsorted_indices.tolist()]
    if batch_first:
        padded = padded.transpose(0, 1)
    return padded, minigrad.tensor(lengths, dtype=minigrad.int64)


def pack_sequence(sequences: Sequence[Tensor], enforce_sorted: bool = True) -> PackedSequence:
    r"""Pack a list of sequences of lengths Lᵢ: ``pack_padded_sequence(pad_sequence(...), Lᵢ)``.

    With ``enforce_sorted`` the sequences must come longest first.
    """
    seqs = _as_list(sequences)
    return pack_padded_sequence(
        pad_sequence(seqs), [s.shape[0] for s in seqs], enforce_sorted=enforce_sorted
    )
