"""`ember.save` / `ember.load` (torch.save / torch.load) without pickle.

ember writes safetensors files: every tensor is a safetensors entry and the nesting around them
(dicts, lists, numbers, strings...) is JSON in the header's `__metadata__["ember.tree"]`, so
loading is JSON plus bounds-checked byte slicing and can never run code. Other tools read the
tensors (`safetensors.numpy.load_file`), and ember reads plain safetensors files as a flat dict.

`ember.load` also reads checkpoints written by `torch.save` (the zip format and the legacy one)
with an allow-listed unpickler: only tensor-rebuilding functions, storage types, dtypes,
OrderedDict and plain containers are accepted, each mapped to an ember stand-in; torch is never
imported and nothing named by the file is ever called.
"""

from __future__ import annotations

import collections
import contextlib
import io
import json
import os
import pickle
import secrets
import struct
import zipfile
from collections.abc import Callable
from typing import Any

import numpy as np
import safetensors
import safetensors.numpy as st_np

from . import _backend
from ._tensor import Size, Tensor, _make
from .nn.parameter import Parameter

__all__ = ["save", "load", "SerializationError", "UnsafeLoadError"]

_FORMAT = "1"
_MAX_HEADER = 100 * 1024 * 1024
# safetensors dtype codes of the dtypes ember has.
_ST_DTYPES = {"BOOL": np.bool_, "U8": np.uint8, "I8": np.int8, "I16": np.int16, "I32": np.int32,
              "I64": np.int64, "F16": np.float16, "F32": np.float32, "F64": np.float64}
_ST_DTYPES = {k: np.dtype(v) for k, v in _ST_DTYPES.items()}
_NP_DTYPES = frozenset(_ST_DTYPES.values())
_DTYPES_BY_NAME = {d.name: d for d in _backend.ALL_DTYPES}


class SerializationError(RuntimeError):
    """A file `ember.load` cannot read: truncated, corrupted, or not a checkpoint."""


class UnsafeLoadError(SerializationError, pickle.UnpicklingError):
    """A torch checkpoint names a global outside ember's allow-list (nothing was executed)."""


# ========================================================================================= save
def save(obj: Any, f: str | os.PathLike | io.IOBase) -> None:
    """Save tensors and nested containers of them to a path or a binary file (torch.save).

    `obj` may nest dict (also OrderedDict, with str/int/float/bool/None/tuple keys), list and
    tuple around Tensors, Parameters, NumPy arrays, int, float, bool, str, None, NumPy scalars,
    ember dtypes, devices and Sizes; all come back with their types, dtypes, shapes and key order.
    A Tensor object reached twice (tied weights) is stored once and loads as one object; distinct
    Tensors viewing the same memory (`p.detach()` of one Parameter) are stored once and load
    sharing their data. Other dict subclasses load as dict and other tuples as tuple.
    Writing to a path is atomic: a temporary file in the same directory is written, fsynced and
    renamed over `f`, so a crash leaves the previous file intact.
    Raises TypeError (naming where in `obj`) for anything else, e.g. a Module: save its
    `state_dict()`.
    """
    arrays, tree = _Encoder().encode(obj)
    meta = {"ember.format": _FORMAT, "ember.tree": json.dumps(tree, separators=(",", ":"))}
    if isinstance(f, (str, os.PathLike)):
        _atomic_save(os.fspath(f), arrays, meta)
    elif callable(getattr(f, "write", None)):
        f.write(st_np.save(arrays, metadata=meta))
    else:
        raise TypeError(f"ember.save: f must be a path or a binary file object with write(), "
                        f"got {type(f).__name__}")


def _atomic_save(path: str, arrays: dict, meta: dict) -> None:
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise RuntimeError(f"ember.save: parent directory {folder} does not exist")
    tmp = os.path.join(folder, f".{os.path.basename(path)}.{secrets.token_hex(6)}.tmp")
    try:
        st_np.save_file(arrays, tmp, metadata=meta)
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):      # make the rename itself durable (POSIX only)
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


class _Encoder:
    """Turns `obj` into (entry name -> contiguous array, JSON tree). Tree nodes: JSON scalars
    for None/bool/int/float/str; {"d": [[key, value]...], "o": 1 if OrderedDict}; {"l": [...]};
    {"t": [...]}; {"S": [...]} (Size); {"T": entry, "o": object id, "k": "P"|"A", "g": 1}
    (Tensor, Parameter or ndarray; g = requires_grad); {"n": [numpy dtype, value]};
    {"dt": dtype name}; {"dev": device string}."""

    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}
        self.by_memory: dict[tuple, str] = {}
        self.objects: dict[int, int] = {}
        self.active: set[int] = set()

    def encode(self, obj: Any) -> tuple[dict, Any]:
        return self.arrays, self.node(obj, [])

    def node(self, x: Any, path: list) -> Any:
        t = type(x)
        if x is None or t in (bool, int, float, str):
            return x
        if isinstance(x, (Tensor, np.ndarray)):
            return self.tensor(x, path)
        if isinstance(x, (dict, list, tuple)):
            if id(x) in self.active:
                raise ValueError(f"ember.save: {_where(path)} contains itself (a cycle)")
            self.active.add(id(x))
            try:
                if isinstance(x, dict):
                    items = [[self.key(k, path), self.node(v, [*path, k])] for k, v in x.items()]
                    return {"d": items, "o": 1} if isinstance(x, collections.OrderedDict) \
                        else {"d": items}
                tag = "l" if isinstance(x, list) else "S" if isinstance(x, Size) else "t"
                return {tag: [self.node(v, [*path, i]) for i, v in enumerate(x)]}
            finally:
                self.active.discard(id(x))
        if isinstance(x, np.generic) and x.dtype in _NP_DTYPES:
            return {"n": [x.dtype.str, x.item()]}
        if t is _backend.dtype:
            return {"dt": x.name}
        if t is _backend.device:
            return {"dev": str(x)}
        hint = " (save its state_dict() instead)" if hasattr(x, "state_dict") else ""
        raise TypeError(f"ember.save: {_where(path)}: cannot save an object of type "
                        f"{t.__name__}{hint}; supported are Tensors, NumPy arrays, dict, list, "
                        "tuple, int, float, bool, str and None")

    def key(self, k: Any, path: list) -> Any:
        if k is None or type(k) in (bool, int, float, str):
            return k
        if type(k) is tuple:
            return {"t": [self.key(v, path) for v in k]}
        raise TypeError(f"ember.save: {_where(path)}: dict key {k!r} of type {type(k).__name__} "
                        "cannot be saved; keys must be str, int, float, bool, None or tuples")

    def tensor(self, x: Tensor | np.ndarray, path: list) -> dict:
        arr = np.asarray(x._data if isinstance(x, Tensor) else x)
        if arr.dtype not in _NP_DTYPES:
            raise TypeError(f"ember.save: {_where(path)}: cannot save an array of dtype "
                            f"{arr.dtype}; ember's dtypes are bool, uint8, int8, int16, int32, "
                            "int64, float16, float32 and float64")
        mem = (arr.__array_interface__["data"][0], arr.shape, arr.strides, arr.dtype.str)
        name = self.by_memory.get(mem)
        if name is None:
            name = ".".join(str(p) for p in path) or "tensor"
            while name in self.arrays:            # e.g. keys "a.b" and "a" -> "b" collide
                name += "'"
            # safetensors.numpy writes the raw buffer as if row-major: make it so.
            self.arrays[name] = arr if arr.flags.c_contiguous else arr.copy(order="C")
            self.by_memory[mem] = name
        node = {"T": name, "o": self.objects.setdefault(id(x), len(self.objects))}
        if not isinstance(x, Tensor):
            node["k"] = "A"
        else:
            if isinstance(x, Parameter):
                node["k"] = "P"
            if x.requires_grad:
                node["g"] = 1
        return node


def _where(path: list) -> str:
    return "obj" + "".join(f"[{p!r}]" for p in path)


# ========================================================================================= load
def load(f: str | os.PathLike | io.IOBase, map_location: Any = None, pickle_module: Any = None,
         *, weights_only: bool | None = None) -> Any:
    """Load what `ember.save` wrote, a plain safetensors file, or a `torch.save` checkpoint
    (torch.load).

    - ember files come back exactly as saved; a safetensors file without ember's metadata loads
      as a dict of Tensors (in header order).
    - torch checkpoints (zip or legacy format) are read with an allow-list of globals (tensor
      rebuilders, storage types, dtypes, OrderedDict, plain containers): Tensors, Parameters,
      numbers, strings and containers load, and anything else raises UnsafeLoadError naming the
      global, before anything from the file runs. `weights_only=False` does not relax this:
      ember never executes pickled code (for ember files there is no pickle at all).
    - map_location: None, 'cpu', ember.device('cpu'), a dict {saved location: 'cpu'} or a
      callable (tensor, location) -> Tensor or None. ember has only the CPU, so tensors saved
      on any device load there; any other target raises RuntimeError.

    Errors: SerializationError (a RuntimeError subclass) naming the file and what is wrong for a
    truncated, corrupted, empty or foreign file; UnsafeLoadError (also a
    pickle.UnpicklingError) for a forbidden global; FileNotFoundError for a missing path.
    """
    if pickle_module is not None:
        raise RuntimeError("ember.load: pickle_module is not supported: ember never unpickles "
                           "with a user-supplied module")
    del weights_only                              # always weights-only; see the docstring
    relocate = _map_location(map_location)
    if isinstance(f, (str, os.PathLike)):
        name = os.fspath(f)
        with open(name, "rb") as fh:
            return _load(fh, name, relocate)
    if not callable(getattr(f, "read", None)):
        raise TypeError(f"ember.load: f must be a path or a binary file object with read(), "
                        f"got {type(f).__name__}")
    name = repr(getattr(f, "name", f"<{type(f).__name__}>"))
    if not (callable(getattr(f, "seekable", None)) and f.seekable()):
        f = io.BytesIO(f.read())
    return _load(f, name, relocate)


def _load(fh: Any, name: str, relocate: Callable) -> Any:
    start = fh.tell()
    head = fh.read(8)
    fh.seek(start)
    if not head:
        raise SerializationError(f"ember.load: {name} is empty (0 bytes): not a checkpoint")
    if head.startswith(b"PK\x03\x04"):
        return _load_torch_zip(fh, name, relocate)
    if head.startswith(b"\x80\x02\x8a"):          # pickle protocol 2 + LONG1: torch's magic
        return _load_torch_legacy(fh, name, relocate)
    return _load_safetensors(fh, name, relocate)


def _map_location(m: Any) -> Callable[[Tensor, str], Tensor]:
    """A function (tensor, saved location) -> tensor that applies map_location."""
    def check(target: Any) -> None:
        try:
            d = target if isinstance(target, _backend.device) else _backend.device(target)
        except (RuntimeError, TypeError, ValueError):
            d = None
        if d is None or d.type != "cpu":
            raise RuntimeError(f"ember.load: map_location {m!r} asks for {target!r}, but ember "
                               "runs on the CPU only: use map_location='cpu' (or None)")

    if m is None:
        return lambda t, loc: t
    if isinstance(m, (str, _backend.device)):
        check(m)
        return lambda t, loc: t
    if isinstance(m, dict):
        for v in m.values():
            check(v)
        return lambda t, loc: t
    if callable(m):
        def apply(t: Tensor, loc: str) -> Tensor:
            r = m(t, loc)
            if r is None:
                return t
            if not isinstance(r, Tensor):
                raise TypeError(f"ember.load: map_location returned {type(r).__name__}, "
                                "expected a Tensor or None")
            return r
        return apply
    raise TypeError(f"ember.load: map_location must be None, a str, an ember.device, a dict or "
                    f"a callable, got {type(m).__name__}")


# ----------------------------------------------------------------------------- safetensors
def _read_header(fh: Any, name: str) -> tuple[dict, int, int]:
    """Parse and check the safetensors header; returns (header, its size, data bytes after it).
    Leaves `fh` where it was."""
    start = fh.tell()
    size = fh.seek(0, io.SEEK_END) - start
    fh.seek(start)
    bad = f"ember.load: {name} is not an ember or safetensors file"
    if size < 8:
        raise SerializationError(f"{bad}: only {size} bytes (truncated?)")
    (n,) = struct.unpack("<Q", fh.read(8))
    if n > _MAX_HEADER:
        raise SerializationError(f"{bad}: the first 8 bytes declare a {n}-byte header (over "
                                 "the 100 MB limit; a text or foreign file?)")
    if 8 + n > size:
        raise SerializationError(f"{bad} or is truncated: the header declares {n} bytes, the "
                                 f"file has {size - 8} after the length prefix")
    raw = fh.read(n)
    if not raw.lstrip().startswith(b"{"):
        raise SerializationError(f"{bad}: its header is not a JSON object")

    def no_duplicates(pairs: list) -> dict:
        d = dict(pairs)
        if len(d) != len(pairs):
            raise ValueError("duplicate keys")
        return d

    try:
        header = json.loads(raw.decode("utf-8"), object_pairs_hook=no_duplicates)
    except (UnicodeDecodeError, ValueError) as e:
        raise SerializationError(f"{bad}: its header is not valid JSON ({e})") from None
    fh.seek(start)
    return header, n, size - 8 - n


def _load_safetensors(fh: Any, name: str, relocate: Callable) -> Any:
    header, n, data_size = _read_header(fh, name)
    meta = header.pop("__metadata__", None) or {}
    end = 0
    for key, spec in header.items():
        try:
            dtype = _ST_DTYPES[spec["dtype"]]
            shape = spec["shape"]
            b, e = spec["data_offsets"]
            ok = all(type(s) is int and s >= 0 for s in shape) and 0 <= b <= e
        except (KeyError, TypeError, ValueError):
            dtype, ok = None, False
        if dtype is None and isinstance(spec, dict) and spec.get("dtype") not in _ST_DTYPES:
            raise SerializationError(f"ember.load: {name}: tensor {key!r} has dtype "
                                     f"{spec.get('dtype')!r}, which ember does not have")
        if not ok or e - b != int(np.prod(shape)) * dtype.itemsize:
            raise SerializationError(f"ember.load: {name} is corrupted: bad header entry for "
                                     f"tensor {key!r}: {spec!r}")
        end = max(end, e)
    if end > data_size:
        raise SerializationError(f"ember.load: {name} is truncated: its tensors need {end} "
                                 f"bytes of data, the file has {data_size}")
    try:
        arrays = st_np.load(fh.read(8 + n + end))     # one object of a stream of several
    except safetensors.SafetensorError as e:
        raise SerializationError(f"ember.load: {name} is corrupted: {e}") from None
    if "ember.format" not in meta:                # a plain safetensors file: flat dict
        return {k: relocate(_make(arrays[k]), "cpu") for k in header}
    if meta["ember.format"] != _FORMAT:
        raise SerializationError(f"ember.load: {name} has ember format {meta['ember.format']!r};"
                                 f" this ember reads format {_FORMAT!r} (a newer ember wrote it?)")
    try:
        tree = json.loads(meta["ember.tree"])
        return _Decoder(arrays, relocate).node(tree)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as e:
        raise SerializationError(f"ember.load: {name} is corrupted: its ember.tree metadata is "
                                 f"invalid ({type(e).__name__}: {e})") from None


class _Decoder:
    def __init__(self, arrays: dict, relocate: Callable) -> None:
        self.arrays, self.relocate = arrays, relocate
        self.objects: dict[int, Any] = {}
        self.versions: dict[str, list] = {}

    def node(self, n: Any) -> Any:
        if not isinstance(n, (dict, list)):
            return n                               # None, bool, int, float, str
        (tag, v), *rest = n.items()
        if tag == "d":
            d = collections.OrderedDict() if rest else {}
            for k, x in v:
                d[self.node(k)] = self.node(x)
            return d
        if tag == "l":
            return [self.node(x) for x in v]
        if tag == "t":
            return tuple(self.node(x) for x in v)
        if tag == "S":
            return Size(self.node(x) for x in v)
        if tag == "T":
            return self.tensor(n)
        if tag == "n":
            dt = np.dtype(v[0])
            if dt not in _NP_DTYPES:
                raise ValueError(f"unknown dtype {v[0]!r}")
            return dt.type(v[1])
        if tag == "dt":
            return _DTYPES_BY_NAME[v]
        if tag == "dev":
            return _backend.device(v)
        raise ValueError(f"unknown node {tag!r}")

    def tensor(self, n: dict) -> Any:
        obj = self.objects.get(n["o"])
        if obj is not None:
            return obj
        name = n["T"]
        arr = self.arrays[name]
        kind = n.get("k")
        if kind == "A":
            obj = arr
        else:
            t = _make(arr, vc=self.versions.setdefault(name, [0]))
            if kind == "P":
                t = Parameter(t, requires_grad=bool(n.get("g")))
            elif n.get("g"):
                t.requires_grad_(True)
            obj = self.relocate(t, "cpu")
        self.objects[n["o"]] = obj
        return obj


# ------------------------------------------------------------------------------------ torch
class _Marker:
    """An allow-listed torch global. Instances are inert: the unpickler can call them (REDUCE)
    but cannot change them (BUILD) or instantiate them as classes (NEWOBJ)."""

    __slots__ = ("name", "fn", "value")

    def __init__(self, name: str, fn: Callable | None = None, value: Any = None) -> None:
        self.name, self.fn, self.value = name, fn, value

    def __call__(self, *args: Any) -> Any:
        if self.fn is None:
            raise TypeError(f"{self.name} cannot be called here")
        return self.fn(*args)

    def __setstate__(self, state: Any) -> None:
        raise TypeError(f"refusing to set state on {self.name}")

    def __reduce__(self) -> Any:
        raise TypeError(f"{self.name} cannot be pickled")


class _Storage:
    """A torch storage: a 1-D array, filled in once its bytes are read."""

    __slots__ = ("dtype", "key", "location", "numel", "array", "root", "offset")

    def __setstate__(self, state: Any) -> None:
        raise TypeError("refusing to set state on a storage")

    def data(self) -> np.ndarray:
        if self.root is not None:                  # a legacy view into another storage
            return self.root.data()[self.offset:self.offset + self.numel]
        if self.array is None:
            raise ValueError(f"storage {self.key!r} has no data")
        return self.array


class _LazyTensor:
    """What the unpickler builds for a tensor; turned into an ember Tensor after unpickling."""

    __slots__ = ("storage", "offset", "size", "stride", "requires_grad", "param")

    def __init__(self, storage: Any, offset: Any, size: Any, stride: Any,
                 requires_grad: Any = False) -> None:
        if not isinstance(storage, _Storage):
            raise TypeError(f"a tensor's storage must be a storage, got {type(storage).__name__}")
        self.storage, self.offset, self.size, self.stride = storage, offset, size, stride
        self.requires_grad, self.param = bool(requires_grad), False

    def __setstate__(self, state: Any) -> None:
        raise TypeError("refusing to set state on a tensor")


def _rebuild_tensor(storage: Any, offset: Any, size: Any, stride: Any, *_: Any) -> _LazyTensor:
    return _LazyTensor(storage, offset, size, stride)


def _rebuild_tensor_v2(storage: Any, offset: Any, size: Any, stride: Any, requires_grad: Any,
                       hooks: Any = None, metadata: Any = None) -> _LazyTensor:
    if metadata:                                   # conj / neg bits
        raise TypeError(f"tensor metadata {metadata!r} (conjugate/negative views) is not "
                        "supported")
    return _LazyTensor(storage, offset, size, stride, requires_grad)


def _rebuild_tensor_v3(storage: Any, offset: Any, size: Any, stride: Any, requires_grad: Any,
                       hooks: Any, dtype: Any, metadata: Any = None) -> _LazyTensor:
    if not (isinstance(dtype, _Marker) and isinstance(dtype.value, np.dtype)):
        raise TypeError(f"expected a dtype, got {dtype!r}")
    if storage.dtype != dtype.value:
        raise TypeError(f"storage of {storage.dtype} read as {dtype.value}")
    return _rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks, metadata)


def _rebuild_parameter(data: Any, requires_grad: Any, hooks: Any = None,
                       state: Any = None) -> _LazyTensor:
    if not isinstance(data, _LazyTensor):
        raise TypeError(f"a Parameter's data must be a tensor, got {type(data).__name__}")
    p = _LazyTensor(data.storage, data.offset, data.size, data.stride, requires_grad)
    p.param = True
    return p


def _rebuild_from_type_v2(func: Any, new_type: Any, args: Any, state: Any) -> _LazyTensor:
    t = func(*args)
    if not isinstance(t, _LazyTensor) or new_type not in (_TENSOR, _PARAMETER):
        raise TypeError(f"cannot rebuild a tensor of type {getattr(new_type, 'name', new_type)}")
    if new_type is _PARAMETER:
        t = _rebuild_parameter(t, t.requires_grad)
    return t


def _bytes_from_latin1(s: Any, encoding: str = "latin1") -> bytes:
    if type(s) is not str or encoding not in ("latin1", "latin-1"):
        raise TypeError("_codecs.encode is allowed only for latin1 bytes")
    return s.encode("latin1")


_TENSOR = _Marker("torch.Tensor")
_PARAMETER = _Marker("torch.nn.parameter.Parameter")
_STORAGE_DTYPES = {"Double": np.float64, "Float": np.float32, "Half": np.float16,
                   "Long": np.int64, "Int": np.int32, "Short": np.int16, "Char": np.int8,
                   "Byte": np.uint8, "Bool": np.bool_}
_TORCH_DTYPES = {"float64": np.float64, "double": np.float64, "float32": np.float32,
                 "float": np.float32, "float16": np.float16, "half": np.float16,
                 "int64": np.int64, "long": np.int64, "int32": np.int32, "int": np.int32,
                 "int16": np.int16, "short": np.int16, "int8": np.int8, "uint8": np.uint8,
                 "bool": np.bool_}


def _allowed_globals() -> dict[tuple[str, str], Any]:
    g: dict[tuple[str, str], Any] = {
        ("collections", "OrderedDict"): _Marker("collections.OrderedDict",
                                                collections.OrderedDict),
        ("torch", "Size"): _Marker("torch.Size", Size),
        ("torch", "device"): _Marker("torch.device", _backend.device),
        ("torch", "Tensor"): _TENSOR,
        ("torch._tensor", "Tensor"): _TENSOR,
        ("torch.nn.parameter", "Parameter"): _PARAMETER,
        ("torch._tensor", "_rebuild_from_type_v2"): _Marker("_rebuild_from_type_v2",
                                                            _rebuild_from_type_v2),
        ("_codecs", "encode"): _Marker("_codecs.encode", _bytes_from_latin1),
    }
    for fn in (_rebuild_tensor, _rebuild_tensor_v2, _rebuild_tensor_v3, _rebuild_parameter):
        g["torch._utils", fn.__name__] = _Marker(f"torch._utils.{fn.__name__}", fn)
    g["torch._utils", "_rebuild_parameter_with_state"] = g["torch._utils", "_rebuild_parameter"]
    for mod in ("builtins", "__builtin__"):
        g[mod, "set"] = _Marker("set", set)
        g[mod, "frozenset"] = _Marker("frozenset", frozenset)
    for k, v in _STORAGE_DTYPES.items():
        g["torch", f"{k}Storage"] = _Marker(f"torch.{k}Storage", value=np.dtype(v))
    g["torch", "UntypedStorage"] = _Marker("torch.UntypedStorage", value=np.dtype(np.uint8))
    for k, v in _TORCH_DTYPES.items():
        g["torch", k] = _Marker(f"torch.{k}", value=np.dtype(v))
    return g


_ALLOWED = _allowed_globals()


class _TorchUnpickler(pickle.Unpickler):
    """pickle.Unpickler that resolves globals only from `_ALLOWED` and storages via `storages`."""

    def __init__(self, file: Any, name: str, storage: Callable[[tuple], _Storage]) -> None:
        super().__init__(file)
        self.name, self.storage = name, storage

    def find_class(self, module: str, name: str) -> Any:
        m = _ALLOWED.get((module, name))
        if m is None and module == "torch" and name.endswith("Storage"):
            raise SerializationError(f"ember.load: {self.name} holds a torch.{name}, and ember "
                                     "has no dtype for it (convert such tensors to float32 "
                                     "before saving)")
        if m is None:
            raise UnsafeLoadError(
                f"ember.load: {self.name} refers to the global '{module}.{name}', which is not "
                "on ember's allow-list (tensors, storages, dtypes, OrderedDict, plain "
                "containers); nothing from the file was executed. ember reads torch checkpoints "
                "weights-only, also with weights_only=False: save plain state_dicts instead")
        return m

    def persistent_load(self, pid: Any) -> _Storage:
        if not (isinstance(pid, tuple) and len(pid) in (5, 6) and pid[0] in ("storage",
                                                                              b"storage")):
            raise pickle.UnpicklingError(f"unsupported persistent id {pid!r:.200}")
        kind = pid[1]
        if not (isinstance(kind, _Marker) and isinstance(kind.value, np.dtype)
                and kind.name.endswith("Storage")):
            raise pickle.UnpicklingError(f"unsupported storage type {kind!r:.100} (ember has "
                                         "no such dtype, e.g. bfloat16 or complex)")
        return self.storage(pid)


def _new_storage(dtype: np.dtype, key: Any, location: Any, numel: Any) -> _Storage:
    if type(numel) is not int or numel < 0:
        raise pickle.UnpicklingError(f"bad storage size {numel!r}")
    s = _Storage()
    s.dtype, s.key, s.location, s.numel = dtype, str(key), str(location), numel
    s.array = s.root = s.offset = None
    return s


def _torch_error(name: str, e: BaseException) -> SerializationError:
    return SerializationError(f"ember.load: {name} is a truncated or corrupted torch checkpoint "
                              f"({type(e).__name__}: {e})")


def _load_torch_zip(fh: Any, name: str, relocate: Callable) -> Any:
    try:
        with zipfile.ZipFile(fh) as z:
            pkls = [n for n in z.namelist() if n.endswith("/data.pkl") and n.count("/") == 1]
            if not pkls:
                raise SerializationError(f"ember.load: {name} is a zip file but not a torch "
                                         "checkpoint (no <archive>/data.pkl)")
            prefix = pkls[0][:-len("data.pkl")]
            order = "little"
            if prefix + "byteorder" in z.namelist():
                order = z.read(prefix + "byteorder").decode("ascii", "replace").strip()
            if order not in ("little", "big"):
                raise SerializationError(f"ember.load: {name}: unknown byteorder {order!r}")
            storages: dict[str, _Storage] = {}

            def storage(pid: tuple) -> _Storage:
                _, kind, key, location, numel = pid
                s = storages.get(str(key))
                if s is None:
                    s = _new_storage(kind.value, key, location, numel)
                    dt = s.dtype.newbyteorder("<" if order == "little" else ">")
                    need = numel * dt.itemsize
                    info = z.getinfo(f"{prefix}data/{s.key}")
                    if info.file_size < need:
                        raise pickle.UnpicklingError(
                            f"storage {s.key} has {info.file_size} bytes, needs {need}")
                    raw = z.read(info)[:need]
                    s.array = np.frombuffer(raw, dt).astype(s.dtype, copy=False)
                    storages[s.key] = s
                return s

            with z.open(pkls[0]) as p:
                obj = _TorchUnpickler(io.BytesIO(p.read()), name, storage).load()
    except SerializationError:
        raise
    except (zipfile.BadZipFile, pickle.UnpicklingError, EOFError, KeyError, TypeError,
            ValueError, AttributeError, IndexError, OSError) as e:
        raise _torch_error(name, e) from None
    return _resolve(obj, name, relocate)


_LEGACY_MAGIC, _LEGACY_PROTOCOL = 0x1950A86A20F9469CFC6C, 1001


def _load_torch_legacy(fh: Any, name: str, relocate: Callable) -> Any:
    storages: dict[str, _Storage] = {}

    def storage(pid: tuple) -> _Storage:
        if len(pid) != 6:
            raise pickle.UnpicklingError(f"bad legacy storage id {pid!r:.200}")
        _, kind, key, location, numel, view = pid
        root = storages.get(str(key))
        if root is None:
            root = storages[str(key)] = _new_storage(kind.value, key, location, numel)
        if view is None:
            return root
        view_key, offset, size = view
        s = _new_storage(kind.value, view_key, location, size)
        s.root, s.offset = root, offset
        if type(offset) is not int or offset < 0 or offset + size > root.numel:
            raise pickle.UnpicklingError(f"bad storage view {view!r}")
        return s

    try:
        data = fh.read()
        f = io.BytesIO(data)
        if _TorchUnpickler(f, name, storage).load() != _LEGACY_MAGIC:
            raise SerializationError(f"ember.load: {name} is a pickle but not a torch "
                                     "checkpoint (wrong magic number)")
        if _TorchUnpickler(f, name, storage).load() != _LEGACY_PROTOCOL:
            raise SerializationError(f"ember.load: {name}: unsupported legacy torch protocol")
        info = _TorchUnpickler(f, name, storage).load()
        if isinstance(info, dict) and not info.get("little_endian", True):
            raise SerializationError(f"ember.load: {name} was written on a big-endian machine")
        obj = _TorchUnpickler(f, name, storage).load()
        keys = _TorchUnpickler(f, name, storage).load()
        for key in keys:
            s = storages[str(key)]
            (numel,) = struct.unpack("<q", f.read(8))
            need = numel * s.dtype.itemsize
            raw = f.read(need)
            if numel != s.numel or len(raw) != need:
                raise EOFError(f"storage {key} is truncated or has the wrong size")
            s.array = np.frombuffer(raw, s.dtype)
    except SerializationError:
        raise
    except (pickle.UnpicklingError, EOFError, KeyError, TypeError, ValueError, AttributeError,
            IndexError, struct.error) as e:
        raise _torch_error(name, e) from None
    return _resolve(obj, name, relocate)


def _resolve(obj: Any, name: str, relocate: Callable) -> Any:
    """Replace the unpickler's stand-ins by ember objects: _LazyTensor -> Tensor/Parameter,
    dtype markers -> ember dtypes; storage views identical in the file come back sharing."""
    done: dict[int, Any] = {}
    views: dict[tuple, tuple[np.ndarray, list]] = {}

    def tensor(lt: _LazyTensor) -> Tensor:
        s, off, size, stride = lt.storage, lt.offset, tuple(lt.size), tuple(lt.stride)
        key = (id(s.root or s), (s.offset or 0) + off, size, stride)
        hit = views.get(key)
        if hit is None:
            arr = s.data()
            if not (type(off) is int and off >= 0 and len(size) == len(stride)
                    and all(type(v) is int and v >= 0 for v in size + stride)):
                raise ValueError(f"bad tensor geometry offset={off} size={size} "
                                 f"stride={stride}")
            if 0 in size:
                out = np.empty(size, s.dtype)
            else:
                last = off + sum((n - 1) * st for n, st in zip(size, stride))
                if last >= arr.size:
                    raise ValueError(f"tensor (offset={off}, size={size}, stride={stride}) "
                                     f"reads past its storage of {arr.size} elements")
                view = np.lib.stride_tricks.as_strided(
                    arr[off:], size, tuple(st * arr.itemsize for st in stride), writeable=False)
                out = view.copy(order="K")
            hit = views[key] = (out, [0])
        t = _make(hit[0], vc=hit[1])
        if lt.param:
            t = Parameter(t, requires_grad=lt.requires_grad)
        elif lt.requires_grad:
            t.requires_grad_(True)
        return relocate(t, s.location)

    def walk(x: Any) -> Any:
        if id(x) in done:
            return done[id(x)]
        if isinstance(x, _LazyTensor):
            r = tensor(x)
        elif isinstance(x, _Marker):
            if not isinstance(x.value, np.dtype) or x.name.endswith("Storage"):
                raise ValueError(f"{x.name} cannot appear as a value")
            r = _backend.from_np(x.value)
        elif isinstance(x, _Storage):
            raise ValueError("a bare storage cannot be loaded (save tensors instead)")
        elif isinstance(x, dict):
            done[id(x)] = x
            for k in list(x):
                x[k] = walk(x[k])
            return x
        elif isinstance(x, list):
            done[id(x)] = x
            x[:] = [walk(v) for v in x]
            return x
        elif isinstance(x, tuple):
            r = type(x)(walk(v) for v in x) if type(x) in (tuple, Size) else x
        elif isinstance(x, (set, frozenset)):
            r = type(x)(walk(v) for v in x)
        else:
            r = x
        done[id(x)] = r
        return r

    try:
        return walk(obj)
    except (ValueError, TypeError) as e:
        raise _torch_error(name, e) from None
