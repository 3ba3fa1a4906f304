"""ember: a small deep-learning framework with PyTorch's API, on NumPy."""

from __future__ import annotations

from . import _backend, _out
from ._backend import (Generator, bool_ as bool, device, double, dtype, float, float16,  # noqa: A004
                       float32, float64, get_default_dtype, get_num_threads, half, int, int8, int16,
                       int32, int64, long, set_default_dtype, set_num_threads, short, uint8)
from ._backend import api_promote_types as promote_types, api_result_type as result_type, can_cast
from ._backend import default_generator
from ._tensor import Size, Tensor
from ._tensor_str import set_printoptions
from .autograd import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from .autograd.grad_mode import is_inference_mode_enabled
from .ops.creation import *
from .ops.elementwise import *
from .ops.compare import *
from .ops.reduce import *
from .ops.shape import *
from .ops.indexing import *
from .ops.linalg import *
from .ops.numeric import *
from .ops.activation import (celu, celu_, hardshrink, log_softmax, prelu, relu_, selu, selu_,
                             softmax, threshold, threshold_)
from .ops.toplevel_nn import *
from .ops.toplevel_extra import *
from . import (autograd, backends, cuda, distributed, distributions, func, linalg, nn, onnx,
               optim, random, special, testing, utils, viz)
from . import amp, cpu
from .amp.autocast_mode import (autocast, clear_autocast_cache, get_autocast_cpu_dtype,
                                get_autocast_dtype, get_autocast_gpu_dtype,
                                is_autocast_cache_enabled, is_autocast_cpu_enabled,
                                is_autocast_enabled, set_autocast_cache_enabled,
                                set_autocast_cpu_dtype, set_autocast_cpu_enabled,
                                set_autocast_dtype, set_autocast_enabled)
from ._summary import summary
from ._config import *  # torch.compile, set_default_device & other global switches
from .serialization import load, save

__version__ = "0.1.0"


def is_tensor(obj: object) -> bool:
    """True if obj is an ember Tensor (torch.is_tensor)."""
    return isinstance(obj, Tensor)


def is_floating_point(input: Tensor) -> bool:
    return input.is_floating_point()


def numel(input: Tensor) -> int:
    return input.numel()


_out.wrap_namespace(globals())   # torch's out= on every function that takes it
