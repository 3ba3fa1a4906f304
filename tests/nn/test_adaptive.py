"""nn.AdaptiveLogSoftmaxWithLoss vs torch: forward, loss, log_prob, predict, grads, errors."""

import numpy as np
import pytest
import torch

import ember
from harness import assert_close_tensor, check_error, check_gradcheck, same_state, state_to_ember

CONFIGS = [   # in_features, n_classes, cutoffs, div_value
    (16, 10, [3, 6], 4.0),
    (6, 12, [2], 2.0),
    (16, 20, [4, 9, 15], 2.0),
]
DTYPES = [(np.float32, torch.float32, ember.float32, 1e-5, 1e-6),
          (np.float64, torch.float64, ember.float64, 1e-10, 1e-12)]


def _pair(cfg, head_bias, tdt, edt):
    f, n, cutoffs, div = cfg
    tm = torch.nn.AdaptiveLogSoftmaxWithLoss(f, n, cutoffs, div_value=div, head_bias=head_bias,
                                             dtype=tdt)
    em = ember.nn.AdaptiveLogSoftmaxWithLoss(f, n, cutoffs, div_value=div, head_bias=head_bias,
                                             dtype=edt)
    em.load_state_dict(state_to_ember(tm.state_dict()))
    return tm, em


def _targets(rng, n_classes, cutoffs, size):
    """Targets hitting the head and every cluster, then shuffled."""
    bounds = [0] + list(cutoffs) + [n_classes]
    t = [rng.integers(lo, hi) for lo, hi in zip(bounds[:-1], bounds[1:])]
    t += list(rng.integers(0, n_classes, size - len(t)))
    return rng.permutation(np.array(t, dtype=np.int64))


@pytest.mark.parametrize("cfg", CONFIGS)
@pytest.mark.parametrize("head_bias", [False, True])
@pytest.mark.parametrize("dt", DTYPES, ids=["float32", "float64"])
def test_forward_loss_log_prob_grads(cfg, head_bias, dt, rng):
    npdt, tdt, edt, rtol, atol = dt
    tm, em = _pair(cfg, head_bias, tdt, edt)
    same_state(tm, em)
    assert repr(em) == repr(tm)
    f, n, cutoffs, _ = cfg
    x = rng.standard_normal((9, f)).astype(npdt)
    tgt = _targets(rng, n, cutoffs, 9)
    xt = torch.tensor(x, requires_grad=True)
    xe = ember.tensor(x, requires_grad=True)
    rt = tm(xt, torch.tensor(tgt))
    re = em(xe, ember.tensor(tgt))
    assert type(re).__name__ == "_ASMoutput" and re._fields == ("output", "loss")
    assert_close_tensor(re.output, rt.output, rtol, atol, what="output")
    assert_close_tensor(re.loss, rt.loss, rtol, atol, what="loss")
    rt.loss.backward()
    re.loss.backward()
    assert_close_tensor(xe.grad, xt.grad, rtol * 10, atol * 10, what="input grad")
    tp, ep = dict(tm.named_parameters()), dict(em.named_parameters())
    assert list(tp) == list(ep)
    for k in tp:
        assert_close_tensor(ep[k].grad, tp[k].grad, rtol * 10, atol * 10, what=f"grad of {k}")
    lt = tm.log_prob(torch.tensor(x))
    le = em.log_prob(ember.tensor(x))
    assert_close_tensor(le, lt, rtol, atol, what="log_prob")
    np.testing.assert_allclose(np.exp(le.detach().numpy().astype(np.float64)).sum(1), 1,
                               rtol=1e-5)
    # log_prob is differentiable: grads of a weighted sum match torch's
    w = rng.standard_normal(lt.shape).astype(npdt)
    tm.zero_grad()
    em.zero_grad()
    (lt * torch.tensor(w)).sum().backward()
    (le * ember.tensor(w)).sum().backward()
    for k in tp:
        assert_close_tensor(ep[k].grad, tp[k].grad, rtol * 10, atol * 10, what=f"grad of {k}")


@pytest.mark.parametrize("head_bias", [False, True])
def test_unbatched(head_bias, rng):
    tm, em = _pair(CONFIGS[0], head_bias, torch.float64, ember.float64)
    x = rng.standard_normal(16)
    for tgt in (1, 4, 8):
        xt = torch.tensor(x, requires_grad=True)
        xe = ember.tensor(x, requires_grad=True)
        rt = tm(xt, torch.tensor(tgt))
        re = em(xe, ember.tensor(tgt))
        assert_close_tensor(re.output, rt.output, 1e-10, 1e-12, what="output")
        assert_close_tensor(re.loss, rt.loss, 1e-10, 1e-12, what="loss")
        rt.loss.backward()
        re.loss.backward()
        assert_close_tensor(xe.grad, xt.grad, 1e-9, 1e-11, what="input grad")


@pytest.mark.parametrize("shift", ["shortlist", "clusters", "mixed"])
def test_predict(shift, rng):
    tm, em = _pair(CONFIGS[2], True, torch.float64, ember.float64)
    bias = rng.standard_normal(tm.head_size) * 0.1
    if shift == "shortlist":
        bias[:tm.shortlist_size] += 20
    elif shift == "clusters":
        bias[tm.shortlist_size:] += 20
    with torch.no_grad():
        tm.head.bias.copy_(torch.tensor(bias))
    em.load_state_dict(state_to_ember(tm.state_dict()))
    x = rng.standard_normal((12, 16)) * 3
    pt = tm.predict(torch.tensor(x))
    pe = em.predict(ember.tensor(x))
    assert pe.dtype == ember.int64 and tuple(pe.shape) == (12,)
    # rows where the decision is not a near-tie must agree exactly
    lp = np.sort(tm.log_prob(torch.tensor(x)).detach().numpy(), axis=1)
    clear = lp[:, -1] - lp[:, -2] > 1e-6
    np.testing.assert_array_equal(pe.numpy()[clear], pt.numpy()[clear])


def test_gradcheck_input(rng):
    em = ember.nn.AdaptiveLogSoftmaxWithLoss(6, 10, [3, 6], div_value=2.0, head_bias=True,
                                             dtype=ember.float64)
    tgt = ember.tensor(_targets(rng, 10, [3, 6], 5))
    x = rng.standard_normal((5, 6))
    check_gradcheck(lambda inp: em(inp, tgt).loss, x)
    check_gradcheck(lambda inp: em(inp, tgt).output, x)
    check_gradcheck(lambda inp: em.log_prob(inp), x)


def test_load_torch_state_dict_and_device_dtype():
    tm = torch.nn.AdaptiveLogSoftmaxWithLoss(16, 10, [3, 6], head_bias=True)
    em = ember.nn.AdaptiveLogSoftmaxWithLoss(16, 10, [3, 6], head_bias=True, device="cpu",
                                             dtype=ember.float64)
    assert all(p.dtype == ember.float64 for p in em.parameters())
    em.load_state_dict(state_to_ember(tm.state_dict()))
    assert (em.cutoffs, em.shortlist_size, em.n_clusters, em.head_size) == (
        tm.cutoffs, tm.shortlist_size, tm.n_clusters, tm.head_size)
    assert isinstance(em.tail, ember.nn.ModuleList)
    assert all(isinstance(s, ember.nn.Sequential) and len(s) == 2 for s in em.tail)
    assert em.head.bias is not None
    assert ember.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [3]).head.bias is None
    em.reset_parameters()
    assert not np.allclose(em.head.weight.detach().numpy(), tm.head.weight.detach().numpy())


@pytest.mark.parametrize("cutoffs", [[], [3, 10], [6, 3], [0, 3], [3, 3], [3.5], [-1]])
def test_bad_cutoffs(cutoffs):
    check_error(lambda: ember.nn.AdaptiveLogSoftmaxWithLoss(8, 10, cutoffs),
                lambda: torch.nn.AdaptiveLogSoftmaxWithLoss(8, 10, cutoffs),
                match=["cutoffs should be a sequence"])


def test_forward_errors(rng):
    tm, em = _pair(CONFIGS[0], False, torch.float32, ember.float32)
    x = rng.standard_normal((5, 16)).astype(np.float32)
    t = np.array([0, 4, 9, 2, 7])
    cases = [
        (x, t[:3], ["same size in the batch dimension"]),
        (x[0], t, ["same size in the batch dimension"]),
        (x, np.array([0, 1, 2, 3, 10]), ["Target values should be in [0, 9]", "[0, 10]"]),
        (x, np.array([0, 1, -1, 3, 4]), ["Target values should be in [0, 9]", "[-1, 4]"]),
        (x[0], np.array(11), ["Target values should be in [0, 9]"]),
        (x, np.array(1), ["0D target tensor expects 1D input"]),
        (x[:, None], t, ["1D target tensor expects 2D input"]),
        (x, t[:, None], ["multi-target not supported"]),
        (x[:, :3], t, ["shapes cannot be multiplied"]),
        (x, t.astype(np.float32), ["gather", "int64"]),
    ]
    for xi, ti, match in cases:
        check_error(lambda a, b: em(a, b), lambda a, b: tm(a, b), xi, ti, match=match)
    for meth in ("log_prob", "predict"):
        check_error(getattr(em, meth), getattr(tm, meth), x[0], match=["Dimension out of range"])
