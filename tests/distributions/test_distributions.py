"""ember.distributions against torch.distributions: log_prob, entropy, moments, cdf/icdf,
shapes, expand, kl_divergence and their parameter gradients; sampling statistics; validation."""

import math

import numpy as np
import pytest
import torch
import torch.distributions as TD

import ember
import ember.distributions as ED
from harness import assert_close_tensor, check, check_error, check_gradcheck

DTYPES = [np.float32, np.float64]


def _pos(rng, shape, dt):
    return (rng.random(shape) + 0.5).astype(dt)


def _simplex(rng, shape, dt):
    p = rng.random(shape) + 0.1
    return (p / p.sum(-1, keepdims=True)).astype(dt)


def _spd(rng, n, dt, batch=()):
    a = rng.standard_normal(batch + (n, n))
    return (a @ np.swapaxes(a, -1, -2) + n * np.eye(n)).astype(dt)


def _tril(rng, n, dt):
    return np.linalg.cholesky(_spd(rng, n, np.float64)).astype(dt)


# name -> (constructor(module, *params), params(rng, dtype), value(rng, dtype))
SPECS = {
    "Normal": (lambda m, loc, scale: m.Normal(loc, scale),
               lambda r, d: [r.standard_normal((2, 3)).astype(d), _pos(r, (3,), d)],
               lambda r, d: r.standard_normal((4, 2, 3)).astype(d)),
    "Laplace": (lambda m, loc, scale: m.Laplace(loc, scale),
                lambda r, d: [r.standard_normal((3,)).astype(d), _pos(r, (2, 3), d)],
                lambda r, d: r.standard_normal((2, 3)).astype(d)),
    "Exponential": (lambda m, rate: m.Exponential(rate),
                    lambda r, d: [_pos(r, (5,), d)],
                    lambda r, d: _pos(r, (3, 5), d)),
    "Uniform": (lambda m, low, high: m.Uniform(low, high + low + 0.1),
                lambda r, d: [r.standard_normal((4,)).astype(d), _pos(r, (4,), d)],
                lambda r, d: None),
    "Poisson": (lambda m, rate: m.Poisson(rate),
                lambda r, d: [(r.random((5,)) * 4 + 0.2).astype(d)],
                lambda r, d: r.integers(0, 8, (2, 5)).astype(d)),
    "Bernoulli_probs": (lambda m, p: m.Bernoulli(probs=p),
                        lambda r, d: [(r.random((2, 4)) * 0.8 + 0.1).astype(d)],
                        lambda r, d: r.integers(0, 2, (2, 4)).astype(d)),
    "Bernoulli_logits": (lambda m, lg: m.Bernoulli(logits=lg),
                         lambda r, d: [r.standard_normal((4,)).astype(d)],
                         lambda r, d: r.integers(0, 2, (3, 4)).astype(d)),
    "Categorical_probs": (lambda m, p: m.Categorical(probs=p),
                          lambda r, d: [(r.random((3, 5)) + 0.1).astype(d)],
                          lambda r, d: r.integers(0, 5, (2, 3))),
    "Categorical_logits": (lambda m, lg: m.Categorical(logits=lg),
                           lambda r, d: [r.standard_normal((2, 3, 4)).astype(d)],
                           lambda r, d: r.integers(0, 4, (2, 3))),
    "OneHotCategorical": (lambda m, lg: m.OneHotCategorical(logits=lg),
                          lambda r, d: [r.standard_normal((3, 4)).astype(d)],
                          lambda r, d: np.eye(4, dtype=d)[r.integers(0, 4, (2, 3))]),
    "MVN_cov": (lambda m, loc, cov: m.MultivariateNormal(loc, covariance_matrix=cov),
                lambda r, d: [r.standard_normal((2, 3)).astype(d), _spd(r, 3, d)],
                lambda r, d: r.standard_normal((4, 2, 3)).astype(d)),
    "MVN_prec": (lambda m, loc, prec: m.MultivariateNormal(loc, precision_matrix=prec),
                 lambda r, d: [r.standard_normal((3,)).astype(d), _spd(r, 3, d, (2,))],
                 lambda r, d: r.standard_normal((2, 3)).astype(d)),
    "MVN_tril": (lambda m, loc, L: m.MultivariateNormal(loc, scale_tril=L),
                 lambda r, d: [r.standard_normal((3,)).astype(d), _tril(r, 3, d)],
                 lambda r, d: r.standard_normal((5, 3)).astype(d)),
    "Gamma": (lambda m, c, r: m.Gamma(c, r),
              lambda r, d: [_pos(r, (2, 3), d) * 2, _pos(r, (3,), d)],
              lambda r, d: _pos(r, (2, 3), d)),
    "Beta": (lambda m, c1, c0: m.Beta(c1, c0),
             lambda r, d: [_pos(r, (4,), d) * 2, _pos(r, (4,), d)],
             lambda r, d: (r.random((3, 4)) * 0.9 + 0.05).astype(d)),
    "Dirichlet": (lambda m, c: m.Dirichlet(c),
                  lambda r, d: [_pos(r, (2, 3), d) * 2],
                  lambda r, d: _simplex(r, (4, 2, 3), d)),
    "Binomial_probs": (lambda m, p: m.Binomial(10, probs=p),
                       lambda r, d: [(r.random((2, 3)) * 0.8 + 0.1).astype(d)],
                       lambda r, d: r.integers(0, 11, (2, 3)).astype(d)),
    "Binomial_logits": (lambda m, n, lg: m.Binomial(n.round(), logits=lg),
                        lambda r, d: [r.integers(3, 7, (3,)).astype(d),
                                      r.standard_normal((3,)).astype(d)],
                        lambda r, d: r.integers(0, 4, (2, 3)).astype(d)),
    "Independent": (lambda m, loc, scale: m.Independent(m.Normal(loc, scale), 1),
                    lambda r, d: [r.standard_normal((2, 3)).astype(d), _pos(r, (2, 3), d)],
                    lambda r, d: r.standard_normal((4, 2, 3)).astype(d)),
}
PROPS = {
    "Normal": ["mean", "variance", "stddev", "mode", "entropy"],
    "Laplace": ["mean", "variance", "stddev", "mode", "entropy"],
    "Exponential": ["mean", "variance", "stddev", "mode", "entropy"],
    "Uniform": ["mean", "variance", "stddev", "mode", "entropy"],
    "Poisson": ["mean", "variance", "stddev", "mode"],
    "Bernoulli_probs": ["mean", "variance", "stddev", "mode", "entropy", "logits", "probs"],
    "Bernoulli_logits": ["mean", "variance", "stddev", "mode", "entropy", "logits", "probs"],
    "Categorical_probs": ["mean", "variance", "mode", "entropy", "logits", "probs"],
    "Categorical_logits": ["mean", "variance", "mode", "entropy", "logits", "probs"],
    "OneHotCategorical": ["mean", "variance", "mode", "entropy", "logits", "probs"],
    "MVN_cov": ["mean", "variance", "stddev", "mode", "entropy", "scale_tril",
                "covariance_matrix", "precision_matrix"],
    "MVN_prec": ["mean", "variance", "mode", "entropy", "scale_tril", "covariance_matrix",
                 "precision_matrix"],
    "MVN_tril": ["mean", "variance", "entropy", "covariance_matrix", "precision_matrix"],
    "Independent": ["mean", "variance", "stddev", "mode", "entropy"],
    "Gamma": ["mean", "variance", "stddev", "mode", "entropy"],
    "Binomial_probs": ["mean", "variance", "stddev", "mode", "entropy", "logits", "probs"],
    "Binomial_logits": ["mean", "variance", "mode", "logits", "probs"],
    "Beta": ["mean", "variance", "stddev", "mode", "entropy", "concentration1",
             "concentration0"],
    "Dirichlet": ["mean", "variance", "stddev", "mode", "entropy"],
}


def _build(name, rng, dt):
    ctor, params, value = SPECS[name]
    ps = params(rng, dt)
    v = value(rng, dt)
    if v is None:   # Uniform: a value inside [low, high)
        v = (ps[0] + ps[1] * rng.random((3, 4))).astype(dt)
    return ctor, ps, v


def _tol(dt):
    return dict(rtol=1e-4, atol=1e-5) if dt == np.float32 else dict(rtol=1e-7, atol=1e-9)


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
    assert repr(e.support).replace("ember.", "") == repr(t.support).replace("torch.", "")


@pytest.mark.parametrize("name", list(SPECS))
def test_expand(name, rng):
    ctor, ps, v = _build(name, rng, np.float64)
    e, t = ctor(ED, *[ember.tensor(p) for p in ps]), ctor(TD, *[torch.tensor(p) for p in ps])
    shape = (2,) + tuple(t.batch_shape)
    ee, te = e.expand(shape), t.expand(shape)
    assert type(ee) is type(e)
    assert tuple(ee.batch_shape) == tuple(te.batch_shape)
    assert tuple(ee.event_shape) == tuple(te.event_shape)
    v = te.sample((3,)).numpy()
    assert_close_tensor(ee.log_prob(ember.tensor(v)), te.log_prob(torch.tensor(v)))
    assert tuple(ee.sample().shape) == tuple(te.sample().shape)


@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("name", ["Normal", "Laplace", "Exponential", "Uniform"])
def test_cdf_icdf(name, dt, rng):
    ctor, ps, v = _build(name, rng, dt)
    check(lambda x, *p: ctor(ED, *p).cdf(x), lambda x, *p: ctor(TD, *p).cdf(x), v, *ps,
          rng=rng, **_tol(dt))
    q = (rng.random(v.shape) * 0.98 + 0.01).astype(dt)
    check(lambda x, *p: ctor(ED, *p).icdf(x), lambda x, *p: ctor(TD, *p).icdf(x), q, *ps,
          rng=rng, **_tol(dt))


@pytest.mark.parametrize("name", ["Normal", "Laplace", "Exponential", "Poisson",
                                  "Bernoulli_logits", "Categorical_logits", "MVN_tril", "Gamma",
                                  "Beta", "Dirichlet"])
def test_log_prob_gradcheck(name, rng):
    ctor, ps, v = _build(name, rng, np.float64)
    if name == "MVN_tril":   # keep the perturbed scale_tril lower-triangular
        check_gradcheck(lambda x, loc, L: ctor(ED, loc, L.tril()).log_prob(x), v, *ps)
    elif name in ("Categorical_logits", "Poisson", "Bernoulli_logits", "Dirichlet"):
        check_gradcheck(lambda *p: ctor(ED, *p).log_prob(ember.tensor(v)), *ps)
    else:
        check_gradcheck(lambda x, *p: ctor(ED, *p).log_prob(x), v, *ps)


def test_scalar_parameters():
    for cls, args in [("Normal", (0.5, 2.0)), ("Laplace", (0.5, 2.0)), ("Uniform", (-1.0, 3)),
                      ("Exponential", (1.5,)), ("Poisson", (2.5,))]:
        e, t = getattr(ED, cls)(*args), getattr(TD, cls)(*args)
        assert e.batch_shape == ember.Size() and t.batch_shape == torch.Size()
        assert_close_tensor(e.mean, t.mean)
        assert repr(e) == repr(t)
    e, t = ED.Bernoulli(0.3), TD.Bernoulli(0.3)
    assert_close_tensor(e.log_prob(ember.tensor(1.0)), t.log_prob(torch.tensor(1.0)))
    n = ED.Normal(ember.tensor(0.0, dtype=ember.float64), 1.0)
    assert n.scale.dtype == ember.float64


def test_enumerate_support():
    for e, t in [(ED.Bernoulli(ember.tensor([0.2, 0.7])), TD.Bernoulli(torch.tensor([0.2, 0.7]))),
                 (ED.Categorical(ember.ones(2, 3)), TD.Categorical(torch.ones(2, 3))),
                 (ED.OneHotCategorical(ember.ones(2, 3)), TD.OneHotCategorical(torch.ones(2, 3)))]:
        for expand in (True, False):
            assert_close_tensor(e.enumerate_support(expand), t.enumerate_support(expand))


# ----------------------------------------------------------------------------- KL
KL_PAIRS = [("Normal", "Normal"), ("Laplace", "Laplace"), ("Exponential", "Exponential"),
            ("Poisson", "Poisson"), ("Bernoulli_probs", "Bernoulli_logits"),
            ("Categorical_probs", "Categorical_logits"), ("OneHotCategorical", "OneHotCategorical"),
            ("MVN_cov", "MVN_tril"), ("MVN_prec", "MVN_cov"), ("Independent", "Independent"),
            ("Uniform", "Uniform"), ("Normal", "Laplace"), ("Laplace", "Normal"),
            ("Exponential", "Normal"), ("Uniform", "Normal"), ("Uniform", "Exponential"),
            ("Bernoulli_probs", "Poisson"), ("Gamma", "Gamma"), ("Beta", "Beta"),
            ("Dirichlet", "Dirichlet"), ("Exponential", "Gamma"), ("Gamma", "Exponential"),
            ("Gamma", "Normal"), ("Beta", "Normal"), ("Beta", "Exponential"), ("Beta", "Gamma"),
            ("Beta", "Uniform"), ("Uniform", "Gamma"), ("Uniform", "Beta"),
            ("Binomial_probs", "Binomial_probs")]
KL_PARAMS = {  # parameters broadcastable between the two sides of each pair
    "Normal": lambda r, d: [r.standard_normal((4,)).astype(d), _pos(r, (4,), d)],
    "Laplace": lambda r, d: [r.standard_normal((4,)).astype(d), _pos(r, (4,), d)],
    "Exponential": lambda r, d: [_pos(r, (4,), d)],
    "Poisson": lambda r, d: [_pos(r, (4,), d)],
    "Uniform": lambda r, d: [(r.random((4,)) + 0.1).astype(d), _pos(r, (4,), d)],
    "Bernoulli_probs": lambda r, d: [(r.random((4,)) * 0.8 + 0.1).astype(d)],
    "Bernoulli_logits": lambda r, d: [r.standard_normal((4,)).astype(d)],
    "Categorical_probs": lambda r, d: [(r.random((2, 4)) + 0.1).astype(d)],
    "Categorical_logits": lambda r, d: [r.standard_normal((2, 4)).astype(d)],
    "OneHotCategorical": lambda r, d: [r.standard_normal((2, 4)).astype(d)],
    "MVN_cov": lambda r, d: [r.standard_normal((2, 3)).astype(d), _spd(r, 3, d)],
    "MVN_tril": lambda r, d: [r.standard_normal((3,)).astype(d), _tril(r, 3, d)],
    "MVN_prec": lambda r, d: [r.standard_normal((3,)).astype(d), _spd(r, 3, d, (2,))],
    "Independent": lambda r, d: [r.standard_normal((2, 3)).astype(d), _pos(r, (2, 3), d)],
    "Gamma": lambda r, d: [_pos(r, (4,), d) * 2, _pos(r, (4,), d)],
    "Beta": lambda r, d: [_pos(r, (4,), d) * 2, _pos(r, (4,), d)],
    "Dirichlet": lambda r, d: [_pos(r, (2, 3), d) * 2],
    "Binomial_probs": lambda r, d: [(r.random((2, 3)) * 0.8 + 0.1).astype(d)],
}


@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("pq", KL_PAIRS, ids=lambda pq: "-".join(pq))
def test_kl_divergence(pq, dt, rng):
    (cp, cq), (pp, pq_) = [SPECS[n][0] for n in pq], [KL_PARAMS[n](rng, dt) for n in pq]
    k = len(pp)
    check(lambda *a: ED.kl_divergence(cp(ED, *a[:k]), cq(ED, *a[k:])),
          lambda *a: TD.kl_divergence(cp(TD, *a[:k]), cq(TD, *a[k:])), *pp, *pq_, rng=rng,
          **_tol(dt))


def test_kl_infinite_and_zero_cases():
    cases = [(lambda m, t: m.kl_divergence(m.Normal(t([0.0]), t([1.0])), m.Uniform(0.0, 1.0))),
             (lambda m, t: m.kl_divergence(m.Uniform(t([0.0, 0.2]), t([1.0, 0.5])),
                                           m.Uniform(t([0.1, 0.0]), t([2.0, 1.0])))),
             (lambda m, t: m.kl_divergence(m.Bernoulli(t([0.0, 1.0, 0.5])),
                                           m.Bernoulli(t([0.0, 0.5, 1.0])))),
             (lambda m, t: m.kl_divergence(m.Categorical(t([[0.0, 0.5, 0.5]])),
                                           m.Categorical(t([[0.5, 0.5, 0.0]])))),
             (lambda m, t: m.kl_divergence(m.Uniform(t([-1.0]), t([1.0])), m.Exponential(1.0))),
             (lambda m, t: m.kl_divergence(m.Poisson(t([1.0])), m.Bernoulli(0.5))),
             (lambda m, t: m.kl_divergence(m.Laplace(t([0.0]), 1.0), m.Exponential(1.0))),
             (lambda m, t: m.kl_divergence(m.Uniform(t([0.2, 0.5]), t([0.7, 1.5])),
                                           m.Beta(t([2.0, 2.0]), t([3.0, 3.0])))),
             (lambda m, t: m.kl_divergence(m.Beta(t([2.0, 2.0]), t([3.0, 3.0])),
                                           m.Uniform(t([0.0, 0.1]), t([1.0, 1.0])))),
             (lambda m, t: m.kl_divergence(m.Uniform(t([-1.0, 0.5]), t([2.0, 1.5])),
                                           m.Gamma(t([2.0, 2.0]), t([3.0, 3.0])))),
             (lambda m, t: m.kl_divergence(m.Gamma(t([2.0]), 1.0), m.Uniform(0.0, 1.0))),
             (lambda m, t: m.kl_divergence(m.Binomial(t([5.0, 3.0]), t([0.3, 0.5])),
                                           m.Binomial(t([5.0, 2.0]), t([0.6, 0.5])))),
             (lambda m, t: m.kl_divergence(m.Poisson(t([1.0])), m.Binomial(3, t([0.5]))))]
    for f in cases:
        assert_close_tensor(f(ED, ember.tensor), f(TD, torch.tensor))


def test_kl_gradcheck(rng):
    a = [rng.standard_normal(3), rng.random(3) + 0.5, rng.standard_normal(3), rng.random(3) + 0.5]
    check_gradcheck(lambda *p: ED.kl_divergence(ED.Normal(p[0], p[1]), ED.Normal(p[2], p[3])), *a)
    L1, L2 = _tril(rng, 3, np.float64), _tril(rng, 3, np.float64)
    check_gradcheck(lambda m1, l1, m2, l2: ED.kl_divergence(
        ED.MultivariateNormal(m1, scale_tril=l1.tril()),
        ED.MultivariateNormal(m2, scale_tril=l2.tril())),
        rng.standard_normal(3), L1, rng.standard_normal(3), L2)


def test_kl_not_implemented_and_register():
    check_error(lambda: ED.kl_divergence(ED.Poisson(1.0), ED.Normal(0.0, 1.0)),
                lambda: TD.kl_divergence(TD.Poisson(1.0), TD.Normal(0.0, 1.0)))
    e = check_error(lambda: ED.kl_divergence(ED.Laplace(0.0, 1.0), ED.Bernoulli(0.5)),
                    lambda: TD.kl_divergence(TD.Laplace(0.0, 1.0), TD.Bernoulli(0.5)),
                    match=["No KL(p || q) is implemented for p type Laplace and q type Bernoulli"])
    assert isinstance(e, NotImplementedError)

    class MyNormal(ED.Normal):
        pass

    # a subclass dispatches to its base's function until a more specific one is registered
    assert_close_tensor(ED.kl_divergence(MyNormal(0.0, 2.0), ED.Normal(1.0, 1.0)),
                        TD.kl_divergence(TD.Normal(0.0, 2.0), TD.Normal(1.0, 1.0)))

    @ED.register_kl(MyNormal, ED.Normal)
    def _kl(p, q):
        return ember.tensor(42.0)

    assert ED.kl_divergence(MyNormal(0.0, 2.0), ED.Normal(1.0, 1.0)).item() == 42.0
    assert ED.kl_divergence(ED.Normal(0.0, 2.0), ED.Normal(1.0, 1.0)).item() != 42.0


# ----------------------------------------------------------------------------- sampling
SAMPLERS = {  # dist, mean, variance, support check
    "Normal": (lambda: ED.Normal(ember.tensor([1.0, -2.0]), ember.tensor([0.5, 2.0])),
               [1.0, -2.0], [0.25, 4.0], lambda s: True),
    "Laplace": (lambda: ED.Laplace(ember.tensor([1.0, -2.0]), ember.tensor([0.5, 2.0])),
                [1.0, -2.0], [0.5, 8.0], lambda s: True),
    "Exponential": (lambda: ED.Exponential(ember.tensor([0.5, 3.0])), [2.0, 1 / 3],
                    [4.0, 1 / 9], lambda s: bool((s >= 0).all())),
    "Uniform": (lambda: ED.Uniform(ember.tensor([0.0, -3.0]), ember.tensor([1.0, 5.0])),
                [0.5, 1.0], [1 / 12, 64 / 12],
                lambda s: bool(((s[:, 0] >= 0) & (s[:, 0] < 1)).all())),
    "Poisson": (lambda: ED.Poisson(ember.tensor([0.5, 4.0])), [0.5, 4.0], [0.5, 4.0],
                lambda s: bool((s == s.round()).all() and (s >= 0).all())),
    "Bernoulli": (lambda: ED.Bernoulli(logits=ember.tensor([-1.0, 2.0])),
                  [1 / (1 + math.e), 1 / (1 + math.e ** -2)],
                  [math.e / (1 + math.e) ** 2, math.e ** -2 / (1 + math.e ** -2) ** 2],
                  lambda s: bool(((s == 0) | (s == 1)).all())),
    "Categorical": (lambda: ED.Categorical(ember.tensor([[0.2, 0.3, 0.5], [1.0, 0.0, 3.0]])),
                    [1.3, 1.5], [0.61, 0.75], lambda s: bool((s[:, 1] != 1).all())),
    "Gamma": (lambda: ED.Gamma(ember.tensor([0.3, 4.0, 20.0]), ember.tensor([1.0, 2.0, 0.5])),
              [0.3, 2.0, 40.0], [0.3, 1.0, 80.0], lambda s: bool((s > 0).all())),
    "Beta": (lambda: ED.Beta(ember.tensor([0.5, 2.0]), ember.tensor([0.5, 8.0])),
             [0.5, 0.2], [0.125, 16 / 1100], lambda s: bool(((s > 0) & (s < 1)).all())),
    "Dirichlet": (lambda: ED.Dirichlet(ember.tensor([1.0, 2.0, 7.0])), [0.1, 0.2, 0.7],
                  [0.09 / 11, 0.16 / 11, 0.21 / 11],
                  lambda s: bool(((s.sum(-1) - 1).abs() < 1e-5).all() and (s > 0).all())),
    "Binomial": (lambda: ED.Binomial(ember.tensor([10.0, 3.0]), ember.tensor([0.3, 0.9])),
                 [3.0, 2.7], [2.1, 0.27],
                 lambda s: bool((s == s.round()).all() and (s >= 0).all()
                                and (s[:, 1] <= 3).all())),
    "MVN": (lambda: ED.MultivariateNormal(ember.tensor([1.0, -1.0]),
                                          ember.tensor([[2.0, 0.5], [0.5, 1.0]])),
            [1.0, -1.0], [2.0, 1.0], lambda s: True),
}
TORCH_SAMPLERS = {
    "Normal": lambda: TD.Normal(torch.zeros(2), 1.0), "Laplace": lambda: TD.Laplace(0.0, 1.0),
    "Exponential": lambda: TD.Exponential(1.0), "Uniform": lambda: TD.Uniform(0.0, 1.0),
    "Poisson": lambda: TD.Poisson(torch.ones(2)), "Bernoulli": lambda: TD.Bernoulli(0.5),
    "Categorical": lambda: TD.Categorical(torch.ones(2, 3)),
    "MVN": lambda: TD.MultivariateNormal(torch.zeros(2), torch.eye(2)),
    "Gamma": lambda: TD.Gamma(1.0, 1.0), "Beta": lambda: TD.Beta(1.0, 1.0),
    "Dirichlet": lambda: TD.Dirichlet(torch.ones(3)),
    "Binomial": lambda: TD.Binomial(10, torch.tensor(0.5)),
}


@pytest.mark.parametrize("name", list(SAMPLERS))
def test_sample_moments_and_determinism(name):
    make, mean, var, in_support = SAMPLERS[name]
    d = make()
    n = 40000
    ember.manual_seed(123)
    s = d.sample((n,))
    ember.manual_seed(123)
    np.testing.assert_array_equal(d.sample((n,)).numpy(), s.numpy())
    assert not s.requires_grad
    assert tuple(s.shape) == (n,) + tuple(d.batch_shape) + tuple(d.event_shape)
    ts = TORCH_SAMPLERS[name]().sample((3,))
    assert s.dtype == {torch.float32: ember.float32, torch.int64: ember.int64}[ts.dtype]
    assert in_support(s)
    x = s.double().numpy()
    mean, var = np.array(mean), np.array(var)
    assert np.all(np.abs(x.mean(0) - mean) < 6 * np.sqrt(var / n)), (x.mean(0), mean)
    assert np.allclose(x.var(0), var, rtol=0.1), (x.var(0), var)
    assert tuple(d.sample().shape) == tuple(d.batch_shape) + tuple(d.event_shape)
    assert tuple(d.sample([2, 3]).shape) == (2, 3) + tuple(d.batch_shape) + tuple(d.event_shape)


def test_sample_dtype_float64_and_one_hot():
    for d in [ED.Normal(ember.zeros(2, dtype=ember.float64), 1.0),
              ED.Uniform(ember.zeros(2, dtype=ember.float64), 1.0),
              ED.Exponential(ember.ones(2, dtype=ember.float64)),
              ED.Laplace(ember.zeros(2, dtype=ember.float64), 1.0),
              ED.Bernoulli(ember.full((2,), 0.5, dtype=ember.float64))]:
        assert d.sample((3,)).dtype == ember.float64
    ember.manual_seed(0)
    s = ED.OneHotCategorical(ember.tensor([[0.1, 0.9, 0.0], [0.5, 0.0, 0.5]])).sample((1000,))
    assert tuple(s.shape) == (1000, 2, 3) and s.dtype == ember.float32
    assert bool((s.sum(-1) == 1).all()) and float(s[:, 0, 2].sum()) == 0.0
    assert float(s[:, 1, 1].sum()) == 0.0
    assert abs(float(s[:, 0, 1].mean()) - 0.9) < 0.06


def test_rsample_gradients():
    loc = ember.tensor([0.5, -1.0], requires_grad=True)
    scale = ember.tensor([2.0, 0.5], requires_grad=True)
    ember.manual_seed(1)
    x = ED.Normal(loc, scale).rsample((1000,))
    assert x.requires_grad
    x.mean().backward()
    np.testing.assert_allclose(loc.grad.numpy(), [0.5, 0.5], rtol=1e-5)
    eps = (x.detach() - loc.detach()) / scale.detach()
    np.testing.assert_allclose(scale.grad.numpy(), eps.mean(0).numpy() / 2, rtol=1e-4, atol=1e-6)
    # Uniform: d x / d high = u, d x / d low = 1 - u
    low = ember.tensor(1.0, requires_grad=True)
    high = ember.tensor(3.0, requires_grad=True)
    u = ED.Uniform(low, high).rsample((500,))
    u.sum().backward()
    frac = ((u.detach() - 1.0) / 2.0).sum().item()
    assert abs(high.grad.item() - frac) < 1e-3 and abs(low.grad.item() - (500 - frac)) < 1e-3
    # Exponential: x = e / rate, d x / d rate = -x / rate
    rate = ember.tensor(2.0, requires_grad=True)
    e = ED.Exponential(rate).rsample((100,))
    e.sum().backward()
    assert abs(rate.grad.item() + e.detach().sum().item() / 2) < 1e-4
    # MultivariateNormal and Laplace are reparameterized in loc
    for d in [ED.MultivariateNormal(loc, scale_tril=ember.eye(2)), ED.Laplace(loc, scale)]:
        loc.grad = None
        d.rsample((10,)).sum().backward()
        np.testing.assert_allclose(loc.grad.numpy(), [10.0, 10.0])
    # sample() is detached, rsample() of a discrete distribution is not implemented
    assert not ED.Normal(loc, scale).sample().requires_grad
    with pytest.raises(NotImplementedError):
        ED.Categorical(ember.ones(3)).rsample()
    p = ember.tensor([0.2, 0.8], requires_grad=True)
    st = ED.OneHotCategoricalStraightThrough(p).rsample()
    (st * ember.tensor([1.0, 2.0])).sum().backward()
    tp = torch.tensor([0.2, 0.8], requires_grad=True)
    (TD.OneHotCategoricalStraightThrough(tp).rsample() * torch.tensor([1.0, 2.0])).sum().backward()
    assert_close_tensor(p.grad, tp.grad)


# ----------------------------------------------------------------------------- validation
@pytest.mark.parametrize("make", [
    lambda m, t: m.Normal(t(0.0), t(-1.0)),
    lambda m, t: m.Normal(t([0.0, float("nan")]), t([1.0, 1.0])),
    lambda m, t: m.Exponential(t([1.0, 0.0])),
    lambda m, t: m.Bernoulli(probs=t([0.5, 1.5])),
    lambda m, t: m.Categorical(probs=t([0.5, -0.5])),
    lambda m, t: m.Uniform(t(2.0), t(1.0)),
    lambda m, t: m.Poisson(t(-1.0)),
    lambda m, t: m.Laplace(t(0.0), t(0.0)),
    lambda m, t: m.MultivariateNormal(t([0.0, 0.0]), t([[1.0, 2.0], [2.0, 1.0]])),
    lambda m, t: m.MultivariateNormal(t([0.0, 0.0]), scale_tril=t([[1.0, 1.0], [0.0, 1.0]])),
], ids=range(10))
def test_invalid_parameters(make):
    e_exc = check_error(lambda: make(ED, ember.tensor), lambda: make(TD, torch.tensor),
                        match=["Expected parameter", "to satisfy the constraint"])
    try:
        make(TD, torch.tensor)
    except (ValueError, torch.linalg.LinAlgError) as t_exc:
        assert str(e_exc).replace("ember.", "") == str(t_exc).replace("torch.", "")


@pytest.mark.parametrize("make, value", [
    (lambda m, t: m.Exponential(t([1.0, 2.0])), [-1.0, 1.0]),
    (lambda m, t: m.Bernoulli(t([0.3])), [0.5]),
    (lambda m, t: m.Categorical(t([0.3, 0.7])), [2]),
    (lambda m, t: m.Poisson(t([1.0])), [1.5]),
    (lambda m, t: m.Uniform(t([0.0]), t([1.0])), [1.5]),
    (lambda m, t: m.OneHotCategorical(t([0.3, 0.7])), [1.0, 1.0]),
    (lambda m, t: m.Normal(t([0.0, 1.0]), t([1.0, 1.0])), [0.0, 1.0, 2.0]),
    (lambda m, t: m.MultivariateNormal(t([0.0, 1.0]), t([[1.0, 0.0], [0.0, 1.0]])), [0.0]),
], ids=range(8))
def test_invalid_values(make, value):
    ev, tv = ember.tensor(value), torch.tensor(value)
    e_exc = check_error(lambda: make(ED, ember.tensor).log_prob(ev),
                        lambda: make(TD, torch.tensor).log_prob(tv))
    try:
        make(TD, torch.tensor).log_prob(tv)
    except ValueError as t_exc:
        assert str(e_exc).replace("ember.", "") == str(t_exc).replace("torch.", "")


def test_validate_args_switches():
    check_error(lambda: ED.Normal(0.0, 1.0).log_prob(0.5),
                lambda: TD.Normal(0.0, 1.0).log_prob(0.5),
                match=["The value argument to log_prob must be a Tensor"])
    assert ED.Normal(0.0, -1.0, validate_args=False).scale.item() == -1.0
    lp = ED.Exponential(1.0, validate_args=False).log_prob(ember.tensor(-1.0))
    assert lp.item() == 1.0
    try:
        ED.Distribution.set_default_validate_args(False)
        assert ED.Normal(0.0, -1.0).scale.item() == -1.0
    finally:
        ED.Distribution.set_default_validate_args(True)
    with pytest.raises(ValueError):
        ED.Normal(0.0, -1.0)
    with pytest.raises(ValueError):
        ED.Distribution.set_default_validate_args(2)


@pytest.mark.parametrize("make", [
    lambda m, t: m.Bernoulli(),
    lambda m, t: m.Bernoulli(t(0.5), t(0.0)),
    lambda m, t: m.Categorical(probs=t(0.5)),
    lambda m, t: m.Categorical(logits=t(0.5)),
    lambda m, t: m.MultivariateNormal(t(0.0), t([[1.0]])),
    lambda m, t: m.MultivariateNormal(t([0.0])),
    lambda m, t: m.MultivariateNormal(t([0.0]), t([1.0])),
    lambda m, t: m.Independent(m.Normal(t([0.0]), t([1.0])), 2),
    lambda m, t: m.Normal("a", 1.0),
], ids=range(9))
def test_constructor_errors(make):
    t_exc = None
    try:
        make(TD, torch.tensor)
    except Exception as exc:  # noqa: BLE001
        t_exc = exc
    e_exc = check_error(lambda: make(ED, ember.tensor), lambda: make(TD, torch.tensor))
    assert str(e_exc) == str(t_exc)


def test_independent():
    loc, scale = ember.zeros(2, 3), ember.ones(2, 3)
    d = ED.Independent(ED.Normal(loc, scale), 2)
    assert d.batch_shape == ember.Size() and d.event_shape == ember.Size([2, 3])
    assert repr(d) == "Independent(Normal(loc: ember.Size([2, 3]), scale: ember.Size([2, 3])), 2)"
    assert repr(d.support) == repr(TD.Independent(TD.Normal(torch.zeros(2, 3), 1.0), 2).support)
    assert d.has_rsample and not d.has_enumerate_support
    with pytest.raises(NotImplementedError, match="cartesian product"):
        ED.Independent(ED.Bernoulli(ember.ones(2) / 2), 1).enumerate_support()
    with pytest.raises(NotImplementedError):
        ED.kl_divergence(ED.Independent(ED.Normal(loc, scale), 1), d)


def test_perplexity_and_constraints():
    e, t = ED.Categorical(ember.tensor([0.2, 0.8])), TD.Categorical(torch.tensor([0.2, 0.8]))
    assert_close_tensor(e.perplexity(), t.perplexity())
    c = ED.constraints
    for name in ["real", "positive", "nonnegative", "unit_interval", "simplex", "boolean",
                 "real_vector", "lower_cholesky", "positive_definite", "nonnegative_integer"]:
        assert repr(getattr(c, name)) == repr(getattr(TD.constraints, name))
    x = np.array([[0.3, 0.7], [1.5, -0.5]], dtype=np.float32)
    for name in ["real", "positive", "unit_interval", "simplex", "boolean", "real_vector"]:
        assert_close_tensor(getattr(c, name).check(ember.tensor(x)),
                            getattr(TD.constraints, name).check(torch.tensor(x)))
    assert c.is_dependent(c.dependent) and not c.is_dependent(c.real)
    with pytest.raises(ValueError, match="dependent"):
        c.dependent.check(ember.zeros(1))


@pytest.mark.parametrize("dt", [ember.float32, ember.float64])
def test_gamma_dirichlet_implicit_gradients(dt):
    """rsample's gradient is torch's implicit reparameterization gradient at the drawn sample."""
    tdt = {ember.float32: torch.float32, ember.float64: torch.float64}[dt]
    alpha = ember.tensor([0.2, 0.7, 1.5, 3.0, 7.5, 9.0, 30.0, 200.0], dtype=dt,
                         requires_grad=True)
    ember.manual_seed(3)
    x = ED.Gamma(alpha, 1.0).rsample((50,))
    assert x.dtype == dt and x.requires_grad
    x.backward(ember.ones_like(x))
    ta, tx = torch.tensor(alpha.detach().numpy()), torch.tensor(x.detach().numpy())
    expected = torch._standard_gamma_grad(ta.expand_as(tx), tx).sum(0)
    assert_close_tensor(alpha.grad, expected.to(tdt), rtol=1e-4, atol=1e-6)
    # rate: x = g / rate, d x / d rate = -x / rate
    rate = ember.tensor(2.0, dtype=dt, requires_grad=True)
    y = ED.Gamma(ember.tensor(3.0, dtype=dt), rate).rsample((100,))
    y.sum().backward()
    np.testing.assert_allclose(rate.grad.item(), -y.detach().sum().item() / 2, rtol=1e-4)
    # Dirichlet / Beta: torch's _dirichlet_grad projected on the simplex
    conc = ember.tensor([[0.3, 2.0, 8.0], [7.0, 9.0, 1.0]], dtype=dt, requires_grad=True)
    d = ED.Dirichlet(conc).rsample((40,))
    cot = np.random.default_rng(0).standard_normal(tuple(d.shape))
    d.backward(ember.tensor(cot, dtype=dt))
    tc = torch.tensor(conc.detach().numpy(), requires_grad=True)
    td = torch.tensor(d.detach().numpy())
    tcot = torch.tensor(cot).to(tdt)
    tot = tc.detach().sum(-1, True).expand_as(td)
    grad = torch._dirichlet_grad(td, tc.detach().expand_as(td), tot)
    expected = (grad * (tcot - (td * tcot).sum(-1, True))).sum(0)
    assert_close_tensor(conc.grad, expected, rtol=1e-3, atol=1e-5)
    a, b = (ember.tensor(2.0, dtype=dt, requires_grad=True),
            ember.tensor(3.0, dtype=dt, requires_grad=True))
    s = ED.Beta(a, b).rsample((5,))
    assert tuple(s.shape) == (5,) and s.requires_grad
    s.sum().backward()
    assert a.grad.item() > 0 > b.grad.item()


def test_gamma_rsample_mean_gradient():
    """E[x] = alpha / rate, so d mean(rsample) / d alpha ~ 1 / rate (statistically)."""
    alpha = ember.tensor([0.5, 3.0, 12.0], dtype=ember.float64, requires_grad=True)
    ember.manual_seed(11)
    ED.Gamma(alpha, 2.0).rsample((40000,)).mean(0).sum().backward()
    np.testing.assert_allclose(alpha.grad.numpy(), [0.5, 0.5, 0.5], rtol=0.05)


def test_binomial_errors():
    e = ED.Binomial(ember.tensor([2.0, 3.0]), ember.tensor([0.5, 0.5]))
    t = TD.Binomial(torch.tensor([2.0, 3.0]), torch.tensor([0.5, 0.5]))
    for f in ["entropy", "enumerate_support"]:
        check_error(getattr(e, f), getattr(t, f), match=[f"not supported by `{f}`"])
    check_error(lambda: ED.kl_divergence(ED.Binomial(2, ember.tensor(0.5)),
                                         ED.Binomial(3, ember.tensor(0.5))),
                lambda: TD.kl_divergence(TD.Binomial(2, torch.tensor(0.5)),
                                         TD.Binomial(3, torch.tensor(0.5))),
                match=["q.total_count > p.total_count"])
    check_error(lambda: ED.Binomial(ember.tensor(2.5), ember.tensor(0.5)),
                lambda: TD.Binomial(torch.tensor(2.5), torch.tensor(0.5)),
                match=["Expected parameter total_count", "IntegerGreaterThan(lower_bound=0)"])


def test_non_contiguous_and_empty(rng):
    loc, scale = rng.standard_normal((3, 4)), rng.random((4, 3)) + 0.5
    v = rng.standard_normal((2, 4, 6))
    check(lambda x, m, s: ED.Normal(m.T, s).log_prob(x[..., ::2]),
          lambda x, m, s: TD.Normal(m.T, s).log_prob(x[..., ::2]), v, loc, scale, rng=rng)
    check(lambda lg: ED.Categorical(logits=lg.mT).entropy(),
          lambda lg: TD.Categorical(logits=lg.mT).entropy(), rng.standard_normal((2, 5, 3)),
          rng=rng)
    e = ED.Normal(ember.zeros(0), ember.ones(0))
    t = TD.Normal(torch.zeros(0), torch.ones(0))
    assert tuple(e.sample((2,)).shape) == tuple(t.sample((2,)).shape) == (2, 0)
    assert_close_tensor(e.log_prob(ember.zeros(3, 0)), t.log_prob(torch.zeros(3, 0)))
    assert_close_tensor(ED.kl_divergence(e, e), TD.kl_divergence(t, t))
    c = ED.Categorical(ember.ones(0, 3))
    assert tuple(c.sample((4,)).shape) == (4, 0)
