"""`Optimizer`: param groups, per-parameter state, state_dict (torch.optim.Optimizer).

Algorithms update parameters IN PLACE on their arrays (`p._data`), outside autograd: no graph is
recorded and no Tensor is created per step. Each bumps the parameter's version counter, as
torch's in-place updates do.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from .._backend import default_float, ndarray, xp
from .._tensor import Tensor, _make
from ..autograd.grad_mode import enable_grad

__all__ = ["Optimizer", "required"]


class _RequiredParameter:
    """Singleton marking an option that has no default (torch.optim.optimizer.required)."""

    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()


def _scalar(v: Any) -> Any:
    """A Python number from a float or a 1-element Tensor option (lr may be a Tensor)."""
    return v.item() if isinstance(v, Tensor) else v


def _check_lr(lr: Any) -> None:
    if isinstance(lr, Tensor) and lr.numel() != 1:
        raise ValueError("Tensor lr must be 1-element")
    if not 0.0 <= lr:
        raise ValueError(f"Invalid learning rate: {lr}")


def _check(ok: bool, what: str, value: Any) -> None:
    if not ok:
        raise ValueError(f"Invalid {what}: {value}")


def _scalar_dtype() -> Any:
    """torch.optim's _get_scalar_dtype(): float64 under a float64 default dtype, else float32."""
    return xp.float64 if default_float() == xp.float64 else xp.float32


def _step_tensor() -> Tensor:
    """The 0-d step counter torch keeps in state['step'], of the scalar dtype."""
    return _make(xp.zeros((), _scalar_dtype()))


def _zeros_like(p: Tensor) -> Tensor:
    return _make(xp.zeros_like(p._data))


class Optimizer:
    """Base class of all optimizers (torch.optim.Optimizer)."""

    def __init__(self, params: Any, defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors or "
                f"dicts, but got {params.type()}")
        self.state: defaultdict[Tensor, Any] = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError(
                "optimizer got an empty parameter list (model.parameters() is a generator that "
                "can be used only once: if it was already consumed, call model.parameters() again "
                "or pass list(model.parameters()); check the model has layers assigned in "
                "__init__)")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for group in param_groups:
            self.add_param_group(group)

    def __getstate__(self) -> dict[str, Any]:
        return {"defaults": self.defaults, "state": self.state,
                "param_groups": self.param_groups}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def __repr__(self) -> str:
        s = self.__class__.__name__ + " ("
        for i, group in enumerate(self.param_groups):
            s += f"\nParameter Group {i}\n"
            for key in sorted(group.keys()):
                if key != "params":
                    s += f"    {key}: {group[key]}\n"
        return s + ")"

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters with its own options (missing ones take the defaults)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but the "
                "ordering of tensors in sets will change between runs. Please use a list "
                "instead.")
        else:
            params = list(params)
        names = [p[0] for p in params if isinstance(p, tuple)]
        params = [p[1] if isinstance(p, tuple) else p for p in params]
        param_group["params"] = params
        if names:
            if len(names) != len(params):
                raise ValueError("all optimizer params should be with/without names. Some "
                                 "param names are missing")
            param_group["param_names"] = names
        for i, p in enumerate(params):
            if not isinstance(p, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params "
                                f"(index {i}) is {type(p).__module__}.{type(p).__name__}")
            if not (p.grad_fn is None or p.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError("parameter group didn't specify a value of required "
                                 f"optimization parameter {name}")
            param_group.setdefault(name, default)
        if len(params) != len(set(params)):
            import warnings
            warnings.warn("optimizer contains a parameter group with duplicate parameters; in "
                          "future, this will cause an error; see "
                          "github.com/pytorch/pytorch/issues/40967 for more information",
                          stacklevel=3)
        seen: set[Tensor] = set()
        for group in self.param_groups:
            seen.update(group["params"])
            if ("param_names" in param_group) != ("param_names" in group):
                txt = "with names" if "param_names" in param_group else "without names"
                raise ValueError("all optimizer param groups should be with/without names. "
                                 f"cannot add param group {txt} to the optimizer")
        if not seen.isdisjoint(params):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients: to None (default) or to zeros in place."""
        for group in self.param_groups:
            for p in group["params"]:
                g = p._grad
                if g is not None:
                    if set_to_none:
                        p._grad = None
                    else:
                        if g.grad_fn is not None:
                            g = p._grad = g.detach()
                        else:
                            g._requires_grad = False
                        g._data[...] = 0
                        g._vc[0] += 1

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Perform one optimization step; `closure` re-evaluates the loss (under enable_grad)."""
        raise NotImplementedError

    @staticmethod
    def _eval(closure: Callable[[], Any] | None) -> Any:
        if closure is None:
            return None
        with enable_grad():
            return closure()

    # ------------------------------------------------------------------ state_dict
    def state_dict(self) -> dict[str, Any]:
        """{'state': {index: {...}}, 'param_groups': [{..., 'params': [indices]}]}, as torch."""
        mapping: dict[int, int] = {}
        start = 0

        def pack(group: dict[str, Any]) -> dict[str, Any]:
            nonlocal start
            packed = {k: v for k, v in group.items() if k != "params"}
            for i, p in enumerate(group["params"], start):
                mapping.setdefault(id(p), i)
            packed["params"] = [mapping[id(p)] for p in group["params"]]
            start += len(packed["params"])
            return packed

        groups = [pack(g) for g in self.param_groups]
        state = {(mapping[id(k)] if isinstance(k, Tensor) else k): v
                 for k, v in self.state.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Load a `state_dict()` (state tensors are copied and cast to each parameter's dtype)."""
        groups = self.param_groups
        saved = copy.deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved):
            raise ValueError("loaded state dict has a different number of parameter groups "
                             f"({len(saved)}, optimizer has {len(groups)})")
        for g, s in zip(groups, saved):
            if len(g["params"]) != len(s["params"]):
                raise ValueError(
                    "loaded state dict contains a parameter group that doesn't match the size "
                    f"of optimizer's group ({len(s['params'])} vs {len(g['params'])} params)")
        id_map = {i: p for s, g in zip(saved, groups) for i, p in zip(s["params"], g["params"])}

        def cast(param: Tensor, value: Any, key: Any = None) -> Any:
            if isinstance(value, Tensor):
                data = value._data
                if key != "step" and param._data.dtype.kind == "f":
                    data = data.astype(param._data.dtype)
                elif data is value._data:
                    data = data.copy()
                return _make(data)
            if isinstance(value, dict):
                return {k: cast(param, v, k) for k, v in value.items()}
            if isinstance(value, (list, tuple)):
                return type(value)(cast(param, v) for v in value)
            return value

        state: defaultdict[Any, Any] = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                state[id_map[k]] = cast(id_map[k], v)
            else:
                state[k] = v
        for g, s in zip(groups, saved):
            s["params"] = g["params"]
            if "param_names" in g and "param_names" not in s:
                s["param_names"] = g["param_names"]
        self.__setstate__({"state": state, "param_groups": saved})


def _params_with_grad(group: dict[str, Any]) -> Iterable[Tensor]:
    for p in group["params"]:
        if p._grad is not None:
            yield p


def _grad(p: Tensor, maximize: bool, weight_decay: float) -> Any:
    """The gradient array an update uses: negated for maximize, plus L2 weight decay."""
    g = p._grad._data
    if maximize:
        g = xp.negative(g)
    if weight_decay != 0:
        g = g + weight_decay * p._data      # torch: grad.add(param, alpha=weight_decay)
    return g if type(g) is ndarray else xp.asarray(g)   # 0-d math gives NumPy scalars
