"""Embedding and EmbeddingBag, as torch.nn: lookup tables of learnable vectors."""

from __future__ import annotations

from typing import Any

import minigrad
from minigrad import creation
from minigrad.tensor import Tensor

from . import _functional_norm as F
from . import init
from ._functional_embedding_bag import embedding_bag
from .module import Module
from .parameter import Parameter

__all__ = ["Embedding", "EmbeddingBag"]


class _EmbeddingTable(Module):
    """What Embedding and EmbeddingBag share: the table W (num_embeddings, embedding_dim),
    N(0, 1) with its ``padding_idx`` row zero, or a given ``_weight`` used as is."""

    def _init_table(
        self,
        kind: str,
        num_embeddings: int,
        embedding_dim: int,
        padding_idx: int | None,
        sparse: bool,
        _weight: Tensor | None,
        _freeze: bool,
        device: Any,
        dtype: Any,
    ) -> None:
        if num_embeddings < 0 or embedding_dim < 0:
            raise ValueError(
                f"{kind}: num_embeddings and embedding_dim must be non-negative, got "
                f"{num_embeddings} and {embedding_dim}"
            )
        F._check_dense(kind, sparse)
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        self.padding_idx = F._padding_index(padding_idx, num_embeddings)
        self.sparse = sparse
        if _weight is None:
            weight = creation.empty(num_embeddings, embedding_dim, dtype=dtype, device=device)
            self.weight = Parameter(weight, requires_grad=not _freeze)
            self.reset_parameters()
        else:
            if tuple(_weight.shape) != (num_embeddings, embedding_dim):
                raise ValueError(
                    f"Shape of weight does not match num_embeddings and embedding_dim: expected "
                    f"({num_embeddings}, {embedding_dim}), got {tuple(_weight.shape)}"
                )
            self.weight = Parameter(_weight, requires_grad=not _freeze)

    def reset_parameters(self) -> None:
        """W ~ N(0, 1), and the ``padding_idx`` row zero."""
        init.normal_(self.weight)
        if self.padding_idx is not None:
            with minigrad.no_grad():
                self.weight[self.padding_idx].fill_(0)


def _pretrained_shape(embeddings: Any) -> tuple[int, int]:
    """The (rows, columns) of a pretrained table, which must be a 2-D tensor."""
    if not isinstance(embeddings, Tensor) or embeddings.ndim != 2:
        raise ValueError(
            "Embeddings parameter is expected to be 2-dimensional, got "
            + (f"shape {embeddings.shape}" if isinstance(embeddings, Tensor) else "no tensor")
        )
    rows, cols = embeddings.shape
    return rows, cols


class Embedding(_EmbeddingTable):
    """A table of ``num_embeddings`` vectors of size ``embedding_dim``, looked up by index.

    y[...] = W[input[...]] for an integer tensor ``input`` of any shape; ``weight``
    W (num_embeddings, embedding_dim) starts as N(0, 1), its row ``padding_idx``
    (if given) as zeros, and that row receives no gradient (a padding token's
    vector stays fixed). ``max_norm`` renormalises the rows looked up (in place)
    to at most that ``norm_type``-norm; ``scale_grad_by_freq`` divides each row's
    gradient by its index's count in the batch. ``sparse=True`` (sparse
    gradients) is not supported: minigrad has no sparse tensors.
    """

    def __init__(
        self,
        num_embeddings: int,
        embedding_dim: int,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        sparse: bool = False,
        _weight: Tensor | None = None,
        _freeze: bool = False,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        self.max_norm = max_norm
        self.norm_type = norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        self._init_table(
            "Embedding", num_embeddings, embedding_dim, padding_idx, sparse, _weight, _freeze,
            device, dtype,
        )  # fmt: skip

    def forward(self, input: Tensor) -> Tensor:
        return F.embedding(
            input,
            self.weight,
            self.padding_idx,
            self.max_norm,
            self.norm_type,
            self.scale_grad_by_freq,
            self.sparse,
        )

    @classmethod
    def from_pretrained(
        cls,
        embeddings: Tensor,
        freeze: bool = True,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        sparse: bool = False,
    ) -> Embedding:
        """An Embedding whose weight is ``embeddings`` (2-D, used as is: its padding row is
        not zeroed); ``freeze=True`` keeps it out of training (requires_grad=False)."""
        rows, cols = _pretrained_shape(embeddings)
        return cls(
            rows,
            cols,
            padding_idx=padding_idx,
            max_norm=max_norm,
            norm_type=norm_type,
            scale_grad_by_freq=scale_grad_by_freq,
            sparse=sparse,
            _weight=embeddings,
            _freeze=freeze,
        )

    def extra_repr(self) -> str:
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            s += f", max_norm={self.max_norm}"
        if self.norm_type != 2:
            s += f", norm_type={self.norm_type}"
        if self.scale_grad_by_freq:
            s += ", scale_grad_by_freq=True"
        return s


class EmbeddingBag(_EmbeddingTable):
    """Sums, means or maxima of bags of embeddings (:func:`~minigrad.nn.functional.embedding_bag`).

    A table W (num_embeddings, embedding_dim), initialised as N(0, 1) (its row
    ``padding_idx``, if given, as zeros). ``bag(input, offsets=None,
    per_sample_weights=None)`` reduces each bag of indices to one vector: for the
    indices i₁ … iₙ of bag b (``padding_idx`` left out),

    - ``mode='sum'``:  y_b = Σₖ aₖ·W[iₖ] (aₖ = ``per_sample_weights``, else 1);
    - ``mode='mean'`` (default): y_b = (1/n) Σₖ W[iₖ];
    - ``mode='max'``:  y_b[d] = maxₖ W[iₖ, d].

    ``input`` is either 2-D (B, N), B bags of N indices, or 1-D with ``offsets``
    the start of each bag (``include_last_offset=True``: one more entry, the end
    of the last bag). Empty bags give zeros. The result is (B, embedding_dim),
    the same as ``Embedding`` followed by the reduction, without the (B, N,
    embedding_dim) tensor in between. ``sparse=True`` (sparse gradients) is not
    supported.
    """

    def __init__(
        self,
        num_embeddings: int,
        embedding_dim: int,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        mode: str = "mean",
        sparse: bool = False,
        _weight: Tensor | None = None,
        include_last_offset: bool = False,
        padding_idx: int | None = None,
        device: Any = None,
        dtype: Any = None,
        _freeze: bool = False,
    ) -> None:
        super().__init__()
        if mode not in ("sum", "mean", "max"):
            raise ValueError("mode has to be one of sum, mean or max")
        self.max_norm = max_norm
        self.norm_type = norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        self.mode = mode
        self.include_last_offset = include_last_offset
        self._init_table(
            "EmbeddingBag", num_embeddings, embedding_dim, padding_idx, sparse, _weight, _freeze,
            device, dtype,
        )  # fmt: skip

    def forward(
        self,
        input: Tensor,
        offsets: Tensor | None = None,
        per_sample_weights: Tensor | None = None,
    ) -> Tensor:
        return embedding_bag(
            input,
            self.weight,
            offsets,
            self.max_norm,
            self.norm_type,
            self.scale_grad_by_freq,
            self.mode,
            self.sparse,
            per_sample_weights,
            self.include_last_offset,
            self.padding_idx,
        )

    @classmethod
    def from_pretrained(
        cls,
        embeddings: Tensor,
        freeze: bool = True,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        mode: str = "mean",
        sparse: bool = False,
        include_last_offset: bool = False,
        padding_idx: int | None = None,
    ) -> EmbeddingBag:
        """An EmbeddingBag whose weight is ``embeddings`` (2-D, used as is: its padding row is
        not zeroed); ``freeze=True`` keeps it out of training (requires_grad=False)."""
        rows, cols = _pretrained_shape(embeddings)
        return cls(
            rows,
            cols,
            max_norm=max_norm,
            norm_type=norm_type,
            scale_grad_by_freq=scale_grad_by_freq,
            mode=mode,
            sparse=sparse,
            _weight=embeddings,
            include_last_offset=include_last_offset,
            padding_idx=padding_idx,
            _freeze=freeze,
        )

    def extra_repr(self) -> str:
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.max_norm is not None:
            s += f", max_norm={self.max_norm}"
        if self.norm_type != 2:
            s += f", norm_type={self.norm_type}"
        if self.scale_grad_by_freq:
            s += ", scale_grad_by_freq=True"
        s += f", mode='{self.mode}'"
        if self.include_last_offset:
            s += ", include_last_offset=True"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx}"
        return s
