"""One converter per ember op, registered with the opsets it supports.

A converter gets a `Builder` for one recorded call and returns the ONNX value name of each of
the call's outputs (one name, or a list). Adding an op is one function:

    @register(ops.SomeFunction, opsets=(17, None))
    def _some(b):
        return b.op("OnnxOp", [b.x(0)], attr=...)

Register by the `Function` class the op applies (or a pseudo-op name for the few ops that
bypass `Function.apply`, e.g. comparisons, see export.py).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..ops import activation as act
from ..ops import attention as attn
from ..ops import elementwise as ew
from ..ops import indexing as ix
from ..ops import linalg as la
from ..ops import nn_ops, norm, reduce, shape
from ._graph import INT64_MAX, Builder

REGISTRY: dict = {}     # Function class or pseudo-op name -> (converter, min opset, max opset)


def register(*ops: Any, opsets: tuple = (17, None)) -> Any:
    """Decorator: `fn(builder)` converts each of `ops`; `opsets` = (lowest, highest or None)."""
    def deco(fn: Any) -> Any:
        for op in ops:
            REGISTRY[op] = (fn, opsets[0], opsets[1])
        return fn
    return deco


def lookup(op: Any, opset: int) -> tuple:
    """(converter or None, why not): the converter for `op` at `opset`."""
    entry = REGISTRY.get(op)
    if entry is None:
        return None, "no ONNX converter"
    fn, lo, hi = entry
    if opset < lo or (hi is not None and opset > hi):
        return None, f"its converter supports opsets {lo}..{hi or 'newest'}"
    return fn, ""


def onnx_dtype(dtype: Any) -> int:
    from onnx import helper
    return helper.np_dtype_to_tensor_dtype(np.dtype(dtype))


def _float(b: Builder, i: int) -> str:
    """Argument i cast to the output's (float) dtype."""
    return b.x(i, b.out.dtype)


# ----------------------------------------------------------------------------- elementwise
_BINARY = {ew.Add: "Add", ew.Sub: "Sub", ew.Mul: "Mul", ew.Div: "Div", ew.Pow: "Pow",
           ew.Maximum: "Max", ew.Minimum: "Min"}


@register(*_BINARY)
def _binary(b: Builder) -> str:
    dt = b.out.dtype
    if b.call.op is ew.Pow and not isinstance(b.args[1], np.ndarray) \
            and not hasattr(b.args[1], "_data"):
        return b.op("Pow", [b.x(0, dt), b.scalar(b.args[1])])
    return b.op(_BINARY[b.call.op], [b.x(0, dt), b.x(1, dt)])


@register(ew.DivMode)
def _div_mode(b: Builder) -> str:
    dt = b.out.dtype
    q = b.op("Div", [b.x(0, dt), b.x(1, dt)])
    if dt.kind != "f":
        if b.args[2] == "trunc":
            return q        # ONNX integer Div truncates
        f = b.op("Div", [b.x(0, np.float64), b.x(1, np.float64)], dtype=np.float64)
        return b.cast(b.op("Floor", [f], dtype=np.float64), dt)
    if b.args[2] == "floor":
        return b.op("Floor", [q])
    return b.op("Where", [b.op("Less", [q, b.scalar(0)], dtype=bool), b.op("Ceil", [q]),
                          b.op("Floor", [q])])


_UNARY = {ew.Neg: "Neg", ew.Abs: "Abs", ew.Relu: "Relu", ew.Sigmoid: "Sigmoid",
          ew.Sqrt: "Sqrt", ew.Reciprocal: "Reciprocal", ew.Exp: "Exp", ew.Log: "Log",
          ew.Sin: "Sin", ew.Cos: "Cos", ew.Tan: "Tan", ew.Asin: "Asin", ew.Acos: "Acos",
          ew.Atan: "Atan", ew.Sinh: "Sinh", ew.Cosh: "Cosh", ew.Tanh: "Tanh",
          ew.Asinh: "Asinh", ew.Acosh: "Acosh", ew.Atanh: "Atanh", ew.Erf: "Erf",
          ew.Floor: "Floor", ew.Ceil: "Ceil", ew.Sign: "Sign", act.Softsign: "Softsign"}


@register(*_UNARY)
def _unary(b: Builder) -> str:
    return b.op(_UNARY[b.call.op], [b.x(0, b.out.dtype)])


@register(ew.Trunc)
def _trunc(b: Builder) -> str:
    x = b.x(0, b.out.dtype)
    return b.op("Mul", [b.op("Floor", [b.op("Abs", [x])]), b.op("Sign", [x])])


@register(ew.Round)
def _round(b: Builder) -> str:
    x = b.x(0, b.out.dtype)
    if not b.args[1]:
        return b.op("Round", [x])
    s = b.scalar(10.0 ** b.args[1])
    return b.op("Div", [b.op("Round", [b.op("Mul", [x, s])]), s])


@register(ew.Square)
def _square(b: Builder) -> str:
    x = b.x(0, b.out.dtype)
    return b.op("Mul", [x, x])


@register(ew.Rsqrt)
def _rsqrt(b: Builder) -> str:
    return b.op("Reciprocal", [b.op("Sqrt", [b.x(0, b.out.dtype)])])


@register(ew.Expm1, ew.Log1p, ew.Exp2, ew.Log2, ew.Log10)
def _exp_log(b: Builder) -> str:
    x, one = b.x(0, b.out.dtype), b.scalar(1)
    op = b.call.op
    if op is ew.Expm1:
        return b.op("Sub", [b.op("Exp", [x]), one])
    if op is ew.Log1p:
        return b.op("Log", [b.op("Add", [x, one])])
    if op is ew.Exp2:
        return b.op("Pow", [b.scalar(2), x])
    return b.op("Div", [b.op("Log", [x]), b.scalar(math.log(2 if op is ew.Log2 else 10))])


@register(ew.Clamp)
def _clamp(b: Builder) -> str:
    dt = b.out.dtype
    x = b.x(0, dt)
    lo, hi = b.args[1], b.args[2]
    if not (isinstance(lo, np.ndarray) or isinstance(hi, np.ndarray)
            or hasattr(lo, "_data") or hasattr(hi, "_data")):
        return b.op("Clip", [x, "" if lo is None else b.scalar(lo),
                             "" if hi is None else b.scalar(hi)])
    if lo is not None:
        x = b.op("Max", [x, b.x(1, dt)])
    if hi is not None:
        x = b.op("Min", [x, b.x(2, dt)])
    return x


@register(ew.Where)
def _where(b: Builder) -> str:
    dt = b.out.dtype
    return b.op("Where", [b.x(0, bool), b.x(1, dt), b.x(2, dt)])


@register(ew.ToCopy)
def _to(b: Builder) -> str:
    return b.op("Cast", [b.x(0)], to=onnx_dtype(b.out.dtype))


@register(shape.Clone)
def _identity(b: Builder) -> str:
    return b.op("Identity", [b.x(0)])


@register(ix.MaskedFill)
def _masked_fill(b: Builder) -> str:
    return b.op("Where", [b.x(1, bool), b.scalar(b.args[2]), b.x(0, b.out.dtype)])


# ----------------------------------------------------------------------------- comparisons
_COMPARE = {"eq": "Equal", "lt": "Less", "le": "LessOrEqual", "gt": "Greater",
            "ge": "GreaterOrEqual", "ne": "Equal", "logical_and": "And", "logical_or": "Or",
            "logical_xor": "Xor"}


@register(*_COMPARE)
def _compare(b: Builder) -> str:
    from .._backend import result_type
    name = b.call.op
    dt = bool if name.startswith("logical") else result_type(
        *(a._data if hasattr(a, "_data") else a for a in b.args[:2]))
    y = b.op(_COMPARE[name], [b.x(0, dt), b.x(1, dt)])
    return b.op("Not", [y]) if name == "ne" else y


@register("logical_not")
def _not(b: Builder) -> str:
    return b.op("Not", [b.x(0, bool)])


# ----------------------------------------------------------------------------- activations
@register(act.Hardtanh)
def _hardtanh(b: Builder) -> str:
    return b.op("Clip", [b.x(0), b.scalar(b.args[1]), b.scalar(b.args[2])])


@register(act.LeakyRelu)
def _leaky(b: Builder) -> str:
    return b.op("LeakyRelu", [b.x(0)], alpha=float(b.args[1]))


@register(act.Prelu)
def _prelu(b: Builder) -> str:
    x, w = b.x(0), b.x(1)
    nd, wn = b.args[0]._data.ndim, b.args[1]._data.size
    if wn > 1 and nd > 2:   # per channel (dim 1): weight (C,) -> (C, 1, ..., 1)
        w = b.op("Reshape", [w, b.ints([wn] + [1] * (nd - 2))])
    return b.op("PRelu", [x, w])


@register(act.Elu)
def _elu(b: Builder) -> str:
    x = b.x(0)
    alpha, scale, iscale = b.args[1:4]
    if scale == 1 and iscale == 1:
        return b.op("Elu", [x], alpha=float(alpha))
    if iscale == 1 and abs(alpha - 1.6732632423543772) < 1e-12 \
            and abs(scale - 1.0507009873554805) < 1e-12:
        return b.op("Selu", [x], alpha=float(alpha), gamma=float(scale))
    if scale == 1 and abs(iscale * alpha - 1) < 1e-12:
        return b.op("Celu", [x], alpha=float(alpha))
    neg = b.op("Mul", [b.scalar(alpha * scale),
                       b.op("Sub", [b.op("Exp", [b.op("Mul", [x, b.scalar(iscale)])]),
                                    b.scalar(1)])])
    return b.op("Where", [b.op("Greater", [x, b.scalar(0)], dtype=bool),
                          b.op("Mul", [x, b.scalar(scale)]), neg])


@register(act.Gelu)
def _gelu(b: Builder) -> str:
    x = b.x(0)
    tanh = bool(b.args[1])
    if b.opset >= 20:
        return b.op("Gelu", [x], approximate="tanh" if tanh else "none")
    half = b.op("Mul", [x, b.scalar(0.5)])
    if tanh:   # 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
        x3 = b.op("Mul", [b.op("Mul", [x, x]), x])
        inner = b.op("Mul", [b.op("Add", [x, b.op("Mul", [x3, b.scalar(0.044715)])]),
                             b.scalar(math.sqrt(2 / math.pi))])
        t = b.op("Tanh", [inner])
    else:      # 0.5·x·(1 + erf(x/√2))
        t = b.op("Erf", [b.op("Mul", [x, b.scalar(1 / math.sqrt(2))])])
    return b.op("Mul", [half, b.op("Add", [t, b.scalar(1)])])


@register(act.Silu)
def _silu(b: Builder) -> str:
    x = b.x(0)
    return b.op("Mul", [x, b.op("Sigmoid", [x])])


@register(act.Mish)
def _mish(b: Builder) -> str:
    x = b.x(0)
    return b.op("Mul", [x, b.op("Tanh", [b.op("Softplus", [x])])])


@register(act.Hardsigmoid)
def _hardsigmoid(b: Builder) -> str:
    return b.op("HardSigmoid", [b.x(0)], alpha=1 / 6, beta=0.5)


@register(act.Hardswish)
def _hardswish(b: Builder) -> str:
    return b.op("HardSwish", [b.x(0)])


@register(act.Softplus)
def _softplus(b: Builder) -> str:
    x = b.x(0)
    beta, threshold = float(b.args[1]), float(b.args[2])
    bx = x if beta == 1 else b.op("Mul", [x, b.scalar(beta)])
    sp = b.op("Softplus", [bx])
    if beta != 1:
        sp = b.op("Div", [sp, b.scalar(beta)])
    return b.op("Where", [b.op("Greater", [bx, b.scalar(threshold)], dtype=bool), x, sp])


@register(act.Shrink)
def _shrink(b: Builder) -> str:
    lambd, soft = float(b.args[1]), bool(b.args[2])
    if soft:
        return b.op("Shrink", [b.x(0)], lambd=lambd, bias=lambd)
    x = b.x(0)
    keep = b.op("Greater", [b.op("Abs", [x]), b.scalar(lambd)], dtype=bool)
    return b.op("Where", [keep, x, b.scalar(0)])


@register(act.Tanhshrink)
def _tanhshrink(b: Builder) -> str:
    x = b.x(0)
    return b.op("Sub", [x, b.op("Tanh", [x])])


@register(act.Threshold)
def _threshold(b: Builder) -> str:
    x = b.x(0)
    return b.op("Where", [b.op("Greater", [x, b.scalar(b.args[1])], dtype=bool), x,
                          b.scalar(b.args[2])])


@register(act.LogSigmoid)
def _logsigmoid(b: Builder) -> str:   # -softplus(-x)
    return b.op("Neg", [b.op("Softplus", [b.op("Neg", [b.x(0)])])])


@register(act.Glu)
def _glu(b: Builder) -> str:
    a, g = b.op("Split", [b.x(0)], n_out=2, axis=int(b.args[1]),
                **({"num_outputs": 2} if b.opset >= 18 else {}))
    return b.op("Mul", [a, b.op("Sigmoid", [g])])


@register(act.Softmax, act.LogSoftmax)
def _softmax(b: Builder) -> str:
    return b.op("Softmax" if b.call.op is act.Softmax else "LogSoftmax", [b.x(0)],
                axis=int(b.args[1]))


@register(attn._Softmax)
def _softmax_last(b: Builder) -> str:
    y = b.op("Softmax", [b.x(0)], axis=-1)
    if not b.args[1]:
        return y    # safe: a row that is all -inf gives zeros, not NaN
    return b.op("Where", [b.op("IsNaN", [y], dtype=bool), b.scalar(0), y])


# ----------------------------------------------------------------------------- nn layers
@register(nn_ops.Linear)
def _linear(b: Builder) -> str:
    x, w = b.x(0), b.x(1)
    has_bias = b.args[2] is not None
    if b.args[0]._data.ndim == 2:
        return b.op("Gemm", [x, w] + ([b.x(2)] if has_bias else []), transB=1)
    y = b.op("MatMul", [x, b.op("Transpose", [w], perm=[1, 0])])
    return b.op("Add", [y, b.x(2)]) if has_bias else y


@register(la.MatMul)
def _matmul(b: Builder) -> str:
    dt = b.out.dtype
    return b.op("MatMul", [b.x(0, dt), b.x(1, dt)])


@register(nn_ops._Embedding)
def _embedding(b: Builder) -> str:
    if b.args[3]:
        raise NotImplementedError("scale_grad_by_freq changes only gradients")
    return b.op("Gather", [b.x(0), b.x(1)], axis=0)


@register(nn_ops._ConstantPad)
def _pad(b: Builder) -> str:
    width = b.args[1]        # per dim (before, after)
    pads = [int(p[0]) for p in width] + [int(p[1]) for p in width]
    return b.op("Pad", [b.x(0), b.ints(pads), b.scalar(b.args[2])], mode="constant")


@register(norm.BatchNorm)
def _batch_norm(b: Builder) -> str:
    x, rm, rv, w, bias, training, _momentum, eps = b.args
    c = x._data.shape[1]
    dt = b.out.dtype
    if training or rm is None:   # batch statistics (no running stats, or instance_norm)
        xs = b.x(0)
        axes = [0] + list(range(2, x._data.ndim))
        d = b.op("Sub", [xs, _reduce(b, "ReduceMean", xs, axes, True)])
        var = _reduce(b, "ReduceMean", b.op("Mul", [d, d]), axes, True)
        y = b.op("Div", [d, b.op("Sqrt", [b.op("Add", [var, b.scalar(eps)])])])
        bshape = b.ints([c] + [1] * (x._data.ndim - 2))
        if w is not None:
            y = b.op("Mul", [y, b.op("Reshape", [b.x(3), bshape])])
        if bias is not None:
            y = b.op("Add", [y, b.op("Reshape", [b.x(4), bshape])])
        return y
    scale = b.x(3) if w is not None else b.scalar(np.ones(c))
    shift = b.x(4) if bias is not None else b.scalar(np.zeros(c))
    return b.op("BatchNormalization", [b.x(0), scale, shift, b.x(1, dt), b.x(2, dt)],
                epsilon=float(eps))


@register(norm.LayerNorm)
def _layer_norm(b: Builder) -> str:
    x, w, bias, k, eps = b.args
    shp = x._data.shape[x._data.ndim - k:]
    scale = b.x(1) if w is not None else b.scalar(np.ones(shp))
    ins = [b.x(0), scale] + ([b.x(2)] if bias is not None else [])
    return b.op("LayerNormalization", ins, axis=-k, epsilon=float(eps))


@register(norm.RMSNorm)
def _rms_norm(b: Builder) -> str:
    x, w, k, eps = b.args
    xs = b.x(0)
    axes = list(range(-k, 0))
    ms = _reduce(b, "ReduceMean", b.op("Mul", [xs, xs]), axes, True)
    y = b.op("Mul", [xs, b.op("Reciprocal", [b.op("Sqrt", [b.op("Add", [ms, b.scalar(
        np.finfo(b.out.dtype).eps if eps is None else eps)])])])])
    return b.op("Mul", [y, b.x(1)]) if w is not None else y


@register(norm.GroupNorm)
def _group_norm(b: Builder) -> str:
    x, w, bias, groups, eps = b.args
    nd, c = x._data.ndim, x._data.shape[1]
    # normalise (N, G, -1) with ReduceMean, then the per-channel affine
    xs = b.x(0)
    shp = b.op("Shape", [xs], dtype=np.int64)
    g = b.op("Reshape", [xs, b.ints([0, groups, -1])])
    mean = _reduce(b, "ReduceMean", g, [2], True)
    d = b.op("Sub", [g, mean])
    var = _reduce(b, "ReduceMean", b.op("Mul", [d, d]), [2], True)
    y = b.op("Div", [d, b.op("Sqrt", [b.op("Add", [var, b.scalar(eps)])])])
    y = b.op("Reshape", [y, shp])
    bshape = b.ints([c] + [1] * (nd - 2))
    if w is not None:
        y = b.op("Mul", [y, b.op("Reshape", [b.x(1), bshape])])
    if bias is not None:
        y = b.op("Add", [y, b.op("Reshape", [b.x(2), bshape])])
    return y


# ----------------------------------------------------------------------------- shape ops
def reshape_target(src: tuple, dst: tuple, dyn: Any = ()) -> list:
    """Reshape's shape input that stays right when leading dims change size: dims that repeat
    the input's leading dims copy them (0), one other dim that is not 1 is inferred (-1): the
    first whose size is a dynamic axis' example size (`dyn`), else the first: (B, T, E) ->
    (B*T, E) gives [-1, E], (N, C, L) -> (1, N*C, L) gives [1, -1, L], (T*B, E) -> (T, B, E)
    with B dynamic gives [T, -1, E]."""
    out = []
    i = 0
    while i < min(len(src), len(dst)) and src[i] == dst[i] and dst[i] != 0:
        out.append(0)
        i += 1
    rest = list(dst[i:])
    big = [j for j, d in enumerate(rest) if d != 1]
    big = [j for j in big if rest[j] in dyn] + big
    if big and 0 not in rest:
        rest[big[0]] = -1
    return out + rest


@register(shape.View)
def _view(b: Builder) -> str:
    src, dst = b.args[0]._data.shape, b.out.shape
    if src == dst:
        return b.op("Identity", [b.x(0)])
    return b.op("Reshape", [b.x(0), b.ints(reshape_target(src, dst, b.g.dyn_sizes))])


@register(shape.Permute)
def _permute(b: Builder) -> str:
    return b.op("Transpose", [b.x(0)], perm=[int(a) for a in b.args[1]])


@register(shape.Expand)
def _expand(b: Builder) -> str:
    src = b.args[0]._data.shape
    dst = b.out.shape
    lead = len(dst) - len(src)
    # ONNX Expand broadcasts both ways, so 1 keeps the input's own (maybe dynamic) size
    target = [d if i < lead or src[i - lead] != d else 1 for i, d in enumerate(dst)]
    return b.op("Expand", [b.x(0), b.ints(target)])


@register(shape.Cat)
def _cat(b: Builder) -> str:
    dt = b.out.dtype
    xs = [b.value(a, dt) for a in b.args[1:]
          if not (hasattr(a, "_data") and a._data.shape == (0,))]
    packed = next((b.g.packed[v] for v in xs if v in b.g.packed), None)
    if packed is None:
        return b.op("Concat", xs, axis=int(b.args[0]))
    # packed data (N, F) is (T, B, F) in ONNX: only features (a bidirectional layer) concatenate
    if int(b.args[0]) not in (1, -1) or not all(v in b.g.packed for v in xs):
        raise NotImplementedError("concatenating packed sequence data other than along the "
                                  "features (dim -1) with other packed data")
    y = b.op("Concat", xs, axis=-1)
    b.g.packed[y] = packed
    return y


@register(shape.Stack)
def _stack(b: Builder) -> str:
    dt, dim = b.out.dtype, int(b.args[0])
    axes = b.ints([dim])
    xs = [b.op("Unsqueeze", [b.value(a, dt), axes]) for a in b.args[1:]]
    return b.op("Concat", xs, axis=dim)


@register(shape.Split)
def _split(b: Builder) -> list:
    x, indices, dim = b.args[0], list(b.args[1]), int(b.args[2])
    bounds = [0, *indices, x._data.shape[dim]]
    sizes = [bounds[i + 1] - bounds[i] for i in range(len(bounds) - 1)]
    if len(sizes) == 1:
        return [b.op("Identity", [b.x(0)])]
    return b.op("Split", [b.x(0), b.ints(sizes)], n_out=len(sizes), axis=dim)


@register(shape.Unbind)
def _unbind(b: Builder) -> list:
    dim = int(b.args[1])
    n = b.args[0]._data.shape[dim]
    axes = b.ints([dim])
    parts = [b.x(0)] if n == 1 else b.op("Split", [b.x(0), b.ints([1] * n)], n_out=n, axis=dim)
    return [b.op("Squeeze", [p, axes]) for p in parts]


@register(shape.Narrow)
def _narrow(b: Builder) -> str:
    _, dim, start, length = b.args
    return b.op("Slice", [b.x(0), b.ints([start]), b.ints([start + length]), b.ints([dim])])


@register(shape.Repeat)
def _repeat(b: Builder) -> str:
    x, reps = b.x(0), list(b.args[1])
    extra = len(reps) - b.args[0]._data.ndim
    if extra:
        x = b.op("Unsqueeze", [x, b.ints(list(range(extra)))])
    return b.op("Tile", [x, b.ints(reps)])


@register(shape.Flip)
def _flip(b: Builder) -> str:
    axes = [int(a) for a in b.args[1]]
    n = len(axes)
    return b.op("Slice", [b.x(0), b.ints([-1] * n), b.ints([-INT64_MAX] * n), b.ints(axes),
                          b.ints([-1] * n)])


@register(shape.Tri)
def _tri(b: Builder) -> str:
    return b.op("Trilu", [b.x(0), b.g.const(int(b.args[1]), np.int64)],
                upper=int(bool(b.args[2])))


@register(ix.Index)
def _index(b: Builder) -> str:
    key, kind = b.args[1], b.args[2]
    src = b.args[0]._data.shape
    if kind not in (0, 2) or any(k is Ellipsis for k in key):
        raise NotImplementedError(f"indexing with key {key!r} (boolean masks, several index "
                                  "arrays or an Ellipsis)")
    x = b.x(0)
    starts, ends, axes, steps, squeeze, gathers, unsq = [], [], [], [], [], [], []
    d = 0          # input dim
    o = 0          # output dim before squeezing
    for k in key:
        if k is None:
            unsq.append(o)
            o += 1
            continue
        if isinstance(k, slice):
            st, sp, stp = k.indices(src[d])
            if not (st == 0 and stp == 1 and sp >= src[d]):
                starts.append(st)
                ends.append(INT64_MAX if sp >= src[d] else (-INT64_MAX if sp < 0 else sp))
                axes.append(d)
                steps.append(stp)
            o += 1
        elif isinstance(k, np.ndarray):
            gathers.append((d, k))
            o += 1
        else:
            i = int(k)
            starts.append(i)
            ends.append(i + 1 if i != -1 else INT64_MAX)
            axes.append(d)
            steps.append(1)
            squeeze.append(d)
        d += 1
    if axes:
        x = b.op("Slice", [x, b.ints(starts), b.ints(ends), b.ints(axes), b.ints(steps)])
    for dim, idx in gathers:   # a single index array (kind ADVANCED)
        if _is_perm(b.g, idx):   # a packed sequence's (un)sorting: ONNX keeps batch order
            continue
        x = b.op("Gather", [x, b.g.const(idx.astype(np.int64), np.int64)], axis=dim)
    if len(gathers) > 1 or any(g[1].ndim != 1 for g in gathers):
        raise NotImplementedError("indexing with several or multi-dimensional index arrays")
    if squeeze:
        x = b.op("Squeeze", [x, b.ints(squeeze)])
    if unsq:
        x = b.op("Unsqueeze", [x, b.ints(unsq)])
    return x


# ----------------------------------------------------------------------------- reductions
def _reduce(b: Builder, op: str, x: str, axes: Any, keepdim: bool, dtype: Any = None) -> str:
    """ReduceX with keepdims explicit; axes as an input from opset 18 (13 for ReduceSum)."""
    attrs: dict = {"keepdims": int(bool(keepdim))}
    ins = [x]
    if axes is not None:
        axes = [int(a) for a in axes]
        if op == "ReduceSum" or b.opset >= 18:
            ins.append(b.ints(axes))
        else:
            attrs["axes"] = axes
    return b.op(op, ins, dtype=dtype, **attrs)


_REDUCE = {reduce.Sum: "ReduceSum", reduce.Mean: "ReduceMean", reduce.Prod: "ReduceProd",
           reduce.AMax: "ReduceMax", reduce.AMin: "ReduceMin", reduce.MaxAll: "ReduceMax",
           reduce.MinAll: "ReduceMin", reduce.LogSumExp: "ReduceLogSumExp"}


@register(*_REDUCE)
def _reduction(b: Builder) -> str:
    op = b.call.op
    keepdim = b.args[2] if len(b.args) > 2 else False
    axes = b.args[1] if len(b.args) > 1 else None
    return _reduce(b, _REDUCE[op], b.x(0, b.out.dtype), axes, keepdim)


@register(reduce.Var, reduce.Std)
def _var(b: Builder) -> str:
    x = b.x(0, b.out.dtype)
    _, axes, correction, keepdim = b.args
    shp = b.args[0]._data.shape
    n = math.prod(shp[a] for a in (range(len(shp)) if axes is None else axes))
    mean = _reduce(b, "ReduceMean", x, axes, True)
    d = b.op("Sub", [x, mean])
    ss = _reduce(b, "ReduceSum", b.op("Mul", [d, d]), axes, keepdim)
    c = 1 if correction is None else correction
    v = b.op("Div", [ss, b.scalar(max(n - c, 0))])
    return b.op("Sqrt", [v]) if b.call.op is reduce.Std else v


@register(reduce.CumSum)
def _cumsum(b: Builder) -> str:
    return b.op("CumSum", [b.x(0, b.out.dtype), b.g.const(int(b.args[1]), np.int64)])


@register(la.VectorNorm)
def _vector_norm(b: Builder) -> str:
    _, ordv, axes, keepdim = b.args
    x = b.x(0, b.out.dtype)
    ops = {2: "ReduceL2", 1: "ReduceL1", math.inf: "ReduceMax", -math.inf: "ReduceMin"}
    if ordv not in ops:
        p = b.scalar(ordv)
        s = _reduce(b, "ReduceSum", b.op("Pow", [b.op("Abs", [x]), p]), axes, keepdim)
        return b.op("Pow", [s, b.scalar(1 / ordv)])
    if abs(ordv) == math.inf:
        x = b.op("Abs", [x])
    return _reduce(b, ops[ordv], x, axes, keepdim)


# ----------------------------------------------------------------------------- conv, pad
from ..ops import conv as cv  # noqa: E402
from ..ops import pool as pl  # noqa: E402


def _begins_ends(pads: Any) -> list:
    """((lo, hi), ...) per spatial dim -> ONNX's [begins..., ends...]."""
    return [int(p[0]) for p in pads] + [int(p[1]) for p in pads]


@register(cv.ConvNd)
def _conv(b: Builder) -> str:
    x, w, bias, (stride, pads, dil, groups) = b.args[:4]
    ins = [b.x(0), b.x(1)] + ([b.x(2)] if bias is not None else [])
    return b.op("Conv", ins, kernel_shape=list(w._data.shape[2:]), strides=list(stride),
                pads=_begins_ends(pads), dilations=list(dil), group=int(groups))


@register(cv.ConvTransposeNd)
def _conv_transpose(b: Builder) -> str:
    x, w, bias, (stride, pads, dil, groups), out_shape = b.args[:5]
    k = w._data.shape[2:]
    sp = x._data.shape[2:]
    # torch's size: (i-1)s - 2p + d(k-1) + 1 + output_padding
    opad = [o - ((i - 1) * s - lo - hi + d * (kk - 1) + 1) for o, i, s, (lo, hi), d, kk in
            zip(out_shape[2:], sp, stride, pads, dil, k)]
    ins = [b.x(0), b.x(1)] + ([b.x(2)] if bias is not None else [])
    return b.op("ConvTranspose", ins, kernel_shape=list(k), strides=list(stride),
                pads=_begins_ends(pads), dilations=list(dil), group=int(groups),
                output_padding=[int(v) for v in opad])


_PAD_MODES = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}


@register("pad")
def _pad_mode(b: Builder) -> str:
    x, pad, mode = b.args[0], tuple(int(p) for p in b.args[1]), b.args[2]
    if mode == "circular" and b.opset < 19:
        raise NotImplementedError("circular padding is ONNX Pad mode 'wrap', which needs "
                                  "opset 19 or newer")
    nd = x._data.ndim
    k = len(pad) // 2
    width = [(0, 0)] * (nd - k) + [(pad[2 * i], pad[2 * i + 1]) for i in reversed(range(k))]
    return b.op("Pad", [b.x(0), b.ints(_begins_ends(width))], mode=_PAD_MODES[mode])


# ----------------------------------------------------------------------------- pooling
def _batched(b: Builder, nd: int, emit: Any) -> Any:
    """Run emit(x) on (N, C, *S); an unbatched (C, *S) input gets a batch dim around it."""
    if b.args[0]._data.ndim == nd + 2:
        return emit(b.x(0))
    ax = b.ints([0])
    out = emit(b.op("Unsqueeze", [b.x(0), ax]))
    if isinstance(out, list):
        return [b.op("Squeeze", [o, ax], dtype=b.g.dtypes.get(o)) for o in out]
    return b.op("Squeeze", [out, ax])


def _ceil_needed(sp: tuple, k: tuple, s: tuple, p: tuple, d: tuple, out: tuple) -> int:
    return int(any(pl._out_size(n, kk, ss, pp, dd, False) != o
                   for n, kk, ss, pp, dd, o in zip(sp, k, s, p, d, out)))


@register(pl.MaxPool)
def _max_pool(b: Builder) -> Any:
    x, k, s, p, d, out, want_idx = b.args[:7]
    sp = x._data.shape[-len(k):]
    attrs = dict(kernel_shape=list(k), strides=list(s), pads=list(p) * 2, dilations=list(d),
                 ceil_mode=_ceil_needed(sp, k, s, p, d, out))

    def emit(v: str) -> Any:
        if not want_idx:
            return b.op("MaxPool", [v], **attrs)
        y, i = b.op("MaxPool", [v], n_out=2, dtype=[b.out.dtype, np.int64], **attrs)
        # ONNX flattens indices over N·C·S, torch per (N, C) plane
        return [y, b.op("Mod", [i, b.g.const(math.prod(sp), np.int64)], dtype=np.int64)]
    return _batched(b, len(k), emit)


@register("_avg_pool")
def _avg_pool(b: Builder) -> str:
    nd, x, ksize, stride, padding, ceil_mode, include_pad, divisor = b.args[:8]
    k, s, p, d, out = pl._pool_params(f"avg_pool{nd}d", x, nd, ksize, stride, padding, 1,
                                      ceil_mode)
    sp = tuple(x.shape)[-nd:]
    ceil = _ceil_needed(sp, k, s, p, d, out)
    if divisor is not None and ceil:
        raise NotImplementedError("divisor_override together with ceil_mode windows that "
                                  "leave the padded input")

    def emit(v: str) -> str:
        y = b.op("AveragePool", [v], kernel_shape=list(k), strides=list(s), pads=list(p) * 2,
                 ceil_mode=ceil, count_include_pad=int(bool(include_pad) or divisor is not None))
        if divisor is not None:   # sums over the window divided by the override
            y = b.op("Mul", [y, b.scalar(math.prod(k) / divisor)])
        return y
    b.args = (x,)
    return _batched(b, nd, emit)


def _adaptive(b: Builder, nd: int, sp: tuple, out: tuple, avg: bool) -> Any:
    name = "adaptive_avg_pool" if avg else "adaptive_max_pool"
    if all(o == 1 for o in out):
        return lambda v: b.op("GlobalAveragePool" if avg else "GlobalMaxPool", [v])
    if any(o == 0 or n % o for n, o in zip(sp, out)):
        raise NotImplementedError(
            f"{name}{nd}d from size {list(sp)} to {list(out)}: ONNX has no adaptive pooling; "
            "ember exports it only when the output is 1 (global pooling) or each input size "
            "is a multiple of the output size (a fixed-kernel pool)")
    k = [n // o for n, o in zip(sp, out)]
    op = "AveragePool" if avg else "MaxPool"
    return lambda v: b.op(op, [v], kernel_shape=k, strides=k)


@register("_adaptive_avg")
def _adaptive_avg(b: Builder) -> str:
    nd, x, size = b.args[:3]
    sp, out = pl._adaptive_sizes(f"adaptive_avg_pool{nd}d", x, nd, size)
    emit = _adaptive(b, nd, sp, out, True)
    b.args = (x,)
    return _batched(b, nd, emit)


@register(pl.AdaptiveMaxPool)
def _adaptive_max(b: Builder) -> list:
    x, out = b.args[0], tuple(b.args[1])
    nd = len(out)
    sp = x._data.shape[-nd:]
    emit = _adaptive(b, nd, sp, out, False)

    def both(v: str) -> list:
        y = emit(v)
        # the indices: only exportable by recomputing them; refuse if they are used
        return [y, b.g.fresh("adaptive_max_indices_unsupported")]
    return _batched(b, nd, both)


# ----------------------------------------------------------------------------- interpolate
@register("interpolate")
def _interpolate(b: Builder) -> str:
    x, size, scale_factor, mode, align_corners, recompute = b.args[:6]
    nd = x.dim() - 2
    sp = tuple(x.shape)[2:]
    if mode == "area":
        from ..ops.sampling import _as_list
        out = tuple(int(o) for o in _as_list(size, nd, "size", sp)) if size is not None else \
            tuple(int(math.floor(n * float(f))) for n, f in
                  zip(sp, _as_list(scale_factor, nd, "scale_factor", sp)))
        return _adaptive(b, nd, sp, out, True)(b.x(0))
    if isinstance(scale_factor, (int, float)):
        scale_factor = [scale_factor] * nd
    if isinstance(size, int):
        size = [size] * nd
    xv = b.x(0)
    if mode.startswith("nearest"):
        attrs = dict(mode="nearest", coordinate_transformation_mode="asymmetric",
                     nearest_mode="floor") if mode == "nearest" else dict(
            mode="nearest", coordinate_transformation_mode="half_pixel",
            nearest_mode="round_prefer_ceil")
    else:
        attrs = dict(mode="cubic" if mode == "bicubic" else "linear",
                     coordinate_transformation_mode="align_corners" if align_corners
                     else "pytorch_half_pixel")
        if mode == "bicubic":
            attrs["cubic_coeff_a"] = -0.75
    if scale_factor is not None and not recompute:
        scales = b.g.const([1.0, 1.0] + [float(f) for f in scale_factor], np.float32)
        return b.op("Resize", [xv, "", scales], **attrs)
    if size is None:   # recomputed scales: the output sizes
        size = [int(math.floor(n * float(f))) for n, f in zip(sp, scale_factor)]
    lead = b.op("Slice", [b.op("Shape", [xv], dtype=np.int64), b.ints([0]), b.ints([2])],
                dtype=np.int64)
    sizes = b.op("Concat", [lead, b.ints([int(s) for s in size])], dtype=np.int64, axis=0)
    return b.op("Resize", [xv, "", "", sizes], **attrs)


# ----------------------------------------------------------------------------- instance norm
@register("instance_norm")
def _instance_norm(b: Builder) -> str:
    x, _rm, _rv, w, bias, _use, _mom, eps = b.args[:8]
    c = x.shape[1]
    dt = b.out.dtype
    scale = b.x(3, dt) if w is not None else b.scalar(np.ones(c))
    shift = b.x(4, dt) if bias is not None else b.scalar(np.zeros(c))
    return b.op("InstanceNormalization", [b.x(0), scale, shift], epsilon=float(eps))


# ----------------------------------------------------------------------------- recurrent
from ..ops import rnn as rn  # noqa: E402

_RNN_OP = {"LSTM": "LSTM", "GRU": "GRU", "RNN_TANH": "RNN", "RNN_RELU": "RNN"}
_GATE_PERM = {"LSTM": (0, 3, 1, 2), "GRU": (1, 0, 2), "RNN_TANH": (0,), "RNN_RELU": (0,)}


def _rnn_weight(b: Builder, i: int, mode: str) -> tuple:
    """Argument i (a weight or bias) with its gate blocks in ONNX's order, as an array."""
    a = b.args[i]
    name = b.g.params.get(id(a), (None,))[0]
    if name is None and id(a) in b.g.names:
        raise NotImplementedError("recurrent weights computed inside the model (ember exports "
                                  "parameters or constants as RNN weights)")
    arr = a._data
    h = arr.shape[0] // len(_GATE_PERM[mode])
    return np.concatenate([arr[p * h:(p + 1) * h] for p in _GATE_PERM[mode]]), name


def _is_perm(g: Any, idx: Any) -> bool:
    """Whether an index array is (a view of) a packed sequence's sorted/unsorted indices."""
    while idx is not None:
        if id(idx) in g.perms:
            return True
        idx = idx.base
    return False


# ops that may take packed data (the padded (T, B, *) tensor in ONNX); others are refused
PACKED_OK = (rn.RecurrentLayer, shape.Cat, "pad_packed_sequence")


@register("pack_padded_sequence")
def _pack(b: Builder) -> str:
    # the packed data stays the padded input, time-major and in the caller's batch order; the
    # lengths become each recurrent node's sequence_lens (ONNX masks per batch entry natively)
    x, lengths, batch_first, _sorted = b.args
    rank = x._data.ndim
    xv = b.x(0)
    data = (b.op("Transpose", [xv], perm=[1, 0] + list(range(2, rank))) if batch_first
            else b.op("Identity", [xv]))
    lens = lengths if hasattr(lengths, "_data") else np.asarray(lengths, np.int64)
    lens64 = b.value(lens, np.int64)
    lens32 = b.cast(lens64, np.int32)
    b.g.packed[data] = (lens32, lens64, x._data.shape[1 if batch_first else 0])
    for a in b.call.outs[2:]:
        if a.dtype.kind in "iu":
            b.g.perms.add(id(a))
    return data


@register("pad_packed_sequence")
def _pad_packed(b: Builder) -> list:
    seq, batch_first, padding_value, total_length = b.args
    data = b.value(seq.data)
    info = b.g.packed.get(data)
    if info is None:
        raise NotImplementedError("a packed sequence not made by pack_padded_sequence inside "
                                  "the recorded forward")
    lens32, lens64, t_example = info
    dt = b.out.dtype
    ax0 = b.ints([0])
    if total_length is not None and total_length == t_example and t_example in b.g.dyn_sizes:
        y = data        # total_length=x.size(seq dim): the input's (dynamic) length
    else:
        # torch's length is the longest sequence's (or total_length): slice, then pad
        longest = b.op("ReduceMax", [lens64], dtype=np.int64, keepdims=1)
        y = b.op("Slice", [data, ax0, longest, ax0])
        if total_length is not None:
            more = b.op("Sub", [b.ints([int(total_length)]), longest], dtype=np.int64)
            r = b.out.ndim     # pads: every begin, then the ends (T's is `more`)
            pads = b.op("Concat", [b.ints([0] * r), more, b.ints([0] * (r - 1))],
                        dtype=np.int64, axis=0)
            y = b.op("Pad", [y, pads])
    if padding_value:      # ONNX's outputs are 0 past each length; torch's padding_value
        t_len = b.op("Gather", [b.op("Shape", [y], dtype=np.int64), b.g.const(0, np.int64)],
                     dtype=np.int64, axis=0)
        steps = b.op("Range", [b.g.const(0, np.int64), t_len, b.g.const(1, np.int64)],
                     dtype=np.int64)
        mask = b.op("Less", [b.op("Unsqueeze", [steps, b.ints([1])], dtype=np.int64),
                             b.op("Unsqueeze", [lens64, ax0], dtype=np.int64)], dtype=np.bool_)
        mask = b.op("Unsqueeze", [mask, b.ints(list(range(2, b.out.ndim)))], dtype=np.bool_)
        y = b.op("Where", [mask, y, b.scalar(padding_value, dt)])
    if batch_first:
        y = b.op("Transpose", [y], perm=[1, 0] + list(range(2, b.out.ndim)))
    return [y, lens64]


@register(rn.RecurrentLayer)
def _recurrent(b: Builder) -> list:
    x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, mode, reverse, batch_sizes, batch_first = b.args
    packed = None
    if batch_sizes is not None:
        packed = b.g.packed.get(b.g.names.get(id(x)))
        if packed is None:
            raise NotImplementedError(
                "packed sequences made outside the recorded forward: call "
                "nn.utils.rnn.pack_padded_sequence(x, lengths, ...) inside forward, with the "
                "lengths as a model input, so they export as the nodes' sequence_lens")
        batch_first = False          # packed data is time-major in ONNX
    if w_hr is not None:
        raise NotImplementedError(
            "LSTM with proj_size > 0: ONNX's LSTM node has no projection (h = W_hr (o * "
            "tanh c) feeds the recurrence), so it cannot be one LSTM node; export an LSTM with "
            "proj_size=0 followed by a Linear instead if that suits the model")
    g = b.g
    H = w_hh._data.shape[1]
    dt = b.out.dtype
    W, wname = _rnn_weight(b, 3, mode)
    R, rname = _rnn_weight(b, 4, mode)
    pre = wname.rsplit(".", 1)[0] + "." if wname else ""
    sfx = (wname.rsplit("weight_ih", 1)[-1] if wname and "weight_ih" in wname else
           f"_{len(g.nodes)}")
    ins = [g.add_init(f"{pre}W{sfx}.onnx", W[None].astype(dt)),
           g.add_init(f"{pre}R{sfx}.onnx", R[None].astype(dt))]
    if b_ih is not None:
        bi, _ = _rnn_weight(b, 5, mode)
        bh, _ = _rnn_weight(b, 6, mode)
        ins.append(g.add_init(f"{pre}B{sfx}.onnx", np.concatenate([bi, bh])[None].astype(dt)))
    else:
        ins.append("")
    xv = b.x(0)
    if batch_first:
        xv = b.op("Transpose", [xv], perm=[1, 0, 2])
    ax0 = b.ints([0])
    ins = [xv] + ins + [packed[0] if packed else ""]   # X, W, R, B, sequence_lens
    ins.append(b.op("Unsqueeze", [b.x(1), ax0]) if h0 is not None else "")
    if mode == "LSTM":
        ins.append(b.op("Unsqueeze", [b.x(2), ax0]) if c0 is not None else "")
    attrs: dict = {"hidden_size": int(H), "direction": "reverse" if reverse else "forward"}
    if mode == "GRU":
        attrs["linear_before_reset"] = 1
    elif mode != "LSTM":
        attrs["activations"] = ["Relu" if mode == "RNN_RELU" else "Tanh"]
    while ins and ins[-1] == "":
        ins.pop()
    n_out = 3 if mode == "LSTM" else 2
    outs = b.op(_RNN_OP[mode], ins, n_out=n_out, **attrs)
    y = b.op("Squeeze", [outs[0], b.ints([1])])     # (T, 1, B, H) -> (T, B, H)
    if batch_first:
        y = b.op("Transpose", [y], perm=[1, 0, 2])
    if packed:
        g.packed[y] = packed
    return [y] + [b.op("Squeeze", [o, ax0]) for o in outs[1:]]
