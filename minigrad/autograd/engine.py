"""The backward pass: walk the graph from the outputs and hand every leaf its gradient.

:func:`backward` fills ``.grad`` of the leaves (PyTorch's ``Tensor.backward`` and
``torch.autograd.backward``); :func:`grad` returns the gradients of chosen inputs
without touching ``.grad`` (``torch.autograd.grad``). Both walk the graph once,
iteratively, in Kahn's order: a node runs when every node that consumed its
output has run, so the gradient it receives is complete (a chain of a million
operations is fine; nothing recurses).

Without ``create_graph`` the walk runs every node's backward on raw arrays and
records nothing; with it, on tensors through minigrad's own operations, so the
gradients can be differentiated again.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from minigrad.autograd import graph
from minigrad.autograd.anomaly_mode import check_gradients, is_anomaly_check_nan_enabled
from minigrad.autograd.grad_mode import _state, set_grad_enabled
from minigrad.autograd.graph import Node, fit_gradient, new_tensor
from minigrad.ops import namespace

__all__ = ["backward", "grad"]

_np_generic = graph._np_generic


def backward(
    tensors: Any,
    grad_tensors: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    inputs: Any = None,
) -> None:
    """Accumulate d(tensors)/d(leaf) · grad_tensors into ``.grad`` of every leaf that needs it.

    ``grad_tensors`` may be left out for one-element outputs (the gradient is 1).
    With ``inputs``, only those tensors (leaves or not) get ``.grad``. The graph is
    freed afterwards unless ``retain_graph`` (which defaults to ``create_graph``).
    """
    tensors = (tensors,) if isinstance(tensors, graph.Tensor) else _as_tuple(tensors, "tensors")
    grads = None if grad_tensors is None else _as_tuple(grad_tensors, "grad_tensors")
    roots, foreign = _root_gradients(tensors, grads, create_graph)
    targets = None if inputs is None else _as_tuple(inputs, "inputs")
    if targets is not None and not targets:
        raise RuntimeError("backward: 'inputs' argument to backward() cannot be empty.")
    wanted = None if targets is None else {t.grad_fn: t for t in targets if t.grad_fn is not None}
    retain = create_graph if retain_graph is None else retain_graph
    recording = _state.enabled
    _state.enabled = create_graph  # backward functions and hooks record only for create_graph
    try:
        leaves, captured = _walk(tensors, roots, retain, create_graph, wanted)
        if targets is not None and wanted is not None:
            chosen = {id(t) for t in targets}
            leaves = {t: g for t, g in leaves.items() if id(t) in chosen}
            for node, g in captured.items():
                if g is not None:
                    leaves[wanted[node]] = g
        _store_gradients(leaves, foreign)
    finally:
        _state.enabled = recording


def grad(
    outputs: Any,
    inputs: Any,
    grad_outputs: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool | None = None,
    materialize_grads: bool = False,
) -> tuple[Any, ...]:
    """The gradients of ``outputs`` with respect to ``inputs``, as a tuple of tensors.

    Σᵢ grad_outputsᵢ · ∂outputsᵢ/∂input for each input; ``.grad`` is left alone.
    With ``create_graph=True`` the results are differentiable (higher-order
    derivatives). An input that the outputs do not depend on raises, unless
    ``allow_unused`` (then its gradient is None) or ``materialize_grads`` (zeros).
    """
    if materialize_grads and allow_unused is False:
        raise ValueError(
            "Expected allow_unused to be True or not passed when materialize_grads=True, "
            "but got: allow_unused=False."
        )
    outputs = _as_tuple(outputs, "outputs")
    inputs = _as_tuple(inputs, "inputs")
    for i, t in enumerate(inputs):
        if not t.requires_grad:
            raise RuntimeError(
                f"One of the differentiated Tensors (input {i}, shape {t.shape}) does not "
                "require grad"
            )
    grads = _as_tuple(grad_outputs, "grad_outputs") if grad_outputs is not None else None
    roots, _ = _root_gradients(outputs, grads, create_graph)
    wanted = {t.grad_fn: t for t in inputs if t.grad_fn is not None}
    retain = create_graph if retain_graph is None else retain_graph
    with set_grad_enabled(create_graph):
        leaves, captured = _walk(outputs, roots, retain, create_graph, wanted)
        result = []
        for i, t in enumerate(inputs):
            if t.grad_fn is None:
                g = leaves.get(t)
                if g is not None and t._hooks is not None:
                    g = _call_hooks(t._hooks.grad, g)
            else:
                g = captured.get(t.grad_fn)
            if g is None:
                if materialize_grads:
                    g = t._array.dtype.type(0) + t._array * 0
                elif not allow_unused:
                    raise RuntimeError(
                        f"One of the differentiated Tensors (input {i}, shape {t.shape}) appears "
                        "to not have been used in the graph. Set allow_unused=True if this is "
                        "the desired behavior."
                    )
            result.append(_as_tensor(g))
    return tuple(result)


def _as_tuple(value: Any, what: str) -> tuple[Any, ...]:
    """A tensor (or None) as a 1-tuple; any other iterable (a list, ``parameters()``, a
    dict's values) as the tuple of its items."""
    if isinstance(value, graph.Tensor) or value is None:
        return (value,)
    if isinstance(value, Iterable) and not isinstance(value, str | bytes):
        return tuple(value)
    raise TypeError(f"{what} must be a tensor or a sequence of tensors, got {type(value).__name__}")


def _as_tensor(g: Any) -> Any:
    if g is None or isinstance(g, graph.Tensor):
        return g
    return new_tensor(g)


def _root_gradients(
    tensors: tuple[Any, ...], grads: tuple[Any, ...] | None, create_graph: bool
) -> tuple[list[Any], set[int]]:
    """Check the outputs and their gradients; return the gradients as arrays (or tensors
    when a graph is wanted) and the ids of the arrays the caller gave (not to be kept)."""
    if grads is not None and len(grads) != len(tensors):
        raise RuntimeError(
            f"got {len(grads)} gradients for {len(tensors)} tensors; give one per tensor"
        )
    roots, foreign = [], set()
    for i, t in enumerate(tensors):
        if not isinstance(t, graph.Tensor):
            raise TypeError(f"backward: expected a tensor, got {type(t).__name__}")
        if not t.requires_grad:
            raise RuntimeError(
                f"element {i} of tensors does not require grad and does not have a grad_fn"
            )
        g = None if grads is None else grads[i]
        if g is None:
            if t._array.size != 1:
                raise RuntimeError(
                    f"grad can be implicitly created only for scalar outputs; this tensor has "
                    f"shape {t.shape}: pass a gradient of the same shape"
                )
            g = t._array.copy()
            g.fill(1)
            roots.append(new_tensor(g) if create_graph else g)
            continue
        if not isinstance(g, graph.Tensor):
            raise TypeError(f"gradient {i} must be a Tensor or None, got {type(g).__name__}")
        if g.shape != t.shape:
            raise RuntimeError(
                f"Mismatch in shape: grad_output[{i}] has a shape of {g.shape} and output[{i}] "
                f"has a shape of {t.shape}."
            )
        if type(g._array) is not type(t._array):
            raise RuntimeError(
                f"backward: gradient {i} is on {g.device} but the tensor is on {t.device}"
            )
        if create_graph:
            roots.append(g if g.dtype == t.dtype else g.to(t.dtype))
        else:
            roots.append(g._array if g.dtype == t.dtype else g._array.astype(t.dtype))
            foreign.add(id(roots[-1]))
    return roots, foreign


def _count_consumers(starts: list[Node]) -> dict[Node, int]:
    """For every node below ``starts``, how many edges of the graph consume its output."""
    consumers: dict[Node, int] = {}
    stack = list(starts)
    while stack:
        for child in stack.pop().edges:
            if isinstance(child, Node):
                count = consumers.get(child)
                if count is None:
                    consumers[child] = 1
                    if child not in starts:  # (a start is walked from the start already)
                        stack.append(child)
                else:
                    consumers[child] = count + 1
    return consumers


def _walk(
    tensors: tuple[Any, ...],
    roots: list[Any],
    retain_graph: bool,
    create_graph: bool,
    wanted: dict[Node, Any] | None,
) -> tuple[dict[Any, Any], dict[Node, Any]]:
    """Propagate the root gradients; return the summed gradient of every leaf reached and,
    for the nodes in ``wanted``, the gradient of their output."""
    xp = namespace if create_graph else None
    pending: dict[Node, Any] = {}
    leaves: dict[Any, Any] = {}
    starts = []
    for t, g in zip(tensors, roots):  # noqa: B905  (checked equal)
        node = t.grad_fn
        if node is None:
            leaves[t] = g if t not in leaves else leaves[t] + g
        else:
            pending[node] = g if node not in pending else pending[node] + g
            starts.append(node)
    if len(starts) > 1:
        starts = list(dict.fromkeys(starts))
    waiting = _count_consumers(starts)
    ready = []
    for node in starts:
        if node not in waiting:
            ready.append(node)
    captured: dict[Node, Any] = {}
    check_nan = is_anomaly_check_nan_enabled()
    while ready:
        fn = ready.pop()
        g = pending.pop(fn, None)
        if g is None:  # no consumer sent this node a gradient: none flows below it either
            for edge in fn.edges:
                if isinstance(edge, Node):
                    waiting[edge] -= 1
                    if not waiting[edge]:
                        ready.append(edge)
            if not retain_graph:
                fn.release()
            continue
        if fn.hooks:
            g = _call_hooks(fn.hooks, g)
        if wanted is not None and fn in wanted:
            captured[fn] = g
        grads = fn.run(g, xp)
        if check_nan:
            check_gradients(fn, grads)
        # one gradient per input, summed back to the input's shape and cast to its dtype
        for edge, gi, like in zip(fn.edges, grads, fn.arrays):  # noqa: B905
            if edge is None:
                continue
            if (
                gi is not None
                and like is not None
                and (gi.shape != like.shape or gi.dtype != like.dtype)
            ):
                gi = fit_gradient(gi, like)
            if isinstance(edge, Node):
                if gi is not None:
                    previous = pending.get(edge)
                    pending[edge] = gi if previous is None else previous + gi
                waiting[edge] -= 1
                if not waiting[edge]:
                    ready.append(edge)
            elif gi is not None:
                previous = leaves.get(edge)
                leaves[edge] = gi if previous is None else previous + gi
        if not retain_graph:
            fn.release()
    return leaves, captured


def _call_hooks(hooks: dict[int, Any], g: Any) -> Any:
    """Run gradient hooks in order; a hook that returns a tensor replaces the gradient.
    Hooks that keep a gradient (``retain_grad``) run last, on the final value."""
    is_array = not isinstance(g, graph.Tensor)
    value = new_tensor(g) if is_array else g
    ordered = sorted(hooks.values(), key=lambda h: isinstance(h, RetainGrad))
    for hook in ordered:
        new = hook(value)
        if new is not None:
            if not isinstance(new, graph.Tensor):
                raise TypeError(
                    f"expected Variable, but hook returned '{type(new).__name__}': a hook must "
                    "return None or a tensor"
                )
            if new.shape != value.shape:
                raise RuntimeError(
                    f"hook {hook!r} has changed the size of value: it returned shape "
                    f"{new.shape} for a gradient of shape {value.shape}"
                )
            value = new
    return value._array if is_array else value


class RetainGrad:
    """The hook behind ``retain_grad()``: keep a non-leaf tensor's gradient in its ``.grad``."""

    __slots__ = ("ref",)

    def __init__(self, ref: Any) -> None:
        self.ref = ref

    def __call__(self, g: Any) -> None:
        tensor = self.ref()
        if tensor is None:
            return
        if tensor._grad is None:
            tensor._grad = new_tensor(g._array.copy()) if not g.requires_grad else g
        else:
            tensor._grad = tensor._grad + g


def _store_gradients(leaves: dict[Any, Any], foreign: set[int]) -> None:
    """Add each leaf's gradient into its ``.grad`` (in place when one exists, as PyTorch).

    A first gradient is stored without a copy only when this pass made the array
    and gave it to no one else; otherwise a copy, so that a later in-place
    accumulation never writes into another tensor's gradient or a read-only view.
    """
    seen: set[int] = set()
    for leaf, g in leaves.items():
        hooks = leaf._hooks
        if hooks is not None and hooks.grad:
            g = _call_hooks(hooks.grad, g)
        current = leaf._grad
        if isinstance(g, graph.Tensor):  # a pass with create_graph: .grad joins the graph
            leaf._grad = g if current is None else current + g
        elif current is None:
            if isinstance(g, _np_generic):
                g = graph._np_asarray(g)
            elif g.base is not None or id(g) in seen or (foreign and id(g) in foreign):
                g = g.copy()  # a view, or shared with another leaf or the caller
            seen.add(id(g))
            leaf._grad = new_tensor(g)
        elif current.requires_grad:
            leaf._grad = current + new_tensor(g)
        else:
            current._array += g  # accumulate in place, as PyTorch does
            current._counter[0] += 1
        if hooks is not None and hooks.post_accumulate:
            for hook in list(hooks.post_accumulate.values()):
                hook(leaf)
