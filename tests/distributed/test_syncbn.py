"""nn.SyncBatchNorm: one process vs torch's (plain batch norm there), convert_sync_batchnorm,
and a real 2-process run under mpiexec against one BatchNorm over the whole batch."""

import numpy as np
import pytest
import torch
from test_distributed import MPIEXEC, launch, oks

import ember
from harness import assert_close_tensor, check_error, same_state, state_to_ember

CASES = [   # num_features, kwargs, input shape
    (3, {}, (4, 3)),
    (3, {"momentum": None}, (4, 3, 5)),
    (2, {"affine": False, "eps": 1e-3}, (3, 2, 4, 3)),
    (2, {"bias": False, "momentum": 0.3}, (2, 2, 3, 2, 2)),
    (3, {"track_running_stats": False}, (5, 3, 2)),
    (2, {}, (2, 2, 2, 1, 2, 2)),   # any rank >= 2
]
DTYPES = [(np.float32, torch.float32, ember.float32, 1e-5, 1e-5),
          (np.float64, torch.float64, ember.float64, 1e-10, 1e-12)]


def _pair(c, kw, tdt, edt, rng):
    tm = torch.nn.SyncBatchNorm(c, **kw).to(tdt)
    em = ember.nn.SyncBatchNorm(c, **kw).to(edt)
    with torch.no_grad():
        for p in tm.parameters():
            p.copy_(torch.from_numpy(rng.standard_normal(tuple(p.shape)) + 1))
    em.load_state_dict(state_to_ember(tm.state_dict()))
    return tm, em


@pytest.mark.parametrize("c,kw,shape", CASES)
@pytest.mark.parametrize("dt", DTYPES, ids=["float32", "float64"])
def test_single_process_matches_torch(c, kw, shape, dt, rng):
    npdt, tdt, edt, rtol, atol = dt
    tm, em = _pair(c, kw, tdt, edt, rng)
    assert repr(em) == repr(tm)
    same_state(tm, em)
    for _ in range(3):   # training: batch stats, running stats updated each step
        x = (rng.standard_normal(shape) * 2 + 1).astype(npdt)
        xt = torch.tensor(x, requires_grad=True)
        xe = ember.tensor(x, requires_grad=True)
        for m in (tm, em):
            m.zero_grad()
        yt, ye = tm(xt), em(xe)
        assert_close_tensor(ye, yt, rtol, atol)
        ct = rng.standard_normal(shape).astype(npdt)
        yt.backward(torch.from_numpy(ct))
        ye.backward(ember.tensor(ct))
        assert_close_tensor(xe.grad, xt.grad, rtol * 10, atol * 10, what="input grad")
        tp, ep = dict(tm.named_parameters()), dict(em.named_parameters())
        assert list(tp) == list(ep)
        for k in tp:
            assert_close_tensor(ep[k].grad, tp[k].grad, rtol * 10, atol * 10, what=k)
        same_state(tm, em, rtol, atol)
    tm.eval()
    em.eval()
    x = rng.standard_normal(shape).astype(npdt)
    assert_close_tensor(em(ember.tensor(x)), tm(torch.tensor(x)), rtol, atol, what="eval")


def test_defaults_state_dict_and_process_group():
    tm, em = torch.nn.SyncBatchNorm(4), ember.nn.SyncBatchNorm(4)
    assert repr(em) == repr(tm) and em.process_group is None
    same_state(tm, em)
    assert isinstance(em, ember.nn.modules.batchnorm._BatchNorm)
    assert ember.nn.SyncBatchNorm(4, process_group="g").process_group == "g"
    e64 = ember.nn.SyncBatchNorm(4, dtype=ember.float64, device="cpu")
    assert e64.weight.dtype == e64.running_mean.dtype == ember.float64
    assert e64.num_batches_tracked.dtype == ember.int64


def test_errors():
    em, tm = ember.nn.SyncBatchNorm(3), torch.nn.SyncBatchNorm(3)
    check_error(em, tm, np.ones(3, np.float32), match=["expected at least 2D input",
                                                       "got 1D input"])
    check_error(em, tm, np.ones((), np.float32), match=["expected at least 2D input"])
    check_error(em, tm, np.ones((4, 0), np.float32),
                match=["number of input channels should be non-zero"])
    check_error(em, tm, np.ones((1, 3), np.float32),
                match=["Expected more than 1 value per channel"])
    check_error(em, tm, np.ones((4, 5), np.float32), match=["running_mean"])
    em.eval()
    tm.eval()
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    assert_close_tensor(em(ember.tensor(x[:1])), tm(torch.tensor(x[:1])))   # eval: N=1 is fine


def _models(lib):
    nn = lib.nn
    return nn.Sequential(nn.Conv2d(2, 3, 3), nn.BatchNorm2d(3), nn.ReLU(),
                         nn.Sequential(nn.Flatten(), nn.Linear(12, 4),
                                       nn.BatchNorm1d(4, momentum=None, affine=False)),
                         nn.BatchNorm1d(4, eps=1e-3, bias=False))


def test_convert_sync_batchnorm(rng):
    tm = _models(torch).double()
    em = _models(ember).double()
    x = rng.standard_normal((5, 2, 4, 4))
    tm(torch.tensor(x))   # move the running stats away from their defaults
    em.load_state_dict(state_to_ember(tm.state_dict()))
    em[4].eval()
    tm[4].eval()
    old = [em[1], em[3][2], em[4]]
    ts = torch.nn.SyncBatchNorm.convert_sync_batchnorm(tm)
    es = ember.nn.SyncBatchNorm.convert_sync_batchnorm(em)
    assert es is em   # containers are modified in place, as torch's
    for i, path in enumerate([(1,), (3, 2), (4,)]):
        ms, mt = es, ts
        for j in path:
            ms, mt = ms[j], mt[j]
        assert type(ms) is ember.nn.SyncBatchNorm and type(mt) is torch.nn.SyncBatchNorm
        assert repr(ms) == repr(mt) and ms.training == mt.training == (i < 2)
        assert ms.running_mean is old[i].running_mean and ms.weight is old[i].weight
        assert ms.num_batches_tracked is old[i].num_batches_tracked
    assert type(es[0]) is ember.nn.Conv2d and type(es[3][1]) is ember.nn.Linear
    same_state(ts, es, 1e-10, 1e-12)
    xt = torch.tensor(x, requires_grad=True)
    xe = ember.tensor(x, requires_grad=True)
    yt, ye = ts(xt), es(xe)
    assert_close_tensor(ye, yt, 1e-10, 1e-12)
    ct = rng.standard_normal(tuple(yt.shape))
    yt.backward(torch.tensor(ct))
    ye.backward(ember.tensor(ct))
    assert_close_tensor(xe.grad, xt.grad, 1e-9, 1e-11, what="input grad")
    for (k, pe), (_, pt) in zip(es.named_parameters(), ts.named_parameters()):
        assert_close_tensor(pe.grad, pt.grad, 1e-9, 1e-11, what=k)
    same_state(ts, es, 1e-10, 1e-12)
    bn = ember.nn.BatchNorm1d(3)
    sb = ember.nn.SyncBatchNorm.convert_sync_batchnorm(bn, process_group="pg")
    assert type(sb) is ember.nn.SyncBatchNorm and sb.process_group == "pg"


@pytest.mark.skipif(not MPIEXEC.exists(), reason="needs mpiexec (pip install ember[mpi])")
def test_two_processes_match_one_batchnorm_over_the_whole_batch():
    assert min(oks(launch("worker_syncbn.py"))) > 150
