"""The one place that knows the array module: devices, dtypes, torch's type promotion, RNG.

Everything above this layer (ops, autograd) asks here for the array module (`xp`), converts
dtypes with `to_np`/`from_np`, and promotes with `result_type`. A CUDA backend swaps `xp` for CuPy.
"""

from __future__ import annotations

import builtins
import ctypes
import json
import os
import sys
import warnings

import numpy as np

xp = np
ndarray = np.ndarray

# NumPy reports floating-point edge cases (x/0, log(0), inf - inf) as RuntimeWarnings where torch
# returns inf/nan silently. Ignore them when they come from ember's own modules: a filter costs
# nothing per op (np.errstate costs ~1 µs per use) and leaves the user's NumPy code as it was.
warnings.filterwarnings(
    "ignore", message=r"(divide by zero|invalid value|overflow|underflow) encountered",
    category=RuntimeWarning, module=r"ember(\.|$)")


def _keep_freed_memory() -> None:
    """Ask glibc to keep freed arrays for reuse instead of handing them back to the OS.

    By default glibc serves every block over 128 KiB-32 MiB with its own mmap and returns it on
    free, and trims the heap top over 128 KiB: a training step that frees and reallocates the
    same-sized activations then pays a page fault for every 4 KiB of every fresh array (measured:
    574 faults and 1.38 ms per gather+backward of 256x512, 0 faults and 0.35 ms with this).
    Blocks up to 32 MiB now come from the heap, which keeps up to
    128 MiB of free memory (the same trade torch's GPU caching allocator makes). Set
    EMBER_MALLOPT=0 to leave the process's allocator alone; other C libraries are left alone.
    """
    if sys.platform != "linux" or os.environ.get("EMBER_MALLOPT") == "0":
        return
    try:
        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):
        return
    m_trim_threshold, m_mmap_threshold = -1, -3
    mallopt(m_mmap_threshold, 32 << 20)    # glibc's maximum on 64-bit
    mallopt(m_trim_threshold, 128 << 20)


_keep_freed_memory()


# ---------------------------------------------------------------------------------- threads
def _blas_threads_api() -> tuple:
    """(set, get) of the OpenBLAS NumPy is linked with, found among the libraries this process
    has loaded (NumPy's wheels bundle a prefixed scipy_openblas; other builds link a plain
    libopenblas), or (None, None) for another BLAS."""
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "openblas" in line}
    except OSError:
        return None, None
    for path in sorted(paths):
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for prefix in ("scipy_openblas", "openblas"):
            for suffix in ("64_", ""):
                set_, get = (getattr(lib, f"{prefix}_{verb}_num_threads{suffix}", None)
                             for verb in ("set", "get"))
                if set_ is not None and get is not None:
                    set_.argtypes, get.restype = [ctypes.c_int], ctypes.c_int
                    return set_, get
    return None, None


_blas_set_threads, _blas_get_threads = _blas_threads_api()
_num_threads = _blas_get_threads() if _blas_get_threads else (os.cpu_count() or 1)


def set_num_threads(n: int) -> None:
    """The number of threads ember's CPU kernels use (torch.set_num_threads). ember's threaded
    work is NumPy's matrix products, so this sets the threads of the OpenBLAS NumPy uses; with
    another BLAS it is recorded only."""
    global _num_threads
    if type(n) is not builtins.int and not isinstance(n, np.integer):
        raise RuntimeError(f"set_num_threads expects an int, but got {type(n).__name__}")
    if n <= 0:
        raise RuntimeError(f"set_num_threads expects a positive integer, but got {n}")
    _num_threads = n
    if _blas_set_threads is not None:
        _blas_set_threads(builtins.int(n))


def get_num_threads() -> int:
    """The number of threads ember's CPU kernels use (torch.get_num_threads)."""
    return _blas_get_threads() if _blas_get_threads is not None else _num_threads


# ---------------------------------------------------------------------------------- devices
class device:
    """A device, as `torch.device`: `device('cpu')`, `device('cuda', 0)`, `device('cuda:0')`."""

    __slots__ = ("type", "index")

    def __init__(self, type: str | device, index: int | None = None) -> None:
        if isinstance(type, device):
            type, index = type.type, type.index
        elif isinstance(type, str) and ":" in type:
            type, _, idx = type.partition(":")
            index = builtins.int(idx)
        if type not in ("cpu", "cuda"):
            raise RuntimeError(
                f"Expected one of cpu, cuda device type at start of device string: {type}")
        self.type = type
        self.index = index

    def __repr__(self) -> str:
        idx = "" if self.index is None else f", index={self.index}"
        return f"device(type='{self.type}'{idx})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))


CPU = device("cpu")


def check_device(dev: object, op: str) -> device:
    """Resolve a device argument; only the CPU exists until the CuPy backend lands."""
    d = dev if isinstance(dev, device) else device(dev)
    if d.type != "cpu":
        raise RuntimeError(
            f"{op}: device '{d}' is not available: ember runs on the CPU (NumPy) in this build")
    return d


# Module-level names below shadow `float`, `int` and `bool`, as torch's namespace does.
builtins_float, builtins_int, builtins_bool = builtins.float, builtins.int, builtins.bool


# ----------------------------------------------------------------------------------- dtypes
class dtype:
    """An ember dtype (`ember.float32`, ...), mirroring `torch.dtype`."""

    __slots__ = ("name", "np", "is_floating_point", "is_complex", "is_signed", "itemsize")

    def __init__(self, name: str, np_dtype: type) -> None:
        self.name = name
        self.np = np.dtype(np_dtype)
        self.is_floating_point = self.np.kind == "f"
        self.is_complex = self.np.kind == "c"
        self.is_signed = self.np.kind in "fic"
        self.itemsize = self.np.itemsize

    def __repr__(self) -> str:
        return f"ember.{self.name}"

    def __reduce__(self) -> str:
        return self.name

    def to_real(self) -> dtype:
        return self


float16 = half = dtype("float16", np.float16)
float32 = float = dtype("float32", np.float32)
float64 = double = dtype("float64", np.float64)
int8 = dtype("int8", np.int8)
int16 = short = dtype("int16", np.int16)
int32 = int = dtype("int32", np.int32)
int64 = long = dtype("int64", np.int64)
uint8 = dtype("uint8", np.uint8)
bool_ = dtype("bool", np.bool_)

ALL_DTYPES = (float16, float32, float64, int8, int16, int32, int64, uint8, bool_)
_FROM_NP = {d.np: d for d in ALL_DTYPES}


def from_np(np_dtype: np.dtype) -> dtype:
    """The ember dtype of a NumPy dtype; raise TypeError for kinds ember does not have."""
    try:
        return _FROM_NP[np_dtype]
    except KeyError:
        raise TypeError(
            f"ember has no dtype for NumPy's {np.dtype(np_dtype)}: supported are "
            + ", ".join(d.name for d in ALL_DTYPES)) from None


def to_np(d: object) -> np.dtype:
    """The NumPy dtype for an ember dtype (also accepts NumPy dtypes and Python types)."""
    if type(d) is dtype:
        return d.np
    if d is builtins_float:   # a Python float is a double, whatever the default (as torch)
        return np.dtype(np.float64)
    if d is builtins_int:
        return np.dtype(np.int64)
    if d is builtins_bool:
        return np.dtype(np.bool_)
    try:
        return from_np(np.dtype(d)).np
    except TypeError:
        raise TypeError(f"expected an ember dtype such as ember.float32, got {d!r}") from None



_default = [float32]


def set_default_dtype(d: dtype) -> None:
    """Set the dtype that float data and factory functions default to (float32 or float64)."""
    if type(d) is not dtype or not d.is_floating_point:
        raise TypeError(f"only floating-point types are supported as the default type, got {d!r}")
    _default[0] = d


def get_default_dtype() -> dtype:
    return _default[0]


def default_float() -> np.dtype:
    return _default[0].np


# -------------------------------------------------------------------------------- promotion
# Categories: 0 bool, 1 integer, 2 floating point.
_F16, _F32, _F64 = np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64)
_BOOL, _I64 = np.dtype(np.bool_), np.dtype(np.int64)


def _category(d: np.dtype) -> int:
    k = d.kind
    return 2 if k == "f" else 0 if k == "b" else 1


def promote_types(a: np.dtype, b: np.dtype) -> np.dtype:
    """torch.promote_types on NumPy dtypes: a float wins over any integer (int64 + float16 is
    float16, where NumPy would say float64); integers promote as NumPy does."""
    if a is b:
        return a
    ca, cb = _category(a), _category(b)
    if ca != cb:
        return a if ca > cb else b
    return np.promote_types(a, b)


def _combine(higher: np.dtype | None, lower: np.dtype | None) -> np.dtype | None:
    # torch's combine_categories: a lower-priority group only matters if it is of a higher
    # category (e.g. a 0-d float tensor with an int tensor gives the default float).
    if higher is None:
        return lower
    if lower is None:
        return higher
    ch = _category(higher)
    if ch == 2:
        return higher
    if ch == 0 or _category(lower) == 2:
        return promote_types(higher, lower)
    return higher


def scalar_dtype(v: object) -> np.dtype:
    """The dtype a Python scalar takes part in promotion with (float -> default dtype)."""
    t = type(v)
    if t is builtins_bool or t is np.bool_:
        return _BOOL
    if t is builtins_int or isinstance(v, np.integer):
        return _I64
    if t is builtins_float or isinstance(v, np.floating):
        return _default[0].np
    raise TypeError(f"expected a Tensor or a Python number, got {type(v).__name__}; convert "
                    f"it to a tensor first, e.g. ember.tensor(value)")


def result_type(*operands: object) -> np.dtype:
    """The dtype torch gives an op on these operands: arrays with dims, 0-d arrays (from 0-d
    tensors) and Python scalars are three priority groups (see DESIGN.md)."""
    dim = zero = wrapped = None
    for o in operands:
        if type(o) is ndarray:
            if o.ndim:
                dim = o.dtype if dim is None else promote_types(dim, o.dtype)
            else:
                zero = o.dtype if zero is None else promote_types(zero, o.dtype)
        elif o is not None:
            d = scalar_dtype(o)
            wrapped = d if wrapped is None else promote_types(wrapped, d)
    return _combine(_combine(dim, zero), wrapped)


# The public, torch-facing forms (ember dtypes and Tensors in, ember dtypes out); the lead
# exports them as ember.promote_types / ember.result_type / ember.can_cast.
def api_promote_types(type1: dtype, type2: dtype) -> dtype:
    """The smallest dtype both can be promoted to (torch.promote_types)."""
    return from_np(promote_types(to_np(type1), to_np(type2)))


def api_result_type(tensor1: object, tensor2: object) -> dtype:
    """The dtype of an arithmetic op on these operands (torch.result_type): tensors with
    dims, 0-d tensors and Python numbers take part with decreasing priority."""
    ops = []
    for o in (tensor1, tensor2):
        data = getattr(o, "_data", None)
        if data is None and not isinstance(o, (builtins_bool, builtins_int, builtins_float,
                                               np.number, np.bool_)):
            raise TypeError(
                f"result_type() expects Tensors or Python numbers, got {type(o).__name__}")
        ops.append(o if data is None else data)
    return from_np(result_type(*ops))


def can_cast(from_: dtype, to: dtype) -> builtins_bool:
    """Whether torch's type promotion allows casting from_ to `to` (torch.can_cast): never
    from a float to an integer or bool, nor from an integer to bool."""
    return _category(to_np(from_)) <= _category(to_np(to))


# -------------------------------------------------------------------------------------- RNG
_DEFAULT_SEED = 67280421310721  # torch's default initial seed


class Generator:
    """A random number generator, as `torch.Generator` (backed by NumPy's PCG64)."""

    def __init__(self, device: str | object = "cpu") -> None:
        self.device = check_device(device, "Generator")
        self._seed = _DEFAULT_SEED
        self.np = np.random.Generator(np.random.PCG64(self._seed))

    def manual_seed(self, seed: int) -> Generator:
        self._seed = builtins_int(seed)
        self.np = np.random.Generator(np.random.PCG64(self._seed & (2**64 - 1)))
        return self

    def seed(self) -> int:
        s = builtins_int(np.random.SeedSequence().entropy) & (2**63 - 1)
        self.manual_seed(s)
        return s

    def initial_seed(self) -> int:
        return self._seed

    def get_state(self) -> np.ndarray:
        """The state as a uint8 array (wrapped in a ByteTensor by the public API)."""
        raw = json.dumps({"seed": self._seed, "state": self.np.bit_generator.state})
        return np.frombuffer(raw.encode(), dtype=np.uint8).copy()

    def set_state(self, state: np.ndarray) -> Generator:
        try:
            doc = json.loads(np.asarray(state, dtype=np.uint8).tobytes().decode())
            bg = np.random.PCG64()
            bg.state = doc["state"]
        except (ValueError, KeyError, TypeError, UnicodeDecodeError):
            raise RuntimeError(
                "set_rng_state: the state is not one that get_rng_state() returned") from None
        self._seed = doc["seed"]
        self.np = np.random.Generator(bg)
        return self


default_generator = Generator()


def rng(generator: Generator | None = None) -> np.random.Generator:
    """The NumPy generator to draw from: the given ember Generator's, or the default one."""
    return (generator or default_generator).np
