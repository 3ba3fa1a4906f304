"""nn.utils.rnn (pad/pack/unpack) against torch: values, lengths, indices, gradients, errors."""

import numpy as np
import pytest
import torch

import ember
from ember.nn.utils import rnn as eu

TU = torch.nn.utils.rnn


def _seqs(rng, lens, feat=(3,)):
    arrs = [rng.standard_normal((n,) + feat).astype(np.float32) for n in lens]
    return ([torch.tensor(a, requires_grad=True) for a in arrs],
            [ember.tensor(a, requires_grad=True) for a in arrs])


def _np(t):
    return t.detach().numpy()


@pytest.mark.parametrize("bf", [False, True])
@pytest.mark.parametrize("side", ["right", "left"])
@pytest.mark.parametrize("feat", [(3,), (), (2, 2)])
def test_pad_sequence(bf, side, feat, rng):
    ts, es = _seqs(rng, [3, 5, 1], feat)
    tp = TU.pad_sequence(ts, batch_first=bf, padding_value=-1.5, padding_side=side)
    ep = eu.pad_sequence(es, batch_first=bf, padding_value=-1.5, padding_side=side)
    np.testing.assert_array_equal(_np(tp), _np(ep))
    c = rng.standard_normal(tuple(tp.shape)).astype(np.float32)
    tg = torch.autograd.grad((tp * torch.tensor(c)).sum(), ts)
    eg = ember.autograd.grad((ep * ember.tensor(c)).sum(), es)
    for a, b in zip(tg, eg):
        np.testing.assert_allclose(_np(a), _np(b))


@pytest.mark.parametrize("bf", [False, True])
@pytest.mark.parametrize("lengths,sorted_", [([4, 3, 3, 1], True), ([2, 4, 1, 3], False),
                                             ([4, 4], True)])
@pytest.mark.parametrize("as_tensor", [False, True])
@pytest.mark.parametrize("total", [None, 6])
def test_pack_pad_roundtrip(bf, lengths, sorted_, as_tensor, total, rng):
    B, T = len(lengths), 4
    x = rng.standard_normal((B, T, 3) if bf else (T, B, 3)).astype(np.float32)
    tx, ex = torch.tensor(x, requires_grad=True), ember.tensor(x, requires_grad=True)
    tl = torch.tensor(lengths) if as_tensor else lengths
    el = ember.tensor(lengths) if as_tensor else lengths
    tp = TU.pack_padded_sequence(tx, tl, batch_first=bf, enforce_sorted=sorted_)
    ep = eu.pack_padded_sequence(ex, el, batch_first=bf, enforce_sorted=sorted_)
    np.testing.assert_array_equal(_np(tp.data), _np(ep.data))
    assert tp.batch_sizes.tolist() == ep.batch_sizes.tolist()
    assert ep.batch_sizes.dtype == ember.int64
    for a, b in [(tp.sorted_indices, ep.sorted_indices),
                 (tp.unsorted_indices, ep.unsorted_indices)]:
        assert (a is None) == (b is None)
        if a is not None:
            assert a.tolist() == b.tolist()
    tpad, tlen = TU.pad_packed_sequence(tp, batch_first=bf, padding_value=7.0,
                                        total_length=total)
    epad, elen = eu.pad_packed_sequence(ep, batch_first=bf, padding_value=7.0,
                                        total_length=total)
    np.testing.assert_array_equal(_np(tpad), _np(epad))
    assert tlen.tolist() == elen.tolist()
    c = rng.standard_normal(tuple(tpad.shape)).astype(np.float32)
    (tg,) = torch.autograd.grad((tpad * torch.tensor(c)).sum(), tx)
    (eg,) = ember.autograd.grad((epad * ember.tensor(c)).sum(), ex)
    np.testing.assert_allclose(_np(tg), _np(eg))


@pytest.mark.parametrize("sorted_", [True, False])
def test_pack_unpack_sequence(sorted_, rng):
    lens = [4, 2, 1] if sorted_ else [2, 4, 1]
    ts, es = _seqs(rng, lens)
    tp = TU.pack_sequence(ts, enforce_sorted=sorted_)
    ep = eu.pack_sequence(es, enforce_sorted=sorted_)
    np.testing.assert_array_equal(_np(tp.data), _np(ep.data))
    for a, b in zip(TU.unpack_sequence(tp), eu.unpack_sequence(ep)):
        np.testing.assert_array_equal(_np(a), _np(b))
    padded = TU.pad_sequence(ts, batch_first=True)
    for a, b in zip(TU.unpad_sequence(padded, torch.tensor(lens), batch_first=True),
                    eu.unpad_sequence(ember.tensor(_np(padded)), ember.tensor(lens),
                                      batch_first=True)):
        np.testing.assert_array_equal(_np(a), _np(b))
    assert isinstance(ep, tuple) and ep._fields == tp._fields
    assert ep.to(ember.float64).data.dtype == ember.float64
    assert ep.double().data.dtype == ember.float64


@pytest.mark.parametrize("lengths,kw", [([1, 3, 2], {}), ([3, 0, 0], {}),
                                        ([3, 2, 0], {"enforce_sorted": False})])
def test_pack_errors(lengths, kw):
    x = np.zeros((4, 3, 2), np.float32)
    with pytest.raises(Exception) as te:
        TU.pack_padded_sequence(torch.tensor(x), lengths, **kw)
    with pytest.raises(type(te.value)) as ee:
        eu.pack_padded_sequence(ember.tensor(x), lengths, **kw)
    assert "length" in str(ee.value).lower()


def test_length_longer_than_sequence():
    # torch 2.13 reads past the sequence silently here; ember refuses
    with pytest.raises(RuntimeError, match="longer than the sequence"):
        eu.pack_padded_sequence(ember.zeros(4, 3, 2), [5, 2, 1])


def test_total_length_error(rng):
    ts, es = _seqs(rng, [4, 2])
    with pytest.raises(ValueError, match="total_length"):
        TU.pad_packed_sequence(TU.pack_sequence(ts), total_length=2)
    with pytest.raises(ValueError, match="total_length=2"):
        eu.pad_packed_sequence(eu.pack_sequence(es), total_length=2)


def test_pack_batch_first_with_padding_beyond_the_longest_length(rng):
    """batch_first input whose time dim is longer than every sequence: the packed rows come
    from each sequence's own steps (regression: rows were indexed with the longest length)."""
    x = rng.standard_normal((3, 7, 2)).astype(np.float32)
    lengths = [4, 2, 3]
    e = ember.nn.utils.rnn.pack_padded_sequence(ember.tensor(x), lengths, batch_first=True,
                                                enforce_sorted=False)
    t = torch.nn.utils.rnn.pack_padded_sequence(torch.tensor(x), lengths, batch_first=True,
                                                enforce_sorted=False)
    np.testing.assert_array_equal(e.data.numpy(), t.data.numpy())
    np.testing.assert_array_equal(e.batch_sizes.numpy(), t.batch_sizes.numpy())
