"""Connectionist temporal classification loss (torch.nn.functional.ctc_loss).

The forward (alpha) and backward (beta) recursions of Graves et al. (2006) run in log space,
vectorised over the batch and the extended label positions (labels interleaved with blanks);
only the time steps are a Python loop, as in an RNN. The gradient follows torch's CPU kernel
exactly: d/d log_probs[t, c] = exp(log_probs[t, c]) - exp(log Σ_{s: l'_s = c} α_t(s) β_t(s)
+ nll - log_probs[t, c]) for t < input_length, 0 after. Its exp(log_probs) term is what the
log_softmax in front of the loss cancels, so it is the true derivative only through a
log_softmax (torch's gradcheck also fails on the raw log_probs); as in torch, it cannot be
differentiated again."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._tensor import Tensor, _make
from ..autograd.function import Function
from . import elementwise as _ew
from .loss import _check_reduction, _tname

__all__ = ["ctc_loss"]

_CHECK = " (while checking arguments for ctc_loss_allocate_outputs)"


def _lse3(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """log(e^a + e^b + e^c) as torch's kernel computes it (max shift, 0 when all are -inf)."""
    m = np.maximum(np.maximum(a, b), c)
    m = np.where(m == -np.inf, m.dtype.type(0), m)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log(np.exp(a - m) + np.exp(b - m) + np.exp(c - m)) + m


def _shift(x: np.ndarray, k: int) -> np.ndarray:
    """x moved k places along the last axis (right for k > 0, left for k < 0), -inf filled."""
    out = np.full_like(x, -np.inf)
    if k > 0:
        out[:, k:] = x[:, :-k]
    else:
        out[:, :k] = x[:, -k:]
    return out


class CtcLoss(Function):
    """Per-sample negative log likelihood of the targets under CTC (torch's _ctc_loss)."""

    _raw = True
    _name = "CtcLossBackward0"

    @staticmethod
    def forward(ctx: Any, lp: np.ndarray, ext: np.ndarray, il: np.ndarray, tl: np.ndarray,
                blank: int, zero_infinity: bool) -> np.ndarray:
        # lp (T, N, C) or unbatched (T, C); ext (N, 2 Lmax + 1): the extended labels
        x = lp if lp.ndim == 3 else lp[:, None]
        T, N, _ = x.shape
        S = ext.shape[1]
        rows = np.arange(N)
        pos = np.arange(S)
        valid = pos < (2 * tl + 1)[:, None]                       # (N, S)
        # log probability of each extended label at each step, -inf past a sample's labels
        lpl = np.where(valid, x[:, rows[:, None], ext], -np.inf)  # (T, N, S)
        skip = np.zeros((N, S), bool)                             # s-2 -> s allowed
        skip[:, 2:] = ext[:, 2:] != ext[:, :-2]
        la = np.full((T, N, S), -np.inf, x.dtype)
        la[0, :, 0] = lpl[0, :, 0]
        if S > 1:
            la[0, :, 1] = lpl[0, :, 1]
        for t in range(1, T):
            prev = la[t - 1]
            la[t] = _lse3(prev, _shift(prev, 1), np.where(skip, _shift(prev, 2), -np.inf)) \
                + lpl[t]
        last = la[np.maximum(il - 1, 0), rows]                    # (N, S) at t = il - 1
        end = last[rows, 2 * tl]
        ll = np.where(tl > 0, np.logaddexp(end, last[rows, np.maximum(2 * tl - 1, 0)]), end)
        ll = np.where(il == 0, np.where(tl == 0, 0, -np.inf), ll)
        nll = (-ll).astype(x.dtype, copy=False)
        ctx.save_for_backward(lp)
        ctx.la, ctx.lpl, ctx.ext, ctx.skip, ctx.valid = la, lpl, ext, skip, valid
        ctx.il, ctx.tl, ctx.nll, ctx.blank, ctx.zero_infinity = il, tl, nll, blank, zero_infinity
        return nll

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (lp,) = ctx.saved_tensors
        if isinstance(g, Tensor) or isinstance(lp, Tensor):   # create_graph: record a node
            gx = _CtcLossGrad.apply(g, lp, ctx)               # that refuses a 2nd derivative
        else:
            gx = _ctc_grad(ctx, lp, g)
        return gx, None, None, None, None, None


class _CtcLossGrad(Function):
    """CTC's gradient as a graph node, for create_graph: like torch, not differentiable."""

    _raw = True
    _name = "NotImplemented"

    @staticmethod
    def forward(ctx: Any, g: np.ndarray, lp: np.ndarray, fwd: Any) -> np.ndarray:
        return _ctc_grad(fwd, lp, g)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        raise RuntimeError("derivative for aten::_ctc_loss_backward is not implemented")


def _ctc_grad(ctx: Any, lp: np.ndarray, g: np.ndarray) -> np.ndarray:
    """torch's CTC gradient w.r.t. log_probs, scaled by each sample's cotangent g (N,)."""
    x = lp if lp.ndim == 3 else lp[:, None]
    T, N, C = x.shape
    la, lpl, ext, skip, valid = ctx.la, ctx.lpl, ctx.ext, ctx.skip, ctx.valid
    il, tl, nll = ctx.il, ctx.tl, ctx.nll
    S = ext.shape[1]
    rows = np.arange(N)
    pos = np.arange(S)
    ends = valid & (pos >= (2 * tl - 1)[:, None])    # where beta starts, at t = il - 1
    skip_b = np.zeros((N, S), bool)                   # s+2 -> s allowed (backwards)
    skip_b[:, :-2] = skip[:, 2:]
    lb = np.full_like(la, -np.inf)
    none = np.full((N, S), -np.inf, x.dtype)
    for t in range(T - 1, -1, -1):
        if t < T - 1:
            nxt = lb[t + 1]
            rec = _lse3(nxt, _shift(nxt, -1), np.where(skip_b, _shift(nxt, -2), -np.inf)) \
                + lpl[t]
            rec = np.where((t < il - 1)[:, None], rec, -np.inf)
        else:
            rec = none
        lb[t] = np.where((t == il - 1)[:, None] & ends, lpl[t], rec)
    # log Σ αβ / y per extended position (β includes y_t, so αβ counts it twice)
    with np.errstate(invalid="ignore"):
        q = np.where(valid, la + lb - lpl, -np.inf)
    # torch assigns (does not add) the last step's two end states: a target equal to blank
    # overwrites the blank's entry there
    over = (tl > 0) & (il > 0) & (ext[rows, np.maximum(2 * tl - 1, 0)] == ctx.blank)
    q[np.maximum(il - 1, 0)[over], rows[over], (2 * tl)[over]] = -np.inf
    m = np.fmax.reduce(q, axis=2, keepdims=True)
    m = np.where(np.isfinite(m), m, m.dtype.type(0))
    idx = ((np.arange(T)[:, None, None] * N + rows[:, None]) * C + ext).ravel()
    acc = np.bincount(idx, np.exp(q - m).ravel(), T * N * C).reshape(T, N, C)
    with np.errstate(divide="ignore"):
        res = np.log(acc).astype(x.dtype, copy=False) + m + x   # log Σ_{s: l'_s = c} αβ
    with np.errstate(invalid="ignore"):
        gx = (np.exp(x) - np.exp(res + nll[:, None] - x)) * g[:, None]
    keep = np.arange(T)[:, None] < il
    if ctx.zero_infinity:
        keep = keep & (nll != np.inf)
    gx = np.where(keep[:, :, None], gx, gx.dtype.type(0))
    return gx.reshape(lp.shape)


def _lengths(input_lengths: Any, target_lengths: Any) -> tuple[np.ndarray, np.ndarray]:
    """Both lengths as int64 arrays: both Tensors (integral) or both sequences of ints."""
    if isinstance(input_lengths, Tensor) and isinstance(target_lengths, Tensor):
        out = []
        for name, v in (("input_lengths", input_lengths), ("target_lengths", target_lengths)):
            if v._data.dtype.kind not in "iu":
                raise RuntimeError(f"{name} must be integral")
            out.append(v._data.reshape(-1).astype(np.int64))
        return out[0], out[1]

    def ints(v: Any) -> bool:
        return isinstance(v, (list, tuple)) and all(
            isinstance(i, (int, np.integer)) and not isinstance(i, bool) for i in v)

    if not (ints(input_lengths) and ints(target_lengths)):
        raise TypeError(
            f"ctc_loss(): input_lengths and target_lengths must both be integer Tensors or "
            f"both tuples/lists of ints, got {type(input_lengths).__name__} and "
            f"{type(target_lengths).__name__}")
    return (np.array(input_lengths, np.int64).reshape(-1),
            np.array(target_lengths, np.int64).reshape(-1))


def _padded_targets(targets: np.ndarray, tl: np.ndarray,
                    N: int) -> tuple[np.ndarray, np.ndarray]:
    """The targets as (N, max target length), checked as torch does, and the mask of the
    entries within each target length."""
    if (tl < 0).any():
        raise RuntimeError(f"Expected target_lengths to have value at least 0, but got value "
                           f"{tl[tl < 0][0]}{_CHECK}")
    L = int(tl.max(initial=0))
    j = np.arange(L)
    mask = j < tl[:, None]
    if targets.ndim == 1:   # concatenated
        total = int(tl.sum())
        if targets.shape[0] != total:
            raise RuntimeError(f"Expected tensor to have size {total} at dimension 0, but got "
                               f"size {targets.shape[0]} for argument #2 'targets'{_CHECK}")
        start = np.cumsum(tl) - tl
        picked = targets[np.where(mask, start[:, None] + j, 0)] if total else \
            np.zeros((N, L), np.int64)
    else:
        if targets.shape[0] != N:
            raise RuntimeError(f"Expected tensor to have size {N} at dimension 0, but got size "
                               f"{targets.shape[0]} for argument #2 'targets'{_CHECK}")
        if targets.shape[1] < L:
            raise RuntimeError(f"Expected tensor to have size at least {L} at dimension 1, but "
                               f"got size {targets.shape[1]} for argument #2 'targets'{_CHECK}")
        picked = targets[:, :L]
    return picked, mask


def ctc_loss(log_probs: Tensor, targets: Tensor, input_lengths: Any, target_lengths: Any,
             blank: int = 0, reduction: str = "mean", zero_infinity: bool = False) -> Tensor:
    """Connectionist temporal classification loss (torch.nn.functional.ctc_loss)."""
    _check_reduction(reduction, "ctc_loss")
    for name, v in (("log_probs", log_probs), ("targets", targets)):
        if not isinstance(v, Tensor):
            raise TypeError(f"ctc_loss(): argument '{name}' must be Tensor, not "
                            f"{type(v).__name__}")
    il, tl = _lengths(input_lengths, target_lengths)
    if log_probs.numel() == 0:
        raise RuntimeError("log_probs tensor must not be empty")
    batched = log_probs.ndim == 3
    if not batched and log_probs.ndim != 2:   # torch unsqueezes anything not 3-D
        raise RuntimeError(f"Expected 3-dimensional tensor, but got {log_probs.ndim + 1}-"
                           f"dimensional tensor for argument #1 'log_probs'{_CHECK}")
    if targets.ndim not in (1, 2):
        raise RuntimeError(f"Expected 1 to 2 dimensions, but got {targets.ndim}-dimensional "
                           f"tensor for argument #2 'targets'{_CHECK}")
    T, C = log_probs.shape[0], log_probs.shape[-1]
    N = log_probs.shape[1] if batched else 1
    if not 0 <= blank < C:
        raise RuntimeError("blank must be in label range")
    if il.shape[0] != N:
        raise RuntimeError("input_lengths must be of size batch_size")
    if tl.shape[0] != N:
        raise RuntimeError("target_lengths must be of size batch_size")
    tgt, mask = _padded_targets(targets._data.astype(np.int64), tl, N)
    if (il < 0).any():
        raise RuntimeError(f"Expected input_lengths to have value at least 0, but got value "
                           f"{il[il < 0][0]}{_CHECK}")
    if (il > T).any():
        raise RuntimeError(f"Expected input_lengths to have value at most {T}, but got value "
                           f"{il[il > T][0]}{_CHECK}")
    dt = log_probs._data.dtype
    if dt not in (np.float32, np.float64):
        raise NotImplementedError(f"\"ctc_loss_cpu\" not implemented for '{_tname(dt)}'")
    bad = tgt[mask & ((tgt < 0) | (tgt >= C))]
    if bad.size:   # torch reads out of bounds here; ember refuses
        raise RuntimeError(f"ctc_loss: target value {bad[0]} is out of range: targets must be "
                           f"class indices in [0, {C - 1}] (log_probs has {C} classes)")
    ext = np.full((N, 2 * tgt.shape[1] + 1), blank, np.int64)
    ext[:, 1::2] = np.where(mask, tgt, blank)
    res = CtcLoss.apply(log_probs, ext, il, tl, blank, zero_infinity)
    if zero_infinity:
        res = _ew.where(res == np.inf, _make(np.zeros((), dt)), res)
    if reduction == "mean":
        return (res / _make(tl.astype(dt)).clamp_min(1)).mean()
    if reduction == "sum":
        return res.sum()
    return res if batched else res.squeeze(0)
