"""Parametrizations of a module's tensors, as ``torch.nn.utils.parametrize``.

:func:`register_parametrization` makes ``module.<name>`` a computed tensor: the
module's class is swapped for a subclass in which ``<name>`` is a property, and the
unconstrained tensor(s) it is computed from live in
``module.parametrizations.<name>`` (a :class:`ParametrizationList`) as
``original`` (or ``original0``, ``original1``, ... when the parametrization's
``right_inverse`` returns several tensors). Reading ``module.<name>`` evaluates

    X = f_n( … f_2( f_1(original) ) … ),

the parametrizations in the order they were registered; assigning to it runs their
``right_inverse`` backwards and stores the result in the originals.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any, cast

from minigrad import no_grad
from minigrad.tensor import Tensor

from ..container import ModuleDict, ModuleList
from ..module import Module
from ..parameter import Parameter

__all__ = [
    "ParametrizationList",
    "cached",
    "is_parametrized",
    "register_parametrization",
    "remove_parametrizations",
    "type_before_parametrizations",
]

_cache_enabled = 0
_cache: dict[tuple[int, str], Tensor] = {}


@contextlib.contextmanager
def cached() -> Iterator[None]:
    """Within the block, each parametrized tensor is computed once, at its first use, and
    reused afterwards (e.g. a weight read at every step of an RNN); the cache is emptied
    when the outermost block ends."""
    global _cache_enabled
    _cache_enabled += 1
    try:
        yield
    finally:
        _cache_enabled -= 1
        if not _cache_enabled:
            _cache.clear()


def _register(module: Module, name: str, value: Tensor) -> None:
    """``value`` as a parameter of ``module`` when it is one, else as a buffer."""
    if isinstance(value, Parameter):
        module.register_parameter(name, value)
    else:
        module.register_buffer(name, value)


class ParametrizationList(ModuleList):
    """The parametrizations f_1 … f_n of one tensor and the original(s) they start from.

    ``original`` is the unconstrained tensor (a :class:`Parameter` when the tensor was
    one), or ``original0``, ``original1``, ... when f_1's ``right_inverse`` returns a
    tuple: then f_1 takes them all, f_1(original0, original1, ...). Calling the list
    gives the parametrized tensor f_n(… f_1(original) …).
    """

    original: Tensor
    is_tensor: bool
    ntensors: int
    unsafe: bool

    def __init__(self, modules: Sequence[Module], original: Tensor, unsafe: bool = False) -> None:
        if len(modules) == 0:
            raise ValueError("ParametrizationList requires one or more modules.")
        super().__init__(modules)
        self.unsafe = unsafe
        with no_grad():
            new: Any = original
            for module in reversed(list(self)):
                if hasattr(module, "right_inverse"):
                    new = module.right_inverse(new)
        if isinstance(new, Tensor):
            self.is_tensor = True
            self.ntensors = 1
            if new is not original:
                if not unsafe and (new.shape != original.shape or new.dtype != original.dtype):
                    raise ValueError(
                        "When `right_inverse` outputs one tensor, it may not change the dtype "
                        f"or shape: original {original.dtype} {tuple(original.shape)}, "
                        f"right_inverse(original) {new.dtype} {tuple(new.shape)}"
                    )
                with no_grad():
                    original.copy_(new)
            _register(self, "original", original)
        else:
            if not isinstance(new, Sequence) or not all(isinstance(t, Tensor) for t in new):
                raise ValueError(
                    "'right_inverse' must return a Tensor or a Sequence of tensors (list, "
                    f"tuple...). Got {type(new).__name__}"
                )
            self.is_tensor = False
            self.ntensors = len(new)
            for i, tensor in enumerate(new):
                tensor = tensor.detach()
                if isinstance(original, Parameter):
                    tensor = Parameter(tensor.clone(), requires_grad=original.requires_grad)
                _register(self, f"original{i}", tensor)
        if not unsafe:
            value = self()
            if not isinstance(value, Tensor):
                raise ValueError(
                    f"A parametrization must return a tensor. Got {type(value).__name__}."
                )
            if value.shape != original.shape or value.dtype != original.dtype:
                raise ValueError(
                    "Registering a parametrization may not change the shape or dtype of the "
                    f"tensor, unless `unsafe` flag is enabled: unparametrized "
                    f"{original.dtype} {tuple(original.shape)}, parametrized "
                    f"{value.dtype} {tuple(value.shape)}"
                )

    def originals(self) -> tuple[Tensor, ...]:
        """The unconstrained tensor(s): ``(original,)`` or ``(original0, original1, ...)``."""
        if self.is_tensor:
            return (self.original,)
        return tuple(getattr(self, f"original{i}") for i in range(self.ntensors))

    def right_inverse(self, value: Tensor) -> None:
        """Store ``value`` in the originals: f_1⁻¹( … f_n⁻¹(value) … ), with the
        parametrizations' ``right_inverse`` (each must have one)."""
        with no_grad():
            for module in reversed(list(self)):
                if not hasattr(module, "right_inverse"):
                    raise RuntimeError(
                        f"parametrization {type(module).__name__} does not implement right_inverse."
                    )
                value = module.right_inverse(value)
            news = (value,) if self.is_tensor else tuple(value)
            if len(news) != self.ntensors:
                raise ValueError(
                    f"'right_inverse' must return a sequence of {self.ntensors} tensors, got "
                    f"{len(news)}"
                )
            for original, new in zip(self.originals(), news, strict=True):
                if new.shape != original.shape or new.dtype != original.dtype:
                    raise ValueError(
                        f"right_inverse gave {new.dtype} {tuple(new.shape)} for an original of "
                        f"{original.dtype} {tuple(original.shape)}"
                    )
                original.copy_(new)

    def forward(self) -> Tensor:
        modules = list(self)
        x = modules[0](*self.originals())
        for module in modules[1:]:
            x = module(x)
        return x


def _parametrizations(module: Module) -> ModuleDict:
    """``module.parametrizations``, the ModuleDict of the parametrized tensors' lists."""
    return cast(ModuleDict, module._modules["parametrizations"])


def _plist(module: Module, tensor_name: str) -> ParametrizationList:
    return cast(ParametrizationList, _parametrizations(module)[tensor_name])


def _inject_new_class(module: Module) -> None:
    """Swap the class of ``module`` for a subclass of its own, where the properties go."""
    cls = module.__class__
    module.__class__ = type(f"Parametrized{cls.__name__}", (cls,), {"__doc__": cls.__doc__})


def _inject_property(module: Module, tensor_name: str) -> None:
    """``module.<tensor_name>``: computed on read, ``right_inverse`` on assignment."""

    def get_parametrized(self: Module) -> Tensor:
        parametrization = _plist(self, tensor_name)
        if _cache_enabled:
            key = (id(self), tensor_name)
            if key not in _cache:
                _cache[key] = parametrization()
            return _cache[key]
        return parametrization()

    def set_original(self: Module, value: Tensor) -> None:
        _plist(self, tensor_name).right_inverse(value)

    setattr(module.__class__, tensor_name, property(get_parametrized, set_original))


def is_parametrized(module: Module, tensor_name: str | None = None) -> bool:
    """Whether ``module`` has a parametrization (on ``tensor_name``, when given)."""
    parametrizations = getattr(module, "parametrizations", None)
    if parametrizations is None or not isinstance(parametrizations, ModuleDict):
        return False
    if tensor_name is None:
        return len(parametrizations) > 0
    return tensor_name in parametrizations


def type_before_parametrizations(module: Module) -> type:
    """The class of ``module`` before :func:`register_parametrization` swapped it."""
    if is_parametrized(module):
        return module.__class__.__bases__[0]
    return type(module)


def register_parametrization(
    module: Module, tensor_name: str, parametrization: Module, *, unsafe: bool = False
) -> Module:
    """Make ``module.<tensor_name>`` the output of ``parametrization``; returns ``module``.

    The first time, the parameter (or buffer) X becomes
    ``module.parametrizations.<tensor_name>.original``, set to
    ``parametrization.right_inverse(X)`` when the parametrization has one (X itself
    otherwise), and ``module.<tensor_name>`` reads as ``parametrization(original)``;
    a ``right_inverse`` that returns a tuple gives ``original0``, ``original1``, ...,
    all passed to ``parametrization``. Registering again on the same tensor chains
    them: f_2(f_1(original)). Unless ``unsafe=True``, the parametrized tensor must keep
    the shape and dtype of X.
    """
    parametrization.train(module.training)
    if is_parametrized(module, tensor_name):
        if not unsafe:
            y = getattr(module, tensor_name)
            x = parametrization(y)
            if not isinstance(x, Tensor):
                raise ValueError(f"A parametrization must return a tensor. Got {type(x).__name__}.")
            if x.shape != y.shape or x.dtype != y.dtype:
                raise ValueError(
                    "Registering a parametrization may not change the shape or dtype of the "
                    f"tensor, unless `unsafe` flag is enabled: {y.dtype} {tuple(y.shape)} "
                    f"became {x.dtype} {tuple(x.shape)}"
                )
        plist = _plist(module, tensor_name)
        plist.append(parametrization)
        plist.unsafe |= unsafe
        return module
    original: Tensor | None = module._parameters.get(tensor_name)
    if original is None:
        original = module._buffers.get(tensor_name)
    if original is None:
        raise ValueError(
            f"Module '{module}' does not have a parameter, a buffer, or a parametrized "
            f"element with name '{tensor_name}'"
        )
    plist = ParametrizationList([parametrization], original, unsafe=unsafe)
    delattr(module, tensor_name)
    if not is_parametrized(module):
        _inject_new_class(module)
        module.add_module("parametrizations", ModuleDict())
    _parametrizations(module)[tensor_name] = plist
    _inject_property(module, tensor_name)
    return module


def remove_parametrizations(
    module: Module, tensor_name: str, leave_parametrized: bool = True
) -> Module:
    """Remove the parametrizations on ``module.<tensor_name>``; returns ``module``.

    ``leave_parametrized=True`` keeps the current value (the parametrized tensor, as a
    parameter when the original was one); ``False`` puts back the unconstrained
    original (only possible when there is one original tensor).
    """
    if not is_parametrized(module, tensor_name):
        raise ValueError(f"Module {module} does not have a parametrization on {tensor_name}")
    plist = _plist(module, tensor_name)
    if plist.is_tensor:
        original = plist.original
        if leave_parametrized:
            with no_grad():
                value = getattr(module, tensor_name)
                if value.shape != original.shape or value.dtype != original.dtype:
                    raise ValueError(
                        "Cannot leave parametrized a tensor whose parametrization changes its "
                        "shape or dtype; use leave_parametrized=False"
                    )
                original.copy_(value)
    else:
        if not leave_parametrized:
            raise ValueError(
                "Cannot leave unparametrized (`leave_parametrized=False`) a tensor that is "
                "parametrized in terms of a sequence of tensors."
            )
        with no_grad():
            value = getattr(module, tensor_name)
        first = plist.originals()[0]
        if isinstance(first, Parameter):
            original = Parameter(value.detach(), requires_grad=first.requires_grad)
        else:
            original = value.detach()
    delattr(module.__class__, tensor_name)
    del _parametrizations(module)[tensor_name]
    _register(module, tensor_name, original)
    if not is_parametrized(module):
        delattr(module, "parametrizations")
        module.__class__ = module.__class__.__bases__[0]
    return module
