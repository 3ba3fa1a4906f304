"""LayerNorm, RMSNorm, GroupNorm, LocalResponseNorm and their functional forms vs torch."""

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import ember
import ember.nn.functional as F
from harness import assert_close_tensor, check, check_error, check_gradcheck


def compare_module(e_mod, t_mod, x, rng, steps=1, rtol=1e-5, atol=1e-5):
    """Load torch's state into ember's module, then compare outputs, input grads, parameter
    grads and buffers after `steps` forward/backward passes (random cotangents)."""
    e_mod.load_state_dict({k: ember.tensor(v.detach().numpy().copy())
                           for k, v in t_mod.state_dict().items()})
    assert list(e_mod.state_dict()) == list(t_mod.state_dict())
    for _ in range(steps):
        xe = ember.tensor(x, requires_grad=True)
        xt = torch.tensor(x, requires_grad=True)
        ye, yt = e_mod(xe), t_mod(xt)
        assert_close_tensor(ye, yt, rtol, atol, "output")
        cot = rng.standard_normal(tuple(yt.shape)).astype(x.dtype)
        ye.backward(ember.tensor(cot))
        yt.backward(torch.tensor(cot))
        assert_close_tensor(xe.grad, xt.grad, rtol * 10, atol * 10, "input grad")
    tp = dict(t_mod.named_parameters())
    for name, p in e_mod.named_parameters():
        assert_close_tensor(p.grad, tp[name].grad, rtol * 10, atol * 10, f"grad of {name}")
    tb = dict(t_mod.named_buffers())
    for name, b in e_mod.named_buffers():
        assert_close_tensor(b, tb[name], rtol, atol, f"buffer {name}")


MODULES = [
    ("LayerNorm", (5,), {}, (4, 3, 5)),
    ("LayerNorm", ((3, 5),), {"eps": 1e-3}, (4, 3, 5)),
    ("LayerNorm", (5,), {"bias": False}, (2, 5)),
    ("LayerNorm", (5,), {"elementwise_affine": False}, (2, 5)),
    ("RMSNorm", (5,), {}, (4, 3, 5)),
    ("RMSNorm", ([3, 5],), {"eps": 1e-2}, (2, 3, 5)),
    ("RMSNorm", (5,), {"elementwise_affine": False}, (3, 5)),
    ("GroupNorm", (2, 4), {}, (3, 4, 5)),
    ("GroupNorm", (4, 4), {"affine": False}, (3, 4, 2, 3)),
    ("GroupNorm", (1, 6), {"bias": False, "eps": 1e-3}, (2, 6)),
    ("LocalResponseNorm", (3,), {"alpha": 0.5}, (2, 6, 4)),
    ("LocalResponseNorm", (2,), {"k": 2.0, "beta": 0.6}, (2, 5, 3, 3)),
    ("LocalResponseNorm", (4,), {}, (1, 5, 2, 2, 2)),
]


@pytest.mark.parametrize("name,args,kwargs,shape", MODULES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_module_vs_torch(name, args, kwargs, shape, dtype, rng):
    t_mod = getattr(torch.nn, name)(*args, **kwargs).to(torch.float64 if dtype == np.float64
                                                        else torch.float32)
    with torch.no_grad():   # non-trivial affine parameters
        for p in t_mod.parameters():
            p.copy_(torch.from_numpy(rng.standard_normal(tuple(p.shape))))
    e_mod = getattr(ember.nn, name)(*args, **kwargs)
    if dtype == np.float64:
        e_mod = e_mod.double()
    assert repr(e_mod) == repr(t_mod)
    x = rng.standard_normal(shape).astype(dtype)
    tol = 1e-4 if dtype == np.float32 else 1e-9
    compare_module(e_mod, t_mod, x, rng, rtol=tol, atol=tol)
    e_mod.eval()
    t_mod.eval()
    compare_module(e_mod, t_mod, x, rng, rtol=tol, atol=tol)


def test_default_init_and_reprs():
    for e, t in [(ember.nn.LayerNorm(4), torch.nn.LayerNorm(4)),
                 (ember.nn.GroupNorm(2, 4, affine=True), torch.nn.GroupNorm(2, 4)),
                 (ember.nn.RMSNorm([2, 3], eps=1e-3), torch.nn.RMSNorm([2, 3], eps=1e-3)),
                 (ember.nn.LocalResponseNorm(2), torch.nn.LocalResponseNorm(2))]:
        assert repr(e) == repr(t)
        assert list(e.state_dict()) == list(t.state_dict())
        for (n, pe), (_, pt) in zip(e.named_parameters(), t.named_parameters()):
            np.testing.assert_array_equal(pe.detach().numpy(), pt.detach().numpy(), err_msg=n)


FUNCTIONAL = [  # (name, ember fn, torch fn, shapes, gradgrad)
    ("layer_norm", lambda x, w, b: F.layer_norm(x, [5], w, b),
     lambda x, w, b: TF.layer_norm(x, [5], w, b), [(3, 4, 5), (5,), (5,)], True),
    ("layer_norm2", lambda x, w, b: F.layer_norm(x, (4, 5), w, b, 1e-3),
     lambda x, w, b: TF.layer_norm(x, (4, 5), w, b, 1e-3), [(3, 4, 5), (4, 5), (4, 5)], True),
    ("layer_norm_plain", lambda x: F.layer_norm(x, [5]), lambda x: TF.layer_norm(x, [5]),
     [(2, 5)], True),
    ("rms_norm", lambda x, w: F.rms_norm(x, [5], w), lambda x, w: TF.rms_norm(x, [5], w),
     [(3, 4, 5), (5,)], True),
    ("rms_norm_eps", lambda x: F.rms_norm(x, [4, 5], eps=0.1),
     lambda x: TF.rms_norm(x, [4, 5], eps=0.1), [(3, 4, 5)], True),
    ("group_norm", lambda x, w, b: F.group_norm(x, 3, w, b),
     lambda x, w, b: TF.group_norm(x, 3, w, b), [(2, 6, 4), (6,), (6,)], True),
    ("group_norm_4d", lambda x: F.group_norm(x, 2), lambda x: TF.group_norm(x, 2),
     [(2, 4, 2, 3)], True),
    ("lrn", lambda x: F.local_response_norm(x, 3, 0.3, 0.7, 1.5),
     lambda x: TF.local_response_norm(x, 3, 0.3, 0.7, 1.5), [(2, 5, 3)], False),
]


@pytest.mark.parametrize("name,efn,tfn,shapes,gg", FUNCTIONAL, ids=[f[0] for f in FUNCTIONAL])
def test_functional(name, efn, tfn, shapes, gg, rng):
    xs = [rng.standard_normal(s) for s in shapes]
    check(efn, tfn, *xs, rng=rng, rtol=1e-9, atol=1e-10)
    check(efn, tfn, *[x.astype(np.float32) for x in xs], rng=rng, rtol=1e-4, atol=1e-5)
    check(efn, tfn, np.asfortranarray(xs[0]), *xs[1:], rng=rng, rtol=1e-9, atol=1e-10)
    check_gradcheck(efn, *xs, gradgrad=gg)


def test_functional_edge_cases(rng):
    big = rng.standard_normal((3, 8)) * 1e4 + 1e5   # large offset: stays finite and accurate
    check(lambda x: F.layer_norm(x, [8]), lambda x: TF.layer_norm(x, [8]), big, rng=rng,
          rtol=1e-6, atol=1e-6)
    check(lambda x: F.layer_norm(x, [4]), lambda x: TF.layer_norm(x, [4]),
          np.zeros((0, 4)), rng=rng)
    check(lambda x: F.local_response_norm(x, 2), lambda x: TF.local_response_norm(x, 2),
          np.zeros((0, 3, 2)), rng=rng)
    y = F.rms_norm(ember.tensor(np.zeros((2, 3), np.float32)), [3])   # eps = finfo.eps
    assert np.all(np.isfinite(y.numpy()))


ERRORS = [
    (lambda x: F.layer_norm(x, [3]), lambda x: TF.layer_norm(x, [3]), (2, 4),
     ["layer_norm", "[2, 4]", "normalized_shape=[3]"]),
    (lambda x: F.layer_norm(x, [4], ember.ones(3)), lambda x: TF.layer_norm(x, [4], torch.ones(3)),
     (2, 4), ["layer_norm", "weight", "[3]"]),
    (lambda x: F.rms_norm(x, [3]), lambda x: TF.rms_norm(x, [3]), (2, 4), ["rms_norm", "[2, 4]"]),
    (lambda x: F.group_norm(x, 2), lambda x: TF.group_norm(x, 2), (2, 5),
     ["group_norm", "num_groups=2", "[2, 5]"]),
    (lambda x: F.local_response_norm(x, 2), lambda x: TF.local_response_norm(x, 2), (2, 3),
     ["local_response_norm", "got 2 dimensions"]),
    (lambda x: ember.nn.LayerNorm(3)(x), lambda x: torch.nn.LayerNorm(3)(x), (2, 4),
     ["[2, 4]"]),
    (lambda x: ember.nn.GroupNorm(3, 4), lambda x: torch.nn.GroupNorm(3, 4), (1,),
     ["num_channels (4) must be divisible by num_groups (3)"]),
]


@pytest.mark.parametrize("efn,tfn,shape,match", ERRORS)
def test_errors(efn, tfn, shape, match):
    check_error(efn, tfn, np.ones(shape, np.float32), match=match)


@pytest.mark.parametrize("have", ["none", "mean", "var"])
def test_instance_norm_eval_needs_running_stats(have, rng):
    x = rng.standard_normal((2, 3, 4)).astype(np.float32)
    kw = {"mean": {"running_mean": np.zeros(3, np.float32)},
          "var": {"running_var": np.ones(3, np.float32)}, "none": {}}[have]
    check_error(lambda x: F.instance_norm(x, use_input_stats=False,
                                          **{k: ember.tensor(v) for k, v in kw.items()}),
                lambda x: TF.instance_norm(x, use_input_stats=False,
                                           **{k: torch.tensor(v) for k, v in kw.items()}),
                x, match=["Expected running_mean and running_var to be defined when "
                          "use_input_stats is false"])
