"""``optim.LBFGS``, ``optim.Rprop`` and ``optim.ASGD`` against PyTorch, step by step.

The shared tables (``test_optim_optimizers.py``, ``test_optim_flat.py``, ...) check Rprop
and ASGD against NumPy references of PyTorch's documented algorithms; here they and
L-BFGS run next to ``torch.optim`` itself (an optional import) on small problems whose
gradients come from each library's autograd, in float64: the losses, parameters and
states must agree to ~1e-6 at every step. L-BFGS is also checked on its own: the
closure protocol, its one parameter group, its errors, its state dict, its writes.
"""

from __future__ import annotations

import pathlib
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import minigrad
from minigrad import nn, optim
from minigrad.backend import to_host
from minigrad.optim import lbfgs
from minigrad.serialization import load, save

LBFGS_STATE = {
    "func_evals",
    "n_iter",
    "d",
    "t",
    "old_dirs",
    "old_stps",
    "ro",
    "H_diag",
    "prev_flat_grad",
    "prev_loss",
    "al",
}


@pytest.fixture
def torch64() -> Any:
    """torch, and minigrad, with float64 as their default dtype: the dtype of the state numbers
    that both show as 0-d tensors (ASGD's ``eta`` and ``mu`` would be float32 otherwise)."""
    torch = pytest.importorskip("torch")
    default, ours = torch.get_default_dtype(), minigrad.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    minigrad.set_default_dtype(minigrad.float64)
    yield torch
    torch.set_default_dtype(default)
    minigrad.set_default_dtype(ours)


def host(x: Any) -> np.ndarray:
    if isinstance(x, minigrad.Tensor):
        x = x.detach()._array
    return np.array(to_host(x), copy=True)


def as_numpy(x: Any) -> Any:
    """A state entry of either library as NumPy arrays / floats (lists element by element)."""
    if isinstance(x, list):
        return [as_numpy(v) for v in x]
    if isinstance(x, minigrad.Tensor):
        return host(x)
    if hasattr(x, "detach"):  # a torch tensor
        return x.detach().numpy()
    return x


def assert_close(got: Any, want: Any, tol: float = 1e-6, what: str = "") -> None:
    got, want = as_numpy(got), as_numpy(want)
    if isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want), what
        for g, w in zip(got, want, strict=True):
            assert_close(g, w, tol, what)
    elif want is None:
        assert got is None, what
    else:
        np.testing.assert_allclose(got, want, rtol=tol, atol=tol, err_msg=what)


# ------------------------------------------------------------------ problems
def rosenbrock(x: Any, y: Any) -> Any:
    """f(x, y) = (1 − x)² + 100 (y − x²)², minimum 0 at (1, 1); works on either library."""
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def regression_data(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((32, 3))
    y = x @ np.array([[1.5], [-2.0], [0.5]]) + 0.3 + 0.01 * rng.standard_normal((32, 1))
    return x, y


def twin_linear(torch: Any, seed: int = 0) -> tuple[nn.Linear, Any]:
    """A minigrad ``nn.Linear(3, 1)`` in float64 and a torch one with the same weights."""
    minigrad.manual_seed(seed)
    ours = nn.Linear(3, 1).to(dtype=minigrad.float64)
    theirs = torch.nn.Linear(3, 1)
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(host(ours.weight)))
        theirs.bias.copy_(torch.tensor(host(ours.bias)))
    return ours, theirs


def closure_for(opt: Any, loss_fn: Callable[[], Any], calls: list[int] | None = None) -> Callable:
    """PyTorch's pattern (examples/time_sequence_prediction): clear, loss, backward, return."""

    def closure() -> Any:
        if calls is not None:
            calls.append(1)
        opt.zero_grad()
        loss = loss_fn()
        loss.backward()
        return loss

    return closure


# ------------------------------------------------------------------ Rprop and ASGD
ELEMENTWISE = {
    "Rprop": ("Rprop", {"lr": 0.05}, ("prev", "step_size")),
    "Rprop-bounded-maximize": (
        "Rprop",
        {"lr": 0.05, "etas": (0.3, 1.7), "step_sizes": (1e-3, 0.2), "maximize": True},
        ("prev", "step_size"),
    ),
    "ASGD": ("ASGD", {"lr": 0.05, "t0": 4, "lambd": 0.05}, ("eta", "mu", "ax")),
    "ASGD-decay-maximize": (
        "ASGD",
        {"lr": 0.02, "alpha": 0.5, "weight_decay": 0.1, "maximize": True, "t0": 0},
        ("eta", "mu", "ax"),
    ),
}


@pytest.mark.parametrize("name", list(ELEMENTWISE))
def test_elementwise_optimizers_train_a_linear_model_as_pytorch(name: str, torch64: Any) -> None:
    torch = torch64
    cls_name, kwargs, state_names = ELEMENTWISE[name]
    x, y = regression_data()
    ours, theirs = twin_linear(torch)
    opt = getattr(optim, cls_name)(ours.parameters(), **kwargs)
    ref = getattr(torch.optim, cls_name)(theirs.parameters(), **kwargs)
    xm, ym = minigrad.tensor(x), minigrad.tensor(y)
    xt, yt = torch.tensor(x), torch.tensor(y)
    sign = -1 if kwargs.get("maximize") else 1
    for _ in range(15):
        for o, loss_fn in (
            (opt, lambda: sign * ((ours(xm) - ym) ** 2).mean()),
            (ref, lambda: sign * ((theirs(xt) - yt) ** 2).mean()),
        ):
            o.zero_grad()
            loss_fn().backward()
            o.step()
        for p, q in zip(ours.parameters(), theirs.parameters(), strict=True):
            assert_close(p, q, 1e-10)
            for key in state_names:
                value, want = opt.state[p][key], ref.state[q][key]
                assert isinstance(value, minigrad.Tensor), key  # numbers too, as PyTorch's
                assert (tuple(value.shape), str(value.dtype).split(".")[-1]) == (
                    tuple(want.shape),
                    str(want.dtype).split(".")[-1],
                ), key
                assert_close(value, want, 1e-10, key)
            step = opt.state[p]["step"]
            assert isinstance(step, minigrad.Tensor) and step.shape == ()
            assert float(step) == float(ref.state[q]["step"])
    assert opt.state_dict()["state"][0].keys() == ref.state_dict()["state"][0].keys()


def test_rprop_ignores_the_gradients_size_and_pauses_after_a_sign_flip() -> None:
    p = minigrad.tensor([0.0, 0.0, 0.0], dtype=minigrad.float64, requires_grad=True)
    opt = optim.Rprop([p], lr=0.1, etas=(0.5, 2.0), step_sizes=(0.01, 0.3))
    moves = []
    for g in ([1e-8, -5.0, 3.0], [2.0, 1.0, 3.0], [7.0, 1.0, 3.0], [-1.0, 1.0, 0.0]):
        before = host(p)
        p.grad = minigrad.tensor(g, dtype=minigrad.float64)
        opt.step()
        moves.append(before - host(p))
    np.testing.assert_allclose(moves[0], [0.1, -0.1, 0.1])  # σ = lr, the sign only
    np.testing.assert_allclose(moves[1], [0.2, 0.0, 0.2])  # same sign: ×2; flipped: pause
    np.testing.assert_allclose(moves[2], [0.3, 0.05, 0.3])  # clamped at 0.3; σ·0.5 after a flip
    np.testing.assert_allclose(moves[3], [0.0, 0.1, 0.0])  # flip: pause; g = 0: no move
    np.testing.assert_allclose(host(opt.state[p]["step_size"]), [0.15, 0.1, 0.3])
    np.testing.assert_allclose(host(opt.state[p]["prev"]), [0.0, 1.0, 0.0])


def test_asgd_averages_the_iterates_after_t0() -> None:
    p = minigrad.tensor([4.0], dtype=minigrad.float64, requires_grad=True)
    opt = optim.ASGD([p], lr=0.1, lambd=0.0, t0=2)
    iterates = []
    for _ in range(6):
        p.grad = 2 * p.detach()  # f = θ²
        opt.step()
        iterates.append(host(p)[0])
    # μ = 1 up to step t0 + 2 (ā = θ), then ā averages the iterates since that step
    np.testing.assert_allclose(host(opt.state[p]["ax"]), [np.mean(iterates[3:])], rtol=1e-12)
    assert opt.state[p].raw("eta") == 0.1 and opt.state[p].raw("mu") == 1 / 4  # the numbers
    eta, mu = opt.state[p]["eta"], opt.state[p]["mu"]  # shown as 0-d float64 tensors
    assert isinstance(eta, minigrad.Tensor) and eta.shape == () and eta.dtype == minigrad.float64
    assert float(eta) == 0.1 and float(mu) == 1 / 4


def test_asgd_state_numbers_survive_save_and_load(tmp_path: pathlib.Path) -> None:
    p = minigrad.tensor([1.0, 2.0], dtype=minigrad.float64, requires_grad=True)
    opt = optim.ASGD([p], lr=0.1, t0=1)
    for _ in range(3):
        p.grad = p.detach() * 1.0
        opt.step()
    save(opt.state_dict(), tmp_path / "asgd.npz")
    saved = load(tmp_path / "asgd.npz")["state"][0]
    assert saved.keys() == {"step", "eta", "mu", "ax"}
    assert all(
        isinstance(saved[k], minigrad.Tensor) and saved[k].shape == ()
        for k in saved.keys() - {"ax"}
    )
    assert (saved["step"].item(), saved["eta"].item(), saved["mu"].item()) == (
        3,
        float(opt.state[p]["eta"]),
        float(opt.state[p]["mu"]),
    )


# ------------------------------------------------------------------ L-BFGS against PyTorch
@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
@pytest.mark.parametrize("lr", [1.0, 0.25])
def test_lbfgs_on_rosenbrock_follows_pytorch_and_converges(
    line_search_fn: str | None, lr: float, torch64: Any
) -> None:
    torch = torch64
    # two parameters of different shapes: the flat vector spans both
    x = minigrad.tensor(-1.2, dtype=minigrad.float64, requires_grad=True)
    y = minigrad.tensor([1.0], dtype=minigrad.float64, requires_grad=True)
    tx, ty = torch.tensor(-1.2, requires_grad=True), torch.tensor([1.0], requires_grad=True)
    opt = optim.LBFGS([x, y], lr=lr, line_search_fn=line_search_fn)
    ref = torch.optim.LBFGS([tx, ty], lr=lr, line_search_fn=line_search_fn)
    closure = closure_for(opt, lambda: rosenbrock(x, y).sum())
    ref_closure = closure_for(ref, lambda: rosenbrock(tx, ty).sum())
    for _ in range(15):
        got, want = opt.step(closure), ref.step(ref_closure)
        assert_close(float(got), want.item(), 1e-6, "loss")
        assert_close([x, y], [tx, ty], 1e-6, "iterate")
        state, ref_state = opt.state[x], ref.state[tx]
        assert state.keys() == ref_state.keys() == LBFGS_STATE
        for key in ("func_evals", "n_iter"):
            assert state[key] == ref_state[key], key
        if want.item() > 1e-6:  # (near the minimum ρ = 1/yᵀs is all cancellation)
            for key in ("d", "t", "H_diag", "prev_flat_grad", "prev_loss", "old_dirs", "ro"):
                assert_close(state[key], ref_state[key], 1e-6, key)
    assert float(rosenbrock(x, y).sum()) < 1e-8
    np.testing.assert_allclose([host(x), host(y)[0]], [1.0, 1.0], atol=1e-4)


def test_lbfgs_time_sequence_prediction_pattern(torch64: Any) -> None:
    """PyTorch's examples/time_sequence_prediction/train.py loop, on a linear regression."""
    torch = torch64
    x, y = regression_data()
    ours, theirs = twin_linear(torch)
    criterion, ref_criterion = nn.MSELoss(), torch.nn.MSELoss()
    opt = optim.LBFGS(ours.parameters(), lr=0.8)
    ref = torch.optim.LBFGS(theirs.parameters(), lr=0.8)
    xm, ym, xt, yt = minigrad.tensor(x), minigrad.tensor(y), torch.tensor(x), torch.tensor(y)
    calls: list[int] = []
    losses = []
    for _ in range(4):
        before = len(calls)

        def closure() -> minigrad.Tensor:
            calls.append(1)
            opt.zero_grad()
            out = ours(xm)
            loss = criterion(out, ym)
            loss.backward()
            return loss

        loss = opt.step(closure)
        ref_loss = ref.step(closure_for(ref, lambda: ref_criterion(theirs(xt), yt)))
        assert isinstance(loss, minigrad.Tensor)  # the closure's first loss, as returned
        losses.append(float(loss))
        assert_close(float(loss), ref_loss.item(), 1e-6, "loss")
        for p, q in zip(ours.parameters(), theirs.parameters(), strict=True):
            assert_close(p, q, 1e-6)
        assert len(calls) - before <= 25  # max_eval = max_iter · 5 // 4
    assert opt.state[ours.weight]["func_evals"] == len(calls)
    solution, *_ = np.linalg.lstsq(np.hstack([x, np.ones((32, 1))]), y, rcond=None)
    # (it stops once the loss changes by less than tolerance_change = 1e-9)
    np.testing.assert_allclose(host(ours.weight)[0], solution[:3, 0], atol=1e-4)
    np.testing.assert_allclose(host(ours.bias), solution[3], atol=1e-4)
    assert losses[0] > 1.0 and losses[-1] < 1e-3


def test_lbfgs_image_optimization_pattern(torch64: Any) -> None:
    """The neural-style tutorials' ``LBFGS([input_img])`` with the strong Wolfe line search,
    a parameter that is not a module's, and a history shorter than the run."""
    torch = torch64
    rng = np.random.default_rng(3)
    start, target = rng.random((1, 2, 4, 4)), rng.random((1, 2, 4, 4))

    def loss_of(img: Any, goal: Any) -> Any:
        content = ((img - goal) ** 2).mean()
        smooth = ((img[..., 1:, :] - img[..., :-1, :]) ** 2).sum()
        return content + 0.01 * smooth + 0.1 * (img**4).mean()

    img = minigrad.tensor(start, dtype=minigrad.float64).requires_grad_()
    ref_img = torch.tensor(start).requires_grad_()
    goal, ref_goal = minigrad.tensor(target), torch.tensor(target)
    opt = optim.LBFGS([img], line_search_fn="strong_wolfe", history_size=3, max_iter=5)
    ref = torch.optim.LBFGS([ref_img], line_search_fn="strong_wolfe", history_size=3, max_iter=5)
    for _ in range(6):
        got = opt.step(closure_for(opt, lambda: loss_of(img, goal)))
        want = ref.step(closure_for(ref, lambda: loss_of(ref_img, ref_goal)))
        assert_close(float(got), want.item(), 1e-6, "loss")
        assert_close(img, ref_img, 1e-6, "image")
        assert len(opt.state[img]["old_dirs"]) == len(ref.state[ref_img]["old_dirs"]) <= 3
        assert_close(opt.state[img]["al"], ref.state[ref_img]["al"], 1e-6, "al")


def test_lbfgs_a_frozen_parameter_counts_as_zero_gradient(torch64: Any) -> None:
    torch = torch64
    a = minigrad.tensor([0.5, -1.0], dtype=minigrad.float64, requires_grad=True)
    b = minigrad.tensor([2.0], dtype=minigrad.float64, requires_grad=True)  # never in the loss
    ta, tb = torch.tensor([0.5, -1.0], requires_grad=True), torch.tensor([2.0], requires_grad=True)
    opt, ref = optim.LBFGS([a, b], lr=0.5), torch.optim.LBFGS([ta, tb], lr=0.5)
    for _ in range(3):
        opt.step(closure_for(opt, lambda: ((a - 3) ** 2).sum()))
        ref.step(closure_for(ref, lambda: ((ta - 3) ** 2).sum()))
        assert_close([a, b], [ta, tb], 1e-6)
    np.testing.assert_array_equal(host(b), [2.0])
    np.testing.assert_allclose(host(a), [3.0, 3.0], atol=1e-4)


# ------------------------------------------------------------------ L-BFGS on its own
def quadratic_problem(device: str, n: int = 6) -> tuple[list[minigrad.Tensor], Callable]:
    """f(θ) = ½θᵀAθ − bᵀθ over two parameters; the minimum is A⁻¹b."""
    rng = np.random.default_rng(0)
    q = rng.standard_normal((n, n))
    a_np, b_np = q @ q.T / n + 0.5 * np.eye(n), rng.standard_normal(n)
    a = minigrad.tensor(a_np, device=device)
    b = minigrad.tensor(b_np, device=device)
    params = [
        minigrad.zeros(2, 2, dtype=minigrad.float64, device=device, requires_grad=True),
        minigrad.zeros(n - 4, dtype=minigrad.float64, device=device, requires_grad=True),
    ]

    def loss() -> minigrad.Tensor:
        theta = minigrad.cat([params[0].reshape(-1), params[1]])
        return 0.5 * (theta * (a @ theta)).sum() - (b * theta).sum()

    loss.solution = np.linalg.solve(a_np, b_np)  # type: ignore[attr-defined]
    return params, loss


@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
def test_lbfgs_solves_a_quadratic_on_every_device(line_search_fn: str | None, device: str) -> None:
    params, loss = quadratic_problem(device)
    opt = optim.LBFGS(
        params,
        line_search_fn=line_search_fn,
        history_size=4,
        tolerance_grad=1e-12,
        tolerance_change=1e-15,
    )
    arrays = [p._array for p in params]
    for _ in range(5):
        opt.step(closure_for(opt, loss))
    theta = np.concatenate([host(p).reshape(-1) for p in params])
    np.testing.assert_allclose(theta, loss.solution, atol=1e-6)  # type: ignore[attr-defined]
    assert [p._array for p in params] == arrays  # updated in their own memory
    state = opt.state[params[0]]
    assert len(state["old_dirs"]) <= 4 and len(state["al"]) == 4
    shown = (state["d"], *state["old_dirs"])
    assert all(isinstance(v, minigrad.Tensor) for v in shown)
    assert all(type(v._array) is type(arrays[0]) for v in shown)  # on the parameters' device
    assert state["d"]._array is state.raw("d")  # a view of the stored direction
    assert isinstance(state["n_iter"], int) and isinstance(state["t"], float)  # plain numbers


def test_lbfgs_updates_parameters_in_place_and_moves_their_versions() -> None:
    model = nn.Linear(3, 2).to(dtype=minigrad.float64)
    params = list(model.parameters())
    aliases = [p.detach() for p in params]
    saved = model.state_dict()
    arrays = [p._array for p in params]
    versions = [p._version for p in params]
    x = minigrad.randn(8, 3, dtype=minigrad.float64)
    opt = optim.LBFGS(model.parameters(), max_iter=3)
    opt.step(closure_for(opt, lambda: ((model(x) - 1) ** 2).mean()))
    for p, array, alias, version, entry in zip(
        params, arrays, aliases, versions, saved.values(), strict=True
    ):
        assert p._array is array
        np.testing.assert_array_equal(host(alias), host(p))
        np.testing.assert_array_equal(host(entry), host(p))
        assert p._version > version


def test_lbfgs_line_search_leaves_the_parameters_at_the_accepted_point() -> None:
    p = minigrad.tensor([3.0, -2.0], dtype=minigrad.float64, requires_grad=True)
    opt = optim.LBFGS([p], line_search_fn="strong_wolfe", max_iter=1)
    seen = []

    def closure() -> minigrad.Tensor:
        seen.append(host(p))
        opt.zero_grad()
        loss = (p**2).sum() + (p**4).sum()
        loss.backward()
        return loss

    opt.step(closure)
    t, d = opt.state[p]["t"], host(opt.state[p]["d"])
    np.testing.assert_allclose(host(p), seen[0] + t * d, rtol=1e-15)
    assert any(np.allclose(point, host(p)) for point in seen[1:])  # a point the search tried


def test_lbfgs_returns_the_first_loss_and_stops_at_a_stationary_point() -> None:
    p = minigrad.tensor([2.0], dtype=minigrad.float64, requires_grad=True)
    opt = optim.LBFGS([p])
    calls: list[int] = []
    closure = closure_for(opt, lambda: ((p - 1) ** 2).sum(), calls)
    loss = opt.step(closure)
    assert float(loss) == 1.0  # the loss before the update
    np.testing.assert_allclose(host(p), [1.0])  # a quadratic: exact after the second iteration
    first = len(calls)
    assert opt.state[p]["func_evals"] == first
    assert float(opt.step(closure)) == 0.0 and len(calls) == first + 1  # max |g| ≤ tolerance_grad
    fresh = optim.LBFGS([p])
    fresh.step(closure)
    assert fresh.state[p].keys() == {"func_evals", "n_iter"}  # nothing else before a move


def test_lbfgs_respects_max_iter_and_max_eval() -> None:
    p = minigrad.tensor([-1.2, 1.0], dtype=minigrad.float64, requires_grad=True)
    # max_iter = 4 (max_eval 5): the first evaluation, one after each of the first 3 moves
    # (none after the last); max_eval = 7: the first, then one per iteration, 6 of them
    for kwargs, evals, iterations in [({"max_iter": 4}, 4, 4), ({"max_eval": 7}, 7, 6)]:
        opt = optim.LBFGS([p], **kwargs)
        calls: list[int] = []
        opt.step(closure_for(opt, lambda: rosenbrock(p[0], p[1]), calls))
        assert len(calls) == evals == opt.state[p]["func_evals"]
        assert opt.state[p]["n_iter"] == iterations


def test_lbfgs_state_dict_round_trip(tmp_path: pathlib.Path, torch64: Any) -> None:
    def setup() -> tuple[list[minigrad.Tensor], optim.LBFGS, Callable]:
        params, loss = quadratic_problem("cpu", n=8)
        opt = optim.LBFGS(params, lr=0.5, max_iter=3, history_size=3)
        return params, opt, closure_for(opt, loss)

    ref_params, ref_opt, ref_closure = setup()
    for _ in range(5):
        ref_opt.step(ref_closure)

    params, opt, closure = setup()
    for _ in range(2):
        opt.step(closure)
    sd = opt.state_dict()
    assert sd["state"].keys() == {0} and sd["state"][0].keys() == LBFGS_STATE
    assert isinstance(sd["state"][0]["d"], minigrad.Tensor)
    assert all(isinstance(v, minigrad.Tensor) for v in sd["state"][0]["old_dirs"])
    assert sd["param_groups"][0]["max_eval"] == 3 * 5 // 4
    torch = torch64  # the same keys as PyTorch's state dict
    tp = torch.zeros(2, requires_grad=True)
    ref_torch = torch.optim.LBFGS([tp], max_iter=3)
    ref_torch.step(closure_for(ref_torch, lambda: ((tp - 1) ** 4).sum()))
    assert set(ref_torch.state_dict()["state"][0]) == LBFGS_STATE
    assert sd["param_groups"][0].keys() == ref_torch.state_dict()["param_groups"][0].keys()

    save({"params": params, "optim": sd}, tmp_path / "lbfgs.npz")
    checkpoint = load(tmp_path / "lbfgs.npz")
    resumed_params, resumed, resumed_closure = setup()
    for p, saved in zip(resumed_params, checkpoint["params"], strict=True):
        p._array[...] = saved._array
    resumed.load_state_dict(checkpoint["optim"])
    for _ in range(3):
        resumed.step(resumed_closure)
        opt.step(closure)  # saving did not disturb the original
    for got, again, want in zip(resumed_params, params, ref_params, strict=True):
        np.testing.assert_array_equal(host(got), host(want))
        np.testing.assert_array_equal(host(again), host(want))
    assert (
        resumed.state[resumed_params[0]]["func_evals"] == ref_opt.state[ref_params[0]]["func_evals"]
    )


def test_lbfgs_errors() -> None:
    p = minigrad.tensor([1.0, 2.0], dtype=minigrad.float64, requires_grad=True)
    opt = optim.LBFGS([p])
    with pytest.raises(TypeError, match="closure"):
        opt.step()
    with pytest.raises(TypeError, match="closure"):
        opt.step(None)
    bad = optim.LBFGS([p], line_search_fn="backtracking")
    with pytest.raises(RuntimeError, match="only 'strong_wolfe' is supported"):
        bad.step(closure_for(bad, lambda: (p**2).sum()))
    with pytest.raises(ValueError, match="Invalid learning rate: -0.5"):
        optim.LBFGS([p], lr=-0.5)
    with pytest.raises(ValueError, match="doesn't support per-parameter options"):
        optim.LBFGS([{"params": [p]}, {"params": [minigrad.zeros(1, requires_grad=True)]}])
    one_group = optim.LBFGS([{"params": [p], "lr": 0.5}])  # one dict is one group: fine
    assert one_group.param_groups[0]["lr"] == 0.5 and one_group.defaults["lr"] == 1


def test_lbfgs_defaults_and_named_parameters() -> None:
    model = nn.Linear(2, 1)
    opt = optim.LBFGS(model.named_parameters(), max_iter=8)
    assert opt.defaults["max_eval"] == 10 and opt.param_groups[0]["max_eval"] == 10
    assert opt.param_groups[0]["param_names"] == ["weight", "bias"]
    assert optim.LBFGS(model.parameters(), max_eval=3).defaults["max_eval"] == 3


def test_cubic_minimizer() -> None:
    # φ(t) = (t − 1)³/3 − (t − 1)... use a cubic with a known local minimum: t³ − 3t, min at 1
    def phi(t: float) -> tuple[float, float]:
        return t**3 - 3 * t, 3 * t**2 - 3

    (f1, g1), (f2, g2) = phi(0.0), phi(3.0)
    assert lbfgs._cubic_minimizer(0.0, f1, g1, 3.0, f2, g2) == pytest.approx(1.0)
    assert lbfgs._cubic_minimizer(3.0, f2, g2, 0.0, f1, g1) == pytest.approx(1.0)
    assert lbfgs._cubic_minimizer(0.0, f1, g1, 3.0, f2, g2, bounds=(2.0, 5.0)) == 2.0
    # values and slopes of a cubic without a local minimum: the middle of the bounds
    assert lbfgs._cubic_minimizer(0.0, 0.0, 2.0, 1.0, 1.0, 2.0, bounds=(0.0, 4.0)) == 2.0


def test_lr_scheduler_drives_lbfgs() -> None:
    p = minigrad.tensor([2.0, -1.0], dtype=minigrad.float64, requires_grad=True)
    opt = optim.LBFGS([p], lr=1.0, max_iter=2)
    sched = optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    closure = closure_for(opt, lambda: (p**4).sum())
    for _ in range(3):
        opt.step(closure)
        sched.step()
    assert opt.param_groups[0]["lr"] == 0.125
    assert opt.state[p]["t"] == 0.25  # the last step's rate
