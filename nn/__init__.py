"""Neural-network building blocks (``from minigrad import nn``), as ``torch.nn``.

- :class:`Module`, :class:`Parameter` and the containers :class:`Sequential`,
  :class:`ModuleList`, :class:`ModuleDict`, :class:`ParameterList`, :class:`ParameterDict`;
- layers: :class:`Linear`, :class:`Identity`, :class:`Flatten`, :class:`Unflatten`,
  :class:`Dropout`, :class:`Dropout1d`, :class:`Dropout2d`, :class:`Embedding`;
- normalisation: :class:`BatchNorm1d`, :class:`BatchNorm2d`, :class:`BatchNorm3d`,
  :class:`InstanceNorm1d`, :class:`InstanceNorm2d`, :class:`LayerNorm`, :class:`GroupNorm`;
- padding: :class:`ZeroPad2d`, :class:`ConstantPad2d`, :class:`ReflectionPad2d`,
  :class:`ReplicationPad2d`, :class:`CircularPad2d` (and their 1d/3d forms);
- :mod:`minigrad.nn.hooks` (the handles that module hooks return);
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

from . import functional, hooks, init, parallel
from .activation import LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from .container import ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential
from .conv import *  # noqa: F403  (Conv1d, Conv2d, Unfold, Fold)
from .dropout import Dropout
from .linear import Flatten, Identity, Linear, Unflatten
from .loss import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, L1Loss, MSELoss, NLLLoss
from .module import Module
from .parameter import Parameter

__all__ = [
    "functional",
    "init",
    "hooks",
    "parallel",
    "Module",
    "Parameter",
    "Sequential",
    "ModuleList",
    "ModuleDict",
    "ParameterList",
    "ParameterDict",
    "Identity",
    "Linear",
    "Flatten",
    "Unflatten",
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

from . import conv, dropout, normalization, padding, pooling, sparse  # noqa: E402
from .dropout import Dropout1d, Dropout2d  # noqa: E402
from .normalization import *  # noqa: E402, F403  (BatchNorm1d, LayerNorm, ...)
from .padding import *  # noqa: E402, F403  (ZeroPad2d, ReflectionPad2d, ...)
from .pooling import *  # noqa: E402, F403  (MaxPool2d, AvgPool2d, ...)
from .sparse import *  # noqa: E402, F403  (Embedding)

__all__ += ["Dropout1d", "Dropout2d"]
__all__ += conv.__all__ + normalization.__all__ + padding.__all__ + pooling.__all__ + sparse.__all__
