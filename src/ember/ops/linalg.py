"""Linear algebra: matmul in all of torch's cases (and mm, bmm, mv, dot, outer, addmm, ...),
einsum, tensordot and norms. One BLAS call per product; backward formulas are NumPy products
that also run on Tensors (create_graph) through the NumPy protocol."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._backend import from_np
from .._tensor import Tensor
from ..autograd.function import Function
from . import _numpy_protocol as proto
from ._util import attach, broadcast_error, dims, promote
from ._util import matmul as matmul_arrays
from .elementwise import Add, Mul

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
    return MatMul.apply(input, mat2)


def bmm(input: Tensor, mat2: Tensor, *, out: Any = None) -> Tensor:
    """Batched product of (b, n, k) and (b, k, m) without broadcasting (torch.bmm)."""
    _check_nd("bmm", input, 3, "batch1")
    _check_nd("bmm", mat2, 3, "batch2")
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
    _same("baddbmm", input, batch1, batch2)
    return _add_scaled(input, bmm(batch1, batch2), beta, alpha)


def addbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta: Any = 1, alpha: Any = 1,
           out: Any = None) -> Tensor:
    """beta * input + alpha * sum_b batch1[b] @ batch2[b] (torch.addbmm)."""
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
    return MatMul._apply2(other, self)


def _matmul_op(self: Tensor, other: Any) -> Any:
    if not isinstance(other, (Tensor, np.ndarray)):
        return NotImplemented
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
})

proto.register_ufuncs({np.matmul: lambda a, b: MatMul.apply(a, b)})
proto.register_functions({np.dot: _np_dot, np.einsum: _np_einsum, np.outer: _np_outer})

norm = _tensor_norm
__all__ += ["norm"]


def linalg_exports() -> dict:
    """Functions that `ember.linalg` exposes."""
    return {"norm": linalg_norm, "vector_norm": vector_norm, "matrix_norm": matrix_norm,
            "matmul": matmul, "vecdot": _vecdot}


def _vecdot(x: Tensor, y: Tensor, *, dim: int = -1, out: Any = None) -> Tensor:
    """Dot product along dim, broadcasting (torch.linalg.vecdot)."""
    return einsum("...i,...i->...", x.movedim(dim, -1) if dim != -1 else x,
                  y.movedim(dim, -1) if dim != -1 else y)
