"""Reverse-mode automatic differentiation: graph nodes, grad mode, ``backward``.

Every differentiable operation is a :class:`Function` subclass with a
``forward`` on raw arrays and a ``backward`` that maps the gradient of the
output to gradients of the inputs. ``Function.apply`` runs the forward and,
when a gradient is wanted, records the node as the output's ``grad_fn``.

:func:`run_backward` walks the recorded graph once, in reverse topological
order, iteratively (no recursion, so a 100,000-op chain is fine). Broadcasting
is undone in one place, :func:`sum_to_shape`, for every op: a ``backward``
returns gradients in the broadcast shape of the output and the walk sums them
back to each input's shape and dtype.
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

if TYPE_CHECKING:
    from minigrad.tensor import Tensor

__all__ = [
    "Function",
    "no_grad",
    "enable_grad",
    "set_grad_enabled",
    "is_grad_enabled",
    "sum_to_shape",
]

F = TypeVar("F", bound=Callable[..., Any])
_np_generic = np.generic
_new = object.__new__
_np_asarray = np.asarray


class _GradMode:
    enabled = True


def is_grad_enabled() -> bool:
    """Whether operations are currently recorded for differentiation."""
    return _GradMode.enabled


class _SwitchGrad:
    """Set the grad mode inside a ``with`` block or a decorated function, then restore it."""

    mode: bool

    def __new__(cls, func: Callable[..., Any] | None = None) -> Any:
        self = super().__new__(cls)
        if func is None:
            return self
        return self(func)  # used as ``@no_grad`` without parentheses

    def __enter__(self) -> None:
        self.prev = _GradMode.enabled
        _GradMode.enabled = self.mode

    def __exit__(self, *exc: object) -> None:
        _GradMode.enabled = self.prev

    def __call__(self, func: F) -> F:
        mode = self.mode

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with set_grad_enabled(mode):
                return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


class no_grad(_SwitchGrad):
    """Record no graph inside (inference, manual parameter updates); also a decorator."""

    mode = False


class enable_grad(_SwitchGrad):
    """Record the graph inside, even within :class:`no_grad`; also a decorator."""

    mode = True


class set_grad_enabled(_SwitchGrad):
    """Turn graph recording on or off: at once, or for a ``with`` block, or as a decorator.

    As in PyTorch, ``set_grad_enabled(False)`` as a plain statement switches the
    mode until it is switched back; in a ``with`` block the old mode returns at
    the end of the block.
    """

    def __new__(cls, mode: bool) -> set_grad_enabled:
        return super().__new__(cls)

    def __init__(self, mode: bool) -> None:
        self.mode = bool(mode)
        self.prev = _GradMode.enabled
        _GradMode.enabled = self.mode

    def __enter__(self) -> None:
        pass  # already switched by __init__

    def __call__(self, func: F) -> F:
        _GradMode.enabled = self.prev  # as a decorator it must not switch at definition time
        return super().__call__(func)


def sum_to_shape(grad: Any, shape: tuple[int, ...]) -> Any:
    """Undo broadcasting: sum ``grad`` over the axes that broadcasting added or stretched.

    ``d(x + y)/dx`` for ``x`` of shape (3, 1) and ``y`` of shape (4,) arrives with
    shape (3, 4) and is summed over axis 1 (kept) to give back (3, 1).
    """
    if grad.shape == shape:
        return grad
    lead = grad.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and grad.shape[lead + i] != 1
    )
    out = grad.sum(axis=axes, keepdims=True) if axes else grad
    if lead:
        out = out.reshape(out.shape[lead:])
    if out.shape != shape:
        raise RuntimeError(f"internal error: gradient of shape {grad.shape} for input {shape}")
    return out


class Function:
    """A node of the graph: one differentiable operation.

    Subclasses implement ``forward(*arrays) -> array`` and
    ``backward(grad) -> tuple`` (one entry per positional argument of
    ``forward``; ``None`` where no gradient flows). ``inputs`` holds the
    arguments as given to :meth:`apply` (tensors and constants).
    """

    __slots__ = ("inputs", "retained")
    broadcasts = False  # element-wise ops set this: shape errors then name the shapes

    def forward(self, *args: Any) -> Any:
        raise NotImplementedError

    def backward(self, grad: Any) -> tuple[Any, ...]:
        raise NotImplementedError

    @classmethod
    def apply(cls, *args: Any) -> Tensor:
        """Run the forward on the arguments' arrays; record the node when a gradient is wanted."""
        # The hot path of every operation: one pass over the arguments, no helper calls.
        fn = _new(cls)
        arrays = []
        requires_grad = False
        for a in args:
            if isinstance(a, Tensor):
                arrays.append(a.data)
                if a.requires_grad:
                    requires_grad = True
            else:
                arrays.append(a)
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
        t.data = out
        t.grad = None
        if requires_grad and _GradMode.enabled:
            fn.inputs = args
            fn.retained = None
            t.grad_fn = fn
            t.requires_grad = True
        else:
            t.grad_fn = None
            t.requires_grad = False
        return t

    def needs_grad(self, index: int) -> bool:
        """Whether positional argument ``index`` is a tensor that wants a gradient."""
        arg = self.inputs[index]
        return isinstance(arg, Tensor) and arg.requires_grad

    @property
    def name(self) -> str:
        return type(self).__name__ + "Backward"

    def __repr__(self) -> str:
        return f"<{self.name}>"


def broadcastable(*shapes: tuple[int, ...]) -> bool:
    """Whether the shapes broadcast together under NumPy's (and PyTorch's) rule."""
    try:
        np.broadcast_shapes(*shapes)
    except ValueError:
        return False
    return True


def raise_if_not_broadcastable(op: str, values: Any) -> None:
    """A clear error naming ``op`` and the shapes when arrays cannot broadcast together."""
    shapes = [tuple(getattr(v, "shape", ())) for v in values]
    if not broadcastable(*shapes):
        raise ValueError(
            f"{op}: shapes {' and '.join(map(str, shapes))} cannot be broadcast together"
        )


def _count_consumers(root: Function) -> dict[Function, int]:
    """For every node below ``root``, how many edges of the graph consume its output."""
    consumers: dict[Function, int] = {}
    stack = [root]
    while stack:
        fn = stack.pop()
        if fn.inputs is None:
            raise RuntimeError(
                "Trying to backward through the graph a second time (or directly access "
                "saved tensors after they have already been freed). Specify "
                "retain_graph=True on the first backward() call if you need to."
            )
        for arg in fn.inputs:
            if isinstance(arg, Tensor) and arg.requires_grad:
                child = arg.grad_fn
                if child is None:
                    continue
                if child in consumers:
                    consumers[child] += 1
                else:
                    consumers[child] = 1
                    stack.append(child)
    return consumers


def _fit(grad: Any, like: Any) -> Any:
    """Sum a gradient back to its input's shape and cast it to the input's dtype."""
    if grad.shape != like.shape:
        grad = sum_to_shape(grad, like.shape)
    if grad.dtype != like.dtype:
        grad = grad.astype(like.dtype)
    return grad


def accumulate_grad(tensor: Tensor, grad: Any, owned: bool = False) -> None:
    """Add ``grad`` into ``tensor.grad``: in place when it exists, as PyTorch does.

    A first gradient is stored as is only when ``owned`` (no one else holds the
    array); otherwise a copy, so that a later in-place accumulation cannot write
    into another tensor's gradient or a read-only broadcast view.
    """
    if tensor.grad is None:
        if isinstance(grad, _np_generic):  # 0-d NumPy arithmetic returns a scalar: keep arrays
            grad, owned = _np_asarray(grad), True
        tensor.grad = Tensor._from_op(grad if owned else grad.copy(), None)
    else:
        tensor.grad.data += grad
    _run_post_accumulate_grad_hooks(tensor)


def run_backward(root: Tensor, grad: Any, retain_graph: bool, grad_is_owned: bool) -> None:
    """Propagate ``grad`` (the gradient of ``root``) to every tensor that wants one.

    Non-leaf gradients are summed out of place in ``pending`` until their node
    runs; leaf gradients (and those of ``retain_grad()`` tensors) are summed the
    same way and stored once at the end, where an array is kept without a copy
    only if this pass made it and gave it to no one else.

    Without ``retain_graph`` each node drops its inputs once it has run: a node
    no one else holds is freed with its saved arrays as soon as the pass is past it.
    """
    # A node runs once all its consumers have run (Kahn's algorithm): then its
    # gradient in ``pending`` is complete.
    waiting = _count_consumers(root.grad_fn)
    ready = [root.grad_fn]
    pending: dict[Function, Any] = {root.grad_fn: grad}
    finished: dict[Tensor, Any] = {}
    foreign = None if grad_is_owned else grad
    while ready:
        fn = ready.pop()
        g_out = pending.pop(fn, None)  # None: every consumer gave this node no gradient
        if g_out is not None and fn.retained is not None:
            owner = fn.retained()
            if owner is not None:
                finished[owner] = g_out
        grads = fn.backward(g_out) if g_out is not None else (None,) * len(fn.inputs)
        for arg, g in zip(fn.inputs, grads):  # noqa: B905  (equal lengths; hot loop)
            if not isinstance(arg, Tensor) or not arg.requires_grad:
                continue
            child = arg.grad_fn
            if g is not None:
                data = arg.data
                if g.shape != data.shape or g.dtype is not data.dtype:
                    g = _fit(g, data)
                if child is None:
                    previous = finished.get(arg)
                    finished[arg] = g if previous is None else previous + g
                    continue
                previous = pending.get(child)
                pending[child] = g if previous is None else previous + g
            elif child is None:
                continue
            waiting[child] -= 1
            if not waiting[child]:
                ready.append(child)
        if not retain_graph:
            fn.inputs = None
    seen = {id(foreign)}
    for tensor, g in finished.items():
        if tensor.grad is not None:
            tensor.grad.data += g  # accumulate in place, as PyTorch does
        else:
            if isinstance(g, _np_generic):  # 0-d NumPy arithmetic returns a scalar: keep arrays
                g = _np_asarray(g)
            elif g.base is not None or id(g) in seen:
                g = g.copy()  # a view, or an array another tensor got too: own a copy
            seen.add(id(g))
            tensor.grad = Tensor._from_op(g, None)
        if _post_accumulate_grad_hooks:
            _run_post_accumulate_grad_hooks(tensor)


class RemovableHandle:
    """Returned by hook registrations; ``handle.remove()`` unregisters the hook."""

    def __init__(self, hooks: dict[int, Callable[..., Any]], key: int) -> None:
        self._hooks, self._key = hooks, key

    def remove(self) -> None:
        """Unregister the hook (a second call does nothing)."""
        self._hooks.pop(self._key, None)


# id(leaf) -> (weak reference to the leaf, {handle key: hook}); an entry goes with its leaf.
_post_accumulate_grad_hooks: dict[int, tuple[weakref.ref, dict[int, Callable[..., Any]]]] = {}
_hook_keys = iter(range(1 << 62))


def register_post_accumulate_grad_hook(
    tensor: Tensor, hook: Callable[[Tensor], None]
) -> RemovableHandle:
    """Run ``hook(tensor)`` each time a backward pass has accumulated into ``tensor.grad``."""
    if not tensor.requires_grad:
        raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
    if tensor.grad_fn is not None:
        raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
    key = id(tensor)
    entry = _post_accumulate_grad_hooks.get(key)
    if entry is None or entry[0]() is not tensor:
        hooks = _post_accumulate_grad_hooks
        ref = weakref.ref(tensor, lambda _: hooks.pop(key, None))
        entry = _post_accumulate_grad_hooks[key] = (ref, {})
    handle_key = next(_hook_keys)
    entry[1][handle_key] = hook
    return RemovableHandle(entry[1], handle_key)


def _run_post_accumulate_grad_hooks(tensor: Tensor) -> None:
    entry = _post_accumulate_grad_hooks.get(id(tensor))
    if entry is not None and entry[0]() is tensor:
        for hook in list(entry[1].values()):
            hook(tensor)


def retain_grad(tensor: Tensor) -> None:
    """Keep the gradient of a non-leaf tensor in ``.grad`` during backward."""
    tensor.grad_fn.retained = weakref.ref(tensor)


from minigrad.tensor import Tensor, check_same_device  # noqa: E402  (Tensor and Function refer to each other)
