"""The engine and the Tensor autograd API against torch: backward, grad, hooks, retain_grad,
accumulation, graph structure and torch's errors."""

import gc

import numpy as np
import pytest
import torch

import ember


def pair(x, requires_grad=True):
    x = np.asarray(x, dtype=np.float64)
    return (ember.tensor(x, requires_grad=requires_grad),
            torch.tensor(x, requires_grad=requires_grad))


def close(e, t):
    assert e is not None and t is not None, (e, t)
    np.testing.assert_allclose(np.asarray(e.detach().numpy(), np.float64),
                               t.detach().numpy().astype(np.float64), rtol=1e-6, atol=1e-8)


def raises_like(e_fn, t_fn, *match):
    with pytest.raises(Exception) as te:
        t_fn()
    with pytest.raises(type(te.value)) as ee:
        e_fn()
    for m in match:
        assert m in str(ee.value), f"{m!r} not in {ee.value}"
    return ee.value


def graph(lib, a, b, c):
    return (a * b + c).tanh() * a


def test_backward_accumulates_and_names(rng):
    x = rng.standard_normal((4, 4))
    ea, ta = pair(x)
    eb, tb = pair(x.T * 2)
    ec, tc = pair(np.ones(4))
    for _ in range(2):   # accumulation across calls
        g = rng.standard_normal((4, 4))
        graph(ember, ea, eb, ec).backward(ember.tensor(g))
        graph(torch, ta, tb, tc).backward(torch.tensor(g))
        close(ea.grad, ta.grad)
        close(eb.grad, tb.grad)
        close(ec.grad, tc.grad)
    e, t = ea * eb + ec, ta * tb + tc
    assert e.grad_fn.name() == t.grad_fn.name() == "AddBackward0"
    en = [(f.name().split("::")[-1], n) for f, n in e.grad_fn.next_functions]
    tn = [(f.name().split("::")[-1], n) for f, n in t.grad_fn.next_functions]
    assert [n for n, _ in en] == [n for n, _ in tn] == ["MulBackward0", "AccumulateGrad"]
    assert e.grad_fn.next_functions[1][0].variable is ec
    assert not e.is_leaf and ea.is_leaf and ember.tensor(1.0).is_leaf


def test_scalar_backward_and_retain_graph(rng):
    ea, ta = pair(rng.standard_normal(3))
    ey = (ea.exp() * ea).sum() if hasattr(ember.Tensor, "sum") else None
    e = ea.exp() * ea
    t = ta.exp() * ta
    e_s, t_s = e * 1.0, t * 1.0   # non-scalar: needs gradient
    raises_like(lambda: e_s.backward(), lambda: t_s.backward(),
                "grad can be implicitly created only for scalar outputs")
    del ey
    e0 = (ea * ea).exp()
    t0 = (ta * ta).exp()
    g = np.ones(3)
    e0.backward(ember.tensor(g), retain_graph=True)
    t0.backward(torch.tensor(g), retain_graph=True)
    e0.backward(ember.tensor(g))
    t0.backward(torch.tensor(g))
    close(ea.grad, ta.grad)
    raises_like(lambda: e0.backward(ember.tensor(g)), lambda: t0.backward(torch.tensor(g)),
                "second time", "ExpBackward0")


def test_second_backward_ok_without_saved_tensors():
    ea, ta = pair([1.0, 2.0])
    e, t = ea + 1, ta + 1   # AddBackward saves nothing: torch allows a second backward
    g = [1.0, 1.0]
    e.backward(ember.tensor(g))
    t.backward(torch.tensor(g))
    e.backward(ember.tensor(g))
    t.backward(torch.tensor(g))
    close(ea.grad, ta.grad)


def test_gradient_shape_mismatch():
    ea, ta = pair([1.0, 2.0])
    raises_like(lambda: (ea * 2).backward(ember.ones(3)),
                lambda: (ta * 2).backward(torch.ones(3)), "Mismatch in shape")


def test_backward_of_tensor_without_grad():
    e, t = ember.tensor([1.0]), torch.tensor([1.0])
    raises_like(lambda: e.backward(), lambda: t.backward(), "does not require grad")


def test_retain_grad_and_hooks(rng):
    x = rng.standard_normal((3, 2))
    ea, ta = pair(x)
    res = {}
    for lib, a in (("e", ea), ("t", ta)):
        h = a * 3
        h.retain_grad()
        seen = []
        handle = h.register_hook(lambda g, seen=seen: seen.append(g * 1) or g * 2)
        a.register_hook(lambda g: g + 1)
        removed = a.register_hook(lambda g: g * 100)
        removed.remove()
        y = (h * h).tanh()
        y.backward(type(a)(np.ones((3, 2))) if lib == "e" else torch.ones(3, 2,
                                                                           dtype=torch.float64))
        assert h.retains_grad and not y.retains_grad
        res[lib] = (h.grad, a.grad, seen[0])
        handle.remove()
    for e, t in zip(res["e"], res["t"]):
        close(e, t)


def test_nonleaf_grad_warning():
    ea, ta = pair([1.0])
    e, t = ea * 2, ta * 2
    with pytest.warns(UserWarning, match="not a leaf"):
        assert e.grad is None
    with pytest.warns(UserWarning):
        assert t.grad is None


def test_autograd_grad(rng):
    x = rng.standard_normal(4)
    ea, ta = pair(x)
    eb, tb = pair(x + 1)
    eu, tu = pair(x)
    g = rng.standard_normal(4)
    e = ember.autograd.grad(ea * eb, [ea, eb], ember.tensor(g), retain_graph=True)
    t = torch.autograd.grad(ta * tb, [ta, tb], torch.tensor(g), retain_graph=True)
    assert isinstance(e, tuple) and len(e) == 2
    for a, b in zip(e, t):
        close(a, b)
    assert ea.grad is None
    raises_like(lambda: ember.autograd.grad(ea * eb, [ea, eu], ember.tensor(g)),
                lambda: torch.autograd.grad(ta * tb, [ta, tu], torch.tensor(g)),
                "allow_unused")
    e = ember.autograd.grad(ea * eb, [eu, ea], ember.tensor(g), allow_unused=True)
    t = torch.autograd.grad(ta * tb, [tu, ta], torch.tensor(g), allow_unused=True)
    assert e[0] is None and t[0] is None
    close(e[1], t[1])
    e = ember.autograd.grad(ea * eb, [eu, ea], ember.tensor(g), materialize_grads=True)
    t = torch.autograd.grad(ta * tb, [tu, ta], torch.tensor(g), materialize_grads=True)
    close(e[0], t[0])
    close(e[1], t[1])
    # a non-leaf input
    eh, th = ea * 2, ta * 2
    close(ember.autograd.grad(eh.exp(), eh, ember.tensor(g))[0],
          torch.autograd.grad(th.exp(), th, torch.tensor(g))[0])


def test_backward_inputs(rng):
    x = rng.standard_normal(3)
    ea, ta = pair(x)
    eb, tb = pair(x * 2)
    (ea * eb).backward(ember.ones(3, dtype=ember.float64), inputs=[ea])
    (ta * tb).backward(torch.ones(3, dtype=torch.float64), inputs=[ta])
    close(ea.grad, ta.grad)
    assert eb.grad is None and tb.grad is None
    ember.autograd.backward([ea * eb], [ember.ones(3, dtype=ember.float64)])
    torch.autograd.backward([ta * tb], [torch.ones(3, dtype=torch.float64)])
    close(ea.grad, ta.grad)
    close(eb.grad, tb.grad)


def test_double_backward(rng):
    x = rng.standard_normal(5)
    ea, ta = pair(x)
    ones_e, ones_t = ember.ones(5, dtype=ember.float64), torch.ones(5, dtype=torch.float64)
    (eg,) = ember.autograd.grad(ea.tanh() * ea.sin(), ea, ones_e, create_graph=True)
    (tg,) = torch.autograd.grad(ta.tanh() * ta.sin(), ta, ones_t, create_graph=True)
    close(eg, tg)
    assert eg.requires_grad and eg.grad_fn is not None
    (egg,) = ember.autograd.grad(eg, ea, ones_e)
    (tgg,) = torch.autograd.grad(tg, ta, ones_t)
    close(egg, tgg)
    # backward(create_graph=True) leaves a differentiable .grad
    eb, tb = pair(x)
    (eb * eb * eb).backward(ones_e, create_graph=True)
    (tb * tb * tb).backward(ones_t, create_graph=True)
    assert eb.grad.requires_grad and tb.grad.requires_grad
    close(eb.grad, tb.grad)


def test_dtype_of_grads():
    e = ember.tensor([1.0, 2.0], requires_grad=True)   # float32
    (e * ember.tensor([1.0, 2.0], dtype=ember.float64)).backward(
        ember.ones(2, dtype=ember.float64))
    assert e.grad.dtype == ember.float32


def test_requires_grad_errors():
    raises_like(lambda: ember.tensor([1, 2]).requires_grad_(),
                lambda: torch.tensor([1, 2]).requires_grad_(),
                "floating point")
    raises_like(lambda: ember.tensor([1, 2], requires_grad=True),
                lambda: torch.tensor([1, 2], requires_grad=True), "floating point")
    ea, ta = pair([1.0])
    e, t = ea * 2, ta * 2

    def unset(x):
        x.requires_grad = False
    raises_like(lambda: unset(e), lambda: unset(t), "leaf variables")
    e.requires_grad_(True)  # allowed on a non-leaf (no-op)
    t.requires_grad_(True)


def test_inplace_on_leaf_errors():
    ea, ta = pair([1.0, 2.0])
    raises_like(lambda: ea.mul_(2), lambda: ta.mul_(2), "leaf Variable", "in-place")
    with ember.no_grad():
        ea.mul_(2)
    with torch.no_grad():
        ta.mul_(2)
    close(ea, ta)


def test_saved_tensor_modified_inplace():
    ea, ta = pair([1.0, 2.0])
    eh, th = ea * 1, ta * 1
    ey, ty = eh.exp(), th.exp()   # saves its output
    ez, tz = eh * eh, th * th     # saves eh
    ey.add_(1)
    ty.add_(1)
    g = [1.0, 1.0]
    err = raises_like(lambda: ey.backward(ember.tensor(g)), lambda: ty.backward(torch.tensor(g)),
                      "modified by an inplace operation", "ExpBackward0", "version 1",
                      "expected version 0")
    assert "output 0 of ExpBackward0" in str(err)
    eh.mul_(3)
    th.mul_(3)
    raises_like(lambda: ez.backward(ember.tensor(g)), lambda: tz.backward(torch.tensor(g)),
                "modified by an inplace operation", "MulBackward0")


def test_inplace_nonleaf_backward(rng):
    x = rng.standard_normal(4)
    ea, ta = pair(x)
    e = ea * 2
    t = ta * 2
    e.add_(3).mul_(ea)
    t.add_(3).mul_(ta)
    assert e.grad_fn.name() == t.grad_fn.name() == "MulBackward0"
    assert e._version == t._version == 2
    g = rng.standard_normal(4)
    e.backward(ember.tensor(g))
    t.backward(torch.tensor(g))
    close(ea.grad, ta.grad)


def test_conversion_errors():
    ea, ta = pair([1.0, 2.0])
    raises_like(lambda: ea.numpy(), lambda: ta.numpy(), "requires grad", "detach")
    raises_like(lambda: ea.item(), lambda: ta.item(), "2 elements")
    raises_like(lambda: bool(ea), lambda: bool(ta), "ambiguous")
    assert ea.detach().numpy().tolist() == [1.0, 2.0]


def test_detach_shares_data():
    ea, ta = pair([1.0, 2.0])
    ed = ea.detach()
    assert not ed.requires_grad and ed.is_leaf
    with ember.no_grad():
        ea.mul_(2)
    assert ed.tolist() == [2.0, 4.0]
    assert ed._version == ea._version


def test_long_chain_no_recursion_limit():
    a = ember.tensor([1.0], requires_grad=True)
    y = a
    for _ in range(5000):
        y = y * 1.0001
    y.backward(ember.ones(1))
    np.testing.assert_allclose(a.grad.numpy(), [1.0001 ** 5000], rtol=1e-4)


def test_graph_freed():
    a = ember.tensor([1.0], requires_grad=True)
    y = (a * 2).exp()
    import weakref
    r = weakref.ref(y.grad_fn)
    del y
    gc.collect()
    assert r() is None


def test_shared_subgraph(rng):
    x = rng.standard_normal(3)
    ea, ta = pair(x)
    eh, th = ea.exp(), ta.exp()
    e = eh * eh.sin() + eh.cos() * ea
    t = th * th.sin() + th.cos() * ta
    g = rng.standard_normal(3)
    e.backward(ember.tensor(g))
    t.backward(torch.tensor(g))
    close(ea.grad, ta.grad)


def test_node_hooks(rng):
    x = rng.standard_normal(3)
    ea, ta = pair(x)
    res = []
    for a in (ea, ta):
        y = a * a
        seen = []
        y.grad_fn.register_prehook(lambda go, seen=seen: seen.append(("pre", len(go))))
        y.grad_fn.register_hook(lambda gi, go, seen=seen: seen.append(("post", len(gi),
                                                                        len(go))))
        y.backward(type(a)(np.ones(3)) if a is ea else torch.ones(3, dtype=torch.float64))
        res.append(seen)
    assert res[0] == res[1]


# ------------------------------------------------------------------ in-place ops on views
VIEW_CASES = {
    "select_mul": lambda lib, b, w: b[0].mul_(2),
    "column_zero": lambda lib, b, w: b[:, 0].zero_(),
    "view_add": lambda lib, b, w: b.view(-1).add_(1),
    "transpose_row_mul_tensor": lambda lib, b, w: b.t()[1].mul_(w),
    "slice_exp": lambda lib, b, w: b[:, 1:].exp_(),
    "nested_views": lambda lib, b, w: b[1:][0][1:].mul_(w[:2]),
    "view_then_read": lambda lib, b, w: b[0].mul_(w),
}


@pytest.mark.parametrize("case", sorted(VIEW_CASES))
def test_inplace_on_view_grads(case, rng):
    x = rng.standard_normal((2, 3))
    w = rng.standard_normal(3)[:2] if case == "transpose_row_mul_tensor" else \
        rng.standard_normal(3)
    ea, ta = pair(x)
    ew, tw = pair(w)
    grads = []
    g = rng.standard_normal((2, 3))
    for lib, a, wt in ((ember, ea, ew), (torch, ta, tw)):
        b = a * 1
        v = VIEW_CASES[case](lib, b, wt)
        assert b.grad_fn.name().split("::")[-1] == "CopySlices"
        assert v._version == b._version >= 1
        y = b * b.sin() + v.sum()   # uses both the base and the view after the write
        y.backward(lib.tensor(g))
        grads.append((a.grad, wt.grad))
    close(grads[0][0], grads[1][0])
    if grads[1][1] is not None:
        close(grads[0][1], grads[1][1])
    else:
        assert grads[0][1] is None


def test_inplace_on_view_values_and_double_backward(rng):
    x = rng.standard_normal((2, 3))

    def f(a):
        b = a * 1
        b[0].mul_(a[1])
        return b * b

    ea, ta = pair(x)
    close(f(ea), f(ta))
    g = rng.standard_normal((2, 3))
    (eg,) = ember.autograd.grad(f(ea), ea, ember.tensor(g), create_graph=True)
    (tg,) = torch.autograd.grad(f(ta), ta, torch.tensor(g), create_graph=True)
    close(eg, tg)
    (egg,) = ember.autograd.grad(eg, ea, ember.tensor(g))
    (tgg,) = torch.autograd.grad(tg, ta, torch.tensor(g))
    close(egg, tgg)
    assert ember.autograd.gradcheck(f, (ea,))


def test_inplace_on_view_errors():
    ea, ta = pair([1.0, 2.0, 3.0])
    raises_like(lambda: ea[0:2].mul_(2), lambda: ta[0:2].mul_(2),
                "a view of a leaf Variable that requires grad")
    ew, tw = pair([1.0, 2.0, 3.0, 4.0])
    raises_like(lambda: ember.zeros(3, 1).expand(3, 4).add_(ew),
                lambda: torch.zeros(3, 1).expand(3, 4).add_(tw),
                "more than one element of the written-to tensor")


def test_inplace_on_view_without_grad_mode():
    a = ember.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    with ember.no_grad():
        a[0].mul_(10)
    assert a.tolist() == [[10.0, 20.0], [3.0, 4.0]] and a.is_leaf
    b = ember.zeros(2, 2)
    b[1].add_(1)   # nothing requires grad: a plain write
    assert b.tolist() == [[0.0, 0.0], [1.0, 1.0]] and b.grad_fn is None
