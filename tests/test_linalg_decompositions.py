"""minigrad.linalg decompositions (cholesky, eigh / eigvalsh, qr, svd / svdvals): values
against NumPy (and PyTorch when it is installed), first and second derivatives (float64)
on both test devices with well-conditioned inputs and sign-invariant losses, and errors."""

from __future__ import annotations

import engine_helpers
import numpy as np
import pytest
from engine_helpers import arrays, assert_close, check_op, host, names_shape, on
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import minigrad as mg
from minigrad import linalg

# Every example runs gradcheck and gradgradcheck: few examples keep the file fast (the
# "thorough" profile still scales them up).
given_settings = settings(
    engine_helpers.given_settings, max_examples=max(settings.default.max_examples // 5, 6)
)

batches = st.sampled_from([(), (2,), (1, 2)])
sides = st.integers(1, 3)


def sym(x):
    """The symmetric part: the decompositions read one triangle only, so gradcheck
    perturbs a symmetric input."""
    return (x + x.mT) / 2


def np_sym(a):
    return (a + np.swapaxes(a, -1, -2)) / 2


def weights(k):
    return np.arange(1.0, k + 1)


def spd(data, batch, n):
    """A = B Bᵀ + n I: symmetric positive-definite, well conditioned."""
    b = data.draw(arrays(batch + (n, n), -1.0, 1.0))
    return b @ np.swapaxes(b, -1, -2) + n * np.eye(n)


def distinct_spectrum(data, batch, n):
    """A symmetric matrix Q diag(λ) Qᵀ with eigenvalues at least 1/2 apart."""
    steps = data.draw(arrays(batch + (n,), 0.5, 1.5))
    lam = np.cumsum(steps, -1) - 2.0
    b = data.draw(arrays(batch + (n, n), -1.0, 1.0)) + 2 * np.eye(n)
    q = np.linalg.qr(b)[0]
    return (q * lam[..., None, :]) @ np.swapaxes(q, -1, -2)


def well_conditioned(data, batch, m, n, gap=0.2):
    """An m×n matrix whose singular values are at least ``gap`` apart and from 0."""
    a = data.draw(arrays(batch + (m, n)))
    s = np.linalg.svd(a, compute_uv=False)
    assume(bool((s[..., -1] > gap).all()))
    assume(bool((s[..., :-1] - s[..., 1:] > gap).all()))
    return a


# ---------------------------------------------------------------- cholesky
@given_settings
@given(batch=batches, n=sides, data=st.data(), upper=st.booleans())
def test_cholesky(device, batch, n, data, upper):
    a = spd(data, batch, n)

    def ref(x):
        factor = np.linalg.cholesky(np_sym(x))
        return np.swapaxes(factor, -1, -2) if upper else factor

    (t,) = check_op(lambda x: linalg.cholesky(sym(x), upper=upper), ref, [a], device)
    factor = host(linalg.cholesky(on(a, device), upper=upper))
    product = (
        np.swapaxes(factor, -1, -2) @ factor if upper else factor @ np.swapaxes(factor, -1, -2)
    )
    np.testing.assert_allclose(product, a, rtol=1e-10, atol=1e-10)
    assert np.array_equal(factor, np.triu(factor) if upper else np.tril(factor))
    assert np.allclose(host(t.grad), np.swapaxes(host(t.grad), -1, -2))  # a symmetric gradient


def test_cholesky_reads_the_lower_triangle_and_its_gradient_is_pytorchs(device):
    a = np.array([[4.0, 2.0], [2.0, 3.0]])
    upper_garbage = a + np.triu(np.full((2, 2), 7.0), 1)
    assert_close(linalg.cholesky(on(upper_garbage, device)), np.linalg.cholesky(a))
    x = on(a, device)
    factor = linalg.cholesky(x)
    (factor * mg.tensor([[1.0, 0.0], [2.0, 3.0]], dtype=mg.float64, device=device)).sum().backward()
    # L⁻ᵀ Φ(Lᵀ dL) L⁻¹ by hand
    low = np.linalg.cholesky(a)
    p = np.tril(low.T @ np.array([[1.0, 0.0], [2.0, 3.0]]))
    phi = 0.5 * (p + np.tril(p, -1).T)
    inv = np.linalg.inv(low)
    assert_close(x.grad, inv.T @ phi @ inv)


def test_cholesky_not_positive_definite(device):
    a = mg.tensor([[1.0, 2.0], [2.0, 1.0]], device=device)
    with pytest.raises(linalg.LinAlgError, match="leading minor of order 2 is not positive"):
        linalg.cholesky(a)
    assert issubclass(linalg.LinAlgError, RuntimeError)
    batch = mg.stack([mg.eye(2, device=device), a, -a])
    with pytest.raises(linalg.LinAlgError, match=r"\(Batch element 1\).*order 2"):
        linalg.cholesky(batch)
    factor, info = linalg.cholesky_ex(batch)
    assert info.dtype == mg.int32 and host(info).tolist() == [0, 2, 1]
    assert_close(factor[0], np.eye(2))
    assert np.isnan(host(factor[1:])).all()
    factor, info = linalg.cholesky_ex(mg.eye(2, device=device) * 4, upper=True)
    assert_close(factor, 2 * np.eye(2).astype(np.float32), rtol=1e-6)
    assert host(info).tolist() == 0
    with pytest.raises(linalg.LinAlgError, match="order 1"):
        linalg.cholesky_ex(-a, check_errors=True)


# ---------------------------------------------------------------- eigh, eigvalsh
@given_settings
@given(batch=batches, n=sides, data=st.data(), uplo=st.sampled_from(["L", "U"]))
def test_eigh(device, batch, n, data, uplo):
    a = distinct_spectrum(data, batch, n)
    w = weights(n)

    def fn(x):
        values, vectors = linalg.eigh(sym(x), UPLO=uplo)
        return values, (vectors * mg.tensor(w, device=device)) @ vectors.mT, vectors * vectors

    def ref(x):
        values, vectors = np.linalg.eigh(np_sym(x), UPLO=uplo)
        return values, (vectors * w) @ np.swapaxes(vectors, -1, -2), vectors * vectors

    check_op(fn, ref, [a], device)
    check_op(lambda x: linalg.eigvalsh(sym(x), uplo), lambda x: np.linalg.eigvalsh(x), [a], device)
    result = linalg.eigh(on(a, device))
    values, vectors = result
    assert result.eigenvalues is values and result.eigenvectors is vectors
    assert_close(vectors, np.linalg.eigh(a)[1])  # LAPACK's signs, as NumPy's
    v = host(vectors)
    np.testing.assert_allclose(
        (v * host(values)[..., None, :]) @ np.swapaxes(v, -1, -2), a, atol=1e-10
    )
    assert (np.diff(host(values), axis=-1) > 0).all()


def test_eigvalsh_gradient_with_repeated_eigenvalues(device):
    x = on(np.eye(3) * 2, device)
    linalg.eigvalsh(x).sum().backward()
    assert_close(x.grad, np.eye(3))  # V diag(1) Vᵀ = I, finite where eigh's vectors are not


# ---------------------------------------------------------------- qr
@given_settings
@given(
    batch=batches, shape=st.sampled_from([(1, 1), (2, 2), (3, 2), (3, 1), (3, 3)]), data=st.data()
)
def test_qr(device, batch, shape, data):
    # Diagonally dominant, so each Householder step's pivot stays away from 0, and no entry
    # 0: LAPACK's reflection (so the signs of R's diagonal) jumps where a column below the
    # diagonal is exactly 0 (no reflection) as well as where the pivot changes sign.
    signs = data.draw(st.sampled_from([1.0, -1.0]))
    a = signs * data.draw(arrays(batch + shape, 0.25, 1.0)) + 3 * np.eye(*shape)
    check_op(lambda x: tuple(linalg.qr(x)), lambda x: tuple(np.linalg.qr(x)), [a], device)
    q, r = linalg.qr(on(a, device), mode="complete")
    ref_q, ref_r = np.linalg.qr(a, mode="complete")
    assert_close(q, ref_q)
    assert_close(r, ref_r)
    np.testing.assert_allclose(host(q) @ host(r), a, atol=1e-10)


def test_qr_modes_and_shapes(device):
    a = mg.tensor(np.arange(1.0, 7.0).reshape(2, 3), dtype=mg.float32, device=device)
    a.requires_grad_()
    q, r = linalg.qr(a)
    assert q.shape == (2, 2) and r.shape == (2, 3) and q.dtype == mg.float32
    with pytest.raises(RuntimeError, match="m ≥ n"):
        r.sum().backward()
    q, r = linalg.qr(a.mT, mode="r")
    assert q.shape == (0,) and r.shape == (2, 2)
    with pytest.raises(RuntimeError, match="mode='r'"):
        r.sum().backward()
    q, r = linalg.qr(a.mT, mode="complete")
    assert q.shape == (3, 3) and r.shape == (3, 2)
    with pytest.raises(RuntimeError, match="complete"):
        (q.sum() + r.sum()).backward()
    with pytest.raises(RuntimeError, match="unrecognized mode"):
        linalg.qr(a, mode="full")


# ---------------------------------------------------------------- svd, svdvals
@given_settings
@given(
    batch=batches,
    shape=st.sampled_from([(1, 1), (2, 2), (3, 2), (2, 3), (3, 3), (1, 3)]),
    data=st.data(),
)
def test_svd(device, batch, shape, data):
    a = well_conditioned(data, batch, *shape)
    k = min(shape)
    w = weights(k)

    def invariant(u, s, vh):  # sign-invariant functions of the factors
        u, vh = u[..., :, :k], vh[..., :k, :]
        return s, (u * w) @ u.swapaxes(-1, -2), (vh.swapaxes(-1, -2) * w) @ vh, (u * w) @ vh

    for full in (False, True):
        check_op(
            lambda x, full=full: invariant(*linalg.svd(x, full_matrices=full)),
            lambda x, full=full: invariant(*np.linalg.svd(x, full_matrices=full)),
            [a],
            device,
        )
    check_op(lambda x: linalg.svdvals(x), lambda x: np.linalg.svd(x, compute_uv=False), [a], device)
    result = linalg.svd(on(a, device))
    for got, expected in zip(result, np.linalg.svd(a), strict=True):
        assert_close(got, expected)  # LAPACK's signs, as NumPy's
    u, s, vh = linalg.svd(on(a, device), full_matrices=False)
    assert result.U is result[0] and result.Vh is result[2]
    np.testing.assert_allclose(host(u) @ (host(s)[..., None] * host(vh)), a, atol=1e-10)


def test_svdvals_gradient_with_repeated_singular_values(device):
    x = on(np.eye(3)[:, :2] * 2, device)
    linalg.svdvals(x).sum().backward()
    assert_close(x.grad, np.eye(3)[:, :2])  # U Vh


# ---------------------------------------------------------------- dtypes, errors
def test_float32_stays_float32(device):
    a = mg.tensor(np.array([[3.0, 1.0], [1.0, 2.0]]), dtype=mg.float32, device=device)
    outs = [linalg.cholesky(a), *linalg.eigh(a), linalg.eigvalsh(a), *linalg.qr(a)]
    outs += [*linalg.svd(a), linalg.svdvals(a), linalg.cholesky_ex(a).L, linalg.pinv(a)]
    outs += [linalg.cond(a), linalg.cond(a, "nuc"), linalg.lstsq(a, a, driver="gelsd")[0]]
    for out in outs:
        assert out.dtype == mg.float32 and out.device == a.device
    a.requires_grad_()
    functions = (linalg.cholesky, linalg.eigvalsh, linalg.svdvals, linalg.pinv, linalg.cond)
    sum(f(a).sum() for f in functions).backward()
    assert a.grad.dtype == mg.float32


@pytest.mark.parametrize(
    "fn",
    [linalg.cholesky, linalg.cholesky_ex, linalg.eigh, linalg.eigvalsh],
    ids=lambda f: f.__name__,
)
def test_square_errors(device, fn):
    with pytest.raises(RuntimeError, match="square") as info:
        fn(mg.zeros(2, 3, device=device))
    assert names_shape(str(info.value), (2, 3))
    with pytest.raises(RuntimeError, match="floating"):
        fn(mg.eye(2, device=device).long())


def test_other_errors(device):
    with pytest.raises(RuntimeError, match="at least 2 dimensions"):
        linalg.svd(mg.zeros(3, device=device))
    with pytest.raises(RuntimeError, match="floating"):
        linalg.qr(mg.zeros(2, 2, device=device).long())
    with pytest.raises(RuntimeError, match="UPLO"):
        linalg.eigh(mg.eye(2, device=device), UPLO="X")
    with pytest.raises(TypeError):
        linalg.svdvals(np.eye(2))


# ---------------------------------------------------------------- against PyTorch
def test_against_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    b = rng.standard_normal((2, 4, 4))
    spd_a = b @ b.transpose(0, 2, 1) + 4 * np.eye(4)
    rect = rng.standard_normal((2, 5, 3))
    w = np.arange(1.0, 5.0)

    def losses(lib, x, y):
        tensor = torch.tensor if lib is torch else mg.tensor
        s, v = lib.linalg.eigh(x)
        q, r = lib.linalg.qr(y)
        u, sv, vh = lib.linalg.svd(y, full_matrices=False)
        u_full, _, vh_full = lib.linalg.svd(y.mT)
        ww = tensor(w, dtype=x.dtype)
        total = (lib.linalg.cholesky(x) * ww).sum()
        total = total + (lib.linalg.cholesky(x, upper=True) ** 2).sum()
        total = total + (s * ww).sum() + ((v * ww) @ v.mT).square().sum()
        total = total + (q.abs() * ww[:3]).sum() + (r.abs() ** 3).sum()
        total = total + (sv * ww[:3]).sum() + ((u * ww[:3]) @ vh).square().sum()
        total = total + ((u_full[..., :3] * ww[:3]) @ u_full[..., :3].mT).sum()
        total = total + lib.linalg.svdvals(y).sum() + lib.linalg.eigvalsh(x).square().sum()
        return total + (vh_full.mT @ vh_full).sum()

    grads = []
    for lib in (torch, mg):
        tensor = torch.tensor if lib is torch else mg.tensor
        x = tensor(spd_a, requires_grad=True)
        y = tensor(rect, requires_grad=True)
        losses(lib, x, y).backward()
        grads.append([g.numpy() if lib is torch else host(g) for g in (x.grad, y.grad)])
    for ours, theirs in zip(grads[1], grads[0], strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-8, atol=1e-8)
    # values (signs of vectors may differ between LAPACK builds: compare invariants)
    tx = torch.tensor(spd_a)
    mx = mg.tensor(spd_a)
    assert_close(linalg.cholesky(mx), torch.linalg.cholesky(tx).numpy())
    assert_close(linalg.eigh(mx).eigenvalues, torch.linalg.eigh(tx).eigenvalues.numpy(), rtol=1e-9)
    ty, my = torch.tensor(rect), mg.tensor(rect)
    tq, tr = torch.linalg.qr(ty)
    mq, mr = linalg.qr(my)
    signs = np.sign(np.diagonal(host(mr), 0, -2, -1)) * np.sign(np.diagonal(tr.numpy(), 0, -2, -1))
    np.testing.assert_allclose(host(mq) * signs[..., None, :], tq.numpy(), atol=1e-10)
    np.testing.assert_allclose(host(mr) * signs[..., :, None], tr.numpy(), atol=1e-10)
    assert_close(linalg.svdvals(my), torch.linalg.svdvals(ty).numpy(), rtol=1e-9)
    with pytest.raises(torch.linalg.LinAlgError, match="order 2") as theirs:
        torch.linalg.cholesky(torch.tensor([[1.0, 2.0], [2.0, 1.0]]))
    with pytest.raises(linalg.LinAlgError) as ours:
        linalg.cholesky(mg.tensor([[1.0, 2.0], [2.0, 1.0]]))
    assert str(ours.value) == str(theirs.value)


# ---------------------------------------------------------------- pinv, lstsq, matrix_rank, cond
@given_settings
@given(
    batch=batches, shape=st.sampled_from([(1, 1), (2, 2), (3, 2), (2, 3), (1, 3)]), data=st.data()
)
def test_pinv_lstsq_cond(device, batch, shape, data):
    a = well_conditioned(data, batch, *shape)
    m, n = shape
    check_op(lambda x: linalg.pinv(x), np.linalg.pinv, [a], device)
    b = data.draw(arrays(batch + (m, 2)))
    check_op(
        lambda x, y: linalg.lstsq(x, y).solution, lambda x, y: np.linalg.pinv(x) @ y, [a, b], device
    )
    check_op(lambda x: linalg.cond(x), lambda x: np.linalg.cond(x), [a], device)
    check_op(lambda x: linalg.cond(x, -2), lambda x: np.linalg.cond(x, -2), [a], device)
    if m == n:
        for p in ("fro", "nuc"):  # (1 and inf: abs and max have kinks, tested below)
            check_op(
                lambda x, p=p: linalg.cond(x, p), lambda x, p=p: np.linalg.cond(x, p), [a], device
            )
    rank = linalg.matrix_rank(on(a, device))
    assert rank.dtype == mg.int64 and (host(rank) == min(m, n)).all()


def test_lstsq_fields(device):
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((2, 4, 3)), rng.standard_normal((2, 4, 2))
    x, y = on(a, device), on(b, device)
    solution, residuals, rank, values = linalg.lstsq(x, y, driver="gelsd")
    for i in range(2):
        ref = np.linalg.lstsq(a[i], b[i], rcond=None)
        assert_close(solution[i], ref[0], rtol=1e-9)
        assert_close(residuals[i], ref[1], rtol=1e-9)
        assert host(rank[i]).item() == ref[2]
        assert_close(values[i], ref[3], rtol=1e-9)
    result = linalg.lstsq(x, y)  # 'gelsy': no residuals, no singular values
    assert result.residuals.shape == (0,) and result.singular_values.shape == (0,)
    assert result.rank.dtype == mg.int64 and host(result.rank).tolist() == [3, 3]
    gels = linalg.lstsq(x, y, driver="gels")
    assert gels.rank.shape == (0,) and gels.residuals.shape == (2, 2)
    vector = linalg.lstsq(x[0], y[0, :, 0], driver="gelss")
    assert_close(vector.solution, np.linalg.lstsq(a[0], b[0, :, 0], rcond=None)[0], rtol=1e-9)
    assert vector.residuals.shape == ()
    # a rank-deficient A: the minimum-norm solution, no residuals
    ones = mg.ones(4, 3, dtype=mg.float64, device=device)
    deficient = linalg.lstsq(ones, y[0], driver="gelsd")
    assert_close(deficient.solution, np.linalg.pinv(np.ones((4, 3))) @ b[0], rtol=1e-9)
    assert host(deficient.rank).item() == 1 and deficient.residuals.shape == (0,)
    with pytest.raises(RuntimeError, match="driver"):
        linalg.lstsq(x, y, driver="gesv")
    with pytest.raises(RuntimeError, match="rows") as info:
        linalg.lstsq(x, y[:, :3])
    assert names_shape(str(info.value), (2, 3, 2))


def test_pinv_and_rank_tolerances(device):
    a = mg.tensor(np.diag([4.0, 1e-3, 0.0]), dtype=mg.float64, device=device)
    assert host(linalg.matrix_rank(a)).item() == 2
    assert host(linalg.matrix_rank(a, atol=0.01)).item() == 1
    assert host(linalg.matrix_rank(a, rtol=0.1)).item() == 1
    assert host(linalg.matrix_rank(a, hermitian=True)).item() == 2
    assert_close(linalg.pinv(a), np.diag([0.25, 1e3, 0.0]))
    assert_close(linalg.pinv(a, atol=0.01), np.diag([0.25, 0.0, 0.0]))
    lower = mg.tensor([[2.0, 9.0], [1.0, 2.0]], dtype=mg.float64, device=device)
    assert_close(linalg.pinv(lower, hermitian=True), np.linalg.inv([[2.0, 1.0], [1.0, 2.0]]))
    with pytest.raises(RuntimeError, match="square"):
        linalg.pinv(mg.zeros(2, 3, device=device), hermitian=True)
    with pytest.raises(RuntimeError, match="square"):
        linalg.cond(mg.zeros(2, 3, device=device), "fro")
    with pytest.raises(RuntimeError, match="not supported"):
        linalg.cond(mg.eye(2, device=device), 3)
    # p = ±1, ±inf on a matrix without zero entries or ties in its (or its inverse's) sums
    b = np.array([[2.0, 0.5, 0.25], [0.75, 3.0, 0.5], [0.125, 1.0, 4.0]])
    for p in (1, -1, np.inf, -np.inf):
        check_op(lambda x, p=p: linalg.cond(x, p), lambda x, p=p: np.linalg.cond(x, p), [b], device)


def test_pinv_lstsq_cond_against_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    for shape in [(2, 4, 3), (3, 5), (3, 3)]:
        a = rng.standard_normal(shape)
        b = rng.standard_normal(shape[:-1] + (2,))
        grads = []
        for lib in (torch, mg):
            x = (torch.tensor if lib is torch else mg.tensor)(a, requires_grad=True)
            y = (torch.tensor if lib is torch else mg.tensor)(b, requires_grad=True)
            total = (lib.linalg.pinv(x) ** 2).sum() + (
                lib.linalg.cond(x) + lib.linalg.cond(x, -2)
            ).sum()
            total = total + lib.linalg.lstsq(x, y, driver="gelsd").solution.square().sum()
            total.backward()
            grads.append([g.numpy() if lib is torch else host(g) for g in (x.grad, y.grad)])
        for ours, theirs in zip(grads[1], grads[0], strict=True):
            np.testing.assert_allclose(ours, theirs, rtol=1e-8, atol=1e-10)
        if shape[-1] == shape[-2]:
            for p in (None, 2, -2, "fro", "nuc", 1, -1, np.inf, -np.inf):
                expected = torch.linalg.cond(torch.tensor(a), p).numpy()
                assert_close(linalg.cond(mg.tensor(a), p), expected, rtol=1e-9)
        for driver in ("gels", "gelsy", "gelsd", "gelss"):
            ours = linalg.lstsq(mg.tensor(a), mg.tensor(b), driver=driver)
            theirs = torch.linalg.lstsq(torch.tensor(a), torch.tensor(b), driver=driver)
            for got, expected in zip(ours, theirs, strict=True):
                assert got.dtype == getattr(mg, str(expected.dtype).split(".")[1])
                assert_close(got, expected.numpy(), rtol=1e-8, atol=1e-10)
