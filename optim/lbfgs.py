r"""L-BFGS, as ``torch.optim.LBFGS``: a quasi-Newton method on all the parameters at once.

Unlike the other optimizers, L-BFGS is not element-wise: it works on the
concatenation θ of every parameter (flattened, in the order of the group)
and on the matching gradient g, and it needs to evaluate the objective several
times per :meth:`LBFGS.step`, through a *closure*.

The direction. From the last m pairs (m ≤ ``history_size``)

.. code-block:: text

    sₖ = θₖ₊₁ − θₖ          (the step taken; state["old_stps"])
    yₖ = gₖ₊₁ − gₖ          (the change of gradient; state["old_dirs"])
    ρₖ = 1 / (yₖᵀ sₖ)       (state["ro"])

(a pair is kept only if yᵀs > 1e-10, which keeps the implied inverse Hessian
positive definite), the direction d = −H g, with H the L-BFGS approximation
of the inverse Hessian, is computed without forming H by the *two-loop
recursion* (Nocedal & Wright, *Numerical Optimization*, 2nd ed., Algorithm 7.4):

.. code-block:: text

    q ← −g
    for i = m−1, ..., 0:            (newest pair first)
        αᵢ ← ρᵢ sᵢᵀ q               (state["al"])
        q ← q − αᵢ yᵢ
    r ← H₀ q,   H₀ = yᵀs / yᵀy of the newest pair   (state["H_diag"])
    for i = 0, ..., m−1:            (oldest pair first)
        βᵢ ← ρᵢ yᵢᵀ r
        r ← r + (αᵢ − βᵢ) sᵢ
    d ← r

On the very first iteration d = −g (H = I).

The step. θ ← θ + t d, with t = min(1, 1/‖g‖₁)·γ on the first iteration and
t = γ (``lr``) afterwards; or, with ``line_search_fn="strong_wolfe"``, t found
from that first guess by a line search that meets the strong Wolfe conditions
(Nocedal & Wright, Algorithms 3.5 and 3.6) on φ(t) = f(θ + t d):

.. code-block:: text

    φ(t) ≤ φ(0) + c₁ t φ'(0)        (sufficient decrease, c₁ = 1e-4)
    |φ'(t)| ≤ c₂ |φ'(0)|            (curvature, c₂ = 0.9)

It first *brackets* an interval that holds such a t (a trial t that breaks
sufficient decrease, or is not lower than the previous trial, or has
φ'(t) ≥ 0, closes the bracket; otherwise the next trial is the minimum of
the cubic through the last two trials' values and slopes, kept in
[t + 0.01 (t − t_prev), 10 t]); then it *zooms*: the next trial is the
minimum of the cubic through the bracket's ends, moved to 0.1 of the
bracket's width from an end when it falls too close to it twice running (or
outside the bracket), and the bracket shrinks around the lowest point found.
At most 25 evaluations; the lowest point is taken.

One :meth:`LBFGS.step` repeats direction and step up to ``max_iter`` times,
stopping early when the closure has been evaluated ``max_eval`` times, when
the largest gradient component is at most ``tolerance_grad``, when the
direction is not a descent direction (gᵀd > −``tolerance_change``), or when
the step or the change of the loss is below ``tolerance_change``. The history
(sₖ, yₖ, ρₖ, the last direction and step size, ...) lives on in
``state[first parameter]`` between calls, as in PyTorch, so that successive
calls continue one optimization.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import minigrad
from minigrad.backend import get_array_module

from ._storage import array_of, as_tensor_view, assign_, is_array, subtract_
from .optimizer import Optimizer, ParamsT, constructor_arguments, nonnegative

if TYPE_CHECKING:
    from minigrad import Tensor

__all__ = ["LBFGS"]

Array = Any
Closure = Callable[[], Any]

# The line search's constants (PyTorch's, which it does not expose either).
_C1 = 1e-4  # sufficient decrease
_C2 = 0.9  # curvature
_LS_TOLERANCE = 1e-9  # smallest bracket width (times max |d|) worth refining
_LS_MAX_EVALS = 25


class LBFGS(Optimizer):
    r"""L-BFGS: quasi-Newton steps from the last ``history_size`` gradient differences.

    .. code-block:: text

        input: γ (lr), θ₀ (params, flattened), f(θ) (objective, via the closure),
               m (history_size), max_iter, max_eval, tolerance_grad, tolerance_change
        f, g ← closure()                          (one evaluation)
        if max |g| ≤ tolerance_grad:  return f
        for k = 1, ..., max_iter:
            if first iteration ever:  d ← −g
            else:
                s ← t d,  y ← g − g_prev
                if yᵀs > 1e-10:  push (s, y, 1/yᵀs), dropping the oldest beyond m;
                                 H₀ ← yᵀs / yᵀy
                d ← −H g                          (two-loop recursion, see the module)
            t ← min(1, 1/‖g‖₁) γ on the first iteration ever, else γ
            if gᵀd > −tolerance_change:  stop
            t ← strong Wolfe line search from t   (if line_search_fn="strong_wolfe")
            θ ← θ + t d
            f, g ← closure()                      (unless k = max_iter, without line search)
            stop if k = max_iter, evaluations ≥ max_eval, max |g| ≤ tolerance_grad,
                    max |t d| ≤ tolerance_change or |f − f_prev| < tolerance_change
        return the first f

    Every :meth:`step` needs a ``closure`` that clears the gradients, computes
    the loss, calls ``backward()`` and returns the loss; it may be called up
    to ``max_eval`` times (more with the line search, which may take 25
    evaluations per iteration). The algorithm sees all parameters as one
    vector, so it takes a single parameter group. It keeps ``history_size``
    pairs of flat vectors: memory ≈ 2 · history_size · (number of parameter
    elements). Best for full-batch, deterministic objectives (the
    two-loop recursion assumes the gradients are exact).

    ``state[p]`` of the first parameter holds, as PyTorch's: ``func_evals`` and
    ``n_iter`` (counts over all steps), ``d`` (the last direction), ``t`` (its
    step size), ``old_dirs`` (the y's), ``old_stps`` (the s's), ``ro`` (the ρ's),
    ``H_diag`` (H₀), ``prev_flat_grad``, ``prev_loss`` and ``al`` (the α's);
    numbers are Python numbers, not 0-d tensors.

    Args:
        params: tensors to optimize, or ``(name, tensor)`` pairs, or one dict
            defining the only parameter group.
        lr: learning rate γ, the step size along d (default 1).
        max_iter: most iterations per :meth:`step` (default 20).
        max_eval: most evaluations of the closure per :meth:`step`, checked
            after each iteration (default ``max_iter * 5 // 4``).
        tolerance_grad: stop when the largest gradient component is at most
            this (default 1e-7).
        tolerance_change: stop when the step or the change of the loss is
            below this (default 1e-9).
        history_size: the number m of (s, y) pairs kept (default 100).
        line_search_fn: None (fixed step size) or ``"strong_wolfe"``.

    Example (PyTorch's ``time_sequence_prediction`` pattern)::

        opt = minigrad.optim.LBFGS(model.parameters(), lr=0.8)

        def closure():
            opt.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            return loss

        for epoch in range(10):
            loss = opt.step(closure)
    """

    _tensor_numbers = False  # (PyTorch's L-BFGS state keeps Python numbers)

    _constraints = {"lr": nonnegative}

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1,
        max_iter: int = 20,
        max_eval: int | None = None,
        tolerance_grad: float = 1e-7,
        tolerance_change: float = 1e-9,
        history_size: int = 100,
        line_search_fn: str | None = None,
    ) -> None:
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        super().__init__(params, constructor_arguments(locals()))
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")

    # ------------------------------------------------------------ the flat vector
    def _params(self) -> list[Tensor]:
        return list(self.param_groups[0]["params"])

    def _flat_grad(self) -> Array:
        """The gradients of all parameters, concatenated (zeros for a parameter without one)."""
        params = self._params()
        xp = get_array_module(array_of(params[0]))
        parts = []
        for p in params:
            if p.grad is None:
                parts.append(xp.zeros(array_of(p).size, dtype=array_of(p).dtype))
            else:
                parts.append(array_of(p.grad).reshape(-1))
        return xp.concatenate(parts)

    def _move(self, t: float, d: Array) -> None:
        """``θ ← θ + t d``, each parameter in its own memory."""
        params, steps, offset = self._params(), [], 0
        for p in params:
            size = array_of(p).size
            steps.append(-(t * d[offset : offset + size]).reshape(p.shape))
            offset += size
        subtract_(params, steps)

    def _evaluate(self, closure: Closure) -> tuple[Any, float, Array]:
        """The closure's loss (as returned and as a number) and the flat gradient after it."""
        with minigrad.enable_grad():
            loss = closure()
        return loss, float(loss), self._flat_grad()

    # ------------------------------------------------------------------ stepping
    def step(self, closure: Closure | None = None) -> Any:
        """Run up to ``max_iter`` L-BFGS iterations; return the loss of the first evaluation.

        Args:
            closure: a callable that clears the gradients, computes the loss,
                calls ``backward()`` on it and returns it (required).
        """
        if closure is None or not callable(closure):
            raise TypeError(
                "LBFGS.step() missing its closure: pass a function that calls zero_grad(), "
                "computes the loss, calls loss.backward() and returns the loss"
            )
        group = self.param_groups[0]
        lr = float(group["lr"])
        max_iter, max_eval = group["max_iter"], group["max_eval"]
        tolerance_grad = group["tolerance_grad"]
        tolerance_change = group["tolerance_change"]
        history_size, line_search_fn = group["history_size"], group["line_search_fn"]
        params = self._params()
        state = self.state[params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        orig_loss, loss, flat_grad = self._evaluate(closure)
        current_evals = 1
        state["func_evals"] += 1
        if _max_abs(flat_grad) <= tolerance_grad:
            return orig_loss

        # (None before the first iteration ever; then set, as every later one reads them;
        # the stored arrays, not the tensors that ``state`` shows)
        stored = dict(state.raw_items())
        d: Any = stored.get("d")
        t: Any = stored.get("t")
        old_dirs: Any = stored.get("old_dirs")
        old_stps: Any = stored.get("old_stps")
        ro: Any = stored.get("ro")
        h_diag: Any = stored.get("H_diag")
        prev_flat_grad: Any = stored.get("prev_flat_grad")
        prev_loss: Any = stored.get("prev_loss")
        xp = get_array_module(flat_grad)

        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1

            # the direction d = −H g
            if state["n_iter"] == 1:
                d = -flat_grad
                old_dirs, old_stps, ro, h_diag = [], [], [], 1.0
            else:
                y = flat_grad - prev_flat_grad
                s = d * t
                ys = _dot(y, s)
                if ys > 1e-10:
                    if len(old_dirs) == history_size:
                        old_dirs.pop(0)
                        old_stps.pop(0)
                        ro.pop(0)
                    old_dirs.append(y)
                    old_stps.append(s)
                    ro.append(1.0 / ys)
                    h_diag = ys / _dot(y, y)
                if "al" not in state:
                    state["al"] = [None] * history_size
                d = _two_loop(flat_grad, old_dirs, old_stps, ro, h_diag, state.raw("al"))

            if prev_flat_grad is None:
                prev_flat_grad = xp.array(flat_grad, copy=True)
            else:
                prev_flat_grad[...] = flat_grad
            prev_loss = loss

            # the step size
            if state["n_iter"] == 1:
                t = min(1.0, _divide(1.0, float(xp.sum(xp.abs(flat_grad))))) * lr
            else:
                t = lr
            gtd = _dot(flat_grad, d)
            if gtd > -tolerance_change:  # not a descent direction
                break

            ls_func_evals = 0
            if line_search_fn is not None:
                if line_search_fn != "strong_wolfe":
                    raise RuntimeError("only 'strong_wolfe' is supported")
                start = [xp.array(array_of(p), copy=True) for p in params]

                def phi(
                    step_size: float, start: list[Array] = start, d: Array = d
                ) -> tuple[float, Array]:
                    self._move(step_size, d)
                    _, value, gradient = self._evaluate(closure)
                    assign_(params, start)
                    return value, gradient

                loss, flat_grad, t, ls_func_evals = _strong_wolfe(phi, t, d, loss, flat_grad, gtd)
                self._move(t, d)
                opt_cond = _max_abs(flat_grad) <= tolerance_grad
            else:
                self._move(t, d)
                opt_cond = False
                if n_iter != max_iter:
                    _, loss, flat_grad = self._evaluate(closure)
                    opt_cond = _max_abs(flat_grad) <= tolerance_grad
                    ls_func_evals = 1
            current_evals += ls_func_evals
            state["func_evals"] += ls_func_evals

            if n_iter == max_iter or current_evals >= max_eval or opt_cond:
                break
            if _max_abs(d * t) <= tolerance_change:
                break
            if abs(loss - prev_loss) < tolerance_change:
                break

        state["d"], state["t"] = d, t
        state["old_dirs"], state["old_stps"], state["ro"] = old_dirs, old_stps, ro
        state["H_diag"] = h_diag
        state["prev_flat_grad"], state["prev_loss"] = prev_flat_grad, prev_loss
        return orig_loss

    # ------------------------------------------------------------------ saving
    @staticmethod
    def _export_value(value: Any) -> Any:
        """Arrays (also inside the history lists) become tensors holding a copy."""
        if isinstance(value, list):
            return [LBFGS._export_value(v) for v in value]
        if is_array(value):
            return as_tensor_view(value.copy())
        return copy.deepcopy(value)

    @staticmethod
    def _import_value(value: Any, param: Tensor, name: str) -> Any:
        """Flat vectors (also inside the history lists) onto the parameters' device."""
        if isinstance(value, (list, tuple)):
            return [LBFGS._import_value(v, param, name) for v in value]
        array = Optimizer._import_array(value, param)
        if array is None:
            return copy.deepcopy(value)
        return array


# ---------------------------------------------------------------------- the arithmetic
def _dot(a: Array, b: Array) -> float:
    return float(get_array_module(a).dot(a, b))


def _max_abs(a: Array) -> float:
    xp = get_array_module(a)
    return float(xp.max(xp.abs(a)))


def _divide(a: float, b: float) -> float:
    """``a / b`` as IEEE arithmetic (and PyTorch's tensors) has it: ±inf or nan for b = 0."""
    if b != 0:
        return a / b
    if a == 0 or math.isnan(a):
        return math.nan
    return math.copysign(math.inf, a) * math.copysign(1.0, b)


def _two_loop(
    g: Array,
    ys: list[Array],
    ss: list[Array],
    rhos: list[float],
    h0: float,
    alphas: list[float | None],
) -> Array:
    """d = −H g by the two-loop recursion (the module's docstring); ``alphas`` is filled."""
    q = -g
    for i in range(len(ys) - 1, -1, -1):
        alphas[i] = alpha = _dot(ss[i], q) * rhos[i]
        q -= alpha * ys[i]
    r = q * h0
    for i in range(len(ys)):
        beta = _dot(ys[i], r) * rhos[i]
        r += (alphas[i] - beta) * ss[i]  # type: ignore[operator]
    return r


def _cubic_minimizer(
    t1: float,
    f1: float,
    g1: float,
    t2: float,
    f2: float,
    g2: float,
    bounds: tuple[float, float] | None = None,
) -> float:
    """The minimizer, within ``bounds`` (default: between t1 and t2), of the cubic with
    values f1, f2 and slopes g1, g2 at t1, t2 (Nocedal & Wright, eq. 3.59); the middle of
    the bounds when the cubic has no minimum."""
    low, high = bounds if bounds is not None else (min(t1, t2), max(t1, t2))
    d1 = g1 + g2 - 3 * _divide(f1 - f2, t1 - t2)
    d2_squared = d1 * d1 - g1 * g2
    if d2_squared >= 0:
        d2 = math.sqrt(d2_squared)
        if t1 <= t2:
            t = t2 - (t2 - t1) * _divide(g2 + d2 - d1, g2 - g1 + 2 * d2)
        else:
            t = t1 - (t1 - t2) * _divide(g1 + d2 - d1, g1 - g2 + 2 * d2)
        return min(max(t, low), high)
    return (low + high) / 2


@dataclass
class _Trial:
    """A point of the line search: step size, loss, flat gradient and slope gᵀd there."""

    t: float
    f: float
    g: Array
    gtd: float


def _strong_wolfe(
    phi: Callable[[float], tuple[float, Array]],
    t: float,
    d: Array,
    f: float,
    g: Array,
    gtd: float,
) -> tuple[float, Array, float, int]:
    """A step size along ``d`` that meets the strong Wolfe conditions (the module's
    docstring), from the first guess ``t``, given φ(0) = ``f``, its gradient ``g`` and slope
    ``gtd``: ``(φ(t), gradient at t, t, evaluations)``."""
    d_norm = _max_abs(d)
    origin = _Trial(0.0, f, g, gtd)

    def trial(step_size: float) -> _Trial:
        value, gradient = phi(step_size)
        return _Trial(step_size, value, gradient, _dot(gradient, d))

    def sufficient_decrease(point: _Trial) -> bool:
        return not point.f > f + _C1 * point.t * gtd

    def curvature(point: _Trial) -> bool:
        return abs(point.gtd) <= -_C2 * gtd

    # Bracketing: grow t until an interval surely holds a point that meets both conditions.
    previous, current = origin, trial(t)
    evals, done, iteration = 1, False, 0
    bracket: list[_Trial] = []
    while iteration < _LS_MAX_EVALS:
        if not sufficient_decrease(current) or (iteration > 1 and current.f >= previous.f):
            bracket = [previous, current]
            break
        if curvature(current):
            bracket, done = [current], True
            break
        if current.gtd >= 0:
            bracket = [previous, current]
            break
        bounds = (current.t + 0.01 * (current.t - previous.t), current.t * 10)
        step_size = _cubic_minimizer(
            previous.t, previous.f, previous.gtd, current.t, current.f, current.gtd, bounds
        )
        previous, current = current, trial(step_size)
        evals += 1
        iteration += 1
    if iteration == _LS_MAX_EVALS:
        bracket = [origin, current]

    # Zoom: shrink the bracket around the lowest point until one meets both conditions.
    low, high = (0, 1) if bracket[0].f <= bracket[-1].f else (1, 0)
    stalled = False
    while not done and iteration < _LS_MAX_EVALS:
        a, b = bracket
        if abs(b.t - a.t) * d_norm < _LS_TOLERANCE:
            break
        step_size = _cubic_minimizer(a.t, a.f, a.gtd, b.t, b.f, b.gtd)
        left, right = min(a.t, b.t), max(a.t, b.t)
        margin = 0.1 * (right - left)
        if min(right - step_size, step_size - left) < margin:  # close to an end
            if stalled or step_size >= right or step_size <= left:
                if abs(step_size - right) < abs(step_size - left):
                    step_size = right - margin
                else:
                    step_size = left + margin
                stalled = False
            else:
                stalled = True
        else:
            stalled = False
        point = trial(step_size)
        evals += 1
        iteration += 1
        if not sufficient_decrease(point) or point.f >= bracket[low].f:
            bracket[high] = point
            low, high = (0, 1) if bracket[0].f <= bracket[1].f else (1, 0)
        else:
            if curvature(point):
                done = True
            elif point.gtd * (bracket[high].t - bracket[low].t) >= 0:
                bracket[high] = bracket[low]
            bracket[low] = point

    best = bracket[low]
    return best.f, best.g, best.t, evals
