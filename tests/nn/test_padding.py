"""Padding layers against torch."""

import numpy as np
import pytest
import torch

import ember
from harness import check, check_error


@pytest.mark.parametrize("kind", ["Zero", "Constant", "Reflection", "Replication", "Circular"])
@pytest.mark.parametrize("nd,pad", [(1, 2), (1, (1, 3)), (2, 1), (2, (1, 0, 2, 3)), (3, 1),
                                    (3, (0, 1, 2, 1, 1, 0))])
def test_pad_modules(kind, nd, pad, rng):
    args = (pad, 2.5) if kind == "Constant" else (pad,)
    e, t = getattr(ember.nn, f"{kind}Pad{nd}d")(*args), getattr(torch.nn, f"{kind}Pad{nd}d")(*args)
    assert repr(e) == repr(t)
    shape = (2, 3, 4, 5, 6)[-(nd + 2):]
    x = rng.standard_normal(shape).astype(np.float32)
    check(e, t, x, rng=rng)
    check(e, t, x[0], rng=rng)   # unbatched


def test_pad_errors(rng):
    x = rng.standard_normal((1, 2, 3, 3)).astype(np.float32)
    check_error(ember.nn.ReflectionPad2d(3), torch.nn.ReflectionPad2d(3), x,
                match=["Padding size should be less than"])
    check_error(ember.nn.CircularPad2d(4), torch.nn.CircularPad2d(4), x)
    check_error(ember.nn.ReflectionPad2d(1), torch.nn.ReflectionPad2d(1), x[0, 0, 0])
