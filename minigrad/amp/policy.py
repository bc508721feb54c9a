"""Which operations autocast how (PyTorch's "Autocast Op Reference"), and the casting.

An operation on the list calls :func:`autocast_call` at its top when
``state.active`` is set::

    if amp_state.active:
        return autocast_call("linear", linear, input, weight, bias)

:func:`autocast_call` casts the floating tensor arguments (float64 ones excepted,
as PyTorch) that live on an autocasting device type, then runs the operation with
autocast suspended, so its own inner operations keep the dtypes chosen here.
The casts are ``Tensor.to`` calls: differentiable, so a float32 parameter used in
float16 receives a float32 gradient.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from minigrad.amp.state import state, suspended
from minigrad.dtypes import float32, float64

__all__ = ["LOWER_PRECISION", "FLOAT32", "PROMOTE", "BANNED", "policy_of", "autocast_call"]

_CONV = {"conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d", "prelu"}
_LOSSES = {
    "cosine_embedding_loss",
    "cross_entropy",
    "hinge_embedding_loss",
    "huber_loss",
    "kl_div",
    "l1_loss",
    "margin_ranking_loss",
    "mse_loss",
    "multi_margin_loss",
    "multilabel_margin_loss",
    "nll_loss",
    "poisson_nll_loss",
    "smooth_l1_loss",
    "soft_margin_loss",
    "triplet_margin_loss",
    "binary_cross_entropy_with_logits",
}

#: Operations that run in the autocast dtype (float16), per device type.
LOWER_PRECISION: dict[str, frozenset[str]] = {
    "cuda": frozenset(
        _CONV
        | {"matmul", "mm", "bmm", "mv", "addmm", "addmv", "addr", "baddbmm", "einsum"}
        | {"linear", "scaled_dot_product_attention"}
    ),
    # PyTorch's CPU list has no mv/addmv/addr (checked against torch 2.13).
    "cpu": frozenset(
        _CONV
        | {"matmul", "mm", "bmm", "addmm", "baddbmm", "einsum", "linear"}
        | {"scaled_dot_product_attention"}
    ),
}

#: Operations that run in float32 (float16 inputs are cast up), per device type.
FLOAT32: dict[str, frozenset[str]] = {
    "cuda": frozenset(
        _LOSSES
        | {"acos", "asin", "cosh", "sinh", "tan", "exp", "expm1", "log", "log10", "log2"}
        | {"log1p", "reciprocal", "rsqrt", "pow", "softplus", "layer_norm", "group_norm"}
        | {"norm", "cosine_similarity", "normalize", "pdist", "cdist", "dist", "logsumexp"}
        | {"interpolate", "prod", "softmax", "log_softmax", "softmin", "cumprod", "cumsum"}
        | {"sum"}
    ),
    "cpu": frozenset(_LOSSES | {"binary_cross_entropy", "prod", "cdist", "inverse"}),
}

#: Operations with several inputs that run in the widest floating dtype among them.
PROMOTE: dict[str, frozenset[str]] = {
    "cuda": frozenset({"addcdiv", "addcmul", "atan2", "bilinear", "cross", "dot", "tensordot"}),
    "cpu": frozenset({"cat", "stack"}),
}

#: Operations PyTorch refuses inside an autocast block, with its message.
BANNED: dict[str, dict[str, str]] = {
    "cuda": {
        "binary_cross_entropy": (
            "torch.nn.functional.binary_cross_entropy and torch.nn.BCELoss are unsafe to "
            "autocast.\nMany models use a sigmoid layer right before the binary cross entropy "
            "layer.\nIn this case, combine the two layers using "
            "torch.nn.functional.binary_cross_entropy_with_logits\nor torch.nn.BCEWithLogitsLoss."
            "  binary_cross_entropy_with_logits and BCEWithLogits are\nsafe to autocast. "
            "(minigrad: minigrad.nn.functional.binary_cross_entropy_with_logits, "
            "minigrad.nn.BCEWithLogitsLoss)"
        )
    },
    "cpu": {},
}


def policy_of(op: str, device_type: str) -> str | None:
    """``'lower_precision_fp'``, ``'fp32'``, ``'promote'``, ``'banned'`` or None."""
    if op in LOWER_PRECISION[device_type]:
        return "lower_precision_fp"
    if op in FLOAT32[device_type]:
        return "fp32"
    if op in PROMOTE[device_type]:
        return "promote"
    if op in BANNED[device_type]:
        return "banned"
    return None


def _tensor_type() -> Any:
    from minigrad.tensor import Tensor

    return Tensor


def _first_device_type(values: Any, tensor: Any) -> str | None:
    for value in values:
        if isinstance(value, tensor):
            return str(value.device.type)
        if isinstance(value, list | tuple):
            found = _first_device_type(value, tensor)
            if found is not None:
                return found
    return None


def _eligible(value: Any, tensor: Any, device_type: str) -> bool:
    """A floating tensor on ``device_type`` that is not float64 (PyTorch's ``is_eligible``)."""
    return (
        isinstance(value, tensor)
        and value.device.type == device_type
        and value.dtype.kind == "f"
        and value.dtype != float64
    )


def _cast(value: Any, dtype: Any, tensor: Any, device_type: str) -> Any:
    if isinstance(value, list | tuple):
        return type(value)(_cast(v, dtype, tensor, device_type) for v in value)
    if not _eligible(value, tensor, device_type) or value.dtype == dtype:
        return value
    from minigrad.autograd.grad_mode import is_grad_enabled

    # Reused only where no graph is recorded: minigrad's engine frees a cast node's graph
    # after a backward pass, which a second backward through the cached cast would need.
    cacheable = (
        state.cache_enabled
        and not is_grad_enabled()
        and dtype == state.dtype[device_type]
        and value.dtype == float32
        and value.requires_grad
        and value.is_leaf
    )
    if not cacheable:
        return value.to(dtype)
    key = (id(value), dtype)
    hit = state.cache.get(key)
    if hit is not None and hit[0] is value:
        return hit[1]
    cast = value.to(dtype)
    state.cache[key] = (value, cast)  # the source is kept alive so its id stays unique
    return cast


def _promote_type(values: Any, tensor: Any, device_type: str, current: Any) -> Any:
    for value in values:
        if isinstance(value, list | tuple):
            current = _promote_type(value, tensor, device_type, current)
        elif _eligible(value, tensor, device_type) and value.dtype == float32:
            current = float32
    return current


def autocast_call(op: str | None, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``fn(*args, **kwargs)`` with the tensor arguments cast by ``op``'s autocast policy on
    their device type, and autocast suspended while ``fn`` runs (``op=None``, or an
    operation on no list: nothing is cast, as for a call with an explicit ``dtype``)."""
    tensor = _tensor_type()
    device_type = _first_device_type((*args, *kwargs.values()), tensor)
    policy = None
    if op is not None and device_type is not None and state.enabled.get(device_type, False):
        policy = policy_of(op, device_type)
    if policy == "banned":
        raise RuntimeError(BANNED[str(device_type)][str(op)])
    if policy is not None:
        assert device_type is not None
        if policy == "lower_precision_fp":
            dtype = state.dtype[device_type]
        elif policy == "fp32":
            dtype = float32
        else:
            lower = state.dtype[device_type]
            dtype = _promote_type((*args, *kwargs.values()), tensor, device_type, lower)
        args = tuple(_cast(a, dtype, tensor, device_type) for a in args)
        kwargs = {k: _cast(v, dtype, tensor, device_type) for k, v in kwargs.items()}
    with suspended():
        return fn(*args, **kwargs)
