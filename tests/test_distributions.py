"""minigrad.distributions, as torch.distributions: values against closed forms (and
against torch where installed), gradients, sampling statistics, seeds, shapes,
validation errors, KL divergences, and the REINFORCE / VAE patterns end to end.

Sampling checks use 20k draws and tolerances of about five standard errors, so they
fail only for a wrong distribution (the autouse fixture seeds every test anyway).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad as mg
from minigrad.distributions import (
    Bernoulli,
    Categorical,
    Distribution,
    Normal,
    OneHotCategorical,
    Uniform,
    constraints,
    kl_divergence,
    register_kl,
)
from minigrad.distributions import kl as kl_module

N = 20_000
SE = 5 / math.sqrt(N)  # five standard errors of a mean of N unit-variance samples
LOG_2PI = math.log(2 * math.pi)


def host(t: mg.Tensor) -> np.ndarray:
    return t.detach().cpu().numpy()


def t64(values, device="cpu", requires_grad=False) -> mg.Tensor:
    return mg.tensor(values, dtype=mg.float64, device=device, requires_grad=requires_grad)


def softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


# ---------------------------------------------------------------------- package
def test_importable_as_a_submodule_and_an_attribute():
    import minigrad.distributions as dist

    assert mg.distributions is dist
    assert dist.Normal is Normal and dist.kl_divergence is kl_divergence
    assert set(dist.__all__) >= {"Categorical", "Bernoulli", "Normal", "Uniform"}


def test_every_public_name_has_a_docstring():
    import minigrad.distributions as dist

    for name in dist.__all__:
        obj = getattr(dist, name)
        assert obj.__doc__ and obj.__doc__.strip(), name
    for cls in (Normal, Bernoulli, Categorical, Uniform, OneHotCategorical):
        for method in ("log_prob", "entropy"):
            assert getattr(cls, method).__doc__, f"{cls.__name__}.{method}"


# ---------------------------------------------------------------------- Normal
def test_normal_values_against_closed_forms(device):
    loc = t64([0.0, 1.5, -2.0], device)
    scale = t64([1.0, 0.5, 3.0], device)
    x = t64([0.3, 1.0, 4.0], device)
    m = Normal(loc, scale)
    mu, sigma, xs = host(loc), host(scale), host(x)
    expected = -((xs - mu) ** 2) / (2 * sigma**2) - np.log(sigma) - 0.5 * LOG_2PI
    np.testing.assert_allclose(host(m.log_prob(x)), expected, rtol=1e-12)
    np.testing.assert_allclose(host(m.entropy()), 0.5 + 0.5 * LOG_2PI + np.log(sigma))
    np.testing.assert_allclose(host(m.mean), mu)
    np.testing.assert_allclose(host(m.mode), mu)
    np.testing.assert_allclose(host(m.variance), sigma**2)
    np.testing.assert_allclose(host(m.stddev), sigma)
    erf = np.vectorize(math.erf)
    np.testing.assert_allclose(host(m.cdf(x)), 0.5 * (1 + erf((xs - mu) / (sigma * 2**0.5))))
    np.testing.assert_allclose(host(m.perplexity()), np.exp(host(m.entropy())))
    assert m.log_prob(x).device.type == device and m.has_rsample


@given(
    loc=st.floats(-10, 10),
    scale=st.floats(0.01, 10),
    x=st.floats(-20, 20),
)
def test_normal_log_prob_matches_the_formula_for_any_numbers(loc, scale, x):
    m = Normal(t64(loc), t64(scale))
    expected = -((x - loc) ** 2) / (2 * scale**2) - math.log(scale) - 0.5 * LOG_2PI
    assert m.log_prob(t64(x)).item() == pytest.approx(expected, rel=1e-9, abs=1e-9)


def test_normal_rsample_is_loc_plus_scale_times_noise_and_differentiable(device):
    loc = mg.tensor([1.0, -1.0], device=device, requires_grad=True)
    scale = mg.tensor([2.0, 0.5], device=device, requires_grad=True)
    mg.manual_seed(7)
    z = Normal(loc, scale).rsample((3,))
    mg.manual_seed(7)
    eps = mg.randn((3, 2), device=device)
    np.testing.assert_allclose(host(z), host(loc + eps * scale), rtol=1e-6)
    z.sum().backward()
    np.testing.assert_allclose(host(loc.grad), [3.0, 3.0])
    np.testing.assert_allclose(host(scale.grad), host(eps).sum(0), rtol=1e-5)


def test_sample_is_outside_the_graph(device):
    loc = mg.tensor([0.0, 1.0], device=device, requires_grad=True)
    for m in (Normal(loc, 1.0), Uniform(loc, loc + 1), Bernoulli(logits=loc)):
        s = m.sample((4,))
        assert not s.requires_grad and s.grad_fn is None
    assert Normal(loc, 1.0).rsample().requires_grad


def test_normal_sampling_statistics(device):
    m = Normal(mg.tensor([-3.0, 2.0], device=device), mg.tensor([0.5, 4.0], device=device))
    x = host(m.sample((N,)))
    assert x.shape == (N, 2)
    np.testing.assert_allclose(x.mean(0), [-3.0, 2.0], atol=SE * 4.0)
    np.testing.assert_allclose(x.std(0), [0.5, 4.0], rtol=0.03)


# ---------------------------------------------------------------------- Uniform
def test_uniform_values_and_sampling(device):
    low, high = t64([0.0, -2.0], device), t64([1.0, 6.0], device)
    m = Uniform(low, high)
    width = np.array([1.0, 8.0])
    np.testing.assert_allclose(host(m.log_prob(t64([0.5, 5.9], device))), -np.log(width))
    np.testing.assert_allclose(host(m.entropy()), np.log(width))
    np.testing.assert_allclose(host(m.mean), [0.5, 2.0])
    np.testing.assert_allclose(host(m.variance), width**2 / 12)
    np.testing.assert_allclose(host(m.stddev), width / math.sqrt(12))
    assert np.isnan(host(m.mode)).all()
    np.testing.assert_allclose(host(m.cdf(t64([0.25, 5.0], device))), [0.25, 7 / 8])
    clamped = Uniform(low, high, validate_args=False).cdf(t64([-1.0, 10.0], device))
    np.testing.assert_allclose(host(clamped), [0.0, 1.0])
    np.testing.assert_allclose(host(m.icdf(t64([0.25, 0.5], device))), [0.25, 2.0])
    x = host(m.sample((N,)))
    assert (x >= host(low)).all() and (x < host(high)).all()
    assert (np.abs(x.mean(0) - [0.5, 2.0]) < SE * width).all()
    np.testing.assert_allclose(x.var(0), width**2 / 12, rtol=0.05)


def test_uniform_log_prob_is_minus_infinity_outside_without_validation(device):
    m = Uniform(mg.tensor(0.0, device=device), 2.0, validate_args=False)
    out = host(m.log_prob(mg.tensor([-1.0, 0.0, 1.0, 2.0, 3.0], device=device)))
    np.testing.assert_allclose(out, [-np.inf, -math.log(2), -math.log(2), -np.inf, -np.inf])


def test_uniform_rsample_gradients(device):
    low = mg.tensor([1.0], device=device, requires_grad=True)
    high = mg.tensor([3.0], device=device, requires_grad=True)
    mg.manual_seed(1)
    z = Uniform(low, high).rsample((5,))
    mg.manual_seed(1)
    u = host(mg.rand((5, 1), device=device))
    z.sum().backward()
    np.testing.assert_allclose(host(low.grad), [(1 - u).sum()], rtol=1e-5)
    np.testing.assert_allclose(host(high.grad), [u.sum()], rtol=1e-5)


# ---------------------------------------------------------------------- Bernoulli
def test_bernoulli_values_against_closed_forms(device):
    p = np.array([0.1, 0.5, 0.8])
    for m in (Bernoulli(probs=t64(p, device)), Bernoulli(logits=t64(np.log(p / (1 - p)), device))):
        np.testing.assert_allclose(host(m.probs), p)
        np.testing.assert_allclose(host(m.logits), np.log(p / (1 - p)), atol=1e-12)
        for k in (0.0, 1.0):
            value = t64([k] * 3, device)
            expected = k * np.log(p) + (1 - k) * np.log(1 - p)
            np.testing.assert_allclose(host(m.log_prob(value)), expected, rtol=1e-12)
        entropy = -p * np.log(p) - (1 - p) * np.log(1 - p)
        np.testing.assert_allclose(host(m.entropy()), entropy, rtol=1e-12)
        np.testing.assert_allclose(host(m.mean), p)
        np.testing.assert_allclose(host(m.variance), p * (1 - p))
        np.testing.assert_equal(host(m.mode), [0.0, np.nan, 1.0])


def test_bernoulli_log_prob_is_stable_for_large_logits(device):
    m = Bernoulli(logits=mg.tensor([-200.0, 200.0], device=device))
    np.testing.assert_allclose(host(m.log_prob(mg.tensor([0.0, 1.0], device=device))), [0, 0])
    np.testing.assert_allclose(host(m.log_prob(mg.tensor([1.0, 0.0], device=device))), [-200] * 2)


def test_bernoulli_sampling_and_support(device):
    m = Bernoulli(mg.tensor([0.0, 0.3, 1.0], device=device))
    x = host(m.sample((N,)))
    assert x.dtype == np.float32 and set(np.unique(x)) <= {0.0, 1.0}
    np.testing.assert_allclose(x.mean(0), [0.0, 0.3, 1.0], atol=SE * 0.5)
    support = m.enumerate_support()
    assert support.shape == (2, 3) and support.dtype == mg.float32
    np.testing.assert_array_equal(host(support), [[0, 0, 0], [1, 1, 1]])
    assert m.enumerate_support(expand=False).shape == (2, 1)


# ---------------------------------------------------------------------- Categorical
def test_categorical_normalises_probs_and_logits(device):
    w = np.array([[1.0, 2.0, 7.0], [5.0, 0.0, 5.0]])
    m = Categorical(probs=t64(w, device))
    np.testing.assert_allclose(host(m.probs), w / w.sum(-1, keepdims=True))
    np.testing.assert_allclose(host(m.logits)[0], np.log(w[0] / 10))
    x = np.array([[0.5, -1.0, 2.0], [0.0, 0.0, 3.0]])
    m = Categorical(logits=t64(x, device))
    np.testing.assert_allclose(host(m.probs), softmax(x))
    np.testing.assert_allclose(host(m.logits), np.log(softmax(x)), atol=1e-12)
    assert m.batch_shape == (2,) and m.event_shape == () and m.param_shape == (2, 3)


def test_categorical_log_prob_entropy_mode(device):
    p = np.array([[0.2, 0.3, 0.5], [0.6, 0.4, 0.0]])
    m = Categorical(t64(p, device))
    value = mg.tensor([2, 1], device=device)
    np.testing.assert_allclose(host(m.log_prob(value)), np.log([0.5, 0.4]))
    entropy = [-(p[0] * np.log(p[0])).sum(), -(p[1, :2] * np.log(p[1, :2])).sum()]
    np.testing.assert_allclose(host(m.entropy()), entropy)  # 0·log 0 counts 0
    np.testing.assert_array_equal(host(m.mode), [2, 0])
    assert m.mode.dtype == mg.int64
    assert np.isnan(host(m.mean)).all() and m.mean.shape == (2,)
    assert np.isnan(host(m.variance)).all()
    # a batch of values broadcasts against the batch of distributions
    both = m.log_prob(mg.tensor([[0], [1]], device=device))
    np.testing.assert_allclose(host(both), np.log([[0.2, 0.6], [0.3, 0.4]]))


def test_categorical_sampling_frequencies(device):
    p = np.array([[0.1, 0.2, 0.0, 0.7], [0.25, 0.25, 0.25, 0.25]])
    m = Categorical(mg.tensor(p, device=device))
    x = m.sample((N,))
    assert x.shape == (N, 2) and x.dtype == mg.int64 and x.device.type == device
    for row in range(2):
        freq = np.bincount(host(x)[:, row], minlength=4) / N
        np.testing.assert_allclose(freq, p[row], atol=SE * 0.5)
    assert (host(x)[:, 0] != 2).all()  # probability 0 is never drawn


def test_categorical_sampling_of_a_large_batch_and_one_sample(device):
    logits = mg.randn(50, 7, device=device)
    m = Categorical(logits=logits)
    x = m.sample()
    assert x.shape == (50,) and ((host(x) >= 0) & (host(x) < 7)).all()
    # a certain event is always drawn, in every row
    one_hot = mg.eye(7, device=device)[[3, 0, 6]]
    np.testing.assert_array_equal(host(Categorical(one_hot).sample((100,))), [[3, 0, 6]] * 100)


def test_categorical_enumerate_support(device):
    m = Categorical(mg.ones(2, 3, 4, device=device))
    support = m.enumerate_support()
    assert support.shape == (4, 2, 3) and support.dtype == mg.int64
    np.testing.assert_array_equal(host(support)[:, 1, 2], [0, 1, 2, 3])
    assert m.enumerate_support(expand=False).shape == (4, 1, 1)
    # the pmf sums to one over the support
    total = m.log_prob(support).exp().sum(0)
    np.testing.assert_allclose(host(total), np.ones((2, 3)), rtol=1e-6)


@given(st.lists(st.floats(-5, 5), min_size=2, max_size=6))
def test_categorical_log_prob_sums_to_one_for_any_logits(logits):
    m = Categorical(logits=t64(logits))
    total = m.log_prob(m.enumerate_support()).exp().sum()
    assert total.item() == pytest.approx(1.0, rel=1e-12)
    assert m.entropy().item() == pytest.approx(-(softmax(np.array(logits)) * host(m.logits)).sum())


# ---------------------------------------------------------------------- OneHotCategorical
def test_one_hot_categorical(device):
    p = np.array([0.2, 0.3, 0.5])
    m = OneHotCategorical(mg.tensor(p.tolist(), device=device))
    assert m.batch_shape == () and m.event_shape == (3,)
    x = m.sample((N,))
    assert x.shape == (N, 3) and x.dtype == mg.float32
    assert (host(x).sum(-1) == 1).all()
    np.testing.assert_allclose(host(x).mean(0), p, atol=SE * 0.5)
    np.testing.assert_allclose(host(m.log_prob(x[:5])), np.log(p[host(x[:5]).argmax(-1)]), 1e-6)
    np.testing.assert_allclose(host(m.entropy()), -(p * np.log(p)).sum(), rtol=1e-6)
    np.testing.assert_allclose(host(m.mean), p, rtol=1e-6)
    np.testing.assert_allclose(host(m.variance), p * (1 - p), rtol=1e-6)
    np.testing.assert_array_equal(host(m.mode), [0, 0, 1])
    np.testing.assert_array_equal(host(m.enumerate_support()), np.eye(3))
    with pytest.raises(ValueError, match="OneHot"):
        m.log_prob(mg.tensor([1.0, 1.0, 0.0], device=device))


# ---------------------------------------------------------------------- shapes and dtypes
def test_shapes_with_sample_shape_and_batch_shape(device):
    loc = mg.zeros(3, 1, device=device)
    scale = mg.ones(4, device=device)
    m = Normal(loc, scale)  # parameters broadcast
    assert m.batch_shape == (3, 4) and m.event_shape == ()
    assert isinstance(m.batch_shape, mg.Size)
    assert m.sample().shape == (3, 4)
    assert m.sample((2,)).shape == (2, 3, 4)
    assert m.rsample(mg.Size([5, 2])).shape == (5, 2, 3, 4)
    assert m.log_prob(mg.zeros(7, 1, 1, device=device)).shape == (7, 3, 4)
    assert m.entropy().shape == (3, 4)
    leaf = mg.zeros(3, 4, device=device, requires_grad=True)
    assert Normal(leaf, 1.0).loc is leaf  # a parameter of the batch shape is kept as given
    with pytest.raises(RuntimeError, match="broadcast"):
        Normal(mg.zeros(3, device=device), mg.ones(4, device=device))
    c = Categorical(logits=mg.zeros(3, 4, 5, device=device))
    assert c.batch_shape == (3, 4) and c.sample((2,)).shape == (2, 3, 4)
    b = Bernoulli(logits=mg.zeros(2, device=device))
    assert b.sample((6, 1)).shape == (6, 1, 2)
    assert Uniform(0.0, mg.ones(2, 2, device=device)).sample((3,)).shape == (3, 2, 2)


def test_scalar_parameters_give_a_scalar_float32_distribution():
    m = Normal(0, 1)
    assert m.batch_shape == () and m.loc.dtype == mg.float32 and m.scale.dtype == mg.float32
    assert m.sample().shape == () and m.sample().dtype == mg.float32
    assert Bernoulli(0.3).probs.dtype == mg.float32 and Uniform(0, 1).low.dtype == mg.float32


def test_parameter_dtype_and_device_are_kept(device):
    loc = mg.tensor([1.0], dtype=mg.float64, device=device)
    m = Normal(loc, 2.0)  # the number takes the tensor's dtype and device
    assert m.scale.dtype == mg.float64 and m.scale.device.type == device
    for dist in (m, Uniform(loc, 3.0), Bernoulli(mg.tensor([0.5], dtype=mg.float64)).expand((1,))):
        s = dist.sample((2,))
        assert s.dtype == mg.float64
    assert m.sample().device.type == device and m.rsample().device.type == device
    assert Uniform(loc, 3.0).sample().device.type == device


def test_expand(device):
    m = Normal(mg.tensor([0.0, 1.0], device=device), 1.0).expand((3, 2))
    assert isinstance(m, Normal) and m.batch_shape == (3, 2) and m.sample().shape == (3, 2)
    c = Categorical(mg.tensor([0.5, 0.5], device=device)).expand([4])
    assert c.batch_shape == (4,) and c.log_prob(
        mg.zeros(4, dtype=mg.int64, device=device)
    ).shape == (4,)
    b = Bernoulli(logits=mg.tensor(0.0, device=device)).expand((2,))
    assert b.sample().shape == (2,) and b._validate_args
    u = Uniform(0.0, 1.0).expand((5,))
    assert u.sample().shape == (5,)
    o = OneHotCategorical(mg.ones(3)).expand((2,))
    assert o.sample().shape == (2, 3)


# ---------------------------------------------------------------------- seeds
def test_sampling_is_reproducible_with_manual_seed(device):
    def draw():
        probs = mg.tensor([0.2, 0.3, 0.5], device=device)
        return [
            host(Normal(mg.zeros(3, device=device), 1.0).sample((4,))),
            host(Normal(mg.zeros(3, device=device), 1.0).rsample()),
            host(Uniform(mg.zeros(3, device=device), 1.0).sample((4,))),
            host(Bernoulli(probs).sample((4,))),
            host(Categorical(probs).sample((4,))),
            host(OneHotCategorical(probs).sample((4,))),
        ]

    mg.manual_seed(123)
    first = draw()
    mg.manual_seed(123)
    second = draw()
    for a, b in zip(first, second, strict=True):
        np.testing.assert_array_equal(a, b)
    mg.manual_seed(124)
    assert not np.array_equal(draw()[0], first[0])


# ---------------------------------------------------------------------- validation
def test_invalid_parameters_raise_value_error_naming_parameter_and_constraint():
    with pytest.raises(ValueError) as info:
        Normal(0, -1)
    assert str(info.value) == (
        "Expected parameter scale (Tensor of shape ()) of distribution "
        "Normal(loc: 0.0, scale: -1.0) to satisfy the constraint "
        "GreaterThan(lower_bound=0.0), but found invalid values:\n-1.0"
    )
    with pytest.raises(ValueError, match=r"parameter loc .* constraint Real\(\)"):
        Normal(mg.tensor([math.nan]), 1.0)
    with pytest.raises(ValueError, match=r"parameter low .* LessThan\(upper_bound=0.0\)"):
        Uniform(1.0, 0.0)
    with pytest.raises(ValueError, match=r"parameter probs .* Interval\(lower_bound=0.0, upper"):
        Bernoulli(probs=1.5)
    with pytest.raises(ValueError, match=r"parameter probs .* Simplex\(\)"):
        Categorical(mg.tensor([-0.5, 1.5]))
    with pytest.raises(ValueError, match=r"parameter logits .* IndependentConstraint\(Real"):
        Categorical(logits=mg.tensor([0.0, math.nan]))


def test_probs_and_logits_exactly_one():
    for cls in (Categorical, Bernoulli, OneHotCategorical):
        with pytest.raises(ValueError, match="Either `probs` or `logits` must be specified"):
            cls()
        with pytest.raises(ValueError, match="but not both"):
            cls(mg.tensor([0.5, 0.5]), mg.tensor([0.0, 0.0]))
    with pytest.raises(ValueError, match="`probs` parameter must be at least one-dimensional"):
        Categorical(mg.tensor(1.0))
    with pytest.raises(ValueError, match="`logits` parameter must be at least one-dimensional"):
        Categorical(logits=mg.tensor(1.0))
    with pytest.raises(ValueError, match="Number or minigrad.Tensor"):
        Normal("0", 1.0)


def test_values_outside_the_support_raise_in_log_prob(device):
    cases = [
        (Normal(0.0, 1.0), mg.tensor(math.nan), "Real()"),
        (Uniform(0.0, 1.0), mg.tensor(1.5), "Interval(lower_bound=0.0, upper_bound=1.0)"),
        (Bernoulli(0.5), mg.tensor(0.5), "Boolean()"),
        (Categorical(mg.ones(3)), mg.tensor(3), "IntegerInterval(lower_bound=0, upper_bound=2)"),
        (Categorical(mg.ones(3)), mg.tensor(-1), "IntegerInterval"),
    ]
    for m, value, support in cases:
        with pytest.raises(
            ValueError, match=r"Expected value argument .* to be within the support"
        ):
            m.log_prob(value)
        with pytest.raises(ValueError) as info:
            m.log_prob(value)
        assert f"({support}" in str(info.value)
    m = Normal(mg.zeros(3, device=device), 1.0)
    with pytest.raises(ValueError, match="The value argument to log_prob must be a Tensor"):
        m.log_prob(0.5)
    with pytest.raises(ValueError, match="Value is not broadcastable with batch_shape"):
        m.log_prob(mg.zeros(2, device=device))
    with pytest.raises(ValueError, match="right-most size of value must match event_shape"):
        OneHotCategorical(mg.ones(3)).log_prob(mg.tensor([1.0, 0.0]))


def test_validation_can_be_turned_off():
    m = Normal(0.0, -1.0, validate_args=False)
    assert np.isnan(m.log_prob(mg.tensor(0.0)).item())
    assert Bernoulli(0.5, validate_args=False).log_prob(mg.tensor(0.5)).item() == pytest.approx(
        math.log(0.5)
    )
    try:
        Distribution.set_default_validate_args(False)
        Normal(0.0, -1.0)  # no error
        assert not Normal(0.0, 1.0)._validate_args
        Normal(0.0, 1.0).log_prob(mg.tensor(math.nan))
        with pytest.raises(ValueError):
            Normal(0.0, -1.0, validate_args=True)
    finally:
        Distribution.set_default_validate_args(True)
    with pytest.raises(ValueError):
        Normal(0.0, -1.0)
    with pytest.raises(ValueError):
        Distribution.set_default_validate_args("yes")  # type: ignore[arg-type]


def test_repr_as_pytorch():
    assert repr(Normal(0.0, 1.0)) == "Normal(loc: 0.0, scale: 1.0)"
    assert (
        repr(Normal(mg.zeros(3), 1.0))
        == "Normal(loc: minigrad.Size([3]), scale: minigrad.Size([3]))"
    )
    assert repr(Uniform(0.0, 2.0)) == "Uniform(low: 0.0, high: 2.0)"
    assert repr(Bernoulli(logits=0.25)) == "Bernoulli(logits: 0.25)"
    assert repr(Categorical(mg.ones(4))) == "Categorical(probs: minigrad.Size([4]))"
    assert repr(constraints.real_vector) == "IndependentConstraint(Real(), 1)"
    assert (
        repr(constraints.integer_interval(0, 4)) == "IntegerInterval(lower_bound=0, upper_bound=4)"
    )


def test_constraints_check():
    x = mg.tensor([-1.0, 0.0, 0.5, 1.0, math.nan])
    np.testing.assert_array_equal(host(constraints.real.check(x)), [1, 1, 1, 1, 0])
    np.testing.assert_array_equal(host(constraints.positive.check(x)), [0, 0, 1, 1, 0])
    np.testing.assert_array_equal(host(constraints.nonnegative.check(x)), [0, 1, 1, 1, 0])
    np.testing.assert_array_equal(host(constraints.unit_interval.check(x)), [0, 1, 1, 1, 0])
    np.testing.assert_array_equal(host(constraints.boolean.check(x)), [0, 1, 0, 1, 0])
    half_open = constraints.half_open_interval(0.0, 1.0)
    np.testing.assert_array_equal(host(half_open.check(x)), [0, 1, 1, 0, 0])
    simplex = mg.tensor([[0.2, 0.8], [0.5, 0.6], [-0.1, 1.1]])
    np.testing.assert_array_equal(host(constraints.simplex.check(simplex)), [1, 0, 0])
    one_hot = mg.tensor([[0.0, 1.0], [1.0, 1.0]])
    np.testing.assert_array_equal(host(constraints.one_hot.check(one_hot)), [1, 0])
    assert constraints.is_dependent(constraints.dependent)
    assert constraints.is_dependent(Uniform.support) and Categorical.support.is_discrete
    assert not constraints.is_dependent(constraints.real)
    with pytest.raises(ValueError, match="dependent"):
        constraints.dependent.check(x)


# ---------------------------------------------------------------------- KL divergence
def test_kl_normal_normal(device):
    p = Normal(t64([0.0, 1.0], device), t64([1.0, 2.0], device))
    q = Normal(t64([1.0, -1.0], device), t64([0.5, 3.0], device))
    mp, sp, mq, sq = [0.0, 1.0], np.array([1.0, 2.0]), [1.0, -1.0], np.array([0.5, 3.0])
    expected = np.log(sq / sp) + (sp**2 + (np.subtract(mp, mq)) ** 2) / (2 * sq**2) - 0.5
    np.testing.assert_allclose(host(kl_divergence(p, q)), expected, rtol=1e-12)
    np.testing.assert_allclose(host(kl_divergence(p, p)), [0.0, 0.0], atol=1e-15)
    # a Monte-Carlo estimate agrees
    x = p.sample((N,))
    estimate = host(p.log_prob(x) - q.log_prob(x)).mean(0)
    np.testing.assert_allclose(estimate, expected, atol=0.05)


def test_kl_categorical_categorical(device):
    p, q = np.array([0.2, 0.3, 0.5]), np.array([0.4, 0.4, 0.2])
    kl = kl_divergence(Categorical(t64(p, device)), Categorical(t64(q, device)))
    np.testing.assert_allclose(host(kl), (p * np.log(p / q)).sum(), rtol=1e-12)
    zero_in_p = Categorical(t64([0.5, 0.5, 0.0], device))
    np.testing.assert_allclose(
        host(kl_divergence(zero_in_p, Categorical(t64(q, device)))),
        0.5 * np.log(0.5 / 0.4) * 2,
        rtol=1e-12,
    )
    assert host(kl_divergence(Categorical(t64(q, device)), zero_in_p)) == np.inf
    one_hot = kl_divergence(OneHotCategorical(t64(p, device)), OneHotCategorical(t64(q, device)))
    np.testing.assert_allclose(host(one_hot), (p * np.log(p / q)).sum(), rtol=1e-12)


def test_kl_bernoulli_bernoulli(device):
    p, q = np.array([0.1, 0.5, 0.9]), np.array([0.3, 0.5, 0.2])
    kl = kl_divergence(Bernoulli(t64(p, device)), Bernoulli(t64(q, device)))
    expected = p * np.log(p / q) + (1 - p) * np.log((1 - p) / (1 - q))
    np.testing.assert_allclose(host(kl), expected, rtol=1e-10, atol=1e-15)
    edge = kl_divergence(
        Bernoulli(t64([0.0, 1.0, 0.5], device)), Bernoulli(t64([0.5, 0.5, 0.0], device))
    )
    np.testing.assert_allclose(host(edge), [math.log(2), math.log(2), np.inf])


def test_kl_uniform_and_mixed(device):
    p = Uniform(t64([0.0, 0.0], device), t64([1.0, 2.0], device))
    q = Uniform(t64([-1.0, 0.5], device), t64([3.0, 2.0], device))
    np.testing.assert_allclose(host(kl_divergence(p, q)), [math.log(4.0), np.inf])
    n = Normal(t64([0.5, 1.0], device), t64([1.0, 2.0], device))
    assert np.isinf(host(kl_divergence(n, p))).all()
    # KL(U[a, b) ‖ N(μ, σ)) = −log(b − a) − E_U[log N(X; μ, σ)], in closed form
    a, b, mu, sigma = np.array([0.0, 0.0]), np.array([1.0, 2.0]), [0.5, 1.0], np.array([1, 2])
    second_moment = (b - a) ** 2 / 12 + ((a + b) / 2 - mu) ** 2
    expected = -np.log(b - a) + np.log(sigma) + 0.5 * LOG_2PI + second_moment / (2 * sigma**2)
    np.testing.assert_allclose(host(kl_divergence(p, n)), expected, rtol=1e-12)


@given(
    st.lists(st.floats(-4, 4), min_size=3, max_size=3),
    st.lists(st.floats(-4, 4), min_size=3, max_size=3),
)
def test_kl_categorical_is_non_negative(x, y):
    kl = kl_divergence(Categorical(logits=t64(x)), Categorical(logits=t64(y))).item()
    assert kl >= -1e-12
    px, py = softmax(np.array(x)), softmax(np.array(y))
    assert kl == pytest.approx((px * (np.log(px) - np.log(py))).sum(), rel=1e-9, abs=1e-12)


def test_kl_dispatch_registration_and_errors():
    with pytest.raises(
        NotImplementedError,
        match="No KL\\(p \\|\\| q\\) is implemented for p type Bernoulli and q type Normal",
    ):
        kl_divergence(Bernoulli(0.5), Normal(0.0, 1.0))
    with pytest.raises(TypeError, match="Distribution subclass"):
        register_kl(int, Normal)

    class MyNormal(Normal):
        pass

    class Other(Normal):
        pass

    class Both(Other):
        pass

    saved = dict(kl_module._KL_REGISTRY)
    try:
        # a subclass uses its parent's registration until it has its own
        assert kl_divergence(MyNormal(0.0, 1.0), Normal(0.0, 1.0)).item() == 0.0

        @register_kl(MyNormal, Normal)
        def _kl_mine(p, q):
            return mg.tensor(42.0)

        assert kl_divergence(MyNormal(0.0, 1.0), Normal(0.0, 1.0)).item() == 42.0
        assert kl_divergence(Normal(0.0, 1.0), MyNormal(0.0, 1.0)).item() == 0.0

        @register_kl(Normal, Other)
        def _kl_other(p, q):
            return mg.tensor(7.0)

        # (MyNormal, Normal) and (Normal, Other) both match (MyNormal, Both): ambiguous
        with pytest.warns(RuntimeWarning, match=r"Ambiguous kl_divergence\(MyNormal, Both\)"):
            assert kl_divergence(MyNormal(0.0, 1.0), Both(0.0, 1.0)).item() == 42.0
        register_kl(MyNormal, Both)(_kl_other)  # breaking the tie
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert kl_divergence(MyNormal(0.0, 1.0), Both(0.0, 1.0)).item() == 7.0
    finally:
        kl_module._KL_REGISTRY.clear()
        kl_module._KL_REGISTRY.update(saved)
        kl_module._KL_MEMOIZE.clear()


# ---------------------------------------------------------------------- gradients
def test_gradcheck_normal(device):
    loc = t64([0.3, -1.0], device, requires_grad=True)
    scale = t64([0.7, 1.9], device, requires_grad=True)
    x = t64([1.0, 0.5], device)

    def rsample(loc, scale):
        mg.manual_seed(5)
        return Normal(loc, scale).rsample((3,))

    q_loc, q_scale = t64([0.1, 0.2], device), t64([1.3, 0.4], device)
    assert mg.gradcheck(lambda m, s: Normal(m, s).log_prob(x), [loc, scale])
    assert mg.gradcheck(lambda m, s: Normal(m, s).entropy(), [loc, scale])
    assert mg.gradcheck(lambda m, s: Normal(m, s).cdf(x), [loc, scale])
    assert mg.gradcheck(rsample, [loc, scale])
    assert mg.gradcheck(
        lambda m, s: kl_divergence(Normal(m, s), Normal(q_loc, q_scale)), [loc, scale]
    )
    assert mg.gradgradcheck(lambda m, s: Normal(m, s).log_prob(x), [loc, scale])
    assert mg.gradgradcheck(
        lambda m, s: kl_divergence(Normal(q_loc, q_scale), Normal(m, s)), [loc, scale]
    )


def test_gradcheck_uniform(device):
    low = t64([0.0, -1.0], device, requires_grad=True)
    high = t64([1.5, 2.0], device, requires_grad=True)

    def rsample(a, b):
        mg.manual_seed(3)
        return Uniform(a, b).rsample((2,))

    assert mg.gradcheck(lambda a, b: Uniform(a, b).log_prob(t64([0.5, 0.0], device)), [low, high])
    assert mg.gradcheck(lambda a, b: Uniform(a, b).entropy(), [low, high])
    assert mg.gradcheck(rsample, [low, high])
    wide = Uniform(t64([-5.0, -5.0], device), t64([5.0, 5.0], device))
    assert mg.gradcheck(lambda a, b: kl_divergence(Uniform(a, b), wide), [low, high])
    q = Normal(t64([0.5, 0.0], device), t64([1.0, 2.0], device))
    assert mg.gradcheck(lambda a, b: kl_divergence(Uniform(a, b), q), [low, high])


def test_gradcheck_bernoulli(device):
    logits = t64([-1.5, 0.0, 2.0], device, requires_grad=True)
    probs = t64([0.2, 0.5, 0.7], device, requires_grad=True)
    value = t64([1.0, 0.0, 1.0], device)
    q = Bernoulli(t64([0.4, 0.3, 0.9], device))
    for make, param in ((lambda t: Bernoulli(logits=t), logits), (lambda t: Bernoulli(t), probs)):
        assert mg.gradcheck(lambda t, make=make: make(t).log_prob(value), [param])
        assert mg.gradcheck(lambda t, make=make: make(t).entropy(), [param])
        assert mg.gradcheck(lambda t, make=make: kl_divergence(make(t), q), [param])
        assert mg.gradgradcheck(lambda t, make=make: make(t).log_prob(value), [param])
    # the gradient of log σ(x) at x = 0 is ½ (no kink in the softplus)
    x = t64([0.0], device, requires_grad=True)
    Bernoulli(logits=x).log_prob(t64([1.0], device)).sum().backward()
    np.testing.assert_allclose(host(x.grad), [0.5])


def test_gradcheck_categorical(device):
    logits = t64([[0.5, -1.0, 2.0], [0.0, 0.3, -0.2]], device, requires_grad=True)
    probs = t64([[0.2, 0.3, 0.5], [0.6, 0.3, 0.1]], device, requires_grad=True)
    value = mg.tensor([2, 0], device=device)
    q = Categorical(t64([[0.3, 0.3, 0.4], [0.1, 0.1, 0.8]], device))
    for make, param in (
        (lambda t: Categorical(logits=t), logits),
        (lambda t: Categorical(probs=t), probs),
        (lambda t: OneHotCategorical(probs=t), probs),
    ):
        assert mg.gradcheck(lambda t, make=make: make(t).entropy(), [param])
        assert mg.gradgradcheck(lambda t, make=make: make(t).entropy(), [param])
    for make, param in (
        (lambda t: Categorical(logits=t), logits),
        (lambda t: Categorical(t), probs),
    ):
        assert mg.gradcheck(lambda t, make=make: make(t).log_prob(value), [param])
        assert mg.gradcheck(lambda t, make=make: kl_divergence(make(t), q), [param])
        assert mg.gradgradcheck(lambda t, make=make: make(t).log_prob(value), [param])


def test_log_prob_gradient_wrt_probs_is_the_score(device):
    # d/dw log(w_k / Σ w) = e_k / w_k − 1 / Σ w
    w = t64([1.0, 2.0, 5.0], device, requires_grad=True)
    Categorical(w).log_prob(mg.tensor(1, device=device)).backward()
    np.testing.assert_allclose(host(w.grad), [-1 / 8, 1 / 2 - 1 / 8, -1 / 8])


# ---------------------------------------------------------------------- end to end
def test_reinforce_pattern_end_to_end(device):
    """PyTorch's examples/reinforcement_learning/reinforce.py on a two-armed bandit:
    the policy learns to prefer the arm that pays."""
    from minigrad import nn, optim
    from minigrad.nn import functional as F

    class Policy(nn.Module):
        def __init__(self):
            super().__init__()
            self.affine1 = nn.Linear(4, 16)
            self.affine2 = nn.Linear(16, 2)

        def forward(self, x):
            return F.softmax(self.affine2(F.relu(self.affine1(x))), dim=1)

    policy = Policy().to(device)
    optimizer = optim.Adam(policy.parameters(), lr=1e-2)
    state = mg.ones(4, device=device)

    def prob_of_good_arm():
        with mg.no_grad():
            return policy(state.unsqueeze(0))[0, 1].item()

    before = prob_of_good_arm()
    for _ in range(60):
        policy_loss = []
        for _ in range(8):
            probs = policy(state.unsqueeze(0))
            m = Categorical(probs)
            action = m.sample()
            assert action.shape == (1,) and action.dtype == mg.int64
            reward = 1.0 if action.item() == 1 else -1.0
            policy_loss.append(-m.log_prob(action) * reward)
        optimizer.zero_grad()
        loss = mg.cat(policy_loss).sum()
        loss.backward()
        assert policy.affine1.weight.grad is not None
        optimizer.step()
    assert prob_of_good_arm() > max(before, 0.9)


def test_actor_critic_pattern_with_logits_and_entropy_bonus(device):
    logits = mg.zeros(3, 5, device=device, requires_grad=True)
    m = Categorical(logits=logits)
    actions = m.sample()
    advantage = mg.tensor([1.0, -0.5, 2.0], device=device)
    loss = -(m.log_prob(actions) * advantage).mean() - 0.01 * m.entropy().mean()
    loss.backward()
    assert logits.grad.shape == (3, 5)
    assert np.abs(host(logits.grad)).sum() > 0


def test_vae_pattern_rsample_and_kl(device):
    mu = mg.tensor([[0.5, -0.5]], device=device, requires_grad=True)
    log_var = mg.tensor([[0.1, -0.2]], device=device, requires_grad=True)
    std = (0.5 * log_var).exp()
    q = Normal(mu, std)
    z = q.rsample()
    p = Normal(mg.zeros_like(mu), mg.ones_like(std))
    loss = (z**2).sum() + kl_divergence(q, p).sum()
    loss.backward()
    assert mu.grad is not None and log_var.grad is not None
    # the KL term alone has the textbook closed form −½ Σ(1 + log σ² − μ² − σ²)
    kl = kl_divergence(q, p).sum().item()
    lv, m = host(log_var), host(mu)
    assert kl == pytest.approx(-0.5 * (1 + lv - m**2 - np.exp(lv)).sum(), rel=1e-5)


# ---------------------------------------------------------------------- against PyTorch
def test_against_torch():
    torch = pytest.importorskip("torch")
    td = torch.distributions
    rng = np.random.default_rng(0)
    loc, scale = rng.normal(size=4), rng.uniform(0.5, 2.0, size=4)
    x = rng.normal(size=(3, 4))
    probs = rng.dirichlet(np.ones(5), size=4)
    logits = rng.normal(size=(4, 5))
    bern = rng.uniform(0.05, 0.95, size=4)
    low, high = -rng.uniform(size=4), rng.uniform(1, 2, size=4)
    inside = low + (high - low) * rng.uniform(size=(3, 4))

    def same(ours, theirs, **kw):
        np.testing.assert_allclose(host(ours), theirs.detach().numpy(), rtol=1e-10, **kw)

    T = lambda a: torch.tensor(a, dtype=torch.float64)  # noqa: E731
    pairs = [
        (Normal(t64(loc), t64(scale)), td.Normal(T(loc), T(scale)), t64(x), T(x)),
        (
            Uniform(t64(low), t64(high)),
            td.Uniform(T(low), T(high)),
            t64(inside),
            T(inside),
        ),
        (Bernoulli(t64(bern)), td.Bernoulli(T(bern)), t64(x > 0), T(x > 0)),
        (Bernoulli(logits=t64(loc)), td.Bernoulli(logits=T(loc)), t64(x > 0), T(x > 0)),
        (
            Categorical(t64(probs)),
            td.Categorical(T(probs)),
            mg.tensor([0, 4, 2, 1]),
            torch.tensor([0, 4, 2, 1]),
        ),
        (
            Categorical(logits=t64(logits)),
            td.Categorical(logits=T(logits)),
            mg.tensor([[3], [1]]),
            torch.tensor([[3], [1]]),
        ),
    ]
    for ours, theirs, value, tvalue in pairs:
        assert ours.batch_shape == tuple(theirs.batch_shape)
        assert ours.event_shape == tuple(theirs.event_shape)
        assert repr(ours) == repr(theirs).replace("torch.Size", "minigrad.Size")
        same(ours.log_prob(value), theirs.log_prob(tvalue))
        same(ours.entropy(), theirs.entropy())
        same(ours.mean, theirs.mean)
        same(ours.variance, theirs.variance)
        same(ours.stddev, theirs.stddev)
    for a, b in [(0, 1), (2, 3), (4, 5)]:
        ours = kl_divergence(pairs[a][0], pairs[b][0])
        same(ours, td.kl_divergence(pairs[a][1], pairs[b][1]))
    same(kl_divergence(pairs[1][0], pairs[0][0]), td.kl_divergence(pairs[1][1], pairs[0][1]))
    same(pairs[0][0].cdf(t64(x)), pairs[0][1].cdf(T(x)))
    # the same error messages
    for build in (
        lambda lib, tensor: lib.Normal(0.0, -1.0),
        lambda lib, tensor: lib.Uniform(2.0, 1.0),
        lambda lib, tensor: lib.Bernoulli(probs=1.5),
        lambda lib, tensor: lib.Categorical(),
        lambda lib, tensor: lib.Categorical(tensor([-1.0, 2.0])),
    ):
        with pytest.raises(ValueError) as mine:
            build(mg.distributions, mg.tensor)
        with pytest.raises(ValueError) as theirs:
            build(td, torch.tensor)
        assert str(mine.value) == str(theirs.value).replace("torch.Size", "minigrad.Size")
    with pytest.raises(ValueError) as mine:
        Categorical(mg.ones(3)).log_prob(mg.tensor(5))
    with pytest.raises(ValueError) as theirs:
        td.Categorical(torch.ones(3)).log_prob(torch.tensor(5))
    assert str(mine.value) == str(theirs.value).replace("torch.Size", "minigrad.Size")
