"""Parameters <-> one flat vector (torch.nn.utils.convert_parameters)."""

from __future__ import annotations

from collections.abc import Iterable

from ..._tensor import Tensor

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """All parameters flattened and concatenated, in order (differentiable)
    (torch.nn.utils.parameters_to_vector)."""
    from ... import cat
    return cat([p.reshape(-1) for p in parameters])


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Copy consecutive slices of `vec` into the parameters' data
    (torch.nn.utils.vector_to_parameters)."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {type(vec).__name__}")
    pointer = 0
    for p in parameters:
        n = p.numel()
        chunk = vec[pointer:pointer + n]
        if chunk.numel() != n:
            raise RuntimeError(
                f"vector_to_parameters: vec has {vec.numel()} elements, fewer than the "
                f"parameters need (ran out at a parameter of shape {list(p.shape)})")
        p.data = chunk.view_as(p).data
        pointer += n
