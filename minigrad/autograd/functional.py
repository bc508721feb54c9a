"""Higher-level derivatives of whole functions, as ``torch.autograd.functional``.

All are built on :func:`minigrad.autograd.grad`:

- :func:`vjp`: vᵀ J (one backward pass);
- :func:`jvp`: J v, by the double-backward trick: g(u) = Jᵀ u is linear in u, so
  the gradient of ⟨g(u), v⟩ with respect to u is J v;
- :func:`jacobian`: J row by row, Jᵢⱼ = ∂outputᵢ/∂inputⱼ;
- :func:`hessian`: the jacobian of the gradient of a scalar function;
- :func:`vhp` / :func:`hvp`: vᵀ H and H v.

``inputs`` is a tensor or a tuple of tensors, and results mirror the structure
of inputs and outputs as PyTorch's do. With ``create_graph=True`` the results
are differentiable (also with respect to the inputs given); otherwise they are
detached. With ``strict=True`` an input that the outputs do not depend on raises
instead of getting a zero derivative.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from minigrad.autograd import graph
from minigrad.autograd.engine import grad
from minigrad.autograd.grad_mode import enable_grad
from minigrad.autograd.graph import new_tensor
from minigrad.backend import get_array_module
from minigrad.ops import shape as shape_ops

__all__ = ["vjp", "jvp", "jacobian", "hessian", "vhp", "hvp"]

Tensors = Any  # a tensor or a tuple of tensors


def _as_tuple(value: Any, arg_name: str, fn_name: str) -> tuple[bool, tuple[Any, ...]]:
    """``(was_tuple, value as a tuple)``, checking that it holds tensors only."""
    is_tuple = isinstance(value, tuple | list)
    values = tuple(value) if is_tuple else (value,)
    for i, v in enumerate(values):
        if not isinstance(v, graph.Tensor):
            if is_tuple:
                raise TypeError(
                    f"The {arg_name} given to {fn_name} must be either a Tensor or a tuple of "
                    f"Tensors but the value at index {i} has type {type(v).__name__}."
                )
            raise TypeError(
                f"The {arg_name} given to {fn_name} must be either a Tensor or a tuple of "
                f"Tensors but the given {arg_name} has type {type(v).__name__}."
            )
    return is_tuple, values


def _unpack(values: Any, keep: Any) -> Any:
    """Undo :func:`_as_tuple`: ``keep`` is a flag, or (outer, inner) for nested results."""
    if isinstance(keep, tuple):
        outer, inner = keep
        if not inner:
            values = tuple(v[0] for v in values)
        return tuple(values) if outer else values[0]
    return tuple(values) if keep else values[0]


def _prepare(inputs: tuple[Any, ...], create_graph: bool, need_graph: bool) -> tuple[Any, ...]:
    """Inputs to differentiate against: connected to the caller's graph when
    ``create_graph`` (so the results stay differentiable in the originals), else fresh leaves."""
    out = []
    for t in inputs:
        if create_graph and t.requires_grad:
            out.append(t.view_as(t))
        else:
            out.append(t.detach().requires_grad_(need_graph))
    return tuple(out)


def _finish(values: Any, create_graph: bool) -> Any:
    """Detach results unless a graph was asked for (nested tuples kept)."""
    if isinstance(values, tuple | list):
        return tuple(_finish(v, create_graph) for v in values)
    return values if create_graph or values is None else values.detach()


def _zeros_like(t: Any) -> Any:
    return new_tensor(get_array_module(t._array).zeros_like(t._array))


def _leaf_zeros_like(t: Any) -> Any:
    """Zeros shaped like ``t`` that require grad (the u of the double-backward trick)."""
    z = _zeros_like(t)
    z.requires_grad = True
    return z


def _grads(
    outputs: tuple[Any, ...],
    inputs: tuple[Any, ...],
    grad_outputs: tuple[Any, ...] | None = None,
    create_graph: bool = False,
    retain_graph: bool | None = None,
) -> tuple[Any, ...]:
    """``autograd.grad`` over the outputs that require grad; None for unused inputs (and for
    every input when no output requires grad)."""
    chosen = [i for i, o in enumerate(outputs) if o is not None and o.requires_grad]
    if not chosen:
        return (None,) * len(inputs)
    wanted = None if grad_outputs is None else tuple(grad_outputs[i] for i in chosen)
    return grad(
        tuple(outputs[i] for i in chosen),
        inputs,
        wanted,
        retain_graph=create_graph if retain_graph is None else retain_graph,
        create_graph=create_graph,
        allow_unused=True,
    )


def _fill_zeros(
    grads: tuple[Any, ...], refs: tuple[Any, ...], strict: bool, what: str
) -> tuple[Any, ...]:
    """Zeros for the inputs no output depends on (an error under ``strict``)."""
    out = []
    for i, (g, ref) in enumerate(zip(grads, refs, strict=True)):
        if g is None:
            if strict:
                raise RuntimeError(
                    f"The {what} of the user-provided function is independent of input {i}. "
                    "This is not allowed in strict mode."
                )
            g = _zeros_like(ref)
        out.append(g)
    return tuple(out)


_INDEPENDENT = {
    "outputs": "Output {i} of the user-provided function does not require gradients. The outputs "
    "must be computed in a differentiable manner from the input when running in strict mode.",
    "grad_inputs": "The gradient with respect to input {i} is independent of the inputs of the "
    "user-provided function. This is not allowed in strict mode.",
    "jacobian": "While computing the hessian, found that the jacobian of the user-provided "
    "function with respect to input {i} is independent of the input. This is not allowed in "
    "strict mode.",
    "hessian": "The hessian of the user-provided function with respect to input {i} is "
    "independent of the input. This is not allowed in strict mode.",
}


def _check_requires_grad(values: tuple[Any, ...], what: str, strict: bool) -> None:
    """Under ``strict``, PyTorch's error for a value that does not depend on the inputs."""
    if not strict:
        return
    for i, v in enumerate(values):
        if v is None or not v.requires_grad:
            raise RuntimeError(_INDEPENDENT[what].format(i=i))


def _check_v(v: tuple[Any, ...], like: tuple[Any, ...], what: str) -> None:
    if len(v) != len(like):
        raise RuntimeError(
            f"v is a tuple of invalid length: should be {len(like)} but got {len(v)}."
        )
    for i, (a, b) in enumerate(zip(v, like, strict=True)):
        if a.shape != b.shape:
            raise RuntimeError(
                f"Entry {i} in v has invalid size: should be {b.shape} (the shape of {what} "
                f"{i}) but got {a.shape}."
            )


def vjp(
    func: Callable[..., Any],
    inputs: Tensors,
    v: Tensors = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple[Any, Any]:
    """``(func(*inputs), vᵀ J)``: the vector-Jacobian product, one gradient per input.

    ``v`` has the shape of the outputs; it may be left out when ``func`` returns a
    single one-element tensor.
    """
    with enable_grad():
        inputs_tuple, xs = _as_tuple(inputs, "inputs", "vjp")
        xs = _prepare(xs, create_graph, need_graph=True)
        outputs_tuple, ys = _as_tuple(func(*xs), "outputs of the user-provided function", "vjp")
        _check_requires_grad(ys, "outputs", strict)
        if v is not None:
            _, vs = _as_tuple(v, "v", "vjp")
            vs = _prepare(vs, create_graph, need_graph=False)
            _check_v(vs, ys, "output")
        elif len(ys) != 1 or ys[0].numel() != 1:
            raise RuntimeError(
                "The vector v can only be None if the user-provided function returns a single "
                "Tensor with a single element."
            )
        else:
            vs = None
        result = _fill_zeros(_grads(ys, xs, vs, create_graph), xs, strict, "outputs")
    return (
        _unpack(_finish(ys, create_graph), outputs_tuple),
        _unpack(_finish(result, create_graph), inputs_tuple),
    )


def jvp(
    func: Callable[..., Any],
    inputs: Tensors,
    v: Tensors = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple[Any, Any]:
    """``(func(*inputs), J v)``: the Jacobian-vector product, one tensor per output.

    ``v`` has the shape of the inputs; it may be left out for a single one-element
    input. Computed by the double-backward trick (two reverse passes).
    """
    with enable_grad():
        inputs_tuple, xs = _as_tuple(inputs, "inputs", "jvp")
        xs = _prepare(xs, create_graph, need_graph=True)
        if v is not None:
            _, vs = _as_tuple(v, "v", "jvp")
            vs = _prepare(vs, create_graph, need_graph=False)
            _check_v(vs, xs, "input")
        elif len(xs) != 1 or xs[0].numel() != 1:
            raise RuntimeError(
                "The vector v can only be None if the input to the user-provided function is a "
                "single Tensor with a single element."
            )
        else:
            vs = None
        outputs_tuple, ys = _as_tuple(func(*xs), "outputs of the user-provided function", "jvp")
        _check_requires_grad(ys, "outputs", strict)
        us = tuple(_leaf_zeros_like(y) for y in ys)
        back = _grads(ys, xs, us, create_graph=True)
        _check_requires_grad(back, "grad_inputs", strict)
        result = _grads(back, us, vs, create_graph)
        result = _fill_zeros(result, ys, strict, "outputs")
    return (
        _unpack(_finish(ys, create_graph), outputs_tuple),
        _unpack(_finish(result, create_graph), outputs_tuple),
    )


def jacobian(
    func: Callable[..., Any],
    inputs: Tensors,
    create_graph: bool = False,
    strict: bool = False,
    vectorize: bool = False,
    strategy: str = "reverse-mode",
) -> Any:
    """The Jacobian of ``func`` at ``inputs``: for output i and input j a tensor of shape
    ``outputᵢ.shape + inputⱼ.shape`` holding ∂outputᵢ/∂inputⱼ.

    Returns a tensor for one output and one input, a tuple over the inputs (or the
    outputs) when only they form a tuple, else a tuple (per output) of tuples (per
    input). Computed one output element at a time by reverse mode; ``vectorize`` is a
    speed hint only (the rows are always computed one by one here), and
    ``strategy='forward-mode'``, as in PyTorch, requires ``vectorize=True``.
    """
    if strategy not in ("reverse-mode", "forward-mode"):
        raise ValueError(
            'Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If your '
            'function has more outputs than inputs, "forward-mode" tends to be more '
            'performant. Otherwise, prefer to use "reverse-mode".'
        )
    if strategy == "forward-mode" and not vectorize:
        raise NotImplementedError(
            "jacobian: `strategy='forward-mode'` is only implemented together with "
            "`vectorize=True`."
        )
    with enable_grad():
        inputs_tuple, xs = _as_tuple(inputs, "inputs", "jacobian")
        xs = _prepare(xs, create_graph, need_graph=True)
        outputs_tuple, ys = _as_tuple(
            func(*xs), "outputs of the user-provided function", "jacobian"
        )
        _check_requires_grad(ys, "outputs", strict)
        result = tuple(_jacobian_of(y, i, xs, create_graph, strict) for i, y in enumerate(ys))
    return _unpack(_finish(result, create_graph), (outputs_tuple, inputs_tuple))


def _jacobian_of(
    y: Any, index: int, xs: tuple[Any, ...], create_graph: bool, strict: bool
) -> tuple[Any, ...]:
    """The rows ∂y/∂x for every x, each reshaped to ``y.shape + x.shape``."""
    rows: list[list[Any]] = [[] for _ in xs]
    flat = y.reshape(-1)
    for k in range(flat.numel()):
        grads = _grads((flat[k],), xs, None, create_graph, retain_graph=True)
        for j, (g, x) in enumerate(zip(grads, xs, strict=True)):
            if g is None:
                if strict:
                    raise RuntimeError(
                        f"Output {index} of the user-provided function is independent of input "
                        f"{j}. This is not allowed in strict mode."
                    )
                g = _zeros_like(x)
            rows[j].append(g)
    out = []
    for row, x in zip(rows, xs, strict=True):
        shape = tuple(y.shape) + tuple(x.shape)
        if row:
            out.append(shape_ops.Stack.apply(0, *row).reshape(shape))
        else:
            out.append(new_tensor(get_array_module(x._array).zeros(shape, dtype=x.dtype)))
    return tuple(out)


def _scalar_function(func: Callable[..., Any], fn_name: str) -> Callable[..., Any]:
    """``func`` checked to return one single-element tensor, returned as a 0-d tensor."""

    def scalar(*xs: Any) -> Any:
        out = func(*xs)
        if not isinstance(out, graph.Tensor):
            raise RuntimeError(f"The function given to {fn_name} should return a single Tensor")
        if out.numel() != 1:
            raise RuntimeError(
                f"The Tensor returned by the function given to {fn_name} should contain a "
                f"single element (got shape {out.shape})"
            )
        return out.reshape(())

    return scalar


def hessian(
    func: Callable[..., Any],
    inputs: Tensors,
    create_graph: bool = False,
    strict: bool = False,
    vectorize: bool = False,
    outer_jacobian_strategy: str = "reverse-mode",
) -> Any:
    """The Hessian of a scalar function: Hᵢⱼ = ∂²f/∂inputᵢ∂inputⱼ, each block of shape
    ``inputᵢ.shape + inputⱼ.shape`` (a tensor for one input, tuples of tuples for several).

    The jacobian of the gradient (``create_graph`` in the inner pass).
    """
    scalar = _scalar_function(func, "hessian")
    inputs_tuple, xs = _as_tuple(inputs, "inputs", "hessian")

    def gradient(*ys: Any) -> Any:
        return jacobian(scalar, ys, create_graph=True, strict=strict)

    result = jacobian(
        gradient, xs, create_graph, strict, vectorize, strategy=outer_jacobian_strategy
    )
    return _unpack(result, (inputs_tuple, inputs_tuple))


def vhp(
    func: Callable[..., Any],
    inputs: Tensors,
    v: Tensors = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple[Any, Any]:
    """``(func(*inputs), vᵀ H)`` for a scalar function: the gradient of ⟨∇f, v⟩."""
    return _hessian_product(func, inputs, v, create_graph, strict, "vhp")


def hvp(
    func: Callable[..., Any],
    inputs: Tensors,
    v: Tensors = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple[Any, Any]:
    """``(func(*inputs), H v)`` for a scalar function, by the double-backward trick
    (equal to :func:`vhp` when the Hessian is symmetric, i.e. f twice continuously
    differentiable)."""
    return _hessian_product(func, inputs, v, create_graph, strict, "hvp")


def _hessian_product(
    func: Callable[..., Any], inputs: Tensors, v: Tensors, create_graph: bool, strict: bool, fn: str
) -> tuple[Any, Any]:
    with enable_grad():
        inputs_tuple, xs = _as_tuple(inputs, "inputs", fn)
        xs = _prepare(xs, create_graph, need_graph=True)
        if v is not None:
            _, vs = _as_tuple(v, "v", fn)
            vs = _prepare(vs, create_graph, need_graph=False)
            _check_v(vs, xs, "input")
        elif len(xs) != 1 or xs[0].numel() != 1:
            raise RuntimeError(
                "The vector v can only be None if the input to the user-provided function is a "
                "single Tensor with a single element."
            )
        else:
            vs = None
        y = _scalar_function(func, fn)(*xs)
        _check_requires_grad((y,), "outputs", strict)
        first = _grads((y,), xs, None, create_graph=True)
        _check_requires_grad(first, "jacobian", strict)
        if fn == "vhp":
            result = _grads(first, xs, vs, create_graph)
        else:
            us = tuple(_leaf_zeros_like(x) for x in xs)
            back = _grads(first, xs, us, create_graph=True)
            _check_requires_grad(back, "hessian", strict)
            result = _grads(back, us, vs, create_graph)
        result = _fill_zeros(result, xs, strict, "jacobian")
    return (
        _finish(y, create_graph),
        _unpack(_finish(result, create_graph), inputs_tuple),
    )
