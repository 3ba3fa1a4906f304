"""The forward-pre-hook nn.utils.weight_norm / remove_weight_norm and nn.utils.spectral_norm /
remove_spectral_norm against torch: parameter and buffer names, state_dict keys, outputs and
every parameter gradient, power-iteration buffers over training steps, removal, errors."""

import warnings

import numpy as np
import pytest
import torch

import ember
from ember.nn import utils as eu
from harness import assert_close_tensor, run_both, same_state
from harness import module_pair as make
from harness import state_to_ember as to_e

tu = torch.nn.utils


@pytest.mark.parametrize("layer,args,xshape", [("Linear", (5, 4), (3, 5)),
                                               ("Conv1d", (2, 3, 3), (2, 2, 6))])
@pytest.mark.parametrize("dim", [0, 1, None])
def test_weight_norm_hook(rng, layer, args, xshape, dim):
    tm, em = make(layer, *args, dtype=torch.float64)
    with pytest.warns(FutureWarning, match="parametrizations.weight_norm"):
        tu.weight_norm(tm, dim=dim)
    with pytest.warns(FutureWarning, match="parametrizations.weight_norm"):
        eu.weight_norm(em, dim=dim)
    assert [n for n, _ in em.named_parameters()] == ["bias", "weight_g", "weight_v"]
    assert list(em.state_dict()) == list(tm.state_dict())
    same_state(tm, em)
    assert_close_tensor(em.weight, tm.weight)
    for _ in range(2):
        run_both(tm, em, rng.standard_normal(xshape), rng)
        with torch.no_grad():
            for p in tm.parameters():
                p -= 0.1 * p.grad
        with ember.no_grad():
            for p in em.parameters():
                p -= 0.1 * p.grad
    tu.remove_weight_norm(tm)
    eu.remove_weight_norm(em)
    assert isinstance(em.weight, ember.nn.Parameter)
    assert [n for n, _ in em.named_parameters()] == [n for n, _ in tm.named_parameters()]
    assert not em._forward_pre_hooks and not em._has_hooks
    same_state(tm, em)
    run_both(tm, em, rng.standard_normal(xshape), rng)


def test_weight_norm_hook_errors():
    for lib, u in ((torch, tu), (ember, eu)):
        m = lib.nn.Linear(3, 2)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            u.weight_norm(m)
            with pytest.raises(RuntimeError, match="Cannot register two weight_norm hooks on "
                                                   "the same parameter weight"):
                u.weight_norm(m)
        with pytest.raises(ValueError, match="weight_norm of 'bias' not found in"):
            u.remove_weight_norm(m, "bias")


@pytest.mark.parametrize("layer,args,xshape", [("Linear", (6, 4), (3, 6)),
                                               ("Conv2d", (3, 5, 3), (2, 3, 6, 6)),
                                               ("ConvTranspose1d", (3, 4, 2), (2, 3, 5))])
@pytest.mark.parametrize("n_power_iterations", [1, 2])
def test_spectral_norm_hook_training(rng, layer, args, xshape, n_power_iterations):
    tm, em = make(layer, *args, dtype=torch.float64)
    tu.spectral_norm(tm, n_power_iterations=n_power_iterations)
    eu.spectral_norm(em, n_power_iterations=n_power_iterations)
    assert [n for n, _ in em.named_parameters()] == ["bias", "weight_orig"]
    assert [n for n, _ in em.named_buffers()] == ["weight_u", "weight_v"]
    assert list(em.state_dict()) == list(tm.state_dict())
    em.load_state_dict(to_e(tm.state_dict()))     # torch's initial u/v
    for _ in range(3):
        run_both(tm, em, rng.standard_normal(xshape), rng)
        same_state(tm, em, rtol=1e-7, atol=1e-9)
        with torch.no_grad():
            for p in tm.parameters():
                p -= 0.1 * p.grad
        with ember.no_grad():
            for p in em.parameters():
                p -= 0.1 * p.grad
    tm.eval()
    em.eval()
    u = em.weight_u.numpy().copy()
    run_both(tm, em, rng.standard_normal(xshape), rng)
    np.testing.assert_array_equal(em.weight_u.numpy(), u)
    tu.remove_spectral_norm(tm)
    eu.remove_spectral_norm(em)
    assert isinstance(em.weight, ember.nn.Parameter)
    assert not em._forward_pre_hooks and not em._state_dict_hooks
    assert not em._load_state_dict_pre_hooks
    same_state(tm, em, rtol=1e-7, atol=1e-9)
    run_both(tm, em, rng.standard_normal(xshape), rng)


def test_spectral_norm_hook_errors():
    for lib, u in ((torch, tu), (ember, eu)):
        m = lib.nn.Linear(3, 2)
        u.spectral_norm(m)
        with pytest.raises(RuntimeError, match="Cannot register two spectral_norm hooks on "
                                               "the same parameter weight"):
            u.spectral_norm(m)
        with pytest.raises(ValueError, match="spectral_norm of 'bias' not found in"):
            u.remove_spectral_norm(m, "bias")
        with pytest.raises(ValueError, match="Expected n_power_iterations to be positive"):
            u.spectral_norm(lib.nn.Linear(3, 2), n_power_iterations=0)
        with pytest.raises(ValueError, match="cannot be applied as parameter `bias` is None"):
            u.spectral_norm(lib.nn.Linear(3, 2, bias=False), "bias")


def test_spectral_norm_hook_loads_version0_state_dict(rng):
    tm, em = make("Linear", 5, 4, dtype=torch.float64)
    tu.spectral_norm(tm)
    eu.spectral_norm(em)
    tm(torch.from_numpy(rng.standard_normal((2, 5))))
    sd = tm.state_dict()
    sd["weight"] = tm.weight.detach().clone()      # the version-0 layout: weight, no weight_v
    del sd["weight_v"]
    del sd._metadata[""]["spectral_norm"]
    t2, e2 = make("Linear", 5, 4, dtype=torch.float64)
    tu.spectral_norm(t2)
    eu.spectral_norm(e2)
    t2.load_state_dict(sd)
    e2.load_state_dict(to_e(sd))
    same_state(t2, e2, rtol=1e-6, atol=1e-8)
    t2.eval()
    e2.eval()
    run_both(t2, e2, rng.standard_normal((3, 5)), rng)
