"""Tensor factories: `tensor`, `zeros`, `ones`, ... and the legacy `FloatTensor`-style
constructors. Data is copied into a fresh array with torch's dtype inference."""

from __future__ import annotations

import math
import operator
import warnings
from typing import Any

import numpy as np

from .. import _backend
from .._backend import check_device, default_float, to_np
from .._tensor import Size, Tensor, _make, type_name
from ..autograd.function import Function
from . import _numpy_protocol as proto
from ._util import attach, check_inplace, commit_inplace
from ._util import require_tensor as _check_tensor
from .elementwise import _TYPE_NAMES

__all__ = ["tensor", "as_tensor", "asarray", "from_numpy", "zeros", "ones", "empty", "full",
           "eye", "arange", "linspace", "logspace", "zeros_like", "ones_like", "empty_like",
           "full_like", "rand_like", "randn_like", "randint_like", "rand", "randn", "randint",
           "randperm", "normal", "bernoulli", "multinomial", "poisson", "binomial",
           "manual_seed", "seed", "initial_seed", "get_rng_state", "set_rng_state",
           "FloatTensor", "DoubleTensor", "HalfTensor", "LongTensor", "IntTensor", "ShortTensor",
           "CharTensor", "ByteTensor", "BoolTensor"]


def _infer(data: Any, dtype: Any = None) -> np.ndarray:
    """An array from nested lists/scalars/Tensors with torch's inference: Python floats take
    the default dtype, ints int64, bools bool; NumPy arrays keep their dtype. Given the target
    dtype, Python floats go to it straight (0.1 stays exact in float64)."""
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
        arr = arr.astype(default_float() if dtype is None else dtype)
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
    dt = None if dtype is None else to_np(dtype)
    arr = _infer(data, dt)
    if dt is not None:
        arr = arr.astype(dt, copy=False)
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


# ----------------------------------------------------------------------------- sampling ops
class _Sampled(Function):
    """A sample from a distribution that the inputs set (the last argument is the sample):
    torch gives the inputs a zero gradient (BernoulliBackward0, ExponentialBackward0, ...)."""

    _raw = True

    @staticmethod
    def forward(ctx: Any, *args: Any) -> Any:
        return args[-1]

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        return tuple(np.zeros_like(g) if n else None for n in ctx.needs_input_grad)


class _NoDerivative(Function):
    """A sample whose derivative torch does not implement: backward raises, as torch's."""

    _raw = True
    _name = "NotImplemented"
    _op = ""

    @staticmethod
    def forward(ctx: Any, *args: Any) -> Any:
        return args[-1]

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        raise RuntimeError(f"derivative for aten::{ctx._op} is not implemented")


_NODES = {n: type(n, (_Sampled,), {"_name": n}) for n in (
    "BernoulliBackward0", "BernoulliBackward1", "BernoulliBackward2", "RandomBackward0",
    "RandomBackward1", "RandomBackward2", "ExponentialBackward0", "GeometricBackward0",
    "CauchyBackward0", "LogNormalBackward0", "PoissonBackward0", "UniformBackward0",
    "NormalBackward0")}
_NO_DERIVATIVE = {op: type(op.capitalize() + "NotImplemented", (_NoDerivative,), {"_op": op})
                  for op in ("bernoulli", "binomial")}
_CPP_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half",
              "int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char",
              "uint8": "unsigned char", "bool": "bool"}
_FLOATS = ("float16", "float32", "float64")
_NUMERIC = _FLOATS + ("uint8", "int8", "int16", "int32", "int64")
_POISSON_MAX = 1e18   # NumPy's Poisson sampler stops near 9.2e18


def _number(v: Any, op: str, name: str) -> float:
    """A float parameter: a Python/NumPy number or a 0-d tensor."""
    if isinstance(v, (int, float, np.number)) or (isinstance(v, Tensor) and v._data.ndim == 0):
        return float(v)
    raise TypeError(f"{op}(): argument '{name}' must be float, not {type(v).__name__}")


def _unit_p(p: Any, op: str) -> float:
    p = _number(p, op, "p")
    if not 0 <= p <= 1:
        raise RuntimeError(f"{op} expects p to be in [0, 1], but got p={p:g}")
    return p


def _prob_tensor(t: Tensor, op: str) -> np.ndarray:
    """The probabilities of a float tensor, checked to lie in [0, 1] (torch skips the checks
    of an empty tensor)."""
    d = t._data
    if not d.size:
        return d
    _kernel_dtype(t, "bernoulli_tensor_cpu_p_", _FLOATS)
    if not np.all((d >= 0) & (d <= 1)):
        raise RuntimeError(f"{op}: Expected p_in >= 0 && p_in <= 1 to be true, but got "
                           f"probabilities in [{np.min(d):g}, {np.max(d):g}]")
    return d


def _kernel_dtype(t: Tensor, kernel: str, ok: tuple) -> None:
    name = t._data.dtype.name
    if name not in ok:
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_TYPE_NAMES[name]}'")


def _continuous(t: Tensor, dist: str, names: dict) -> None:
    if t._data.dtype.kind != "f":
        raise RuntimeError(f"{dist} distribution is a continuous probability distribution. "
                           f"dtype must be a floating point but you specified "
                           f"{names[t._data.dtype.name]}")


def _expandable(src: tuple, dst: tuple) -> bool:
    return len(src) <= len(dst) and all(s in (1, d) for s, d in zip(src[::-1], dst[::-1]))


def _commit(self: Tensor, op: str, node: Any, sample: Any, *inputs: Tensor) -> Tensor:
    """Write a sample into self in place; the node gives self (and inputs) a zero gradient."""
    with np.errstate(over="ignore", invalid="ignore"):
        arr = np.asarray(sample).astype(self._data.dtype)
    return commit_inplace(self, node.apply(self, *inputs, arr), op)


_RANDOM_USAGE = ("random_() takes no bounds, (to), (from, to) or (from, None), as ints "
                 "(keywords 'from' and 'to'), and a keyword generator")


def _random_int(v: Any) -> int:
    if isinstance(v, (bool, np.bool_)):
        raise TypeError(f"{_RANDOM_USAGE}; got a bool")
    try:
        v = operator.index(v)
    except TypeError:
        raise TypeError(f"{_RANDOM_USAGE}; got {type(v).__name__}") from None
    if not -2**63 <= v < 2**63:
        raise ValueError(f"random_: Overflow when unpacking long long ({v} does not fit int64)")
    return v


def _random_args(args: tuple, kwargs: dict) -> tuple:
    """(from, to, grad_fn name) of random_'s overloads; from is None for random_()."""
    if set(kwargs) - {"from", "to"} or len(args) + len(kwargs) > 2 or \
            ("from" in kwargs and (args or "to" not in kwargs)):
        raise TypeError(f"{_RANDOM_USAGE}; got {len(args)} positional and keywords "
                        f"{sorted(kwargs)}")
    bounds = list(args) + [kwargs[k] for k in ("from", "to") if k in kwargs]
    if not bounds:
        return None, None, "RandomBackward2"
    if len(bounds) == 1:
        return 0, _random_int(bounds[0]), "RandomBackward1"
    frm, to = bounds
    return _random_int(frm), None if to is None else _random_int(to), "RandomBackward0"


def _random_high(dt: np.dtype) -> int:
    """The top of random_()'s range: the dtype's max, or 2**digits for floats."""
    if dt.kind == "b":
        return 1
    if dt.kind == "f":
        return 2 ** (np.finfo(dt).nmant + 1)
    return int(np.iinfo(dt).max)


def _random_check(v: int, name: str, dt: np.dtype) -> None:
    """torch's range checks of random_'s bounds: an error outside the dtype, a warning where a
    float cannot hold every integer."""
    if dt.kind == "b":
        lo, hi = 0, 1
    elif dt.kind == "f":
        lo, hi = float(np.finfo(dt).min), float(np.finfo(dt).max)
    else:
        lo, hi = int(np.iinfo(dt).min), int(np.iinfo(dt).max)
    if not lo <= v <= hi:
        raise RuntimeError(f"random_: {name} is out of bounds for {_CPP_NAMES[dt.name]} "
                           f"(got {v}, expected a value in [{lo:g}, {hi:g}])")
    if dt.kind == "f":
        digits = np.finfo(dt).nmant + 1
        if not -(2 ** digits) <= v <= 2 ** digits:
            warnings.warn(f"{name} is out of bounds [-(2^{digits}), 2^{digits}]. Due to "
                          f"precision limitations {_CPP_NAMES[dt.name]} can support discrete "
                          "uniform distribution only within this range. This warning will "
                          "become an error in version 1.7 release, please fix the code in "
                          "advance", UserWarning, stacklevel=3)


def bernoulli(input: Tensor, p: Any = None, *, generator: Any = None,
              out: Any = None) -> Tensor:
    """1 with probability input (or the float p), else 0, in input's dtype (torch.bernoulli;
    also Tensor.bernoulli). Not differentiable: input gets a zero gradient (p=None) or an
    error on backward (float p), as in torch."""
    _check_tensor(input, "bernoulli", "input")
    if p is None:
        prob = _prob_tensor(input, "bernoulli")
        node, inputs = _NODES["BernoulliBackward0"], (input,)
    else:
        if isinstance(p, Tensor):
            raise TypeError("bernoulli(): argument 'p' must be a float, not Tensor (for "
                            "tensor probabilities use bernoulli(p_tensor) or "
                            "Tensor.bernoulli_(p_tensor))")
        prob = _unit_p(p, "bernoulli_")
        node, inputs = _NO_DERIVATIVE["bernoulli"], (input,)
    u = _backend.rng(generator).random(input._data.shape)
    return node.apply(*inputs, (u < prob).astype(input._data.dtype))


def _bernoulli_(self: Tensor, p: Any = 0.5, *, generator: Any = None) -> Tensor:
    """Fill with 1 with probability p (a float, or a float tensor broadcast to self's shape),
    else 0 (Tensor.bernoulli_)."""
    check_inplace(self, "bernoulli_")
    shape = self._data.shape
    if isinstance(p, Tensor):
        prob = _prob_tensor(p, "bernoulli_")
        if not _expandable(prob.shape, shape):
            raise RuntimeError(f"bernoulli_: expand: p of shape {list(prob.shape)} cannot be "
                               f"expanded to self's shape {list(shape)}")
        node, inputs = _NODES["BernoulliBackward1"], (self, p)
    else:
        prob = _unit_p(p, "bernoulli_")
        node, inputs = _NODES["BernoulliBackward2"], (self,)
    u = _backend.rng(generator).random(shape)
    return _commit(self, "bernoulli_", node, u < prob, *inputs[1:])


def _random_(self: Tensor, *args: Any, generator: Any = None, **kwargs: Any) -> Tensor:
    """Fill with integers uniform in [from, to) (Tensor.random_(from, to), random_(to) or
    random_(from, None)); random_() spans [0, the largest integer the dtype holds exactly]."""
    check_inplace(self, "random_")
    frm, to, node = _random_args(args, kwargs)
    dt = self._data.dtype
    high = _random_high(dt)
    if frm is None:
        frm, last = 0, high
    elif to is None:
        _random_check(frm, "from", dt)
        if frm > high:
            raise RuntimeError(f"random_ expects 'from' casted to dtype to be less than or equal "
                               f"to 'to_inc' casted to dtype, but got from={frm} > to_inc={high}")
        last = high
    else:
        if frm >= to:
            raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got "
                               f"from={frm} >= to={to}")
        _random_check(frm, "from", dt)
        _random_check(to - 1, "to - 1", dt)
        last = to - 1
    sample = _backend.rng(generator).integers(frm, last, self._data.shape, dtype=np.int64,
                                              endpoint=True)
    return _commit(self, "random_", _NODES[node], sample)


def _uniform_(self: Tensor, a: float = 0.0, b: float = 1.0, *, generator: Any = None) -> Tensor:
    """Fill with samples of U(a, b), a <= b (Tensor.uniform_(from, to))."""
    check_inplace(self, "uniform_")
    a, b = _number(a, "uniform_", "from"), _number(b, "uniform_", "to")
    _kernel_dtype(self, "check_uniform_bounds", _FLOATS)   # torch checks even empty tensors
    dt = self._data.dtype
    hi = float(np.finfo(dt).max)
    for v, name in ((a, "from"), (b, "to")):
        if not -hi <= v <= hi:
            raise RuntimeError(f"{name} is out of bounds for {_CPP_NAMES[dt.name]}")
    if a > b:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found "
                           f"from={a:g} > to={b:g}")
    if b - a > hi:
        raise RuntimeError(f"uniform_ expects to-from <= std::numeric_limits<"
                           f"{_TYPE_NAMES[dt.name]}>::max(), but found to={b:g} and from={a:g} "
                           "which result in to-from to exceed the limit")
    sample = _backend.rng(generator).uniform(a, b, self._data.shape)
    return _commit(self, "uniform_", _NODES["UniformBackward0"], sample)


def _normal_(self: Tensor, mean: float = 0.0, std: float = 1.0, *,
             generator: Any = None) -> Tensor:
    """Fill with samples of N(mean, std²) (Tensor.normal_)."""
    check_inplace(self, "normal_")
    mean, std = _number(mean, "normal_", "mean"), _number(std, "normal_", "std")
    if not std >= 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")
    if self._data.size:   # torch checks the dtype of non-empty tensors only
        _kernel_dtype(self, "normal_kernel_cpu", _FLOATS)
    sample = _backend.rng(generator).normal(mean, std, self._data.shape)
    return _commit(self, "normal_", _NODES["NormalBackward0"], sample)


def _exponential_(self: Tensor, lambd: float = 1, *, generator: Any = None) -> Tensor:
    """Fill with samples of the exponential distribution of rate lambd
    (Tensor.exponential_)."""
    check_inplace(self, "exponential_")
    lambd = _number(lambd, "exponential_", "lambd")
    if not lambd > 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={lambd:g}")
    if self._data.size:   # torch checks the dtype of non-empty tensors only
        _continuous(self, "Exponential", _TYPE_NAMES)
    sample = _backend.rng(generator).exponential(1 / lambd, self._data.shape)
    return _commit(self, "exponential_", _NODES["ExponentialBackward0"], sample)


def _geometric_(self: Tensor, p: float, *, generator: Any = None) -> Tensor:
    """Fill with the number of Bernoulli(p) trials up to the first success, 1, 2, ...
    (Tensor.geometric_); integer dtypes too."""
    check_inplace(self, "geometric_")
    p = _number(p, "geometric_", "p")
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={p:g}")
    if self._data.size:   # torch checks the dtype of non-empty tensors only
        _kernel_dtype(self, "geometric_cpu", _NUMERIC)
    sample = _backend.rng(generator).geometric(p, self._data.shape)
    return _commit(self, "geometric_", _NODES["GeometricBackward0"], sample)


def _cauchy_(self: Tensor, median: float = 0, sigma: float = 1, *,
             generator: Any = None) -> Tensor:
    """Fill with samples of the Cauchy distribution median + sigma * tan(pi * (u - 1/2))
    (Tensor.cauchy_)."""
    check_inplace(self, "cauchy_")
    median = _number(median, "cauchy_", "median")
    sigma = _number(sigma, "cauchy_", "sigma")
    if not sigma > 0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={sigma:g}")
    _continuous(self, "Cauchy", _CPP_NAMES)
    sample = median + sigma * _backend.rng(generator).standard_cauchy(self._data.shape)
    return _commit(self, "cauchy_", _NODES["CauchyBackward0"], sample)


def _log_normal_(self: Tensor, mean: float = 1, std: float = 2, *,
                 generator: Any = None) -> Tensor:
    """Fill with exp(N(mean, std²)) samples (Tensor.log_normal_)."""
    check_inplace(self, "log_normal_")
    mean = _number(mean, "log_normal_", "mean")
    std = _number(std, "log_normal_", "std")
    if not std > 0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={std:g}")
    if self._data.size:   # torch checks the dtype of non-empty tensors only
        _kernel_dtype(self, "log_normal_cpu", _FLOATS)
    sample = _backend.rng(generator).lognormal(mean, std, self._data.shape)
    return _commit(self, "log_normal_", _NODES["LogNormalBackward0"], sample)


def poisson(input: Tensor, generator: Any = None) -> Tensor:
    """Poisson samples with the rates in input, in input's float dtype (torch.poisson); input
    gets a zero gradient."""
    _check_tensor(input, "poisson", "input")
    _kernel_dtype(input, "poisson_cpu", _FLOATS)
    rate = input._data.astype(np.float64)
    if not np.all(rate >= 0):
        raise RuntimeError("invalid Poisson rate, expected rate to be non-negative (poisson got "
                           "a negative or nan rate)")
    if np.any(rate > _POISSON_MAX):
        raise RuntimeError(f"poisson: rate {np.max(rate):g} is too large to sample (ember "
                           f"supports rates up to {_POISSON_MAX:g})")
    sample = np.asarray(_backend.rng(generator).poisson(rate)).astype(input._data.dtype)
    return _NODES["PoissonBackward0"].apply(input, sample)


def binomial(count: Tensor, prob: Tensor, generator: Any = None) -> Tensor:
    """Binomial samples of count trials with success probability prob, broadcast, in count's
    float dtype (torch.binomial): prob is clipped to [0, 1]; counts <= 0 give 0, nan gives nan;
    fractional counts are truncated unless prob >= 1 (then the count itself). Backward raises,
    as in torch."""
    _check_tensor(count, "binomial", "count", 1)
    _check_tensor(prob, "binomial", "prob", 2)
    for name, t in (("count", count), ("prob", prob)):
        if t._data.dtype.kind != "f":
            raise ValueError(f"binomial only supports floating-point dtypes for {name}, got: "
                             f"{_TYPE_NAMES[t._data.dtype.name]}")
    dt = count._data.dtype
    if prob._data.dtype != dt:
        raise RuntimeError(f"binomial: Found dtype {_TYPE_NAMES[prob._data.dtype.name]} but "
                           f"expected {_TYPE_NAMES[dt.name]} (count and prob must have the same "
                           "dtype)")
    _kernel_dtype(count, "binomial_cpu", ("float32", "float64"))
    n, p = np.broadcast_arrays(count._data.astype(np.float64), prob._data.astype(np.float64))
    p_in = np.clip(np.nan_to_num(p, nan=0.0), 0.0, 1.0)
    finite = np.isfinite(n) & (n > 0)
    draws = _backend.rng(generator).binomial(np.where(finite, n, 0).astype(np.int64), p_in)
    sample = np.where(p_in >= 1, n, np.where(np.isinf(n) & (p_in > 0), n, draws))
    sample = np.where(n > 0, sample, 0.0)
    sample = np.where(np.isnan(n) | np.isnan(p), np.nan, sample)
    return _NO_DERIVATIVE["binomial"].apply(count, prob, sample.astype(dt))


def multinomial(input: Tensor, num_samples: int, replacement: bool = False, *,
                generator: Any = None, out: Any = None) -> Tensor:
    """Indices sampled from the rows of input as weights (torch.multinomial); int64."""
    w = input._data
    try:
        num_samples = operator.index(num_samples)
    except TypeError:
        raise TypeError(f"multinomial(): argument 'num_samples' (position 1) must be int, not "
                        f"{type(num_samples).__name__}") from None
    if w.ndim not in (1, 2):
        raise RuntimeError(f"multinomial: prob_dist must be 1 or 2 dim, got shape {list(w.shape)}")
    if w.dtype.kind != "f":
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: "
                           f"{_TYPE_NAMES[w.dtype.name]}")
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
        idx = np.array([np.searchsorted(c, r, side="right") for c, r in zip(cdf, u)],
                       np.int64).reshape(u.shape)
        idx = np.minimum(idx, n - 1)
    else:
        # exponential race: the k smallest E/w are a weighted sample without replacement
        with np.errstate(divide="ignore"):   # zero weights race at inf: drawn last
            keys = g.standard_exponential(w2.shape) / w2
        idx = np.argsort(keys, axis=-1, kind="stable")[:, :num_samples]
    idx = idx.astype(np.int64)
    return _make(idx[0] if w.ndim == 1 else idx)


attach({"bernoulli": bernoulli, "bernoulli_": _bernoulli_, "multinomial": multinomial,
        "random_": _random_, "exponential_": _exponential_, "geometric_": _geometric_,
        "cauchy_": _cauchy_, "log_normal_": _log_normal_, "uniform_": _uniform_,
        "normal_": _normal_})


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
        return _infer(data, dt).astype(dt)
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
