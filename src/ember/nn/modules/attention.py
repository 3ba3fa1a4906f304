"""Multi-head attention (torch.nn.MultiheadAttention), composed from ember ops."""

from __future__ import annotations

import math
from typing import Any

from ..._tensor import Tensor
from ...ops import creation
from ...ops.attention import scaled_dot_product_attention, softmax_last
from ...ops.nn_ops import dropout as _dropout
from ...ops.nn_ops import linear
from ...ops.shape import cat
from .. import init
from ..module import Module
from ..parameter import Parameter
from .linear import Linear

__all__ = ["MultiheadAttention"]


class NonDynamicallyQuantizableLinear(Linear):
    """The Linear that MultiheadAttention uses as out_proj (torch's name, shown in its repr)."""


def _canonical_mask(mask: Tensor | None, name: str, dtype: Any) -> Tensor | None:
    """A bool mask (True = masked out) becomes a float mask of 0 / -inf, as torch."""
    if mask is None:
        return None
    kind = mask._data.dtype.kind
    if kind == "b":
        return creation.zeros(tuple(mask.shape), dtype=dtype).masked_fill(mask, -math.inf)
    if kind != "f":
        raise AssertionError(f"MultiheadAttention: only bool and floating types of {name} are "
                             f"supported, got {mask.dtype}")
    return mask


class MultiheadAttention(Module):
    """Attention over `num_heads` heads of size embed_dim/num_heads (torch.nn.MultiheadAttention).

    forward(query, key, value) takes (L, N, E) (or (N, L, E) with batch_first, or unbatched
    (L, E)) and returns (attn_output, attn_weights or None)."""

    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True,
                 add_bias_kv: bool = False, add_zero_attn: bool = False, kdim: int | None = None,
                 vdim: int | None = None, batch_first: bool = False, device: Any = None,
                 dtype: Any = None) -> None:
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(f"MultiheadAttention: embed_dim and num_heads must be greater than "
                             f"0, got embed_dim={embed_dim} and num_heads={num_heads} instead")
        super().__init__()
        self.embed_dim = embed_dim
        self.kdim = kdim if kdim is not None else embed_dim
        self.vdim = vdim if vdim is not None else embed_dim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.num_heads = num_heads
        self.dropout = dropout
        self.batch_first = batch_first
        self.head_dim = embed_dim // num_heads
        if self.head_dim * num_heads != embed_dim:
            raise AssertionError(f"MultiheadAttention: embed_dim must be divisible by num_heads "
                                 f"(got embed_dim={embed_dim}, num_heads={num_heads})")
        empty = creation.empty
        if not self._qkv_same_embed_dim:
            self.q_proj_weight = Parameter(empty((embed_dim, embed_dim), dtype=dtype))
            self.k_proj_weight = Parameter(empty((embed_dim, self.kdim), dtype=dtype))
            self.v_proj_weight = Parameter(empty((embed_dim, self.vdim), dtype=dtype))
            self.register_parameter("in_proj_weight", None)
        else:
            self.in_proj_weight = Parameter(empty((3 * embed_dim, embed_dim), dtype=dtype))
            self.register_parameter("q_proj_weight", None)
            self.register_parameter("k_proj_weight", None)
            self.register_parameter("v_proj_weight", None)
        if bias:
            self.in_proj_bias = Parameter(empty(3 * embed_dim, dtype=dtype))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = NonDynamicallyQuantizableLinear(embed_dim, embed_dim, bias=bias,
                                                        dtype=dtype)
        if add_bias_kv:
            self.bias_k = Parameter(empty((1, 1, embed_dim), dtype=dtype))
            self.bias_v = Parameter(empty((1, 1, embed_dim), dtype=dtype))
        else:
            self.bias_k = self.bias_v = None
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()

    def _reset_parameters(self) -> None:
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            init.xavier_uniform_(self.q_proj_weight)
            init.xavier_uniform_(self.k_proj_weight)
            init.xavier_uniform_(self.v_proj_weight)
        if self.in_proj_bias is not None:
            init.constant_(self.in_proj_bias, 0.0)
            init.constant_(self.out_proj.bias, 0.0)
        if self.bias_k is not None:
            init.xavier_normal_(self.bias_k)
        if self.bias_v is not None:
            init.xavier_normal_(self.bias_v)

    def forward(self, query: Tensor, key: Tensor, value: Tensor,
                key_padding_mask: Tensor | None = None, need_weights: bool = True,
                attn_mask: Tensor | None = None, average_attn_weights: bool = True,
                is_causal: bool = False) -> tuple:
        batched = self._check_shapes(query, key, value, key_padding_mask, attn_mask)
        if self.batch_first and batched:
            query, key, value = (t.transpose(1, 0) for t in (query, key, value))
        if not batched:
            query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
            if key_padding_mask is not None:
                key_padding_mask = key_padding_mask.unsqueeze(0)
        tgt_len, bsz, embed_dim = query.shape
        src_len = key.shape[0]
        if embed_dim != self.embed_dim:
            raise AssertionError(f"MultiheadAttention: was expecting embedding dimension of "
                                 f"{self.embed_dim}, but got {embed_dim} (query shape "
                                 f"{list(query.shape)})")
        dtype = query.dtype
        key_padding_mask = _canonical_mask(key_padding_mask, "key_padding_mask", dtype)
        if is_causal and attn_mask is None:
            raise RuntimeError(
                "MultiheadAttention: Need attn_mask if specifying the is_causal hint. You may "
                "use the Transformer module method `generate_square_subsequent_mask` to create "
                "this mask.")
        if is_causal and key_padding_mask is None and not need_weights:
            attn_mask = None   # SDPA applies the causal mask itself
        else:
            attn_mask = _canonical_mask(attn_mask, "attn_mask", dtype)
            if key_padding_mask is not None:
                is_causal = False   # the merged mask is no longer causal
        E, H, hd = embed_dim, self.num_heads, self.head_dim
        b = self.in_proj_bias
        bq, bk, bv = (None, None, None) if b is None else (b[:E], b[E:2 * E], b[2 * E:])
        if self._qkv_same_embed_dim:
            w = self.in_proj_weight
            wq, wk, wv = w[:E], w[E:2 * E], w[2 * E:]
        else:
            wq, wk, wv = self.q_proj_weight, self.k_proj_weight, self.v_proj_weight
        q = linear(query, wq, bq)
        k = linear(key, wk, bk)
        v = linear(value, wv, bv)

        if attn_mask is not None:
            if attn_mask.dim() == 2:
                if tuple(attn_mask.shape) != (tgt_len, src_len):
                    raise RuntimeError(
                        f"MultiheadAttention: The shape of the 2D attn_mask is "
                        f"{list(attn_mask.shape)}, but should be ({tgt_len}, {src_len}).")
                attn_mask = attn_mask.unsqueeze(0)
            elif attn_mask.dim() == 3:
                if tuple(attn_mask.shape) != (bsz * H, tgt_len, src_len):
                    raise RuntimeError(
                        f"MultiheadAttention: The shape of the 3D attn_mask is "
                        f"{list(attn_mask.shape)}, but should be ({bsz * H}, {tgt_len}, "
                        f"{src_len}).")
            else:
                raise RuntimeError(f"MultiheadAttention: attn_mask's dimension "
                                   f"{attn_mask.dim()} is not supported (expected 2 or 3)")
        if self.bias_k is not None and self.bias_v is not None:
            k = cat([k, self.bias_k.repeat(1, bsz, 1)])
            v = cat([v, self.bias_v.repeat(1, bsz, 1)])
            attn_mask = _pad_last(attn_mask)
            key_padding_mask = _pad_last(key_padding_mask)

        q = q.reshape(tgt_len, bsz * H, hd).transpose(0, 1)
        k = k.reshape(k.shape[0], bsz * H, hd).transpose(0, 1)
        v = v.reshape(v.shape[0], bsz * H, hd).transpose(0, 1)
        if self.add_zero_attn:
            z = creation.zeros((bsz * H, 1, hd), dtype=q.dtype)
            k = cat([k, z], 1)
            v = cat([v, z], 1)
            attn_mask = _pad_last(attn_mask)
            key_padding_mask = _pad_last(key_padding_mask)
        src_len = k.shape[1]
        if key_padding_mask is not None:
            if tuple(key_padding_mask.shape) != (bsz, src_len):
                raise AssertionError(
                    f"MultiheadAttention: expected key_padding_mask of shape ({bsz}, "
                    f"{src_len}) (batch, source length), got {list(key_padding_mask.shape)}")
            kpm = key_padding_mask.reshape(bsz, 1, 1, src_len).expand(-1, H, -1, -1) \
                .reshape(bsz * H, 1, src_len)
            attn_mask = kpm if attn_mask is None else attn_mask + kpm
        p = self.dropout if self.training else 0.0

        if need_weights:
            scores = (q * math.sqrt(1.0 / hd)) @ k.transpose(-2, -1)
            if attn_mask is not None:
                scores = scores + attn_mask
            weights = softmax_last(scores)
            if p > 0.0:
                weights = _dropout(weights, p)
            out = weights @ v
            out = out.transpose(0, 1).reshape(tgt_len * bsz, E)
            out = linear(out, self.out_proj.weight, self.out_proj.bias).reshape(tgt_len, bsz, E)
            weights = weights.reshape(bsz, H, tgt_len, src_len)
            if average_attn_weights:
                weights = weights.mean(1)
            if not batched:
                out, weights = out.squeeze(1), weights.squeeze(0)
        else:
            if attn_mask is not None:
                attn_mask = (attn_mask.unsqueeze(0) if attn_mask.shape[0] == 1
                             else attn_mask.reshape(bsz, H, -1, src_len))
            q = q.reshape(bsz, H, tgt_len, hd)
            k = k.reshape(bsz, H, src_len, hd)
            v = v.reshape(bsz, H, src_len, hd)
            out = scaled_dot_product_attention(q, k, v, attn_mask, p, is_causal)
            out = out.permute(2, 0, 1, 3).reshape(bsz * tgt_len, E)
            out = linear(out, self.out_proj.weight, self.out_proj.bias).reshape(tgt_len, bsz, E)
            weights = None
            if not batched:
                out = out.squeeze(1)
        if self.batch_first and batched:
            out = out.transpose(1, 0)
        return out, weights

    def _check_shapes(self, query: Tensor, key: Tensor, value: Tensor, kpm: Tensor | None,
                      attn_mask: Tensor | None) -> bool:
        """True for batched (3-D) inputs; torch's AssertionErrors for inconsistent ranks."""
        qd, kd, vd = query.dim(), key.dim(), value.dim()
        if qd == 3:
            if kd != 3 or vd != 3:
                raise AssertionError(
                    f"MultiheadAttention: For batched (3-D) `query`, expected `key` and `value` "
                    f"to be 3-D but found {kd}-D and {vd}-D tensors respectively")
            if kpm is not None and kpm.dim() != 2:
                raise AssertionError(
                    f"MultiheadAttention: For batched (3-D) `query`, expected "
                    f"`key_padding_mask` to be `None` or 2-D but found {kpm.dim()}-D tensor "
                    "instead")
            if attn_mask is not None and attn_mask.dim() not in (2, 3):
                raise AssertionError(
                    f"MultiheadAttention: For batched (3-D) `query`, expected `attn_mask` to be "
                    f"`None`, 2-D or 3-D but found {attn_mask.dim()}-D tensor instead")
            return True
        if qd == 2:
            if kd != 2 or vd != 2:
                raise AssertionError(
                    f"MultiheadAttention: For unbatched (2-D) `query`, expected `key` and "
                    f"`value` to be 2-D but found {kd}-D and {vd}-D tensors respectively")
            if kpm is not None and kpm.dim() != 1:
                raise AssertionError(
                    f"MultiheadAttention: For unbatched (2-D) `query`, expected "
                    f"`key_padding_mask` to be `None` or 1-D but found {kpm.dim()}-D tensor "
                    "instead")
            if attn_mask is not None:
                if attn_mask.dim() not in (2, 3):
                    raise AssertionError(
                        f"MultiheadAttention: For unbatched (2-D) `query`, expected `attn_mask` "
                        f"to be `None`, 2-D or 3-D but found {attn_mask.dim()}-D tensor instead")
                if attn_mask.dim() == 3:
                    want = (self.num_heads, query.shape[0], key.shape[0])
                    if tuple(attn_mask.shape) != want:
                        raise AssertionError(
                            f"MultiheadAttention: Expected `attn_mask` shape to be {want} but "
                            f"got {tuple(attn_mask.shape)}")
            return False
        raise AssertionError(
            f"MultiheadAttention: query should be unbatched 2D or batched 3D tensor but "
            f"received {qd}-D query tensor")


def _pad_last(mask: Tensor | None) -> Tensor | None:
    """Append one zero column on the last dim (the extra bias_k / zero-attention key)."""
    if mask is None:
        return None
    z = creation.zeros(tuple(mask.shape[:-1]) + (1,), dtype=mask.dtype)
    return cat([mask, z], -1)
