"""gradcheck / gradgradcheck: pass on right gradients, fail naming the input and element."""

import numpy as np
import pytest
import torch
from torch.autograd.gradcheck import GradcheckError

import ember
from ember.autograd import gradcheck, gradgradcheck


def make(lib, factor, second=True):
    class Sq(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            ctx.save_for_backward(x, y)
            return x * x * y

        @staticmethod
        def backward(ctx, g):
            x, y = ctx.saved_tensors
            gx = g * factor * x * y
            if not second:
                gx = gx.detach() if lib is torch else gx.detach()
            return gx, g * x * x
    return Sq


def inputs(lib, rng):
    x = rng.standard_normal(3)
    y = rng.standard_normal(3)
    return (lib.tensor(x, requires_grad=True), lib.tensor(y, requires_grad=True))


def test_pass_on_right_gradient(rng):
    xs = inputs(ember, rng)
    assert gradcheck(make(ember, 2).apply, xs)
    assert gradgradcheck(make(ember, 2).apply, xs)
    assert gradcheck(lambda a, b: (a * b).tanh() / (b.exp() + 1), xs)
    assert gradgradcheck(lambda a, b: (a * b).tanh() / (b.exp() + 1), xs)


def test_fail_like_torch(rng):
    seed = int(rng.integers(1 << 30))
    xs = inputs(ember, np.random.default_rng(seed))
    ts = inputs(torch, np.random.default_rng(seed))
    assert gradcheck(make(ember, 3).apply, xs, raise_exception=False) is False
    assert torch.autograd.gradcheck(make(torch, 3).apply, ts, raise_exception=False) is False
    with pytest.raises(GradcheckError):
        torch.autograd.gradcheck(make(torch, 3).apply, ts)
    with pytest.raises(ember.autograd.GradcheckError) as e:
        gradcheck(make(ember, 3).apply, xs)
    assert isinstance(e.value, RuntimeError)
    msg = str(e.value)
    assert "Jacobian mismatch for output 0 with respect to input 0" in msg
    assert "input element (0,)" in msg


def test_gradgradcheck_detects_wrong_second_derivative(rng):
    xs = inputs(ember, rng)
    assert gradcheck(make(ember, 2, second=False).apply, xs)
    assert gradgradcheck(make(ember, 2, second=False).apply, xs, raise_exception=False) is False


def test_non_contiguous_and_non_tensor_inputs(rng):
    x = ember.tensor(np.asfortranarray(rng.standard_normal((3, 2))), requires_grad=True)
    assert gradcheck(lambda a, k: a.sin() * k, (x, 2.0))


def test_multiple_outputs(rng):
    xs = inputs(ember, rng)
    assert gradcheck(lambda a, b: (a * b, a.exp()), xs)
    assert gradgradcheck(lambda a, b: (a * b, a.exp()), xs)
