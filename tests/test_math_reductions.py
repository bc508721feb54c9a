"""Reductions added for PyTorch compatibility (issue 10): values against NumPy, first and
second derivatives against central differences on both test devices (zeros included for
prod and cumprod), dtypes on integer and bool tensors, and NumPy's axis/keepdims aliases."""

from __future__ import annotations

import math

import numpy as np
import pytest
from engine_helpers import (
    arrays,
    assert_close,
    check_op,
    given_settings,
    grid_arrays,
    host,
    on,
    shapes,
)
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad as mg


def one_dim(ndim: int):
    """None or one dimension, maybe negative."""
    if ndim == 0:
        return st.sampled_from([None, 0, -1])
    return st.one_of(st.none(), st.integers(-ndim, ndim - 1))


def dims(ndim: int):
    """None, one dimension or a tuple of distinct ones."""
    if ndim == 0:
        return st.none()
    several = st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True)
    return st.one_of(st.none(), st.integers(-ndim, ndim - 1), several.map(tuple))


def with_zeros(shape):
    """Values in {-2, -1.5, ..., 2}: zeros (often several) where prod's x/0 would fail."""
    return hnp.arrays(np.float64, shape, elements=st.integers(-4, 4).map(lambda k: k / 2))


# ----------------------------------------------------------------------------- prod, cumulative
@given_settings
@given(data=st.data(), shape=shapes(max_dims=3), keepdim=st.booleans(), zeros=st.booleans())
def test_prod(data, shape, keepdim, zeros, device):
    x = data.draw(with_zeros(shape) if zeros else arrays(shape))
    dim = data.draw(one_dim(len(shape)))
    if dim is None:
        check_op(lambda t: t.prod(), np.prod, [x], device)
    else:
        check_op(
            lambda t: mg.prod(t, dim, keepdim=keepdim),
            lambda a: np.prod(a, axis=dim, keepdims=keepdim),
            [x],
            device,
        )


def test_prod_gradient_with_zeros_matches_pytorch_rule(device):
    x = on(np.array([0.0, 2.0, 0.5]), device)
    x.prod().backward()
    assert host(x.grad).tolist() == [1.0, 0.0, 0.0]
    y = on(np.array([[0.0, 0.0, 3.0], [1.0, 2.0, 3.0]]), device)
    y.prod(1).sum().backward()
    assert host(y.grad).tolist() == [[0.0, 0.0, 0.0], [6.0, 3.0, 2.0]]


def test_prod_second_derivative_with_subnormal_products(device):
    # found by hypothesis: Π of the exclusive products is 5e-324, where dividing by x is wrong
    check_op(lambda t: t.prod(), np.prod, [np.array([5e-324, 5e-324])], device)
    check_op(lambda t: t.cumprod(0), np.cumprod, [np.array([0.5, 1e-320, 2.0])], device)


@pytest.mark.parametrize("name, ref", [("cumsum", np.cumsum), ("cumprod", np.cumprod)])
@given_settings
@given(data=st.data(), shape=shapes(min_dims=1, max_dims=3), zeros=st.booleans())
def test_cumulative(name, ref, data, shape, zeros, device):
    # |x| ≥ 0.25 besides zeros: cumprod's gradient reversed-cumsum(dy·y)/x (PyTorch's too)
    # loses its second derivative to cancellation when x is tiny (1e-100)
    nonzero = st.one_of(st.floats(0.25, 3), st.floats(-3, -0.25))
    x = data.draw(with_zeros(shape) if zeros else hnp.arrays(np.float64, shape, elements=nonzero))
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    check_op(lambda t: getattr(mg, name)(t, dim), lambda a: ref(a, axis=dim), [x], device)


def test_cumprod_gradient_with_zeros(device):
    x = on(np.array([0.0, 0.0, 0.5]), device)
    x.cumprod(0).sum().backward()
    assert host(x.grad).tolist() == [1.0, 0.0, 0.0]
    y = on(np.array([2.0, 0.0, 3.0, 4.0]), device)
    y.cumprod(0).sum().backward()  # d/dx₁ (2 + 2x₁ + 2x₁·3 + 2x₁·3·4) = 2 + 6 + 24
    assert host(y.grad).tolist() == [1.0, 32.0, 0.0, 0.0]


def test_cumulative_of_a_0d_tensor_and_axis_alias(device):
    x = mg.tensor(3.0, device=device)
    assert x.cumsum(0).item() == 3.0 and x.cumprod(dim=-1).item() == 3.0
    assert mg.tensor([1, 2, 3], device=device).cumsum(axis=0).tolist() == [1, 3, 6]
    with pytest.raises(TypeError, match="dim"):
        x.cumsum()


# ----------------------------------------------------------------------------- logsumexp, norm
@given_settings
@given(data=st.data(), shape=shapes(), keepdim=st.booleans())
def test_logsumexp(data, shape, keepdim, device):
    x = data.draw(arrays(shape, -5, 5))
    dim = data.draw(dims(len(shape)))
    axis = dim = tuple(range(len(shape))) if dim is None else dim  # dim is required
    size = math.prod(shape[d] for d in ((axis,) if isinstance(axis, int) else axis))
    assume(size > 0)  # log 0: no derivative to check

    def ref(a):
        return np.log(np.sum(np.exp(a), axis=axis, keepdims=keepdim))

    check_op(lambda t: t.logsumexp(dim, keepdim), ref, [x], device)


def test_logsumexp_is_stable_and_handles_infinities(device):
    x = mg.tensor([[1000.0, 1000.0], [-1000.0, -1000.0]], device=device)
    assert_close(mg.logsumexp(x, 1), [1000 + math.log(2), -1000 + math.log(2)], rtol=1e-6)
    inf = mg.tensor([[-math.inf, -math.inf], [math.inf, 1.0]], device=device)
    with np.errstate(divide="ignore"):  # log 0: NumPy warns where PyTorch is silent
        assert host(inf.logsumexp(1)).tolist() == [-math.inf, math.inf]
    assert mg.tensor([1, 2], device=device).logsumexp(0).dtype == mg.float32
    assert mg.tensor([1.0, 2.0], device=device).logsumexp(axis=0, keepdims=True).shape == (1,)


def magnitudes(shape):
    """Distinct |x| (no ties for the inf-norms), away from 0, random signs."""
    size = math.prod(shape)
    mags = st.lists(st.integers(1, 64), min_size=size, max_size=size, unique=True)
    signs = st.lists(st.sampled_from([-1.0, 1.0]), min_size=size, max_size=size)
    return st.tuples(mags, signs).map(
        lambda ms: (np.array(ms[0], dtype=np.float64) / 16 * ms[1]).reshape(shape)
    )


NORMS = {
    2: lambda a, axis, k: np.sqrt(np.sum(a * a, axis=axis, keepdims=k)),
    "fro": lambda a, axis, k: np.sqrt(np.sum(a * a, axis=axis, keepdims=k)),
    1: lambda a, axis, k: np.sum(np.abs(a), axis=axis, keepdims=k),
    3: lambda a, axis, k: np.sum(np.abs(a) ** 3, axis=axis, keepdims=k) ** (1 / 3),
    math.inf: lambda a, axis, k: np.max(np.abs(a), axis=axis, keepdims=k),
    -math.inf: lambda a, axis, k: np.min(np.abs(a), axis=axis, keepdims=k),
}


@pytest.mark.parametrize("p", list(NORMS), ids=str)
@given_settings
@given(data=st.data(), shape=shapes(max_dims=3, min_side=1), keepdim=st.booleans())
def test_norm(p, data, shape, keepdim, device):
    x = data.draw(magnitudes(shape))
    dim = data.draw(dims(len(shape)))
    ref = NORMS[p]
    check_op(
        lambda t: t.norm(p, dim, keepdim) if p != "fro" else mg.norm(t, dim=dim, keepdim=keepdim),
        lambda a: ref(a, dim, keepdim),
        [x],
        device,
    )


def test_norm_gradient_at_zero_is_zero_and_dtype_errors(device):
    x = mg.zeros(3, dtype=mg.float64, device=device, requires_grad=True)
    out = x.norm()
    assert out.item() == 0.0
    out.backward()
    assert host(x.grad).tolist() == [0.0, 0.0, 0.0]
    assert mg.tensor([0.0, 2.0, -3.0], device=device).norm(0).item() == 2.0
    with pytest.raises(RuntimeError, match="floating point"):
        mg.tensor([1, 2], device=device).norm()
    with pytest.raises(ValueError, match="nuc"):
        mg.tensor([[1.0]], device=device).norm("nuc")


# ----------------------------------------------------------------------------- var, std
@given_settings
@given(
    data=st.data(),
    shape=shapes(min_dims=1, max_dims=3, min_side=1),
    keepdim=st.booleans(),
    correction=st.sampled_from([0, 1, 2, None]),
    form=st.sampled_from(["std", "var_mean", "std_mean"]),
)
def test_std_var_with_correction(data, shape, keepdim, correction, form, device):
    dim = data.draw(dims(len(shape)))
    axis = tuple(range(len(shape))) if dim is None else dim
    n = math.prod(shape[d] for d in ((axis,) if isinstance(axis, int) else axis))
    ddof = 1 if correction is None else correction
    assume(n - ddof > 0 and n > 1)
    x = data.draw(grid_arrays(shape, unique=True))  # distinct values: std > 0
    kwargs = (
        {"keepdim": keepdim} if correction is None else {"keepdim": keepdim, "correction": ddof}
    )

    def mean(a):
        return a.mean(dim, keepdims=keepdim)

    def std(a):
        return np.std(a, axis=dim, ddof=ddof, keepdims=keepdim)

    if form == "std":
        check_op(lambda t: mg.std(t, dim, **kwargs), std, [x], device)
    elif form == "var_mean":
        check_op(
            lambda t: mg.var_mean(t, dim, **kwargs), lambda a: (std(a) ** 2, mean(a)), [x], device
        )
    else:
        check_op(lambda t: t.std_mean(dim, **kwargs), lambda a: (std(a), mean(a)), [x], device)


def test_std_aliases_and_unbiased(device):
    x = mg.tensor([[1.0, 2.0, 4.0]], device=device)
    assert x.std(axis=1, keepdims=True).shape == (1, 1)
    assert_close(x.std(unbiased=False), np.std([1.0, 2.0, 4.0]), rtol=1e-6)
    assert_close(x.var(correction=0), np.var([1.0, 2.0, 4.0]), rtol=1e-6)
    with pytest.raises(ValueError, match="unbiased or correction"):
        x.std(unbiased=True, correction=1)
    ints = mg.tensor([1, 2, 4], device=device)  # PyTorch refuses integers in var and std
    for reduce in (mg.var_mean, mg.std_mean, mg.var, mg.std):
        with pytest.raises(RuntimeError, match="floating point"):
            reduce(ints)


# ----------------------------------------------------------------------------- median, aminmax
@given_settings
@given(data=st.data(), shape=shapes(min_dims=1, max_dims=3, min_side=1), keepdim=st.booleans())
def test_median_values_indices_and_gradient(data, shape, keepdim, device):
    x = data.draw(grid_arrays(shape, unique=True))
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    n = shape[dim]
    lower = np.sort(x, axis=dim).take((n - 1) // 2, axis=dim)
    expected = np.expand_dims(lower, dim) if keepdim else lower

    def values(t):
        return t.median(dim, keepdim).values

    check_op(values, lambda a: expected, [x], device)
    indices = on(x, device).median(dim=dim, keepdim=keepdim).indices
    assert indices.dtype == mg.int64
    picked = np.take_along_axis(
        x, host(indices) if keepdim else np.expand_dims(host(indices), dim), dim
    )
    np.testing.assert_array_equal(picked.reshape(expected.shape), expected)
    check_op(lambda t: t.median(), lambda a: np.sort(a, axis=None)[(a.size - 1) // 2], [x], device)


def test_median_of_nan_and_of_integers(device):
    x = mg.tensor([[1.0, np.nan, 3.0], [3.0, 1.0, 2.0]], device=device)
    values, indices = x.median(1)
    assert np.isnan(values.tolist()[0]) and values.tolist()[1] == 2.0
    assert indices.tolist() == [1, 2]
    assert mg.median(mg.tensor([4, 1, 3, 2], device=device)).item() == 2
    assert np.isnan(mg.tensor([], device=device).median().item())  # PyTorch: NaN
    with pytest.raises(IndexError, match="non-zero size"):
        mg.tensor([], device=device).median(0)


@given_settings
@given(data=st.data(), shape=shapes(min_side=1), keepdim=st.booleans())
def test_aminmax(data, shape, keepdim, device):
    x = data.draw(grid_arrays(shape, unique=True))
    dim = data.draw(one_dim(len(shape))) if shape else None
    out = on(x, device).aminmax(dim=dim, keepdim=keepdim)
    expected_min = np.min(x, axis=dim, keepdims=keepdim)
    expected_max = np.max(x, axis=dim, keepdims=keepdim)
    assert_close(out.min, expected_min)
    assert_close(out.max, expected_max)
    mini, maxi = mg.aminmax(mg.tensor([3, 1, 2], device=device))
    assert (mini.item(), maxi.item()) == (1, 3) and mini.dtype == mg.int64


def reference_mode(row):
    """The smallest most frequent value of a 1-D array and its last index."""
    values, counts = np.unique(row, return_counts=True)
    value = values[np.argmax(counts)]
    return value, np.flatnonzero(row == value)[-1]


@given_settings
@given(data=st.data(), shape=shapes(min_dims=1, max_dims=3, min_side=1), keepdim=st.booleans())
def test_mode_values_indices_and_gradient(data, shape, keepdim, device):
    x = data.draw(hnp.arrays(np.int64, shape, elements=st.integers(0, 2))).astype(np.float64)
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    t = on(x, device)
    values, indices = mg.mode(t, dim, keepdim=keepdim)
    rows = np.moveaxis(x, dim, -1).reshape(-1, shape[dim])
    expected = np.array([reference_mode(r) for r in rows]).reshape(
        np.moveaxis(x, dim, -1).shape[:-1] + (2,)
    )
    want_values, want_indices = expected[..., 0], expected[..., 1].astype(np.int64)
    if keepdim:
        want_values, want_indices = (np.expand_dims(a, dim) for a in (want_values, want_indices))
    assert_close(values, want_values, rtol=0, atol=0)
    assert indices.dtype == mg.int64
    np.testing.assert_array_equal(host(indices), want_indices)
    values.sum().backward()
    one_hot = np.zeros_like(x)
    chosen = want_indices if keepdim else np.expand_dims(want_indices, dim)
    np.put_along_axis(one_hot, chosen, 1.0, dim)
    assert_close(t.grad, one_hot, rtol=0, atol=0)


def test_mode_examples(device):
    assert tuple(mg.tensor([1, 2, 2, 1], device=device).mode()) == (1, 3)
    values, indices = mg.tensor([[5.0, 5, 1], [2, 7, 7]], device=device).mode(1)
    assert values.tolist() == [5.0, 7.0] and indices.tolist() == [1, 2]
    assert mg.tensor(3.0, device=device).mode().values.item() == 3.0


# ----------------------------------------------------------------------------- nan reductions
def test_nansum_nanmean_values_and_gradient(device):
    a = np.array([[1.0, np.nan, 3.0], [np.nan, np.nan, 2.0]])
    x = on(a, device)
    assert_close(x.nansum(), np.nansum(a))
    assert_close(mg.nansum(x, 1), np.nansum(a, 1))
    assert_close(x.nanmean(1, keepdim=True), np.nanmean(a, 1, keepdims=True))
    x.nanmean().backward()
    assert host(x.grad).tolist() == [[1 / 3, 0.0, 1 / 3], [0.0, 0.0, 1 / 3]]
    assert mg.tensor([1, 2], device=device).nansum().item() == 3
    assert_close(x.nansum(axis=1, keepdims=True), np.nansum(a, 1, keepdims=True))
    assert_close(mg.nanmean(x, axis=1), np.nanmean(a, 1))


@given_settings
@given(x=arrays(shapes(min_side=1)))
def test_nansum_nanmean_without_nan_are_sum_and_mean(x, device):
    check_op(mg.nansum, np.sum, [x], device)
    check_op(lambda t: t.nanmean(), np.mean, [x], device)


# ----------------------------------------------------------------------------- logical reductions
@pytest.mark.parametrize("dtype", [np.bool_, np.int64, np.uint8, np.float64])
@given_settings
@given(data=st.data(), shape=shapes(), keepdim=st.booleans())
def test_all_any_count_nonzero(dtype, data, shape, keepdim, device):
    x = data.draw(hnp.arrays(np.int64, shape, elements=st.integers(0, 2))).astype(dtype)
    dim = data.draw(dims(len(shape)))
    t = mg.tensor(x, device=device)
    for name in ("all", "any"):
        out = getattr(t, name)(dim, keepdim)
        expected = getattr(np, name)(x, axis=dim, keepdims=keepdim)
        assert out.dtype == (mg.uint8 if dtype == np.uint8 else mg.bool)
        np.testing.assert_array_equal(host(out), expected)
    count = mg.count_nonzero(t, dim)
    assert count.dtype == mg.int64
    np.testing.assert_array_equal(host(count), np.count_nonzero(x, axis=dim))


def test_all_any_aliases(device):
    t = mg.tensor([[True, False], [True, True]], device=device)
    assert t.all(axis=1).tolist() == [False, True]
    assert t.any(axis=0, keepdims=True).tolist() == [[True, True]]
    assert mg.all(t).item() is False and mg.any(t).item() is True


# ----------------------------------------------------------------------------- integer tensors
@pytest.mark.parametrize("dtype", [mg.int64, mg.int32, mg.uint8, mg.bool])
def test_reductions_on_integer_and_bool_tensors(dtype, device):
    a = np.array([[3, 1, 2], [0, 5, 4]]).astype(dtype)
    x = mg.tensor(a, device=device)
    for name in ("max", "min", "amax", "amin"):
        out = getattr(x, name)()
        assert out.dtype == dtype and out.item() == getattr(np, name)(a)
    values, indices = x.max(1)
    assert values.dtype == dtype and values.tolist() == a.max(1).tolist()
    assert indices.tolist() == a.argmax(1).tolist()
    assert x.amin(0).tolist() == a.min(0).tolist()
    assert x.argmax().item() == a.argmax() and x.argmin(1).tolist() == a.argmin(1).tolist()
    assert x.sum().dtype == mg.int64 and x.sum().item() == a.sum(dtype=np.int64)
    assert x.prod(1).dtype == mg.int64
    assert x.prod(1).tolist() == a.astype(np.int64).prod(1).tolist()
    assert x.cumsum(1).dtype == mg.int64
    assert x.cumsum(1).tolist() == a.astype(np.int64).cumsum(1).tolist()
    assert x.cumprod(0).tolist() == a.astype(np.int64).cumprod(0).tolist()
    with pytest.raises(RuntimeError, match="floating point"):
        x.mean()


@pytest.mark.parametrize("dtype", [mg.int64, mg.int32, mg.bool])
def test_comparisons_on_integer_and_bool_tensors(dtype, device):
    a = np.array([0, 1, 1]).astype(dtype)
    x = mg.tensor(a, device=device)
    y = mg.tensor(np.array([1, 1, 0]).astype(dtype), device=device)
    assert (x < y).tolist() == (a < np.array([1, 1, 0]).astype(dtype)).tolist()
    assert (x == y).tolist() == [False, True, False]
    assert (x >= 1).tolist() == [False, True, True]
    assert (x != 0.5).tolist() == [True, True, True]
    assert mg.maximum(x, y).tolist() == np.maximum(a, np.array([1, 1, 0]).astype(dtype)).tolist()


def test_prod_keeps_float_dtype_and_accepts_aliases(device):
    x = mg.tensor([[1.0, 2.0], [3.0, 4.0]], device=device)
    assert x.prod(axis=1, keepdims=True).tolist() == [[2.0], [12.0]]
    assert x.prod(dtype=mg.float64).dtype == mg.float64
    assert mg.prod(x).dtype == mg.float32


# ----------------------------------------------------------------------------- against PyTorch
def test_matches_pytorch_forward_and_backward():
    torch = pytest.importorskip("torch")
    a = np.array([[0.0, 1.5, -2.0, 0.5], [1.2, 0.0, 0.0, -0.7], [0.3, 2.0, -1.1, 0.9]])
    cases = {
        "prod": lambda t: t.prod(1),
        "prod_all": lambda t: t.prod(),
        "cumprod": lambda t: t.cumprod(1),
        "cumsum": lambda t: t.cumsum(0),
        "logsumexp": lambda t: t.logsumexp(1),
        "norm": lambda t: t.norm(dim=1),
        "norm1": lambda t: t.norm(p=1, dim=0),
        "norm3": lambda t: t.norm(p=3),
        "std": lambda t: t.std(1, correction=0),
        "median": lambda t: t.median(1).values,
        "nanmean": lambda t: t.nanmean(0),
    }
    for name, fn in cases.items():
        x = mg.tensor(a, requires_grad=True)
        tx = torch.tensor(a, requires_grad=True)
        out, tout = fn(x), fn(tx)
        np.testing.assert_allclose(
            out.detach().numpy(), tout.detach().numpy(), rtol=1e-12, err_msg=name
        )
        weights = np.arange(1.0, 1.0 + out.numel()).reshape(out.shape)
        (out * mg.tensor(weights)).sum().backward()
        (tout * torch.tensor(weights)).sum().backward()
        np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12, err_msg=name)
