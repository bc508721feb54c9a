"""nn.Flatten and nn.Unflatten against PyTorch's shapes, errors and reprs."""

from __future__ import annotations

import pytest

import minigrad as mg
from minigrad import nn


@pytest.mark.parametrize(
    ("args", "shape"),
    [
        ((), (2, 60)),
        ((0,), (120,)),
        ((1, 2), (2, 12, 5)),
        ((-3, -1), (2, 60)),
        ((2, -1), (2, 3, 20)),
    ],
)
def test_flatten_shapes(device, args, shape):
    x = mg.randn(2, 3, 4, 5, device=device, requires_grad=True)
    out = nn.Flatten(*args)(x)
    assert out.shape == shape
    out.sum().backward()
    assert x.grad.shape == x.shape


@pytest.mark.parametrize(
    ("dim", "sizes", "shape"),
    [(1, (3, 1), (2, 3, 1, 4, 5)), (-1, (5, 1), (2, 3, 4, 5, 1)), (2, (-1, 2), (2, 3, 2, 2, 5))],
)
def test_unflatten_shapes_and_inverse(device, dim, sizes, shape):
    x = mg.randn(2, 3, 4, 5, device=device)
    out = nn.Unflatten(dim, sizes)(x)
    assert out.shape == shape
    assert nn.Flatten(0, -1)(out).tolist() == x.flatten().tolist()


def test_unflatten_errors_and_reprs():
    with pytest.raises(
        RuntimeError, match=r"invalid for input of size 24 \(shape minigrad\.Size\(\[2, 3, 4\]\)\)"
    ):
        nn.Unflatten(1, (2, 2))(mg.randn(2, 3, 4))
    with pytest.raises(RuntimeError, match="invalid for input of size"):
        nn.Unflatten(1, (-1, 2))(mg.randn(2, 3, 4))
    with pytest.raises(TypeError, match="unflattened_size must be tuple of ints"):
        nn.Unflatten(1, 4)
    assert repr(nn.Flatten()) == "Flatten(start_dim=1, end_dim=-1)"
    assert repr(nn.Unflatten(1, (2, 2))) == "Unflatten(dim=1, unflattened_size=(2, 2))"
