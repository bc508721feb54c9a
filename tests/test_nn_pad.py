"""F.pad (constant, reflect, replicate, circular; negative widths crop) and the padding layers."""

from __future__ import annotations

import numpy as np
import pytest
from engine_helpers import check_op, given_settings
from hypothesis import given
from hypothesis import strategies as st

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn

NUMPY_MODES = {
    "constant": "constant",
    "reflect": "reflect",
    "replicate": "edge",
    "circular": "wrap",
}


def numpy_pad(x: np.ndarray, pad: tuple[int, ...], mode: str, value: float = 0.0) -> np.ndarray:
    """F.pad in NumPy: crop the negative widths, then np.pad the positive ones."""
    k = len(pad) // 2
    pairs = [(pad[2 * i], pad[2 * i + 1]) for i in reversed(range(k))]
    lead = x.ndim - k
    crop = tuple(slice(None) for _ in range(lead)) + tuple(
        slice(max(-b, 0), n - max(-a, 0)) for n, (b, a) in zip(x.shape[lead:], pairs, strict=True)
    )
    widths = [(0, 0)] * lead + [(max(b, 0), max(a, 0)) for b, a in pairs]
    if mode == "constant":
        return np.pad(x[crop], widths, mode="constant", constant_values=value)
    # Non-constant modes pad the input before cropping (their values come from the full input).
    padded = np.pad(x, [(0, 0)] * lead + [(max(b, 0), max(a, 0)) for b, a in pairs],
                    mode=NUMPY_MODES[mode])  # fmt: skip
    crop = tuple(slice(None) for _ in range(lead)) + tuple(
        slice(max(-b, 0), padded.shape[lead + i] - max(-a, 0)) for i, (b, a) in enumerate(pairs)
    )
    return padded[crop]


@st.composite
def pad_cases(draw: st.DrawFn) -> tuple:
    mode = draw(st.sampled_from(list(NUMPY_MODES)))
    k = draw(st.integers(1, 3))
    lead = draw(st.integers(1, 2)) if mode != "constant" else draw(st.integers(0, 2))
    min_side = 0 if mode == "constant" else 1
    shape = tuple(draw(st.lists(st.integers(min_side, 3), min_size=lead + k, max_size=lead + k)))
    pad: list[int] = []
    for n in reversed(shape[lead:]):
        if mode == "constant":
            low = -(n // 2)  # both sides together crop at most n
            pair = (draw(st.integers(low, 2)), draw(st.integers(low, 2)))
        elif mode == "reflect":
            pair = (draw(st.integers(0, n - 1)), draw(st.integers(0, n - 1)))
        else:
            top = n if mode == "circular" else 3
            pair = (draw(st.integers(0, top)), draw(st.integers(0, top)))
        pad.extend(pair)
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    value = draw(st.sampled_from([0.0, 1.5])) if mode == "constant" else 0.0
    return rng.normal(size=shape), tuple(pad), mode, value


@given_settings
@given(case=pad_cases())
def test_pad_matches_numpy_and_gradchecks(device, case):
    x, pad, mode, value = case
    fn = lambda x: F.pad(x, pad, mode, value if mode == "constant" else None)  # noqa: E731
    check_op(fn, lambda x: numpy_pad(x, pad, mode, value), [x], device)


def test_negative_padding_crops(device):
    x = mg.arange(12.0, device=device).reshape(3, 4)
    assert F.pad(x, (-1, -2)).tolist() == [[1.0], [5.0], [9.0]]
    assert F.pad(x, (1, -1, -1, 0), value=7).tolist() == [
        [7.0, 4.0, 5.0, 6.0],
        [7.0, 8.0, 9.0, 10.0],
    ]
    reflected = F.pad(x.reshape(1, 3, 4), (2, -1), mode="reflect")
    assert reflected.tolist() == [[[2.0, 1.0, 0.0, 1.0, 2.0], [6.0, 5.0, 4.0, 5.0, 6.0],
                                   [10.0, 9.0, 8.0, 9.0, 10.0]]]  # fmt: skip


def test_padding_layers(device):
    x = mg.arange(1.0, 5.0, device=device).reshape(1, 1, 2, 2)
    assert nn.ZeroPad2d((1, 0, 0, 1))(x).tolist() == [[[[0, 1, 2], [0, 3, 4], [0, 0, 0]]]]
    assert nn.ConstantPad1d(1, 9.0)(x[0, 0]).tolist() == [[9, 1, 2, 9], [9, 3, 4, 9]]
    assert nn.ReplicationPad2d(1)(x).shape == (1, 1, 4, 4)
    assert nn.ReflectionPad1d((1, 1))(x[0]).tolist() == [[[2, 1, 2, 1], [4, 3, 4, 3]]]
    assert nn.CircularPad1d((2, 0))(x[0]).tolist() == [[[1, 2, 1, 2], [3, 4, 3, 4]]]
    assert nn.ConstantPad3d(1, 0.5)(x).shape == (1, 3, 4, 4)
    assert repr(nn.ZeroPad2d((1, 2, 3, 4))) == "ZeroPad2d((1, 2, 3, 4))"
    assert repr(nn.ReflectionPad2d(2)) == "ReflectionPad2d((2, 2, 2, 2))"
    assert repr(nn.ConstantPad1d(2, 3.5)) == "ConstantPad1d(padding=(2, 2), value=3.5)"
    with pytest.raises(
        ValueError, match=r"ReflectionPad2d: padding must be an int or a tuple of 4"
    ):
        nn.ReflectionPad2d((1, 2))


def test_pad_errors():
    x = mg.randn(1, 1, 4, 4)
    with pytest.raises(RuntimeError, match="divisible by 2"):
        F.pad(x, (1, 2, 3))
    with pytest.raises(NotImplementedError, match="Unrecognised padding mode foo"):
        F.pad(x, (1, 1), mode="foo")
    with pytest.raises(NotImplementedError, match="Padding size 2 is not supported for 4D input"):
        F.pad(x, (1, 1), mode="reflect")
    with pytest.raises(RuntimeError, match=r"should be less than the corresponding input dim"):
        F.pad(x, (4, 0, 0, 0), mode="reflect")
    with pytest.raises(RuntimeError, match="wrapping around more than once"):
        F.pad(x, (5, 0, 0, 0), mode="circular")
    with pytest.raises(RuntimeError, match="negative output size"):
        F.pad(x, (-3, -2))
    with pytest.raises(RuntimeError, match="less than or equal to two times the input dim"):
        F.pad(mg.randn(3), (1, 1, 1, 1))


def test_pad_matches_pytorch():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).normal(size=(2, 3, 4, 5))
    for mode, pad in [("constant", (1, -2, 0, 3)), ("reflect", (3, 1, 2, 0)),
                      ("replicate", (4, 0, 1, 5)), ("circular", (5, 2, 4, 1))]:  # fmt: skip
        xm, xt = mg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        ym, yt = F.pad(xm, pad, mode), torch.nn.functional.pad(xt, pad, mode)
        np.testing.assert_array_equal(ym.detach().numpy(), yt.detach().numpy())
        g = np.random.default_rng(1).normal(size=yt.shape)
        (ym * mg.tensor(g)).sum().backward()
        (yt * torch.tensor(g)).sum().backward()
        np.testing.assert_allclose(xm.grad.numpy(), xt.grad.numpy(), rtol=1e-12)
