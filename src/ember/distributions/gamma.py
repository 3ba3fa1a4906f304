"""The Gamma distribution (torch.distributions.Gamma), with torch's implicit reparameterization
gradient for rsample."""

from __future__ import annotations

from typing import Any

import numpy as np

import ember
from ember import Size, Tensor
from ember._backend import rng
from ember.autograd.function import Function
from ember.ops.elementwise import _digamma

from . import constraints
from .distribution import Distribution
from .utils import broadcast_all

__all__ = ["Gamma"]

# torch's bivariate rational approximation of the gradient (ATen standard_gamma_grad_one)
_COEF_UV = np.array([
    [0.16009398, -0.094634809, 0.025146376, -0.0030648343,
     1, 0.32668115, 0.10406089, 0.0014179084],
    [0.53487893, 0.1298071, 0.065735949, -0.0015649758,
     0.16639465, 0.020070113, -0.0035938915, -0.00058392623],
    [0.040121004, -0.0065914022, -0.0026286047, -0.0013441777,
     0.017050642, -0.0021309326, 0.00085092367, -1.5247877e-07]])


def _standard_gamma_grad(alpha: np.ndarray, x: np.ndarray) -> np.ndarray:
    """d x / d alpha = -(d/dalpha cdf(x; alpha)) / pdf(x; alpha) for x ~ Gamma(alpha, 1),
    with torch's approximations (Taylor series for x < 0.8, Rice saddle point for alpha > 8,
    else a rational fit), computed in float64."""
    a, x = np.broadcast_arrays(alpha.astype(np.float64), x.astype(np.float64))
    with np.errstate(all="ignore"):
        # x < 0.8: Taylor series of the incomplete gamma function
        numer, denom = np.ones_like(x), a.copy()
        series1, series2 = numer / denom, numer / (denom * denom)
        for i in range(1, 6):
            numer = numer * (-x / i)
            denom = denom + 1
            series1 = series1 + numer / denom
            series2 = series2 + numer / (denom * denom)
        pow_x_alpha = x ** a
        gamma_pdf = x ** (a - 1) * np.exp(-x)
        gamma_cdf = pow_x_alpha * series1
        cdf_alpha = (np.log(x) - _digamma(a)) * gamma_cdf - pow_x_alpha * series2
        small = -cdf_alpha / gamma_pdf
        small = np.where(np.isnan(small), 0.0, small)
        # alpha > 8: saddle point expansion, with a polynomial near x = alpha
        numer_1 = 1 + 24 * a * (1 + 12 * a)
        numer_2 = (1440 * (a * a) + 6 * x * (53 - 120 * x) - 65 * x * x / a
                   + a * (107 + 3600 * x))
        near = numer_1 * numer_2 / (1244160 * (a * a) * (a * a))
        den = np.sqrt(8 * a)
        term2 = den / (a - x)
        term3 = (x - a - a * np.log(x / a)) ** -1.5
        term23 = np.where(x < a, term2 - term3, term2 + term3)
        term1 = np.log(x / a) * term23 - np.sqrt(2 / a) * (a + x) / ((a - x) * (a - x))
        stirling = 1 + 1 / (12 * a) * (1 + 1 / (24 * a))
        far = -stirling * x * term1 / den
        large = np.where((0.9 * a <= x) & (x <= 1.1 * a), near, far)
        # otherwise: rational approximation in u = log(x / alpha), v = log(alpha)
        u, v = np.log(x / a), np.log(a)
        c = [_COEF_UV[0, i] + u * (_COEF_UV[1, i] + u * _COEF_UV[2, i]) for i in range(8)]
        p = c[0] + v * (c[1] + v * (c[2] + v * c[3]))
        q = c[4] + v * (c[5] + v * (c[6] + v * c[7]))
        mid = np.exp(p / q)
    return np.where(x < 0.8, small, np.where(a > 8.0, large, mid))


class _StandardGamma(Function):
    """x ~ Gamma(alpha, 1) drawn from ember's RNG; backward is torch's implicit
    reparameterization gradient (first order only, as torch's _standard_gamma)."""

    _raw = True
    _name = "StandardGammaBackward0"

    @staticmethod
    def forward(ctx: Any, alpha: np.ndarray) -> np.ndarray:
        x = rng().standard_gamma(alpha).astype(alpha.dtype)
        x = np.maximum(x, np.finfo(alpha.dtype).tiny)
        ctx.alpha, ctx.x = alpha, x
        return x

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        return g * _standard_gamma_grad(ctx.alpha, ctx.x).astype(ctx.x.dtype)


class Gamma(Distribution):
    """Gamma(concentration, rate) (torch.distributions.Gamma); rsample is reparameterized
    with torch's implicit gradients. cdf (torch.special.gammainc) is not available."""

    arg_constraints = {"concentration": constraints.positive, "rate": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True

    def __init__(self, concentration: Any, rate: Any, validate_args: bool | None = None) -> None:
        self.concentration, self.rate = broadcast_all(concentration, rate)
        scalar = isinstance(concentration, (int, float)) and isinstance(rate, (int, float))
        super().__init__(Size() if scalar else self.concentration.size(),
                         validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Gamma:
        new = self._get_checked_instance(Gamma, _instance)
        batch_shape = Size(batch_shape)
        new.concentration = self.concentration.expand(batch_shape)
        new.rate = self.rate.expand(batch_shape)
        super(Gamma, new).__init__(batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def mean(self) -> Tensor:
        return self.concentration / self.rate

    @property
    def mode(self) -> Tensor:
        return ((self.concentration - 1) / self.rate).clamp(min=0)

    @property
    def variance(self) -> Tensor:
        return self.concentration / self.rate.pow(2)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        return _StandardGamma.apply(self.concentration.expand(shape)) / self.rate.expand(shape)

    def log_prob(self, value: Any) -> Tensor:
        value = ember.as_tensor(value, dtype=self.rate.dtype)
        if self._validate_args:
            self._validate_sample(value)
        return (ember.xlogy(self.concentration, self.rate)
                + ember.xlogy(self.concentration - 1, value)
                - self.rate * value - ember.lgamma(self.concentration))

    def entropy(self) -> Tensor:
        return (self.concentration - ember.log(self.rate) + ember.lgamma(self.concentration)
                + (1.0 - self.concentration) * ember.digamma(self.concentration))
