"""The dtype policy (PyTorch's): float32 by default, promotion rules, gradients' dtypes."""

from __future__ import annotations

import numpy as np
import pytest
from engine_helpers import broadcast_shapes, given_settings
from hypothesis import given
from hypothesis import strategies as st

import minigrad as mg

DTYPES = {
    "float16": mg.float16,
    "float32": mg.float32,
    "float64": mg.float64,
    "int8": mg.int8,
    "int16": mg.int16,
    "int32": mg.int32,
    "int64": mg.int64,
    "uint8": mg.uint8,
    "bool": mg.bool,
}


def test_dtypes_are_module_attributes_equal_to_numpy_dtypes():
    for name, dtype in DTYPES.items():
        assert dtype == np.dtype(name)
    assert mg.float is mg.float32 and mg.double == mg.float64 and mg.half == mg.float16
    assert mg.long == mg.int64 and mg.int == mg.int32 and mg.short == mg.int16
    assert str(mg.float32) == "float32"


@pytest.mark.parametrize("name", list(DTYPES))
def test_every_dtype_is_accepted_wherever_a_dtype_is(name, device):
    dt = DTYPES[name]
    made = [
        mg.tensor([1, 0], dtype=dt, device=device),
        mg.zeros(2, dtype=dt, device=device),
        mg.ones(2, dtype=dt, device=device),
        mg.full((2,), 1, dtype=dt, device=device),
        mg.arange(2, dtype=dt, device=device),
        mg.eye(2, dtype=dt, device=device),
        mg.zeros_like(mg.ones(2), dtype=dt),
        mg.ones(2, device=device).to(dt),
        mg.ones(2, device=device).to(device, dt),
    ]
    if dt.kind in "iu":
        made += [
            mg.randint(0, 2, (2,), dtype=dt, device=device),
            mg.randperm(2, dtype=dt, device=device),
        ]
    if dt in (mg.float32, mg.float64):
        made += [mg.rand(2, dtype=dt, device=device), mg.randn(2, dtype=dt, device=device)]
    for t in made:
        assert t.dtype == dt
    # numpy types and names are accepted too
    assert mg.zeros(1, dtype=np.dtype(name).type, device=device).dtype == dt
    assert mg.zeros(1, dtype=name, device=device).dtype == dt


def test_python_types_as_dtypes_follow_pytorch():
    assert mg.zeros(1, dtype=float).dtype == mg.float64
    assert mg.zeros(1, dtype=int).dtype == mg.int64
    assert mg.zeros(1, dtype=bool).dtype == mg.bool


def test_tensor_gives_python_floats_float32_and_keeps_the_dtype_of_arrays(device):
    cases = [
        (1.5, mg.float32),
        ([1.0, 2.0], mg.float32),
        ([1, 2.5], mg.float32),
        (np.array([1.0, 2.0]), mg.float64),  # as PyTorch: an array keeps its dtype
        (np.float64(3.0), mg.float64),
        (np.array([1.0], dtype=np.float32), mg.float32),
        (np.array([1.0], dtype=np.float16), mg.float16),
        (3, mg.int64),
        ([1, 2], mg.int64),
        (np.array([1, 2], dtype=np.int32), mg.int32),
        (np.array([1, 2], dtype=np.uint8), mg.uint8),
        (True, mg.bool),
        ([True, False], mg.bool),
    ]
    for data, expected in cases:
        assert mg.tensor(data, device=device).dtype == expected, data
    assert mg.tensor(np.array([1.0]), dtype=mg.float64, device=device).dtype == mg.float64
    assert mg.tensor([1, 2], dtype=mg.float32, device=device).dtype == mg.float32


def test_integer_tensors_cannot_require_grad(device):
    with pytest.raises(RuntimeError, match=r"floating point.*int64"):
        mg.tensor([1, 2], requires_grad=True, device=device)
    with pytest.raises(RuntimeError, match="int32"):
        mg.tensor([1], dtype=mg.int32, device=device).requires_grad_()
    with pytest.raises(RuntimeError, match="bool"):
        mg.zeros(2, dtype=mg.bool, requires_grad=True, device=device)
    assert mg.tensor([1, 2], dtype=mg.float32, requires_grad=True, device=device).requires_grad


def test_tensor_tensor_promotion_follows_pytorch(device):
    def t(dtype, shape=(2,)):
        return mg.ones(shape, dtype=dtype, device=device)

    cases = [
        (t(mg.float32), t(mg.float64), mg.float64),
        (t(mg.int64), t(mg.float32), mg.float32),  # NumPy would say float64
        (t(mg.int32), t(mg.int64), mg.int64),
        (t(mg.uint8), t(mg.int8), mg.int16),
        (t(mg.bool), t(mg.int32), mg.int32),
        (t(mg.bool), t(mg.float16), mg.float16),
        (t(mg.float16), t(mg.float32), mg.float32),
        # a 0-d tensor does not widen a dimensioned one of its category ...
        (t(mg.float32), t(mg.float64, ()), mg.float32),
        (t(mg.int32), t(mg.int64, ()), mg.int32),
        # ... but a higher category still wins
        (t(mg.int32), t(mg.float64, ()), mg.float64),
        (t(mg.bool), t(mg.int64, ()), mg.int64),
        (t(mg.float32, ()), t(mg.float64, ()), mg.float64),
    ]
    for a, b, expected in cases:
        assert (a + b).dtype == expected, (a.dtype, a.shape, b.dtype, b.shape)
        assert (b * a).dtype == expected, (a.dtype, a.shape, b.dtype, b.shape)
    assert mg.where(t(mg.bool), t(mg.float32), t(mg.float64, ())).dtype == mg.float32
    assert mg.maximum(t(mg.float32), t(mg.float64)).dtype == mg.float64
    with pytest.raises(RuntimeError, match="same dtype"):  # matmul does not promote (PyTorch)
        t(mg.float32, (2, 2)) @ t(mg.float64, (2, 2))
    assert mg.cat([t(mg.float32), t(mg.float64)]).dtype == mg.float64
    assert mg.stack([t(mg.int64), t(mg.float32)]).dtype == mg.float32


SCALAR_OPS = [
    lambda x: x + 1.5,
    lambda x: 1.5 + x,
    lambda x: x - 2,
    lambda x: 2.0 - x,
    lambda x: x * 0.1,
    lambda x: 0.1 * x,
    lambda x: x / 3.0,
    lambda x: 3 / x,
    lambda x: x**2,
    lambda x: x**0.5,
    lambda x: 2.0**x,
    lambda x: x * np.float64(0.5),
    lambda x: np.float64(0.5) + x,
    lambda x: x.clamp(0.1, 0.9),
    lambda x: x.clamp(min=0.2),
    lambda x: mg.maximum(x, mg.tensor(0.5, dtype=mg.float64, device=x.device)),
    lambda x: mg.where(x > 0.5, x, 0.0),
    lambda x: mg.where(x > 0.5, 1.0, x),
    lambda x: x.leaky_relu(0.2),
    lambda x: x.var() * 0.5,
    lambda x: x.mean() / 7,
    lambda x: x.std(),
    lambda x: x.softmax(0) * 1e-3,
    lambda x: x.sigmoid() + 1,
]


@pytest.mark.parametrize("i", range(len(SCALAR_OPS)))
def test_python_scalars_never_turn_float32_into_float64(i, device):
    x = mg.tensor([0.25, 0.75], device=device, requires_grad=True)
    y = SCALAR_OPS[i](x)
    assert y.dtype == mg.float32
    y.sum().backward()
    assert x.grad.dtype == mg.float32 and x.grad.device == device


def test_integer_tensors_with_scalars_and_float_functions(device):
    i = mg.tensor([1, 2, 4], device=device)
    assert (i + 1).dtype == mg.int64
    assert (i * 2).dtype == mg.int64
    assert (i**2).dtype == mg.int64
    assert (i * 0.5).dtype == mg.float32  # a float scalar makes float32, not float64
    assert (i / 2).dtype == mg.float32 and (i / 2).tolist() == [0.5, 1.0, 2.0]
    assert (2 / i).dtype == mg.float32
    for f in (
        mg.exp,
        mg.log,
        mg.sqrt,
        mg.sigmoid,
        mg.tanh,
    ):
        assert f(i).dtype == mg.float32
    for f in (lambda t: t.leaky_relu(), lambda t: t.softmax(0)):  # PyTorch refuses integers
        with pytest.raises(NotImplementedError, match="int64"):
            f(i)
    assert i.softmax(0, dtype=mg.float32).dtype == mg.float32
    with pytest.raises(RuntimeError, match="floating point"):  # as PyTorch
        i.var()
    assert i.sum().dtype == mg.int64
    assert mg.tensor([True, True, False], device=device).sum().dtype == mg.int64
    assert mg.tensor([True, False], device=device).sum().item() == 1
    assert i.relu().dtype == mg.int64 and i.abs().dtype == mg.int64
    with pytest.raises(RuntimeError, match=r"mean\(\).*int64"):
        i.mean()


@given_settings
@given(
    shapes=broadcast_shapes(2),
    dtypes=st.tuples(
        st.sampled_from([mg.float32, mg.float64]), st.sampled_from([mg.float32, mg.float64])
    ),
)
def test_gradients_have_their_tensors_dtype_and_device(shapes, dtypes, device):
    sa, sb = shapes.input_shapes
    a = mg.rand(sa, dtype=dtypes[0], device=device, requires_grad=True)
    b = mg.rand(sb, dtype=dtypes[1], device=device, requires_grad=True)
    out = (a * b + a.exp() / (b + 1.0)).sum() * 0.5
    if (len(sa) == 0) != (len(sb) == 0):  # a 0-d tensor does not widen the other
        expected = dtypes[1] if len(sa) == 0 else dtypes[0]
    else:
        expected = np.promote_types(*dtypes)
    assert out.dtype == expected
    out.backward()
    for leaf in (a, b):
        assert leaf.grad.dtype == leaf.dtype and leaf.grad.device == device
        assert leaf.grad.shape == leaf.shape
        assert type(leaf.grad._array) is type(leaf._array)


def test_a_float32_training_step_keeps_float32_gradients_on_the_device(device):
    rng = np.random.default_rng(0)
    x_host = rng.standard_normal((8, 3))  # float64 data, as NumPy makes it
    y_host = x_host @ np.array([[1.0], [-2.0], [0.5]]) + 0.3
    x = mg.tensor(x_host, device=device).float()  # NumPy's float64, made float32 explicitly
    y = mg.tensor(y_host, device=device).float()
    assert x.dtype == mg.float32 and y.dtype == mg.float32
    mg.manual_seed(0)
    params = {
        "w1": (mg.randn(3, 4, device=device) * 0.5).detach().requires_grad_(),
        "b1": mg.zeros(4, device=device, requires_grad=True),
        "w2": (mg.randn(4, 1, device=device) * 0.5).detach().requires_grad_(),
        "b2": mg.zeros(1, device=device, requires_grad=True),
    }

    def loss_fn(p, x, y):
        h = (x @ p["w1"] + p["b1"]).tanh()
        pred = h @ p["w2"] + p["b2"]
        mse = ((pred - y) ** 2).mean()
        l2 = sum((w**2).sum() for w in p.values())
        return 0.5 * mse + 1e-3 * l2 + 1 - 1.0 / 2 * 2  # Python scalars everywhere

    losses = []
    for _ in range(3):
        loss = loss_fn(params, x, y)
        assert loss.dtype == mg.float32 and loss.device == device
        losses.append(loss.item())
        for p in params.values():
            p.grad = None
        loss.backward()
        for name, p in params.items():
            assert p.grad.dtype == mg.float32, name
            assert p.grad.device == device and type(p.grad._array) is type(p._array), name
            assert p.grad.shape == p.shape
        with mg.no_grad():
            for p in params.values():
                p -= 0.1 * p.grad
        for p in params.values():
            assert p.dtype == mg.float32 and p.is_leaf and p.requires_grad
            assert p.device == device
    assert losses[2] < losses[1] < losses[0]

    # the float32 gradients agree with the same computation in float64
    p64 = {k: v.detach().double().requires_grad_() for k, v in params.items()}
    loss_fn(p64, x.double(), y.double()).backward()
    for p in params.values():
        p.grad = None
    loss_fn(params, x, y).backward()
    for k in params:
        assert p64[k].grad.dtype == mg.float64
        np.testing.assert_allclose(
            params[k].grad.cpu().numpy(), p64[k].grad.cpu().numpy(), rtol=1e-4, atol=1e-6
        )
