"""Where PyTorch code looks for backend switches: ``minigrad.backends.mps`` and
``minigrad.backends.cudnn``.

minigrad runs on NumPy (``cpu``) and CuPy (``cuda``) only, so Apple's MPS is never
available and cuDNN's flags are accepted but change nothing.
"""

from minigrad.backends import cudnn, mps

__all__ = ["cudnn", "mps"]
