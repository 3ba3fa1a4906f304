"""Reductions (sum, mean, max, var, logsumexp, ...), scans (cumsum, cumprod) and sorting ops (sort,
topk, median, mode, unique), as torch: `dim` an int, a tuple/list or None, `keepdim`, torch's
result dtypes, `(values, indices)` named tuples, and backward formulas written with NumPy
functions so that they also run on Tensors under `create_graph=True`."""

from __future__ import annotations

import collections
import sys
import types
from typing import Any

import numpy as np

from .. import _backend
from .._tensor import Tensor, _make
from ..autograd.function import Function
from . import _numpy_protocol as proto
from ._util import attach, dims, inplace, wrap_dim
from .creation import _CPP_NAMES, _dtype
from .elementwise import _TYPE_NAMES
from .indexing import Gather, _flat_positions

__all__ = ["sum", "mean", "prod", "max", "min", "amax", "amin", "argmax", "argmin", "var", "std",
           "var_mean", "std_mean", "logsumexp", "all", "any", "cumsum", "cumprod",
           "median", "mode", "topk", "sort", "argsort", "unique", "count_nonzero", "nansum",
           "nanmean", "return_types", "cummax", "cummin", "logcumsumexp", "aminmax", "kthvalue",
           "nanmedian", "quantile", "nanquantile", "bincount", "histc"]

# ----------------------------------------------------------------------------- return types
return_types = types.ModuleType("ember.return_types", "Named tuples returned by ember ops.")


def return_type(name: str, fields: tuple = ("values", "indices")) -> type:
    """The named tuple ember.return_types.<name>, printed as torch prints its own."""
    cls = collections.namedtuple(name, fields)
    cls.__module__ = "ember.return_types"
    cls.__qualname__ = name
    cls.__repr__ = lambda self: (f"ember.return_types.{name}(\n" + ",\n".join(
        f"{f}={v!r}" for f, v in zip(fields, self)) + ")")
    setattr(return_types, name, cls)
    return cls


for _n in ("max", "min", "median", "mode", "sort", "topk", "kthvalue", "nanmedian"):
    return_type(_n)


# ----------------------------------------------------------------------------- helpers
def _arr(x: Any, op: str) -> np.ndarray:
    if isinstance(x, Tensor):
        return x._data
    raise TypeError(f"{op}(): argument 'input' must be Tensor, not {type(x).__name__}")


def _axes(a: np.ndarray, dim: Any, op: str) -> tuple | None:
    """dim -> sorted tuple of axes, None for all (torch: an empty list also means all)."""
    if dim is None or (isinstance(dim, (tuple, list)) and not dim):
        return None
    ax = dims(dim, a.ndim, op)
    return ax if a.ndim else None


def _dim1(a: np.ndarray, dim: Any, op: str) -> int | None:
    """A single dim -> axis (None for a 0-d tensor, where torch allows dim 0 and -1)."""
    if not isinstance(dim, (int, np.integer)):
        raise TypeError(f"{op}(): argument 'dim' must be int, not {type(dim).__name__}")
    d = wrap_dim(int(dim), a.ndim, op)
    return d if a.ndim else None


def _kshape(shape: tuple, axes: tuple | None) -> tuple:
    """The keepdim shape of a reduction of `shape` over `axes` (None: all)."""
    if axes is None:
        return (1,) * len(shape)
    return tuple(1 if i in axes else s for i, s in enumerate(shape))


def _count(shape: tuple, axes: tuple | None) -> int:
    n = 1
    for i, s in enumerate(shape):
        if axes is None or i in axes:
            n *= s
    return n


def _keep(g: Any, ctx: Any) -> Any:
    """A reduction's output gradient in keepdim shape (broadcastable against the input)."""
    if ctx.keepdim or len(ctx.shape) == g.ndim:
        return g
    return np.reshape(g, _kshape(ctx.shape, ctx.axes))


def _expand(g: Any, ctx: Any) -> Any:
    return np.broadcast_to(_keep(g, ctx), ctx.shape)


def _data_of(t: Any) -> Any:
    return t._data if isinstance(t, Tensor) else t


def _int_dtype(a: np.ndarray, dtype: Any) -> Any:
    """torch: integer and bool sums/products accumulate in int64 unless dtype= says otherwise."""
    if dtype is not None:
        return _backend.to_np(dtype)
    return np.dtype(np.int64) if a.dtype.kind in "biu" else None


def _nonempty(a: np.ndarray, axes: tuple | None, op: str, whole_exc: type = RuntimeError) -> None:
    """torch refuses max/argmax/median/... over an empty dimension."""
    if a.size:
        return
    if axes is None:
        if a.ndim == 0:
            return
        raise whole_exc(
            f"{op}(): Expected reduction dim to be specified for input.numel() == 0 (input "
            f"shape {list(a.shape)}). Specify the reduction dim with the 'dim' argument.")
    for d in axes:
        if a.shape[d] == 0:
            raise IndexError(
                f"{op}(): Expected reduction dim {d} to have non-zero size (input shape "
                f"{list(a.shape)}).")


def _tname(a: np.ndarray) -> str:
    """torch's name of an array's dtype in messages: Float, Long, Bool, ..."""
    return _TYPE_NAMES.get(a.dtype.name, a.dtype.name)


def _named(t: Tensor, name: str) -> Tensor:
    """Give t's node torch's grad_fn name for this overload (sum() is SumBackward0, sum(dim)
    SumBackward1; var_mean's outputs share VarMeanBackward0)."""
    if t.grad_fn is not None:
        t.grad_fn._name = name
    return t


def _setup(ctx: Any, a: np.ndarray, axes: tuple | None, keepdim: bool) -> None:
    ctx.shape, ctx.axes, ctx.keepdim = a.shape, axes, keepdim


# ----------------------------------------------------------------------------- sum / mean / prod
class Sum(Function):
    _raw = True
    _name = "SumBackward1"

    @staticmethod
    def forward(ctx: Any, a: Any, axes: Any, keepdim: bool, dtype: Any) -> Any:
        _setup(ctx, a, axes, keepdim)
        return np.add.reduce(a, axis=axes, dtype=dtype, keepdims=keepdim)   # np.sum, minus overhead

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        return _expand(g, ctx), None, None, None   # d sum = 1 for every element


class Mean(Function):
    _raw = True
    _name = "MeanBackward1"

    @staticmethod
    def forward(ctx: Any, a: Any, axes: Any, keepdim: bool, dtype: Any) -> Any:
        _setup(ctx, a, axes, keepdim)
        ctx.n = _count(a.shape, axes)
        if ctx.n:
            if dtype is None and a.dtype != np.float16:   # np.mean without its overhead
                return np.add.reduce(a, axis=axes, keepdims=keepdim) / ctx.n
            return np.mean(a, axis=axes, dtype=dtype, keepdims=keepdim)
        with np.errstate(invalid="ignore"):   # torch: the mean of nothing is NaN, silently
            return np.sum(a, axis=axes, dtype=dtype, keepdims=keepdim) / 0

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        n = ctx.n
        return _expand(g / n if n else g, ctx), None, None, None   # d mean = 1/n


class Prod(Function):
    _raw = True
    _name = "ProdBackward1"

    @staticmethod
    def forward(ctx: Any, a: Any, axes: Any, keepdim: bool, dtype: Any) -> Any:
        _setup(ctx, a, axes, keepdim)
        y = np.multiply.reduce(a, axis=axes, dtype=dtype, keepdims=keepdim)
        if ctx.needs_input_grad[0]:
            y = np.asarray(y)
            ctx.save_for_backward(a, y)
        return y

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        # d prod / d x_i = prod of the others: y / x_i at nonzero x_i (0 in a slice with a zero,
        # but with y's derivative); a slice's only zero gets the product of the rest. (With two
        # zeros in a slice the second derivative between them is not recorded.)
        x, y = ctx.saved_tensors
        g, y = _keep(g, ctx), _keep(y, ctx)
        xd = _data_of(x)
        zero = xd == 0
        if not zero.any():
            return g * y / x, None, None, None
        nz = np.sum(zero, axis=ctx.axes, keepdims=True)
        x_safe = x * ~zero + zero          # zeros -> 1, with no derivative there
        others = np.prod(x_safe, axis=ctx.axes, keepdims=True)
        grad = ~zero * (y / x_safe) + (zero & (nz == 1)) * others
        return g * grad, None, None, None


def _sum_like(fn: type, op: str) -> Any:
    whole = fn._name.replace("Backward1", "Backward0")   # torch's name of the dim-less overload

    def reduce(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None,
               out: Any = None) -> Tensor:
        a = _arr(input, op)
        y = fn.apply(input, _axes(a, dim, op), keepdim, _int_dtype(a, dtype))
        return _named(y, whole) if dim is None else y
    reduce.__name__ = op
    return reduce


sum = _sum_like(Sum, "sum")
sum.__doc__ = "Sum over dim (all when None); ints and bool sum to int64 (torch.sum)."


def prod(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None,
         out: Any = None) -> Tensor:
    """Product over one dim (all when None); exact gradient with zeros (torch.prod)."""
    a = _arr(input, "prod")
    if dim is None:
        return _named(Prod.apply(input, None, keepdim, _int_dtype(a, dtype)), "ProdBackward0")
    axis = _dim1(a, dim, "prod")
    return Prod.apply(input, None if axis is None else (axis,), keepdim, _int_dtype(a, dtype))


def mean(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None,
         out: Any = None) -> Tensor:
    """Mean over dim (all when None); floating inputs only unless dtype= (torch.mean)."""
    a = _arr(input, "mean")
    dt = None if dtype is None else _backend.to_np(dtype)
    if (a.dtype if dt is None else dt).kind != "f":
        raise RuntimeError(
            f"mean(): could not infer output dtype. Input dtype must be either a floating point "
            f"or complex dtype. Got: {_tname(a)} (a "
            f"{_backend.from_np(a.dtype)} tensor of shape {list(a.shape)}); convert it first, "
            "e.g. x.float().mean(), or pass dtype=ember.float32")
    y = Mean.apply(input, _axes(a, dim, "mean"), keepdim, dt)
    return _named(y, "MeanBackward0") if dim is None else y


def _prod_dims(input: Tensor, dim: Any = None, keepdim: bool = False, *,
               dtype: Any = None) -> Tensor:
    """prod over several dims (NumPy's np.prod(axis=tuple); torch.prod takes one)."""
    a = _arr(input, "prod")
    return Prod.apply(input, _axes(a, dim, "prod"), keepdim, _int_dtype(a, dtype))


# ----------------------------------------------------------------------------- nansum / nanmean
class NanSum(Function):
    _raw = True
    _name = "NansumBackward0"

    @staticmethod
    def forward(ctx: Any, a: Any, axes: Any, keepdim: bool, dtype: Any) -> Any:
        _setup(ctx, a, axes, keepdim)
        ctx.save_for_backward(a)
        return np.nansum(a, axis=axes, dtype=dtype, keepdims=keepdim)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        return _keep(g, ctx) * ~np.isnan(_data_of(x)), None, None, None   # 1 where not NaN


def nansum(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """Sum treating NaN as zero (torch.nansum)."""
    a = _arr(input, "nansum")
    return NanSum.apply(input, _axes(a, dim, "nansum"), keepdim, _int_dtype(a, dtype))


def nanmean(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """Mean over the non-NaN elements (torch.nanmean)."""
    a = _arr(input, "nanmean")
    if a.dtype.kind != "f" and dtype is None:
        raise RuntimeError(
            f"nanmean(): expected input to have floating point dtype but got "
            f"{_tname(a)}; convert it first, e.g. x.float()")
    axes = _axes(a, dim, "nanmean")
    n = np.sum(~np.isnan(a), axis=axes, keepdims=keepdim)
    return nansum(input, dim, keepdim, dtype=dtype) / _make(n)


# ----------------------------------------------------------------------------- max / min family
class AMax(Function):
    """amax/amin and whole-tensor max/min: the gradient is split evenly among ties."""

    _raw = True
    _name = "AmaxBackward0"
    _np = staticmethod(np.maximum.reduce)

    @classmethod
    def forward(cls, ctx: Any, a: Any, axes: Any, keepdim: bool) -> Any:
        _setup(ctx, a, axes, keepdim)
        y = cls._np(a, axis=axes, keepdims=keepdim)
        if ctx.needs_input_grad[0]:
            y = np.asarray(y)
            ctx.save_for_backward(a, y)
        return y

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        x, y = ctx.saved_tensors
        xd, yd = _data_of(x), _keep(_data_of(y), ctx)
        mask = (xd == yd) | (np.isnan(xd) & np.isnan(yd))
        count = np.sum(mask, axis=ctx.axes, keepdims=True)
        return _keep(g, ctx) * (mask / count), None, None   # d max = 1/ties at the maxima


class AMin(AMax):
    _name = "AminBackward0"
    _np = staticmethod(np.minimum.reduce)


class MaxAll(AMax):
    _name = "MaxBackward1"


class MinAll(AMin):
    _name = "MinBackward1"


class _Select(Function):
    """values = input gathered at `idx` along `axis` (idx in keepdim shape; axis None: `idx`
    indexes the flattened input). Backward scatters the gradient back to those positions."""

    _raw = True

    @staticmethod
    def forward(ctx: Any, a: Any, idx: Any, axis: Any, keepdim: bool) -> Any:
        ctx.shape, ctx.axis, ctx.keepdim = a.shape, axis, keepdim
        ctx.save_for_backward(idx)
        return _gather(a, idx, axis, keepdim)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (idx,) = ctx.saved_tensors
        idx = _data_of(idx)
        if isinstance(g, Tensor):     # d gather = scatter
            return _Scatter.apply(g, idx, ctx.axis, ctx.keepdim, ctx.shape), None, None, None
        return _scatter(g, idx, ctx.axis, ctx.keepdim, ctx.shape), None, None, None


class _Scatter(Function):
    """The backward of `_Select` as an op, so that it too can be differentiated."""

    _raw = True
    _name = "ScatterBackward0"

    @staticmethod
    def forward(ctx: Any, g: Any, idx: Any, axis: Any, keepdim: bool, shape: tuple) -> Any:
        ctx.idx, ctx.axis, ctx.keepdim = idx, axis, keepdim
        return _scatter(g, idx, axis, keepdim, shape)

    @staticmethod
    def backward(ctx: Any, gg: Any) -> Any:
        if isinstance(gg, Tensor):    # d scatter = gather
            return _Select.apply(gg, ctx.idx, ctx.axis, ctx.keepdim), None, None, None, None
        return np.asarray(_gather(gg, ctx.idx, ctx.axis, ctx.keepdim)), None, None, None, None


def _gather(a: np.ndarray, idx: np.ndarray, axis: Any, keepdim: bool) -> np.ndarray:
    if axis is None:
        return np.take(a, idx)
    v = np.take_along_axis(a, idx, axis)
    return v if keepdim else np.squeeze(v, axis)


def _scatter(g: np.ndarray, idx: np.ndarray, axis: Any, keepdim: bool, shape: tuple) -> Any:
    out = np.zeros(shape, g.dtype)
    if axis is None:
        out.reshape(-1)[idx] = g
        return out
    np.put_along_axis(out, idx, g if keepdim else np.expand_dims(g, axis), axis)
    return out


def _selector(name: str) -> type:
    return type(name, (_Select,), {"_name": name})


MaxDim, MinDim = _selector("MaxBackward0"), _selector("MinBackward0")
MedianDim = _selector("MedianBackward1")


class MedianAll(AMax):
    """Whole-tensor median: as torch, its gradient is split evenly among equal elements."""

    _name = "MedianBackward0"

    @classmethod
    def forward(cls, ctx: Any, a: Any, idx: Any) -> Any:
        _setup(ctx, a, None, False)
        y = np.asarray(np.take(a, idx))
        ctx.save_for_backward(a, y)
        return y
ModeDim, SortDim, TopkDim = (_selector("ModeBackward0"), _selector("SortBackward0"),
                             _selector("TopkBackward0"))


def _values_indices(input: Tensor, fn: type, idx: np.ndarray, axis: Any, keepdim: bool,
                    rt: type) -> Any:
    if axis is None:   # 0-d input: the value itself, index 0
        zero = np.zeros((), np.int64)
        return rt(fn.apply(input, zero, None, keepdim), _make(zero.copy()))
    values = fn.apply(input, idx, axis, keepdim)
    return rt(values, _make(idx if keepdim else np.squeeze(idx, axis)))


def _minmax(op: str, np_arg: Any, whole: type, by_dim: type, other_op: str) -> Any:
    def reduce(input: Tensor, dim: Any = None, keepdim: bool = False, *, out: Any = None) -> Any:
        if isinstance(dim, Tensor):   # torch.max(a, b): elementwise
            fn = getattr(sys.modules["ember"], other_op, None)
            if fn is None:
                raise NotImplementedError(f"{op}(input, other): ember.{other_op} is missing")
            return fn(input, dim)
        a = _arr(input, op)
        if dim is None:
            _nonempty(a, None, op)
            return whole.apply(input, None, False)
        axis = _dim1(a, dim, op)
        rt = getattr(return_types, op)
        if axis is None:
            return _values_indices(input, by_dim, None, None, keepdim, rt)
        _nonempty(a, (axis,), op)
        idx = np_arg(a, axis=axis, keepdims=True)
        return _values_indices(input, by_dim, idx, axis, keepdim, rt)
    reduce.__name__ = op
    reduce.__doc__ = (f"Whole-tensor {op} (0-d), or ({op} values, indices) along dim as "
                      f"torch.return_types.{op} (torch.{op}).")
    return reduce


max = _minmax("max", np.argmax, MaxAll, MaxDim, "maximum")
min = _minmax("min", np.argmin, MinAll, MinDim, "minimum")


def _amaxmin(op: str, fn: type) -> Any:
    def reduce(input: Tensor, dim: Any = (), keepdim: bool = False, *, out: Any = None) -> Tensor:
        a = _arr(input, op)
        axes = _axes(a, dim, op)
        _nonempty(a, axes, op)
        return fn.apply(input, axes, keepdim)
    reduce.__name__ = op
    reduce.__doc__ = f"{op} over dim (all by default); gradient split among ties (torch.{op})."
    return reduce


amax, amin = _amaxmin("amax", AMax), _amaxmin("amin", AMin)


def _arg(op: str, np_fn: Any) -> Any:
    def reduce(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
        a = _arr(input, op)
        if a.dtype.kind == "b":
            raise RuntimeError(f"{op}(): does not support bool input (convert it first, e.g. "
                               "x.int())")
        if dim is None:
            _nonempty(a, None, op, IndexError)
            return _make(np.asarray(np_fn(a, axis=None, keepdims=keepdim), np.int64))
        axis = _dim1(a, dim, op)
        if axis is None:
            return _make(np.zeros((), np.int64))
        _nonempty(a, (axis,), op)
        return _make(np_fn(a, axis=axis, keepdims=keepdim).astype(np.int64, copy=False))
    reduce.__name__ = op
    reduce.__doc__ = f"Index of the first {op[3:]} (of the flattened input when dim is None)."
    return reduce


argmax, argmin = _arg("argmax", np.argmax), _arg("argmin", np.argmin)


# ----------------------------------------------------------------------------- var / std
class Var(Function):
    _raw = True
    _name = "VarBackward0"

    @staticmethod
    def forward(ctx: Any, a: Any, axes: Any, correction: Any, keepdim: bool) -> Any:
        _setup(ctx, a, axes, keepdim)
        ctx.dof = _count(a.shape, axes) - correction
        ctx.save_for_backward(a)
        return np.var(a, axis=axes, ddof=correction, keepdims=keepdim)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        centred = x - np.mean(x, axis=ctx.axes, keepdims=True)
        k = 2 / ctx.dof if ctx.dof else np.inf   # N == c: torch's 2/0 = inf (x-μ = 0: NaN)
        return _keep(g, ctx) * k * centred, None, None, None   # 2(x-μ)/(N-c)


class Std(Function):
    _raw = True
    _name = "StdBackward0"

    @staticmethod
    def forward(ctx: Any, a: Any, axes: Any, correction: Any, keepdim: bool) -> Any:
        _setup(ctx, a, axes, keepdim)
        ctx.dof = _count(a.shape, axes) - correction
        y = np.asarray(np.std(a, axis=axes, ddof=correction, keepdims=keepdim))
        ctx.save_for_backward(a, y)
        return y

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        # d std = (x-μ) / ((N-c)·std), 0 where std = 0 (as torch)
        x, y = ctx.saved_tensors
        y = _keep(y, ctx)
        zero = _data_of(y) == 0
        centred = x - np.mean(x, axis=ctx.axes, keepdims=True)
        return (_keep(g, ctx) * ~zero / (ctx.dof * (y + zero))) * centred, None, None, None


def _var_args(op: str, input: Tensor, dim: Any, unbiased: Any, correction: Any) -> tuple:
    a = _arr(input, op)
    if a.dtype.kind != "f":
        raise RuntimeError(
            f"std and var only support floating point and complex dtypes ({op}() got a "
            f"{_backend.from_np(a.dtype)} tensor of shape {list(a.shape)}; convert it first, "
            "e.g. x.float())")
    if isinstance(dim, bool):   # the old var(input, unbiased)
        dim, unbiased = None, dim
    if correction is None:
        correction = 0 if unbiased is False else 1
    return a, _axes(a, dim, op), correction


def var(input: Tensor, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *,
        correction: Any = None, out: Any = None) -> Tensor:
    """Variance over dim with Bessel's correction= (default 1) (torch.var)."""
    a, axes, c = _var_args("var", input, dim, unbiased, correction)
    return Var.apply(input, axes, c, keepdim)


def std(input: Tensor, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *,
        correction: Any = None, out: Any = None) -> Tensor:
    """Standard deviation over dim with correction= (default 1) (torch.std)."""
    a, axes, c = _var_args("std", input, dim, unbiased, correction)
    return Std.apply(input, axes, c, keepdim)


def var_mean(input: Tensor, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *,
             correction: Any = None) -> tuple:
    """(var, mean) over dim (torch.var_mean)."""
    a, axes, c = _var_args("var_mean", input, dim, unbiased, correction)
    return (_named(Var.apply(input, axes, c, keepdim), "VarMeanBackward0"),
            _named(Mean.apply(input, axes, keepdim, None), "VarMeanBackward0"))


def std_mean(input: Tensor, dim: Any = None, unbiased: Any = None, keepdim: bool = False, *,
             correction: Any = None) -> tuple:
    """(std, mean) over dim (torch.std_mean)."""
    a, axes, c = _var_args("std_mean", input, dim, unbiased, correction)
    return (_named(Std.apply(input, axes, c, keepdim), "StdMeanBackward0"),
            _named(Mean.apply(input, axes, keepdim, None), "StdMeanBackward0"))


# ----------------------------------------------------------------------------- logsumexp
class LogSumExp(Function):
    _raw = True
    _name = "LogsumexpBackward0"

    @staticmethod
    def forward(ctx: Any, a: Any, axes: Any, keepdim: bool) -> Any:
        _setup(ctx, a, axes, keepdim)
        x = a if a.dtype.kind == "f" else a.astype(_backend.default_float())
        m = np.amax(x, axis=axes, keepdims=True, initial=-np.inf)
        m = np.where(np.isfinite(m), m, 0)   # stable: shift by the max, unless it is ±inf
        y = np.log(np.sum(np.exp(x - m), axis=axes, keepdims=True)) + m
        if not keepdim:
            y = np.squeeze(y, axis=axes)
        ctx.save_for_backward(a, y)
        return y

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        x, y = ctx.saved_tensors
        return _keep(g, ctx) * np.exp(x - _keep(y, ctx)), None, None   # d lse = softmax


def logsumexp(input: Tensor, dim: Any, keepdim: bool = False, *, out: Any = None) -> Tensor:
    """log(sum(exp(x))) over dim, computed stably (torch.logsumexp)."""
    a = _arr(input, "logsumexp")
    return LogSumExp.apply(input, _axes(a, dim, "logsumexp"), keepdim)


# ----------------------------------------------------------------------------- all / any / count
def _logical(op: str, np_fn: Any) -> Any:
    def reduce(input: Tensor, dim: Any = None, keepdim: bool = False, *, out: Any = None) -> Any:
        a = _arr(input, op)
        r = np.asarray(np_fn(a, axis=_axes(a, dim, op), keepdims=keepdim))
        return _make(r.astype(np.uint8) if a.dtype == np.uint8 else r)
    reduce.__name__ = op
    reduce.__doc__ = f"Whether {op} elements are nonzero, over dim (torch.{op}); bool result."
    return reduce


all, any = _logical("all", np.all), _logical("any", np.any)


def count_nonzero(input: Tensor, dim: Any = None) -> Tensor:
    """Number of nonzero elements over dim, int64 (torch.count_nonzero)."""
    a = _arr(input, "count_nonzero")
    axes = _axes(a, dim, "count_nonzero")
    return _make(np.asarray(np.count_nonzero(a, axis=axes), np.int64))


# ----------------------------------------------------------------------------- cumsum / cumprod
def _rev_cumsum(g: Any, axis: int) -> Any:
    """sum_{j >= i} g_j along axis."""
    if isinstance(g, Tensor):
        return np.sum(g, axis=axis, keepdims=True) - np.cumsum(g, axis=axis) + g
    return np.flip(np.cumsum(np.flip(g, axis), axis=axis), axis)


class CumSum(Function):
    _raw = True
    _name = "CumsumBackward0"

    @staticmethod
    def forward(ctx: Any, a: Any, axis: Any, dtype: Any) -> Any:
        ctx.axis = axis
        if axis is None:   # 0-d
            return a.astype(dtype or a.dtype)
        return np.cumsum(a, axis=axis, dtype=dtype)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        if ctx.axis is None:
            return g, None, None
        return _rev_cumsum(g, ctx.axis), None, None   # d cumsum = reversed cumsum


class CumProd(Function):
    _raw = True
    _name = "CumprodBackward0"

    @staticmethod
    def forward(ctx: Any, a: Any, axis: Any, dtype: Any) -> Any:
        ctx.axis = axis
        if axis is None:
            return a.astype(dtype or a.dtype)
        y = np.cumprod(a, axis=axis, dtype=dtype)
        ctx.save_for_backward(a, y)
        return y

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        axis = ctx.axis
        if axis is None:
            return g, None, None
        x, y = ctx.saved_tensors
        xd = _data_of(x)
        zero = xd == 0
        if not zero.any():     # d y_i/d x_k = y_i / x_k for i >= k
            return _rev_cumsum(g * y, axis) / x, None, None
        # With zeros: for each position k, the cumulative product with x_k replaced by 1.
        n = xd.shape[axis]
        pos = np.arange(n).reshape((n,) + (1,) * (xd.ndim - axis - 1))
        grad = 0
        for k in range(n):
            at_k = pos == k
            c = np.cumprod(x * ~at_k + at_k, axis=axis)
            grad = grad + at_k * np.sum(g * c * (pos >= k), axis=axis, keepdims=True)
        return grad, None, None


def _scan(op: str, fn: type) -> Any:
    def scan(input: Tensor, dim: Any, *, dtype: Any = None, out: Any = None) -> Tensor:
        a = _arr(input, op)
        return fn.apply(input, _dim1(a, dim, op), _int_dtype(a, dtype))
    scan.__name__ = op
    scan.__doc__ = f"Cumulative {op[3:]} along dim; ints and bool give int64 (torch.{op})."
    return scan


cumsum, cumprod = _scan("cumsum", CumSum), _scan("cumprod", CumProd)


# ----------------------------------------------------------------------------- sorting
def _argsort(a: np.ndarray, axis: int, descending: bool) -> np.ndarray:
    """Stable argsort; descending keeps equal elements in their original order, NaN first."""
    if not descending:
        return np.argsort(a, axis=axis, kind="stable")
    n = a.shape[axis]
    rev = np.argsort(np.flip(a, axis), axis=axis, kind="stable")
    return (n - 1) - np.flip(rev, axis)


def _no_bool(a: np.ndarray, op: str, exc: type = RuntimeError) -> None:
    if a.dtype.kind == "b":
        raise exc(f"{op} does not support bool dtypes on CPU (got a bool tensor of shape "
                  f"{list(a.shape)}); convert it first, e.g. x.int()")


def sort(input: Tensor, dim: int = -1, descending: bool = False, stable: bool = False, *,
         out: Any = None) -> Any:
    """Sorted values and their indices along dim, as torch.return_types.sort (torch.sort)."""
    a = _arr(input, "sort")
    axis = _dim1(a, dim, "sort")
    if axis is None:
        return _values_indices(input, SortDim, None, None, True, return_types.sort)
    idx = _argsort(a, axis, descending)
    return return_types.sort(SortDim.apply(input, idx, axis, True), _make(idx))


def argsort(input: Tensor, dim: int = -1, descending: bool = False, stable: bool = False) -> Tensor:
    """Indices that sort input along dim (torch.argsort)."""
    a = _arr(input, "argsort")
    axis = _dim1(a, dim, "argsort")
    if axis is None:
        return _make(np.zeros((), np.int64))
    return _make(_argsort(a, axis, descending))


def topk(input: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True, *,
         out: Any = None) -> Any:
    """The k largest (or smallest) values along dim and their indices (torch.topk)."""
    a = _arr(input, "topk")
    _no_bool(a, "topk")
    axis = _dim1(a, dim, "topk")
    n = a.shape[axis] if axis is not None else 1
    if not 0 <= k <= n:
        raise RuntimeError(
            f"topk(): selected index k out of range (k={k}, but dim {dim} of the input of "
            f"shape {list(a.shape)} has size {n})")
    if axis is None:
        return _values_indices(input, TopkDim, None, None, True, return_types.topk)
    idx = np.take(_argsort(a, axis, largest), np.arange(k), axis=axis)
    return return_types.topk(TopkDim.apply(input, idx, axis, True), _make(idx))


def median(input: Tensor, dim: Any = None, keepdim: bool = False, *, out: Any = None) -> Any:
    """Lower median of all elements (0-d), or (values, indices) along dim (torch.median)."""
    a = _arr(input, "median")
    if a.dtype.kind == "b":
        raise NotImplementedError(
            "\"median_cpu\" not implemented for 'Bool' (median() of a bool tensor; convert it "
            "first, e.g. x.int())")
    if dim is None:
        if a.size == 0:
            return _make(np.asarray(np.nan, a.dtype if a.dtype.kind == "f"
                                    else _backend.default_float()))
        flat = a.reshape(-1)
        nans = np.isnan(flat) if flat.dtype.kind == "f" else None
        if nans is not None and nans.any():   # torch: NaN is the median of anything with NaN
            idx = np.argmax(nans)
        else:
            k = (flat.size - 1) // 2
            idx = np.argpartition(flat, k)[k]
        return MedianAll.apply(input, idx)
    axis = _dim1(a, dim, "median")
    if axis is None:
        return _values_indices(input, MedianDim, None, None, keepdim, return_types.median)
    _nonempty(a, (axis,), "median")
    k = (a.shape[axis] - 1) // 2
    idx = np.take(np.argpartition(a, k, axis=axis), [k], axis=axis)
    if a.dtype.kind == "f":
        nans = np.isnan(a)
        idx = np.where(np.any(nans, axis=axis, keepdims=True),
                       np.argmax(nans, axis=axis, keepdims=True), idx)
    return _values_indices(input, MedianDim, idx.astype(np.int64, copy=False), axis, keepdim,
                           return_types.median)


def mode(input: Tensor, dim: int = -1, keepdim: bool = False) -> Any:
    """Most frequent value along dim (smallest on ties) and its last index (torch.mode)."""
    a = _arr(input, "mode")
    axis = _dim1(a, dim, "mode")
    if axis is None:
        return _values_indices(input, ModeDim, None, None, keepdim, return_types.mode)
    _nonempty(a, (axis,), "mode")
    order = np.argsort(a, axis=axis, kind="stable")
    s = np.moveaxis(np.take_along_axis(a, order, axis), axis, -1)
    n = s.shape[-1]
    new = np.ones(s.shape, bool)
    new[..., 1:] = s[..., 1:] != s[..., :-1]
    pos = np.arange(n)
    start = np.maximum.accumulate(np.where(new, pos, 0), axis=-1)
    best = np.argmax(pos - start, axis=-1)   # end of the first longest run: smallest value
    idx = np.take_along_axis(np.moveaxis(order, axis, -1), best[..., None], -1)
    return _values_indices(input, ModeDim, np.moveaxis(idx, -1, axis), axis, keepdim,
                           return_types.mode)


def unique(input: Tensor, sorted: bool = True, return_inverse: bool = False,
           return_counts: bool = False, dim: Any = None) -> Any:
    """Unique elements (sorted), optionally inverse indices and counts (torch.unique)."""
    a = _arr(input, "unique")
    axis = None if dim is None else wrap_dim(int(dim), a.ndim, "unique")
    res = np.unique(a, return_inverse=return_inverse, return_counts=return_counts, axis=axis)
    if not (return_inverse or return_counts):
        return _make(res)
    out = [_make(res[0])]
    if return_inverse:
        inv = res[1].astype(np.int64, copy=False)
        out.append(_make(inv.reshape(a.shape) if axis is None else inv.reshape(-1)))
    if return_counts:
        out.append(_make(res[-1].astype(np.int64, copy=False)))
    return tuple(out)


# ----------------------------------------------------------------------------- Tensor methods
def _unique_method(self: Tensor, sorted: bool = True, return_inverse: bool = False,
                   return_counts: bool = False, dim: Any = None) -> Any:
    return unique(self, sorted, return_inverse, return_counts, dim)


attach({
    "sum": sum, "mean": mean, "prod": prod, "max": max, "min": min, "amax": amax, "amin": amin,
    "argmax": argmax, "argmin": argmin, "var": var, "std": std, "logsumexp": logsumexp,
    "all": all, "any": any, "cumsum": cumsum, "cumprod": cumprod,
    "median": median, "mode": mode, "topk": topk, "sort": sort, "argsort": argsort,
    "unique": _unique_method, "count_nonzero": count_nonzero, "nansum": nansum,
    "nanmean": nanmean,
})


# ----------------------------------------------------------------------------- NumPy protocol
def _np_dtype(dtype: Any) -> Any:
    return None if dtype is None else _backend.from_np(np.dtype(dtype))


def _np_reduction(fn: Any, with_dtype: bool = True) -> Any:
    def call(a: Tensor, axis: Any = None, dtype: Any = None, out: Any = None,
             keepdims: bool = False, **kw: Any) -> Tensor:
        if out is not None or kw:
            raise TypeError(f"ember: np.{fn.__name__} on Tensors takes only axis, dtype, "
                            f"keepdims (got {sorted(kw) + (['out'] if out is not None else [])})")
        if axis == ():   # NumPy: no axes means no reduction (torch would reduce all)
            return a
        if with_dtype:
            return fn(a, axis, keepdims, dtype=_np_dtype(dtype))
        return fn(a, axis, keepdims)
    return call


def _np_max_like(fn: Any) -> Any:
    def call(a: Tensor, axis: Any = None, out: Any = None, keepdims: bool = False) -> Tensor:
        return a if axis == () else fn(a, axis, keepdims)
    return call


def _np_scan(fn: Any) -> Any:
    def call(a: Tensor, axis: Any = None, dtype: Any = None, out: Any = None) -> Tensor:
        if axis is None:
            a, axis = np.reshape(a, (-1,)), 0
        return fn(a, axis, dtype=_np_dtype(dtype))
    return call


def _np_var_like(fn: Any) -> Any:
    def call(a: Tensor, axis: Any = None, dtype: Any = None, out: Any = None, ddof: Any = 0,
             keepdims: bool = False) -> Tensor:
        return fn(a, axis, keepdim=keepdims, correction=ddof)
    return call


def _np_arg(fn: Any) -> Any:
    def call(a: Tensor, axis: Any = None, out: Any = None, *, keepdims: bool = False) -> Tensor:
        return fn(a, axis, keepdims)
    return call


proto.register_functions({
    np.sum: _np_reduction(sum), np.mean: _np_reduction(mean), np.prod: _np_reduction(_prod_dims),
    np.nansum: _np_reduction(nansum), np.max: _np_max_like(amax), np.amax: _np_max_like(amax),
    np.min: _np_max_like(amin), np.amin: _np_max_like(amin), np.cumsum: _np_scan(cumsum),
    np.cumprod: _np_scan(cumprod), np.var: _np_var_like(var), np.std: _np_var_like(std),
    np.argmax: _np_arg(argmax), np.argmin: _np_arg(argmin),
    np.all: _np_max_like(all), np.any: _np_max_like(any),
})


# ----------------------------------------------------------------------------- cumsum_ / cumprod_
def _scan_inplace(fn: Any, name: str) -> Any:
    """Tensor.cumsum_/cumprod_: the scan in self's own dtype (a different dtype= and bool
    tensors are refused, as in torch)."""
    inner = inplace(fn, name + "_")

    def method(self: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
        x = self._data
        if dtype is not None and _dtype(dtype, name + "_") != x.dtype:
            raise RuntimeError(
                f"Bad in-place call: input tensor dtype {_CPP_NAMES[x.dtype.name]} and output "
                f"tensor dtype {_CPP_NAMES[_dtype(dtype, name).name]} should match")
        if x.dtype.kind == "b":
            raise NotImplementedError(f"\"{name}_out_cpu\" not implemented for 'Bool'")
        return inner(self, dim)
    method.__name__ = name + "_"
    method.__doc__ = f"In-place {name} along dim (Tensor.{name}_)."
    return method


# ----------------------------------------------------------------------------- cummax / cummin
def _cum_extreme(op: str, acc: Any) -> Any:
    rt = return_type(op)
    name = f"{op.capitalize()}Backward0"

    def scan(input: Tensor, dim: int) -> Any:
        a = _arr(input, op)
        axis = _dim1(a, dim, op)
        if axis is None:   # 0-d
            idx = np.zeros((), np.int64)
            return rt(Gather.apply(input, idx, name), _make(idx))
        v = acc.accumulate(a, axis=axis) if a.size else a.copy()
        # torch takes the latest index on ties (and of a NaN): the last j <= i with x_j == v_j
        hit = (a == v) | np.isnan(a) if a.dtype.kind == "f" else a == v
        n = a.shape[axis]
        pos = np.arange(n).reshape((n,) + (1,) * (a.ndim - axis - 1))
        idx = (np.maximum.accumulate(np.where(hit, pos, 0), axis=axis) if a.size
               else np.zeros(a.shape, np.int64)).astype(np.int64, copy=False)
        return rt(Gather.apply(input, _flat_positions(a.shape, axis, idx), name), _make(idx))
    scan.__name__ = op
    scan.__doc__ = (f"Running {op[3:]} along dim and the index where it occurred (the latest on "
                    f"ties) as ember.return_types.{op} (torch.{op}).")
    return scan


cummax = _cum_extreme("cummax", np.maximum)
cummin = _cum_extreme("cummin", np.minimum)


# ----------------------------------------------------------------------------- logcumsumexp
def _lcse(x: Any, axis: int, reverse: bool = False) -> Any:
    """log(cumsum(exp(x))) along axis (from the end when reverse), on arrays or Tensors."""
    if reverse:
        return np.flip(_lcse(np.flip(x, axis), axis), axis)
    if isinstance(x, Tensor):
        return LogCumSumExp.apply(x, axis)
    return np.logaddexp.accumulate(x, axis=axis) if x.size else x.copy()


class LogCumSumExp(Function):
    _raw = True
    _name = "LogcumsumexpBackward0"

    @staticmethod
    def forward(ctx: Any, a: Any, axis: Any) -> Any:
        ctx.axis = axis
        y = a.copy() if axis is None else _lcse(a, axis)
        ctx.save_for_backward(a, y)
        return y

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        if ctx.axis is None:
            return g, None
        # torch's stable formula: split g by sign, sum g_j exp(x_i - y_j) over j >= i in logs
        x, y = ctx.saved_tensors
        low = np.finfo(_data_of(y).dtype).min
        gd = _data_of(g)
        with np.errstate(divide="ignore", over="ignore"):   # log 0 and low - y: -inf, as meant
            log_g = np.log(np.abs(g))
            pos = np.where(gd > 0, log_g, low)
            neg = np.where(gd < 0, log_g, low)
            return (np.exp(_lcse(pos - y, ctx.axis, True) + x)
                    - np.exp(_lcse(neg - y, ctx.axis, True) + x)), None


def logcumsumexp(input: Tensor, dim: int, *, out: Any = None) -> Tensor:
    """log(cumsum(exp(x))) along dim, computed stably (torch.logcumsumexp)."""
    a = _arr(input, "logcumsumexp")
    if a.dtype.kind != "f":
        raise NotImplementedError(f"\"logcumsumexp_out_cpu\" not implemented for '{_tname(a)}' "
                                  "(logcumsumexp needs a floating tensor; convert it first, "
                                  "e.g. x.float())")
    return LogCumSumExp.apply(input, _dim1(a, dim, "logcumsumexp"))


# ----------------------------------------------------------------------------- aminmax / kthvalue
return_type("aminmax", ("min", "max"))


def aminmax(input: Tensor, *, dim: Any = None, keepdim: bool = False) -> Any:
    """(min, max) over dim (all when None) as ember.return_types.aminmax (torch.aminmax)."""
    a = _arr(input, "aminmax")
    if dim is None:
        if a.size == 0:
            raise RuntimeError(
                "aminmax(): cannot compute aminmax over an empty dimension as the operation has "
                f"no identity (input shape {list(a.shape)}).")
        axes = None
    else:
        axes = None if _dim1(a, dim, "aminmax") is None else (wrap_dim(dim, a.ndim, "aminmax"),)
        _nonempty(a, axes, "aminmax")
    return return_types.aminmax(_named(AMin.apply(input, axes, keepdim), "AminmaxBackward0"),
                                _named(AMax.apply(input, axes, keepdim), "AminmaxBackward0"))


KthvalueDim = _selector("KthvalueBackward0")


def kthvalue(input: Tensor, k: int, dim: int = -1, keepdim: bool = False, *,
             out: Any = None) -> Any:
    """The k-th smallest value along dim and its index (torch.kthvalue; which of several equal
    elements is returned is unspecified in torch too)."""
    a = _arr(input, "kthvalue")
    if a.dtype.kind == "b":
        raise NotImplementedError("\"kthvalue_cpu\" not implemented for 'Bool' (convert the "
                                  "bool tensor first, e.g. x.int())")
    axis = _dim1(a, dim, "kthvalue")
    if axis is not None:
        _nonempty(a, (axis,), "kthvalue")
    n = 1 if axis is None else a.shape[axis]
    if not 1 <= k <= n:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {dim} "
                           f"(k={k}, but the dimension has size {n})")
    if axis is None:
        return _values_indices(input, KthvalueDim, None, None, keepdim, return_types.kthvalue)
    idx = np.take(np.argsort(a, axis=axis, kind="stable"), [k - 1], axis=axis)
    return _values_indices(input, KthvalueDim, idx.astype(np.int64, copy=False), axis, keepdim,
                           return_types.kthvalue)


# ----------------------------------------------------------------------------- nanmedian
NanmedianDim = _selector("NanmedianBackward1")


class NanmedianAll(MedianAll):
    _name = "NanmedianBackward0"


def nanmedian(input: Tensor, dim: Any = None, keepdim: bool = False, *, out: Any = None) -> Any:
    """median ignoring NaN: the lower median of the non-NaN elements, NaN where all are NaN
    (torch.nanmedian)."""
    a = _arr(input, "nanmedian")
    if a.dtype.kind == "b":
        raise NotImplementedError(
            "\"median_cpu\" not implemented for 'Bool' (nanmedian() of a bool tensor; convert "
            "it first, e.g. x.int())")
    if dim is None:
        if a.size == 0:
            return median(input)
        flat = a.reshape(-1)
        order = np.argsort(flat, kind="stable")   # NaN last
        cnt = flat.size - int(np.isnan(flat).sum()) if flat.dtype.kind == "f" else flat.size
        return NanmedianAll.apply(input, order[(cnt - 1) // 2 if cnt else 0])
    axis = _dim1(a, dim, "nanmedian")
    if axis is None:
        return _values_indices(input, NanmedianDim, None, None, keepdim, return_types.nanmedian)
    _nonempty(a, (axis,), "median")
    order = np.argsort(a, axis=axis, kind="stable")
    cnt = (np.sum(~np.isnan(a), axis=axis, keepdims=True) if a.dtype.kind == "f"
           else np.full(_kshape(a.shape, (axis,)), a.shape[axis]))
    idx = np.take_along_axis(order, np.maximum((cnt - 1) // 2, 0), axis)
    return _values_indices(input, NanmedianDim, idx.astype(np.int64, copy=False), axis, keepdim,
                           return_types.nanmedian)


# ----------------------------------------------------------------------------- quantile
_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile(op: str, input: Tensor, q: Any, dim: Any, keepdim: bool, interpolation: str,
              ignore_nan: bool) -> Tensor:
    from .indexing import take_along_dim
    from .shape import movedim, reshape
    a = _arr(input, op)
    if a.dtype not in (np.float32, np.float64):
        raise RuntimeError(f"quantile() input tensor must be either float or double dtype "
                           f"({op}() got {_tname(a)})")
    if isinstance(q, Tensor):
        qa = q._data
        if qa.ndim > 1:
            raise RuntimeError(f"quantile() q must be a scalar or 1D tensor (got shape "
                               f"{list(qa.shape)})")
        if qa.dtype != a.dtype:
            raise RuntimeError(f"quantile() q tensor must be same dtype as the input tensor "
                               f"(q is {_tname(qa)}, input is {_tname(a)})")
        if not np.all((qa >= 0) & (qa <= 1)):
            raise RuntimeError("quantile() q values must be in the range [0, 1]")
    else:
        if not 0 <= q <= 1:
            raise RuntimeError(f"quantile() q must be in the range [0, 1] but got {q}")
        qa = np.asarray(q, a.dtype)
    if interpolation not in _INTERPOLATIONS:
        raise RuntimeError("quantile() interpolation must be one of linear, lower, higher, "
                           f"midpoint or nearest, but got {interpolation}")
    if a.size == 0:
        raise RuntimeError(f"quantile() input tensor must be non-empty (got shape "
                           f"{list(a.shape)})")
    if dim is None:
        x, axis, kshape, rest = reshape(input, (-1,)), 0, (1,) * a.ndim, ()
    else:
        axis = _dim1(a, dim, op)
        if axis is None:   # 0-d
            x, axis, kshape, rest = reshape(input, (1,)), 0, (), ()
        else:
            x, kshape = input, _kshape(a.shape, (axis,))
            rest = a.shape[:axis] + a.shape[axis + 1:]
    s = sort(movedim(x, axis, -1), -1).values   # NaN last
    sd, n = s._data, s.shape[-1]
    qv = np.reshape(qa, (-1,))
    if ignore_nan:   # ranks within the non-NaN values (all NaN: rank 0, a NaN)
        scale = (np.sum(~np.isnan(sd), axis=-1, keepdims=True) - 1).astype(a.dtype)
        ranks = qv * scale
        keep = ranks >= 0
        ranks = np.maximum(ranks, 0)
    else:            # a slice with NaN takes its last (NaN) value
        scale = np.asarray(n - 1, a.dtype)
        ranks = np.broadcast_to(qv * scale, sd.shape[:-1] + qv.shape).copy()
        keep = ~np.any(np.isnan(sd), axis=-1, keepdims=True)
        ranks[~keep[..., 0]] = n - 1
    ranks = {"lower": np.floor, "higher": np.ceil, "nearest": np.round}.get(
        interpolation, lambda r: r)(ranks)
    below = ranks.astype(np.int64)
    out = take_along_dim(s, _make(below), -1)
    if interpolation in ("linear", "midpoint"):
        above = take_along_dim(s, _make(np.ceil(ranks).astype(np.int64)), -1)
        if interpolation == "midpoint":
            w = _make(np.full_like(ranks, 0.5))
        elif isinstance(q, Tensor):   # weights = q * scale - below, differentiable in q
            w = np.where(keep, reshape(q, (-1,)) * _make(scale) - _make(below.astype(a.dtype)),
                         0.0)
        else:
            w = _make((ranks - below).astype(a.dtype))
        out = out + w * (above - out)
    return reshape(movedim(out, -1, 0), tuple(qa.shape) + (kshape if keepdim else rest))


def quantile(input: Tensor, q: Any, dim: Any = None, keepdim: bool = False, *,
             interpolation: str = "linear", out: Any = None) -> Tensor:
    """The q-th quantiles along dim (of all elements when None), q a float or 1-D tensor whose
    dim comes first in the result; NaN where a slice has NaN (torch.quantile)."""
    return _quantile("quantile", input, q, dim, keepdim, interpolation, False)


def nanquantile(input: Tensor, q: Any, dim: Any = None, keepdim: bool = False, *,
                interpolation: str = "linear", out: Any = None) -> Tensor:
    """quantile ignoring NaN values (NaN only where a slice is all NaN) (torch.nanquantile)."""
    return _quantile("nanquantile", input, q, dim, keepdim, interpolation, True)


# ----------------------------------------------------------------------------- bincount / histc
def bincount(input: Tensor, weights: Tensor | None = None, minlength: int = 0) -> Tensor:
    """Count of each value of a 1-D non-negative int tensor (summed weights if given)
    (torch.bincount)."""
    a = _arr(input, "bincount")
    if a.dtype.kind not in "iu":
        raise NotImplementedError(f"\"bincount_cpu\" not implemented for '{_tname(a)}' "
                                  "(bincount needs an integer tensor)")
    if minlength < 0:
        raise RuntimeError(f"minlength should be >= 0 (got {minlength})")
    if a.ndim != 1 or (a.size and a.min() < 0):
        raise RuntimeError(f"bincount only supports 1-d non-negative integral inputs (got shape "
                           f"{list(a.shape)}{', with negative values' if a.ndim == 1 else ''}).")
    if weights is None:
        return _make(np.bincount(a, minlength=minlength).astype(np.int64, copy=False))
    w = _arr(weights, "bincount")
    if w.ndim != 1 or w.shape[0] != a.shape[0]:
        raise RuntimeError(f"weights should be 1-d and have the same length as input (got "
                           f"weights of shape {list(w.shape)} for input of shape "
                           f"{list(a.shape)})")
    dt = np.float32 if w.dtype == np.float32 else np.float64
    return _make(np.bincount(a, w.astype(np.float64), minlength=minlength).astype(dt))


def histc(input: Tensor, bins: int = 100, min: float = 0, max: float = 0, *,
          out: Any = None) -> Tensor:
    """Histogram of `bins` equal-width bins over [min, max] (the data's range when both are
    equal); elements outside are ignored (torch.histc)."""
    a = _arr(input, "histc")
    if a.dtype.kind != "f":
        raise NotImplementedError(f"\"histogram_cpu\" not implemented for '{_tname(a)}' "
                                  "(histc needs a floating tensor; convert it first, e.g. "
                                  "x.float())")
    if bins <= 0:
        raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for dimension 0")
    lo, hi = a.dtype.type(min), a.dtype.type(max)
    if lo == hi and a.size:
        lo, hi = np.min(a), np.max(a)
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if lo > hi:
        raise RuntimeError(f"torch.histc: max must be larger than min (got min={min}, "
                           f"max={max})")
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise RuntimeError(f"torch.histc: range of [{lo}, {hi}] is not finite")
    x = a.reshape(-1)
    x = x[(x >= lo) & (x <= hi)]
    pos = np.minimum(((x - lo) * bins / (hi - lo)).astype(np.int64), bins - 1)   # as torch
    return _make(np.bincount(pos, minlength=bins).astype(a.dtype))


attach({"cumsum_": _scan_inplace(cumsum, "cumsum"), "cumprod_": _scan_inplace(cumprod, "cumprod"),
        "cummax": cummax, "cummin": cummin, "logcumsumexp": logcumsumexp, "aminmax": aminmax,
        "kthvalue": kthvalue, "nanmedian": nanmedian, "quantile": quantile,
        "nanquantile": nanquantile, "bincount": bincount, "histc": histc})
