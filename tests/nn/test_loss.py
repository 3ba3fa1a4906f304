"""Loss functions and modules against torch: values, dtypes, input and target grads for every
reduction and option, float64 gradcheck, extreme logits, reprs, and learners' errors."""

import warnings

import numpy as np
import pytest
import torch
import torch.nn as tnn
import torch.nn.functional as TF

import ember
import ember.nn as enn
import ember.nn.functional as EF
from harness import check, check_error, check_gradcheck, to_ember, to_torch

pytestmark = pytest.mark.filterwarnings("ignore:reduction. 'mean' divides")


def _n(rng, shape, dt):
    return rng.standard_normal(shape).astype(dt)


def _u(rng, shape, dt, lo=0.05, hi=0.95):
    return rng.uniform(lo, hi, shape).astype(dt)


def _sign(rng, shape, dt):
    return np.where(rng.random(shape) < 0.5, -1.0, 1.0).astype(dt)


def _cls(rng, shape, c, ignore=None):
    t = rng.integers(0, c, shape).astype(np.int64)
    if ignore is not None and t.size:
        t.flat[0] = ignore
    return t


def _w(rng, c, dt):
    return rng.uniform(0.5, 2.0, c).astype(dt)


# name, inputs(rng, dt) -> (arrays, kwargs); kwargs arrays become constant tensors
CASES = {
    "mse_loss": lambda r, d: ([_n(r, (3, 4), d), _n(r, (3, 4), d)], {}),
    "mse_loss-w": lambda r, d: ([_n(r, (3, 4), d), _n(r, (3, 4), d)],
                                {"weight": _u(r, (3, 4), d)}),
    "l1_loss": lambda r, d: ([_n(r, (2, 3, 2), d), _n(r, (2, 3, 2), d)], {}),
    "l1_loss-w": lambda r, d: ([_n(r, (5,), d), _n(r, (5,), d)], {"weight": _u(r, (5,), d)}),
    "smooth_l1_loss": lambda r, d: ([_n(r, (4, 5), d), _n(r, (4, 5), d)], {"beta": 0.7}),
    "smooth_l1_loss-0": lambda r, d: ([_n(r, (4, 5), d), _n(r, (4, 5), d)], {"beta": 0.0}),
    "huber_loss": lambda r, d: ([_n(r, (4, 5), d) * 2, _n(r, (4, 5), d)], {"delta": 0.8}),
    "huber_loss-w": lambda r, d: ([_n(r, (6,), d) * 2, _n(r, (6,), d)],
                                  {"weight": _u(r, (6,), d)}),
    "cross_entropy": lambda r, d: ([_n(r, (5, 4), d), _cls(r, (5,), 4)], {}),
    "cross_entropy-w-ign-ls": lambda r, d: ([_n(r, (6, 4), d), _cls(r, (6,), 4, ignore=2)],
                                            {"weight": _w(r, 4, d), "ignore_index": 2,
                                             "label_smoothing": 0.15}),
    "cross_entropy-ign-default": lambda r, d: ([_n(r, (6, 3), d), _cls(r, (6,), 3, -100)], {}),
    "cross_entropy-nd": lambda r, d: ([_n(r, (2, 3, 4, 2), d), _cls(r, (2, 4, 2), 3, 1)],
                                      {"weight": _w(r, 3, d), "ignore_index": 1}),
    "cross_entropy-nd-ls": lambda r, d: ([_n(r, (2, 3, 5), d), _cls(r, (2, 5), 3)],
                                         {"label_smoothing": 0.3}),
    "cross_entropy-unbatched": lambda r, d: ([_n(r, (5,), d), np.array(3)], {}),
    "cross_entropy-unbatched-ls-w": lambda r, d: ([_n(r, (5,), d), np.array(1)],
                                                  {"weight": _w(r, 5, d),
                                                   "label_smoothing": 0.2}),
    "cross_entropy-prob": lambda r, d: ([_n(r, (4, 3), d), _u(r, (4, 3), d)], {}),
    "cross_entropy-prob-w-ls": lambda r, d: ([_n(r, (3, 4, 2), d), _u(r, (3, 4, 2), d)],
                                             {"weight": _w(r, 4, d), "label_smoothing": 0.1}),
    "cross_entropy-prob-unbatched": lambda r, d: ([_n(r, (6,), d), _u(r, (6,), d)], {}),
    "nll_loss": lambda r, d: ([_n(r, (5, 4), d), _cls(r, (5,), 4)], {}),
    "nll_loss-w-ign": lambda r, d: ([_n(r, (6, 4), d), _cls(r, (6,), 4, 0)],
                                    {"weight": _w(r, 4, d), "ignore_index": 0}),
    "nll_loss-nd": lambda r, d: ([_n(r, (2, 3, 2, 2), d), _cls(r, (2, 2, 2), 3)], {}),
    "nll_loss-unbatched": lambda r, d: ([_n(r, (4,), d), np.array(2)], {}),
    "binary_cross_entropy": lambda r, d: ([_u(r, (4, 3), d), _u(r, (4, 3), d, 0, 1)], {}),
    "binary_cross_entropy-w": lambda r, d: ([_u(r, (4, 3), d), _u(r, (4, 3), d, 0, 1)],
                                            {"weight": _w(r, 3, d)}),
    "binary_cross_entropy_with_logits": lambda r, d: ([_n(r, (4, 3), d) * 3,
                                                       _u(r, (4, 3), d, 0, 1)], {}),
    "binary_cross_entropy_with_logits-w-pw": lambda r, d: (
        [_n(r, (2, 4, 3), d) * 3, _u(r, (2, 4, 3), d, 0, 1)],
        {"weight": _w(r, 3, d), "pos_weight": _w(r, 3, d)}),
    "kl_div": lambda r, d: ([_n(r, (3, 4), d), _u(r, (3, 4), d)], {}),
    "kl_div-logt": lambda r, d: ([_n(r, (3, 4), d), _n(r, (3, 4), d)], {"log_target": True}),
    "poisson_nll_loss": lambda r, d: ([_n(r, (3, 4), d), _u(r, (3, 4), d, 0, 5)], {}),
    "poisson_nll_loss-full": lambda r, d: ([_u(r, (3, 4), d, 0.5, 3), _u(r, (3, 4), d, 1.5, 6)],
                                           {"log_input": False, "full": True, "eps": 1e-3}),
    "gaussian_nll_loss": lambda r, d: ([_n(r, (4, 3), d), _n(r, (4, 3), d),
                                        _u(r, (4, 3), d, 0.2, 2)], {}),
    "gaussian_nll_loss-homo": lambda r, d: ([_n(r, (4, 3), d), _n(r, (4, 3), d),
                                             _u(r, (4,), d, 0.2, 2)], {"full": True}),
    "gaussian_nll_loss-bcast": lambda r, d: ([_n(r, (4, 3), d), _n(r, (4, 3), d),
                                              _u(r, (4, 1), d, 0.2, 2)], {"eps": 0.5}),
    "cosine_embedding_loss": lambda r, d: ([_n(r, (5, 3), d), _n(r, (5, 3), d),
                                            _sign(r, (5,), d)], {"margin": 0.2}),
    "cosine_embedding_loss-1d": lambda r, d: ([_n(r, (3,), d), _n(r, (3,), d),
                                               np.array(-1.0, d)], {}),
    "margin_ranking_loss": lambda r, d: ([_n(r, (6,), d), _n(r, (6,), d), _sign(r, (6,), d)],
                                         {"margin": 0.3}),
    "hinge_embedding_loss": lambda r, d: ([_n(r, (4, 3), d), _sign(r, (4, 3), d)],
                                          {"margin": 0.5}),
    "triplet_margin_loss": lambda r, d: ([_n(r, (5, 4), d), _n(r, (5, 4), d),
                                          _n(r, (5, 4), d)], {}),
    "triplet_margin_loss-p1-swap": lambda r, d: ([_n(r, (5, 4), d), _n(r, (5, 4), d),
                                                  _n(r, (5, 4), d)],
                                                 {"p": 1, "swap": True, "margin": 2.0}),
    "triplet_margin_loss-1d": lambda r, d: ([_n(r, (4,), d), _n(r, (4,), d), _n(r, (4,), d)],
                                            {"eps": 1e-3, "margin": 3.0}),
    "multilabel_soft_margin_loss": lambda r, d: ([_n(r, (4, 3), d), _u(r, (4, 3), d, 0, 1)],
                                                 {"weight": _w(r, 3, d)}),
    "soft_margin_loss": lambda r, d: ([_n(r, (4, 3), d), _sign(r, (4, 3), d)], {}),
    "multi_margin_loss": lambda r, d: ([_n(r, (5, 4), d), _cls(r, (5,), 4)], {}),
    "multi_margin_loss-p2-w": lambda r, d: ([_n(r, (5, 4), d), _cls(r, (5,), 4)],
                                            {"p": 2, "margin": 0.7, "weight": _w(r, 4, d)}),
    "multi_margin_loss-1d": lambda r, d: ([_n(r, (4,), d), np.array([2])], {}),
    "multilabel_margin_loss": lambda r, d: ([_n(r, (3, 4), d),
                                             np.array([[3, 0, -1, 1], [1, 2, 3, -1],
                                                       [-1, 0, 0, 0]])], {}),
}


def _fns(case, kw, arrays):
    """ember and torch callables for a case; a target torch refuses to differentiate is bound
    as a constant (dropped from arrays)."""
    name = case.split("-")[0]
    ekw = {k: to_ember(v) for k, v in kw.items()}
    tkw = {k: to_torch(v) for k, v in kw.items()}
    if name in NO_TARGET_GRAD:
        et, tt = to_ember(arrays[-1]), to_torch(arrays[-1])
        del arrays[-1]
        return (lambda *a: getattr(EF, name)(*a, et, **ekw),
                lambda *a: getattr(TF, name)(*a, tt, **tkw))
    return (lambda *a: getattr(EF, name)(*a, **ekw)), (lambda *a: getattr(TF, name)(*a, **tkw))


NO_TARGET_GRAD = {"soft_margin_loss"}


@pytest.mark.parametrize("reduction", ["none", "sum", "mean"])
@pytest.mark.parametrize("dt", [np.float32, np.float64])
@pytest.mark.parametrize("case", sorted(CASES))
def test_loss_vs_torch(case, dt, reduction, rng):
    arrays, kw = CASES[case](rng, dt)
    kw["reduction"] = reduction
    ef, tf = _fns(case, kw, arrays)
    tol = dict(rtol=1e-4, atol=1e-5) if dt == np.float32 else {}
    check(ef, tf, *arrays, rng=rng, **tol)


# the differentiable inputs' float64 gradcheck (and second order where composed or written
# for it); kwargs as above, targets constant unless torch differentiates them
GRADCHECK = ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "cross_entropy",
             "cross_entropy-w-ign-ls", "cross_entropy-nd", "cross_entropy-prob-w-ls",
             "nll_loss-w-ign", "binary_cross_entropy-w",
             "binary_cross_entropy_with_logits-w-pw", "kl_div", "kl_div-logt",
             "poisson_nll_loss", "poisson_nll_loss-full", "gaussian_nll_loss-homo",
             "cosine_embedding_loss", "margin_ranking_loss", "hinge_embedding_loss",
             "triplet_margin_loss-p1-swap", "multilabel_soft_margin_loss", "soft_margin_loss",
             "multi_margin_loss-p2-w", "multilabel_margin_loss"]


@pytest.mark.parametrize("reduction", ["none", "mean"])
@pytest.mark.parametrize("case", GRADCHECK)
def test_gradcheck(case, reduction, rng):
    arrays, kw = CASES[case](rng, np.float64)
    kw["reduction"] = reduction
    ef, _ = _fns(case, kw, arrays)
    # a random projection so 'none' checks every element's gradient at once
    fn = ef if reduction != "none" else (lambda *a: (ef(*a) * _proj(ef(*a).shape)).sum())
    check_gradcheck(fn, *arrays, gradgrad=True)


def _proj(shape):
    return ember.tensor(np.linspace(0.5, 1.5, int(np.prod(shape))).reshape(shape))


@pytest.mark.parametrize("reduction", ["none", "mean"])
def test_mixed_dtypes_and_long_targets(reduction, rng):
    x = _n(rng, (3, 4), np.float32)
    check(lambda a, b: EF.mse_loss(a, b, reduction=reduction),
          lambda a, b: TF.mse_loss(a, b, reduction=reduction), x, rng.integers(0, 3, (3, 4)))
    check(lambda a, b: EF.mse_loss(a, b, reduction=reduction),
          lambda a, b: TF.mse_loss(a, b, reduction=reduction), x, _n(rng, (3, 4), np.float64))
    check(lambda a, b: EF.cross_entropy(a, b, reduction=reduction),
          lambda a, b: TF.cross_entropy(a, b, reduction=reduction), x,
          _u(rng, (3, 4), np.float64))
    check(lambda a, b: EF.cross_entropy(a, b, reduction=reduction),
          lambda a, b: TF.cross_entropy(a, b, reduction=reduction), x,
          rng.integers(0, 4, 3).astype(np.uint8))


def test_broadcast_warning_and_result():
    x, y = np.ones((4, 3), np.float32), np.arange(3, dtype=np.float32)
    for name in ("mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss"):
        with pytest.warns(UserWarning, match=r"target size.*\[3\].*input size.*\[4, 3\]"):
            e = getattr(EF, name)(ember.tensor(x), ember.tensor(y))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t = getattr(TF, name)(torch.tensor(x), torch.tensor(y))
        assert np.isclose(e.item(), t.item())


def test_empty_and_all_ignored():
    for ef, tf, args in [
        (EF.mse_loss, TF.mse_loss, (np.ones(0, np.float32), np.ones(0, np.float32))),
        (EF.cross_entropy, TF.cross_entropy, (np.ones((0, 3), np.float32), np.ones(0, np.int64))),
        (EF.cross_entropy, TF.cross_entropy, (np.ones((2, 3), np.float32),
                                              np.full(2, -100, np.int64))),
        (EF.binary_cross_entropy, TF.binary_cross_entropy, (np.ones(0, np.float32),) * 2),
    ]:
        e, t = ef(*map(to_ember, args)), tf(*map(to_torch, args))
        assert np.isnan(e.item()) and np.isnan(t.item())
        assert e.dtype == ember.float32


@pytest.mark.parametrize("dt", [np.float32, np.float64])
def test_extreme_logits(dt, rng):
    x = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, 1e4], [5.0, 1e4, -1e4]], dt)
    t = np.array([1, 0, 2])
    for kw in ({}, {"label_smoothing": 0.1}, {"reduction": "none"}):
        e = check(lambda a, b, kw=kw: EF.cross_entropy(a, b, **kw),
                  lambda a, b, kw=kw: TF.cross_entropy(a, b, **kw), x, t, rng=rng)
        assert np.all(np.isfinite(e[0].detach().numpy()))
    y = np.array([[0, 1, 0.5], [1, 0, 1], [0, 1, 0]], dt)
    e = check(lambda a, b: EF.binary_cross_entropy_with_logits(a, b, reduction="none"),
              lambda a, b: TF.binary_cross_entropy_with_logits(a, b, reduction="none"),
              x, y, rng=rng)
    assert np.all(np.isfinite(e[0].detach().numpy()))
    pw = ember.tensor(np.array([2.0, 0.5, 3.0], dt))
    e = check(lambda a, b: EF.binary_cross_entropy_with_logits(a, b, pos_weight=pw),
              lambda a, b: TF.binary_cross_entropy_with_logits(a, b,
                                                               pos_weight=to_torch(pw.numpy())),
              x, y, rng=rng)
    check(EF.multilabel_soft_margin_loss, TF.multilabel_soft_margin_loss, x, y, rng=rng)
    # torch's soft_margin_loss overflows to inf at -1e4; ember's is finite and exact
    xs = ember.tensor(np.array([-1e4, 1e4, 0.0], dt), requires_grad=True)
    out = EF.soft_margin_loss(xs, ember.tensor(np.ones(3, dt)), reduction="none")
    np.testing.assert_allclose(out.detach().numpy(), [1e4, 0.0, np.log(2)], rtol=1e-6)
    out.sum().backward()
    np.testing.assert_allclose(xs.grad.numpy(), [-1.0, 0.0, -0.5], atol=1e-7)


def test_bce_clamps_log(rng):
    x = np.array([0.0, 1.0, 0.5, 1e-30], np.float32)
    y = np.array([1.0, 0.0, 0.3, 1.0], np.float32)
    check(lambda a, b: EF.binary_cross_entropy(a, b, reduction="none"),
          lambda a, b: TF.binary_cross_entropy(a, b, reduction="none"), x, y, rng=rng,
          rtol=1e-4)


def test_zero_logits_gradient(rng):
    # a zero-initialised head: logits exactly 0 must get torch's gradients, not a kink's
    z = np.zeros((3, 4), np.float32)
    check(EF.binary_cross_entropy_with_logits, TF.binary_cross_entropy_with_logits, z,
          _u(rng, (3, 4), np.float32, 0, 1), rng=rng)
    y = _sign(rng, (3, 4), np.float32)
    check(lambda a: EF.soft_margin_loss(a, ember.tensor(y)),
          lambda a: TF.soft_margin_loss(a, torch.tensor(y)), z, rng=rng)
    check(EF.cross_entropy, TF.cross_entropy, z, _cls(rng, (3,), 4), rng=rng)


def test_legacy_reduction_args():
    x, y = np.ones((2, 3), np.float32), np.zeros((2, 3), np.float32)
    for sa, red, want in [(False, None, "sum"), (None, False, "none"), (True, True, "mean")]:
        with pytest.warns(UserWarning, match=f"reduction='{want}'"):
            m = enn.MSELoss(size_average=sa, reduce=red)
        assert m.reduction == want
        with pytest.warns(UserWarning, match="deprecated"):
            e = EF.mse_loss(ember.tensor(x), ember.tensor(y), size_average=sa, reduce=red)
        assert e.shape == ((2, 3) if want == "none" else ())
    with pytest.warns(UserWarning, match="'batchmean'"):
        EF.kl_div(ember.tensor(x), ember.tensor(x))
    with pytest.warns(UserWarning, match="'batchmean'"):
        enn.KLDivLoss()(ember.tensor(x), ember.tensor(x))


MODULES = [
    ("L1Loss", {}, 2), ("MSELoss", {"reduction": "sum"}, 2), ("SmoothL1Loss", {"beta": 0.5}, 2),
    ("HuberLoss", {"delta": 2.0}, 2), ("CrossEntropyLoss", {"label_smoothing": 0.1}, "ce"),
    ("CrossEntropyLoss", {"weight": "w", "ignore_index": 1}, "ce"), ("NLLLoss", {}, "ce"),
    ("BCELoss", {"weight": "w"}, "bce"), ("BCEWithLogitsLoss", {"pos_weight": "w"}, "bcel"),
    ("KLDivLoss", {"reduction": "batchmean", "log_target": True}, 2),
    ("PoissonNLLLoss", {"full": True}, "pois"), ("GaussianNLLLoss", {"full": True}, "gauss"),
    ("CosineEmbeddingLoss", {"margin": 0.1}, "cos"), ("MarginRankingLoss", {"margin": 0.1}, "mr"),
    ("HingeEmbeddingLoss", {"margin": 2.0}, "sign"),
    ("TripletMarginLoss", {"p": 1.0, "swap": True}, 3),
    ("MultiLabelSoftMarginLoss", {"weight": "w"}, "bcel"), ("SoftMarginLoss", {}, "sign"),
    ("MultiMarginLoss", {"p": 2, "weight": "w"}, "ce"), ("MultiLabelMarginLoss", {}, "mlm"),
]


def _module_inputs(kind, rng):
    x = _n(rng, (4, 3), np.float32)
    return {2: [x, _n(rng, (4, 3), np.float32)], 3: [x, x + 1, x * 2],
            "ce": [x, _cls(rng, (4,), 3)], "bce": [_u(rng, (4, 3), np.float32),
                                                 _u(rng, (4, 3), np.float32, 0, 1)],
            "bcel": [x, _u(rng, (4, 3), np.float32, 0, 1)],
            "pois": [x, _u(rng, (4, 3), np.float32, 0, 4)],
            "gauss": [x, x * 2, _u(rng, (4, 3), np.float32, 0.1, 1)],
            "cos": [x, x[::-1].copy(), _sign(rng, (4,), np.float32)],
            "mr": [x[:, 0].copy(), x[:, 1].copy(), _sign(rng, (4,), np.float32)],
            "sign": [x, _sign(rng, (4, 3), np.float32)],
            "mlm": [x, np.array([[2, -1, 0], [0, 1, 2], [1, 1, -1], [-1, 0, 0]])]}[kind]


@pytest.mark.parametrize("name, kw, kind", MODULES)
def test_modules(name, kw, kind, rng):
    w = _w(rng, 3, np.float32)
    ekw = {k: ember.tensor(w) if v == "w" else v for k, v in kw.items()}
    tkw = {k: torch.tensor(w) if v == "w" else v for k, v in kw.items()}
    em, tm = getattr(enn, name)(**ekw), getattr(tnn, name)(**tkw)
    assert repr(em) == repr(tm)
    assert list(em.state_dict()) == list(tm.state_dict())
    assert em.reduction == tm.reduction
    args = _module_inputs(kind, rng)
    if name == "SoftMarginLoss":   # torch refuses a target that requires grad
        y = args.pop()
        em, tm = (lambda a, m=em: m(a, ember.tensor(y))), (lambda a, m=tm: m(a, torch.tensor(y)))
    check(em, tm, *args, rng=rng, rtol=1e-4, atol=1e-5)


def test_module_defaults_and_repr():
    for name in [m[0] for m in MODULES]:
        assert repr(getattr(enn, name)()) == repr(getattr(tnn, name)())
        assert list(getattr(enn, name)().state_dict()) == list(getattr(tnn, name)().state_dict())
    ce = enn.CrossEntropyLoss()
    assert (ce.ignore_index, ce.label_smoothing, ce.weight) == (-100, 0.0, None)


X43 = np.zeros((4, 3), np.float32)
ERRORS = [
    # cross_entropy / nll_loss: a float target of class-index shape
    ("cross_entropy", (X43, np.zeros(4, np.float32)), {}, ["int64 (long)", "[4, 3]"]),
    ("nll_loss", (X43, np.zeros(4, np.float32)), {}, ["int64 (long)", "Float"]),
    ("cross_entropy", (X43, np.zeros(4, np.int32)), {}, ["Int", "int64"]),
    ("cross_entropy", (X43, np.zeros((4, 3), np.int64)), {}, ["probabilities", "int64"]),
    # a class out of range
    ("cross_entropy", (X43, np.array([0, 1, 3, 2])), {}, ["Target 3", "3 classes"]),
    ("nll_loss", (X43, np.array([0, -1, 1, 2])), {}, ["Target -1", "3 classes"]),
    ("cross_entropy", (X43, np.array([0, 1, 7, 2])), {"ignore_index": 1},
     ["Target 7", "ignore_index=1"]),
    # batch size mismatch
    ("cross_entropy", (X43, np.array([0, 1, 2])), {}, ["(4)", "(3)", "[4, 3]", "[3]"]),
    ("nll_loss", (X43, np.array([0, 1, 2, 0, 1])), {}, ["(4)", "(5)"]),
    ("cross_entropy", (np.zeros((2, 3, 4), np.float32), np.zeros((2, 5), np.int64)), {},
     ["[2, 4]", "[2, 5]"]),
    ("cross_entropy", (X43, np.array([0, 1, 2, 1])), {"weight": np.ones(4, np.float32)},
     ["3 classes", "[4]"]),
    ("cross_entropy", (np.zeros((4, 3), np.int64), np.array([0, 1, 2, 1])), {}, ["Long"]),
    ("cross_entropy", (X43, np.array([0, 1, 2, 1])), {"label_smoothing": 1.5}, ["1.5"]),
    ("cross_entropy", (X43, np.array([0, 1, 2, 1])), {"reduction": "avg"}, ["avg"]),
    # mse with shapes that do not broadcast
    ("mse_loss", (X43, np.zeros(5, np.float32)), {}, ["mse_loss", "[4, 3]", "[5]"]),
    ("mse_loss", (X43, X43), {"reduction": "avg"}, ["avg"]),
    ("mse_loss", (X43, X43), {"weight": np.ones(3, np.float32)}, ["[3]", "[4, 3]"]),
    # bce: inputs outside [0, 1], a long / double target, another shape
    ("binary_cross_entropy", (X43 + 1.5, X43), {}, ["between 0 and 1", "1.5", "sigmoid"]),
    ("binary_cross_entropy", (X43, np.zeros((4, 3), np.int64)), {}, ["Long", "Float"]),
    ("binary_cross_entropy", (X43, np.zeros((4, 3), np.float64)), {}, ["Double"]),
    ("binary_cross_entropy", (X43, np.zeros(3, np.float32)), {}, ["[3]", "[4, 3]"]),
    ("binary_cross_entropy_with_logits", (X43, np.zeros(3, np.float32)), {}, ["[3]", "[4, 3]"]),
    ("binary_cross_entropy_with_logits", (X43, np.zeros((4, 3), np.int64)), {}, ["int64"]),
    ("gaussian_nll_loss", (X43, X43, np.ones((4, 2), np.float32)), {}, ["incorrect size"]),
    ("gaussian_nll_loss", (X43, X43, -np.ones((4, 3), np.float32)), {}, ["negative"]),
    ("kl_div", (X43, X43), {"reduction": "avg"}, ["avg"]),
    ("triplet_margin_loss", (X43, X43, np.zeros(3, np.float32)), {}, ["2D", "1D"]),
    ("margin_ranking_loss", (X43, X43, np.zeros(3, np.float32)), {}, ["input1"]),
]


@pytest.mark.parametrize("name, args, kw, match", ERRORS, ids=lambda v: str(v)[:30])
def test_errors(name, args, kw, match):
    ekw = {k: to_ember(v) for k, v in kw.items()}
    tkw = {k: to_torch(v) for k, v in kw.items()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_error(lambda *a: getattr(EF, name)(*a, **ekw),
                    lambda *a: getattr(TF, name)(*a, **tkw), *args, match=match)


def test_module_errors():
    for en, tn, kw in [("MultiMarginLoss", tnn.MultiMarginLoss, {"p": 3}),
                       ("TripletMarginLoss", tnn.TripletMarginLoss, {"margin": 0.0})]:
        with pytest.raises(ValueError) as te:
            tn(**kw)
        with pytest.raises(type(te.value)):
            getattr(enn, en)(**kw)


def test_cross_entropy_is_one_node():
    x = ember.randn(4, 5, requires_grad=True)
    loss = EF.cross_entropy(x, ember.tensor([0, 1, 2, 3]), label_smoothing=0.1)
    assert loss.grad_fn.next_functions[0][0].variable is x


# torch has no derivative for these weights: a weight that requires grad is refused while grad
# mode is on (ember used to give it no gradient, silently)
NO_GRAD_WEIGHTS = [
    ("binary_cross_entropy_with_logits", "weight", "binary_cross_entropy_with_logits",
     lambda m, x, t, w: m.nn.functional.binary_cross_entropy_with_logits(x, t, weight=w)),
    ("binary_cross_entropy_with_logits", "pos_weight", "binary_cross_entropy_with_logits",
     lambda m, x, t, w: m.nn.functional.binary_cross_entropy_with_logits(x, t, pos_weight=w)),
    ("binary_cross_entropy_with_logits", "weight", "binary_cross_entropy_with_logits",
     lambda m, x, t, w: m.nn.functional.binary_cross_entropy_with_logits(
         x, t, weight=w, pos_weight=w, reduction="none")),
    ("binary_cross_entropy", "weight", "binary_cross_entropy",
     lambda m, x, t, w: m.nn.functional.binary_cross_entropy(x.sigmoid(), t, weight=w)),
    ("nll_loss", "weight", "nll_loss_forward",
     lambda m, x, t, w: m.nn.functional.nll_loss(x, (t[:, 0] * 3).long(), weight=w)),
    ("cross_entropy", "weight", "nll_loss_forward",
     lambda m, x, t, w: m.nn.functional.cross_entropy(x, (t[:, 0] * 3).long(), weight=w,
                                                      label_smoothing=0.1)),
    ("multi_margin_loss", "weight", "multi_margin_loss",
     lambda m, x, t, w: m.nn.functional.multi_margin_loss(x, (t[:, 0] * 3).long(), weight=w)),
]


@pytest.mark.parametrize("case,arg,aten,fn", NO_GRAD_WEIGHTS,
                         ids=[f"{c[0]}-{c[1]}-{i}" for i, c in enumerate(NO_GRAD_WEIGHTS)])
@pytest.mark.parametrize("x_grad", [True, False])
def test_weight_requiring_grad_is_refused(case, arg, aten, fn, x_grad, rng):
    x, t = rng.standard_normal((4, 3)), rng.uniform(0, 0.99, (4, 3))
    w = rng.uniform(0.5, 2, (3,))

    def run(m):
        xx = m.tensor(x, requires_grad=x_grad)
        return fn(m, xx, m.tensor(t), m.tensor(w, requires_grad=True))

    check_error(lambda: run(ember), lambda: run(torch),
                match=[f"The function '{aten}' is not differentiable with respect to argument "
                       f"'{arg}'. This input cannot have requires_grad True."])
    with ember.no_grad(), torch.no_grad():   # no autograd: no check, the same value
        np.testing.assert_allclose(run(ember).numpy(), run(torch).numpy(), rtol=1e-10)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
@pytest.mark.parametrize("shape", [(4, 3), (3,), (2, 3, 2)])
def test_probability_targets_weight_gets_its_gradient(reduction, smoothing, shape, rng):
    # torch composes probability-target cross_entropy from differentiable ops, so unlike class
    # indices a weight that requires grad is accepted and gets a gradient
    x = rng.standard_normal(shape)
    axis = 1 if len(shape) > 1 else 0
    p = rng.dirichlet(np.ones(shape[axis]), int(np.prod(shape)) // shape[axis])
    p = np.moveaxis(p.reshape((shape[0],) + shape[2:] + (shape[axis],)) if len(shape) > 1
                    else p.reshape(shape), -1, axis)
    w = rng.uniform(0.5, 2, (shape[axis],))

    def f(m):
        return lambda xx, pp, ww: m.nn.functional.cross_entropy(
            xx, pp, weight=ww, reduction=reduction, label_smoothing=smoothing)
    check(f(ember), f(torch), x, p, w)
    check(f(ember), f(torch), x.astype(np.float32), p.astype(np.float32), w.astype(np.float32))
    check_gradcheck(f(ember), x, p, w)
