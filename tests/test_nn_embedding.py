"""nn.Embedding and F.embedding: lookup, gradients (padding_idx, scale_grad_by_freq), max_norm."""

from __future__ import annotations

import numpy as np
import pytest
from engine_helpers import assert_close, check_op, given_settings, host, on
from hypothesis import given
from hypothesis import strategies as st

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn


@st.composite
def lookups(draw: st.DrawFn) -> tuple:
    """(weight, indices, padding_idx): indices of any small shape, repeats included."""
    num = draw(st.integers(1, 5))
    dim = draw(st.integers(0, 3))
    shape = tuple(draw(st.lists(st.integers(0, 3), max_size=2)))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    indices = rng.integers(0, num, size=shape)
    padding_idx = draw(st.none() | st.integers(-num, num - 1))
    return rng.normal(size=(num, dim)), indices, padding_idx


@given_settings
@given(case=lookups())
def test_embedding_matches_numpy_and_gradchecks(device, case):
    weight, indices, _ = case
    index = mg.tensor(indices, device=device)
    check_op(lambda w: F.embedding(index, w), lambda w: w[indices], [weight], device)


@given_settings
@given(case=lookups(), scale=st.booleans())
def test_embedding_padding_and_frequency_gradients(device, case, scale):
    # Both change the gradient on purpose (it is no longer the derivative), so they are
    # checked against the closed form; the second order still against numerical differences.
    weight, indices, padding_idx = case
    index = mg.tensor(indices, device=device)
    w = on(weight, device)
    fn = lambda w: F.embedding(index, w, padding_idx, scale_grad_by_freq=scale)  # noqa: E731
    fn(w).sum().backward()
    expected = np.zeros_like(weight)
    np.add.at(expected, indices, 1.0)
    if scale:
        counts = np.bincount(indices.reshape(-1), minlength=len(weight))
        expected /= np.maximum(counts, 1)[:, None]
    if padding_idx is not None:
        expected[padding_idx % len(weight)] = 0.0
    assert_close(w.grad, expected)
    assert mg.gradgradcheck(fn, [w]) is True


def test_embedding_module_initialisation_and_padding_row(device):
    mg.manual_seed(0)
    layer = nn.Embedding(1000, 8, padding_idx=3, device=device)
    w = host(layer.weight)
    assert np.all(w[3] == 0)
    rest = np.delete(w, 3, axis=0)
    assert abs(rest.mean()) < 0.05 and abs(rest.std() - 1) < 0.05  # N(0, 1)
    out = layer(mg.tensor([[3, 1], [2, 3]], device=device))
    assert out.shape == (2, 2, 8)
    out.sum().backward()
    grad = host(layer.weight.grad)
    assert np.all(grad[3] == 0) and np.all(grad[1] == 1) and np.all(grad[0] == 0)
    assert repr(nn.Embedding(10, 3, padding_idx=-1)) == "Embedding(10, 3, padding_idx=9)"
    assert list(layer.state_dict()) == ["weight"]


def test_embedding_from_pretrained(device):
    table = mg.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], device=device)
    frozen = nn.Embedding.from_pretrained(table)
    assert not frozen.weight.requires_grad
    assert frozen(mg.tensor([2, 0], device=device)).tolist() == [[5.0, 6.0], [1.0, 2.0]]
    trainable = nn.Embedding.from_pretrained(table, freeze=False, padding_idx=1)
    assert trainable.weight.requires_grad and trainable.padding_idx == 1
    assert trainable.weight.tolist()[1] == [3.0, 4.0]  # used as is
    trainable(mg.tensor([1, 1, 2], device=device)).sum().backward()
    assert trainable.weight.grad.tolist() == [[0, 0], [0, 0], [1, 1]]
    with pytest.raises(ValueError, match="2-dimensional"):
        nn.Embedding.from_pretrained(mg.zeros(3))


def test_embedding_max_norm_renormalises_the_rows_looked_up(device):
    table = np.array([[3.0, 4.0], [0.3, 0.4], [6.0, 8.0]])
    weight = on(table, device)
    out = F.embedding(mg.tensor([0, 1, 1], device=device), weight, max_norm=1.0)
    scaled = table[0] / (5.0 + 1e-7)
    assert_close(weight.detach(), np.stack([scaled, table[1], table[2]]))  # row 2 not looked up
    assert_close(out.detach(), np.stack([scaled, table[1], table[1]]))
    layer = nn.Embedding(4, 3, max_norm=2.0, norm_type=1.0)
    layer(mg.tensor([0, 1, 2, 3]))
    assert np.all(np.abs(host(layer.weight)).sum(axis=1) <= 2.0 + 1e-6)


def test_embedding_errors(device):
    weight = mg.randn(3, 2, device=device)
    with pytest.raises(IndexError, match=r"index out of range in self.*\[0, 2\]"):
        F.embedding(mg.tensor([5], device=device), weight)
    with pytest.raises(IndexError, match="index out of range"):
        F.embedding(mg.tensor([-1], device=device), weight)
    with pytest.raises(RuntimeError, match="integer tensor"):
        F.embedding(mg.tensor([1.0], device=device), weight)
    with pytest.raises(AssertionError, match="padding_idx must be within num_embeddings"):
        nn.Embedding(3, 2, padding_idx=3)
    with pytest.raises(NotImplementedError, match="sparse"):
        nn.Embedding(3, 2, sparse=True)


def test_embedding_matches_pytorch():
    torch = pytest.importorskip("torch")
    table = np.random.default_rng(0).normal(size=(6, 4))
    idx = np.array([[0, 2, 2], [5, 0, 1]])
    for kwargs in ({}, {"padding_idx": 2}, {"scale_grad_by_freq": True, "padding_idx": 0}):
        ours = nn.Embedding.from_pretrained(mg.tensor(table), freeze=False, **kwargs)
        theirs = torch.nn.Embedding.from_pretrained(torch.tensor(table), freeze=False, **kwargs)
        g = np.random.default_rng(1).normal(size=(2, 3, 4))
        (ours(mg.tensor(idx)) * mg.tensor(g)).sum().backward()
        (theirs(torch.tensor(idx)) * torch.tensor(g)).sum().backward()
        np.testing.assert_allclose(ours.weight.grad.numpy(), theirs.weight.grad.numpy())
