"""Rprop: resilient backpropagation, per-element step sizes from gradient signs
(torch.optim.Rprop)."""

from __future__ import annotations

from typing import Any

from .._backend import xp
from .._tensor import _make
from .optimizer import Optimizer, _check_lr, _params_with_grad, _scalar, _step_tensor, _zeros_like

__all__ = ["Rprop"]


class Rprop(Optimizer):
    """Rprop (torch.optim.Rprop). State: step, prev (last gradient used), step_size."""

    def __init__(self, params: Any, lr: Any = 1e-2, etas: tuple[float, float] = (0.5, 1.2),
                 step_sizes: tuple[float, float] = (1e-6, 50), *, capturable: bool = False,
                 foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False) -> None:
        _check_lr(lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        defaults = dict(lr=lr, etas=etas, step_sizes=step_sizes, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def step(self, closure: Any = None) -> Any:
        loss = self._eval(closure)
        for group in self.param_groups:
            etaminus, etaplus = group["etas"]
            step_size_min, step_size_max = group["step_sizes"]
            for p in _params_with_grad(group):
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _step_tensor()
                    state["prev"] = _zeros_like(p)
                    state["step_size"] = _make(xp.full_like(p._grad._data,
                                                            _scalar(group["lr"])))
                state["step"]._data += 1
                g = p._grad._data.copy()
                if group["maximize"]:
                    xp.negative(g, out=g)
                prev, step_size = state["prev"]._data, state["step_size"]._data
                sign = xp.multiply(g, prev, out=xp.empty_like(g))
                xp.sign(sign, out=sign)
                sign[sign > 0] = etaplus
                sign[sign < 0] = etaminus
                sign[sign == 0] = 1
                step_size *= sign
                xp.clip(step_size, step_size_min, step_size_max, out=step_size)
                g[sign == etaminus] = 0           # the sign flipped: skip this update
                xp.sign(g, out=sign)
                sign *= step_size
                p._data -= sign
                p._vc[0] += 1
                prev[...] = g
        return loss
