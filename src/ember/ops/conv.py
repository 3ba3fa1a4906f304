"""Convolutions of `ember.nn.functional`: conv1d/2d/3d and conv_transpose1d/2d/3d (as
`torch.nn.functional`), one implementation for every number of spatial dims.

Layout: x (N, C, *S), weight (Cout, C/groups, *K). The forward copies the patches of the padded
input into one channel-major (C, *K, N, *grid) array (kept for the weight gradient) and does one
(G, Cout/G, C/G·K) matrix product, written into the (N, Cout, *O) output with the bias in one
pass. For stride 1 the grid's rows span the padded width, so each kernel offset's patches are
contiguous runs of the flat padded input. The input gradient is the transposed convolution: one
product then a scatter-add that loops over the kernel OFFSETS only. conv_transpose is that
adjoint as a forward. Three Functions are closed under differentiation (ConvNd, ConvTransposeNd,
_ConvWeight), so double backward works."""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import as_strided, sliding_window_view

from .._tensor import Tensor
from ..autograd.function import Function

__all__ = ["conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
           "conv_transpose3d"]


# ----------------------------------------------------------------------------- array kernels
# opts = (stride, pads, dilation, groups): tuples per spatial dim; pads are (lo, hi) pairs.
# Patches are (C, *K, N, *grid) arrays: channel-major, so a conv is one plain matrix product.
# grid is the output size O, except on the stride-1 fast path where its last dim is widened to
# the padded row width: then every kernel offset's patches are runs of the flat padded input
# (one contiguous copy or add per offset); the extra columns hold
# stray values, zeroed only where a non-finite value could leak through a product with zeros.
# Big scratch arrays (patches, their gradient) are reused across calls: a fresh one costs page
# faults on every step (glibc returns big blocks to the OS), about as much as the copy itself.
_SPARE: dict = {}   # (shape, dtype) -> one spare array; a few shapes at most


def _take(shape: tuple, dtype: Any) -> np.ndarray:
    """An uninitialised array: a spare one given back by _give, or a new one."""
    a = _SPARE.pop((shape, np.dtype(dtype)), None)
    return np.empty(shape, dtype) if a is None else a


def _give(a: np.ndarray) -> None:
    """Keep a scratch array no one else references for the next _take of its shape."""
    if len(_SPARE) >= 4:
        _SPARE.pop(next(iter(_SPARE)))
    _SPARE[(a.shape, a.dtype)] = a


def _out_size(s: int, k: int, st: int, lo: int, hi: int, d: int) -> int:
    return (s + lo + hi - d * (k - 1) - 1) // st + 1


def _zero_pad(x: np.ndarray, pads: tuple) -> np.ndarray:
    if not any(lo or hi for lo, hi in pads):
        return x
    sp = x.shape[2:]
    xp = np.zeros(x.shape[:2] + tuple(s + lo + hi for s, (lo, hi) in zip(sp, pads)), x.dtype)
    xp[(Ellipsis,) + tuple(slice(lo, lo + s) for s, (lo, _) in zip(sp, pads))] = x
    return xp


def _interior(shape: tuple, pads: tuple) -> tuple:
    return (Ellipsis,) + tuple(slice(lo, lo + s) for s, (lo, _) in zip(shape[2:], pads))


def _flat(shape: tuple, ksize: tuple, opts: tuple) -> tuple:
    """Stride-1 layout: padded size P, its element strides, the flat offset of each kernel
    offset and the slack the last row's runs read past the end."""
    _, pads, dil, _ = opts
    p = tuple(s + lo + hi for s, (lo, hi) in zip(shape[2:], pads))
    pst = tuple(math.prod(p[i + 1:]) for i in range(len(p)))
    offs = [sum(k * d * s for k, d, s in zip(kk, dil, pst))
            for kk in itertools.product(*(range(k) for k in ksize))]
    return p, pst, offs, dil[-1] * (ksize[-1] - 1)


def _runs(buf: np.ndarray, n: int, c: int, p: tuple, pst: tuple, grid: tuple, off: int) -> Any:
    """(C, N, *grid) view of a flat padded (N, C, *P) buffer, shifted by off elements."""
    it = buf.itemsize
    pp = math.prod(p)
    return as_strided(buf[off:], (c, n) + grid,
                      (pp * it, c * pp * it) + tuple(s * it for s in pst))


def _patches(x: np.ndarray, ksize: tuple, opts: tuple, osz: Any = None) -> tuple:
    """Patches of the zero-padded x as a (C, *K, N, *grid) array, and O. osz, when given,
    crops O (a transposed conv's output_padding leaves positions no patch reads)."""
    stride, pads, dil, _ = opts
    nd = len(ksize)
    n, c = x.shape[:2]
    osz = osz or tuple(_out_size(s, k, st, lo, hi, d) for s, k, st, (lo, hi), d in
                       zip(x.shape[2:], ksize, stride, pads, dil))
    grid = _grid(x.shape, opts, osz)
    if grid != osz:
        p, pst, offs, slack = _flat(x.shape, ksize, opts)
        buf = np.zeros(n * c * math.prod(p) + slack, x.dtype)
        buf[:n * c * math.prod(p)].reshape(x.shape[:2] + p)[_interior(x.shape, pads)] = x
        cols = _take((c, len(offs), n) + grid, x.dtype)
        for i, off in enumerate(offs):
            cols[:, i] = _runs(buf, n, c, p, pst, grid, off)
        if not np.isfinite(np.sum(x)):   # else the extra columns only ever meet zeros
            cols[..., osz[-1]:] = 0
        return np.reshape(cols, (c,) + ksize + (n,) + grid), osz
    xp = _zero_pad(x, pads)
    span = tuple(d * (k - 1) + 1 for k, d in zip(ksize, dil))
    win = sliding_window_view(xp, span, axis=tuple(range(2, 2 + nd)))   # (N, C, *O1, *span)
    win = win[(Ellipsis,) + tuple(slice(None, None if osz is None else o * s, s)
                                  for s, o in zip(stride, osz or stride))
              + tuple(slice(None, None, d) for d in dil)]
    osz = win.shape[2:2 + nd]
    axes = (1,) + tuple(range(2 + nd, 2 + 2 * nd)) + (0,) + tuple(range(2, 2 + nd))
    cols = _take((c,) + ksize + (n,) + osz, x.dtype)
    np.copyto(cols, np.transpose(win, axes))
    return cols, osz


def _grid(x_shape: tuple, opts: tuple, osz: tuple) -> tuple:
    """The patch grid for an input of x_shape and output size osz: the fast path's (stride 1,
    and rows at most 1/8 wider than O's, as the extra columns cost product time) or O."""
    wp = x_shape[-1] + opts[1][-1][0] + opts[1][-1][1]
    if all(s == 1 for s in opts[0]) and 8 * (wp - osz[-1]) <= osz[-1]:
        return osz[:-1] + (wp,)
    return osz


def _to_grid(gy: np.ndarray, grid: tuple) -> np.ndarray:
    """(N, Cout, *O) -> contiguous (Cout, N, *grid), zero outside O."""
    t = np.empty((gy.shape[1], gy.shape[0]) + grid, gy.dtype)
    t[..., :gy.shape[-1]] = np.swapaxes(gy, 0, 1)
    t[..., gy.shape[-1]:] = 0
    return t


def _from_grid(yq: np.ndarray, osz: tuple, b: Any = None) -> np.ndarray:
    """(Cout, N, *grid) -> (N, Cout, *O) (+ bias) in one pass."""
    v = np.swapaxes(yq[..., :osz[-1]], 0, 1)
    y = np.empty(v.shape, yq.dtype)
    if b is None:
        np.copyto(y, v)
    else:
        np.add(v, np.reshape(b, (-1,) + (1,) * len(osz)), out=y)
    return y


def _scatter(dcols: np.ndarray, in_shape: tuple, opts: tuple) -> np.ndarray:
    """Adjoint of _patches: add (C, *K, N, *grid) patch values into an (N, C, *S) image, one
    vectorised slice-add per kernel offset."""
    stride, pads, dil, _ = opts
    nd = len(stride)
    n, c = in_shape[:2]
    ksize = dcols.shape[1:1 + nd]
    grid = dcols.shape[2 + nd:]
    if all(s == 1 for s in stride) and grid[-1] == in_shape[-1] + sum(pads[-1]):   # fast path
        p, pst, offs, slack = _flat(in_shape, ksize, opts)
        buf = np.zeros(n * c * math.prod(p) + slack, dcols.dtype)
        dcols = np.reshape(dcols, (c, len(offs), n) + grid)
        for i, off in enumerate(offs):
            v = _runs(buf, n, c, p, pst, grid, off)
            np.add(v, dcols[:, i], out=v)
        out = buf[:n * c * math.prod(p)].reshape((n, c) + p)[_interior(in_shape, pads)]
        return np.ascontiguousarray(out)
    full = tuple(s + lo + hi for s, (lo, hi) in zip(in_shape[2:], pads))
    out = np.zeros((c, n) + full, dcols.dtype)   # (C, N, *S) like dcols
    for off in itertools.product(*(range(k) for k in ksize)):
        idx = (slice(None), slice(None)) + tuple(
            slice(o * d, o * d + s * (m - 1) + 1, s) for o, d, s, m in zip(off, dil, stride, grid))
        out[idx] += dcols[(slice(None),) + off]
    return np.ascontiguousarray(np.swapaxes(out, 0, 1)[_interior(in_shape, pads)])


def _bmm(a: np.ndarray, b: np.ndarray, out: Any = None) -> np.ndarray:
    """(G, m, k) @ (G, k, n) (into out); one plain BLAS product when G == 1."""
    if a.shape[0] == 1:
        return np.dot(a[0], b[0], None if out is None else out[0])[None]
    return np.matmul(a, b, out=out)


def _conv_cols(cols: np.ndarray, w: np.ndarray, osz: tuple, g: int, b: Any = None) -> Any:
    """y = conv(x, w) (+ b) from x's patches: (G, Cout/G, C/G·K) @ (G, C/G·K, N·grid)."""
    ng = cols.shape[w.ndim - 1:]   # (N, *grid)
    y = _bmm(np.reshape(w, (g, w.shape[0] // g, math.prod(w.shape[1:]))),
             np.reshape(cols, (g, math.prod(w.shape[1:]), math.prod(ng))))
    return _from_grid(np.reshape(y, (w.shape[0],) + ng), osz, b)


def _conv(x: np.ndarray, w: np.ndarray, opts: tuple, osz: Any = None, b: Any = None) -> Any:
    cols, osz = _patches(x, w.shape[2:], opts, osz)
    y = _conv_cols(cols, w, osz, opts[3], b)
    _give(cols)
    return y


def _conv_input_grad(gy: np.ndarray, w: np.ndarray, in_shape: tuple, opts: tuple,
                     gq: Any = None) -> np.ndarray:
    """dx of y = conv(x, w) for dy = gy (= conv_transpose(gy, w)): one product then scatter;
    gq is gy already on the grid."""
    g = opts[3]
    if gq is None:
        gq = _to_grid(gy, _grid(in_shape, opts, gy.shape[2:]))
    wg = np.reshape(w, (g, w.shape[0] // g, math.prod(w.shape[1:])))
    spare = _take((g, wg.shape[2], math.prod(gq.shape[1:])), np.result_type(w, gq))
    dcols = _bmm(np.swapaxes(wg, 1, 2),
                 np.reshape(gq, (g, w.shape[0] // g, math.prod(gq.shape[1:]))), spare)
    dcols = np.reshape(dcols, (in_shape[1],) + w.shape[2:] + gq.shape[1:])
    if gq.shape[-1] != gy.shape[-1] and not np.isfinite(np.sum(w)):
        dcols[..., gy.shape[-1]:] = 0   # 0·inf: keep the extra grid columns at zero
    gx = _scatter(dcols, in_shape, opts)
    _give(spare)
    return gx


def _weight_grad_cols(cols: np.ndarray, gq: np.ndarray, w_shape: tuple, g: int) -> np.ndarray:
    """dw from x's patches and dy on the grid: gq (G, Cout/G, N·grid) @ colsᵀ."""
    nl = math.prod(gq.shape[1:])
    cols = np.reshape(cols, (g, cols.shape[0] // g * math.prod(w_shape[2:]), nl))
    gq = np.reshape(gq, (g, w_shape[0] // g, nl))
    # (cols @ gyᵀ)ᵀ: OpenBLAS is far faster with the long N·L axis as the inner one of both
    return np.reshape(np.swapaxes(_bmm(cols, np.swapaxes(gq, 1, 2)), 1, 2), w_shape)


def _conv_weight_grad(x: np.ndarray, gy: np.ndarray, w_shape: tuple, opts: tuple) -> np.ndarray:
    """dw of y = conv(x, w) for dy = gy: batch and positions in one product."""
    cols, osz = _patches(x, w_shape[2:], opts, gy.shape[2:])
    gw = _weight_grad_cols(cols, _to_grid(gy, cols.shape[len(w_shape):]), w_shape, opts[3])
    _give(cols)
    return gw


def _bias_grad(g: Any) -> Any:
    return np.sum(g, axis=(0,) + tuple(range(2, g.ndim)))


# ----------------------------------------------------------------------------- Functions
class ConvNd(Function):
    """y = conv(x, w) + b over any number of spatial dims (torch.convolution)."""

    _raw = True
    _name = "ConvolutionBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any, w: Any, b: Any, opts: tuple, osz: Any = None) -> Any:
        need = ctx.needs_input_grad
        ctx.save_for_backward(x if need[1] else None, w if need[0] else None)
        ctx.opts = opts
        ctx.x_shape = x.shape
        ctx.w_shape = w.shape
        cols, osz = _patches(x, w.shape[2:], opts, osz)
        y = _conv_cols(cols, w, osz, opts[3], b)
        if need[1]:
            ctx.cols = cols   # reused by the weight gradient (given back there)
        else:
            _give(cols)
        return y

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        # dx = conv_transpose(g, w), dw = Σ g ⋆ x, db = Σ g over batch and positions
        x, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        opts = ctx.opts
        gx = gw = gb = None
        if isinstance(g, Tensor):
            if need[0]:
                gx = ConvTransposeNd.apply(g, w, None, opts, ctx.x_shape)
            if need[1]:
                gw = _ConvWeight.apply(x, g, opts, ctx.w_shape)
        else:
            gq = _to_grid(g, _grid(ctx.x_shape, opts, g.shape[2:]))
            if need[0]:
                gx = _conv_input_grad(g, w, ctx.x_shape, opts, gq)
            if need[1]:
                cols = ctx.__dict__.pop("cols", None)   # gone after a retain_graph backward
                if cols is None:
                    cols = _patches(x, ctx.w_shape[2:], opts, g.shape[2:])[0]
                gw = _weight_grad_cols(cols, gq, ctx.w_shape, opts[3])
                _give(cols)
            if need[2]:
                gb = np.sum(np.reshape(gq, (gq.shape[0], math.prod(gq.shape[1:]))), axis=1)
            return gx, gw, gb, None, None
        if need[2]:
            gb = _bias_grad(g)
        return gx, gw, gb, None, None


class ConvTransposeNd(Function):
    """y = conv_transpose(x, w) + b, the adjoint of ConvNd with the same weight and options;
    out_shape is the (N, Cout, *S) result shape (torch.convolution, transposed=True)."""

    _raw = True
    _name = "ConvolutionBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any, w: Any, b: Any, opts: tuple, out_shape: tuple) -> Any:
        need = ctx.needs_input_grad
        ctx.save_for_backward(x if need[1] else None, w if need[0] else None)
        ctx.opts = opts
        ctx.w_shape = w.shape
        ctx.x_shape = x.shape
        y = _conv_input_grad(x, w, out_shape, opts)
        if b is not None:
            y += np.reshape(b, (-1,) + (1,) * (y.ndim - 2))
        return y

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        # dx = conv(g, w), dw = Σ x ⋆ g (conv's weight grad with roles swapped), db = Σ g
        x, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        opts = ctx.opts
        gx = gw = gb = None
        if isinstance(g, Tensor):
            if need[0]:
                gx = ConvNd.apply(g, w, None, opts, ctx.x_shape[2:])
            if need[1]:
                gw = _ConvWeight.apply(g, x, opts, ctx.w_shape)
        else:
            if need[0]:
                gx = _conv(g, w, opts, ctx.x_shape[2:])
            if need[1]:
                gw = _conv_weight_grad(g, x, ctx.w_shape, opts)
        if need[2]:
            gb = _bias_grad(g)
        return gx, gw, gb, None, None


class _ConvWeight(Function):
    """dw = conv's weight gradient for input x and output gradient gy (for double backward)."""

    _raw = True
    _name = "ConvolutionBackwardBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any, gy: Any, opts: tuple, w_shape: tuple) -> Any:
        need = ctx.needs_input_grad
        ctx.save_for_backward(x if need[1] else None, gy if need[0] else None)
        ctx.opts = opts
        ctx.x_shape = x.shape
        ctx.gy_shape = gy.shape
        return _conv_weight_grad(x, gy, w_shape, opts)

    @staticmethod
    def backward(ctx: Any, h: Any) -> Any:
        # <h, dw(x, gy)> is bilinear: d/dx = conv_transpose(gy, h), d/dgy = conv(x, h)
        x, gy = ctx.saved_tensors
        need = ctx.needs_input_grad
        opts = ctx.opts
        t = isinstance(h, Tensor)
        gx = ggy = None
        if need[0]:
            gx = (ConvTransposeNd.apply(gy, h, None, opts, ctx.x_shape) if t
                  else _conv_input_grad(gy, h, ctx.x_shape, opts))
        if need[1]:
            osz = ctx.gy_shape[2:]
            ggy = ConvNd.apply(x, h, None, opts, osz) if t else _conv(x, h, opts, osz)
        return gx, ggy, None, None


# ----------------------------------------------------------------------------- entry points
def _tuple(v: Any, nd: int, name: str, op: str) -> tuple:
    if isinstance(v, int):
        return (v,) * nd
    v = tuple(int(i) for i in v)
    if len(v) == 1:
        return v * nd
    if len(v) != nd:
        raise RuntimeError(
            f"{op}: expected {name} to be a single integer value or a list of {nd} values to "
            f"match the convolution dimensions, but got {name}={list(v)}")
    return v


def _fmt(shape: Any) -> str:
    return " x ".join(str(s) for s in shape)


def _check_common(op: str, nd: int, input: Tensor, weight: Tensor, transposed: bool) -> bool:
    """Dims and dtype checks shared by conv and conv_transpose; returns whether batched."""
    x, w = input._data, weight._data
    if x.ndim != nd + 2:
        if x.ndim != nd + 1:
            letters = "CDHW"[-nd - 1:] if nd < 3 else "CDHW"
            raise RuntimeError(
                f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {op}, but got "
                f"input of size: {list(x.shape)} (expected (N, {', '.join(letters)}) or "
                f"({', '.join(letters)}))")
    if w.ndim != nd + 2:
        raise RuntimeError(
            f"{op}: expected weight to be {nd + 2}-dimensional "
            f"({'(in, out/groups, *kernel)' if transposed else '(out, in/groups, *kernel)'}), "
            f"but got weight of size {list(w.shape)}")
    if x.dtype != w.dtype:
        raise RuntimeError(
            f"{op}: Input type ({x.dtype}) and weight type ({w.dtype}) should be the same")
    return x.ndim == nd + 2


def _check_bias(op: str, bias: Any, n_out: int, w: np.ndarray) -> None:
    if bias is not None and (bias.dim() != 1 or bias.shape[0] != n_out):
        raise RuntimeError(
            f"{op}: Given weight of size {list(w.shape)}, expected bias to be 1-dimensional "
            f"with {n_out} elements, but got bias of size {list(bias.shape)} instead")


def _convnd(op: str, nd: int, input: Tensor, weight: Tensor, bias: Any, stride: Any,
            padding: Any, dilation: Any, groups: int) -> Tensor:
    batched = _check_common(op, nd, input, weight, False)
    x, w = input._data, weight._data
    stride = _tuple(stride, nd, "stride", op)
    dilation = _tuple(dilation, nd, "dilation", op)
    ksize = w.shape[2:]
    if isinstance(padding, str):
        if padding == "valid":
            pads = ((0, 0),) * nd
        elif padding == "same":
            if any(s != 1 for s in stride):
                raise RuntimeError(
                    f"{op}: padding='same' is not supported for strided convolutions "
                    f"(stride={list(stride)})")
            # total d·(k-1); the odd extra goes on the right, as torch
            pads = tuple((d * (k - 1) // 2, d * (k - 1) - d * (k - 1) // 2)
                         for k, d in zip(ksize, dilation))
        else:
            raise RuntimeError(f"{op}: Invalid padding string: {padding!r} (expected 'valid', "
                               "'same', an int or a tuple of ints)")
    else:
        pads = tuple((p, p) for p in _tuple(padding, nd, "padding", op))
    if min(stride) <= 0:
        raise RuntimeError(f"{op}: non-positive stride is not supported (stride={list(stride)})")
    if min(dilation) <= 0:
        raise RuntimeError(f"{op}: dilation should be greater than zero "
                           f"(dilation={list(dilation)})")
    if min(min(p) for p in pads) < 0:
        raise RuntimeError(f"{op}: negative padding is not supported (padding={padding})")
    c = x.shape[1] if batched else x.shape[0]
    if groups <= 0:
        raise RuntimeError(f"{op}: non-positive groups is not supported (groups={groups})")
    if w.shape[0] % groups:
        raise RuntimeError(
            f"{op}: Given groups={groups}, expected weight to be divisible by {groups} at "
            f"dimension 0, but got weight of size {list(w.shape)} instead")
    if c != w.shape[1] * groups:
        shape = list(x.shape) if batched else [1] + list(x.shape)
        raise RuntimeError(
            f"{op}: Given groups={groups}, weight of size {list(w.shape)}, expected "
            f"input{shape} to have {w.shape[1] * groups} channels, but got {c} channels "
            f"instead (channels are dim {1 if batched else 0} of the input; in_channels "
            f"{w.shape[1] * groups} = weight.shape[1] {w.shape[1]} x groups {groups})")
    _check_bias(op, bias, w.shape[0], w)
    sp = x.shape[-nd:]
    padded = tuple(s + lo + hi for s, (lo, hi) in zip(sp, pads))
    span = tuple(d * (k - 1) + 1 for k, d in zip(ksize, dilation))
    if any(p < k for p, k in zip(padded, span)):
        raise RuntimeError(
            f"{op}: Calculated padded input size per channel: ({_fmt(padded)}). Kernel size: "
            f"({_fmt(span)}). Kernel size can't be greater than actual input size (input "
            f"{list(x.shape)}, padding {padding}, dilation {list(dilation)})")
    opts = (stride, pads, dilation, groups)
    if batched:
        return ConvNd.apply(input, weight, bias, opts)
    return ConvNd.apply(input.unsqueeze(0), weight, bias, opts).squeeze(0)


def _conv_transposend(op: str, nd: int, input: Tensor, weight: Tensor, bias: Any, stride: Any,
                      padding: Any, output_padding: Any, groups: int, dilation: Any) -> Tensor:
    batched = _check_common(op, nd, input, weight, True)
    x, w = input._data, weight._data
    stride = _tuple(stride, nd, "stride", op)
    dilation = _tuple(dilation, nd, "dilation", op)
    if isinstance(padding, str):
        raise RuntimeError(f"{op}: padding must be an int or a tuple of ints for a transposed "
                           f"convolution, got {padding!r}")
    padding = _tuple(padding, nd, "padding", op)
    output_padding = _tuple(output_padding, nd, "output_padding", op)
    if min(stride) <= 0:
        raise RuntimeError(f"{op}: non-positive stride is not supported (stride={list(stride)})")
    if min(dilation) <= 0:
        raise RuntimeError(f"{op}: dilation should be greater than zero "
                           f"(dilation={list(dilation)})")
    if min(padding) < 0:
        raise RuntimeError(f"{op}: negative padding is not supported "
                           f"(padding={list(padding)})")
    if any(o >= s and o >= d for o, s, d in zip(output_padding, stride, dilation)):
        names = ("depth", "height", "width")[-nd:] if nd > 1 else ("width",)
        parts = " ".join(f"output_padding_{n}: {o}" for n, o in zip(names, output_padding))
        parts += " " + " ".join(f"stride_{n}: {s}" for n, s in zip(names, stride))
        parts += " " + " ".join(f"dilation_{n}: {d}" for n, d in zip(names, dilation))
        raise RuntimeError(f"{op}: output padding must be smaller than either stride or "
                           f"dilation, but got {parts}")
    c = x.shape[1] if batched else x.shape[0]
    if groups <= 0:
        raise RuntimeError(f"{op}: non-positive groups is not supported (groups={groups})")
    if c != w.shape[0] or w.shape[0] % groups:
        shape = list(x.shape) if batched else [1] + list(x.shape)
        raise RuntimeError(
            f"{op}: Given transposed=1, weight of size {list(w.shape)}, expected input{shape} "
            f"to have {w.shape[0]} channels, but got {c} channels instead (channels are dim "
            f"{1 if batched else 0} of the input; weight is (in_channels, "
            f"out_channels/groups, *kernel) with groups={groups})")
    n_out = w.shape[1] * groups
    _check_bias(op, bias, n_out, w)
    ksize = w.shape[2:]
    osz = tuple((i - 1) * s - 2 * p + d * (k - 1) + o + 1 for i, s, p, d, k, o in
                zip(x.shape[-nd:], stride, padding, dilation, ksize, output_padding))
    if min(osz) <= 0:
        raise RuntimeError(
            f"{op}: the output size ({_fmt(osz)}) is too small: (in - 1)·stride - 2·padding + "
            f"dilation·(kernel - 1) + output_padding + 1 with input {list(x.shape)}, kernel "
            f"{list(ksize)}, stride {list(stride)}, padding {list(padding)}, dilation "
            f"{list(dilation)}, output_padding {list(output_padding)}")
    opts = (stride, tuple((p, p) for p in padding), dilation, groups)
    if batched:
        return ConvTransposeNd.apply(input, weight, bias, opts, (x.shape[0], n_out) + osz)
    return ConvTransposeNd.apply(input.unsqueeze(0), weight, bias, opts,
                                 (1, n_out) + osz).squeeze(0)


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """1-D convolution of (N, C, L) by weight (out, C/groups, k) (torch.nn.functional.conv1d)."""
    return _convnd("conv1d", 1, input, weight, bias, stride, padding, dilation, groups)


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """2-D convolution of (N, C, H, W) by weight (out, C/groups, kh, kw)
    (torch.nn.functional.conv2d)."""
    return _convnd("conv2d", 2, input, weight, bias, stride, padding, dilation, groups)


def conv3d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """3-D convolution of (N, C, D, H, W) by weight (out, C/groups, kd, kh, kw)
    (torch.nn.functional.conv3d)."""
    return _convnd("conv3d", 3, input, weight, bias, stride, padding, dilation, groups)


def conv_transpose1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
                     padding: Any = 0, output_padding: Any = 0, groups: int = 1,
                     dilation: Any = 1) -> Tensor:
    """Transposed 1-D convolution, weight (in, out/groups, k)
    (torch.nn.functional.conv_transpose1d)."""
    return _conv_transposend("conv_transpose1d", 1, input, weight, bias, stride, padding,
                             output_padding, groups, dilation)


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
                     padding: Any = 0, output_padding: Any = 0, groups: int = 1,
                     dilation: Any = 1) -> Tensor:
    """Transposed 2-D convolution, weight (in, out/groups, kh, kw)
    (torch.nn.functional.conv_transpose2d)."""
    return _conv_transposend("conv_transpose2d", 2, input, weight, bias, stride, padding,
                             output_padding, groups, dilation)


def conv_transpose3d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,
                     padding: Any = 0, output_padding: Any = 0, groups: int = 1,
                     dilation: Any = 1) -> Tensor:
    """Transposed 3-D convolution, weight (in, out/groups, kd, kh, kw)
    (torch.nn.functional.conv_transpose3d)."""
    return _conv_transposend("conv_transpose3d", 3, input, weight, bias, stride, padding,
                             output_padding, groups, dilation)
