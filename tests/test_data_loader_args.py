"""DataLoader's worker-related arguments (PyTorch's validation, loading in the main
process), ChainDataset and StackDataset."""

from __future__ import annotations

import inspect
import multiprocessing

import numpy as np
import pytest

import minigrad
from minigrad.utils.data import (
    ChainDataset,
    DataLoader,
    IterableDataset,
    StackDataset,
    TensorDataset,
    get_worker_info,
)


def ds(n=10):
    return TensorDataset(minigrad.arange(n))


def order(loader):
    return np.concatenate([b[0].cpu().numpy() for b in loader])


def test_defaults_are_stored_as_pytorch():
    loader = DataLoader(ds())
    assert loader.timeout == 0 and loader.worker_init_fn is None
    assert loader.multiprocessing_context is None and loader.prefetch_factor is None
    assert loader.persistent_workers is False and loader.pin_memory_device == ""
    assert loader.in_order is True
    assert DataLoader(ds(), num_workers=2).prefetch_factor == 2
    assert DataLoader(ds(), num_workers=2, prefetch_factor=5).prefetch_factor == 5


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"prefetch_factor": 2}, "prefetch_factor option could only be specified"),
        ({"num_workers": 1, "prefetch_factor": -1}, "prefetch_factor option should be non-neg"),
        ({"persistent_workers": True}, "persistent_workers option needs num_workers > 0"),
        ({"timeout": -1}, "timeout option should be non-negative"),
        ({"multiprocessing_context": "spawn"}, "can only be used with multi-process"),
        ({"num_workers": 1, "multiprocessing_context": "nope"}, "valid start method"),
    ],
)
def test_invalid_combinations_raise_value_error(kwargs, match):
    with pytest.raises(ValueError, match=match):
        DataLoader(ds(), **kwargs)


def test_multiprocessing_context():
    with pytest.raises(TypeError, match="valid context object"):
        DataLoader(ds(), num_workers=1, multiprocessing_context=3)
    loader = DataLoader(ds(), num_workers=1, multiprocessing_context="spawn")
    assert loader.multiprocessing_context is multiprocessing.get_context("spawn")
    ctx = multiprocessing.get_context("spawn")
    assert (
        DataLoader(ds(), num_workers=1, multiprocessing_context=ctx).multiprocessing_context is ctx
    )


def test_worker_arguments_load_the_same_batches_in_the_main_process():
    calls = []
    g = minigrad.Generator().manual_seed(4)
    worker_args = dict(worker_init_fn=calls.append, persistent_workers=True, prefetch_factor=4)
    worker_args |= dict(timeout=1.5, pin_memory=True, pin_memory_device="cpu", in_order=False)
    loader = DataLoader(ds(), 3, True, num_workers=3, generator=g, **worker_args)
    first = order(loader)
    g.manual_seed(4)
    np.testing.assert_array_equal(
        order(DataLoader(ds(), batch_size=3, shuffle=True, generator=g)), first
    )
    assert sorted(first.tolist()) == list(range(10))
    assert calls == []  # no worker process is started, so worker_init_fn is never called
    assert get_worker_info() is None


def test_signature_matches_torch():
    torch = pytest.importorskip("torch")
    ours = inspect.signature(DataLoader.__init__).parameters
    theirs = inspect.signature(torch.utils.data.DataLoader.__init__).parameters
    assert list(ours) == list(theirs)
    for name, p in theirs.items():
        assert ours[name].kind == p.kind, name
        if p.default is not inspect.Parameter.empty:
            assert ours[name].default == p.default, name


def test_validation_matches_torch():
    torch = pytest.importorskip("torch")
    tds = torch.utils.data.TensorDataset(torch.arange(10))
    cases = [{"prefetch_factor": 2}, {"persistent_workers": True}, {"timeout": -1},
             {"multiprocessing_context": "spawn"}, {"num_workers": 1, "prefetch_factor": -1},
             {"num_workers": 1, "multiprocessing_context": "nope"},
             {"num_workers": 1, "multiprocessing_context": 3}]  # fmt: skip
    for kwargs in cases:
        with pytest.raises(Exception) as theirs:
            torch.utils.data.DataLoader(tds, **kwargs)
        with pytest.raises(type(theirs.value)):
            DataLoader(ds(), **kwargs)


# ----------------------------------------------------------------------------- datasets
class Stream(IterableDataset):
    def __init__(self, values):
        self.values = values

    def __iter__(self):
        return iter(self.values)

    def __len__(self):
        return len(self.values)


def test_chain_dataset():
    chain = ChainDataset([Stream([1, 2]), Stream([3]), Stream([4, 5, 6])])
    assert list(chain) == [1, 2, 3, 4, 5, 6] and len(chain) == 6
    assert [b.tolist() for b in DataLoader(chain, batch_size=4)] == [[1, 2, 3, 4], [5, 6]]
    assert list(Stream([1]) + Stream([2, 3])) == [1, 2, 3]
    assert isinstance(Stream([1]) + Stream([2]), ChainDataset)
    with pytest.raises(AssertionError, match="only supports IterableDataset"):
        list(ChainDataset([Stream([1]), ds()]))
    with pytest.raises(AssertionError, match="only supports IterableDataset"):
        len(ChainDataset([ds()]))


def test_stack_dataset():
    a, b = ds(4), [10, 11, 12, 13]
    pair = StackDataset(a, b)
    assert len(pair) == 4 and pair[2][1] == 12 and pair[2][0][0].item() == 2
    named = StackDataset(x=a, y=b)
    assert named[1]["y"] == 11 and named[1]["x"][0].item() == 1
    assert [s["y"] for s in named.__getitems__([3, 0])] == [13, 10]
    assert [s[1] for s in pair.__getitems__([3, 0])] == [13, 10]
    xb, yb = next(iter(DataLoader(StackDataset(minigrad.arange(4) * 2, b), batch_size=3)))
    assert xb.tolist() == [0, 2, 4] and yb.tolist() == [10, 11, 12]
    batch = next(iter(DataLoader(named, batch_size=2)))
    assert batch["y"].tolist() == [10, 11] and batch["x"][0].tolist() == [0, 1]
    with pytest.raises(ValueError, match="At least one dataset"):
        StackDataset()
    with pytest.raises(ValueError, match="both types"):
        StackDataset(a, y=b)
    with pytest.raises(ValueError, match="Size mismatch"):
        StackDataset(a, [1, 2])
