"""Datasets and the :class:`DataLoader` that batches them (PyTorch semantics).

A *dataset* is anything with ``__len__`` and ``__getitem__(i)`` returning one
sample; :class:`Dataset` is the base class to subclass, :class:`TensorDataset`
wraps tensors that share their first dimension. A :class:`DataLoader` walks a
dataset in mini-batches, optionally reshuffled every epoch::

    ds = TensorDataset(x, y)                       # x: (N, ...) and y: (N,) tensors
    loader = DataLoader(ds, batch_size=64, shuffle=True, seed=0)
    for epoch in range(10):
        for xb, yb in loader:                      # tensors of 64 samples (fewer at the end)
            ...

Reproducibility: with ``shuffle=True`` the order of each epoch is drawn from
``generator=`` (anything with a ``permutation(n)`` method, e.g.
``numpy.random.default_rng(0)``) or from a private generator seeded with
``seed=``; with neither, from ``minigrad.random.default_generator('cpu')``, so
``minigrad.manual_seed(s)`` fixes it. Each ``iter(loader)`` draws a new order.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

__all__ = ["Dataset", "TensorDataset", "DataLoader", "default_collate"]


class Dataset:
    """Base class of map-style datasets: subclass it and define ``__len__`` and ``__getitem__``.

    ``__getitem__(i)`` returns sample ``i`` (for ``0 <= i < len(self)``): a tensor,
    a NumPy array, a number, or a tuple/list/dict of those.
    """

    def __getitem__(self, index: int) -> Any:
        """Sample ``index`` of the dataset."""
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__")

    def __len__(self) -> int:
        """Number of samples."""
        raise NotImplementedError(f"{type(self).__name__} must define __len__")


def _is_tensor(obj: Any) -> bool:
    from minigrad.tensor import Tensor

    return isinstance(obj, Tensor)


class TensorDataset(Dataset):
    """Tensors sharing their first dimension; sample ``i`` is ``tuple(t[i] for t in tensors)``.

    Arguments that are not tensors (NumPy arrays, nested lists) are converted
    with :func:`minigrad.tensor`. Tensors stay on their device, and a
    :class:`DataLoader` batches them by indexing each tensor with all the
    indices of the batch at once.
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
            raise ValueError(
                f"TensorDataset: all tensors must have the same size in dimension 0, "
                f"got shapes {shapes}"
            )
        self.tensors: tuple[Any, ...] = converted

    def __getitem__(self, index: Any) -> tuple[Any, ...]:
        """The tuple ``(t[index] for t in self.tensors)``."""
        return tuple(t[index] for t in self.tensors)

    def __len__(self) -> int:
        """Size of the tensors' first dimension."""
        return int(self.tensors[0].shape[0])


# ----------------------------------------------------------------------------- collation


def _stack_tensors(items: Sequence[Any]) -> Any:
    import minigrad

    first = items[0]
    for t in items[1:]:
        if t.shape != first.shape:
            raise ValueError(
                f"DataLoader cannot stack samples of different shapes {tuple(first.shape)} and "
                f"{tuple(t.shape)}; pad them in the dataset or pass collate_fn="
            )
    return minigrad.stack(list(items))


def default_collate(samples: Sequence[Any]) -> Any:
    """Merge a list of samples into a batch, as :class:`DataLoader` does by default.

    - tensors are stacked along a new first dimension (on their device);
    - NumPy arrays and NumPy scalars are stacked with :func:`numpy.stack` into a tensor
      of the same dtype;
    - Python numbers become a 1-D tensor (``int`` -> int64, ``float`` -> float32,
      ``bool`` -> bool, as with :func:`minigrad.tensor`);
    - tuples, lists and dicts are collated field by field (a tuple of batches for
      tuple samples, and so on); strings are returned as a list.
    """
    import minigrad

    if not samples:
        raise ValueError("cannot collate an empty list of samples")
    first = samples[0]
    if _is_tensor(first):
        return _stack_tensors(samples)
    if isinstance(first, (np.ndarray, np.generic)):
        shapes = {np.shape(s) for s in samples}
        if len(shapes) > 1:
            raise ValueError(
                f"DataLoader cannot stack samples of different shapes {sorted(shapes)}; "
                "pad them in the dataset or pass collate_fn="
            )
        return minigrad.from_numpy(np.stack([np.asarray(s) for s in samples]))
    if isinstance(first, (bool, int, float)):
        return minigrad.tensor(list(samples))
    if isinstance(first, (str, bytes)):
        return list(samples)
    if isinstance(first, Mapping):
        return {key: default_collate([s[key] for s in samples]) for key in first}
    if isinstance(first, (tuple, list)):
        size = len(first)
        if any(len(s) != size for s in samples):
            raise ValueError("DataLoader: samples of one batch have different numbers of fields")
        fields = [default_collate(list(column)) for column in zip(*samples, strict=True)]
        return tuple(fields) if isinstance(first, tuple) else fields
    raise TypeError(
        f"DataLoader cannot batch samples of type {type(first).__name__}; return tensors, "
        "NumPy arrays, numbers or tuples/lists/dicts of them, or pass collate_fn="
    )


# ----------------------------------------------------------------------------- loader


def _resolve_generator(generator: Any, seed: int | None) -> Any:
    if generator is not None and seed is not None:
        raise ValueError("DataLoader: pass generator= or seed=, not both")
    if seed is not None:
        generator = seed
    if generator is None:
        return None
    if isinstance(generator, (int, np.integer)) and not isinstance(generator, bool):
        return np.random.default_rng(int(generator))
    if callable(getattr(generator, "permutation", None)):
        return generator
    raise TypeError(
        f"DataLoader: generator= must have a permutation(n) method (e.g. "
        f"numpy.random.default_rng(0)) or be an int seed, got {type(generator).__name__}"
    )


def _positive_int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"DataLoader: {name} must be a positive integer, got {value!r}")
    return int(value)


class DataLoader:
    """Iterate over a dataset in mini-batches.

    Args:
        dataset: a :class:`Dataset`, or any object with ``__len__`` and ``__getitem__``.
        batch_size: samples per batch.
        shuffle: draw a new random order of the samples at every ``iter(loader)``
            (every epoch); otherwise go through them in order.
        drop_last: drop the last batch if it has fewer than ``batch_size`` samples.
        generator: where shuffled orders come from: an object with a
            ``permutation(n)`` method (``numpy.random.default_rng(0)``, a minigrad
            generator) or an int seed.
        seed: shorthand for ``generator=numpy.random.default_rng(seed)``. With neither,
            orders are drawn from ``minigrad.random.default_generator('cpu')``, which
            ``minigrad.manual_seed`` seeds.
        collate_fn: merges a list of samples into a batch; default :func:`default_collate`.

    Each batch of a :class:`TensorDataset` is a tuple of tensors taken by indexing
    each tensor with the batch's indices at once (on the tensors' device); other
    datasets are read sample by sample and collated.

    ``len(loader)`` is the number of batches per epoch.
    """

    def __init__(
        self,
        dataset: Any,
        batch_size: int = 1,
        shuffle: bool = False,
        drop_last: bool = False,
        generator: Any = None,
        seed: int | None = None,
        collate_fn: Callable[[list[Any]], Any] | None = None,
    ) -> None:
        if not (hasattr(dataset, "__len__") and hasattr(dataset, "__getitem__")):
            raise TypeError(
                f"DataLoader needs a dataset with __len__ and __getitem__, got "
                f"{type(dataset).__name__}"
            )
        self.dataset = dataset
        self.batch_size = _positive_int(batch_size, "batch_size")
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.generator = _resolve_generator(generator, seed)
        self.collate_fn = collate_fn

    def __len__(self) -> int:
        """Number of batches in one epoch."""
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def _order(self, n: int) -> np.ndarray:
        if not self.shuffle:
            return np.arange(n, dtype=np.int64)
        generator = self.generator
        if generator is None:
            import minigrad.random

            generator = minigrad.random.default_generator("cpu")
        perm = generator.permutation(n)
        if not isinstance(perm, np.ndarray):
            from minigrad.backend import to_host

            perm = to_host(perm)
        perm = np.asarray(perm, dtype=np.int64)
        if perm.shape != (n,):
            raise RuntimeError(
                f"DataLoader: generator.permutation({n}) returned shape {perm.shape}"
            )
        return perm

    def __iter__(self) -> Iterator[Any]:
        """Start an epoch: draw the order now (if shuffling) and yield its batches."""
        order = self._order(len(self.dataset))
        return self._batches(order)

    def _batches(self, order: np.ndarray) -> Iterator[Any]:
        dataset = self.dataset
        fast = self.collate_fn is None and type(dataset).__getitem__ is TensorDataset.__getitem__
        collate = self.collate_fn or default_collate
        stop = len(self) * self.batch_size if self.drop_last else len(order)
        for start in range(0, stop, self.batch_size):
            index = order[start : start + self.batch_size]
            if fast:
                # one indexing operation per tensor; the tensor moves the index to its device
                yield tuple(t[index] for t in dataset.tensors)
            else:
                yield collate([dataset[int(i)] for i in index])

    def __repr__(self) -> str:
        return (
            f"DataLoader(dataset={type(self.dataset).__name__} of {len(self.dataset)}, "
            f"batch_size={self.batch_size}, shuffle={self.shuffle}, drop_last={self.drop_last})"
        )
