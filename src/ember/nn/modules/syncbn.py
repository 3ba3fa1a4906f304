"""SyncBatchNorm (torch.nn.SyncBatchNorm): batch norm whose training statistics span every rank.

With a process group of world size > 1 and the module training, each rank's per-channel count,
mean and centred sum of squares are all-gathered and combined (Chan's parallel formula, stable
where a raw sum of squares would cancel; ranks may hold different batch sizes, even empty ones),
the running stats get the global unbiased variance, and backward all-reduces the two per-channel
gradient sums, so each rank's input gradient equals that of one BatchNorm over the concatenated
batch. As in torch, weight and bias gradients stay per rank (DistributedDataParallel sums them).
Otherwise (one process, no group, or eval) it is plain batch norm. torch runs the synchronised
path only on GPUs; ember runs it on the CPU over MPI."""

from __future__ import annotations

from typing import Any

import numpy as np

from ... import distributed as dist
from ..._tensor import Tensor, _make
from ...autograd.function import Function
from ...ops import norm as F
from ..module import Module
from .batchnorm import _BatchNorm

__all__ = ["SyncBatchNorm"]


class _SyncBatchNormFn(Function):
    """Forward/backward of batch norm in training across the ranks of the default group."""

    _raw = True
    _name = "SyncBatchNormBackward"

    @staticmethod
    def forward(ctx: Any, x: Any, w: Any, b: Any, rm: Any, rv: Any, eps: float,
                momentum: float, world_size: int) -> Any:
        c = x.shape[1]
        axes = (0,) + tuple(range(2, x.ndim))
        cshape = (1, c) + (1,) * (x.ndim - 2)
        n = x.size // c
        local = np.zeros((3, c))   # count, mean, centred sum of squares (float64)
        if n:
            mean = np.mean(x, axis=axes, dtype=np.float64)
            local[0] = n
            local[1] = mean
            local[2] = np.sum(np.square(x - np.reshape(mean, cshape)), axis=axes)
        gathered = [_make(np.empty_like(local)) for _ in range(world_size)]
        dist.all_gather(gathered, _make(local))
        stats = np.stack([t._data for t in gathered])
        counts, means, m2s = stats[:, 0], stats[:, 1], stats[:, 2]
        total = int(round(float(np.sum(counts[:, 0]))))
        if total <= 1:
            raise ValueError(f"SyncBatchNorm: Expected more than 1 value per channel when "
                             f"training, got {total} over all {world_size} ranks (input size "
                             f"{list(x.shape)} on this rank)")
        mean = np.sum(counts * means, axis=0) / total
        var = np.sum(m2s + counts * np.square(means - mean), axis=0) / total
        if rm is not None:   # running stats in place, with the unbiased global variance
            rm *= 1 - momentum
            rm += momentum * mean
        if rv is not None:
            rv *= 1 - momentum
            rv += momentum * var * (total / (total - 1))
        rstd = np.reshape(1.0 / np.sqrt(var + eps), cshape).astype(x.dtype, copy=False)
        xhat = (x - np.reshape(mean, cshape).astype(x.dtype, copy=False)) * rstd
        ctx.axes, ctx.cshape, ctx.total, ctx.xhat, ctx.rstd = axes, cshape, total, xhat, rstd
        ctx.save_for_backward(w)
        y = xhat if w is None else xhat * np.reshape(w, cshape)
        return y if b is None else y + np.reshape(b, cshape)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        if isinstance(g, Tensor):
            raise RuntimeError("SyncBatchNorm: double backward (create_graph=True) across "
                               "processes is not supported; differentiate once, or use "
                               "BatchNorm in a single process")
        (w,) = ctx.saved_tensors
        axes, cshape, xhat = ctx.axes, ctx.cshape, ctx.xhat
        needs = ctx.needs_input_grad
        gx = gw = gb = None
        if needs[0]:
            gh = g if w is None else g * np.reshape(w, cshape)
            sums = np.stack([np.sum(gh, axis=axes), np.sum(gh * xhat, axis=axes)])
            dist.all_reduce(_make(sums))
            mean_gh = np.reshape(sums[0] / ctx.total, cshape)
            mean_ghx = np.reshape(sums[1] / ctx.total, cshape)
            gx = ctx.rstd * (gh - mean_gh - xhat * mean_ghx)
        if w is not None and needs[1]:
            gw = np.sum(g * xhat, axis=axes)
        if needs[2]:
            gb = np.sum(g, axis=axes)
        return gx, gw, gb, None, None, None, None, None


class SyncBatchNorm(_BatchNorm):
    """Batch normalisation of (N, C, *) with statistics over all ranks (torch.nn.SyncBatchNorm)."""

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True,
                 process_group: Any = None, device: Any = None, dtype: Any = None, *,
                 bias: bool = True) -> None:
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype,
                         bias=bias)
        self.process_group = process_group

    def _check_input_dim(self, input: Tensor) -> None:
        if input.dim() < 2:
            raise ValueError(f"expected at least 2D input (got {input.dim()}D input, shape "
                             f"{list(input.shape)}; SyncBatchNorm normalises (N, C, *))")

    def forward(self, input: Tensor) -> Tensor:
        self._check_input_dim(input)
        if input.size(1) == 0:
            raise ValueError("SyncBatchNorm number of input channels should be non-zero (got "
                             f"input shape {list(input.shape)})")
        running_mean, running_var, bn_training, factor = self._step()
        world_size = 1
        if self.training and dist.is_available() and dist.is_initialized():
            world_size = dist.get_world_size(self.process_group or None)
        if world_size == 1:
            return F.batch_norm(input, running_mean, running_var, self.weight, self.bias,
                                bn_training, factor, self.eps)
        if not input.is_floating_point():
            raise RuntimeError(f"SyncBatchNorm: expected a floating-point input, got dtype "
                               f"{input.dtype}")
        for name, t in (("running_mean", running_mean), ("running_var", running_var),
                        ("weight", self.weight), ("bias", self.bias)):
            F._check_channels("SyncBatchNorm", name, t, input.shape[1])
        return _SyncBatchNormFn.apply(input, self.weight, self.bias, running_mean, running_var,
                                      self.eps, factor, world_size)

    @classmethod
    def convert_sync_batchnorm(cls, module: Module, process_group: Any = None) -> Module:
        """Every BatchNorm*d in `module` replaced by a SyncBatchNorm sharing its parameters and
        buffers (torch.nn.SyncBatchNorm.convert_sync_batchnorm)."""
        module_output = module
        if isinstance(module, _BatchNorm):
            module_output = SyncBatchNorm(module.num_features, module.eps, module.momentum,
                                          module.affine, module.track_running_stats,
                                          process_group, bias=module.bias is not None)
            if module.affine:
                module_output.weight = module.weight
                module_output.bias = module.bias
            module_output.running_mean = module.running_mean
            module_output.running_var = module.running_var
            module_output.num_batches_tracked = module.num_batches_tracked
            module_output.training = module.training
            if hasattr(module, "qconfig"):
                module_output.qconfig = module.qconfig
        for name, child in module.named_children():
            module_output.add_module(name, cls.convert_sync_batchnorm(child, process_group))
        return module_output
