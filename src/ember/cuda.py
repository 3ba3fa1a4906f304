"""`ember.cuda`: what PyTorch programs ask before choosing a device. ember runs on the CPU in
this build, so `is_available()` is False and code like
`device = "cuda" if torch.cuda.is_available() else "cpu"` picks the CPU."""

from __future__ import annotations

import sys

from .amp import _cuda_amp as amp

sys.modules[__name__ + ".amp"] = amp   # `from torch.cuda.amp import GradScaler, autocast` works


def is_available() -> bool:
    return False


def device_count() -> int:
    return 0


def manual_seed(seed: int) -> None:
    """Seeds the (absent) CUDA generators: a no-op, as in a CPU-only torch build."""


def manual_seed_all(seed: int) -> None:
    """Seeds the (absent) CUDA generators: a no-op, as in a CPU-only torch build."""


def _no_cuda(name: str) -> RuntimeError:
    return RuntimeError(
        f"ember.cuda.{name}(): no CUDA device: ember runs on the CPU (NumPy) in this build; "
        "check ember.cuda.is_available() first")


def current_device() -> int:
    raise _no_cuda("current_device")


def synchronize(device: object = None) -> None:
    raise _no_cuda("synchronize")


def get_device_name(device: object = None) -> str:
    raise _no_cuda("get_device_name")
