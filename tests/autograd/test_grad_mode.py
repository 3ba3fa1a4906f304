"""Grad modes against torch: no_grad, enable_grad, set_grad_enabled, inference_mode, threads."""

import threading

import pytest
import torch

import ember


@pytest.mark.parametrize("lib", [ember, torch])
def test_modes_as_context_managers(lib):
    x = lib.ones(2, requires_grad=True)
    with lib.no_grad():
        assert not lib.is_grad_enabled()
        y = x * 2
        with lib.enable_grad():
            assert lib.is_grad_enabled()
            z = x * 2
        assert not lib.is_grad_enabled()
    assert lib.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None
    assert z.requires_grad and z.grad_fn is not None
    with lib.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert lib.is_grad_enabled()
    with lib.inference_mode():
        assert not lib.is_grad_enabled() and lib.is_inference_mode_enabled()
        assert not (x * 2).requires_grad
    with lib.inference_mode(False):
        assert lib.is_grad_enabled() and not lib.is_inference_mode_enabled()
    assert lib.is_grad_enabled() and not lib.is_inference_mode_enabled()


@pytest.mark.parametrize("lib", [ember, torch])
def test_set_grad_enabled_plain_call(lib):
    lib.set_grad_enabled(False)
    try:
        assert not lib.is_grad_enabled()
    finally:
        lib.set_grad_enabled(True)
    assert lib.is_grad_enabled()


@pytest.mark.parametrize("lib", [ember, torch])
def test_decorators(lib):
    x = lib.ones(2, requires_grad=True)

    @lib.no_grad()
    def f():
        return x * 2, lib.is_grad_enabled()

    @lib.no_grad()
    def gen():
        yield lib.is_grad_enabled()
        yield lib.is_grad_enabled()

    @lib.set_grad_enabled(False)
    def h():
        return lib.is_grad_enabled()

    @lib.inference_mode()
    def k():
        return lib.is_grad_enabled()

    @lib.enable_grad()
    def m():
        return lib.is_grad_enabled()

    y, on = f()
    assert not y.requires_grad and not on
    assert lib.is_grad_enabled()
    assert list(gen()) == [False, False]
    assert lib.is_grad_enabled()
    assert h() is False and lib.is_grad_enabled()
    assert k() is False and lib.is_grad_enabled()
    with lib.no_grad():
        assert m() is True
        assert not lib.is_grad_enabled()


@pytest.mark.parametrize("lib", [ember, torch])
def test_bare_no_grad_decorator(lib):
    # torch also accepts @no_grad without the call parentheses
    @lib.no_grad
    def f():
        return lib.is_grad_enabled()
    assert f() is False


@pytest.mark.parametrize("lib", [ember, torch])
def test_mode_restored_after_exception(lib):
    with pytest.raises(ValueError):
        with lib.no_grad():
            raise ValueError
    assert lib.is_grad_enabled()


@pytest.mark.parametrize("lib", [ember, torch])
def test_grad_mode_is_per_thread(lib):
    seen = []
    with lib.no_grad():
        t = threading.Thread(target=lambda: seen.append(lib.is_grad_enabled()))
        t.start()
        t.join()
        assert not lib.is_grad_enabled()
    assert seen == [True]


def test_backward_inside_no_grad_still_works():
    x = ember.tensor([2.0], requires_grad=True)
    y = x * x
    with ember.no_grad():
        y.backward(ember.ones(1))
    assert x.grad.tolist() == [4.0]


def test_nonleaf_requires_grad_mismatch_under_no_grad():
    x = ember.tensor([2.0], requires_grad=True)
    with ember.no_grad():
        y = x * 2
    assert y.is_leaf and not y.requires_grad


@pytest.mark.parametrize("lib", [ember, torch])
def test_bare_inference_mode_decorator(lib):
    @lib.inference_mode
    def f():
        return lib.is_grad_enabled()
    assert f() is False and lib.is_grad_enabled()
