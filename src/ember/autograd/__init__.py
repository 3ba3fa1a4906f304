"""Reverse-mode automatic differentiation: `backward`, `grad`, `Function`, grad modes,
anomaly detection and numerical gradient checks, as `torch.autograd`."""

from __future__ import annotations

from typing import Any

from .. import _tensor
from . import functional  # noqa: F401  (torch.autograd.functional)
from .engine import run_backward
from .function import Function, once_differentiable
from .grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
    state,
)
from .gradcheck import GradcheckError, gradcheck, gradgradcheck

__all__ = ["Function", "backward", "grad", "no_grad", "enable_grad", "set_grad_enabled",
           "inference_mode", "is_grad_enabled", "is_inference_mode_enabled", "gradcheck",
           "gradgradcheck", "detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled",
           "once_differentiable", "GradcheckError"]


def _seq(x: Any) -> list:
    if x is None:
        return []
    if isinstance(x, _tensor.Tensor):
        return [x]
    return list(x)


def backward(tensors: Any, grad_tensors: Any = None, retain_graph: bool | None = None,
             create_graph: bool = False, inputs: Any = None) -> None:
    """Accumulate into `.grad` of the leaves (or only of `inputs`) the gradients of `tensors`."""
    ts = _seq(tensors)
    gs = _seq(grad_tensors) or [None] * len(ts)
    if len(gs) != len(ts):
        raise RuntimeError(
            f"grad_tensors should have the same length as tensors: got {len(gs)} and "
            f"{len(ts)}")
    if retain_graph is None:
        retain_graph = create_graph
    ins = _seq(inputs) if inputs is not None else None
    if ins is not None and not ins:
        raise RuntimeError("'inputs' argument to backward() cannot be empty.")
    run_backward(ts, gs, retain_graph, create_graph, ins, api="backward")


def grad(outputs: Any, inputs: Any, grad_outputs: Any = None, retain_graph: bool | None = None,
         create_graph: bool = False, only_inputs: bool = True, allow_unused: bool | None = None,
         is_grads_batched: bool = False, materialize_grads: bool = False) -> tuple:
    """Return the gradients of `outputs` w.r.t. `inputs` without touching `.grad`."""
    outs = _seq(outputs)
    ins = _seq(inputs)
    gs = _seq(grad_outputs) or [None] * len(outs)
    if len(gs) != len(outs):
        raise RuntimeError(
            f"grad requires one grad_output per output: got {len(gs)} grad_outputs and "
            f"{len(outs)} outputs")
    if retain_graph is None:
        retain_graph = create_graph
    if allow_unused is None:
        allow_unused = materialize_grads
    if is_grads_batched:
        return _batched_grad(outs, ins, gs, retain_graph, create_graph, allow_unused,
                             materialize_grads)
    res = run_backward(outs, gs, retain_graph, create_graph, ins, allow_unused or
                       materialize_grads, accumulate=False, api="grad")
    if materialize_grads:
        res = [r if r is not None else _tensor._make(x._data * 0) for r, x in zip(res, ins)]
    return tuple(res)


def _batched_grad(outs: list, ins: list, gs: list, retain_graph: bool, create_graph: bool,
                  allow_unused: bool, materialize_grads: bool) -> tuple:
    """grad with is_grads_batched: one vector-Jacobian product per row of the grad_outputs'
    first dim (torch vmaps it; here a loop), stacked on a new first dim."""
    for i, (g, o) in enumerate(zip(gs, outs)):
        if g is None or tuple(g.shape[1:]) != tuple(o.shape):
            raise RuntimeError(
                "If `is_grads_batched=True`, we interpret the first dimension of each "
                "grad_output as the batch dimension. The sizes of the remaining dimensions are "
                "expected to match the shape of corresponding output, but a mismatch was "
                f"detected: grad_output[{i}] has a shape of "
                f"{None if g is None else tuple(g.shape[1:])} and output[{i}] has a shape of "
                f"{tuple(o.shape)}.")
    n = gs[0].shape[0]
    rows = [grad(outs, ins, [g[b] for g in gs], retain_graph=retain_graph or b < n - 1,
                 create_graph=create_graph, allow_unused=allow_unused,
                 materialize_grads=materialize_grads) for b in range(n)]
    from ..ops.shape import stack
    return tuple(None if r[0] is None else stack(list(r)) for r in zip(*rows))


class detect_anomaly:
    """Context manager: backward errors name the op and the user code line that created it;
    with check_nan, a backward that produces NaN raises."""

    def __init__(self, check_nan: bool = True) -> None:
        self.check_nan = check_nan

    def __enter__(self) -> None:
        self.prev = (state.anomaly, state.anomaly_check_nan)
        state.anomaly, state.anomaly_check_nan = True, self.check_nan

    def __exit__(self, *exc: object) -> None:
        state.anomaly, state.anomaly_check_nan = self.prev


class set_detect_anomaly(detect_anomaly):
    """Turn anomaly detection on or off (takes effect at once; also a context manager)."""

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self.prev = (state.anomaly, state.anomaly_check_nan)
        state.anomaly, state.anomaly_check_nan = bool(mode), check_nan

    def __enter__(self) -> None:
        pass


def is_anomaly_enabled() -> bool:
    return state.anomaly


