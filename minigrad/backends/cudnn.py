"""cuDNN's switches (``torch.backends.cudnn``), accepted so PyTorch code runs unchanged.

minigrad's GPU backend is CuPy; it does not pick cuDNN algorithms, so setting
``benchmark``, ``deterministic`` or ``enabled`` changes nothing.
"""

__all__ = ["enabled", "benchmark", "deterministic", "allow_tf32", "is_available", "version"]

enabled = True
benchmark = False
deterministic = False
allow_tf32 = True


def is_available() -> bool:
    """Whether cuDNN is used: always False (minigrad computes through CuPy)."""
    return False


def version() -> None:
    """cuDNN's version: None, as PyTorch returns when cuDNN is not available."""
    return None
