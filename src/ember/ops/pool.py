"""Pooling (as `torch.nn.functional`): max, average, adaptive, LP pooling and max unpooling,
one implementation for 1d/2d/3d.

Max pooling takes windows with `sliding_window_view` on the (-inf padded) input and an argmax
over the flattened window; backward scatters the gradient to those positions (non-overlapping
windows get a reshape fast path). Average and adaptive-average pooling are separable linear maps:
one small (out, in) matrix per spatial dim, applied with matmul; backward applies the transposes.
`_LinearMap` runs any linear map with its adjoint as backward, so these differentiate to any
order."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._tensor import Tensor
from ..autograd.function import Function

__all__ = ["max_pool1d", "max_pool2d", "max_pool3d", "max_pool1d_with_indices",
           "max_pool2d_with_indices", "max_pool3d_with_indices", "avg_pool1d", "avg_pool2d",
           "avg_pool3d", "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_avg_pool3d",
           "adaptive_max_pool1d", "adaptive_max_pool2d", "adaptive_max_pool3d",
           "adaptive_max_pool1d_with_indices", "adaptive_max_pool2d_with_indices",
           "adaptive_max_pool3d_with_indices", "lp_pool1d", "lp_pool2d", "lp_pool3d",
           "max_unpool1d", "max_unpool2d", "max_unpool3d", "fractional_max_pool2d",
           "fractional_max_pool3d", "fractional_max_pool2d_with_indices",
           "fractional_max_pool3d_with_indices"]

_win = np.lib.stride_tricks.sliding_window_view
_SPATIAL = {1: "L", 2: "H, W", 3: "D, H, W"}


# ----------------------------------------------------------------------------- helpers
def _ntuple(v: Any, n: int, op: str, what: str) -> tuple:
    """An int or a length-1/length-n sequence as an n-tuple of ints."""
    if isinstance(v, (int, np.integer)):
        return (int(v),) * n
    v = tuple(int(i) for i in v)
    if len(v) == 1:
        return v * n
    if len(v) != n:
        raise RuntimeError(f"{op}: {what} must either be a single int, or a tuple of {n} ints "
                           f"(got {list(v)})")
    return v


def _check_input(x: Tensor, nd: int, op: str) -> None:
    """(N, C, *spatial) or (C, *spatial) input with non-empty spatial dims."""
    s = tuple(x.shape)
    if len(s) not in (nd + 1, nd + 2) or any(n == 0 for n in s[-nd - 1:]):
        sp = _SPATIAL[nd]
        raise RuntimeError(
            f"{op}: non-empty {nd + 1}D or {nd + 2}D (batch mode) tensor expected for input, "
            f"i.e. (N, C, {sp}) or (C, {sp}); got shape {list(s)}")


def _dtype_name(x: Tensor) -> str:
    return str(x.dtype).split(".")[-1].capitalize()


def _along(x: np.ndarray, a: np.ndarray, axis: int) -> np.ndarray:
    """Apply the (out, in) matrix a along axis of x."""
    if axis == x.ndim - 1:
        return x @ a.T
    return np.moveaxis(np.moveaxis(x, axis, -1) @ a.T, -1, axis)


class Separable:
    """x -> x with matrix mats[i] (out_i, in_i) applied along spatial dim i (the last
    len(mats) dims); None leaves a dim as it is."""

    def __init__(self, mats: list, transpose: bool = False) -> None:
        self.mats = mats
        self.transpose = transpose

    def __call__(self, x: np.ndarray) -> np.ndarray:
        nd = len(self.mats)
        for i, m in enumerate(self.mats):
            if m is not None:
                m = m.T if self.transpose else m
                x = _along(x, m.astype(x.dtype, copy=False), x.ndim - nd + i)
        return np.ascontiguousarray(x)

    @property
    def T(self) -> Separable:
        return Separable(self.mats, not self.transpose)


class Scatter:
    """x (*batch, *outs) -> zeros(in_shape) with x added at the flat per-plane positions idx
    (*batch, *outs) of the last nd dims: the adjoint of a per-plane gather. unique: no position
    repeats within a plane (assignment suffices; max_unpool's semantics)."""

    def __init__(self, idx: np.ndarray, in_shape: tuple, nd: int, unique: bool) -> None:
        self.idx, self.in_shape, self.nd, self.unique = idx, in_shape, nd, unique
        self._flat = None

    def flat(self) -> np.ndarray:
        if self._flat is None:
            planes = math.prod(self.in_shape[:-self.nd])
            plane = math.prod(self.in_shape[-self.nd:])
            idx = np.reshape(self.idx, (planes, -1))
            self._flat = np.reshape(idx + np.arange(0, planes * plane, plane)[:, None], -1)
        return self._flat

    def __call__(self, g: np.ndarray) -> np.ndarray:
        total = math.prod(self.in_shape)
        if self.unique:
            out = np.zeros(total, g.dtype)
            out[self.flat()] = np.reshape(g, -1)
        else:
            out = np.bincount(self.flat(), np.reshape(g, -1), total).astype(g.dtype, copy=False)
        return out.reshape(self.in_shape)

    @property
    def T(self) -> Gather:
        return Gather(self)


class Gather:
    """g (in_shape) -> g's values at a Scatter's positions: the adjoint of Scatter."""

    def __init__(self, sc: Scatter) -> None:
        self.sc = sc

    def __call__(self, g: np.ndarray) -> np.ndarray:
        return np.reshape(np.take(np.reshape(g, -1), self.sc.flat()), self.sc.idx.shape)

    @property
    def T(self) -> Scatter:
        return self.sc


class LinearMap(Function):
    """y = op(x) for a linear op with an adjoint op.T (its backward, to any order)."""

    _raw = True

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, op: Any, name: str) -> np.ndarray:
        ctx.op = op
        ctx._name = name
        return op(x)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        # d linear map = its adjoint
        if isinstance(g, Tensor):
            return LinearMap.apply(g, ctx.op.T, ctx._name), None, None
        return ctx.op.T(g), None, None


# ----------------------------------------------------------------------------- shapes
def _out_size(n: int, k: int, s: int, p: int, d: int, ceil: bool) -> int:
    """torch's pooling_output_shape: in ceil mode the last window must start inside the input
    or the left padding."""
    o = (n + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil else 0)) // s + 1
    if ceil and (o - 1) * s >= n + p:
        o -= 1
    return o


def _pool_params(op: str, x: Tensor, nd: int, kernel_size: Any, stride: Any, padding: Any,
                 dilation: Any, ceil_mode: bool) -> tuple:
    """Validated (kernel, stride, padding, dilation, output spatial size) tuples."""
    k = _ntuple(kernel_size, nd, op, "kernel_size")
    s = k if stride is None or (not isinstance(stride, (int, np.integer)) and
                                len(stride) == 0) else _ntuple(stride, nd, op, "stride")
    p = _ntuple(padding, nd, op, "padding")
    d = _ntuple(dilation, nd, op, "dilation")
    if any(v <= 0 for v in k):
        raise RuntimeError(f"{op}: kernel_size should be greater than zero, but got "
                           f"kernel_size={list(k)}")
    if any(v == 0 for v in s):
        raise RuntimeError(f"{op}: stride should not be zero (got stride={list(s)})")
    if any(v < 0 for v in s):
        raise RuntimeError(f"{op}: stride should be greater than zero, but got "
                           f"stride={list(s)}")
    if any(v <= 0 for v in d):
        raise RuntimeError(f"{op}: dilation should be greater than zero, but got "
                           f"dilation={list(d)}")
    _check_input(x, nd, op)
    for kk, pp, dd in zip(k, p, d):
        if pp < 0 or pp > ((kk - 1) * dd + 1) // 2:
            raise RuntimeError(
                f"{op}: pad should be at most half of effective kernel size, but got pad={pp}, "
                f"kernel_size={kk} and dilation={dd}")
    sp = tuple(x.shape)[-nd:]
    out = tuple(_out_size(n, kk, ss, pp, dd, ceil_mode) for n, kk, ss, pp, dd in
                zip(sp, k, s, p, d))
    if any(o < 1 for o in out):
        c = tuple(x.shape)[-nd - 1]
        raise RuntimeError(
            f"{op}: Given input size: ({c}x{'x'.join(map(str, sp))}). Calculated output "
            f"size: ({c}x{'x'.join(map(str, out))}). Output size is too small (kernel_size="
            f"{list(k)}, stride={list(s)}, padding={list(p)}, dilation={list(d)})")
    return k, s, p, d, out


# ----------------------------------------------------------------------------- max pool
def _lowest(dt: np.dtype) -> Any:
    return -np.inf if dt.kind == "f" else np.iinfo(dt).min


def _windows(x: np.ndarray, k: tuple, s: tuple, p: tuple, d: tuple, out: tuple,
             fill: Any) -> np.ndarray:
    """Strided windows (*batch, *out, *k) of x padded with fill (left p, right as needed)."""
    nd = len(k)
    sp = x.shape[-nd:]
    need = tuple((o - 1) * ss + (kk - 1) * dd + 1 for o, ss, kk, dd in zip(out, s, k, d))
    if any(p) or any(nn > n + pp for nn, n, pp in zip(need, sp, p)):
        xp = np.full(x.shape[:-nd] + tuple(max(nn, n + pp) for nn, n, pp in zip(need, sp, p)),
                     fill, x.dtype)
        xp[(Ellipsis,) + tuple(slice(pp, pp + n) for pp, n in zip(p, sp))] = x
        x = xp
    w = _win(x, tuple((kk - 1) * dd + 1 for kk, dd in zip(k, d)), axis=tuple(range(-nd, 0)))
    sl = tuple(slice(0, (o - 1) * ss + 1, ss) for o, ss in zip(out, s))
    return w[(Ellipsis,) + sl + tuple(slice(None, None, dd) for dd in d)]


def _flat_index(a: np.ndarray, k: tuple, s: tuple, p: tuple, d: tuple, sp: tuple) -> np.ndarray:
    """Window offsets a (*batch, *out) -> flat per-plane input positions (torch's indices)."""
    nd = len(k)
    flat = np.zeros(a.shape, np.int64)
    rem = a.astype(np.int64)
    for i in range(nd - 1, -1, -1):
        off = rem % k[i]
        rem //= k[i]
        o = np.arange(a.shape[a.ndim - nd + i]).reshape((-1,) + (1,) * (nd - 1 - i))
        flat += (o * s[i] - p[i] + off * d[i]) * math.prod(sp[i + 1:])
    return flat


def _argmax_pool(x: np.ndarray, k: tuple, s: tuple, p: tuple, d: tuple, out: tuple) -> tuple:
    """(max values, flat per-plane indices of the first maximum) of each window."""
    w = _windows(x, k, s, p, d, out, _lowest(x.dtype))
    w = np.reshape(w, w.shape[:x.ndim] + (-1,))
    a = np.argmax(w, axis=-1)
    y = np.take_along_axis(w, a[..., None], -1)[..., 0]
    return y, _flat_index(a, k, s, p, d, x.shape[-len(k):])


def _window_max(x: np.ndarray, k: tuple, out: tuple) -> tuple:
    """Max over non-overlapping windows (stride == kernel, no padding or dilation), one window
    dim at a time, the last first; returns (y, stages). x is cut to whole windows; a stage is
    (v, q): its input as a contiguous (outer, o, k, inner) array, whose k slices are long
    strided runs (NumPy is slow on short inner loops), and its output (outer, o, inner)."""
    nd = len(k)
    x = x[(Ellipsis,) + tuple(slice(0, o * kk) for o, kk in zip(out, k))]
    p, stages = np.ascontiguousarray(x), []
    for i in range(nd - 1, -1, -1):
        if k[i] > 1:
            outer = math.prod(x.shape[:x.ndim - nd + i])
            v = np.reshape(p, (outer, out[i], k[i], math.prod(out[i + 1:])))
            p = np.maximum(v[:, :, 0], v[:, :, 1])
            for j in range(2, k[i]):
                np.maximum(p, v[:, :, j], out=p)
            stages.append((v, p))
    return np.reshape(p if stages else p.copy(), x.shape[:-nd] + out), stages


def _window_max_grad(g: np.ndarray, y: np.ndarray, stages: list, shape: tuple, k: tuple,
                     out: tuple) -> Any:
    """dx (of shape) of _window_max for y and dy = g: each stage, from the first window dim
    on, routes its output gradient to the first of its k inputs that equals the maximum, so
    the gradient reaches the first maximum of each window in row-major order (torch's). None
    when y holds NaN (a window whose maximum no input equals)."""
    if y.dtype.kind == "f" and np.isnan(np.sum(y)):
        return None
    finite = np.isfinite(np.sum(g))   # then g·hit is exact (g·0 of an inf would be NaN)
    for v, q in reversed(stages):
        gq = np.reshape(g, q.shape)
        g = (np.empty if finite else np.zeros)(v.shape, gq.dtype)
        if finite and v.shape[2] == 2:   # the common 2-wide window: 3 passes instead of 7
            first = np.multiply(gq, np.greater_equal(v[:, :, 0], v[:, :, 1]), out=g[:, :, 0])
            np.subtract(gq, first, out=g[:, :, 1])
            continue
        taken = hit = np.equal(v[:, :, 0], q)
        for j in range(v.shape[2]):
            if j:
                hit = np.equal(v[:, :, j], q)
                np.greater(hit, taken, out=hit)   # a maximum no earlier slice took
                np.logical_or(taken, hit, out=taken)
            if finite:
                np.multiply(gq, hit, out=g[:, :, j])
            else:
                np.copyto(g[:, :, j], gq, where=hit)
    nd = len(k)
    whole = shape[:-nd] + tuple(o * kk for o, kk in zip(out, k))
    g = np.reshape(g, whole)
    if whole == shape:
        return g
    gx = np.zeros(shape, g.dtype)
    gx[tuple(slice(0, n) for n in whole)] = g
    return gx


class MaxPool(Function):
    """Max over strided windows; with want_idx also the flat per-plane indices of the maxima
    (torch.nn.functional.max_pool{1,2,3}d_with_indices)."""

    _raw = True

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, k: tuple, s: tuple, p: tuple, d: tuple, out: tuple,
                want_idx: bool, name: str) -> Any:
        nd = len(k)
        ctx._name = name
        ctx.geom = (x.shape, k, s, p, d, out)
        if (not want_idx and k == s and not any(p) and all(dd == 1 for dd in d)
                and all(o * kk <= n for o, kk, n in zip(out, k, x.shape[-nd:]))):
            y, stages = _window_max(x, k, out)
            if ctx.needs_input_grad[0]:
                ctx.stages = stages
                ctx.save_for_backward(x, y)
            return y
        y, idx = _argmax_pool(x, k, s, p, d, out)
        ctx.idx = idx
        if want_idx:
            ctx.mark_non_differentiable(idx)
            return y, idx
        return y

    @staticmethod
    def backward(ctx: Any, g: Any, *_: Any) -> Any:
        # d max = the gradient routed to the first maximum of each window
        shape, k, s, p, d, out = ctx.geom
        nd = len(k)
        none = (None,) * 7
        if "stages" in ctx.__dict__:   # non-overlapping windows
            x, y = (v._data if isinstance(v, Tensor) else v for v in ctx.saved_tensors)
            if not isinstance(g, Tensor):
                gx = _window_max_grad(g, y, ctx.stages, shape, k, out)
                if gx is not None:
                    return (gx,) + none
            ctx.idx = _argmax_pool(x, k, s, p, d, out)[1]   # NaNs, or create_graph
        unique = all(ss >= (kk - 1) * dd + 1 for ss, kk, dd in zip(s, k, d))
        op = Scatter(ctx.idx, shape, nd, unique)
        if isinstance(g, Tensor):
            return (LinearMap.apply(g, op, ctx._name),) + none
        return (op(g),) + none


def _max_pool(nd: int, input: Tensor, kernel_size: Any, stride: Any, padding: Any,
              dilation: Any, ceil_mode: bool, return_indices: bool) -> Any:
    op = f"max_pool{nd}d"
    k, s, p, d, out = _pool_params(op, input, nd, kernel_size, stride, padding, dilation,
                                   ceil_mode)
    if input.dtype.is_complex or _dtype_name(input) == "Bool":
        raise RuntimeError(f'"{op}" not implemented for \'{_dtype_name(input)}\'')
    return MaxPool.apply(input, k, s, p, d, out, bool(return_indices),
                         f"MaxPool{nd}DWithIndicesBackward0")


def max_pool1d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False, return_indices: bool = False) -> Any:
    """Max over windows of (N, C, L) or (C, L) (torch.nn.functional.max_pool1d)."""
    return _max_pool(1, input, kernel_size, stride, padding, dilation, ceil_mode,
                     return_indices)


def max_pool2d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False, return_indices: bool = False) -> Any:
    """Max over windows of (N, C, H, W) or (C, H, W) (torch.nn.functional.max_pool2d)."""
    return _max_pool(2, input, kernel_size, stride, padding, dilation, ceil_mode,
                     return_indices)


def max_pool3d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False, return_indices: bool = False) -> Any:
    """Max over windows of (N, C, D, H, W) or (C, D, H, W) (torch.nn.functional.max_pool3d)."""
    return _max_pool(3, input, kernel_size, stride, padding, dilation, ceil_mode,
                     return_indices)


def max_pool1d_with_indices(input: Tensor, kernel_size: Any, stride: Any = None,
                            padding: Any = 0, dilation: Any = 1, ceil_mode: bool = False,
                            return_indices: bool = True) -> Any:
    """(values, indices) of max_pool1d (torch.nn.functional.max_pool1d_with_indices)."""
    return _max_pool(1, input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool2d_with_indices(input: Tensor, kernel_size: Any, stride: Any = None,
                            padding: Any = 0, dilation: Any = 1, ceil_mode: bool = False,
                            return_indices: bool = True) -> Any:
    """(values, indices) of max_pool2d (torch.nn.functional.max_pool2d_with_indices)."""
    return _max_pool(2, input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool3d_with_indices(input: Tensor, kernel_size: Any, stride: Any = None,
                            padding: Any = 0, dilation: Any = 1, ceil_mode: bool = False,
                            return_indices: bool = True) -> Any:
    """(values, indices) of max_pool3d (torch.nn.functional.max_pool3d_with_indices)."""
    return _max_pool(3, input, kernel_size, stride, padding, dilation, ceil_mode, True)


# ----------------------------------------------------------------------------- average pool
def _avg_matrix(n: int, o: int, k: int, s: int, p: int, include_pad: bool,
                divisor: Any = False) -> np.ndarray:
    """(o, n) matrix of one dim's window weights: torch's divisor rules (the window clipped to
    input+padding, then to the input unless count_include_pad); divisor=None: plain sums,
    a number: sums divided by it."""
    start = np.arange(o) * s - p
    end = np.minimum(start + k, n + p)
    size = end - start
    start, end = np.maximum(start, 0), np.minimum(end, n)
    if not include_pad:
        size = end - start
    j = np.arange(n)
    inside = (j >= start[:, None]) & (j < end[:, None])
    if divisor is not False:
        return inside * (1.0 if divisor is None else 1.0 / divisor)
    return inside / np.maximum(size, 1)[:, None]


def _avg_pool(nd: int, input: Tensor, kernel_size: Any, stride: Any, padding: Any,
              ceil_mode: bool, count_include_pad: bool, divisor_override: Any) -> Tensor:
    op = f"avg_pool{nd}d"
    k, s, p, _, out = _pool_params(op, input, nd, kernel_size, stride, padding, 1, ceil_mode)
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError(f"{op}: divisor must be not zero")
    if input.dtype.is_complex or _dtype_name(input) == "Bool":
        raise RuntimeError(f'"{op}" not implemented for \'{_dtype_name(input)}\'')
    sp = tuple(input.shape)[-nd:]
    mats = []
    for i, (n, o, kk, ss, pp) in enumerate(zip(sp, out, k, s, p)):
        if divisor_override is None:
            m = _avg_matrix(n, o, kk, ss, pp, count_include_pad)
        else:   # the override replaces the window size: plain sums, divided once
            m = _avg_matrix(n, o, kk, ss, pp, True, None if i else divisor_override)
        mats.append(m)
    name = f"AvgPool{nd}DBackward0"
    if input.dtype.is_floating_point:
        return LinearMap.apply(input, Separable(mats), name)
    # integer pooling: integer sums divided with truncation (torch's integer kernels)
    y = Separable(mats)(input._data.astype(np.float64))
    from .._tensor import _make
    return _make(np.trunc(np.round(y, 9)).astype(input._data.dtype))


def avg_pool1d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               ceil_mode: bool = False, count_include_pad: bool = True) -> Tensor:
    """Mean over windows of (N, C, L) or (C, L) (torch.nn.functional.avg_pool1d)."""
    return _avg_pool(1, input, kernel_size, stride, padding, ceil_mode, count_include_pad, None)


def avg_pool2d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: Any = None) -> Tensor:
    """Mean over windows of (N, C, H, W) or (C, H, W) (torch.nn.functional.avg_pool2d)."""
    return _avg_pool(2, input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     divisor_override)


def avg_pool3d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: Any = None) -> Tensor:
    """Mean over windows of (N, C, D, H, W) or (C, D, H, W) (torch.nn.functional.avg_pool3d)."""
    return _avg_pool(3, input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     divisor_override)


# ----------------------------------------------------------------------------- adaptive
def _adaptive_sizes(op: str, input: Tensor, nd: int, output_size: Any) -> tuple:
    _check_input(input, nd, op)
    sp = tuple(input.shape)[-nd:]
    if output_size is None or isinstance(output_size, (int, np.integer)):
        output_size = (output_size,) * nd
    output_size = tuple(output_size)
    if len(output_size) == 1 and nd > 1:
        output_size = output_size * nd
    if len(output_size) != nd:
        raise RuntimeError(f"{op}: output_size must be {nd} ints, got {list(output_size)}")
    out = tuple(n if o is None else int(o) for o, n in zip(output_size, sp))
    if any(o < 0 for o in out):
        raise RuntimeError(f"{op}: elements of output_size must be greater than or equal to 0 "
                           f"but received {list(out)}")
    return sp, out


def _bounds(n: int, o: int) -> tuple:
    """torch's adaptive windows: [floor(i*n/o), ceil((i+1)*n/o))."""
    i = np.arange(o)
    return (i * n) // o, -((-(i + 1) * n) // o)


def _adaptive_matrix(n: int, o: int) -> np.ndarray:
    start, end = _bounds(n, o)
    j = np.arange(n)
    return ((j >= start[:, None]) & (j < end[:, None])) / np.maximum(end - start, 1)[:, None]


def adaptive_avg_matrices(sp: tuple, out: tuple) -> list:
    """Per-dim matrices of adaptive average pooling (None where a dim is unchanged)."""
    return [None if n == o else _adaptive_matrix(n, o) for n, o in zip(sp, out)]


def _adaptive_avg(nd: int, input: Tensor, output_size: Any) -> Tensor:
    op = f"adaptive_avg_pool{nd}d"
    sp, out = _adaptive_sizes(op, input, nd, output_size)
    if not input.dtype.is_floating_point:
        raise RuntimeError(f'"{op}" not implemented for \'{_dtype_name(input)}\'')
    return LinearMap.apply(input, Separable(adaptive_avg_matrices(sp, out)),
                           f"AdaptiveAvgPool{nd}DBackward0")


def adaptive_avg_pool1d(input: Tensor, output_size: Any) -> Tensor:
    """Mean over torch's adaptive windows of (N, C, L) (torch.nn.functional.adaptive_avg_pool1d)."""
    return _adaptive_avg(1, input, output_size)


def adaptive_avg_pool2d(input: Tensor, output_size: Any) -> Tensor:
    """Mean over adaptive windows of (N, C, H, W) (torch.nn.functional.adaptive_avg_pool2d)."""
    return _adaptive_avg(2, input, output_size)


def adaptive_avg_pool3d(input: Tensor, output_size: Any) -> Tensor:
    """Mean over adaptive windows of (N, C, D, H, W) (torch.nn.functional.adaptive_avg_pool3d)."""
    return _adaptive_avg(3, input, output_size)


class AdaptiveMaxPool(Function):
    """Max over torch's adaptive windows; returns (values, flat per-plane indices)."""

    _raw = True

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, out: tuple, name: str) -> Any:
        nd = len(out)
        sp = x.shape[-nd:]
        ctx._name = name
        ctx.shape, ctx.nd = x.shape, nd
        lead = x.shape[:-nd]
        if any(o == 0 for o in out):
            y = np.zeros(lead + out, x.dtype)
            idx = np.zeros(lead + out, np.int64)
        else:
            # table (*out, *kmax) of flat positions; short windows repeat their last element
            table = np.zeros((1,) * (2 * nd), np.int64)
            for i, (n, o) in enumerate(zip(sp, out)):
                start, end = _bounds(n, o)
                km = int(np.max(end - start))
                pos = np.minimum(start[:, None] + np.arange(km), end[:, None] - 1)
                shp = [1] * (2 * nd)
                shp[i], shp[nd + i] = o, km
                table = table + np.reshape(pos, shp) * math.prod(sp[i + 1:])
            table = np.reshape(table, out + (-1,))
            w = np.reshape(x, lead + (-1,))[..., table]
            a = np.argmax(w, axis=-1)
            y = np.take_along_axis(w, a[..., None], -1)[..., 0]
            idx = np.take_along_axis(np.broadcast_to(table, w.shape), a[..., None], -1)[..., 0]
        ctx.idx = idx
        ctx.mark_non_differentiable(idx)
        return y, idx

    @staticmethod
    def backward(ctx: Any, g: Any, _: Any) -> Any:
        # d max = the gradient routed to each window's maximum
        op = Scatter(ctx.idx, ctx.shape, ctx.nd, False)
        if isinstance(g, Tensor):
            return LinearMap.apply(g, op, ctx._name), None, None
        return op(g), None, None


def _adaptive_max(nd: int, input: Tensor, output_size: Any, return_indices: bool) -> Any:
    op = f"adaptive_max_pool{nd}d"
    _, out = _adaptive_sizes(op, input, nd, output_size)
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f'"{op}" not implemented for \'{_dtype_name(input)}\'')
    y, idx = AdaptiveMaxPool.apply(input, out, f"AdaptiveMaxPool{nd}DBackward0")
    return (y, idx) if return_indices else y


def adaptive_max_pool1d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """Max over adaptive windows of (N, C, L) (torch.nn.functional.adaptive_max_pool1d)."""
    return _adaptive_max(1, input, output_size, return_indices)


def adaptive_max_pool2d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """Max over adaptive windows of (N, C, H, W) (torch.nn.functional.adaptive_max_pool2d)."""
    return _adaptive_max(2, input, output_size, return_indices)


def adaptive_max_pool3d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """Max over adaptive windows of (N, C, D, H, W) (torch.nn.functional.adaptive_max_pool3d)."""
    return _adaptive_max(3, input, output_size, return_indices)


def adaptive_max_pool1d_with_indices(input: Tensor, output_size: Any,
                                     return_indices: bool = True) -> Any:
    """(values, indices) of adaptive_max_pool1d."""
    return _adaptive_max(1, input, output_size, True)


def adaptive_max_pool2d_with_indices(input: Tensor, output_size: Any,
                                     return_indices: bool = True) -> Any:
    """(values, indices) of adaptive_max_pool2d."""
    return _adaptive_max(2, input, output_size, True)


def adaptive_max_pool3d_with_indices(input: Tensor, output_size: Any,
                                     return_indices: bool = True) -> Any:
    """(values, indices) of adaptive_max_pool3d."""
    return _adaptive_max(3, input, output_size, True)


# ----------------------------------------------------------------------------- LP pool
def _lp_pool(nd: int, input: Tensor, norm_type: float, kernel_size: Any, stride: Any,
             ceil_mode: bool) -> Tensor:
    k = _ntuple(kernel_size, nd, f"lp_pool{nd}d", "kernel_size")
    out = _avg_pool(nd, input.pow(norm_type), kernel_size, stride, 0, ceil_mode, True, None)
    return (out.sign() * out.abs().relu()).mul(math.prod(k)).pow(1.0 / norm_type)


def lp_pool1d(input: Tensor, norm_type: float, kernel_size: Any, stride: Any = None,
              ceil_mode: bool = False) -> Tensor:
    """Power-average pooling (sum x^p)^(1/p) over windows (torch.nn.functional.lp_pool1d)."""
    return _lp_pool(1, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool2d(input: Tensor, norm_type: float, kernel_size: Any, stride: Any = None,
              ceil_mode: bool = False) -> Tensor:
    """Power-average pooling over 2-D windows (torch.nn.functional.lp_pool2d)."""
    return _lp_pool(2, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool3d(input: Tensor, norm_type: float, kernel_size: Any, stride: Any = None,
              ceil_mode: bool = False) -> Tensor:
    """Power-average pooling over 3-D windows (torch.nn.functional.lp_pool3d)."""
    return _lp_pool(3, input, norm_type, kernel_size, stride, ceil_mode)


# ----------------------------------------------------------------------------- max unpool
def _max_unpool(nd: int, input: Tensor, indices: Tensor, kernel_size: Any, stride: Any,
                padding: Any, output_size: Any) -> Tensor:
    op = f"max_unpool{nd}d"
    k = _ntuple(kernel_size, nd, op, "kernel_size")
    s = k if stride is None else _ntuple(stride, nd, op, "stride")
    p = _ntuple(padding, nd, op, "padding")
    _check_input(input, nd, op)
    if tuple(indices.shape) != tuple(input.shape):
        raise RuntimeError(f"{op}: Expected shape of indices to be same as that of the input "
                           f"tensor ({list(input.shape)}) but got indices tensor with shape: "
                           f"{list(indices.shape)}")
    sp = tuple(input.shape)[-nd:]
    default = tuple((n - 1) * ss - 2 * pp + kk for n, ss, pp, kk in zip(sp, s, p, k))
    if output_size is None:
        out = default
    else:
        out = tuple(int(o) for o in output_size)
        if len(out) == nd + 2 or (len(out) == nd + 1 and input.dim() == nd + 1):
            out = out[-nd:]
        if len(out) != nd:
            raise ValueError(f"{op}: output_size should be a sequence containing {nd} or "
                             f"{nd + 2} elements, but it has a length of '{len(out)}'")
        for i, (o, dflt, ss) in enumerate(zip(out, default, s)):
            if not dflt - ss < o < dflt + ss:
                raise ValueError(f'invalid output_size "{tuple(out)}" (dim {i} must be between '
                                 f"{dflt - ss} and {dflt + ss})")
    idx = indices._data
    plane = math.prod(out)
    if idx.size and (idx.min() < 0 or idx.max() >= plane):
        bad = idx[(idx < 0) | (idx >= plane)][0]
        raise RuntimeError(f"{op}: Found an invalid max index: {bad} (output volumes are of "
                           f"size {'x'.join(map(str, out))})")
    shape = tuple(input.shape)[:-nd] + out
    return LinearMap.apply(input, Scatter(idx, shape, nd, True), f"MaxUnpool{nd}DBackward0")


def max_unpool1d(input: Tensor, indices: Tensor, kernel_size: Any, stride: Any = None,
                 padding: Any = 0, output_size: Any = None) -> Tensor:
    """Inverse of max_pool1d: values put back at their indices, zeros elsewhere
    (torch.nn.functional.max_unpool1d)."""
    return _max_unpool(1, input, indices, kernel_size, stride, padding, output_size)


def max_unpool2d(input: Tensor, indices: Tensor, kernel_size: Any, stride: Any = None,
                 padding: Any = 0, output_size: Any = None) -> Tensor:
    """Inverse of max_pool2d (torch.nn.functional.max_unpool2d)."""
    return _max_unpool(2, input, indices, kernel_size, stride, padding, output_size)


def max_unpool3d(input: Tensor, indices: Tensor, kernel_size: Any, stride: Any = None,
                 padding: Any = 0, output_size: Any = None) -> Tensor:
    """Inverse of max_pool3d (torch.nn.functional.max_unpool3d)."""
    return _max_unpool(3, input, indices, kernel_size, stride, padding, output_size)


# ----------------------------------------------------------------------------- fractional max
def _fractional_sizes(v: Any, nd: int, op: str, what: str) -> tuple:
    """kernel_size / output_size: an int or nd ints, with torch's messages."""
    if isinstance(v, (int, np.integer)) and not isinstance(v, bool):
        return (int(v),) * nd
    if not isinstance(v, (tuple, list)) or not all(isinstance(i, (int, np.integer))
                                                   for i in v):
        pos = 2 if what == "kernel_size" else 3
        raise TypeError(f"{op}(): argument '{what}' (position {pos}) must be tuple of ints, "
                        f"not {type(v).__name__}")
    if len(v) == 1:
        return (int(v[0]),) * nd
    if len(v) != nd:
        raise RuntimeError(f"{op}: {what} must either be a single Int or tuple of "
                           f"{'Ints' if nd == 2 else 'three Ints'}")
    return tuple(int(i) for i in v)


def _torch_type_name(x: Tensor) -> str:
    """torch's scalar type name of an integer or bool dtype (Long, Int, ..., Bool)."""
    name = str(x.dtype).split(".")[-1]
    return {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char",
            "uint8": "Byte", "bool": "Bool"}.get(name, name.capitalize())


def _fractional_intervals(u: np.ndarray, n: int, o: int, k: int) -> np.ndarray:
    """torch's window starts (P, o) for samples u (P,): int((i + u) * alpha) - int(u * alpha)
    with alpha = (n - k) / (o - 1), computed in u's dtype; the last window ends at n."""
    seq = np.zeros((u.shape[0], o), np.int64)
    if o > 1:
        dt = u.dtype.type
        alpha = dt(n - k) / dt(o - 1)
        i = np.arange(o - 1, dtype=u.dtype)
        seq[:, :-1] = (((i + u[:, None]) * alpha).astype(np.int64)
                       - (u * alpha).astype(np.int64)[:, None])
    if o > 0:
        seq[:, -1] = n - k
    return seq


class FractionalMaxPool(Function):
    """Max over torch's pseudo-random windows (one interval sequence per plane, from the
    samples); returns (values, flat per-plane indices)."""

    _raw = True

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, samples: np.ndarray, k: tuple, out: tuple,
                name: str) -> Any:
        nd = len(k)
        sp = x.shape[-nd:]
        lead = x.shape[:-nd]
        planes = math.prod(lead)
        n = 1 if x.ndim == nd + 1 else x.shape[0]
        u = np.reshape(samples[:n], (planes, nd))
        # 2d: sample 0 drives the width, 1 the height; 3d: 0, 1, 2 drive time, height, width
        cols = (1, 0) if nd == 2 else (0, 1, 2)
        table = np.zeros((planes,) + (1,) * (2 * nd), np.int64)
        for d in range(nd):
            start = _fractional_intervals(u[:, cols[d]], sp[d], out[d], k[d])
            pos = start[:, :, None] + np.arange(k[d])
            shp = [planes] + [1] * (2 * nd)
            shp[1 + d], shp[1 + nd + d] = out[d], k[d]
            table = table + np.reshape(pos, shp) * math.prod(sp[d + 1:])
        kk = math.prod(k)
        table = np.reshape(table, (planes, math.prod(out), kk))
        flat = np.reshape(x, (planes, math.prod(sp)))
        w = np.reshape(np.take_along_axis(flat, np.reshape(table, (planes, math.prod(out) * kk)),
                                          1), table.shape)
        a = np.argmax(w, axis=-1)
        nan = np.isnan(w)
        if nan.any():   # torch keeps the last NaN of a window, numpy's argmax the first
            a = np.where(nan.any(-1), kk - 1 - np.argmax(nan[..., ::-1], -1), a)
        y = np.reshape(np.take_along_axis(w, a[..., None], -1), lead + out)
        idx = np.reshape(np.take_along_axis(table, a[..., None], -1), lead + out)
        ctx._name = name
        ctx.idx, ctx.shape, ctx.nd = idx, x.shape, nd
        ctx.mark_non_differentiable(idx)
        return y, idx

    @staticmethod
    def backward(ctx: Any, g: Any, _: Any) -> Any:
        # d max = the gradient routed to each window's maximum
        if math.prod(ctx.shape) == 0:
            z = np.zeros(ctx.shape, g.dtype)
            return (g.new_zeros(ctx.shape) if isinstance(g, Tensor) else z), None, None, None, None
        op = Scatter(ctx.idx, ctx.shape, ctx.nd, False)
        if isinstance(g, Tensor):
            return LinearMap.apply(g, op, ctx._name), None, None, None, None
        return op(g), None, None, None, None


def _fractional_max(nd: int, input: Tensor, kernel_size: Any, output_size: Any,
                    output_ratio: Any, return_indices: bool, _random_samples: Any) -> Any:
    op = f"fractional_max_pool{nd}d"
    if output_size is None and output_ratio is None:
        raise ValueError(f"{op} requires specifying either an output_size or an output_ratio")
    if output_size is None:
        if nd == 2 and len(output_ratio) > 2:   # a float has no len(), as in torch
            raise ValueError(f"{op} requires output_ratio to either be a single Int or tuple "
                             "of Ints.")
        ratio = tuple(output_ratio) if isinstance(output_ratio, (tuple, list)) \
            else (output_ratio,) * nd
        output_size = [int(input.size(i - nd) * ratio[i]) for i in range(nd)]
    if _random_samples is None:
        if not input.dtype.is_floating_point:
            raise NotImplementedError(
                f'"{op}" not implemented for \'{_torch_type_name(input)}\' (floating point '
                "input expected)")
        from .creation import rand
        n_batch = 1 if input.dim() == nd + 1 else input.size(0)
        _random_samples = rand(n_batch, input.size(-nd - 1), nd, dtype=input.dtype)
    k = _fractional_sizes(kernel_size, nd, op, "kernel_size")
    out = _fractional_sizes(output_size, nd, op, "output_size")
    where = op + ("()" if nd == 2 else "_out()")
    shape = list(input.shape)
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(f"{where}: Expected {nd + 1}D or {nd + 2}D tensor, but got: {shape}")
    for i in range(input.dim() - nd - 1, input.dim()):
        if shape[i] == 0:
            raise RuntimeError(f"{where}: Expected input to have non-zero size for non-batch "
                               f"dimensions, but got{shape} with dimension {i} being empty.")
    if any(i <= 0 for i in k):
        raise RuntimeError(f"{where}: kernel_size must be greater than zero, but got {list(k)}")
    names = ("height", "width") if nd == 2 else ("time", "height", "width")
    for name, o, kk, size in zip(names, out, k, shape[-nd:]):
        if (o + kk - 1 > size) if nd == 2 else (o + kk - 1 >= size):
            raise RuntimeError(f"{where}: pool {name} {kk} too large relative to input "
                               f"{name} {size}")
    s = _random_samples
    if s.dtype != input.dtype:
        raise RuntimeError("Expect _random_samples to have the same dtype as input")
    if s.dim() != 3:
        raise RuntimeError(f"Expect _random_samples to have 3 dimensions, got {s.dim()}")
    n = 1 if input.dim() == nd + 1 else shape[0]
    if s.shape[0] < n:
        raise RuntimeError("Expect _random_samples.size(0) no less then input batch size.")
    if s.shape[1] != shape[-nd - 1]:
        raise RuntimeError("Expect _random_samples.size(1) equals to input channel size.")
    if s.shape[2] != nd:
        raise RuntimeError(f"Expect _random_samples.size(2) equals to {nd}; got {s.shape[2]}.")
    if any(o < 0 for o in out):
        raise RuntimeError(f"Trying to create tensor with negative dimension "
                           f"{min(out)}: {shape[:-nd] + list(out)}")
    if not input.dtype.is_floating_point:
        raise NotImplementedError(
            f'"{op}_out_frame" not implemented for \'{_torch_type_name(input)}\' (floating '
            "point input expected)")
    y, idx = FractionalMaxPool.apply(input, s, k, out, f"FractionalMaxPool{nd}DBackward0")
    return (y, idx) if return_indices else y


def fractional_max_pool2d(input: Tensor, kernel_size: Any, output_size: Any = None,
                          output_ratio: Any = None, return_indices: bool = False,
                          _random_samples: Tensor | None = None) -> Any:
    """Max over pseudo-random kH x kW windows that shrink (N, C, H, W) to output_size
    (torch.nn.functional.fractional_max_pool2d)."""
    return _fractional_max(2, input, kernel_size, output_size, output_ratio, return_indices,
                           _random_samples)


def fractional_max_pool3d(input: Tensor, kernel_size: Any, output_size: Any = None,
                          output_ratio: Any = None, return_indices: bool = False,
                          _random_samples: Tensor | None = None) -> Any:
    """Max over pseudo-random kT x kH x kW windows of (N, C, T, H, W)
    (torch.nn.functional.fractional_max_pool3d)."""
    return _fractional_max(3, input, kernel_size, output_size, output_ratio, return_indices,
                           _random_samples)


def fractional_max_pool2d_with_indices(input: Tensor, kernel_size: Any, output_size: Any = None,
                                       output_ratio: Any = None, return_indices: bool = False,
                                       _random_samples: Tensor | None = None) -> tuple:
    """(values, indices) of fractional_max_pool2d."""
    return _fractional_max(2, input, kernel_size, output_size, output_ratio, True,
                           _random_samples)


def fractional_max_pool3d_with_indices(input: Tensor, kernel_size: Any, output_size: Any = None,
                                       output_ratio: Any = None, return_indices: bool = False,
                                       _random_samples: Tensor | None = None) -> tuple:
    """(values, indices) of fractional_max_pool3d."""
    return _fractional_max(3, input, kernel_size, output_size, output_ratio, True,
                           _random_samples)
