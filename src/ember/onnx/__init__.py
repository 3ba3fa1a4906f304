"""`ember.onnx`: export ember models to ONNX (torch.onnx.export) and run ONNX files as ember
Modules (`load`). Needs the `onnx` package (`pip install ember[onnx]`), imported on first use."""

from ._graph import OnnxExporterError, UnsupportedOperatorError
from .export import ExportReport, export
from .load import load

__all__ = ["export", "load", "ExportReport", "OnnxExporterError", "UnsupportedOperatorError"]
