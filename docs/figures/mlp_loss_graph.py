"""Draw the README's picture of a small MLP's loss graph (needs Graphviz, see minigrad.viz).

    python docs/figures/mlp_loss_graph.py      # writes docs/figures/mlp_loss_graph.svg

The network and data are those of the first tutorial notebook's last section.
"""

from __future__ import annotations

from pathlib import Path

import minigrad as mg
import minigrad.nn.functional as F
from minigrad import nn, viz


def main() -> Path:
    """Build the 4-3-2 ReLU network's cross-entropy loss on 8 samples and draw its graph."""
    mg.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
    inputs = mg.randn(8, 4)
    targets = mg.tensor([0, 1, 1, 0, 1, 0, 0, 1])
    loss = F.cross_entropy(model(inputs), targets)
    out = Path(__file__).with_name("mlp_loss_graph.svg")
    return viz.draw(loss, out, params=model.named_parameters())


if __name__ == "__main__":
    print(main())
