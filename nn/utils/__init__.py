"""Utilities on parameters and their gradients (``minigrad.nn.utils``), as ``torch.nn.utils``.

- :func:`clip_grad_norm_`, :func:`clip_grad_value_`: keep gradients in check
  before ``optimizer.step()``;
- :func:`parameters_to_vector`, :func:`vector_to_parameters`: all parameters
  as one flat vector and back;
- :mod:`rnn`: batches of variable-length sequences, padded or packed
  (:func:`rnn.pad_sequence`, :func:`rnn.pack_padded_sequence`, ...);
- :func:`weight_norm` / :func:`remove_weight_norm` (w = g · v/‖v‖) and
  :func:`spectral_norm` / :func:`remove_spectral_norm` (W / σ(W)): reparametrise
  a module's weight through a forward pre-hook;
- :mod:`parametrize` (:func:`parametrize.register_parametrization`) and
  :mod:`parametrizations` (:func:`parametrizations.weight_norm`): computed tensors
  as properties of a module.
"""

from . import parametrizations, parametrize, rnn
from .clip_grad import clip_grad_norm_, clip_grad_value_
from .convert_parameters import parameters_to_vector, vector_to_parameters
from .spectral_norm import remove_spectral_norm, spectral_norm
from .weight_norm import remove_weight_norm, weight_norm

__all__ = [
    "clip_grad_norm_",
    "clip_grad_value_",
    "parameters_to_vector",
    "parametrizations",
    "parametrize",
    "remove_spectral_norm",
    "remove_weight_norm",
    "rnn",
    "spectral_norm",
    "vector_to_parameters",
    "weight_norm",
]
