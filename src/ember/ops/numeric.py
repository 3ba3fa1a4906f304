"""Numerical helpers: distances and norms (dist, renorm), statistics (cov, corrcoef, histogram),
integration and differentiation on samples (trapezoid, cumulative_trapezoid, gradient), integer
and floating-point bit arithmetic (gcd, lcm, frexp, ldexp, nextafter), special functions
(polygamma, mvlgamma), matrix builders (diagflat, vander), unique_consecutive, unravel_index and
the signal windows.

Differentiable ones are composed of existing ember ops (their gradients are torch's, not always
its grad_fn names), except polygamma and frexp, which are `Function`s of their own."""

from __future__ import annotations

import builtins
import collections.abc
import math
import operator
import warnings
from typing import Any

import numpy as np

from .. import _backend
from .._tensor import Tensor, _make
from ..autograd.function import Function
from . import linalg as _linalg
from ._util import as_float, attach, broadcast_error, inplace, require_tensor, result_type, wrap_dim
from .creation import _dtype, _out
from .elementwise import (
    _TYPE_NAMES,
    Digamma,
    _not_impl,
    clamp,
    lgamma,
    mul,
    pow,
    sqrt,
    sub,
    where,
)
from .reduce import cumprod, cumsum, return_type, sort
from .shape import cat, diag, flatten, flip, narrow

__all__ = ["dist", "renorm", "diagflat", "msort", "unique_consecutive", "unravel_index", "cov",
           "corrcoef", "trapezoid", "trapz", "cumulative_trapezoid", "gcd", "lcm", "frexp",
           "ldexp", "nextafter", "polygamma", "mvlgamma", "gradient", "vander", "histogram",
           "hann_window", "hamming_window", "bartlett_window", "blackman_window",
           "kaiser_window"]

_NUMBER = (builtins.int, builtins.float, builtins.bool)
_frexp_type = return_type("frexp", ("mantissa", "exponent"))
_histogram_type = return_type("histogram", ("hist", "bin_edges"))


def _type_name(dt: np.dtype) -> str:
    return _TYPE_NAMES[_backend.from_np(dt).name]


def _need_tensor(op: str, name: str, pos: int, value: Any) -> None:
    require_tensor(value, op, name, pos)


# ----------------------------------------------------------------------------- norms
def dist(input: Tensor, other: Tensor, p: float = 2) -> Tensor:
    """The p-norm of input - other, a 0-d tensor (torch.dist)."""
    _need_tensor("dist", "input", 1, input)
    _need_tensor("dist", "other", 2, other)
    d = sub(input, other)
    if d._data.dtype.kind != "f":
        raise RuntimeError("norm(): input dtype should be either floating point or complex. "
                           f"Got {_type_name(d._data.dtype)} instead.")
    return _linalg.vector_norm(d, p)


def renorm(input: Tensor, p: float, dim: int, maxnorm: float) -> Tensor:
    """Each slice along dim whose p-norm exceeds maxnorm rescaled to norm maxnorm
    (torch.renorm)."""
    _need_tensor("renorm", "input", 1, input)
    n = input._data.ndim
    if n < 2:
        raise RuntimeError(f"renorm: input needs at least 2 dimensions, got {n} dimensions")
    if p <= 0:
        raise RuntimeError("renorm: non-positive-norm not supported")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm}")
    d = wrap_dim(dim, n, "renorm")
    norm = _linalg.vector_norm(input, p, tuple(i for i in range(n) if i != d), True)
    # torch's factor: maxnorm / (norm + 1e-7) where the norm exceeds maxnorm, else 1
    return mul(input, where(norm > maxnorm, maxnorm / (norm + 1e-7), 1.0))


# ----------------------------------------------------------------------------- matrices
def diagflat(input: Tensor, offset: int = 0) -> Tensor:
    """A square matrix with the flattened input on diagonal offset (torch.diagflat)."""
    _need_tensor("diagflat", "input", 1, input)
    return diag(flatten(input), offset)


def msort(input: Tensor, *, out: Any = None) -> Tensor:
    """input sorted along its first dimension (torch.msort)."""
    _need_tensor("msort", "input", 1, input)
    return sort(input, 0).values


def vander(x: Tensor, N: int | None = None, increasing: bool = False) -> Tensor:
    """The Vandermonde matrix of the 1-D x: columns x**(N-1), ..., x, 1 (torch.vander)."""
    _need_tensor("vander", "x", 1, x)
    a = x._data
    if a.ndim != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    n = a.shape[0] if N is None else operator.index(N)
    if n < 0:
        raise RuntimeError("N must be non-negative.")
    dt = result_type(a, np.zeros(1, np.int64))
    if n <= 1:
        res = _make(np.ones((a.shape[0], n), dt))
    else:
        xs = x if a.dtype == dt else x.to(_backend.from_np(dt))
        powers = cumprod(xs.unsqueeze(1).expand(a.shape[0], n - 1), 1)
        res = cat([_make(np.ones((a.shape[0], 1), dt)), powers], 1)
    return res if increasing else flip(res, (1,))


# ----------------------------------------------------------------------------- unique, indices
def unique_consecutive(input: Tensor, return_inverse: bool = False, return_counts: bool = False,
                       dim: int | None = None) -> Any:
    """Collapse each run of equal consecutive elements (or slices along dim) into one, with
    optional inverse indices and run lengths (torch.unique_consecutive)."""
    _need_tensor("unique_consecutive", "input", 1, input)
    a = input._data
    if dim is None:
        rows = a.reshape(-1)
        change = rows[1:] != rows[:-1]
    else:
        if a.ndim == 0:
            raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
        d = wrap_dim(dim, a.ndim, "unique_consecutive")
        moved = np.moveaxis(a, d, 0)
        rows = moved.reshape(moved.shape[0], -1)
        change = np.any(rows[1:] != rows[:-1], axis=1)
    starts = np.flatnonzero(np.concatenate([[rows.shape[0] > 0], change]))
    if dim is None:
        values = rows[starts]
    else:
        values = np.moveaxis(np.take(moved, starts, axis=0), 0, d)
    out = [_make(np.ascontiguousarray(values))]
    if return_inverse:
        inv = np.cumsum(np.concatenate([[0], change]).astype(np.int64)) if rows.shape[0] else \
            np.zeros(0, np.int64)
        out.append(_make(inv.reshape(a.shape) if dim is None else inv))
    if return_counts:
        out.append(_make(np.diff(np.append(starts, rows.shape[0])).astype(np.int64)))
    return out[0] if len(out) == 1 else tuple(out)


def unravel_index(indices: Tensor, shape: Any) -> tuple:
    """Flat indices into a tensor of the given shape as a tuple of coordinate tensors
    (torch.unravel_index)."""
    if not isinstance(indices, Tensor):
        raise TypeError(f"unravel_index(): expected 'indices' to be a Tensor, but got "
                        f"{type(indices).__name__}")
    a = indices._data
    if a.dtype.kind not in "iu":
        raise TypeError(f"expected 'indices' to be integer dtype, but got "
                        f"{_backend.from_np(a.dtype)}")
    if isinstance(shape, (builtins.int, np.integer)) and not isinstance(shape, builtins.bool):
        shape = (builtins.int(shape),)
    elif isinstance(shape, collections.abc.Sequence):
        for s in shape:
            if not isinstance(s, (builtins.int, np.integer)) or isinstance(s, builtins.bool):
                raise TypeError("expected 'shape' sequence to only contain ints, but got "
                                f"{type(s)}")
        shape = tuple(builtins.int(s) for s in shape)
    else:
        raise TypeError(f"expected 'shape' to be int or sequence of ints, but got {type(shape)}")
    if any(s < 0 for s in shape):
        raise ValueError(f"'shape' cannot have negative values, but got {shape}")
    if 0 in shape:
        raise RuntimeError("ZeroDivisionError")
    a = a.astype(np.int64)
    coef = 1
    res = []
    for s in reversed(shape):
        res.append(_make(np.floor_divide(a, coef) % s))
        coef *= s
    return tuple(reversed(res))


# ----------------------------------------------------------------------------- statistics
def cov(input: Tensor, *, correction: int = 1, fweights: Tensor | None = None,
        aweights: Tensor | None = None) -> Tensor:
    """Covariance of the variables in the rows of input, observations in columns, with
    optional frequency and importance weights (torch.cov)."""
    _need_tensor("cov", "input", 1, input)
    if not isinstance(correction, (builtins.int, np.integer)):
        raise TypeError(f"cov(): argument 'correction' must be int, not "
                        f"{type(correction).__name__}")
    a = input._data
    if a.ndim > 2:
        raise RuntimeError("cov(): expected input to have two or fewer dimensions but got an "
                           f"input with {a.ndim} dimensions")
    if a.dtype.kind == "b":
        raise RuntimeError("cov(): bool dtype is not supported for input")
    x = input.reshape(1, -1) if a.ndim < 2 else input
    n_obs = x.shape[1]
    w = None
    for name, wt, kinds, kind_name in (("fweights", fweights, "iu", "integral"),
                                       ("aweights", aweights, "f", "floating point")):
        if wt is None:
            continue
        _need_tensor("cov", name, 0, wt)
        wa = wt._data
        if wa.ndim > 1:
            raise RuntimeError(f"cov(): expected {name} to have one or fewer dimensions but "
                               f"got {name} with {wa.ndim} dimensions")
        if wa.dtype.kind not in kinds:
            raise RuntimeError(f"cov(): expected {name} to have {kind_name} dtype but got "
                               f"{name} with {_type_name(wa.dtype)} dtype")
        if wa.size != n_obs:
            raise RuntimeError(f"cov(): expected {name} to have the same numel as there are "
                               f"observations in the input but got {wa.size} != {n_obs}")
        if wa.size and wa.min() < 0:
            raise RuntimeError(f"cov(): {name} cannot be negative")
        w = wt if w is None else w * wt
    if w is None:
        with np.errstate(divide="ignore", invalid="ignore"):   # no observations: NaN
            avg = x.sum(1) / n_obs
        norm_factor: Any = n_obs - correction
        if norm_factor <= 0:
            warnings.warn("cov(): degrees of freedom is <= 0. Correction should be strictly "
                          "less than the number of observations.", stacklevel=2)
            norm_factor = 0
    else:
        w_sum = w.sum()
        if not w_sum._data.item():
            raise RuntimeError("cov(): weights sum to zero, can't be normalized")
        avg = (x * w).sum(1) / w_sum
        if aweights is not None and correction != 0:
            norm_factor = w_sum - correction * (w * aweights).sum() / w_sum
        else:
            norm_factor = w_sum - correction
        if norm_factor._data.item() <= 0:
            warnings.warn("cov(): degrees of freedom is <= 0. Correction should be strictly "
                          "less than the number of observations.", stacklevel=2)
            norm_factor = norm_factor * 0 + 0   # +0 as torch's zero_() (a negative * 0 is -0)
    xc = x - avg.unsqueeze(1)
    c = xc @ (xc if w is None else xc * w).t()
    with np.errstate(divide="ignore", invalid="ignore"):   # no observations: NaN, as torch
        return (c / norm_factor).squeeze()


def corrcoef(input: Tensor) -> Tensor:
    """Pearson correlation coefficients of the variables in input's rows (torch.corrcoef)."""
    _need_tensor("corrcoef", "input", 1, input)
    if input._data.ndim > 2:
        raise RuntimeError("corrcoef(): expected input to have two or fewer dimensions but got "
                           f"an input with {input._data.ndim} dimensions")
    c = cov(input)
    with np.errstate(divide="ignore", invalid="ignore"):   # a constant variable: NaN
        if c._data.ndim == 0:
            return c / c
        std = sqrt(c.diagonal())
        c = c / std.reshape(-1, 1)
        c = c / std.reshape(1, -1)
    return clamp(c, -1, 1)


def histogram(input: Tensor, bins: Any, *, range: Any = None, weight: Tensor | None = None,
              density: bool = False, out: Any = None) -> Any:
    """Histogram of input's values: (hist, bin_edges), bins a count or the edges
    (torch.histogram)."""
    _need_tensor("histogram", "input", 1, input)
    a = input._data
    if a.dtype not in (np.float32, np.float64):
        raise _not_impl("histogramdd", a.dtype)
    flat = a.reshape(-1)
    if isinstance(bins, Tensor):
        edges = bins._data
        if edges.ndim != 1:
            raise RuntimeError("torch.histogramdd: bins tensor should have one dimension, but "
                               f"got {edges.ndim} dimensions in the bins tensor for dimension 0")
        if edges.dtype != a.dtype:
            raise RuntimeError("torch.histogramdd: input tensor and bins tensors should have "
                               f"the same dtype, but got input with dtype {a.dtype} and bins "
                               f"for dimension 0 with dtype {edges.dtype}")
        if edges.size < 2:
            raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {edges.size - 1} "
                               "for dimension 0")
        edges = edges.copy()
    else:
        nb = operator.index(bins)
        if nb <= 0:
            raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {nb} for "
                               "dimension 0")
        if range is not None:
            lo, hi = builtins.float(range[0]), builtins.float(range[1])
        elif flat.size:
            lo, hi = builtins.float(flat.min()), builtins.float(flat.max())
        else:
            lo, hi = 0.0, 1.0
        if lo > hi:
            raise RuntimeError(f"torch.histogramdd: min should not exceed max, but got min "
                               f"{lo:g} max {hi:g} for dimension 0")
        if not (math.isfinite(lo) and math.isfinite(hi)):
            raise RuntimeError(f"torch.histogramdd: dimension 0's range [{lo:g}, {hi:g}] is "
                               "not finite")
        if lo == hi:
            lo, hi = lo - 0.5, hi + 0.5
        edges = _linspace(lo, hi, nb + 1, a.dtype)
    wa = None
    if weight is not None:
        _need_tensor("histogram", "weight", 0, weight)
        wa = weight._data
        if wa.shape != a.shape:
            raise RuntimeError("torch.histogramdd: if weight tensor is provided it should have "
                               "the same shape as the input tensor excluding its innermost "
                               f"dimension, but got input with shape {list(a.shape) + [1]} "
                               f"and weight with shape {list(wa.shape)}")
        if wa.dtype != a.dtype:
            raise RuntimeError("torch.histogramdd: if weight tensor is provided, input tensor "
                               "and weight tensor should have the same dtype, but got "
                               f"input({a.dtype}), and weight({wa.dtype})")
        wa = wa.reshape(-1)
    n = edges.size - 1
    keep = (flat >= edges[0]) & (flat <= edges[-1])
    pos = np.minimum(np.searchsorted(edges, flat[keep], side="right") - 1, n - 1)
    hist = np.bincount(pos, None if wa is None else wa[keep].astype(np.float64), minlength=n)
    hist = hist.astype(a.dtype)
    if density:
        hist = hist / (hist.sum() * np.diff(edges))
    return _histogram_type(_make(hist.astype(a.dtype, copy=False)), _make(edges))


def _linspace(lo: float, hi: float, steps: int, dt: np.dtype) -> np.ndarray:
    """torch's linspace: the first half counted up from lo, the second down from hi."""
    step = (hi - lo) / (steps - 1)
    i = np.arange(steps, dtype=np.float64)
    half = steps // 2
    return np.where(i < half, lo + step * i, hi - step * (steps - 1 - i)).astype(dt)


# ----------------------------------------------------------------------------- integration
def _trapezoid_args(op: str, y: Tensor, x: Any, dx: Any, dim: int) -> tuple:
    _need_tensor(op, "y", 1, y)
    if x is not None and not isinstance(x, Tensor):
        raise TypeError(f"{op}(): argument 'x' (position 2) must be Tensor, not "
                        f"{type(x).__name__}")
    if x is not None and dx is not None:
        raise TypeError(f"{op}(): pass either the sample points x or the spacing dx, not both")
    a = y._data
    if a.ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    d = wrap_dim(dim, a.ndim, op)
    if a.dtype.kind == "b":
        raise RuntimeError(f"{op}: received a bool input for `y`, but bool is not supported")
    if x is None:
        return d, builtins.float(1 if dx is None else dx)
    xa = x._data
    if xa.ndim == 1:
        if xa.shape[0] != a.shape[d]:
            raise RuntimeError(f"{op}: There must be one `x` value for each sample point")
        shape = [1] * a.ndim
        shape[d] = xa.shape[0]
        x = x.reshape(shape)
    elif xa.ndim < a.ndim:
        x = x.reshape((1,) * (a.ndim - xa.ndim) + xa.shape)
    n = x.shape[d]
    return d, sub(narrow(x, d, 1, builtins.max(n - 1, 0)),
                  narrow(x, d, 0, builtins.max(n - 1, 0)))


def _pair_sums(y: Tensor, d: int) -> Tensor:
    n = y.shape[d]
    try:
        return narrow(y, d, 1, n - 1) + narrow(y, d, 0, n - 1)
    except ValueError:
        raise broadcast_error("trapezoid", y._data, y._data) from None


def trapezoid(y: Tensor, x: Tensor | None = None, *, dx: float | None = None,
              dim: int = -1) -> Tensor:
    """Integral of y along dim by the trapezoidal rule, at sample points x or spacing dx
    (torch.trapezoid)."""
    d, step = _trapezoid_args("trapezoid", y, x, dx, dim)
    if y.shape[d] == 0:
        return _make(np.zeros(y.shape[:d] + y.shape[d + 1:], y._data.dtype))
    if isinstance(step, Tensor):
        pairs = _pair_sums(y, d)
        try:
            np.broadcast_shapes(pairs.shape, step.shape)
        except ValueError:
            raise broadcast_error("trapezoid", pairs._data, step._data) from None
        return (pairs * step).sum(d) / 2.0
    ends = y.select(d, 0) + y.select(d, -1)
    return (y.sum(d) - ends * 0.5) * step


def trapz(y: Tensor, x: Tensor | None = None, *, dx: float | None = None,
          dim: int = -1) -> Tensor:
    """Alias of trapezoid (torch.trapz)."""
    return trapezoid(y, x, dx=dx, dim=dim)


def cumulative_trapezoid(y: Tensor, x: Tensor | None = None, *, dx: float | None = None,
                         dim: int = -1) -> Tensor:
    """Running trapezoidal integral of y along dim, one element shorter (torch.
    cumulative_trapezoid)."""
    if isinstance(y, Tensor) and y._data.ndim == 0:
        raise IndexError("slice() cannot be applied to a 0-dim tensor.")
    d, step = _trapezoid_args("cumulative_trapezoid", y, x, dx, dim)
    if y.shape[d] == 0:
        return cumsum(narrow(y, d, 0, 0) * 0.5, d)
    pairs = _pair_sums(y, d)
    if isinstance(step, Tensor):
        try:
            np.broadcast_shapes(pairs.shape, step.shape)
        except ValueError:
            raise broadcast_error("cumulative_trapezoid", step._data, pairs._data) from None
        return cumsum(step * pairs / 2.0, d)
    return cumsum(step / 2.0 * pairs, d)


def gradient(input: Tensor, *, spacing: Any = 1, dim: Any = None,
             edge_order: int = 1) -> tuple:
    """Estimates of input's partial derivatives by central differences (one-sided, first or
    second order, at the edges), one tensor per dim (torch.gradient)."""
    _need_tensor("gradient", "input", 1, input)
    a = input._data
    if a.dtype == np.uint8:
        raise RuntimeError("torch.gradient does not support uint8 input.")
    if a.dtype.kind == "b":
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                           "supported. Use the `^` or `logical_xor()` operator instead.")
    dims = None if dim is None else ([dim] if isinstance(dim, builtins.int) else list(dim))
    if isinstance(spacing, Tensor):
        raise TypeError("gradient(): argument 'spacing' must be a number or a tuple of numbers "
                        "or of tensors, not Tensor")
    scalar = isinstance(spacing, _NUMBER)
    if not scalar:
        spacing = list(spacing)
        if dims is None and len(spacing) != a.ndim:
            raise RuntimeError(
                "torch.gradient expected spacing to be unspecified, a scalar, or a list of "
                f"length equal to 'self.dim() = {a.ndim}', since dim argument was not given, "
                f"but got a list of length {len(spacing)}")
        if dims is not None and len(spacing) != len(dims):
            raise RuntimeError(
                "torch.gradient expected spacing to be unspecified, a scalar or it's spacing "
                "and dim arguments to have the same length, but got a spacing argument of "
                f"length {len(spacing)} and a dim argument of length {len(dims)}.")
    if edge_order not in (1, 2):
        raise RuntimeError("torch.gradient only supports edge_order=1 and edge_order=2.")
    axes = list(range(a.ndim)) if dims is None else [wrap_dim(d, a.ndim, "gradient")
                                                      for d in dims]
    if len(set(axes)) != len(axes):
        raise RuntimeError(f"dim {axes[0]} appears multiple times in the list of dims")
    if any(a.shape[d] < edge_order + 1 for d in axes):
        raise RuntimeError("torch.gradient expected each dimension size to be at least "
                           "edge_order+1")
    if scalar:
        spacing = [spacing] * len(axes)
    return tuple(_gradient_along(input, d, h, edge_order) for d, h in zip(axes, spacing))


def _sl(t: Tensor, d: int, start: int, stop: int | None = None) -> Tensor:
    """t[..., start:stop, ...] along d (Python slice semantics)."""
    n = t.shape[d]
    lo, hi, _ = slice(start, stop).indices(n)
    return narrow(t, d, lo, builtins.max(hi - lo, 0))


def _gradient_along(y: Tensor, d: int, h: Any, edge_order: int) -> Tensor:
    if isinstance(h, Tensor):
        if h._data.ndim != 1:
            raise RuntimeError("torch.gradient expected each element of spacing to have one "
                               f"dimension, but got an element with {h._data.ndim} dimensions!")
        shape = [1] * y._data.ndim
        shape[d] = -1
        ax = sub(_sl(h, 0, 1), _sl(h, 0, 0, -1))
        dx1, dx2 = _sl(ax, 0, 0, -1), _sl(ax, 0, 1)
        a = (-dx2 / (dx1 * (dx1 + dx2))).reshape(shape)
        b = ((dx2 - dx1) / (dx1 * dx2)).reshape(shape)
        c = (dx1 / (dx2 * (dx1 + dx2))).reshape(shape)
        center = a * _sl(y, d, 0, -2) + b * _sl(y, d, 1, -1) + c * _sl(y, d, 2)
        h0, h1, hl2, hl1 = ax[0], ax[1 if ax.shape[0] > 1 else 0], ax[-2], ax[-1]
        if edge_order == 1:
            first = (_sl(y, d, 1, 2) - _sl(y, d, 0, 1)) / h0
            last = (_sl(y, d, -1) - _sl(y, d, -2, -1)) / hl1
        else:
            first = (-(2.0 * h0 + h1) / (h0 * (h0 + h1)) * _sl(y, d, 0, 1)
                     + (h0 + h1) / (h0 * h1) * _sl(y, d, 1, 2)
                     + (-h0) / (h1 * (h0 + h1)) * _sl(y, d, 2, 3))
            last = (hl1 / (hl2 * (hl1 + hl2)) * _sl(y, d, -3, -2)
                    - (hl1 + hl2) / (hl1 * hl2) * _sl(y, d, -2, -1)
                    + (2 * hl1 + hl2) / (hl1 * (hl1 + hl2)) * _sl(y, d, -1))
    else:
        center = (_sl(y, d, 2) - _sl(y, d, 0, -2)) / h / 2
        if edge_order == 1:
            first = (_sl(y, d, 1, 2) - _sl(y, d, 0, 1)) / h
            last = (_sl(y, d, -1) - _sl(y, d, -2, -1)) / h
        else:
            first = (_sl(y, d, 0, 1) * -1.5 + _sl(y, d, 1, 2) * 2 - _sl(y, d, 2, 3) * 0.5) / h
            last = (_sl(y, d, -3, -2) * 0.5 + _sl(y, d, -2, -1) * -2 + _sl(y, d, -1) * 1.5) / h
    if center.shape[d] == 0:
        return cat([first, last], d)
    return cat([first, center, last], d)


# ----------------------------------------------------------------------------- integers, bits
def _int_binary(op: str, fn: Any) -> Any:
    def f(input: Tensor, other: Tensor, *, out: Any = None) -> Tensor:
        _need_tensor(op, "input", 1, input)
        _need_tensor(op, "other", 2, other)
        dt = result_type(input._data, other._data)
        if dt.kind not in "iu":
            raise _not_impl(f"{op}_cpu", dt)
        a, b = input._data.astype(dt, copy=False), other._data.astype(dt, copy=False)
        try:
            with np.errstate(over="ignore"):
                return _make(np.asarray(fn(a, b), dt))
        except ValueError:
            raise broadcast_error(op, a, b) from None
    f.__name__ = f.__qualname__ = op
    return f


gcd = _int_binary("gcd", np.gcd)
gcd.__doc__ = "Greatest common divisor of integer tensors, >= 0 (torch.gcd)."
lcm = _int_binary("lcm", np.lcm)
lcm.__doc__ = "Least common multiple of integer tensors, >= 0 (torch.lcm)."


class Frexp(Function):
    """The mantissa of x (in [0.5, 1) in magnitude); exponent e is computed by the caller."""

    _raw = True
    _name = "FrexpBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any, e: np.ndarray) -> Any:
        ctx.scale = np.exp2(e.astype(np.float32))   # torch: grad / exponent.exp2()
        return np.frexp(x)[0]

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        return g / ctx.scale, None


def frexp(input: Tensor, *, out: Any = None) -> Any:
    """(mantissa, exponent) with input = mantissa * 2**exponent, exponent int32
    (torch.frexp)."""
    _need_tensor("frexp", "input", 1, input)
    if input._data.dtype.kind != "f":
        raise RuntimeError("torch.frexp() only supports floating-point dtypes")
    e = np.frexp(input._data)[1].astype(np.int32)
    return _frexp_type(Frexp.apply(input, e), _make(e))


def ldexp(input: Tensor, other: Tensor, *, out: Any = None) -> Tensor:
    """input * 2**other, a float tensor (torch.ldexp)."""
    _need_tensor("ldexp", "input", 1, input)
    _need_tensor("ldexp", "other", 2, other)
    try:
        np.broadcast_shapes(input._data.shape, other._data.shape)
    except ValueError:
        raise broadcast_error("ldexp", input._data, other._data) from None
    return mul(input, pow(2.0, other))


class Nextafter(Function):
    _raw = True
    _name = "NextafterBackward0"

    @staticmethod
    def forward(ctx: Any, a: Any, b: Any) -> Any:
        dt = result_type(a, b)
        if dt.kind != "f":
            raise _not_impl("nextafter_cpu", dt)
        try:
            a, b = a.astype(dt, copy=False), b.astype(dt, copy=False)
            ctx.moved = a != b
            return np.nextafter(a, b)
        except ValueError:
            raise broadcast_error("nextafter", a, b) from None

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        return g * ctx.moved, g * 0   # torch's: 1 where input moved (else 0), 0 for other


def nextafter(input: Tensor, other: Tensor, *, out: Any = None) -> Tensor:
    """The next representable float after input in the direction of other
    (torch.nextafter)."""
    _need_tensor("nextafter", "input", 1, input)
    _need_tensor("nextafter", "other", 2, other)
    return Nextafter.apply(input, other)


# ----------------------------------------------------------------------------- special
def _trigamma_torch(x: np.ndarray) -> np.ndarray:
    """ψ'(x) exactly as torch computes it (calc_trigamma: reflection below 0.5, six
    recurrence steps, a short asymptotic series), in float64."""
    neg = x < 0.5
    s = np.sin(math.pi * x)
    res = np.where(neg, -(math.pi * math.pi) / (s * s), 0.0)
    x = np.where(neg, 1 - x, x)
    for _ in range(6):
        res = res + 1 / (x * x)
        x = x + 1
    ixx = 1 / (x * x)
    res = res + (1 + 1 / (2 * x) + ixx * (1 / 6 - ixx * (1 / 30 - ixx * (1 / 42)))) / x
    return np.where(neg, -res, res)


_ZETA_A = (12.0, -720.0, 30240.0, -1209600.0, 47900160.0, -1.8924375803183791606e9,
           7.47242496e10, -2.950130727918164224e12, 1.1646782814350067249e14,
           -4.5979787224074726105e15, 1.8152105401943546773e17, -7.1661652561756670113e18)
_MACHEP = 1.11022302462515654042e-16


def _zeta(s: float, q: np.ndarray) -> np.ndarray:
    """Hurwitz ζ(s, q) for an integer s >= 2 (Cephes' zeta, as torch): the sum of
    (q + k)^-s up to q + k > 9, then Euler-Maclaurin; +inf at q = 0, -1, -2, ..."""
    q = q.astype(np.float64)
    # the Cephes loop stops at i >= 9 with q + i > 9
    steps = np.where(np.isfinite(q), np.maximum(9, np.floor(9 - q) + 1), 9).astype(np.int64)
    ssum = np.power(q, -s)
    idx = np.arange(q.size)
    qf, stf = q.reshape(-1), steps.reshape(-1)
    acc = ssum.reshape(-1).copy()
    for k in range(1, builtins.int(stf.max(initial=0)) + 1):
        idx = idx[stf[idx] >= k]
        acc[idx] += np.power(qf[idx] + k, -s)
    w = qf + stf
    b = np.power(w, -s)
    acc = acc + b * w / (s - 1) - 0.5 * b
    a, k = 1.0, 0.0
    done = np.zeros(acc.shape, bool)
    for c in _ZETA_A:
        a *= s + k
        b = b / w
        t = a * b / c
        acc = np.where(done, acc, acc + t)
        with np.errstate(invalid="ignore", divide="ignore"):
            done |= np.abs(t / acc) < _MACHEP
        k += 1.0
        a *= s + k
        b = b / w
        k += 1.0
    acc = acc.reshape(q.shape)
    acc = np.where(q > 1e8, (1 / (s - 1) + 1 / (2 * q)) * np.power(q, 1.0 - s), acc)
    acc = np.where(q == np.inf, np.nan, acc)   # Cephes' loop meets 0/0 there
    return np.where((q <= 0) & (q == np.floor(q)), np.inf, acc)


def _polygamma(n: int, x: np.ndarray) -> np.ndarray:
    """ψ⁽ⁿ⁾(x) for n >= 1 in x's float dtype, computed in float64."""
    x64 = np.asarray(x, np.float64)
    with np.errstate(all="ignore"):
        if n == 1:
            y = _trigamma_torch(x64)
        else:
            y = (1.0 if n % 2 else -1.0) * math.exp(math.lgamma(n + 1.0)) * _zeta(n + 1.0, x64)
    return np.asarray(y).astype(x.dtype, copy=False)


class Polygamma(Function):
    """ψ⁽ⁿ⁾(x), n >= 1; its derivative is ψ⁽ⁿ⁺¹⁾(x)."""

    _raw = True
    _name = "PolygammaBackward0"

    @staticmethod
    def forward(ctx: Any, n: int, x: Any) -> Any:
        x = as_float(x)
        ctx.n = n
        ctx.save_for_backward(x)
        return _polygamma(n, x)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        if isinstance(x, Tensor):
            return None, g * Polygamma.apply(ctx.n + 1, x)
        return None, g * _polygamma(ctx.n + 1, x)


class _Polygamma0(Digamma):
    """polygamma(0, x): digamma under torch's grad_fn name for polygamma."""

    _name = "PolygammaBackward0"


def polygamma(n: int, input: Tensor, *, out: Any = None) -> Tensor:
    """The n-th derivative of digamma, ψ⁽ⁿ⁾(input) (torch.polygamma)."""
    if not isinstance(n, builtins.int) or isinstance(n, builtins.bool):
        raise TypeError(f"polygamma(): argument 'n' (position 1) must be int, not "
                        f"{type(n).__name__}")
    _need_tensor("polygamma", "input", 2, input)
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    if n == 0:
        return _Polygamma0._apply1(input)
    return Polygamma.apply(n, input)


def mvlgamma(input: Tensor, p: int, *, out: Any = None) -> Tensor:
    """The multivariate log-gamma function of dimension p (torch.mvlgamma)."""
    _need_tensor("mvlgamma", "input", 1, input)
    if input._data.dtype.kind == "b":
        raise RuntimeError("The input tensor may not be a boolean tensor.")
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    x = input if input._data.dtype.kind == "f" else input.to(_backend.get_default_dtype())
    shifts = _make(np.arange(-(p - 1) / 2, 0.25, 0.5).astype(x._data.dtype))
    return lgamma(x.unsqueeze(-1) + shifts).sum(-1) + p * (p - 1) * math.log(math.pi) / 4


# ----------------------------------------------------------------------------- windows
def _window(op: str, window_length: int, periodic: bool, dtype: Any, device: Any,
            requires_grad: bool, fn: Any) -> Tensor:
    if not isinstance(window_length, (builtins.int, np.integer)) or isinstance(
            window_length, builtins.bool):
        raise TypeError(f"{op}(): argument 'window_length' (position 1) must be int, not "
                        f"{type(window_length).__name__}")
    dt = _dtype(dtype, op)
    if dt.kind != "f":
        raise RuntimeError(f"{op} expects floating point dtypes, got: "
                           f"{_backend.from_np(dt)}")
    if window_length < 0:
        raise RuntimeError(f"{op} requires non-negative window_length, got "
                           f"window_length={window_length}")
    if window_length <= 1:
        arr = np.ones(window_length, dt)
    else:
        n = window_length + 1 if periodic else window_length
        arr = fn(np.arange(n, dtype=np.float64), n)[:window_length].astype(dt)
    return _out(arr, device, requires_grad, op)


def _hamming(alpha: float, beta: float) -> Any:
    return lambda i, n: alpha - beta * np.cos(2 * math.pi * i / (n - 1))


def hann_window(window_length: int, periodic: bool = True, *, dtype: Any = None,
                layout: Any = None, device: Any = None, pin_memory: bool = False,
                requires_grad: bool = False) -> Tensor:
    """The Hann window 0.5 - 0.5 cos(2πn/(N-1)) (torch.hann_window)."""
    return _window("hann_window", window_length, periodic, dtype, device, requires_grad,
                   _hamming(0.5, 0.5))


def hamming_window(window_length: int, periodic: bool = True, alpha: float = 0.54,
                   beta: float = 0.46, *, dtype: Any = None, layout: Any = None,
                   device: Any = None, pin_memory: bool = False,
                   requires_grad: bool = False) -> Tensor:
    """The Hamming window alpha - beta cos(2πn/(N-1)) (torch.hamming_window)."""
    return _window("hamming_window", window_length, periodic, dtype, device, requires_grad,
                   _hamming(alpha, beta))


def _bartlett(i: np.ndarray, n: int) -> np.ndarray:
    return 1 - np.abs(2 * i / (n - 1) - 1)


def bartlett_window(window_length: int, periodic: bool = True, *, dtype: Any = None,
                    layout: Any = None, device: Any = None, pin_memory: bool = False,
                    requires_grad: bool = False) -> Tensor:
    """The triangular Bartlett window (torch.bartlett_window)."""
    return _window("bartlett_window", window_length, periodic, dtype, device, requires_grad,
                   _bartlett)


def _blackman(i: np.ndarray, n: int) -> np.ndarray:
    t = i * (math.pi / (n - 1))
    return 0.08 * np.cos(4 * t) - 0.5 * np.cos(2 * t) + 0.42


def blackman_window(window_length: int, periodic: bool = True, *, dtype: Any = None,
                    layout: Any = None, device: Any = None, pin_memory: bool = False,
                    requires_grad: bool = False) -> Tensor:
    """The Blackman window (torch.blackman_window)."""
    return _window("blackman_window", window_length, periodic, dtype, device, requires_grad,
                   _blackman)


def kaiser_window(window_length: int, periodic: bool = True, beta: float = 12.0, *,
                  dtype: Any = None, layout: Any = None, device: Any = None,
                  pin_memory: bool = False, requires_grad: bool = False) -> Tensor:
    """The Kaiser window I0(beta sqrt(1 - ((n - c)/c)²)) / I0(beta), c = (N-1)/2
    (torch.kaiser_window)."""
    def kaiser(i: np.ndarray, n: int) -> np.ndarray:
        c = (n - 1) / 2
        return np.i0(beta * np.sqrt(np.maximum(1 - ((i - c) / c) ** 2, 0))) / np.i0(beta)
    return _window("kaiser_window", window_length, periodic, dtype, device, requires_grad,
                   kaiser)


# ----------------------------------------------------------------------------- Tensor methods
def _polygamma_method(self: Tensor, n: int) -> Tensor:
    return polygamma(n, self)


_polygamma_ = inplace(_polygamma_method, "polygamma_")


def _histogram_method(self: Tensor, bins: Any, *, range: Any = None,
                      weight: Tensor | None = None, density: bool = False) -> Any:
    return histogram(self, bins, range=range, weight=weight, density=density)


_METHODS = {"renorm": renorm, "gcd": gcd, "lcm": lcm, "ldexp": ldexp, "nextafter": nextafter,
            "mvlgamma": mvlgamma}
attach(_METHODS)
attach({name + "_": inplace(fn, name + "_") for name, fn in _METHODS.items()})
attach({"dist": dist, "diagflat": diagflat, "msort": msort,
        "unique_consecutive": unique_consecutive, "cov": cov, "corrcoef": corrcoef,
        "frexp": frexp, "polygamma": _polygamma_method, "polygamma_": _polygamma_,
        "histogram": _histogram_method})
