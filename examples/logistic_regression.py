"""Logistic regression: H(x) = sigmoid(xW + b), binary cross-entropy, SGD (wikidocs 58686)."""

import ember as torch
import ember.nn as nn
import ember.nn.functional as F
import ember.optim as optim

x_train = torch.FloatTensor([[1, 2], [2, 3], [3, 1], [4, 3], [5, 3], [6, 2]])
y_train = torch.FloatTensor([[0], [0], [0], [1], [1], [1]])


class BinaryClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(2, 1)
        self.sigmoid = nn.Sigmoid()

    def forward(self, x):
        return self.sigmoid(self.linear(x))


def train(model, nb_epochs=1000, log_every=100):
    """SGD(lr=1) on F.binary_cross_entropy; returns the costs printed."""
    optimizer = optim.SGD(model.parameters(), lr=1)
    costs = []
    for epoch in range(nb_epochs + 1):
        hypothesis = model(x_train)
        cost = F.binary_cross_entropy(hypothesis, y_train)
        optimizer.zero_grad()
        cost.backward()
        optimizer.step()
        if epoch % log_every == 0:
            prediction = hypothesis >= torch.FloatTensor([0.5])
            correct_prediction = prediction.float() == y_train
            accuracy = correct_prediction.sum().item() / len(correct_prediction)
            costs.append(cost.item())
            print(f'Epoch {epoch:4d}/{nb_epochs} Cost: {cost.item():.6f} '
                  f'Accuracy {accuracy * 100:2.2f}%')
    return costs


if __name__ == "__main__":
    torch.manual_seed(1)
    model = BinaryClassifier()
    train(model)
    print("probabilities:", [round(p, 4) for p in model(x_train).squeeze(1).tolist()])
    print("predictions:  ", (model(x_train) >= 0.5).squeeze(1).int().tolist())
