"""CUDA's math switches (``torch.backends.cuda``), accepted so PyTorch code runs unchanged.

``matmul.allow_tf32`` is the older spelling of :func:`minigrad.set_float32_matmul_precision`:
reading it gives ``precision != 'highest'``; setting True asks for ``'high'``, False for
``'highest'``. minigrad's products are full float32 either way (NumPy, CuPy's cuBLAS
calls without TF32), so neither changes a result.
"""

from __future__ import annotations

from minigrad import settings

__all__ = ["matmul"]


class _MatmulSettings:
    """``minigrad.backends.cuda.matmul``: the float32 matmul switches."""

    @property
    def allow_tf32(self) -> bool:
        """Whether float32 products may use TF32: the precision is not ``'highest'``."""
        return settings.get_float32_matmul_precision() != "highest"

    @allow_tf32.setter
    def allow_tf32(self, value: bool) -> None:
        settings.set_float32_matmul_precision("high" if value else "highest")

    def __repr__(self) -> str:
        return f"<minigrad.backends.cuda.matmul allow_tf32={self.allow_tf32}>"


#: The matmul switches: ``minigrad.backends.cuda.matmul.allow_tf32 = True``.
matmul = _MatmulSettings()
