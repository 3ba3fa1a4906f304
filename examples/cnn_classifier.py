"""A small CNN that tells four kinds of synthetic 28x28 images apart.

The images are drawn here with NumPy (nothing is downloaded): horizontal stripes, vertical
stripes, a filled square and a diagonal line, each at a random place with random brightness and
noise. Images are (N, C, H, W) = (batch, 1 channel (grey), 28, 28).
"""

import numpy as np

import ember as torch
import ember.nn as nn
from ember.utils.data import DataLoader, TensorDataset

CLASSES = ["horizontal stripes", "vertical stripes", "square", "diagonal"]


def draw(label, rng):
    """One 28x28 grey image of the given class."""
    img = np.zeros((28, 28), np.float32)
    if label == 0:                      # horizontal stripes, random period and phase
        period = rng.integers(3, 6)
        img[rng.integers(period)::period, :] = 1.0
    elif label == 1:                    # vertical stripes
        period = rng.integers(3, 6)
        img[:, rng.integers(period)::period] = 1.0
    elif label == 2:                    # a filled square somewhere
        size = rng.integers(6, 14)
        r, c = rng.integers(0, 28 - size, 2)
        img[r:r + size, c:c + size] = 1.0
    else:                               # a thick diagonal line, either direction
        shift = rng.integers(-8, 9)
        i = np.arange(28)
        for t in range(3):
            j = np.clip(i + shift + t, 0, 27)
            img[i, j if rng.random() < 0.5 else 27 - j] = 1.0
    img *= rng.uniform(0.5, 1.0)
    return img + rng.normal(0, 0.2, img.shape).astype(np.float32)


def make_data(n, rng):
    y = rng.integers(0, len(CLASSES), n)
    x = np.stack([draw(label, rng) for label in y])[:, None]   # (N, 1, 28, 28)
    return torch.from_numpy(x), torch.from_numpy(y)


def build_model():
    return nn.Sequential(
        nn.Conv2d(1, 8, kernel_size=3, padding=1), nn.ReLU(),    # (N, 8, 28, 28)
        nn.MaxPool2d(2),                                         # (N, 8, 14, 14)
        nn.Conv2d(8, 16, kernel_size=3, padding=1), nn.ReLU(),   # (N, 16, 14, 14)
        nn.MaxPool2d(2),                                         # (N, 16, 7, 7)
        nn.Flatten(),                                            # (N, 784)
        nn.Linear(16 * 7 * 7, len(CLASSES)),                     # (N, 4) class scores
    )


def show_shapes(model, x):
    """Run x through the layers one by one and print the shape after each."""
    print(f"{str(tuple(x.shape)):<18} input")
    with torch.no_grad():
        for layer in model:
            x = layer(x)
            print(f"{str(tuple(x.shape)):<18} after {layer}")


def accuracy(model, x, y):
    model.eval()
    with torch.no_grad():
        acc = (model(x).argmax(dim=1) == y).float().mean().item()
    model.train()
    return acc


def main(nb_epochs=3):
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    x_train, y_train = make_data(1024, rng)
    x_test, y_test = make_data(256, rng)
    loader = DataLoader(TensorDataset(x_train, y_train), batch_size=64, shuffle=True)

    model = build_model()
    show_shapes(model, x_train[:64])
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)

    for epoch in range(1, nb_epochs + 1):
        total, seen = 0.0, 0
        for x, y in loader:
            loss = criterion(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(x)
            seen += len(x)
        print(f"Epoch {epoch}/{nb_epochs} loss: {total / seen:.4f} "
              f"test accuracy: {accuracy(model, x_test, y_test) * 100:.2f}%")
    print(f"Final test accuracy: {accuracy(model, x_test, y_test) * 100:.2f}% "
          f"(chance: {100 / len(CLASSES):.0f}%)")


if __name__ == "__main__":
    main()
