"""torch's `out=` keyword for ember's functions (`ember.add(a, b, out=c)`).

The ops compute a fresh result; `with_out` wraps each public function whose signature has an
`out` keyword so that, when one is given, the result is written into it as torch does: the
tensor is resized if its shape differs (with torch's warning when it held elements), the result
must cast to its dtype by torch's rules, tuple results (values, indices) go into a tuple of
tensors, the tensor's version is bumped, and autograd refuses, since an output written in place
has no history. Without `out` the wrapper only forwards the call.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from . import _backend
from ._tensor import Tensor
from .autograd import grad_mode
from .ops.elementwise import _TYPE_NAMES


def _write(op: str, result: Any, out: Any) -> Any:
    if isinstance(out, (tuple, list)):
        if not isinstance(result, tuple) or len(out) != len(result):
            raise TypeError(f"{op}(): expected out to be a Tensor, got a {type(out).__name__} "
                            f"of {len(out)}")
        for r, o in zip(result, out):
            _write(op, r, o)
        return out
    if not isinstance(out, Tensor) or isinstance(result, tuple):
        raise TypeError(f"{op}(): argument 'out' must be "
                        f"{'a tuple of Tensors' if isinstance(result, tuple) else 'Tensor'}, "
                        f"not {type(out).__name__}")
    tracked = isinstance(result, Tensor) and result.requires_grad
    data = result._data if isinstance(result, Tensor) else np.asarray(result)
    if grad_mode.state.enabled and (out.requires_grad or tracked):
        raise RuntimeError(f"{op}(): functions with out=... arguments don't support automatic "
                           f"differentiation, but one of the arguments requires grad.")
    src, dst = _backend.from_np(data.dtype), _backend.from_np(out._data.dtype)
    if not _backend.can_cast(src, dst):
        raise RuntimeError(f"result type {_TYPE_NAMES[src.name]} can't be cast to the desired "
                           f"output type {_TYPE_NAMES[dst.name]}")
    if out._data.shape != data.shape:
        if out._data.size:
            warnings.warn(
                f"An output with one or more elements was resized since it had shape "
                f"{list(out._data.shape)}, which does not match the required output shape "
                f"{list(data.shape)}. This behavior is deprecated, and in a future PyTorch "
                f"release outputs will not be resized unless they have zero elements. You can "
                f"explicitly reuse an out tensor t by resizing it, inplace, to zero elements "
                f"with t.resize_(0).", UserWarning, stacklevel=3)
        out._data = np.empty(data.shape, out._data.dtype)
    np.copyto(out._data, data, casting="unsafe")
    out._vc[0] += 1
    return out


def with_out(fn: Callable) -> Callable:
    """fn with torch's out= handling (fn's own `out` parameter is never passed on)."""
    op = fn.__name__.lstrip("_")

    @functools.wraps(fn)
    def call(*args: Any, out: Any = None, **kwargs: Any) -> Any:
        if out is None:
            return fn(*args, **kwargs)
        return _write(op, fn(*args, **kwargs), out)
    return call


def wrap_namespace(names: dict) -> None:
    """Give every public function in names that declares a keyword `out` torch's out=."""
    for name, fn in list(names.items()):
        code = getattr(fn, "__code__", None)
        if (name.startswith("_") or code is None or "out" not in
                code.co_varnames[code.co_argcount:code.co_argcount + code.co_kwonlyargcount]):
            continue
        names[name] = with_out(fn)
