"""`ember.autocast` (torch.autocast) and the autocast state functions, as torch's CPU-only build
behaves: device_type "cuda" warns and disables itself; "cpu" with dtype float16 runs torch's CPU
"lower precision" ops that ember has (matmul, mm, bmm, addmm, addbmm, baddbmm, linear, conv*,
conv_transpose*, prelu, scaled_dot_product_attention) in float16 and its "fp32" ops that ember
has (the losses, cdist) in float32. CPU's default dtype, bfloat16, does not exist in ember: asking
for it raises.

The hooked op modules hold a global `_autocast`, None unless CPU float16 autocast is on, then the
cast function for the module's policy: the ops' one test on their fast path. Casts go through
`Tensor.to`, so gradients flow back to float32 parameters in float32, as in torch. The state is
process-wide (torch's is per thread)."""

from __future__ import annotations

import functools
import warnings
from typing import Any

from .. import _backend
from .._backend import float16, float32, float64
from .._tensor import Tensor
from ..ops import activation, attention, conv, linalg, loss, nn_ops

__all__ = ["autocast", "clear_autocast_cache", "get_autocast_cpu_dtype", "get_autocast_dtype",
           "get_autocast_gpu_dtype", "is_autocast_available", "is_autocast_cache_enabled",
           "is_autocast_cpu_enabled", "is_autocast_enabled", "set_autocast_cache_enabled",
           "set_autocast_cpu_dtype", "set_autocast_cpu_enabled", "set_autocast_dtype",
           "set_autocast_enabled"]

_BF16 = "bfloat16"   # CPU autocast's default dtype: a name only, ember has no such dtype
_enabled = {"cpu": False, "cuda": False}
_dtype: dict[str, Any] = {"cpu": _BF16, "cuda": float16}
_cache_enabled = True
_nesting = 0


def _cast_to(dt: Any, args: tuple) -> tuple:
    """torch's cached_cast: floating tensors other than float64 go to dt, the rest as given."""
    return tuple(a.to(dt) if isinstance(a, Tensor) and a._data.dtype.kind == "f"
                 and a._data.dtype != dt.np and a._data.dtype != float64.np else a for a in args)


def _lower(*args: Any) -> tuple:
    return _cast_to(float16, args)


def _fp32(*args: Any) -> tuple:
    return _cast_to(float32, args)


_HOOKS = ((linalg, _lower), (nn_ops, _lower), (conv, _lower), (activation, _lower),
          (attention, _lower), (loss, _fp32))


def _refresh() -> None:
    on = _enabled["cpu"] and _dtype["cpu"] is float16
    for mod, fn in _HOOKS:
        mod._autocast = fn if on else None
    linalg._autocast32 = _fp32 if on else None


def _device_type(device_type: Any, op: str) -> str:
    if device_type in ("cpu", "cuda"):
        return device_type
    if not isinstance(device_type, str):
        raise TypeError(f"{op}(): argument 'device_type' must be str, not "
                        f"{type(device_type).__name__}")
    _backend.device(device_type)   # torch's RuntimeError for a string that names no device
    raise RuntimeError(f"User specified an unsupported autocast device_type '{device_type}': "
                       "ember's autocast knows 'cpu' and 'cuda'")


def _no_bf16(op: str) -> RuntimeError:
    return RuntimeError(
        f"{op}: CPU autocast's dtype is bfloat16 (torch's default for device_type='cpu'), which "
        "ember does not have; ember's CPU autocast supports dtype=torch.float16, e.g. "
        "torch.autocast('cpu', dtype=torch.float16)")


def is_autocast_available(device_type: str) -> bool:
    """Whether autocast knows device_type (torch.amp.is_autocast_available)."""
    _device_type(device_type, "is_autocast_available")
    return True


def is_autocast_enabled(device_type: str | None = None) -> bool:
    """Whether autocast is on for device_type, CUDA when not given (torch.is_autocast_enabled)."""
    return _enabled[_device_type("cuda" if device_type is None else device_type,
                                 "is_autocast_enabled")]


def set_autocast_enabled(*args: Any) -> None:
    """set_autocast_enabled(device_type, enabled), or (enabled) for CUDA
    (torch.set_autocast_enabled)."""
    if len(args) == 1:
        device_type, enabled = "cuda", args[0]
    elif len(args) == 2:
        device_type, enabled = _device_type(args[0], "set_autocast_enabled"), args[1]
    else:
        raise TypeError("set_autocast_enabled() takes (device_type: str, enabled: bool) or "
                        f"(enabled: bool), got {len(args)} arguments")
    _enabled[device_type] = bool(enabled)
    _refresh()


def get_autocast_dtype(device_type: str) -> Any:
    """The dtype autocast casts to on device_type (torch.get_autocast_dtype)."""
    dt = _dtype[_device_type(device_type, "get_autocast_dtype")]
    if dt is _BF16:
        raise _no_bf16("get_autocast_dtype('cpu')")
    return dt


def set_autocast_dtype(device_type: str, dtype: Any) -> None:
    """Sets the dtype autocast casts to on device_type (torch.set_autocast_dtype)."""
    if not isinstance(dtype, _backend.dtype):
        raise TypeError(f"set_autocast_dtype(): argument 'dtype' must be torch.dtype, not "
                        f"{type(dtype).__name__}")
    _dtype[_device_type(device_type, "set_autocast_dtype")] = dtype
    _refresh()


def _deprecated(old: str, new: str) -> None:
    warnings.warn(f"torch.{old} is deprecated. Please use torch.{new} instead.",
                  DeprecationWarning, stacklevel=3)


def is_autocast_cpu_enabled() -> bool:
    """Deprecated is_autocast_enabled('cpu') (torch.is_autocast_cpu_enabled)."""
    _deprecated("is_autocast_cpu_enabled()", "is_autocast_enabled('cpu')")
    return _enabled["cpu"]


def set_autocast_cpu_enabled(enabled: bool) -> None:
    """Deprecated set_autocast_enabled('cpu', enabled) (torch.set_autocast_cpu_enabled)."""
    _deprecated("set_autocast_cpu_enabled(enabled)", "set_autocast_enabled('cpu', enabled)")
    set_autocast_enabled("cpu", enabled)


def get_autocast_cpu_dtype() -> Any:
    """Deprecated get_autocast_dtype('cpu') (torch.get_autocast_cpu_dtype)."""
    _deprecated("get_autocast_cpu_dtype()", "get_autocast_dtype('cpu')")
    return get_autocast_dtype("cpu")


def set_autocast_cpu_dtype(dtype: Any) -> None:
    """Deprecated set_autocast_dtype('cpu', dtype) (torch.set_autocast_cpu_dtype)."""
    _deprecated("set_autocast_cpu_dtype(dtype)", "set_autocast_dtype('cpu', dtype)")
    set_autocast_dtype("cpu", dtype)


def get_autocast_gpu_dtype() -> Any:
    """Deprecated get_autocast_dtype('cuda') (torch.get_autocast_gpu_dtype)."""
    _deprecated("get_autocast_gpu_dtype()", "get_autocast_dtype('cuda')")
    return _dtype["cuda"]


def is_autocast_cache_enabled() -> bool:
    """Whether autocast caches the casts of leaf tensors (torch.is_autocast_cache_enabled)."""
    return _cache_enabled


def set_autocast_cache_enabled(enabled: bool) -> None:
    """Sets whether autocast caches casts (torch.set_autocast_cache_enabled); ember recasts
    every time, so this only changes what is_autocast_cache_enabled reports."""
    global _cache_enabled
    _cache_enabled = bool(enabled)


def clear_autocast_cache() -> None:
    """Empties autocast's cast cache (torch.clear_autocast_cache): ember keeps none."""


class autocast:  # noqa: N801 (torch's name)
    """Context manager and decorator running a region in mixed precision (torch.autocast)."""

    def __init__(self, device_type: str, dtype: Any = None, enabled: bool = True,
                 cache_enabled: bool | None = None) -> None:
        if not isinstance(device_type, str):
            raise ValueError(
                f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
        self.device = _device_type(device_type, "autocast")
        self.fast_dtype = _dtype[self.device] if dtype is None else dtype
        self._cache_enabled = _cache_enabled if cache_enabled is None else cache_enabled
        if enabled:
            if self.device == "cuda":   # ember has no CUDA
                warnings.warn("CUDA is not available or torch_xla is imported. Disabling "
                              "autocast.", stacklevel=2)
                enabled = False
            elif self.fast_dtype is _BF16:
                raise _no_bf16("autocast(device_type='cpu')")
            elif self.fast_dtype is not float16:
                warnings.warn(
                    "In CPU autocast, but the target dtype is not supported. Disabling "
                    "autocast.\nCPU Autocast only supports dtypes of torch.bfloat16, "
                    "torch.float16 currently (ember has no bfloat16: use torch.float16).",
                    stacklevel=2)
                enabled = False
        self._enabled = enabled

    def __enter__(self) -> autocast:
        global _nesting
        self.prev_cache_enabled = _cache_enabled
        self.prev = _enabled[self.device]
        self.prev_fastdtype = _dtype[self.device]
        _enabled[self.device] = self._enabled
        _dtype[self.device] = self.fast_dtype
        _nesting += 1
        set_autocast_cache_enabled(self._cache_enabled)
        _refresh()
        return self

    def __exit__(self, exc_type: Any, exc_val: Any, exc_tb: Any) -> bool:
        global _nesting
        _nesting -= 1
        _enabled[self.device] = self.prev
        _dtype[self.device] = self.prev_fastdtype
        set_autocast_cache_enabled(self.prev_cache_enabled)
        _refresh()
        return False

    def __call__(self, func: Any) -> Any:
        if not callable(func):
            raise TypeError(
                f"autocast()(func) requires a callable, but got {type(func).__name__}. "
                f"Did you mean to use autocast as a context manager? For example:\n"
                f"    with torch.autocast(device_type=...):\n"
                f"        output = model(input)")

        @functools.wraps(func)
        def decorate_autocast(*args: Any, **kwargs: Any) -> Any:
            with self:
                return func(*args, **kwargs)

        return decorate_autocast
