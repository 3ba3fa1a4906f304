"""ember.func (grad, grad_and_value, vjp, jvp, jacrev, jacfwd, hessian, functional_call, vmap)
matches torch.func on the same functions: values, output structure, has_aux, argnums, nesting,
vmap's in_dims/out_dims and the errors."""

from collections import namedtuple

import numpy as np
import pytest
import torch

import ember
from harness import same_dtype


def assert_same(e, t, rtol=1e-6, atol=1e-8):
    """Same nesting (tuple/list/dict), values, shapes, dtypes and requires_grad."""
    if isinstance(t, (tuple, list)):
        assert type(e) is type(t) and len(e) == len(t), f"{type(e)} vs {type(t)} of {len(t)}"
        for a, b in zip(e, t):
            assert_same(a, b, rtol, atol)
        return
    if isinstance(t, dict):
        assert isinstance(e, dict) and list(e) == list(t)
        for k in t:
            assert_same(e[k], t[k], rtol, atol)
        return
    if not isinstance(t, torch.Tensor):
        assert e == t
        return
    assert isinstance(e, ember.Tensor), f"ember returned {type(e).__name__}"
    assert tuple(e.shape) == tuple(t.shape)
    assert same_dtype(e.dtype, t.dtype), f"{e.dtype} vs {t.dtype}"
    assert e.requires_grad == t.requires_grad, f"requires_grad {e.requires_grad} vs torch's"
    np.testing.assert_allclose(e.detach().numpy(), t.detach().numpy(), rtol=rtol, atol=atol)


def both(call, *arrays, rtol=1e-6, atol=1e-8):
    """call(L, *tensors) with L = ember and torch on the same arrays; results must match."""
    res = [call(L, *[L.tensor(a) for a in arrays]) for L in (ember, torch)]
    assert_same(res[0], res[1], rtol, atol)
    return res


def error_pair(call, *arrays, exact=True, match=()):
    excs = []
    for L in (ember, torch):
        try:
            call(L, *[L.tensor(a) for a in arrays])
        except Exception as exc:  # noqa: BLE001
            excs.append(exc)
        else:
            excs.append(None)
    e, t = excs
    assert t is not None, "torch did not raise"
    assert e is not None, f"ember did not raise (torch raised {type(t).__name__}: {t})"
    assert type(e) is type(t), f"ember raised {type(e).__name__}: {e}; torch raised {t!r}"
    if exact:
        assert str(e).replace("ember", "torch") == str(t), f"ember: {e}\ntorch: {t}"
    for m in match:
        assert m in str(e), f"{m!r} not in {e}"


# --------------------------------------------------------------------------------------- grad
def poly(x):
    return (x ** 3 - 2 * x ** 2 + 0.5 * x).sum()


def two_args(x, y):
    return (x.sin() * y ** 2).sum() + (x * y).mean()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_grad_polynomial(dtype, rng):
    both(lambda L, x: L.func.grad(poly)(x), rng.standard_normal((3, 4)).astype(dtype),
         rtol=1e-5, atol=1e-6)


def test_grad_0d_and_non_contiguous(rng):
    both(lambda L, x: L.func.grad(poly)(x), np.array(1.5))
    both(lambda L, x: L.func.grad(poly)(x.t()), rng.standard_normal((3, 4)))


@pytest.mark.parametrize("argnums", [0, 1, -1, (0, 1), (1, 0), (1,)])
def test_grad_argnums(argnums, rng):
    both(lambda L, x, y: L.func.grad(two_args, argnums=argnums)(x, y),
         rng.standard_normal((2, 3)), rng.standard_normal((2, 3)))


def test_grad_has_aux_and_grad_and_value(rng):
    def f(x, y):
        return (x * y).sum(), {"double": x * 2, "y": y}

    x, y = rng.standard_normal(3), rng.standard_normal(3)
    both(lambda L, a, b: L.func.grad(f, has_aux=True)(a, b), x, y)
    both(lambda L, a, b: L.func.grad_and_value(f, argnums=(0, 1), has_aux=True)(a, b), x, y)
    both(lambda L, a, b: L.func.grad_and_value(two_args)(a, b), x, y)


def test_grad_pytree_argument_and_kwargs(rng):
    def f(params, x, scale=1.0):
        return ((params["w"] @ x + params["b"][0]) ** 2).sum() * scale

    w, b, x = rng.standard_normal((2, 3)), rng.standard_normal(2), rng.standard_normal(3)
    both(lambda L, w, b, x: L.func.grad(f)({"w": w, "b": [b]}, x, scale=3.0), w, b, x)


def test_nested_grad_and_closures(rng):
    x = rng.standard_normal(4)
    both(lambda L, x: L.func.grad(lambda a: L.func.grad(poly)(a).sin().sum())(x), x)
    # inner grad closes over the outer variable: the result stays differentiable for it
    both(lambda L, x: L.func.grad(
        lambda a: L.func.grad(lambda b: (a * b ** 2).sum())(a.cos()).sum())(x), x)


def test_grad_of_input_requiring_grad_stays_differentiable(rng):
    xv = rng.standard_normal(3)
    out = []
    for L in (ember, torch):
        x = L.tensor(xv, requires_grad=True)
        g = L.func.grad(poly)(x)
        (gg,) = L.autograd.grad(g.sum(), x)
        out.append((g, gg))
    assert_same(*out)


def test_grad_under_no_grad(rng):
    xv = rng.standard_normal(3)
    out = []
    for L in (ember, torch):
        with L.no_grad():
            out.append(L.func.grad(poly)(L.tensor(xv, requires_grad=True)))
    assert_same(*out)


def test_grad_unused_argument_gives_zeros(rng):
    both(lambda L, x, y: L.func.grad(lambda a, b: (a ** 2).sum(), argnums=(0, 1))(x, y),
         rng.standard_normal(3), rng.standard_normal(2))


# -------------------------------------------------------------------------- MLP per sample
def _mlp(L, ws):
    m = L.nn.Sequential(L.nn.Linear(3, 5), L.nn.Tanh(), L.nn.Linear(5, 2)).double()
    with L.no_grad():
        for p, w in zip(m.parameters(), ws):
            p.copy_(L.tensor(w))
    return m


def _mlp_weights(rng):
    return [rng.standard_normal(s) * 0.5 for s in [(5, 3), (5,), (2, 5), (2,)]]


def test_functional_call_grad_of_mlp(rng):
    ws = _mlp_weights(rng)
    xs, ys = rng.standard_normal((4, 3)), rng.standard_normal((4, 2))

    def run(L, x, y):
        model = _mlp(L, ws)
        params = {k: v.detach() for k, v in model.named_parameters()}

        def loss(p, x, y):
            return ((L.func.functional_call(model, p, (x,)) - y) ** 2).mean()

        return L.func.grad_and_value(loss)(params, x, y)

    both(run, xs, ys)


def test_per_sample_gradients_with_vmap_grad(rng):
    ws = _mlp_weights(rng)
    xs, ys = rng.standard_normal((6, 3)), rng.standard_normal((6, 2))

    def run(L, x, y):
        model = _mlp(L, ws)
        params = {k: v.detach() for k, v in model.named_parameters()}

        def loss(p, xi, yi):
            out = L.func.functional_call(model, p, (xi.unsqueeze(0),))
            return ((out - yi.unsqueeze(0)) ** 2).sum()

        return L.func.vmap(L.func.grad(loss), in_dims=(None, 0, 0))(params, x, y)

    e, t = both(run, xs, ys)
    # the per-sample gradients sum to the batch gradient
    model = _mlp(torch, ws)
    ((model(torch.tensor(xs)) - torch.tensor(ys)) ** 2).sum().backward()
    for k, p in model.named_parameters():
        np.testing.assert_allclose(e[k].numpy().sum(0), p.grad.numpy(), rtol=1e-6, atol=1e-8)


def test_functional_call_dict_sequence_and_errors(rng):
    ws = _mlp_weights(rng)
    x = rng.standard_normal((2, 3))

    def run(L, x):
        model = _mlp(L, ws)
        named = dict(model.named_parameters())
        first = {k: v * 2 for k, v in named.items() if k.startswith("0.")}
        rest = {k: v for k, v in named.items() if not k.startswith("0.")}
        return L.func.functional_call(model, (first, rest), x)

    both(run, x)
    model_e, model_t = _mlp(ember, ws), _mlp(torch, ws)
    error_pair(lambda L, x: L.func.functional_call(model_e if L is ember else model_t,
                                                   ({"0.bias": x}, {"0.bias": x}), (x,)), x)
    error_pair(lambda L, x: L.func.functional_call(model_e if L is ember else model_t,
                                                   [{"0.bias": x}, 3], (x,)), x)
    error_pair(lambda L, x: L.func.functional_call(model_e if L is ember else model_t, 3, (x,)),
               x)
    error_pair(lambda L, x: L.func.functional_call(model_e if L is ember else model_t,
                                                   {"0.bias": x[0, :2]}, (x,), strict=True), x,
               exact=False, match=["Missing key(s)"])


# ---------------------------------------------------------------------------------- vjp, jvp
def multi_out(x, y):
    return x * y.sum(), (x.exp(), y ** 2)


def test_vjp_multiple_outputs(rng):
    x, y = rng.standard_normal(3), rng.standard_normal(2)
    c1, c2, c3 = rng.standard_normal(3), rng.standard_normal(3), rng.standard_normal(2)

    def run(L, x, y, c1, c2, c3):
        out, fn = L.func.vjp(multi_out, x, y)
        return out, fn((c1, (c2, c3)))

    both(run, x, y, c1, c2, c3)


def test_vjp_has_aux_pytree_primal_and_unused(rng):
    x, y, c = rng.standard_normal(3), rng.standard_normal(4), rng.standard_normal(3)

    def run(L, x, y, c):
        out, fn, aux = L.func.vjp(lambda d: (d["x"].sin(), d["y"] * 3), {"x": x, "y": y},
                                  has_aux=True)
        return out, fn(c), aux

    both(run, x, y, c)


def test_vjp_create_graph_when_grad_enabled(rng):
    xv, cv = rng.standard_normal(3), rng.standard_normal(3)
    out = []
    for L in (ember, torch):
        x = L.tensor(xv, requires_grad=True)
        _, fn = L.func.vjp(lambda a: a ** 3, x)
        (g,) = fn(L.tensor(cv))
        out.append((g, L.autograd.grad(g.sum(), x)))
    assert_same(*out)


def test_jvp(rng):
    x, y, tx, ty = (rng.standard_normal(3) for _ in range(4))
    both(lambda L, x, y, tx, ty: L.func.jvp(multi_out, (x, y), (tx, ty)), x, y, tx, ty)
    both(lambda L, x, tx: L.func.jvp(lambda a: (a.tanh().sum(), {"k": a}), (x,), (tx,),
                                     has_aux=True), x, tx)
    both(lambda L, x, tx: L.func.jvp(lambda a: L.ones(2) + 0 * a.sum().detach(), (x,), (tx,)),
         x, tx)


# --------------------------------------------------------------------------- jacobians
@pytest.mark.parametrize("jac", ["jacrev", "jacfwd"])
@pytest.mark.parametrize("argnums", [0, 1, (0, 1), (1,)])
def test_jacobians_multiple_inputs_outputs(jac, argnums, rng):
    x, y = rng.standard_normal((2, 3)), rng.standard_normal(3)
    both(lambda L, x, y: getattr(L.func, jac)(lambda a, b: (a @ b, (a * a).sum(), b.exp()),
                                              argnums=argnums)(x, y), x, y)


@pytest.mark.parametrize("jac", ["jacrev", "jacfwd"])
def test_jacobians_has_aux_and_dict_input(jac, rng):
    x, y = rng.standard_normal(3), rng.standard_normal(3)
    both(lambda L, x, y: getattr(L.func, jac)(
        lambda d: ({"s": d["a"].sin() * d["b"]}, d["a"] + 1), has_aux=True)({"a": x, "b": y}),
        x, y)


def test_hessian(rng):
    x, y = rng.standard_normal(3), rng.standard_normal(2)
    both(lambda L, x: L.func.hessian(poly)(x), x)
    both(lambda L, x, y: L.func.hessian(lambda a, b: (a.sin().sum() * b ** 3).sum(),
                                        argnums=(0, 1))(x, y), x, y)
    both(lambda L, x: L.func.jacrev(L.func.jacrev(lambda a: a.exp() * a.sum()))(x), x)


# ------------------------------------------------------------------------------------- vmap
@pytest.mark.parametrize("in_dims,out_dims", [
    (0, 0), (1, 0), (-1, 1), ((0, None), 0), ((None, 1), -1), ((1, 0), (1,))])
def test_vmap_in_out_dims(in_dims, out_dims, rng):
    x, y = rng.standard_normal((4, 4)), rng.standard_normal((4, 4))
    both(lambda L, x, y: L.func.vmap(lambda a, b: a * b.sum() + b, in_dims, out_dims)(x, y),
         x, y)


def test_vmap_nested_structures(rng):
    x, y, z = rng.standard_normal((3, 2)), rng.standard_normal((2, 3)), rng.standard_normal(5)

    def f(pair, d):
        a, b = pair
        return {"s": a * b + d["z"].sum()}, (a.sum(), d["z"])

    both(lambda L, x, y, z: L.func.vmap(f, in_dims=((0, 1), {"z": None}),
                                        out_dims=({"s": 1}, (0, None)))((x, y), {"z": z}),
         x, y, z)
    both(lambda L, x, y, z: L.func.vmap(f, in_dims=((0, 1), None))((x, y), {"z": z}), x, y, z)


Pair = namedtuple("Pair", "a b")


def test_vmap_namedtuple_and_none_outputs(rng):
    x, y = rng.standard_normal((3, 2)), rng.standard_normal(2)
    both(lambda L, x, y: L.func.vmap(lambda p: Pair(p.a * p.b, p.b.sum()),
                                     in_dims=(Pair(0, None),))(Pair(x, y)), x, y)
    both(lambda L, x: L.func.vmap(lambda a, n: (a * 2, n), in_dims=(0, None),
                                  out_dims=(0, None))(x, None), x)
    both(lambda L, x, y: L.func.grad(lambda p: (p.a * p.b).sum())(Pair(x[0], y)), x, y)


def test_vmap_kwargs_not_mapped_and_non_tensor_args(rng):
    x, w = rng.standard_normal((3, 4)), rng.standard_normal(4)
    both(lambda L, x, w: L.func.vmap(lambda a, n, *, w: a * n + w, in_dims=(0, None))(x, 2, w=w),
         x, w)


def test_vmap_nested_and_chunk_size(rng):
    x, y = rng.standard_normal((3, 4)), rng.standard_normal((5, 4))
    both(lambda L, x, y: L.func.vmap(L.func.vmap(lambda a, b: (a * b).sum(), (None, 0)),
                                     (0, None))(x, y), x, y)
    both(lambda L, x: L.func.vmap(lambda a: a.cumsum(0), chunk_size=2)(x), x)


def test_vmap_over_empty_dimension():
    x = np.zeros((2, 0, 3))
    both(lambda L, x: L.func.vmap(lambda a: a.sum(0), in_dims=1)(x), x)
    both(lambda L, x: L.func.vmap(lambda a: (a * 2, a.sum()), in_dims=1, out_dims=(2, 0))(x), x)


def test_vmap_dtypes_and_0d_samples(rng):
    both(lambda L, x: L.func.vmap(lambda a: a * 2)(x), np.arange(5, dtype=np.int64))
    both(lambda L, x: L.func.vmap(lambda a: a.float())(x), rng.standard_normal(3))


def test_vmap_jacrev_and_grad_of_vmap(rng):
    x = rng.standard_normal((3, 4))
    both(lambda L, x: L.func.vmap(L.func.jacrev(lambda a: a.sin() * a.sum()))(x), x)
    both(lambda L, x: L.func.grad(lambda a: L.func.vmap(lambda r: (r ** 2).sum())(a).sum())(x),
         x)


def test_vmap_randomness():
    x = np.ones((4, 3))
    error_pair(lambda L, x: L.func.vmap(lambda a: a + L.rand(3))(x), x)
    ember.manual_seed(0)
    same = ember.func.vmap(lambda a: a + ember.rand(3), randomness="same")(ember.tensor(x))
    assert (same == same[0]).all()
    diff = ember.func.vmap(lambda a: a + ember.rand(3), randomness="different")(ember.tensor(x))
    assert not (diff == diff[0]).all()
    ember.manual_seed(0)
    again = ember.func.vmap(lambda a: a + ember.rand(3), randomness="same")(ember.tensor(x))
    assert (again == same).all()


X = np.arange(12.0).reshape(3, 4)
Y = np.arange(10.0).reshape(5, 2)

VMAP_ERRORS = {
    "size_mismatch": lambda L, x, y: L.func.vmap(lambda a, b: a.sum() + b.sum())(x, y),
    "in_dims_structure": lambda L, x, y: L.func.vmap(lambda a, b: a, in_dims=(0,))(x, y),
    "in_dim_out_of_range": lambda L, x, y: L.func.vmap(lambda a: a, in_dims=(5,))(x),
    "in_dim_on_non_tensor": lambda L, x, y: L.func.vmap(lambda a: a)(3.0),
    "in_dim_not_int": lambda L, x, y: L.func.vmap(lambda a: a, in_dims=(0.5,))(x),
    "in_dims_bad_type": lambda L, x, y: L.func.vmap(lambda a: a, in_dims="a")(x),
    "nothing_to_map": lambda L, x, y: L.func.vmap(lambda a: a, in_dims=(None,))(x),
    "no_inputs": lambda L, x, y: L.func.vmap(lambda: x)(),
    "scalar_input": lambda L, x, y: L.func.vmap(lambda a: a)(x[0, 0]),
    "non_tensor_output": lambda L, x, y: L.func.vmap(lambda a: 3.0)(x),
    "out_dims_structure": lambda L, x, y: L.func.vmap(lambda a: a, out_dims=(0, 1))(x),
    "out_dims_tuple_structure": lambda L, x, y: L.func.vmap(lambda a: (a, a),
                                                            out_dims=(0, 1, 2))(x),
    "none_output": lambda L, x, y: L.func.vmap(lambda a: (a, None))(x),
    "none_input_mapped": lambda L, x, y: L.func.vmap(lambda a, b: a)(x, None),
    "out_dim_out_of_range": lambda L, x, y: L.func.vmap(lambda a: a, out_dims=5)(x),
    "out_dims_not_int": lambda L, x, y: L.func.vmap(lambda a: a, out_dims=0.5)(x),
    "out_dim_none_batched": lambda L, x, y: L.func.vmap(lambda a: a * 2, out_dims=None)(x),
    "chunk_size": lambda L, x, y: L.func.vmap(lambda a: a, chunk_size=0)(x),
    "randomness": lambda L, x, y: L.func.vmap(lambda a: a, randomness="bad")(x),
}


@pytest.mark.parametrize("name", sorted(VMAP_ERRORS))
def test_vmap_errors(name):
    error_pair(VMAP_ERRORS[name], X, Y, exact="structure" not in name,
               match=["compatible with the structure"] if "structure" in name else ())


FUNC_ERRORS = {
    "grad_non_scalar": lambda L, x, y: L.func.grad(lambda a: a * 2)(x),
    "grad_not_tensor_output": lambda L, x, y: L.func.grad(lambda a: 3.0)(x),
    "grad_argnum_range": lambda L, x, y: L.func.grad(lambda a: a.sum(), argnums=2)(x),
    "grad_argnums_repeated": lambda L, x, y: L.func.grad(lambda a: a.sum(), argnums=(0, 0))(x),
    "grad_argnums_float": lambda L, x, y: L.func.grad(lambda a: a.sum(), argnums=1.0)(x),
    "grad_argnums_empty": lambda L, x, y: L.func.grad(lambda a: a.sum(), argnums=())(x),
    "grad_has_aux_not_pair": lambda L, x, y: L.func.grad(lambda a: a.sum(), has_aux=True)(x),
    "grad_non_tensor_input": lambda L, x, y: L.func.grad(lambda a: a.sum())(3.0),
    "grad_int_input": lambda L, x, y: L.func.grad(lambda a: a.sum())(x.long()),
    "grad_no_positional": lambda L, x, y: L.func.grad(lambda a: a.sum())(a=x),
    "jvp_primals_not_tuple": lambda L, x, y: L.func.jvp(lambda a: a, x, x),
    "jvp_structure": lambda L, x, y: L.func.jvp(lambda a: a, (x,), [x]),
    "jvp_size": lambda L, x, y: L.func.jvp(lambda a: a, (x,), (y,)),
    "jvp_strict_independent": lambda L, x, y: L.func.jvp(lambda a: L.ones(2), (x,), (x,),
                                                         strict=True),
    "vjp_cotangent_structure": lambda L, x, y: L.func.vjp(lambda a: a, x)[1]((x,)),
    "vjp_cotangent_shape": lambda L, x, y: L.func.vjp(lambda a: a, x)[1](y),
    "vjp_non_tensor_output": lambda L, x, y: L.func.vjp(lambda a: 3.0, x),
    "vjp_int_output": lambda L, x, y: L.func.vjp(lambda a: a.long(), x),
    "jacrev_argnum": lambda L, x, y: L.func.jacrev(lambda a: a, argnums=3)(x),
    "jacrev_chunk_size": lambda L, x, y: L.func.jacrev(lambda a: a, chunk_size=0)(x),
    "jacfwd_random_op": lambda L, x, y: L.func.jacfwd(lambda a: a + L.rand(4))(x[0]),
    "jacfwd_randomness": lambda L, x, y: L.func.jacfwd(lambda a: a, randomness="x")(x),
}


@pytest.mark.parametrize("name", sorted(FUNC_ERRORS))
def test_func_errors(name):
    match = {"jvp_structure": ["same python structure"],
             "grad_int_input": ["only Tensors of floating point"]}.get(name, ())
    error_pair(FUNC_ERRORS[name], X, Y, exact=not match, match=match)
