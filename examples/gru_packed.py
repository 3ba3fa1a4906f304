"""A GRU over packed variable-length sequences: predict each sequence's length from its
content (lengths 2..10, zero-padded); prints the loss falling."""

import ember
from ember import nn
from ember.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence


def main(steps: int = 60) -> float:
    ember.manual_seed(0)
    gru = nn.GRU(3, 24, batch_first=True, bidirectional=True)
    head = nn.Linear(48, 1)
    params = list(gru.parameters()) + list(head.parameters())
    opt = ember.optim.Adam(params, lr=0.02)
    for step in range(steps):
        lengths = ember.randint(2, 11, (16,))
        x = ember.rand(16, 10, 3)
        packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        out, h = gru(packed)
        padded, lens = pad_packed_sequence(out, batch_first=True)
        assert lens.tolist() == lengths.tolist()
        pred = head(ember.cat([h[0], h[1]], -1)).squeeze(-1)
        loss = ((pred - lengths.float()) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 20 == 0 or step == steps - 1:
            print(f"step {step:3d}  loss {loss.item():.4f}")
    return loss.item()


if __name__ == "__main__":
    main()
