"""numerical_gradient (the book's, seed 001) and gradcheck (analytic vs numerical)."""

from __future__ import annotations

import inspect
import re

import numpy as np
import pytest
from engine_helpers import host, on

import minigrad as mg
from minigrad.autograd import Function


def gradient_descent(f, init_x, lr=0.01, step_num=100):
    """Seed 001, verbatim: the book's gradient descent on the numerical gradient."""
    x = init_x
    for i in range(step_num):  # noqa: B007  (verbatim from the book)
        grad = mg.numerical_gradient(f, x)
        x -= lr * grad
    return x


def function_2(x):
    return x[0] ** 2 + x[1] ** 2


def test_seed_001_gradient_descent_oracle():
    init_x = np.array([-3.0, 4.0])
    result = gradient_descent(function_2, init_x=init_x, lr=0.1, step_num=100)
    np.testing.assert_allclose(result, [-6.11110793e-10, 8.14814391e-10], rtol=1e-6)


def test_numerical_gradient_defaults_to_the_books_h():
    assert inspect.signature(mg.numerical_gradient).parameters["h"].default == 1e-4
    # f(x) = x³ at 2: the central difference with h = 1e-4 is 12 + h² exactly
    g = mg.numerical_gradient(lambda x: x[0] ** 3, np.array([2.0]))
    assert g[0] == pytest.approx(12.0 + 1e-8, abs=1e-9)


def test_numerical_gradient_restores_x_and_handles_any_shape():
    x = np.array([[1.0, -2.0, 0.5], [3.0, 0.0, -1.0]])
    before = x.copy()
    g = mg.numerical_gradient(lambda a: (a**2).sum() + a[0, 1] * a[1, 0], x)
    np.testing.assert_array_equal(x, before)
    expected = 2 * before
    expected[0, 1] += before[1, 0]
    expected[1, 0] += before[0, 1]
    np.testing.assert_allclose(g, expected, rtol=1e-6, atol=1e-8)
    assert g.shape == x.shape


def test_numerical_gradient_of_a_tensor_on_a_device(device):
    x = mg.tensor([-3.0, 4.0], dtype=mg.float64, device=device)
    g = mg.numerical_gradient(lambda t: (t * t).sum(), x)
    assert type(g) is type(x._array)  # an array of the tensor's device
    np.testing.assert_allclose(mg.backend.to_host(g), [-6.0, 8.0], rtol=1e-8)
    assert x.tolist() == [-3.0, 4.0]
    result = gradient_descent(lambda t: (t * t).sum(), x, lr=0.1, step_num=100)
    np.testing.assert_allclose(host(result), [-6.11110793e-10, 8.14814391e-10], rtol=1e-6)


def test_gradcheck_defaults():
    params = inspect.signature(mg.gradcheck).parameters
    assert params["eps"].default == 1e-6
    assert params["atol"].default == 1e-5
    assert params["rtol"].default == 1e-3


def test_gradcheck_returns_true_for_correct_gradients(device):
    a = on(np.linspace(-1, 1, 6).reshape(2, 3), device)
    b = on(np.linspace(0.5, 2, 3), device)
    assert mg.gradcheck(lambda x, y: (x * y).tanh() @ y.exp(), [a, b]) is True
    assert mg.gradcheck(lambda x: (x.sum(0), x.softmax(1)), a) is True  # several outputs
    c = on([2.0], device, requires_grad=False)  # constants are not checked
    assert mg.gradcheck(lambda x, k, n: x * k + n, [b, c, 3.0]) is True
    np.testing.assert_array_equal(host(a), np.linspace(-1, 1, 6).reshape(2, 3))  # restored


class BadSquare(Function):
    """x² with a wrong backward: 3x instead of 2x."""

    __slots__ = ("x",)

    def forward(self, x):
        self.x = x
        return x * x

    def backward(self, g):
        return (g * 3 * self.x,)


class SlightlyOffMul(Function):
    """x·y whose gradient for y is off by a relative ``err``."""

    __slots__ = ("x", "y", "err")

    def forward(self, x, y, err):
        self.x, self.y, self.err = x, y, err
        return x * y

    def backward(self, g):
        return g * self.y, g * self.x * (1 + self.err), None


def test_gradcheck_names_the_input_the_worst_element_the_values_and_the_tolerance(device):
    x = on([0.5, -1.0, 10.0, 0.25], device)  # element 2 has by far the largest error
    with pytest.raises(mg.GradcheckError) as info:
        mg.gradcheck(BadSquare.apply, [x])
    message = str(info.value)
    assert "input 0" in message
    assert "element (2,)" in message
    assert "analytic" in message and "numerical" in message
    # the two values shown are the analytic 3x and the numerical 2x (times gradcheck's
    # weight for that element, if it weighs the outputs): their ratio is 3/2
    numbers = [float(v) for v in re.findall(r"-?\d+\.\d+(?:e[-+]?\d+)?", message)]
    assert any(
        n != 0 and a / n == pytest.approx(1.5, rel=1e-5) and abs(n) > 1.0
        for a in numbers
        for n in numbers
    )
    assert "atol=1e-05" in message and "rtol=0.001" in message
    assert "np.float64" not in message  # plain numbers, readable by a student
    assert isinstance(info.value, RuntimeError)  # (as PyTorch's GradcheckError)


def test_gradcheck_finds_the_wrong_input_among_several(device):
    x = on([1.0, 2.0], device)
    y = on([3.0, -4.0], device)
    assert mg.gradcheck(lambda a, b: SlightlyOffMul.apply(a, b, 1e-6), [x, y]) is True
    with pytest.raises(mg.GradcheckError, match="input 1"):
        mg.gradcheck(lambda a, b: SlightlyOffMul.apply(a, b, 1e-2), [x, y])
    with pytest.raises(mg.GradcheckError, match="input 1"):
        mg.gradcheck(lambda a, b: SlightlyOffMul.apply(a, b, 1e-2), [x, y], rtol=1e-3)
    assert mg.gradcheck(lambda a, b: SlightlyOffMul.apply(a, b, 1e-2), [x, y], rtol=2e-2)


def test_gradcheck_wants_float64_and_something_to_check(device):
    with pytest.raises(TypeError, match="float64"):
        mg.gradcheck(lambda t: t * 2, [mg.ones(2, device=device, requires_grad=True)])
    with pytest.raises(ValueError, match="requires grad"):
        mg.gradcheck(lambda t: t * 2, [mg.ones(2, dtype=mg.float64, device=device)])


def test_the_custom_functions_work_in_a_graph(device):
    x = on([1.0, 2.0], device)
    y = BadSquare.apply(x * 2)
    assert y.grad_fn is not None and y.grad_fn.name() == "BadSquareBackward"
    y.sum().backward()
    np.testing.assert_allclose(host(x.grad), [12.0, 24.0])  # 3·(2x)·2, the bad rule


def test_gradcheck_has_pytorchs_place_and_keywords(device):
    from minigrad.autograd import GradcheckError, gradcheck, gradgradcheck

    assert gradcheck is mg.gradcheck and gradgradcheck is mg.gradgradcheck
    assert issubclass(GradcheckError, RuntimeError)
    x = on([1.0, 2.0], device)
    y = on([3.0, -4.0], device)
    off = lambda a, b: SlightlyOffMul.apply(a, b, 1e-2)  # noqa: E731
    assert gradcheck(off, (x, y), raise_exception=False) is False
    assert gradcheck(off, (x, y), nondet_tol=0.1, fast_mode=True) is True  # 1e-2·|x| ≤ 0.1
    assert gradgradcheck(lambda a: a * a * a, (x,), raise_exception=False) is True
