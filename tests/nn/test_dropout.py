import warnings

import numpy as np
import pytest
import torch

import ember
import ember.nn as nn
import ember.nn.functional as F
from harness import check, check_error

MODULES = ["Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout",
           "FeatureAlphaDropout"]


@pytest.fixture(autouse=True)
def _seeded():
    """Statistical checks on dropout masks: a fixed seed keeps them from failing by chance."""
    ember.manual_seed(1234)



@pytest.mark.parametrize("name", MODULES)
@pytest.mark.parametrize("p", [0.3, 0.0])
def test_repr_and_eval_identity(name, p):
    e, t = getattr(nn, name)(p), getattr(torch.nn, name)(p)
    assert repr(e) == repr(t)
    assert repr(getattr(nn, name)(0.2, inplace=True)) == repr(getattr(torch.nn, name)(0.2, True))
    x = ember.randn(*{"Dropout1d": (2, 3, 4), "Dropout2d": (2, 3, 4, 5)}.get(name, (2, 3, 4, 5, 6)))
    e.eval()
    assert e(x) is x
    assert not e.training


@pytest.mark.parametrize("p", [0.2, 0.5, 0.8])
def test_dropout_statistics(p):
    x = ember.ones(200_000)
    y = nn.Dropout(p)(x).numpy()
    zero = (y == 0).mean()
    assert abs(zero - p) < 0.01
    np.testing.assert_allclose(y[y != 0], 1 / (1 - p), rtol=1e-6)


def test_dropout_grad_matches_mask(rng):
    x = ember.tensor(rng.standard_normal((50, 40)).astype(np.float32), requires_grad=True)
    y = F.dropout(x, 0.4)
    g = rng.standard_normal((50, 40)).astype(np.float32)
    y.backward(ember.tensor(g))
    mask = y.detach().numpy() / x.detach().numpy()
    np.testing.assert_allclose(x.grad.numpy(), g * mask, rtol=1e-5, atol=1e-6)
    assert np.all(np.isclose(mask, 0) | np.isclose(mask, 1 / 0.6, rtol=1e-4))


def test_dropout_p1_and_inplace():
    x = ember.randn(5, requires_grad=True)
    y = F.dropout(x, 1.0)
    assert np.all(y.detach().numpy() == 0)
    y.sum().backward()
    assert np.all(x.grad.numpy() == 0)
    z = ember.ones(1000)
    out = F.dropout(z, 0.5, inplace=True)
    assert out is z and (z.numpy() == 0).any() and (z.numpy() == 2).any()
    a = ember.randn(100, requires_grad=True)
    b = a * 1
    F.dropout(b, 0.5, inplace=True).sum().backward()
    assert set(np.unique(a.grad.numpy())) <= {0.0, 2.0}


@pytest.mark.parametrize("name,shape,channel_axes", [
    ("dropout1d", (8, 16, 30), 2), ("dropout1d", (16, 30), 1),
    ("dropout2d", (8, 16, 5, 6), 2), ("dropout2d", (8, 16, 30), 2),
    ("dropout3d", (8, 16, 3, 4, 5), 2), ("dropout3d", (16, 3, 4, 5), 1)])
def test_channel_dropout(name, shape, channel_axes):
    x = ember.ones(*shape)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        y = getattr(F, name)(x, 0.5).numpy()
    per = y.reshape(shape[:channel_axes] + (-1,))
    # whole channels dropped or kept (scaled by 2)
    assert np.all((per == 0).all(-1) | (per == 2).all(-1))
    assert 0.3 < (per[..., 0] == 0).mean() < 0.7


def test_dropout_module_train_eval():
    d = nn.Dropout2d(0.5)
    x = ember.ones(4, 8, 3, 3)
    assert (d(x).numpy() == 0).any()
    d.eval()
    assert d(x) is x


def test_alpha_dropout_statistics():
    x = ember.randn(400_000)
    for fn in (F.alpha_dropout, F.feature_alpha_dropout):
        y = fn(x.reshape(4000, 100) if fn is F.feature_alpha_dropout else x, 0.3, True)
        v = y.numpy()
        assert abs(v.mean()) < 0.02 and abs(v.std() - 1) < 0.02   # self-normalising
    tx = torch.randn(400_000)
    ty = torch.nn.functional.alpha_dropout(tx, 0.3, True).numpy()
    ey = F.alpha_dropout(ember.tensor(tx.numpy()), 0.3, True).numpy()
    # the same map: dropped units all land on one value (the most frequent), torch's
    def dropped_value(y):
        vals, counts = np.unique(y, return_counts=True)
        return vals[counts.argmax()]
    np.testing.assert_allclose(dropped_value(ey), dropped_value(ty), rtol=1e-3)
    assert F.alpha_dropout(x, 0.3, False) is x


def test_feature_alpha_dropout_channels():
    y = F.feature_alpha_dropout(ember.ones(10, 20, 7), 0.5, True).numpy()
    assert np.all(np.ptp(y, axis=-1) == 0)


def test_dropout_errors():
    for fn in ("dropout", "dropout2d", "alpha_dropout"):
        check_error(lambda x, f=fn: getattr(F, f)(x, 1.5),
                    lambda x, f=fn: getattr(torch.nn.functional, f)(x, 1.5),
                    np.ones((2, 3, 4), np.float32), match=["1.5"])
    check_error(lambda x: F.dropout1d(x), lambda x: torch.nn.functional.dropout1d(x),
                np.ones(3, np.float32), match=["dropout1d", "1D"])
    with pytest.raises(ValueError):
        nn.Dropout(-0.1)
    with pytest.warns(UserWarning, match="dropout2d"):
        F.dropout2d(ember.ones(3, 4))


# ATen's dropout front: integer inputs, empty inputs and the 2-dim minimum of feature dropout
INT_CASES = [("dropout", (2, 3)), ("alpha_dropout", (2, 3)), ("feature_alpha_dropout", (2, 3)),
             ("dropout1d", (2, 3)), ("dropout2d", (2, 3, 2, 2)),
             ("dropout3d", (1, 2, 3, 2, 2))]


@pytest.mark.parametrize("name,shape", INT_CASES)
@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint8, np.bool_])
def test_dropout_integer_input_in_training_raises(name, shape, dtype, rng):
    x = rng.integers(0, 2, shape).astype(dtype)
    for inplace in (False, True):
        check_error(lambda t, i=inplace: getattr(F, name)(t, 0.5, True, i),
                    lambda t, i=inplace: getattr(torch.nn.functional, name)(t, 0.5, True, i),
                    x, match=["result type Float can't be cast to the desired output type"])


@pytest.mark.parametrize("name,shape", INT_CASES)
@pytest.mark.parametrize("p,training", [(0.5, False), (0.0, True), (1.0, True)])
def test_dropout_integer_input_passes_when_nothing_is_sampled(name, shape, p, training, rng):
    """eval and p 0 give the input back, p 1 a zero mask: torch keeps the integer dtype."""
    for x in (rng.integers(1, 5, shape), np.zeros((0,) + shape[1:], np.int64)):
        for pp, tr in ((p, training), (0.5, True)) if x.size == 0 else ((p, training),):
            check(lambda t, pp=pp, tr=tr: getattr(F, name)(t, pp, tr),
                  lambda t, pp=pp, tr=tr: getattr(torch.nn.functional, name)(t, pp, tr),
                  x, grad=False)


@pytest.mark.filterwarnings("ignore:dropout")
@pytest.mark.parametrize("name,shape", [("feature_alpha_dropout", (5,)),
                                        ("feature_alpha_dropout", ()), ("dropout2d", (5,)),
                                        ("dropout2d", ()), ("dropout3d", ())])
def test_feature_dropout_needs_two_dims(name, shape, rng):
    """(dropout3d unsqueezes an unbatched input first, so only a 0-d input is too small.)"""
    x = rng.standard_normal(shape).astype(np.float32)
    check_error(lambda t: getattr(F, name)(t, 0.5, True),
                lambda t: getattr(torch.nn.functional, name)(t, 0.5, True), x,
                match=["Feature dropout requires at least 2 dimensions in the input"])
    for p, training in ((0.5, False), (0.0, True), (1.0, True)):   # no mask drawn: no check
        check(lambda t, p=p, tr=training: getattr(F, name)(t, p, tr),
              lambda t, p=p, tr=training: getattr(torch.nn.functional, name)(t, p, tr), x)


def test_dropout3d_1d_input_is_one_channel_per_element():
    with pytest.warns(UserWarning, match="dropout3d"):
        y = F.dropout3d(ember.ones(1000), 0.5, True).numpy()
    assert set(np.unique(y)) == {0.0, 2.0}
