"""Layer math of `ember.nn.functional`: linear, bilinear, dropouts, embedding(_bag), one_hot,
normalize, cosine_similarity, pairwise_distance and pad (as `torch.nn.functional`).

`linear` is one fused Function (it is the hottest op of every MLP); with nothing to record it
skips the autograd machinery altogether. The others are raw Functions where a hand-written
backward pays, and compositions of ember ops otherwise."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from .. import _backend
from .._tensor import Tensor, _make
from ..autograd.function import Function
from ..autograd.grad_mode import no_grad
from ..autograd.grad_mode import state as grad_state
from ._util import check_inplace, commit_inplace
from ._util import matmul as matmul_arrays
from ._util import type_name as _type_name
from .elementwise import _TYPE_NAMES

# Set by ember.amp.autocast while CPU float16 autocast is on (else None): the input casts of
# torch's CPU autocast lists, to float16 for linear.
_autocast = None

__all__ = ["linear", "bilinear", "dropout", "dropout1d", "dropout2d", "dropout3d",
           "alpha_dropout", "feature_alpha_dropout", "embedding", "embedding_bag", "one_hot",
           "normalize", "cosine_similarity", "pairwise_distance", "pdist", "pad"]


# ----------------------------------------------------------------------------- linear
def _linear_error(x: np.ndarray, w: np.ndarray) -> RuntimeError:
    """torch's message for a linear whose input's last dim is not in_features, plus why."""
    rows = math.prod(x.shape[:-1]) if x.ndim > 1 else 1
    k = x.shape[-1] if x.ndim else 1
    if w.ndim != 2:
        return RuntimeError(f"linear: weight must be 2-D (out_features, in_features), got "
                            f"shape {tuple(w.shape)}")
    return RuntimeError(
        f"linear: mat1 and mat2 shapes cannot be multiplied ({rows}x{k} and "
        f"{w.shape[1]}x{w.shape[0]}): expected input with last dimension {w.shape[1]} "
        f"(in_features), got shape {tuple(x.shape)}")


def _linear_fwd(x: np.ndarray, w: np.ndarray, b: Any) -> np.ndarray:
    """y = x @ Wᵀ + b; the transpose is a free view, the add is in place on the fresh result."""
    if x.dtype is not w.dtype and x.dtype != w.dtype:
        raise RuntimeError(
            f"linear: mat1 and mat2 must have the same dtype: expected input and weight to "
            f"have the same dtype, but got input {_backend.from_np(x.dtype).name} and weight "
            f"{_backend.from_np(w.dtype).name}; convert the input with "
            f"x.to({_backend.from_np(w.dtype)}) or the model with "
            f"model.to({_backend.from_np(x.dtype)})")
    try:
        y = matmul_arrays(x, w.T)
    except ValueError:
        raise _linear_error(x, w) from None
    if b is not None:
        try:
            if y.ndim == 2 and b.ndim == 1:
                y += b[None]   # same ndim: NumPy skips its broadcasting setup (0.8 -> 0.3 µs)
            elif y.ndim:
                y += b
            else:
                y = y + b
        except ValueError:
            raise RuntimeError(
                f"linear: bias of shape {tuple(b.shape)} does not match out_features "
                f"{w.shape[0]} (output shape {tuple(y.shape)})") from None
    return y


class Linear(Function):
    """y = x @ Wᵀ + b for any leading dims (torch.nn.functional.linear)."""

    _raw = True
    _name = "AddmmBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any, w: Any, b: Any) -> Any:
        need = ctx.needs_input_grad
        ctx.save_for_backward(x if need[1] else None, w if need[0] else None)
        return _linear_fwd(x, w, b)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        # dx = g W, dW = gᵀ x (leading dims flattened), db = Σ g
        x, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        gx = matmul_arrays(g, w) if need[0] else None
        if not (need[1] or need[2]):
            return gx, None, None
        out = g.shape[-1] if g.ndim else 1
        g2 = g if g.ndim == 2 else np.reshape(g, (-1, out))
        gw = gb = None
        if need[1]:
            x2 = x if x.ndim == 2 else np.reshape(x, (-1, x.shape[-1]))
            gw = matmul_arrays(np.swapaxes(g2, 0, 1), x2)
        if need[2]:
            gb = np.sum(g2, axis=0)
        return gx, gw, gb


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """input @ weightᵀ + bias (torch.nn.functional.linear); weight is (out, in)."""
    if _autocast is not None:
        input, weight, bias = _autocast(input, weight, bias)
    try:
        if grad_state.enabled and (input._requires_grad or weight._requires_grad
                                   or (bias is not None and bias._requires_grad)):
            return Linear.apply(input, weight, bias)
        # nothing to record: no node, no ctx, one matmul and one add
        return _make(_linear_fwd(input._data, weight._data, None if bias is None else bias._data))
    except AttributeError:
        for i, (name, v) in enumerate((("input", input), ("weight", weight), ("bias", bias))):
            if not isinstance(v, Tensor) and not (name == "bias" and v is None):
                raise TypeError(
                    f"linear(): argument '{name}' (position {i + 1}) must be Tensor, not "
                    f"{_type_name(v)}; convert it first, e.g. ember.from_numpy(x) or "
                    f"ember.tensor(x)") from None
        raise


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None = None
             ) -> Tensor:
    """y_k = x1ᵀ W_k x2 + b_k over the last dims (torch.nn.functional.bilinear)."""
    if weight.dim() != 3 or input1.shape[-1] != weight.shape[1] \
            or input2.shape[-1] != weight.shape[2] or input1.shape[:-1] != input2.shape[:-1]:
        raise RuntimeError(
            f"bilinear: expected input1 (..., {weight.shape[1] if weight.dim() == 3 else '?'}), "
            f"input2 (..., {weight.shape[2] if weight.dim() == 3 else '?'}) with the same "
            f"leading dims and a 3-D weight (out, in1, in2); got input1 {tuple(input1.shape)}, "
            f"input2 {tuple(input2.shape)}, weight {tuple(weight.shape)}")
    out, in1, in2 = weight.shape
    lead = tuple(input1.shape[:-1])
    x1 = input1.reshape(-1, in1)
    x2 = input2.reshape(-1, in2)
    # (n, in1) @ (in1, out*in2) -> (n, out, in2), then contract in2 with x2
    t = (x1 @ weight.permute(1, 0, 2).reshape(in1, out * in2)).reshape(-1, out, in2)
    y = (t * x2.unsqueeze(1)).sum(-1)
    if bias is not None:
        y = y + bias
    return y.reshape(*lead, out)


# ----------------------------------------------------------------------------- dropout
class _MaskAffine(Function):
    """y = x·m (+ c): the dropouts with their random mask m (already scaled) and shift c."""

    _raw = True
    _name = "MulBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any, m: np.ndarray, c: Any) -> Any:
        ctx.m = m
        y = x * m
        if c is not None:
            y += c
        return y

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        return g * ctx.m, None, None   # d(x·m + c) = m


def _check_p(p: float) -> None:
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _apply_mask(input: Tensor, m: np.ndarray, c: Any, inplace: bool, op: str) -> Tensor:
    if inplace:
        check_inplace(input, op + "_")
        if not (grad_state.enabled and input._requires_grad):
            d = input._data
            np.multiply(d, m, out=d, casting="unsafe")
            if c is not None:
                np.add(d, c, out=d, casting="unsafe")
            input._vc[0] += 1
            return input
        return commit_inplace(input, _MaskAffine.apply(input, m, c), op + "_")
    return _MaskAffine.apply(input, m, c)


def _identity(input: Tensor, p: float, training: bool, feature_nd: int | None) -> bool:
    """ATen's dropout front: True when nothing is dropped (eval, p 0 or an empty input: the
    input itself comes back); a feature dropout needs 2+ dims (feature_nd: the dims it sees,
    after an unbatched input's unsqueeze) and an integer input is refused (its float mask
    cannot be cast back) unless p is 1 (a zero mask)."""
    _check_p(p)
    if not training or p == 0.0 or input._data.size == 0:
        return True
    if p < 1.0:
        if feature_nd is not None and feature_nd < 2:
            raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
        if input._data.dtype.kind != "f":
            raise RuntimeError("result type Float can't be cast to the desired output type "
                               f"{_TYPE_NAMES[input.dtype.name]}")
    return False


def _keep_mask(x: np.ndarray, shape: tuple, p: float, generator: Any = None) -> np.ndarray:
    """Bernoulli(1-p) keep mask of `shape` (broadcastable to x), as x's float dtype."""
    dt = x.dtype if x.dtype.kind == "f" else _backend.default_float()
    r = _backend.rng(generator).random(shape, dtype=np.float32 if dt != np.float64 else dt)
    return (r >= p).astype(dt)


def _dropout(input: Tensor, p: float, training: bool, inplace: bool, shape: tuple,
             op: str, feature_nd: int | None = None) -> Tensor:
    if _identity(input, p, training, feature_nd):
        return input
    x = input._data
    if p == 1.0:
        m = np.zeros((1,) * x.ndim, x.dtype)
    else:
        m = _keep_mask(x, shape, p)
        m *= m.dtype.type(1.0 / (1.0 - p))   # inverted dropout: E[y] = x
    return _apply_mask(input, m, None, inplace, op)


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False
            ) -> Tensor:
    """Zero each element with probability p and scale the rest by 1/(1-p), in training
    (torch.nn.functional.dropout)."""
    return _dropout(input, p, training, inplace, input._data.shape, "dropout")


def _feature_shape(shape: tuple) -> tuple:
    return tuple(shape[:2]) + (1,) * (len(shape) - 2)


def _channel_dropout(input: Tensor, p: float, training: bool, inplace: bool, batched: bool,
                     op: str) -> Tensor:
    """Drop whole channels: the mask is (N, C, 1, ...) (unbatched (C, ...): (1, C, 1, ...))."""
    shape = input._data.shape
    mshape = _feature_shape(shape) if batched else _feature_shape((1,) + shape)[1:]
    nd = len(shape) + (0 if batched else 1)
    return _dropout(input, p, training, inplace, mshape, op, feature_nd=nd)


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False
              ) -> Tensor:
    """Channel dropout of (N, C, L) or (C, L) inputs (torch.nn.functional.dropout1d)."""
    _check_p(p)
    nd = input.dim()
    if nd not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {nd}D input of shape "
            f"{tuple(input.shape)}. Note that dropout1d exists to provide channel-wise dropout "
            "on inputs with 1 spatial dimension, a channel dimension, and an optional batch "
            "dimension (i.e. 2D or 3D inputs).")
    return _channel_dropout(input, p, training, inplace, nd == 3, "dropout1d")


def _warn_dims(op: str, nd: int, ok: tuple, spatial: int) -> None:
    warnings.warn(
        f"{op}: Received a {nd}-D input to {op}, which is deprecated and will result in an "
        f"error in a future release. To retain the behavior and silence this warning, please "
        f"use dropout instead. Note that {op} exists to provide channel-wise dropout on inputs "
        f"with {spatial} spatial dimensions, a channel dimension, and an optional batch "
        f"dimension (i.e. {ok[0]}D or {ok[1]}D inputs).", stacklevel=3)


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False
              ) -> Tensor:
    """Channel dropout of (N, C, H, W) inputs (torch.nn.functional.dropout2d); a 3-D input
    is read as (N, C, L), as torch does."""
    _check_p(p)
    nd = input.dim()
    if nd not in (3, 4):
        _warn_dims("dropout2d", nd, (3, 4), 2)
    if nd == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D "
            "dropout behavior is desired - input is interpreted as shape (N, C, L), where C is "
            "the channel dim. This behavior will change in a future release to interpret the "
            "input as one without a batch dimension, i.e. shape (C, H, W). To maintain the 1D "
            "channel-wise dropout behavior, please switch to using dropout1d instead.",
            stacklevel=2)
    return _channel_dropout(input, p, training, inplace, True, "dropout2d")


def dropout3d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False
              ) -> Tensor:
    """Channel dropout of (N, C, D, H, W) or (C, D, H, W) inputs
    (torch.nn.functional.dropout3d)."""
    _check_p(p)
    nd = input.dim()
    if nd not in (4, 5):
        _warn_dims("dropout3d", nd, (4, 5), 3)
    return _channel_dropout(input, p, training, inplace, nd == 5, "dropout3d")


_SELU_ALPHA = 1.7580993408473766   # SELU's scale·alpha: the value a dropped unit saturates to


def _alpha(input: Tensor, p: float, training: bool, inplace: bool, shape: tuple,
           op: str, feature_nd: int | None = None) -> Tensor:
    if _identity(input, p, training, feature_nd):
        return input
    x = input._data
    if p == 1.0:
        return _apply_mask(input, np.zeros((1,) * x.ndim, x.dtype), None, inplace, op)
    keep = _keep_mask(x, shape, p)
    a = 1.0 / math.sqrt((_SELU_ALPHA ** 2 * p + 1) * (1 - p))
    # kept: a·x + α a p; dropped: -α a (1 - p); keeps zero mean and unit variance for SELU
    c = (keep - 1) * (_SELU_ALPHA * a) + _SELU_ALPHA * a * p
    return _apply_mask(input, keep * keep.dtype.type(a), c.astype(keep.dtype), inplace, op)


def alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False, inplace: bool = False
                  ) -> Tensor:
    """Dropout that keeps SELU's self-normalisation (torch.nn.functional.alpha_dropout)."""
    return _alpha(input, p, training, inplace, input._data.shape, "alpha_dropout")


def feature_alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False,
                          inplace: bool = False) -> Tensor:
    """Alpha dropout of whole channels (torch.nn.functional.feature_alpha_dropout)."""
    return _alpha(input, p, training, inplace, _feature_shape(input._data.shape),
                  "feature_alpha_dropout", feature_nd=input._data.ndim)


# ----------------------------------------------------------------------------- embedding
def _check_indices(idx: np.ndarray, n: int, op: str) -> None:
    if idx.dtype not in (np.int64, np.int32):
        raise RuntimeError(
            f"{op}: Expected tensor for argument #1 'indices' to have one of the following "
            f"scalar types: Long, Int; but got {_backend.from_np(idx.dtype).name} instead "
            f"(indices must be an integer tensor; use .long())")
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        bad = idx[(idx < 0) | (idx >= n)]
        raise IndexError(
            f"{op}: index out of range in self: index {int(bad.flat[0])} is not in "
            f"[0, {n}) (num_embeddings={n})")


class _Embedding(Function):
    """Row lookup weight[idx]; its backward scatter-adds g into the looked-up rows."""

    _raw = True
    _name = "EmbeddingBackward0"

    @staticmethod
    def forward(ctx: Any, w: Any, idx: Any, padding_idx: Any, scale: bool) -> Any:
        ctx.args = (idx, w.shape, padding_idx, scale)
        return w[idx]

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        # d W[idx] = scatter-add of g into rows idx (none into padding_idx)
        idx, shape, padding_idx, scale = ctx.args
        flat = np.reshape(idx, (-1,))
        g2 = np.reshape(g, (flat.shape[0], shape[1]))
        if scale or padding_idx is not None:
            f = np.ones(flat.shape[0], g2.dtype)
            if scale:
                _, inv, counts = np.unique(flat, return_inverse=True, return_counts=True)
                f = f / counts[inv]
            if padding_idx is not None:
                f = f * (flat != padding_idx)
            g2 = g2 * f[:, None]
        if isinstance(g2, Tensor):
            from .creation import zeros
            return zeros(shape, dtype=g2.dtype).index_add(0, _make(flat), g2), None, None, None
        gw = np.zeros(shape, g2.dtype)
        np.add.at(gw, flat, g2)
        return gw, None, None, None


def _padding_idx(padding_idx: Any, n: int) -> Any:
    if padding_idx is None:
        return None
    if padding_idx > 0:
        assert padding_idx < n, "Padding_idx must be within num_embeddings"
    elif padding_idx < 0:
        assert padding_idx >= -n, "Padding_idx must be within num_embeddings"
        padding_idx += n
    return padding_idx


def _renorm(weight: Tensor, idx: np.ndarray, max_norm: float, norm_type: float) -> None:
    """Rescale, in place, the looked-up rows whose norm exceeds max_norm (torch's
    embedding_renorm_)."""
    w = weight._data
    rows = np.unique(idx)
    norms = np.linalg.norm(w[rows], ord=norm_type, axis=1)
    big = norms > max_norm
    if big.any():
        r = rows[big]
        w[r] *= (max_norm / (norms[big] + 1e-7))[:, None].astype(w.dtype)
        weight._vc[0] += 1


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None,
              max_norm: float | None = None, norm_type: float = 2.0,
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """Look up rows of weight (num_embeddings, embedding_dim) at integer indices
    (torch.nn.functional.embedding)."""
    if padding_idx is not None:   # torch reads weight.size(0) first (IndexError for 0-d)
        padding_idx = _padding_idx(padding_idx, weight.shape[0])
    if weight.dim() != 2:
        raise RuntimeError(f"'weight' must be 2-D (embedding: got a weight of shape "
                           f"{tuple(weight.shape)}; expected (num_embeddings, embedding_dim))")
    n = weight.shape[0]
    if sparse:
        raise NotImplementedError("embedding: sparse=True (sparse gradients) is not supported "
                                  "by ember; use sparse=False")
    idx = input._data
    _check_indices(idx, n, "embedding")
    if max_norm is not None:
        _renorm(weight, idx, max_norm, norm_type)
    return _Embedding.apply(weight, idx, padding_idx, scale_grad_by_freq)


def embedding_bag(input: Tensor, weight: Tensor, offsets: Tensor | None = None,
                  max_norm: float | None = None, norm_type: float = 2,
                  scale_grad_by_freq: bool = False, mode: str = "mean", sparse: bool = False,
                  per_sample_weights: Tensor | None = None, include_last_offset: bool = False,
                  padding_idx: int | None = None) -> Tensor:
    """Sums, means or maxes of bags of embeddings (torch.nn.functional.embedding_bag)."""
    from .creation import zeros
    if mode not in ("sum", "mean", "max"):
        raise ValueError("mode has to be one of sum, mean or max")
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError(
            f"embedding_bag: per_sample_weights was not None. per_sample_weights is only "
            f"supported for mode='sum' (got mode='{mode}'). Please open a feature request on "
            "GitHub.")
    if input.dim() == 2:
        if offsets is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated "
                             "is a mini-batch of fixed length sequences. However, found offsets "
                             f"of type {type(offsets).__name__}")
        nb, length = input.shape
        bag = np.repeat(np.arange(nb), length)
        flat = input.reshape(-1)
        if per_sample_weights is not None:
            per_sample_weights = per_sample_weights.reshape(-1)
    elif input.dim() == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.dim() != 1:
            raise ValueError("offsets has to be a 1D Tensor")
        off = offsets._data.astype(np.int64)
        flat = input
        if include_last_offset:
            off = off[:-1]
        nb = off.shape[0]
        if nb and (off[0] != 0 or np.any(np.diff(off) < 0) or off[-1] > flat.shape[0]):
            raise RuntimeError(f"embedding_bag: offsets must start at 0, be non-decreasing and "
                               f"not exceed the input length {flat.shape[0]}; got {off.tolist()}")
        bag = np.repeat(np.arange(nb), np.diff(np.append(off, flat.shape[0])))
    else:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension "
                         f"{input.dim()}")
    n, d = weight.shape
    pidx = _padding_idx(padding_idx, n)
    idx = flat._data
    _check_indices(idx, n, "embedding_bag")
    if max_norm is not None:
        _renorm(weight, idx, max_norm, norm_type)
    keep = np.ones(idx.shape[0], bool) if pidx is None else idx != pidx
    if not keep.all():
        sel = np.nonzero(keep)[0]
        idx, bag = idx[sel], bag[sel]
        if per_sample_weights is not None:
            per_sample_weights = per_sample_weights[_make(sel)]
    emb = _Embedding.apply(weight, idx, None, scale_grad_by_freq)
    if per_sample_weights is not None:
        emb = emb * per_sample_weights.unsqueeze(1)
    bag_t = _make(bag.astype(np.int64))
    if mode == "max":
        parts = []
        for b in range(nb):
            rows = np.nonzero(bag == b)[0]
            parts.append(emb[_make(rows)].amax(0) if rows.size else zeros(d, dtype=emb.dtype))
        from .shape import stack
        return stack(parts) if parts else zeros((0, d), dtype=emb.dtype)
    out = zeros((nb, d), dtype=emb.dtype).index_add(0, bag_t, emb)
    if mode == "mean":
        counts = np.bincount(bag, minlength=nb).astype(out._data.dtype)
        out = out / _make(np.maximum(counts, 1)[:, None])
    return out


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """int64 one-hot encoding along a new last dim (torch.nn.functional.one_hot)."""
    x = tensor._data
    if x.dtype != np.int64:
        raise RuntimeError(f"one_hot is only applicable to index tensor of type LongTensor "
                           f"(got {_backend.from_np(x.dtype).name}; use .long()).")
    if num_classes == -1:
        if x.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(x.max()) + 1
    if x.size:
        if x.min() < 0:
            raise RuntimeError(f"Class values must be non-negative (one_hot got "
                               f"{int(x.min())}).")
        if x.max() >= num_classes:
            raise RuntimeError(f"Class values must be smaller than num_classes (one_hot got "
                               f"{int(x.max())} with num_classes={num_classes}).")
    out = np.zeros(x.shape + (num_classes,), np.int64)
    np.put_along_axis(out, x[..., None], 1, axis=-1)
    return _make(out)


# ----------------------------------------------------------------------------- norms, distances
def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12,
              out: Any = None) -> Tensor:
    """input / max(‖input‖_p along dim, eps) (torch.nn.functional.normalize)."""
    from ..linalg import vector_norm
    res = input / vector_norm(input, p, dim, keepdim=True).clamp_min(eps).expand_as(input)
    if out is not None:
        out.copy_(res)
        return out
    return res


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """Σ (x1/‖x1‖)(x2/‖x2‖) along dim, each norm clamped to eps without touching its
    gradient (torch 2.13's formula; torch.nn.functional.cosine_similarity)."""
    from ..linalg import vector_norm
    from .shape import broadcast_tensors
    if x1.shape != x2.shape:
        try:
            x1, x2 = broadcast_tensors(x1, x2)
        except RuntimeError:
            raise RuntimeError(
                f"cosine_similarity: x1 {tuple(x1.shape)} and x2 {tuple(x2.shape)} do not "
                "broadcast") from None
    if not x1.is_floating_point():
        x1 = x1.to(_backend.get_default_dtype())
    if not x2.is_floating_point():
        x2 = x2.to(_backend.get_default_dtype())
    n1 = vector_norm(x1, 2, dim, keepdim=True)
    n2 = vector_norm(x2, 2, dim, keepdim=True)
    with no_grad():   # clamp the values only (torch clamps in place under no_grad)
        c1 = n1.clamp_min(eps) - n1
        c2 = n2.clamp_min(eps) - n2
    return ((x1 / (n1 + c1)) * (x2 / (n2 + c2))).sum(dim)


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6,
                      keepdim: bool = False) -> Tensor:
    """‖x1 - x2 + eps‖_p over the last dim (torch.nn.functional.pairwise_distance)."""
    from ..linalg import vector_norm
    nd = max(x1.dim(), x2.dim())
    return vector_norm(x1 - x2 + eps, p, nd - 1 if nd else None, keepdim=keepdim)


class Pdist(Function):
    """p-norm distances between the rows of an (N, M) matrix, pairs i < j in row-major order
    (torch.pdist)."""

    _raw = True
    _name = "PdistBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, p: float) -> np.ndarray:
        if x.ndim != 2:
            raise RuntimeError(f"pdist only supports 2D tensors, got: {x.ndim}D")
        if x.dtype.kind != "f":
            raise RuntimeError(f"pdist only supports floating-point dtypes, got "
                               f"{_backend.from_np(x.dtype).name}")
        if x.dtype == np.float16:
            raise NotImplementedError("\"pdist\" not implemented for 'Half' (this op does not "
                                      "support float16 tensors)")
        if not p >= 0:
            raise RuntimeError(f"pdist only supports non-negative p values, got p={p}")
        i, j = np.triu_indices(x.shape[0], 1)
        diff = x[i] - x[j]
        a = np.abs(diff)
        if p == 0:
            d = np.sum(a != 0, axis=-1).astype(x.dtype)
        elif p == 1:
            d = np.sum(a, axis=-1)
        elif p == 2:
            d = np.sqrt(np.sum(a * a, axis=-1))
        elif p == math.inf:
            d = np.max(a, axis=-1, initial=0)
        else:
            d = np.power(np.sum(np.power(a, p), axis=-1), 1 / p)
        ctx.save_for_backward(x)
        ctx.p, ctx.ij, ctx.diff, ctx.d = p, (i, j), diff, d
        return d

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        if isinstance(g, Tensor):   # create_graph: a gradient whose own backward raises, as torch
            return _PdistBackward.apply(g, ctx.saved_tensors[0], ctx), None
        return _pdist_grad(g, ctx.saved_tensors[0], ctx), None


def _pdist_grad(g: np.ndarray, x: np.ndarray, ctx: Any) -> np.ndarray:
    """torch's pdist backward: each pair's gradient, 0 where the distance is 0 (and, for p < 1,
    where a coordinate difference is 0), scattered +/- to its two rows."""
    p, (i, j), diff, d = ctx.p, ctx.ij, ctx.diff, ctx.d
    gx = np.zeros_like(x)
    if p == 0 or diff.size == 0:
        return gx
    g1, d1 = g[:, None], d[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):   # the masked entries may be inf/nan
        if p == 1:
            gd = np.sign(diff) * g1
        elif p < 2:
            gd = np.sign(diff) * np.power(np.abs(diff), p - 1) * g1 / np.power(d1, p - 1)
            gd = np.where((d1 == 0) | ((diff == 0) & (p < 1)), 0, gd)
        elif p == 2:
            gd = np.where(d1 == 0, 0, g1 * diff / d1)
        elif p == math.inf:
            gd = g1 * np.sign(diff) * (np.abs(diff) == d1)
        else:
            gd = diff * np.power(np.abs(diff), p - 2) * g1 / np.power(d1, p - 1)
            gd = np.where(d1 == 0, 0, gd)
    gd = gd.astype(x.dtype, copy=False)
    np.add.at(gx, i, gd)
    np.subtract.at(gx, j, gd)
    return gx


class _PdistBackward(Function):
    """pdist's gradient as a recorded op (create_graph=True); torch has no formula for its
    derivative, so differentiating it again raises torch's error."""

    _raw = True
    _name = "PdistBackwardBackward0"

    @staticmethod
    def forward(ctx: Any, g: np.ndarray, x: np.ndarray, fwd: Any) -> np.ndarray:
        return _pdist_grad(g, x, fwd)

    @staticmethod
    def backward(ctx: Any, gg: Any) -> Any:
        raise NotImplementedError("the derivative for '_pdist_backward' is not implemented.")


def pdist(input: Tensor, p: float = 2) -> Tensor:
    """p-norm distance between every pair of rows of an (N, M) input, as the condensed
    N(N-1)/2 vector (torch.nn.functional.pdist)."""
    return Pdist.apply(input, float(p))


# ----------------------------------------------------------------------------- pad
def _constant_pad_np(x: np.ndarray, width: tuple, value: Any) -> np.ndarray:
    """Pad (or crop, for negative widths) each dim by (lo, hi) with value."""
    shape = tuple(n + lo + hi for n, (lo, hi) in zip(x.shape, width))
    if any(s < 0 for s in shape):
        raise RuntimeError(
            f"pad: the padding {list(width)} gives a negative output size {list(shape)} for "
            f"input of shape {list(x.shape)}")
    out = np.full(shape, value, x.dtype)
    src = tuple(slice(max(-lo, 0), n - max(-hi, 0)) for n, (lo, hi) in zip(x.shape, width))
    dst = tuple(slice(max(lo, 0), s - max(hi, 0)) for s, (lo, hi) in zip(shape, width))
    out[dst] = x[src]
    return out


class _ConstantPad(Function):
    _raw = True
    _name = "ConstantPadNdBackward0"

    @staticmethod
    def forward(ctx: Any, x: Any, width: tuple, value: Any) -> Any:
        ctx.width = width
        return _constant_pad_np(x, width, value)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        neg = tuple((-lo, -hi) for lo, hi in ctx.width)   # d pad = crop (the opposite pad)
        if isinstance(g, Tensor):
            return _ConstantPad.apply(g, neg, 0), None, None
        return _constant_pad_np(g, neg, 0), None, None


def _pad_index(n: int, lo: int, hi: int, mode: str) -> np.ndarray:
    """Source index of each output position along one dim for the non-constant modes."""
    j = np.arange(-lo, n + hi)
    if mode == "replicate":
        return np.clip(j, 0, n - 1)
    if mode == "circular":
        return np.mod(j, n)
    period = 2 * (n - 1)   # reflect: mirror without repeating the edge
    j = np.mod(np.abs(j), period) if period else np.zeros_like(j)
    return np.where(j >= n, period - j, j)


def pad(input: Tensor, pad: Any, mode: str = "constant", value: float | None = None) -> Tensor:
    """Pad the last len(pad)//2 dims, last dim first: (left, right, top, bottom, ...)
    (torch.nn.functional.pad); modes constant, reflect, replicate, circular."""
    pad = tuple(int(p) for p in pad)
    nd = input.dim()
    if len(pad) % 2:
        raise RuntimeError(f"Padding length must be divisible by 2 (pad: got {list(pad)})")
    k = len(pad) // 2
    if k > nd:
        raise RuntimeError(
            f"Padding length should be less than or equal to two times the input dimension "
            f"but got padding length {len(pad)} and input of dimension {nd} (pad "
            f"{list(pad)}, input shape {tuple(input.shape)})")
    pairs = [(pad[2 * i], pad[2 * i + 1]) for i in range(k)]   # pairs[i] pads dim -1-i
    if mode == "constant":
        width = ((0, 0),) * (nd - k) + tuple(reversed(pairs))
        return _ConstantPad.apply(input, width, 0 if value is None else value)
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    if k not in (1, 2, 3) or nd not in (k + 1, k + 2):
        raise NotImplementedError(
            f"Padding size {len(pad)} is not supported for {nd}D input tensor.\n"
            "Supported combinations for non-constant padding:\n"
            "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
            "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
            "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")
    out = input
    shape = tuple(input.shape)
    for i, (lo, hi) in enumerate(pairs):
        d = nd - 1 - i
        n = shape[d]
        if mode == "reflect" and (lo >= n or hi >= n):
            raise RuntimeError(
                f"Argument #4: Padding size should be less than the corresponding input "
                f"dimension, but got: padding ({lo}, {hi}) at dimension {d} of input "
                f"{list(shape)}")
        if mode == "circular" and (lo > n or hi > n):
            raise RuntimeError(
                f"Padding value causes wrapping around more than once (circular pad "
                f"({lo}, {hi}) at dimension {d} of input {list(shape)}).")
        if n == 0 and lo + hi > 0:
            raise RuntimeError(f"pad: {mode} padding of dimension {d} of size 0 (input "
                               f"{list(shape)})")
        if lo or hi:
            out = out.index_select(d, _make(_pad_index(n, lo, hi, mode)))
    return out
