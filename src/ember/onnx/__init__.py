"""`ember.onnx` (being written)."""
