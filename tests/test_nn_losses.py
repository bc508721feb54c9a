"""The losses of ``minigrad.nn`` against NumPy references of PyTorch's documented formulas.

Every loss is compared, value by value, with a reference written here in plain
NumPy (float64) from the formulas of the ``torch.nn`` documentation, and
gradient-checked in float64 (``minigrad.gradcheck``), for shapes and
hyper-parameters drawn by hypothesis, on both test devices.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import minigrad
import minigrad.nn as nn
import minigrad.nn.functional as F
from minigrad.backend import to_host

FAST = settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
REDUCTIONS = st.sampled_from(["mean", "sum", "none"])


def tensor(a, device, requires_grad=False):
    a = np.asarray(a)
    return minigrad.tensor(a, dtype=a.dtype, device=device, requires_grad=requires_grad)


def host(t):
    return to_host(t._array)


# ----------------------------------------------------------------------------- NumPy references
def ref_reduce(loss, reduction):
    return {"mean": np.mean, "sum": np.sum}.get(reduction, np.asarray)(loss)


def ref_log_softmax(x, axis):
    z = x - x.max(axis=axis, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=axis, keepdims=True))


def ref_cross_entropy(x, target, weight=None, ignore_index=-100, reduction="mean",
                      label_smoothing=0.0):  # fmt: skip
    """torch.nn.CrossEntropyLoss as documented (class indices and class probabilities)."""
    unbatched = x.ndim == 1
    if unbatched:
        x, target = x[None], target[None]
    n_classes = x.shape[1]
    logp = np.moveaxis(ref_log_softmax(x, 1), 1, -1)  # (N, d1, ..., C)
    w = np.ones(n_classes) if weight is None else weight
    eps = label_smoothing
    if target.dtype.kind == "f":
        t = np.moveaxis(target, 1, -1) * (1 - eps) + eps / n_classes
        loss = -(w * t * logp).sum(axis=-1)
        denominator = loss.size
    else:
        valid = target != ignore_index
        y = np.where(valid, target, 0)
        w_y = w[y] * valid
        nll = -np.take_along_axis(logp, y[..., None], axis=-1)[..., 0]
        smooth = -(w * logp).sum(axis=-1)
        loss = (1 - eps) * w_y * nll + eps / n_classes * smooth * valid
        denominator = w_y.sum()
    if reduction == "mean":
        with np.errstate(invalid="ignore"):  # every target ignored: 0/0 = nan
            return loss.sum() / denominator
    if reduction == "sum":
        return loss.sum()
    return loss[0] if unbatched else loss


def ref_nll(x, target, weight=None, ignore_index=-100, reduction="mean"):
    """torch.nn.NLLLoss: ℓₙ = -w_yₙ x_{n,yₙ}; the mean divides by Σ w_yₙ (not ignored)."""
    unbatched = x.ndim == 1
    if unbatched:
        x, target = x[None], target[None]
    xs = np.moveaxis(x, 1, -1)
    w = np.ones(xs.shape[-1]) if weight is None else weight
    valid = target != ignore_index
    y = np.where(valid, target, 0)
    w_y = w[y] * valid
    loss = -w_y * np.take_along_axis(xs, y[..., None], axis=-1)[..., 0]
    if reduction == "mean":
        with np.errstate(invalid="ignore"):
            return loss.sum() / w_y.sum()
    if reduction == "sum":
        return loss.sum()
    return loss[0] if unbatched else loss


def ref_bce(x, y, weight=None, reduction="mean"):
    """torch.nn.BCELoss: ℓ = -w [y log x + (1 - y) log(1 - x)], logs clamped to ≥ -100."""
    with np.errstate(divide="ignore"):
        log_x = np.maximum(np.log(x), -100)
        log_1mx = np.maximum(np.log(1 - x), -100)
    loss = -(y * log_x + (1 - y) * log_1mx)
    return ref_reduce(loss if weight is None else loss * weight, reduction)


def ref_bce_with_logits(x, y, weight=None, pos_weight=None, reduction="mean"):
    """torch.nn.BCEWithLogitsLoss: ℓ = -w [p y log σ(x) + (1 - y) log(1 - σ(x))]."""
    p = 1.0 if pos_weight is None else pos_weight
    log_sig = -np.logaddexp(0, -x)  # log σ(x), stable
    log_1msig = -np.logaddexp(0, x)  # log(1 - σ(x))
    loss = -(p * y * log_sig + (1 - y) * log_1msig)
    return ref_reduce(loss if weight is None else loss * weight, reduction)


# ----------------------------------------------------------------------------- strategies
@st.composite
def classification(draw, allow_unbatched=True):
    """(input shape, class dim) with N, C and up to two extra dimensions, small for gradcheck."""
    if allow_unbatched and draw(st.booleans()) and draw(st.booleans()):
        return (draw(st.integers(1, 6)),)
    n = draw(st.integers(1, 4))
    c = draw(st.integers(1, 5))
    extra = draw(st.lists(st.integers(1, 2), max_size=2))
    return (n, c, *extra)


def class_indices(rng, shape, ignore_index):
    """Integer targets for ``shape``; about a fifth of them set to ``ignore_index``."""
    n_classes = shape[0] if len(shape) == 1 else shape[1]
    tshape = () if len(shape) == 1 else (shape[0], *shape[2:])
    target = rng.integers(0, n_classes, size=tshape)
    if target.ndim:
        target[rng.random(tshape) < 0.2] = ignore_index
    return target


def probabilities(rng, shape):
    """Class-probability targets of ``shape`` (summing to 1 along the class dimension)."""
    dim = 0 if len(shape) == 1 else 1
    t = rng.random(shape) + 0.05
    return t / t.sum(axis=dim, keepdims=True)


# ----------------------------------------------------------------------------- cross-entropy
@FAST
@given(
    shape=classification(), seed=st.integers(0, 2**16), reduction=REDUCTIONS,
    smoothing=st.sampled_from([0.0, 0.1, 0.35, 1.0]), weighted=st.booleans(),
    ignore_index=st.sampled_from([-100, 0, 1]), scale=st.sampled_from([0.1, 1.0, 5.0]),
)  # fmt: skip
def test_cross_entropy_class_indices(device, shape, seed, reduction, smoothing, weighted,
                                     ignore_index, scale):  # fmt: skip
    rng = np.random.default_rng(seed)
    n_classes = shape[0] if len(shape) == 1 else shape[1]
    x = rng.normal(size=shape) * scale
    target = class_indices(rng, shape, ignore_index)
    weight = rng.uniform(0.2, 2.0, size=n_classes) if weighted else None
    kwargs = dict(ignore_index=ignore_index, reduction=reduction, label_smoothing=smoothing)
    xt = tensor(x, device, requires_grad=True)
    tt = tensor(target, device)
    wt = None if weight is None else tensor(weight, device)
    out = F.cross_entropy(xt, tt, weight=wt, **kwargs)
    expected = ref_cross_entropy(x, target, weight, **kwargs)
    np.testing.assert_allclose(host(out), expected, rtol=1e-10, atol=1e-12)
    module = nn.CrossEntropyLoss(weight=wt, **kwargs)
    np.testing.assert_allclose(host(module(xt, tt)), expected, rtol=1e-10, atol=1e-12)
    if reduction == "mean" and not np.isfinite(expected):
        return  # every target ignored: 0/0, as PyTorch (the gradient is checked elsewhere)
    assert minigrad.gradcheck(lambda a: F.cross_entropy(a, tt, weight=wt, **kwargs), [xt])


@FAST
@given(
    shape=classification(), seed=st.integers(0, 2**16), reduction=REDUCTIONS,
    smoothing=st.sampled_from([0.0, 0.2, 1.0]), weighted=st.booleans(),
)  # fmt: skip
def test_cross_entropy_class_probabilities(device, shape, seed, reduction, smoothing, weighted):
    rng = np.random.default_rng(seed)
    n_classes = shape[0] if len(shape) == 1 else shape[1]
    x = rng.normal(size=shape) * 2
    target = probabilities(rng, shape)
    weight = rng.uniform(0.2, 2.0, size=n_classes) if weighted else None
    xt = tensor(x, device, requires_grad=True)
    tt = tensor(target, device, requires_grad=True)
    wt = None if weight is None else tensor(weight, device)
    kwargs = dict(reduction=reduction, label_smoothing=smoothing)
    out = F.cross_entropy(xt, tt, weight=wt, **kwargs)
    expected = ref_cross_entropy(x, target, weight, **kwargs)
    np.testing.assert_allclose(host(out), expected, rtol=1e-10, atol=1e-12)
    # differentiable in the logits and in the target distribution (e.g. distillation)
    assert minigrad.gradcheck(lambda a, b: F.cross_entropy(a, b, weight=wt, **kwargs), [xt, tt])


def test_cross_entropy_backward_is_one_fused_node(device):
    rng = np.random.default_rng(0)
    x = tensor(rng.normal(size=(6, 4)), device, requires_grad=True)
    y = np.array([0, 3, 1, 1, 2, 0])
    loss = F.cross_entropy(x, tensor(y, device))
    assert loss.grad_fn.inputs[0] is x  # logits -> loss is a single graph node
    loss.backward()
    softmax = np.exp(ref_log_softmax(host(x), 1))
    np.testing.assert_allclose(host(x.grad), (softmax - np.eye(4)[y]) / 6, rtol=1e-12)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_cross_entropy_is_finite_for_logits_of_magnitude_1e4(device, dtype):
    x = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 5e3], [3e3, 3e3, -1e4]], dtype=dtype)
    y = np.array([1, 1, 0])
    xt = tensor(x, device, requires_grad=True)
    loss = F.cross_entropy(xt, tensor(y, device), label_smoothing=0.1)
    loss.backward()
    assert np.isfinite(host(loss)) and np.isfinite(host(xt.grad)).all()
    expected = ref_cross_entropy(x.astype(np.float64), y, label_smoothing=0.1)
    np.testing.assert_allclose(host(loss), expected, rtol=1e-6)
    assert host(loss).dtype == np.dtype(dtype)


def test_cross_entropy_all_targets_ignored_gives_nan_loss_and_zero_gradient(device):
    x = tensor(np.ones((2, 3)), device, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = F.cross_entropy(x, tensor(np.array([-100, -100]), device))
        loss.backward()
    assert np.isnan(host(loss))  # 0/0, as PyTorch, without a floating-point warning
    np.testing.assert_array_equal(host(x.grad), np.zeros((2, 3)))


def test_cross_entropy_matches_log_softmax_then_nll(device):
    rng = np.random.default_rng(1)
    x = tensor(rng.normal(size=(5, 3, 2)), device)
    y = tensor(rng.integers(0, 3, size=(5, 2)), device)
    a = F.cross_entropy(x, y)
    b = nn.NLLLoss()(nn.LogSoftmax(dim=1)(x), y)
    np.testing.assert_allclose(host(a), host(b), rtol=1e-12)


# ----------------------------------------------------------------------------- cross-entropy errors
def test_cross_entropy_rejects_float_targets_with_index_shape(device):
    x = tensor(np.zeros((4, 10), np.float32), device)
    with pytest.raises(
        RuntimeError, match=r"Size\(\[4, 10\]\).*Size\(\[4\]\).*Size\(\[4\]\).*\.long\(\)"
    ):
        F.cross_entropy(x, tensor(np.zeros(4, np.float32), device))


def test_cross_entropy_names_expected_and_received_target_shapes(device):
    x = tensor(np.zeros((4, 10), np.float32), device)
    with pytest.raises(
        RuntimeError,
        match=r"expected a target of shape minigrad\.Size\(\[4\]\).*got .*Size\(\[4, 1\]\)",
    ):
        F.cross_entropy(x, tensor(np.zeros((4, 1), np.int64), device))
    with pytest.raises(RuntimeError, match=r"Size\(\[3\]\).*Size\(\[3, 5\]\)"):
        nn.CrossEntropyLoss()(tensor(np.zeros((3, 5), np.float32), device),
                              tensor(np.zeros(4, np.int64), device))  # fmt: skip


@pytest.mark.parametrize("bad", [10, -1, 57])
def test_cross_entropy_rejects_class_indices_out_of_range(device, bad):
    x = tensor(np.zeros((3, 10), np.float32), device)
    with pytest.raises(IndexError, match=rf"target {bad} is out of bounds.*\[0, 9\]"):
        F.cross_entropy(x, tensor(np.array([1, bad, 2]), device))


def test_cross_entropy_rejects_bool_targets_and_bad_arguments(device):
    x = tensor(np.zeros((2, 3), np.float32), device)
    y = tensor(np.array([0, 2]), device)
    with pytest.raises(RuntimeError, match="Long or Byte"):
        F.cross_entropy(x, tensor(np.array([True, False]), device))
    with pytest.raises(RuntimeError, match="Long or Byte"):  # int32: PyTorch refuses it too
        F.cross_entropy(x, tensor(np.array([0, 2], np.int32), device))
    with pytest.raises(RuntimeError, match=r"all 3 classes.*\(3,\).*Size\(\[2\]\)"):
        F.cross_entropy(x, y, weight=tensor(np.ones(2, np.float32), device))
    with pytest.raises(ValueError, match="label_smoothing"):
        F.cross_entropy(x, y, label_smoothing=1.5)
    with pytest.raises(ValueError, match="label_smoothing"):
        nn.CrossEntropyLoss(label_smoothing=-0.1)
    with pytest.raises(ValueError, match="not a valid value for reduction"):
        F.cross_entropy(x, y, reduction="avg")
    with pytest.raises(ValueError, match="not a valid value for reduction"):
        nn.MSELoss(reduction="average")
    with pytest.raises(NotImplementedError, match="floating point"):
        F.cross_entropy(tensor(np.zeros((2, 3), np.int64), device), y)


def test_cross_entropy_refuses_targets_on_another_device():
    x = minigrad.zeros(2, 3)
    with pytest.raises(RuntimeError, match="same device"):
        F.cross_entropy(x, minigrad.tensor([0, 1], device="cuda"))
    with pytest.raises(RuntimeError, match="same device"):
        F.cross_entropy(x, minigrad.tensor([0, 1]), weight=minigrad.ones(3, device="cuda"))


def test_cross_entropy_loss_weight_is_a_buffer_that_moves_with_to(device):
    loss_fn = nn.CrossEntropyLoss(weight=minigrad.tensor([1.0, 2.0, 3.0]))
    assert list(loss_fn.state_dict()) == ["weight"] and list(loss_fn.parameters()) == []
    loss_fn.to(device)
    x = tensor(np.zeros((2, 3), np.float32), device)
    out = loss_fn(x, tensor(np.array([0, 2]), device))
    np.testing.assert_allclose(host(out), np.log(3), rtol=1e-6)


def test_loss_weights_that_are_not_tensors_are_refused_with_pytorchs_message():
    for make in (
        lambda: nn.CrossEntropyLoss(weight=[1.0, 2.0]),
        lambda: nn.NLLLoss(weight=np.ones(2)),
        lambda: nn.BCELoss(weight=[1.0]),
        lambda: nn.BCEWithLogitsLoss(pos_weight=[1.0]),
    ):
        with pytest.raises(TypeError, match=r"cannot assign '\w+' object to buffer '\w+'"):
            make()


def test_legacy_size_average_and_reduce_map_to_reduction(device):
    x = tensor(np.arange(6.0).reshape(2, 3), device)
    y = tensor(np.zeros((2, 3)), device)
    with pytest.warns(UserWarning, match="reduction"):
        out = F.mse_loss(x, y, size_average=False)
    np.testing.assert_allclose(host(out), 55.0)
    with pytest.warns(UserWarning, match="reduction"):
        assert nn.L1Loss(reduce=False).reduction == "none"


# ----------------------------------------------------------------------------- NLL
@FAST
@given(
    shape=classification(), seed=st.integers(0, 2**16), reduction=REDUCTIONS,
    weighted=st.booleans(), ignore_index=st.sampled_from([-100, 1]),
)  # fmt: skip
def test_nll_loss(device, shape, seed, reduction, weighted, ignore_index):
    rng = np.random.default_rng(seed)
    n_classes = shape[0] if len(shape) == 1 else shape[1]
    x = rng.normal(size=shape)
    target = class_indices(rng, shape, ignore_index)
    weight = rng.uniform(0.2, 2.0, size=n_classes) if weighted else None
    xt = tensor(x, device, requires_grad=True)
    tt = tensor(target, device)
    wt = None if weight is None else tensor(weight, device)
    kwargs = dict(ignore_index=ignore_index, reduction=reduction)
    expected = ref_nll(x, target, weight, **kwargs)
    out = nn.NLLLoss(weight=wt, **kwargs)(xt, tt)
    np.testing.assert_allclose(host(out), expected, rtol=1e-10, atol=1e-12)
    if reduction == "mean" and not np.isfinite(expected):
        return
    assert minigrad.gradcheck(lambda a: F.nll_loss(a, tt, weight=wt, **kwargs), [xt])


def test_nll_loss_rejects_probability_targets(device):
    x = tensor(np.zeros((2, 3)), device)
    with pytest.raises(RuntimeError, match=r"Long or Byte.*Size\(\[2\]\)"):
        F.nll_loss(x, tensor(np.zeros((2, 3)), device))


# ----------------------------------------------------------------------------- regression
@st.composite
def regression_shapes(draw):
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=0, max_size=3)))
    return shape


@FAST
@given(shape=regression_shapes(), seed=st.integers(0, 2**16), reduction=REDUCTIONS,
       which=st.sampled_from(["mse", "l1"]))  # fmt: skip
def test_mse_and_l1_loss(device, shape, seed, reduction, which):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=shape)
    y = x + rng.choice([-1, 1], size=shape) * rng.uniform(0.01, 2.0, size=shape)  # |x - y| > 0
    xt, yt = tensor(x, device, True), tensor(y, device, True)
    if which == "mse":
        fn, module, expected = F.mse_loss, nn.MSELoss, ref_reduce((x - y) ** 2, reduction)
    else:
        fn, module, expected = F.l1_loss, nn.L1Loss, ref_reduce(np.abs(x - y), reduction)
    np.testing.assert_allclose(host(fn(xt, yt, reduction=reduction)), expected, rtol=1e-12)
    np.testing.assert_allclose(host(module(reduction=reduction)(xt, yt)), expected, rtol=1e-12)
    assert minigrad.gradcheck(lambda a, b: fn(a, b, reduction=reduction), [xt, yt])


def test_mse_loss_default_is_the_mean_over_all_elements(device):
    x = tensor(np.array([[1.0, 2.0], [3.0, 4.0]]), device)
    y = tensor(np.zeros((2, 2)), device)
    assert host(nn.MSELoss()(x, y)) == pytest.approx(30 / 4)
    assert host(nn.L1Loss()(x, y)) == pytest.approx(10 / 4)


def test_regression_losses_warn_on_broadcasting_targets_and_name_shapes(device):
    x = tensor(np.arange(4.0).reshape(4, 1), device, True)
    y = tensor(np.zeros(4), device)
    with pytest.warns(
        UserWarning,
        match=r"target size minigrad\.Size\(\[4\]\) .*input size minigrad\.Size\(\[4, 1\]\)\.",
    ):
        out = F.mse_loss(x, y)
    np.testing.assert_allclose(host(out), np.mean((np.arange(4.0)[:, None] - 0.0) ** 2))
    with pytest.raises(RuntimeError, match=r"Size\(\[3, 2\]\).*Size\(\[4, 1\]\)"):
        F.l1_loss(x, tensor(np.zeros((3, 2)), device))


def test_regression_losses_promote_integer_targets(device):
    x = tensor(np.array([0.5, 1.5], np.float32), device, True)
    out = F.mse_loss(x, tensor(np.array([1, 1]), device))
    assert out.dtype == np.float32 and host(out) == pytest.approx(0.25)


# ----------------------------------------------------------------------------- binary
@FAST
@given(shape=regression_shapes(), seed=st.integers(0, 2**16), reduction=REDUCTIONS,
       weighted=st.booleans())  # fmt: skip
def test_bce_loss(device, shape, seed, reduction, weighted):
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.05, 0.95, size=shape)
    y = rng.uniform(0, 1, size=shape)
    w = rng.uniform(0.5, 2, size=shape[-1:]) if weighted else None
    xt, yt = tensor(x, device, True), tensor(y, device, True)
    wt = None if w is None else tensor(w, device)
    expected = ref_bce(x, y, w, reduction)
    out = nn.BCELoss(weight=wt, reduction=reduction)(xt, yt)
    np.testing.assert_allclose(host(out), expected, rtol=1e-10)
    assert minigrad.gradcheck(
        lambda a, b: F.binary_cross_entropy(a, b, weight=wt, reduction=reduction), [xt, yt]
    )


def test_bce_loss_clamps_the_logs_at_0_and_1(device):
    x = np.array([0.0, 1.0, 0.0, 1.0, 0.5])
    y = np.array([1.0, 0.0, 0.0, 1.0, 0.5])
    xt = tensor(x, device, True)
    out = F.binary_cross_entropy(xt, tensor(y, device), reduction="none")
    np.testing.assert_allclose(host(out), [100.0, 100.0, 0.0, 0.0, np.log(2)], rtol=1e-12)
    out.sum().backward()
    assert np.isfinite(host(xt.grad)).all()


def test_bce_loss_errors_name_the_problem(device):
    x = tensor(np.full((3, 1), 0.5), device)
    with pytest.raises(ValueError, match=r"Size\(\[3\]\).*Size\(\[3, 1\]\)"):
        F.binary_cross_entropy(x, tensor(np.zeros(3), device))
    with pytest.raises(RuntimeError, match="between 0 and 1"):
        F.binary_cross_entropy(tensor(np.array([1.5, 0.5]), device),
                               tensor(np.zeros(2), device))  # fmt: skip


@FAST
@given(shape=regression_shapes(), seed=st.integers(0, 2**16), reduction=REDUCTIONS,
       weighted=st.booleans(), pos_weighted=st.booleans(),
       scale=st.sampled_from([0.5, 3.0, 20.0]))  # fmt: skip
def test_bce_with_logits_loss(device, shape, seed, reduction, weighted, pos_weighted, scale):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=shape) * scale
    y = rng.uniform(0, 1, size=shape)
    w = rng.uniform(0.5, 2, size=shape) if weighted else None
    p = rng.uniform(0.5, 3, size=shape[-1:]) if pos_weighted else None
    xt, yt = tensor(x, device, True), tensor(y, device, True)
    wt = None if w is None else tensor(w, device)
    pt = None if p is None else tensor(p, device)
    expected = ref_bce_with_logits(x, y, w, p, reduction)
    out = nn.BCEWithLogitsLoss(weight=wt, reduction=reduction, pos_weight=pt)(xt, yt)
    np.testing.assert_allclose(host(out), expected, rtol=1e-10, atol=1e-12)
    assert minigrad.gradcheck(
        lambda a, b: F.binary_cross_entropy_with_logits(
            a, b, weight=wt, reduction=reduction, pos_weight=pt
        ),
        [xt, yt],  # fmt: skip
    )


def test_bce_with_logits_is_stable_for_huge_logits(device):
    x = np.array([1e4, -1e4, 800.0, -800.0], np.float32)
    y = np.array([0.0, 1.0, 1.0, 0.0], np.float32)
    xt = tensor(x, device, True)
    out = F.binary_cross_entropy_with_logits(xt, tensor(y, device), reduction="none")
    np.testing.assert_allclose(host(out), [1e4, 1e4, 0.0, 0.0], rtol=1e-6)
    out.sum().backward()
    np.testing.assert_allclose(host(xt.grad), [1.0, -1.0, 0.0, 0.0], atol=1e-6)


def test_bce_with_logits_rejects_mismatched_targets(device):
    with pytest.raises(
        ValueError,
        match=r"Target size minigrad\.Size\(\[2, 1\]\).*input size minigrad\.Size\(\[2\]\)",
    ):
        F.binary_cross_entropy_with_logits(tensor(np.zeros(2), device),
                                           tensor(np.zeros((2, 1)), device))  # fmt: skip


def test_loss_reprs():
    assert repr(nn.CrossEntropyLoss()) == "CrossEntropyLoss()"
    assert repr(nn.MSELoss(reduction="sum")) == "MSELoss()"
