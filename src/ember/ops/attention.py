"""Attention (torch.nn.functional): scaled_dot_product_attention, composed from ember ops
(matmul, masking, dropout) around one fused last-dim softmax."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._tensor import Tensor, _make
from ..autograd.function import Function
from .nn_ops import dropout

# Set by ember.amp.autocast while CPU float16 autocast is on (else None): the input casts of
# torch's CPU autocast lists, to float16 for scaled_dot_product_attention.
_autocast = None

__all__ = ["scaled_dot_product_attention"]


class _Softmax(Function):
    """softmax over the last dim; `safe`: a row that is all -inf gives zeros, not NaN (the
    masked softmax torch's SDPA uses)."""

    _raw = True
    _name = "SoftmaxBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, safe: bool) -> np.ndarray:
        m = np.max(x, axis=-1, keepdims=True) if x.shape[-1] else x
        if safe:
            m = np.where(m == -np.inf, 0, m)
        e = np.exp(x - m)
        s = np.sum(e, axis=-1, keepdims=True)
        y = e / s if not safe else e / np.where(s == 0, 1, s)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (y,) = ctx.saved_tensors   # d softmax = y·(g - Σ g·y)
        return y * (g - np.sum(g * y, axis=-1, keepdims=True)), None


def softmax_last(x: Tensor, safe: bool = False) -> Tensor:
    """Softmax over the last dim (`safe`: fully masked rows give 0)."""
    return _Softmax.apply(x, safe)


def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor,
                                 attn_mask: Tensor | None = None, dropout_p: float = 0.0,
                                 is_causal: bool = False, scale: float | None = None,
                                 enable_gqa: bool = False) -> Tensor:
    """softmax(q kᵀ·scale + mask) v over (..., L, E) queries and (..., S, E) keys, (..., S, Ev)
    values (F.scaled_dot_product_attention). A bool mask is True where attention is allowed,
    a float mask is added to the scores; a row with nothing allowed gives zeros, as torch."""
    if _autocast is not None:
        query, key, value = _autocast(query, key, value)
    qd, kd, vd = query.dim(), key.dim(), value.dim()
    if qd < 2 or kd < 2 or vd < 2:
        raise RuntimeError(
            f"scaled_dot_product_attention: Expected query, key, and value to all be at least "
            f"2 dimensional, but got query.dim: {qd} key.dim: {kd} and value.dim: {vd} instead.")
    qdt = query._data.dtype
    if key._data.dtype != qdt or value._data.dtype != qdt:
        raise RuntimeError(
            f"scaled_dot_product_attention: Expected query, key, and value to have the same "
            f"dtype, but got query.dtype: {query.dtype} key.dtype: {key.dtype} and "
            f"value.dtype: {value.dtype} instead.")
    if qdt.kind != "f":
        raise RuntimeError(f"scaled_dot_product_attention: expected floating-point query, key "
                           f"and value, got {query.dtype}")
    L, E = query.shape[-2], query.shape[-1]
    S = key.shape[-2]
    if key.shape[-1] != E or value.shape[-2] != S:
        raise RuntimeError(
            f"scaled_dot_product_attention: expected query (..., L, E), key (..., S, E) and "
            f"value (..., S, Ev) with the same E and S, got query {list(query.shape)}, key "
            f"{list(key.shape)}, value {list(value.shape)}")
    if enable_gqa and qd >= 3 and kd >= 3:
        hq, hk, hv = query.shape[-3], key.shape[-3], value.shape[-3]
        if hq % hk or hq % hv:
            raise RuntimeError(
                f"scaled_dot_product_attention: Number of heads in key and value must divide "
                f"the number of heads in query (enable_gqa=True), got {hq} query heads, {hk} "
                f"key heads and {hv} value heads")
        if hk != hq:
            key = key.repeat_interleave(hq // hk, -3)
        if hv != hq:
            value = value.repeat_interleave(hq // hv, -3)
    if scale is None:
        scale = 1.0 / math.sqrt(E) if E else 1.0
    try:
        scores = (query @ key.transpose(-2, -1)) * scale
    except RuntimeError as exc:
        raise RuntimeError(
            f"scaled_dot_product_attention: query {list(query.shape)} and key "
            f"{list(key.shape)} have batch dims that do not broadcast ({exc})") from None
    allowed = None
    if is_causal:
        if attn_mask is not None:
            raise RuntimeError("scaled_dot_product_attention: Explicit attn_mask should not be "
                               "set when is_causal=True (fold the causal mask into attn_mask)")
        allowed = np.tril(np.ones((L, S), dtype=bool))
    if attn_mask is not None:
        md = attn_mask._data
        if md.dtype.kind == "b":
            allowed = md if allowed is None else md & allowed
        elif md.dtype == qdt:
            scores = _add_mask(scores, attn_mask)
        else:
            raise RuntimeError(
                f"scaled_dot_product_attention: Expected attn_mask dtype to be bool or float "
                f"or to match query dtype, but got attn_mask.dtype: {attn_mask.dtype} and "
                f"query.dtype: {query.dtype} instead.")
    if allowed is not None:
        try:
            scores = scores.masked_fill(_make(np.logical_not(allowed)), -math.inf)
        except RuntimeError as exc:
            raise RuntimeError(
                f"scaled_dot_product_attention: attn_mask of shape {list(np.shape(allowed))} "
                f"does not broadcast to the attention scores {list(scores.shape)} ({exc})"
            ) from None
    attn = _Softmax.apply(scores, True)
    if dropout_p > 0.0:
        attn = dropout(attn, dropout_p, True)
    return attn @ value


def _add_mask(scores: Tensor, mask: Tensor) -> Tensor:
    try:
        return scores + mask
    except RuntimeError as exc:
        raise RuntimeError(
            f"scaled_dot_product_attention: attn_mask of shape {list(mask.shape)} does not "
            f"broadcast to the attention scores {list(scores.shape)} ({exc})") from None
