"""The convolution kernels' internal paths against torch: products over chunks of columns (whole
samples, or slices of one sample) or one kept block, the stride-1 layout with widened rows and
the general strided one, no padding (patches viewed on x itself), groups, non-finite values,
scratch-buffer reuse across calls, and double backward."""

import numpy as np
import pytest
import torch

import ember
import ember.nn.functional as F
import ember.ops.conv as cv
from harness import check, check_error, check_gradcheck

TF = torch.nn.functional

# (nd, C, Cout, x spatial, kwargs): the path each one takes is in the comment
CASES = [
    (3, 3, 5, (4, 6, 9), dict(padding=1)),                          # widened rows
    (3, 16, 4, (3, 5, 9), dict(padding=1)),                         # widened rows
    (2, 16, 3, (5, 9), dict(padding="same", dilation=(2, 1))),     # asymmetric padding
    (2, 16, 3, (5, 8), dict(padding="same")),                       # kernel (3, 2) below
    (1, 16, 3, (17,), dict(padding=2, dilation=2)),                 # 1-d: chunks of samples
    (2, 4, 6, (6, 9), dict(padding=1, groups=2)),                   # groups
    (2, 16, 4, (6, 9), dict(padding=1, groups=2)),                  # groups
    (2, 16, 3, (7, 9), dict(stride=2, padding=1)),                  # general strides
    (3, 16, 3, (4, 5, 9), dict(stride=(1, 2, 1), padding=1)),       # general strides
    (2, 16, 3, (5, 9), dict()),                                     # 1x1 kernel below: x itself
    (2, 16, 3, (4, 4), dict(padding=1)),                            # rows too wide: general
    (2, 3, 4, (6, 7), dict(dilation=(1, 2))),                       # no padding: x itself
]
KERNELS = {3: (3, 3, 3), 2: (3, 3), 1: (3,)}


def _kernel(i, nd):
    return {3: (3, 2), 9: (1, 1)}.get(i, KERNELS[nd])


@pytest.mark.filterwarnings("ignore:Using padding='same'")   # torch's, for kernel (3, 2)
@pytest.mark.parametrize("chunk", [64, 16200, 40000, cv._CHUNK])
@pytest.mark.parametrize("i", range(len(CASES)))
def test_conv_paths(i, chunk, rng, monkeypatch):
    """Values and all three gradients against torch, with chunks of one grid row, of a few
    samples (the last one short) and the default."""
    monkeypatch.setattr(cv, "_CHUNK", chunk)
    nd, c, cout, sp, kw = CASES[i]
    g = kw.get("groups", 1)
    x = rng.standard_normal((3, c) + sp)
    w = rng.standard_normal((cout, c // g) + _kernel(i, nd))
    b = rng.standard_normal(cout)
    fn, tfn = getattr(F, f"conv{nd}d"), getattr(TF, f"conv{nd}d")
    check(lambda a, v, d: fn(a, v, d, **kw), lambda a, v, d: tfn(a, v, d, **kw), x, w, b,
          rng=rng)
    check(lambda a, v: fn(a, v, **kw), lambda a, v: tfn(a, v, **kw), x.astype(np.float32),
          w.astype(np.float32), rng=rng, rtol=1e-4, atol=1e-4)
    xt = np.swapaxes(np.swapaxes(x, 0, 1).copy(), 0, 1)   # not C-contiguous
    check(lambda a, v: fn(a, v, **kw), lambda a, v: tfn(a, v, **kw), xt, w, rng=rng)


@pytest.mark.parametrize("chunk", [64, cv._CHUNK])
@pytest.mark.parametrize("c,cout,sp,kw", [
    (5, 16, (5, 6), dict(padding=1)),
    (5, 16, (3, 5, 6), dict(padding=(1, 0, 2), dilation=(1, 2, 1))),
    (16, 16, (5, 6), dict(stride=2, padding=1, output_padding=1)),   # general strides
    (5, 4, (5, 21), dict(dilation=2, padding=1, output_padding=1)),  # dx: widened rows, cropped
    (4, 16, (7,), dict(groups=2, padding=1)),
])
def test_conv_transpose_paths(c, cout, sp, kw, chunk, rng, monkeypatch):
    """conv_transpose's forward is conv's input gradient, its input gradient a conv cropped
    to the input's size (output_padding): the same paths, the other way round."""
    monkeypatch.setattr(cv, "_CHUNK", chunk)
    nd, g = len(sp), kw.get("groups", 1)
    x = rng.standard_normal((2, c) + sp)
    w = rng.standard_normal((c, cout // g) + (3,) * nd)
    b = rng.standard_normal(cout)
    fn, tfn = getattr(F, f"conv_transpose{nd}d"), getattr(TF, f"conv_transpose{nd}d")
    check(lambda a, v, d: fn(a, v, d, **kw), lambda a, v, d: tfn(a, v, d, **kw), x, w, b,
          rng=rng)


@pytest.mark.parametrize("c", [3, 16])
@pytest.mark.parametrize("where", ["input", "weight"])
def test_non_finite_like_torch(c, where, monkeypatch):
    """inf in the input or the weight: the flat path's extra grid columns must not leak NaN
    into values or gradients where torch has finite ones (in every chunk). (With an inf weight
    the border outputs are NaN, inf·0 with the zero padding, where torch skips the padding:
    a known difference, so only the gradients are compared then.)"""
    monkeypatch.setattr(cv, "_CHUNK", 512)
    x = np.ones((2, c, 5, 7), np.float32)
    w = np.full((3, c, 3, 3), 0.5, np.float32)
    (x if where == "input" else w)[0, 1, 2, 2] = np.inf
    res = []
    for lib, f in ((ember, F.conv2d), (torch, TF.conv2d)):
        a, v = lib.tensor(x, requires_grad=True), lib.tensor(w, requires_grad=True)
        y = f(a, v, padding=1)
        y.backward(lib.tensor(np.ones(tuple(y.shape), np.float32)))
        res.append([np.isnan(t.detach().numpy()) for t in (y, a.grad, v.grad)])
    for e, t, name in list(zip(*res, ("output", "input grad", "weight grad")))[
            where == "weight":]:
        np.testing.assert_array_equal(e, t, err_msg=name)


@pytest.mark.parametrize("c", [3, 16])
def test_scratch_reuse_keeps_results_apart(c, rng):
    """Two calls of one layer (both outputs kept), a third forward in between, then two
    backward passes with retain_graph: outputs and gradients never share scratch memory."""
    tm = torch.nn.Conv3d(c, 16, 3, padding=1)
    em = ember.nn.Conv3d(c, 16, 3, padding=1)
    em.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})
    xs = [rng.standard_normal((2, c, 4, 5, 9)).astype(np.float32) for _ in range(2)]
    ex = [ember.tensor(x, requires_grad=True) for x in xs]
    tx = [torch.tensor(x, requires_grad=True) for x in xs]
    ey, ty = [em(x) for x in ex], [tm(x) for x in tx]
    em(ember.tensor(rng.standard_normal((2, c, 4, 5, 9)).astype(np.float32)))
    assert not np.shares_memory(ey[0].detach().numpy(), ey[1].detach().numpy())
    for e, t in zip(ey, ty):
        np.testing.assert_allclose(e.detach().numpy(), t.detach().numpy(), rtol=1e-4,
                                   atol=1e-5)
    g = rng.standard_normal(tuple(ty[0].shape)).astype(np.float32)
    for _ in range(2):
        (ey[0] * ey[1]).backward(ember.tensor(g), retain_graph=True)
        (ty[0] * ty[1]).backward(torch.tensor(g), retain_graph=True)
    assert not np.shares_memory(ex[0].grad.numpy(), ex[1].grad.numpy())
    for e, t in zip(ex, tx):
        np.testing.assert_allclose(e.grad.numpy(), t.grad.numpy(), rtol=1e-4, atol=1e-4)
    scale = float(np.abs(tm.weight.grad.numpy()).max())
    np.testing.assert_allclose(em.weight.grad.numpy(), tm.weight.grad.numpy(), rtol=1e-4,
                               atol=1e-5 * scale)


@pytest.mark.parametrize("c,kw", [(16, dict(padding=1)), (3, dict(padding=1, dilation=2)),
                                  (16, dict(stride=2)), (4, dict(padding=1, groups=2))])
def test_gradgrad(c, kw, rng, monkeypatch):
    """Second derivatives (float64), with chunks of one row: through conv_transpose and the
    weight-gradient Function, on each input-gradient path."""
    monkeypatch.setattr(cv, "_CHUNK", 64)
    x = rng.standard_normal((1, c, 4, 5))
    w = rng.standard_normal((2, c // kw.get("groups", 1), 3, 2))
    check_gradcheck(lambda a, v: F.conv2d(a, v, **kw), x, w, gradgrad=True)


def test_empty_batch_and_no_output_channels(rng):
    """An empty batch convolves to an empty batch (every kernel path); zero output channels
    is refused as torch does."""
    for kw in (dict(padding=1), dict(stride=2), dict()):
        x = rng.standard_normal((0, 16, 5, 20)).astype(np.float32)
        w = rng.standard_normal((4, 16, 3, 3)).astype(np.float32)
        check(lambda a, v, kw=kw: F.conv2d(a, v, **kw), lambda a, v, kw=kw: TF.conv2d(a, v, **kw),
              x, w, rng=rng)
    check_error(lambda a, v: F.conv2d(a, v), lambda a, v: TF.conv2d(a, v),
                np.ones((2, 3, 5, 5), np.float32), np.ones((0, 3, 3, 3), np.float32),
                match=["conv2d", "at least 1 at dimension 0", "[0, 3, 3, 3]"])
