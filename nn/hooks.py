"""Module hooks: :class:`RemovableHandle` and the full backward hook's bookkeeping.

As in PyTorch (``torch.utils.hooks``), registering a hook returns a handle whose
``remove()`` unregisters it; the full backward hook of a module is built on tensor
hooks (``Tensor.register_hook``) placed on the module's inputs and outputs.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, MutableMapping, Sequence
from typing import Any

from minigrad.autograd import is_grad_enabled
from minigrad.tensor import Tensor

__all__ = ["RemovableHandle", "BackwardHook"]

_next_id = itertools.count()


class RemovableHandle:
    """A handle to a registered hook: ``handle.remove()`` unregisters it.

    Also a context manager, which removes the hook on exit::

        with model.register_forward_hook(print_shapes):
            model(x)
    """

    def __init__(self, *registries: MutableMapping[int, Any]) -> None:
        self.id = next(_next_id)
        self._registries = registries

    def remove(self) -> None:
        """Unregister the hook (from every registry it was added to); idempotent."""
        for registry in self._registries:
            registry.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.remove()


def _hookable(value: Any) -> bool:
    return isinstance(value, Tensor) and value.requires_grad and is_grad_enabled()


def _identity(tensor: Tensor) -> Tensor:
    """A new graph node equal to ``tensor``: its hook sees only the gradient flowing through it."""
    return tensor.view_as(tensor)


class BackwardHook:
    """One forward call's full backward hooks, ``hook(module, grad_input, grad_output)``,
    and backward pre-hooks, ``pre_hook(module, grad_output)``.

    ``grad_output`` has one entry per tensor the module returned, ``grad_input``
    one per tensor it was given (None where no gradient flows), as in PyTorch.
    Each tensor input and output that requires grad is replaced by an identity
    node carrying a tensor hook; once the outputs' gradients have arrived and
    the inputs' gradients are computed, the hooks run in registration order,
    each may return a new ``grad_input`` tuple, which replaces the gradients
    passed on to the inputs. The pre-hooks run first, once the outputs' gradients
    have arrived (before the module's own backward); each may return a new
    ``grad_output`` tuple, passed into the module instead. (With several tensor
    inputs or outputs, the hooks run at the last gradient; a replacement of a
    gradient that was already passed on raises ``RuntimeError``.)
    """

    def __init__(
        self,
        module: Any,
        hooks: Sequence[Callable[..., Any]],
        pre_hooks: Sequence[Callable[..., Any]] = (),
    ) -> None:
        self.module = module
        self.hooks = list(hooks)
        self.pre_hooks = list(pre_hooks)
        self.n_inputs = 0
        self.input_slots: list[int] = []  # positions (among tensor inputs) that get a gradient
        self.n_outputs = 0
        self.output_slots: list[int] = []
        self._reset()

    def _reset(self) -> None:
        self.grad_outputs: dict[int, Any] = {}
        self.grad_inputs: dict[int, Any] = {}
        self.passed_on: dict[int, Any] = {}
        self.passed_out: dict[int, Any] = {}

    # ----------------------------------------------------------------- forward side
    def setup_input(self, args: tuple[Any, ...]) -> tuple[Any, ...]:
        """``args`` with each tensor that requires grad replaced by a hooked identity node."""
        new_args = list(args)
        slot = 0
        for i, value in enumerate(args):
            if not isinstance(value, Tensor):
                continue
            if _hookable(value):
                new_args[i] = _identity(value)
                new_args[i].register_hook(self._input_hook(slot))
                self.input_slots.append(slot)
            slot += 1
        self.n_inputs = slot
        return tuple(new_args)

    def setup_output(self, result: Any) -> Any:
        """``result`` (a tensor or a tuple/list of them) with hooked identity nodes."""
        outputs = result if isinstance(result, tuple | list) else (result,)
        new_outputs = list(outputs)
        slot = 0
        for i, value in enumerate(outputs):
            if not isinstance(value, Tensor):
                continue
            if _hookable(value):
                new_outputs[i] = _identity(value)
                new_outputs[i].register_hook(self._output_hook(slot))
                self.output_slots.append(slot)
            slot += 1
        self.n_outputs = slot
        if not isinstance(result, tuple | list):
            return new_outputs[0]
        return type(result)(new_outputs)

    # ----------------------------------------------------------------- backward side
    def _output_hook(self, slot: int) -> Callable[[Tensor], Tensor | None]:
        def hook(grad: Tensor) -> Tensor | None:
            self.grad_outputs[slot] = grad
            if len(self.grad_outputs) < len(self.output_slots):
                self.passed_out[slot] = grad
                return None
            replaced = self._run_pre_hooks()
            _check_unchanged(self.module, "grad_output", self.passed_out, replaced)
            self.grad_outputs = {i: g for i, g in enumerate(replaced) if g is not None}
            if not self.input_slots:
                self._run_user_hooks()  # nothing to wait for: grad_input is all None
                self._reset()
            return replaced[slot]

        return hook

    def _input_hook(self, slot: int) -> Callable[[Tensor], Tensor | None]:
        def hook(grad: Tensor) -> Tensor | None:
            self.grad_inputs[slot] = grad
            if len(self.grad_inputs) < len(self.input_slots):
                self.passed_on[slot] = grad
                return None
            replaced = self._run_user_hooks()
            _check_unchanged(self.module, "grad_input", self.passed_on, replaced)
            self._reset()
            return replaced[slot]

        return hook

    def _run_pre_hooks(self) -> tuple[Any, ...]:
        grad_output = tuple(self.grad_outputs.get(i) for i in range(self.n_outputs))
        return _replaced_by(
            "Backward pre hook", "grad_output", grad_output, self.pre_hooks,
            lambda hook, grads: hook(self.module, grads),
        )  # fmt: skip

    def _run_user_hooks(self) -> tuple[Any, ...]:
        grad_output = tuple(self.grad_outputs.get(i) for i in range(self.n_outputs))
        grad_input = tuple(self.grad_inputs.get(i) for i in range(self.n_inputs))
        return _replaced_by(
            "Backward hook", "grad_input", grad_input, self.hooks,
            lambda hook, grads: hook(self.module, grads, grad_output),
        )  # fmt: skip


def _check_unchanged(module: Any, what: str, passed: dict[int, Any], now: tuple[Any, ...]) -> None:
    """A hook may not replace a gradient that was already passed on (an earlier slot's)."""
    for earlier, gradient in passed.items():
        if now[earlier] is not gradient:
            raise RuntimeError(
                f"a backward hook of {type(module).__name__} replaced {what}[{earlier}], whose "
                "gradient was already passed on; with several tensors only the last one's "
                "can be replaced"
            )


def _replaced_by(
    kind: str,
    what: str,
    grads: tuple[Any, ...],
    hooks: Sequence[Callable[..., Any]],
    call: Callable[[Callable[..., Any], tuple[Any, ...]], Any],
) -> tuple[Any, ...]:
    """``call(hook, grads)`` for each hook in turn; a hook that returns a tuple (of the same
    length) replaces ``grads`` for the next hooks and the result."""
    for hook in hooks:
        result = call(hook, grads)
        if result is None:
            continue
        if not isinstance(result, tuple | list) or len(result) != len(grads):
            got = len(result) if isinstance(result, tuple | list) else type(result).__name__
            raise RuntimeError(
                f"{kind} returned an invalid number of {what}, got {got}, but expected {len(grads)}"
            )
        grads = tuple(result)
    return grads
