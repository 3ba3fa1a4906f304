"""A character-level RNN that learns to continue a fixed string; prints losses and the
predicted string (the same code runs with `import torch as ember`)."""

import ember
from ember import nn

TEXT = "hello ember, hello torch. "


def main(steps: int = 80) -> str:
    ember.manual_seed(0)
    chars = sorted(set(TEXT))
    idx = {c: i for i, c in enumerate(chars)}
    data = ember.tensor([idx[c] for c in TEXT * 2])
    x, y = data[:-1].unsqueeze(0), data[1:].unsqueeze(0)

    emb = nn.Embedding(len(chars), 16)
    rnn = nn.RNN(16, 64, batch_first=True)
    head = nn.Linear(64, len(chars))
    params = list(emb.parameters()) + list(rnn.parameters()) + list(head.parameters())
    opt = ember.optim.Adam(params, lr=0.01)
    for step in range(steps):
        out, _ = rnn(emb(x))
        loss = nn.functional.cross_entropy(head(out).reshape(-1, len(chars)), y.reshape(-1))
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        if step % 30 == 0 or step == steps - 1:
            print(f"step {step:3d}  loss {loss.item():.4f}")
    # continue the string from its first character
    with ember.no_grad():
        c = data[:1].unsqueeze(0)
        h = None
        text = TEXT[0]
        for _ in range(len(TEXT) - 1):
            out, h = rnn(emb(c), h)
            c = head(out[:, -1]).argmax(-1, keepdim=True)
            text += chars[c.item()]
    print("predicted:", repr(text))
    return text


if __name__ == "__main__":
    main()
