"""The keyword forms PyTorch accepts for sizes, dims and split sizes (``x.flip(dims=...)``,
``x.view(size=...)``, ``zeros(size=...)``, ...), next to the positional forms."""

from __future__ import annotations

import numpy as np
import pytest
from engine_helpers import host

import minigrad as mg


def _x(device: str) -> mg.Tensor:
    return mg.arange(6.0, device=device).reshape(2, 3)


# name -> (the call with keywords, the same call positionally); on minigrad or on torch
SAME_AS_POSITIONAL = {
    "flip(dims=)": (lambda m, x: x.flip(dims=[1]), lambda m, x: x.flip(1)),
    "torch.flip(dims=)": (lambda m, x: m.flip(x, dims=(0, 1)), lambda m, x: x.flip(0, 1)),
    "permute(dims=)": (lambda m, x: x.permute(dims=(1, 0)), lambda m, x: x.permute(1, 0)),
    "torch.permute(dims=)": (lambda m, x: m.permute(x, dims=[1, 0]), lambda m, x: x.permute(1, 0)),
    "view(size=)": (lambda m, x: x.view(size=(3, 2)), lambda m, x: x.view(3, 2)),
    "view(size=[])": (lambda m, x: x.view(size=[6]), lambda m, x: x.view(6)),
    "reshape(shape=)": (lambda m, x: x.reshape(shape=(3, 2)), lambda m, x: x.reshape(3, 2)),
    "torch.reshape(shape=)": (
        lambda m, x: m.reshape(x, shape=(-1,)),
        lambda m, x: x.reshape(6),
    ),
    "expand(size=)": (lambda m, x: x[:1].expand(size=(4, 3)), lambda m, x: x[:1].expand(4, 3)),
    "expand(implicit=)": (
        lambda m, x: x[:1].expand((4, 3), implicit=False),
        lambda m, x: x[:1].expand(4, 3),
    ),
    "repeat(repeats=)": (lambda m, x: x.repeat(repeats=(2, 1)), lambda m, x: x.repeat(2, 1)),
    "tile(dims=)": (lambda m, x: x.tile(dims=(2,)), lambda m, x: x.tile(2)),
    "torch.tile(dims=)": (lambda m, x: m.tile(x, dims=[2, 2]), lambda m, x: x.tile(2, 2)),
    "swapdims(dim0=, dim1=)": (
        lambda m, x: m.swapdims(x, dim0=0, dim1=1),
        lambda m, x: x.transpose(0, 1),
    ),
    "swapaxes(axis0=, axis1=)": (
        lambda m, x: m.swapaxes(x, axis0=0, axis1=1),
        lambda m, x: x.transpose(0, 1),
    ),
    "x.swapdims(dim0=, dim1=)": (
        lambda m, x: x.swapdims(dim0=1, dim1=0),
        lambda m, x: x.transpose(0, 1),
    ),
    "x.swapaxes(axis0=, axis1=)": (
        lambda m, x: x.swapaxes(axis0=1, axis1=0),
        lambda m, x: x.transpose(0, 1),
    ),
    "cat(axis=)": (lambda m, x: m.cat([x, x], axis=1), lambda m, x: m.cat([x, x], 1)),
    "concat(axis=)": (lambda m, x: m.concat([x, x], axis=-1), lambda m, x: m.cat([x, x], 1)),
    "stack(axis=)": (lambda m, x: m.stack([x, x], axis=1), lambda m, x: m.stack([x, x], 1)),
}


@pytest.mark.parametrize("name", list(SAME_AS_POSITIONAL))
def test_keyword_form_matches_positional_form(name, device):
    keyword, positional = SAME_AS_POSITIONAL[name]
    x = _x(device)
    got, want = keyword(mg, x), positional(mg, x)
    assert got.shape == want.shape
    np.testing.assert_array_equal(host(got), host(want))


@pytest.mark.parametrize("name", list(SAME_AS_POSITIONAL))
def test_keyword_form_matches_torch(name):
    torch = pytest.importorskip("torch")
    keyword, _ = SAME_AS_POSITIONAL[name]
    got = keyword(mg, _x("cpu"))
    want = keyword(torch, torch.arange(6.0).reshape(2, 3))
    np.testing.assert_array_equal(host(got), want.numpy())


def test_positional_forms_still_work():
    x = _x("cpu")
    assert x.view(3, 2).shape == x.view((3, 2)).shape == x.view([3, 2]).shape == (3, 2)
    assert x.reshape(-1).shape == x.reshape((6,)).shape == (6,)
    assert x.permute(1, 0).shape == x.permute([1, 0]).shape == (3, 2)
    assert x.flip(0, 1).shape == x.flip((0, 1)).shape == x.flip([0]).shape == (2, 3)
    assert x[:1].expand(2, -1).shape == x[:1].expand((2, 3)).shape == (2, 3)
    assert x.view(mg.int32).dtype == x.view(dtype=mg.int32).dtype == mg.int32


def test_view_dtype_keyword():
    x = mg.zeros(2, 4)
    assert x.view(dtype=mg.int32).dtype == mg.int32
    with pytest.raises(TypeError, match="size or dtype"):
        x.view(size=(8,), dtype=mg.int32)


@pytest.mark.parametrize(
    "call",
    [
        lambda x: x.split(split_size=1),
        lambda x: x.split(split_size_or_sections=1),
        lambda x: mg.split(x, split_size_or_sections=1),
        lambda x: mg.split(x, 1, dim=0),
        lambda x: x.split(split_size=[1, 1]),
    ],
)
def test_split_keywords(call, device):
    pieces = call(_x(device))
    assert [tuple(p.shape) for p in pieces] == [(1, 3), (1, 3)]


def test_split_needs_a_size_once():
    x = _x("cpu")
    with pytest.raises(TypeError, match="missing required argument 'split_size'"):
        x.split()
    with pytest.raises(TypeError, match="multiple values"):
        x.split(1, split_size=1)


@pytest.mark.parametrize("name", ["zeros", "ones", "empty", "rand", "randn"])
def test_creation_size_keyword(name, device):
    make = getattr(mg, name)
    t = make(size=(2, 3), device=device)
    assert t.shape == (2, 3)
    assert make(size=[4], device=device).shape == (4,)
    assert make(2, 3, device=device).shape == make((2, 3), device=device).shape == (2, 3)
    if name in ("zeros", "ones"):
        np.testing.assert_array_equal(host(t), host(make(2, 3, device=device)))


@pytest.mark.parametrize("name", ["new_zeros", "new_ones", "new_empty"])
def test_new_size_keyword(name, device):
    x = mg.zeros(1, dtype=mg.float64, device=device)
    t = getattr(x, name)(size=(2, 3))
    assert t.shape == (2, 3) and t.dtype == mg.float64 and t.device == x.device
    assert getattr(x, name)(2, 3).shape == getattr(x, name)((2, 3)).shape == (2, 3)


def test_arange_keywords(device):
    np.testing.assert_array_equal(host(mg.arange(end=5, device=device)), np.arange(5))
    np.testing.assert_array_equal(host(mg.arange(1, end=5, device=device)), np.arange(1, 5))
    np.testing.assert_array_equal(
        host(mg.arange(start=1, end=6, step=2, device=device)), np.arange(1, 6, 2)
    )
    assert mg.arange(end=5).dtype == mg.int64
    with pytest.raises(TypeError, match="end"):
        mg.arange()


# A keyword size must be a sequence (PyTorch: TypeError), and may not come twice.
BAD_KEYWORDS = {
    "view(size=int)": lambda m, x: x.view(size=6),
    "reshape(shape=int)": lambda m, x: x.reshape(shape=6),
    "permute(dims=int)": lambda m, x: x.reshape(6).permute(dims=0),
    "flip(dims=int)": lambda m, x: x.flip(dims=1),
    "repeat(repeats=int)": lambda m, x: x.repeat(repeats=2),
    "tile(dims=int)": lambda m, x: x.tile(dims=2),
    "expand(size=int)": lambda m, x: x[0].expand(size=3),
    "zeros(size=int)": lambda m, x: m.zeros(size=3),
    "new_zeros(size=int)": lambda m, x: x.new_zeros(size=2),
    "zeros(both)": lambda m, x: m.zeros(2, size=(2,)),
    "reshape(both)": lambda m, x: x.reshape(3, 2, shape=(3, 2)),
    "cat(dim and axis)": lambda m, x: m.cat([x, x], 1, axis=1),
}


@pytest.mark.parametrize("name", list(BAD_KEYWORDS))
def test_bad_keyword_forms_raise_type_error(name):
    with pytest.raises(TypeError):
        BAD_KEYWORDS[name](mg, _x("cpu"))


@pytest.mark.parametrize("name", [n for n in BAD_KEYWORDS if n != "cat(dim and axis)"])
def test_bad_keyword_forms_raise_type_error_in_torch(name):
    torch = pytest.importorskip("torch")
    with pytest.raises(TypeError):
        BAD_KEYWORDS[name](torch, torch.arange(6.0).reshape(2, 3))


def test_keyword_errors_name_the_argument():
    x = _x("cpu")
    with pytest.raises(TypeError, match=r"flip\(\): argument 'dims' must be tuple of ints"):
        x.flip(dims=1)
    with pytest.raises(TypeError, match=r"new_zeros\(\): argument 'size'"):
        x.new_zeros(size=2)
    with pytest.raises(TypeError, match=r"view\(\) got multiple values for argument 'size'"):
        x.view(6, size=(6,))


def test_keyword_forms_keep_the_graph():
    x = mg.arange(6.0, requires_grad=True)
    y = x.view(size=(2, 3)).flip(dims=[1]).permute(dims=(1, 0)).reshape(shape=(-1,))
    (y * mg.arange(6.0)).sum().backward()
    # y = x.view(2,3)[:, ::-1].T.flatten(): y[k] picks x[[2, 5, 1, 4, 0, 3][k]]
    want = np.zeros(6)
    want[[2, 5, 1, 4, 0, 3]] = np.arange(6.0)
    np.testing.assert_array_equal(host(x.grad), want)


# ------------------------------------------------------------------ a number as the first operand
NUMBER_FIRST = {  # PyTorch's functions that take a number as ``input`` when ``other`` is a tensor
    "add": lambda n, t: n + t,
    "sub": lambda n, t: n - t,
    "mul": lambda n, t: n * t,
    "div": lambda n, t: n / t,
    "true_divide": lambda n, t: n / t,
    "floor_divide": lambda n, t: n // t,
    "remainder": lambda n, t: n % t,
    "pow": lambda n, t: n**t,
}


@pytest.mark.parametrize("name", list(NUMBER_FIRST))
@pytest.mark.parametrize(
    ("number", "dtype"),
    [(2, mg.float32), (2, mg.int32), (2.5, mg.float16), (3, mg.float64), (2.5, mg.int64)],
)
def test_a_number_first_is_the_operator_with_the_number_on_the_left(name, number, dtype, device):
    t = mg.tensor([3, 4], dtype=dtype, device=device)
    got, want = getattr(mg, name)(number, t), NUMBER_FIRST[name](number, t)
    assert got.dtype == want.dtype and got.device == t.device
    np.testing.assert_array_equal(host(got), host(want))


def test_a_number_first_keeps_the_gradient_and_the_keywords(device):
    x = mg.tensor([1.0, 2.0], dtype=mg.float64, device=device, requires_grad=True)
    np.testing.assert_array_equal(host(mg.add(2, x, alpha=3)), [5.0, 8.0])
    np.testing.assert_array_equal(host(mg.sub(2, x, alpha=3)), [-1.0, -4.0])
    np.testing.assert_array_equal(host(mg.pow(2, exponent=x)), [2.0, 4.0])
    mg.pow(2, x).sum().backward()  # d 2ˣ/dx = 2ˣ ln 2
    np.testing.assert_allclose(host(x.grad), [2 * np.log(2), 4 * np.log(2)])
    with pytest.raises(TypeError, match="argument 'input' must be a Tensor, not int"):
        mg.exp(2)
    with pytest.raises(TypeError, match="must be a Tensor"):
        mg.add(2, 3)
