"""F.scaled_dot_product_attention and nn.MultiheadAttention vs torch."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import ember
import ember.nn.functional as F
from harness import assert_close_tensor, check, check_error, check_gradcheck


def _sdpa(mask=None, **kw):
    em = None if mask is None else ember.tensor(mask)
    tm = None if mask is None else torch.tensor(mask)
    return (lambda q, k, v: F.scaled_dot_product_attention(q, k, v, em, **kw),
            lambda q, k, v: TF.scaled_dot_product_attention(q, k, v, tm, **kw))


SDPA = [  # (id, q shape, k shape, v shape, mask maker, kwargs)
    ("plain", (2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 7), None, {}),
    ("3d", (3, 4, 5), (3, 6, 5), (3, 6, 2), None, {"scale": 0.3}),
    ("2d", (4, 5), (6, 5), (6, 3), None, {}),
    ("broadcast_kv", (2, 3, 4, 5), (1, 6, 5), (1, 6, 5), None, {}),
    ("causal", (2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 5), None, {"is_causal": True}),
    ("bool", (2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 5), "bool", {}),
    ("bool_dead_row", (2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 5), "dead", {}),
    ("float", (2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 5), "float", {}),
    ("float_inf_row", (2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 5), "float_inf", {}),
    ("gqa", (1, 4, 3, 5), (1, 2, 6, 5), (1, 2, 6, 5), None, {"enable_gqa": True}),
]


def _mask(kind, rng, L, S):
    if kind is None:
        return None
    if kind in ("bool", "dead"):
        m = rng.random((L, S)) > 0.4
        m[:, 0] = True
        if kind == "dead":
            m[1] = False   # a row with nothing allowed: zeros, as torch
        return m
    m = rng.standard_normal((3, L, S))
    if kind == "float_inf":
        m[:, 2] = -np.inf
    return m


@pytest.mark.parametrize("name,qs,ks,vs,mask,kw", SDPA, ids=[c[0] for c in SDPA])
def test_sdpa(name, qs, ks, vs, mask, kw, rng):
    q, k, v = (rng.standard_normal(s) for s in (qs, ks, vs))
    m = _mask(mask, rng, qs[-2], ks[-2])
    efn, tfn = _sdpa(m, **kw)
    check(efn, tfn, q, k, v, rng=rng, rtol=1e-9, atol=1e-10)
    efn, tfn = _sdpa(m if m is None or m.dtype == bool else m.astype(np.float32), **kw)
    check(efn, tfn, *(a.astype(np.float32) for a in (q, k, v)), rng=rng, rtol=1e-4, atol=1e-5)
    if name in ("plain", "bool_dead_row", "float"):   # small slices keep gradgradcheck fast
        efn, tfn = _sdpa(None if m is None else m[..., :3, :4], **kw)
        check_gradcheck(efn, q[:1, :1, :3, :2], k[:1, :1, :4, :2], v[:1, :1, :4, :2],
                        gradgrad=True)


def test_sdpa_dropout_and_extremes(rng):
    q = ember.tensor(rng.standard_normal((2, 50, 8)))
    v = ember.ones(2, 50, 8, dtype=ember.float64)
    out = F.scaled_dot_product_attention(q, q, v, dropout_p=0.5)
    # each row is a sum of dropped/rescaled weights: mean ≈ 1 and some variation
    assert abs(float(out.mean()) - 1.0) < 0.1 and float(out.std()) > 0.01
    big = rng.standard_normal((2, 4, 5)) * 1e3   # huge logits stay finite, as in torch
    check(lambda a: F.scaled_dot_product_attention(a, a, a),
          lambda a: TF.scaled_dot_product_attention(a, a, a), big, rng=rng, rtol=1e-6,
          atol=1e-6)


SDPA_ERRORS = [
    ((4,), (4,), (4,), {}, ["at least 2 dimensional", "query.dim: 1"]),
    ((1, 4, 3, 4), (1, 3, 3, 4), (1, 3, 3, 4), {"enable_gqa": True}, ["must divide"]),
    ((2, 3, 4), (2, 3, 4), (2, 3, 4), {"attn_mask": np.zeros((3, 3), np.int64)},
     ["attn_mask dtype to be bool or float"]),
    ((2, 3, 4), (2, 3, 4), (2, 3, 4), {"attn_mask": np.zeros((3, 3), np.float64)},
     ["attn_mask dtype to be bool or float", "float64"]),
]


@pytest.mark.parametrize("qs,ks,vs,kw,match", SDPA_ERRORS)
def test_sdpa_errors(qs, ks, vs, kw, match):
    m = kw.pop("attn_mask", None)
    efn, tfn = _sdpa(m, **kw)
    check_error(efn, tfn, *(np.ones(s, np.float32) for s in (qs, ks, vs)), match=match)
    check_error(lambda q, k: F.scaled_dot_product_attention(q, k, k),
                lambda q, k: TF.scaled_dot_product_attention(q, k, k),
                np.ones((3, 4)), np.ones((5, 4), np.float32), match=["same dtype"])


# ----------------------------------------------------------------------------- MHA
def _mha_pair(rng, **kw):
    t = torch.nn.MultiheadAttention(**kw).double()
    with torch.no_grad():   # non-zero biases so their gradients mean something
        for p in t.parameters():
            p.copy_(torch.from_numpy(rng.standard_normal(tuple(p.shape)) * 0.5))
    e = ember.nn.MultiheadAttention(**kw).double()
    e.load_state_dict({k: ember.tensor(v.detach().numpy().copy())
                       for k, v in t.state_dict().items()})
    assert repr(e) == repr(t)
    assert list(e.state_dict()) == list(t.state_dict())
    return e, t


MHA = [  # (id, ctor kwargs, (L, S, N), forward kwargs builder)
    ("basic", {}, {}),
    ("no_weights", {}, {"need_weights": False}),
    ("per_head", {}, {"average_attn_weights": False}),
    ("batch_first", {"batch_first": True}, {}),
    ("kdim_vdim", {"kdim": 3, "vdim": 5}, {}),
    ("bias_kv_zero_attn", {"add_bias_kv": True, "add_zero_attn": True, "bias": False},
     {"mask": "bool", "kpm": "bool"}),
    ("bool_mask", {}, {"mask": "bool"}),
    ("float_mask", {}, {"mask": "float", "need_weights": False}),
    ("mask3d", {}, {"mask": "3d"}),
    ("kpm", {}, {"kpm": "bool"}),
    ("kpm_float_no_weights", {}, {"kpm": "float", "need_weights": False}),
    ("causal", {}, {"mask": "causal", "is_causal": True}),
    ("causal_no_weights", {}, {"mask": "causal", "is_causal": True, "need_weights": False}),
    ("unbatched", {}, {"unbatched": True, "mask": "bool"}),
    ("unbatched_kpm", {"batch_first": True}, {"unbatched": True, "kpm": "bool",
                                              "need_weights": False}),
]


@pytest.mark.parametrize("name,ckw,fkw", MHA, ids=[c[0] for c in MHA])
def test_multihead_attention(name, ckw, fkw, rng):
    E, H, L, S, N = 8, 2, 4, 5, 3
    fkw = dict(fkw)
    kdim, vdim = ckw.get("kdim", E), ckw.get("vdim", E)
    e_mod, t_mod = _mha_pair(rng, embed_dim=E, num_heads=H, **ckw)
    unbatched = fkw.pop("unbatched", False)
    bf = ckw.get("batch_first", False)

    def shape(n, d):
        return (n, d) if unbatched else ((N, n, d) if bf else (n, N, d))

    q, k, v = (rng.standard_normal(shape(L, E)), rng.standard_normal(shape(S, kdim)),
               rng.standard_normal(shape(S, vdim)))
    mask, kpm = fkw.pop("mask", None), fkw.pop("kpm", None)
    extra = {}
    if mask == "bool":
        m = rng.random((L, S)) < 0.3
        m[:, 0] = False
        extra["attn_mask"] = m
    elif mask == "float":
        extra["attn_mask"] = rng.standard_normal((L, S))
    elif mask == "3d":
        extra["attn_mask"] = rng.standard_normal((N * H, L, S))
    elif mask == "causal":
        extra["attn_mask"] = np.triu(np.full((L, S), -np.inf), 1)
    if kpm is not None:
        p = rng.random(S if unbatched else (N, S)) < 0.3
        p[..., 0] = False
        extra["key_padding_mask"] = p if kpm == "bool" else np.where(p, -np.inf, 0.0)
    for mod in (e_mod, t_mod):
        mod.train()
    names = list(extra)
    ein = [ember.tensor(a, requires_grad=True) for a in (q, k, v)]
    tin = [torch.tensor(a, requires_grad=True) for a in (q, k, v)]
    eo, ew = e_mod(*ein, **{n: ember.tensor(extra[n]) for n in names}, **fkw)
    to, tw = t_mod(*tin, **{n: torch.tensor(extra[n]) for n in names}, **fkw)
    assert_close_tensor(eo, to, 1e-9, 1e-10, "attn_output")
    if tw is None:
        assert ew is None
    else:
        assert_close_tensor(ew, tw, 1e-9, 1e-10, "attn_weights")
    cot = rng.standard_normal(tuple(to.shape))
    eo.backward(ember.tensor(cot))
    to.backward(torch.tensor(cot))
    for i, (a, b) in enumerate(zip(ein, tin)):
        assert_close_tensor(a.grad, b.grad, 1e-8, 1e-9, f"grad of input {i}")
    tp = dict(t_mod.named_parameters())
    for pname, p in e_mod.named_parameters():
        assert_close_tensor(p.grad, tp[pname].grad, 1e-8, 1e-9, f"grad of {pname}")


def test_mha_fully_masked_row_matches_torch(rng):
    e_mod, t_mod = _mha_pair(rng, embed_dim=4, num_heads=2)
    x = rng.standard_normal((3, 2, 4))
    kpm = np.zeros((2, 3), bool)
    kpm[1] = True   # sample 1 sees nothing: NaN weights (need_weights) / zeros (SDPA path)
    for nw in (True, False):
        eo, _ = e_mod(*[ember.tensor(x)] * 3, key_padding_mask=ember.tensor(kpm),
                      need_weights=nw)
        to, _ = t_mod(*[torch.tensor(x)] * 3, key_padding_mask=torch.tensor(kpm),
                      need_weights=nw)
        assert_close_tensor(eo, to, 1e-9, 1e-10)


def test_mha_init_distribution():
    E = 64
    m = ember.nn.MultiheadAttention(E, 4, add_bias_kv=True)
    w = m.in_proj_weight.detach().numpy()
    bound = math.sqrt(6.0 / (E + 3 * E))   # xavier_uniform_ on (3E, E)
    assert w.shape == (3 * E, E) and np.abs(w).max() <= bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.05 * bound
    assert np.all(m.in_proj_bias.detach().numpy() == 0)
    assert np.all(m.out_proj.bias.detach().numpy() == 0)
    assert isinstance(m.out_proj, ember.nn.Linear)
    assert m.bias_k.shape == (1, 1, E)
    m2 = ember.nn.MultiheadAttention(E, 4, kdim=3, vdim=5)
    assert m2.in_proj_weight is None and m2.k_proj_weight.shape == (E, 3)
    assert m2.v_proj_weight.shape == (E, 5)


def _mha_err(efn, tfn, *shapes):
    torch.manual_seed(0)
    return check_error(efn, tfn, *(np.ones(s, np.float32) for s in shapes), match=[])


MHA_ERRORS = [
    (lambda m, x: m(x, x, x, is_causal=True), ["Need attn_mask"], (3, 2, 4)),
    (lambda m, x: m(x, x, x, attn_mask=x.new_zeros(2, 2) if hasattr(x, "new_zeros")
                    else None), ["2D attn_mask", "[2, 2]", "(3, 3)"], (3, 2, 4)),
    (lambda m, x: m(x, x, x), ["embedding dimension of 4, but got 5"], (3, 2, 5)),
    (lambda m, x: m(x[0], x, x), ["unbatched (2-D) `query`", "3-D"], (3, 2, 4)),
]


@pytest.mark.parametrize("call,match,shape", MHA_ERRORS)
def test_mha_errors(call, match, shape):
    e_mod = ember.nn.MultiheadAttention(4, 2)
    t_mod = torch.nn.MultiheadAttention(4, 2)
    err = check_error(lambda x: call(e_mod, x), lambda x: call(t_mod, x),
                      np.ones(shape, np.float32), match=match)
    assert "MultiheadAttention" in str(err)
    check_error(lambda: ember.nn.MultiheadAttention(5, 2),
                lambda: torch.nn.MultiheadAttention(5, 2), match=["divisible by num_heads"])
    check_error(lambda: ember.nn.MultiheadAttention(0, 2),
                lambda: torch.nn.MultiheadAttention(0, 2), match=["greater than 0"])
