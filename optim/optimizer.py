"""The :class:`Optimizer` base class of the PyTorch-style optimizers.

An optimizer holds *parameter groups* (``param_groups``: a list of dicts, each
with its ``'params'`` and its hyper-parameters) and per-parameter *state*
(``state[p]``: a dict of arrays and numbers). :meth:`Optimizer.step` computes
each parameter's step with the algorithm's update rule — a function of
:mod:`minigrad.optim._functional` — and subtracts it from every parameter that
has a gradient, in the parameter's own memory (``p.sub_``).

The usual training loop::

    opt = minigrad.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    for x, y in batches:
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
"""

from __future__ import annotations

import copy
import functools
import numbers
import warnings
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, ClassVar

import minigrad
from minigrad.backend import backend_of, get_array_module

from ._flat import FlatGroup
from ._functional import compute_step
from ._state import OptimizerState, ParamState
from ._storage import array_of, as_tensor_view, is_array, subtract_

if TYPE_CHECKING:
    from minigrad import Tensor

__all__ = ["Optimizer", "ParamsT", "constructor_arguments"]

ParamsT = Iterable["Tensor"] | Iterable[tuple[str, "Tensor"]] | Iterable[dict[str, Any]]
Array = Any
StateDict = dict[str, Any]
Check = Callable[[str, Any], None]

# PyTorch's names for hyper-parameters in its error messages ("Invalid learning rate: -1").
_LABELS = {"lr": "learning rate", "eps": "epsilon value"}


def _track_step(step: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap ``step`` so that learning-rate schedulers can tell it has been called, and run
    the step hooks around it (once, around the outermost call)."""

    @functools.wraps(step)
    def wrapper(self: Optimizer, *args: Any, **kwargs: Any) -> Any:
        self._opt_called = True
        hooks = self.__dict__.get("_step_hooks")
        if not hooks or self.__dict__.get("_in_hooked_step"):
            return step(self, *args, **kwargs)
        pre, post = hooks
        call_args = (self, *args)  # as PyTorch, the hooks see the optimizer in ``args``
        for hook in list(pre.values()):
            result = hook(self, call_args, kwargs)
            if result is not None:
                if not (isinstance(result, tuple) and len(result) == 2):
                    raise RuntimeError(
                        f"{hook} must return None or a tuple of (new_args, new_kwargs), "
                        f"but got {result}."
                    )
                call_args, kwargs = result
        self._in_hooked_step = True
        try:
            out = step(*call_args, **kwargs)
        finally:
            self._in_hooked_step = False
        for hook in list(post.values()):
            hook(self, call_args, kwargs)
        return out

    return wrapper


def _add_hook(registry: dict[int, Any], hook: Callable[..., Any]) -> Any:
    """Put ``hook`` in ``registry``; return its :class:`~minigrad.nn.hooks.RemovableHandle`."""
    from minigrad.nn.hooks import RemovableHandle  # type: ignore[import-not-found]

    handle = RemovableHandle(registry)
    registry[handle.id] = hook
    return handle


#: PyTorch's switches of how a step runs (``foreach``, ``fused``) or is recorded
#: (``differentiable``, ``capturable``); not arguments of the update rules.
_IMPLEMENTATION_FLAGS = {
    "foreach": None,
    "fused": None,
    "differentiable": False,
    "capturable": False,
}


def _check_implementation_flags(group: dict[str, Any]) -> None:
    """PyTorch's checks of ``fused``/``foreach``, then what minigrad cannot do.

    ``foreach`` and ``fused`` pick one of PyTorch's kernels (a loop, multi-tensor ops, one
    fused kernel); minigrad has one implementation (a group's parameters stepped as flat
    buffers when it can, see ``_flat.py``), so both are accepted and computed the same.
    ``differentiable=True`` (an update recorded by autograd) and ``capturable=True``
    (state on the device for CUDA-graph capture) raise NotImplementedError.
    """
    if group.get("fused"):
        if group.get("differentiable"):
            raise RuntimeError("`fused` does not support `differentiable`")
        if group.get("foreach"):
            raise RuntimeError("`fused` and `foreach` cannot be `True` together.")
    if group.get("differentiable"):
        raise NotImplementedError(
            "differentiable=True is not supported: minigrad's optimizer steps update the "
            "parameters in place outside autograd, so no gradient flows through a step"
        )
    if group.get("capturable"):
        raise NotImplementedError(
            "capturable=True is not supported: minigrad has no CUDA graphs to capture a step "
            "into (PyTorch refuses it on the CPU too)"
        )


def _label(name: str) -> str:
    return _LABELS.get(name, f"{name} value")


def _check_number(name: str, value: Any) -> float:
    if isinstance(value, minigrad.Tensor) and value.numel() == 1:
        value = value.item()  # a 1-element tensor hyper-parameter (``lr=minigrad.tensor(0.1)``)
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    return float(value)


def nonnegative(name: str, value: Any) -> None:
    """Raise ``ValueError("Invalid <label>: <value>")`` unless ``value >= 0`` (PyTorch's check)."""
    if not 0.0 <= _check_number(_label(name), value):
        raise ValueError(f"Invalid {_label(name)}: {value} (must be >= 0)")


def in_unit_interval(name: str, value: Any) -> None:
    """Raise ``ValueError("Invalid <label>: <value>")`` unless ``0 <= value <= 1`` (Adadelta)."""
    if not 0.0 <= _check_number(_label(name), value) <= 1.0:
        raise ValueError(f"Invalid {_label(name)}: {value} (must be in [0, 1])")


def pair_of_numbers(name: str, pair: Any) -> tuple[float, float]:
    """A pair of real numbers (Rprop's ``etas`` and ``step_sizes``), else an error."""
    if not isinstance(pair, (tuple, list)) or len(pair) != 2:
        raise ValueError(f"{name} must be a pair of numbers, got {pair!r}")
    first, second = (_check_number(f"{name}[{i}]", value) for i, value in enumerate(pair))
    return first, second


def betas_in_unit_interval(name: str, betas: Any) -> None:
    """Adam's ``betas``: a pair of numbers in [0, 1)."""
    if not isinstance(betas, (tuple, list)) or len(betas) != 2:
        raise ValueError(f"{name} must be a pair (beta1, beta2), got {betas!r}")
    for index, beta in enumerate(betas):
        if not 0.0 <= _check_number(f"beta parameter at index {index}", beta) < 1.0:
            raise ValueError(f"Invalid beta parameter at index {index}: {beta} (must be in [0, 1))")


def constructor_arguments(arguments: dict[str, Any]) -> dict[str, Any]:
    """The hyper-parameters among a constructor's ``locals()``: all but ``self`` and ``params``.

    A subclass's signature is then the one place that names its hyper-parameters
    and their defaults: ``super().__init__(params, constructor_arguments(locals()))``.
    """
    return {k: v for k, v in arguments.items() if k not in ("self", "params", "__class__")}


def _plain(value: Any) -> Any:
    """A hyper-parameter as the rules take it: Python floats and bools (pairs stay pairs)."""
    if type(value) is float or type(value) is bool:
        return value
    if isinstance(value, (tuple, list)):
        return tuple(_plain(v) for v in value)
    return float(value)


def _check_grad(p: Tensor, grad: Array) -> None:
    """A clear error when a gradient does not fit its parameter."""
    param = array_of(p)
    if grad.shape != param.shape or grad.dtype != param.dtype:
        raise ValueError(
            f"gradient ({grad.dtype}, shape {tuple(grad.shape)}) does not match its "
            f"parameter ({param.dtype}, shape {tuple(param.shape)})"
        )
    if type(grad) is not type(param):
        raise ValueError(
            f"gradient on {backend_of(grad).device_type} but its parameter on "
            f"{p.device}: move the gradient to the parameter's device"
        )


def _check_state(p: Tensor, state: dict[str, Any] | None) -> None:
    """A clear error when a parameter moved to another device after its state was made."""
    entries = state.raw_items() if isinstance(state, ParamState) else (state or {}).items()
    for name, value in entries:
        if is_array(value) and type(value) is not type(array_of(p)):
            raise RuntimeError(
                f"optimizer state {name!r} is on {backend_of(value).device_type} but its "
                f"parameter on {p.device}: move the model before creating the optimizer, or "
                "move the state with opt.load_state_dict(opt.state_dict())"
            )


def _params_list(params: Any) -> list[Any]:
    """``params`` as a list, refusing a lone tensor and (unordered) sets as PyTorch does."""
    if isinstance(params, minigrad.Tensor):
        raise TypeError(
            "params argument given to the optimizer should be an iterable of Tensors "
            f"or dicts, but got {type(params).__name__}; wrap a single tensor in a list"
        )
    if isinstance(params, (set, frozenset)):
        raise TypeError(
            "optimizer parameters need to be organized in ordered collections, but the "
            "ordering of tensors in sets will change between runs. Please use a list instead."
        )
    return list(params)


class Optimizer:
    r"""Base class of the PyTorch-style optimizers.

    Args:
        params: an iterable of tensors to optimize (``model.parameters()``), of
            ``(name, tensor)`` pairs (``model.named_parameters()``; the names are
            kept as ``group['param_names']``), or of dicts defining parameter
            groups (``{'params': [...], 'lr': ...}``); hyper-parameters missing
            from a group take the optimizer's defaults.
        defaults: the default hyper-parameters.

    Attributes:
        defaults: the default hyper-parameters.
        param_groups: list of dicts, each with ``'params'`` (a list of tensors)
            and every hyper-parameter; schedulers change ``group['lr']`` here.
        state: ``state[p]`` is the dict of parameter ``p``'s running state
            (backend arrays and numbers), created on its first update.

    Subclasses set :attr:`_update_rule` (a function of
    :mod:`minigrad.optim._functional`, whose keyword arguments are the
    hyper-parameters) and :attr:`_constraints` (a check per hyper-parameter);
    :meth:`step` is shared and does, in effect:

    .. code-block:: text

        for each group:
            for each p in group['params'] with p.grad not None:
                step = rule(p, p.grad, state[p], **group hyper-parameters)
                p.sub_(step)                      (in place, under no_grad)

    A group whose parameters with gradients share dtype, device and state
    layout runs this as one call of the rule on flat buffers (see
    ``_flat.py``): the same arithmetic.
    """

    _update_rule: ClassVar[Callable[..., Array] | None] = None
    _constraints: ClassVar[dict[str, Check]] = {"lr": nonnegative}
    #: Whether the rule reads θ whatever the weight decay (ASGD's decay term and average).
    _reads_params: ClassVar[bool] = False
    #: Whether ``state[p]`` shows numbers (``step``) as 0-d tensors, as PyTorch's state does.
    _tensor_numbers: ClassVar[bool] = True
    #: The state entries that are numbers (0-d tensors in a state dict), not arrays.
    _number_states: ClassVar[frozenset[str]] = frozenset({"step"})
    _opt_called: bool = False
    _in_hooked_step: bool = False
    _step_hooks: tuple[dict[int, Any], dict[int, Any]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "step" in cls.__dict__:
            cls.step = _track_step(cls.__dict__["step"])  # type: ignore[method-assign]

    def __init__(self, params: ParamsT, defaults: dict[str, Any]) -> None:
        self.defaults = dict(defaults)
        self._validate_group(self.defaults)
        self.state = OptimizerState(tensor_numbers=self._tensor_numbers)
        self.param_groups: list[dict[str, Any]] = []
        self._flat_groups: dict[int, FlatGroup] = {}  # group index -> its buffers

        param_groups = _params_list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for group in param_groups:
            self.add_param_group(group)

    # ------------------------------------------------------------ per-algorithm hooks
    def _validate_group(self, group: dict[str, Any]) -> None:
        """Raise a clear error if a hyper-parameter of ``group`` is invalid."""
        _check_implementation_flags(group)
        lr = group.get("lr")
        if isinstance(lr, minigrad.Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        for name, check in self._constraints.items():
            check(name, group[name])

    def _init_state(self, param: Tensor, group: dict[str, Any]) -> None:
        """Create the state of a newly added parameter (most algorithms do it lazily)."""

    # ------------------------------------------------------------------ groups
    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a parameter group (a dict with ``'params'`` and optional hyper-parameters).

        Useful for fine-tuning: parameters frozen so far can join training with
        their own learning rate. Missing hyper-parameters take the defaults.
        ``'params'`` may hold tensors or ``(name, tensor)`` pairs (all or none
        named, in every group); the names go to ``param_group['param_names']``.
        """
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        if "params" not in param_group:
            raise ValueError("param_group must have a 'params' entry")
        params = param_group["params"]
        entries = [params] if isinstance(params, minigrad.Tensor) else _params_list(params)
        names = [entry[0] for entry in entries if isinstance(entry, tuple)]
        params = [entry[1] if isinstance(entry, tuple) else entry for entry in entries]
        if names and len(names) != len(params):
            raise ValueError(
                "all optimizer params should be with/without names. Some param names are missing"
            )
        for param in params:
            if not isinstance(param, minigrad.Tensor):
                raise TypeError(
                    f"optimizer can only optimize Tensors, but one of the params is "
                    f"{type(param).__name__}"
                )
            if not (param.is_leaf or param.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
        if len({id(p) for p in params}) != len(params):
            warnings.warn(
                "optimizer contains a parameter group with duplicate parameters; "
                "in future, this will cause an error; each copy is updated at every step",
                UserWarning,
                stacklevel=3,
            )
        existing: set[int] = set()
        for group in self.param_groups:
            existing.update(id(p) for p in group["params"])
            if bool(names) != ("param_names" in group):
                raise ValueError(
                    "all optimizer param groups should be with/without names. cannot add param "
                    f"group {'with' if names else 'without'} names to the optimizer"
                )
        if not existing.isdisjoint(id(p) for p in params):
            raise ValueError("some parameters appear in more than one parameter group")

        # As in PyTorch, the group dict itself becomes the optimizer's group.
        param_group["params"] = params
        if names:
            param_group["param_names"] = names
        for name, default in self.defaults.items():
            param_group.setdefault(name, default)
        self._validate_group(param_group)
        self.param_groups.append(param_group)
        for param in params:
            self._init_state(param, param_group)

    # ------------------------------------------------------------------ step hooks
    def _step_hook_registries(self) -> tuple[dict[int, Any], dict[int, Any]]:
        hooks = self.__dict__.get("_step_hooks")
        if hooks is None:
            hooks = self._step_hooks = ({}, {})
        return hooks

    def register_step_pre_hook(self, hook: Callable[..., Any]) -> Any:
        """Call ``hook(optimizer, args, kwargs)`` before every :meth:`step`, where ``args``
        starts with the optimizer (``(opt,)`` for ``opt.step()``, as PyTorch); it may return
        ``(new_args, new_kwargs)`` to replace the step's arguments. Returns a handle whose
        ``remove()`` unregisters the hook."""
        return _add_hook(self._step_hook_registries()[0], hook)

    def register_step_post_hook(self, hook: Callable[..., Any]) -> Any:
        """Call ``hook(optimizer, args, kwargs)`` after every :meth:`step`, with the arguments
        the step ran with (its return value is ignored). Returns a handle whose ``remove()``
        unregisters the hook."""
        return _add_hook(self._step_hook_registries()[1], hook)

    # ------------------------------------------------------------------ stepping
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of all optimized tensors.

        With ``set_to_none=True`` (the default) ``p.grad`` becomes None, and the
        next :meth:`step` skips parameters that got no new gradient; with
        ``False`` the gradients are filled with zeros in place.
        """
        for group in self.param_groups:
            for p in group["params"]:
                grad = p.grad
                if grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    with minigrad.no_grad():
                        grad.zero_()

    @_track_step
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Perform one optimization step: update every parameter that has a gradient.

        Args:
            closure: optional callable that re-evaluates the model (zero the
                gradients, compute the loss, call ``backward()``) and returns the
                loss; it is called before the update and its result returned.

        Parameters whose ``.grad`` is None are skipped (their state is not
        touched). Each parameter is updated in its own memory, through
        ``p.sub_`` (so its version counter moves).
        """
        loss = None
        if closure is not None:
            with minigrad.enable_grad():
                loss = closure()
        rule = type(self)._update_rule
        if rule is None:
            raise NotImplementedError(f"{type(self).__name__} does not define an update rule")
        for index, group in enumerate(self.param_groups):
            hyper = {
                name: _plain(group[name])
                for name in self.defaults
                if name not in _IMPLEMENTATION_FLAGS
            }
            stepped = [p for p in group["params"] if p.grad is not None]
            flat = self._flat_group(index, stepped)
            if flat is not None:  # the group's parameters with gradients in one call
                reads = self._reads_params or hyper.get("weight_decay")
                param = flat.gather_params() if reads else None
                rule(param, flat.gather_grads(), flat.state, out=flat.step, **hyper)
                flat.publish()
                flat.apply_step()
                continue
            # Parameters stepped one by one can drift apart (step counts): rebuild later.
            self._flat_groups.pop(index, None)
            for p in stepped:  # all checked first: a bad gradient changes nothing
                _check_grad(p, array_of(p.grad))
                _check_state(p, self.state.get(p))
            for p in stepped:
                step = self._step_one(rule, p, hyper)
                subtract_([p], [step])
        return loss

    def _step_one(self, rule: Any, p: Tensor, hyper: dict[str, Any]) -> Array:
        """The step of one parameter; the rule works on its state's stored arrays and numbers
        (or on a plain dict that the user put in ``state[p]``)."""
        state = self.state[p]
        if isinstance(state, ParamState):
            entries = dict(state.raw_items())
        else:  # a user's dict, maybe of tensors: the rule gets their arrays (and numbers)
            entries = {name: self._stored(name, value) for name, value in state.items()}
        grad = array_of(p.grad)  # type: ignore[arg-type]  # (stepped: it has one)
        step = compute_step(rule, array_of(p), grad, entries, **hyper)
        for name, value in entries.items():
            if isinstance(state, ParamState):
                state.publish(name, value)
            elif not (
                isinstance(state.get(name), minigrad.Tensor)
                and self._stored(name, state[name]) is value
            ):
                state[name] = value  # (a new entry, or a number the rule moved on)
        return step

    def _stored(self, name: str, value: Any) -> Any:
        """A state entry as the rules take it: a tensor's array, or a number entry's number."""
        if not isinstance(value, minigrad.Tensor):
            return value
        return value.item() if name in self._number_states and value.ndim == 0 else array_of(value)

    def _flat_group(self, index: int, params: list[Tensor]) -> FlatGroup | None:
        """Contiguous buffers for ``params`` (group ``index``'s parameters that have a
        gradient), (re)built when possible; None to step them one by one.

        Possible when each has a gradient of its own dtype, shape and device, and
        they share dtype, device and state layout (e.g. the same step count). A
        frozen parameter (no gradient) does not stop the others being flat.
        """
        flat = self._flat_groups.get(index)
        if flat is not None and flat.matches(params, self.state):
            return flat
        if not FlatGroup.can_flatten(params, self.state):
            return None
        flat = self._flat_groups[index] = FlatGroup(params, self.state)
        return flat

    # ------------------------------------------------------------------ saving
    def state_dict(self) -> StateDict:
        """The optimizer's state as a dict, in PyTorch's format.

        .. code-block:: text

            {'state': {0: {'step': 3, 'exp_avg': Tensor, ...}, 1: {...}},
             'param_groups': [{'lr': 0.01, ..., 'params': [0, 1]}, ...]}

        Parameters are replaced by their index in the order of
        ``param_groups``; only parameters that have state appear in ``'state'``.
        The tensors are copies: training on does not change a saved state dict.
        """
        index_of: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {k: copy.deepcopy(v) for k, v in group.items() if k != "params"}
            for p in group["params"]:
                index_of.setdefault(id(p), len(index_of))
            packed["params"] = [index_of[id(p)] for p in group["params"]]
            groups.append(packed)
        state: dict[int, dict[str, Any]] = {}
        for group in self.param_groups:
            for p in group["params"]:
                if p in self.state and self.state[p]:
                    state[index_of[id(p)]] = {
                        name: self._export_value(value) for name, value in self.state[p].items()
                    }
        return {"state": state, "param_groups": groups}

    @staticmethod
    def _export_value(value: Any) -> Any:
        """A state entry for a state dict: arrays become tensors holding a copy."""
        if is_array(value):
            return as_tensor_view(value.copy())
        return copy.deepcopy(value)

    def load_state_dict(self, state_dict: StateDict) -> None:
        """Load a state dict saved by :meth:`state_dict` of an optimizer of the same kind.

        The saved groups must match this optimizer's groups in number and size
        (parameters are matched by position). State tensors are copied onto the
        device and dtype of their parameter; hyper-parameters (including ``lr``)
        are taken from the state dict.
        """
        if not isinstance(state_dict, dict) or not {"state", "param_groups"} <= state_dict.keys():
            raise ValueError(
                "expected a state dict with 'state' and 'param_groups' entries "
                "(as returned by Optimizer.state_dict())"
            )
        saved_groups = copy.deepcopy(list(state_dict["param_groups"]))
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(
                f"loaded state dict has a different number of parameter groups "
                f"({len(saved_groups)}) than the optimizer ({len(self.param_groups)})"
            )
        for index, (group, saved) in enumerate(zip(self.param_groups, saved_groups, strict=True)):
            if len(group["params"]) != len(saved.get("params", ())):
                raise ValueError(
                    f"loaded state dict contains a parameter group that doesn't match the size "
                    f"of optimizer's group: group {index} has {len(saved.get('params', ()))} "
                    f"parameters in the state dict and {len(group['params'])} in the optimizer"
                )
            for name in _IMPLEMENTATION_FLAGS.keys() & self.defaults.keys():
                saved.setdefault(name, _IMPLEMENTATION_FLAGS[name])  # saved without them
            missing = set(self.defaults) - saved.keys()
            if missing:
                raise ValueError(
                    f"loaded parameter group {index} lacks the hyper-parameters "
                    f"{sorted(missing)} of {type(self).__name__}; was the state dict saved "
                    f"from a different kind of optimizer?"
                )
        param_of = {
            saved_id: p
            for group, saved in zip(self.param_groups, saved_groups, strict=True)
            for saved_id, p in zip(saved["params"], group["params"], strict=True)
        }
        new_state = OptimizerState(tensor_numbers=self._tensor_numbers)
        for saved_id, saved_state in state_dict["state"].items():
            if saved_id not in param_of:
                raise ValueError(f"state dict has state for unknown parameter index {saved_id!r}")
            p = param_of[saved_id]
            new_state[p] = ParamState(
                new_state.edits,
                {name: self._import_value(value, p, name) for name, value in saved_state.items()},
                tensor_numbers=self._tensor_numbers,
            )
        new_groups = []
        for group, saved in zip(self.param_groups, saved_groups, strict=True):
            saved["params"] = group["params"]
            if "param_names" in group and "param_names" not in saved:
                saved["param_names"] = group["param_names"]
            self._validate_group(saved)
            new_groups.append(saved)
        self.state = new_state
        self.param_groups = new_groups

    def _import_value(self, value: Any, param: Tensor, name: str) -> Any:
        """A state entry copied onto ``param``'s device (floating arrays take its dtype); a
        number entry (``step``, ...: a 0-d tensor in a state dict) as its Python number."""
        if name in self._number_states and hasattr(value, "item") and value.ndim == 0:
            return value.item()
        array = Optimizer._import_array(value, param)
        if array is None:
            return copy.deepcopy(value)
        if tuple(array.shape) != tuple(param.shape):
            raise ValueError(
                f"state {name!r} of shape {tuple(array.shape)} does not match its parameter "
                f"of shape {tuple(param.shape)}"
            )
        return array

    @staticmethod
    def _import_array(value: Any, param: Tensor) -> Array | None:
        """A copy of the tensor or array ``value`` on ``param``'s device (floating values take
        its dtype), of any shape; None if ``value`` is neither."""
        if is_array(value):
            value = as_tensor_view(value)
        if not isinstance(value, minigrad.Tensor):
            return None
        array = array_of(value.detach().to(param.device))
        xp = get_array_module(array_of(param))
        dtype = param.dtype if array.dtype.kind in "fc" else array.dtype
        return xp.array(array, dtype=dtype, copy=True)

    def __getstate__(self) -> dict[str, Any]:
        # A copy (copy.deepcopy, pickle) of the parameters' views is no view of a copied
        # buffer: the copy builds its own buffers at its first step.
        return {**self.__dict__, "_flat_groups": {}}

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for index, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {index}")
            for key in sorted(k for k in group if k != "params"):
                lines.append(f"    {key}: {group[key]}")
        lines.append(")")
        return "\n".join(lines)
