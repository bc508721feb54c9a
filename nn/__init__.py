"""Neural-network building blocks (``from minigrad import nn``), as ``torch.nn``.

- :class:`Module`, :class:`Parameter` and the containers :class:`Sequential`,
  :class:`ModuleList`;
- layers: :class:`Linear`, :class:`Identity`, :class:`Flatten`, :class:`Dropout`;
- activations: :class:`ReLU`, :class:`LeakyReLU`, :class:`Sigmoid`, :class:`Tanh`,
  :class:`Softmax`, :class:`LogSoftmax`;
- losses: :class:`MSELoss`, :class:`L1Loss`, :class:`CrossEntropyLoss`,
  :class:`NLLLoss`, :class:`BCELoss`, :class:`BCEWithLogitsLoss`;
- :mod:`minigrad.nn.functional` (the same as functions, ``F``),
  :mod:`minigrad.nn.init` (weight initialisers) and :mod:`minigrad.nn.parallel`
  (``DistributedDataParallel``).

A model, trained the PyTorch way::

    import minigrad
    from minigrad import nn
    import minigrad.nn.functional as F

    model = nn.Sequential(nn.Linear(784, 100), nn.ReLU(), nn.Linear(100, 10))
    loss = F.cross_entropy(model(x), y)
    loss.backward()
"""

from . import functional, init, parallel
from .activation import LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from .container import ModuleList, Sequential
from .dropout import Dropout
from .linear import Flatten, Identity, Linear
from .loss import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, L1Loss, MSELoss, NLLLoss
from .module import Module
from .parameter import Parameter

__all__ = [
    "functional",
    "init",
    "parallel",
    "Module",
    "Parameter",
    "Sequential",
    "ModuleList",
    "Identity",
    "Linear",
    "Flatten",
    "Dropout",
    "ReLU",
    "LeakyReLU",
    "Sigmoid",
    "Tanh",
    "Softmax",
    "LogSoftmax",
    "MSELoss",
    "L1Loss",
    "CrossEntropyLoss",
    "NLLLoss",
    "BCELoss",
    "BCEWithLogitsLoss",
]
