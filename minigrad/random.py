"""Seeded random number generators, one per device.

``manual_seed(seed)`` makes every later draw reproducible, on the CPU and on
the GPU alike: each device gets its own generator, seeded from ``seed``.
"""

from __future__ import annotations

from typing import Any

from minigrad.backend import Device, as_device, get_backend

__all__ = ["manual_seed", "seed", "initial_seed", "default_generator"]

_seed: int | None = None
_generators: dict[Device, Any] = {}


def manual_seed(seed: int) -> None:
    """Seed the generators of all devices (``minigrad.manual_seed(0)`` as ``torch.manual_seed``)."""
    global _seed
    if not isinstance(seed, int) or seed < 0:
        raise ValueError(f"manual_seed: seed must be a non-negative int, got {seed!r}")
    _seed = seed
    _generators.clear()


def seed() -> int:
    """Seed every generator from fresh OS entropy and return the seed used."""
    import secrets

    value = secrets.randbits(63)
    manual_seed(value)
    return value


def initial_seed() -> int | None:
    """The seed last given to :func:`manual_seed` (None while unseeded)."""
    return _seed


def default_generator(device: str | Device | None = None) -> Any:
    """The generator of ``device``, with NumPy ``Generator`` method names.

    Methods: ``random(size, dtype)``, ``standard_normal(size, dtype)``,
    ``integers(low, high, size, dtype)``, ``permutation(n)``.
    """
    dev = as_device(device)
    gen = _generators.get(dev)
    if gen is None:
        gen = _generators[dev] = get_backend(dev).generator(_seed, dev)
    return gen
