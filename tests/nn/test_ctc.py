"""CTC loss (F.ctc_loss, nn.CTCLoss) against torch: values, dtypes and log_probs gradients for
every reduction, padded and concatenated targets, tensor and list lengths, unbatched input,
repeated labels, impossible alignments with and without zero_infinity, float64 gradcheck
through log_softmax, and torch's errors."""

import numpy as np
import pytest
import torch
import torch.nn as tnn
import torch.nn.functional as TF

import ember
import ember.nn as enn
import ember.nn.functional as EF
from harness import check, check_error, check_gradcheck

REDUCTIONS = ("none", "mean", "sum")
DTYPES = (np.float32, np.float64)


def _tol(dt):
    return {"rtol": 1e-4, "atol": 1e-5} if dt == np.float32 else {"rtol": 1e-7, "atol": 1e-9}


def _log_probs(rng, shape, dt):
    x = rng.standard_normal(shape) * 2
    return (x - np.log(np.exp(x).sum(-1, keepdims=True))).astype(dt)


def _fns(**kw):
    return (lambda *a: EF.ctc_loss(*a, **kw)), (lambda *a: TF.ctc_loss(*a, **kw))


def _case(rng, T=12, N=4, C=6, S=5, blank=0):
    """Random targets (no blank in them) and lengths that leave each alignment feasible."""
    labels = [c for c in range(C) if c != blank]
    tl = rng.integers(0, S + 1, N)
    tl[0] = S
    il = rng.integers(2 * S + 1, T + 1, N)
    il[0] = T
    tg = rng.choice(labels, (N, S)).astype(np.int64)
    return tg, il.astype(np.int64), tl.astype(np.int64)


def _concat(tg, tl):
    return np.concatenate([tg[i, :n] for i, n in enumerate(tl)]).astype(np.int64)


@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("zero_infinity", [False, True])
def test_padded_tensor_lengths(rng, dt, reduction, zero_infinity):
    tg, il, tl = _case(rng)
    lp = _log_probs(rng, (12, 4, 6), dt)
    e, t = _fns(reduction=reduction, zero_infinity=zero_infinity)
    check(e, t, lp, tg, il, tl, rng=rng, **_tol(dt))


@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_concatenated_list_lengths(rng, dt, reduction):
    tg, il, tl = _case(rng, T=10, N=3, C=5, S=4)
    lp = _log_probs(rng, (10, 3, 5), dt)
    e, t = _fns(reduction=reduction)
    check(e, t, lp, _concat(tg, tl), tuple(il.tolist()), list(tl.tolist()), rng=rng,
          **_tol(dt))


@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_unbatched(rng, dt, reduction):
    lp = _log_probs(rng, (9, 5), dt)
    tg = rng.integers(1, 5, 3).astype(np.int64)
    e, t = _fns(reduction=reduction)
    check(e, t, lp, tg, np.array(9), np.array(3), rng=rng, **_tol(dt))     # 0-d lengths
    check(e, t, lp, tg[None], (7,), (3,), rng=rng, **_tol(dt))            # padded (1, S)
    check(e, t, lp, tg[:2], [8], [2], rng=rng, **_tol(dt))                # list lengths
    out = e(ember.tensor(lp), ember.tensor(tg), [9], [3])
    assert out.shape == ()


@pytest.mark.parametrize("zero_infinity", [False, True])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_repeated_labels_and_impossible(rng, reduction, zero_infinity):
    # a repeated label needs a blank between: "1 1 2" needs 4 steps, "2 2 2" needs 5
    tg = np.array([[1, 1, 2], [2, 2, 2], [1, 2, 3], [3, 3, 0]], np.int64)
    il = np.array([4, 4, 3, 2], np.int64)    # rows 1 (needs 5) and 3 (needs 3) impossible
    tl = np.array([3, 3, 3, 2], np.int64)
    lp = _log_probs(rng, (5, 4, 4), np.float64)
    e, t = _fns(reduction=reduction, zero_infinity=zero_infinity)
    out = check(e, t, lp, tg, il, tl, rng=rng)[0]
    vals = out.detach().numpy()
    if reduction == "none":
        assert np.isinf(vals[[1, 3]]).all() != zero_infinity
        assert np.isfinite(vals[[0, 2]]).all()


def test_impossible_gradient_is_nan_or_zero(rng):
    lp = _log_probs(rng, (3, 2, 4), np.float64)
    tg = np.array([[1, 1, 2], [1, 2, 3]], np.int64)
    for zi in (False, True):
        x = ember.tensor(lp, requires_grad=True)
        loss = EF.ctc_loss(x, ember.tensor(tg), [3, 3], [3, 2], reduction="sum",
                           zero_infinity=zi)
        loss.backward()
        g = x.grad.numpy()
        assert (np.isnan(g[:, 0]).all() if not zi else (g[:, 0] == 0).all())
        assert np.isfinite(g[:, 1]).all() and (g[:, 1] != 0).any()


@pytest.mark.parametrize("dt", DTYPES)
def test_larger_random(rng, dt):
    T, N, C, S = 40, 5, 12, 15
    tg, il, tl = _case(rng, T, N, C, S)
    tg[:, 1::3] = tg[:, ::3][:, :tg[:, 1::3].shape[1]]   # plenty of repeats
    lp = _log_probs(rng, (T, N, C), dt)
    for reduction in REDUCTIONS:
        e, t = _fns(reduction=reduction)
        check(e, t, lp, tg, il, tl, rng=rng, **_tol(dt))


@pytest.mark.parametrize("blank", [2, 4])
def test_other_blank_and_edge_lengths(rng, blank):
    tg, il, tl = _case(rng, T=8, N=3, C=5, S=3, blank=blank)
    il[1], tl[1] = 0, 0     # empty input, empty target: loss 0
    il[2], tl[2] = 1, 1     # a single step
    lp = _log_probs(rng, (8, 3, 5), np.float64)
    e, t = _fns(reduction="none", blank=blank)
    check(e, t, lp, tg, il, tl, rng=rng)
    il[1], tl[1] = 0, 2     # empty input, non-empty target: inf
    e, t = _fns(reduction="mean", blank=blank, zero_infinity=True)
    check(e, t, lp, tg, il, tl, rng=rng)


def test_target_equal_to_blank(rng):
    # torch does not reject a blank inside the targets; the results follow its kernel
    lp = _log_probs(rng, (6, 2, 3), np.float64)
    tg = np.array([[1, 0], [0, 0]], np.int64)
    e, t = _fns(reduction="none")
    check(e, t, lp, tg, np.array([6, 5]), np.array([2, 1]), rng=rng)


def test_unnormalised_input_follows_torch(rng):
    # torch's gradient is exp(lp) - posterior: the derivative only through a log_softmax
    lp = rng.standard_normal((7, 3, 4))
    tg, il, tl = _case(rng, T=7, N=3, C=4, S=3)
    e, t = _fns(reduction="sum")
    check(e, t, lp, tg, il, tl, rng=rng)


def test_noncontiguous_and_target_dtypes(rng):
    lp = _log_probs(rng, (3, 10, 5), np.float32)      # (N, T, C): transposed below
    tg, il, tl = _case(rng, T=10, N=3, C=5, S=4)
    for tgt in (tg.astype(np.int32), tg.astype(np.float32), tg[:, ::-1].copy()):
        check(lambda x, *a: EF.ctc_loss(x.transpose(0, 1), *a),
              lambda x, *a: TF.ctc_loss(x.transpose(0, 1), *a),
              lp, tgt, il.astype(np.int32), tl.astype(np.uint8), rng=rng, **_tol(np.float32))


@pytest.mark.parametrize("dt", DTYPES)
def test_module(rng, dt):
    tg, il, tl = _case(rng, T=9, N=3, C=5, S=3)
    lp = _log_probs(rng, (9, 3, 5), dt)
    for kw in ({}, {"blank": 0, "reduction": "sum"}, {"reduction": "none", "zero_infinity": True}):
        em, tm = enn.CTCLoss(**kw), tnn.CTCLoss(**kw)
        assert repr(em) == repr(tm)
        assert (em.blank, em.reduction, em.zero_infinity) == (tm.blank, tm.reduction,
                                                              tm.zero_infinity)
        check(em, tm, lp, tg, il, tl, rng=rng, **_tol(dt))


def test_gradcheck_through_log_softmax(rng):
    tg = np.array([[1, 1, 2], [3, 2, 0]], np.int64)
    il = np.array([6, 5], np.int64)
    tl = np.array([3, 2], np.int64)
    x = rng.standard_normal((6, 2, 4))
    for reduction in REDUCTIONS:
        check_gradcheck(lambda z, r=reduction: EF.ctc_loss(z.log_softmax(2), ember.tensor(tg),
                                                           ember.tensor(il), ember.tensor(tl),
                                                           reduction=r), x)
    check_gradcheck(lambda z: EF.ctc_loss(z.log_softmax(1), ember.tensor(tg[0]), [6], [3]),
                    x[:, 0])


def test_grad_fn_names_and_double_backward(rng):
    lp = _log_probs(rng, (5, 2, 4), np.float64)
    tg = ember.tensor(np.array([[1, 2], [3, 3]]))
    x = ember.tensor(lp, requires_grad=True)
    assert EF.ctc_loss(x, tg, [5, 5], [2, 2], reduction="none").grad_fn.name() \
        == "CtcLossBackward0"
    assert EF.ctc_loss(x, tg, [5, 5], [2, 2], reduction="none",
                       zero_infinity=True).grad_fn.name() == "WhereBackward0"
    (g,) = ember.autograd.grad(EF.ctc_loss(x, tg, [5, 5], [2, 2]), x, create_graph=True)
    assert g.requires_grad
    with pytest.raises(RuntimeError, match="_ctc_loss_backward is not implemented"):
        ember.autograd.grad(g.sum(), x)


def test_in_place_change_after_forward_is_caught(rng):
    x = ember.tensor(_log_probs(rng, (5, 1, 3), np.float64), requires_grad=True)
    y = x * 1
    loss = EF.ctc_loss(y, ember.tensor(np.array([[1, 2]])), [5], [2])
    with ember.no_grad():
        y.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()


_LP = np.log(np.full((6, 2, 4), 0.25))
_TG = np.array([[1, 2, 2], [3, 1, 0]], np.int64)


@pytest.mark.parametrize("args,kw,match", [
    ((_LP, _TG, [7, 5], [3, 2]), {}, ["at most 6, but got value 7"]),
    ((_LP, _TG, [-1, 5], [3, 2]), {}, ["at least 0, but got value -1"]),
    ((_LP, _TG, [6, 5], [4, 2]), {}, ["size at least 4 at dimension 1, but got size 3"]),
    ((_LP, _TG, [6, 5], [-1, 2]), {}, ["target_lengths to have value at least 0"]),
    ((_LP, _TG, [6, 5, 3], [3, 2, 1]), {}, ["input_lengths must be of size batch_size"]),
    ((_LP, _TG, [6, 5], [3]), {}, ["target_lengths must be of size batch_size"]),
    ((_LP, _TG, [6, 5], [3, 2]), {"blank": 4}, ["blank must be in label range"]),
    ((_LP, _TG, [6, 5], [3, 2]), {"blank": -1}, ["blank must be in label range"]),
    ((_LP, _TG, [6, 5], [3, 2]), {"reduction": "avg"}, ["avg is not a valid value"]),
    ((_LP[0], _TG, [6, 5], [3, 2]), {}, ["input_lengths must be of size batch_size"]),
    ((_LP[None], _TG, [6, 5], [3, 2]), {}, ["Expected 3-dimensional tensor, but got 5"]),
    ((_LP, _TG[None], [6, 5], [3, 2]), {}, ["Expected 1 to 2 dimensions, but got 3"]),
    ((_LP, _TG[:1], [6, 5], [3, 2]), {}, ["size 2 at dimension 0, but got size 1"]),
    ((_LP, np.array([1, 2, 2, 3]), [6, 5], [3, 2]), {}, ["size 5 at dimension 0"]),
    ((_LP, _TG, np.array([6., 5.]), np.array([3, 2])), {}, ["input_lengths must be integral"]),
    ((_LP, _TG, np.array([6, 5]), np.array([True, False])), {},
     ["target_lengths must be integral"]),
    ((_LP, _TG, np.array([6, 5]), [3, 2]), {}, ["input_lengths", "target_lengths"]),
    ((_LP, _TG, (6.0, 5), (3, 2)), {}, ["tuples/lists of ints"]),
    ((_LP[:, 0], _TG[0], 6, 3), {}, ["tuples/lists of ints"]),
    ((_LP[:0], _TG, [0, 0], [3, 2]), {}, ["log_probs tensor must not be empty"]),
    ((_LP.astype(np.int32), _TG, [6, 5], [3, 2]), {},
     ["\"ctc_loss_cpu\" not implemented for 'Int'"]),
    ((_LP.astype(np.float16), _TG, [6, 5], [3, 2]), {},
     ["\"ctc_loss_cpu\" not implemented for 'Half'"]),
])
def test_errors(args, kw, match):
    check_error(lambda *a: EF.ctc_loss(*a, **kw), lambda *a: TF.ctc_loss(*a, **kw), *args,
                match=match)


def test_target_out_of_range_is_refused():
    # torch reads out of bounds (an undefined result); ember raises
    for bad in (4, -1):
        tg = _TG.copy()
        tg[0, 1] = bad
        with pytest.raises(RuntimeError, match=f"target value {bad} is out of range"):
            EF.ctc_loss(ember.tensor(_LP), ember.tensor(tg), [6, 5], [3, 2])
    # values past a target's length are padding and never read
    tg = _TG.copy()
    tg[1, 2] = 99
    out = EF.ctc_loss(ember.tensor(_LP), ember.tensor(tg), [6, 5], [3, 2])
    ref = TF.ctc_loss(torch.tensor(_LP), torch.tensor(tg), [6, 5], [3, 2])
    np.testing.assert_allclose(out.item(), ref.item(), rtol=1e-12)
