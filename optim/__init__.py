"""Optimizers and learning-rate schedulers (``minigrad.optim``).

Two fronts share one implementation of each update rule
(:mod:`minigrad.optim._functional`):

- PyTorch style, on tensors: :class:`SGD`, :class:`Adagrad`, :class:`Adadelta`,
  :class:`RMSprop`, :class:`Adam`, :class:`AdamW`, :class:`Adamax`,
  :class:`NAdam`, :class:`RAdam`
  (``opt.zero_grad(); loss.backward(); opt.step()``),
  with learning-rate schedulers in :mod:`minigrad.optim.lr_scheduler`.
- "Deep Learning from Scratch" style, on dicts of arrays or numbers:
  :mod:`minigrad.optim.book` (``opt.update(params, grads)``).
"""

from . import book, lr_scheduler
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .adamax import Adamax
from .nadam import NAdam
from .optimizer import Optimizer
from .radam import RAdam
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = [
    "Optimizer",
    "SGD",
    "Adagrad",
    "Adadelta",
    "RMSprop",
    "Adam",
    "AdamW",
    "Adamax",
    "NAdam",
    "RAdam",
    "book",
    "lr_scheduler",
]
