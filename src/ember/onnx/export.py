"""`ember.onnx.export`: record one forward pass by tracing `Function.apply`, convert each
recorded op with its converter (converters.py), check and write the ONNX file.

The recording follows the example inputs: Python control flow (an `if` on a tensor's value, a
loop over its size) is frozen as it ran, as in torch's tracer, and tensors made inside forward
from nothing (`ember.arange(n)`, `ember.ones(...)`) become constants of the file.

Packed sequences (pack_padded_sequence -> RNN/LSTM/GRU -> pad_packed_sequence inside forward)
export without the packing: the packed data is the padded batch, time-major and unsorted, and
the lengths (an input, so dynamic) become each recurrent node's sequence_lens.
"""

from __future__ import annotations

import inspect
import os
import sys
from typing import Any

import numpy as np

from .._tensor import Tensor
from ..autograd import function as _function
from ..autograd.grad_mode import enable_grad
from . import converters
from ._graph import Builder, Call, Graph, OnnxExporterError, UnsupportedOperatorError

DEFAULT_OPSET = 20
MIN_OPSET = 17
_EXTERNAL_LIMIT = 1_800_000_000     # bytes of weights above which "auto" writes a side file
_COMPARE = ("eq", "ne", "lt", "le", "gt", "ge", "logical_and", "logical_or", "logical_xor",
            "logical_not")
# functions recorded as one op (their inner ops are not): (module, name, record-if predicate)
_COMPOSITES = (("ember.ops.nn_ops", "pad", lambda a: a["mode"] != "constant"),
               ("ember.ops.pool", "_avg_pool", None), ("ember.ops.pool", "_adaptive_avg", None),
               ("ember.ops.sampling", "interpolate", None),
               ("ember.ops.norm", "instance_norm", lambda a: a["use_input_stats"]),
               ("ember.nn.utils.rnn", "pack_padded_sequence", None),
               ("ember.nn.utils.rnn", "pad_packed_sequence", None))
_DUNDERS = {"__eq__": "eq", "__ne__": "ne", "__lt__": "lt", "__le__": "le", "__gt__": "gt",
            "__ge__": "ge"}


class ExportReport:
    """What export did: ops used, opset, parameter count, and the largest difference from
    ember's forward when `verify=True`."""

    def __init__(self, model: Any, ops: list, opset: int, params: int, where: Any) -> None:
        self.model, self.ops, self.opset, self.num_params, self.path = model, ops, opset, params, \
            where
        self.max_abs_diff = None

    def __repr__(self) -> str:
        diff = "" if self.max_abs_diff is None else f", max_abs_diff={self.max_abs_diff:.3g}"
        return (f"ExportReport(opset={self.opset}, nodes={len(self.model.graph.node)}, "
                f"ops={sorted(set(self.ops))}, params={self.num_params}{diff})")


class _Tracer:
    """Installed as `function._tracer`: runs each op and records it with the module it ran in."""

    def __init__(self) -> None:
        self.calls: list = []
        self.tensors: list = []     # output Tensors of each call (keeps ids alive)
        self.where = [""]

    def __call__(self, cls: Any, args: tuple, kwargs: dict) -> Any:
        _function._tracer = None
        try:
            out = cls.apply(*args, **kwargs)
        finally:
            _function._tracer = self
        self._add(cls, args, kwargs, out)
        return out

    def _add(self, op: Any, args: tuple, kwargs: dict, out: Any) -> None:
        outs = out if isinstance(out, tuple) else (out,)
        arrays = tuple(o._data if isinstance(o, Tensor) else np.asarray(o) for o in outs)
        self.calls.append(Call(op, args, kwargs, arrays, self.where[-1]))
        self.tensors.append(outs)

    def wrap(self, name: str, fn: Any) -> Any:
        """A comparison (which bypasses Function.apply) that records itself."""
        def traced(*args: Any, **kwargs: Any) -> Any:
            out = fn(*args, **kwargs)
            if isinstance(out, Tensor) and any(isinstance(a, Tensor) for a in args):
                self._add(name, args, kwargs, out)
            return out
        return traced

    def composite(self, name: str, fn: Any, when: Any) -> Any:
        """A function recorded as one op `name` with its arguments bound by name (in order,
        defaults filled), its inner ops unrecorded; `when(arguments)` can decline."""
        sig = inspect.signature(fn)

        def traced(*args: Any, **kwargs: Any) -> Any:
            if _function._tracer is not self:    # inside another composite
                return fn(*args, **kwargs)
            bound = sig.bind(*args, **kwargs)
            bound.apply_defaults()
            if when is not None and not when(bound.arguments):
                return fn(*args, **kwargs)
            _function._tracer = None
            try:
                out = fn(*args, **kwargs)
            finally:
                _function._tracer = self
            self._add(name, tuple(bound.arguments.values()), {}, out)
            return out
        return traced


def _patch(tracer: _Tracer) -> list:
    """Make the comparisons record themselves; returns what to restore."""
    import ember

    from ..ops import compare
    undo = []
    for name in _COMPARE:
        fn = getattr(compare, name)
        for owner in (compare, ember, Tensor):
            if owner.__dict__.get(name) is fn:
                undo.append((owner, name, fn))
                setattr(owner, name, tracer.wrap(name, fn))
    for dunder, name in _DUNDERS.items():
        fn = Tensor.__dict__.get(dunder)
        if fn is not None:
            undo.append((Tensor, dunder, fn))
            setattr(Tensor, dunder, tracer.wrap(name, fn))
    for modname, name, when in _COMPOSITES:
        fn = getattr(sys.modules[modname], name)
        wrapped = tracer.composite(name, fn, when)
        for mod in list(sys.modules.values()):   # every `from ... import name` of it
            if getattr(mod, "__name__", "").startswith("ember") and any(
                    v is fn for v in vars(mod).values()):
                for attr, v in list(vars(mod).items()):
                    if v is fn:
                        undo.append((mod, attr, fn))
                        setattr(mod, attr, wrapped)
    return undo


def _module_hooks(model: Any, tracer: _Tracer) -> list:
    handles = []
    for path, mod in model.named_modules():
        label = f"{path} ({type(mod).__name__})" if path else type(mod).__name__

        def pre(m: Any, a: Any, label: str = label) -> None:
            tracer.where.append(label)

        def post(m: Any, a: Any, o: Any) -> None:
            tracer.where.pop()
        handles.append(mod.register_forward_pre_hook(pre))
        handles.append(mod.register_forward_hook(post))
    return handles


def _flatten(out: Any) -> list:
    if isinstance(out, Tensor):
        return [out]
    if isinstance(out, (tuple, list)):
        return [t for o in out for t in _flatten(o)]
    if isinstance(out, dict):
        return [t for o in out.values() for t in _flatten(o)]
    raise OnnxExporterError(f"ember.onnx.export: the model returned a {type(out).__name__}; "
                            "expected Tensors (possibly in tuples, lists or dicts)")


def _record(model: Any, inputs: list, kwargs: dict) -> tuple:
    """Run model(*inputs) in eval mode with grad on (so no op takes a graph-less shortcut),
    recording every op; restores modes and requires_grad flags."""
    modes = [(m, m.training) for m in model.modules()]
    params = [(p, p.requires_grad) for p in model.parameters()]
    traced = [t.detach().requires_grad_() if t.dtype.is_floating_point else t for t in inputs]
    tracer = _Tracer()
    undo = _patch(tracer)
    handles = _module_hooks(model, tracer)
    try:
        model.eval()
        for p, _ in params:
            if p.dtype.is_floating_point:
                p.requires_grad_(True)
        with enable_grad():
            _function._tracer = tracer
            try:
                out = model(*traced, **kwargs)
            finally:
                _function._tracer = None
    finally:
        for owner, name, fn in undo:
            setattr(owner, name, fn)
        for h in handles:
            h.remove()
        for m, mode in modes:
            m.training = mode
        for p, flag in params:
            p.requires_grad_(flag)
    return tracer, traced, out


def _dynamic(dynamic_axes: Any, names: list, ranks: dict) -> dict:
    """torch's dynamic_axes forms -> {value name: {axis: dim name}}, checked."""
    if not dynamic_axes:
        return {}
    out = {}
    for name, axes in dynamic_axes.items():
        if name not in ranks:
            raise ValueError(f"ember.onnx.export: dynamic_axes names {name!r}, which is not an "
                             f"input or output; the model's inputs and outputs are {names}")
        if isinstance(axes, dict):
            spec = {int(a): str(n) for a, n in axes.items()}
        elif isinstance(axes, (list, tuple)):
            spec = {int(a): f"{name}_dim{int(a)}" for a in axes}
        else:
            raise TypeError(f"ember.onnx.export: dynamic_axes[{name!r}] must be a dict "
                            f"{{axis: name}} or a list of axes, got {type(axes).__name__}")
        rank = ranks[name]
        for a in list(spec):
            if not -rank <= a < rank:
                raise ValueError(f"ember.onnx.export: dynamic_axes[{name!r}] has axis {a}, but "
                                 f"{name!r} has {rank} dims")
            spec[a % rank] = spec.pop(a) if a < 0 else spec[a]
        out[name] = spec
    return out


def _value_info(name: str, arr: np.ndarray, dyn: dict | None, fixed: bool) -> Any:
    from onnx import helper
    dims = [(dyn or {}).get(i, d if fixed or dyn is not None else None)
            for i, d in enumerate(arr.shape)]
    return helper.make_tensor_value_info(name, converters.onnx_dtype(arr.dtype), dims)


def export(model: Any, args: Any, f: Any, export_params: bool = True, verbose: bool = False,
           input_names: Any = None, output_names: Any = None, dynamic_axes: Any = None,
           opset_version: int | None = None, keep_initializers_as_inputs: bool = False,
           external_data: Any = "auto", verify: bool = False, *,
           kwargs: dict | None = None) -> ExportReport:
    """Export `model` run on `args` to the ONNX file `f` (torch.onnx.export).

    args: a Tensor or a tuple of Tensors (a trailing dict holds keyword arguments, as in
    torch's legacy exporter). f: a path or a binary file object. The forward is recorded with
    eval semantics (Dropout as identity, BatchNorm with running statistics); the model's mode
    is restored afterwards. Parameters become initializers named by their state_dict names.
    dynamic_axes: {"x": {0: "batch"}, "y": [0]}. opset_version: 17 .. the newest the installed
    onnx supports (default 20). external_data: "auto" writes the weights to `<f>.data` next to
    the file when they pass 1.8 GB; True always, False never. verify: run the file in
    onnxruntime on `args` and raise if it differs from ember (rtol 1e-4, atol 1e-5).
    Returns an `ExportReport`.
    """
    import onnx
    from onnx import checker, helper, shape_inference

    newest = onnx.defs.onnx_opset_version()
    opset = DEFAULT_OPSET if opset_version is None else int(opset_version)
    if not MIN_OPSET <= opset <= newest:
        raise ValueError(f"ember.onnx.export: opset_version {opset} is not supported: ember "
                         f"exports opsets {MIN_OPSET}..{newest} (the newest the installed onnx "
                         f"{onnx.__version__} knows)")
    if isinstance(args, Tensor):
        args = (args,)
    args = tuple(args)
    kwargs = dict(kwargs or {})
    if args and isinstance(args[-1], dict):
        kwargs.update(args[-1])
        args = args[:-1]
    inputs = [a for a in args if isinstance(a, Tensor)]
    if len(inputs) != len(args):
        raise TypeError("ember.onnx.export: args must be Tensors (a trailing dict may hold "
                        f"keyword arguments), got {[type(a).__name__ for a in args]}")
    in_names = list(input_names or [])
    if len(in_names) > len(inputs):
        raise ValueError(f"ember.onnx.export: input_names has {len(in_names)} names "
                         f"{in_names}, but the model takes {len(inputs)} input(s)")
    in_names += [f"input_{i}" for i in range(len(in_names), len(inputs))]

    tracer, traced, out = _record(model, inputs, kwargs)
    outputs = _flatten(out)
    out_names = list(output_names or [])
    if len(out_names) > len(outputs):
        raise ValueError(f"ember.onnx.export: output_names has {len(out_names)} names "
                         f"{out_names}, but the model returns {len(outputs)} output(s)")
    out_names += [f"output_{i}" for i in range(len(out_names), len(outputs))]
    if len(set(in_names + out_names)) != len(in_names) + len(out_names):
        raise ValueError(f"ember.onnx.export: input and output names must be distinct, got "
                         f"inputs {in_names} and outputs {out_names}")
    ranks = {n: t.dim() for n, t in zip(in_names + out_names, inputs + outputs)}
    dyn = _dynamic(dynamic_axes, in_names + out_names, ranks)

    # every op must have a converter at this opset: list all that do not, before building
    missing = []
    for call in tracer.calls:
        fn, why = converters.lookup(call.op, opset)
        if fn is None:
            missing.append(f"{call.name} (in {call.where or type(model).__name__}): {why} at "
                           f"opset {opset}")
    if missing:
        raise UnsupportedOperatorError(
            "ember.onnx.export: cannot export these ops:\n  " + "\n  ".join(
                dict.fromkeys(missing)))

    g = Graph(opset)
    g.dyn_sizes = {traced[in_names.index(n)].shape[a] for n, axes in dyn.items()
                   if n in in_names for a in axes}
    for name, t in zip(in_names, traced):
        g.names[id(t)] = g.arrays[id(t._data)] = name
        g.dtypes[name] = t._data.dtype
    g.keep.extend(traced)
    params = {}
    for name, p in list(model.named_parameters()) + list(model.named_buffers()):
        params.setdefault(id(p), (name, p))
    g.params = params
    g.param_inputs = []
    if not export_params or keep_initializers_as_inputs:
        g.param_inputs = [None]     # marker: parameters are graph inputs too
    for call, outs in zip(tracer.calls, tracer.tensors):
        b = Builder(g, call)
        if g.packed and call.op not in converters.PACKED_OK and any(
                g.names.get(id(a)) in g.packed for a in call.args if isinstance(a, Tensor)):
            raise UnsupportedOperatorError(
                f"ember.onnx.export: cannot export {call.name} (in "
                f"{call.where or type(model).__name__}): it uses a packed sequence's data, "
                "which ember exports only into RNN/LSTM/GRU layers and pad_packed_sequence "
                "(the packed data is the padded batch in ONNX, with sequence_lens)")
        try:
            names = converters.REGISTRY[call.op][0](b)
        except NotImplementedError as exc:
            raise UnsupportedOperatorError(
                f"ember.onnx.export: cannot export {call.name} (in "
                f"{call.where or type(model).__name__}) at opset {opset}: {exc}") from None
        names = [names] if isinstance(names, str) else list(names)
        for t, n, a in zip(outs, names, call.outs):
            g.names[id(t)] = n
            if isinstance(t, Tensor):
                g.arrays[id(t._data)] = n
            g.dtypes[n] = a.dtype
    g.keep.append(tracer.tensors)

    result = []
    for i, t in enumerate(outputs):
        name = g.names.get(id(t))
        if name is None:
            raise OnnxExporterError(
                f"ember.onnx.export: output {i} ({out_names[i]}) was not computed by ember ops "
                "from the inputs (a constant, or made by code outside ember's ops); it cannot "
                "be recorded")
        if name in g.packed:
            raise OnnxExporterError(
                f"ember.onnx.export: output {i} ({out_names[i]}) is a packed sequence's data; "
                "return pad_packed_sequence(...) of it (ONNX has no packed layout)")
        result.append(name)
    model_proto = _build(g, in_names, traced, out_names, outputs, result, dyn, export_params,
                         keep_initializers_as_inputs, type(model).__name__)
    nbytes = sum(a.nbytes for a in g.inits.values())
    use_external = external_data is True or (external_data == "auto"
                                              and nbytes > _EXTERNAL_LIMIT)
    where = None
    if use_external:
        if not isinstance(f, (str, os.PathLike)):
            raise ValueError(f"ember.onnx.export: weights of {nbytes} bytes need external data, "
                             "which needs f to be a path, not a file object")
        where = os.fspath(f)
        _write_external(model_proto, where)
        checker.check_model(where, full_check=True)
    else:
        checker.check_model(model_proto, full_check=True)
        data = model_proto.SerializeToString()
        if isinstance(f, (str, os.PathLike)):
            where = os.fspath(f)
            with open(where, "wb") as fh:
                fh.write(data)
        else:
            f.write(data)
    shape_inference.infer_shapes(model_proto, check_type=True, strict_mode=True)
    report = ExportReport(model_proto, [n.op_type for n in model_proto.graph.node], opset,
                          sum(int(np.prod(a.shape)) for n, a in g.inits.items()
                              if n in {v[0] for v in params.values()}), where)
    if verify:
        report.max_abs_diff = _verify(model_proto if where is None else where, in_names,
                                      inputs, outputs, out_names)
    if verbose:
        print(helper.printable_graph(model_proto.graph) if not use_external else "")
        print(report)
    return report


def _build(g: Graph, in_names: list, inputs: list, out_names: list, outputs: list,
           result: list, dyn: dict, export_params: bool, keep_as_inputs: bool,
           graph_name: str) -> Any:
    from onnx import helper, numpy_helper
    nodes = list(g.nodes)
    # graph outputs: rename the producing node's output, or add an Identity
    produced = {o: i for i, n in enumerate(nodes) for o in n[2]}
    rename: dict = {}
    for value, name in zip(result, out_names):
        if value in produced and value not in rename:
            rename[value] = name
        else:
            nodes.append(("Identity", [rename.get(value, value)], [name], f"Identity_{name}",
                          {}))
    nodes = [(op, [rename.get(i, i) for i in ins], [rename.get(o, o) for o in outs], nm, at)
             for op, ins, outs, nm, at in nodes]
    # keep only what the outputs need (the recording also holds checks and side values)
    need = set(out_names)
    live = []
    for n in reversed(nodes):
        if any(o in need for o in n[2]):
            live.append(n)
            need.update(i for i in n[1] if i)
    live.reverse()
    param_names = {v[0] for v in g.params.values()}
    inits = [(n, a) for n, a in g.inits.items() if n in need]
    proto_nodes = [helper.make_node(op, ins, outs, name=nm, **at)
                   for op, ins, outs, nm, at in live]
    graph_inputs = [_value_info(n, t._data, dyn.get(n), True) for n, t in zip(in_names, inputs)]
    if not export_params or keep_as_inputs:
        graph_inputs += [_value_info(n, a, None, True) for n, a in inits if n in param_names]
    if not export_params:
        inits = [(n, a) for n, a in inits if n not in param_names]
    graph_outputs = [_value_info(n, t._data, dyn.get(n), not dyn) for n, t in
                     zip(out_names, outputs)]
    graph = helper.make_graph(proto_nodes, graph_name, graph_inputs, graph_outputs,
                              initializer=[numpy_helper.from_array(a, n) for n, a in inits])
    opset = helper.make_opsetid("", g.opset)
    from .. import __version__
    return helper.make_model(graph, opset_imports=[opset],
                             ir_version=helper.find_min_ir_version_for([opset]),
                             producer_name="ember", producer_version=str(__version__))


def _write_external(model: Any, path: str) -> None:
    """Move every initializer's bytes to `<path>.data` (a relative location next to the file)."""
    from onnx import TensorProto
    data_name = os.path.basename(path) + ".data"
    data_path = os.path.join(os.path.dirname(os.path.abspath(path)), data_name)
    offset = 0
    with open(data_path, "wb") as fh:
        for t in model.graph.initializer:
            raw = t.raw_data
            fh.write(raw)
            t.ClearField("raw_data")
            t.data_location = TensorProto.EXTERNAL
            for k, v in (("location", data_name), ("offset", str(offset)),
                         ("length", str(len(raw)))):
                e = t.external_data.add()
                e.key, e.value = k, v
            offset += len(raw)
    with open(path, "wb") as fh:
        fh.write(model.SerializeToString())


def _verify(model: Any, in_names: list, inputs: list, outputs: list, out_names: list) -> float:
    import onnxruntime as ort
    src = model if isinstance(model, str) else model.SerializeToString()
    sess = ort.InferenceSession(src, providers=["CPUExecutionProvider"])
    got = sess.run(out_names, {n: t.detach().numpy() for n, t in zip(in_names, inputs)})
    worst = 0.0
    for name, g, t in zip(out_names, got, outputs):
        want = t.detach().numpy()
        if g.shape != want.shape:
            raise OnnxExporterError(f"ember.onnx.export(verify=True): output {name} has shape "
                                    f"{list(g.shape)} in onnxruntime, {list(want.shape)} in ember")
        if want.size:
            diff = np.abs(g.astype(np.float64) - want.astype(np.float64))
            worst = max(worst, float(np.nanmax(diff)))
            if not np.allclose(g, want, rtol=1e-4, atol=1e-5, equal_nan=True):
                raise OnnxExporterError(
                    f"ember.onnx.export(verify=True): output {name} differs from ember's by up "
                    f"to {float(np.nanmax(diff)):.3g} (rtol 1e-4, atol 1e-5)")
    return worst
