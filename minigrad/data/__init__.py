"""Data: datasets, mini-batch loading, and a few classic data sets.

- :class:`Dataset`, :class:`TensorDataset`, :class:`DataLoader`, :func:`default_collate`:
  re-exported from :mod:`minigrad.utils.data` (where PyTorch code looks for them).
- :func:`load_mnist_sample`: 5000 MNIST training images shipped with minigrad (offline).
- :func:`load_mnist`: the full MNIST data set, downloaded once and checked.
- :func:`load_california_housing`, :func:`load_diabetes`: regression data through
  scikit-learn (an optional dependency, imported only when called).

Nothing is downloaded at import time.
"""

from minigrad.utils.data import DataLoader, Dataset, TensorDataset, default_collate

from ._download import DatasetNotAvailableError
from .housing import load_california_housing, load_diabetes
from .mnist import encode_idx, load_mnist, load_mnist_sample, parse_idx

__all__ = [
    "DataLoader",
    "Dataset",
    "DatasetNotAvailableError",
    "TensorDataset",
    "default_collate",
    "encode_idx",
    "load_california_housing",
    "load_diabetes",
    "load_mnist",
    "load_mnist_sample",
    "parse_idx",
]
