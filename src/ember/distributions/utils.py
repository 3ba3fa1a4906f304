"""Helpers shared by the distributions (torch.distributions.utils)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import ember
from ember import Tensor

__all__ = ["broadcast_all", "clamp_probs", "lazy_property", "logits_to_probs", "probs_to_logits",
           "BinaryProbs"]

euler_constant = 0.5772156649015329
_NUMBER = (int, float)


def broadcast_all(*values: Any) -> tuple[Tensor, ...]:
    """Broadcast Tensors and numbers to Tensors of one shape (distributions.utils.broadcast_all);
    numbers take the first Tensor's dtype, else the default dtype."""
    if not all(isinstance(v, (Tensor, *_NUMBER)) for v in values):
        raise ValueError("Input arguments must all be instances of Number, torch.Tensor or "
                         "objects implementing __torch_function__.")
    if not all(isinstance(v, Tensor) for v in values):
        dtype = next((v.dtype for v in values if isinstance(v, Tensor)),
                     ember.get_default_dtype())
        values = tuple(v if isinstance(v, Tensor) else ember.tensor(v, dtype=dtype)
                       for v in values)
    return tuple(ember.broadcast_tensors(*values))


def _standard_normal(shape: Any, dtype: Any) -> Tensor:
    return ember.randn(shape, dtype=dtype)


def _sum_rightmost(value: Tensor, dim: int) -> Tensor:
    """Sum over the rightmost dim dims."""
    if dim == 0:
        return value
    return value.reshape(value.shape[:-dim] + (-1,)).sum(-1)


def logits_to_probs(logits: Tensor, is_binary: bool = False) -> Tensor:
    """Probabilities from logits: sigmoid, or softmax over the last dim
    (distributions.utils.logits_to_probs)."""
    if is_binary:
        return ember.sigmoid(logits)
    return ember.softmax(logits, dim=-1)


def clamp_probs(probs: Tensor) -> Tensor:
    """probs clamped to [eps, 1 - eps] (distributions.utils.clamp_probs)."""
    eps = ember.finfo(probs.dtype).eps
    return probs.clamp(min=eps, max=1 - eps)


def probs_to_logits(probs: Tensor, is_binary: bool = False) -> Tensor:
    """Logits from probabilities (distributions.utils.probs_to_logits)."""
    ps_clamped = clamp_probs(probs)
    if is_binary:
        return ember.log(ps_clamped) - ember.log1p(-ps_clamped)
    return ember.log(ps_clamped)


class lazy_property:
    """A property computed on first access, then cached as an instance attribute
    (distributions.utils.lazy_property); computed with grad enabled."""

    def __init__(self, wrapped: Callable[[Any], Any]) -> None:
        self.wrapped = wrapped
        functools.update_wrapper(self, wrapped)  # type: ignore[arg-type]

    def __get__(self, instance: Any, obj_type: Any = None) -> Any:
        if instance is None:
            return self
        with ember.enable_grad():
            value = self.wrapped(instance)
        setattr(instance, self.wrapped.__name__, value)
        return value


class BinaryProbs:
    """probs and logits of a two-outcome family, each derived from the other on first use, and
    the one given as _param (torch repeats these in Bernoulli, Binomial, Geometric and
    LogitRelaxedBernoulli)."""

    @lazy_property
    def logits(self) -> Any:
        return probs_to_logits(self.probs, is_binary=True)

    @lazy_property
    def probs(self) -> Any:
        return logits_to_probs(self.logits, is_binary=True)

    @property
    def param_shape(self) -> Any:
        return self._param.size()

    def _set_probs_or_logits(self, probs: Any, logits: Any) -> Any:
        """Keep whichever was given as a tensor (and as _param); returns the batch shape."""
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        given = probs if probs is not None else logits
        (self._param,) = broadcast_all(given)
        setattr(self, "probs" if probs is not None else "logits", self._param)
        return ember.Size() if isinstance(given, (int, float)) else self._param.size()

    def _expand_probs_or_logits(self, new: Any, batch_shape: Any) -> None:
        for name in ("probs", "logits"):
            if name in self.__dict__:
                new._param = getattr(self, name).expand(batch_shape)
                setattr(new, name, new._param)
