"""`ember.linalg`: norms (and more linear algebra as it lands), as `torch.linalg`."""

from .ops.linalg import linalg_exports as _exports

globals().update(_exports())
