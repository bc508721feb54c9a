"""Multi-head attention (Vaswani et al., 2017), with PyTorch's API, parameters and masks.

With E the embedding size, h heads of size d = E / h and the input projections
W_q, W_k, W_v (and biases), each head i attends with::

    Q_i = (query W_qᵀ + b_q)[heads i],  K_i = (key W_kᵀ + b_k)[i],  V_i = (value W_vᵀ + b_v)[i]
    head_i = softmax(Q_i K_iᵀ / √d + M) V_i
    output = concat(head_1, ..., head_h) W_oᵀ + b_o

M adds the attention mask and the key padding mask (a boolean mask is 0 where
attending is allowed and -inf where it is True). Everything is a differentiable
tensor operation, so gradients of every order flow.
"""

from __future__ import annotations

import math
from typing import Any

import minigrad
from minigrad.dtypes import bool_
from minigrad.tensor import Tensor

from . import functional as F
from . import init
from .linear import Linear
from .module import Module
from .parameter import Parameter

__all__ = ["MultiheadAttention"]


def _additive(mask: Tensor, name: str, dtype: Any) -> Tensor:
    """A boolean mask as 0 (attend) / -inf (True: masked out); a float mask as it is."""
    if mask.dtype == bool_:
        zeros = minigrad.zeros(*mask.shape, dtype=dtype, device=mask.device)
        return zeros.masked_fill(mask, float("-inf"))
    if not mask.is_floating_point():
        raise TypeError(f"only bool and floating types of {name} are supported, got {mask.dtype}")
    return mask


class MultiheadAttention(Module):
    """Attention over ``num_heads`` heads: softmax(Q Kᵀ/√d + M) V per head, then ``out_proj``.

    Inputs are (L, N, E) for the query and (S, N, kdim) / (S, N, vdim) for key and
    value ((N, L, E) ... when ``batch_first``), or unbatched (L, E) / (S, kdim) /
    (S, vdim). The parameters are PyTorch's, by name and initialisation:
    ``in_proj_weight`` (3E, E) when kdim = vdim = E, else ``q_proj_weight``,
    ``k_proj_weight``, ``v_proj_weight`` (Xavier-uniform); ``in_proj_bias`` (3E,
    zeros) when ``bias``; ``bias_k`` and ``bias_v`` (1, 1, E, Xavier-normal),
    appended to the keys and values, with ``add_bias_kv``; ``out_proj`` a
    :class:`Linear` (E, E) with a zero bias. ``add_zero_attn`` appends a zero key
    and value. ``dropout`` drops attention weights in training mode only.
    """

    in_proj_weight: Parameter | None
    q_proj_weight: Parameter | None
    k_proj_weight: Parameter | None
    v_proj_weight: Parameter | None
    in_proj_bias: Parameter | None
    bias_k: Parameter | None
    bias_v: Parameter | None

    def __init__(
        self,
        embed_dim: int,
        num_heads: int,
        dropout: float = 0.0,
        bias: bool = True,
        add_bias_kv: bool = False,
        add_zero_attn: bool = False,
        kdim: int | None = None,
        vdim: int | None = None,
        batch_first: bool = False,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(
                f"embed_dim and num_heads must be greater than 0, got embed_dim={embed_dim} "
                f"and num_heads={num_heads} instead"
            )
        if embed_dim % num_heads:
            raise AssertionError("embed_dim must be divisible by num_heads")
        if not 0 <= dropout <= 1:
            raise ValueError(f"dropout should be a number in range [0, 1], got {dropout}")
        self.embed_dim, self.num_heads = embed_dim, num_heads
        self.head_dim = embed_dim // num_heads
        self.kdim = kdim if kdim is not None else embed_dim
        self.vdim = vdim if vdim is not None else embed_dim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.dropout = float(dropout)
        self.batch_first, self.add_zero_attn = batch_first, add_zero_attn

        def parameter(*shape: int) -> Parameter:
            return Parameter(minigrad.empty(*shape, device=device, dtype=dtype))

        if self._qkv_same_embed_dim:
            self.in_proj_weight = parameter(3 * embed_dim, embed_dim)
            for name in ("q_proj_weight", "k_proj_weight", "v_proj_weight"):
                self.register_parameter(name, None)
        else:
            self.q_proj_weight = parameter(embed_dim, embed_dim)
            self.k_proj_weight = parameter(embed_dim, self.kdim)
            self.v_proj_weight = parameter(embed_dim, self.vdim)
            self.register_parameter("in_proj_weight", None)
        if bias:
            self.in_proj_bias = parameter(3 * embed_dim)
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = Linear(embed_dim, embed_dim, bias=bias, device=device, dtype=dtype)
        if add_bias_kv:
            self.bias_k = parameter(1, 1, embed_dim)
            self.bias_v = parameter(1, 1, embed_dim)
        else:
            self.bias_k = self.bias_v = None
        self._reset_parameters()

    def _reset_parameters(self) -> None:
        """PyTorch's initialisation: Xavier-uniform projections, zero biases, Xavier-normal
        ``bias_k`` / ``bias_v``."""
        for weight in self._projection_weights():
            init.xavier_uniform_(weight)
        if self.in_proj_bias is not None:
            init.constant_(self.in_proj_bias, 0.0)
            init.constant_(self.out_proj.bias, 0.0)  # type: ignore[arg-type]
        for extra in (self.bias_k, self.bias_v):
            if extra is not None:
                init.xavier_normal_(extra)

    def _projection_weights(self) -> tuple[Tensor, ...]:
        """``(in_proj_weight,)`` (W_q, W_k, W_v stacked), or the three separate weights."""
        if self.in_proj_weight is not None:
            return (self.in_proj_weight,)
        separate = (self.q_proj_weight, self.k_proj_weight, self.v_proj_weight)
        return separate  # type: ignore[return-value]  # all set without in_proj_weight

    def forward(
        self,
        query: Tensor,
        key: Tensor,
        value: Tensor,
        key_padding_mask: Tensor | None = None,
        need_weights: bool = True,
        attn_mask: Tensor | None = None,
        average_attn_weights: bool = True,
        is_causal: bool = False,
    ) -> tuple[Tensor, Tensor | None]:
        """``(attn_output, attn_weights)``: the output has the query's shape; the weights are
        (N, L, S) averaged over heads, (N, num_heads, L, S) if not ``average_attn_weights``
        (no N when unbatched), or None if not ``need_weights``.

        ``key_padding_mask`` (N, S) and ``attn_mask`` (L, S) or (N·num_heads, L, S) are
        boolean (True: may not attend) or float (added to the scores). ``is_causal`` is
        PyTorch's hint that ``attn_mask`` is the causal mask; the mask is what applies.
        In training, the weights returned are those used: after dropout, as PyTorch's.
        """
        batched = self._check_inputs(query, key, value)
        if is_causal and attn_mask is None:
            raise RuntimeError(
                "Need attn_mask if specifying the is_causal hint. You may use the "
                "Transformer module method `generate_square_subsequent_mask` to create this mask."
            )
        if not batched:
            query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        elif self.batch_first:
            query, key, value = (x.transpose(0, 1) for x in (query, key, value))
        length, batch, source = query.shape[0], query.shape[1], key.shape[0]
        mask = self._mask(attn_mask, key_padding_mask, batched, length, batch, source, query.dtype)
        heads, head_dim = self.num_heads, self.head_dim
        q, k, v = self._in_projection(query, key, value)
        if self.bias_k is not None and self.bias_v is not None:
            k = minigrad.cat([k, self.bias_k.expand(1, batch, self.embed_dim)])
            v = minigrad.cat([v, self.bias_v.expand(1, batch, self.embed_dim)])
        # (S, N, E) -> (N, heads, S, head_dim)
        q, k, v = (
            x.reshape(x.shape[0], batch, heads, head_dim).permute(1, 2, 0, 3) for x in (q, k, v)
        )
        if self.add_zero_attn:
            zeros = k.new_zeros(batch, heads, 1, head_dim)
            k, v = minigrad.cat([k, zeros], 2), minigrad.cat([v, zeros], 2)
        if mask is not None and mask.shape[-1] < k.shape[2]:  # bias_k / zero key: attended
            pad = mask.new_zeros(*mask.shape[:-1], k.shape[2] - mask.shape[-1])
            mask = minigrad.cat([mask, pad], -1)
        scores = (q * (1 / math.sqrt(head_dim))) @ k.transpose(-2, -1)
        weights = (scores if mask is None else scores + mask).softmax(-1)
        weights = F.dropout(weights, self.dropout, self.training)
        output = weights @ v
        output = self.out_proj(output.permute(2, 0, 1, 3).reshape(length, batch, self.embed_dim))
        if not batched:
            output = output.squeeze(1)
        elif self.batch_first:
            output = output.transpose(0, 1)
        if not need_weights:
            return output, None
        if average_attn_weights:
            weights = weights.mean(1)
        return output, (weights if batched else weights.squeeze(0))

    def _check_inputs(self, query: Tensor, key: Tensor, value: Tensor) -> bool:
        """Whether the inputs are batched (3-D) or not (2-D); AssertionError, as PyTorch,
        when their dimensions disagree."""
        if query.ndim not in (2, 3):
            raise AssertionError(
                f"query should be unbatched 2D or batched 3D tensor but received "
                f"{query.ndim}-D query tensor"
            )
        if key.ndim != query.ndim or value.ndim != query.ndim:
            raise AssertionError(
                f"For {query.ndim}-D `query`, expected `key` and `value` to be {query.ndim}-D "
                f"but found {key.ndim}-D and {value.ndim}-D tensors respectively"
            )
        if query.shape[-1] != self.embed_dim:
            raise AssertionError(
                f"was expecting embedding dimension of {self.embed_dim}, but got {query.shape[-1]}"
            )
        sequence = 1 if self.batch_first and query.ndim == 3 else 0
        if key.shape[:-1] != value.shape[:-1] or (
            query.ndim == 3 and query.shape[1 - sequence] != key.shape[1 - sequence]
        ):
            raise AssertionError(
                f"query, key and value must agree in batch size and key and value in "
                f"length, got shapes {query.shape}, {key.shape} and {value.shape}"
            )
        return query.ndim == 3

    def _mask(
        self,
        attn_mask: Tensor | None,
        key_padding_mask: Tensor | None,
        batched: bool,
        length: int,
        batch: int,
        source: int,
        dtype: Any,
    ) -> Tensor | None:
        """The sum of both masks as one float tensor broadcasting to (N, heads, L, S)."""
        mask = None
        if attn_mask is not None:
            if attn_mask.ndim == 2:
                expected: tuple[int, ...] = (length, source)
            elif attn_mask.ndim == 3:
                expected = (batch * self.num_heads, length, source)
            else:
                raise RuntimeError(f"attn_mask's dimension {attn_mask.ndim} is not supported")
            if tuple(attn_mask.shape) != expected:
                raise RuntimeError(
                    f"The shape of the {attn_mask.ndim}D attn_mask is {tuple(attn_mask.shape)}, "
                    f"but should be {expected}."
                )
            mask = _additive(attn_mask, "attn_mask", dtype)
            if mask.ndim == 3:
                mask = mask.reshape(batch, self.num_heads, length, source)
        if key_padding_mask is not None:
            expected = (batch, source) if batched else (source,)
            if tuple(key_padding_mask.shape) != expected:
                raise RuntimeError(
                    f"expecting key_padding_mask shape of {expected}, but got "
                    f"{tuple(key_padding_mask.shape)}"
                )
            padding = _additive(key_padding_mask, "key_padding_mask", dtype)
            padding = padding.reshape(batch, 1, 1, source)
            mask = padding if mask is None else mask + padding
        return mask

    def _in_projection(self, query: Tensor, key: Tensor, value: Tensor) -> tuple[Tensor, ...]:
        """query W_qᵀ + b_q, key W_kᵀ + b_k, value W_vᵀ + b_v."""
        weights = self._projection_weights()
        if len(weights) == 1:
            weights = weights[0].chunk(3)
        if self.in_proj_bias is None:
            biases: tuple[Any, ...] = (None, None, None)
        else:
            biases = self.in_proj_bias.chunk(3)
        inputs = (query, key, value)
        return tuple(F.linear(x, w, b) for x, w, b in zip(inputs, weights, biases, strict=True))
