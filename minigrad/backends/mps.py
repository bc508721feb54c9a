"""Apple's Metal backend, which minigrad does not have (``torch.backends.mps``)."""

__all__ = ["is_available", "is_built"]


def is_available() -> bool:
    """Whether the MPS device can be used: always False (minigrad has ``cpu`` and ``cuda``),
    so ``"mps" if minigrad.backends.mps.is_available() else "cpu"`` picks ``cpu``."""
    return False


def is_built() -> bool:
    """Whether minigrad was built with MPS support: always False."""
    return False
