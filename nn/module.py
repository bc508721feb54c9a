"""``Module``: the base class of every layer and model, as ``torch.nn.Module``."""

from __future__ import annotations

import warnings
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from typing import Any, NamedTuple

from minigrad.autograd import no_grad
from minigrad.backend import Device, array_of, as_device, backend_of, get_backend
from minigrad.creation import as_tensor
from minigrad.dtypes import as_dtype, float16, float32, float64, is_floating
from minigrad.tensor import Tensor

from .hooks import BackwardHook, RemovableHandle
from .parameter import Parameter

__all__ = ["Module"]


class _IncompatibleKeys(NamedTuple):
    """What :meth:`Module.load_state_dict` reports: keys it did not find or did not expect."""

    missing_keys: list[str]
    unexpected_keys: list[str]

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return (
            f"_IncompatibleKeys(missing_keys={self.missing_keys}, "
            f"unexpected_keys={self.unexpected_keys})"
        )


def _addindent(text: str, spaces: int) -> str:
    lines = text.split("\n")
    if len(lines) == 1:
        return text
    pad = " " * spaces
    return lines[0] + "\n" + "\n".join(pad + line for line in lines[1:])


def _set_array(tensor: Tensor, array: Any) -> None:
    """Make ``tensor`` hold ``array`` (same tensor object: optimizers keep working)."""
    tensor.data = as_tensor(array)


def _move(array: Any, device: Device | None, dtype: Any) -> Any:
    """``array`` on ``device`` (a copy through the host when it changes) cast to ``dtype``."""
    backend = backend_of(array)
    if device is not None and backend.device_of(array) != device:
        array = get_backend(device).from_host(backend.to_host(array), device)
    if dtype is not None and is_floating(array.dtype) and array.dtype != dtype:
        array = array.astype(dtype)
    return array


class Module:
    """Base class of layers and models.

    Subclasses call ``super().__init__()``, assign their parameters
    (:class:`Parameter`) and sub-modules as attributes, and define
    ``forward``. Assigned parameters and modules register themselves in
    assignment order, so that ``parameters()``, ``state_dict()``, ``to(device)``
    and ``train()/eval()`` reach all of them::

        class MLP(nn.Module):
            def __init__(self):
                super().__init__()
                self.hidden = nn.Linear(784, 100)
                self.out = nn.Linear(100, 10)

            def forward(self, x):
                return self.out(F.relu(self.hidden(x)))

    ``model(x)`` calls ``model.forward(x)``, and the hooks registered with
    :meth:`register_forward_pre_hook`, :meth:`register_forward_hook` and
    :meth:`register_full_backward_hook`. ``training`` is True until
    :meth:`eval` (it changes what :class:`Dropout` does).
    """

    training: bool
    _parameters: dict[str, Parameter | None]
    _buffers: dict[str, Tensor | None]
    _modules: dict[str, Module | None]
    _non_persistent: set[str]
    _forward_pre_hooks: OrderedDict[int, Callable[..., Any]]
    _forward_pre_hooks_with_kwargs: set[int]
    _forward_hooks: OrderedDict[int, Callable[..., Any]]
    _forward_hooks_with_kwargs: set[int]
    _forward_hooks_always_called: set[int]
    _backward_hooks: OrderedDict[int, Callable[..., Any]]
    _backward_pre_hooks: OrderedDict[int, Callable[..., Any]]

    def __init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "training", True)
        set_(self, "_parameters", {})
        set_(self, "_buffers", {})
        set_(self, "_non_persistent", set())
        set_(self, "_modules", {})
        set_(self, "_forward_pre_hooks", OrderedDict())
        set_(self, "_forward_pre_hooks_with_kwargs", set())
        set_(self, "_forward_hooks", OrderedDict())
        set_(self, "_forward_hooks_with_kwargs", set())
        set_(self, "_forward_hooks_always_called", set())
        set_(self, "_backward_hooks", OrderedDict())
        set_(self, "_backward_pre_hooks", OrderedDict())

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """The computation of the module; every subclass defines it."""
        raise NotImplementedError(
            f'Module [{type(self).__name__}] is missing the required "forward" function'
        )

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if (
            self._forward_pre_hooks
            or self._forward_hooks
            or self._backward_hooks
            or self._backward_pre_hooks
        ):
            return self._call_with_hooks(args, kwargs)
        return self.forward(*args, **kwargs)

    def _call_with_hooks(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """``forward`` between its pre-hooks and hooks, as in PyTorch's ``__call__``."""
        for hook_id, hook in list(self._forward_pre_hooks.items()):
            if hook_id in self._forward_pre_hooks_with_kwargs:
                changed = hook(self, args, kwargs)
                if changed is not None:
                    if not (isinstance(changed, tuple) and len(changed) == 2):
                        raise RuntimeError(
                            "forward pre-hook must return None or a tuple of "
                            f"(new_args, new_kwargs), but got {changed}."
                        )
                    args, kwargs = changed
            else:
                changed = hook(self, args)
                if changed is not None:
                    args = changed if isinstance(changed, tuple) else (changed,)
        backward_hook = None
        if self._backward_hooks or self._backward_pre_hooks:
            backward_hook = BackwardHook(
                self, list(self._backward_hooks.values()), list(self._backward_pre_hooks.values())
            )
            args = backward_hook.setup_input(args)
        result, called = None, set()
        try:
            result = self.forward(*args, **kwargs)
            for hook_id, hook in list(self._forward_hooks.items()):
                called.add(hook_id)
                changed = self._run_forward_hook(hook_id, hook, args, kwargs, result)
                if changed is not None:
                    result = changed
        except Exception:
            for hook_id, hook in list(self._forward_hooks.items()):
                if hook_id in self._forward_hooks_always_called and hook_id not in called:
                    try:
                        self._run_forward_hook(hook_id, hook, args, kwargs, result)
                    except Exception as hook_error:
                        warnings.warn(
                            "forward hook with always_call=True raised an exception that was "
                            f"silenced, as another error was raised in forward: {hook_error}",
                            stacklevel=2,
                        )
            raise
        if backward_hook is not None:
            result = backward_hook.setup_output(result)
        return result

    def _run_forward_hook(
        self,
        hook_id: int,
        hook: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        result: Any,
    ) -> Any:
        if hook_id in self._forward_hooks_with_kwargs:
            return hook(self, args, kwargs, result)
        return hook(self, args, result)

    # ------------------------------------------------------------------ hooks
    @staticmethod
    def _add_hook(registry: OrderedDict[int, Any], hook: Any, prepend: bool) -> RemovableHandle:
        if not callable(hook):
            raise TypeError(f"hook must be callable, got {type(hook).__name__}")
        handle = RemovableHandle(registry)
        registry[handle.id] = hook
        if prepend:
            registry.move_to_end(handle.id, last=False)
        return handle

    def register_forward_pre_hook(
        self, hook: Callable[..., Any], *, prepend: bool = False, with_kwargs: bool = False
    ) -> RemovableHandle:
        """Call ``hook(module, args)`` before every ``forward``; returns a removable handle.

        The hook may return a new ``args`` (a tuple, or a single value that is
        wrapped in one). With ``with_kwargs=True`` it is called as
        ``hook(module, args, kwargs)`` and may return ``(new_args, new_kwargs)``.
        ``prepend=True`` runs it before the hooks already registered.
        """
        handle = self._add_hook(self._forward_pre_hooks, hook, prepend)
        if with_kwargs:
            self._forward_pre_hooks_with_kwargs.add(handle.id)
        return handle

    def register_forward_hook(
        self,
        hook: Callable[..., Any],
        *,
        prepend: bool = False,
        with_kwargs: bool = False,
        always_call: bool = False,
    ) -> RemovableHandle:
        """Call ``hook(module, args, output)`` after every ``forward``; returns a removable handle.

        The hook may return a new output. With ``with_kwargs=True`` it is called as
        ``hook(module, args, kwargs, output)``; with ``always_call=True`` it also
        runs (with ``output=None``) when ``forward`` raises. ``prepend=True`` runs
        it before the hooks already registered.
        """
        handle = self._add_hook(self._forward_hooks, hook, prepend)
        if with_kwargs:
            self._forward_hooks_with_kwargs.add(handle.id)
        if always_call:
            self._forward_hooks_always_called.add(handle.id)
        return handle

    def register_full_backward_hook(
        self, hook: Callable[..., Any], prepend: bool = False
    ) -> RemovableHandle:
        """Call ``hook(module, grad_input, grad_output)`` when the gradients reach the module.

        ``grad_output`` holds the gradients of the module's tensor outputs,
        ``grad_input`` those of its tensor inputs (None where no gradient flows);
        the hook may return a new ``grad_input`` tuple, passed on instead. Built
        on ``Tensor.register_hook`` on identity nodes placed around ``forward``
        (see :class:`minigrad.nn.hooks.BackwardHook`).
        """
        return self._add_hook(self._backward_hooks, hook, prepend)

    def register_full_backward_pre_hook(
        self, hook: Callable[..., Any], prepend: bool = False
    ) -> RemovableHandle:
        """Call ``hook(module, grad_output)`` when the gradients of the module's outputs have
        arrived, before the module's backward; the hook may return a new ``grad_output``
        tuple, used in their place (and shown to the full backward hooks)."""
        return self._add_hook(self._backward_pre_hooks, hook, prepend)

    # ------------------------------------------------------------------ registration
    def _registry(self, name: str) -> dict[str, Any]:
        try:
            return self.__dict__[name]
        except KeyError:
            raise AttributeError(
                f"cannot assign to {type(self).__name__} before Module.__init__() call "
                "(call super().__init__() first)"
            ) from None

    def __setattr__(self, name: str, value: Any) -> None:
        d = self.__dict__
        if isinstance(value, Parameter):
            params = self._registry("_parameters")
            d["_buffers"].pop(name, None)
            d["_modules"].pop(name, None)
            params[name] = value
        elif isinstance(value, Module):
            modules = self._registry("_modules")
            d["_parameters"].pop(name, None)
            d["_buffers"].pop(name, None)
            modules[name] = value
        elif "_parameters" in d and name in d["_parameters"]:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as parameter '{name}' "
                    "(minigrad.nn.Parameter or None expected)"
                )
            d["_parameters"][name] = None
        elif "_modules" in d and name in d["_modules"]:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as child module '{name}' "
                    "(minigrad.nn.Module or None expected)"
                )
            d["_modules"][name] = None
        elif "_buffers" in d and name in d["_buffers"]:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as buffer '{name}' "
                    "(minigrad.Tensor or None expected)"
                )
            d["_buffers"][name] = value
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        for registry in ("_parameters", "_buffers", "_modules"):
            self.__dict__.get(registry, {}).pop(name, None)
        self.__dict__.get("_non_persistent", set()).discard(name)
        object.__delattr__(self, name)

    def _check_name(self, name: Any, kind: str, registry: str) -> None:
        """A valid new name, or one already in ``registry`` (re-registering replaces it).

        As in PyTorch, a name taken by any other attribute, including a parameter,
        buffer or module of another kind, is refused: registering a buffer named
        ``weight`` must not silently turn a parameter into a buffer.
        """
        if not isinstance(name, str):
            raise TypeError(f"{kind} name should be a string, got {type(name).__name__}")
        if "." in name or name == "":
            raise KeyError(f"{kind} name can't contain \".\" and can't be empty, got {name!r}")
        if hasattr(self, name) and name not in self.__dict__[registry]:
            raise KeyError(f"attribute '{name}' already exists")

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Add ``param`` (a :class:`Parameter` or None) under ``name``."""
        self._registry("_parameters")
        self._check_name(name, "parameter", "_parameters")
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(
                f"cannot assign '{type(param).__name__}' object to parameter '{name}' "
                "(minigrad.nn.Parameter or None required)"
            )
        if param is None:
            self.__dict__["_parameters"][name] = None
            object.__setattr__(self, name, None)
        else:
            setattr(self, name, param)

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Add a tensor that is state but not a parameter (moved by ``to``, saved if persistent).

        Buffers do not appear in ``parameters()``; a persistent buffer is part of
        ``state_dict()`` (e.g. the class ``weight`` of :class:`CrossEntropyLoss`).
        """
        self._registry("_buffers")
        self._check_name(name, "buffer", "_buffers")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(
                f"cannot assign '{type(tensor).__name__}' object to buffer '{name}' "
                "(minigrad.Tensor or None required)"
            )
        self.__dict__["_buffers"][name] = tensor
        if persistent:
            self.__dict__["_non_persistent"].discard(name)
        else:
            self.__dict__["_non_persistent"].add(name)
        object.__setattr__(self, name, tensor)

    def add_module(self, name: str, module: Module | None) -> None:
        """Add the child ``module`` (or None) under ``name``."""
        self._registry("_modules")
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        self._check_name(name, "module", "_modules")
        if module is None:
            self.__dict__["_modules"][name] = None
            object.__setattr__(self, name, None)
        else:
            setattr(self, name, module)

    register_module = add_module

    def get_submodule(self, target: str) -> Module:
        """The sub-module at the dotted path ``target`` (``"encoder.0"``); ``""`` is self.

        Raises ``AttributeError`` naming the step of the path that does not exist
        or is not a Module.
        """
        module: Module = self
        if target == "":
            return module
        for item in target.split("."):
            if not hasattr(module, item):
                raise AttributeError(f"{type(module).__name__} has no attribute `{item}`")
            child = getattr(module, item)
            if not isinstance(child, Module):
                raise AttributeError(f"`{item}` is not an nn.Module")
            module = child
        return module

    def get_parameter(self, target: str) -> Parameter:
        """The parameter at the dotted path ``target`` (``"encoder.0.weight"``)."""
        module_path, _, name = target.rpartition(".")
        module = self.get_submodule(module_path)
        if not hasattr(module, name):
            raise AttributeError(f"{type(module).__name__} has no attribute `{name}`")
        param = getattr(module, name)
        if not isinstance(param, Parameter):
            raise AttributeError(f"`{name}` is not an nn.Parameter")
        return param

    def get_buffer(self, target: str) -> Tensor:
        """The buffer at the dotted path ``target`` (``"norm.running_mean"``)."""
        module_path, _, name = target.rpartition(".")
        module = self.get_submodule(module_path)
        if not hasattr(module, name):
            raise AttributeError(f"{type(module).__name__} has no attribute `{name}`")
        if name not in module._buffers:
            raise AttributeError(f"`{name}` is not a buffer")
        return getattr(module, name)

    # ------------------------------------------------------------------ traversal
    def named_modules(
        self, memo: set[int] | None = None, prefix: str = "", remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Module]]:
        """``(name, module)`` for this module and every descendant, depth first."""
        if memo is None:
            memo = set()
        if remove_duplicate:
            if id(self) in memo:
                return
            memo.add(id(self))
        yield prefix, self
        for name, module in self._modules.items():
            if module is None:
                continue
            sub = prefix + ("." if prefix else "") + name
            yield from module.named_modules(memo, sub, remove_duplicate)

    def modules(self) -> Iterator[Module]:
        """This module and every descendant (each once)."""
        for _, module in self.named_modules():
            yield module

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """``(name, module)`` for each direct child (each once)."""
        seen: set[int] = set()
        for name, module in self._modules.items():
            if module is not None and id(module) not in seen:
                seen.add(id(module))
                yield name, module

    def children(self) -> Iterator[Module]:
        """The direct children."""
        for _, module in self.named_children():
            yield module

    def _named_members(
        self, registry: str, prefix: str, recurse: bool, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Any]]:
        seen: set[int] = set()
        modules = (
            self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate)
            if recurse
            else [(prefix, self)]
        )
        for module_prefix, module in modules:
            for name, value in module.__dict__[registry].items():
                if value is None or (remove_duplicate and id(value) in seen):
                    continue
                seen.add(id(value))
                yield module_prefix + ("." if module_prefix else "") + name, value

    def named_parameters(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Parameter]]:
        """``(name, parameter)`` pairs: own parameters first, then each child's (``"0.weight"``).

        A parameter shared by several modules is listed once.
        """
        return self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """The parameters, in registration order (what an optimizer is given)."""
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def named_buffers(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Tensor]]:
        """``(name, buffer)`` pairs, as :meth:`named_parameters`."""
        return self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        """The buffers, in registration order."""
        for _, buffer in self.named_buffers(recurse=recurse):
            yield buffer

    def apply(self, fn: Callable[[Module], Any]) -> Module:
        """Call ``fn`` on every descendant and then on this module (e.g. to initialise); self."""
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    # ------------------------------------------------------------------ modes and gradients
    def train(self, mode: bool = True) -> Module:
        """Set training mode (``mode=True``) or evaluation mode on every module; returns self."""
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        self.training = mode
        for module in self.children():
            module.train(mode)
        return self

    def eval(self) -> Module:
        """Evaluation mode (``train(False)``): Dropout passes its input through. Returns self."""
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Set ``requires_grad`` of every parameter (False freezes the module); returns self."""
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of all parameters: to None (default, as PyTorch 2) or to zeros."""
        for p in self.parameters():
            if p.grad is None:
                continue
            if set_to_none:
                p.grad = None
            else:
                with no_grad():
                    p.grad.zero_()

    # ------------------------------------------------------------------ devices and dtypes
    def to(
        self, *args: Any, device: Any = None, dtype: Any = None, non_blocking: bool = False
    ) -> Module:
        """Move (``to('cuda')``) and/or cast (``to(minigrad.float64)``) in place; returns self.

        Also ``to(device, dtype)`` and ``to(tensor)`` (that tensor's device and
        dtype). Every parameter and buffer keeps its identity: its values (and its
        ``grad``'s) are replaced by the moved ones, so an optimizer created before
        the move still updates the right tensors. Only floating-point tensors are
        cast to ``dtype``. ``non_blocking`` is accepted for PyTorch's signature;
        copies are synchronous.
        """
        for arg in args:
            if isinstance(arg, str | Device):
                device = arg
            elif isinstance(arg, Tensor):
                device, dtype = arg.device, arg.dtype
            else:
                dtype = arg
        target = None if device is None else as_device(device)
        if target is not None:
            get_backend(target)  # a clear error now if the device is unavailable
        if dtype is not None:
            dtype = as_dtype(dtype)
            if not is_floating(dtype):
                raise TypeError(
                    "nn.Module.to only accepts floating point or complex dtypes, but got "
                    f"desired dtype={dtype}"
                )
        for tensor in (*self.parameters(), *self.buffers()):
            _set_array(tensor, _move(array_of(tensor), target, dtype))
            if tensor.grad is not None:
                _set_array(tensor.grad, _move(array_of(tensor.grad), target, dtype))
        return self

    def cpu(self) -> Module:
        """Move every parameter and buffer to the CPU (in place); returns self."""
        return self.to("cpu")

    def cuda(self, device: int | str | None = None) -> Module:
        """Move every parameter and buffer to the GPU (in place); returns self."""
        if isinstance(device, int):
            device = f"cuda:{device}"
        return self.to(device or "cuda")

    def float(self) -> Module:
        """Cast floating-point parameters and buffers to float32 (in place); returns self."""
        return self.to(float32)

    def double(self) -> Module:
        """Cast floating-point parameters and buffers to float64 (in place); returns self."""
        return self.to(float64)

    def half(self) -> Module:
        """Cast floating-point parameters and buffers to float16 (in place); returns self."""
        return self.to(float16)

    # ------------------------------------------------------------------ state
    def state_dict(
        self,
        destination: OrderedDict[str, Tensor] | None = None,
        prefix: str = "",
        keep_vars: bool = False,
    ) -> OrderedDict[str, Tensor]:
        """An ordered ``name -> tensor`` dict of every parameter and persistent buffer.

        Names are dotted paths (``"0.weight"``); the order is that of
        :meth:`named_parameters`, each module's buffers after its parameters. The
        tensors are detached and share memory with the module (as PyTorch's).
        """
        out: OrderedDict[str, Tensor] = OrderedDict() if destination is None else destination
        modules = self.named_modules(prefix=prefix.rstrip("."), remove_duplicate=False)
        for module_prefix, module in modules:
            dot = module_prefix + ("." if module_prefix else "")
            for name, param in module._parameters.items():
                if param is not None:
                    out[dot + name] = param if keep_vars else param.detach()
            for name, buffer in module._buffers.items():
                if buffer is not None and name not in module._non_persistent:
                    out[dot + name] = buffer if keep_vars else buffer.detach()
        return out

    def load_state_dict(
        self, state_dict: Mapping[str, Any], strict: bool = True
    ) -> _IncompatibleKeys:
        """Copy ``state_dict``'s tensors into this module's parameters and buffers.

        With ``strict=True`` the keys must match :meth:`state_dict` exactly.
        Missing keys, unexpected keys and shape mismatches are all collected and
        reported in one ``RuntimeError``, and then nothing is changed (shape
        mismatches raise even with ``strict=False``). Values are copied into the
        existing tensors (across devices, cast to their dtype), so optimizers
        keep working. Returns ``(missing_keys, unexpected_keys)``.
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(
                f"Expected state_dict to be dict-like, got {type(state_dict).__name__}."
            )
        own = self.state_dict(keep_vars=True)
        missing = [key for key in own if key not in state_dict]
        unexpected = [key for key in state_dict if key not in own]
        errors: list[str] = []
        sources: list[tuple[Tensor, Tensor]] = []
        for key, tensor in own.items():
            if key not in state_dict:
                continue
            value = state_dict[key]
            if not isinstance(value, Tensor):
                try:
                    from minigrad.creation import tensor as make_tensor

                    value = make_tensor(value, dtype=tensor.dtype)
                except (TypeError, ValueError) as exc:
                    errors.append(
                        f'While copying the parameter named "{key}", expected a tensor, got '
                        f"{type(state_dict[key]).__name__} ({exc})."
                    )
                    continue
            if value.shape != tensor.shape:
                errors.append(
                    f"size mismatch for {key}: copying a param with shape {value.shape} from "
                    f"checkpoint, the shape in current model is {tensor.shape}."
                )
                continue
            sources.append((tensor, value))
        if strict:
            if unexpected:
                errors.insert(
                    0,
                    "Unexpected key(s) in state_dict: "
                    + ", ".join(f'"{k}"' for k in unexpected)
                    + ".",
                )
            if missing:
                errors.insert(
                    0, "Missing key(s) in state_dict: " + ", ".join(f'"{k}"' for k in missing) + "."
                )
        if errors:
            raise RuntimeError(
                f"Error(s) in loading state_dict for {type(self).__name__}:\n\t"
                + "\n\t".join(errors)
            )
        with no_grad():
            for tensor, value in sources:
                tensor.copy_(value)
        return _IncompatibleKeys(missing, unexpected)

    # ------------------------------------------------------------------ repr
    def extra_repr(self) -> str:
        """The module's own settings in its repr, e.g. ``in_features=784, out_features=100``."""
        return ""

    def __repr__(self) -> str:
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [
            f"({name}): " + _addindent(repr(module), 2) for name, module in self._modules.items()
        ]
        lines = extra_lines + child_lines
        main = type(self).__name__ + "("
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                main += extra_lines[0]
            else:
                main += "\n  " + "\n  ".join(lines) + "\n"
        return main + ")"
