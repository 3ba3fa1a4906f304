"""`Function`: the one mechanism by which every differentiable operation records itself.

A Function instance is both the `ctx` its forward/backward see and the graph node (`grad_fn`)
the engine walks. Built-in ops set `_raw = True`: their forward and backward work on arrays
(that is where the speed comes from); user Functions get and return Tensors, as in torch.
Under `create_graph=True` a built-in's backward receives Tensors instead of arrays and runs the
same NumPy-written formula, which NumPy dispatches back to ember ops (`Tensor.__array_ufunc__`),
so the second derivative is recorded without a second copy of each formula.
"""

from __future__ import annotations

import traceback
from typing import Any

import numpy as np

from .. import _tensor
from .grad_mode import no_grad, state

ndarray = np.ndarray
_DIFF_KINDS = "fc"
# Set by ember.onnx while it records a forward pass: `apply` then hands every call to
# `_tracer(cls, args, kwargs)`, which runs the op (with _tracer unset) and records it.
# When None (always, outside an export) it costs apply one global read.
_tracer = None


class Function:
    """Base class of differentiable operations, as `torch.autograd.Function`.

    Subclass it with static `forward(ctx, *args)` and `backward(ctx, *grads)` (or `forward(*args)`
    plus `setup_context(ctx, inputs, output)`), and call `MyFunction.apply(*args)`.
    """

    _raw = False          # built-ins: forward/backward on arrays
    _name = None          # the grad_fn name torch prints, e.g. "MulBackward0"
    _materialize = True   # None grads for outputs become zeros before backward
    # Defaults read on the hot path (set per instance only when they differ):
    _to_save = ()         # what forward passed to save_for_backward, until _record resolves it
    _saved = ()           # resolved saved entries; None once freed by backward
    _out_meta = None      # (shape, dtype) per output, for nodes with several outputs
    _as_tensors = False   # saved_tensors gives Tensors (create_graph) rather than arrays
    _hooked = False       # some hook or retain_grad is registered on this node

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls._raw:   # built-ins get the unrolled one- and two-operand applies
            apply1, apply2 = _fast_applies(cls)
            cls._apply1 = staticmethod(apply1)
            cls._apply2 = staticmethod(apply2)

    # ------------------------------------------------------------------ what ops call
    def save_for_backward(self, *tensors: Any) -> None:
        self._to_save = tensors

    def mark_non_differentiable(self, *outputs: Any) -> None:
        self._non_diff = {id(o) for o in outputs}

    def mark_dirty(self, *tensors: Any) -> None:
        self._dirty = {id(t) for t in tensors}

    def set_materialize_grads(self, value: bool) -> None:
        self._materialize = bool(value)

    @property
    def saved_tensors(self) -> tuple:
        """What forward saved: arrays for a built-in's first-order backward, Tensors otherwise.
        Raises if the graph was freed or a saved tensor was modified in place since."""
        saved = self._saved
        if saved is None:
            raise RuntimeError(
                "Trying to backward through the graph a second time (or directly access saved "
                "tensors after they have already been freed). Saved intermediate values of the "
                f"graph are freed when you call .backward() or autograd.grad(). "
                f"{self.name()} needed them. Specify retain_graph=True if you need to backward "
                "through the graph a second time or if you need to access saved tensors after "
                "calling backward.")
        as_tensors = not self._raw or self._as_tensors
        out = []
        for value, tensor, vc, version, out_nr in saved:
            if vc is not None and vc[0] != version:
                self._raise_modified(value, tensor, vc[0], version, out_nr)
            if not as_tensors or value is None:
                out.append(value)
            elif tensor is not None:
                out.append(tensor)
            elif out_nr >= 0:   # an output of this node: rebuild it with its history
                out.append(_tensor._make(value, True, self, out_nr))
            else:
                out.append(value)
        return tuple(out)

    # saved_variables is torch's old name
    saved_variables = saved_tensors

    def _raise_modified(self, value: Any, tensor: Any, now: int, version: int, out_nr: int) -> None:
        arr = value._data if isinstance(value, _tensor.Tensor) else value
        kind = f"output {out_nr} of {self.name()}" if out_nr >= 0 else (
            f"output {tensor._output_nr} of {tensor.grad_fn.name()}"
            if tensor is not None and tensor.grad_fn is not None else "a leaf tensor")
        raise RuntimeError(
            "one of the variables needed for gradient computation has been modified by an "
            f"inplace operation: [{_tensor.type_name(arr)} {list(arr.shape)}], which is {kind}, "
            f"is at version {now}; expected version {version} instead. It was saved by "
            f"{self.name()}; compute that op on a clone, or do the in-place change after "
            "backward.")

    # ------------------------------------------------------------------ graph node API
    def name(self) -> str:
        return self._name or type(self).__name__ + "Backward"

    @property
    def next_functions(self) -> tuple:
        return tuple((None, 0) if e is None else
                     (AccumulateGrad(e[0]) if isinstance(e[0], _tensor.Tensor) else e[0], e[1])
                     for e in self._next)

    def register_hook(self, hook: Any) -> Any:
        """hook(grad_inputs, grad_outputs) runs after this node's backward; it may return
        replacement grad_inputs."""
        hooks = self.__dict__.setdefault("_post_hooks", [])
        hooks.append(hook)
        self._hooked = True
        return _tensor.RemovableHandle(hooks, hook)

    def register_prehook(self, hook: Any) -> Any:
        """hook(grad_outputs) runs before this node's backward; it may return replacements."""
        hooks = self.__dict__.setdefault("_node_pre_hooks", [])
        hooks.append(hook)
        self._hooked = True
        return _tensor.RemovableHandle(hooks, hook)

    def __repr__(self) -> str:
        return f"<{self.name()} object at {id(self):#x}>"

    # ------------------------------------------------------------------ the user API
    @staticmethod
    def forward(ctx: Any, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(
            "You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def backward(ctx: Any, *grad_outputs: Any) -> Any:
        raise NotImplementedError(
            "You must implement either the backward or vjp method for your custom "
            "autograd.Function to use it with backward mode AD.")

    vjp = backward

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple, output: Any) -> None:
        raise NotImplementedError

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        """Run forward and, when grad mode is on and an input requires grad, record the node."""
        if _tracer is not None:
            return _tracer(cls, args, kwargs)
        Tensor = _tensor.Tensor
        ctx = object.__new__(cls)
        if cls._raw:
            if not state.enabled:
                vals = [a._data if isinstance(a, Tensor) else a for a in args]
                ctx.needs_input_grad = _NO_GRAD[len(args)] if len(args) < 8 else \
                    (False,) * len(args)
                return _wrap_plain(cls.forward(ctx, *vals, **kwargs))
            # One pass builds the arrays, needs_input_grad and the graph edges.
            vals = []
            needs = []
            nxt = []
            record = False
            for a in args:
                if isinstance(a, Tensor):
                    d = a._data
                    vals.append(d)
                    if a._requires_grad:
                        record = True
                        needs.append(True)
                        fn = a.grad_fn
                        nxt.append((a if fn is None else fn, a._output_nr, d.shape, d.dtype))
                        continue
                else:
                    vals.append(a)
                needs.append(False)
                nxt.append(None)
            ctx.needs_input_grad = tuple(needs)
            out = cls.forward(ctx, *vals, **kwargs)
            if not record:
                return _wrap_plain(out)
            ctx._next = tuple(nxt)
            if type(out) is ndarray and not state.anomaly and "_non_diff" not in ctx.__dict__:
                # the common case: one float array out
                if out.dtype.kind in _DIFF_KINDS:
                    res = _tensor._make(out, True, ctx)
                    to_save = ctx.__dict__.pop("_to_save", None)
                    if to_save:
                        ctx._saved = _resolve_saved(ctx, to_save, args, vals, (out,), (res,))
                    return res
            return _record(ctx, args, vals, out, Tensor)

        grad_on = state.enabled
        needs = []
        record = False
        for a in args:
            r = grad_on and isinstance(a, Tensor) and a._requires_grad
            record |= r
            needs.append(r)
        ctx.needs_input_grad = tuple(needs)
        ctx._dirty = ()
        with no_grad():
            if cls.setup_context is not Function.setup_context:
                out = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, out)
            else:
                out = cls.forward(ctx, *args, **kwargs)
        if record:
            return _record(ctx, args, args, out, Tensor)
        if type(out) is not tuple:
            return _plain_output(out, args)
        return tuple(_plain_output(o, args) for o in out)


_new = object.__new__
_NO_GRAD = tuple((False,) * n for n in range(8))
_TRUE1 = (True,)


def _saved_entries(to_save: tuple, x: Any, a: Any, y: Any, b: Any, out: ndarray,
                   res: Any) -> tuple:
    """`_resolve_saved` for a one-output op of operands x, y (arrays a, b; x is a when x is
    not a Tensor)."""
    entries = []
    for s in to_save:
        if s is None:
            entries.append(_UNSAVED)
        elif s is a and x is not a:
            entries.append((s, x, x._vc, x._vc[0], -1))
        elif s is b and y is not b:
            entries.append((s, y, y._vc, y._vc[0], -1))
        elif s is out:
            entries.append((s, None, res._vc, 0, 0))
        else:
            entries.append((s, None, None, 0, -1))
    return tuple(entries)


def _fast_applies(cls: type) -> tuple:
    """`cls.apply` for one operand and for two, without keywords, with the per-call
    bookkeeping unrolled: ops on small tensors are dominated by it, and the operators and most
    elementwise functions take this path. Same results as `apply`, which they fall back to for
    anything unusual (tracing, anomaly mode, several or non-float outputs)."""
    forward = cls.forward
    apply = cls.apply
    Tensor = _tensor.Tensor
    _make = _tensor._make

    def apply1(x: Any) -> Any:
        if _tracer is not None or state.anomaly or not isinstance(x, Tensor):
            return apply(x)
        ctx = _new(cls)
        a = x._data
        if not (x._requires_grad and state.enabled):
            ctx.needs_input_grad = _NO_GRAD[1]
            out = forward(ctx, a)
            return _make(out) if type(out) is ndarray else _wrap_plain(out)
        ctx.needs_input_grad = _TRUE1
        out = forward(ctx, a)
        d = ctx.__dict__
        fn = x.grad_fn
        ctx._next = ((x if fn is None else fn, x._output_nr, a.shape, a.dtype),)
        if type(out) is not ndarray or out.dtype.kind not in _DIFF_KINDS or "_non_diff" in d:
            return _record(ctx, (x,), (a,), out, Tensor)
        res = _new(Tensor)   # _tensor._make(out, True, ctx), inlined
        res._data = out
        res._requires_grad = True
        res._grad = res._base = res._hooks = None
        res.grad_fn = ctx
        res._output_nr = 0
        res._vc = [0]
        to_save = d.pop("_to_save", None)
        if to_save:
            ctx._saved = _saved_entries(to_save, x, a, None, None, out, res)
        return res

    def apply2(x: Any, y: Any) -> Any:
        if _tracer is not None or state.anomaly:
            return apply(x, y)
        ctx = _new(cls)
        if isinstance(x, Tensor):
            a = x._data
            ra = x._requires_grad
        else:
            a = x
            ra = False
        if isinstance(y, Tensor):
            b = y._data
            rb = y._requires_grad
        else:
            b = y
            rb = False
        if not ((ra or rb) and state.enabled):
            ctx.needs_input_grad = _NO_GRAD[2]
            out = forward(ctx, a, b)
            return _make(out) if type(out) is ndarray else _wrap_plain(out)
        ctx.needs_input_grad = (ra, rb)
        out = forward(ctx, a, b)
        d = ctx.__dict__
        if ra:
            fn = x.grad_fn
            ea = (x if fn is None else fn, x._output_nr, a.shape, a.dtype)
        else:
            ea = None
        if rb:
            fn = y.grad_fn
            eb = (y if fn is None else fn, y._output_nr, b.shape, b.dtype)
        else:
            eb = None
        ctx._next = (ea, eb)
        if type(out) is not ndarray or out.dtype.kind not in _DIFF_KINDS or "_non_diff" in d:
            return _record(ctx, (x, y), (a, b), out, Tensor)
        res = _new(Tensor)   # _tensor._make(out, True, ctx), inlined
        res._data = out
        res._requires_grad = True
        res._grad = res._base = res._hooks = None
        res.grad_fn = ctx
        res._output_nr = 0
        res._vc = [0]
        to_save = d.pop("_to_save", None)
        if to_save:
            ctx._saved = _saved_entries(to_save, x, a, y, b, out, res)
        return res

    return apply1, apply2


def _wrap_plain(out: Any) -> Any:
    """A raw op's outputs as Tensors that record nothing."""
    if type(out) is ndarray:
        return _tensor._make(out)
    if type(out) is not tuple:
        return _tensor._make(np.asarray(out))
    return tuple(_tensor._make(o if type(o) is ndarray else np.asarray(o)) for o in out)


def _edge(a: Any) -> tuple:
    """The graph edge to tensor `a`: (its grad_fn or the leaf itself, output index, shape,
    dtype)."""
    fn = a.grad_fn
    d = a._data
    return (a if fn is None else fn, a._output_nr, d.shape, d.dtype)


def _plain_output(o: Any, args: tuple) -> Any:
    """A user Function's output when nothing is recorded: an input returned as-is becomes a
    new Tensor sharing its data (torch returns a view)."""
    if isinstance(o, _tensor.Tensor) and any(o is a for a in args):
        return _tensor._make(o._data, False, None, 0, o._vc)
    return o


def _record(ctx: Function, args: tuple, vals: Any, out: Any, Tensor: type) -> Any:
    """Wire the node into the graph: its edges (built by apply for raw ops), the saved values
    and the outputs."""
    if not ctx._raw:
        ctx._next = tuple(_edge(a) if n else None for a, n in zip(args, ctx.needs_input_grad))
    d = ctx.__dict__
    if state.anomaly:
        ctx._trace = traceback.extract_stack()[:-3]
    to_save = d.pop("_to_save", None)
    if ctx._raw and type(out) is not tuple:   # the common case: one array out
        o = out if type(out) is ndarray else np.asarray(out)
        nd = d.get("_non_diff")
        if o.dtype.kind in _DIFF_KINDS and (nd is None or id(out) not in nd):
            res = _tensor._make(o, True, ctx, 0)
        else:
            res = _tensor._make(o)
        if to_save:
            ctx._saved = _resolve_saved(ctx, to_save, args, vals, (out,), (res,))
        return res
    single = type(out) is not tuple
    outs = (out,) if single else out
    non_diff = d.get("_non_diff", ())
    raw = ctx._raw
    res = []
    for nr, o in enumerate(outs):
        if raw:
            if type(o) is not ndarray:
                o = np.asarray(o)
            diff = o.dtype.kind in _DIFF_KINDS and id(outs[nr]) not in non_diff
            res.append(_tensor._make(o, diff, ctx if diff else None, nr))
        elif isinstance(o, Tensor):
            diff = o._data.dtype.kind in _DIFF_KINDS and id(o) not in non_diff
            if id(o) in ctx._dirty:     # modified in place: it keeps its identity
                if o.grad_fn is None and o._requires_grad:
                    raise RuntimeError(
                        f"a leaf Variable that requires grad has been used in an in-place "
                        f"operation ({type(ctx).__name__} marked it dirty); apply it to a "
                        "clone() of the leaf")
                o._vc[0] += 1
            elif any(o is a for a in args):
                o = _tensor._make(o._data, False, None, 0, o._vc)
            if diff:
                o.grad_fn, o._output_nr, o._requires_grad = ctx, nr, True
            res.append(o)
        else:
            res.append(o)
    if len(outs) > 1:
        ctx._out_meta = tuple((o.shape, o.dtype) if isinstance(o, Tensor) else None for o in res)
    if to_save:
        ctx._saved = _resolve_saved(ctx, to_save, args, vals, outs, res)
    return res[0] if single else tuple(res)


_UNSAVED = (None, None, None, 0, -1)


def _resolve_saved(ctx: Function, to_save: tuple, args: tuple, vals: Any, outs: tuple,
                   res: Any) -> tuple:
    """Turn what forward saved into entries (value, input tensor, version counter, version,
    output index) so backward can check versions and, under create_graph, rebuild Tensors."""
    Tensor = _tensor.Tensor
    if not ctx._raw:
        for i, s in enumerate(to_save):
            if s is not None and not isinstance(s, Tensor):
                raise TypeError(
                    f"save_for_backward can only save tensors, but argument {i} is of type "
                    f"{type(s).__name__}")
        return tuple(_UNSAVED if s is None else (s, s, s._vc, s._vc[0], -1) for s in to_save)
    entries = []
    n = len(vals)
    for k, s in enumerate(to_save):
        if s is None:
            entries.append(_UNSAVED)
            continue
        # Ops mostly save their inputs in order: try the same position first.
        i = k if k < n and vals[k] is s else -1
        if i < 0:
            for j in range(n):
                if vals[j] is s:
                    i = j
                    break
        a = args[i] if i >= 0 else None
        if isinstance(a, Tensor):
            vc = a._vc
            entries.append((s, a, vc, vc[0], -1))
            continue
        for nr in range(len(outs)):
            if outs[nr] is s:
                t = res[nr]
                entries.append((t._data, None, t._vc, 0, nr))
                break
        else:
            entries.append((s, None, None, 0, -1))
    return tuple(entries)

class AccumulateGrad:
    """The node torch shows for a leaf in `next_functions`; `variable` is the leaf."""

    __slots__ = ("variable",)

    def __init__(self, variable: Any) -> None:
        self.variable = variable

    def name(self) -> str:
        return "AccumulateGrad"

    next_functions = ()

    def __repr__(self) -> str:
        return f"<AccumulateGrad object at {id(self):#x}>"


class _DelayedError(Function):
    """Wraps a once_differentiable backward's outputs under create_graph: differentiating
    them again raises (torch's `Error` node)."""

    _name = "Error"

    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        return x

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        raise RuntimeError(
            "trying to differentiate twice a function that was marked with "
            "@once_differentiable")


def once_differentiable(fn: Any) -> Any:
    """Decorate a custom backward that cannot itself be differentiated: it runs without grad
    recording; under create_graph its results raise if differentiated again."""
    import functools

    @functools.wraps(fn)
    def wrapper(ctx: Any, *grads: Any) -> Any:
        with no_grad():
            out = fn(ctx, *grads)
        if not state.enabled or not any(isinstance(g, _tensor.Tensor) and g._requires_grad
                                        for g in grads):
            return out
        single = not isinstance(out, tuple)
        # a detached alias that requires grad, so the Error node is recorded (as torch does)
        res = tuple(_DelayedError.apply(_tensor._make(o._data, True))
                    if isinstance(o, _tensor.Tensor) and o._data.dtype.kind in _DIFF_KINDS
                    else o
                    for o in ((out,) if single else out))
        return res[0] if single else res
    return wrapper
