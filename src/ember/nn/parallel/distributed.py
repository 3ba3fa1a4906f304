"""DistributedDataParallel: data parallelism across processes over MPI (torch DDP).

Gradients are averaged in fused buckets: parameters are grouped (in reverse registration order,
roughly the order backward produces their gradients; per dtype; the first bucket capped at 1 MiB,
the rest at `bucket_cap_mb`) into flat buffers. A hook on each parameter copies its gradient into
its bucket slot; when a bucket's last gradient arrives, a non-blocking all-reduce of the whole
bucket starts (buckets launch in the same order on every rank), overlapping the rest of backward.
The hook of the last parameter waits for all buckets and writes the averaged gradients to `.grad`
(views into the bucket buffer, a fresh buffer each step), so no end-of-backward callback is needed.

state_dict: as in torch, DDP is a Module holding the model as `module`, so `ddp.state_dict()` keys
carry the `module.` prefix ("module.0.weight"); save `ddp.module.state_dict()` for unprefixed keys
that load into the bare model.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from ... import distributed as dist
from ..._tensor import Tensor, _make
from ...autograd.grad_mode import state as _grad_state
from ..module import Module

__all__ = ["DistributedDataParallel"]

_FIRST_BUCKET_BYTES = 1 << 20


class _Bucket:
    __slots__ = ("params", "offsets", "dtype", "numel", "buf", "pending", "req")

    def __init__(self, params: list, dtype: np.dtype) -> None:
        self.params = params
        self.dtype = dtype
        self.offsets = []
        n = 0
        for p in params:
            self.offsets.append(n)
            n += p._data.size
        self.numel = n
        self.buf = None
        self.pending = 0
        self.req = None


class DistributedDataParallel(Module):
    """Wrap `module` so backward averages its gradients across ranks (torch DDP, MPI backend).

    Call `ember.distributed.init_process_group()` first. Forward passes straight through.
    """

    def __init__(self, module: Module, device_ids: Any = None, output_device: Any = None,
                 dim: int = 0, broadcast_buffers: bool = True, init_sync: bool = True,
                 process_group: Any = None, bucket_cap_mb: float | None = None,
                 find_unused_parameters: bool = False, check_reduction: bool = False,
                 gradient_as_bucket_view: bool = False, static_graph: bool = False) -> None:
        super().__init__()
        if not isinstance(module, Module):
            raise TypeError(f"DistributedDataParallel: expected an nn.Module to wrap, got "
                            f"{type(module).__name__}")
        if find_unused_parameters:
            raise NotImplementedError(
                "DistributedDataParallel: find_unused_parameters=True is not supported yet; every "
                "parameter that requires grad must receive a gradient in each backward")
        g = dist._get(process_group)
        self.module = module
        self.broadcast_buffers = broadcast_buffers
        self.require_backward_grad_sync = True
        self.bucket_bytes_cap = int((25 if bucket_cap_mb is None else bucket_cap_mb) * 2 ** 20)
        d = self.__dict__
        d["_g"] = g
        d["_params"] = [p for p in module.parameters() if p.requires_grad]
        d["_buckets"] = self._make_buckets()
        d["_armed"] = False
        d["_ready"] = 0
        d["_next"] = 0
        d["_handles"] = []
        d["allreduce_calls"] = 0    # bucket all-reduces started (for tests and benchmarks)
        if g.size > 1:
            self._check_same_model()
            if init_sync:
                for t in list(module.parameters()) + list(module.buffers()):
                    dist.broadcast(t.detach(), 0)
        for bi, b in enumerate(self._buckets):
            for k, p in enumerate(b.params):
                self._handles.append(p.register_hook(self._make_hook(bi, k)))

    def _make_buckets(self) -> list:
        buckets, cur, size, cap = [], [], 0, min(_FIRST_BUCKET_BYTES, self.bucket_bytes_cap)
        for p in reversed(self._params):
            if cur and (size >= cap or p._data.dtype != cur[0]._data.dtype):
                buckets.append(_Bucket(cur, cur[0]._data.dtype))
                cur, size, cap = [], 0, self.bucket_bytes_cap
            cur.append(p)
            size += p._data.nbytes
        if cur:
            buckets.append(_Bucket(cur, cur[0]._data.dtype))
        return buckets

    def _check_same_model(self) -> None:
        mine = [(tuple(t.shape), str(t.dtype)) for t in
                list(self.module.parameters()) + list(self.module.buffers())]
        every = self._g.comm.allgather(mine)
        for r, theirs in enumerate(every):
            if theirs != mine:
                diff = next((i for i, (a, b) in enumerate(zip(mine, theirs)) if a != b),
                            min(len(mine), len(theirs)))
                raise RuntimeError(
                    f"DistributedDataParallel: rank {r} wraps a different model than rank "
                    f"{self._g.rank}: {len(theirs)} vs {len(mine)} parameters/buffers, first "
                    f"difference at #{diff}: "
                    f"{theirs[diff] if diff < len(theirs) else None} vs "
                    f"{mine[diff] if diff < len(mine) else None}")

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        d = self.__dict__
        if d["_armed"] and d["_ready"]:
            raise RuntimeError(
                "DistributedDataParallel: the previous backward did not produce a gradient for "
                f"every parameter ({d['_ready']} of {len(self._params)} arrived), so its gradient "
                "reduction never finished. Every parameter that requires grad must be used in "
                "the loss (find_unused_parameters is not supported)")
        g = self._g
        if self.broadcast_buffers and g.size > 1:
            for b in self.module.buffers():
                dist.broadcast(b.detach(), 0)
        d["_armed"] = (self.require_backward_grad_sync and _grad_state.enabled
                       and g.size > 1 and bool(self._params))
        d["_ready"] = 0
        d["_next"] = 0
        return self.module(*args, **kwargs)

    @contextmanager
    def no_sync(self) -> Iterator[None]:
        """Skip gradient averaging inside the context: grads accumulate locally (torch)."""
        old = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = old

    def _make_hook(self, bi: int, k: int) -> Any:
        d = self.__dict__
        b = self._buckets[bi]
        p = b.params[k]
        off = b.offsets[k]
        end = off + p._data.size
        shape = p._data.shape

        def hook(grad: Tensor) -> Tensor | None:
            if not d["_armed"]:
                return None
            if b.pending == 0:       # first gradient of this bucket this step
                b.buf = np.empty(b.numel, b.dtype)
                b.pending = len(b.params)
            slot = b.buf[off:end].reshape(shape)
            old = p._grad
            if old is None:
                np.copyto(slot, grad._data)
            else:                    # grads accumulated under no_sync join the average
                np.add(old._data, grad._data, out=slot)
            b.pending -= 1
            if b.pending == 0:
                self._launch()
            d["_ready"] += 1
            if d["_ready"] == len(self._params):
                return self._finish(p, slot)
            return None
        return hook

    def _launch(self) -> None:
        """Start the all-reduce of every ready bucket, in bucket order (the same on all ranks)."""
        d = self.__dict__
        g = self._g
        buckets = self._buckets
        i = d["_next"]
        while i < len(buckets) and buckets[i].buf is not None and buckets[i].pending == 0 \
                and buckets[i].req is None:
            buckets[i].req = g.comm.Iallreduce(g.MPI.IN_PLACE, buckets[i].buf, op=g.MPI.SUM)
            d["allreduce_calls"] += 1
            i += 1
        d["_next"] = i
        if i < len(buckets):         # let MPI progress the ones in flight
            for b in buckets[:i]:
                if b.req is not None:
                    b.req.Test()

    def _finish(self, last: Tensor, last_slot: np.ndarray) -> Tensor:
        """Wait for every bucket and set the averaged grads; return the last parameter's."""
        d = self.__dict__
        scale = 1.0 / self._g.size
        for b in self._buckets:
            b.req.Wait()
            b.req = None
            np.multiply(b.buf, scale, out=b.buf)
            for p, off in zip(b.params, b.offsets):
                if p is not last:
                    p._grad = _make(b.buf[off:off + p._data.size].reshape(p._data.shape))
            b.buf = None
        d["_armed"] = False
        d["_ready"] = 0
        # the engine accumulates this hook's result into `last.grad`: start it from None
        last._grad = None
        return _make(last_slot)
