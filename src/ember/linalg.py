"""`ember.linalg`, as `torch.linalg`: norms, products (matmul, vecdot, multi_dot, cross),
inv, det, slogdet, solve, matrix_power, matrix_rank, pinv and the decompositions cholesky, qr,
svd/svdvals and eigh/eigvalsh, with LinAlgError for singular or non-positive-definite input."""

from ._out import wrap_namespace as _wrap_out
from .ops.linalg import linalg_exports as _exports

globals().update(_exports())
_wrap_out(globals())   # torch's out=
