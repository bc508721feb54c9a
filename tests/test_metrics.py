"""minigrad.metrics against scikit-learn on generated label vectors and scores."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn import metrics as skm

import minigrad
from minigrad import _strict
from minigrad import metrics as M

# example counts come from the hypothesis profile in conftest.py (default 40)
FAST = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
ZERO_DIVISIONS = ["warn", 0.0, 1.0, np.nan]


def same(a: float | np.ndarray, b: float | np.ndarray) -> bool:
    """Equal up to floating-point rounding, NaN equal to NaN."""
    return bool(np.allclose(a, b, rtol=1e-12, atol=1e-12, equal_nan=True))


def quiet(fn, *args, **kwargs):
    """Call ``fn`` with the ill-defined-metric warnings of both libraries silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


@st.composite
def label_pairs(draw, min_classes: int = 2, max_classes: int = 5):
    """(y_true, y_pred, k): labels in range(k); y_pred may use only some classes."""
    k = draw(st.integers(min_classes, max_classes))
    n = draw(st.integers(1, 200))
    y_true = draw(st.lists(st.integers(0, k - 1), min_size=n, max_size=n))
    pred_classes = draw(st.lists(st.integers(0, k - 1), min_size=1, max_size=k, unique=True))
    y_pred = draw(st.lists(st.sampled_from(pred_classes), min_size=n, max_size=n))
    return np.array(y_true), np.array(y_pred), k


# ----------------------------------------------------------------------------- vs scikit-learn


@FAST
@given(label_pairs())
def test_accuracy_and_confusion_matrix_match_sklearn(pair):
    y_true, y_pred, k = pair
    assert M.accuracy(y_true, y_pred) == skm.accuracy_score(y_true, y_pred)
    assert M.accuracy(y_true, y_pred, normalize=False) == skm.accuracy_score(
        y_true, y_pred, normalize=False
    )
    cm = M.confusion_matrix(y_true, y_pred)
    np.testing.assert_array_equal(cm, quiet(skm.confusion_matrix, y_true, y_pred))
    assert cm.dtype == np.int64
    labels = list(range(k + 1))[::-1]  # reversed order and one label that never occurs
    np.testing.assert_array_equal(
        M.confusion_matrix(y_true, y_pred, labels=labels),
        skm.confusion_matrix(y_true, y_pred, labels=labels),
    )


@FAST
@given(
    label_pairs(),
    st.sampled_from(["micro", "macro", "weighted", None]),
    st.sampled_from(ZERO_DIVISIONS),
)
def test_multiclass_precision_recall_f1_match_sklearn(pair, average, zero_division):
    y_true, y_pred, _ = pair
    for ours, theirs in [
        (M.precision, skm.precision_score),
        (M.recall, skm.recall_score),
        (M.f1_score, skm.f1_score),
    ]:
        kw = {"average": average, "zero_division": zero_division}
        got = quiet(ours, y_true, y_pred, **kw)
        want = quiet(theirs, y_true, y_pred, **kw)
        assert same(got, want), (ours.__name__, kw, got, want)
        if average is not None:
            assert isinstance(got, float)


@FAST
@given(
    label_pairs(),
    st.data(),
    st.sampled_from(["micro", "macro", "weighted", None]),
    st.sampled_from(ZERO_DIVISIONS),
)
def test_explicit_labels_match_sklearn(pair, data, average, zero_division):
    y_true, y_pred, k = pair
    labels = data.draw(st.lists(st.integers(0, k), min_size=1, max_size=k + 1, unique=True))
    for ours, theirs in [
        (M.precision, skm.precision_score),
        (M.recall, skm.recall_score),
        (M.f1_score, skm.f1_score),
    ]:
        kw = {"average": average, "zero_division": zero_division, "labels": labels}
        got = quiet(ours, y_true, y_pred, **kw)
        want = quiet(theirs, y_true, y_pred, **kw)
        assert same(got, want), (ours.__name__, kw, got, want)


@FAST
@given(label_pairs(max_classes=2), st.sampled_from([0, 1]), st.sampled_from(ZERO_DIVISIONS))
def test_binary_match_sklearn(pair, pos_label, zero_division):
    y_true, y_pred, _ = pair
    for ours, theirs in [
        (M.precision, skm.precision_score),
        (M.recall, skm.recall_score),
        (M.f1_score, skm.f1_score),
    ]:
        kw = {"pos_label": pos_label, "zero_division": zero_division}
        got = quiet(ours, y_true, y_pred, **kw)
        want = quiet(theirs, y_true, y_pred, **kw)
        assert same(got, want), (ours.__name__, kw, got, want)


@st.composite
def binary_scores(draw):
    """(y_true with both classes, scores with many ties or continuous values)."""
    n = draw(st.integers(2, 200))
    y = draw(st.lists(st.integers(0, 1), min_size=n, max_size=n).filter(lambda v: 0 < sum(v) < n))
    if draw(st.booleans()):
        scores = draw(
            st.lists(st.sampled_from([0.0, 0.25, 0.5, 0.75, 1.0]), min_size=n, max_size=n)
        )
    else:
        scores = draw(
            st.lists(st.floats(-1e6, 1e6, allow_nan=False, width=32), min_size=n, max_size=n)
        )
    return np.array(y), np.array(scores)


@FAST
@given(binary_scores())
def test_roc_auc_matches_sklearn(data):
    y, s = data
    got = M.roc_auc_score(y, s)
    assert isinstance(got, float)
    assert got == pytest.approx(skm.roc_auc_score(y, s), abs=1e-12)
    # labels other than 0/1: the greater one is the positive class
    assert M.roc_auc_score(np.where(y == 1, 7, -3), s) == got
    assert M.roc_auc_score(y.astype(bool), s.astype(np.float32)) == pytest.approx(
        skm.roc_auc_score(y, s.astype(np.float32)), abs=1e-12
    )


def test_seed_004_usage_weighted_f1_of_argmax_and_auc_of_softmax():
    rng = np.random.default_rng(4)
    n, classes = 150, 2
    y = rng.integers(0, classes, size=n)
    logits = rng.normal(size=(n, classes)) + 1.5 * np.eye(classes)[y]  # informative logits
    logits[:10] = 0.0  # some exact ties in the probabilities
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs = e / e.sum(axis=1, keepdims=True)
    pred = probs.argmax(axis=1)
    assert M.f1_score(y, pred, average="weighted") == pytest.approx(
        skm.f1_score(y, pred, average="weighted"), abs=1e-12
    )
    auc = M.roc_auc_score(y, probs[:, 1])
    assert auc == pytest.approx(skm.roc_auc_score(y, probs[:, 1]), abs=1e-12)
    assert 0.6 < auc <= 1.0

    # the same on five classes: weighted F1 of argmax predictions
    y5 = rng.integers(0, 5, size=n)
    logits5 = rng.normal(size=(n, 5)) + np.eye(5)[y5]
    pred5 = logits5.argmax(axis=1)
    assert M.f1_score(y5, pred5, average="weighted") == pytest.approx(
        skm.f1_score(y5, pred5, average="weighted"), abs=1e-12
    )


# ----------------------------------------------------------------------------- hand-checked values


def test_formulas_on_a_small_example():
    y_true = [0, 0, 1, 1, 1, 2]
    y_pred = [0, 1, 1, 1, 2, 2]
    # class 1: TP=2, FP=1, FN=1
    assert M.precision(y_true, y_pred, average=None)[1] == pytest.approx(2 / 3)
    assert M.recall(y_true, y_pred, average=None)[1] == pytest.approx(2 / 3)
    assert M.f1_score(y_true, y_pred, average=None)[1] == pytest.approx(2 * 2 / (2 * 2 + 1 + 1))
    assert M.accuracy(y_true, y_pred) == pytest.approx(4 / 6)
    assert M.recall(y_true, y_pred, average="micro") == pytest.approx(4 / 6)
    np.testing.assert_array_equal(
        M.confusion_matrix(y_true, y_pred), [[1, 1, 0], [0, 2, 1], [0, 0, 1]]
    )
    assert M.accuracy_score is M.accuracy
    assert M.precision_score is M.precision and M.recall_score is M.recall


def test_string_and_bool_labels():
    y_true = ["cat", "dog", "pig", "cat", "dog", "pig"]
    y_pred = ["cat", "pig", "dog", "cat", "cat", "dog"]
    for average in ["micro", "macro", "weighted"]:
        assert M.f1_score(y_true, y_pred, average=average) == pytest.approx(
            skm.f1_score(y_true, y_pred, average=average)
        )
    np.testing.assert_array_equal(
        M.confusion_matrix(y_true, y_pred, labels=["pig", "dog", "cat"]),
        skm.confusion_matrix(y_true, y_pred, labels=["pig", "dog", "cat"]),
    )
    assert M.f1_score(["a", "b", "b"], ["a", "b", "a"], pos_label="b") == pytest.approx(2 / 3)
    assert M.precision([True, False, True], [True, True, True]) == pytest.approx(2 / 3)
    assert M.roc_auc_score(["neg", "pos", "pos"], [0.1, 0.9, 0.05]) == pytest.approx(0.5)


def test_zero_division_values_and_warning():
    y_true, y_pred = [0, 0, 1], [0, 0, 0]  # class 1 never predicted: precision 0/0
    with pytest.warns(M.UndefinedMetricWarning, match="Precision is ill-defined"):
        assert M.precision(y_true, y_pred) == 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert M.precision(y_true, y_pred, zero_division=0.0) == 0.0
        assert M.precision(y_true, y_pred, zero_division=1.0) == 1.0
        assert math.isnan(M.precision(y_true, y_pred, zero_division=np.nan))
        # F1 is defined here (TP + FP + FN > 0), so no warning
        assert M.f1_score(y_true, y_pred) == 0.0
    with pytest.raises(ValueError, match="zero_division"):
        M.precision(y_true, y_pred, zero_division=0.5)


# ----------------------------------------------------------------------------- errors


def test_error_messages():
    with pytest.raises(ValueError, match="different lengths: 3 and 2"):
        M.accuracy([0, 1, 1], [0, 1])
    with pytest.raises(ValueError, match="different lengths: 2 and 3"):
        M.roc_auc_score([0, 1], [0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="empty"):
        M.f1_score([], [])
    with pytest.raises(ValueError, match="Only one class is present in y_true"):
        M.roc_auc_score([1, 1, 1], [0.2, 0.3, 0.4])
    with pytest.raises(ValueError, match=r"probs\[:, 1\]"):
        M.roc_auc_score([0, 1], np.array([[0.9, 0.1], [0.2, 0.8]]))
    with pytest.raises(ValueError, match="binary y_true only.*0, 1, 2"):
        M.roc_auc_score([0, 1, 2], [0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="'binary', 'micro', 'macro', 'weighted'"):
        M.f1_score([0, 1], [0, 1], average="samples")
    with pytest.raises(ValueError, match=r"labels \[0, 1, 2\]"):
        M.precision([0, 1, 2], [0, 1, 1])
    with pytest.raises(ValueError, match="pos_label=2 is not a valid label"):
        M.recall([0, 1], [0, 1], pos_label=2)
    with pytest.raises(ValueError, match="argmax"):
        M.accuracy([0, 1], np.eye(2))
    with pytest.raises(ValueError, match="non-integer"):
        M.accuracy([0, 1], [0.2, 0.7])
    with pytest.raises(ValueError, match="NaN"):
        M.roc_auc_score([0, 1], [np.nan, 0.5])
    with pytest.raises(ValueError, match="At least one label"):
        M.confusion_matrix([0, 1], [0, 1], labels=[5])
    with pytest.raises(ValueError, match="duplicates"):
        M.confusion_matrix([0, 1], [0, 1], labels=[0, 0])


def test_the_hint_for_class_scores_is_a_call_that_works_on_tensors():
    scores = minigrad.tensor([[0.9, 0.1], [0.2, 0.8]])
    with pytest.raises(ValueError, match=r"pass argmax\(dim=1\) as the predicted labels"):
        M.accuracy([0, 1], scores)
    assert M.accuracy([0, 1], scores.argmax(dim=1)) == 1.0  # (a Tensor has no axis= argument)
    assert "argmax(dim=1)" in M.__doc__ and "argmax(axis" not in M.__doc__ + M.accuracy.__doc__


# ----------------------------------------------------------------------------- inputs on devices


def test_strict_device_arrays_are_copied_explicitly():
    y_true = np.array([0, 1, 1, 0, 1])
    y_pred = np.array([0, 1, 0, 0, 1])
    s = np.array([0.1, 0.8, 0.4, 0.4, 0.9])
    dt, dp, ds = (_strict.StrictArray(a.copy()) for a in (y_true, y_pred, s))
    assert M.accuracy(dt, dp) == M.accuracy(y_true, y_pred)
    assert M.f1_score(dt, dp) == M.f1_score(y_true, y_pred)
    np.testing.assert_array_equal(M.confusion_matrix(dt, y_pred), M.confusion_matrix(y_true, dp))
    assert M.roc_auc_score(dt, ds) == M.roc_auc_score(y_true, s)
    assert M.roc_auc_score(tuple(y_true.tolist()), s.tolist()) == M.roc_auc_score(y_true, s)


def test_tensors_on_each_device(device):
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, size=64)
    logits = rng.normal(size=(64, 2)) + np.eye(2)[y]
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs = e / e.sum(axis=1, keepdims=True)
    pred = probs.argmax(axis=1)

    ty = minigrad.tensor(y, device=device)
    tpred = minigrad.tensor(pred, device=device)
    tprobs = minigrad.tensor(probs, device=device)
    assert M.accuracy(ty, tpred) == skm.accuracy_score(y, pred)
    assert M.f1_score(ty, tpred, average="weighted") == pytest.approx(
        skm.f1_score(y, pred, average="weighted"), abs=1e-12
    )
    np.testing.assert_array_equal(M.confusion_matrix(ty, tpred), skm.confusion_matrix(y, pred))
    assert M.roc_auc_score(ty, tprobs[:, 1]) == pytest.approx(
        skm.roc_auc_score(y, probs[:, 1]), abs=1e-12
    )
    with pytest.raises(ValueError, match=r"probs\[:, 1\]"):
        M.roc_auc_score(ty, tprobs)
