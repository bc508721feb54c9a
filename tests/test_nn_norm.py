"""Normalisation layers: batch, instance, layer and group norm (functional and modules)."""

from __future__ import annotations

import numpy as np
import pytest
from engine_helpers import assert_close, check_op, given_settings, host, on
from hypothesis import given
from hypothesis import strategies as st

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn

EPS = 1e-5


def normalized(x: np.ndarray, axes: tuple[int, ...], eps: float = EPS) -> np.ndarray:
    """(x - mean) / sqrt(var + eps) over ``axes`` (biased variance), in NumPy."""
    mean = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True)
    return (x - mean) / np.sqrt(var + eps)


def channel(v: np.ndarray, ndim: int) -> np.ndarray:
    return v.reshape((1, -1) + (1,) * (ndim - 2))


@st.composite
def channel_inputs(draw: st.DrawFn, min_spatial: int = 0, max_spatial: int = 2) -> tuple:
    """(x, weight, bias) float64 arrays: x of shape (N, C, *spatial), the others (C,)."""
    n = draw(st.integers(1, 3))
    c = draw(st.integers(1, 3))
    spatial = tuple(draw(st.lists(st.integers(1, 3), min_size=min_spatial, max_size=max_spatial)))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    shape = (n, c) + spatial
    return rng.normal(size=shape), rng.normal(size=c), rng.normal(size=c)


# ----------------------------------------------------------------------------- batch norm
@given_settings
@given(case=channel_inputs())
def test_batch_norm_in_training_matches_numpy_and_gradchecks(device, case):
    x, w, b = case
    if x.size // x.shape[1] < 2:
        x = np.concatenate([x, x[:1] + 1.0])  # more than one value per channel
    axes = (0,) + tuple(range(2, x.ndim))

    def ref(x, w, b):
        return normalized(x, axes) * channel(w, x.ndim) + channel(b, x.ndim)

    check_op(
        lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True), ref, [x, w, b], device
    )


@given_settings
@given(case=channel_inputs())
def test_batch_norm_in_evaluation_uses_the_running_statistics(device, case):
    x, w, b = case
    rng = np.random.default_rng(1)
    mean, var = rng.normal(size=w.shape), rng.uniform(0.5, 2.0, size=w.shape)
    rm, rv = on(mean, device, False), on(var, device, False)

    def ref(x, w, b):
        scale = channel(w, x.ndim) / np.sqrt(channel(var, x.ndim) + EPS)
        return (x - channel(mean, x.ndim)) * scale + channel(b, x.ndim)

    check_op(lambda x, w, b: F.batch_norm(x, rm, rv, w, b, training=False), ref, [x, w, b], device)
    assert_close(rm, mean)  # evaluation leaves the statistics alone
    assert_close(rv, var)


def test_batch_norm_running_statistics_follow_the_momentum_formula(device):
    rng = np.random.default_rng(0)
    batches = [rng.normal(loc=2.0, scale=3.0, size=(6, 4, 5)) for _ in range(3)]
    layer = nn.BatchNorm1d(4, momentum=0.3).to(device).double()
    mean, var = np.zeros(4), np.ones(4)
    for k, x in enumerate(batches, start=1):
        layer(on(x, device, False))
        mean = 0.7 * mean + 0.3 * x.mean(axis=(0, 2))
        var = 0.7 * var + 0.3 * x.var(axis=(0, 2), ddof=1)  # unbiased
        assert_close(layer.running_mean, mean)
        assert_close(layer.running_var, var)
        assert layer.num_batches_tracked.item() == k
    assert layer.num_batches_tracked.dtype == mg.int64


def test_batch_norm_momentum_none_is_a_cumulative_average(device):
    rng = np.random.default_rng(1)
    batches = [rng.normal(size=(5, 3)) * (k + 1) for k in range(4)]
    layer = nn.BatchNorm1d(3, momentum=None).to(device).double()
    for x in batches:
        layer(on(x, device, False))
    assert_close(layer.running_mean, np.mean([x.mean(axis=0) for x in batches], axis=0))
    assert_close(layer.running_var, np.mean([x.var(axis=0, ddof=1) for x in batches], axis=0))


def test_batch_norm_module_eval_mode_and_batch_stats_without_tracking(device):
    rng = np.random.default_rng(2)
    x = rng.normal(size=(4, 3, 2, 2))
    layer = nn.BatchNorm2d(3).to(device).double()
    with mg.no_grad():
        layer.weight.copy_(mg.tensor([1.0, 2.0, 3.0], dtype=mg.float64, device=device))
    layer(on(x, device, False))
    layer.eval()
    out = layer(on(x, device, False))
    mean, var = host(layer.running_mean), host(layer.running_var)
    expected = (
        (x - channel(mean, 4))
        / np.sqrt(channel(var, 4) + EPS)
        * channel(np.array([1.0, 2.0, 3.0]), 4)
    )
    assert_close(out, expected)
    assert layer.num_batches_tracked.item() == 1  # eval() does not count batches

    free = nn.BatchNorm2d(3, affine=False, track_running_stats=False).to(device).double()
    assert free.running_mean is None and free.weight is None
    assert list(free.state_dict()) == []
    free.eval()
    assert_close(free(on(x, device, False)), normalized(x, (0, 2, 3)))


def test_batch_norm_state_dict_keys_and_round_trip(device):
    layer = nn.BatchNorm1d(3).to(device)
    assert list(layer.state_dict()) == [
        "weight",
        "bias",
        "running_mean",
        "running_var",
        "num_batches_tracked",
    ]
    layer(mg.randn(4, 3, device=device))
    other = nn.BatchNorm1d(3).to(device)
    other.load_state_dict(layer.state_dict())
    for key, value in layer.state_dict().items():
        assert np.array_equal(host(other.state_dict()[key]), host(value))
    layer.double()
    assert layer.running_mean.dtype == mg.float64
    assert layer.num_batches_tracked.dtype == mg.int64
    assert [n for n, _ in nn.BatchNorm1d(2, affine=False).named_buffers()] == [
        "running_mean",
        "running_var",
        "num_batches_tracked",
    ]


def test_batch_norm_reset_and_repr():
    layer = nn.BatchNorm1d(2, eps=1e-3, momentum=0.5)
    layer(mg.randn(4, 2))
    layer.reset_running_stats()
    assert layer.running_mean.tolist() == [0, 0] and layer.running_var.tolist() == [1, 1]
    assert layer.num_batches_tracked.item() == 0
    assert repr(layer) == (
        "BatchNorm1d(2, eps=0.001, momentum=0.5, affine=True, bias=True, track_running_stats=True)"
    )


def test_batch_norm_errors_name_the_layer_and_the_shapes(device):
    with pytest.raises(RuntimeError, match=r"BatchNorm2d\(3\).*3 channels.*Size\(\[2, 4, 5, 5\]\)"):
        nn.BatchNorm2d(3).to(device)(mg.randn(2, 4, 5, 5, device=device))
    with pytest.raises(ValueError, match=r"expected 2D or 3D input \(got 4D input\)"):
        nn.BatchNorm1d(3)(mg.randn(2, 3, 4, 5))
    with pytest.raises(ValueError, match="Expected more than 1 value per channel when training"):
        nn.BatchNorm1d(3)(mg.randn(1, 3))
    with pytest.raises(
        RuntimeError, match=r"running_mean should contain 5 elements.*Size\(\[4\]\)"
    ):
        F.batch_norm(mg.randn(3, 5), mg.zeros(4), mg.ones(4), training=True)
    with pytest.raises(RuntimeError, match="evaluation mode"):
        F.batch_norm(mg.randn(3, 5), None, None)
    with pytest.raises(NotImplementedError, match="floating point"):
        F.batch_norm(mg.tensor([[1, 2], [3, 4]]), None, None, training=True)
    nn.BatchNorm1d(3).eval()(mg.randn(1, 3))  # one sample is fine in evaluation


def test_batch_norm_float32_stays_float32(device):
    layer = nn.BatchNorm1d(3).to(device)
    out = layer(mg.randn(4, 3, 2, device=device))
    assert out.dtype == mg.float32 and layer.running_var.dtype == mg.float32
    assert out.grad_fn is not None


# ----------------------------------------------------------------------------- instance norm
@given_settings
@given(case=channel_inputs(min_spatial=1))
def test_instance_norm_matches_numpy_and_gradchecks(device, case):
    x, w, b = case
    if np.prod(x.shape[2:]) < 2:
        x = np.concatenate([x, x + 1.0], axis=-1)
    axes = tuple(range(2, x.ndim))

    def ref(x, w, b):
        return normalized(x, axes) * channel(w, x.ndim) + channel(b, x.ndim)

    check_op(lambda x, w, b: F.instance_norm(x, weight=w, bias=b), ref, [x, w, b], device)


def test_instance_norm_module_defaults_running_stats_and_unbatched_input(device):
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2, 3, 5))
    layer = nn.InstanceNorm1d(3).to(device).double()
    assert layer.weight is None and layer.running_mean is None
    assert_close(layer(on(x, device, False)), normalized(x, (2,)))
    assert_close(layer(on(x[0], device, False)), normalized(x[:1], (2,))[0])

    tracked = nn.InstanceNorm1d(3, momentum=0.5, track_running_stats=True).to(device).double()
    tracked(on(x, device, False))
    assert_close(tracked.running_mean, 0.5 * x.mean(axis=2).mean(axis=0))
    assert_close(tracked.running_var, 0.5 + 0.5 * x.var(axis=2, ddof=1).mean(axis=0))
    tracked.eval()
    mean, var = host(tracked.running_mean), host(tracked.running_var)
    expected = (x - channel(mean, 3)) / np.sqrt(channel(var, 3) + EPS)
    assert_close(tracked(on(x, device, False)), expected)
    assert repr(nn.InstanceNorm2d(4)) == (
        "InstanceNorm2d(4, eps=1e-05, momentum=0.1, affine=False, bias=False, "
        "track_running_stats=False)"
    )
    with pytest.raises(RuntimeError, match=r"InstanceNorm2d\(3\).*Size\(\[2, 4, 5, 5\]\)"):
        nn.InstanceNorm2d(3)(mg.randn(2, 4, 5, 5))


# ----------------------------------------------------------------------------- layer norm
@st.composite
def layer_norm_cases(draw: st.DrawFn) -> tuple:
    shape = tuple(draw(st.lists(st.integers(1, 3), min_size=1, max_size=4)))
    k = draw(st.integers(1, len(shape)))
    if np.prod(shape[-k:]) < 2:
        shape = shape[:-1] + (2,)
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    return rng.normal(size=shape), k, rng.normal(size=shape[-k:]), rng.normal(size=shape[-k:])


@given_settings
@given(case=layer_norm_cases())
def test_layer_norm_matches_numpy_and_gradchecks(device, case):
    x, k, w, b = case
    axes = tuple(range(x.ndim - k, x.ndim))
    check_op(
        lambda x, w, b: F.layer_norm(x, w.shape, w, b),
        lambda x, w, b: normalized(x, axes) * w + b,
        [x, w, b],
        device,
    )


def test_layer_norm_module(device):
    layer = nn.LayerNorm((2, 3), bias=False).to(device)
    assert list(layer.state_dict()) == ["weight"]
    assert layer.weight.shape == (2, 3) and layer.weight.tolist() == [[1.0] * 3] * 2
    x = np.random.default_rng(4).normal(size=(4, 2, 3)).astype(np.float32)
    assert_close(layer(mg.tensor(x, device=device)), normalized(x, (1, 2)), rtol=1e-5, atol=1e-5)
    assert repr(nn.LayerNorm(3)) == "LayerNorm((3,), eps=1e-05, elementwise_affine=True, bias=True)"
    assert nn.LayerNorm(3, elementwise_affine=False).weight is None
    with pytest.raises(RuntimeError, match=r"normalized_shape=\[4\].*\[\*, 4\].*\[3, 5\]"):
        nn.LayerNorm(4)(mg.randn(3, 5))


# ----------------------------------------------------------------------------- group norm
@st.composite
def group_norm_cases(draw: st.DrawFn) -> tuple:
    groups = draw(st.integers(1, 3))
    x, _, _ = draw(channel_inputs())
    c = groups * draw(st.integers(1, 2))
    n = x.shape[0]
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    shape = (n, c) + x.shape[2:]
    if np.prod(shape[1:]) // groups < 2:
        shape = shape + (2,)
    return rng.normal(size=shape), groups, rng.normal(size=c), rng.normal(size=c)


@given_settings
@given(case=group_norm_cases())
def test_group_norm_matches_numpy_and_gradchecks(device, case):
    x, groups, w, b = case

    def ref(x, w, b):
        grouped = x.reshape(x.shape[0], groups, -1)
        x_hat = normalized(grouped, (2,)).reshape(x.shape)
        return x_hat * channel(w, x.ndim) + channel(b, x.ndim)

    check_op(lambda x, w, b: F.group_norm(x, groups, w, b), ref, [x, w, b], device)


def test_group_norm_module_and_errors(device):
    layer = nn.GroupNorm(2, 4).to(device)
    assert list(layer.state_dict()) == ["weight", "bias"]
    assert repr(layer) == "GroupNorm(2, 4, eps=1e-05, affine=True, bias=True)"
    assert layer(mg.randn(3, 4, 5, device=device)).shape == (3, 4, 5)
    with pytest.raises(ValueError, match="divisible by num_groups"):
        nn.GroupNorm(2, 5)
    with pytest.raises(RuntimeError, match=r"GroupNorm\(2, 4\).*\(N, 4, \*\).*Size\(\[3, 6, 5\]\)"):
        layer(mg.randn(3, 6, 5, device=device))
    with pytest.raises(RuntimeError, match=r"divisible by num_groups.*\[3, 5, 2\]"):
        F.group_norm(mg.randn(3, 5, 2), 2)


# ----------------------------------------------------------------------------- against PyTorch
def test_normalisation_layers_match_pytorch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    cases = [
        (nn.BatchNorm1d(3, momentum=0.2), torch.nn.BatchNorm1d(3, momentum=0.2), (6, 3)),
        (nn.BatchNorm1d(3, momentum=None), torch.nn.BatchNorm1d(3, momentum=None), (4, 3, 5)),
        (nn.BatchNorm2d(3), torch.nn.BatchNorm2d(3), (4, 3, 2, 3)),
        (nn.InstanceNorm2d(3, affine=True, track_running_stats=True),
         torch.nn.InstanceNorm2d(3, affine=True, track_running_stats=True), (2, 3, 4, 4)),
        (nn.LayerNorm((3, 4)), torch.nn.LayerNorm((3, 4)), (2, 5, 3, 4)),
        (nn.GroupNorm(3, 6), torch.nn.GroupNorm(3, 6), (2, 6, 4)),
    ]  # fmt: skip
    for ours, theirs, shape in cases:
        ours.double()
        theirs.double()
        for p in theirs.parameters():  # non-trivial affine parameters, the same in both
            p.data = torch.tensor(rng.normal(size=p.shape))
        ours.load_state_dict({k: mg.tensor(v.numpy()) for k, v in theirs.state_dict().items()})
        for mode in ("train", "train", "eval"):
            getattr(ours, mode)()
            getattr(theirs, mode)()
            x = rng.normal(size=shape)
            xm, xt = mg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
            g = rng.normal(size=shape)
            ym, yt = ours(xm), theirs(xt)
            (ym * mg.tensor(g)).sum().backward()
            (yt * torch.tensor(g)).sum().backward()
            np.testing.assert_allclose(
                ym.detach().numpy(), yt.detach().numpy(), rtol=1e-9, atol=1e-10
            )
            np.testing.assert_allclose(xm.grad.numpy(), xt.grad.numpy(), rtol=1e-8, atol=1e-10)
            for (name, pm), (_, pt) in zip(
                ours.named_parameters(), theirs.named_parameters(), strict=True
            ):
                np.testing.assert_allclose(
                    pm.grad.numpy(), pt.grad.numpy(), rtol=1e-8, err_msg=name
                )
                pm.grad, pt.grad = None, None
            for (name, bm), (_, bt) in zip(
                ours.named_buffers(), theirs.named_buffers(), strict=True
            ):
                np.testing.assert_allclose(bm.numpy(), bt.detach().numpy(), rtol=1e-9, err_msg=name)
