"""`ember.random`: the default generator's seeding and state (torch.random). ember runs on the
CPU, so `fork_rng` forks the CPU generator only, as a CPU-only torch build does."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator

from ._backend import Generator, default_generator
from .ops.creation import get_rng_state, initial_seed, manual_seed, seed, set_rng_state

__all__ = ["Generator", "default_generator", "fork_rng", "get_rng_state", "initial_seed",
           "manual_seed", "seed", "set_rng_state"]

_DEVICE_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve",
                 "fpga", "maia", "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia",
                 "privateuseone")


@contextlib.contextmanager
def fork_rng(devices: Iterable[int] | None = None, enabled: bool = True,
             _caller: str = "fork_rng", _devices_kw: str = "devices",
             device_type: str | None = None) -> Iterator[None]:
    """Restore the RNG state on exit from the block (torch.random.fork_rng)."""
    if device_type == "meta":
        yield
        return
    if device_type is not None and device_type not in _DEVICE_TYPES:
        raise RuntimeError(f"{_caller}(): expected one of {', '.join(_DEVICE_TYPES)} device "
                           f"type at start of device string: {device_type}")
    if not enabled:
        yield
        return
    if devices is not None and list(devices):
        raise AssertionError(f"{_caller}(): {_devices_kw}={list(devices)} names accelerator "
                             "devices, but ember runs on the CPU only (torch: Torch not compiled "
                             "with CUDA enabled)")
    state = get_rng_state()
    try:
        yield
    finally:
        set_rng_state(state)
