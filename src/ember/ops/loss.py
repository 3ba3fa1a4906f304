"""Loss functions, as `torch.nn.functional`: the hot ones (cross_entropy / nll_loss, mse_loss,
binary_cross_entropy, binary_cross_entropy_with_logits) are fused raw `Function`s with
hand-written backwards; the others compose ember ops (their gradients come from autograd).

Backward formulas use only operators and `np.*` functions (or ember ops on the Tensor path) so
that `create_graph=True` records second derivatives."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from .._tensor import Tensor, _make
from ..autograd.function import Function
from ..autograd.grad_mode import no_grad
from ..autograd.grad_mode import state as grad_state
from . import elementwise as _ew
from ._util import broadcast_error, promote
from .activation import _exp_sum
from .nn_ops import pairwise_distance

# Set by ember.amp.autocast while CPU float16 autocast is on (else None): the input casts of
# torch's CPU autocast lists, to float32 for the losses.
_autocast = None

__all__ = ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "cross_entropy", "nll_loss",
           "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div",
           "poisson_nll_loss", "gaussian_nll_loss", "cosine_embedding_loss",
           "margin_ranking_loss", "hinge_embedding_loss", "triplet_margin_loss",
           "triplet_margin_with_distance_loss",
           "multilabel_soft_margin_loss", "soft_margin_loss", "multi_margin_loss",
           "multilabel_margin_loss"]

_REDUCTIONS = ("none", "mean", "sum")
_TYPE_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
               "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


def _tname(dt: Any) -> str:
    return _TYPE_NAMES.get(np.dtype(dt).name, np.dtype(dt).name)


# ----------------------------------------------------------------------------- helpers
def _legacy(size_average: Any, reduce: Any, reduction: str) -> str:
    """torch's `_Reduction.legacy_get_string`: the old size_average/reduce flags win, with
    torch's deprecation warning."""
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    ret = "mean" if size_average and reduce else "sum" if reduce else "none"
    warnings.warn(f"size_average and reduce args will be deprecated, please use "
                  f"reduction='{ret}' instead.", stacklevel=3)
    return ret


def _check_reduction(reduction: Any, op: str) -> None:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction ({op} accepts "
                         "'none', 'mean' or 'sum')")


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    return loss.sum() if reduction == "sum" else loss


def _reduce_arr(loss: np.ndarray, reduction: str) -> Any:
    if reduction == "none":
        return loss
    s = np.sum(loss)
    if reduction == "sum":
        return s
    return s / loss.size    # mean of nothing is nan, as torch


def _grad_scale(g: Any, n: int, reduction: str) -> Any:
    """The cotangent of each element: g itself, or g / n for 'mean'."""
    return g / n if reduction == "mean" and n else g


def _size_warning(input: Tensor, target: Tensor, op: str) -> None:
    if target.shape != input.shape:
        warnings.warn(
            f"{op}: Using a target size ({target.shape}) that is different to the input size "
            f"({input.shape}). This will likely lead to incorrect results due to broadcasting. "
            "Please ensure they have the same size.", stacklevel=3)


def _sigmoid(z: Any) -> Any:
    """Stable logistic on arrays; ember.sigmoid on Tensors (create_graph)."""
    if isinstance(z, Tensor):
        return _ew.sigmoid(z)
    return 1 / (1 + np.exp(-z))


def _softplus_arr(z: Any) -> Any:
    """log(1 + e^z) without overflow, on arrays or Tensors."""
    return np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))


class _Softplus(Function):
    """log(1 + exp(x)), stable (the core of the soft-margin losses)."""

    _raw = True
    _name = "SoftplusBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(x)
        return np.logaddexp(np.zeros((), x.dtype), x)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        (x,) = ctx.saved_tensors
        return g * _sigmoid(x)   # d softplus = sigmoid


def _softplus(x: Tensor) -> Tensor:
    return _Softplus.apply(x)


# ----------------------------------------------------------------------------- regression
class MSELoss(Function):
    """mean/sum/none of (x - y)² (torch.nn.functional.mse_loss)."""

    _raw = True
    _name = "MseLossBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, y: np.ndarray, reduction: str) -> Any:
        ctx.save_for_backward(x, y)
        ctx.reduction = reduction
        if x.dtype is not y.dtype:
            x, y = promote(x, y)
        try:
            d = x - y
        except ValueError:
            raise broadcast_error("mse_loss", x, y) from None
        ctx.n = d.size
        d *= d
        return _reduce_arr(d, reduction)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        x, y = ctx.saved_tensors   # d (x-y)² = 2(x-y), -2(x-y)
        r = ctx.reduction
        gx = (2 * _grad_scale(g, ctx.n, r)) * (x - y)
        return (gx if ctx.needs_input_grad[0] else None,
                -gx if ctx.needs_input_grad[1] else None, None)


def _weighted(loss: Tensor, weight: Tensor, input: Tensor, reduction: str, op: str) -> Tensor:
    """torch's per-element weight of mse/l1 losses: mean divides by the weights' sum."""
    if weight.shape != input.shape:
        raise ValueError(f"{op}: Weights and input must have the same size (weight "
                         f"{list(weight.shape)}, input {list(input.shape)}).")
    loss = loss * weight
    if reduction == "mean":
        return loss.sum() / weight.sum()
    return _reduce(loss, reduction)


def mse_loss(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,
             reduction: str = "mean", weight: Tensor | None = None) -> Tensor:
    """Mean squared error (torch.nn.functional.mse_loss)."""
    if _autocast is not None:
        input, target, weight = _autocast(input, target, weight)
    if target.shape != input.shape:
        _size_warning(input, target, "mse_loss")
    if size_average is not None or reduce is not None:
        reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction, "mse_loss")
    if weight is not None:
        return _weighted(MSELoss.apply(input, target, "none"), weight, input, reduction,
                         "mse_loss")
    return MSELoss.apply(input, target, reduction)


def _diff(input: Tensor, target: Tensor, op: str) -> Tensor:
    try:
        return input - target
    except RuntimeError:
        raise broadcast_error(op, input, target) from None


def l1_loss(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,
            reduction: str = "mean", weight: Tensor | None = None) -> Tensor:
    """Mean absolute error (torch.nn.functional.l1_loss)."""
    if _autocast is not None:
        input, target, weight = _autocast(input, target, weight)
    if target.shape != input.shape:
        _size_warning(input, target, "l1_loss")
    if size_average is not None or reduce is not None:
        reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction, "l1_loss")
    loss = _diff(input, target, "l1_loss").abs()
    if weight is not None:
        return _weighted(loss, weight, input, reduction, "l1_loss")
    return _reduce(loss, reduction)


def _smooth_l1(d: Tensor, beta: float) -> Tensor:
    ad = d.abs()
    if beta == 0:
        return ad
    return _ew.where(ad < beta, 0.5 * d * d / beta, ad - 0.5 * beta)


def smooth_l1_loss(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,
                   reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """Huber-like loss: 0.5 d²/beta below beta, |d| - beta/2 above (torch's smooth_l1_loss)."""
    if _autocast is not None:
        input, target = _autocast(input, target)
    if target.shape != input.shape:
        _size_warning(input, target, "smooth_l1_loss")
    if size_average is not None or reduce is not None:
        reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction, "smooth_l1_loss")
    if beta < 0:
        raise RuntimeError(f"smooth_l1_loss does not support negative values for beta "
                           f"(got beta={beta})")
    return _reduce(_smooth_l1(_diff(input, target, "smooth_l1_loss"), beta), reduction)


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0,
               weight: Tensor | None = None) -> Tensor:
    """0.5 d² below delta, delta (|d| - delta/2) above (torch.nn.functional.huber_loss)."""
    if _autocast is not None:
        input, target, weight = _autocast(input, target, weight)
    if target.shape != input.shape:
        _size_warning(input, target, "huber_loss")
    _check_reduction(reduction, "huber_loss")
    if delta <= 0:
        raise RuntimeError(f"huber_loss does not support non-positive values for delta "
                           f"(got delta={delta})")
    d = _diff(input, target, "huber_loss")
    ad = d.abs()
    loss = _ew.where(ad < delta, 0.5 * d * d, delta * (ad - 0.5 * delta))
    if weight is not None:
        if weight.shape != input.shape:
            raise ValueError(f"huber_loss: Weights and input must have the same size (weight "
                             f"{list(weight.shape)}, input {list(input.shape)}).")
        loss = loss * weight
    return _reduce(loss, reduction)


# ----------------------------------------------------------------------------- classification
class NLLLoss(Function):
    """Negative log likelihood over dim 1 of (log_softmax of) x: one fused node for
    cross_entropy (logits=True) and nll_loss, class-index or probability targets."""

    _raw = True
    _name = "NllLossBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, t: np.ndarray, w: Any, ignore_index: int,
                reduction: str, eps: float, logits: bool) -> Any:
        axis = 1 if x.ndim > 1 else 0
        C = x.shape[axis]
        ctx.axis, ctx.reduction, ctx.eps, ctx.logits = axis, reduction, eps, logits
        soft = t.dtype.kind == "f"
        ctx.save_for_backward(x, t if soft else None)
        if w is not None:
            wb = np.reshape(w, (C,) + (1,) * (x.ndim - axis - 1))   # broadcast along axis
        s, lse = x, 0
        if logits:   # log softmax = s - lse; its softmax e / se is kept for backward (internal)
            e, se, c = _exp_sum(x, axis)
            s = x if c is None else x - c
            lse = np.log(se)
            if ctx.needs_input_grad[0]:
                ctx.e, ctx.se = e, se
        if soft:
            if x.dtype is not t.dtype:
                s, t = promote(s, t)
            y = t * (1 - eps) + eps / C if eps > 0 else t
            a = y * wb if w is not None else y                # coefficient of -log p
            lsm = s - lse
            loss = -np.sum(a * lsm, axis=axis)
            ctx.a, ctx.lsm = a, lsm
            ctx.denom = loss.size
        else:
            valid = t != ignore_index
            ti = t if valid.all() else np.where(valid, t, 0)
            ti = ti.astype(np.intp, copy=False)
            if ti.size and (ti.min() < 0 or ti.max() >= C):
                bad = t[valid & ((t < 0) | (t >= C))].flat[0]
                raise IndexError(
                    f"{'cross_entropy' if logits else 'nll_loss'}: Target {bad} is out of "
                    f"bounds: the input has {C} classes, so class indices must be in "
                    f"[0, {C - 1}] (or equal ignore_index={ignore_index}).")
            if x.ndim <= 2:   # plain fancy indexing: much cheaper than take_along_axis
                rows = np.arange(len(ti)) if x.ndim == 2 else ()
                picked = s[rows, ti] if x.ndim == 2 else s[ti]
                if logits:
                    picked = picked - (lse[:, 0] if x.ndim == 2 else lse[0])
            else:
                picked = np.squeeze(np.take_along_axis(s, np.expand_dims(ti, axis), axis), axis)
                if logits:
                    picked = picked - np.squeeze(lse, axis)
            wt = np.take(w, ti) * valid if w is not None else valid.astype(x.dtype)
            loss = -(picked * wt)
            if eps > 0:
                lsm = s - lse
                smooth = -np.sum(lsm * wb if w is not None else lsm, axis=axis) * valid
                loss = loss * (1 - eps) + smooth * (eps / C)
            ctx.ti, ctx.wt, ctx.valid = ti, wt, valid
            ctx.denom = np.add.reduce(wt, axis=None)
        ctx.w = w
        if reduction == "none":
            return loss
        total = np.sum(loss)
        if reduction == "sum":
            return total
        return total / ctx.denom

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        # loss = Σ_c a_c (-log p_c): d/dx = (Σ a) p - a (logits) or -a (nll); d/dy = -(1-eps) w lsm
        x, t = ctx.saved_tensors
        axis, r, eps, w = ctx.axis, ctx.reduction, ctx.eps, ctx.w
        C = x.shape[axis]
        if r == "mean":
            g = g / ctx.denom
        gb = _unsqueeze(g, axis) if r == "none" else g
        soft = t is not None
        if isinstance(g, Tensor) or isinstance(x, Tensor):
            return NLLLoss._backward_tensor(ctx, x, t, gb, C)
        gx = gt = None
        if soft:
            a = ctx.a
            if ctx.needs_input_grad[0]:
                gx = ctx.e * (np.sum(a, axis=axis, keepdims=True) / ctx.se) - a if ctx.logits \
                    else -a
                gx = gx * gb
            if ctx.needs_input_grad[1]:
                wl = ctx.lsm * _wb(w, a, axis) if w is not None else ctx.lsm
                gt = -(1 - eps) * wl * gb
            return gx, gt, None, None, None, None, None
        if not ctx.needs_input_grad[0]:
            return (None,) * 7
        coef = ctx.wt * ((1 - eps) * g)   # cotangent weight of each picked class
        coef_b = coef[:, None] if coef.ndim == 1 and axis == 1 else np.expand_dims(coef, axis)
        if ctx.logits:
            if eps > 0:
                sw = np.sum(w) if w is not None else C
                A = coef_b + _unsqueeze(ctx.valid * (g * eps / C * sw), axis)
                gx = ctx.e * (A / ctx.se)
            else:
                gx = ctx.e * (coef_b / ctx.se)
        else:
            gx = np.zeros(np.shape(x), np.result_type(coef))
        if eps > 0:   # the smoothing term spreads eps/C * w_c over every class
            wc = _wb(w, gx, axis) if w is not None else 1
            gx -= _unsqueeze(ctx.valid * (g * eps / C), axis) * wc
        if gx.ndim == 2:
            gx[np.arange(gx.shape[0]), ctx.ti] -= coef
        else:
            idx = np.expand_dims(ctx.ti, axis)
            np.put_along_axis(gx, idx, np.take_along_axis(gx, idx, axis) - coef_b, axis)
        return gx, None, None, None, None, None, None

    @staticmethod
    def _backward_tensor(ctx: Any, x: Any, t: Any, gb: Any, C: int) -> tuple:
        """The same formula on Tensors (create_graph): softmax recomputed with ember ops."""
        from .reduce import logsumexp
        axis, eps, w = ctx.axis, ctx.eps, ctx.w
        x = x if isinstance(x, Tensor) else _make(x)
        lsm = x - logsumexp(x, axis, keepdim=True) if ctx.logits else x
        if t is not None:
            wb = _wb(w, lsm, axis) if w is not None else 1
            y = t * (1 - eps) + eps / C if eps > 0 else t
            a = y * wb
        else:   # class indices: a is a constant one-hot (plus smoothing), built in NumPy
            onehot = np.zeros(tuple(x.shape), np.asarray(ctx.wt).dtype)
            np.put_along_axis(onehot, np.expand_dims(ctx.ti, axis), np.expand_dims(ctx.wt, axis),
                              axis)
            a = onehot * (1 - eps)
            if eps > 0:
                wc = _wb(w, a, axis) if w is not None else 1
                a = a + np.expand_dims(ctx.valid, axis) * (eps / C) * wc
            a = _make(a.astype(x._data.dtype, copy=False))
        gx = gt = None
        if ctx.needs_input_grad[0]:
            gx = (np.exp(lsm) * np.sum(a, axis=axis, keepdims=True) - a if ctx.logits
                  else -a) * gb
        if t is not None and ctx.needs_input_grad[1]:
            gt = -(1 - eps) * (lsm * (_wb(w, lsm, axis) if w is not None else 1)) * gb
        return gx, gt, None, None, None, None, None


def _unsqueeze(g: Any, axis: int) -> Any:
    if isinstance(g, Tensor):
        return g.unsqueeze(axis) if g.ndim else g
    return np.expand_dims(g, axis) if g.ndim else g


def _wb(w: np.ndarray, like: Any, axis: int) -> np.ndarray:
    """Class weights shaped to broadcast along the class axis of `like`."""
    return np.reshape(w, (len(w),) + (1,) * (len(like.shape) - axis - 1))


def _class_targets(input: Tensor, target: Tensor, weight: Any, op: str, allow_soft: bool) -> bool:
    """Check target/weight against input; True when target holds class probabilities."""
    xs, ts = input._data.shape, target._data.shape
    tk = target._data.dtype
    if not xs:
        raise RuntimeError(f"{op}: input must have at least 1 dimension (the classes), got a "
                           "0-d tensor")
    C = xs[1 if len(xs) > 1 else 0]
    if weight is not None and weight._data.shape != (C,):
        raise RuntimeError(f"{op}: weight tensor should be defined either for all {C} classes "
                           f"or no classes but got weight tensor of shape: "
                           f"{list(weight.shape)}")
    if allow_soft and xs == ts:
        if tk.kind != "f":
            raise RuntimeError(
                f"{op}: target has the input's shape {list(xs)}, so it is read as class "
                f"probabilities, which must be floating point; got {_tname(tk)}. For class "
                f"indices give a target of shape {list(xs[:1] + xs[2:])} with dtype int64 (long).")
        return True
    if tk.type is not np.int64 and tk.type is not np.uint8:
        soft = (f" or probability targets must have the input's shape {list(xs)}"
                if allow_soft else "")
        raise RuntimeError(
            f"{op}: expected target dtype to be Long or Byte, but got "
            f"{_tname(target._data.dtype)}: class indices must be int64 (long), e.g. "
            f"target.long(){soft}; got target of shape {list(ts)}.")
    want = xs[:1] + xs[2:] if input.ndim > 1 else ()
    if ts != want:
        if input.ndim > 1 and target.ndim >= 1 and ts[0] != xs[0]:
            raise ValueError(
                f"Expected input batch_size ({xs[0]}) to match target batch_size ({ts[0]}) in "
                f"{op}: input has shape {list(xs)}, target {list(ts)}.")
        if input.ndim == 1 and target.ndim == 1 and ts[0] != 1:
            raise ValueError(
                f"For 1D input, 1D target must have size 1, but got target size: {ts[0]} ({op}: "
                f"a 1-D input of shape {list(xs)} is the class scores of ONE sample; for a batch "
                f"pass input of shape (N, C), e.g. input.unsqueeze(0) for a single sample)")
        raise RuntimeError(f"{op}: Expected target size {list(want)}, got {list(ts)} (input "
                           f"has shape {list(xs)}; the classes are dim "
                           f"{1 if input.ndim > 1 else 0}).")
    return False


def _no_grad_args(op: str, **args: Any) -> None:
    """torch's autograd refuses, while grad mode is on, a requires-grad tensor for an argument
    it has no derivative for (class or element weights)."""
    if not grad_state.enabled:
        return
    for name, t in args.items():
        if t is not None and t.requires_grad:
            raise RuntimeError(
                f"The function '{op}' is not differentiable with respect to argument '{name}'. "
                f"This input cannot have requires_grad True. (Pass {name}.detach(), or compute "
                "the loss under ember.no_grad().)")


def _check_float_input(input: Tensor, op: str) -> None:
    if input._data.dtype.kind != "f":
        raise NotImplementedError(
            f"{op}: \"log_softmax\" not implemented for '{_tname(input._data.dtype)}': the "
            "input (logits) must be a floating point tensor, e.g. input.float()")


def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,
                  size_average: Any = None, ignore_index: int = -100, reduce: Any = None,
                  reduction: str = "mean", label_smoothing: float = 0.0) -> Tensor:
    """log_softmax over dim 1 + nll_loss in one node (torch.nn.functional.cross_entropy).

    input (N, C, d1, ...) or (C,); target class indices (N, d1, ...) int64 or probabilities of
    the input's shape."""
    if _autocast is not None:
        input, target, weight = _autocast(input, target, weight)
    if size_average is not None or reduce is not None:
        reduction = _legacy(size_average, reduce, reduction)
    if reduction not in _REDUCTIONS:
        _check_reduction(reduction, "cross_entropy")
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"cross_entropy: label_smoothing must be between 0.0 and 1.0. "
                           f"Got: {label_smoothing}")
    _check_float_input(input, "cross_entropy")
    if not _class_targets(input, target, weight, "cross_entropy", True):
        _no_grad_args("nll_loss_forward", weight=weight)
    elif weight is not None and weight.requires_grad and grad_state.enabled:
        return _soft_cross_entropy(input, target, weight, reduction, float(label_smoothing))
    return NLLLoss.apply(input, target, weight, ignore_index, reduction,
                         float(label_smoothing), True)


def _soft_cross_entropy(input: Tensor, target: Tensor, weight: Tensor, reduction: str,
                        eps: float) -> Tensor:
    """Probability-target cross_entropy composed of ember ops, as torch decomposes it, so a
    class weight that requires grad gets its gradient (the fused node has none for it)."""
    from .activation import log_softmax
    axis = 1 if input.ndim > 1 else 0
    C = input.shape[axis]
    y = target * (1 - eps) + eps / C if eps > 0 else target
    wb = weight.reshape((C,) + (1,) * (input.ndim - axis - 1))
    loss = -(log_softmax(input, axis) * y * wb).sum(axis)
    if reduction == "none":
        return loss
    return loss.sum() if reduction == "sum" else loss.sum() / loss.numel()


def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None,
             size_average: Any = None, ignore_index: int = -100, reduce: Any = None,
             reduction: str = "mean") -> Tensor:
    """Negative log likelihood of log-probabilities (torch.nn.functional.nll_loss)."""
    if _autocast is not None:
        input, target, weight = _autocast(input, target, weight)
    if size_average is not None or reduce is not None:
        reduction = _legacy(size_average, reduce, reduction)
    if reduction not in _REDUCTIONS:
        _check_reduction(reduction, "nll_loss")
    _class_targets(input, target, weight, "nll_loss", False)
    _no_grad_args("nll_loss_forward", weight=weight)
    return NLLLoss.apply(input, target, weight, ignore_index, reduction, 0.0, False)


def _bce_checks(input: Tensor, target: Tensor, op: str) -> None:
    if target.shape != input.shape:
        raise ValueError(
            f"{op}: Using a target size ({target.shape}) that is different to the input size "
            f"({input.shape}) is deprecated. Please ensure they have the same size.")


class BCELoss(Function):
    """-w (y log x + (1-y) log(1-x)), logs clamped at -100 (binary_cross_entropy)."""

    _raw = True
    _name = "BinaryCrossEntropyBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, y: np.ndarray, w: Any, reduction: str) -> Any:
        if not np.all((x >= 0) & (x <= 1)):
            bad = x[~((x >= 0) & (x <= 1))].flat[0]
            raise RuntimeError(
                f"binary_cross_entropy: all elements of input should be between 0 and 1 (found "
                f"{bad}). The input must be probabilities: apply sigmoid first, or use "
                "binary_cross_entropy_with_logits on raw scores.")
        ctx.save_for_backward(x, y, w)
        ctx.reduction = reduction
        lx = np.maximum(np.log(x), -100)
        l1x = np.maximum(np.log1p(-x), -100)
        loss = -(y * (lx - l1x) + l1x)
        if w is not None:
            loss = loss * w
        ctx.n = loss.size
        return _reduce_arr(loss, reduction)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        # d/dx = w (x - y) / max(x (1-x), 1e-12) (torch's clamp); d/dy = w log((1-x) / x)
        x, y, w = ctx.saved_tensors
        g = _grad_scale(g, ctx.n, ctx.reduction)
        if w is not None:
            g = g * w
        gx = gy = None
        if ctx.needs_input_grad[0]:
            gx = g * (x - y) / np.maximum((1 - x) * x, 1e-12)
        if ctx.needs_input_grad[1]:
            with np.errstate(divide="ignore"):   # unclamped, as torch
                gy = g * (np.log1p(-x) - np.log(x))
        return gx, gy, None, None


def binary_cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,
                         size_average: Any = None, reduce: Any = None,
                         reduction: str = "mean") -> Tensor:
    """Binary cross entropy of probabilities (torch.nn.functional.binary_cross_entropy)."""
    if _autocast is not None:
        input, target, weight = _autocast(input, target, weight)
    if size_average is not None or reduce is not None:
        reduction = _legacy(size_average, reduce, reduction)
    _bce_checks(input, target, "binary_cross_entropy")
    _check_reduction(reduction, "binary_cross_entropy")
    if target.dtype != input.dtype:
        raise RuntimeError(
            f"binary_cross_entropy: Found dtype {_tname(target._data.dtype)} but expected "
            f"{_tname(input._data.dtype)}: the target must have the input's dtype "
            f"({input.dtype}), e.g. target.to(input.dtype)")
    if weight is not None:
        try:
            np.broadcast_shapes(weight.shape, input.shape)
        except ValueError:
            raise RuntimeError(f"binary_cross_entropy: weight of shape {list(weight.shape)} "
                               f"does not broadcast to the input's {list(input.shape)}") from None
    _no_grad_args("binary_cross_entropy", weight=weight)
    return BCELoss.apply(input, target, weight, reduction)


class BCEWithLogitsLoss(Function):
    """(1-y) x + (1 + (pw-1) y) softplus(-x), weighted (binary_cross_entropy_with_logits)."""

    _raw = True
    _name = "BinaryCrossEntropyWithLogitsBackward0"

    @staticmethod
    def forward(ctx: Any, x: np.ndarray, y: np.ndarray, w: Any, pw: Any, reduction: str) -> Any:
        ctx.save_for_backward(x, y, w, pw)
        ctx.reduction = reduction
        if x.dtype is not y.dtype:
            x, y = promote(x, y)
        sp = np.logaddexp(np.zeros((), x.dtype), -x)   # softplus(-x) = -log sigmoid(x)
        loss = (1 - y) * x + (sp if pw is None else (1 + (pw - 1) * y) * sp)
        if w is not None:
            loss = loss * w
        ctx.n = loss.size
        return _reduce_arr(loss, reduction)

    @staticmethod
    def backward(ctx: Any, g: Any) -> Any:
        # d/dx = (1 + (pw-1) y) sigmoid(x) - pw y; d/dy = -x + (pw-1) softplus(-x)
        x, y, w, pw = ctx.saved_tensors
        g = _grad_scale(g, ctx.n, ctx.reduction)
        if w is not None:
            g = g * w
        gx = gy = None
        if ctx.needs_input_grad[0]:
            s = _sigmoid(x)
            gx = g * (s - y if pw is None else (1 + (pw - 1) * y) * s - pw * y)
        if ctx.needs_input_grad[1]:
            gy = g * (-x if pw is None else (pw - 1) * _softplus_arr(-x) - x)
        return gx, gy, None, None, None


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor,
                                     weight: Tensor | None = None, size_average: Any = None,
                                     reduce: Any = None, reduction: str = "mean",
                                     pos_weight: Tensor | None = None) -> Tensor:
    """Sigmoid + binary cross entropy in one stable node (torch's BCE with logits)."""
    if _autocast is not None:
        input, target, weight, pos_weight = _autocast(input, target, weight, pos_weight)
    if size_average is not None or reduce is not None:
        reduction = _legacy(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(f"binary_cross_entropy_with_logits: Target size ({target.shape}) must "
                         f"be the same as input size ({input.shape})")
    _check_reduction(reduction, "binary_cross_entropy_with_logits")
    _no_grad_args("binary_cross_entropy_with_logits", weight=weight, pos_weight=pos_weight)
    if not target.dtype.is_floating_point or not input.dtype.is_floating_point:
        raise RuntimeError(
            f"binary_cross_entropy_with_logits: input and target must be floating point, got "
            f"{input.dtype} and {target.dtype}: convert with target.float()")
    for name, t in (("weight", weight), ("pos_weight", pos_weight)):
        if t is not None:
            try:
                np.broadcast_shapes(t.shape, input.shape)
            except ValueError:
                raise RuntimeError(
                    f"binary_cross_entropy_with_logits: {name} of shape {list(t.shape)} does "
                    f"not broadcast to the input's {list(input.shape)}") from None
    return BCEWithLogitsLoss.apply(input, target, weight, pos_weight, reduction)


# ----------------------------------------------------------------------------- distributions
def kl_div(input: Tensor, target: Tensor, size_average: Any = None, reduce: Any = None,
           reduction: str = "mean", log_target: bool = False) -> Tensor:
    """KL divergence of target from exp(input) (torch.nn.functional.kl_div)."""
    if _autocast is not None:
        input, target = _autocast(input, target)
    if size_average is not None or reduce is not None:
        reduction = _legacy(size_average, reduce, reduction)
    elif reduction == "mean":
        warnings.warn(
            "reduction: 'mean' divides the total loss by both the batch size and the support "
            "size.'batchmean' divides only by the batch size, and aligns with the KL div math "
            "definition.'mean' will be changed to behave the same as 'batchmean' in the next "
            "major release.", stacklevel=2)
    if reduction not in _REDUCTIONS and reduction != "batchmean":
        raise ValueError(f"{reduction} is not a valid value for reduction (kl_div accepts "
                         "'none', 'batchmean', 'mean' or 'sum')")
    if log_target:
        loss = target.exp() * (target - input)
    else:   # xlogy(t, t) - t x, with 0 log 0 = 0
        safe = _ew.where(target == 0, 1, target)
        loss = target * safe.log() - target * input
    if reduction == "batchmean":
        return loss.sum() / input.shape[0] if input.ndim else loss.sum()
    return _reduce(loss, reduction)


def poisson_nll_loss(input: Tensor, target: Tensor, log_input: bool = True, full: bool = False,
                     size_average: Any = None, eps: float = 1e-8, reduce: Any = None,
                     reduction: str = "mean") -> Tensor:
    """Poisson negative log likelihood (torch.nn.functional.poisson_nll_loss)."""
    if _autocast is not None:
        input, target = _autocast(input, target)
    if size_average is not None or reduce is not None:
        reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction, "poisson_nll_loss")
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * (input + eps).log()
    if full:   # Stirling's approximation of log(target!), only where target > 1
        big = target > 1
        t = _ew.where(big, target, 2)
        stirling = t * t.log() - t + 0.5 * (2 * math.pi * t).log()
        loss = loss + _ew.where(big, stirling, 0)
    return _reduce(loss, reduction)


def gaussian_nll_loss(input: Tensor, target: Tensor, var: Any, full: bool = False,
                      eps: float = 1e-6, reduction: str = "mean") -> Tensor:
    """Gaussian negative log likelihood (torch.nn.functional.gaussian_nll_loss)."""
    from .creation import ones_like
    if isinstance(var, (int, float)) and not isinstance(var, bool):
        if var < 0:
            raise ValueError(f"gaussian_nll_loss: var has negative entry/entries (var={var})")
        var = var * ones_like(input)
    elif np.any(var._data < 0):
        raise ValueError("gaussian_nll_loss: var has negative entry/entries; variances must "
                         "be >= 0")
    if var.shape != input.shape:
        if input.shape[:-1] == var.shape:
            var = var.unsqueeze(-1)
        elif not (input.ndim == var.ndim and sum(
                v for i, v in zip(input.shape, var.shape) if i != v) == 1):
            raise ValueError(
                f"gaussian_nll_loss: var is of incorrect size: got {list(var.shape)} for input "
                f"{list(input.shape)}; expected the input's shape, the input's shape without "
                "its last dim, or the input's shape with one dim of size 1")
    if reduction not in _REDUCTIONS:
        raise ValueError(reduction + " is not valid")
    var = var.clone()
    with no_grad():
        var.clamp_(min=eps)   # as torch: clamped values, identity gradient
    loss = 0.5 * (var.log() + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


# ----------------------------------------------------------------------------- margins
def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0,
                          size_average: Any = None, reduce: Any = None,
                          reduction: str = "mean") -> Tensor:
    """1 - cos for target 1, max(0, cos - margin) for -1 (torch's cosine_embedding_loss)."""
    if _autocast is not None:
        input1, input2, target = _autocast(input1, input2, target)
    if size_average is not None or reduce is not None:
        reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction, "cosine_embedding_loss")
    if input1.ndim not in (1, 2) or input1.shape != input2.shape:
        raise RuntimeError(
            f"cosine_embedding_loss: expected input1 and input2 of the same shape, 1-D or 2-D; "
            f"got {list(input1.shape)} and {list(input2.shape)}")
    if target.ndim != input1.ndim - 1:
        raise RuntimeError(f"cosine_embedding_loss: {input1.ndim}D target tensor expected, "
                           f"multi-target not supported (got target of shape "
                           f"{list(target.shape)})")
    d = input1.ndim - 1
    prod = (input1 * input2).sum(d)
    m1 = (input1 * input1).sum(d) + 1e-12
    m2 = (input2 * input2).sum(d) + 1e-12
    cos = prod / (m1 * m2).sqrt()
    loss = (_ew.where(target == 1, 1 - cos, 0)
            + _ew.where(target == -1, (cos - margin).clamp_min(0), 0))
    return _reduce(loss, reduction)


def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0,
                        size_average: Any = None, reduce: Any = None,
                        reduction: str = "mean") -> Tensor:
    """max(0, -y (x1 - x2) + margin) (torch.nn.functional.margin_ranking_loss)."""
    if _autocast is not None:
        input1, input2, target = _autocast(input1, input2, target)
    if size_average is not None or reduce is not None:
        reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction, "margin_ranking_loss")
    if not (input1.ndim == input2.ndim == target.ndim):
        raise RuntimeError(
            f"margin_ranking_loss : All input tensors should have same dimension but got sizes: "
            f"input1: {input1.shape}, input2: {input2.shape}, target: {target.shape} ")
    return _reduce((-target * (input1 - input2) + margin).clamp_min(0), reduction)


def hinge_embedding_loss(input: Tensor, target: Tensor, margin: float = 1.0,
                         size_average: Any = None, reduce: Any = None,
                         reduction: str = "mean") -> Tensor:
    """x where target is 1, max(0, margin - x) where it is -1 (hinge_embedding_loss)."""
    if _autocast is not None:
        input, target = _autocast(input, target)
    if size_average is not None or reduce is not None:
        reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction, "hinge_embedding_loss")
    loss = (_ew.where(target != 1, (margin - input).clamp_min(0), 0)
            + _ew.where(target != -1, input, 0))
    return _reduce(loss, reduction)


def _pairwise_distance(x1: Tensor, x2: Tensor, p: float, eps: float) -> Tensor:
    from .linalg import vector_norm
    return vector_norm(x1 - x2 + eps, p, max(x1.ndim, x2.ndim) - 1)


def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor, margin: float = 1.0,
                        p: float = 2, eps: float = 1e-6, swap: bool = False,
                        size_average: Any = None, reduce: Any = None,
                        reduction: str = "mean") -> Tensor:
    """max(0, margin + d(a, p) - d(a, n)) (torch.nn.functional.triplet_margin_loss)."""
    if _autocast is not None:
        anchor, positive, negative = _autocast(anchor, positive, negative)
    if size_average is not None or reduce is not None:
        reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction, "triplet_margin_loss")
    a, po, n = anchor.ndim, positive.ndim, negative.ndim
    if not (a == po == n):
        raise RuntimeError(
            f"triplet_margin_loss: The anchor, positive, and negative tensors are expected to "
            f"have the same number of dimensions, but got: anchor {a}D, positive {po}D, and "
            f"negative {n}D inputs")
    if margin <= 0:
        raise ValueError(f"triplet_margin_loss: margin must be greater than 0, got {margin}")
    return _triplet(anchor, positive, negative, lambda x1, x2: _pairwise_distance(x1, x2, p, eps),
                    margin, swap, reduction)


def _triplet(anchor: Tensor, positive: Tensor, negative: Tensor, dist: Any, margin: float,
             swap: bool, reduction: str) -> Tensor:
    """max(0, margin + dist(a, p) - dist(a, n)), with dist(p, n) as the negative distance where
    smaller under swap, reduced."""
    d_pos = dist(anchor, positive)
    d_neg = dist(anchor, negative)
    if swap:
        d_neg = _ew.minimum(d_neg, dist(positive, negative))
    return _reduce((margin + d_pos - d_neg).clamp_min(0), reduction)


def triplet_margin_with_distance_loss(anchor: Tensor, positive: Tensor, negative: Tensor, *,
                                      distance_function: Any = None, margin: float = 1.0,
                                      swap: bool = False, reduction: str = "mean") -> Tensor:
    """Triplet margin loss with any distance function, pairwise_distance by default
    (torch.nn.functional.triplet_margin_with_distance_loss)."""
    _check_reduction(reduction, "triplet_margin_with_distance_loss")
    if margin <= 0:
        raise ValueError(f"triplet_margin_with_distance_loss: margin must be greater than 0, "
                         f"got {margin}")
    a, po, n = anchor.ndim, positive.ndim, negative.ndim
    if not (a == po == n):
        raise RuntimeError(
            f"triplet_margin_with_distance_loss: The anchor, positive, and negative tensors are "
            f"expected to have the same number of dimensions, but got: anchor {a}D, positive "
            f"{po}D, and negative {n}D inputs")
    dist = pairwise_distance if distance_function is None else distance_function
    return _triplet(anchor, positive, negative, dist, margin, swap, reduction)


def soft_margin_loss(input: Tensor, target: Tensor, size_average: Any = None,
                     reduce: Any = None, reduction: str = "mean") -> Tensor:
    """log(1 + exp(-y x)), computed stably (torch.nn.functional.soft_margin_loss)."""
    if _autocast is not None:
        input, target = _autocast(input, target)
    if size_average is not None or reduce is not None:
        reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction, "soft_margin_loss")
    return _reduce(_softplus(-input * target), reduction)


def multilabel_soft_margin_loss(input: Tensor, target: Tensor, weight: Tensor | None = None,
                                size_average: Any = None, reduce: Any = None,
                                reduction: str = "mean") -> Tensor:
    """Per-class logistic loss averaged over classes (multilabel_soft_margin_loss)."""
    if size_average is not None or reduce is not None:
        reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction, "multilabel_soft_margin_loss")
    # -(y log σ(x) + (1-y) log σ(-x)) = y softplus(-x) + (1-y) softplus(x)
    loss = target * _softplus(-input) + (1 - target) * _softplus(input)
    if weight is not None:
        loss = loss * weight
    c = input.ndim - 1
    loss = loss.sum(c) / input.shape[c]
    return _reduce(loss, reduction)


def multi_margin_loss(input: Tensor, target: Tensor, p: int = 1, margin: float = 1.0,
                      weight: Tensor | None = None, size_average: Any = None,
                      reduce: Any = None, reduction: str = "mean") -> Tensor:
    """Multi-class hinge: Σ_{j≠y} max(0, margin - x_y + x_j)^p / C (multi_margin_loss)."""
    if _autocast is not None:
        input, target, weight = _autocast(input, target, weight)
    from .indexing import gather
    if size_average is not None or reduce is not None:
        reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction, "multi_margin_loss")
    if p not in (1, 2):
        raise ValueError(f"multi_margin_loss: only p == 1 and p == 2 supported, got p={p}")
    _no_grad_args("multi_margin_loss", weight=weight)
    x = input if input.ndim > 1 else input.unsqueeze(0)
    t = target.reshape(-1)
    if x.ndim != 2 or t.shape[0] != x.shape[0]:
        raise RuntimeError(f"multi_margin_loss: inconsistent target size: got target of shape "
                           f"{list(target.shape)} for input of shape {list(input.shape)}")
    N, C = x.shape
    tn = t.numpy()
    if tn.size and (tn.min() < 0 or tn.max() >= C):
        raise RuntimeError(f"multi_margin_loss: target out of range: class indices must be in "
                           f"[0, {C - 1}], got {tn[(tn < 0) | (tn >= C)][0]}")
    idx = t.unsqueeze(1)
    z = (margin - gather(x, 1, idx) + x).clamp_min(0)
    if p == 2:
        z = z * z
    if weight is not None:
        z = z * gather(weight, 0, t).unsqueeze(1)
    mask = np.arange(C) != tn[:, None]
    loss = (z * _make(mask.astype(x._data.dtype))).sum(1) / C
    if input.ndim == 1:
        loss = loss.reshape(target.shape if target.ndim else ())
    return _reduce(loss, reduction)


def multilabel_margin_loss(input: Tensor, target: Tensor, size_average: Any = None,
                           reduce: Any = None, reduction: str = "mean") -> Tensor:
    """Σ_{j target, k not} max(0, 1 - (x_j - x_k)) / C (multilabel_margin_loss)."""
    if _autocast is not None:
        input, target = _autocast(input, target)
    if size_average is not None or reduce is not None:
        reduction = _legacy(size_average, reduce, reduction)
    _check_reduction(reduction, "multilabel_margin_loss")
    if target.shape != input.shape or input.ndim not in (1, 2):
        raise RuntimeError(f"multilabel_margin_loss: inconsistent target size: "
                           f"{list(target.shape)} for input of size: {list(input.shape)}")
    x = input if input.ndim == 2 else input.unsqueeze(0)
    tn = target.numpy().reshape(x.shape)
    N, C = x.shape
    cnt = np.zeros((N, C), x._data.dtype)   # how often class j is listed before the first -1
    for i in range(N):
        for j in tn[i]:
            if j < 0:
                break
            if j >= C:
                raise RuntimeError(f"multilabel_margin_loss: target {j} is out of range for "
                                   f"{C} classes")
            cnt[i, j] += 1
    nt = (cnt == 0).astype(x._data.dtype)
    pair = _make(cnt[:, :, None] * nt[:, None, :])
    z = (1 - x.unsqueeze(2) + x.unsqueeze(1)).clamp_min(0) * pair
    loss = z.sum((1, 2)) / C
    if input.ndim == 1:
        loss = loss.reshape(())
    return _reduce(loss, reduction)

