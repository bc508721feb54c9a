"""PyTorch's type promotion and argument conventions where minigrad differed: ``std(x, False)``,
true division with a float operand, the zero-dim rule in bitwise ops, ``bool ** 2``,
reductions' ``dtype=``, ``result_type``, NumPy scalars in ``tensor([...])``, ``Tensor()``,
the exceptions of scalar conversion and ``@``, and ``broadcast_shapes``.

The expected dtypes and values are written out (PyTorch 2.x's); the tests that compare with
PyTorch itself skip without it.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from engine_helpers import given_settings
from hypothesis import given
from hypothesis import strategies as st

import minigrad as mg

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]
NUMBERS = [True, 2, 2.5]


def make(lib, name: str, zero_dim: bool, device: str = "cpu"):
    """A small tensor of dtype ``name`` (0-d with ``zero_dim``), of minigrad or torch."""
    values = [True, False] if name == "bool" else [1, 2]
    data = values[0] if zero_dim else values
    if lib is mg:
        return mg.tensor(data, dtype=getattr(mg, name), device=device)
    return lib.tensor(data, dtype=getattr(lib, name))


def operands(lib):
    """Every dtype as an n-d and a 0-d tensor, and a Python bool, int and float."""
    for name in DTYPES:
        for zero_dim in (False, True):
            yield f"{name}{'()' if zero_dim else '[2]'}", make(lib, name, zero_dim)
    for number in NUMBERS:
        yield repr(number), number


def outcome(fn, a, b) -> str:
    """The dtype name of ``fn(a, b)``, or the exception's type name."""
    try:
        return str(fn(a, b).dtype).removeprefix("torch.")
    except Exception as exc:  # noqa: BLE001  (the type is the point)
        return type(exc).__name__


def compare_with_torch(torch, fn, skip_torch_errors: bool = False) -> list[str]:
    """Where ``fn`` on every pair of operands gives another dtype (or error) than PyTorch's."""
    differences = []
    pairs = zip(operands(torch), operands(mg), strict=True)
    for ((name_a, ta), (_, ma)), ((name_b, tb), (_, mb)) in itertools.product(
        list(pairs), repeat=2
    ):
        if not isinstance(ta, torch.Tensor) and not isinstance(tb, torch.Tensor):
            continue
        want, got = outcome(fn, ta, tb), outcome(fn, ma, mb)
        if skip_torch_errors and want.endswith("Error"):
            continue  # PyTorch refuses (an op not implemented for a dtype): minigrad may not
        if want != got:
            differences.append(f"{name_a}, {name_b}: torch {want}, minigrad {got}")
    return differences


# ---------------------------------------------------------------------- 1. std/var(x, unbiased)
DATA = [[1.0, 2.0], [3.0, 5.0]]


def test_a_bool_first_argument_of_std_and_var_is_unbiased():
    x = mg.tensor(DATA)
    assert x.std(False).shape == () and x.var(True).shape == ()
    np.testing.assert_allclose(x.std(True).item(), 1.7078251, rtol=1e-6)
    np.testing.assert_allclose(x.std(False).item(), 1.4790199, rtol=1e-6)
    np.testing.assert_allclose(x.var(False).item(), 2.1875, rtol=1e-6)
    np.testing.assert_allclose(x.var(True).item(), 2.9166667, rtol=1e-6)
    np.testing.assert_allclose(mg.std(x, False).item(), 1.4790199, rtol=1e-6)
    np.testing.assert_allclose(mg.var(x, False).item(), 2.1875, rtol=1e-6)
    var, mean = mg.var_mean(x, False)
    np.testing.assert_allclose([var.item(), mean.item()], [2.1875, 2.75], rtol=1e-6)
    std, mean = mg.std_mean(x, True)
    np.testing.assert_allclose([std.item(), mean.item()], [1.7078251, 2.75], rtol=1e-6)
    std, mean = x.std_mean(False)
    np.testing.assert_allclose([std.item(), mean.item()], [1.4790199, 2.75], rtol=1e-6)
    # an int is still dim; dim and unbiased positionally too
    np.testing.assert_allclose(x.std(0, True).tolist(), [1.4142135, 2.1213203], rtol=1e-6)
    np.testing.assert_allclose(mg.std(x, 1).tolist(), [0.7071068, 1.4142135], rtol=1e-6)


def test_a_bool_first_argument_of_std_takes_nothing_else():
    x = mg.tensor(DATA)
    for call in (lambda: x.std(True, True), lambda: x.var(False, keepdim=True)):
        with pytest.raises(TypeError, match="unbiased"):
            call()
    with pytest.raises(TypeError):
        x.std(True, correction=0)


def test_a_bool_first_argument_of_std_keeps_the_gradient():
    x = mg.tensor(DATA, requires_grad=True)
    x.var(False).backward()
    # d/dx mean((x - m)^2) = 2 (x - m) / N
    np.testing.assert_allclose(x.grad.tolist(), [[-0.875, -0.375], [0.125, 1.125]], rtol=1e-6)


def test_std_var_positional_bool_matches_torch():
    torch = pytest.importorskip("torch")
    ours, theirs = mg.tensor(DATA), torch.tensor(DATA)
    for name, unbiased in itertools.product(("std", "var", "std_mean", "var_mean"), (True, False)):
        got = getattr(mg, name)(ours, unbiased)
        want = getattr(torch, name)(theirs, unbiased)
        got, want = (got, want) if isinstance(got, tuple) else ((got,), (want,))
        for g, w in zip(got, want, strict=True):
            np.testing.assert_allclose(g.tolist(), w.tolist(), rtol=1e-6)
    np.testing.assert_allclose(ours.std(False).item(), theirs.std(False).item(), rtol=1e-6)
    np.testing.assert_allclose(ours.var(True).item(), theirs.var(True).item(), rtol=1e-6)


# ---------------------------------------------------------------------- 2. true division
DIVISIONS = {
    "/": lambda a, b: a / b,
    "div": mg.div,
    "true_divide": mg.true_divide,
    "atan2": mg.atan2,
    "hypot": mg.hypot,
    "logaddexp": mg.logaddexp,
    "xlogy": mg.xlogy,
}

# (a dtype, a 0-d?, b dtype or a number, b 0-d?) -> result dtype
DIVISION_CASES = [
    ("int64", False, "float64", True, "float64"),
    ("int32", False, "float16", False, "float16"),
    ("int32", False, "float16", True, "float16"),
    ("int32", True, "float16", True, "float16"),
    ("bool", False, "float64", True, "float64"),
    ("uint8", False, "float64", False, "float64"),
    ("int64", False, "int64", False, "float32"),
    ("int8", False, "uint8", True, "float32"),
    ("bool", False, "bool", False, "float32"),
    ("float16", False, "int64", False, "float16"),
    ("float16", False, "float64", True, "float16"),
    ("float32", True, "float64", True, "float64"),
    ("int64", False, 2.5, None, "float32"),
    ("int64", False, 2, None, "float32"),
    ("float16", False, 2.5, None, "float16"),
    ("float64", True, 2, None, "float64"),
]


@pytest.mark.parametrize("op", list(DIVISIONS))
@pytest.mark.parametrize("case", DIVISION_CASES, ids=str)
def test_float_results_take_the_promoted_float_dtype(op, case, device):
    a_name, a_zero, b, b_zero, want = case
    a = make(mg, a_name, a_zero, device)
    b = make(mg, b, b_zero, device) if isinstance(b, str) else b
    assert DIVISIONS[op](a, b).dtype == getattr(mg, want)
    if isinstance(b, mg.Tensor):  # the other way round too
        assert DIVISIONS[op](b, a).dtype == getattr(mg, want)


def test_true_division_values_in_the_float_operands_dtype():
    out = mg.tensor([1, 3]) / mg.tensor(2.0, dtype=mg.float64)
    assert out.dtype == mg.float64 and out.tolist() == [0.5, 1.5]
    out = mg.tensor([1, 3], dtype=mg.int32) / mg.tensor([4.0, 8.0], dtype=mg.float16)
    assert out.dtype == mg.float16 and out.tolist() == [0.25, 0.375]
    out = 3 / mg.tensor([2], dtype=mg.int8)
    assert out.dtype == mg.float32 and out.tolist() == [1.5]
    # an int out of the integer dtype's range is divided as it is (it becomes a float)
    out = mg.tensor([1], dtype=mg.int8) / 200
    assert out.dtype == mg.float32 and out.tolist() == [pytest.approx(0.005)]


def test_integer_true_division_follows_the_default_dtype():
    mg.set_default_dtype(mg.float64)
    try:
        assert (mg.tensor([1]) / mg.tensor([2])).dtype == mg.float64
        assert (mg.tensor([1]) / 2).dtype == mg.float64
        assert (mg.tensor([1]) / mg.tensor(2.0, dtype=mg.float16)).dtype == mg.float16
    finally:
        mg.set_default_dtype(mg.float32)
    assert (mg.tensor([1]) / 2).dtype == mg.float32


def test_division_gradient_reaches_a_float64_zero_dim_divisor():
    b = mg.tensor(2.0, dtype=mg.float64, requires_grad=True)
    (mg.tensor([1, 3]) / b).sum().backward()
    assert b.grad.dtype == mg.float64
    np.testing.assert_allclose(b.grad.item(), -(1 + 3) / 4)


@pytest.mark.parametrize("op", ["div", "true_divide", "atan2", "hypot", "logaddexp", "xlogy"])
def test_float_result_dtypes_match_torch(op):
    torch = pytest.importorskip("torch")

    def fn(a, b):
        lib = torch if isinstance(a, torch.Tensor) or isinstance(b, torch.Tensor) else mg
        if not isinstance(a, lib.Tensor):
            raise TypeError("a number first")  # PyTorch's functions want a tensor first
        return getattr(lib, op)(a, b)

    # PyTorch refuses some (hypot of integers, atan2 with a number): minigrad accepts them
    assert compare_with_torch(torch, fn, skip_torch_errors=True) == []
    assert compare_with_torch(torch, lambda a, b: a / b) == []


# ---------------------------------------------------------------------- 3. bitwise ops
BITWISE = {
    "&": lambda a, b: a & b,
    "|": lambda a, b: a | b,
    "^": lambda a, b: a ^ b,
    "bitwise_and": mg.bitwise_and,
    "<<": lambda a, b: a << b,
    ">>": lambda a, b: a >> b,
}

BITWISE_CASES = [
    ("int32", False, "int64", True, "int32"),
    ("uint8", False, "int8", True, "uint8"),
    ("uint8", True, "int8", False, "int8"),
    ("uint8", False, "int8", False, "int16"),
    ("int16", True, "int64", True, "int64"),
    ("int8", False, 5, None, "int8"),
]


@pytest.mark.parametrize("op", list(BITWISE))
@pytest.mark.parametrize("case", BITWISE_CASES, ids=str)
def test_bitwise_ops_keep_the_dimensioned_operands_dtype(op, case, device):
    a_name, a_zero, b, b_zero, want = case
    a = make(mg, a_name, a_zero, device)
    b = make(mg, b, b_zero, device) if isinstance(b, str) else b
    assert BITWISE[op](a, b).dtype == getattr(mg, want)


def test_bitwise_values_and_bools():
    a = mg.tensor([12, 10], dtype=mg.int32)
    out = a & mg.tensor(6)
    assert out.dtype == mg.int32 and out.tolist() == [4, 2]
    out = mg.tensor([True, False]) | mg.tensor(2, dtype=mg.int8)
    assert out.dtype == mg.int8 and out.tolist() == [3, 2]
    out = mg.tensor([True, False]) ^ True
    assert out.dtype == mg.bool and out.tolist() == [False, True]
    # an int out of the dtype's range wraps as in PyTorch's arithmetic: 200 is -56 in int8
    out = mg.tensor([1, -1], dtype=mg.int8) & 200
    assert out.dtype == mg.int8 and out.tolist() == [0, -56]


def test_bitwise_dtypes_match_torch():
    torch = pytest.importorskip("torch")
    for symbol in ("&", "|", "^", "<<", ">>"):
        fn = eval(f"lambda a, b: a {symbol} b")
        # PyTorch raises NotImplementedError for floats, minigrad TypeError
        assert compare_with_torch(torch, fn, skip_torch_errors=True) == [], symbol


# ---------------------------------------------------------------------- 4. pow
POW_CASES = [
    ("bool", False, 2, "int64"),
    ("bool", True, 2, "int64"),
    ("bool", False, True, "bool"),
    ("bool", False, 2.5, "float32"),
    ("int8", False, 2, "int8"),
    ("int8", False, True, "int8"),
    ("int32", False, 0.5, "float32"),
    ("float16", False, 2, "float16"),
    ("float16", False, 2.5, "float16"),
]


@pytest.mark.parametrize("case", POW_CASES, ids=str)
def test_pow_with_a_number_dtypes(case, device):
    a_name, zero_dim, exponent, want = case
    assert (make(mg, a_name, zero_dim, device) ** exponent).dtype == getattr(mg, want)


def test_pow_values_of_bools_and_tensors():
    b = mg.tensor([True, False])
    assert (b**2).tolist() == [1, 0] and (b**2).dtype == mg.int64
    assert (b**True).tolist() == [True, False] and (b**True).dtype == mg.bool
    assert (b**False).tolist() == [True, True] and (b**False).dtype == mg.bool
    assert (2**b).tolist() == [2, 1] and (2**b).dtype == mg.int64
    assert (2.5 ** mg.tensor([2], dtype=mg.int8)).dtype == mg.float32
    out = mg.tensor([2], dtype=mg.int32) ** mg.tensor(0.5, dtype=mg.float64)
    assert out.dtype == mg.float64
    out = mg.tensor([2.0], dtype=mg.float16) ** mg.tensor(2, dtype=mg.int64)
    assert out.dtype == mg.float16 and out.tolist() == [4.0]
    with pytest.raises(NotImplementedError):
        b ** mg.tensor([True, True])
    with pytest.raises(NotImplementedError):
        True**b
    with pytest.raises(RuntimeError, match="overflow"):
        mg.tensor([1], dtype=mg.uint8) ** 300


def test_pow_dtypes_match_torch():
    torch = pytest.importorskip("torch")
    assert compare_with_torch(torch, lambda a, b: a**b) == []


# ---------------------------------------------------------------------- 5. reductions' dtype=
def test_sum_like_reductions_take_the_asked_dtype():
    b = mg.tensor([True, True, False])
    i = mg.tensor([1, 2, 3], dtype=mg.int8)
    out = b.sum(dtype=mg.bool)
    assert out.dtype == mg.bool and out.item() is True
    assert mg.tensor([False, False]).sum(dtype=mg.bool).item() is False
    out = i.sum(dtype=mg.float64)
    assert out.dtype == mg.float64 and out.item() == 6.0
    assert i.sum(dtype=mg.int8).dtype == mg.int8 and i.sum(dtype=mg.int32).dtype == mg.int32
    assert mg.tensor([100, 100], dtype=mg.int8).sum(dtype=mg.int8).item() == -56  # wraps
    assert b.prod(dtype=mg.bool).item() is False and i.prod(dtype=mg.int16).dtype == mg.int16
    out = i.cumsum(0, dtype=mg.float16)
    assert out.dtype == mg.float16 and out.tolist() == [1.0, 3.0, 6.0]
    assert b.cumsum(0, dtype=mg.int32).tolist() == [1, 2, 2]
    assert i.cumprod(0, dtype=mg.uint8).dtype == mg.uint8
    assert b.nansum(dtype=mg.bool).item() is True and i.nansum(dtype=mg.float64).item() == 6.0
    assert mg.tensor([1.5, 2.5]).sum(dtype=mg.int8).item() == 3  # cast first, then summed
    assert b.mean(dtype=mg.float64).dtype == mg.float64
    assert i.mean(dtype=mg.float16).item() == 2.0
    with pytest.raises(RuntimeError):
        i.mean(dtype=mg.int32)
    with pytest.raises(NotImplementedError):
        i.cumsum(0, dtype=mg.bool)
    # without dtype: integers and bools as int64, as before
    assert b.sum().dtype == mg.int64 and i.cumsum(0).dtype == mg.int64


def test_sum_with_dtype_keeps_the_gradient():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    out = x.sum(dtype=mg.float64)
    out.backward()
    assert out.dtype == mg.float64 and x.grad.dtype == mg.float32 and x.grad.tolist() == [1, 1]


def test_reduction_dtypes_match_torch():
    torch = pytest.importorskip("torch")

    def run(lib):
        results = []
        inputs = [
            lib.tensor([True, True, False]),
            lib.tensor([1, 2, 3], dtype=lib.int8),
            lib.tensor([1.5, 2.5]),
        ]
        names = ["bool", "int8", "int32", "int64", "float16", "float64", "uint8", None]
        for op in ("sum", "prod", "cumsum", "cumprod", "nansum", "mean"):
            for x, name in itertools.product(inputs, names):
                dtype = getattr(lib, name) if name else None
                try:
                    fn = getattr(x, op)
                    out = fn(0, dtype=dtype) if op.startswith("cum") else fn(dtype=dtype)
                    results.append((op, name, str(out.dtype).removeprefix("torch."), out.tolist()))
                except Exception as exc:  # noqa: BLE001
                    results.append((op, name, type(exc).__name__))
        return results

    for theirs, ours in zip(run(torch), run(mg), strict=True):
        if theirs[2] == "RuntimeError" and ours[2] == "RuntimeError":
            continue
        assert theirs[:3] == ours[:3] and np.allclose(theirs[3:], ours[3:], rtol=1e-3), (
            theirs,
            ours,
        )


# ---------------------------------------------------------------------- 6. result_type
RESULT_TYPES = [
    (("bool", False), 0, "int64"),
    (("bool", False), True, "bool"),
    (("bool", False), 0.5, "float32"),
    (("int8", False), 1000, "int8"),
    (("int8", False), 0.5, "float32"),
    (("float16", False), 0.5, "float16"),
    (("int32", False), ("int64", True), "int32"),
    (("int32", False), ("float64", True), "float64"),
    (("uint8", False), ("int8", True), "uint8"),
    (("uint8", True), ("int8", True), "int16"),
    (("bool", False), ("int8", True), "int8"),
    (("float32", False), ("float64", True), "float32"),
    (("int64", True), 2.5, "float32"),
    ((True,), 2, "int64"),
    ((2,), 2.5, "float32"),
    ((True,), True, "bool"),
]


@pytest.mark.parametrize("case", RESULT_TYPES, ids=str)
def test_result_type_table(case):
    first, second, want = case
    a = make(mg, *first) if len(first) == 2 else first[0]
    b = make(mg, *second) if isinstance(second, tuple) else second
    assert mg.result_type(a, b) == getattr(mg, want)
    assert mg.result_type(b, a) == getattr(mg, want)


OPERAND_SPECS = st.one_of(
    st.tuples(st.sampled_from(DTYPES), st.booleans()),
    st.sampled_from([(n,) for n in NUMBERS]),
)


@given_settings
@given(first=OPERAND_SPECS, second=OPERAND_SPECS)
def test_result_type_is_the_dtype_of_the_arithmetic(first, second):
    a = make(mg, *first) if len(first) == 2 else first[0]
    b = make(mg, *second) if len(second) == 2 else second[0]
    if not isinstance(a, mg.Tensor) and not isinstance(b, mg.Tensor):
        return
    want = mg.result_type(a, b)
    assert (a + b).dtype == want and (b * a).dtype == want
    assert (a / b).dtype == (want if want.kind == "f" else mg.get_default_dtype())
    if want.kind in "biu":
        assert (a & b).dtype == want and (b | a).dtype == want


def test_result_type_matches_torch():
    torch = pytest.importorskip("torch")

    def fn(a, b):
        return type(
            "R",
            (),
            {
                "dtype": (
                    torch if isinstance(a, torch.Tensor) or isinstance(b, torch.Tensor) else mg
                ).result_type(a, b)
            },
        )

    assert compare_with_torch(torch, fn) == []
    for a, b in itertools.product(NUMBERS, repeat=2):
        assert str(mg.result_type(a, b)) == str(torch.result_type(a, b)).removeprefix("torch.")


def test_arithmetic_dtypes_match_torch():
    torch = pytest.importorskip("torch")
    for symbol in ("+", "*", "-", "//", "%"):
        fn = eval(f"lambda a, b: a {symbol} b")
        # (PyTorch's NotImplementedError for bool // bool is minigrad's RuntimeError)
        assert compare_with_torch(torch, fn, skip_torch_errors=symbol in "//%") == [], symbol


# ---------------------------------------------------------------------- 7. NumPy scalars in lists
LISTS = [
    ([np.float64(1.5), 2.0], "float64"),
    ((np.float64(1.5),), "float64"),
    ([1, np.float64(2.5)], "float64"),
    ([[np.float64(1)], [2.0]], "float64"),
    ([np.float32(1.5), 2.0], "float32"),
    ([np.float32(1), np.float64(2)], "float64"),
    ([np.float16(1), 2], "float16"),
    ([np.float16(1), np.float32(2)], "float32"),
    ([np.int32(1), 2], "int64"),
    ([np.int32(1), True], "int32"),
    ([np.int32(1), 2.5], "float32"),
    ([np.int64(1), 2.0], "float32"),
    ([np.int8(1), np.int16(2)], "int16"),
    ([np.uint8(1), np.int8(2)], "int16"),
    ([np.bool_(True), True], "bool"),
    ([np.array([1.5]), np.array([2.5])], "float64"),
    ([np.array([1, 2], dtype=np.int32), [3, 4]], "int64"),
    ([1.5, 2], "float32"),
    ([True, 2], "int64"),
    ([], "float32"),
]


@pytest.mark.parametrize("data, want", LISTS, ids=str)
def test_numpy_scalars_in_a_list_keep_their_dtype(data, want):
    out = mg.tensor(data)
    assert out.dtype == getattr(mg, want)
    np.testing.assert_array_equal(out.numpy(), np.array(data, dtype=want))


def test_tensors_in_a_list_keep_their_dtype():
    out = mg.tensor([mg.tensor(1.5, dtype=mg.float64), mg.tensor(2.0, dtype=mg.float64)])
    assert out.dtype == mg.float64 and out.tolist() == [1.5, 2.0]
    assert (
        mg.tensor(np.float64(1.5)).dtype == mg.float64 and mg.tensor(np.int32(1)).dtype == mg.int32
    )


@pytest.mark.filterwarnings("ignore:Creating a tensor from a list of numpy.ndarrays")
def test_list_dtypes_match_torch():
    torch = pytest.importorskip("torch")
    for data, _ in LISTS:
        assert str(mg.tensor(data).dtype) == str(torch.tensor(data).dtype).removeprefix("torch.")


# ---------------------------------------------------------------------- 8. Tensor()
def test_legacy_constructor_without_arguments_is_empty_1d():
    empty = mg.Tensor()
    assert empty.shape == (0,) and empty.dtype == mg.float32 and empty.tolist() == []
    acc = mg.Tensor()
    for step in range(3):
        acc = mg.cat([acc, mg.tensor([float(step)])])
    assert acc.tolist() == [0.0, 1.0, 2.0]
    assert mg.Tensor(2, 3).shape == (2, 3) and mg.Tensor(2, 3).dtype == mg.float32
    assert mg.Tensor(mg.Size([2, 3])).shape == (2, 3)
    assert mg.Tensor(0).shape == (0,)
    data = mg.Tensor([1, 2])
    assert data.dtype == mg.float32 and data.tolist() == [1.0, 2.0]


# ---------------------------------------------------------------------- 9. exceptions
def test_scalar_conversions_of_many_elements_raise_as_pytorch():
    t = mg.tensor([1.0, 2.0])
    for convert in (float, int, complex):
        with pytest.raises(ValueError, match="only one element tensors"):
            convert(t)
    with pytest.raises(ValueError):
        float(mg.tensor([]))
    with pytest.raises(RuntimeError, match="cannot be converted to Scalar"):
        t.item()
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(t)
    assert float(mg.tensor([2.5])) == 2.5 and int(mg.tensor(3)) == 3


def test_matmul_with_a_number_is_a_type_error():
    t = mg.tensor([1.0, 2.0])
    for call in (lambda: t @ 2, lambda: 2 @ t, lambda: t @ 2.5, lambda: t.matmul(2)):
        with pytest.raises(TypeError):
            call()


def test_subtraction_with_bools_raises_runtime_error():
    b = mg.tensor([True, False])
    for call in (lambda: True - b, lambda: b - True, lambda: b - b, lambda: 1 - b):
        with pytest.raises(RuntimeError, match="Subtraction"):
            call()
    with pytest.raises(RuntimeError, match="Subtraction"):
        mg.tensor([1.0]) - b
    assert (mg.tensor([3]) - 1).tolist() == [2]


def test_integers_out_of_range_wrap_in_arithmetic_and_raise_elsewhere():
    assert (mg.tensor([1], dtype=mg.uint8) + (-1)).tolist() == [0]
    assert (mg.tensor([1], dtype=mg.int8) + 200).tolist() == [-55]
    assert (mg.tensor([1], dtype=mg.int8) * 300).tolist() == [44]
    assert (mg.tensor([1], dtype=mg.uint8) - 300).tolist() == [213]
    assert (mg.tensor([5], dtype=mg.uint8) // (-1)).tolist() == [0]
    assert (mg.tensor([1], dtype=mg.int32) + 2**40).tolist() == [1]
    assert (mg.tensor([1]) + 2**63).tolist() == [-(2**63) + 1]
    assert (mg.tensor([1], dtype=mg.int8) + 200).dtype == mg.int8
    with pytest.raises(RuntimeError, match="overflow"):
        mg.tensor([1], dtype=mg.int8) + 2**64
    with pytest.raises(RuntimeError, match="overflow"):
        mg.tensor([1], dtype=mg.int8).clamp(max=200)


def test_exceptions_match_torch():
    torch = pytest.importorskip("torch")
    calls = [
        "float(L.tensor([1.0, 2.0]))",
        "int(L.tensor([1.0, 2.0]))",
        "bool(L.tensor([1.0, 2.0]))",
        "L.tensor([1.0, 2.0]).item()",
        "L.tensor([1.0, 2.0]) @ 2",
        "2 @ L.tensor([1.0, 2.0])",
        "True - L.tensor([True])",
        "L.tensor([True]) - 1",
        "L.tensor([1], dtype=L.uint8) ** 300",
        "L.tensor([1], dtype=L.int8).clamp(max=200)",
    ]
    for call in calls:
        errors = []
        for lib in (torch, mg):
            try:
                eval(call, {"L": lib})
                errors.append(None)
            except Exception as exc:  # noqa: BLE001
                errors.append(type(exc))
        assert errors[0] is errors[1], call
    for call in ("L.tensor([1], dtype=L.uint8) + (-1)", "L.tensor([1], dtype=L.int8) + 200"):
        ours, theirs = eval(call, {"L": mg}), eval(call, {"L": torch})
        assert ours.tolist() == theirs.tolist()


# ---------------------------------------------------------------------- 10. broadcast_shapes
def test_broadcast_shapes_returns_a_size():
    shape = mg.broadcast_shapes((2, 1), (3,))
    assert isinstance(shape, mg.Size) and shape == (2, 3)
    assert isinstance(mg.broadcast_shapes(), mg.Size) and mg.broadcast_shapes(3) == (3,)
    assert repr(shape) == "minigrad.Size([2, 3])"
