"""Adagrad (torch.optim.Adagrad)."""

from __future__ import annotations

from typing import Any

from .._backend import xp
from .._tensor import _make
from .optimizer import Optimizer, _check, _check_lr, _grad, _params_with_grad, _scalar, _step_tensor

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    """Adagrad (torch.optim.Adagrad). State (created at construction): step, sum."""

    def __init__(self, params: Any, lr: Any = 1e-2, lr_decay: float = 0,
                 weight_decay: float = 0, initial_accumulator_value: float = 0,
                 eps: float = 1e-10, foreach: bool | None = None, *, maximize: bool = False,
                 differentiable: bool = False, fused: bool | None = None) -> None:
        _check_lr(lr)
        _check(0.0 <= lr_decay, "lr_decay value", lr_decay)
        _check(0.0 <= weight_decay, "weight_decay value", weight_decay)
        _check(0.0 <= initial_accumulator_value, "initial_accumulator_value value",
               initial_accumulator_value)
        _check(0.0 <= eps, "epsilon value", eps)
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                state = self.state[p]
                state["step"] = _step_tensor()
                state["sum"] = _make(xp.full_like(p._data, group["initial_accumulator_value"]))

    def step(self, closure: Any = None) -> Any:
        loss = self._eval(closure)
        for group in self.param_groups:
            lr, eps = _scalar(group["lr"]), group["eps"]
            for p in _params_with_grad(group):
                state = self.state[p]
                st = state["step"]._data
                st += 1
                g = _grad(p, group["maximize"], group["weight_decay"])
                clr = lr / (1 + (float(st) - 1) * group["lr_decay"])
                s = state["sum"]._data
                tmp = xp.multiply(g, g, out=xp.empty_like(p._data))
                s += tmp
                xp.sqrt(s, out=tmp)
                tmp += eps
                xp.divide(g, tmp, out=tmp)
                tmp *= clr
                p._data -= tmp
                p._vc[0] += 1
        return loss
