"""Optimizers and learning-rate schedulers (``minigrad.optim``).

Two fronts share one implementation of each update rule
(:mod:`minigrad.optim._functional`):

- PyTorch style, on tensors: :class:`SGD`, :class:`Adagrad`, :class:`Adadelta`,
  :class:`RMSprop`, :class:`Adam`, :class:`AdamW`, :class:`Adamax`,
  :class:`NAdam`, :class:`RAdam`, :class:`Rprop`, :class:`ASGD`
  (``opt.zero_grad(); loss.backward(); opt.step()``), and :class:`LBFGS`, which
  re-evaluates the loss itself (``opt.step(closure)``; not element-wise, so it
  has no rule in ``_functional``), with learning-rate schedulers in
  :mod:`minigrad.optim.lr_scheduler`.
- "Deep Learning from Scratch" style, on dicts of arrays or numbers:
  :mod:`minigrad.optim.book` (``opt.update(params, grads)``).
"""

from . import book, lr_scheduler
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .adamax import Adamax
from .asgd import ASGD
from .lbfgs import LBFGS
from .nadam import NAdam
from .optimizer import Optimizer
from .radam import RAdam
from .rmsprop import RMSprop
from .rprop import Rprop
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
    "Rprop",
    "ASGD",
    "LBFGS",
    "book",
    "lr_scheduler",
]
