"""Several processes training together, as ``torch.distributed``, on MPI (through mpi4py).

Launch the same script in ``p`` processes with ``mpiexec -n p python train.py``;
in the script::

    import minigrad.distributed as dist
    dist.init_process_group(backend="mpi")     # rank and world size come from MPI
    rank, world = dist.get_rank(), dist.get_world_size()
    dist.all_reduce(t, op=dist.ReduceOp.SUM)   # t is now the sum over the processes

The collectives (:func:`all_reduce`, :func:`broadcast`, :func:`all_gather`,
:func:`reduce`, :func:`gather`, :func:`scatter`, :func:`barrier`) must be
called by every process, in the same order. ``minigrad.nn.parallel.
DistributedDataParallel`` averages gradients with them, and
``minigrad.utils.data.DistributedSampler`` gives each process its share of
the data. mpi4py is optional and imported only by :func:`init_process_group`:
``pip install 'minigrad[distributed]'`` installs it with an MPI library
(the ``mpich`` wheel, which puts ``mpiexec`` next to ``python``).
"""

from .collectives import (
    ReduceOp,
    Work,
    all_gather,
    all_gather_object,
    all_reduce,
    barrier,
    broadcast,
    gather,
    reduce,
    scatter,
)
from .process_group import (
    destroy_process_group,
    get_backend,
    get_rank,
    get_world_size,
    init_process_group,
    is_available,
    is_initialized,
    is_mpi_available,
)

__all__ = [
    "ReduceOp",
    "Work",
    "all_gather",
    "all_gather_object",
    "all_reduce",
    "barrier",
    "broadcast",
    "destroy_process_group",
    "gather",
    "get_backend",
    "get_rank",
    "get_world_size",
    "init_process_group",
    "is_available",
    "is_initialized",
    "is_mpi_available",
    "reduce",
    "scatter",
]
