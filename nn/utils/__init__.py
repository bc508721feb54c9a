"""Utilities on parameters and their gradients (``minigrad.nn.utils``), as ``torch.nn.utils``.

- :func:`clip_grad_norm_`, :func:`clip_grad_value_`: keep gradients in check
  before ``optimizer.step()``;
- :func:`parameters_to_vector`, :func:`vector_to_parameters`: all parameters
  as one flat vector and back;
- :mod:`rnn`: batches of variable-length sequences, padded or packed
  (:func:`rnn.pad_sequence`, :func:`rnn.pack_padded_sequence`, ...).
"""

from . import rnn
from .clip_grad import clip_grad_norm_, clip_grad_value_
from .convert_parameters import parameters_to_vector, vector_to_parameters

__all__ = [
    "clip_grad_norm_",
    "clip_grad_value_",
    "parameters_to_vector",
    "rnn",
    "vector_to_parameters",
]
