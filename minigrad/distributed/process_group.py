"""The default process group: every process of an ``mpiexec`` job, through mpi4py.

mpi4py is imported when :func:`init_process_group` is called, never before:
importing ``mpi4py.MPI`` starts MPI, and minigrad without mpi4py works as usual.
"""

from __future__ import annotations

import importlib.util
from datetime import timedelta
from typing import Any

__all__ = [
    "is_available",
    "is_mpi_available",
    "init_process_group",
    "is_initialized",
    "destroy_process_group",
    "get_rank",
    "get_world_size",
    "get_backend",
]

INSTALL_HINT = (
    "pip install 'minigrad[distributed]' (or: pip install mpi4py mpich), then launch with "
    "mpiexec -n 2 python your_script.py"
)
NOT_INITIALIZED = (
    "Default process group has not been initialized, please make sure to call init_process_group."
)


class ProcessGroup:
    """All processes of the MPI job: ``rank`` in ``0 .. size - 1`` and an MPI communicator.

    The communicator is a duplicate of ``MPI.COMM_WORLD``, so minigrad's messages
    never mix with those of other MPI code in the same program.
    """

    def __init__(self, mpi: Any) -> None:
        self.MPI = mpi
        self.comm = mpi.COMM_WORLD.Dup()
        self.rank: int = self.comm.Get_rank()
        self.size: int = self.comm.Get_size()


_default_group: ProcessGroup | None = None


def is_available() -> bool:
    """Whether data-parallel training can run here: mpi4py is installed (it is not imported)."""
    return importlib.util.find_spec("mpi4py") is not None


def is_mpi_available() -> bool:
    """Whether the MPI backend is available (the same as :func:`is_available`)."""
    return is_available()


def _import_mpi() -> Any:
    try:
        from mpi4py import MPI
    except ImportError as error:
        raise RuntimeError(
            f"minigrad.distributed needs mpi4py, which is not installed: {INSTALL_HINT}"
        ) from error
    except RuntimeError as error:  # mpi4py is there, an MPI library is not
        raise RuntimeError(
            f"mpi4py cannot load an MPI library ({error}): {INSTALL_HINT}"
        ) from error
    return MPI


def init_process_group(
    backend: str | None = None,
    init_method: str | None = None,
    timeout: timedelta | None = None,
    world_size: int = -1,
    rank: int = -1,
) -> None:
    """Join the default process group: all the processes started by ``mpiexec``.

    Rank and world size come from MPI (``world_size`` and ``rank``, if given,
    must agree with them). ``"mpi"`` is the only backend; ``init_method`` and
    ``timeout`` are accepted for PyTorch code and not used (MPI's launcher
    connects the processes). A script started without ``mpiexec`` is a group
    of one process.
    """
    global _default_group
    if backend is not None and str(backend).lower() != "mpi":
        raise ValueError(
            f"minigrad.distributed has one backend, 'mpi' (MPI through mpi4py), got "
            f"backend={backend!r}; launch the script with mpiexec"
        )
    if _default_group is not None:
        raise ValueError("trying to initialize the default process group twice!")
    group = ProcessGroup(_import_mpi())
    for name, given, actual in (("world_size", world_size, group.size), ("rank", rank, group.rank)):
        if given != -1 and given != actual:
            group.comm.Free()
            raise ValueError(
                f"init_process_group: {name}={given} but MPI says {actual} (mpiexec sets "
                f"the ranks and the world size; leave {name} out)"
            )
    _default_group = group


def is_initialized() -> bool:
    """Whether :func:`init_process_group` has been called (and not undone)."""
    return _default_group is not None


def default_group(group: Any = None) -> ProcessGroup:
    """The default process group; an error before :func:`init_process_group`."""
    if group is not None:
        raise ValueError("minigrad.distributed has only the default process group: pass group=None")
    if _default_group is None:
        raise ValueError(NOT_INITIALIZED)
    return _default_group


def destroy_process_group(group: Any = None) -> None:
    """Leave the default process group (MPI itself stays up until the program ends, so
    :func:`init_process_group` may be called again)."""
    global _default_group
    default_group(group).comm.Free()
    _default_group = None


def get_rank(group: Any = None) -> int:
    """This process's rank, from ``0`` to ``world_size - 1``."""
    return default_group(group).rank


def get_world_size(group: Any = None) -> int:
    """The number of processes in the group."""
    return default_group(group).size


def get_backend(group: Any = None) -> str:
    """The backend of the group: ``"mpi"``."""
    default_group(group)
    return "mpi"
