"""Generate the API reference pages (``docs/api/*.rst``) when the Sphinx build starts.

One page per public module in :data:`API_MODULES`. A module that cannot be imported
(not written yet, or an optional dependency missing) is skipped with a log line, so
new modules and new functions appear without editing any page by hand.

Every public object is described once, on the page of the first module that exports
it (``minigrad`` first, as PyTorch documents ``torch.no_grad`` and ``torch.cat``
there); other modules that re-export it link to that description.
"""

from __future__ import annotations

import importlib
import inspect
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

try:
    from sphinx.util import logging
except ImportError:  # the tests import this module without Sphinx
    import logging  # type: ignore[no-redef]

if TYPE_CHECKING:
    from sphinx.application import Sphinx

logger = logging.getLogger(__name__)

#: The documented modules, in the order their pages appear, with a one-line summary.
API_MODULES: list[tuple[str, str]] = [
    ("minigrad", "Tensors, their creation and operations, data types, seeds, gradient checks"),
    ("minigrad.autograd", "Recording the graph and walking it backwards"),
    ("minigrad.linalg", "Linear algebra, as ``torch.linalg``"),
    ("minigrad.nn", "Modules, layers, activations and losses"),
    ("minigrad.nn.functional", "Layers and losses as functions (``F``)"),
    ("minigrad.nn.init", "Weight initialisation (Xavier/Glorot, He/Kaiming, ...)"),
    ("minigrad.nn.parallel", "Data-parallel training over several processes"),
    ("minigrad.nn.utils", "Gradient clipping, weight and spectral normalisation"),
    ("minigrad.nn.utils.parametrize", "Parametrizations: computed tensors of a module"),
    ("minigrad.nn.utils.parametrizations", "Weight normalisation as a parametrization"),
    ("minigrad.optim", "Optimizers"),
    ("minigrad.optim.lr_scheduler", "Learning-rate schedulers"),
    ("minigrad.optim.book", "The book's ``update(params, grads)`` optimizers"),
    ("minigrad.utils.data", "``Dataset``, ``DataLoader`` and samplers, where PyTorch has them"),
    ("minigrad.data", "Datasets, mini-batches and the bundled data"),
    ("minigrad.metrics", "Accuracy, F1, ROC-AUC and friends"),
    ("minigrad.viz", "Pictures of the computation graph"),
    ("minigrad.distributions", "Probability distributions, as ``torch.distributions``"),
    ("minigrad.distributions.constraints", "The constraints of parameters and supports"),
    ("minigrad.distributed", "Collective communication between processes (MPI)"),
    ("minigrad.cuda", "Is a GPU there?"),
    ("minigrad.amp", "Automatic mixed precision: ``autocast`` and ``GradScaler``"),
    ("minigrad.cuda.amp", "The deprecated ``torch.cuda.amp`` spellings"),
    ("minigrad.cpu", "The CPU device, as ``torch.cpu``"),
    ("minigrad.cpu.amp", "The deprecated ``torch.cpu.amp`` spelling"),
    ("minigrad.random", "Random-number generators and seeds"),
    ("minigrad.serialization", "Saving and loading tensors and state dicts"),
]


@dataclass
class ModulePage:
    """What one module's page shows: its own objects and links to re-exported ones."""

    name: str
    summary: str
    module: ModuleType
    owned: list[tuple[str, Any]] = field(default_factory=list)
    aliases: list[tuple[str, str]] = field(default_factory=list)  # (name, canonical target)
    data: list[tuple[str, Any]] = field(default_factory=list)
    submodules: list[str] = field(default_factory=list)


def public_names(module: ModuleType) -> list[str]:
    """``__all__`` when the module has one; otherwise every name that does not start with
    ``_`` and is not a foreign module or an object imported from outside minigrad."""
    names = getattr(module, "__all__", None)
    if names is not None:
        return list(names)
    public = []
    for name, obj in vars(module).items():
        if name.startswith("_"):
            continue
        if inspect.ismodule(obj):
            if obj.__name__.startswith("minigrad."):
                public.append(name)
            continue
        defined_in = getattr(obj, "__module__", None) or ""
        if inspect.isclass(obj) or inspect.isroutine(obj):
            if defined_in.startswith("minigrad"):
                public.append(name)
        elif module.__name__ == "minigrad" or defined_in.startswith("minigrad"):
            public.append(name)  # data such as minigrad.float32
    return sorted(public)


def collect_pages(modules: list[tuple[str, str]]) -> list[ModulePage]:
    """Import each module (skipping those that fail) and give each object one owner page."""
    pages: list[ModulePage] = []
    owner: dict[int, str] = {}  # id(object) -> "module.name" where it is described
    documented_modules = {name for name, _ in modules}
    for module_name, summary in modules:
        try:
            module = importlib.import_module(module_name)
        except ImportError as exc:
            logger.info(f"[minigrad_api] skipping {module_name}: {exc}")
            continue
        page = ModulePage(module_name, summary, module)
        for name in public_names(module):
            obj = getattr(module, name)
            if inspect.ismodule(obj):
                if obj.__name__ in documented_modules:
                    page.submodules.append(obj.__name__)
                continue
            if not (inspect.isclass(obj) or inspect.isroutine(obj)):
                page.data.append((name, obj))
                continue
            target = owner.get(id(obj))
            if target is None:
                owner[id(obj)] = f"{module_name}.{name}"
                page.owned.append((name, obj))
            else:
                page.aliases.append((name, target))
        pages.append(page)
    return pages


def _directive(obj: Any) -> str:
    if inspect.isclass(obj):
        if issubclass(obj, BaseException):
            return "autoexception"
        return "autoclass"
    return "autofunction"


def _options(obj: Any) -> str:
    if not inspect.isclass(obj):
        return ""
    return "   :members:\n   :undoc-members:\n   :show-inheritance:\n"


def render_page(page: ModulePage) -> str:
    """The reStructuredText of one module's page."""
    title = f"``{page.name}``"
    parts = [
        f".. This page is generated by docs/_ext/minigrad_api.py; edit that, not this.\n\n"
        f"{title}\n{'=' * len(title)}\n\n"
        f"*{page.summary}.*\n\n"
        f".. automodule:: {page.name}\n   :no-members:\n\n"
        f".. currentmodule:: {page.name}\n"
    ]
    if page.submodules:
        items = "\n".join(f"- :mod:`{sub}`" for sub in page.submodules)
        parts.append(f"\nSubmodules\n----------\n\n{items}\n")
    if page.owned:
        listing = "\n".join(f"   {name}" for name, _ in page.owned)
        parts.append(f"\nSummary\n-------\n\n.. autosummary::\n   :nosignatures:\n\n{listing}\n")
    if page.aliases:
        items = "\n".join(f"- ``{name}``: :py:obj:`{target}`" for name, target in page.aliases)
        parts.append(f"\nAlso available here\n-------------------\n\n{items}\n")
    if page.data:
        rows = "\n".join(
            f"   * - ``{page.name}.{name}``\n     - ``{obj!r}``" for name, obj in page.data
        )
        parts.append(
            "\nConstants and data types\n------------------------\n\n"
            f".. list-table::\n   :header-rows: 1\n\n   * - name\n     - value\n{rows}\n"
        )
    if page.owned:
        parts.append("\nReference\n---------\n")
        for name, obj in page.owned:
            parts.append(f"\n.. {_directive(obj)}:: {name}\n{_options(obj)}")
    return "".join(parts)


def render_index(pages: list[ModulePage]) -> str:
    """The API index: a table of the modules and the toctree of their pages."""
    rows = "\n".join(f"   * - :mod:`{p.name}`\n     - {p.summary}" for p in pages)
    toc = "\n".join(f"   {p.name}" for p in pages)
    return (
        textwrap.dedent(
            """\
        .. This page is generated by docs/_ext/minigrad_api.py; edit that, not this.

        API reference
        =============

        Every public module, class and function of minigrad, from its docstrings. The
        names follow PyTorch's: ``minigrad.nn.Linear`` is ``torch.nn.Linear``,
        ``minigrad.optim.Adam`` is ``torch.optim.Adam``.

        .. list-table::
           :header-rows: 1

           * - module
             - what it holds
        """
        )
        + f"{rows}\n\n.. toctree::\n   :hidden:\n\n{toc}\n"
    )


def write_if_changed(path: Path, text: str) -> None:
    """Write ``text`` unless the file already holds it (keeps incremental builds fast)."""
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def generate(app: Sphinx) -> None:
    """Write ``api/index.rst`` and one page per importable module; remove stale pages."""
    out = Path(app.srcdir) / "api"
    out.mkdir(exist_ok=True)
    pages = collect_pages(API_MODULES)
    wanted = {out / "index.rst"} | {out / f"{p.name}.rst" for p in pages}
    for stale in set(out.glob("*.rst")) - wanted:
        stale.unlink()
    write_if_changed(out / "index.rst", render_index(pages))
    for page in pages:
        write_if_changed(out / f"{page.name}.rst", render_page(page))


def setup(app: Sphinx) -> dict[str, Any]:
    """Sphinx entry point: generate the pages before the sources are read."""
    app.connect("builder-inited", generate)
    return {"version": "1", "parallel_read_safe": True}
