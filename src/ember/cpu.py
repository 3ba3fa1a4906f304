"""`ember.cpu` (torch.cpu): the CPU device module learners query, and `ember.cpu.amp`."""

from __future__ import annotations

import sys

from .amp import _cpu_amp as amp

__all__ = ["amp", "current_device", "device_count", "is_available", "is_initialized",
           "synchronize"]

sys.modules[__name__ + ".amp"] = amp   # `from torch.cpu.amp import autocast` works


def is_available() -> bool:
    """Always True (torch.cpu.is_available)."""
    return True


def is_initialized() -> bool:
    """Always True (torch.cpu.is_initialized)."""
    return True


def device_count() -> int:
    """1 (torch.cpu.device_count)."""
    return 1


def current_device() -> str:
    """'cpu' (torch.cpu.current_device)."""
    return "cpu"


def synchronize(device: object = None) -> None:
    """Waits for the CPU: a no-op (torch.cpu.synchronize)."""
