"""The slow path of `Module.__call__` (taken only when a hook is registered): forward pre-hooks,
forward hooks (with_kwargs, always_call) and full backward (pre-)hooks, as torch's `_call_impl`
and `torch.utils.hooks.BackwardHook`."""

from __future__ import annotations

import warnings
from typing import Any

from ..._tensor import Tensor
from ...autograd.function import Function
from ...autograd.grad_mode import state as _grad_state
from .. import module as _m


class _BackwardHookFn(Function):
    """Identity on the module's input or output tensors; its node carries the hooks."""

    _raw = True
    _name = "BackwardHookFunctionBackward"

    @staticmethod
    def forward(ctx: Any, *xs: Any) -> Any:
        ctx.mark_non_differentiable(*[x for x, n in zip(xs, ctx.needs_input_grad) if not n])
        return xs if len(xs) > 1 else xs[0]

    @staticmethod
    def backward(ctx: Any, *grads: Any) -> Any:
        return grads


class _BackwardHook:
    """Wraps a module's inputs and outputs so that `grad_output` (pre-hooks) and then
    `grad_input` (full backward hooks) reach the user's hooks once per backward."""

    def __init__(self, module: Any, hooks: list, pre_hooks: list) -> None:
        self.module = module
        self.hooks = hooks
        self.pre_hooks = pre_hooks
        self.grad_outputs: tuple | None = None
        self.n_inputs = self.n_outputs = -1
        self.input_idx: list | None = None
        self.output_idx: list | None = None

    @staticmethod
    def _pack(idx: list, values: Any, size: int) -> tuple:
        res = [None] * size
        for i, v in zip(idx, values):
            res[i] = v
        return tuple(res)

    @staticmethod
    def _wrap(args: tuple, register: Any) -> tuple[tuple, list | None]:
        idx = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        if not (_grad_state.enabled and any(args[i]._requires_grad for i in idx)):
            return args, None
        new = _BackwardHookFn.apply(*[args[i] for i in idx])
        new = new if isinstance(new, tuple) else (new,)
        register(next(t.grad_fn for t in new if t.grad_fn is not None))
        out = list(args)
        for i, t in zip(idx, new):
            out[i] = t
        return tuple(out), idx

    def setup_input_hook(self, args: tuple) -> tuple:
        def post_hook(_: tuple, node_grads: tuple) -> Any:
            if self.grad_outputs is None:   # grad reached the inputs without the outputs
                return None
            # the node is an identity: its (materialized) incoming grads are torch's grad_input,
            # zeros included for inputs that need no grad
            res = self._pack(self.input_idx, node_grads, self.n_inputs)
            for hook in self.hooks:
                out = hook(self.module, res, self.grad_outputs)
                if out is None:
                    continue
                if len(out) != len(res):
                    raise RuntimeError(
                        f"Backward hook of {type(self.module).__name__} returned an invalid "
                        f"number of grad_input, got {len(out)}, but expected {len(res)}")
                res = out
            self.grad_outputs = None
            return tuple(res[i] for i in self.input_idx)

        res, self.input_idx = self._wrap(args, lambda node: node.register_hook(post_hook))
        self.n_inputs = len(args)
        return res

    def setup_output_hook(self, result: Any) -> Any:
        def pre_hook(grad_outputs: tuple) -> Any:
            self.grad_outputs = self._pack(self.output_idx, grad_outputs, self.n_outputs)
            for hook in self.pre_hooks:
                out = hook(self.module, self.grad_outputs)
                if out is None:
                    continue
                if len(out) != len(self.grad_outputs):
                    raise RuntimeError(
                        f"Backward pre hook of {type(self.module).__name__} returned an invalid "
                        f"number of grad_output, got {len(out)}, but expected "
                        f"{len(self.grad_outputs)}")
                self.grad_outputs = tuple(out)
            local = self.grad_outputs
            if self.input_idx is None:   # no input needs grad: call the hooks now
                if self.hooks:
                    warnings.warn(
                        "Full backward hook is firing when gradients are computed with respect "
                        f"to module outputs since no inputs of {type(self.module).__name__} "
                        "require gradients (grad_input is all None).", stacklevel=2)
                grad_inputs = (None,) * self.n_inputs
                for hook in self.hooks:
                    r = hook(self.module, grad_inputs, self.grad_outputs)
                    if r is not None and not (isinstance(r, tuple)
                                              and all(e is None for e in r)):
                        raise RuntimeError(
                            "Backward hook for Modules where no input requires gradient should "
                            "always return None or None for all gradients.")
                self.grad_outputs = None
            return tuple(local[i] for i in self.output_idx)

        single = not isinstance(result, tuple)
        outs = (result,) if single else result
        res, self.output_idx = self._wrap(outs, lambda node: node.register_prehook(pre_hook))
        self.n_outputs = len(outs)
        return res[0] if single else res


def call_with_hooks(m: Any, args: tuple, kwargs: dict) -> Any:
    """Module.__call__ with hooks, in torch's order: global then module forward pre-hooks,
    backward-hook wrapping of inputs, forward, global then module forward hooks, wrapping of
    outputs; `always_call` forward hooks also run when forward raises."""
    result = None
    called: set = set()
    try:
        bw_hooks = [*_m._global_backward_hooks.values(), *m._backward_hooks.values()]
        bw_pre = [*_m._global_backward_pre_hooks.values(), *m._backward_pre_hooks.values()]
        for key, hook in (*_m._global_forward_pre_hooks.items(),
                          *m._forward_pre_hooks.items()):
            if key in m._forward_pre_hooks_with_kwargs:
                r = hook(m, args, kwargs)
                if r is not None:
                    if not (isinstance(r, tuple) and len(r) == 2):
                        raise RuntimeError(
                            "forward pre-hook must return None or a tuple of (new_args, "
                            f"new_kwargs), but got {r}.")
                    args, kwargs = r
            else:
                r = hook(m, args)
                if r is not None:
                    args = r if isinstance(r, tuple) else (r,)
        bw = None
        if bw_hooks or bw_pre:
            bw = _BackwardHook(m, bw_hooks, bw_pre)
            args = bw.setup_input_hook(args)
        result = m.forward(*args, **kwargs)
        for key, hook in (*_m._global_forward_hooks.items(), *m._forward_hooks.items()):
            if key in m._forward_hooks_always_called or \
                    key in _m._global_forward_hooks_always_called:
                called.add(key)
            if key in m._forward_hooks_with_kwargs or \
                    key in _m._global_forward_hooks_with_kwargs:
                r = hook(m, args, kwargs, result)
            else:
                r = hook(m, args, result)
            if r is not None:
                result = r
        if bw is not None:
            if not isinstance(result, (Tensor, tuple)):
                warnings.warn("For backward hooks to be called, module output should be a "
                              f"Tensor or a tuple of Tensors but received {type(result)}",
                              stacklevel=3)
            result = bw.setup_output_hook(result)
        return result
    except Exception:
        for key, hook in (*_m._global_forward_hooks.items(), *m._forward_hooks.items()):
            if key in called or not (key in m._forward_hooks_always_called
                                     or key in _m._global_forward_hooks_always_called):
                continue
            try:
                if key in m._forward_hooks_with_kwargs:
                    r = hook(m, args, kwargs, result)
                else:
                    r = hook(m, args, result)
                if r is not None:
                    result = r
            except Exception as e:
                warnings.warn("module forward hook with ``always_call=True`` raised an "
                              "exception that was silenced as another error was raised in "
                              f"forward: {e}", stacklevel=3)
        raise
