"""`nn.DataParallel` and `nn.parallel.data_parallel` as torch's behave on a machine without a GPU:
ember has no CUDA devices, so DataParallel keeps the module, sets `device_ids` to [] (whatever
was asked) and its forward is the module's forward; state_dict keys carry the `module.` prefix."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..module import Module

__all__ = ["DataParallel", "data_parallel"]


class DataParallel(Module):
    """Single-device data parallelism wrapper (torch.nn.DataParallel, with no GPU available)."""

    def __init__(self, module: Module, device_ids: Sequence[Any] | None = None,
                 output_device: Any = None, dim: int = 0) -> None:
        super().__init__()
        # torch, finding no GPU, ignores device_ids, output_device and dim the same way
        self.module = module
        self.device_ids: list[Any] = []

    def forward(self, *inputs: Any, **kwargs: Any) -> Any:
        return self.module(*inputs, **kwargs)


def data_parallel(module: Module, inputs: Any, device_ids: Sequence[Any] | None = None,
                  output_device: Any = None, dim: int = 0, module_kwargs: Any = None) -> Any:
    """Runs module over inputs on device_ids (torch.nn.parallel.data_parallel): needs a GPU."""
    raise RuntimeError("device type could not be determined: nn.parallel.data_parallel needs a "
                       "GPU and ember runs on the CPU; call module(inputs) directly")
