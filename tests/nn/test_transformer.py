"""nn.Transformer, TransformerEncoder[Layer] and TransformerDecoder[Layer] vs torch: torch's
weights are loaded into ember, then outputs and every parameter gradient are compared."""

import copy
import math
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import ember
import ember.nn.functional as F
from harness import assert_close_tensor, check_error, check_gradcheck

D, H, FF = 8, 2, 16   # d_model, nhead, dim_feedforward
TOL = {"rtol": 1e-4, "atol": 2e-5}
GRAD_TOL = {"rtol": 1e-3, "atol": 1e-4}

ACTIVATIONS = {  # name -> (torch activation, ember activation)
    "relu": ("relu", "relu"),
    "gelu": ("gelu", "gelu"),
    "silu_fn": (TF.silu, F.silu),
    "tanh_module": (torch.nn.Tanh(), ember.nn.Tanh()),
}


def _perturb(t_mod):
    """Break the symmetry of identical clones / ones-and-zeros LayerNorms."""
    with torch.no_grad():
        for p in t_mod.parameters():
            p.add_(0.2 * torch.randn_like(p))


def _load(e_mod, t_mod):
    state = {k: ember.tensor(v.detach().numpy()) for k, v in t_mod.state_dict().items()}
    e_mod.load_state_dict(state)
    return e_mod


def _layer_pair(kind, activation="relu", seed=0, **kw):
    """(torch, ember) TransformerEncoderLayer / TransformerDecoderLayer with the same weights."""
    ta, ea = ACTIVATIONS[activation]
    torch.manual_seed(seed)
    t = getattr(torch.nn, kind)(D, H, FF, activation=ta, **kw)
    _perturb(t)
    return t, _load(getattr(ember.nn, kind)(D, H, FF, activation=ea, **kw), t)


def _stack_pair(kind, num_layers=2, norm=True, activation="relu", seed=0, **kw):
    """(torch, ember) TransformerEncoder / TransformerDecoder of `num_layers` layers."""
    ta, ea = ACTIVATIONS[activation]
    torch.manual_seed(seed)
    extra = {"enable_nested_tensor": False} if kind == "Encoder" else {}
    mods = []
    for nn, act in ((torch.nn, ta), (ember.nn, ea)):
        layer = getattr(nn, f"Transformer{kind}Layer")(D, H, FF, activation=act, **kw)
        ln = nn.LayerNorm(D) if norm else None
        mods.append(getattr(nn, f"Transformer{kind}")(layer, num_layers, ln, **extra))
    _perturb(mods[0])
    return mods[0], _load(mods[1], mods[0])


def _to(lib, v):
    if isinstance(v, np.ndarray):
        return torch.from_numpy(v.copy()) if lib is torch else ember.tensor(v)
    return v


def _compare(t_mod, e_mod, inputs, rng, train=False, grad=True, **kwargs):
    """Run both modules on the same inputs (float arrays) and keyword masks; compare outputs,
    then input and parameter gradients for a random cotangent."""
    t_mod.train(train)
    e_mod.train(train)
    t_in = [torch.tensor(x, requires_grad=grad) for x in inputs]
    e_in = [ember.tensor(x, requires_grad=grad) for x in inputs]
    t_out = t_mod(*t_in, **{k: _to(torch, v) for k, v in kwargs.items()})
    e_out = e_mod(*e_in, **{k: _to(ember, v) for k, v in kwargs.items()})
    assert_close_tensor(e_out, t_out, **TOL)
    if not grad:
        return e_out
    cot = rng.standard_normal(tuple(t_out.shape)).astype(inputs[0].dtype)
    t_out.backward(torch.from_numpy(cot))
    e_out.backward(ember.tensor(cot))
    for i, (e, t) in enumerate(zip(e_in, t_in)):
        assert_close_tensor(e.grad, t.grad, **GRAD_TOL, what=f"grad of input {i}")
    t_params = dict(t_mod.named_parameters())
    e_params = dict(e_mod.named_parameters())
    assert list(e_params) == list(t_params)
    for name, tp in t_params.items():
        assert_close_tensor(e_params[name].grad, tp.grad, **GRAD_TOL, what=f"grad of {name}")
    return e_out


def _seq(rng, L, N, batch_first):
    return rng.standard_normal((N, L, D) if batch_first else (L, N, D)).astype(np.float32)


def _bool_mask(rng, shape):
    m = rng.random(shape) < 0.3
    m[..., 0] = False   # every query keeps one key
    return m


def _float_mask(rng, shape):
    m = rng.standard_normal(shape).astype(np.float32)
    m[_bool_mask(rng, shape)] = -np.inf
    return m


def _causal(n):
    return np.triu(np.full((n, n), -np.inf, np.float32), 1)


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("train", [False, True])
def test_encoder_layer(activation, norm_first, batch_first, train, rng):
    t, e = _layer_pair("TransformerEncoderLayer", activation, dropout=0.0 if train else 0.1,
                       norm_first=norm_first, batch_first=batch_first)
    _compare(t, e, [_seq(rng, 5, 3, batch_first)], rng, train=train)


MASKS = ["float_mask", "bool_mask", "mask_3d", "bool_kpm", "float_kpm", "both", "causal"]


def _encoder_masks(kind, rng, L, N):
    if kind == "float_mask":
        return {"src_mask": _float_mask(rng, (L, L))}
    if kind == "bool_mask":
        return {"src_mask": _bool_mask(rng, (L, L))}
    if kind == "mask_3d":
        return {"src_mask": _float_mask(rng, (N * H, L, L))}
    if kind == "bool_kpm":
        return {"src_key_padding_mask": _bool_mask(rng, (N, L))}
    if kind == "float_kpm":
        return {"src_key_padding_mask": _float_mask(rng, (N, L))}
    if kind == "both":
        return {"src_mask": _bool_mask(rng, (L, L)),
                "src_key_padding_mask": _bool_mask(rng, (N, L))}
    return {"src_mask": _causal(L), "is_causal": True}


@pytest.mark.parametrize("mask", MASKS)
@pytest.mark.parametrize("batch_first", [False, True])
def test_encoder_layer_masks(mask, batch_first, rng):
    t, e = _layer_pair("TransformerEncoderLayer", batch_first=batch_first)
    _compare(t, e, [_seq(rng, 5, 3, batch_first)], rng, **_encoder_masks(mask, rng, 5, 3))


@pytest.mark.parametrize("mask", [None, "zero_inf_mask", "bool_mask", "bool_kpm", "causal"])
def test_encoder_layer_no_grad_eval(mask, rng):
    """torch's fused fast path (eval, batch_first, no grad) gives the dense numbers. Not for
    float masks with values other than 0 / -inf: torch's fast path reads any nonzero entry as
    masked out (NaN rows; pytorch/pytorch#118628); ember always gives the dense result."""
    t, e = _layer_pair("TransformerEncoderLayer", batch_first=True)
    if mask == "zero_inf_mask":
        masks = {"src_mask": np.where(_bool_mask(rng, (5, 5)), -np.inf, 0).astype(np.float32)}
    else:
        masks = {} if mask is None else _encoder_masks(mask, rng, 5, 3)
    with torch.no_grad(), ember.no_grad():
        _compare(t, e, [_seq(rng, 5, 3, True)], rng, grad=False, **masks)


@pytest.mark.parametrize("masks", ["none", "mask", "kpm"])
def test_encoder_layer_unbatched(masks, rng):
    t, e = _layer_pair("TransformerEncoderLayer", dropout=0.0)
    kw = {"none": {}, "mask": {"src_mask": _float_mask(rng, (5, 5))},
          "kpm": {"src_key_padding_mask": _bool_mask(rng, (5,))}}[masks]
    for train in (False, True):
        _compare(t, e, [rng.standard_normal((5, D)).astype(np.float32)], rng, train=train, **kw)


@pytest.mark.parametrize("mask", [None, "float_mask", "bool_kpm", "both", "causal"])
@pytest.mark.parametrize("norm", [False, True])
@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("batch_first", [False, True])
def test_encoder(mask, norm, norm_first, batch_first, rng):
    t, e = _stack_pair("Encoder", 2, norm, norm_first=norm_first, batch_first=batch_first,
                       dropout=0.0)
    kw = {} if mask is None else _encoder_masks(mask, rng, 5, 3)
    if "src_mask" in kw:
        kw["mask"] = kw.pop("src_mask")
    if mask == "causal":
        kw.pop("is_causal")   # the encoder detects the causal mask itself
    for train in (False, True):
        _compare(t, e, [_seq(rng, 5, 3, batch_first)], rng, train=train, **kw)


def test_encoder_unbatched_and_hint(rng):
    t, e = _stack_pair("Encoder", 3, norm=True, activation="gelu", dropout=0.0)
    x = rng.standard_normal((4, D)).astype(np.float32)
    _compare(t, e, [x], rng, mask=_causal(4), is_causal=True)
    _compare(t, e, [x], rng, mask=_bool_mask(rng, (4, 4)), is_causal=False)


def _decoder_masks(kind, rng, T, S, N):
    return {
        "float_tgt": {"tgt_mask": _float_mask(rng, (T, T))},
        "bool_tgt": {"tgt_mask": _bool_mask(rng, (T, T))},
        "memory": {"memory_mask": _float_mask(rng, (T, S))},
        "bool_memory": {"memory_mask": _bool_mask(rng, (N * H, T, S))},
        "kpms": {"tgt_key_padding_mask": _bool_mask(rng, (N, T)),
                 "memory_key_padding_mask": _bool_mask(rng, (N, S))},
        "float_kpms": {"tgt_key_padding_mask": _float_mask(rng, (N, T)),
                       "memory_key_padding_mask": _float_mask(rng, (N, S))},
        "causal": {"tgt_mask": _causal(T), "tgt_is_causal": True},
        "all": {"tgt_mask": _causal(T), "memory_mask": _bool_mask(rng, (T, S)),
                "tgt_key_padding_mask": _bool_mask(rng, (N, T)),
                "memory_key_padding_mask": _bool_mask(rng, (N, S))},
    }[kind]


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("train", [False, True])
def test_decoder_layer(activation, norm_first, batch_first, train, rng):
    t, e = _layer_pair("TransformerDecoderLayer", activation, dropout=0.0 if train else 0.1,
                       norm_first=norm_first, batch_first=batch_first)
    _compare(t, e, [_seq(rng, 4, 3, batch_first), _seq(rng, 6, 3, batch_first)], rng,
             train=train)


DECODER_MASKS = ["float_tgt", "bool_tgt", "memory", "bool_memory", "kpms", "float_kpms",
                 "causal", "all"]


@pytest.mark.parametrize("mask", DECODER_MASKS)
@pytest.mark.parametrize("batch_first", [False, True])
def test_decoder_layer_masks(mask, batch_first, rng):
    t, e = _layer_pair("TransformerDecoderLayer", batch_first=batch_first)
    _compare(t, e, [_seq(rng, 4, 3, batch_first), _seq(rng, 6, 3, batch_first)], rng,
             **_decoder_masks(mask, rng, 4, 6, 3))


def test_decoder_layer_unbatched(rng):
    t, e = _layer_pair("TransformerDecoderLayer", dropout=0.0, norm_first=True)
    tgt, mem = (rng.standard_normal((n, D)).astype(np.float32) for n in (4, 6))
    for train in (False, True):
        _compare(t, e, [tgt, mem], rng, train=train, tgt_mask=_causal(4),
                 memory_key_padding_mask=_bool_mask(rng, (6,)))


@pytest.mark.parametrize("mask", [None, "bool_tgt", "causal", "all"])
@pytest.mark.parametrize("norm", [False, True])
@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("batch_first", [False, True])
def test_decoder(mask, norm, norm_first, batch_first, rng):
    t, e = _stack_pair("Decoder", 2, norm, norm_first=norm_first, batch_first=batch_first,
                       dropout=0.0)
    kw = {} if mask is None else _decoder_masks(mask, rng, 4, 6, 3)
    kw.pop("tgt_is_causal", None)   # the decoder detects the causal mask itself
    for train in (False, True):
        _compare(t, e, [_seq(rng, 4, 3, batch_first), _seq(rng, 6, 3, batch_first)], rng,
                 train=train, **kw)


def _transformer_pair(activation="relu", seed=0, **kw):
    kw = {"d_model": D, "nhead": H, "num_encoder_layers": 2, "num_decoder_layers": 2,
          "dim_feedforward": FF, **kw}
    ta, ea = ACTIVATIONS[activation]
    torch.manual_seed(seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # enable_nested_tensor with batch_first=False
        t = torch.nn.Transformer(activation=ta, **kw)
        e = ember.nn.Transformer(activation=ea, **kw)
    _perturb(t)
    return t, _load(e, t)


@pytest.mark.parametrize("masks", ["none", "causal", "all", "bool"])
@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("batch_first", [False, True])
def test_transformer(masks, norm_first, batch_first, rng):
    t, e = _transformer_pair(dropout=0.0, norm_first=norm_first, batch_first=batch_first)
    S, T, N = 6, 4, 3
    kw = {"none": {}, "causal": {"tgt_mask": _causal(T)},
          "all": {"src_mask": _float_mask(rng, (S, S)), "tgt_mask": _causal(T),
                  "memory_mask": _float_mask(rng, (T, S)),
                  "src_key_padding_mask": _bool_mask(rng, (N, S)),
                  "tgt_key_padding_mask": _bool_mask(rng, (N, T)),
                  "memory_key_padding_mask": _bool_mask(rng, (N, S))},
          "bool": {"src_mask": _bool_mask(rng, (S, S)), "tgt_mask": _bool_mask(rng, (T, T)),
                   "memory_mask": _bool_mask(rng, (T, S)), "tgt_is_causal": False}}[masks]
    src, tgt = _seq(rng, S, N, batch_first), _seq(rng, T, N, batch_first)
    for train in (False, True):
        _compare(t, e, [src, tgt], rng, train=train, **kw)


def test_transformer_unbatched_gelu_float64(rng):
    t, e = _transformer_pair("gelu", dropout=0.0)
    t.double()
    e = _load(e.double(), t)
    src, tgt = rng.standard_normal((6, D)), rng.standard_normal((4, D))
    out = _compare(t, e, [src, tgt], rng, tgt_mask=_causal(4).astype(np.float64),
                   src_is_causal=False)
    assert out.dtype == ember.float64


def test_transformer_float64_dtype_argument(rng):
    e = ember.nn.Transformer(D, H, 1, 1, FF, dtype=ember.float64, batch_first=True)
    assert all(p.dtype == ember.float64 for p in e.parameters())
    x = ember.tensor(rng.standard_normal((2, 3, D)))
    assert e(x, x).dtype == ember.float64


def test_gradcheck_encoder_layer(rng):
    e = ember.nn.TransformerEncoderLayer(4, 2, 6, dropout=0.0, activation="gelu").double()
    mask = ember.tensor(_float_mask(rng, (3, 3)).astype(np.float64))
    check_gradcheck(lambda x: e(x, src_mask=mask), rng.standard_normal((3, 2, 4)))


def test_gradcheck_decoder_layer(rng):
    e = ember.nn.TransformerDecoderLayer(4, 2, 6, dropout=0.0, norm_first=True).double()
    check_gradcheck(lambda x, m: e(x, m), rng.standard_normal((3, 2, 4)),
                    rng.standard_normal((2, 2, 4)))


def _all_five(lib):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        enc_layer = lib.nn.TransformerEncoderLayer(D, H, FF, bias=False)
        dec_layer = lib.nn.TransformerDecoderLayer(D, H, FF)
        return [enc_layer, dec_layer,
                lib.nn.TransformerEncoder(enc_layer, 2, lib.nn.LayerNorm(D)),
                lib.nn.TransformerDecoder(dec_layer, 3),
                lib.nn.Transformer(D, H, 2, 1, FF, norm_first=True)]


def test_state_dict_keys_and_shapes():
    for e, t in zip(_all_five(ember), _all_five(torch)):
        e_sd, t_sd = e.state_dict(), t.state_dict()
        assert list(e_sd) == list(t_sd), type(e).__name__
        assert [tuple(v.shape) for v in e_sd.values()] == [tuple(v.shape) for v in t_sd.values()]
        assert [n for n, _ in e.named_modules()] == [n for n, _ in t.named_modules()]


def test_repr():
    for kind in ("TransformerEncoderLayer", "TransformerDecoderLayer"):
        t, e = _layer_pair(kind, "tanh_module", norm_first=True, layer_norm_eps=1e-6)
        assert repr(e) == repr(t)
    t, e = _stack_pair("Decoder", 2)
    assert repr(e) == repr(t)


def test_attributes():
    e = ember.nn.TransformerEncoderLayer(D, H, activation="gelu")
    assert e.activation is F.gelu and e.activation_relu_or_gelu == 2
    assert ember.nn.TransformerEncoderLayer(D, H, activation=ember.nn.ReLU()) \
        .activation_relu_or_gelu == 1
    assert ember.nn.TransformerEncoderLayer(D, H, activation=F.silu).activation_relu_or_gelu == 0
    assert ember.nn.TransformerDecoderLayer(D, H).activation is F.relu
    m = ember.nn.Transformer(D, H, 1, 1, FF, batch_first=True)
    assert (m.d_model, m.nhead, m.batch_first) == (D, H, True)
    assert m.encoder.num_layers == 1 and m.encoder.enable_nested_tensor
    assert m.encoder.mask_check and isinstance(m.encoder.norm, ember.nn.LayerNorm)


def test_clones_are_independent():
    layer = ember.nn.TransformerEncoderLayer(D, H, FF)
    enc = ember.nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
    w0, w1 = enc.layers[0].linear1.weight, enc.layers[1].linear1.weight
    assert w0 is not w1 and w0 is not layer.linear1.weight
    assert np.array_equal(w0.detach().numpy(), w1.detach().numpy())   # torch: same init
    with ember.no_grad():
        w0.add_(1.0)
    assert not np.array_equal(w0.detach().numpy(), w1.detach().numpy())
    assert len(list(enc.parameters())) == 2 * len(list(layer.parameters()))


def test_reset_parameters():
    ember.manual_seed(0)
    m = ember.nn.Transformer(D, H, 2, 2, FF)
    for name, p in m.named_parameters():
        v = p.detach().numpy()
        if p.dim() > 1:
            bound = math.sqrt(6.0 / (v.shape[0] + v.shape[1]))
            assert np.abs(v).max() <= bound and np.abs(v).max() > 0.5 * bound, name
        elif "norm" in name and name.endswith("weight"):
            assert np.all(v == 1), name
        elif "in_proj_bias" in name or "out_proj.bias" in name or "norm" in name:
            assert np.all(v == 0), name
    a = m.encoder.layers[0].linear1.weight.detach().numpy()
    b = m.encoder.layers[1].linear1.weight.detach().numpy()
    assert not np.array_equal(a, b)   # re-initialised after cloning, as torch


def test_generate_square_subsequent_mask():
    for kw in ({}, {"dtype": torch.float64}):
        t = torch.nn.Transformer.generate_square_subsequent_mask(4, **kw)
        ekw = {"dtype": ember.float64} if kw else {}
        e = ember.nn.Transformer.generate_square_subsequent_mask(4, **ekw)
        assert_close_tensor(e, t)
    assert ember.nn.Transformer.generate_square_subsequent_mask(0).shape == (0, 0)


def test_dropout_in_training():
    e = ember.nn.TransformerEncoderLayer(D, H, FF, dropout=0.5)
    x = ember.randn(5, 3, D)
    assert not np.allclose(e(x).detach().numpy(), e(x).detach().numpy())
    e.eval()
    assert np.array_equal(e(x).detach().numpy(), e(x).detach().numpy())


def _nested_pair(**kw):
    torch.manual_seed(0)
    mods = []
    for nn in (torch.nn, ember.nn):
        layer = nn.TransformerEncoderLayer(D, H, FF, batch_first=True)
        mods.append(nn.TransformerEncoder(layer, 2, nn.LayerNorm(D), **kw))
    _perturb(mods[0])
    return mods[0], _load(mods[1], mods[0])


@pytest.mark.parametrize("kpm_kind", ["left_aligned", "scattered", "float", "none_padded"])
@pytest.mark.parametrize("mask_check", [True, False])
def test_encoder_nested_tensor_path(kpm_kind, mask_check, rng):
    """In eval mode without grad, torch runs a batch_first encoder with a key padding mask on
    nested tensors: padded positions come out as zeros (before the final norm), and each row
    keeps its first count(not padded) positions. ember computes the same dense result."""
    t, e = _nested_pair(mask_check=mask_check)
    x = _seq(rng, 5, 3, True)
    kpm = np.zeros((3, 5), bool)
    if kpm_kind in ("left_aligned", "float"):
        kpm[0, 3:] = kpm[1, 1:] = True
    elif kpm_kind == "scattered":
        kpm[0, [0, 3]] = kpm[2, 2] = True
    if kpm_kind == "float":
        kpm = np.where(kpm, -np.inf, 0).astype(np.float32)
    with torch.no_grad(), ember.no_grad():
        out = _compare(t, e, [x], rng, grad=False, src_key_padding_mask=kpm)
    if kpm_kind == "left_aligned":   # rows of zeros went through the final LayerNorm
        np.testing.assert_allclose(out.numpy()[0, 3:], np.broadcast_to(
            e.norm.bias.detach().numpy(), (2, D)), atol=1e-6)
    # with grad the dense path is taken by both (padded positions computed normally)
    _compare(t, e, [x], rng, src_key_padding_mask=kpm)


def test_encoder_nested_tensor_disabled(rng):
    t, e = _nested_pair(enable_nested_tensor=False)
    kpm = np.zeros((3, 5), bool)
    kpm[0, 2:] = True
    with torch.no_grad(), ember.no_grad():
        out = _compare(t, e, [_seq(rng, 5, 3, True)], rng, grad=False,
                       src_key_padding_mask=kpm)
    assert not np.allclose(out.numpy()[0, 2:], e.norm.bias.detach().numpy())


def test_enable_nested_tensor_warnings():
    cases = [({"batch_first": False}, "batch_first was not True"),
             ({"batch_first": True, "norm_first": True}, "norm_first was True"),
             ({"batch_first": True, "activation": "odd"}, "activation_relu_or_gelu"),
             ({"batch_first": True, "bias": False}, "bias=False")]
    for kw, msg in cases:
        for lib in (torch, ember):
            act = {"activation": (TF.silu if lib is torch else F.silu)} \
                if kw.get("activation") else {}
            layer = lib.nn.TransformerEncoderLayer(D, H, FF, **{**kw, **act})
            with pytest.warns(UserWarning, match=msg):
                lib.nn.TransformerEncoder(layer, 1)
    for lib in (torch, ember):   # batch_first, even heads: no warning
        layer = lib.nn.TransformerEncoderLayer(D, H, FF, batch_first=True)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            lib.nn.TransformerEncoder(layer, 1)


def test_mismatched_mask_types_warn(rng):
    t, e = _layer_pair("TransformerEncoderLayer")
    x = _seq(rng, 5, 3, False)
    kw = {"src_mask": _float_mask(rng, (5, 5)), "src_key_padding_mask": _bool_mask(rng, (3, 5))}
    for mod, lib in ((t, torch), (e, ember)):
        with pytest.warns(UserWarning, match="mismatched src_key_padding_mask and src_mask"):
            mod(_to(lib, x), **{k: _to(lib, v) for k, v in kw.items()})
    _compare(t, e, [x], rng, **kw)


def _errors():
    x3 = np.zeros((5, 3, D), np.float32)
    x_other_batch = np.zeros((5, 2, D), np.float32)
    x_other_d = np.zeros((5, 3, D + 2), np.float32)
    int_mask = np.zeros((5, 5), np.int64)

    def make(lib, cls, *a, **kw):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return getattr(lib.nn, cls)(*a, **kw)
    return [
        # (constructor or call, inputs, message fragments)
        (lambda lib: make(lib, "TransformerEncoderLayer", 6, 4), (), ["divisible"]),
        (lambda lib: make(lib, "TransformerDecoderLayer", 6, 4), (), ["divisible"]),
        (lambda lib: make(lib, "Transformer", 10, 3), (), ["divisible"]),
        (lambda lib: make(lib, "TransformerEncoderLayer", D, H, activation="tanh"), (),
         ["relu/gelu", "tanh"]),
        (lambda lib: make(lib, "TransformerDecoderLayer", D, H, activation="swish"), (),
         ["relu/gelu"]),
        (lambda lib, a, b: make(lib, "Transformer", D, H, 1, 1, FF)(a, b), (x3, x_other_batch),
         ["batch number"]),
        (lambda lib, a, b: make(lib, "Transformer", D, H, 1, 1, FF)(a, b), (x_other_d, x3),
         ["feature number"]),
        (lambda lib, a, m: make(lib, "TransformerEncoderLayer", D, H, FF)(a, src_mask=m),
         (x3, int_mask), ["only bool and floating", "src_mask"]),
        (lambda lib, a, m: make(lib, "TransformerEncoder", make(
            lib, "TransformerEncoderLayer", D, H, FF), 1)(a, mask=m), (x3, int_mask),
         ["only bool and floating"]),
        (lambda lib, a: make(lib, "TransformerEncoderLayer", D, H, FF)(a, is_causal=True),
         (x3,), ["attn_mask"]),
        (lambda lib, a: make(lib, "TransformerEncoderLayer", D, H, FF)(a[..., :4]), (x3,),
         ["embedding dimension"]),
    ]


@pytest.mark.parametrize("case", range(len(_errors())))
def test_errors(case):
    fn, inputs, match = _errors()[case]
    check_error(lambda *a: fn(ember, *a), lambda *a: fn(torch, *a), *inputs, match=match)


def test_deepcopy_of_whole_model(rng):
    t, e = _transformer_pair(dropout=0.0)
    e2 = copy.deepcopy(e)
    src, tgt = _seq(rng, 6, 3, False), _seq(rng, 4, 3, False)
    _compare(t, e2, [src, tgt], rng, tgt_mask=_causal(4))
