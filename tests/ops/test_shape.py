"""Shape and movement ops against torch: values, dtypes, shapes, gradients, gradcheck, views
sharing memory and version counters, errors, and hypothesis properties."""

import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import ember
from harness import check, check_error, check_gradcheck

# (id, fn(m, *xs) written once for both modules (m is ember or torch), input shapes)
OPS = [
    ("view", lambda m, x: x.view(3, 4, 1), [(3, 4)]),
    ("view_tuple_-1", lambda m, x: x.view((-1, 2)), [(3, 4)]),
    ("view_0d", lambda m, x: x.view(1, 1), [()]),
    ("view_empty", lambda m, x: x.view(-1, 3), [(0, 3)]),
    ("view_noncontig_ok", lambda m, x: x.mT.view(2, 2, 3), [(3, 4)]),
    ("view_as", lambda m, x, y: x.view_as(y), [(3, 4), (12,)]),
    ("reshape", lambda m, x: m.reshape(x, (2, -1)), [(3, 4)]),
    ("reshape_noncontig", lambda m, x: x.mT.reshape(-1), [(3, 4)]),
    ("reshape_0d", lambda m, x: x.reshape(()), [(1, 1)]),
    ("reshape_as", lambda m, x, y: x.reshape_as(y), [(2, 3), (3, 2)]),
    ("squeeze", lambda m, x: x.squeeze(), [(1, 3, 1)]),
    ("squeeze_dim", lambda m, x: x.squeeze(-1), [(1, 3, 1)]),
    ("squeeze_non1", lambda m, x: x.squeeze(1), [(1, 3, 1)]),
    ("squeeze_tuple", lambda m, x: m.squeeze(x, (0, 1)), [(1, 3, 1)]),
    ("squeeze_0d", lambda m, x: x.squeeze(0), [()]),
    ("unsqueeze", lambda m, x: x.unsqueeze(0), [(3, 4)]),
    ("unsqueeze_neg", lambda m, x: m.unsqueeze(x, -1), [(3, 4)]),
    ("unsqueeze_0d", lambda m, x: x.unsqueeze(0), [()]),
    ("flatten", lambda m, x: x.flatten(), [(2, 3, 4)]),
    ("flatten_mid", lambda m, x: m.flatten(x, 1, 2), [(2, 3, 4, 2)]),
    ("flatten_0d", lambda m, x: x.flatten(), [()]),
    ("flatten_noncontig", lambda m, x: x.mT.flatten(0, 1), [(2, 3, 4)]),
    ("unflatten", lambda m, x: x.unflatten(1, (2, -1)), [(3, 4)]),
    ("ravel", lambda m, x: x.mT.ravel(), [(3, 4)]),
    ("transpose", lambda m, x: x.transpose(0, 2), [(2, 3, 4)]),
    ("swapaxes", lambda m, x: m.swapaxes(x, -1, 0), [(2, 3)]),
    ("swapdims", lambda m, x: x.swapdims(0, 1), [(2, 3)]),
    ("transpose_0d", lambda m, x: x.transpose(0, -1), [()]),
    ("t", lambda m, x: x.t(), [(2, 3)]),
    ("t_1d", lambda m, x: m.t(x), [(3,)]),
    ("T", lambda m, x: x.T, [(2, 3)]),
    ("mT", lambda m, x: x.mT, [(4, 2, 3)]),
    ("mH", lambda m, x: x.mH, [(2, 3)]),
    ("permute", lambda m, x: x.permute(2, 0, 1), [(2, 3, 4)]),
    ("permute_tuple", lambda m, x: m.permute(x, (1, -1, 0)), [(2, 3, 4)]),
    ("movedim", lambda m, x: x.movedim(0, -1), [(2, 3, 4)]),
    ("movedim_tuple", lambda m, x: m.moveaxis(x, (0, 1), (2, 0)), [(2, 3, 4)]),
    ("expand", lambda m, x: x.expand(2, 3, 4), [(3, 1)]),
    ("expand_-1", lambda m, x: x.expand(-1, 5), [(3, 1)]),
    ("expand_0d", lambda m, x: x.expand(2, 2), [()]),
    ("expand_size0", lambda m, x: x.expand(0, 3), [(1, 3)]),
    ("expand_as", lambda m, x, y: x.expand_as(y), [(1, 3), (2, 3)]),
    ("broadcast_to", lambda m, x: m.broadcast_to(x, (4, 2, 3)), [(2, 1)]),
    ("broadcast_tensors", lambda m, x, y: m.broadcast_tensors(x, y), [(3, 1), (1, 4)]),
    ("repeat", lambda m, x: x.repeat(2, 1, 3), [(2, 3)]),
    ("repeat_0d", lambda m, x: x.repeat(2), [()]),
    ("tile", lambda m, x: m.tile(x, (2,)), [(2, 3)]),
    ("tile_method", lambda m, x: x.tile(2, 1, 1), [(2, 3)]),
    ("repeat_interleave", lambda m, x: x.repeat_interleave(2, dim=1), [(2, 3)]),
    ("repeat_interleave_flat", lambda m, x: m.repeat_interleave(x, 3), [(2, 3)]),
    ("repeat_interleave_tensor",
     lambda m, x: x.repeat_interleave(m.tensor([1, 0, 2]), dim=0), [(3, 2)]),
    ("cat", lambda m, x, y: m.cat([x, y], 1), [(2, 3), (2, 2)]),
    ("cat_neg_dim", lambda m, x, y: m.cat((x, y), dim=-1), [(2, 3), (2, 1)]),
    ("cat_empty_skip", lambda m, x, y: m.cat([x, y]), [(0,), (2, 3)]),
    ("concat", lambda m, x, y: m.concat([x, y]), [(1, 3), (2, 3)]),
    ("concatenate", lambda m, x, y: m.concatenate([x, y.mT], 0), [(2, 3), (3, 2)]),
    ("cat_size0", lambda m, x, y: m.cat([x, y], 0), [(0, 3), (2, 3)]),
    ("stack", lambda m, x, y: m.stack([x, y]), [(2, 3), (2, 3)]),
    ("stack_last", lambda m, x, y: m.stack([x, y], -1), [(2, 3), (2, 3)]),
    ("stack_0d", lambda m, x, y: m.stack([x, y]), [(), ()]),
    ("hstack", lambda m, x, y: m.hstack([x, y]), [(2, 3), (2, 1)]),
    ("hstack_1d", lambda m, x, y: m.hstack([x, y]), [(2,), (3,)]),
    ("vstack", lambda m, x, y: m.vstack([x, y]), [(3,), (2, 3)]),
    ("dstack", lambda m, x, y: m.dstack([x, y]), [(2, 3), (2, 3)]),
    ("split", lambda m, x: x.split(2), [(5, 3)]),
    ("split_list", lambda m, x: m.split(x, [1, 2], dim=1), [(2, 3)]),
    ("split_noncontig", lambda m, x: x.mT.split(2, 1), [(5, 3)]),
    ("chunk", lambda m, x: x.chunk(3, 1), [(2, 7)]),
    ("chunk_fewer", lambda m, x: m.chunk(x, 4), [(6,)]),
    ("unbind", lambda m, x: x.unbind(1), [(2, 3)]),
    ("unbind_single", lambda m, x: m.unbind(x), [(1, 3)]),
    ("tensor_split_n", lambda m, x: x.tensor_split(3), [(7, 2)]),
    ("tensor_split_idx", lambda m, x: m.tensor_split(x, [1, 4], dim=1), [(2, 5)]),
    ("narrow", lambda m, x: x.narrow(1, 1, 2), [(2, 4)]),
    ("narrow_neg", lambda m, x: m.narrow(x, -1, -3, 2), [(2, 4)]),
    ("flip", lambda m, x: x.flip(0, 2), [(2, 3, 4)]),
    ("flip_tuple", lambda m, x: m.flip(x, (-1,)), [(2, 3)]),
    ("fliplr", lambda m, x: m.fliplr(x), [(2, 3)]),
    ("flipud", lambda m, x: x.flipud(), [(2, 3)]),
    ("roll", lambda m, x: x.roll(1, 1), [(2, 3)]),
    ("roll_flat", lambda m, x: m.roll(x, 2), [(2, 3)]),
    ("roll_multi", lambda m, x: x.roll((1, -2), (0, 1)), [(3, 4)]),
    ("tril", lambda m, x: x.tril(), [(3, 4)]),
    ("tril_k", lambda m, x: m.tril(x, diagonal=-1), [(2, 3, 3)]),
    ("triu", lambda m, x: x.triu(1), [(4, 3)]),
    ("diag_1d", lambda m, x: m.diag(x), [(3,)]),
    ("diag_1d_k", lambda m, x: x.diag(-2), [(3,)]),
    ("diag_2d", lambda m, x: m.diag(x, 1), [(3, 4)]),
    ("diagonal", lambda m, x: x.diagonal(), [(3, 4)]),
    ("diagonal_dims", lambda m, x: m.diagonal(x, -1, 2, 0), [(3, 2, 4)]),
    ("diag_embed", lambda m, x: m.diag_embed(x), [(2, 3)]),
    ("diag_embed_args", lambda m, x: x.diag_embed(1, 0, 2), [(2, 3)]),
    ("contiguous", lambda m, x: x.mT.contiguous(), [(2, 3)]),
    ("clone", lambda m, x: m.clone(x), [(2, 3)]),
    ("clone_method", lambda m, x: x.clone(), [()]),
]

INT_OK = {"repeat_interleave_tensor"}


def _inputs(rng, shapes, dtype):
    if dtype == np.bool_:
        return [np.asarray(rng.random(s) > 0.5) for s in shapes]
    if np.dtype(dtype).kind == "i":
        return [rng.integers(-5, 5, s).astype(dtype) for s in shapes]
    return [rng.standard_normal(s).astype(dtype) for s in shapes]


@pytest.mark.parametrize("name,fn,shapes", OPS, ids=[o[0] for o in OPS])
def test_forward_and_grad(name, fn, shapes, rng):
    check(lambda *a: fn(ember, *a), lambda *a: fn(torch, *a), *_inputs(rng, shapes, np.float32),
          rng=rng)


@pytest.mark.parametrize("dtype", [np.float64, np.int64, np.int32, np.bool_])
@pytest.mark.parametrize("name,fn,shapes", OPS[::3], ids=[o[0] for o in OPS[::3]])
def test_dtypes(name, fn, shapes, dtype, rng):
    check(lambda *a: fn(ember, *a), lambda *a: fn(torch, *a), *_inputs(rng, shapes, dtype),
          rng=rng, grad=dtype == np.float64)


@pytest.mark.parametrize("name,fn,shapes", OPS, ids=[o[0] for o in OPS])
def test_gradcheck(name, fn, shapes, rng):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_gradcheck(lambda *a: fn(ember, *a), *_inputs(rng, shapes, np.float64),
                        gradgrad=True)


def test_cat_promotion():
    a = ember.tensor([1, 2], dtype=ember.int32)
    for other, want in [(ember.tensor([1.5]), ember.float32),
                        (ember.tensor([3]), ember.int64),
                        (ember.tensor([True]), ember.int32),
                        (ember.zeros(0, dtype=ember.float64), ember.float64)]:
        assert ember.cat([a, other]).dtype == want
    assert ember.stack([a, ember.tensor([1.0, 2.0])]).dtype == ember.float32


def test_seed_examples():
    t = ember.tensor([0., 1., 2., 3., 4., 5., 6.])
    assert t.tolist() == [0., 1., 2., 3., 4., 5., 6.]
    a = ember.tensor(np.arange(12.0, dtype=np.float32).reshape(3, 4))
    ta = torch.arange(12.0).reshape(3, 4)
    assert a.view(3, 4, 1).tolist() == ta.view(3, 4, 1).tolist()
    assert a.view(3, 4, 1).squeeze().tolist() == ta.view(3, 4, 1).squeeze().tolist()
    assert a.unsqueeze(0).tolist() == ta.unsqueeze(0).tolist()
    assert tuple(a.unsqueeze(0).size()) == (1, 3, 4)
    assert tuple(a.unsqueeze(2).size()) == (3, 4, 1)
    assert repr(a.unsqueeze(0).size()) == "ember.Size([1, 3, 4])"


def test_T_warns_on_3d():
    x = np.zeros((2, 3, 4), np.float32)
    with pytest.warns(UserWarning, match="deprecated"):
        e = ember.tensor(x).T
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert tuple(e.shape) == tuple(torch.from_numpy(x).T.shape) == (4, 3, 2)


def test_grad_fn_names():
    x = ember.zeros(3, 4).requires_grad_()
    tx = torch.zeros(3, 4, requires_grad=True)
    for f in [lambda m, x: x.view(-1), lambda m, x: x.mT.reshape(-1), lambda m, x: x.squeeze(),
              lambda m, x: x.squeeze(0), lambda m, x: x.unsqueeze(0), lambda m, x: x.t(),
              lambda m, x: x.transpose(0, 1), lambda m, x: x.permute(1, 0),
              lambda m, x: x.expand(2, 3, 4), lambda m, x: x.repeat(1, 2),
              lambda m, x: m.cat([x, x]), lambda m, x: m.stack([x]),
              lambda m, x: x.split(2)[0], lambda m, x: x.split([1, 2])[0],
              lambda m, x: x.unbind()[0], lambda m, x: x.narrow(0, 1, 1),
              lambda m, x: x.flip(0), lambda m, x: x.roll(1), lambda m, x: x.tril(),
              lambda m, x: x.triu(), lambda m, x: x.diagonal(), lambda m, x: x.diag_embed(),
              lambda m, x: x.clone(), lambda m, x: x.diag()]:
        assert f(ember, x).grad_fn.name() == f(torch, tx).grad_fn.name()


# ----------------------------------------------------------------------------- views
VIEWS = [
    ("view", lambda x: x.view(12)), ("reshape", lambda x: x.reshape(2, 6)),
    ("squeeze", lambda x: x.unsqueeze(0).squeeze(0)), ("flatten", lambda x: x.flatten()),
    ("transpose", lambda x: x.transpose(0, 1)), ("t", lambda x: x.t()),
    ("permute", lambda x: x.permute(1, 0)), ("mT", lambda x: x.mT),
    ("movedim", lambda x: x.movedim(0, 1)), ("split", lambda x: x.split(2)[1]),
    ("chunk", lambda x: x.chunk(2, 1)[1]), ("unbind", lambda x: x.unbind(1)[2]),
    ("narrow", lambda x: x.narrow(1, 1, 2)), ("diagonal", lambda x: x.diagonal()),
    ("unflatten", lambda x: x.unflatten(1, (2, 2))),
    ("tensor_split", lambda x: x.tensor_split(2)[0]),
    ("expand", lambda x: x.expand(3, 4)),
]


@pytest.mark.parametrize("name,fn", VIEWS, ids=[v[0] for v in VIEWS])
def test_views_share_memory_and_version(name, fn):
    base_np = np.arange(12.0, dtype=np.float32).reshape(3, 4)
    e, t = ember.tensor(base_np), torch.from_numpy(base_np.copy())
    ev, tv = fn(e), fn(t)
    assert ev.is_contiguous() == tv.is_contiguous()
    if name != "expand":   # writing into an expanded tensor is refused by both
        with ember.no_grad():
            ev.mul_(-1)
        with torch.no_grad():
            tv.mul_(-1)
        np.testing.assert_array_equal(e.numpy(), t.numpy())
        assert e._version == ev._version > 0
    assert ev._base is e


@pytest.mark.parametrize("name,fn", [
    ("clone", lambda x: x.clone()), ("repeat", lambda x: x.repeat(1, 1)),
    ("cat", lambda x: ember.cat([x])), ("flip", lambda x: x.flip(0)),
    ("reshape_copy", lambda x: x.t().reshape(-1)), ("roll", lambda x: x.roll(1)),
    ("contiguous", lambda x: x.t().contiguous()),
])
def test_copies_do_not_share(name, fn):
    e = ember.tensor(np.arange(12.0, dtype=np.float32).reshape(3, 4))
    c = fn(e)
    with ember.no_grad():
        c.mul_(0)
    assert e.numpy()[1, 1] == 5 and e._version == 0 and c._base is None


def test_is_contiguous_matches_torch():
    x = np.zeros((2, 3, 4), np.float32)
    for f in [lambda x: x.transpose(0, 1), lambda x: x.mT, lambda x: x.permute(0, 1, 2),
              lambda x: x.expand(5, 2, 3, 4), lambda x: x.narrow(2, 0, 2),
              lambda x: x.mT.contiguous(), lambda x: x[:1].squeeze(0).t()]:
        assert f(ember.tensor(x)).is_contiguous() == f(torch.from_numpy(x)).is_contiguous()


def test_saved_tensor_modified_through_view_raises():
    x = ember.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    y = x * 1
    z = y.view(2, 2)
    w = z.sin()            # saves z
    with ember.no_grad():
        y.mul_(2)          # modifies z through its base
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        w.backward(ember.ones(2, 2))

    y = x.exp()            # saves its output y
    v = y.view(4)
    with ember.no_grad():
        v.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward(ember.ones(4))


def test_view_non_contiguous_error():
    e = check_error(lambda x: x.mT.view(-1), lambda x: x.mT.view(-1),
                    np.zeros((3, 4), np.float32), match=["reshape", "[4, 3]"])
    assert "view size is not compatible" in str(e)


ERRORS = [
    ("view_size", lambda m, x: x.view(3, 5), [(3, 4)], ["[3, 5]", "size 12"]),
    ("view_two_-1", lambda m, x: x.view(-1, -1), [(3, 4)], ["only one dimension"]),
    ("view_neg", lambda m, x: x.view(-2, 6), [(3, 4)], ["-2"]),
    ("view_0_ambiguous", lambda m, x: x.view(0, -1), [(0, 4)], ["ambiguous"]),
    ("reshape_size", lambda m, x: m.reshape(x, (5,)), [(3, 4)], ["[5]", "size 12"]),
    ("unsqueeze_dim", lambda m, x: x.unsqueeze(3), [(3,)], ["range", "3"]),
    ("squeeze_dim", lambda m, x: x.squeeze(2), [(3,)], ["range"]),
    ("transpose_dim", lambda m, x: x.transpose(0, 2), [(3, 4)], ["range"]),
    ("t_3d", lambda m, x: x.t(), [(2, 3, 4)], ["3D"]),
    ("mT_1d", lambda m, x: x.mT, [(3,)], ["1"]),
    ("permute_len", lambda m, x: x.permute(0), [(2, 3)], ["len(dims) = 1"]),
    ("permute_dup", lambda m, x: x.permute(0, 0), [(2, 3)], ["duplicate"]),
    ("permute_range", lambda m, x: x.permute(0, 2), [(2, 3)], ["range"]),
    ("expand_mismatch", lambda m, x: x.expand(3, 5), [(3, 4)], ["(5)", "(4)", "[3, 5]"]),
    ("expand_fewer", lambda m, x: x.expand(4), [(3, 4)], ["number of sizes"]),
    ("expand_leading_-1", lambda m, x: x.expand(-1, 3, 4), [(3, 4)], ["leading"]),
    ("broadcast_tensors", lambda m, x, y: m.broadcast_tensors(x, y), [(3,), (4,)], ["3", "4"]),
    ("cat_shape", lambda m, x, y: m.cat([x, y]), [(2, 3), (2, 4)],
     ["tensor number 1", "size 3", "size 4", "dimension 0"]),
    ("cat_ndim", lambda m, x, y: m.cat([x, y]), [(2, 3), (2, 3, 1)], ["same number"]),
    ("cat_0d", lambda m, x: m.cat([x]), [()], ["zero-dimensional"]),
    ("cat_dim", lambda m, x: m.cat([x], 2), [(2, 3)], ["range"]),
    ("cat_empty_list", lambda m: m.cat([]), [], ["non-empty"]),
    ("stack_empty_list", lambda m: m.stack([]), [], ["non-empty"]),
    ("stack_shape", lambda m, x, y: m.stack([x, y]), [(2, 3), (2, 4)], ["[2, 3]", "[2, 4]"]),
    ("split_sizes", lambda m, x: x.split([2, 2]), [(5,)], ["sum exactly to 5", "[2, 2]"]),
    ("split_0", lambda m, x: x.split(0), [(5,)], ["split_size"]),
    ("chunk_0", lambda m, x: x.chunk(0), [(5,)], ["greater than 0"]),
    ("flatten_order", lambda m, x: x.flatten(1, 0), [(2, 3)], ["start_dim"]),
    ("unflatten_sizes", lambda m, x: x.unflatten(0, (4, -1)), [(6,)], ["[4, -1]", "(6)"]),
    ("narrow_len", lambda m, x: x.narrow(1, 2, 3), [(3, 4)], ["exceeds"]),
    ("tril_1d", lambda m, x: x.tril(), [(3,)], ["at least 2"]),
    ("diag_3d", lambda m, x: x.diag(), [(2, 2, 2)], ["3D"]),
    ("diagonal_same", lambda m, x: x.diagonal(0, 0, 0), [(3, 3)], ["identical"]),
    ("roll_align", lambda m, x: x.roll((1, 2), (0,)), [(3, 3)], ["align"]),
    ("repeat_fewer", lambda m, x: x.repeat(2), [(2, 3)], ["smaller"]),
    ("movedim_len", lambda m, x: x.movedim((0,), (0, 1)), [(2, 3)], ["same number"]),
]


@pytest.mark.parametrize("name,fn,shapes,match", ERRORS, ids=[e[0] for e in ERRORS])
def test_errors(name, fn, shapes, match):
    check_error(lambda *a: fn(ember, *a), lambda *a: fn(torch, *a),
                *[np.zeros(s, np.float32) for s in shapes], match=match)


def test_numpy_protocol_on_tensors():
    x = ember.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    tx = torch.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    pairs = [
        (np.reshape(x, (3, 2)), tx.reshape(3, 2)), (np.transpose(x), tx.T),
        (np.swapaxes(x, 0, 1), tx.transpose(0, 1)), (np.moveaxis(x, 0, -1), tx.movedim(0, -1)),
        (np.broadcast_to(x, (4, 2, 3)), tx.expand(4, 2, 3)),
        (np.expand_dims(x, (0, 2)), tx[None, :, None]),
        (np.squeeze(np.expand_dims(x, 0), axis=0), tx),
        (np.concatenate([x, x], axis=1), torch.cat([tx, tx], 1)),
        (np.stack([x, x], axis=2), torch.stack([tx, tx], 2)),
        (np.split(x, [1], axis=1)[1], tx[:, 1:]), (np.flip(x, 1), tx.flip(1)),
        (np.roll(x, 1), tx.roll(1)), (np.tril(x), tx.tril()), (np.triu(x, 1), tx.triu(1)),
        (np.diagonal(x), tx.diagonal()), (np.repeat(x, 2, axis=0), tx.repeat_interleave(2, 0)),
        (np.tile(x, 2), tx.repeat(1, 2)), (np.ravel(x), tx.ravel()),
    ]
    for e, t in pairs:
        assert isinstance(e, ember.Tensor) and e.requires_grad
        np.testing.assert_allclose(e.detach().numpy(), t.detach().numpy())


# ----------------------------------------------------------------------------- properties
def _broadcastable(draw_shape):
    return st.tuples(*[st.sampled_from([1, s]) for s in draw_shape])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(1, 4), min_size=0, max_size=4), st.data())
def test_property_broadcasting(target, data):
    target = tuple(target)
    k = data.draw(st.integers(0, len(target)))
    small = data.draw(_broadcastable(target[len(target) - k:]))
    other = data.draw(_broadcastable(target))
    x = np.random.default_rng(0).standard_normal(small).astype(np.float32)
    y = np.ones(other, np.float32)
    e, t = ember.tensor(x), torch.from_numpy(x)
    np.testing.assert_array_equal(e.expand(target).numpy(), t.expand(target).numpy())
    np.testing.assert_array_equal(ember.broadcast_to(e, target).numpy(),
                                  torch.broadcast_to(t, target).numpy())
    eb = ember.broadcast_tensors(e, ember.tensor(y))
    tb = torch.broadcast_tensors(t, torch.from_numpy(y))
    for a, b in zip(eb, tb):
        assert tuple(a.shape) == tuple(b.shape)
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    # gradient of expand sums over the broadcast dims
    xe = ember.tensor(x, requires_grad=True)
    g = np.random.default_rng(1).standard_normal(target).astype(np.float32)
    (gx,) = ember.autograd.grad(xe.expand(target), xe, ember.tensor(g))
    tx = torch.from_numpy(x).requires_grad_()
    (tg,) = torch.autograd.grad(tx.expand(target), tx, torch.from_numpy(g))
    np.testing.assert_allclose(gx.numpy(), tg.numpy(), rtol=1e-5, atol=1e-5)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 4), min_size=0, max_size=4), st.data())
def test_property_reshape_permute_roundtrip(shape, data):
    shape = tuple(shape)
    x = np.arange(int(np.prod(shape)), dtype=np.float32).reshape(shape)
    e = ember.tensor(x)
    perm = data.draw(st.permutations(range(len(shape))))
    p = e.permute(tuple(perm))
    tp = torch.from_numpy(x).permute(tuple(perm))
    np.testing.assert_array_equal(p.numpy(), tp.numpy())
    np.testing.assert_array_equal(p.permute(tuple(np.argsort(perm))).numpy(), x)
    flat = p.reshape(-1)
    assert flat.shape == (x.size,)
    back = flat.reshape(p.shape)
    np.testing.assert_array_equal(back.numpy(), p.numpy())
    assert p.is_contiguous() == tp.is_contiguous()
