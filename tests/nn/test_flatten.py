"""Flatten, Unflatten and Identity against torch."""

import numpy as np
import pytest
import torch

import ember
from harness import check


@pytest.mark.parametrize("shape,args", [
    ((2, 3, 4), ()), ((2, 3, 4, 5), (1, 2)), ((2, 3, 4), (0, -1)), ((3,), (0,)),
    ((2, 0, 4), ()), ((4, 3, 2), (-2, -1)),
])
def test_flatten(shape, args, rng):
    x = rng.standard_normal(shape).astype(np.float32)
    e, t = ember.nn.Flatten(*args), torch.nn.Flatten(*args)
    assert repr(e) == repr(t)
    check(e, t, x, rng=rng)
    check(e, t, np.asfortranarray(x), rng=rng)


@pytest.mark.parametrize("shape,dim,size", [
    ((2, 6), 1, (2, 3)), ((2, 6), -1, [3, 2]), ((12,), 0, (2, -1, 3)), ((4, 6, 1), 1, (6,)),
])
def test_unflatten(shape, dim, size, rng):
    x = rng.standard_normal(shape).astype(np.float32)
    e, t = ember.nn.Unflatten(dim, size), torch.nn.Unflatten(dim, size)
    assert repr(e) == repr(t)
    check(e, t, x, rng=rng)


def test_identity_and_errors(rng):
    x = rng.standard_normal((2, 3)).astype(np.float32)
    e, t = ember.nn.Identity(54, unused="x"), torch.nn.Identity(54, unused="x")
    assert repr(e) == repr(t) == "Identity()"
    check(e, t, x, rng=rng)
    for bad in ((1, 3), (1, (2, "a"))):
        with pytest.raises(TypeError, match="unflattened_size"):
            ember.nn.Unflatten(*bad)
    with pytest.raises(RuntimeError):
        ember.nn.Unflatten(1, (4, 2))(ember.ones(2, 6))
    with pytest.raises(IndexError):
        ember.nn.Flatten(3)(ember.ones(2, 6))
    with pytest.raises(IndexError):
        torch.nn.Flatten(3)(torch.ones(2, 6))
