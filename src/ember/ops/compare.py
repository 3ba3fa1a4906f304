"""Comparison, logical and bitwise ops. None is differentiable (bool or integer results), so
they are plain functions on arrays, not autograd Functions: no graph node, no overhead."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._tensor import Tensor, _make
from . import _numpy_protocol as proto
from ._util import attach, broadcast_error, inplace, promote
from .elementwise import _not_impl

__all__ = ["eq", "ne", "not_equal", "lt", "less", "le", "less_equal", "gt", "greater", "ge",
           "greater_equal", "logical_and", "logical_or", "logical_xor", "logical_not",
           "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not", "bitwise_left_shift",
           "bitwise_right_shift", "isclose", "allclose", "equal"]

ndarray = np.ndarray
_NUMBER = (int, float, bool, np.number, np.bool_)


def _arr(x: Any, op: str) -> Any:
    if isinstance(x, Tensor):
        return x._data
    if isinstance(x, _NUMBER):
        return x
    raise TypeError(f"{op}(): expected a Tensor or a number, got {type(x).__name__}")


def _out(r: Any) -> Tensor:
    return _make(r if type(r) is ndarray else np.asarray(r))


def _apply(op: str, fn: Any, a: Any, b: Any) -> Tensor:
    """fn on torch-promoted operands, with torch's broadcast error."""
    x, y = _arr(a, op), _arr(b, op)
    if not (type(x) is ndarray and type(y) is ndarray and x.dtype is y.dtype):
        x, y = promote(x, y)
    try:
        return _out(fn(x, y))
    except ValueError:
        raise broadcast_error(op, x, y) from None


def _comparison(name: str, fn: Any) -> Any:
    def compare(input: Tensor, other: Any, *, out: Any = None) -> Tensor:
        return _apply(name, fn, input, other)
    compare.__name__ = compare.__qualname__ = name
    compare.__doc__ = f"Elementwise input {name} other, a bool tensor (torch.{name})."
    return compare


eq = _comparison("eq", np.equal)
ne = _comparison("ne", np.not_equal)
lt = _comparison("lt", np.less)
le = _comparison("le", np.less_equal)
gt = _comparison("gt", np.greater)
ge = _comparison("ge", np.greater_equal)
not_equal, less, less_equal, greater, greater_equal = ne, lt, le, gt, ge


def _operator(fn: Any) -> Any:
    """`tensor == x`: unknown operand types give NotImplemented (so `t == None` is False)."""
    def op(self: Tensor, other: Any) -> Any:
        if not isinstance(other, (Tensor, *_NUMBER)):
            return NotImplemented
        return fn(self, other)
    return op


def _logical(name: str, fn: Any) -> Any:
    def logical(input: Tensor, other: Tensor, *, out: Any = None) -> Tensor:
        if not isinstance(other, Tensor):
            raise TypeError(f"{name}(): argument 'other' (position 2) must be Tensor, not "
                            f"{type(other).__name__}")
        x, y = input._data, other._data
        try:
            return _out(fn(x, y))
        except ValueError:
            raise broadcast_error(name, x, y) from None
    logical.__name__ = logical.__qualname__ = name
    logical.__doc__ = f"Elementwise {name[8:].upper()} of the truth values (torch.{name})."
    return logical


logical_and = _logical("logical_and", np.logical_and)
logical_or = _logical("logical_or", np.logical_or)
logical_xor = _logical("logical_xor", np.logical_xor)


def logical_not(input: Tensor, *, out: Any = None) -> Tensor:
    """Elementwise NOT of the truth values (torch.logical_not)."""
    return _out(np.logical_not(input._data))


def _bitwise(name: str, kernel: str, fn: Any) -> Any:
    def bitwise(input: Any, other: Any, *, out: Any = None) -> Tensor:
        x, y = _arr(input, name), _arr(other, name)
        if not (type(x) is ndarray and type(y) is ndarray and x.dtype is y.dtype):
            x, y = promote(x, y)
        if x.dtype.kind == "f":
            raise _not_impl(kernel, x.dtype)
        try:
            return _out(fn(x, y))
        except ValueError:
            raise broadcast_error(name, x, y) from None
    bitwise.__name__ = bitwise.__qualname__ = name
    bitwise.__doc__ = f"Elementwise {name}; integer and bool tensors only (torch.{name})."
    return bitwise


def _shift_left(x: ndarray, s: ndarray) -> ndarray:
    # shifting by a negative amount or by the bit width or more gives 0, as torch
    big = (s < 0) | (s >= x.dtype.itemsize * 8)
    return np.where(big, 0, np.left_shift(x, np.where(big, 0, s))).astype(x.dtype, copy=False)


def _shift_right(x: ndarray, s: ndarray) -> ndarray:
    big = (s < 0) | (s >= x.dtype.itemsize * 8)
    fill = np.where(x < 0, -1, 0)
    return np.where(big, fill, np.right_shift(x, np.where(big, 0, s))).astype(x.dtype,
                                                                               copy=False)


def _no_bool(name: str, fn: Any) -> Any:
    def shift(x: ndarray, s: ndarray) -> ndarray:
        if x.dtype.kind == "b":
            raise _not_impl(name, x.dtype)
        return fn(x, s)
    return shift


bitwise_and = _bitwise("bitwise_and", "bitwise_and_cpu", np.bitwise_and)
bitwise_or = _bitwise("bitwise_or", "bitwise_or_cpu", np.bitwise_or)
bitwise_xor = _bitwise("bitwise_xor", "bitwise_xor_cpu", np.bitwise_xor)
bitwise_left_shift = _bitwise("bitwise_left_shift", "lshift_cpu",
                              _no_bool("lshift_cpu", _shift_left))
bitwise_right_shift = _bitwise("bitwise_right_shift", "rshift_cpu",
                               _no_bool("rshift_cpu", _shift_right))


def bitwise_not(input: Tensor, *, out: Any = None) -> Tensor:
    """Elementwise NOT; integer and bool tensors only (torch.bitwise_not)."""
    x = input._data
    if x.dtype.kind == "f":
        raise _not_impl("bitwise_not_cpu", x.dtype)
    return _out(np.invert(x))


def _invert(self: Tensor) -> Tensor:
    if self._data.dtype.kind == "f":
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type "
                        f"tensors (got {self.dtype})")
    return _out(np.invert(self._data))


def isclose(input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08,
            equal_nan: bool = False) -> Tensor:
    """|input - other| <= atol + rtol·|other|, elementwise (torch.isclose)."""
    x, y = input._data, other._data
    if x.dtype != y.dtype:
        raise RuntimeError(f"{input.dtype} did not match {other.dtype}: isclose needs both "
                           "tensors of the same dtype")
    try:
        return _out(np.isclose(x, y, rtol=rtol, atol=atol, equal_nan=equal_nan))
    except ValueError:
        raise broadcast_error("isclose", x, y) from None


def allclose(input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08,
             equal_nan: bool = False) -> bool:
    """True when every element is close (torch.allclose)."""
    return bool(np.all(isclose(input, other, rtol, atol, equal_nan)._data))


def equal(input: Tensor, other: Tensor) -> bool:
    """True when both have the same shape and the same values (torch.equal)."""
    return bool(np.array_equal(input._data, other._data))


def _reflected(fn: Any) -> Any:
    return lambda self, other: fn(other, self)


_METHODS = {
    "eq": eq, "ne": ne, "not_equal": ne, "lt": lt, "less": lt, "le": le, "less_equal": le,
    "gt": gt, "greater": gt, "ge": ge, "greater_equal": ge, "logical_and": logical_and,
    "logical_or": logical_or, "logical_xor": logical_xor, "logical_not": logical_not,
    "bitwise_and": bitwise_and, "bitwise_or": bitwise_or, "bitwise_xor": bitwise_xor,
    "bitwise_not": bitwise_not, "bitwise_left_shift": bitwise_left_shift,
    "bitwise_right_shift": bitwise_right_shift,
}
attach(_METHODS)
attach({name + "_": inplace(fn, name + "_") for name, fn in _METHODS.items()})
attach({
    "isclose": isclose, "allclose": allclose, "equal": equal,
    "__eq__": _operator(eq), "__ne__": _operator(ne), "__lt__": _operator(lt),
    "__le__": _operator(le), "__gt__": _operator(gt), "__ge__": _operator(ge),
    "__and__": bitwise_and, "__or__": bitwise_or, "__xor__": bitwise_xor,
    "__rand__": _reflected(bitwise_and), "__ror__": _reflected(bitwise_or),
    "__rxor__": _reflected(bitwise_xor), "__invert__": _invert,
    "__lshift__": bitwise_left_shift, "__rshift__": bitwise_right_shift,
    "__rlshift__": _reflected(bitwise_left_shift),
    "__rrshift__": _reflected(bitwise_right_shift),
    "__iand__": inplace(bitwise_and, "bitwise_and_"),
    "__ior__": inplace(bitwise_or, "bitwise_or_"),
    "__ixor__": inplace(bitwise_xor, "bitwise_xor_"),
    "__ilshift__": inplace(bitwise_left_shift, "bitwise_left_shift_"),
    "__irshift__": inplace(bitwise_right_shift, "bitwise_right_shift_"),
})
# Tensor defines __eq__, which would drop the inherited hash: keep identity hashing
Tensor.__hash__ = object.__hash__

proto.register_ufuncs({
    np.equal: eq, np.not_equal: ne, np.less: lt, np.less_equal: le, np.greater: gt,
    np.greater_equal: ge, np.logical_and: logical_and, np.logical_or: logical_or,
    np.logical_xor: logical_xor, np.logical_not: logical_not, np.bitwise_and: bitwise_and,
    np.bitwise_or: bitwise_or, np.bitwise_xor: bitwise_xor, np.invert: bitwise_not,
    np.left_shift: bitwise_left_shift, np.right_shift: bitwise_right_shift,
})
