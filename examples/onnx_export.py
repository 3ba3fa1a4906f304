"""Export the seed's linear regression, an MLP and a small CNN to ONNX, run them in
onnxruntime and print both frameworks' outputs side by side."""

import os
import tempfile

import numpy as np
import onnxruntime as ort

import ember
import ember.nn as nn
import ember.nn.functional as F

ember.manual_seed(0)
x = ember.tensor([[1.0], [2.0], [3.0], [4.0]])
y = 2 * x + 1
lin = nn.Linear(1, 1)
opt = ember.optim.SGD(lin.parameters(), lr=0.05)
for _ in range(200):
    opt.zero_grad()
    F.mse_loss(lin(x), y).backward()
    opt.step()
mlp = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 3), nn.Softmax(-1))
cnn = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                    nn.Conv2d(4, 8, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
                    nn.Flatten(), nn.Linear(8, 3))

with tempfile.TemporaryDirectory() as tmp:
    for name, model, inp in (("linear_regression", lin, x), ("mlp", mlp, ember.randn(3, 4)),
                             ("cnn", cnn, ember.randn(2, 1, 8, 8))):
        path = os.path.join(tmp, name + ".onnx")
        report = ember.onnx.export(model, inp, path, input_names=["x"], output_names=["y"],
                                   dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}},
                                   verify=True)
        sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
        got = sess.run(["y"], {"x": inp.numpy()})[0]
        want = model(inp).detach().numpy()
        print(f"{name}: ops {report.ops}, max |ember - onnxruntime| = {report.max_abs_diff:.2e}")
        print(f"  {'ember':>32} | onnxruntime")
        for a, b in zip(want, got):
            print(f"  {np.array2string(a, precision=5):>32} | {np.array2string(b, precision=5)}")
