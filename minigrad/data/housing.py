"""Regression data through scikit-learn: California housing (downloaded once), diabetes (bundled).

scikit-learn is imported only when one of these functions is called; it is part
of minigrad's ``examples`` and ``test`` extras, not a runtime dependency.
"""

from __future__ import annotations

import importlib
import os
from typing import Any

import numpy as np
from numpy.typing import DTypeLike

from ._download import DatasetNotAvailableError, describe_error

__all__ = ["load_california_housing", "load_diabetes"]


def _sklearn_datasets() -> Any:
    try:
        return importlib.import_module("sklearn.datasets")
    except ImportError as exc:
        raise ImportError(
            "this data set is loaded through scikit-learn, which is not installed: "
            "`pip install scikit-learn` (or `pip install minigrad[examples]`)"
        ) from exc


def load_california_housing(
    data_home: str | os.PathLike[str] | None = None,
    download: bool = True,
    dtype: DTypeLike = np.float32,
) -> tuple[np.ndarray, np.ndarray]:
    """Load the California housing regression data (20640 districts, 8 features).

    Uses scikit-learn's ``fetch_california_housing``, which downloads the data
    once (about 400 kB) and caches it under ``data_home`` (default: scikit-learn's
    data home, ``~/scikit_learn_data`` or ``$SCIKIT_LEARN_DATA``).

    Features, in order: MedInc (median income, $10k), HouseAge, AveRooms,
    AveBedrms, Population, AveOccup, Latitude, Longitude. The target is the
    median house value in units of $100,000.

    Args:
        data_home: scikit-learn's cache folder; None for its default.
        download: download the data if it is not cached yet.
        dtype: floating dtype of the returned arrays.

    Returns:
        ``(X, y)``: arrays of shape ``(20640, 8)`` and ``(20640,)``.

    Raises:
        DatasetNotAvailableError: the data is not cached and cannot be downloaded
            (offline, server error, or ``download=False``); the message names the
            cache folder and the offline alternative :func:`load_diabetes`.
        ImportError: scikit-learn is not installed.
    """
    import http.client

    datasets = _sklearn_datasets()
    # What scikit-learn's fetcher raises when the data is neither cached nor downloadable:
    # URLError / HTTPError / timeouts / a checksum mismatch (all OSError), a dropped connection.
    fetch_errors = (OSError, http.client.HTTPException)
    try:
        X, y = datasets.fetch_california_housing(
            data_home=data_home, download_if_missing=download, return_X_y=True
        )
    except fetch_errors as exc:
        try:
            home = datasets.get_data_home(data_home)
        except OSError:
            home = data_home or "scikit-learn's data home (~/scikit_learn_data)"
        reason = "download=False" if not download else describe_error(exc)
        raise DatasetNotAvailableError(
            "The California housing data could not be loaded: it is not in scikit-learn's "
            f"cache at {home} and could not be downloaded ({reason}).\n"
            "Run load_california_housing() once with network access (it is cached "
            "afterwards), or point data_home= (or $SCIKIT_LEARN_DATA) at a folder that "
            "holds it.\nOffline, minigrad.data.load_diabetes() is a small regression data "
            "set bundled with scikit-learn."
        ) from exc
    return np.asarray(X, dtype=dtype), np.asarray(y, dtype=dtype)


def load_diabetes(dtype: DTypeLike = np.float32) -> tuple[np.ndarray, np.ndarray]:
    """Load scikit-learn's bundled diabetes regression data (no network needed).

    442 patients, 10 features (age, sex, body mass index, blood pressure and six
    blood serum measurements), each mean-centred and scaled by scikit-learn. The
    target is a measure of disease progression one year after baseline (25 to 346).

    Args:
        dtype: floating dtype of the returned arrays.

    Returns:
        ``(X, y)``: arrays of shape ``(442, 10)`` and ``(442,)``.

    Raises:
        ImportError: scikit-learn is not installed.
    """
    datasets = _sklearn_datasets()
    X, y = datasets.load_diabetes(return_X_y=True)
    return np.asarray(X, dtype=dtype), np.asarray(y, dtype=dtype)
