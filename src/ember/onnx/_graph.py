"""The graph under construction: nodes, initializers and names, plus the per-op `Builder` that
converters use. Pure Python: nothing here imports `onnx` (protos are made in export.py)."""

from __future__ import annotations

from typing import Any

import numpy as np

INT64_MAX = np.iinfo(np.int64).max


class OnnxExporterError(RuntimeError):
    """ember.onnx.export could not export the model (torch.onnx.OnnxExporterError)."""


class UnsupportedOperatorError(OnnxExporterError):
    """An op ran during the recording that has no ONNX converter at the requested opset."""


class Call:
    """One recorded op: the Function class (or a pseudo-op name), its arguments and outputs,
    and the module it ran in ("encoder.2 (Softplus)")."""

    __slots__ = ("op", "args", "kwargs", "outs", "where")

    def __init__(self, op: Any, args: tuple, kwargs: dict, outs: tuple, where: str) -> None:
        self.op, self.args, self.kwargs, self.outs, self.where = op, args, kwargs, outs, where

    @property
    def name(self) -> str:
        return self.op if isinstance(self.op, str) else self.op.__name__


class Graph:
    """Nodes as plain tuples (op_type, inputs, outputs, name, attrs), initializers as arrays,
    and the map from recorded Tensors to value names."""

    def __init__(self, opset: int) -> None:
        self.opset = opset
        self.nodes: list = []
        self.inits: dict = {}          # name -> array, in insertion order
        self.names: dict = {}          # id(Tensor) -> value name
        self.arrays: dict = {}         # id(Tensor._data) -> value name (ops given arrays)
        self.dtypes: dict = {}         # value name -> numpy dtype
        self.keep: list = []           # keeps recorded Tensors alive (ids stay unique)
        self.params: dict = {}         # id(Parameter or buffer) -> (state_dict name, Tensor)
        self._consts: dict = {}        # (dtype, shape, bytes) -> initializer name
        self.dyn_sizes: set = set()    # example sizes of the inputs' dynamic axes
        # packed sequences: the ONNX value of packed data is the padded (T, B, *) tensor in the
        # caller's batch order; name -> (sequence_lens int32, lengths int64, example T)
        self.packed: dict = {}
        self.perms: set = set()        # ids of sort/unsort index arrays: identities in ONNX
        self._n = 0

    def fresh(self, hint: str = "v") -> str:
        self._n += 1
        return f"{hint}_{self._n}"

    def add_init(self, name: str, arr: np.ndarray) -> str:
        self.inits[name] = arr
        self.dtypes[name] = arr.dtype
        return name

    def const(self, value: Any, dtype: Any) -> str:
        """An initializer holding `value` as `dtype` (deduplicated by value: constants only)."""
        arr = np.ascontiguousarray(np.asarray(value, dtype=dtype))
        key = (arr.dtype.str, arr.shape, arr.tobytes())
        name = self._consts.get(key)
        if name is None:
            name = self._consts[key] = self.add_init(self.fresh("const"), arr)
        return name

    def node(self, op: str, inputs: list, n_out: int = 1, dtypes: Any = None,
             **attrs: Any) -> Any:
        outs = [self.fresh(op.lower()) for _ in range(n_out)]
        self.nodes.append((op, list(inputs), outs, f"{op}_{len(self.nodes)}", attrs))
        if dtypes is not None:
            for o, d in zip(outs, dtypes if isinstance(dtypes, (list, tuple)) else [dtypes]):
                self.dtypes[o] = np.dtype(d)
        return outs[0] if n_out == 1 else outs


class Builder:
    """What a converter sees for one recorded call: its arguments as ONNX value names
    (`x(i)`), the recorded outputs (`out`, `outs`), the opset, and `op(...)` to emit nodes."""

    def __init__(self, graph: Graph, call: Call) -> None:
        self.g, self.call, self.opset = graph, call, graph.opset
        self.args, self.kwargs = call.args, call.kwargs

    @property
    def out(self) -> np.ndarray:
        return self.call.outs[0]

    def op(self, op_type: str, inputs: list, n_out: int = 1, dtype: Any = None,
           **attrs: Any) -> Any:
        return self.g.node(op_type, inputs, n_out, dtype if dtype is not None
                           else self.out.dtype, **attrs)

    def dtype(self, i: int) -> np.dtype:
        a = self.args[i]
        name = self.g.names.get(id(a))
        return self.g.dtypes[name] if name is not None else np.asarray(
            a._data if hasattr(a, "_data") else a).dtype

    def x(self, i: int, dtype: Any = None) -> str:
        """Argument i as a value name: a recorded Tensor, or a constant made from a number,
        an array or an unrecorded Tensor; cast to `dtype` when given and different."""
        return self.value(self.args[i], dtype)

    def value(self, a: Any, dtype: Any = None) -> str:
        g = self.g
        name = g.names.get(id(a))
        if name is None and type(a) is np.ndarray:   # a recorded Tensor's array, unwrapped
            name = g.arrays.get(id(a))
        if name is None and id(a) in g.params:     # a parameter or buffer: its state_dict name
            name = g.names[id(a)] = g.add_init(g.params[id(a)][0], a._data)
        if name is None:
            arr = a._data if hasattr(a, "_data") else a
            return g.const(arr, dtype if dtype is not None else np.asarray(arr).dtype)
        if dtype is not None and g.dtypes[name] != np.dtype(dtype):
            return self.cast(name, dtype)
        return name

    def cast(self, name: str, dtype: Any) -> str:
        from .converters import onnx_dtype
        return self.g.node("Cast", [name], dtypes=dtype, to=onnx_dtype(dtype))

    def ints(self, values: Any) -> str:
        return self.g.const(np.asarray(list(values), dtype=np.int64), np.int64)

    def scalar(self, value: Any, dtype: Any = None) -> str:
        return self.g.const(value, dtype if dtype is not None else self.out.dtype)
