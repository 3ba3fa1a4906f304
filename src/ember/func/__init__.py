"""Function transforms as `torch.func`: `grad`, `grad_and_value`, `vjp`, `jvp`, `jacrev`,
`jacfwd`, `hessian`, `functional_call` and `vmap`.

ember has no functorch levels: every transform runs the function once on fresh leaves and
differentiates it with `ember.autograd.grad` (forward products with the double-vjp trick).
Transforms nest (`grad(grad(f))`, `jacfwd(jacrev(f))`, `vmap(grad(f))`) because the gradients
are built with `create_graph=True` whenever grad mode is on; a result that depends only on the
transform's own leaves is detached on the way out, one that depends on tensors from outside
(an enclosing transform's leaves, tensors that require grad) keeps its graph, as torch's
results stay differentiable for the levels around them. `vmap` is a Python loop over the
mapped dimension whose results are stacked, not a batching transform.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .. import _backend, _tensor
from ..autograd import grad as _autograd_grad_fn
from ..autograd.grad_mode import enable_grad, is_grad_enabled
from ..nn.utils.stateless import _functional_call

__all__ = ["grad", "grad_and_value", "vjp", "jvp", "jacrev", "jacfwd", "hessian",
           "functional_call", "vmap"]

Tensor = _tensor.Tensor


# ---------------------------------------------------------------------------------- pytrees
class _Spec:
    """The structure of nested tuples, namedtuples, lists and dicts; leaves are everything
    else (None included, as torch.func treats it)."""

    __slots__ = ("kind", "keys", "children")

    def __init__(self, kind: type | None, keys: Any = None, children: tuple = ()) -> None:
        self.kind, self.keys, self.children = kind, keys, children

    @property
    def num_leaves(self) -> int:
        return 1 if self.kind is None else sum(c.num_leaves for c in self.children)

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, _Spec) and self.kind is other.kind and self.keys == other.keys
                and self.children == other.children)

    def __hash__(self) -> int:
        return hash((self.kind, self.children))

    def __repr__(self) -> str:
        if self.kind is None:
            return "*"
        keys = None if self.keys is None else list(self.keys)
        return (f"TreeSpec({self.kind.__name__}, {keys}, "
                f"[{', '.join(map(repr, self.children))}])")

    def pprint(self) -> str:
        if self.kind is None:
            return "*"
        parts = [c.pprint() for c in self.children]
        if issubclass(self.kind, dict):
            return "{" + ", ".join(f"{k!r}: {p}" for k, p in zip(self.keys, parts)) + "}"
        if self.kind is list:
            return "[" + ", ".join(parts) + "]"
        return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"


_LEAF = _Spec(None)


def _flatten(tree: Any) -> tuple[list, _Spec]:
    leaves: list = []

    def rec(t: Any) -> _Spec:
        if isinstance(t, dict):
            keys = tuple(t)
            return _Spec(type(t), keys, tuple(rec(t[k]) for k in keys))
        if type(t) in (tuple, list) or (isinstance(t, tuple) and hasattr(t, "_fields")):
            return _Spec(type(t), None, tuple(rec(c) for c in t))
        leaves.append(t)
        return _LEAF

    spec = rec(tree)
    return leaves, spec


def _unflatten(leaves: Sequence, spec: _Spec) -> Any:
    it = iter(leaves)

    def rec(s: _Spec) -> Any:
        if s.kind is None:
            return next(it)
        children = [rec(c) for c in s.children]
        if issubclass(s.kind, dict):
            return s.kind(zip(s.keys, children))
        if hasattr(s.kind, "_fields"):   # namedtuple
            return s.kind(*children)
        return s.kind(children)

    return rec(spec)


def _tree_map(fn: Callable, tree: Any) -> Any:
    leaves, spec = _flatten(tree)
    return _unflatten([fn(x) for x in leaves], spec)


def _broadcast_to_and_flatten(prefix: Any, spec: _Spec) -> list | None:
    """Flatten `prefix` (a tree whose leaves stand for whole subtrees of `spec`) to one value
    per leaf of `spec`; None when the structures do not match."""
    if not isinstance(prefix, (tuple, list, dict)):
        return [prefix] * spec.num_leaves
    if spec.kind is None or type(prefix) is not spec.kind:
        return None
    if isinstance(prefix, dict):
        if set(prefix) != set(spec.keys):
            return None
        items = [prefix[k] for k in spec.keys]
    else:
        if len(prefix) != len(spec.children):
            return None
        items = list(prefix)
    out: list = []
    for p, child in zip(items, spec.children):
        flat = _broadcast_to_and_flatten(p, child)
        if flat is None:
            return None
        out.extend(flat)
    return out


# ------------------------------------------------------------------------ levels emulation
def _create_differentiable(x: Any) -> Tensor:
    if not isinstance(x, Tensor):
        raise ValueError(f"Thing passed to transform API must be Tensor, got {type(x)}")
    if x.requires_grad and is_grad_enabled():
        return x.view_as(x)
    return x.detach().requires_grad_(True)


def _reaches_outside(t: Tensor, own: set) -> bool:
    """Whether t's graph reaches a tensor requiring grad other than the transform's own
    fresh leaves (so t must stay differentiable for an enclosing level)."""
    if t.grad_fn is None:
        return t.requires_grad and id(t) not in own
    seen = set()
    todo = [t.grad_fn]
    while todo:
        node = todo.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        for edge in node._next:
            if edge is None:
                continue
            nxt = edge[0]
            if isinstance(nxt, Tensor):
                if id(nxt) not in own:
                    return True
            else:
                todo.append(nxt)
    return False


def _unwrap(tree: Any, own: set) -> Any:
    return _tree_map(lambda t: t.detach() if isinstance(t, Tensor) and t.requires_grad
                     and not _reaches_outside(t, own) else t, tree)


def _own_ids(diff_leaves: Sequence) -> set:
    return {id(x) for x in diff_leaves if x.grad_fn is None}


def _grads(outputs: Sequence, inputs: Sequence, grad_outputs: Sequence | None,
           create_graph: bool, retain_graph: bool = True) -> list:
    """autograd.grad that skips outputs not requiring grad and fills zeros for unused
    inputs (the mathematical value torch.func returns)."""
    from .. import zeros_like
    if grad_outputs is None:
        grad_outputs = [None] * len(outputs)
    kept = [(o, g) for o, g in zip(outputs, grad_outputs) if o.requires_grad]
    res: Sequence = [None] * len(inputs)
    if kept:
        res = _autograd_grad_fn([o for o, _ in kept], list(inputs), [g for _, g in kept],
                                retain_graph=retain_graph, create_graph=create_graph,
                                allow_unused=True)
    return [zeros_like(x) if r is None else r for r, x in zip(res, inputs)]


# ---------------------------------------------------------------------------------- argnums
def _validate_argnum(argnum: Any, num_args: int) -> int:
    if not isinstance(argnum, int):
        raise RuntimeError(f"argnum must be int, got: {type(argnum)}")
    if 0 <= argnum < num_args:
        return argnum
    if -num_args <= argnum < 0:
        return argnum + num_args
    raise RuntimeError(f"Got argnum={argnum}, but only {num_args} positional inputs")


def _wrap_argnums(argnums: Any, num_args: int) -> int | tuple:
    if not isinstance(argnums, (int, tuple)):
        raise RuntimeError(f"argnums must be int or Tuple[int, ...], got: {type(argnums)}")
    if isinstance(argnums, int):
        return _validate_argnum(argnums, num_args)
    wrapped = tuple(_validate_argnum(a, num_args) for a in argnums)
    if not wrapped:
        raise RuntimeError("argnums must be non-empty")
    if len(set(wrapped)) != len(wrapped):
        raise RuntimeError(f"argnums elements must be unique, got {argnums}")
    return wrapped


def _prepare_args(args: tuple, argnums: Any) -> tuple[tuple, Any, list]:
    """Replace the arguments at argnums by fresh differentiable leaves; return the new
    args, the differentiated part (an arg, or a tuple of args) and its flat leaves."""
    argnums = _wrap_argnums(argnums, len(args))
    nums = (argnums,) if isinstance(argnums, int) else argnums
    new = list(args)
    for i in nums:
        new[i] = _tree_map(_create_differentiable, args[i])
    diff = new[argnums] if isinstance(argnums, int) else tuple(new[i] for i in nums)
    return tuple(new), diff, _flatten(diff)[0]


def _split_aux(out: Any, has_aux: bool, api: str) -> tuple[Any, Any]:
    if not has_aux:
        return out, None
    if not (isinstance(out, tuple) and len(out) == 2):
        raise RuntimeError(f"{api}: output of function f should be a tuple: (output, aux) "
                           "if has_aux is True")
    return out


# ----------------------------------------------------------------------- grad, vjp, jvp
def grad_and_value(func: Callable, argnums: int | tuple[int, ...] = 0,
                   has_aux: bool = False) -> Callable:
    """A function returning (gradient, value) of a scalar func (torch.func.grad_and_value)."""
    api = "grad_and_value(f)(*args)"

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        create_graph = is_grad_enabled()
        with enable_grad():
            new_args, diff, leaves = _prepare_args(args, argnums)
            own = _own_ids(leaves)
            output, aux = _split_aux(func(*new_args, **kwargs), has_aux, api)
            if not isinstance(output, Tensor):
                raise RuntimeError(f"{api}: Expected f(*args) to return a Tensor, got "
                                   f"{type(output)}")
            if output.dim() != 0:
                raise RuntimeError(
                    f"{api}: Expected f(*args) to return a scalar Tensor, got tensor with "
                    f"{output.dim()} dims. Maybe you wanted to use the vjp or jacrev APIs "
                    "instead?")
            flat = _grads([output], leaves, None, create_graph)
        _, spec = _flatten(diff)
        g = _unwrap(_unflatten(flat, spec), own)
        value = _unwrap(output, own)
        if has_aux:
            return g, (value, _unwrap(aux, own))
        return g, value

    return wrapper


def grad(func: Callable, argnums: int | tuple[int, ...] = 0, has_aux: bool = False) -> Callable:
    """A function returning the gradient of a scalar func w.r.t. the args at argnums
    (torch.func.grad)."""
    inner = grad_and_value(func, argnums, has_aux)

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        g, value = inner(*args, **kwargs)
        return (g, value[1]) if has_aux else g

    return wrapper


def vjp(func: Callable, *primals: Any, has_aux: bool = False) -> tuple:
    """Return (func(*primals), vjp_fn[, aux]); vjp_fn(cotangents) gives the vector-Jacobian
    products for every primal (torch.func.vjp)."""
    api = "vjp(f, *primals)"
    with enable_grad():
        diff = tuple(_tree_map(_create_differentiable, p) for p in primals)
        leaves, primals_spec = _flatten(diff)
        own = _own_ids(leaves)
        out, aux = _split_aux(func(*diff), has_aux, api)
        flat_out, out_spec = _flatten(out)
        if not flat_out or (len(flat_out) == 1 and flat_out[0] is None):
            raise RuntimeError(f"{api}: Expected f to be a function that has non-empty output "
                               f"(got output = {flat_out})")
        for o in flat_out:
            if not isinstance(o, Tensor):
                raise RuntimeError(f"{api}: expected f(*primals) to return only tensors, got "
                                   f"unsupported type {type(o)}")
            if not o.is_floating_point():
                raise RuntimeError("vjp(f, ...): All outputs of f must be floating-point or "
                                   f"complex Tensors, got Tensor with dtype {o.dtype}")

    def vjp_fn(cotangents: Any, retain_graph: bool = True,
               create_graph: bool | None = None) -> tuple:
        if create_graph is None:
            create_graph = is_grad_enabled()
        flat_cot, cot_spec = _flatten(cotangents)
        if cot_spec != out_spec:
            raise RuntimeError(
                "Expected pytree structure of cotangents to be the same as pytree structure of "
                f"outputs to the function. cotangents: {cot_spec.pprint()}, primal output: "
                f"{out_spec.pprint()}")
        for i, (c, o) in enumerate(zip(flat_cot, flat_out)):
            if tuple(c.shape) != tuple(o.shape):
                raise RuntimeError(
                    f"Mismatch in shape: grad_output[{i}] has a shape of {c.shape} and "
                    f"output[{i}] has a shape of {o.shape}.")
        res = _grads(flat_out, leaves, flat_cot, create_graph, retain_graph)
        return _unwrap(_unflatten(res, primals_spec), own)

    results = _unwrap(out, own)
    if has_aux:
        return results, vjp_fn, _unwrap(aux, own)
    return results, vjp_fn


def jvp(func: Callable, primals: Any, tangents: Any, *, strict: bool = False,
        has_aux: bool = False) -> tuple:
    """Return (func(*primals), J @ tangents[, aux]), computed with the double-vjp trick
    (torch.func.jvp)."""
    from .. import zeros_like
    api = "jvp(f, primals, tangents)"
    if not isinstance(primals, tuple):
        raise RuntimeError(f"{api}: Expected primals to be a tuple. E.g. it should be valid to "
                           "call f(*primals).")
    flat_p, p_spec = _flatten(primals)
    flat_t, t_spec = _flatten(tangents)
    if p_spec != t_spec:
        raise RuntimeError(
            f"{api}: Expected primals and tangents to have the same python structure. For "
            "example, if primals is a tuple of 3 tensors, tangents also must be. Got primals "
            f"with structure {p_spec} and tangents with structure {t_spec}")
    for name, flat in (("primals", flat_p), ("tangents", flat_t)):
        if not flat:
            raise RuntimeError(f"{api}: Expected {name} to contain at least one Tensor.")
        for x in flat:
            if not isinstance(x, Tensor):
                raise RuntimeError(f"{api}: Expected {name} to only contain Tensors, got "
                                   f"{type(x)}")
    for p, t in zip(flat_p, flat_t):
        if tuple(p.shape) != tuple(t.shape):
            raise RuntimeError(
                "Trying to set a forward gradient that has a different size than that of the "
                "original Tensor, this is not supported. Tensor is of size "
                f"{list(p.shape)} while the given forward gradient is of size "
                f"{list(t.shape)}.")
    create_graph = is_grad_enabled()
    with enable_grad():
        leaves = [_create_differentiable(p) for p in flat_p]
        own = _own_ids(leaves)
        out, aux = _split_aux(func(*_unflatten(leaves, p_spec)), has_aux, api)
        flat_out, out_spec = _flatten(out)
        for o in flat_out:
            if not isinstance(o, Tensor):
                raise RuntimeError(f"{api}: expected f(*args) to return only tensors, got "
                                   f"unsupported type {type(o)}")
        if strict and not any(o.requires_grad for o in flat_out):
            raise RuntimeError("jvp(f, primals, tangents, strict=True): The output of f is "
                               "independent of the inputs. This is not allowed with "
                               "strict=True.")
        dummies = [zeros_like(o, requires_grad=True) for o in flat_out]
        g = _grads(flat_out, leaves, dummies, True)
        tangents_out = _grads(g, dummies, list(flat_t), create_graph)
    results = (_unwrap(out, own), _unwrap(_unflatten(tangents_out, out_spec), own))
    return results + (_unwrap(aux, own),) if has_aux else results


# -------------------------------------------------------------------------------- jacobians
def _jacobian(func: Callable, argnums: Any, has_aux: bool, api: str) -> Callable:
    from .. import stack, zeros

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        create_graph = is_grad_enabled()
        with enable_grad():
            new_args, diff, leaves = _prepare_args(args, argnums)
            own = _own_ids(leaves)
            out, aux = _split_aux(func(*new_args, **kwargs), has_aux, api)
            flat_out, out_spec = _flatten(out)
            for o in flat_out:
                if not isinstance(o, Tensor):
                    raise RuntimeError(f"{api}: expected f(*primals) to return only tensors, "
                                       f"got unsupported type {type(o)}")
                if not o.is_floating_point():
                    raise RuntimeError(f"{api}: All outputs of f must be floating-point or "
                                       f"complex Tensors, got Tensor with dtype {o.dtype}")
            _, in_spec = _flatten(diff)
            per_out = []
            for o in flat_out:
                rows: list[list] = [[] for _ in leaves]
                flat = o.reshape(-1)
                for j in range(o.numel()):
                    for row, g in zip(rows, _grads([flat[j]], leaves, None, create_graph)):
                        row.append(g)
                jacs = [(stack(row) if row else zeros((0,) + tuple(x.shape), dtype=x.dtype))
                        .reshape(tuple(o.shape) + tuple(x.shape)) for row, x in zip(rows, leaves)]
                per_out.append(_unflatten(jacs, in_spec))
        jac = _unwrap(_unflatten(per_out, out_spec), own)
        return (jac, _unwrap(aux, own)) if has_aux else jac

    return wrapper


def jacrev(func: Callable, argnums: int | tuple[int, ...] = 0, *, has_aux: bool = False,
           chunk_size: int | None = None, _preallocate_and_copy: bool = False) -> Callable:
    """A function returning the Jacobian of func w.r.t. the args at argnums, by reverse mode
    (torch.func.jacrev); chunk_size and _preallocate_and_copy only change how torch uses
    memory, so they change nothing here."""
    if not (chunk_size is None or chunk_size > 0):
        raise ValueError("jacrev: `chunk_size` should be greater than 0.")
    return _jacobian(func, argnums, has_aux, "jacrev(f, ...)(*args)")


def jacfwd(func: Callable, argnums: int | tuple[int, ...] = 0, has_aux: bool = False, *,
           randomness: str = "error") -> Callable:
    """A function returning the Jacobian of func w.r.t. the args at argnums (torch.func.jacfwd);
    computed by reverse mode here, with the same values. func runs once, so randomness 'same'
    and 'different' agree; 'error' raises if func draws from the default generator."""
    _check_randomness_arg(randomness)
    inner = _jacobian(func, argnums, has_aux, "jacfwd(f, ...)(*args)")

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with _Randomness(randomness):
            return inner(*args, **kwargs)

    return wrapper


def hessian(func: Callable, argnums: int | tuple[int, ...] = 0) -> Callable:
    """A function returning the Hessian of func w.r.t. the args at argnums, as
    jacfwd(jacrev(func)) (torch.func.hessian)."""
    return jacfwd(jacrev(func, argnums), argnums)


def functional_call(module: Any, parameter_and_buffer_dicts: Any, args: Any = None,
                    kwargs: dict | None = None, *, tie_weights: bool = True,
                    strict: bool = False) -> Any:
    """Call module with its parameters and buffers replaced by the given dict(s)
    (torch.func.functional_call)."""
    if isinstance(parameter_and_buffer_dicts, dict):
        merged = parameter_and_buffer_dicts
    elif isinstance(parameter_and_buffer_dicts, Sequence):
        if not all(isinstance(d, dict) for d in parameter_and_buffer_dicts):
            raise ValueError(
                "Expected all elements of parameter_and_buffer_dicts to be dictionaries")
        counts: dict = {}
        for d in parameter_and_buffer_dicts:
            for k in d:
                counts[k] = counts.get(k, 0) + 1
        repeated = [k for k, n in counts.items() if n > 1]
        if repeated:
            raise ValueError(f"{repeated} appeared in multiple dictionaries; behavior of "
                             "functional call is ambiguous")
        merged = {k: v for d in parameter_and_buffer_dicts for k, v in d.items()}
    else:
        raise ValueError("Expected parameter_and_buffer_dicts to be a dict, or a list/tuple of "
                         f"dicts, but got {type(parameter_and_buffer_dicts)}")
    return _functional_call(module, merged, args, kwargs, tie_weights=tie_weights,
                            strict=strict)


# -------------------------------------------------------------------------------------- vmap
def _check_randomness_arg(randomness: str) -> None:
    if randomness not in ("error", "different", "same"):
        raise RuntimeError("Only allowed values for randomness are 'error', 'different', or "
                           f"'same'. Got {randomness}")


def _rng_fingerprint() -> tuple:
    gen = _backend.default_generator
    return id(gen.np), repr(gen.np.bit_generator.state)


class _Randomness:
    """randomness='error': raise when func draws from the default generator (detected by its
    state changing); 'same': every call starts from the same generator state."""

    def __init__(self, mode: str) -> None:
        self.mode = mode

    def __enter__(self) -> _Randomness:
        self.start = _rng_fingerprint()
        self.state = _backend.default_generator.get_state() if self.mode == "same" else None
        return self

    def rewind(self) -> None:
        if self.state is not None:
            _backend.default_generator.set_state(self.state)

    def __exit__(self, exc_type: Any, *exc: object) -> None:
        if exc_type is None and self.mode == "error" and _rng_fingerprint() != self.start:
            raise RuntimeError(
                "vmap: called random operation while in randomness error mode. Please either "
                "use the 'same' or 'different' randomness flags on vmap or perform the "
                "randomness operation out of vmap")


def _get_name(func: Callable) -> str:
    if hasattr(func, "__name__"):
        return func.__name__
    if isinstance(func, functools.partial):
        return f"functools.partial({_get_name(func.func)}, ...)"
    return repr(func)


def _process_inputs(func: Callable, in_dims: Any, args: tuple) -> tuple[int, list, list, _Spec]:
    name = _get_name(func)
    if not isinstance(in_dims, (int, tuple)):
        raise ValueError(
            f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): expected `in_dims` to be int or "
            f"a (potentially nested) tuple matching the structure of inputs, got: "
            f"{type(in_dims)}.")
    if not args:
        raise ValueError(
            f"vmap({name})(<inputs>): got no inputs. Maybe you forgot to add inputs, or you "
            "are trying to vmap over a function with no inputs. The latter is unsupported.")
    flat_args, args_spec = _flatten(args)
    flat_dims = _broadcast_to_and_flatten(in_dims, args_spec)
    if flat_dims is None:
        raise ValueError(
            f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): in_dims is not compatible with "
            f"the structure of `inputs`. in_dims has structure {_flatten(in_dims)[1]} but "
            f"inputs has structure {args_spec}.")
    for i, (arg, d) in enumerate(zip(flat_args, flat_dims)):
        if d is not None and (not isinstance(d, int) or isinstance(d, bool)):
            raise ValueError(
                f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): Got in_dim={d} for an input "
                "but in_dim must be either an integer dimension or None.")
        if d is None:
            continue
        if not isinstance(arg, Tensor):
            raise ValueError(
                f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): Got in_dim={d} for an input "
                f"but the input is of type {type(arg)}. We cannot vmap over non-Tensor "
                "arguments, please use None as the respective in_dim")
        if not -arg.dim() <= d < arg.dim():
            raise ValueError(
                f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): Got in_dim={d} for some "
                f"input, but that input is a Tensor of dimensionality {arg.dim()} so expected "
                f"in_dim to satisfy -{arg.dim()} <= in_dim < {arg.dim()}.")
        flat_dims[i] = d % arg.dim()
    sizes = [a.shape[d] for a, d in zip(flat_args, flat_dims) if d is not None]
    if not sizes:
        raise ValueError("vmap: Expected at least one Tensor to vmap over")
    if any(s != sizes[0] for s in sizes):
        raise ValueError("vmap: Expected all tensors to have the same size in the mapped "
                         f"dimension, got sizes {sizes} for the mapped dimension")
    return sizes[0], flat_dims, flat_args, args_spec


def _check_out_dims(func: Callable, out_dims: Any) -> None:
    for d in _flatten(out_dims)[0]:
        if d is not None and (not isinstance(d, int) or isinstance(d, bool)):
            raise ValueError(
                f"vmap({_get_name(func)}, ..., out_dims={out_dims}): `out_dims` must be an int, "
                "None or a python collection of ints representing where in the outputs the "
                "vmapped dimension should appear.")


def _same_value(a: Any, b: Any) -> bool:
    if isinstance(a, Tensor) and isinstance(b, Tensor):
        return a is b or (a.shape == b.shape and a.dtype == b.dtype
                          and bool(np.array_equal(a._data, b._data, equal_nan=True)))
    return a is b or a == b


def _stack_outputs(func: Callable, out_dims: Any, results: list, size: int) -> Any:
    from .. import stack
    name = _get_name(func)
    flat_first, out_spec = _flatten(results[0])
    flats = [_flatten(r)[0] for r in results]
    if out_spec.kind is None:
        if isinstance(out_dims, (int, type(None))):
            flat_dims = [out_dims]
        elif isinstance(out_dims, tuple) and len(out_dims) == 1:
            flat_dims = list(out_dims)
        else:
            flat_dims = None
    else:
        flat_dims = _broadcast_to_and_flatten(out_dims, out_spec)
    if flat_dims is None:
        raise ValueError(
            f"vmap({name}, ..., out_dims={out_dims})(<inputs>): out_dims is not compatible with "
            f"the structure of `outputs`. out_dims has structure {_flatten(out_dims)[1]} but "
            f"outputs has structure {out_spec}.")
    outs = []
    for k, d in enumerate(flat_dims):
        column = [f[k] for f in flats]
        if d is None:
            if any(not _same_value(c, column[0]) for c in column[1:]):
                raise ValueError(f"vmap({name}, ...): `{name}` can not return a BatchedTensor "
                                 "when out_dim is None")
            outs.append(column[0])
            continue
        if not isinstance(column[0], Tensor):
            raise ValueError(
                f"vmap({name}, ...): `{name}` must only return Tensors, got type "
                f"{type(column[0])}. Did you mean to set out_dims= to None for output?")
        nd = column[0].dim() + 1
        if not -nd <= d < nd:
            raise IndexError(f"Dimension out of range (expected to be in range of [{-nd}, "
                             f"{nd - 1}], but got {d})")
        stacked = stack(column, dim=d)
        outs.append(stacked if size else stacked.narrow(d, 0, 0))
    return _unflatten(outs, out_spec)


def vmap(func: Callable, in_dims: int | tuple = 0, out_dims: int | tuple = 0,
         randomness: str = "error", *, chunk_size: int | None = None) -> Callable:
    """Map func over a dimension of its inputs (torch.func.vmap).

    This is a Python loop: func runs once per index of the mapped dimension on the sliced
    inputs (unmapped inputs and kwargs passed as they are) and the results are stacked at
    out_dims; it is not a batching transform, so it costs one call per sample. chunk_size
    only bounds memory in torch and changes nothing here. randomness='error' is detected by
    the default generator's state changing; an output with out_dims None must be identical
    across the batch; over a mapped dimension of size 0, func runs once on a zero sample to
    learn the outputs' shapes.
    """
    _check_randomness_arg(randomness)
    if not (chunk_size is None or chunk_size > 0):
        raise ValueError(f"vmap: chunk_size should be None or greater than 0. (got {chunk_size})")

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        _check_out_dims(func, out_dims)
        size, flat_dims, flat_args, args_spec = _process_inputs(func, in_dims, args)
        if size == 0:   # one call on a zero sample gives the outputs' structure and shapes
            from .. import zeros
            flat_args = [a if d is None else zeros(a.shape[:d] + a.shape[d + 1:], dtype=a.dtype)
                         .unsqueeze(d) for a, d in zip(flat_args, flat_dims)]
        results = []
        with _Randomness(randomness) as rng:
            for i in range(max(size, 1)):
                rng.rewind()
                sliced = [a if d is None else a.select(d, i) for a, d in zip(flat_args, flat_dims)]
                results.append(func(*_unflatten(sliced, args_spec), **kwargs))
        return _stack_outputs(func, out_dims, results, size)

    return wrapper
