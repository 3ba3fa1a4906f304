"""ember.distributions transforms, TransformedDistribution and the families built on them
(LogNormal, HalfNormal, Gumbel, Cauchy, HalfCauchy, Geometric, StudentT, Chi2, Pareto, Weibull)
against torch.distributions: log_prob, moments, cdf/icdf, shapes, expand, repr, KL, gradients,
sampling statistics and validation."""

import math

import numpy as np
import pytest
import torch
import torch.distributions as TD
import torch.distributions.transforms as TT

import ember
import ember.distributions as ED
import ember.distributions.transforms as ET
from harness import assert_close_tensor, check, check_error, check_gradcheck

DTYPES = [np.float32, np.float64]


def _pos(rng, shape, dt):
    return (rng.random(shape) + 0.5).astype(dt)


def _tol(dt):
    return dict(rtol=1e-4, atol=1e-5) if dt == np.float32 else dict(rtol=1e-7, atol=1e-9)


# ----------------------------------------------------------------------------- transforms
def _tf(m, name):
    T = m if m is ET else TT
    return {
        "exp": lambda: T.ExpTransform(),
        "affine": lambda: T.AffineTransform(0.5, -2.0),
        "sigmoid": lambda: T.SigmoidTransform(),
        "tanh": lambda: T.TanhTransform(),
        "power": lambda: T.PowerTransform(2.5),
        "compose": lambda: T.ComposeTransform([T.ExpTransform(), T.AffineTransform(1.0, 3.0),
                                               T.PowerTransform(0.5)]),
        "inv_exp": lambda: T.ExpTransform().inv,
    }[name]()


TF_INPUTS = {"exp": "real", "affine": "real", "sigmoid": "real", "tanh": "real", "power": "pos",
             "compose": "real", "inv_exp": "pos"}


@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("name", list(TF_INPUTS))
def test_transform_forward_inverse_jacobian(name, dt, rng):
    x = (rng.standard_normal((3, 4)) if TF_INPUTS[name] == "real"
         else rng.random((3, 4)) + 0.5).astype(dt)
    check(lambda a: _tf(ET, name)(a), lambda a: _tf(TT, name)(a), x, rng=rng, **_tol(dt))
    y = _tf(TT, name)(torch.tensor(x)).numpy()
    check(lambda b: _tf(ET, name).inv(b), lambda b: _tf(TT, name).inv(b), y, rng=rng,
          **_tol(dt))
    check(lambda a: _tf(ET, name).log_abs_det_jacobian(a, _tf(ET, name)(a)),
          lambda a: _tf(TT, name).log_abs_det_jacobian(a, _tf(TT, name)(a)), x, rng=rng,
          **_tol(dt))
    e, t = _tf(ET, name), _tf(TT, name)
    assert e.bijective == t.bijective
    assert repr(e) == repr(t)
    assert repr(e.domain) == repr(t.domain) and repr(e.codomain) == repr(t.codomain)
    assert e.domain.event_dim == t.domain.event_dim
    es, ts = e.sign, t.sign
    if isinstance(ts, torch.Tensor):
        assert_close_tensor(es, ts)
    else:
        assert es == ts


def test_transform_gradcheck(rng):
    x = rng.standard_normal((2, 3))
    for make in [ET.ExpTransform, ET.SigmoidTransform, ET.TanhTransform,
                 lambda: ET.AffineTransform(1.0, -0.5)]:
        check_gradcheck(lambda a, make=make: make().log_abs_det_jacobian(a, make()(a)), x)
    check_gradcheck(lambda a, p: ET.PowerTransform(p).log_abs_det_jacobian(
        a, ET.PowerTransform(p)(a)), rng.random((2, 3)) + 0.5, rng.random(3) + 0.5)
    check_gradcheck(lambda a, loc, s: ET.AffineTransform(loc, s)(a), x, rng.standard_normal(3),
                    rng.random(3) + 0.5)


@pytest.mark.parametrize("dt", DTYPES)
def test_softmax_abs_and_affine_event_dim(dt, rng):
    x = rng.standard_normal((3, 5)).astype(dt)
    check(lambda a: ET.SoftmaxTransform()(a), lambda a: TT.SoftmaxTransform()(a), x, rng=rng,
          **_tol(dt))
    p = TT.SoftmaxTransform()(torch.tensor(x)).numpy()
    check(lambda a: ET.SoftmaxTransform().inv(a), lambda a: TT.SoftmaxTransform().inv(a), p,
          rng=rng, **_tol(dt))
    check(lambda a: ET.AbsTransform()(a), lambda a: TT.AbsTransform()(a), x, rng=rng)
    loc, scale = rng.standard_normal(5).astype(dt), rng.standard_normal(5).astype(dt)
    check(lambda a, s: ET.AffineTransform(0.0, s, event_dim=1).log_abs_det_jacobian(a, a),
          lambda a, s: TT.AffineTransform(0.0, s, event_dim=1).log_abs_det_jacobian(a, a),
          x, scale, rng=rng, **_tol(dt))
    e = ET.AffineTransform(ember.tensor(loc), ember.tensor(scale), event_dim=1)
    t = TT.AffineTransform(torch.tensor(loc), torch.tensor(scale), event_dim=1)
    assert repr(e.domain) == repr(t.domain) and e.event_dim == t.event_dim == 1
    assert_close_tensor(e.sign, t.sign)
    assert ET.AffineTransform(0.0, 0.0).sign == TT.AffineTransform(0.0, 0.0).sign == 0
    for m in (ET, TT):
        assert not m.SoftmaxTransform().bijective and not m.AbsTransform().bijective
    assert repr(ET.SoftmaxTransform().codomain) == repr(TT.SoftmaxTransform().codomain)
    with pytest.raises(ValueError, match="Too few dimensions"):
        ET.SoftmaxTransform().forward_shape(())


def test_transform_cache_equality_and_identity():
    x = ember.randn(3)
    for m, mk in [(ET, ember.randn), (TT, torch.randn)]:
        x = mk(3)
        t = m.ExpTransform(cache_size=1)
        y = t(x)
        assert t(x) is y and t.inv(y) is x
        t0 = m.ExpTransform()
        assert t0(x) is not t0(x)
        assert t0.with_cache() is not t0 and t0.with_cache()._cache_size == 1
        assert t0.with_cache(0) is t0
        assert t0.inv.inv is t0 and t0 == m.ExpTransform() and t0 != m.TanhTransform()
        assert t0.inv == m.ExpTransform().inv
        assert m.AffineTransform(1.0, 2.0) == m.AffineTransform(1.0, 2.0)
        assert m.AffineTransform(1.0, 2.0) != m.AffineTransform(1.0, 3.0)
        assert m.PowerTransform(2.0) == m.PowerTransform(2.0)
        c = m.ComposeTransform([m.ExpTransform(), m.AffineTransform(0.0, 2.0)], cache_size=1)
        y = c(x)
        assert c.parts[0]._cache_size == 1
        assert c.inv.inv is c and c.inv.parts[0] == m.AffineTransform(0.0, 2.0).inv
        assert m.identity_transform(x) is x
        assert m.identity_transform.bijective and m.identity_transform.sign == 1
        with pytest.raises(TypeError):
            hash(m.ExpTransform())
    assert repr(ET.identity_transform) == repr(TT.identity_transform)
    assert repr(ET.ComposeTransform([ET.ExpTransform(), ET.TanhTransform()]).inv) == repr(
        TT.ComposeTransform([TT.ExpTransform(), TT.TanhTransform()]).inv)
    check_error(lambda: ET.ExpTransform(cache_size=2), lambda: TT.ExpTransform(cache_size=2),
                match=["cache_size must be 0 or 1"])
    check_error(lambda: ET.Transform().sign, lambda: TT.Transform().sign)
    assert ET.SoftmaxTransform().event_dim == TT.SoftmaxTransform().event_dim == 1
    check_error(lambda: ET.AbsTransform().log_abs_det_jacobian(ember.ones(1), ember.ones(1)),
                lambda: TT.AbsTransform().log_abs_det_jacobian(torch.ones(1), torch.ones(1)))
    x = ember.zeros(2)
    assert_close_tensor(ET.identity_transform.log_abs_det_jacobian(x, x),
                        TT.identity_transform.log_abs_det_jacobian(torch.zeros(2),
                                                                   torch.zeros(2)))


# ----------------------------------------------------------------------------- families
def _td_normal(m, loc, scale):
    T = ET if m is ED else TT
    return m.TransformedDistribution(m.Normal(loc, scale),
                                     [T.AffineTransform(1.0, 2.0), T.ExpTransform()])


def _td_tanh(m, loc, scale):
    T = ET if m is ED else TT
    return m.TransformedDistribution(m.Normal(loc, scale), T.TanhTransform())


def _td_softmax(m, loc, scale):
    T = ET if m is ED else TT
    return m.TransformedDistribution(m.Independent(m.Normal(loc, scale), 1),
                                     [T.SoftmaxTransform()])


SPECS = {
    "LogNormal": (lambda m, loc, scale: m.LogNormal(loc, scale),
                  lambda r, d: [r.standard_normal((2, 3)).astype(d), _pos(r, (3,), d)],
                  lambda r, d: _pos(r, (4, 2, 3), d)),
    "HalfNormal": (lambda m, scale: m.HalfNormal(scale),
                   lambda r, d: [_pos(r, (4,), d)], lambda r, d: _pos(r, (3, 4), d)),
    "Gumbel": (lambda m, loc, scale: m.Gumbel(loc, scale),
               lambda r, d: [r.standard_normal((3,)).astype(d), _pos(r, (2, 3), d)],
               lambda r, d: r.standard_normal((2, 3)).astype(d)),
    "Cauchy": (lambda m, loc, scale: m.Cauchy(loc, scale),
               lambda r, d: [r.standard_normal((2, 3)).astype(d), _pos(r, (3,), d)],
               lambda r, d: r.standard_normal((4, 2, 3)).astype(d) * 3),
    "HalfCauchy": (lambda m, scale: m.HalfCauchy(scale),
                   lambda r, d: [_pos(r, (4,), d)], lambda r, d: _pos(r, (3, 4), d) * 2),
    "Geometric_probs": (lambda m, p: m.Geometric(probs=p),
                        lambda r, d: [(r.random((2, 4)) * 0.8 + 0.1).astype(d)],
                        lambda r, d: r.integers(0, 6, (2, 4)).astype(d)),
    "Geometric_logits": (lambda m, lg: m.Geometric(logits=lg),
                         lambda r, d: [r.standard_normal((4,)).astype(d)],
                         lambda r, d: r.integers(0, 6, (3, 4)).astype(d)),
    "StudentT": (lambda m, df, loc, scale: m.StudentT(df, loc, scale),
                 lambda r, d: [(r.random((2, 3)) * 4 + 2.5).astype(d),
                               r.standard_normal((3,)).astype(d), _pos(r, (3,), d)],
                 lambda r, d: r.standard_normal((4, 2, 3)).astype(d) * 2),
    "Chi2": (lambda m, df: m.Chi2(df), lambda r, d: [_pos(r, (2, 3), d) * 3],
             lambda r, d: _pos(r, (2, 3), d) * 2),
    "Pareto": (lambda m, scale, alpha: m.Pareto(scale, alpha),
               lambda r, d: [_pos(r, (3,), d), (r.random((2, 3)) * 3 + 2.5).astype(d)],
               lambda r, d: (r.random((2, 3)) + 1.6).astype(d)),
    "Weibull": (lambda m, scale, c: m.Weibull(scale, c),
                lambda r, d: [_pos(r, (3,), d), _pos(r, (2, 3), d) * 2],
                lambda r, d: _pos(r, (4, 2, 3), d)),
    "Transformed": (_td_normal,
                    lambda r, d: [r.standard_normal((2, 3)).astype(d), _pos(r, (3,), d)],
                    lambda r, d: _pos(r, (2, 3), d)),
    "TransformedTanh": (_td_tanh,
                        lambda r, d: [r.standard_normal((3,)).astype(d), _pos(r, (3,), d)],
                        lambda r, d: (r.random((2, 3)) * 1.6 - 0.8).astype(d)),
}
PROPS = {
    "LogNormal": ["mean", "variance", "stddev", "mode", "entropy", "loc", "scale"],
    "HalfNormal": ["mean", "variance", "stddev", "mode", "entropy", "scale"],
    "Gumbel": ["mean", "variance", "stddev", "mode", "entropy"],
    "Cauchy": ["mean", "variance", "mode", "entropy"],
    "HalfCauchy": ["mean", "variance", "mode", "entropy"],
    "Geometric_probs": ["mean", "variance", "stddev", "mode", "entropy", "logits", "probs"],
    "Geometric_logits": ["mean", "variance", "mode", "entropy", "logits", "probs"],
    "StudentT": ["mean", "variance", "stddev", "mode", "entropy"],
    "Chi2": ["mean", "variance", "stddev", "mode", "entropy", "df"],
    "Pareto": ["mean", "variance", "stddev", "mode", "entropy"],
    "Weibull": ["mean", "variance", "stddev", "mode", "entropy"],
    "Transformed": [],
    "TransformedTanh": [],
}


def _build(name, rng, dt):
    ctor, params, value = SPECS[name]
    return ctor, params(rng, dt), value(rng, dt)


@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("name", list(SPECS))
def test_log_prob(name, dt, rng):
    ctor, ps, v = _build(name, rng, dt)
    check(lambda x, *p: ctor(ED, *p).log_prob(x), lambda x, *p: ctor(TD, *p).log_prob(x),
          v, *ps, rng=rng, **_tol(dt))


@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("name", list(SPECS))
def test_properties_and_shapes(name, dt, rng):
    ctor, ps, _ = _build(name, rng, dt)
    for prop in PROPS[name]:
        def get(m, *p, prop=prop):
            r = getattr(ctor(m, *p), prop)
            return r() if callable(r) else r
        check(lambda *p: get(ED, *p), lambda *p: get(TD, *p), *ps, rng=rng, **_tol(dt))
    e, t = ctor(ED, *[ember.tensor(p) for p in ps]), ctor(TD, *[torch.tensor(p) for p in ps])
    assert tuple(e.batch_shape) == tuple(t.batch_shape)
    assert tuple(e.event_shape) == tuple(t.event_shape)
    assert isinstance(e.batch_shape, ember.Size) and isinstance(e.event_shape, ember.Size)
    assert e.has_rsample == t.has_rsample
    assert e.has_enumerate_support == t.has_enumerate_support
    assert repr(e).replace("ember.", "") == repr(t).replace("torch.", "")
    if name != "Pareto":   # Pareto's support prints its tensor lower bound
        assert repr(e.support).replace("ember.", "") == repr(t.support).replace("torch.", "")
    else:
        assert_close_tensor(e.support.lower_bound, t.support.lower_bound)


@pytest.mark.parametrize("name", list(SPECS))
def test_expand(name, rng):
    ctor, ps, _ = _build(name, rng, np.float64)
    e, t = ctor(ED, *[ember.tensor(p) for p in ps]), ctor(TD, *[torch.tensor(p) for p in ps])
    shape = (2,) + tuple(t.batch_shape)
    ee, te = e.expand(shape), t.expand(shape)
    assert type(ee) is type(e)
    assert tuple(ee.batch_shape) == tuple(te.batch_shape)
    assert tuple(ee.event_shape) == tuple(te.event_shape)
    v = te.sample((3,)).numpy()
    assert_close_tensor(ee.log_prob(ember.tensor(v)), te.log_prob(torch.tensor(v)))
    assert tuple(ee.sample().shape) == tuple(te.sample().shape)
    assert tuple(ee.sample((3,)).shape) == tuple(te.sample((3,)).shape)


@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("name", ["LogNormal", "HalfNormal", "Gumbel", "Cauchy", "HalfCauchy",
                                  "Pareto", "Weibull", "Transformed", "TransformedTanh"])
def test_cdf_icdf(name, dt, rng):
    ctor, ps, v = _build(name, rng, dt)
    if name == "Gumbel":   # away from the far left tail, where the cdf underflows to 0
        v = (ps[0] + ps[1] * (rng.random(v.shape) * 3 - 1)).astype(dt)
    check(lambda x, *p: ctor(ED, *p).cdf(x), lambda x, *p: ctor(TD, *p).cdf(x), v, *ps,
          rng=rng, **_tol(dt))
    if name in ("Weibull", "Pareto", "Gumbel"):   # no icdf on the Exponential/Uniform path
        return
    q = (rng.random(v.shape) * 0.9 + 0.05).astype(dt)
    check(lambda x, *p: ctor(ED, *p).icdf(x), lambda x, *p: ctor(TD, *p).icdf(x), q, *ps,
          rng=rng, **_tol(dt))


@pytest.mark.parametrize("name", list(SPECS))
def test_log_prob_gradcheck(name, rng):
    ctor, ps, v = _build(name, rng, np.float64)
    if name.startswith("Geometric"):
        check_gradcheck(lambda *p: ctor(ED, *p).log_prob(ember.tensor(v)), *ps)
    else:
        check_gradcheck(lambda x, *p: ctor(ED, *p).log_prob(x), v, *ps)


def test_transformed_softmax_event_shape(rng):
    loc, scale = rng.standard_normal((2, 4)), rng.random((2, 4)) + 0.5
    e = _td_softmax(ED, ember.tensor(loc), ember.tensor(scale))
    t = _td_softmax(TD, torch.tensor(loc), torch.tensor(scale))
    assert tuple(e.batch_shape) == tuple(t.batch_shape) == (2,)
    assert tuple(e.event_shape) == tuple(t.event_shape) == (4,)
    assert repr(e.support) == repr(t.support)
    s = e.sample((5,))
    assert tuple(s.shape) == (5, 2, 4)
    np.testing.assert_allclose(s.sum(-1).numpy(), 1.0, rtol=1e-6)
    # Independent base reinterpreted by a transform with event_dim 1
    e2 = ED.TransformedDistribution(ED.Normal(ember.tensor(loc), ember.tensor(scale)),
                                    ET.AffineTransform(0.0, 2.0, event_dim=1))
    t2 = TD.TransformedDistribution(TD.Normal(torch.tensor(loc), torch.tensor(scale)),
                                    TT.AffineTransform(0.0, 2.0, event_dim=1))
    assert isinstance(e2.base_dist, ED.Independent)
    assert tuple(e2.event_shape) == tuple(t2.event_shape) == (4,)
    x = rng.standard_normal((3, 2, 4))
    assert_close_tensor(e2.log_prob(ember.tensor(x)), t2.log_prob(torch.tensor(x)))


def test_scalar_parameters():
    for cls, args in [("LogNormal", (0.5, 2.0)), ("Gumbel", (0.5, 2.0)), ("Cauchy", (0.5, 2)),
                      ("HalfNormal", (1.5,)), ("HalfCauchy", (1.5,)), ("Chi2", (3.0,)),
                      ("StudentT", (3.0,)), ("Pareto", (1.0, 3.0)), ("Weibull", (1.0, 2.0)),
                      ("Geometric", (0.3,))]:
        e, t = getattr(ED, cls)(*args), getattr(TD, cls)(*args)
        assert tuple(e.batch_shape) == tuple(t.batch_shape) == ()
        assert_close_tensor(e.mean, t.mean)
        assert_close_tensor(e.variance, t.variance)
        assert repr(e) == repr(t)
    # StudentT's moments for small df, Pareto's for small alpha
    df = [0.5, 1.5, 3.0]
    e, t = ED.StudentT(ember.tensor(df)), TD.StudentT(torch.tensor(df))
    assert_close_tensor(e.mean, t.mean)
    assert_close_tensor(e.variance, t.variance)
    e, t = ED.Pareto(1.0, ember.tensor([0.5, 1.5, 3.0])), TD.Pareto(1.0, torch.tensor([0.5, 1.5,
                                                                                        3.0]))
    assert_close_tensor(e.mean, t.mean)
    assert_close_tensor(e.variance, t.variance)
    e, t = ED.HalfCauchy(1.0, validate_args=False), TD.HalfCauchy(1.0, validate_args=False)
    assert_close_tensor(e.log_prob(ember.tensor([-1.0, 1.0])),
                        t.log_prob(torch.tensor([-1.0, 1.0])))
    e, t = ED.Geometric(ember.tensor([1.0, 0.5])), TD.Geometric(torch.tensor([1.0, 0.5]))
    assert_close_tensor(e.log_prob(ember.tensor([0.0, 2.0])), t.log_prob(torch.tensor([0.0, 2.0])))


# ----------------------------------------------------------------------------- KL
KL_PAIRS = [("Gumbel", "Gumbel"), ("Geometric", "Geometric"), ("HalfNormal", "HalfNormal"),
            ("Pareto", "Pareto"), ("Cauchy", "Cauchy"), ("LogNormal", "LogNormal"),
            ("Transformed", "Transformed"), ("Exponential", "Gumbel"), ("Gamma", "Gumbel"),
            ("Gumbel", "Normal"), ("Normal", "Gumbel"), ("Pareto", "Exponential"),
            ("Pareto", "Gamma"), ("Pareto", "Normal"), ("Uniform", "Gumbel"),
            ("Uniform", "Pareto"), ("Chi2", "Chi2"), ("Chi2", "Gamma")]
KL_PARAMS = {
    "Gumbel": (lambda m, a, b: m.Gumbel(a, b),
               lambda r, d: [r.standard_normal((4,)).astype(d), _pos(r, (4,), d)]),
    "Geometric": (lambda m, p: m.Geometric(p),
                  lambda r, d: [(r.random((4,)) * 0.8 + 0.1).astype(d)]),
    "HalfNormal": (lambda m, s: m.HalfNormal(s), lambda r, d: [_pos(r, (4,), d)]),
    "Pareto": (lambda m, s, a: m.Pareto(s, a),
               lambda r, d: [_pos(r, (4,), d), (r.random((4,)) * 3 + 2.5).astype(d)]),
    "Cauchy": (lambda m, a, b: m.Cauchy(a, b),
               lambda r, d: [r.standard_normal((4,)).astype(d), _pos(r, (4,), d)]),
    "LogNormal": (lambda m, a, b: m.LogNormal(a, b),
                  lambda r, d: [r.standard_normal((4,)).astype(d), _pos(r, (4,), d)]),
    "Transformed": (_td_normal,
                    lambda r, d: [r.standard_normal((4,)).astype(d), _pos(r, (4,), d)]),
    "Exponential": (lambda m, r: m.Exponential(r), lambda r, d: [_pos(r, (4,), d)]),
    "Gamma": (lambda m, c, r: m.Gamma(c, r),
              lambda r, d: [_pos(r, (4,), d) * 2, _pos(r, (4,), d)]),
    "Normal": (lambda m, a, b: m.Normal(a, b),
               lambda r, d: [r.standard_normal((4,)).astype(d), _pos(r, (4,), d)]),
    "Uniform": (lambda m, lo, w: m.Uniform(lo, lo + w),
                lambda r, d: [(r.random((4,)) + 2.0).astype(d), _pos(r, (4,), d)]),
    "Chi2": (lambda m, df: m.Chi2(df), lambda r, d: [_pos(r, (4,), d) * 3]),
}


@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("pq", KL_PAIRS, ids=lambda pq: "-".join(pq))
def test_kl_divergence(pq, dt, rng):
    (cp, fp), (cq, fq) = KL_PARAMS[pq[0]], KL_PARAMS[pq[1]]
    pp, qq = fp(rng, dt), fq(rng, dt)
    k = len(pp)
    check(lambda *a: ED.kl_divergence(cp(ED, *a[:k]), cq(ED, *a[k:])),
          lambda *a: TD.kl_divergence(cp(TD, *a[:k]), cq(TD, *a[k:])), *pp, *qq, rng=rng,
          **_tol(dt))


def test_kl_infinite_cases():
    t4 = [1.0, 2.0, 0.5, 3.0]
    cases = [
        lambda m, t: m.kl_divergence(m.Pareto(t([1.0, 2.0]), t([3.0, 3.0])),
                                     m.Pareto(t([1.5, 1.0]), t([2.0, 2.0]))),
        lambda m, t: m.kl_divergence(m.Pareto(t([1.0, 1.0]), t([0.5, 3.0])), m.Exponential(1.0)),
        lambda m, t: m.kl_divergence(m.Pareto(t([1.0, 1.0]), t([0.5, 3.0])),
                                     m.Gamma(t(2.0), t(1.0))),
        lambda m, t: m.kl_divergence(m.Pareto(t([1.0, 1.0]), t([1.5, 3.0])),
                                     m.Normal(t(0.0), t(1.0))),
        lambda m, t: m.kl_divergence(m.Uniform(t([0.5, 2.0]), t([3.0, 4.0])),
                                     m.Pareto(t([1.0, 1.0]), t([2.0, 2.0]))),
        lambda m, t: m.kl_divergence(m.Gumbel(t(t4), 1.0), m.Exponential(1.0)),
        lambda m, t: m.kl_divergence(m.Gumbel(t(t4), 1.0), m.Pareto(1.0, 1.0)),
        lambda m, t: m.kl_divergence(m.Normal(t(t4), 1.0), m.Pareto(1.0, 1.0)),
        lambda m, t: m.kl_divergence(m.Exponential(t(t4)), m.Pareto(1.0, 1.0)),
        lambda m, t: m.kl_divergence(m.Gamma(t(t4), 1.0), m.Pareto(1.0, 1.0)),
        lambda m, t: m.kl_divergence(m.Laplace(t(t4), 1.0), m.Pareto(1.0, 1.0)),
        lambda m, t: m.kl_divergence(m.Beta(t(t4), 1.0), m.Pareto(1.0, 1.0)),
        lambda m, t: m.kl_divergence(m.Pareto(t(t4), 1.0), m.Uniform(0.0, 1.0)),
        lambda m, t: m.kl_divergence(m.Pareto(t(t4), 1.0), m.Beta(1.0, 1.0)),
        lambda m, t: m.kl_divergence(m.Gumbel(t(t4), 1.0), m.Uniform(0.0, 1.0)),
        lambda m, t: m.kl_divergence(m.Gumbel(t(t4), 1.0), m.Beta(1.0, 1.0)),
        lambda m, t: m.kl_divergence(m.Gumbel(t(t4), 1.0), m.Gamma(1.0, 1.0)),
    ]
    for f in cases:
        assert_close_tensor(f(ED, ember.tensor), f(TD, torch.tensor))


def test_kl_transformed_not_implemented():
    a = ED.TransformedDistribution(ED.Normal(0.0, 1.0), ET.ExpTransform())
    b = ED.TransformedDistribution(ED.Normal(0.0, 1.0), ET.TanhTransform())
    ta = TD.TransformedDistribution(TD.Normal(0.0, 1.0), TT.ExpTransform())
    tb = TD.TransformedDistribution(TD.Normal(0.0, 1.0), TT.TanhTransform())
    check_error(lambda: ED.kl_divergence(a, b), lambda: TD.kl_divergence(ta, tb))
    assert_close_tensor(ED.kl_divergence(a, ED.LogNormal(1.0, 2.0)),
                        TD.kl_divergence(ta, TD.LogNormal(1.0, 2.0)))
    check_error(lambda: ED.kl_divergence(ED.Cauchy(0.0, 1.0), ED.Normal(0.0, 1.0)),
                lambda: TD.kl_divergence(TD.Cauchy(0.0, 1.0), TD.Normal(0.0, 1.0)),
                match=["No KL(p || q) is implemented for p type Cauchy and q type Normal"])


def test_kl_gradcheck(rng):
    a = [rng.standard_normal(3), rng.random(3) + 0.5, rng.standard_normal(3), rng.random(3) + 0.5]
    check_gradcheck(lambda *p: ED.kl_divergence(ED.Gumbel(p[0], p[1]), ED.Gumbel(p[2], p[3])),
                    *a)
    check_gradcheck(lambda *p: ED.kl_divergence(ED.Normal(p[0], p[1]), ED.Gumbel(p[2], p[3])),
                    *a)
    check_gradcheck(lambda *p: ED.kl_divergence(ED.Cauchy(p[0], p[1]), ED.Cauchy(p[2], p[3])),
                    *a)


# ----------------------------------------------------------------------------- sampling
def _gumbel_var(s):
    return (math.pi * s) ** 2 / 6


SAMPLERS = {  # dist, mean, variance, support check, torch twin for dtype
    "LogNormal": (lambda: ED.LogNormal(ember.tensor([0.0, 1.0]), ember.tensor([0.25, 0.5])),
                  [math.exp(0.03125), math.exp(1.125)],
                  [math.expm1(0.0625) * math.exp(0.0625), math.expm1(0.25) * math.exp(2.25)],
                  lambda s: bool((s > 0).all()), lambda: TD.LogNormal(0.0, 1.0)),
    "HalfNormal": (lambda: ED.HalfNormal(ember.tensor([1.0, 3.0])),
                   [math.sqrt(2 / math.pi), 3 * math.sqrt(2 / math.pi)],
                   [1 - 2 / math.pi, 9 * (1 - 2 / math.pi)], lambda s: bool((s >= 0).all()),
                   lambda: TD.HalfNormal(1.0)),
    "Gumbel": (lambda: ED.Gumbel(ember.tensor([0.0, 2.0]), ember.tensor([1.0, 0.5])),
               [0.5772156649015329, 2 + 0.5 * 0.5772156649015329],
               [_gumbel_var(1.0), _gumbel_var(0.5)], lambda s: True, lambda: TD.Gumbel(0.0, 1.0)),
    "Geometric": (lambda: ED.Geometric(ember.tensor([0.2, 0.7])), [4.0, 0.3 / 0.7],
                  [0.8 / 0.04, 0.3 / 0.49],
                  lambda s: bool((s == s.round()).all() and (s >= 0).all()),
                  lambda: TD.Geometric(torch.tensor([0.5]))),
    "StudentT": (lambda: ED.StudentT(ember.tensor([10.0, 30.0]), ember.tensor([1.0, -1.0]),
                                     ember.tensor([1.0, 2.0])),
                 [1.0, -1.0], [1.25, 4 * 30 / 28], lambda s: True, lambda: TD.StudentT(3.0)),
    "Chi2": (lambda: ED.Chi2(ember.tensor([1.0, 5.0])), [1.0, 5.0], [2.0, 10.0],
             lambda s: bool((s > 0).all()), lambda: TD.Chi2(2.0)),
    "Pareto": (lambda: ED.Pareto(ember.tensor([1.0, 2.0]), ember.tensor([6.0, 8.0])),
               [1.2, 16 / 7], [6 / 100, 4 * 8 / (49 * 6)],
               lambda s: bool((s[:, 0] >= 1).all() and (s[:, 1] >= 2).all()),
               lambda: TD.Pareto(1.0, 2.0)),
    "Weibull": (lambda: ED.Weibull(ember.tensor([1.0, 2.0]), ember.tensor([1.0, 2.0])),
                [1.0, 2 * math.gamma(1.5)], [1.0, 4 * (1 - math.gamma(1.5) ** 2)],
                lambda s: bool((s > 0).all()), lambda: TD.Weibull(1.0, 1.0)),
}


@pytest.mark.parametrize("name", list(SAMPLERS))
def test_sample_moments_and_determinism(name):
    make, mean, var, in_support, twin = SAMPLERS[name]
    d = make()
    n = 40000
    ember.manual_seed(123)
    s = d.sample((n,))
    ember.manual_seed(123)
    np.testing.assert_array_equal(d.sample((n,)).numpy(), s.numpy())
    assert not s.requires_grad
    assert tuple(s.shape) == (n,) + tuple(d.batch_shape) + tuple(d.event_shape)
    ts = twin().sample((3,))
    assert s.dtype == {torch.float32: ember.float32, torch.int64: ember.int64}[ts.dtype]
    assert in_support(s)
    x = s.double().numpy()
    mean, var = np.array(mean), np.array(var)
    assert np.all(np.abs(x.mean(0) - mean) < 6 * np.sqrt(var / n)), (x.mean(0), mean)
    assert np.allclose(x.var(0), var, rtol=0.15), (x.var(0), var)
    assert tuple(d.sample([2, 3]).shape) == (2, 3) + tuple(d.batch_shape) + tuple(d.event_shape)


def test_cauchy_and_half_cauchy_sampling():
    ember.manual_seed(5)
    s = ED.Cauchy(ember.tensor([0.0, 3.0]), ember.tensor([1.0, 2.0])).sample((40000,))
    assert s.dtype == ember.float32 and tuple(s.shape) == (40000, 2)
    med = np.median(s.numpy(), 0)
    np.testing.assert_allclose(med, [0.0, 3.0], atol=0.06)
    q = np.quantile(s.numpy()[:, 1], [0.25, 0.75])   # quartiles loc -+ scale
    np.testing.assert_allclose(q, [1.0, 5.0], atol=0.15)
    h = ED.HalfCauchy(ember.tensor(2.0, dtype=ember.float64)).sample((40000,))
    assert h.dtype == ember.float64 and bool((h >= 0).all())
    assert abs(np.median(h.numpy()) - 2.0) < 0.1


def test_rsample_gradients():
    loc = ember.tensor([0.5, -1.0], requires_grad=True)
    scale = ember.tensor([0.2, 0.5], requires_grad=True)
    ember.manual_seed(1)
    x = ED.LogNormal(loc, scale).rsample((100,))
    assert x.requires_grad
    x.sum().backward()   # d exp(loc + scale e) / d loc = x
    np.testing.assert_allclose(loc.grad.numpy(), x.detach().sum(0).numpy(), rtol=1e-5)
    for d in [ED.Gumbel(loc, scale), ED.Cauchy(loc, scale), ED.StudentT(5.0, loc, scale)]:
        loc.grad = None
        d.rsample((10,)).sum().backward()
        np.testing.assert_allclose(loc.grad.numpy(), [10.0, 10.0], rtol=1e-6)
    # Weibull: x = scale * E ** (1/c), d x / d scale = x / scale
    sc = ember.tensor(2.0, requires_grad=True)
    w = ED.Weibull(sc, ember.tensor(1.5)).rsample((50,))
    w.sum().backward()
    assert abs(sc.grad.item() - w.detach().sum().item() / 2) < 1e-3
    # StudentT's df gradient flows through Chi2's (Gamma's) implicit reparameterization
    df = ember.tensor(4.0, requires_grad=True)
    ED.StudentT(df).rsample((20,)).pow(2).sum().backward()
    assert df.grad is not None and math.isfinite(df.grad.item())
    hs = ember.tensor(1.5, requires_grad=True)
    h = ED.HalfNormal(hs).rsample((30,))
    h.sum().backward()
    assert abs(hs.grad.item() - h.detach().sum().item() / 1.5) < 1e-3
    assert not ED.Geometric(ember.tensor(0.5)).has_rsample
    with pytest.raises(NotImplementedError):
        ED.Geometric(ember.tensor(0.5)).rsample()


# ----------------------------------------------------------------------------- validation
@pytest.mark.parametrize("make", [
    lambda m, t: m.LogNormal(t(0.0), t(-1.0)),
    lambda m, t: m.HalfNormal(t([1.0, 0.0])),
    lambda m, t: m.Gumbel(t(0.0), t(-1.0)),
    lambda m, t: m.Cauchy(t(0.0), t(0.0)),
    lambda m, t: m.HalfCauchy(t(-2.0)),
    lambda m, t: m.Geometric(t([0.5, 1.5])),
    lambda m, t: m.Geometric(t([0.5, 0.0])),
    lambda m, t: m.StudentT(t(-1.0)),
    lambda m, t: m.Chi2(t([1.0, -1.0])),
    lambda m, t: m.Pareto(t(1.0), t(0.0)),
    lambda m, t: m.Weibull(t(1.0), t(-1.0)),
], ids=range(11))
def test_invalid_parameters(make):
    e_exc = check_error(lambda: make(ED, ember.tensor), lambda: make(TD, torch.tensor),
                        match=["Expected parameter"])
    try:
        make(TD, torch.tensor)
    except ValueError as t_exc:
        assert str(e_exc).replace("ember.", "") == str(t_exc).replace("torch.", "")


@pytest.mark.parametrize("make, value", [
    (lambda m, t: m.LogNormal(t([0.0, 1.0]), t([1.0, 1.0])), [-1.0, 1.0]),
    (lambda m, t: m.HalfNormal(t([1.0])), [-0.5]),
    (lambda m, t: m.Geometric(t([0.3])), [1.5]),
    (lambda m, t: m.Pareto(t([2.0]), t([1.0])), [1.5]),
    (lambda m, t: m.Weibull(t([2.0]), t([1.0])), [0.0]),
    (lambda m, t: m.Cauchy(t([0.0, 1.0]), t([1.0, 1.0])), [0.0, 1.0, 2.0]),
], ids=range(6))
def test_invalid_values(make, value):
    ev, tv = ember.tensor(value), torch.tensor(value)
    e_exc = check_error(lambda: make(ED, ember.tensor).log_prob(ev),
                        lambda: make(TD, torch.tensor).log_prob(tv))
    try:
        make(TD, torch.tensor).log_prob(tv)
    except ValueError as t_exc:
        assert str(e_exc).replace("ember.", "") == str(t_exc).replace("torch.", "")


@pytest.mark.parametrize("make", [
    lambda m, t: m.Geometric(),
    lambda m, t: m.Geometric(t(0.5), t(0.0)),
    lambda m, t: m.TransformedDistribution(m.Normal(0.0, 1.0), "exp"),
    lambda m, t: m.TransformedDistribution(m.Normal(0.0, 1.0), [1]),
    lambda m, t: m.TransformedDistribution(
        m.Normal(0.0, 1.0), (ET if m is ED else TT).SoftmaxTransform()),
], ids=range(5))
def test_constructor_errors(make):
    t_exc = None
    try:
        make(TD, torch.tensor)
    except Exception as exc:  # noqa: BLE001
        t_exc = exc
    e_exc = check_error(lambda: make(ED, ember.tensor), lambda: make(TD, torch.tensor))
    assert str(e_exc).replace("ember.", "") == str(t_exc).replace("torch.", "")


def test_non_contiguous_and_empty(rng):
    loc, scale = rng.standard_normal((3, 4)), rng.random((4, 3)) + 0.5
    v = rng.random((2, 4, 6)) + 0.1
    check(lambda x, m, s: ED.LogNormal(m.T, s).log_prob(x[..., ::2]),
          lambda x, m, s: TD.LogNormal(m.T, s).log_prob(x[..., ::2]), v, loc, scale, rng=rng)
    e = ED.Gumbel(ember.zeros(0), ember.ones(0))
    t = TD.Gumbel(torch.zeros(0), torch.ones(0))
    assert tuple(e.sample((2,)).shape) == tuple(t.sample((2,)).shape) == (2, 0)
    assert_close_tensor(e.log_prob(ember.zeros(3, 0)), t.log_prob(torch.zeros(3, 0)))
    assert_close_tensor(ED.kl_divergence(e, e), TD.kl_divergence(t, t))


# ----------------------------------------------------------------------------- Multinomial,
# relaxed distributions, MixtureSameFamily
def _simplex(rng, shape, dt):
    p = rng.random(shape) + 0.1
    return (p / p.sum(-1, keepdims=True)).astype(dt)


def _counts(rng, n, shape):
    k = shape[-1]
    idx = rng.integers(0, k, (n,) + shape[:-1])
    return np.eye(k)[idx].sum(0)


def _mix(m, lg, loc, scale):
    return m.MixtureSameFamily(m.Categorical(logits=lg), m.Normal(loc, scale))


def _mix_mvn(m, lg, loc):
    return m.MixtureSameFamily(m.Categorical(logits=lg),
                               m.Independent(m.Normal(loc, loc.abs() + 0.5), 1))


SPECS3 = {
    "Multinomial_probs": (lambda m, p: m.Multinomial(6, probs=p),
                          lambda r, d: [_simplex(r, (2, 4), d)],
                          lambda r, d: _counts(r, 6, (3, 2, 4)).astype(d)),
    "Multinomial_logits": (lambda m, lg: m.Multinomial(5, logits=lg),
                           lambda r, d: [r.standard_normal((3,)).astype(d)],
                           lambda r, d: _counts(r, 5, (2, 3)).astype(d)),
    "RelaxedBernoulli": (lambda m, t, p: m.RelaxedBernoulli(t, probs=p),
                         lambda r, d: [np.array(_pos(r, (), d)),
                                       (r.random((2, 3)) * 0.8 + 0.1).astype(d)],
                         lambda r, d: (r.random((4, 2, 3)) * 0.9 + 0.05).astype(d)),
    "RelaxedBernoulli_logits": (lambda m, t, lg: m.RelaxedBernoulli(t, logits=lg),
                                lambda r, d: [_pos(r, (3,), d), r.standard_normal(3).astype(d)],
                                lambda r, d: (r.random((2, 3)) * 0.9 + 0.05).astype(d)),
    "RelaxedOneHotCategorical": (lambda m, t, p: m.RelaxedOneHotCategorical(t, probs=p),
                                 lambda r, d: [np.array(_pos(r, (), d)), _simplex(r, (2, 3), d)],
                                 lambda r, d: _simplex(r, (4, 2, 3), d)),
    "RelaxedOneHotCategorical_logits": (
        lambda m, t, lg: m.RelaxedOneHotCategorical(t, logits=lg),
        lambda r, d: [np.array(1.3, dtype=d), r.standard_normal((2, 4)).astype(d)],
        lambda r, d: _simplex(r, (3, 2, 4), d)),
    "Mixture": (_mix,
                lambda r, d: [r.standard_normal((2, 3)).astype(d),
                              r.standard_normal((2, 3)).astype(d), _pos(r, (2, 3), d)],
                lambda r, d: r.standard_normal((4, 2)).astype(d)),
    "MixtureEvent": (_mix_mvn,
                     lambda r, d: [r.standard_normal((2, 3)).astype(d),
                                   r.standard_normal((2, 3, 2)).astype(d)],
                     lambda r, d: r.standard_normal((4, 2, 2)).astype(d)),
}
PROPS3 = {
    "Multinomial_probs": ["mean", "variance", "stddev", "entropy", "logits", "probs"],
    "Multinomial_logits": ["mean", "variance", "entropy", "logits", "probs"],
    "RelaxedBernoulli": ["logits", "probs", "temperature"],
    "RelaxedBernoulli_logits": ["logits", "probs"],
    "RelaxedOneHotCategorical": ["logits", "probs", "temperature"],
    "RelaxedOneHotCategorical_logits": ["logits", "probs"],
    "Mixture": ["mean", "variance", "stddev"],
    "MixtureEvent": ["mean", "variance"],
}


@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("name", list(SPECS3))
def test_log_prob_more(name, dt, rng):
    ctor, params, value = SPECS3[name]
    ps, v = params(rng, dt), value(rng, dt)
    check(lambda x, *p: ctor(ED, *p).log_prob(x), lambda x, *p: ctor(TD, *p).log_prob(x),
          v, *ps, rng=rng, **_tol(dt))
    for prop in PROPS3[name]:
        def get(m, *p, prop=prop):
            r = getattr(ctor(m, *p), prop)
            return r() if callable(r) else r
        check(lambda *p: get(ED, *p), lambda *p: get(TD, *p), *ps, rng=rng, **_tol(dt))
    e, t = ctor(ED, *[ember.tensor(p) for p in ps]), ctor(TD, *[torch.tensor(p) for p in ps])
    assert tuple(e.batch_shape) == tuple(t.batch_shape)
    assert tuple(e.event_shape) == tuple(t.event_shape)
    assert e.has_rsample == t.has_rsample
    assert repr(e).replace("ember.", "") == repr(t).replace("torch.", "")
    assert repr(e.support).replace("ember.", "") == repr(t.support).replace("torch.", "")
    shape = (2,) + tuple(t.batch_shape)
    ee, te = e.expand(shape), t.expand(shape)
    assert type(ee) is type(e) and tuple(ee.batch_shape) == tuple(te.batch_shape)
    vv = te.sample((3,)).numpy()
    assert_close_tensor(ee.log_prob(ember.tensor(vv)), te.log_prob(torch.tensor(vv)),
                        **_tol(dt))
    assert tuple(ee.sample((3,)).shape) == tuple(te.sample((3,)).shape)
    assert ee.sample().dtype == e.sample().dtype


@pytest.mark.parametrize("name", list(SPECS3))
def test_log_prob_more_gradcheck(name, rng):
    ctor, params, value = SPECS3[name]
    ps, v = params(rng, np.float64), value(rng, np.float64)
    if name.startswith(("Multinomial", "RelaxedOneHot")):   # keep the value in the support
        check_gradcheck(lambda *p: ctor(ED, *p).log_prob(ember.tensor(v)), *ps)
    else:
        check_gradcheck(lambda x, *p: ctor(ED, *p).log_prob(x), v, *ps)


def test_mixture_cdf_and_sampling(rng):
    lg, loc, sc = rng.standard_normal((2, 3)), rng.standard_normal((2, 3)), rng.random((2, 3))
    v = rng.standard_normal((4, 2))
    check(lambda x, *p: _mix(ED, *p).cdf(x), lambda x, *p: _mix(TD, *p).cdf(x), v, lg, loc,
          sc + 0.5, rng=rng)
    d = ED.MixtureSameFamily(ED.Categorical(ember.tensor([0.3, 0.7])),
                             ED.Normal(ember.tensor([-5.0, 5.0]), ember.tensor([1.0, 1.0])))
    ember.manual_seed(4)
    s = d.sample((20000,))
    ember.manual_seed(4)
    np.testing.assert_array_equal(d.sample((20000,)).numpy(), s.numpy())
    assert tuple(s.shape) == (20000,) and s.dtype == ember.float32 and not s.requires_grad
    assert abs(float((s > 0).float().mean()) - 0.7) < 0.02
    assert abs(float(s.mean()) - float(d.mean)) < 0.1
    assert abs(float(s.var()) - float(d.variance)) / float(d.variance) < 0.05
    with pytest.raises(NotImplementedError):
        d.rsample()


@pytest.mark.parametrize("make", [
    lambda m, t: m.MixtureSameFamily(m.Normal(t([0.0]), t([1.0])), m.Normal(t([0.0]), t([1.0]))),
    lambda m, t: m.MixtureSameFamily(m.Categorical(t([0.5, 0.5])), "normal"),
    lambda m, t: m.MixtureSameFamily(m.Categorical(t([0.5, 0.5])),
                                     m.Normal(t([0.0, 1.0, 2.0]), t([1.0, 1.0, 1.0]))),
    lambda m, t: m.MixtureSameFamily(m.Categorical(t([[0.5, 0.5]] * 3)),
                                     m.Normal(t([[0.0, 1.0]] * 2), t([[1.0, 1.0]] * 2))),
    lambda m, t: m.Multinomial(t(3), t([0.5, 0.5])),
    lambda m, t: m.Multinomial(3, t([0.5, -0.5])),
    lambda m, t: m.RelaxedBernoulli(t(0.5)),
    lambda m, t: m.RelaxedBernoulli(t(0.5), t([0.5]), t([0.0])),
    lambda m, t: m.RelaxedBernoulli(t(0.5), t([1.5])),
    lambda m, t: m.RelaxedOneHotCategorical(t(0.5), logits=t(1.0)),
], ids=range(10))
def test_more_constructor_errors(make):
    t_exc = None
    try:
        make(TD, torch.tensor)
    except Exception as exc:  # noqa: BLE001
        t_exc = exc
    e_exc = check_error(lambda: make(ED, ember.tensor), lambda: make(TD, torch.tensor))
    assert str(e_exc).replace("ember.", "") == str(t_exc).replace("torch.", "")


@pytest.mark.parametrize("make, value", [
    (lambda m, t: m.Multinomial(3, t([0.5, 0.5])), [2.0, 2.0]),
    (lambda m, t: m.Multinomial(3, t([0.5, 0.5])), [-1.0, 2.0]),
    (lambda m, t: m.RelaxedBernoulli(t(0.5), t([0.5])), [1.5]),
    (lambda m, t: m.RelaxedOneHotCategorical(t(0.5), t([0.5, 0.5])), [0.7, 0.7]),
], ids=range(4))
def test_more_invalid_values(make, value):
    ev, tv = ember.tensor(value), torch.tensor(value)
    e_exc = check_error(lambda: make(ED, ember.tensor).log_prob(ev),
                        lambda: make(TD, torch.tensor).log_prob(tv))
    try:
        make(TD, torch.tensor).log_prob(tv)
    except ValueError as t_exc:
        assert str(e_exc).replace("ember.", "") == str(t_exc).replace("torch.", "")


def test_multinomial_and_relaxed_sampling():
    d = ED.Multinomial(10, ember.tensor([[0.2, 0.3, 0.5], [0.9, 0.1, 0.0]]))
    ember.manual_seed(9)
    s = d.sample((20000,))
    ember.manual_seed(9)
    np.testing.assert_array_equal(d.sample((20000,)).numpy(), s.numpy())
    assert tuple(s.shape) == (20000, 2, 3) and s.dtype == ember.float32
    assert bool((s.sum(-1) == 10).all()) and float(s[:, 1, 2].sum()) == 0.0
    x = s.double().numpy()
    mean, var = d.mean.numpy(), d.variance.numpy()
    assert np.all(np.abs(x.mean(0) - mean) < 6 * np.sqrt(var / 20000) + 1e-9)
    assert np.allclose(x.var(0), var, rtol=0.1, atol=1e-9)
    # relaxed: in the support, near-discrete at low temperature, reparameterized
    p = ember.tensor([0.2, 0.8], requires_grad=True)
    ember.manual_seed(2)
    r = ED.RelaxedBernoulli(ember.tensor(0.05), probs=p).rsample((20000,))
    assert r.requires_grad and bool(((r >= 0) & (r <= 1)).all())
    np.testing.assert_allclose(r.detach().mean(0).numpy(), [0.2, 0.8], atol=0.02)
    r.sum().backward()
    assert bool((p.grad > 0).all())
    lg = ember.tensor([[0.0, 1.0, -1.0]], requires_grad=True)
    ember.manual_seed(2)
    c = ED.RelaxedOneHotCategorical(ember.tensor(0.05), logits=lg).rsample((20000,))
    assert tuple(c.shape) == (20000, 1, 3)
    np.testing.assert_allclose(c.detach().sum(-1).numpy(), 1.0, rtol=1e-5)
    probs = np.exp([0.0, 1.0, -1.0]) / np.exp([0.0, 1.0, -1.0]).sum()
    np.testing.assert_allclose(c.detach().mean(0).numpy()[0], probs, atol=0.02)
    (c[..., 1]).sum().backward()
    assert lg.grad[0, 1].item() > 0


# ----------------------------------------------------------------------------- LowRankMVN
def _lr(m, loc, W, D):
    return m.LowRankMultivariateNormal(loc, W, D)


def _lr_params(r, d):
    return [r.standard_normal((2, 3)).astype(d), r.standard_normal((3, 2)).astype(d),
            _pos(r, (2, 3), d)]


@pytest.mark.parametrize("dt", DTYPES)
def test_lowrank_mvn(dt, rng):
    ps = _lr_params(rng, dt)
    v = rng.standard_normal((4, 2, 3)).astype(dt)
    check(lambda x, *p: _lr(ED, *p).log_prob(x), lambda x, *p: _lr(TD, *p).log_prob(x), v, *ps,
          rng=rng, **_tol(dt))
    for prop in ["mean", "mode", "variance", "stddev", "entropy", "scale_tril",
                 "covariance_matrix", "precision_matrix"]:
        def get(m, *p, prop=prop):
            r = getattr(_lr(m, *p), prop)
            return r() if callable(r) else r
        check(lambda *p: get(ED, *p), lambda *p: get(TD, *p), *ps, rng=rng, **_tol(dt))
    e, t = _lr(ED, *[ember.tensor(p) for p in ps]), _lr(TD, *[torch.tensor(p) for p in ps])
    assert tuple(e.batch_shape) == tuple(t.batch_shape) == (2,)
    assert tuple(e.event_shape) == tuple(t.event_shape) == (3,)
    assert repr(e).replace("ember.", "") == repr(t).replace("torch.", "")
    assert repr(e.support) == repr(t.support) and e.has_rsample
    ee, te = e.expand((4, 2)), t.expand((4, 2))
    vv = te.sample((3,)).numpy()
    assert_close_tensor(ee.log_prob(ember.tensor(vv)), te.log_prob(torch.tensor(vv)), **_tol(dt))
    assert tuple(ee.sample((5,)).shape) == (5, 4, 2, 3)
    assert ee.sample().dtype == {np.float32: ember.float32, np.float64: ember.float64}[dt]


def test_lowrank_mvn_gradcheck_and_sampling(rng):
    ps = _lr_params(rng, np.float64)
    check_gradcheck(lambda x, *p: _lr(ED, *p).log_prob(x), rng.standard_normal((2, 3)), *ps)
    d = ED.LowRankMultivariateNormal(ember.tensor([1.0, -1.0]), ember.tensor([[1.0], [0.5]]),
                                     ember.tensor([0.5, 1.0]))
    ember.manual_seed(8)
    s = d.sample((40000,))
    ember.manual_seed(8)
    np.testing.assert_array_equal(d.sample((40000,)).numpy(), s.numpy())
    assert s.dtype == ember.float32 and not s.requires_grad
    x = s.double().numpy()
    np.testing.assert_allclose(x.mean(0), [1.0, -1.0], atol=0.03)
    np.testing.assert_allclose(np.cov(x.T), [[1.5, 0.5], [0.5, 1.25]], atol=0.05)
    loc = ember.tensor([0.0, 0.0], requires_grad=True)
    W = ember.tensor([[1.0], [0.5]], requires_grad=True)
    ED.LowRankMultivariateNormal(loc, W, ember.ones(2)).rsample((7,)).sum().backward()
    np.testing.assert_allclose(loc.grad.numpy(), [7.0, 7.0])
    assert W.grad is not None


LR_KL = {
    "LR": lambda m, r, d: m.LowRankMultivariateNormal(*[
        (ember.tensor if m is ED else torch.tensor)(p) for p in _lr_params(r, d)]),
    "LR1": lambda m, r, d: m.LowRankMultivariateNormal(*[   # unbatched cov_diag
        (ember.tensor if m is ED else torch.tensor)(p) for p in _lr_params(r, d)[:2]
        + [_pos(r, (3,), d)]]),
    "MVN": lambda m, r, d: m.MultivariateNormal(
        (ember.tensor if m is ED else torch.tensor)(r.standard_normal(3).astype(d)),
        scale_tril=(ember.tensor if m is ED else torch.tensor)(
            (np.tril(r.standard_normal((3, 3))) * 0.3 + 2 * np.eye(3)).astype(d))),
}


@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("pq", [("LR", "LR"), ("MVN", "LR"), ("LR1", "MVN")],
                         ids=lambda pq: "-".join(pq))
def test_lowrank_kl(pq, dt, rng):
    seed = int(rng.integers(1 << 30))
    ep = LR_KL[pq[0]](ED, np.random.default_rng(seed), dt)
    eq = LR_KL[pq[1]](ED, np.random.default_rng(seed + 1), dt)
    tp = LR_KL[pq[0]](TD, np.random.default_rng(seed), dt)
    tq = LR_KL[pq[1]](TD, np.random.default_rng(seed + 1), dt)
    assert_close_tensor(ED.kl_divergence(ep, eq), TD.kl_divergence(tp, tq), **_tol(dt))
    a = [rng.standard_normal(3), rng.standard_normal((3, 2)), rng.random(3) + 0.5]
    b = [rng.standard_normal(3), rng.standard_normal((3, 1)), rng.random(3) + 0.5]
    check(lambda *x: ED.kl_divergence(_lr(ED, *x[:3]), _lr(ED, *x[3:])),
          lambda *x: TD.kl_divergence(_lr(TD, *x[:3]), _lr(TD, *x[3:])), *a, *b, rng=rng)


def test_lowrank_errors():
    t, e = torch.tensor, ember.tensor
    for make in [lambda m, t: m.LowRankMultivariateNormal(t(0.0), t([[1.0]]), t([1.0])),
                 lambda m, t: m.LowRankMultivariateNormal(t([0.0]), t([1.0]), t([1.0])),
                 lambda m, t: m.LowRankMultivariateNormal(t([0.0, 0.0]), t([[1.0]]), t([1.0, 1.0])),
                 lambda m, t: m.LowRankMultivariateNormal(t([0.0]), t([[1.0]]), t([1.0, 1.0])),
                 lambda m, t: m.LowRankMultivariateNormal(t([[0.0]] * 2), t([[[1.0]]] * 3),
                                                          t([1.0]))]:
        try:
            make(TD, t)
        except ValueError as exc:
            t_exc = exc
        e_exc = check_error(lambda make=make: make(ED, e), lambda make=make: make(TD, t))
        assert str(e_exc).replace("ember.", "") == str(t_exc).replace("torch.", "")
    a2 = (e([0.0, 0.0]), e([[1.0], [0.0]]), e([1.0, 1.0]))
    a3 = (e([0.0, 0.0, 0.0]), e([[1.0], [0.0], [0.0]]), e([1.0, 1.0, 1.0]))
    b2 = (t([0.0, 0.0]), t([[1.0], [0.0]]), t([1.0, 1.0]))
    b3 = (t([0.0, 0.0, 0.0]), t([[1.0], [0.0], [0.0]]), t([1.0, 1.0, 1.0]))
    check_error(lambda: ED.kl_divergence(ED.LowRankMultivariateNormal(*a2),
                                         ED.LowRankMultivariateNormal(*a3)),
                lambda: TD.kl_divergence(TD.LowRankMultivariateNormal(*b2),
                                         TD.LowRankMultivariateNormal(*b3)),
                match=["different event shapes cannot be computed"])
    e_exc = check_error(lambda: ED.kl_divergence(ED.MultivariateNormal(e([0.0]), e([[1.0]])),
                                                 ED.LowRankMultivariateNormal(*a2)),
                        lambda: TD.kl_divergence(TD.MultivariateNormal(t([0.0]), t([[1.0]])),
                                                 TD.LowRankMultivariateNormal(*b2)))
    try:
        TD.kl_divergence(TD.MultivariateNormal(t([0.0]), t([[1.0]])),
                         TD.LowRankMultivariateNormal(*b2))
    except ValueError as exc:
        assert str(e_exc) == str(exc)
