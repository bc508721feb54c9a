"""More PyTorch names found in public programs: tensor_split/hsplit/vsplit, tensordot,
cdist, block_diag, cartesian_prod, matrix_power, xlogy, adjoint/H, data_ptr, the in-place
square_/sqrt_/log_, result_type/can_cast/promote_types, minigrad.dtype, quantile/nanquantile
and cummax/cummin.

Each against a NumPy oracle, differentiable ones with gradcheck and gradgradcheck."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest
from engine_helpers import arrays, check_op, host, on
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import minigrad as mg

FAST = settings(max_examples=10, suppress_health_check=[HealthCheck.function_scoped_fixture])
FEW = settings(max_examples=4, suppress_health_check=[HealthCheck.function_scoped_fixture])


# ---------------------------------------------------------------------- splits
@FAST
@given(n=st.integers(0, 9), sections=st.integers(1, 5), seed=st.integers(0, 99))
def test_tensor_split_into_sections_is_numpys_array_split(n, sections, seed, device):
    a = np.random.default_rng(seed).standard_normal((2, n))
    pieces = on(a, device, False).tensor_split(sections, dim=1)
    expected = np.array_split(a, sections, axis=1)
    assert len(pieces) == len(expected)
    for piece, ref in zip(pieces, expected, strict=True):
        np.testing.assert_array_equal(host(piece), ref)


@FAST
@given(n=st.integers(0, 8), cuts=st.lists(st.integers(-10, 10), max_size=4), seed=st.integers(0, 9))
def test_tensor_split_at_indices_slices_as_python(n, cuts, seed, device):
    a = np.random.default_rng(seed).standard_normal(n)
    pieces = mg.tensor_split(on(a, device, False), cuts)
    bounds = [None, *cuts, None]
    expected = [a[start:stop] for start, stop in itertools.pairwise(bounds)]
    assert [host(p).tolist() for p in pieces] == [e.tolist() for e in expected]


def test_split_pieces_are_views_and_carry_gradients(device):
    x = on(np.arange(12.0).reshape(3, 4), device)
    left, right = x.hsplit(2)
    top, bottom = mg.vsplit(x, [1])
    assert left.shape == (3, 2) and bottom.shape == (2, 4)
    (left.sum() * 2 + top.sum()).backward()
    np.testing.assert_array_equal(host(x.grad), [[3, 3, 1, 1], [2, 2, 0, 0], [2, 2, 0, 0]])
    base = mg.arange(6.0)
    first, _ = base.tensor_split(2)
    assert first.data_ptr() == base.data_ptr() and base[1:].data_ptr() != base.data_ptr()
    first.add_(1)
    assert base.tolist() == [1, 2, 3, 3, 4, 5]  # a view: the base sees the change


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda x: x.tensor_split(0), "number of sections must be larger than 0"),
        (lambda x: x.hsplit(3), "not divisible"),
        (lambda x: x[0].vsplit(2), "at least 2 dimensions"),
        (lambda x: x.sum().hsplit(1), "at least 1 dimension"),
    ],
)
def test_split_errors(call, match):
    with pytest.raises(RuntimeError, match=match):
        call(mg.zeros(4, 4))


# ---------------------------------------------------------------------- products
@FEW
@given(data=st.data())
def test_tensordot(device, data):
    a = data.draw(arrays((2, 3, 4)))
    b = data.draw(arrays((3, 4, 2)))
    check_op(lambda x, y: mg.tensordot(x, y), lambda x, y: np.tensordot(x, y), [a, b], device)
    check_op(
        lambda x, y: mg.tensordot(x, y, ([0, 2], [2, 1])),
        lambda x, y: np.tensordot(x, y, ([0, 2], [2, 1])),
        [a, b],
        device,
    )
    check_op(lambda x, y: mg.tensordot(x, y, 0), lambda x, y: np.tensordot(x, y, 0), [a, b], device)


def test_tensordot_names_mismatched_dimensions():
    with pytest.raises(RuntimeError, match=r"\[2\] of a \(shape \(2, 3, 4\)\)"):
        mg.tensordot(mg.zeros(2, 3, 4), mg.zeros(3, 2), 1)


@FEW
@given(p=st.sampled_from([1.0, 2.0, 3.0, np.inf]), data=st.data())
def test_cdist(device, p, data):
    x1 = data.draw(arrays((2, 3, 4)))
    # offsets keep |x1 - x2| away from 0 and each coordinate's range apart: smooth, no ties
    x2 = data.draw(arrays((2, 2, 4))) + np.array([7.0, 14.0, 21.0, 28.0])

    def reference(a, b):
        diff = np.abs(a[:, :, None, :] - b[:, None, :, :])
        return diff.max(-1) if p == np.inf else (diff**p).sum(-1) ** (1 / p)

    check_op(lambda a, b: mg.cdist(a, b, p), reference, [x1, x2], device)


def test_cdist_gradient_is_zero_at_a_zero_distance(device):
    x = on(np.array([[1.0, 2.0]]), device)
    mg.cdist(x, x.detach()).sum().backward()
    np.testing.assert_array_equal(host(x.grad), [[0.0, 0.0]])


def test_block_diag(device):
    blocks = [np.arange(4.0).reshape(2, 2), np.array(5.0), np.array([6.0, 7.0])]
    expected = np.zeros((4, 5))
    expected[:2, :2], expected[2, 2], expected[3, 3:] = blocks[0], 5.0, [6.0, 7.0]
    check_op(lambda *ts: mg.block_diag(*ts), lambda *_: expected, blocks, device)
    mixed = mg.block_diag(mg.tensor([[1]]), mg.tensor([2.5], dtype=mg.float64))
    assert mixed.dtype == mg.float64 and mixed.tolist() == [[1.0, 0.0], [0.0, 2.5]]
    assert mg.block_diag().shape == (1, 0)
    with pytest.raises(RuntimeError, match="2 or fewer dimensions"):
        mg.block_diag(mg.zeros(1, 1, 1))


def test_cartesian_prod(device):
    a, b = [1.0, 2.0], [3.0, 4.0, 5.0]
    expected = np.array(list(itertools.product(a, b)))
    check_op(lambda x, y: mg.cartesian_prod(x, y), lambda *_: expected, [a, b], device)
    single = on(np.array(a), device)
    assert mg.cartesian_prod(single) is single


@pytest.mark.parametrize("n", [0, 1, 2, 3, 6, -1, -2])
def test_matrix_power(n, device):
    rng = np.random.default_rng(n + 10)
    a = rng.standard_normal((2, 3, 3)) + 3 * np.eye(3)  # well conditioned for the inverse
    if n == 0:
        identities = host(mg.matrix_power(on(a, device), 0))
        np.testing.assert_array_equal(identities, np.broadcast_to(np.eye(3), (2, 3, 3)))
    else:
        check_op(
            lambda m: mg.linalg.matrix_power(m, n),
            lambda m: np.linalg.matrix_power(m, n),
            [a],
            device,
        )


def test_matrix_power_errors():
    with pytest.raises(RuntimeError, match="square matrices"):
        mg.matrix_power(mg.zeros(2, 3), 2)
    with pytest.raises(TypeError, match="n must be an int"):
        mg.matrix_power(mg.zeros(2, 2), 1.5)


# ---------------------------------------------------------------------- element-wise
@FAST
@given(data=st.data())
def test_xlogy(device, data):
    x = data.draw(arrays((5,)))
    y = np.abs(data.draw(arrays((5,)))) + 0.5
    check_op(lambda a, b: a.xlogy(b), lambda a, b: a * np.log(b), [x, y], device)


@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning")  # 1 · ln 0 = −inf, as meant
def test_xlogy_is_zero_where_x_is_zero(device):
    x = on(np.array([0.0, 0.0, 0.0, 1.0]), device)
    y = on(np.array([0.0, -1.0, np.nan, 0.0]), device)
    out = mg.xlogy(x, y)
    np.testing.assert_array_equal(host(out), [0.0, 0.0, np.nan, -np.inf])
    zeros, at_or_below_zero = on(np.zeros(2), device), on(np.array([0.0, -1.0]), device)
    mg.xlogy(zeros, at_or_below_zero).sum().backward()
    np.testing.assert_array_equal(host(zeros.grad), [0.0, 0.0])
    np.testing.assert_array_equal(host(at_or_below_zero.grad), [0.0, 0.0])
    assert mg.tensor([0, 1, 2]).xlogy(2).dtype == mg.float32


def test_in_place_square_sqrt_log_differentiate(device):
    leaf = on(np.array([1.0, 4.0]), device)
    y = leaf * 1.0
    y.square_().sqrt_().log_()  # log(√(x²)) = log x
    y.sum().backward()
    np.testing.assert_allclose(host(leaf.grad), [1.0, 0.25])


def test_adjoint_and_H_are_transposed_views(device):
    a = on(np.arange(6.0).reshape(2, 3), device, False)
    assert a.H.shape == (3, 2) and a.adjoint().shape == (3, 2)
    batch = on(np.zeros((4, 2, 3)), device, False)
    assert mg.adjoint(batch).shape == (4, 3, 2)
    with pytest.raises(RuntimeError, match="only supported on matrices"):
        batch.H  # noqa: B018


# ---------------------------------------------------------------------- dtypes
def test_result_type_can_cast_promote_types():
    assert mg.result_type(mg.tensor([1, 2]), 2.5) == mg.float32
    assert mg.result_type(mg.tensor([1.0], dtype=mg.float16), mg.tensor(1.0)) == mg.float16
    assert mg.result_type(mg.tensor([1], dtype=mg.int8), mg.tensor([1], dtype=mg.int32)) == mg.int32
    assert mg.result_type(1, 2.0) == mg.float32 and mg.result_type(2, True) == mg.int64
    assert mg.promote_types(mg.int64, mg.float16) == mg.float16
    assert mg.can_cast(mg.float32, mg.float16) and mg.can_cast(mg.int64, mg.float32)
    assert not mg.can_cast(mg.float64, mg.int64) and not mg.can_cast(mg.int8, mg.bool)
    assert isinstance(mg.float32, mg.dtype) and isinstance(mg.ones(1).dtype, mg.dtype)


# ---------------------------------------------------------------------- order statistics
METHODS = ["linear", "lower", "higher", "midpoint", "nearest"]


@FAST
@given(
    shape=st.sampled_from([(7,), (3, 5), (2, 4, 3)]),
    q=st.one_of(st.floats(0, 1), st.lists(st.floats(0, 1), min_size=1, max_size=3)),
    method=st.sampled_from(METHODS),
    keepdim=st.booleans(),
    seed=st.integers(0, 99),
)
def test_quantile_is_numpys(device, shape, q, method, keepdim, seed):
    rng = np.random.default_rng(seed)
    a = rng.integers(-3, 4, shape).astype(float)  # ties and exact ranks
    a[rng.random(shape) < 0.15] = np.nan
    x = on(a, device, False)
    qs = on(np.array(q), device, False) if isinstance(q, list) else q
    for dim in [None, *range(len(shape))]:
        got = x.nanquantile(qs, dim, keepdim, interpolation=method)
        with warnings.catch_warnings():  # NumPy warns about all-NaN slices (NaN is right)
            warnings.simplefilter("ignore", RuntimeWarning)
            expected = np.nanquantile(a, q, axis=dim, keepdims=keepdim, method=method)
        np.testing.assert_allclose(host(got), expected, equal_nan=True)
        plain = np.quantile(a, q, axis=dim, keepdims=keepdim, method=method)
        np.testing.assert_allclose(
            host(mg.quantile(x, qs, dim, keepdim, interpolation=method)), plain
        )


def test_quantile_gradients(device):
    a = np.random.default_rng(4).permutation(12).reshape(3, 4) + 0.5  # distinct: smooth
    q = on(np.array([0.2, 0.5, 0.9]), device, False)
    check_op(
        lambda x: x.quantile(q, dim=1),
        lambda x: np.quantile(x, [0.2, 0.5, 0.9], axis=1),
        [a],
        device,
    )


def test_quantile_errors():
    x = mg.arange(5.0)
    with pytest.raises(RuntimeError, match=r"range \[0, 1\]"):
        x.quantile(1.5)
    with pytest.raises(RuntimeError, match="float or double"):
        mg.arange(5).quantile(0.5)
    with pytest.raises(RuntimeError, match="interpolation must be one of"):
        x.quantile(0.5, interpolation="cubic")


def running_extreme(a, pick):
    """Position by position: the latest index holding the max (min) so far; NaN sticks."""
    values, index = np.empty_like(a), np.empty(a.shape, np.int64)
    best = 0
    for i in range(a.shape[0]):
        if np.isnan(a[best]) and not np.isnan(a[i]):
            pass
        elif np.isnan(a[i]) or pick(a[i], a[best]) or a[i] == a[best]:
            best = i
        values[i], index[i] = a[best], best
    return values, index


@FAST
@given(n=st.integers(1, 12), seed=st.integers(0, 99), nan=st.booleans())
def test_cummax_cummin(device, n, seed, nan):
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 4, (3, n)).astype(float)
    if nan:
        a[rng.random(a.shape) < 0.2] = np.nan
    for name, pick in [("cummax", np.greater), ("cummin", np.less)]:
        values, indices = getattr(mg, name)(on(a, device, False), 1)
        for row in range(3):
            expected_values, expected_index = running_extreme(a[row], pick)
            np.testing.assert_array_equal(host(values)[row], expected_values)
            np.testing.assert_array_equal(host(indices)[row], expected_index)


def test_cummax_gradient_goes_to_the_running_maximum(device):
    a = np.array([[1.0, 3.0, 2.0, 5.0, 4.0]])
    check_op(lambda x: x.cummax(1).values, lambda x: np.maximum.accumulate(x, 1), [a], device)
    check_op(lambda x: x.cummin(-1).values, lambda x: np.minimum.accumulate(x, 1), [a], device)
