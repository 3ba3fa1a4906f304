"""ember: a small deep-learning framework with PyTorch's API, on NumPy."""

from __future__ import annotations

from . import _backend
from ._backend import (Generator, bool_ as bool, device, double, dtype, float, float16,  # noqa: A004
                       float32, float64, get_default_dtype, half, int, int8, int16, int32, int64,
                       long, set_default_dtype, short, uint8)
from ._tensor import Size, Tensor
from .autograd import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from .autograd.grad_mode import is_inference_mode_enabled
from .ops.creation import *
from .ops.elementwise import *
from .ops.compare import *
from .ops.reduce import *
from .ops.shape import *
from .ops.indexing import *
from .ops.linalg import *
from . import autograd, linalg

__version__ = "0.1.0"
