"""lr schedulers vs torch.optim.lr_scheduler: lr (and momentum) sequences over 40 steps,
state_dict round trips, ReduceLROnPlateau on a fixed metric sequence, errors."""

import math

import numpy as np
import pytest
import torch
from torch.optim import lr_scheduler as T

import ember
from ember import nn, optim
from ember.optim import lr_scheduler as E

STEPS = 40


def _opts(name="SGD", **kw):
    ep = [nn.Parameter(ember.ones(2)), nn.Parameter(ember.ones(3))]
    tp = [torch.nn.Parameter(torch.ones(2)), torch.nn.Parameter(torch.ones(3))]
    groups = lambda ps: [{"params": ps[:1]}, {"params": ps[1:], "lr": 0.05}]  # noqa: E731
    return getattr(optim, name)(groups(ep), lr=0.1, **kw), \
        getattr(torch.optim, name)(groups(tp), lr=0.1, **kw)


def lam(e):
    return 0.95 ** e


SCHEDS = [
    ("StepLR", dict(step_size=7, gamma=0.5), "SGD", {}),
    ("MultiStepLR", dict(milestones=[3, 10, 10, 25], gamma=0.3), "SGD", {}),
    ("ExponentialLR", dict(gamma=0.9), "SGD", {}),
    ("CosineAnnealingLR", dict(T_max=12, eta_min=0.001), "SGD", {}),
    ("CosineAnnealingWarmRestarts", dict(T_0=5, T_mult=2, eta_min=0.01), "SGD", {}),
    ("CosineAnnealingWarmRestarts", dict(T_0=7), "SGD", {}),
    ("LambdaLR", dict(lr_lambda=lam), "SGD", {}),
    ("LambdaLR", dict(lr_lambda=[lam, lambda e: 1 / (e + 1)]), "SGD", {}),
    ("MultiplicativeLR", dict(lr_lambda=lambda e: 0.97), "SGD", {}),
    ("LinearLR", dict(start_factor=0.2, end_factor=0.9, total_iters=10), "SGD", {}),
    ("ConstantLR", dict(factor=0.25, total_iters=6), "SGD", {}),
    ("PolynomialLR", dict(total_iters=20, power=2.0), "SGD", {}),
    ("OneCycleLR", dict(max_lr=1.0, total_steps=STEPS + 1), "SGD", dict(momentum=0.9)),
    ("OneCycleLR", dict(max_lr=[1.0, 0.5], epochs=4, steps_per_epoch=11, anneal_strategy="linear",
                        three_phase=True), "Adam", {}),
    ("OneCycleLR", dict(max_lr=1.0, total_steps=STEPS + 1, cycle_momentum=False,
                        div_factor=10, final_div_factor=100, pct_start=0.4), "Adam", {}),
    ("CyclicLR", dict(base_lr=0.01, max_lr=0.1, step_size_up=4), "SGD", dict(momentum=0.9)),
    ("CyclicLR", dict(base_lr=0.01, max_lr=0.1, step_size_up=3, step_size_down=5,
                      mode="triangular2"), "SGD", dict(momentum=0.9)),
    ("CyclicLR", dict(base_lr=[0.01, 0.02], max_lr=0.1, step_size_up=3, mode="exp_range",
                      gamma=0.95), "Adam", {}),
    ("CyclicLR", dict(base_lr=0.01, max_lr=0.1, step_size_up=3, cycle_momentum=False), "Adam",
     {}),
]


def _lrs(opt):
    return [g["lr"] for g in opt.param_groups]


def _moms(opt):
    return np.array([g.get("momentum", g.get("betas")) for g in opt.param_groups], float)


def _assert_same(eo, to, es, ts, what):
    np.testing.assert_allclose(_lrs(eo), _lrs(to), rtol=1e-12, atol=1e-15, err_msg=what)
    np.testing.assert_allclose(es.get_last_lr(), ts.get_last_lr(), rtol=1e-12, atol=1e-15,
                               err_msg=what)
    np.testing.assert_allclose(_moms(eo), _moms(to), rtol=1e-12, err_msg=what)


@pytest.mark.parametrize("name,kw,oname,okw", SCHEDS,
                         ids=[f"{s[0]}-{i}" for i, s in enumerate(SCHEDS)])
def test_schedule_matches_torch(name, kw, oname, okw):
    eo, to = _opts(oname, **okw)
    es, ts = getattr(E, name)(eo, **kw), getattr(T, name)(to, **kw)
    _assert_same(eo, to, es, ts, f"{name} init")
    assert [g["initial_lr"] for g in eo.param_groups] == [g["initial_lr"] for g in to.param_groups]
    for k in range(STEPS):
        eo.step()
        to.step()
        es.step()
        ts.step()
        _assert_same(eo, to, es, ts, f"{name} step {k + 1}")
        assert es.last_epoch == ts.last_epoch
        if k == STEPS // 2:     # state_dict round trip into a fresh scheduler mid-run
            sd, osd = es.state_dict(), eo.state_dict()
            assert set(sd) == set(ts.state_dict())
            es = getattr(E, name)(eo, **kw)
            es.load_state_dict(sd)
            eo.load_state_dict(osd)     # after building the scheduler, as torch documents


def test_warm_restarts_fractional_epochs():
    eo, to = _opts()
    es = E.CosineAnnealingWarmRestarts(eo, T_0=3, T_mult=2, eta_min=0.001)
    ts = T.CosineAnnealingWarmRestarts(to, T_0=3, T_mult=2, eta_min=0.001)
    for epoch in np.arange(0, 20, 0.37):
        es.step(float(epoch))
        ts.step(float(epoch))
        _assert_same(eo, to, es, ts, f"epoch {epoch}")


@pytest.mark.parametrize("sub", ["sequential", "chained"])
def test_composite_schedulers(sub):
    eo, to = _opts()

    def build(M, o):
        a = M.LinearLR(o, start_factor=0.1, total_iters=5)
        b = M.ExponentialLR(o, gamma=0.9)
        c = M.CosineAnnealingLR(o, T_max=10)
        if sub == "sequential":
            return M.SequentialLR(o, [a, b, c], milestones=[5, 15])
        return M.ChainedScheduler([a, b])

    es, ts = build(E, eo), build(T, to)
    _assert_same(eo, to, es, ts, "init")
    for k in range(STEPS):
        eo.step()
        to.step()
        es.step()
        ts.step()
        _assert_same(eo, to, es, ts, f"{sub} step {k + 1}")
        if k == 12:
            sd, osd = es.state_dict(), eo.state_dict()
            es = build(E, eo)
            es.load_state_dict(sd)
            eo.load_state_dict(osd)


METRICS = [1.0, 0.9, 0.95, 0.95, 0.96, 0.97, 0.89, 0.9, 0.9, 0.9, 0.9, 0.9, 0.5, 0.5, 0.5, 0.51,
           0.52, 0.53, 0.54, 0.55, 0.56, 0.57, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3]


@pytest.mark.parametrize("kw", [
    {}, dict(mode="max", factor=0.5, patience=2), dict(threshold=0.1, threshold_mode="abs",
                                                       cooldown=2, patience=1),
    dict(min_lr=[0.02, 0.01], factor=0.2, patience=0, eps=1e-3),
    dict(mode="max", threshold_mode="abs", patience=3, cooldown=1)])
def test_reduce_on_plateau(kw):
    eo, to = _opts()
    es, ts = E.ReduceLROnPlateau(eo, **kw), T.ReduceLROnPlateau(to, **kw)
    for k, m in enumerate(METRICS):
        es.step(m)
        ts.step(m)
        np.testing.assert_allclose(_lrs(eo), _lrs(to), rtol=1e-12, err_msg=f"step {k}")
        assert es.num_bad_epochs == ts.num_bad_epochs and es.best == ts.best
        if k == 10:
            sd = es.state_dict()
            es = E.ReduceLROnPlateau(eo, **kw)
            es.load_state_dict(sd)
    np.testing.assert_allclose(es.get_last_lr(), ts.get_last_lr(), rtol=1e-12)


def _same_error(e_call, t_call, match=()):
    with pytest.raises(Exception) as te:
        t_call()
    with pytest.raises(type(te.value)) as ee:
        e_call()
    for m in match:
        assert m in str(ee.value), str(ee.value)


@pytest.mark.parametrize("name,kw,match", [
    ("ConstantLR", dict(factor=2.0), ["between 0 and 1"]),
    ("LinearLR", dict(start_factor=0.0), ["Starting multiplicative factor"]),
    ("ReduceLROnPlateau", dict(factor=1.0), ["Factor should be < 1.0"]),
    ("ReduceLROnPlateau", dict(mode="middle"), ["mode"]),
    ("ReduceLROnPlateau", dict(threshold_mode="x"), ["threshold mode"]),
    ("OneCycleLR", dict(max_lr=1.0), ["total_steps"]),
    ("OneCycleLR", dict(max_lr=1.0, total_steps=10, anneal_strategy="sin"), ["anneal_strategy"]),
    ("CyclicLR", dict(base_lr=0.1, max_lr=1.0, mode="sawtooth"), ["mode"]),
    ("StepLR", dict(step_size=2, last_epoch=3), ["initial_lr"]),
    ("LambdaLR", dict(lr_lambda=[lam]), ["Expected 2 lr_lambdas"]),
])
def test_errors_match_torch(name, kw, match):
    eo, to = _opts()
    _same_error(lambda: getattr(E, name)(eo, **kw), lambda: getattr(T, name)(to, **kw), match)
    _same_error(lambda: E.StepLR(object(), 3), lambda: T.StepLR(object(), 3),
                ["is not an Optimizer"])


def test_cosine_closed_form_and_epoch_arg():
    eo, to = _opts()
    es, ts = E.CosineAnnealingLR(eo, T_max=10), T.CosineAnnealingLR(to, T_max=10)
    with pytest.warns(UserWarning):
        es.step(7)
    with pytest.warns(UserWarning):
        ts.step(7)
    _assert_same(eo, to, es, ts, "epoch=7")
    assert math.isclose(es.get_last_lr()[0], 0.1 * (1 + math.cos(math.pi * 0.7)) / 2)
