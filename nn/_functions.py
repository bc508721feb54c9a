"""The fused graph nodes of ``minigrad.nn``: one :class:`~minigrad.autograd.Function` each.

Each node computes on raw arrays through the namespace of its inputs
(:func:`~minigrad.backend.get_array_module`), so the same code runs on NumPy,
CuPy and the strict test backend. The math of every forward and backward is
written beside it. Argument checking lives in :mod:`minigrad.nn.functional`;
these classes assume valid, same-device, same-dtype arrays.

Reductions (``reduction`` = ``'mean'`` | ``'sum'`` | ``'none'``) are folded into
the loss nodes: the backward of a mean is the element-wise derivative times
``dy / n``, of a sum times ``dy``, of ``'none'`` times ``dy`` element-wise.
"""

from __future__ import annotations

from typing import Any

from minigrad.autograd import Function
from minigrad.backend import get_array_module
from minigrad.ops.activation import log_softmax_array

__all__ = [
    "Linear",
    "Dropout",
    "MSELoss",
    "L1Loss",
    "CrossEntropy",
    "NLLLoss",
    "BCELoss",
    "BCEWithLogits",
]

Array = Any


def _reduce(elementwise: Array, reduction: str) -> Array:
    """Apply a loss reduction to an array of per-element losses."""
    if reduction == "mean":
        return elementwise.mean()
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
    out = loss.sum() / _nonzero(norm)
    if isinstance(norm, int):
        return out if norm else out * float("nan")
    return get_array_module(out).where(norm == 0, out.dtype.type("nan"), out)


def _scale(g: Array, reduction: str, count: Any) -> Array:
    """The factor d(reduced)/d(element) · dy of a reduction (``count`` elements for mean)."""
    if reduction == "mean":
        return g / count
    return g


# ----------------------------------------------------------------------------- layers
class Linear(Function):
    # y = x Wᵀ + b   (x: (*, in), W: (out, in), b: (out,))
    # dx = dy W,  dW = dyᵀ x  (leading dims flattened),  db = Σ dy over the leading dims
    __slots__ = ("x", "w")

    def forward(self, x: Array, w: Array, b: Array | None = None) -> Array:
        self.x, self.w = x, w
        if x.ndim == 2:
            y = x @ w.T
        elif x.ndim == 1:
            y = w @ x
        else:
            y = (x.reshape(-1, x.shape[-1]) @ w.T).reshape(x.shape[:-1] + (w.shape[0],))
        if b is not None:
            y += b
        return y

    def backward(self, g: Array) -> tuple[Array | None, ...]:
        x, w = self.x, self.w
        if g.ndim != 2:
            g = g.reshape(-1, w.shape[0])
        gx = gw = gb = None
        if self.needs_grad(0):  # the first layer's input is data: skip its gradient
            gx = g @ w
            if gx.shape != x.shape:
                gx = gx.reshape(x.shape)
        if self.needs_grad(1):
            gw = g.T @ (x if x.ndim == 2 else x.reshape(-1, w.shape[1]))
        if len(self.inputs) > 2 and self.needs_grad(2):
            gb = g.sum(axis=0)
        return gx, gw, gb


class Dropout(Function):
    # y = x · m,  m = keep / (1 - p) (inverted dropout);  dx = dy · m
    __slots__ = ("mask",)

    def forward(self, x: Array, mask: Array) -> Array:
        self.mask = mask
        return x * mask

    def backward(self, g: Array) -> tuple[Array, None]:
        return g * self.mask, None


# ----------------------------------------------------------------------- regression losses
class MSELoss(Function):
    # ℓ = (x - y)²;  dℓ/dx = 2 (x - y),  dℓ/dy = -2 (x - y)
    __slots__ = ("diff", "reduction")

    def forward(self, x: Array, y: Array, reduction: str) -> Array:
        diff = x - y
        self.diff, self.reduction = diff, reduction
        return _reduce(diff * diff, reduction)

    def backward(self, g: Array) -> tuple[Array | None, Array | None, None]:
        d = self.diff * (2 * _scale(g, self.reduction, self.diff.size))
        return d, (-d if self.needs_grad(1) else None), None


class L1Loss(Function):
    # ℓ = |x - y|;  dℓ/dx = sign(x - y) (0 at 0, as PyTorch),  dℓ/dy = -sign(x - y)
    __slots__ = ("diff", "reduction")

    def forward(self, x: Array, y: Array, reduction: str) -> Array:
        diff = x - y
        self.diff, self.reduction = diff, reduction
        return _reduce(abs(diff), reduction)

    def backward(self, g: Array) -> tuple[Array | None, Array | None, None]:
        xp = get_array_module(self.diff)
        d = xp.sign(self.diff) * _scale(g, self.reduction, self.diff.size)
        return d, (-d if self.needs_grad(1) else None), None


# ----------------------------------------------------------------------- classification losses
def _class_shape(ndim: int, dim: int, n: int) -> tuple[int, ...]:
    """A shape that broadcasts a length-``n`` vector along axis ``dim`` of ``ndim`` axes."""
    shape = [1] * ndim
    shape[dim] = n
    return tuple(shape)


def _one_hot_weighted(shape: tuple[int, ...], target: Array, values: Array, dim: int) -> Array:
    """An array of ``shape``: ``values[i]`` at class ``target[i]`` along axis ``dim``, else 0."""
    xp = get_array_module(target)
    classes = xp.arange(shape[dim]).reshape(_class_shape(len(shape), dim, shape[dim]))
    hot = classes == xp.expand_dims(target, dim)
    return hot * xp.expand_dims(values, dim)


class CrossEntropy(Function):
    """Fused log-softmax + negative log-likelihood, with weights and label smoothing.

    Class-index targets yᵢ (ε = label_smoothing, C classes, w the class weights,
    ignored targets contribute nothing)::

        ℓᵢ = (1 - ε) · w_yᵢ · (-log pᵢ,yᵢ) + (ε / C) · Σ_c w_c · (-log pᵢ,c)
        mean = Σᵢ ℓᵢ / Σᵢ w_yᵢ   (over the targets that are not ignored)

    Class-probability targets tᵢ,c: ℓᵢ = -Σ_c w_c · t'ᵢ,c · log pᵢ,c with
    t' = (1 - ε) t + ε / C, and ``mean`` divides by the number of samples.

    Both are ℓᵢ = -Σ_c qᵢ,c log pᵢ,c for a weighted target distribution q, so the
    backward is one expression: dℓᵢ/dxᵢ = softmax(xᵢ) · Σ_c qᵢ,c - qᵢ
    (softmax minus target when the weights are 1).
    """

    __slots__ = (
        "logp",
        "target",
        "weight",
        "valid",
        "weight_t",
        "smoothing",
        "reduction",
        "norm",
        "dim",
        "probabilities",
    )

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
        logp = log_softmax_array(x, dim)
        n_classes = x.shape[dim]
        eps = label_smoothing
        self.logp, self.weight, self.smoothing = logp, weight, eps
        self.reduction, self.dim = reduction, dim
        w_b = self._broadcast_weight()
        if target.dtype.kind == "f":  # class probabilities
            self.probabilities = True
            t = target if target.dtype == x.dtype else target.astype(x.dtype)
            if eps:
                t = t * (1 - eps) + eps / n_classes
            q = t if w_b is None else t * w_b
            self.target = q  # the backward needs only the weighted distribution
            loss = -(q * logp).sum(axis=dim)
            self.norm = loss.size
        else:  # class indices
            self.probabilities = False
            valid = target != ignore_index
            safe = xp.where(valid, target, 0)
            picked = xp.take_along_axis(logp, xp.expand_dims(safe, dim), axis=dim)
            picked = picked.squeeze(dim)
            weight_t = valid.astype(x.dtype) if weight is None else weight[safe] * valid
            loss = picked * weight_t
            loss *= -(1 - eps)
            if eps:
                smooth = logp.sum(axis=dim) if w_b is None else (logp * w_b).sum(axis=dim)
                loss -= smooth * valid * (eps / n_classes)
            self.target, self.valid, self.weight_t = safe, valid, weight_t
            self.norm = weight_t.sum()
        if reduction == "mean":
            return _weighted_mean(loss, self.norm)
        if reduction == "sum":
            return loss.sum()
        return loss

    def _broadcast_weight(self) -> Array | None:
        """The class weights shaped to broadcast along the class dimension (None: all 1)."""
        if self.weight is None:
            return None
        logp = self.logp
        return self.weight.reshape(_class_shape(logp.ndim, self.dim, logp.shape[self.dim]))

    def _distribution(self) -> Array:
        """The weighted target distribution q of the docstring, shaped like the input."""
        if self.probabilities:
            return self.target
        logp, dim, eps = self.logp, self.dim, self.smoothing
        values = self.weight_t * (1 - eps) if eps else self.weight_t
        q = _one_hot_weighted(logp.shape, self.target, values, dim)
        if eps:
            n = logp.shape[dim]
            xp = get_array_module(logp)
            w = self._broadcast_weight()
            smooth = xp.expand_dims(self.valid, dim) * (eps / n)
            q = q + (smooth if w is None else smooth * w)
        return q

    def backward(self, g: Array) -> tuple[Array | None, Array | None, None, None, None, None, None]:
        xp = get_array_module(g)
        dim = self.dim
        if self.reduction == "none":
            g = xp.expand_dims(g, dim)
        elif self.reduction == "mean":
            g = g / _nonzero(self.norm)
        gx = gt = None
        if self.needs_grad(0):
            q = self._distribution()
            gx = xp.exp(self.logp)
            gx *= q.sum(axis=dim, keepdims=True)
            gx -= q
            gx *= g
        if self.probabilities and self.needs_grad(1):
            # dℓ/dt = -(1 - ε) · w · log p
            w = self._broadcast_weight()
            gt = self.logp * (-(1 - self.smoothing)) * g
            if w is not None:
                gt *= w
        return gx, gt, None, None, None, None, None


class NLLLoss(Function):
    # ℓᵢ = -w_yᵢ · xᵢ,yᵢ (ignored targets give 0);  mean = Σᵢ ℓᵢ / Σᵢ w_yᵢ
    # dℓᵢ/dxᵢ,c = -w_yᵢ where c = yᵢ, else 0
    __slots__ = ("shape", "target", "weight_t", "reduction", "norm", "dim")

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
        valid = target != ignore_index
        safe = xp.where(valid, target, 0)
        picked = xp.take_along_axis(x, xp.expand_dims(safe, dim), axis=dim).squeeze(dim)
        weight_t = valid.astype(x.dtype) if weight is None else weight[safe] * valid
        loss = -(picked * weight_t)
        self.shape, self.target, self.weight_t, self.reduction, self.dim = (
            x.shape,
            safe,
            weight_t,
            reduction,
            dim,
        )
        if reduction == "mean":
            self.norm = weight_t.sum()
            return _weighted_mean(loss, self.norm)
        if reduction == "sum":
            return loss.sum()
        return loss

    def backward(self, g: Array) -> tuple[Array, None, None, None, None, None]:
        if self.reduction == "mean":
            g = g / _nonzero(self.norm)
        values = self.weight_t * -g
        gx = _one_hot_weighted(self.shape, self.target, values, self.dim)
        return gx, None, None, None, None, None


def _clamped_log(v: Array) -> Array:
    """log v clamped to ≥ -100, as PyTorch's BCELoss: log 0 = -100 (finite, no warning)."""
    xp = get_array_module(v)
    positive = v > 0
    return xp.maximum(xp.where(positive, xp.log(xp.where(positive, v, 1)), -100.0), -100.0)


class BCELoss(Function):
    # ℓ = -w [y log x + (1 - y) log(1 - x)]   (each log clamped to ≥ -100, as PyTorch)
    # dℓ/dx = w (x - y) / max(x (1 - x), 1e-12),   dℓ/dy = w [log(1 - x) - log x]
    __slots__ = ("x", "y", "w", "log_x", "log_1mx", "reduction", "count")

    def forward(self, x: Array, y: Array, weight: Array | None, reduction: str) -> Array:
        log_x, log_1mx = _clamped_log(x), _clamped_log(1 - x)
        loss = -(y * log_x + (1 - y) * log_1mx)
        if weight is not None:
            loss = loss * weight
        self.x, self.y, self.w, self.log_x, self.log_1mx, self.reduction = (
            x,
            y,
            weight,
            log_x,
            log_1mx,
            reduction,
        )
        self.count = loss.size
        return _reduce(loss, reduction)

    def backward(self, g: Array) -> tuple[Array | None, Array | None, None, None]:
        xp = get_array_module(g)
        x, y = self.x, self.y
        scale = _scale(g, self.reduction, self.count)
        if self.w is not None:
            scale = scale * self.w
        gx = gy = None
        if self.needs_grad(0):
            gx = (x - y) / xp.maximum(x * (1 - x), 1e-12) * scale
        if self.needs_grad(1):
            gy = (self.log_1mx - self.log_x) * scale
        return gx, gy, None, None


class BCEWithLogits(Function):
    # ℓ = w [(1 - y + p y) softplus(x) - p y x]     (= -w [p y log σ(x) + (1 - y) log(1 - σ(x))])
    # softplus(x) = max(x, 0) + log(1 + e^-|x|) is finite for any x
    # dℓ/dx = w [(1 - y + p y) σ(x) - p y],   dℓ/dy = w [(p - 1) softplus(x) - p x]
    __slots__ = ("x", "y", "w", "p", "softplus", "reduction", "count")

    def forward(
        self, x: Array, y: Array, weight: Array | None, pos_weight: Array | None, reduction: str
    ) -> Array:
        xp = get_array_module(x)
        softplus = xp.maximum(x, 0) + xp.log1p(xp.exp(-abs(x)))
        if pos_weight is None:
            loss = softplus - y * x
        else:
            py = pos_weight * y
            loss = (1 - y + py) * softplus - py * x
        if weight is not None:
            loss = loss * weight
        self.x, self.y, self.w, self.p, self.softplus, self.reduction = (
            x,
            y,
            weight,
            pos_weight,
            softplus,
            reduction,
        )
        self.count = loss.size
        return _reduce(loss, reduction)

    def backward(self, g: Array) -> tuple[Array | None, Array | None, None, None, None]:
        xp = get_array_module(g)
        x, y, p = self.x, self.y, self.p
        scale = _scale(g, self.reduction, self.count)
        if self.w is not None:
            scale = scale * self.w
        gx = gy = None
        if self.needs_grad(0):
            sig = xp.tanh(x * 0.5)
            sig += 1
            sig *= 0.5
            gx = (sig - y) if p is None else (1 - y + p * y) * sig - p * y
            gx = gx * scale
        if self.needs_grad(1):
            gy = -x if p is None else (p - 1) * self.softplus - p * x
            gy = gy * scale
        return gx, gy, None, None, None
