"""Custom differentiable operations with PyTorch's ``torch.autograd.Function`` API.

    class Exp(minigrad.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, grad):
            (y,) = ctx.saved_tensors
            return grad * y

    y = Exp.apply(x)

``forward`` runs on tensors with grad mode off; ``backward`` receives one
gradient per output and returns one per input of ``forward`` (None for inputs
that are not tensors or need no gradient). When the backward pass is asked for
a graph (``create_graph=True``), ``backward`` runs with grad mode on, so a
backward written with differentiable operations gives higher-order gradients.
"""

from __future__ import annotations

from typing import Any

from minigrad.autograd.grad_mode import is_grad_enabled, no_grad, set_grad_enabled
from minigrad.autograd.graph import Node, fit_gradient, new_tensor
from minigrad.backend import backend_of
from minigrad.dtypes import is_floating
from minigrad.tensor import Tensor

__all__ = ["Function", "FunctionCtx", "once_differentiable"]


class FunctionCtx(Node):
    """``ctx``: what one call of a :class:`Function` keeps for its backward, and its graph node.

    Any attribute may be set on it in ``forward`` (``ctx.constant = 3``) and read in
    ``backward``.
    """

    def __init__(self, function: type[Function], args: tuple[Any, ...]) -> None:
        self.edges = [a.grad_fn or a if _wants_grad(a) else None for a in args]
        self.arrays = [None] * len(args)  # the gradients are checked and fitted in run()
        self.hooks = None
        self.needs_input_grad = tuple(_wants_grad(a) for a in args)
        self.materialize_grads = True
        self._function = function
        self._inputs = [(a.shape, a.dtype) if isinstance(a, Tensor) else None for a in args]
        self._saved: list[tuple[Any, Any, int]] | None = []
        self._non_differentiable: set[int] = set()
        self._dirty: set[int] = set()
        self._outputs: list[Any] = []  # the outputs' arrays (None for a non-tensor output)

    def name(self) -> str:
        return self._function.__name__ + "Backward"

    def save_for_backward(self, *tensors: Tensor | None) -> None:
        """Keep tensors for ``backward`` (read them back with :attr:`saved_tensors`); an
        in-place change to one of them before backward is an error, as in PyTorch."""
        for t in tensors:
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(
                    f"save_for_backward can only save tensors (or None), got {type(t).__name__}"
                )
        self._saved = [
            (t, t._counter, t._version) if t is not None else (None, None, 0) for t in tensors
        ]

    @property
    def saved_tensors(self) -> tuple[Tensor | None, ...]:
        """The tensors given to :meth:`save_for_backward`, checked to be unchanged."""
        if self._saved is None:
            raise RuntimeError(
                "Trying to backward through the graph a second time (or directly access saved "
                "tensors after they have already been freed). Specify retain_graph=True if "
                "you need to backward through the graph a second time."
            )
        for i, (t, counter, version) in enumerate(self._saved):
            if t is not None and counter[0] != version:
                raise RuntimeError(
                    "one of the variables needed for gradient computation has been modified "
                    f"by an inplace operation: saved tensor {i} of {self.name()} (shape "
                    f"{t.shape}) is at version {counter[0]}; expected version {version} instead."
                )
        return tuple(t for t, _, _ in self._saved)

    def mark_non_differentiable(self, *tensors: Tensor) -> None:
        """Outputs that get no gradient (e.g. indices): they will not require grad."""
        self._non_differentiable.update(id(t) for t in tensors)

    def mark_dirty(self, *tensors: Tensor) -> None:
        """Inputs that ``forward`` changed in place (and returns)."""
        self._dirty.update(id(t) for t in tensors)

    def set_materialize_grads(self, value: bool) -> None:
        """Whether outputs that got no gradient are given zeros (default) or None in backward."""
        self.materialize_grads = bool(value)

    def run(self, grad: Any, graph: Any) -> tuple[Any, ...]:
        count = len(self._outputs)
        grads = [grad] if count == 1 else [grad.get(k) for k in range(count)]
        if self._saved is None:
            self.saved_tensors  # noqa: B018  (raises the freed-graph error)
        grad_tensors = []
        for g, array in zip(grads, self._outputs):  # noqa: B905  (one per output)
            if g is None and self.materialize_grads and array is not None:
                g = backend_of(array).xp.zeros_like(array)
            grad_tensors.append(g if g is None or isinstance(g, Tensor) else new_tensor(g))
        with set_grad_enabled(graph is not None):
            result = self._function.backward(self, *grad_tensors)
        result = result if isinstance(result, tuple) else (result,)
        expected = len(self._inputs)
        if len(result) < expected or any(r is not None for r in result[expected:]):
            raise RuntimeError(
                f"function {self.name()} returned an incorrect number of gradients "
                f"(expected {expected}, got {len(result)})"
            )
        return tuple(self._check_gradient(i, g, graph) for i, g in enumerate(result[:expected]))

    def _check_gradient(self, i: int, g: Any, graph: Any) -> Any:
        if g is None or self.edges[i] is None:
            if g is not None and self._inputs[i] is None:
                raise RuntimeError(
                    f"function {self.name()} returned a gradient different than None at "
                    f"position {i + 1}, but the corresponding forward input was not a Tensor"
                )
            return None
        if not isinstance(g, Tensor):
            raise TypeError(
                f"function {self.name()} returned {type(g).__name__} as gradient {i}; "
                "expected a Tensor or None"
            )
        shape, dtype = self._inputs[i]  # type: ignore[misc]  # a tensor input (it has an edge)
        g = g if graph is not None else g._array
        if tuple(g.shape) != tuple(shape) or g.dtype != dtype:
            try:
                g = fit_gradient(g, _Like(shape, dtype))
            except RuntimeError:
                raise RuntimeError(
                    f"Function {self.name()} returned an invalid gradient at index {i} - got "
                    f"{list(g.shape)} but expected shape compatible with {list(shape)}"
                ) from None
        return g

    def release(self) -> None:
        self._saved = None


class _Like:
    """Just a shape and a dtype, for :func:`fit_gradient`."""

    __slots__ = ("shape", "dtype")

    def __init__(self, shape: tuple[int, ...], dtype: Any) -> None:
        self.shape, self.dtype = shape, dtype


class _OutputSlot(Node):
    """The ``grad_fn`` of output ``index`` of a Function with several outputs: it hands
    its gradient, labelled with the output, to the Function's node, which runs once
    every output's gradient has arrived (the engine sums the labelled gradients)."""

    def __init__(self, ctx: FunctionCtx, index: int) -> None:
        self.edges = [ctx]
        self.arrays = [None]
        self.hooks = None
        self.ctx, self.index = ctx, index

    def name(self) -> str:
        return self.ctx.name()

    def run(self, grad: Any, graph: Any) -> tuple[Any, ...]:
        return (_OutputGradients({self.index: grad}),)


class _OutputGradients(dict):
    """Gradients of some outputs of one Function, by output index; ``+`` merges them."""

    def __add__(self, other: _OutputGradients) -> _OutputGradients:
        merged = _OutputGradients(self)
        for index, grad in other.items():
            merged[index] = grad if index not in merged else merged[index] + grad
        return merged


class Function:
    """Base class of custom differentiable operations (PyTorch's ``autograd.Function``).

    Subclasses define static ``forward(ctx, *args)`` and ``backward(ctx, *grads)``
    (or ``forward(*args)`` plus ``setup_context(ctx, inputs, output)``), and are
    called through :meth:`apply`.
    """

    @staticmethod
    def forward(ctx: FunctionCtx, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("a Function must define a static forward(ctx, *args)")

    @staticmethod
    def backward(ctx: FunctionCtx, *grad_outputs: Any) -> Any:
        raise NotImplementedError("a Function must define a static backward(ctx, *grads)")

    @staticmethod
    def setup_context(ctx: FunctionCtx, inputs: tuple[Any, ...], output: Any) -> None:
        raise NotImplementedError

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        """Run ``forward`` (grad mode off) and, when an input requires grad, record the node."""
        if kwargs:
            raise TypeError(f"{cls.__name__}.apply() takes positional arguments only")
        ctx = FunctionCtx(cls, args)
        with no_grad():
            if cls.setup_context is Function.setup_context:
                output = cls.forward(ctx, *args)
            else:
                output = cls.forward(*args)
                cls.setup_context(ctx, args, output)
        outputs = output if isinstance(output, tuple) else (output,)
        record = is_grad_enabled() and any(ctx.needs_input_grad)
        wrapped = tuple(
            _wrap_output(ctx, o, k, len(outputs), args, record) for k, o in enumerate(outputs)
        )
        ctx._outputs = [o._array if isinstance(o, Tensor) else None for o in wrapped]
        return wrapped if isinstance(output, tuple) else wrapped[0]


def _wrap_output(
    ctx: FunctionCtx, out: Any, index: int, count: int, args: tuple[Any, ...], record: bool
) -> Any:
    """Give output ``index`` of ``forward`` its place in the graph."""
    if not isinstance(out, Tensor):
        return out
    dirty = id(out) in ctx._dirty
    if dirty:
        out._counter[0] += 1
    elif any(out is a for a in args):
        out = new_tensor(out._array, None, out._counter)  # an input returned as is: an alias
    if record and id(out) not in ctx._non_differentiable and is_floating(out.dtype):
        out.grad_fn = ctx if count == 1 else _OutputSlot(ctx, index)
        out.requires_grad = True
    elif not dirty:
        out.grad_fn, out.requires_grad = None, False
    return out


def once_differentiable(backward: Any) -> Any:
    """Mark a ``backward`` that is not itself differentiable: it runs with grad mode off."""
    import functools

    @functools.wraps(backward)
    def wrapper(ctx: FunctionCtx, *grads: Any) -> Any:
        with no_grad():
            return backward(ctx, *grads)

    return wrapper


def _wants_grad(value: Any) -> bool:
    return isinstance(value, Tensor) and value.requires_grad
