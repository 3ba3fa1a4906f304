"""Smaller names of torch's top level and Tensor that learners' programs use:

- the top-level in-place functions (`torch.sigmoid_(x)`, `torch.clamp_(x, 0, 1)`, ...), each
  calling the Tensor method of the same name, plus `fill` and `embedding_renorm_`;
- the real-number half of torch's complex API (`conj`, `real`, `imag`, `angle`, `adjoint`,
  `Tensor.H`, ...): ember has no complex dtypes, and for real tensors torch defines these as
  identities, transposes or errors;
- the `*_copy` family (the view op followed by a contiguous copy), `split_with_sizes` and the
  `unsafe_` splits, `igamma`/`igammac`, `index_reduce`, `nonzero_static`, the deprecated
  `range`/`cholesky`/`nuclear_norm`/`frobenius_norm`/`Tensor.resize`, `Tensor.apply_`/`map_`
  and `share_memory_`/`is_shared`.
"""

from __future__ import annotations

import functools
import math
import operator
import warnings
import weakref
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import _backend, _tensor
from .._tensor import Tensor, _make
from ..autograd.function import Function
from . import _util
from ._util import type_name as _type_name
from .elementwise import _TYPE_NAMES
from .indexing import ADVANCED, ScatterReduce, _arr, _take, _zero_at
from .linalg import _TORCH_NAMES, VectorNorm
from .nn_ops import _renorm
from .shape import Split, chunk, split

_tensor_arg = _util.require_tensor   # torch's TypeError for a non-Tensor input


# ----------------------------------------------------------------------------- 1. in-place
_INPLACE = (
    "abs_ acos_ acosh_ addmv_ arccos_ arccosh_ arcsin_ arcsinh_ arctan_ arctanh_ asin_ asinh_ "
    "atan_ atanh_ ceil_ clamp_ clamp_max_ clamp_min_ clip_ cos_ cosh_ deg2rad_ erf_ erfc_ exp2_ "
    "exp_ expm1_ fill_ fix_ floor_ frac_ gcd_ i0_ lcm_ ldexp_ log10_ log1p_ log2_ log_ logit_ "
    "nan_to_num_ neg_ negative_ rad2deg_ reciprocal_ round_ rsqrt_ sigmoid_ sin_ sinc_ sinh_ "
    "sqrt_ square_ tan_ tanh_ trunc_ xlogy_ zero_").split()


def _inplace_function(name: str) -> Callable[..., Tensor]:
    """torch.<name>(input, *args, **kwargs): input.<name>(*args, **kwargs), returning input."""
    def fn(input: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        _tensor_arg(input, name)
        return getattr(input, name)(*args, **kwargs)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"In place: input.{name}(...), which it returns (torch.{name})."
    return fn


globals().update({_n: _inplace_function(_n) for _n in _INPLACE})


class Fill(Function):
    """A tensor of x's shape and dtype filled with value (a number, or a 0-d array)."""

    _raw = True
    _name = "FillBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any, value: Any) -> Any:
        if isinstance(value, np.ndarray):
            ctx._name = "FillBackward1"
        return np.full(x.shape, value, x.dtype)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        gv = g.sum() if ctx.needs_input_grad[1] else None
        return (np.zeros_like(g) if ctx.needs_input_grad[0] else None), gv


def fill(input: Tensor, value: Any) -> Tensor:
    """A new tensor of input's shape and dtype filled with value, a number or a 0-d tensor
    (torch.fill)."""
    _tensor_arg(input, "fill")
    if isinstance(value, Tensor) and value.dim() != 0:
        raise RuntimeError("fill_ only supports 0-dimension value tensor but got tensor with "
                           f"{value.dim()} dimensions.")
    return Fill.apply(input, value)


class EmbeddingRenorm(Function):
    """weight with the rows at idx rescaled to norm at most max_norm; no derivative, as in
    torch."""

    _raw = True
    _name = "EmbeddingRenormBackward0"

    @staticmethod
    def forward(ctx: Any, w: Any, idx: Any, max_norm: float, norm_type: float) -> Any:
        out = _make(w.copy())
        _renorm(out, idx, max_norm, norm_type)
        return out._data

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        raise NotImplementedError("the derivative for 'embedding_renorm' is not implemented.")


def embedding_renorm_(input: Tensor, indices: Tensor, max_norm: float,
                      norm_type: float) -> Tensor:
    """Rescale in place the rows of input indexed by indices whose norm_type-norm exceeds
    max_norm to that norm (torch.embedding_renorm_)."""
    _tensor_arg(input, "embedding_renorm_")
    _tensor_arg(indices, "embedding_renorm_", "indices", 2)
    if indices.dtype not in (_backend.int64, _backend.int32):
        raise RuntimeError(
            "Expected tensor for argument #2 'indices' to have one of the following scalar "
            f"types: Long, Int; but got {_tensor.type_name(indices._data)} instead (while "
            "checking arguments for embedding_renorm_)")
    if input.dim() != 2:
        raise RuntimeError(f"Expected 2-dimensional tensor, but got {input.dim()}-dimensional "
                           "tensor for argument #1 'self' (while checking arguments for "
                           "embedding_renorm_)")
    _util.check_inplace(input, "embedding_renorm_")
    idx = indices._data.reshape(-1)
    n = input.shape[0]
    if idx.size and (idx.min() < -n or idx.max() >= n):
        bad = int(idx.max()) if idx.max() >= n else int(idx.min())
        raise IndexError(f"select(): index {bad} out of range for tensor of size "
                         f"{list(input.shape)} at dimension 0")
    res = EmbeddingRenorm.apply(input, np.where(idx < 0, idx + n, idx), max_norm, norm_type)
    return _util.commit_inplace(input, res, "embedding_renorm_")


# ----------------------------------------------------------------------------- 2. complex API
def _identity(name: str, what: str) -> Callable[[Tensor], Tensor]:
    """torch.<name> for a real tensor: input itself."""
    def fn(input: Tensor) -> Tensor:
        _tensor_arg(input, name)
        return input
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"{what}; for ember's real tensors, input itself (torch.{name})."
    return fn


conj = _identity("conj", "The complex conjugate as a lazy view")
conj_physical = _identity("conj_physical", "The complex conjugate")
resolve_conj = _identity("resolve_conj", "input with its conjugate bit materialised")
resolve_neg = _identity("resolve_neg", "input with its negative bit materialised")
real = _identity("real", "The real part")


class ConjPhysical(Function):
    """conj_physical_ of a real tensor: the identity, recorded as torch records it."""

    _raw = True
    _name = "ConjPhysicalBackward1"

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        return x

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        return g


def conj_physical_(input: Tensor) -> Tensor:
    """In place complex conjugate; for a real tensor only bumps its version (torch's
    conj_physical_)."""
    _tensor_arg(input, "conj_physical_")
    _util.check_inplace(input, "conj_physical_")
    return _util.commit_inplace(input, ConjPhysical.apply(input), "conj_physical_")


def imag(input: Tensor) -> Tensor:
    """The imaginary part; torch raises for real tensors (torch.imag)."""
    _tensor_arg(input, "imag")
    raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")


def isreal(input: Tensor) -> Tensor:
    """Elementwise 'has zero imaginary part': all True for real dtypes (torch.isreal)."""
    _tensor_arg(input, "isreal")
    return _make(np.ones(input._data.shape, bool))


class Angle(Function):
    """The argument of a real number: pi below zero, 0 otherwise, NaN for NaN."""

    _raw = True
    _name = "AngleBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        xf = _util.as_float(x)
        return np.where(np.isnan(xf), xf, np.where(xf < 0, np.pi, 0).astype(xf.dtype))

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        return np.zeros_like(g)


def angle(input: Tensor) -> Tensor:
    """Elementwise argument: pi for negative, 0 otherwise, NaN for NaN; ints give the default
    float dtype; the gradient is zero (torch.angle)."""
    _tensor_arg(input, "angle")
    return Angle.apply(input)


def adjoint(input: Tensor) -> Tensor:
    """The conjugate transpose of the last two dims, a view (torch.adjoint)."""
    _tensor_arg(input, "adjoint")
    n = input.dim()
    if n == 0:
        warnings.warn("adjoint() is deprecated on 0-D tensors. Consider using x.conj().",
                      UserWarning, stacklevel=2)
        return input
    if n == 1:
        raise RuntimeError("tensor.adjoint() is only supported on matrices or batches of "
                           "matrices. Got 1-D tensor.")
    return input.transpose(-2, -1)


def _H(self: Tensor) -> Tensor:
    """Tensor.H: the conjugate transpose of a matrix, a view."""
    n = self.dim()
    if n == 2:
        return self.transpose(0, 1)
    if n == 0:
        warnings.warn("Tensor.H is deprecated on 0-D tensors. Consider using x.conj().",
                      UserWarning, stacklevel=2)
        return self
    hint = " For batches of matrices, consider using tensor.mH" if n > 2 else ""
    raise RuntimeError(f"tensor.H is only supported on matrices (2-D tensors). Got {n}-D "
                       f"tensor.{hint}")


# ----------------------------------------------------------------------------- 3. splits
def split_with_sizes(input: Tensor, split_sizes: Any, dim: int = 0) -> tuple:
    """Views of the listed sizes along dim (torch.split_with_sizes)."""
    _tensor_arg(input, "split_with_sizes")
    if isinstance(split_sizes, (int, np.integer)):
        raise TypeError("split_with_sizes(): argument 'split_sizes' (position 2) must be "
                        f"tuple of ints, not {_type_name(split_sizes)}")
    return split(input, list(split_sizes), dim)


def _unsafe(parts: tuple, x: Tensor, dim: int, name: str) -> tuple:
    """The parts of a split of x along dim as torch's unsafe_ splits give them: sharing x's
    memory but not tracked as views, recorded by one node named `name`."""
    d = _util.wrap_dim(dim, x._data.ndim, name)
    idx = np.cumsum([p._data.shape[d] for p in parts[:-1]], dtype=np.intp).tolist()
    return Split.apply(x, idx, d, name)


def unsafe_split(input: Tensor, split_size: int, dim: int = 0) -> tuple:
    """split without view tracking (torch.unsafe_split)."""
    _tensor_arg(input, "unsafe_split")
    return _unsafe(split(input, split_size, dim), input, dim, "UnsafeSplitBackward0")


def unsafe_split_with_sizes(input: Tensor, split_sizes: Any, dim: int = 0) -> tuple:
    """split_with_sizes without view tracking (torch.unsafe_split_with_sizes)."""
    _tensor_arg(input, "unsafe_split_with_sizes")
    return _unsafe(split_with_sizes(input, split_sizes, dim), input, dim,
                   "UnsafeSplitWithSizesBackward0")


def unsafe_chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple:
    """chunk without view tracking (torch.unsafe_chunk)."""
    _tensor_arg(input, "unsafe_chunk")
    return _unsafe(chunk(input, chunks, dim), input, dim, "UnsafeSplitBackward0")


# ----------------------------------------------------------------------------- 3. *_copy
class CopyOf(Function):
    """A fresh contiguous copy of a view's value; torch names the node after the view."""

    _raw = True

    @staticmethod
    def forward(ctx: Any, x: Any, name: str) -> Any:
        ctx._name = name
        return np.array(x, order="C", copy=True)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        return g, None


def _copy_function(name: str, view: Callable[..., Any], node: str | None = None
                   ) -> Callable[..., Any]:
    """torch.<name>: view(input, ...) copied into fresh memory; the grad_fn is the view's
    name with `_copy` appended, or `node`."""
    def fn(input: Tensor, *args: Any, **kwargs: Any) -> Any:
        _tensor_arg(input, name)
        out = view(input, *args, **kwargs)
        if isinstance(out, tuple):
            return tuple(CopyOf.apply(o, node or f"{o.grad_fn and o.grad_fn.name()}_copy")
                         for o in out)
        return CopyOf.apply(out, node or f"{out.grad_fn and out.grad_fn.name()}_copy")
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (f"torch.{name}: as the view op, but the result is a fresh contiguous copy "
                  "rather than a view of input.")
    return fn


def _slice(input: Tensor, dim: int = 0, start: int | None = None, end: int | None = None,
           step: int = 1) -> Tensor:
    if step <= 0:
        raise RuntimeError("slice step must be positive")
    d = _util.wrap_dim(dim, input._data.ndim, "slice_copy")
    return input[(slice(None),) * d + (slice(start, end, step),)]


view_copy = _copy_function("view_copy", Tensor.view)
permute_copy = _copy_function("permute_copy", Tensor.permute)
t_copy = _copy_function("t_copy", Tensor.t)
transpose_copy = _copy_function("transpose_copy", Tensor.transpose)
unsqueeze_copy = _copy_function("unsqueeze_copy", Tensor.unsqueeze)
squeeze_copy = _copy_function("squeeze_copy", Tensor.squeeze)
expand_copy = _copy_function("expand_copy", Tensor.expand)
diagonal_copy = _copy_function("diagonal_copy", Tensor.diagonal)
select_copy = _copy_function("select_copy", Tensor.select)
slice_copy = _copy_function("slice_copy", _slice)
split_copy = _copy_function("split_copy", Tensor.split)
split_with_sizes_copy = _copy_function("split_with_sizes_copy", split_with_sizes)
unbind_copy = _copy_function("unbind_copy", Tensor.unbind)
unfold_copy = _copy_function("unfold_copy", Tensor.unfold)
alias_copy = _copy_function("alias_copy", lambda x: x, "AliasBackward0_copy")
narrow_copy = _copy_function("narrow_copy", Tensor.narrow, "NarrowCopyBackward0")


# ----------------------------------------------------------------------------- 3. misc
def igamma(input: Tensor, other: Tensor) -> Tensor:
    """The regularised lower incomplete gamma function P(input, other) (torch.igamma)."""
    from ..special import gammainc
    return gammainc(input, other)


def igammac(input: Tensor, other: Tensor) -> Tensor:
    """The regularised upper incomplete gamma function Q(input, other) (torch.igammac)."""
    from ..special import gammaincc
    return gammaincc(input, other)


def range(start: float, end: float, step: float = 1, *,  # noqa: A001
          dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Deprecated: values from start to end INCLUSIVE by step, in the default float dtype
    unless dtype is given (torch.range)."""
    from .creation import tensor
    warnings.warn("torch.range is deprecated and will be removed in a future release because "
                  "its behavior is inconsistent with Python's range builtin. Instead, use "
                  "torch.arange, which produces values in [start, end).", UserWarning,
                  stacklevel=2)
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (step > 0 and end < start) or (step < 0 and end > start):
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    n = math.floor((end - start) / step) + 1
    dt = dtype if dtype is not None else _backend.get_default_dtype()
    vals = start + step * np.arange(n, dtype=np.float64)
    return tensor(vals, dtype=dt, device=device, requires_grad=requires_grad)


_CHOLESKY_WARNING = (
    "torch.cholesky is deprecated in favor of torch.linalg.cholesky and will be removed in a "
    "future PyTorch release.\nL = torch.cholesky(A)\nshould be replaced with\n"
    "L = torch.linalg.cholesky(A)\nand\nU = torch.cholesky(A, upper=True)\nshould be replaced "
    "with\nU = torch.linalg.cholesky(A).mH\nThis transform will produce equivalent results for "
    "all valid (symmetric positive definite) inputs.")


def cholesky(input: Tensor, upper: bool = False) -> Tensor:
    """Deprecated: the Cholesky factor L of A = L Lᴴ, or U = Lᴴ when upper (torch.cholesky)."""
    from ..linalg import cholesky as linalg_cholesky
    _tensor_arg(input, "cholesky")
    warnings.warn(_CHOLESKY_WARNING, UserWarning, stacklevel=2)
    return linalg_cholesky(input, upper=upper)


class FrobeniusNorm(VectorNorm):
    """The 2-norm over dims as torch's deprecated at::frobenius_norm records it."""

    _raw = True
    _name = "NormBackward1"


def _deprecated_norm(name: str, replacement: str) -> None:
    warnings.warn(f"at::{name} is deprecated and it is just left for JIT compatibility. It will "
                  f"be removed in a future PyTorch release. Please use `{replacement}` instead",
                  UserWarning, stacklevel=3)


def frobenius_norm(input: Tensor, dim: Any, keepdim: bool = False) -> Tensor:
    """Deprecated: the 2-norm over at most two dims, all for () (torch.frobenius_norm)."""
    _tensor_arg(input, "frobenius_norm")
    _deprecated_norm("frobenius_norm", "linalg.vector_norm(A, 2., dim, keepdim)")
    dim = (dim,) if isinstance(dim, (int, np.integer)) else tuple(dim)
    if len(dim) > 2:
        raise RuntimeError(f"Expected at most 2 dimensions, but got {len(dim)} dimensions "
                           "instead.")
    if input._data.dtype.kind not in "f":
        raise RuntimeError("norm(): input dtype should be either floating point or complex. "
                           f"Got {_TORCH_NAMES[input._data.dtype.name]} instead.")
    axes = _util.dims(dim or None, input._data.ndim, "frobenius_norm")
    return FrobeniusNorm.apply(input, 2, axes, bool(keepdim))


def nuclear_norm(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """Deprecated: the sum of singular values of the matrices over dim, default the last two
    (torch.nuclear_norm; also called as nuclear_norm(input, keepdim))."""
    from ..linalg import svdvals
    _tensor_arg(input, "nuclear_norm")
    _deprecated_norm("nuclear_norm", "linalg.matrix_norm(A, 'nuc', dim, keepdim)")
    if isinstance(dim, bool):
        dim, keepdim = None, dim
    n = input._data.ndim
    if n < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 "
                           "dimensions.")
    if input._data.dtype.kind != "f":
        raise RuntimeError("linalg.matrix_norm: Expected a floating point or complex tensor as "
                           f"input. Got {_TORCH_NAMES[input._data.dtype.name]}")
    dim = (-2, -1) if dim is None else tuple(dim)
    if len(dim) != 2:
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got "
                           f"{' '.join(map(str, dim))}")
    d = tuple(_util.wrap_dim(int(k), n, "nuclear_norm") for k in dim)
    if d[0] == d[1]:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got {d}")
    sv = svdvals(input.movedim(d, (-2, -1)))
    if not keepdim:
        return sv.sum(-1)
    lo_hi = sorted(d)   # the singular values along one of the dims, summed with keepdim
    return sv.unsqueeze(-1).movedim((-2, -1), lo_hi).sum(lo_hi, keepdim=True)


def nonzero_static(input: Tensor, *, size: int, fill_value: int = -1) -> Tensor:
    """The (size, ndim) int64 indices of the first `size` non-zero elements, padded with
    fill_value (torch.nonzero_static)."""
    _tensor_arg(input, "nonzero_static")
    if not isinstance(size, (int, np.integer)) or isinstance(size, bool) or size < 0:
        raise RuntimeError("nonzero_static: 'size' must be an non-negative integer")
    idx = np.argwhere(input._data)[:size]
    out = np.full((int(size), input._data.ndim), fill_value, np.int64)
    out[:len(idx)] = idx
    return _make(out)


class IndexReduce(ScatterReduce):
    """scatter_reduce along one dim at the positions of a vector index (torch's
    index_reduce), recorded as torch records it."""

    _raw = True
    _name = "IndexReduceBackward0"

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        key, red = ctx.key, ctx.reduce
        if ctx.include_self or red == "mean":
            return ScatterReduce.backward(ctx, g)
        # without input's values: input's gradient is g away from the reduced slices
        if red == "prod":
            gs = ScatterReduce.backward(ctx, g)[1]
        else:   # amax/amin: torch shares g among ties counting input's equal values too
            x, src, y = (_arr(t) for t in ctx.saved_tensors)
            hit_s = src == y[key]
            n = (x == y).astype(y.dtype)
            np.add.at(n, key, hit_s)
            gs = _take(g / np.maximum(n, 1), key, ADVANCED) * hit_s
        return _zero_at(g, key, ADVANCED), gs, None, None, None


def index_reduce(input: Tensor, dim: int, index: Tensor, source: Tensor, reduce: str, *,
                 include_self: bool = True) -> Tensor:
    """input with the slices of source reduced in along dim at index: prod, mean, amax or
    amin, with or without input's own values (torch.index_reduce; beta in torch)."""
    _tensor_arg(input, "index_reduce")
    _tensor_arg(index, "index_reduce", "index", 3)
    _tensor_arg(source, "index_reduce", "source", 4)
    warnings.warn("index_reduce() is in beta and the API may change at any time.", UserWarning,
                  stacklevel=2)
    if reduce not in ("prod", "mean", "amax", "amin"):
        raise RuntimeError("index_reduce(): Expected reduce to be one of prod, mean, amax or "
                           f"amin but got {reduce}.")
    x, a, src = input._data, index._data, source._data
    if x.ndim == 0:   # a 0-d input behaves as a 1-element vector
        out = index_reduce(input.reshape(1), 0, index, source.reshape(-1), reduce,
                           include_self=include_self)
        return out.reshape(())
    d = _util.wrap_dim(dim, x.ndim, "index_reduce")
    if a.dtype.kind not in "iu":
        raise RuntimeError("index_reduce_(): Expected dtype int32/int64 for index but got: "
                           f"{_TYPE_NAMES[a.dtype.name]}")
    if a.ndim > 1:
        raise IndexError(f"index_reduce_(): Index is supposed to be a vector, but got dim: "
                         f"{a.ndim} with type: {_TYPE_NAMES[a.dtype.name]} and size: "
                         f"{list(a.shape)}")
    a = a.reshape(-1)
    if src.ndim != x.ndim or any(m != n for k, (m, n) in enumerate(zip(src.shape, x.shape))
                                 if k != d):
        raise RuntimeError("source tensor shape must match self tensor shape, excluding the "
                           f"specified dimension. Got self.shape = {list(x.shape)} "
                           f"source.shape = {list(src.shape)}")
    if a.size != src.shape[d]:
        raise RuntimeError(f"index_reduce_(): Number of indices ({a.size}) should be equal to "
                           f"source.size(dim): ({src.shape[d]}), for dim: {d}")
    if src.dtype != x.dtype:
        raise RuntimeError(f"index_reduce_(): self ({_TYPE_NAMES[x.dtype.name]}) and source "
                           f"({_TYPE_NAMES[src.dtype.name]}) must have the same scalar type")
    if x.dtype.kind == "b":
        raise NotImplementedError("\"index_func_\" not implemented for 'Bool'")
    if a.size and (a.min() < 0 or a.max() >= x.shape[d]):
        raise IndexError("index out of range in self")
    key = (slice(None),) * d + (a,)
    return IndexReduce.apply(input, source, key, reduce, bool(include_self))


class Resize(Function):
    """The deprecated out-of-place Tensor.resize: a reshape recorded as torch records it."""

    _raw = True
    _name = "ResizeBackward"

    @staticmethod
    def forward(ctx: Any, x: Any, shape: tuple) -> Any:
        ctx.shape = x.shape
        return x.reshape(shape)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        return g.reshape(ctx.shape), None


def _resize(self: Tensor, sizes: tuple, op: str) -> Tensor:
    """self reshaped to sizes, which must keep numel (torch's autograd Resize, whose checks
    this follows: sizes are ints, so a nested tuple never matches)."""
    warnings.warn(f"non-inplace {op} is deprecated", UserWarning, stacklevel=3)
    n = functools.reduce(operator.mul, sizes, 1)
    if n != self.numel():
        raise RuntimeError(
            f"requested resize to {'x'.join(map(str, sizes))} ({n} elements in total), but the "
            f"given tensor has a size of {'x'.join(map(str, self.shape))} ({self.numel()} "
            "elements). autograd's resize can only change the shape of a given tensor, while "
            "preserving the number of elements. ")
    return Resize.apply(self, tuple(int(s) for s in sizes))


def _resize_method(self: Tensor, *sizes: int) -> Tensor:
    """Deprecated out-of-place resize to the same number of elements (Tensor.resize)."""
    return _resize(self, sizes, "resize")


def _resize_as(self: Tensor, tensor: Tensor) -> Tensor:
    """Deprecated out-of-place resize to tensor's shape (Tensor.resize_as)."""
    _tensor_arg(tensor, "resize_as", "tensor", 1)
    return _resize(self, tuple(tensor.shape), "resize_as")


def _python_callback(self: Tensor, op: str) -> None:
    if self.requires_grad:
        raise RuntimeError(f"Can't call {op}() on Variable that requires grad. Use "
                           f"var.detach().{op}() instead.")


def _apply_(self: Tensor, callable: Callable[[Any], Any]) -> Tensor:
    """Replace each element x of self by callable(x), in place (Tensor.apply_; slow)."""
    _python_callback(self, "apply_")
    a = self._data
    a[...] = np.array([callable(v) for v in a.ravel().tolist()], dtype=object
                      ).reshape(a.shape).astype(a.dtype)
    return self


def _map_(self: Tensor, tensor: Tensor, callable: Callable[[Any, Any], Any]) -> Tensor:
    """Replace each element x of self by callable(x, y), y the matching element of tensor
    broadcast to self's shape, in place (Tensor.map_; slow)."""
    _python_callback(self, "map_")
    _tensor_arg(tensor, "map_", "tensor")
    _python_callback(tensor, "map_")
    if tensor.dtype != self.dtype:
        raise TypeError(f"map_: expected {_tensor.type_name(self._data)} for 'other' (got "
                        f"{_tensor.type_name(tensor._data)})")
    a = self._data
    b = tensor.expand(*a.shape)._data
    a[...] = np.array([callable(u, v) for u, v in zip(a.ravel().tolist(), b.ravel().tolist())],
                      dtype=object).reshape(a.shape).astype(a.dtype)
    return self


_SHARED: dict[int, weakref.ref] = {}


def _root(t: Tensor) -> Tensor:
    return t._base if t._base is not None else t


def _share_memory_(self: Tensor) -> Tensor:
    """Mark self's memory as shared between processes; returns self (Tensor.share_memory_).
    ember tensors live in one process's memory, so this only records the request."""
    r = _root(self)
    key = id(r)
    _SHARED[key] = weakref.ref(r, lambda _: _SHARED.pop(key, None))
    return self


def _is_shared(self: Tensor) -> bool:
    """Whether share_memory_ was called on self or the tensor it views (Tensor.is_shared)."""
    r = _root(self)
    ref = _SHARED.get(id(r))
    return ref is not None and ref() is r


_util.attach({
    "conj": conj, "conj_physical": conj_physical, "conj_physical_": conj_physical_,
    "resolve_conj": resolve_conj, "resolve_neg": resolve_neg, "adjoint": adjoint,
    "H": property(_H), "real": property(real), "imag": property(imag), "isreal": isreal,
    "angle": angle, "split_with_sizes": split_with_sizes, "unsafe_split": unsafe_split,
    "unsafe_split_with_sizes": unsafe_split_with_sizes, "unsafe_chunk": unsafe_chunk,
    "narrow_copy": narrow_copy, "igamma": igamma, "igammac": igammac,
    "igamma_": _util.inplace(igamma, "igamma_"), "igammac_": _util.inplace(igammac, "igammac_"),
    "nonzero_static": nonzero_static, "index_reduce": index_reduce,
    "index_reduce_": _util.inplace(index_reduce, "index_reduce_"), "resize": _resize_method,
    "resize_as": _resize_as,
    "apply_": _apply_, "map_": _map_, "share_memory_": _share_memory_,
    "is_shared": _is_shared})

__all__ = [
    *_INPLACE, "fill", "embedding_renorm_", "conj", "conj_physical", "conj_physical_",
    "resolve_conj", "resolve_neg", "real", "imag", "isreal", "angle", "adjoint",
    "split_with_sizes", "unsafe_split", "unsafe_split_with_sizes", "unsafe_chunk", "view_copy",
    "permute_copy", "t_copy", "transpose_copy", "unsqueeze_copy", "squeeze_copy",
    "expand_copy", "diagonal_copy", "select_copy", "slice_copy", "split_copy",
    "split_with_sizes_copy", "unbind_copy", "unfold_copy", "alias_copy", "narrow_copy",
    "igamma", "igammac", "range", "cholesky", "frobenius_norm", "nuclear_norm",
    "nonzero_static", "index_reduce"]
