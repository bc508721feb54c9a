"""RMSNorm, LocalResponseNorm, PixelShuffle/PixelUnshuffle, Softmax2d and gumbel_softmax:
NumPy oracles written from the formulas, gradients to the second order, the layers, errors."""

from __future__ import annotations

import numpy as np
import pytest
from engine_helpers import arrays, check_op, host, on
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn

FAST = settings(max_examples=8, suppress_health_check=[HealthCheck.function_scoped_fixture])


# ---------------------------------------------------------------------- RMS norm
@FAST
@given(data=st.data(), eps=st.sampled_from([None, 1e-3]))
def test_rms_norm(device, data, eps):
    x = data.draw(arrays((2, 3, 4), 0.5, 3.0))  # a root mean square ≥ 0.5: far from √ε
    w = data.draw(arrays((3, 4)))
    e = np.finfo(np.float64).eps if eps is None else eps

    def reference(x, w):
        return x / np.sqrt((x**2).mean(axis=(1, 2), keepdims=True) + e) * w

    check_op(lambda x, w: F.rms_norm(x, (3, 4), w, eps), reference, [x, w], device)


def test_rms_norm_layer(device):
    layer = nn.RMSNorm(4, eps=1e-6).to(device)
    assert repr(layer) == "RMSNorm((4,), eps=1e-06, elementwise_affine=True)"
    assert [name for name, _ in layer.named_parameters()] == ["weight"]
    x = mg.randn(3, 4, device=device)
    np.testing.assert_allclose(host(layer(x)), host(F.rms_norm(x, (4,), layer.weight, 1e-6)))
    assert nn.RMSNorm([2, 4], elementwise_affine=False).weight is None
    with pytest.raises(RuntimeError, match=r"normalized_shape=\[4\].*\[3, 5\]"):
        layer(mg.randn(3, 5, device=device))


# ---------------------------------------------------------------------- local response norm
def lrn_reference(x, size, alpha, beta, k):
    """Loop over channels: the window c − ⌊n/2⌋ … c + ⌈n/2⌉ − 1, clipped to [0, C)."""
    out = np.empty_like(x)
    channels = x.shape[1]
    for c in range(channels):
        low, high = max(c - size // 2, 0), min(c + (size - 1) // 2 + 1, channels)
        total = (x[:, low:high] ** 2).sum(axis=1)
        out[:, c] = x[:, c] / (k + alpha / size * total) ** beta
    return out


@pytest.mark.parametrize("size", [1, 2, 3, 4])
@pytest.mark.parametrize("shape", [(2, 5, 3), (1, 4, 2, 3)])
def test_local_response_norm(device, size, shape):
    x = np.random.default_rng(size).standard_normal(shape)
    check_op(
        lambda t: F.local_response_norm(t, size, 0.1, 0.75, 2.0),
        lambda a: lrn_reference(a, size, 0.1, 0.75, 2.0),
        [x],
        device,
    )
    layer = nn.LocalResponseNorm(size, 0.1, 0.75, 2.0)
    np.testing.assert_allclose(
        host(layer(on(x, device, False))), lrn_reference(x, size, 0.1, 0.75, 2.0)
    )


def test_local_response_norm_needs_channels():
    with pytest.raises(ValueError, match="3D or higher"):
        F.local_response_norm(mg.ones(2, 3), 2)


# ---------------------------------------------------------------------- pixel shuffle
@pytest.mark.parametrize("r", [1, 2, 3])
def test_pixel_shuffle_moves_channel_blocks_into_pixels(device, r):
    x = np.random.default_rng(r).standard_normal((2, 2 * r * r, 3, 2))
    expected = np.empty((2, 2, 3 * r, 2 * r))
    for c in range(2):
        for i in range(r):
            for j in range(r):
                expected[:, c, i::r, j::r] = x[:, c * r * r + i * r + j]
    check_op(lambda t: F.pixel_shuffle(t, r), lambda _: expected, [x], device)
    check_op(lambda t: F.pixel_unshuffle(t, r), lambda _: x, [expected], device)


def test_pixel_shuffle_layers_and_errors(device):
    x = mg.randn(5, 8, 3, 3, device=device)  # an extra leading dim is allowed
    up, down = nn.PixelShuffle(2), nn.PixelUnshuffle(2)
    assert repr(up) == "PixelShuffle(upscale_factor=2)"
    assert up(x).shape == (5, 2, 6, 6)
    np.testing.assert_array_equal(host(down(up(x))), host(x))
    with pytest.raises(RuntimeError, match="divisible by r² = 9"):
        F.pixel_shuffle(x, 3)
    with pytest.raises(RuntimeError, match="divisible by r = 2"):
        F.pixel_unshuffle(mg.zeros(1, 1, 3, 4), 2)
    with pytest.raises(RuntimeError, match="positive integer"):
        F.pixel_shuffle(x, 0)


# ---------------------------------------------------------------------- softmax over channels
def test_softmax2d(device):
    x = np.random.default_rng(0).standard_normal((2, 3, 4, 5))
    expected = np.exp(x) / np.exp(x).sum(axis=1, keepdims=True)
    check_op(lambda t: nn.Softmax2d()(t), lambda _: expected, [x], device)
    assert nn.Softmax2d()(on(x[0], device, False)).shape == (3, 4, 5)
    with pytest.raises(ValueError, match=r"\(N, C, H, W\)"):
        nn.Softmax2d()(mg.ones(3, 4))


# ---------------------------------------------------------------------- gumbel softmax
def test_gumbel_softmax_samples_follow_the_softmax(device):
    mg.manual_seed(0)
    logits = on(np.log([0.1, 0.2, 0.7]), device, False).expand(4000, 3)
    samples = F.gumbel_softmax(logits, tau=0.5, hard=True)
    assert set(np.unique(host(samples))) == {0.0, 1.0}
    np.testing.assert_array_equal(host(samples.sum(-1)), np.ones(4000))
    frequencies = host(samples.mean(0))
    np.testing.assert_allclose(frequencies, [0.1, 0.2, 0.7], atol=0.03)  # ~4.5 σ at n = 4000
    soft = F.gumbel_softmax(logits[:5], tau=2.0)
    np.testing.assert_allclose(host(soft.sum(-1)), np.ones(5))
    assert (host(soft) > 0).all() and (host(soft) < 1).all()


def test_gumbel_softmax_hard_passes_the_soft_gradient(device):
    logits = on(np.array([[0.5, -1.0, 2.0]]), device)
    weights = on(np.array([1.0, 2.0, 3.0]), device, False)
    mg.manual_seed(3)
    (F.gumbel_softmax(logits, hard=True) * weights).sum().backward()
    hard_grad = host(logits.grad)
    logits.grad = None
    mg.manual_seed(3)  # the same noise: the soft sample the hard one was made from
    (F.gumbel_softmax(logits) * weights).sum().backward()
    np.testing.assert_allclose(hard_grad, host(logits.grad))


# ---------------------------------------------------------------------- optional: PyTorch
def test_same_as_pytorch():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(1).standard_normal((2, 8, 3, 4))
    ours, theirs = mg.tensor(x), torch.tensor(x)
    pairs = [
        (F.rms_norm(ours, (3, 4)), torch.nn.functional.rms_norm(theirs, (3, 4))),
        (
            F.local_response_norm(ours, 3, 0.01, 0.5, 1.5),
            torch.nn.functional.local_response_norm(theirs, 3, 0.01, 0.5, 1.5),
        ),
        (F.pixel_shuffle(ours, 2), torch.nn.functional.pixel_shuffle(theirs, 2)),
        (
            F.pixel_unshuffle(ours[..., :2, :], 2),
            torch.nn.functional.pixel_unshuffle(theirs[..., :2, :], 2),
        ),
        (nn.Softmax2d()(ours), torch.nn.Softmax2d()(theirs)),
    ]
    for a, b in pairs:
        np.testing.assert_allclose(a.numpy(), b.numpy(), atol=1e-12)
