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
from collections.abc import Callable
from typing import Any, NoReturn

from minigrad import random
from minigrad.amp.policy import autocast_call
from minigrad.amp.state import state as _amp
from minigrad.autograd.graph import broadcastable
from minigrad.backend import get_array_module
from minigrad.creation import as_tensor, full_like, ones
from minigrad.dtypes import as_dtype, bool_, int64, is_floating, uint8
from minigrad.ops import activation
from minigrad.ops.elementwise import Where
from minigrad.tensor import Tensor, _promote, normalize_dim

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
    "gelu",
    "elu",
    "selu",
    "celu",
    "softplus",
    "softsign",
    "silu",
    "mish",
    "hardtanh",
    "relu6",
    "hardsigmoid",
    "hardswish",
    "logsigmoid",
    "tanhshrink",
    "softshrink",
    "hardshrink",
    "threshold",
    "rrelu",
    "prelu",
    "glu",
    "softmin",
    "gumbel_softmax",
    "smooth_l1_loss",
    "huber_loss",
    "kl_div",
    "poisson_nll_loss",
    "gaussian_nll_loss",
    "pairwise_distance",
    "cosine_similarity",
    "normalize",
    "cdist",
    "pdist",
    "cosine_embedding_loss",
    "margin_ranking_loss",
    "hinge_embedding_loss",
    "soft_margin_loss",
    "multilabel_soft_margin_loss",
    "multi_margin_loss",
    "multilabel_margin_loss",
    "triplet_margin_loss",
    "bilinear",
    "relu_",
    "leaky_relu_",
    "elu_",
    "selu_",
    "celu_",
    "hardtanh_",
    "threshold_",
    "rrelu_",
    "scaled_dot_product_attention",
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
    """PyTorch's NotImplementedError for an operation that has no integer or bool kernel."""
    _check_tensor(op, "input", input)
    if not is_floating(input.dtype):
        raise NotImplementedError(
            f"{op}(): not implemented for {input.dtype} tensors (as PyTorch); expected a "
            "floating point input: call .float()"
        )


# ----------------------------------------------------------------------------- layers
def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = x Wᵀ + b for ``input`` of shape ``(*, in_features)`` and ``weight`` (out, in).

    One graph node: dx = dy W (only when x requires grad), dW = dyᵀ x, db = Σ dy.
    """
    if _amp.active:
        return autocast_call("linear", linear, input, weight, bias)
    if isinstance(input, Tensor) and isinstance(weight, Tensor):
        # the checks on the arrays (plain tuples and NumPy dtypes: cheaper on this hot path)
        x, w = input._array, weight._array
        shape, wshape = x.shape, w.shape
        if len(wshape) == 2 and shape and shape[-1] == wshape[1] and x.dtype == w.dtype:
            if bias is None:
                return _functions.Linear.apply(input, weight)
            if isinstance(bias, Tensor):
                b = bias._array
                if b.shape == (wshape[0],) and b.dtype == w.dtype:
                    return _functions.Linear.apply(input, weight, bias)
    _raise_linear_error(input, weight, bias)


def _raise_linear_error(input: Any, weight: Any, bias: Any) -> NoReturn:
    """PyTorch's error for the arguments of :func:`linear` that do not fit."""
    _check_tensor("linear", "input", input)
    _check_tensor("linear", "weight", weight)
    shape, wshape, dtype = input.shape, weight.shape, weight.dtype
    if len(wshape) != 2:
        raise RuntimeError(
            "linear(): weight must be 2-D of shape (out_features, in_features), got shape "
            f"{weight.shape}"
        )
    if not shape or shape[-1] != wshape[1]:
        rows = math.prod(shape[:-1]) if len(shape) > 1 else 1
        cols = shape[-1] if shape else 0
        raise RuntimeError(
            f"linear(): mat1 and mat2 shapes cannot be multiplied ({rows}x{cols} and "
            f"{'x'.join(str(n) for n in reversed(wshape))}): the input of shape {input.shape} "
            f"must have in_features={wshape[1]} elements in its last dimension"
        )
    if input.dtype != dtype:
        raise RuntimeError(
            f"linear(): mat1 and mat2 must have the same dtype, but got {input.dtype} (input) "
            f"and {dtype} (weight); convert the input with .to({dtype}) (e.g. .float() for a "
            "float64 NumPy batch) or the module with .to(dtype)"
        )
    _check_tensor("linear", "bias", bias)
    raise RuntimeError(
        f"linear(): bias must have shape ({wshape[0]},) and dtype {dtype}, got "
        f"shape {bias.shape} and dtype {bias.dtype}"
    )


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


def softmax(
    input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None
) -> Tensor:
    """softmax(x)ᵢ = exp(xᵢ) / Σⱼ exp(xⱼ) along ``dim`` (computed shifted by the maximum)."""
    if _amp.active:  # float32 inside autocast, unless an explicit dtype is given
        op = "softmax" if dtype is None else None
        return autocast_call(op, softmax, input, dim, _stacklevel, dtype)
    _check_tensor("softmax", "input", input)
    if dtype is not None:
        input = input.to(as_dtype(dtype))
    return input.softmax(_softmax_dim("softmax", input.ndim, dim))


def log_softmax(
    input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None
) -> Tensor:
    """log_softmax(x)ᵢ = xᵢ - log Σⱼ exp(xⱼ) along ``dim``; finite for ``|x| ~ 1e4``."""
    if _amp.active:  # float32 inside autocast, unless an explicit dtype is given
        op = "log_softmax" if dtype is None else None
        return autocast_call(op, log_softmax, input, dim, _stacklevel, dtype)
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
        raise RuntimeError(
            f"one_hot(): expected an integer tensor of class indices, got {tensor.dtype}"
        )
    data = tensor._array
    if num_classes == -1:
        if not data.size:
            raise RuntimeError(
                "one_hot(): can not infer the total number of classes from an empty tensor; "
                "pass num_classes"
            )
        num_classes = int(data.max()) + 1
    elif num_classes < -1:
        raise RuntimeError(f"one_hot(): num_classes must be -1 or non-negative, got {num_classes}")
    if data.size and (int(data.min()) < 0 or int(data.max()) >= num_classes):
        raise RuntimeError(f"one_hot(): class values must be in [0, {num_classes})")
    xp = get_array_module(data)
    out = xp.expand_dims(data, -1) == xp.arange(num_classes)
    return Tensor._from_op(out.astype(int64), None)


# ----------------------------------------------------------------------------- regression losses
def _regression_pair(op: str, input: Tensor, target: Tensor) -> tuple[Tensor, Tensor]:
    _check_tensor(op, "input", input)
    _check_tensor(op, "target", target)
    if input._array.shape != target._array.shape:
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
        raise NotImplementedError(
            f"{op}(): not implemented for {input.dtype} input and target (as PyTorch); call "
            ".float() on them first"
        )
    return input, target


def mse_loss(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Mean squared error: ℓ = (xᵢ - yᵢ)², reduced by ``reduction`` (mean over all elements)."""
    if _amp.active:
        return autocast_call("mse_loss", mse_loss, input, target, size_average, reduce, reduction)
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
    if _amp.active:
        return autocast_call("l1_loss", l1_loss, input, target, size_average, reduce, reduction)
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
    if target.dtype not in (int64, uint8):  # PyTorch: Long or Byte
        raise RuntimeError(
            f"{op}(): expected target dtype to be Long or Byte (class indices, int64) of shape "
            f"{expected}"
            + ("" if op == "nll_loss" else f" or class probabilities of shape {shape}")
            + f" for an input of shape {shape}, but got a {target.dtype} target of shape "
            f"{target.shape}" + ("; convert it with .long()" if target.shape == expected else "")
        )
    if target.shape != expected:
        raise RuntimeError(
            f"{op}(): expected a target of shape {expected} (class indices) for an input of "
            f"shape {shape} (classes along dim {dim}), got a target of shape {target.shape}"
        )
    _same_device(op, input, "target", target)
    data = target._array if target.dtype == int64 else target._array.astype(int64)
    if data.size and (bool(data.min() < 0) or bool(data.max() >= n_classes)):
        _check_class_range(op, data, shape, dim, ignore_index)
    return data


def _check_class_range(op: str, data: Any, shape: Any, dim: int, ignore_index: int) -> None:
    """PyTorch's IndexError for a class index outside [0, C) that is not ``ignore_index``."""
    n_classes = shape[dim]
    bad = ((data < 0) | (data >= n_classes)) & (data != ignore_index)
    if bool(bad.any()):
        value = int(data[bad][0].item())
        raise IndexError(
            f"{op}(): target {value} is out of bounds: class indices must be in "
            f"[0, {n_classes - 1}] (the input of shape {shape} has {n_classes} classes along "
            f"dim {dim}) or equal ignore_index={ignore_index}"
        )


def _class_weight(op: str, input: Tensor, weight: Tensor | None, dim: int) -> Any:
    if weight is None:
        return None
    _check_tensor(op, "weight", weight)
    n_classes = input.shape[dim]
    if weight.shape != (n_classes,):
        raise RuntimeError(
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
    if _amp.active:
        return autocast_call(
            "cross_entropy",
            cross_entropy,
            input,
            target,
            weight,
            size_average,
            ignore_index,
            reduce,
            reduction,
            label_smoothing,
        )
    op = "cross_entropy"
    reduction = _reduction(reduction, size_average, reduce)
    dim = _class_dim(op, input)
    _check_tensor(op, "target", target)
    _check_label_smoothing(label_smoothing)
    w = _class_weight(op, input, weight, dim)
    if is_floating(target.dtype):
        if target.shape != input.shape:
            expected = input.shape[:dim] + input.shape[dim + 1 :]
            raise RuntimeError(
                f"{op}(): for an input of shape {input.shape}, expected target dtype to be "
                f"Long or Byte (class indices of shape {expected}) or class probabilities of "
                f"the input's shape, but got a {target.dtype} target of shape {target.shape}"
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
    if _amp.active:
        return autocast_call(
            "nll_loss",
            nll_loss,
            input,
            target,
            weight,
            size_average,
            ignore_index,
            reduce,
            reduction,
        )
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
    if not is_floating(target.dtype):
        raise RuntimeError(
            f"{op}(): expected a floating point target (as the input, {input.dtype}), got "
            f"{target.dtype}; convert it with .float()"
        )
    if target.dtype != input.dtype:
        input, target = _promote(input, target)
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
    if _amp.active:
        return autocast_call(
            "binary_cross_entropy",
            binary_cross_entropy,
            input,
            target,
            weight,
            size_average,
            reduce,
            reduction,
        )
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
    if target._array.size and bool(((target._array < 0) | (target._array > 1)).any()):
        raise RuntimeError(f"{op}(): all elements of target should be between 0 and 1")
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
    if _amp.active:
        return autocast_call(
            "binary_cross_entropy_with_logits",
            binary_cross_entropy_with_logits,
            input,
            target,
            weight,
            size_average,
            reduce,
            reduction,
            pos_weight,
        )
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


# ----------------------------------------------------------------------------- more activations
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _elementwise(input: Tensor, name: str, fn: Any, inplace: bool = False) -> Tensor:
    """``fn(input)`` for a floating ``input``; with ``inplace``, written into ``input``'s
    memory (and graph) as ``name_``, as PyTorch's in-place activations."""
    _floating_input(name, input)
    if inplace:
        return input._apply_(name + "_", fn)
    out = fn(input)
    return out if out.dtype == input.dtype else out.to(input.dtype)  # NumPy 1.x, 0-d float32


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """GELU(x) = x Φ(x), Φ the standard normal CDF: x (1 + erf(x/√2)) / 2.

    ``approximate='tanh'``: x (1 + tanh(√(2/π) (x + 0.044715 x³))) / 2.
    """
    if approximate not in ("none", "tanh"):
        raise RuntimeError(f"gelu(): approximate must be 'none' or 'tanh', but got {approximate!r}")
    return _elementwise(input, "gelu", lambda x: activation.Gelu.apply(x, approximate))


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """ELU(x) = x if x > 0 else α (eˣ - 1)."""
    return _elementwise(input, "elu", lambda x: activation.Elu.apply(x, alpha, 1.0, 1.0), inplace)


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """SELU(x) = s · (x if x > 0 else α (eˣ - 1)), α ≈ 1.6733, s ≈ 1.0507 (self-normalising)."""
    return _elementwise(
        input, "selu", lambda x: activation.Elu.apply(x, _SELU_ALPHA, _SELU_SCALE, 1.0), inplace
    )


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """CELU(x) = max(0, x) + min(0, α (e^(x/α) - 1))."""
    if alpha == 0:
        raise ValueError("celu(): alpha must not be 0 (the input is divided by alpha)")
    return _elementwise(
        input, "celu", lambda x: activation.Elu.apply(x, alpha, 1.0, 1.0 / alpha), inplace
    )


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """Softplus(x) = log(1 + e^(βx)) / β, and x where βx > ``threshold`` (linear there)."""
    if _amp.active:
        return autocast_call("softplus", softplus, input, beta, threshold)
    if beta == 0:
        raise ValueError("softplus(): beta must not be 0 (the result is divided by beta)")
    return _elementwise(input, "softplus", lambda x: activation.Softplus.apply(x, beta, threshold))


def softsign(input: Tensor) -> Tensor:
    """Softsign(x) = x / (1 + abs(x))."""
    return _elementwise(input, "softsign", lambda x: x / (x.abs() + 1))


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """SiLU(x) = x σ(x) (the swish function)."""
    return _elementwise(input, "silu", activation.Silu.apply, inplace)


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """Mish(x) = x tanh(softplus(x))."""
    return _elementwise(
        input, "mish", lambda x: x * activation.Softplus.apply(x, 1.0, 20.0).tanh(), inplace
    )


def _check_interval(op: str, min_val: float, max_val: float) -> None:
    if min_val > max_val:
        raise ValueError(f"{op}(): min_val cannot be greater than max_val ({min_val} > {max_val})")


def hardtanh(
    input: Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False
) -> Tensor:
    """HardTanh(x) = min(max(x, min_val), max_val); gradient 1 strictly inside, else 0."""
    _check_interval("hardtanh", min_val, max_val)
    return _elementwise(
        input, "hardtanh", lambda x: activation.Hardtanh.apply(x, min_val, max_val), inplace
    )


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """ReLU6(x) = min(max(x, 0), 6); gradient 1 on (0, 6), else 0."""
    return _elementwise(input, "relu6", lambda x: activation.Hardtanh.apply(x, 0.0, 6.0), inplace)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """Hardsigmoid(x) = 0 if x ≤ -3, 1 if x ≥ 3, else x/6 + 1/2."""
    return _elementwise(input, "hardsigmoid", activation.Hardsigmoid.apply, inplace)


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """Hardswish(x) = 0 if x ≤ -3, x if x ≥ 3, else x (x + 3) / 6."""
    return _elementwise(input, "hardswish", activation.Hardswish.apply, inplace)


def logsigmoid(input: Tensor) -> Tensor:
    """LogSigmoid(x) = log σ(x) = -softplus(-x), finite for any x."""
    return _elementwise(input, "logsigmoid", activation.LogSigmoid.apply)


def tanhshrink(input: Tensor) -> Tensor:
    """Tanhshrink(x) = x - tanh(x)."""
    return _elementwise(input, "tanhshrink", lambda x: x - x.tanh())


def _check_lambd(op: str, lambd: float) -> None:
    if lambd < 0:
        raise ValueError(f"{op}(): lambda must be greater or equal to 0, but found to be {lambd}")


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """Softshrink(x) = x - λ if x > λ, x + λ if x < -λ, else 0."""
    _check_lambd("softshrink", lambd)

    def shrink(x: Tensor) -> Tensor:
        return _where(x > lambd, x - lambd, _where(x < -lambd, x + lambd, 0.0))

    return _elementwise(input, "softshrink", shrink)


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """Hardshrink(x) = x if abs(x) > λ, else 0."""
    _check_lambd("hardshrink", lambd)
    return _elementwise(input, "hardshrink", lambda x: _where(x.abs() > lambd, x, 0.0))


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """Threshold(x) = x if x > threshold, else value."""
    return _elementwise(input, "threshold", lambda x: _where(x > threshold, x, value), inplace)


def rrelu(
    input: Tensor,
    lower: float = 1.0 / 8,
    upper: float = 1.0 / 3,
    training: bool = False,
    inplace: bool = False,
) -> Tensor:
    """Randomized leaky ReLU: x if x ≥ 0 else a·x.

    In training a ~ U(lower, upper) independently per element (from the device's
    seeded generator); in evaluation a = (lower + upper) / 2, deterministic.
    """
    if not lower <= upper:
        raise ValueError(f"rrelu(): lower bound {lower} must be at most the upper bound {upper}")
    if not training:
        return _elementwise(
            input, "rrelu", lambda x: activation.LeakyRelu.apply(x, (lower + upper) / 2), inplace
        )
    _floating_input("rrelu", input)
    draw = input.dtype if input.dtype.itemsize >= 4 else as_dtype("float32")
    uniform = random.default_generator(input.device).random(input.shape, dtype=draw)
    slope = (Tensor._from_op(uniform) * (upper - lower) + lower).to(input.dtype)
    return _elementwise(input, "rrelu", lambda x: _where(x > 0, x, x * slope), inplace)


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """PReLU(x) = x if x ≥ 0 else a·x, a learnable: one slope, or one per channel (dim 1).

    ``weight`` has 1 element, or ``input.size(1)`` (the channels) elements.
    """
    if _amp.active:
        return autocast_call("prelu", prelu, input, weight)
    _floating_input("prelu", input)
    _check_tensor("prelu", "weight", weight)
    channels = input.shape[1] if input.ndim >= 2 else 1
    if weight.numel() != 1 and (weight.ndim != 1 or weight.numel() != channels):
        raise RuntimeError(
            f"prelu(): mismatch of parameter numbers and input channel size: weight of shape "
            f"{weight.shape} has {weight.numel()} elements, but the input of shape {input.shape} "
            f"has {channels} channels (dim 1); use 1 parameter or one per channel"
        )
    _same_device("prelu", input, "weight", weight)
    if weight.numel() == 1:
        slope = weight.reshape(())
    else:
        slope = weight.reshape((channels,) + (1,) * (input.ndim - 2))
    return _where(input > 0, input, input * slope)


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """GLU(a, b) = a ⊗ σ(b), where ``input`` is split in half along ``dim`` into a and b."""
    _floating_input("glu", input)
    if input.ndim == 0:
        raise RuntimeError("glu(): does not support scalars because halving size must be even")
    dim = normalize_dim(dim, input.ndim, "glu")
    if input.shape[dim] % 2:
        raise RuntimeError(
            f"glu(): halving dimension must be even, but dimension {dim} is size "
            f"{input.shape[dim]} (input of shape {input.shape})"
        )
    half = input.shape[dim] // 2
    a, b = input.split([half, half], dim)
    return a * b.sigmoid()


def softmin(
    input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None
) -> Tensor:
    """softmin(x)ᵢ = exp(-xᵢ) / Σⱼ exp(-xⱼ) along ``dim`` (= softmax(-x))."""
    if _amp.active:
        op = "softmin" if dtype is None else None
        return autocast_call(op, softmin, input, dim, _stacklevel, dtype)
    _check_tensor("softmin", "input", input)
    if dtype is not None:
        input = input.to(as_dtype(dtype))
    return (-input).softmax(_softmax_dim("softmin", input.ndim, dim))


def gumbel_softmax(
    logits: Tensor, tau: float = 1.0, hard: bool = False, eps: float = 1e-10, dim: int = -1
) -> Tensor:
    """A differentiable sample from the categorical distribution of ``logits`` (Jang et al.).

    y = softmax((logits + g) / τ) along ``dim`` with g = −log E, E ~ Exp(1) (Gumbel noise).
    With ``hard=True`` the result is the one-hot vector of argmax y in the forward pass and
    has y's gradient (``one_hot − y.detach() + y``, the straight-through estimator).
    ``eps`` is unused, as in PyTorch.
    """
    _floating_input("gumbel_softmax", logits)
    gumbels = -full_like(logits, 0.0).exponential_().log()
    soft = ((logits + gumbels) / tau).softmax(_softmax_dim("gumbel_softmax", logits.ndim, dim))
    if not hard:
        return soft
    index = soft.argmax(dim, keepdim=True)
    one_hot = full_like(logits, 0.0).scatter_(dim, index, 1.0)
    return one_hot - soft.detach() + soft


def _where(condition: Tensor, input: Any, other: Any) -> Tensor:
    """``input`` where ``condition`` else ``other``, differentiable in the tensor branches."""
    return Where.apply(condition, input, other)


# ----------------------------------------------------------------------------- more losses
def _apply_reduction(loss: Tensor, reduction: str) -> Tensor:
    """The per-element losses reduced: their mean, their sum, or themselves ('none')."""
    if reduction == "mean":
        return loss.mean()
    return loss.sum() if reduction == "sum" else loss


def _float_operands(op: str, **named: Tensor) -> list[Tensor]:
    """Tensors that broadcast together, on one device, promoted to one floating dtype."""
    for name, value in named.items():
        _check_tensor(op, name, value)
    names, values = list(named), list(named.values())
    if not broadcastable(*(v.shape for v in values)):
        shapes = ", ".join(f"{n} {v.shape}" for n, v in named.items())
        raise RuntimeError(f"{op}(): the shapes of {shapes} cannot be broadcast together")
    for name, value in zip(names[1:], values[1:], strict=True):
        _same_device(op, values[0], name, value)
    first = values[0]
    for value in values[1:]:
        first, _ = _promote(first, value)
    dtype = first.dtype if is_floating(first.dtype) else as_dtype("float32")
    return [v if v.dtype == dtype else v.to(dtype) for v in values]


def smooth_l1_loss(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    beta: float = 1.0,
) -> Tensor:
    """Smooth L1: ℓ = 0.5 (x - y)² / β if abs(x - y) < β, else abs(x - y) - 0.5 β (β = 0: L1)."""
    if _amp.active:
        return autocast_call(
            "smooth_l1_loss", smooth_l1_loss, input, target, size_average, reduce, reduction, beta
        )
    reduction = _reduction(reduction, size_average, reduce)
    if beta < 0:
        raise RuntimeError(f"smooth_l1_loss(): beta must be non-negative, got {beta}")
    input, target = _regression_pair("smooth_l1_loss", input, target)
    if beta == 0:
        return _functions.L1Loss.apply(input, target, reduction)
    diff = input - target
    size = diff.abs()
    loss = _where(size < beta, diff * diff * (0.5 / beta), size - 0.5 * beta)
    return _apply_reduction(loss, reduction)


def huber_loss(
    input: Tensor,
    target: Tensor,
    reduction: str = "mean",
    delta: float = 1.0,
    weight: Tensor | None = None,
) -> Tensor:
    """Huber: ℓ = 0.5 (x - y)² if abs(x - y) < δ, else δ (abs(x - y) - 0.5 δ); times ``weight``.

    Equals δ · smooth_l1_loss with β = δ.
    """
    if _amp.active:
        return autocast_call("huber_loss", huber_loss, input, target, reduction, delta, weight)
    reduction = _reduction(reduction)
    if delta <= 0:
        raise RuntimeError(f"huber_loss(): delta must be positive, got {delta}")
    input, target = _regression_pair("huber_loss", input, target)
    diff = input - target
    size = diff.abs()
    loss = _where(size < delta, diff * diff * 0.5, (size - 0.5 * delta) * delta)
    if weight is not None:
        _check_tensor("huber_loss", "weight", weight)
        if weight.shape != input.shape:
            raise ValueError(
                f"huber_loss(): weights and input must have the same size: weight of shape "
                f"{weight.shape}, input of shape {input.shape}"
            )
        loss = loss * weight
    return _apply_reduction(loss, reduction)


def kl_div(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    log_target: bool = False,
) -> Tensor:
    """Kullback-Leibler divergence of log-probabilities ``input`` from ``target``.

    ℓ = t (log t - x) (0 where t = 0), or with ``log_target`` e^t (t - x).
    ``'batchmean'`` divides Σℓ by the batch size ``input.size(0)`` (the true KL
    divergence per sample); ``'mean'`` divides by the number of elements and warns.
    """
    if _amp.active:
        return autocast_call(
            "kl_div", kl_div, input, target, size_average, reduce, reduction, log_target
        )
    if size_average is not None or reduce is not None:
        reduction = _reduction(reduction, size_average, reduce)
    elif reduction == "mean":
        warnings.warn(
            "reduction: 'mean' divides the total loss by both the batch size and the support "
            "size.'batchmean' divides only by the batch size, and aligns with the KL div math "
            "definition.'mean' will be changed to behave the same as 'batchmean' in the next "
            "major release.",
            UserWarning,
            stacklevel=2,
        )
    elif reduction != "batchmean":
        reduction = _reduction(reduction)
    input, target = _float_operands("kl_div", input=input, target=target)
    if log_target:
        loss = target.exp() * (target - input)
    else:
        loss = target.xlogy(target) - target * input  # t log t = 0 at t = 0, NaN below 0
    if reduction == "batchmean":
        total = loss.sum()
        return total / input.shape[0] if input.ndim else total
    return _apply_reduction(loss, reduction)


def poisson_nll_loss(
    input: Tensor,
    target: Tensor,
    log_input: bool = True,
    full: bool = False,
    size_average: bool | None = None,
    eps: float = 1e-8,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Poisson negative log-likelihood of rates ``input`` for counts ``target``.

    ℓ = e^x - t x (``log_input``: x is the log-rate), else ℓ = x - t log(x + eps);
    ``full`` adds Stirling's term t log t - t + ½ log(2π t) where t > 1.
    """
    if _amp.active:
        return autocast_call(
            "poisson_nll_loss",
            poisson_nll_loss,
            input,
            target,
            log_input,
            full,
            size_average,
            eps,
            reduce,
            reduction,
        )
    reduction = _reduction(reduction, size_average, reduce)
    input, target = _float_operands("poisson_nll_loss", input=input, target=target)
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * (input + eps).log()
    if full:
        counted = target > 1
        t = _where(counted, target, 1.0)
        stirling = t * t.log() - t + (t * (2 * math.pi)).log() * 0.5
        loss = loss + _where(counted, stirling, 0.0)
    return _apply_reduction(loss, reduction)


def gaussian_nll_loss(
    input: Tensor,
    target: Tensor,
    var: Tensor | float,
    full: bool = False,
    eps: float = 1e-6,
    reduction: str = "mean",
) -> Tensor:
    """Gaussian negative log-likelihood: ℓ = ½ (log max(σ², eps) + (x - y)² / max(σ², eps)).

    ``full`` adds ½ log(2π). ``var`` has the input's shape, or one dimension less
    (then shared along the last one), or the input's shape with one dimension of
    size 1 (homoscedastic), or is a float. The clamp to ``eps`` does not stop the
    gradient of ``var`` (as PyTorch).
    """
    op = "gaussian_nll_loss"
    _check_tensor(op, "input", input)
    if isinstance(var, Tensor):
        variance = var
        if (variance < 0).sum().item() > 0:
            raise ValueError("gaussian_nll_loss(): var has negative entry/entries")
    elif isinstance(var, int | float) and not isinstance(var, bool):
        if var < 0:
            raise ValueError("gaussian_nll_loss(): var has negative entry/entries")
        variance = full_like(input, float(var))
    else:
        raise TypeError(
            f"{op}(): argument 'var' must be a Tensor or a float, not {type(var).__name__}"
        )
    if variance.shape != input.shape:
        if input.shape[:-1] == variance.shape:
            variance = variance.unsqueeze(-1)
        elif not (  # PyTorch's test: the sizes of var where it differs from the input sum to 1
            input.ndim == variance.ndim
            and sum(v for i, v in zip(input.shape, variance.shape, strict=True) if i != v) == 1
        ):
            raise ValueError(
                f"{op}(): var is of incorrect size: var of shape {variance.shape} for an input "
                f"of shape {input.shape} (expected the input's shape, the input's shape without "
                "its last dimension, or one dimension of size 1)"
            )
    reduction = _reduction(reduction)
    input, target, variance = _float_operands(op, input=input, target=target, var=variance)
    constant = variance.detach()
    variance = variance + (constant.clamp(min=eps) - constant)  # clamped; the gradient passes
    diff = input - target
    loss = (variance.log() + diff * diff / variance) * 0.5
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _apply_reduction(loss, reduction)


def _broadcast_shape(*shapes: tuple[int, ...]) -> tuple[int, ...]:
    """The shape that broadcastable ``shapes`` broadcast to."""
    ndim = max(len(shape) for shape in shapes)
    padded = [(1,) * (ndim - len(shape)) + shape for shape in shapes]
    return tuple(0 if 0 in sizes else max(sizes) for sizes in zip(*padded, strict=True))


def _vector_norm(x: Tensor, p: float, dim: Any, keepdim: bool = False) -> Tensor:
    """‖x‖_p over ``dim`` (see :class:`~minigrad.nn._functions.VectorNorm`)."""
    return _functions.VectorNorm.apply(x, float(p), dim, keepdim)


def pairwise_distance(
    x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False
) -> Tensor:
    """‖x1 - x2 + eps‖_p over the last dimension (inputs broadcast, e.g. (N, D) and (D,))."""
    x1, x2 = _float_operands("pairwise_distance", x1=x1, x2=x2)
    ndim = max(x1.ndim, x2.ndim)
    if ndim == 0:
        return _vector_norm((x1 - x2 + eps).reshape(1), p, 0, keepdim).reshape(
            (1,) if keepdim else ()
        )
    return _vector_norm(x1 - x2 + eps, p, ndim - 1, keepdim)


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """cos(x1, x2) = Σ x1·x2 / (max(‖x1‖, eps) · max(‖x2‖, eps)) along ``dim``.

    The inputs broadcast. As PyTorch, the clamp to ``eps`` does not stop the
    gradient of the norms.
    """
    if _amp.active:
        return autocast_call("cosine_similarity", cosine_similarity, x1, x2, dim, eps)
    x1, x2 = _float_operands("cosine_similarity", x1=x1, x2=x2)
    shape = _broadcast_shape(x1.shape, x2.shape)
    dim = normalize_dim(dim, len(shape), "cosine_similarity")

    def unit(x: Tensor) -> Tensor:
        x = x.expand(*shape)
        norm = _vector_norm(x, 2, dim, True)
        return x / (norm + (norm.detach().clamp(min=eps) - norm.detach()))

    return (unit(x1) * unit(x2)).sum(dim)


def normalize(
    input: Tensor, p: float = 2.0, dim: Any = 1, eps: float = 1e-12, out: Tensor | None = None
) -> Tensor:
    """x / max(‖x‖_p, eps) along ``dim`` (unit vectors; ``out`` receives a copy)."""
    if _amp.active:
        return autocast_call("normalize", normalize, input, p, dim, eps, out)
    _floating_input("normalize", input)
    axis = normalize_dim(dim, max(input.ndim, 1), "normalize") if isinstance(dim, int) else dim
    x = input.reshape(1) if input.ndim == 0 else input
    result = x / _vector_norm(x, p, axis, True).clamp(min=eps)
    result = result.reshape(()) if input.ndim == 0 else result
    if out is not None:
        out.copy_(result)
        return out
    return result


_CDIST_MODES = (
    "use_mm_for_euclid_dist_if_necessary",
    "use_mm_for_euclid_dist",
    "donot_use_mm_for_euclid_dist",
)


def cdist(
    x1: Tensor,
    x2: Tensor,
    p: float = 2.0,
    compute_mode: str = "use_mm_for_euclid_dist_if_necessary",
) -> Tensor:
    """Distances ‖x1ᵢ - x2ⱼ‖_p between the rows of (B, P, M) and (B, R, M): (B, P, R).

    Always computed from the differences (``compute_mode`` is accepted for PyTorch's
    sake: its matrix-product shortcut for p = 2 is faster but less accurate).
    """
    if _amp.active:
        return autocast_call("cdist", cdist, x1, x2, p, compute_mode)
    if compute_mode not in _CDIST_MODES:
        raise ValueError(f"cdist(): {compute_mode} is not a valid value for compute_mode")
    _floating_input("cdist", x1)
    _floating_input("cdist", x2)
    if x1.ndim < 2 or x2.ndim < 2 or x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(
            f"cdist(): x1 of shape {x1.shape} and x2 of shape {x2.shape} must be at least 2-D "
            "with the same number of columns"
        )
    _same_device("cdist", x1, "x2", x2)
    x1, x2 = _promote(x1, x2)
    diff = x1.unsqueeze(-2) - x2.unsqueeze(-3)
    return _vector_norm(diff, p, diff.ndim - 1)


def pdist(input: Tensor, p: float = 2.0) -> Tensor:
    """The distances ‖xᵢ - xⱼ‖_p for i < j between the N rows of (N, M), in row order."""
    if _amp.active:
        return autocast_call("pdist", pdist, input, p)
    _floating_input("pdist", input)
    if input.ndim != 2:
        raise RuntimeError(f"pdist(): expected a 2-D input, got shape {input.shape}")
    n = input.shape[0]
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
    first = as_tensor([i for i, _ in pairs], dtype=int64, device=input.device)
    second = as_tensor([j for _, j in pairs], dtype=int64, device=input.device)
    diff = input.index_select(0, first) - input.index_select(0, second)
    return _vector_norm(diff, p, 1)


def _signed_targets(op: str, input: Tensor, target: Tensor) -> Tensor:
    _check_tensor(op, "target", target)
    _same_device(op, input, "target", target)
    return target if target.dtype == input.dtype else target.to(input.dtype)


def cosine_embedding_loss(
    input1: Tensor,
    input2: Tensor,
    target: Tensor,
    margin: float = 0,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """ℓ = 1 - cos(x1, x2) where y = 1, max(0, cos(x1, x2) - margin) where y = -1.

    Inputs (N, D) with targets (N,), or (D,) with a 0-d target; cos uses
    ‖x‖² + 1e-12 for each norm (as PyTorch).
    """
    if _amp.active:
        return autocast_call(
            "cosine_embedding_loss",
            cosine_embedding_loss,
            input1,
            input2,
            target,
            margin,
            size_average,
            reduce,
            reduction,
        )
    op = "cosine_embedding_loss"
    reduction = _reduction(reduction, size_average, reduce)
    input1, input2 = _float_operands(op, input1=input1, input2=input2)
    _check_tensor(op, "target", target)
    if target.ndim not in (0, 1):
        raise RuntimeError(f"{op}(): 0D or 1D target tensor expected, multi-target not supported")
    if input1.ndim != target.ndim + 1 or input2.ndim != target.ndim + 1:
        raise RuntimeError(
            f"{op}(): {target.ndim}D target tensor expects {target.ndim + 1}D input tensors, "
            f"but found inputs with sizes {input1.shape} and {input2.shape}"
        )
    target = _signed_targets(op, input1, target)
    dim = target.ndim
    dot = (input1 * input2).sum(dim)
    squares = ((input1 * input1).sum(dim) + 1e-12) * ((input2 * input2).sum(dim) + 1e-12)
    cos = dot / squares.sqrt()
    loss = _where(target == 1, 1 - cos, 0.0) + _where(
        target == -1, (cos - margin).clamp(min=0), 0.0
    )
    return _apply_reduction(loss, reduction)


def margin_ranking_loss(
    input1: Tensor,
    input2: Tensor,
    target: Tensor,
    margin: float = 0,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """ℓ = max(0, -y (x1 - x2) + margin), y = 1 when x1 should rank higher, -1 otherwise."""
    if _amp.active:
        return autocast_call(
            "margin_ranking_loss",
            margin_ranking_loss,
            input1,
            input2,
            target,
            margin,
            size_average,
            reduce,
            reduction,
        )
    op = "margin_ranking_loss"
    reduction = _reduction(reduction, size_average, reduce)
    for name, value in (("input1", input1), ("input2", input2), ("target", target)):
        _check_tensor(op, name, value)
    if not input1.ndim == input2.ndim == target.ndim:
        raise RuntimeError(
            f"{op}(): all input tensors should have same dimension but got sizes: input1: "
            f"{input1.shape}, input2: {input2.shape}, target: {target.shape}"
        )
    input1, input2, target = _float_operands(op, input1=input1, input2=input2, target=target)
    loss = (-target * (input1 - input2) + margin).clamp(min=0)
    return _apply_reduction(loss, reduction)


def hinge_embedding_loss(
    input: Tensor,
    target: Tensor,
    margin: float = 1.0,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """ℓ = x where y = 1, max(0, margin - x) where y = -1 (x typically a distance)."""
    if _amp.active:
        return autocast_call(
            "hinge_embedding_loss",
            hinge_embedding_loss,
            input,
            target,
            margin,
            size_average,
            reduce,
            reduction,
        )
    op = "hinge_embedding_loss"
    reduction = _reduction(reduction, size_average, reduce)
    input, target = _float_operands(op, input=input, target=target)
    loss = _where(target != 1, (margin - input).clamp(min=0), 0.0) + _where(
        target != -1, input, 0.0
    )
    return _apply_reduction(loss, reduction)


def soft_margin_loss(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Two-class logistic loss ℓ = log(1 + e^(-y x)) for y ∈ {1, -1} (finite for any x)."""
    if _amp.active:
        return autocast_call(
            "soft_margin_loss", soft_margin_loss, input, target, size_average, reduce, reduction
        )
    op = "soft_margin_loss"
    reduction = _reduction(reduction, size_average, reduce)
    input, target = _float_operands(op, input=input, target=target)
    return _apply_reduction(-activation.LogSigmoid.apply(input * target), reduction)


def multilabel_soft_margin_loss(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """One-vs-all logistic loss of (N, C) logits against (N, C) 0/1 targets.

    ℓₙ = -(1/C) Σ_c w_c [y log σ(x) + (1 - y) log σ(-x)]_{n,c}.
    """
    op = "multilabel_soft_margin_loss"
    reduction = _reduction(reduction, size_average, reduce)
    input, target = _float_operands(op, input=input, target=target)
    if input.ndim == 0:
        raise RuntimeError(f"{op}(): expected an input of shape (C,) or (N, C), got a 0-d tensor")
    loss = -(
        target * activation.LogSigmoid.apply(input)
        + (1 - target) * activation.LogSigmoid.apply(-input)
    )
    if weight is not None:
        (weight,) = _float_operands(op, weight=weight)
        loss = loss * weight.to(loss.dtype)
    loss = loss.sum(input.ndim - 1) / input.shape[-1]
    return _apply_reduction(loss, reduction)


def _margin_inputs(op: str, input: Tensor, target: Tensor, target_shape: tuple) -> Any:
    """Check (C,)/(N, C) scores and integer targets; return (scores (N, C), targets array)."""
    _floating_input(op, input)
    _check_tensor(op, "target", target)
    if input.ndim not in (1, 2) or input.shape[-1] == 0:
        raise RuntimeError(
            f"{op}(): expected a non-empty 1-D (C,) or 2-D (N, C) input, got shape {input.shape}"
        )
    if target.dtype.kind not in "iu" or target.shape != target_shape:
        raise RuntimeError(
            f"{op}(): expected an integer target of shape {target_shape} for an input of shape "
            f"{input.shape}, got a {target.dtype} target of shape {target.shape}"
        )
    _same_device(op, input, "target", target)
    return input.reshape((-1, input.shape[-1])), target._array.astype(int64).reshape(
        (-1,) + target_shape[input.ndim - 1 :]
    )


def _rows(loss: Tensor, input: Tensor, reduction: str) -> Tensor:
    """Per-sample losses of (N,) rows, shaped back for a 1-D (single sample) input."""
    if reduction == "none":
        return loss if input.ndim == 2 else loss.reshape(())
    return _apply_reduction(loss, reduction)


def multi_margin_loss(
    input: Tensor,
    target: Tensor,
    p: int = 1,
    margin: float = 1.0,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Multi-class hinge loss of scores (N, C) / (C,) for class indices y (N,) / ().

    ℓₙ = (1/C) Σ_{i ≠ y} w_y max(0, margin - x_y + x_i)^p, p ∈ {1, 2}.
    """
    if _amp.active:
        return autocast_call(
            "multi_margin_loss",
            multi_margin_loss,
            input,
            target,
            p,
            margin,
            weight,
            size_average,
            reduce,
            reduction,
        )
    op = "multi_margin_loss"
    reduction = _reduction(reduction, size_average, reduce)
    if p not in (1, 2):
        raise ValueError("multi_margin_loss(): only p == 1 and p == 2 supported")
    scores, labels = _margin_inputs(op, input, target, input.shape[:-1])
    n_classes = scores.shape[1]
    if labels.size and (int(labels.min()) < 0 or int(labels.max()) >= n_classes):
        raise IndexError(f"{op}(): target out of range: class indices must be in [0, {n_classes})")
    xp = get_array_module(labels)
    hot = labels[:, None] == xp.arange(n_classes)
    picked = (scores * Tensor._from_op(hot.astype(scores.dtype))).sum(1, keepdim=True)
    hinge = (scores - picked + margin).relu()
    if p == 2:
        hinge = hinge * hinge
    hinge = hinge * Tensor._from_op((~hot).astype(scores.dtype))
    if weight is not None:
        _check_tensor(op, "weight", weight)
        if weight.ndim != 1:
            raise ValueError(f"{op}(): weight must be one-dimensional, got shape {weight.shape}")
        hinge = hinge * weight.to(scores.dtype).index_select(0, Tensor._from_op(labels)).unsqueeze(
            1
        )
    return _rows(hinge.sum(1) / n_classes, input, reduction)


def multilabel_margin_loss(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Multi-label hinge loss of scores (N, C) / (C,) for label lists ``target`` of the same shape.

    The labels of a sample are its target entries up to the first -1;
    ℓₙ = (1/C) Σ_{j labelled} Σ_{i not labelled} max(0, 1 - (x_j - x_i)).
    """
    if _amp.active:
        return autocast_call(
            "multilabel_margin_loss",
            multilabel_margin_loss,
            input,
            target,
            size_average,
            reduce,
            reduction,
        )
    op = "multilabel_margin_loss"
    reduction = _reduction(reduction, size_average, reduce)
    scores, labels = _margin_inputs(op, input, target, input.shape)
    n_classes = scores.shape[1]
    if labels.size and (int(labels.min()) < -1 or int(labels.max()) >= n_classes):
        raise IndexError(f"{op}(): target out of range: labels must be in [-1, {n_classes})")
    xp = get_array_module(labels)
    listed = (labels < 0).cumsum(axis=1) == 0  # (N, C): entries before the first -1
    hot = (labels[:, :, None] == xp.arange(n_classes)) & listed[:, :, None]  # (N, j, C)
    labelled = hot.any(axis=1)  # (N, C)
    picked = (scores.unsqueeze(1) * Tensor._from_op(hot.astype(scores.dtype))).sum(2)  # (N, j)
    hinge = (scores.unsqueeze(1) - picked.unsqueeze(2) + 1.0).relu()  # (N, j, i)
    pairs = listed[:, :, None] & ~labelled[:, None, :]
    loss = (hinge * Tensor._from_op(pairs.astype(scores.dtype))).sum((1, 2)) / n_classes
    return _rows(loss, input, reduction)


def triplet_margin_loss(
    anchor: Tensor,
    positive: Tensor,
    negative: Tensor,
    margin: float = 1.0,
    p: float = 2,
    eps: float = 1e-6,
    swap: bool = False,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """ℓ = max(d(a, p) - d(a, n) + margin, 0), d the :func:`pairwise_distance` (p, eps).

    ``swap``: d(a, n) is replaced by min(d(a, n), d(p, n)) (the harder negative).
    """
    if _amp.active:
        return autocast_call(
            "triplet_margin_loss",
            triplet_margin_loss,
            anchor,
            positive,
            negative,
            margin,
            p,
            eps,
            swap,
            size_average,
            reduce,
            reduction,
        )
    op = "triplet_margin_loss"
    reduction = _reduction(reduction, size_average, reduce)
    if margin <= 0:
        raise ValueError(f"{op}(): margin must be greater than 0, got {margin}")
    anchor, positive, negative = _float_operands(
        op, anchor=anchor, positive=positive, negative=negative
    )
    if not anchor.ndim == positive.ndim == negative.ndim:
        raise RuntimeError(
            f"{op}(): the anchor, positive, and negative tensors are expected to have the same "
            f"number of dimensions, but got: anchor {anchor.ndim}D, positive {positive.ndim}D, "
            f"and negative {negative.ndim}D inputs"
        )
    distance_positive = pairwise_distance(anchor, positive, p, eps)
    distance_negative = pairwise_distance(anchor, negative, p, eps)
    if swap:
        distance_negative = distance_negative.minimum(pairwise_distance(positive, negative, p, eps))
    loss = (distance_positive - distance_negative + margin).clamp(min=0)
    return _apply_reduction(loss, reduction)


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """Bilinear map yₖ = x1ᵀ Aₖ x2 + bₖ.

    ``input1`` (*, in1), ``input2`` (*, in2), ``weight`` A (out, in1, in2), ``bias`` (out,).
    """
    if _amp.active:
        return autocast_call("bilinear", bilinear, input1, input2, weight, bias)
    op = "bilinear"
    for name, value in (("input1", input1), ("input2", input2), ("weight", weight)):
        _check_tensor(op, name, value)
    if (
        weight.ndim != 3
        or input1.ndim == 0
        or input1.shape[-1] != weight.shape[1]
        or input2.shape[-1:] != weight.shape[2:]
        or input1.shape[:-1] != input2.shape[:-1]
    ):
        raise RuntimeError(
            f"{op}(): expected input1 (*, in1), input2 (*, in2) with the same leading shape and "
            f"weight (out, in1, in2); got input1 {input1.shape}, input2 {input2.shape}, weight "
            f"{weight.shape}"
        )
    out, in1, in2 = weight.shape
    lead = input1.shape[:-1]
    rows = math.prod(lead)
    x1 = input1.reshape((rows, in1))
    x2 = input2.reshape((rows, in2))
    mixed = (x1 @ weight.permute(1, 0, 2).reshape((in1, out * in2))).reshape((rows, out, in2))
    y = (mixed * x2.unsqueeze(1)).sum(2)
    if bias is not None:
        _check_tensor(op, "bias", bias)
        if bias.shape != (out,):
            raise RuntimeError(f"{op}(): bias must have shape ({out},), got {bias.shape}")
        y = y + bias
    return y.reshape(lead + (out,))


def scaled_dot_product_attention(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    attn_mask: Tensor | None = None,
    dropout_p: float = 0.0,
    is_causal: bool = False,
    scale: float | None = None,
    enable_gqa: bool = False,
) -> Tensor:
    """softmax(Q Kᵀ · scale + M) V over the last two dimensions (scale = 1/√E by default).

    ``attn_mask`` is boolean (True: the position takes part) or added to the scores;
    ``is_causal`` lets position i attend to positions ≤ i only. Built from
    differentiable operations, so every order of gradient flows.
    """
    if _amp.active:
        return autocast_call(
            "scaled_dot_product_attention",
            scaled_dot_product_attention,
            query,
            key,
            value,
            attn_mask,
            dropout_p,
            is_causal,
            scale,
            enable_gqa,
        )
    for name, t in (("query", query), ("key", key), ("value", value)):
        _check_tensor("scaled_dot_product_attention", name, t)
    if is_causal and attn_mask is not None:
        raise RuntimeError("scaled_dot_product_attention: give either attn_mask or is_causal")
    if enable_gqa:
        raise NotImplementedError("scaled_dot_product_attention: enable_gqa is not supported")
    factor = 1 / math.sqrt(query.shape[-1]) if scale is None else scale
    scores = (query @ key.transpose(-2, -1)) * factor
    if is_causal:
        length, source = scores.shape[-2], scores.shape[-1]
        attn_mask = ones(length, source, dtype=bool_, device=query.device).tril()
    if attn_mask is not None:
        if attn_mask.dtype == bool_:
            scores = scores.masked_fill(~attn_mask, float("-inf"))
        else:
            scores = scores + attn_mask
    weights = scores.softmax(-1)
    if dropout_p > 0:
        weights = dropout(weights, dropout_p)
    return weights @ value


def _inplace_variant(function: Callable[..., Tensor]) -> Callable[..., Tensor]:
    """PyTorch's ``F.relu_`` & co.: ``function(input, ..., inplace=True)``."""

    def variant(input: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        return function(input, *args, inplace=True, **kwargs)

    variant.__name__ = variant.__qualname__ = function.__name__ + "_"
    variant.__doc__ = f"``{function.__name__}(input, ..., inplace=True)``: in place."
    return variant


relu_ = _inplace_variant(relu)
leaky_relu_ = _inplace_variant(leaky_relu)
elu_ = _inplace_variant(elu)
selu_ = _inplace_variant(selu)
celu_ = _inplace_variant(celu)
hardtanh_ = _inplace_variant(hardtanh)
threshold_ = _inplace_variant(threshold)
rrelu_ = _inplace_variant(rrelu)

# The layers of the book's later chapters live in modules of their own.
from . import _functional_conv, _functional_grid, _functional_norm, _functional_resize  # noqa: E402
from ._functional_conv import *  # noqa: E402, F403  (conv2d, unfold, max_pool2d, ...)
from ._functional_embedding_bag import embedding_bag  # noqa: E402
from ._functional_grid import *  # noqa: E402, F403  (grid_sample, affine_grid)
from ._functional_norm import *  # noqa: E402, F403  (batch_norm, embedding, pad, ...)
from ._functional_resize import *  # noqa: E402, F403  (interpolate)

__all__ += _functional_conv.__all__ + _functional_norm.__all__ + _functional_resize.__all__
__all__ += _functional_grid.__all__
__all__ += ["embedding_bag"]
