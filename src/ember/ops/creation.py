"""Tensor factories: `tensor`, `zeros`, `ones`, ... and the legacy `FloatTensor`-style
constructors. Data is copied into a fresh array with torch's dtype inference."""

from __future__ import annotations

import math
import operator
from typing import Any

import numpy as np

from .. import _backend
from .._backend import check_device, default_float, to_np
from .._tensor import Size, Tensor, _make, type_name
from . import _numpy_protocol as proto
from ._util import attach

__all__ = ["tensor", "as_tensor", "asarray", "from_numpy", "zeros", "ones", "empty", "full",
           "eye", "arange", "linspace", "logspace", "zeros_like", "ones_like", "empty_like",
           "full_like", "rand_like", "randn_like", "randint_like", "rand", "randn", "randint",
           "randperm", "normal", "bernoulli", "multinomial", "manual_seed", "seed",
           "initial_seed", "get_rng_state", "set_rng_state", "FloatTensor", "DoubleTensor",
           "HalfTensor", "LongTensor", "IntTensor", "ShortTensor", "CharTensor", "ByteTensor",
           "BoolTensor"]


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
        err = ValueError if isinstance(data, (list, tuple)) else TypeError
        raise err(
            f"tensor: could not infer dtype of {type(data).__name__}: expected numbers, "
            "bools, Tensors or (nested) sequences of them")
    leaf = _first_leaf(data)
    if isinstance(leaf, Tensor) and arr.dtype.kind == leaf._data.dtype.kind:
        arr = arr.astype(leaf._data.dtype)   # a list of tensors keeps their dtype
    elif arr.dtype.kind == "f" and not _holds_numpy(data):
        arr = arr.astype(default_float())
    elif arr.dtype.kind in "iu" and not _holds_numpy(data):
        arr = arr.astype(np.int64)
    return arr


def _first_leaf(data: Any) -> Any:
    while isinstance(data, (list, tuple)) and data:
        data = data[0]
    return data


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


def asarray(obj: Any, *, dtype: Any = None, device: Any = None, copy: bool | None = None,
            requires_grad: bool = False) -> Tensor:
    """A tensor from obj, sharing memory when it can (torch.asarray)."""
    t = tensor(obj, dtype=dtype, device=device) if copy else as_tensor(obj, dtype, device)
    if requires_grad:
        t = t.detach().requires_grad_(True)
    return t


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
        shape = tuple(operator.index(s) for s in size)
    except TypeError:
        raise TypeError(f"{op}(): argument 'size' must be a tuple of ints, but got "
                        f"{size!r}") from None
    if any(s < 0 for s in shape):
        raise RuntimeError(f"{op}: Trying to create tensor with negative dimension "
                           f"{min(shape)}: {list(shape)}")
    return shape


def _dtype(dtype: Any, op: str, default: Any = None) -> np.dtype:
    if dtype is None:
        return default_float() if default is None else default
    if not isinstance(dtype, _backend.dtype) and dtype not in (float, int, bool):
        raise TypeError(f"{op}(): argument 'dtype' must be ember.dtype, not "
                        f"{type(dtype).__name__}")
    return to_np(dtype)


def _out(arr: np.ndarray, device: Any, requires_grad: bool, op: str) -> Tensor:
    if device is not None:
        check_device(device, op)
    t = _make(arr)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _factory(fill: Any, size: tuple, dtype: Any, device: Any, requires_grad: bool,
             op: str) -> Tensor:
    arr = np.full(_size(size, op), fill, dtype=_dtype(dtype, op))
    return _out(arr, device, requires_grad, op)


def zeros(*size: Any, out: Any = None, dtype: Any = None, layout: Any = None, device: Any = None,
          requires_grad: bool = False) -> Tensor:
    """A tensor of zeros (torch.zeros)."""
    return _out(np.zeros(_size(size, "zeros"), _dtype(dtype, "zeros")), device, requires_grad,
                "zeros")


def ones(*size: Any, out: Any = None, dtype: Any = None, layout: Any = None, device: Any = None,
         requires_grad: bool = False) -> Tensor:
    """A tensor of ones (torch.ones)."""
    return _out(np.ones(_size(size, "ones"), _dtype(dtype, "ones")), device, requires_grad,
                "ones")


def empty(*size: Any, out: Any = None, dtype: Any = None, layout: Any = None, device: Any = None,
          requires_grad: bool = False, pin_memory: bool = False,
          memory_format: Any = None) -> Tensor:
    """An uninitialised tensor (torch.empty); ember fills it with zeros."""
    return _factory(0, size, dtype, device, requires_grad, "empty")


def _fill_dtype(value: Any) -> np.dtype:
    """torch infers full()'s dtype from the fill value: bool, int64 or the default float."""
    if isinstance(value, Tensor):
        return value._data.dtype
    return _backend.scalar_dtype(value)


def full(size: Any, fill_value: Any, *, out: Any = None, dtype: Any = None, layout: Any = None,
         device: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor filled with fill_value (torch.full); dtype from the value when not given."""
    dt = _dtype(dtype, "full", _fill_dtype(fill_value))
    if isinstance(size, (int, np.integer)):
        raise TypeError(f"full(): argument 'size' must be tuple of ints, not "
                        f"{type(size).__name__}")
    return _out(np.full(_size((size,), "full"), fill_value, dt), device, requires_grad, "full")


def eye(n: int, m: int | None = None, *, out: Any = None, dtype: Any = None, layout: Any = None,
        device: Any = None, requires_grad: bool = False) -> Tensor:
    """The n x m identity matrix (torch.eye)."""
    m = n if m is None else m
    for name, v in (("n", n), ("m", m)):
        if v < 0:
            raise RuntimeError(f"eye: {name} must be greater or equal to 0, got {v}")
    return _out(np.eye(n, m, dtype=_dtype(dtype, "eye")), device, requires_grad, "eye")


def _is_float(v: Any) -> bool:
    return isinstance(v, (float, np.floating)) or (
        isinstance(v, Tensor) and v._data.dtype.kind == "f")


def arange(start: Any = 0, end: Any = None, step: Any = 1, *, out: Any = None,
           dtype: Any = None, layout: Any = None, device: Any = None,
           requires_grad: bool = False) -> Tensor:
    """Values from start up to (not including) end by step (torch.arange): int64 for integer
    arguments, the default float when any is a float."""
    if end is None:
        start, end = 0, start
    start, end, step = (v.item() if isinstance(v, Tensor) else v for v in (start, end, step))
    default = default_float() if any(_is_float(v) for v in (start, end, step)) else np.int64
    dt = _dtype(dtype, "arange", np.dtype(default))
    if step == 0:
        raise RuntimeError("arange: step must be nonzero")
    if dt.kind in "iub":    # torch truncates the bounds to the integer dtype first
        start, end, step = int(start), int(end), int(step)
        if step == 0:
            raise ValueError("arange: step must be nonzero (it truncates to 0 for an integer "
                             "dtype)")
    if not all(math.isfinite(v) for v in (start, end)):
        raise RuntimeError(f"arange: unsupported range: {start} -> {end}")
    if (end - start) * step < 0:
        raise RuntimeError(f"arange: upper bound and lower bound inconsistent with step sign "
                           f"(start={start}, end={end}, step={step})")
    n = math.ceil((end - start) / step)
    if dt.kind == "f":
        arr = (start + step * np.arange(n, dtype=np.float64)).astype(dt)
    else:
        arr = np.arange(start, start + n * step, step, dtype=np.int64)[:n].astype(dt)
    return _out(arr, device, requires_grad, "arange")


def linspace(start: Any, end: Any, steps: int, *, out: Any = None, dtype: Any = None,
             layout: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """steps values evenly spaced from start to end inclusive (torch.linspace)."""
    if steps < 0:
        raise RuntimeError(f"linspace: number of steps must be non-negative, got {steps}")
    start, end = (v.item() if isinstance(v, Tensor) else v for v in (start, end))
    dt = _dtype(dtype, "linspace")
    ct = dt if dt.kind == "f" else np.dtype(np.float64)
    if steps == 1:
        arr = np.full(1, start, ct)
    else:
        # torch's kernel: from start for the first half, back from end for the second
        st = ct.type((end - start) / max(steps - 1, 1))
        i = np.arange(steps)
        half = steps // 2
        arr = np.where(i < half, ct.type(start) + (st * i.astype(ct)),
                       ct.type(end) - st * (steps - 1 - i).astype(ct)).astype(ct)
    return _out(arr.astype(dt), device, requires_grad, "linspace")


def logspace(start: Any, end: Any, steps: int, base: float = 10.0, *, out: Any = None,
             dtype: Any = None, layout: Any = None, device: Any = None,
             requires_grad: bool = False) -> Tensor:
    """base ** linspace(start, end, steps) (torch.logspace)."""
    dt = _dtype(dtype, "logspace")
    exps = linspace(start, end, steps, dtype=_backend.float64)._data
    with np.errstate(over="ignore"):   # overflow gives inf, as torch
        arr = np.power(base, exps).astype(dt)
    return _out(arr, device, requires_grad, "logspace")


# ----------------------------------------------------------------------------- *_like
def _like(input: Tensor, dtype: Any, op: str) -> tuple:
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}(): argument 'input' must be Tensor, not {type(input).__name__}")
    return input._data.shape, _dtype(dtype, op, input._data.dtype)


def zeros_like(input: Tensor, *, dtype: Any = None, layout: Any = None, device: Any = None,
               requires_grad: bool = False, memory_format: Any = None) -> Tensor:
    shape, dt = _like(input, dtype, "zeros_like")
    return _out(np.zeros(shape, dt), device, requires_grad, "zeros_like")


def ones_like(input: Tensor, *, dtype: Any = None, layout: Any = None, device: Any = None,
              requires_grad: bool = False, memory_format: Any = None) -> Tensor:
    shape, dt = _like(input, dtype, "ones_like")
    return _out(np.ones(shape, dt), device, requires_grad, "ones_like")


def empty_like(input: Tensor, *, dtype: Any = None, layout: Any = None, device: Any = None,
               requires_grad: bool = False, memory_format: Any = None) -> Tensor:
    shape, dt = _like(input, dtype, "empty_like")
    return _out(np.zeros(shape, dt), device, requires_grad, "empty_like")


def full_like(input: Tensor, fill_value: Any, *, dtype: Any = None, layout: Any = None,
              device: Any = None, requires_grad: bool = False,
              memory_format: Any = None) -> Tensor:
    shape, dt = _like(input, dtype, "full_like")
    return _out(np.full(shape, fill_value, dt), device, requires_grad, "full_like")


def rand_like(input: Tensor, *, dtype: Any = None, layout: Any = None, device: Any = None,
              requires_grad: bool = False, memory_format: Any = None,
              generator: Any = None) -> Tensor:
    shape, dt = _like(input, dtype, "rand_like")
    return rand(shape, dtype=_backend.from_np(dt), device=device, requires_grad=requires_grad,
                generator=generator)


def randn_like(input: Tensor, *, dtype: Any = None, layout: Any = None, device: Any = None,
               requires_grad: bool = False, memory_format: Any = None,
               generator: Any = None) -> Tensor:
    shape, dt = _like(input, dtype, "randn_like")
    return randn(shape, dtype=_backend.from_np(dt), device=device, requires_grad=requires_grad,
                 generator=generator)


def randint_like(input: Tensor, low: int = 0, high: int | None = None, *, dtype: Any = None,
                 layout: Any = None, device: Any = None, requires_grad: bool = False,
                 memory_format: Any = None, generator: Any = None) -> Tensor:
    shape, dt = _like(input, dtype, "randint_like")
    if high is None:
        low, high = 0, low
    return randint(low, high, shape, dtype=_backend.from_np(dt), device=device,
                   requires_grad=requires_grad, generator=generator)


# ----------------------------------------------------------------------------- random
def _float_dtype(dtype: Any, op: str, kernel: str) -> np.dtype:
    dt = _dtype(dtype, op)
    if dt.kind != "f":
        raise NotImplementedError(f"{op}: \"{kernel}\" not implemented for "
                                  f"'{_backend.from_np(dt).name}': it needs a floating dtype")
    return dt


def _draw(sample: Any, shape: tuple, dt: np.dtype) -> np.ndarray:
    """NumPy draws float32/float64 directly; float16 goes through float32."""
    if dt == np.float64 or dt == np.float32:
        return sample(shape, dtype=dt)
    return sample(shape, dtype=np.float32).astype(dt)


def rand(*size: Any, generator: Any = None, out: Any = None, dtype: Any = None,
         layout: Any = None, device: Any = None, requires_grad: bool = False,
         pin_memory: bool = False) -> Tensor:
    """Uniform samples in [0, 1) (torch.rand)."""
    dt = _float_dtype(dtype, "rand", "check_uniform_bounds")
    arr = _draw(_backend.rng(generator).random, _size(size, "rand"), dt)
    return _out(arr, device, requires_grad, "rand")


def randn(*size: Any, generator: Any = None, out: Any = None, dtype: Any = None,
          layout: Any = None, device: Any = None, requires_grad: bool = False,
          pin_memory: bool = False) -> Tensor:
    """Standard normal samples (torch.randn)."""
    dt = _float_dtype(dtype, "randn", "normal_kernel_cpu")
    arr = _draw(_backend.rng(generator).standard_normal, _size(size, "randn"), dt)
    return _out(arr, device, requires_grad, "randn")


def randint(*args: Any, generator: Any = None, out: Any = None, dtype: Any = None,
            layout: Any = None, device: Any = None, requires_grad: bool = False,
            size: Any = None) -> Tensor:
    """Integers uniform in [low, high) (torch.randint(low=0, high, size)); int64 default."""
    if size is not None:
        args = args + (size,)
    if len(args) == 2:
        low, (high, size) = 0, args
    elif len(args) == 3:
        low, high, size = args
    else:
        raise TypeError(f"randint() takes (high, size) or (low, high, size), got {len(args)} "
                        "positional arguments")
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"randint(): argument 'size' must be tuple of ints, not "
                        f"{type(size).__name__}")
    shape = _size((size,), "randint")
    low, high = int(low), int(high)
    if low >= high:
        raise RuntimeError(f"randint: random_ expects 'from' to be less than 'to', but got "
                           f"from={low} >= to={high}")
    dt = _dtype(dtype, "randint", np.dtype(np.int64))
    arr = _backend.rng(generator).integers(low, high, shape, dtype=np.int64).astype(dt)
    return _out(arr, device, requires_grad, "randint")


def randperm(n: int, *, generator: Any = None, out: Any = None, dtype: Any = None,
             layout: Any = None, device: Any = None, requires_grad: bool = False,
             pin_memory: bool = False) -> Tensor:
    """A random permutation of 0..n-1 (torch.randperm); int64 default."""
    if n < 0:
        raise RuntimeError(f"randperm: Trying to create tensor with negative dimension {n}: "
                           f"[{n}]")
    dt = _dtype(dtype, "randperm", np.dtype(np.int64))
    return _out(_backend.rng(generator).permutation(n).astype(dt), device, requires_grad,
                "randperm")


def normal(mean: Any = 0.0, std: Any = 1.0, size: Any = None, *, generator: Any = None,
           out: Any = None, dtype: Any = None, layout: Any = None, device: Any = None,
           requires_grad: bool = False) -> Tensor:
    """Normal samples: tensor mean and/or std broadcast, or float mean/std with a size
    (torch.normal)."""
    tm, ts = isinstance(mean, Tensor), isinstance(std, Tensor)
    if not tm and not ts and size is None:
        raise TypeError("normal(): with float mean and float std a size is needed: "
                        "normal(mean, std, size)")
    s = std._data if ts else std
    if np.any(np.asarray(s) < 0):
        raise RuntimeError(f"normal expects std >= 0.0, but found std {np.min(s)}")
    g = _backend.rng(generator)
    if tm or ts:
        m = mean._data if tm else mean
        dt = (mean if tm else std)._data.dtype
        if tm and ts:
            dt = _backend.promote_types(mean._data.dtype, std._data.dtype)
        shape = np.broadcast_shapes(np.shape(m), np.shape(s))
        arr = (m + s * _draw(g.standard_normal, shape, np.dtype(np.float64))).astype(dt)
        return _out(arr, device, requires_grad, "normal")
    dt = _float_dtype(dtype, "normal", "normal_kernel_cpu")
    shape = _size((size,), "normal")
    return _out((mean + std * _draw(g.standard_normal, shape, np.dtype(np.float64))).astype(dt),
                device, requires_grad, "normal")


def bernoulli(input: Tensor, p: Any = None, *, generator: Any = None,
              out: Any = None) -> Tensor:
    """1 with probability input (or p), else 0, in input's dtype (torch.bernoulli)."""
    prob = input._data if p is None else p
    if np.any((np.asarray(prob) < 0) | (np.asarray(prob) > 1)):
        raise RuntimeError("bernoulli: expected all probabilities p to satisfy 0 <= p <= 1, "
                           f"but got values in [{np.min(prob)}, {np.max(prob)}]")
    u = _backend.rng(generator).random(input._data.shape)
    return _make((u < prob).astype(input._data.dtype))


def multinomial(input: Tensor, num_samples: int, replacement: bool = False, *,
                generator: Any = None, out: Any = None) -> Tensor:
    """Indices sampled from the rows of input as weights (torch.multinomial); int64."""
    w = input._data
    if w.ndim not in (1, 2):
        raise RuntimeError(f"multinomial: prob_dist must be 1 or 2 dim, got shape {list(w.shape)}")
    if w.dtype.kind != "f":
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: "
                           f"{input.dtype}")
    if num_samples <= 0:
        raise RuntimeError(f"multinomial: cannot sample n_sample <= 0 samples "
                           f"(num_samples={num_samples})")
    n = w.shape[-1]
    if not replacement and num_samples > n:
        raise RuntimeError(f"multinomial: cannot sample n_sample > prob_dist.size(-1) samples "
                           f"without replacement (n_sample={num_samples}, categories={n})")
    w2 = np.atleast_2d(w).astype(np.float64)
    if not np.all(np.isfinite(w2)) or np.any(w2 < 0):
        raise RuntimeError("multinomial: probability tensor contains either `inf`, `nan` or "
                           "element < 0")
    total = np.sum(w2, axis=-1, keepdims=True)
    if np.any(total <= 0):
        raise RuntimeError("multinomial: invalid multinomial distribution (sum of probabilities "
                           "<= 0)")
    g = _backend.rng(generator)
    if replacement:
        cdf = np.cumsum(w2 / total, axis=-1)
        cdf[:, -1] = 1.0
        u = g.random((w2.shape[0], num_samples))
        idx = np.stack([np.searchsorted(c, r, side="right") for c, r in zip(cdf, u)])
        idx = np.minimum(idx, n - 1)
    else:
        # exponential race: the k smallest E/w are a weighted sample without replacement
        keys = g.standard_exponential(w2.shape) / w2
        idx = np.argsort(keys, axis=-1, kind="stable")[:, :num_samples]
    idx = idx.astype(np.int64)
    return _make(idx[0] if w.ndim == 1 else idx)


def manual_seed(seed: int) -> Any:
    """Seed the default generator; returns it (torch.manual_seed)."""
    return _backend.default_generator.manual_seed(int(seed))


def seed() -> int:
    """Seed the default generator from the OS's entropy; returns the seed (torch.seed)."""
    return _backend.default_generator.seed()


def initial_seed() -> int:
    return _backend.default_generator.initial_seed()


def get_rng_state() -> Tensor:
    """The default generator's state as a ByteTensor (torch.get_rng_state)."""
    return _make(_backend.default_generator.get_state())


def set_rng_state(new_state: Tensor) -> None:
    """Restore a state from get_rng_state (torch.set_rng_state)."""
    if not isinstance(new_state, Tensor) or new_state._data.dtype != np.uint8:
        raise TypeError(f"set_rng_state: expected a ByteTensor (uint8) from get_rng_state(), "
                        f"got {type(new_state).__name__}"
                        + (f" of dtype {new_state.dtype}" if isinstance(new_state, Tensor)
                           else ""))
    _backend.default_generator.set_state(new_state._data)


# ----------------------------------------------------------------------------- legacy types
class _LegacyType(type):
    """Metaclass of FloatTensor & co: calling one builds a Tensor of that dtype, and
    isinstance(t, FloatTensor) tests the tensor's dtype, as torch's legacy types do."""

    def __instancecheck__(cls, obj: Any) -> bool:
        return isinstance(obj, Tensor) and obj._data.dtype == cls.dtype.np

    def __call__(cls, *args: Any, **kwargs: Any) -> Tensor:
        return _make(legacy_new(cls.dtype, args, kwargs))

    def __repr__(cls) -> str:
        return f"<class 'ember.{cls.__name__}'>"


def _legacy(name: str, dt: Any) -> type:
    return _LegacyType(name, (), {"dtype": dt, "__doc__": f"Legacy {dt} tensor type."})


FloatTensor = _legacy("FloatTensor", _backend.float32)
DoubleTensor = _legacy("DoubleTensor", _backend.float64)
HalfTensor = _legacy("HalfTensor", _backend.float16)
LongTensor = _legacy("LongTensor", _backend.int64)
IntTensor = _legacy("IntTensor", _backend.int32)
ShortTensor = _legacy("ShortTensor", _backend.int16)
CharTensor = _legacy("CharTensor", _backend.int8)
ByteTensor = _legacy("ByteTensor", _backend.uint8)
BoolTensor = _legacy("BoolTensor", _backend.bool_)
_LEGACY = {c.__name__: c for c in (FloatTensor, DoubleTensor, HalfTensor, LongTensor, IntTensor,
                                    ShortTensor, CharTensor, ByteTensor, BoolTensor)}


def _type(self: Tensor, dtype: Any = None, non_blocking: bool = False, **kwargs: Any) -> Any:
    """Tensor.type(): the legacy type string ('ember.FloatTensor'); type(t) casts to a dtype,
    a legacy class or its name ('ember.FloatTensor' or 'torch.FloatTensor')."""
    if dtype is None:
        return type_name(self._data)
    if isinstance(dtype, str):
        cls = _LEGACY.get(dtype.rpartition(".")[2]) if dtype.startswith(("ember.", "torch.")) \
            else None
        if cls is None:
            raise ValueError(f"invalid type: '{dtype}' (expected e.g. 'ember.FloatTensor')")
        dtype = cls.dtype
    elif isinstance(dtype, _LegacyType):
        dtype = dtype.dtype
    return self.to(dtype)


def _new_factory(fn: Any) -> Any:
    def method(self: Tensor, *size: Any, dtype: Any = None, device: Any = None,
               requires_grad: bool = False, **kwargs: Any) -> Tensor:
        return fn(*size, dtype=self.dtype if dtype is None else dtype, device=device,
                  requires_grad=requires_grad, **kwargs)
    method.__name__ = "new_" + fn.__name__
    return method


def _new_full(self: Tensor, size: Any, fill_value: Any, *, dtype: Any = None,
              device: Any = None, requires_grad: bool = False, **kwargs: Any) -> Tensor:
    return full(size, fill_value, dtype=self.dtype if dtype is None else dtype, device=device,
                requires_grad=requires_grad)


def _new_tensor(self: Tensor, data: Any, *, dtype: Any = None, device: Any = None,
                requires_grad: bool = False, **kwargs: Any) -> Tensor:
    return tensor(data, dtype=self.dtype if dtype is None else dtype, device=device,
                  requires_grad=requires_grad)


def _new(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
    return _make(legacy_new(self.dtype, args, kwargs))


attach({"type": _type, "new_zeros": _new_factory(zeros), "new_ones": _new_factory(ones),
        "new_empty": _new_factory(empty), "new_full": _new_full, "new_tensor": _new_tensor,
        "new": _new})


def _np_like(fn: Any) -> Any:
    def like(a: Any, dtype: Any = None, order: Any = None, subok: Any = None,
             shape: Any = None, **kw: Any) -> Tensor:
        t = a if isinstance(a, Tensor) else _make(np.asarray(a))
        if shape is not None:
            t = _make(np.empty(shape, t._data.dtype))
        return fn(t, dtype=None if dtype is None else _backend.from_np(np.dtype(dtype)), **kw)
    return like


proto.register_functions({
    np.zeros_like: _np_like(zeros_like), np.ones_like: _np_like(ones_like),
    np.empty_like: _np_like(empty_like),
    np.full_like: lambda a, fill_value, dtype=None, order=None, subok=None, shape=None:
        _np_like(lambda t, dtype=None: full_like(t, fill_value, dtype=dtype))(
            a, dtype=dtype, shape=shape),
})


def legacy_new(dtype: Any, args: tuple, kwargs: dict) -> np.ndarray:
    """torch's legacy constructors: `FloatTensor([1, 2])` copies data, `FloatTensor(2, 3)`
    makes an uninitialised (here zero) tensor of that size."""
    dt = default_float() if dtype is None else to_np(dtype)
    if kwargs.get("device") is not None:
        check_device(kwargs["device"], "Tensor")
    if not args:
        return np.zeros((0,), dt)
    if len(args) == 1 and not isinstance(args[0], (int, np.integer, Size)):
        data = args[0]
        if isinstance(data, _backend.ndarray):
            return data.astype(dt)
        return _infer(data).astype(dt)
    return np.zeros(_size(args, "Tensor"), dt)


# ----------------------------------------------------------------------------- constants, finfo
pi, e, inf, nan = math.pi, math.e, math.inf, math.nan
newaxis = None

_PY_TYPES = {float: np.dtype(np.float64), int: np.dtype(np.int64), bool: np.dtype(np.bool_)}


def _info_dtype(t: Any, who: str, want: str) -> np.dtype:
    """The NumPy dtype of finfo/iinfo's argument: an ember dtype or float/int/bool."""
    if isinstance(t, _backend.dtype):
        dt = t.np
    elif isinstance(t, type) and t in _PY_TYPES:
        dt = _PY_TYPES[t]
    else:
        raise TypeError(f"{who}(): argument 'type' (position 1) must be torch.dtype, not "
                        f"{type(t).__name__}")
    if who == "iinfo" and dt.kind == "b":
        raise TypeError("torch.bool is not supported by torch.iinfo")
    if dt.kind not in want:
        other = "iinfo" if who == "finfo" else "finfo"
        kind = "a floating point" if who == "finfo" else "an integer"
        raise TypeError(f"torch.{who}() requires {kind} input type. Use torch.{other} to "
                        f"handle 'torch.{who}' (got {_backend.from_np(dt).name})")
    return dt


class finfo:
    """Machine limits of a floating-point dtype, the default dtype when omitted (torch.finfo):
    bits, eps, max, min, tiny (= smallest_normal), resolution and dtype (its name)."""

    def __init__(self, type: Any = None) -> None:
        dt = _info_dtype(_backend.get_default_dtype() if type is None else type, "finfo", "f")
        f = np.finfo(dt)
        self.bits = f.bits
        self.eps = float(f.eps)
        self.max = float(f.max)
        self.min = float(f.min)
        self.tiny = self.smallest_normal = float(f.smallest_normal)
        self.resolution = 10.0 ** -f.precision
        self.dtype = _backend.from_np(dt).name

    def __eq__(self, other: object) -> bool:
        return isinstance(other, finfo) and self.dtype == other.dtype

    __hash__ = None   # unhashable, as torch.finfo

    def __repr__(self) -> str:
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
                f"eps={self.eps:g}, smallest_normal={self.smallest_normal:g}, "
                f"tiny={self.tiny:g}, dtype={self.dtype})")


class iinfo:
    """Machine limits of an integer dtype (torch.iinfo): bits, max, min and dtype (its name)."""

    def __init__(self, type: Any) -> None:
        dt = _info_dtype(type, "iinfo", "iu")
        i = np.iinfo(dt)
        self.bits, self.max, self.min = i.bits, int(i.max), int(i.min)
        self.dtype = _backend.from_np(dt).name

    def __eq__(self, other: object) -> bool:
        return isinstance(other, iinfo) and self.dtype == other.dtype

    __hash__ = None

    def __repr__(self) -> str:
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})"


__all__ += ["pi", "e", "inf", "nan", "newaxis", "finfo", "iinfo"]
