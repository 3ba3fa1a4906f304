"""Pictures of the autograd graph (torchviz's `make_dot`, built in).

`make_dot(loss, params=dict(model.named_parameters()))` walks the graph from `loss.grad_fn` and
returns a `Digraph` whose `.source` is Graphviz DOT text; `.save(path)` writes it and
`.render(path, format="png")` draws it with Graphviz's `dot` program when it is installed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from typing import Any

from ._tensor import Tensor
from .autograd.function import AccumulateGrad

__all__ = ["Digraph", "make_dot"]

# torchviz's look: boxes, small monospace text; outputs dark green, parameters light blue,
# saved tensors orange, ops light grey (Graphviz's default fill).
_NODE_ATTR = ('style=filled shape=box align=left fontsize=10 ranksep=0.1 height=0.2 '
              'fontname=monospace')
_INSTALL = ("install Graphviz's `dot` program (Debian/Ubuntu: `apt-get install graphviz`, "
            "macOS: `brew install graphviz`, conda: `conda install graphviz`) and optionally the "
            "Python package (`pip install graphviz`), then call render() again")


def _quote(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


class Digraph:
    """A directed graph in Graphviz DOT (the subset of `graphviz.Digraph` that make_dot uses)."""

    def __init__(self, name: str = "G", graph_attr: str = 'size="12,12"',
                 node_attr: str = _NODE_ATTR) -> None:
        self.name = name
        self.body = [f"\tgraph [{graph_attr}]", f"\tnode [{node_attr}]"]

    def node(self, name: str, label: str, **attrs: str) -> None:
        extra = "".join(f" {k}={_quote(v)}" for k, v in attrs.items())
        self.body.append(f"\t{name} [label={_quote(label)}{extra}]")

    def edge(self, tail: str, head: str, **attrs: str) -> None:
        extra = " [" + " ".join(f"{k}={_quote(v)}" for k, v in attrs.items()) + "]" \
            if attrs else ""
        self.body.append(f"\t{tail} -> {head}{extra}")

    @property
    def source(self) -> str:
        return f"digraph {self.name} {{\n" + "\n".join(self.body) + "\n}\n"

    def __str__(self) -> str:
        return self.source

    def __repr__(self) -> str:
        return f"<ember.viz.Digraph with {len(self.body) - 2} statements; .source has the DOT>"

    def save(self, path: str | os.PathLike = "graph.gv") -> str:
        """Write the DOT text to `path`; returns the path."""
        path = os.fspath(path)
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(self.source)
        return path

    def pipe(self, format: str = "svg") -> bytes:
        """The picture as bytes, drawn by Graphviz's `dot` program."""
        dot = shutil.which("dot")
        if dot is None:
            raise RuntimeError(f"Digraph.pipe: Graphviz's `dot` program is not on PATH; {_INSTALL}")
        res = subprocess.run([dot, f"-T{format}"], input=self.source.encode(),
                             capture_output=True, check=False)
        if res.returncode != 0:
            raise RuntimeError(f"Digraph: `dot -T{format}` failed: "
                               f"{res.stderr.decode(errors='replace').strip()}")
        return res.stdout

    def render(self, path: str | os.PathLike | None = None, format: str = "png") -> str:
        """Draw the graph to `path` (default "graph.<format>"; a path without the format's
        suffix gets it) with Graphviz's `dot`. Also writes the DOT text next to it (.gv).
        Returns the picture's path."""
        path = os.fspath(path) if path is not None else "graph"
        base = path[: -len(format) - 1] if path.endswith("." + format) else path
        out = f"{base}.{format}"
        gv = self.save(base + ".gv")
        if shutil.which("dot") is None:
            raise RuntimeError(
                f"Digraph.render: cannot draw {out!r}: Graphviz's `dot` program is not on PATH. "
                f"The graph's DOT text was saved to {gv!r} (paste it into any Graphviz viewer, "
                f"e.g. https://dreampuf.github.io/GraphvizOnline). To draw pictures, {_INSTALL}.")
        data = self.pipe(format)
        with open(out, "wb") as f:
            f.write(data)
        return out

    def _repr_svg_(self) -> str | None:
        """Inline SVG for notebooks (None, so the text repr is shown, when `dot` is missing)."""
        if shutil.which("dot") is None:
            return None
        return self.pipe("svg").decode("utf-8")


def _size(shape: Any) -> str:
    return "(" + ", ".join(str(int(s)) for s in shape) + ")"


def _attrs(fn: Any, max_chars: int) -> list:
    """The plain Python values a node keeps on ctx (dims, shapes, options), as text lines."""
    lines = []
    for k, v in sorted(vars(fn).items()):
        if k.startswith("_") or k == "needs_input_grad" or isinstance(v, Tensor) \
                or type(v).__module__ == "numpy" and hasattr(v, "shape") and v.shape:
            continue
        s = repr(v)
        if len(s) > max_chars:
            s = s[: max_chars - 3] + "..."
        lines.append(f"{k}: {s}")
    return lines


def make_dot(var: Any, params: dict | None = None, show_attrs: bool = False,
             show_saved: bool = False, max_attr_chars: int = 50) -> Digraph:
    """The autograd graph behind `var` (a Tensor or a tuple of Tensors) as a `Digraph`
    (torchviz.make_dot).

    Ops are grey boxes named as torch names them (``MulBackward0``), leaves light blue (named
    from `params`, a dict name -> tensor such as ``dict(model.named_parameters())``, with their
    shape), outputs dark green. `show_saved` adds the tensors each op saved for backward (orange,
    with shapes); `show_attrs` lists the plain values an op keeps (dims, options). Node ids are
    given in traversal order, so the same graph always gives the same text.
    """
    if params is not None:
        if not isinstance(params, dict) or not all(isinstance(p, Tensor)
                                                   for p in params.values()):
            raise TypeError("make_dot: params must be a dict name -> Tensor, e.g. "
                            "dict(model.named_parameters())")
    param_map = {id(v): k for k, v in (params or {}).items()}
    outputs = tuple(var) if isinstance(var, (tuple, list)) else (var,)
    for o in outputs:
        if not isinstance(o, Tensor):
            raise TypeError(f"make_dot: expected a Tensor or a tuple of Tensors, got "
                            f"{type(o).__name__}")
    dot = Digraph()
    ids: dict = {}
    keep: list = []      # keeps every keyed object alive, so no id() is reused during the walk

    def node_id(obj: Any) -> tuple:
        key = id(obj)
        if key in ids:
            return ids[key], False
        keep.append(obj)
        ids[key] = f"n{len(ids)}"
        return ids[key], True

    def leaf_label(t: Tensor, name: str | None = None) -> str:
        name = name if name is not None else param_map.get(id(t), "")
        return f"{name}\n {_size(t.shape)}" if name else _size(t.shape)

    def add_fn(fn: Any) -> str:
        """Draw `fn` and everything it depends on (iteratively: graphs can be deep)."""
        root, new = node_id(fn.variable if isinstance(fn, AccumulateGrad) else fn)
        stack = [fn] if new else []
        while stack:
            f = stack.pop()
            if isinstance(f, AccumulateGrad):
                nid = ids[id(f.variable)]
                dot.node(nid, leaf_label(f.variable), fillcolor="lightblue")
                continue
            nid = ids[id(f)]
            label = f.name()
            if show_attrs:
                lines = _attrs(f, max_attr_chars)
                if lines:
                    label += "\n" + "-" * min(max_attr_chars, 20) + "\n" + "\n".join(lines)
            dot.node(nid, label)
            if show_saved:
                for entry in (f.__dict__.get("_saved") or ()):
                    value = entry[0]
                    if value is None or not hasattr(value, "shape"):
                        continue
                    sid, fresh = node_id(value)
                    if fresh:
                        dot.node(sid, f"saved\n {_size(value.shape)}", fillcolor="orange")
                    dot.edge(nid, sid, dir="none")
            # next_functions wraps leaves in fresh AccumulateGrad objects: key them by leaf
            todo = []
            for nxt, _ in f.next_functions:
                if nxt is None:
                    continue
                key = nxt.variable if isinstance(nxt, AccumulateGrad) else nxt
                cid, fresh = node_id(key)
                dot.edge(cid, nid)
                if fresh:
                    todo.append(nxt)
            stack.extend(reversed(todo))   # first input drawn first
        return root

    for o in outputs:
        oid, _ = node_id(o)
        if o.grad_fn is None:   # a leaf on its own
            dot.node(oid, leaf_label(o), fillcolor="darkolivegreen1")
            continue
        dot.node(oid, leaf_label(o, ""), fillcolor="darkolivegreen1")
        dot.edge(add_fn(o.grad_fn), oid)
    return dot
