"""`nn.Parameter` and `nn.Buffer`: Tensors that a Module registers when assigned to it."""

from __future__ import annotations

from typing import Any

from .._tensor import Tensor, _make


class Parameter(Tensor):
    """A Tensor that is a module parameter: it requires grad by default and shares `data`'s
    memory (torch.nn.Parameter)."""

    __slots__ = ()

    def __new__(cls, data: Tensor | None = None, requires_grad: bool = True) -> Parameter:
        if data is None:
            from ..ops.creation import empty
            data = empty(0)
        if not isinstance(data, Tensor):
            raise TypeError(
                f"Parameter: data must be a Tensor, got {type(data).__name__} (wrap it with "
                "ember.tensor(...))")
        p = object.__new__(cls)
        p._data = data._data
        p._requires_grad = False
        p._grad = None
        p.grad_fn = None
        p._output_nr = 0
        p._vc = data._vc
        p._base = None
        p._hooks = None
        if requires_grad:
            p.requires_grad_(True)
        return p

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __deepcopy__(self, memo: dict) -> Parameter:
        if id(self) in memo:
            return memo[id(self)]
        new = type(self)(_make(self._data.copy()), self._requires_grad)   # no .grad, as torch
        memo[id(self)] = new
        return new

    def __reduce_ex__(self, proto: int) -> Any:
        return (_rebuild_parameter, (self._data, self._requires_grad))


def _rebuild_parameter(data: Any, requires_grad: bool) -> Parameter:
    return Parameter(_make(data), requires_grad)


class Buffer(Tensor):
    """Marks a Tensor to be registered as a buffer when assigned to a Module (torch.nn.Buffer).
    `persistent=False` keeps it out of `state_dict`."""

    __slots__ = ("persistent",)

    def __new__(cls, data: Tensor | None = None, *, persistent: bool = True) -> Buffer:
        from ..ops.creation import empty
        t = data if data is not None else empty(0)
        if not isinstance(t, Tensor):
            raise TypeError(f"Buffer: data must be a Tensor, got {type(t).__name__}")
        b = object.__new__(cls)
        b._data, b._requires_grad, b._grad, b.grad_fn = t._data, t._requires_grad, None, None
        b._output_nr, b._vc, b._base, b._hooks = 0, t._vc, None, None
        b.persistent = persistent
        return b

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass
