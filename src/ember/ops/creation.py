"""Tensor factories: `tensor`, `zeros`, `ones`, ... and the legacy `FloatTensor`-style
constructors. Data is copied into a fresh array with torch's dtype inference."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _backend
from .._backend import check_device, default_float, to_np
from .._tensor import Tensor, _make

__all__ = ["tensor", "as_tensor", "from_numpy", "zeros", "ones"]


def _infer(data: Any) -> np.ndarray:
    """An array from nested lists/scalars/Tensors with torch's inference: Python floats take
    the default dtype, ints int64, bools bool; NumPy arrays keep their dtype."""
    if isinstance(data, Tensor):
        return data._data.copy()
    if isinstance(data, np.ndarray):
        return data.copy()
    if isinstance(data, (np.generic)):
        return np.array(data)
    try:
        arr = np.array(data)
    except ValueError as e:
        raise ValueError(f"tensor: the data is not a regular nested sequence of numbers "
                         f"(rows of different lengths?): {e}") from None
    if arr.dtype == object or arr.dtype.kind in "USV":
        raise TypeError(
            f"tensor: could not infer dtype of {type(data).__name__}: expected numbers, "
            "bools, Tensors or (nested) sequences of them")
    if arr.dtype.kind == "f" and not _holds_numpy(data):
        arr = arr.astype(default_float())
    elif arr.dtype.kind in "iu" and not _holds_numpy(data):
        arr = arr.astype(np.int64)
    return arr


def _holds_numpy(data: Any) -> bool:
    """True when the (nested) data's first leaf is a NumPy scalar or array (keeps its dtype)."""
    while isinstance(data, (list, tuple)) and data:
        data = data[0]
    return isinstance(data, (np.ndarray, np.generic))


def tensor(data: Any, *, dtype: Any = None, device: Any = None, requires_grad: bool = False,
           pin_memory: bool = False) -> Tensor:
    """A new tensor holding a copy of `data` (torch.tensor)."""
    if device is not None:
        check_device(device, "tensor")
    arr = _infer(data)
    if dtype is not None:
        arr = arr.astype(to_np(dtype), copy=False)
    t = _make(arr)
    if requires_grad:
        t.requires_grad_(True)
    return t


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """Like `tensor`, but shares memory with a Tensor or NumPy array when no cast is needed."""
    if device is not None:
        check_device(device, "as_tensor")
    if isinstance(data, Tensor):
        return data if dtype is None or to_np(dtype) == data._data.dtype else data.to(dtype)
    if isinstance(data, np.ndarray) and (dtype is None or to_np(dtype) == data.dtype):
        _backend.from_np(data.dtype)
        return _make(data)
    return tensor(data, dtype=dtype)


def from_numpy(ndarray: np.ndarray) -> Tensor:
    """A tensor sharing memory with a NumPy array (torch.from_numpy)."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    _backend.from_np(ndarray.dtype)
    return _make(ndarray)


def _size(size: tuple, op: str) -> tuple:
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    try:
        shape = tuple(int(s) for s in size)
    except (TypeError, ValueError):
        raise TypeError(f"{op}(): argument 'size' must be a tuple of ints, but got "
                        f"{size!r}") from None
    if any(s < 0 for s in shape):
        raise RuntimeError(f"{op}: Trying to create tensor with negative dimension "
                           f"{min(shape)}: {list(shape)}")
    return shape


def _factory(fill: Any, size: tuple, dtype: Any, device: Any, requires_grad: bool,
             op: str) -> Tensor:
    if device is not None:
        check_device(device, op)
    dt = default_float() if dtype is None else to_np(dtype)
    t = _make(np.full(_size(size, op), fill, dtype=dt))
    if requires_grad:
        t.requires_grad_(True)
    return t


def zeros(*size: Any, out: Any = None, dtype: Any = None, layout: Any = None, device: Any = None,
          requires_grad: bool = False) -> Tensor:
    return _factory(0, size, dtype, device, requires_grad, "zeros")


def ones(*size: Any, out: Any = None, dtype: Any = None, layout: Any = None, device: Any = None,
         requires_grad: bool = False) -> Tensor:
    return _factory(1, size, dtype, device, requires_grad, "ones")


def legacy_new(dtype: Any, args: tuple, kwargs: dict) -> np.ndarray:
    """torch's legacy constructors: `FloatTensor([1, 2])` copies data, `FloatTensor(2, 3)`
    makes an uninitialised (here zero) tensor of that size."""
    dt = default_float() if dtype is None else to_np(dtype)
    if kwargs.get("device") is not None:
        check_device(kwargs["device"], "Tensor")
    if not args:
        return np.zeros((0,), dt)
    if len(args) == 1 and not isinstance(args[0], (int, np.integer)):
        data = args[0]
        if isinstance(data, _backend.ndarray):
            return data.astype(dt)
        return _infer(data).astype(dt)
    return np.zeros(_size(args, "Tensor"), dt)
