"""DataLoader over map-style datasets: batching, shuffling, generators, devices, collation."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import minigrad
from minigrad.utils.data import DataLoader, Dataset, TensorDataset, default_collate


def _host(t):
    """A tensor's values as a host array, from any device."""
    return t.cpu().numpy()


def _order(loader):
    """The sample order of one epoch of a loader over TensorDataset(arange(n))."""
    return np.concatenate([_host(b[0]) for b in loader]) if len(loader) else np.array([])


# ----------------------------------------------------------------------------- TensorDataset


def test_tensor_dataset_items_and_len():
    x = minigrad.tensor(np.arange(12, dtype=np.float32).reshape(6, 2))
    y = minigrad.tensor(np.arange(6))
    ds = TensorDataset(x, y)
    assert len(ds) == 6
    xi, yi = ds[4]
    np.testing.assert_array_equal(xi.numpy(), [8.0, 9.0])
    assert yi.item() == 4
    assert ds.tensors[0] is x


def test_tensor_dataset_converts_arrays():
    ds = TensorDataset(np.zeros((3, 2), dtype=np.uint8), [1, 2, 3])
    assert isinstance(ds.tensors[0], minigrad.Tensor) and ds.tensors[0].dtype == np.uint8
    assert ds.tensors[1].dtype == np.int64


def test_tensor_dataset_rejects_bad_input():
    with pytest.raises(AssertionError, match=r"Size mismatch.*\(3, 2\), \(4,\)"):
        TensorDataset(minigrad.zeros(3, 2), minigrad.zeros(4))
    with pytest.raises(ValueError, match="at least one"):
        TensorDataset()
    with pytest.raises(ValueError, match="scalar"):
        TensorDataset(minigrad.tensor(1.0))


def test_dataset_base_class_requires_methods():
    with pytest.raises(NotImplementedError):
        len(Dataset())
    with pytest.raises(NotImplementedError):
        Dataset()[0]


# ----------------------------------------------------------------------------- batching


def test_batches_in_order_keep_dtypes_and_values():
    images = np.arange(10 * 4, dtype=np.uint8).reshape(10, 2, 2)
    labels = np.arange(10, dtype=np.int64) % 3
    loader = DataLoader(TensorDataset(images, labels), batch_size=4)
    batches = list(loader)
    assert len(loader) == 3 == len(batches)
    assert [b[0].shape for b in batches] == [(4, 2, 2), (4, 2, 2), (2, 2, 2)]
    for i, (xb, yb) in enumerate(batches):
        assert isinstance(xb, minigrad.Tensor) and xb.dtype == np.uint8
        assert yb.dtype == np.int64
        np.testing.assert_array_equal(xb.numpy(), images[4 * i : 4 * i + 4])
        np.testing.assert_array_equal(yb.numpy(), labels[4 * i : 4 * i + 4])


def test_drop_last():
    ds = TensorDataset(minigrad.arange(10))
    loader = DataLoader(ds, batch_size=4, drop_last=True)
    assert len(loader) == 2
    assert [b[0].shape for b in loader] == [(4,), (4,)]
    assert len(DataLoader(ds, batch_size=11, drop_last=True)) == 0
    assert list(DataLoader(ds, batch_size=11, drop_last=True)) == []


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(0, 40),
    batch_size=st.integers(1, 12),
    shuffle=st.booleans(),
    drop_last=st.booleans(),
)
@example(n=0, batch_size=1, shuffle=True, drop_last=False)
def test_len_and_coverage(n, batch_size, shuffle, drop_last):
    if n == 0 and shuffle:  # as PyTorch's RandomSampler: nothing to shuffle is an error
        with pytest.raises(ValueError, match="num_samples should be a positive integer"):
            DataLoader(TensorDataset(minigrad.arange(n)), shuffle=True)
        return
    loader = DataLoader(
        TensorDataset(minigrad.arange(n)),
        batch_size=batch_size,
        shuffle=shuffle,
        drop_last=drop_last,
        generator=minigrad.Generator().manual_seed(0),
    )
    batches = list(loader)
    assert len(batches) == len(loader)
    assert all(b[0].shape[0] == batch_size for b in batches[:-1])
    if drop_last:
        assert len(loader) == n // batch_size
        assert all(b[0].shape[0] == batch_size for b in batches)
    else:
        order = _order(loader)
        assert sorted(order.tolist()) == list(range(n))  # every sample exactly once
        if not shuffle:
            assert order.tolist() == list(range(n))


def test_batch_size_validation():
    ds = TensorDataset(minigrad.arange(3))
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="batch_size should be a positive integer"):
            DataLoader(ds, batch_size=bad)
    with pytest.raises(TypeError, match="__len__"):
        DataLoader(object())


# ----------------------------------------------------------------------------- shuffling and seeds


def seeded(seed):
    return minigrad.Generator().manual_seed(seed)


def test_shuffle_reshuffles_every_epoch_and_generator_reproduces():
    ds = TensorDataset(minigrad.arange(50))
    loader = DataLoader(ds, batch_size=8, shuffle=True, generator=seeded(123))
    first, second = _order(loader), _order(loader)
    assert sorted(first.tolist()) == list(range(50))
    assert not np.array_equal(first, np.arange(50))
    assert not np.array_equal(first, second)  # a new order each epoch

    again = DataLoader(ds, batch_size=8, shuffle=True, generator=seeded(123))
    np.testing.assert_array_equal(_order(again), first)
    np.testing.assert_array_equal(_order(again), second)
    other = DataLoader(ds, batch_size=8, shuffle=True, generator=seeded(124))
    assert not np.array_equal(_order(other), first)


def test_shuffled_order_is_randperm_of_the_generator():
    ds = TensorDataset(minigrad.arange(30))
    order = _order(DataLoader(ds, batch_size=7, shuffle=True, generator=seeded(5)))
    np.testing.assert_array_equal(order, minigrad.randperm(30, generator=seeded(5)).numpy())


def test_generator_argument_errors():
    ds = TensorDataset(minigrad.arange(3))
    with pytest.raises(TypeError, match="minigrad.Generator"):
        DataLoader(ds, shuffle=True, generator=np.random.default_rng(0))


def test_manual_seed_makes_default_shuffle_reproducible():
    ds = TensorDataset(minigrad.arange(40))
    loader = DataLoader(ds, batch_size=6, shuffle=True)
    minigrad.manual_seed(7)
    run1 = [_order(loader) for _ in range(3)]
    minigrad.manual_seed(7)
    run2 = [_order(loader) for _ in range(3)]
    for a, b in zip(run1, run2, strict=True):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(run1[0], run1[1])
    minigrad.manual_seed(8)
    assert not np.array_equal(_order(loader), run1[0])


def test_order_is_drawn_when_the_first_batch_is_asked_for():
    ds = TensorDataset(minigrad.arange(20))
    loader = DataLoader(ds, batch_size=5, shuffle=True)
    minigrad.manual_seed(1)
    expected = _order(loader)
    epoch = iter(loader)  # as PyTorch's sampler, nothing is drawn yet ...
    minigrad.manual_seed(1)  # ... so seeding now fixes this epoch's order
    np.testing.assert_array_equal(np.concatenate([_host(b[0]) for b in epoch]), expected)


# ----------------------------------------------------------------------------- devices, fast path


def test_tensor_dataset_batches_stay_on_device(device):
    x_host = np.arange(24, dtype=np.float32).reshape(12, 2)
    y_host = np.arange(12) % 4
    x = minigrad.tensor(x_host, device=device)
    y = minigrad.tensor(y_host, device=device)
    loader = DataLoader(TensorDataset(x, y), batch_size=5, shuffle=True, generator=seeded(0))
    seen = []
    for xb, yb in loader:
        assert xb.device == device and yb.device == device
        assert xb.dtype == np.float32 and yb.dtype == np.int64
        xh, yh = _host(xb), _host(yb)
        rows = (xh[:, 0] // 2).astype(int)
        np.testing.assert_array_equal(xh, x_host[rows])
        np.testing.assert_array_equal(yh, y_host[rows])
        seen.extend(rows.tolist())
    assert sorted(seen) == list(range(12))


def test_tensor_dataset_fast_path_indexes_each_tensor_once(monkeypatch):
    calls = []
    original = minigrad.Tensor.__getitem__

    def spy(self, key):
        calls.append(np.shape(key))
        return original(self, key)

    monkeypatch.setattr(minigrad.Tensor, "__getitem__", spy)
    ds = TensorDataset(minigrad.zeros(10, 3), minigrad.arange(10))
    batches = list(DataLoader(ds, batch_size=4, shuffle=True, generator=seeded(0)))
    assert len(batches) == 3
    assert calls == [(4,), (4,), (4,), (4,), (2,), (2,)]  # one fancy index per tensor per batch


def test_batches_of_a_tensor_that_requires_grad_stay_in_the_graph():
    w = minigrad.ones(6, 2, requires_grad=True)
    (xb,) = next(iter(DataLoader(TensorDataset(w), batch_size=3)))
    (xb * 2).sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), [[2, 2]] * 3 + [[0, 0]] * 3)


# ----------------------------------------------------------------------------- other datasets


class Squares(Dataset):
    """A map-style dataset built from a function: sample i is (features, label)."""

    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return np.array([i, i * i], dtype=np.float32), i % 2


def test_custom_dataset_is_collated():
    loader = DataLoader(Squares(7), batch_size=3)
    batches = list(loader)
    assert len(batches) == 3
    xb, yb = batches[0]
    assert isinstance(xb, minigrad.Tensor) and xb.shape == (3, 2) and xb.dtype == np.float32
    assert isinstance(yb, minigrad.Tensor) and yb.dtype == np.int64
    np.testing.assert_array_equal(xb.numpy(), [[0, 0], [1, 1], [2, 4]])
    np.testing.assert_array_equal(yb.numpy(), [0, 1, 0])
    assert batches[-1][0].shape == (1, 2)


def test_subclass_overriding_getitem_is_not_fast_pathed():
    class Doubled(TensorDataset):
        def __getitem__(self, i):
            (x,) = super().__getitem__(i)
            return (x * 2,)

    loader = DataLoader(Doubled(minigrad.arange(5)), batch_size=5)
    np.testing.assert_array_equal(next(iter(loader))[0].numpy(), [0, 2, 4, 6, 8])


def test_plain_list_and_dict_samples():
    samples = [
        {"x": np.full(2, i, dtype=np.float64), "y": float(i), "name": f"s{i}"} for i in range(4)
    ]
    batch = next(iter(DataLoader(samples, batch_size=4)))
    assert batch["x"].dtype == np.float64 and batch["x"].shape == (4, 2)
    assert batch["y"].dtype == np.float64  # Python floats: float64, as PyTorch's default_collate
    assert batch["name"] == ["s0", "s1", "s2", "s3"]


def test_tensor_samples_are_stacked(device):
    samples = [minigrad.full((2,), float(i), device=device) for i in range(3)]
    batch = default_collate(samples)
    assert batch.shape == (3, 2) and batch.device == device
    np.testing.assert_array_equal(_host(batch), [[0, 0], [1, 1], [2, 2]])


def test_collate_errors_name_the_problem():
    ragged = [np.zeros(2), np.zeros(3)]
    with pytest.raises(RuntimeError, match=r"equal size, but got \[2\] at entry 0 and \[3\]"):
        default_collate(ragged)
    with pytest.raises(RuntimeError, match="equal size"):
        default_collate([minigrad.zeros(2), minigrad.zeros(3)])
    with pytest.raises(TypeError, match="batch must contain tensors.*object"):
        default_collate([object(), object()])
    with pytest.raises(TypeError, match="<U1"):
        default_collate([np.array(["a"]), np.array(["b"])])
    with pytest.raises(RuntimeError, match="equal size"):
        default_collate([(1, 2), (3,)])


def test_custom_collate_fn():
    loader = DataLoader(Squares(5), batch_size=2, collate_fn=lambda samples: len(samples))
    assert list(loader) == [2, 2, 1]


def test_repr_mentions_settings():
    text = repr(DataLoader(Squares(5), batch_size=2, shuffle=True))
    assert "batch_size=2" in text and "RandomSampler" in text and "Squares" in text


def test_minigrad_data_re_exports_utils_data():
    import minigrad.utils.data as utils_data

    for name in ("Dataset", "TensorDataset", "DataLoader", "default_collate"):
        assert getattr(minigrad.data, name) is getattr(utils_data, name)
    assert minigrad.utils.data is utils_data  # reachable after a plain import minigrad
