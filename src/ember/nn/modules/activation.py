"""Activation modules (torch.nn's): thin wrappers over `ember.nn.functional`, with torch's
constructor arguments, `extra_repr` texts and PReLU's `weight` parameter."""

from __future__ import annotations

from typing import Any

from ..._tensor import Tensor
from ...ops import activation as F
from ...ops.creation import full
from ..module import Module
from ..parameter import Parameter

__all__ = ["ReLU", "ReLU6", "LeakyReLU", "PReLU", "ELU", "SELU", "CELU", "GELU", "SiLU", "Mish",
           "Sigmoid", "Tanh", "Hardtanh", "Hardsigmoid", "Hardswish", "Softplus", "Softsign",
           "Softshrink", "Hardshrink", "Tanhshrink", "Threshold", "GLU", "LogSigmoid", "Softmax",
           "LogSoftmax", "Softmin", "Softmax2d", "RReLU"]


def _inplace_repr(inplace: bool) -> str:
    return "inplace=True" if inplace else ""


class _Inplace(Module):
    """Base of the activations whose only option is `inplace`."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def extra_repr(self) -> str:
        return _inplace_repr(self.inplace)


class ReLU(_Inplace):
    """max(x, 0) (torch.nn.ReLU)."""

    def forward(self, input: Tensor) -> Tensor:
        return F.relu(input, self.inplace)


class SELU(_Inplace):
    """Scaled ELU with the self-normalising constants (torch.nn.SELU)."""

    def forward(self, input: Tensor) -> Tensor:
        return F.selu(input, self.inplace)


class SiLU(_Inplace):
    """x * sigmoid(x) (torch.nn.SiLU)."""

    def forward(self, input: Tensor) -> Tensor:
        return F.silu(input, self.inplace)


class Mish(_Inplace):
    """x * tanh(softplus(x)) (torch.nn.Mish)."""

    def forward(self, input: Tensor) -> Tensor:
        return F.mish(input, self.inplace)


class Hardsigmoid(_Inplace):
    """relu6(x + 3) / 6 (torch.nn.Hardsigmoid; its repr omits inplace, as torch's)."""

    def extra_repr(self) -> str:
        return ""

    def forward(self, input: Tensor) -> Tensor:
        return F.hardsigmoid(input, self.inplace)


class Hardswish(Hardsigmoid):
    """x * relu6(x + 3) / 6 (torch.nn.Hardswish)."""

    def forward(self, input: Tensor) -> Tensor:
        return F.hardswish(input, self.inplace)


class Hardtanh(Module):
    """clamp(x, min_val, max_val) (torch.nn.Hardtanh)."""

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False,
                 min_value: float | None = None, max_value: float | None = None) -> None:
        super().__init__()
        if min_value is not None:
            min_val = min_value
        if max_value is not None:
            max_val = max_value
        if max_val <= min_val:
            raise AssertionError(f"Hardtanh: max_val ({max_val}) must be greater than min_val "
                                 f"({min_val})")
        self.min_val, self.max_val, self.inplace = min_val, max_val, inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.hardtanh(input, self.min_val, self.max_val, self.inplace)

    def extra_repr(self) -> str:
        r = f"min_val={self.min_val}, max_val={self.max_val}"
        return r + ", inplace=True" if self.inplace else r


class ReLU6(Hardtanh):
    """min(max(x, 0), 6) (torch.nn.ReLU6)."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__(0.0, 6.0, inplace)

    def extra_repr(self) -> str:
        return _inplace_repr(self.inplace)


class LeakyReLU(Module):
    """x where positive, else negative_slope * x (torch.nn.LeakyReLU)."""

    def __init__(self, negative_slope: float = 1e-2, inplace: bool = False) -> None:
        super().__init__()
        self.negative_slope, self.inplace = negative_slope, inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.leaky_relu(input, self.negative_slope, self.inplace)

    def extra_repr(self) -> str:
        r = f"negative_slope={self.negative_slope}"
        return r + ", inplace=True" if self.inplace else r


class RReLU(Module):
    """Randomized leaky ReLU: slope ~ U(lower, upper) per element in training, else
    (lower + upper) / 2 (torch.nn.RReLU)."""

    def __init__(self, lower: float = 1.0 / 8, upper: float = 1.0 / 3,
                 inplace: bool = False) -> None:
        super().__init__()
        self.lower, self.upper, self.inplace = lower, upper, inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.rrelu(input, self.lower, self.upper, self.training, self.inplace)

    def extra_repr(self) -> str:
        r = f"lower={self.lower}, upper={self.upper}"
        return r + ", inplace=True" if self.inplace else r


class PReLU(Module):
    """Leaky ReLU with a learned slope `weight` of shape (num_parameters,) (torch.nn.PReLU)."""

    def __init__(self, num_parameters: int = 1, init: float = 0.25, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        self.num_parameters = num_parameters
        self.init = init
        self.weight = Parameter(full((num_parameters,), float(init), dtype=dtype, device=device))

    def reset_parameters(self) -> None:
        from .. import init
        init.constant_(self.weight, self.init)

    def forward(self, input: Tensor) -> Tensor:
        return F.prelu(input, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


class ELU(Module):
    """x where positive, else alpha * (exp(x) - 1) (torch.nn.ELU)."""

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha, self.inplace = alpha, inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.elu(input, self.alpha, self.inplace)

    def extra_repr(self) -> str:
        r = f"alpha={self.alpha}"
        return r + ", inplace=True" if self.inplace else r


class CELU(ELU):
    """max(0, x) + min(0, alpha * (exp(x / alpha) - 1)) (torch.nn.CELU)."""

    def forward(self, input: Tensor) -> Tensor:
        return F.celu(input, self.alpha, self.inplace)


class GELU(Module):
    """x * Φ(x), or its tanh approximation (torch.nn.GELU)."""

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        self.approximate = approximate

    def forward(self, input: Tensor) -> Tensor:
        return F.gelu(input, approximate=self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class Softplus(Module):
    """log(1 + exp(beta * x)) / beta, linear above threshold (torch.nn.Softplus)."""

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        self.beta, self.threshold = beta, threshold

    def forward(self, input: Tensor) -> Tensor:
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class Softshrink(Module):
    """Soft shrinkage by lambd (torch.nn.Softshrink)."""

    def __init__(self, lambd: float = 0.5) -> None:
        super().__init__()
        self.lambd = lambd

    def forward(self, input: Tensor) -> Tensor:
        return F.softshrink(input, self.lambd)

    def extra_repr(self) -> str:
        return str(self.lambd)


class Hardshrink(Softshrink):
    """x where |x| > lambd, else 0 (torch.nn.Hardshrink)."""

    def forward(self, input: Tensor) -> Tensor:
        return F.hardshrink(input, self.lambd)


class Threshold(Module):
    """x where x > threshold, else value (torch.nn.Threshold)."""

    def __init__(self, threshold: float, value: float, inplace: bool = False) -> None:
        super().__init__()
        self.threshold, self.value, self.inplace = threshold, value, inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.threshold(input, self.threshold, self.value, self.inplace)

    def extra_repr(self) -> str:
        r = f"threshold={self.threshold}, value={self.value}"
        return r + ", inplace=True" if self.inplace else r


class GLU(Module):
    """a * sigmoid(b), the halves of the input along dim (torch.nn.GLU)."""

    def __init__(self, dim: int = -1) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return F.glu(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


def _stateless(name: str, fn: Any, doc: str) -> type:
    def forward(self: Module, input: Tensor) -> Tensor:
        return fn(input)
    return type(name, (Module,), {"forward": forward, "__doc__": doc,
                                  "__module__": __name__})


Sigmoid = _stateless("Sigmoid", F.sigmoid, "1 / (1 + exp(-x)) (torch.nn.Sigmoid).")
Tanh = _stateless("Tanh", F.tanh, "Hyperbolic tangent (torch.nn.Tanh).")
Softsign = _stateless("Softsign", F.softsign, "x / (1 + |x|) (torch.nn.Softsign).")
Tanhshrink = _stateless("Tanhshrink", F.tanhshrink, "x - tanh(x) (torch.nn.Tanhshrink).")
LogSigmoid = _stateless("LogSigmoid", F.logsigmoid, "log(sigmoid(x)) (torch.nn.LogSigmoid).")


class Softmax(Module):
    """softmax along dim (torch.nn.Softmax); dim=None picks torch's implicit dim, warning."""

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return F.softmax(input, self.dim, _stacklevel=5)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Softmin(Softmax):
    """softmax(-x) along dim (torch.nn.Softmin)."""

    def forward(self, input: Tensor) -> Tensor:
        return F.softmin(input, self.dim, _stacklevel=5)


class LogSoftmax(Softmax):
    """log(softmax(x)) along dim (torch.nn.LogSoftmax)."""

    def forward(self, input: Tensor) -> Tensor:
        return F.log_softmax(input, self.dim, _stacklevel=5)


class Softmax2d(Module):
    """softmax over the channels of (N, C, H, W) or (C, H, W) input (torch.nn.Softmax2d)."""

    def forward(self, input: Tensor) -> Tensor:
        if input.ndim not in (3, 4):
            raise ValueError(f"Softmax2d: expected input with 3 or 4 dimensions (C, H, W) or "
                             f"(N, C, H, W), got shape {list(input.shape)}")
        return F.softmax(input, -3)
