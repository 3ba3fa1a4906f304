"""Pooling (max, avg, adaptive, LP, unpool; 1d/2d/3d) against torch."""
# ruff: noqa: B023  (the lambdas are called before the loop moves on)

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import ember
import ember.nn.functional as F
from harness import check, check_error, check_gradcheck

SHAPES = {1: (2, 3, 11), 2: (2, 3, 9, 8), 3: (2, 2, 5, 6, 7)}
# kernel, stride, padding, dilation, ceil_mode
GRID = [(2, None, 0, 1, False), (3, 2, 1, 1, True), (3, 2, 1, 2, False), (2, 1, 1, 1, True),
        (3, 3, 0, 1, True), ((2, 3, 2), (1, 2, 3), (1, 1, 0), 1, True), (3, 3, 1, 1, False)]


def _cut(v, nd):
    return v[:nd] if isinstance(v, tuple) else v


@pytest.mark.parametrize("nd", [1, 2, 3])
@pytest.mark.parametrize("k,s,p,d,ceil", GRID)
def test_max_pool(nd, k, s, p, d, ceil, rng):
    x = rng.standard_normal(SHAPES[nd]).astype(np.float32)
    k, s, p = _cut(k, nd), _cut(s, nd), _cut(p, nd)
    ef, tf = getattr(F, f"max_pool{nd}d"), getattr(TF, f"max_pool{nd}d")
    check(lambda t: ef(t, k, s, p, d, ceil, True), lambda t: tf(t, k, s, p, d, ceil, True),
          x, rng=rng)
    check(lambda t: ef(t, k, s, p, d, ceil), lambda t: tf(t, k, s, p, d, ceil), x, rng=rng)
    check(lambda t: ef(t, k, s, p, d, ceil), lambda t: tf(t, k, s, p, d, ceil), x[0], rng=rng)


@pytest.mark.parametrize("nd", [1, 2, 3])
@pytest.mark.parametrize("k,s,p,d,ceil", [g for g in GRID if g[3] == 1])
@pytest.mark.parametrize("cip,div", [(True, None), (False, None), (True, 5), (False, 3)])
def test_avg_pool(nd, k, s, p, d, ceil, cip, div, rng):
    x = rng.standard_normal(SHAPES[nd]).astype(np.float32)
    k, s, p = _cut(k, nd), _cut(s, nd), _cut(p, nd)
    if nd == 1:
        if div is not None:
            return
        args = (k, s, p, ceil, cip)
    else:
        args = (k, s, p, ceil, cip, div)
    ef, tf = getattr(F, f"avg_pool{nd}d"), getattr(TF, f"avg_pool{nd}d")
    check(lambda t: ef(t, *args), lambda t: tf(t, *args), x, rng=rng)


def test_pool_ties_ints_and_noncontiguous(rng):
    x = rng.integers(0, 3, (2, 3, 8, 8)).astype(np.float32)   # many ties: first max wins
    for k, s in ((2, 2), (3, 1)):
        check(lambda t: F.max_pool2d(t, k, s, return_indices=True),
              lambda t: TF.max_pool2d(t, k, s, return_indices=True), x, rng=rng)
        check(lambda t: F.max_pool2d(t, k, s), lambda t: TF.max_pool2d(t, k, s), x, rng=rng)
    xi = rng.integers(-50, 50, (2, 3, 7, 6))
    check(lambda t: F.max_pool2d(t, 2), lambda t: TF.max_pool2d(t, 2), xi, rng=rng)
    check(lambda t: F.avg_pool2d(t, 3, 2, 1), lambda t: TF.avg_pool2d(t, 3, 2, 1), xi, rng=rng)
    xf = np.asfortranarray(rng.standard_normal((2, 3, 8, 6)))
    check(lambda t: F.max_pool2d(t, 2), lambda t: TF.max_pool2d(t, 2), xf, rng=rng)
    check(lambda t: F.avg_pool2d(t, 2), lambda t: TF.avg_pool2d(t, 2), xf, rng=rng)


@pytest.mark.parametrize("nd,out", [(1, 4), (1, 11), (2, (4, 3)), (2, (5, None)), (2, 1),
                                    (2, (9, 8)), (2, (6, 5)), (3, (3, 4, 2)), (3, 2), (2, (0, 2))])
def test_adaptive(nd, out, rng):
    x = rng.standard_normal(SHAPES[nd]).astype(np.float32)
    grad = out != (0, 2)   # torch's backward refuses empty outputs
    for name in ("avg", "max"):
        ef = getattr(F, f"adaptive_{name}_pool{nd}d")
        tf = getattr(TF, f"adaptive_{name}_pool{nd}d")
        check(lambda t: ef(t, out), lambda t: tf(t, out), x, rng=rng, grad=grad)
    check(lambda t: getattr(F, f"adaptive_max_pool{nd}d")(t, out, True),
          lambda t: getattr(TF, f"adaptive_max_pool{nd}d")(t, out, True), x, rng=rng, grad=grad)


@pytest.mark.parametrize("nd", [1, 2, 3])
def test_unpool_and_lp(nd, rng):
    x = rng.standard_normal(SHAPES[nd]).astype(np.float32)
    tp = getattr(TF, f"max_pool{nd}d")
    xe = x[(Ellipsis,) + tuple(slice(0, n // 2 * 2) for n in x.shape[2:])]   # even sizes
    y, i = tp(torch.from_numpy(xe.copy()), 2, return_indices=True)
    eu, tu = getattr(F, f"max_unpool{nd}d"), getattr(TF, f"max_unpool{nd}d")
    ei = ember.tensor(i.numpy())
    check(lambda t: eu(t, ei, 2), lambda t: tu(t, i, 2), y.numpy(), rng=rng)
    size = tuple(2 * m + 1 for m in y.shape[2:])
    if nd == 1:   # a bigger output plane changes what flat indices mean beyond 1d
            check(lambda t: eu(t, ei, 2, output_size=size),
              lambda t: tu(t, i, 2, output_size=size), y.numpy(), rng=rng)
    ef, tf = getattr(F, f"lp_pool{nd}d"), getattr(TF, f"lp_pool{nd}d")
    for p, k, s, c in ((2, 2, None, False), (3, 3, 2, True), (1.5, 2, 1, False)):
        check(lambda t: ef(t, p, k, s, c), lambda t: tf(t, p, k, s, c), np.abs(x) + 0.1,
              rng=rng, rtol=1e-4, atol=1e-5)


def test_gradcheck(rng):
    x = rng.permutation(2 * 2 * 7 * 6).reshape(2, 2, 7, 6) / 10.0   # no ties
    for f in (lambda t: F.max_pool2d(t, 3, 2, 1, ceil_mode=True), lambda t: F.max_pool2d(t, 2),
              lambda t: F.adaptive_max_pool2d(t, (3, 4))):
        check_gradcheck(f, x)
    for f in (lambda t: F.avg_pool2d(t, 3, 2, 1, True, False),
              lambda t: F.adaptive_avg_pool2d(t, (4, 5))):
        check_gradcheck(f, x, gradgrad=True)
    check_gradcheck(lambda t: F.max_pool1d(t, 2, 1, dilation=2), x[0, 0:1, 0], gradgrad=True)
    check_gradcheck(lambda t: F.max_pool2d(t, 2, 1), x, gradgrad=True)
    check_gradcheck(lambda t: F.lp_pool2d(t, 2, 2), x + 0.1)


REPRS = [("MaxPool2d", (2,), {}), ("MaxPool1d", (3, 2, 1), {"ceil_mode": True}),
         ("MaxPool3d", ((2, 1, 2),), {"dilation": 2}), ("AvgPool1d", (3,), {}),
         ("AvgPool2d", (2, 1, 1), {"divisor_override": 2}), ("AvgPool3d", (2,), {}),
         ("AdaptiveAvgPool2d", ((3, None),), {}), ("AdaptiveMaxPool1d", (3,), {}),
         ("AdaptiveMaxPool3d", (2, True), {}), ("LPPool2d", (2, 3), {}),
         ("LPPool1d", (1.5, 2, 1), {}), ("MaxUnpool2d", (2,), {}), ("MaxUnpool1d", (3, 1), {}),
         ("MaxUnpool3d", (2, 2, 1), {}), ("AdaptiveAvgPool3d", (2,), {})]


@pytest.mark.parametrize("name,args,kw", REPRS)
def test_module_repr_and_forward(name, args, kw, rng):
    e, t = getattr(ember.nn, name)(*args, **kw), getattr(torch.nn, name)(*args, **kw)
    assert repr(e) == repr(t)
    if "Unpool" in name:
        return
    nd = int(name[-2])
    x = np.abs(rng.standard_normal(SHAPES[nd])).astype(np.float32) + 0.1
    check(e, t, x, rng=rng, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("fn,args", [
    ("max_pool2d", ((1, 2, 5, 5), 2, None, 2)), ("max_pool2d", ((1, 2, 5, 5), 7)),
    ("avg_pool2d", ((1, 2, 5, 5), 2, None, 2)), ("max_pool2d", ((5, 5), 2)),
    ("max_pool2d", ((1, 2, 5, 5), 2, 0)), ("max_pool3d", ((5, 5, 5), 2)),
    ("avg_pool1d", ((2, 3, 2), 3)), ("adaptive_max_pool2d", ((2, 3), 2)),
    ("max_pool1d", ((2, 0, 4), 2)),
])
def test_errors(fn, args, rng):
    shape, *rest = args
    x = rng.standard_normal(shape).astype(np.float32)
    exc = check_error(lambda t: getattr(F, fn)(t, *rest), lambda t: getattr(TF, fn)(t, *rest),
                      x)
    assert fn.split("_")[0] in str(exc) or "pad" in str(exc)
    y, i = TF.max_pool2d(torch.randn(1, 2, 4, 4), 2, return_indices=True)
    check_error(lambda t: F.max_unpool2d(t, ember.tensor(i.numpy()), 2, output_size=(7, 7)),
                lambda t: TF.max_unpool2d(t, i, 2, output_size=(7, 7)), y.numpy(),
                match=["between"])


def test_maxpool_double_backward_fast_path(rng):
    x = ember.tensor(rng.standard_normal((2, 3, 4, 4)), requires_grad=True)
    v = ember.tensor(rng.standard_normal((2, 3, 2, 2)), requires_grad=True)
    (g,) = ember.autograd.grad(F.max_pool2d(x, 2), x, v, create_graph=True)
    w = ember.tensor(rng.standard_normal((2, 3, 4, 4)))
    (gv,) = ember.autograd.grad((g * w).sum(), v)   # d/dv <scatter(v), w> = gather(w)
    xt = torch.from_numpy(x.detach().numpy())
    _, idx = TF.max_pool2d(xt, 2, return_indices=True)
    want = torch.from_numpy(w.numpy()).flatten(2).gather(2, idx.flatten(2)).view(2, 3, 2, 2)
    np.testing.assert_allclose(gv.numpy(), want.numpy())


@pytest.mark.parametrize("shape", [(1, 2, 9, 9), (1, 2, 9, 8), (2, 3, 12, 7), (2, 1, 8, 9, 10)])
@pytest.mark.parametrize("k", [2, 3, 4])
def test_max_pool_non_overlapping_fast_path(shape, k, rng):
    """stride == kernel, no padding: the strided fast path, incl. kernels > 2 and sizes that
    leave a remainder, against torch (values and input gradient)."""
    name = "max_pool2d" if len(shape) == 4 else "max_pool3d"
    ties = rng.integers(0, 2, shape).astype(np.float32)   # most windows hold several maxima
    for x in (rng.standard_normal(shape).astype(np.float32), ties):
        check(lambda t: getattr(F, name)(t, k),
              lambda t: getattr(torch.nn.functional, name)(t, k), x, rng=rng)


@pytest.mark.parametrize("special", [np.nan, np.inf, -np.inf])
def test_max_pool_fast_path_non_finite(special, rng):
    """NaN windows (torch's gradient goes to the NaN) and infinite values or gradients."""
    x = rng.standard_normal((2, 3, 6, 8))
    x[0, 1, 2, 3] = x[1, 2, 5, 0] = special
    check(lambda t: F.max_pool2d(t, 2), lambda t: TF.max_pool2d(t, 2), x, rng=rng)
    xe = ember.tensor(x, requires_grad=True)
    xt = torch.tensor(x, requires_grad=True)
    g = rng.standard_normal((2, 3, 3, 4))
    g[1, 0, 1, 1] = special
    (ge,) = ember.autograd.grad(F.max_pool2d(xe, 2), xe, ember.tensor(g))
    (gt,) = torch.autograd.grad(TF.max_pool2d(xt, 2), xt, torch.tensor(g))
    np.testing.assert_array_equal(ge.numpy(), gt.numpy())
