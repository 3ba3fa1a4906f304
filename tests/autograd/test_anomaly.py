"""detect_anomaly: a NaN produced in backward names the op and the user's line."""

import pytest
import torch

import ember


def test_nan_in_backward_names_op_and_line():
    a = ember.tensor([0.0], requires_grad=True)
    with ember.autograd.detect_anomaly():
        y = a / a   # LINE-MARK
        with pytest.raises(RuntimeError) as e:
            y.backward(ember.ones(1))
    ta = torch.tensor([0.0], requires_grad=True)
    with pytest.warns(UserWarning), torch.autograd.detect_anomaly():
        ty = ta / ta
        with pytest.raises(RuntimeError) as t:
            ty.backward(torch.ones(1))
    msg = str(e.value)
    assert str(t.value) in msg   # "Function 'DivBackward0' returned nan values in its 1th output."
    assert "test_anomaly.py:" in msg and "LINE-MARK" in msg
    assert not ember.autograd.is_anomaly_enabled()


def test_no_check_without_anomaly_mode():
    a = ember.tensor([0.0], requires_grad=True)
    (a / a).backward(ember.ones(1))
    assert a.grad.isnan().all() if hasattr(a.grad, "isnan") else a.grad.tolist() != [0.0]


def test_set_detect_anomaly():
    ember.autograd.set_detect_anomaly(True)
    try:
        assert ember.autograd.is_anomaly_enabled()
        a = ember.tensor([0.0], requires_grad=True)
        y = (a * 2) / a
        with pytest.raises(RuntimeError, match="DivBackward0"):
            y.backward(ember.ones(1))
    finally:
        ember.autograd.set_detect_anomaly(False)
    assert not ember.autograd.is_anomaly_enabled()
    with ember.autograd.set_detect_anomaly(True):
        assert ember.autograd.is_anomaly_enabled()
    assert not ember.autograd.is_anomaly_enabled()


def test_anomaly_in_user_function():
    class F(ember.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1

        @staticmethod
        def backward(ctx, g):
            return g * float("nan")

    a = ember.tensor([1.0], requires_grad=True)
    with ember.autograd.detect_anomaly():
        y = F.apply(a)
        with pytest.raises(RuntimeError, match="Function 'FBackward' returned nan values in "
                                               "its 0th output"):
            y.backward(ember.ones(1))
