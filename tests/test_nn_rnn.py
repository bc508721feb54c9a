"""RNN, LSTM, GRU and their cells: shapes, PyTorch's parameters, and gradients through time."""

from __future__ import annotations

import numpy as np
import pytest
from engine_helpers import host

import minigrad as mg
from minigrad import nn

KINDS = ["RNN", "LSTM", "GRU"]


def _numpy_step(kind, x, h, c, w_ih, w_hh, b_ih, b_hh):
    sigmoid = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    gi, gh = x @ w_ih.T + b_ih, h @ w_hh.T + b_hh
    if kind == "RNN":
        return np.tanh(gi + gh), None
    if kind == "LSTM":
        i, f, g, o = np.split(gi + gh, 4, axis=-1)
        c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
        return sigmoid(o) * np.tanh(c), c
    ir, iz, in_ = np.split(gi, 3, axis=-1)
    hr, hz, hn = np.split(gh, 3, axis=-1)
    r, z = sigmoid(ir + hr), sigmoid(iz + hz)
    n = np.tanh(in_ + r * hn)
    return (1 - z) * n + z * h, None


@pytest.mark.parametrize("kind", KINDS)
def test_one_layer_matches_the_equations(kind, device):
    layer = getattr(nn, kind)(3, 4).double().to(device)
    x = np.random.default_rng(0).standard_normal((5, 2, 3))
    out, state = layer(mg.tensor(x, device=device))
    weights = [
        host(getattr(layer, n))
        for n in ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")
    ]
    h, c = np.zeros((2, 4)), np.zeros((2, 4))
    expected = []
    for t in range(5):
        h, c = _numpy_step(kind, x[t], h, c, *weights)
        expected.append(h)
    np.testing.assert_allclose(host(out), np.stack(expected), rtol=1e-10, atol=1e-12)
    h_n = state[0] if kind == "LSTM" else state
    np.testing.assert_allclose(host(h_n)[0], h, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("kind", KINDS)
def test_shapes_names_and_options(kind, device):
    layer = getattr(nn, kind)(3, 5, num_layers=2, batch_first=True, bidirectional=True).to(device)
    names = [n for n, _ in layer.named_parameters()]
    assert names[:4] == ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"]
    assert "weight_ih_l1_reverse" in names
    gates = {"RNN": 1, "LSTM": 4, "GRU": 3}[kind]
    assert layer.weight_ih_l1.shape == (gates * 5, 10)
    out, state = layer(mg.randn(2, 7, 3, device=device))
    assert out.shape == (2, 7, 10)
    h_n = state[0] if kind == "LSTM" else state
    assert h_n.shape == (4, 2, 5)
    unbatched, _ = layer(mg.randn(7, 3, device=device))
    assert unbatched.shape == (7, 10)
    with pytest.raises(RuntimeError, match="input_size"):
        layer(mg.randn(2, 7, 4, device=device))


@pytest.mark.parametrize("kind", KINDS)
def test_gradients_through_time(kind, device):
    layer = getattr(nn, kind)(2, 3, num_layers=2, bidirectional=True).double().to(device)
    params = list(layer.parameters())
    x = mg.tensor(np.random.default_rng(1).standard_normal((3, 2, 2)), device=device)
    x.requires_grad_()
    out, _ = layer(x)
    out.sum().backward()
    assert x.grad is not None and all(p.grad is not None for p in params)
    assert mg.gradcheck(lambda t: layer(t)[0], [x.detach().requires_grad_()])
    assert mg.gradgradcheck(lambda t: layer(t)[0].tanh(), [x.detach().requires_grad_()])


@pytest.mark.parametrize("kind", KINDS)
def test_cells(kind, device):
    cell = getattr(nn, kind + "Cell")(3, 4).to(device)
    state = cell(mg.randn(2, 3, device=device))
    h = state[0] if kind == "LSTM" else state
    assert h.shape == (2, 4)
    single = cell(mg.randn(3, device=device))
    assert (single[0] if kind == "LSTM" else single).shape == (4,)
    assert "4" in repr(cell)


def test_matches_pytorch():
    torch = pytest.importorskip("torch")
    for kind in KINDS:
        theirs = getattr(torch.nn, kind)(3, 4, num_layers=2, bidirectional=True).double()
        ours = getattr(nn, kind)(3, 4, num_layers=2, bidirectional=True).double()
        ours.load_state_dict(
            {k: mg.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()}
        )
        x = np.random.default_rng(0).standard_normal((5, 2, 3))
        t_out, _ = theirs(torch.tensor(x))
        m_out, _ = ours(mg.tensor(x))
        np.testing.assert_allclose(host(m_out), t_out.detach().numpy(), rtol=1e-10, atol=1e-12)
        assert repr(ours) == repr(theirs)


def test_an_input_of_another_dtype_gets_pytorchs_rnn_error():
    lstm = mg.nn.LSTM(4, 5)
    with pytest.raises(
        ValueError, match=r"RNN input dtype \(float64\) does not match weight dtype"
    ):
        lstm(mg.randn(2, 3, 4, dtype=mg.float64))
