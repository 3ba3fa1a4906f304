"""Stochastic gradient descent with momentum (torch.optim.SGD)."""

from __future__ import annotations

from typing import Any

from .._tensor import _make
from .optimizer import Optimizer, _check_lr, _grad, _params_with_grad, _scalar

__all__ = ["SGD"]


class SGD(Optimizer):
    """SGD with optional (Nesterov) momentum, dampening and L2 weight decay (torch.optim.SGD).
    State: 'momentum_buffer' (only when momentum != 0)."""

    def __init__(self, params: Any, lr: Any = 1e-3, momentum: float = 0, dampening: float = 0,
                 weight_decay: float = 0, nesterov: bool = False, *, maximize: bool = False,
                 foreach: bool | None = None, differentiable: bool = False,
                 fused: bool | None = None) -> None:
        _check_lr(lr)
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening "
                             f"(got momentum={momentum}, dampening={dampening})")
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening,
                        weight_decay=weight_decay, nesterov=nesterov, maximize=maximize,
                        foreach=foreach, differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)

    def step(self, closure: Any = None) -> Any:
        loss = self._eval(closure)
        for group in self.param_groups:
            lr = _scalar(group["lr"])
            momentum, dampening = group["momentum"], group["dampening"]
            nesterov, wd, maximize = group["nesterov"], group["weight_decay"], group["maximize"]
            for p in _params_with_grad(group):
                g = _grad(p, maximize, wd)
                if momentum != 0:
                    state = self.state[p]
                    buf = state.get("momentum_buffer")
                    if buf is None:
                        state["momentum_buffer"] = buf = _make(g.copy())
                        b = buf._data
                    else:
                        b = buf._data
                        b *= momentum
                        b += (1 - dampening) * g
                    g = g + momentum * b if nesterov else b
                p._data -= lr * g          # torch: param.add_(grad, alpha=-lr)
                p._vc[0] += 1
        return loss
