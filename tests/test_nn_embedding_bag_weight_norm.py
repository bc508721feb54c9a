"""nn.EmbeddingBag / F.embedding_bag, and the weight reparametrisations of nn.utils:
weight_norm, spectral_norm (forward pre-hooks) and parametrizations.weight_norm."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from engine_helpers import assert_close, check_op, given_settings, host, on
from hypothesis import given
from hypothesis import strategies as st

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn
from minigrad.nn.utils import parametrize
from minigrad.nn.utils.weight_norm import _weight_norm

# ----------------------------------------------------------------------------- references


def bag_reference(weight, indices, starts, mode, per_sample_weights=None, padding_idx=None):
    """The bag reductions by loops: starts (B,), the last bag running to the end."""
    ends = list(starts[1:]) + [len(indices)] if len(starts) else []
    out = np.zeros((len(starts), weight.shape[1]))
    for b, (s, e) in enumerate(zip(starts, ends, strict=True)):
        rows = [k for k in range(s, e) if indices[k] != padding_idx]
        if not rows:
            continue
        vectors = weight[indices[rows]]
        if mode == "sum":
            a = np.ones(len(rows)) if per_sample_weights is None else per_sample_weights[rows]
            out[b] = (a[:, None] * vectors).sum(0)
        elif mode == "mean":
            out[b] = vectors.mean(0)
        else:
            out[b] = vectors.max(0)
    return out


@st.composite
def bags(draw: st.DrawFn) -> tuple:
    """(weight, indices, offsets, padding_idx): empty bags and repeated indices included."""
    num = draw(st.integers(1, 6))
    dim = draw(st.integers(1, 3))
    sizes = draw(st.lists(st.integers(0, 4), min_size=0, max_size=5))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    indices = rng.integers(0, num, size=sum(sizes))
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64) if sizes else None
    padding_idx = draw(st.none() | st.integers(0, num - 1))
    return rng.normal(size=(num, dim)), indices, offsets, padding_idx


# ----------------------------------------------------------------------------- embedding_bag


@given_settings
@given(case=bags(), mode=st.sampled_from(["sum", "mean", "max"]), weighted=st.booleans())
def test_embedding_bag_matches_numpy_and_gradchecks(device, case, mode, weighted):
    weight, indices, offsets, padding_idx = case
    if offsets is None:
        offsets = np.zeros(0, dtype=np.int64)
    index = mg.tensor(indices, dtype=mg.int64, device=device)
    offs = mg.tensor(offsets, dtype=mg.int64, device=device)
    if weighted and mode == "sum":
        psw = np.random.default_rng(1).normal(size=indices.shape)
        check_op(
            lambda w, a: F.embedding_bag(
                index, w, offs, mode="sum", per_sample_weights=a, padding_idx=padding_idx
            ),
            lambda w, a: bag_reference(w, indices, offsets, "sum", a, padding_idx),
            [weight, psw],
            device,
        )
    else:
        check_op(
            lambda w: F.embedding_bag(index, w, offs, mode=mode, padding_idx=padding_idx),
            lambda w: bag_reference(w, indices, offsets, mode, None, padding_idx),
            [weight],
            device,
        )


@given_settings
@given(
    batch=st.integers(0, 3),
    length=st.integers(0, 4),
    mode=st.sampled_from(["sum", "mean", "max"]),
    seed=st.integers(0, 2**16),
)
def test_embedding_bag_2d_input_is_fixed_length_bags(device, batch, length, mode, seed):
    rng = np.random.default_rng(seed)
    weight = rng.normal(size=(5, 3))
    indices = rng.integers(0, 5, size=(batch, length))
    w = on(weight, device)
    out = F.embedding_bag(mg.tensor(indices, device=device), w, mode=mode)
    starts = np.arange(batch) * length
    assert_close(out, bag_reference(weight, indices.reshape(-1), starts, mode))
    assert out.shape == (batch, 3)


def test_embedding_bag_include_last_offset(device):
    weight = np.arange(12.0).reshape(6, 2)
    w = on(weight, device)
    index = mg.tensor([1, 2, 3, 4, 5], device=device)
    out = F.embedding_bag(
        index, w, mg.tensor([0, 2, 5], device=device), mode="sum", **{"include_last_offset": True}
    )
    assert_close(out, np.stack([weight[1] + weight[2], weight[3:6].sum(0)]))
    # the same bags without the closing offset
    plain = F.embedding_bag(index, w, mg.tensor([0, 2], device=device), mode="sum")
    assert_close(plain, host(out))
    # indices after the closing offset belong to no bag (CSR; PyTorch's CPU kernel adds them
    # to the last bag)
    short = F.embedding_bag(index, w, mg.tensor([0, 2, 4], device=device), mode="sum",
                            include_last_offset=True)  # fmt: skip
    assert_close(short, np.stack([weight[1] + weight[2], weight[3] + weight[4]]))
    last = mg.tensor([0], device=device)
    assert F.embedding_bag(index, w, last, include_last_offset=True).shape == (0, 2)


def test_embedding_bag_padding_empty_and_all_padding_bags_are_zero(device):
    weight = np.random.default_rng(0).normal(size=(4, 3))
    w = on(weight, device)
    index = mg.tensor([2, 2, 1, 3], device=device)
    offsets = mg.tensor([0, 2, 2], device=device)
    for mode in ("sum", "mean", "max"):
        out = F.embedding_bag(index, w, offsets, mode=mode, padding_idx=2)
        assert_close(out[:2], np.zeros((2, 3)))
        expected = {"sum": weight[1] + weight[3], "mean": (weight[1] + weight[3]) / 2}
        expected["max"] = np.maximum(weight[1], weight[3])
        assert_close(out[2], expected[mode])
        w.grad = None
        out.sum().backward()
        assert np.all(host(w.grad)[[0, 2]] == 0)


def test_embedding_bag_max_gradient_goes_to_the_first_maximum(device):
    w = on(np.zeros((4, 2)), device)
    F.embedding_bag(mg.tensor([1, 2, 1, 3], device=device), w, mg.tensor([0], device=device),
                    mode="max").sum().backward()  # fmt: skip
    assert host(w.grad).tolist() == [[0, 0], [1, 1], [0, 0], [0, 0]]


def test_embedding_bag_scale_grad_by_freq_and_max_norm(device):
    w = on(np.ones((4, 2)), device)
    index = mg.tensor([1, 1, 3], device=device)
    F.embedding_bag(
        index, w, mg.tensor([0], device=device), scale_grad_by_freq=True
    ).sum().backward()
    # each row's gradient divided by its count in the batch (1/3 · 2/2 and 1/3 · 1/1); PyTorch's
    # CPU kernel gives row 3 the count of row 1 here (pytorch/pytorch#190063)
    assert_close(w.grad, np.array([[0, 0], [1 / 3, 1 / 3], [0, 0], [1 / 3, 1 / 3]]))
    table = mg.tensor([[3.0, 4.0], [0.3, 0.4]], device=device)
    out = F.embedding_bag(mg.tensor([0, 1], device=device), table, mg.tensor([0, 1], device=device),
                          max_norm=1.0, mode="sum")  # fmt: skip
    assert_close(out, np.array([[0.6, 0.8], [0.3, 0.4]]), atol=1e-6)
    assert_close(table[0], np.array([0.6, 0.8]), atol=1e-6)  # renormalised in place


def test_embedding_bag_matches_torch(device):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    weight = rng.normal(size=(10, 4))
    indices = np.array([1, 2, 2, 3, 4, 2, 9, 5, 0])
    offsets = np.array([0, 2, 2, 5, 9])
    grad = rng.normal(size=(4, 4))
    for mode in ("sum", "mean", "max"):
        for padding_idx in (None, 2):
            for include_last in (False, True):
                psw = rng.normal(size=9) if mode == "sum" else None
                offs = offsets if include_last else offsets[:-1]
                w = on(weight, device)
                a = None if psw is None else on(psw, device)
                out = F.embedding_bag(
                    mg.tensor(indices, device=device), w, mg.tensor(offs, device=device),
                    mode=mode, per_sample_weights=a, padding_idx=padding_idx,
                    include_last_offset=include_last,
                )  # fmt: skip
                tw = torch.tensor(weight, requires_grad=True)
                ta = None if psw is None else torch.tensor(psw, requires_grad=True)
                expected = torch.nn.functional.embedding_bag(
                    torch.tensor(indices), tw, torch.tensor(offs), mode=mode,
                    per_sample_weights=ta, padding_idx=padding_idx,
                    include_last_offset=include_last,
                )  # fmt: skip
                assert_close(out, expected.detach().numpy())
                (out * on(grad, device, False)).sum().backward()
                (expected * torch.tensor(grad)).sum().backward()
                assert_close(w.grad, tw.grad.numpy())
                if a is not None:
                    assert_close(a.grad, ta.grad.numpy())


def test_embedding_bag_errors(device):
    w = mg.randn(10, 3, device=device)
    i = mg.tensor([1, 2, 3, 4], device=device)

    def offs(*values):
        return mg.tensor(list(values), dtype=mg.int64, device=device)

    with pytest.raises(RuntimeError, match=r"offsets\[0\] has to be 0"):
        F.embedding_bag(i, w, offs(1, 2))
    with pytest.raises(RuntimeError, match=r"offsets\[-1\] can not be greater"):
        F.embedding_bag(i, w, offs(0, 5))
    with pytest.raises(RuntimeError, match="non-decreasing"):
        F.embedding_bag(i, w, offs(0, 3, 2))
    with pytest.raises(RuntimeError, match="number of offset should be at least 1"):
        F.embedding_bag(i, w, offs(), include_last_offset=True)
    with pytest.raises(ValueError, match="mode has to be one of sum, mean or max"):
        F.embedding_bag(i, w, offs(0), mode="median")
    with pytest.raises(ValueError, match="offsets has to be a 1D Tensor but got None"):
        F.embedding_bag(i, w)
    with pytest.raises(ValueError, match="if input is 2D, then offsets has to be None"):
        F.embedding_bag(i.reshape(2, 2), w, offs(0))
    with pytest.raises(ValueError, match="input has to be 1D or 2D"):
        F.embedding_bag(i.reshape(1, 2, 2), w)
    with pytest.raises(ValueError, match="weight has to be a 2D Tensor"):
        F.embedding_bag(i, w[0], offs(0))
    with pytest.raises(ValueError, match="max mode does not support scaling"):
        F.embedding_bag(i, w, offs(0), mode="max", scale_grad_by_freq=True)
    with pytest.raises(NotImplementedError, match="only supported for mode='sum'"):
        F.embedding_bag(i, w, offs(0), per_sample_weights=mg.ones(4, device=device))
    with pytest.raises(ValueError, match="must have the same shape as the input"):
        F.embedding_bag(i, w, offs(0), mode="sum", per_sample_weights=mg.ones(3, device=device))
    with pytest.raises(RuntimeError, match="'indices' to have one of the following scalar types"):
        F.embedding_bag(i.float(), w, offs(0))
    with pytest.raises(RuntimeError, match="padding_idx must be within"):
        F.embedding_bag(i, w, offs(0), padding_idx=12)
    with pytest.raises(IndexError, match="index out of range"):
        F.embedding_bag(offs(1, 10), w, offs(0))
    with pytest.raises(NotImplementedError, match="sparse"):
        F.embedding_bag(i, w, offs(0), sparse=True)
    with pytest.raises(ValueError, match="mode has to be one of"):
        nn.EmbeddingBag(10, 3, mode="median")


def test_embedding_bag_module(device):
    bag = nn.EmbeddingBag(1000, 8, mode="sum", padding_idx=-2, device=device)
    assert bag.padding_idx == 998
    assert np.all(host(bag.weight)[998] == 0)
    assert abs(float(host(bag.weight).std()) - 1) < 0.05  # N(0, 1)
    assert repr(bag) == "EmbeddingBag(1000, 8, mode='sum', padding_idx=998)"
    out = bag(mg.tensor([1, 2, 998, 3], device=device), mg.tensor([0, 2], device=device))
    expected = host(bag.weight)
    assert_close(out, np.stack([expected[1] + expected[2], expected[3]]))
    table = mg.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], device=device)
    frozen = nn.EmbeddingBag.from_pretrained(table)
    assert not frozen.weight.requires_grad and frozen.mode == "mean"
    assert frozen(mg.tensor([[0, 2], [1, 1]], device=device)).tolist() == [[3, 4], [3, 4]]
    trainable = nn.EmbeddingBag.from_pretrained(table, freeze=False, mode="max")
    trainable(mg.tensor([[0, 2]], device=device)).sum().backward()
    assert host(trainable.weight.grad).tolist() == [[0, 0], [0, 0], [1, 1]]


def test_text_classification_tutorial_model_trains():
    # PyTorch's text-classification tutorial: EmbeddingBag (mean) + Linear, 1-D text + offsets
    class TextClassificationModel(nn.Module):
        def __init__(self, vocab_size, embed_dim, num_class):
            super().__init__()
            self.embedding = nn.EmbeddingBag(vocab_size, embed_dim, sparse=False)
            self.fc = nn.Linear(embed_dim, num_class)
            self.init_weights()

        def init_weights(self):
            initrange = 0.5
            self.embedding.weight.data.uniform_(-initrange, initrange)
            self.fc.weight.data.uniform_(-initrange, initrange)
            self.fc.bias.data.zero_()

        def forward(self, text, offsets):
            embedded = self.embedding(text, offsets)
            return self.fc(embedded)

    rng = np.random.default_rng(0)
    vocab, classes = 40, 4

    def batch(size):
        # class c: words drawn mostly from its own tenth of the vocabulary
        labels = rng.integers(0, classes, size=size)
        texts = [
            np.where(
                rng.random(n) < 0.8, rng.integers(10 * c, 10 * c + 10, n), rng.integers(0, vocab, n)
            )
            for c, n in zip(labels, rng.integers(1, 12, size=size), strict=True)
        ]
        offsets = np.cumsum([0] + [len(t) for t in texts[:-1]])
        return mg.tensor(np.concatenate(texts)), mg.tensor(offsets), mg.tensor(labels)

    model = TextClassificationModel(vocab, 16, classes)
    criterion = nn.CrossEntropyLoss()
    optimizer = mg.optim.SGD(model.parameters(), lr=5)
    losses = []
    for _ in range(60):
        text, offsets, label = batch(32)
        optimizer.zero_grad()
        predicted_label = model(text, offsets)
        loss = criterion(predicted_label, label)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 0.1)
        optimizer.step()
        losses.append(loss.item())
    text, offsets, label = batch(256)
    with mg.no_grad():
        accuracy = (model(text, offsets).argmax(1) == label).float().mean().item()
    assert np.mean(losses[-10:]) < np.mean(losses[:10])
    assert accuracy > 0.9


# ----------------------------------------------------------------------------- weight_norm


def test_weight_norm_values_state_dict_and_remove(device):
    lin = nn.Linear(3, 4, device=device).double()
    weight = host(lin.weight)
    nn.utils.weight_norm(lin)
    assert list(lin.state_dict()) == ["bias", "weight_g", "weight_v"]
    assert "weight" not in dict(lin.named_parameters())
    assert_close(lin.weight_g, np.linalg.norm(weight, axis=1, keepdims=True))
    assert_close(lin.weight_v, weight)
    with mg.no_grad():
        lin.weight_g.mul_(2)
    x = mg.randn(5, 3, device=device, dtype=mg.float64)
    assert_close(lin(x), host(x) @ (2 * weight).T + host(lin.bias))
    assert_close(lin.weight, 2 * weight)  # recomputed by the pre-hook
    nn.utils.remove_weight_norm(lin)
    assert list(lin.state_dict()) == ["bias", "weight"]
    assert isinstance(lin.weight, nn.Parameter) and not lin._forward_pre_hooks
    assert_close(lin.weight, 2 * weight)


@pytest.mark.parametrize("dim", [0, 1, 2, -2, -1, None])
def test_weight_norm_dims_and_gradchecks(device, dim):
    rng = np.random.default_rng(0)
    v = rng.normal(size=(3, 2, 4))
    # dim=None and, as in PyTorch, dim=-1: one norm for the whole tensor
    axes = None if dim in (None, -1) else tuple(d for d in range(3) if d != dim % 3)
    norm = np.asarray(
        np.linalg.norm(v) if axes is None else np.sqrt((v * v).sum(axes, keepdims=True))
    )
    conv = nn.Conv1d(2, 3, 4).double()
    with mg.no_grad():
        conv.weight.copy_(mg.tensor(v))
    nn.utils.weight_norm(conv, dim=dim)
    assert conv.weight_g.shape == norm.shape
    assert_close(conv.weight_g, norm)
    check_op(
        lambda g, v: _weight_norm(v, g, dim), lambda g, v: g * v / norm, [1.5 * norm, v], device
    )


@pytest.mark.filterwarnings("ignore:.*weight_norm.* is deprecated:FutureWarning")
def test_weight_norm_matches_torch_and_trains(device):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    weight, bias, x = rng.normal(size=(4, 3)), rng.normal(size=4), rng.normal(size=(5, 3))
    for dim in (0, 1, None):
        lin = nn.Linear(3, 4, device=device).double()
        tlin = torch.nn.Linear(3, 4).double()
        with mg.no_grad():
            lin.weight.copy_(on(weight, device, False))
            lin.bias.copy_(on(bias, device, False))
        with torch.no_grad():
            tlin.weight.copy_(torch.tensor(weight))
            tlin.bias.copy_(torch.tensor(bias))
        nn.utils.weight_norm(lin, dim=dim)
        torch.nn.utils.weight_norm(tlin, dim=dim)
        out, expected = lin(on(x, device)), tlin(torch.tensor(x))
        assert_close(out, expected.detach().numpy())
        (out**2).sum().backward()
        (expected**2).sum().backward()
        assert_close(lin.weight_g.grad, tlin.weight_g.grad.numpy())
        assert_close(lin.weight_v.grad, tlin.weight_v.grad.numpy())
    # an optimizer step moves g and v, and the next forward sees the new weight
    before = host(lin.weight)
    mg.optim.SGD(lin.parameters(), lr=0.1).step()
    lin(on(x, device))
    assert not np.allclose(host(lin.weight), before)


def test_weight_norm_errors():
    lin = nn.Linear(3, 4)
    nn.utils.weight_norm(lin)
    with pytest.raises(RuntimeError, match="Cannot register two weight_norm hooks"):
        nn.utils.weight_norm(lin)
    with pytest.raises(ValueError, match="weight_norm of 'bias' not found"):
        nn.utils.remove_weight_norm(lin, "bias")
    with pytest.raises(ValueError, match="has no parameter 'kernel'"):
        nn.utils.weight_norm(nn.Linear(2, 2), name="kernel")


# ----------------------------------------------------------------------------- spectral_norm


def test_spectral_norm_converges_to_the_largest_singular_value(device):
    lin = nn.Linear(6, 5, device=device).double()
    weight = host(lin.weight)
    nn.utils.spectral_norm(lin, n_power_iterations=50)
    assert list(lin.state_dict()) == ["bias", "weight_orig", "weight_u", "weight_v"]
    assert [name for name, _ in lin.named_buffers()] == ["weight_u", "weight_v"]
    x = mg.randn(2, 6, device=device, dtype=mg.float64)
    lin(x)
    sigma = np.linalg.svd(weight, compute_uv=False)[0]
    assert_close(lin.weight, weight / sigma, atol=1e-6)
    assert abs(np.linalg.norm(host(lin.weight), 2) - 1) < 1e-6
    # eval: u and v stay as they are
    lin.eval()
    u = host(lin.weight_u).copy()
    lin(x)
    assert np.array_equal(host(lin.weight_u), u)
    nn.utils.remove_spectral_norm(lin)
    assert list(lin.state_dict()) == ["bias", "weight"]
    assert_close(lin.weight, weight / sigma, atol=1e-6)


def test_spectral_norm_gradchecks(device):
    lin = nn.Linear(4, 3, device=device).double()
    nn.utils.spectral_norm(lin)
    lin.eval()  # fixed u, v: W ↦ W / (uᵀ W v) is a function of W alone
    hook = next(iter(lin._forward_pre_hooks.values()))

    u, v = lin.weight_u, lin.weight_v

    def fn(w):
        state = SimpleNamespace(weight_orig=w, weight_u=u, weight_v=v)
        return hook.compute_weight(state, do_power_iteration=False)

    w = on(np.random.default_rng(0).normal(size=(3, 4)), device)
    assert mg.gradcheck(fn, [w]) is True
    assert mg.gradgradcheck(fn, [w]) is True


def test_spectral_norm_matches_torch(device):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(2)
    cases = [
        (nn.Linear(3, 4), torch.nn.Linear(3, 4), (5, 3)),
        (nn.Conv2d(2, 3, 3), torch.nn.Conv2d(2, 3, 3), (2, 2, 5, 5)),
        (nn.ConvTranspose2d(2, 3, 3), torch.nn.ConvTranspose2d(2, 3, 3), (2, 2, 5, 5)),
    ]
    for module, tmodule, shape in cases:
        module, tmodule = module.double().to(device), tmodule.double()
        tmodule.load_state_dict({k: torch.tensor(host(v)) for k, v in module.state_dict().items()})
        nn.utils.spectral_norm(module)
        torch.nn.utils.spectral_norm(tmodule)
        assert list(module.state_dict()) == list(tmodule.state_dict())
        assert module.weight_u.shape == tuple(tmodule.weight_u.shape)
        with torch.no_grad():
            tmodule.weight_u.copy_(torch.tensor(host(module.weight_u)))
            tmodule.weight_v.copy_(torch.tensor(host(module.weight_v)))
        x = rng.normal(size=shape)
        for _ in range(3):
            out, expected = module(on(x, device)), tmodule(torch.tensor(x))
            (out**2).sum().backward()
            (expected**2).sum().backward()
        assert_close(out, expected.detach().numpy())
        assert_close(module.weight_orig.grad, tmodule.weight_orig.grad.numpy())
        assert_close(module.weight_u, tmodule.weight_u.numpy())
        assert_close(module.weight_v, tmodule.weight_v.numpy())


def test_spectral_norm_errors():
    lin = nn.Linear(3, 4)
    nn.utils.spectral_norm(lin)
    with pytest.raises(RuntimeError, match="Cannot register two spectral_norm hooks"):
        nn.utils.spectral_norm(lin)
    with pytest.raises(ValueError, match="spectral_norm of 'bias' not found"):
        nn.utils.remove_spectral_norm(lin, "bias")
    with pytest.raises(ValueError, match="n_power_iterations to be positive"):
        nn.utils.spectral_norm(nn.Linear(2, 2), n_power_iterations=0)


# ----------------------------------------------------------------------------- parametrizations


def test_parametrizations_weight_norm(device):
    lin = nn.Linear(3, 4, device=device).double()
    weight = host(lin.weight)
    nn.utils.parametrizations.weight_norm(lin)
    assert type(lin).__name__ == "ParametrizedLinear" and isinstance(lin, nn.Linear)
    assert parametrize.is_parametrized(lin, "weight")
    assert parametrize.type_before_parametrizations(lin) is nn.Linear
    assert list(lin.state_dict()) == [
        "bias",
        "parametrizations.weight.original0",
        "parametrizations.weight.original1",
    ]
    g = lin.parametrizations.weight.original0
    v = lin.parametrizations.weight.original1
    assert_close(g, np.linalg.norm(weight, axis=1, keepdims=True))
    assert_close(v, weight)
    assert_close(lin.weight, weight)
    x = mg.randn(2, 3, device=device, dtype=mg.float64)
    lin(x).sum().backward()
    assert g.grad is not None and v.grad is not None
    # assigning sets g and v through right_inverse
    new = 2 * weight
    lin.weight = on(new, device, False)
    assert_close(g, np.linalg.norm(new, axis=1, keepdims=True))
    assert_close(lin.weight, new)
    parametrize.remove_parametrizations(lin, "weight")
    assert type(lin) is nn.Linear and not hasattr(lin, "parametrizations")
    assert list(lin.state_dict()) == ["bias", "weight"]
    assert isinstance(lin.weight, nn.Parameter)
    assert_close(lin.weight, new)


def test_parametrizations_weight_norm_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(4)
    weight, x = rng.normal(size=(4, 3)), rng.normal(size=(5, 3))
    for dim in (0, 1, None):
        lin, tlin = nn.Linear(3, 4).double(), torch.nn.Linear(3, 4).double()
        tlin.load_state_dict({k: torch.tensor(host(v)) for k, v in lin.state_dict().items()})
        with mg.no_grad():
            lin.weight.copy_(mg.tensor(weight))
        with torch.no_grad():
            tlin.weight.copy_(torch.tensor(weight))
        nn.utils.parametrizations.weight_norm(lin, dim=dim)
        torch.nn.utils.parametrizations.weight_norm(tlin, dim=dim)
        assert list(lin.state_dict()) == list(tlin.state_dict())
        out, expected = lin(mg.tensor(x)), tlin(torch.tensor(x))
        assert_close(out, expected.detach().numpy())
        (out**2).sum().backward()
        (expected**2).sum().backward()
        for i in range(2):
            ours = getattr(lin.parametrizations.weight, f"original{i}")
            theirs = getattr(tlin.parametrizations.weight, f"original{i}")
            assert_close(ours.grad, theirs.grad.numpy())


def test_register_parametrization_chain_cache_and_remove():
    class Symmetric(nn.Module):
        def forward(self, x):
            return x.triu() + x.triu(1).mT

    class Scale(nn.Module):
        def forward(self, x):
            return 2 * x

        def right_inverse(self, x):
            return x / 2

    lin = nn.Linear(3, 3).double()
    weight = host(lin.weight)
    parametrize.register_parametrization(lin, "weight", Symmetric())
    sym = np.triu(weight) + np.triu(weight, 1).T
    assert_close(lin.weight, sym)
    assert list(lin.state_dict()) == ["bias", "parametrizations.weight.original"]
    parametrize.register_parametrization(lin, "weight", Scale())
    assert_close(lin.weight, 2 * sym)
    with parametrize.cached():
        assert lin.weight is lin.weight
    assert lin.weight is not lin.weight
    with pytest.raises(RuntimeError, match="Symmetric does not implement right_inverse"):
        lin.weight = mg.zeros(3, 3, dtype=mg.float64)
    parametrize.remove_parametrizations(lin, "weight", leave_parametrized=False)
    assert_close(lin.weight, weight)
    assert type(lin) is nn.Linear
    with pytest.raises(ValueError, match="does not have a parametrization on weight"):
        parametrize.remove_parametrizations(lin, "weight")
    with pytest.raises(ValueError, match="may not change the shape"):
        parametrize.register_parametrization(lin, "weight", _Flatten())


class _Flatten(nn.Module):
    def forward(self, x):
        return x.reshape(-1)
