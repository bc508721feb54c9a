"""Collective operations on tensors, as ``torch.distributed``'s (every process calls them).

Each call moves the tensor's values through MPI and writes the result into
the tensor in place (as an in-place op: its version counter goes up). CUDA
tensors travel through host memory: they are copied to the host, exchanged,
and copied back (the ``mpich`` wheel's MPI is not CUDA-aware).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from typing import Any

import numpy as np

from .process_group import ProcessGroup, default_group

__all__ = [
    "ReduceOp",
    "Work",
    "all_reduce",
    "broadcast",
    "all_gather",
    "reduce",
    "gather",
    "scatter",
    "barrier",
    "all_gather_object",
]


class ReduceOp(enum.Enum):
    """How :func:`all_reduce` and :func:`reduce` combine the processes' values, element-wise."""

    SUM = "SUM"
    AVG = "AVG"  #: the sum divided by the world size (floating-point tensors)
    PRODUCT = "PROD"
    MIN = "MIN"
    MAX = "MAX"
    BAND = "BAND"
    BOR = "BOR"
    BXOR = "BXOR"


class Work:
    """What an ``async_op=True`` call returns. minigrad's collectives are blocking: the
    operation has completed when the call returns, so :meth:`wait` returns at once."""

    def wait(self, timeout: Any = None) -> bool:
        """Wait for the operation (it is already done)."""
        return True

    def is_completed(self) -> bool:
        """Whether the operation has completed (always True)."""
        return True


def _done(async_op: bool) -> Work | None:
    return Work() if async_op else None


def _check_tensor(tensor: Any, name: str, caller: str) -> None:
    from minigrad.tensor import Tensor

    if not isinstance(tensor, Tensor):
        raise TypeError(f"{caller}: {name} must be a minigrad.Tensor, got {type(tensor).__name__}")


def _check_rank(group: ProcessGroup, rank: int, name: str, caller: str) -> int:
    if isinstance(rank, bool) or not isinstance(rank, int) or not 0 <= rank < group.size:
        raise ValueError(
            f"{caller}: {name}={rank!r} is not a rank of the group (ranks 0 .. {group.size - 1})"
        )
    return rank


def _mpi_op(group: ProcessGroup, op: ReduceOp, array: np.ndarray, caller: str) -> Any:
    if not isinstance(op, ReduceOp):
        raise TypeError(f"{caller}: op must be a minigrad.distributed.ReduceOp, got {op!r}")
    if op is ReduceOp.AVG:
        if array.dtype.kind not in "fc":
            raise ValueError(
                f"{caller}: ReduceOp.AVG needs a floating-point tensor, got {array.dtype}"
            )
        return group.MPI.SUM
    return getattr(group.MPI, op.value)


def host_array(tensor: Any) -> np.ndarray:
    """The tensor's values as a C-contiguous host array (its own memory when it can be)."""
    return np.ascontiguousarray(tensor.detach().cpu().numpy())


def store(tensor: Any, array: np.ndarray) -> None:
    """Write ``array`` into ``tensor`` in place (on the tensor's device)."""
    import minigrad

    with minigrad.no_grad():
        tensor.copy_(minigrad.from_numpy(array))


def all_reduce(
    tensor: Any, op: ReduceOp = ReduceOp.SUM, group: Any = None, async_op: bool = False
) -> Work | None:
    """Combine ``tensor`` over all processes with ``op``; every process gets the result in place.

    ``all_reduce(t)``: ``t = t_0 + t_1 + ... + t_{p-1}`` on every rank. Traffic
    per process: about ``2·N·(p-1)/p`` elements for ``N`` elements and ``p`` processes.
    """
    g = default_group(group)
    _check_tensor(tensor, "tensor", "all_reduce")
    buffer = host_array(tensor)
    g.comm.Allreduce(g.MPI.IN_PLACE, buffer, op=_mpi_op(g, op, buffer, "all_reduce"))
    if op is ReduceOp.AVG:
        buffer /= g.size
    store(tensor, buffer)
    return _done(async_op)


def broadcast(tensor: Any, src: int, group: Any = None, async_op: bool = False) -> Work | None:
    """Copy ``tensor`` of rank ``src`` into ``tensor`` of every other process."""
    g = default_group(group)
    _check_tensor(tensor, "tensor", "broadcast")
    _check_rank(g, src, "src", "broadcast")
    buffer = host_array(tensor)
    g.comm.Bcast(buffer, root=src)
    if g.rank != src:
        store(tensor, buffer)
    return _done(async_op)


def reduce(
    tensor: Any,
    dst: int,
    op: ReduceOp = ReduceOp.SUM,
    group: Any = None,
    async_op: bool = False,
) -> Work | None:
    """Combine ``tensor`` over all processes with ``op`` into ``tensor`` of rank ``dst``
    (the others' tensors are unchanged)."""
    g = default_group(group)
    _check_tensor(tensor, "tensor", "reduce")
    _check_rank(g, dst, "dst", "reduce")
    buffer = host_array(tensor)
    mpi_op = _mpi_op(g, op, buffer, "reduce")
    if g.rank == dst:
        g.comm.Reduce(g.MPI.IN_PLACE, buffer, op=mpi_op, root=dst)
        if op is ReduceOp.AVG:
            buffer /= g.size
        store(tensor, buffer)
    else:
        g.comm.Reduce(buffer, None, op=mpi_op, root=dst)
    return _done(async_op)


def _check_list(
    g: ProcessGroup, tensors: Sequence[Any] | None, like: Any, name: str, caller: str
) -> None:
    if tensors is None or len(tensors) != g.size:
        raise ValueError(
            f"{caller}: {name} must hold one tensor per process ({g.size}), got "
            f"{None if tensors is None else len(tensors)}"
        )
    for i, t in enumerate(tensors):
        _check_tensor(t, f"{name}[{i}]", caller)
        if tuple(t.shape) != tuple(like.shape) or t.dtype != like.dtype:
            raise ValueError(
                f"{caller}: {name}[{i}] has shape {tuple(t.shape)} and dtype {t.dtype}, but the "
                f"tensor has shape {tuple(like.shape)} and dtype {like.dtype}"
            )


def all_gather(
    tensor_list: list[Any], tensor: Any, group: Any = None, async_op: bool = False
) -> Work | None:
    """Every process's ``tensor``, in rank order, into ``tensor_list`` of every process."""
    g = default_group(group)
    _check_tensor(tensor, "tensor", "all_gather")
    _check_list(g, tensor_list, tensor, "tensor_list", "all_gather")
    send = host_array(tensor)
    received = np.empty((g.size, *send.shape), dtype=send.dtype)
    g.comm.Allgather(send, received)
    for target, values in zip(tensor_list, received, strict=True):
        store(target, values)
    return _done(async_op)


def gather(
    tensor: Any,
    gather_list: list[Any] | None = None,
    dst: int = 0,
    group: Any = None,
    async_op: bool = False,
) -> Work | None:
    """Every process's ``tensor``, in rank order, into ``gather_list`` of rank ``dst``
    (which only ``dst`` passes)."""
    g = default_group(group)
    _check_tensor(tensor, "tensor", "gather")
    _check_rank(g, dst, "dst", "gather")
    send = host_array(tensor)
    if g.rank != dst:
        if gather_list:
            raise ValueError(
                "Argument ``gather_list`` must NOT be specified on non-destination ranks."
            )
        g.comm.Gather(send, None, root=dst)
        return _done(async_op)
    if gather_list is None:
        raise ValueError("Argument ``gather_list`` must be specified on destination rank.")
    _check_list(g, gather_list, tensor, "gather_list", "gather")
    received = np.empty((g.size, *send.shape), dtype=send.dtype)
    g.comm.Gather(send, received, root=dst)
    for target, values in zip(gather_list, received, strict=True):
        store(target, values)
    return _done(async_op)


def scatter(
    tensor: Any,
    scatter_list: list[Any] | None = None,
    src: int = 0,
    group: Any = None,
    async_op: bool = False,
) -> Work | None:
    """Tensor ``i`` of ``scatter_list`` on rank ``src`` into ``tensor`` of rank ``i``
    (only ``src`` passes ``scatter_list``)."""
    g = default_group(group)
    _check_tensor(tensor, "tensor", "scatter")
    _check_rank(g, src, "src", "scatter")
    received = np.empty_like(host_array(tensor))
    if g.rank != src:
        if scatter_list:
            raise ValueError("Argument ``scatter_list`` must NOT be specified on non-source ranks.")
        g.comm.Scatter(None, received, root=src)
    else:
        if scatter_list is None:
            raise ValueError("Argument ``scatter_list`` must be specified on source rank.")
        _check_list(g, scatter_list, tensor, "scatter_list", "scatter")
        send = np.stack([host_array(t) for t in scatter_list])
        g.comm.Scatter(send, received, root=src)
    store(tensor, received)
    return _done(async_op)


def barrier(group: Any = None, async_op: bool = False) -> Work | None:
    """Wait until every process of the group has called ``barrier``."""
    default_group(group).comm.Barrier()
    return _done(async_op)


def all_gather_object(object_list: list[Any], obj: Any, group: Any = None) -> None:
    """Every process's ``obj`` (any picklable Python object), in rank order, into
    ``object_list`` (a list of ``world_size`` entries) of every process."""
    g = default_group(group)
    if len(object_list) != g.size:
        raise ValueError(
            f"all_gather_object: object_list must have one entry per process ({g.size}), "
            f"got {len(object_list)}"
        )
    object_list[:] = g.comm.allgather(obj)
