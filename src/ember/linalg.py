"""`ember.linalg`, as `torch.linalg`: norms, products (matmul, vecdot, multi_dot, cross),
inv, det, slogdet, solve, solve_triangular, lstsq, matrix_power, matrix_exp, matrix_rank, cond,
pinv, tensorinv, tensorsolve, vander, the decompositions cholesky, qr, svd/svdvals, eigh/eigvalsh
and lu/lu_factor (with lu_solve), the *_ex forms (inv_ex, solve_ex, cholesky_ex, lu_factor_ex)
that report failures in info, and LinAlgError for singular or non-positive-definite input."""

from ._out import wrap_namespace as _wrap_out
from .ops.linalg import linalg_exports as _exports

globals().update(_exports())
_wrap_out(globals())   # torch's out=
