"""Resampling (as `torch.nn.functional`): interpolate/upsample, pixel_shuffle/unshuffle,
unfold/fold, grid_sample, affine_grid, channel_shuffle.

interpolate is separable: each mode is one (out, in) weight matrix per spatial dim built from
torch's source-index formulas, applied with matmul (nearest with np.take); backward applies the
transposes (`pool.LinearMap`). unfold/fold are each other's adjoint. grid_sample and affine_grid
are compositions of ember ops (gradients for input and grid come from autograd)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._tensor import Tensor, _make
from . import pool
from .pool import LinearMap, Separable, _ntuple

__all__ = ["interpolate", "upsample", "upsample_nearest", "upsample_bilinear", "pixel_shuffle",
           "pixel_unshuffle", "unfold", "fold", "grid_sample", "affine_grid",
           "channel_shuffle", "native_channel_shuffle"]

_win = np.lib.stride_tricks.sliding_window_view
_MODE_DIMS = {"linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3}
_A = -0.75   # torch's bicubic convolution coefficient


# ----------------------------------------------------------------------------- interpolate
def _src_scale(n_in: int, n_out: int, align_corners: bool, scale: Any) -> float:
    """torch's area_pixel_compute_scale: the input step per output step."""
    if align_corners:
        return (n_in - 1) / (n_out - 1) if n_out > 1 else 0.0
    return 1.0 / scale if scale is not None and scale > 0 else n_in / n_out


def _nearest_index(n_in: int, n_out: int, scale: Any, exact: bool) -> np.ndarray:
    """Source index per output position (torch computes in float32)."""
    s = np.float32(1.0 / scale if scale is not None and scale > 0 else n_in / n_out)
    j = np.arange(n_out, dtype=np.float32)
    if exact:
        j = j + np.float32(0.5)
    return np.minimum(np.floor(j * s).astype(np.int64), n_in - 1)


def _interp_matrix(n_in: int, n_out: int, mode: str, align_corners: bool,
                   scale: Any) -> np.ndarray:
    """(n_out, n_in) weights of one dim for linear or cubic interpolation."""
    s = _src_scale(n_in, n_out, align_corners, scale)
    j = np.arange(n_out, dtype=np.float64)
    src = s * j if align_corners else s * (j + 0.5) - 0.5
    m = np.zeros((n_out, n_in))
    rows = np.arange(n_out)
    if mode == "cubic":
        i0 = np.floor(src).astype(np.int64)
        t = src - i0
        w = [((_A * (t + 1) - 5 * _A) * (t + 1) + 8 * _A) * (t + 1) - 4 * _A,
             ((_A + 2) * t - (_A + 3)) * t * t + 1,
             ((_A + 2) * (1 - t) - (_A + 3)) * (1 - t) * (1 - t) + 1,
             ((_A * (2 - t) - 5 * _A) * (2 - t) + 8 * _A) * (2 - t) - 4 * _A]
        for o in range(4):   # taps i0-1 .. i0+2, clamped to the border
            np.add.at(m, (rows, np.clip(i0 - 1 + o, 0, n_in - 1)), w[o])
        return m
    if not align_corners:
        src = np.maximum(src, 0.0)
    i0 = src.astype(np.int64)
    i1 = i0 + (i0 < n_in - 1)
    l1 = src - i0
    np.add.at(m, (rows, i0), 1.0 - l1)
    np.add.at(m, (rows, i1), l1)
    return m


class _Take:
    """x -> x indexed along each spatial dim by idx[i] (nearest interpolation)."""

    def __init__(self, idx: list, n_in: list) -> None:
        self.idx, self.n_in = idx, n_in

    def __call__(self, x: np.ndarray) -> np.ndarray:
        nd = len(self.idx)
        for i, ix in enumerate(self.idx):
            if ix is not None:
                x = np.take(x, ix, axis=x.ndim - nd + i)
        return x

    @property
    def T(self) -> Separable:   # the adjoint: one-hot matrices, transposed
        mats = [None if ix is None else (np.arange(n)[None, :] == ix[:, None]).astype(np.float64)
                for ix, n in zip(self.idx, self.n_in)]
        return Separable(mats, True)


def _as_list(v: Any, nd: int, what: str, sp: tuple) -> list:
    if isinstance(v, (tuple, list)):
        if len(v) != nd:
            raise ValueError(
                f"Input and output must have the same number of spatial dimensions, but got "
                f"input with spatial dimensions of {list(sp)} and output {what} of {tuple(v)}. "
                "Please provide input tensor in (N, C, d1, d2, ...,dK) format and output "
                f"{what} in (o1, o2, ...,oK) format.")
        return list(v)
    return [v] * nd


def interpolate(input: Tensor, size: Any = None, scale_factor: Any = None,
                mode: str = "nearest", align_corners: Any = None,
                recompute_scale_factor: Any = None, antialias: bool = False) -> Tensor:
    """Resize (N, C, *spatial) by size or scale_factor (torch.nn.functional.interpolate);
    modes nearest, nearest-exact, linear, bilinear, bicubic, trilinear, area."""
    nd = input.dim() - 2
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating "
                             "modes: linear | bilinear | bicubic | trilinear")
    elif mode in _MODE_DIMS:
        align_corners = bool(align_corners)
    else:
        raise NotImplementedError(
            f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.dim()}D) for "
            f"the modes: nearest | linear | bilinear | bicubic | trilinear | area | "
            f"nearest-exact (got {mode})")
    if antialias:
        raise NotImplementedError("interpolate: antialias=True is not supported by ember")
    if nd not in (1, 2, 3) or (mode in _MODE_DIMS and _MODE_DIMS[mode] != nd):
        if mode in _MODE_DIMS and nd in (1, 2, 3):
            raise NotImplementedError(
                f"Got {input.dim()}D input, but {mode} mode needs {_MODE_DIMS[mode] + 2}D "
                f"input (shape (N, C, {pool._SPATIAL[_MODE_DIMS[mode]]})); got shape "
                f"{list(input.shape)}")
        raise NotImplementedError(
            f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.dim()}D) for "
            f"the modes: nearest | linear | bilinear | bicubic | trilinear | area | "
            f"nearest-exact (got {mode})")
    sp = tuple(input.shape)[2:]
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        if recompute_scale_factor:
            raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
        out = [int(o) for o in _as_list(size, nd, "size", sp)]
        scales = [None] * nd
    elif scale_factor is not None:
        scales = [float(f) for f in _as_list(scale_factor, nd, "scale_factor", sp)]
        out = [int(math.floor(n * f)) for n, f in zip(sp, scales)]
        if recompute_scale_factor or mode == "area":
            scales = [None] * nd
    else:
        raise ValueError("either size or scale_factor should be defined")
    if any(o <= 0 for o in out) or any(n <= 0 for n in sp):
        names = "DHW"[3 - nd:]
        raise RuntimeError(
            f"Input and output sizes should be greater than 0, but got input ("
            f"{', '.join(f'{c}: {n}' for c, n in zip(names, sp))}) and output ("
            f"{', '.join(f'{c}: {n}' for c, n in zip(names, out))})")
    if not input.dtype.is_floating_point:
        kind = "nearest" if mode.startswith("nearest") else "linear"
        raise NotImplementedError(f'"compute_indices_weights_{kind}" not implemented for '
                                  f"'{pool._dtype_name(input)}'")
    out = tuple(out)
    if mode == "area":
        return pool.adaptive_avg_pool1d(input, out) if nd == 1 else (
            pool.adaptive_avg_pool2d(input, out) if nd == 2 else
            pool.adaptive_avg_pool3d(input, out))
    name = f"Upsample{_NAMES[mode]}{nd}DBackward0"
    if mode.startswith("nearest"):
        idx = [None if n == o and sc is None else
               _nearest_index(n, o, sc, mode == "nearest-exact")
               for n, o, sc in zip(sp, out, scales)]
        return LinearMap.apply(input, _Take(idx, list(sp)), name)
    kind = "cubic" if mode == "bicubic" else "linear"
    mats = [_interp_matrix(n, o, kind, align_corners, sc) for n, o, sc in zip(sp, out, scales)]
    return LinearMap.apply(input, Separable(mats), name)


_NAMES = {"nearest": "Nearest", "nearest-exact": "NearestExact", "linear": "Linear",
          "bilinear": "Bilinear", "bicubic": "Bicubic", "trilinear": "Trilinear"}


def upsample(input: Tensor, size: Any = None, scale_factor: Any = None,
             mode: str = "nearest", align_corners: Any = None) -> Tensor:
    """Deprecated alias of interpolate (torch.nn.functional.upsample)."""
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input: Tensor, size: Any = None, scale_factor: Any = None) -> Tensor:
    """interpolate(mode='nearest') (torch.nn.functional.upsample_nearest)."""
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input: Tensor, size: Any = None, scale_factor: Any = None) -> Tensor:
    """interpolate(mode='bilinear', align_corners=True) (torch.nn.functional.upsample_bilinear)."""
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


# ----------------------------------------------------------------------------- shuffles
def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """(*, C*r^2, H, W) -> (*, C, H*r, W*r) (torch.nn.functional.pixel_shuffle)."""
    s = tuple(input.shape)
    r = int(upscale_factor)
    if len(s) < 3:
        raise RuntimeError(f"pixel_shuffle expects input to have at least 3 dimensions, but got "
                           f"input with {len(s)} dimension(s) (shape {list(s)})")
    if r <= 0:
        raise RuntimeError(f"pixel_shuffle expects a positive upscale_factor, but got {r}")
    c, h, w = s[-3:]
    if c % (r * r):
        raise RuntimeError(
            f"pixel_shuffle expects its input's 'channel' dimension to be divisible by the "
            f"square of upscale_factor, but input.size(-3)={c} is not divisible by {r * r} "
            f"(input shape {list(s)})")
    b = s[:-3]
    nb = len(b)
    x = input.reshape(b + (c // (r * r), r, r, h, w))
    x = x.permute(*range(nb), nb, nb + 3, nb + 1, nb + 4, nb + 2)
    return x.reshape(b + (c // (r * r), h * r, w * r))


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    """(*, C, H*r, W*r) -> (*, C*r^2, H, W) (torch.nn.functional.pixel_unshuffle)."""
    s = tuple(input.shape)
    r = int(downscale_factor)
    if len(s) < 3:
        raise RuntimeError(f"pixel_unshuffle expects input to have at least 3 dimensions, but "
                           f"got input with {len(s)} dimension(s) (shape {list(s)})")
    if r <= 0:
        raise RuntimeError(f"pixel_unshuffle expects a positive downscale_factor, but got {r}")
    c, h, w = s[-3:]
    for what, n, d in (("height", h, -2), ("width", w, -1)):
        if n % r:
            raise RuntimeError(
                f"pixel_unshuffle expects {what} to be divisible by downscale_factor, but "
                f"input.size({d})={n} is not divisible by {r} (input shape {list(s)})")
    b = s[:-3]
    nb = len(b)
    x = input.reshape(b + (c, h // r, r, w // r, r))
    x = x.permute(*range(nb), nb, nb + 2, nb + 4, nb + 1, nb + 3)
    return x.reshape(b + (c * r * r, h // r, w // r))


def channel_shuffle(input: Tensor, groups: int) -> Tensor:
    """(N, g*k, *) -> channels regrouped as (N, k*g, *) (torch.nn.functional.channel_shuffle)."""
    s = tuple(input.shape)
    if len(s) <= 2:
        raise RuntimeError(f"channel_shuffle expects input with > 2 dims, but got input with "
                           f"sizes {list(s)}")
    if groups <= 0:
        raise RuntimeError(f"Number of groups to divide channels in must be positive. Value of "
                           f"groups:{groups}")
    if s[1] % groups:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got {s[1]} "
                           f"channels and {groups} groups.")
    x = input.reshape((s[0], groups, s[1] // groups) + s[2:])
    return x.transpose(1, 2).reshape(s)


native_channel_shuffle = channel_shuffle


# ----------------------------------------------------------------------------- unfold/fold
class _Im2Col:
    """(*b, C, H, W) -> (*b, C*kh*kw, L): the sliding blocks, as torch.nn.functional.unfold."""

    def __init__(self, hw: tuple, k: tuple, d: tuple, p: tuple, s: tuple, out: tuple) -> None:
        self.hw, self.k, self.d, self.p, self.s, self.out = hw, k, d, p, s, out

    def __call__(self, x: np.ndarray) -> np.ndarray:
        k, d, p, s, (oh, ow) = self.k, self.d, self.p, self.s, self.out
        if any(p):
            x = np.pad(x, [(0, 0)] * (x.ndim - 2) + [(p[0], p[0]), (p[1], p[1])])
        w = _win(x, ((k[0] - 1) * d[0] + 1, (k[1] - 1) * d[1] + 1), axis=(-2, -1))
        w = w[..., :(oh - 1) * s[0] + 1:s[0], :(ow - 1) * s[1] + 1:s[1], ::d[0], ::d[1]]
        w = np.moveaxis(w, (-4, -3), (-2, -1))   # (*b, C, kh, kw, oh, ow)
        return np.reshape(w, x.shape[:-3] + (-1, oh * ow))

    @property
    def T(self) -> _Col2Im:
        return _Col2Im(self)


class _Col2Im:
    """(*b, C*kh*kw, L) -> (*b, C, H, W): blocks summed back in place (torch's fold)."""

    def __init__(self, im: _Im2Col) -> None:
        self.im = im

    def __call__(self, g: np.ndarray) -> np.ndarray:
        im = self.im
        (kh, kw), d, p, s, (oh, ow), (h, w) = im.k, im.d, im.p, im.s, im.out, im.hw
        g = np.reshape(g, g.shape[:-2] + (-1, kh, kw, oh, ow))
        x = np.zeros(g.shape[:-4] + (h + 2 * p[0], w + 2 * p[1]), g.dtype)
        for i in range(kh):
            for j in range(kw):
                x[..., i * d[0]:i * d[0] + (oh - 1) * s[0] + 1:s[0],
                  j * d[1]:j * d[1] + (ow - 1) * s[1] + 1:s[1]] += g[..., i, j, :, :]
        return x[..., p[0]:p[0] + h, p[1]:p[1] + w]

    @property
    def T(self) -> _Im2Col:
        return self.im


def _blocks(op: str, hw: tuple, kernel_size: Any, dilation: Any, padding: Any,
            stride: Any) -> tuple:
    k = _ntuple(kernel_size, 2, op, "kernel_size")
    d = _ntuple(dilation, 2, op, "dilation")
    p = _ntuple(padding, 2, op, "padding")
    s = _ntuple(stride, 2, op, "stride")
    if min(k) <= 0 or min(d) <= 0 or min(s) <= 0 or min(p) < 0:
        raise RuntimeError(f"{op}: kernel_size, dilation and stride must be greater than zero "
                           f"and padding non-negative, but got kernel_size={k}, dilation={d}, "
                           f"padding={p}, stride={s}")
    out = tuple((n + 2 * pp - dd * (kk - 1) - 1) // ss + 1
                for n, kk, dd, pp, ss in zip(hw, k, d, p, s))
    if min(out) < 1:
        raise RuntimeError(
            f"{op}: Given input with spatial size {hw}, kernel_size={k}, dilation={d}, "
            f"padding={p}, calculated shape of the array of sliding blocks as {out}, but its "
            "components must be at least one.")
    return k, d, p, s, out


def unfold(input: Tensor, kernel_size: Any, dilation: Any = 1, padding: Any = 0,
           stride: Any = 1) -> Tensor:
    """Sliding blocks of (N, C, H, W) as columns (N, C*kh*kw, L) (torch.nn.functional.unfold)."""
    s = tuple(input.shape)
    if len(s) not in (3, 4) or any(n == 0 for n in s[-3:]):
        raise RuntimeError(
            "unfold: Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and other "
            f"non-zero dimensions for input, i.e. (N, C, H, W) or (C, H, W), but got: {list(s)}")
    k, d, p, st, out = _blocks("unfold", s[-2:], kernel_size, dilation, padding, stride)
    return LinearMap.apply(input, _Im2Col(s[-2:], k, d, p, st, out), "Im2ColBackward0")


def fold(input: Tensor, output_size: Any, kernel_size: Any, dilation: Any = 1,
         padding: Any = 0, stride: Any = 1) -> Tensor:
    """Sum columns (N, C*kh*kw, L) back into (N, C, H, W) (torch.nn.functional.fold)."""
    s = tuple(input.shape)
    if len(s) not in (2, 3) or any(n == 0 for n in s[-2:]):
        raise RuntimeError(
            "fold: Expected 2D or 3D (batch mode) tensor with possibly 0 batch size and "
            f"non-zero dimensions for input, i.e. (N, C*kh*kw, L) or (C*kh*kw, L), but got: "
            f"{list(s)}")
    hw = _ntuple(output_size, 2, "fold", "output_size")
    k, d, p, st, out = _blocks("fold", hw, kernel_size, dilation, padding, stride)
    if s[-2] % (k[0] * k[1]):
        raise RuntimeError(
            f"Expected size of input's dimension {len(s) - 2} to be divisible by the product of "
            f"kernel_size, but got input.size({len(s) - 2})={s[-2]} and kernel_size={k}.")
    if s[-1] != out[0] * out[1]:
        raise RuntimeError(
            f"Given output_size={hw}, kernel_size={k}, dilation={d}, padding={p}, stride={st}, "
            f"expected size of input's dimension {len(s) - 1} to match the calculated number of "
            f"sliding blocks {out[0]} * {out[1]} = {out[0] * out[1]}, but got "
            f"input.size({len(s) - 1})={s[-1]}.")
    return LinearMap.apply(input, _Im2Col(hw, k, d, p, st, out).T, "Col2ImBackward0")


# ----------------------------------------------------------------------------- grid_sample
def _unnormalize(c: Tensor, n: int, align_corners: bool) -> Tensor:
    return (c + 1) / 2 * (n - 1) if align_corners else ((c + 1) * n - 1) / 2


def _reflect(c: Tensor, lo2: int, hi2: int) -> Tensor:
    """torch's reflect_coordinates: fold c into [lo2/2, hi2/2] by mirroring."""
    if lo2 == hi2:
        return c * 0
    mn, span = lo2 / 2, (hi2 - lo2) / 2
    c = (c - mn).abs()
    flips = (c / span).floor().detach()
    extra = c - flips * span
    even = flips.remainder(2) == 0
    from .. import where
    return where(even, extra + mn, span - extra + mn)


def _source(c: Tensor, n: int, padding_mode: str, align_corners: bool) -> Tensor:
    c = _unnormalize(c, n, align_corners)
    if padding_mode == "border":
        c = c.clamp(0, n - 1)
    elif padding_mode == "reflection":
        c = _reflect(c, 0, 2 * (n - 1)) if align_corners else _reflect(c, -1, 2 * n - 1)
        c = c.clamp(0, n - 1)
    return c


def grid_sample(input: Tensor, grid: Tensor, mode: str = "bilinear",
                padding_mode: str = "zeros", align_corners: Any = None) -> Tensor:
    """Sample (N, C, H, W) at grid (N, Ho, Wo, 2) positions in [-1, 1] (x, y order), or
    (N, C, D, H, W) at (N, Do, Ho, Wo, 3) (torch.nn.functional.grid_sample); modes bilinear,
    nearest; padding zeros, border, reflection."""
    if mode not in ("bilinear", "nearest", "bicubic"):
        raise ValueError(f"nn.functional.grid_sample(): expected mode to be 'bilinear', "
                         f"'nearest' or 'bicubic', but got: '{mode}'")
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError(f"nn.functional.grid_sample(): expected padding_mode to be 'zeros', "
                         f"'border', or 'reflection', but got: '{padding_mode}'")
    si, sg = tuple(input.shape), tuple(grid.shape)
    nd = len(si) - 2
    if nd not in (2, 3) or len(sg) != len(si):
        raise RuntimeError(
            f"grid_sampler(): expected 4D or 5D input and grid with same number of dimensions, "
            f"but got input with sizes {list(si)} and grid with sizes {list(sg)}")
    if sg[-1] != nd:
        raise RuntimeError(f"grid_sampler(): expected grid to have size {nd} in last dimension, "
                           f"but got grid with sizes {list(sg)}")
    if si[0] != sg[0]:
        raise RuntimeError(f"grid_sampler(): expected grid and input to have same batch size, "
                           f"but got input with sizes {list(si)} and grid with sizes {list(sg)}")
    if mode == "bicubic":
        raise NotImplementedError("grid_sample: mode='bicubic' is not supported by ember yet")
    ac = bool(align_corners)
    n, c = si[:2]
    sizes = si[2:][::-1]                       # grid's coordinate order: x (W), y (H), z (D)
    coords = [_source(grid[..., i], sizes[i], padding_mode, ac) for i in range(nd)]
    flat = input.reshape(n, c, -1)
    out_sp = sg[1:-1]
    strides = [math.prod(sizes[:i]) for i in range(nd)]   # x stride 1, y stride W, ...

    def corner(idx: list) -> tuple:
        valid = None
        lin = None
        for i, ix in enumerate(idx):
            ok = (ix >= 0) & (ix <= sizes[i] - 1)
            valid = ok if valid is None else valid & ok
            term = ix.clamp(0, sizes[i] - 1).long() * strides[i]
            lin = term if lin is None else lin + term
        vals = flat.gather(2, lin.reshape(n, 1, -1).expand(n, c, -1))
        return vals.reshape((n, c) + out_sp), valid

    if mode == "nearest":
        vals, valid = corner([ci.detach().round() for ci in coords])
        return vals * valid.unsqueeze(1).to(input.dtype)
    lo = [ci.detach().floor() for ci in coords]
    frac = [ci - li for ci, li in zip(coords, lo)]
    out = None
    for bits in np.ndindex(*(2,) * nd):
        idx = [li + b for li, b in zip(lo, bits)]
        vals, valid = corner(idx)
        w = None
        for f, b in zip(frac, bits):
            wi = f if b else 1 - f
            w = wi if w is None else w * wi
        term = vals * (w * valid.to(w.dtype)).unsqueeze(1)
        out = term if out is None else out + term
    return out


def affine_grid(theta: Tensor, size: Any, align_corners: Any = None) -> Tensor:
    """Sampling grid (N, H, W, 2) or (N, D, H, W, 3) of affine maps theta (N, 2, 3) or
    (N, 3, 4) (torch.nn.functional.affine_grid)."""
    size = tuple(int(v) for v in size)
    if not theta.dtype.is_floating_point:
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    if len(size) not in (4, 5):
        raise NotImplementedError(
            f"affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, "
            f"respectively. Got size {size}.")
    nd = len(size) - 2
    if tuple(theta.shape) != (size[0], nd, nd + 1):
        raise ValueError(
            f"Expected a batch of {nd}D affine matrices of shape Nx{nd}x{nd + 1} for size "
            f"{size}. Got {tuple(theta.shape)}.")
    if min(size[2:]) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    ac = bool(align_corners)
    sp = size[2:][::-1]   # x (W), y (H), z (D)
    axes = []
    for m in sp:
        v = np.linspace(-1.0, 1.0, m) if m > 1 else np.zeros(1)
        axes.append(v if ac else v * (m - 1) / m)
    mesh = np.meshgrid(*axes[::-1], indexing="ij")[::-1]   # arrays of shape (D,) H, W
    base = np.stack(list(mesh) + [np.ones_like(mesh[0])], -1)
    base = _make(base.reshape(1, -1, nd + 1).astype(theta._data.dtype))
    grid = base.matmul(theta.transpose(1, 2))
    return grid.reshape((size[0],) + size[2:] + (nd,))
