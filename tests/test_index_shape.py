"""Shape operations: mT, unflatten, repeat, tile, repeat_interleave, unbind, flip, roll, narrow,
movedim, squeeze with several dims, broadcasting, meshgrid, triangles, diagonals, trace and the
stacks — values against NumPy, first and second derivatives (float64) on both test devices,
views that share memory as PyTorch's, and errors."""

from __future__ import annotations

import engine_helpers
import numpy as np
import pytest
from engine_helpers import (
    arrays,
    assert_close,
    check_op,
    host,
    on,
    shapes,
)
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad as mg

# Every example runs gradcheck and gradgradcheck: a third of the profile's examples keeps the
# file fast (the "thorough" profile still scales them up).
given_settings = settings(
    engine_helpers.given_settings, max_examples=max(settings.default.max_examples // 3, 8)
)


@given_settings
@given(shape=shapes(min_dims=2, max_dims=4), data=st.data())
def test_mT(device, shape, data):
    x = data.draw(arrays(shape))
    check_op(lambda a: a.mT, lambda a: np.swapaxes(a, -1, -2), [x], device)
    check_op(lambda a: a.mH, lambda a: np.swapaxes(a, -1, -2), [x], device)


def test_mT_is_a_view_and_needs_a_matrix(device):
    x = mg.zeros(2, 3, device=device)
    x.mT[0, 1] = 5.0
    assert x[1, 0].item() == 5.0
    with pytest.raises(RuntimeError, match="matrices"):
        _ = mg.zeros(3, device=device).mT


@given_settings
@given(shape=shapes(min_dims=1, max_dims=2, min_side=1, max_side=2), data=st.data())
def test_unflatten_and_reshape_as(device, shape, data):
    x = data.draw(arrays(shape + (6,)))
    check_op(lambda a: a.unflatten(-1, (2, -1)), lambda a: a.reshape(shape + (2, 3)), [x], device)
    check_op(
        lambda a: mg.unflatten(a, -1, (3, 2)), lambda a: a.reshape(shape + (3, 2)), [x], device
    )
    other = mg.zeros(shape + (3, 2), device=device)
    check_op(lambda a: a.reshape_as(other), lambda a: a.reshape(shape + (3, 2)), [x], device)
    with pytest.raises(RuntimeError, match="multiply up"):
        on(x, device).unflatten(-1, (4, -1))


@given_settings
@given(shape=shapes(max_dims=3), data=st.data())
def test_repeat_and_tile(device, shape, data):
    x = data.draw(arrays(shape))
    extra = data.draw(st.integers(0, 2))
    sizes = tuple(data.draw(st.integers(0, 3)) for _ in range(len(shape) + extra))
    check_op(lambda a: a.repeat(*sizes), lambda a: np.tile(a, sizes), [x], device)
    dims = sizes[: data.draw(st.integers(0, len(sizes)))]
    check_op(lambda a: mg.tile(a, dims), lambda a: np.tile(a, dims), [x], device)


def test_repeat_errors(device):
    with pytest.raises(RuntimeError, match="can not be smaller"):
        mg.zeros(2, 2, device=device).repeat(2)
    with pytest.raises(TypeError, match="must be tuple of ints"):
        mg.zeros(2, device=device).repeat(2.5)


@given_settings
@given(shape=shapes(min_dims=1, max_dims=3), data=st.data())
def test_repeat_interleave(device, shape, data):
    x = data.draw(arrays(shape))
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    r = data.draw(st.integers(0, 3))
    check_op(
        lambda a: a.repeat_interleave(r, dim), lambda a: np.repeat(a, r, axis=dim), [x], device
    )
    check_op(lambda a: mg.repeat_interleave(a, r), lambda a: np.repeat(a, r), [x], device)
    counts = np.array([data.draw(st.integers(0, 2)) for _ in range(shape[dim])], dtype=np.int64)
    repeats = mg.tensor(counts, device=device)
    check_op(
        lambda a: a.repeat_interleave(repeats, dim=dim),
        lambda a: np.repeat(a, counts, axis=dim),
        [x],
        device,
    )


def test_repeat_interleave_of_counts_alone(device):
    out = mg.repeat_interleave(mg.tensor([1, 0, 2], device=device))
    assert host(out).tolist() == [0, 2, 2]
    with pytest.raises(RuntimeError, match="same size"):
        mg.zeros(3, device=device).repeat_interleave(mg.tensor([1, 2], device=device))


@given_settings
@given(shape=shapes(min_dims=1, max_dims=3), data=st.data())
def test_unbind_and_select(device, shape, data):
    x = data.draw(arrays(shape))
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    n = shape[dim]
    check_op(
        lambda a: tuple(a.unbind(dim)) if n else a.sum() * 0 + 1,
        lambda a: tuple(np.moveaxis(a, dim, 0)) if n else np.array(1.0),
        [x],
        device,
    )


def test_unbind_pieces_are_views(device):
    x = mg.zeros(2, 3, device=device)
    a, b = mg.unbind(x)
    b.add_(1)
    assert host(x).tolist() == [[0, 0, 0], [1, 1, 1]]


@given_settings
@given(shape=shapes(min_dims=1, max_dims=3), data=st.data())
def test_flip_and_roll(device, shape, data):
    x = data.draw(arrays(shape))
    dims = tuple(data.draw(st.lists(st.integers(0, len(shape) - 1), unique=True)))
    check_op(lambda a: a.flip(dims), lambda a: np.flip(a, dims), [x], device)
    shifts = tuple(data.draw(st.integers(-4, 4)) for _ in dims)
    check_op(lambda a: a.roll(shifts, dims), lambda a: np.roll(a, shifts, dims), [x], device)
    check_op(lambda a: mg.roll(a, 2), lambda a: np.roll(a, 2), [x], device)
    check_op(lambda a: mg.flipud(a), lambda a: np.flipud(a), [x], device)
    if len(shape) >= 2:
        check_op(lambda a: mg.fliplr(a), lambda a: np.fliplr(a), [x], device)


def test_flip_copies_and_checks(device):
    x = mg.zeros(3, device=device)
    y = mg.flip(x, 0)
    y.add_(1)
    assert host(x).tolist() == [0, 0, 0]  # unlike NumPy's flip, torch.flip copies
    assert host(mg.arange(3, device=device).flip([0])).tolist() == [2, 1, 0]
    with pytest.raises(RuntimeError, match="2-d"):
        x.fliplr()
    with pytest.raises(RuntimeError, match="align"):
        x.roll((1, 2), 0)


@given_settings
@given(shape=shapes(min_dims=1, max_dims=3), data=st.data())
def test_narrow(device, shape, data):
    x = data.draw(arrays(shape))
    dim = data.draw(st.integers(0, len(shape) - 1))
    start = data.draw(st.integers(0, shape[dim]))
    length = data.draw(st.integers(0, shape[dim] - start))
    key = (slice(None),) * dim + (slice(start, start + length),)
    check_op(lambda a: a.narrow(dim, start, length), lambda a: a[key], [x], device)
    check_op(lambda a: mg.narrow(a, dim, mg.tensor(start), length), lambda a: a[key], [x], device)


def test_narrow_is_a_view(device):
    x = mg.zeros(4, device=device)
    x.narrow(0, 1, 2).fill_(7)
    assert host(x).tolist() == [0, 7, 7, 0]
    assert x.narrow(0, -2, 2).shape == (2,)
    with pytest.raises(RuntimeError, match="exceeds"):
        x.narrow(0, 3, 2)


@given_settings
@given(shape=shapes(min_dims=1, max_dims=4), data=st.data())
def test_movedim(device, shape, data):
    x = data.draw(arrays(shape))
    n = len(shape)
    src = data.draw(st.lists(st.integers(0, n - 1), unique=True, max_size=n))
    dst = data.draw(st.permutations(range(n)))[: len(src)]
    check_op(lambda a: a.movedim(src, dst), lambda a: np.moveaxis(a, src, dst), [x], device)
    if src:
        check_op(
            lambda a: mg.moveaxis(a, src[0], -1), lambda a: np.moveaxis(a, src[0], -1), [x], device
        )
    check_op(lambda a: mg.swapaxes(a, 0, -1), lambda a: np.swapaxes(a, 0, -1), [x], device)


@given_settings
@given(shape=shapes(max_dims=4, max_side=2), data=st.data())
def test_squeeze_several_dims(device, shape, data):
    x = data.draw(arrays(shape))
    dims = (
        tuple(data.draw(st.lists(st.integers(0, max(len(shape) - 1, 0)), unique=True)))
        if shape
        else ()
    )
    kept = tuple(n for i, n in enumerate(shape) if not (i in dims and n == 1))
    check_op(lambda a: a.squeeze(dims), lambda a: a.reshape(kept), [x], device)


@given_settings
@given(case=st.data())
def test_broadcast_to_and_tensors(device, case):
    shapes_ = case.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3))
    a = case.draw(arrays(shapes_.input_shapes[0]))
    b = case.draw(arrays(shapes_.input_shapes[1]))
    result = shapes_.result_shape
    check_op(
        lambda t: mg.broadcast_to(t, result), lambda t: np.broadcast_to(t, result), [a], device
    )
    check_op(
        lambda s, t: mg.broadcast_tensors(s, t),
        lambda s, t: tuple(np.broadcast_arrays(s, t)),
        [a, b],
        device,
    )
    assert mg.broadcast_shapes(shapes_.input_shapes[0], shapes_.input_shapes[1]) == result


@pytest.mark.parametrize("indexing", ["ij", "xy"])
def test_meshgrid(device, indexing):
    x, y, z = np.arange(2.0), np.arange(3.0) + 10, np.arange(4.0) - 5
    check_op(
        lambda a, b, c: mg.meshgrid(a, b, c, indexing=indexing),
        lambda a, b, c: tuple(np.meshgrid(a, b, c, indexing=indexing)),
        [x, y, z],
        device,
    )
    grids = mg.meshgrid([on(x, device), on(y, device)], indexing=indexing)
    assert [g.shape for g in grids] == [g.shape for g in np.meshgrid(x, y, indexing=indexing)]
    with pytest.raises(ValueError, match="indexing"):
        mg.meshgrid(on(x, device), indexing="yx")


@given_settings
@given(shape=shapes(min_dims=2, max_dims=4), data=st.data())
def test_tril_triu(device, shape, data):
    x = data.draw(arrays(shape))
    k = data.draw(st.integers(-3, 3))
    check_op(lambda a: a.tril(k), lambda a: np.tril(a, k), [x], device)
    check_op(lambda a: mg.triu(a, diagonal=k), lambda a: np.triu(a, k), [x], device)


def test_tril_inplace_and_int(device):
    x = mg.ones(3, 3, device=device)
    x.triu_(1)
    assert host(x).tolist() == np.triu(np.ones((3, 3)), 1).tolist()
    assert mg.arange(4, device=device).reshape(2, 2).tril().dtype == mg.int64
    with pytest.raises(RuntimeError, match="2 dimensions"):
        mg.zeros(3, device=device).tril()


@given_settings
@given(shape=shapes(min_dims=2, max_dims=4), data=st.data())
def test_diagonal(device, shape, data):
    x = data.draw(arrays(shape))
    n = len(shape)
    dim1, dim2 = data.draw(st.permutations(range(n)))[:2]
    offset = data.draw(st.integers(-3, 3))
    check_op(
        lambda a: a.diagonal(offset, dim1, dim2),
        lambda a: np.diagonal(a, offset, dim1, dim2),
        [x],
        device,
    )


def test_diagonal_is_a_writable_view(device):
    x = mg.zeros(3, 3, device=device)
    x.diagonal().fill_(1)
    assert host(x).tolist() == np.eye(3).tolist()
    # in place through the view of a graph tensor reaches the base (PyTorch's CopySlices)
    w = on(np.ones((2, 2)), device)
    y = w * 1
    y.diagonal().mul_(3)
    y.sum().backward()
    assert_close(w.grad, [[3.0, 1.0], [1.0, 3.0]])
    with pytest.raises(RuntimeError, match="identical"):
        x.diagonal(0, 1, 1)


@given_settings
@given(shape=shapes(min_dims=1, max_dims=3), data=st.data())
def test_diag_embed_and_diag(device, shape, data):
    x = data.draw(arrays(shape))
    offset = data.draw(st.integers(-2, 2))

    def embed(a):
        n = a.shape[-1] + abs(offset)
        out = np.zeros(a.shape[:-1] + (n, n))
        for i in range(a.shape[-1]):
            out[..., i + max(-offset, 0), i + max(offset, 0)] = a[..., i]
        return out

    check_op(lambda a: a.diag_embed(offset), embed, [x], device)
    if len(shape) == 1:
        check_op(lambda a: mg.diag(a, offset), lambda a: np.diag(a, offset), [x], device)
    if len(shape) == 2:
        check_op(lambda a: a.diag(offset), lambda a: np.diag(a, offset), [x], device)
        check_op(lambda a: mg.trace(a), lambda a: np.trace(a), [x], device)


def test_diag_copies_and_trace_needs_a_matrix(device):
    x = mg.zeros(2, 2, device=device)
    x.diag().fill_(1)
    assert host(x).tolist() == [[0, 0], [0, 0]]
    with pytest.raises(RuntimeError, match="matrix"):
        mg.zeros(2, 2, 2, device=device).trace()


def test_atleast_and_stacks(device):
    s, v, m = on(np.array(2.0), device), on(np.arange(3.0), device), on(np.ones((2, 3)), device)
    assert mg.atleast_1d(s).shape == (1,)
    assert [t.shape for t in mg.atleast_2d(s, v, m)] == [(1, 1), (1, 3), (2, 3)]
    assert [t.shape for t in mg.atleast_3d((s, v, m))] == [(1, 1, 1), (1, 3, 1), (2, 3, 1)]
    a, b = np.arange(3.0), np.arange(3.0) + 3
    for fn, ref in [
        (mg.hstack, np.hstack),
        (mg.vstack, np.vstack),
        (mg.row_stack, np.vstack),
        (mg.dstack, np.dstack),
        (mg.column_stack, np.column_stack),
    ]:
        check_op(lambda x, y, fn=fn: fn([x, y]), lambda x, y, ref=ref: ref([x, y]), [a, b], device)
        check_op(
            lambda x, y, fn=fn: fn((x.reshape(1, 3), y.reshape(1, 3))),
            lambda x, y, ref=ref: ref([x.reshape(1, 3), y.reshape(1, 3)]),
            [a, b],
            device,
        )


def test_against_torch_extra():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    a = rng.standard_normal((2, 3, 4))
    ta, ma = torch.tensor(a, requires_grad=True), mg.tensor(a, requires_grad=True)
    for f in (
        lambda t: t.mT.repeat(2, 1, 1).tril(-1),
        lambda t: t.roll((1, -1), (0, 2)).flip(1).narrow(2, 1, 2),
        lambda t: t.movedim((0, 2), (2, 0)).diagonal(1, 0, 2).diag_embed(),
        lambda t: t.repeat_interleave(2, dim=1).unflatten(1, (2, 3)).squeeze((0, 2)),
        lambda t: t[0].diag(1) * t[1].trace(),
    ):
        tt, mt = f(ta), f(ma)
        np.testing.assert_allclose(mt.detach().numpy(), tt.detach().numpy(), rtol=1e-12)
        g = rng.standard_normal(tuple(tt.shape))
        (tg,) = torch.autograd.grad(tt, ta, torch.tensor(g))
        (mgg,) = mg.autograd.grad(mt, ma, mg.tensor(g))
        np.testing.assert_allclose(mgg.numpy(), tg.numpy(), rtol=1e-12)
