"""``minigrad.cpu``: the CPU device, as ``torch.cpu`` (``minigrad.cpu.amp.autocast`` is the
deprecated spelling of ``minigrad.amp.autocast('cpu', ...)``)."""

from __future__ import annotations

__all__ = ["is_available", "device_count", "synchronize"]


def is_available() -> bool:
    """Always True: the CPU is always there."""
    return True


def device_count() -> int:
    """1: minigrad sees the CPU as one device."""
    return 1


def synchronize() -> None:
    """Nothing to wait for: CPU operations finish before they return."""
