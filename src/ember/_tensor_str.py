"""Tensor printing in torch's format: `tensor([[1., 2.]], requires_grad=True)`."""

from __future__ import annotations

from typing import Any

import numpy as np


def _fmt_array(a: np.ndarray) -> str:
    kind = a.dtype.kind
    if kind == "b":
        return np.array2string(a, separator=", ", formatter={"bool": lambda v: str(bool(v))})
    if kind in "iu":
        return np.array2string(a, separator=", ")
    finite = a[np.isfinite(a)]
    if finite.size and np.all(finite == np.round(finite)) and np.abs(finite).max() < 1e8:
        fmt = lambda v: (f"{v:.0f}." if np.isfinite(v) else str(v))  # noqa: E731
    else:
        fmt = lambda v: f"{v:.4f}"  # noqa: E731
    return np.array2string(a, separator=", ", formatter={"float_kind": fmt})


def tensor_repr(t: Any) -> str:
    from . import _backend
    a = t._data
    body = _fmt_array(a).replace("\n", "\n       ")
    extra = []
    if a.size == 0 and a.ndim != 1:
        extra.append(f"size={tuple(a.shape)}")
    dt = _backend.from_np(a.dtype)
    if dt not in (_backend.get_default_dtype(), _backend.int64, _backend.bool_) or a.size == 0 \
            and dt is not _backend.get_default_dtype():
        extra.append(f"dtype={dt!r}")
    if t.grad_fn is not None:
        extra.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t._requires_grad:
        extra.append("requires_grad=True")
    return "tensor(" + ", ".join([body] + extra) + ")"
