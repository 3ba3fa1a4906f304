"""Linear layers: Linear, Bilinear, LazyLinear (as torch.nn)."""

from __future__ import annotations

import math
from typing import Any

from ...ops.creation import empty
from ...ops.nn_ops import bilinear, linear
from .. import init
from ..module import Module
from ..parameter import Parameter

__all__ = ["Linear", "Bilinear", "LazyLinear"]


class Linear(Module):
    """y = x Wᵀ + b with weight (out_features, in_features) (torch.nn.Linear)."""

    def __init__(self, in_features: int, out_features: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        self.weight = Parameter(empty((out_features, in_features), device=device, dtype=dtype))
        if bias:
            self.bias = Parameter(empty(out_features, device=device, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        # kaiming_uniform_(a=√5) is U(-1/√fan_in, 1/√fan_in); the bias gets the same bound
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input: Any) -> Any:
        try:
            return linear(input, self.weight, self.bias)
        except (RuntimeError, TypeError) as exc:
            raise type(exc)(f"{self._get_name()}({self.extra_repr()}): {exc}") from None

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class Bilinear(Module):
    """y = x1ᵀ W x2 + b with weight (out, in1, in2) (torch.nn.Bilinear)."""

    def __init__(self, in1_features: int, in2_features: int, out_features: int,
                 bias: bool = True, device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        self.in1_features = in1_features
        self.in2_features = in2_features
        self.out_features = out_features
        self.weight = Parameter(empty((out_features, in1_features, in2_features),
                                      device=device, dtype=dtype))
        if bias:
            self.bias = Parameter(empty(out_features, device=device, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        bound = 1 / math.sqrt(self.weight.shape[1])
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1: Any, input2: Any) -> Any:
        return bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")


class LazyLinear(Linear):
    """A Linear whose in_features is read from the first input (torch.nn.LazyLinear)."""

    def __init__(self, out_features: int, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        Module.__init__(self)
        self.in_features = 0
        self.out_features = out_features
        self._factory = {"device": device, "dtype": dtype}
        self.weight = Parameter(empty(0, device=device, dtype=dtype))
        if bias:
            self.bias = Parameter(empty(0, device=device, dtype=dtype))
        else:
            self.register_parameter("bias", None)

    def forward(self, input: Any) -> Any:
        if self.in_features == 0:
            self.in_features = input.shape[-1]
            self.weight = Parameter(empty((self.out_features, self.in_features),
                                          **self._factory))
            if self.bias is not None:
                self.bias = Parameter(empty(self.out_features, **self._factory))
            self.reset_parameters()
            self.__class__ = Linear   # materialised: a plain Linear from now on, as torch
        return Linear.forward(self, input)
