"""``minigrad.nn.modules``: the layer classes under PyTorch's import paths.

Code written for PyTorch imports base classes from here, e.g.
``from torch.nn.modules.loss import _Loss`` or ``from torch.nn.modules.batchnorm
import _BatchNorm``. Each ``minigrad.nn.modules.<path>`` is a module made from the
table below: the minigrad classes (the same objects as ``minigrad.nn.X``) that
PyTorch keeps at that path, taken from the minigrad modules that define them. Only
classes minigrad has are there.
"""

from __future__ import annotations

import sys
import types

from .. import (
    activation,
    attention,
    container,
    conv,
    dropout,
    linear,
    loss,
    module,
    normalization,
    padding,
    pooling,
    rnn,
    sparse,
    transformer,
    upsampling,
)

# torch.nn.modules.<path>: (the minigrad modules defining its classes, the class names)
_PATHS: dict[str, tuple[tuple[types.ModuleType, ...], str]] = {
    "activation": (
        (activation, attention),
        "CELU ELU GELU GLU SELU Hardshrink Hardsigmoid Hardswish Hardtanh LeakyReLU LogSigmoid "
        "LogSoftmax Mish PReLU ReLU ReLU6 RReLU Sigmoid SiLU Softmax Softmax2d Softmin Softplus "
        "Softshrink Softsign Tanh Tanhshrink Threshold MultiheadAttention",
    ),
    "batchnorm": ((normalization,), "BatchNorm1d BatchNorm2d BatchNorm3d _BatchNorm _NormBase"),
    "container": ((container,), "ModuleDict ModuleList ParameterDict ParameterList Sequential"),
    "conv": (
        (conv,),
        "Conv1d Conv2d ConvTranspose1d ConvTranspose2d _ConvNd _ConvTransposeNd",
    ),
    "distance": ((loss,), "CosineSimilarity PairwiseDistance"),
    "dropout": ((dropout,), "Dropout Dropout1d Dropout2d _DropoutNd"),
    "flatten": ((linear,), "Flatten Unflatten"),
    "fold": ((conv,), "Fold Unfold"),
    "instancenorm": ((normalization,), "InstanceNorm1d InstanceNorm2d _InstanceNorm"),
    "linear": ((linear,), "Bilinear Identity Linear"),
    "loss": (
        (loss,),
        "BCELoss BCEWithLogitsLoss CosineEmbeddingLoss CrossEntropyLoss GaussianNLLLoss "
        "HingeEmbeddingLoss HuberLoss KLDivLoss L1Loss MarginRankingLoss MSELoss "
        "MultiLabelMarginLoss MultiLabelSoftMarginLoss MultiMarginLoss NLLLoss PoissonNLLLoss "
        "SmoothL1Loss SoftMarginLoss TripletMarginLoss _Loss _WeightedLoss",
    ),
    "module": ((module,), "Module"),
    "normalization": ((normalization,), "GroupNorm LayerNorm LocalResponseNorm RMSNorm"),
    "padding": (
        (padding,),
        "CircularPad1d CircularPad2d CircularPad3d ConstantPad1d ConstantPad2d ConstantPad3d "
        "ReflectionPad1d ReflectionPad2d ReflectionPad3d ReplicationPad1d ReplicationPad2d "
        "ReplicationPad3d ZeroPad1d ZeroPad2d ZeroPad3d _ConstantPadNd",
    ),
    "pixelshuffle": ((upsampling,), "PixelShuffle PixelUnshuffle"),
    "pooling": (
        (pooling,),
        "AdaptiveAvgPool1d AdaptiveAvgPool2d AdaptiveMaxPool1d AdaptiveMaxPool2d AvgPool1d "
        "AvgPool2d MaxPool1d MaxPool2d _AdaptiveAvgPoolNd _AdaptiveMaxPoolNd _MaxPoolNd",
    ),
    "rnn": ((rnn,), "GRU LSTM RNN GRUCell LSTMCell RNNCell"),
    "sparse": ((sparse,), "Embedding EmbeddingBag"),
    "transformer": (
        (transformer,),
        "Transformer TransformerDecoder TransformerDecoderLayer TransformerEncoder "
        "TransformerEncoderLayer",
    ),
    "upsampling": ((upsampling,), "Upsample UpsamplingBilinear2d UpsamplingNearest2d"),
}


def _path_module(path: str, sources: tuple[types.ModuleType, ...], names: str) -> types.ModuleType:
    """``minigrad.nn.modules.<path>``, importable, holding ``names`` from ``sources``."""
    made = types.ModuleType(
        f"{__name__}.{path}", f"``torch.nn.modules.{path}``'s import path for minigrad's classes."
    )
    for name in names.split():
        made.__dict__[name] = next(getattr(s, name) for s in sources if hasattr(s, name))
    made.__dict__["__all__"] = [name for name in names.split() if not name.startswith("_")]
    sys.modules[made.__name__] = made
    return made


_MODULES = {path: _path_module(path, *entry) for path, entry in _PATHS.items()}
_PUBLIC = {name: vars(made)[name] for made in _MODULES.values() for name in vars(made)["__all__"]}
globals().update(_MODULES)
globals().update(_PUBLIC)
__all__ = sorted(_PUBLIC)
