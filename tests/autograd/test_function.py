"""Custom autograd.Function against torch: ctx API, setup_context style, tuple outputs,
non-differentiable and dirty outputs, materialize_grads, once_differentiable, double backward."""

import numpy as np
import pytest
import torch

import ember


def lib_of(t):
    return torch if isinstance(t, torch.Tensor) else ember


def pair(x, requires_grad=True):
    x = np.asarray(x, dtype=np.float64)
    return (ember.tensor(x, requires_grad=requires_grad),
            torch.tensor(x, requires_grad=requires_grad))


def close(e, t):
    assert (e is None) == (t is None), (e, t)
    if e is not None:
        np.testing.assert_allclose(e.detach().numpy(), t.detach().numpy(), rtol=1e-6,
                                   atol=1e-9)


def make(lib):
    F = lib.autograd.Function

    class Cube(F):
        @staticmethod
        def forward(ctx, x, scale):
            ctx.save_for_backward(x)
            ctx.scale = scale
            return x * x * x * scale

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 3 * x * x * ctx.scale, None

    class CubeSC(F):   # setup_context style
        @staticmethod
        def forward(x, scale):
            return x * x * x * scale

        @staticmethod
        def setup_context(ctx, inputs, output):
            x, scale = inputs
            ctx.save_for_backward(x)
            ctx.scale = scale

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 3 * x * x * ctx.scale, None

    class Split(F):   # tuple output, one non-differentiable, needs_input_grad
        @staticmethod
        def forward(ctx, a, b):
            ctx.save_for_backward(a, b)
            ctx.nig = ctx.needs_input_grad
            idx = lib.ones(3, dtype=lib.int64)
            ctx.mark_non_differentiable(idx)
            return a * b, a + b, idx

        @staticmethod
        def backward(ctx, g1, g2, g3):
            a, b = ctx.saved_tensors
            return (g1 * b + g2 if ctx.needs_input_grad[0] else None,
                    g1 * a + g2 if ctx.needs_input_grad[1] else None)

    class Ident(F):   # returns its input unchanged
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, g):
            return g * 2

    class NoMat(F):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            return x * 1, x * 2

        @staticmethod
        def backward(ctx, g1, g2):
            ctx.got = (g1 is None, g2 is None)
            out = 0
            if g1 is not None:
                out = out + g1
            if g2 is not None:
                out = out + 2 * g2
            return out

    class Mat(F):
        @staticmethod
        def forward(ctx, x):
            return x * 1, x * 2

        @staticmethod
        def backward(ctx, g1, g2):
            return g1 + 2 * g2

    class Dirty(F):
        @staticmethod
        def forward(ctx, x):
            x.mul_(2)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, g):
            return g * 2

    class Once(F):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.exp()

        @staticmethod
        @lib.autograd.function.once_differentiable
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * x.exp()

    return dict(Cube=Cube, CubeSC=CubeSC, Split=Split, Ident=Ident, NoMat=NoMat, Mat=Mat,
                Dirty=Dirty, Once=Once)


E, T = make(ember), make(torch)


@pytest.mark.parametrize("name", ["Cube", "CubeSC"])
def test_cube_first_and_second_order(name, rng):
    x = rng.standard_normal(4)
    ex, tx = pair(x)
    ey, ty = E[name].apply(ex, 2.0), T[name].apply(tx, 2.0)
    close(ey, ty)
    assert ey.grad_fn.name() == ty.grad_fn.name().replace("torch", "ember") or \
        name in ey.grad_fn.name()
    g = rng.standard_normal(4)
    (eg,) = ember.autograd.grad(ey, ex, ember.tensor(g), create_graph=True)
    (tg,) = torch.autograd.grad(ty, tx, torch.tensor(g), create_graph=True)
    close(eg, tg)
    (egg,) = ember.autograd.grad(eg, ex, ember.tensor(g))
    (tgg,) = torch.autograd.grad(tg, tx, torch.tensor(g))
    close(egg, tgg)


def test_grad_fn_name_is_class_backward():
    ex, tx = pair([1.0])
    assert E["Cube"].apply(ex, 1.0).grad_fn.name() == "CubeBackward"
    assert T["Cube"].apply(tx, 1.0).grad_fn.name() == "CubeBackward"


def test_tuple_outputs_and_non_differentiable(rng):
    a, b = rng.standard_normal(3), rng.standard_normal(3)
    for grad_b in (True, False):
        ea, ta = pair(a)
        eb, tb = pair(b, grad_b)
        eo, to = E["Split"].apply(ea, eb), T["Split"].apply(ta, tb)
        assert [o.requires_grad for o in eo] == [o.requires_grad for o in to]
        assert eo[2].grad_fn is None and to[2].grad_fn is None
        assert eo[0].grad_fn is eo[1].grad_fn
        assert eo[0].grad_fn.nig == to[0].grad_fn.nig == (True, grad_b)
        # only one output used: the other's grad is materialised as zeros
        g = rng.standard_normal(3)
        eo[1].backward(ember.tensor(g))
        to[1].backward(torch.tensor(g))
        close(ea.grad, ta.grad)
        close(eb.grad, tb.grad)


def test_input_returned_unchanged():
    ex, tx = pair([1.0, 2.0])
    ey, ty = E["Ident"].apply(ex), T["Ident"].apply(tx)
    assert ey is not ex and ty is not tx
    assert not ey.is_leaf and not ty.is_leaf
    ey.backward(ember.ones(2, dtype=ember.float64))
    ty.backward(torch.ones(2, dtype=torch.float64))
    close(ex.grad, tx.grad)
    with ember.no_grad():
        ez = E["Ident"].apply(ex)
    assert ez is not ex and not ez.requires_grad


def test_materialize_grads():
    for name in ("NoMat", "Mat"):
        ex, tx = pair([1.0, 2.0])
        eo, to = E[name].apply(ex), T[name].apply(tx)
        eo[1].backward(ember.ones(2, dtype=ember.float64))
        to[1].backward(torch.ones(2, dtype=torch.float64))
        close(ex.grad, tx.grad)
        if name == "NoMat":
            assert eo[0].grad_fn.got == to[0].grad_fn.got == (True, False)


def test_mark_dirty():
    ea, ta = pair([1.0, -2.0])
    ex, tx = ea * 1, ta * 1
    ey, ty = E["Dirty"].apply(ex), T["Dirty"].apply(tx)
    assert ey is ex and ty is tx
    assert ex._version == tx._version
    close(ey, ty)
    ey.backward(ember.ones(2, dtype=ember.float64))
    ty.backward(torch.ones(2, dtype=torch.float64))
    close(ea.grad, ta.grad)


def test_once_differentiable():
    ex, tx = pair([0.5, 1.0])
    ey, ty = E["Once"].apply(ex), T["Once"].apply(tx)
    (eg,) = ember.autograd.grad(ey, ex, ember.ones(2, dtype=ember.float64), create_graph=True)
    (tg,) = torch.autograd.grad(ty, tx, torch.ones(2, dtype=torch.float64), create_graph=True)
    close(eg, tg)
    # the grad output does not require grad, so (as torch) no DelayedError node: no history
    assert eg.requires_grad == tg.requires_grad == False  # noqa: E712
    with pytest.raises(RuntimeError, match="does not require grad"):
        tg.backward(torch.ones(2, dtype=torch.float64))
    with pytest.raises(RuntimeError, match="does not require grad"):
        eg.backward(ember.ones(2, dtype=ember.float64))


def test_apply_accepts_kwargs_like_torch():
    ex, tx = pair([1.0])
    close(E["Cube"].apply(ex, scale=2.0), T["Cube"].apply(tx, scale=2.0))


def test_wrong_number_of_grads():
    class Bad(ember.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            return x * y

        @staticmethod
        def backward(ctx, g):
            return g

    class TBad(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            return x * y

        @staticmethod
        def backward(ctx, g):
            return g

    ex, tx = pair([1.0])
    ey, ty = pair([2.0])
    with pytest.raises(RuntimeError, match="incorrect number of gradients"):
        TBad.apply(tx, ty).backward()
    with pytest.raises(RuntimeError, match="incorrect number of gradients"):
        Bad.apply(ex, ey).backward()


def test_save_non_tensor_error():
    class S(ember.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(3)
            return x * 1

        @staticmethod
        def backward(ctx, g):
            return g

    class TS(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(3)
            return x * 1

        @staticmethod
        def backward(ctx, g):
            return g
    ex, tx = pair([1.0])
    with pytest.raises(TypeError) as te:
        TS.apply(tx)
    with pytest.raises(type(te.value)):
        S.apply(ex)


def test_forward_runs_without_grad_and_gets_tensors():
    seen = {}

    class P(ember.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            seen["grad"] = ember.is_grad_enabled()
            seen["type"] = type(x)
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2

    ex, _ = pair([1.0])
    y = P.apply(ex)
    assert seen == {"grad": False, "type": ember.Tensor}
    assert y.requires_grad and y.grad_fn.name() == "PBackward"


def test_no_grad_apply_records_nothing():
    ex, _ = pair([1.0])
    with ember.no_grad():
        y = E["Cube"].apply(ex, 1.0)
    assert y.grad_fn is None and not y.requires_grad


def test_once_differentiable_delayed_error():
    ex, tx = pair([0.5, 1.0])
    eg0, tg0 = pair([1.0, 1.0])
    (eg,) = ember.autograd.grad(E["Once"].apply(ex), ex, eg0, create_graph=True)
    (tg,) = torch.autograd.grad(T["Once"].apply(tx), tx, tg0, create_graph=True)
    close(eg, tg)
    assert eg.grad_fn.name() == tg.grad_fn.name().split("::")[-1] == "Error"
    with pytest.raises(RuntimeError, match="once_differentiable"):
        tg.sum().backward()
    with pytest.raises(RuntimeError, match="once_differentiable"):
        eg.backward(ember.ones(2, dtype=ember.float64))


def test_mark_dirty_on_leaf_errors():
    ex, tx = pair([1.0, 2.0])
    with pytest.raises(RuntimeError) as te:
        T["Dirty"].apply(tx)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad") as ee:
        E["Dirty"].apply(ex)
    assert "in-place" in str(te.value) and "in-place" in str(ee.value)
