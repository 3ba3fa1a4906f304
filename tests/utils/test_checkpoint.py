"""ember.utils.checkpoint against running without checkpoint and against torch's warnings/errors."""

import warnings

import numpy as np
import pytest
import torch
import torch.utils.checkpoint as tcp

import ember
import ember.utils.checkpoint as ecp
from harness import check_gradcheck


def _block(mod, seed=0):
    mod.manual_seed(seed)
    return mod.nn.Sequential(mod.nn.Linear(5, 6), mod.nn.Tanh(), mod.nn.Dropout(0.3),
                             mod.nn.Linear(6, 3)).double()


def _grads(fn, x, use_ckpt, reent, seed=1):
    net = _block(ember)
    xt = ember.tensor(x, requires_grad=True)
    ember.manual_seed(seed)
    out = ecp.checkpoint(net, xt, use_reentrant=reent) if use_ckpt else net(xt)
    fn(out).backward()
    return out, xt.grad, [p.grad for p in net.parameters()]


@pytest.mark.parametrize("reent", [True, False])
def test_grads_equal_plain_run_with_dropout(rng, reent):
    x = rng.standard_normal((4, 5))
    weights = ember.tensor(rng.standard_normal((4, 3)))
    o1, gx1, gp1 = _grads(lambda o: (o * weights).sum(), x, False, reent)
    o2, gx2, gp2 = _grads(lambda o: (o * weights).sum(), x, True, reent)
    np.testing.assert_allclose(o2.detach().numpy(), o1.detach().numpy())
    np.testing.assert_allclose(gx2.numpy(), gx1.numpy(), rtol=1e-12)
    for a, b in zip(gp1, gp2):
        np.testing.assert_allclose(b.numpy(), a.numpy(), rtol=1e-12)


@pytest.mark.parametrize("reent", [True, False])
def test_matches_torch_deterministic_block(rng, reent):
    x = rng.standard_normal((3, 4))
    w = rng.standard_normal((4, 4))
    outs = []
    for mod, cp in ((torch, tcp), (ember, ecp)):
        xt = mod.tensor(x, requires_grad=True)
        wt = mod.tensor(w, requires_grad=True)

        def f(a, b):
            return (a @ b).sin(), a.exp()
        y, z = cp.checkpoint(f, xt, wt, use_reentrant=reent)
        ((y * y).sum() + z.sum()).backward()
        outs.append((y.detach().numpy(), xt.grad.numpy(), wt.grad.numpy()))
    for a, b in zip(*outs):
        np.testing.assert_allclose(b, a, rtol=1e-10)


def test_grad_fn_name_and_forward_no_graph(rng):
    x = ember.tensor(rng.standard_normal((2, 3)), requires_grad=True)
    seen = []

    def f(a):
        y = a * 2
        seen.append(y.requires_grad)
        return y
    out = ecp.checkpoint(f, x, use_reentrant=True)
    assert out.grad_fn.name() == "CheckpointFunctionBackward"
    assert seen == [False]            # forward ran without recording
    out.sum().backward()
    assert seen == [False, True]      # backward recomputed with grad enabled
    np.testing.assert_allclose(x.grad.numpy(), np.full((2, 3), 2.0))


def test_rng_state_restored_after_backward():
    x = ember.ones(100, dtype=ember.float64, requires_grad=True)
    ember.manual_seed(3)
    out = ecp.checkpoint(lambda a: ember.nn.functional.dropout(a, 0.5), x, use_reentrant=False)
    after_forward = ember.get_rng_state()
    out.sum().backward()
    assert ember.equal(ember.get_rng_state(), after_forward)
    np.testing.assert_allclose(x.grad.numpy(), (out.detach().numpy() != 0) * 2.0)


def test_non_reentrant_kwargs_and_params_without_input_grad(rng):
    net = _block(ember)
    x = ember.tensor(rng.standard_normal((2, 5)))

    def f(a, scale=1.0):
        return net[0](a) * scale
    out = ecp.checkpoint(f, x, use_reentrant=False, scale=3.0)
    out.sum().backward()
    w = net[0].weight.detach().numpy()
    np.testing.assert_allclose(out.detach().numpy(),
                               (x.numpy() @ w.T + net[0].bias.detach().numpy()) * 3)
    np.testing.assert_allclose(net[0].weight.grad.numpy(),
                               3 * np.ones((2, 6)).T @ x.numpy())


def test_context_fn_wraps_forward_and_recompute(rng):
    calls = []

    class Ctx:
        def __init__(self, name):
            self.name = name

        def __enter__(self):
            calls.append(self.name)

        def __exit__(self, *a):
            return None
    x = ember.tensor(rng.standard_normal(3), requires_grad=True)
    out = ecp.checkpoint(lambda a: a * a, x, use_reentrant=False,
                         context_fn=lambda: (Ctx("fwd"), Ctx("re")))
    out.sum().backward()
    assert calls == ["fwd", "re"]
    np.testing.assert_allclose(x.grad.numpy(), 2 * x.detach().numpy())


def test_determinism_check_raises():
    n = [2]

    def f(a):
        n[0] += 1
        return a[: n[0]] * 1.0
    x = ember.ones(6, requires_grad=True)
    out = ecp.checkpoint(f, x, use_reentrant=False)
    with pytest.raises(ecp.CheckpointError, match="metadata"):
        out.sum().backward()
    n[0] = 2
    out = ecp.checkpoint(f, x, use_reentrant=False, determinism_check="none")
    with pytest.raises(RuntimeError):   # shapes no longer match the incoming gradient
        out.sum().backward()


@pytest.mark.parametrize("segments", [1, 2, 3])
@pytest.mark.parametrize("reent", [True, False])
def test_checkpoint_sequential(rng, segments, reent):
    x = rng.standard_normal((4, 5))
    res = []
    for use in (False, True):
        net = _block(ember)
        xt = ember.tensor(x, requires_grad=True)
        ember.manual_seed(7)
        out = ecp.checkpoint_sequential(net, segments, xt, use_reentrant=reent) if use \
            else net(xt)
        (out ** 2).sum().backward()
        res.append([out.detach().numpy(), xt.grad.numpy()] +
                   [p.grad.numpy() for p in net.parameters()])
    for a, b in zip(*res):
        np.testing.assert_allclose(b, a, rtol=1e-12)


def test_warning_when_use_reentrant_not_passed():
    fns = [lambda a: a * 2]
    for cp in (tcp, ecp):
        mod = torch if cp is tcp else ember
        x = mod.ones(2, requires_grad=True)
        with pytest.warns(UserWarning, match="use_reentrant parameter should be passed"):
            cp.checkpoint(fns[0], x)
        with pytest.warns(UserWarning, match="use_reentrant parameter should be passed"):
            cp.checkpoint_sequential(fns, 1, x)


def test_no_input_requires_grad_warns_reentrant():
    for cp, mod in ((tcp, torch), (ecp, ember)):
        with pytest.warns(UserWarning, match="None of the inputs have requires_grad=True"):
            out = cp.checkpoint(lambda a: a * 2, mod.ones(2), use_reentrant=True)
        assert not out.requires_grad


def _err(fn_t, fn_e, match):
    with pytest.raises(Exception) as et:
        fn_t()
    with pytest.raises(Exception) as ee:
        fn_e()
    assert type(ee.value) is type(et.value)
    for m in match:
        assert m in str(et.value) and m in str(ee.value)


def test_errors():
    def f(a, **k):
        return a * 2
    _err(lambda: tcp.checkpoint(f, torch.ones(2), use_reentrant=True, foo=1),
         lambda: ecp.checkpoint(f, ember.ones(2), use_reentrant=True, foo=1),
         ["Unexpected keyword arguments: foo"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _err(lambda: tcp.checkpoint(f, torch.ones(2), use_reentrant=True, debug=True),
             lambda: ecp.checkpoint(f, ember.ones(2), use_reentrant=True, debug=True),
             ["only supported when use_reentrant=False"])
    _err(lambda: tcp.checkpoint(f, torch.ones(2, requires_grad=True), use_reentrant=False,
                                determinism_check="bad"),
         lambda: ecp.checkpoint(f, ember.ones(2, requires_grad=True), use_reentrant=False,
                                determinism_check="bad"),
         ["determinism_check should be one of"])
    _err(lambda: tcp.checkpoint_sequential([f], 1, torch.ones(2), use_reentrant=True, foo=1),
         lambda: ecp.checkpoint_sequential([f], 1, ember.ones(2), use_reentrant=True, foo=1),
         ["Unexpected keyword arguments: foo"])


@pytest.mark.parametrize("reent", [True, False])
def test_gradcheck(rng, reent):
    w = ember.tensor(rng.standard_normal((3, 3)))
    check_gradcheck(lambda a, b: ecp.checkpoint(lambda p, q: (p @ w).tanh() * q, a, b,
                                                use_reentrant=reent),
                    rng.standard_normal((2, 3)), rng.standard_normal((2, 3)))


@pytest.mark.parametrize("reent", [True, False])
def test_non_tensor_outputs_and_inputs(reent):
    x = ember.ones(3, requires_grad=True)
    out, n = ecp.checkpoint(lambda a, k: (a * k, k + 1), x, 4, use_reentrant=reent)
    assert n == 5
    out.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [4.0, 4.0, 4.0])


def test_preserve_rng_state_false_recomputes_with_fresh_rng():
    x = ember.ones(1000, dtype=ember.float64, requires_grad=True)
    ember.manual_seed(0)
    out = ecp.checkpoint(lambda a: ember.nn.functional.dropout(a, 0.5), x, use_reentrant=True,
                         preserve_rng_state=False)
    out.sum().backward()
    # the mask used by backward is a new draw: it differs from the forward's
    assert not np.array_equal(x.grad.numpy(), (out.detach().numpy() != 0) * 2.0)


def test_non_reentrant_output_without_grad_backward_is_a_no_op():
    # ember records the node (a dummy leaf) even when nothing requires grad; backward through
    # it then does nothing
    out = ecp.checkpoint(lambda a: a * 2, ember.ones(3), use_reentrant=False)
    out.sum().backward()
    np.testing.assert_allclose(out.detach().numpy(), [2.0, 2.0, 2.0])
