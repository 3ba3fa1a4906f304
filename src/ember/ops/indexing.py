"""Indexing: `x[key]`, `x[key] = v`, gather/scatter, index_*, masked_*, take, nonzero.

Three Functions carry almost everything: `Index` (read at a NumPy key; basic keys give views),
`IndexScatter` (its adjoint: add into zeros at the key) and `IndexPut` (write or accumulate at a
key). gather, index_select, take and take_along_dim are `Index` with an advanced key built from
their index tensor; scatter, index_add/copy/fill, index_put and put are `IndexPut`. Each is the
other's backward, so gradients of any order stay inside this module.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from .._tensor import Tensor, _make
from ..autograd.function import Function
from ..autograd.grad_mode import state as grad_state
from . import _numpy_protocol as proto
from ._util import attach, broadcast_error, check_inplace, commit_inplace, inplace, wrap_dim

__all__ = ["gather", "scatter", "scatter_add", "scatter_reduce", "index_select", "index_add",
           "index_copy", "index_fill", "index_put", "index_put_", "masked_fill", "masked_select",
           "masked_scatter", "take", "take_along_dim", "nonzero", "argwhere", "searchsorted",
           "bucketize", "isin", "select", "select_scatter", "slice_scatter", "diagonal_scatter"]

ndarray = np.ndarray
# key kinds: a view; bool masks only (no repeats); int arrays; ints mixed with arrays, which
# torch applies as selects first (NumPy would broadcast them with the arrays): key = (k1, k2)
BASIC, MASK, ADVANCED, STAGED = 0, 1, 2, 3
_BASIC_TYPES = {int, slice, type(None), type(Ellipsis)}
_SEQ_TUPLE = (list, tuple, slice, type(Ellipsis), type(None), Tensor, ndarray)


# ----------------------------------------------------------------------------- key handling
def _index_array(a: Any, what: Any) -> Any:
    """An index array (or int, for 0-d integers) from a Tensor, ndarray or nested list."""
    if a.dtype.kind == "u" and a.dtype.itemsize == 1:
        warnings.warn("indexing with dtype uint8 is now deprecated, please use a dtype bool "
                      "instead.", UserWarning, stacklevel=4)
        a = a.astype(bool)
    k = a.dtype.kind
    if k == "b":
        return a
    if k in "iu":
        return int(a) if a.ndim == 0 else a
    raise IndexError(
        "tensors used as indices must be long, int, byte or bool tensors (got an index of "
        f"dtype {a.dtype} from {type(what).__name__})")


def _normalize(key: Any, shape: tuple) -> tuple:
    """Turn a torch-style index into (NumPy key tuple, kind), with torch's checks and errors."""
    if type(key) is not tuple:
        if isinstance(key, list) and 0 < len(key) < 32 and any(
                isinstance(k, _SEQ_TUPLE) for k in key):
            warnings.warn("Using a non-tuple sequence for multidimensional indexing is "
                          "deprecated; use x[tuple(seq)] instead of x[seq].", UserWarning,
                          stacklevel=3)
            key = tuple(key)
        else:
            key = (key,)
    out = []
    kind = BASIC
    used = 0
    for k in key:
        t = type(k)
        if t is int or t is slice or k is None or k is Ellipsis:
            pass
        elif t is bool or t is np.bool_:
            k = np.asarray(k)
        elif isinstance(k, (int, np.integer)):
            k = int(k)
        elif isinstance(k, Tensor):
            k = _index_array(k._data, k)
        elif isinstance(k, ndarray):
            k = _index_array(k, k)
        elif isinstance(k, (list, tuple)):
            a = np.asarray(k)
            k = _index_array(a.astype(np.int64) if a.size == 0 else a, k)
        else:
            raise IndexError(
                "only integers, slices (`:`), ellipsis (`...`), None and long or byte "
                f"Variables are valid indices (got {type(k).__name__})")
        if type(k) is slice:
            if k.step is not None:
                step = k.step.__index__()
                if step <= 0:
                    raise ValueError(f"step must be greater than zero (got slice step {step}; "
                                     "use .flip() to reverse)")
            if any(isinstance(v, Tensor) for v in (k.start, k.stop, k.step)):
                k = slice(*(None if v is None else v.__index__()
                            for v in (k.start, k.stop, k.step)))
            used += 1
        elif type(k) is ndarray:
            if k.dtype.kind == "b":
                used += k.ndim
                kind = max(kind, MASK)
            else:
                used += 1
                kind = ADVANCED
        elif type(k) is int:
            used += 1
        out.append(k)
    nd = len(shape)
    if used > nd:
        raise IndexError(f"too many indices for tensor of dimension {nd} (got {used} indices "
                         f"for a tensor of shape {list(shape)})")
    if kind:
        _check_masks(out, shape, nd - used)
        if any(type(k) is int for k in out):
            return _stage(out), STAGED
    return tuple(out), kind


def _stage(key: list) -> tuple:
    """Split a key mixing ints and arrays into (basic selects, advanced rest), torch's order."""
    k1, k2 = [], []
    for k in key:
        if type(k) is int:
            k1.append(k)
        elif k is None:
            k1.append(None)
            k2.append(slice(None))
        elif type(k) is ndarray:
            k1.extend([slice(None)] * (k.ndim if k.dtype.kind == "b" else 1))
            k2.append(k)
        else:
            k1.append(k)
            k2.append(slice(None) if type(k) is slice else k)
    return tuple(k1) + (Ellipsis,) * (Ellipsis not in k1), tuple(k2)


def _split(a: Any, key: tuple, kind: int) -> tuple:
    """(array or view to index, key): a STAGED key's selects applied first (a view)."""
    return (a[key[0]], key[1], ADVANCED) if kind == STAGED else (a, key, kind)


def _check_masks(key: list, shape: tuple, ellipsis_dims: int) -> None:
    """torch's IndexError for a bool mask whose shape differs from the dims it covers."""
    d = 0
    for k in key:
        if k is Ellipsis:
            d += ellipsis_dims
        elif k is None:
            continue
        elif type(k) is ndarray and k.dtype.kind == "b":
            want = shape[d:d + k.ndim]
            if k.shape != want:
                j = next(i for i, (a, b) in enumerate(zip(k.shape, want)) if a != b)
                raise IndexError(
                    f"The shape of the mask {list(k.shape)} at index {j} does not match the "
                    f"shape of the indexed tensor {list(shape)} at index {d + j}")
            d += k.ndim
        else:
            d += 1


def _name(key: tuple, kind: int) -> str:
    if kind:
        return "IndexBackward0"
    for k in reversed(key):
        if type(k) is int:
            return "SelectBackward0"
        if k is None:
            return "UnsqueezeBackward0"
        if type(k) is slice and k != slice(None):
            return "SliceBackward0"
    return "SliceBackward0" if key and key[0] is not Ellipsis else "AliasBackward0"


def _oob(exc: IndexError) -> IndexError:
    """NumPy's out-of-bounds message in torch's words."""
    return IndexError(str(exc).replace("for axis", "for dimension"))


# ----------------------------------------------------------------------------- the Functions
class Index(Function):
    """x[key] for a normalised key (torch's select/slice/unsqueeze/index)."""

    _raw = True

    @staticmethod
    def forward(ctx: Any, x: Any, key: tuple, kind: int, name: str) -> Any:
        ctx._name = name
        ctx.key, ctx.kind, ctx.shape = key, kind, x.shape
        try:
            if kind == BASIC and Ellipsis not in key:
                return x[key + (Ellipsis,)]   # a 0-d view, not a NumPy scalar
            x, key, _ = _split(x, key, kind)
            return x[key]
        except IndexError as exc:
            raise _oob(exc) from None

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        return _scatter(g, ctx.key, ctx.kind, ctx.shape), None, None, None   # adjoint: add at key


class IndexScatter(Function):
    """zeros(shape) with g added at key: the adjoint of `Index`."""

    _raw = True
    _name = "IndexPutBackward0"

    @staticmethod
    def forward(ctx: Any, g: Any, key: tuple, kind: int, shape: tuple) -> Any:
        ctx.key, ctx.kind = key, kind
        z = np.zeros(shape, g.dtype)
        t, key, kind = _split(z, key, kind)
        if kind == ADVANCED:
            np.add.at(t, key, g)
        else:
            t[key] = g
        return z

    @staticmethod
    def backward(ctx: Any, gg: Any) -> Any:
        return _take(gg, ctx.key, ctx.kind), None, None, None   # adjoint: read at key


class IndexPut(Function):
    """x with v written (or added, `accumulate`) at key; v broadcasts to the indexed region."""

    _raw = True

    @staticmethod
    def forward(ctx: Any, x: Any, v: Any, key: tuple, kind: int, accumulate: bool,
                name: str) -> Any:
        ctx._name = name
        ctx.key, ctx.kind, ctx.acc, ctx.vnd = key, kind, accumulate, np.ndim(v)
        y = x.copy()
        t, k, knd = _split(y, key, kind)
        try:
            if not accumulate:
                t[k] = v
            elif knd == ADVANCED:
                np.add.at(t, k, np.asarray(v, y.dtype))
            else:
                t[k] += v
        except IndexError as exc:
            raise _oob(exc) from None
        except ValueError:
            raise RuntimeError(
                f"shape mismatch: value tensor of shape {list(np.shape(v))} cannot be broadcast "
                f"to indexing result of shape {list(np.shape(_take(x, key, kind)))}") from None
        return y

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        key, kind = ctx.key, ctx.kind
        gx = gv = None
        if ctx.needs_input_grad[0]:
            gx = g if ctx.acc else _zero_at(g, key, kind)   # written places lose x
        if ctx.needs_input_grad[1]:
            gv = _take(g, key, kind)                          # d v = g read at key
            if gv.ndim < ctx.vnd:
                gv = np.reshape(gv, (1,) * (ctx.vnd - gv.ndim) + tuple(gv.shape))
        return gx, gv, None, None, None, None


def _take(g: Any, key: tuple, kind: int) -> Any:
    if isinstance(g, Tensor):
        return Index.apply(g, key, kind, _name(key, kind))
    if kind == STAGED:
        return g[key[0]][key[1]]
    return g[key] if kind or Ellipsis in key else g[key + (Ellipsis,)]


def _scatter(g: Any, key: tuple, kind: int, shape: tuple) -> Any:
    if isinstance(g, Tensor):
        return IndexScatter.apply(g, key, kind, shape)
    return IndexScatter.forward(object.__new__(IndexScatter), g, key, kind, shape)


def _zero_at(g: Any, key: tuple, kind: int) -> Any:
    if isinstance(g, Tensor):
        return IndexPut.apply(g, 0.0, key, kind, False, "IndexPutBackward0")
    g = g.copy()
    t, key, _ = _split(g, key, kind)
    t[key] = 0
    return g


def _as_view(out: Tensor, x: Tensor) -> Tensor:
    """Make a basic-indexing result a view of x: shared version counter and base."""
    out._vc = x._vc
    out._base = x._base if x._base is not None else x
    return out


# ----------------------------------------------------------------------------- [] and []=
def _getitem(self: Tensor, key: Any) -> Tensor:
    """x[key] as torch: basic keys give views, advanced (int/bool arrays) give copies."""
    t = type(key)
    if t is int:
        n = self._data.shape[0] if self._data.ndim else 0
        if not self._data.ndim:
            raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python "
                             "or `tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")
        if not -n <= key < n:
            raise IndexError(f"index {key} is out of bounds for dimension 0 with size {n} "
                             f"(valid indices are 0 to {n - 1}, or -{n} to -1 from the end)"
                             if n else f"index {key} is out of bounds for dimension 0 with "
                             f"size 0 (the tensor is empty)")
        return _as_view(Index.apply(self, (key,), BASIC, "SelectBackward0"), self)
    if t is slice and (key.step is None or type(key.step) is int and key.step > 0) \
            and self._data.ndim:
        return _as_view(Index.apply(self, (key,), BASIC, "SliceBackward0"), self)
    if t is tuple and all(type(k) in _BASIC_TYPES for k in key) \
            and len(key) - key.count(None) - key.count(Ellipsis) <= self._data.ndim:
        for k in key:   # fast path: ints, slices with int steps, None, Ellipsis
            if type(k) is slice and k.step is not None and not (type(k.step) is int
                                                                 and k.step > 0):
                break
        else:
            return _as_view(Index.apply(self, key, BASIC, _name(key, BASIC)), self)
    k, kind = _normalize(key, self._data.shape)
    out = Index.apply(self, k, kind, _name(k, kind))
    return out if kind else _as_view(out, self)


def _setitem(self: Tensor, key: Any, value: Any) -> None:
    """x[key] = value, in place and differentiable (torch's index_put_/copy_)."""
    k, kind = _normalize(key, self._data.shape)
    vt = isinstance(value, Tensor)
    if not (grad_state.enabled and (self._requires_grad or vt and value._requires_grad)):
        try:
            t, k2, _ = _split(self._data, k, kind)
            t[k2] = value._data if vt else value
        except IndexError as exc:
            raise _oob(exc) from None
        except (ValueError, TypeError):
            raise RuntimeError(
                f"shape mismatch: value of shape {list(np.shape(_arr(value)))} cannot be broadcast "
                f"to indexing result of shape {list(_take(self._data, k, kind).shape)}") from None
        self._vc[0] += 1
        return
    check_inplace(self, "index_put_ (x[...] = value)")
    commit_inplace(self, IndexPut.apply(self, value, k, kind, False, "CopySlices"),
                   "index_put_")


# ----------------------------------------------------------------------------- gather/scatter
def _int_index(index: Any, op: str, dtypes: str = "int64") -> ndarray:
    a = index._data if isinstance(index, Tensor) else np.asarray(index)
    if a.dtype.kind not in "iu" or (dtypes == "int64" and a.dtype != np.int64):
        raise RuntimeError(f"{op}(): Expected dtype {dtypes} for index (got {a.dtype})")
    return a


def _check_along(x: Any, dim: int, index: ndarray, op: str, src: Any = None) -> None:
    """gather/scatter's checks of index against x (and src): ndim, sizes, bounds."""
    xs = x.shape
    nd = len(xs)
    if index.ndim != nd and not (nd == 0 and index.ndim <= 1):
        raise RuntimeError(
            f"{op}(): Index tensor must have the same number of dimensions as input tensor "
            f"(index has {index.ndim}, input has {nd})")
    if nd == 0:
        raise NotImplementedError(f"{op}(): 0-d input is not supported by ember yet")
    ss = None if src is None or np.ndim(src) == 0 else np.shape(src)
    for d in range(nd):
        if (d != dim and index.shape[d] > xs[d]) or (ss is not None and index.shape[d] > ss[d]):
            raise RuntimeError(
                f"{op}(): Size does not match at dimension {d}: expected index "
                f"{list(index.shape)} to be no larger than self {list(xs)} apart from dimension "
                f"{dim}" + (f" and to be no larger than src {list(ss)}" if ss else ""))
    if index.size:
        lo, hi = index.min(), index.max()
        if lo < 0 or hi >= xs[dim]:
            raise RuntimeError(f"{op}(): index {lo if lo < 0 else hi} is out of bounds for "
                               f"dimension {dim} with size {xs[dim]}")


def _along(x: Any, dim: int, index: ndarray, op: str, src: Any = None) -> tuple:
    """The advanced key that reads x along `dim` at `index` (gather/scatter's addressing)."""
    _check_along(x, dim, index, op, src)
    nd = x.ndim
    key = []
    for d in range(nd):
        if d == dim:
            key.append(index)
        else:
            shp = [1] * nd
            shp[d] = index.shape[d]
            key.append(np.arange(index.shape[d]).reshape(shp))
    return tuple(key)


def _fit_src(src: Any, index: ndarray) -> Any:
    """src cut to index's shape (scatter reads only src[:index.shape])."""
    if not isinstance(src, Tensor) or src.shape == index.shape:
        return src
    return Index.apply(src, tuple(slice(0, s) for s in index.shape), BASIC, "SliceBackward0")


def _flat_positions(shape: tuple, dim: int, index: ndarray) -> ndarray:
    """Position in the C-order flattening of `shape` of each element gather reads: NumPy reads
    (take) and accumulates into (add.at) one integer array several times faster than a tuple of
    broadcast keys."""
    nd = len(shape)
    strides = [1] * nd
    for d in range(nd - 2, -1, -1):
        strides[d] = strides[d + 1] * shape[d + 1]
    flat = index * strides[dim] if strides[dim] != 1 else index
    for d in range(nd):
        if d != dim and index.shape[d] > 1:
            ax = [1] * nd
            ax[d] = index.shape[d]
            flat = flat + (np.arange(index.shape[d]) * strides[d]).reshape(ax)
    return flat


class Gather(Function):
    """input.gather(dim, index), read at flat positions (torch.gather); name: the grad_fn name
    of an op that reads this way (cummax)."""

    _raw = True
    _name = "GatherBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any, flat: ndarray, name: str | None = None) -> Any:
        ctx.flat, ctx.shape = flat, x.shape
        if name:
            ctx._name = name
        return np.take(x, flat)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        # adjoint: add g at the positions read
        if isinstance(g, Tensor):
            return GatherAdjoint.apply(g, ctx.flat, ctx.shape), None, None
        return (GatherAdjoint.forward(object.__new__(GatherAdjoint), g, ctx.flat, ctx.shape),
                None, None)


class GatherAdjoint(Function):
    """zeros(shape) with g added at flat positions: the adjoint of `Gather`."""

    _raw = True
    _name = "ScatterAddBackward0"

    @staticmethod
    def forward(ctx: Any, g: Any, flat: ndarray, shape: tuple) -> Any:
        ctx.flat = flat
        z = np.zeros(shape, g.dtype)
        np.add.at(z.reshape(-1), flat.reshape(-1), np.reshape(g, -1))   # 1-D: the fast path
        return z

    @staticmethod
    def backward(ctx: Any, gg: Any) -> Any:
        # adjoint: read gg at the positions
        if isinstance(gg, Tensor):
            return Gather.apply(gg, ctx.flat), None, None
        return np.take(gg, ctx.flat), None, None


def gather(input: Tensor, dim: int, index: Tensor, *, sparse_grad: bool = False,
           out: Any = None) -> Tensor:
    """out[i][j] = input[index[i][j]][j] for dim 0 (torch.gather)."""
    idx = _int_index(index, "gather", "int32/int64")
    dim = wrap_dim(dim, input.ndim, "gather")
    _check_along(input, dim, idx, "gather")
    return Gather.apply(input, _flat_positions(input.shape, dim, idx))


def _check_same_dtype(x: Tensor, src: Any, op: str) -> None:
    if isinstance(src, Tensor) and src._data.dtype != x._data.dtype:
        raise RuntimeError(f"{op}(): Expected self.dtype to be equal to src.dtype (got "
                           f"{x.dtype} and {src.dtype})")


def scatter(input: Tensor, dim: int, index: Tensor, src: Any = None, value: Any = None, *,
            reduce: str | None = None) -> Tensor:
    """input with src (or a scalar value) written along dim at index (torch.scatter);
    reduce='add' / 'multiply' combines instead of overwriting."""
    if src is None:
        src = value
    idx = _int_index(index, "scatter")
    dim = wrap_dim(dim, input.ndim, "scatter")
    _check_same_dtype(input, src, "scatter")
    key = _along(input, dim, idx, "scatter", src._data if isinstance(src, Tensor) else None)
    src = _fit_src(src, idx)
    if reduce is None:
        return IndexPut.apply(input, src, key, ADVANCED, False, "ScatterBackward0")
    if reduce == "add":
        return IndexPut.apply(input, src, key, ADVANCED, True, "ScatterAddBackward0")
    if reduce == "multiply":
        if not isinstance(src, Tensor):
            src = _make(np.full(idx.shape, src, input._data.dtype))
        return ScatterReduce.apply(input, src, key, "prod", True)
    raise RuntimeError(f"scatter(): reduce argument must be either add or multiply (got "
                       f"{reduce!r})")


def scatter_add(input: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:
    """input with src added along dim at index, repeats accumulating (torch.scatter_add)."""
    idx = _int_index(index, "scatter_add")
    dim = wrap_dim(dim, input.ndim, "scatter_add")
    _check_same_dtype(input, src, "scatter_add")
    key = _along(input, dim, idx, "scatter_add", src._data)
    return IndexPut.apply(input, _fit_src(src, idx), key, ADVANCED, True, "ScatterAddBackward0")


_REDUCE_UFUNC = {"sum": np.add, "mean": np.add, "prod": np.multiply, "amax": np.maximum,
                 "amin": np.minimum}


class ScatterReduce(Function):
    """input with src reduced in along a key (torch.scatter_reduce)."""

    _raw = True
    _name = "ScatterReduceBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any, src: Any, key: tuple, reduce: str, include_self: bool) -> Any:
        ctx.key, ctx.reduce, ctx.include_self = key, reduce, include_self
        y = x.copy()
        dt = y.dtype
        if not include_self:
            if reduce in ("sum", "mean"):
                y[key] = 0
            elif reduce == "prod":
                y[key] = 1
            else:
                info = np.finfo(dt) if dt.kind == "f" else np.iinfo(dt)
                lo, hi = (-np.inf, np.inf) if dt.kind == "f" else (info.min, info.max)
                y[key] = lo if reduce == "amax" else hi
        _REDUCE_UFUNC[reduce].at(y, key, src)
        if reduce == "mean":
            cnt = np.full(x.shape, 1 if include_self else 0, dt)
            np.add.at(cnt, key, 1)
            cnt = np.maximum(cnt, 1)
            y = y / cnt if dt.kind == "f" else np.floor_divide(y, cnt)
            ctx.cnt = cnt
        ctx.save_for_backward(x, src, y)
        return y

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        key, red, incl = ctx.key, ctx.reduce, ctx.include_self
        x, src, y = (_arr(t) for t in ctx.saved_tensors)
        if red == "sum":               # d sum = 1 for every contribution
            gx, gs = g, _take(g, key, ADVANCED)
        elif red == "mean":            # d mean = 1 / count
            gm = g / ctx.cnt
            gx, gs = gm, _take(gm, key, ADVANCED)
        elif red == "prod":            # d prod = product of the other factors
            if isinstance(g, Tensor):
                raise NotImplementedError(
                    "scatter_reduce(reduce='prod'): double backward is not supported by ember")
            ox, os_ = _prod_others(x, src, y, key, incl)
            gx, gs = g * ox, g[key] * os_
        else:                          # d amax/amin: shared evenly between ties
            hit_x = x == y
            if not incl:
                hit_x &= _scatter(np.ones(src.shape, bool), key, MASK, x.shape) == 0
            hit_s = src == y[key]
            n = hit_x.astype(y.dtype)
            np.add.at(n, key, hit_s)
            n = np.maximum(n, 1)
            gx, gs = g * (hit_x / n), _take(g / n, key, ADVANCED) * hit_s
        if not incl:                   # replaced places lose x
            gx = _zero_at(gx, key, ADVANCED)
        return gx, gs, None, None, None


def _arr(t: Any) -> Any:
    return t._data if isinstance(t, Tensor) else t


def _prod_others(x: ndarray, src: ndarray, y: ndarray, key: tuple, incl: bool) -> tuple:
    """For each factor of each product, the product of the other factors (zeros handled)."""
    nz = np.zeros(x.shape, np.int64)
    prod_nz = np.where(x != 0, x, 1) if incl else np.ones_like(x)
    if incl:
        nz += x == 0
    np.add.at(nz, key, src == 0)
    np.multiply.at(prod_nz, key, np.where(src != 0, src, 1))

    def others(v: ndarray, nzv: ndarray, pnz: ndarray, yv: ndarray) -> ndarray:
        return np.where(v != 0, np.where(nzv == 0, yv / np.where(v != 0, v, 1), 0),
                        np.where(nzv == 1, pnz, 0))
    return others(x, nz, prod_nz, y), others(src, nz[key], prod_nz[key], y[key])


def scatter_reduce(input: Tensor, dim: int, index: Tensor, src: Tensor, reduce: str, *,
                   include_self: bool = True) -> Tensor:
    """input with src reduced in along dim at index: sum, prod, mean, amax, amin
    (torch.scatter_reduce)."""
    if reduce not in _REDUCE_UFUNC:
        raise RuntimeError(f"scatter_reduce(): reduce argument must be either sum, prod, mean, "
                           f"amax or amin, got {reduce}")
    idx = _int_index(index, "scatter_reduce")
    dim = wrap_dim(dim, input.ndim, "scatter_reduce")
    _check_same_dtype(input, src, "scatter_reduce")
    key = _along(input, dim, idx, "scatter_reduce", src._data)
    return ScatterReduce.apply(input, _fit_src(src, idx), key, reduce, include_self)


# ----------------------------------------------------------------------------- index_*
def _dim_key(x: Tensor, dim: int, index: Any, op: str, err: type = RuntimeError) -> tuple:
    """(:, ..., index) addressing dim, with torch's dtype/shape/range checks."""
    a = index._data if isinstance(index, Tensor) else np.asarray(index)
    if a.dtype.kind not in "iu":
        raise RuntimeError(f"{op}(): Expected dtype int32 or int64 for index (got {a.dtype})")
    if a.ndim > 1:
        raise IndexError(f"{op}(): Index is supposed to be a vector (got shape "
                         f"{list(a.shape)})")
    a = a.reshape(-1)
    dim = wrap_dim(dim, x.ndim, op)
    n = x._data.shape[dim] if x.ndim else 1
    if a.size and (a.min() < -n or a.max() >= n):
        bad = a.min() if a.min() < -n else a.max()
        raise err(f"{op}(): index {bad} is out of bounds for dimension {dim} with size {n} "
                  "(index out of range in self)")
    return (slice(None),) * dim + (a,), dim


def index_select(input: Tensor, dim: int, index: Tensor, *, out: Any = None) -> Tensor:
    """The slices of input at index along dim (torch.index_select)."""
    key, _ = _dim_key(input, dim, index, "index_select", IndexError)
    return Index.apply(input, key, ADVANCED, "IndexSelectBackward0")


def _check_source(x: Tensor, source: Tensor, dim: int, key: tuple, op: str) -> None:
    want = list(x.shape)
    if want:
        want[dim] = key[-1].size
    if list(source.shape) != want and not (source.ndim == 0 and key[-1].size == 1):
        raise RuntimeError(f"{op}(): source of shape {list(source.shape)} does not match "
                           f"{want}: Number of indices ({key[-1].size}) should be equal to "
                           f"source.size(dim) ({source.shape[dim] if source.ndim else 1}), "
                           f"for dim: {dim}")
    _check_same_dtype(x, source, op)


def index_add(input: Tensor, dim: int, index: Tensor, source: Tensor, *, alpha: Any = 1,
              out: Any = None) -> Tensor:
    """input with alpha * source added at index along dim, repeats accumulating
    (torch.index_add)."""
    key, dim = _dim_key(input, dim, index, "index_add_")
    _check_source(input, source, dim, key, "index_add_")
    if alpha != 1:
        source = source * alpha
    return IndexPut.apply(input, source, key, ADVANCED, True, "IndexAddBackward0")


def index_copy(input: Tensor, dim: int, index: Tensor, source: Tensor) -> Tensor:
    """input with source's slices copied to index along dim (torch.index_copy)."""
    key, dim = _dim_key(input, dim, index, "index_copy_", IndexError)
    _check_source(input, source, dim, key, "index_copy_")
    return IndexPut.apply(input, source, key, ADVANCED, False, "IndexCopyBackward0")


def index_fill(input: Tensor, dim: int, index: Tensor, value: Any) -> Tensor:
    """input with the slices at index along dim set to value (torch.index_fill)."""
    key, dim = _dim_key(input, dim, index, "index_fill_", IndexError)
    if isinstance(value, Tensor) and value.ndim:
        raise RuntimeError("index_fill_ only supports a 0-dimensional value tensor, but got "
                           f"tensor with {value.ndim} dimension(s).")
    n = input._data.shape[dim] if input.ndim else 1
    key = key[:-1] + (np.unique(key[-1] % n),)   # filled once each, so value's grad counts once
    return IndexPut.apply(input, value, key, ADVANCED, False, "IndexFillBackward0")


def index_put(input: Tensor, indices: Any, values: Tensor, accumulate: bool = False) -> Tensor:
    """input with values put at the advanced index `indices` (torch.index_put)."""
    if isinstance(values, Tensor) and values._data.dtype != input._data.dtype:
        raise RuntimeError(
            "Index put requires the source and destination dtypes match, got "
            f"{input.dtype} for the destination and {values.dtype} for the source.")
    key, kind = _normalize(tuple(indices), input._data.shape)
    return IndexPut.apply(input, values, key, kind, accumulate, "IndexPutBackward0")


def index_put_(input: Tensor, indices: Any, values: Tensor, accumulate: bool = False) -> Tensor:
    check_inplace(input, "index_put_")
    return commit_inplace(input, index_put(input, indices, values, accumulate), "index_put_")


# ----------------------------------------------------------------------------- masked_*
def _mask(mask: Any, op: str) -> ndarray:
    m = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
    if m.dtype.kind != "b":
        raise RuntimeError(f"{op} only supports boolean masks, but got mask with dtype "
                           f"{m.dtype}")
    return m


class MaskedFill(Function):
    """where(mask, value, x) (torch.masked_fill)."""

    _raw = True
    _name = "MaskedFillBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any, mask: ndarray, value: Any) -> Any:
        ctx.mask = mask
        try:
            return np.where(mask, np.asarray(value).astype(x.dtype), x)
        except ValueError:
            raise broadcast_error("masked_fill", x, mask) from None

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        m = ctx.mask
        gx = _masked_zero(g, m) if ctx.needs_input_grad[0] else None      # filled: no x
        gv = _masked_zero(g, ~m) if ctx.needs_input_grad[2] else None     # value: sum where m
        return gx, None, gv


def _masked_zero(g: Any, m: ndarray) -> Any:
    if isinstance(g, Tensor):
        return MaskedFill.apply(g, m, 0.0)
    return np.where(m, 0, g)


def masked_fill(input: Tensor, mask: Tensor, value: Any) -> Tensor:
    """input with value where mask is True (torch.masked_fill)."""
    m = _mask(mask, "masked_fill_")
    if isinstance(value, Tensor) and value.ndim:
        raise RuntimeError("masked_fill_ only supports a 0-dimensional value tensor, but got "
                           f"tensor with {value.ndim} dimension(s).")
    return MaskedFill.apply(input, m, value)


def _broadcast_mask(x: Tensor, m: ndarray, op: str) -> tuple:
    try:
        shape = np.broadcast_shapes(x._data.shape, m.shape)
    except ValueError:
        raise broadcast_error(op, x._data, m) from None
    return shape, np.broadcast_to(m, shape)


class MaskedSelect(Function):
    """The elements of x (broadcast with mask) where mask is True, as 1-D (torch)."""

    _raw = True
    _name = "MaskedSelectBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any, mask: ndarray, shape: tuple) -> Any:
        ctx.mask, ctx.shape = mask, shape
        return np.broadcast_to(x, shape)[mask]

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        return _scatter(g, (ctx.mask,), MASK, ctx.shape), None, None   # back to the True places


def masked_select(input: Tensor, mask: Tensor, *, out: Any = None) -> Tensor:
    m = _mask(mask, "masked_select:")
    shape, m = _broadcast_mask(input, m, "masked_select")
    return MaskedSelect.apply(input, m, shape)


class MaskedScatter(Function):
    """x with the True places of mask filled, in order, from source (torch.masked_scatter)."""

    _raw = True
    _name = "MaskedScatterBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any, mask: ndarray, source: Any) -> Any:
        y = np.array(np.broadcast_to(x, mask.shape))
        n = int(np.count_nonzero(mask))
        if source.size < n:
            raise RuntimeError(f"masked_scatter: Number of elements of source ({source.size}) < "
                               f"number of ones in mask ({n})")
        ctx.mask = mask
        ctx.skey = np.unravel_index(np.arange(n), source.shape)
        ctx.sshape = source.shape
        y[mask] = np.reshape(source, -1)[:n]
        return y

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        m = ctx.mask
        gx = _masked_zero(g, m) if ctx.needs_input_grad[0] else None   # replaced: no x
        gs = None
        if ctx.needs_input_grad[2]:                                    # source: g at True places
            gs = _scatter(_take(g, (m,), MASK), ctx.skey, MASK, ctx.sshape)
        return gx, None, gs


def masked_scatter(input: Tensor, mask: Tensor, source: Tensor) -> Tensor:
    m = _mask(mask, "masked_scatter_")
    _check_same_dtype(input, source, "masked_scatter")
    _, m = _broadcast_mask(input, m, "masked_scatter")
    return MaskedScatter.apply(input, np.ascontiguousarray(m), source)


# ----------------------------------------------------------------------------- take, nonzero
def _flat_key(x: Tensor, index: Any, op: str) -> tuple:
    a = index._data if isinstance(index, Tensor) else np.asarray(index)
    if a.dtype.kind not in "iu":
        raise RuntimeError(f"{op}(): Expected a long tensor for index, but got {a.dtype}")
    n = x._data.size
    if a.size and (a.min() < -n or a.max() >= n):
        bad = a.min() if a.min() < -n else a.max()
        raise IndexError(f"out of range: tried to access index {bad} on a tensor of {n} "
                         f"elements ({op}).")
    if x.ndim == 0:
        raise NotImplementedError(f"{op}(): 0-d input is not supported by ember yet")
    return np.unravel_index(a % n if n else a, x._data.shape)


def take(input: Tensor, index: Tensor) -> Tensor:
    """input treated as 1-D, read at index; the result has index's shape (torch.take)."""
    return Index.apply(input, _flat_key(input, index, "take"), ADVANCED, "TakeBackward0")


def take_along_dim(input: Tensor, indices: Tensor, dim: int | None = None, *,
                   out: Any = None) -> Tensor:
    """input read at indices along dim, the two broadcast elsewhere (torch.take_along_dim)."""
    a = indices._data if isinstance(indices, Tensor) else np.asarray(indices)
    if dim is None:
        key = _flat_key(input, np.reshape(a, -1), "take_along_dim")
        return Index.apply(input, key, ADVANCED, "GatherBackward0")
    xs = input._data.shape
    if a.ndim != len(xs):
        raise RuntimeError(
            "torch.take_along_dim(): input and indices should have the same number of "
            f"dimensions, but got {len(xs)} dimensions for input, and {a.ndim} dimensions for "
            "indices")
    if a.dtype.kind not in "iu":
        raise RuntimeError(f"take_along_dim(): dtype of indices should be Long but got "
                           f"{a.dtype}")
    dim = wrap_dim(dim, len(xs), "take_along_dim")
    other = [s for d, s in enumerate(xs) if d != dim]
    try:
        np.broadcast_shapes(tuple(other), tuple(s for d, s in enumerate(a.shape) if d != dim))
    except ValueError:
        raise broadcast_error("take_along_dim", input._data, a) from None
    n = xs[dim]
    if a.size and (a.min() < -n or a.max() >= n):
        bad = a.min() if a.min() < -n else a.max()
        raise RuntimeError(f"take_along_dim(): index {bad} is out of bounds for dimension {dim}"
                           f" with size {n}")
    key = []
    for d, s in enumerate(xs):
        shp = [1] * len(xs)
        shp[d] = -1
        key.append(a if d == dim else np.arange(s).reshape(shp))
    return Index.apply(input, tuple(key), ADVANCED, "GatherBackward0")


def nonzero(input: Tensor, *, out: Any = None, as_tuple: bool = False) -> Any:
    """Indices of the non-zero elements: (n, ndim) int64, or a tuple of 1-D (torch.nonzero)."""
    x = input._data
    if as_tuple:
        return tuple(_make(i.astype(np.int64, copy=False))
                     for i in np.nonzero(np.atleast_1d(x)))
    return _make(np.argwhere(x).astype(np.int64, copy=False))


def argwhere(input: Tensor) -> Tensor:
    """Indices of the non-zero elements, (n, ndim) (torch.argwhere)."""
    return nonzero(input)


# ----------------------------------------------------------------------------- search
def searchsorted(sorted_sequence: Tensor, input: Any, *, out_int32: bool = False,
                 right: bool = False, side: str | None = None, sorter: Tensor | None = None,
                 out: Any = None) -> Tensor:
    """Indices where input's values would be inserted to keep sorted_sequence's innermost dim
    sorted (the first such place, or the last when right / side='right') (torch.searchsorted)."""
    op = "torch.searchsorted()"
    seq = sorted_sequence._data
    if seq.ndim == 0:
        raise RuntimeError(f"{op}: boundaries tensor should have positive dimension, but got 0 "
                           "dimension")
    if side not in (None, "left", "right"):
        raise RuntimeError(f"{op}: side can only be 'left' or 'right' but got {side}")
    if side == "left" and right:
        raise RuntimeError(f"{op}: side and right can't be set to opposites, got side of left "
                           "while right was True")
    v = input._data if isinstance(input, Tensor) else np.asarray(input)
    if seq.ndim > 1 and (v.ndim != seq.ndim or v.shape[:-1] != seq.shape[:-1]):
        raise RuntimeError(
            f"{op}: boundaries tensor should be 1 dimension or the first N-1 dimensions of "
            f"boundaries tensor and input value tensor must match, but we got boundaries tensor "
            f"{list(seq.shape)} and input value tensor {list(v.shape)}")
    if sorter is not None:
        order = sorter._data if isinstance(sorter, Tensor) else np.asarray(sorter)
        if order.dtype != np.int64:
            raise RuntimeError(f"{op}: sorter must be a tensor of long dtype but got dtype "
                               f"{sorter.dtype}")
        if order.shape != seq.shape:
            raise RuntimeError(f"{op}: boundary and sorter must have the same size, but got "
                               f"boundary tensor {list(seq.shape)} and got sorter tensor "
                               f"{list(order.shape)}")
        if order.size and (order.min() < 0 or order.max() >= seq.shape[-1]):
            raise RuntimeError(f"{op}: sorter index out of range")
        seq = np.take_along_axis(seq, order, -1)
    where = "right" if right or side == "right" else "left"
    if seq.ndim == 1:
        res = np.searchsorted(seq, v, where)
    else:
        rows, vals = seq.reshape(-1, seq.shape[-1]), v.reshape(-1, v.shape[-1])
        res = np.stack([np.searchsorted(r, x, where) for r, x in zip(rows, vals)]
                       ).reshape(v.shape)
    return _make(np.asarray(res, np.int32 if out_int32 else np.int64))


def bucketize(input: Any, boundaries: Tensor, *, out_int32: bool = False, right: bool = False,
              out: Any = None) -> Tensor:
    """The bucket index of each value among the sorted 1-D boundaries (torch.bucketize)."""
    nd = boundaries._data.ndim
    if nd != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim({nd})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)


def isin(elements: Any, test_elements: Any, *, assume_unique: bool = False,
         invert: bool = False) -> Tensor:
    """Whether each element is among test_elements (bool, elements' shape) (torch.isin)."""
    if not (isinstance(elements, Tensor) or isinstance(test_elements, Tensor)):
        raise TypeError(f"isin() received an invalid combination of arguments - got "
                        f"({type(elements).__name__}, {type(test_elements).__name__}), but "
                        "expected at least one Tensor")
    e, t = np.asarray(_arr(elements)), np.asarray(_arr(test_elements))
    if e.dtype.kind == "b" or t.dtype.kind == "b":
        raise RuntimeError("Unsupported input type encountered for isin(): Bool")
    return _make(np.isin(e, t, assume_unique=assume_unique, invert=invert))


def _put(self: Tensor, index: Tensor, source: Tensor, accumulate: bool = False) -> Tensor:
    """self with source written (or added) at the flat positions index (Tensor.put)."""
    a = index._data if isinstance(index, Tensor) else np.asarray(index)
    if a.size != source.numel():
        raise RuntimeError(f"put(): Expected source and index to have the same number of "
                           f"elements, but got source.numel() = {source.numel()}, "
                           f"index.numel() = {a.size}")
    _check_same_dtype(self, source, "put")
    key = _flat_key(self, np.reshape(a, source.shape), "put")
    return IndexPut.apply(self, source, key, ADVANCED, accumulate, "PutBackward0")


# ----------------------------------------------------------------------------- select and scatters
def _select_key(input: Tensor, dim: int, index: Any, op: str) -> tuple:
    """The basic key of input.select(dim, index), with torch's checks."""
    shape = input._data.shape
    if not shape:
        raise IndexError(f"{op}() cannot be applied to a 0-dim tensor.")
    d = wrap_dim(dim, len(shape), op)
    i = int(index)
    if not -shape[d] <= i < shape[d]:
        raise IndexError(f"select(): index {i} out of range for tensor of size {list(shape)} "
                         f"at dimension {d}")
    return (slice(None),) * d + (i + shape[d] if i < 0 else i,)


def select(input: Tensor, dim: int, index: int) -> Tensor:
    """The slice at `index` along dim, without that dim; a view (torch.select)."""
    return _as_view(Index.apply(input, _select_key(input, dim, index, "select"), BASIC,
                                "SelectBackward0"), input)


def _scatter_into(input: Tensor, src: Tensor, key: tuple, kind: int, name: str) -> Tensor:
    """A copy of input with src written at key; src must have exactly the indexed shape."""
    want = _take(input._data, key, kind).shape
    if src._data.shape != want:
        raise RuntimeError(f"expected src to have a size equal to the slice of self. src size = "
                           f"{list(src._data.shape)}, slice size = {list(want)}")
    return IndexPut.apply(input, src, key, kind, False, name)


def select_scatter(input: Tensor, src: Tensor, dim: int, index: int) -> Tensor:
    """input with src written at `index` along dim (torch.select_scatter)."""
    key = _select_key(input, dim, index, "select_scatter")
    return _scatter_into(input, src, key, BASIC, "SelectScatterBackward0")


def slice_scatter(input: Tensor, src: Tensor, dim: int = 0, start: int | None = None,
                  end: int | None = None, step: int = 1) -> Tensor:
    """input with src written at input[..., start:end:step, ...] along dim
    (torch.slice_scatter)."""
    if step <= 0:
        raise RuntimeError("slice step must be positive")
    d = wrap_dim(dim, input._data.ndim, "slice_scatter")
    key = (slice(None),) * d + (slice(start, end, step),)
    return _scatter_into(input, src, key, BASIC, "SliceScatterBackward0")


def _diagonal_key(shape: tuple, offset: int, d1: int, d2: int) -> tuple:
    """An advanced key reading the (offset, d1, d2) diagonal in torch.diagonal's layout:
    the other dims in order, then the diagonal."""
    n = max(0, min(shape[d1] + min(offset, 0), shape[d2] - max(offset, 0)))
    i = np.arange(n)
    rest = [k for k in range(len(shape)) if k not in (d1, d2)]
    key: list = [None] * len(shape)
    nd = len(rest) + 1
    for j, k in enumerate(rest):
        key[k] = np.arange(shape[k]).reshape((-1,) + (1,) * (nd - j - 1))
    key[d1] = i - min(offset, 0)
    key[d2] = i + max(offset, 0)
    return tuple(key)


def diagonal_scatter(input: Tensor, src: Tensor, offset: int = 0, dim1: int = 0,
                     dim2: int = 1) -> Tensor:
    """input with src written on its (offset, dim1, dim2) diagonal (torch.diagonal_scatter)."""
    shape = input._data.shape
    d1 = wrap_dim(dim1, len(shape), "diagonal_scatter")
    d2 = wrap_dim(dim2, len(shape), "diagonal_scatter")
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return _scatter_into(input, src, _diagonal_key(shape, offset, d1, d2), ADVANCED,
                         "DiagonalScatterBackward0")


def _fill_diagonal_(self: Tensor, fill_value: Any, wrap: bool = False) -> Tensor:
    """Fill the main diagonal (all indices equal) in place; a tall matrix with wrap=True
    restarts it every ncols + 1 rows (Tensor.fill_diagonal_)."""
    shape = self._data.shape
    if len(shape) < 2:
        raise RuntimeError("dimensions must larger than 1")
    if len(shape) > 2 and len(set(shape)) != 1:
        raise RuntimeError("all dimensions of input must be of equal length")
    if len(shape) == 2 and shape[1]:
        # flat positions ncols + 1 apart, up to the square part (or to the end with wrap)
        cols = shape[1]
        p = np.arange(0, (shape[0] if wrap else min(shape)) * cols, cols + 1)
        key = (p // cols, p % cols)
    else:
        key = (np.arange(min(shape)),) * len(shape)
    check_inplace(self, "fill_diagonal_")
    return commit_inplace(self, IndexPut.apply(self, fill_value, key, ADVANCED, False,
                                               "CopySlices"), "fill_diagonal_")


# ----------------------------------------------------------------------------- methods
attach({
    "__getitem__": _getitem, "__setitem__": _setitem,
    "gather": gather, "scatter": scatter, "scatter_add": scatter_add,
    "scatter_reduce": scatter_reduce, "index_select": index_select, "index_add": index_add,
    "index_copy": index_copy, "index_fill": index_fill, "index_put": index_put,
    "masked_fill": masked_fill, "masked_select": masked_select,
    "masked_scatter": masked_scatter, "take": take, "take_along_dim": take_along_dim,
    "nonzero": nonzero, "argwhere": argwhere, "put": _put,
    "index_put_": index_put_, "scatter_": inplace(scatter, "scatter_"),
    "scatter_add_": inplace(scatter_add, "scatter_add_"),
    "scatter_reduce_": inplace(scatter_reduce, "scatter_reduce_"),
    "index_add_": inplace(index_add, "index_add_"),
    "index_copy_": inplace(index_copy, "index_copy_"),
    "index_fill_": inplace(index_fill, "index_fill_"),
    "masked_fill_": inplace(masked_fill, "masked_fill_"),
    "masked_scatter_": inplace(masked_scatter, "masked_scatter_"),
    "put_": inplace(_put, "put_"),
    "select": select, "select_scatter": select_scatter, "slice_scatter": slice_scatter,
    "diagonal_scatter": diagonal_scatter, "fill_diagonal_": _fill_diagonal_,
})


def _np_take(a: Any, indices: Any, axis: int | None = None, **_: Any) -> Tensor:
    if axis is None:
        return take(a, indices)
    idx = _arr(indices)
    axis = wrap_dim(axis, a.ndim, "take")
    return Index.apply(a, (slice(None),) * axis + (idx,), ADVANCED, "IndexSelectBackward0")


proto.register_functions({
    np.take_along_axis: lambda arr, indices, axis=-1: take_along_dim(arr, indices, axis),
    np.take: _np_take,
})
