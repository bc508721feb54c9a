"""Channel dropout: F.dropout1d / F.dropout2d and nn.Dropout1d / nn.Dropout2d."""

from __future__ import annotations

import numpy as np
import pytest
from engine_helpers import host

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn


def channel_masks(out: np.ndarray, x: np.ndarray, p: float) -> np.ndarray:
    """Check every channel is either all zero or all x / (1 - p); return which were kept."""
    flat_out = out.reshape(out.shape[0], out.shape[1], -1)
    flat_x = x.reshape(flat_out.shape)
    kept = np.all(np.isclose(flat_out, flat_x / (1 - p)), axis=2)
    dropped = np.all(flat_out == 0, axis=2)
    assert np.all(kept | dropped)
    return kept


@pytest.mark.parametrize("p", [0.2, 0.5, 0.8])
def test_dropout2d_zeroes_whole_channels_at_rate_p(device, p):
    x = mg.rand(200, 50, 2, 3, device=device) + 1.0  # no zeros of its own
    layer = nn.Dropout2d(p)
    out = layer(x)
    kept = channel_masks(host(out), host(x), p)
    assert abs((1 - kept.mean()) - p) < 0.03  # 10,000 channels: std of the rate ≈ 0.005
    layer.eval()
    assert layer(x) is x
    assert repr(layer) == f"Dropout2d(p={p}, inplace=False)"


def test_dropout2d_gradient_is_the_mask(device):
    x = mg.randn(4, 6, 3, 3, device=device, requires_grad=True)
    out = F.dropout2d(x, 0.5)
    out.sum().backward()
    kept = channel_masks(host(out), host(x.detach()), 0.5)
    expected = np.broadcast_to(kept[:, :, None, None] * 2.0, x.shape)
    np.testing.assert_array_equal(host(x.grad), expected)


def test_dropout1d_batched_unbatched_and_inplace(device):
    x = mg.rand(30, 20, 5, device=device) + 1.0
    channel_masks(host(nn.Dropout1d(0.3)(x)), host(x), 0.3)
    single = F.dropout1d(x[0], 0.3)
    assert single.shape == (20, 5)
    channel_masks(host(single)[None], host(x[0])[None], 0.3)
    y = x.clone()
    assert F.dropout1d(y, 0.5, inplace=True) is y
    channel_masks(host(y), host(x), 0.5)
    with pytest.raises(RuntimeError, match="dropout1d: Expected 2D or 3D input, but received a 4D"):
        F.dropout1d(mg.randn(2, 3, 4, 5))
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1"):
        nn.Dropout1d(1.5)
    assert F.dropout1d(x, 0.5, training=False) is x


def test_dropout2d_warns_as_pytorch_for_3d_and_2d_inputs():
    with pytest.warns(UserWarning, match="assuming that channel-wise 1D dropout"):
        out = F.dropout2d(mg.ones(2, 3, 4))
    channel_masks(out.numpy(), np.ones((2, 3, 4)), 0.5)
    with pytest.warns(UserWarning, match="Received a 2-D input to dropout2d"):
        F.dropout2d(mg.ones(2, 3))
    assert F.dropout2d(mg.ones(2, 3, 4, 5), p=1.0).sum().item() == 0
