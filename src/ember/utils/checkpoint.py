"""Activation checkpointing: keep only a block's inputs and recompute it during backward
(torch.utils.checkpoint)."""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Callable, Iterable
from typing import Any

from .._tensor import Tensor
from ..autograd import backward as _backward
from ..autograd.function import Function
from ..autograd.grad_mode import enable_grad
from ..ops.creation import empty, get_rng_state, set_rng_state

__all__ = ["checkpoint", "checkpoint_sequential", "CheckpointError", "noop_context_fn"]


class CheckpointError(RuntimeError):
    """Raised when the recomputed forward differs from the original (torch's CheckpointError)."""


def noop_context_fn() -> tuple:
    """The default `context_fn`: two null contexts (torch.utils.checkpoint.noop_context_fn)."""
    return contextlib.nullcontext(), contextlib.nullcontext()


def _meta(out: Any) -> list:
    outs = out if isinstance(out, tuple) else (out,)
    return [(tuple(o.shape), o.dtype) if isinstance(o, Tensor) else None for o in outs]


class _CheckpointFunction(Function):
    """Runs `run_fn` without recording; its backward recomputes it with grad enabled and
    backpropagates through the recomputation (torch's CheckpointFunction)."""

    _name = "CheckpointFunctionBackward"

    @staticmethod
    def forward(ctx: Any, run_fn: Callable, preserve: bool, recompute_ctx: Callable | None,
                check: bool, *args: Any) -> Any:
        ctx.run_fn = run_fn
        ctx.preserve = preserve
        ctx.recompute_ctx = recompute_ctx
        ctx.check = check
        ctx.rng_state = get_rng_state() if preserve else None
        ctx.tensor_idx = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        ctx.plain = [None if isinstance(a, Tensor) else a for a in args]
        ctx.save_for_backward(*(args[i] for i in ctx.tensor_idx))
        out = run_fn(*args)
        ctx.out_meta = _meta(out)
        return out

    @staticmethod
    def backward(ctx: Any, *grads: Any) -> Any:
        args = list(ctx.plain)
        for i, t in zip(ctx.tensor_idx, ctx.saved_tensors):
            args[i] = t.detach().requires_grad_(t.requires_grad)
        current = get_rng_state() if ctx.preserve else None
        if ctx.preserve:
            set_rng_state(ctx.rng_state)
        try:
            recompute = ctx.recompute_ctx() if ctx.recompute_ctx is not None else \
                contextlib.nullcontext()
            with enable_grad(), recompute:
                out = ctx.run_fn(*args)
        finally:
            if ctx.preserve:
                set_rng_state(current)
        if ctx.check and _meta(out) != ctx.out_meta:
            raise CheckpointError(
                "torch.utils.checkpoint: Recomputed values have different metadata than during "
                f"the forward pass: {ctx.out_meta} in forward, {_meta(out)} when recomputed")
        outs = out if isinstance(out, tuple) else (out,)
        pairs = [(o, g) for o, g in zip(outs, grads)
                 if isinstance(o, Tensor) and o.requires_grad and g is not None]
        if pairs:
            _backward([o for o, _ in pairs], [g for _, g in pairs])
        elif ctx.recompute_ctx is None:   # reentrant: torch refuses a pointless checkpoint
            raise RuntimeError(
                "none of output has requires_grad=True, this checkpoint() is not necessary")
        return (None, None, None, None) + tuple(
            a.grad if isinstance(a, Tensor) else None for a in args)


def checkpoint(function: Callable, *args: Any, use_reentrant: bool | None = None,
               context_fn: Callable = noop_context_fn, determinism_check: str = "default",
               debug: bool = False, early_stop: bool = True, **kwargs: Any) -> Any:
    """Run `function(*args)` keeping only its inputs; backward recomputes it
    (torch.utils.checkpoint.checkpoint)."""
    if use_reentrant is None:
        warnings.warn(
            "torch.utils.checkpoint: the use_reentrant parameter should be passed explicitly. "
            "Starting in PyTorch 2.9, calling checkpoint without use_reentrant will raise an "
            "exception. use_reentrant=False is recommended, but if you need to preserve the "
            "current default behavior, you can pass use_reentrant=True. Refer to docs for more "
            "details on the differences between the two variants.", stacklevel=2)
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs and use_reentrant:
        raise ValueError("Unexpected keyword arguments: " + ",".join(arg for arg in kwargs))
    if determinism_check not in ("default", "none"):
        raise ValueError(
            f"determinism_check should be one of ['default', 'none'], but got "
            f"{determinism_check}")
    if use_reentrant:
        if context_fn is not noop_context_fn or debug is not False:
            raise ValueError(
                "Passing `context_fn` or `debug` is only supported when use_reentrant=False.")
        if not any(isinstance(a, Tensor) and a.requires_grad for a in args):
            warnings.warn(
                "None of the inputs have requires_grad=True. Gradients will be None",
                stacklevel=2)
        return _CheckpointFunction.apply(function, preserve, None, False, *args)
    # Non-reentrant: keyword arguments go through a closure, the contexts of context_fn wrap
    # the forward and the recomputation, and a dummy leaf makes the node record even when no
    # input requires grad (the block's parameters still get their gradients).
    forward_ctx, _ = context_fn()

    def run(*a: Any) -> Any:
        return function(*a[1:], **kwargs)

    def recompute_ctx() -> Any:
        return context_fn()[1]

    with forward_ctx:
        return _CheckpointFunction.apply(run, preserve, recompute_ctx,
                                         determinism_check == "default",
                                         empty(0, requires_grad=True), *args)


def checkpoint_sequential(functions: Any, segments: int, input: Any,
                          use_reentrant: bool | None = None, **kwargs: Any) -> Any:
    """Run a Sequential (or list of modules) in `segments` checkpointed chunks; the last chunk
    runs normally (torch.utils.checkpoint.checkpoint_sequential)."""
    if use_reentrant is None:
        warnings.warn(
            "torch.utils.checkpoint.checkpoint_sequential: the use_reentrant parameter should "
            "be passed explicitly. In version 2.9 we will raise an exception if use_reentrant "
            "is not passed. use_reentrant=False is recommended, but if you need to preserve "
            "the current default behavior, you can pass use_reentrant=True. Refer to docs for "
            "more details on the differences between the two variants.", stacklevel=2)
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(arg for arg in kwargs))
    from ..nn.modules.container import Sequential
    if isinstance(functions, Sequential):
        functions = list(functions.children())
    functions = list(functions) if isinstance(functions, Iterable) else functions

    def run_function(start: int, end: int) -> Callable:
        def forward(x: Any) -> Any:
            for j in range(start, end + 1):
                x = functions[j](x)
            return x
        return forward

    segment_size = len(functions) // segments
    end = -1
    for start in range(0, segment_size * (segments - 1), segment_size):
        end = start + segment_size - 1
        input = checkpoint(run_function(start, end), input, use_reentrant=use_reentrant,
                           preserve_rng_state=preserve)
    return run_function(end + 1, len(functions) - 1)(input)
