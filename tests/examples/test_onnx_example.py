"""examples/onnx_export.py runs and prints matching outputs."""

import os
import subprocess
import sys

import pytest

pytest.importorskip("onnxruntime")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_onnx_example():
    out = subprocess.run([sys.executable, os.path.join(ROOT, "examples", "onnx_export.py")],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "linear_regression" in out.stdout and "mlp" in out.stdout and "cnn" in out.stdout
    assert "onnxruntime" in out.stdout
