"""NAdam: Adam with Nesterov momentum (torch.optim.NAdam)."""

from __future__ import annotations

from typing import Any

from .._backend import xp
from .._tensor import _make
from .adam import _check_adam, _moments
from .optimizer import (
    Optimizer,
    _check,
    _params_with_grad,
    _scalar,
    _scalar_dtype,
    _step_tensor,
    _zeros_like,
)

__all__ = ["NAdam"]


class NAdam(Optimizer):
    """NAdam (torch.optim.NAdam). State: step, mu_product (0-d, torch's scalar dtype), exp_avg,
    exp_avg_sq."""

    def __init__(self, params: Any, lr: Any = 2e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, momentum_decay: float = 4e-3,
                 decoupled_weight_decay: bool = False, *, foreach: bool | None = None,
                 maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False) -> None:
        _check_adam(lr, betas, eps, weight_decay)
        _check(0.0 <= momentum_decay, "momentum_decay value", momentum_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize,
                        foreach=foreach, capturable=capturable, differentiable=differentiable)
        super().__init__(params, defaults)

    def step(self, closure: Any = None) -> Any:
        loss = self._eval(closure)
        for group in self.param_groups:
            lr, eps, md = _scalar(group["lr"]), group["eps"], group["momentum_decay"]
            beta1, beta2 = group["betas"]
            for p in _params_with_grad(group):
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _step_tensor()
                    state["mu_product"] = _make(xp.ones((), _scalar_dtype()))
                    state["exp_avg"] = _zeros_like(p)
                    state["exp_avg_sq"] = _zeros_like(p)
                st = state["step"]._data
                st += 1
                step = float(st)
                tmp = xp.empty_like(p._data)
                g = _moments(p, state, group, tmp)
                bias_correction2 = 1 - beta2 ** step
                mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * md)))
                mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * md)))
                mp = state["mu_product"]._data
                mp *= mu                        # in the scalar dtype, as torch keeps it
                mu_product = float(mp)
                mu_product_next = mu_product * mu_next
                # denom = sqrt(v / bias_correction2) + eps
                xp.divide(state["exp_avg_sq"]._data, bias_correction2, out=tmp)
                xp.sqrt(tmp, out=tmp)
                tmp += eps
                p._data += (-lr * (1.0 - mu) / (1.0 - mu_product)) * (g / tmp)
                p._data += ((-lr * mu_next) / (1.0 - mu_product_next)) * (
                    state["exp_avg"]._data / tmp)
                p._vc[0] += 1
        return loss
