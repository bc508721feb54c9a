"""Where PyTorch code looks for backend switches: ``minigrad.backends.mps``,
``minigrad.backends.cudnn`` and ``minigrad.backends.cuda``.

minigrad runs on NumPy (``cpu``) and CuPy (``cuda``) only, so Apple's MPS is never
available and cuDNN's flags are accepted but change nothing.
"""

from minigrad.backends import cuda, cudnn, mps

__all__ = ["cuda", "cudnn", "mps"]
