"""Shared strategies and checks for the engine tests (``tests/test_engine_*.py``).

Every differentiable op is checked the same way (:func:`check_op`): its forward
against NumPy, then :func:`minigrad.gradcheck` in float64, then the gradients'
shape, dtype and device. Values come from strategies that keep them away from
the points where an op is not differentiable (kinks of abs/relu/clamp, ties of
max/min, zero denominators).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad as mg
from minigrad.backend import to_host

# Inherits max_examples / deadline from the profile loaded in conftest.py. The ``device``
# fixture is a constant string, so sharing it across examples is safe.
given_settings = settings(
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)

MAX_DIMS = 4
MAX_SIDE = 3


def shapes(
    min_dims: int = 0, max_dims: int = MAX_DIMS, min_side: int = 0, max_side: int = MAX_SIDE
) -> st.SearchStrategy[tuple[int, ...]]:
    """Small shapes, size-0 and size-1 dimensions included unless ``min_side`` says not."""
    return hnp.array_shapes(
        min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side
    )


def broadcast_shapes(
    num_shapes: int = 2, min_side: int = 0, max_dims: int = MAX_DIMS
) -> st.SearchStrategy[Any]:
    """``num_shapes`` shapes that broadcast together (``.input_shapes``, ``.result_shape``)."""
    return hnp.mutually_broadcastable_shapes(
        num_shapes=num_shapes, min_dims=0, max_dims=max_dims, min_side=min_side, max_side=MAX_SIDE
    )


def floats(low: float = -3.0, high: float = 3.0) -> st.SearchStrategy[float]:
    return st.floats(low, high, allow_nan=False, allow_infinity=False)


def arrays(shape: Any, low: float = -3.0, high: float = 3.0) -> st.SearchStrategy[np.ndarray]:
    """float64 arrays with values in [low, high]."""
    return hnp.arrays(np.float64, shape, elements=floats(low, high))


def grid(half_width: int = 48, offset: float = 1 / 32) -> st.SearchStrategy[float]:
    """Values k/16 + offset: never within 1/32 of a multiple of 1/16 (0 included).

    With the default offset no value is a kink of abs/relu/leaky_relu, nor a clamp
    bound drawn from :func:`grid_bound`; two grid values are equal or at least 1/16 apart.
    """
    return st.integers(-half_width, half_width).map(lambda k: k / 16 + offset)


def grid_bound() -> st.SearchStrategy[float]:
    """A multiple of 1/16 in [-3, 3]: at least 1/32 away from every :func:`grid` value."""
    return st.integers(-48, 48).map(lambda k: k / 16)


def grid_arrays(
    shape: Any, unique: bool = False, offset: float = 1 / 32
) -> st.SearchStrategy[np.ndarray]:
    """float64 arrays of :func:`grid` values (``unique``: no ties, for max/min)."""
    return hnp.arrays(np.float64, shape, elements=grid(offset=offset), unique=unique)


def on(array: Any, device: str, requires_grad: bool = True) -> mg.Tensor:
    """A float64 tensor copy of a host array on ``device``."""
    return mg.tensor(array, dtype=mg.float64, device=device, requires_grad=requires_grad)


def names_shape(message: str, shape: Any) -> bool:
    """Whether an error message names ``shape`` (a tuple, or its text such as "(2, 3)"),
    printed as a tuple or as a ``minigrad.Size`` (what ``tensor.shape`` prints as)."""
    if isinstance(shape, str):
        if not shape.startswith("("):
            return False
        shape = tuple(int(n) for n in shape.strip("(),").split(",") if n.strip())
    return str(tuple(shape)) in message or str(mg.Size(shape)) in message


def host(t: mg.Tensor) -> np.ndarray:
    """A tensor's values as a host NumPy array (any device)."""
    return to_host(t._array)


def assert_close(
    actual: mg.Tensor, expected: Any, rtol: float = 1e-10, atol: float = 1e-12
) -> None:
    """Same shape and values (a tensor against a NumPy array)."""
    expected = np.asarray(expected)
    got = host(actual)
    assert got.shape == expected.shape, (got.shape, expected.shape)
    np.testing.assert_allclose(got, expected, rtol=rtol, atol=atol)


def check_op(
    fn: Callable[..., Any], ref: Callable[..., Any], arrays: Sequence[np.ndarray], device: str
) -> list[mg.Tensor]:
    """``fn`` on float64 tensors of ``arrays`` against ``ref`` on the arrays, then gradcheck
    and gradgradcheck (first and second derivatives against central differences).

    ``fn`` may return a tensor or a tuple of tensors (``ref`` then a tuple of arrays).
    Returns the input tensors, their ``.grad`` filled by a backward of the outputs' sum.
    """
    tensors = [on(a, device) for a in arrays]
    out = fn(*tensors)
    expected = ref(*[np.array(a) for a in arrays])
    outs = out if isinstance(out, tuple | list) else (out,)
    refs = expected if isinstance(out, tuple | list) else (expected,)
    assert len(outs) == len(refs)
    for o, r in zip(outs, refs, strict=True):
        assert isinstance(o, mg.Tensor)
        assert o.device == device
        assert o.dtype == mg.float64
        assert o.requires_grad and o.grad_fn is not None
        assert_close(o, r)
    assert mg.gradcheck(fn, tensors) is True
    assert mg.gradgradcheck(fn, tensors) is True
    sum(o.sum() for o in outs).backward()
    for t in tensors:
        assert t.grad is not None
        assert t.grad.shape == t.shape
        assert t.grad.dtype == mg.float64
        assert t.grad.device == device
        assert type(t.grad._array) is type(t._array)
    return tensors
