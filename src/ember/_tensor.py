"""The Tensor: an array plus what autograd needs (requires_grad, grad, grad_fn, version).

Operations are not defined here: each module in `ops/` attaches its Tensor methods, so this file
holds only state, properties, conversions and the entry points into autograd.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterator
from typing import Any

from ._backend import CPU, from_np, ndarray, to_np  # noqa: F401  (re-exported to ops)
from .autograd.grad_mode import state as _grad_state


class Size(tuple):
    """A tensor's shape, as `torch.Size`: a tuple of ints that prints as `ember.Size([2, 3])`."""

    def __repr__(self) -> str:
        return f"ember.Size({list(self)})"

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, key: Any) -> Any:
        r = tuple.__getitem__(self, key)
        return Size(r) if isinstance(key, slice) else r

    def __add__(self, other: Any) -> Size:
        return Size(tuple(self) + tuple(other))


_LEGACY_NAMES = {"float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor",
                 "int64": "LongTensor", "int32": "IntTensor", "int16": "ShortTensor",
                 "int8": "CharTensor", "uint8": "ByteTensor", "bool": "BoolTensor"}


def type_name(arr: ndarray) -> str:
    """The legacy type string torch prints for a tensor, e.g. 'ember.FloatTensor'."""
    return "ember." + _LEGACY_NAMES[from_np(arr.dtype).name]


class RemovableHandle:
    """Returned by `register_hook` and friends; `remove()` unregisters the hook."""

    def __init__(self, hooks: Any, key: Any) -> None:
        self._hooks = weakref.ref(hooks) if not isinstance(hooks, list) else (lambda: hooks)
        self._key = key

    def remove(self) -> None:
        hooks = self._hooks()
        if hooks is None:
            return
        if isinstance(hooks, list):
            if self._key in hooks:
                hooks.remove(self._key)
        else:
            hooks.pop(self._key, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()


class PostAccumulateGradHook:
    """A hook in a leaf's hook list that the engine calls with the leaf after accumulating
    its `.grad` (the other entries are gradient hooks, called before)."""

    __slots__ = ("fn",)

    def __init__(self, fn: Callable[[Tensor], None]) -> None:
        self.fn = fn

    def __call__(self, t: Tensor) -> None:
        if self.fn(t) is not None:
            raise RuntimeError("Tensor post accumulate grad hooks should return None.")


def _make(data: ndarray, requires_grad: bool = False, grad_fn: Any = None, nr: int = 0,
          vc: list | None = None) -> Tensor:
    """Wrap an array as a Tensor without copying (the fast internal constructor)."""
    t = object.__new__(Tensor)
    t._data = data
    t._requires_grad = requires_grad
    t._grad = None
    t.grad_fn = grad_fn
    t._output_nr = nr
    t._vc = [0] if vc is None else vc
    t._base = None
    t._hooks = None
    return t


class Tensor:
    """A multi-dimensional array that records operations for automatic differentiation.

    `ember.Tensor(data)` / `ember.Tensor(*sizes)` behave as torch's legacy constructor
    (float32 by default); prefer `ember.tensor(data)`.
    """

    __slots__ = ("_data", "_requires_grad", "_grad", "grad_fn", "_output_nr", "_vc", "_base",
                 "_hooks", "__weakref__")
    __array_priority__ = 1000   # NumPy defers `ndarray op Tensor` to the Tensor
    _out_meta = None            # a leaf is a graph node with one output (see the engine)

    def __new__(cls, *args: Any, **kwargs: Any) -> Tensor:
        from .ops.creation import legacy_new
        data = legacy_new(_LEGACY_DEFAULT, args, kwargs)
        t = object.__new__(cls)
        t._data = data
        t._requires_grad = False
        t._grad = None
        t.grad_fn = None
        t._output_nr = 0
        t._vc = [0]
        t._base = None
        t._hooks = None
        return t

    # ------------------------------------------------------------------ basic properties
    @property
    def shape(self) -> Size:
        return Size(self._data.shape)

    def size(self, dim: int | None = None) -> Any:
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[_wrap_dim(dim, self._data.ndim, "size")]

    @property
    def dtype(self) -> Any:
        return from_np(self._data.dtype)

    @property
    def device(self) -> Any:
        return CPU

    is_cuda = False
    is_sparse = False
    is_quantized = False
    is_meta = False

    @property
    def ndim(self) -> int:
        return self._data.ndim

    def dim(self) -> int:
        return self._data.ndim

    ndimension = dim

    def numel(self) -> int:
        return self._data.size

    nelement = numel

    def element_size(self) -> int:
        return self._data.itemsize

    @property
    def itemsize(self) -> int:
        return self._data.itemsize

    @property
    def nbytes(self) -> int:
        return self._data.nbytes

    def stride(self, dim: int | None = None) -> Any:
        st = tuple(s // self._data.itemsize for s in self._data.strides)
        return st if dim is None else st[_wrap_dim(dim, self._data.ndim, "stride")]

    def is_contiguous(self, memory_format: Any = None) -> bool:
        return bool(self._data.flags.c_contiguous)

    def is_floating_point(self) -> bool:
        return self._data.dtype.kind == "f"

    def is_complex(self) -> bool:
        return False

    is_cpu = True

    def is_pinned(self, device: Any = None) -> bool:
        """Whether the memory is page-locked for a GPU copy (never: ember has no accelerator)."""
        return False

    def pin_memory(self, device: Any = None) -> Tensor:
        """Page-lock the memory for GPU copies: like torch without an accelerator, an error."""
        raise RuntimeError("Cannot access accelerator device when none is available.")

    def is_signed(self) -> bool:
        """Whether the dtype is signed: floats and signed ints, not uint8 or bool."""
        return self._data.dtype.kind in "fi"

    def is_conj(self) -> bool:
        """Whether the conjugate bit is set (never: ember has no complex dtypes)."""
        return False

    def is_neg(self) -> bool:
        """Whether the negative bit is set (never: ember has no lazy negation)."""
        return False

    def is_nonzero(self) -> bool:
        """Whether the single element is non-zero (NaN counts as non-zero)."""
        n = self._data.size
        if n != 1:
            raise RuntimeError("Boolean value of Tensor with no values is ambiguous" if n == 0
                               else "Boolean value of Tensor with more than one value is "
                               f"ambiguous (shape {list(self._data.shape)})")
        return bool(self._data.reshape(()).item())

    def is_same_size(self, other: Tensor) -> bool:
        """Whether other has the same shape."""
        if not isinstance(other, Tensor):
            raise TypeError("is_same_size(): argument 'other' (position 1) must be Tensor, not "
                            f"{type(other).__name__}")
        return self._data.shape == other._data.shape

    def data_ptr(self) -> int:
        return self._data.__array_interface__["data"][0]

    def get_device(self) -> int:
        return -1

    def cpu(self, memory_format: Any = None) -> Tensor:
        """This tensor (it is on the CPU already), as torch returns self."""
        return self

    def cuda(self, device: Any = None, non_blocking: bool = False) -> Tensor:
        from ._backend import check_device
        check_device("cuda", "Tensor.cuda")
        return self

    # ------------------------------------------------------------------ autograd state
    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        self.requires_grad_(value)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set requires_grad in place (leaves only; floating point only)."""
        requires_grad = bool(requires_grad)
        if self.grad_fn is not None:
            if requires_grad:
                return self
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use "
                "a computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach().")
        if requires_grad and self._data.dtype.kind not in "fc":
            raise RuntimeError(
                "only Tensors of floating point and complex dtype can require gradients "
                f"(got a tensor of dtype {self.dtype}; convert it first, e.g. x.float())")
        self._requires_grad = requires_grad
        return self

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    @property
    def grad(self) -> Tensor | None:
        if self.grad_fn is not None and not self.retains_grad and _grad_state.enabled:
            import warnings
            warnings.warn(
                "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. "
                "Its .grad attribute won't be populated during autograd.backward(). If you "
                "indeed want the .grad field to be populated for a non-leaf Tensor, use "
                ".retain_grad() on the non-leaf Tensor.", UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(
                    f"assigned grad expected to be a Tensor or None but got grad of type "
                    f"{type(value).__name__}")
            if value._data.shape != self._data.shape:
                raise RuntimeError(
                    f"assigned grad has data of a different size: grad {value.shape}, tensor "
                    f"{self.shape}")
            if value._data.dtype != self._data.dtype:
                raise RuntimeError(
                    f"assigned grad has data of a different type: grad {value.dtype}, tensor "
                    f"{self.dtype}")
        self._grad = value

    @grad.deleter
    def grad(self) -> None:
        self._grad = None

    @property
    def _version(self) -> int:
        return self._vc[0]

    @property
    def output_nr(self) -> int:
        return self._output_nr

    @property
    def retains_grad(self) -> bool:
        fn = self.grad_fn
        if fn is None:
            return False
        r = fn.__dict__.get("_retain")
        return bool(r) and self._output_nr in r and r[self._output_nr]() is self

    def retain_grad(self) -> None:
        """Keep `.grad` for this non-leaf tensor after backward."""
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is not None:
            self.grad_fn.__dict__.setdefault("_retain", {})[self._output_nr] = weakref.ref(self)
            self.grad_fn._hooked = True

    def register_hook(self, hook: Callable[[Tensor], Tensor | None]) -> RemovableHandle:
        """Call hook(grad) when this tensor's gradient is computed; it may return a new one."""
        if not self._requires_grad:
            raise RuntimeError(
                "cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is None:
            if self._hooks is None:
                self._hooks = []
            self._hooks.append(hook)
            return RemovableHandle(self._hooks, hook)
        self.grad_fn._hooked = True
        hooks = self.grad_fn.__dict__.setdefault("_tensor_hooks", {})
        lst = hooks.setdefault(self._output_nr, [])
        lst.append(hook)
        return RemovableHandle(lst, hook)

    def register_post_accumulate_grad_hook(
            self, hook: Callable[[Tensor], None]) -> RemovableHandle:
        """Call hook(self) after backward has accumulated into this leaf's `.grad`."""
        if not self._requires_grad:
            raise RuntimeError(
                "cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            raise RuntimeError(
                "post accumulate grad hooks cannot be registered on non-leaf tensors")
        if self._hooks is None:
            self._hooks = []
        entry = PostAccumulateGradHook(hook)
        self._hooks.append(entry)
        return RemovableHandle(self._hooks, entry)

    def backward(self, gradient: Any = None, retain_graph: bool | None = None,
                 create_graph: bool = False, inputs: Any = None) -> None:
        """Compute the gradient of this tensor w.r.t. graph leaves, accumulating into `.grad`."""
        _autograd.backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def detach(self) -> Tensor:
        """A tensor sharing this one's data, cut from the graph (in-place changes are seen)."""
        return _make(self._data, False, None, 0, self._vc)

    def detach_(self) -> Tensor:
        self.grad_fn = None
        self._requires_grad = False
        return self

    @property
    def data(self) -> Tensor:
        return _make(self._data)

    @data.setter
    def data(self, value: Tensor) -> None:
        if not isinstance(value, Tensor):
            raise TypeError(f"data must be a Tensor, got {type(value).__name__}")
        self._data = value._data

    # ------------------------------------------------------------------ conversions
    def item(self) -> Any:
        if self._data.size != 1:
            raise RuntimeError(
                f"a Tensor with {self._data.size} elements cannot be converted to Scalar "
                "(item() needs exactly one element; index it first, e.g. t[0].item())")
        return self._data.reshape(()).item()

    def tolist(self) -> Any:
        return self._data.tolist()

    def numpy(self, *, force: bool = False) -> ndarray:
        if self._requires_grad and not force:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() "
                "instead.")
        return self._data

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> ndarray:
        a = self._data
        if dtype is not None and a.dtype != dtype:
            return a.astype(dtype)
        return a.copy() if copy else a

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self) -> Iterator[Tensor]:
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def _scalar(self, what: str) -> Any:
        if self._data.size != 1:
            raise ValueError(
                f"only one element tensors can be converted to Python scalars ({what} was "
                f"given a tensor of shape {list(self._data.shape)})")
        return self._data.reshape(()).item()

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise RuntimeError(
                f"Boolean value of Tensor with more than one value is ambiguous (shape "
                f"{list(self._data.shape)}); use .any() or .all()")
        return bool(self._data.reshape(()).item())

    def __float__(self) -> float:
        return float(self._scalar("float()"))

    def __int__(self) -> int:
        return int(self._scalar("int()"))

    def __index__(self) -> int:
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an "
                            "index")
        return int(self._data.reshape(()).item())

    def __complex__(self) -> complex:
        return complex(self._scalar("complex()"))

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        from ._tensor_str import tensor_repr
        return tensor_repr(self)

    def __format__(self, spec: str) -> str:
        if self._data.ndim == 0:
            return self.item().__format__(spec)
        return object.__format__(self, spec)

    def __deepcopy__(self, memo: dict) -> Tensor:
        if self.grad_fn is not None:
            raise RuntimeError(
                "Only Tensors created explicitly by the user (graph leaves) support the "
                "deepcopy protocol at the moment.")
        if id(self) in memo:
            return memo[id(self)]
        new = _make(self._data.copy(), self._requires_grad)
        if self._grad is not None:
            new._grad = _make(self._grad._data.copy())
        memo[id(self)] = new
        return new

    def __reduce_ex__(self, proto: int) -> Any:
        return (_rebuild, (self._data, self._requires_grad))

    # NumPy protocols: let backward formulas written with NumPy run on Tensors (create_graph)
    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        from .ops._numpy_protocol import array_ufunc
        return array_ufunc(ufunc, method, inputs, kwargs)

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        from .ops._numpy_protocol import array_function
        return array_function(func, args, kwargs)


_LEGACY_DEFAULT = None   # torch.Tensor(...) follows the default dtype


def _rebuild(data: ndarray, requires_grad: bool) -> Tensor:
    return _make(data, requires_grad)


def _wrap_dim(dim: int, ndim: int, op: str) -> int:
    """Turn a possibly negative dim into an index, with torch's IndexError when out of range."""
    n = ndim if ndim > 0 else 1
    if not -n <= dim < n:
        raise IndexError(
            f"{op}: Dimension out of range (expected to be in range of [{-n}, {n - 1}], "
            f"but got {dim})")
    return dim + n if dim < 0 else dim


from . import autograd as _autograd  # noqa: E402  (loaded by the grad_mode import above)
