"""minigrad.viz: the DOT text of a graph (nodes, edges, labels), and the rendering errors.

The structure is checked by parsing the DOT text, so no Graphviz is needed; rendering
itself is checked only where the ``graphviz`` package and ``dot`` program exist.
"""

from __future__ import annotations

import re
import shutil
import sys
from collections import Counter

import pytest

import minigrad as mg
from minigrad import nn, viz

NODE = re.compile(r'^\s+(n\d+) \[label="((?:[^"\\]|\\.)*)", (.*)\]$')
EDGE = re.compile(r"^\s+(n\d+) -> (n\d+)$")


class Graph:
    """The nodes (id -> label lines, style) and edges (label -> label) of DOT text."""

    def __init__(self, dot: str) -> None:
        lines = dot.splitlines()
        assert lines[0] == "digraph minigrad {" and lines[-1] == "}"
        self.labels: dict[str, list[str]] = {}
        self.styles: dict[str, str] = {}
        self.edge_ids: list[tuple[str, str]] = []
        for line in lines[1:-1]:
            if node := NODE.match(line):
                assert node[1] not in self.labels, f"node {node[1]} declared twice"
                label = node[2].replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")
                self.labels[node[1]] = label.split("\n")
                self.styles[node[1]] = node[3]
            elif edge := EDGE.match(line):
                self.edge_ids.append((edge[1], edge[2]))
            else:
                assert line.strip().startswith(("graph ", "node ")), line
        for a, b in self.edge_ids:
            assert a in self.labels and b in self.labels, "an edge names an undeclared node"

    def titles(self) -> Counter[str]:
        return Counter(label[0] for label in self.labels.values())

    def edges(self) -> Counter[tuple[str, str]]:
        return Counter((self.labels[a][0], self.labels[b][0]) for a, b in self.edge_ids)

    def node(self, title: str) -> list[str]:
        (label,) = [label for label in self.labels.values() if label[0] == title]
        return label

    def fill(self, title: str) -> str:
        (node_id,) = [i for i, label in self.labels.items() if label[0] == title]
        return re.search(r"fillcolor=(\w+)", self.styles[node_id])[1]


def test_product_and_sum_graph_has_pytorch_node_names_and_edges() -> None:
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    w = mg.tensor([3.0, 4.0], requires_grad=True)
    g = Graph(viz.to_dot((x * w).sum(), params={"x": x, "w": w}))
    assert g.titles() == Counter(
        {"x": 1, "w": 1, "MulBackward0": 1, "SumBackward0": 1, "output": 1}
    )
    assert g.edges() == Counter(
        {("x", "MulBackward0"): 1, ("w", "MulBackward0"): 1, ("MulBackward0", "SumBackward0"): 1,
         ("SumBackward0", "output"): 1}
    )  # fmt: skip
    assert (g.fill("x"), g.fill("MulBackward0"), g.fill("output")) == (
        "lightblue",
        "lightgrey",
        "darkolivegreen1",
    )


def test_shapes_and_dtypes_are_shown_unless_switched_off() -> None:
    x = mg.zeros(2, 3, dtype=mg.float64, requires_grad=True)
    y = x.exp().sum(dim=1)
    g = Graph(viz.to_dot(y, params={"x": x}))
    assert g.node("x") == ["x", "(2, 3) float64"]
    assert g.node("output") == ["output", "(2,) float64"]
    assert g.node("ExpBackward0") == ["ExpBackward0"]
    bare = Graph(viz.to_dot(y, params={"x": x}, show_shapes=False))
    assert bare.node("x") == ["x"] and bare.node("output") == ["output"]


def test_a_leaf_used_twice_is_one_node_with_two_edges() -> None:
    x = mg.tensor([1.0, -1.0], requires_grad=True)
    g = Graph(viz.to_dot((x * x).sum(), params={"x": x}))
    assert g.titles()["x"] == 1
    assert g.edges()[("x", "MulBackward0")] == 2


def test_inputs_without_gradient_are_left_out() -> None:
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    c = mg.tensor([5.0, 6.0])  # requires_grad=False: backward() never reaches it
    g = Graph(viz.to_dot((x * c).sum()))
    assert g.titles() == Counter({"leaf": 1, "MulBackward0": 1, "SumBackward0": 1, "output": 1})


def test_mlp_leaves_carry_parameter_names_from_named_parameters(device: str) -> None:
    model = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 1)).to(device)
    x = mg.randn(5, 4, device=device)
    loss = model(x).pow(2).mean()
    g = Graph(viz.to_dot(loss, params=model.named_parameters()))
    names = {"0.weight", "0.bias", "2.weight", "2.bias"}
    assert {t for t, n in g.titles().items() if n == 1} >= names | {"output"}
    assert "leaf" not in g.titles()  # the input needs no gradient; every leaf is named
    assert g.node("0.weight")[1] == "(3, 4) float32"
    assert g.node("2.bias")[1] == "(1,) float32"
    ops = {t for t in g.titles() if t not in names | {"output"}}
    assert all(re.fullmatch(r"[A-Z]\w*Backward\d+", op) for op in ops), ops
    assert {"ReluBackward0", "PowBackward0", "MeanBackward0"} <= ops
    sources = {a for a, _ in g.edges()}
    assert names <= sources  # every parameter feeds an operation


def test_show_grads_gives_leaf_gradients_after_backward(device: str) -> None:
    x = mg.tensor([1.0, 2.0, 3.0], device=device, requires_grad=True)
    big = mg.ones(2, 3, device=device, requires_grad=True)
    loss = (x * x).sum() + big.sum()
    assert Graph(viz.to_dot(loss, params={"x": x}, show_grads=True)).node("x")[2] == "grad: None"
    loss.backward()
    g = Graph(viz.to_dot(loss, params={"x": x, "big": big}, show_grads=True))
    assert g.node("x") == ["x", "(3,) float32", "grad: [2, 4, 6]"]  # d(x·x)/dx = 2x
    assert g.node("big")[2] == "grad: (2, 3)"  # too many values: the shape
    assert g.node("output") == ["output", "() float32"]  # a non-leaf keeps no .grad


def test_a_tensor_without_graph_is_drawn_alone() -> None:
    w = mg.ones(2, requires_grad=True)
    with mg.no_grad():
        y = w * 2
    assert Graph(viz.to_dot(y)).titles() == Counter({"leaf": 1})
    assert Graph(viz.to_dot(w, params={"w": w})).titles() == Counter({"w": 1})


def test_long_chain_needs_no_recursion_and_text_is_deterministic() -> None:
    x = mg.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(3000):
        y = y * 1.0
    dot = viz.to_dot(y)
    assert dot == viz.to_dot(y)
    assert Graph(dot).titles()["MulBackward0"] == 3000


def test_labels_are_escaped() -> None:
    x = mg.ones(1, requires_grad=True)
    g = Graph(viz.to_dot(x.sum(), params={'w"\\eird': x}))
    assert g.node('w"\\eird')[0] == 'w"\\eird'


def test_bad_arguments_are_named() -> None:
    with pytest.raises(TypeError, match="expected a Tensor, got list"):
        viz.to_dot([1.0, 2.0])
    x = mg.ones(1, requires_grad=True)
    with pytest.raises(TypeError, match="named_parameters"):
        viz.to_dot(x.sum(), params=[x])
    with pytest.raises(ValueError, match=r"\.png, \.svg, \.pdf"):
        viz.draw(x.sum(), "graph.jpeg")


def test_draw_without_graphviz_package_says_how_to_install(monkeypatch, tmp_path) -> None:
    monkeypatch.setitem(sys.modules, "graphviz", None)  # import graphviz -> ImportError
    x = mg.ones(1, requires_grad=True)
    with pytest.raises(ImportError, match=re.escape('pip install "minigrad[viz]"')):
        viz.draw(x.sum(), tmp_path / "graph.png")
    with pytest.raises(ImportError, match=re.escape('pip install "minigrad[viz]"')):
        viz.show(x.sum())
    assert not (tmp_path / "graph.png").exists()


def test_draw_without_dot_program_names_graphviz_and_installers(monkeypatch, tmp_path) -> None:
    pytest.importorskip("graphviz")
    monkeypatch.setenv("PATH", str(tmp_path))  # no `dot` on PATH
    x = mg.ones(1, requires_grad=True)
    with pytest.raises(RuntimeError, match="`dot` program") as info:
        viz.draw(x.sum(), tmp_path / "graph.svg")
    assert all(word in str(info.value) for word in ("apt", "brew", "conda"))


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot program not installed")
def test_draw_writes_png_and_svg(tmp_path) -> None:
    pytest.importorskip("graphviz")
    x = mg.ones(2, requires_grad=True)
    loss = (x * x).sum()
    assert viz.draw(loss, tmp_path / "g.png").read_bytes().startswith(b"\x89PNG")
    svg = viz.draw(loss, tmp_path / "g.svg", params={"x": x}).read_text()
    assert "<svg" in svg and "MulBackward0" in svg


def test_same_graph_as_pytorch() -> None:
    """Extra check: node names and edges equal those of the same expression in PyTorch."""
    torch = pytest.importorskip("torch")

    def expression(a, b):
        return ((a * b).exp() + a).tanh().sum()

    a, b = mg.tensor([0.1, 0.2], requires_grad=True), mg.tensor([0.3, 0.4], requires_grad=True)
    ta = torch.tensor([0.1, 0.2], requires_grad=True)
    tb = torch.tensor([0.3, 0.4], requires_grad=True)
    ours = viz.to_dot(expression(a, b), params={"a": a, "b": b})
    theirs = viz.to_dot(expression(ta, tb), params={"a": ta, "b": tb})
    assert ours == theirs
