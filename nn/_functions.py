"""The fused graph nodes of ``minigrad.nn``: one engine :class:`~minigrad.autograd.graph.Op` each.

Each forward computes on raw arrays through the namespace of its inputs
(:func:`~minigrad.backend.get_array_module`), so the same code runs on NumPy,
CuPy and the strict test backend. Each backward is written once against ``xp``
and serves both passes: arrays in the fast pass, tensors (differentiable) when a
graph of the gradient is wanted; what it needs besides the inputs it recomputes
from them. Argument checking lives in :mod:`minigrad.nn.functional`; these
classes assume valid, same-device, same-dtype arrays.

Reductions (``reduction`` = ``'mean'`` | ``'sum'`` | ``'none'``) are folded into
the loss nodes: the backward of a mean is the element-wise derivative times
``dy / n``, of a sum times ``dy``, of ``'none'`` times ``dy`` element-wise.
"""

from __future__ import annotations

import math
from typing import Any

from minigrad.autograd.graph import Op, records_graph
from minigrad.backend import get_array_module
from minigrad.ops.activation import LogSoftmax, Sigmoid
from minigrad.ops.reduction import kept_shape, mean_array

__all__ = [
    "Linear",
    "Dropout",
    "MSELoss",
    "L1Loss",
    "CrossEntropy",
    "NLLLoss",
    "BCELoss",
    "BCEWithLogits",
    "VectorNorm",
]

Array = Any


def _reduce(elementwise: Array, reduction: str) -> Array:
    """Apply a loss reduction to an array of per-element losses."""
    if reduction == "mean":  # nan over an empty batch, as PyTorch, without NumPy's warning
        return mean_array(elementwise) if elementwise.size else _weighted_mean(elementwise, 0)
    if reduction == "sum":
        return elementwise.sum()
    return elementwise


def _nonzero(norm: Any) -> Any:
    """``norm``, or 1 where it is 0.

    A weighted mean over no (or only zero-weight) targets is 0/0 = nan, as in
    PyTorch, but its gradient is 0: every weight is 0, so dividing by 1 gives it.
    """
    return norm + (norm == 0)


def _weighted_mean(loss: Array, norm: Any) -> Array:
    """Σ loss / norm; nan (without a floating-point warning) when norm is 0, as PyTorch."""
    total = loss.sum()
    if isinstance(norm, int):  # scalars of the loss's dtype: NumPy 1.x would go to float64
        return total / total.dtype.type(norm) if norm else total * total.dtype.type("nan")
    out = total / _nonzero(norm)
    return get_array_module(out).where(norm == 0, out.dtype.type("nan"), out)


def _scale(g: Array, reduction: str, count: Any, factor: float = 1.0) -> Array:
    """``factor`` · d(reduced)/d(element) · dy of a reduction (``count`` elements for mean)."""
    if reduction == "mean":
        return g * (factor / (count or 1))  # (an empty batch has an empty gradient)
    return g * factor if factor != 1 else g


# ----------------------------------------------------------------------------- layers
class Linear(Op):
    # y = x Wᵀ + b   (x: (*, in), W: (out, in), b: (out,))
    # dx = dy W,  dW = dyᵀ x  (leading dims flattened),  db = Σ dy over the leading dims
    pytorch_name = "AddmmBackward0"
    __slots__ = ()
    saved_for = ((0, (1,)), (1, (0,)))  # x for dW, W for dx (nothing for db)

    def forward(self, x: Array, w: Array, b: Array | None = None) -> Array:
        if x.ndim == 2:
            y = x @ w.T
        elif x.ndim == 1:
            y = w @ x
        else:
            y = (x.reshape(-1, x.shape[-1]) @ w.T).reshape(x.shape[:-1] + (w.shape[0],))
        if b is not None:
            y += b
        return y

    def backward(self, xp: Any, g: Array, out: Any, x: Array, w: Array, b: Any = None) -> tuple:
        if g.ndim != 2:
            g = g.reshape(-1, w.shape[0])
        gx = gw = gb = None
        if self.needs_grad(0):  # the first layer's input is data: skip its gradient
            gx = g @ w
            if gx.shape != x.shape:
                gx = gx.reshape(x.shape)
        if self.needs_grad(1):
            gw = g.T @ (x if x.ndim == 2 else x.reshape(-1, w.shape[1]))
        if b is not None and self.needs_grad(2):
            gb = g.sum(0)
        return gx, gw, gb


class Dropout(Op):
    # y = x · m,  m = keep / (1 - p) (inverted dropout);  dx = dy · m
    __slots__ = ()

    def forward(self, x: Array, mask: Array) -> Array:
        return x * mask

    def backward(self, xp: Any, g: Array, out: Any, x: Array, mask: Array) -> tuple:
        return g * mask, None


# ----------------------------------------------------------------------- regression losses
def _numel(x: Any) -> int:
    return math.prod(x.shape)


class MSELoss(Op):
    # ℓ = (x - y)²;  dℓ/dx = 2 (x - y),  dℓ/dy = -2 (x - y)
    pytorch_name = "MseLossBackward0"
    __slots__ = ()
    saved = (0, 1)

    def forward(self, x: Array, y: Array, reduction: str) -> Array:
        diff = x - y
        return _reduce(diff * diff, reduction)

    def backward(self, xp: Any, g: Array, out: Any, x: Array, y: Array, reduction: str) -> tuple:
        d = (x - y) * _scale(g, reduction, _numel(x), 2.0)
        return d, (-d if self.needs_grad(1) else None), None


class L1Loss(Op):
    # ℓ = |x - y|;  dℓ/dx = sign(x - y) (0 at 0, as PyTorch),  dℓ/dy = -sign(x - y)
    __slots__ = ()
    saved = (0, 1)

    def forward(self, x: Array, y: Array, reduction: str) -> Array:
        return _reduce(abs(x - y), reduction)

    def backward(self, xp: Any, g: Array, out: Any, x: Array, y: Array, reduction: str) -> tuple:
        d = xp.sign(x - y) * _scale(g, reduction, _numel(x))
        return d, (-d if self.needs_grad(1) else None), None


# ----------------------------------------------------------------------- classification losses
def _class_shape(ndim: int, dim: int, n: int) -> tuple[int, ...]:
    """A shape that broadcasts a length-``n`` vector along axis ``dim`` of ``ndim`` axes."""
    shape = [1] * ndim
    shape[dim] = n
    return tuple(shape)


def _one_hot_weighted(xp: Any, shape: tuple[int, ...], target: Array, values: Any, dim: int) -> Any:
    """``values[i]`` at class ``target[i]`` along axis ``dim`` (``target`` an index array),
    else 0; ``values`` an array (scattered into zeros), or a tensor when ``xp`` records."""
    ax = get_array_module(target)
    if records_graph(xp):
        classes = ax.arange(shape[dim]).reshape(_class_shape(len(shape), dim, shape[dim]))
        hot = classes == ax.expand_dims(target, dim)
        return xp.expand_dims(values, dim) * hot
    out = ax.zeros(shape[:dim] + shape[dim + 1 :] + (shape[dim],), values.dtype)  # classes last
    out.reshape(-1, shape[dim])[ax.arange(target.size), target.reshape(-1)] = values.reshape(-1)
    return out if dim == len(shape) - 1 else ax.moveaxis(out, -1, dim)


def _pick(x: Array, target: Array, dim: int) -> Array:
    """``x[i, target[i]]`` along axis ``dim`` for every sample ``i`` (``target`` an index array)."""
    xp = get_array_module(target)
    if dim != x.ndim - 1:
        x = xp.moveaxis(x, dim, -1)
    rows = x.reshape(-1, x.shape[-1])  # a view when the classes were the last axis already
    return rows[xp.arange(target.size), target.reshape(-1)].reshape(target.shape)


def _index_targets(target: Array, weight: Array | None, ignore_index: int, dtype: Any) -> tuple:
    """For class-index targets: which are valid, the safe indices, each sample's weight, and
    the weights' sum Σᵢ w_yᵢ ('mean''s divisor; without weights, the count of valid targets as
    an int)."""
    xp = get_array_module(target)
    valid = target != ignore_index
    safe = xp.where(valid, target, 0)
    if weight is None:
        return valid, safe, valid.astype(dtype), int(xp.count_nonzero(valid))
    weight_t = weight[safe] * valid
    return valid, safe, weight_t, weight_t.sum()


class CrossEntropy(Op):
    """Fused log-softmax + negative log-likelihood, with weights and label smoothing.

    Class-index targets yᵢ (ε = label_smoothing, C classes, w the class weights,
    ignored targets contribute nothing, whatever their logits)::

        ℓᵢ = (1 - ε) · w_yᵢ · (-log pᵢ,yᵢ) + (ε / C) · Σ_c w_c · (-log pᵢ,c)
        mean = Σᵢ ℓᵢ / Σᵢ w_yᵢ   (over the targets that are not ignored)

    Class-probability targets tᵢ,c: ℓᵢ = -Σ_c w_c · t'ᵢ,c · log pᵢ,c with
    t' = (1 - ε) t + ε / C, and ``mean`` divides by the number of samples.

    Both are ℓᵢ = -Σ_c qᵢ,c log pᵢ,c for a weighted target distribution q, so the
    backward is one expression: dℓᵢ/dxᵢ = softmax(xᵢ) · Σ_c qᵢ,c - qᵢ
    (softmax minus target when the weights are 1), and dℓᵢ/dtᵢ = -(1 - ε) w log pᵢ.
    The fast pass reuses the forward's log p; a pass that builds a graph recomputes
    it from the input, differentiably.
    """

    pytorch_name = "NllLossBackward0"
    __slots__ = ("logp", "targets")
    logp: Any  # the forward's log p
    targets: Any  # its _index_targets (class-index targets); None once released
    saved = (0, 1)

    def forward(
        self,
        x: Array,
        target: Array,
        weight: Array | None,
        ignore_index: int,
        label_smoothing: float,
        reduction: str,
        dim: int,
    ) -> Array:
        xp = get_array_module(x)
        logp = self.logp = LogSoftmax.call(xp, x, dim)
        eps = label_smoothing
        if target.dtype.kind == "f":
            q, norm, _, _ = self._distribution(xp, logp, target, weight, ignore_index, eps, dim)
            loss = -(q * logp).sum(axis=dim)
        else:  # pick the target's log-probability: other logits may be -inf
            self.targets = _index_targets(target, weight, ignore_index, x.dtype)
            valid, safe, weight_t, norm = self.targets
            picked = _pick(logp, safe, dim)
            loss = picked * (-(1 - eps) if weight is None else weight_t * -(1 - eps))
            if eps:
                w = 1 if weight is None else weight.reshape(_class_shape(x.ndim, dim, x.shape[dim]))
                loss -= (logp * w).sum(axis=dim) * (eps / x.shape[dim])
            loss = xp.where(valid, loss, 0)  # an ignored row adds nothing, even with -inf logits
        if reduction == "mean":
            return _weighted_mean(loss, norm)
        return loss.sum() if reduction == "sum" else loss

    def _distribution(
        self,
        xp: Any,
        logp: Any,
        target: Any,
        weight: Any,
        ignore_index: int,
        eps: float,
        dim: int,
    ) -> tuple[Any, Any, Any, Any]:
        """q of the class docstring (like the input), the mean's divisor and, for class
        indices, which samples are not ignored and Σ_c q (kept along ``dim``)."""
        n_classes = logp.shape[dim]
        w = None if weight is None else weight.reshape(_class_shape(logp.ndim, dim, n_classes))
        if target.dtype.kind == "f":  # class probabilities
            t = target * (1 - eps) + eps / n_classes if eps else target
            return (t if w is None else t * w), _numel(target) // n_classes, None, None
        ax = get_array_module(target)
        valid, safe, weight_t, norm = self.targets
        picked = weight_t * (1 - eps) if eps else weight_t
        q = _one_hot_weighted(ax, logp.shape, safe, picked, dim)
        mass = picked  # Σ_c q = (1 - ε) w_y + ε/C Σ_c w_c (for the samples not ignored)
        if eps:
            smooth = ax.expand_dims(valid, dim) * (eps / n_classes)
            q = q + (smooth if w is None else smooth * w)
            mass = weight_t if w is None else mass + valid * (eps / n_classes * weight.sum())
        return q, norm, valid, ax.expand_dims(mass, dim)

    def backward(
        self,
        xp: Any,
        g: Any,
        out: Any,
        x: Any,
        target: Any,
        weight: Any,
        ignore_index: int,
        eps: float,
        reduction: str,
        dim: int,
    ) -> tuple:
        logp = LogSoftmax.call(xp, x, dim) if records_graph(xp) else self.logp
        q, norm, valid, mass = self._distribution(xp, logp, target, weight, ignore_index, eps, dim)
        if reduction == "none":
            g = xp.expand_dims(g, dim)
        elif reduction == "mean":
            g = g / _nonzero(norm)
        gx = gt = None
        if self.needs_grad(0):
            if mass is None:
                mass = q.sum(axis=dim, keepdims=True)
            gx = (xp.exp(logp) * mass - q) * g
            if valid is not None and not valid.all():  # ignored rows: 0, even with -inf logits
                gx = xp.where(get_array_module(valid).expand_dims(valid, dim), gx, 0)
        if valid is None and self.needs_grad(1):
            w = 1 if weight is None else weight.reshape(_class_shape(x.ndim, dim, x.shape[dim]))
            gt = logp * (-(1 - eps)) * g * w
        return gx, gt, None, None, None, None, None

    def release(self) -> None:
        self.logp = self.targets = None
        super().release()


class NLLLoss(Op):
    # ℓᵢ = -w_yᵢ · xᵢ,yᵢ (ignored targets give 0);  mean = Σᵢ ℓᵢ / Σᵢ w_yᵢ
    # dℓᵢ/dxᵢ,c = -w_yᵢ where c = yᵢ, else 0
    pytorch_name = "NllLossBackward0"
    __slots__ = ()

    def forward(
        self,
        x: Array,
        target: Array,
        weight: Array | None,
        ignore_index: int,
        reduction: str,
        dim: int,
    ) -> Array:
        xp = get_array_module(x)
        valid, safe, weight_t, norm = _index_targets(target, weight, ignore_index, x.dtype)
        picked = _pick(x, safe, dim)
        loss = xp.where(valid, -(picked * weight_t), 0)
        if reduction == "mean":
            return _weighted_mean(loss, norm)
        return loss.sum() if reduction == "sum" else loss

    def backward(
        self,
        xp: Any,
        g: Any,
        out: Any,
        x: Any,
        target: Any,
        weight: Any,
        ignore_index: int,
        reduction: str,
        dim: int,
    ) -> tuple:
        _, safe, weight_t, norm = _index_targets(target, weight, ignore_index, x.dtype)
        if reduction == "mean":
            g = g / _nonzero(norm)
        gx = _one_hot_weighted(xp, tuple(x.shape), safe, -g * weight_t, dim)
        return gx, None, None, None, None, None


def _clamped_log(xp: Any, v: Any) -> Any:
    """log v clamped to ≥ -100, as PyTorch's BCELoss: log 0 = -100 (finite, no warning)."""
    positive = v > 0
    return xp.maximum(xp.where(positive, xp.log(xp.where(positive, v, 1)), -100.0), -100.0)


class BCELoss(Op):
    # ℓ = -w [y log x + (1 - y) log(1 - x)]   (each log clamped to ≥ -100, as PyTorch)
    # dℓ/dx = w (x - y) / max(x (1 - x), 1e-12),   dℓ/dy = w [log(1 - x) - log x]
    pytorch_name = "BinaryCrossEntropyBackward0"
    __slots__ = ()
    saved = (0, 1)

    def forward(self, x: Array, y: Array, weight: Array | None, reduction: str) -> Array:
        xp = get_array_module(x)
        loss = -(y * _clamped_log(xp, x) + (1 - y) * _clamped_log(xp, 1 - x))
        if weight is not None:
            loss = loss * weight
        return _reduce(loss, reduction)

    def backward(
        self, xp: Any, g: Any, out: Any, x: Any, y: Any, weight: Any, reduction: str
    ) -> tuple:
        scale = _scale(g, reduction, _numel(x))
        if weight is not None:
            scale = scale * weight
        gx = gy = None
        if self.needs_grad(0):
            gx = (x - y) / xp.maximum(x * (1 - x), 1e-12) * scale
        if self.needs_grad(1):
            gy = (_clamped_log(xp, 1 - x) - _clamped_log(xp, x)) * scale
        return gx, gy, None, None


def _softplus(xp: Any, x: Any) -> Any:
    """softplus(x) = log(1 + eˣ) = max(x, 0) + log1p(e^-abs(x)), finite for any x."""
    return xp.maximum(x, 0) + xp.log1p(xp.exp(-abs(x)))


class BCEWithLogits(Op):
    # ℓ = w [(1 - y + p y) softplus(x) - p y x]     (= -w [p y log σ(x) + (1 - y) log(1 - σ(x))])
    # dℓ/dx = w [(1 - y + p y) σ(x) - p y],   dℓ/dy = w [(p - 1) softplus(x) - p x]
    pytorch_name = "BinaryCrossEntropyWithLogitsBackward0"
    __slots__ = ()
    saved = (0, 1)

    def forward(
        self, x: Array, y: Array, weight: Array | None, pos_weight: Array | None, reduction: str
    ) -> Array:
        softplus = _softplus(get_array_module(x), x)
        if pos_weight is None:
            loss = softplus - y * x
        else:
            py = pos_weight * y
            loss = (1 - y + py) * softplus - py * x
        if weight is not None:
            loss = loss * weight
        return _reduce(loss, reduction)

    def backward(
        self, xp: Any, g: Any, out: Any, x: Any, y: Any, weight: Any, p: Any, reduction: str
    ) -> tuple:
        scale = _scale(g, reduction, _numel(x))
        if weight is not None:
            scale = scale * weight
        gx = gy = None
        if self.needs_grad(0):
            sig = Sigmoid.call(xp, x)
            gx = (sig - y if p is None else (1 - y + p * y) * sig - p * y) * scale
        if self.needs_grad(1):
            gy = (-x if p is None else (p - 1) * _softplus(xp, x) - p * x) * scale
        return gx, gy, None, None, None


# ----------------------------------------------------------------------- distances
class VectorNorm(Op):
    # ‖x‖_p = (Σ |xᵢ|^p)^(1/p) over ``dim``;  p = ∞: max |xᵢ|,  p = -∞: min |xᵢ|,  p = 0: #{xᵢ ≠ 0}
    # d‖x‖_p = sign(x) |x|^(p-1) / ‖x‖^(p-1) dx   (p = 2: x / ‖x‖ dx, p = 1: sign(x) dx),
    # 0 where ‖x‖ = 0 (PyTorch's subgradient); p = ±∞: sign(x) dx at the extrema, shared by ties
    __slots__ = ()
    saved = (0,)
    saves_output = True

    def forward(self, x: Array, p: float, dim: Any, keepdim: bool) -> Array:
        a = abs(x)
        if p == math.inf:
            return a.max(axis=dim, keepdims=keepdim)
        if p == -math.inf:
            return a.min(axis=dim, keepdims=keepdim)
        if p == 0:
            return (x != 0).sum(axis=dim, keepdims=keepdim).astype(x.dtype)
        if p == 1:
            return a.sum(axis=dim, keepdims=keepdim)
        if p == 2:
            return get_array_module(x).sqrt((x * x).sum(axis=dim, keepdims=keepdim))
        return (a**p).sum(axis=dim, keepdims=keepdim) ** (1.0 / p)

    def backward(
        self, xp: Any, g: Any, out: Any, x: Any, p: float, dim: Any, keepdim: bool
    ) -> tuple:
        shape = kept_shape(tuple(x.shape), dim)
        g = g.reshape(shape)
        norm = out.reshape(shape)
        if p == 0:
            return g * x * 0.0, None, None, None
        if p in (math.inf, -math.inf):
            hit = abs(x) == norm
            return g * xp.sign(x) * hit / hit.sum(axis=dim, keepdims=True), None, None, None
        if p == 1:
            return g * xp.sign(x), None, None, None
        safe = xp.where(norm == 0, 1.0, norm)
        if p == 2:
            return g * x / safe, None, None, None
        ratio = xp.where(x == 0, 1.0, abs(x) / safe)  # p < 1: 0^(p-1) = ∞, times sign 0
        return g * xp.sign(x) * ratio ** (p - 1), None, None, None
