"""Reverse-mode automatic differentiation: `backward`, `grad`, `Function`, grad modes,
anomaly detection and numerical gradient checks, as `torch.autograd`."""

from __future__ import annotations

from typing import Any

from .. import _tensor
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
    res = run_backward(outs, gs, retain_graph, create_graph, ins, allow_unused or
                       materialize_grads, accumulate=False, api="grad")
    if materialize_grads:
        res = [r if r is not None else _tensor._make(x._data * 0) for r, x in zip(res, ins)]
    return tuple(res)


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


