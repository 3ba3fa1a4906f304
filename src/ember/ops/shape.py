"""Shape and movement ops: views (view, reshape, squeeze, transpose, permute, expand, split,
narrow, diagonal, ...) and copies (repeat, cat, stack, flip, roll, tril, ...).

A view shares its input's memory and version counter, as in torch (`_view_of`); the
backward formulas use only `np.*` functions, which this module registers for Tensors so the
same formulas run under create_graph."""

from __future__ import annotations

import itertools
import warnings
from typing import Any

import numpy as np

from .. import _backend
from .._tensor import Size, Tensor, _make
from ..autograd.function import Function
from . import _numpy_protocol as proto
from ._util import attach, check_inplace, inplace, wrap_dim
from ._util import require_tensor as _tensor_arg
from .creation import _dtype

__all__ = ["reshape", "squeeze", "unsqueeze", "flatten", "unflatten", "transpose", "swapaxes",
           "swapdims", "t", "permute", "movedim", "moveaxis", "broadcast_to",
           "broadcast_tensors", "broadcast_shapes", "tile", "repeat_interleave", "cat",
           "concat", "concatenate", "stack", "hstack", "vstack", "dstack", "atleast_1d",
           "atleast_2d", "atleast_3d", "split", "chunk", "unbind", "tensor_split", "narrow",
           "flip", "fliplr", "flipud", "roll", "tril", "triu", "diag", "diagonal", "diag_embed",
           "clone", "ravel", "diff", "rot90", "kron", "meshgrid", "cartesian_prod", "block_diag",
           "column_stack", "row_stack", "hsplit", "vsplit", "dsplit", "tril_indices",
           "triu_indices", "combinations", "resize_as_", "empty_strided", "scalar_tensor",
           "is_nonzero", "is_same_size", "is_signed", "is_complex", "is_conj", "is_neg"]

ndarray = np.ndarray


# ----------------------------------------------------------------------------- helpers
def _view_of(out: Any, x: Any) -> Any:
    """Make `out` (a Tensor or tuple of Tensors viewing x's memory) share x's version
    counter and base, so in-place changes through either are seen by autograd."""
    if isinstance(x, Tensor):
        vc, base = x._vc, (x._base if x._base is not None else x)
        for o in (out if type(out) is tuple else (out,)):
            o._vc = vc
            o._base = base
    return out


def _np_dtype(g: Any) -> np.dtype:
    """The NumPy dtype of a gradient (an array, or a Tensor under create_graph)."""
    return g._data.dtype if isinstance(g, Tensor) else g.dtype


def _sizes(args: tuple, op: str) -> tuple:
    """view(2, 3), view((2, 3)), view([2, 3]) or view(ember.Size) -> a tuple of ints."""
    if len(args) == 1 and type(args[0]) is not int:
        a = args[0]
        args = (a,) if isinstance(a, (np.integer, Tensor)) else a
    for s in args:
        if type(s) is not int:
            break
    else:
        return args if type(args) is tuple else tuple(args)
    try:
        return tuple(int(s.__index__()) for s in args)
    except (AttributeError, TypeError):
        raise TypeError(f"{op}(): sizes must be ints or a tuple of ints, got "
                        f"{[type(s).__name__ for s in args]}") from None


def _infer(shape: tuple, numel: int, op: str) -> tuple:
    """Resolve a -1 in `shape` and check the element count (torch's infer_size)."""
    n = 1
    infer = -1
    for i, s in enumerate(shape):
        if s == -1:
            if infer >= 0:
                raise RuntimeError(f"{op}: only one dimension can be inferred (shape "
                                   f"{list(shape)} has two -1)")
            infer = i
        elif s < 0:
            raise RuntimeError(f"{op}: invalid shape dimension {s} at index {i} of shape "
                               f"{list(shape)}")
        else:
            n *= s
    if infer < 0:
        if n == numel:
            return shape
    elif n != 0 and numel % n == 0:
        return shape[:infer] + (numel // n,) + shape[infer + 1:]
    elif n == 0 and numel == 0:
        raise RuntimeError(
            f"{op}: cannot reshape tensor of 0 elements into shape {list(shape)} because the "
            "unspecified dimension size -1 can be any value and is ambiguous")
    raise RuntimeError(f"{op}: shape '{list(shape)}' is invalid for input of size {numel} "
                       f"(the new shape must hold exactly {numel} elements; use -1 for one "
                       f"dimension to have it inferred, e.g. x.{op}(-1, ...))")


def _dim_list(dims: Any) -> tuple:
    if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
        dims = dims[0]
    return tuple(int(d) for d in dims)


# ----------------------------------------------------------------------------- Functions
class View(Function):
    """A reshape (view or copy); the grad_fn name is the torch op's (ViewBackward0,
    SqueezeBackward0, UnsqueezeBackward0, UnsafeViewBackward0, ...)."""

    _raw = True
    _name = "ViewBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any, shape: tuple, name: str | None = None) -> Any:
        ctx.in_shape = x.shape
        if name is not None:
            ctx._name = name
        return x.reshape(shape)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        return np.reshape(g, ctx.in_shape), None, None   # a reshape moves no values


class Permute(Function):
    _raw = True
    _name = "PermuteBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any, axes: tuple, name: str | None = None) -> Any:
        ctx.axes = axes
        if name is not None:
            ctx._name = name
        return np.transpose(x, axes)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        return np.transpose(g, np.argsort(ctx.axes)), None, None   # the inverse permutation


class Expand(Function):
    _raw = True
    _name = "ExpandBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any, shape: tuple) -> Any:
        # the engine sums the gradient back to x's shape
        return x.view() if x.shape == shape else np.broadcast_to(x, shape)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        return g, None   # d expand = sum over the broadcast dims (done by the engine's sum_to)


class Clone(Function):
    _raw = True
    _name = "CloneBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        return x.copy()

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        return g


class Cat(Function):
    _raw = True
    _name = "CatBackward0"

    @staticmethod
    def forward(ctx: Any, dim: int, *xs: Any) -> Any:
        dt = xs[0].dtype
        same = True
        for x in xs[1:]:
            if x.dtype != dt:
                dt = _backend.promote_types(dt, x.dtype)
                same = False
        ctx.dim = dim
        ctx.sizes = [x.shape[dim] if x.ndim > 1 or x.shape[0] != 0 else -1 for x in xs]
        used = xs if -1 not in ctx.sizes else [x for x in xs if x.ndim != 1 or x.shape[0] != 0]
        if not used:
            return np.empty((0,), dt)
        if same:
            return np.concatenate(used, axis=dim)
        return np.concatenate(used, axis=dim, dtype=dt, casting="unsafe")

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        # d cat = the matching slices of g (skipped empty inputs get empty grads)
        sizes = [s for s in ctx.sizes if s >= 0]
        parts = iter(np.split(g, np.cumsum(sizes[:-1]), axis=ctx.dim) if sizes else ())
        return (None,) + tuple(next(parts) if s >= 0 else np.zeros((0,), _np_dtype(g))
                               for s in ctx.sizes)


class Stack(Function):
    _raw = True
    _name = "StackBackward0"

    @staticmethod
    def forward(ctx: Any, dim: int, *xs: Any) -> Any:
        dt = xs[0].dtype
        for x in xs[1:]:
            if x.dtype != dt:
                dt = _backend.promote_types(dt, x.dtype)
        ctx.dim = dim
        shape = xs[0].shape
        shape = shape[:dim] + (1,) + shape[dim:]
        return np.concatenate([x.reshape(shape) for x in xs], axis=dim, dtype=dt,
                              casting="unsafe")

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        n = g.shape[ctx.dim]   # d stack = the slices of g along dim
        return (None,) + tuple(np.squeeze(p, axis=ctx.dim)
                               for p in np.split(g, n, axis=ctx.dim))


class Split(Function):
    """Split at `indices` along dim into views (split, chunk, tensor_split, unbind)."""

    _raw = True
    _name = "SplitBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any, indices: list, dim: int, name: str | None = None) -> Any:
        ctx.dim = dim
        if name is not None:
            ctx._name = name
        lead = (slice(None),) * dim
        bounds = [0, *indices, x.shape[dim]]
        return tuple(x[lead + (slice(bounds[i], bounds[i + 1]),)]
                     for i in range(len(bounds) - 1))

    @staticmethod
    def backward(ctx: Any, *grads: Any) -> Any:
        return np.concatenate(grads, axis=ctx.dim), None, None, None   # d split = cat


class Unbind(Function):
    _raw = True
    _name = "UnbindBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any, dim: int) -> Any:
        ctx.dim = dim
        lead = (slice(None),) * dim
        return tuple(x[lead + (i,)] for i in range(x.shape[dim]))

    @staticmethod
    def backward(ctx: Any, *grads: Any) -> Any:
        return np.stack(grads, axis=ctx.dim), None   # d unbind = stack


class Narrow(Function):
    _raw = True
    _name = "SliceBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any, dim: int, start: int, length: int) -> Any:
        ctx.args = (x.shape, dim, start, length)
        return x[(slice(None),) * dim + (slice(start, start + length),)]

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        shape, dim, start, length = ctx.args   # d narrow = g padded with zeros
        width = [(0, 0)] * len(shape)
        width[dim] = (start, shape[dim] - start - length)
        return (_Pad.apply(g, width) if isinstance(g, Tensor) else np.pad(g, width),
                None, None, None)


class _Pad(Function):
    """Zero padding: the backward of a slice (and its double backward)."""

    _raw = True
    _name = "ConstantPadNdBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any, width: list) -> Any:
        ctx.width = width
        return np.pad(x, width)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        out = g   # d pad = the unpadded slice
        for d, (lo, hi) in enumerate(ctx.width):
            if lo or hi:
                out = narrow(out, d, lo, out.shape[d] - lo - hi) if isinstance(out, Tensor) \
                    else out[(slice(None),) * d + (slice(lo, out.shape[d] - hi),)]
        return out, None


class Repeat(Function):
    _raw = True
    _name = "RepeatBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any, reps: tuple) -> Any:
        ctx.args = (x.shape, reps)
        return np.tile(x, reps)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        shape, reps = ctx.args   # d repeat = sum of the tiles
        shape = (1,) * (len(reps) - len(shape)) + shape
        split = [v for r, s in zip(reps, shape) for v in (r, s)]
        return np.sum(np.reshape(g, split), axis=tuple(range(0, len(split), 2))), None


class RepeatInterleave(Function):
    _raw = True
    _name = "RepeatInterleaveBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any, repeats: Any, dim: int) -> Any:
        ctx.args = (x.shape, repeats, dim)
        return np.repeat(x, repeats, axis=dim)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        shape, repeats, dim = ctx.args   # d repeat_interleave = sum of each run of copies
        if isinstance(repeats, int):
            split = shape[:dim] + (shape[dim], repeats) + shape[dim + 1:]
            return np.sum(np.reshape(g, split), axis=dim + 1), None, None
        reps = np.broadcast_to(repeats, (shape[dim],))
        m = (np.repeat(np.arange(shape[dim]), reps)[:, None] == np.arange(shape[dim]))
        gm = np.moveaxis(g, dim, -1) @ m.astype(_np_dtype(g))
        return np.moveaxis(gm, -1, dim), None, None


class Flip(Function):
    _raw = True
    _name = "FlipBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any, axes: tuple) -> Any:
        ctx.axes = axes
        return np.flip(x, axes).copy()

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        return np.flip(g, ctx.axes), None   # d flip = flip


class Roll(Function):
    _raw = True
    _name = "RollBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any, shifts: Any, dims: Any) -> Any:
        ctx.args = (shifts, dims)
        return np.roll(x, shifts, dims)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        shifts, dims = ctx.args   # d roll = roll back
        back = -shifts if isinstance(shifts, int) else tuple(-s for s in shifts)
        return np.roll(g, back, dims), None, None


class Tri(Function):
    _raw = True
    _name = "TrilBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any, k: int, upper: bool) -> Any:
        ctx.args = (k, upper)
        if upper:
            ctx._name = "TriuBackward0"
            return np.triu(x, k)
        return np.tril(x, k)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        k, upper = ctx.args   # d tril = tril of g
        return (np.triu(g, k) if upper else np.tril(g, k)), None, None


class Diagonal(Function):
    _raw = True
    _name = "DiagonalBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any, offset: int, d1: int, d2: int, copy: bool = False) -> Any:
        ctx.args = (x.shape, offset, d1, d2)
        out = np.diagonal(x, offset, d1, d2)
        if copy:
            return out.copy()
        if x.flags.writeable:
            out.flags.writeable = True   # torch's diagonal is a writable view
        return out

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        shape, offset, d1, d2 = ctx.args   # d diagonal = g written onto a zero diagonal
        if isinstance(g, Tensor):
            return DiagScatter.apply(g, shape, offset, d1, d2), None, None, None, None
        return _diag_scatter(g, shape, offset, d1, d2), None, None, None, None


def _diag_scatter(x: Any, shape: tuple, offset: int, d1: int, d2: int) -> Any:
    out = np.zeros(shape, x.dtype)
    view = np.diagonal(out, offset, d1, d2)
    view.flags.writeable = True
    view[...] = x
    return out


class DiagScatter(Function):
    """Zeros of `shape` with x's last dim written on the (offset, d1, d2) diagonal
    (diag_embed, diag of a vector, and the backward of diagonal)."""

    _raw = True
    _name = "DiagEmbedBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any, shape: tuple, offset: int, d1: int, d2: int) -> Any:
        ctx.args = (offset, d1, d2)
        return _diag_scatter(x, shape, offset, d1, d2)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        offset, d1, d2 = ctx.args   # d diag_embed = the diagonal of g
        return np.diagonal(g, offset, d1, d2), None, None, None, None


# ----------------------------------------------------------------------------- views
def _view(self: Tensor, *shape: Any) -> Tensor:
    """A view with a new shape sharing memory (Tensor.view); view(dtype) reinterprets bits."""
    if len(shape) == 1 and isinstance(shape[0], _backend.dtype):
        return _view_dtype(self, shape[0])
    x = self._data
    shape = _infer(_sizes(shape, "view"), x.size, "view")
    if not x.flags.c_contiguous:
        try:
            np.reshape(x, shape, copy=False)
        except ValueError:
            raise RuntimeError(
                f"view size is not compatible with input tensor's size and stride (at least "
                f"one dimension spans across two contiguous subspaces): cannot view a tensor "
                f"of shape {list(x.shape)} and stride {list(self.stride())} as {list(shape)}. "
                "Use .reshape(...) instead.") from None
    return _view_of(View.apply(self, shape), self)


def _view_dtype(self: Tensor, dtype: Any) -> Tensor:
    """The same bytes read as another dtype of equal size (not differentiable across dtypes)."""
    dt = _backend.to_np(dtype)
    x = self._data
    if dt == x.dtype:
        return _view(self, x.shape)
    if dt.itemsize != x.dtype.itemsize:
        raise RuntimeError(
            f"view(dtype): viewing a {self.dtype} tensor as {dtype} needs the same element size "
            f"({x.dtype.itemsize} vs {dt.itemsize} bytes) in this version of ember")
    return _view_of(_make(x.view(dt)), self)


def reshape(input: Tensor, shape: Any) -> Tensor:
    """input with a new shape: a view when the strides allow, else a copy (torch.reshape)."""
    x = input._data
    shape = _infer(_sizes((shape,), "reshape"), x.size, "reshape")
    if x.flags.c_contiguous:
        return _view_of(View.apply(input, shape), input)
    try:
        np.reshape(x, shape, copy=False)
    except ValueError:
        return View.apply(input, shape, "UnsafeViewBackward0")
    return _view_of(View.apply(input, shape), input)


def _reshape(self: Tensor, *shape: Any) -> Tensor:
    return reshape(self, _sizes(shape, "reshape"))


def squeeze(input: Tensor, dim: Any = None) -> Tensor:
    """Remove size-1 dims: all, one, or a tuple of dims (others are kept) (torch.squeeze)."""
    shape = input._data.shape
    if dim is None:
        new = tuple(s for s in shape if s != 1)
        name = "SqueezeBackward0"
    else:
        if isinstance(dim, (tuple, list)):
            ds = {wrap_dim(int(d), len(shape), "squeeze") for d in dim}
            name = "SqueezeBackward2"
        else:
            ds = {wrap_dim(int(dim), len(shape), "squeeze")}
            name = "SqueezeBackward1"
        new = tuple(s for i, s in enumerate(shape) if s != 1 or i not in ds)
    return _view_of(View.apply(input, new, name), input)


def unsqueeze(input: Tensor, dim: int) -> Tensor:
    """Insert a size-1 dim at `dim` (negative counts from ndim + 1) (torch.unsqueeze)."""
    shape = input._data.shape
    d = wrap_dim(dim, len(shape) + 1, "unsqueeze")
    return _view_of(View.apply(input, shape[:d] + (1,) + shape[d:], "UnsqueezeBackward0"),
                    input)


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge dims start_dim..end_dim into one (torch.flatten; a view when possible)."""
    shape = input._data.shape
    if not shape:
        return reshape(input, (1,))
    s = wrap_dim(start_dim, len(shape), "flatten")
    e = wrap_dim(end_dim, len(shape), "flatten")
    if s > e:
        raise RuntimeError(f"flatten() has invalid args: start_dim ({start_dim}) cannot come "
                           f"after end_dim ({end_dim})")
    if s == e:
        return input
    n = 1
    for v in shape[s:e + 1]:
        n *= v
    return reshape(input, shape[:s] + (n,) + shape[e + 1:])


def unflatten(input: Tensor, dim: int, sizes: Any) -> Tensor:
    """Split dim into `sizes` (one may be -1) (torch.unflatten)."""
    shape = input._data.shape
    d = wrap_dim(dim, len(shape), "unflatten")
    sizes = _sizes((sizes,), "unflatten")
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    try:
        sizes = _infer(sizes, shape[d], "unflatten")
    except RuntimeError:
        raise RuntimeError(
            f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of dim {dim}"
            f" ({shape[d]}) in the input tensor of shape {list(shape)}") from None
    return reshape(input, shape[:d] + sizes + shape[d + 1:])


def ravel(input: Tensor) -> Tensor:
    """The flattened 1-D tensor, a view when possible (torch.ravel)."""
    return reshape(input, (-1,))


def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:
    """Swap two dims, a view (torch.transpose)."""
    n = input._data.ndim
    a, b = wrap_dim(dim0, n, "transpose"), wrap_dim(dim1, n, "transpose")
    if n == 0:
        return _view_of(Permute.apply(input, (), "TransposeBackward0"), input)
    axes = list(range(n))
    axes[a], axes[b] = b, a
    return _view_of(Permute.apply(input, tuple(axes), "TransposeBackward0"), input)


swapaxes = swapdims = transpose


def t(input: Tensor) -> Tensor:
    """Transpose a <= 2-D tensor (torch.t)."""
    n = input._data.ndim
    if n > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {n}D "
                           f"(shape {list(input.shape)}); use transpose(dim0, dim1) or mT")
    return _view_of(Permute.apply(input, tuple(range(n))[::-1], "TBackward0"), input)


def permute(input: Tensor, dims: Any) -> Tensor:
    """Reorder the dims (torch.permute)."""
    n = input._data.ndim
    axes = tuple(d if d >= 0 else d + n for d in dims)
    if len(axes) == n and sorted(axes) == list(range(n)):
        return _view_of(Permute.apply(input, axes), input)
    dims = tuple(int(d) for d in dims)
    if len(dims) != n:
        raise RuntimeError(
            f"permute(): number of dimensions in the tensor input does not match the length of "
            f"the desired ordering of dimensions i.e. input.dim() = {n} is not equal to "
            f"len(dims) = {len(dims)} (dims {list(dims)}, shape {list(input.shape)})")
    axes = tuple(wrap_dim(d, n, "permute") for d in dims)
    if len(set(axes)) != n:
        raise RuntimeError(f"permute(): duplicate dims are not allowed (got {list(dims)})")
    return _view_of(Permute.apply(input, axes), input)


def _permute(self: Tensor, *dims: Any) -> Tensor:
    return permute(self, _dim_list(dims))


def movedim(input: Tensor, source: Any, destination: Any) -> Tensor:
    """Move dims from `source` to `destination` positions (torch.movedim)."""
    n = input._data.ndim
    src = (source,) if isinstance(source, int) else tuple(source)
    dst = (destination,) if isinstance(destination, int) else tuple(destination)
    if len(src) != len(dst):
        raise RuntimeError(
            f"movedim: Invalid source or destination dims: source ({list(src)} dims) should "
            f"contain the same number of dims as destination ({list(dst)} dims)")
    src = tuple(wrap_dim(d, n, "movedim") for d in src)
    dst = tuple(wrap_dim(d, n, "movedim") for d in dst)
    if len(set(src)) != len(src) or len(set(dst)) != len(dst):
        raise RuntimeError(f"movedim: repeated dim in source {list(src)} or destination "
                           f"{list(dst)}")
    rest = iter(d for d in range(n) if d not in src)
    where = dict(zip(dst, src))
    axes = tuple(where[i] if i in where else next(rest) for i in range(n))
    return _view_of(Permute.apply(input, axes), input)


moveaxis = movedim


def _T(self: Tensor) -> Tensor:
    n = self._data.ndim
    if n != 2:
        warnings.warn(
            "Tensor.T is deprecated on 0-D tensors. This function is the identity in these "
            "cases." if n == 0 else
            "The use of `x.T` on tensors of dimension other than 2 to reverse their shape is "
            "deprecated and it will throw an error in a future release. Consider `x.mT` to "
            "transpose batches of matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` to"
            " reverse the dimensions of a tensor.", UserWarning, stacklevel=2)
    return _view_of(Permute.apply(self, tuple(range(n))[::-1]), self)


def _mT(self: Tensor) -> Tensor:
    if self._data.ndim < 2:
        raise RuntimeError(f"tensor.mT is only supported on matrices or batches of matrices. "
                           f"Got {self._data.ndim}-D tensor.")
    return transpose(self, -2, -1)


def _expand_shape(shape: tuple, sizes: tuple) -> tuple:
    """Target shape of expand: -1 keeps a size; new dims go in front."""
    lead = len(sizes) - len(shape)
    if lead < 0:
        raise RuntimeError(
            f"expand(ember.Tensor{{{list(shape)}}}, size={list(sizes)}): the number of sizes "
            f"provided ({len(sizes)}) must be greater or equal to the number of dimensions in "
            f"the tensor ({len(shape)})")
    out = list(sizes)
    for i, s in enumerate(sizes):
        if i < lead:
            if s < 0:
                raise RuntimeError(
                    f"expand: The expanded size of the tensor ({s}) isn't allowed in a leading, "
                    f"non-existing dimension {i}")
            continue
        old = shape[i - lead]
        if s == -1:
            out[i] = old
        elif old != s and old != 1:
            raise RuntimeError(
                f"The expanded size of the tensor ({s}) must match the existing size ({old}) at "
                f"non-singleton dimension {i}.  Target sizes: {list(sizes)}.  Tensor sizes: "
                f"{list(shape)}")
        elif s < 0:
            raise RuntimeError(f"expand: invalid size {s} at dim {i} of {list(sizes)}")
    return tuple(out)


def _expand(self: Tensor, *sizes: Any) -> Tensor:
    """Broadcast size-1 dims to `sizes` without copying; -1 keeps a dim (Tensor.expand)."""
    shape = _expand_shape(self._data.shape, _sizes(sizes, "expand"))
    return _view_of(Expand.apply(self, shape), self)


def broadcast_to(input: Tensor, size: Any) -> Tensor:
    """input expanded to `size` (torch.broadcast_to)."""
    return _expand(input, size)


def broadcast_shapes(*shapes: Any) -> Any:
    """The shape the given shapes broadcast to (torch.broadcast_shapes)."""
    shapes = [(s,) if isinstance(s, int) else tuple(s) for s in shapes]
    try:
        return Size(np.broadcast_shapes(*shapes))
    except ValueError:
        raise RuntimeError(f"broadcast_shapes: shapes {[list(s) for s in shapes]} cannot be "
                           "broadcast together") from None


def broadcast_tensors(*tensors: Tensor) -> tuple:
    """Expand all tensors to their common broadcast shape (torch.broadcast_tensors)."""
    if len(tensors) == 1 and isinstance(tensors[0], (tuple, list)):
        tensors = tuple(tensors[0])
    try:
        shape = np.broadcast_shapes(*(x.shape for x in tensors))
    except ValueError:
        from ._util import broadcast_error
        raise broadcast_error("broadcast_tensors", *(np.empty(x.shape, bool)
                                                      for x in tensors)) from None
    return tuple(_view_of(Expand.apply(x, shape), x) for x in tensors)


# ----------------------------------------------------------------------------- copies
def clone(input: Tensor, *, memory_format: Any = None) -> Tensor:
    """A differentiable copy (torch.clone)."""
    return Clone._apply1(input)


def _contiguous(self: Tensor, memory_format: Any = None) -> Tensor:
    return self if self._data.flags.c_contiguous else Clone._apply1(self)


def _repeat(self: Tensor, *sizes: Any) -> Tensor:
    """Tile the tensor `sizes` times along each dim (Tensor.repeat)."""
    reps = _sizes(sizes, "repeat")
    if len(reps) < self._data.ndim:
        raise RuntimeError(
            f"repeat: Number of dimensions of repeat dims ({len(reps)}) can not be smaller than "
            f"number of dimensions of tensor ({self._data.ndim}, shape {list(self.shape)})")
    if any(r < 0 for r in reps):
        raise RuntimeError(f"repeat: repeats can not be negative, got {list(reps)}")
    return Repeat.apply(self, reps)


def tile(input: Tensor, dims: Any) -> Tensor:
    """repeat with missing leading reps taken as 1 (torch.tile)."""
    reps = _sizes((dims,), "tile")
    return _repeat(input, (1,) * (input._data.ndim - len(reps)) + reps)


def _tile(self: Tensor, *dims: Any) -> Tensor:
    return tile(self, _sizes(dims, "tile"))


def repeat_interleave(input: Tensor, repeats: Any = None, dim: int | None = None, *,
                      output_size: int | None = None) -> Tensor:
    """Repeat each element `repeats` times along dim (flattened when dim is None)
    (torch.repeat_interleave); given only a repeats tensor, the repeated indices."""
    if repeats is None:
        r = input._data
        return _make(np.repeat(np.arange(r.shape[0]), r))
    if dim is None:
        input = reshape(input, (-1,))
        dim = 0
    dim = wrap_dim(dim, input._data.ndim, "repeat_interleave")
    if isinstance(repeats, Tensor):
        r = repeats._data
        if r.ndim > 1 or (r.ndim == 1 and r.shape[0] not in (1, input._data.shape[dim])):
            raise RuntimeError(
                f"repeat_interleave: repeats must be 0-d, 1-d of size 1, or of size "
                f"{input._data.shape[dim]} (the size of dim {dim}); got shape {list(r.shape)}")
        repeats = int(r.reshape(-1)[0]) if r.size == 1 else r
    if isinstance(repeats, ndarray):
        if (repeats < 0).any():
            raise RuntimeError("repeat_interleave: repeats can not be negative")
    elif repeats < 0:
        raise RuntimeError(f"repeat_interleave: repeats can not be negative, got {repeats}")
    return RepeatInterleave.apply(input, repeats, dim)


def _cat_check(tensors: Any, dim: int, op: str) -> tuple:
    if isinstance(tensors, Tensor) or not isinstance(tensors, (tuple, list)):
        raise TypeError(f"{op}(): argument 'tensors' must be a tuple or list of Tensors, not "
                        f"{type(tensors).__name__}")
    if not tensors:   # torch: cat raises ValueError, stack RuntimeError
        if op == "stack":
            raise RuntimeError("stack expects a non-empty TensorList")
        raise ValueError(f"{op}(): expected a non-empty list of Tensors")
    return tuple(tensors)


def cat(tensors: Any, dim: int = 0, *, out: Any = None) -> Tensor:
    """Concatenate along an existing dim; 1-D empty tensors are skipped (torch.cat)."""
    tensors = _cat_check(tensors, dim, "cat")
    ref = None
    for i, x in enumerate(tensors):
        if not isinstance(x, (Tensor, ndarray)):
            raise TypeError(f"cat(): expected a sequence of Tensors, but item {i} is "
                            f"{type(x).__name__}")
        if x.ndim == 0:
            raise RuntimeError(f"cat: zero-dimensional tensor (at position {i}) cannot be "
                               "concatenated")
        if x.ndim == 1 and x.shape[0] == 0:
            continue
        if ref is None:
            ref = i
            d = wrap_dim(dim, x.ndim, "cat")
            continue
        a, b = tensors[ref].shape, x.shape
        if len(a) != len(b):
            raise RuntimeError(
                f"cat: Tensors must have same number of dimensions: got {len(a)} and {len(b)} "
                f"(tensor {ref} has shape {list(a)}, tensor {i} has shape {list(b)})")
        for k in range(len(a)):
            if k != d and a[k] != b[k]:
                raise RuntimeError(
                    f"cat: Sizes of tensors must match except in dimension {d}. Expected size "
                    f"{a[k]} but got size {b[k]} for tensor number {i} in the list (dimension "
                    f"{k}; shapes {list(a)} and {list(b)})")
    if ref is None:
        d = 0
    return Cat.apply(d, *tensors)


concat = concatenate = cat


def stack(tensors: Any, dim: int = 0, *, out: Any = None) -> Tensor:
    """Join tensors of equal shape along a new dim (torch.stack)."""
    tensors = _cat_check(tensors, dim, "stack")
    s0 = tensors[0].shape
    for i, x in enumerate(tensors[1:], 1):
        if x.shape != s0:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {list(s0)} at entry 0 and "
                f"{list(x.shape)} at entry {i}")
    d = wrap_dim(dim, len(s0) + 1, "stack")
    return Stack.apply(d, *tensors)


def atleast_1d(*tensors: Any) -> Any:
    """Tensors with at least 1 dim (torch.atleast_1d)."""
    return _atleast(tensors, 1)


def atleast_2d(*tensors: Any) -> Any:
    """Tensors with at least 2 dims (torch.atleast_2d)."""
    return _atleast(tensors, 2)


def atleast_3d(*tensors: Any) -> Any:
    """Tensors with at least 3 dims; 1-D (n,) -> (1, n, 1), 2-D (m, n) -> (m, n, 1)."""
    return _atleast(tensors, 3)


def _atleast(tensors: tuple, n: int) -> Any:
    single = len(tensors) == 1 and isinstance(tensors[0], Tensor)
    if len(tensors) == 1 and isinstance(tensors[0], (tuple, list)):
        tensors = tuple(tensors[0])
    out = []
    for x in tensors:
        s = x._data.shape
        if len(s) < n:
            new = ((1,) * (n - len(s)) + s if n < 3 or len(s) == 0 else
                   (1,) + s + (1,) if len(s) == 1 else s + (1,))
            x = reshape(x, new)
        out.append(x)
    return out[0] if single else tuple(out)


def hstack(tensors: Any, *, out: Any = None) -> Tensor:
    """Concatenate column-wise (dim 1; dim 0 for 1-D) (torch.hstack)."""
    ts = _atleast(tuple(_cat_check(tensors, 0, "hstack")), 1)
    return cat(ts, 0 if ts[0].ndim == 1 else 1)


def vstack(tensors: Any, *, out: Any = None) -> Tensor:
    """Concatenate row-wise after atleast_2d (torch.vstack)."""
    return cat(_atleast(tuple(_cat_check(tensors, 0, "vstack")), 2), 0)


def dstack(tensors: Any, *, out: Any = None) -> Tensor:
    """Concatenate depth-wise after atleast_3d (torch.dstack)."""
    return cat(_atleast(tuple(_cat_check(tensors, 0, "dstack")), 3), 2)


# ----------------------------------------------------------------------------- splitting
def split(tensor: Tensor, split_size_or_sections: Any, dim: int = 0) -> tuple:
    """Views of `split_size` along dim (the last smaller), or of the listed sizes
    (torch.split)."""
    n = tensor._data.ndim
    d = wrap_dim(dim, n, "split")
    size = tensor._data.shape[d]
    s = split_size_or_sections
    if isinstance(s, (int, np.integer)):
        s = int(s)
        if s < 0:
            raise RuntimeError(f"split expects split_size be non-negative, but got "
                               f"split_size={s}")
        if s == 0:
            if size != 0:
                raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got "
                                   f"dimension size of {size}")
            return _view_of(Split.apply(tensor, [], d), tensor)
        return _view_of(Split.apply(tensor, list(range(s, size, s)), d), tensor)
    sizes = [int(v) for v in s]
    if sum(sizes) != size or any(v < 0 for v in sizes):
        raise RuntimeError(
            f"split_with_sizes expects split_sizes to sum exactly to {size} (input tensor's "
            f"size at dimension {d}), but got split_sizes={sizes}")
    idx = np.cumsum(sizes[:-1]).tolist()
    return _view_of(Split.apply(tensor, idx, d, "SplitWithSizesBackward0"), tensor)


def _split_method(self: Tensor, split_size: Any, dim: int = 0) -> tuple:
    return split(self, split_size, dim)


def chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple:
    """Up to `chunks` views of equal size along dim (the last may be smaller) (torch.chunk)."""
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    d = wrap_dim(dim, input._data.ndim, "chunk")
    size = input._data.shape[d]
    step = -(-size // chunks)
    if step == 0:
        return _view_of(Split.apply(input, [0] * (chunks - 1), d), input)
    return split(input, step, d)


def tensor_split(input: Tensor, indices_or_sections: Any, dim: int = 0) -> tuple:
    """Split into n near-equal views, or at the given indices (torch.tensor_split)."""
    d = wrap_dim(dim, input._data.ndim, "tensor_split")
    s = indices_or_sections
    if isinstance(s, Tensor):
        s = s._data.tolist()
    if isinstance(s, (int, np.integer)):
        n = int(s)
        if n <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {n}")
        size = input._data.shape[d]
        q, r = divmod(size, n)
        idx = [i * q + min(i, r) for i in range(1, n)]
    else:
        idx = [int(i) for i in s]
    return _view_of(Split.apply(input, idx, d, "SliceBackward0"), input)


def unbind(input: Tensor, dim: int = 0) -> tuple:
    """The slices along dim, as views (torch.unbind)."""
    d = wrap_dim(dim, input._data.ndim, "unbind")
    return _view_of(Unbind.apply(input, d), input)


def narrow(input: Tensor, dim: int, start: Any, length: int) -> Tensor:
    """The view input[..., start:start+length, ...] along dim (torch.narrow)."""
    if input._data.ndim == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    d = wrap_dim(dim, input._data.ndim, "narrow")
    size = input._data.shape[d]
    start = int(start)
    if not -size <= start <= size:
        raise IndexError(f"narrow: start ({start}) out of range for dimension {d} of size "
                         f"{size}")
    if start < 0:
        start += size
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    if start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size "
                           f"({size}).")
    return _view_of(Narrow.apply(input, d, start, length), input)


# ----------------------------------------------------------------------------- reorder
def flip(input: Tensor, dims: Any) -> Tensor:
    """Reverse the order along dims (a copy, torch.flip)."""
    n = input._data.ndim
    axes = (dims,) if isinstance(dims, int) else tuple(dims)
    axes = tuple(wrap_dim(d, n, "flip") for d in axes)
    if len(set(axes)) != len(axes):
        raise RuntimeError(f"flip: dims {list(dims)} has a dim appearing multiple times")
    return Flip.apply(input, axes)


def _flip(self: Tensor, *dims: Any) -> Tensor:
    return flip(self, _dim_list(dims))


def fliplr(input: Tensor) -> Tensor:
    """Flip along dim 1 (torch.fliplr; needs >= 2 dims)."""
    if input._data.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return flip(input, (1,))


def flipud(input: Tensor) -> Tensor:
    """Flip along dim 0 (torch.flipud; needs >= 1 dim)."""
    if input._data.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return flip(input, (0,))


def roll(input: Tensor, shifts: Any, dims: Any = None) -> Tensor:
    """Shift elements cyclically along dims; without dims, of the flattened tensor (torch.roll)."""
    if dims is None:
        if not isinstance(shifts, (int, np.integer)) and len(shifts) != 1:
            raise RuntimeError(f"roll: shifts and dimensions must align. shifts: {len(shifts)}, "
                               "dims:0")
        return Roll.apply(input, _one(shifts), None)
    n = input._data.ndim
    sh = (shifts,) if isinstance(shifts, (int, np.integer)) else tuple(shifts)
    ds = (dims,) if isinstance(dims, (int, np.integer)) else tuple(dims)
    if len(sh) != len(ds):
        raise RuntimeError(f"roll: shifts and dimensions must align. shifts: {len(sh)}, "
                           f"dims:{len(ds)}")
    ds = tuple(wrap_dim(int(d), n, "roll") for d in ds)
    return Roll.apply(input, tuple(int(s) for s in sh), ds)


def _one(shifts: Any) -> int:
    return int(shifts) if isinstance(shifts, (int, np.integer)) else int(shifts[0])


def tril(input: Tensor, diagonal: int = 0, *, out: Any = None) -> Tensor:
    """The lower triangle of the last two dims (torch.tril)."""
    if input._data.ndim < 2:
        raise RuntimeError(f"tril: input tensor must have at least 2 dimensions (got shape "
                           f"{list(input.shape)})")
    return Tri.apply(input, diagonal, False)


def triu(input: Tensor, diagonal: int = 0, *, out: Any = None) -> Tensor:
    """The upper triangle of the last two dims (torch.triu)."""
    if input._data.ndim < 2:
        raise RuntimeError(f"triu: input tensor must have at least 2 dimensions (got shape "
                           f"{list(input.shape)})")
    return Tri.apply(input, diagonal, True)


def diagonal(input: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """The diagonal of dims (dim1, dim2) as the last dim, a view (torch.diagonal)."""
    n = input._data.ndim
    d1, d2 = wrap_dim(dim1, n, "diagonal"), wrap_dim(dim2, n, "diagonal")
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return _view_of(Diagonal.apply(input, offset, d1, d2), input)


def diag(input: Tensor, diagonal: int = 0, *, out: Any = None) -> Tensor:
    """1-D -> square matrix with input on a diagonal; 2-D -> that diagonal (torch.diag)."""
    n = input._data.ndim
    if n == 1:
        m = input._data.shape[0] + abs(diagonal)
        return DiagScatter.apply(input, (m, m), diagonal, 0, 1)
    if n == 2:
        out = Diagonal.apply(input, diagonal, 0, 1, True)
        if out.grad_fn is not None:
            out.grad_fn._name = "DiagonalBackward0_copy"
        return out
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {n}D (shape "
                       f"{list(input.shape)})")


def diag_embed(input: Tensor, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """Put the last dim on the diagonal of two new dims (torch.diag_embed)."""
    shape = input._data.shape
    nd = len(shape) + 1
    d1, d2 = wrap_dim(dim1, nd, "diag_embed"), wrap_dim(dim2, nd, "diag_embed")
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    m = (shape[-1] if shape else 1) + abs(offset)
    rest = list(shape[:-1])
    for d in sorted((d1, d2)):
        rest.insert(d, m)
    x = input if shape else reshape(input, (1,))
    return DiagScatter.apply(x, tuple(rest), offset, d1, d2)


# ----------------------------------------------------------------------------- composites
def diff(input: Tensor, n: int = 1, dim: int = -1, prepend: Tensor | None = None,
         append: Tensor | None = None) -> Tensor:
    """The n-th forward difference along dim, after concatenating prepend and append; xor for
    bool (torch.diff)."""
    nd = input._data.ndim
    if nd == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    d = wrap_dim(dim, nd, "diff")
    parts = [p for p in (prepend, input, append) if p is not None]
    for p in parts:
        ps = p._data.shape
        if len(ps) != nd:
            raise RuntimeError("diff expects prepend or append to be the same dimension as input "
                               f"(input has {nd} dims, got a tensor of shape {list(ps)})")
        bad = [i for i in range(nd) if i != d and ps[i] != input._data.shape[i]]
        if bad:
            raise RuntimeError(
                "diff expects the shape of tensor to prepend or append to match that of input "
                f"except along the differencing dimension; input.size({bad[0]}) = "
                f"{input._data.shape[bad[0]]}, but got tensor.size({bad[0]}) = {ps[bad[0]]}")
    x = cat(parts, d) if len(parts) > 1 else input
    for _ in range(n):
        length = x.shape[d]
        if length == 0:
            break
        hi, lo = narrow(x, d, 1, length - 1), narrow(x, d, 0, length - 1)
        x = hi ^ lo if x.dtype == _backend.bool_ else hi - lo
    return x


def rot90(input: Tensor, k: int = 1, dims: Any = (0, 1)) -> Tensor:
    """Rotate by 90 degrees k times in the plane of dims, from the first towards the second
    (torch.rot90)."""
    dims = list(dims)
    nd = input._data.ndim
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if nd < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {nd}")
    d0, d1 = wrap_dim(dims[0], nd, "rot90"), wrap_dim(dims[1], nd, "rot90")
    if d0 == d1:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {dims[0]} "
                           f"and dim1 = {dims[1]}")
    k %= 4
    if k == 1:
        return transpose(flip(input, (d1,)), d0, d1)
    if k == 2:
        return flip(input, (d0, d1))
    if k == 3:
        return transpose(flip(input, (d0,)), d0, d1)
    return clone(input)


def kron(input: Tensor, other: Tensor, *, out: Any = None) -> Tensor:
    """The Kronecker product: every element of input times a copy of other (torch.kron)."""
    sa, sb = input._data.shape, other._data.shape
    nd = max(len(sa), len(sb))
    sa, sb = (1,) * (nd - len(sa)) + sa, (1,) * (nd - len(sb)) + sb
    a = reshape(input, tuple(v for s in sa for v in (s, 1)))
    b = reshape(other, tuple(v for s in sb for v in (1, s)))
    return reshape(a * b, tuple(x * y for x, y in zip(sa, sb)))


def meshgrid(*tensors: Any, indexing: str | None = None) -> tuple:
    """Coordinate grids of 1-D tensors, as expanded views; indexing 'ij' (the default, with
    torch's warning when not given) or 'xy' (the first two dims swapped) (torch.meshgrid)."""
    if len(tensors) == 1 and isinstance(tensors[0], (tuple, list)):
        tensors = tuple(tensors[0])
    if indexing is None:
        warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass the "
                      "indexing argument.", UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError('torch.meshgrid: indexing must be one of "xy" or "ij", but received: '
                           f"{indexing}")
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    for x in tensors:
        if x._data.ndim > 1:
            raise RuntimeError("torch.meshgrid: Expected 0D or 1D tensor in the tensor list but "
                               f"got a tensor of shape {list(x.shape)}")
        if x._data.dtype != tensors[0]._data.dtype:
            raise RuntimeError(f"meshgrid expects all tensors to have the same dtype (got "
                               f"{tensors[0].dtype} and {x.dtype})")
    ts = list(tensors)
    swap = indexing == "xy" and len(ts) > 1
    if swap:
        ts[0], ts[1] = ts[1], ts[0]
    n = len(ts)
    shape = tuple(x._data.size for x in ts)
    out = [broadcast_to(reshape(x, (1,) * i + (-1,) + (1,) * (n - i - 1)), shape)
           for i, x in enumerate(ts)]
    if swap:
        out[0], out[1] = out[1], out[0]
    return tuple(out)


def _vectors(tensors: tuple, op: str) -> tuple:
    for x in tensors:
        if x._data.ndim != 1:
            raise RuntimeError(f"Expect a 1D vector, but got shape {list(x.shape)} ({op})")
    return tensors


def cartesian_prod(*tensors: Tensor) -> Tensor:
    """All tuples of one element of each 1-D tensor, as rows, in order (torch.cartesian_prod)."""
    _vectors(tensors, "cartesian_prod")
    if len(tensors) == 1:
        return tensors[0]
    return stack([reshape(g, (-1,)) for g in meshgrid(*tensors, indexing="ij")], 1)


def block_diag(*tensors: Tensor) -> Tensor:
    """A block-diagonal matrix of the (at most 2-D) tensors (torch.block_diag)."""
    blocks = []
    for i, x in enumerate(tensors):
        nd = x._data.ndim
        if nd > 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer dimensions. "
                               f"Input {i} has {nd} dimensions")
        blocks.append(x if nd == 2 else reshape(x, (1, -1) if nd else (1, 1)))
    if not blocks:
        return _make(np.zeros((1, 0), _backend.default_float()))
    cols = sum(b._data.shape[1] for b in blocks)
    rows, c = [], 0
    for b in blocks:   # each block padded with zeros to the full width, then stacked up
        w = b._data.shape[1]
        rows.append(_Pad.apply(b, [(0, 0), (c, cols - c - w)]))
        c += w
    return cat(rows, 0)


def column_stack(tensors: Any, *, out: Any = None) -> Tensor:
    """hstack after making 0-d and 1-D tensors columns (torch.column_stack)."""
    if isinstance(tensors, (tuple, list)) and not tensors:
        raise RuntimeError("column_stack expects a non-empty TensorList")
    ts = _cat_check(tensors, 0, "column_stack")
    return hstack([reshape(x, (-1, 1)) if x._data.ndim <= 1 else x for x in ts])


def row_stack(tensors: Any, *, out: Any = None) -> Tensor:
    """Alias of vstack (torch.row_stack)."""
    return vstack(tensors)


def _split_along(op: str, input: Tensor, sections: Any, min_dims: int, dim: int) -> tuple:
    nd = input._data.ndim
    if nd < min_dims:
        raise RuntimeError(f"torch.{op} requires a tensor with at least {min_dims} dimension, "
                           f"but got a tensor with {nd} dimensions!")
    if isinstance(sections, (int, np.integer)):
        size = input._data.shape[dim]
        if sections == 0 or size % sections:
            raise RuntimeError(f"torch.{op} attempted to split along dimension {dim}, but the "
                               f"size of the dimension {size} is not divisible by the "
                               f"split_size {sections}!")
    return tensor_split(input, sections, dim)


def hsplit(input: Tensor, indices_or_sections: Any) -> tuple:
    """tensor_split along dim 1 (dim 0 of a 1-D tensor); an int must divide it (torch.hsplit)."""
    dim = 0 if input._data.ndim == 1 else 1
    return _split_along("hsplit", input, indices_or_sections, 1, dim)


def vsplit(input: Tensor, indices_or_sections: Any) -> tuple:
    """tensor_split along dim 0 of an at least 2-D tensor (torch.vsplit)."""
    return _split_along("vsplit", input, indices_or_sections, 2, 0)


def dsplit(input: Tensor, indices_or_sections: Any) -> tuple:
    """tensor_split along dim 2 of an at least 3-D tensor (torch.dsplit)."""
    return _split_along("dsplit", input, indices_or_sections, 3, 2)


def _tri_indices(op: str, np_fn: Any, row: int, col: int, offset: int, dtype: Any) -> Tensor:
    dt = np.dtype(np.int64) if dtype is None else _backend.to_np(dtype)
    if dt.kind not in "iu":
        raise NotImplementedError(f"\"{op}\" not implemented for '{dtype}' (the indices need "
                                  "an integer dtype)")
    for name, v in (("row", row), ("col", col)):
        if v < 0:
            raise RuntimeError(f"{name} must be non-negative, got {v} ({op})")
    return _make(np.stack(np_fn(row, offset, col)).astype(dt))


def tril_indices(row: int, col: int, offset: int = 0, *, dtype: Any = None, device: Any = None,
                 layout: Any = None) -> Tensor:
    """The (2, N) row and column indices of the lower triangle of a row x col matrix, row by
    row (torch.tril_indices)."""
    return _tri_indices("tril_indices", np.tril_indices, row, col, offset, dtype)


def triu_indices(row: int, col: int, offset: int = 0, *, dtype: Any = None, device: Any = None,
                 layout: Any = None) -> Tensor:
    """The (2, N) indices of the upper triangle of a row x col matrix (torch.triu_indices)."""
    return _tri_indices("triu_indices", np.triu_indices, row, col, offset, dtype)


def combinations(input: Tensor, r: int = 2, with_replacement: bool = False) -> Tensor:
    """The length-r combinations of a 1-D tensor's elements, as rows (torch.combinations)."""
    from .indexing import index_select
    _vectors((input,), "combinations")
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return _make(np.empty((0,), input._data.dtype))
    comb = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    idx = np.array(list(comb(range(input._data.shape[0]), r)), np.int64).reshape(-1, r)
    return reshape(index_select(input, 0, _make(idx.reshape(-1))), idx.shape)


# ----------------------------------------------------------------------------- unfold, sum_to_size
def _unfold_array(x: Any, dim: int, size: int, step: int) -> Any:
    """The windows of x along dim as a strided view with a new last dim of `size`."""
    if x.ndim == 0:
        return x.reshape((1,))[:size]
    n = (x.shape[dim] - size) // step + 1
    st = x.strides
    return np.lib.stride_tricks.as_strided(
        x, x.shape[:dim] + (n,) + x.shape[dim + 1:] + (size,),
        st[:dim] + (st[dim] * step,) + st[dim + 1:] + (st[dim],))


def _fold_windows(g: Any, shape: tuple, dim: int, size: int, step: int) -> Any:
    """The adjoint of unfold: each window's gradient added back where the window lies."""
    if not shape:
        return np.reshape(np.sum(g, keepdims=True), ())
    gx = np.zeros(shape, g.dtype)
    n = g.shape[dim]
    for k in range(size):
        gx[(slice(None),) * dim + (slice(k, k + step * (n - 1) + 1, step),)] += g[..., k]
    return gx


class Unfold(Function):
    _raw = True
    _name = "UnfoldBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any, dim: int, size: int, step: int) -> Any:
        ctx.args = (x.shape, dim, size, step)
        return _unfold_array(x, dim, size, step)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        if isinstance(g, Tensor):
            return UnfoldBackward.apply(g, *ctx.args), None, None, None
        return _fold_windows(g, *ctx.args), None, None, None


class UnfoldBackward(Function):
    """The windows' gradients summed back onto the input (unfold's backward, differentiable)."""

    _raw = True
    _name = "UnfoldBackwardBackward0"

    @staticmethod
    def forward(ctx: Any, g: Any, shape: tuple, dim: int, size: int, step: int) -> Any:
        ctx.args = (dim, size, step)
        return _fold_windows(g, shape, dim, size, step)

    @staticmethod
    def backward(ctx: Any, gg: Any) -> Any:
        out = (Unfold.apply(gg, *ctx.args) if isinstance(gg, Tensor)
               else _unfold_array(gg, *ctx.args))   # d fold = unfold
        return out, None, None, None, None


def _unfold(self: Tensor, dimension: int, size: int, step: int) -> Tensor:
    """Every window of `size` elements, `step` apart, along dimension, as a new last dim; a
    view (Tensor.unfold)."""
    x = self._data
    d = wrap_dim(dimension, x.ndim, "unfold")
    length = x.shape[d] if x.ndim else 1
    if size > length:
        raise RuntimeError(f"maximum size for tensor at dimension {d} is {length} but size is "
                           f"{size}")
    if size < 0:
        raise RuntimeError(f"size is {size} but must be >= 0")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    return _view_of(Unfold.apply(self, d, size, step), self)


def _sum_to_size(self: Tensor, *size: Any) -> Tensor:
    """self summed down to `size`, a shape that expands to self's (Tensor.sum_to_size)."""
    from .reduce import sum as sum_
    shape = _sizes(size, "sum_to_size")
    xs = self._data.shape
    lead = len(xs) - len(shape)
    if lead < 0 or any(s != 1 and s != v for s, v in zip(shape, xs[lead:])):
        raise RuntimeError(f"size {{{list(shape)}}} is not expandable to size {{{list(xs)}}}.")
    axes = tuple(range(lead)) + tuple(i + lead for i, s in enumerate(shape)
                                      if s == 1 and xs[i + lead] != 1)
    if not axes:
        return self
    out = sum_(self, axes, keepdim=True)
    return reshape(out, shape) if lead else out


# ----------------------------------------------------------------------------- in-place variants
def _inplace_view(fn: Any, op: str, shift: int) -> Any:
    """Tensor.<op>: fn's view becomes self's own shape and strides, as torch's in-place view
    ops (same object, bumped version, the op's grad_fn with torch's in-place number)."""
    def method(self: Tensor, *args: Any) -> Tensor:
        check_inplace(self, op)
        res = fn(self, *args)
        self._data = res._data
        self._vc[0] += 1
        node = res.grad_fn
        if node is not None:
            name = node.name()
            node._name = name[:-1] + str(int(name[-1]) + shift)   # SqueezeBackward0 -> 3
            self.grad_fn, self._output_nr, self._requires_grad = node, 0, True
        return self
    method.__name__ = op
    method.__doc__ = f"In-place {op[:-1]}: self takes the new shape and strides (Tensor.{op})."
    return method


def _t_checked(self: Tensor) -> Tensor:
    n = self._data.ndim
    if n > 2:
        raise RuntimeError(f"t_() expects a tensor with <= 2 dimensions, but self is {n}D "
                           f"(shape {list(self.shape)})")
    return t(self)


# ----------------------------------------------------------------------------- memory layout
def _storage_root(a: ndarray) -> ndarray:
    """The array that owns the memory a views (through as_strided's holder too)."""
    while True:
        b = a.base
        if b is not None and not isinstance(b, ndarray):
            b = getattr(b, "base", None)   # as_strided keeps its source behind a DummyArray
        if not isinstance(b, ndarray):
            return a
        a = b


def _ptr(a: ndarray) -> int:
    return a.__array_interface__["data"][0]


def _storage_offset(self: Tensor) -> int:
    """The position of the first element in the memory the tensor views, in elements
    (Tensor.storage_offset)."""
    a = self._data
    return (_ptr(a) - _ptr(_storage_root(a))) // a.itemsize


def _contiguous_strides(shape: tuple, itemsize: int) -> tuple:
    st, acc = [], itemsize
    for s in reversed(shape):
        st.append(acc)
        acc *= max(s, 1)
    return tuple(reversed(st))


def _check_sizes(shape: tuple, op: str) -> None:
    if any(s < 0 for s in shape):
        raise RuntimeError(f"{op}: Trying to create tensor with negative dimension "
                           f"{min(shape)}: {list(shape)}")


def _resize_(self: Tensor, *sizes: Any, memory_format: Any = None) -> Tensor:
    """Give self the contiguous shape `sizes`, on its own memory when that is large enough,
    else on new memory that starts with the old elements (Tensor.resize_)."""
    shape = _sizes(sizes, "resize_")
    _check_sizes(shape, "resize_")
    if self._requires_grad:
        raise RuntimeError("cannot resize variables that require grad")
    x = self._data
    if shape == x.shape:
        return self
    n = int(np.prod(shape, dtype=np.int64))
    root = _storage_root(x)
    dense = root.flags.c_contiguous or root.flags.f_contiguous
    off = _ptr(x) - _ptr(root)
    if dense and off + n * x.itemsize <= root.nbytes:
        self._data = np.lib.stride_tricks.as_strided(
            x, shape, _contiguous_strides(shape, x.itemsize))
    elif self._base is not None:
        raise RuntimeError(
            f"resize_: growing a view (shape {list(x.shape)}) to {list(shape)} needs more memory "
            "than its base holds, and ember cannot move the base's memory; resize a clone()")
    else:
        new = np.zeros(n, x.dtype)
        mem = root.ravel(order="K").view(x.dtype)[off // x.itemsize:] if dense else \
            x.reshape(-1)
        k = min(n, mem.size)
        new[:k] = mem[:k]
        self._data = new.reshape(shape)
    self._vc[0] += 1
    return self


def resize_as_(input: Tensor, the_template: Tensor, *, memory_format: Any = None) -> Tensor:
    """input.resize_(the_template.shape) (torch.resize_as_)."""
    return _resize_(input, the_template._data.shape)


def empty_strided(size: Any, stride: Any, *, dtype: Any = None, layout: Any = None,
                  device: Any = None, requires_grad: bool = False,
                  pin_memory: bool = False) -> Tensor:
    """A tensor of shape `size` laid out with `stride` (in elements) over fresh memory
    (torch.empty_strided; ember fills the memory with zeros)."""
    shape = _sizes((size,), "empty_strided")
    st = _sizes((stride,), "empty_strided")
    if len(st) != len(shape):
        raise RuntimeError(f"dimensionality of sizes ({len(shape)}) must match dimensionality "
                           f"of strides ({len(st)})")
    _check_sizes(shape, "empty_strided")
    if any(s < 0 for s in st):
        raise RuntimeError(f"Storage size calculation overflowed with sizes={list(shape)} and "
                           f"strides={list(st)}")
    if device is not None:
        _backend.check_device(device, "empty_strided")
    dt = _dtype(dtype, "empty_strided")
    n = 0 if 0 in shape else 1 + sum((s - 1) * k for s, k in zip(shape, st))
    arr = np.lib.stride_tricks.as_strided(np.zeros(n, dt), shape,
                                          tuple(k * dt.itemsize for k in st))
    out = _make(arr)
    return out.requires_grad_(True) if requires_grad else out


def _new_empty_strided(self: Tensor, size: Any, stride: Any, *, dtype: Any = None,
                       layout: Any = None, device: Any = None, requires_grad: bool = False,
                       pin_memory: bool = False) -> Tensor:
    """empty_strided with self's dtype unless given (Tensor.new_empty_strided)."""
    return empty_strided(size, stride, dtype=self.dtype if dtype is None else dtype,
                         device=device, requires_grad=requires_grad)


def scalar_tensor(s: Any, *, dtype: Any = None, layout: Any = None, device: Any = None,
                  requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """A 0-d tensor holding the number s, of the default float dtype unless given
    (torch.scalar_tensor)."""
    if isinstance(s, Tensor) and s._data.size == 1:
        s = s.item()
    if not isinstance(s, (bool, int, float, np.number, np.bool_)):
        raise TypeError(f"scalar_tensor(): argument 's' (position 1) must be Number, not "
                        f"{type(s).__name__}")
    if device is not None:
        _backend.check_device(device, "scalar_tensor")
    out = _make(np.array(s, _dtype(dtype, "scalar_tensor")))
    return out.requires_grad_(True) if requires_grad else out


def _type_as(self: Tensor, other: Tensor) -> Tensor:
    """self converted to other's dtype (Tensor.type_as)."""
    _tensor_arg(other, "type_as", "other")
    return self.to(other.dtype)


# ----------------------------------------------------------------------------- predicates
def is_nonzero(input: Tensor) -> bool:
    """Whether the single element of input is non-zero (torch.is_nonzero)."""
    _tensor_arg(input, "is_nonzero")
    return input.is_nonzero()


def is_same_size(input: Tensor, other: Tensor) -> bool:
    """Whether the two tensors have the same shape (torch.is_same_size)."""
    _tensor_arg(input, "is_same_size")
    return input.is_same_size(other)


def is_signed(input: Tensor) -> bool:
    """Whether input's dtype is signed (torch.is_signed)."""
    _tensor_arg(input, "is_signed")
    return input.is_signed()


def is_complex(input: Tensor) -> bool:
    """Whether input's dtype is complex; ember has no complex dtypes (torch.is_complex)."""
    _tensor_arg(input, "is_complex")
    return input.is_complex()


def is_conj(input: Tensor) -> bool:
    """Whether input's conjugate bit is set; never in ember (torch.is_conj)."""
    _tensor_arg(input, "is_conj")
    return input.is_conj()


def is_neg(input: Tensor) -> bool:
    """Whether input's negative bit is set; never in ember (torch.is_neg)."""
    _tensor_arg(input, "is_neg")
    return input.is_neg()


# ----------------------------------------------------------------------------- NumPy protocol
def _np_reshape(a: Any, shape: Any = None, order: str = "C", *, newshape: Any = None,
                copy: Any = None) -> Tensor:
    return reshape(a, newshape if shape is None else shape)


def _np_transpose(a: Any, axes: Any = None) -> Tensor:
    n = a.ndim
    return permute(a, tuple(range(n))[::-1] if axes is None else tuple(axes))


def _np_expand_dims(a: Any, axis: Any) -> Tensor:
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    nd = a.ndim + len(axes)
    axes = sorted(wrap_dim(int(d), nd, "expand_dims") for d in axes)
    shape = list(a.shape)
    for d in axes:
        shape.insert(d, 1)
    return _view_of(View.apply(a, tuple(shape), "UnsqueezeBackward0"), a)


def _np_concatenate(arrays: Any, axis: int = 0, out: Any = None, **kw: Any) -> Tensor:
    arrays = list(arrays)
    if axis is None:
        return cat([reshape(_as_t(x), (-1,)) for x in arrays], 0)
    return cat(arrays, axis)


def _as_t(x: Any) -> Tensor:
    if isinstance(x, Tensor):
        return x
    return _make(np.asarray(x))


def _np_split(ary: Any, indices_or_sections: Any, axis: int = 0) -> list:
    d = wrap_dim(axis, ary.ndim, "split")
    s = indices_or_sections
    if isinstance(s, (int, np.integer)):
        if ary.shape[d] % s:
            raise ValueError("array split does not result in an equal division")
        idx = list(range(ary.shape[d] // s, ary.shape[d], ary.shape[d] // s)) if s > 1 else []
    else:
        idx = [int(i) for i in s]
    return list(_view_of(Split.apply(ary, idx, d), ary))


def _np_flip(m: Any, axis: Any = None) -> Tensor:
    return flip(m, tuple(range(m.ndim)) if axis is None else axis)


def _np_roll(a: Any, shift: Any, axis: Any = None) -> Tensor:
    return roll(a, shift, axis)


def _np_diagonal(a: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Tensor:
    return diagonal(a, offset, axis1, axis2)


def _np_repeat(a: Any, repeats: Any, axis: Any = None) -> Tensor:
    if isinstance(repeats, ndarray):
        repeats = _as_t(repeats)
    return repeat_interleave(a, repeats, axis)


def _np_tile(A: Any, reps: Any) -> Tensor:
    reps = (reps,) if isinstance(reps, (int, np.integer)) else tuple(reps)
    if len(reps) < A.ndim:
        reps = (1,) * (A.ndim - len(reps)) + reps
    return _repeat(A, reps)


def _np_pad(array: Any, pad_width: Any, mode: str = "constant", **kw: Any) -> Tensor:
    if mode != "constant" or kw.get("constant_values", 0) != 0:
        raise TypeError("ember: only zero constant padding runs on Tensors through np.pad")
    return _Pad.apply(array, [tuple(p) for p in pad_width])


proto.register_functions({
    np.reshape: _np_reshape, np.transpose: _np_transpose,
    np.swapaxes: lambda a, axis1, axis2: transpose(a, axis1, axis2),
    np.moveaxis: lambda a, source, destination: movedim(a, source, destination),
    np.broadcast_to: lambda array, shape, subok=False: broadcast_to(array, shape),
    np.expand_dims: _np_expand_dims,
    np.squeeze: lambda a, axis=None: squeeze(a, axis),
    np.concatenate: _np_concatenate,
    np.stack: lambda arrays, axis=0, out=None, **kw: stack(list(arrays), axis),
    np.split: _np_split, np.flip: _np_flip, np.roll: _np_roll,
    np.tril: lambda m, k=0: tril(m, k), np.triu: lambda m, k=0: triu(m, k),
    np.diagonal: _np_diagonal, np.repeat: _np_repeat, np.tile: _np_tile,
    np.ravel: lambda a, order="C": ravel(a), np.pad: _np_pad,
})


attach({
    "view": _view, "view_as": lambda self, other: _view(self, other.shape),
    "reshape": _reshape, "reshape_as": lambda self, other: reshape(self, other.shape),
    "squeeze": squeeze, "unsqueeze": unsqueeze, "flatten": flatten, "unflatten": unflatten,
    "ravel": ravel, "transpose": transpose, "swapaxes": swapaxes, "swapdims": swapdims,
    "t": t, "permute": _permute, "movedim": movedim, "moveaxis": moveaxis,
    "T": property(_T), "mT": property(_mT), "mH": property(_mT),
    "expand": _expand, "expand_as": lambda self, other: _expand(self, other.shape),
    "broadcast_to": broadcast_to, "repeat": _repeat, "tile": _tile,
    "repeat_interleave": repeat_interleave, "split": _split_method, "chunk": chunk,
    "tensor_split": tensor_split, "unbind": unbind, "narrow": narrow, "flip": _flip,
    "fliplr": fliplr, "flipud": flipud, "roll": roll, "tril": tril, "triu": triu,
    "diag": diag, "diagonal": diagonal, "diag_embed": diag_embed, "clone": clone,
    "contiguous": _contiguous, "diff": diff, "rot90": rot90, "kron": kron, "hsplit": hsplit,
    "vsplit": vsplit, "dsplit": dsplit,
    "unfold": _unfold, "sum_to_size": _sum_to_size, "type_as": _type_as,
    "squeeze_": _inplace_view(squeeze, "squeeze_", 3),
    "unsqueeze_": _inplace_view(unsqueeze, "unsqueeze_", 1),
    "transpose_": _inplace_view(transpose, "transpose_", 1),
    "swapaxes_": _inplace_view(transpose, "swapaxes_", 1),
    "swapdims_": _inplace_view(transpose, "swapdims_", 1),
    "t_": _inplace_view(_t_checked, "t_", 1),
    "tril_": inplace(tril, "tril_"), "triu_": inplace(triu, "triu_"),
    "storage_offset": _storage_offset, "resize_": _resize_, "resize_as_": resize_as_,
    "new_empty_strided": _new_empty_strided,
})
