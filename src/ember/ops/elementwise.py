"""Elementwise arithmetic and math: each op a raw `Function` (arrays in, arrays out), its
broadcasting undone by the engine, its dtype from torch's promotion rules (`_util.promote`).

Backward formulas use only operators and `np.*` functions so that, under `create_graph=True`,
NumPy dispatches them back to ember ops (see `_numpy_protocol`)."""

from __future__ import annotations

import builtins
import math
from typing import Any

import numpy as np

from .. import _backend
from .._backend import to_np
from .._tensor import Tensor, _make
from ..autograd.function import Function
from . import _numpy_protocol as proto
from ._util import (
    as_float,
    attach,
    broadcast_error,
    check_inplace,
    commit_inplace,
    inplace,
    promote,
    result_type,
)

__all__ = ["add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide",
           "floor_divide", "remainder", "fmod", "pow", "neg", "negative", "positive", "abs",
           "absolute", "sign", "sgn", "reciprocal", "square", "sqrt", "rsqrt", "exp", "exp2",
           "expm1", "log", "log2", "log10", "log1p", "sin", "cos", "tan", "asin", "arcsin",
           "acos", "arccos", "atan", "arctan", "atan2", "arctan2", "sinh", "cosh", "tanh",
           "asinh", "arcsinh", "acosh", "arccosh", "atanh", "arctanh", "sigmoid", "relu", "erf",
           "clamp", "clip", "clamp_min", "clamp_max", "maximum", "minimum", "where", "lerp",
           "floor", "ceil", "round", "trunc", "fix", "frac", "isnan", "isinf", "isfinite",
           "isposinf", "isneginf", "nan_to_num", "rsub", "addcmul", "addcdiv", "logaddexp",
           "logaddexp2", "hypot", "xlogy", "copysign", "fmax", "fmin", "heaviside",
           "float_power", "erfc", "erfinv", "lgamma", "digamma", "logit", "sinc", "deg2rad",
           "rad2deg", "signbit", "i0"]

_TYPE_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
               "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


def _not_impl(op: str, dt: np.dtype) -> NotImplementedError:
    """torch's error for an op that has no kernel for a dtype (e.g. abs of bool)."""
    name = _TYPE_NAMES[_backend.from_np(dt).name]
    return NotImplementedError(f'"{op}" not implemented for \'{name}\' (this op does not '
                               f"support {_backend.from_np(dt).name} tensors)")


def _zero_div(op: str) -> RuntimeError:
    return RuntimeError(f"ZeroDivisionError: {op}: integer division by zero")


def _is_bool(x: Any) -> bool:
    if type(x) is np.ndarray:
        return x.dtype.kind == "b"
    return isinstance(x, (builtins.bool, np.bool_))


def _binop(op: str, fn: Any, a: Any, b: Any) -> Any:
    """fn(a, b) on promoted arrays, turning NumPy's broadcast ValueError into torch's."""
    a, b = promote(a, b)
    try:
        return fn(a, b)
    except ValueError:
        raise broadcast_error(op, a, b) from None


# ----------------------------------------------------------------------------- arithmetic
class Add(Function):
    _raw = True
    _name = "AddBackward0"

    @staticmethod
    def forward(ctx: Any, a: Any, b: Any) -> Any:
        if type(a) is np.ndarray and type(b) is np.ndarray and a.dtype is b.dtype:
            try:
                return a + b
            except ValueError:
                raise broadcast_error("add", a, b) from None
        return _binop("add", np.add, a, b)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        return g, g   # d(a+b) = 1, 1


class Sub(Function):
    _raw = True
    _name = "SubBackward0"

    @staticmethod
    def forward(ctx: Any, a: Any, b: Any) -> Any:
        if _is_bool(a) or _is_bool(b):
            raise RuntimeError(
                "Subtraction, the `-` operator, with a bool tensor is not supported. If you "
                "are trying to invert a mask, use the `~` or `logical_not()` operator instead.")
        a, b = promote(a, b)
        try:
            return a - b
        except ValueError:
            raise broadcast_error("sub", a, b) from None

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        return g, -g   # d(a-b) = 1, -1


class Mul(Function):
    _raw = True
    _name = "MulBackward0"

    @staticmethod
    def forward(ctx: Any, a: Any, b: Any) -> Any:
        need = ctx.needs_input_grad
        ctx.save_for_backward(a if need[1] else None, b if need[0] else None)
        if type(a) is np.ndarray and type(b) is np.ndarray and a.dtype is b.dtype:
            try:
                return a * b
            except ValueError:
                raise broadcast_error("mul", a, b) from None
        return _binop("mul", np.multiply, a, b)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        a, b = ctx.saved_tensors   # d(ab) = b, a
        return (g * b if b is not None else None), (g * a if a is not None else None)


class Div(Function):
    _raw = True
    _name = "DivBackward0"

    @staticmethod
    def forward(ctx: Any, a: Any, b: Any) -> Any:
        ctx.save_for_backward(a if ctx.needs_input_grad[1] else None, b)
        a, b = promote(a, b)
        if a.dtype.kind != "f":
            a, b = as_float(a), as_float(b)
        try:
            return a / b
        except ValueError:
            raise broadcast_error("div", a, b) from None

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        a, b = ctx.saved_tensors
        ga = g / b if ctx.needs_input_grad[0] else None            # d(a/b)/da = 1/b
        gb = -g * a / (b * b) if ctx.needs_input_grad[1] else None  # d(a/b)/db = -a/b²
        return ga, gb


def _int_trunc_div(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    q = np.floor_divide(a, b)
    return q + ((np.remainder(a, b) != 0) & ((a < 0) != (b < 0)))


class DivMode(Function):
    """Rounded division (torch.div with rounding_mode 'trunc'/'floor', floor_divide)."""

    _raw = True
    _name = "DivBackward1"

    @staticmethod
    def forward(ctx: Any, a: Any, b: Any, mode: str) -> Any:
        a, b = promote(a, b)
        kind = a.dtype.kind
        if kind == "b":
            raise _not_impl("div_floor_cpu" if mode == "floor" else "div_trunc_cpu", a.dtype)
        try:
            if kind != "f":
                if not np.all(b):
                    raise _zero_div("div")
                return np.floor_divide(a, b) if mode == "floor" else _int_trunc_div(a, b)
            return np.floor_divide(a, b) if mode == "floor" else np.trunc(a / b)
        except ValueError:
            raise broadcast_error("div", a, b) from None

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        return g * 0, g * 0, None   # piecewise constant: zero gradient, as torch


class FloorDivide(Function):
    _raw = True
    _name = "FloorDivideBackward0"

    forward = DivMode.forward

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        raise RuntimeError("the derivative for 'floor_divide' is not implemented (as in torch); "
                           "use div(a, b, rounding_mode='floor'), whose gradient is zero")


class Remainder(Function):
    """a - b·floor(a/b): Python's %, the sign of the divisor (torch.remainder)."""

    _raw = True
    _name = "RemainderBackward0"

    @staticmethod
    def forward(ctx: Any, a: Any, b: Any) -> Any:
        ctx.save_for_backward(a if ctx.needs_input_grad[1] else None,
                              b if ctx.needs_input_grad[1] else None)
        return _mod("remainder", np.remainder, a, b)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        a, b = ctx.saved_tensors   # d/da = 1, d/db = -floor(a/b)
        return g, (-g * np.floor_divide(a, b) if a is not None else None)


class Fmod(Function):
    """a - b·trunc(a/b): C's fmod, the sign of the dividend (torch.fmod)."""

    _raw = True
    _name = "FmodBackward0"

    @staticmethod
    def forward(ctx: Any, a: Any, b: Any) -> Any:
        ctx.save_for_backward(a if ctx.needs_input_grad[1] else None,
                              b if ctx.needs_input_grad[1] else None)
        return _mod("fmod", np.fmod, a, b)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        a, b = ctx.saved_tensors   # d/da = 1, d/db = -trunc(a/b)
        return g, (-g * np.trunc(a / b) if a is not None else None)


def _mod(op: str, fn: Any, a: Any, b: Any) -> Any:
    a, b = promote(a, b)
    kind = a.dtype.kind
    if kind == "b":
        raise _not_impl(f"{op}_cpu", a.dtype)
    try:
        if kind != "f":
            if not np.all(b):
                raise _zero_div(op)
            return fn(a, b)
        return fn(a, b)
    except ValueError:
        raise broadcast_error(op, a, b) from None


class Pow(Function):
    _raw = True
    _name = "PowBackward0"

    @staticmethod
    def forward(ctx: Any, a: Any, b: Any) -> Any:
        sa, sb = a, b
        a, b = promote(a, b)
        if a.dtype.kind in "biu":
            if a.dtype.kind == "b":
                if b.dtype.kind == "b":
                    raise _not_impl("pow", a.dtype)
                a, b = a.astype(np.int64), b.astype(np.int64)
            if type(sb) is not np.ndarray and sb < 0:
                raise RuntimeError("Integers to negative integer powers are not allowed. "
                                   f"(pow: exponent {sb} on an integer tensor)")
            if np.any(b < 0):   # integer a^-n truncates: 1, ±1 for |a| = 1, else 0
                y = np.power(a, np.abs(b))
                y = np.where(b < 0, np.where(np.abs(a) == 1, y, 0), y)
            else:
                try:
                    y = np.power(a, b)
                except ValueError:
                    raise broadcast_error("pow", a, b) from None
            return y
        try:
            y = np.power(a, b)
        except ValueError:
            raise broadcast_error("pow", a, b) from None
        ctx.save_for_backward(sa, sb, y if ctx.needs_input_grad[1] else None)
        return y

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        a, b, y = ctx.saved_tensors
        ga = gb = None
        if ctx.needs_input_grad[0]:       # d a^b/da = b·a^(b-1), 0 where b == 0
            if isinstance(b, (builtins.int, builtins.float)):
                ga = g * 0 if b == 0 else g * b * np.power(a, b - 1)
            else:
                ga = np.where(b == 0, 0, g * b * np.power(a, b - 1))
        if ctx.needs_input_grad[1]:       # d a^b/db = a^b·ln a, 0 where a == 0 and b >= 0
            if isinstance(a, (builtins.int, builtins.float)):
                la = math.log(a) if a > 0 else (-math.inf if a == 0 else math.nan)
                gb = g * np.where(b >= 0, 0, y * la) if a == 0 else g * y * la
            else:
                gb = g * np.where((a == 0) & (b >= 0), 0, y * np.log(a))
        return ga, gb


class Atan2(Function):
    _raw = True
    _name = "Atan2Backward0"

    @staticmethod
    def forward(ctx: Any, a: Any, b: Any) -> Any:
        ctx.save_for_backward(a, b)
        a, b = promote(a, b)
        try:
            return np.arctan2(as_float(a), as_float(b))
        except ValueError:
            raise broadcast_error("atan2", a, b) from None

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        a, b = ctx.saved_tensors   # d atan2(a, b) = (b, -a) / (a² + b²)
        r = g / (a * a + b * b)
        return (r * b if ctx.needs_input_grad[0] else None,
                -r * a if ctx.needs_input_grad[1] else None)


class Maximum(Function):
    _raw = True
    _name = "MaximumBackward0"

    @staticmethod
    def forward(ctx: Any, a: Any, b: Any) -> Any:
        ctx.save_for_backward(a, b)
        return _binop("maximum", np.maximum, a, b)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        a, b = ctx.saved_tensors   # the larger input gets g; a tie splits it
        h = np.where(a == b, g / 2, g)
        return (np.where(a < b, 0, h) if ctx.needs_input_grad[0] else None,
                np.where(a > b, 0, h) if ctx.needs_input_grad[1] else None)


class Minimum(Function):
    _raw = True
    _name = "MinimumBackward0"

    @staticmethod
    def forward(ctx: Any, a: Any, b: Any) -> Any:
        ctx.save_for_backward(a, b)
        return _binop("minimum", np.minimum, a, b)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        a, b = ctx.saved_tensors   # the smaller input gets g; a tie splits it
        h = np.where(a == b, g / 2, g)
        return (np.where(a > b, 0, h) if ctx.needs_input_grad[0] else None,
                np.where(a < b, 0, h) if ctx.needs_input_grad[1] else None)


class Clamp(Function):
    """min(max(x, lo), hi) with scalar or array bounds, either None (torch.clamp)."""

    _raw = True
    _name = "ClampBackward1"

    @staticmethod
    def forward(ctx: Any, x: Any, lo: Any, hi: Any) -> Any:
        if lo is None and hi is None:
            raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
        ctx.save_for_backward(x, lo, hi)
        dt = result_type(x, lo, hi)
        y = x if x.dtype == dt else x.astype(dt)
        try:
            if lo is not None:
                y = np.maximum(y, lo if type(lo) is np.ndarray and lo.dtype == dt
                               else np.asarray(lo, dt))
            if hi is not None:
                y = np.minimum(y, hi if type(hi) is np.ndarray and hi.dtype == dt
                               else np.asarray(hi, dt))
        except ValueError:
            raise broadcast_error("clamp", x, lo if lo is not None else hi) from None
        return y if y is not x else x.copy()

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        x, lo, hi = ctx.saved_tensors
        n = ctx.needs_input_grad
        # d/dx = 1 inside [lo, hi] (bounds included); a tensor bound gets g where it is active
        if lo is None:
            gx = g * (x <= hi)
        elif hi is None:
            gx = g * (x >= lo)
        else:
            gx = g * ((x >= lo) & (x <= hi))
        glo = ghi = None
        if n[1]:
            glo = g * ((x < lo) & (lo < hi)) if hi is not None else g * (x < lo)
        if n[2]:
            ghi = g * ((x > hi) | (hi < lo)) if lo is not None else g * (x > hi)
        return (gx if n[0] else None), glo, ghi


class Where(Function):
    _raw = True
    _name = "WhereBackward0"

    @staticmethod
    def forward(ctx: Any, cond: Any, a: Any, b: Any) -> Any:
        if type(cond) is not np.ndarray or cond.dtype.kind != "b":
            got = _backend.from_np(np.asarray(cond).dtype).name
            raise RuntimeError("where expected condition to be a boolean tensor, but got a "
                               f"tensor with dtype {_TYPE_NAMES[got]} ({got})")
        ctx.save_for_backward(cond)
        a, b = promote(a, b)
        try:
            return np.where(cond, a, b)
        except ValueError:
            raise broadcast_error("where", cond, a, b) from None

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (c,) = ctx.saved_tensors   # g flows to the chosen branch
        n = ctx.needs_input_grad
        return (None, np.where(c, g, 0) if n[1] else None, np.where(c, 0, g) if n[2] else None)


class Lerp(Function):
    """start + weight·(end - start), torch's two-sided formula (torch.lerp)."""

    _raw = True
    _name = "LerpBackward0"

    @staticmethod
    def forward(ctx: Any, s: Any, e: Any, w: Any) -> Any:
        dt = s.dtype
        if dt.kind != "f":
            raise _not_impl("lerp_kernel_scalar", dt)
        for what, v in (("end", e), ("weight", w)):
            if type(v) is np.ndarray and v.dtype != dt and (what == "end" or v.ndim):
                raise RuntimeError(
                    f"lerp: expected dtype {_backend.from_np(dt).name} for `{what}` but got "
                    f"dtype {_backend.from_np(v.dtype).name}")
        ctx.save_for_backward(s if ctx.needs_input_grad[2] else None,
                              e if ctx.needs_input_grad[2] else None, w)
        wa = w.astype(dt, copy=False) if type(w) is np.ndarray else w
        try:
            d = e - s
            return np.where(np.abs(wa) < 0.5, s + wa * d, e - d * (1 - wa)).astype(dt, copy=False)
        except ValueError:
            raise broadcast_error("lerp", s, e) from None

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        s, e, w = ctx.saved_tensors   # d/ds = 1 - w, d/de = w, d/dw = e - s
        n = ctx.needs_input_grad
        return (g * (1 - w) if n[0] else None, g * w if n[1] else None,
                g * (e - s) if n[2] else None)


# ----------------------------------------------------------------------------- unary math
class Neg(Function):
    _raw = True
    _name = "NegBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        if x.dtype.kind == "b":
            raise RuntimeError(
                "Negation, the `-` operator, on a bool tensor is not supported. If you are "
                "trying to invert a mask, use the `~` or `logical_not()` operator instead.")
        return np.negative(x)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        return -g   # d(-x) = -1


class Abs(Function):
    _raw = True
    _name = "AbsBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        if x.dtype.kind == "b":
            raise _not_impl("abs_cpu", x.dtype)
        ctx.save_for_backward(x)
        return np.abs(x)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        return g * np.sign(x)   # d|x| = sign(x)


class Square(Function):
    _raw = True
    _name = "PowBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        ctx.save_for_backward(x)
        return np.square(x.astype(np.int64) if x.dtype.kind == "b" else x)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        return g * 2 * x   # d x² = 2x


_ZERO: dict = {}   # dtype -> 0-d zero, for relu


class Relu(Function):
    _raw = True
    _name = "ReluBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        if x.dtype.kind == "b":
            raise RuntimeError("Boolean inputs not supported for relu")
        # against a zero row NumPy runs 1.5-2x faster than against the scalar 0 on large inputs;
        # on small ones a 0-d zero of x's dtype skips the Python int's conversion (1.0 -> 0.7 µs)
        if x.size > 4096:
            y = np.maximum(x, np.zeros(x.shape[-1:], x.dtype))
        else:
            z = _ZERO.get(x.dtype)
            if z is None:
                z = _ZERO[x.dtype] = np.zeros((), x.dtype)
            y = np.maximum(x, z)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (y,) = ctx.saved_tensors   # d relu = 1 where the output is positive
        if type(g) is np.ndarray and type(y) is np.ndarray and y.ndim:
            m = np.greater(y, 0).astype(g.dtype)   # a float mask multiplies faster than a bool
            return np.multiply(g, m, out=m)
        return g * (y > 0)


class Sigmoid(Function):
    _raw = True
    _name = "SigmoidBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        x = as_float(x)
        # stable: exp only of non-positive numbers
        e = np.exp(-np.abs(x))
        y = np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (y,) = ctx.saved_tensors
        return g * y * (1 - y)   # d σ = σ(1-σ)


class _Constant(Function):
    """Base of piecewise-constant ops (sign, floor, ceil, round, trunc): zero gradient."""

    _raw = True

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        return g * 0


class Sign(_Constant):
    _name = "SignBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        if x.dtype.kind == "b":
            return x.copy()
        y = np.sign(x)
        return np.nan_to_num(y, nan=0.0) if x.dtype.kind == "f" else y


def _rounding(name: str, fn: Any) -> type:
    def forward(ctx: Any, x: Any) -> Any:
        if x.dtype.kind == "b":
            raise _not_impl(f"{name.lower()}_cpu", x.dtype)
        return fn(x) if x.dtype.kind == "f" else x.copy()
    return type(name, (_Constant,), {"_name": name + "Backward0",
                                     "forward": staticmethod(forward)})


Floor = _rounding("Floor", np.floor)
Ceil = _rounding("Ceil", np.ceil)
Trunc = _rounding("Trunc", np.trunc)


class Round(_Constant):
    _name = "RoundBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any, decimals: int) -> Any:
        if x.dtype.kind != "f" and (decimals or x.dtype.kind == "b"):
            raise _not_impl("round_cpu", x.dtype)
        return np.round(x, decimals) if x.dtype.kind == "f" else x.copy()

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        return g * 0, None


class Frac(Function):
    _raw = True
    _name = "FracBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        if x.dtype.kind != "f":
            raise _not_impl("frac_cpu", x.dtype)
        return x - np.trunc(x)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        return g   # d frac = 1


class NanToNum(Function):
    _raw = True
    _name = "NanToNumBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any, nan: Any, posinf: Any, neginf: Any) -> Any:
        if x.dtype.kind != "f":
            return x.copy()
        ctx.save_for_backward(x)
        return np.nan_to_num(x, nan=0.0 if nan is None else nan, posinf=posinf, neginf=neginf)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        return g * np.isfinite(x), None, None, None   # 1 where x was kept


def _float_unary(name: str, fn: Any, grad: Any, saves_output: bool) -> type:
    """A float-valued unary op: ints and bools compute in the default float dtype.
    `grad(g, v)` is the backward, v the saved output (saves_output) or input."""
    def forward(ctx: Any, x: Any) -> Any:
        x = as_float(x)
        y = fn(x)
        ctx.save_for_backward(y if saves_output else x)
        return y

    def backward(ctx: Any, g: Any) -> Any:
        (v,) = ctx.saved_tensors
        return grad(g, v)
    return type(name, (Function,), {"_raw": True, "_name": name + "Backward0",
                                    "forward": staticmethod(forward),
                                    "backward": staticmethod(backward)})


_LN2, _LN10, _2_SQRT_PI = math.log(2.0), math.log(10.0), 2.0 / math.sqrt(math.pi)
# erf, vectorised: Sun fdlibm's s_erf.c rational approximations (< 1 ulp in float64), by range
# of |x|: [0, 0.84375), [0.84375, 1.25), [1.25, 1/0.35), [1/0.35, 6), [6, inf] -> 1.
_ERF_PP = (-2.37630166566501626084e-05, -5.77027029648944159157e-03,
           -2.84817495755985104766e-02, -3.25042107247001499370e-01, 1.28379167095512558561e-01)
_ERF_QQ = (-3.96022827877536812320e-06, 1.32494738004321644526e-04, 5.08130628187576562776e-03,
           6.50222499887672944485e-02, 3.97917223959155352819e-01, 1.0)
_ERF_PA = (-2.16637559486879084300e-03, 3.54783043256182359371e-02,
           -1.10894694282396677476e-01, 3.18346619901161753674e-01,
           -3.72207876035701323847e-01, 4.14856118683748331666e-01,
           -2.36211856075265944077e-03)
_ERF_QA = (1.19844998467991074170e-02, 1.36370839120290507362e-02, 1.26171219808761642112e-01,
           7.18286544141962662868e-02, 5.40397917702171048937e-01, 1.06420880400844228286e-01,
           1.0)
_ERF_RA = (-9.81432934416914548592e+00, -8.12874355063065934246e+01,
           -1.84605092906711035994e+02, -1.62396669462573470355e+02,
           -6.23753324503260060396e+01, -1.05586262253232909814e+01,
           -6.93858572707181764372e-01, -9.86494403484714822705e-03)
_ERF_SA = (-6.04244152148580987438e-02, 6.57024977031928170135e+00, 1.08635005541779435134e+02,
           4.29008140027567833386e+02, 6.45387271733267880336e+02, 4.34565877475229228821e+02,
           1.37657754143519042600e+02, 1.96512716674392571292e+01, 1.0)
_ERF_RB = (-4.83519191608651397019e+02, -1.02509513161107724954e+03,
           -6.37566443368389627722e+02, -1.60636384855821916062e+02,
           -1.77579549177547519889e+01, -7.99283237680523006574e-01,
           -9.86494292470009928597e-03)
_ERF_SB = (-2.24409524465858183362e+01, 4.74528541206955367215e+02, 2.55305040643316442583e+03,
           3.19985821950859553908e+03, 1.53672958608443695994e+03, 3.25792512996573918826e+02,
           3.03380607434824582924e+01, 1.0)
_ERX = 8.45062911510467529297e-01


def _poly(c: tuple, z: np.ndarray) -> np.ndarray:
    """Horner: c[0]·z^(n-1) + ... + c[-1]."""
    r = c[0] * z + c[1]
    for k in c[2:]:
        r *= z
        r += k
    return r


# float32 erf (max error 1.31 ulp vs the exact value; tests/nn/test_activation.py): below
# |x| = C, x + x·p(x²); above, ±(1 - exp(q(|x| - C))). Minimax (Lawson) fits, float32 coefficients.
_ERF32_C = np.float32(0.921875)
_ERF32_P = tuple(map(np.float32, (
    -0.0006013350212015212, 0.004997992422431707, -0.026770226657390594, 0.11281926929950714,
    -0.3761250674724579, 0.12837915122509003)))
_ERF32_Q = tuple(map(np.float32, (
    0.00019473530119284987, -0.0019544793758541346, 0.010690057650208473, -0.044757843017578125,
    -0.8330012559890747, -2.508011817932129, -1.648561954498291)))


def _erf_f32(x: np.ndarray) -> np.ndarray:
    """erf of a float32 array (ndim >= 1) in float32: both branches on every element (|x|
    clamped to 4, where erf rounds to 1), merged with one putmask; NaN stays NaN."""
    xc = np.clip(x, np.float32(-4), np.float32(4))
    t = np.abs(xc)
    s = xc * xc
    y = _poly(_ERF32_P, s)
    y *= xc
    y += xc
    q = _poly(_ERF32_Q, np.subtract(t, _ERF32_C, out=s))
    np.exp(q, out=q)
    np.subtract(1, q, out=q)
    q *= np.divide(xc, t, out=s)   # the sign, exactly ±1 where it is used (t > C)
    np.putmask(y, t > _ERF32_C, q)
    return y


def _erfc_tail(t: np.ndarray) -> np.ndarray:
    """erfc(t) for float64 t in [1.25, 28) (fdlibm; ~1 ulp), t >= 28 underflows to 0."""
    s = 1 / (t * t)
    rs = np.where(t < 1 / 0.35, _poly(_ERF_RA, s) / _poly(_ERF_SA, s),
                  _poly(_ERF_RB, s) / _poly(_ERF_SB, s))
    # exp(-t²) split as exp(-h² - 0.5625)·exp((h-t)(h+t) + R/S), h = t with its low 32 bits
    # cleared, so h² is exact
    h = (t.view(np.uint64) & np.uint64(0xFFFFFFFF00000000)).view(np.float64)
    return np.exp(-h * h - 0.5625) * np.exp((h - t) * (h + t) + rs) / t


def _erf_fwd(x: np.ndarray) -> np.ndarray:
    """erf: float32 in float32 (_erf_f32), else in float64 (cast back to x's dtype), NaN and
    ±inf included."""
    if x.ndim == 0:    # NumPy gives scalars for 0-d math; work on a 1-element array
        return _erf_fwd(x.reshape(1)).reshape(())
    if x.dtype == np.float32:
        return _erf_f32(x)
    x64 = np.asarray(x, np.float64)
    a = np.abs(x64)
    z = a * a
    small = a < 0.84375
    if small.all():    # the common case: one branch, no indexing
        y = x64 + x64 * (_poly(_ERF_PP, z) / _poly(_ERF_QQ, z))
        return y.astype(x.dtype, copy=False)
    a, z = a.ravel(), z.ravel()    # flat integer indices: much faster than boolean masks
    y = a.copy()       # NaN stays NaN; every other element is overwritten below
    i = np.flatnonzero(small)
    if i.size:
        t, s = a[i], z[i]
        y[i] = t + t * (_poly(_ERF_PP, s) / _poly(_ERF_QQ, s))
    i = np.flatnonzero((a >= 0.84375) & (a < 1.25))
    if i.size:
        s = a[i] - 1
        y[i] = _ERX + _poly(_ERF_PA, s) / _poly(_ERF_QA, s)
    i = np.flatnonzero((a >= 1.25) & (a < 6))
    if i.size:
        y[i] = 1 - _erfc_tail(a[i])
    y[a >= 6] = 1
    y = y.reshape(x64.shape)
    return np.copysign(y, x64).astype(x.dtype, copy=False)


# name, NumPy forward, gradient (g, saved), saves output?
Sqrt = _float_unary("Sqrt", np.sqrt, lambda g, y: g / (2 * y), True)           # 1/(2√x)
Rsqrt = _float_unary("Rsqrt", lambda x: 1 / np.sqrt(x),
                     lambda g, y: g * -0.5 * y * y * y, True)                    # -y³/2
Reciprocal = _float_unary("Reciprocal", np.reciprocal, lambda g, y: -g * y * y, True)  # -1/x²
Exp = _float_unary("Exp", np.exp, lambda g, y: g * y, True)                      # exp
Exp2 = _float_unary("Exp2", np.exp2, lambda g, y: g * y * _LN2, True)            # 2^x ln2
Expm1 = _float_unary("Expm1", np.expm1, lambda g, y: g * (y + 1), True)          # exp
Log = _float_unary("Log", np.log, lambda g, x: g / x, False)                     # 1/x
Log2 = _float_unary("Log2", np.log2, lambda g, x: g / (x * _LN2), False)         # 1/(x ln2)
Log10 = _float_unary("Log10", np.log10, lambda g, x: g / (x * _LN10), False)     # 1/(x ln10)
Log1p = _float_unary("Log1p", np.log1p, lambda g, x: g / (x + 1), False)         # 1/(1+x)
Sin = _float_unary("Sin", np.sin, lambda g, x: g * np.cos(x), False)             # cos
Cos = _float_unary("Cos", np.cos, lambda g, x: -g * np.sin(x), False)            # -sin
Tan = _float_unary("Tan", np.tan, lambda g, y: g * (1 + y * y), True)            # 1 + tan²
Asin = _float_unary("Asin", np.arcsin, lambda g, x: g / np.sqrt(1 - x * x), False)
Acos = _float_unary("Acos", np.arccos, lambda g, x: -g / np.sqrt(1 - x * x), False)
Atan = _float_unary("Atan", np.arctan, lambda g, x: g / (1 + x * x), False)      # 1/(1+x²)
Sinh = _float_unary("Sinh", np.sinh, lambda g, x: g * np.cosh(x), False)         # cosh
Cosh = _float_unary("Cosh", np.cosh, lambda g, x: g * np.sinh(x), False)         # sinh
Tanh = _float_unary("Tanh", np.tanh, lambda g, y: g * (1 - y * y), True)         # 1 - tanh²
Asinh = _float_unary("Asinh", np.arcsinh, lambda g, x: g / np.sqrt(x * x + 1), False)
Acosh = _float_unary("Acosh", np.arccosh, lambda g, x: g / np.sqrt(x * x - 1), False)
Atanh = _float_unary("Atanh", np.arctanh, lambda g, x: g / (1 - x * x), False)   # 1/(1-x²)
Erf = _float_unary("Erf", _erf_fwd, lambda g, x: g * _2_SQRT_PI * np.exp(-(x * x)), False)


class ToCopy(Function):
    """Cast to another dtype (`to`, `float()`, `long()`, ...)."""

    _raw = True
    _name = "ToCopyBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any, dtype: np.dtype, copy: bool) -> Any:
        return x.astype(dtype, copy=copy)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        return g, None, None   # the engine casts g back to the input's dtype


class Copy(Function):
    """The in-place copy/fill family: `dst`'s new value comes from `src` (an array broadcast
    to dst's shape and cast to its dtype, or a scalar); dst's old value gets no gradient."""

    _raw = True
    _name = "CopyBackwards"

    @staticmethod
    def forward(ctx: Any, dst: Any, src: Any) -> Any:
        if type(src) is not np.ndarray:
            return np.full(dst.shape, src, dst.dtype)
        try:
            return np.broadcast_to(src, dst.shape).astype(dst.dtype)
        except ValueError:
            raise broadcast_error("copy_", dst, src) from None

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        n = ctx.needs_input_grad   # the engine sums g to src's shape and casts to its dtype
        return (g * 0 if n[0] else None), (g if n[1] else None)


# ----------------------------------------------------------------------------- entry points
def add(input: Any, other: Any, *, alpha: Any = 1, out: Any = None) -> Tensor:
    """input + alpha * other, broadcasting (torch.add)."""
    if alpha != 1:
        other = _scaled(input, other, alpha, "add")
    return Add._apply2(input, other)


def sub(input: Any, other: Any, *, alpha: Any = 1, out: Any = None) -> Tensor:
    """input - alpha * other (torch.sub)."""
    if alpha != 1:
        other = _scaled(input, other, alpha, "sub")
    return Sub._apply2(input, other)


def _scaled(input: Any, other: Any, alpha: Any, op: str) -> Any:
    if isinstance(alpha, builtins.float) and result_type(
            *(x._data if isinstance(x, Tensor) else x for x in (input, other))).kind != "f":
        raise RuntimeError(f"For integral input tensors, argument alpha must not be a floating "
                           f"point number. ({op}: alpha={alpha})")
    if result_type(*(x._data if isinstance(x, Tensor) else x for x in (input, other))).kind == "b":
        alpha = builtins.bool(alpha)
    return Mul.apply(other, alpha)


def rsub(input: Any, other: Any, *, alpha: Any = 1) -> Tensor:
    """other - alpha * input (torch.rsub)."""
    return sub(other, input, alpha=alpha)


def mul(input: Any, other: Any, *, out: Any = None) -> Tensor:
    """input * other (torch.mul)."""
    return Mul._apply2(input, other)


def div(input: Any, other: Any, *, rounding_mode: str | None = None, out: Any = None) -> Tensor:
    """True division (torch.div); rounding_mode 'trunc' or 'floor' rounds the quotient."""
    if rounding_mode is None:
        return Div._apply2(input, other)
    if rounding_mode not in ("trunc", "floor"):
        raise RuntimeError("div expected rounding_mode to be one of None, 'trunc', or 'floor' "
                         f"but found '{rounding_mode}'")
    return DivMode.apply(input, other, rounding_mode)


def floor_divide(input: Any, other: Any, *, out: Any = None) -> Tensor:
    """Division rounded down (torch.floor_divide, `//`)."""
    return FloorDivide.apply(input, other, "floor")


def remainder(input: Any, other: Any, *, out: Any = None) -> Tensor:
    """Python-style modulus, the sign of the divisor (torch.remainder, `%`)."""
    return Remainder.apply(input, other)


def fmod(input: Any, other: Any, *, out: Any = None) -> Tensor:
    """C-style modulus, the sign of the dividend (torch.fmod)."""
    return Fmod.apply(input, other)


def pow(input: Any, exponent: Any, *, out: Any = None) -> Tensor:
    """input ** exponent; either may be a Python number (torch.pow)."""
    return Pow.apply(input, exponent)


def atan2(input: Tensor, other: Tensor, *, out: Any = None) -> Tensor:
    """Angle of (other, input) in radians (torch.atan2)."""
    return Atan2.apply(input, other)


def _tensor_args(op: str, *args: tuple) -> None:
    """torch's TypeError for a non-Tensor where a Tensor is required: args are (name, value)."""
    for pos, (name, x) in enumerate(args, 1):
        if not isinstance(x, Tensor):
            raise TypeError(f"{op}(): argument '{name}' (position {pos}) must be Tensor, not "
                            f"{type(x).__name__}")


def maximum(input: Tensor, other: Tensor, *, out: Any = None) -> Tensor:
    """Elementwise maximum, propagating NaN (torch.maximum)."""
    _tensor_args("maximum", ("input", input), ("other", other))
    return Maximum.apply(input, other)


def minimum(input: Tensor, other: Tensor, *, out: Any = None) -> Tensor:
    """Elementwise minimum, propagating NaN (torch.minimum)."""
    _tensor_args("minimum", ("input", input), ("other", other))
    return Minimum.apply(input, other)


def clamp(input: Tensor, min: Any = None, max: Any = None, *, out: Any = None) -> Tensor:
    """Limit values to [min, max]; bounds are numbers or tensors, either may be None
    (torch.clamp)."""
    return Clamp.apply(input, min, max)


def clamp_min(input: Tensor, min: Any) -> Tensor:
    return Clamp.apply(input, min, None)


def clamp_max(input: Tensor, max: Any) -> Tensor:
    return Clamp.apply(input, None, max)


def where(condition: Tensor, input: Any = None, other: Any = None, *, out: Any = None) -> Any:
    """input where condition holds, else other, broadcasting all three (torch.where); with the
    condition alone, the indices where it holds (nonzero(condition, as_tuple=True))."""
    if input is None and other is None:
        from .indexing import nonzero
        return nonzero(condition, as_tuple=True)
    if input is None or other is None:
        raise TypeError(
            "where() takes a condition alone, or a condition, input and other; got only "
            f"{'other' if input is None else 'input'} besides the condition")
    return Where.apply(condition, input, other)


def lerp(input: Tensor, end: Tensor, weight: Any, *, out: Any = None) -> Tensor:
    """input + weight * (end - input) (torch.lerp)."""
    return Lerp.apply(input, end, weight)


def neg(input: Tensor, *, out: Any = None) -> Tensor:
    return Neg._apply1(input)


def positive(input: Tensor) -> Tensor:
    if input._data.dtype.kind == "b":
        raise TypeError("The `+` operator, on a bool tensor is not supported.")
    return input


def abs(input: Tensor, *, out: Any = None) -> Tensor:
    """|input|; integer dtypes stay integer (torch.abs)."""
    return Abs._apply1(input)


def sign(input: Tensor, *, out: Any = None) -> Tensor:
    """-1, 0 or 1 by the sign of input (torch.sign)."""
    return Sign._apply1(input)


def square(input: Tensor, *, out: Any = None) -> Tensor:
    return Square._apply1(input)


def relu(input: Tensor) -> Tensor:
    return Relu._apply1(input)


def sigmoid(input: Tensor, *, out: Any = None) -> Tensor:
    return Sigmoid._apply1(input)


def round(input: Tensor, *, decimals: int = 0, out: Any = None) -> Tensor:
    """Round half to even, to `decimals` places (torch.round)."""
    return Round.apply(input, decimals)


def nan_to_num(input: Tensor, nan: float = 0.0, posinf: float | None = None,
               neginf: float | None = None, *, out: Any = None) -> Tensor:
    """Replace NaN and ±inf by finite numbers (torch.nan_to_num)."""
    return NanToNum.apply(input, nan, posinf, neginf)


def _unary(cls: type, doc: str) -> Any:
    def fn(input: Tensor, *, out: Any = None) -> Tensor:
        return cls._apply1(input)
    fn.__name__ = fn.__qualname__ = cls.__name__.lower()
    fn.__doc__ = doc
    return fn


sqrt = _unary(Sqrt, "Square root; integers give the default float dtype (torch.sqrt).")
rsqrt = _unary(Rsqrt, "1 / sqrt(input) (torch.rsqrt).")
reciprocal = _unary(Reciprocal, "1 / input (torch.reciprocal).")
exp = _unary(Exp, "e ** input (torch.exp).")
exp2 = _unary(Exp2, "2 ** input (torch.exp2).")
expm1 = _unary(Expm1, "exp(input) - 1, accurate near 0 (torch.expm1).")
log = _unary(Log, "Natural logarithm (torch.log).")
log2 = _unary(Log2, "Base-2 logarithm (torch.log2).")
log10 = _unary(Log10, "Base-10 logarithm (torch.log10).")
log1p = _unary(Log1p, "log(1 + input), accurate near 0 (torch.log1p).")
sin = _unary(Sin, "Sine (torch.sin).")
cos = _unary(Cos, "Cosine (torch.cos).")
tan = _unary(Tan, "Tangent (torch.tan).")
asin = _unary(Asin, "Inverse sine (torch.asin).")
acos = _unary(Acos, "Inverse cosine (torch.acos).")
atan = _unary(Atan, "Inverse tangent (torch.atan).")
sinh = _unary(Sinh, "Hyperbolic sine (torch.sinh).")
cosh = _unary(Cosh, "Hyperbolic cosine (torch.cosh).")
tanh = _unary(Tanh, "Hyperbolic tangent (torch.tanh).")
asinh = _unary(Asinh, "Inverse hyperbolic sine (torch.asinh).")
acosh = _unary(Acosh, "Inverse hyperbolic cosine (torch.acosh).")
atanh = _unary(Atanh, "Inverse hyperbolic tangent (torch.atanh).")
erf = _unary(Erf, "Gauss error function (torch.erf).")
floor = _unary(Floor, "Round down; integers are returned unchanged (torch.floor).")
ceil = _unary(Ceil, "Round up; integers are returned unchanged (torch.ceil).")
trunc = _unary(Trunc, "Round toward zero; integers are returned unchanged (torch.trunc).")
frac = _unary(Frac, "input - trunc(input) (torch.frac).")


def _predicate(name: str, fn: Any, ints: Any) -> Any:
    def pred(input: Tensor) -> Tensor:
        x = input._data
        return _bool(fn(x) if x.dtype.kind == "f" else ints(x))
    pred.__name__ = pred.__qualname__ = name
    pred.__doc__ = f"Elementwise test, a bool tensor (torch.{name})."
    return pred


def _bool(x: Any) -> Tensor:
    return _make(x if type(x) is np.ndarray else np.asarray(x))


def _falses(x: np.ndarray) -> np.ndarray:
    return np.zeros(x.shape, np.bool_)


def _trues(x: np.ndarray) -> np.ndarray:
    return np.ones(x.shape, np.bool_)


isnan = _predicate("isnan", np.isnan, _falses)
isinf = _predicate("isinf", np.isinf, _falses)
isfinite = _predicate("isfinite", np.isfinite, _trues)
isposinf = _predicate("isposinf", np.isposinf, _falses)
isneginf = _predicate("isneginf", np.isneginf, _falses)

subtract, multiply, divide, true_divide, negative = sub, mul, div, div, neg
absolute, sgn, fix, clip = abs, sign, trunc, clamp
arcsin, arccos, arctan, arctan2 = asin, acos, atan, atan2
arcsinh, arccosh, arctanh = asinh, acosh, atanh


# ----------------------------------------------------------------------------- in place
def _copy_(self: Tensor, src: Any, non_blocking: bool = False) -> Tensor:
    """Copy src into self, broadcasting and casting to self's dtype (Tensor.copy_)."""
    check_inplace(self, "copy_")
    if not isinstance(src, Tensor):
        raise TypeError(f"copy_(): argument 'src' must be Tensor, not {type(src).__name__}")
    return commit_inplace(self, Copy.apply(self, src), "copy_")


def _fill_(self: Tensor, value: Any) -> Tensor:
    """Set every element to value, a number or a 0-d tensor (Tensor.fill_)."""
    check_inplace(self, "fill_")
    if isinstance(value, Tensor) and value._data.ndim:
        raise RuntimeError("fill_ only supports 0-dimension value tensor but got tensor with "
                           f"{value._data.ndim} dimensions.")
    return commit_inplace(self, Copy.apply(self, value), "fill_")


def _zero_(self: Tensor) -> Tensor:
    return _fill_(self, 0)


def _to(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
    """Tensor.to(dtype), to(device), to(other), to(device, dtype); copy=False reuses self."""
    from .._backend import check_device
    from .._backend import dtype as dtype_cls
    dt = kwargs.pop("dtype", None)
    dev = kwargs.pop("device", None)
    copy = kwargs.pop("copy", False)
    kwargs.pop("non_blocking", None)
    for a in args:
        if isinstance(a, dtype_cls) or a is float or a is int or a is bool:   # Python types too
            dt = a
        elif isinstance(a, Tensor):
            dt = a.dtype
        elif a is not None:
            dev = a
    if dev is not None:
        check_device(dev, "Tensor.to")
    if dt is None or to_np(dt) == self._data.dtype:
        return ToCopy.apply(self, self._data.dtype, True) if copy else self
    return ToCopy.apply(self, to_np(dt), True)


def _caster(dt_name: str) -> Any:
    def cast(self: Tensor, memory_format: Any = None) -> Tensor:
        dt = np.dtype(dt_name)
        return self if self._data.dtype == dt else ToCopy.apply(self, dt, True)
    cast.__name__ = dt_name
    return cast


def _reflected(fn: Any) -> Any:
    return lambda self, other: fn(other, self)


_METHODS = {
    "add": add, "sub": sub, "subtract": sub, "mul": mul, "multiply": mul, "div": div,
    "divide": div, "true_divide": div, "floor_divide": floor_divide, "remainder": remainder,
    "fmod": fmod, "pow": pow, "atan2": atan2, "arctan2": atan2, "maximum": maximum,
    "minimum": minimum, "clamp": clamp, "clip": clamp, "clamp_min": clamp_min,
    "clamp_max": clamp_max, "lerp": lerp, "neg": neg, "negative": neg, "abs": abs,
    "absolute": abs, "sign": sign, "sgn": sign, "square": square, "relu": relu,
    "sigmoid": sigmoid, "round": round, "nan_to_num": nan_to_num, "sqrt": sqrt,
    "rsqrt": rsqrt, "reciprocal": reciprocal, "exp": exp, "exp2": exp2, "expm1": expm1,
    "log": log, "log2": log2, "log10": log10, "log1p": log1p, "sin": sin, "cos": cos,
    "tan": tan, "asin": asin, "arcsin": asin, "acos": acos, "arccos": acos, "atan": atan,
    "arctan": atan, "sinh": sinh, "cosh": cosh, "tanh": tanh, "asinh": asinh,
    "arcsinh": asinh, "acosh": acosh, "arccosh": acosh, "atanh": atanh, "arctanh": atanh,
    "erf": erf, "floor": floor, "ceil": ceil, "trunc": trunc, "fix": trunc, "frac": frac,
}
attach(_METHODS)
attach({name + "_": inplace(fn, name + "_") for name, fn in _METHODS.items()
        if name not in ("maximum", "minimum")})
attach({
    "isnan": isnan, "isinf": isinf, "isfinite": isfinite, "isposinf": isposinf,
    "isneginf": isneginf, "positive": positive,
    "where": lambda self, condition, other: where(condition, self, other),
    "__add__": Add._apply2, "__radd__": lambda s, o: Add._apply2(o, s),
    "__sub__": Sub._apply2, "__rsub__": _reflected(Sub.apply),
    "__mul__": Mul._apply2, "__rmul__": lambda s, o: Mul._apply2(o, s),
    "__truediv__": Div._apply2, "__rtruediv__": _reflected(Div.apply),
    "__floordiv__": floor_divide, "__rfloordiv__": _reflected(floor_divide),
    "__mod__": remainder, "__rmod__": _reflected(remainder),
    "__pow__": Pow._apply2, "__rpow__": _reflected(Pow.apply),
    "__neg__": neg, "__pos__": positive, "__abs__": abs,
    "__iadd__": inplace(add, "add_"), "__isub__": inplace(sub, "sub_"),
    "__imul__": inplace(mul, "mul_"), "__itruediv__": inplace(div, "div_"),
    "__ifloordiv__": inplace(floor_divide, "floor_divide_"),
    "__imod__": inplace(remainder, "remainder_"), "__ipow__": inplace(pow, "pow_"),
    "copy_": _copy_, "fill_": _fill_, "zero_": _zero_,
    "to": _to, "float": _caster("float32"), "double": _caster("float64"),
    "half": _caster("float16"), "long": _caster("int64"), "int": _caster("int32"),
    "short": _caster("int16"), "char": _caster("int8"), "byte": _caster("uint8"),
    "bool": _caster("bool"),
})


def _np_where(condition: Any, x: Any = None, y: Any = None) -> Tensor:
    return where(condition, x, y)


def _np_clip(a: Any, a_min: Any = None, a_max: Any = None, **kwargs: Any) -> Tensor:
    return clamp(a, kwargs.get("min", a_min), kwargs.get("max", a_max))


proto.register_ufuncs({
    np.add: add, np.subtract: sub, np.multiply: mul, np.true_divide: div,
    np.floor_divide: lambda a, b: div(a, b, rounding_mode="floor"), np.remainder: remainder,
    np.fmod: fmod, np.negative: neg, np.positive: positive, np.power: pow, np.abs: abs,
    np.sign: sign, np.square: square, np.sqrt: sqrt, np.reciprocal: reciprocal, np.exp: exp,
    np.exp2: exp2, np.expm1: expm1, np.log: log, np.log2: log2, np.log10: log10,
    np.log1p: log1p, np.sin: sin, np.cos: cos, np.tan: tan, np.arcsin: asin,
    np.arccos: acos, np.arctan: atan, np.arctan2: atan2, np.sinh: sinh, np.cosh: cosh,
    np.tanh: tanh, np.arcsinh: asinh, np.arccosh: acosh, np.arctanh: atanh,
    np.maximum: lambda a, b: Maximum.apply(a, b), np.minimum: lambda a, b: Minimum.apply(a, b),
    np.floor: floor, np.ceil: ceil, np.trunc: trunc, np.isnan: isnan, np.isinf: isinf,
    np.isfinite: isfinite,
})
proto.register_functions({np.where: _np_where, np.clip: _np_clip, np.round: round})


# ----------------------------------------------------------------------------- more math
# torch's pointwise extras: addcmul/addcdiv, the float binary ops (logaddexp, hypot, xlogy,
# copysign, ...), fmax/fmin, heaviside, float_power and the special functions. NumPy has no
# erfinv, lgamma or digamma: they are computed here in float64 (cast back to the input's dtype).
def _floats(op: str, a: Any, b: Any, ints: bool = True) -> tuple:
    """a and b as arrays of their float result dtype: integer results become the default float
    dtype (ints=True) or raise torch's "not implemented for" error."""
    dt = result_type(a, b)
    if dt.kind != "f":
        if not ints:
            raise _not_impl(f"{op}_cpu", dt)
        dt = _backend.default_float()
    return np.asarray(a, dt), np.asarray(b, dt)


def _float_binary(op: str, fn: Any, a: Any, b: Any, ints: bool = True) -> Any:
    a, b = _floats(op, a, b, ints)
    try:
        return fn(a, b)
    except ValueError:
        raise broadcast_error(op, a, b) from None


class Addcmul(Function):
    _raw = True
    _name = "AddcmulBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any, t1: Any, t2: Any, value: Any) -> Any:
        dt = result_type(x, t1, t2)
        if dt.kind == "b":
            raise _not_impl("addcmul_cpu_out", dt)
        n = ctx.needs_input_grad
        ctx.value = value
        ctx.save_for_backward(t1 if n[2] else None, t2 if n[1] else None)
        try:   # value takes the result dtype (truncated for integers, as torch)
            return (x.astype(dt, copy=False) + np.asarray(value).astype(dt)
                    * t1.astype(dt, copy=False) * t2.astype(dt, copy=False))
        except ValueError:
            raise broadcast_error("addcmul", x, t1, t2) from None

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        t1, t2 = ctx.saved_tensors   # d/dx = 1, d/dt1 = value·t2, d/dt2 = value·t1
        v = ctx.value
        return (g, g * (t2 * v) if t2 is not None else None,
                g * (t1 * v) if t1 is not None else None, None)


class Addcdiv(Function):
    _raw = True
    _name = "AddcdivBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any, t1: Any, t2: Any, value: Any) -> Any:
        if t1.dtype.kind in "biu" and t2.dtype.kind in "biu":
            raise RuntimeError(
                "Integer division with addcdiv is no longer supported, and in a future release "
                "addcdiv will perform a true division of tensor1 and tensor2. The historic "
                "addcdiv behavior can be implemented as (input + value * torch.trunc(tensor1 / "
                "tensor2)).to(input.dtype) for integer inputs and as (input + value * tensor1 / "
                "tensor2) for float inputs. The future addcdiv behavior is just the latter "
                "implementation: (input + value * tensor1 / tensor2), for all dtypes. (addcdiv: "
                f"tensor1 is {_backend.from_np(t1.dtype).name}, tensor2 is "
                f"{_backend.from_np(t2.dtype).name})")
        dt = result_type(x, t1, t2)
        n = ctx.needs_input_grad
        ctx.value = value
        ctx.save_for_backward(t1 if n[2] else None, t2 if n[1] or n[2] else None)
        try:
            return (x.astype(dt, copy=False) + np.asarray(value, dt)
                    * t1.astype(dt, copy=False) / t2.astype(dt, copy=False))
        except ValueError:
            raise broadcast_error("addcdiv", x, t1, t2) from None

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        t1, t2 = ctx.saved_tensors   # d/dt1 = value/t2, d/dt2 = -value·t1/t2²
        v = ctx.value
        n = ctx.needs_input_grad
        return (g, g * (v / t2) if n[1] else None,
                -g * v * t1 / (t2 * t2) if n[2] else None, None)


class Logaddexp(Function):
    _raw = True
    _name = "LogaddexpBackward0"

    @staticmethod
    def forward(ctx: Any, a: Any, b: Any) -> Any:
        ctx.save_for_backward(a, b)
        return _float_binary("logaddexp", np.logaddexp, a, b, ints=False)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        a, b = ctx.saved_tensors   # d/da = 1 / (1 + e^(b-a)), d/db = 1 / (1 + e^(a-b))
        n = ctx.needs_input_grad
        return (g / (1 + np.exp(b - a)) if n[0] else None,
                g / (1 + np.exp(a - b)) if n[1] else None)


class Logaddexp2(Function):
    _raw = True
    _name = "Logaddexp2Backward0"

    @staticmethod
    def forward(ctx: Any, a: Any, b: Any) -> Any:
        ctx.save_for_backward(a, b)
        return _float_binary("logaddexp2", np.logaddexp2, a, b, ints=False)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        a, b = ctx.saved_tensors   # d/da = 1 / (1 + 2^(b-a)), d/db = 1 / (1 + 2^(a-b))
        n = ctx.needs_input_grad
        return (g / (1 + np.exp2(b - a)) if n[0] else None,
                g / (1 + np.exp2(a - b)) if n[1] else None)


class Hypot(Function):
    _raw = True
    _name = "HypotBackward0"

    @staticmethod
    def forward(ctx: Any, a: Any, b: Any) -> Any:
        y = _float_binary("hypot", np.hypot, a, b, ints=False)
        ctx.save_for_backward(a, b, y)
        return y

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        a, b, y = ctx.saved_tensors   # d/da = a / y, d/db = b / y
        n = ctx.needs_input_grad
        return (g * a / y if n[0] else None), (g * b / y if n[1] else None)


def _xlogy(x: Any, y: Any) -> Any:
    # NaN in y gives NaN; else 0 where x == 0 (even where log y is ±inf or NaN)
    return np.where(np.isnan(y), np.nan, np.where(x == 0, 0, x * np.log(y))).astype(
        x.dtype, copy=False)


class Xlogy(Function):
    """x·log(y), 0 where x == 0 (torch.xlogy); either operand may be a Python number."""

    _raw = True
    _name = "XlogyBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any, y: Any) -> Any:
        ctx.save_for_backward(x, y)
        return _float_binary("xlogy", _xlogy, x, y)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        x, y = ctx.saved_tensors   # d/dx = log y (0 where x == y == 0, as torch), d/dy = x / y
        n = ctx.needs_input_grad
        return (g * np.where((x == 0) & (y == 0), 0, np.log(y)) if n[0] else None,
                g * x / y if n[1] else None)


class XlogyScalarSelf(Xlogy):
    _name = "XlogyBackward1"


class XlogyScalarOther(Xlogy):
    _name = "XlogyBackward2"


class Copysign(Function):
    _raw = True
    _name = "CopysignBackward0"

    @staticmethod
    def forward(ctx: Any, a: Any, b: Any) -> Any:
        y = _float_binary("copysign", np.copysign, a, b)
        ctx.save_for_backward(a, y)
        return y

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        a, y = ctx.saved_tensors   # d/da = ±1 (0 where a == 0), d/db = 0
        n = ctx.needs_input_grad
        return (g * np.where(a == 0, 0, y / a) if n[0] else None), (g * 0 if n[1] else None)


class CopysignScalar(Copysign):
    _name = "CopysignBackward1"


def _nan_losing(name: str, fn: Any, wins: Any) -> type:
    """fmax/fmin: fn of a and b, a NaN on one side losing to the number on the other; the
    gradient goes to a where wins(a, b) or b is NaN, to b elsewhere."""
    def forward(ctx: Any, a: Any, b: Any) -> Any:
        ctx.save_for_backward(a, b)
        return _binop(name.lower(), fn, a, b)

    def backward(ctx: Any, g: Any) -> Any:
        a, b = ctx.saved_tensors
        m = wins(a, b) | np.isnan(b)
        n = ctx.needs_input_grad
        return (np.where(m, g, 0) if n[0] else None), (np.where(m, 0, g) if n[1] else None)
    return type(name, (Function,), {"_raw": True, "_name": name + "Backward0",
                                    "forward": staticmethod(forward),
                                    "backward": staticmethod(backward)})


Fmax = _nan_losing("Fmax", np.fmax, np.greater_equal)
Fmin = _nan_losing("Fmin", np.fmin, np.less_equal)


class Heaviside(Function):
    _raw = True
    _name = "NotImplemented"

    @staticmethod
    def forward(ctx: Any, x: Any, values: Any) -> Any:
        if x.dtype != values.dtype:
            raise RuntimeError(
                "heaviside is not yet implemented for tensors with different dtypes. (got "
                f"input {_backend.from_np(x.dtype).name} and values "
                f"{_backend.from_np(values.dtype).name})")
        try:   # values where x == 0, else 1 where x > 0 and 0 elsewhere (NaN included)
            return np.where(x == 0, values, x > 0).astype(x.dtype, copy=False)
        except ValueError:
            raise broadcast_error("heaviside", x, values) from None

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        raise RuntimeError("the derivative for 'heaviside' is not implemented (as in torch)")


class Logit(Function):
    """log(p / (1 - p)), p clamped to [eps, 1 - eps] when eps is given (torch.logit)."""

    _raw = True
    _name = "LogitBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any, eps: Any) -> Any:
        x = as_float(x)
        ctx.eps = eps
        ctx.save_for_backward(x)
        if eps is not None:
            x = np.clip(x, eps, 1 - eps)
        return np.log(x / (1 - x))

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (x,) = ctx.saved_tensors   # 1 / (x(1-x)); outside [0, 1] NaN, outside the clamp 0
        eps = ctx.eps
        d = g / (x * (1 - x))
        if eps is None:
            return np.where((x < 0) | (x > 1), np.nan, d), None
        return np.where((x < eps) | (x > 1 - eps), 0, d), None


def _in_f64(fn: Any) -> Any:
    """Run fn on a float64 array of ndim >= 1; the result takes the input's shape and dtype."""
    def run(x: np.ndarray) -> np.ndarray:
        y = fn(np.asarray(x, np.float64).reshape(x.shape or (1,)))
        return np.asarray(y).reshape(x.shape).astype(x.dtype, copy=False)
    return run


def _abs_sinpi(x: np.ndarray) -> np.ndarray:
    """|sin(πx)|, exact at integers and accurate for large |x| (πx is not rounded)."""
    f = x - np.floor(x)
    return np.sin(math.pi * np.minimum(f, 1 - f))


# Lanczos (g = 7, n = 9) for log Γ(x), x >= 0.5: relative error ~1e-15 in Γ
_LANCZOS = (0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
            -176.61502916214059, 12.507343278686905, -0.13857109526572012,
            9.9843695780195716e-6, 1.5056327351493116e-7)
_LOG_PI, _HALF_LOG_2PI = math.log(math.pi), 0.5 * math.log(2 * math.pi)


@_in_f64
def _lgamma(x: np.ndarray) -> np.ndarray:
    """log|Γ(x)|: Lanczos for x >= 0.5, reflection log(π/|sin πx|) - log Γ(1-x) below; +inf
    at 0, the negative integers and ±inf."""
    small = x < 0.5
    z = np.where(small, -x, x - 1)   # Γ(z + 1) for z >= -0.5
    a = np.full(z.shape, _LANCZOS[0])
    for k, c in enumerate(_LANCZOS[1:], 1):
        a += c / (z + k)
    t = z + 7.5
    y = _HALF_LOG_2PI + (z + 0.5) * np.log(t) - t + np.log(a)
    y = np.where(small, _LOG_PI - np.log(_abs_sinpi(x)) - y, y)
    return np.where(np.isinf(x), np.inf, y)


def _recur(x: np.ndarray, step: Any) -> tuple:
    """Raise x to >= 10 by x -> x + 1, summing step(x) on the way: (sum, shifted x)."""
    acc = np.zeros(x.shape)
    for _ in range(10):
        m = x < 10
        acc += np.where(m, step(x), 0)
        x = np.where(m, x + 1, x)
    return acc, x


@_in_f64
def _digamma(x: np.ndarray) -> np.ndarray:
    """ψ(x) = Γ'(x)/Γ(x): ψ(x) = ψ(x+1) - 1/x up to x >= 10, then the asymptotic series;
    ψ(x) = ψ(1-x) - π/tan(πx) for x < 0. ψ(±0) = ∓inf, NaN at the negative integers."""
    neg = x < 0
    r = np.where(neg, 1 - x, x)
    acc, r = _recur(r, lambda v: 1 / v)
    z = 1 / (r * r)
    y = np.log(r) - 0.5 / r - z * (1 / 12 - z * (1 / 120 - z * (1 / 252 - z * (
        1 / 240 - z * (1 / 132 - z * (691 / 32760 - z / 12)))))) - acc
    y = np.where(neg, y - math.pi / np.tan(math.pi * (x - np.round(x))), y)
    y = np.where(neg & (x == np.floor(x)), np.nan, y)
    return np.where(x == 0, np.copysign(np.inf, -x), y)


@_in_f64
def _trigamma(x: np.ndarray) -> np.ndarray:
    """ψ'(x): recurrence ψ'(x) = ψ'(x+1) + 1/x² and the asymptotic series; reflection
    ψ'(x) = π²/sin²(πx) - ψ'(1-x) for x < 0."""
    neg = x < 0
    r = np.where(neg, 1 - x, x)
    acc, r = _recur(r, lambda v: 1 / (v * v))
    u = 1 / r
    z = u * u
    y = acc + u + z / 2 + u * z * (1 / 6 - z * (1 / 30 - z * (1 / 42 - z * (
        1 / 30 - z * (5 / 66 - z * (691 / 2730 - z * 7 / 6))))))
    return np.where(neg, (math.pi / _abs_sinpi(x)) ** 2 - y, y)


# Giles, "Approximating the erfinv function" (GPU Computing Gems, 2011): single precision,
# refined below by Newton steps
_GILES_LO = (2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087,
             -0.00125372503, -0.00417768164, 0.246640727, 1.50140941)
_GILES_HI = (-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773,
             -0.0076224613, 0.00943887047, 1.00167406, 2.83297682)


def _erfc64(x: np.ndarray) -> np.ndarray:
    """erfc of a float64 array (ndim >= 1): the fdlibm tail above 1.25, else 1 - erf."""
    return np.where(x >= 1.25, _erfc_tail(np.clip(x, 1.25, 30.0)), 1 - _erf_fwd(x))


@_in_f64
def _erfinv(y: np.ndarray) -> np.ndarray:
    """erf⁻¹(y): Giles' approximation, then Newton steps on erf(x) = |y| (|y| <= 0.5) or on
    log erfc(x) = log(1 - |y|) (the tail, where 1 - |y| is exact); ±inf at ±1, NaN beyond."""
    a = np.abs(y)
    w = -np.log((1 - a) * (1 + a))
    x = a * np.where(w < 5, _poly(_GILES_LO, w - 2.5), _poly(_GILES_HI, np.sqrt(w) - 3))
    x = x.ravel()
    a = a.ravel()
    i = np.flatnonzero(a <= 0.5)   # the guess is good to ~1e-7 here: 2 steps reach 1 ulp
    t, v = x[i], a[i]
    for _ in range(2):
        t -= (_erf_fwd(t) - v) / (_2_SQRT_PI * np.exp(-t * t))
    x[i] = t
    i = np.flatnonzero((a > 0.5) & (a < 1))   # ~10% off as |y| -> 1 in float64: 4 steps
    t, logq = x[i], np.log(1 - a[i])
    for _ in range(4):
        c = _erfc64(t)
        t += (np.log(c) - logq) * c / (_2_SQRT_PI * np.exp(-t * t))
    x[i] = t
    x, a = x.reshape(y.shape), a.reshape(y.shape)
    x = np.where(a == 1, np.inf, np.where(a > 1, np.nan, x))
    return np.copysign(x, y)


@_in_f64
def _erfc(x: np.ndarray) -> np.ndarray:
    return _erfc64(x)


def _sinc(x: np.ndarray) -> np.ndarray:
    p = math.pi * x
    return np.where(x == 0, 1, np.sin(p) / p).astype(x.dtype, copy=False)


def _sinc_grad(g: Any, x: Any) -> Any:
    p = math.pi * x   # d sinc = (πx cos πx - sin πx) / (πx²), 0 at 0
    return np.where(x == 0, 0, g * (p * np.cos(p) - np.sin(p)) / (p * x))


def _special(cls: Any, fn: Any) -> Any:
    """fn on arrays, the ember op on Tensors (a backward under create_graph)."""
    return lambda x: cls._apply1(x) if isinstance(x, Tensor) else fn(x)


_SQRT_PI_2 = math.sqrt(math.pi) / 2
Erfc = _float_unary("Erfc", _erfc, lambda g, x: -g * _2_SQRT_PI * np.exp(-(x * x)), False)
Erfinv = _float_unary("Erfinv", _erfinv, lambda g, y: g * _SQRT_PI_2 * np.exp(y * y), True)


class Trigamma(Function):
    """ψ'(x) (torch.polygamma(1, x)): digamma's derivative, for its double backward."""

    _raw = True
    _name = "PolygammaBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        x = as_float(x)
        ctx.save_for_backward(x)
        return _trigamma(x)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        from .numeric import Polygamma, _polygamma  # numeric imports this module
        (x,) = ctx.saved_tensors   # d ψ'(x) = ψ''(x)
        if isinstance(x, Tensor):
            return g * Polygamma.apply(2, x)
        return g * _polygamma(2, x)


Digamma = _float_unary("Digamma", _digamma,
                       lambda g, x: g * _special(Trigamma, _trigamma)(x), False)
Lgamma = _float_unary("Lgamma", _lgamma, lambda g, x: g * _special(Digamma, _digamma)(x), False)
Sinc = _float_unary("Sinc", _sinc, _sinc_grad, False)
_D2R, _R2D = math.pi / 180, 180 / math.pi
Deg2rad = _float_unary("Deg2rad", lambda x: x * _D2R, lambda g, x: g * _D2R, False)
Deg2rad._name = "Deg2RadBackward0"
Rad2deg = _float_unary("Rad2deg", lambda x: x * _R2D, lambda g, x: g * _R2D, False)
Rad2deg._name = "Rad2DegBackward0"


@_in_f64
def _i1(x: np.ndarray) -> np.ndarray:
    """Modified Bessel function I₁ (odd): the power series Σ (x/2)^(2k+1) / (k!(k+1)!) up to
    |x| = 20, the asymptotic expansion e^x/√(2πx)·Σ beyond (both ~1e-15 relative)."""
    a = np.abs(x)
    h = np.minimum(a, 20.0) / 2
    term, q = h.copy(), h * h
    small = h.copy()
    for k in range(1, 60):
        term = term * q / (k * (k + 1))
        small += term
    b = np.maximum(a, 20.0)
    term = np.ones(b.shape)
    big = term.copy()
    for k in range(1, 25):
        term = term * ((2 * k - 1) ** 2 - 4) / (8 * k * b)
        big += term
    big *= np.exp(b) / np.sqrt(2 * math.pi * b)
    return np.copysign(np.where(a <= 20, small, big), x)


class I1(Function):
    """I₁(x) (torch.special.i1): i0's derivative, for its double backward."""

    _raw = True
    _name = "SpecialI1Backward0"

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        x = as_float(x)
        y = _i1(x)
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        x, y = ctx.saved_tensors   # I₁' = I₀ - I₁/x, 1/2 at 0
        return g * np.where(x == 0, 0.5, np.i0(x) - y / x)


I0 = _float_unary("I0", _in_f64(np.i0), lambda g, x: g * _special(I1, _i1)(x), False)


# ----------------------------------------------------------------------------- entry points
def addcmul(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1,
            out: Any = None) -> Tensor:
    """input + value * tensor1 * tensor2 (torch.addcmul)."""
    _tensor_args("addcmul", ("input", input), ("tensor1", tensor1), ("tensor2", tensor2))
    return Addcmul.apply(input, tensor1, tensor2, _number(value))


def addcdiv(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: Any = 1,
            out: Any = None) -> Tensor:
    """input + value * tensor1 / tensor2; not for two integer tensors (torch.addcdiv)."""
    _tensor_args("addcdiv", ("input", input), ("tensor1", tensor1), ("tensor2", tensor2))
    return Addcdiv.apply(input, tensor1, tensor2, _number(value))


def _number(value: Any) -> Any:
    """A Python number from a number or a one-element tensor (addcmul's value=)."""
    return value.item() if isinstance(value, Tensor) else value


def _tensor_binary(cls: type, name: str, second: str, doc: str) -> Any:
    def fn(input: Tensor, other: Tensor, *, out: Any = None) -> Tensor:
        _tensor_args(name, ("input", input), (second, other))
        return cls._apply2(input, other)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    return fn


logaddexp = _tensor_binary(Logaddexp, "logaddexp", "other",
                           "log(exp(input) + exp(other)), without overflow (torch.logaddexp).")
logaddexp2 = _tensor_binary(Logaddexp2, "logaddexp2", "other",
                            "log2(2**input + 2**other), without overflow (torch.logaddexp2).")
hypot = _tensor_binary(Hypot, "hypot", "other", "sqrt(input² + other²) (torch.hypot).")
fmax = _tensor_binary(Fmax, "fmax", "other",
                      "Elementwise maximum; a NaN loses to a number (torch.fmax).")
fmin = _tensor_binary(Fmin, "fmin", "other",
                      "Elementwise minimum; a NaN loses to a number (torch.fmin).")
heaviside = _tensor_binary(Heaviside, "heaviside", "values",
                           "0 where input < 0, values where input == 0, 1 where input > 0 "
                           "(torch.heaviside).")


_NUMBER = (builtins.int, builtins.float, builtins.bool)


def xlogy(input: Any, other: Any, *, out: Any = None) -> Tensor:
    """input * log(other), 0 where input == 0; one side may be a number (torch.xlogy)."""
    if isinstance(input, Tensor) and isinstance(other, Tensor):
        return Xlogy._apply2(input, other)
    if isinstance(input, Tensor) and isinstance(other, _NUMBER):
        return XlogyScalarOther._apply2(input, other)
    if isinstance(other, Tensor) and isinstance(input, _NUMBER):
        return XlogyScalarSelf._apply2(input, other)
    raise TypeError("xlogy(): expected (Tensor, Tensor), (Tensor, Number) or (Number, Tensor), "
                    f"got ({type(input).__name__}, {type(other).__name__})")


def copysign(input: Tensor, other: Any, *, out: Any = None) -> Tensor:
    """|input| with the sign of other, a tensor or a number (torch.copysign)."""
    _tensor_args("copysign", ("input", input))
    if isinstance(other, Tensor):
        return Copysign._apply2(input, other)
    if isinstance(other, _NUMBER):
        return CopysignScalar._apply2(input, other)
    raise TypeError(f"copysign(): argument 'other' (position 2) must be Tensor or Number, not "
                    f"{type(other).__name__}")


def _double(x: Any, op: str) -> Any:
    if isinstance(x, Tensor):
        return x if x._data.dtype == np.float64 else ToCopy.apply(x, np.dtype(np.float64), True)
    if isinstance(x, _NUMBER):
        return builtins.float(x)
    raise TypeError(f"{op}(): expected a Tensor or a number, got {type(x).__name__}")


def float_power(input: Any, exponent: Any, *, out: Any = None) -> Tensor:
    """input ** exponent computed in float64, always a float64 result (torch.float_power)."""
    if not isinstance(input, Tensor) and not isinstance(exponent, Tensor):
        raise TypeError("float_power(): expected a Tensor for input or exponent, got "
                        f"{type(input).__name__} and {type(exponent).__name__}")
    a, b = _double(input, "float_power"), _double(exponent, "float_power")
    da, db = (v._data if isinstance(v, Tensor) else v for v in (a, b))
    try:
        np.broadcast_shapes(np.shape(da), np.shape(db))
    except ValueError:
        raise broadcast_error("float_power", da, db) from None
    return Pow.apply(a, b)


def _float_power_(self: Tensor, exponent: Any) -> Tensor:
    """In-place float_power: self must already be float64 (Tensor.float_power_)."""
    if self._data.dtype != np.float64:
        raise RuntimeError(
            "the base given to float_power_ has dtype "
            f"{_TYPE_NAMES[_backend.from_np(self._data.dtype).name]} but the operation's result "
            "requires dtype Double")
    check_inplace(self, "float_power_")
    return commit_inplace(self, float_power(self, exponent), "float_power_")


def logit(input: Tensor, eps: float | None = None, *, out: Any = None) -> Tensor:
    """log(input / (1 - input)), input clamped to [eps, 1 - eps] if eps is given
    (torch.logit)."""
    return Logit.apply(input, eps)


def signbit(input: Tensor, *, out: Any = None) -> Tensor:
    """True where the sign bit is set, -0.0 and -NaN included (torch.signbit)."""
    x = input._data
    return _bool(_falses(x) if x.dtype.kind == "b" else np.signbit(x))


erfc = _unary(Erfc, "1 - erf(input), accurate in the tail (torch.erfc).")
erfinv = _unary(Erfinv, "Inverse error function (torch.erfinv).")
lgamma = _unary(Lgamma, "log|Γ(input)| (torch.lgamma).")
digamma = _unary(Digamma, "ψ(input) = Γ'(input)/Γ(input) (torch.digamma).")
sinc = _unary(Sinc, "sin(πx)/(πx), 1 at 0 (torch.sinc).")
deg2rad = _unary(Deg2rad, "Degrees to radians (torch.deg2rad).")
rad2deg = _unary(Rad2deg, "Radians to degrees (torch.rad2deg).")
i0 = _unary(I0, "Modified Bessel function of the first kind, order 0 (torch.i0).")

_MORE_METHODS = {
    "addcmul": addcmul, "addcdiv": addcdiv, "hypot": hypot, "xlogy": xlogy,
    "copysign": copysign, "heaviside": heaviside, "erfc": erfc, "erfinv": erfinv,
    "lgamma": lgamma, "digamma": digamma, "logit": logit, "sinc": sinc, "deg2rad": deg2rad,
    "rad2deg": rad2deg, "i0": i0,
}
attach(_MORE_METHODS)
attach({name + "_": inplace(fn, name + "_") for name, fn in _MORE_METHODS.items()})
attach({"logaddexp": logaddexp, "logaddexp2": logaddexp2, "fmax": fmax, "fmin": fmin,
        "float_power": float_power, "float_power_": _float_power_, "signbit": signbit})

proto.register_ufuncs({
    np.logaddexp: logaddexp, np.logaddexp2: logaddexp2, np.hypot: hypot, np.copysign: copysign,
    np.fmax: lambda a, b: Fmax.apply(a, b), np.fmin: lambda a, b: Fmin.apply(a, b),
    np.float_power: float_power, np.signbit: signbit, np.deg2rad: deg2rad,
    np.radians: deg2rad, np.rad2deg: rad2deg, np.degrees: rad2deg,
})
proto.register_functions({np.sinc: sinc, np.i0: i0})
