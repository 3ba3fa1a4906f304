"""Convolution layers: Conv1d/2d/3d and ConvTranspose1d/2d/3d (as torch.nn)."""

from __future__ import annotations

import math
from typing import Any

from ...ops import conv as C
from ...ops.creation import empty
from ...ops.nn_ops import pad as F_pad
from .. import init
from ..module import Module
from ..parameter import Parameter

__all__ = ["Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d",
           "ConvTranspose3d"]

_MODES = ("zeros", "reflect", "replicate", "circular")


def _ntuple(v: Any, n: int) -> tuple:
    if isinstance(v, int):
        return (v,) * n
    v = tuple(v)
    return v * n if len(v) == 1 else v


class _ConvNd(Module):
    """Shared constructor, init and repr of the conv layers (torch.nn.modules.conv._ConvNd)."""

    _nd = 0
    transposed = False

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, dilation: Any = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None,
                 output_padding: Any = 0) -> None:
        super().__init__()
        nd = self._nd
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups != 0:
            raise ValueError("out_channels must be divisible by groups")
        kernel_size, stride, dilation = (_ntuple(v, nd) for v in (kernel_size, stride, dilation))
        if isinstance(padding, str):
            if padding not in ("valid", "same"):
                raise ValueError(f"Invalid padding string {padding!r}, should be one of "
                                 "{'valid', 'same'}")
            if padding == "same" and any(s != 1 for s in stride):
                raise ValueError("padding='same' is not supported for strided convolutions")
        else:
            padding = _ntuple(padding, nd)
        if padding_mode not in _MODES:
            raise ValueError(f"padding_mode must be one of {set(_MODES)}, but got "
                             f"padding_mode={padding_mode!r}")
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = kernel_size
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.transposed = self.transposed
        self.output_padding = _ntuple(output_padding, nd)
        self.groups = groups
        self.padding_mode = padding_mode
        # F.pad order (last dim first, each (left, right)) for the non-zeros padding modes
        if padding == "same":
            rev: list = []
            for d, k in zip(reversed(dilation), reversed(kernel_size)):
                total = d * (k - 1)
                rev += [total // 2, total - total // 2]
        elif padding == "valid":
            rev = [0, 0] * nd
        else:
            rev = [p for p in reversed(padding) for _ in range(2)]
        self._reversed_padding_repeated_twice = rev
        shape = ((in_channels, out_channels // groups) if self.transposed
                 else (out_channels, in_channels // groups)) + kernel_size
        self.weight = Parameter(empty(shape, device=device, dtype=dtype))
        if bias:
            self.bias = Parameter(empty(out_channels, device=device, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        # kaiming_uniform_(a=√5) is U(-1/√fan_in, 1/√fan_in); the bias gets the same bound
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            if fan_in != 0:
                bound = 1 / math.sqrt(fan_in)
                init.uniform_(self.bias, -bound, bound)

    def extra_repr(self) -> str:
        nd = len(self.kernel_size)
        s = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
             f"stride={self.stride}")
        padding = self.padding if isinstance(self.padding, str) else tuple(self.padding)
        if padding != (0,) * nd:
            s += f", padding={padding}"
        if self.dilation != (1,) * nd:
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * nd:
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s

    def _check_input(self, input: Any) -> None:
        """The layer's own message for a wrong rank or channel count (failure path only)."""
        nd = self._nd
        dims = "".join("DHW"[-nd:]) if nd > 1 else "L"
        if input.dim() not in (nd + 1, nd + 2):
            raise RuntimeError(
                f"{self._get_name()}: expected input of shape (N, C, {', '.join(dims)}) or "
                f"(C, {', '.join(dims)}) ({nd + 2}D batched or {nd + 1}D unbatched), got a "
                f"{input.dim()}D input of shape {tuple(input.shape)}"
                + (f"; it has no channel dim: this layer expects {self.in_channels} channel(s) "
                   f"at dim 1 of (N, C, {', '.join(dims)})"
                   + (" - add the batch and channel dims with x.unsqueeze(0).unsqueeze(0)"
                      if self.in_channels == 1 else "")
                   if input.dim() == nd else ""))
        cdim = input.dim() - nd - 1
        if input.shape[cdim] != self.in_channels:
            raise RuntimeError(
                f"{self._get_name()}({self.extra_repr()}): expected input with "
                f"{self.in_channels} channels (in_channels) at dim {cdim}, got "
                f"{input.shape[cdim]} channels in input of shape {tuple(input.shape)}")


class _Conv(_ConvNd):
    _fn: Any = None

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, dilation: Any = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, device, dtype)

    def _conv_forward(self, input: Any, weight: Any, bias: Any) -> Any:
        if self.padding_mode != "zeros":
            input = F_pad(input, self._reversed_padding_repeated_twice, self.padding_mode)
            return type(self)._fn(input, weight, bias, self.stride, 0, self.dilation,
                                  self.groups)
        return type(self)._fn(input, weight, bias, self.stride, self.padding, self.dilation,
                              self.groups)

    def forward(self, input: Any) -> Any:
        try:
            return self._conv_forward(input, self.weight, self.bias)
        except RuntimeError:
            self._check_input(input)
            raise


class Conv1d(_Conv):
    """1-D convolution over (N, C, L) (torch.nn.Conv1d)."""

    _nd = 1
    _fn = staticmethod(C.conv1d)


class Conv2d(_Conv):
    """2-D convolution over (N, C, H, W) (torch.nn.Conv2d)."""

    _nd = 2
    _fn = staticmethod(C.conv2d)


class Conv3d(_Conv):
    """3-D convolution over (N, C, D, H, W) (torch.nn.Conv3d)."""

    _nd = 3
    _fn = staticmethod(C.conv3d)


class _ConvTransposeNd(_ConvNd):
    transposed = True
    _fn: Any = None

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, output_padding: Any = 0, groups: int = 1, bias: bool = True,
                 dilation: Any = 1, padding_mode: str = "zeros", device: Any = None,
                 dtype: Any = None) -> None:
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for '
                             f"{self.__class__.__name__}")
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, device, dtype, output_padding)

    def _output_padding(self, input: Any, output_size: Any, stride: Any, padding: Any,
                        kernel_size: Any, num_spatial_dims: int, dilation: Any = None) -> tuple:
        """output_padding that makes the result output_size (torch's rules)."""
        if output_size is None:
            return self.output_padding
        has_batch_dim = input.dim() == num_spatial_dims + 2
        num_non_spatial = 2 if has_batch_dim else 1
        output_size = list(output_size)
        if len(output_size) == num_non_spatial + num_spatial_dims:
            output_size = output_size[num_non_spatial:]
        if len(output_size) != num_spatial_dims:
            raise ValueError(
                f"ConvTranspose{num_spatial_dims}D: for {input.dim()}D input, output_size must "
                f"have {num_spatial_dims} or {num_non_spatial + num_spatial_dims} elements "
                f"(got {len(output_size)})")
        sp = tuple(input.shape[-num_spatial_dims:])
        lo = [(sp[d] - 1) * stride[d] - 2 * padding[d]
              + (dilation[d] if dilation is not None else 1) * (kernel_size[d] - 1) + 1
              for d in range(num_spatial_dims)]
        hi = [m + stride[d] - 1 for d, m in enumerate(lo)]
        output_size = [int(s) for s in output_size]
        for size, a, b in zip(output_size, lo, hi):
            if not a <= size <= b:
                raise ValueError(
                    f"requested an output size of {output_size}, but valid sizes range from "
                    f"{lo} to {hi} (for an input of {list(sp)})")
        return tuple(s - a for s, a in zip(output_size, lo))

    def forward(self, input: Any, output_size: Any = None) -> Any:
        nd = self._nd
        if input.dim() not in (nd + 1, nd + 2):
            self._check_input(input)
        op = self._output_padding(input, output_size, self.stride, self.padding,
                                  self.kernel_size, nd, self.dilation)
        try:
            return type(self)._fn(input, self.weight, self.bias, self.stride, self.padding, op,
                                  self.groups, self.dilation)
        except RuntimeError:
            self._check_input(input)
            raise


class ConvTranspose1d(_ConvTransposeNd):
    """Transposed 1-D convolution over (N, C, L) (torch.nn.ConvTranspose1d)."""

    _nd = 1
    _fn = staticmethod(C.conv_transpose1d)


class ConvTranspose2d(_ConvTransposeNd):
    """Transposed 2-D convolution over (N, C, H, W) (torch.nn.ConvTranspose2d)."""

    _nd = 2
    _fn = staticmethod(C.conv_transpose2d)


class ConvTranspose3d(_ConvTransposeNd):
    """Transposed 3-D convolution over (N, C, D, H, W) (torch.nn.ConvTranspose3d)."""

    _nd = 3
    _fn = staticmethod(C.conv_transpose3d)
