"""``DistributedDataParallel``: one model replica per process, gradients averaged over processes.

Data parallelism: ``p`` processes (``mpiexec -n p``) each hold the whole model
and take their own share of every global batch (a ``DistributedSampler``).
After ``loss.backward()`` every parameter's ``.grad`` is the average over the
processes, so the optimizers take the same step everywhere and the replicas
stay identical::

    dist.init_process_group(backend="mpi")
    model = DistributedDataParallel(mlp)       # rank 0's weights are copied to every process
    loss = F.cross_entropy(model(xb), yb)      # xb: this process's share of the batch
    loss.backward()                            # .grad = mean over processes of d loss / d w
    opt.step()

The gradients travel in a few large *buckets* (flat tensors of up to
``bucket_cap_mb`` MiB) rather than one message per parameter: a bucket is
all-reduced as soon as the gradients of all its parameters are ready, which a
hook on each parameter reports (``Tensor.register_post_accumulate_grad_hook``).
Buckets hold the parameters in reverse order (the order in which backward
produces their gradients) and are all-reduced in the same order on every process.
"""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import Iterator
from typing import Any

import minigrad
from minigrad import distributed as dist
from minigrad.tensor import Tensor

from .module import Module
from .parameter import Parameter

__all__ = ["DistributedDataParallel"]

_MIB = 1 << 20

UNUSED_PARAMETERS_ERROR = (
    "Expected to have finished reduction in the prior iteration before starting a new one. "
    "This error indicates that your module has parameters that were not used in producing "
    "loss. You can enable unused parameter detection by passing the keyword argument "
    "`find_unused_parameters=True` to `minigrad.nn.parallel.DistributedDataParallel`, and by "
    "making sure all `forward` function outputs participate in calculating loss."
)


class _Bucket:
    """Parameters of one device and dtype whose gradients travel together in ``flat``.

    ``flat`` holds the gradients one after another; with ``count_users`` one more
    entry per parameter says whether this process used it (1) or not (0).
    """

    def __init__(self, params: list[Parameter], count_users: bool) -> None:
        self.params = params
        self.slices: list[tuple[int, int]] = []
        start = 0
        for p in params:
            self.slices.append((start, start + p.numel()))
            start += p.numel()
        self.numel = start
        extra = len(params) if count_users else 0
        first = params[0]
        self.flat = minigrad.zeros(start + extra, dtype=first.dtype, device=first.device)
        self.count_users = count_users
        self.ready: set[int] = set()  # positions of the parameters whose gradient is ready
        self.used: set[int] = set()  # ... and of those that got a gradient in this backward

    @property
    def complete(self) -> bool:
        return len(self.ready) == len(self.params)

    def all_reduce(self) -> None:
        """Average the gradients of the bucket's parameters over the processes, in place."""
        flat = self.flat
        with minigrad.no_grad():
            for i, (p, (start, end)) in enumerate(zip(self.params, self.slices, strict=True)):
                if i in self.used and p.grad is not None:
                    flat[start:end] = p.grad.reshape(-1)
                else:
                    flat[start:end] = 0.0  # a parameter this process did not use adds nothing
                if self.count_users:
                    flat[self.numel + i] = 1.0 if i in self.used else 0.0
            dist.all_reduce(flat, op=dist.ReduceOp.AVG)
            users = flat[self.numel :].tolist() if self.count_users else [1.0] * len(self.params)
            for p, (start, end), share in zip(self.params, self.slices, users, strict=True):
                if share == 0:
                    continue  # no process used it: its .grad stays as it is, as PyTorch's
                average = flat[start:end].reshape(p.shape)
                if p.grad is None:
                    p.grad = average.clone()
                else:
                    p.grad.copy_(average)
        self.ready.clear()
        self.used.clear()


def _nbytes(params: list[Parameter]) -> int:
    return sum(p.numel() * p.dtype.itemsize for p in params)


def _buckets(params: list[Parameter], cap_bytes: int, count_users: bool) -> list[_Bucket]:
    """Group ``params`` (in reverse order) by device and dtype into buckets of at most
    ``cap_bytes`` (a bigger parameter gets a bucket of its own)."""
    groups: dict[tuple[str, Any], list[list[Parameter]]] = {}
    order: list[list[Parameter]] = []
    for p in reversed(params):
        open_buckets = groups.setdefault((str(p.device), p.dtype), [])
        current = open_buckets[-1] if open_buckets else None
        if current is None or _nbytes(current) + _nbytes([p]) > cap_bytes:
            current = []
            open_buckets.append(current)
            order.append(current)
        current.append(p)
    return [_Bucket(bucket, count_users) for bucket in order]


def _broadcast_coalesced(tensors: list[Tensor], src: int) -> None:
    """Copy rank ``src``'s ``tensors`` to every process: one broadcast per device and dtype."""
    groups: dict[tuple[str, Any], list[Tensor]] = {}
    for t in tensors:
        groups.setdefault((str(t.device), t.dtype), []).append(t)
    with minigrad.no_grad():
        for group in groups.values():
            flat = minigrad.cat([t.detach().reshape(-1) for t in group])
            dist.broadcast(flat, src)
            if dist.get_rank() == src:
                continue
            start = 0
            for t in group:
                t.copy_(flat[start : start + t.numel()].reshape(t.shape))
                start += t.numel()


def _tensors_in(value: Any) -> Iterator[Tensor]:
    """The tensors in a forward's output (a tensor, or lists, tuples and dicts of them)."""
    if isinstance(value, Tensor):
        yield value
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _tensors_in(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _tensors_in(item)


def _leaves_reached(outputs: Any) -> set[int]:
    """``id`` of every leaf tensor from which the graph of ``outputs`` starts.

    Walks ``grad_fn.next_functions``; a leaf appears there as an ``AccumulateGrad``
    node whose ``variable`` is the leaf, as in PyTorch.
    """
    leaves: set[int] = set()
    stack, seen = [], set()
    for t in _tensors_in(outputs):
        if t.grad_fn is None:
            leaves.add(id(t))
        else:
            stack.append(t.grad_fn)
    while stack:
        fn = stack.pop()
        if id(fn) in seen:
            continue
        seen.add(id(fn))
        for child, _ in fn.next_functions:
            if child is None:
                continue
            variable = getattr(child, "variable", None)
            if variable is not None:
                leaves.add(id(variable))
            else:
                stack.append(child)
    return leaves


class DistributedDataParallel(Module):
    """Wrap ``module`` so that backward averages its gradients over all processes
    (``torch.nn.parallel.DistributedDataParallel``, on MPI).

    At construction rank 0's parameters and buffers are copied to every process
    (after checking that every process has a model of the same shapes). In each
    backward, ``param.grad`` becomes ``(1/p) · Σ_r param.grad_r``, the mean over
    the ``p`` processes, computed by all-reducing buckets of gradients.

    Args:
        module: the model, already on its device (move it before wrapping it).
        device_ids: accepted for PyTorch code (``[local_rank]``): the one device
            of ``module``; checked against it.
        output_device: accepted for PyTorch code; the outputs stay where the module puts them.
        broadcast_buffers: copy rank 0's buffers to every process at each forward.
        process_group: only the default group (``None``).
        bucket_cap_mb: largest bucket in MiB (default 25, as PyTorch).
        find_unused_parameters: find, at each forward, the parameters the output
            does not depend on, and count them as ready; without it such a
            parameter makes the next forward raise an error (PyTorch's).
        init_sync: copy rank 0's parameters and buffers at construction (default True).

    ``ddp.module`` is the wrapped model; ``ddp.state_dict()`` keys start with
    ``module.`` (as PyTorch's: save ``ddp.module.state_dict()`` for plain keys).
    Within ``with ddp.no_sync():`` backward only accumulates local gradients
    (gradient accumulation); the first backward after it averages the total.
    """

    def __init__(
        self,
        module: Module,
        device_ids: list[Any] | None = None,
        output_device: Any = None,
        broadcast_buffers: bool = True,
        process_group: Any = None,
        bucket_cap_mb: float | None = None,
        find_unused_parameters: bool = False,
        init_sync: bool = True,
    ) -> None:
        super().__init__()
        if not isinstance(module, Module):
            raise TypeError(
                f"DistributedDataParallel wraps a minigrad.nn.Module, got {type(module).__name__}"
            )
        if process_group is not None:
            raise ValueError("DistributedDataParallel: only the default process group (None)")
        dist.get_world_size()  # an error before init_process_group
        self.module = module
        self.broadcast_buffers = broadcast_buffers
        self.find_unused_parameters = find_unused_parameters
        self.require_backward_grad_sync = True
        self._check_devices(device_ids)
        self._check_same_model()
        if init_sync:
            _broadcast_coalesced(list(module.parameters()) + list(module.buffers()), src=0)
        named = [(n, p) for n, p in module.named_parameters() if p.requires_grad]
        self._param_names = {id(p): n for n, p in named}
        cap = int((25 if bucket_cap_mb is None else bucket_cap_mb) * _MIB)
        self._buckets = _buckets([p for _, p in named], cap, find_unused_parameters)
        self._where = {
            id(p): (b, i)
            for b, bucket in enumerate(self._buckets)
            for i, p in enumerate(bucket.params)
        }
        self._expect_hooks = False  # this forward's backward should average the gradients
        self._hooks_fired = False
        self._next_bucket = 0
        me = weakref.ref(self)  # the hooks must not keep the wrapper alive

        def on_grad_ready(param: Tensor) -> None:
            ddp = me()
            if ddp is not None:
                ddp._mark_ready(param, used=True)

        self._hook_handles = [p.register_post_accumulate_grad_hook(on_grad_ready) for _, p in named]

    # ------------------------------------------------------------------ construction checks
    def _check_devices(self, device_ids: list[Any] | None) -> None:
        if device_ids is None:
            return
        if len(device_ids) != 1:
            raise ValueError("device_ids must hold the one device of the module, e.g. [local_rank]")
        wanted = minigrad.device(
            device_ids[0] if not isinstance(device_ids[0], int) else f"cuda:{device_ids[0]}"
        )
        for name, p in self.module.named_parameters():
            if p.device != wanted:
                raise ValueError(
                    f"device_ids={device_ids} but parameter {name!r} is on {p.device}: move the "
                    f"module first (module.to({str(wanted)!r}))"
                )

    def _check_same_model(self) -> None:
        mine = [(n, tuple(p.shape), str(p.dtype)) for n, p in self.module.named_parameters()]
        everyone: list[Any] = [None] * dist.get_world_size()
        dist.all_gather_object(everyone, mine)
        for rank, theirs in enumerate(everyone):
            if theirs != everyone[0]:
                raise RuntimeError(
                    f"DDP expects same model across all ranks, but rank {rank} has parameters "
                    f"{theirs} while rank 0 has {everyone[0]}"
                )

    # ------------------------------------------------------------------ forward
    def forward(self, *inputs: Any, **kwargs: Any) -> Any:
        """Run the wrapped module; prepare its backward to average the gradients."""
        self._check_previous_reduction()
        if self.broadcast_buffers:
            buffers = list(self.module.buffers())
            if buffers:
                _broadcast_coalesced(buffers, src=0)
        self._expect_hooks = minigrad.is_grad_enabled() and self.require_backward_grad_sync
        output = self.module(*inputs, **kwargs)
        if self._expect_hooks and self.find_unused_parameters:
            reached = _leaves_reached(output)
            for bucket in self._buckets:
                for p in bucket.params:
                    if id(p) not in reached:
                        self._mark_ready(p, used=False)
        return output

    @contextlib.contextmanager
    def no_sync(self) -> Iterator[None]:
        """Inside, forward+backward only accumulate the local gradients (no communication);
        the first synchronised backward after it averages the accumulated gradients."""
        previous = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = previous

    # ------------------------------------------------------------------ the reducer
    def _mark_ready(self, param: Tensor, used: bool) -> None:
        if not self._expect_hooks:
            return  # a backward of a forward in no_sync() or without grad: local only
        b, i = self._where[id(param)]
        bucket = self._buckets[b]
        if used:
            self._hooks_fired = True
            bucket.used.add(i)
        bucket.ready.add(i)
        if not self._hooks_fired:
            return  # marked unused at forward time: the buckets go out during backward
        # Buckets go out in index order on every process, so the all-reduces always match.
        while self._next_bucket < len(self._buckets):
            if not self._buckets[self._next_bucket].complete:
                return
            self._buckets[self._next_bucket].all_reduce()
            self._next_bucket += 1
        self._finish_iteration()

    def _finish_iteration(self) -> None:
        self._expect_hooks = False
        self._hooks_fired = False
        self._next_bucket = 0
        for bucket in self._buckets:
            bucket.ready.clear()
            bucket.used.clear()

    def _check_previous_reduction(self) -> None:
        if not (self._expect_hooks and self._hooks_fired):
            self._finish_iteration()  # no backward since the last forward: nothing was sent
            return
        missing = [
            self._param_names[id(p)]
            for bucket in self._buckets
            for i, p in enumerate(bucket.params)
            if i not in bucket.ready
        ]
        self._finish_iteration()
        raise RuntimeError(
            f"{UNUSED_PARAMETERS_ERROR}\nParameters which did not receive grad for rank "
            f"{dist.get_rank()}: {', '.join(missing)}"
        )

    def extra_repr(self) -> str:
        sizes = ", ".join(str(b.numel) for b in self._buckets)
        return f"world_size={dist.get_world_size()}, buckets of {sizes} gradients"
