import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import ember
import ember.nn as nn
import ember.nn.functional as F
from harness import check, check_error, check_gradcheck


@pytest.mark.parametrize("shapes,dim", [(((4, 5), (4, 5)), 1), (((2, 3, 4), (1, 3, 4)), -1),
                                        (((3,), (3,)), 0), (((2, 3), (2, 3)), 0)])
def test_cosine_similarity(shapes, dim, rng):
    a, b = (rng.standard_normal(s).astype(np.float32) for s in shapes)
    check(lambda x, y: F.cosine_similarity(x, y, dim), lambda x, y: TF.cosine_similarity(
        x, y, dim), a, b, rng=rng)
    check_gradcheck(lambda x, y: F.cosine_similarity(x, y, dim), a, b, gradgrad=a.size <= 12)


def test_cosine_similarity_zero_vector(rng):
    # a zero row: the norm is clamped to eps for the value only (torch 2.13's formula)
    a = rng.standard_normal((3, 4)).astype(np.float32)
    b = a.copy()
    b[1] = 0
    check(F.cosine_similarity, TF.cosine_similarity, a, b, rng=rng)
    e, t = nn.CosineSimilarity(dim=0, eps=1e-4), torch.nn.CosineSimilarity(dim=0, eps=1e-4)
    assert repr(e) == repr(t)
    np.testing.assert_allclose(e(ember.tensor(a), ember.tensor(b)).numpy(),
                               t(torch.tensor(a), torch.tensor(b)).numpy(), 1e-5, 1e-6)


@pytest.mark.parametrize("p", [2.0, 1.0, 3.0, float("inf")])
@pytest.mark.parametrize("keepdim", [False, True])
def test_pairwise_distance(p, keepdim, rng):
    a = rng.standard_normal((4, 5)).astype(np.float32)
    b = rng.standard_normal((1, 5)).astype(np.float32)
    check(lambda x, y: F.pairwise_distance(x, y, p, keepdim=keepdim),
          lambda x, y: TF.pairwise_distance(x, y, p, keepdim=keepdim), a, b, rng=rng)
    e, t = nn.PairwiseDistance(p, keepdim=keepdim), torch.nn.PairwiseDistance(p, keepdim=keepdim)
    assert repr(e) == repr(t)
    np.testing.assert_allclose(e(ember.tensor(a), ember.tensor(b)).numpy(),
                               t(torch.tensor(a), torch.tensor(b)).numpy(), 1e-5, 1e-6)
    if p != float("inf"):
        check_gradcheck(lambda x, y: F.pairwise_distance(x, y, p), a, b)
    check(F.pairwise_distance, TF.pairwise_distance, a[0], b[0], rng=rng)


@pytest.mark.parametrize("p,dim", [(2.0, 1), (1.0, 0), (3.0, -1)])
def test_normalize(p, dim, rng):
    x = rng.standard_normal((3, 4, 2)).astype(np.float32)
    check(lambda t: F.normalize(t, p, dim), lambda t: TF.normalize(t, p, dim), x, rng=rng)
    check_gradcheck(lambda t: F.normalize(t, p, dim), x, gradgrad=True)
    z = np.zeros((2, 3), np.float32)   # eps keeps zero vectors finite, as torch
    check(F.normalize, TF.normalize, z, grad=False)


PAD_CASES = [
    ("constant", (3, 4), (1, 2)), ("constant", (3, 4), (1, 0, 2, 1)),
    ("constant", (2, 3, 4), (-1, 2, 0, 0, 1, 1)), ("constant", (), ()),
    ("constant", (0, 3), (1, 1, 1, 1)),
    ("reflect", (2, 5), (2, 3)), ("reflect", (1, 2, 4, 5), (1, 3, 2, 2)),
    ("reflect", (1, 1, 2, 3, 4), (1, 2, 1, 2, 1, 1)),
    ("replicate", (2, 3, 4), (2, 1)), ("replicate", (2, 3, 4, 5), (1, 2, 3, 0)),
    ("replicate", (2, 3, 4), (-1, 2)),
    ("circular", (2, 3, 4), (2, 4)), ("circular", (1, 2, 3, 4), (1, 1, 2, 3)),
    ("circular", (1, 2, 3, 3, 3), (1, 1, 1, 1, 1, 1)),
]


@pytest.mark.parametrize("mode,shape,pad", PAD_CASES)
def test_pad(mode, shape, pad, rng):
    x = rng.standard_normal(shape).astype(np.float32)
    check(lambda t: F.pad(t, pad, mode), lambda t: TF.pad(t, pad, mode), x, rng=rng)
    if x.size and x.ndim:
        check_gradcheck(lambda t: F.pad(t, pad, mode), x, gradgrad=x.size <= 24)


def test_pad_value_dtypes_noncontiguous(rng):
    x = rng.integers(-5, 5, (3, 4))
    check(lambda t: F.pad(t, (1, 1), value=7), lambda t: TF.pad(t, (1, 1), value=7), x)
    xf = np.asfortranarray(rng.standard_normal((3, 4)))
    check(lambda t: F.pad(t, (2, 0, 1, 1), value=-1.5),
          lambda t: TF.pad(t, (2, 0, 1, 1), value=-1.5), xf, rng=rng)
    check(lambda t: F.pad(t, (1, 1), "reflect"), lambda t: TF.pad(t, (1, 1), "reflect"),
          xf.T, rng=rng)


@pytest.mark.parametrize("shape,pad,mode,kw,match", [
    ((2, 3), (1,), "constant", {}, "divisible by 2"),
    ((2, 3), (1, 1, 1, 1, 1, 1), "constant", {}, "two times the input dimension"),
    ((2, 3), (3, 3), "reflect", {}, "Padding size should be less than"),
    ((2, 3), (1, 1, 1, 1), "reflect", {}, "Padding size 4 is not supported for 2D"),
    ((3,), (1, 1), "replicate", {}, "not supported for 1D"),
    ((2, 3), (4, 4), "circular", {}, "wrapping around more than once"),
    ((2, 3), (1, 1), "foo", {}, "Unrecognised padding mode foo"),
    ((2, 3), (1, 1), "reflect", {"value": 1.0}, "doesn't take in value"),
])
def test_pad_errors(shape, pad, mode, kw, match):
    check_error(lambda t: F.pad(t, pad, mode, **kw), lambda t: TF.pad(t, pad, mode, **kw),
                np.zeros(shape, np.float32), match=[match])
