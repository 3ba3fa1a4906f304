"""nn.utils against torch: clip_grad_norm_ (every norm type), clip_grad_value_, get_total_norm,
clip_grads_with_norm_, parameters_to_vector, vector_to_parameters."""

import math

import numpy as np
import pytest
import torch

import ember
from ember.nn import utils as eu
from harness import assert_close_tensor


def params(rng, shapes=((3, 4), (4,), (2, 2, 2), ()), scale=1.0, dtype=np.float32):
    data = [np.asarray(rng.standard_normal(s) * scale, dtype=dtype) for s in shapes]
    grads = [np.asarray(rng.standard_normal(s) * scale, dtype=dtype) for s in shapes]
    tp = [torch.nn.Parameter(torch.from_numpy(d.copy())) for d in data]
    ep = [ember.nn.Parameter(ember.tensor(d.copy())) for d in data]
    for t, e, g in zip(tp, ep, grads):
        t.grad = torch.from_numpy(g.copy())
        e.grad = ember.tensor(g.copy())
    return tp, ep


@pytest.mark.parametrize("norm_type", [2.0, 1, 3.5, 0.5, math.inf, "inf", -math.inf, 0])
@pytest.mark.parametrize("max_norm", [0.5, 1e4])
def test_clip_grad_norm_matches_torch(rng, norm_type, max_norm):
    tp, ep = params(rng)
    tn = torch.nn.utils.clip_grad_norm_(tp, max_norm, norm_type)
    en = eu.clip_grad_norm_(ep, max_norm, norm_type)
    assert_close_tensor(en, tn, rtol=1e-5, what="total norm")
    for t, e in zip(tp, ep):
        assert_close_tensor(e.grad, t.grad, rtol=1e-5, atol=1e-6, what="clipped grad")


@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")  # inf * 0 in ember's mul
def test_clip_grad_norm_special_inputs(rng):
    tp, ep = params(rng, dtype=np.float64)
    assert_close_tensor(eu.clip_grad_norm_(iter(ep), 1.0), torch.nn.utils.clip_grad_norm_(
        iter(tp), 1.0))
    tp, ep = params(rng)
    assert_close_tensor(eu.clip_grad_norm_(ep[0], 0.1), torch.nn.utils.clip_grad_norm_(
        tp[0], 0.1))
    assert_close_tensor(eu.clip_grad_norm_([ember.nn.Parameter(ember.ones(2))], 1.0),
                        torch.nn.utils.clip_grad_norm_([torch.nn.Parameter(torch.ones(2))], 1.))
    with pytest.warns(UserWarning, match="empty generator"):
        eu.clip_grad_norm_((p for p in []), 1.0)
    assert eu.get_total_norm([]).item() == 0.0
    # non-finite: error when asked, NaN scaling otherwise (as torch)
    tp, ep = params(rng)
    for u, ps in ((torch.nn.utils, tp), (eu, ep)):
        ps[1].grad[0] = float("inf")
        with pytest.raises(RuntimeError, match="non-finite"):
            u.clip_grad_norm_(ps, 1.0, error_if_nonfinite=True)
        assert math.isinf(u.clip_grad_norm_(ps, 1.0).item())
    for t, e in zip(tp, ep):    # scaled by max_norm / inf: zeros, NaN where the inf was
        assert_close_tensor(e.grad, t.grad, what="grad after non-finite clip")


def test_total_norm_then_clip(rng):
    tp, ep = params(rng)
    tn = torch.nn.utils.get_total_norm([p.grad for p in tp], 3.0)
    en = eu.get_total_norm([p.grad for p in ep], 3.0)
    assert_close_tensor(en, tn)
    torch.nn.utils.clip_grads_with_norm_(tp, 0.3, tn)
    eu.clip_grads_with_norm_(ep, 0.3, en)
    for t, e in zip(tp, ep):
        assert_close_tensor(e.grad, t.grad)


@pytest.mark.parametrize("clip", [0.1, 1.0, 5])
def test_clip_grad_value(rng, clip):
    tp, ep = params(rng)
    tp[0].grad = None
    ep[0].grad = None
    assert torch.nn.utils.clip_grad_value_(tp, clip) is None
    assert eu.clip_grad_value_(ep, clip) is None
    for t, e in zip(tp[1:], ep[1:]):
        assert_close_tensor(e.grad, t.grad)
    assert ep[0].grad is None


def test_parameters_vector_roundtrip(rng):
    tp, ep = params(rng)
    tv, ev = torch.nn.utils.parameters_to_vector(tp), eu.parameters_to_vector(ep)
    assert_close_tensor(ev, tv)
    ct = rng.standard_normal(tuple(tv.shape)).astype(np.float32)
    (tv * torch.from_numpy(ct)).sum().backward()
    (ev * ember.tensor(ct)).sum().backward()
    for t, e in zip(tp, ep):
        assert_close_tensor(e.grad, t.grad, what="grad through parameters_to_vector")
    new = rng.standard_normal(tuple(tv.shape)).astype(np.float32)
    torch.nn.utils.vector_to_parameters(torch.from_numpy(new), tp)
    eu.vector_to_parameters(ember.tensor(new), ep)
    for t, e in zip(tp, ep):
        assert_close_tensor(e, t)
        assert isinstance(e, ember.nn.Parameter) and e.requires_grad
    with pytest.raises(TypeError, match="expected"):
        eu.vector_to_parameters(new, ep)
    with pytest.raises(RuntimeError, match="vector_to_parameters"):
        eu.vector_to_parameters(ember.ones(3), ep)
