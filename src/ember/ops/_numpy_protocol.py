"""NumPy's dispatch protocols for Tensors: `np.exp(tensor)` runs `ember.exp`.

This is what lets a built-in's backward, written once in NumPy, run on Tensors under
`create_graph=True` and record the second derivative. Each op module registers the NumPy
functions its formulas use; an unregistered one raises, naming the function."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_UFUNCS: dict = {}
_FUNCTIONS: dict = {}


def register_ufuncs(table: dict) -> None:
    _UFUNCS.update(table)


def register_functions(table: dict) -> None:
    """{np.function: ember implementation taking NumPy's argument names}."""
    _FUNCTIONS.update(table)


def array_ufunc(ufunc: Any, method: str, inputs: tuple, kwargs: dict) -> Any:
    fn: Callable | None = _UFUNCS.get(ufunc) if method == "__call__" else None
    if fn is None or kwargs.get("out") is not None:
        raise TypeError(
            f"ember: NumPy's {ufunc.__name__}.{method} has no ember op to run on Tensors "
            "(differentiating twice through an op whose backward uses it is not supported)")
    return fn(*inputs)


def array_function(func: Any, args: tuple, kwargs: dict) -> Any:
    fn = _FUNCTIONS.get(func)
    if fn is None:
        raise TypeError(
            f"ember: NumPy's {func.__name__} has no ember implementation for Tensors "
            "(differentiating twice through an op whose backward uses it is not supported)")
    return fn(*args, **kwargs)
