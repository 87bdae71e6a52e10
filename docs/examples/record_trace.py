#!/usr/bin/env python3
"""Write a hisim trace (format v1) from two PyTorch classifiers.

Usage as a library: call write_trace(path, sml, lml, loader, meta) with your
own small model, large model and a DataLoader of the test set.  Run as a
script it demonstrates itself on random data with two untrained models.
"""

import torch


def write_trace(path, sml, lml, loader, meta, bytes_per_sample=None):
    """Run both models on every sample of loader and write one CSV row each."""
    sml.eval()
    lml.eval()
    rows, idx = [], 0
    with torch.no_grad():
        for x, y in loader:
            ps = torch.softmax(sml(x), dim=1)
            pl = torch.softmax(lml(x), dim=1)
            top2 = torch.topk(ps, 2, dim=1)
            for i in range(x.shape[0]):
                probs = [float("%.7g" % v) for v in ps[i].tolist()]
                rows.append([idx, int(y[i]), int(top2.indices[i, 0]), max(probs),
                             sorted(probs)[-2], int(pl[i].argmax()), float("%.7g" % pl[i].max())]
                            + ([bytes_per_sample] if bytes_per_sample else []) + probs)
                idx += 1
    k = len(rows[0]) - (8 if bytes_per_sample else 7)
    with open(path, "w", encoding="utf-8") as f:
        for key, value in meta.items():
            f.write("# %s: %s\n" % (key, value))
        header = ["id", "label", "sml_pred", "sml_conf", "sml_p2", "lml_pred", "lml_conf"]
        header += ["bytes"] if bytes_per_sample else []
        header += ["sml_prob_%d" % j for j in range(k)]
        f.write(",".join(header) + "\n")
        for r in rows:
            f.write(",".join("%.7g" % v if isinstance(v, float) else str(v) for v in r) + "\n")
    return len(rows)


if __name__ == "__main__":
    torch.manual_seed(0)
    x = torch.randn(200, 1, 28, 28)
    y = torch.randint(0, 10, (200,))
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=50)
    small = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 10))
    large = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 64), torch.nn.ReLU(),
                                torch.nn.Linear(64, 10))
    n = write_trace("example-trace.csv", small, large, loader,
                    {"dataset": "random", "sml_model": "linear", "lml_model": "mlp"}, 784)
    print("wrote example-trace.csv: %d samples" % n)
