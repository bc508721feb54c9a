"""``minigrad.nn.init``: gains, fans, the distributions of every initialiser, seeding,
and seed 002's "Xavier / He" lesson on activation histograms."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import minigrad
import minigrad.nn as nn
from minigrad.backend import to_host

FAST = settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def host(t):
    return to_host(t._array)


# ----------------------------------------------------------------------------- gains and fans
def test_calculate_gain_table():
    gain = nn.init.calculate_gain
    assert gain("linear") == gain("conv2d") == gain("sigmoid") == 1.0
    assert gain("tanh") == pytest.approx(5 / 3)
    assert gain("relu") == pytest.approx(math.sqrt(2))
    assert gain("leaky_relu") == pytest.approx(math.sqrt(2 / (1 + 0.01**2)))
    assert gain("leaky_relu", 0.2) == pytest.approx(math.sqrt(2 / 1.04))
    assert gain("leaky_relu", 0) == pytest.approx(math.sqrt(2))
    assert gain("selu") == 0.75
    with pytest.raises(ValueError, match="Unsupported nonlinearity"):
        gain("swish")
    with pytest.raises(ValueError, match="negative_slope"):
        gain("leaky_relu", "0.1")


def test_fans_follow_pytorch():
    fans = nn.init._calculate_fan_in_and_fan_out
    assert fans(minigrad.zeros(30, 20)) == (20, 30)
    assert fans(minigrad.zeros(8, 4, 3, 3)) == (36, 72)
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        nn.init.xavier_uniform_(minigrad.zeros(5))
    with pytest.raises(ValueError, match="fan_in, fan_out"):
        nn.init.kaiming_normal_(minigrad.zeros(5, 5), mode="fan_avg")


# ----------------------------------------------------------------------------- distributions
SHAPE = (300, 200)  # 60,000 samples: the sample std is within ~0.3% of the true one


def std_of(tensor):
    return float(host(tensor).std())


@FAST
@given(gain=st.sampled_from([1.0, 5 / 3, math.sqrt(2)]),
       shape=st.sampled_from([(300, 200), (200, 100, 3)]))  # fmt: skip
def test_xavier(device, gain, shape):
    fan_in = shape[1] * math.prod(shape[2:])
    fan_out = shape[0] * math.prod(shape[2:])
    std = gain * math.sqrt(2 / (fan_in + fan_out))
    w = minigrad.empty(*shape, device=device)
    assert nn.init.xavier_uniform_(w, gain=gain) is w
    assert np.abs(host(w)).max() <= math.sqrt(3) * std * (1 + 1e-6)
    assert std_of(w) == pytest.approx(std, rel=0.03)
    nn.init.xavier_normal_(w, gain=gain)
    assert std_of(w) == pytest.approx(std, rel=0.03)
    assert abs(float(host(w).mean())) < 0.05 * std


@FAST
@given(a=st.sampled_from([0.0, 0.01, 0.2, math.sqrt(5)]),
       mode=st.sampled_from(["fan_in", "fan_out"]),
       nonlinearity=st.sampled_from(["leaky_relu", "relu", "tanh", "linear"]))  # fmt: skip
def test_kaiming(device, a, mode, nonlinearity):
    fan = SHAPE[1] if mode == "fan_in" else SHAPE[0]
    gain = nn.init.calculate_gain(nonlinearity, a)
    std = gain / math.sqrt(fan)
    w = nn.Parameter(minigrad.empty(*SHAPE, device=device))  # in place on a Parameter, grad on
    assert nn.init.kaiming_uniform_(w, a=a, mode=mode, nonlinearity=nonlinearity) is w
    assert w.requires_grad and w.device == device
    assert np.abs(host(w)).max() <= math.sqrt(3) * std * (1 + 1e-6)
    assert std_of(w) == pytest.approx(std, rel=0.03)
    nn.init.kaiming_normal_(w, a=a, mode=mode, nonlinearity=nonlinearity)
    assert std_of(w) == pytest.approx(std, rel=0.03)


def test_kaiming_leaky_relu_default_and_he_relu():
    w = minigrad.empty(*SHAPE)
    nn.init.kaiming_normal_(w)  # leaky_relu with a = 0: He's √2 / √fan_in
    assert std_of(w) == pytest.approx(math.sqrt(2 / SHAPE[1]), rel=0.03)
    nn.init.kaiming_uniform_(w, nonlinearity="relu")
    assert np.abs(host(w)).max() <= math.sqrt(6 / SHAPE[1]) + 1e-7


def test_basic_fills(device):
    w = nn.Parameter(minigrad.empty(*SHAPE, device=device))
    data_before = w._array
    assert nn.init.uniform_(w, -2.0, 3.0) is w
    values = host(w)
    assert values.min() >= -2.0 and values.max() < 3.0
    assert values.mean() == pytest.approx(0.5, abs=0.05)
    assert w._array is data_before  # in place
    nn.init.normal_(w, mean=1.0, std=0.5)
    assert host(w).mean() == pytest.approx(1.0, abs=0.01)
    assert std_of(w) == pytest.approx(0.5, rel=0.03)
    nn.init.constant_(w, 0.25)
    assert (host(w) == 0.25).all()
    nn.init.zeros_(w)
    assert not host(w).any()
    nn.init.ones_(w)
    assert (host(w) == 1).all()
    e = nn.init.eye_(minigrad.empty(3, 4, device=device))
    np.testing.assert_array_equal(host(e), np.eye(3, 4))
    assert w.grad is None and w.grad_fn is None  # no graph was recorded


@pytest.mark.parametrize("name", ["uniform_", "normal_", "xavier_uniform_", "xavier_normal_",
                                  "kaiming_uniform_", "kaiming_normal_"])  # fmt: skip
def test_initialisers_are_seeded(device, name):
    fn = getattr(nn.init, name)
    draws = []
    for seed in (5, 5, 6):
        minigrad.manual_seed(seed)
        draws.append(host(fn(minigrad.empty(20, 10, device=device))).copy())
    np.testing.assert_array_equal(draws[0], draws[1])
    assert not np.array_equal(draws[1], draws[2])


def test_float64_parameters_are_filled_in_float64(device):
    w = minigrad.empty(50, 40, dtype=minigrad.float64, device=device)
    nn.init.xavier_normal_(w)
    assert w.dtype == minigrad.float64 and w.device == device


# ------------------------------------------------------------------------ seed 002: Xavier / He
def layer_activations(init, activation, device, layers=5, nodes=100, samples=1000):
    """The book's experiment: N(0, 1) inputs through ``layers`` bias-free layers of ``nodes``."""
    minigrad.manual_seed(0)
    x = minigrad.randn(samples, nodes, device=device)
    out = []
    with minigrad.no_grad():
        for _ in range(layers):
            layer = nn.Linear(nodes, nodes, bias=False, device=device)
            init(layer.weight)
            x = activation(layer(x))
            out.append(host(x))
    return out


def histogram(a):
    counts, _ = np.histogram(a, bins=30, range=(0.0, 1.0))
    return counts / a.size


def test_seed_002_sigmoid_activations_with_std_1_pile_up_at_0_and_1(device):
    for a in layer_activations(lambda w: nn.init.normal_(w, std=1.0), nn.Sigmoid(), device):
        h = histogram(a)
        assert h[0] + h[-1] > 0.5  # most activations in the outermost bins: vanishing gradients
        assert h[14] + h[15] < 0.05
        assert a.std() > 0.4


def test_seed_002_sigmoid_activations_with_std_001_pile_up_at_half(device):
    for a in layer_activations(lambda w: nn.init.normal_(w, std=0.01), nn.Sigmoid(), device):
        h = histogram(a)
        assert h[14] + h[15] > 0.8  # all alike: little expressive power
        assert h[0] + h[-1] == 0
        assert np.abs(a - 0.5).max() < 0.15 and a.std() < 0.03


@pytest.mark.parametrize("init", [nn.init.xavier_normal_, nn.init.xavier_uniform_])
def test_seed_002_sigmoid_activations_with_xavier_stay_spread(device, init):
    for a in layer_activations(init, nn.Sigmoid(), device):
        h = histogram(a)
        assert h[0] + h[-1] < 0.05 and h[14] + h[15] < 0.3
        assert (h >= 0.01).sum() >= 10 and h.max() < 0.25
        assert 0.08 < a.std() < 0.3


def test_seed_002_relu_activations_with_he_keep_their_scale(device):
    he = layer_activations(lambda w: nn.init.kaiming_normal_(w, nonlinearity="relu"),
                           nn.ReLU(), device)  # fmt: skip
    stds = [a.std() for a in he]
    assert all(0.5 < s / stds[0] < 2 for s in stds)
    small = [a.std() for a in layer_activations(lambda w: nn.init.normal_(w, std=0.01),
                                                nn.ReLU(), device)]  # fmt: skip
    assert small[-1] < 1e-4 * small[0]  # std 0.01: the signal dies out layer by layer
    xavier = [a.std() for a in layer_activations(nn.init.xavier_normal_, nn.ReLU(), device)]
    assert xavier[-1] < 0.5 * xavier[0]  # Xavier (made for tanh/sigmoid) shrinks under ReLU
