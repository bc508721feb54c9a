"""Transposed convolution: the adjoint of conv2d (an exact oracle), gradients to the second
order, the layers' shapes, parameters and errors."""

from __future__ import annotations

import numpy as np
import pytest
from engine_helpers import host, on

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn

CASES = [  # (C_in, C_out, kernel, stride, padding, dilation, groups)
    (2, 3, (3, 3), (1, 1), (0, 0), (1, 1), 1),
    (4, 2, (3, 2), (2, 1), (1, 0), (1, 1), 2),
    (2, 2, (2, 2), (2, 2), (1, 1), (2, 1), 1),
]


@pytest.mark.parametrize("case", CASES)
def test_it_is_the_adjoint_of_conv2d(case, device):
    """<conv2d(x, W), y> = <x, conv_transpose2d(y, W)> for every x and y: the definition."""
    c_in, c_out, kernel, stride, padding, dilation, groups = case
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, c_in, 7, 6))
    w = rng.standard_normal((c_out, c_in // groups, *kernel))
    forward = F.conv2d(
        on(x, device, False), on(w, device, False), None, stride, padding, dilation, groups
    )
    y = rng.standard_normal(forward.shape)
    # the output_padding that gives back the input's 7×6 (the forward's rounding lost it)
    extra = tuple(
        size
        - (
            (forward.shape[2 + a] - 1) * stride[a]
            - 2 * padding[a]
            + dilation[a] * (kernel[a] - 1)
            + 1
        )
        for a, size in enumerate((7, 6))
    )
    back = F.conv_transpose2d(
        on(y, device, False), on(w, device, False), None, stride, padding, extra, groups, dilation
    )
    assert back.shape == x.shape
    np.testing.assert_allclose((host(forward) * y).sum(), (x * host(back)).sum(), rtol=1e-10)


@pytest.mark.parametrize("case", CASES)
def test_gradients(case, device):
    c_in, c_out, kernel, stride, padding, dilation, groups = case
    rng = np.random.default_rng(1)
    x = on(rng.standard_normal((1, c_in, 3, 3)), device)
    w = on(rng.standard_normal((c_in, c_out // groups, *kernel)), device)
    b = on(rng.standard_normal(c_out), device)

    def f(x, w, b):
        return F.conv_transpose2d(x, w, b, stride, padding, 0, groups, dilation)

    assert mg.gradcheck(f, [x, w, b])
    assert mg.gradgradcheck(f, [x, w, b])


def test_layers(device):
    layer = nn.ConvTranspose2d(4, 6, (3, 2), stride=2, padding=1, output_padding=1, groups=2)
    layer = layer.to(device)
    assert layer.weight.shape == (4, 3, 3, 2) and layer.bias.shape == (6,)
    assert repr(layer) == (
        "ConvTranspose2d(4, 6, kernel_size=(3, 2), stride=(2, 2), padding=(1, 1), "
        "output_padding=(1, 1), groups=2)"
    )
    out = layer(mg.randn(2, 4, 5, 5, device=device))
    assert out.shape == (2, 6, 10, 9)  # (5 - 1)·2 - 2·1 + (k - 1) + 1 + 1
    up = nn.ConvTranspose2d(3, 2, 3, stride=2).to(device)
    assert up(mg.zeros(1, 3, 4, 4, device=device), output_size=(10, 10)).shape == (1, 2, 10, 10)
    assert up(mg.zeros(3, 4, 4, device=device)).shape == (2, 9, 9)
    line = nn.ConvTranspose1d(3, 2, 4, stride=2, padding=1).to(device)
    assert line(mg.randn(2, 3, 7, device=device)).shape == (2, 2, 14)
    with pytest.raises(RuntimeError, match="channels"):
        layer(mg.randn(2, 5, 5, 5, device=device))
    with pytest.raises(RuntimeError, match="output padding"):
        nn.ConvTranspose2d(1, 1, 3, stride=1, output_padding=1)(mg.zeros(1, 1, 3, 3))


def test_matches_pytorch():
    torch = pytest.importorskip("torch")
    theirs = torch.nn.ConvTranspose2d(
        4, 6, (3, 2), stride=2, padding=1, output_padding=1, groups=2
    ).double()
    ours = nn.ConvTranspose2d(
        4, 6, (3, 2), stride=2, padding=1, output_padding=1, groups=2
    ).double()
    ours.load_state_dict({k: mg.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((2, 4, 5, 5))
    np.testing.assert_allclose(
        host(ours(mg.tensor(x))), theirs(torch.tensor(x)).detach().numpy(), rtol=1e-12, atol=1e-12
    )
