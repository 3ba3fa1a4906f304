"""Batch and instance normalisation layers (torch.nn.modules.batchnorm / instancenorm):
BatchNorm1d/2d/3d, InstanceNorm1d/2d/3d."""

from __future__ import annotations

import warnings
from typing import Any

from ... import _backend
from ..._tensor import Tensor
from ...ops import creation
from ...ops import norm as F
from ..module import Module
from ..parameter import Parameter

__all__ = ["BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "InstanceNorm1d", "InstanceNorm2d",
           "InstanceNorm3d"]


class _NormBase(Module):
    """Shared state of batch/instance norm: affine weight/bias, running stats buffers."""

    _dims: tuple = ()   # the accepted input ranks

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True, device: Any = None,
                 dtype: Any = None, *, bias: bool = True) -> None:
        super().__init__()
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        if affine:
            self.weight = Parameter(creation.ones(num_features, dtype=dtype))
            if bias:
                self.bias = Parameter(creation.zeros(num_features, dtype=dtype))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", creation.zeros(num_features, dtype=dtype))
            self.register_buffer("running_var", creation.ones(num_features, dtype=dtype))
            self.register_buffer("num_batches_tracked",
                                 creation.zeros((), dtype=_backend.int64))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            self.running_mean.zero_()
            self.running_var.fill_(1)
            self.num_batches_tracked.zero_()

    def reset_parameters(self) -> None:
        self.reset_running_stats()
        if self.affine:
            self.weight.data.fill_(1)
            if self.bias is not None:
                self.bias.data.zero_()

    def _check_input_dim(self, input: Tensor) -> None:
        d = input.dim()
        if d not in self._dims:
            want = " or ".join(f"{n}D" for n in self._dims)
            raise ValueError(f"{type(self).__name__}: expected {want} input (got {d}D input, "
                             f"shape {list(input.shape)})")

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, bias={self.bias is not None}, "
                f"track_running_stats={self.track_running_stats}")


class _BatchNorm(_NormBase):
    def forward(self, input: Tensor) -> Tensor:
        self._check_input_dim(input)
        running_mean, running_var, use_batch, factor = self._step()
        return F.batch_norm(input, running_mean, running_var, self.weight, self.bias,
                            use_batch, factor, self.eps)

    def _step(self) -> tuple[Any, Any, bool, float]:
        """Count this forward; the running stats to use or update, whether to normalise with
        the batch's stats, and the momentum factor (torch's _BatchNorm.forward preamble)."""
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked.add_(1)
            if self.momentum is None:   # cumulative moving average
                factor = 1.0 / float(self.num_batches_tracked.item())
        # batch stats in training, and in eval when there are no running stats
        use_batch = self.training or (self.running_mean is None and self.running_var is None)
        keep = not self.training or self.track_running_stats
        return (self.running_mean if keep else None, self.running_var if keep else None,
                use_batch, factor)


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of (N, C) or (N, C, L) (torch.nn.BatchNorm1d)."""

    _dims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of (N, C, H, W) (torch.nn.BatchNorm2d)."""

    _dims = (4,)


class BatchNorm3d(_BatchNorm):
    """Batch normalisation of (N, C, D, H, W) (torch.nn.BatchNorm3d)."""

    _dims = (5,)


class _InstanceNorm(_NormBase):
    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1,
                 affine: bool = False, track_running_stats: bool = False, device: Any = None,
                 dtype: Any = None, *, bias: bool = True) -> None:
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device,
                         dtype, bias=bias)

    def _norm(self, input: Tensor) -> Tensor:
        return F.instance_norm(input, self.running_mean, self.running_var, self.weight,
                               self.bias, self.training or not self.track_running_stats,
                               self.momentum if self.momentum is not None else 0.0, self.eps)

    def forward(self, input: Tensor) -> Tensor:
        self._check_input_dim(input)
        unbatched = self._dims[0]
        fdim = input.dim() - unbatched
        if input.shape[fdim] != self.num_features:
            if self.affine:
                raise ValueError(
                    f"{type(self).__name__}: expected input's size at dim={fdim} to match "
                    f"num_features ({self.num_features}), but got: {input.shape[fdim]} "
                    f"(input shape {list(input.shape)}).")
            warnings.warn(
                f"input's size at dim={fdim} does not match num_features. You can silence this "
                "warning by not passing in num_features, which is not used because "
                "affine=False", stacklevel=2)
        if input.dim() == unbatched:
            return self._norm(input.unsqueeze(0)).squeeze(0)
        return self._norm(input)


class InstanceNorm1d(_InstanceNorm):
    """Instance normalisation of (N, C, L) or (C, L) (torch.nn.InstanceNorm1d)."""

    _dims = (2, 3)


class InstanceNorm2d(_InstanceNorm):
    """Instance normalisation of (N, C, H, W) or (C, H, W) (torch.nn.InstanceNorm2d)."""

    _dims = (3, 4)


class InstanceNorm3d(_InstanceNorm):
    """Instance normalisation of (N, C, D, H, W) or (C, D, H, W) (torch.nn.InstanceNorm3d)."""

    _dims = (4, 5)
