"""`ember.onnx.load`: an ONNX file as an ember Module that runs the graph with ember ops.
Float initializers become Parameters (named as in the file, so `fc1.weight` stays
`fc1.weight`), so the model can be fine-tuned; other initializers are constants."""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np

import ember

from ..nn.module import Module
from ..nn.parameter import Parameter

OPS: dict = {}    # ONNX op type -> fn(module, node, inputs: list[Tensor|None], attrs) -> outputs


def op(*names: str) -> Any:
    def deco(fn: Any) -> Any:
        for n in names:
            OPS[n] = fn
        return fn
    return deco


def _ints(t: Any) -> list:
    return [int(v) for v in np.asarray(t._data if hasattr(t, "_data") else t).reshape(-1)]


class OnnxModule(Module):
    """Runs an ONNX graph with ember ops; call with the graph's inputs (positional, in order,
    or by name). Returns one Tensor, or a tuple for several outputs."""

    def __init__(self, model: Any) -> None:
        super().__init__()
        from onnx import numpy_helper
        g = model.graph
        self._opset = next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")),
                           0)
        self._consts: dict = {}
        self._params: dict = {}
        for t in g.initializer:
            arr = numpy_helper.to_array(t).copy()
            if arr.dtype.kind == "f":
                self._params[t.name] = self._add_param(t.name, arr)
            else:
                self._consts[t.name] = ember.tensor(arr)
        inits = {t.name for t in g.initializer}
        self._inputs = [i.name for i in g.input if i.name not in inits]
        self._outputs = [o.name for o in g.output]
        self._nodes = [(n.op_type, n.domain, list(n.input), list(n.output), n.name,
                        {a.name: _attr(a) for a in n.attribute}) for n in g.node]
        unknown = [f"{t} (node {nm or '?'})" for t, d, _, _, nm, _ in self._nodes
                   if t not in OPS or d not in ("", "ai.onnx")]
        if unknown:
            raise NotImplementedError(
                f"ember.onnx.load: cannot run these ONNX ops at opset {self._opset}: "
                + ", ".join(dict.fromkeys(unknown)))

    def _add_param(self, name: str, arr: np.ndarray) -> Parameter:
        p = Parameter(ember.tensor(arr))
        parts = name.split(".")
        ok = all(re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*|\d+", s) for s in parts)
        owner = self
        if ok and len(parts) > 1:
            for s in parts[:-1]:
                sub = owner._modules.get(s) if hasattr(owner, "_modules") else None
                if sub is None:
                    if s in owner.__dict__:
                        ok = False
                        break
                    sub = Module()
                    owner.add_module(s, sub)
                owner = sub
        if not ok or parts[-1] in owner.__dict__ or not re.fullmatch(
                r"[A-Za-z_][A-Za-z0-9_]*|\d+", parts[-1]):
            owner, leaf = self, "p_" + re.sub(r"\W", "_", name)
        else:
            leaf = parts[-1]
        owner.register_parameter(leaf, p)
        return p

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        if len(args) + len(kwargs) != len(self._inputs):
            raise TypeError(f"ember.onnx.load: the graph takes inputs {self._inputs}, got "
                            f"{len(args)} positional and {sorted(kwargs)} keyword")
        env: dict = dict(self._consts)
        env.update(self._params)
        env[""] = None
        for name, a in zip(self._inputs, args):
            env[name] = a if isinstance(a, ember.Tensor) else ember.tensor(np.asarray(a))
        for name in self._inputs[len(args):]:
            if name not in kwargs:
                raise TypeError(f"ember.onnx.load: missing input {name!r}")
            env[name] = kwargs[name]
        for op_type, _, ins, outs, nm, attrs in self._nodes:
            self.__dict__["_cur"] = op_type
            try:
                res = OPS[op_type](self, [env[i] for i in ins], attrs, len(outs))
            except (KeyError, NotImplementedError) as exc:
                raise NotImplementedError(
                    f"ember.onnx.load: cannot run {op_type} (node {nm or '?'}) at opset "
                    f"{self._opset}: {exc}") from None
            for o, r in zip(outs, res if isinstance(res, (tuple, list)) else (res,)):
                env[o] = r
        out = tuple(env[o] for o in self._outputs)
        return out[0] if len(out) == 1 else out


def _attr(a: Any) -> Any:
    from onnx import helper, numpy_helper
    v = helper.get_attribute_value(a)
    if isinstance(v, bytes):
        return v.decode()
    if hasattr(v, "dims"):   # a TensorProto
        return numpy_helper.to_array(v)
    if isinstance(v, list) and v and isinstance(v[0], bytes):
        return [s.decode() for s in v]
    return v


def load(f: Any) -> OnnxModule:
    """An ONNX file (path, bytes or binary file object) as an ember Module (beyond torch)."""
    import onnx
    if isinstance(f, (bytes, bytearray)):
        model = onnx.load_from_string(bytes(f))
    else:
        model = onnx.load(f)
    return OnnxModule(model)


# ----------------------------------------------------------------------------- ops
def _t(v: Any) -> Any:
    return v if isinstance(v, ember.Tensor) else ember.tensor(np.asarray(v))


@op("Identity", "Dropout")
def _identity(m: Any, x: list, a: dict, n: int) -> Any:
    return (x[0],) + ((ember.ones(x[0].shape, dtype=ember.bool),) if n > 1 else ())


@op("Constant")
def _constant(m: Any, x: list, a: dict, n: int) -> Any:
    for k in ("value", "value_float", "value_int", "value_floats", "value_ints"):
        if k in a:
            return ember.tensor(np.asarray(a[k]))
    raise NotImplementedError(f"Constant with attributes {sorted(a)}")


_BIN = {"Add": ember.add, "Sub": ember.sub, "Mul": ember.mul, "Pow": ember.pow,
        "Equal": ember.eq, "Less": ember.lt, "LessOrEqual": ember.le, "Greater": ember.gt,
        "GreaterOrEqual": ember.ge, "And": ember.logical_and, "Or": ember.logical_or,
        "Xor": ember.logical_xor}


@op(*_BIN)
def _binary(m: Any, x: list, a: dict, n: int) -> Any:
    return _BIN[m._cur](x[0], x[1])


@op("Div")
def _div(m: Any, x: list, a: dict, n: int) -> Any:
    if x[0].dtype.is_floating_point:
        return ember.div(x[0], x[1])
    return ember.div(x[0], x[1], rounding_mode="trunc")


_UN = {"Neg": ember.neg, "Abs": ember.abs, "Relu": ember.relu, "Sigmoid": ember.sigmoid,
       "Sqrt": ember.sqrt, "Reciprocal": ember.reciprocal, "Exp": ember.exp, "Log": ember.log,
       "Sin": ember.sin, "Cos": ember.cos, "Tan": ember.tan, "Tanh": ember.tanh,
       "Erf": ember.erf, "Floor": ember.floor, "Ceil": ember.ceil, "Sign": ember.sign,
       "Not": ember.logical_not, "Round": ember.round, "Asin": ember.asin, "Acos": ember.acos,
       "Atan": ember.atan, "Sinh": ember.sinh, "Cosh": ember.cosh,
       "Softsign": ember.nn.functional.softsign, "IsNaN": ember.isnan}


@op(*_UN)
def _unary(m: Any, x: list, a: dict, n: int) -> Any:
    return _UN[m._cur](x[0])


@op("Max", "Min", "Sum", "Mean")
def _variadic(m: Any, x: list, a: dict, n: int) -> Any:
    fn = {"Max": ember.maximum, "Min": ember.minimum, "Sum": ember.add, "Mean": ember.add}
    y = x[0]
    for v in x[1:]:
        y = fn[m._cur](y, v)
    return y / len(x) if m._cur == "Mean" else y


@op("Gemm")
def _gemm(m: Any, x: list, a: dict, n: int) -> Any:
    A = x[0].t() if a.get("transA") else x[0]
    B = x[1].t() if a.get("transB") else x[1]
    y = A @ B
    if a.get("alpha", 1.0) != 1.0:
        y = y * a["alpha"]
    if len(x) > 2 and x[2] is not None:
        c = x[2] if a.get("beta", 1.0) == 1.0 else x[2] * a["beta"]
        y = y + c
    return y


@op("MatMul")
def _matmul(m: Any, x: list, a: dict, n: int) -> Any:
    return ember.matmul(x[0], x[1])


@op("LeakyRelu")
def _leaky(m: Any, x: list, a: dict, n: int) -> Any:
    return ember.nn.functional.leaky_relu(x[0], a.get("alpha", 0.01))


@op("Elu")
def _elu(m: Any, x: list, a: dict, n: int) -> Any:
    return ember.nn.functional.elu(x[0], a.get("alpha", 1.0))


@op("Selu")
def _selu(m: Any, x: list, a: dict, n: int) -> Any:
    return ember.nn.functional.selu(x[0])


@op("Celu")
def _celu(m: Any, x: list, a: dict, n: int) -> Any:
    return ember.nn.functional.celu(x[0], a.get("alpha", 1.0))


@op("Gelu")
def _gelu(m: Any, x: list, a: dict, n: int) -> Any:
    return ember.nn.functional.gelu(x[0], approximate=a.get("approximate", "none"))


@op("Softplus")
def _softplus(m: Any, x: list, a: dict, n: int) -> Any:
    return ember.nn.functional.softplus(x[0], threshold=math.inf)


@op("HardSigmoid")
def _hardsigmoid(m: Any, x: list, a: dict, n: int) -> Any:
    return ember.clamp(x[0] * a.get("alpha", 0.2) + a.get("beta", 0.5), 0, 1)


@op("HardSwish")
def _hardswish(m: Any, x: list, a: dict, n: int) -> Any:
    return ember.nn.functional.hardswish(x[0])


@op("PRelu")
def _prelu(m: Any, x: list, a: dict, n: int) -> Any:
    return ember.where(x[0] >= 0, x[0], x[0] * x[1])


@op("Shrink")
def _shrink(m: Any, x: list, a: dict, n: int) -> Any:
    lam, bias = a.get("lambd", 0.5), a.get("bias", 0.0)
    v = x[0]
    return ember.where(v < -lam, v + bias, ember.where(v > lam, v - bias, v * 0))


@op("Softmax", "LogSoftmax")
def _softmax(m: Any, x: list, a: dict, n: int) -> Any:
    fn = ember.softmax if m._cur == "Softmax" else ember.log_softmax
    return fn(x[0], a.get("axis", -1))


@op("Clip")
def _clip(m: Any, x: list, a: dict, n: int) -> Any:
    lo = x[1] if len(x) > 1 else None
    hi = x[2] if len(x) > 2 else None
    return ember.clamp(x[0], None if lo is None else lo.item(), None if hi is None else hi.item())


@op("Where")
def _where(m: Any, x: list, a: dict, n: int) -> Any:
    return ember.where(x[0], x[1], x[2])


@op("Cast")
def _cast(m: Any, x: list, a: dict, n: int) -> Any:
    from onnx import helper
    dt = np.dtype(helper.tensor_dtype_to_np_dtype(a["to"]))
    return x[0].to(getattr(ember, {"bool": "bool"}.get(dt.name, dt.name)))


@op("Shape")
def _shape(m: Any, x: list, a: dict, n: int) -> Any:
    s = list(x[0].shape)
    return ember.tensor(s[a.get("start", 0):a.get("end", len(s))], dtype=ember.int64)


@op("Reshape")
def _reshape(m: Any, x: list, a: dict, n: int) -> Any:
    shp = _ints(x[1])
    if not a.get("allowzero", 0):
        shp = [x[0].shape[i] if d == 0 else d for i, d in enumerate(shp)]
    return x[0].reshape(shp)


@op("Flatten")
def _flatten(m: Any, x: list, a: dict, n: int) -> Any:
    ax = a.get("axis", 1) % max(x[0].dim(), 1) if a.get("axis", 1) < 0 else a.get("axis", 1)
    return x[0].reshape(math.prod(x[0].shape[:ax]), -1)


@op("Transpose")
def _transpose(m: Any, x: list, a: dict, n: int) -> Any:
    perm = a.get("perm", list(range(x[0].dim()))[::-1])
    return x[0].permute(*perm)


@op("Concat")
def _concat(m: Any, x: list, a: dict, n: int) -> Any:
    return ember.cat([v for v in x if v is not None], a["axis"])


def _axes_of(x: list, a: dict) -> Any:
    if len(x) > 1 and x[1] is not None:
        return _ints(x[1])
    return a.get("axes")


@op("Unsqueeze")
def _unsqueeze(m: Any, x: list, a: dict, n: int) -> Any:
    axes = _axes_of(x, a)
    rank = x[0].dim() + len(axes)
    y = x[0]
    for ax in sorted(v % rank for v in axes):
        y = y.unsqueeze(ax)
    return y


@op("Squeeze")
def _squeeze(m: Any, x: list, a: dict, n: int) -> Any:
    axes = _axes_of(x, a)
    if axes is None:
        return x[0].squeeze()
    return x[0].squeeze(tuple(v % x[0].dim() for v in axes))


@op("Slice")
def _slice(m: Any, x: list, a: dict, n: int) -> Any:
    starts, ends = _ints(x[1]), _ints(x[2])
    axes = _ints(x[3]) if len(x) > 3 and x[3] is not None else list(range(len(starts)))
    steps = _ints(x[4]) if len(x) > 4 and x[4] is not None else [1] * len(starts)
    key = [slice(None)] * x[0].dim()
    for s, e, ax, st in zip(starts, ends, axes, steps):
        size = x[0].shape[ax]
        if st > 0:
            key[ax] = slice(*slice(s, e, st).indices(size))
        else:   # a negative step: gather the indices (ember, as torch, has no negative slices)
            idx = list(range(size))[slice(s, e if e > -size - 1 else None, st)]
            return _slice(m, [x[0].index_select(ax, ember.tensor(idx, dtype=ember.int64))]
                          + [ember.tensor([v for v, w in zip(vals, axes) if w != ax])
                             for vals in (starts, ends, axes, steps)], a, n) \
                if len(axes) > 1 else x[0].index_select(ax, ember.tensor(idx, dtype=ember.int64))
    return x[0][tuple(key)]


@op("Gather")
def _gather(m: Any, x: list, a: dict, n: int) -> Any:
    ax = a.get("axis", 0) % x[0].dim()
    idx = x[1].long()
    idx = ember.where(idx < 0, idx + x[0].shape[ax], idx)
    if ax == 0:
        return x[0][idx]
    key = (slice(None),) * ax + (idx,)
    return x[0][key]


@op("Expand")
def _expand(m: Any, x: list, a: dict, n: int) -> Any:
    shp = _ints(x[1])
    out = np.broadcast_shapes(tuple(x[0].shape), tuple(shp))
    return x[0].expand(*out)


@op("Tile")
def _tile(m: Any, x: list, a: dict, n: int) -> Any:
    return x[0].repeat(*_ints(x[1]))


@op("Split")
def _split(m: Any, x: list, a: dict, n: int) -> Any:
    ax = a.get("axis", 0)
    if len(x) > 1 and x[1] is not None:
        sizes = _ints(x[1])
    elif "split" in a:
        sizes = list(a["split"])
    else:
        size = x[0].shape[ax]
        k = math.ceil(size / n)
        sizes = [min(k, size - i * k) for i in range(n)]
    return ember.split(x[0], sizes, ax)


_RED = {"ReduceSum": "sum", "ReduceMean": "mean", "ReduceMax": "amax", "ReduceMin": "amin",
        "ReduceProd": "prod"}


@op(*_RED, "ReduceL2", "ReduceL1", "ReduceLogSumExp", "ReduceSumSquare")
def _reduce(m: Any, x: list, a: dict, n: int) -> Any:
    axes = _axes_of(x, a)
    keep = bool(a.get("keepdims", 1))
    v = x[0]
    if not axes:
        if a.get("noop_with_empty_axes", 0):
            return v
        axes = list(range(v.dim()))
    axes = tuple(axes)
    t = m._cur
    if t == "ReduceL2":
        return ember.sqrt((v * v).sum(axes, keepdim=keep))
    if t == "ReduceL1":
        return v.abs().sum(axes, keepdim=keep)
    if t == "ReduceSumSquare":
        return (v * v).sum(axes, keepdim=keep)
    if t == "ReduceLogSumExp":
        return ember.logsumexp(v, axes, keepdim=keep)
    if t == "ReduceProd":
        for ax in sorted((d % v.dim() for d in axes), reverse=True):
            v = v.prod(ax, keepdim=keep)
        return v
    return getattr(v, _RED[t])(axes, keepdim=keep)


@op("ArgMax", "ArgMin")
def _argmax(m: Any, x: list, a: dict, n: int) -> Any:
    fn = ember.argmax if m._cur == "ArgMax" else ember.argmin
    return fn(x[0], a.get("axis", 0), keepdim=bool(a.get("keepdims", 1)))


@op("BatchNormalization")
def _batch_norm(m: Any, x: list, a: dict, n: int) -> Any:
    return ember.nn.functional.batch_norm(x[0], x[3], x[4], x[1], x[2], False, 0.1,
                                          a.get("epsilon", 1e-5))


@op("LayerNormalization")
def _layer_norm(m: Any, x: list, a: dict, n: int) -> Any:
    ax = a.get("axis", -1) % x[0].dim()
    return ember.nn.functional.layer_norm(x[0], tuple(x[0].shape[ax:]), x[1],
                                          x[2] if len(x) > 2 else None, a.get("epsilon", 1e-5))


@op("InstanceNormalization")
def _instance_norm(m: Any, x: list, a: dict, n: int) -> Any:
    return ember.nn.functional.instance_norm(x[0], weight=x[1], bias=x[2],
                                             eps=a.get("epsilon", 1e-5))


@op("Trilu")
def _trilu(m: Any, x: list, a: dict, n: int) -> Any:
    k = _ints(x[1])[0] if len(x) > 1 and x[1] is not None else 0
    return ember.triu(x[0], k) if a.get("upper", 1) else ember.tril(x[0], k)


@op("CumSum")
def _cumsum(m: Any, x: list, a: dict, n: int) -> Any:
    if a.get("exclusive") or a.get("reverse"):
        raise NotImplementedError("CumSum exclusive/reverse")
    return ember.cumsum(x[0], _ints(x[1])[0])


@op("ConstantOfShape")
def _const_of_shape(m: Any, x: list, a: dict, n: int) -> Any:
    v = a.get("value", np.zeros(1, np.float32))
    return ember.tensor(np.full(_ints(x[0]), v.reshape(-1)[0], dtype=v.dtype))


@op("Range")
def _range(m: Any, x: list, a: dict, n: int) -> Any:
    return ember.arange(x[0].item(), x[1].item(), x[2].item(), dtype=x[0].dtype)


# ----------------------------------------------------------------------------- conv, pool
def _spatial_pads(a: dict, x: Any, k: list, s: list, d: list) -> list:
    """[(lo, hi), ...] per spatial dim from `pads` or `auto_pad`."""
    nd = len(k)
    auto = a.get("auto_pad", "NOTSET")
    if auto in ("SAME_UPPER", "SAME_LOWER"):
        out = []
        for n, kk, ss, dd in zip(x.shape[2:], k, s, d):
            total = max((-(-n // ss) - 1) * ss + dd * (kk - 1) + 1 - n, 0)
            lo = total // 2 if auto == "SAME_UPPER" else total - total // 2
            out.append((lo, total - lo))
        return out
    if auto == "VALID":
        return [(0, 0)] * nd
    p = list(a.get("pads", [0] * 2 * nd))
    return list(zip(p[:nd], p[nd:]))


def _geometry(x: Any, w_shape: Any, a: dict) -> tuple:
    nd = x.dim() - 2
    k = list(a.get("kernel_shape", w_shape[2:] if w_shape is not None else []))
    s = list(a.get("strides", [1] * nd))
    d = list(a.get("dilations", [1] * nd))
    return nd, k, s, d, _spatial_pads(a, x, k, s, d)


def _pre_pad(x: Any, pads: list, value: float) -> tuple:
    """Symmetric pads stay as the op's padding; others are applied first with F.pad."""
    if all(lo == hi for lo, hi in pads):
        return x, [lo for lo, _ in pads]
    flat = [v for lo, hi in reversed(pads) for v in (lo, hi)]
    return ember.nn.functional.pad(x, flat, value=value), [0] * len(pads)


@op("Conv")
def _conv(m: Any, x: list, a: dict, n: int) -> Any:
    nd, k, s, d, pads = _geometry(x[0], x[1].shape, a)
    v, p = _pre_pad(x[0], pads, 0.0)
    fn = getattr(ember.nn.functional, f"conv{nd}d")
    return fn(v, x[1], x[2] if len(x) > 2 else None, s, p, d, a.get("group", 1))


@op("ConvTranspose")
def _conv_transpose(m: Any, x: list, a: dict, n: int) -> Any:
    nd, k, s, d, pads = _geometry(x[0], x[1].shape, a)
    if "output_shape" in a or any(lo != hi for lo, hi in pads):
        raise NotImplementedError("ConvTranspose with output_shape, auto_pad or asymmetric pads")
    fn = getattr(ember.nn.functional, f"conv_transpose{nd}d")
    return fn(x[0], x[1], x[2] if len(x) > 2 else None, s, [lo for lo, _ in pads],
              a.get("output_padding", [0] * nd), a.get("group", 1), d)


@op("MaxPool")
def _max_pool(m: Any, x: list, a: dict, n: int) -> Any:
    nd, k, s, d, pads = _geometry(x[0], None, a)
    v, p = _pre_pad(x[0], pads, -math.inf)
    if any(pp > ((kk - 1) * dd + 1) // 2 for pp, kk, dd in zip(p, k, d)):
        v, p = _pre_pad(v, [(pp, pp + 1) for pp in p], -math.inf)   # force explicit padding
        v = v[(Ellipsis,) + tuple(slice(0, sz - 1) for sz in v.shape[2:])]
    fn = getattr(ember.nn.functional, f"max_pool{nd}d")
    if n == 1:
        return fn(v, k, s, p, d, bool(a.get("ceil_mode", 0)))
    if v is not x[0]:
        raise NotImplementedError("MaxPool Indices with asymmetric pads")
    y, idx = fn(v, k, s, p, d, bool(a.get("ceil_mode", 0)), return_indices=True)
    # torch's per-plane indices -> ONNX's over N·C·S (storage_order 0)
    plane = math.prod(x[0].shape[2:])
    nc = x[0].shape[0] * x[0].shape[1]
    base = (ember.arange(nc, dtype=ember.int64) * plane).reshape(
        (x[0].shape[0], x[0].shape[1]) + (1,) * nd)
    return y, idx + base


@op("AveragePool")
def _avg_pool(m: Any, x: list, a: dict, n: int) -> Any:
    nd, k, s, d, pads = _geometry(x[0], None, a)
    if any(dd != 1 for dd in d) or any(lo != hi or lo > kk // 2 for (lo, hi), kk in
                                       zip(pads, k)):
        raise NotImplementedError("AveragePool with dilations, or pads that are asymmetric or "
                                  "larger than half the kernel")
    fn = getattr(ember.nn.functional, f"avg_pool{nd}d")
    return fn(x[0], k, s, [lo for lo, _ in pads], bool(a.get("ceil_mode", 0)),
              bool(a.get("count_include_pad", 0)))


@op("GlobalAveragePool", "GlobalMaxPool")
def _global_pool(m: Any, x: list, a: dict, n: int) -> Any:
    axes = tuple(range(2, x[0].dim()))
    if m._cur == "GlobalAveragePool":
        return x[0].mean(axes, keepdim=True)
    return x[0].amax(axes, keepdim=True)


@op("Mod")
def _mod(m: Any, x: list, a: dict, n: int) -> Any:
    return ember.fmod(x[0], x[1]) if a.get("fmod", 0) else ember.remainder(x[0], x[1])


_PAD_MODES = {"constant": "constant", "reflect": "reflect", "edge": "replicate",
              "wrap": "circular"}


@op("Pad")
def _pad(m: Any, x: list, a: dict, n: int) -> Any:
    mode = a.get("mode", "constant")
    if mode not in _PAD_MODES:
        raise NotImplementedError(f"Pad mode {mode!r}")
    r = x[0].dim()
    raw = _ints(x[1]) if len(x) > 1 else list(a.get("pads", []))
    axes = _ints(x[3]) if len(x) > 3 and x[3] is not None else list(range(r))
    k = len(axes)
    pads = [0] * (2 * r)
    for i, ax in enumerate(axes):
        pads[ax % r], pads[ax % r + r] = raw[i], raw[i + k]
    first = next((d for d in range(r) if pads[d] or pads[d + r]), r)
    width = []
    for d in reversed(range(first, r)):
        width += [pads[d], pads[d + r]]
    if mode == "constant":
        value = x[2].item() if len(x) > 2 and x[2] is not None else 0
        return ember.nn.functional.pad(x[0], width, value=value)
    if not width:
        return x[0]
    return ember.nn.functional.pad(x[0], width, mode=_PAD_MODES[mode])


# ----------------------------------------------------------------------------- resize
@op("Resize", "Upsample")
def _resize(m: Any, x: list, a: dict, n: int) -> Any:
    v = x[0]
    nd = v.dim() - 2
    mode = a.get("mode", "nearest")
    ctm = a.get("coordinate_transformation_mode", "half_pixel")
    scales = sizes = None
    if m._cur == "Upsample":
        scales = [float(s) for s in np.asarray(x[1]._data).reshape(-1)]
        ctm = "asymmetric"
    else:
        if len(x) > 2 and x[2] is not None and x[2].numel():
            scales = [float(s) for s in np.asarray(x[2]._data).reshape(-1)]
        if len(x) > 3 and x[3] is not None:
            sizes = _ints(x[3])
        if len(x) > 1 and x[1] is not None and x[1].numel() and ctm == "tf_crop_and_resize":
            raise NotImplementedError("Resize with tf_crop_and_resize")
        if "axes" in a:
            raise NotImplementedError("Resize with axes")
    if (scales and scales[:2] != [1.0, 1.0]) or (sizes and sizes[:2] != list(v.shape[:2])):
        raise NotImplementedError("Resize of the batch or channel dims")
    if mode == "nearest":
        nm = a.get("nearest_mode", "round_prefer_floor")
        if ctm == "asymmetric" and nm == "floor":
            tmode = "nearest"
        elif ctm in ("half_pixel", "pytorch_half_pixel") and nm == "round_prefer_ceil":
            tmode = "nearest-exact"
        else:
            raise NotImplementedError(f"nearest Resize with coordinate_transformation_mode "
                                      f"{ctm!r} and nearest_mode {nm!r}")
        ac = None
    else:
        if mode == "cubic" and abs(a.get("cubic_coeff_a", -0.75) + 0.75) > 1e-6:
            raise NotImplementedError("cubic Resize with cubic_coeff_a other than -0.75")
        if ctm not in ("align_corners", "pytorch_half_pixel", "half_pixel"):
            raise NotImplementedError(f"{mode} Resize with coordinate_transformation_mode "
                                      f"{ctm!r}")
        if mode == "cubic":
            tmode = "bicubic"
        else:
            tmode = {1: "linear", 2: "bilinear", 3: "trilinear"}[nd]
        ac = ctm == "align_corners"
    if sizes is not None:
        return ember.nn.functional.interpolate(v, size=sizes[2:], mode=tmode, align_corners=ac)
    return ember.nn.functional.interpolate(v, scale_factor=scales[2:], mode=tmode,
                                           align_corners=ac)


# ----------------------------------------------------------------------------- recurrent
_TORCH_ORDER = {"LSTM": (0, 2, 3, 1), "GRU": (1, 0, 2), "RNN": (0,)}   # ONNX block per torch gate


def _regate(w: Any, kind: str) -> Any:
    """ONNX gate blocks (rows) back to torch's order."""
    order = _TORCH_ORDER[kind]
    if len(order) == 1:
        return w
    h = w.shape[0] // len(order)
    idx = np.concatenate([np.arange(p * h, (p + 1) * h) for p in order])
    return w.index_select(0, ember.tensor(idx, dtype=ember.int64))


@op("LSTM", "GRU", "RNN")
def _recurrent(m: Any, x: list, a: dict, n: int) -> Any:
    from ..ops.rnn import rnn_layer
    kind = m._cur
    x = list(x) + [None] * (8 - len(x))
    X, W, R, B, seq, h0, c0 = x[:7]
    if kind == "LSTM" and x[7] is not None:
        raise NotImplementedError("LSTM with peepholes (input P)")
    if a.get("clip") is not None or a.get("input_forget", 0):
        raise NotImplementedError(f"{kind} with clip or input_forget")
    if kind == "GRU" and not a.get("linear_before_reset", 0):
        raise NotImplementedError("GRU with linear_before_reset=0 (PyTorch's GRU is 1)")
    acts = a.get("activations")
    mode = kind
    if kind == "RNN":
        act = (acts or ["Tanh"])[0]
        if act not in ("Tanh", "Relu") or (acts and len(set(acts)) > 1):
            raise NotImplementedError(f"RNN with activations {acts}")
        mode = "RNN_TANH" if act == "Tanh" else "RNN_RELU"
    elif acts and [s.lower() for s in acts] != (
            ["sigmoid", "tanh", "tanh"] * 2)[:len(acts)]:
        raise NotImplementedError(f"{kind} with activations {acts}")
    layout = a.get("layout", 0)
    T = X.shape[1] if layout else X.shape[0]
    pack = None
    if seq is not None:
        lens = _ints(seq)
        if any(v < 1 or v > T for v in lens):
            raise NotImplementedError(f"sequence_lens {lens} outside 1..{T} (the sequence "
                                      "length)")
        if any(v != T for v in lens):   # run packed: per-sequence lengths, as torch does
            from ..nn.utils import rnn as rnn_utils
            pack = rnn_utils.pack_padded_sequence(X, lens, batch_first=bool(layout),
                                                  enforce_sorted=False)
            steps = [int(v) for v in pack.batch_sizes.tolist()]
    direction = a.get("direction", "forward")
    dirs = [False, True] if direction == "bidirectional" else [direction == "reverse"]
    ys, hs, cs = [], [], []
    for i, rev in enumerate(dirs):
        bi = bh = None
        if B is not None:
            bi, bh = _regate(B[i, :B.shape[1] // 2], kind), _regate(B[i, B.shape[1] // 2:], kind)
        h = None if h0 is None else (h0[:, i] if layout else h0[i])
        c = None if c0 is None else (c0[:, i] if layout else c0[i])
        if pack is None:
            r = rnn_layer(X, h, c, _regate(W[i], kind), _regate(R[i], kind), bi, bh, None,
                          mode, rev, None, bool(layout))
        else:
            h, c = (None if v is None else v.index_select(0, pack.sorted_indices)
                    for v in (h, c))
            r = rnn_layer(pack.data, h, c, _regate(W[i], kind), _regate(R[i], kind), bi, bh,
                          None, mode, rev, steps, False)
            y, _ = rnn_utils.pad_packed_sequence(
                rnn_utils.PackedSequence(r[0], pack.batch_sizes, pack.sorted_indices,
                                         pack.unsorted_indices),
                batch_first=bool(layout), total_length=T)
            r = (y,) + tuple(v.index_select(0, pack.unsorted_indices) for v in r[1:])
        ys.append(r[0])
        hs.append(r[1])
        if kind == "LSTM":
            cs.append(r[2])
    y = ember.stack(ys, 2 if layout else 1)      # (T, D, B, H) or (B, T, D, H)
    outs = [y, ember.stack(hs, 1 if layout else 0)]
    if kind == "LSTM":
        outs.append(ember.stack(cs, 1 if layout else 0))
    return tuple(outs[:max(n, 1)])
