"""``DistributedSampler``: each process of a data-parallel job reads its own share of a dataset."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sized

from minigrad.random import Generator

from .sampler import Sampler

__all__ = ["DistributedSampler"]


class DistributedSampler(Sampler):
    """The indices of process ``rank`` out of ``num_replicas``: every ``num_replicas``-th
    index of one (shuffled) order, starting at ``rank`` (``torch.utils.data.DistributedSampler``).

    The order is a permutation drawn from ``seed + epoch`` (the same on every
    process, so the shards are disjoint); call :meth:`set_epoch` at the start
    of each epoch for a new one. Unless ``drop_last``, the order is padded by
    repeating its first indices up to a multiple of ``num_replicas`` (so every
    process gets ``ceil(N / num_replicas)`` indices); with ``drop_last`` the
    tail is cut instead (``floor(N / num_replicas)`` each).

    Args:
        dataset: the dataset (only its length is used).
        num_replicas: number of processes (default: the process group's world size).
        rank: this process's rank (default: its rank in the process group).
        shuffle: draw a new order every epoch; otherwise ``0, 1, ..., N - 1``.
        seed: the base seed, the same on every process.
        drop_last: cut the tail rather than pad.
    """

    def __init__(
        self,
        dataset: Sized,
        num_replicas: int | None = None,
        rank: int | None = None,
        shuffle: bool = True,
        seed: int = 0,
        drop_last: bool = False,
    ) -> None:
        if num_replicas is None or rank is None:
            from minigrad import distributed

            if not distributed.is_available():
                raise RuntimeError("Requires distributed package to be available")
            num_replicas = distributed.get_world_size() if num_replicas is None else num_replicas
            rank = distributed.get_rank() if rank is None else rank
        if rank >= num_replicas or rank < 0:
            raise ValueError(
                f"Invalid rank {rank}, rank should be in the interval [0, {num_replicas - 1}]"
            )
        self.dataset = dataset
        self.num_replicas = num_replicas
        self.rank = rank
        self.epoch = 0
        self.drop_last = drop_last
        n = len(dataset)
        if drop_last and n % num_replicas != 0:
            self.num_samples = math.ceil((n - num_replicas) / num_replicas)
        else:
            self.num_samples = math.ceil(n / num_replicas)
        self.total_size = self.num_samples * num_replicas
        self.shuffle = shuffle
        self.seed = seed

    def __iter__(self) -> Iterator[int]:
        import minigrad

        n = len(self.dataset)
        if self.shuffle:
            generator = Generator().manual_seed(self.seed + self.epoch)
            indices = minigrad.randperm(n, generator=generator).tolist()
        else:
            indices = list(range(n))
        if self.drop_last:
            indices = indices[: self.total_size]
        else:
            padding = self.total_size - len(indices)
            indices += (indices * math.ceil(padding / max(len(indices), 1)))[:padding]
        return iter(indices[self.rank : self.total_size : self.num_replicas])

    def __len__(self) -> int:
        """Indices per process and epoch."""
        return self.num_samples

    def set_epoch(self, epoch: int) -> None:
        """Use the order of epoch ``epoch`` (call it before each epoch, on every process)."""
        self.epoch = epoch
