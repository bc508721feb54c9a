"""minigrad.Generator (torch.Generator) and the generator= argument of the random functions."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad


def host(t):
    return t.cpu().numpy()


def draws(device, generator):
    return [
        host(minigrad.rand(3, generator=generator, device=device)),
        host(minigrad.randn(2, 2, generator=generator, device=device)),
        host(minigrad.randint(0, 100, (4,), generator=generator, device=device)),
        host(minigrad.randperm(6, generator=generator, device=device)),
    ]


def test_seeded_generators_reproduce_and_leave_the_global_stream_alone(device):
    minigrad.manual_seed(0)
    expected_global = host(minigrad.rand(3, device=device))
    minigrad.manual_seed(0)
    a = draws(device, minigrad.Generator(device).manual_seed(7))
    b = draws(device, minigrad.Generator(device).manual_seed(7))
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)
    np.testing.assert_array_equal(host(minigrad.rand(3, device=device)), expected_global)
    c = draws(device, minigrad.Generator(device).manual_seed(8))
    assert not np.array_equal(a[0], c[0])
    assert sorted(a[3].tolist()) == list(range(6))


def test_manual_seed_returns_self_and_initial_seed():
    g = minigrad.Generator()
    assert g.initial_seed() == 67280421310721  # torch.Generator's default seed
    assert g.manual_seed(5) is g and g.initial_seed() == 5
    assert g.manual_seed(-1).initial_seed() == 2**64 - 1  # taken modulo 2**64, as PyTorch
    new = g.seed()
    assert g.initial_seed() == new
    with pytest.raises(TypeError, match="int seed"):
        g.manual_seed(1.5)


def test_get_state_and_set_state(device):
    g = minigrad.Generator(device).manual_seed(3)
    minigrad.randn(5, generator=g, device=device)  # move the stream on
    state = g.get_state()
    assert state.dtype == np.uint8 and state.device == "cpu"
    first = draws(device, g)
    other = minigrad.Generator(device).set_state(state)
    assert other.initial_seed() == 3
    for x, y in zip(first, draws(device, other), strict=True):
        np.testing.assert_array_equal(x, y)
    with pytest.raises(TypeError, match="uint8"):
        g.set_state(minigrad.zeros(3))
    with pytest.raises(RuntimeError, match="bytes"):
        g.set_state(minigrad.zeros(3, dtype=minigrad.uint8))


def test_generator_errors():
    cuda = minigrad.Generator("cuda")
    assert cuda.device == "cuda"
    with pytest.raises(RuntimeError, match="Expected a 'cpu' device type for generator but found"):
        minigrad.randn(2, generator=cuda)
    with pytest.raises(TypeError, match="minigrad.Generator"):
        minigrad.randperm(3, generator=np.random.default_rng(0))
