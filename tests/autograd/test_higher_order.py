"""Second and third derivatives (create_graph=True) match torch's for arithmetic, math, matmul,
reductions, shape and indexing ops."""

import numpy as np
import pytest
import torch

import ember

FUNCS = {
    "poly": lambda L, x, w: (x ** 3 * w - x * w ** 2).sum(),
    "math": lambda L, x, w: (L.sin(x) * L.exp(w) + L.tanh(x * w) + L.log(x * x + 1)).sum(),
    "div_sqrt": lambda L, x, w: (x / (w * w + 1) + L.sqrt(x * x + 2)).sum(),
    "sigmoid": lambda L, x, w: L.sigmoid(x * w).sum(),
    "matmul": lambda L, x, w: ((x @ w) ** 2).sum(),
    "reduce": lambda L, x, w: (x.mean(0) * w.sum(1)).sum() + (x * w).amax() ** 2,
    "shape": lambda L, x, w: (x.t().reshape(-1) ** 3).sum() + (w.unsqueeze(0) * x).sum(),
    "index": lambda L, x, w: ((x[1:, ::2] * w[0, 0]) ** 3).sum() + x[[0, 2, 0]].pow(2).sum(),
    "logsumexp": lambda L, x, w: L.logsumexp(x * w, dim=1).sum(),
    "softmax": lambda L, x, w: (L.softmax(x @ w, dim=-1) ** 2).sum(),
}


def _derivs(L, name, xv, wv, order=3):
    """d/dx of d/dx of f (summed), order times; returns the list of gradients as arrays."""
    x = L.tensor(xv, requires_grad=True)
    w = L.tensor(wv, requires_grad=True)
    y = FUNCS[name](L, x, w)
    out = []
    for _ in range(order):
        (g,) = L.autograd.grad(y, x, create_graph=True)
        out.append(g.detach().numpy().copy())
        y = (g * L.tensor(np.cos(np.arange(g.numel()).reshape(tuple(g.shape))))).sum()
    return out


@pytest.mark.parametrize("name", sorted(FUNCS))
def test_third_order_matches_torch(name, rng):
    xv = rng.uniform(0.5, 1.5, (3, 3))
    wv = rng.uniform(0.5, 1.5, (3, 3))
    for i, (e, t) in enumerate(zip(_derivs(ember, name, xv, wv), _derivs(torch, name, xv, wv))):
        np.testing.assert_allclose(e, t, rtol=1e-9, atol=1e-10,
                                   err_msg=f"{name}: derivative of order {i + 1}")
