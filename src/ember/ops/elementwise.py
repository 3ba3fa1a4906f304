"""Elementwise arithmetic and math: each op a raw `Function` (arrays in, arrays out), its
broadcasting undone by the engine, its dtype from torch's promotion rules (`_util.promote`)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._backend import to_np
from .._tensor import Tensor
from ..autograd.function import Function
from . import _numpy_protocol as proto
from ._util import as_float, attach, broadcast_error, check_inplace, commit_inplace, promote

__all__ = ["add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide", "neg",
           "negative", "exp", "log", "tanh", "sigmoid", "relu", "sin", "cos", "pow"]


# ----------------------------------------------------------------------------- arithmetic
class Add(Function):
    _raw = True
    _name = "AddBackward0"

    @staticmethod
    def forward(ctx: Any, a: Any, b: Any) -> Any:
        a, b = promote(a, b)
        try:
            return a + b
        except ValueError:
            raise broadcast_error("add", a, b) from None

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        return g, g   # d(a+b) = 1, 1


class Sub(Function):
    _raw = True
    _name = "SubBackward0"

    @staticmethod
    def forward(ctx: Any, a: Any, b: Any) -> Any:
        a, b = promote(a, b)
        if a.dtype.kind == "b":
            raise RuntimeError(
                "Subtraction, the `-` operator, with two bool tensors is not supported. Use "
                "the `^` or `logical_xor()` operator instead.")
        try:
            return a - b
        except ValueError:
            raise broadcast_error("sub", a, b) from None

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        return g, -g


class Mul(Function):
    _raw = True
    _name = "MulBackward0"

    @staticmethod
    def forward(ctx: Any, a: Any, b: Any) -> Any:
        ctx.save_for_backward(a if ctx.needs_input_grad[1] else None,
                              b if ctx.needs_input_grad[0] else None)
        a, b = promote(a, b)
        try:
            return a * b
        except ValueError:
            raise broadcast_error("mul", a, b) from None

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        a, b = ctx.saved_tensors
        return (g * b if b is not None else None), (g * a if a is not None else None)


class Div(Function):
    _raw = True
    _name = "DivBackward0"

    @staticmethod
    def forward(ctx: Any, a: Any, b: Any) -> Any:
        a, b = promote(a, b)
        if a.dtype.kind != "f":
            a, b = as_float(a), as_float(b)
        ctx.save_for_backward(a if ctx.needs_input_grad[1] else None, b)
        try:
            with np.errstate(divide="ignore", invalid="ignore"):
                return a / b
        except ValueError:
            raise broadcast_error("div", a, b) from None

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        a, b = ctx.saved_tensors
        ga = g / b if ctx.needs_input_grad[0] else None            # d(a/b)/da = 1/b
        gb = -g * a / (b * b) if ctx.needs_input_grad[1] else None  # d(a/b)/db = -a/b²
        return ga, gb


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
        return -g


class Pow(Function):
    _raw = True
    _name = "PowBackward0"

    @staticmethod
    def forward(ctx: Any, a: Any, b: Any) -> Any:
        ctx.save_for_backward(a, b)
        a, b = promote(a, b)
        with np.errstate(divide="ignore", invalid="ignore"):
            y = np.power(a, b)
        ctx.save_for_backward(ctx._to_save[0], ctx._to_save[1], y)
        return y

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        a, b, y = ctx.saved_tensors
        with np.errstate(divide="ignore", invalid="ignore"):
            ga = g * b * np.power(a, b - 1) if ctx.needs_input_grad[0] else None  # b·a^(b-1)
            gb = (g * y * np.log(np.where(a > 0, a, 1)) * (a > 0)
                  if ctx.needs_input_grad[1] else None)                           # a^b·ln a
        return ga, gb


# ----------------------------------------------------------------------------- unary math
class Exp(Function):
    _raw = True
    _name = "ExpBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        y = np.exp(as_float(x))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (y,) = ctx.saved_tensors
        return g * y   # d exp = exp


class Log(Function):
    _raw = True
    _name = "LogBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        x = as_float(x)
        ctx.save_for_backward(x)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(x)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        return g / x   # d log = 1/x


class Tanh(Function):
    _raw = True
    _name = "TanhBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        y = np.tanh(as_float(x))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (y,) = ctx.saved_tensors
        return g * (1 - y * y)   # d tanh = 1 - y²


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


class Relu(Function):
    _raw = True
    _name = "ReluBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        y = np.maximum(x, 0)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (y,) = ctx.saved_tensors
        return g * (y > 0)   # d relu = 1 where the output is positive


class Sin(Function):
    _raw = True
    _name = "SinBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        x = as_float(x)
        ctx.save_for_backward(x)
        return np.sin(x)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        return g * np.cos(x)   # d sin = cos


class Cos(Function):
    _raw = True
    _name = "CosBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        x = as_float(x)
        ctx.save_for_backward(x)
        return np.cos(x)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        return -g * np.sin(x)   # d cos = -sin


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


# ----------------------------------------------------------------------------- entry points
def add(input: Any, other: Any, *, alpha: Any = 1, out: Any = None) -> Tensor:
    """input + alpha * other, broadcasting (torch.add)."""
    if alpha != 1:
        other = Mul.apply(other, alpha)
    return Add.apply(input, other)


def sub(input: Any, other: Any, *, alpha: Any = 1, out: Any = None) -> Tensor:
    """input - alpha * other (torch.sub)."""
    if alpha != 1:
        other = Mul.apply(other, alpha)
    return Sub.apply(input, other)


def mul(input: Any, other: Any, *, out: Any = None) -> Tensor:
    return Mul.apply(input, other)


def div(input: Any, other: Any, *, rounding_mode: str | None = None, out: Any = None) -> Tensor:
    """True division (torch.div); rounding_mode 'trunc' or 'floor' for integer-style division."""
    if rounding_mode is None:
        return Div.apply(input, other)
    raise NotImplementedError("div: rounding_mode lands with the rest of the arithmetic ops")


def neg(input: Tensor) -> Tensor:
    return Neg.apply(input)


def pow(input: Any, exponent: Any) -> Tensor:
    return Pow.apply(input, exponent)


def exp(input: Tensor) -> Tensor:
    return Exp.apply(input)


def log(input: Tensor) -> Tensor:
    return Log.apply(input)


def tanh(input: Tensor) -> Tensor:
    return Tanh.apply(input)


def sigmoid(input: Tensor) -> Tensor:
    return Sigmoid.apply(input)


def relu(input: Tensor) -> Tensor:
    return Relu.apply(input)


def sin(input: Tensor) -> Tensor:
    return Sin.apply(input)


def cos(input: Tensor) -> Tensor:
    return Cos.apply(input)


subtract, multiply, divide, true_divide, negative = sub, mul, div, div, neg


def _to(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
    """Tensor.to(dtype), to(device), to(other), to(device, dtype); copy=False reuses self."""
    from .._backend import check_device, dtype as dtype_cls
    dt = kwargs.pop("dtype", None)
    dev = kwargs.pop("device", None)
    copy = kwargs.pop("copy", False)
    kwargs.pop("non_blocking", None)
    for a in args:
        if isinstance(a, dtype_cls):
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


def _rsub(self: Tensor, other: Any) -> Tensor:
    return Sub.apply(other, self)


def _rdiv(self: Tensor, other: Any) -> Tensor:
    return Div.apply(other, self)


def _rpow(self: Tensor, other: Any) -> Tensor:
    return Pow.apply(other, self)


def _inplace(fn: Any, op: str) -> Any:
    def method(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        check_inplace(self, op)
        return commit_inplace(self, fn(self, *args, **kwargs), op)
    method.__name__ = op
    return method


attach({
    "add": add, "sub": sub, "subtract": sub, "mul": mul, "multiply": mul, "div": div,
    "divide": div, "true_divide": div, "neg": neg, "negative": neg, "pow": pow, "exp": exp,
    "log": log, "tanh": tanh, "sigmoid": sigmoid, "relu": relu, "sin": sin, "cos": cos,
    "__add__": lambda s, o: Add.apply(s, o), "__radd__": lambda s, o: Add.apply(o, s),
    "__sub__": lambda s, o: Sub.apply(s, o), "__rsub__": _rsub,
    "__mul__": lambda s, o: Mul.apply(s, o), "__rmul__": lambda s, o: Mul.apply(o, s),
    "__truediv__": lambda s, o: Div.apply(s, o), "__rtruediv__": _rdiv,
    "__pow__": lambda s, o: Pow.apply(s, o), "__rpow__": _rpow,
    "__neg__": neg, "__pos__": lambda s: s,
    "add_": _inplace(add, "add_"), "sub_": _inplace(sub, "sub_"),
    "mul_": _inplace(mul, "mul_"), "div_": _inplace(div, "div_"),
    "pow_": _inplace(pow, "pow_"), "neg_": _inplace(neg, "neg_"),
    "exp_": _inplace(exp, "exp_"), "log_": _inplace(log, "log_"),
    "tanh_": _inplace(tanh, "tanh_"), "sigmoid_": _inplace(sigmoid, "sigmoid_"),
    "relu_": _inplace(relu, "relu_"),
    "__iadd__": _inplace(add, "add_"), "__isub__": _inplace(sub, "sub_"),
    "__imul__": _inplace(mul, "mul_"), "__itruediv__": _inplace(div, "div_"),
    "to": _to, "float": _caster("float32"), "double": _caster("float64"),
    "half": _caster("float16"), "long": _caster("int64"), "int": _caster("int32"),
    "short": _caster("int16"), "char": _caster("int8"), "byte": _caster("uint8"),
    "bool": _caster("bool"),
})

proto.register_ufuncs({np.add: add, np.subtract: sub, np.multiply: mul, np.true_divide: div,
                       np.negative: neg, np.power: pow, np.exp: exp, np.log: log, np.tanh: tanh,
                       np.sin: sin, np.cos: cos})
