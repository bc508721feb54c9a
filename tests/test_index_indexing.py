"""Indexing along a dimension: gather, scatter, index_*, masked_*, take, nonzero, sort, topk,
unique, searchsorted — values against NumPy, first and second derivatives against central
differences (float64) on both test devices, errors, and in-place autograd semantics."""

from __future__ import annotations

import engine_helpers
import numpy as np
import pytest
from engine_helpers import (
    arrays,
    assert_close,
    check_op,
    grid_arrays,
    host,
    on,
    shapes,
)
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad as mg

# minigrad.where is functional.where until the merge points it at the one that also takes a
# single argument; test that one directly.
from minigrad import where

# Every example runs gradcheck and gradgradcheck: a third of the profile's examples keeps the
# file fast (the "thorough" profile still scales them up).
given_settings = settings(
    engine_helpers.given_settings, max_examples=max(settings.default.max_examples // 3, 8)
)


def index_on(array, device: str) -> mg.Tensor:
    return mg.tensor(np.asarray(array, dtype=np.int64), device=device)


@st.composite
def gather_case(draw, min_side: int = 0):
    """A shape, a dim, and an index of the same number of dimensions, smaller or equal
    along the other dims, with values in range along ``dim``."""
    shape = draw(shapes(min_dims=1, max_dims=3, min_side=min_side))
    dim = draw(st.integers(-len(shape), len(shape) - 1))
    d = dim % len(shape)
    index_shape = tuple(
        draw(st.integers(0, 3)) if i == d else draw(st.integers(0, n)) for i, n in enumerate(shape)
    )
    if shape[d] == 0:
        index_shape = tuple(0 if i == d else n for i, n in enumerate(index_shape))
    high = max(shape[d] - 1, 0)
    index = draw(
        st.lists(
            st.integers(0, high),
            min_size=int(np.prod(index_shape)),
            max_size=int(np.prod(index_shape)),
        )
    )
    return shape, dim, np.array(index, dtype=np.int64).reshape(index_shape)


def np_key(index, dim):
    """NumPy's advanced key for gather/scatter: arange along every dim but ``dim``."""
    shape = [1] * index.ndim
    return tuple(
        index if d == dim % index.ndim else np.arange(n).reshape(shape[:d] + [n] + shape[d + 1 :])
        for d, n in enumerate(index.shape)
    )


def np_gather(x, dim, index):
    return x[np_key(index, dim)]


@given_settings
@given(case=gather_case(), data=st.data())
def test_gather(device, case, data):
    shape, dim, index = case
    x = data.draw(arrays(shape))
    idx = index_on(index, device)
    check_op(lambda t: t.gather(dim, idx), lambda a: np_gather(a, dim, index), [x], device)
    check_op(lambda t: mg.gather(t, dim, idx), lambda a: np_gather(a, dim, index), [x], device)


def test_gather_accumulates_repeated_indices(device):
    x = on(np.arange(3.0), device)
    x.gather(0, index_on([2, 2, 0, 2], device)).sum().backward()
    assert_close(x.grad, [1.0, 0.0, 3.0])


def np_scatter(x, dim, index, src, add=False):
    out = x.copy()
    part = src[tuple(slice(0, n) for n in index.shape)]
    if add:
        np.add.at(out, np_key(index, dim), part)
    else:
        out[np_key(index, dim)] = part
    return out


@st.composite
def scatter_case(draw):
    """Like gather_case, but the index never repeats a position (scatter then has one
    answer) and src is at least index's shape."""
    shape = draw(shapes(min_dims=1, max_dims=3, min_side=1))
    dim = draw(st.integers(-len(shape), len(shape) - 1))
    d = dim % len(shape)
    rows = draw(st.integers(0, shape[d]))
    index_shape = tuple(rows if i == d else draw(st.integers(0, n)) for i, n in enumerate(shape))
    columns = int(np.prod([n for i, n in enumerate(index_shape) if i != d]))
    perms = [draw(st.permutations(range(shape[d])))[:rows] for _ in range(columns)]
    index = np.array(perms, dtype=np.int64).reshape((columns, rows)).T
    moved = [n for i, n in enumerate(index_shape) if i != d]
    index = np.moveaxis(index.reshape((rows, *moved)), 0, d)
    src_shape = tuple(n + draw(st.integers(0, 1)) for n in index_shape)
    return shape, dim, index, src_shape


@given_settings
@given(case=scatter_case(), data=st.data())
def test_scatter_src(device, case, data):
    shape, dim, index, src_shape = case
    x, src = data.draw(arrays(shape)), data.draw(arrays(src_shape))
    idx = index_on(index, device)
    check_op(
        lambda a, s: a.scatter(dim, idx, s),
        lambda a, s: np_scatter(a, dim, index, s),
        [x, src],
        device,
    )


@given_settings
@given(case=gather_case(min_side=1), data=st.data())
def test_scatter_add(device, case, data):
    shape, dim, index = case
    x, src = data.draw(arrays(shape)), data.draw(arrays(index.shape))
    idx = index_on(index, device)
    check_op(
        lambda a, s: a.scatter_add(dim, idx, s),
        lambda a, s: np_scatter(a, dim, index, s, add=True),
        [x, src],
        device,
    )
    reduced = on(x, device).scatter(dim, idx, on(src, device), reduce="add")
    assert_close(reduced, np_scatter(x, dim, index, src, add=True))


def test_scatter_value_and_one_hot_idiom(device):
    y = index_on([2, 0, 1, 2], device)
    one_hot = mg.zeros(4, 3, device=device).scatter_(1, y.unsqueeze(1), 1.0)
    assert one_hot.dtype == mg.float32 and one_hot.device == device
    assert_close(one_hot, np.eye(3, dtype=np.float32)[[2, 0, 1, 2]])
    x = on(np.zeros((2, 3)), device)
    out = x.scatter(1, index_on([[0], [2]], device), value=5.0)
    assert_close(out, [[5.0, 0, 0], [0, 0, 5.0]])
    out.sum().backward()
    assert_close(x.grad, [[0.0, 1, 1], [1, 1, 0]])


def test_scatter_multiply_forward_only(device):
    x = mg.ones(2, 2, device=device)
    out = x.scatter(
        0, index_on([[1, 0]], device), mg.tensor([[3.0, 4.0]], device=device), reduce="multiply"
    )
    assert_close(out, np.array([[1.0, 4.0], [3.0, 1.0]], dtype=np.float32))
    with pytest.raises(RuntimeError, match="not differentiable"):
        on(np.ones((2, 2)), device).scatter(
            0, index_on([[0, 0]], device), on(np.ones((1, 2)), device), reduce="multiply"
        )


def test_scatter_inplace_records_graph(device):
    src = on(np.array([[1.0, 2.0]]), device)
    base = on(np.zeros((2, 2)), device)
    y = base * 2
    y.scatter_(0, index_on([[1, 0]], device), src)
    assert y._version == 1
    assert_close(y, [[0.0, 2.0], [1.0, 0.0]])
    (y * on(np.array([[1.0, 2.0], [3.0, 4.0]]), device, False)).sum().backward()
    assert_close(src.grad, [[3.0, 2.0]])
    assert_close(base.grad, [[2.0, 0.0], [0.0, 8.0]])


def test_scatter_add_inplace_and_leaf_error(device):
    x = mg.zeros(3, device=device)
    x.scatter_add_(0, index_on([0, 0, 2], device), mg.ones(3, device=device))
    assert_close(x, np.array([2.0, 0.0, 1.0], dtype=np.float32))
    leaf = on(np.zeros(3), device)
    with pytest.raises(RuntimeError, match="leaf Variable"):
        leaf.scatter_add_(0, index_on([0], device), on(np.ones(1), device, False))


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda x, i: x.gather(0, i.float()), RuntimeError, "int64"),
        (lambda x, i: x.gather(0, i[0]), RuntimeError, "same number of dimensions"),
        (lambda x, i: x.gather(0, i + 5), RuntimeError, "index 6 is out of bounds"),
        (lambda x, i: x.gather(0, i - 1), RuntimeError, "index -1 is out of bounds"),
        (lambda x, i: x.scatter_add(0, i + 2, x), RuntimeError, "out of bounds"),
        (lambda x, i: x.gather(2, i), IndexError, "dimension out of range"),
        (lambda x, i: x.scatter(0, i, x.double()), RuntimeError, "dtype"),
        (lambda x, i: x.scatter(0, i), TypeError, "exactly one"),
        (lambda x, i: x.scatter(0, i, 1.0, reduce="max"), RuntimeError, "reduce"),
    ],
)
def test_gather_scatter_errors(device, call, error, message):
    x = mg.zeros(2, 3, device=device)
    with pytest.raises(error, match=message):
        call(x, index_on([[0, 1, 0]], device))


@given_settings
@given(shape=shapes(min_dims=1, max_dims=3, min_side=1), data=st.data())
def test_index_add(device, shape, data):
    dim = data.draw(st.integers(0, len(shape) - 1))
    index = np.array(
        data.draw(st.lists(st.integers(0, shape[dim] - 1), max_size=4)), dtype=np.int64
    )
    x = data.draw(arrays(shape))
    source = data.draw(arrays(shape[:dim] + (len(index),) + shape[dim + 1 :]))
    alpha = data.draw(st.sampled_from([1, -0.5, 2.0]))

    def ref(a, s):
        out = a.copy()
        np.add.at(out, (slice(None),) * dim + (index,), alpha * s)
        return out

    idx = index_on(index, device)
    check_op(lambda a, s: a.index_add(dim, idx, s, alpha=alpha), ref, [x, source], device)


def test_index_add_inplace_and_errors(device):
    x = mg.zeros(3, 2, device=device)
    x.index_add_(0, index_on([2, 2], device), mg.ones(2, 2, device=device), alpha=3)
    assert_close(x, np.array([[0, 0], [0, 0], [6, 6]], dtype=np.float32))
    with pytest.raises(RuntimeError, match="source has shape"):
        x.index_add(0, index_on([0], device), mg.ones(2, 2, device=device))
    with pytest.raises(IndexError, match="out of bounds"):
        x.index_add(0, index_on([3], device), mg.ones(1, 2, device=device))


@given_settings
@given(shape=shapes(min_dims=1, max_dims=3, min_side=1), data=st.data())
def test_index_fill(device, shape, data):
    dim = data.draw(st.integers(0, len(shape) - 1))
    index = np.array(
        data.draw(st.lists(st.integers(0, shape[dim] - 1), max_size=3)), dtype=np.int64
    )
    x = data.draw(arrays(shape))

    def ref(a, v):
        out = a.copy()
        out[(slice(None),) * dim + (index,)] = v
        return out

    idx = index_on(index, device)
    check_op(lambda a, v: a.index_fill(dim, idx, v), ref, [x, np.array(1.5)], device)
    check_op(lambda a: mg.index_fill(a, dim, idx, -2.0), lambda a: ref(a, -2.0), [x], device)


def test_index_fill_inplace(device):
    x = mg.ones(2, 3, device=device)
    x.index_fill_(1, index_on([0, 2], device), 0.0)
    assert_close(x, np.array([[0, 1, 0], [0, 1, 0]], dtype=np.float32))
    with pytest.raises(RuntimeError, match="0-dimensional"):
        x.index_fill(1, index_on([0], device), mg.ones(2, device=device))


@given_settings
@given(shape=shapes(min_dims=1, max_dims=2, min_side=1), data=st.data(), accumulate=st.booleans())
def test_index_put(device, shape, data, accumulate):
    n = data.draw(st.integers(0, 4))
    rows = np.array([data.draw(st.integers(0, shape[0] - 1)) for _ in range(n)], dtype=np.int64)
    if not accumulate:
        rows = np.unique(rows)  # repeated positions have no single answer without accumulate
    x = data.draw(arrays(shape))
    values = data.draw(arrays((len(rows),) + shape[1:]))

    def ref(a, v):
        out = a.copy()
        if accumulate:
            np.add.at(out, (rows,), v)
        else:
            out[rows] = v
        return out

    idx = index_on(rows, device)
    check_op(lambda a, v: a.index_put((idx,), v, accumulate), ref, [x, values], device)


def test_index_put_inplace(device):
    x = mg.zeros(2, 2, device=device)
    x.index_put_(
        (index_on([0, 0], device), index_on([1, 1], device)),
        mg.tensor(1.0, device=device),
        accumulate=True,
    )
    assert_close(x, np.array([[0, 2], [0, 0]], dtype=np.float32))
    x.index_put_((index_on([1], device),), mg.tensor([7.0, 8.0], device=device))
    assert_close(x, np.array([[0, 2], [7, 8]], dtype=np.float32))


@given_settings
@given(shapes_=st.data())
def test_masked_fill_and_select(device, shapes_):
    shape = shapes_.draw(shapes(max_dims=3))
    mask = shapes_.draw(
        st.lists(st.booleans(), min_size=int(np.prod(shape)), max_size=int(np.prod(shape)))
    )
    mask = np.array(mask, dtype=bool).reshape(shape)
    x = shapes_.draw(arrays(shape))
    m = mg.tensor(mask, device=device)
    check_op(lambda a: a.masked_fill(m, 0.25), lambda a: np.where(mask, 0.25, a), [x], device)
    check_op(
        lambda a, v: mg.masked_fill(a, m, v),
        lambda a, v: np.where(mask, v, a),
        [x, np.array(-1.0)],
        device,
    )
    check_op(lambda a: a.masked_select(m), lambda a: a[mask], [x], device)


def test_masked_fill_keeps_dtype_and_broadcasts(device):
    x = mg.arange(6, device=device).reshape(2, 3)
    out = x.masked_fill(mg.tensor([True, False, True], device=device), 9)
    assert out.dtype == mg.int64
    assert host(out).tolist() == [[9, 1, 9], [9, 4, 9]]
    sel = mg.masked_select(
        mg.tensor([1.0, 2.0], device=device),
        mg.tensor([[True, False], [True, True]], device=device),
    )
    assert host(sel).tolist() == [1.0, 1.0, 2.0]
    with pytest.raises(RuntimeError, match="boolean"):
        x.masked_fill(x, 0)
    with pytest.raises(RuntimeError, match="cannot be broadcast"):
        x.masked_fill(mg.ones(3, 3, device=device).bool(), 0)
    with pytest.raises(RuntimeError, match="does not broadcast"):
        x.masked_fill(mg.ones(2, 1, 3, device=device).bool(), 0)


@given_settings
@given(shape=shapes(min_dims=1, max_dims=3, min_side=1), data=st.data())
def test_take_along_dim_and_take(device, shape, data):
    x = data.draw(arrays(shape))
    dim = data.draw(st.integers(0, len(shape) - 1))
    index = np.array(
        data.draw(st.lists(st.integers(0, shape[dim] - 1), min_size=2, max_size=2)), dtype=np.int64
    ).reshape([2 if i == dim else 1 for i in range(len(shape))])
    idx = index_on(index, device)
    check_op(
        lambda a: mg.take_along_dim(a, idx, dim),
        lambda a: np.take_along_axis(
            a, np.broadcast_to(index, [2 if i == dim else n for i, n in enumerate(shape)]), dim
        ),
        [x],
        device,
    )
    flat = np.array(data.draw(st.lists(st.integers(0, x.size - 1), max_size=4)), dtype=np.int64)
    fidx = index_on(flat, device)
    check_op(lambda a: a.take_along_dim(fidx), lambda a: a.reshape(-1)[flat], [x], device)
    check_op(
        lambda a: mg.take(a, fidx.reshape(-1, 1)),
        lambda a: a.reshape(-1)[flat].reshape(-1, 1),
        [x],
        device,
    )


def test_nonzero_argwhere_where(device):
    x = mg.tensor([[0, 1.5, 0], [2, 0, -1]], device=device)
    expected = np.argwhere(host(x))
    assert host(x.nonzero()).tolist() == expected.tolist()
    assert host(mg.argwhere(x)).dtype == np.int64
    rows, cols = where(x != 0)
    assert host(rows).tolist() == [0, 1, 1] and host(cols).tolist() == [1, 0, 2]
    assert [host(t).tolist() for t in mg.nonzero(x, as_tuple=True)] == [[0, 1, 1], [1, 0, 2]]
    assert x.device == rows.device
    assert mg.tensor(3.0).nonzero().shape == (1, 0)
    assert_close(where(x > 0, x, mg.zeros_like(x)), np.maximum(host(x), 0))
    with pytest.raises(TypeError, match="both"):
        where(x > 0, x)


def test_select_is_a_view(device):
    x = on(np.arange(6.0).reshape(2, 3), device, requires_grad=False)
    row = mg.select(x, 0, 1)
    assert_close(row, [3.0, 4.0, 5.0])
    row.mul_(10)
    assert_close(x, [[0, 1, 2], [30, 40, 50]])
    assert x._version == 1
    with pytest.raises(IndexError, match="out of range"):
        x.select(1, 3)


@given_settings
@given(shape=shapes(min_dims=1, max_dims=3), data=st.data(), descending=st.booleans())
def test_sort(device, shape, data, descending):
    x = data.draw(grid_arrays(shape, unique=True))
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))

    def ref(a):
        order = np.argsort(-a if descending else a, axis=dim, kind="stable")
        return np.take_along_axis(a, order, dim)

    check_op(lambda a: a.sort(dim, descending).values, ref, [x], device)
    order = np.argsort(-x if descending else x, axis=dim, kind="stable")
    t = on(x, device)
    assert host(mg.sort(t, dim=dim, descending=descending).indices).tolist() == order.tolist()
    assert host(t.argsort(dim, descending)).tolist() == order.tolist()
    assert_close(mg.msort(t), np.sort(x, axis=0))


def test_sort_is_stable_both_ways_with_nan_largest(device):
    x = mg.tensor([2.0, 1.0, 2.0, float("nan"), 1.0], device=device)
    assert host(x.sort(stable=True).indices).tolist() == [1, 4, 0, 2, 3]
    assert host(x.sort(descending=True, stable=True).indices).tolist() == [3, 0, 2, 1, 4]
    ints = mg.tensor([3, 1, 2], device=device)
    assert host(ints.sort(descending=True).values).tolist() == [3, 2, 1]
    values, indices = mg.tensor(5.0, device=device).sort()
    assert values.item() == 5.0 and indices.item() == 0


@given_settings
@given(shape=shapes(min_dims=1, max_dims=3, min_side=1), data=st.data(), largest=st.booleans())
def test_topk_and_kthvalue(device, shape, data, largest):
    x = data.draw(grid_arrays(shape, unique=True))
    dim = data.draw(st.integers(0, len(shape) - 1))
    k = data.draw(st.integers(0, shape[dim]))
    order = np.argsort(-x if largest else x, axis=dim, kind="stable")
    top = np.take(order, np.arange(k), axis=dim)
    check_op(
        lambda a: a.topk(k, dim, largest).values,
        lambda a: np.take_along_axis(a, top, dim),
        [x],
        device,
    )
    assert (
        host(mg.topk(on(x, device), k, dim=dim, largest=largest).indices).tolist() == top.tolist()
    )
    kth = data.draw(st.integers(1, shape[dim]))
    keepdim = data.draw(st.booleans())
    check_op(
        lambda a: a.kthvalue(kth, dim, keepdim).values,
        lambda a: np.take(np.sort(a, axis=dim), [kth - 1] if keepdim else kth - 1, axis=dim),
        [x],
        device,
    )


def test_topk_kthvalue_errors(device):
    x = mg.zeros(3, device=device)
    with pytest.raises(RuntimeError, match="out of range"):
        x.topk(4)
    with pytest.raises(RuntimeError, match="out of range"):
        x.kthvalue(0)


def test_unique(device):
    x = mg.tensor([[3, 1, 3], [2, 1, 1]], device=device)
    values, inverse, counts = mg.unique(x, return_inverse=True, return_counts=True)
    assert host(values).tolist() == [1, 2, 3]
    assert host(inverse).tolist() == [[2, 0, 2], [1, 0, 0]]
    assert host(counts).tolist() == [3, 1, 2]
    assert host(x.unique()).tolist() == [1, 2, 3]
    rows = mg.tensor([[1, 2], [0, 5], [1, 2]], device=device)
    values, inverse = rows.unique(dim=0, return_inverse=True)
    assert host(values).tolist() == [[0, 5], [1, 2]]
    assert host(inverse).tolist() == [1, 0, 1]
    assert values.device == device


def test_searchsorted_and_bucketize(device):
    seq = mg.tensor([1.0, 3.0, 5.0, 7.0], device=device)
    values = mg.tensor([[3.0, 6.0], [0.0, 9.0]], device=device)
    np_seq, np_values = host(seq), host(values)
    for side in ("left", "right"):
        expected = np.searchsorted(np_seq, np_values, side=side)
        assert host(mg.searchsorted(seq, values, side=side)).tolist() == expected.tolist()
        assert host(mg.bucketize(values, seq, right=side == "right")).tolist() == expected.tolist()
    assert mg.searchsorted(seq, 3.0, right=True).item() == 2
    assert mg.searchsorted(seq, values, out_int32=True).dtype == mg.int32
    rows = mg.tensor([[1.0, 2.0, 3.0], [10.0, 20.0, 30.0]], device=device)
    assert host(mg.searchsorted(rows, mg.tensor([[2.5], [5.0]], device=device))).tolist() == [
        [2],
        [0],
    ]
    unsorted = mg.tensor([5.0, 1.0, 3.0], device=device)
    found = mg.searchsorted(
        unsorted, mg.tensor([2.0, 4.0], device=device), sorter=unsorted.argsort()
    )
    assert host(found).tolist() == [1, 2]
    with pytest.raises(RuntimeError, match="opposites"):
        mg.searchsorted(seq, values, right=True, side="left")


def test_against_torch_extra():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    a = rng.standard_normal((3, 4))
    idx = rng.integers(0, 3, (2, 4))
    ta, ma = torch.tensor(a, requires_grad=True), mg.tensor(a, requires_grad=True)
    for f in (
        lambda t, i: t.gather(0, i),
        lambda t, i: t.scatter_add(0, i, t[:2] * 2),
        lambda t, i: t.index_add(1, i[0, :3], t[:, :3], alpha=0.5),
        lambda t, i: t.sort(1, descending=True).values * t.topk(2).values.sum(),
        lambda t, i: t.kthvalue(2, 0, keepdim=True).values,
    ):
        tt = f(ta, torch.tensor(idx))
        mt = f(ma, mg.tensor(idx))
        np.testing.assert_allclose(mt.detach().numpy(), tt.detach().numpy(), rtol=1e-12)
        g = rng.standard_normal(tuple(tt.shape))
        (tg,) = torch.autograd.grad(tt, ta, torch.tensor(g))
        (mgg,) = mg.autograd.grad(mt, ma, mg.tensor(g))
        np.testing.assert_allclose(mgg.numpy(), tg.numpy(), rtol=1e-12)
