"""utils.data beyond the basic loader: samplers, batch samplers, splits, subsets, concatenation,
iterable datasets, DistributedSampler, and DataLoader's sampler options (PyTorch semantics)."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad
from minigrad.utils.data import (
    BatchSampler,
    ConcatDataset,
    DataLoader,
    Dataset,
    DistributedSampler,
    IterableDataset,
    RandomSampler,
    Sampler,
    SequentialSampler,
    Subset,
    SubsetRandomSampler,
    TensorDataset,
    WeightedRandomSampler,
    default_collate,
    default_convert,
    random_split,
)


def seeded(seed):
    return minigrad.Generator().manual_seed(seed)


class Range(Dataset):
    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return i


# ----------------------------------------------------------------------------- datasets


def test_subset_and_concat():
    ds = Range(10)
    sub = Subset(ds, [7, 2, 5])
    assert len(sub) == 3 and sub[0] == 7 and sub[-1] == 5
    assert sub.__getitems__([0, 2]) == [7, 5]
    both = ds + Range(3)
    assert isinstance(both, ConcatDataset) and len(both) == 13
    assert both.cumulative_sizes == [10, 13]
    assert [both[i] for i in (0, 9, 10, 12, -1, -13)] == [0, 9, 0, 2, 2, 0]
    with pytest.raises(ValueError, match="absolute value"):
        both[-14]
    with pytest.raises(IndexError, match="out of range"):
        both[13]
    with pytest.raises(ValueError, match="empty"):
        ConcatDataset([])


def test_random_split_by_lengths_is_randperm_of_the_generator():
    parts = random_split(Range(10), [3, 7], generator=seeded(0))
    perm = minigrad.randperm(10, generator=seeded(0)).tolist()
    assert parts[0].indices == perm[:3] and parts[1].indices == perm[3:]
    again = random_split(Range(10), [3, 7], generator=seeded(0))
    assert [p.indices for p in again] == [p.indices for p in parts]


def test_random_split_by_fractions_follows_pytorch_rounding():
    # floor(11 * f) = 2, 2, 6, then the 1 left over goes to the first split
    parts = random_split(Range(11), [0.2, 0.2, 0.6], generator=seeded(1))
    assert [len(p) for p in parts] == [3, 2, 6]
    assert sorted(i for p in parts for i in p.indices) == list(range(11))
    with pytest.warns(UserWarning, match="Length of split at index 1 is 0"):
        random_split(Range(2), [1.0, 0.0])


def test_random_split_errors():
    with pytest.raises(ValueError, match="Sum of input lengths"):
        random_split(Range(5), [2, 2])
    with pytest.raises(ValueError, match="Fraction at index 1"):
        random_split(Range(5), [0.5, 1.5, -1.0])


def test_iterable_dataset_batches_and_len():
    class Stream(IterableDataset):
        def __iter__(self):
            yield from (np.float32(i) for i in range(7))

        def __len__(self):
            return 7

    loader = DataLoader(Stream(), batch_size=3)
    batches = list(loader)
    assert len(loader) == 3 and [b.tolist() for b in batches] == [[0, 1, 2], [3, 4, 5], [6]]
    assert len(DataLoader(Stream(), batch_size=3, drop_last=True)) == 2
    assert len(list(DataLoader(Stream(), batch_size=3, drop_last=True))) == 2
    singles = list(DataLoader(Stream(), batch_size=None))
    assert len(singles) == 7 and isinstance(singles[0], minigrad.Tensor)
    for name in ("shuffle", "sampler", "batch_sampler"):
        value = True if name == "shuffle" else [0]
        with pytest.raises(ValueError, match=f"IterableDataset: expected unspecified {name}"):
            DataLoader(Stream(), **{name: value})


# ----------------------------------------------------------------------------- samplers


def test_sequential_and_random_samplers():
    assert list(SequentialSampler(Range(4))) == [0, 1, 2, 3]
    rs = RandomSampler(Range(6), generator=seeded(3))
    first, second = list(rs), list(rs)
    assert sorted(first) == sorted(second) == list(range(6)) and first != second
    assert len(rs) == 6
    with pytest.raises(TypeError, match="replacement should be a boolean"):
        RandomSampler(Range(3), replacement=1)
    with pytest.raises(ValueError, match="num_samples should be a positive integer"):
        RandomSampler(Range(3), num_samples=0)


@given(n=st.integers(1, 12), num_samples=st.integers(1, 40))
def test_random_sampler_num_samples_without_replacement(n, num_samples):
    drawn = list(RandomSampler(Range(n), num_samples=num_samples, generator=seeded(0)))
    assert len(drawn) == num_samples
    counts = Counter(drawn)  # whole permutations, then part of one
    assert all(num_samples // n <= c <= math.ceil(num_samples / n) for c in counts.values())


def test_random_sampler_with_replacement_repeats_and_stays_in_range():
    drawn = list(RandomSampler(Range(5), replacement=True, num_samples=200, generator=seeded(0)))
    assert len(drawn) == 200 and set(drawn) == set(range(5))


def test_default_random_sampler_follows_manual_seed():
    rs = RandomSampler(Range(20))
    minigrad.manual_seed(4)
    a = list(rs)
    minigrad.manual_seed(4)
    assert list(rs) == a


def test_subset_random_sampler():
    s = SubsetRandomSampler([10, 20, 30, 40], generator=seeded(0))
    drawn = list(s)
    assert sorted(drawn) == [10, 20, 30, 40] and len(s) == 4


def test_weighted_sampler_frequencies_and_errors():
    weights = [0.0, 1.0, 3.0]
    drawn = list(WeightedRandomSampler(weights, 4000, generator=seeded(0)))
    counts = Counter(drawn)
    assert counts[0] == 0 and abs(counts[2] / 4000 - 0.75) < 0.03
    no_repeat = list(WeightedRandomSampler([1, 1, 1, 0], 3, replacement=False, generator=seeded(1)))
    assert sorted(no_repeat) == [0, 1, 2]
    with pytest.raises(RuntimeError, match="without replacement"):
        WeightedRandomSampler([1, 0], 2, replacement=False)
    with pytest.raises(ValueError, match="1d sequence"):
        WeightedRandomSampler([[1.0]], 1)
    with pytest.raises(ValueError, match="num_samples should be a positive integer"):
        WeightedRandomSampler([1.0], 0)


def test_weighted_sampler_without_replacement_is_a_successive_draw():
    # P(first draw = 1) = 3/4 for weights (1, 3)
    firsts = [
        next(iter(WeightedRandomSampler([1, 3], 2, replacement=False, generator=seeded(s))))
        for s in range(800)
    ]
    assert abs(np.mean(firsts) - 0.75) < 0.05


@given(n=st.integers(0, 30), batch_size=st.integers(1, 8), drop_last=st.booleans())
def test_batch_sampler(n, batch_size, drop_last):
    batches = list(BatchSampler(range(n), batch_size, drop_last))
    sampler = BatchSampler(range(n), batch_size, drop_last)
    assert len(batches) == len(sampler)
    flat = [i for b in batches for i in b]
    assert flat == list(range(len(flat)))
    assert all(len(b) == batch_size for b in (batches if drop_last else batches[:-1]))


def test_batch_sampler_errors():
    with pytest.raises(ValueError, match="batch_size should be a positive integer"):
        BatchSampler(range(3), 0, False)
    with pytest.raises(ValueError, match="drop_last should be a boolean"):
        BatchSampler(range(3), 2, 0)


# ----------------------------------------------------------------------------- DataLoader options


def test_dataloader_sampler_and_batch_sampler():
    ds = TensorDataset(minigrad.arange(10))
    loader = DataLoader(ds, batch_size=4, sampler=[9, 8, 7, 6, 5])
    assert [b[0].tolist() for b in loader] == [[9, 8, 7, 6], [5]]
    by_batch = DataLoader(ds, batch_sampler=[[0, 1], [5, 6, 7]])
    assert [b[0].tolist() for b in by_batch] == [[0, 1], [5, 6, 7]]
    assert len(by_batch) == 2 and by_batch.batch_size is None


def test_dataloader_mutual_exclusion_errors():
    ds = Range(4)
    with pytest.raises(ValueError, match="^sampler option is mutually exclusive with shuffle$"):
        DataLoader(ds, sampler=[0], shuffle=True)
    message = (
        "batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, "
        "and drop_last"
    )
    for kwargs in ({"batch_size": 2}, {"shuffle": True}, {"sampler": [0]}, {"drop_last": True}):
        with pytest.raises(ValueError, match=f"^{message}$"):
            DataLoader(ds, batch_sampler=[[0]], **kwargs)
    with pytest.raises(ValueError, match="batch_size=None option disables auto-batching"):
        DataLoader(ds, batch_size=None, drop_last=True)
    with pytest.raises(ValueError, match="num_workers option should be non-negative"):
        DataLoader(ds, num_workers=-1)


def test_dataloader_without_batching_converts_samples():
    loader = DataLoader([np.arange(2), np.arange(2) + 2], batch_size=None)
    samples = list(loader)
    assert len(loader) == 2 and [s.tolist() for s in samples] == [[0, 1], [2, 3]]


def test_num_workers_and_pin_memory_give_the_same_batches():
    ds = TensorDataset(minigrad.arange(9))
    plain = [b[0].tolist() for b in DataLoader(ds, batch_size=4)]
    other = DataLoader(ds, batch_size=4, num_workers=2, pin_memory=True)
    assert [b[0].tolist() for b in other] == plain


def test_subset_of_tensor_dataset_is_read_one_index_per_tensor(monkeypatch):
    x = minigrad.arange(20)
    train, _ = random_split(TensorDataset(x, x * 10), [0.5, 0.5], generator=seeded(0))
    calls = []
    original = minigrad.Tensor.__getitem__

    def spy(self, key):
        calls.append(np.shape(key))
        return original(self, key)

    monkeypatch.setattr(minigrad.Tensor, "__getitem__", spy)
    xb, yb = next(iter(DataLoader(train, batch_size=10)))
    assert calls == [(10,), (10,)]
    assert xb.tolist() == [train.indices[i] for i in range(10)]
    assert yb.tolist() == [10 * i for i in xb.tolist()]


def test_collate_containers_follow_pytorch():
    from collections import namedtuple

    Point = namedtuple("Point", "x y")
    batch = default_collate([Point(1, 2.0), Point(3, 4.0)])
    assert isinstance(batch, Point) and batch.x.dtype == np.int64 and batch.y.dtype == np.float64
    assert default_collate([(1, True), (2, False)])[1].dtype == np.bool_
    assert isinstance(default_collate([(1, 2), (3, 4)]), list)  # tuples become lists
    assert default_collate([np.float32(1), np.float32(2)]).dtype == np.float32
    assert default_convert((np.arange(2), "a"))[1] == "a"


# ----------------------------------------------------------------------------- DistributedSampler


@given(n=st.integers(1, 40), replicas=st.integers(1, 5), drop_last=st.booleans())
def test_distributed_sampler_shards(n, replicas, drop_last):
    shards = [
        list(DistributedSampler(Range(n), replicas, r, seed=3, drop_last=drop_last))
        for r in range(replicas)
    ]
    lengths = {len(s) for s in shards}
    assert len(lengths) == 1  # every rank the same number of indices
    per_rank = lengths.pop()
    if drop_last:
        assert per_rank == n // replicas
        flat = [i for s in shards for i in s]
        assert len(set(flat)) == len(flat)  # disjoint
    else:
        assert per_rank == math.ceil(n / replicas)
        flat = [i for s in shards for i in s]
        assert set(flat) == set(range(n))  # covers the dataset
        assert len(flat) - len(set(flat)) == per_rank * replicas - n  # repeats = padding only
    assert len(DistributedSampler(Range(n), replicas, 0, drop_last=drop_last)) == per_rank


def test_distributed_sampler_order_and_epochs():
    sampler = DistributedSampler(Range(10), num_replicas=3, rank=1, shuffle=False)
    assert list(sampler) == [1, 4, 7, 0]  # padded with the first index: 0..9, 0, 1
    shuffled = DistributedSampler(Range(10), num_replicas=2, rank=0, seed=5)
    perm = minigrad.randperm(10, generator=seeded(5)).tolist()
    assert list(shuffled) == perm[0::2]
    epoch0 = list(shuffled)
    assert list(shuffled) == epoch0  # the same until set_epoch
    shuffled.set_epoch(1)
    assert list(shuffled) == minigrad.randperm(10, generator=seeded(6)).tolist()[0::2]


def test_distributed_sampler_errors():
    with pytest.raises(ValueError, match=r"Invalid rank 2, rank should be in the interval \[0, 1"):
        DistributedSampler(Range(4), num_replicas=2, rank=2)
    # num_replicas and rank default to the process group's: an error outside one
    if minigrad.distributed.is_available():
        error, match = ValueError, "Default process group has not been initialized"
    else:
        error, match = RuntimeError, "Requires distributed package"
    with pytest.raises(error, match=match):
        DistributedSampler(Range(4))


def test_sampler_base_class():
    with pytest.raises(NotImplementedError):
        iter(Sampler())
