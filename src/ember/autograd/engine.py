"""The backward engine: an iterative walk of the graph from the roots (no recursion limit).

Each node runs once, after every consumer of its outputs has contributed; contributions are
summed in a per-node buffer. A gradient whose shape or dtype differs from its input's is reduced
here (`sum_to`), so ops never do broadcasting bookkeeping themselves.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import _tensor
from .function import Function
from .grad_mode import state

ndarray = np.ndarray
_PKG = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def sum_to(g: Any, shape: tuple) -> Any:
    """Sum a broadcast gradient (array or Tensor) back down to `shape`."""
    lead = g.ndim - len(shape)
    if lead < 0 or any(s != 1 and s != gs for s, gs in zip(shape, g.shape[lead:])):
        raise RuntimeError(
            f"autograd: a gradient of shape {tuple(g.shape)} cannot be reduced to its input's "
            f"shape {tuple(shape)} (an op's backward returned a wrong shape)")
    axes = tuple(range(lead)) + tuple(
        i + lead for i, s in enumerate(shape) if s == 1 and g.shape[i + lead] != 1)
    if type(g) is ndarray:
        if axes:
            g = g.sum(axis=axes, keepdims=True)
        return g.reshape(shape) if lead else g
    if axes:
        g = g.sum(dim=axes, keepdim=True)
    return g.reshape(shape) if lead else g


def _cast(g: Any, dtype: np.dtype) -> Any:
    if type(g) is ndarray:
        return g.astype(dtype)
    return g.to(_tensor.from_np(dtype))


def _anomaly_check(node: Function, grads: Sequence) -> None:
    for i, g in enumerate(grads):
        if g is None:
            continue
        arr = g._data if isinstance(g, _tensor.Tensor) else g
        if arr.dtype.kind == "f" and np.isnan(arr).any():
            where = ""
            trace = node.__dict__.get("_trace")
            if trace:
                user = [f for f in trace if not f.filename.startswith(_PKG)] or trace
                f = user[-1]
                where = (f" The op was created at {f.filename}:{f.lineno}, in {f.name}:"
                         f"\n    {f.line}")
            raise RuntimeError(
                f"Function '{node.name()}' returned nan values in its {i}th output.{where}")


def _as_tensor(g: Any) -> Any:
    return g if g is None or isinstance(g, _tensor.Tensor) else _tensor._make(g)


def run_backward(tensors: Sequence, grad_tensors: Sequence, retain_graph: bool,
                 create_graph: bool, inputs: Sequence | None = None,
                 allow_unused: bool = False, accumulate: bool = True,
                 api: str = "backward") -> list | None:
    """Backpropagate from `tensors`. With `accumulate`, leaves (or only `inputs`) get `.grad`;
    otherwise the gradients of `inputs` are returned (autograd.grad)."""
    Tensor = _tensor.Tensor
    buffers: dict = {}
    deps: dict = {}
    shared: set = set()
    roots = []
    for i, (t, g) in enumerate(zip(tensors, grad_tensors)):
        if not isinstance(t, Tensor):
            raise TypeError(f"{api}: expected Tensors to differentiate, got {type(t).__name__}")
        if not t._requires_grad:
            raise RuntimeError(
                f"element {i} of tensors does not require grad and does not have a grad_fn "
                f"({api} needs a tensor computed from tensors with requires_grad=True)")
        if g is None:
            if t._data.size != 1:
                raise RuntimeError(
                    f"grad can be implicitly created only for scalar outputs: {api} was called "
                    f"on a tensor of shape {tuple(t.shape)}; pass gradient= (a tensor of that "
                    "shape) or reduce it first, e.g. loss.sum() or loss.mean()")
            g = np.ones_like(t._data)
        else:
            ga = g._data if isinstance(g, Tensor) else np.asarray(g)
            if ga.shape != t._data.shape:
                raise RuntimeError(
                    f"Mismatch in shape: grad_output[{i}] has a shape of "
                    f"{_tensor.Size(ga.shape)} and output[{i}] has a shape of "
                    f"{_tensor.Size(t._data.shape)}.")
            if not create_graph:
                g = ga
                shared.add(id(g))
        if create_graph:
            g = _as_tensor(g)
        node = t.grad_fn if t.grad_fn is not None else t
        roots.append((node, t._output_nr, g))

    # Discover the graph and count, for every node, the edges that lead into it.
    stack = []
    for node, _, _ in roots:
        if node not in deps:
            deps[node] = 0
            stack.append(node)
    order: list = []
    track = order.append if inputs is not None else None   # `order` only serves `inputs`
    while stack:
        node = stack.pop()
        if track is not None:
            track(node)
        if isinstance(node, Tensor):
            continue
        for e in node._next:
            if e is not None:
                nxt = e[0]
                if nxt in deps:
                    deps[nxt] += 1
                else:
                    deps[nxt] = 1
                    stack.append(nxt)

    capture = None
    needed = None
    if inputs is not None:
        capture = {}
        for x in inputs:
            if not isinstance(x, Tensor):
                raise TypeError(f"{api}: inputs must be Tensors, got {type(x).__name__}")
            if not x._requires_grad:
                raise RuntimeError(
                    f"{api}: one of the differentiated Tensors does not require grad")
            capture[x.grad_fn if x.grad_fn is not None else x] = x
        needed = _needed(order, capture, Tensor)

    for node, nr, g in roots:
        _add(buffers, node, nr, g)

    results: dict = {}
    fast = not create_graph and not state.anomaly   # built-ins take _call_raw
    prev_enabled = state.enabled
    state.enabled = create_graph
    try:
        ready = []
        for n, _, _ in roots:
            if deps[n] == 0 and n not in ready:
                ready.append(n)
        while ready:
            node = ready.pop()
            buf = buffers.pop(node, None)
            if isinstance(node, Tensor):
                if buf is not None and buf[0] is not None:
                    _leaf(node, buf[0], create_graph, shared, capture, results, accumulate)
                continue
            if buf is None:
                meta = node._out_meta
                buf = [None] * (1 if meta is None else len(meta))
            if node._hooked:
                buf = _pre_hooks(node, buf, create_graph, shared)
            if capture is not None and node in capture:
                x = capture[node]
                results[id(x)] = buf[x._output_nr]
            grads = None
            if needed is None or node in needed:
                for b in buf:
                    if b is not None:
                        if fast and node._raw and node._out_meta is None and not node._hooked:
                            # the common case, inlined: a built-in with one output, first order
                            grads = type(node).backward(node, buf[0])
                            if type(grads) is not tuple:
                                grads = (grads,)
                            if len(grads) != len(node._next):
                                grads = _check_count(node, grads, len(node._next))
                            if not retain_graph and node._saved:
                                node._saved = None
                        else:
                            grads = _call(node, buf, create_graph, retain_graph)
                        break
            i = 0
            for e in node._next:
                if e is not None:
                    target = e[0]
                    if grads is not None:
                        g = grads[i]
                        if g is not None and (needed is None or target in needed
                                              or target in capture):
                            if fast and type(g) is not ndarray:
                                g = _to_array(g, e)
                            if g.shape != e[2]:
                                g = sum_to(g, e[2])
                            if g.dtype is not e[3] and g.dtype != e[3]:
                                g = _cast(g, e[3])
                            tb = buffers.get(target)
                            if tb is None:
                                meta = target._out_meta
                                if meta is None:
                                    buffers[target] = [g]
                                else:
                                    tb = buffers[target] = [None] * len(meta)
                                    tb[e[1]] = g
                            else:
                                old = tb[e[1]]
                                tb[e[1]] = g if old is None else old + g
                    n = deps[target] - 1
                    deps[target] = n
                    if n == 0:
                        ready.append(target)
                i += 1
    finally:
        state.enabled = prev_enabled

    if capture is None or accumulate:
        return None
    out = []
    for x in inputs:
        g = results.get(id(x))
        if g is None and not allow_unused:
            raise RuntimeError(
                "One of the differentiated Tensors appears to not have been used in the graph. "
                "Set allow_unused=True if this is the desired behavior.")
        if g is not None and not isinstance(g, Tensor):
            g = _tensor._make(_owned(g, shared))
        out.append(g)
    return out


def _needed(order: list, capture: dict, Tensor: type) -> set:
    """Nodes with a path to a captured input: only those run (autograd.grad, inputs=)."""
    needed: set = set()
    for node in reversed(order):   # `order` is a DFS pre-order, so children come later
        if node in capture:
            needed.add(node)
        if isinstance(node, Tensor):
            continue
        if any(e is not None and e[0] in needed for e in node._next):
            needed.add(node)
    # A node may be discovered before its child finished (shared subgraphs): iterate to fixpoint.
    changed = True
    while changed:
        changed = False
        for node in order:
            if node in needed or isinstance(node, Tensor):
                continue
            if any(e is not None and e[0] in needed for e in node._next):
                needed.add(node)
                changed = True
    return needed


def _add(buffers: dict, node: Any, nr: int, g: Any) -> None:
    buf = buffers.get(node)
    if buf is None:
        meta = node._out_meta
        buf = buffers[node] = [None] * (1 if meta is None else len(meta))
    old = buf[nr]
    buf[nr] = g if old is None else old + g


def _owned(g: Any, shared: set) -> Any:
    """A gradient array safe to hand to a user (as `.grad` or a result): a view or an array
    already handed out in this pass (or the caller's own gradient) is copied, otherwise it is
    recorded as handed out. Ops may return one array for several inputs, or pass theirs on
    unchanged; this check at the hand-out points is what keeps two `.grad`s from aliasing."""
    if type(g) is ndarray:
        if g.base is not None or id(g) in shared:
            return g.copy()
        shared.add(id(g))
    return g


def _leaf(t: Any, g: Any, create_graph: bool, shared: set, capture: dict | None,
          results: dict, accumulate: bool) -> None:
    hooks = t._hooks
    if hooks:
        for hook in list(hooks):
            if type(hook) is _tensor.PostAccumulateGradHook:
                continue
            r = hook(_as_tensor(g))
            if r is not None:
                g = r if create_graph else r._data
    if capture is not None:
        if t not in capture:
            return
        if not accumulate:
            results[id(t)] = g
            return
    if not accumulate:
        return
    old = t._grad
    if type(g) is ndarray:
        if old is None:
            t._grad = _tensor._make(_owned(g, shared))
        elif old._requires_grad or old._data.shape != g.shape:
            t._grad = old + _tensor._make(g)
        else:
            old._data += g
    else:
        t._grad = g if old is None else old + g
    if hooks:
        for hook in list(hooks):
            if type(hook) is _tensor.PostAccumulateGradHook:
                hook(t)


def _pre_hooks(node: Function, buf: list, create_graph: bool, shared: set) -> list:
    """Hooks and retain_grad() of the non-leaf tensors this node produced, then node prehooks."""
    d = node.__dict__
    tensor_hooks = d.get("_tensor_hooks")
    if tensor_hooks:
        for nr, hooks in tensor_hooks.items():
            g = buf[nr]
            if g is None:
                continue
            for hook in list(hooks):
                r = hook(_as_tensor(g))
                if r is not None:
                    g = r if create_graph else r._data
            buf[nr] = g
    retain = d.get("_retain")
    if retain:
        for nr, ref in retain.items():
            t = ref()
            g = buf[nr]
            if t is not None and g is not None:
                gt = g if isinstance(g, _tensor.Tensor) else _tensor._make(_owned(g, shared))
                t._grad = gt if t._grad is None else t._grad + gt
    pre = d.get("_node_pre_hooks")
    if pre:
        for hook in pre:
            r = hook(tuple(_as_tensor(g) for g in buf))
            if r is not None:
                buf = [x if create_graph or x is None else x._data for x in r]
    return buf


def _to_array(g: Any, edge: tuple | None) -> Any:
    if isinstance(g, _tensor.Tensor):
        return g._data
    return np.asarray(g, dtype=None if edge is None else edge[3])


def _check_count(node: Function, grads: tuple, n_in: int) -> tuple:
    if len(grads) < n_in or any(g is not None for g in grads[n_in:]):
        raise RuntimeError(
            f"function {node.name()} returned an incorrect number of gradients (expected "
            f"{n_in}, got {len(grads)})")
    return grads[:n_in]


def _call(node: Function, buf: list, create_graph: bool, retain_graph: bool) -> Any:
    """Run one node's backward and return one gradient (or None) per forward input."""
    meta = node._out_meta
    if meta is not None and node._materialize:
        for i, b in enumerate(buf):
            if b is None and meta[i] is not None:
                z = np.zeros(meta[i][0], meta[i][1].np)
                buf[i] = _tensor._make(z) if create_graph else z
    if node._raw:
        if create_graph:
            node._as_tensors = True
            try:
                grads = type(node).backward(node, *buf)
            finally:
                node._as_tensors = False
        else:
            grads = type(node).backward(node, *buf)
    else:
        grads = type(node).backward(node, *(_as_tensor(b) for b in buf))
    if type(grads) is not tuple:
        grads = (grads,)
    nxt = node._next
    n_in = len(nxt)
    if len(grads) != n_in:
        grads = _check_count(node, grads, n_in)
    out = list(grads)
    for i in range(n_in):
        g = out[i]
        if g is None:
            continue
        if nxt[i] is None:
            out[i] = None
            continue
        if type(g) is ndarray:
            if create_graph:
                out[i] = _tensor._make(g)
        elif isinstance(g, _tensor.Tensor):
            if not create_graph:
                out[i] = g._data
        else:
            out[i] = (_tensor._make(np.asarray(g, dtype=nxt[i][3])) if create_graph
                      else np.asarray(g, dtype=nxt[i][3]))
    if node._hooked:
        post = node.__dict__.get("_post_hooks")
        if post:
            for hook in post:
                r = hook(tuple(_as_tensor(g) for g in out), tuple(_as_tensor(b) for b in buf))
                if r is not None:
                    out = [x if create_graph or x is None else x._data for x in r]
    if state.anomaly and state.anomaly_check_nan:
        _anomaly_check(node, out)
    if not retain_graph and node._saved:
        node._saved = None
    return out
