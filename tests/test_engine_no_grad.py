"""Grad mode: no_grad() / enable_grad() / set_grad_enabled() / is_grad_enabled()."""

from __future__ import annotations

import gc
import weakref

import pytest
from engine_helpers import assert_close, on

import minigrad as mg


def test_no_grad_records_no_graph(device):
    x = on([1.0, 2.0], device)
    assert mg.is_grad_enabled()
    with mg.no_grad():
        assert not mg.is_grad_enabled()
        y = (x * 2).exp().sum()
        z = x[0] + x.mean()
    assert mg.is_grad_enabled()
    for t in (y, z):
        assert not t.requires_grad and t.grad_fn is None and t.is_leaf
    with pytest.raises(RuntimeError, match="does not require grad"):
        y.backward()
    assert x.grad is None
    w = (x * 2).sum()  # recording is back on afterwards
    assert w.requires_grad and w.grad_fn is not None


def test_no_grad_keeps_no_intermediates_alive(device):
    x = on([1.0, 2.0], device)
    with mg.no_grad():
        h = x.exp()
        h_ref = weakref.ref(h)
        out = (h * 2).sum()
        del h
    gc.collect()
    assert h_ref() is None  # nothing saved for a backward that cannot happen
    assert out.item() == pytest.approx(2 * (2.718281828459045 + 7.38905609893065))


def test_no_grad_as_a_decorator(device):
    x = on([1.0, 2.0], device)

    @mg.no_grad()
    def predict(t):
        assert not mg.is_grad_enabled()
        return t * 2

    y = predict(x)
    assert not y.requires_grad
    assert predict.__name__ == "predict"
    assert mg.is_grad_enabled()
    assert (x * 2).requires_grad


def test_enable_grad_inside_no_grad(device):
    x = on([1.0, 2.0], device)
    with mg.no_grad():
        with mg.enable_grad():
            assert mg.is_grad_enabled()
            y = (x * x).sum()
        assert not mg.is_grad_enabled()
        z = x * 3
    y.backward()
    assert_close(x.grad, [2.0, 4.0])
    assert not z.requires_grad

    @mg.enable_grad()
    def recorded(t):
        return t * 2

    with mg.no_grad():
        assert recorded(x).requires_grad


def test_grad_mode_is_restored_after_an_exception():
    with pytest.raises(ValueError, match="boom"):
        with mg.no_grad():
            raise ValueError("boom")
    assert mg.is_grad_enabled()

    @mg.no_grad()
    def fails():
        raise KeyError("inner")

    with pytest.raises(KeyError):
        fails()
    assert mg.is_grad_enabled()


def test_nested_no_grad_and_set_grad_enabled():
    with mg.no_grad():
        with mg.no_grad():
            assert not mg.is_grad_enabled()
        assert not mg.is_grad_enabled()
        with mg.set_grad_enabled(True):
            assert mg.is_grad_enabled()
        assert not mg.is_grad_enabled()
    assert mg.is_grad_enabled()
    with mg.set_grad_enabled(False):
        assert not mg.is_grad_enabled()
    assert mg.is_grad_enabled()


def test_a_no_grad_decorated_function_is_reentrant(device):
    x = on([1.0], device)

    @mg.no_grad()
    def countdown(t, n):
        if n == 0:
            return t
        assert not mg.is_grad_enabled()
        return countdown(t * 2, n - 1)

    assert countdown(x, 3).item() == 8.0
    assert mg.is_grad_enabled()


def test_manual_parameter_update_needs_no_grad(device):
    w = on([1.0, 2.0], device)
    (w * w).sum().backward()
    with pytest.raises(RuntimeError, match="no_grad"):
        w -= 0.1 * w.grad  # in place on a leaf that requires grad, while recording
    assert_close(w, [1.0, 2.0])  # refused before touching the data
    with mg.no_grad():
        w -= 0.1 * w.grad
    assert_close(w, [0.8, 1.6])
    assert w.is_leaf and w.requires_grad and w.grad_fn is None
