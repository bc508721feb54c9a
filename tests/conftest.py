"""Test configuration: every device-aware test runs on ``cpu`` and on ``cuda``.

``cuda`` is CuPy on a real GPU when ``MINIGRAD_TEST_CUDA=cupy`` (and one works);
otherwise it is the strict NumPy-backed device backend (``minigrad._strict``),
which refuses implicit host/device conversion exactly where CuPy does.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

import minigrad
from minigrad import backend

settings.register_profile(
    "default", deadline=None, max_examples=40, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "thorough", deadline=None, max_examples=300, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

CUDA_BACKEND = os.environ.get("MINIGRAD_TEST_CUDA", "strict")
if CUDA_BACKEND == "cupy":
    if not minigrad.cuda.is_available():
        raise pytest.UsageError(
            f"MINIGRAD_TEST_CUDA=cupy but no GPU works: {minigrad.cuda.unavailable_reason()}"
        )
elif CUDA_BACKEND == "strict":
    backend.use_strict_cuda()
else:
    raise pytest.UsageError(f"MINIGRAD_TEST_CUDA must be 'strict' or 'cupy', not {CUDA_BACKEND!r}")


def pytest_report_header(config: pytest.Config) -> str:
    return f"minigrad cuda test backend: {CUDA_BACKEND}"


@pytest.fixture(params=["cpu", "cuda"])
def device(request: pytest.FixtureRequest) -> str:
    """The device a test runs on: ``cpu`` (NumPy) and ``cuda`` (strict backend or CuPy)."""
    return request.param


@pytest.fixture(params=["float32", "float64"])
def default_dtype(request: pytest.FixtureRequest) -> Iterator[Any]:
    """Run the test under each default dtype (float32, float64); yields it."""
    saved = minigrad.get_default_dtype()
    minigrad.set_default_dtype(getattr(minigrad, request.param))
    yield minigrad.get_default_dtype()
    minigrad.set_default_dtype(saved)


@pytest.fixture(autouse=True)
def _seeded() -> None:
    """Every test starts from the same random state."""
    minigrad.manual_seed(0)
