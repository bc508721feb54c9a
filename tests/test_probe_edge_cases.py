"""Edge cases found by probing minigrad against PyTorch: empty and 0-d tensors, error
types, silent inf/NaN, gradients at 0, views, and loss target checks."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn as nn
import minigrad.nn.functional as F


# ----------------------------------------------------------------------------- no NumPy warnings
@pytest.mark.parametrize(
    "fn, expected",
    [
        (lambda: mg.tensor([0.0, -1.0]).log(), [-math.inf, math.nan]),
        (lambda: mg.tensor(-1.0).sqrt(), math.nan),
        (lambda: mg.tensor([1.0, 0.0]) / 0, [math.inf, math.nan]),
        (lambda: mg.tensor([1, 0]) / 0, [math.inf, math.nan]),
        (lambda: mg.tensor(1000.0).exp(), math.inf),
        (lambda: mg.tensor([-8.0]) ** (1 / 3), [math.nan]),
        (lambda: mg.tensor(0.0).rsqrt(), math.inf),
        (lambda: mg.tensor(2.0).acos(), math.nan),
        (lambda: mg.zeros(0).mean(), math.nan),
        (lambda: mg.zeros(0, 3).mean(0), [math.nan] * 3),
        (lambda: mg.zeros(1).std(), math.nan),
        (lambda: mg.zeros(0).var(), math.nan),
        (lambda: mg.zeros(0).logsumexp(0), -math.inf),
        (lambda: mg.tensor([-math.inf, -math.inf]).softmax(0), [math.nan, math.nan]),
        (lambda: F.mse_loss(mg.zeros(0), mg.zeros(0)), math.nan),
        (lambda: F.binary_cross_entropy(mg.zeros(0), mg.zeros(0)), math.nan),
    ],
)
def test_inf_and_nan_come_without_numpy_warnings(fn, expected):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = fn()
    np.testing.assert_array_equal(out.numpy(), np.array(expected, dtype=np.float32))
    assert out.dtype == mg.float32


def test_gradients_at_zero_are_pytorchs_and_quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for p in (2, 3, 1.5):
            x = mg.zeros(2, requires_grad=True)
            x.norm(p=p).backward()
            assert x.grad.tolist() == [0.0, 0.0], p
        x = mg.tensor([0.0, 1.0], requires_grad=True)
        (x**0).sum().backward()
        assert x.grad.tolist() == [0.0, 0.0]
        x = mg.tensor([0.0, 1.0], requires_grad=True)
        (0**x).sum().backward()
        assert x.grad.tolist() == [0.0, 0.0]
        x = mg.tensor([0.0, 1.0], requires_grad=True)
        (x**x).sum().backward()
        assert x.grad.tolist() == [0.0, 1.0]
        x = mg.tensor([0.0, 1.0], requires_grad=True)
        x.atan2(mg.zeros(2)).sum().backward()
        assert x.grad.tolist() == [0.0, 0.0]
        x = mg.tensor([1.0, 1.0], requires_grad=True)  # std 0: gradient 0, not NaN
        x.std().backward()
        assert x.grad.tolist() == [0.0, 0.0]
        x = mg.tensor([1.0], requires_grad=True)  # one element: NaN, not ZeroDivisionError
        x.var().backward()
        assert math.isnan(x.grad.item())
        x = mg.tensor([0.0, 4.0], requires_grad=True)
        x.sqrt().sum().backward()
        assert x.grad.tolist() == [math.inf, 0.25]


def test_std_keeps_its_value_and_gradient():
    x = mg.tensor([[1.0, 2.0, 4.0], [3.0, 3.0, 3.0]], requires_grad=True)
    s = x.std(1)
    np.testing.assert_allclose(s.detach().numpy(), [np.std([1, 2, 4], ddof=1), 0.0], rtol=1e-6)
    s.sum().backward()
    centered = np.array([1, 2, 4]) - 7 / 3
    expected = centered / (2 * np.std([1, 2, 4], ddof=1))
    np.testing.assert_allclose(x.grad.numpy()[0], expected, rtol=1e-5)
    assert x.grad.tolist()[1] == [0.0, 0.0, 0.0]
    assert x.std(1, unbiased=False).tolist()[1] == 0.0
    assert s.grad_fn.name() == "StdBackward0"


def test_sign_of_nan_is_zero():
    assert mg.tensor([-0.0, math.nan, -2.0, 3.0]).sign().tolist() == [0.0, 0.0, -1.0, 1.0]


# ----------------------------------------------------------------------------- empty tensors
@pytest.mark.parametrize(
    "fn",
    [
        lambda: mg.zeros(0, 3).max(0),
        lambda: mg.zeros(3, 0).max(1),
        lambda: mg.zeros(0).min(0),
        lambda: mg.zeros(0, 3).amax(0),
        lambda: mg.zeros(3, 0).argmax(1),
        lambda: mg.zeros(0).argmax(),
        lambda: mg.zeros(0).argmin(),
        lambda: mg.zeros(0, 3).median(0),
        lambda: mg.zeros(0).mode(),
        lambda: mg.zeros(0).kthvalue(1),
    ],
)
def test_reducing_an_empty_dimension_is_an_index_error(fn):
    with pytest.raises(IndexError, match="non-zero size|dim to be specified"):
        fn()


def test_reducing_every_element_of_an_empty_tensor():
    for fn in (lambda: mg.zeros(0).max(), lambda: mg.zeros(0, 3).amin()):
        with pytest.raises(RuntimeError, match="Expected reduction dim to be specified"):
            fn()
    assert math.isnan(mg.zeros(0, 3).median().item())  # PyTorch: NaN
    assert mg.zeros(0, 3).max(1).values.shape == (0,)  # the empty dim is not reduced
    with pytest.raises(RuntimeError, match="non-empty"):
        mg.zeros(0, 3).quantile(0.5, dim=1)


def test_chunk_and_cat_of_empty_tensors():
    pieces = mg.zeros(0, 3).chunk(2)
    assert [p.shape for p in pieces] == [(0, 3), (0, 3)]
    assert [p.shape for p in mg.zeros(2, 0).split(0, dim=1)] == [(2, 0)]
    x = mg.zeros(0, requires_grad=True)
    y = mg.ones(2, 3, requires_grad=True)
    out = mg.cat([x, y])  # PyTorch's legacy rule: a (0,) tensor joins anything
    assert out.shape == (2, 3) and out.tolist() == [[1.0] * 3] * 2
    out.sum().backward()
    assert x.grad.shape == (0,) and y.grad.tolist() == [[1.0] * 3] * 2
    assert mg.cat([mg.zeros(2, 3), mg.zeros(0)], dim=-1).shape == (2, 3)
    assert mg.cat([mg.zeros(0), mg.zeros(0, dtype=mg.float64)]).dtype == mg.float64
    with pytest.raises(RuntimeError, match="zero-dimensional tensor \\(at position 1\\)"):
        mg.cat([mg.zeros(1), mg.tensor(2.0)])
    with pytest.raises(RuntimeError, match="non-empty"):
        mg.stack([])
    with pytest.raises(ValueError, match="non-empty"):
        mg.cat([])


# ----------------------------------------------------------------------------- 0-d tensors
def test_zero_dim_tensors_reduce_over_dim_0_and_minus_1():
    x = mg.tensor(2.0)
    for out in (x.mean(0), x.mean(-1, keepdim=True), x.flip(0), x.amax(0), x.sum(0)):
        assert out.shape == () and out.item() == 2.0
    assert x.var(0, correction=0).item() == 0.0
    assert math.isnan(x.std(0).item())
    assert x.aminmax(dim=0).max.item() == 2.0
    with pytest.raises(IndexError, match="out of range"):
        x.mean(1)
    with pytest.raises(IndexError, match="no dimensions"):
        x.roll(1, 0)
    with pytest.raises(RuntimeError, match="0-dim"):
        x.narrow(0, 0, 1)
    with pytest.raises(RuntimeError, match="at least a 1-dimensional"):
        x.split(1)
    with pytest.raises(RuntimeError, match="at least a 1-dimensional"):
        x.chunk(1)
    with pytest.raises(IndexError, match="out of range"):
        nn.Flatten()(x)
    assert x.flatten().shape == (1,)


def test_duplicate_dims_and_split_sizes_are_runtime_errors():
    x = mg.zeros(2, 3)
    for fn in (lambda: x.sum((0, 0)), lambda: x.sum((0, -2)), lambda: x.flip((1, 1))):
        with pytest.raises(RuntimeError, match="twice"):
            fn()
    with pytest.raises(RuntimeError, match="sum to 2"):
        x.split([1, 2])
    with pytest.raises(RuntimeError, match="split_size"):
        x.split(-1)
    with pytest.raises(RuntimeError, match="chunks must be positive"):
        x.chunk(0)
    with pytest.raises(RuntimeError, match="min. or .max"):
        x.clamp()


# ----------------------------------------------------------------------------- views
def test_view_refuses_what_needs_a_copy():
    x = mg.arange(6.0).reshape(2, 3)
    with pytest.raises(RuntimeError, match="reshape"):
        x.t().view(-1)
    with pytest.raises(RuntimeError, match="reshape"):
        x[:, ::2].view(4)
    assert x.t().reshape(-1).tolist() == [0.0, 3.0, 1.0, 4.0, 2.0, 5.0]
    assert x.t().view(3, 1, 2).shape == (3, 1, 2)  # splitting a dimension needs no copy
    v = x.view(3, 2)
    v[0, 0] = 10.0
    assert x[0, 0].item() == 10.0


def test_view_as_another_dtype_shares_memory():
    x = mg.zeros(2, 3)
    ints = x.view(mg.int32)
    assert ints.dtype == mg.int32 and ints.shape == (2, 3) and ints.tolist() == [[0] * 3] * 2
    halves = x.view(mg.float16)
    assert halves.shape == (2, 6)
    x.fill_(1.0)
    assert ints[0, 0].item() == 1065353216  # 1.0f's bits


def test_contiguous_copies_a_non_contiguous_tensor_in_the_graph():
    x = mg.arange(6.0).reshape(2, 3).requires_grad_()
    t = x.t()
    assert not t.is_contiguous()
    c = t.contiguous()
    assert c.is_contiguous() and c.tolist() == t.tolist()
    assert c.view(-1).tolist() == [0.0, 3.0, 1.0, 4.0, 2.0, 5.0]
    (c * mg.arange(6.0).view(3, 2)).sum().backward()
    assert x.grad.tolist() == [[0.0, 2.0, 4.0], [1.0, 3.0, 5.0]]
    y = mg.ones(2, 2)
    assert y.contiguous() is y


# ----------------------------------------------------------------------------- tensor protocol
def test_equality_with_none_or_a_string_is_plain_python():
    x = mg.tensor([1, 2])
    assert (x == None) is False  # noqa: E711
    assert (x != None) is True  # noqa: E711
    assert (x == "a") is False
    assert x.__eq__(None) is NotImplemented
    assert (x == 1).tolist() == [True, False]


def test_item_of_several_elements_is_a_runtime_error():
    with pytest.raises(RuntimeError, match="2 elements cannot be converted to Scalar"):
        mg.tensor([1.0, 2.0]).item()
    with pytest.raises(RuntimeError, match="0 elements"):
        mg.tensor([]).item()
    assert mg.tensor([[3]]).item() == 3


def test_tensor_of_none_is_a_runtime_error():
    for data in (None, [1, None]):
        with pytest.raises(RuntimeError, match="NoneType"):
            mg.tensor(data)


# ----------------------------------------------------------------------------- dtypes and ops
def test_bool_negation_and_subtraction_are_runtime_errors():
    b = mg.tensor([True, False])
    with pytest.raises(RuntimeError, match="logical_not"):
        _ = -b
    with pytest.raises(RuntimeError, match="logical_xor"):
        _ = b - b


def test_integer_to_a_negative_integer_power_is_a_runtime_error():
    with pytest.raises(RuntimeError, match="negative integer powers"):
        _ = mg.tensor([2]) ** -1
    assert (mg.tensor([2]) ** 2).tolist() == [4]


def test_var_and_std_refuse_integers_as_pytorch():
    for fn in (lambda t: t.var(), lambda t: t.std(), mg.var_mean, mg.std_mean):
        with pytest.raises(RuntimeError, match="floating point"):
            fn(mg.tensor([1, 2]))


def test_where_with_two_numbers():
    c = mg.tensor([True, False])
    out = mg.where(c, 1, 0)
    assert out.dtype == mg.int64 and out.tolist() == [1, 0]
    out = mg.where(c, 1.0, 0)
    assert out.dtype == mg.float32 and out.tolist() == [1.0, 0.0]
    with pytest.raises(RuntimeError, match="boolean"):
        mg.where(mg.tensor([1, 0]), 1.0, 0.0)


# ----------------------------------------------------------------------------- losses
def test_class_index_targets_must_be_long_or_byte():
    x = mg.zeros(2, 3)
    for target in (mg.tensor([0, 1], dtype=mg.int32), mg.tensor([0.0, 1.0])):
        with pytest.raises(RuntimeError, match="Long or Byte"):
            F.cross_entropy(x, target)
        with pytest.raises(RuntimeError, match="Long or Byte"):
            F.nll_loss(x, target)
    expected = math.log(3)
    assert F.cross_entropy(x, mg.tensor([0, 1], dtype=mg.uint8)).item() == pytest.approx(expected)
    with pytest.raises(RuntimeError, match="all 3 classes"):
        F.cross_entropy(x, mg.tensor([0, 1]), weight=mg.ones(2))
    with pytest.raises(IndexError, match="out of bounds"):
        F.cross_entropy(x, mg.tensor([0, 3]))


def test_binary_cross_entropy_checks_its_target():
    p = mg.tensor([0.5])
    with pytest.raises(RuntimeError, match="target should be between 0 and 1"):
        F.binary_cross_entropy(p, mg.tensor([2.0]))
    for loss in (F.binary_cross_entropy, F.binary_cross_entropy_with_logits):
        with pytest.raises(RuntimeError, match="floating point target"):
            loss(p, mg.tensor([1]))
    assert F.binary_cross_entropy(p, mg.tensor([1.0])).item() == pytest.approx(math.log(2))


def test_losses_of_an_empty_batch_are_nan_with_an_empty_gradient():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for loss in (F.mse_loss, F.l1_loss, F.binary_cross_entropy_with_logits):
            x = mg.zeros(0, requires_grad=True)
            out = loss(x, mg.zeros(0))
            assert math.isnan(out.item())
            out.backward()
            assert x.grad.shape == (0,)
        x = mg.zeros(0, 3, requires_grad=True)
        out = F.cross_entropy(x, mg.zeros(0, dtype=mg.int64))
        assert math.isnan(out.item())
        out.backward()
        assert x.grad.shape == (0, 3)


def test_kl_div_of_a_negative_target_is_nan_as_pytorch():
    out = F.kl_div(mg.tensor([-1.0, -2.0, -0.5]), mg.tensor([-0.1, 0.0, 0.3]), reduction="none")
    values = out.numpy()
    assert np.isnan(values[0]) and values[1] == 0.0
    np.testing.assert_allclose(values[2], 0.3 * (np.log(0.3) + 0.5), rtol=1e-6)


def test_lists_are_not_tensor_operands_as_in_pytorch():
    t = mg.tensor([1, 2])
    for operation in (lambda: t + [1, 2], lambda: t * (1, 2), lambda: t.add([1, 2])):
        with pytest.raises(TypeError, match="unsupported operand.*list|tuple"):
            operation()
    assert (t + np.array([1, 2])).tolist() == [2, 4]  # a NumPy array is still a constant


def test_integer_inputs_pytorch_refuses():
    ints = mg.tensor([1, 3])
    with pytest.raises(NotImplementedError, match="softmax.*int64"):
        ints.softmax(0)
    with pytest.raises(NotImplementedError, match="log_softmax.*int64"):
        F.log_softmax(ints, 0)
    np.testing.assert_allclose(ints.softmax(0, dtype=mg.float32).numpy(), [0.1192, 0.8808], 1e-4)
    with pytest.raises(NotImplementedError, match="mse_loss.*int64"):
        F.mse_loss(ints, ints)
    with pytest.raises(NotImplementedError, match="l1_loss.*bool"):
        F.l1_loss(mg.tensor([True]), mg.tensor([False]))
    assert F.mse_loss(ints.float(), ints).item() == 0.0  # one floating operand promotes
    with pytest.raises(NotImplementedError, match="leaky_relu.*int64"):
        F.leaky_relu(ints)
    with pytest.raises(RuntimeError, match="Boolean inputs not supported for relu"):
        F.relu(mg.tensor([True, False]))
    assert F.relu(mg.tensor([-1, 2])).tolist() == [0, 2]


@pytest.mark.parametrize("data", [2**63, [1, 2**63], [[1, 2], [3, -(2**64)]], -(2**63) - 1])
def test_integers_beyond_int64_are_refused_as_pytorch(data):
    with pytest.raises(ValueError, match="Overflow when unpacking long long"):
        mg.tensor(data)


def test_large_floats_and_int64_extremes_still_make_tensors():
    assert mg.tensor([1.5, 2**63]).dtype == mg.float32
    assert mg.tensor([-(2**63), 2**63 - 1]).tolist() == [-(2**63), 2**63 - 1]
