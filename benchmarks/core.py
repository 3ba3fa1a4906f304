"""Core workloads (issue: Tensor and autograd): per-op overhead, a 50-op chain, a big matmul."""

from __future__ import annotations


def small_op(op: str):
    def make(lib):
        a = lib.randn(4, 4, requires_grad=True)
        b = lib.randn(4, 4, requires_grad=True)
        f = {"add": lambda: a + b, "mul": lambda: a * b, "matmul": lambda: a @ b}[op]
        return f
    return make


def chain50(lib):
    """Forward + backward of 50 ops on 4x4 tensors."""
    x = lib.randn(4, 4, requires_grad=True)
    w = lib.randn(4, 4, requires_grad=True)

    def step():
        h = x
        for _ in range(10):
            h = (h * w + x).tanh() @ w - 0.5 * h
        h.sum().backward()
        x.grad = None
        w.grad = None
    return step


def matmul1024(lib):
    a = lib.randn(1024, 1024, requires_grad=True)
    b = lib.randn(1024, 1024, requires_grad=True)
    g = lib.randn(1024, 1024)

    def step():
        (a @ b).backward(g)
        a.grad = None
        b.grad = None
    return step


WORKLOADS = {
    "add 4x4 (grad recorded)": small_op("add"),
    "mul 4x4 (grad recorded)": small_op("mul"),
    "matmul 4x4 (grad recorded)": small_op("matmul"),
    "50-op chain 4x4 fwd+bwd": chain50,
    "matmul 1024x1024 fwd+bwd": matmul1024,
}
