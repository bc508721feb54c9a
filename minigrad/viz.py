"""Pictures of the computation graph, as ``torchviz`` draws PyTorch's.

:func:`to_dot` turns the graph behind a tensor into Graphviz DOT text (no dependency);
:func:`draw` renders it to a PNG or SVG file and :func:`show` displays it in Jupyter,
both through the optional ``graphviz`` package (``pip install "minigrad[viz]"``) and
Graphviz's ``dot`` program.

The picture follows the graph that ``backward()`` walks: each operation is a grey box
named as its ``grad_fn`` names itself (``MulBackward0``, ``AddmmBackward0``, ...), with
an edge from every node in its ``grad_fn.next_functions``; a leaf tensor (an
``AccumulateGrad`` node) is a blue box with its shape and dtype, titled with its
parameter name when the module's ``named_parameters()`` are given; the tensor drawn
is the green box at the bottom. Edges point the way the forward pass computed::

    import minigrad as mg
    from minigrad import nn, viz

    model = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 1))
    loss = model(mg.randn(8, 4)).pow(2).mean()
    print(viz.to_dot(loss, params=model.named_parameters()))
    viz.draw(loss, "loss_graph.png", params=model.named_parameters())
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

__all__ = ["to_dot", "draw", "show"]

#: File suffixes :func:`draw` can write, and the Graphviz format of each.
FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf"}

_NODE_STYLE = {
    "op": 'shape=box, style="rounded,filled", fillcolor=lightgrey',
    "leaf": "shape=box, style=filled, fillcolor=lightblue",
    "root": "shape=box, style=filled, fillcolor=darkolivegreen1",
}
_HEADER = (
    "digraph minigrad {",
    "    graph [rankdir=TB]",
    '    node [fontname="monospace", fontsize=10]',
)
_GRAD_VALUES_SHOWN = 4  # show_grads prints the values of gradients this small


def to_dot(
    tensor: Any,
    params: Mapping[str, Any] | Iterable[tuple[str, Any]] | None = None,
    show_shapes: bool = True,
    show_grads: bool = False,
) -> str:
    """The graph that computed ``tensor``, as Graphviz DOT text.

    Args:
        tensor: the output to draw (typically a loss). A tensor without a ``grad_fn``
            (a leaf, or one computed under ``no_grad``) is drawn alone.
        params: names for leaf tensors: a module's ``named_parameters()``, or a dict
            name → tensor. Unnamed leaves are titled ``leaf``.
        show_shapes: write each tensor's shape and dtype in its box.
        show_grads: write each leaf's ``.grad`` (and the output's, when it retains its
            gradient): its values when it has at most four elements, else its shape,
            or ``grad: None`` before ``backward()``.

    Returns:
        DOT text: one node per operation and per leaf tensor, one edge per entry of
        ``grad_fn.next_functions`` (inputs that need no gradient are left out, as
        ``backward()`` leaves them out). The text is deterministic: the same graph
        gives the same text.

    Raises:
        TypeError: ``tensor`` is not a tensor, or ``params`` holds something else
            than ``(name, tensor)`` pairs.
    """
    if not hasattr(tensor, "grad_fn") or not hasattr(tensor, "shape"):
        raise TypeError(f"to_dot: expected a Tensor, got {type(tensor).__name__}")
    dot = _DotBuilder(_parameter_names(params), show_shapes, show_grads)
    root, _ = dot.tensor(tensor, "root")
    if tensor.grad_fn is not None:
        dot.edge(dot.op(tensor.grad_fn)[0], root)
        stack = [tensor.grad_fn]
        while stack:  # iterative: a graph of a million nodes is fine
            fn = stack.pop()
            here, _ = dot.op(fn)
            for child, _input_nr in fn.next_functions:
                if child is None:  # an input that needs no gradient
                    continue
                variable = getattr(child, "variable", None)  # AccumulateGrad: a leaf
                if variable is not None:
                    child_id, _ = dot.tensor(variable, "leaf")
                else:
                    child_id, new = dot.op(child)
                    if new:
                        stack.append(child)
                dot.edge(child_id, here)
    return dot.text()


def draw(tensor: Any, path: str | Path, **kwargs: Any) -> Path:
    """Render the graph of ``tensor`` to ``path``; the suffix picks the format.

    Args:
        tensor: the output to draw.
        path: where to write: ``.png``, ``.svg`` or ``.pdf``.
        **kwargs: passed to :func:`to_dot` (``params``, ``show_shapes``, ``show_grads``).

    Returns:
        ``path`` as a :class:`~pathlib.Path`.

    Raises:
        ValueError: the suffix is not one of ``.png``, ``.svg``, ``.pdf``.
        ImportError: the ``graphviz`` package is missing (``pip install "minigrad[viz]"``).
        RuntimeError: Graphviz's ``dot`` program is missing or failed.
    """
    path = Path(path)
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ValueError(
            f"draw: cannot tell the image format from {str(path)!r}; "
            f"use a file name ending in {', '.join(FORMATS)}"
        )
    path.write_bytes(_render(to_dot(tensor, **kwargs), fmt))
    return path


def show(tensor: Any, **kwargs: Any) -> None:
    """Display the graph of ``tensor`` inline in a Jupyter notebook (as SVG).

    Takes the keyword arguments of :func:`to_dot`. Needs the ``graphviz`` package,
    Graphviz's ``dot`` program and IPython, as :func:`draw` does.
    """
    svg = _render(to_dot(tensor, **kwargs), "svg").decode("utf-8")
    try:
        from IPython.display import SVG, display
    except ImportError as exc:
        raise ImportError(
            "minigrad.viz.show displays in Jupyter and needs IPython: pip install ipython "
            "(or use minigrad.viz.draw(tensor, 'graph.svg') to write a file)"
        ) from exc
    display(SVG(svg))


class _DotBuilder:
    """DOT lines in the order the walk meets things; one node id per graph object."""

    def __init__(self, names: dict[int, str], show_shapes: bool, show_grads: bool) -> None:
        self.names, self.show_shapes, self.show_grads = names, show_shapes, show_grads
        self.ids: dict[int, str] = {}  # id(node or tensor) -> "n0", "n1", ...
        self.seen: list[Any] = []  # keeps every object alive, so no id() is reused
        self.lines: list[str] = []

    def _node(self, obj: Any, label: str, style: str) -> tuple[str, bool]:
        """The node id of ``obj``, declaring the node the first time (then ``True``)."""
        key = id(obj)
        if key in self.ids:
            return self.ids[key], False
        node_id = self.ids[key] = f"n{len(self.ids)}"
        self.seen.append(obj)
        self.lines.append(f"    {node_id} [label={_quote(label)}, {_NODE_STYLE[style]}]")
        return node_id, True

    def op(self, fn: Any) -> tuple[str, bool]:
        return self._node(fn, fn.name(), "op")

    def tensor(self, tensor: Any, style: str) -> tuple[str, bool]:
        default = "output" if style == "root" and tensor.grad_fn is not None else "leaf"
        lines = [self.names.get(id(tensor), default)]
        if self.show_shapes:
            lines.append(f"{tuple(tensor.shape)} {_dtype_name(tensor.dtype)}")
        if self.show_grads and (tensor.grad_fn is None or getattr(tensor, "retains_grad", False)):
            lines.append(f"grad: {_grad_summary(tensor.grad)}")
        return self._node(tensor, "\n".join(lines), style)

    def edge(self, source: str, target: str) -> None:
        self.lines.append(f"    {source} -> {target}")

    def text(self) -> str:
        return "\n".join([*_HEADER, *self.lines, "}"]) + "\n"


def _parameter_names(params: Any) -> dict[int, str]:
    """``id(tensor) -> name`` from ``named_parameters()`` or a dict name → tensor."""
    if params is None:
        return {}
    pairs = params.items() if isinstance(params, Mapping) else params
    names: dict[int, str] = {}
    for pair in pairs:
        if not (isinstance(pair, tuple) and len(pair) == 2 and hasattr(pair[1], "shape")):
            raise TypeError(
                "to_dot: params must be a module's named_parameters() or a dict "
                f"name -> tensor; got an entry {pair!r}"
            )
        name, value = pair
        names.setdefault(id(value), str(name))
    return names


def _dtype_name(dtype: Any) -> str:
    """``float32`` for NumPy's and minigrad's dtypes, and for ``torch.float32``."""
    return str(dtype).rpartition(".")[2]


def _grad_summary(grad: Any) -> str:
    if grad is None:
        return "None"
    if grad.numel() <= _GRAD_VALUES_SHOWN:
        values = ", ".join(f"{v:.4g}" for v in grad.detach().reshape(-1).tolist())
        return f"[{values}]"
    return str(tuple(grad.shape))


def _quote(text: str) -> str:
    """A DOT string literal: quotes and backslashes escaped, newlines as ``\\n``."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def _render(dot: str, fmt: str) -> bytes:
    """Run Graphviz's ``dot`` on ``dot`` text, with errors that say what to install."""
    try:
        import graphviz
    except ImportError as exc:
        raise ImportError(
            "minigrad.viz needs the graphviz Python package to render pictures: "
            'pip install "minigrad[viz]" (to_dot() works without it)'
        ) from exc
    try:
        return graphviz.Source(dot).pipe(format=fmt)
    except graphviz.ExecutableNotFound as exc:
        raise RuntimeError(
            "minigrad.viz could not find Graphviz's `dot` program on PATH. Install "
            "Graphviz: `sudo apt install graphviz` (Debian/Ubuntu), `brew install graphviz` "
            "(macOS), `conda install -c conda-forge graphviz`, or see "
            "https://graphviz.org/download/ (to_dot() works without it)"
        ) from exc
    except graphviz.CalledProcessError as exc:
        raise RuntimeError(f"minigrad.viz: Graphviz's dot failed: {exc}") from exc
