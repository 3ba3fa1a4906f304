"""Linear algebra: matmul in all of torch's cases (and mm, bmm, mv, dot, outer, addmm, ...),
einsum, tensordot, norms, and torch.linalg's solvers and decompositions (NumPy's LAPACK; LU with
partial pivoting, triangular substitution and the Padé matrix exponential written in NumPy).
One BLAS call per product; backward formulas are NumPy products that also run on Tensors
(create_graph) through the NumPy protocol."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from .._backend import from_np
from .._tensor import Tensor, _make
from ..autograd.function import Function
from . import _numpy_protocol as proto
from ._util import attach, broadcast_error, dims, inplace, promote, wrap_dim
from ._util import matmul as matmul_arrays
from .creation import ones_like
from .elementwise import Add, Mul, where
from .reduce import return_type
from .shape import cat

# Set by ember.amp.autocast while CPU float16 autocast is on (else None): the input casts of
# torch's CPU autocast lists, to float16 for the products, to float32 for cdist.
_autocast = None
_autocast32 = None

__all__ = ["matmul", "mm", "bmm", "mv", "dot", "vdot", "inner", "outer", "ger", "addmm",
           "addmv", "baddbmm", "addbmm", "addr", "einsum", "tensordot", "chain_matmul"]


# ----------------------------------------------------------------------------- errors
def _dt(a: np.ndarray) -> str:
    return from_np(a.dtype).name


def _same_dtype(op: str, *arrays: np.ndarray) -> None:
    """torch's products take no mixed dtypes and no bool."""
    d = arrays[0].dtype
    if any(a.dtype != d for a in arrays[1:]):
        raise RuntimeError(
            f"{op}: expected all operands to have the same dtype, but got "
            + ", ".join(_dt(a) for a in arrays) + "; convert them first (e.g. b.to(a.dtype))")
    if d.kind == "b":
        raise NotImplementedError(f"{op}: not implemented for 'Bool' tensors")


def _fmt(shape: tuple) -> str:
    return "x".join(str(s) for s in shape)


def _matmul_error(op: str, a: np.ndarray, b: np.ndarray) -> Exception:
    """The message for operands np.matmul refused: name both shapes and the dims that differ."""
    sa, sb = a.shape, b.shape
    if a.ndim == 0 or b.ndim == 0:
        return RuntimeError(
            f"{op}: both arguments to matmul need to be at least 1D, but they are {a.ndim}D "
            f"and {b.ndim}D (shapes {list(sa)} and {list(sb)})")
    ka = sa[-1]
    kb = sb[0] if b.ndim == 1 else sb[-2]
    if ka != kb:
        ma = (1,) + sa if a.ndim == 1 else sa[-2:]
        mb = sb + (1,) if b.ndim == 1 else sb[-2:]
        return RuntimeError(
            f"{op}: mat1 and mat2 shapes cannot be multiplied ({_fmt(ma)} and {_fmt(mb)}): "
            f"the last dim of input (size {ka}) must equal the "
            f"{'first' if b.ndim == 1 else 'second-to-last'} dim of other (size {kb}) "
            f"(input shape {list(sa)}, other shape {list(sb)})")
    err = broadcast_error(op, np.empty(sa[:-2], bool), np.empty(sb[:-2], bool))
    return RuntimeError(f"{err} in the batch dims of input {list(sa)} and other {list(sb)}")


# ----------------------------------------------------------------------------- matmul
class MatMul(Function):
    """torch.matmul: dot, matrix-vector, vector-matrix and batched broadcasting products."""

    _raw = True
    _name = "MmBackward0"

    nd = (2, 2)   # the operands' ndims, set on ctx when they differ

    @staticmethod
    def forward(ctx: Any, a: Any, b: Any) -> Any:
        if (a.dtype is not b.dtype and a.dtype != b.dtype) or a.dtype.kind == "b":
            _same_dtype("matmul", a, b)
        try:
            y = matmul_arrays(a, b)
        except ValueError:
            raise _matmul_error("matmul", a, b) from None
        need = ctx.needs_input_grad
        ctx.save_for_backward(a if need[1] else None, b if need[0] else None)
        if a.ndim != 2 or b.ndim != 2:
            ctx.nd = (a.ndim, b.ndim)
        return y

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        a, b = ctx.saved_tensors
        na, nb = ctx.nd
        ga = gb = None
        if na == 1 and nb == 1:         # d(a·b) = b, a
            return (g * b if b is not None else None), (g * a if a is not None else None)
        if nb == 1:                     # y[..., n] = A[..., n, k] b[k]
            if b is not None:
                ga = np.reshape(g, g.shape + (1,)) * b
            if a is not None:
                gb = np.matmul(np.reshape(g, (-1,)), np.reshape(a, (-1, a.shape[-1])))
            return ga, gb
        if na == 1:                     # y[..., m] = a[k] B[..., k, m]
            if b is not None:
                ga = np.matmul(b, np.reshape(g, g.shape + (1,)))
                ga = np.reshape(ga, ga.shape[:-1])
            if a is not None:
                gb = np.reshape(a, (a.shape[0], 1)) * np.reshape(
                    g, g.shape[:-1] + (1, g.shape[-1]))
            return ga, gb
        # dA = G Bᵀ, dB = Aᵀ G (the engine sums broadcast batch dims)
        if b is not None:
            ga = matmul_arrays(g, np.swapaxes(b, -1, -2))
        if a is not None:
            if nb == 2 and na > 2:      # a shared weight: one product over the flattened batch
                gb = matmul_arrays(np.swapaxes(np.reshape(a, (-1, a.shape[-1])), 0, 1),
                                   np.reshape(g, (-1, g.shape[-1])))
            else:
                gb = matmul_arrays(np.swapaxes(a, -1, -2), g)
        return ga, gb


def _tensor(x: Any, op: str, name: str) -> Any:
    if not isinstance(x, Tensor):
        raise TypeError(f"{op}(): argument '{name}' must be Tensor, not {type(x).__name__}")
    return x


def matmul(input: Tensor, other: Tensor, *, out: Any = None) -> Tensor:
    """Matrix product with torch.matmul's 1-D and batch broadcasting rules."""
    if _autocast is not None:
        input, other = _autocast(input, other)
    return MatMul._apply2(_tensor(input, "matmul", "input"), _tensor(other, "matmul", "other"))


def _check_nd(op: str, x: Any, nd: int, name: str) -> None:
    if x.ndim != nd:
        what = {1: "a vector (1-D)", 2: "a matrix (2-D)", 3: "a 3D tensor"}[nd]
        raise RuntimeError(f"{op}: {name} must be {what}, but got a {x.ndim}-D tensor of shape "
                           f"{list(x.shape)}")


def mm(input: Tensor, mat2: Tensor, *, out: Any = None) -> Tensor:
    """2-D matrix product (torch.mm)."""
    _check_nd("mm", input, 2, "self")
    _check_nd("mm", mat2, 2, "mat2")
    if _autocast is not None:
        input, mat2 = _autocast(input, mat2)
    return MatMul.apply(input, mat2)


def bmm(input: Tensor, mat2: Tensor, *, out: Any = None) -> Tensor:
    """Batched product of (b, n, k) and (b, k, m) without broadcasting (torch.bmm)."""
    _check_nd("bmm", input, 3, "batch1")
    _check_nd("bmm", mat2, 3, "batch2")
    if _autocast is not None:
        input, mat2 = _autocast(input, mat2)
    s1, s2 = input.shape, mat2.shape
    if s2[0] != s1[0] or s2[1] != s1[2]:
        raise RuntimeError(
            f"bmm: Expected size for first two dimensions of batch2 tensor to be: "
            f"[{s1[0]}, {s1[2]}] but got: [{s2[0]}, {s2[1]}] (batch1 {list(s1)}, batch2 "
            f"{list(s2)})")
    return MatMul.apply(input, mat2)


def mv(input: Tensor, vec: Tensor, *, out: Any = None) -> Tensor:
    """Matrix-vector product (torch.mv)."""
    _check_nd("mv", input, 2, "self")
    _check_nd("mv", vec, 1, "vec")
    return MatMul.apply(input, vec)


def dot(input: Tensor, tensor: Tensor, *, out: Any = None) -> Tensor:
    """Inner product of two 1-D tensors of equal length and dtype (torch.dot), 0-d."""
    if input.ndim != 1 or tensor.ndim != 1:
        raise RuntimeError(f"dot: 1D tensors expected, but got {input.ndim}D and "
                           f"{tensor.ndim}D tensors (shapes {list(input.shape)} and "
                           f"{list(tensor.shape)})")
    if input._data.dtype != tensor._data.dtype:
        raise RuntimeError(f"dot: expected both vectors to have same dtype, but found "
                           f"{input.dtype} and {tensor.dtype}")
    if input.shape[0] != tensor.shape[0]:
        raise RuntimeError(f"dot: inconsistent tensor size, expected tensors of the same "
                           f"number of elements, but got shapes {list(input.shape)} and "
                           f"{list(tensor.shape)}")
    return MatMul.apply(input, tensor)


vdot = dot


def inner(input: Tensor, other: Tensor, *, out: Any = None) -> Tensor:
    """Sum product over the last dims (torch.inner); scalars multiply."""
    if input.ndim == 0 or other.ndim == 0:
        return Mul.apply(input, other)
    return tensordot(input, other, ([-1], [-1]))


class Outer(Function):
    _raw = True
    _name = "OuterBackward0"

    @staticmethod
    def forward(ctx: Any, a: Any, b: Any) -> Any:
        a, b = promote(a, b)
        ctx.save_for_backward(a if ctx.needs_input_grad[1] else None,
                              b if ctx.needs_input_grad[0] else None)
        return np.multiply.outer(a, b)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        a, b = ctx.saved_tensors
        # d(a bᵀ) = G b, Gᵀ a
        return (np.matmul(g, b) if b is not None else None,
                np.matmul(a, g) if a is not None else None)


def outer(input: Tensor, vec2: Tensor, *, out: Any = None) -> Tensor:
    """Outer product of two 1-D tensors (torch.outer), dtypes promoted."""
    for name, x in (("self", input), ("vec2", vec2)):
        if x.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {x.ndim}-D "
                               f"(shape {list(x.shape)})")
    return Outer.apply(input, vec2)


ger = outer


def _add_scaled(input: Any, prod: Tensor, beta: Any, alpha: Any) -> Tensor:
    """beta * input + alpha * prod; beta == 0 ignores input (nan/inf included), as torch."""
    if alpha != 1:
        prod = Mul.apply(prod, alpha)
    if beta == 0:
        return Add.apply(prod, Mul.apply(input, 0)) if input.requires_grad else \
            Add.apply(prod, np.zeros((), prod._data.dtype))
    return Add.apply(Mul.apply(input, beta) if beta != 1 else input, prod)


def _same(op: str, *ts: Tensor) -> None:
    d = ts[0]._data.dtype
    if any(t._data.dtype != d for t in ts[1:]):
        raise RuntimeError(f"{op}: expected all input tensors to have the same dtype, but got "
                           + ", ".join(str(t.dtype) for t in ts))


def addmm(input: Tensor, mat1: Tensor, mat2: Tensor, *, beta: Any = 1, alpha: Any = 1,
          out: Any = None) -> Tensor:
    """beta * input + alpha * (mat1 @ mat2), input broadcast to (n, m) (torch.addmm)."""
    if _autocast is not None:
        input, mat1, mat2 = _autocast(input, mat1, mat2)
    _same("addmm", input, mat1, mat2)
    return _add_scaled(input, mm(mat1, mat2), beta, alpha)


def addmv(input: Tensor, mat: Tensor, vec: Tensor, *, beta: Any = 1, alpha: Any = 1,
          out: Any = None) -> Tensor:
    """beta * input + alpha * (mat @ vec) (torch.addmv)."""
    _same("addmv", input, mat, vec)
    return _add_scaled(input, mv(mat, vec), beta, alpha)


def baddbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta: Any = 1, alpha: Any = 1,
            out: Any = None) -> Tensor:
    """beta * input + alpha * bmm(batch1, batch2) (torch.baddbmm)."""
    if _autocast is not None:
        input, batch1, batch2 = _autocast(input, batch1, batch2)
    _same("baddbmm", input, batch1, batch2)
    return _add_scaled(input, bmm(batch1, batch2), beta, alpha)


def addbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta: Any = 1, alpha: Any = 1,
           out: Any = None) -> Tensor:
    """beta * input + alpha * sum_b batch1[b] @ batch2[b] (torch.addbmm)."""
    if _autocast is not None:
        input, batch1, batch2 = _autocast(input, batch1, batch2)
    _same("addbmm", input, batch1, batch2)
    bmm(batch1, batch2) if batch1.ndim != 3 or batch2.ndim != 3 else None  # shape checks
    return _add_scaled(input, einsum("bij,bjk->ik", batch1, batch2), beta, alpha)


def addr(input: Tensor, vec1: Tensor, vec2: Tensor, *, beta: Any = 1, alpha: Any = 1,
         out: Any = None) -> Tensor:
    """beta * input + alpha * outer(vec1, vec2) (torch.addr)."""
    return _add_scaled(input, outer(vec1, vec2), beta, alpha)


def chain_matmul(*matrices: Tensor, out: Any = None) -> Tensor:
    """Product of 2-D matrices left to right (torch.chain_matmul)."""
    if not matrices:
        raise RuntimeError("chain_matmul(): Expected one or more matrices")
    r = matrices[0]
    for m in matrices[1:]:
        r = mm(r, m)
    return r


# ----------------------------------------------------------------------------- einsum
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def _parse_einsum(equation: str, shapes: list) -> tuple:
    """Canonical explicit subscripts (no '...', no implicit output) for these operand shapes."""
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    ins = lhs.split(",")
    if len(ins) != len(shapes):
        raise ValueError(f"einsum(): the equation '{equation}' names {len(ins)} operands but "
                         f"{len(shapes)} were given")
    for s in ins + [rhs]:
        bad = [c for c in s.replace("...", "") if c not in _LETTERS]
        if bad:
            raise ValueError(f"einsum(): invalid subscript '{bad[0]}' in equation '{equation}' "
                             "(subscripts must be letters in [a-zA-Z])")
    free = [c for c in _LETTERS if c not in eq]
    ell_nd = 0
    for s, sh in zip(ins, shapes):
        named = len(s.replace("...", ""))
        if ("..." in s and named > len(sh)) or ("..." not in s and named != len(sh)):
            raise RuntimeError(
                f"einsum(): the number of subscripts in the equation ({named}) does not match "
                f"the number of dimensions ({len(sh)}) for an operand of shape {list(sh)}"
                + ("" if "..." in s else " and no ellipsis was given"))
        if "..." in s:
            ell_nd = max(ell_nd, len(sh) - named)
    ell = "".join(free[:ell_nd])
    subs = [s.replace("...", ell[ell_nd - (len(sh) - len(s) + 3):] if ell_nd else "")
            if "..." in s else s for s, sh in zip(ins, shapes)]
    if arrow:
        out = rhs.replace("...", ell)
        if "..." not in rhs and ell_nd and any("..." in s for s in ins):
            out = rhs   # ellipsis dims summed out
    else:
        joined = "".join(s.replace("...", "") for s in ins)
        out = ell + "".join(sorted(c for c in set(joined) if joined.count(c) == 1))
    for c in out:
        if c not in "".join(subs):
            raise RuntimeError(f"einsum(): output subscript {c} does not appear in the "
                               f"equation '{equation}' for any input operand")
        if out.count(c) > 1:
            raise RuntimeError(f"einsum(): output subscript {c} appears more than once in "
                               f"the output of '{equation}'")
    return subs, out


class Einsum(Function):
    """torch.einsum on canonical subscripts; each operand's grad is an einsum of the output
    grad with the other operands (ones for letters summed away, eye for repeated letters)."""

    _raw = True
    _name = "EinsumBackward0"

    @staticmethod
    def forward(ctx: Any, subs: tuple, out: str, *ops: Any) -> Any:
        if len(ops) > 1:
            _same_dtype("einsum", *ops)
        sizes: dict = {}
        for s, a in zip(subs, ops):
            for c, n in zip(s, a.shape):
                m = sizes.get(c, 1)
                if n != m and n != 1 and m != 1:
                    raise RuntimeError(
                        f"einsum(): subscript {c} has size {n} for an operand of shape "
                        f"{list(a.shape)}, which does not broadcast with previously seen size "
                        f"{m} (subscripts {','.join(subs)}->{out})")
                sizes[c] = max(n, m)
        ctx.subs, ctx.out = subs, out
        # per operand, the letters its grad must be broadcast over: summed only within it,
        # or of size 1 everywhere else (einsum broadcasts a ones vector against them)
        ctx.ones = []
        for i, (s, a) in enumerate(zip(subs, ops)):
            elsewhere: dict = {c: sizes[c] for c in out}
            for j, (t, b) in enumerate(zip(subs, ops)):
                if j != i:
                    for c, n in zip(t, b.shape):
                        elsewhere[c] = max(elsewhere.get(c, 1), n)
            ctx.ones.append([(c, n) for c, n in dict(zip(s, a.shape)).items()
                             if n > elsewhere.get(c, 0)])
        ctx.save_for_backward(*ops)
        big = len(ops) > 1 and sum(a.size for a in ops) > 4096
        return np.einsum(",".join(subs) + "->" + out, *ops, optimize=big)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        ops = ctx.saved_tensors
        subs, out = ctx.subs, ctx.out
        grads: list = [None, None]
        for i, s in enumerate(subs):
            if not ctx.needs_input_grad[i + 2]:
                grads.append(None)
                continue
            uniq = "".join(dict.fromkeys(s))
            arrs = [g] + [o for j, o in enumerate(ops) if j != i]
            terms = [out] + [t for j, t in enumerate(subs) if j != i]
            shape = _shape(ops[i])
            for c, n in ctx.ones[i]:
                arrs.append(np.ones(n, _np_dtype(g)))
                terms.append(c)
            gi = np.einsum(",".join(terms) + "->" + uniq, *arrs)
            if len(uniq) < len(s):  # repeated letters: put the grad on the diagonal
                free = [c for c in _LETTERS if c not in "".join(subs) + out]
                target, eyes, eterms = "", [], []
                for k, c in enumerate(s):
                    if c in s[:k]:
                        f = free.pop()
                        target += f
                        eyes.append(np.eye(shape[k], dtype=_np_dtype(g)))
                        eterms.append(c + f)
                    else:
                        target += c
                gi = np.einsum(",".join([uniq] + eterms) + "->" + target, gi, *eyes)
            grads.append(_array(gi))
        return tuple(grads)


def _shape(x: Any) -> tuple:
    return tuple(x.shape)


def _np_dtype(x: Any) -> np.dtype:
    return x._data.dtype if isinstance(x, Tensor) else x.dtype


def einsum(equation: str, *operands: Any) -> Tensor:
    """Einstein summation (torch.einsum): einsum('ij,jk->ik', a, b) or with a list of operands."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if not isinstance(equation, str):
        raise TypeError(f"einsum(): argument 'equation' must be str, not "
                        f"{type(equation).__name__}")
    for i, o in enumerate(operands):
        if not isinstance(o, (Tensor, np.ndarray)):
            raise TypeError(f"einsum(): operand {i} must be a Tensor, not {type(o).__name__}")
    subs, out = _parse_einsum(equation, [tuple(o.shape) for o in operands])
    return Einsum.apply(tuple(subs), out, *operands)


def tensordot(a: Tensor, b: Tensor, dims: Any = 2, out: Any = None) -> Tensor:
    """Sum products over dims of a and b (torch.tensordot): dims an int (the last dims of a
    with the first of b) or a pair of lists."""
    if _autocast is not None:
        a, b = _autocast(a, b)
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, (int, np.integer)):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > min(a.ndim, b.ndim):
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}"
                               f" (shapes {list(a.shape)} and {list(b.shape)})")
        da, db = list(range(a.ndim - dims, a.ndim)), list(range(dims))
    else:
        da, db = ([d] if isinstance(d, int) else list(d) for d in dims)
    if len(da) != len(db):
        raise RuntimeError(f"tensordot: both dimension lists should have same length, got "
                           f"{da} and {db}")
    da = [d % a.ndim if a.ndim else d for d in da]
    db = [d % b.ndim if b.ndim else d for d in db]
    for x, y in zip(da, db):
        if a.shape[x] != b.shape[y]:
            raise RuntimeError(
                f"tensordot: contracted dimensions need to match, but first has size "
                f"{a.shape[x]} in dim {x} and second has size {b.shape[y]} in dim {y} "
                f"(shapes {list(a.shape)} and {list(b.shape)})")
    sa = _LETTERS[:a.ndim]
    sb = list(_LETTERS[a.ndim:a.ndim + b.ndim])
    for x, y in zip(da, db):
        sb[y] = sa[x]
    sb = "".join(sb)
    rest = "".join(c for k, c in enumerate(sa) if k not in da) + \
        "".join(c for k, c in enumerate(sb) if k not in db)
    return Einsum.apply((sa, sb), rest, a, b)


# ----------------------------------------------------------------------------- norms
class VectorNorm(Function):
    """torch.linalg.vector_norm: (sum |x|^p)^(1/p) over axes, with max/min/count for ±inf/0."""

    _raw = True
    _name = "LinalgVectorNormBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any, ord: float, axes: tuple, keepdim: bool) -> Any:
        if ord == 2:
            y = np.sqrt(np.sum(x * x, axis=axes, keepdims=keepdim))
        elif ord == 1:
            y = np.sum(np.abs(x), axis=axes, keepdims=keepdim)
        elif ord == math.inf:
            y = np.max(np.abs(x), axis=axes, keepdims=keepdim, initial=0)
        elif ord == -math.inf:
            y = np.min(np.abs(x), axis=axes, keepdims=keepdim)
        elif ord == 0:
            y = np.sum(x != 0, axis=axes, keepdims=keepdim).astype(x.dtype)
        else:
            y = np.sum(np.abs(x) ** ord, axis=axes, keepdims=keepdim) ** (1.0 / ord)
        y = np.asarray(y, x.dtype)
        ctx.save_for_backward(x, y)
        ctx.ord, ctx.axes = ord, axes
        ctx.kshape = tuple(1 if k in axes else n for k, n in enumerate(x.shape))
        return y

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        x, y = ctx.saved_tensors
        p = ctx.ord
        g = np.reshape(g, ctx.kshape)
        y = np.reshape(y, ctx.kshape)
        if p == 0:
            r = g * 0 * x
        elif p == 1:            # d Σ|x| = sign x
            r = g * np.sign(x)
        elif p == 2:            # d ‖x‖ = x / ‖x‖ (0 where the norm is 0)
            r = g * x / np.where(y == 0, 1, y)
        elif math.isinf(p):     # d max|x| = sign x, split evenly among ties
            hit = np.abs(x) == y
            r = g * np.sign(x) * hit / np.sum(hit, axis=ctx.axes, keepdims=True)
        else:                   # d ‖x‖_p = sign x |x|^(p-1) / ‖x‖^(p-1)
            r = g * np.sign(x) * np.abs(x) ** (p - 1) / np.where(y == 0, 1, y) ** (p - 1)
        return _array(r), None, None, None


def _array(r: Any) -> Any:
    """NumPy gives scalars for 0-d results; a backward must return arrays (or Tensors)."""
    return np.asarray(r) if isinstance(r, np.generic) else r



_TORCH_NAMES = {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char",
                "uint8": "Byte", "bool": "Bool", "float16": "Half"}


def vector_norm(x: Tensor, ord: Any = 2, dim: Any = None, keepdim: bool = False, *,
                dtype: Any = None, out: Any = None) -> Tensor:
    """Vector p-norm over dim (all elements when None) (torch.linalg.vector_norm)."""
    if dtype is not None:
        x = x.to(dtype)
    if x._data.dtype.kind != "f":
        raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {_TORCH_NAMES.get(x.dtype.name, x.dtype.name)}; convert it "
                           f"first, e.g. x.float()")
    if isinstance(ord, str) or not isinstance(ord, (int, float, np.number)):
        raise RuntimeError(f"linalg.vector_norm: ord must be a number, got {ord!r}")
    axes = dims(dim, x.ndim, "linalg.vector_norm") if x.ndim else ()
    if ord < 0 and any(x.shape[a] == 0 for a in axes) or (
            ord == math.inf and x._data.size == 0 and dim is None):
        raise RuntimeError(f"linalg.vector_norm cannot compute the {ord} norm on an empty "
                           f"tensor because the operation does not have an identity "
                           f"(shape {list(x.shape)})")
    return VectorNorm.apply(x, float(ord), axes, bool(keepdim))


def matrix_norm(A: Tensor, ord: Any = "fro", dim: Any = (-2, -1), keepdim: bool = False, *,
                dtype: Any = None, out: Any = None) -> Tensor:
    """Matrix norm over two dims: 'fro', 1, -1, inf, -inf (torch.linalg.matrix_norm)."""
    if A.ndim < 2:
        raise RuntimeError(f"linalg.matrix_norm: The input tensor A must have at least 2 "
                           f"dimensions, but got shape {list(A.shape)}")
    if dtype is not None:
        A = A.to(dtype)
    d0, d1 = (d % A.ndim for d in dim)
    if ord == "fro":
        return vector_norm(A, 2, (d0, d1), keepdim)
    if ord in (1, -1, math.inf, -math.inf):
        if ord in (math.inf, -math.inf):   # max/min over rows of the row sums
            d0, d1 = d1, d0
        first = vector_norm(A, 1, d0, keepdim)
        d1 = d1 if keepdim or d1 < d0 else d1 - 1
        return vector_norm(first, math.inf if ord > 0 else -math.inf, d1, keepdim)
    raise RuntimeError(f"linalg.matrix_norm: ord {ord!r} is not supported by ember yet "
                       "(supported: 'fro', 1, -1, inf, -inf)")


def linalg_norm(A: Tensor, ord: Any = None, dim: Any = None, keepdim: bool = False, *,
         out: Any = None, dtype: Any = None) -> Tensor:
    """torch.linalg.norm: a vector norm for 1-D input or an int dim, a matrix norm for 2-D
    input with ord or a pair of dims; the 2-norm of everything when both are None."""
    if isinstance(dim, (int, np.integer)):
        dim = (int(dim),)
    if ord is None:
        return vector_norm(A, 2, dim, keepdim, dtype=dtype)
    if dim is None:
        if A.ndim not in (1, 2):
            raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input "
                               f"must be 1D or 2D. Got {A.ndim}D (shape {list(A.shape)})")
        dim = tuple(range(A.ndim))
    if len(dim) == 2:
        return matrix_norm(A, ord, dim, keepdim, dtype=dtype)
    return vector_norm(A, ord, dim, keepdim, dtype=dtype)


def _tensor_norm(input: Tensor, p: Any = "fro", dim: Any = None, keepdim: bool = False,
                 dtype: Any = None) -> Tensor:
    """torch.norm / Tensor.norm (the legacy form): 'fro' or a p-norm over dim (or all)."""
    if p == "fro" or p is None:
        return vector_norm(input, 2, dim, keepdim, dtype=dtype)
    if isinstance(p, str):
        return matrix_norm(input, p, (-2, -1) if dim is None else dim, keepdim, dtype=dtype)
    return vector_norm(input, p, dim, keepdim, dtype=dtype)


# ----------------------------------------------------------------------------- registration
def _rmatmul(self: Tensor, other: Any) -> Any:
    if not isinstance(other, (Tensor, np.ndarray)):
        return NotImplemented
    if _autocast is not None:
        other, self = _autocast(other, self)
    return MatMul._apply2(other, self)


def _matmul_op(self: Tensor, other: Any) -> Any:
    if not isinstance(other, (Tensor, np.ndarray)):
        return NotImplemented
    if _autocast is not None:
        self, other = _autocast(self, other)
    return MatMul._apply2(self, other)


def _np_dot(a: Any, b: Any, out: Any = None) -> Tensor:
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return Mul.apply(a, b)
    if np.ndim(a) > 2 or np.ndim(b) > 2:
        raise TypeError("ember: np.dot of N-D Tensors is not supported; use np.matmul")
    return MatMul.apply(a, b)


def _np_einsum(subscripts: str, *operands: Any, out: Any = None, optimize: Any = False,
               **kwargs: Any) -> Tensor:
    return einsum(subscripts, *operands)


def _np_outer(a: Any, b: Any, out: Any = None) -> Tensor:
    return Outer.apply(a, b)


attach({
    "matmul": matmul, "mm": mm, "bmm": bmm, "mv": mv, "dot": dot, "vdot": vdot,
    "inner": inner, "outer": outer, "ger": outer, "addmm": addmm, "addmv": addmv,
    "baddbmm": baddbmm, "addbmm": addbmm, "addr": addr, "norm": _tensor_norm,
    "__matmul__": _matmul_op, "__rmatmul__": _rmatmul,
    "addmm_": inplace(addmm, "addmm_"), "addmv_": inplace(addmv, "addmv_"),
    "baddbmm_": inplace(baddbmm, "baddbmm_"), "addbmm_": inplace(addbmm, "addbmm_"),
    "addr_": inplace(addr, "addr_"),
})

proto.register_ufuncs({np.matmul: lambda a, b: MatMul.apply(a, b)})
proto.register_functions({np.dot: _np_dot, np.einsum: _np_einsum, np.outer: _np_outer})

norm = _tensor_norm
__all__ += ["norm"]


def linalg_exports() -> dict:
    """Functions that `ember.linalg` exposes."""
    return {"norm": linalg_norm, "vector_norm": vector_norm, "matrix_norm": matrix_norm,
            "matmul": matmul, "vecdot": _vecdot, **_linalg_names}


def _vecdot(x: Tensor, y: Tensor, *, dim: int = -1, out: Any = None) -> Tensor:
    """Dot product along dim, broadcasting (torch.linalg.vecdot)."""
    return einsum("...i,...i->...", x.movedim(dim, -1) if dim != -1 else x,
                  y.movedim(dim, -1) if dim != -1 else y)


# ----------------------------------------------------------------------------- decompositions
class LinAlgError(RuntimeError):
    """torch.linalg.LinAlgError: the matrix is singular or not positive-definite."""


_slogdet_rt = return_type("slogdet", ("sign", "logabsdet"))
_linalg_slogdet_rt = return_type("linalg_slogdet", ("sign", "logabsdet"))
_qr_rt = return_type("linalg_qr", ("Q", "R"))
_svd_rt = return_type("linalg_svd", ("U", "S", "Vh"))
_eigh_rt = return_type("linalg_eigh", ("eigenvalues", "eigenvectors"))


def _mT(x: Any) -> Any:
    return np.swapaxes(x, -1, -2)


def _float_input(op: str, *ts: Tensor) -> None:
    """torch's linalg takes float32/float64 only."""
    for t in ts:
        d = t._data.dtype
        if d.kind != "f":
            raise RuntimeError(f"{op}: Expected a floating point or complex tensor as input. "
                               f"Got {_TORCH_NAMES.get(d.name, d.name)}; convert it first, "
                               "e.g. A.double()")
        if d == np.float16:
            raise RuntimeError(f"{op}: Low precision dtypes not supported. Got Half")


def _matrices(op: str, A: Any, square: bool = True, name: str = "A") -> None:
    """A must be a Tensor of (batches of) matrices, square unless told otherwise."""
    _tensor(A, op, name)
    if A.ndim < 2:
        raise RuntimeError(f"{op}: The input tensor {name} must have at least 2 dimensions "
                           f"(got shape {list(A.shape)}).")
    if square and A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"{op}: {name} must be batches of square matrices, but they are "
                           f"{A.shape[-2]} by {A.shape[-1]} matrices")


def _first_failing(A: np.ndarray, fn: Any) -> tuple:
    """(batch index, matrix) of the first matrix of A on which fn raises NumPy's LinAlgError."""
    flat = A.reshape((-1,) + A.shape[-2:])
    for i, m in enumerate(flat):
        try:
            fn(m)
        except np.linalg.LinAlgError:
            return i, m
    return 0, flat[0]


def _batch(A: np.ndarray, i: int) -> str:
    return f"(Batch element {i}): " if A.ndim > 2 else ""


class Inv(Function):
    """torch.linalg.inv; d inv(A) = -A⁻ᵀ G A⁻ᵀ."""

    _raw = True
    _name = "LinalgInvExBackward0"

    @staticmethod
    def forward(ctx: Any, A: Any) -> Any:
        try:
            y = np.linalg.inv(A)
        except np.linalg.LinAlgError:
            i, _ = _first_failing(A, np.linalg.inv)
            raise LinAlgError(f"linalg.inv: {_batch(A, i)}The input matrix is singular, the "
                              "inversion could not be completed.") from None
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        yt = _mT(ctx.saved_tensors[0])
        return -np.matmul(np.matmul(yt, g), yt)


def _expand2(x: Any) -> Any:
    """(...,) -> (..., 1, 1), for arrays and Tensors."""
    return np.reshape(x, tuple(x.shape) + (1, 1))


def _det_grad(A: Any) -> Any:
    """d det(A) / dA = adj(A)ᵀ, through the SVD so that singular A works too: for A = U S Vh,
    adj(A)ᵀ = det(U) det(Vh) U diag(prod_{j≠i} s_j) Vh. Tensors (create_graph) use det·A⁻ᵀ."""
    if isinstance(A, Tensor):
        return _expand2(np.linalg.det(A)) * _mT(np.linalg.inv(A))
    n = A.shape[-1]
    if n == 0:
        return np.zeros_like(A)
    U, s, Vh = np.linalg.svd(A)
    ones = np.ones(s.shape[:-1] + (1,), s.dtype)
    left = np.cumprod(np.concatenate([ones, s[..., :-1]], -1), -1)
    right = np.cumprod(np.concatenate([ones, s[..., :0:-1]], -1), -1)[..., ::-1]
    c = np.linalg.det(U) * np.linalg.det(Vh)
    return _expand2(c) * np.matmul(U * (left * right)[..., None, :], Vh)


class Det(Function):
    """torch.linalg.det; d det(A) = det(A) A⁻ᵀ (the adjugate for singular A)."""

    _raw = True
    _name = "LinalgDetBackward0"

    @staticmethod
    def forward(ctx: Any, A: Any) -> Any:
        ctx.save_for_backward(A)
        return np.asarray(np.linalg.det(A), A.dtype)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        return _expand2(g) * _det_grad(ctx.saved_tensors[0])


class Slogdet(Function):
    """torch.linalg.slogdet: (sign, log|det|); d log|det A| = A⁻ᵀ, the sign has no gradient."""

    _raw = True
    _name = "LinalgSlogdetBackward0"

    @staticmethod
    def forward(ctx: Any, A: Any) -> Any:
        ctx.save_for_backward(A)
        sign, la = np.linalg.slogdet(A)
        return np.asarray(sign, A.dtype), np.asarray(la, A.dtype)

    @staticmethod
    def backward(ctx: Any, g_sign: Any, g: Any) -> Any:
        return _expand2(g) * _mT(np.linalg.inv(ctx.saved_tensors[0]))


class Logdet(Function):
    """torch.logdet: log det A (nan for a negative determinant); d = A⁻ᵀ."""

    _raw = True
    _name = "LogdetBackward0"

    @staticmethod
    def forward(ctx: Any, A: Any) -> Any:
        ctx.save_for_backward(A)
        sign, la = np.linalg.slogdet(A)
        return np.asarray(np.where(sign < 0, np.nan, la), A.dtype)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        return _expand2(g) * _mT(np.linalg.inv(ctx.saved_tensors[0]))


def inv(A: Tensor, *, out: Any = None) -> Tensor:
    """Inverse of (batches of) square matrices (torch.linalg.inv); LinAlgError if singular."""
    _matrices("linalg.inv", A)
    _float_input("linalg.inv", A)
    return Inv.apply(A)


def det(A: Tensor, *, out: Any = None) -> Tensor:
    """Determinant of (batches of) square matrices (torch.linalg.det)."""
    _matrices("linalg.det", A)
    _float_input("linalg.det", A)
    return Det.apply(A)


def _linalg_slogdet(A: Tensor, *, out: Any = None) -> tuple:
    """(sign, logabsdet) of the determinant (torch.linalg.slogdet)."""
    _matrices("linalg.slogdet", A)
    _float_input("linalg.slogdet", A)
    return _linalg_slogdet_rt(*Slogdet.apply(A))


def slogdet(input: Tensor) -> tuple:
    """(sign, logabsdet) of the determinant (torch.slogdet)."""
    _matrices("linalg.slogdet", input)
    _float_input("linalg.slogdet", input)
    return _slogdet_rt(*Slogdet.apply(input))


def logdet(input: Tensor) -> Tensor:
    """log det of (batches of) square matrices, nan where det < 0 (torch.logdet)."""
    _matrices("logdet", input)
    _float_input("logdet", input)
    return Logdet.apply(input)


def inverse(input: Tensor, *, out: Any = None) -> Tensor:
    """torch.inverse: linalg.inv."""
    return inv(input)


class Solve(Function):
    """torch.linalg.solve: X with A X = B; dB = A⁻ᵀ G, dA = -dB Xᵀ (batch broadcasting is
    summed away by the engine)."""

    _raw = True
    _name = "LinalgSolveExBackward0"

    @staticmethod
    def forward(ctx: Any, A: Any, B: Any, vector: bool) -> Any:
        B2 = B[..., None] if vector else B
        try:
            X = np.linalg.solve(A, B2)
        except np.linalg.LinAlgError:
            i, _ = _first_failing(A, np.linalg.inv)
            raise LinAlgError(f"linalg.solve: {_batch(A, i)}The solver failed because the "
                              "input matrix is singular.") from None
        ctx.vector = vector
        X = X[..., 0] if vector else X
        ctx.save_for_backward(A, X)
        return X

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        A, X = ctx.saved_tensors
        if ctx.vector:
            g = np.reshape(g, tuple(g.shape) + (1,))
            X = np.reshape(X, tuple(X.shape) + (1,))
        gB = np.linalg.solve(_mT(A), g)
        gA = -np.matmul(gB, _mT(X))
        if ctx.vector:
            gB = np.reshape(gB, tuple(gB.shape)[:-1])
        return gA, gB, None


def _solve_check(A: Tensor, B: Tensor, left: bool) -> bool:
    """linalg.solve's argument checks; True when B is a (batch of) vector(s)."""
    _matrices("linalg.solve", A)
    _tensor(B, "linalg.solve", "B")
    _float_input("linalg.solve", A)
    if A._data.dtype != B._data.dtype:
        raise RuntimeError(f"linalg.solve: Expected A and B to have the same dtype, but found "
                           f"A of type {A.dtype} and B of type {B.dtype} instead")
    vector = B.ndim == 1 or (B.ndim == A.ndim - 1 and tuple(B.shape) == tuple(A.shape[:-1]))
    if not left:
        if vector or B.ndim < 2 or B.shape[-1] != A.shape[-1]:
            sb = list(B.shape) + ([1] if vector else [])
            raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation "
                               f"XA = B ({_fmt(A.shape[-2:])} and {_fmt(sb[-2:])})")
        return False
    rows = B.shape[-1] if vector else (B.shape[-2] if B.ndim >= 2 else None)
    if rows != A.shape[-1]:
        sb = (B.shape[-1], 1) if vector or B.ndim < 2 else B.shape[-2:]
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation "
                           f"AX = B ({_fmt(A.shape[-2:])} and {_fmt(sb)})")
    try:
        np.broadcast_shapes(A.shape[:-2], B.shape[:-1] if vector else B.shape[:-2])
    except ValueError:
        raise broadcast_error("linalg.solve", np.empty(A.shape[:-2]),
                              np.empty(B.shape[:-1] if vector else B.shape[:-2])) from None
    return vector


def solve(A: Tensor, B: Tensor, *, left: bool = True, out: Any = None) -> Tensor:
    """X with A X = B (or X A = B when left=False), batches broadcast; B is a batch of vectors
    when it is 1-D or A's shape without the last dim (torch.linalg.solve)."""
    vector = _solve_check(A, B, left)
    if not left:
        return solve(A.mT, B.mT).mT
    return Solve.apply(A, B, vector)


class Cholesky(Function):
    """torch.linalg.cholesky; backward as torch's (Murray 2016):
    gA = L⁻ᵀ Φ L⁻¹ with P = tril(Lᵀ gL), Φ = (P + tril(P, -1)ᵀ) / 2."""

    _raw = True
    _name = "LinalgCholeskyExBackward0"

    @staticmethod
    def forward(ctx: Any, A: Any, upper: bool) -> Any:
        try:
            L = np.linalg.cholesky(A)
        except np.linalg.LinAlgError:
            i, m = _first_failing(A, np.linalg.cholesky)
            k = next(k for k in range(1, m.shape[0] + 1) if _fails(np.linalg.cholesky, m[:k, :k]))
            raise LinAlgError(
                f"linalg.cholesky: {_batch(A, i)}The factorization could not be completed "
                f"because the input is not positive-definite (the leading minor of order {k} "
                "is not positive-definite).") from None
        ctx.upper = upper
        L = np.ascontiguousarray(_mT(L)) if upper else L
        ctx.save_for_backward(L)
        return L

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        L = ctx.saved_tensors[0]
        if ctx.upper:
            L, g = _mT(L), _mT(g)
        P = np.tril(np.matmul(_mT(L), g))
        P = 0.5 * (P + _mT(np.tril(P, -1)))
        Linv = np.linalg.inv(L)
        return np.matmul(np.matmul(_mT(Linv), P), Linv), None


def _fails(fn: Any, m: np.ndarray) -> bool:
    try:
        fn(m)
    except np.linalg.LinAlgError:
        return True
    return False


def cholesky(A: Tensor, *, upper: bool = False, out: Any = None) -> Tensor:
    """Cholesky factor L (A = L Lᵀ) of symmetric positive-definite matrices, from the lower
    triangle; Lᵀ when upper=True (torch.linalg.cholesky). LinAlgError if not positive-definite."""
    _matrices("linalg.cholesky", A)
    _float_input("linalg.cholesky", A)
    return Cholesky.apply(A, bool(upper))


class QR(Function):
    """torch.linalg.qr; backward as torch's linalg_qr_backward (reduced, or m <= n)."""

    _raw = True
    _name = "LinalgQrBackward0"

    @staticmethod
    def forward(ctx: Any, A: Any, mode: str) -> Any:
        ctx.mode = mode
        if mode == "r":
            return np.empty((0,), A.dtype), np.linalg.qr(A, mode="r")
        Q, R = np.linalg.qr(A, mode=mode)
        ctx.save_for_backward(Q, R)
        return Q, R

    @staticmethod
    def backward(ctx: Any, gQ: Any, gR: Any) -> Any:
        if ctx.mode == "r":
            raise RuntimeError(
                "linalg.qr: The derivative of linalg.qr depends on Q, which is not computed "
                "when mode='r'. Please use linalg.qr(A, mode='reduced') if you are going to "
                "differentiate through linalg.qr.")
        Q, R = ctx.saved_tensors
        m, n = Q.shape[-2], R.shape[-1]
        if ctx.mode == "complete" and m > n:
            raise RuntimeError("linalg.qr: The QR decomposition is not differentiable when "
                               "mode='complete' and nrows > ncols.")
        if m >= n:
            return _qr_square_grad(Q, R, gQ, gR), None
        # A = Q [X | Y] with X square: Y = Qᵀ A₂ feeds Q's gradient, A₂'s is Q gY
        X, gX, gY = R[..., :m], gR[..., :m], gR[..., m:]
        A2 = np.matmul(Q, R[..., m:])
        g1 = _qr_square_grad(Q, X, gQ + np.matmul(A2, _mT(gY)), gX)
        return np.concatenate([g1, np.matmul(Q, gY)], -1), None


def _qr_square_grad(Q: Any, R: Any, gQ: Any, gR: Any) -> Any:
    """gA = (gQ + Q copyltu(M)) R⁻ᵀ, M = R gRᵀ - gQᵀ Q, for m >= n (torch's formula)."""
    M = np.matmul(R, _mT(gR)) - np.matmul(_mT(gQ), Q)
    gA = np.matmul(Q, np.tril(M) + _mT(np.tril(M, -1))) + gQ
    return _mT(np.linalg.solve(R, _mT(gA)))   # gA R⁻ᵀ


def _linalg_qr(A: Tensor, mode: str = "reduced", *, out: Any = None) -> tuple:
    """QR decomposition A = Q R (torch.linalg.qr); mode 'reduced', 'complete' or 'r' (Q
    empty)."""
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of "
                           "'reduced' (default), 'r', or 'complete'")
    _matrices("linalg.qr", A, square=False)
    _float_input("linalg.qr", A)
    return _qr_rt(*QR.apply(A, mode))


class SVD(Function):
    """torch.linalg.svd; backward as torch's svd_backward (the columns past min(m, n) of a
    full U or Vh get no gradient, as in torch)."""

    _raw = True
    _name = "LinalgSvdBackward0"

    @staticmethod
    def forward(ctx: Any, A: Any, full_matrices: bool) -> Any:
        U, S, Vh = np.linalg.svd(A, full_matrices=full_matrices)
        ctx.save_for_backward(U, S, Vh)
        return U, S, Vh

    @staticmethod
    def backward(ctx: Any, gU: Any, gS: Any, gVh: Any) -> Any:
        U, S, Vh = ctx.saved_tensors
        k = S.shape[-1]
        U, Vh, gU, gVh = U[..., :k], Vh[..., :k, :], gU[..., :k], gVh[..., :k, :]
        m, n = U.shape[-2], Vh.shape[-1]
        eye = np.eye(k, dtype=_np_dtype(S))
        S2 = S * S
        E = S2[..., None, :] - S2[..., :, None] + eye
        UhgU = np.matmul(_mT(U), gU)
        VhgV = np.matmul(Vh, _mT(gVh))
        UhgU = UhgU - _mT(UhgU)
        VhgV = VhgV - _mT(VhgV)
        gA = (UhgU * S[..., None, :] + S[..., :, None] * VhgV) / E * (1 - eye) \
            + gS[..., None, :] * eye
        if m > k:    # gA = [U gA + (I - U Uᵀ) gU S⁻¹] Vh
            gUSinv = gU / S[..., None, :]
            gA = np.matmul(U, gA) + gUSinv - np.matmul(U, np.matmul(_mT(U), gUSinv))
            return np.matmul(gA, Vh), None
        if n > k:    # gA = U [gA Vh + S⁻¹ gVh (I - V Vh)]
            SinvgVh = gVh / S[..., :, None]
            gA = np.matmul(gA, Vh) + SinvgVh - np.matmul(np.matmul(SinvgVh, _mT(Vh)), Vh)
            return np.matmul(U, gA), None
        return np.matmul(U, np.matmul(gA, Vh)), None


def _linalg_svd(A: Tensor, full_matrices: bool = True, *, driver: Any = None,
                out: Any = None) -> tuple:
    """Singular value decomposition A = U diag(S) Vh, S descending (torch.linalg.svd)."""
    _matrices("linalg.svd", A, square=False)
    _float_input("linalg.svd", A)
    return _svd_rt(*SVD.apply(A, bool(full_matrices)))


def svdvals(A: Tensor, *, driver: Any = None, out: Any = None) -> Tensor:
    """Singular values, descending (torch.linalg.svdvals)."""
    _matrices("linalg.svdvals", A, square=False)
    _float_input("linalg.svdvals", A)
    return SVD.apply(A, False)[1]


class Eigh(Function):
    """torch.linalg.eigh; gA = V (diag(gL) + skew(Vᵀ gV) / E) Vᵀ, E_ij = λ_j - λ_i,
    skew(X) = (X - Xᵀ) / 2 (torch's)."""

    _raw = True
    _name = "LinalgEighBackward0"

    @staticmethod
    def forward(ctx: Any, A: Any, UPLO: str) -> Any:
        L, V = np.linalg.eigh(A, UPLO)
        ctx.save_for_backward(L, V)
        return L, V

    @staticmethod
    def backward(ctx: Any, gL: Any, gV: Any) -> Any:
        L, V = ctx.saved_tensors
        eye = np.eye(L.shape[-1], dtype=_np_dtype(L))
        E = L[..., None, :] - L[..., :, None] + eye
        VhgV = np.matmul(_mT(V), gV)
        ret = 0.5 * (VhgV - _mT(VhgV)) / E * (1 - eye) + gL[..., None, :] * eye
        return np.matmul(V, np.matmul(ret, _mT(V))), None


def _uplo(UPLO: str) -> str:
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    return UPLO


def _eigh_input(op: str, A: Any) -> None:
    _matrices(op, A)
    if A._data.dtype.kind != "f":   # torch's dispatch error, a NotImplementedError
        raise NotImplementedError(f"\"{op}\" not implemented for "
                                  f"'{_TORCH_NAMES.get(A.dtype.name, A.dtype.name)}'; "
                                  "convert it first, e.g. A.double()")
    _float_input(op, A)


def eigh(A: Tensor, UPLO: str = "L", *, out: Any = None) -> tuple:
    """Eigenvalues (ascending) and eigenvectors of symmetric matrices, from the UPLO triangle
    (torch.linalg.eigh)."""
    _eigh_input("linalg.eigh", A)
    return _eigh_rt(*Eigh.apply(A, _uplo(UPLO)))


def eigvalsh(A: Tensor, UPLO: str = "L", *, out: Any = None) -> Tensor:
    """Eigenvalues (ascending) of symmetric matrices (torch.linalg.eigvalsh)."""
    _eigh_input("linalg.eigvalsh", A)
    return Eigh.apply(A, _uplo(UPLO))[0]


def _tolerance(A: np.ndarray, smax: np.ndarray, atol: Any, rtol: Any) -> np.ndarray:
    """max(atol, rtol * σ_max), with torch's defaults: rtol = eps * max(m, n) unless atol > 0
    is given alone."""
    default = np.finfo(A.dtype).eps * max(A.shape[-2:])
    if rtol is None:
        rtol = default if atol is None else np.where(np.asarray(atol) > 0, 0.0, default)
    return np.maximum(0.0 if atol is None else atol, rtol * smax)


def _spectrum(A: np.ndarray, hermitian: bool) -> tuple:
    """Singular values (|eigenvalues| when hermitian) and their maximum per matrix."""
    s = np.abs(np.linalg.eigvalsh(A)) if hermitian else np.linalg.svd(A, compute_uv=False)
    smax = np.max(s, axis=-1, initial=0.0) if s.shape[-1] else np.zeros(s.shape[:-1], A.dtype)
    return s, smax


class Pinv(Function):
    """torch.linalg.pinv through the SVD (eigh when hermitian); backward is torch's
    pinv_backward, written in A and pinv(A) alone."""

    _raw = True
    _name = "LinalgPinvBackward0"

    @staticmethod
    def forward(ctx: Any, A: Any, atol: Any, rtol: Any, hermitian: bool) -> Any:
        if hermitian:
            L, V = np.linalg.eigh(A)
            _, smax = _spectrum(A, True)
            tol = _tolerance(A, smax, atol, rtol)[..., None]
            inv_l = np.where(np.abs(L) > tol, 1 / np.where(L == 0, 1, L), 0)
            P = np.matmul(V * inv_l[..., None, :], _mT(V))
        else:
            U, S, Vh = np.linalg.svd(A, full_matrices=False)
            smax = S[..., 0] if S.shape[-1] else np.zeros(S.shape[:-1], A.dtype)
            tol = _tolerance(A, smax, atol, rtol)[..., None]
            inv_s = np.where(S > tol, 1 / np.where(S == 0, 1, S), 0)
            P = np.matmul(_mT(Vh) * inv_s[..., None, :], _mT(U))
        P = np.asarray(P, A.dtype)
        ctx.save_for_backward(A, P)
        return P

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        A, P = ctx.saved_tensors
        Ph, gh = _mT(P), _mT(g)
        if A.shape[-2] <= A.shape[-1]:
            K = np.matmul(gh, P)
            KPh = np.matmul(K, Ph)
            gA = (-_mT(np.matmul(P, K)) + KPh - np.matmul(np.matmul(A, P), KPh)
                  + np.matmul(np.matmul(Ph, P), gh - np.matmul(K, A)))
        else:
            K = np.matmul(P, gh)
            PhK = np.matmul(Ph, K)
            gA = (-_mT(np.matmul(K, P)) + np.matmul(np.matmul(gh - np.matmul(A, K), P), Ph)
                  + PhK - np.matmul(np.matmul(PhK, P), A))
        return gA, None, None, None


def _pinv_input(op: str, A: Any) -> None:
    _tensor(A, op, "A")
    if A.ndim < 2 or A._data.dtype.kind != "f" or A._data.dtype == np.float16:
        raise RuntimeError(
            f"{op}({_TORCH_NAMES.get(A.dtype.name, A.dtype.name).capitalize()}"
            f"{list(A.shape)}): expected a tensor with 2 or more dimensions of float, double, "
            "cfloat or cdouble types")


def pinv(A: Tensor, *, atol: Any = None, rtol: Any = None, hermitian: bool = False,
         out: Any = None) -> Tensor:
    """Moore-Penrose pseudo-inverse, singular values below max(atol, rtol·σ₁) dropped
    (torch.linalg.pinv)."""
    _pinv_input("linalg.pinv", A)
    return Pinv.apply(A, atol, rtol, bool(hermitian))


def pinverse(input: Tensor, rcond: float = 1e-15) -> Tensor:
    """torch.pinverse: linalg.pinv with rtol=rcond."""
    _pinv_input("linalg.pinv", input)
    return Pinv.apply(input, 0.0, rcond, False)


def matrix_rank(A: Tensor, *, atol: Any = None, rtol: Any = None, hermitian: bool = False,
                out: Any = None) -> Tensor:
    """Number of singular values (|eigenvalues| when hermitian) above max(atol, rtol·σ₁), as
    int64 (torch.linalg.matrix_rank)."""
    _matrices("linalg.matrix_rank", A, square=hermitian)
    _float_input("linalg.matrix_rank", A)
    a = A._data
    atol = atol._data if isinstance(atol, Tensor) else atol
    rtol = rtol._data if isinstance(rtol, Tensor) else rtol
    s, smax = _spectrum(a, hermitian)
    tol = _tolerance(a, smax, atol, rtol)[..., None]
    return _make(np.asarray(np.sum(s > tol, axis=-1), np.int64))


class _EyeLike(Function):
    """matrix_power(A, 0): identities shaped like A, with a zero gradient (torch's copy)."""

    _raw = True
    _name = "CopyBackwards"

    @staticmethod
    def forward(ctx: Any, A: Any) -> Any:
        return np.broadcast_to(np.eye(A.shape[-1], dtype=A.dtype), A.shape).copy()

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        return g * 0


def matrix_power(A: Tensor, n: int, *, out: Any = None) -> Tensor:
    """A to the integer power n by repeated squaring; negative n inverts first
    (torch.linalg.matrix_power)."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"linalg_matrix_power(): argument 'n' (position 2) must be int, not "
                        f"{type(n).__name__}")
    _matrices("linalg.matrix_power", A)
    if n == 0:
        return _EyeLike.apply(A)
    if n == 1:
        return A.clone()
    if n < 0:
        A, n = inv(A), -n
    result = None
    while True:   # binary powering: result *= A for each set bit of n
        if n & 1:
            result = A if result is None else matmul(result, A)
        n >>= 1
        if not n:
            break
        A = matmul(A, A)
    return result


def multi_dot(tensors: Any, *, out: Any = None) -> Tensor:
    """Product of a chain of matrices, the first and last may be vectors
    (torch.linalg.multi_dot)."""
    ts = list(tensors)
    if len(ts) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(ts)}")
    for i, t in enumerate(ts):
        _tensor(t, "multi_dot", f"tensors[{i}]")
        edge = "the first tensor" if i == 0 else "the last tensor" if i == len(ts) - 1 else None
        if edge and t.ndim not in (1, 2):
            raise RuntimeError(f"multi_dot(): {edge} must be 1D or 2D but got {t.ndim}D")
        if not edge and t.ndim != 2:
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D but got {t.ndim}D")
        if t._data.dtype != ts[0]._data.dtype:
            raise RuntimeError(f"multi_dot(): all tensors must have be the same dtype but "
                               f"tensor 0 is {ts[0].dtype} and tensor {i} {t.dtype}")
    for i in range(len(ts) - 1):
        a, b = ts[i], ts[i + 1]
        if a.shape[-1] != b.shape[0]:
            raise RuntimeError(f"multi_dot(): tensors {i} and {i + 1} with shapes "
                               f"{list(a.shape)} and {list(b.shape)} cannot be multiplied")
    r = ts[0]
    for t in ts[1:]:
        r = matmul(r, t)
    return r


class Cross(Function):
    """Cross product of 3-vectors along dim, broadcasting; d(a×b) = (b×g, g×a)."""

    _raw = True
    _name = "LinalgCrossBackward0"

    @staticmethod
    def forward(ctx: Any, a: Any, b: Any, dim: int) -> Any:
        ctx.dim = dim
        ctx.save_for_backward(a if ctx.needs_input_grad[1] else None,
                              b if ctx.needs_input_grad[0] else None)
        return np.cross(a, b, axis=dim)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        a, b = ctx.saved_tensors
        return (np.cross(b, g, axis=ctx.dim) if b is not None else None,
                np.cross(g, a, axis=ctx.dim) if a is not None else None, None)


def _linalg_cross(input: Tensor, other: Tensor, *, dim: int = -1, out: Any = None) -> Tensor:
    """Cross product of 3-vectors along dim, other dims broadcast (torch.linalg.cross)."""
    _tensor(input, "linalg.cross", "input")
    _tensor(other, "linalg.cross", "other")
    if input.ndim != other.ndim:
        raise RuntimeError(f"linalg.cross: inputs must have the same number of dimensions "
                           f"(shapes {list(input.shape)} and {list(other.shape)}).")
    if input._data.dtype != other._data.dtype:
        raise RuntimeError(f"linalg.cross: expected both inputs to have the same dtype, but "
                           f"got {input.dtype} and {other.dtype}")
    d = wrap_dim(dim, input.ndim, "linalg.cross")
    if input.shape[d] != 3 or other.shape[d] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got "
                           f"{input.shape[d]} and {other.shape[d]}")
    try:
        np.broadcast_shapes(tuple(input.shape), tuple(other.shape))
    except ValueError:
        raise broadcast_error("linalg.cross", input._data, other._data) from None
    return Cross.apply(input, other, d)


def cross(input: Tensor, other: Tensor, dim: Any = None, *, out: Any = None) -> Tensor:
    """torch.cross: linalg.cross along dim; dim=None takes input's first dim of size 3 (with
    torch's deprecation warning)."""
    _tensor(input, "cross", "input")
    if dim is None:
        warnings.warn("Using torch.cross without specifying the dim arg is deprecated. Please "
                      "either pass the dim explicitly or simply use torch.linalg.cross.",
                      UserWarning, stacklevel=2)
        dim = next((k for k, n in enumerate(input.shape) if n == 3), None)
        if dim is None:
            raise RuntimeError(f"no dimension of size 3 in input (shape {list(input.shape)})")
    return _linalg_cross(input, other, dim=dim)


def _linalg_diagonal(A: Tensor, *, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """torch.linalg.diagonal: torch.diagonal with the last two dims as defaults."""
    return A.diagonal(offset, dim1, dim2)


def trace(input: Tensor) -> Tensor:
    """Sum of the main diagonal of a 2-D tensor (torch.trace); ints sum to int64."""
    _tensor(input, "trace", "input")
    if input.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input.ndim} "
                           f"(shape {list(input.shape)})")
    if input._data.dtype.kind == "b":
        raise NotImplementedError("\"trace\" not implemented for 'Bool'")
    return input.diagonal().sum()


def cdist(x1: Tensor, x2: Tensor, p: float = 2.0, compute_mode: Any = None) -> Tensor:
    """p-norm distances between the rows of x1 (..., P, M) and x2 (..., R, M), batch dims
    broadcast, as (..., P, R) (torch.cdist)."""
    if _autocast32 is not None:
        x1, x2 = _autocast32(x1, x2)
    for name, x in (("X1", x1), ("X2", x2)):
        _tensor(x, "cdist", name.lower())
        if x.ndim < 2:
            raise RuntimeError(f"cdist only supports at least 2D tensors, {name} got: "
                               f"{x.ndim}D (shape {list(x.shape)})")
        if x._data.dtype.kind != "f":
            raise RuntimeError(f"cdist only supports floating-point dtypes, {name} got: "
                               f"{_TORCH_NAMES.get(x.dtype.name, x.dtype.name)}")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: "
                           f"{x1.shape[-1]} X2: {x2.shape[-1]}")
    if x1._data.dtype != x2._data.dtype:
        raise RuntimeError(f"cdist: expected both inputs to have the same dtype, but got "
                           f"{x1.dtype} and {x2.dtype}")
    if p < 0:
        raise RuntimeError(f"cdist only supports non-negative p values (got p={p})")
    try:
        np.broadcast_shapes(tuple(x1.shape[:-2]), tuple(x2.shape[:-2]))
    except ValueError:
        raise broadcast_error("cdist", np.empty(x1.shape[:-2]), np.empty(x2.shape[:-2])) \
            from None
    diff = x1.unsqueeze(-2) - x2.unsqueeze(-3)
    return vector_norm(diff, p, -1)


def _np_cross(a: Any, b: Any, axisa: int = -1, axisb: int = -1, axisc: int = -1,
              axis: Any = None) -> Tensor:
    return Cross.apply(a, b, -1 if axis is None else axis)


# linalg backward formulas call these on Tensors under create_graph
proto.register_functions({
    np.linalg.inv: lambda a: Inv.apply(a), np.linalg.det: lambda a: Det.apply(a),
    np.linalg.solve: lambda a, b: Solve.apply(a, b, False), np.cross: _np_cross,
})

attach({
    "det": det, "inverse": inverse, "logdet": logdet, "slogdet": slogdet,
    "pinverse": pinverse, "matrix_power": matrix_power, "trace": trace, "cross": cross,
})

__all__ += ["det", "inverse", "logdet", "slogdet", "pinverse", "matrix_power", "trace", "cross",
            "cdist"]

_linalg_names = {
    "inv": inv, "det": det, "slogdet": _linalg_slogdet, "solve": solve, "cholesky": cholesky,
    "qr": _linalg_qr, "svd": _linalg_svd, "svdvals": svdvals, "eigh": eigh,
    "eigvalsh": eigvalsh, "pinv": pinv, "matrix_power": matrix_power,
    "matrix_rank": matrix_rank, "multi_dot": multi_dot,
    "cross": _linalg_cross, "diagonal": _linalg_diagonal, "LinAlgError": LinAlgError,
}


# ----------------------------------------------------------------------------- triangular, LU
_warned: set = set()
_TORCH_TYPE = {"float32": "Float", "float64": "Double", **_TORCH_NAMES}


def _warn_once(key: str, msg: str) -> None:
    """torch's TORCH_WARN_ONCE deprecation notes of the legacy functions."""
    if key not in _warned:
        _warned.add(key)
        warnings.warn(msg, UserWarning, stacklevel=3)


def _same_float(op: str, A: Tensor, B: Tensor, a: str = "A", b: str = "B") -> None:
    _float_input(op, A, B)
    if A._data.dtype != B._data.dtype:
        raise RuntimeError(f"{op}: Expected {a} and {b} to have the same dtype, but found {a} of "
                           f"type {A.dtype} and {b} of type {B.dtype} instead")


def _dispatch_float(op: str, *ts: Tensor) -> None:
    """torch's kernel-dispatch error for integer/bool inputs (a NotImplementedError)."""
    for t in ts:
        d = t._data.dtype
        if d.kind != "f" or d == np.float16:
            raise NotImplementedError(f"\"{op}\" not implemented for "
                                      f"'{_TORCH_NAMES.get(d.name, d.name)}'")


def _substitute(T: np.ndarray, B: np.ndarray, upper: bool) -> np.ndarray:
    """Triangular substitution, row by row, with IEEE results (inf/nan) for zero pivots."""
    shape = np.broadcast_shapes(T.shape[:-2], B.shape[:-2])
    T = np.broadcast_to(T, shape + T.shape[-2:])
    X = np.array(np.broadcast_to(B, shape + B.shape[-2:]), dtype=np.result_type(T, B))
    n = T.shape[-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        for i in (range(n - 1, -1, -1) if upper else range(n)):
            lo, hi = (i + 1, n) if upper else (0, i)
            acc = X[..., i, :] - np.matmul(T[..., i:i + 1, lo:hi], X[..., lo:hi, :])[..., 0, :]
            X[..., i, :] = acc / T[..., i, i:i + 1]
    return X


def _tri_np(A: np.ndarray, B: np.ndarray, upper: bool, left: bool, unit: bool) -> np.ndarray:
    """X with T X = B (X T = B when left=False) for T the upper/lower triangle of
    A (unit diagonal when unit). LAPACK's LU of an upper triangle pivots nowhere, so the solve
    is back substitution; a lower triangle is solved as its flipped (upper) twin."""
    if not left:
        return _mT(_tri_np(_mT(A), _mT(B), not upper, True, unit))
    T = np.triu(A, int(unit)) if upper else np.tril(A, -int(unit))
    if unit:
        T = T + np.eye(A.shape[-1], dtype=A.dtype)
    if not upper:
        T, B = T[..., ::-1, ::-1], B[..., ::-1, :]
    try:
        X = np.linalg.solve(T, B)
    except np.linalg.LinAlgError:
        X = _substitute(T, B, True)
    return X if upper else X[..., ::-1, :]


def _tri(A: Any, B: Any, upper: bool, left: bool, unit: bool) -> Any:
    """_tri_np on arrays; the differentiable op on Tensors (backward under create_graph)."""
    if isinstance(A, Tensor) or isinstance(B, Tensor):
        return SolveTriangular.apply(A, B, upper, left, unit)
    return _tri_np(A, B, upper, left, unit)


def _project(gA: Any, upper: bool, unit: bool) -> Any:
    return np.triu(gA, int(unit)) if upper else np.tril(gA, -int(unit))


class SolveTriangular(Function):
    """torch.linalg.solve_triangular; for A X = B: gB = A⁻ᵀ G, gA = -gB Xᵀ on A's triangle
    (X A = B: gB = G A⁻ᵀ, gA = -Xᵀ gB)."""

    _raw = True
    _name = "LinalgSolveTriangularBackward0"

    @staticmethod
    def forward(ctx: Any, A: Any, B: Any, upper: bool, left: bool, unit: bool) -> Any:
        X = _tri_np(A, B, upper, left, unit)
        ctx.opts = (upper, left, unit)
        ctx.save_for_backward(A, X)
        return X

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        A, X = ctx.saved_tensors
        upper, left, unit = ctx.opts
        gB = _tri(_mT(A), g, not upper, left, unit)
        gA = -np.matmul(gB, _mT(X)) if left else -np.matmul(_mT(X), gB)
        return _project(gA, upper, unit), gB, None, None, None


def _batch_broadcast(op: str, A: Tensor, B: Tensor) -> None:
    try:
        np.broadcast_shapes(A.shape[:-2], B.shape[:-2])
    except ValueError:
        raise broadcast_error(op, np.empty(A.shape[:-2]), np.empty(B.shape[:-2])) from None


def solve_triangular(A: Tensor, B: Tensor, *, upper: bool, left: bool = True,
                     unitriangular: bool = False, out: Any = None) -> Tensor:
    """X with A X = B (X A = B when left=False) for triangular A, reading only its upper or
    lower triangle, batches broadcast (torch.linalg.solve_triangular)."""
    op = "linalg.solve_triangular"
    _matrices(op, A)
    _matrices(op, B, square=False, name="B")
    _dispatch_float("triangular_solve_cpu", A, B)
    if B._data.dtype != A._data.dtype:   # torch computes in A's dtype
        B = B.to(A.dtype)
    n = A.shape[-1]
    if (B.shape[-2] if left else B.shape[-1]) != n:
        raise RuntimeError(f"{op}: Incompatible shapes of A and B for the equation "
                           f"{'AX = B' if left else 'XA = B'} ({_fmt(A.shape[-2:])} and "
                           f"{_fmt(B.shape[-2:])})")
    _batch_broadcast(op, A, B)
    return SolveTriangular.apply(A, B, bool(upper), bool(left), bool(unitriangular))


def _lu_np(A: np.ndarray) -> tuple:
    """LU with partial pivoting as LAPACK's getrf: the packed factors, 1-based int32 pivots
    and int32 info (the first zero pivot, 1-based; 0 when there is none)."""
    m, n = A.shape[-2:]
    k = min(m, n)
    batch = A.shape[:-2]
    a = np.array(A.reshape((math.prod(batch), m, n)), copy=True)
    nb = a.shape[0]
    piv = np.zeros((nb, k), np.int32)
    info = np.zeros(nb, np.int32)
    rows = np.arange(nb)
    for j in range(k):
        p = j + np.argmax(np.abs(a[:, j:, j]), axis=1)
        piv[:, j] = p + 1
        top = a[:, j].copy()
        a[:, j] = a[rows, p]
        a[rows, p] = top
        d = a[:, j, j]
        info = np.where((info == 0) & (d == 0), j + 1, info).astype(np.int32)
        a[:, j + 1:, j] /= np.where(d == 0, 1, d)[:, None]   # a zero pivot has a zero column
        a[:, j + 1:, j + 1:] -= a[:, j + 1:, j:j + 1] * a[:, j:j + 1, j + 1:]
    return a.reshape(A.shape), piv.reshape(batch + (k,)), info.reshape(batch)


def _perm_matrix(piv: np.ndarray, m: int, dtype: Any) -> np.ndarray:
    """P with A = P L U from getrf's 1-based row swaps."""
    k = piv.shape[-1]
    flat = piv.reshape((math.prod(piv.shape[:-1]), k)).astype(np.int64) - 1
    perm = np.broadcast_to(np.arange(m), (flat.shape[0], m)).copy()
    rows = np.arange(flat.shape[0])
    for j in range(k):
        p = flat[:, j]
        top = perm[:, j].copy()
        perm[:, j] = perm[rows, p]
        perm[rows, p] = top
    P = np.zeros((flat.shape[0], m, m), dtype)
    P[rows[:, None], perm, np.arange(m)] = 1
    return P.reshape(piv.shape[:-1] + (m, m))


def _split_lu(LU: Any, m: int, n: int) -> tuple:
    """(L, U) from the packed factors: unit lower m x k, upper k x n."""
    k = min(m, n)
    L = np.tril(LU[..., :, :k], -1) + np.eye(m, k, dtype=_np_dtype(LU))
    return L, np.triu(LU[..., :k, :])


class LUFactor(Function):
    """torch.linalg.lu_factor_ex; backward as torch's linalg_lu_backward on the packed
    factors (square, wide and tall)."""

    _raw = True
    _name = "LinalgLuFactorExBackward0"

    @staticmethod
    def forward(ctx: Any, A: Any) -> Any:
        LU, piv, info = _lu_np(A)
        ctx.P = _perm_matrix(piv, A.shape[-2], A.dtype)
        ctx.save_for_backward(LU)
        return LU, piv, info

    @staticmethod
    def backward(ctx: Any, g: Any, g_piv: Any, g_info: Any) -> Any:
        LU = ctx.saved_tensors[0]
        m, n = LU.shape[-2:]
        k = min(m, n)
        L, U = _split_lu(LU, m, n)
        gL, gU = _split_lu(g, m, n)
        gL = gL - np.eye(m, k, dtype=_np_dtype(g))
        if m == n:   # P L⁻ᴴ [tril(Lᴴ gL, -1) + triu(gU Uᴴ)] U⁻ᴴ
            gA = np.tril(np.matmul(_mT(L), gL), -1) + np.triu(np.matmul(gU, _mT(U)))
            gA = _tri(_mT(L), _tri(_mT(U), gA, False, False, False), True, True, True)
        elif m < n:  # wide: U = [U1 | U2]
            U1 = U[..., :k]
            gA = np.matmul(_mT(L), gL) - np.matmul(gU, _mT(U))
            gA = _tri(_mT(U1), np.tril(gA, -1), False, False, False)
            gA = np.concatenate([gA + gU[..., :k], gU[..., k:]], -1)
            gA = _tri(_mT(L), gA, True, True, True)
        else:        # tall: L = [L1; L2]
            L1 = L[..., :k, :]
            gA = np.matmul(gU, _mT(U)) - np.matmul(_mT(L), gL)
            gA = _tri(_mT(L1), np.triu(gA), True, True, True)
            gA = np.concatenate([gA + gL[..., :k, :], gL[..., k:, :]], -2)
            gA = _tri(_mT(U), gA, False, False, False)
        return np.matmul(ctx.P, gA)


_lu_factor_rt = return_type("linalg_lu_factor", ("LU", "pivots"))
_lu_factor_ex_rt = return_type("linalg_lu_factor_ex", ("LU", "pivots", "info"))
_lu_rt = return_type("linalg_lu", ("P", "L", "U"))
_lu_unpack_rt = return_type("lu_unpack", ("P", "L", "U"))
_lu_with_info_rt = return_type("_lu_with_info", ("LU", "pivots", "info"))


def _lu_input(op: str, A: Any, pivot: bool) -> None:
    _tensor(A, op, "A")
    if A.ndim < 2:
        raise RuntimeError(f"torch.lu_factor: Expected tensor with 2 or more dimensions. Got "
                           f"size: {list(A.shape)} instead")
    _dispatch_float("lu_cpu", A)
    if not pivot:
        raise RuntimeError(f"{op}: LU without pivoting is not implemented on the CPU")


def _first_info(info: np.ndarray) -> tuple:
    """(batch index, value) of the first nonzero info; (-1, 0) when all are zero."""
    flat = info.reshape(-1)
    bad = np.flatnonzero(flat)
    return (int(bad[0]), int(flat[bad[0]])) if bad.size else (-1, 0)


def _zero_pivot_error(op: str, A: Tensor, info: np.ndarray) -> None:
    i, j = _first_info(info)
    if i >= 0:
        raise RuntimeError(
            f"{op}: {_batch(A._data, i)}U[{j},{j}] is zero and using it on lu_solve would "
            "result in a division by zero. If you still want to perform the factorization, "
            "consider calling linalg.lu(A, pivot) or linalg.lu_factor_ex(A, pivot)")


def lu_factor_ex(A: Tensor, *, pivot: bool = True, check_errors: bool = False,
                 out: Any = None) -> tuple:
    """Packed LU factors with partial pivoting, 1-based int32 pivots and int32 info, the
    first zero pivot (torch.linalg.lu_factor_ex)."""
    _lu_input("linalg.lu_factor_ex", A, pivot)
    LU, piv, info = LUFactor.apply(A)
    if check_errors:
        _zero_pivot_error("torch.linalg.lu_factor_ex", A, info._data)
    return _lu_factor_ex_rt(LU, piv, info)


def lu_factor(A: Tensor, *, pivot: bool = True, out: Any = None) -> tuple:
    """Packed LU factors and 1-based int32 pivots, A = P L U (torch.linalg.lu_factor); a
    RuntimeError when U has a zero on its diagonal."""
    _lu_input("linalg.lu_factor", A, pivot)
    LU, piv, info = LUFactor.apply(A)
    _zero_pivot_error("torch.linalg.lu_factor", A, info._data)
    return _lu_factor_rt(LU, piv)


def lu_unpack(LU_data: Tensor, LU_pivots: Tensor, unpack_data: bool = True,
              unpack_pivots: bool = True, *, out: Any = None) -> tuple:
    """(P, L, U) from linalg.lu_factor's packed factors and pivots (torch.lu_unpack); the
    parts not asked for are empty."""
    _matrices("torch.lu_unpack", LU_data, square=False, name="LU_data")
    _tensor(LU_pivots, "lu_unpack", "LU_pivots")
    if LU_pivots._data.dtype != np.int32:
        raise RuntimeError("torch.lu_unpack: LU_pivots is expected to be a contiguous tensor "
                           f"of torch.int32 dtype (got {LU_pivots.dtype}).\nNote: this function "
                           "is intended to be used with the output produced by "
                           "torch.linalg.lu_factor")
    m, n = LU_data.shape[-2:]
    k = min(m, n)
    if tuple(LU_pivots.shape[-1:]) != (k,):
        raise RuntimeError(f"torch.lu_unpack: LU_pivots.size(-1) must equal min(m, n) = {k} "
                           f"for LU_data of shape {list(LU_data.shape)} (got pivots of shape "
                           f"{list(LU_pivots.shape)})")
    empty = _make(np.empty((0,), LU_data._data.dtype))
    L = U = P = empty
    if unpack_data:
        L = LU_data[..., :, :k].tril(-1) + _make(np.eye(m, k, dtype=LU_data._data.dtype))
        U = LU_data[..., :k, :].triu()
    if unpack_pivots:
        P = _make(_perm_matrix(LU_pivots._data, m, LU_data._data.dtype))
    return _lu_unpack_rt(P, L, U)


def _linalg_lu(A: Tensor, *, pivot: bool = True, out: Any = None) -> tuple:
    """A = P L U with partial pivoting, L unit lower (m x k), U upper (k x n)
    (torch.linalg.lu)."""
    _lu_input("linalg.lu_factor", A, pivot)
    LU, piv, _ = LUFactor.apply(A)
    return _lu_rt(*lu_unpack(LU, piv))


def _lu_solve_checks(op: str, LU: Tensor, pivots: Tensor, B: Tensor, left: bool) -> None:
    _matrices(op, LU, name="LU")
    _tensor(pivots, op, "pivots")
    _matrices(op, B, square=False, name="B")
    if pivots._data.dtype != np.int32:
        raise RuntimeError(f"{op}: pivots should be a Tensor of scalar type torch.int32")
    _same_float(op, LU, B, "LU", "B")
    n = LU.shape[-1]
    if tuple(pivots.shape) != tuple(LU.shape[:-1]):
        raise RuntimeError(f"{op}: Expected pivots of shape {list(LU.shape[:-1])} for LU of "
                           f"shape {list(LU.shape)}, but got {list(pivots.shape)}")
    if (B.shape[-2] if left else B.shape[-1]) != n:
        raise RuntimeError(f"{op}: Incompatible shapes of A and B for the equation "
                           f"{'AX = B' if left else 'XA = B'} ({_fmt(LU.shape[-2:])} and "
                           f"{_fmt(B.shape[-2:])})")
    _batch_broadcast(op, LU, B)


def _linalg_lu_solve(LU: Tensor, pivots: Tensor, B: Tensor, *, left: bool = True,
                     adjoint: bool = False, out: Any = None) -> Tensor:
    """X with A X = B for A = P L U given by linalg.lu_factor (Aᴴ with adjoint, X A = B when
    left=False), batches broadcast (torch.linalg.lu_solve)."""
    _lu_solve_checks("linalg.lu_solve", LU, pivots, B, left)
    P = _make(_perm_matrix(pivots._data, LU.shape[-1], LU._data.dtype))
    if left and not adjoint:    # X = U⁻¹ L⁻¹ Pᵀ B
        Y = solve_triangular(LU, matmul(P.mT, B), upper=False, unitriangular=True)
        return solve_triangular(LU, Y, upper=True)
    if left:                    # Aᵀ X = B: X = P L⁻ᵀ U⁻ᵀ B
        Y = solve_triangular(LU.mT, B, upper=False)
        return matmul(P, solve_triangular(LU.mT, Y, upper=True, unitriangular=True))
    if not adjoint:             # X P L U = B: X = B U⁻¹ L⁻¹ Pᵀ
        Y = solve_triangular(LU, B, upper=True, left=False)
        return matmul(solve_triangular(LU, Y, upper=False, left=False, unitriangular=True),
                      P.mT)
    # X Aᵀ = B: X = B P L⁻ᵀ U⁻ᵀ
    Y = solve_triangular(LU.mT, matmul(B, P), upper=True, left=False, unitriangular=True)
    return solve_triangular(LU.mT, Y, upper=False, left=False)


def _legacy_lu(A: Tensor, pivot: bool = True, get_infos: bool = False, out: Any = None) -> Any:
    """torch.lu (deprecated): (LU, pivots), with info when get_infos."""
    _warn_once("lu", "torch.lu is deprecated in favor of torch.linalg.lu_factor / "
               "torch.linalg.lu_factor_ex and will be removed in a future PyTorch release.")
    r = lu_factor_ex(A, pivot=pivot)   # torch's never raises for a singular A
    return _lu_with_info_rt(*r) if get_infos else (r.LU, r.pivots)


def _legacy_lu_solve(b: Tensor, LU_data: Tensor, LU_pivots: Tensor, *, out: Any = None) -> Tensor:
    """torch.lu_solve (deprecated): linalg.lu_solve(LU_data, LU_pivots, b)."""
    _warn_once("lu_solve", "torch.lu_solve is deprecated in favor of torch.linalg.lu_solve and "
               "will be removed in a future PyTorch release.")
    return _linalg_lu_solve(LU_data, LU_pivots, b)


# ----------------------------------------------------------------------------- matrix_exp
_PADE13 = (64764752532480000.0, 32382376266240000.0, 7771770303897600.0, 1187353796428800.0,
           129060195264000.0, 10559470521600.0, 670442572800.0, 33522128640.0, 1323241920.0,
           40840800.0, 960960.0, 16380.0, 182.0, 1.0)


def _expm_np(A: np.ndarray) -> np.ndarray:
    """exp(A) by scaling and squaring with the [13/13] Padé approximant (Higham 2005), in
    float64 per matrix."""
    if A.size == 0:
        return A.copy()
    a = A.astype(np.float64)
    b = _PADE13
    norm1 = np.max(np.sum(np.abs(a), axis=-2), axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.ceil(np.log2(norm1 / 5.371920351148152))
    s = np.where(np.isfinite(s) & (s > 0), s, 0).astype(np.int64)
    a = a / np.exp2(s)[..., None, None]
    eye = np.eye(a.shape[-1])
    A2 = np.matmul(a, a)
    A4 = np.matmul(A2, A2)
    A6 = np.matmul(A4, A2)
    U = np.matmul(a, np.matmul(A6, b[13] * A6 + b[11] * A4 + b[9] * A2)
                  + b[7] * A6 + b[5] * A4 + b[3] * A2 + b[1] * eye)
    V = np.matmul(A6, b[12] * A6 + b[10] * A4 + b[8] * A2) + b[6] * A6 + b[4] * A4 \
        + b[2] * A2 + b[0] * eye
    try:
        R = np.linalg.solve(V - U, V + U)
    except np.linalg.LinAlgError:   # only for non-finite input
        R = np.full(a.shape, np.nan)
    for k in range(int(s.max(initial=0))):
        R = np.where((s > k)[..., None, None], np.matmul(R, R), R)
    return R.astype(A.dtype)


class MatrixExp(Function):
    """torch.linalg.matrix_exp; gA is the top-right block of exp([[Aᵀ, G], [0, Aᵀ]])."""

    _raw = True
    _name = "LinalgMatrixExpBackward0"

    @staticmethod
    def forward(ctx: Any, A: Any) -> Any:
        ctx.save_for_backward(A)
        return _expm_np(A)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        At = _mT(ctx.saved_tensors[0])
        n = At.shape[-1]
        M = np.concatenate([np.concatenate([At, g], -1),
                            np.concatenate([np.zeros_like(At), At], -1)], -2)
        E = MatrixExp.apply(M) if isinstance(M, Tensor) else _expm_np(M)
        return E[..., :n, n:]


def matrix_exp(A: Tensor) -> Tensor:
    """Matrix exponential of (batches of) square matrices (torch.linalg.matrix_exp)."""
    _matrices("linalg.matrix_exp", A)
    _float_input("linalg.matrix_exp", A)
    return MatrixExp.apply(A)


# ----------------------------------------------------------------------------- lstsq
_lstsq_rt = return_type("linalg_lstsq", ("solution", "residuals", "rank", "singular_values"))


def lstsq(A: Tensor, B: Tensor, rcond: Any = None, *, driver: Any = None) -> tuple:
    """Least-squares solution of A X = B through the pseudo-inverse, with torch's CPU rules
    for what each driver fills: rank for gelsy/gelsd/gelss, singular values for gelsd/gelss,
    residuals when m > n (gels, or gelsd/gelss with every A of full rank)
    (torch.linalg.lstsq)."""
    op = "torch.linalg.lstsq"
    _tensor(A, "linalg.lstsq", "A")
    _tensor(B, "linalg.lstsq", "B")
    if A.ndim < 2:
        raise RuntimeError(f"{op}: input must have at least 2 dimensions.")
    if B.ndim < 1:
        raise RuntimeError(f"{op}: other must have at least 1 dimension.")
    for t in (A, B):
        if t._data.dtype not in (np.float32, np.float64):
            raise RuntimeError("This function doesn't handle types other than float and double")
    if A._data.dtype != B._data.dtype:
        raise RuntimeError(f"{op}: Expected input and other to have the same dtype, but got "
                           f"input's dtype {_TORCH_TYPE[A._data.dtype.name]} and other's dtype "
                           f"{_TORCH_TYPE[B._data.dtype.name]}")
    driver = "gelsy" if driver is None else driver
    if driver not in ("gels", "gelsy", "gelsd", "gelss"):
        raise RuntimeError(f"{op}: parameter `driver` should be one of (gels, gelsy, gelsd, "
                           f"gelss) (got {driver!r})")
    vector = B.ndim == A.ndim - 1
    B2 = B.unsqueeze(-1) if vector else B
    m, n = A.shape[-2:]
    if B2.shape[-2] != m:
        raise RuntimeError(f"{op}: input.size(-2) should match other.size(-2) (shapes "
                           f"{list(A.shape)} and {list(B.shape)})")
    _batch_broadcast(op, A, B2)
    a = A._data
    if rcond is None:
        rcond = np.finfo(a.dtype).eps * max(m, n)
    X = matmul(Pinv.apply(A, 0.0, float(rcond), False), B2)
    s, smax = _spectrum(a, False)
    rank = np.sum(s > (rcond * smax)[..., None], axis=-1).astype(np.int64)
    dt = a.dtype
    empty = np.empty((0,), dt)
    res = X.flatten()[:0]   # empty, but part of the graph as torch's
    if m > n and (driver == "gels" or (driver != "gelsy" and np.all(rank == n))):
        res = (matmul(A, X) - B2).pow(2).sum(-2)
    return _lstsq_rt(X.squeeze(-1) if vector else X, res,
                     _make(np.empty((0,), np.int64) if driver == "gels" else rank),
                     _make(s.astype(dt) if driver in ("gelsd", "gelss") else empty))


# ----------------------------------------------------------------------------- cond, tensors
def cond(A: Tensor, p: Any = None, *, out: Any = None) -> Tensor:
    """Condition number in the norm p (torch.linalg.cond): the ratio of extreme singular
    values for p None/2/-2, else ‖A‖ₚ ‖A⁻¹‖ₚ (inf for a singular A)."""
    if p not in (None, 2, -2, "fro", "nuc", 1, -1, math.inf, -math.inf):
        raise RuntimeError(f"linalg.cond got an invalid norm type: {p}")
    if p == "nuc":   # ‖A‖ ‖A⁻¹‖ in the nuclear norm, from the singular values (as torch)
        _matrices("linalg.cond(ord=nuc)", A)
        _float_input("linalg.svd", A)
        s = svdvals(A)
        return s.sum(-1) * s.reciprocal().sum(-1)
    if p in (None, 2, -2):
        _matrices("linalg.svd", A, square=False)
        _float_input("linalg.svd", A)
        s = svdvals(A)
        if s.shape[-1] == 0:
            return _make(np.zeros(s.shape[:-1], A._data.dtype))
        big, small = s[..., 0], s[..., -1]
        return big / small if p != -2 else small / big
    _matrices(f"linalg.cond(ord={p})", A)
    _float_input("linalg.cond", A)
    a = A._data
    singular = _make(_lu_info(a) > 0)
    if not np.any(singular._data):
        return matrix_norm(A, p) * matrix_norm(inv(A), p)
    eye = _make(np.broadcast_to(np.eye(a.shape[-1], dtype=a.dtype), a.shape).copy())
    safe = where(singular[..., None, None], eye, A)
    value = matrix_norm(A, p) * matrix_norm(inv(safe), p)
    return where(singular, _make(np.array(np.inf, a.dtype)), value)


def tensorinv(A: Tensor, ind: int = 2, *, out: Any = None) -> Tensor:
    """The inverse of A for tensordot over its first ind dims: shape A.shape[ind:] +
    A.shape[:ind] (torch.linalg.tensorinv)."""
    _tensor(A, "linalg.tensorinv", "A")
    if ind <= 0:
        raise RuntimeError(f"Expected a strictly positive integer for 'ind', but got {ind}")
    front, back = tuple(A.shape[:ind]), tuple(A.shape[ind:])
    p, q = math.prod(front), math.prod(back)
    if p != q:
        raise RuntimeError(f"Expected self to satisfy the requirement prod(self.shape[ind:]) "
                           f"== prod(self.shape[:ind]), but got {q} != {p}")
    return inv(A.reshape(p, q)).reshape(back + front)


def tensorsolve(A: Tensor, B: Tensor, dims: Any = None, *, out: Any = None) -> Tensor:
    """X with tensordot(A, X, X.ndim) = B; dims of A moved to the end first
    (torch.linalg.tensorsolve)."""
    _tensor(A, "linalg.tensorsolve", "A")
    _tensor(B, "linalg.tensorsolve", "B")
    if dims is not None:
        dims = [d % A.ndim for d in dims]
        A = A.permute(*[d for d in range(A.ndim) if d not in dims], *dims)
    front, back = tuple(A.shape[:B.ndim]), tuple(A.shape[B.ndim:])
    p, q = math.prod(front), math.prod(back)
    if p != q:
        raise RuntimeError(f"Expected self to satisfy the requirement prod(self.shape[other.ndim:"
                           f"]) == prod(self.shape[:other.ndim]), but got {q} != {p}")
    return solve(A.reshape(p, q), B.reshape(p)).reshape(back)


def vander(x: Tensor, *, N: Any = None) -> Tensor:
    """Vandermonde matrix of increasing powers x⁰ … x^(N-1) along a new last dim
    (torch.linalg.vander)."""
    _tensor(x, "linalg.vander", "x")
    if x.ndim == 0:
        raise RuntimeError("N must be greater than 1.")
    if x._data.dtype.kind == "b":
        raise RuntimeError("linalg.vander supports floating point, complex, and integer "
                           "tensors, but got Bool")
    N = x.shape[-1] if N is None else N
    if N <= 1:
        raise RuntimeError(f"N must be greater than 1. (got N={N})")
    col = x.unsqueeze(-1)
    powers = col.expand(*x.shape, N - 1).cumprod(-1)
    return cat([ones_like(col), powers], -1)


# ----------------------------------------------------------------------------- *_ex
_inv_ex_rt = return_type("linalg_inv_ex", ("inverse", "info"))
_cholesky_ex_rt = return_type("linalg_cholesky_ex", ("L", "info"))
_solve_ex_rt = return_type("linalg_solve_ex", ("result", "info"))


def _lu_info(a: np.ndarray) -> np.ndarray:
    """getrf's info per matrix (the first zero pivot, 1-based; 0 when invertible): LAPACK's
    slogdet finds the singular ones (sign 0), the Python LU runs on those alone."""
    info = np.zeros(a.shape[:-2], np.int32)
    if a.size:
        bad = np.linalg.slogdet(a)[0] == 0
        if np.any(bad):
            info[bad] = _lu_np(a[bad])[2]
    return info


def _lu_inverse_np(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """A⁻¹ B through getrf's factors with IEEE arithmetic: inf/nan where A is singular."""
    LU, piv, _ = _lu_np(a)
    P = _perm_matrix(piv, a.shape[-1], a.dtype)
    Y = _substitute(np.tril(LU, -1) + np.eye(a.shape[-1], dtype=a.dtype),
                    np.matmul(_mT(P), b), False)
    return _substitute(np.triu(LU), Y, True)


class InvEx(Inv):
    """torch.linalg.inv_ex: Inv whose singular matrices give getri's inf/nan, not an error."""

    @staticmethod
    def forward(ctx: Any, A: Any) -> Any:
        try:
            y = np.linalg.inv(A)
        except np.linalg.LinAlgError:
            y = _lu_inverse_np(A, np.broadcast_to(np.eye(A.shape[-1], dtype=A.dtype), A.shape))
        ctx.save_for_backward(y)
        return y


def inv_ex(A: Tensor, *, check_errors: bool = False, out: Any = None) -> tuple:
    """(inverse, info) with info the first zero pivot of A's LU (0: invertible); a
    LinAlgError for a singular A only when check_errors (torch.linalg.inv_ex)."""
    _matrices("linalg.inv_ex", A)
    _float_input("linalg.inv_ex", A)
    info = _lu_info(A._data)
    if check_errors:
        k, j = _first_info(info)
        if k >= 0:
            raise LinAlgError(f"linalg.inv_ex: {_batch(A._data, k)}The diagonal element {j} is "
                              "zero, the inversion could not be completed because the input "
                              "matrix is singular.")
    return _inv_ex_rt(InvEx.apply(A), _make(info))


class SolveEx(Solve):
    """torch.linalg.solve_ex: Solve whose singular matrices give inf/nan, not an error."""

    @staticmethod
    def forward(ctx: Any, A: Any, B: Any, vector: bool) -> Any:
        B2 = B[..., None] if vector else B
        try:
            X = np.linalg.solve(A, B2)
        except np.linalg.LinAlgError:
            shape = np.broadcast_shapes(A.shape[:-2], B2.shape[:-2])
            X = _lu_inverse_np(np.broadcast_to(A, shape + A.shape[-2:]), B2)
        ctx.vector = vector
        X = X[..., 0] if vector else X
        ctx.save_for_backward(A, X)
        return X


def solve_ex(A: Tensor, B: Tensor, *, left: bool = True, check_errors: bool = False,
             out: Any = None) -> tuple:
    """(result, info) of linalg.solve with info the first zero pivot of A's LU; no error
    unless check_errors (torch.linalg.solve_ex)."""
    vector = _solve_check(A, B, left)
    if not left:
        X, info = solve_ex(A.mT, B.mT, check_errors=check_errors)
        return _solve_ex_rt(X.mT, info)
    info = _lu_info(A._data)
    k, _ = _first_info(info)
    if check_errors and k >= 0:
        raise LinAlgError(f"torch.linalg.solve_ex: {_batch(A._data, k)}The solver failed "
                          "because the input matrix is singular.")
    return _solve_ex_rt(SolveEx.apply(A, B, vector), _make(info))


def _cholesky_partial(m: np.ndarray) -> tuple:
    """LAPACK potf2's result on one matrix: the lower triangle with the columns before the
    failing one factored and the failing pivot stored, and info (1-based; 0 on success)."""
    a = np.tril(m).copy()
    for j in range(a.shape[0]):
        ajj = a[j, j] - np.dot(a[j, :j], a[j, :j])
        if not ajj > 0:
            a[j, j] = ajj
            return a, j + 1
        a[j, j] = np.sqrt(ajj)
        a[j + 1:, j] = (a[j + 1:, j] - np.matmul(a[j + 1:, :j], a[j, :j])) / a[j, j]
    return a, 0


class CholeskyEx(Cholesky):
    """torch.linalg.cholesky_ex: Cholesky that returns potrf's partial factor and info for a
    matrix that is not positive-definite instead of raising."""

    @staticmethod
    def forward(ctx: Any, A: Any, upper: bool) -> Any:
        flat = A.reshape((math.prod(A.shape[:-2]),) + A.shape[-2:])
        L = np.empty_like(flat)
        info = np.zeros(flat.shape[0], np.int32)
        try:
            L[...] = np.linalg.cholesky(flat)
        except np.linalg.LinAlgError:
            for i, m in enumerate(flat):
                L[i], info[i] = _cholesky_partial(m)
        L = L.reshape(A.shape)
        ctx.upper = upper
        L = np.ascontiguousarray(_mT(L)) if upper else L
        ctx.save_for_backward(L)
        return L, info.reshape(A.shape[:-2])

    @staticmethod
    def backward(ctx: Any, g: Any, g_info: Any) -> Any:
        return Cholesky.backward(ctx, g)


def cholesky_ex(A: Tensor, *, upper: bool = False, check_errors: bool = False,
                out: Any = None) -> tuple:
    """(L, info), info the order of the first leading minor that is not positive-definite
    (0: success); no error unless check_errors (torch.linalg.cholesky_ex)."""
    _matrices("linalg.cholesky_ex", A)
    _float_input("linalg.cholesky_ex", A)
    L, info = CholeskyEx.apply(A, bool(upper))
    k, j = _first_info(info._data)
    if check_errors and k >= 0:
        raise LinAlgError(f"linalg.cholesky_ex: {_batch(A._data, k)}The factorization could "
                          "not be completed because the input is not positive-definite (the "
                          f"leading minor of order {j} is not positive-definite).")
    return _cholesky_ex_rt(L, info)


# ----------------------------------------------------------------------------- legacy forms
_legacy_svd_rt = return_type("svd", ("U", "S", "V"))
_legacy_qr_rt = return_type("qr", ("Q", "R"))
_triangular_solve_rt = return_type("triangular_solve", ("solution", "cloned_coefficient"))


def svd(input: Tensor, some: bool = True, compute_uv: bool = True, *, out: Any = None) -> tuple:
    """torch.svd: (U, S, V) with A = U diag(S) Vᵀ, V not Vᴴ; reduced when some; U and V are
    zero (full-size) when compute_uv is False."""
    if not compute_uv:
        _matrices("linalg.svd", input, square=False)
        _float_input("linalg.svd", input)
        S = svdvals(input)
        m, n = input.shape[-2:]
        dt = input._data.dtype
        return _legacy_svd_rt(_make(np.zeros(input.shape[:-2] + (m, m), dt)), S,
                              _make(np.zeros(input.shape[:-2] + (n, n), dt)))
    U, S, Vh = _linalg_svd(input, full_matrices=not some)
    return _legacy_svd_rt(U, S, Vh.mT)


def qr(input: Tensor, some: bool = True, *, out: Any = None) -> tuple:
    """torch.qr (deprecated): linalg.qr in mode 'reduced' when some, else 'complete'."""
    _warn_once("qr", "torch.qr is deprecated in favor of torch.linalg.qr and will be removed "
               "in a future PyTorch release.\nThe boolean parameter 'some' has been replaced "
               "with a string parameter 'mode'.\nQ, R = torch.qr(A, some)\nshould be replaced "
               "with\nQ, R = torch.linalg.qr(A, 'reduced' if some else 'complete')")
    return _legacy_qr_rt(*_linalg_qr(input, "reduced" if some else "complete"))


def _chol_full(L: Any, upper: bool) -> Any:
    """A = L Lᵀ (Uᵀ U when upper) from the given triangle."""
    T = np.triu(L) if upper else np.tril(L)
    return np.matmul(_mT(T), T) if upper else np.matmul(T, _mT(T))


class CholeskySolve(Function):
    """torch.cholesky_solve: X = A⁻¹ B for A = L Lᵀ; backward as torch's: gB =
    cholesky_solve(G, L), gL = -(C + Cᵀ) L with C = gB Xᵀ (L Cᵀ… for upper)."""

    _raw = True
    _name = "CholeskySolveBackward0"

    @staticmethod
    def forward(ctx: Any, B: Any, L: Any, upper: bool) -> Any:
        Y = _tri_np(L, B, upper, True, False) if not upper else \
            _tri_np(_mT(L), B, False, True, False)
        X = _tri_np(_mT(L), Y, True, True, False) if not upper else \
            _tri_np(L, Y, True, True, False)
        ctx.upper = upper
        ctx.save_for_backward(L, X)
        return X

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        L, X = ctx.saved_tensors
        gB = np.linalg.solve(_chol_full(L, ctx.upper), g)
        C = np.matmul(gB, _mT(X))
        C = C + _mT(C)
        gL = -np.matmul(L, C) if ctx.upper else -np.matmul(C, L)
        return gB, gL, None


def cholesky_solve(B: Tensor, L: Tensor, upper: bool = False, *, out: Any = None) -> Tensor:
    """X with A X = B for A = L Lᵀ given its Cholesky factor L (Uᵀ U when upper), batches
    broadcast (torch.cholesky_solve)."""
    _tensor(B, "cholesky_solve", "input")
    _tensor(L, "cholesky_solve", "input2")
    if B.ndim < 2:
        raise RuntimeError(f"b should have at least 2 dimensions, but has {B.ndim} dimensions "
                           "instead")
    if L.ndim < 2:
        raise RuntimeError(f"u should have at least 2 dimensions, but has {L.ndim} dimensions "
                           "instead")
    if B._data.dtype != L._data.dtype:
        raise RuntimeError(f"Expected b and A to have the same dtype, but found b of type "
                           f"{_TORCH_TYPE.get(B._data.dtype.name, B.dtype)} and A of type "
                           f"{_TORCH_TYPE.get(L._data.dtype.name, L.dtype)} instead.")
    _dispatch_float("cholesky_solve_cpu", B)
    _matrices("cholesky_solve", L, name="A")
    if B.shape[-2] != L.shape[-1]:
        raise RuntimeError(f"Incompatible matrix sizes for cholesky_solve: each A matrix is "
                           f"{L.shape[-1]} by {L.shape[-1]} but each b matrix is "
                           f"{B.shape[-2]} by {B.shape[-1]}")
    _batch_broadcast("cholesky_solve", B, L)
    return CholeskySolve.apply(B, L, bool(upper))


class CholeskyInverse(Function):
    """torch.cholesky_inverse: (L Lᵀ)⁻¹; backward as torch's: gL = -(Y (G + Gᵀ) Y) L with Y
    the result (-L (…) for upper)."""

    _raw = True
    _name = "CholeskyInverseBackward0"

    @staticmethod
    def forward(ctx: Any, L: Any, upper: bool) -> Any:
        eye = np.broadcast_to(np.eye(L.shape[-1], dtype=L.dtype), L.shape)
        Linv = _tri_np(L, eye, upper, True, False)   # L⁻¹ (U⁻¹)
        Y = np.matmul(Linv, _mT(Linv)) if upper else np.matmul(_mT(Linv), Linv)
        ctx.upper = upper
        ctx.save_for_backward(L, Y)
        return Y

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        L, Y = ctx.saved_tensors
        C = np.matmul(Y, np.matmul(g + _mT(g), Y))
        return (-np.matmul(L, C) if ctx.upper else -np.matmul(C, L)), None


def cholesky_inverse(L: Tensor, upper: bool = False, *, out: Any = None) -> Tensor:
    """Inverse of A = L Lᵀ (Uᵀ U when upper) from its Cholesky factor
    (torch.cholesky_inverse)."""
    _tensor(L, "cholesky_inverse", "input")
    if L.ndim < 2:
        raise RuntimeError("cholesky_inverse: The input tensor A must have at least 2 "
                           "dimensions.")
    _matrices("cholesky_inverse", L)
    _dispatch_float("cholesky_inverse_out_cpu", L)
    return CholeskyInverse.apply(L, bool(upper))


def triangular_solve(b: Tensor, A: Tensor, upper: bool = True, transpose: bool = False,
                     unitriangular: bool = False, *, out: Any = None) -> tuple:
    """torch.triangular_solve (deprecated): (solution, cloned_coefficient) with
    solution = op(A)⁻¹ b, op the transpose when asked; batches broadcast."""
    _warn_once("triangular_solve", "torch.triangular_solve is deprecated in favor of "
               "torch.linalg.solve_triangularand will be removed in a future PyTorch release.")
    _tensor(b, "triangular_solve", "b")
    _tensor(A, "triangular_solve", "A")
    for name, t in (("b", b), ("A", A)):
        if t.ndim < 2:
            raise RuntimeError(f"torch.triangular_solve: Expected {name} to have at least 2 "
                               f"dimensions, but it has {t.ndim} dimensions instead")
    if b._data.dtype != A._data.dtype:
        raise RuntimeError(f"torch.triangular_solve: Expected b and A to have the same dtype, "
                           f"but found b of type {_TORCH_TYPE.get(b._data.dtype.name)} and A "
                           f"of type {_TORCH_TYPE.get(A._data.dtype.name)} instead.")
    T = A.mT if transpose else A
    X = solve_triangular(T, b, upper=bool(upper) != bool(transpose), unitriangular=unitriangular)
    batch = tuple(X.shape[:-2])
    return _triangular_solve_rt(X, A.expand(*batch, *A.shape[-2:]).clone())


attach({
    "svd": svd, "qr": qr, "cholesky_solve": cholesky_solve,
    "cholesky_inverse": cholesky_inverse, "triangular_solve": triangular_solve,
    "lu_solve": _legacy_lu_solve, "lu": _legacy_lu, "matrix_exp": matrix_exp,
})

lu = _legacy_lu
lu_solve = _legacy_lu_solve
__all__ += ["lu_unpack", "matrix_exp", "svd", "qr", "cholesky_solve", "cholesky_inverse",
            "triangular_solve", "lu", "lu_solve"]

_linalg_names.update({
    "lstsq": lstsq, "solve_triangular": solve_triangular, "lu_factor": lu_factor,
    "lu_factor_ex": lu_factor_ex, "lu": _linalg_lu, "lu_solve": _linalg_lu_solve,
    "matrix_exp": matrix_exp, "cond": cond, "tensorinv": tensorinv, "tensorsolve": tensorsolve,
    "vander": vander, "inv_ex": inv_ex, "cholesky_ex": cholesky_ex, "solve_ex": solve_ex,
})
