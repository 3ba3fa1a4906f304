"""Optimizers vs torch.optim: trajectories step by step, state, state_dict resume, groups,
zero_grad, closures (LBFGS with both line searches), errors, repr."""

import copy
import re

import numpy as np
import pytest
import torch

import ember
from ember import nn, optim

SHAPES = [(3, 4), (5,), ()]

# (name, kwargs): a compact grid of every option of every algorithm
GRID = [
    ("SGD", {}), ("SGD", dict(lr=0.1, momentum=0.9)),
    ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.3, weight_decay=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True, maximize=True)),
    ("Adam", {}), ("Adam", dict(lr=0.05, amsgrad=True, weight_decay=0.1)),
    ("Adam", dict(lr=0.05, betas=(0.5, 0.9), maximize=True, eps=1e-3)),
    ("Adam", dict(lr=0.05, weight_decay=0.1, decoupled_weight_decay=True)),
    ("AdamW", {}), ("AdamW", dict(lr=0.05, amsgrad=True, weight_decay=0.3, maximize=True)),
    ("RMSprop", {}), ("RMSprop", dict(momentum=0.9, centered=True, weight_decay=0.1)),
    ("RMSprop", dict(alpha=0.5, centered=True, maximize=True)),
    ("RMSprop", dict(momentum=0.5, eps=1e-2)),
    ("Adagrad", {}), ("Adagrad", dict(lr_decay=0.1, weight_decay=0.1,
                                      initial_accumulator_value=0.5, maximize=True)),
    ("Adadelta", {}), ("Adadelta", dict(lr=0.5, rho=0.5, weight_decay=0.1, maximize=True)),
    ("Adamax", {}), ("Adamax", dict(lr=0.05, betas=(0.5, 0.8), weight_decay=0.1, maximize=True)),
    ("NAdam", {}), ("NAdam", dict(lr=0.05, weight_decay=0.1, momentum_decay=0.01)),
    ("NAdam", dict(weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ("RAdam", {}), ("RAdam", dict(lr=0.05, weight_decay=0.1, betas=(0.5, 0.6))),
    ("RAdam", dict(weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
]


def _make_pair(rng, dtype, groups=None):
    """Matching ember / torch parameter lists."""
    arrs = [rng.standard_normal(s).astype(dtype) for s in SHAPES]
    ep = [nn.Parameter(ember.tensor(a.copy())) for a in arrs]
    tp = [torch.nn.Parameter(torch.from_numpy(a.copy())) for a in arrs]
    return ep, tp


def _set_grads(ep, tp, grads):
    for e, t, g in zip(ep, tp, grads):
        e.grad = ember.tensor(g.copy())
        t.grad = torch.from_numpy(g.copy())


def _compare(ep, tp, dtype, what):
    rtol, atol = (2e-5, 1e-6) if dtype == np.float32 else (1e-11, 1e-13)
    for i, (e, t) in enumerate(zip(ep, tp)):
        np.testing.assert_allclose(e.detach().numpy(), t.detach().numpy(), rtol=rtol, atol=atol,
                                   err_msg=f"{what}, param {i}")


def _run(eo, to, ep, tp, rng, dtype, steps, what):
    for k in range(steps):
        grads = [rng.standard_normal(p.shape).astype(dtype) for p in ep]
        _set_grads(ep, tp, grads)
        eo.step()
        to.step()
        _compare(ep, tp, dtype, f"{what}, step {k + 1}")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name,kw", GRID, ids=[f"{n}-{i}" for i, (n, _) in enumerate(GRID)])
def test_trajectory_matches_torch(name, kw, dtype, rng):
    ep, tp = _make_pair(rng, dtype)
    eo, to = getattr(optim, name)(ep, **kw), getattr(torch.optim, name)(tp, **kw)
    _run(eo, to, ep, tp, rng, dtype, 20, f"{name}{kw}")
    # state: same keys, dtypes and values as torch's
    for e, t in zip(ep, tp):
        es, ts = eo.state[e], to.state[t]
        assert list(es) == list(ts)
        for k in ts:
            a, b = es[k], ts[k]
            assert isinstance(a, ember.Tensor) and a.dtype.name == str(b.dtype)[6:], k
            np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-4, atol=1e-6, err_msg=k)
    assert eo.defaults == to.defaults
    assert repr(eo) == repr(to)


@pytest.mark.parametrize("name,kw", [g for g in GRID if g[1]])
def test_state_dict_resume(name, kw, rng):
    """Save mid-run, build a fresh optimizer, load, continue: same trajectory as uninterrupted."""
    ep, tp = _make_pair(rng, np.float64)
    eo, to = getattr(optim, name)(ep, **kw), getattr(torch.optim, name)(tp, **kw)
    _run(eo, to, ep, tp, rng, np.float64, 5, name)
    sd = eo.state_dict()
    tsd = to.state_dict()
    assert sd["param_groups"] == tsd["param_groups"]
    assert sorted(sd["state"]) == sorted(tsd["state"])
    sd = _copy_sd(sd)
    eo2 = getattr(optim, name)(ep, lr=123.0)
    eo2.load_state_dict(sd)
    to2 = getattr(torch.optim, name)(tp, lr=123.0)
    to2.load_state_dict(copy.deepcopy(tsd))   # torch casts state (e.g. mu_product) likewise
    assert eo2.param_groups[0]["lr"] == to2.param_groups[0]["lr"]
    _run(eo2, to2, ep, tp, rng, np.float64, 10, name + " resumed")


def _copy_sd(sd):
    # (copy.deepcopy of an ember Tensor currently loses float64 -> float32: reported)
    state = {i: {k: ember.tensor(v.numpy().copy()) if isinstance(v, ember.Tensor) else v
                 for k, v in s.items()} for i, s in sd["state"].items()}
    return {"state": state, "param_groups": copy.deepcopy(sd["param_groups"])}


def test_param_groups_and_add_param_group(rng):
    ep, tp = _make_pair(rng, np.float64)
    eo = optim.SGD([{"params": ep[:1]}, {"params": ep[1:2], "lr": 0.5, "momentum": 0.9}],
                   lr=0.1, momentum=0.1)
    to = torch.optim.SGD([{"params": tp[:1]}, {"params": tp[1:2], "lr": 0.5, "momentum": 0.9}],
                         lr=0.1, momentum=0.1)
    eo.add_param_group({"params": ep[2], "nesterov": True})
    to.add_param_group({"params": tp[2], "nesterov": True})
    assert repr(eo) == repr(to)
    _run(eo, to, ep, tp, rng, np.float64, 10, "groups")
    assert eo.state_dict()["param_groups"] == to.state_dict()["param_groups"]
    for e_call, t_call in [
        (lambda: eo.add_param_group({"params": ep[0]}),
         lambda: to.add_param_group({"params": tp[0]})),
        (lambda: optim.SGD([{"params": ep[:1]}, {"params": ep[:2]}]),
         lambda: torch.optim.SGD([{"params": tp[:1]}, {"params": tp[:2]}])),
        (lambda: optim.LBFGS([{"params": ep[:1]}, {"params": ep[1:]}]),
         lambda: torch.optim.LBFGS([{"params": tp[:1]}, {"params": tp[1:]}])),
    ]:
        _same_error(e_call, t_call)


def test_lr_change_and_missing_grad_skips(rng):
    ep, tp = _make_pair(rng, np.float64)
    eo, to = optim.Adam(ep, lr=0.1), torch.optim.Adam(tp, lr=0.1)
    _run(eo, to, ep, tp, rng, np.float64, 3, "before")
    for g in eo.param_groups + to.param_groups:
        g["lr"] = 0.01
    ep[1].grad, tp[1].grad = None, None
    g = [rng.standard_normal(SHAPES[0]), None, rng.standard_normal(SHAPES[2])]
    ep[0].grad, tp[0].grad = ember.tensor(g[0]), torch.tensor(g[0])
    ep[2].grad, tp[2].grad = ember.tensor(g[2]), torch.tensor(g[2])
    eo.step()
    to.step()
    _compare(ep, tp, np.float64, "partial grads")
    assert float(eo.state[ep[1]]["step"]) == 3 and float(eo.state[ep[0]]["step"]) == 4


def test_zero_grad(rng):
    ep, _ = _make_pair(rng, np.float32)
    o = optim.SGD(ep, lr=0.1)
    for p in ep:
        p.grad = ember.ones_like(p)
    o.zero_grad(set_to_none=False)
    assert all(p.grad is not None and not p.grad.numpy().any() for p in ep)
    o.zero_grad()
    assert all(p.grad is None for p in ep)


def test_update_is_in_place_and_bumps_version(rng):
    ep, _ = _make_pair(rng, np.float32)
    o = optim.Adam(ep, lr=0.1)
    arrays, versions = [p._data for p in ep], [p._version for p in ep]
    for p in ep:
        p.grad = ember.ones_like(p)
    o.step()
    assert all(p._data is a for p, a in zip(ep, arrays))
    assert all(p._version > v for p, v in zip(ep, versions))
    assert all(p.grad_fn is None for p in ep)


def _regression(rng, dtype):
    x = rng.standard_normal((20, 3)).astype(dtype)
    y = (x @ np.array([1.0, -2.0, 0.5]) + 0.3).astype(dtype)
    w0 = np.zeros(3, dtype)
    return x, y, w0


@pytest.mark.parametrize("name,kw", [("SGD", dict(lr=0.05, momentum=0.9)),
                                     ("Adam", dict(lr=0.1))])
def test_closure_with_model_loss(name, kw, rng):
    """A closure computing a loss through autograd; step returns the closure's loss."""
    x, y, w0 = _regression(rng, np.float64)
    ew, tw = nn.Parameter(ember.tensor(w0)), torch.nn.Parameter(torch.tensor(w0))
    eo, to = getattr(optim, name)([ew], **kw), getattr(torch.optim, name)([tw], **kw)
    ex, ey, tx, ty = ember.tensor(x), ember.tensor(y), torch.tensor(x), torch.tensor(y)

    def eclosure():
        eo.zero_grad()
        loss = ((ex @ ew - ey) ** 2).mean()
        loss.backward()
        return loss

    def tclosure():
        to.zero_grad()
        loss = ((tx @ tw - ty) ** 2).mean()
        loss.backward()
        return loss

    with ember.no_grad():          # the closure still records: step re-enables grad
        for _ in range(15):
            el, tl = eo.step(eclosure), to.step(tclosure)
            assert abs(el.item() - tl.item()) <= 1e-10 * max(1.0, abs(tl.item()))
    np.testing.assert_allclose(ew.detach().numpy(), tw.detach().numpy(), rtol=1e-10)


@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
@pytest.mark.parametrize("kw", [{}, dict(lr=0.5, max_iter=5, history_size=3)])
def test_lbfgs_matches_torch(line_search_fn, kw, rng):
    x = rng.standard_normal((30, 4))
    y = np.tanh(x @ np.array([1.0, -2.0, 0.5, 0.1])) + 0.1 * rng.standard_normal(30)
    w0 = 0.1 * rng.standard_normal(4)
    ew, eb = nn.Parameter(ember.tensor(w0)), nn.Parameter(ember.zeros(1, dtype=ember.float64))
    tw = torch.nn.Parameter(torch.tensor(w0))
    tb = torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))
    eo = optim.LBFGS([ew, eb], line_search_fn=line_search_fn, **kw)
    to = torch.optim.LBFGS([tw, tb], line_search_fn=line_search_fn, **kw)
    ex, ey, tx, ty = ember.tensor(x), ember.tensor(y), torch.tensor(x), torch.tensor(y)

    def eclosure():
        eo.zero_grad()
        loss = ((ember.tanh(ex @ ew + eb) - ey) ** 2).mean() + (ew ** 4).sum()
        loss.backward()
        return loss

    def tclosure():
        to.zero_grad()
        loss = ((torch.tanh(tx @ tw + tb) - ty) ** 2).mean() + (tw ** 4).sum()
        loss.backward()
        return loss

    for k in range(3):
        el, tl = eo.step(eclosure), to.step(tclosure)
        np.testing.assert_allclose(el.item(), tl.item(), rtol=1e-8, err_msg=f"loss, step {k}")
        np.testing.assert_allclose(ew.detach().numpy(), tw.detach().numpy(), rtol=1e-7,
                                   atol=1e-10, err_msg=f"w, step {k}")
        np.testing.assert_allclose(eb.detach().numpy(), tb.detach().numpy(), rtol=1e-7,
                                   atol=1e-10, err_msg=f"b, step {k}")
        es, ts = eo.state[ew], to.state[tw]
        assert es["func_evals"] == ts["func_evals"] and es["n_iter"] == ts["n_iter"]
    assert repr(eo) == repr(to)


def _same_error(e_call, t_call, match=()):
    with pytest.raises(Exception) as te:
        t_call()
    with pytest.raises(type(te.value)) as ee:
        e_call()
    for m in match:
        assert re.search(m, str(ee.value)), str(ee.value)
    return ee


P = [nn.Parameter(ember.ones(2))]
TP = [torch.nn.Parameter(torch.ones(2))]
ERRORS = [
    ("SGD", ([],), {}, ["empty parameter list"]),
    ("SGD", (P,), dict(lr=-1), ["Invalid learning rate: -1"]),
    ("SGD", (P,), dict(momentum=-1), ["momentum"]),
    ("SGD", (P,), dict(weight_decay=-1), ["weight_decay"]),
    ("SGD", (P,), dict(nesterov=True), ["Nesterov"]),
    ("SGD", (P,), dict(nesterov=True, momentum=0.9, dampening=0.1), ["Nesterov"]),
    ("Adam", (P,), dict(betas=(1.0, 0.9)), ["beta parameter at index 0: 1.0"]),
    ("Adam", (P,), dict(betas=(0.9, -0.1)), ["index 1"]),
    ("AdamW", (P,), dict(eps=-1), ["epsilon value: -1"]),
    ("RMSprop", (P,), dict(alpha=-1), ["alpha value"]),
    ("Adagrad", (P,), dict(lr_decay=-1), ["lr_decay"]),
    ("Adagrad", (P,), dict(initial_accumulator_value=-1), ["initial_accumulator_value"]),
    ("Adadelta", (P,), dict(rho=1.5), ["rho value: 1.5"]),
    ("NAdam", (P,), dict(momentum_decay=-1), ["momentum_decay"]),
    ("RAdam", (P,), dict(weight_decay=-1), ["weight_decay"]),
    ("LBFGS", (P,), dict(lr=-1), ["learning rate"]),
    ("Adam", (P[0],), {}, ["iterable of Tensors or dicts"]),
    ("Adam", ([1.0],), {}, ["can only optimize Tensors"]),
]


@pytest.mark.parametrize("name,args,kw,match", ERRORS)
def test_errors_match_torch(name, args, kw, match):
    targs = tuple(TP if a is P else TP[0] if a is P[0] else a for a in args)
    _same_error(lambda: getattr(optim, name)(*args, **kw),
                lambda: getattr(torch.optim, name)(*targs, **kw), match)


def test_non_leaf_and_load_mismatch():
    x = nn.Parameter(ember.ones(2))
    tx = torch.nn.Parameter(torch.ones(2))
    _same_error(lambda: optim.SGD([x * 2]), lambda: torch.optim.SGD([tx * 2]), ["non-leaf"])
    o = optim.SGD([x], lr=0.1)
    o2 = optim.SGD([x, nn.Parameter(ember.ones(3))], lr=0.1)
    with pytest.raises(ValueError, match="doesn't match the size"):
        o.load_state_dict(o2.state_dict())


def test_adam_step_speed_vs_torch():
    """One Adam step over a 256-512-512-10 MLP's parameters (report; loose guard only)."""
    import time
    rng = np.random.default_rng(0)
    shapes = [(512, 256), (512,), (512, 512), (512,), (10, 512), (10,)]
    arrs = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    ep = [nn.Parameter(ember.tensor(a)) for a in arrs]
    tp = [torch.nn.Parameter(torch.from_numpy(a.copy())) for a in arrs]
    _set_grads(ep, tp, [rng.standard_normal(s).astype(np.float32) for s in shapes])
    eo, to = optim.Adam(ep), torch.optim.Adam(tp)

    def best(f, n=15):
        f()
        ts = []
        for _ in range(n):
            t0 = time.perf_counter()
            f()
            ts.append(time.perf_counter() - t0)
        return min(ts)

    te, tt = best(eo.step), best(to.step)
    print(f"\nAdam step, MLP 256-512-512-10: ember {te * 1e6:.0f} us, torch {tt * 1e6:.0f} us, "
          f"ratio {te / tt:.2f}")
    assert te < 20 * tt


STATE_CASES = [(n, kw) for n, kw in GRID if not kw] + [("ASGD", {}), ("Rprop", {}),
                                                        ("Adafactor", {})]


@pytest.mark.parametrize("default", [ember.float32, ember.float64])
@pytest.mark.parametrize("name,kw", STATE_CASES, ids=[n for n, _ in STATE_CASES])
def test_state_dtypes_follow_default_dtype(name, kw, default, rng):
    """torch keeps state['step'] (and NAdam's mu_product, ASGD's eta/mu) in
    _get_scalar_dtype(): float64 when the default dtype is float64, else float32."""
    tdefault = {ember.float32: torch.float32, ember.float64: torch.float64}[default]
    ember.set_default_dtype(default)
    torch.set_default_dtype(tdefault)
    try:
        ep, tp = _make_pair(rng, np.float64)
        eo, to = getattr(optim, name)(ep, **kw), getattr(torch.optim, name)(tp, **kw)
        for _ in range(2):
            _set_grads(ep, tp, [rng.standard_normal(p.shape) for p in tp])
            eo.step()
            to.step()
        for e, t in zip(ep, tp):
            es, ts = eo.state[e], to.state[t]
            assert sorted(es) == sorted(ts)
            for k, tv in ts.items():
                if isinstance(tv, torch.Tensor):
                    assert str(es[k].dtype) == str(tv.dtype).replace("torch", "ember"), k
                    np.testing.assert_allclose(es[k].numpy(), tv.numpy(), rtol=1e-6,
                                               atol=1e-12, err_msg=k)
    finally:
        ember.set_default_dtype(ember.float32)
        torch.set_default_dtype(torch.float32)
