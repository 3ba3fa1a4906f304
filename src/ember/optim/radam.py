"""RAdam: rectified Adam (torch.optim.RAdam)."""

from __future__ import annotations

from typing import Any

from .._backend import xp
from .adam import _check_adam, _init_state, _moments
from .optimizer import Optimizer, _params_with_grad, _scalar

__all__ = ["RAdam"]


class RAdam(Optimizer):
    """RAdam (torch.optim.RAdam). State: step, exp_avg, exp_avg_sq."""

    def __init__(self, params: Any, lr: Any = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, decoupled_weight_decay: bool = False,
                 *, foreach: bool | None = None, maximize: bool = False,
                 capturable: bool = False, differentiable: bool = False) -> None:
        _check_adam(lr, betas, eps, weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        maximize=maximize, foreach=foreach, capturable=capturable,
                        decoupled_weight_decay=decoupled_weight_decay,
                        differentiable=differentiable)
        super().__init__(params, defaults)

    def step(self, closure: Any = None) -> Any:
        loss = self._eval(closure)
        for group in self.param_groups:
            lr, eps = _scalar(group["lr"]), group["eps"]
            beta1, beta2 = group["betas"]
            for p in _params_with_grad(group):
                state = _init_state(self, p, "exp_avg", "exp_avg_sq")
                st = state["step"]._data
                st += 1
                step = float(st)
                tmp = xp.empty_like(p._data)
                _moments(p, state, group, tmp)
                bias_correction1 = 1 - beta1 ** step
                bias_correction2 = 1 - beta2 ** step
                upd = state["exp_avg"]._data / bias_correction1
                upd *= lr
                rho_inf = 2 / (1 - beta2) - 1
                rho_t = rho_inf - 2 * step * (beta2 ** step) / bias_correction2
                if rho_t > 5.0:
                    rect = ((rho_t - 4) * (rho_t - 2) * rho_inf
                            / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
                    # adaptive lr = sqrt(bias_correction2) / (sqrt(v) + eps)
                    xp.sqrt(state["exp_avg_sq"]._data, out=tmp)
                    tmp += eps
                    xp.divide(bias_correction2 ** 0.5, tmp, out=tmp)
                    upd *= tmp
                    upd *= rect
                p._data -= upd
                p._vc[0] += 1
        return loss
