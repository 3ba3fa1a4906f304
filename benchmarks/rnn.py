"""Recurrent workloads (issue: RNN, LSTM and GRU): a word-level language-model training step,
Embedding(1000,128) - LSTM/RNN(128,256,batch_first) - Linear(256,1000), batch 32 x 35 tokens,
CrossEntropyLoss over all steps, Adam and clip_grad_norm_(1.0)."""

from __future__ import annotations


def lm_step(kind: str):
    def make(lib):
        nn = lib.nn
        lib.manual_seed(0)
        V, E, H, B, T = 1000, 128, 256, 32, 35

        class LM(nn.Module):
            def __init__(self):
                super().__init__()
                self.emb = nn.Embedding(V, E)
                self.rnn = (nn.LSTM if kind == "lstm" else nn.RNN)(E, H, batch_first=True)
                self.out = nn.Linear(H, V)

            def forward(self, ids):
                h, _ = self.rnn(self.emb(ids))
                return self.out(h)

        model = LM()
        opt = lib.optim.Adam(model.parameters(), lr=1e-3)
        loss_fn = nn.CrossEntropyLoss()
        ids = lib.randint(0, V, (B, T))
        target = lib.randint(0, V, (B, T))

        def step():
            opt.zero_grad()
            loss = loss_fn(model(ids).reshape(-1, V), target.reshape(-1))
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
        return step
    return make


WORKLOADS = {
    "lstm": lm_step("lstm"),
    "rnn": lm_step("rnn"),
}

if __name__ == "__main__":
    import os
    import sys
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from harness import compare, print_rows
    print_rows([compare(name, make) for name, make in WORKLOADS.items()])
