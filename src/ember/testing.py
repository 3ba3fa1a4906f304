"""`ember.testing`: `assert_close` and `make_tensor`, as torch.testing: the same default
tolerances per dtype, the same handling of numbers, sequences and mappings, and the same
AssertionError messages."""

from __future__ import annotations

import builtins
import collections.abc
import math
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from . import _backend
from ._backend import api_promote_types
from ._tensor import Size, Tensor

__all__ = ["assert_close", "make_tensor"]

# (rtol, atol) per float dtype; every other dtype compares exactly
_PRECISIONS = {np.dtype(np.float16): (0.001, 1e-5), np.dtype(np.float32): (1.3e-6, 1e-5),
               np.dtype(np.float64): (1e-7, 1e-7), np.dtype(np.complex64): (1.3e-6, 1e-5),
               np.dtype(np.complex128): (1e-7, 1e-7)}
_NUMBER_DTYPES = {builtins.bool: np.dtype(np.int64), builtins.int: np.dtype(np.int64),
                  builtins.float: np.dtype(np.float64), builtins.complex: np.dtype(np.complex128)}


class _Mismatch(Exception):
    """A failed comparison: the exception type to raise and the message, before msg= and the
    item path are applied."""

    def __init__(self, kind: type, message: str) -> None:
        super().__init__(message)
        self.kind, self.message = kind, message


class _Unsupported(Exception):
    """No comparison applies to these two inputs."""


def _tolerances(dtypes: Sequence[np.dtype], rtol: float | None,
                atol: float | None) -> tuple[float, float]:
    if (rtol is None) != (atol is None):
        raise _Mismatch(ValueError, "Both 'rtol' and 'atol' must be either specified or omitted, "
                                    f"but got no {'rtol' if rtol is None else 'atol'}.")
    if rtol is not None:
        return rtol, atol
    pairs = [_PRECISIONS.get(np.dtype(d), (0.0, 0.0)) for d in dtypes]
    return max(p[0] for p in pairs), max(p[1] for p in pairs)


def _mismatch_msg(what: str, extra: str, abs_diff: Any, abs_idx: Any, rel_diff: Any,
                  rel_idx: Any, rtol: float, atol: float) -> str:
    equality = rtol == 0 and atol == 0

    def line(kind: str, diff: Any, idx: Any, tol: float) -> str:
        text = (f"{kind.title()} difference: {diff}" if idx is None
                else f"Greatest {kind} difference: {diff} at index {idx}")
        return text + ("" if equality else f" (up to {tol} allowed)") + "\n"
    msg = f"{what} are not {'equal' if equality else 'close'}!\n\n{extra.strip()}\n"
    msg += line("absolute", abs_diff, abs_idx, atol) + line("relative", rel_diff, rel_idx, rtol)
    return msg.strip()


def _scalar_mismatch(actual: Any, expected: Any, rtol: float, atol: float) -> str:
    abs_diff = abs(actual - expected)
    rel_diff = math.inf if expected == 0 else abs_diff / abs(expected)
    return _mismatch_msg("Scalars", f"Expected {expected} but got {actual}.", abs_diff, None,
                         rel_diff, None, rtol, atol)


def _compare_numbers(actual: Any, expected: Any, rtol: float | None, atol: float | None,
                     equal_nan: bool, check_dtype: bool) -> None:
    actual, expected = (v.item() if isinstance(v, np.number) else v for v in (actual, expected))
    rtol, atol = _tolerances([_NUMBER_DTYPES[type(v)] for v in (actual, expected)], rtol, atol)
    if check_dtype and type(actual) is not type(expected):
        raise _Mismatch(AssertionError, f"The (d)types do not match: {type(actual)} != "
                                        f"{type(expected)}.")
    if actual == expected:
        return
    if equal_nan and _isnan(actual) and _isnan(expected):
        return
    abs_diff = abs(actual - expected)
    if math.isfinite(abs_diff) and abs_diff <= atol + rtol * abs(expected):
        return
    raise _Mismatch(AssertionError, _scalar_mismatch(actual, expected, rtol, atol))


def _isnan(v: Any) -> bool:
    return isinstance(v, (builtins.float, builtins.complex)) and v != v


def _as_array(t: Any) -> np.ndarray:
    return t.detach()._data if isinstance(t, Tensor) else np.asarray(t)


def _stride(t: Any) -> tuple:
    if isinstance(t, Tensor):
        return t.stride()
    return tuple(s // t.itemsize for s in t.strides)


def _close(a: np.ndarray, e: np.ndarray, rtol: float, atol: float, equal_nan: bool) -> Any:
    """torch.isclose on arrays of one dtype."""
    if a.dtype.kind in "biu":
        if rtol == 0 and atol == 0:
            return a == e
        a, e = a.astype(np.float64), e.astype(np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        close = (a == e) | (np.isfinite(a) & np.isfinite(e)
                            & (np.abs(a - e) <= atol + rtol * np.abs(e)))
    if equal_nan:
        close |= np.isnan(a) & np.isnan(e)
    return close


def _compare_tensors(actual: Any, expected: Any, rtol: float | None, atol: float | None,
                     equal_nan: bool, check_device: bool, check_dtype: bool,
                     check_stride: bool) -> None:
    a, e = _as_array(actual), _as_array(expected)
    rtol, atol = _tolerances([a.dtype, e.dtype], rtol, atol)

    def attribute(name: str, x: Any, y: Any) -> None:
        raise _Mismatch(AssertionError,
                        f"The values for attribute '{name}' do not match: {x} != {y}.")
    if a.shape != e.shape:
        attribute("shape", Size(a.shape), Size(e.shape))
    if check_stride and _stride(actual) != _stride(expected):
        attribute("stride()", _stride(actual), _stride(expected))
    if check_device and isinstance(actual, Tensor) and actual.device != expected.device:
        attribute("device", actual.device, expected.device)
    da, de = _backend.from_np(a.dtype), _backend.from_np(e.dtype)
    if check_dtype and da != de:
        attribute("dtype", da, de)
    if da != de:
        common = _backend.to_np(api_promote_types(da, de))
        a, e = a.astype(common), e.astype(common)
    matches = _close(a, e, rtol, atol, equal_nan)
    if matches.all():
        return
    if a.ndim == 0:
        raise _Mismatch(AssertionError, _scalar_mismatch(a.item(), e.item(), rtol, atol))
    n = matches.size
    bad = n - builtins.int(matches.sum())
    extra = f"Mismatched elements: {bad} / {n} ({bad / n:.1%})"
    fa, fe, fm = a.ravel(), e.ravel(), matches.ravel()
    if fa.dtype.kind in "biu":
        fa, fe = fa.astype(np.int64), fe.astype(np.int64)
    with np.errstate(all="ignore"):
        abs_diff = np.abs(fa - fe)
        abs_diff[fm] = 0
        rel_diff = abs_diff / np.abs(fe)
        if fa.dtype.kind == "i":   # torch's true division of integers: the default float dtype
            rel_diff = rel_diff.astype(_backend.default_float())
    rel_diff[fm] = 0
    ia, ir = builtins.int(np.argmax(abs_diff)), builtins.int(np.argmax(rel_diff))
    raise _Mismatch(AssertionError, _mismatch_msg(
        "Tensor-likes", extra, abs_diff[ia].item(), tuple(builtins.int(i) for i in
                                                            np.unravel_index(ia, a.shape)),
        rel_diff[ir].item(), tuple(builtins.int(i) for i in np.unravel_index(ir, a.shape)),
        rtol, atol))


def _leaf_kind(actual: Any, expected: Any, allow_subclasses: bool) -> str:
    """Which comparison applies to two non-container inputs (torch's pair types, in order)."""
    if actual is None or expected is None:
        return "none"
    bools = (builtins.bool, np.bool_)
    if isinstance(actual, bools) and isinstance(expected, bools):
        return "bool"
    numbers = (builtins.int, builtins.float, builtins.complex, np.number)
    if isinstance(actual, numbers) and isinstance(expected, numbers):
        return "number"
    related = isinstance(actual, type(expected)) or isinstance(expected, type(actual))
    if (isinstance(actual, (Tensor, np.ndarray)) and related
            and (allow_subclasses or type(actual) is type(expected))):
        return "tensor"
    raise _Failure(TypeError, "No comparison pair was able to handle inputs of type "
                              f"{type(actual)} and {type(expected)}.", ())


def _originate(actual: Any, expected: Any, path: tuple, allow_subclasses: bool,
               out: list) -> None:
    """Walk sequences and mappings into out as (path, kind, actual, expected); raise on a
    structural mismatch or inputs no comparison handles."""
    seq = collections.abc.Sequence
    if (isinstance(actual, seq) and not isinstance(actual, str)
            and isinstance(expected, seq) and not isinstance(expected, str)):
        if len(actual) != len(expected):
            raise _Failure(AssertionError, "The length of the sequences mismatch: "
                                           f"{len(actual)} != {len(expected)}", path)
        for i in range(len(actual)):
            _originate(actual[i], expected[i], (*path, i), allow_subclasses, out)
        return
    mapping = collections.abc.Mapping
    if isinstance(actual, mapping) and isinstance(expected, mapping):
        ka, ke = set(actual.keys()), set(expected.keys())
        if ka != ke:
            raise _Failure(AssertionError,
                           "The keys of the mappings do not match:\nMissing keys in the actual "
                           f"mapping: {sorted(ke - ka)}\nAdditional keys in the actual mapping: "
                           f"{sorted(ka - ke)}", path)
        try:
            keys = sorted(ka)
        except TypeError:
            keys = list(ka)
        for k in keys:
            _originate(actual[k], expected[k], (*path, k), allow_subclasses, out)
        return
    try:
        out.append((path, _leaf_kind(actual, expected, allow_subclasses), actual, expected))
    except _Failure as f:
        raise _Failure(f.kind, f.message, path) from None


def _compare_leaf(kind: str, actual: Any, expected: Any, options: dict) -> None:
    if kind == "none":
        if actual is not expected:
            raise _Mismatch(AssertionError, f"None mismatch: {actual} is not {expected}")
    elif kind == "bool":
        if builtins.bool(actual) is not builtins.bool(expected):
            raise _Mismatch(AssertionError, f"Booleans mismatch: {builtins.bool(actual)} is not "
                                            f"{builtins.bool(expected)}")
    elif kind == "number":
        _compare_numbers(actual, expected, options["rtol"], options["atol"],
                         options["equal_nan"], options["check_dtype"])
    else:
        _compare_tensors(actual, expected, **options)


class _Failure(Exception):
    def __init__(self, kind: type, message: str, path: tuple) -> None:
        super().__init__(message)
        self.kind, self.message, self.path = kind, message, path

    def text(self) -> str:
        if not self.path:
            return self.message
        return (self.message + "\n\nThe failure occurred for item "
                + "".join(str([item]) for item in self.path))


def assert_close(actual: Any, expected: Any, *, allow_subclasses: bool = True,
                 rtol: float | None = None, atol: float | None = None,
                 equal_nan: bool = False, check_device: bool = True, check_dtype: bool = True,
                 check_layout: bool = True, check_stride: bool = False,
                 msg: str | Callable[[str], str] | None = None) -> None:
    """Raise if actual and expected are not close (torch.testing.assert_close). Every ember
    tensor is strided, so check_layout has no layouts to tell apart. As in torch, msg replaces
    (a string) or edits (a callable) the message of a comparison that fails, not that of an
    error in the inputs' structure or arguments."""
    leaves: list = []
    try:
        _originate(actual, expected, (), allow_subclasses, leaves)
        for path, kind, _, _ in leaves:
            if kind in ("number", "tensor"):
                try:
                    _tolerances([np.float64], rtol, atol)
                except _Mismatch as m:
                    raise _Failure(m.kind, m.message, path) from None
    except _Failure as f:
        raise f.kind(f.text()) from None
    options = {"rtol": rtol, "atol": atol, "equal_nan": equal_nan, "check_device": check_device,
               "check_dtype": check_dtype, "check_stride": check_stride}
    for path, kind, a, e in leaves:
        try:
            _compare_leaf(kind, a, e, options)
        except _Mismatch as m:
            f = _Failure(m.kind, m.message, path)
            text = msg if isinstance(msg, str) else f.text()
            raise m.kind(msg(text) if callable(msg) else text) from None


def make_tensor(*shape: Any, dtype: Any, device: Any, low: float | None = None,
                high: float | None = None, requires_grad: bool = False,
                noncontiguous: bool = False, exclude_zero: bool = False,
                memory_format: Any = None) -> Tensor:
    """A random tensor for tests: uniform in [low, high), by default [-9, 9) for floats and
    [-9, 10) for integers (torch.testing.make_tensor)."""
    from .ops import creation
    if len(shape) == 1 and isinstance(shape[0], collections.abc.Sequence):
        shape = shape[0]
    shape = tuple(shape)
    if noncontiguous and memory_format is not None:
        raise ValueError("The parameters `noncontiguous` and `memory_format` are mutually "
                         f"exclusive, but got noncontiguous={noncontiguous!r} and "
                         f"memory_format={memory_format!r}")
    dt = _backend.to_np(dtype)
    if requires_grad and dt.kind in "biu":
        raise ValueError("`requires_grad=True` is not supported for boolean and integral "
                         f"dtypes, but got dtype={dtype}")
    if dt.kind not in "biuf":
        raise TypeError(f"The requested dtype '{dtype}' is not supported by "
                        "ember.testing.make_tensor().")

    def bounds(lo_incl: float, hi_excl: float, d_low: float, d_high: float) -> tuple:
        lo = d_low if low is None else low
        hi = d_high if high is None else high
        if any(isinstance(v, builtins.float) and math.isnan(v) for v in (lo, hi)):
            raise ValueError(f"`low` and `high` cannot be NaN, but got low={lo} and high={hi}")
        if lo == hi and dt.kind == "f":
            warnings.warn("Passing `low==high` to `ember.testing.make_tensor` for floating types "
                          "is deprecated (as in torch); use `ember.full(...)` instead.",
                          FutureWarning, stacklevel=3)
        elif lo >= hi:
            raise ValueError(f"`low` must be less than `high`, but got {lo} >= {hi}")
        if hi < lo_incl or lo >= hi_excl:
            raise ValueError(f"The value interval specified by `low` and `high` is [{lo}, {hi}), "
                             f"but {dtype} only supports [{lo_incl}, {hi_excl})")
        lo, hi = min(max(lo, lo_incl), hi_excl), min(max(hi, lo_incl), hi_excl)
        return (math.ceil(lo), math.ceil(hi)) if dt.kind in "biu" else (lo, hi)

    noncontiguous = noncontiguous and math.prod(shape) > 1
    if noncontiguous:
        shape = (*shape[:-1], 2 * shape[-1])
    if dt.kind == "b":
        lo, hi = bounds(0, 2, 0, 2)
        result = creation.randint(lo, hi, shape, dtype=dtype, device=device)
    elif dt.kind in "iu":
        info = np.iinfo(dt)
        lo, hi = bounds(builtins.int(info.min), builtins.int(info.max) + (dt != np.int64),
                        -9, 10)
        result = creation.randint(lo, hi, shape, dtype=dtype, device=device)
    else:
        info = np.finfo(dt)
        lo, hi = bounds(builtins.float(info.min), builtins.float(info.max), -9, 9)
        result = creation.empty(shape, dtype=dtype, device=device)
        if hi - lo >= builtins.float(info.max):
            result.uniform_(lo / 2, hi / 2).mul_(2)
        else:
            result.uniform_(lo, hi)
    if noncontiguous:
        result = result[..., 1::2]
    elif memory_format is not None:
        result = result.clone(memory_format=memory_format)
    if exclude_zero:
        result[result == 0] = 1 if dt.kind in "biu" else builtins.float(np.finfo(dt).tiny)
    if dt.kind == "f":
        result.requires_grad_(requires_grad)
    return result
