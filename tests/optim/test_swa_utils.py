"""optim.swa_utils vs torch.optim.swa_utils: AveragedModel averages (default, EMA, SWA, custom
avg_fn, use_buffers), state_dicts, SWALR lr sequences, update_bn running stats, errors."""

import warnings

import numpy as np
import pytest
import torch
from torch.optim import swa_utils as T

import ember
from ember import nn, optim
from ember.optim import swa_utils as E


def _models(dtype):
    em = nn.Sequential(nn.Linear(4, 5), nn.BatchNorm1d(5), nn.ReLU(), nn.Linear(5, 3))
    tm = torch.nn.Sequential(torch.nn.Linear(4, 5), torch.nn.BatchNorm1d(5), torch.nn.ReLU(),
                             torch.nn.Linear(5, 3))
    if dtype == "float64":
        em, tm = em.double(), tm.double()
    return em, tm


def _randomize(em, tm, rng, dtype):
    """Give both models the same random parameters and buffers (train-mode stats and counts)."""
    sd = {}
    for k, v in tm.state_dict().items():
        if k.endswith("num_batches_tracked"):
            sd[k] = np.array(rng.integers(0, 50), dtype=np.int64)
        elif k.endswith("running_var"):
            sd[k] = rng.uniform(0.5, 2.0, tuple(v.shape)).astype(dtype)
        else:
            sd[k] = rng.standard_normal(tuple(v.shape)).astype(dtype)
    em.load_state_dict({k: ember.tensor(a) for k, a in sd.items()})
    tm.load_state_dict({k: torch.tensor(a) for k, a in sd.items()})


def _assert_state_dicts(e_sd, t_sd, tol=1e-6):
    assert list(e_sd.keys()) == list(t_sd.keys())
    for k in t_sd:
        e, t = e_sd[k].detach().numpy(), t_sd[k].detach().numpy()
        assert e.dtype == t.dtype, k
        np.testing.assert_allclose(e, t, rtol=tol, atol=tol / 10, err_msg=k)


AVG = [
    ("default", {}, {}),
    ("ema_multi", dict(multi_avg_fn=E.get_ema_multi_avg_fn(0.9)),
     dict(multi_avg_fn=T.get_ema_multi_avg_fn(0.9))),
    ("ema_multi_default", dict(multi_avg_fn=E.get_ema_multi_avg_fn()),
     dict(multi_avg_fn=T.get_ema_multi_avg_fn())),
    ("swa_multi", dict(multi_avg_fn=E.get_swa_multi_avg_fn()),
     dict(multi_avg_fn=T.get_swa_multi_avg_fn())),
    ("ema", dict(avg_fn=E.get_ema_avg_fn(0.75)), dict(avg_fn=T.get_ema_avg_fn(0.75))),
    ("swa", dict(avg_fn=E.get_swa_avg_fn()), dict(avg_fn=T.get_swa_avg_fn())),
    ("custom", dict(avg_fn=lambda a, m, n: 0.5 * a + 0.5 * m),
     dict(avg_fn=lambda a, m, n: 0.5 * a + 0.5 * m)),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("use_buffers", [False, True])
@pytest.mark.parametrize("name,ekw,tkw", AVG, ids=[a[0] for a in AVG])
def test_averaged_model_matches_torch(rng, dtype, use_buffers, name, ekw, tkw):
    em, tm = _models(dtype)
    _randomize(em, tm, rng, dtype)
    e_avg = E.AveragedModel(em, use_buffers=use_buffers, **ekw)
    t_avg = T.AveragedModel(tm, use_buffers=use_buffers, **tkw)
    _assert_state_dicts(e_avg.state_dict(), t_avg.state_dict())
    if name == "swa_multi" and use_buffers:
        # the int64 num_batches_tracked buffer hits torch's integer addcdiv error
        e_avg.update_parameters(em)
        t_avg.update_parameters(tm)
        with pytest.raises(RuntimeError, match="Integer division with addcdiv"):
            t_avg.update_parameters(tm)
        with pytest.raises(RuntimeError, match="Integer division with addcdiv"):
            e_avg.update_parameters(em)
        return
    for _ in range(5):
        _randomize(em, tm, rng, dtype)
        e_avg.update_parameters(em)
        t_avg.update_parameters(tm)
        _assert_state_dicts(e_avg.state_dict(), t_avg.state_dict())
    assert e_avg.n_averaged.item() == 5
    assert [k for k, _ in e_avg.named_parameters()] == [k for k, _ in t_avg.named_parameters()]
    assert [k for k, _ in e_avg.named_buffers()] == [k for k, _ in t_avg.named_buffers()]
    # the source model is untouched, and the averaged model is a separate copy
    assert e_avg.module is not em
    assert e_avg.module[0].weight is not em[0].weight
    # forward runs the averaged module
    x = rng.standard_normal((6, 4)).astype(dtype)
    e_avg.eval()
    t_avg.eval()
    np.testing.assert_allclose(e_avg(ember.tensor(x)).detach().numpy(),
                               t_avg(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-6)


def test_averaged_model_first_update_copies_and_params_keep_grad(rng):
    em, tm = _models("float32")
    _randomize(em, tm, rng, "float32")
    e_avg = E.AveragedModel(em)
    _randomize(em, tm, rng, "float32")
    e_avg.update_parameters(em)
    np.testing.assert_array_equal(e_avg.module[0].weight.detach().numpy(),
                                  em[0].weight.detach().numpy())
    assert e_avg.module[0].weight.requires_grad
    assert e_avg.n_averaged.dtype == ember.int64 and e_avg.n_averaged.shape == ()


def test_averaged_model_load_state_dict(rng):
    em, tm = _models("float32")
    _randomize(em, tm, rng, "float32")
    e_avg = E.AveragedModel(em)
    t_avg = T.AveragedModel(tm)
    for _ in range(3):
        _randomize(em, tm, rng, "float32")
        e_avg.update_parameters(em)
        t_avg.update_parameters(tm)
    e2 = E.AveragedModel(em)
    e2.load_state_dict({k: ember.tensor(v.numpy()) for k, v in t_avg.state_dict().items()})
    _assert_state_dicts(e2.state_dict(), t_avg.state_dict())
    assert e2.n_averaged.item() == 3


def test_averaged_model_device_cpu(rng):
    em, tm = _models("float32")
    e_avg = E.AveragedModel(em, device="cpu")
    t_avg = T.AveragedModel(tm, device="cpu")
    assert e_avg.n_averaged.device.type == t_avg.n_averaged.device.type == "cpu"


def test_averaged_model_errors():
    em, _ = _models("float32")
    with pytest.raises(AssertionError, match="Only one of avg_fn and multi_avg_fn"):
        E.AveragedModel(em, avg_fn=E.get_swa_avg_fn(), multi_avg_fn=E.get_swa_multi_avg_fn())
    with pytest.raises(AssertionError, match="Only one of avg_fn and multi_avg_fn"):
        T.AveragedModel(torch.nn.Linear(2, 2), avg_fn=T.get_swa_avg_fn(),
                        multi_avg_fn=T.get_swa_multi_avg_fn())


@pytest.mark.parametrize("decay", [-0.1, 1.5])
@pytest.mark.parametrize("fn", ["get_ema_avg_fn", "get_ema_multi_avg_fn"])
def test_ema_decay_errors(fn, decay):
    msg = f"Invalid decay value {decay} provided"
    with pytest.raises(ValueError, match=msg):
        getattr(T, fn)(decay)
    with pytest.raises(ValueError, match=msg):
        getattr(E, fn)(decay)


def test_avg_fns_single_tensor(rng):
    a, m = rng.standard_normal((2, 3, 4))
    for n in (0, 3):
        for en, tn in [(E.get_swa_avg_fn(), T.get_swa_avg_fn()),
                       (E.get_ema_avg_fn(0.8), T.get_ema_avg_fn(0.8))]:
            e = en(ember.tensor(a), ember.tensor(m), ember.tensor(n))
            t = tn(torch.tensor(a), torch.tensor(m), torch.tensor(n))
            assert e.dtype == ember.float64
            np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-12)


def test_multi_avg_fns_int_tensors(rng):
    a = rng.integers(-20, 20, (2, 5))
    m = rng.integers(-20, 20, (2, 5))
    el, tl = [ember.tensor(x) for x in a], [torch.tensor(x) for x in a]
    E.get_ema_multi_avg_fn(0.5)(el, [ember.tensor(x) for x in m], 0)
    T.get_ema_multi_avg_fn(0.5)(tl, [torch.tensor(x) for x in m], 0)
    for e, t in zip(el, tl):
        assert e.dtype == ember.int64
        np.testing.assert_array_equal(e.numpy(), t.numpy())
    # integer SWA: a float alpha (int count) or an integer addcdiv (tensor count) is an error
    for n_e, n_t, match in [(3, 3, "argument alpha must not be a floating point number"),
                            (ember.tensor(3), torch.tensor(3), "Integer division with addcdiv")]:
        with pytest.raises(RuntimeError, match=match):
            T.get_swa_multi_avg_fn()([torch.tensor(x) for x in a],
                                     [torch.tensor(x) for x in m], n_t)
        with pytest.raises(RuntimeError, match=match):
            E.get_swa_multi_avg_fn()([ember.tensor(x) for x in a],
                                     [ember.tensor(x) for x in m], n_e)


def _sched_opts(lr=0.1):
    ep = [nn.Parameter(ember.ones(2)), nn.Parameter(ember.ones(3))]
    tp = [torch.nn.Parameter(torch.ones(2)), torch.nn.Parameter(torch.ones(3))]
    groups = lambda ps: [{"params": ps[:1]}, {"params": ps[1:], "lr": 0.05}]  # noqa: E731
    return optim.SGD(groups(ep), lr=lr), torch.optim.SGD(groups(tp), lr=lr)


@pytest.mark.parametrize("strategy", ["cos", "linear"])
@pytest.mark.parametrize("anneal_epochs", [0, 1, 5, 10])
@pytest.mark.parametrize("swa_lr", [0.02, [0.3, 0.01]])
def test_swalr_matches_torch(strategy, anneal_epochs, swa_lr):
    eo, to = _sched_opts()
    es = E.SWALR(eo, swa_lr, anneal_epochs=anneal_epochs, anneal_strategy=strategy)
    ts = T.SWALR(to, swa_lr, anneal_epochs=anneal_epochs, anneal_strategy=strategy)
    assert es.get_last_lr() == pytest.approx(ts.get_last_lr(), rel=1e-12)
    for _ in range(15):
        eo.step()
        to.step()
        es.step()
        ts.step()
        assert es.get_last_lr() == pytest.approx(ts.get_last_lr(), rel=1e-12)
        assert [g["lr"] for g in eo.param_groups] == pytest.approx(
            [g["lr"] for g in to.param_groups], rel=1e-12)
    assert [g["swa_lr"] for g in eo.param_groups] == [g["swa_lr"] for g in to.param_groups]


def test_swalr_after_another_scheduler():
    eo, to = _sched_opts()
    ec = optim.lr_scheduler.CosineAnnealingLR(eo, T_max=20)
    tc = torch.optim.lr_scheduler.CosineAnnealingLR(to, T_max=20)
    es = E.SWALR(eo, swa_lr=0.05, anneal_epochs=4)
    ts = T.SWALR(to, swa_lr=0.05, anneal_epochs=4)
    for i in range(12):
        eo.step()
        to.step()
        if i < 5:
            ec.step()
            tc.step()
        else:
            es.step()
            ts.step()
        assert [g["lr"] for g in eo.param_groups] == pytest.approx(
            [g["lr"] for g in to.param_groups], rel=1e-12)


def test_swalr_state_dict_round_trip():
    eo, to = _sched_opts()
    es = E.SWALR(eo, 0.02, anneal_epochs=6, anneal_strategy="linear")
    ts = T.SWALR(to, 0.02, anneal_epochs=6, anneal_strategy="linear")
    for _ in range(3):
        eo.step()
        es.step()
        to.step()
        ts.step()
    sd = es.state_dict()
    assert sorted(sd) == sorted(ts.state_dict())
    assert "anneal_func" not in sd and sd["_anneal_strategy"] == "linear"
    eo2, _ = _sched_opts()
    es2 = E.SWALR(eo2, 0.02, anneal_strategy="cos")
    es2.load_state_dict(sd)
    assert es2.anneal_func is E.SWALR._linear_anneal
    assert es2.anneal_epochs == 6 and es2.last_epoch == es.last_epoch
    assert es2.get_last_lr() == es.get_last_lr()


def test_swalr_get_lr_warns_outside_step():
    eo, _ = _sched_opts()
    es = E.SWALR(eo, 0.02)
    with pytest.warns(UserWarning, match="please use `get_last_lr\\(\\)`"):
        es.get_lr()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        eo.step()
        es.step()


@pytest.mark.parametrize("kw,match", [
    (dict(anneal_strategy="exp"), "anneal_strategy must be one of 'cos' or 'linear', "
                                  "instead got exp"),
    (dict(anneal_epochs=-1), "anneal_epochs must be equal or greater than 0, got -1"),
    (dict(anneal_epochs=2.5), "anneal_epochs must be equal or greater than 0, got 2.5"),
])
def test_swalr_errors(kw, match):
    eo, to = _sched_opts()
    with pytest.raises(ValueError) as te:
        T.SWALR(to, 0.05, **kw)
    with pytest.raises(ValueError) as ee:
        E.SWALR(eo, 0.05, **kw)
    assert match in str(te.value) and match in str(ee.value)


def test_swalr_swa_lr_list_length_error():
    eo, to = _sched_opts()
    msg = "swa_lr must have the same length as optimizer.param_groups"
    with pytest.raises(ValueError, match=msg):
        T.SWALR(to, [0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match=msg):
        E.SWALR(eo, [0.1, 0.2, 0.3])


def _bn_models(momentum):
    em = nn.Sequential(nn.Conv2d(2, 3, 3), nn.BatchNorm2d(3, momentum=momentum), nn.ReLU(),
                       nn.Flatten(), nn.Linear(12, 4), nn.BatchNorm1d(4))
    tm = torch.nn.Sequential(torch.nn.Conv2d(2, 3, 3), torch.nn.BatchNorm2d(3, momentum=momentum),
                             torch.nn.ReLU(), torch.nn.Flatten(), torch.nn.Linear(12, 4),
                             torch.nn.BatchNorm1d(4))
    return em, tm


@pytest.mark.parametrize("batch_kind", ["tensor", "tuple", "list"])
@pytest.mark.parametrize("training", [False, True])
def test_update_bn_matches_torch(rng, batch_kind, training):
    em, tm = _bn_models(0.3)
    sd = {k: rng.standard_normal(tuple(v.shape)).astype(np.float32)
          for k, v in tm.state_dict().items() if not k.endswith("num_batches_tracked")}
    em.load_state_dict({k: ember.tensor(a) for k, a in sd.items()}, strict=False)
    tm.load_state_dict({k: torch.tensor(a) for k, a in sd.items()}, strict=False)
    em.train(training)
    tm.train(training)
    batches = [rng.standard_normal((n, 2, 4, 4)).astype(np.float32) for n in (5, 3, 7, 2)]
    labels = [rng.integers(0, 4, len(b)) for b in batches]

    def loader(lib):
        for x, y in zip(batches, labels):
            if batch_kind == "tensor":
                yield lib.tensor(x)
            elif batch_kind == "tuple":
                yield lib.tensor(x), lib.tensor(y)
            else:
                yield [lib.tensor(x), lib.tensor(y)]

    E.update_bn(loader(ember), em)
    T.update_bn(loader(torch), tm)
    _assert_state_dicts(em.state_dict(), tm.state_dict(), tol=1e-5)
    assert em[5].num_batches_tracked.item() == 4
    assert em.training is training and all(m.training is training for m in em.modules())
    assert em[1].momentum == 0.3 and em[5].momentum == 0.1


def test_update_bn_on_averaged_model_with_device(rng):
    em, tm = _bn_models(None)
    e_avg, t_avg = E.AveragedModel(em), T.AveragedModel(tm)
    e_avg.module.load_state_dict({k: ember.tensor(v.numpy())
                                  for k, v in t_avg.module.state_dict().items()})
    batches = [rng.standard_normal((4, 2, 4, 4)).astype(np.float32) for _ in range(3)]
    E.update_bn([ember.tensor(b) for b in batches], e_avg, device="cpu")
    T.update_bn([torch.tensor(b) for b in batches], t_avg, device="cpu")
    _assert_state_dicts(e_avg.state_dict(), t_avg.state_dict(), tol=1e-5)
    assert e_avg.module[1].momentum is None


def test_update_bn_without_batchnorm_is_a_no_op(rng):
    m = nn.Linear(3, 2)
    m.eval()
    calls = []

    class Loader:
        def __iter__(self):
            calls.append(1)
            return iter([ember.ones(2, 3)])

    E.update_bn(Loader(), m)
    assert calls == [] and not m.training
