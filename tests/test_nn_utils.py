"""minigrad.nn.utils: gradient clipping and parameters as one vector, as torch.nn.utils."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad
from minigrad import nn
from minigrad.backend import to_host

SHAPES = [(3, 2), (4,), (1,), (2, 1, 3)]


def params_with_grads(device: str, grads: list[np.ndarray] | None = None) -> list[minigrad.Tensor]:
    rng = np.random.default_rng(0)
    params = [minigrad.zeros(*s, device=device, requires_grad=True) for s in SHAPES]
    for p, g in zip(params, grads or [rng.standard_normal(s) for s in SHAPES], strict=True):
        p.grad = minigrad.tensor(np.asarray(g, dtype=np.float32), device=device)
    return params


def host(t: minigrad.Tensor) -> np.ndarray:
    return np.array(to_host(t.detach()._array), copy=True)


def flat_grads(params: list[minigrad.Tensor]) -> np.ndarray:
    return np.concatenate([host(p.grad).ravel() for p in params]).astype(np.float64)


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, 0.5, math.inf, "inf", 0.0])
@pytest.mark.parametrize("max_norm", [0.5, 1e6])
def test_clip_grad_norm(norm_type: Any, max_norm: float, device: str) -> None:
    params = params_with_grads(device)
    before = flat_grads(params)
    order = float(norm_type)
    if order == math.inf:
        want = np.abs(before).max()
    elif order == 0:  # the norm of the per-gradient norms: how many gradients are not all 0
        want = sum(np.count_nonzero(host(p.grad)) > 0 for p in params)
    else:
        want = (np.abs(before) ** order).sum() ** (1 / order)
    total = nn.utils.clip_grad_norm_(params, max_norm, norm_type=norm_type)
    assert isinstance(total, minigrad.Tensor) and total.shape == () and not total.requires_grad
    assert total.dtype == minigrad.float32 and total.device == params[0].device
    np.testing.assert_allclose(total.item(), want, rtol=1e-5)
    scale = min(1.0, max_norm / (want + 1e-6))
    np.testing.assert_allclose(flat_grads(params), before * scale, rtol=1e-5)


@given(max_norm=st.floats(1e-3, 10.0), scale=st.floats(1e-3, 100.0))
def test_clipped_gradients_have_at_most_the_max_norm(max_norm: float, scale: float) -> None:
    params = params_with_grads("cpu")
    for p in params:
        p.grad.mul_(scale)
    nn.utils.clip_grad_norm_(params, max_norm)
    assert np.linalg.norm(flat_grads(params)) <= max_norm * (1 + 1e-5)


def test_clip_grad_norm_skips_missing_gradients_and_takes_one_tensor() -> None:
    params = params_with_grads("cpu")
    params[1].grad = None
    want = np.linalg.norm(flat_grads([params[0], *params[2:]]))
    total = nn.utils.clip_grad_norm_(iter(params), 1.0)
    np.testing.assert_allclose(total.item(), want, rtol=1e-5)
    assert params[1].grad is None
    single = params_with_grads("cpu")[0]
    np.testing.assert_allclose(
        nn.utils.clip_grad_norm_(single, 100.0).item(), np.linalg.norm(host(single.grad)), rtol=1e-6
    )
    assert nn.utils.clip_grad_norm_([minigrad.zeros(2, requires_grad=True)], 1.0).item() == 0.0


@pytest.mark.filterwarnings("ignore:invalid value encountered")  # inf · 0, as in PyTorch
@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_clip_grad_norm_with_a_nonfinite_norm(bad: float) -> None:
    params = params_with_grads("cpu")
    params[0].grad[0, 0] = bad
    kept = flat_grads(params)
    with pytest.raises(RuntimeError, match="non-finite, so it cannot be clipped"):
        nn.utils.clip_grad_norm_(params, 1.0, error_if_nonfinite=True)
    np.testing.assert_array_equal(flat_grads(params), kept)  # nothing scaled
    total = nn.utils.clip_grad_norm_(params, 1.0)  # PyTorch scales by it anyway
    assert not math.isfinite(total.item())


def test_clip_grad_value(device: str) -> None:
    params = params_with_grads(device)
    before = flat_grads(params)
    assert nn.utils.clip_grad_value_(params, 0.5) is None
    np.testing.assert_allclose(flat_grads(params), np.clip(before, -0.5, 0.5), rtol=1e-6)


def test_parameters_to_vector_and_back(device: str) -> None:
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2)).to(device)
    params = list(model.parameters())
    aliases = [p.detach() for p in params]
    vec = nn.utils.parameters_to_vector(model.parameters())
    assert vec.shape == (sum(p.numel() for p in params),)
    np.testing.assert_array_equal(host(vec), np.concatenate([host(p).ravel() for p in params]))
    vec.sum().backward()  # differentiable: every parameter gets a gradient of ones
    for p in params:
        np.testing.assert_array_equal(host(p.grad), np.ones(p.shape))

    new = minigrad.arange(vec.numel(), dtype=minigrad.float32, device=device)
    nn.utils.vector_to_parameters(new, model.parameters())
    offset = 0
    for p, alias in zip(params, aliases, strict=True):
        want = np.arange(offset, offset + p.numel(), dtype=np.float32).reshape(p.shape)
        np.testing.assert_array_equal(host(p), want)
        np.testing.assert_array_equal(host(alias), want)  # written in the parameter's memory
        offset += p.numel()


def test_vector_to_parameters_errors() -> None:
    params = [minigrad.zeros(3, requires_grad=True)]
    with pytest.raises(TypeError, match="expected minigrad.Tensor"):
        nn.utils.vector_to_parameters(np.zeros(3), params)
    with pytest.raises(ValueError, match="vec has 4 elements but the parameters have 3"):
        nn.utils.vector_to_parameters(minigrad.zeros(4), params)
    with pytest.raises(TypeError, match="different devices"):
        nn.utils.parameters_to_vector([minigrad.zeros(2), minigrad.zeros(2, device="cuda")])


def test_clip_grad_norm_matches_pytorch() -> None:
    torch = pytest.importorskip("torch")
    for norm_type in (2.0, 1.0, math.inf, 3.0, 0.0):
        ours = params_with_grads("cpu")
        theirs = [torch.zeros(p.shape, requires_grad=True) for p in ours]
        for p, q in zip(ours, theirs, strict=True):
            q.grad = torch.from_numpy(host(p.grad))
        got = nn.utils.clip_grad_norm_(ours, 0.7, norm_type)
        want = torch.nn.utils.clip_grad_norm_(theirs, 0.7, norm_type)
        np.testing.assert_allclose(got.item(), want.item(), rtol=1e-6)
        for p, q in zip(ours, theirs, strict=True):
            np.testing.assert_allclose(host(p.grad), q.grad.numpy(), rtol=1e-6)
