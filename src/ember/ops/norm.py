"""Normalisation ops (torch.nn.functional): layer_norm, rms_norm, group_norm, batch_norm,
instance_norm, local_response_norm.

layer/rms/group/batch norm are each ONE fused raw Function with the standard hand-written
backward. Backward formulas use only operators and `np.*` functions, so they also run on Tensors
under `create_graph=True`; there the normalised input is recomputed from the saved input so the
second derivative sees its dependence on x (the first-order path reuses the forward's arrays)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._tensor import Tensor, _make
from ..autograd.function import Function
from .shape import cat

__all__ = ["layer_norm", "rms_norm", "group_norm", "batch_norm", "instance_norm",
           "local_response_norm"]


def _check_float(op: str, x: np.ndarray) -> None:
    if x.dtype.kind != "f":
        raise RuntimeError(f"{op}: expected a floating-point input, got dtype {x.dtype} "
                           f"(\"{op}\" not implemented for integer or bool tensors)")


def _standardize(x: Any, axes: tuple, eps: float) -> tuple:
    """(x - mean) * rstd and rstd over `axes` (biased variance), keepdims."""
    xc = x - np.mean(x, axis=axes, keepdims=True)
    rstd = 1.0 / np.sqrt(np.mean(xc * xc, axis=axes, keepdims=True) + eps)
    return xc * rstd, rstd


def _norm_grad(gh: Any, xhat: Any, rstd: Any, axes: tuple) -> Any:
    """d/dx of xhat = (x - mean)·rstd, given gh = dL/dxhat:
    rstd·(gh - mean(gh) - xhat·mean(gh·xhat))."""
    return rstd * (gh - np.mean(gh, axis=axes, keepdims=True)
                   - xhat * np.mean(gh * xhat, axis=axes, keepdims=True))


def _normalized_shape(op: str, x: Tensor, normalized_shape: Any, sep: str) -> tuple:
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    k = len(shape)
    if k == 0 or x.dim() < k or tuple(x.shape[x.dim() - k:]) != shape:
        raise RuntimeError(
            f"{op}: Given normalized_shape={list(shape)}, expected input with shape "
            f"[*{sep}{', '.join(map(str, shape))}], but got input of size{list(x.shape)}")
    return shape


def _check_param(op: str, name: str, p: Any, shape: tuple) -> None:
    if p is not None and tuple(p.shape) != shape:
        raise RuntimeError(
            f"{op}: Expected {name} to be of same shape as normalized_shape, but got {name} of "
            f"shape {list(p.shape)} and normalized_shape = {list(shape)}")


# ----------------------------------------------------------------------------- layer_norm
class LayerNorm(Function):
    _raw = True
    _name = "NativeLayerNormBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any, w: Any, b: Any, k: int, eps: float) -> Any:
        _check_float("layer_norm", x)
        axes = tuple(range(x.ndim - k, x.ndim))
        xhat, rstd = _standardize(x, axes, eps)
        ctx.axes, ctx.lead, ctx.eps = axes, tuple(range(x.ndim - k)), eps
        ctx.xhat, ctx.rstd = xhat, rstd
        ctx.save_for_backward(x, w)
        y = xhat if w is None else xhat * w
        return y if b is None else y + b

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        x, w = ctx.saved_tensors
        axes, lead = ctx.axes, ctx.lead
        if isinstance(g, Tensor):
            xhat, rstd = _standardize(x, axes, ctx.eps)
        else:
            xhat, rstd = ctx.xhat, ctx.rstd
        needs = ctx.needs_input_grad
        gx = _norm_grad(g if w is None else g * w, xhat, rstd, axes) if needs[0] else None
        gw = np.sum(g * xhat, axis=lead) if needs[1] else None   # d(xhat·w)/dw = xhat
        gb = np.sum(g, axis=lead) if needs[2] else None
        return gx, gw, gb, None, None


def layer_norm(input: Tensor, normalized_shape: Any, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Layer normalisation over the trailing `normalized_shape` dims (F.layer_norm)."""
    shape = _normalized_shape("layer_norm", input, normalized_shape, ", ")
    _check_param("layer_norm", "weight", weight, shape)
    _check_param("layer_norm", "bias", bias, shape)
    return LayerNorm.apply(input, weight, bias, len(shape), eps)


# ----------------------------------------------------------------------------- rms_norm
class RMSNorm(Function):
    _raw = True
    _name = "RmsNormBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any, w: Any, k: int, eps: float) -> Any:
        _check_float("rms_norm", x)
        axes = tuple(range(x.ndim - k, x.ndim))
        r = 1.0 / np.sqrt(np.mean(x * x, axis=axes, keepdims=True) + eps)
        ctx.axes, ctx.lead, ctx.eps, ctx.r = axes, tuple(range(x.ndim - k)), eps, r
        ctx.save_for_backward(x, w)
        y = x * r
        return y if w is None else y * w

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        x, w = ctx.saved_tensors
        axes = ctx.axes
        r = (1.0 / np.sqrt(np.mean(x * x, axis=axes, keepdims=True) + ctx.eps)
             if isinstance(g, Tensor) else ctx.r)
        gx = gw = None
        if ctx.needs_input_grad[0]:   # d(x·r) = r·(gh - x·r²·mean(gh·x)), r = rsqrt(mean x² + eps)
            gh = g if w is None else g * w
            gx = r * (gh - x * (r * r) * np.mean(gh * x, axis=axes, keepdims=True))
        if ctx.needs_input_grad[1]:
            gw = np.sum(g * (x * r), axis=ctx.lead)
        return gx, gw, None, None


def rms_norm(input: Tensor, normalized_shape: Any, weight: Tensor | None = None,
             eps: float | None = None) -> Tensor:
    """Root-mean-square normalisation over the trailing dims (F.rms_norm); eps=None uses the
    dtype's machine epsilon, as torch."""
    shape = _normalized_shape("rms_norm", input, normalized_shape, "")
    _check_param("rms_norm", "weight", weight, shape)
    if eps is None:
        eps = float(np.finfo(input._data.dtype).eps) if input.is_floating_point() else 0.0
    return RMSNorm.apply(input, weight, len(shape), eps)


# ----------------------------------------------------------------------------- group_norm
class GroupNorm(Function):
    _raw = True
    _name = "NativeGroupNormBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any, w: Any, b: Any, groups: int, eps: float) -> Any:
        _check_float("group_norm", x)
        shape = x.shape
        cshape = (1, shape[1]) + (1,) * (x.ndim - 2)
        xg = np.reshape(x, (shape[0], groups, -1))
        xhat, rstd = _standardize(xg, (2,), eps)
        xhat = np.reshape(xhat, shape)
        ctx.groups, ctx.eps, ctx.cshape, ctx.xhat, ctx.rstd = groups, eps, cshape, xhat, rstd
        ctx.save_for_backward(x, w)
        y = xhat if w is None else xhat * np.reshape(w, cshape)
        return y if b is None else y + np.reshape(b, cshape)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        x, w = ctx.saved_tensors
        shape, cshape = x.shape, ctx.cshape
        gshape = (shape[0], ctx.groups, -1)
        if isinstance(g, Tensor):
            xg, rstd = _standardize(np.reshape(x, gshape), (2,), ctx.eps)
            xhat = np.reshape(xg, shape)
        else:
            xhat, rstd = ctx.xhat, ctx.rstd
        red = (0,) + tuple(range(2, len(shape)))
        needs = ctx.needs_input_grad
        gx = gw = gb = None
        if needs[0]:   # the layer-norm gradient on each (sample, group) block
            gh = g if w is None else g * np.reshape(w, cshape)
            gx = np.reshape(_norm_grad(np.reshape(gh, gshape), np.reshape(xhat, gshape), rstd,
                                       (2,)), shape)
        if needs[1]:
            gw = np.sum(g * xhat, axis=red)
        if needs[2]:
            gb = np.sum(g, axis=red)
        return gx, gw, gb, None, None


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Group normalisation of (N, C, *) over groups of C/num_groups channels (F.group_norm)."""
    shape = tuple(input.shape)
    if len(shape) < 2 or num_groups <= 0 or shape[1] % num_groups:
        raise RuntimeError(
            f"group_norm: Expected number of channels in input to be divisible by num_groups, "
            f"but got input of shape {list(shape)} and num_groups={num_groups}")
    for name, p in (("weight", weight), ("bias", bias)):
        if p is not None and (p.dim() != 1 or p.shape[0] != shape[1]):
            raise RuntimeError(
                f"group_norm: Expected {name} to be a vector of size equal to the number of "
                f"channels in input, but got {name} of shape {list(p.shape)} and input of "
                f"shape {list(shape)}")
    return GroupNorm.apply(input, weight, bias, num_groups, eps)


# ----------------------------------------------------------------------------- batch_norm
class BatchNorm(Function):
    _raw = True
    _name = "NativeBatchNormBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any, rm: Any, rv: Any, w: Any, b: Any, training: bool,
                momentum: float, eps: float) -> Any:
        _check_float("batch_norm", x)
        c = x.shape[1]
        axes = (0,) + tuple(range(2, x.ndim))
        cshape = (1, c) + (1,) * (x.ndim - 2)
        if training:
            xhat, rstd = _standardize(x, axes, eps)
            if rm is not None or rv is not None:
                n = x.size // c
                m = momentum
                mean = np.mean(x, axis=axes)
                if rm is not None:   # running stats: in place, as torch
                    rm *= 1 - m
                    rm += m * mean
                if rv is not None:   # the UNBIASED batch variance goes into running_var
                    var = np.var(x, axis=axes) * (n / max(n - 1, 1))
                    rv *= 1 - m
                    rv += m * var
        else:
            rstd = np.reshape(1.0 / np.sqrt(rv + eps), cshape).astype(x.dtype, copy=False)
            xhat = (x - np.reshape(rm, cshape).astype(x.dtype, copy=False)) * rstd
        ctx.training, ctx.axes, ctx.cshape, ctx.eps = training, axes, cshape, eps
        ctx.xhat, ctx.rstd, ctx.rm = xhat, rstd, rm
        ctx.save_for_backward(x, w)
        y = xhat if w is None else xhat * np.reshape(w, cshape)
        return y if b is None else y + np.reshape(b, cshape)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        x, w = ctx.saved_tensors
        axes, cshape = ctx.axes, ctx.cshape
        rstd = ctx.rstd
        if not isinstance(g, Tensor):
            xhat = ctx.xhat
        elif ctx.training:
            xhat, rstd = _standardize(x, axes, ctx.eps)
        else:   # eval: running stats are constants
            xhat = (x - np.reshape(ctx.rm, cshape).astype(ctx.rstd.dtype, copy=False)) * rstd
        needs = ctx.needs_input_grad
        gx = gw = gb = None
        if needs[0]:
            gh = g if w is None else g * np.reshape(w, cshape)
            # training: the normalisation gradient; eval: an affine map, d = rstd
            gx = _norm_grad(gh, xhat, rstd, axes) if ctx.training else gh * rstd
        if needs[3]:
            gw = np.sum(g * xhat, axis=axes)
        if needs[4]:
            gb = np.sum(g, axis=axes)
        return gx, None, None, gw, gb, None, None, None


def _check_channels(op: str, name: str, t: Any, c: int) -> None:
    if t is not None and t.numel() != c:
        raise RuntimeError(f"{op}: {name} should contain {c} elements not {t.numel()} "
                           f"(one per channel of the input)")


def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None,
               weight: Tensor | None = None, bias: Tensor | None = None, training: bool = False,
               momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Batch normalisation of (N, C, *) per channel (F.batch_norm). In training the running
    stats are updated in place (with the unbiased batch variance)."""
    shape = tuple(input.shape)
    if len(shape) < 2:
        raise RuntimeError(f"batch_norm: expected an input with at least 2 dims (N, C, *), got "
                           f"shape {list(shape)}")
    if training and math.prod(shape) // shape[1] == 1:
        raise ValueError(f"batch_norm: Expected more than 1 value per channel when training, "
                         f"got input size {list(shape)} (a batch of one sample has no batch "
                         f"statistics: use a batch of 2 or more, or call model.eval() to predict "
                         f"on a single sample)")
    if not training and (running_mean is None or running_var is None):
        raise RuntimeError("batch_norm: running_mean and running_var must be defined in "
                           "evaluation mode (training=False)")
    c = shape[1]
    for name, t in (("running_mean", running_mean), ("running_var", running_var),
                    ("weight", weight), ("bias", bias)):
        _check_channels("batch_norm", name, t, c)
    return BatchNorm.apply(input, running_mean, running_var, weight, bias, bool(training),
                           momentum, eps)


def instance_norm(input: Tensor, running_mean: Tensor | None = None,
                  running_var: Tensor | None = None, weight: Tensor | None = None,
                  bias: Tensor | None = None, use_input_stats: bool = True,
                  momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Instance normalisation: each (sample, channel) of (N, C, *) on its own
    (F.instance_norm); running stats get the batch average of the per-instance updates."""
    shape = tuple(input.shape)
    if len(shape) < 2:
        raise RuntimeError(f"instance_norm: expected an input with at least 2 dims (N, C, *), "
                           f"got shape {list(shape)}")
    n, c = shape[0], shape[1]
    if use_input_stats and math.prod(shape[2:]) == 1:
        raise ValueError(f"instance_norm: Expected more than 1 spatial element when training, "
                         f"got input size {list(shape)}")
    if not use_input_stats and (running_mean is None or running_var is None):
        raise RuntimeError("Expected running_mean and running_var to be defined when "
                           "use_input_stats is false (instance_norm: pass both running stats, "
                           "or use_input_stats=True)")
    for name, t in (("running_mean", running_mean), ("running_var", running_var),
                    ("weight", weight), ("bias", bias)):
        _check_channels("instance_norm", name, t, c)
    if not use_input_stats:
        return BatchNorm.apply(input, running_mean, running_var, weight, bias, False, momentum,
                               eps)
    # as torch: batch norm of the (1, N·C, *) view, with per-channel tensors repeated N times
    rm = None if running_mean is None else np.tile(running_mean._data, n)
    rv = None if running_var is None else np.tile(running_var._data, n)
    w = None if weight is None else weight.repeat(n)
    b = None if bias is None else bias.repeat(n)
    out = BatchNorm.apply(input.reshape((1, n * c) + shape[2:]), rm, rv, w, b, True, momentum,
                          eps)
    if rm is not None:
        running_mean._data[...] = np.mean(np.reshape(rm, (n, c)), axis=0)
    if rv is not None:
        running_var._data[...] = np.mean(np.reshape(rv, (n, c)), axis=0)
    return out.reshape(shape)


def local_response_norm(input: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75,
                        k: float = 1.0) -> Tensor:
    """Local response normalisation across channels of (N, C, *) (F.local_response_norm):
    x / (k + alpha·mean of x² over a window of `size` channels)^beta."""
    if input.dim() < 3:
        raise ValueError(f"local_response_norm: Expected 3D or higher dimensionality input "
                         f"(got {input.dim()} dimensions, shape {list(input.shape)})")
    if input.numel() == 0:
        return input
    shape = tuple(input.shape)
    sq = input * input
    front, back = size // 2, (size - 1) // 2
    parts = [sq]
    if front:
        parts.insert(0, _make(np.zeros((shape[0], front) + shape[2:], sq._data.dtype)))
    if back:
        parts.append(_make(np.zeros((shape[0], back) + shape[2:], sq._data.dtype)))
    padded = cat(parts, 1) if len(parts) > 1 else sq
    c = shape[1]
    win = padded[:, 0:c]
    for i in range(1, size):   # the window sum (size is small): one add per offset
        win = win + padded[:, i:i + c]
    div = (win / size * alpha + k) ** beta
    return input / div
