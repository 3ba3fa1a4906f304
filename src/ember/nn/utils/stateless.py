"""`ember.nn.utils.stateless`: call a module with other parameters and buffers
(torch.nn.utils.stateless / torch.func.functional_call)."""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator
from typing import Any

from ..._tensor import Tensor
from ..module import Module

__all__ = ["functional_call"]

_MISSING: Any = object()


def _swap_tensor(module: Module, name: str, tensor: Any) -> Any:
    # torch's swap_tensor(allow_missing=True), keeping ember's __dict__ mirror in sync.
    if tensor is not _MISSING and tensor is not None and not isinstance(tensor, Tensor):
        raise TypeError(f"{tensor} is not an instance of torch.Tensor")
    d = module.__dict__
    for store in (module._parameters, module._buffers):
        if name in store:
            orig = store[name]
            if tensor is _MISSING:
                del store[name]
                d.pop(name, None)
            else:
                store[name] = tensor
                d[name] = tensor
            return orig
    orig = getattr(module, name) if hasattr(module, name) else _MISSING
    if orig is not _MISSING and orig is not None and not isinstance(orig, Tensor):
        raise TypeError(f"attribute `{name}`: {orig} is not an instance of torch.Tensor")
    if tensor is not _MISSING:
        setattr(module, name, tensor)
    elif hasattr(module, name):
        delattr(module, name)
    return orig


def _get_submodule(root: Module, path: str) -> Module:
    module = root
    for attr in path.split(".") if path else ():
        try:
            sub = getattr(module, attr)
        except AttributeError as ex:
            raise AttributeError(f"{module._get_name()} has no attribute `{attr}`") from ex
        if not isinstance(sub, Module):
            raise TypeError(f"{sub!r} is not an instance of torch.nn.Module")
        module = sub
    return module


def _swap_all(root: Module, named: dict) -> dict:
    orig: dict = {}
    try:
        for name, tensor in named.items():
            path, _, attr = name.rpartition(".")
            if "" in name.split("."):
                raise KeyError('tensor name can\'t be empty string ""')
            orig[name] = _swap_tensor(_get_submodule(root, path), attr, tensor)
    except Exception:
        for name, t in orig.items():
            path, _, attr = name.rpartition(".")
            _swap_tensor(_get_submodule(root, path), attr, t)
        raise
    return orig


def _untie_named_tensors_map(module: Module, parameters_and_buffers: dict) -> dict:
    all_named: dict = {}
    all_named.update(module.named_parameters(remove_duplicate=False))
    all_named.update(module.named_buffers(remove_duplicate=False))
    tied_by_tensor: dict = {}
    for name, tensor in all_named.items():
        tied_by_tensor.setdefault(id(tensor), set()).add(name)
    tied_names_map = {n: names for names in tied_by_tensor.values() if len(names) > 1
                      for n in names}
    given = set(parameters_and_buffers)
    given_tied = {n for n in given if n in tied_names_map}
    for name in given_tied:
        tied = tied_names_map[name]
        if (len(tied & given_tied) > 1
                and len({id(parameters_and_buffers[n]) for n in tied & given_tied}) != 1):
            raise ValueError(
                f"functional_call got multiple values for keys {sorted(tied)}, "
                "which are tied. Consider using tie_weights=False")
    untied = dict(parameters_and_buffers)
    for name in given_tied:
        for tied_name in tied_names_map[name]:
            untied[tied_name] = parameters_and_buffers[name]
    return untied


@contextlib.contextmanager
def _reparametrize_module(module: Module, parameters_and_buffers: dict,
                          tie_weights: bool = False, strict: bool = False) -> Iterator[None]:
    named = (_untie_named_tensors_map(module, parameters_and_buffers) if tie_weights
             else parameters_and_buffers)
    if strict:
        valid = {n for n, _ in module.named_parameters(remove_duplicate=False)} | {
            n for n, _ in module.named_buffers(remove_duplicate=False)}
        keys = set(named)
        errors = []
        if keys - valid:
            errors.append(f"Unexpected key(s): {', '.join(map(repr, sorted(keys - valid)))}.")
        if valid - keys:
            errors.append(f"Missing key(s): {', '.join(map(repr, sorted(valid - keys)))}.")
        if errors:
            raise RuntimeError("Error(s) in reparametrizing for {}:\n\t{}".format(
                module._get_name(), "\n\t".join(errors)))
    orig: dict = {}
    try:
        orig = _swap_all(module, named)
        yield
    finally:
        new = _swap_all(module, orig)
        parameters_and_buffers.update(
            {k: new[k] for k in parameters_and_buffers if k in new})


def _functional_call(module: Module, parameters_and_buffers: dict, args: Any = None,
                     kwargs: dict | None = None, *, tie_weights: bool = True,
                     strict: bool = False) -> Any:
    if kwargs is None:
        kwargs = {}
    if args is None:
        args = ()
    elif not isinstance(args, tuple):
        args = (args,)
    with _reparametrize_module(module, parameters_and_buffers, tie_weights=tie_weights,
                               strict=strict):
        return module(*args, **kwargs)


def functional_call(module: Module, parameters_and_buffers: dict, args: Any = None,
                    kwargs: dict | None = None, *, tie_weights: bool = True,
                    strict: bool = False) -> Any:
    """Run `module(*args, **kwargs)` with its parameters and buffers replaced by the given
    ones, restored afterwards (torch.nn.utils.stateless.functional_call)."""
    warnings.warn(
        "`torch.nn.utils.stateless.functional_call` is deprecated as of PyTorch 2.0 and will be "
        "removed in a future version of PyTorch. Please use `torch.func.functional_call` "
        "instead which is a drop-in replacement.", FutureWarning, stacklevel=2)
    return _functional_call(module, parameters_and_buffers, args, kwargs,
                            tie_weights=tie_weights, strict=strict)
