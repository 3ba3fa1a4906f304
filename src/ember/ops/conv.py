"""Convolutions of `ember.nn.functional`: conv1d/2d/3d and conv_transpose1d/2d/3d (as
`torch.nn.functional`), one implementation for every number of spatial dims.

Layout: x (N, C, *S), weight (Cout, C/groups, *K). The patches of the padded input are a
channel-major (C, *K, N, *grid) strided view; the forward copies them chunk by chunk into a
small block and does one (G, Cout/G, C/G·K) matrix product per block, then writes the
(N, Cout, *O) output with the bias in one pass. For stride 1 the grid's rows span the padded
width, so each kernel offset's patches are contiguous runs of the flat padded input. The weight
gradient recopies the blocks (or reuses the forward's one block when it was a single one); the
input gradient is the transposed convolution: per block one product, then an add per kernel
OFFSET through the same view. conv_transpose is that adjoint as a forward. Three Functions are
closed under differentiation (ConvNd, ConvTransposeNd, _ConvWeight), so double backward
works."""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .._tensor import Tensor
from ..autograd.function import Function

# Set by ember.amp.autocast while CPU float16 autocast is on (else None): the input casts of
# torch's CPU autocast lists, to float16 for the convolutions.
_autocast = None

__all__ = ["conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
           "conv_transpose3d"]


# ----------------------------------------------------------------------------- array kernels
# opts = (stride, pads, dilation, groups): tuples per spatial dim; pads are (lo, hi) pairs.
# The padded input lives in a flat (N, C, *P) buffer. Its patches are a (C, *K, N, *grid)
# strided view of it (nothing copied): channel-major, so a conv is a plain matrix product. grid
# is the output size O, except for stride 1 with rows at most 1/4 wider than O's, where its last
# dim is widened to the padded row width P[-1]: then each kernel offset's patches are whole runs
# of the flat buffer (long contiguous copies), and the extra columns read stray values (past a
# row's end, into the next), zeroed only where a non-finite value could leak through a product
# with zeros. The input gradient adds patch gradients back through the same view of a zero
# buffer, one add per kernel offset.
# Patches are never materialised beyond one block: the products run over chunks of the
# (N, *grid) columns, each copied into a reused scratch block (the weight gradient copies them
# again instead of keeping them, except when they fit one block). Chunks of 4 MB, which stay in
# the cache for their product, ran up to 2x faster alone but each product then becomes one of
# many short two-threaded BLAS calls, which stall whenever another thread holds a core (2x
# slower in the benchmark, next to torch's spinning OpenMP threads); 64 MB keeps the calls few.
_CHUNK = 1 << 26   # bytes of a chunk's patches
# Scratch arrays are reused across calls (fewer allocations; the page faults a fresh big array
# would cost are avoided process-wide by _backend._keep_freed_memory).
_SPARE: dict = {}   # (shape, dtype) -> one spare array; a few shapes at most


def _take(shape: tuple, dtype: Any) -> np.ndarray:
    """An uninitialised array: a spare one given back by _give, or a new one."""
    a = _SPARE.pop((shape, np.dtype(dtype)), None)
    return np.empty(shape, dtype) if a is None else a


def _give(a: np.ndarray) -> None:
    """Keep a scratch array no one else references for the next _take of its shape."""
    if len(_SPARE) >= 16:
        _SPARE.pop(next(iter(_SPARE)))
    _SPARE[(a.shape, a.dtype)] = a


def _out_size(s: int, k: int, st: int, lo: int, hi: int, d: int) -> int:
    return (s + lo + hi - d * (k - 1) - 1) // st + 1


def _grid(x_shape: tuple, opts: tuple, osz: tuple) -> tuple:
    """The patch grid for an input of x_shape and output size osz: the widened one (stride 1,
    and rows at most 1/4 wider than O's: the extra columns cost product time, and O's short
    rows cost copy and add time) or O."""
    wp = x_shape[-1] + opts[1][-1][0] + opts[1][-1][1]
    if all(s == 1 for s in opts[0]) and 4 * (wp - osz[-1]) <= osz[-1]:
        return osz[:-1] + (wp,)
    return osz


class _Layout:
    """The padded flat buffer of an (N, C, *S) input and the patch view on it."""

    def __init__(self, shape: tuple, ksize: tuple, opts: tuple, osz: Any = None) -> None:
        stride, pads, dil, _ = opts
        self.shape, self.pads = shape, pads
        self.osz = osz or tuple(_out_size(s, k, st, lo, hi, d) for s, k, st, (lo, hi), d in
                                zip(shape[2:], ksize, stride, pads, dil))
        self.grid = _grid(shape, opts, self.osz)
        self.p = shape[:2] + tuple(s + lo + hi for s, (lo, hi) in zip(shape[2:], pads))
        pst = [math.prod(self.p[i + 1:]) for i in range(len(self.p))]
        self.strides = ((pst[1],) + tuple(d * s for d, s in zip(dil, pst[2:])) + (pst[0],)
                        + tuple(st * s for st, s in zip(stride, pst[2:])))
        # a widened grid's last runs read past the end
        self.size = math.prod(self.p) + (dil[-1] * (ksize[-1] - 1) if self.grid != self.osz
                                         else 0)
        self.view_shape = (shape[1],) + ksize + (shape[0],) + self.grid

    def view(self, buf: np.ndarray) -> np.ndarray:
        """The (C, *K, N, *grid) patches of a flat buffer."""
        return as_strided(buf, self.view_shape, tuple(v * buf.itemsize for v in self.strides))

    def interior(self, buf: np.ndarray) -> np.ndarray:
        """The (N, C, *S) input part of a flat buffer."""
        return np.reshape(buf[:math.prod(self.p)], self.p)[
            (Ellipsis,) + tuple(slice(lo, lo + s) for s, (lo, _) in
                                zip(self.shape[2:], self.pads))]

    def source(self, x: np.ndarray) -> np.ndarray:
        """x's patches (a copy of x padded, or x itself when no padding is needed)."""
        if self.size == x.size and x.flags.c_contiguous:
            return self.view(np.reshape(x, -1))
        buf = np.zeros(self.size, x.dtype)
        self.interior(buf)[...] = x
        return self.view(buf)


def _chunks(ng: tuple, col_bytes: int) -> list:
    """(index, columns) of chunks of (N, *grid) whose columns take about _CHUNK bytes each, the
    first one the largest: runs of whole samples, or slices of one sample's first grid dim."""
    n, grid = ng[0], ng[1:]
    cols = max(1, _CHUNK // max(1, col_bytes))
    per = math.prod(grid)
    if per <= cols or len(grid) == 1:
        m = max(1, cols // max(1, per))
        return [((slice(i, i + m),), min(m, n - i) * per) for i in range(0, max(n, 1), m)]
    s = max(1, cols // math.prod(grid[1:]))
    return [((i, slice(j, j + s)), min(s, grid[0] - j) * per // grid[0])
            for i in range(n) for j in range(0, grid[0], s)]


class _Blocks:
    """The patches src (C, *K, N, *grid) chunk by chunk: (index over (N, *grid), columns,
    (G, C/G·K, columns) block); each block is copied into one reused scratch array, and its
    extra grid columns zeroed from clean on when that is not None. keep: a single block is not
    given back but left in .kept = (scratch, block), for the weight gradient."""

    def __init__(self, src: np.ndarray, g: int, clean: Any, keep: bool = False) -> None:
        self.src, self.g, self.clean = src, g, clean
        self.nk = (src.ndim - 1) // 2   # C and the kernel dims
        self.kc = math.prod(src.shape[:1 + self.nk])
        self.idx = _chunks(src.shape[1 + self.nk:], self.kc * src.itemsize)
        self.scratch = _take((self.kc * self.idx[0][1],), src.dtype)
        self.keep = keep and len(self.idx) == 1
        self.kept = None

    def __iter__(self) -> Any:
        head = (slice(None),) * (1 + self.nk)
        for i, cols in self.idx:
            part = self.src[head + i]
            blk = np.reshape(self.scratch[:part.size], part.shape)
            np.copyto(blk, part)
            if self.clean is not None:
                blk[..., self.clean:] = 0
            blk = np.reshape(blk, (self.g, self.kc // self.g, cols))
            yield i, cols, blk
        if self.keep:
            self.kept = (self.scratch, blk)
        else:
            _give(self.scratch)


def _clean(x: np.ndarray, lay: _Layout) -> Any:
    """Where a block's extra grid columns start if they must be zeroed: only for a non-finite
    input (else they only ever meet zeros)."""
    return None if lay.grid == lay.osz or np.isfinite(np.sum(x)) else lay.osz[-1]


def _to_grid(gy: np.ndarray, grid: tuple) -> np.ndarray:
    """(N, Cout, *O) -> contiguous (Cout, N, *grid), zero outside O (a scratch array)."""
    t = _take((gy.shape[1], gy.shape[0]) + grid, gy.dtype)
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


# The products warn of no overflow or inf·0 (as torch; np.dot never did)
_quiet = np.errstate(over="ignore", invalid="ignore")


@_quiet
def _conv(x: np.ndarray, w: np.ndarray, opts: tuple, osz: Any = None, b: Any = None,
          keep: bool = False) -> Any:
    """y = conv(x, w) (+ b): per chunk of columns, (G, Cout/G, C/G·K) @ (G, C/G·K, columns).
    keep: return (y, patches kept for _conv_weight_grad, or None when they took chunks)."""
    g, cout = opts[3], w.shape[0]
    lay = _Layout(x.shape, w.shape[2:], opts, osz)
    yq = _take((cout, x.shape[0]) + lay.grid, np.result_type(x, w))
    wg = np.reshape(w, (g, cout // g, w[0].size))
    # (a product's columns are independent: stray values in extra ones only matter to dw)
    blocks = _Blocks(lay.source(x), g, _clean(x, lay) if keep else None, keep)
    for i, cols, blk in blocks:
        np.matmul(wg, blk, out=np.reshape(yq[(slice(None),) + i], (g, cout // g, cols)))
    y = _from_grid(yq, lay.osz, b)
    _give(yq)
    return (y, blocks.kept) if keep else y


@_quiet
def _conv_weight_grad(x: np.ndarray, gy: np.ndarray, w_shape: tuple, opts: tuple,
                      gq: Any = None, kept: Any = None) -> np.ndarray:
    """dw of y = conv(x, w) for dy = gy: Σ over chunks of patches @ dyᵀ; gq is gy already on
    the grid, kept the patches _conv kept (given back here)."""
    g, cout = opts[3], w_shape[0]
    lay = _Layout(x.shape, w_shape[2:], opts, gy.shape[2:])
    own = gq is None
    if own:
        gq = _to_grid(gy, lay.grid)
    blocks = (_Blocks(lay.source(x), g, _clean(x, lay)) if kept is None
              else [((slice(None),), gq[0].size, kept[1])])
    gw = None
    for i, cols, blk in blocks:
        gb = np.reshape(gq[(slice(None),) + i], (g, cout // g, cols))
        # (patches @ dyᵀ)ᵀ: OpenBLAS is far faster with the long column axis inner in both
        part = np.matmul(blk, np.swapaxes(gb, 1, 2))
        gw = part if gw is None else np.add(gw, part, out=gw)
    if kept is not None:
        _give(kept[0])
    if own:
        _give(gq)
    return np.reshape(np.swapaxes(gw, 1, 2), w_shape)


@_quiet
def _conv_input_grad(gy: np.ndarray, w: np.ndarray, in_shape: tuple, opts: tuple,
                     gq: Any = None) -> np.ndarray:
    """dx of y = conv(x, w) for dy = gy (= conv_transpose(gy, w)): per chunk of columns the
    patch gradient (G, C/G·K, Cout/G) @ (G, Cout/G, columns), added back through the patch
    view of a zero buffer, one add per kernel offset; gq is gy already on the grid."""
    g, cout, ksize = opts[3], w.shape[0], w.shape[2:]
    lay = _Layout(in_shape, ksize, opts, gy.shape[2:])
    own = gq is None
    if own:
        gq = _to_grid(gy, lay.grid)
    wg = np.swapaxes(np.reshape(w, (g, cout // g, w[0].size)), 1, 2)   # (G, C/G·K, Cout/G)
    kc = wg.shape[1] * g
    buf = np.zeros(lay.size, np.result_type(w, gq))
    dst = lay.view(buf)
    idx = _chunks(gq.shape[1:], kc * buf.itemsize)
    scratch = _take((kc * idx[0][1],), buf.dtype)
    blank = gq.shape[-1] != gy.shape[-1] and not np.isfinite(np.sum(w))   # 0·inf: zero the
    offs = list(itertools.product(*(range(k) for k in ksize)))   # extra grid columns
    for i, cols in idx:
        part = gq[(slice(None),) + i]
        blk = np.reshape(scratch[:kc * cols], (g, wg.shape[1], cols))
        np.matmul(wg, np.reshape(part, (g, cout // g, cols)), out=blk)
        blk = np.reshape(blk, (in_shape[1],) + ksize + part.shape[1:])
        if blank:
            blk[..., gy.shape[-1]:] = 0
        for off in offs:
            v = dst[(slice(None),) + off + i]
            np.add(v, blk[(slice(None),) + off], out=v)
    _give(scratch)
    if own:
        _give(gq)
    return np.ascontiguousarray(lay.interior(buf))


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
        if not need[1]:
            return _conv(x, w, opts, osz, b)
        y, ctx.cols = _conv(x, w, opts, osz, b, keep=True)   # small patches: kept for dw
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
            gq = _to_grid(g, _grid(ctx.x_shape, opts, g.shape[2:])) if need[1] or need[2] else None
            if need[0]:
                gx = _conv_input_grad(g, w, ctx.x_shape, opts, gq)
            if need[1]:   # the kept patches are gone after a retain_graph backward
                gw = _conv_weight_grad(x, g, ctx.w_shape, opts, gq, ctx.__dict__.pop("cols", None))
            if need[2]:
                gb = np.sum(np.reshape(gq, (gq.shape[0], math.prod(gq.shape[1:]))), axis=1)
            if gq is not None:
                _give(gq)
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
    if _autocast is not None:
        input, weight, bias = _autocast(input, weight, bias)
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
    if w.shape[0] < groups:
        raise RuntimeError(
            f"{op}: Given groups={groups}, expected weight to be at least {groups} at dimension "
            f"0 (out_channels), but got weight of size {list(w.shape)} instead")
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
    if _autocast is not None:
        input, weight, bias = _autocast(input, weight, bias)
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
