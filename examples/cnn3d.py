"""The seed's 3D CNN: RGB volumes in, a class out.

The seed's notes feed RGB values into a 3D CNN "one channel per colour". Here the volumes are
short synthetic video clips drawn with NumPy: a coloured square moves either to the right or to
the left across 8 frames. The colour and the start position are random, so the only way to tell
the two classes apart is to look along the depth (time) axis: exactly what a 3-D kernel does.
"""

import numpy as np

import ember as torch
import ember.nn as nn

N_FRAMES, SIZE = 8, 16
CLASSES = ["moving right", "moving left"]

EXPLANATION = """\
How a 3-D CNN sees its input: a tensor of shape (N, C, D, H, W)
  N  batch: how many volumes (here clips) are processed at once
  C  channels: one per colour, so an RGB volume has C = 3 (red, green and blue planes);
     after a Conv3d, C is the number of filters (out_channels)
  D  depth: the third spatial axis (here the 8 frames of a clip; slices of a scan in medicine)
  H, W  height and width of each frame
A Conv3d kernel of size 3 has shape (C_in, 3, 3, 3): it always covers ALL input channels at once
(the colours are combined, not convolved over), and slides along D, H and W, producing one
number per position. Each of the out_channels kernels gives one output channel.
MaxPool3d(2) keeps the maximum of each 2x2x2 block, halving D, H and W; BatchNorm3d normalises
each channel over (N, D, H, W)."""


def make_clips(n, rng):
    """n RGB clips (n, 3, D, H, W) with a square moving right (label 0) or left (label 1)."""
    y = rng.integers(0, 2, n)
    x = rng.normal(0, 0.1, (n, 3, N_FRAMES, SIZE, SIZE)).astype(np.float32)
    for i in range(n):
        colour = rng.uniform(0.3, 1.0, 3).astype(np.float32)
        row = rng.integers(0, SIZE - 4)
        start = rng.integers(0, SIZE - 4 - N_FRAMES + 1)
        for t in range(N_FRAMES):
            col = start + t if y[i] == 0 else start + N_FRAMES - 1 - t
            x[i, :, t, row:row + 4, col:col + 4] += colour[:, None, None]
    return torch.from_numpy(x), torch.from_numpy(y)


def build_model():
    return nn.Sequential(
        nn.Conv3d(3, 8, kernel_size=3, padding=1),    # (N, 8, 8, 16, 16)
        nn.BatchNorm3d(8), nn.ReLU(),
        nn.MaxPool3d(2),                              # (N, 8, 4, 8, 8)
        nn.Conv3d(8, 16, kernel_size=3, padding=1),   # (N, 16, 4, 8, 8)
        nn.BatchNorm3d(16), nn.ReLU(),
        nn.MaxPool3d(2),                              # (N, 16, 2, 4, 4)
        nn.Flatten(),                                 # (N, 512)
        nn.Linear(16 * 2 * 4 * 4, len(CLASSES)),
    )


def show_shapes(model, x):
    print(f"{str(tuple(x.shape)):<22} input (N, C, D, H, W)")
    model.eval()
    with torch.no_grad():
        for layer in model:
            x = layer(x)
            print(f"{str(tuple(x.shape)):<22} after {layer}")
    model.train()


def main(steps=30):
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    x_train, y_train = make_clips(256, rng)
    x_test, y_test = make_clips(64, rng)
    print(EXPLANATION)
    print()
    model = build_model()
    print("Conv3d weight of the first layer (out_channels, C_in, kD, kH, kW):",
          tuple(model[0].weight.shape))
    show_shapes(model, x_train[:16])

    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    for step in range(1, steps + 1):
        idx = torch.randint(0, len(x_train), (32,))
        loss = criterion(model(x_train[idx]), y_train[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step == 1 or step % 5 == 0:
            print(f"step {step:3d}/{steps} loss: {loss.item():.4f}")
    model.eval()
    with torch.no_grad():
        acc = (model(x_test).argmax(dim=1) == y_test).float().mean().item()
    print(f"Test accuracy: {acc * 100:.2f}% (chance: 50%)")


if __name__ == "__main__":
    main()
