"""Activation functions (torch.nn.functional's): each a fused raw `Function` with a hand-written
backward, plus the in-place forms (`relu_`, `elu_`, ...) through `commit_inplace`.

Backward formulas use only operators and `np.*` functions (and `_sig`/`_erf`, which dispatch on
Tensors) so that under `create_graph=True` they record ember ops (see `_numpy_protocol`)."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from .. import _backend
from .._tensor import Tensor, _make
from ..autograd.function import Function
from . import elementwise as ew
from ._util import attach, check_inplace, commit_inplace, wrap_dim

# Set by ember.amp.autocast while CPU float16 autocast is on (else None): the input casts of
# torch's CPU autocast lists, to float16 for prelu.
_autocast = None

__all__ = ["relu", "relu_", "relu6", "leaky_relu", "leaky_relu_", "prelu", "elu", "elu_",
           "selu", "selu_", "celu", "celu_", "gelu", "silu", "mish", "hardtanh", "hardtanh_",
           "hardsigmoid", "hardswish", "softplus", "softsign", "softshrink", "hardshrink",
           "tanhshrink", "threshold", "threshold_", "glu", "logsigmoid", "softmax",
           "log_softmax", "softmin", "sigmoid", "tanh", "rrelu", "rrelu_", "gumbel_softmax"]

ndarray = np.ndarray
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946
_SQRT1_2 = math.sqrt(0.5)
_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)
_K = math.sqrt(2 / math.pi)   # gelu tanh approximation
_LOG2E = math.log2(math.e)


def _float(x: ndarray, kernel: str) -> None:
    """torch has no integer kernel for these activations."""
    if x.dtype.kind != "f":
        raise ew._not_impl(kernel, x.dtype)


def _sig(v: Any) -> Any:
    """Logistic sigmoid of an array (stable: exp of -x overflows only to inf, giving 0) or of a
    Tensor (the ember op, so double backward records it)."""
    if isinstance(v, Tensor):
        return ew.Sigmoid._apply1(v)
    e = np.exp(-v)
    e += 1
    return np.reciprocal(e, out=e) if type(e) is ndarray else 1 / e


def _erf(v: Any) -> Any:
    return ew.Erf._apply1(v) if isinstance(v, Tensor) else ew._erf_fwd(v)


def _softplus(v: Any) -> Any:
    """log(1 + e^v), stable for large |v|."""
    if isinstance(v, Tensor):
        return Softplus.apply(v, 1.0, math.inf)
    return np.logaddexp(v, 0)


# ----------------------------------------------------------------------------- pointwise
class Hardtanh(Function):
    """clamp(x, min_val, max_val); the gradient is 1 strictly inside (torch.hardtanh)."""

    _raw = True
    _name = "HardtanhBackward0"

    @staticmethod
    def forward(ctx: Any, x: ndarray, lo: float, hi: float) -> ndarray:
        if x.dtype.kind == "b":
            raise ew._not_impl("hardtanh", x.dtype)
        if lo > hi:
            raise ValueError(f"hardtanh: min_val ({lo}) cannot be greater than max_val ({hi})")
        ctx.save_for_backward(x)
        ctx.lo, ctx.hi = lo, hi
        if x.dtype.kind != "f":   # integer input stays integer (Python float bounds would not)
            lo, hi = math.ceil(lo), math.floor(hi)
        return np.clip(x, lo, hi)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (x,) = ctx.saved_tensors   # d hardtanh = 1 on (lo, hi)
        return g * ((x > ctx.lo) & (x < ctx.hi)), None, None


class LeakyRelu(Function):
    _raw = True
    _name = "LeakyReluBackward0"

    @staticmethod
    def forward(ctx: Any, x: ndarray, slope: float) -> ndarray:
        _float(x, "leaky_relu_cpu")
        ctx.save_for_backward(x)
        ctx.slope = slope
        return np.where(x > 0, x, x * slope)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (x,) = ctx.saved_tensors   # d = 1 for x > 0, else slope
        return np.where(x > 0, g, g * ctx.slope), None


class Rrelu(Function):
    """x where positive, else slope·x: the slope drawn uniformly from [lower, upper] per element
    in training, (lower + upper) / 2 in eval (torch.rrelu)."""

    _raw = True
    _name = "RreluWithNoiseBackward0"

    @staticmethod
    def forward(ctx: Any, x: ndarray, lower: float, upper: float, training: bool,
                generator: Any) -> ndarray:
        if lower > upper:
            raise RuntimeError(f"rrelu: Lower bound should be less than or equal to the upper "
                               f"bound, got lower={lower} and upper={upper}")
        if training:
            if x.dtype.kind != "f" or x.dtype == np.float16:
                raise ew._not_impl("rrelu_with_noise_out_cpu", x.dtype)
            noise = _backend.rng(generator).uniform(lower, upper, x.shape).astype(x.dtype)
        else:
            _float(x, "leaky_relu_cpu")
            noise = (lower + upper) / 2
        ctx.save_for_backward(x)
        ctx.noise = noise
        return np.where(x > 0, x, x * noise)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (x,) = ctx.saved_tensors   # d = 1 for x > 0, else the slope used in forward
        return np.where(x > 0, g, g * ctx.noise), None, None, None, None


class Prelu(Function):
    """max(0, x) + weight * min(0, x), weight per channel (dim 1) or shared (torch.prelu)."""

    _raw = True
    _name = "PreluKernelBackward0"

    @staticmethod
    def forward(ctx: Any, x: ndarray, w: ndarray) -> ndarray:
        _float(x, "prelu_cpu")
        if w.ndim > 1:
            raise RuntimeError(f"prelu: weight must be 0-d or 1-d, got shape {list(w.shape)}")
        wb = w
        if w.size != 1:
            c = x.shape[1] if x.ndim > 1 else 1
            if x.ndim == 0 or c != w.size:
                raise RuntimeError(
                    "prelu: Mismatch of parameter numbers and input channel size. Found "
                    f"parameter numbers = {w.size} and channel size = {c} (input shape "
                    f"{list(x.shape)}; the channel dimension is dim 1).")
            wb = np.reshape(w, (-1,) + (1,) * (x.ndim - 2))
        else:
            wb = np.reshape(w, ())
        ctx.save_for_backward(x, w)
        return np.where(x > 0, x, x * wb.astype(x.dtype, copy=False))

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        x, w = ctx.saved_tensors   # d/dx = 1 or w; d/dw = x where x <= 0, summed per channel
        nd = x.ndim
        per_channel = w.shape != () and w.shape[0] != 1
        wb = np.reshape(w, (-1,) + (1,) * (nd - 2)) if per_channel else np.reshape(w, ())
        gx = np.where(x > 0, g, g * wb) if ctx.needs_input_grad[0] else None
        gw = None
        if ctx.needs_input_grad[1]:
            gxw = np.where(x > 0, 0, g * x)
            axes = tuple(i for i in range(nd) if i != 1) if per_channel else None
            gw = np.reshape(np.sum(gxw, axis=axes), w.shape)
        return gx, gw


class Elu(Function):
    """scale·x for x > 0, else scale·alpha·(exp(input_scale·x) - 1): elu, selu, celu."""

    _raw = True
    _name = "EluBackward0"

    @staticmethod
    def forward(ctx: Any, x: ndarray, alpha: float, scale: float, iscale: float) -> ndarray:
        _float(x, "elu_cpu")
        ctx.save_for_backward(x)
        ctx.c = alpha, scale, iscale
        neg = np.expm1(x * iscale) * (alpha * scale)
        return np.where(x > 0, x * scale if scale != 1 else x, neg)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (x,) = ctx.saved_tensors   # d = scale for x > 0, else scale·alpha·is·exp(is·x)
        alpha, scale, iscale = ctx.c
        pos = x > 0
        e = np.exp(np.where(pos, 0, x) * iscale)
        return np.where(pos, g * scale, g * e * (alpha * scale * iscale)), None, None, None


class Gelu(Function):
    """x·Φ(x) (approximate='none') or its tanh approximation (torch gelu). Forward keeps Φ(x)
    (or tanh) on ctx for a first-order backward; under create_graph backward recomputes it."""

    _raw = True
    _name = "GeluBackward0"

    @staticmethod
    def forward(ctx: Any, x: ndarray, tanh_approx: bool) -> ndarray:
        _float(x, "GeluKernelImpl")
        ctx.save_for_backward(x)
        ctx.tanh_approx = tanh_approx
        if tanh_approx:   # t = tanh(k·(x + 0.044715·x³)); y = x·(1 + t)/2
            t = x * x
            t *= 0.044715 * _K
            t += _K
            t *= x
            t = ctx.t = np.tanh(t)
            c = t + 1
        else:             # Φ(x) = (1 + erf(x/√2))/2
            c = ew._erf_fwd(x * _SQRT1_2)
            c += 1
        c *= 0.5
        ctx.c = c
        return x * c

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        if isinstance(g, Tensor):   # create_graph: recompute through ember ops
            if ctx.tanh_approx:
                t = np.tanh((x + 0.044715 * x * x * x) * _K)
                d = 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * _K * (1 + 0.134145 * x * x)
                return g * d, None
            d = 0.5 + 0.5 * _erf(x * _SQRT1_2) + x * np.exp(-0.5 * x * x) * _INV_SQRT_2PI
            return g * d, None
        c = ctx.c
        if ctx.tanh_approx:   # d = (1+t)/2 + x/2·(1-t²)·k·(1 + 3·0.044715·x²)
            t = ctx.t
            d = 1 - t * t
            x2 = x * x
            x2 *= 0.134145 * 0.5 * _K
            x2 += 0.5 * _K
            x2 *= x
            d *= x2
        else:                 # d = Φ(x) + x·φ(x)
            d = x * x
            d *= -0.5
            d = np.exp(d)
            d *= x
            d *= _INV_SQRT_2PI
        d += c
        d *= g
        return d, None


class Silu(Function):
    """x·σ(x) (torch silu); forward keeps σ(x) on ctx for a first-order backward."""

    _raw = True
    _name = "SiluBackward0"

    @staticmethod
    def forward(ctx: Any, x: ndarray) -> ndarray:
        _float(x, "silu_cpu")
        ctx.save_for_backward(x)
        s = ctx.s = _sig(x)
        return x * s

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (x,) = ctx.saved_tensors   # d silu = σ(1 + x(1 - σ))
        if isinstance(g, Tensor):   # create_graph: recompute through ember ops
            s = _sig(x)
            return g * s * (1 + x * (1 - s))
        s = ctx.s
        d = 1 - s
        d *= x
        d += 1
        d *= s
        d *= g
        return d


class Mish(Function):
    """x·tanh(softplus(x)) (torch mish). With e = exp(x), tanh(softplus x) = n/(n + 2) for
    n = e(e + 2); x is clamped at 20, where that is 1 in float64 already."""

    _raw = True
    _name = "MishBackward0"

    @staticmethod
    def forward(ctx: Any, x: ndarray) -> ndarray:
        _float(x, "mish_cpu")
        ctx.save_for_backward(x)
        e = ctx.e = np.exp(np.minimum(x, 20))
        t = e + 2
        t *= e
        d = t + 2
        t /= d
        ctx.t = t
        return x * t

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (x,) = ctx.saved_tensors   # d mish = t + x·σ(x)·(1 - t²), t = tanh(softplus x)
        if isinstance(g, Tensor):   # create_graph: recompute through ember ops
            t = np.tanh(_softplus(x))
            return g * (t + x * _sig(x) * (1 - t * t))
        e, t = ctx.e, ctx.t
        d = 1 - t * t
        d *= x
        d *= e
        d /= e + 1      # σ(x) = e / (1 + e)
        d += t
        d *= g
        return d


class Hardsigmoid(Function):
    _raw = True
    _name = "HardsigmoidBackward0"

    @staticmethod
    def forward(ctx: Any, x: ndarray) -> ndarray:
        _float(x, "hardsigmoid_cpu")
        ctx.save_for_backward(x)
        return np.clip(x + 3, 0, 6) / 6

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (x,) = ctx.saved_tensors   # d = 1/6 on (-3, 3)
        return g * ((x > -3) & (x < 3)) / 6


class Hardswish(Function):
    _raw = True
    _name = "HardswishBackward0"

    @staticmethod
    def forward(ctx: Any, x: ndarray) -> ndarray:
        _float(x, "hardswish_cpu")
        ctx.save_for_backward(x)
        return x * np.clip(x + 3, 0, 6) / 6

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (x,) = ctx.saved_tensors   # d = 0 below -3, x/3 + 1/2 up to 3, 1 above
        return np.where(x < -3, 0, np.where(x <= 3, g * (x / 3 + 0.5), g))


class Softplus(Function):
    """log(1 + exp(beta·x)) / beta, linear where beta·x > threshold (torch softplus)."""

    _raw = True
    _name = "SoftplusBackward0"

    @staticmethod
    def forward(ctx: Any, x: ndarray, beta: float, threshold: float) -> ndarray:
        _float(x, "softplus_cpu")
        ctx.save_for_backward(x)
        ctx.c = beta, threshold
        bx = x * beta if beta != 1 else x
        y = np.logaddexp(bx, 0)
        if beta != 1:
            y /= beta
        return np.where(bx > threshold, x, y)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (x,) = ctx.saved_tensors   # d softplus = σ(beta·x), 1 past the threshold
        beta, threshold = ctx.c
        bx = x * beta
        return np.where(bx > threshold, g, g * _sig(bx)), None, None


class Softsign(Function):
    _raw = True
    _name = "SoftsignBackward"

    @staticmethod
    def forward(ctx: Any, x: ndarray) -> ndarray:
        x = ew.as_float(x)
        ctx.save_for_backward(x)
        return x / (1 + np.abs(x))

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (x,) = ctx.saved_tensors   # d softsign = 1 / (1 + |x|)²
        d = 1 + np.abs(x)
        return g / (d * d)


class Shrink(Function):
    """softshrink (x ∓ lambd outside [-lambd, lambd]) and hardshrink (x outside), else 0."""

    _raw = True
    _name = "ShrinkBackward0"

    @staticmethod
    def forward(ctx: Any, x: ndarray, lambd: float, soft: bool) -> ndarray:
        _float(x, "softshrink_cpu" if soft else "hardshrink_cpu")
        if soft and not lambd >= 0:
            raise RuntimeError(f"softshrink: lambda must be in range [0, inf) but found {lambd}")
        ctx.save_for_backward(x)
        ctx.lambd = lambd
        keep = np.abs(x) > lambd
        if soft:
            return np.where(keep, x - np.copysign(np.asarray(lambd, x.dtype), x), 0)
        return np.where(keep, x, 0).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (x,) = ctx.saved_tensors   # d = 1 outside [-lambd, lambd]
        return g * ((x > ctx.lambd) | (x < -ctx.lambd)), None, None


class Tanhshrink(Function):
    _raw = True
    _name = "TanhshrinkBackward"

    @staticmethod
    def forward(ctx: Any, x: ndarray) -> ndarray:
        x = ew.as_float(x)
        t = np.tanh(x)
        ctx.save_for_backward(x)
        return x - t

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (x,) = ctx.saved_tensors   # d (x - tanh x) = tanh² x
        t = np.tanh(x)
        return g * t * t


class Threshold(Function):
    _raw = True
    _name = "ThresholdBackward0"

    @staticmethod
    def forward(ctx: Any, x: ndarray, threshold: float, value: float) -> ndarray:
        if x.dtype.kind == "b":
            raise ew._not_impl("threshold_cpu", x.dtype)
        ctx.save_for_backward(x)
        ctx.threshold = threshold
        return np.where(x > threshold, x, np.asarray(value).astype(x.dtype))

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (x,) = ctx.saved_tensors   # d = 1 above the threshold
        return g * (x > ctx.threshold), None, None


class LogSigmoid(Function):
    _raw = True
    _name = "LogSigmoidBackward0"

    @staticmethod
    def forward(ctx: Any, x: ndarray) -> ndarray:
        _float(x, "log_sigmoid_cpu")
        ctx.save_for_backward(x)
        return -np.logaddexp(-x, 0)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (x,) = ctx.saved_tensors   # d log σ(x) = σ(-x)
        return g * _sig(-x)


class Glu(Function):
    """a·σ(b) with a, b the two halves of x along dim (torch glu)."""

    _raw = True
    _name = "GluBackward0"

    @staticmethod
    def forward(ctx: Any, x: ndarray, dim: int) -> ndarray:
        _float(x, "glu")
        if x.ndim == 0:
            raise RuntimeError("glu does not support scalars because halving size must be even")
        d = wrap_dim(dim, x.ndim, "glu")
        n = x.shape[d]
        if n % 2:
            raise RuntimeError(f"glu: Halving dimension must be even, but dimension {d} is size "
                               f"{n} (input shape {list(x.shape)})")
        ctx.save_for_backward(x)
        ctx.d, ctx.h = d, n // 2
        a, b = np.split(x, 2, axis=d)
        return a * _sig(b)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (x,) = ctx.saved_tensors   # d/da = σ(b), d/db = a·σ(b)·(1 - σ(b))
        a, b = np.split(x, 2, axis=ctx.d)
        s = _sig(b)
        gs = g * s
        return np.concatenate([gs, gs * a * (1 - s)], axis=ctx.d), None


# ----------------------------------------------------------------------------- softmax family
def _rowsum(e: ndarray, ax: int) -> ndarray:
    """Σ e along ax, keepdims; along the last axis of a float32/64 matrix as a BLAS gemv (4x
    faster than np.sum)."""
    if ax == 1 and e.ndim == 2 and e.dtype.itemsize >= 4:
        return np.matmul(e, np.ones((e.shape[1], 1), e.dtype))
    return np.add.reduce(e, axis=ax, keepdims=True)


def _exp(x: ndarray, c: Any) -> ndarray:
    """exp(x - c) as a new array (c None: exp(x)). float32 goes through exp2((x - c)·log2 e),
    1.3x faster than np.exp and as accurate as torch's softmax (|x - c| is kept below ~60)."""
    t = np.subtract(x, c) if c is not None else None
    if x.dtype.type is np.float32:
        t = np.multiply(x if t is None else t, _LOG2E, out=t)
        return np.exp2(t, out=t)
    return np.exp(x) if t is None else np.exp(t, out=t)


def _exp_sum(x: ndarray, ax: int) -> tuple:
    """(e, s, c): e = exp(x - c), s = Σ e along ax (keepdims), c the shift that keeps exp finite
    (None: no shift; callers subtract c before log s, as torch, so no precision is lost).

    One scalar shift for all rows (0 when the global max allows it, sparing a pass; else that max)
    is a pass cheaper than per-row maxima, and exact enough when every row's sum stays >= 1e-6:
    then each row's max is at most ~14 + log(size) below c, so exp underflows only where the result
    is below ~e^-60. Otherwise (rows far apart, inf or NaN) the per-row max, as torch."""
    g = np.maximum.reduce(x, axis=None) if x.size else math.nan
    if abs(g) < math.inf:
        c = None if -10.0 <= g <= 60.0 else g
        e = _exp(x, c)
        s = _rowsum(e, ax)
        if np.minimum.reduce(s, axis=None) >= 1e-6:
            return e, s, c
    c = np.maximum.reduce(x, axis=ax, keepdims=True)
    e = _exp(x, c)
    return e, _rowsum(e, ax), c


class Softmax(Function):
    """exp(x - max) / sum along dim (torch.softmax)."""

    _raw = True
    _name = "SoftmaxBackward0"

    @staticmethod
    def forward(ctx: Any, x: ndarray, dim: int) -> ndarray:
        if x.ndim and x.size:
            ax = ctx.ax = wrap_dim(dim, x.ndim, "softmax")
            e, s, _ = _exp_sum(x, ax)
            y = np.multiply(e, np.reciprocal(s, out=s), out=e)
        else:   # one element: 1 (NaN for a non-finite input); or empty
            d = wrap_dim(dim, x.ndim, "softmax")
            ctx.ax = d if x.ndim else None
            y = np.asarray(np.exp(x - x))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (y,) = ctx.saved_tensors   # d softmax: y·(g - Σ g·y)
        if type(g) is ndarray and type(y) is ndarray and y.ndim:
            gx = g * y
            s = _rowsum(gx, ctx.ax)
            np.subtract(g, s, out=gx)
            return np.multiply(gx, y, out=gx), None
        gy = g * y
        return gy - y * np.sum(gy, axis=ctx.ax, keepdims=True), None


class LogSoftmax(Function):
    """x - max - log Σ exp(x - max) along dim (torch.log_softmax)."""

    _raw = True
    _name = "LogSoftmaxBackward0"

    @staticmethod
    def forward(ctx: Any, x: ndarray, dim: int) -> ndarray:
        if x.ndim and x.size:
            ax = ctx.ax = wrap_dim(dim, x.ndim, "log_softmax")
            e, s, c = _exp_sum(x, ax)
            y = x if c is None else np.subtract(x, c)   # (x - c) - log s, as torch
            y = np.subtract(y, np.log(s), out=None if c is None else y)
            if ctx.needs_input_grad[0]:   # softmax, for backward (internal, never seen)
                ctx.p = np.multiply(e, np.reciprocal(s, out=s), out=e)
        else:   # one element: 0 (NaN for a non-finite input); or empty
            d = wrap_dim(dim, x.ndim, "log_softmax")
            ctx.ax = d if x.ndim else None
            y = np.asarray(x - x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (y,) = ctx.saved_tensors   # d log_softmax: g - softmax·Σ g
        p = ctx.__dict__.get("p")
        if p is not None and type(g) is ndarray:
            gx = np.multiply(p, _rowsum(g, ctx.ax))
            return np.subtract(g, gx, out=gx), None
        return g - np.exp(y) * np.sum(g, axis=ctx.ax, keepdims=True), None


# ----------------------------------------------------------------------------- entry points
def _ip(cls: type, op: str, input: Tensor, *args: Any) -> Tensor:
    """Apply cls in place on input (torch's trailing-underscore semantics)."""
    check_inplace(input, op)
    return commit_inplace(input, cls.apply(input, *args), op)


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """max(input, 0) (F.relu)."""
    return _ip(ew.Relu, "relu_", input) if inplace else ew.Relu._apply1(input)


def relu_(input: Tensor) -> Tensor:
    return _ip(ew.Relu, "relu_", input)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """min(max(input, 0), 6) (F.relu6)."""
    return hardtanh(input, 0.0, 6.0, inplace)


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0,
             inplace: bool = False) -> Tensor:
    """clamp(input, min_val, max_val) (F.hardtanh)."""
    if inplace:
        return _ip(Hardtanh, "hardtanh_", input, min_val, max_val)
    return Hardtanh.apply(input, min_val, max_val)


def hardtanh_(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    return _ip(Hardtanh, "hardtanh_", input, min_val, max_val)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """input where positive, else negative_slope * input (F.leaky_relu)."""
    if inplace:
        return _ip(LeakyRelu, "leaky_relu_", input, negative_slope)
    return LeakyRelu.apply(input, negative_slope)


def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    return _ip(LeakyRelu, "leaky_relu_", input, negative_slope)


def rrelu(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False,
          inplace: bool = False) -> Tensor:
    """Randomized leaky ReLU: negative slope ~ U(lower, upper) per element in training, else
    (lower + upper) / 2 (F.rrelu)."""
    if inplace:
        return _ip(Rrelu, "rrelu_", input, lower, upper, training, None)
    return Rrelu.apply(input, lower, upper, training, None)


def rrelu_(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False,
           generator: Any = None) -> Tensor:
    """In-place rrelu (torch.rrelu_, F.rrelu_)."""
    return _ip(Rrelu, "rrelu_", input, lower, upper, training, generator)


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """Leaky ReLU with a learned slope per channel (dim 1) or one shared slope (F.prelu)."""
    if _autocast is not None:
        input, weight = _autocast(input, weight)
    return Prelu.apply(input, weight)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """input where positive, else alpha * (exp(input) - 1) (F.elu)."""
    if inplace:
        return _ip(Elu, "elu_", input, alpha, 1.0, 1.0)
    return Elu.apply(input, alpha, 1.0, 1.0)


def elu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    return _ip(Elu, "elu_", input, alpha, 1.0, 1.0)


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """scale * elu(input, alpha) with the self-normalising constants (F.selu)."""
    if inplace:
        return _ip(Elu, "selu_", input, _SELU_ALPHA, _SELU_SCALE, 1.0)
    return Elu.apply(input, _SELU_ALPHA, _SELU_SCALE, 1.0)


def selu_(input: Tensor) -> Tensor:
    return selu(input, True)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """max(0, x) + min(0, alpha * (exp(x / alpha) - 1)) (F.celu)."""
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: celu: alpha must not be 0")
    if inplace:
        return _ip(Elu, "celu_", input, alpha, 1.0, 1.0 / alpha)
    return Elu.apply(input, alpha, 1.0, 1.0 / alpha)


def celu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    return celu(input, alpha, True)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """x * Φ(x), or its tanh approximation with approximate='tanh' (F.gelu)."""
    if approximate not in ("none", "tanh"):
        raise RuntimeError(f"gelu: approximate argument must be either none or tanh, got "
                           f"{approximate!r}")
    return Gelu.apply(input, approximate == "tanh")


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """x * sigmoid(x) (F.silu)."""
    return _ip(Silu, "silu_", input) if inplace else Silu._apply1(input)


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """x * tanh(softplus(x)) (F.mish)."""
    return _ip(Mish, "mish_", input) if inplace else Mish._apply1(input)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """relu6(x + 3) / 6 (F.hardsigmoid)."""
    return _ip(Hardsigmoid, "hardsigmoid_", input) if inplace else Hardsigmoid._apply1(input)


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """x * relu6(x + 3) / 6 (F.hardswish)."""
    return _ip(Hardswish, "hardswish_", input) if inplace else Hardswish._apply1(input)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """log(1 + exp(beta * x)) / beta, linear above threshold (F.softplus)."""
    return Softplus.apply(input, beta, threshold)


def softsign(input: Tensor) -> Tensor:
    """x / (1 + |x|) (F.softsign)."""
    return Softsign._apply1(input)


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """x - lambd above lambd, x + lambd below -lambd, else 0 (F.softshrink)."""
    return Shrink.apply(input, lambd, True)


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """x where |x| > lambd, else 0 (F.hardshrink)."""
    return Shrink.apply(input, lambd, False)


def tanhshrink(input: Tensor) -> Tensor:
    """x - tanh(x) (F.tanhshrink)."""
    return Tanhshrink._apply1(input)


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """input where input > threshold, else value (F.threshold)."""
    if inplace:
        return _ip(Threshold, "threshold_", input, threshold, value)
    return Threshold.apply(input, threshold, value)


def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:
    return _ip(Threshold, "threshold_", input, threshold, value)


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """a * sigmoid(b), a and b the halves of input along dim (F.glu)."""
    return Glu.apply(input, dim)


def logsigmoid(input: Tensor) -> Tensor:
    """log(sigmoid(x)), stable for large |x| (F.logsigmoid)."""
    return LogSigmoid._apply1(input)


def sigmoid(input: Tensor) -> Tensor:
    return ew.Sigmoid._apply1(input)


def tanh(input: Tensor) -> Tensor:
    return ew.Tanh._apply1(input)


def _softmax_dim(name: str, ndim: int, stacklevel: int) -> int:
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call "
                  "to include dim=X as an argument.", UserWarning, stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


def _softmax_input(input: Tensor, dtype: Any, op: str) -> Any:
    """input cast to dtype (before the op, as torch), checked to be floating point."""
    if dtype is not None:
        input = input.to(dtype)
    x = input._data
    if x.dtype.kind != "f":
        raise ew._not_impl(f"{op}_lastdim_kernel_impl", x.dtype)
    return input


def softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
            dtype: Any = None) -> Tensor:
    """exp(x) / sum(exp(x)) along dim, computed stably (F.softmax)."""
    if dim is None:
        dim = _softmax_dim("softmax", input.ndim, _stacklevel)
    return Softmax.apply(_softmax_input(input, dtype, "softmax"), dim)


def softmin(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
            dtype: Any = None) -> Tensor:
    """softmax(-x) along dim (F.softmin)."""
    if dim is None:
        dim = _softmax_dim("softmin", input.ndim, _stacklevel)
    return Softmax.apply(-_softmax_input(input, dtype, "softmax"), dim)


def log_softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3,
                dtype: Any = None) -> Tensor:
    """log(softmax(x)) along dim, computed stably (F.log_softmax)."""
    if dim is None:
        dim = _softmax_dim("log_softmax", input.ndim, _stacklevel)
    return LogSoftmax.apply(_softmax_input(input, dtype, "log_softmax"), dim)


def _gumbel_noise(x: ndarray) -> ndarray:
    """-log(E), E ~ Exp(1): standard Gumbel noise of x's shape and float dtype."""
    if x.dtype.kind != "f":
        raise RuntimeError(
            "gumbel_softmax: Exponential distribution is a continuous probability distribution. "
            f"dtype must be a floating point but you specified "
            f"{ew._TYPE_NAMES[_backend.from_np(x.dtype).name]}")
    dt = np.float64 if x.dtype == np.float64 else np.float32
    e = _backend.rng().standard_exponential(x.shape, dtype=dt)
    return -np.log(e).astype(x.dtype, copy=False)


def gumbel_softmax(logits: Tensor, tau: float = 1, hard: bool = False, eps: float = 1e-10,
                   dim: int = -1) -> Tensor:
    """softmax((logits + Gumbel noise) / tau) along dim; with hard=True a one-hot sample with the
    soft sample's gradient (straight-through) (F.gumbel_softmax)."""
    if eps != 1e-10:
        warnings.warn("`eps` parameter is deprecated and has no effect.", stacklevel=2)
    gumbels = (logits + _make(_gumbel_noise(logits._data))) / tau
    y_soft = Softmax.apply(gumbels, dim)
    if not hard:
        return y_soft
    ys = y_soft._data
    if ys.ndim == 0:
        y_hard = np.ones_like(ys)
    else:
        y_hard = np.zeros_like(ys)
        if ys.size:   # one-hot at the first maximum along dim, as torch's max(dim)[1]
            ax = wrap_dim(dim, ys.ndim, "gumbel_softmax")
            np.put_along_axis(y_hard, np.expand_dims(np.argmax(ys, axis=ax), ax), 1, axis=ax)
    return _make(y_hard) - y_soft.detach() + y_soft


def _softmax_method(self: Tensor, dim: int, dtype: Any = None) -> Tensor:
    return Softmax.apply(_softmax_input(self, dtype, "softmax"), dim)


def _log_softmax_method(self: Tensor, dim: int, dtype: Any = None) -> Tensor:
    return LogSoftmax.apply(_softmax_input(self, dtype, "log_softmax"), dim)


attach({"softmax": _softmax_method, "log_softmax": _log_softmax_method, "prelu": prelu,
        "hardshrink": hardshrink})
