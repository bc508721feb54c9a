"""Recurrent layers: RNN, LSTM and GRU (and their cells), with PyTorch's API and parameters.

Each time step is written with differentiable tensor operations, so backward
through time (and any higher-order gradient) comes from autograd; the weights
are laid out, named and initialised as PyTorch's, so a PyTorch ``state_dict``
loads. With H the hidden size, one step of layer k computes from the input x and
the previous state (h, c)::

    RNN:   h' = tanh(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh)        (or relu)
    LSTM:  i, f, g, o = split(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh)  (4 blocks of H)
           c' = σ(f)·c + σ(i)·tanh(g),   h' = σ(o)·tanh(c')
    GRU:   r, z = σ(split(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh)[:2])
           n = tanh(x W_in,ᵀ + b_in + r·(h W_hn,ᵀ + b_hn)),   h' = (1 - z)·n + z·h

RNN, LSTM and GRU also take a ``PackedSequence`` (``minigrad.nn.utils.rnn``): each
sequence then runs for its own length only, in both directions.
"""

from __future__ import annotations

import math
from typing import Any

import minigrad
from minigrad.tensor import Tensor

from . import functional as F
from . import init
from .module import Module
from .parameter import Parameter
from .utils.rnn import PackedSequence, pad_packed_sequence

__all__ = ["RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell"]

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def _step(
    mode: str,
    x: Tensor,
    h: Tensor,
    c: Tensor | None,
    w_ih: Tensor,
    w_hh: Tensor,
    b_ih: Any,
    b_hh: Any,
) -> tuple[Tensor, Tensor | None]:
    """One time step of ``mode`` for a batch: the new (h, c) (c only for LSTM)."""
    gi = F.linear(x, w_ih, b_ih)
    gh = F.linear(h, w_hh, b_hh)
    if mode == "LSTM":
        i, f, g, o = (gi + gh).chunk(4, -1)
        c = f.sigmoid() * c + i.sigmoid() * g.tanh()
        return o.sigmoid() * c.tanh(), c
    if mode == "GRU":
        ir, iz, in_ = gi.chunk(3, -1)
        hr, hz, hn = gh.chunk(3, -1)
        r, z = (ir + hr).sigmoid(), (iz + hz).sigmoid()
        n = (in_ + r * hn).tanh()
        return (1 - z) * n + z * h, None
    pre = gi + gh
    return (pre.tanh() if mode == "RNN_TANH" else pre.relu()), None


class _RNNBase(Module):
    """What RNN, LSTM and GRU share: the parameters and the loop over layers and time."""

    mode = "RNN_TANH"

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        for name, value in (("input_size", input_size), ("hidden_size", hidden_size)):
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if isinstance(num_layers, bool) or not isinstance(num_layers, int) or num_layers < 1:
            raise ValueError(f"num_layers must be a positive integer, got {num_layers!r}")
        if not 0 <= dropout <= 1:
            raise ValueError(f"dropout should be a number in range [0, 1], got {dropout}")
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.bias, self.batch_first, self.dropout = bias, batch_first, float(dropout)
        self.bidirectional = bidirectional
        directions = 2 if bidirectional else 1
        gate_size = _GATES[self.mode] * hidden_size
        self._names: list[list[str]] = []
        for layer in range(num_layers):
            layer_input = input_size if layer == 0 else hidden_size * directions
            for direction in range(directions):
                suffix = f"_l{layer}" + ("_reverse" if direction else "")
                shapes: list[tuple[str, tuple[int, ...]]] = [
                    ("weight_ih", (gate_size, layer_input)),
                    ("weight_hh", (gate_size, hidden_size)),
                ]
                if bias:
                    shapes += [("bias_ih", (gate_size,)), ("bias_hh", (gate_size,))]
                names = []
                for stem, shape in shapes:
                    name = stem + suffix
                    setattr(
                        self, name, Parameter(minigrad.empty(*shape, device=device, dtype=dtype))
                    )
                    names.append(name)
                self._names.append(names)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Every weight and bias uniform in ±1/√hidden_size, as PyTorch."""
        bound = 1 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            init.uniform_(p, -bound, bound)

    def _weights(self, index: int) -> list[Any]:
        weights = [getattr(self, name) for name in self._names[index]]
        return weights if self.bias else [*weights, None, None]

    def extra_repr(self) -> str:
        text = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            text += f", num_layers={self.num_layers}"
        if not self.bias:
            text += ", bias=False"
        if self.batch_first:
            text += ", batch_first=True"
        if self.dropout:
            text += f", dropout={self.dropout}"
        if self.bidirectional:
            text += ", bidirectional=True"
        return text

    def forward(self, input: Tensor | PackedSequence, hx: Any = None) -> tuple[Any, Any]:
        """``(output, h_n)`` (LSTM: ``(output, (h_n, c_n))``); output holds the last
        layer's h at every step, both directions concatenated. A :class:`PackedSequence`
        input gives a packed output and each sequence's state at its own last step."""
        if isinstance(input, PackedSequence):
            return self._forward_packed(input, hx)
        if not isinstance(input, Tensor):
            raise TypeError(f"{type(self).__name__}: input must be a Tensor")
        unbatched = input.ndim == 2
        if input.ndim not in (2, 3):
            raise ValueError(
                f"{type(self).__name__}: Expected input to be 2D or 3D, got {input.ndim}D tensor"
            )
        x = (
            input.unsqueeze(1)
            if unbatched
            else input.transpose(0, 1)
            if self.batch_first
            else input
        )
        if x.shape[-1] != self.input_size:
            raise RuntimeError(
                f"{type(self).__name__}: input.size(-1) must be equal to input_size. "
                f"Expected {self.input_size}, got {x.shape[-1]}"
            )
        weight = self._weights(0)[0]  # (weight_ih_l0)
        if x.dtype != weight.dtype:
            raise ValueError(
                f"RNN input dtype ({x.dtype}) does not match weight dtype ({weight.dtype}). "
                f"Convert input: input.to({weight.dtype}), or convert model: "
                f"model.to({x.dtype})"
            )
        h0, c0 = self._initial_state(x, hx, unbatched)
        x, h_n, c_n = self._layers(x, h0, c0, [x.shape[1]] * x.shape[0])
        output = x.squeeze(1) if unbatched else x.transpose(0, 1) if self.batch_first else x
        hidden = h_n.squeeze(1) if unbatched else h_n
        if self.mode != "LSTM":
            return output, hidden
        return output, (hidden, c_n.squeeze(1) if unbatched else c_n)

    def _layers(
        self, x: Tensor, h0: Tensor, c0: Any, batch_sizes: list[int]
    ) -> tuple[Tensor, Tensor, Any]:
        """Run every layer and direction over x (T, B, input): the last layer's outputs
        (T, B, directions·H) and the final (h_n, c_n) (c_n: None but for LSTM).

        At step t only the first ``batch_sizes[t]`` batch rows take a step (packed input,
        longest sequences first); the other rows keep their state, so each sequence's
        state freezes after its last step, and the reverse direction starts each sequence
        from h0 at its own last step. The outputs of rows past their end are zeros.
        """
        steps, batch = x.shape[0], x.shape[1]
        directions = 2 if self.bidirectional else 1
        h_n: list[Tensor] = []
        c_n: list[Any] = []
        for layer in range(self.num_layers):
            outputs = []
            for direction in range(directions):
                index = layer * directions + direction
                h, c = h0[index], (c0[index] if c0 is not None else None)
                out: list[Any] = [None] * steps
                for t in range(steps - 1, -1, -1) if direction else range(steps):
                    b = batch_sizes[t]
                    if b == batch:
                        h, c = _step(self.mode, x[t], h, c, *self._weights(index))
                        out[t] = h
                        continue
                    c_b = c[:b] if c is not None else None
                    h_b, c_b = _step(self.mode, x[t, :b], h[:b], c_b, *self._weights(index))
                    out[t] = F.pad(h_b, [0, 0, 0, batch - b])
                    h = minigrad.cat([h_b, h[b:]])
                    if c is not None and c_b is not None:
                        c = minigrad.cat([c_b, c[b:]])
                outputs.append(
                    minigrad.stack(out) if out else x.new_zeros(0, batch, self.hidden_size)
                )
                h_n.append(h)
                c_n.append(c)
            x = outputs[0] if directions == 1 else minigrad.cat(outputs, -1)
            if self.dropout and self.training and layer < self.num_layers - 1:
                x = F.dropout(x, self.dropout)
        return x, minigrad.stack(h_n), (minigrad.stack(c_n) if self.mode == "LSTM" else None)

    def _forward_packed(self, input: PackedSequence, hx: Any) -> tuple[PackedSequence, Any]:
        """``forward`` on a :class:`PackedSequence`: the output packed alike, and each
        sequence's h_n (and c_n) taken at its own last step, in the input's batch order."""
        sizes = [int(b) for b in input.batch_sizes.tolist()]
        data = input.data
        if data.ndim != 2 or data.shape[-1] != self.input_size:
            raise RuntimeError(
                f"{type(self).__name__}: packed data must have shape (N, {self.input_size}), "
                f"got {data.shape}"
            )
        x, _ = pad_packed_sequence(PackedSequence(data, input.batch_sizes))
        order, inverse = input.sorted_indices, input.unsorted_indices
        if hx is not None and order is not None:
            states = hx if self.mode == "LSTM" and isinstance(hx, tuple) else (hx,)
            moved = tuple(state.index_select(1, order) for state in states)
            hx = moved if self.mode == "LSTM" else moved[0]
        h0, c0 = self._initial_state(x, hx, False)
        x, h_n, c_n = self._layers(x, h0, c0, sizes)
        if inverse is not None:
            h_n = h_n.index_select(1, inverse)
            c_n = c_n.index_select(1, inverse) if c_n is not None else None
        packed = PackedSequence(
            minigrad.cat([x[t, :b] for t, b in enumerate(sizes)]), input.batch_sizes, order, inverse
        )
        return packed, ((h_n, c_n) if self.mode == "LSTM" else h_n)

    def _initial_state(self, x: Tensor, hx: Any, unbatched: bool) -> tuple[Tensor, Any]:
        """h0 (and c0) of shape (layers·directions, batch, hidden): given, or zeros."""
        layers = self.num_layers * (2 if self.bidirectional else 1)
        shape = (layers, x.shape[1], self.hidden_size)
        if hx is None:
            zeros = x.new_zeros(*shape)
            return zeros, (zeros if self.mode == "LSTM" else None)
        states = hx if self.mode == "LSTM" else (hx,)
        if self.mode == "LSTM" and (not isinstance(hx, tuple) or len(hx) != 2):
            raise TypeError("LSTM: hx must be a tuple (h_0, c_0)")
        fitted = []
        for state in states:
            state = state.unsqueeze(1) if unbatched else state
            if tuple(state.shape) != shape:
                raise RuntimeError(
                    f"{type(self).__name__}: Expected hidden size {shape}, got {tuple(state.shape)}"
                )
            fitted.append(state)
        return fitted[0], (fitted[1] if self.mode == "LSTM" else None)


class RNN(_RNNBase):
    """Elman RNN: h' = tanh(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh) (``nonlinearity='relu'``: relu)."""

    def __init__(self, *args: Any, nonlinearity: str = "tanh", **kwargs: Any) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(
                f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'."
            )
        super().__init__(*args, **kwargs)  # (the same parameters for tanh and relu)
        self.mode = "RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU"
        self.nonlinearity = nonlinearity


class LSTM(_RNNBase):
    """Long short-term memory: gates i, f, g, o; c' = σ(f)·c + σ(i)·tanh(g), h' = σ(o)·tanh(c')."""

    mode = "LSTM"

    def __init__(self, *args: Any, proj_size: int = 0, **kwargs: Any) -> None:
        if proj_size:
            raise NotImplementedError("LSTM: proj_size is not supported by minigrad")
        super().__init__(*args, **kwargs)


class GRU(_RNNBase):
    """Gated recurrent unit: h' = (1 - z)·n + z·h with reset r, update z, candidate n."""

    mode = "GRU"


class _CellBase(Module):
    """One step of RNN/LSTM/GRU as a module (PyTorch's RNNCell, LSTMCell, GRUCell)."""

    mode = "RNN_TANH"

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        gate_size = _GATES[self.mode] * hidden_size
        self.weight_ih = Parameter(
            minigrad.empty(gate_size, input_size, device=device, dtype=dtype)
        )
        self.weight_hh = Parameter(
            minigrad.empty(gate_size, hidden_size, device=device, dtype=dtype)
        )
        if bias:
            self.bias_ih = Parameter(minigrad.empty(gate_size, device=device, dtype=dtype))
            self.bias_hh = Parameter(minigrad.empty(gate_size, device=device, dtype=dtype))
        else:
            self.bias_ih = self.bias_hh = None  # type: ignore[assignment]
        bound = 1 / math.sqrt(hidden_size)
        for p in self.parameters():
            init.uniform_(p, -bound, bound)

    def extra_repr(self) -> str:
        return f"{self.input_size}, {self.hidden_size}" + ("" if self.bias else ", bias=False")

    def forward(self, input: Tensor, hx: Any = None) -> Any:
        unbatched = input.ndim == 1
        x = input.unsqueeze(0) if unbatched else input
        if hx is None:
            zeros = x.new_zeros(x.shape[0], self.hidden_size)
            states: tuple[Tensor, ...] = (zeros, zeros) if self.mode == "LSTM" else (zeros,)
        else:
            given = hx if self.mode == "LSTM" else (hx,)
            states = tuple(s.unsqueeze(0) if unbatched else s for s in given)
        h, c = _step(
            self.mode,
            x,
            states[0],
            states[1] if self.mode == "LSTM" else None,
            self.weight_ih,
            self.weight_hh,
            self.bias_ih,
            self.bias_hh,
        )
        if unbatched:
            h = h.squeeze(0)
            c = c.squeeze(0) if c is not None else None
        return (h, c) if self.mode == "LSTM" else h


class RNNCell(_CellBase):
    """One Elman RNN step: h' = tanh(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh) (or relu)."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        nonlinearity: str = "tanh",
        **kwargs: Any,
    ) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity: {nonlinearity}")
        super().__init__(input_size, hidden_size, bias, **kwargs)
        self.mode = "RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU"
        self.nonlinearity = nonlinearity


class LSTMCell(_CellBase):
    """One LSTM step; returns ``(h', c')``."""

    mode = "LSTM"


class GRUCell(_CellBase):
    """One GRU step."""

    mode = "GRU"
