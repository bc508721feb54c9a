"""``DataLoader``: a dataset read in mini-batches, in the order a sampler gives (PyTorch's).

::

    loader = DataLoader(TensorDataset(x, y), batch_size=64, shuffle=True)
    for epoch in range(10):
        for xb, yb in loader:          # a new order every epoch; the last batch may be smaller
            ...

The pieces, each replaceable: a *sampler* gives the order of the indices
(:class:`SequentialSampler`, or :class:`RandomSampler` when ``shuffle=True``),
a :class:`BatchSampler` groups them by ``batch_size``, and ``collate_fn``
(:func:`default_collate`) merges the samples of a batch.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.context
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import numpy as np

from minigrad.random import Generator

from .collate import default_collate, default_convert
from .dataset import IterableDataset, Subset, TensorDataset
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler

__all__ = ["DataLoader", "get_worker_info"]


def get_worker_info() -> None:
    """Information about the worker process loading this data: always None, since minigrad
    loads in the main process (what PyTorch returns there too)."""
    return None


def _tensor_rows(dataset: Any, indices: list[int]) -> list[Any] | None:
    """The batch of a :class:`TensorDataset` (possibly behind :class:`Subset` s) at
    ``indices``, by one indexing operation per tensor; None for other datasets."""
    while type(dataset) is Subset:
        indices = [dataset.indices[i] for i in indices]
        dataset = dataset.dataset
    if type(dataset).__getitem__ is not TensorDataset.__getitem__:
        return None
    index = np.asarray(indices, dtype=np.int64)  # each tensor moves it to its own device
    return [t[index] for t in dataset.tensors]


def _check_context(context: Any, num_workers: int) -> Any:
    """PyTorch's checks of ``multiprocessing_context``: None, or (with ``num_workers > 0``)
    a start method name, turned into its context, or a context object."""
    if context is None:
        return None
    if num_workers == 0:
        raise ValueError(
            "multiprocessing_context can only be used with multi-process loading "
            f"(num_workers > 0), but got num_workers={num_workers}"
        )
    if isinstance(context, str):
        methods = multiprocessing.get_all_start_methods()
        if context not in methods:
            raise ValueError(
                "multiprocessing_context option should specify a valid start method in "
                f"{methods!r}, but got multiprocessing_context={context!r}"
            )
        context = multiprocessing.get_context(context)
    if not isinstance(context, multiprocessing.context.BaseContext):
        raise TypeError(
            "multiprocessing_context option should be a valid context object or a string "
            f"specifying the start method, but got multiprocessing_context={context}"
        )
    return context


class DataLoader:
    """Iterate over a dataset in mini-batches (``torch.utils.data.DataLoader``).

    Args:
        dataset: a map-style dataset (``__len__`` and ``__getitem__``, e.g.
            :class:`TensorDataset`) or an :class:`IterableDataset`.
        batch_size: samples per batch; ``None`` yields single samples (no batching).
        shuffle: a new random order at every ``iter(loader)`` (every epoch).
        sampler: the order of the indices (an iterable of indices; excludes ``shuffle``).
        batch_sampler: yields whole batches of indices (excludes ``batch_size``,
            ``shuffle``, ``sampler`` and ``drop_last``).
        num_workers: accepted for PyTorch code; minigrad always loads in the
            main process (the batches are the same), so there are no worker processes
            and :func:`get_worker_info` is None.
        collate_fn: merges a list of samples into a batch (default :func:`default_collate`;
            :func:`default_convert` when ``batch_size=None``).
        pin_memory: accepted for PyTorch code; it changes nothing here.
        drop_last: drop the last batch if it has fewer than ``batch_size`` samples.
        timeout: seconds to wait for a batch from a worker (must be >= 0); there are no
            workers here, so it never expires.
        worker_init_fn: called as ``worker_init_fn(worker_id)`` in each worker process in
            PyTorch; minigrad starts no worker processes, so it is stored and never called
            (as in PyTorch with ``num_workers=0``).
        multiprocessing_context: the start method of the workers (a name from
            ``multiprocessing.get_all_start_methods()`` or a context object); needs
            ``num_workers > 0``; validated and stored as a context, never used.
        generator: the :class:`minigrad.Generator` that ``shuffle=True`` draws from;
            without it the orders come from the global stream (``minigrad.manual_seed``).
        prefetch_factor: batches loaded ahead by each worker; only with ``num_workers > 0``
            (then 2 by default, else None); stored, no effect in the main process.
        persistent_workers: keep the workers alive between epochs; needs
            ``num_workers > 0``; stored, no effect here.
        pin_memory_device: the device ``pin_memory`` pins for; stored, no effect.
        in_order: return batches in sampler order (``False`` lets PyTorch's workers
            return them as they finish); loading in one process always keeps the order.

    ``len(loader)`` is the number of batches per epoch. A batch of a
    :class:`TensorDataset` (also through :class:`Subset` s) is read by indexing
    each tensor once with all the batch's indices, on the tensors' device.
    """

    def __init__(
        self,
        dataset: Any,
        batch_size: int | None = 1,
        shuffle: bool | None = None,
        sampler: Sampler | Iterable[Any] | None = None,
        batch_sampler: Sampler | Iterable[list[Any]] | None = None,
        num_workers: int = 0,
        collate_fn: Callable[[Any], Any] | None = None,
        pin_memory: bool = False,
        drop_last: bool = False,
        timeout: float = 0,
        worker_init_fn: Callable[[int], None] | None = None,
        multiprocessing_context: Any = None,
        generator: Generator | None = None,
        *,
        prefetch_factor: int | None = None,
        persistent_workers: bool = False,
        pin_memory_device: str = "",
        in_order: bool = True,
    ) -> None:
        if isinstance(num_workers, bool) or not isinstance(num_workers, int) or num_workers < 0:
            raise ValueError(
                "num_workers option should be non-negative; use num_workers=0 to disable "
                "multiprocessing."
            )
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError(
                "prefetch_factor option could only be specified in multiprocessing."
                "let num_workers > 0 to enable multiprocessing, otherwise set prefetch_factor "
                "to None."
            )
        if num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        elif prefetch_factor is not None and prefetch_factor < 0:
            raise ValueError("prefetch_factor option should be non-negative")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")
        multiprocessing_context = _check_context(multiprocessing_context, num_workers)
        if isinstance(dataset, IterableDataset):
            for name, value in (
                ("shuffle", shuffle),
                ("sampler", sampler),
                ("batch_sampler", batch_sampler),
            ):
                if value not in (None, False):
                    raise ValueError(
                        f"DataLoader with IterableDataset: expected unspecified {name} "
                        f"option, but got {name}={value}"
                    )
        elif not (hasattr(dataset, "__len__") and hasattr(dataset, "__getitem__")):
            raise TypeError(
                f"DataLoader needs a dataset with __len__ and __getitem__ (or an "
                f"IterableDataset), got {type(dataset).__name__}"
            )
        shuffle = bool(shuffle)
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError(
                    "batch_sampler option is mutually exclusive with batch_size, shuffle, "
                    "sampler, and drop_last"
                )
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError(
                "batch_size=None option disables auto-batching and is mutually exclusive "
                "with drop_last"
            )
        if generator is not None and not isinstance(generator, Generator):
            raise TypeError(
                f"DataLoader: generator must be a minigrad.Generator (e.g. "
                f"minigrad.Generator().manual_seed(0)), got {type(generator).__name__}"
            )
        iterable = isinstance(dataset, IterableDataset)
        if sampler is None and not iterable:
            sampler = (
                RandomSampler(dataset, generator=generator)
                if shuffle
                else SequentialSampler(dataset)
            )
        if batch_size is not None and batch_sampler is None and not iterable:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)  # type: ignore[arg-type]
        if iterable and batch_size is not None:
            BatchSampler([], batch_size, drop_last)  # the same checks of batch_size, drop_last
        self.dataset = dataset
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler: Any = sampler  # None only for an iterable dataset
        self.batch_sampler: Any = batch_sampler
        self.num_workers = num_workers
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.generator = generator
        self.prefetch_factor = prefetch_factor
        self.persistent_workers = persistent_workers
        self.in_order = in_order
        self._auto_collation = batch_sampler is not None or (iterable and batch_size is not None)
        self._default_collate = collate_fn is None
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn

    @property
    def _index_sampler(self) -> Any:
        return self.batch_sampler if self._auto_collation else self.sampler

    def __len__(self) -> int:
        """Number of batches (of samples, when ``batch_size=None``) in one epoch."""
        if isinstance(self.dataset, IterableDataset):
            n = len(self.dataset)
            if self.batch_size is None:
                return n
            return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
        return len(self._index_sampler)

    def __iter__(self) -> Iterator[Any]:
        """One epoch: the batches in the order of the sampler (a shuffled order is drawn
        when the first batch is asked for)."""
        if isinstance(self.dataset, IterableDataset):
            return self._iterable_batches()
        if not self._auto_collation:
            return (self.collate_fn(self.dataset[i]) for i in self.sampler)
        return (self._fetch(indices) for indices in self.batch_sampler)

    def _fetch(self, indices: Any) -> Any:
        indices = list(indices)
        if self._default_collate:
            rows = _tensor_rows(self.dataset, indices)
            if rows is not None:
                return rows
        if callable(getattr(self.dataset, "__getitems__", None)):
            return self.collate_fn(self.dataset.__getitems__(indices))
        return self.collate_fn([self.dataset[i] for i in indices])

    def _iterable_batches(self) -> Iterator[Any]:
        if not self._auto_collation:
            for sample in self.dataset:
                yield self.collate_fn(sample)
            return
        batch: list[Any] = []
        for sample in self.dataset:
            batch.append(sample)
            if len(batch) == self.batch_size:
                yield self.collate_fn(batch)
                batch = []
        if batch and not self.drop_last:
            yield self.collate_fn(batch)

    def __repr__(self) -> str:
        return (
            f"DataLoader(dataset={type(self.dataset).__name__}, batch_size={self.batch_size}, "
            f"sampler={type(self.sampler).__name__}, drop_last={self.drop_last})"
        )
