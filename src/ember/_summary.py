"""`ember.summary(model, input_size=...)`: a table of layers, output shapes and parameter counts,
with the memory they need (torchinfo's `summary`, built in)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ._tensor import Tensor

__all__ = ["LayerInfo", "ModelStatistics", "summary"]

_COLUMNS = {"input_size": "Input Shape", "output_size": "Output Shape", "num_params": "Param #",
            "params_percent": "Param %", "kernel_size": "Kernel Shape", "trainable": "Trainable"}
_MB = 1e6


def _first_shape(x: Any) -> list | None:
    """The shape of the first tensor in a (nested) output, as a list; None if there is none."""
    if isinstance(x, Tensor):
        return list(x.shape)
    if isinstance(x, dict):
        x = list(x.values())
    if isinstance(x, (tuple, list)):
        for v in x:
            s = _first_shape(v)
            if s is not None:
                return s
    return None


def _nbytes(x: Any) -> int:
    """Bytes held by every tensor in a (nested) value."""
    if isinstance(x, Tensor):
        return x.numel() * x.element_size()
    if isinstance(x, dict):
        x = list(x.values())
    if isinstance(x, (tuple, list)):
        return sum(_nbytes(v) for v in x)
    return 0


def _count(params: Any) -> tuple[int, int]:
    """(total, trainable) elements of `params`."""
    total = trainable = 0
    for p in params:
        n = p.numel()
        total += n
        if p.requires_grad:
            trainable += n
    return total, trainable


class LayerInfo:
    """One call of one module during the summary's forward pass (torchinfo.LayerInfo)."""

    def __init__(self, module: Any, var_name: str, depth: int, depth_index: int,
                 parent: LayerInfo | None, is_recursive: bool) -> None:
        self.module = module
        self.class_name = type(module).__name__
        self.var_name = var_name
        self.depth = depth
        self.depth_index = depth_index
        self.parent = parent
        self.is_recursive = is_recursive    # the module was already called (shared weights)
        self.children: list = []
        self.input_size: list | None = None
        self.output_size: list | None = None
        self.output_bytes = 0
        self.own_params, self.own_trainable = _count(module.parameters(recurse=False))
        self.num_params, self.trainable_params = _count(module.parameters())
        w = getattr(module, "weight", None)
        self.kernel_size = list(w.shape)[2:] if isinstance(w, Tensor) and w.dim() > 2 else None

    @property
    def is_leaf_layer(self) -> bool:
        return not self.children

    def __repr__(self) -> str:
        return f"{self.class_name}: {self.depth}-{self.depth_index}"


class ModelStatistics:
    """What `summary` found; str() is the table (torchinfo.ModelStatistics)."""

    def __init__(self, model: Any, summary_list: list, input_bytes: int, col_names: Sequence,
                 depth: int) -> None:
        self.summary_list = summary_list
        self.col_names = tuple(col_names)
        self.max_depth = depth
        self.model_name = type(model).__name__
        params = list(model.parameters())    # each shared parameter once
        self.total_params, self.trainable_params = _count(params)
        self.non_trainable_params = self.total_params - self.trainable_params
        self.total_param_bytes = sum(p.numel() * p.element_size() for p in params)
        self.total_input = input_bytes
        # activations kept for backward, and their gradients: 2 x the leaf layers' outputs
        self.total_output_bytes = 2 * sum(info.output_bytes for info in summary_list
                                          if info.is_leaf_layer)

    @property
    def total_mb(self) -> float:
        return (self.total_input + self.total_output_bytes + self.total_param_bytes) / _MB

    def _cell(self, info: LayerInfo, col: str) -> str:
        if col in ("input_size", "output_size"):
            v = getattr(info, col)
            return "--" if v is None else str(v)
        if col == "kernel_size":
            return "--" if info.kernel_size is None else str(info.kernel_size)
        if info.is_recursive:
            return "(recursive)"
        # a row whose children are listed shows its own parameters; otherwise the whole subtree
        shown = info.children and info.depth < self.max_depth
        n, t = (info.own_params, info.own_trainable) if shown else \
            (info.num_params, info.trainable_params)
        if col == "trainable":
            return "--" if n == 0 else "True" if t == n else "False" if t == 0 else "Partial"
        if n == 0:
            return "--"
        if col == "params_percent":
            return f"{100 * n / max(self.total_params, 1):.2f}%"
        return f"{n:,}"

    def _name(self, info: LayerInfo) -> str:
        if info.depth == 0:
            return info.class_name
        indent = "├─" if info.depth == 1 else "│    " * (info.depth - 1) + "└─"
        return f"{indent}{info.class_name}: {info.depth}-{info.depth_index}"

    def __str__(self) -> str:
        head = ["Layer (type:depth-idx)"] + [_COLUMNS[c] for c in self.col_names]
        rows = [[self._name(i)] + [self._cell(i, c) for c in self.col_names]
                for i in self.summary_list if i.depth <= self.max_depth]
        widths = [max([len(r[k]) for r in rows + [head]]) + 2 for k in range(len(head))]
        widths = [max(widths[0], 40)] + [max(w, 25) for w in widths[1:]]
        line = "=" * sum(widths)

        def fmt(r: list) -> str:
            return "".join(c.ljust(w) for c, w in zip(r, widths)).rstrip()

        mb = _MB
        return "\n".join([
            line, fmt(head), line, *map(fmt, rows), line,
            f"Total params: {self.total_params:,}",
            f"Trainable params: {self.trainable_params:,}",
            f"Non-trainable params: {self.non_trainable_params:,}",
            line,
            f"Input size (MB): {self.total_input / mb:.2f}",
            f"Forward/backward pass size (MB): {self.total_output_bytes / mb:.2f}",
            f"Params size (MB): {self.total_param_bytes / mb:.2f}",
            f"Estimated Total Size (MB): {self.total_mb:.2f}",
            line])

    __repr__ = __str__


def _make_inputs(input_size: Any, batch_dim: int | None, dtypes: Any) -> list:
    """Random inputs of the given sizes (torchinfo's rules: a tuple of ints is one input, a
    list of tuples several; batch_dim inserts a batch of 1 there)."""
    import ember
    if isinstance(input_size, (tuple, list)) and all(isinstance(s, int) for s in input_size):
        sizes = [tuple(input_size)]
    elif isinstance(input_size, (tuple, list)) and all(
            isinstance(s, (tuple, list)) and all(isinstance(v, int) for v in s)
            for s in input_size):
        sizes = [tuple(s) for s in input_size]
    else:
        raise TypeError(f"summary: input_size must be a tuple of ints (one input, batch "
                        f"included) or a list of such tuples, got {input_size!r}")
    if batch_dim is not None:
        sizes = [s[:batch_dim] + (1,) + s[batch_dim:] for s in sizes]
    if dtypes is None:
        dtypes = [None] * len(sizes)
    elif len(dtypes) != len(sizes):
        raise ValueError(f"summary: got {len(dtypes)} dtypes for {len(sizes)} input sizes")
    out = []
    for s, dt in zip(sizes, dtypes):
        x = ember.rand(*s)
        out.append(x if dt is None else x.to(dt))   # integer dtypes give zeros: valid indices
    return out


def summary(model: Any, input_size: Any = None, input_data: Any = None,
            batch_dim: int | None = None, dtypes: Any = None, depth: int = 3,
            col_names: Sequence[str] = ("output_size", "num_params"), verbose: int = 1,
            mode: str = "eval") -> ModelStatistics:
    """Each layer of `model` with its output shape and parameter count, the totals and the
    memory they take (torchinfo.summary).

    Give `input_size` (a tuple with the batch, or a list of tuples; `dtypes` per input) or
    `input_data` (a Tensor, a list/tuple of Tensors passed positionally, or a dict of keyword
    arguments); one forward pass runs under no_grad with forward hooks on every submodule, in
    eval mode unless mode="train" or "same" (the modules' train/eval flags are restored
    afterwards). Without inputs only the parameters are listed. verbose=0 prints nothing.
    """
    import ember

    from .nn import Module
    if not isinstance(model, Module):
        raise TypeError(f"summary: model must be an nn.Module, got {type(model).__name__}")
    for c in col_names:
        if c not in _COLUMNS:
            raise ValueError(f"summary: unknown column {c!r}; choose from {list(_COLUMNS)}")
    if mode not in ("eval", "train", "same"):
        raise ValueError(f"summary: mode must be 'eval', 'train' or 'same', got {mode!r}")
    if input_size is not None and input_data is not None:
        raise ValueError("summary: give input_size or input_data, not both")

    names = {id(m): n for n, m in model.named_modules()}
    args: Any = ()
    kwargs: dict = {}
    if input_data is not None:
        if isinstance(input_data, dict):
            kwargs = input_data
        elif isinstance(input_data, (list, tuple)):
            args = tuple(input_data)
        else:
            args = (input_data,)
    elif input_size is not None:
        args = tuple(_make_inputs(input_size, batch_dim, dtypes))
    input_bytes = _nbytes(list(args) + list(kwargs.values()))

    infos: list = []
    if not args and not kwargs:   # no forward: the module tree with its parameters
        parents: dict = {}
        counters: dict = {}
        for name, m in model.named_modules():
            d = 0 if not name else name.count(".") + 1
            counters[d] = counters.get(d, 0) + 1
            parent = parents.get(name.rpartition(".")[0] if d > 1 else "") if d else None
            info = LayerInfo(m, name, d, counters[d], parent, False)
            parents[name] = info
            if parent is not None:
                parent.children.append(info)
            infos.append(info)
        return _report(ModelStatistics(model, infos, 0, col_names, depth), verbose)

    stack: list = []
    seen: set = set()
    counters = {}

    def pre_hook(m: Any, _: Any) -> None:
        parent = stack[-1] if stack else None
        d = 0 if parent is None else parent.depth + 1
        counters[d] = counters.get(d, 0) + 1
        info = LayerInfo(m, names.get(id(m), ""), d, counters[d], parent, id(m) in seen)
        seen.add(id(m))
        if parent is not None:
            parent.children.append(info)
        infos.append(info)
        stack.append(info)

    def hook(m: Any, inputs: Any, output: Any) -> None:
        info = stack.pop()
        info.input_size = _first_shape(inputs)
        info.output_size = _first_shape(output)
        info.output_bytes = _nbytes(output)

    modes = [(m, m.training) for m in model.modules()]
    handles = []
    try:
        for m in model.modules():
            handles.append(m.register_forward_pre_hook(pre_hook))
            handles.append(m.register_forward_hook(hook))
        if mode != "same":
            model.train(mode == "train")
        with ember.no_grad():
            try:
                model(*args, **kwargs)
            except Exception as e:
                done = [repr(i) for i in infos]
                raise RuntimeError(
                    f"summary: the forward pass of {type(model).__name__} failed on inputs of "
                    f"shapes {[list(a.shape) for a in args if isinstance(a, Tensor)]}; layers "
                    f"run up to the failure: {done}. The error is above.") from e
    finally:
        for h in handles:
            h.remove()
        for m, training in modes:
            m.training = training
    return _report(ModelStatistics(model, infos, input_bytes, col_names, depth), verbose)


def _report(stats: ModelStatistics, verbose: int) -> ModelStatistics:
    if verbose:
        print(stats)
    return stats
