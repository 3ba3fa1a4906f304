"""RReLU / rrelu, gumbel_softmax, pdist and TripletMarginWithDistanceLoss against torch."""

import math
import warnings

import numpy as np
import pytest
import torch
import torch.nn as tnn
import torch.nn.functional as TF

import ember
import ember.nn as enn
import ember.nn.functional as EF
from ember.ops import activation as act
from harness import check, check_error, check_gradcheck

LO, HI = 0.1, 0.4


# ----------------------------------------------------------------------------- rrelu: eval
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(), (0,), (7,), (3, 4, 5)])
def test_rrelu_eval_matches_torch(rng, dtype, shape):
    x = rng.standard_normal(shape).astype(dtype)
    if x.size:
        x.flat[0] = 0.0   # the gradient at 0 is the slope, as torch
    check(EF.rrelu, TF.rrelu, x, rng=rng)
    check(lambda t: EF.rrelu(t, LO, HI), lambda t: TF.rrelu(t, LO, HI), x, rng=rng)
    check(lambda t: ember.rrelu(t, LO, HI, False), lambda t: torch.rrelu(t, LO, HI, False), x,
          rng=rng)


def test_rrelu_eval_noncontiguous(rng):
    x = rng.standard_normal((4, 6))
    check(lambda t: EF.rrelu(t.t()[1:, ::2], LO, HI), lambda t: TF.rrelu(t.t()[1:, ::2], LO, HI),
          x, rng=rng)


def test_rrelu_eval_grad_fn_and_gradcheck(rng):
    x = ember.tensor(rng.standard_normal(5), requires_grad=True)
    assert type(EF.rrelu(x)).__name__ == "Tensor"
    assert EF.rrelu(x).grad_fn.name() == "RreluWithNoiseBackward0"
    assert EF.rrelu(x, training=True).grad_fn.name() == "RreluWithNoiseBackward0"
    check_gradcheck(lambda t: EF.rrelu(t, LO, HI), rng.standard_normal((3, 4)), gradgrad=True)


def test_rrelu_inplace_eval(rng):
    x = rng.standard_normal((3, 4)).astype(np.float32)
    want = TF.rrelu(torch.from_numpy(x.copy()), LO, HI)
    for fn in (lambda t: EF.rrelu(t, LO, HI, inplace=True), lambda t: EF.rrelu_(t, LO, HI),
               lambda t: ember.rrelu_(t, LO, HI), lambda t: enn.RReLU(LO, HI, True).eval()(t)):
        e = ember.tensor(x)
        out = fn(e)
        assert out is e
        np.testing.assert_array_equal(e.numpy(), want.numpy())
    # in place on a non-leaf: the gradient flows through, as torch's
    e = ember.tensor(x, requires_grad=True)
    t = torch.from_numpy(x.copy()).requires_grad_(True)
    ye = EF.rrelu_(e * 2, LO, HI)
    yt = TF.rrelu_(t * 2, LO, HI)
    ye.sum().backward()
    yt.sum().backward()
    np.testing.assert_allclose(e.grad.numpy(), t.grad.numpy(), rtol=1e-6)
    check_error(lambda a: EF.rrelu_(a.requires_grad_()), lambda a: TF.rrelu_(a.requires_grad_()),
                x, match=["leaf Variable that requires grad"])


# ----------------------------------------------------------------------------- rrelu: training
def _slopes(y, x):
    return y / x


@pytest.mark.parametrize("dtype", [ember.float32, ember.float64])
def test_rrelu_training_statistics(rng, dtype):
    n = 40000
    x = ember.tensor(rng.uniform(-3, 3, n), dtype=dtype, requires_grad=True)
    y = EF.rrelu(x, LO, HI, training=True)
    assert y.dtype == dtype and y.shape == x.shape
    y.backward(ember.ones_like(y))
    xv, yv, gv = x.detach().numpy(), y.detach().numpy(), x.grad.numpy()
    pos, neg = xv > 0, xv < 0
    np.testing.assert_array_equal(yv[pos], xv[pos])
    np.testing.assert_array_equal(gv[pos], 1)
    s = _slopes(yv[neg], xv[neg])
    tol = 1e-6 if dtype == ember.float32 else 1e-12
    assert s.min() >= LO - tol and s.max() <= HI + tol
    np.testing.assert_allclose(gv[neg], s, rtol=1e-5 if dtype == ember.float32 else 1e-12)
    # U(LO, HI): mean (LO+HI)/2 and variance (HI-LO)^2/12, checked within 6 standard errors
    k = s.size
    sd = (HI - LO) / math.sqrt(12)
    assert abs(s.mean() - (LO + HI) / 2) < 6 * sd / math.sqrt(k)
    assert abs(s.var() - sd ** 2) < 6 * sd ** 2 * math.sqrt(0.8 / k)
    # the slopes are spread over the whole interval, not a few values
    hist = np.histogram(s, bins=10, range=(LO, HI))[0]
    assert hist.min() > 0.8 * k / 10


def test_rrelu_training_zero_input_gets_a_sampled_slope():
    x = ember.zeros(2000, requires_grad=True)
    y = EF.rrelu(x, LO, HI, training=True)
    y.sum().backward()
    g = x.grad.numpy()
    assert np.all(y.detach().numpy() == 0)
    assert g.min() >= LO - 1e-6 and g.max() <= HI + 1e-6 and np.unique(g).size > 100


def test_rrelu_training_seed_and_generator(rng):
    x = rng.standard_normal((50, 3)).astype(np.float32)
    ember.manual_seed(3)
    a = EF.rrelu(ember.tensor(x), training=True).numpy()
    b = EF.rrelu(ember.tensor(x), training=True).numpy()
    ember.manual_seed(3)
    c = EF.rrelu(ember.tensor(x), training=True).numpy()
    np.testing.assert_array_equal(a, c)
    assert not np.array_equal(a, b)
    g1, g2 = ember.Generator().manual_seed(5), ember.Generator().manual_seed(5)
    np.testing.assert_array_equal(ember.rrelu(ember.tensor(x), training=True, generator=g1),
                                  ember.rrelu(ember.tensor(x), training=True, generator=g2))
    e = ember.tensor(x)
    ember.manual_seed(3)
    assert ember.rrelu_(e, training=True) is e
    np.testing.assert_array_equal(e.numpy(), a)
    ember.manual_seed(3)
    np.testing.assert_array_equal(EF.rrelu(ember.tensor(x), training=True, inplace=True).numpy(),
                                  a)


def test_rrelu_training_gradcheck(rng):
    def fn(t):
        ember.manual_seed(11)   # the same slopes on every evaluation
        return EF.rrelu(t, LO, HI, training=True)
    check_gradcheck(fn, rng.standard_normal((4, 5)), gradgrad=True)


def test_rrelu_training_inplace_nonleaf_grad(rng):
    x = ember.tensor(rng.standard_normal(200), requires_grad=True)
    y = x * 1.0
    EF.rrelu_(y, LO, HI, training=True)
    y.sum().backward()
    xv, yv = x.detach().numpy(), y.detach().numpy()
    neg = xv < 0
    np.testing.assert_allclose(x.grad.numpy()[neg], yv[neg] / xv[neg], rtol=1e-12)
    np.testing.assert_array_equal(x.grad.numpy()[~neg], 1)


def test_rrelu_module(rng):
    m = enn.RReLU(LO, HI)
    assert repr(m) == repr(tnn.RReLU(LO, HI)) == "RReLU(lower=0.1, upper=0.4)"
    assert repr(enn.RReLU()) == repr(tnn.RReLU())
    assert repr(enn.RReLU(inplace=True)) == repr(tnn.RReLU(inplace=True))
    x = rng.standard_normal((6, 7)).astype(np.float32)
    check(lambda t: enn.RReLU(LO, HI).eval()(t), lambda t: tnn.RReLU(LO, HI).eval()(t), x,
          rng=rng)
    ember.manual_seed(0)
    y = m(ember.tensor(-np.abs(x) - 0.1)).numpy()   # training by default: sampled slopes
    s = y / (-np.abs(x) - 0.1)
    assert s.min() >= LO - 1e-6 and s.max() <= HI + 1e-6 and np.unique(s).size > 10


def test_rrelu_errors(rng):
    x = rng.standard_normal(4)
    for training in (False, True):
        check_error(lambda t, tr=training: EF.rrelu(t, 0.5, 0.1, tr),
                    lambda t, tr=training: TF.rrelu(t, 0.5, 0.1, tr), x,
                    match=["Lower bound should be less than or equal to the upper bound"])
    xi = np.array([1, -2])
    check_error(EF.rrelu, TF.rrelu, xi, match=["leaky_relu_cpu", "Long"])
    check_error(lambda t: EF.rrelu(t, training=True), lambda t: TF.rrelu(t, training=True), xi,
                match=["rrelu_with_noise_out_cpu", "Long"])
    check_error(lambda t: EF.rrelu(t, training=True), lambda t: TF.rrelu(t, training=True),
                x.astype(np.float16), match=["rrelu_with_noise_out_cpu", "Half"])
    check_error(lambda t: ember.rrelu(t, inplace=True), lambda t: torch.rrelu(t, inplace=True),
                x, match=["inplace"])


# ----------------------------------------------------------------------------- gumbel_softmax
@pytest.fixture
def fixed_noise(monkeypatch):
    """Replace the Gumbel noise with a given array; returns a setter."""
    box = {}

    def fake(x):
        return box["g"].astype(x.dtype)
    monkeypatch.setattr(act, "_gumbel_noise", fake)
    return box


def _torch_gumbel(g, tau, hard, dim):
    def fn(logits):
        y_soft = ((logits + torch.from_numpy(g).to(logits.dtype)) / tau).softmax(dim)
        if not hard:
            return y_soft
        index = y_soft.max(dim, keepdim=True)[1]
        y_hard = torch.zeros_like(logits).scatter_(dim, index, 1.0)
        return y_hard - y_soft.detach() + y_soft
    return fn


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("hard", [False, True])
@pytest.mark.parametrize("tau,dim", [(1, -1), (0.5, 0), (2.0, 1)])
def test_gumbel_softmax_formula(rng, fixed_noise, dtype, hard, tau, dim):
    x = rng.standard_normal((4, 5, 3)).astype(dtype)
    g = -np.log(rng.standard_exponential(x.shape))
    fixed_noise["g"] = g
    out = check(lambda t: EF.gumbel_softmax(t, tau, hard, dim=dim),
                _torch_gumbel(g, tau, hard, dim), x, rng=rng)[0]
    np.testing.assert_allclose(out.detach().numpy().sum(dim), 1, rtol=1e-5)
    if hard:
        v = out.detach().numpy()
        assert set(np.unique(v)) <= {0.0, 1.0}
        np.testing.assert_array_equal((v == 1).sum(dim), 1)


def test_gumbel_softmax_noncontiguous_and_gradcheck(rng, fixed_noise):
    x = rng.standard_normal((5, 4))
    g = fixed_noise["g"] = -np.log(rng.standard_exponential((4, 5)))
    check(lambda t: EF.gumbel_softmax(t.t(), 0.7),
          lambda t: _torch_gumbel(g, 0.7, False, -1)(t.t()), x, rng=rng)
    fixed_noise["g"] = -np.log(rng.standard_exponential((5, 4)))
    check_gradcheck(lambda t: EF.gumbel_softmax(t, 0.7), x, gradgrad=True)
    # (hard=True is straight-through: its gradient is deliberately not the numerical one)


def test_gumbel_softmax_hard_gradient_is_the_soft_one(rng):
    x = rng.standard_normal((6, 5))
    c = ember.tensor(rng.standard_normal((6, 5)))
    grads = []
    for hard in (False, True):
        t = ember.tensor(x, requires_grad=True)
        ember.manual_seed(7)
        (EF.gumbel_softmax(t, 0.5, hard) * c).sum().backward()
        grads.append(t.grad.numpy())
    np.testing.assert_allclose(grads[1], grads[0], rtol=1e-12, atol=1e-15)


def test_gumbel_softmax_sampling(rng):
    logits = np.log(np.array([0.1, 0.2, 0.3, 0.4]))
    n = 40000
    ember.manual_seed(1)
    y = EF.gumbel_softmax(ember.tensor(np.tile(logits, (n, 1))), hard=True)
    assert y.dtype == ember.float64 and y.shape == (n, 4)
    freq = y.numpy().mean(0)
    p = np.exp(logits)
    assert np.all(np.abs(freq - p) < 6 * np.sqrt(p * (1 - p) / n))   # argmax ~ Categorical(p)
    soft = EF.gumbel_softmax(ember.tensor(np.tile(logits, (n, 1))).float()).numpy()
    assert soft.dtype == np.float32 and np.all((soft >= 0) & (soft <= 1))
    np.testing.assert_allclose(soft.sum(-1), 1, rtol=1e-5)
    ember.manual_seed(4)
    a = EF.gumbel_softmax(ember.tensor(logits)).numpy()
    ember.manual_seed(4)
    np.testing.assert_array_equal(a, EF.gumbel_softmax(ember.tensor(logits)).numpy())
    assert not np.array_equal(a, EF.gumbel_softmax(ember.tensor(logits)).numpy())


def test_gumbel_softmax_edge_cases():
    for hard in (False, True):
        assert EF.gumbel_softmax(ember.tensor(1.5), hard=hard).item() == 1.0
        e = EF.gumbel_softmax(ember.empty(0, 3), hard=hard)
        assert e.shape == (0, 3) and e.dtype == ember.float32
    with pytest.warns(UserWarning, match="`eps` parameter is deprecated"):
        EF.gumbel_softmax(ember.zeros(3), eps=1e-5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        EF.gumbel_softmax(ember.zeros(3))
    check_error(EF.gumbel_softmax, TF.gumbel_softmax, np.array([1, 2]),
                match=["dtype must be a floating point", "Long"])


# ----------------------------------------------------------------------------- pdist
PS = [0, 0.5, 1, 1.5, 2, 3, math.inf]


def _rows_with_ties(rng, n, m, dtype):
    x = rng.integers(-2, 3, (n, m)).astype(dtype)   # repeated coordinates and rows
    x[1] = x[0]                                       # a zero distance
    return x


@pytest.mark.parametrize("p", PS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_pdist_matches_torch(rng, p, dtype):
    x = rng.standard_normal((6, 4)).astype(dtype)
    check(lambda t: EF.pdist(t, p), lambda t: TF.pdist(t, p), x, rng=rng, rtol=1e-5, atol=1e-5)
    # zero distances and zero coordinate differences: torch's backward conventions
    xt = _rows_with_ties(rng, 7, 3, dtype)
    check(lambda t: ember.pdist(t, p), lambda t: torch.pdist(t, p), xt, rng=rng, rtol=1e-5,
          atol=1e-5)


def test_pdist_order_noncontiguous_and_default(rng):
    x = rng.standard_normal((5, 3))
    d = EF.pdist(ember.tensor(x)).numpy()
    want = [np.linalg.norm(x[i] - x[j]) for i in range(5) for j in range(i + 1, 5)]
    np.testing.assert_allclose(d, want, rtol=1e-12)
    check(lambda t: EF.pdist(t.t()[:, 1:]), lambda t: TF.pdist(t.t()[:, 1:]), x.T.copy(), rng=rng)
    assert EF.pdist(ember.tensor(x)).grad_fn is None
    assert EF.pdist(ember.tensor(x, requires_grad=True)).grad_fn.name() == "PdistBackward0"


@pytest.mark.parametrize("shape", [(0, 3), (1, 3), (4, 0), (2, 1)])
def test_pdist_shapes(rng, shape):
    x = rng.standard_normal(shape)
    for p in (0, 1, 2, 3, math.inf):
        # torch 2.13's pdist backward crashes (segfault) on a 0-row input: forward only there
        check(lambda t, p=p: EF.pdist(t, p), lambda t, p=p: TF.pdist(t, p), x, rng=rng,
              grad=shape[0] > 0)
        if shape[0] < 2 or shape[1] == 0:   # no pairs, or all distances 0: zero gradient
            e = ember.tensor(x, requires_grad=True)
            EF.pdist(e, p).sum().backward()
            assert e.grad.shape == shape and not e.grad.numpy().any()


@pytest.mark.parametrize("p", [0.5, 1, 1.5, 2, 3, math.inf])
def test_pdist_gradcheck(rng, p):
    x = rng.standard_normal((5, 3)) * 2   # distinct rows, distinct coordinates
    check_gradcheck(lambda t: EF.pdist(t, p), x)


def test_pdist_double_backward_not_implemented(rng):
    x = rng.standard_normal((4, 3))
    outs = []
    for lib, t in ((torch, torch.tensor(x, requires_grad=True)),
                   (ember, ember.tensor(x, requires_grad=True))):
        (g,) = lib.autograd.grad(lib.pdist(t).sum(), t, create_graph=True)
        assert g.grad_fn.name() == "PdistBackwardBackward0"
        outs.append(g.detach().numpy())
        with pytest.raises(NotImplementedError, match="_pdist_backward"):
            g.sum().backward()
    np.testing.assert_allclose(outs[1], outs[0], rtol=1e-12)


def test_pdist_errors(rng):
    x = rng.standard_normal((3, 2))
    check_error(EF.pdist, TF.pdist, rng.standard_normal(3), match=["2D tensors", "1D"])
    check_error(EF.pdist, TF.pdist, rng.standard_normal((2, 3, 4)), match=["2D tensors", "3D"])
    check_error(EF.pdist, TF.pdist, np.array([[1, 2], [3, 4]]),
                match=["pdist only supports floating-point dtypes"])
    check_error(EF.pdist, TF.pdist, x.astype(np.float16), match=["pdist", "Half"])
    for p in (-1, -math.inf, math.nan):
        check_error(lambda t, p=p: EF.pdist(t, p), lambda t, p=p: TF.pdist(t, p), x,
                    match=["pdist only supports non-negative p values"])


# ----------------------------------------------------------------------------- triplet w/ dist
def _cos_dist(lib):
    def d(a, b):
        return 1 - lib.nn.functional.cosine_similarity(a, b)
    return d


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("swap", [False, True])
@pytest.mark.parametrize("custom", [False, True])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_triplet_with_distance_matches_torch(rng, reduction, swap, custom, dtype):
    a, p, n = (rng.standard_normal((8, 5)).astype(dtype) for _ in range(3))
    n[:3] = p[:3] + 0.05 * rng.standard_normal((3, 5))   # swap picks d(p, n) on these rows
    margin = 0.7

    def run(F, lib):
        def fn(x, y, z):
            df = _cos_dist(lib) if custom else None
            return F.triplet_margin_with_distance_loss(x, y, z, distance_function=df,
                                                       margin=margin, swap=swap,
                                                       reduction=reduction)
        return fn
    check(run(EF, ember), run(TF, torch), a, p, n, rng=rng, rtol=1e-5, atol=1e-5)

    def mod(M, lib):
        def fn(x, y, z):
            df = _cos_dist(lib) if custom else None
            return M.TripletMarginWithDistanceLoss(distance_function=df, margin=margin, swap=swap,
                                                   reduction=reduction)(x, y, z)
        return fn
    check(mod(enn, ember), mod(tnn, torch), a, p, n, rng=rng, rtol=1e-5, atol=1e-5)


def test_triplet_with_distance_defaults_and_gradcheck(rng):
    a, p, n = (rng.standard_normal((6, 4)) for _ in range(3))
    check(EF.triplet_margin_with_distance_loss, TF.triplet_margin_with_distance_loss, a, p, n,
          rng=rng)
    check(lambda *t: enn.TripletMarginWithDistanceLoss()(*t),
          lambda *t: tnn.TripletMarginWithDistanceLoss()(*t), a, p, n, rng=rng)
    # 1-D inputs (one triplet) and the same as triplet_margin_loss with the default distance
    check(EF.triplet_margin_with_distance_loss, TF.triplet_margin_with_distance_loss, a[0], p[0],
          n[0], rng=rng)
    ea, ep, en = (ember.tensor(v) for v in (a, p, n))
    np.testing.assert_allclose(EF.triplet_margin_with_distance_loss(ea, ep, en, swap=True).item(),
                               EF.triplet_margin_loss(ea, ep, en, swap=True).item(), rtol=1e-12)
    for swap in (False, True):
        check_gradcheck(lambda x, y, z, s=swap: EF.triplet_margin_with_distance_loss(
            x, y, z, margin=2.0, swap=s, reduction="none"), a, p, n)
        check_gradcheck(lambda x, y, z, s=swap: EF.triplet_margin_with_distance_loss(
            x, y, z, distance_function=_cos_dist(ember), margin=1.5, swap=s), a, p, n)


def test_triplet_with_distance_module():
    m = enn.TripletMarginWithDistanceLoss()
    assert repr(m) == repr(tnn.TripletMarginWithDistanceLoss())
    assert isinstance(m.distance_function, enn.PairwiseDistance)
    assert (m.margin, m.swap, m.reduction) == (1.0, False, "mean")
    f = _cos_dist(ember)
    m2 = enn.TripletMarginWithDistanceLoss(distance_function=f, margin=0.5, swap=True,
                                           reduction="sum")
    assert m2.distance_function is f and (m2.margin, m2.swap, m2.reduction) == (0.5, True, "sum")
    with pytest.raises(TypeError):
        enn.TripletMarginWithDistanceLoss(None)   # keyword-only, as torch
    for M in (enn, tnn):
        with pytest.raises(ValueError, match="expected margin to be greater than 0, got 0"):
            M.TripletMarginWithDistanceLoss(margin=0)


def test_triplet_with_distance_errors(rng):
    a, p = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    check_error(lambda x, y, z: EF.triplet_margin_with_distance_loss(x, y, z, reduction="avg"),
                lambda x, y, z: TF.triplet_margin_with_distance_loss(x, y, z, reduction="avg"),
                a, p, p, match=["avg is not a valid value for reduction"])
    check_error(lambda x, y, z: EF.triplet_margin_with_distance_loss(x, y, z, margin=-1),
                lambda x, y, z: TF.triplet_margin_with_distance_loss(x, y, z, margin=-1),
                a, p, p, match=["margin must be greater than 0, got -1"])
    check_error(EF.triplet_margin_with_distance_loss, TF.triplet_margin_with_distance_loss,
                a, p, p[0], match=["same number of dimensions", "anchor 2D", "negative 1D"])
    with pytest.raises(TypeError):
        EF.triplet_margin_with_distance_loss(*(ember.tensor(a),) * 3, None)   # keyword-only
