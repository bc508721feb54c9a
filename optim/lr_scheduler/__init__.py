"""Learning-rate schedulers, as ``torch.optim.lr_scheduler``.

A scheduler changes ``group['lr']`` of every parameter group of an optimizer.
Call its :meth:`~LRScheduler.step` once per epoch (or per iteration), *after*
``optimizer.step()``::

    opt = minigrad.optim.SGD(model.parameters(), lr=0.1)
    sched = minigrad.optim.lr_scheduler.StepLR(opt, step_size=30, gamma=0.1)
    for epoch in range(100):
        train_one_epoch(model, opt)     # calls opt.step() many times
        sched.step()

Constructing a scheduler records each group's starting rate as
``group['initial_lr']`` (kept in :attr:`LRScheduler.base_lrs`) and sets
``last_epoch`` to 0. Epoch-based schedulers update the rate from its current
value ("chainable" form, as PyTorch does), so that two schedulers may act on
one optimizer; each class also documents its closed form, which the chainable
form equals while no one else changes the rate.

- factors: :class:`LambdaLR`, :class:`MultiplicativeLR`, :class:`StepLR`,
  :class:`MultiStepLR`, :class:`ExponentialLR`, :class:`ConstantLR`,
  :class:`LinearLR`, :class:`PolynomialLR`;
- cosines: :class:`CosineAnnealingLR`, :class:`CosineAnnealingWarmRestarts`;
- per batch, cycling the momentum too: :class:`CyclicLR`, :class:`OneCycleLR`;
- combinations: :class:`SequentialLR`, :class:`ChainedScheduler`;
- :class:`ReduceLROnPlateau`: ``step(loss)`` takes the monitored value and
  cuts the rate when it stops improving.

Every scheduler has ``get_last_lr()``, ``state_dict()`` / ``load_state_dict()``
and prints its hyper-parameters, epoch and last rates.
"""

from ._base import LRScheduler
from ._combine import ChainedScheduler, SequentialLR
from ._cosine import CosineAnnealingLR, CosineAnnealingWarmRestarts
from ._cyclic import CyclicLR, OneCycleLR
from ._decay import (
    ConstantLR,
    ExponentialLR,
    LambdaLR,
    LinearLR,
    MultiplicativeLR,
    MultiStepLR,
    PolynomialLR,
    StepLR,
)
from ._plateau import ReduceLROnPlateau

_LRScheduler = LRScheduler  # PyTorch's older name, still subclassed by many programs

__all__ = [
    "LRScheduler",
    "LambdaLR",
    "MultiplicativeLR",
    "StepLR",
    "MultiStepLR",
    "ExponentialLR",
    "ConstantLR",
    "LinearLR",
    "PolynomialLR",
    "CosineAnnealingLR",
    "CosineAnnealingWarmRestarts",
    "CyclicLR",
    "OneCycleLR",
    "SequentialLR",
    "ChainedScheduler",
    "ReduceLROnPlateau",
]
