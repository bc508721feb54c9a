"""Neural-network building blocks (``from minigrad import nn``), as ``torch.nn``.

- :class:`Module`, :class:`Parameter` and the containers :class:`Sequential`,
  :class:`ModuleList`, :class:`ModuleDict`, :class:`ParameterList`, :class:`ParameterDict`;
- layers: :class:`Linear`, :class:`Bilinear`, :class:`Identity`, :class:`Flatten`,
  :class:`Unflatten`, :class:`Dropout`, :class:`Dropout1d`, :class:`Dropout2d`,
  :class:`Embedding`;
- convolution and pooling: :class:`Conv1d`, :class:`Conv2d`, :class:`ConvTranspose1d`,
  :class:`ConvTranspose2d`, :class:`Unfold`, :class:`Fold`, :class:`MaxPool2d`,
  :class:`AvgPool2d`, :class:`AdaptiveAvgPool2d` (and their 1d forms), :class:`Upsample`,
  :class:`PixelShuffle`;
- normalisation: :class:`BatchNorm1d`, :class:`BatchNorm2d`, :class:`BatchNorm3d`,
  :class:`InstanceNorm1d`, :class:`InstanceNorm2d`, :class:`LayerNorm`, :class:`GroupNorm`,
  :class:`RMSNorm`, :class:`LocalResponseNorm`;
- padding: :class:`ZeroPad2d`, :class:`ConstantPad2d`, :class:`ReflectionPad2d`,
  :class:`ReplicationPad2d`, :class:`CircularPad2d` (and their 1d/3d forms);
- sequences and attention: :class:`RNN`, :class:`LSTM`, :class:`GRU` (and their cells),
  :class:`MultiheadAttention`, :class:`TransformerEncoder`, :class:`TransformerDecoder`
  (and their layers);
- :mod:`minigrad.nn.hooks` (the handles that module hooks return);
- activations: :class:`ReLU`, :class:`LeakyReLU`, :class:`Sigmoid`, :class:`Tanh`,
  :class:`Softmax`, :class:`LogSoftmax`, :class:`GELU`, ... (27 in all);
- losses: :class:`MSELoss`, :class:`L1Loss`, :class:`CrossEntropyLoss`,
  :class:`NLLLoss`, :class:`BCELoss`, :class:`BCEWithLogitsLoss`, ... (19 in all);
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

from . import functional, hooks, init, parallel, utils
from .activation import (  # noqa: I001
    CELU,
    ELU,
    GELU,
    GLU,
    SELU,
    Hardshrink,
    Hardsigmoid,
    Hardswish,
    Hardtanh,
    LeakyReLU,
    LogSigmoid,
    LogSoftmax,
    Mish,
    PReLU,
    ReLU,
    ReLU6,
    RReLU,
    Sigmoid,
    SiLU,
    Softmax,
    Softmax2d,
    Softmin,
    Softplus,
    Softshrink,
    Softsign,
    Tanh,
    Tanhshrink,
    Threshold,
)
from .container import ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential
from .conv import *  # noqa: F403  (Conv1d, Conv2d, Unfold, Fold)
from .dropout import Dropout
from .linear import Bilinear, Flatten, Identity, Linear, Unflatten
from .loss import (  # noqa: I001
    BCELoss,
    BCEWithLogitsLoss,
    CosineEmbeddingLoss,
    CosineSimilarity,
    CrossEntropyLoss,
    GaussianNLLLoss,
    HingeEmbeddingLoss,
    HuberLoss,
    KLDivLoss,
    L1Loss,
    MarginRankingLoss,
    MSELoss,
    MultiLabelMarginLoss,
    MultiLabelSoftMarginLoss,
    MultiMarginLoss,
    NLLLoss,
    PairwiseDistance,
    PoissonNLLLoss,
    SmoothL1Loss,
    SoftMarginLoss,
    TripletMarginLoss,
)
from .module import Module
from .parameter import Parameter

__all__ = [
    "functional",
    "init",
    "hooks",
    "parallel",
    "utils",
    "Module",
    "Parameter",
    "Sequential",
    "ModuleList",
    "ModuleDict",
    "ParameterList",
    "ParameterDict",
    "Identity",
    "Linear",
    "Bilinear",
    "Flatten",
    "Unflatten",
    "Dropout",
    "ReLU",
    "Softmax2d",
    "LeakyReLU",
    "Sigmoid",
    "Tanh",
    "Softmax",
    "LogSoftmax",
    "Softmin",
    "GELU",
    "ELU",
    "SELU",
    "CELU",
    "SiLU",
    "Mish",
    "Softplus",
    "Softsign",
    "Hardtanh",
    "ReLU6",
    "Hardsigmoid",
    "Hardswish",
    "LogSigmoid",
    "Tanhshrink",
    "Softshrink",
    "Hardshrink",
    "Threshold",
    "RReLU",
    "PReLU",
    "GLU",
    "MSELoss",
    "L1Loss",
    "CrossEntropyLoss",
    "NLLLoss",
    "BCELoss",
    "BCEWithLogitsLoss",
    "SmoothL1Loss",
    "HuberLoss",
    "KLDivLoss",
    "PoissonNLLLoss",
    "GaussianNLLLoss",
    "CosineEmbeddingLoss",
    "MarginRankingLoss",
    "HingeEmbeddingLoss",
    "SoftMarginLoss",
    "MultiMarginLoss",
    "MultiLabelMarginLoss",
    "MultiLabelSoftMarginLoss",
    "TripletMarginLoss",
    "CosineSimilarity",
    "PairwiseDistance",
]

from . import (  # noqa: E402
    attention,
    conv,
    dropout,
    normalization,
    padding,
    pooling,
    rnn,
    sparse,
    transformer,
    upsampling,
)
from .attention import *  # noqa: E402, F403  (MultiheadAttention)
from .dropout import Dropout1d, Dropout2d  # noqa: E402
from .normalization import *  # noqa: E402, F403  (BatchNorm1d, LayerNorm, ...)
from .padding import *  # noqa: E402, F403  (ZeroPad2d, ReflectionPad2d, ...)
from .pooling import *  # noqa: E402, F403  (MaxPool2d, AvgPool2d, ...)
from .rnn import *  # noqa: E402, F403  (RNN, LSTM, GRU and their cells)
from .sparse import *  # noqa: E402, F403  (Embedding)
from .transformer import *  # noqa: E402, F403  (TransformerEncoder, ...)
from .upsampling import *  # noqa: E402, F403  (Upsample, ...)

__all__ += ["Dropout1d", "Dropout2d"]
__all__ += conv.__all__ + normalization.__all__ + padding.__all__ + pooling.__all__
__all__ += rnn.__all__ + sparse.__all__ + upsampling.__all__
__all__ += attention.__all__ + transformer.__all__

# PyTorch's import paths (``nn.modules.loss._Loss``, ...), after every class they re-export
from . import modules  # noqa: E402
