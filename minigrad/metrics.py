"""Classification metrics with scikit-learn's names, signatures and values.

Every function takes ``y_true`` first and ``y_pred`` (or ``y_score``) second, as in
:mod:`sklearn.metrics`. Inputs may be minigrad Tensors on any device, NumPy arrays,
CuPy arrays, Python lists or tuples; they are copied to host NumPy arrays (the
label vectors are small) and computed there. Results are Python ``float`` values
(or NumPy arrays for ``average=None`` and :func:`confusion_matrix`).

For one class ``c`` of a set of labels, counting over the samples:

- TP (true positives): ``y_true == c`` and ``y_pred == c``
- FP (false positives): ``y_true != c`` and ``y_pred == c``
- FN (false negatives): ``y_true == c`` and ``y_pred != c``

and ``precision = TP / (TP + FP)``, ``recall = TP / (TP + FN)``,
``F1 = 2 * precision * recall / (precision + recall) = 2 TP / (2 TP + FP + FN)``.

Typical use after a classifier::

    from minigrad import metrics
    pred = logits.argmax(dim=1)
    metrics.accuracy(y, pred)
    metrics.f1_score(y, pred, average="weighted")
    metrics.roc_auc_score(y, probs[:, 1])     # binary: probability of class 1
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from minigrad.backend import array_of, backend_of
from minigrad.tensor import Tensor

__all__ = [
    "UndefinedMetricWarning",
    "accuracy",
    "accuracy_score",
    "confusion_matrix",
    "f1_score",
    "precision",
    "precision_score",
    "recall",
    "recall_score",
    "roc_auc_score",
]

AVERAGES = ("binary", "micro", "macro", "weighted", None)
"""The valid values of ``average`` for :func:`precision`, :func:`recall`, :func:`f1_score`."""

ZeroDivision = str | float


class UndefinedMetricWarning(UserWarning):
    """A metric was ill-defined (a 0/0) and set to the ``zero_division`` value."""


# ----------------------------------------------------------------------------- inputs


def _to_host(x: Any, name: str) -> np.ndarray:
    """A host NumPy array from a Tensor, a backend array, a list/tuple or a scalar."""
    if isinstance(x, Tensor):
        x = array_of(x)
    try:
        backend = backend_of(x)
    except TypeError:
        backend = None
    if backend is not None:
        return np.asarray(backend.to_host(x))
    if hasattr(x, "shape") and hasattr(x, "dtype") and callable(getattr(x, "get", None)):
        return np.asarray(x.get())  # a device array of a backend minigrad has not loaded
    if isinstance(x, (list, tuple)):
        x = [_to_host(v, name) if _is_array_like(v) else v for v in x]
    try:
        return np.asarray(x)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"{name} must be a Tensor, an array or a list of values, got {type(x).__name__} ({exc})"
        ) from exc


def _is_array_like(v: Any) -> bool:
    """True for Tensors and backend arrays inside a list (converted one by one)."""
    if isinstance(v, Tensor):
        return True
    return hasattr(v, "shape") and hasattr(v, "dtype")


def _labels_1d(x: Any, name: str) -> np.ndarray:
    """``x`` as a 1-D host array of class labels, with clear errors otherwise."""
    arr = _to_host(x, name)
    if arr.ndim != 1:
        hint = (
            "; for class scores or probabilities of shape (n, classes), pass "
            "argmax(dim=1) as the predicted labels"
            if arr.ndim == 2
            else ""
        )
        raise ValueError(f"{name} must be a 1-D array of class labels, got shape {arr.shape}{hint}")
    if arr.dtype.kind == "f":
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{name} contains NaN or infinity; it must hold class labels")
        if not np.all(arr == np.round(arr)):
            bad = arr[arr != np.round(arr)][0]
            raise ValueError(
                f"{name} contains non-integer values (e.g. {bad!r}), which look like "
                "scores, not class labels; threshold them or take argmax first"
            )
    elif arr.dtype.kind == "c":
        raise ValueError(f"{name} must hold class labels, got complex values")
    return arr


def _pair(y_true: Any, y_pred: Any, pred_name: str = "y_pred") -> tuple[np.ndarray, np.ndarray]:
    """Validated 1-D host label arrays of equal, non-zero length."""
    t = _labels_1d(y_true, "y_true")
    p = _labels_1d(y_pred, pred_name)
    if t.shape[0] != p.shape[0]:
        raise ValueError(
            f"y_true and {pred_name} have different lengths: {t.shape[0]} and {p.shape[0]}"
        )
    if t.shape[0] == 0:
        raise ValueError(f"y_true and {pred_name} are empty; need at least one sample")
    return t, p


def _encode(*arrays: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
    """Sorted union of the values of ``arrays`` and each array as indices into it."""
    try:
        classes, inverse = np.unique(np.concatenate(arrays), return_inverse=True)
    except (TypeError, ValueError) as exc:  # e.g. strings mixed with numbers
        dtypes = ", ".join(str(a.dtype) for a in arrays)
        raise ValueError(f"label arrays of incompatible types ({dtypes}): {exc}") from exc
    inverse = inverse.reshape(-1)
    out, start = [], 0
    for a in arrays:
        out.append(inverse[start : start + a.shape[0]])
        start += a.shape[0]
    return classes, out


def _check_labels(labels: Any) -> np.ndarray:
    """``labels`` as a 1-D host array without duplicates."""
    arr = _to_host(labels, "labels")
    if arr.ndim != 1:
        raise ValueError(f"labels must be a 1-D list of labels, got shape {arr.shape}")
    if arr.shape[0] == 0:
        raise ValueError("labels must contain at least one label")
    if np.unique(arr).shape[0] != arr.shape[0]:
        raise ValueError(f"labels contains duplicates: {arr.tolist()}")
    return arr


# ----------------------------------------------------------------------------- accuracy


def accuracy(y_true: Any, y_pred: Any, normalize: bool = True) -> float:
    """Fraction of samples whose predicted label equals the true label.

    ``accuracy = (number of i with y_pred[i] == y_true[i]) / n``

    Args:
        y_true: true class labels, shape ``(n,)``.
        y_pred: predicted class labels, shape ``(n,)`` (e.g. ``logits.argmax(dim=1)``).
        normalize: if False, return the number of correct samples instead of the fraction.

    Returns:
        The accuracy in ``[0, 1]`` (a float), or the count of correct samples.
    """
    t, p = _pair(y_true, y_pred)
    correct = int(np.count_nonzero(t == p))
    return float(correct / t.shape[0]) if normalize else float(correct)


accuracy_score = accuracy


# ----------------------------------------------------------------------------- confusion matrix


def confusion_matrix(y_true: Any, y_pred: Any, labels: Sequence[Any] | None = None) -> np.ndarray:
    """Confusion matrix ``C`` with ``C[i, j]`` = number of samples of true class ``labels[i]``
    predicted as ``labels[j]``.

    Rows are true classes, columns predicted classes; the diagonal holds the correct
    predictions, so ``C.trace() / C.sum()`` is the accuracy (with all labels).

    Args:
        y_true: true class labels, shape ``(n,)``.
        y_pred: predicted class labels, shape ``(n,)``.
        labels: the classes, in the order of the rows and columns. Default: the sorted
            union of the values in ``y_true`` and ``y_pred``. Samples whose true or
            predicted label is not in ``labels`` are not counted.

    Returns:
        An ``int64`` NumPy array of shape ``(len(labels), len(labels))``.
    """
    t, p = _pair(y_true, y_pred)
    if labels is None:
        lab_arr = None
        classes, (ti, pi) = _encode(t, p)
        k = classes.shape[0]
    else:
        lab_arr = _check_labels(labels)
        if not np.isin(lab_arr, t).any():
            raise ValueError(
                f"At least one label specified must be in y_true; labels={lab_arr.tolist()}, "
                f"y_true has {np.unique(t).tolist()}"
            )
        classes, (ti, pi, li) = _encode(t, p, lab_arr)
        k = lab_arr.shape[0]
        position = np.full(classes.shape[0], -1, dtype=np.int64)
        position[li] = np.arange(k)
        ti, pi = position[ti], position[pi]
        keep = (ti >= 0) & (pi >= 0)
        ti, pi = ti[keep], pi[keep]
    counts = np.bincount(ti * k + pi, minlength=k * k)
    return counts.reshape(k, k).astype(np.int64)


# ----------------------------------------------------------------------- precision / recall / F1


def _zero_division_value(zero_division: ZeroDivision) -> float:
    if isinstance(zero_division, str):
        if zero_division == "warn":
            return 0.0
    elif isinstance(zero_division, (int, float, np.integer, np.floating)) and not isinstance(
        zero_division, bool
    ):
        if zero_division in (0, 1):
            return float(zero_division)
        if np.isnan(zero_division):
            return float("nan")
    raise ValueError(f"zero_division must be 'warn', 0.0, 1.0 or np.nan, got {zero_division!r}")


def _set_labels(
    t: np.ndarray, p: np.ndarray, average: str | None, labels: Any, pos_label: Any
) -> np.ndarray:
    """The labels to score, following scikit-learn's rules for ``average``."""
    if average not in AVERAGES:
        raise ValueError(
            f"unknown average={average!r}; valid values are "
            "'binary', 'micro', 'macro', 'weighted' or None (per-class scores)"
        )
    present, _ = _encode(t, p)
    if average == "binary":
        if present.shape[0] > 2:
            raise ValueError(
                f"average='binary' needs at most two classes, but y_true and y_pred contain "
                f"the labels {present.tolist()}; choose average='micro', 'macro' or 'weighted' "
                "(or None for per-class scores)"
            )
        if pos_label not in present.tolist() and present.shape[0] >= 2:
            raise ValueError(
                f"pos_label={pos_label!r} is not a valid label: it should be one of "
                f"{present.tolist()}"
            )
        return np.asarray([pos_label])
    if labels is None:
        return present
    return _check_labels(labels)


def _counts(
    t: np.ndarray, p: np.ndarray, labels: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-label TP, TP + FP (predicted count) and TP + FN (true count)."""
    classes, (ti, pi, li) = _encode(t, p, labels)
    c = classes.shape[0]
    tp = np.bincount(ti[ti == pi], minlength=c)[li]
    pred = np.bincount(pi, minlength=c)[li]
    true = np.bincount(ti, minlength=c)[li]
    return tp, pred, true


def _divide(num: np.ndarray, den: np.ndarray, zero_division: ZeroDivision, what: str) -> np.ndarray:
    """``num / den`` with ``zero_division`` where ``den == 0`` (a warning for ``'warn'``)."""
    num = np.asarray(num, dtype=np.float64)
    den = np.asarray(den, dtype=np.float64)
    mask = den == 0
    result = num / np.where(mask, 1.0, den)
    if mask.any():
        result[mask] = _zero_division_value(zero_division)
        if isinstance(zero_division, str) and zero_division == "warn":
            warnings.warn(
                f"{what}; it is set to 0.0. Use the zero_division argument to choose "
                "the value (0.0, 1.0 or np.nan) and silence this warning.",
                UndefinedMetricWarning,
                stacklevel=4,
            )
    return result


def _average(values: np.ndarray, weights: np.ndarray | None) -> float:
    """Mean of ``values`` ignoring NaN, weighted by ``weights`` (all-zero: unweighted)."""
    mask = np.isnan(values)
    if values.shape[0] == 0 or mask.all():
        return float("nan")
    values = values[~mask]
    if weights is None:
        return float(np.mean(values))
    weights = np.asarray(weights, dtype=np.float64)[~mask]
    if weights.sum() == 0:
        return float(np.mean(values))
    return float(np.average(values, weights=weights))


def _prf(
    metric: str,
    y_true: Any,
    y_pred: Any,
    labels: Any,
    pos_label: Any,
    average: str | None,
    zero_division: ZeroDivision,
) -> float | np.ndarray:
    _zero_division_value(zero_division)  # validate early
    t, p = _pair(y_true, y_pred)
    lab = _set_labels(t, p, average, labels, pos_label)
    if average == "binary" and pos_label not in _encode(t, p)[0].tolist():
        tp = pred = true = np.zeros(1, dtype=np.int64)  # one class only, not pos_label
    else:
        tp, pred, true = _counts(t, p, lab)
    if average == "micro":
        tp, pred, true = tp.sum(keepdims=True), pred.sum(keepdims=True), true.sum(keepdims=True)
    if metric == "precision":
        what = "Precision is ill-defined for labels with no predicted samples (TP + FP = 0)"
        values = _divide(tp, pred, zero_division, what)
    elif metric == "recall":
        what = "Recall is ill-defined for labels with no true samples (TP + FN = 0)"
        values = _divide(tp, true, zero_division, what)
    else:
        what = (
            "F-score is ill-defined for labels with neither true nor predicted samples "
            "(TP + FP + FN = 0)"
        )
        values = _divide(2 * tp, true + pred, zero_division, what)
    if average is None:
        return values
    return _average(values, true if average == "weighted" else None)


_PRF_ARGS = """
    Args:
        y_true: true class labels, shape ``(n,)`` (numbers, bools or strings).
        y_pred: predicted class labels, shape ``(n,)``.
        labels: the classes to score and average over (default: the sorted union of
            ``y_true`` and ``y_pred``); ignored for ``average='binary'``.
        pos_label: the positive class for ``average='binary'``.
        average: ``'binary'`` (default; the score of ``pos_label``, inputs must have
            at most two classes), ``'micro'`` (pool TP, FP, FN over all classes),
            ``'macro'`` (unweighted mean of the per-class scores), ``'weighted'``
            (mean weighted by each class's number of true samples, its support) or
            ``None`` (a NumPy array of per-class scores, in the order of ``labels``).
        zero_division: the value where the score is 0/0: ``'warn'`` (default: 0.0
            and an :class:`UndefinedMetricWarning`), ``0.0``, ``1.0`` or ``np.nan``
            (left out of the averages).

    Returns:
        The score as a float, or an array of per-class scores for ``average=None``.
"""


def precision(
    y_true: Any,
    y_pred: Any,
    *,
    labels: Sequence[Any] | None = None,
    pos_label: Any = 1,
    average: str | None = "binary",
    zero_division: ZeroDivision = "warn",
) -> float | np.ndarray:
    """Precision: of the samples predicted as a class, the fraction that are that class.

    ``precision = TP / (TP + FP)`` per class; same values as
    :func:`sklearn.metrics.precision_score`.
    """
    return _prf("precision", y_true, y_pred, labels, pos_label, average, zero_division)


def recall(
    y_true: Any,
    y_pred: Any,
    *,
    labels: Sequence[Any] | None = None,
    pos_label: Any = 1,
    average: str | None = "binary",
    zero_division: ZeroDivision = "warn",
) -> float | np.ndarray:
    """Recall: of the samples of a class, the fraction predicted as that class.

    ``recall = TP / (TP + FN)`` per class; same values as
    :func:`sklearn.metrics.recall_score`. Micro-averaged recall over all classes
    equals the accuracy.
    """
    return _prf("recall", y_true, y_pred, labels, pos_label, average, zero_division)


def f1_score(
    y_true: Any,
    y_pred: Any,
    *,
    labels: Sequence[Any] | None = None,
    pos_label: Any = 1,
    average: str | None = "binary",
    zero_division: ZeroDivision = "warn",
) -> float | np.ndarray:
    """F1 score: the harmonic mean of precision and recall.

    ``F1 = 2 * precision * recall / (precision + recall) = 2 TP / (2 TP + FP + FN)``
    per class; same values as :func:`sklearn.metrics.f1_score`.
    """
    return _prf("f1", y_true, y_pred, labels, pos_label, average, zero_division)


for _f in (precision, recall, f1_score):
    _f.__doc__ = (_f.__doc__ or "") + _PRF_ARGS

precision_score = precision
recall_score = recall


# ----------------------------------------------------------------------------- ROC AUC


def roc_auc_score(y_true: Any, y_score: Any) -> float:
    """Area under the ROC curve of a binary classifier, from its scores.

    ``AUC = P(score of a random positive > score of a random negative)``, ties
    counting one half:

    ``AUC = (sum over pairs (i positive, j negative) of [s_i > s_j] + 0.5 [s_i == s_j]) / (P N)``

    which is the Mann-Whitney U statistic divided by ``P * N``, and equals the
    trapezoid-rule area under the ROC curve (same value as
    :func:`sklearn.metrics.roc_auc_score` for binary inputs). 1.0 is a perfect
    ranking, 0.5 is chance.

    Args:
        y_true: true labels with exactly two classes, shape ``(n,)``; the greater
            label (1 for 0/1, True for bools) is the positive class.
        y_score: scores, shape ``(n,)``, greater meaning more likely positive:
            probabilities of the positive class (e.g. ``probs[:, 1]``), logits or
            any decision values.

    Returns:
        The area under the ROC curve, a float in ``[0, 1]``.
    """
    t = _labels_1d(y_true, "y_true")
    s = _to_host(y_score, "y_score")
    if s.ndim != 1:
        raise ValueError(
            f"y_score must be a 1-D array of scores, got shape {s.shape}; pass the score or "
            "probability of the positive class, e.g. probs[:, 1]"
        )
    if t.shape[0] != s.shape[0]:
        raise ValueError(
            f"y_true and y_score have different lengths: {t.shape[0]} and {s.shape[0]}"
        )
    if s.dtype.kind not in "biuf":
        raise ValueError(f"y_score must hold numbers, got dtype {s.dtype}")
    s = s.astype(np.float64)
    if not np.all(np.isfinite(s)):
        raise ValueError("y_score contains NaN or infinity")
    classes, (ti,) = _encode(t)
    if classes.shape[0] < 2:
        raise ValueError(
            f"Only one class is present in y_true ({classes.tolist()}): ROC AUC is not "
            "defined; it needs both positive and negative samples"
        )
    if classes.shape[0] > 2:
        raise ValueError(
            f"roc_auc_score supports binary y_true only, but y_true contains the labels "
            f"{classes.tolist()}"
        )
    positive = ti == 1
    pos, neg = s[positive], np.sort(s[~positive])
    below = np.searchsorted(neg, pos, side="left")  # negatives scored lower
    below_or_tied = np.searchsorted(neg, pos, side="right")
    twice_u = int(below.sum()) + int(below_or_tied.sum())  # exact: 2 * U
    return float(twice_u / (2 * pos.shape[0] * neg.shape[0]))
