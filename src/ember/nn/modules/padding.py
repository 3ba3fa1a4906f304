"""Padding layers (torch.nn.ZeroPad2d, ConstantPad*, ReflectionPad*, ReplicationPad*,
CircularPad*): thin Modules over ember.nn.functional.pad."""

from __future__ import annotations

from typing import Any

from ..._tensor import Tensor
from ...ops.nn_ops import pad
from ..module import Module

__all__ = [f"{kind}Pad{n}d" for kind in ("Zero", "Constant", "Reflection", "Replication",
                                         "Circular") for n in (1, 2, 3)]


def _padding(padding: Any, n: int) -> tuple:
    if isinstance(padding, int):
        return (padding,) * (2 * n)
    padding = tuple(padding)
    if len(padding) != 2 * n:
        raise ValueError(f"Padding for a {n}d pad layer must be an int or a tuple of {2 * n} "
                         f"ints, got {padding}")
    return padding


class _PadNd(Module):
    _nd = 0
    _mode = "constant"

    def __init__(self, padding: Any) -> None:
        super().__init__()
        self.padding = _padding(padding, self._nd)

    def forward(self, input: Tensor) -> Tensor:
        return pad(input, self.padding, self._mode)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    def __init__(self, padding: Any, value: float) -> None:
        super().__init__(padding)
        self.value = value

    def forward(self, input: Tensor) -> Tensor:
        return pad(input, self.padding, "constant", self.value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


def _make_classes() -> None:
    g = globals()
    for n in (1, 2, 3):
        g[f"ConstantPad{n}d"] = type(f"ConstantPad{n}d", (_ConstantPadNd,), {
            "_nd": n, "__doc__": f"Pad the last {n} dims with a constant "
                                 f"(torch.nn.ConstantPad{n}d)."})

        def zero_init(self: Any, padding: Any) -> None:
            _ConstantPadNd.__init__(self, padding, 0.0)

        g[f"ZeroPad{n}d"] = type(f"ZeroPad{n}d", (_ConstantPadNd,), {
            "_nd": n, "__init__": zero_init, "extra_repr": _PadNd.extra_repr,
            "__doc__": f"Pad the last {n} dims with zeros (torch.nn.ZeroPad{n}d)."})
        for kind, mode in (("Reflection", "reflect"), ("Replication", "replicate"),
                           ("Circular", "circular")):
            g[f"{kind}Pad{n}d"] = type(f"{kind}Pad{n}d", (_PadNd,), {
                "_nd": n, "_mode": mode,
                "__doc__": f"Pad the last {n} dims, mode {mode!r} (torch.nn.{kind}Pad{n}d)."})
    for name in __all__:
        g[name].__module__ = __name__
        g[name].__qualname__ = name


_make_classes()
