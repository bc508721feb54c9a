"""``minigrad.nn.init``: trunc_normal_, orthogonal_, dirac_, sparse_ and ``generator=``."""

from __future__ import annotations

import math

import numpy as np
import pytest

import minigrad
import minigrad.nn as nn
import minigrad.nn.functional as F
from minigrad.backend import to_host


def host(t):
    return to_host(t._array)


def phi(x: float) -> float:
    return math.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)


def Phi(x: float) -> float:
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


def truncated_moments(mean, std, a, b):
    """Mean and std of N(mean, std²) truncated to [a, b] (closed form)."""
    alpha, beta = (a - mean) / std, (b - mean) / std
    z = Phi(beta) - Phi(alpha)
    m = mean + std * (phi(alpha) - phi(beta)) / z
    var = std**2 * (
        1 + (alpha * phi(alpha) - beta * phi(beta)) / z - ((phi(alpha) - phi(beta)) / z) ** 2
    )
    return m, math.sqrt(var)


# a wide window (normal proposals) and a narrow tail window (uniform proposals)
@pytest.mark.parametrize("mean,std,a,b", [(0.0, 1.0, -2.0, 2.0), (0.5, 1.0, -1.0, 1.5),
                                          (0.0, 1.0, 2.0, 3.0), (1.0, 0.1, 0.9, 0.95)])  # fmt: skip
def test_trunc_normal_bounds_and_moments(device, mean, std, a, b):
    w = minigrad.empty(300, 200, device=device)
    assert nn.init.trunc_normal_(w, mean, std, a, b) is w
    x = host(w)
    assert x.min() >= a and x.max() <= b
    m, s = truncated_moments(mean, std, a, b)
    assert float(x.mean()) == pytest.approx(m, abs=0.02 * (b - a))
    assert float(x.std()) == pytest.approx(s, rel=0.03)


def test_trunc_normal_warns_when_mean_far_outside():
    with pytest.warns(UserWarning, match="more than 2 std"):
        nn.init.trunc_normal_(minigrad.empty(10), mean=10.0, std=1.0, a=-1.0, b=1.0)


def test_trunc_normal_matches_torch_distribution():
    torch = pytest.importorskip("torch")
    t = torch.nn.init.trunc_normal_(torch.empty(300, 200), 0.5, 1.0, -1.0, 1.5)
    w = nn.init.trunc_normal_(minigrad.empty(300, 200), 0.5, 1.0, -1.0, 1.5)
    assert float(host(w).mean()) == pytest.approx(float(t.mean()), abs=0.02)
    assert float(host(w).std()) == pytest.approx(float(t.std()), rel=0.03)


@pytest.mark.parametrize("shape", [(5, 12), (12, 5), (8, 8), (4, 3, 2, 2), (30, 3, 2)])
def test_orthogonal(device, shape):
    w = minigrad.empty(*shape, device=device)
    assert nn.init.orthogonal_(w, gain=2.0) is w
    rows = shape[0]
    m = host(w).reshape(rows, -1).astype(np.float64)
    gram = m @ m.T if rows <= m.shape[1] else m.T @ m
    np.testing.assert_allclose(gram, 4.0 * np.eye(gram.shape[0]), atol=1e-4)
    with pytest.raises(ValueError, match="2 or more dimensions"):
        nn.init.orthogonal_(minigrad.empty(4, device=device))


def test_orthogonal_sign_fix_makes_diag_of_r_positive():
    """Q is the Q of a QR whose R has a positive diagonal: Qᵀ A has one."""
    g = minigrad.Generator().manual_seed(5)
    a = minigrad.empty(6, 4).normal_(0.0, 1.0, generator=g)
    g.manual_seed(5)
    q = nn.init.orthogonal_(minigrad.empty(6, 4), generator=g)
    r = host(q).T.astype(np.float64) @ host(a).astype(np.float64)
    assert (np.diag(r) > 0).all()
    np.testing.assert_allclose(np.tril(r, -1), 0, atol=1e-5)


@pytest.mark.parametrize("ndim", [3, 4])  # no conv3d in minigrad
def test_dirac_is_the_identity_convolution(device, ndim):
    k = (3,) * (ndim - 2)
    w = minigrad.empty(4, 4, *k, device=device)
    assert nn.init.dirac_(w) is w
    assert float(host(w).sum()) == 4.0
    x = minigrad.randn(2, 4, *(5,) * (ndim - 2), device=device)
    conv = {3: F.conv1d, 4: F.conv2d}[ndim]
    np.testing.assert_allclose(host(conv(x, w, padding=1)), host(x), atol=1e-6)


def test_dirac_groups_and_errors():
    w = nn.init.dirac_(minigrad.empty(6, 2, 3, 3), groups=2)
    x = minigrad.randn(1, 4, 5, 5)
    y = F.conv2d(x, w, padding=1, groups=2)  # channels 0,1 | 3,4 copy the group's inputs
    np.testing.assert_allclose(host(y)[0, [0, 1, 3, 4]], host(x)[0], atol=1e-6)
    assert np.all(host(y)[0, [2, 5]] == 0)
    w5 = nn.init.dirac_(minigrad.empty(2, 3, 3, 3, 3))
    assert host(w5)[0, 0, 1, 1, 1] == host(w5)[1, 1, 1, 1, 1] == 1 and host(w5).sum() == 2
    with pytest.raises(ValueError, match="3, 4, or 5 dimensions"):
        nn.init.dirac_(minigrad.empty(3, 3))
    with pytest.raises(ValueError, match="divisible by groups"):
        nn.init.dirac_(minigrad.empty(5, 2, 3), groups=2)


def test_dirac_matches_torch():
    torch = pytest.importorskip("torch")
    for shape, groups in [((6, 2, 3, 3), 2), ((3, 5, 4), 1), ((4, 2, 3, 2, 5), 2)]:
        t = torch.nn.init.dirac_(torch.empty(*shape), groups=groups)
        w = nn.init.dirac_(minigrad.empty(*shape), groups=groups)
        np.testing.assert_array_equal(host(w), t.numpy())


def test_sparse(device):
    w = minigrad.empty(40, 300, device=device)
    assert nn.init.sparse_(w, sparsity=0.3, std=0.5) is w
    x = host(w)
    assert ((x == 0).sum(axis=0) == math.ceil(0.3 * 40)).all()
    assert float(x[x != 0].std()) == pytest.approx(0.5, rel=0.03)
    with pytest.raises(ValueError, match="2 dimensions"):
        nn.init.sparse_(minigrad.empty(3, 3, 3, device=device), 0.1)


INITS = [
    (nn.init.uniform_, {}),
    (nn.init.normal_, {}),
    (nn.init.trunc_normal_, {}),
    (nn.init.xavier_uniform_, {}),
    (nn.init.xavier_normal_, {}),
    (nn.init.kaiming_uniform_, {}),
    (nn.init.kaiming_normal_, {}),
    (nn.init.orthogonal_, {}),
    (nn.init.sparse_, {"sparsity": 0.5}),
]


@pytest.mark.parametrize("init,kwargs", INITS, ids=lambda v: getattr(v, "__name__", ""))
def test_generator_makes_draws_reproducible_and_leaves_global_stream(device, init, kwargs):
    g = minigrad.Generator(device).manual_seed(123)
    first = host(init(minigrad.empty(7, 5, device=device), generator=g, **kwargs))
    minigrad.manual_seed(99)
    before = host(minigrad.rand(3, device=device))
    minigrad.manual_seed(99)
    g.manual_seed(123)
    again = host(init(minigrad.empty(7, 5, device=device), generator=g, **kwargs))
    np.testing.assert_array_equal(first, again)
    np.testing.assert_array_equal(host(minigrad.rand(3, device=device)), before)


def test_generator_of_the_wrong_type():
    with pytest.raises(TypeError, match="generator"):
        nn.init.normal_(minigrad.empty(3), generator=np.random.default_rng(0))


def test_signatures_match_torch():
    torch = pytest.importorskip("torch")
    import inspect

    names = "trunc_normal_ orthogonal_ dirac_ sparse_ uniform_ normal_ xavier_uniform_"
    names += " xavier_normal_ kaiming_uniform_ kaiming_normal_"
    for name in names.split():
        ours = inspect.signature(getattr(nn.init, name)).parameters
        theirs = inspect.signature(getattr(torch.nn.init, name)).parameters
        assert list(ours) == list(theirs), name
        for p in theirs:
            assert ours[p].default == theirs[p].default, (name, p)
