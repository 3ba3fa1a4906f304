"""ember.autograd.functional (jacobian, hessian, vjp, jvp, hvp, vhp) matches
torch.autograd.functional: values, output structure, create_graph, strict errors and the
vectorize / forward-mode options."""

import numpy as np
import pytest
import torch

import ember
from harness import same_dtype


def assert_same(e, t, rtol=1e-6, atol=1e-8):
    """Same nesting (tuple vs Tensor), values, shapes, dtypes and requires_grad."""
    if isinstance(t, (tuple, list)):
        assert type(e) is type(t) and len(e) == len(t), f"{type(e)} vs {type(t)} of {len(t)}"
        for a, b in zip(e, t):
            assert_same(a, b, rtol, atol)
        return
    assert isinstance(t, torch.Tensor)
    assert isinstance(e, ember.Tensor), f"ember returned {type(e).__name__}"
    assert tuple(e.shape) == tuple(t.shape)
    assert same_dtype(e.dtype, t.dtype), f"{e.dtype} vs {t.dtype}"
    assert e.requires_grad == t.requires_grad
    np.testing.assert_allclose(e.detach().numpy(), t.detach().numpy(), rtol=rtol, atol=atol)


FUNCS = {
    # name: (function of (L, *inputs), input shapes)
    "poly": (lambda L, x: x ** 3 - 2 * x ** 2 + x, [(3,)]),
    "reduce_exp": (lambda L, x: L.exp(x).sum(dim=1), [(2, 3)]),
    "two_in_one_out": (lambda L, x, y: (x * L.sin(y)).sum(0), [(2, 3), (2, 3)]),
    "two_in_two_out": (lambda L, x, y: (x @ y, L.tanh(x).sum()), [(2, 3), (3, 4)]),
    "one_in_two_out": (lambda L, x: (x ** 2, L.log(x * x + 1).mean()), [(4,)]),
    "matvec": (lambda L, w, x: L.tanh(x @ w), [(3,), (5, 3)]),
}


def _inputs(L, arrays):
    ts = tuple(L.tensor(a) for a in arrays)
    return ts if len(ts) > 1 else ts[0]


def _make(rng, name, dtype=np.float64):
    fn, shapes = FUNCS[name]
    arrays = [rng.uniform(0.5, 1.5, s).astype(dtype) for s in shapes]
    return fn, arrays


def _both(op, name, rng, *, dtype=np.float64, v_like=None, **kw):
    fn, arrays = _make(rng, name, dtype)
    v_arrays = None
    if v_like is not None:
        v_arrays = [rng.standard_normal(s.shape).astype(dtype) for s in v_like(fn, arrays)]
    out = []
    for L in (ember, torch):
        args = [_inputs(L, arrays)]
        if v_arrays is not None:
            args.append(_inputs(L, v_arrays))
        out.append(getattr(L.autograd.functional, op)(lambda *a, L=L: fn(L, *a), *args, **kw))
    return out


def _output_shapes(fn, arrays):
    out = fn(torch, *[torch.tensor(a) for a in arrays])
    return [o.numpy() for o in (out if isinstance(out, tuple) else (out,))]


@pytest.mark.parametrize("name", sorted(FUNCS))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_jacobian(name, dtype, rng):
    e, t = _both("jacobian", name, rng, dtype=dtype)
    assert_same(e, t, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", sorted(FUNCS))
@pytest.mark.parametrize("options", [dict(vectorize=True),
                                     dict(vectorize=True, strategy="forward-mode")])
def test_jacobian_vectorize_and_forward_mode_equal_reverse(name, options, rng):
    e, t = _both("jacobian", name, rng, **options)
    assert_same(e, t)


@pytest.mark.parametrize("name", sorted(FUNCS))
def test_vjp(name, rng):
    e, t = _both("vjp", name, rng, v_like=_output_shapes)
    assert_same(e, t)


@pytest.mark.parametrize("name", sorted(FUNCS))
def test_jvp_double_vjp_trick(name, rng):
    e, t = _both("jvp", name, rng, v_like=lambda fn, arrays: arrays)
    assert_same(e, t)


SCALAR = {
    "cubic": (lambda L, x: (x ** 3).sum() + (x[0] * x[1]) ** 2, [(3,)]),
    "two_inputs": (lambda L, x, y: (L.sin(x) @ y.exp()).sum() * x.sum(), [(2, 3), (3,)]),
    "matrix": (lambda L, x: L.logsumexp(x * x, dim=1).sum(), [(2, 3)]),
}


def _both_scalar(op, name, rng, with_v=True, **kw):
    fn, shapes = SCALAR[name]
    arrays = [rng.uniform(0.5, 1.5, s) for s in shapes]
    v_arrays = [rng.standard_normal(s) for s in shapes]
    out = []
    for L in (ember, torch):
        args = [_inputs(L, arrays)] + ([_inputs(L, v_arrays)] if with_v else [])
        out.append(getattr(L.autograd.functional, op)(lambda *a, L=L: fn(L, *a), *args, **kw))
    return out


@pytest.mark.parametrize("name", sorted(SCALAR))
@pytest.mark.parametrize("options", [{}, dict(vectorize=True),
                                     dict(vectorize=True, outer_jacobian_strategy="forward-mode")])
def test_hessian(name, options, rng):
    e, t = _both_scalar("hessian", name, rng, with_v=False, **options)
    assert_same(e, t)


@pytest.mark.parametrize("name", sorted(SCALAR))
@pytest.mark.parametrize("op", ["hvp", "vhp"])
def test_hvp_vhp(name, op, rng):
    e, t = _both_scalar(op, name, rng)
    assert_same(e, t)


@pytest.mark.parametrize("op", ["jacobian", "hessian", "vjp", "jvp", "hvp", "vhp"])
def test_create_graph_results_are_differentiable(op, rng):
    xv = rng.uniform(0.5, 1.5, (3,))
    vv = rng.standard_normal(3)
    res = []
    for L in (ember, torch):
        x = L.tensor(xv, requires_grad=True)
        args = () if op in ("jacobian", "hessian") else (L.tensor(vv),)
        f = (lambda a, L=L: (a ** 3).sum() * a[0]) if op in ("hessian", "hvp", "vhp") \
            else (lambda a, L=L: L.sin(a) * a ** 2)
        out = getattr(L.autograd.functional, op)(f, x, *args, create_graph=True)
        last = out if op in ("jacobian", "hessian") else out[1]
        assert last.requires_grad
        (g,) = L.autograd.grad((last ** 2).sum(), x)
        res.append((out, g))
    assert_same(res[0], res[1])


def test_forward_mode_keeps_the_graph_of_inputs_requiring_grad(rng):
    xv = rng.uniform(0.5, 1.5, (3,))
    res = []
    for L in (ember, torch):
        x = L.tensor(xv, requires_grad=True)
        jac = L.autograd.functional.jacobian(lambda a: a ** 3, x, vectorize=True,
                                             strategy="forward-mode")
        res.append((jac, L.autograd.grad(jac.sum(), x)))
    assert_same(*res)


def test_without_create_graph_results_are_detached(rng):
    xv = rng.uniform(0.5, 1.5, (3,))
    for L in (ember, torch):
        x = L.tensor(xv, requires_grad=True)
        out, vjp = L.autograd.functional.vjp(lambda a: (a ** 2).sum(), x)
        assert not out.requires_grad and not vjp.requires_grad
        assert x.grad is None


def test_independent_input_gives_zeros(rng):
    xv, yv = rng.standard_normal(3), rng.standard_normal(2)
    res = [L.autograd.functional.jacobian(lambda a, b: a * 2, (L.tensor(xv), L.tensor(yv)))
           for L in (ember, torch)]
    assert_same(*res)
    res = [L.autograd.functional.vjp(lambda a, b: a.sum(), (L.tensor(xv), L.tensor(yv)))
           for L in (ember, torch)]
    assert_same(*res)


def test_non_contiguous_and_0d(rng):
    xv = rng.standard_normal((4, 3))
    res = [L.autograd.functional.jacobian(lambda a: a.exp(), L.tensor(xv).t())
           for L in (ember, torch)]
    assert_same(*res)
    res = [L.autograd.functional.hessian(lambda a: a ** 4, L.tensor(1.5)) for L in (ember, torch)]
    assert_same(*res)
    res = [L.autograd.functional.vjp(lambda a: a.sin(), L.tensor(0.3)) for L in (ember, torch)]
    assert_same(*res)


def _error_pair(call):
    excs = []
    for L in (ember, torch):
        try:
            call(L)
        except Exception as exc:  # noqa: BLE001
            excs.append(exc)
        else:
            excs.append(None)
    e, t = excs
    assert t is not None, "torch did not raise"
    assert e is not None, f"ember did not raise (torch raised {type(t).__name__}: {t})"
    assert type(e) is type(t), f"ember raised {type(e).__name__}: {e}; torch raised {t!r}"
    assert str(e).replace("ember.", "torch.") == str(t).replace("ember.", "torch."), (
        f"ember: {e}\ntorch: {t}")


X3 = np.array([1.0, 2.0, 3.0])


def F(L):
    return L.autograd.functional


ERRORS = {
    "inputs_not_tensor": lambda L: F(L).jacobian(lambda a: a, [L.tensor(X3)]),
    "tuple_entry_not_tensor": lambda L: F(L).vjp(lambda a, b: a, (L.tensor(X3), 3.0)),
    "output_not_tensor": lambda L: F(L).jacobian(lambda a: 3.0, L.tensor(X3)),
    "v_none_non_scalar_out": lambda L: F(L).vjp(lambda a: a * 2, L.tensor(X3)),
    "v_none_non_scalar_in": lambda L: F(L).jvp(lambda a: a * 2, L.tensor(X3)),
    "v_wrong_size": lambda L: F(L).vjp(lambda a: a * 2, L.tensor(X3), L.tensor(X3[:2])),
    "v_wrong_size_tuple": lambda L: F(L).jvp(lambda a, b: a * b, (L.tensor(X3), L.tensor(X3)),
                                             (L.tensor(X3), L.tensor(X3[:1]))),
    "v_wrong_length": lambda L: F(L).jvp(lambda a, b: a * b, (L.tensor(X3), L.tensor(X3)),
                                         (L.tensor(X3),)),
    "v_two_for_single": lambda L: F(L).vjp(lambda a: a * 2, L.tensor(X3),
                                           (L.tensor(X3), L.tensor(X3))),
    "strict_output_independent": lambda L: F(L).jacobian(lambda a: L.ones(3), L.tensor(X3),
                                                         strict=True),
    "strict_input_unused": lambda L: F(L).jacobian(lambda a, b: a * 2,
                                                   (L.tensor(X3), L.tensor(X3)), strict=True),
    "strict_vjp_unused": lambda L: F(L).vjp(lambda a, b: (a * 2).sum(),
                                            (L.tensor(X3), L.tensor(X3)), strict=True),
    "strict_jvp_output_constant": lambda L: F(L).jvp(lambda a, b: (a * 2, L.ones(3)),
                                                     (L.tensor(X3), L.tensor(X3)),
                                                     (L.tensor(X3), L.tensor(X3)), strict=True),
    "strict_hvp_input_unused": lambda L: F(L).hvp(lambda a, b: (a ** 3).sum(),
                                                  (L.tensor(X3), L.tensor(X3)),
                                                  (L.tensor(X3), L.tensor(X3)), strict=True),
    "strict_create_graph_linear": lambda L: F(L).jacobian(lambda a: a * 2, L.tensor(X3),
                                                          strict=True, create_graph=True),
    "strict_hessian_linear": lambda L: F(L).hessian(lambda a: (a * 2).sum(), L.tensor(X3),
                                                    strict=True),
    "strict_hvp_linear": lambda L: F(L).hvp(lambda a: (a * 2).sum(), L.tensor(X3),
                                            L.tensor(X3), strict=True),
    "strict_vhp_quadratic_create_graph": lambda L: F(L).vhp(
        lambda a: (a * a).sum(), L.tensor(X3), L.tensor(X3), strict=True, create_graph=True),
    "strict_and_vectorize": lambda L: F(L).jacobian(lambda a: a * a, L.tensor(X3), strict=True,
                                                    vectorize=True),
    "bad_strategy": lambda L: F(L).jacobian(lambda a: a, L.tensor(X3), strategy="fwd"),
    "bad_outer_strategy": lambda L: F(L).hessian(lambda a: a.sum(), L.tensor(X3),
                                                 outer_jacobian_strategy="x"),
    "forward_needs_vectorize": lambda L: F(L).jacobian(lambda a: a, L.tensor(X3),
                                                       strategy="forward-mode"),
    "forward_create_graph": lambda L: F(L).jacobian(lambda a: a, L.tensor(X3), create_graph=True,
                                                    strategy="forward-mode", vectorize=True),
    "forward_strict": lambda L: F(L).jacobian(lambda a: a, L.tensor(X3), strict=True,
                                              strategy="forward-mode", vectorize=True),
    "hessian_forward_needs_vectorize": lambda L: F(L).hessian(
        lambda a: (a ** 3).sum(), L.tensor(X3), outer_jacobian_strategy="forward-mode"),
    "hessian_tuple_output": lambda L: F(L).hessian(lambda a: (a.sum(), a.sum()), L.tensor(X3)),
    "hessian_non_scalar": lambda L: F(L).hessian(lambda a: a * a, L.tensor(X3)),
    "hvp_tuple_output": lambda L: F(L).hvp(lambda a: (a.sum(),), L.tensor(X3), L.tensor(X3)),
    "vhp_non_scalar": lambda L: F(L).vhp(lambda a: a * a, L.tensor(X3), L.tensor(X3)),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors_match_torch(name):
    _error_pair(ERRORS[name])


def test_grad_is_grads_batched(rng):
    """is_grads_batched: one vector-Jacobian product per row of the batched grad_outputs."""
    x = rng.standard_normal(3)
    g = rng.standard_normal((4, 3))
    ex, tx = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    (ge,) = ember.autograd.grad(ex ** 3, ex, ember.tensor(g), is_grads_batched=True)
    (gt,) = torch.autograd.grad(tx ** 3, tx, torch.tensor(g), is_grads_batched=True)
    np.testing.assert_allclose(ge.numpy(), gt.numpy(), rtol=1e-12)
    with pytest.raises(RuntimeError, match="is_grads_batched=True"):
        ember.autograd.grad(ex ** 3, ex, ember.ones(2, 4), is_grads_batched=True)
    with pytest.raises(RuntimeError, match="is_grads_batched=True"):
        torch.autograd.grad(tx ** 3, tx, torch.ones(2, 4), is_grads_batched=True)
