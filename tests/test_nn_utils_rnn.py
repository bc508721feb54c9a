"""minigrad.nn.utils.rnn: padding variable-length sequences and back, as torch.nn.utils.rnn."""

from __future__ import annotations

import numpy as np
import pytest
from engine_helpers import given_settings, host, on
from hypothesis import given
from hypothesis import strategies as st

import minigrad as mg
from minigrad import nn
from minigrad.nn.utils.rnn import (
    PackedSequence,
    pack_padded_sequence,
    pack_sequence,
    pad_packed_sequence,
    pad_sequence,
    unpad_sequence,
)

lengths_st = st.lists(st.integers(0, 4), min_size=1, max_size=4)
trailing_st = st.lists(st.integers(1, 3), min_size=0, max_size=2).map(tuple)


def numpy_pad(arrays: list[np.ndarray], batch_first: bool, value: float, side: str) -> np.ndarray:
    """The padded batch built element by element: the oracle for pad_sequence."""
    longest = max(a.shape[0] for a in arrays)
    out = np.full((len(arrays), longest, *arrays[0].shape[1:]), value)
    for i, a in enumerate(arrays):
        start = longest - a.shape[0] if side == "left" else 0
        for t in range(a.shape[0]):
            out[i, start + t] = a[t]
    return out if batch_first else out.swapaxes(0, 1)


def random_arrays(lengths: list[int], trailing: tuple[int, ...]) -> list[np.ndarray]:
    rng = np.random.default_rng(len(lengths))
    return [rng.standard_normal((n, *trailing)) for n in lengths]


@given_settings
@given(
    lengths=lengths_st,
    trailing=trailing_st,
    batch_first=st.booleans(),
    side=st.sampled_from(["left", "right"]),
    value=st.sampled_from([0.0, -1.5]),
)
def test_pad_sequence_matches_numpy(
    lengths: list[int],
    trailing: tuple[int, ...],
    batch_first: bool,
    side: str,
    value: float,
    device: str,
) -> None:
    arrays = random_arrays(lengths, trailing)
    out = pad_sequence(
        [on(a, device) for a in arrays],
        batch_first=batch_first,
        padding_value=value,
        padding_side=side,
    )
    assert str(out.device).startswith(device)
    np.testing.assert_array_equal(host(out), numpy_pad(arrays, batch_first, value, side))


@given_settings
@given(lengths=lengths_st, trailing=trailing_st, batch_first=st.booleans())
def test_unpad_inverts_pad(
    lengths: list[int], trailing: tuple[int, ...], batch_first: bool, device: str
) -> None:
    arrays = random_arrays(lengths, trailing)
    padded = pad_sequence([on(a, device) for a in arrays], batch_first=batch_first)
    for given_lengths in (lengths, mg.tensor(lengths)):
        back = unpad_sequence(padded, given_lengths, batch_first=batch_first)
        assert len(back) == len(arrays)
        for got, want in zip(back, arrays, strict=True):
            np.testing.assert_array_equal(host(got), want)


def test_pad_sequence_tensor_input_and_dtype(device: str) -> None:
    rows = on(np.arange(6.0).reshape(2, 3), device, requires_grad=False)
    np.testing.assert_array_equal(host(pad_sequence(rows)), np.arange(6.0).reshape(2, 3).T)
    mixed = [mg.ones(2, dtype=mg.float32, device=device), mg.ones(3, device=device)]
    assert pad_sequence(mixed).dtype == mg.float32


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("side", ["left", "right"])
def test_pad_unpad_gradcheck(batch_first: bool, side: str, device: str) -> None:
    arrays = random_arrays([3, 1, 2], (2,))
    inputs = [on(a, device) for a in arrays]

    def padded(*seqs: mg.Tensor) -> mg.Tensor:
        return pad_sequence(list(seqs), batch_first, -0.5, side) ** 2

    def round_trip(*seqs: mg.Tensor) -> tuple[mg.Tensor, ...]:
        batch = pad_sequence(list(seqs), batch_first) * 3.0
        return tuple(s**2 for s in unpad_sequence(batch, [3, 1, 2], batch_first))

    assert mg.gradcheck(padded, inputs)
    assert mg.gradgradcheck(padded, inputs)
    assert mg.gradcheck(round_trip, inputs)


def test_gradient_flows_only_from_real_steps(device: str) -> None:
    seqs = [on(np.ones((3, 2)), device), on(np.ones((1, 2)), device)]
    pad_sequence(seqs, padding_side="left").sum().backward()
    for s in seqs:
        np.testing.assert_array_equal(host(s.grad), np.ones(s.shape))


def test_errors(device: str) -> None:
    with pytest.raises(RuntimeError, match="empty list"):
        pad_sequence([])
    with pytest.raises(RuntimeError, match="same trailing shape"):
        pad_sequence([mg.ones(2, 3, device=device), mg.ones(3, 4, device=device)])
    with pytest.raises(RuntimeError, match="0-dim"):
        pad_sequence([mg.tensor(1.0, device=device)])
    with pytest.raises(RuntimeError, match="padding_side"):
        pad_sequence([mg.ones(2, device=device)], padding_side="middle")
    with pytest.raises(TypeError, match="element 1"):
        pad_sequence([mg.ones(2, device=device), [1.0, 2.0]])  # type: ignore[list-item]
    other = "cpu" if device == "cuda" else "cuda"
    with pytest.raises(RuntimeError, match="same device"):
        pad_sequence([mg.ones(2, device=device), mg.ones(2, device=other)])
    batch = mg.ones(3, 2, device=device)
    with pytest.raises(ValueError, match="2 sequences"):
        unpad_sequence(batch, [3, 2, 1])
    with pytest.raises(ValueError, match="outside"):
        unpad_sequence(batch, [4, 2])
    with pytest.raises(RuntimeError, match="batch dimension"):
        unpad_sequence(mg.ones(3, device=device), [3])


@pytest.mark.parametrize("side", ["left", "right"])
def test_matches_torch(side: str) -> None:
    torch = pytest.importorskip("torch")
    from torch.nn.utils import rnn as trnn

    arrays = random_arrays([2, 4, 1], (3,))
    ours = [on(a, "cpu") for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    weights = np.random.default_rng(1).standard_normal((3, 4, 3))
    out = pad_sequence(ours, batch_first=True, padding_value=2.0, padding_side=side)
    ref = trnn.pad_sequence(theirs, batch_first=True, padding_value=2.0, padding_side=side)
    np.testing.assert_array_equal(host(out), ref.detach().numpy())
    (out * mg.tensor(weights)).sum().backward()
    (ref * torch.tensor(weights)).sum().backward()
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_array_equal(host(a.grad), b.grad.numpy())
    unpadded = trnn.unpad_sequence(ref, torch.tensor([2, 4, 1]), batch_first=True)
    for got, want in zip(unpad_sequence(out, [2, 4, 1], True), unpadded, strict=True):
        np.testing.assert_array_equal(host(got), want.detach().numpy())


@given_settings
@given(
    lengths=st.lists(st.integers(1, 4), min_size=1, max_size=4),
    trailing=trailing_st,
    batch_first=st.booleans(),
)
def test_pack_padded_matches_numpy_and_round_trips(
    lengths: list[int], trailing: tuple[int, ...], batch_first: bool, device: str
) -> None:
    arrays = random_arrays(lengths, trailing)
    padded = on(numpy_pad(arrays, batch_first, 0.0, "right"), device)
    packed = pack_padded_sequence(padded, lengths, batch_first, enforce_sorted=False)
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])  # stable, longest first
    steps = [[arrays[i][t] for i in order if lengths[i] > t] for t in range(max(lengths))]
    np.testing.assert_array_equal(host(packed.data), np.array([r for rows in steps for r in rows]))
    assert packed.batch_sizes.tolist() == [len(rows) for rows in steps]
    assert packed.sorted_indices is not None and packed.sorted_indices.tolist() == order
    assert packed.unsorted_indices is not None
    assert [order[k] for k in packed.unsorted_indices.tolist()] == list(range(len(lengths)))
    back, back_lengths = pad_packed_sequence(packed, batch_first, total_length=5)
    want = numpy_pad([*arrays, np.zeros((5, *trailing))], batch_first, 0.0, "right")
    np.testing.assert_array_equal(host(back), want[:, :-1] if not batch_first else want[:-1])
    assert back_lengths.tolist() == lengths
    by_list = pack_sequence([on(a, device) for a in arrays], enforce_sorted=False)
    np.testing.assert_array_equal(host(by_list.data), host(packed.data))


def test_pack_gradcheck(device: str) -> None:
    arrays = random_arrays([2, 3, 1], (2,))
    inputs = [on(a, device) for a in arrays]

    def round_trip(*seqs: mg.Tensor) -> mg.Tensor:
        packed = pack_sequence(list(seqs), enforce_sorted=False)
        return pad_packed_sequence(packed, True, padding_value=1.5)[0] ** 2

    assert mg.gradcheck(round_trip, inputs)
    assert mg.gradgradcheck(round_trip, inputs)


def test_pack_errors(device: str) -> None:
    batch = mg.ones(3, 2, 1, device=device)
    with pytest.raises(RuntimeError, match="decreasing order"):
        pack_padded_sequence(batch, [2, 3])
    with pytest.raises(RuntimeError, match="greater than 0"):
        pack_padded_sequence(batch, [3, 0])
    with pytest.raises(RuntimeError, match="longer than"):
        pack_padded_sequence(batch, [4, 1])
    with pytest.raises(ValueError, match="2 lengths"):
        pack_padded_sequence(batch, [3, 2], batch_first=True)
    with pytest.raises(ValueError, match="total_length"):
        pad_packed_sequence(pack_padded_sequence(batch, [3, 2]), total_length=2)


RNN_CASES = [(mode, bidi) for mode in ("RNN", "LSTM", "GRU") for bidi in (False, True)]


def make_rnn(mode: str, bidirectional: bool, device: str) -> nn.Module:
    module: nn.Module = getattr(nn, mode)(
        2, 3, num_layers=2, bidirectional=bidirectional, dtype=mg.float64
    )
    return module.to(device)


@pytest.mark.parametrize(("mode", "bidirectional"), RNN_CASES)
def test_rnn_packed_equals_each_sequence_alone(mode: str, bidirectional: bool, device: str) -> None:
    """A packed batch gives each sequence exactly what it gives run on its own."""
    lengths = [2, 4, 1]
    arrays = random_arrays(lengths, (2,))
    rnn = make_rnn(mode, bidirectional, device)
    packed = pack_sequence([on(a, device) for a in arrays], enforce_sorted=False)
    out, state = rnn(packed)
    assert isinstance(out, PackedSequence)
    assert out.batch_sizes.tolist() == packed.batch_sizes.tolist()
    padded, _ = pad_packed_sequence(out, batch_first=True)
    states = state if mode == "LSTM" else (state,)
    for i, a in enumerate(arrays):
        alone_out, alone_state = rnn(on(a, device).unsqueeze(1))
        alone_states = alone_state if mode == "LSTM" else (alone_state,)
        np.testing.assert_allclose(host(padded[i, : lengths[i]]), host(alone_out[:, 0]), atol=1e-12)
        for got, want in zip(states, alone_states, strict=True):
            np.testing.assert_allclose(host(got[:, i]), host(want[:, 0]), atol=1e-12)


@pytest.mark.parametrize(("mode", "bidirectional"), [("LSTM", True), ("GRU", False)])
def test_rnn_packed_gradcheck(mode: str, bidirectional: bool, device: str) -> None:
    rnn = make_rnn(mode, bidirectional, device)
    arrays = random_arrays([1, 3], (2,))
    h0 = on(np.random.default_rng(2).standard_normal((4 if bidirectional else 2, 2, 3)), device)

    def run(a: mg.Tensor, b: mg.Tensor, h: mg.Tensor) -> tuple[mg.Tensor, mg.Tensor]:
        out, state = rnn(
            pack_sequence([a, b], enforce_sorted=False), (h, h) if mode == "LSTM" else h
        )
        return out.data, state[0] if mode == "LSTM" else state

    assert mg.gradcheck(run, [*(on(a, device) for a in arrays), h0])


@pytest.mark.parametrize(("mode", "bidirectional"), RNN_CASES)
def test_rnn_packed_matches_torch(mode: str, bidirectional: bool) -> None:
    torch = pytest.importorskip("torch")
    from torch.nn.utils import rnn as trnn

    lengths = [2, 4, 1, 3]
    rng = np.random.default_rng(3)
    x = rng.standard_normal((4, 4, 2))
    h0 = rng.standard_normal((4 if bidirectional else 2, 4, 3))
    ours = make_rnn(mode, bidirectional, "cpu")
    theirs = getattr(torch.nn, mode)(2, 3, num_layers=2, bidirectional=bidirectional).double()
    ours.load_state_dict({k: mg.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()})
    mx, mh = on(x, "cpu"), on(h0, "cpu")
    tx, th = torch.tensor(x, requires_grad=True), torch.tensor(h0, requires_grad=True)
    m_out, m_state = ours(
        pack_padded_sequence(mx, lengths, enforce_sorted=False),
        (mh, 2 * mh) if mode == "LSTM" else mh,
    )
    t_out, t_state = theirs(
        trnn.pack_padded_sequence(tx, lengths, enforce_sorted=False),
        (th, 2 * th) if mode == "LSTM" else th,
    )
    m_states = m_state if mode == "LSTM" else (m_state,)
    t_states = t_state if mode == "LSTM" else (t_state,)
    np.testing.assert_allclose(host(m_out.data), t_out.data.detach().numpy(), atol=1e-10)
    for a, b in zip(m_states, t_states, strict=True):
        np.testing.assert_allclose(host(a), b.detach().numpy(), atol=1e-10)
    weights = rng.standard_normal(tuple(t_out.data.shape))
    m_loss = (m_out.data * mg.tensor(weights)).sum() + sum((s**2).sum() for s in m_states)
    t_loss = (t_out.data * torch.tensor(weights)).sum() + sum((s**2).sum() for s in t_states)
    m_loss.backward()
    t_loss.backward()
    np.testing.assert_allclose(host(mx.grad), tx.grad.numpy(), atol=1e-10)
    np.testing.assert_allclose(host(mh.grad), th.grad.numpy(), atol=1e-10)
    for (name, p), q in zip(ours.named_parameters(), theirs.parameters(), strict=True):
        np.testing.assert_allclose(host(p.grad), q.grad.numpy(), atol=1e-10, err_msg=name)
