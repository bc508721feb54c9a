"""Containers of modules: ``Sequential`` and ``ModuleList``."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Iterator
from typing import Any, overload

from .module import Module

__all__ = ["Sequential", "ModuleList"]


def _index(index: int, size: int, kind: str) -> int:
    if not isinstance(index, int) or isinstance(index, bool):
        raise TypeError(f"{kind} indices must be integers or slices, not {type(index).__name__}")
    if not -size <= index < size:
        raise IndexError(f"index {index} is out of range for a {kind} of length {size}")
    return index % size


class _ModuleSequence(Module):
    """What Sequential and ModuleList share: children named "0", "1", ... kept in order."""

    def _values(self) -> list[Module]:
        return list(self._modules.values())

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def _renumber(self, modules: list[Module]) -> None:
        for name in list(self._modules):
            delattr(self, name)
        for i, module in enumerate(modules):
            self.add_module(str(i), module)

    def __setitem__(self, index: int, module: Module) -> None:
        i = _index(index, len(self), type(self).__name__)
        setattr(self, list(self._modules)[i], module)

    def __delitem__(self, index: int | slice) -> None:
        modules = self._values()
        if isinstance(index, slice):
            del modules[index]
        else:
            del modules[_index(index, len(modules), type(self).__name__)]
        self._renumber(modules)

    def append(self, module: Module) -> _ModuleSequence:
        """Add ``module`` at the end; returns self."""
        self.add_module(str(len(self)), module)
        return self

    def extend(self, modules: Iterable[Module]) -> _ModuleSequence:
        """Add each of ``modules`` at the end; returns self."""
        for module in modules:
            self.append(module)
        return self

    def insert(self, index: int, module: Module) -> _ModuleSequence:
        """Insert ``module`` before position ``index`` (-len ≤ index ≤ len); returns self."""
        n = len(self)
        if isinstance(index, bool) or not isinstance(index, int):
            raise TypeError(f"insert index must be an integer, not {type(index).__name__}")
        if not -n <= index <= n:
            raise IndexError(
                f"insert index {index} is out of range for a {type(self).__name__} of length {n}"
            )
        if not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        modules = self._values()
        modules.insert(index, module)
        self._renumber(modules)
        return self

    def pop(self, index: int = -1) -> Module:
        """Remove and return the module at ``index`` (the last by default)."""
        module = self[index]
        del self[index]
        return module


class Sequential(_ModuleSequence):
    """Modules applied one after another: ``Sequential(a, b, c)(x) == c(b(a(x)))``.

    Built from modules (named ``"0"``, ``"1"``, ...) or from one ``OrderedDict``
    of names to modules. Supports ``len``, iteration, indexing (an int gives the
    module, a slice a new ``Sequential``), ``append``, ``extend``, ``insert``.
    """

    def __init__(self, *args: Any) -> None:
        super().__init__()
        if len(args) == 1 and isinstance(args[0], OrderedDict | dict):
            for name, module in args[0].items():
                self.add_module(name, module)
        else:
            for i, module in enumerate(args):
                self.add_module(str(i), module)

    @overload
    def __getitem__(self, index: int) -> Module: ...

    @overload
    def __getitem__(self, index: slice) -> Sequential: ...

    def __getitem__(self, index: int | slice) -> Module | Sequential:
        if isinstance(index, slice):
            return Sequential(OrderedDict(list(self._modules.items())[index]))
        return self._values()[_index(index, len(self), "Sequential")]

    def forward(self, input: Any) -> Any:
        """Feed ``input`` through every module in order."""
        for module in self._modules.values():
            input = module(input)
        return input


class ModuleList(_ModuleSequence):
    """A list of modules whose parameters are registered (``forward`` is yours to write).

    Use it where a plain Python list would hide the layers from ``parameters()``::

        self.layers = nn.ModuleList(nn.Linear(100, 100) for _ in range(4))
    """

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.extend(modules)

    @overload
    def __getitem__(self, index: int) -> Module: ...

    @overload
    def __getitem__(self, index: slice) -> ModuleList: ...

    def __getitem__(self, index: int | slice) -> Module | ModuleList:
        if isinstance(index, slice):
            return ModuleList(self._values()[index])
        return self._values()[_index(index, len(self), "ModuleList")]

    def __add__(self, other: Iterable[Module]) -> ModuleList:
        return ModuleList([*self, *other])
