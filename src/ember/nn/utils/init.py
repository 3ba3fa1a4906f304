"""`ember.nn.utils.skip_init` (torch.nn.utils.init)."""

from __future__ import annotations

import inspect
from typing import Any

from ..module import Module

__all__ = ["skip_init"]


def skip_init(module_cls: type, *args: Any, **kwargs: Any) -> Module:
    """Build `module_cls(*args, **kwargs)` whose parameter values are unspecified (ember runs
    the ordinary initialization: CPU arrays cost nothing extra to fill)
    (torch.nn.utils.skip_init)."""
    if not issubclass(module_cls, Module):
        raise RuntimeError(f"Expected a Module; got {module_cls}")
    if "device" not in inspect.signature(module_cls).parameters:
        raise RuntimeError("Module must support a 'device' arg to skip initialization")
    return module_cls(*args, **kwargs)
