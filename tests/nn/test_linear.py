import math
import timeit

import numpy as np
import pytest
import torch

import ember
import ember.nn as nn
import ember.nn.functional as F
from harness import check, check_error, check_gradcheck


def _load(e_mod, t_mod):
    e_mod.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in
                           t_mod.state_dict().items()})


def compare_module(e_mod, t_mod, inputs, rng, rtol=1e-5, atol=1e-5):
    """Same outputs and same grads of every parameter and input for a random cotangent."""
    _load(e_mod, t_mod)
    assert list(e_mod.state_dict()) == list(t_mod.state_dict())
    e_in = [ember.tensor(x, requires_grad=True) for x in inputs]
    t_in = [torch.tensor(x, requires_grad=True) for x in inputs]
    e_out, t_out = e_mod(*e_in), t_mod(*t_in)
    np.testing.assert_allclose(e_out.detach().numpy(), t_out.detach().numpy(), rtol, atol)
    cot = rng.standard_normal(tuple(t_out.shape)).astype(inputs[0].dtype)
    e_out.backward(ember.tensor(cot))
    t_out.backward(torch.tensor(cot))
    for (n, ep), (_, tp) in zip(e_mod.named_parameters(), t_mod.named_parameters()):
        np.testing.assert_allclose(ep.grad.numpy(), tp.grad.numpy(), rtol, atol, err_msg=n)
    for e, t in zip(e_in, t_in):
        np.testing.assert_allclose(e.grad.numpy(), t.grad.numpy(), rtol, atol)


@pytest.mark.parametrize("shape", [(4, 3), (3,), (2, 5, 3), (0, 3), (2, 1, 2, 3)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_module(shape, bias, rng):
    t = torch.nn.Linear(3, 4, bias=bias)
    e = nn.Linear(3, 4, bias=bias)
    compare_module(e, t, [rng.standard_normal(shape).astype(np.float32)], rng)
    assert repr(e) == repr(t)
    assert [n for n, _ in e.named_parameters()] == [n for n, _ in t.named_parameters()]


def test_linear_noncontiguous_and_float64(rng):
    x = np.asfortranarray(rng.standard_normal((5, 3)))
    w, b = rng.standard_normal((4, 3)), rng.standard_normal(4)
    check(F.linear, torch.nn.functional.linear, x, w, b, rng=rng)
    check(F.linear, torch.nn.functional.linear, x.T.copy().T, w.T.copy().T, rng=rng)
    check_gradcheck(F.linear, x, w, b, gradgrad=True)
    check_gradcheck(F.linear, rng.standard_normal((2, 2, 3)), w, b, gradgrad=True)


def test_linear_no_grad_fast_path(rng):
    lin = nn.Linear(3, 2)
    with ember.no_grad():
        y = lin(ember.randn(4, 3))
    assert y.grad_fn is None and not y.requires_grad
    y = lin(ember.randn(4, 3))
    assert y.grad_fn is not None
    x = ember.randn(4, 3, requires_grad=True)
    y = F.linear(x, lin.weight.detach())
    y.backward(ember.ones_like(y))
    np.testing.assert_allclose(x.grad.numpy(), np.tile(lin.weight.detach().numpy().sum(0),
                                                       (4, 1)), rtol=1e-6)


def test_linear_errors():
    lin = nn.Linear(3, 2)
    with pytest.raises(RuntimeError) as exc:
        lin(ember.randn(4, 5))
    msg = str(exc.value)
    for part in ["mat1 and mat2 shapes cannot be multiplied (4x5 and 3x2)", "Linear(",
                 "in_features=3", "(4, 5)"]:
        assert part in msg, msg
    check_error(F.linear, torch.nn.functional.linear, np.zeros((2, 4, 5), np.float32),
                np.zeros((2, 3), np.float32), match=["8x5 and 3x2"])
    check_error(F.linear, torch.nn.functional.linear, np.zeros((4, 3), np.float32),
                np.zeros((2, 3)), match=["float32", "float64"])


def test_linear_default_init():
    e = nn.Linear(400, 300)
    w, b = e.weight.detach().numpy(), e.bias.detach().numpy()
    bound = 1 / math.sqrt(400)   # kaiming_uniform_(a=√5) -> U(-1/√fan_in, 1/√fan_in)
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.99 * bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.01 * bound
    assert abs(w.mean()) < 0.01 * bound
    assert np.abs(b).max() <= bound
    t = torch.nn.Linear(400, 300)
    assert abs(w.std() - t.weight.detach().numpy().std()) < 0.01 * bound
    assert e.weight.dtype == ember.float32
    assert nn.Linear(2, 3, dtype=ember.float64).weight.dtype == ember.float64


@pytest.mark.parametrize("bias", [True, False])
def test_bilinear(bias, rng):
    t = torch.nn.Bilinear(3, 4, 5, bias=bias)
    e = nn.Bilinear(3, 4, 5, bias=bias)
    compare_module(e, t, [rng.standard_normal((6, 3)).astype(np.float32),
                          rng.standard_normal((6, 4)).astype(np.float32)], rng)
    assert repr(e) == repr(t)
    bound = 1 / math.sqrt(3)
    assert np.abs(e.weight.detach().numpy()).max() <= bound
    x1, x2 = rng.standard_normal((2, 2, 3)), rng.standard_normal((2, 2, 4))
    w, b = rng.standard_normal((5, 3, 4)), rng.standard_normal(5)
    check(F.bilinear, torch.nn.functional.bilinear, x1, x2, w, b, rng=rng)
    check_gradcheck(F.bilinear, x1, x2, w, b, gradgrad=True)
    with pytest.raises(RuntimeError, match="bilinear"):
        F.bilinear(ember.randn(2, 3), ember.randn(2, 3), ember.randn(5, 3, 4))


def test_lazy_linear(rng):
    e = nn.LazyLinear(4)
    y = e(ember.randn(2, 7))
    assert y.shape == (2, 4) and e.weight.shape == (4, 7) and e.in_features == 7
    assert type(e) is nn.Linear


def test_linear_speed_vs_torch():
    """The no-grad batch-1 path is one matmul + add: well under torch's per-call time."""
    e, t = nn.Linear(256, 512), torch.nn.Linear(256, 512)
    xe, xt = ember.randn(1, 256), torch.randn(1, 256)
    with ember.no_grad(), torch.no_grad():
        te = min(timeit.repeat(lambda: e(xe), number=300, repeat=5))
        tt = min(timeit.repeat(lambda: t(xt), number=300, repeat=5))
    assert te < 1.5 * tt, (te, tt)   # generous: timings on a shared machine are noisy
