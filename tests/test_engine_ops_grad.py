"""Every differentiable op: forward against NumPy and gradients against central differences.

Each property test draws float64 data (shapes with broadcasting, size-1 and size-0
dimensions) and runs :func:`engine_helpers.check_op` on both test devices.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from engine_helpers import (
    MAX_SIDE,
    arrays,
    assert_close,
    broadcast_shapes,
    check_op,
    floats,
    given_settings,
    grid,
    grid_arrays,
    grid_bound,
    host,
    on,
    shapes,
)
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad as mg


def nonzero_arrays(shape, low: float = 0.5, high: float = 3.0):
    """Values with |x| in [low, high], either sign (denominators, negative powers)."""
    return hnp.arrays(np.float64, shape, elements=st.one_of(floats(low, high), floats(-high, -low)))


def reduce_dims(ndim: int):
    """A ``dim`` argument: None, one dimension (maybe negative) or a tuple of distinct ones."""
    if ndim == 0:
        return st.none()
    one = st.integers(-ndim, ndim - 1)
    several = st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True).map(
        lambda ds: tuple(d - ndim if i % 2 else d for i, d in enumerate(ds))
    )
    return st.one_of(st.none(), one, several)


def np_axis(dim):
    return tuple(dim) if isinstance(dim, tuple) else dim


def reduced_count(shape, dim) -> int:
    if dim is None:
        return math.prod(shape)
    dims = dim if isinstance(dim, tuple) else (dim,)
    return math.prod(shape[d] for d in dims)


# ----------------------------------------------------------------------------- binary ops

# each op: its spellings (operator, method, function) and the NumPy reference
BINARY = {
    "add": ([lambda a, b: a + b, lambda a, b: a.add(b), mg.add], np.add),
    "sub": ([lambda a, b: a - b, lambda a, b: a.sub(b), mg.sub], np.subtract),
    "mul": ([lambda a, b: a * b, lambda a, b: a.mul(b), mg.mul], np.multiply),
    "div": ([lambda a, b: a / b, lambda a, b: a.div(b), mg.div], np.divide),
    "pow": ([lambda a, b: a**b, lambda a, b: a.pow(b), mg.pow], np.power),
    "maximum": ([mg.maximum, lambda a, b: a.maximum(b), lambda a, b: a.max(b)], np.maximum),
    "minimum": ([mg.minimum, lambda a, b: a.minimum(b), lambda a, b: mg.min(a, b)], np.minimum),
}


def binary_values(name: str, shape_a, shape_b):
    if name == "div":
        return arrays(shape_a), nonzero_arrays(shape_b)
    if name == "pow":
        return arrays(shape_a, 0.5, 3.0), arrays(shape_b, -2.0, 2.0)
    if name in ("maximum", "minimum"):  # never a tie: the grids are offset by 1/64
        return grid_arrays(shape_a, offset=1 / 32), grid_arrays(shape_b, offset=1 / 64)
    return arrays(shape_a), arrays(shape_b)


@pytest.mark.parametrize("name", list(BINARY))
@given_settings
@given(shapes=broadcast_shapes(2), data=st.data(), how=st.integers(0, 2))
def test_binary_op_broadcasting(name, shapes, data, how, device):
    fns, ref = BINARY[name]
    sa, sb = shapes.input_shapes
    va, vb = binary_values(name, sa, sb)
    a, b = data.draw(va, label="a"), data.draw(vb, label="b")
    check_op(fns[how], ref, [a, b], device)


SCALAR = {
    "x+s": (lambda x, s: x + s, lambda x, s: x + s, "any", "any"),
    "s+x": (lambda x, s: s + x, lambda x, s: s + x, "any", "any"),
    "x-s": (lambda x, s: x - s, lambda x, s: x - s, "any", "any"),
    "s-x": (lambda x, s: s - x, lambda x, s: s - x, "any", "any"),
    "x*s": (lambda x, s: x * s, lambda x, s: x * s, "any", "any"),
    "s*x": (lambda x, s: s * x, lambda x, s: s * x, "any", "any"),
    "x/s": (lambda x, s: x / s, lambda x, s: x / s, "any", "nonzero"),
    "s/x": (lambda x, s: s / x, lambda x, s: s / x, "nonzero", "any"),
    "x**s": (lambda x, s: x**s, lambda x, s: x**s, "positive", "any"),
    "x**int": (lambda x, s: x**s, lambda x, s: x ** float(s), "nonzero", "int"),
    "s**x": (lambda x, s: s**x, lambda x, s: s**x, "any", "positive"),
}


def scalar_strategy(kind: str):
    return {
        "any": floats(-3.0, 3.0),
        "nonzero": st.one_of(floats(0.5, 3.0), floats(-3.0, -0.5)),
        "positive": floats(0.5, 3.0),
        "int": st.integers(-3, 3),
    }[kind]


def tensor_strategy(kind: str, shape):
    return {
        "any": arrays(shape),
        "nonzero": nonzero_arrays(shape),
        "positive": arrays(shape, 0.5, 3.0),
    }[kind]


@pytest.mark.parametrize("name", list(SCALAR))
@given_settings
@given(shape=shapes(), data=st.data())
def test_binary_op_with_python_scalar(name, shape, data, device):
    fn, ref, x_kind, s_kind = SCALAR[name]
    x = data.draw(tensor_strategy(x_kind, shape))
    s = data.draw(scalar_strategy(s_kind))
    check_op(lambda t: fn(t, s), lambda a: ref(a, s), [x], device)


# ----------------------------------------------------------------------------- unary ops


def _np_sigmoid(x):
    return 1 / (1 + np.exp(-x))


UNARY = {
    "neg": ([lambda x: -x, lambda x: x.neg(), mg.neg], np.negative, "any"),
    "exp": ([lambda x: x.exp(), mg.exp], np.exp, "any"),
    "log": ([lambda x: x.log(), mg.log], np.log, "positive"),
    "sqrt": ([lambda x: x.sqrt(), mg.sqrt], np.sqrt, "positive"),
    "abs": ([lambda x: x.abs(), abs, mg.abs], np.abs, "grid"),
    "tanh": ([lambda x: x.tanh(), mg.tanh], np.tanh, "any"),
    "sigmoid": ([lambda x: x.sigmoid(), mg.sigmoid], _np_sigmoid, "any"),
    "relu": ([lambda x: x.relu(), mg.relu], lambda x: np.maximum(x, 0), "grid"),
}


@pytest.mark.parametrize("name", list(UNARY))
@given_settings
@given(shape=shapes(), data=st.data(), how=st.integers(0, 2))
def test_unary_op(name, shape, data, how, device):
    fns, ref, kind = UNARY[name]
    values = {
        "any": arrays(shape),
        "positive": arrays(shape, 0.1, 5.0),
        "grid": grid_arrays(shape),
    }[kind]
    check_op(fns[how % len(fns)], ref, [data.draw(values)], device)


@given_settings
@given(x=grid_arrays(shapes()), slope=st.one_of(st.none(), floats(0.0, 0.5)))
def test_leaky_relu(x, slope, device):
    expected_slope = 0.01 if slope is None else slope

    def fn(t):
        return mg.leaky_relu(t) if slope is None else t.leaky_relu(slope)

    check_op(fn, lambda a: np.where(a > 0, a, a * expected_slope), [x], device)


@given_settings
@given(
    x=grid_arrays(shapes()),
    bounds=st.tuples(grid_bound(), grid_bound()),
    which=st.sampled_from(["both", "min", "max", "clip"]),
)
def test_clamp(x, bounds, which, device):
    lo, hi = sorted(bounds)
    if which == "both":
        fn, ref = (lambda t: t.clamp(lo, hi)), (lambda a: np.clip(a, lo, hi))
    elif which == "min":
        fn, ref = (lambda t: t.clamp(min=lo)), (lambda a: np.maximum(a, lo))
    elif which == "max":
        fn, ref = (lambda t: mg.clamp(t, max=hi)), (lambda a: np.minimum(a, hi))
    else:
        fn, ref = (lambda t: mg.clip(t, lo, hi)), (lambda a: np.clip(a, lo, hi))
    check_op(fn, ref, [x], device)


# ----------------------------------------------------------------------------- softmax


def _np_log_softmax(x, dim):
    if x.size == 0:
        return x.copy()
    shifted = x - x.max(axis=dim, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=dim, keepdims=True))


@pytest.mark.parametrize("log", [False, True], ids=["softmax", "log_softmax"])
@given_settings
@given(shape=shapes(), data=st.data(), method=st.booleans())
def test_softmax(log, shape, data, method, device):
    ndim = max(len(shape), 1)
    dim = data.draw(st.integers(-ndim, ndim - 1), label="dim")
    x = data.draw(arrays(shape, -5.0, 5.0), label="x")
    dim_np = dim if x.ndim else None

    def ref(a):
        out = _np_log_softmax(a, dim_np)
        return out if log else np.exp(out)

    if log:
        fn = (lambda t: t.log_softmax(dim)) if method else (lambda t: mg.log_softmax(t, dim))
    else:
        fn = (lambda t: t.softmax(dim)) if method else (lambda t: mg.softmax(t, dim))
    check_op(fn, ref, [x], device)
    if x.size and not log:
        y = host(on(x, device).softmax(dim))
        np.testing.assert_allclose(y.sum(axis=dim_np), 1.0, rtol=1e-12)


@pytest.mark.parametrize("log", [False, True], ids=["softmax", "log_softmax"])
def test_softmax_is_stable_for_inputs_of_magnitude_1e4(log, device):
    x = on([[1e4, 1e4 - 1.0, -1e4], [-1e4, -1e4, -1e4 + 2.0]], device)
    out = x.log_softmax(dim=1) if log else x.softmax(dim=1)
    c0 = math.log(1 + math.exp(-1.0))  # log Σ exp(x - max) of row 0
    c1 = math.log(2 * math.exp(-2.0) + 1)  # ... of row 1
    expected_log = np.array([[-c0, -1.0 - c0, -2e4 - c0], [-2.0 - c1, -2.0 - c1, -c1]])
    assert np.isfinite(host(out)).all()
    assert_close(out, expected_log if log else np.exp(expected_log), rtol=1e-12, atol=1e-300)
    weights = on([[1.0, 2.0, 3.0], [-1.0, 0.5, 2.0]], device, requires_grad=False)
    (out * weights).sum().backward()
    assert np.isfinite(host(x.grad)).all()
    y = np.exp(expected_log)
    w = host(weights)
    if log:  # d/dx Σ w·log_softmax(x) = w - softmax(x)·Σw
        expected_grad = w - y * w.sum(axis=1, keepdims=True)
    else:  # d/dx Σ w·softmax(x) = y (w - Σ w·y)
        expected_grad = y * (w - (w * y).sum(axis=1, keepdims=True))
    assert_close(x.grad, expected_grad, rtol=1e-9, atol=1e-12)
    x32 = mg.tensor([1e4, -1e4, 0.0], device=device, requires_grad=True)
    y32 = x32.log_softmax(0) if log else x32.softmax(0)
    assert y32.dtype == mg.float32
    assert np.isfinite(host(y32)).all()
    np.testing.assert_allclose(host(y32), [0.0, -2e4, -1e4] if log else [1.0, 0.0, 0.0])


def test_sigmoid_and_tanh_are_stable_for_large_inputs(device):
    x = on([-1000.0, -40.0, 0.0, 40.0, 1000.0], device)
    s = x.sigmoid()
    assert_close(s, [0.0, _np_sigmoid(-40.0), 0.5, _np_sigmoid(40.0), 1.0], atol=1e-300)
    (s.sum() + x.tanh().sum()).backward()
    assert np.isfinite(host(x.grad)).all()
    assert host(x.grad)[2] == pytest.approx(0.25 + 1.0)
    x32 = mg.tensor([-20.0, -90.0, 90.0], device=device)  # no cancellation to 0 in float32
    s32 = x32.sigmoid()
    assert s32.dtype == mg.float32
    np.testing.assert_allclose(host(s32), _np_sigmoid(np.array([-20.0, -90.0, 90.0])), rtol=1e-6)
    np.testing.assert_allclose(host(s32.log()), [-20.0, -90.0, 0.0], rtol=1e-6)


# ----------------------------------------------------------------------------- where


@given_settings
@given(shapes=broadcast_shapes(3), data=st.data())
def test_where(shapes, data, device):
    sc, sa, sb = shapes.input_shapes
    cond = data.draw(hnp.arrays(np.bool_, sc), label="cond")
    a, b = data.draw(arrays(sa), label="a"), data.draw(arrays(sb), label="b")
    c = mg.tensor(cond, device=device)
    assert c.dtype == mg.bool
    check_op(lambda x, y: mg.where(c, x, y), lambda x, y: np.where(cond, x, y), [a, b], device)


@given_settings
@given(shapes=broadcast_shapes(2), data=st.data(), s=floats(), first=st.booleans())
def test_where_with_a_python_scalar(shapes, data, s, first, device):
    sc, sx = shapes.input_shapes
    cond = data.draw(hnp.arrays(np.bool_, sc), label="cond")
    x = data.draw(arrays(sx), label="x")
    c = mg.tensor(cond, device=device)
    if first:
        check_op(lambda t: mg.where(c, s, t), lambda a: np.where(cond, s, a), [x], device)
    else:
        check_op(lambda t: mg.where(c, t, s), lambda a: np.where(cond, a, s), [x], device)


# ----------------------------------------------------------------------------- reductions


@given_settings
@given(shape=shapes(), data=st.data(), keepdim=st.booleans())
def test_sum(shape, data, keepdim, device):
    dim = data.draw(reduce_dims(len(shape)), label="dim")
    x = data.draw(arrays(shape), label="x")
    fn = (
        (lambda t: t.sum())
        if dim is None and not keepdim
        else (lambda t: mg.sum(t, dim=dim, keepdim=keepdim))
    )
    check_op(fn, lambda a: np.sum(a, axis=np_axis(dim), keepdims=keepdim), [x], device)


@given_settings
@given(shape=shapes(), data=st.data(), keepdim=st.booleans())
def test_mean(shape, data, keepdim, device):
    dim = data.draw(reduce_dims(len(shape)), label="dim")
    assume(reduced_count(shape, dim) > 0)
    x = data.draw(arrays(shape), label="x")
    check_op(
        lambda t: t.mean(dim, keepdim=keepdim),
        lambda a: np.mean(a, axis=np_axis(dim), keepdims=keepdim),
        [x],
        device,
    )


@given_settings
@given(
    shape=shapes(),
    data=st.data(),
    keepdim=st.booleans(),
    unbiased=st.sampled_from([None, True, False]),
)
def test_var(shape, data, keepdim, unbiased, device):
    dim = data.draw(reduce_dims(len(shape)), label="dim")
    ddof = 0 if unbiased is False else 1
    assume(reduced_count(shape, dim) > ddof)
    x = data.draw(arrays(shape), label="x")
    kwargs = {} if unbiased is None else {"unbiased": unbiased}
    check_op(
        lambda t: t.var(dim, keepdim=keepdim, **kwargs),
        lambda a: np.var(a, axis=np_axis(dim), ddof=ddof, keepdims=keepdim),
        [x],
        device,
    )


@pytest.mark.parametrize("largest", [True, False], ids=["max", "min"])
@given_settings
@given(x=grid_arrays(shapes(min_side=1, max_dims=3), unique=True), how=st.integers(0, 2))
def test_max_min_of_all_elements(largest, x, how, device):
    if largest:
        fn = [lambda t: t.max(), mg.max, lambda t: t.amax()][how]
    else:
        fn = [lambda t: t.min(), mg.min, lambda t: t.amin()][how]
    check_op(fn, np.max if largest else np.min, [x], device)


@pytest.mark.parametrize("largest", [True, False], ids=["amax", "amin"])
@given_settings
@given(shape=shapes(max_dims=3), data=st.data(), keepdim=st.booleans())
def test_amax_amin_over_dims(largest, shape, data, keepdim, device):
    dim = data.draw(reduce_dims(len(shape)), label="dim")
    assume(reduced_count(shape, dim) > 0)
    x = data.draw(grid_arrays(shape, unique=True), label="x")
    ref = np.amax if largest else np.amin

    def fn(t):
        return (t.amax if largest else t.amin)(dim, keepdim=keepdim)

    check_op(fn, lambda a: ref(a, axis=np_axis(dim), keepdims=keepdim), [x], device)


@pytest.mark.parametrize("largest", [True, False], ids=["max", "min"])
@given_settings
@given(shape=shapes(min_dims=1, max_dims=3), data=st.data(), keepdim=st.booleans())
def test_max_min_with_dim_returns_values_and_indices(largest, shape, data, keepdim, device):
    dim = data.draw(st.integers(-len(shape), len(shape) - 1), label="dim")
    assume(shape[dim] > 0)
    x = data.draw(grid_arrays(shape, unique=True), label="x")

    def fn(t):
        return (t.max if largest else t.min)(dim, keepdim=keepdim).values

    ref = np.max if largest else np.min
    check_op(fn, lambda a: ref(a, axis=dim, keepdims=keepdim), [x], device)
    t = on(x, device)
    values, indices = t.max(dim, keepdim) if largest else mg.min(t, dim, keepdim)
    arg = (np.argmax if largest else np.argmin)(x, axis=dim, keepdims=keepdim)
    assert indices.dtype == mg.int64 and indices.device == device
    assert not indices.requires_grad and indices.grad_fn is None
    assert_close(indices, arg)
    assert values.shape == indices.shape


# ----------------------------------------------------------------------------- matmul


@st.composite
def matmul_shapes(draw):
    batch = draw(broadcast_shapes(2, max_dims=2))
    n, k, m = (draw(st.integers(0, MAX_SIDE), label=x) for x in "nkm")
    a_1d, b_1d = draw(st.booleans(), label="a is 1-D"), draw(st.booleans(), label="b is 1-D")
    a_shape = (k,) if a_1d else batch.input_shapes[0] + (n, k)
    b_shape = (k,) if b_1d else batch.input_shapes[1] + (k, m)
    return a_shape, b_shape


@given_settings
@given(ab=matmul_shapes(), data=st.data(), how=st.integers(0, 2))
def test_matmul(ab, data, how, device):
    a = data.draw(arrays(ab[0]), label="a")
    b = data.draw(arrays(ab[1]), label="b")
    fn = [lambda x, y: x @ y, lambda x, y: x.matmul(y), mg.matmul][how]
    check_op(fn, np.matmul, [a, b], device)


def test_matmul_covers_every_rank_combination(device):
    rng = np.random.default_rng(0)
    cases = [
        ((3,), (3,)),
        ((3,), (3, 2)),
        ((2, 3), (3,)),
        ((2, 3), (3, 4)),
        ((5, 2, 3), (3, 4)),
        ((3,), (5, 3, 2)),
        ((5, 2, 3), (3,)),
        ((5, 1, 2, 3), (4, 3, 2)),
        ((1, 2, 3), (6, 3, 1)),
    ]
    for sa, sb in cases:
        a, b = rng.standard_normal(sa), rng.standard_normal(sb)
        check_op(lambda x, y: x @ y, np.matmul, [a, b], device)


# ----------------------------------------------------------------------------- shape ops


@st.composite
def reshape_case(draw):
    shape = draw(shapes())
    target = list(draw(st.permutations(shape)))
    for _ in range(draw(st.integers(0, 2))):
        target.insert(draw(st.integers(0, len(target))), 1)
    if target and math.prod(shape) > 0 and draw(st.booleans()):
        target[draw(st.integers(0, len(target) - 1))] = -1
    return shape, tuple(target)


@given_settings
@given(case=reshape_case(), data=st.data(), how=st.integers(0, 3))
def test_reshape_and_view(case, data, how, device):
    shape, target = case
    x = data.draw(arrays(shape), label="x")
    fn = [
        lambda t: t.reshape(target),
        lambda t: t.reshape(*target),
        lambda t: t.view(*target),
        lambda t: mg.reshape(t, target),
    ][how]
    check_op(fn, lambda a: a.reshape(target), [x], device)


@given_settings
@given(shape=shapes(min_dims=1), data=st.data())
def test_transpose(shape, data, device):
    n = len(shape)
    d0, d1 = data.draw(st.integers(-n, n - 1)), data.draw(st.integers(-n, n - 1))
    x = data.draw(arrays(shape), label="x")
    fn = (
        (lambda t: t.transpose(d0, d1))
        if data.draw(st.booleans())
        else (lambda t: mg.transpose(t, d0, d1))
    )
    check_op(fn, lambda a: np.swapaxes(a, d0, d1), [x], device)


@given_settings
@given(shape=shapes(), data=st.data())
def test_permute_and_T(shape, data, device):
    n = len(shape)
    perm = data.draw(st.permutations(range(n)), label="perm")
    perm = tuple(p - n if p % 2 else p for p in perm)  # negative dims too
    x = data.draw(arrays(shape), label="x")
    check_op(lambda t: t.permute(*perm), lambda a: np.transpose(a, perm), [x], device)
    check_op(lambda t: mg.permute(t, perm), lambda a: np.transpose(a, perm), [x], device)
    check_op(lambda t: t.T, lambda a: a.T, [x], device)


@given_settings
@given(shape=shapes(max_side=2), data=st.data())
def test_squeeze(shape, data, device):
    n = len(shape)
    dim = data.draw(st.none() if n == 0 else st.one_of(st.none(), st.integers(-n, n - 1)))
    x = data.draw(arrays(shape), label="x")

    def ref(a):
        if dim is None:
            return np.squeeze(a)
        return np.squeeze(a, axis=dim) if a.shape[dim] == 1 else a

    fn = (
        (lambda t: t.squeeze(dim))
        if data.draw(st.booleans())
        else (lambda t: mg.squeeze(t) if dim is None else mg.squeeze(t, dim))
    )
    check_op(fn, ref, [x], device)


@given_settings
@given(shape=shapes(max_dims=3), data=st.data())
def test_unsqueeze(shape, data, device):
    n = len(shape)
    dim = data.draw(st.integers(-n - 1, n), label="dim")
    x = data.draw(arrays(shape), label="x")
    fn = (
        (lambda t: t.unsqueeze(dim))
        if data.draw(st.booleans())
        else (lambda t: mg.unsqueeze(t, dim))
    )
    check_op(fn, lambda a: np.expand_dims(a, dim), [x], device)


@given_settings
@given(shape=shapes(), data=st.data())
def test_flatten(shape, data, device):
    n = len(shape)
    x = data.draw(arrays(shape), label="x")
    if n == 0:
        check_op(lambda t: t.flatten(), lambda a: a.reshape(1), [x], device)
        return
    start = data.draw(st.integers(0, n - 1), label="start")
    end = data.draw(st.integers(start, n - 1), label="end")
    start_arg = start - n if data.draw(st.booleans()) else start
    end_arg = end - n if data.draw(st.booleans()) else end
    target = shape[:start] + (math.prod(shape[start : end + 1]),) + shape[end + 1 :]
    check_op(lambda t: mg.flatten(t, start_arg, end_arg), lambda a: a.reshape(target), [x], device)
    check_op(lambda t: t.flatten(), lambda a: a.reshape(-1), [x], device)


@st.composite
def expand_case(draw):
    shape = draw(shapes(max_dims=3, max_side=2))
    lead = tuple(draw(st.lists(st.integers(0, MAX_SIDE), max_size=2)))
    sizes = []
    for n in shape:
        if n == 1:
            sizes.append(draw(st.sampled_from([-1, 0, 1, 2, 3])))
        else:
            sizes.append(draw(st.sampled_from([-1, n])))
    return shape, lead + tuple(sizes)


@given_settings
@given(case=expand_case(), data=st.data())
def test_expand(case, data, device):
    shape, sizes = case
    x = data.draw(arrays(shape), label="x")
    lead = len(sizes) - len(shape)
    target = sizes[:lead] + tuple(
        n if s == -1 else s for n, s in zip(shape, sizes[lead:], strict=True)
    )
    check_op(lambda t: t.expand(*sizes), lambda a: np.broadcast_to(a, target), [x], device)


# ----------------------------------------------------------------------------- indexing


@st.composite
def basic_index(draw, shape):
    """A NumPy basic index for ``shape``: ints, slices (positive steps), None, an Ellipsis."""
    key = []
    dims = list(shape)
    use_ellipsis = draw(st.booleans()) and dims
    if use_ellipsis:  # the Ellipsis stands for the trailing dimensions
        dims = dims[: draw(st.integers(0, len(dims)))]
    for n in dims:
        choices = [
            st.builds(
                slice,
                st.one_of(st.none(), st.integers(-4, 4)),
                st.one_of(st.none(), st.integers(-4, 4)),
                st.one_of(st.none(), st.integers(1, 3)),
            )
        ]
        if n > 0:
            choices.append(st.integers(-n, n - 1))
        key.append(draw(st.one_of(*choices)))
        if draw(st.integers(0, 5)) == 0:
            key.append(None)
    if use_ellipsis:
        key.append(Ellipsis)
    return tuple(key)


@given_settings
@given(shape=shapes(), data=st.data())
def test_basic_indexing(shape, data, device):
    key = data.draw(basic_index(shape), label="key")
    x = data.draw(arrays(shape), label="x")
    check_op(lambda t: t[key], lambda a: a[key], [x], device)
    if len(key) == 1:
        check_op(lambda t: t[key[0]], lambda a: a[key[0]], [x], device)


@given_settings
@given(
    shape=shapes(min_dims=1, min_side=1),
    data=st.data(),
    kind=st.sampled_from(["tensor", "cpu tensor", "list", "ndarray"]),
)
def test_integer_array_indexing(shape, data, kind, device):
    n = len(shape)
    dims = data.draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=2, unique=True))
    idx_shape = data.draw(shapes(max_dims=2, min_side=1 if kind == "list" else 0))
    key: list = [slice(None)] * n
    np_key: list = [slice(None)] * n
    for d in dims:
        idx = data.draw(
            hnp.arrays(np.int64, idx_shape, elements=st.integers(-shape[d], shape[d] - 1))
        )
        np_key[d] = idx
        key[d] = {
            "tensor": lambda i: mg.tensor(i, device=device),
            "cpu tensor": lambda i: mg.tensor(i),
            "list": lambda i: i.tolist(),
            "ndarray": lambda i: i,
        }[kind](idx)
    if kind == "ndarray" and device != "cpu":
        key = [mg.tensor(k) if isinstance(k, np.ndarray) else k for k in key]
    x = data.draw(arrays(shape), label="x")
    key_t, np_key_t = tuple(key), tuple(np_key)
    check_op(lambda t: t[key_t], lambda a: a[np_key_t], [x], device)


def test_repeated_indices_accumulate_gradient(device):
    x = on([1.0, 2.0, 3.0, 4.0], device)
    y = x[[0, 0, 2, 0]] * on([1.0, 2.0, 3.0, 4.0], device, requires_grad=False)
    y.sum().backward()
    assert_close(x.grad, [1.0 + 2.0 + 4.0, 0.0, 3.0, 0.0])
    m = on(np.arange(6.0).reshape(3, 2), device)
    idx = mg.tensor([[2, 2], [0, 2]], device=device)
    out = m[idx]
    assert out.shape == (2, 2, 2)
    out.sum().backward()
    assert_close(m.grad, [[1.0, 1.0], [0.0, 0.0], [3.0, 3.0]])  # row 2 taken three times
    s = on(np.arange(4.0), device)
    s.index_select(0, mg.tensor([3, 3, 3], device=device)).sum().backward()
    assert_close(s.grad, [0.0, 0.0, 0.0, 3.0])


def test_boolean_mask_indexing(device):
    x = on([[1.0, -2.0], [-3.0, 4.0]], device)
    y = x[x > 0]
    assert_close(y, [1.0, 4.0])
    (y * y).sum().backward()
    assert_close(x.grad, [[2.0, 0.0], [0.0, 8.0]])


@given_settings
@given(shape=shapes(min_dims=1), data=st.data(), on_device=st.booleans())
def test_index_select(shape, data, on_device, device):
    n = len(shape)
    dim = data.draw(st.integers(-n, n - 1), label="dim")
    size = shape[dim]
    length = data.draw(st.integers(0, 5 if size else 0), label="len")
    idx = np.array(
        data.draw(st.lists(st.integers(0, max(size - 1, 0)), min_size=length, max_size=length)),
        dtype=np.int64,
    )
    index = mg.tensor(idx, dtype=mg.int64, device=device if on_device else "cpu")
    x = data.draw(arrays(shape), label="x")
    fn = (
        (lambda t: t.index_select(dim, index))
        if data.draw(st.booleans())
        else (lambda t: mg.index_select(t, dim, index))
    )
    check_op(fn, lambda a: np.take(a, idx, axis=dim), [x], device)


# ----------------------------------------------------------------------------- joining


@st.composite
def cat_case(draw):
    base = list(draw(shapes(min_dims=1, max_dims=3)))
    dim = draw(st.integers(-len(base), len(base) - 1))
    sizes = draw(st.lists(st.integers(0, MAX_SIDE), min_size=1, max_size=3))
    result = []
    for s in sizes:
        shape = list(base)
        shape[dim] = s
        result.append(tuple(shape))
    return result, dim


@given_settings
@given(case=cat_case(), data=st.data())
def test_cat(case, data, device):
    shape_list, dim = case
    xs = [data.draw(arrays(s), label="x") for s in shape_list]
    fn = (
        (lambda *ts: mg.cat(ts, dim))
        if data.draw(st.booleans())
        else (lambda *ts: mg.cat(list(ts), dim=dim))
    )
    check_op(fn, lambda *a: np.concatenate(a, axis=dim), xs, device)


@given_settings
@given(shape=shapes(max_dims=3), count=st.integers(1, 3), data=st.data())
def test_stack(shape, count, data, device):
    n = len(shape)
    dim = data.draw(st.integers(-n - 1, n), label="dim")
    xs = [data.draw(arrays(shape), label="x") for _ in range(count)]
    check_op(lambda *ts: mg.stack(ts, dim), lambda *a: np.stack(a, axis=dim), xs, device)


def _np_pieces(a, sizes, dim):
    out, start = [], 0
    for s in sizes:
        out.append(np.take(a, np.arange(start, start + s), axis=dim))
        start += s
    return tuple(out)


@given_settings
@given(shape=shapes(min_dims=1), data=st.data())
def test_split(shape, data, device):
    n = len(shape)
    dim = data.draw(st.integers(-n, n - 1), label="dim")
    size = shape[dim]
    x = data.draw(arrays(shape), label="x")
    if data.draw(st.booleans(), label="sections"):
        sections = data.draw(st.lists(st.integers(0, size), min_size=1, max_size=3))
        assume(sum(sections) == size)
        sizes, arg = sections, sections
    else:
        arg = data.draw(st.integers(1, 4), label="split_size")
        sizes = [min(arg, size - s) for s in range(0, size, arg)] or [0]
    fn = (
        (lambda t: t.split(arg, dim))
        if data.draw(st.booleans())
        else (lambda t: mg.split(t, arg, dim=dim))
    )
    check_op(fn, lambda a: _np_pieces(a, sizes, dim), [x], device)


@given_settings
@given(shape=shapes(min_dims=1, max_side=4), data=st.data(), chunks=st.integers(1, 5))
def test_chunk(shape, data, chunks, device):
    n = len(shape)
    dim = data.draw(st.integers(-n, n - 1), label="dim")
    size = shape[dim]
    step = max(math.ceil(size / chunks), 1)
    sizes = [min(step, size - s) for s in range(0, size, step)] or [0] * chunks  # as PyTorch
    assert len(sizes) <= chunks
    x = data.draw(arrays(shape), label="x")
    check_op(lambda t: t.chunk(chunks, dim), lambda a: _np_pieces(a, sizes, dim), [x], device)
    check_op(lambda t: mg.chunk(t, chunks, dim), lambda a: _np_pieces(a, sizes, dim), [x], device)


def test_chunk_and_split_sizes_match_pytorch(device):
    x = mg.arange(10, device=device).float()
    assert [p.shape[0] for p in x.chunk(4)] == [3, 3, 3, 1]
    assert [p.shape[0] for p in x.chunk(3)] == [4, 4, 2]
    assert [p.shape[0] for p in x.chunk(6)] == [2, 2, 2, 2, 2]
    assert [p.shape[0] for p in x.split(4)] == [4, 4, 2]
    assert [p.shape[0] for p in x.split([1, 0, 9])] == [1, 0, 9]
    assert_close(x.split(4)[2], [8.0, 9.0])


# ----------------------------------------------------------------------------- ties


def test_max_of_all_elements_splits_the_gradient_evenly_among_ties(device):
    x = on([[1.0, 3.0], [3.0, 3.0]], device)
    x.max().backward()
    assert_close(x.grad, [[0.0, 1 / 3], [1 / 3, 1 / 3]])
    y = on([2.0, -1.0, -1.0], device)
    (y.min() * 4.0).backward()
    assert_close(y.grad, [0.0, 2.0, 2.0])
    z = on([[1.0, 5.0, 5.0], [7.0, 0.0, 7.0]], device)
    z.amax(dim=1).sum().backward()
    assert_close(z.grad, [[0.0, 0.5, 0.5], [0.5, 0.0, 0.5]])


def test_max_with_dim_sends_the_gradient_to_the_returned_index(device):
    x = on([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]], device)
    values, indices = x.max(dim=1)
    assert_close(values, [3.0, 2.0])
    assert indices.tolist() == [1, 0]  # the first of the tied maxima, as PyTorch
    values.sum().backward()
    assert_close(x.grad, [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    y = on([[4.0, 4.0], [-1.0, -1.0]], device)
    v, i = y.min(0, keepdim=True)
    assert v.shape == (1, 2) and i.tolist() == [[1, 1]]
    v.sum().backward()
    assert_close(y.grad, [[0.0, 0.0], [1.0, 1.0]])


def test_maximum_and_minimum_ties_give_half_to_each(device):
    a = on([1.0, 2.0, 5.0], device)
    b = on([1.0, 3.0, 5.0], device)
    mg.maximum(a, b).sum().backward()
    assert_close(a.grad, [0.5, 0.0, 0.5])
    assert_close(b.grad, [0.5, 1.0, 0.5])
    c = on([2.0, 0.0], device)
    d = on([2.0], device)  # broadcast: the tie's halves are summed back into d
    mg.minimum(c, d).sum().backward()
    assert_close(c.grad, [0.5, 1.0])
    assert_close(d.grad, [0.5])
    e = on([0.0, 1.0], device)
    e.maximum(mg.zeros(2, dtype=mg.float64, device=device)).sum().backward()
    assert_close(e.grad, [0.5, 1.0])


# ----------------------------------------------------------------------------- no gradient

COMPARE = {
    "lt": ([lambda a, b: a < b, lambda a, b: a.lt(b), mg.lt], np.less),
    "le": ([lambda a, b: a <= b, lambda a, b: a.le(b), mg.le], np.less_equal),
    "gt": ([lambda a, b: a > b, lambda a, b: a.gt(b), mg.gt], np.greater),
    "ge": ([lambda a, b: a >= b, lambda a, b: a.ge(b), mg.ge], np.greater_equal),
    "eq": ([lambda a, b: a == b, lambda a, b: a.eq(b), mg.eq], np.equal),
    "ne": ([lambda a, b: a != b, lambda a, b: a.ne(b), mg.ne], np.not_equal),
}


@pytest.mark.parametrize("name", list(COMPARE))
@given_settings
@given(shapes=broadcast_shapes(2), data=st.data(), s=grid(), how=st.integers(0, 2))
def test_comparisons_are_not_differentiable(name, shapes, data, s, how, device):
    fn, ref = COMPARE[name][0][how], COMPARE[name][1]
    sa, sb = shapes.input_shapes
    a = data.draw(grid_arrays(sa), label="a")  # the grid makes ties likely
    b = data.draw(grid_arrays(sb), label="b")
    ta, tb = on(a, device), on(b, device)
    for out, expected in [(fn(ta, tb), ref(a, b)), (fn(ta, s), ref(a, s))]:
        assert out.dtype == mg.bool and out.device == device
        assert not out.requires_grad and out.grad_fn is None
        np.testing.assert_array_equal(host(out), expected)
        assert host(out).shape == np.shape(expected)


@pytest.mark.parametrize("op", ["argmax", "argmin"])
@given_settings
@given(shape=shapes(min_dims=1, max_dims=3), data=st.data(), keepdim=st.booleans())
def test_argmax_argmin(op, shape, data, keepdim, device):
    n = len(shape)
    dim = data.draw(st.one_of(st.none(), st.integers(-n, n - 1)), label="dim")
    assume(math.prod(shape) > 0 if dim is None else shape[dim] > 0)
    x = data.draw(grid_arrays(shape), label="x")  # ties included: the first index wins
    t = on(x, device)
    out = (
        getattr(t, op)(dim, keepdim)
        if data.draw(st.booleans())
        else getattr(mg, op)(t, dim=dim, keepdim=keepdim)
    )
    expected = getattr(np, op)(x, axis=dim, keepdims=keepdim)
    assert out.dtype == mg.int64 and out.device == device
    assert not out.requires_grad and out.grad_fn is None
    np.testing.assert_array_equal(host(out), expected)
    assert host(out).shape == np.shape(expected)
