"""Element-wise math added for PyTorch compatibility (issue 10): values against NumPy,
first and second derivatives against central differences on both test devices, dtypes,
and the zero gradient of step functions."""

from __future__ import annotations

import math

import numpy as np
import pytest
from engine_helpers import (
    arrays,
    assert_close,
    broadcast_shapes,
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


def nonzero_arrays(shape, low: float = 0.5, high: float = 3.0):
    """Values with |x| in [low, high], either sign."""
    elements = st.one_of(st.floats(low, high), st.floats(-high, -low))
    return hnp.arrays(np.float64, shape, elements=elements)


def _np_erf(a):
    return np.vectorize(math.erf, otypes=[np.float64])(a)


# name: (function forms, NumPy reference, (low, high) of the values)
UNARY = {
    "sin": ([lambda x: x.sin(), mg.sin], np.sin, (-3, 3)),
    "cos": ([lambda x: x.cos(), mg.cos], np.cos, (-3, 3)),
    "tan": ([lambda x: x.tan(), mg.tan], np.tan, (-1.2, 1.2)),
    "expm1": ([lambda x: x.expm1(), mg.expm1], np.expm1, (-3, 3)),
    "exp2": ([lambda x: x.exp2(), mg.exp2], np.exp2, (-3, 3)),
    "log1p": ([lambda x: x.log1p(), mg.log1p], np.log1p, (-0.5, 3)),
    "log2": ([lambda x: x.log2(), mg.log2], np.log2, (0.2, 5)),
    "log10": ([lambda x: x.log10(), mg.log10], np.log10, (0.2, 5)),
    "rsqrt": ([lambda x: x.rsqrt(), mg.rsqrt], lambda a: 1 / np.sqrt(a), (0.2, 5)),
    "erf": ([lambda x: x.erf(), mg.erf], _np_erf, (-3.5, 3.5)),
    "square": ([lambda x: x.square(), mg.square], np.square, (-3, 3)),
}


@pytest.mark.parametrize("name", list(UNARY))
@given_settings
@given(shape=shapes(), data=st.data(), how=st.integers(0, 1))
def test_unary_math(name, shape, data, how, device):
    fns, ref, (low, high) = UNARY[name]
    check_op(fns[how], ref, [data.draw(arrays(shape, low, high))], device)


@given_settings
@given(x=nonzero_arrays(shapes()))
def test_reciprocal(x, device):
    check_op(mg.reciprocal, lambda a: 1 / a, [x], device)


@given_settings
@given(x=grid_arrays(shapes()))
def test_frac_has_gradient_one(x, device):
    check_op(lambda t: t.frac(), lambda a: a - np.trunc(a), [x], device)


@pytest.mark.parametrize("name", ["sin", "exp2", "erf", "reciprocal", "rsqrt", "log2"])
def test_integer_input_gives_float32(name, device):
    x = mg.tensor([1, 2, 3], device=device)
    out = getattr(mg, name)(x)
    assert out.dtype == mg.float32
    expected = getattr(mg, name)(x.float())
    assert_close(out, host(expected))


def test_erf_matches_math_erf_to_a_few_ulps():
    values = np.concatenate([np.linspace(-7, 7, 4001), [0.0, -0.0, 1e-300, 2.9999, 3.0, 3.0001]])
    got = host(mg.erf(mg.tensor(values)))
    np.testing.assert_allclose(got, _np_erf(values), rtol=4e-15, atol=0)
    special = host(mg.erf(mg.tensor([np.inf, -np.inf, np.nan])))
    assert special[0] == 1 and special[1] == -1 and np.isnan(special[2])


# ----------------------------------------------------------------------------- step functions
STEPS = {
    "floor": (lambda x: x.floor(), np.floor),
    "ceil": (lambda x: mg.ceil(x), np.ceil),
    "trunc": (lambda x: x.trunc(), np.trunc),
    "fix": (lambda x: mg.fix(x), np.trunc),
    "round": (lambda x: x.round(), np.round),
    "round2": (lambda x: mg.round(x, decimals=2), lambda a: np.round(a, 2)),
    "sign": (lambda x: x.sign(), np.sign),
}


@pytest.mark.parametrize("name", list(STEPS))
@given_settings
@given(x=arrays(shapes(), -5, 5))
def test_step_functions_have_zero_gradient(name, x, device):
    fn, ref = STEPS[name]
    t = on(x, device)
    out = fn(t)
    assert out.dtype == mg.float64
    assert_close(out, ref(x), rtol=0, atol=0)
    assert out.grad_fn is not None and out.grad_fn.name().endswith("Backward0")
    out.sum().backward()
    assert_close(t.grad, np.zeros_like(x), rtol=0, atol=0)


def test_round_halves_to_even_as_pytorch(device):
    x = mg.tensor([0.5, 1.5, 2.5, -0.5, -2.5], device=device)
    assert x.round().tolist() == [0.0, 2.0, 2.0, -0.0, -2.0]
    with pytest.raises(TypeError, match="decimals"):
        x.round(decimals=1.5)


@pytest.mark.parametrize("name", ["floor", "ceil", "trunc", "round", "sign"])
@pytest.mark.parametrize("dtype", [mg.int64, mg.int32, mg.uint8])
def test_step_functions_keep_integers(name, dtype, device):
    x = mg.tensor([0, 3, 7], dtype=dtype, device=device)
    out = getattr(x, name)()
    assert out.dtype == dtype
    assert host(out).tolist() == ([0, 1, 1] if name == "sign" else [0, 3, 7])


def test_sign_of_bool_is_bool_and_rounding_refuses_bools(device):
    b = mg.tensor([True, False], device=device)
    out = b.sign()
    assert out.dtype == mg.bool and out.tolist() == [True, False]
    for name in ("floor", "ceil", "trunc", "round"):
        with pytest.raises(RuntimeError, match="bool"):
            getattr(b, name)()
    assert b.square().dtype == mg.int64 and b.square().tolist() == [1, 0]


def test_integer_division_of_bools_and_by_numbers(device):
    b = mg.tensor([True, False], device=device)
    assert (b % 3).tolist() == [1, 0] and (b // 2).tolist() == [0, 0]
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        mg.tensor([4], device=device).fmod(0)
    with np.errstate(invalid="ignore"):  # NumPy warns where PyTorch is silent
        assert np.isnan(mg.tensor([4.0], device=device).fmod(0).item())


# ----------------------------------------------------------------------------- division
def away_from_steps(a, b):
    """a / b at least 0.02 away from an integer: remainder and fmod are smooth there."""
    q = np.broadcast_arrays(a, b)[0] / np.broadcast_arrays(a, b)[1]
    return bool(np.all(np.abs(q - np.round(q)) > 0.02))


@pytest.mark.parametrize(
    "fn, ref",
    [
        (lambda a, b: a % b, np.remainder),
        (lambda a, b: mg.remainder(a, b), np.remainder),
        (lambda a, b: a.fmod(b), np.fmod),
    ],
    ids=["%", "remainder", "fmod"],
)
@given_settings
@given(shapes=broadcast_shapes(2, max_dims=2), data=st.data())
def test_remainder_and_fmod(fn, ref, shapes, data, device):
    sa, sb = shapes.input_shapes
    a, b = data.draw(arrays(sa, -5, 5)), data.draw(nonzero_arrays(sb))
    assume(away_from_steps(a, b))
    check_op(fn, ref, [a, b], device)


@pytest.mark.parametrize("dtype", [mg.int64, mg.int32])
def test_integer_remainder_fmod_floor_divide_follow_python_and_c(dtype, device):
    a = mg.tensor([5, -5, 7, -7], dtype=dtype, device=device)
    assert (a % 3).tolist() == [2, 1, 1, 2]
    assert (a % -3).tolist() == [-1, -2, -2, -1]
    assert a.fmod(3).tolist() == [2, -2, 1, -1]
    assert (a // 2).tolist() == [2, -3, 3, -4]
    assert (7 % mg.tensor([3, -3], device=device)).tolist() == [1, -2]
    assert (7 // mg.tensor([2, -2], device=device)).tolist() == [3, -4]
    assert (a % 3).dtype == dtype and (a // 2).dtype == dtype
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        a % 0
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        a // mg.tensor([1, 0, 1, 1], dtype=dtype, device=device)


def test_floor_divide_floats_and_its_missing_derivative(device):
    x = mg.tensor([5.0, -5.0, 7.5], device=device, requires_grad=True)
    out = x // 2
    assert out.tolist() == [2.0, -3.0, 3.0]
    assert mg.floor_divide(x, 2.0).tolist() == [2.0, -3.0, 3.0]
    assert (7.5 // mg.tensor([2.0], device=device)).tolist() == [3.0]
    with pytest.raises(RuntimeError, match="floor_divide"):
        out.sum().backward()


# ----------------------------------------------------------------------------- combinations
@given_settings
@given(shapes=broadcast_shapes(2), data=st.data(), alpha=st.sampled_from([1, 2, -0.5]))
def test_add_sub_with_alpha(shapes, data, alpha, device):
    sa, sb = shapes.input_shapes
    a, b = data.draw(arrays(sa)), data.draw(arrays(sb))
    check_op(lambda x, y: x.add(y, alpha=alpha), lambda x, y: x + alpha * y, [a, b], device)
    check_op(lambda x, y: mg.sub(x, y, alpha=alpha), lambda x, y: x - alpha * y, [a, b], device)


@given_settings
@given(shapes=broadcast_shapes(3), data=st.data(), value=st.sampled_from([1, 0.5, -2]))
def test_addcmul_addcdiv(shapes, data, value, device):
    sa, sb, sc = shapes.input_shapes
    a, b = data.draw(arrays(sa)), data.draw(arrays(sb))
    c = data.draw(nonzero_arrays(sc))
    check_op(
        lambda x, y, z: x.addcmul(y, z, value=value),
        lambda x, y, z: x + value * y * z,
        [a, b, c],
        device,
    )
    check_op(
        lambda x, y, z: mg.addcdiv(x, y, z, value=value),
        lambda x, y, z: x + value * y / z,
        [a, b, c],
        device,
    )


def test_addcdiv_refuses_integers():
    x = mg.tensor([1.0, 2.0])
    with pytest.raises(RuntimeError, match="addcdiv"):
        x.addcdiv(mg.tensor([1, 2]), mg.tensor([3, 4]))


@given_settings
@given(shapes=broadcast_shapes(3), data=st.data(), scalar=st.floats(-1, 2))
def test_lerp_with_tensor_and_scalar_weight(shapes, data, scalar, device):
    sa, sb, sw = shapes.input_shapes
    a, b, w = data.draw(arrays(sa)), data.draw(arrays(sb)), data.draw(arrays(sw, -1, 2))
    check_op(lambda s, e, t: s.lerp(e, t), lambda s, e, t: s + t * (e - s), [a, b, w], device)
    check_op(lambda s, e: mg.lerp(s, e, scalar), lambda s, e: s + scalar * (e - s), [a, b], device)


def test_lerp_checks_dtypes():
    with pytest.raises(RuntimeError, match="dtype"):
        mg.tensor([1.0]).lerp(mg.tensor([1.0], dtype=mg.float64), 0.5)


# ----------------------------------------------------------------------------- clamp
@st.composite
def clamp_case(draw):
    """x on the grid k/16 + 1/32; bounds lo on k/8 and hi on k/8 + 1/16: never a tie
    (lo > hi happens: PyTorch then gives hi)."""
    shapes = draw(broadcast_shapes(3))
    sx, sl, sh = shapes.input_shapes
    x = draw(grid_arrays(sx))
    lo = draw(hnp.arrays(np.float64, sl, elements=st.integers(-24, 24).map(lambda k: k / 8)))
    hi = draw(hnp.arrays(np.float64, sh, elements=st.integers(-24, 24).map(lambda k: k / 8)))
    return x, lo, hi + 1 / 16


@given_settings
@given(case=clamp_case(), which=st.sampled_from(["both", "min", "max", "clip"]))
def test_clamp_with_tensor_bounds_differentiates_the_bounds(case, which, device):
    x, lo, hi = case
    if which == "both":
        check_op(
            lambda t, a, b: t.clamp(a, b),
            lambda t, a, b: np.minimum(np.maximum(t, a), b),
            [x, lo, hi],
            device,
        )
    elif which == "min":
        check_op(lambda t, a: t.clamp(min=a), np.maximum, [x, lo], device)
    elif which == "max":
        check_op(lambda t, b: mg.clamp(t, max=b), np.minimum, [x, hi], device)
    else:
        check_op(
            lambda t, a, b: mg.clip(t, a, b),
            lambda t, a, b: np.minimum(np.maximum(t, a), b),
            [x, lo, hi],
            device,
        )


def test_clamp_gradients_follow_pytorch_when_min_exceeds_max(device):
    x = on(np.array([0.5, -1.25, 2.0, 0.25]), device)
    lo = on(np.array([0.0, 0.0, 0.0, 1.0]), device)
    hi = on(np.array([1.0, -2.0, 1.0, 0.5]), device)
    out = x.clamp(lo, hi)
    assert host(out).tolist() == [0.5, -2.0, 1.0, 0.5]
    out.sum().backward()
    assert host(x.grad).tolist() == [1, 0, 0, 0]
    assert host(lo.grad).tolist() == [0, 0, 0, 0]
    assert host(hi.grad).tolist() == [0, 1, 1, 1]


def test_clamp_dtypes(device):
    ints = mg.tensor([1, 5, 3], device=device)
    assert ints.clamp(2, 4).dtype == mg.int64 and ints.clamp(2, 4).tolist() == [2, 4, 3]
    assert ints.clamp(min=2.5).dtype == mg.float32
    low = mg.tensor([2.0, 2.0, 2.0], dtype=mg.float64, device=device)
    assert ints.clamp(low).dtype == mg.float64
    with pytest.raises(RuntimeError, match="min. or .max"):
        ints.clamp()


# ----------------------------------------------------------------------------- nan_to_num
def test_nan_to_num_values_and_gradient(device):
    a = np.array([np.nan, np.inf, -np.inf, 1.5])
    x = on(a, device)
    out = x.nan_to_num()
    assert_close(out, np.nan_to_num(a), rtol=0, atol=0)
    assert_close(mg.nan_to_num(x, nan=1.0, posinf=2.0, neginf=-2.0), [1.0, 2.0, -2.0, 1.5])
    out.sum().backward()
    assert host(x.grad).tolist() == [0.0, 0.0, 0.0, 1.0]
    f32 = mg.tensor([np.inf], device=device).nan_to_num()
    assert f32.dtype == mg.float32 and f32.item() == np.finfo(np.float32).max
    assert mg.tensor([1, 2], device=device).nan_to_num().tolist() == [1, 2]


@given_settings
@given(x=arrays(shapes()))
def test_nan_to_num_is_identity_on_finite_values(x, device):
    check_op(lambda t: t.nan_to_num(), lambda a: a, [x], device)


# ----------------------------------------------------------------------------- logic
LOGICAL = {
    "logical_and": np.logical_and,
    "logical_or": np.logical_or,
    "logical_xor": np.logical_xor,
}


@pytest.mark.parametrize("name", list(LOGICAL))
@given_settings
@given(
    shapes=broadcast_shapes(2),
    data=st.data(),
    dtypes=st.tuples(*[st.sampled_from([np.bool_, np.int64, np.float64])] * 2),
)
def test_logical_ops(name, shapes, data, dtypes, device):
    sa, sb = shapes.input_shapes
    a = data.draw(hnp.arrays(np.int64, sa, elements=st.integers(0, 2))).astype(dtypes[0])
    b = data.draw(hnp.arrays(np.int64, sb, elements=st.integers(0, 2))).astype(dtypes[1])
    ta, tb = mg.tensor(a, device=device), mg.tensor(b, device=device)
    for out in (getattr(ta, name)(tb), getattr(mg, name)(ta, tb)):
        assert out.dtype == mg.bool
        np.testing.assert_array_equal(host(out), LOGICAL[name](a, b))
    np.testing.assert_array_equal(host(mg.logical_not(ta)), np.logical_not(a))


def test_bitwise_operators_on_bool_and_int(device):
    a = mg.tensor([True, True, False, False], device=device)
    b = mg.tensor([True, False, True, False], device=device)
    assert (a & b).tolist() == [True, False, False, False]
    assert (a | b).tolist() == [True, True, True, False]
    assert (a ^ b).tolist() == [False, True, True, False]
    assert (~a).tolist() == [False, False, True, True]
    assert (True & b).tolist() == (b & True).tolist() == [True, False, True, False]
    assert (False | b).tolist() == [True, False, True, False]
    assert (True ^ b).tolist() == [False, True, False, True]
    assert (a ^ b).dtype == mg.bool
    ints = mg.tensor([12, 10], device=device)
    assert (ints & 6).tolist() == [4, 2] and (ints | 1).tolist() == [13, 11]
    assert (ints ^ 6).tolist() == [10, 12] and ints.bitwise_not().tolist() == [-13, -11]
    assert mg.bitwise_xor(ints, ints).tolist() == [0, 0]


@pytest.mark.parametrize("op", [lambda a, b: a & b, lambda a, b: a | b, lambda a, b: a ^ b])
def test_bitwise_operators_refuse_floats(op):
    with pytest.raises(TypeError, match="bool and integer"):
        op(mg.tensor([1.0]), mg.tensor([1.0]))
    with pytest.raises(TypeError, match="bool and integer"):
        op(mg.tensor([True]), 1.5)


@given_settings
@given(
    x=hnp.arrays(
        np.float64, shapes(), elements=st.sampled_from([0.0, -1.5, 2.0, np.nan, np.inf, -np.inf])
    )
)
def test_isnan_isinf_isfinite(x, device):
    t = mg.tensor(x, device=device)
    for name in ("isnan", "isinf", "isfinite"):
        for out in (getattr(t, name)(), getattr(mg, name)(t)):
            assert out.dtype == mg.bool and not out.requires_grad
            np.testing.assert_array_equal(host(out), getattr(np, name)(x))


@pytest.mark.parametrize("dtype", [mg.int64, mg.uint8, mg.bool])
def test_isnan_family_on_integers(dtype, device):
    t = mg.tensor([0, 1], dtype=dtype, device=device)
    assert t.isnan().tolist() == [False, False]
    assert t.isinf().tolist() == [False, False]
    assert t.isfinite().tolist() == [True, True]


def test_allclose_isclose_equal(device):
    a = mg.tensor([1.0, np.nan, 3.0], device=device)
    b = mg.tensor([1.0 + 1e-9, np.nan, 3.0], device=device)
    assert not a.allclose(b)
    assert a.allclose(b, equal_nan=True)
    assert a.isclose(b).tolist() == [True, False, True]
    assert mg.isclose(a, b, equal_nan=True).tolist() == [True, True, True]
    assert not mg.tensor([1.0], device=device).allclose(mg.tensor([1.1], device=device))
    assert mg.tensor([1.0], device=device).allclose(mg.tensor([1.1], device=device), rtol=0.1)
    assert mg.equal(mg.tensor([1, 2], device=device), mg.tensor([1.0, 2.0], device=device))
    assert not mg.equal(mg.tensor([1, 2], device=device), mg.tensor([1, 3], device=device))
    assert not mg.tensor([1, 2], device=device).equal(mg.tensor([[1, 2]], device=device))
    with pytest.raises(TypeError, match="Tensor"):
        mg.equal(mg.tensor([1]), [1])


# ----------------------------------------------------------------------------- against PyTorch
def test_matches_pytorch_forward_and_backward():
    torch = pytest.importorskip("torch")
    a = np.array([-2.7, -1.3, -0.4, 0.3, 1.1, 2.6])
    b = np.array([1.5, -0.7, 2.2, -1.9, 0.9, 1.2])
    cases = {
        "sin": lambda m, x, y: m.sin(x),
        "tan": lambda m, x, y: m.tan(x),
        "erf": lambda m, x, y: m.erf(x),
        "expm1": lambda m, x, y: m.expm1(x),
        "exp2": lambda m, x, y: m.exp2(x),
        "rsqrt": lambda m, x, y: m.rsqrt(x.abs()),
        "remainder": lambda m, x, y: m.remainder(x, y),
        "fmod": lambda m, x, y: m.fmod(x, y),
        "lerp": lambda m, x, y: m.lerp(x, y, 0.3),
        "clamp": lambda m, x, y: m.clamp(x, min=y, max=y + 1),
        "addcdiv": lambda m, x, y: m.addcdiv(x, x, y, value=0.5),
        "frac": lambda m, x, y: m.frac(x),
    }
    for name, fn in cases.items():
        x, y = mg.tensor(a, requires_grad=True), mg.tensor(b, requires_grad=True)
        tx, ty = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
        out, tout = fn(mg, x, y), fn(torch, tx, ty)
        np.testing.assert_allclose(
            out.detach().numpy(), tout.detach().numpy(), rtol=1e-12, err_msg=name
        )
        (out * mg.tensor(a)).sum().backward()
        (tout * torch.tensor(a)).sum().backward()
        for mine, theirs in ((x, tx), (y, ty)):
            expected = np.zeros_like(a) if theirs.grad is None else theirs.grad.numpy()
            got = np.zeros_like(a) if mine.grad is None else mine.grad.numpy()
            np.testing.assert_allclose(got, expected, rtol=1e-12, err_msg=name)


def test_clamp_in_place_with_tensor_bounds(device):
    lo = mg.tensor([0.0, 0.0, 0.0], device=device)
    x = mg.tensor([0.5, -1.0, 2.0], device=device)
    assert x.clamp_(min=lo, max=mg.tensor(1.0, device=device)).tolist() == [0.5, 0.0, 1.0]
    leaf = on(np.array([0.5, -1.0, 2.0]), device)
    y = leaf * 2
    y.clip_(lo.double(), 1.5)
    assert host(y).tolist() == [1.0, 0.0, 1.5]
    y.sum().backward()
    assert host(leaf.grad).tolist() == [2.0, 0.0, 0.0]
