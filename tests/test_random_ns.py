"""ember.random (torch.random): seeding, state save/restore and fork_rng."""

import inspect

import pytest
import torch

import ember
import ember.random as R
from ember import _backend


def test_namespace_matches_torch():
    for name in ("manual_seed", "seed", "initial_seed", "get_rng_state", "set_rng_state",
                 "fork_rng", "default_generator", "Generator"):
        assert hasattr(torch.random, name)
        assert hasattr(R, name)
    assert R.default_generator is _backend.default_generator
    assert R.Generator is ember.Generator
    assert list(inspect.signature(R.fork_rng).parameters) == list(
        inspect.signature(torch.random.fork_rng).parameters)
    assert ember.random is R


def test_stdlib_random_not_shadowed():
    import random

    import ember.utils.data._worker as worker
    assert worker.random is random
    assert hasattr(random, "randrange")


def test_manual_seed_and_initial_seed():
    g = R.manual_seed(123)
    assert g is R.default_generator
    assert R.initial_seed() == 123 == ember.initial_seed()
    a = ember.rand(5)
    R.manual_seed(123)
    b = ember.rand(5)
    assert (a.numpy() == b.numpy()).all()
    ember.manual_seed(9)
    assert R.initial_seed() == 9


def test_seed_is_random_and_recorded():
    s1 = R.seed()
    assert isinstance(s1, int) and R.initial_seed() == s1
    s2 = ember.seed()
    assert s1 != s2 and ember.initial_seed() == s2


def test_get_set_rng_state():
    R.manual_seed(5)
    state = R.get_rng_state()
    assert state.dtype == ember.uint8 and state.ndim == 1
    a = ember.randn(4)
    R.set_rng_state(state)
    b = ember.randn(4)
    assert (a.numpy() == b.numpy()).all()
    with pytest.raises(TypeError, match="set_rng_state"):
        R.set_rng_state([1, 2, 3])


def test_fork_rng_restores_state():
    R.manual_seed(11)
    before = R.get_rng_state()
    with R.fork_rng():
        ember.rand(10)
        R.manual_seed(99)
        ember.randn(3)
    after = R.get_rng_state()
    assert before.numpy().tobytes() == after.numpy().tobytes()
    assert R.initial_seed() == 11
    expected = ember.rand(3)
    R.manual_seed(11)
    assert (ember.rand(3).numpy() == expected.numpy()).all()


def test_fork_rng_restores_on_error():
    R.manual_seed(3)
    before = R.get_rng_state()
    with pytest.raises(ValueError, match="boom"), R.fork_rng(devices=[]):
        ember.rand(4)
        raise ValueError("boom")
    assert R.get_rng_state().numpy().tobytes() == before.numpy().tobytes()


def test_fork_rng_disabled_and_meta():
    for kwargs in ({"enabled": False}, {"device_type": "meta"}):
        R.manual_seed(4)
        before = R.get_rng_state()
        with R.fork_rng(**kwargs):
            ember.rand(4)
        assert R.get_rng_state().numpy().tobytes() != before.numpy().tobytes()


def test_fork_rng_errors_like_cpu_torch():
    for lib in (torch.random, R):
        with pytest.raises(AssertionError), lib.fork_rng(devices=[0]):
            pass
        with pytest.raises(RuntimeError, match="foo"), lib.fork_rng(device_type="foo"):
            pass
    with R.fork_rng(device_type="cuda"):
        ember.rand(2)
