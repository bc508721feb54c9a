"""``minigrad.nn.modules``: PyTorch's import paths for minigrad's layer classes."""

from __future__ import annotations

import importlib

import pytest

import minigrad.nn as nn
from minigrad.nn.modules.batchnorm import _BatchNorm
from minigrad.nn.modules.conv import _ConvNd
from minigrad.nn.modules.linear import Linear
from minigrad.nn.modules.loss import _Loss, _WeightedLoss
from minigrad.nn.modules.module import Module

SUBMODULES = (
    "module linear flatten activation loss distance conv fold batchnorm instancenorm "
    "normalization dropout pooling padding container rnn sparse transformer pixelshuffle upsampling"
).split()


def test_the_common_base_classes_are_minigrads():
    assert Module is nn.Module and Linear is nn.Linear
    assert issubclass(nn.MSELoss, _Loss) and issubclass(nn.CrossEntropyLoss, _WeightedLoss)
    assert issubclass(nn.Conv2d, _ConvNd) and issubclass(nn.BatchNorm1d, _BatchNorm)
    assert nn.modules.Linear is nn.Linear and nn.modules.loss.MSELoss is nn.MSELoss


def test_a_subclass_of_a_base_works():
    class Doubled(_Loss):
        def forward(self, a, b):
            return 2 * (a - b).abs().mean()

    import minigrad

    loss = Doubled()(minigrad.tensor([1.0, 2.0]), minigrad.tensor([0.0, 0.0]))
    assert loss.item() == 3.0 and Doubled().reduction == "mean"


@pytest.mark.parametrize("name", SUBMODULES)
def test_every_reexport_is_the_nn_class(name):
    module = getattr(nn.modules, name)
    for attr in module.__all__:
        assert getattr(module, attr) is getattr(nn, attr)
        assert getattr(nn.modules, attr) is getattr(nn, attr)


@pytest.mark.parametrize("name", SUBMODULES)
def test_names_are_where_torch_has_them(name):
    pytest.importorskip("torch")
    theirs = importlib.import_module(f"torch.nn.modules.{name}")
    ours = getattr(nn.modules, name)
    classes = [n for n in vars(ours) if n.lstrip("_")[:1].isupper()]
    assert classes
    for attr in classes:
        assert hasattr(theirs, attr), f"torch.nn.modules.{name} has no {attr}"


def test_all_nn_layers_are_reachable():
    layers = [n for n in nn.__all__ if isinstance(getattr(nn, n), type)
              and issubclass(getattr(nn, n), nn.Module)]  # fmt: skip
    assert set(layers) <= set(nn.modules.__all__)
