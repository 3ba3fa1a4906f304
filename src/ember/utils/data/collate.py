"""Turning a list of samples into a batch (torch.utils.data.default_collate / default_convert)."""

from __future__ import annotations

import collections.abc as abc
import copy
import re
from typing import Any

from ..._backend import float64
from ..._tensor import Tensor
from ...ops.creation import as_tensor, tensor
from ...ops.shape import stack

__all__ = ["default_collate", "default_convert"]

_STR_OBJ = re.compile(r"[SaUO]")   # NumPy dtypes of strings/objects: not convertible
_ERR = ("default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; "
        "found {}")


def _is_numpy(t: type) -> bool:
    return t.__module__ == "numpy" and t.__name__ not in ("str_", "string_")


def default_convert(data: Any) -> Any:
    """NumPy arrays and scalars inside `data` become Tensors; containers keep their type, tuples
    become lists, everything else is left as is (torch default_convert)."""
    t = type(data)
    if isinstance(data, Tensor):
        return data
    if _is_numpy(t):
        if t.__name__ == "ndarray" and _STR_OBJ.search(data.dtype.str) is not None:
            return data
        return as_tensor(data)
    if isinstance(data, abc.Mapping):
        try:
            if isinstance(data, abc.MutableMapping):
                clone = copy.copy(data)
                clone.update({k: default_convert(data[k]) for k in data})
                return clone
            return t({k: default_convert(data[k]) for k in data})
        except TypeError:
            return {k: default_convert(data[k]) for k in data}
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return t(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, abc.Sequence) and not isinstance(data, (str, bytes)):
        try:
            if isinstance(data, abc.MutableSequence):
                clone = copy.copy(data)
                for i, d in enumerate(data):
                    clone[i] = default_convert(d)
                return clone
            return t([default_convert(d) for d in data])
        except TypeError:
            return [default_convert(d) for d in data]
    return data


def default_collate(batch: Any) -> Any:
    """Stack a list of samples into a batch, keeping the samples' structure (torch
    default_collate): Tensors and NumPy arrays are stacked along a new dim 0, Python floats
    become a float64 tensor, ints int64, bools bool, strings stay a list, dicts are collated per
    key, namedtuples keep their type, other sequences are transposed (tuples become lists)."""
    return _collate(batch, "")


def _field(path: str) -> str:
    return f"field {path}" if path else "the samples"


def _stack(batch: Any, path: str) -> Tensor:
    try:
        return stack(batch, 0)
    except RuntimeError:
        s0 = tuple(batch[0].shape)
        i = next((i for i, b in enumerate(batch) if tuple(b.shape) != s0), None)
        if i is None:
            raise
        raise RuntimeError(
            f"default_collate: cannot stack {_field(path)}: stack expects each tensor to be equal "
            f"size, but sample 0 has shape {list(s0)} and sample {i} has shape "
            f"{list(batch[i].shape)}; make every sample the same shape in the Dataset (pad, "
            f"crop or resize), use batch_size=1, or pass a collate_fn that pads, e.g. with "
            f"ember.nn.utils.rnn.pad_sequence") from None


def _collate(batch: Any, path: str) -> Any:
    elem = batch[0]
    t = type(elem)
    if isinstance(elem, Tensor):
        return _stack(batch, path)
    if _is_numpy(t):
        if t.__name__ in ("ndarray", "memmap"):
            if _STR_OBJ.search(elem.dtype.str) is not None:
                raise TypeError(_ERR.format(elem.dtype) + (f" (in {_field(path)})" if path
                                                           else ""))
            return _stack([as_tensor(b) for b in batch], path)
        if elem.shape == ():   # NumPy scalars keep their dtype
            return as_tensor(batch)
    elif isinstance(elem, float):
        return tensor(batch, dtype=float64)
    elif isinstance(elem, int):    # bool too: a bool tensor when all are bools
        return tensor(batch)
    elif isinstance(elem, (str, bytes)):
        return batch
    elif isinstance(elem, abc.Mapping):
        def sub(k: Any) -> Any:
            return _collate([d[k] for d in batch], f"{path}[{k!r}]")
        try:
            if isinstance(elem, abc.MutableMapping):
                clone = copy.copy(elem)
                clone.update({k: sub(k) for k in elem})
                return clone
            return t({k: sub(k) for k in elem})
        except TypeError:
            return {k: sub(k) for k in elem}
    elif isinstance(elem, tuple) and hasattr(elem, "_fields"):   # namedtuple
        return t(*(_collate(s, f"{path}.{f}") for f, s in zip(elem._fields, zip(*batch))))
    elif isinstance(elem, abc.Sequence):
        n = len(elem)
        for i, b in enumerate(batch):
            if len(b) != n:
                raise RuntimeError(
                    f"each element in list of batch should be of equal size: in "
                    f"{_field(path)}, sample 0 has {n} elements and sample {i} has {len(b)}")
        cols = [_collate(s, f"{path}[{j}]") for j, s in enumerate(zip(*batch))]
        if isinstance(elem, tuple):
            return cols
        try:
            if isinstance(elem, abc.MutableSequence):
                clone = copy.copy(elem)
                for j, c in enumerate(cols):
                    clone[j] = c
                return clone
            return t(cols)
        except TypeError:
            return cols
    raise TypeError(_ERR.format(t) + (f" (in {_field(path)})" if path else ""))
