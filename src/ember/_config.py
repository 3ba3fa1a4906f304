"""Global switches learners' scripts set at the top (`torch.compile`, matmul precision,
determinism, default device, anomaly mode, ...), behaving as torch 2.13 does on a CPU-only build.

ember runs NumPy kernels eagerly on the CPU, so several switches have nothing to change; each
says in its docstring what it does (or why there is nothing to do) in ember.
"""

from __future__ import annotations

import builtins
import os
import warnings
from collections.abc import Callable
from typing import Any

from . import _backend
from .autograd.grad_mode import state as _grad_state

__all__ = ["compile", "set_float32_matmul_precision", "get_float32_matmul_precision",
           "use_deterministic_algorithms", "are_deterministic_algorithms_enabled",
           "is_deterministic_algorithms_warn_only_enabled", "set_deterministic_debug_mode",
           "get_deterministic_debug_mode", "set_default_device", "get_default_device",
           "set_warn_always", "is_warn_always_enabled", "set_num_interop_threads",
           "get_num_interop_threads", "set_flush_denormal", "typename", "is_anomaly_enabled",
           "set_anomaly_enabled", "is_anomaly_check_nan_enabled", "set_default_tensor_type"]

_bool = builtins.bool


def _check_bool(fn: str, arg: str, pos: int | None, value: Any) -> None:
    """torch's argument-parser TypeError for a non-bool flag."""
    if type(value) is not _bool:
        where = f" (position {pos})" if pos is not None else ""
        raise TypeError(f"{fn}(): argument '{arg}'{where} must be bool, not "
                        f"{type(value).__name__}")


# ------------------------------------------------------------------------------------ compile
_COMPILE_MODES = ("default", "lite", "reduce-overhead", "max-autotune-no-cudagraphs",
                  "max-autotune")
# every backend torch 2.13 registers (torch._dynamo.list_backends(exclude_tags=()))
_COMPILE_BACKENDS = frozenset((
    "aot_eager", "aot_eager_decomp_partition", "aot_eager_decomp_partition_crossref",
    "aot_eager_decomp_partition_with_mode", "aot_eager_default_partitioner", "aot_ts",
    "cudagraphs", "dynamo_accuracy_minifier_backend", "dynamo_minifier_backend", "eager",
    "eager_debug", "eager_noexcept", "inductor", "invoke_subgraph", "openxla", "openxla_eval",
    "pre_dispatch_eager", "ts", "tvm"))


def compile(model: Callable | None = None, *, fullgraph: _bool = False,
            dynamic: _bool | None = None, backend: str | Callable | None = None,
            mode: str | None = None, options: dict[str, Any] | None = None,
            name: str | None = None, disable: _bool = False, recompile_limit: int | None = None,
            isolate_recompiles: _bool = False, shapes_spec: Any = None) -> Callable:
    """torch.compile: ember has no compiler, so the model (module or function) is returned
    unchanged, after torch's checks of `model`, `backend` and `mode`. Works as a decorator,
    with and without arguments. The tuning options have nothing to tune in ember."""
    if backend is None:
        backend = "inductor"
    if model is None:
        def fn(model: Callable) -> Callable:
            if model is None:
                raise RuntimeError("Model can't be None")
            return compile(model, fullgraph=fullgraph, dynamic=dynamic, backend=backend,
                           mode=mode, options=options, name=name, disable=disable,
                           recompile_limit=recompile_limit,
                           isolate_recompiles=isolate_recompiles, shapes_spec=shapes_spec)
        return fn
    if mode is not None and options is not None:
        raise RuntimeError("Either mode or options can be specified, but both can't be "
                           "specified at the same time.")
    if isinstance(backend, str):
        if backend not in _COMPILE_BACKENDS:
            raise RuntimeError(f"Invalid backend: '{backend}', see "
                               "`torch._dynamo.list_backends()` for available backends.")
        if backend == "inductor" and mode is not None and mode not in _COMPILE_MODES:
            raise RuntimeError(f"Unrecognized mode={mode}, should be one of: "
                               f"{', '.join(_COMPILE_MODES)}")
    elif not callable(backend):
        raise AssertionError(f"A callable function is expected, but {type(backend)} is "
                             "provided.")
    if not callable(model):
        raise AssertionError(f"A callable function is expected, but {type(model)} is "
                             "provided.")
    return model


# ---------------------------------------------------------------------------- matmul precision
_PRECISIONS = ("highest", "high", "medium")
_matmul_precision = ["highest"]


def set_float32_matmul_precision(precision: str) -> None:
    """torch.set_float32_matmul_precision: records 'highest', 'high' or 'medium' (an unknown
    value warns and changes nothing, as in torch). It changes nothing in ember's math: NumPy
    always multiplies float32 matrices in full float32 precision ('highest')."""
    if not isinstance(precision, str):
        raise RuntimeError("set_float32_matmul_precision expects a str, but got "
                           f"{type(precision).__name__}")
    if precision not in _PRECISIONS:
        warnings.warn(f"{precision} is not one of 'highest', 'high', or 'medium'; the current "
                      "set_float32_matmul_precision call has no effect.", stacklevel=2)
        return
    _matmul_precision[0] = precision


def get_float32_matmul_precision() -> str:
    """torch.get_float32_matmul_precision: the value last set (default 'highest')."""
    return _matmul_precision[0]


# ------------------------------------------------------------------------------- determinism
_deterministic = {"mode": False, "warn_only": False}


def use_deterministic_algorithms(mode: _bool, *, warn_only: _bool = False) -> None:
    """torch.use_deterministic_algorithms: records the setting. Every ember kernel is already
    deterministic (NumPy on the CPU, no atomics), so no operation ever needs to refuse or warn."""
    _check_bool("_set_deterministic_algorithms", "mode", 1, mode)
    _check_bool("_set_deterministic_algorithms", "warn_only", None, warn_only)
    _deterministic["mode"], _deterministic["warn_only"] = mode, warn_only


def are_deterministic_algorithms_enabled() -> _bool:
    """torch.are_deterministic_algorithms_enabled."""
    return _deterministic["mode"]


def is_deterministic_algorithms_warn_only_enabled() -> _bool:
    """torch.is_deterministic_algorithms_warn_only_enabled."""
    return _deterministic["warn_only"]


def set_deterministic_debug_mode(debug_mode: str | int) -> None:
    """torch.set_deterministic_debug_mode: 0/'default' off, 1/'warn' warn only, 2/'error' on."""
    if isinstance(debug_mode, str):
        names = {"default": 0, "warn": 1, "error": 2}
        if debug_mode not in names:
            raise RuntimeError("invalid value of debug_mode, expected one of `default`, `warn`, "
                               f"`error`, but got {debug_mode}")
        debug_mode = names[debug_mode]
    elif not isinstance(debug_mode, int):
        raise TypeError(f"debug_mode must be str or int, but got {type(debug_mode)}")
    if debug_mode == 0:
        use_deterministic_algorithms(False)
    elif debug_mode == 1:
        use_deterministic_algorithms(True, warn_only=True)
    elif debug_mode == 2:
        use_deterministic_algorithms(True)
    else:
        raise RuntimeError(f"invalid value of debug_mode, expected 0, 1, or 2, but got "
                           f"{debug_mode}")


def get_deterministic_debug_mode() -> int:
    """torch.get_deterministic_debug_mode: 0 off, 1 warn only, 2 error."""
    if not _deterministic["mode"]:
        return 0
    return 1 if _deterministic["warn_only"] else 2


# ------------------------------------------------------------------------------ default device
_default_device = [_backend.CPU]


def set_default_device(device: Any) -> None:
    """torch.set_default_device: only the CPU exists in this build ('cpu', 'cpu:0' or None
    to reset); other devices raise, as ember's factories do for device='cuda'."""
    if device is None:
        _default_device[0] = _backend.CPU
        return
    if isinstance(device, int) and not isinstance(device, _bool):
        raise RuntimeError("Cannot access accelerator device when none is available.")
    _default_device[0] = _backend.check_device(device, "set_default_device")


def get_default_device() -> _backend.device:
    """torch.get_default_device: the CPU device (as last set, e.g. device(type='cpu'))."""
    return _default_device[0]


# ------------------------------------------------------------------------------- warn always
_warn_always = [False]
_warned: set[str] = set()


def set_warn_always(b: _bool) -> None:
    """torch.set_warn_always: when True, ember's warn-once warnings (such as
    set_default_tensor_type's deprecation) are issued on every call."""
    if type(b) is not _bool:
        raise RuntimeError(f"setWarnOnlyOnce expects a bool, but got {type(b).__name__}")
    _warn_always[0] = b


def is_warn_always_enabled() -> _bool:
    """torch.is_warn_always_enabled."""
    return _warn_always[0]


def _warn_once(key: str, message: str, stacklevel: int = 3) -> None:
    """Issue `message` the first time `key` is seen (every time under set_warn_always(True))."""
    if _warn_always[0] or key not in _warned:
        _warned.add(key)
        warnings.warn(message, UserWarning, stacklevel=stacklevel)


# ------------------------------------------------------------------------------------ threads
_interop = {"threads": os.cpu_count() or 1, "set": False}


def set_num_interop_threads(num: int) -> None:
    """torch.set_num_interop_threads: ember runs no inter-op thread pool (ops run one after
    the other); the number is recorded, and as in torch it can be set only once."""
    if not isinstance(num, int) or isinstance(num, _bool):
        raise RuntimeError(
            f"set_num_interop_threads expects an int, but got {type(num).__name__}")
    if num <= 0:
        raise RuntimeError("set_num_interop_threads expects a positive integer")
    if _interop["set"]:
        raise RuntimeError("Error: cannot set number of interop threads after parallel work "
                           "has started or set_num_interop_threads called")
    _interop["threads"], _interop["set"] = num, True


def get_num_interop_threads() -> int:
    """torch.get_num_interop_threads (default: the number of CPU cores)."""
    return _interop["threads"]


def set_flush_denormal(mode: _bool) -> _bool:
    """torch.set_flush_denormal: returns whether flushing denormals is supported. NumPy gives
    no way to set the CPU's FTZ/DAZ flags, so ember returns False (as torch does on CPUs
    without them) and denormals are kept."""
    if type(mode) is not _bool:
        raise RuntimeError(f"flush_denormal expects a bool, but got {type(mode).__name__}")
    return False


# ------------------------------------------------------------------------------------ typename
def typename(obj: Any, /) -> str:
    """torch.typename: 'ember.FloatTensor' for a float32 tensor (as Tensor.type()), else the
    qualified name of the object's type ('ember.nn.modules.linear.Linear', 'int')."""
    from ._tensor import Tensor
    if isinstance(obj, Tensor):
        return obj.type()
    module = getattr(obj, "__module__", "") or ""
    if hasattr(obj, "__qualname__"):
        qualname = obj.__qualname__
    elif hasattr(obj, "__name__"):
        qualname = obj.__name__
    else:
        module = obj.__class__.__module__ or ""
        qualname = obj.__class__.__qualname__
    if module in {"", "builtins"}:
        return qualname
    return f"{module}.{qualname}"


# ------------------------------------------------------------------------------------ anomaly
def is_anomaly_enabled() -> _bool:
    """torch.is_anomaly_enabled: whether autograd's anomaly mode (detect_anomaly) is on."""
    return _grad_state.anomaly


def is_anomaly_check_nan_enabled() -> _bool:
    """torch.is_anomaly_check_nan_enabled."""
    return _grad_state.anomaly_check_nan


def set_anomaly_enabled(enabled: _bool, check_nan: _bool = True) -> None:
    """torch.set_anomaly_enabled: turn ember's anomaly mode (the one
    ember.autograd.set_detect_anomaly drives) on or off."""
    _check_bool("set_anomaly_enabled", "enabled", 1, enabled)
    _check_bool("set_anomaly_enabled", "check_nan", 2, check_nan)
    _grad_state.anomaly = enabled
    _grad_state.anomaly_check_nan = check_nan


# -------------------------------------------------------------------------- default tensor type
def set_default_tensor_type(t: Any, /) -> None:
    """torch.set_default_tensor_type (deprecated): ember.DoubleTensor or 'torch.DoubleTensor'
    sets the default dtype to float64 (as set_default_dtype; the device stays the CPU)."""
    from .ops.creation import _LEGACY, _LegacyType
    _warn_once("set_default_tensor_type",
               "torch.set_default_tensor_type() is deprecated as of PyTorch 2.1, please use "
               "torch.set_default_dtype() and torch.set_default_device() as alternatives.")
    if isinstance(t, str):
        head, _, rest = t.partition(".")
        if head not in ("torch", "ember"):
            raise ModuleNotFoundError(f"No module named '{head}'")
        if rest.startswith("cuda."):
            raise TypeError(f"type {t} not available. Torch not compiled with CUDA enabled.")
        if rest not in _LEGACY:
            raise AttributeError(f"module '{head}' has no attribute '{rest}'")
        t = _LEGACY[rest]
    if not isinstance(t, _LegacyType):
        raise TypeError("invalid type object: only floating-point types are supported as the "
                        "default type")
    if not t.dtype.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    _backend.set_default_dtype(t.dtype)
