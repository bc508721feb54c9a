"""Automatic mixed precision: ``minigrad.autocast`` and ``minigrad.amp.GradScaler``.

On the strict ``cuda`` stand-in of the test suite ``minigrad.cuda.is_available()`` is
True (conftest registers it as the cuda backend), so ``autocast('cuda')`` is enabled
there and follows the CUDA op lists; the "no GPU" warnings are tested by patching
``minigrad.cuda.is_available`` to return False.
"""

from __future__ import annotations

import pickle
import threading
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad
import minigrad.nn.functional as F
from minigrad import nn

f16, f32, f64 = minigrad.float16, minigrad.float32, minigrad.float64


def autocast(device: str, **kwargs: object) -> minigrad.autocast:
    return minigrad.autocast(device_type=device, dtype=f16, **kwargs)  # type: ignore[arg-type]


def rand(*shape: int, device: str = "cpu", dtype: object = f32, grad: bool = False):
    x = minigrad.rand(*shape, device=device).to(dtype)
    return x.requires_grad_() if grad else x


# ----------------------------------------------------------------------------- op dtypes
def _a(d):
    return rand(4, 4, device=d)


def _idx(d):
    return minigrad.tensor([0, 1, 2, 3], device=d)


# name: (function of (x, device), its dtype for a float16 x on cuda, on cpu); x is 4x4 in (0, 1)
OPS = {
    "matmul": (lambda x, d: x @ _a(d), f16, f16),
    "mm": (lambda x, d: x.mm(_a(d)), f16, f16),
    "bmm": (lambda x, d: x[None].bmm(_a(d)[None]), f16, f16),
    "mv": (lambda x, d: x.mv(x[0]), f16, f16),
    "addmm": (lambda x, d: _a(d).addmm(x, _a(d)), f16, f16),
    "baddbmm": (lambda x, d: _a(d)[None].baddbmm(x[None], _a(d)[None]), f16, f16),
    "einsum": (lambda x, d: minigrad.einsum("ij,jk->ik", x, _a(d)), f16, f16),
    "linear": (lambda x, d: F.linear(x, _a(d), _a(d)[0]), f16, f16),
    "conv1d": (lambda x, d: F.conv1d(x[None], _a(d)[:, :, None]), f16, f16),
    "conv2d": (lambda x, d: F.conv2d(x[None, None], _a(d)[None, None]), f16, f16),
    "conv_transpose2d": (
        lambda x, d: F.conv_transpose2d(x[None, None], _a(d)[None, None]),
        f16,
        f16,
    ),
    "sdpa": (lambda x, d: F.scaled_dot_product_attention(x[None], x[None], _a(d)[None]), f16, f16),
    "softmax": (lambda x, d: F.softmax(x, -1), f32, f16),
    "log_softmax": (lambda x, d: F.log_softmax(x, -1), f32, f16),
    "cross_entropy": (lambda x, d: F.cross_entropy(x, _idx(d)), f32, f32),
    "nll_loss": (lambda x, d: F.nll_loss(x, _idx(d)), f32, f32),
    "mse_loss": (lambda x, d: F.mse_loss(x, _a(d)), f32, f32),
    "l1_loss": (lambda x, d: F.l1_loss(x, _a(d)), f32, f32),
    "smooth_l1_loss": (lambda x, d: F.smooth_l1_loss(x, _a(d)), f32, f32),
    "bce_with_logits": (lambda x, d: F.binary_cross_entropy_with_logits(x, _a(d)), f32, f32),
    "layer_norm": (lambda x, d: F.layer_norm(x, (4,)), f32, f16),
    "group_norm": (lambda x, d: F.group_norm(x, 2), f32, f16),
    "exp": (lambda x, d: x.exp(), f32, f16),
    "log": (lambda x, d: minigrad.log(x), f32, f16),
    "pow": (lambda x, d: x**2, f32, f16),
    "sum": (lambda x, d: x.sum(), f32, f16),
    "prod": (lambda x, d: x.prod(), f32, f32),
    "cumsum": (lambda x, d: x.cumsum(0), f32, f16),
    "norm": (lambda x, d: x.norm(), f32, f16),
    "relu": (lambda x, d: F.relu(x), f16, f16),  # on no list: the input's dtype
    "add": (lambda x, d: x + x, f16, f16),
}
LOWER = {"matmul", "mm", "bmm", "addmm", "baddbmm", "einsum", "linear", "sdpa"}
LOWER |= {"conv1d", "conv2d", "conv_transpose2d"}


@pytest.mark.parametrize("name", sorted(OPS))
def test_op_dtypes_inside_and_outside_autocast(device: str, name: str) -> None:
    fn, cuda_dtype, cpu_dtype = OPS[name]
    expected = cuda_dtype if device == "cuda" else cpu_dtype
    x16, x32 = rand(4, 4, device=device, dtype=f16), rand(4, 4, device=device)
    with autocast(device):
        out16 = fn(x16, device)
        lower = name in LOWER or (name == "mv" and device == "cuda")  # not on PyTorch's CPU list
        out32 = fn(x32, device) if lower else None
    assert out16.dtype == expected
    if out32 is not None:  # float32 inputs are cast down too
        assert out32.dtype == f16
    assert fn(x32, device).dtype == f32  # outside: no casting
    assert not minigrad.is_autocast_enabled(device)


@pytest.mark.parametrize("name", sorted(n for n in OPS if n not in ("relu", "add")))
def test_cpu_policy_matches_torch(name: str) -> None:
    """The CPU dtypes are those of torch.autocast('cpu', dtype=torch.float16)."""
    torch = pytest.importorskip("torch")
    tF = torch.nn.functional
    t = torch.rand(4, 4, dtype=torch.float16)
    a = torch.rand(4, 4)
    idx = torch.tensor([0, 1, 2, 3])
    torch_ops = {
        "matmul": lambda x: x @ a,
        "mm": lambda x: x.mm(a),
        "bmm": lambda x: x[None].bmm(a[None]),
        "mv": lambda x: x.mv(x[0]),
        "addmm": lambda x: a.addmm(x, a),
        "baddbmm": lambda x: a[None].baddbmm(x[None], a[None]),
        "einsum": lambda x: torch.einsum("ij,jk->ik", x, a),
        "linear": lambda x: tF.linear(x, a, a[0]),
        "conv1d": lambda x: tF.conv1d(x[None], a[:, :, None]),
        "conv2d": lambda x: tF.conv2d(x[None, None], a[None, None]),
        "conv_transpose2d": lambda x: tF.conv_transpose2d(x[None, None], a[None, None]),
        "sdpa": lambda x: tF.scaled_dot_product_attention(x[None], x[None], a[None]),
        "softmax": lambda x: tF.softmax(x, -1),
        "log_softmax": lambda x: tF.log_softmax(x, -1),
        "cross_entropy": lambda x: tF.cross_entropy(x, idx),
        "nll_loss": lambda x: tF.nll_loss(x, idx),
        "mse_loss": lambda x: tF.mse_loss(x, a),
        "l1_loss": lambda x: tF.l1_loss(x, a),
        "smooth_l1_loss": lambda x: tF.smooth_l1_loss(x, a),
        "bce_with_logits": lambda x: tF.binary_cross_entropy_with_logits(x, a),
        "layer_norm": lambda x: tF.layer_norm(x, (4,)),
        "group_norm": lambda x: tF.group_norm(x, 2),
        "exp": lambda x: x.exp(),
        "log": lambda x: torch.log(x),
        "pow": lambda x: x**2,
        "sum": lambda x: x.sum(),
        "prod": lambda x: x.prod(),
        "cumsum": lambda x: x.cumsum(0),
        "norm": lambda x: x.norm(),
    }
    with torch.autocast("cpu", dtype=torch.float16):
        torch_dtype = str(torch_ops[name](t).dtype).removeprefix("torch.")
    assert str(OPS[name][2]) == torch_dtype


def test_float64_is_not_cast(device: str) -> None:
    x = rand(3, 3, device=device, dtype=f64)
    with autocast(device):
        assert (x @ x).dtype == f64
        assert F.linear(x, x).dtype == f64
        with pytest.raises(RuntimeError, match="same dtype"):
            rand(3, 3, device=device) @ x  # float32 -> float16, float64 stays: PyTorch raises


def test_explicit_dtype_is_respected(device: str) -> None:
    x = rand(3, 3, device=device, dtype=f16)
    with autocast(device):
        assert x.sum(dtype=f16).dtype == f16
        assert F.softmax(x, -1, dtype=f16).dtype == f16


def test_binary_cross_entropy_is_banned_on_cuda(device: str) -> None:
    p = rand(4, device=device)
    with autocast(device):
        if device == "cuda":
            with pytest.raises(RuntimeError, match="unsafe to autocast"):
                F.binary_cross_entropy(p, p)
        else:  # PyTorch's CPU autocast runs it in float32
            assert F.binary_cross_entropy(p.half(), p).dtype == f32


def test_other_device_type_is_not_cast() -> None:
    x = rand(3, 3, device="cuda")
    with autocast("cpu"):
        assert (x @ x).dtype == f32
    with autocast("cuda"):
        assert (rand(3, 3) @ rand(3, 3)).dtype == f32


# ----------------------------------------------------------------------------- gradients
def test_float32_parameters_get_float32_gradients(device: str) -> None:
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3)).to(device)
    x, y = rand(5, 4, device=device), minigrad.tensor([0, 1, 2, 0, 1], device=device)
    with autocast(device):
        hidden = model[0](x)
        logits = model(x)
        loss = F.cross_entropy(logits, y)
    assert hidden.dtype == f16 and logits.dtype == f16 and loss.dtype == f32
    loss.backward()
    for p in model.parameters():
        assert p.dtype == f32 and p.grad is not None and p.grad.dtype == f32
    # the same gradients (to float16 precision) as without autocast
    ref = [p.grad.cpu().numpy().copy() for p in model.parameters()]
    model.zero_grad()
    F.cross_entropy(model(x), y).backward()
    for g, p in zip(ref, model.parameters(), strict=True):
        np.testing.assert_allclose(g, p.grad.cpu().numpy(), rtol=2e-2, atol=2e-3)


def test_cast_cache(device: str) -> None:
    from minigrad.amp.state import state

    w = rand(3, 3, device=device, grad=True)
    x = rand(3, 3, device=device)
    with autocast(device):
        (x @ w).float().sum().backward()  # two backward passes in one block
        (x @ w).float().sum().backward()
        with minigrad.no_grad():  # without a graph the cast of w is made once
            x @ w
            x @ w
            assert len(state.cache) == 1
    expected = 2 * (x.T @ minigrad.ones(3, 3, device=device))
    np.testing.assert_allclose(w.grad.cpu().numpy(), expected.cpu().numpy(), rtol=1e-2)
    assert state.cache == {}  # emptied at the end of the outermost block


# ----------------------------------------------------------------------------- the mode
def test_nesting_and_restore() -> None:
    assert not minigrad.is_autocast_enabled("cpu")
    with autocast("cpu"):
        assert minigrad.is_autocast_enabled("cpu")
        with minigrad.autocast("cpu", enabled=False):
            assert not minigrad.is_autocast_enabled("cpu")
            assert (rand(2, 2) @ rand(2, 2)).dtype == f32
        assert minigrad.is_autocast_enabled("cpu")
        assert (rand(2, 2) @ rand(2, 2)).dtype == f16
    assert not minigrad.is_autocast_enabled("cpu")
    assert minigrad.get_autocast_dtype("cuda") == f16 == minigrad.get_autocast_gpu_dtype()


def test_decorator_and_exception_restore() -> None:
    @autocast("cpu")
    def forward(a: minigrad.Tensor) -> minigrad.Tensor:
        assert minigrad.is_autocast_enabled("cpu")
        return a @ a

    assert forward(rand(2, 2)).dtype == f16
    assert forward(rand(2, 2)).dtype == f16  # the same object again
    with pytest.raises(ValueError), autocast("cpu"):
        raise ValueError
    assert not minigrad.is_autocast_enabled("cpu")


def test_autocast_is_thread_local() -> None:
    seen: list[bool] = []
    inside = threading.Event()
    done = threading.Event()

    def other() -> None:
        inside.wait()
        seen.append(minigrad.is_autocast_enabled("cpu"))
        seen.append((rand(2, 2) @ rand(2, 2)).dtype == f32)
        done.set()

    thread = threading.Thread(target=other)
    thread.start()
    with autocast("cpu"):
        inside.set()
        done.wait(10)
    thread.join()
    assert seen == [False, True]


def test_disabled_autocasts_warn(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.warns(UserWarning, match="bfloat16.*dtype=minigrad.float16"):
        ctx = minigrad.autocast("cpu")
    with ctx:
        assert not minigrad.is_autocast_enabled("cpu")
    with pytest.warns(UserWarning, match="not supported"):
        ctx = minigrad.autocast("cuda", dtype=f64)
    with ctx:
        assert not minigrad.is_autocast_enabled("cuda")
    monkeypatch.setattr(minigrad.cuda, "is_available", lambda: False)
    with pytest.warns(UserWarning, match="CUDA is not available. Disabling"):
        ctx = minigrad.autocast("cuda")
    with ctx:
        assert not minigrad.is_autocast_enabled("cuda")
    with pytest.raises(RuntimeError, match="device_type"):
        minigrad.autocast("tpu")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        minigrad.autocast("cuda", enabled=False)  # disabled: no warning


def test_deprecated_aliases_warn(monkeypatch: pytest.MonkeyPatch) -> None:
    import minigrad.cpu.amp
    import minigrad.cuda.amp

    with pytest.warns(FutureWarning, match="minigrad.amp.autocast\\('cuda'"):
        ctx = minigrad.cuda.amp.autocast()
    with ctx:
        assert minigrad.is_autocast_enabled("cuda")
    with pytest.warns(FutureWarning, match="minigrad.amp.autocast\\('cpu'"):
        minigrad.cpu.amp.autocast(dtype=f16)
    with pytest.warns(FutureWarning, match="GradScaler\\('cuda'"):
        assert minigrad.cuda.amp.GradScaler().is_enabled()
    monkeypatch.setattr(minigrad.cuda, "is_available", lambda: False)
    with pytest.warns(UserWarning, match="CUDA is not available.  Disabling"):
        scaler = minigrad.amp.GradScaler("cuda")
    assert not scaler.is_enabled()


# ----------------------------------------------------------------------------- matmul dtypes
@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda a, b: a @ b, "expected m1 and m2 to have the same dtype, but got: float != double"),
        (
            lambda a, b: a.mm(b),
            "expected m1 and m2 to have the same dtype, but got: float != double",
        ),
        (lambda a, b: a[None].bmm(b[None]), "expected scalar type Float but found Double"),
        (lambda a, b: a.mv(b[0]), "same dtype"),
        (
            lambda a, b: a[0].dot(b[0]),
            "dot : expected both vectors to have same dtype, but found Float and Double",
        ),
        (lambda a, b: a.addmm(a, b), "same dtype"),
    ],
)
def test_mixed_dtype_matrix_products_raise(device: str, call, message: str) -> None:
    a, b = rand(3, 3, device=device), rand(3, 3, device=device, dtype=f64)
    with pytest.raises(RuntimeError, match=message):
        call(a, b)
    with pytest.raises(RuntimeError, match="same dtype"):
        a.half() @ a


def test_mixed_dtype_matmul_is_cast_inside_autocast(device: str) -> None:
    a, b = rand(3, 3, device=device), rand(3, 3, device=device, dtype=f16)
    with autocast(device):
        assert (a @ b).dtype == f16
        assert a.mm(b).dtype == f16
    if device == "cuda":  # dot is a "promote" op of PyTorch's CUDA list
        with autocast(device):
            assert a[0].dot(b[0]).dtype == f32


# ----------------------------------------------------------------------------- GradScaler
def _torch_scaler_run(torch, grads_per_step, **kwargs):
    p = torch.nn.Parameter(torch.zeros(2))
    opt = torch.optim.SGD([p], lr=0.1)
    scaler = torch.amp.GradScaler("cpu", **kwargs)
    scales, params = [], []
    for g in grads_per_step:
        loss = scaler.scale((p * torch.tensor(g)).sum())
        loss.backward()
        scaler.step(opt)
        scaler.update()
        opt.zero_grad()
        scales.append(scaler.get_scale())
        params.append(p.detach().numpy().copy())
    return scales, params, scaler.state_dict()


def _minigrad_scaler_run(grads_per_step, device="cpu", **kwargs):
    p = nn.Parameter(minigrad.zeros(2, device=device))
    opt = minigrad.optim.SGD([p], lr=0.1)
    scaler = minigrad.amp.GradScaler(device, **kwargs)
    scales, params = [], []
    for g in grads_per_step:
        loss = scaler.scale((p * minigrad.tensor(g, device=device)).sum())
        loss.backward()
        scaler.step(opt)
        scaler.update()
        opt.zero_grad()
        scales.append(scaler.get_scale())
        params.append(p.detach().cpu().numpy().copy())
    return scales, params, scaler.state_dict()


grad_values = st.sampled_from([1.0, -0.5, 3.0, float("inf"), float("nan"), 1e30])


@pytest.mark.filterwarnings("ignore:.*encountered:RuntimeWarning")  # inf/NaN losses
@given(
    steps=st.lists(st.tuples(grad_values, grad_values), min_size=1, max_size=12),
    growth_interval=st.integers(1, 4),
    init_scale=st.sampled_from([1.0, 2.0**16, 2.0**127]),
)
def test_grad_scaler_matches_torch(steps, growth_interval, init_scale) -> None:
    torch = pytest.importorskip("torch")
    kwargs = {"growth_interval": growth_interval, "init_scale": init_scale}
    t_scales, t_params, t_state = _torch_scaler_run(torch, steps, **kwargs)
    m_scales, m_params, m_state = _minigrad_scaler_run(steps, **kwargs)
    assert m_scales == t_scales
    assert m_state == t_state
    np.testing.assert_allclose(np.array(m_params), np.array(t_params), rtol=1e-6)


def test_grad_scaler_rules(device: str) -> None:
    inf = float("inf")
    scales, params, state = _minigrad_scaler_run(
        [(1.0, 1.0), (inf, 1.0), (1.0, 2.0), (1.0, 1.0), (1.0, 1.0)],
        device=device,
        init_scale=8.0,
        growth_interval=2,
    )
    assert scales == [8.0, 4.0, 4.0, 8.0, 8.0]  # backoff on inf, growth after 2 clean steps
    np.testing.assert_allclose(params[1], params[0])  # the inf step was skipped
    assert state == {
        "scale": 8.0,
        "growth_factor": 2.0,
        "backoff_factor": 0.5,
        "growth_interval": 2,
        "_growth_tracker": 1,
    }


def test_grad_scaler_unscale_and_errors(device: str) -> None:
    p = nn.Parameter(minigrad.ones(3, device=device))
    opt = minigrad.optim.SGD([p], lr=1.0)
    scaler = minigrad.amp.GradScaler(device, init_scale=4.0)
    with pytest.raises(RuntimeError, match="_scale is None"):
        scaler.unscale_(opt)
    scaler.scale(p.sum()).backward()
    assert p.grad.tolist() == [4.0, 4.0, 4.0]
    scaler.unscale_(opt)
    assert p.grad.tolist() == [1.0, 1.0, 1.0]
    with pytest.raises(RuntimeError, match="already been called"):
        scaler.unscale_(opt)
    assert scaler.step(opt) is None  # SGD.step returns None; not unscaled twice
    assert p.tolist() == [0.0, 0.0, 0.0]
    with pytest.raises(RuntimeError, match="step\\(\\) has already been called"):
        scaler.step(opt)
    scaler.update(16.0)
    assert scaler.get_scale() == 16.0
    scaler.update(minigrad.tensor([2.0], device=device))
    assert scaler.get_scale() == 2.0
    nested = scaler.scale([p.sum(), (p.sum(), p.sum() * 2)])
    assert isinstance(nested, list) and isinstance(nested[1], tuple)
    assert nested[1][1].item() == 0.0


def test_grad_scaler_refuses_fp16_gradients() -> None:
    p = nn.Parameter(minigrad.ones(2, dtype=f16))
    opt = minigrad.optim.SGD([p], lr=1.0)
    scaler = minigrad.amp.GradScaler("cpu", init_scale=4.0)
    scaler.scale(p.sum()).backward()
    with pytest.raises(ValueError, match="FP16 gradients"):
        scaler.unscale_(opt)


def test_disabled_grad_scaler_passes_through() -> None:
    p = nn.Parameter(minigrad.ones(2))
    opt = minigrad.optim.SGD([p], lr=1.0)
    scaler = minigrad.amp.GradScaler("cpu", enabled=False)
    loss = p.sum()
    assert scaler.scale(loss) is loss
    loss.backward()
    scaler.unscale_(opt)
    scaler.step(opt)
    scaler.update()
    assert p.tolist() == [0.0, 0.0]
    assert scaler.get_scale() == 1.0 and scaler.state_dict() == {} and not scaler.is_enabled()


def test_grad_scaler_state_dict_round_trip() -> None:
    scaler = minigrad.amp.GradScaler("cpu", init_scale=2.0**10, growth_interval=3)
    _ = scaler.scale(minigrad.ones(1))
    scaler.set_growth_factor(3.0)
    scaler.set_backoff_factor(0.25)
    state = scaler.state_dict()
    assert set(state) == {
        "scale",
        "growth_factor",
        "backoff_factor",
        "growth_interval",
        "_growth_tracker",
    }
    other = minigrad.amp.GradScaler("cpu")
    other.load_state_dict(state)
    assert other.state_dict() == state
    assert other.get_growth_factor() == 3.0 and other.get_backoff_factor() == 0.25
    assert other.get_growth_interval() == 3
    assert pickle.loads(pickle.dumps(scaler)).state_dict() == state
    with pytest.raises(RuntimeError, match="empty"):
        other.load_state_dict({})


# ----------------------------------------------------------------------------- training
def _train(device: str, use_amp: bool) -> tuple[float, list[float]]:
    minigrad.manual_seed(0)
    model = nn.Sequential(nn.Linear(6, 16), nn.Tanh(), nn.Linear(16, 1)).to(device)
    opt = minigrad.optim.SGD(model.parameters(), lr=0.05)
    scaler = minigrad.amp.GradScaler(device, enabled=use_amp, init_scale=2.0**16)
    x = minigrad.randn(64, 6, device=device)
    y = (x[:, :1] * 0.5 - x[:, 1:2]).detach()
    losses = []
    for _ in range(60):
        with minigrad.autocast(device_type=device, dtype=f16, enabled=use_amp):
            out = model(x)
            loss = F.mse_loss(out, y)
        assert out.dtype == (f16 if use_amp else f32) and loss.dtype == f32
        scaler.scale(loss).backward()
        scaler.unscale_(opt)
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        scaler.step(opt)
        scaler.update()
        opt.zero_grad()
        losses.append(loss.item())
    return scaler.get_scale(), losses


def test_mixed_precision_training_matches_float32(device: str) -> None:
    scale, amp_losses = _train(device, True)
    _, ref_losses = _train(device, False)
    assert scale == 2.0**16  # no overflow in 60 steps (growth_interval 2000)
    assert amp_losses[-1] < 0.5 * amp_losses[0]
    np.testing.assert_allclose(amp_losses, ref_losses, rtol=5e-2, atol=5e-3)


# ----------------------------------------------------------------------------- custom_fwd
def test_custom_fwd_and_bwd(device: str) -> None:
    class Square(minigrad.autograd.Function):
        @staticmethod
        @minigrad.amp.custom_fwd(device_type=device, cast_inputs=f32)
        def forward(ctx, x):
            assert x.dtype == f32 and not minigrad.is_autocast_enabled(device)
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        @minigrad.amp.custom_bwd(device_type=device)
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return 2 * x * grad

    x = rand(3, device=device, dtype=f16, grad=True)
    with autocast(device):
        y = Square.apply(x)
    assert y.dtype == f32
    y.sum().backward()
    assert x.grad is not None and x.grad.dtype == f16
