"""Utilities for recurrent layers: padding and packing variable-length sequences
(torch.nn.utils.rnn)."""

from __future__ import annotations

from collections import namedtuple
from typing import Any

from ... import _tensor
from ...ops.creation import tensor as _as_tensor
from ...ops.rnn import PackRows, ScatterRows, packed_index

__all__ = ["PackedSequence", "invert_permutation", "pack_padded_sequence",
           "pad_packed_sequence", "pad_sequence", "unpad_sequence", "pack_sequence",
           "unpack_sequence"]

_Base = namedtuple("PackedSequence", ["data", "batch_sizes", "sorted_indices",
                                      "unsorted_indices"])


def invert_permutation(permutation: Any) -> Any:
    """The inverse of a permutation index tensor (None stays None)."""
    if permutation is None:
        return None
    p = permutation.tolist()
    inv = [0] * len(p)
    for i, j in enumerate(p):
        inv[j] = i
    return _as_tensor(inv, dtype=permutation.dtype)


class PackedSequence(_Base):
    """Packed variable-length batch: data (sum of lengths, *), batch_sizes per step, and the
    sort permutation (torch.nn.utils.rnn.PackedSequence)."""

    def __new__(cls, data: Any, batch_sizes: Any = None, sorted_indices: Any = None,
                unsorted_indices: Any = None) -> PackedSequence:
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is None:
            raise ValueError("PackedSequence: batch_sizes is required (build packed sequences "
                             "with pack_padded_sequence or pack_sequence)")
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args: Any, **kwargs: Any) -> PackedSequence:
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        return type(self)(data, self.batch_sizes, self.sorted_indices, self.unsorted_indices)

    def cuda(self, *args: Any, **kwargs: Any) -> PackedSequence:
        return self.to("cuda", *args, **kwargs)

    def cpu(self, *args: Any, **kwargs: Any) -> PackedSequence:
        return self.to("cpu", *args, **kwargs)

    def double(self) -> PackedSequence:
        return self.to(dtype=_tensor_dtype("float64"))

    def float(self) -> PackedSequence:
        return self.to(dtype=_tensor_dtype("float32"))

    def half(self) -> PackedSequence:
        return self.to(dtype=_tensor_dtype("float16"))

    def long(self) -> PackedSequence:
        return self.to(dtype=_tensor_dtype("int64"))

    def int(self) -> PackedSequence:
        return self.to(dtype=_tensor_dtype("int32"))

    @property
    def is_cuda(self) -> bool:
        return self.data.is_cuda

    def is_pinned(self) -> bool:
        return False


def _tensor_dtype(name: str) -> Any:
    import ember
    return getattr(ember, name)


def _lengths_list(lengths: Any) -> list:
    if isinstance(lengths, _tensor.Tensor):
        return [int(v) for v in lengths.tolist()]
    return [int(v) for v in lengths]


def pack_padded_sequence(input: Any, lengths: Any, batch_first: bool = False,
                         enforce_sorted: bool = True) -> PackedSequence:
    """Pack a padded batch (T, B, *) / (B, T, *) of sequences with the given lengths
    (torch.nn.utils.rnn.pack_padded_sequence)."""
    import ember
    lens = _lengths_list(lengths)
    B = input.shape[0] if batch_first else input.shape[1]
    T = input.shape[1] if batch_first else input.shape[0]
    if len(lens) != B:
        raise RuntimeError(f"pack_padded_sequence: expected {B} lengths (the batch size of "
                           f"input of shape {tuple(input.shape)}), got {len(lens)}")
    if enforce_sorted:
        if any(a < b for a, b in zip(lens, lens[1:])):
            raise RuntimeError(
                "`lengths` array must be sorted in decreasing order when `enforce_sorted` is "
                "True. You can pass `enforce_sorted=False` to pack_padded_sequence and/or "
                f"pack_sequence to sidestep this requirement if you do not need ONNX "
                f"exportability. Got lengths {lens}")
        sorted_indices = None
    else:
        order = sorted(range(B), key=lambda i: -lens[i])
        sorted_indices = ember.tensor(order, dtype=ember.int64)
        lens = [lens[i] for i in order]
        input = input.index_select(0 if batch_first else 1, sorted_indices)
    if B and lens[-1] <= 0:
        raise RuntimeError(
            "Length of all samples has to be greater than 0, but found an element in 'lengths' "
            f"that is <= 0 (lengths {lens})")
    if B and lens[0] > T:
        raise RuntimeError(
            f"pack_padded_sequence: a length ({lens[0]}) is longer than the sequence dimension "
            f"of input (size {T}, input shape {tuple(input.shape)})")
    batch_sizes = [sum(1 for v in lens if v > t) for t in range(lens[0] if B else 0)]
    # batch-first rows are b * T + t over the input's own T (it may exceed the longest length)
    idx = _bf_index(batch_sizes, B, T) if batch_first else packed_index(batch_sizes, B)
    data = PackRows.apply(input, idx, 2)
    return PackedSequence(data, ember.tensor(batch_sizes, dtype=ember.int64), sorted_indices,
                          None)


def pad_packed_sequence(sequence: PackedSequence, batch_first: bool = False,
                        padding_value: float = 0.0, total_length: int | None = None) -> tuple:
    """Unpack to a padded (T, B, *) / (B, T, *) tensor and the lengths
    (torch.nn.utils.rnn.pad_packed_sequence)."""
    import ember
    bs = [int(v) for v in sequence.batch_sizes.tolist()]
    B = bs[0]
    T = len(bs)
    if total_length is not None:
        if total_length < T:
            raise ValueError(
                "Expected total_length to be at least the length of the longest sequence in "
                f"input, but got total_length={total_length} and max sequence length being {T}")
        T = total_length
    data = sequence.data
    feat = tuple(data.shape[1:])
    shape = ((B, T) if batch_first else (T, B)) + feat
    idx = _bf_index(bs, B, T) if batch_first else packed_index(bs, B)
    padded = ScatterRows.apply(data, idx, shape, float(padding_value))
    lens = [sum(1 for n in bs if n > b) for b in range(B)]
    lengths = ember.tensor(lens, dtype=ember.int64)
    if sequence.unsorted_indices is not None:
        padded = padded.index_select(0 if batch_first else 1, sequence.unsorted_indices)
        lengths = lengths[sequence.unsorted_indices]
    return padded, lengths


def _bf_index(bs: list, B: int, T: int) -> Any:
    """Row index into a (B, T) layout whose T may exceed len(bs) (total_length)."""
    import numpy as np
    t = np.repeat(np.arange(len(bs)), bs)
    b = np.concatenate([np.arange(n) for n in bs])
    return b * T + t


def pad_sequence(sequences: Any, batch_first: bool = False, padding_value: float = 0.0,
                 padding_side: str = "right") -> Any:
    """Stack tensors (L_i, *) into (max L, B, *) / (B, max L, *), padded
    (torch.nn.utils.rnn.pad_sequence)."""
    import ember
    if padding_side not in ("left", "right"):
        raise ValueError(f"pad_sequence: padding_side must be 'left' or 'right', got "
                         f"'{padding_side}'")
    seqs = list(sequences)
    if not seqs:
        raise RuntimeError("pad_sequence: received an empty list of sequences")
    L = max(s.shape[0] for s in seqs)
    feat = tuple(seqs[0].shape[1:])
    for i, s in enumerate(seqs):
        if tuple(s.shape[1:]) != feat:
            raise RuntimeError(
                f"pad_sequence: all sequences must have the same trailing dimensions; "
                f"sequence 0 has shape {tuple(seqs[0].shape)}, sequence {i} has shape "
                f"{tuple(s.shape)}")
    lens = [s.shape[0] for s in seqs]
    B = len(seqs)
    data = ember.cat(seqs, 0)
    import numpy as np
    t = np.concatenate([np.arange(n) + (L - n if padding_side == "left" else 0)
                        for n in lens]).astype(np.int64)
    b = np.repeat(np.arange(B), lens)
    idx = b * L + t if batch_first else t * B + b
    shape = ((B, L) if batch_first else (L, B)) + feat
    return ScatterRows.apply(data, idx, shape, float(padding_value))


def unpad_sequence(padded_sequences: Any, lengths: Any, batch_first: bool = False) -> list:
    """Split a padded batch back into a list of (L_i, *) tensors
    (torch.nn.utils.rnn.unpad_sequence)."""
    lens = _lengths_list(lengths)
    if batch_first:
        return [padded_sequences[i, :n] for i, n in enumerate(lens)]
    return [padded_sequences[:n, i] for i, n in enumerate(lens)]


def pack_sequence(sequences: Any, enforce_sorted: bool = True) -> PackedSequence:
    """Pack a list of (L_i, *) tensors (torch.nn.utils.rnn.pack_sequence)."""
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths,
                                enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences: PackedSequence) -> list:
    """A PackedSequence back to its list of tensors (torch.nn.utils.rnn.unpack_sequence)."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
