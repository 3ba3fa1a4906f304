"""Adafactor: Adam-like steps with a factored (row x column) second moment
(torch.optim.Adafactor)."""

from __future__ import annotations

import math
from typing import Any

from .._backend import xp
from .._tensor import _make
from .adam import _lerp_
from .optimizer import Optimizer, _params_with_grad, _scalar, _step_tensor, _zeros_like

__all__ = ["Adafactor"]


def _norm(a: Any) -> float:
    """The 2-norm of a whole array, as a Python float (torch's `x.norm(2).item()`)."""
    return math.sqrt(float(xp.vdot(a.ravel(), a.ravel())))


class Adafactor(Optimizer):
    """Adafactor (torch.optim.Adafactor). State: step, then row_var and col_var for
    parameters with 2 or more dimensions, or variance for vectors and scalars."""

    def __init__(self, params: Any, lr: Any = 1e-2, beta2_decay: float = -0.8,
                 eps: tuple[float | None, float] = (None, 1e-3), d: float = 1.0,
                 weight_decay: float = 0.0, *, foreach: bool | None = None,
                 maximize: bool = False) -> None:
        from .._tensor import Tensor
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        for ok, what, value in [
                (0.0 <= lr, "Learning rate should be >= 0", lr),
                (0.0 >= beta2_decay, "beta2_decay should be <= 0", beta2_decay),
                (eps[0] is None or 0.0 <= eps[0], "epsilon1 should be >= 0", eps[0]),
                (0.0 <= eps[1], "epsilon2 should be >= 0", eps[1]),
                (1.0 <= d, "Clipping threshold d should be >= 1", d),
                (0.0 <= weight_decay, "weight_decay should be >= 0", weight_decay)]:
            if not ok:
                raise ValueError(f"{what} but is: {value}")
        defaults = dict(lr=lr, beta2_decay=beta2_decay, eps=eps, d=d,
                        weight_decay=weight_decay, foreach=foreach, maximize=maximize)
        super().__init__(params, defaults)

    def step(self, closure: Any = None) -> Any:
        loss = self._eval(closure)
        for group in self.param_groups:
            lr, d, wd = _scalar(group["lr"]), group["d"], group["weight_decay"]
            eps1, eps2 = group["eps"]
            for p in _params_with_grad(group):
                g = p._grad._data
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _step_tensor()
                    if g.ndim > 1:
                        state["row_var"] = _make(xp.zeros(g.shape[:-1] + (1,), g.dtype))
                        state["col_var"] = _make(
                            xp.zeros(g.shape[:-2] + (1,) + g.shape[-1:], g.dtype))
                    else:
                        state["variance"] = _zeros_like(p)
                if group["maximize"]:
                    g = xp.negative(g)
                if eps1 is None:     # as torch: the first parameter's dtype sets it for the group
                    eps1 = float(xp.finfo(p._data.dtype).eps)
                st = state["step"]._data
                st += 1
                step = float(st)
                one_minus_beta2_t = step ** group["beta2_decay"]
                rho_t = min(lr, 1 / step ** 0.5)
                alpha = max(eps2, _norm(p._data) / p._data.size ** 0.5) * rho_t
                if wd != 0:
                    p._data *= 1 - lr * wd
                if g.ndim > 1:
                    row_var, col_var = state["row_var"]._data, state["col_var"]._data
                    gg = g * g
                    row_mean = gg.sum(-1, keepdims=True)
                    row_mean /= g.shape[-1]
                    _lerp_(row_var, row_mean, one_minus_beta2_t, xp.empty_like(row_var))
                    col_mean = gg.sum(-2, keepdims=True)
                    col_mean /= g.shape[-2]
                    _lerp_(col_var, col_mean, one_minus_beta2_t, xp.empty_like(col_var))
                    var_estimate = xp.matmul(row_var, col_var)
                    var_estimate /= xp.maximum(row_var.mean(-2, keepdims=True), eps1)
                else:
                    variance = state["variance"]._data
                    _lerp_(variance, g * g, one_minus_beta2_t, xp.empty_like(variance))
                    var_estimate = variance.copy()
                update = xp.maximum(var_estimate, eps1 * eps1, out=var_estimate)
                xp.sqrt(update, out=update)
                xp.divide(1, update, out=update)          # torch: rsqrt, then times grad
                update *= g
                denom = max(1.0, _norm(update) / (update.size ** 0.5 * d))
                update *= -alpha / denom
                p._data += update
                p._vc[0] += 1
        return loss
