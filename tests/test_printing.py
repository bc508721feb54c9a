"""repr/str of tensors as PyTorch 2.13 prints them, and set_printoptions.

The expected strings are PyTorch's output for the same data (with ``torch.``
written ``minigrad.``); an optional test compares with torch itself on generated data.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad as mg
from minigrad import nn
from minigrad._printing import get_printoptions


@pytest.fixture(autouse=True)
def _default_print_options():
    """Every test starts and ends with the default options."""
    mg.set_printoptions(profile="default")
    yield
    mg.set_printoptions(profile="default")
    mg.set_default_dtype(mg.float32)
    mg.set_default_device("cpu")


@pytest.mark.parametrize(
    ("data", "dtype", "expected"),
    [
        ([1, 2, 3], None, "tensor([1, 2, 3])"),
        ([[1, -2], [300, 4]], None, "tensor([[  1,  -2],\n        [300,   4]])"),
        ([1.0, 2.0], None, "tensor([1., 2.])"),
        ([-1.0, 20.0], None, "tensor([-1., 20.])"),
        ([1.5, 2.25], None, "tensor([1.5000, 2.2500])"),
        ([0.1, -12.3456789], None, "tensor([  0.1000, -12.3457])"),
        ([1e-5, 1.0], None, "tensor([1.0000e-05, 1.0000e+00])"),
        ([1e-4, 1.0], None, "tensor([1.0000e-04, 1.0000e+00])"),
        ([1001.0, 1.0], None, "tensor([1.0010e+03, 1.0000e+00])"),
        ([1000.0, 1.0], None, "tensor([1000.,    1.])"),
        ([100.0, 0.5], None, "tensor([100.0000,   0.5000])"),
        ([1000.0, 0.5], None, "tensor([1.0000e+03, 5.0000e-01])"),
        ([1e9, 1e9], None, "tensor([1.0000e+09, 1.0000e+09])"),
        ([0.0, 0.0], None, "tensor([0., 0.])"),
        ([float("nan"), 1.5], None, "tensor([   nan, 1.5000])"),
        ([float("inf"), -float("inf"), 1.0], None, "tensor([inf, -inf, 1.])"),
        ([float("nan")], None, "tensor([nan])"),
        (3.5, None, "tensor(3.5000)"),
        (3.0, None, "tensor(3.)"),
        (1e-7, None, "tensor(1.0000e-07)"),
        (7, None, "tensor(7)"),
        ([True, False], None, "tensor([ True, False])"),
        (True, None, "tensor(True)"),
        ([1.5, 2.0], mg.float64, "tensor([1.5000, 2.0000], dtype=minigrad.float64)"),
        ([1.0, 2.0], mg.float16, "tensor([1., 2.], dtype=minigrad.float16)"),
        ([0.1], mg.float16, "tensor([0.1000], dtype=minigrad.float16)"),
        ([1, 2], mg.int32, "tensor([1, 2], dtype=minigrad.int32)"),
        ([255, 0], mg.uint8, "tensor([255,   0], dtype=minigrad.uint8)"),
        (0.5, mg.float64, "tensor(0.5000, dtype=minigrad.float64)"),
    ],
)
def test_repr_matches_pytorch(data, dtype, expected):
    t = mg.tensor(data, dtype=dtype)
    assert repr(t) == expected
    assert str(t) == expected


def test_empty_tensors_show_their_size_and_dtype():
    assert repr(mg.zeros(0)) == "tensor([])"
    assert repr(mg.zeros(0, 3)) == "tensor([], size=(0, 3))"
    assert repr(mg.zeros(2, 0, 3)) == "tensor([], size=(2, 0, 3))"
    assert repr(mg.zeros(0, dtype=mg.int64)) == "tensor([], dtype=minigrad.int64)"
    assert repr(mg.zeros(0, 3, dtype=mg.bool)) == "tensor([], size=(0, 3), dtype=minigrad.bool)"


def test_nested_dimensions_are_separated_by_blank_lines():
    x = mg.arange(12.0).reshape(2, 2, 3)
    assert repr(x) == (
        "tensor([[[ 0.,  1.,  2.],\n"
        "         [ 3.,  4.,  5.]],\n"
        "\n"
        "        [[ 6.,  7.,  8.],\n"
        "         [ 9., 10., 11.]]])"
    )


def test_long_rows_wrap_at_the_line_width():
    x = mg.arange(0, 1, 0.1)
    assert repr(x) == (
        "tensor([0.0000, 0.1000, 0.2000, 0.3000, 0.4000, 0.5000, 0.6000, 0.7000, 0.8000,\n"
        "        0.9000])"
    )


def test_big_tensors_are_summarised_with_edge_items():
    assert repr(mg.arange(2000)) == "tensor([   0,    1,    2,  ..., 1997, 1998, 1999])"
    x = mg.arange(500.0, 2500.0).reshape(20, 100)
    assert repr(x) == (
        "tensor([[ 500.,  501.,  502.,  ...,  597.,  598.,  599.],\n"
        "        [ 600.,  601.,  602.,  ...,  697.,  698.,  699.],\n"
        "        [ 700.,  701.,  702.,  ...,  797.,  798.,  799.],\n"
        "        ...,\n"
        "        [2200., 2201., 2202.,  ..., 2297., 2298., 2299.],\n"
        "        [2300., 2301., 2302.,  ..., 2397., 2398., 2399.],\n"
        "        [2400., 2401., 2402.,  ..., 2497., 2498., 2499.]])"
    )
    # the formatter looks only at the shown values: 1000 is not among them here
    assert repr(mg.arange(1001.0)) == "tensor([   0.,    1.,    2.,  ...,  998.,  999., 1000.])"


def test_autograd_suffixes():
    x = mg.tensor([1.5, 2.0], requires_grad=True)
    assert repr(x) == "tensor([1.5000, 2.0000], requires_grad=True)"
    assert repr(x * 2) == "tensor([3., 4.], grad_fn=<MulBackward0>)"
    assert repr((x * 1e6).sum()) == "tensor(3500000., grad_fn=<SumBackward0>)"
    assert repr(x.detach()) == "tensor([1.5000, 2.0000])"
    assert repr(nn.Parameter(mg.ones(2))) == (
        "Parameter containing:\ntensor([1., 1.], requires_grad=True)"
    )


def test_a_suffix_that_would_pass_the_line_width_goes_on_a_new_line():
    x = mg.arange(0.5, 8.5, dtype=mg.float64)
    assert repr(x) == (
        "tensor([0.5000, 1.5000, 2.5000, 3.5000, 4.5000, 5.5000, 6.5000, 7.5000],\n"
        "       dtype=minigrad.float64)"
    )


def test_device_is_shown_when_not_the_default_device():
    assert repr(mg.tensor([1, 2], device="cuda")) == "tensor([1, 2], device='cuda:0')"
    x = mg.tensor([1.0], device="cuda", requires_grad=True)
    assert repr(x) == "tensor([1.], device='cuda:0', requires_grad=True)"
    mg.set_default_device("cuda")
    assert repr(mg.tensor([1, 2])) == "tensor([1, 2])"
    assert repr(mg.tensor([1, 2], device="cpu")) == "tensor([1, 2], device='cpu')"


def test_dtype_is_shown_when_not_the_default_float_dtype():
    mg.set_default_dtype(mg.float64)
    assert repr(mg.tensor([1.5])) == "tensor([1.5000])"
    assert repr(mg.tensor([1.5], dtype=mg.float32)) == "tensor([1.5000], dtype=minigrad.float32)"
    assert repr(mg.zeros(0, dtype=mg.float32)) == "tensor([], dtype=minigrad.float32)"


def test_format_spec_of_a_0d_tensor():
    loss = mg.tensor(0.123456)
    assert f"{loss:.3f}" == "0.123"
    assert f"{mg.tensor(3):>4}" == "   3"
    assert f"{mg.tensor([1.0, 2.0])}" == "tensor([1., 2.])"
    with pytest.raises(TypeError):
        f"{mg.tensor([1.0, 2.0]):.2f}"


class TestSetPrintoptions:
    def test_precision(self):
        mg.set_printoptions(precision=2)
        assert repr(mg.tensor([1.2345, 2.0])) == "tensor([1.23, 2.00])"
        assert repr(mg.tensor([1e-5, 1.0])) == "tensor([1.00e-05, 1.00e+00])"

    def test_sci_mode_forces_a_notation(self):
        mg.set_printoptions(sci_mode=True)
        assert repr(mg.tensor([1.5, -2.0])) == "tensor([ 1.5000e+00, -2.0000e+00])"
        assert repr(mg.tensor([1.0, 2.0])) == "tensor([1.0000e+00, 2.0000e+00])"
        assert repr(mg.tensor([0.0, 0.0])) == "tensor([0., 0.])"  # nothing to measure
        mg.set_printoptions(sci_mode=False)
        assert repr(mg.tensor([1e-5, 1.0])) == "tensor([0.0000, 1.0000])"
        mg.set_printoptions(precision=4)  # leaving sci_mode out sets it back to automatic
        assert get_printoptions()["sci_mode"] is None

    def test_threshold_and_edgeitems(self):
        mg.set_printoptions(threshold=5, edgeitems=1)
        assert repr(mg.arange(10)) == "tensor([0,  ..., 9])"
        assert repr(mg.arange(4)) == "tensor([0, 1, 2, 3])"
        mg.set_printoptions(edgeitems=0)
        assert repr(mg.arange(10)) == "tensor([...], size=(10,))"

    def test_linewidth(self):
        mg.set_printoptions(linewidth=20)
        assert repr(mg.arange(8)) == "tensor([0, 1, 2, 3,\n        4, 5, 6, 7])"

    def test_profiles(self):
        mg.set_printoptions(profile="short")
        assert repr(mg.tensor([1.2345])) == "tensor([1.23])"
        assert get_printoptions()["edgeitems"] == 2
        mg.set_printoptions(profile="full")
        assert "..." not in repr(mg.arange(2000))
        mg.set_printoptions(profile="default")
        assert get_printoptions() == {
            "precision": 4,
            "threshold": 1000,
            "edgeitems": 3,
            "linewidth": 80,
            "sci_mode": None,
        }

    def test_unknown_profile(self):
        with pytest.raises(ValueError, match="profile"):
            mg.set_printoptions(profile="long")


def test_repr_does_not_change_the_tensor_or_the_graph(device):
    x = mg.randn(50, 40, device=device, requires_grad=True)
    y = x * 2
    before = y.detach().cpu().numpy().copy()
    repr(y)
    assert y._version == 0
    np.testing.assert_array_equal(y.detach().cpu().numpy(), before)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.cpu().numpy(), np.full((50, 40), 2.0, np.float32))


def _finite_or_not(dtype):
    return hnp.arrays(
        dtype,
        hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=5),
        elements=st.one_of(
            st.floats(-1e10, 1e10, width=32),
            st.sampled_from([0.0, 1.0, -2.0, 1e-6, float("nan"), float("inf")]),
        ),
    )


@given(
    array=st.one_of(
        _finite_or_not(np.float32),
        _finite_or_not(np.float64),
        hnp.arrays(np.int64, hnp.array_shapes(min_dims=0, max_dims=3, max_side=5)),
        hnp.arrays(np.bool_, hnp.array_shapes(min_dims=0, max_dims=2, max_side=5)),
    ),
    options=st.sampled_from(
        [{}, {"precision": 2}, {"sci_mode": True}, {"sci_mode": False}, {"threshold": 4}]
    ),
)
def test_repr_agrees_with_torch(array, options):
    torch = pytest.importorskip("torch")
    mg.set_printoptions(**options)
    torch.set_printoptions(**options)
    try:
        expected = repr(torch.from_numpy(array.copy())).replace("torch.", "minigrad.")
        got = repr(mg.tensor(array))
    finally:
        torch.set_printoptions(profile="default")
        mg.set_printoptions(profile="default")
    # "minigrad." is 3 characters longer than "torch.", so the dtype may wrap in one only
    expected, got = (s.replace(",\n       dtype", ", dtype") for s in (expected, got))
    assert got == expected
