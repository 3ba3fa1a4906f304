"""Lazy conv and norm layers whose input size is read from the first input (torch.nn
LazyConv*, LazyConvTranspose*, LazyBatchNorm*, LazyInstanceNorm*).

As ember's LazyLinear: until the first forward the parameters (and running-stat buffers) are
empty placeholders; the first forward gives them their shapes, initialises them and turns the
module into its concrete class (`cls_to_become`), as torch does."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ... import _backend
from ...ops.creation import empty, zeros
from ..parameter import Parameter
from . import batchnorm as bn
from . import conv

__all__ = ["LazyConv1d", "LazyConv2d", "LazyConv3d", "LazyConvTranspose1d",
           "LazyConvTranspose2d", "LazyConvTranspose3d", "LazyBatchNorm1d", "LazyBatchNorm2d",
           "LazyBatchNorm3d", "LazyInstanceNorm1d", "LazyInstanceNorm2d", "LazyInstanceNorm3d"]


class LazyModuleMixin:
    """Shapes parameters from the first input, then becomes `cls_to_become`
    (torch.nn.modules.lazy.LazyModuleMixin). `_lazy` names the placeholders still unshaped."""

    cls_to_become: Any = None
    _lazy: set

    def has_uninitialized_params(self) -> bool:
        """Whether some parameter or buffer still waits for its shape."""
        return bool(self._lazy)

    def _placeholder(self, name: str, dtype: Any, buffer: bool = False) -> None:
        t = empty(0, dtype=dtype)
        if buffer:
            self.register_buffer(name, t)
        else:
            self.register_parameter(name, Parameter(t))
        self._lazy.add(name)

    def _materialize(self, name: str, shape: tuple) -> None:
        """Replace the placeholder `name` by an (uninitialised) tensor of `shape`."""
        old = getattr(self, name)
        t = empty(shape, dtype=old.dtype)
        if name in self._buffers:
            setattr(self, name, t)
        else:
            self.register_parameter(name, Parameter(t, old.requires_grad))
        self._lazy.discard(name)

    def initialize_parameters(self, input: Any) -> None:
        raise NotImplementedError

    def reset_parameters(self) -> None:
        if not self.has_uninitialized_params() and self._size() != 0:
            super().reset_parameters()

    def _load_from_state_dict(self, state_dict: Mapping, prefix: str, *args: Any) -> None:
        # a checkpoint gives the placeholders their shapes, so the values can be copied in
        for name in list(self._lazy):
            value = state_dict.get(prefix + name)
            if value is not None and hasattr(value, "shape"):
                self._materialize(name, tuple(value.shape))
        super()._load_from_state_dict(state_dict, prefix, *args)

    def forward(self, input: Any, *args: Any, **kwargs: Any) -> Any:
        self.initialize_parameters(input)
        if self.has_uninitialized_params():
            raise RuntimeError(f"module {self._get_name()} has not been fully initialized")
        self.__class__ = self.cls_to_become   # a plain concrete module from now on, as torch
        del self._lazy
        return self.forward(input, *args, **kwargs)


class _LazyConv(LazyModuleMixin):
    def __init__(self, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                 *rest: Any, dtype: Any = None, **kwargs: Any) -> None:
        # an empty _lazy and in_channels=0: the concrete __init__'s reset_parameters does nothing
        object.__setattr__(self, "_lazy", set())
        self.cls_to_become.__init__(self, 0, out_channels, kernel_size, stride, padding, *rest,
                                    dtype=dtype, **kwargs)
        self._lazy = set()
        self._placeholder("weight", dtype)
        if self.bias is not None:
            self._placeholder("bias", dtype)

    def _size(self) -> int:
        return self.in_channels

    def initialize_parameters(self, input: Any) -> None:
        if not self.has_uninitialized_params():
            return
        nd = self._nd
        if input.dim() not in (nd + 1, nd + 2):
            raise RuntimeError(
                f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to "
                f"{type(self).__name__}, but got input of size: {input.shape}")
        self.in_channels = input.shape[1] if input.dim() == nd + 2 else input.shape[0]
        if self.in_channels % self.groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        shape = ((self.in_channels, self.out_channels // self.groups) if self.transposed
                 else (self.out_channels, self.in_channels // self.groups)) + self.kernel_size
        if "weight" in self._lazy:
            self._materialize("weight", shape)
        if "bias" in self._lazy:
            self._materialize("bias", (self.out_channels,))
        self.reset_parameters()


class _LazyConvNd(_LazyConv):
    """torch's LazyConv{1,2,3}d signature."""

    def __init__(self, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                 dilation: Any = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None) -> None:
        super().__init__(out_channels, kernel_size, stride, padding, dilation, groups, bias,
                         padding_mode, device, dtype=dtype)


class _LazyConvTransposeNd(_LazyConv):
    """torch's LazyConvTranspose{1,2,3}d signature."""

    def __init__(self, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                 output_padding: Any = 0, groups: int = 1, bias: bool = True,
                 dilation: Any = 1, padding_mode: str = "zeros", device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__(out_channels, kernel_size, stride, padding, output_padding, groups,
                         bias, dilation, padding_mode, device, dtype=dtype)


class LazyConv1d(_LazyConvNd, conv.Conv1d):
    """A Conv1d whose in_channels is read from the first input (torch.nn.LazyConv1d)."""

    cls_to_become = conv.Conv1d


class LazyConv2d(_LazyConvNd, conv.Conv2d):
    """A Conv2d whose in_channels is read from the first input (torch.nn.LazyConv2d)."""

    cls_to_become = conv.Conv2d


class LazyConv3d(_LazyConvNd, conv.Conv3d):
    """A Conv3d whose in_channels is read from the first input (torch.nn.LazyConv3d)."""

    cls_to_become = conv.Conv3d


class LazyConvTranspose1d(_LazyConvTransposeNd, conv.ConvTranspose1d):
    """A ConvTranspose1d whose in_channels is read from the first input
    (torch.nn.LazyConvTranspose1d)."""

    cls_to_become = conv.ConvTranspose1d


class LazyConvTranspose2d(_LazyConvTransposeNd, conv.ConvTranspose2d):
    """A ConvTranspose2d whose in_channels is read from the first input
    (torch.nn.LazyConvTranspose2d)."""

    cls_to_become = conv.ConvTranspose2d


class LazyConvTranspose3d(_LazyConvTransposeNd, conv.ConvTranspose3d):
    """A ConvTranspose3d whose in_channels is read from the first input
    (torch.nn.LazyConvTranspose3d)."""

    cls_to_become = conv.ConvTranspose3d


class _LazyNorm(LazyModuleMixin):
    def __init__(self, eps: float, momentum: float | None, affine: bool, track: bool,
                 device: Any, dtype: Any, *, bias: bool) -> None:
        object.__setattr__(self, "_lazy", set())
        self.cls_to_become.__init__(self, 0, eps, momentum, False, False, device, dtype,
                                    bias=False)
        self.affine = affine
        self.track_running_stats = track
        if affine:
            self._placeholder("weight", dtype)
            if bias:
                self._placeholder("bias", dtype)
        if track:
            self._placeholder("running_mean", dtype, buffer=True)
            self._placeholder("running_var", dtype, buffer=True)
            self.register_buffer("num_batches_tracked", zeros((), dtype=_backend.int64))

    def _size(self) -> int:
        return self.num_features

    def initialize_parameters(self, input: Any) -> None:
        if not self.has_uninitialized_params():
            return
        self.num_features = input.shape[1]   # dim 1 even for unbatched input, as torch
        for name in list(self._lazy):
            self._materialize(name, (self.num_features,))
        self.reset_parameters()


class _LazyNormNd(_LazyNorm):
    """torch's LazyBatchNorm/LazyInstanceNorm signature."""

    def __init__(self, eps: float = 1e-5, momentum: float | None = 0.1, affine: bool = True,
                 track_running_stats: bool = True, device: Any = None, dtype: Any = None, *,
                 bias: bool = True) -> None:
        super().__init__(eps, momentum, affine, track_running_stats, device, dtype, bias=bias)


class LazyBatchNorm1d(_LazyNormNd, bn.BatchNorm1d):
    """A BatchNorm1d whose num_features is read from the first input
    (torch.nn.LazyBatchNorm1d)."""

    cls_to_become = bn.BatchNorm1d


class LazyBatchNorm2d(_LazyNormNd, bn.BatchNorm2d):
    """A BatchNorm2d whose num_features is read from the first input
    (torch.nn.LazyBatchNorm2d)."""

    cls_to_become = bn.BatchNorm2d


class LazyBatchNorm3d(_LazyNormNd, bn.BatchNorm3d):
    """A BatchNorm3d whose num_features is read from the first input
    (torch.nn.LazyBatchNorm3d)."""

    cls_to_become = bn.BatchNorm3d


class LazyInstanceNorm1d(_LazyNormNd, bn.InstanceNorm1d):
    """An InstanceNorm1d whose num_features is read from the first input
    (torch.nn.LazyInstanceNorm1d); affine and track_running_stats default to True, as torch."""

    cls_to_become = bn.InstanceNorm1d


class LazyInstanceNorm2d(_LazyNormNd, bn.InstanceNorm2d):
    """An InstanceNorm2d whose num_features is read from the first input
    (torch.nn.LazyInstanceNorm2d)."""

    cls_to_become = bn.InstanceNorm2d


class LazyInstanceNorm3d(_LazyNormNd, bn.InstanceNorm3d):
    """An InstanceNorm3d whose num_features is read from the first input
    (torch.nn.LazyInstanceNorm3d)."""

    cls_to_become = bn.InstanceNorm3d
