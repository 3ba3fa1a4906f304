import numpy as np
import pytest
import torch

import ember
import ember.nn as nn
import ember.nn.functional as F
from harness import check, check_error, check_gradcheck

TF = torch.nn.functional


def _load(e_mod, t_mod):
    e_mod.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in
                           t_mod.state_dict().items()})


def compare_module(e_mod, t_mod, x, rng, rtol=1e-4, atol=1e-5, **kw):
    """Same output and same grads of input, weight and bias for a random cotangent."""
    _load(e_mod, t_mod)
    assert list(e_mod.state_dict()) == list(t_mod.state_dict())
    e_in = ember.tensor(x, requires_grad=True)
    t_in = torch.tensor(x, requires_grad=True)
    e_out, t_out = e_mod(e_in, **kw), t_mod(t_in, **kw)
    assert tuple(e_out.shape) == tuple(t_out.shape)
    np.testing.assert_allclose(e_out.detach().numpy(), t_out.detach().numpy(), rtol, atol)
    cot = rng.standard_normal(tuple(t_out.shape)).astype(x.dtype)
    e_out.backward(ember.tensor(cot))
    t_out.backward(torch.tensor(cot))
    for (n, ep), (_, tp) in zip(e_mod.named_parameters(), t_mod.named_parameters()):
        # weight grads are sums over batch and positions: float32 rounding scales with them
        scale = max(1.0, float(np.abs(tp.grad.numpy()).max()))
        np.testing.assert_allclose(ep.grad.numpy(), tp.grad.numpy(), rtol, atol * scale,
                                   err_msg=n)
    np.testing.assert_allclose(e_in.grad.numpy(), t_in.grad.numpy(), rtol, atol)


CLS = {1: (nn.Conv1d, torch.nn.Conv1d), 2: (nn.Conv2d, torch.nn.Conv2d),
       3: (nn.Conv3d, torch.nn.Conv3d)}
TCLS = {1: (nn.ConvTranspose1d, torch.nn.ConvTranspose1d),
        2: (nn.ConvTranspose2d, torch.nn.ConvTranspose2d),
        3: (nn.ConvTranspose3d, torch.nn.ConvTranspose3d)}
SIZES = {1: (11,), 2: (7, 9), 3: (5, 6, 7)}
KERNELS = {1: [1, 3, (4,)], 2: [3, (2, 3), (1, 4)], 3: [2, (3, 1, 2)]}

# (stride, padding, dilation, groups, padding_mode)
GRID = [
    (1, 0, 1, 1, "zeros"), (2, 1, 1, 1, "zeros"), (1, "same", 2, 1, "zeros"),
    (1, "valid", 1, 2, "zeros"), (3, 2, 2, 1, "zeros"), (1, 1, 1, 4, "zeros"),  # depthwise
    (2, 2, 1, 2, "reflect"), (1, 1, 2, 1, "replicate"), (1, 2, 1, 1, "circular"),
    (1, "same", 1, 2, "reflect"), (1, "same", (1, 2, 1), 1, "circular"),
]


@pytest.mark.parametrize("nd", [1, 2, 3])
@pytest.mark.parametrize("opts", GRID, ids=str)
def test_conv_module_grid(nd, opts, rng):
    stride, padding, dilation, groups, mode = opts
    if isinstance(dilation, tuple):
        dilation = dilation[:nd]
    for k, bias, batched in zip(KERNELS[nd] * 2, [True, False, False], [True, True, False]):
        cin, cout = 4, 4 if groups == 4 else 6
        args = dict(stride=stride, padding=padding, dilation=dilation, groups=groups,
                    bias=bias, padding_mode=mode)
        t = CLS[nd][1](cin, cout, k, **args)
        e = CLS[nd][0](cin, cout, k, **args)
        assert repr(e) == repr(t)
        assert e._reversed_padding_repeated_twice == list(t._reversed_padding_repeated_twice)
        shape = ((2, cin) if batched else (cin,)) + SIZES[nd]
        x = rng.standard_normal(shape).astype(np.float32)
        try:
            with torch.no_grad():
                t(torch.tensor(x))
        except RuntimeError:   # kernel larger than (padded) input: both must refuse
            with pytest.raises(RuntimeError):
                e(ember.tensor(x))
            continue
        compare_module(e, t, x, rng)


@pytest.mark.parametrize("nd", [1, 2, 3])
@pytest.mark.parametrize("opts", [   # (stride, padding, output_padding, groups, dilation)
    (1, 0, 0, 1, 1), (2, 1, 1, 1, 1), (3, 0, 2, 2, 1), (2, 2, 0, 1, 2), (1, 1, 1, 2, 2),
    (2, 0, 0, 4, 1),
], ids=str)
def test_conv_transpose_module_grid(nd, opts, rng):
    stride, padding, op, groups, dilation = opts
    for k, bias, batched in zip(KERNELS[nd][:2] * 2, [True, False, True], [True, False, False]):
        args = dict(stride=stride, padding=padding, output_padding=op, groups=groups,
                    bias=bias, dilation=dilation)
        t = TCLS[nd][1](4, 8, k, **args)
        e = TCLS[nd][0](4, 8, k, **args)
        assert repr(e) == repr(t)
        shape = ((2, 4) if batched else (4,)) + SIZES[nd]
        x = rng.standard_normal(shape).astype(np.float32)
        compare_module(e, t, x, rng)


@pytest.mark.parametrize("nd", [1, 2, 3])
def test_conv_transpose_output_size(nd, rng):
    t = TCLS[nd][1](3, 2, 3, stride=2, padding=1)
    e = TCLS[nd][0](3, 2, 3, stride=2, padding=1)
    x = rng.standard_normal((2, 3) + SIZES[nd]).astype(np.float32)
    lo = [(s - 1) * 2 - 2 + 3 for s in SIZES[nd]]
    for sizes in ([m + 1 for m in lo], lo, [2, 2] + [m + 1 for m in lo]):
        compare_module(e, t, x, rng, output_size=sizes)
    for bad in ([m + 2 for m in lo], [5] * (nd + 1)):
        check_error(lambda a, b=bad: e(a, output_size=b), lambda a, b=bad: t(a, output_size=b), x,
                    match=["output_size" if len(bad) != nd else "valid sizes range"])


@pytest.mark.parametrize("fn,tfn,w_shape,x_shape,kw", [
    (F.conv1d, TF.conv1d, (4, 3, 3), (2, 3, 9), dict(stride=2, padding=1)),
    (F.conv2d, TF.conv2d, (4, 1, 2, 3), (2, 2, 5, 6), dict(groups=2, dilation=(2, 1))),
    (F.conv2d, TF.conv2d, (4, 3, 3, 3), (3, 6, 7), dict(padding="same")),
    (F.conv3d, TF.conv3d, (2, 3, 2, 2, 3), (1, 3, 4, 5, 5), dict(stride=(1, 2, 1))),
    (F.conv_transpose1d, TF.conv_transpose1d, (3, 2, 3), (2, 3, 5),
     dict(stride=2, output_padding=1)),
    (F.conv_transpose2d, TF.conv_transpose2d, (4, 2, 3, 2), (2, 4, 4, 3),
     dict(stride=(2, 1), padding=1, groups=2, dilation=(1, 2))),
    (F.conv_transpose3d, TF.conv_transpose3d, (2, 2, 2, 2, 2), (2, 3, 3, 3),
     dict(stride=2, output_padding=1)),
])
def test_functional_and_gradcheck(fn, tfn, w_shape, x_shape, kw, rng):
    x = rng.standard_normal(x_shape)
    w = rng.standard_normal(w_shape)
    b = rng.standard_normal(w_shape[1] * kw.get("groups", 1) if "transpose" in fn.__name__
                            else w_shape[0])
    check(lambda a, c, d: fn(a, c, d, **kw), lambda a, c, d: tfn(a, c, d, **kw), x, w, b,
          rng=rng)
    check(lambda a, c: fn(a, c, **kw), lambda a, c: tfn(a, c, **kw),
          x.astype(np.float32), w.astype(np.float32), rng=rng, rtol=1e-4, atol=1e-5)
    check_gradcheck(lambda a, c, d: fn(a, c, d, **kw), x, w, b)


@pytest.mark.parametrize("kw", [dict(stride=2, padding=1), dict(groups=2, dilation=2),
                                dict(padding="same")])
def test_conv2d_gradgrad(kw, rng):
    x = rng.standard_normal((2, 2, 5, 5))
    w = rng.standard_normal((2, 2 // kw.get("groups", 1), 3, 3))
    check_gradcheck(lambda a, c: F.conv2d(a, c, **kw), x, w, gradgrad=True)


def test_conv_transpose2d_gradgrad(rng):
    x = rng.standard_normal((2, 2, 3, 3))
    w = rng.standard_normal((2, 3, 2, 2))
    check_gradcheck(lambda a, c: F.conv_transpose2d(a, c, stride=2), x, w, gradgrad=True)


def test_double_backward_vs_torch(rng):
    """grad of (sum of squared input grad) w.r.t. weight and input, as torch."""
    x = rng.standard_normal((2, 3, 6, 5)).astype(np.float64)
    w = rng.standard_normal((4, 3, 3, 2)).astype(np.float64)
    res = []
    for lib, f in ((ember, F.conv2d), (torch, TF.conv2d)):
        a = lib.tensor(x, requires_grad=True)
        c = lib.tensor(w, requires_grad=True)
        y = f(a, c, stride=2, padding=1)
        gx, = lib.autograd.grad((y * y).sum(), a, create_graph=True)
        (gx * gx).sum().backward()
        res.append((a.grad.detach().numpy(), c.grad.detach().numpy()))
    for e, t in zip(*res):
        np.testing.assert_allclose(e, t, rtol=1e-6, atol=1e-8)


def test_noncontiguous_and_int_and_no_grad(rng):
    x = np.asfortranarray(rng.standard_normal((2, 3, 6, 7)).astype(np.float32))
    w = rng.standard_normal((4, 3, 3, 3)).astype(np.float32).transpose(0, 1, 3, 2)
    check(F.conv2d, TF.conv2d, x, w, rng=rng, rtol=1e-4, atol=1e-5)
    xi = rng.integers(-3, 4, (1, 2, 5, 5))
    wi = rng.integers(-3, 4, (3, 2, 2, 2))
    check(F.conv2d, TF.conv2d, xi, wi, grad=False)
    with ember.no_grad():
        y = nn.Conv2d(3, 4, 3)(ember.tensor(x))
    assert y.grad_fn is None and not y.requires_grad


def test_init_distribution():
    e = nn.Conv2d(16, 32, 3)
    fan_in = 16 * 9
    w = e.weight.detach().numpy()
    b = e.bias.detach().numpy()
    bound = 1 / np.sqrt(fan_in)   # kaiming_uniform_(a=√5) on fan_in gives exactly this bound
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.95 * bound
    assert abs(w.std() - bound / np.sqrt(3)) < 0.05 * bound
    assert np.abs(b).max() <= bound
    assert tuple(nn.ConvTranspose2d(4, 6, 3, groups=2).weight.shape) == (4, 3, 3, 3)
    assert [n for n, _ in nn.Conv1d(2, 2, 1).named_parameters()] == ["weight", "bias"]


def test_errors_functional():
    x = np.zeros((2, 3, 5, 5), np.float32)
    w = np.zeros((4, 3, 3, 3), np.float32)
    cases = [
        ((np.zeros((3, 5), np.float32), w, {}), ["conv2d", "[3, 5]", "3D (unbatched)"]),
        ((np.zeros((2, 4, 5, 5), np.float32), w, {}),
         ["to have 3 channels, but got 4 channels", "[4, 3, 3, 3]"]),
        ((np.zeros((2, 3, 2, 2), np.float32), w, {}), ["(2 x 2)", "(3 x 3)"]),
        ((x, w, dict(padding="foo")), ["'foo'"]),
        ((x, w, dict(padding="same", stride=2)), ["strided"]),
        ((x, w, dict(groups=2)), ["groups=2", "6 channels"]),
        ((x, np.zeros((4, 3, 3, 3)), {}), ["float32", "float64"]),
        ((x, w, dict(stride=0)), ["non-positive stride"]),
        ((x, w, dict(padding=-1)), ["negative padding"]),
        ((x, np.zeros((4, 3, 3), np.float32), {}), ["weight"]),
    ]
    for (a, c, kw), match in cases:
        check_error(lambda p, q, kw=kw: F.conv2d(p, q, **kw),
                    lambda p, q, kw=kw: TF.conv2d(p, q, **kw),
                    a, c, match=match)
    check_error(lambda p, q, r: F.conv2d(p, q, r), lambda p, q, r: TF.conv2d(p, q, r),
                x, w, np.zeros(3, np.float32), match=["bias", "4 elements", "[3]"])
    check_error(lambda p, q: F.conv_transpose2d(p, q, output_padding=1),
                lambda p, q: TF.conv_transpose2d(p, q, output_padding=1),
                np.zeros((2, 4, 3, 3), np.float32), w, match=["output padding must be smaller"])
    check_error(F.conv_transpose2d, TF.conv_transpose2d, np.zeros((2, 3, 3, 3), np.float32), w,
                match=["transposed=1", "to have 4 channels, but got 3"])
    check_error(lambda p, q: F.conv_transpose2d(p, q, padding=3),
                lambda p, q: TF.conv_transpose2d(p, q, padding=3),
                np.zeros((2, 4, 1, 1), np.float32), w, match=["output size", "too small"])


def test_errors_module():
    for ctor, match in [
        (lambda m: m.Conv2d(3, 4, 3, groups=2), "in_channels must be divisible by groups"),
        (lambda m: m.Conv2d(4, 3, 3, groups=2), "out_channels must be divisible by groups"),
        (lambda m: m.Conv2d(4, 4, 3, groups=0), "groups must be a positive integer"),
        (lambda m: m.Conv2d(4, 4, 3, padding="foo"), "Invalid padding string 'foo'"),
        (lambda m: m.Conv2d(4, 4, 3, padding="same", stride=2), "strided"),
        (lambda m: m.Conv2d(4, 4, 3, padding_mode="foo"), "padding_mode='foo'"),
        (lambda m: m.ConvTranspose2d(4, 4, 3, padding_mode="reflect"),
         'Only "zeros" padding mode is supported for ConvTranspose2d'),
    ]:
        check_error(lambda c=ctor: c(nn), lambda c=ctor: c(torch.nn), match=[match])
    e, t = nn.Conv2d(3, 4, 3), torch.nn.Conv2d(3, 4, 3)
    _load(e, t)
    check_error(e, t, np.zeros((3, 5, 5, 5), np.float32),
                match=["Conv2d(3, 4", "3 channels (in_channels) at dim 1", "got 5"])
    check_error(e, t, np.zeros((5, 5, 5), np.float32),
                match=["3 channels (in_channels) at dim 0", "(5, 5, 5)"])
    check_error(e, t, np.zeros((5, 5), np.float32), match=["(N, C, H, W) or (C, H, W)"])
    e3, t3 = nn.Conv3d(3, 4, 3), torch.nn.Conv3d(3, 4, 3)
    _load(e3, t3)
    check_error(e3, t3, np.zeros((3, 8, 8), np.float32),
                match=["(N, C, D, H, W) or (C, D, H, W)"])
    r, tr = nn.Conv2d(3, 4, 3, padding=3, padding_mode="reflect"), \
        torch.nn.Conv2d(3, 4, 3, padding=3, padding_mode="reflect")
    check_error(r, tr, np.zeros((1, 3, 3, 3), np.float32), match=["Padding size"])


@pytest.mark.parametrize("dims,C", [(2, 4), (3, 3)])
def test_reused_layer_extra_forward_and_retain_graph(dims, C, rng):
    """Scratch buffers are reused across calls: the same layer twice in one graph, another
    forward before backward, and a second backward with retain_graph must all stay exact."""
    tm = (torch.nn.Conv2d if dims == 2 else torch.nn.Conv3d)(C, C, 3, padding=1)
    em = (nn.Conv2d if dims == 2 else nn.Conv3d)(C, C, 3, padding=1)
    _load(em, tm)
    shape = (2, C) + (8,) * dims
    x = rng.standard_normal(shape).astype(np.float32)
    xe, xt = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ye, yt = em(em(xe)).relu(), tm(tm(xt)).relu()
    em(ember.tensor(rng.standard_normal(shape).astype(np.float32)))   # reuses the scratch
    g = rng.standard_normal(tuple(yt.shape)).astype(np.float32)
    for _ in range(2):
        ye.backward(ember.tensor(g), retain_graph=True)
        yt.backward(torch.tensor(g), retain_graph=True)
    np.testing.assert_allclose(xe.grad.numpy(), xt.grad.numpy(), rtol=1e-4, atol=1e-5)
    scale = float(np.abs(tm.weight.grad.numpy()).max())
    np.testing.assert_allclose(em.weight.grad.numpy(), tm.weight.grad.numpy(), rtol=1e-4,
                               atol=1e-5 * scale)


def test_non_finite_input_and_weight_like_torch():
    """inf/nan in the input or the weight: the wide-row stride-1 path must not leak NaN from
    its padding columns where torch has finite values."""
    x = np.ones((1, 2, 6, 6), np.float32)
    x[0, 0, 2, 3] = np.inf
    tm = torch.nn.Conv2d(2, 3, 3, padding=1)
    em = nn.Conv2d(2, 3, 3, padding=1)
    _load(em, tm)
    for xs in (x, np.nan_to_num(x, posinf=1.0)):
        xe, xt = ember.tensor(xs, requires_grad=True), torch.tensor(xs, requires_grad=True)
        ye, yt = em(xe), tm(xt)
        np.testing.assert_array_equal(np.isnan(ye.detach().numpy()), np.isnan(yt.detach().numpy()))
        g = np.ones(tuple(yt.shape), np.float32)
        ye.backward(ember.tensor(g))
        yt.backward(torch.tensor(g))
        np.testing.assert_array_equal(np.isfinite(xe.grad.numpy()), np.isfinite(xt.grad.numpy()))
        em.zero_grad()
        tm.zero_grad()
