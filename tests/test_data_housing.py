"""Regression data through scikit-learn; nothing is downloaded (sklearn's fetcher is faked)."""

from __future__ import annotations

import sys
import urllib.error

import numpy as np
import pytest
import sklearn.datasets

from minigrad.data import DatasetNotAvailableError, load_california_housing, load_diabetes


def test_california_housing_through_sklearn(monkeypatch, tmp_path):
    calls = []
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20640, 8))
    y = rng.uniform(0.15, 5.0, size=20640)

    def fake_fetch(**kwargs):
        calls.append(kwargs)
        return X, y

    monkeypatch.setattr(sklearn.datasets, "fetch_california_housing", fake_fetch)
    X_out, y_out = load_california_housing(data_home=tmp_path)
    assert calls == [{"data_home": tmp_path, "download_if_missing": True, "return_X_y": True}]
    assert X_out.shape == (20640, 8) and y_out.shape == (20640,)
    assert X_out.dtype == np.float32 and y_out.dtype == np.float32
    np.testing.assert_allclose(X_out, X, rtol=1e-6)
    np.testing.assert_allclose(y_out, y, rtol=1e-6)

    X64, _ = load_california_housing(data_home=tmp_path, dtype=np.float64)
    assert X64.dtype == np.float64


def test_california_housing_offline_error(monkeypatch, tmp_path):
    def offline(**kwargs):
        raise urllib.error.URLError(OSError(101, "Network is unreachable"))

    monkeypatch.setattr(sklearn.datasets, "fetch_california_housing", offline)
    with pytest.raises(DatasetNotAvailableError) as info:
        load_california_housing(data_home=tmp_path)
    message = str(info.value)
    assert "California housing" in message
    assert "Network is unreachable" in message
    assert str(tmp_path) in message  # where scikit-learn looks for its cache
    assert "load_diabetes()" in message  # the offline alternative
    assert isinstance(info.value.__cause__, urllib.error.URLError)


def test_california_housing_without_download(monkeypatch, tmp_path):
    seen = {}

    def not_cached(**kwargs):
        seen.update(kwargs)
        raise OSError("Data not found and `download_if_missing` is False")

    monkeypatch.setattr(sklearn.datasets, "fetch_california_housing", not_cached)
    with pytest.raises(DatasetNotAvailableError, match="download=False"):
        load_california_housing(data_home=tmp_path, download=False)
    assert seen["download_if_missing"] is False


def test_diabetes_is_bundled_and_offline():
    X, y = load_diabetes()
    assert X.shape == (442, 10) and y.shape == (442,)
    assert X.dtype == np.float32 and y.dtype == np.float32
    assert 25 <= y.min() and y.max() <= 346
    np.testing.assert_allclose(X.mean(axis=0), 0, atol=1e-6)  # scikit-learn centres the features


def test_missing_sklearn_is_a_clear_import_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    with pytest.raises(ImportError, match="pip install scikit-learn"):
        load_diabetes()
    with pytest.raises(ImportError, match="pip install scikit-learn"):
        load_california_housing()
