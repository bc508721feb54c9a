"""``GradScaler``: scale the loss so that float16 gradients do not underflow, as
``torch.amp.GradScaler``.

The scale and the growth tracker are 0-d minigrad tensors on the device of the
first scaled output; the checks and the scale update are minigrad tensor operations,
so only ``step`` (which must know whether to skip) reads a value back.
"""

from __future__ import annotations

import warnings
from collections import defaultdict
from collections.abc import Iterable
from enum import Enum
from typing import Any

__all__ = ["GradScaler", "OptState"]


class OptState(Enum):
    """Where an optimizer is in the scaler's iteration (as PyTorch's ``OptState``)."""

    READY = 0
    UNSCALED = 1
    STEPPED = 2


def _refresh_per_optimizer_state() -> dict[str, Any]:
    return {"stage": OptState.READY, "found_inf_per_device": {}}


def _tensor_type() -> Any:
    from minigrad.tensor import Tensor

    return Tensor


class GradScaler:
    """Dynamic loss scaling for mixed-precision training (PyTorch's rules).

    ``scale(loss)`` multiplies by the scale factor S (``init_scale``, 2¹⁶), so
    that small gradients survive float16; ``unscale_(optimizer)`` divides the
    gradients by S and records whether any is inf or NaN; ``step(optimizer)``
    unscales (unless done) and skips ``optimizer.step()`` when a gradient was not
    finite; ``update()`` then multiplies S by ``backoff_factor`` after a skipped
    step, or by ``growth_factor`` after ``growth_interval`` finite steps in a row::

        scaler = minigrad.amp.GradScaler("cuda")
        with minigrad.autocast("cuda", dtype=minigrad.float16):
            loss = loss_fn(model(x), y)
        scaler.scale(loss).backward()
        scaler.unscale_(optimizer)  # optional: before clipping the true gradients
        minigrad.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        scaler.step(optimizer)
        scaler.update()
        optimizer.zero_grad()

    Disabled (``enabled=False``, or ``device='cuda'`` without a usable GPU, which
    warns as PyTorch) every method passes through: ``scale`` returns its input,
    ``step`` calls ``optimizer.step()``, ``get_scale`` is 1.0. Works on any device.
    """

    def __init__(
        self,
        device: str = "cuda",
        init_scale: float = 2.0**16,
        growth_factor: float = 2.0,
        backoff_factor: float = 0.5,
        growth_interval: int = 2000,
        enabled: bool = True,
    ) -> None:
        self._device = device
        self._enabled = enabled
        if device == "cuda" and enabled:
            from minigrad import cuda

            if not cuda.is_available():
                warnings.warn(
                    "torch.cuda.amp.GradScaler is enabled, but CUDA is not available.  "
                    "Disabling. (minigrad.amp.GradScaler('cuda'))",
                    UserWarning,
                    stacklevel=2,
                )
                self._enabled = False
        if self._enabled:
            if not growth_factor > 1.0:
                raise ValueError("The growth factor must be > 1.0.")
            if not backoff_factor < 1.0:
                raise ValueError("The backoff factor must be < 1.0.")
        self._init_scale = float(init_scale)
        self._scale: Any = None  # made on the device of the first scaled output
        self._growth_factor = float(growth_factor)
        self._backoff_factor = float(backoff_factor)
        self._growth_interval = int(growth_interval)
        self._init_growth_tracker = 0
        self._growth_tracker: Any = None
        self._per_optimizer_states: defaultdict[int, dict[str, Any]] = defaultdict(
            _refresh_per_optimizer_state
        )

    # ------------------------------------------------------------------ scaling
    def _lazy_init_scale_growth_tracker(self, device: Any) -> None:
        from minigrad.creation import full
        from minigrad.dtypes import float32, int32

        self._scale = full((), self._init_scale, dtype=float32, device=device)
        self._growth_tracker = full((), self._init_growth_tracker, dtype=int32, device=device)

    def _check_scale_growth_tracker(self, funcname: str) -> tuple[Any, Any]:
        fix = "This may indicate your script did not use scaler.scale(loss or outputs) earlier "
        fix += "in the iteration."
        if self._scale is None or self._growth_tracker is None:
            raise RuntimeError(f"Attempted {funcname} but _scale is None.  {fix}")
        return self._scale, self._growth_tracker

    def scale(self, outputs: Any) -> Any:
        """``outputs`` (a tensor, or lists/tuples of them, nested) times the scale factor."""
        if not self._enabled:
            return outputs
        tensor = _tensor_type()

        def apply_scale(value: Any) -> Any:
            if isinstance(value, tensor):
                if self._scale is None:
                    self._lazy_init_scale_growth_tracker(value.device)
                return value * self._scale.to(value.device)
            if isinstance(value, list | tuple):
                return type(value)(apply_scale(v) for v in value)
            if isinstance(value, Iterable):
                return map(apply_scale, value)
            raise ValueError("outputs must be a Tensor or an iterable of Tensors")

        return apply_scale(outputs)

    # ------------------------------------------------------------------ unscaling
    def _unscale_grads_(
        self, optimizer: Any, inv_scale: Any, found_inf: Any, allow_fp16: bool
    ) -> dict[Any, Any]:
        """Multiply every gradient by ``inv_scale`` in place; per device, 1.0 when one of
        them holds inf or NaN (PyTorch's ``_amp_foreach_non_finite_check_and_unscale_``)."""
        from minigrad.autograd.grad_mode import no_grad
        from minigrad.dtypes import float16, float32

        per_device: dict[Any, Any] = {}
        with no_grad():
            for group in optimizer.param_groups:
                for param in group["params"]:
                    grad = param.grad
                    if grad is None:
                        continue
                    if not allow_fp16 and grad.dtype == float16:
                        raise ValueError("Attempting to unscale FP16 gradients.")
                    device = grad.device
                    if device not in per_device:
                        per_device[device] = found_inf.to(device)
                    bad = (~grad.isfinite()).any().to(float32)
                    per_device[device] = per_device[device].maximum(bad)
                    grad.mul_(inv_scale.to(device))
        return per_device

    def unscale_(self, optimizer: Any) -> None:
        """Divide ``optimizer``'s gradients by the scale factor, in place (once per step:
        a second call before :meth:`update` raises RuntimeError, as PyTorch)."""
        if not self._enabled:
            return
        self._check_scale_growth_tracker("unscale_")
        optimizer_state = self._per_optimizer_states[id(optimizer)]
        if optimizer_state["stage"] is OptState.UNSCALED:
            raise RuntimeError(
                "unscale_() has already been called on this optimizer since the last update()."
            )
        if optimizer_state["stage"] is OptState.STEPPED:
            raise RuntimeError("unscale_() is being called after step().")
        from minigrad.creation import full
        from minigrad.dtypes import float32, float64

        # float32(1 / float64(scale)), as PyTorch
        inv_scale = self._scale.to(float64).reciprocal().to(float32)
        found_inf = full((), 0.0, dtype=float32, device=self._scale.device)
        optimizer_state["found_inf_per_device"] = self._unscale_grads_(
            optimizer, inv_scale, found_inf, False
        )
        optimizer_state["stage"] = OptState.UNSCALED

    # ------------------------------------------------------------------ stepping
    def _maybe_opt_step(
        self, optimizer: Any, optimizer_state: dict[str, Any], *args: Any, **kwargs: Any
    ) -> Any:
        if not sum(v.item() for v in optimizer_state["found_inf_per_device"].values()):
            return optimizer.step(*args, **kwargs)
        return None

    def step(self, optimizer: Any, *args: Any, **kwargs: Any) -> Any:
        """Unscale the gradients (unless :meth:`unscale_` did) and run ``optimizer.step()``
        unless one of them is inf or NaN; the step's return value, or None when skipped."""
        if not self._enabled:
            return optimizer.step(*args, **kwargs)
        if "closure" in kwargs:
            raise RuntimeError("Closure use is not currently supported if GradScaler is enabled.")
        self._check_scale_growth_tracker("step")
        optimizer_state = self._per_optimizer_states[id(optimizer)]
        if optimizer_state["stage"] is OptState.STEPPED:
            raise RuntimeError("step() has already been called since the last update().")
        if optimizer_state["stage"] is OptState.READY:
            self.unscale_(optimizer)
        if not optimizer_state["found_inf_per_device"]:
            raise RuntimeError("No inf checks were recorded for this optimizer.")
        retval = self._maybe_opt_step(optimizer, optimizer_state, *args, **kwargs)
        optimizer_state["stage"] = OptState.STEPPED
        return retval

    def update(self, new_scale: Any = None) -> None:
        """Set the scale for the next iteration: ``new_scale`` (a float or a one-element
        tensor) when given; otherwise scale · backoff_factor after a skipped step, scale ·
        growth_factor after ``growth_interval`` finite steps in a row (if still finite)."""
        if not self._enabled:
            return
        scale, tracker = self._check_scale_growth_tracker("update")
        from minigrad.autograd.grad_mode import no_grad
        from minigrad.dtypes import finfo, float32
        from minigrad.functional import where

        tensor = _tensor_type()
        with no_grad():
            if new_scale is not None:
                if isinstance(new_scale, tensor):
                    reason = (
                        "new_scale should be a float or a 1-element minigrad tensor with "
                        "requires_grad=False."
                    )
                    if new_scale.numel() != 1 or new_scale.requires_grad:
                        raise ValueError(reason)
                    scale.copy_(new_scale.reshape(()))
                else:
                    scale.fill_(float(new_scale))
            else:
                found_infs = [
                    found_inf.to(scale.device)
                    for state in self._per_optimizer_states.values()
                    for found_inf in state["found_inf_per_device"].values()
                ]
                if not found_infs:
                    raise RuntimeError("No inf checks were recorded prior to update.")
                found = found_infs[0]
                for other in found_infs[1:]:
                    found = found + other
                found = found > 0
                # PyTorch's _amp_update_scale_, in float32 on the scale's device
                successful = tracker + 1
                grow = successful == self._growth_interval
                # grow only while scale · growth_factor stays finite in float32 (compared
                # first, so that nothing overflows)
                fits = scale <= finfo(float32).max / self._growth_factor
                grown = where(fits, scale, scale * 0 + 1) * self._growth_factor
                new = where(found, scale * self._backoff_factor, where(grow & fits, grown, scale))
                scale.copy_(new)
                tracker.copy_(where(found | grow, tracker * 0, successful))
        self._per_optimizer_states = defaultdict(_refresh_per_optimizer_state)

    # ------------------------------------------------------------------ settings
    def _get_scale_async(self) -> Any:
        return self._scale

    def get_scale(self) -> float:
        """The current scale factor (1.0 when disabled)."""
        if not self._enabled:
            return 1.0
        return self._init_scale if self._scale is None else float(self._scale.item())

    def get_growth_factor(self) -> float:
        return self._growth_factor

    def set_growth_factor(self, new_factor: float) -> None:
        self._growth_factor = float(new_factor)

    def get_backoff_factor(self) -> float:
        return self._backoff_factor

    def set_backoff_factor(self, new_factor: float) -> None:
        self._backoff_factor = float(new_factor)

    def get_growth_interval(self) -> int:
        return self._growth_interval

    def set_growth_interval(self, new_interval: int) -> None:
        self._growth_interval = int(new_interval)

    def _get_growth_tracker(self) -> int:
        if not self._enabled:
            return 0
        if self._growth_tracker is None:
            return self._init_growth_tracker
        return int(self._growth_tracker.item())

    def is_enabled(self) -> bool:
        """Whether the scaler scales (False when disabled or without a GPU for 'cuda')."""
        return self._enabled

    def state_dict(self) -> dict[str, Any]:
        """``scale``, ``growth_factor``, ``backoff_factor``, ``growth_interval`` and
        ``_growth_tracker`` (PyTorch's keys); empty when disabled."""
        if not self._enabled:
            return {}
        return {
            "scale": self.get_scale(),
            "growth_factor": self._growth_factor,
            "backoff_factor": self._backoff_factor,
            "growth_interval": self._growth_interval,
            "_growth_tracker": self._get_growth_tracker(),
        }

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore what :meth:`state_dict` returned."""
        if not self._enabled:
            return
        if len(state_dict) == 0:
            raise RuntimeError(
                "The source state dict is empty, possibly because it was saved "
                "from a disabled instance of GradScaler."
            )
        self._init_scale = float(state_dict["scale"])
        if self._scale is not None:
            self._scale.fill_(self._init_scale)
        self._growth_factor = float(state_dict["growth_factor"])
        self._backoff_factor = float(state_dict["backoff_factor"])
        self._growth_interval = int(state_dict["growth_interval"])
        self._init_growth_tracker = int(state_dict["_growth_tracker"])
        if self._growth_tracker is not None:
            self._growth_tracker.fill_(self._init_growth_tracker)

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        if self._enabled:
            if len(self._per_optimizer_states) != 0:
                raise RuntimeError(
                    "A GradScaler instance may only be pickled at the beginning "
                    "of an iteration, or at the end after scaler.update()."
                )
            # the tensors are stored as plain numbers, as PyTorch
            state["_init_scale"] = self.get_scale()
            state["_init_growth_tracker"] = self._get_growth_tracker()
            state["_scale"] = None
            state["_growth_tracker"] = None
        state["_per_optimizer_states"] = None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._per_optimizer_states = defaultdict(_refresh_per_optimizer_state)
