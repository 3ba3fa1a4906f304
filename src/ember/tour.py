"""A short tour of ember, following the study notes it started from (`python -m ember.tour`).

Each chapter runs real ember code and prints what it shows; `--list` names the chapters and
`--chapter N` runs one of them.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

import ember as torch  # the tour is written as a PyTorch learner would write it


def chapter_shapes() -> None:
    """Tensor shapes: the (batch size, dim) convention."""
    t = torch.FloatTensor([0., 1., 2., 3., 4., 5., 6.])
    print("t = torch.FloatTensor([0., 1., 2., 3., 4., 5., 6.])")
    print(t)
    print("t.dim() =", t.dim(), "  t.shape =", t.shape, "  t.size() =", t.size())
    batch = torch.zeros(3000, 256)
    print("3,000 samples of 256 features form a 2-D tensor |t| = (batch size, dim):",
          tuple(batch.shape))
    print("a mini-batch of 64 of them:", tuple(batch[:64].shape))
    images = torch.zeros(64, 28, 28)
    print("images are 3-D: (batch size, width, height) =", tuple(images.shape))


def chapter_view() -> None:
    """view, squeeze and unsqueeze: changing a tensor's shape without changing its data."""
    a = torch.arange(12.)
    print("a = torch.arange(12.)  ->", tuple(a.shape))
    v = a.view(3, 4, 1)
    print("a.view(3, 4, 1).size() =", v.size())
    print("a.view(3, 4, 1).squeeze().size() =", v.squeeze().size(), "(size-1 dims removed)")
    print("a.unsqueeze(0).size() =", a.unsqueeze(0).size(), "(a new dim at position 0)")
    print("a.unsqueeze(1).size() =", a.unsqueeze(1).size())
    print("a.view(-1, 6).size() =", a.view(-1, 6).size(), "(-1: work it out)")
    v[0, 0, 0] = 100.
    print("a view shares memory: after v[0, 0, 0] = 100., a[0] =", a[0].item())


def chapter_dot() -> None:
    """H(X) = XW: the hypothesis as a dot product."""
    X = torch.tensor([[73., 80., 75.], [93., 88., 93.], [89., 91., 90.]])
    W = torch.tensor([[0.5], [0.2], [0.3]])
    H = X @ W
    print("X (3 samples x 3 features) @ W (3 x 1) =", [round(v, 2) for v in H.squeeze().tolist()])
    w1, w2, w3 = W.squeeze().tolist()
    x1, x2, x3 = X[0].tolist()
    print(f"first row by hand: w1*x1 + w2*x2 + w3*x3 = {w1 * x1 + w2 * x2 + w3 * x3:.1f}")


def chapter_autograd() -> None:
    """Automatic differentiation: y = 2w² + 5, so dy/dw = 4w."""
    w = torch.tensor(2.0, requires_grad=True)
    y = w ** 2
    z = 2 * y + 5
    z.backward()
    print("w = 2.0, z = 2*w**2 + 5 =", z.item())
    print("autograd: dz/dw =", w.grad.item(), "  by hand: 4*w =", 4 * 2.0)
    print("z.grad_fn =", z.grad_fn.name(), " next:", [f[0].name() for f in
                                                       z.grad_fn.next_functions if f[0]])


def chapter_grad_modes() -> None:
    """no_grad and enable_grad: switching gradient recording off and on."""
    x = torch.ones(2, requires_grad=True)
    with torch.no_grad():
        y = x * 2
        print("inside no_grad: (x * 2).requires_grad =", y.requires_grad)
        with torch.enable_grad():
            print("enable_grad inside it: (x * 2).requires_grad =", (x * 2).requires_grad)
    print("outside: (x * 2).requires_grad =", (x * 2).requires_grad)


def chapter_function() -> None:
    """A custom autograd.Function: forward and backward written by hand."""

    class Square(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, grad_output):
            (x,) = ctx.saved_tensors
            return 2 * x * grad_output

    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = Square.apply(x)
    y.backward(torch.ones(3))
    print("Square.apply(x) =", y.tolist(), " grad_fn:", y.grad_fn.name())
    print("x.grad (2x) =", x.grad.tolist())


CHAPTERS: list[tuple[str, Callable[[], None]]] = [
    ("Tensor shapes", chapter_shapes),
    ("view, squeeze, unsqueeze", chapter_view),
    ("H(X) = XW as a dot product", chapter_dot),
    ("Automatic differentiation", chapter_autograd),
    ("no_grad and enable_grad", chapter_grad_modes),
    ("A custom autograd.Function", chapter_function),
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="ember-tour", description=__doc__.splitlines()[0])
    parser.add_argument("--chapter", type=int, help="run only chapter N (1-based)")
    parser.add_argument("--list", action="store_true", help="list the chapters")
    args = parser.parse_args(argv)
    if args.list:
        for i, (title, fn) in enumerate(CHAPTERS, 1):
            print(f"{i}. {title}: {fn.__doc__}")
        return 0
    chosen = range(1, len(CHAPTERS) + 1) if args.chapter is None else [args.chapter]
    for n in chosen:
        if not 1 <= n <= len(CHAPTERS):
            parser.error(f"--chapter must be between 1 and {len(CHAPTERS)}, got {n}")
        title, fn = CHAPTERS[n - 1]
        print(f"\n=== {n}. {title} ===")
        print(fn.__doc__)
        fn()
    return 0


if __name__ == "__main__":
    sys.exit(main())
