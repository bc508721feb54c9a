"""Convolution: unfold/fold (im2col/col2im), conv1d/conv2d and the Conv layers.

Values are checked against a direct loop over the definition (the sum over each
receptive field, no im2col), first and second derivatives against central
differences in float64 (``check_op``), on cpu and the strict cuda stand-in.
PyTorch, when installed, is an extra oracle for layouts, 'same' padding, the
padding modes and ``state_dict`` loading.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from engine_helpers import assert_close, check_op, given_settings, host, on
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn
from minigrad.ops.conv import Workspace

# each example runs gradcheck and gradgradcheck
FEW = settings(given_settings, max_examples=12)


# ----------------------------------------------------------------------------- references
def conv2d_reference(x, w, b, stride, padding, dilation, groups):
    """By direct loops over the output positions: y[n, o, p, q] = b[o] +
    Σ_{c, i, j} w[o, c, i, j] · xpad[n, g·Cg + c, p·sh + i·dh, q·sw + j·dw]."""
    (sh, sw), (ph, pw), (dh, dw) = stride, padding, dilation
    xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    n, c_in, h, width = xpad.shape
    c_out, c_group, kh, kw = w.shape
    oh = (h - dh * (kh - 1) - 1) // sh + 1
    ow = (width - dw * (kw - 1) - 1) // sw + 1
    y = np.zeros((n, c_out, oh, ow))
    per_group = c_out // groups
    for o in range(c_out):
        g = o // per_group
        for p in range(oh):
            for q in range(ow):
                patch = xpad[
                    :,
                    g * c_group : (g + 1) * c_group,
                    p * sh : p * sh + dh * (kh - 1) + 1 : dh,
                    q * sw : q * sw + dw * (kw - 1) + 1 : dw,
                ]
                y[:, o, p, q] = (patch * w[o]).sum(axis=(1, 2, 3))
    return y if b is None else y + b[None, :, None, None]


def unfold_reference(x, kernel, dilation, padding, stride):
    """Column (oh, ow) holds the receptive field of output (oh, ow), channel-major."""
    (kh, kw), (dh, dw), (ph, pw), (sh, sw) = kernel, dilation, padding, stride
    xpad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    n, c, h, w = xpad.shape
    oh = (h - dh * (kh - 1) - 1) // sh + 1
    ow = (w - dw * (kw - 1) - 1) // sw + 1
    cols = np.zeros((n, c * kh * kw, oh * ow))
    for p in range(oh):
        for q in range(ow):
            patch = xpad[
                :,
                :,
                p * sh : p * sh + dh * (kh - 1) + 1 : dh,
                q * sw : q * sw + dw * (kw - 1) + 1 : dw,
            ]
            cols[:, :, p * ow + q] = patch.reshape(n, -1)
    return cols


def pairs(low: int, high: int) -> st.SearchStrategy[tuple[int, int]]:
    return st.tuples(st.integers(low, high), st.integers(low, high))


@st.composite
def conv_cases(draw):
    """Small conv2d problems over kernel, stride, padding, dilation and groups."""
    groups = draw(st.sampled_from([1, 2]))
    c_in = groups * draw(st.integers(1, 2))
    c_out = groups * draw(st.integers(1, 2))
    kernel, stride, padding, dilation = (
        draw(pairs(1, 3)),
        draw(pairs(1, 2)),
        draw(pairs(0, 1)),
        draw(pairs(1, 2)),
    )
    size = [
        dilation[a] * (kernel[a] - 1) + 1 - 2 * padding[a] + draw(st.integers(0, 2)) for a in (0, 1)
    ]
    size = [max(s, 1) for s in size]
    n = draw(st.integers(1, 2))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    x = rng.standard_normal((n, c_in, *size))
    w = rng.standard_normal((c_out, c_in // groups, *kernel))
    b = rng.standard_normal(c_out)
    return x, w, b, dict(stride=stride, padding=padding, dilation=dilation, groups=groups)


# ----------------------------------------------------------------------------- conv2d
@FEW
@given(case=conv_cases())
def test_conv2d_values_and_gradients(device: str, case) -> None:
    x, w, b, kw = case

    def ref(x, w, b):
        return conv2d_reference(x, w, b, kw["stride"], kw["padding"], kw["dilation"], kw["groups"])

    check_op(lambda x, w, b: F.conv2d(x, w, b, **kw), ref, [x, w, b], device)


def test_conv2d_without_bias_and_unbatched(device: str) -> None:
    rng = np.random.default_rng(1)
    x, w = rng.standard_normal((3, 5, 4)), rng.standard_normal((2, 3, 2, 3))
    ref = lambda x, w: conv2d_reference(x[None], w, None, (1, 1), (0, 0), (1, 1), 1)[0]  # noqa: E731
    check_op(lambda x, w: F.conv2d(x, w), ref, [x, w], device)


def test_conv2d_depthwise(device: str) -> None:
    rng = np.random.default_rng(2)
    x, w, b = (
        rng.standard_normal((2, 3, 5, 5)),
        rng.standard_normal((6, 1, 3, 3)),
        rng.standard_normal(6),
    )
    ref = lambda x, w, b: conv2d_reference(x, w, b, (2, 2), (1, 1), (1, 1), 3)  # noqa: E731
    check_op(
        lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1, groups=3), ref, [x, w, b], device
    )


@pytest.mark.parametrize("kernel,dilation", [((3, 2), (1, 1)), ((2, 3), (2, 1)), ((1, 1), (1, 1))])
def test_conv2d_same_padding_keeps_the_size(device: str, kernel, dilation) -> None:
    rng = np.random.default_rng(3)
    x, w = rng.standard_normal((1, 2, 5, 6)), rng.standard_normal((3, 2, *kernel))
    total = [d * (k - 1) for k, d in zip(kernel, dilation, strict=True)]
    xpad = np.pad(
        x,
        (
            (0, 0),
            (0, 0),
            (total[0] // 2, total[0] - total[0] // 2),
            (total[1] // 2, total[1] - total[1] // 2),
        ),
    )
    expected = conv2d_reference(xpad, w, None, (1, 1), (0, 0), dilation, 1)
    y = F.conv2d(on(x, device), on(w, device), padding="same", dilation=dilation)
    assert tuple(y.shape) == (1, 3, 5, 6)
    assert_close(y, expected)
    assert (
        tuple(F.conv2d(on(x, device), on(w, device), padding="valid").shape)
        == conv2d_reference(x, w, None, (1, 1), (0, 0), (1, 1), 1).shape
    )


def test_conv1d_values_and_gradients(device: str) -> None:
    rng = np.random.default_rng(4)
    x, w, b = rng.standard_normal((2, 4, 9)), rng.standard_normal((6, 2, 3)), rng.standard_normal(6)

    def ref(x, w, b):
        return conv2d_reference(x[:, :, None], w[:, :, None], b, (1, 2), (0, 1), (1, 2), 2)[:, :, 0]

    check_op(
        lambda x, w, b: F.conv1d(x, w, b, stride=2, padding=1, dilation=2, groups=2),
        ref,
        [x, w, b],
        device,
    )


def test_conv_float32_stays_float32(device: str) -> None:
    x = mg.randn(2, 1, 6, 6, device=device)
    conv = nn.Conv2d(1, 4, 3).to(device)
    y = conv(x)
    assert y.dtype == mg.float32 and y.device == device and tuple(y.shape) == (2, 4, 4, 4)
    y.sum().backward()
    assert conv.weight.grad.dtype == mg.float32 and conv.weight.grad.shape == (4, 1, 3, 3)


# ----------------------------------------------------------------------------- unfold / fold
@FEW
@given(
    kernel=pairs(1, 3),
    dilation=pairs(1, 2),
    padding=pairs(0, 1),
    stride=pairs(1, 2),
    extra=pairs(0, 2),
)
def test_unfold_values_and_gradients(device: str, kernel, dilation, padding, stride, extra) -> None:
    size = [max(1, dilation[a] * (kernel[a] - 1) + 1 - 2 * padding[a] + extra[a]) for a in (0, 1)]
    x = np.random.default_rng(5).standard_normal((2, 2, *size))
    check_op(
        lambda x: F.unfold(x, kernel, dilation, padding, stride),
        lambda x: unfold_reference(x, kernel, dilation, padding, stride),
        [x],
        device,
    )


@FEW
@given(
    kernel=pairs(1, 3),
    dilation=pairs(1, 2),
    padding=pairs(0, 1),
    stride=pairs(1, 2),
    extra=pairs(0, 2),
)
def test_fold_is_the_adjoint_of_unfold(
    device: str, kernel, dilation, padding, stride, extra
) -> None:
    """⟨unfold(x), c⟩ = ⟨x, fold(c)⟩ for all x, c: col2im is im2col's transpose."""
    size = tuple(
        max(1, dilation[a] * (kernel[a] - 1) + 1 - 2 * padding[a] + extra[a]) for a in (0, 1)
    )
    rng = np.random.default_rng(6)
    x = rng.standard_normal((2, 3, *size))
    cols = unfold_reference(x, kernel, dilation, padding, stride)
    c = rng.standard_normal(cols.shape)
    folded = F.fold(on(c, device), size, kernel, dilation, padding, stride)
    assert tuple(folded.shape) == x.shape
    np.testing.assert_allclose((cols * c).sum(), (x * host(folded)).sum(), rtol=1e-10)
    check_op(
        lambda c: F.fold(c, size, kernel, dilation, padding, stride),
        lambda c: _fold_by_adjoint(c, x.shape, kernel, dilation, padding, stride),
        [c],
        device,
    )


def _fold_by_adjoint(c, shape, kernel, dilation, padding, stride):
    """fold(c) as the transpose of the im2col matrix applied to c (built column by column)."""
    size = math.prod(shape)
    basis = np.eye(size).reshape(size, *shape)
    matrix = np.stack(
        [unfold_reference(e, kernel, dilation, padding, stride).ravel() for e in basis], axis=1
    )
    return (matrix.T @ c.ravel()).reshape(shape)


def test_unfold_and_fold_modules_and_unbatched(device: str) -> None:
    x = on(np.arange(2 * 4 * 4, dtype=float).reshape(2, 4, 4), device)
    cols = nn.Unfold(kernel_size=2, stride=2)(x)
    assert tuple(cols.shape) == (8, 4)
    back = nn.Fold(output_size=(4, 4), kernel_size=2, stride=2)(cols)
    assert_close(back, host(x))  # non-overlapping blocks: fold undoes unfold


def test_unfold_errors() -> None:
    with pytest.raises(RuntimeError, match="Kernel size can't be greater"):
        F.unfold(mg.zeros(1, 1, 2, 2), 3)
    with pytest.raises(RuntimeError, match="expected 3D .* or 4D"):
        F.unfold(mg.zeros(2, 2), 1)
    with pytest.raises(RuntimeError, match=r"fold: expected an input of shape"):
        F.fold(mg.zeros(1, 4, 5), (3, 3), 2)
    with pytest.raises(ValueError, match="stride must be at least 1"):
        F.unfold(mg.zeros(1, 1, 3, 3), 2, stride=0)


# ----------------------------------------------------------------------------- layers
def test_conv2d_layer_init_matches_pytorch_bounds() -> None:
    mg.manual_seed(0)
    conv = nn.Conv2d(3, 8, (5, 3), groups=1)
    fan_in = 3 * 5 * 3
    assert conv.weight.shape == (8, 3, 5, 3) and conv.bias.shape == (8,)
    bound = 1 / math.sqrt(fan_in)  # kaiming_uniform(a=√5) = U(±1/√fan_in)
    w, b = conv.weight.detach().numpy(), conv.bias.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.8 * bound
    assert np.abs(b).max() <= bound
    depthwise = nn.Conv2d(4, 8, 3, groups=4, bias=False)
    assert depthwise.weight.shape == (8, 1, 3, 3) and depthwise.bias is None
    assert set(dict(depthwise.named_parameters())) == {"weight"}


def test_conv_layer_attributes_and_repr() -> None:
    conv = nn.Conv2d(1, 30, 5)
    assert conv.kernel_size == (5, 5) and conv.stride == (1, 1) and conv.padding == (0, 0)
    assert conv.dilation == (1, 1) and conv.groups == 1 and conv.padding_mode == "zeros"
    assert repr(conv) == "Conv2d(1, 30, kernel_size=(5, 5), stride=(1, 1))"
    conv1 = nn.Conv1d(2, 4, 3, padding="same", bias=False, padding_mode="circular")
    assert repr(conv1) == (
        "Conv1d(2, 4, kernel_size=(3,), stride=(1,), padding=same, bias=False, "
        "padding_mode=circular)"
    )


def test_conv_layer_errors_name_the_layer_and_shapes() -> None:
    conv = nn.Conv2d(1, 30, 5)
    with pytest.raises(
        RuntimeError,
        match=r"Conv2d\(1, 30.*expected input\(2, 3, 28, 28\) to have 1 channels, but got 3",
    ):
        conv(mg.zeros(2, 3, 28, 28))
    with pytest.raises(
        RuntimeError,
        match=r"Conv2d\(1, 30.*padded input size per channel: \(4 x 28\)\. Kernel size: \(5 x 5\)",
    ):
        conv(mg.zeros(2, 1, 4, 28))
    with pytest.raises(RuntimeError, match=r"expected 3D \(unbatched\) or 4D \(batched\) input"):
        conv(mg.zeros(28, 28))
    with pytest.raises(ValueError, match="in_channels .* divisible by groups"):
        nn.Conv2d(3, 6, 3, groups=2)
    with pytest.raises(ValueError, match="padding='same' is not supported for strided"):
        nn.Conv2d(1, 1, 3, stride=2, padding="same")
    with pytest.raises(ValueError, match="padding_mode must be one of"):
        nn.Conv2d(1, 1, 3, padding_mode="mirror")
    with pytest.raises(RuntimeError, match="same dtype and device"):
        F.conv2d(mg.zeros(1, 1, 3, 3, dtype=mg.float64), mg.zeros(1, 1, 2, 2))


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
def test_padding_modes_values_and_gradients(device: str, mode: str) -> None:
    rng = np.random.default_rng(7)
    x = rng.standard_normal((1, 2, 4, 5))
    conv = nn.Conv2d(2, 3, (3, 2), padding=(2, 1), padding_mode=mode).double().to(device)
    w, b = host(conv.weight), host(conv.bias)
    numpy_mode = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}[mode]
    expected = conv2d_reference(
        np.pad(x, ((0, 0), (0, 0), (2, 2), (1, 1)), mode=numpy_mode),
        w,
        b,
        (1, 1),
        (0, 0),
        (1, 1),
        1,
    )
    xt = on(x, device)
    assert_close(conv(xt), expected)
    assert mg.gradcheck(lambda x: conv(x), (xt,))


def test_reflect_padding_too_large() -> None:
    conv = nn.Conv2d(1, 1, 3, padding=3, padding_mode="reflect")
    with pytest.raises(ValueError, match="padding_mode='reflect'.*too large"):
        conv(mg.zeros(1, 1, 3, 3))


def test_conv_trains_a_step(device: str) -> None:
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Flatten(), nn.Linear(8, 2)).to(device)
    x = mg.randn(4, 1, 4, 4, device=device)
    y = mg.tensor([0, 1, 1, 0], device=device)
    opt = mg.optim.SGD(model.parameters(), lr=0.1)
    losses = []
    for _ in range(5):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0]


# ----------------------------------------------------------------------------- workspace
def test_workspace_never_hands_out_an_array_in_use() -> None:
    ws = Workspace()
    a = ws.empty(np, (1 << 18,), np.float32)  # 1 MiB: pooled
    first, view = id(a), a[:10]
    del a
    b = ws.empty(np, (1 << 18,), np.float32)
    assert not np.shares_memory(b, view)  # the view still refers to the first array
    del view
    c = ws.empty(np, (1 << 18,), np.float32)
    assert id(c) == first and not np.shares_memory(c, b)  # free again: reused
    small = ws.empty(np, (4,), np.float32)
    assert small.shape == (4,)


def test_conv_outputs_do_not_alias_across_calls() -> None:
    """Results kept by the caller survive later convolutions (the workspace skips them)."""
    conv = nn.Conv2d(1, 30, 5)
    x1, x2 = mg.randn(100, 1, 28, 28), mg.randn(100, 1, 28, 28)
    with mg.no_grad():
        y1 = conv(x1)
        kept = y1.numpy().copy()
        conv(x2)
        conv(x2)
    np.testing.assert_array_equal(y1.numpy(), kept)


# ----------------------------------------------------------------------------- PyTorch
def test_against_pytorch_layers_and_state_dict() -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(8)
    cases = [
        dict(
            in_channels=4,
            out_channels=6,
            kernel_size=(3, 2),
            stride=(2, 1),
            padding=1,
            dilation=(1, 2),
            groups=2,
        ),
        dict(
            in_channels=3,
            out_channels=3,
            kernel_size=3,
            padding="same",
            groups=3,
            padding_mode="reflect",
        ),
        dict(
            in_channels=2,
            out_channels=4,
            kernel_size=2,
            padding=1,
            padding_mode="circular",
            bias=False,
        ),
    ]
    for kw in cases:
        reference = torch.nn.Conv2d(**kw).double()
        ours = nn.Conv2d(**kw).double()
        ours.load_state_dict(
            {k: mg.tensor(v.detach().numpy()) for k, v in reference.state_dict().items()}
        )
        x = rng.standard_normal((2, kw["in_channels"], 6, 5))
        xt, xm = torch.tensor(x, requires_grad=True), mg.tensor(x, requires_grad=True)
        yt, ym = reference(xt), ours(xm)
        np.testing.assert_allclose(ym.detach().numpy(), yt.detach().numpy(), rtol=1e-10, atol=1e-12)
        g = rng.standard_normal(yt.shape)
        yt.backward(torch.tensor(g))
        ym.backward(mg.tensor(g))
        np.testing.assert_allclose(xm.grad.numpy(), xt.grad.numpy(), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(
            ours.weight.grad.numpy(), reference.weight.grad.numpy(), rtol=1e-10, atol=1e-12
        )
    x = rng.standard_normal((2, 3, 7, 6))
    for kw in [dict(kernel_size=(2, 3), dilation=(1, 2), padding=1, stride=2), dict(kernel_size=3)]:
        np.testing.assert_allclose(
            F.unfold(mg.tensor(x), **kw).numpy(),
            torch.nn.functional.unfold(torch.tensor(x), **kw).numpy(),
        )
    c = rng.standard_normal((2, 3 * 4, 12))
    np.testing.assert_allclose(
        F.fold(mg.tensor(c), (5, 7), 2, padding=1, stride=2).numpy(),
        torch.nn.functional.fold(torch.tensor(c), (5, 7), 2, padding=1, stride=2).numpy(),
    )


def test_node_names_are_pytorch_s() -> None:
    x = mg.randn(1, 1, 4, 4, requires_grad=True)
    assert F.unfold(x, 2).grad_fn.name() == "Im2ColBackward0"
    assert F.fold(F.unfold(x, 2), (4, 4), 2).grad_fn.name() == "Col2ImBackward0"
    assert F.max_pool2d(x, 2).grad_fn.name() == "MaxPool2DWithIndicesBackward0"
    assert F.adaptive_max_pool2d(x, 2).grad_fn.name() == "AdaptiveMaxPool2DBackward0"


def test_empty_batch(device: str) -> None:
    """A batch of 0 images goes through convolution and pooling, forward and backward."""
    x = mg.randn(0, 2, 6, 6, device=device, requires_grad=True)
    y = nn.Conv2d(2, 3, 3).to(device)(x)
    assert tuple(y.shape) == (0, 3, 4, 4)
    pooled = [F.max_pool2d(y, 2), F.avg_pool2d(y, 2), F.adaptive_max_pool2d(y, 2)]
    assert all(tuple(p.shape) == (0, 3, 2, 2) for p in pooled)
    sum(p.sum() for p in pooled).backward()
    assert tuple(x.grad.shape) == (0, 2, 6, 6)
    assert tuple(F.fold(F.unfold(x, 2), (6, 6), 2).shape) == (0, 2, 6, 6)
