"""Samplers: the order in which a ``DataLoader`` reads a map-style dataset.

A sampler is an iterable of dataset indices (a :class:`BatchSampler`: of lists
of indices). Random samplers draw from ``generator=`` (a
:class:`minigrad.Generator`) or, without one, from the global stream (as
PyTorch's, :class:`RandomSampler` and :class:`WeightedRandomSampler` seed a
fresh generator from it at the start of each pass), so ``minigrad.manual_seed``
fixes the orders, and every pass gets a new one.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence, Sized
from typing import Any

import numpy as np

from minigrad.random import Generator

__all__ = [
    "Sampler",
    "SequentialSampler",
    "RandomSampler",
    "SubsetRandomSampler",
    "WeightedRandomSampler",
    "BatchSampler",
]


class Sampler:
    """Base class of samplers: subclass it and define ``__iter__`` (and ``__len__`` if known)."""

    def __init__(self, data_source: Sized | None = None) -> None:
        pass  # PyTorch accepts (and ignores) data_source here too

    def __iter__(self) -> Iterator[Any]:
        """The indices, one pass."""
        raise NotImplementedError(f"{type(self).__name__} must define __iter__")


def _positive_int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"{name} should be a positive integer value, but got {name}={value!r}")
    return value


def _bool(value: Any, name: str, error: type[Exception]) -> bool:
    if not isinstance(value, bool):
        raise error(f"{name} should be a boolean value, but got {name}={value!r}")
    return value


def _pass_generator(generator: Generator | None) -> Generator:
    """``generator``, or a new one seeded from the global stream (one draw per pass)."""
    if generator is not None:
        return generator
    import minigrad

    seed = int(minigrad.randint(0, 2**63 - 1, ()).item())
    return Generator().manual_seed(seed)


class SequentialSampler(Sampler):
    """``0, 1, ..., len(data_source) - 1``, in order."""

    def __init__(self, data_source: Sized) -> None:
        self.data_source = data_source

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(Sampler):
    """Indices of ``data_source`` in random order, a new order each pass.

    Args:
        data_source: the dataset (only its length is used).
        replacement: draw ``num_samples`` indices independently (with repeats);
            otherwise permutations, concatenated if ``num_samples > len(data_source)``.
        num_samples: indices per pass (default ``len(data_source)``).
        generator: a :class:`minigrad.Generator` to draw from.
    """

    def __init__(
        self,
        data_source: Sized,
        replacement: bool = False,
        num_samples: int | None = None,
        generator: Generator | None = None,
    ) -> None:
        self.data_source = data_source
        self.replacement = _bool(replacement, "replacement", TypeError)
        self._num_samples = num_samples
        self.generator = generator
        _positive_int(self.num_samples, "num_samples")

    @property
    def num_samples(self) -> int:
        """Indices per pass: ``num_samples`` if given, else the dataset's length."""
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self) -> Iterator[int]:
        import minigrad

        n, wanted = len(self.data_source), self.num_samples
        generator = _pass_generator(self.generator)
        if self.replacement:
            yield from minigrad.randint(0, n, (wanted,), generator=generator).tolist()
            return
        for _ in range(wanted // n):
            yield from minigrad.randperm(n, generator=generator).tolist()
        yield from minigrad.randperm(n, generator=generator).tolist()[: wanted % n]

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler):
    """The given ``indices`` in random order (without replacement), a new order each pass."""

    def __init__(self, indices: Sequence[int], generator: Generator | None = None) -> None:
        self.indices = indices
        self.generator = generator

    def __iter__(self) -> Iterator[int]:
        import minigrad

        order = minigrad.randperm(len(self.indices), generator=self.generator).tolist()
        for i in order:
            yield self.indices[i]

    def __len__(self) -> int:
        return len(self.indices)


class WeightedRandomSampler(Sampler):
    """``num_samples`` indices in ``[0, len(weights))``, index ``i`` with probability
    ``weights[i] / sum(weights)`` (as ``torch.multinomial``).

    With replacement each index is drawn independently, by inverting the
    cumulative distribution at a uniform number. Without replacement an index is
    drawn at most once: successive draws, each among the indices not drawn yet
    with probabilities proportional to their weights, which are the ``num_samples``
    smallest keys ``-log(u_i) / w_i`` (the exponential race, Efraimidis & Spirakis 2006).
    """

    def __init__(
        self,
        weights: Sequence[float],
        num_samples: int,
        replacement: bool = True,
        generator: Generator | None = None,
    ) -> None:
        import minigrad

        _positive_int(num_samples, "num_samples")
        _bool(replacement, "replacement", ValueError)
        self.weights = minigrad.as_tensor(weights, dtype=minigrad.float64)
        if self.weights.ndim != 1:
            raise ValueError(
                "weights should be a 1d sequence but given weights have shape "
                f"{tuple(self.weights.shape)}"
            )
        host = self.weights.cpu().numpy()
        if not (np.isfinite(host).all() and (host >= 0).all() and host.sum() > 0):
            raise RuntimeError(
                "invalid multinomial distribution (weights must be finite, "
                "non-negative and not all zero)"
            )
        if not replacement and num_samples > np.count_nonzero(host):
            raise RuntimeError(
                "cannot sample n_sample > prob_dist.size(-1) samples without replacement "
                f"(num_samples={num_samples}, {np.count_nonzero(host)} positive weights)"
            )
        self.num_samples = num_samples
        self.replacement = replacement
        self.generator = generator

    def __iter__(self) -> Iterator[int]:
        import minigrad

        weights = self.weights.cpu().numpy()
        generator = _pass_generator(self.generator)
        draws = self.num_samples if self.replacement else len(weights)
        u = minigrad.rand(draws, generator=generator, dtype=minigrad.float64).numpy()
        if self.replacement:
            cdf = np.cumsum(weights)
            chosen = np.searchsorted(cdf, u * cdf[-1], side="right")
            yield from np.minimum(chosen, len(weights) - 1).tolist()
            return
        with np.errstate(divide="ignore"):
            keys = -np.log1p(-u) / weights  # -log(1 - u) avoids log(0); zero weight: inf
        yield from np.argsort(keys, kind="stable")[: self.num_samples].tolist()

    def __len__(self) -> int:
        return self.num_samples


class BatchSampler(Sampler):
    """Group the indices of ``sampler`` into lists of ``batch_size`` (the last one may be
    shorter, unless ``drop_last``)."""

    def __init__(self, sampler: Iterable[int], batch_size: int, drop_last: bool) -> None:
        _positive_int(batch_size, "batch_size")
        _bool(drop_last, "drop_last", ValueError)
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self) -> Iterator[list[int]]:
        batch: list[int] = []
        for index in self.sampler:
            batch.append(index)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self) -> int:
        """``len(sampler) // batch_size``, rounded up unless ``drop_last``."""
        n = len(self.sampler)  # type: ignore[arg-type]
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
