"""Softmax regression: 3 classes from 4 features, F.cross_entropy, SGD (wikidocs 60575)."""

import ember as torch
import ember.nn as nn
import ember.nn.functional as F
import ember.optim as optim

x_train = torch.FloatTensor([[1, 2, 1, 1],
                             [2, 1, 3, 2],
                             [3, 1, 3, 4],
                             [4, 1, 5, 5],
                             [1, 7, 5, 5],
                             [1, 2, 5, 6],
                             [1, 6, 6, 6],
                             [1, 7, 7, 7]])
y_train = torch.LongTensor([2, 2, 2, 1, 1, 1, 0, 0])


class SoftmaxClassifierModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(4, 3)  # 4 features, 3 classes

    def forward(self, x):
        return self.linear(x)  # logits; F.cross_entropy applies log_softmax


def train(model, nb_epochs=1000, log_every=100):
    """SGD(lr=0.1) on F.cross_entropy; returns the costs printed."""
    optimizer = optim.SGD(model.parameters(), lr=0.1)
    costs = []
    for epoch in range(nb_epochs + 1):
        prediction = model(x_train)
        cost = F.cross_entropy(prediction, y_train)
        optimizer.zero_grad()
        cost.backward()
        optimizer.step()
        if epoch % log_every == 0:
            costs.append(cost.item())
            print(f'Epoch {epoch:4d}/{nb_epochs} Cost: {cost.item():.6f}')
    return costs


if __name__ == "__main__":
    torch.manual_seed(1)
    model = SoftmaxClassifierModel()
    train(model)
    with torch.no_grad():
        predicted = model(x_train).argmax(dim=1)
    accuracy = (predicted == y_train).float().mean().item()
    print("predicted:", predicted.tolist(), " labels:", y_train.tolist())
    print(f"Accuracy: {accuracy * 100:.2f}%")
