"""``set_float32_matmul_precision``, ``backends.cuda.matmul.allow_tf32`` and
``get_rng_state``/``set_rng_state``."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad


@pytest.fixture(autouse=True)
def _restore_precision():
    yield
    minigrad.set_float32_matmul_precision("highest")


def test_matmul_precision_is_recorded_and_validated():
    assert minigrad.get_float32_matmul_precision() == "highest"
    for precision in ("high", "medium", "highest"):
        minigrad.set_float32_matmul_precision(precision)
        assert minigrad.get_float32_matmul_precision() == precision
    minigrad.set_float32_matmul_precision("medium")
    with pytest.warns(UserWarning, match="not one of 'highest', 'high', or 'medium'"):
        minigrad.set_float32_matmul_precision("HIGH")
    assert minigrad.get_float32_matmul_precision() == "medium"  # unchanged
    with pytest.raises(RuntimeError, match="expects a str"):
        minigrad.set_float32_matmul_precision(3)


def test_matmul_precision_changes_no_result():
    a, b = minigrad.randn(30, 40), minigrad.randn(40, 20)
    exact = (a @ b).numpy()
    minigrad.set_float32_matmul_precision("medium")
    np.testing.assert_array_equal((a @ b).numpy(), exact)


def test_allow_tf32_is_the_precision_seen_another_way():
    matmul = minigrad.backends.cuda.matmul
    assert matmul.allow_tf32 is False
    minigrad.set_float32_matmul_precision("medium")
    assert matmul.allow_tf32 is True
    matmul.allow_tf32 = False
    assert minigrad.get_float32_matmul_precision() == "highest"
    matmul.allow_tf32 = True
    assert minigrad.get_float32_matmul_precision() == "high"


def test_precision_and_tf32_follow_torch():
    torch = pytest.importorskip("torch")
    before = torch.get_float32_matmul_precision()
    try:
        for precision in ("high", "medium", "highest"):
            torch.set_float32_matmul_precision(precision)
            minigrad.set_float32_matmul_precision(precision)
            assert minigrad.backends.cuda.matmul.allow_tf32 == torch.backends.cuda.matmul.allow_tf32
    finally:
        torch.set_float32_matmul_precision(before)


def test_rng_state_round_trips_the_cpu_stream():
    minigrad.manual_seed(7)
    minigrad.rand(3)  # a stream part-way through
    state = minigrad.get_rng_state()
    assert state.dtype == minigrad.uint8 and state.ndim == 1
    first = [minigrad.rand(5).numpy(), minigrad.randn(2, 3).numpy(), minigrad.randperm(9).numpy()]
    minigrad.manual_seed(123)  # elsewhere entirely
    minigrad.set_rng_state(state)
    again = [minigrad.rand(5).numpy(), minigrad.randn(2, 3).numpy(), minigrad.randperm(9).numpy()]
    for x, y in zip(first, again, strict=True):
        np.testing.assert_array_equal(x, y)
    assert minigrad.initial_seed() == 123  # the state restores the stream, not the seed


def test_rng_state_is_a_copy_and_matches_a_generator_layout():
    minigrad.manual_seed(1)
    state = minigrad.get_rng_state()
    minigrad.rand(4)
    assert not np.array_equal(state.numpy(), minigrad.get_rng_state().numpy())
    g = minigrad.Generator().manual_seed(5)
    minigrad.set_rng_state(g.get_state())  # the same layout as Generator.get_state
    np.testing.assert_array_equal(minigrad.rand(4).numpy(), minigrad.rand(4, generator=g).numpy())


def test_rng_state_round_trip_through_numpy_state():
    """Oracle without minigrad's draws: the state tensor holds NumPy's PCG64 state."""
    minigrad.manual_seed(11)
    state = minigrad.get_rng_state()
    raw = bytes(state.numpy())
    pcg = np.random.PCG64(11)
    assert int.from_bytes(raw[8:24], "little") == pcg.state["state"]["state"]
    assert int.from_bytes(raw[24:40], "little") == pcg.state["state"]["inc"]


def test_set_rng_state_errors_follow_torch():
    with pytest.raises(TypeError, match="uint8"):
        minigrad.set_rng_state(minigrad.zeros(45))
    with pytest.raises(TypeError):
        minigrad.set_rng_state([1, 2])
    with pytest.raises(RuntimeError, match="bytes"):
        minigrad.set_rng_state(minigrad.zeros(3, dtype=minigrad.uint8))
    torch = pytest.importorskip("torch")
    with pytest.raises(TypeError):
        torch.set_rng_state(torch.zeros(3))
    with pytest.raises(RuntimeError):
        torch.set_rng_state(torch.zeros(3, dtype=torch.uint8))
