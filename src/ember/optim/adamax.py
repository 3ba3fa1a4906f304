"""Adamax: Adam with the infinity norm (torch.optim.Adamax)."""

from __future__ import annotations

from typing import Any

from .._backend import xp
from .adam import _check_adam, _lerp_
from .optimizer import Optimizer, _grad, _params_with_grad, _scalar, _step_tensor, _zeros_like

__all__ = ["Adamax"]


class Adamax(Optimizer):
    """Adamax (torch.optim.Adamax). State: step, exp_avg, exp_inf."""

    def __init__(self, params: Any, lr: Any = 2e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, foreach: bool | None = None, *,
                 maximize: bool = False, differentiable: bool = False,
                 capturable: bool = False) -> None:
        _check_adam(lr, betas, eps, weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        foreach=foreach, maximize=maximize, differentiable=differentiable,
                        capturable=capturable)
        super().__init__(params, defaults)

    def step(self, closure: Any = None) -> Any:
        loss = self._eval(closure)
        for group in self.param_groups:
            lr, eps = _scalar(group["lr"]), group["eps"]
            beta1, beta2 = group["betas"]
            for p in _params_with_grad(group):
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _step_tensor()
                    state["exp_avg"] = _zeros_like(p)
                    state["exp_inf"] = _zeros_like(p)
                st = state["step"]._data
                st += 1
                g = _grad(p, group["maximize"], group["weight_decay"])
                m, u = state["exp_avg"]._data, state["exp_inf"]._data
                tmp = xp.empty_like(p._data)
                _lerp_(m, g, 1 - beta1, tmp)
                u *= beta2
                xp.abs(g, out=tmp)
                tmp += eps
                xp.maximum(u, tmp, out=u)
                clr = lr / (1 - beta1 ** float(st))
                xp.divide(m, u, out=tmp)
                tmp *= clr
                p._data -= tmp
                p._vc[0] += 1
        return loss
