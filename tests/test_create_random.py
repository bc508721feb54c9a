"""Random sampling: normal's four overloads, bernoulli, multinomial and the in-place fills.

Distribution checks use large samples and tolerances of about five standard errors, so
they fail only for a wrong distribution (the autouse fixture seeds every test anyway).
"""

from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg


def host(t: mg.Tensor) -> np.ndarray:
    return t.detach().cpu().numpy()


N = 20_000
SE = 5 / np.sqrt(N)  # five standard errors of a mean of N unit-variance samples


# ---------------------------------------------------------------------- normal
def test_normal_with_number_mean_and_std_and_a_size(device):
    x = mg.normal(2.0, 3.0, (N,), device=device)
    assert (x.shape, x.dtype, x.device.type) == ((N,), mg.float32, device)
    assert abs(host(x).mean() - 2.0) < 3 * SE and abs(host(x).std() - 3.0) < 3 * SE
    assert mg.normal(0.0, 1.0, size=(2, 3), dtype=mg.float64).dtype == mg.float64
    with pytest.raises(TypeError, match="size"):
        mg.normal(0.0, 1.0)


def test_normal_with_tensor_mean_and_tensor_std_broadcasts(device):
    mean = mg.tensor([[-5.0], [5.0]], device=device)
    std = mg.tensor([0.5, 1.0, 2.0], device=device)
    x = mg.normal(mean.expand(2, 3).reshape(2, 3, 1).expand(2, 3, N // 10), std[:, None])
    assert x.shape == (2, 3, N // 10) and x.device.type == device
    values = host(x)
    np.testing.assert_allclose(values.mean(axis=2), [[-5.0] * 3, [5.0] * 3], atol=0.1)
    np.testing.assert_allclose(values.std(axis=2), [[0.5, 1.0, 2.0]] * 2, rtol=0.1)
    with pytest.raises(RuntimeError, match="broadcast"):
        mg.normal(mg.zeros(2), mg.ones(3))


def test_normal_with_one_tensor_argument(device):
    x = mg.normal(mg.full((N,), 4.0, dtype=mg.float64, device=device))
    assert x.dtype == mg.float64 and abs(host(x).mean() - 4.0) < SE
    y = mg.normal(1.0, mg.full((N,), 0.1, device=device))
    assert y.dtype == mg.float32 and abs(host(y).std() - 0.1) < 0.1 * SE * 3


def test_normal_errors():
    with pytest.raises(RuntimeError, match="std >= 0"):
        mg.normal(0.0, -1.0, (2,))
    with pytest.raises(RuntimeError, match="std >= 0"):
        mg.normal(mg.zeros(2), mg.tensor([1.0, -1.0]))
    with pytest.raises(RuntimeError, match="floating point"):
        mg.normal(mg.zeros(2, dtype=mg.int64), 1.0)
    with pytest.raises(TypeError, match="size"):
        mg.normal(mg.zeros(2), 1.0, (2,))


def test_normal_samples_are_not_differentiable_leaves():
    mean = mg.zeros(3, requires_grad=True)
    assert not mg.normal(mean, 1.0).requires_grad


def test_generator_makes_samples_reproducible(device):
    def draw(seed):
        g = mg.Generator(device).manual_seed(seed)
        return [
            host(mg.normal(0.0, 1.0, (4,), generator=g, device=device)),
            host(mg.normal(mg.zeros(4, device=device), 1.0, generator=g)),
            host(mg.bernoulli(mg.full((4,), 0.5, device=device), generator=g)),
            host(mg.multinomial(mg.ones(6, device=device), 4, generator=g)),
            host(mg.zeros(4, device=device).normal_(generator=g)),
            host(mg.zeros(4, device=device).uniform_(generator=g)),
            host(mg.zeros(4, device=device).bernoulli_(0.5, generator=g)),
            host(mg.zeros(4, device=device).exponential_(generator=g)),
            host(mg.zeros(4, device=device).random_(100, generator=g)),
            host(mg.rand_like(mg.zeros(4, device=device), generator=g)),
        ]

    first, again, other = draw(1), draw(1), draw(2)
    for a, b in zip(first, again, strict=True):
        np.testing.assert_array_equal(a, b)
    assert any(not np.array_equal(a, b) for a, b in zip(first, other, strict=True))


def test_generator_of_another_device_type_is_refused():
    with pytest.raises(RuntimeError, match="device type for generator"):
        mg.zeros(3, device="cuda").normal_(generator=mg.Generator("cpu"))


# ---------------------------------------------------------------------- bernoulli
def test_bernoulli_takes_probabilities_from_the_tensor(device):
    p = mg.tensor([0.0, 1.0, 0.25], dtype=mg.float64, device=device).reshape(3, 1).expand(3, N)
    x = mg.bernoulli(p)
    assert (x.shape, x.dtype, x.device.type) == ((3, N), mg.float64, device)
    values = host(x)
    assert set(np.unique(values)) <= {0.0, 1.0}
    assert values[0].sum() == 0 and values[1].sum() == N
    assert abs(values[2].mean() - 0.25) < SE


def test_bernoulli_with_p(device):
    x = mg.bernoulli(mg.zeros(N, device=device), p=0.75)
    assert abs(host(x).mean() - 0.75) < SE
    assert host(mg.bernoulli(mg.zeros(5), 1.0)).tolist() == [1.0] * 5


def test_bernoulli_errors():
    with pytest.raises(RuntimeError, match="0 <= p <= 1"):
        mg.bernoulli(mg.tensor([1.5]))
    with pytest.raises(RuntimeError, match="0 <= p <= 1"):
        mg.bernoulli(mg.tensor([float("nan")]))
    with pytest.raises(RuntimeError, match="0 <= p <= 1"):
        mg.zeros(2).bernoulli_(-0.1)
    with pytest.raises(TypeError, match="floating point"):
        mg.bernoulli(mg.tensor([1, 0]))


def test_bernoulli_in_place_with_a_tensor_of_probabilities(device):
    p = mg.tensor([0.0, 1.0], device=device)
    x = mg.full((2,), 7, dtype=mg.int64, device=device).bernoulli_(p)
    assert x.tolist() == [0, 1] and x.dtype == mg.int64


# ---------------------------------------------------------------------- multinomial
def test_multinomial_with_replacement_follows_the_weights(device):
    weights = mg.tensor([1.0, 0.0, 3.0], device=device)
    x = mg.multinomial(weights, N, replacement=True)
    assert (x.shape, x.dtype, x.device.type) == ((N,), mg.int64, device)
    counts = np.bincount(host(x), minlength=3) / N
    assert counts[1] == 0
    np.testing.assert_allclose(counts, [0.25, 0.0, 0.75], atol=3 * SE)


def test_multinomial_without_replacement_draws_distinct_categories(device):
    x = mg.multinomial(mg.tensor([[1.0, 2.0, 3.0, 4.0]] * 3, device=device), 4)
    assert x.shape == (3, 4)
    for row in host(x):
        assert sorted(row.tolist()) == [0, 1, 2, 3]
    # zero weights are drawn only after every positive one
    assert sorted(mg.multinomial(mg.tensor([0.0, 5.0, 1.0]), 2).tolist()) == [1, 2]
    assert mg.multinomial(mg.tensor([0.0, 5.0, 1.0]), 3).tolist()[-1] == 0


def test_multinomial_without_replacement_first_draw_follows_the_weights():
    weights = mg.tensor([[1.0, 3.0]]).expand(N, 2)
    first = host(mg.multinomial(weights, 2))[:, 0]
    assert abs(first.mean() - 0.75) < SE


@pytest.mark.parametrize(
    ("args", "error", "message"),
    [
        ((mg.ones(2, 2, 2), 1), RuntimeError, "1 or 2 dim"),
        ((mg.ones(3), 4), RuntimeError, "without replacement"),
        ((mg.tensor([-1.0, 2.0]), 1), RuntimeError, "element < 0"),
        ((mg.tensor([float("inf"), 2.0]), 1), RuntimeError, "inf"),
        ((mg.tensor([0.0, 0.0]), 1), RuntimeError, "sum of probabilities"),
        ((mg.ones(3), 0), RuntimeError, "n_sample <= 0"),
        ((mg.ones(3), 1.5), TypeError, "num_samples"),
        ((mg.tensor([1, 2]), 1), RuntimeError, "floating"),
    ],
)
def test_multinomial_errors(args, error, message):
    with pytest.raises(error, match=message):
        mg.multinomial(*args)


# ---------------------------------------------------------------------- in-place fills
def test_uniform_and_normal_fills(device):
    x = mg.empty(N, device=device).uniform_(-2.0, 3.0)
    values = host(x)
    assert -2.0 <= values.min() and values.max() < 3.0
    assert abs(values.mean() - 0.5) < 5 * SE * 1.5
    y = mg.empty(N, dtype=mg.float16, device=device).normal_(1.0, 0.5)
    assert y.dtype == mg.float16
    assert abs(host(y).astype(np.float64).mean() - 1.0) < SE
    with pytest.raises(RuntimeError, match="std >= 0"):
        mg.empty(2).normal_(0.0, -1.0)
    with pytest.raises(RuntimeError, match="from"):
        mg.empty(2).uniform_(1.0, 0.0)


def test_exponential_fill(device):
    x = mg.empty(N, dtype=mg.float64, device=device).exponential_(2.0)
    values = host(x)
    assert values.min() >= 0 and abs(values.mean() - 0.5) < 0.5 * SE
    with pytest.raises(RuntimeError, match="lambda > 0"):
        mg.empty(2).exponential_(0.0)


def test_random_fill_ranges(device):
    ints = mg.empty(N, dtype=mg.int64, device=device)
    assert set(host(ints.random_(3, 7)).tolist()) == {3, 4, 5, 6}
    assert set(host(ints.random_(2)).tolist()) == {0, 1}
    assert set(host(ints.random_(**{"from": 5, "to": 7})).tolist()) == {5, 6}
    u8 = host(mg.empty(N, dtype=mg.uint8, device=device).random_())
    assert u8.min() == 0 and u8.max() == 255
    floats = host(mg.empty(N, device=device).random_())
    assert floats.min() >= 0 and floats.max() <= 2**24 and np.all(floats == np.round(floats))
    assert floats.max() > 2**23
    with pytest.raises(RuntimeError, match="from"):
        ints.random_(5, 3)


def test_fills_of_a_leaf_that_requires_grad_need_no_grad():
    w = mg.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf"):
        w.normal_()
    with mg.no_grad():
        w.normal_()
    assert w.requires_grad and w.is_leaf and w._version == 1
