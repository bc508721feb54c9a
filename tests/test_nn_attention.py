"""MultiheadAttention and the Transformer layers: PyTorch's numbers, masks, shapes, gradients."""

from __future__ import annotations

import numpy as np
import pytest
from engine_helpers import given_settings, host, on
from hypothesis import given
from hypothesis import strategies as st

import minigrad as mg
from minigrad import nn
from minigrad.nn.attention import MultiheadAttention
from minigrad.nn.transformer import (
    Transformer,
    TransformerDecoder,
    TransformerDecoderLayer,
    TransformerEncoder,
    TransformerEncoderLayer,
)

RNG = np.random.default_rng


def _load_from_torch(ours, theirs):
    """Copy a PyTorch module's state_dict into ours, asserting the keys are the same."""
    state = theirs.state_dict()
    assert list(ours.state_dict()) == list(state)
    ours.load_state_dict({k: mg.tensor(v.detach().numpy()) for k, v in state.items()})


def _softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def _reference(layer, query, key, value, mask=None):
    """Multi-head attention in NumPy, sequence-first batched, in_proj_weight packed."""
    heads, e = layer.num_heads, layer.embed_dim
    ws = np.split(host(layer.in_proj_weight), 3)
    bs = np.split(host(layer.in_proj_bias), 3)
    q, k, v = (x @ w.T + b for x, w, b in zip((query, key, value), ws, bs, strict=True))
    d = e // heads

    def split(x):  # (S, N, E) -> (N, heads, S, d)
        return x.reshape(x.shape[0], x.shape[1], heads, d).transpose(1, 2, 0, 3)

    scores = split(q) @ split(k).transpose(0, 1, 3, 2) / np.sqrt(d)
    weights = _softmax(scores if mask is None else scores + mask)
    out = (weights @ split(v)).transpose(2, 0, 1, 3).reshape(query.shape)
    return out @ host(layer.out_proj.weight).T + host(layer.out_proj.bias), weights


# ----------------------------------------------------------------------------- without torch
def test_matches_a_numpy_reference_with_masks(device):
    layer = MultiheadAttention(6, 3).double().to(device)
    rng = RNG(0)
    query, key, value = rng.standard_normal((4, 2, 6)), *rng.standard_normal((2, 5, 2, 6))
    attn_mask = rng.standard_normal((4, 5))
    padding = np.array([[False, False, True, False, True], [False] * 5])
    out, weights = layer(
        on(query, device),
        on(key, device),
        on(value, device),
        key_padding_mask=mg.tensor(padding, device=device),
        attn_mask=on(attn_mask, device, requires_grad=False),
        average_attn_weights=False,
    )
    mask = attn_mask + np.where(padding, -np.inf, 0.0)[:, None, None, :]
    expected, expected_weights = _reference(layer, query, key, value, mask)
    np.testing.assert_allclose(host(out), expected, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(host(weights), expected_weights, rtol=1e-10, atol=1e-12)


@given_settings
@given(
    sizes=st.tuples(*[st.integers(1, 3)] * 5),
    seed=st.integers(0, 2**16),
    masked=st.booleans(),
)
def test_matches_the_reference_for_any_sizes(sizes, seed, masked):
    length, source, batch, heads, head_dim = sizes
    layer = MultiheadAttention(heads * head_dim, heads).double()
    rng = RNG(seed)
    for p in layer.parameters():
        p.data = mg.tensor(rng.standard_normal(p.shape))
    query = rng.standard_normal((length, batch, heads * head_dim))
    key, value = rng.standard_normal((2, source, batch, heads * head_dim))
    padding = rng.random((batch, source)) < 0.3 if masked else np.zeros((batch, source), bool)
    padding[:, 0] = False  # every row keeps a key to attend to
    out, weights = layer(
        mg.tensor(query), mg.tensor(key), mg.tensor(value), key_padding_mask=mg.tensor(padding)
    )
    mask = np.where(padding, -np.inf, 0.0)[:, None, None, :]
    expected, expected_weights = _reference(layer, query, key, value, mask)
    np.testing.assert_allclose(host(out), expected, rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(host(weights), expected_weights.mean(1), rtol=1e-9, atol=1e-12)


def test_shapes_batch_first_unbatched_and_weights(device):
    layer = MultiheadAttention(8, 2, kdim=3, vdim=5, batch_first=True).to(device)
    q, k = mg.randn(2, 4, 8, device=device), mg.randn(2, 6, 3, device=device)
    v = mg.randn(2, 6, 5, device=device)
    out, weights = layer(q, k, v)
    assert out.shape == (2, 4, 8) and weights.shape == (2, 4, 6)
    _, per_head = layer(q, k, v, average_attn_weights=False)
    assert per_head.shape == (2, 2, 4, 6)
    np.testing.assert_allclose(host(per_head.mean(1)), host(weights), rtol=1e-6)
    out, none = layer(q, k, v, need_weights=False)
    assert out.shape == (2, 4, 8) and none is None
    out, weights = layer(q[0], k[0], v[0], average_attn_weights=False)
    assert out.shape == (4, 8) and weights.shape == (2, 4, 6)
    np.testing.assert_allclose(host(weights.sum(-1)), np.ones((2, 4)), rtol=1e-6)


def test_parameters_and_initialisation(device):
    layer = MultiheadAttention(6, 2, add_bias_kv=True).to(device)
    names = [n for n, _ in layer.named_parameters()]
    assert names == [
        "in_proj_weight",
        "in_proj_bias",
        "bias_k",
        "bias_v",
        "out_proj.weight",
        "out_proj.bias",
    ]
    assert layer.in_proj_weight.shape == (18, 6) and layer.bias_k.shape == (1, 1, 6)
    assert np.all(host(layer.in_proj_bias) == 0) and np.all(host(layer.out_proj.bias) == 0)
    assert np.abs(host(layer.in_proj_weight)).max() <= np.sqrt(6 / (18 + 6))
    separate = MultiheadAttention(6, 2, kdim=4, bias=False)
    assert separate.in_proj_weight is None and separate.in_proj_bias is None
    assert separate.k_proj_weight.shape == (6, 4) and separate.out_proj.bias is None
    assert [n for n, _ in separate.named_parameters()] == [
        "q_proj_weight",
        "k_proj_weight",
        "v_proj_weight",
        "out_proj.weight",
    ]


@pytest.mark.parametrize("kind", ["bool", "float"])
def test_masked_positions_get_zero_weight(kind, device):
    layer = MultiheadAttention(4, 2).to(device)
    x = mg.randn(3, 2, 4, device=device)
    causal = np.triu(np.ones((3, 3), bool), 1)
    padding = np.array([[False, False, True], [False, False, False]])
    if kind == "float":
        causal, padding = np.where(causal, -np.inf, 0.0), np.where(padding, -np.inf, 0.0)
    _, weights = layer(
        x,
        x,
        x,
        attn_mask=mg.tensor(causal, device=device, dtype=mg.float32 if kind == "float" else None),
        key_padding_mask=mg.tensor(
            padding, device=device, dtype=mg.float32 if kind == "float" else None
        ),
        average_attn_weights=False,
    )
    w = host(weights)
    assert np.all(w[:, :, np.triu_indices(3, 1)[0], np.triu_indices(3, 1)[1]] == 0)
    assert np.all(w[0, :, :, 2] == 0)
    np.testing.assert_allclose(w.sum(-1), 1, rtol=1e-6)


def test_bias_kv_and_zero_attn_keep_masked_rows_alive(device):
    layer = MultiheadAttention(4, 2, add_bias_kv=True, add_zero_attn=True).to(device)
    x = mg.randn(2, 1, 4, device=device)
    everything = mg.tensor(np.ones((1, 2), bool), device=device)
    _, weights = layer(x, x, x, key_padding_mask=everything)
    w = host(weights)
    assert w.shape == (1, 2, 4) and np.all(w[..., :2] == 0) and np.all(np.isfinite(w))


def test_dropout_only_in_training(device):
    layer = MultiheadAttention(4, 2, dropout=0.5).to(device)
    x = mg.randn(5, 2, 4, device=device)
    layer.eval()
    first, weights = layer(x, x, x)
    second, _ = layer(x, x, x)
    np.testing.assert_array_equal(host(first), host(second))
    layer.train()
    out, dropped = layer(x, x, x, average_attn_weights=False)
    kept = host(dropped)
    assert np.any(kept == 0) and not np.allclose(kept.mean(1), host(weights))
    # the output comes from the weights returned, dropout included
    w, b = host(layer.in_proj_weight)[8:], host(layer.in_proj_bias)[8:]
    v = (host(x) @ w.T + b).reshape(5, 2, 2, 2).transpose(1, 2, 0, 3)
    mixed = (kept @ v).transpose(2, 0, 1, 3).reshape(5, 2, 4)
    expected = mixed @ host(layer.out_proj.weight).T + host(layer.out_proj.bias)
    np.testing.assert_allclose(host(out), expected, rtol=1e-5, atol=1e-6)


def test_gradients_of_every_order(device):
    layer = MultiheadAttention(4, 2, add_bias_kv=True, add_zero_attn=True, kdim=3, vdim=2)
    layer = layer.double().to(device)
    rng = RNG(1)
    query, key, value = (
        on(rng.standard_normal(s), device) for s in ((2, 2, 4), (3, 2, 3), (3, 2, 2))
    )
    mask = on(rng.standard_normal((2, 3)), device, requires_grad=False)
    padding = mg.tensor(np.array([[False, True, False], [False, False, False]]), device=device)

    def attend(q, k, v):
        return layer(q, k, v, key_padding_mask=padding, attn_mask=mask)[0]

    attend(query, key, value).sum().backward()
    assert all(p.grad is not None for p in layer.parameters())
    assert mg.gradcheck(attend, [query, key, value])
    assert mg.gradgradcheck(lambda q, k, v: attend(q, k, v).tanh(), [query, key, value])


def test_errors(device):
    with pytest.raises(AssertionError, match="embed_dim must be divisible by num_heads"):
        MultiheadAttention(6, 4)
    with pytest.raises(ValueError, match="greater than 0"):
        MultiheadAttention(0, 1)
    layer = MultiheadAttention(4, 2).to(device)
    x = mg.randn(3, 2, 4, device=device)
    with pytest.raises(RuntimeError, match=r"2D attn_mask is \(3, 4\), but should be \(3, 3\)"):
        layer(x, x, x, attn_mask=mg.zeros(3, 4, device=device))
    with pytest.raises(
        RuntimeError, match=r"3D attn_mask is \(2, 3, 3\), but should be \(4, 3, 3\)"
    ):
        layer(x, x, x, attn_mask=mg.zeros(2, 3, 3, device=device))
    with pytest.raises(RuntimeError, match="dimension 4 is not supported"):
        layer(x, x, x, attn_mask=mg.zeros(1, 4, 3, 3, device=device))
    with pytest.raises(RuntimeError, match=r"key_padding_mask shape of \(2, 3\), but got \(3, 2\)"):
        layer(x, x, x, key_padding_mask=mg.zeros(3, 2, dtype=mg.bool, device=device))
    with pytest.raises(TypeError, match="only bool and floating"):
        layer(x, x, x, attn_mask=mg.zeros(3, 3, dtype=mg.int64, device=device))
    with pytest.raises(RuntimeError, match="Need attn_mask"):
        layer(x, x, x, is_causal=True)
    with pytest.raises(AssertionError, match="expected `key` and `value` to be 3-D"):
        layer(x, x[0], x)
    with pytest.raises(AssertionError, match="embedding dimension of 4, but got 3"):
        layer(x[..., :3], x, x)
    with pytest.raises(AssertionError, match="batch size"):
        layer(x, x[:, :1], x[:, :1].clone())


# ----------------------------------------------------------------------------- against PyTorch
CONFIGS = [
    ({}, {}),
    ({"batch_first": True}, {"average_attn_weights": False}),
    ({"kdim": 5, "vdim": 3}, {"need_weights": False}),
    ({"add_bias_kv": True, "add_zero_attn": True}, {"masks": "bool"}),
    ({"bias": False, "kdim": 5, "vdim": 3, "add_zero_attn": True}, {"masks": "float"}),
    ({"add_bias_kv": True, "batch_first": True}, {"masks": "3d", "average_attn_weights": False}),
    ({}, {"unbatched": True, "masks": "3d"}),
    ({"add_bias_kv": True}, {"unbatched": True, "masks": "bool", "need_weights": False}),
]


def _masks(kind, length, source, batch, heads, unbatched, rng):
    padding = rng.random((batch, source)) < 0.3
    padding[:, 0] = False
    if kind == "bool":
        attn = np.triu(np.ones((length, source), bool), 2)
    elif kind == "float":
        attn, padding = rng.standard_normal((length, source)), np.where(padding, -np.inf, 0.0)
    else:
        attn = rng.standard_normal((batch * heads, length, source))
    return {"attn_mask": attn, "key_padding_mask": padding[0] if unbatched else padding}


MISMATCHED_MASKS = "ignore:Support for mismatched key_padding_mask:UserWarning"


@pytest.mark.filterwarnings(MISMATCHED_MASKS)
@pytest.mark.parametrize(("options", "call"), CONFIGS)
def test_multihead_attention_matches_pytorch(options, call):
    torch = pytest.importorskip("torch")
    call = dict(call)
    unbatched, masks = call.pop("unbatched", False), call.pop("masks", None)
    heads, length, source, batch = 2, 3, 4, 1 if unbatched else 2
    theirs = torch.nn.MultiheadAttention(8, heads, **options).double()
    ours = MultiheadAttention(8, heads, **options).double()
    _load_from_torch(ours, theirs)
    rng = RNG(0)
    shapes = [(length, 8), (source, options.get("kdim", 8)), (source, options.get("vdim", 8))]
    if not unbatched:
        first = options.get("batch_first", False)
        shapes = [(batch, n, e) if first else (n, batch, e) for n, e in shapes]
    inputs = [rng.standard_normal(s) for s in shapes]
    if masks:
        call.update(_masks(masks, length, source, batch, heads, unbatched, rng))
    t_out, t_weights = theirs(
        *(torch.tensor(x) for x in inputs),
        **{k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in call.items()},
    )
    m_out, m_weights = ours(
        *(mg.tensor(x) for x in inputs),
        **{k: mg.tensor(v) if isinstance(v, np.ndarray) else v for k, v in call.items()},
    )
    np.testing.assert_allclose(host(m_out), t_out.detach().numpy(), rtol=1e-10, atol=1e-12)
    if t_weights is None:
        assert m_weights is None
        t_out.square().sum().backward()
        m_out.square().sum().backward()
    else:
        expected = t_weights.detach().numpy()
        np.testing.assert_allclose(host(m_weights), expected, rtol=1e-10, atol=1e-12)
        (t_out.square().sum() + t_weights.square().sum()).backward()
        (m_out.square().sum() + m_weights.square().sum()).backward()
    for (name, theirs_p), ours_p in zip(theirs.named_parameters(), ours.parameters(), strict=True):
        np.testing.assert_allclose(
            host(ours_p.grad), theirs_p.grad.numpy(), rtol=1e-9, atol=1e-12, err_msg=name
        )


ENCODER_OPTIONS = [
    {},
    {"norm_first": True, "activation": "gelu", "batch_first": True},
    {"bias": False, "activation": "relu"},
]


def _masked_inputs(rng, batch_first, length, memory_length=None):
    shape = (2, length, 8) if batch_first else (length, 2, 8)
    padding = np.zeros((2, length), bool)
    padding[1, -1] = True
    return rng.standard_normal(shape), np.triu(np.ones((length, length), bool), 1), padding


@pytest.mark.parametrize("options", ENCODER_OPTIONS)
def test_transformer_encoder_matches_pytorch(options):
    torch = pytest.importorskip("torch")
    layer = torch.nn.TransformerEncoderLayer(8, 2, 16, **options).double()
    theirs = torch.nn.TransformerEncoder(
        layer, 2, norm=torch.nn.LayerNorm(8).double(), enable_nested_tensor=False
    )
    ours = TransformerEncoder(
        TransformerEncoderLayer(8, 2, 16, **options).double(), 2, norm=nn.LayerNorm(8).double()
    )
    _load_from_torch(ours, theirs)
    theirs.eval()
    ours.eval()
    x, causal, padding = _masked_inputs(RNG(0), options.get("batch_first", False), 3)
    expected = theirs(
        torch.tensor(x), mask=torch.tensor(causal), src_key_padding_mask=torch.tensor(padding)
    )
    got = ours(mg.tensor(x), mask=mg.tensor(causal), src_key_padding_mask=mg.tensor(padding))
    np.testing.assert_allclose(host(got), expected.detach().numpy(), rtol=1e-10, atol=1e-12)
    single = ours.layers[0](mg.tensor(x), src_mask=mg.tensor(causal), is_causal=True)
    expected = theirs.layers[0](torch.tensor(x), src_mask=torch.tensor(causal), is_causal=True)
    np.testing.assert_allclose(host(single), expected.detach().numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.filterwarnings(MISMATCHED_MASKS)
@pytest.mark.parametrize("options", ENCODER_OPTIONS)
def test_transformer_decoder_matches_pytorch(options):
    torch = pytest.importorskip("torch")
    theirs = torch.nn.TransformerDecoder(
        torch.nn.TransformerDecoderLayer(8, 2, 16, **options).double(), 2
    )
    ours = TransformerDecoder(TransformerDecoderLayer(8, 2, 16, **options).double(), 2)
    _load_from_torch(ours, theirs)
    theirs.eval()
    ours.eval()
    first = options.get("batch_first", False)
    rng = RNG(1)
    memory, _, memory_padding = _masked_inputs(rng, first, 3)
    tgt, causal, tgt_padding = _masked_inputs(rng, first, 4)
    memory_mask = rng.standard_normal((4, 3))
    masks = {
        "tgt_mask": causal,
        "memory_mask": memory_mask,
        "tgt_key_padding_mask": tgt_padding,
        "memory_key_padding_mask": memory_padding,
    }
    expected = theirs(
        torch.tensor(tgt),
        torch.tensor(memory),
        tgt_is_causal=True,
        **{k: torch.tensor(v) for k, v in masks.items()},
    )
    got = ours(
        mg.tensor(tgt),
        mg.tensor(memory),
        tgt_is_causal=True,
        **{k: mg.tensor(v) for k, v in masks.items()},
    )
    np.testing.assert_allclose(host(got), expected.detach().numpy(), rtol=1e-10, atol=1e-12)


# ----------------------------------------------------------------------------- Transformer layers
def test_transformer_submodules_and_copies(device):
    layer = TransformerEncoderLayer(4, 2, 8, dropout=0.0).to(device)
    assert [n for n, _ in layer.named_children()] == [
        "self_attn",
        "linear1",
        "dropout",
        "linear2",
        "norm1",
        "norm2",
        "dropout1",
        "dropout2",
    ]
    encoder = TransformerEncoder(layer, 3)
    assert len(encoder.layers) == 3 and encoder.norm is None
    copies = [m.linear1.weight for m in encoder.layers]
    assert len({id(w) for w in copies}) == 3 and copies[0] is not layer.linear1.weight
    np.testing.assert_array_equal(host(copies[1]), host(layer.linear1.weight))
    decoder_layer = TransformerDecoderLayer(4, 2, 8)
    assert [n for n, _ in decoder_layer.named_children()][:2] == ["self_attn", "multihead_attn"]
    assert hasattr(decoder_layer, "norm3") and hasattr(decoder_layer, "dropout3")


def test_transformer_shapes_and_gradients(device):
    layer = TransformerEncoderLayer(4, 2, 6, dropout=0.0, activation=mg.tanh, batch_first=True)
    layer = layer.double().to(device)
    x = on(RNG(2).standard_normal((2, 3, 4)), device)
    assert layer(x).shape == (2, 3, 4) and layer(x[0]).shape == (3, 4)
    assert mg.gradcheck(lambda t: layer(t), [x])
    assert mg.gradgradcheck(lambda t: layer(t), [x])
    decoder = TransformerDecoder(TransformerDecoderLayer(4, 2, 6, dropout=0.0), 1).double()
    decoder = decoder.to(device)
    memory = on(RNG(3).standard_normal((2, 2, 4)), device)
    target = on(RNG(4).standard_normal((3, 2, 4)), device)
    assert decoder(target, memory).shape == (3, 2, 4)
    assert mg.gradcheck(lambda t, m: decoder(t, m), [target, memory])


def test_transformer_errors(device):
    with pytest.raises(RuntimeError, match="activation should be relu/gelu, not swish"):
        TransformerEncoderLayer(4, 2, activation="swish")
    encoder = TransformerEncoder(TransformerEncoderLayer(4, 2, 8), 1).to(device)
    with pytest.raises(RuntimeError, match="Need attn_mask"):
        encoder(mg.randn(3, 2, 4, device=device), is_causal=True)


def test_whole_transformer(device):
    mask = Transformer.generate_square_subsequent_mask(3, device=device, dtype=mg.float64)
    np.testing.assert_array_equal(host(mask), np.triu(np.full((3, 3), -np.inf), 1))
    model = Transformer(4, 2, 1, 1, 6, dropout=0.0, batch_first=True).double().to(device)
    assert [name for name, _ in model.named_children()] == ["encoder", "decoder"]
    assert model.encoder.norm is not None and model.decoder.norm is not None
    limit = np.sqrt(6 / (4 + 6))  # Xavier-uniform bound of linear1 (6 × 4)
    assert np.abs(host(model.encoder.layers[0].linear1.weight)).max() <= limit
    src = on(RNG(5).standard_normal((2, 3, 4)), device)
    tgt = on(RNG(6).standard_normal((2, 3, 4)), device)
    assert mg.gradcheck(lambda s, t: model(s, t, tgt_mask=mask, tgt_is_causal=True), [src, tgt])
    with pytest.raises(RuntimeError, match="batch number of src and tgt"):
        model(src, tgt[:1])
    with pytest.raises(RuntimeError, match="equal to d_model"):
        model(src, mg.zeros(2, 3, 5, dtype=mg.float64, device=device))


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_whole_transformer_matches_pytorch():
    torch = pytest.importorskip("torch")
    theirs = torch.nn.Transformer(8, 2, 2, 1, 16, dropout=0.0, norm_first=True).double().eval()
    ours = Transformer(8, 2, 2, 1, 16, dropout=0.0, norm_first=True).double().eval()
    _load_from_torch(ours, theirs)
    src, tgt = RNG(7).standard_normal((5, 2, 8)), RNG(8).standard_normal((4, 2, 8))
    causal = torch.nn.Transformer.generate_square_subsequent_mask(4, dtype=torch.float64)
    expected = theirs(torch.tensor(src), torch.tensor(tgt), tgt_mask=causal)
    got = ours(mg.tensor(src), mg.tensor(tgt), tgt_mask=mg.tensor(causal.numpy()))
    np.testing.assert_allclose(host(got), expected.detach().numpy(), rtol=1e-10, atol=1e-12)
