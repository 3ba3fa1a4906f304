import numpy as np
import pytest
import torch

import ember
from harness import check, check_gradcheck


@pytest.mark.parametrize("shapes", [((3, 4), (4,)), ((2, 1, 3), (5, 1)), ((), (3,))])
@pytest.mark.parametrize("op", ["add", "sub", "mul", "div"])
def test_binary(op, shapes, rng):
    a, b = (rng.standard_normal(s).astype(np.float32) for s in shapes)
    check(getattr(ember, op), getattr(torch, op), a, b, rng=rng)
    check_gradcheck(getattr(ember, op), a, b, gradgrad=True)


def test_promotion():
    assert (ember.tensor([1, 2]) * 2.5).dtype == ember.float32
    assert (ember.tensor([1, 2], dtype=ember.int32) / 2).dtype == ember.float32
    assert (ember.tensor([1.0]) + ember.tensor(1.0, dtype=ember.float64)).dtype == ember.float32
