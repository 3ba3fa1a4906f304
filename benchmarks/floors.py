"""The floors under the speed targets: `python benchmarks/floors.py`.

What ember cannot go below with NumPy doing the work: the infer MLP's NumPy calls alone, a
recorded 4x4 op whose Function saves nothing for backward, and the time the conv steps spend in
matrix products. Each is printed beside ember and torch (best thread count) in this process.
"""

from __future__ import annotations

import functools
import time
import timeit

import numpy as np
import torch
from conv import cnn, conv3d

import ember
from ember.autograd.function import Function
from nn import infer


def best(fn, number: int, repeat: int = 9) -> float:
    fn()
    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number


def infer_floor() -> None:
    """The infer MLP as raw NumPy (products, in-place bias adds and maximums) on its weights."""
    m = ember.nn.Sequential(ember.nn.Linear(256, 512), ember.nn.ReLU(),
                            ember.nn.Linear(512, 512), ember.nn.ReLU(),
                            ember.nn.Linear(512, 10)).eval()
    (w1, b1), (w2, b2), (w3, b3) = ((m[i].weight._data.T, m[i].bias._data[None])
                                    for i in (0, 2, 4))
    x = np.random.default_rng(0).standard_normal((1, 256), dtype=np.float32)
    zero = np.zeros((), np.float32)

    def numpy_seq():
        h = x.dot(w1)
        h += b1
        np.maximum(h, zero, out=h)
        h = h.dot(w2)
        h += b2
        np.maximum(h, zero, out=h)
        h = h.dot(w3)
        h += b3
        return h

    h = np.maximum(x.dot(w1), zero)

    def products():
        return x.dot(w1), h.dot(w2), h.dot(w3)

    ours = best(infer(ember), 2000)
    theirs = {}
    for threads in (1, 2):
        torch.set_num_threads(threads)
        theirs[threads] = best(infer(torch), 2000)
    print(f"infer   ember {ours * 1e6:5.1f} µs   NumPy sequence {best(numpy_seq, 2000) * 1e6:5.1f}"
          f" µs (products {best(products, 2000) * 1e6:5.1f} µs)   torch 1 thr "
          f"{theirs[1] * 1e6:5.1f} µs, 2 thr {theirs[2] * 1e6:5.1f} µs")


class _MulNothingSaved(Function):
    _raw = True
    _name = "MulBackward0"

    @staticmethod
    def forward(ctx, a, b):
        return a * b

    @staticmethod
    def backward(ctx, g):
        return g, g


class _MatMulNothingSaved(_MulNothingSaved):
    _name = "MmBackward0"

    @staticmethod
    def forward(ctx, a, b):
        return a.dot(b)


def op_floor() -> None:
    """A recorded 4x4 mul/matmul, and the same apply with nothing saved for backward."""
    x, y = ember.randn(4, 4, requires_grad=True), ember.randn(4, 4, requires_grad=True)
    tx, ty = torch.randn(4, 4, requires_grad=True), torch.randn(4, 4, requires_grad=True)
    torch.set_num_threads(1)
    for name, op, bare, top in (("mul", lambda: x * y, _MulNothingSaved._apply2, lambda: tx * ty),
                                ("matmul", lambda: x @ y, _MatMulNothingSaved._apply2,
                                 lambda: tx @ ty)):
        print(f"{name:7} ember {best(op, 20000) * 1e6:5.2f} µs   nothing saved "
              f"{best(functools.partial(bare, x, y), 20000) * 1e6:5.2f} µs   torch (1 thr) "
              f"{best(top, 20000) * 1e6:5.2f} µs")


def conv_products() -> None:
    """Time spent in np.matmul inside ember's cnn and conv3d steps."""
    spent = [0.0]
    matmul = np.matmul

    def timed(*args, **kwargs):
        t = time.perf_counter()
        out = matmul(*args, **kwargs)
        spent[0] += time.perf_counter() - t
        return out

    np.matmul = timed
    try:
        for name, make in (("cnn", cnn), ("conv3d", conv3d)):
            step = make(ember)
            step()
            spent[0] = 0.0
            t = time.perf_counter()
            for _ in range(20):
                step()
            total = (time.perf_counter() - t) / 20
            print(f"{name:7} ember step {total * 1e3:5.1f} ms, of which matrix products "
                  f"{spent[0] / 20 * 1e3:5.1f} ms")
    finally:
        np.matmul = matmul


if __name__ == "__main__":
    infer_floor()
    op_floor()
    conv_products()
