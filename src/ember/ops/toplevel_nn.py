"""The nn ops torch also exposes at the top level: `torch.conv2d`, `torch.max_pool2d`,
`torch.dropout`, `torch.layer_norm`, `torch.kl_div`, ...

These are torch's ATen ops, and some of their signatures differ from the functional forms:
`dropout(input, p, train)` with every argument required, `embedding(weight, indices, ...)`
with its first two arguments swapped, `batch_norm`/`instance_norm` with nine positional
arguments, `max_pool2d` without return_indices, the losses taking `reduction` as an int
(1 mean, 2 sum, any other value none, as ATen's apply_loss_reduction). An omitted reduction
gives the UNREDUCED loss: the schemas say `reduction=Mean`, but torch's Python binding reads
that default as 0 (torch 2.13: `torch.kl_div(a, b)` has a's shape), so the defaults here are 0.

Where the signature is the functional one the function IS the `ember.nn.functional` one;
otherwise a thin adapter maps the arguments and calls it, so values and gradients are the
functional form's. That also brings nn.functional's own argument checks, which torch's
top-level forms skip: a triplet margin <= 0 and batch/instance norm of one value per channel
in training raise ValueError here (torch's top level computes them)."""

from __future__ import annotations

import operator
import warnings
from collections.abc import Callable
from typing import Any

from .._tensor import Tensor
from . import loss as _loss
from . import nn_ops as _nn
from . import norm as _norm
from . import pool as _pool
from .activation import Rrelu, rrelu_
from .conv import conv1d, conv2d, conv3d, conv_transpose1d, conv_transpose2d, conv_transpose3d
from .nn_ops import _type_name, bilinear, cosine_similarity, pairwise_distance, pdist
from .pool import adaptive_avg_pool1d, avg_pool1d
from .sampling import channel_shuffle, native_channel_shuffle, pixel_shuffle, pixel_unshuffle
from .shape import broadcast_shapes, broadcast_tensors

__all__ = [
    "rrelu", "rrelu_", "pdist",
    "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
    "max_pool1d", "max_pool2d", "max_pool3d", "max_pool1d_with_indices", "avg_pool1d",
    "adaptive_avg_pool1d", "adaptive_max_pool1d", "cosine_similarity", "pairwise_distance",
    "pixel_shuffle", "pixel_unshuffle", "channel_shuffle", "native_channel_shuffle", "bilinear",
    "dropout", "dropout_", "alpha_dropout", "alpha_dropout_", "feature_dropout",
    "feature_dropout_", "feature_alpha_dropout", "feature_alpha_dropout_", "embedding",
    "layer_norm", "group_norm", "batch_norm", "instance_norm", "rms_norm", "constant_pad_nd",
    "detach", "detach_", "kl_div", "binary_cross_entropy_with_logits", "cosine_embedding_loss",
    "hinge_embedding_loss", "margin_ranking_loss", "poisson_nll_loss", "triplet_margin_loss"]


# ----------------------------------------------------------------------------- pooling
def max_pool1d(input: Tensor, kernel_size: Any, stride: Any = (), padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False) -> Tensor:
    """1-D max pooling without indices (torch.max_pool1d); stride () means kernel_size."""
    return _pool.max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode)


def max_pool2d(input: Tensor, kernel_size: Any, stride: Any = (), padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False) -> Tensor:
    """2-D max pooling without indices (torch.max_pool2d); stride () means kernel_size."""
    return _pool.max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode)


def max_pool3d(input: Tensor, kernel_size: Any, stride: Any = (), padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False) -> Tensor:
    """3-D max pooling without indices (torch.max_pool3d); stride () means kernel_size."""
    return _pool.max_pool3d(input, kernel_size, stride, padding, dilation, ceil_mode)


def max_pool1d_with_indices(input: Tensor, kernel_size: Any, stride: Any = (),
                            padding: Any = 0, dilation: Any = 1, ceil_mode: bool = False
                            ) -> tuple[Tensor, Tensor]:
    """1-D max pooling, (values, indices) (torch.max_pool1d_with_indices)."""
    return _pool.max_pool1d_with_indices(input, kernel_size, stride, padding, dilation,
                                         ceil_mode)


def adaptive_max_pool1d(input: Tensor, output_size: Any) -> tuple[Tensor, Tensor]:
    """1-D adaptive max pooling, always (values, indices) (torch.adaptive_max_pool1d)."""
    return _pool.adaptive_max_pool1d(input, output_size, True)


# ----------------------------------------------------------------------------- dropout
def _check_flag(op: str, name: str, v: Any) -> None:
    if not isinstance(v, bool):
        raise TypeError(f"{op}(): argument '{name}' must be bool, not {_type_name(v)}")


def _dropout(fn: Callable, op: str, input: Tensor, p: float, train: bool, inplace: bool
             ) -> Tensor:
    """ATen's dropout front: train must be a bool and p is checked even when not training (a
    RuntimeError here, where nn.functional raises ValueError); the rest (the input itself back
    for p 0, eval or an empty input, 2+ dims for feature dropout, integer inputs refused) is
    nn.functional's."""
    _check_flag(op, "train", train)
    if not 0.0 <= p <= 1.0:
        raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {p}")
    return fn(input, p, train, inplace)


def _feature(op: str) -> Callable:
    """Channel dropout with the (N, C, 1, ...) mask for any input of 2 or more dims."""
    return lambda x, p, training, inplace: _nn._channel_dropout(x, p, training, inplace, True,
                                                                op)


def dropout(input: Tensor, p: float, train: bool) -> Tensor:
    """Inverted dropout; every argument required (torch.dropout)."""
    return _dropout(_nn.dropout, "dropout", input, p, train, False)


def dropout_(input: Tensor, p: float, train: bool) -> Tensor:
    """In-place dropout (torch.dropout_)."""
    return _dropout(_nn.dropout, "dropout_", input, p, train, True)


def alpha_dropout(input: Tensor, p: float, train: bool) -> Tensor:
    """SELU-preserving dropout (torch.alpha_dropout)."""
    return _dropout(_nn.alpha_dropout, "alpha_dropout", input, p, train, False)


def alpha_dropout_(input: Tensor, p: float, train: bool) -> Tensor:
    """In-place alpha dropout (torch.alpha_dropout_)."""
    return _dropout(_nn.alpha_dropout, "alpha_dropout_", input, p, train, True)


def feature_dropout(input: Tensor, p: float, train: bool) -> Tensor:
    """Dropout of whole channels (dim 1) of an (N, C, *) input (torch.feature_dropout)."""
    return _dropout(_feature("feature_dropout"), "feature_dropout", input, p, train, False)


def feature_dropout_(input: Tensor, p: float, train: bool) -> Tensor:
    """In-place channel dropout (torch.feature_dropout_)."""
    return _dropout(_feature("feature_dropout"), "feature_dropout_", input, p, train, True)


def feature_alpha_dropout(input: Tensor, p: float, train: bool) -> Tensor:
    """Alpha dropout of whole channels (torch.feature_alpha_dropout)."""
    return _dropout(_nn.feature_alpha_dropout, "feature_alpha_dropout", input, p, train,
                    False)


def feature_alpha_dropout_(input: Tensor, p: float, train: bool) -> Tensor:
    """In-place channel alpha dropout (torch.feature_alpha_dropout_)."""
    return _dropout(_nn.feature_alpha_dropout, "feature_alpha_dropout_", input, p, train,
                    True)


# ----------------------------------------------------------------------------- embedding
def embedding(weight: Tensor, indices: Tensor, padding_idx: int = -1,
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """Rows of weight at indices, weight first (torch.embedding); a padding_idx outside
    [0, num_embeddings) (the default -1) means none."""
    if weight.dim() != 2:
        raise RuntimeError(f"'weight' must be 2-D (embedding: got weight of shape "
                           f"{list(weight.shape)})")
    pad = padding_idx if 0 <= padding_idx < weight.shape[0] else None
    return _nn.embedding(indices, weight, pad, None, 2.0, scale_grad_by_freq, sparse)


# ----------------------------------------------------------------------------- normalisation
def _int_list(op: str, name: str, v: Any) -> Any:
    """torch's 'tuple of ints' argument: a bare int is refused."""
    if not isinstance(v, (tuple, list)):
        raise TypeError(f"{op}(): argument '{name}' must be tuple of ints, not {_type_name(v)}")
    return v


def layer_norm(input: Tensor, normalized_shape: Any, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5, cudnn_enable: bool = True
               ) -> Tensor:
    """Layer normalisation (torch.layer_norm); cudnn_enable picks a CUDA kernel in torch and
    never changes the result."""
    _check_flag("layer_norm", "cudnn_enable", cudnn_enable)
    return _norm.layer_norm(input, _int_list("layer_norm", "normalized_shape", normalized_shape),
                            weight, bias, eps)


def rms_norm(input: Tensor, normalized_shape: Any, weight: Tensor | None = None,
             eps: float | None = None) -> Tensor:
    """Root-mean-square normalisation (torch.rms_norm); normalized_shape is a sequence."""
    return _norm.rms_norm(input, _int_list("rms_norm", "normalized_shape", normalized_shape),
                          weight, eps)


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None,
               bias: Tensor | None = None, eps: float = 1e-5, cudnn_enabled: bool = True
               ) -> Tensor:
    """Group normalisation (torch.group_norm); cudnn_enabled never changes the result."""
    _check_flag("group_norm", "cudnn_enabled", cudnn_enabled)
    return _norm.group_norm(input, num_groups, weight, bias, eps)


def batch_norm(input: Tensor, weight: Tensor | None, bias: Tensor | None,
               running_mean: Tensor | None, running_var: Tensor | None, training: bool,
               momentum: float, eps: float, cudnn_enabled: bool) -> Tensor:
    """Batch normalisation with torch.batch_norm's order: weight and bias before the running
    stats, every argument required; cudnn_enabled never changes the result."""
    _check_flag("batch_norm", "cudnn_enabled", cudnn_enabled)
    return _norm.batch_norm(input, running_mean, running_var, weight, bias, training, momentum,
                            eps)


def instance_norm(input: Tensor, weight: Tensor | None, bias: Tensor | None,
                  running_mean: Tensor | None, running_var: Tensor | None,
                  use_input_stats: bool, momentum: float, eps: float, cudnn_enabled: bool
                  ) -> Tensor:
    """Instance normalisation with torch.instance_norm's argument order (as batch_norm)."""
    _check_flag("instance_norm", "cudnn_enabled", cudnn_enabled)
    if not use_input_stats and (running_mean is None or running_var is None):
        raise RuntimeError("Expected running_mean and running_var to be defined when "
                           "use_input_stats is false")
    return _norm.instance_norm(input, running_mean, running_var, weight, bias, use_input_stats,
                               momentum, eps)


# ----------------------------------------------------------------------------- misc
def constant_pad_nd(input: Tensor, pad: Any, value: Any = 0) -> Tensor:
    """Pad (or crop, with negative widths) the last len(pad)//2 dims with value
    (torch.constant_pad_nd)."""
    return _nn.pad(input, _int_list("constant_pad_nd", "pad", pad), "constant", value)


def detach(input: Tensor) -> Tensor:
    """A view of input cut from the graph (torch.detach)."""
    return input.detach()


def detach_(input: Tensor) -> Tensor:
    """Cut input from the graph in place (torch.detach_)."""
    return input.detach_()


# ----------------------------------------------------------------------------- losses
def _reduction(op: str, reduction: Any) -> str:
    """ATen's int reduction: 1 mean, 2 sum, any other int none."""
    if not isinstance(reduction, bool):
        try:
            r = operator.index(reduction)
        except TypeError:
            pass
        else:
            return {1: "mean", 2: "sum"}.get(r, "none")
    raise TypeError(f"{op}(): argument 'reduction' must be int, not {_type_name(reduction)}")


def kl_div(input: Tensor, target: Tensor, reduction: int = 0, *, log_target: bool = False
           ) -> Tensor:
    """KL divergence with an int reduction (torch.kl_div); 1 (mean) averages over every
    element, without nn.functional's 'batchmean' warning; omitted, none (as torch)."""
    r = _reduction("kl_div", reduction)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="reduction: 'mean' divides")
        return _loss.kl_div(input, target, reduction=r, log_target=log_target)


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor,
                                     weight: Tensor | None = None,
                                     pos_weight: Tensor | None = None, reduction: int = 0
                                     ) -> Tensor:
    """BCE on logits (torch.binary_cross_entropy_with_logits): pos_weight before the int
    reduction; input broadcasts to target's shape, as in torch."""
    r = _reduction("binary_cross_entropy_with_logits", reduction)
    if tuple(input.shape) != tuple(target.shape):
        shape = tuple(broadcast_shapes(input.shape, target.shape))
        if shape != tuple(target.shape):
            raise RuntimeError(f"output with shape {list(target.shape)} doesn't match the "
                               f"broadcast shape {list(shape)}")
        input = input.expand(shape)
    return _loss.binary_cross_entropy_with_logits(input, target, weight, reduction=r,
                                                  pos_weight=pos_weight)


def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0,
                          reduction: int = 0) -> Tensor:
    """Cosine embedding loss with an int reduction (torch.cosine_embedding_loss)."""
    return _loss.cosine_embedding_loss(input1, input2, target, margin,
                                       reduction=_reduction("cosine_embedding_loss", reduction))


def hinge_embedding_loss(input: Tensor, target: Tensor, margin: float = 1.0,
                         reduction: int = 0) -> Tensor:
    """Hinge embedding loss with an int reduction (torch.hinge_embedding_loss)."""
    return _loss.hinge_embedding_loss(input, target, margin,
                                      reduction=_reduction("hinge_embedding_loss", reduction))


def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0,
                        reduction: int = 0) -> Tensor:
    """Margin ranking loss with an int reduction (torch.margin_ranking_loss); the three
    tensors broadcast together, as in torch."""
    r = _reduction("margin_ranking_loss", reduction)
    if not tuple(input1.shape) == tuple(input2.shape) == tuple(target.shape):
        input1, input2, target = broadcast_tensors(input1, input2, target)
    return _loss.margin_ranking_loss(input1, input2, target, margin, reduction=r)


def poisson_nll_loss(input: Tensor, target: Tensor, log_input: bool, full: bool, eps: float,
                     reduction: int) -> Tensor:
    """Poisson NLL, every argument required, reduction an int (torch.poisson_nll_loss)."""
    return _loss.poisson_nll_loss(input, target, log_input, full, eps=eps,
                                  reduction=_reduction("poisson_nll_loss", reduction))


def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor,
                        margin: float = 1.0, p: float = 2, eps: float = 1e-6,
                        swap: bool = False, reduction: int = 0) -> Tensor:
    """Triplet margin loss with an int reduction (torch.triplet_margin_loss)."""
    return _loss.triplet_margin_loss(anchor, positive, negative, margin, p, eps, swap,
                                     reduction=_reduction("triplet_margin_loss", reduction))


def rrelu(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False,
          generator: Any = None) -> Tensor:
    """F.rrelu with torch's top-level signature: a generator, no inplace (torch.rrelu)."""
    return Rrelu.apply(input, lower, upper, training, generator)
