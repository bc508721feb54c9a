"""Type aliases shared by the package (for readers and for mypy; nothing here runs code).

``Array`` is what a tensor stores: a ``numpy.ndarray`` on the CPU, a
``cupy.ndarray`` on ``cuda``. (The tests' strict stand-in for CuPy,
:class:`minigrad._strict.StrictArray`, imitates ``cupy.ndarray`` and is not
listed.) mypy checks the NumPy side exactly; CuPy counts as ``Any`` where it is
not installed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeAlias

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    import cupy

__all__ = ["Array", "DType", "HostArray"]

#: A host (NumPy) array of any dtype.
HostArray: TypeAlias = npt.NDArray[Any]
#: An array of either backend: NumPy or CuPy.
Array: TypeAlias = "HostArray | cupy.ndarray"
#: A dtype as minigrad stores it (minigrad.float32 is ``numpy.dtype('float32')``).
DType: TypeAlias = np.dtype[Any]
