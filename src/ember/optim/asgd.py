"""ASGD: averaged stochastic gradient descent (torch.optim.ASGD)."""

from __future__ import annotations

from typing import Any

from .._backend import default_float, xp
from .._tensor import _make
from .optimizer import (
    Optimizer,
    _check,
    _check_lr,
    _grad,
    _params_with_grad,
    _scalar,
    _scalar_dtype,
    _step_tensor,
    _zeros_like,
)

__all__ = ["ASGD"]


class ASGD(Optimizer):
    """ASGD (torch.optim.ASGD). State: step, eta (current step size), mu (averaging
    coefficient), ax (the averaged parameters)."""

    def __init__(self, params: Any, lr: Any = 1e-2, lambd: float = 1e-4, alpha: float = 0.75,
                 t0: float = 1e6, weight_decay: float = 0, foreach: bool | None = None,
                 maximize: bool = False, differentiable: bool = False,
                 capturable: bool = False) -> None:
        _check_lr(lr)
        _check(0.0 <= weight_decay, "weight_decay value", weight_decay)
        defaults = dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay,
                        foreach=foreach, maximize=maximize, differentiable=differentiable,
                        capturable=capturable)
        super().__init__(params, defaults)

    def step(self, closure: Any = None) -> Any:
        loss = self._eval(closure)
        for group in self.param_groups:
            lr, lambd, alpha, t0 = _scalar(group["lr"]), group["lambd"], group["alpha"], \
                group["t0"]
            # torch keeps eta and mu as 0-d tensors of its scalar dtype (float64 under a
            # float64 default dtype, else float32) and computes new values in the default
            # dtype: rounding included, as here
            scalar = _scalar_dtype()
            for p in _params_with_grad(group):
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _step_tensor()
                    state["eta"] = _make(xp.asarray(lr, scalar))
                    state["mu"] = _make(xp.ones((), scalar))
                    state["ax"] = _zeros_like(p)
                st, eta, mu = state["step"]._data, state["eta"]._data, state["mu"]._data
                ax = state["ax"]._data
                st += 1
                g = _grad(p, group["maximize"], group["weight_decay"])
                eta_value = float(eta)
                p._data *= 1 - lambd * eta_value          # decay term
                p._data += -eta_value * g
                p._vc[0] += 1
                if float(mu) != 1:                        # averaging
                    tmp = p._data - ax
                    tmp *= mu
                    ax += tmp
                else:
                    ax[...] = p._data
                step = float(st)
                eta[...] = xp.asarray(lr / ((1 + lambd * lr * step) ** alpha), default_float())
                mu[...] = xp.asarray(1 / max(1, step - t0), default_float())
        return loss
