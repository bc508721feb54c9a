"""Datasets: the map-style base class, wrappers of tensors, subsets, concatenations, splits.

A *map-style* dataset is anything with ``__len__`` and ``__getitem__(i)``
returning sample ``i``; an *iterable-style* dataset yields its samples from
``__iter__``. Both are read by :class:`~minigrad.utils.data.DataLoader`::

    ds = TensorDataset(x, y)                               # sample i is (x[i], y[i])
    train, val = random_split(ds, [0.8, 0.2], generator=minigrad.Generator().manual_seed(0))
"""

from __future__ import annotations

import bisect
import itertools
import math
import warnings
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from minigrad.random import Generator

__all__ = [
    "Dataset",
    "IterableDataset",
    "TensorDataset",
    "Subset",
    "ConcatDataset",
    "ChainDataset",
    "StackDataset",
    "random_split",
]


class Dataset:
    """Base class of map-style datasets: subclass it and define ``__getitem__`` (and ``__len__``).

    ``__getitem__(i)`` returns sample ``i`` for ``0 <= i < len(self)``: a tensor, a
    NumPy array, a number, or a tuple/list/dict of those. ``a + b`` concatenates
    two datasets (:class:`ConcatDataset`).
    """

    def __getitem__(self, index: Any) -> Any:
        """Sample ``index`` of the dataset."""
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__")

    def __len__(self) -> int:
        """Number of samples."""
        raise NotImplementedError(f"{type(self).__name__} must define __len__")

    def __add__(self, other: Dataset) -> ConcatDataset:
        """The samples of ``self`` followed by those of ``other``."""
        return ConcatDataset([self, other])


class IterableDataset(Dataset):
    """Base class of iterable-style datasets (streams): subclass it and define ``__iter__``.

    A :class:`~minigrad.utils.data.DataLoader` reads the samples in the order
    ``__iter__`` yields them (no sampler, no shuffling) and batches them.
    """

    def __iter__(self) -> Iterator[Any]:
        """The samples, one after another."""
        raise NotImplementedError(f"{type(self).__name__} must define __iter__")

    def __getitem__(self, index: Any) -> Any:
        raise TypeError(f"{type(self).__name__} is an IterableDataset: iterate over it")

    def __add__(self, other: Dataset) -> ChainDataset:  # type: ignore[override]
        """The stream of ``self`` followed by that of ``other`` (:class:`ChainDataset`)."""
        return ChainDataset([self, other])


def _is_tensor(obj: Any) -> bool:
    from minigrad.tensor import Tensor

    return isinstance(obj, Tensor)


class TensorDataset(Dataset):
    """Tensors sharing their first dimension; sample ``i`` is ``tuple(t[i] for t in tensors)``.

    Arguments that are not tensors (NumPy arrays, nested lists) are converted
    with :func:`minigrad.tensor`. Tensors stay on their device, and a
    ``DataLoader`` batches them by indexing each tensor with all the indices of
    a batch at once.
    """

    def __init__(self, *tensors: Any) -> None:
        import minigrad

        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor")
        converted = tuple(t if _is_tensor(t) else minigrad.tensor(t) for t in tensors)
        for i, t in enumerate(converted):
            if t.ndim == 0:
                raise ValueError(
                    f"TensorDataset: tensor {i} is a scalar (shape ()); every tensor "
                    "needs a first dimension indexing the samples"
                )
        sizes = [t.shape[0] for t in converted]
        if len(set(sizes)) > 1:
            shapes = ", ".join(str(tuple(t.shape)) for t in converted)
            raise AssertionError(  # (PyTorch's type: it asserts)
                f"TensorDataset: Size mismatch between tensors: all tensors must have the "
                f"same size in dimension 0, got shapes {shapes}"
            )
        self.tensors: tuple[Any, ...] = converted

    def __getitem__(self, index: Any) -> tuple[Any, ...]:
        """The tuple ``(t[index] for t in self.tensors)``."""
        return tuple(t[index] for t in self.tensors)

    def __len__(self) -> int:
        """Size of the tensors' first dimension."""
        return int(self.tensors[0].shape[0])


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``: ``subset[i] = dataset[indices[i]]``."""

    def __init__(self, dataset: Any, indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = indices

    def __getitem__(self, index: Any) -> Any:
        """Sample ``indices[index]`` of the underlying dataset (a list of indices: a list)."""
        if isinstance(index, list):
            return self.dataset[[self.indices[i] for i in index]]
        return self.dataset[self.indices[index]]

    def __getitems__(self, indices: list[int]) -> list[Any]:
        """The samples at several positions (the ``DataLoader`` reads a batch this way)."""
        if callable(getattr(self.dataset, "__getitems__", None)):
            return self.dataset.__getitems__([self.indices[i] for i in indices])
        return [self.dataset[self.indices[i]] for i in indices]

    def __len__(self) -> int:
        """Number of indices."""
        return len(self.indices)


class ConcatDataset(Dataset):
    """Several map-style datasets one after another: sample ``i`` of the ``k``-th dataset
    is ``concat[cumulative_sizes[k - 1] + i]``."""

    def __init__(self, datasets: Iterable[Dataset]) -> None:
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset: datasets should not be an empty iterable")
        for d in self.datasets:
            if isinstance(d, IterableDataset):
                raise TypeError("ConcatDataset does not support IterableDataset")
        self.cumulative_sizes = list(itertools.accumulate(len(d) for d in self.datasets))

    def __len__(self) -> int:
        """The total number of samples."""
        return self.cumulative_sizes[-1]

    def __getitem__(self, index: int) -> Any:
        """Sample ``index`` (negative counts from the end), found in the dataset holding it."""
        if index < 0:
            if -index > len(self):
                raise ValueError("absolute value of index should not exceed dataset length")
            index += len(self)
        which = bisect.bisect_right(self.cumulative_sizes, index)
        if which == len(self.datasets):
            raise IndexError(f"index {index} is out of range for a dataset of {len(self)}")
        start = self.cumulative_sizes[which - 1] if which else 0
        return self.datasets[which][index - start]


class ChainDataset(IterableDataset):
    """Several :class:`IterableDataset` s one after another: iterating yields every sample
    of the first, then of the second, ... (chained on the fly, nothing is copied).

    Iterating or taking ``len`` raises AssertionError on a member that is not an
    ``IterableDataset`` (PyTorch's error); ``len`` is the sum of the members' lengths.
    """

    def __init__(self, datasets: Iterable[Dataset]) -> None:
        self.datasets = datasets

    def __iter__(self) -> Iterator[Any]:
        """The samples of each dataset in turn."""
        for d in self.datasets:
            if not isinstance(d, IterableDataset):
                raise AssertionError("ChainDataset only supports IterableDataset")
            yield from d

    def __len__(self) -> int:
        """Σ len(d) over the datasets."""
        total = 0
        for d in self.datasets:
            if not isinstance(d, IterableDataset):
                raise AssertionError("ChainDataset only supports IterableDataset")
            total += len(d)
        return total


class StackDataset(Dataset):
    """Map-style datasets of one length side by side: ``StackDataset(a, b)[i]`` is
    ``(a[i], b[i])`` and ``StackDataset(x=a, y=b)[i]`` is ``{"x": a[i], "y": b[i]}``.

    Raises ValueError when given no dataset, both positional and keyword ones, or
    datasets of different lengths.
    """

    datasets: tuple[Any, ...] | dict[str, Any]

    def __init__(self, *args: Dataset, **kwargs: Dataset) -> None:
        if args and kwargs:
            raise ValueError(
                "Supported either ``tuple``- (via ``args``) or ``dict``- (via ``kwargs``) "
                "like input/output, but both types are given."
            )
        members = list(args or kwargs.values())
        if not members:
            raise ValueError("At least one dataset should be passed")
        self._length = len(members[0])
        if any(len(d) != self._length for d in members):
            raise ValueError("Size mismatch between datasets")
        self.datasets = args if args else kwargs

    def __getitem__(self, index: Any) -> Any:
        """The tuple (or dict) of every dataset's sample ``index``."""
        if isinstance(self.datasets, dict):
            return {k: d[index] for k, d in self.datasets.items()}
        return tuple(d[index] for d in self.datasets)

    def __getitems__(self, indices: list[int]) -> list[Any]:
        """The samples at ``indices``, asking each dataset for all of them at once when it
        has ``__getitems__``."""
        named = self.datasets if isinstance(self.datasets, dict) else dict(enumerate(self.datasets))
        columns = {}
        for key, d in named.items():
            if callable(getattr(d, "__getitems__", None)):
                items = d.__getitems__(indices)
                if len(items) != len(indices):
                    raise ValueError(
                        f"Nested dataset's output size mismatch. Expected {len(indices)}, "
                        f"got {len(items)}"
                    )
                columns[key] = list(items)
            else:
                columns[key] = [d[i] for i in indices]
        if isinstance(self.datasets, dict):
            return [{k: columns[k][j] for k in named} for j in range(len(indices))]
        return [tuple(columns[k][j] for k in named) for j in range(len(indices))]

    def __len__(self) -> int:
        """The common length."""
        return self._length


def _lengths_from_fractions(fractions: Sequence[float], n: int) -> list[int]:
    """PyTorch's rule: floor(n·f) each, then the remainder one by one, round robin."""
    lengths = []
    for i, fraction in enumerate(fractions):
        if fraction < 0 or fraction > 1:
            raise ValueError(f"Fraction at index {i} is not between 0 and 1")
        lengths.append(int(math.floor(n * fraction)))
    for i in range(n - sum(lengths)):
        lengths[i % len(lengths)] += 1
    for i, length in enumerate(lengths):
        if length == 0:
            warnings.warn(
                f"Length of split at index {i} is 0. This might result in an empty dataset.",
                stacklevel=3,
            )
    return lengths


def random_split(
    dataset: Any, lengths: Sequence[int | float], generator: Generator | None = None
) -> list[Subset]:
    """Split ``dataset`` at random into non-overlapping :class:`Subset` s of the given lengths.

    ``lengths`` are sizes summing to ``len(dataset)``, or fractions summing to 1
    (each split gets ``floor(len·fraction)`` samples and the remaining samples go
    one each to the first splits). The order comes from
    ``randperm(len(dataset), generator=generator)``; without a generator, from the
    global one (``minigrad.manual_seed``).
    """
    import minigrad

    total = sum(lengths)
    if math.isclose(total, 1) and total <= 1:
        lengths = _lengths_from_fractions(lengths, len(dataset))
    total = int(sum(lengths))
    if total != len(dataset):
        raise ValueError("Sum of input lengths does not equal the length of the input dataset!")
    indices = minigrad.randperm(total, generator=generator).tolist()
    return [
        Subset(dataset, indices[end - length : end])
        for end, length in zip(itertools.accumulate(lengths), lengths, strict=True)
    ]
