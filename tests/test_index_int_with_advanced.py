"""Integers mixed with advanced indices, PyTorch's rule: the integers of an index are
applied first, each as a select, and the rest (slices, None, ``...``, lists, integer and
bool tensors) then indexes what is left as NumPy does. Integers therefore never count as
advanced indices, nor separate them: for ``x`` of shape (2, 3, 4), ``x[0, :, [1, 2]]`` has
shape (3, 2) (NumPy's rule gives (2, 3)).

Reading, writing (scalar, broadcast and full-shape values) and gradients, on both test
devices: against hand-computed results and an independent NumPy reference of the rule
(always), and against PyTorch (when it is installed).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from engine_helpers import assert_close, given_settings, on
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad as mg

few_examples = settings(given_settings, max_examples=max(settings.default.max_examples // 2, 10))
X = np.arange(24.0).reshape(2, 3, 4)
MASK = [True, False, True, False]


# ---------------------------------------------------------------- the reference rule
# A key is written once, as a tuple of "parts", and materialised for each library:
# ("int", i) an int, ("int0d", i) a 0-d integer tensor, ("ints", list) a list of ints,
# ("mask", nested bools) a bool tensor, ("bool", b) a Python bool, and slice / None / ...
# as themselves.


def materialise(key: tuple, lib: str, device: str = "cpu") -> tuple:
    """The key for ``lib``: "numpy" (the reference), "minigrad" (on ``device``), "torch"."""
    out: list[Any] = []
    for part in key:
        if not isinstance(part, tuple):
            out.append(part)
            continue
        kind, value = part
        if kind in ("int", "bool") or (kind == "ints" and lib != "numpy"):
            out.append(value)
        elif lib == "numpy":
            out.append(np.array(value, dtype=bool if kind == "mask" else np.int64))
        elif lib == "minigrad":
            out.append(
                mg.tensor(value, dtype=mg.bool if kind == "mask" else mg.int64, device=device)
            )
        else:
            import torch

            out.append(torch.tensor(value, dtype=torch.bool if kind == "mask" else torch.int64))
    return tuple(out)


def dims_indexed(part: Any) -> int:
    """How many dimensions of the indexed array a (NumPy-materialised) part uses up."""
    if part is None or isinstance(part, bool):
        return 0
    if isinstance(part, np.ndarray) and part.dtype == bool:
        return part.ndim
    return 1


def reference(a: np.ndarray, key: tuple) -> np.ndarray:
    """``a[key]`` by PyTorch's rule, in NumPy: each integer (Python int or 0-d array)
    taken out of its own dimension first, the rest of the key then applied by NumPy."""
    key = materialise(key, "numpy")

    def is_int(p: Any) -> bool:
        return isinstance(p, int) and not isinstance(p, bool) or getattr(p, "shape", 1) == ()

    if sum(dims_indexed(p) for p in key if p is not Ellipsis) == a.ndim:
        key = tuple(p for p in key if p is not Ellipsis)  # "..." for no dimension separates
        # nothing in PyTorch (it does in NumPy)
    ellipsis = next((i for i, p in enumerate(key) if p is Ellipsis), len(key))
    picks = []  # (dimension, integer)
    for i, part in enumerate(key):
        if is_int(part) and i < ellipsis:
            picks.append((sum(dims_indexed(p) for p in key[:i]), int(part)))
        elif is_int(part):
            picks.append((a.ndim - sum(dims_indexed(p) for p in key[i:]), int(part)))
    for dim, i in sorted(picks, reverse=True):
        a = np.take(a, i, axis=dim)
    return a[tuple(p for p in key if not is_int(p))]


def positions(shape: tuple[int, ...], key: tuple) -> np.ndarray:
    """The flat position in an array of ``shape`` of each element that ``key`` reads."""
    return reference(np.arange(int(np.prod(shape))).reshape(shape), key)


def written(a: np.ndarray, key: tuple, value: Any) -> np.ndarray:
    """``a`` after ``a[key] = value`` by PyTorch's rule (no position written twice)."""
    pos = positions(a.shape, key)
    out = a.copy().reshape(-1)
    out[pos.reshape(-1)] = np.broadcast_to(value, pos.shape).reshape(-1)
    return out.reshape(a.shape)


def read_grad(shape: tuple[int, ...], key: tuple, weight: np.ndarray) -> np.ndarray:
    """The gradient of Σ weight · x[key] with respect to x (repeated positions add up)."""
    grad = np.zeros(int(np.prod(shape)))
    np.add.at(grad, positions(shape, key).reshape(-1), weight.reshape(-1))
    return grad.reshape(shape)


# ---------------------------------------------------------------- hand-computed cases
# (key, PyTorch's result shape for X of shape (2, 3, 4))
HAND_SHAPES = [
    ((0, slice(None), ("ints", [1, 2])), (3, 2)),
    ((("int0d", 0), slice(None), ("ints", [1, 2])), (3, 2)),
    ((0, ..., ("ints", [1, 2])), (3, 2)),
    ((-1, None, ("ints", [1, 2])), (1, 2, 4)),
    ((0, slice(None), ("mask", MASK)), (3, 2)),
    ((("ints", [0, 1]), slice(None), 0), (2, 3)),
    ((("ints", [0, 1]), 0, ("ints", [1, 2])), (2,)),
    ((slice(None), ("ints", [0, 1]), 0), (2, 2)),
    ((1, ("mask", [[True, False, True, False]] * 3)), (6,)),
    ((None, 1, ("mask", [[True, False, True, False]] * 3)), (1, 6)),
    ((slice(None), ("bool", True), slice(None), 0), (2, 1, 3)),
    ((("bool", True), 0, slice(None), ("ints", [1, 2])), (2, 3)),
    ((0, slice(1, 3), ("ints", [[0], [3]])), (2, 2, 1)),
]

# (shape, key, PyTorch's result shape)
SHAPES_1D_TO_4D = [
    ((2, 3, 4, 5), (slice(None), 0, slice(None), ("ints", [1, 2])), (2, 4, 2)),
    ((2, 3, 4, 5), (("ints", [0, 1]), 0, slice(None), ("ints", [1, 2])), (2, 4)),
    ((2, 3, 4, 5), (("ints", [0, 1]), slice(None), 0, ("ints", [1, 2])), (2, 3)),
    ((2, 3, 4, 5), (0, ("ints", [0, 1]), slice(None), 1), (2, 4)),
    ((2, 3, 4, 5), (..., 0, ("ints", [1, 2]), slice(None)), (2, 2, 5)),
    ((2, 3, 4, 5), (0, None, ("ints", [1]), 1, None, ("ints", [1, 2])), (2, 1, 1)),
    ((2, 3, 4, 5), (slice(None), ("ints", [[0], [1]]), slice(None), 0), (2, 2, 1, 4)),
    ((3,), (("int0d", -1),), ()),
    ((3, 4), (("mask", [True, False, True]), -1), (2,)),
    ((3, 4), (1, ("ints", [3, 0, 3])), (3,)),
    # "..." for no dimension: no integer, but NumPy would separate the lists
    ((2, 3, 4), (slice(None), ("ints", [0]), ..., ("ints", [0])), (2, 1)),
    ((2, 3), (slice(None), ("bool", True), ..., ("ints", [0])), (2, 1)),
    ((2, 3, 5, 4), (slice(None), ("ints", [0]), ..., 0, ("mask", [False] * 4)), (2, 0)),
]


@pytest.mark.parametrize(("key", "shape"), HAND_SHAPES)
def test_result_shapes_by_hand(device, key, shape):
    x = mg.tensor(X, device=device)
    out = x[materialise(key, "minigrad", device)]
    assert out.shape == shape
    assert reference(X, key).shape == shape  # the reference agrees with the hand results
    assert_close(out, reference(X, key))


@pytest.mark.parametrize(("shape", "key", "shape_out"), SHAPES_1D_TO_4D)
def test_result_shapes_1d_to_4d(device, shape, key, shape_out):
    a = np.arange(float(np.prod(shape))).reshape(shape)
    out = mg.tensor(a, device=device)[materialise(key, "minigrad", device)]
    assert out.shape == shape_out
    assert_close(out, reference(a, key))


def test_values_by_hand(device):
    x = mg.tensor(X, device=device)
    assert_close(x[0, :, [1, 2]], [[1, 2], [5, 6], [9, 10]])
    assert_close(x[1, :, mg.tensor(MASK, device=device)], [[12, 14], [16, 18], [20, 22]])
    assert_close(
        x[mg.tensor(-1, device=device), None, [2, 0]], [[[20, 21, 22, 23], [12, 13, 14, 15]]]
    )
    assert_close(x[[1, 0], ..., 3], [[15, 19, 23], [3, 7, 11]])


def test_writes_by_hand(device):
    x = mg.zeros(2, 3, 4, device=device, dtype=mg.float64)
    x[0, :, [0, 1]] = mg.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], device=device)
    assert_close(x[0], [[1, 2, 0, 0], [3, 4, 0, 0], [5, 6, 0, 0]])
    assert_close(x[1], np.zeros((3, 4)))
    with pytest.raises((RuntimeError, ValueError), match="shape"):  # the transposed value
        x[0, :, [0, 1]] = mg.ones(2, 3, device=device, dtype=mg.float64)
    x[1, ..., [3]] = mg.tensor([7.0, 8.0, 9.0], device=device).reshape(3, 1)  # broadcast
    x[mg.tensor(1, device=device), 0, [1, 2]] = -1.0  # a scalar
    assert_close(x[1], [[0, -1, -1, 7], [0, 0, 0, 8], [0, 0, 0, 9]])


def test_a_0d_integer_tensor_selects_as_an_int(device):
    """As in PyTorch, ``x[tensor(i)]`` is ``x[i]``: a view of ``x``."""
    x = mg.tensor(X.copy(), device=device)
    y = x[mg.tensor(1, device=device)]
    y += 100
    assert_close(x[1, 0], [112, 113, 114, 115])


@pytest.mark.parametrize(
    ("key", "where"),
    [
        ((5, slice(None), [1, 2]), "index 5 is out of bounds for axis 0 with size 2"),
        ((-3, slice(None), [1]), "index -3 is out of bounds for axis 0 with size 2"),
        ((0, 3, [1]), "index 3 is out of bounds for axis 1 with size 3"),
    ],
)
def test_out_of_range_integers(device, key, where):
    x = mg.tensor(X, device=device)
    with pytest.raises(IndexError, match=where):
        x[key]
    with pytest.raises(IndexError, match=where):
        x[key] = 0.0


def test_gradients_by_hand(device):
    x = on(X, device)
    x[0, :, [1, 2]].sum().backward()
    expected = np.zeros((2, 3, 4))
    expected[0, :, 1:3] = 1
    assert_close(x.grad, expected)
    assert mg.gradcheck(lambda t: t[0, :, [1, 2]] * t[1, :, [3, 3]], [on(X, device)])
    assert mg.gradgradcheck(lambda t: t[-1, None, [2, 0]] ** 2, [on(X, device)])

    v = on(np.arange(6.0).reshape(3, 2), device)

    def write(t: mg.Tensor, v: mg.Tensor) -> mg.Tensor:
        y = t * 1
        y[1, :, [0, 3]] = v * v
        return y

    assert mg.gradcheck(write, [on(X, device), v])
    x = on(X, device)
    (write(x, v) * 2).sum().backward()
    assert_close(v.grad, 4 * np.arange(6.0).reshape(3, 2))
    expected = np.full((2, 3, 4), 2.0)
    expected[1, :, [0, 3]] = 0
    assert_close(x.grad, expected)


# ---------------------------------------------------------------- random keys
@st.composite
def int_with_advanced_keys(draw):
    """An array shape of 1 to 4 dimensions and a key mixing integers (Python ints and 0-d
    tensors, negative ones too) with lists, bool masks and Python bools, separated or not by
    slices, None and ``...``. All lists have one length (or length 1); with a mask, 1."""
    shape = tuple(draw(st.lists(st.integers(1, 3), min_size=1, max_size=4)))
    with_mask = draw(st.booleans())
    length = 1 if with_mask else draw(st.integers(1, 3))
    key: list[Any] = []
    d = 0
    while d < len(shape):
        if draw(st.integers(0, 5)) == 0:
            key.append(None)
        kinds = ["int", "int0d", "slice", "ints", "ints"] + ["mask"] * with_mask
        kind = draw(st.sampled_from(kinds))
        n = shape[d]
        if kind == "mask":
            k = draw(st.integers(1, min(2, len(shape) - d)))
            mask = draw(st.lists(st.booleans(), min_size=int(np.prod(shape[d : d + k]))))
            mask = np.resize(np.array(mask, dtype=bool), shape[d : d + k])
            key.append(("mask", mask.tolist()))
            with_mask, d = False, d + k
            continue
        if kind in ("int", "int0d"):
            i = draw(st.integers(-n, n - 1))
            key.append(("int0d", i) if kind == "int0d" else i)
        elif kind == "slice":
            start = draw(st.integers(0, n))
            key.append(slice(start, draw(st.integers(start, n)), draw(st.sampled_from([None, 2]))))
        else:
            size = draw(st.sampled_from([1, length]))
            key.append(
                ("ints", draw(st.lists(st.integers(-n, n - 1), min_size=size, max_size=size)))
            )
        d += 1
    if key and draw(st.booleans()):  # "..." in place of a run of parts that each index one dim
        i = draw(st.integers(0, len(key)))
        j = draw(st.integers(i, len(key)))
        if all(p is not None and not (isinstance(p, tuple) and p[0] == "mask") for p in key[i:j]):
            key[i:j] = [...]
    elif key and draw(st.booleans()):  # trailing dimensions left out
        key = key[: draw(st.integers(1, len(key)))]
    if draw(st.integers(0, 4)) == 0:
        key.insert(draw(st.integers(0, len(key))), ("bool", True))
    return shape, tuple(key)


def distinct(pos: np.ndarray) -> bool:
    return len(np.unique(pos)) == pos.size


@given_settings
@given(case=int_with_advanced_keys(), data=st.data())
def test_random_keys_against_the_reference(device, case, data):
    shape, key = case
    a = np.arange(float(np.prod(shape))).reshape(shape) / 4 - 1
    expected = reference(a, key)
    mkey = materialise(key, "minigrad", device)

    x = on(a, device)
    out = x[mkey]
    assert_close(out, expected)
    weight = np.linspace(-1, 1, expected.size).reshape(expected.shape)
    (out * mg.tensor(weight, device=device)).sum().backward()
    assert_close(x.grad, read_grad(shape, key, weight))

    y = mg.tensor(a, device=device)
    y[mkey] = 5.0  # a scalar
    assert_close(y, written(a, key, 5.0))
    if distinct(positions(shape, key)):
        value = data.draw(st.sampled_from([expected.shape, expected.shape[-1:]]))
        v = np.arange(float(np.prod(value))).reshape(value) + 100
        y = mg.tensor(a, device=device)
        y[mkey] = mg.tensor(v, device=device)  # full-shape or broadcast
        assert_close(y, written(a, key, v))


@few_examples
@given(case=int_with_advanced_keys())
def test_random_keys_gradcheck(device, case):
    shape, key = case
    a = np.arange(float(np.prod(shape))).reshape(shape) / 4 - 1
    mkey = materialise(key, "minigrad", device)
    assert mg.gradcheck(lambda t: t[mkey], [on(a, device)])
    v = on(np.linspace(-1, 1, reference(a, key).size).reshape(reference(a, key).shape), device)

    def write(t: mg.Tensor, v: mg.Tensor) -> mg.Tensor:
        y = t * 2
        y[mkey] = v
        return y

    if distinct(positions(shape, key)):  # (with repeats, which value lands is unspecified)
        assert mg.gradcheck(write, [on(a, device), v])


@given_settings
@given(case=int_with_advanced_keys())
def test_random_keys_against_torch(device, case):
    torch = pytest.importorskip("torch")
    shape, key = case
    a = np.arange(float(np.prod(shape))).reshape(shape) / 4 - 1
    mkey, tkey = materialise(key, "minigrad", device), materialise(key, "torch")
    assert_close(mg.tensor(a, device=device)[mkey], torch.tensor(a)[tkey].numpy())
    assert_close(mg.tensor(a, device=device)[mkey], reference(a, key))  # the reference too

    t = torch.tensor(a, requires_grad=True)
    x = on(a, device)
    weight = np.linspace(-1, 1, reference(a, key).size).reshape(reference(a, key).shape)
    (t[tkey] * torch.tensor(weight)).sum().backward()
    (x[mkey] * mg.tensor(weight, device=device)).sum().backward()
    assert_close(x.grad, t.grad.numpy())

    if distinct(positions(shape, key)):
        v = weight + 10
        t2, y = torch.tensor(a, requires_grad=True), on(a, device)
        tv, mv = torch.tensor(v, requires_grad=True), on(v, device)
        tout, mout = t2 * 3, y * 3
        tout[tkey] = tv
        mout[mkey] = mv
        assert_close(mout, tout.detach().numpy())
        g = np.cos(np.arange(a.size)).reshape(a.shape)
        (tout * torch.tensor(g)).sum().backward()
        (mout * mg.tensor(g, device=device)).sum().backward()
        assert_close(y.grad, t2.grad.numpy())
        assert_close(mv.grad, tv.grad.numpy())


def test_hand_cases_against_torch():
    torch = pytest.importorskip("torch")
    for key, shape in HAND_SHAPES:
        assert tuple(torch.tensor(X)[materialise(key, "torch")].shape) == shape
    for shape, key, shape_out in SHAPES_1D_TO_4D:
        assert tuple(torch.zeros(shape)[materialise(key, "torch")].shape) == shape_out
    assert tuple(torch.arange(3)[torch.tensor(-1)].shape) == ()
