"""Grad modes, per thread as in torch: `no_grad`, `enable_grad`, `set_grad_enabled`,
`inference_mode`. Each works as a context manager and as a decorator."""

from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import Callable
from typing import Any


class _State(threading.local):
    enabled = True
    inference = False
    anomaly = False
    anomaly_check_nan = True


state = _State()


def is_grad_enabled() -> bool:
    return state.enabled


def is_inference_mode_enabled() -> bool:
    return state.inference


class _Mode:
    """Base of the grad-mode context managers; subclasses say what `enabled` becomes."""

    _target: bool

    def __enter__(self) -> None:
        self._prev = state.enabled
        state.enabled = self._target

    def __exit__(self, *exc: object) -> None:
        state.enabled = self._prev

    def __call__(self, fn: Callable) -> Callable:
        mode = self.clone
        if inspect.isgeneratorfunction(fn):
            @functools.wraps(fn)
            def gen_wrapper(*args: Any, **kwargs: Any) -> Any:
                gen = fn(*args, **kwargs)
                value = None
                while True:
                    with mode():
                        try:
                            value = yield gen.send(value)
                        except StopIteration as stop:
                            return stop.value
            return gen_wrapper

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with mode():
                return fn(*args, **kwargs)
        return wrapper

    def clone(self) -> _Mode:
        return type(self)()


class _NoParamMode(_Mode):
    """A mode usable as `@mode()` and also as a bare `@mode` decorator, as torch allows."""

    def __new__(cls, orig_func: Callable | None = None) -> Any:
        if orig_func is None:
            return super().__new__(cls)
        return cls()(orig_func)


class no_grad(_NoParamMode):
    """Disable gradient recording inside the block (or the decorated function)."""

    _target = False


class enable_grad(_NoParamMode):
    """Enable gradient recording inside the block, even within `no_grad`."""

    _target = True


class set_grad_enabled(_Mode):
    """Set grad mode on or off: as a plain call it takes effect at once, as torch's does."""

    def __init__(self, mode: bool) -> None:
        self._prev = state.enabled
        self._target = bool(mode)
        state.enabled = self._target

    def __enter__(self) -> None:
        pass  # already applied in __init__

    def __exit__(self, *exc: object) -> None:
        state.enabled = self._prev

    def __call__(self, fn: Callable) -> Callable:
        state.enabled = self._prev  # as a decorator it applies only inside the function
        return super().__call__(fn)

    def clone(self) -> set_grad_enabled:
        return set_grad_enabled(self._target)


class inference_mode(_Mode):
    """Like no_grad (ember keeps no extra inference-only state); `inference_mode(False)` is a
    no-op, as in torch."""

    def __new__(cls, mode: Any = True) -> Any:
        if isinstance(mode, bool):
            return super().__new__(cls)
        return cls()(mode)   # bare @inference_mode

    def __init__(self, mode: bool = True) -> None:
        self.mode = bool(mode)
        self._target = not mode

    def __enter__(self) -> None:
        self._prev = state.enabled
        self._prev_inf = state.inference
        if self.mode:
            state.enabled = False
            state.inference = True

    def __exit__(self, *exc: object) -> None:
        state.enabled = self._prev
        state.inference = self._prev_inf

    def __call__(self, fn: Callable) -> Callable:
        mode = self.mode

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with inference_mode(mode):
                return fn(*args, **kwargs)
        return wrapper

    def clone(self) -> inference_mode:
        return inference_mode(self.mode)
