"""The backward graph: its nodes and how an operation records one.

Every tensor computed from tensors that require grad points at the node that
made it (``tensor.grad_fn``). A node keeps what its backward needs and an
*edge* per input: the input's own node, the input tensor itself when it is a
leaf that requires grad, or None. Edges are taken when the node is recorded,
so an in-place change of an input later on does not re-route gradients.

An engine operation is an :class:`Op`: ``forward`` computes on raw arrays and
``backward`` maps the gradient of the output to one gradient per input. The
same ``backward`` serves both passes:

- the fast pass (no ``create_graph``) calls it with raw arrays and ``xp`` the
  array module (NumPy or CuPy); nothing is recorded;
- a pass with ``create_graph=True`` calls it with tensors and ``xp`` the
  namespace of :mod:`minigrad.ops.namespace` (NumPy's names over minigrad's
  differentiable operations), so the gradient is itself differentiable.

Saved tensors are version-checked: a tensor carries a version counter, shared
with its views, that every in-place operation bumps; a node records the
versions of what it saved, and its backward refuses to run on changed values
(PyTorch's "modified by an inplace operation").
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from typing import Any

import numpy as np

from minigrad.autograd.grad_mode import _state

__all__ = [
    "Node",
    "Op",
    "ViewOp",
    "AccumulateGrad",
    "live_views",
    "sum_to_shape",
    "fit_gradient",
]

_new = object.__new__
_np_generic = np.generic
_np_asarray = np.asarray

# The tensor class, bound by :mod:`minigrad.tensor` when it is defined: the graph
# sits below the Tensor front and never imports it.
Tensor: Any = None


# The array namespace of backward passes that build a graph, bound by
# :mod:`minigrad.ops.namespace` (it sits above the ops it records).
graph_namespace: Any = None


def bind_tensor_class(cls: type) -> None:
    """Let the graph make tensors of ``cls`` (called once, by :mod:`minigrad.tensor`)."""
    global Tensor
    Tensor = cls


def bind_graph_namespace(namespace: Any) -> None:
    """Register the namespace that records backward rules (called by its module)."""
    global graph_namespace
    graph_namespace = namespace


def records_graph(xp: Any) -> bool:
    """Whether a backward rule runs on tensors (building a graph) rather than on arrays."""
    return xp is graph_namespace


def new_tensor(array: Any, grad_fn: Node | None = None, version: list[int] | None = None) -> Any:
    """A tensor holding ``array`` (no copy); made by ``grad_fn`` when it is given."""
    t = _new(Tensor)
    t._array = array
    t._grad = None
    t.grad_fn = grad_fn
    t.requires_grad = grad_fn is not None
    t._counter = [0] if version is None else version
    t._view = None
    t._hooks = None
    return t


class Node:
    """A node of the backward graph, PyTorch's ``grad_fn``.

    ``edges`` has one entry per input: the input's node, the leaf tensor that
    receives the gradient, or None where no gradient flows.
    """

    __slots__ = ("edges", "hooks", "__weakref__")
    edges: Any  # a list (or tuple) with one entry per input
    arrays: Any  # per input, what its gradient must match (shape, dtype), or None
    hooks: dict[int, Any] | None

    #: PyTorch's name of the node where it differs from the class name + "Backward0"
    #: (fused nodes: ``Linear`` prints as ``AddmmBackward0``, as in PyTorch)
    pytorch_name: str | None = None

    def name(self) -> str:
        """The node's name as PyTorch prints it, e.g. ``MulBackward0``."""
        return self.pytorch_name or type(self).__name__ + "Backward0"

    @property
    def next_functions(self) -> tuple[tuple[Node | None, int], ...]:
        """``(node, output index)`` per input; a leaf appears as its :class:`AccumulateGrad`."""
        return tuple((_as_node(edge), 0) for edge in self.edges)

    def register_prehook(self, hook: Any) -> Any:
        """Call ``hook(grad)`` on the gradient of this node's output before it runs;
        a returned tensor replaces the gradient."""
        if self.hooks is None:
            self.hooks = {}
        return _HookHandle(self.hooks, hook)

    def run(self, grad: Any, graph: Any) -> Sequence[Any]:
        """The gradients of the inputs, one per edge, given that of the output.

        ``graph`` is None in the fast pass (arrays in, arrays out) and minigrad's
        array namespace when the gradient is to be differentiable (tensors). The
        engine sums each to its input's shape and dtype, described by ``arrays``
        (an array or None per input)."""
        raise NotImplementedError

    def release(self) -> None:
        """Drop what backward needed (after a pass without ``retain_graph``)."""

    def __repr__(self) -> str:
        return f"<{self.name()} object at {id(self):#x}>"


class TensorHooks:
    """The hooks of a leaf tensor: on its gradient (``register_hook``) and after it was
    added into ``.grad`` (``register_post_accumulate_grad_hook``)."""

    __slots__ = ("grad", "post_accumulate")

    def __init__(self) -> None:
        self.grad: dict[int, Any] = {}
        self.post_accumulate: dict[int, Any] = {}


class AccumulateGrad(Node):
    """The node of a leaf that requires grad: it adds its gradient into ``variable.grad``."""

    __slots__ = ("variable",)

    def __init__(self, variable: Any) -> None:
        self.variable = variable
        self.edges = ()
        self.hooks = None

    def name(self) -> str:
        return "torch::autograd::AccumulateGrad"


def _as_node(edge: Any) -> Node | None:
    if edge is None or isinstance(edge, Node):
        return edge
    return AccumulateGrad(edge)


class _HookHandle:
    """What ``register_hook`` returns: ``remove()`` takes the hook out again."""

    _next_id = 0

    def __init__(self, hooks: dict[int, Any], hook: Any) -> None:
        if not callable(hook):
            raise TypeError(f"hook must be callable, got {type(hook).__name__}")
        self.hooks, self.id = hooks, _HookHandle._next_id
        _HookHandle._next_id += 1
        hooks[self.id] = hook

    def remove(self) -> None:
        self.hooks.pop(self.id, None)

    def __enter__(self) -> _HookHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()


def hook_handle(hooks: dict[int, Any], hook: Any) -> _HookHandle:
    """Register ``hook`` in ``hooks`` and return its removable handle."""
    return _HookHandle(hooks, hook)


class Op(Node):
    """An engine operation: ``forward`` on arrays, ``backward`` written once for both passes.

    Subclasses define ``forward(*args)`` on raw arrays and constants, and
    ``backward(xp, g, out, *args)`` returning one gradient per positional
    argument (None where none flows). ``out`` is the output when the class sets
    ``saves_output``, else None; ``saved`` lists the positions of the inputs
    whose values backward reads, and ``saved_for`` pairs ``(position, readers)``
    for inputs read only for the gradients of the inputs at ``readers`` (as
    ``a`` in d(a·b)/db is ``(0, (1,))``): both are version-checked, the latter
    only when one of its readers wants a gradient (as PyTorch saves it only then).
    """

    __slots__ = ("inputs", "arrays", "out", "versions")
    inputs: Any  # the arguments as given (tensors and constants); None once released
    arrays: Any  # their arrays (and the constants); None once released
    out: Any
    versions: Any  # (counter, version, position) of each saved tensor
    saved: tuple[int, ...] = ()
    saved_for: tuple[tuple[int, tuple[int, ...]], ...] = ()
    saves_output = False
    broadcasts = False  # element-wise ops set this: shape errors then name the shapes

    versioned = False  # whether the node saves anything (derived from the three above)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.versioned = bool(cls.saved or cls.saved_for or cls.saves_output)

    def forward(self, *args: Any) -> Any:
        raise NotImplementedError

    def backward(self, xp: Any, g: Any, out: Any, *args: Any) -> tuple[Any, ...]:
        raise NotImplementedError

    @classmethod
    def apply(cls, *args: Any) -> Any:
        """Run the forward on the arguments' arrays; record the node when a gradient is wanted."""
        # The hot path of every operation: one pass over the arguments, no helper calls.
        fn = _new(cls)
        arrays = []
        edges = []
        wanting = 0  # how many inputs want a gradient
        for a in args:
            if isinstance(a, Tensor):
                arrays.append(a._array)
                if a.requires_grad:
                    wanting += 1
                    edges.append(a.grad_fn or a)
                else:
                    edges.append(None)
            else:
                arrays.append(a)
                edges.append(None)
        try:
            out = fn.forward(*arrays)
        except TypeError:
            check_same_device(cls.__name__.lower(), args)  # CuPy-like arrays refuse to mix
            raise
        except ValueError:
            if cls.broadcasts:
                raise_if_not_broadcastable(cls.__name__.lower(), arrays)
            raise
        if isinstance(out, _np_generic):  # NumPy turns 0-d results into scalars
            out = _np_asarray(out)
        t = _new(Tensor)
        t._array = out
        t._grad = None
        t._counter = [0]
        t._view = None
        t._hooks = None
        if wanting and _state.enabled:
            fn.inputs = args
            fn.arrays = arrays
            fn.edges = edges
            fn.hooks = None
            fn.out = out if cls.saves_output else None
            fn.versions = (
                _saved_versions(fn, args, t if cls.saves_output else None) if cls.versioned else ()
            )
            t.grad_fn = fn
            t.requires_grad = True
        else:
            t.grad_fn = None
            t.requires_grad = False
        return t

    @classmethod
    def call(cls, xp: Any, *args: Any) -> Any:
        """This operation inside another one's backward: recorded on tensors when ``xp`` is
        minigrad's namespace, straight on arrays otherwise."""
        if xp is graph_namespace:
            return cls.apply(*args)
        return _new(cls).forward(*args)

    def needs_grad(self, index: int) -> bool:
        """Whether positional argument ``index`` is a tensor that wants a gradient."""
        return self.edges[index] is not None

    def run(self, grad: Any, graph: Any) -> Sequence[Any]:
        arrays = self.arrays
        if arrays is None:
            raise RuntimeError(
                "Trying to backward through the graph a second time (or directly access "
                "saved tensors after they have already been freed). Saved intermediate values "
                "of the graph are freed when you call .backward() or autograd.grad(). Specify "
                "retain_graph=True if you need to backward through the graph a second time."
            )
        for counter, version, position in self.versions:
            if counter[0] != version:
                self._raise_modified(counter[0], version, position)
        if graph is None:
            xp = _MODULES.get(type(grad)) or _module_of(grad)
            return self.backward(xp, grad, self.out, *arrays)
        out = new_tensor(self.out, self) if self.saves_output else None
        grads = self.backward(graph, grad, out, *self.inputs)
        read = [self.inputs[position] for _, _, position in self.versions if position >= 0]
        read = [t for t in read + [out] if isinstance(t, Tensor) and t.requires_grad]
        if not read:
            return grads
        return [
            ReadValues.apply(g, *read) if isinstance(g, Tensor) and not g.requires_grad else g
            for g in grads
        ]

    def release(self) -> None:
        self.inputs = self.arrays = self.out = None

    def _raise_modified(self, now: int, expected: int, position: int) -> None:
        value = self.out if position < 0 else self.arrays[position]
        what = "the output" if position < 0 else f"input {position}"
        raise RuntimeError(
            "one of the variables needed for gradient computation has been modified by an "
            f"inplace operation: [{value.dtype} tensor of shape {tuple(value.shape)}], which is "
            f"{what} of {self.name()}, is at version {now}; expected version {expected} "
            "instead. Hint: the in-place operation came after the forward pass; use an "
            "out-of-place version (e.g. x = x + 1 instead of x += 1), or clone() the tensor "
            "before changing it."
        )


class ReadValues(Op):
    """A gradient that a backward computed from saved values without a differentiable
    path to them (relu's mask, abs's sign): its derivative with respect to them is 0, so
    that differentiating it again gives zeros where PyTorch does, not an error.

    ``forward(g, *values) = g``;  d/dg = the incoming gradient,  d/dvalues = 0.
    """

    __slots__ = ()

    def forward(self, g: Any, *values: Any) -> Any:
        return g

    def backward(self, xp: Any, g: Any, out: Any, grad: Any, *values: Any) -> tuple[Any, ...]:
        return (g, *(xp.zeros_like(v) for v in values))


class ViewOp(Op):
    """An operation whose result can share memory with its input (reshape, permute,
    basic indexing): the result then shares the input's version counter and remembers
    ``(base, steps, without_grad)``: the tensor that owns the memory, the view operations
    from it, and whether one of them ran with grad mode off. The base keeps weak
    references to its live views, so that an in-place change of the memory can move
    each of them onto the new history (:func:`live_views`)."""

    __slots__ = ()

    @classmethod
    def apply(cls, x: Any, *params: Any) -> Any:
        out = super().apply(x, *params)
        if _shares_memory(out._array, x._array):
            out._counter = x._counter
            base, steps, without_grad = x._view or (x, (), False)
            out._view = (base, (*steps, (cls, params)), without_grad or not _state.enabled)
            _register_view(base, out)
        return out


# id(base) -> {id(view): weak reference to the view}, for every base with live views. (Ids,
# not weak-keyed containers: those compare tensors with ``==``, which is element-wise.) A
# view keeps its base alive, and the entry goes when the base's last view does.
_VIEWS: dict[int, dict[int, Any]] = {}


def _register_view(base: Any, view: Any) -> None:
    base_id, view_id = id(base), id(view)
    views = _VIEWS.get(base_id)
    if views is None:
        views = _VIEWS[base_id] = {}
    views[view_id] = weakref.ref(view, lambda _: _forget_view(base_id, view_id))


def _forget_view(base_id: int, view_id: int) -> None:
    views = _VIEWS.get(base_id)
    if views is not None:
        views.pop(view_id, None)
        if not views:
            _VIEWS.pop(base_id, None)


def live_views(base: Any) -> list[Any]:
    """The views of ``base``'s memory that are still alive."""
    views = _VIEWS.get(id(base))
    alive = [] if views is None else [ref() for ref in list(views.values())]
    return [view for view in alive if view is not None]


def _saved_versions(fn: Op, args: tuple, out: Any) -> list:
    """``(counter, version, position)`` of each tensor that ``fn`` saved (position -1: the
    output); an input saved for other inputs' gradients counts only when one wants it."""
    versions = []
    for i in fn.saved:
        a = args[i]
        if isinstance(a, Tensor):
            versions.append((a._counter, a._counter[0], i))
    edges = fn.edges
    for i, readers in fn.saved_for:
        a = args[i]
        if isinstance(a, Tensor):
            for j in readers:  # (a loop, not any(): this runs for every recorded product)
                if edges[j] is not None:
                    versions.append((a._counter, a._counter[0], i))
                    break
    if out is not None:
        versions.append((out._counter, 0, -1))
    return versions


def _shares_memory(a: Any, b: Any) -> bool:
    return a.size > 0 and _array_module(a).may_share_memory(a, b)


def bump_version(tensor: Any) -> None:
    """Record that ``tensor``'s memory was changed in place (for code that writes its array
    directly, as the optimizers do): backward passes that saved it, or a view of it, will
    refuse the changed values, as after any in-place operation."""
    tensor._counter[0] += 1


def view_of(xp: Any, base: Any, steps: tuple) -> Any:
    """Take the view described by ``steps`` of ``base`` (an array or, recorded, a tensor)."""
    for op, params in steps:
        base = op.call(xp, base, *params)
    return base


def _array_module(array: Any) -> Any:
    return _MODULES.get(type(array)) or _module_of(array)


_MODULES: dict[type, Any] = {np.ndarray: np}


def _module_of(array: Any) -> Any:
    from minigrad.backend import backend_of

    xp = backend_of(array).xp
    if not isinstance(array, _np_generic):
        _MODULES[type(array)] = xp
    return xp


def sum_to_shape(grad: Any, shape: tuple[int, ...]) -> Any:
    """Undo broadcasting: sum ``grad`` over the axes that broadcasting added or stretched.

    ``d(x + y)/dx`` for ``x`` of shape (3, 1) and ``y`` of shape (4,) arrives with
    shape (3, 4) and is summed over axis 1 (kept) to give back (3, 1). Works on
    arrays and on tensors alike.
    """
    if tuple(grad.shape) == tuple(shape):
        return grad
    lead = grad.ndim - len(shape)
    if lead < 0:
        return grad.reshape(shape)  # e.g. a 0-d gradient of a (1,)-shaped input
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and grad.shape[lead + i] != 1
    )
    out = grad.sum(axis=axes, keepdims=True) if axes else grad
    if lead or tuple(out.shape) != tuple(shape):
        out = out.reshape(shape)
    return out


def fit_gradient(grad: Any, like: Any) -> Any:
    """A gradient summed back to the shape of ``like`` and cast to its dtype."""
    if isinstance(grad, _np_generic):
        grad = _np_asarray(grad)
    if tuple(grad.shape) != tuple(like.shape):
        try:
            grad = sum_to_shape(grad, tuple(like.shape))
        except ValueError:
            raise RuntimeError(
                f"a gradient of shape {tuple(grad.shape)} cannot be summed to the shape "
                f"{tuple(like.shape)} of its input"
            ) from None
    if grad.dtype != like.dtype:
        grad = grad.to(like.dtype) if isinstance(grad, Tensor) else grad.astype(like.dtype)
    return grad


def broadcastable(*shapes: tuple[int, ...]) -> bool:
    """Whether the shapes broadcast together under NumPy's (and PyTorch's) rule."""
    try:
        np.broadcast_shapes(*shapes)
    except ValueError:
        return False
    return True


def raise_if_not_broadcastable(op: str, values: Any) -> None:
    """PyTorch's RuntimeError, naming ``op`` and the shapes, when arrays cannot broadcast
    together: "The size of tensor a (3) must match the size of tensor b (2) at
    non-singleton dimension 1"."""
    shapes = [tuple(getattr(v, "shape", ())) for v in values]
    if broadcastable(*shapes):
        return
    detail = ""
    if len(shapes) == 2:
        a, b = shapes
        ndim = max(len(a), len(b))
        a, b = (1,) * (ndim - len(a)) + a, (1,) * (ndim - len(b)) + b
        dim = max(d for d in range(ndim) if a[d] != b[d] and 1 not in (a[d], b[d]))
        detail = (
            f"The size of tensor a ({a[dim]}) must match the size of tensor b ({b[dim]}) at "
            f"non-singleton dimension {dim}: "
        )
    raise RuntimeError(
        f"{op}: {detail}shapes {' and '.join(map(str, shapes))} cannot be broadcast together"
    )


def check_same_device(op: str, values: Any) -> None:
    """Raise an error naming the devices when tensors of several devices meet in ``op``."""
    devices = list(dict.fromkeys(str(v.device) for v in values if isinstance(v, Tensor)))
    if len(devices) > 1:
        raise RuntimeError(
            f"{op}: expected all tensors to be on the same device, but found tensors on "
            f"{' and '.join(devices)}; move them with .to(device) first"
        )
