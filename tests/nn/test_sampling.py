"""Resampling (interpolate, shuffles, unfold/fold, grid_sample, affine_grid) against torch."""
# ruff: noqa: B023  (the lambdas are called before the loop moves on)

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import ember
import ember.nn.functional as F
from harness import check, check_error, check_gradcheck

MODES = {1: ["nearest", "nearest-exact", "linear", "area"],
         2: ["nearest", "nearest-exact", "bilinear", "bicubic", "area"],
         3: ["nearest", "nearest-exact", "trilinear", "area"]}
CASES = [(nd, m) for nd, ms in MODES.items() for m in ms]


@pytest.mark.parametrize("nd,mode", CASES)
def test_interpolate(nd, mode, rng):
    x = rng.standard_normal((2, 3) + (5, 7, 4)[:nd]).astype(np.float32)
    acs = [None] if mode in ("nearest", "nearest-exact", "area") else [False, True]
    for ac in acs:
        for kw in (dict(size=(9, 4, 6)[:nd]), dict(scale_factor=1.7),
                   dict(scale_factor=(2.5, 0.6, 3.0)[:nd]),
                   dict(scale_factor=1.7, recompute_scale_factor=True),
                   dict(size=(3, 14, 8)[:nd])):
            check(lambda t: F.interpolate(t, mode=mode, align_corners=ac, **kw),
                  lambda t: TF.interpolate(t, mode=mode, align_corners=ac, **kw), x, rng=rng,
                  rtol=1e-4, atol=1e-5)


def test_upsample_modules(rng):
    x = rng.standard_normal((2, 3, 4, 5)).astype(np.float32)
    for args, kw in (((), dict(scale_factor=2)), ((), dict(size=(7, 3), mode="bilinear")),
                     ((), dict(scale_factor=(1.5, 2.0), mode="bicubic", align_corners=True))):
        e, t = ember.nn.Upsample(*args, **kw), torch.nn.Upsample(*args, **kw)
        assert repr(e) == repr(t)
        check(e, t, x, rng=rng, rtol=1e-4, atol=1e-5)
    for name in ("UpsamplingNearest2d", "UpsamplingBilinear2d"):
        e, t = getattr(ember.nn, name)(scale_factor=2), getattr(torch.nn, name)(scale_factor=2)
        assert repr(e) == repr(t)
        check(e, t, x, rng=rng, rtol=1e-4, atol=1e-5)


def test_shuffles(rng):
    x = rng.standard_normal((2, 8, 4, 6)).astype(np.float32)
    for name, arg in (("PixelShuffle", 2), ("PixelUnshuffle", 2), ("ChannelShuffle", 4)):
        e, t = getattr(ember.nn, name)(arg), getattr(torch.nn, name)(arg)
        assert repr(e) == repr(t)
        check(e, t, x, rng=rng)
    check(lambda t: F.pixel_shuffle(t, 2), lambda t: TF.pixel_shuffle(t, 2), x[0], rng=rng)


@pytest.mark.parametrize("kw", [dict(kernel_size=2), dict(kernel_size=(2, 3), dilation=(2, 1),
                                                          padding=1, stride=(2, 1)),
                                dict(kernel_size=3, padding=(0, 2), stride=2)])
def test_unfold_fold(kw, rng):
    x = rng.standard_normal((2, 3, 7, 6))
    e, t = ember.nn.Unfold(**kw), torch.nn.Unfold(**kw)
    assert repr(e) == repr(t)
    check(e, t, x, rng=rng)
    check(e, t, x[0], rng=rng)
    u = TF.unfold(torch.from_numpy(x), **kw).numpy()
    e, t = ember.nn.Fold((7, 6), **kw), torch.nn.Fold((7, 6), **kw)
    assert repr(e) == repr(t)
    check(e, t, u, rng=rng)
    check_gradcheck(lambda a: F.fold(F.unfold(a, **kw), (7, 6), **kw), x[:1, :1],
                    gradgrad=True)


@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
@pytest.mark.parametrize("pm", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("ac", [False, True])
def test_grid_sample(mode, pm, ac, rng):
    x = rng.standard_normal((2, 3, 5, 6))
    g = rng.uniform(-1.3, 1.3, (2, 4, 3, 2))
    if mode == "bilinear":
        check(lambda a, b: F.grid_sample(a, b, mode, pm, ac),
              lambda a, b: TF.grid_sample(a, b, mode, pm, ac), x, g, rng=rng)
        x3, g3 = rng.standard_normal((1, 2, 3, 4, 5)), rng.uniform(-1.3, 1.3, (1, 2, 3, 2, 3))
        check(lambda a, b: F.grid_sample(a, b, mode, pm, ac),
              lambda a, b: TF.grid_sample(a, b, mode, pm, ac), x3, g3, rng=rng)
    else:
        check(lambda a: F.grid_sample(a, ember.tensor(g), mode, pm, ac),
              lambda a: TF.grid_sample(a, torch.from_numpy(g), mode, pm, ac), x, rng=rng)


@pytest.mark.parametrize("ac", [False, True])
def test_affine_grid(ac, rng):
    check(lambda t: F.affine_grid(t, (2, 3, 4, 5), ac),
          lambda t: TF.affine_grid(t, (2, 3, 4, 5), ac), rng.standard_normal((2, 2, 3)),
          rng=rng)
    check(lambda t: F.affine_grid(t, (2, 3, 4, 5, 6), ac),
          lambda t: TF.affine_grid(t, (2, 3, 4, 5, 6), ac), rng.standard_normal((2, 3, 4)),
          rng=rng)


def test_gradcheck(rng):
    x = rng.standard_normal((1, 2, 3, 4))
    for mode, ac in (("bilinear", True), ("bicubic", False), ("nearest", None)):
        check_gradcheck(lambda t: F.interpolate(t, size=(5, 3), mode=mode, align_corners=ac),
                        x, gradgrad=True)
    check_gradcheck(lambda t: F.pixel_shuffle(t, 1), x)


@pytest.mark.parametrize("fn,shape,kw", [
    ("interpolate", (2, 3, 4), dict(size=0)),
    ("interpolate", (2, 3, 4), dict(size=(3, 3))),
    ("interpolate", (2, 3, 4), dict()),
    ("interpolate", (2, 3, 4), dict(size=3, scale_factor=2)),
    ("interpolate", (2, 3, 4), dict(size=3, align_corners=True)),
    ("interpolate", (2, 3, 4), dict(scale_factor=2, mode="bilinear")),
    ("unfold", (1, 2, 3, 4, 5), dict(kernel_size=2)),
    ("fold", (1, 5, 9), dict(output_size=(4, 4), kernel_size=2)),
    ("fold", (1, 8, 8), dict(output_size=(4, 4), kernel_size=2)),
    ("channel_shuffle", (2, 3, 4), dict(groups=2)),
    ("pixel_shuffle", (4, 4), dict(upscale_factor=2)),
    ("pixel_unshuffle", (1, 3, 5, 4), dict(downscale_factor=2)),
    ("grid_sample", (2, 3, 4), dict(grid=np.zeros((2, 3, 2)), align_corners=False)),
])
def test_errors(fn, shape, kw, rng):
    x = rng.standard_normal(shape).astype(np.float32)
    ekw = {k: ember.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
    tkw = {k: torch.from_numpy(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
    check_error(lambda t: getattr(F, fn)(t, **ekw), lambda t: getattr(TF, fn)(t, **tkw), x)
