"""Layers and losses as functions of tensors (``import minigrad.nn.functional as F``).

The same names, signatures, defaults and semantics as ``torch.nn.functional``.
The modules of :mod:`minigrad.nn` call these; these check their arguments
(raising errors that name the expected and the received shapes) and hand the
arrays to one fused graph node of :mod:`minigrad.nn._functions` or of the engine.

``inplace=True`` (relu, leaky_relu, dropout) writes the result into the input
only when no graph is recorded for it; when the input needs a gradient the result
is computed out of place instead (PyTorch would overwrite it), so always use the
returned tensor: ``x = F.relu(x, inplace=True)``.

``reduction`` (losses): ``'mean'`` averages the per-element losses, ``'sum'``
adds them, ``'none'`` returns them. The deprecated ``size_average`` / ``reduce``
arguments are accepted, as in PyTorch, and mapped onto ``reduction``.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

from minigrad import random
from minigrad.autograd.graph import broadcastable
from minigrad.backend import get_array_module
from minigrad.dtypes import as_dtype, int64, is_floating
from minigrad.ops import activation
from minigrad.tensor import Tensor, _promote

from . import _functions

__all__ = [
    "linear",
    "relu",
    "leaky_relu",
    "sigmoid",
    "tanh",
    "softmax",
    "log_softmax",
    "dropout",
    "one_hot",
    "mse_loss",
    "l1_loss",
    "cross_entropy",
    "nll_loss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
]

_REDUCTIONS = ("mean", "sum", "none")


# ----------------------------------------------------------------------------- helpers
def _check_tensor(op: str, name: str, value: Any) -> None:
    if not isinstance(value, Tensor):
        raise TypeError(f"{op}(): argument '{name}' must be a Tensor, not {type(value).__name__}")


def _reduction(reduction: str, size_average: bool | None = None, reduce: bool | None = None) -> str:
    """Validate ``reduction``; map the deprecated ``size_average``/``reduce`` as PyTorch does."""
    if size_average is not None or reduce is not None:
        warnings.warn(
            "size_average and reduce args will be deprecated, please use reduction instead",
            UserWarning,
            stacklevel=3,
        )
        size_average = True if size_average is None else size_average
        reduce = True if reduce is None else reduce
        return "none" if not reduce else "mean" if size_average else "sum"
    if reduction not in _REDUCTIONS:
        raise ValueError(
            f"{reduction} is not a valid value for reduction (expected 'mean', 'sum' or 'none')"
        )
    return reduction


def _same_device(op: str, input: Tensor, name: str, other: Tensor) -> None:
    if type(other._array) is not type(input._array):
        raise RuntimeError(
            f"{op}(): expected all tensors to be on the same device, but '{name}' is on "
            f"{other.device} and the input on {input.device}"
        )


def _constant(op: str, input: Tensor, name: str, value: Any) -> Any:
    """A weight-like argument (tensor or None) as an array of the input's device and dtype."""
    if value is None:
        return None
    _check_tensor(op, name, value)
    _same_device(op, input, name, value)
    data = value._array
    return data if data.dtype == input.dtype else data.astype(input.dtype)


def _check_dropout_probability(p: Any) -> None:
    """``p`` must be a number in [0, 1] (shared by :func:`dropout` and ``nn.Dropout``)."""
    if isinstance(p, bool) or not isinstance(p, int | float) or not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p!r}")


def _check_label_smoothing(label_smoothing: Any) -> None:
    """``label_smoothing`` must be in [0, 1] (shared by :func:`cross_entropy` and its module)."""
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")


def _floating_input(op: str, input: Tensor) -> None:
    _check_tensor(op, "input", input)
    if not is_floating(input.dtype):
        raise TypeError(
            f"{op}(): expected a floating point input, got dtype {input.dtype}; call .float()"
        )


# ----------------------------------------------------------------------------- layers
def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = x Wᵀ + b for ``input`` of shape ``(*, in_features)`` and ``weight`` (out, in).

    One graph node: dx = dy W (only when x requires grad), dW = dyᵀ x, db = Σ dy.
    """
    _check_tensor("linear", "input", input)
    _check_tensor("linear", "weight", weight)
    if weight.ndim != 2:
        raise RuntimeError(
            f"linear(): weight must be 2-D of shape (out_features, in_features), got shape "
            f"{weight.shape}"
        )
    shape = input.shape
    if input.ndim == 0 or shape[-1] != weight.shape[1]:
        rows = math.prod(shape[:-1]) if input.ndim > 1 else 1
        cols = shape[-1] if input.ndim else 0
        raise RuntimeError(
            f"linear(): mat1 and mat2 shapes cannot be multiplied ({rows}x{cols} and "
            f"{'x'.join(str(n) for n in reversed(weight.shape))}): the input of shape {shape} "
            f"must have in_features={weight.shape[1]} elements in its last dimension"
        )
    if input.dtype != weight.dtype:
        raise RuntimeError(
            f"linear(): mat1 and mat2 must have the same dtype, but got {input.dtype} (input) "
            f"and {weight.dtype} (weight); convert the input with .to({weight.dtype}) or the "
            "module with .to(dtype)"
        )
    if bias is None:
        return _functions.Linear.apply(input, weight)
    _check_tensor("linear", "bias", bias)
    if bias.shape != (weight.shape[0],) or bias.dtype != weight.dtype:
        raise RuntimeError(
            f"linear(): bias must have shape ({weight.shape[0]},) and dtype {weight.dtype}, got "
            f"shape {bias.shape} and dtype {bias.dtype}"
        )
    return _functions.Linear.apply(input, weight, bias)


def _activation(input: Tensor, op: Any, inplace: bool, *params: Any) -> Tensor:
    """``op`` applied to ``input``; with ``inplace``, written into ``input``'s memory (and
    graph), as PyTorch's in-place activations."""
    if inplace:
        return input._apply_(op.__name__.lower() + "_", lambda x: op.apply(x, *params))
    return op.apply(input, *params)


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """relu(x) = max(x, 0) element-wise."""
    _check_tensor("relu", "input", input)
    return _activation(input, activation.Relu, inplace)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """leaky_relu(x) = x if x > 0 else negative_slope · x, element-wise."""
    _check_tensor("leaky_relu", "input", input)
    return _activation(input, activation.LeakyRelu, inplace, negative_slope)


def sigmoid(input: Tensor) -> Tensor:
    """σ(x) = 1 / (1 + e⁻ˣ) element-wise."""
    _check_tensor("sigmoid", "input", input)
    return input.sigmoid()


def tanh(input: Tensor) -> Tensor:
    """tanh(x) = (eˣ - e⁻ˣ) / (eˣ + e⁻ˣ) element-wise."""
    _check_tensor("tanh", "input", input)
    return input.tanh()


def _softmax_dim(name: str, ndim: int, dim: int | None) -> int:
    if dim is None:
        warnings.warn(
            f"Implicit dimension choice for {name} has been deprecated. Change the call to "
            "include dim=X as an argument.",
            UserWarning,
            stacklevel=3,
        )
        dim = 0 if ndim in (0, 1, 3) else 1
    return dim


def softmax(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:
    """softmax(x)ᵢ = exp(xᵢ) / Σⱼ exp(xⱼ) along ``dim`` (computed shifted by the maximum)."""
    _check_tensor("softmax", "input", input)
    if dtype is not None:
        input = input.to(as_dtype(dtype))
    return input.softmax(_softmax_dim("softmax", input.ndim, dim))


def log_softmax(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:
    """log_softmax(x)ᵢ = xᵢ - log Σⱼ exp(xⱼ) along ``dim``; finite for ``|x| ~ 1e4``."""
    _check_tensor("log_softmax", "input", input)
    if dtype is not None:
        input = input.to(as_dtype(dtype))
    return input.log_softmax(_softmax_dim("log_softmax", input.ndim, dim))


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Inverted dropout: y = x · m / (1 - p) with m ~ Bernoulli(1 - p) in training, else y = x.

    Each element is zeroed with probability ``p``; the kept ones are scaled by
    1 / (1 - p) so the expected output equals the input and evaluation needs no
    rescaling. The mask comes from the seeded generator of the input's device
    (``minigrad.manual_seed``). ``p = 1`` gives zeros.
    """
    _check_dropout_probability(p)
    _check_tensor("dropout", "input", input)
    if not training or p == 0:
        return input
    _floating_input("dropout", input)
    draw = input.dtype if input.dtype.itemsize >= 4 else as_dtype("float32")
    keep = random.default_generator(input.device).random(input.shape, dtype=draw) >= p
    mask = keep.astype(input.dtype)
    mask *= 0.0 if p == 1 else 1.0 / (1.0 - p)
    if inplace:
        return input.mul_(Tensor._from_op(mask))
    return _functions.Dropout.apply(input, mask)


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """An int64 tensor of shape ``(*, num_classes)``: 1 at each index of ``tensor``, 0 elsewhere."""
    _check_tensor("one_hot", "tensor", tensor)
    if tensor.dtype.kind not in "iu":
        raise TypeError(
            f"one_hot(): expected an integer tensor of class indices, got {tensor.dtype}"
        )
    data = tensor._array
    if num_classes == -1:
        num_classes = int(data.max()) + 1 if data.size else 0
    if data.size and (int(data.min()) < 0 or int(data.max()) >= num_classes):
        raise RuntimeError(f"one_hot(): class values must be in [0, {num_classes})")
    xp = get_array_module(data)
    out = xp.expand_dims(data, -1) == xp.arange(num_classes)
    return Tensor._from_op(out.astype(int64), None)


# ----------------------------------------------------------------------------- regression losses
def _regression_pair(op: str, input: Tensor, target: Tensor) -> tuple[Tensor, Tensor]:
    _check_tensor(op, "input", input)
    _check_tensor(op, "target", target)
    if input.shape != target.shape:
        if not broadcastable(input.shape, target.shape):
            raise RuntimeError(
                f"{op}(): the target of shape {target.shape} cannot be broadcast to the input "
                f"of shape {input.shape}; expected a target of shape {input.shape}"
            )
        warnings.warn(
            f"Using a target size {target.shape} that is different to the input size "
            f"{input.shape}. This will likely lead to incorrect results due to broadcasting. "
            "Please ensure they have the same size.",
            UserWarning,
            stacklevel=3,
        )
    if input.dtype != target.dtype:
        input, target = _promote(input, target)
    if not is_floating(input.dtype):
        input, target = input.float(), target.float()
    return input, target


def mse_loss(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Mean squared error: ℓ = (xᵢ - yᵢ)², reduced by ``reduction`` (mean over all elements)."""
    reduction = _reduction(reduction, size_average, reduce)
    input, target = _regression_pair("mse_loss", input, target)
    return _functions.MSELoss.apply(input, target, reduction)


def l1_loss(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Mean absolute error: ``ℓ = |xᵢ - yᵢ|``, reduced by ``reduction`` (mean over all elements)."""
    reduction = _reduction(reduction, size_average, reduce)
    input, target = _regression_pair("l1_loss", input, target)
    return _functions.L1Loss.apply(input, target, reduction)


# ----------------------------------------------------------------------------- classification
def _class_dim(op: str, input: Tensor) -> int:
    _floating_input(op, input)
    if input.ndim == 0:
        raise ValueError(
            f"{op}(): expected an input of shape (C,), (N, C) or (N, C, d1, ...), got a 0-d tensor"
        )
    return 0 if input.ndim == 1 else 1


def _index_target(op: str, input: Tensor, target: Tensor, dim: int, ignore_index: int) -> Any:
    """Check class-index targets (shape, dtype, range); return them as an int64 array."""
    shape = input.shape
    n_classes = shape[dim]
    expected = shape[:dim] + shape[dim + 1 :]
    if target.dtype.kind not in "iu":
        raise TypeError(
            f"{op}(): expected the target to hold integer class indices (int64) of shape "
            f"{expected}"
            + ("" if op == "nll_loss" else f" or class probabilities of shape {shape}")
            + f" for an input of shape {shape}, got a {target.dtype} target of shape "
            f"{target.shape}" + ("; convert it with .long()" if target.shape == expected else "")
        )
    if target.shape != expected:
        raise ValueError(
            f"{op}(): expected a target of shape {expected} (class indices) for an input of "
            f"shape {shape} (classes along dim {dim}), got a target of shape {target.shape}"
        )
    _same_device(op, input, "target", target)
    data = target._array if target.dtype == int64 else target._array.astype(int64)
    bad = ((data < 0) | (data >= n_classes)) & (data != ignore_index)
    if bool(bad.any()):
        value = int(data[bad][0].item())
        raise IndexError(
            f"{op}(): target {value} is out of bounds: class indices must be in "
            f"[0, {n_classes - 1}] (the input of shape {shape} has {n_classes} classes along "
            f"dim {dim}) or equal ignore_index={ignore_index}"
        )
    return data


def _class_weight(op: str, input: Tensor, weight: Tensor | None, dim: int) -> Any:
    if weight is None:
        return None
    _check_tensor(op, "weight", weight)
    n_classes = input.shape[dim]
    if weight.shape != (n_classes,):
        raise ValueError(
            f"{op}(): weight tensor should be defined either for all {n_classes} classes or no "
            f"classes: expected shape ({n_classes},), got {weight.shape}"
        )
    return _constant(op, input, "weight", weight)


def cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    ignore_index: int = -100,
    reduce: bool | None = None,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """Cross-entropy of logits ``input`` (N, C, d1, ...) / (C,) against ``target``.

    ``target`` is either integer class indices of shape (N, d1, ...) / () or class
    probabilities of the input's shape. With p = softmax(x) along dim 1,
    ε = ``label_smoothing``, C classes and class weights w (default 1)::

        indices:        ℓₙ = (1 - ε) w_yₙ (-log pₙ,yₙ) + (ε / C) Σ_c w_c (-log pₙ,c)
        probabilities:  ℓₙ = -Σ_c w_c ((1 - ε) tₙ,c + ε / C) log pₙ,c

    Targets equal to ``ignore_index`` contribute 0. ``'mean'`` divides
    Σₙ ℓₙ by Σₙ w_yₙ over the targets not ignored (class indices) or by the
    number of samples (probabilities). Computed through a stable log-softmax
    (finite for logits of magnitude 1e4); the backward is one fused node,
    dℓ/dx = (softmax(x) · Σ_c q_c - q) for the weighted target distribution q.
    """
    op = "cross_entropy"
    reduction = _reduction(reduction, size_average, reduce)
    dim = _class_dim(op, input)
    _check_tensor(op, "target", target)
    _check_label_smoothing(label_smoothing)
    w = _class_weight(op, input, weight, dim)
    if is_floating(target.dtype):
        if target.shape != input.shape:
            expected = input.shape[:dim] + input.shape[dim + 1 :]
            raise ValueError(
                f"{op}(): expected class probabilities of the input's shape {input.shape} or "
                f"integer class indices of shape {expected}, got a {target.dtype} target of "
                f"shape {target.shape}"
                + ("; convert class indices with .long()" if target.shape == expected else "")
            )
        _same_device(op, input, "target", target)
        if target.dtype != input.dtype:
            input, target = _promote(input, target)
            w = None if w is None else w.astype(input.dtype)
        return _functions.CrossEntropy.apply(
            input, target, w, ignore_index, float(label_smoothing), reduction, dim
        )
    data = _index_target(op, input, target, dim, ignore_index)
    return _functions.CrossEntropy.apply(
        input, data, w, ignore_index, float(label_smoothing), reduction, dim
    )


def nll_loss(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    ignore_index: int = -100,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Negative log-likelihood of log-probabilities ``input`` (N, C, d1, ...) / (C,).

    ℓₙ = -w_yₙ · xₙ,yₙ for class indices ``target`` of shape (N, d1, ...);
    targets equal to ``ignore_index`` contribute 0; ``'mean'`` divides by
    Σₙ w_yₙ over the targets not ignored. ``nll_loss(log_softmax(x, 1), y)``
    equals ``cross_entropy(x, y)``.
    """
    op = "nll_loss"
    reduction = _reduction(reduction, size_average, reduce)
    dim = _class_dim(op, input)
    _check_tensor(op, "target", target)
    w = _class_weight(op, input, weight, dim)
    data = _index_target(op, input, target, dim, ignore_index)
    return _functions.NLLLoss.apply(input, data, w, ignore_index, reduction, dim)


def _binary_pair(op: str, input: Tensor, target: Tensor, message: str) -> tuple[Tensor, Tensor]:
    _floating_input(op, input)
    _check_tensor(op, "target", target)
    if target.shape != input.shape:
        raise ValueError(f"{op}(): {message} (expected a target of shape {input.shape})")
    _same_device(op, input, "target", target)
    if target.dtype != input.dtype:
        input, target = _promote(input, target)
        if not is_floating(target.dtype):
            target = target.to(input.dtype)
    return input, target


def _elementwise_weight(op: str, input: Tensor, name: str, value: Tensor | None) -> Any:
    if value is not None:
        _check_tensor(op, name, value)
        if not broadcastable(value.shape, input.shape):
            raise ValueError(
                f"{op}(): {name} of shape {value.shape} cannot be broadcast to the input of "
                f"shape {input.shape}"
            )
    return _constant(op, input, name, value)


def binary_cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Binary cross-entropy of probabilities ``input`` in [0, 1] and targets of the same shape.

    ℓₙ = -wₙ [yₙ log xₙ + (1 - yₙ) log(1 - xₙ)], each log clamped to ≥ -100 (as
    PyTorch), so the loss is finite at x = 0 and x = 1. ``weight`` broadcasts to
    the input. Prefer :func:`binary_cross_entropy_with_logits` on logits.
    """
    op = "binary_cross_entropy"
    reduction = _reduction(reduction, size_average, reduce)
    input, target = _binary_pair(
        op,
        input,
        target,
        f"Using a target size {target.shape} that is different to the input size "
        f"{input.shape} is deprecated. Please ensure they have the same size.",
    )
    if input._array.size and bool(((input._array < 0) | (input._array > 1)).any()):
        raise RuntimeError(
            f"{op}(): all elements of input should be between 0 and 1 (probabilities); "
            "for logits use binary_cross_entropy_with_logits"
        )
    w = _elementwise_weight(op, input, "weight", weight)
    return _functions.BCELoss.apply(input, target, w, reduction)


def binary_cross_entropy_with_logits(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    pos_weight: Tensor | None = None,
) -> Tensor:
    """Sigmoid + binary cross-entropy in one numerically stable node.

    ℓₙ = -wₙ [p yₙ log σ(xₙ) + (1 - yₙ) log(1 - σ(xₙ))], computed as
    wₙ [(1 - yₙ + p yₙ) softplus(xₙ) - p yₙ xₙ] with
    ``softplus(x) = max(x, 0) + log(1 + e^-|x|)``, finite for any logit.
    ``pos_weight`` p (e.g. shape (C,)) weighs the positive examples of each class
    and broadcasts along the last dimension; ``weight`` broadcasts to the input.
    """
    op = "binary_cross_entropy_with_logits"
    reduction = _reduction(reduction, size_average, reduce)
    input, target = _binary_pair(
        op,
        input,
        target,
        f"Target size {target.shape} must be the same as input size {input.shape}",
    )
    w = _elementwise_weight(op, input, "weight", weight)
    p = _elementwise_weight(op, input, "pos_weight", pos_weight)
    return _functions.BCEWithLogits.apply(input, target, w, p, reduction)


# The layers of the book's later chapters live in modules of their own.
from ._functional_conv import *  # noqa: E402, F403  (conv2d, unfold, max_pool2d, ...)
from ._functional_norm import *  # noqa: E402, F403  (batch_norm, embedding, pad, ...)
