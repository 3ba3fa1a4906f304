"""The seed's tensor and autograd examples, run as written with `import ember as torch` and with
real torch: every printed value must agree."""

import numpy as np
import pytest
import torch as real_torch

import ember

SNIPPETS = {
    "float_tensor": """
t = torch.FloatTensor([0., 1., 2., 3., 4., 5., 6.])
out = [t, t.dim(), t.shape, t.size(), t[0], t[-1], t[2:5], t[:-1]]
""",
    "view_squeeze_unsqueeze": """
a = torch.FloatTensor([[0., 1., 2., 3.], [4., 5., 6., 7.], [8., 9., 10., 11.]])
out = [a.view(3, 4, 1), a.view(3, 4, 1).size(), a.view(3, 4, 1).squeeze(),
       a.view(3, 4, 1).squeeze().size(), a.unsqueeze(0), a.unsqueeze(0).size(),
       a.unsqueeze(2), a.unsqueeze(2).size(), a.view(-1, 6), a.view(2, -1, 3).shape]
""",
    "batch_dim": """
x = torch.zeros(3000, 256)
out = [x.shape, x[:64].shape, torch.zeros(64, 28, 28).size()]
""",
    "dot_product": """
X = torch.FloatTensor([[73., 80., 75.], [93., 88., 93.], [89., 91., 90.]])
W = torch.FloatTensor([[0.5], [0.2], [0.3]])
out = [X @ W, X.matmul(W), (X * W.view(1, 3)).sum(dim=1, keepdim=True)]
""",
    "autograd": """
w = torch.tensor(2.0, requires_grad=True)
y = w ** 2
z = 2 * y + 5
z.backward()
out = [z, w.grad]
""",
    "grad_modes": """
x = torch.ones(2, 2, requires_grad=True)
with torch.no_grad():
    y = x * 2
with torch.enable_grad():
    z = x * 2
out = [y.requires_grad, z.requires_grad, torch.is_grad_enabled()]
""",
    "custom_function": """
class Exp(torch.autograd.Function):
    @staticmethod
    def forward(ctx, i):
        result = i.exp()
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad_output):
        result, = ctx.saved_tensors
        return grad_output * result

x = torch.tensor([0.5, 1.0, 2.0], requires_grad=True)
y = Exp.apply(x)
y.backward(torch.ones(3))
out = [y, x.grad]
""",
}


def _run(module, src):
    scope = {"torch": module}
    exec(src, scope)
    return scope["out"]


def _same(e, t):
    if isinstance(t, real_torch.Tensor):
        assert isinstance(e, ember.Tensor)
        assert tuple(e.shape) == tuple(t.shape)
        assert str(e.dtype).split(".")[-1] == str(t.dtype).split(".")[-1]
        np.testing.assert_allclose(e.detach().numpy(), t.detach().numpy(), rtol=1e-6)
    else:
        assert tuple(e) == tuple(t) if isinstance(t, tuple) else e == t


@pytest.mark.parametrize("name", sorted(SNIPPETS))
def test_seed_example(name):
    got = _run(ember, SNIPPETS[name])
    want = _run(real_torch, SNIPPETS[name])
    assert len(got) == len(want)
    for e, t in zip(got, want):
        _same(e, t)


def test_tour_runs(capsys, tmp_path):
    from ember import tour
    assert tour.main(["--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "dz/dw = 8.0" in out and "by hand: 4*w = 8.0" in out
    assert "a.unsqueeze(0).size() = ember.Size([1, 12])" in out
