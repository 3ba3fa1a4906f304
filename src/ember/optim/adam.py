"""Adam (torch.optim.Adam), with torch 2.13's `decoupled_weight_decay` (AdamW's update)."""

from __future__ import annotations

from typing import Any

from .._backend import xp
from .optimizer import (
    Optimizer,
    _check,
    _check_lr,
    _params_with_grad,
    _scalar,
    _step_tensor,
    _zeros_like,
)

__all__ = ["Adam"]


def _check_adam(lr: Any, betas: Any, eps: float, weight_decay: float) -> None:
    _check_lr(lr)
    _check(0.0 <= eps, "epsilon value", eps)
    _check(0.0 <= betas[0] < 1.0, "beta parameter at index 0", betas[0])
    _check(0.0 <= betas[1] < 1.0, "beta parameter at index 1", betas[1])
    _check(0.0 <= weight_decay, "weight_decay value", weight_decay)


def _lerp_(a: Any, b: Any, w: float, tmp: Any) -> None:
    """a += w * (b - a) in place, with torch's two-sided lerp formula; `tmp` is scratch."""
    xp.subtract(b, a, out=tmp)
    if w < 0.5:
        tmp *= w
        a += tmp
    else:
        tmp *= 1 - w
        xp.subtract(b, tmp, out=a)


def _moments(p: Any, state: dict, group: dict, tmp: Any) -> Any:
    """Shared Adam-family start: step += 1, weight decay, first/second moments; returns grad."""
    g = p._grad._data
    if group["maximize"]:
        g = xp.negative(g)
    wd = group["weight_decay"]
    if wd != 0:
        if group.get("decoupled_weight_decay"):
            p._data *= 1 - _scalar(group["lr"]) * wd
        else:
            g = g + wd * p._data
    beta1, beta2 = group["betas"]
    _lerp_(state["exp_avg"]._data, g, 1 - beta1, tmp)
    v = state["exp_avg_sq"]._data
    v *= beta2
    xp.multiply(g, g, out=tmp)
    tmp *= 1 - beta2
    v += tmp
    return g


def _init_state(self: Optimizer, p: Any, *keys: str) -> dict:
    state = self.state[p]
    if len(state) == 0:
        state["step"] = _step_tensor()
        for k in keys:
            state[k] = _zeros_like(p)
    return state


class Adam(Optimizer):
    """Adam (torch.optim.Adam). State: step (0-d, float32 or float64), exp_avg, exp_avg_sq and
    max_exp_avg_sq (amsgrad)."""

    def __init__(self, params: Any, lr: Any = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, amsgrad: bool = False, *,
                 foreach: bool | None = None, maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False, fused: bool | None = None,
                 decoupled_weight_decay: bool = False) -> None:
        _check_adam(lr, betas, eps, weight_decay)
        betas = tuple(_scalar(b) for b in betas)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        amsgrad=amsgrad, maximize=maximize, foreach=foreach,
                        capturable=capturable, differentiable=differentiable, fused=fused,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def step(self, closure: Any = None) -> Any:
        loss = self._eval(closure)
        for group in self.param_groups:
            lr, eps, amsgrad = _scalar(group["lr"]), group["eps"], group["amsgrad"]
            beta1, beta2 = group["betas"]
            keys = ("exp_avg", "exp_avg_sq", "max_exp_avg_sq") if amsgrad else \
                ("exp_avg", "exp_avg_sq")
            for p in _params_with_grad(group):
                state = _init_state(self, p, *keys)
                st = state["step"]._data
                st += 1
                step = float(st)
                tmp = xp.empty_like(p._data)
                _moments(p, state, group, tmp)
                step_size = lr / (1 - beta1 ** step)
                bc2_sqrt = (1 - beta2 ** step) ** 0.5
                v = state["exp_avg_sq"]._data
                if amsgrad:
                    mx = state["max_exp_avg_sq"]._data
                    xp.maximum(mx, v, out=mx)
                    v = mx
                # denom = sqrt(v) / sqrt(bias_correction2) + eps
                xp.sqrt(v, out=tmp)
                tmp /= bc2_sqrt
                tmp += eps
                xp.divide(state["exp_avg"]._data, tmp, out=tmp)
                tmp *= -step_size
                p._data += tmp
                p._vc[0] += 1
        return loss
