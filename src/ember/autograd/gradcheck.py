"""Numerical gradient checks (float64 central differences), as `torch.autograd.gradcheck`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .. import _tensor


class GradcheckError(RuntimeError):
    pass


def _tuple(x: Any) -> tuple:
    return x if isinstance(x, tuple) else (x,)


def _flat_outputs(fn: Callable, inputs: tuple) -> list:
    return [o for o in _tuple(fn(*inputs)) if isinstance(o, _tensor.Tensor)
            and o._data.dtype.kind == "f"]


def _numerical(fn: Callable, inputs: tuple, i: int, eps: float) -> list:
    """d outputs / d inputs[i] by central differences: one (numel_in, numel_out) per output."""
    x = inputs[i]._data
    if not x.flags.c_contiguous:   # perturb a contiguous copy in place of the input's data
        x = inputs[i]._data = np.ascontiguousarray(x)
    flat = x.reshape(-1)
    outs = _flat_outputs(fn, inputs)
    jac = [np.zeros((x.size, o._data.size)) for o in outs]
    for k in range(x.size):
        orig = flat[k]
        flat[k] = orig + eps
        plus = [o._data.astype(np.float64).reshape(-1).copy() for o in _flat_outputs(fn, inputs)]
        flat[k] = orig - eps
        minus = [o._data.astype(np.float64).reshape(-1).copy()
                 for o in _flat_outputs(fn, inputs)]
        flat[k] = orig
        for j in range(len(outs)):
            jac[j][k] = (plus[j] - minus[j]) / (2 * eps)
    return jac


def _analytical(fn: Callable, inputs: tuple, i: int, create_graph: bool = False) -> list:
    from . import grad
    outs = _flat_outputs(fn, inputs)
    x = inputs[i]
    jac = []
    for o in outs:
        J = np.zeros((x._data.size, o._data.size))
        if o._requires_grad:
            for k in range(o._data.size):
                go = np.zeros(o._data.size, dtype=o._data.dtype)
                go[k] = 1
                (g,) = grad(o, x, _tensor._make(go.reshape(o._data.shape)), retain_graph=True,
                            allow_unused=True)
                if g is not None:
                    J[:, k] = g._data.reshape(-1)
        jac.append(J)
    return jac


def gradcheck(func: Callable, inputs: Any, *, eps: float = 1e-6, atol: float = 1e-5,
              rtol: float = 1e-3, raise_exception: bool = True, **_: Any) -> bool:
    """Compare analytical gradients with float64 central differences for every input that
    requires grad. On failure, name the input and the element that disagrees."""
    inputs = _tuple(inputs)
    for i, x in enumerate(inputs):
        if not (isinstance(x, _tensor.Tensor) and x._requires_grad):
            continue
        if x._data.dtype != np.float64:
            import warnings
            warnings.warn(f"gradcheck: input {i} is {x.dtype}, not float64: the check may "
                          "fail from rounding alone", UserWarning, stacklevel=2)
        num = _numerical(func, inputs, i, eps)
        ana = _analytical(func, inputs, i)
        for j, (n, a) in enumerate(zip(num, ana)):
            bad = ~np.isclose(a, n, rtol=rtol, atol=atol)
            if bad.any():
                k, m = np.argwhere(bad)[0]
                where = tuple(int(v) for v in np.unravel_index(k, x._data.shape))
                msg = (f"Jacobian mismatch for output {j} with respect to input {i}: input "
                       f"element {where}, output element {int(m)}: "
                       f"numerical {n[k, m]:.6g} vs analytical {a[k, m]:.6g}\n"
                       f"numerical:{n}\nanalytical:{a}")
                if raise_exception:
                    raise GradcheckError(msg)
                return False
    return True


def gradgradcheck(func: Callable, inputs: Any, grad_outputs: Any = None, *, eps: float = 1e-6,
                  atol: float = 1e-5, rtol: float = 1e-3, raise_exception: bool = True,
                  **_: Any) -> bool:
    """gradcheck of the first derivative: checks that double backward (create_graph) is right."""
    from . import grad
    inputs = _tuple(inputs)
    outs = _flat_outputs(func, inputs)
    rng = np.random.default_rng(0)
    if grad_outputs is None:
        grad_outputs = tuple(_tensor._make(rng.standard_normal(o._data.shape)
                                           .astype(o._data.dtype), True) for o in outs)
    grad_outputs = _tuple(grad_outputs)

    def first(*args: Any) -> tuple:
        xs, gos = args[:len(inputs)], args[len(inputs):]
        o = _flat_outputs(func, xs)
        ins = [x for x in xs if isinstance(x, _tensor.Tensor) and x._requires_grad]
        gs = grad(o, ins, list(gos), create_graph=True, allow_unused=True)
        return tuple(g for g in gs if g is not None)

    return gradcheck(first, inputs + grad_outputs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)
