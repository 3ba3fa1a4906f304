"""The slow path of `Module.__call__`: forward pre-hooks, forward hooks and full backward
hooks (only taken when a hook is registered)."""

from __future__ import annotations

from typing import Any

from ..._tensor import Tensor
from ...autograd.function import Function
from .. import module as _module


class _BackwardHookFn(Function):
    """Identity on the module's inputs or outputs that lets backward hooks see their grads."""

    _raw = True
    _name = "BackwardHookFunctionBackward"

    @staticmethod
    def forward(ctx: Any, *xs: Any) -> Any:
        return xs if len(xs) > 1 else xs[0]

    @staticmethod
    def backward(ctx: Any, *grads: Any) -> Any:
        return ctx.hook(grads)


def _tensors(x: Any) -> list:
    return [t for t in (x if isinstance(x, tuple) else (x,)) if isinstance(t, Tensor)]


def call_with_hooks(m: Any, args: tuple, kwargs: dict) -> Any:
    for key, hook in list(_module._global_forward_pre_hooks.items()) + list(
            m._forward_pre_hooks.items()):
        if m._forward_pre_hooks_with_kwargs.get(key):
            r = hook(m, args, kwargs)
            if r is not None:
                args, kwargs = r
        else:
            r = hook(m, args)
            if r is not None:
                args = r if isinstance(r, tuple) else (r,)
    bw = m._backward_hooks or m._backward_pre_hooks
    state: dict = {}
    if bw:
        args = _wrap_inputs(m, args, state)
    out = m.forward(*args, **kwargs)
    for key, hook in list(_module._global_forward_hooks.items()) + list(
            m._forward_hooks.items()):
        if m._forward_hooks_with_kwargs.get(key):
            r = hook(m, args, kwargs, out)
        else:
            r = hook(m, args, out)
        if r is not None:
            out = r
    if bw:
        out = _wrap_outputs(m, out, state)
    return out


def _wrap_inputs(m: Any, args: tuple, state: dict) -> tuple:
    idx = [i for i, a in enumerate(args) if isinstance(a, Tensor) and a.requires_grad]
    if not idx:
        return args
    state["has_inputs"] = True

    def hook(grads: tuple) -> tuple:
        grad_in = tuple(_t(g) for g in grads)
        for h in m._backward_hooks.values():
            r = h(m, grad_in, state.get("grad_out", ()))
            if r is not None:
                grad_in = tuple(r)
        return tuple(None if g is None else g._data if isinstance(g, Tensor) else g
                     for g in grad_in)
    wrapped = _apply_hook(hook, [args[i] for i in idx])
    args = list(args)
    for i, w in zip(idx, wrapped):
        args[i] = w
    return tuple(args)


def _wrap_outputs(m: Any, out: Any, state: dict) -> Any:
    outs = out if isinstance(out, tuple) else (out,)
    idx = [i for i, o in enumerate(outs) if isinstance(o, Tensor) and o.requires_grad]
    if not idx:
        return out

    def hook(grads: tuple) -> tuple:
        grad_out = tuple(_t(g) for g in grads)
        for h in m._backward_pre_hooks.values():
            r = h(m, grad_out)
            if r is not None:
                grad_out = tuple(r)
        state["grad_out"] = grad_out
        if not state.get("has_inputs"):
            for h in m._backward_hooks.values():
                h(m, (), grad_out)
        return tuple(None if g is None else g._data if isinstance(g, Tensor) else g
                     for g in grad_out)
    wrapped = _apply_hook(hook, [outs[i] for i in idx])
    outs = list(outs)
    for i, w in zip(idx, wrapped):
        outs[i] = w
    return tuple(outs) if isinstance(out, tuple) else outs[0]


def _t(g: Any) -> Any:
    from ..._tensor import _make
    return None if g is None or isinstance(g, Tensor) else _make(g)


def _apply_hook(hook: Any, tensors: list) -> list:
    res = _BackwardHookFn.apply(*tensors)
    res = res if isinstance(res, tuple) else (res,)
    node = res[0].grad_fn
    if node is not None:
        node.hook = hook
    return list(res)
