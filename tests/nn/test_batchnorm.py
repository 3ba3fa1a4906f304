"""BatchNorm1d/2d/3d, InstanceNorm1d/2d/3d and F.batch_norm / F.instance_norm vs torch."""

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from test_normalization import compare_module

import ember
import ember.nn.functional as F
from harness import check, check_error, check_gradcheck

CASES = [
    ("BatchNorm1d", (3,), {}, (4, 3)),
    ("BatchNorm1d", (3,), {"momentum": None}, (4, 3, 5)),
    ("BatchNorm1d", (3,), {"affine": False, "eps": 1e-3}, (4, 3, 5)),
    ("BatchNorm1d", (3,), {"track_running_stats": False}, (4, 3)),
    ("BatchNorm2d", (3,), {}, (2, 3, 4, 5)),
    ("BatchNorm2d", (3,), {"momentum": None, "bias": False}, (2, 3, 2, 2)),
    ("BatchNorm3d", (2,), {"momentum": 0.3}, (2, 2, 3, 2, 2)),
    ("InstanceNorm1d", (3,), {}, (2, 3, 5)),
    ("InstanceNorm1d", (3,), {"affine": True, "track_running_stats": True}, (2, 3, 5)),
    ("InstanceNorm1d", (3,), {"affine": True}, (3, 5)),   # unbatched
    ("InstanceNorm2d", (3,), {"track_running_stats": True, "momentum": 0.2}, (2, 3, 4, 3)),
    ("InstanceNorm3d", (2,), {"affine": True}, (2, 2, 3, 2, 2)),
]


@pytest.mark.parametrize("name,args,kwargs,shape", CASES)
def test_module_train_eval_running_stats(name, args, kwargs, shape, rng):
    t_mod = getattr(torch.nn, name)(*args, **kwargs).double()
    with torch.no_grad():
        for p in t_mod.parameters():
            p.copy_(torch.from_numpy(rng.standard_normal(tuple(p.shape))))
    e_mod = getattr(ember.nn, name)(*args, **kwargs).double()
    assert repr(e_mod) == repr(t_mod)
    x = rng.standard_normal(shape) * 2 + 1
    compare_module(e_mod, t_mod, x, rng, steps=3, rtol=1e-9, atol=1e-9)   # train: 3 steps
    if e_mod.num_batches_tracked is not None:
        assert e_mod.num_batches_tracked.dtype == ember.int64
        n = int(t_mod.num_batches_tracked)   # instance norm does not count batches
        assert int(e_mod.num_batches_tracked) == n == (3 if "Batch" in name else 0)
    e_mod.eval()
    t_mod.eval()
    for p in list(e_mod.parameters()) + list(t_mod.parameters()):
        p.grad = None
    compare_module(e_mod, t_mod, x, rng, steps=1, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("momentum", [0.1, None])
def test_running_stats_float32_several_batches(momentum, rng):
    t_mod = torch.nn.BatchNorm2d(4, momentum=momentum)
    e_mod = ember.nn.BatchNorm2d(4, momentum=momentum)
    for _ in range(4):
        x = (rng.standard_normal((3, 4, 2, 2)) * 3 + 2).astype(np.float32)
        e_mod(ember.tensor(x))
        t_mod(torch.tensor(x))
    for name in ("running_mean", "running_var", "num_batches_tracked"):
        np.testing.assert_allclose(getattr(e_mod, name).numpy(),
                                   getattr(t_mod, name).numpy(), rtol=1e-5, err_msg=name)


def test_default_state_and_reprs():
    for e, t in [(ember.nn.BatchNorm1d(3), torch.nn.BatchNorm1d(3)),
                 (ember.nn.BatchNorm2d(3, momentum=None, affine=False,
                                       track_running_stats=False),
                  torch.nn.BatchNorm2d(3, momentum=None, affine=False,
                                       track_running_stats=False)),
                 (ember.nn.InstanceNorm1d(3), torch.nn.InstanceNorm1d(3)),
                 (ember.nn.InstanceNorm2d(3, affine=True, track_running_stats=True),
                  torch.nn.InstanceNorm2d(3, affine=True, track_running_stats=True))]:
        assert repr(e) == repr(t)
        se, st = e.state_dict(), t.state_dict()
        assert list(se) == list(st)
        for k in st:
            np.testing.assert_array_equal(se[k].numpy(), st[k].numpy(), err_msg=k)
    bn = ember.nn.BatchNorm1d(3, track_running_stats=False)
    assert bn.running_mean is None and bn.num_batches_tracked is None


@pytest.mark.parametrize("training", [True, False])
def test_functional_batch_norm(training, rng):
    x = rng.standard_normal((4, 3, 5))
    w, b = rng.standard_normal(3), rng.standard_normal(3)
    rm, rv = rng.standard_normal(3), rng.random(3) + 0.5
    em, ev, tm, tv = (ember.tensor(rm), ember.tensor(rv), torch.tensor(rm), torch.tensor(rv))
    check(lambda x, w, b: F.batch_norm(x, em, ev, w, b, training, 0.2),
          lambda x, w, b: TF.batch_norm(x, tm, tv, w, b, training, 0.2), x, w, b, rng=rng,
          rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(em.numpy(), tm.numpy(), rtol=1e-12)
    np.testing.assert_allclose(ev.numpy(), tv.numpy(), rtol=1e-12)
    check_gradcheck(lambda x, w, b: F.batch_norm(x, ember.tensor(rm), ember.tensor(rv), w, b,
                                                 training), x, w, b, gradgrad=True)
    check(lambda x: F.batch_norm(x, None, None, training=True),
          lambda x: TF.batch_norm(x, None, None, training=True),
          np.asfortranarray(rng.standard_normal((5, 2)).astype(np.float32)), rng=rng,
          rtol=1e-4, atol=1e-5)


def test_functional_instance_norm(rng):
    x = rng.standard_normal((2, 3, 4))
    w, b = rng.standard_normal(3), rng.standard_normal(3)
    rm, rv = rng.standard_normal(3), rng.random(3) + 0.5
    em, ev, tm, tv = (ember.tensor(rm), ember.tensor(rv), torch.tensor(rm), torch.tensor(rv))
    check(lambda x, w, b: F.instance_norm(x, em, ev, w, b, momentum=0.3),
          lambda x, w, b: TF.instance_norm(x, tm, tv, w, b, momentum=0.3), x, w, b, rng=rng,
          rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(em.numpy(), tm.numpy(), rtol=1e-12)
    np.testing.assert_allclose(ev.numpy(), tv.numpy(), rtol=1e-12)
    check(lambda x, w, b: F.instance_norm(x, em, ev, w, b, use_input_stats=False),
          lambda x, w, b: TF.instance_norm(x, tm, tv, w, b, use_input_stats=False), x, w, b,
          rng=rng, rtol=1e-9, atol=1e-10)
    check_gradcheck(lambda x, w, b: F.instance_norm(x, weight=w, bias=b), x, w, b,
                    gradgrad=True)


ERRORS = [
    (lambda x: ember.nn.BatchNorm1d(3)(x), lambda x: torch.nn.BatchNorm1d(3)(x), (2, 3, 2, 2),
     ["expected 2D or 3D input (got 4D input"]),
    (lambda x: ember.nn.BatchNorm2d(3)(x), lambda x: torch.nn.BatchNorm2d(3)(x), (2, 3),
     ["expected 4D input (got 2D input"]),
    (lambda x: ember.nn.BatchNorm3d(3)(x), lambda x: torch.nn.BatchNorm3d(3)(x), (2, 3, 1, 1),
     ["expected 5D input (got 4D input"]),
    (lambda x: ember.nn.BatchNorm1d(3)(x), lambda x: torch.nn.BatchNorm1d(3)(x), (1, 3),
     ["Expected more than 1 value per channel when training", "[1, 3]"]),
    (lambda x: ember.nn.BatchNorm1d(4)(x), lambda x: torch.nn.BatchNorm1d(4)(x), (2, 3),
     ["running_mean should contain 3 elements not 4"]),
    (lambda x: F.batch_norm(x, None, None, ember.ones(2), training=True),
     lambda x: TF.batch_norm(x, None, None, torch.ones(2), training=True), (4, 3),
     ["weight should contain 3 elements not 2"]),
    (lambda x: F.instance_norm(x), lambda x: TF.instance_norm(x), (2, 3, 1),
     ["Expected more than 1 spatial element when training"]),
    (lambda x: ember.nn.InstanceNorm1d(3)(x), lambda x: torch.nn.InstanceNorm1d(3)(x),
     (2, 3, 2, 2), ["expected 2D or 3D input (got 4D input"]),
    (lambda x: ember.nn.InstanceNorm2d(4, affine=True)(x),
     lambda x: torch.nn.InstanceNorm2d(4, affine=True)(x), (2, 3, 2, 2),
     ["match num_features (4), but got: 3"]),
]


@pytest.mark.parametrize("efn,tfn,shape,match", ERRORS)
def test_errors(efn, tfn, shape, match):
    check_error(efn, tfn, np.ones(shape, np.float32), match=match)
