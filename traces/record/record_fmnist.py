#!/usr/bin/python3
"""Record real softmax traces (hisim trace format v1) from Fashion-MNIST.

Trains, on the 60,000 Fashion-MNIST training images, with fixed seeds:

  * S-ML   a tinyML-sized CNN shaped like the S-ML of a hierarchical-inference
           (HI) edge device: conv -> max-pool -> flatten -> dense -> dense;
  * S-ML/b the same shape with a single sigmoid output: a binary
           relevant-vs-irrelevant classifier (filtering use case);
  * L-ML   a larger CNN (3 conv blocks with batch norm) for the edge server;
  * EE     a BranchyNet-style early-exit CNN: a backbone of 3 conv blocks with
           two exit branches plus the final exit, trained with a joint
           weighted cross-entropy loss;
  * EE8    a deeper early-exit CNN for split computing (EdgeLessPart): 8 conv
           blocks with a candidate exit after every block, each exit a copy
           of the network's own classifier (global average pool > dense10),
           so that any split leaves exits on both sides;

then runs all of them on the 10,000 test images and writes

  fmnist-cnn.csv       10-class trace: S-ML softmax, L-ML, early exits
  fmnist-relevant.csv  binary-relevance trace (one class is relevant)
  profile-sml.csv      per-layer profile of the S-ML
  profile-lml.csv      per-layer profile of the L-ML
  profile-ee.csv       per-layer profile of the early-exit model
  fmnist-ee8.csv       10-class trace of the 8 exits of EE8
  profile-ee8.csv      per-layer profile of EE8

--models picks the groups to record: `base` (the first five files) and
`ee8` (the last two).  Every model has its own seed, so a group recorded
alone has the same rows as in a run of both.

Must run with an interpreter that has torch (Debian's /usr/bin/python3 here);
needs nothing but torch and numpy, reads the idx files itself and downloads
nothing.  See README.md next to this file.
"""

import argparse
import collections
import datetime
import gzip
import os
import platform
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

__version__ = "1.1.0"

SCRIPT = "record_fmnist.py"
DEFAULT_DATA = "/usr/share/datasets/fashion-mnist"
CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
           "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
MEAN, STD = 0.2860, 0.3530          # Fashion-MNIST training-set pixel stats
IMAGE_BYTES = 28 * 28               # raw 8-bit 28x28 image
PROB_FMT = "%.7g"                   # probabilities: 7 significant digits

FILES = {
    "train_x": "train-images-idx3-ubyte.gz",
    "train_y": "train-labels-idx1-ubyte.gz",
    "test_x": "t10k-images-idx3-ubyte.gz",
    "test_y": "t10k-labels-idx1-ubyte.gz",
}


# --------------------------------------------------------------------------
# data

def read_idx(path):
    """Parses a (gzipped) idx file into a numpy array."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0:
        raise ValueError("%s: not an idx file" % path)
    dtypes = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4",
              0x0D: ">f4", 0x0E: ">f8"}
    dtype = np.dtype(dtypes[raw[2]])
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    off = 4 + 4 * ndim
    count = int(np.prod(dims))
    if len(raw) - off != count * dtype.itemsize:
        raise ValueError("%s: size mismatch" % path)
    return np.frombuffer(raw, dtype=dtype, offset=off).reshape(dims)


def load_data(data_dir):
    d = {k: read_idx(os.path.join(data_dir, v)) for k, v in FILES.items()}
    assert d["train_x"].shape == (60000, 28, 28), d["train_x"].shape
    assert d["test_x"].shape == (10000, 28, 28), d["test_x"].shape
    return d


def to_tensor(images):
    x = torch.from_numpy(images.astype(np.float32) / 255.0)
    return ((x - MEAN) / STD).unsqueeze(1)          # N x 1 x 28 x 28


# --------------------------------------------------------------------------
# models: every model is a list of named nn.Sequential "stages" so that the
# layers can be profiled one by one in execution order.

def seq(*named):
    return nn.Sequential(collections.OrderedDict(named))


class SML(nn.Module):
    """S-ML: conv -> max-pool -> flatten -> dense(ReLU) -> dense."""

    def __init__(self, filters=8, hidden=16, outputs=10):
        super().__init__()
        self.net = seq(
            ("conv", nn.Conv2d(1, filters, 3)),         # 28 -> 26
            ("relu1", nn.ReLU()),
            ("pool", nn.MaxPool2d(2)),                  # 26 -> 13
            ("flatten", nn.Flatten()),
            ("fc1", nn.Linear(filters * 13 * 13, hidden)),
            ("relu2", nn.ReLU()),
            ("fc2", nn.Linear(hidden, outputs)),
        )
        self.desc = ("cnn conv3x3(%d)+relu > maxpool2 > dense%d+relu > dense%d"
                     % (filters, hidden, outputs))

    def forward(self, x):
        return self.net(x)

    def stages(self):
        return [("", self.net)]


def conv_block(cin, cout):
    return seq(("conv", nn.Conv2d(cin, cout, 3, padding=1, bias=False)),
               ("bn", nn.BatchNorm2d(cout)),
               ("relu", nn.ReLU()),
               ("pool", nn.MaxPool2d(2)))


class LML(nn.Module):
    """L-ML: 3 x (conv3x3-BN-ReLU-maxpool) -> dense 256 -> dropout -> dense."""

    def __init__(self):
        super().__init__()
        self.b1 = conv_block(1, 32)                        # 32 x 14 x 14
        self.b2 = conv_block(32, 64)                       # 64 x 7 x 7
        self.b3 = conv_block(64, 128)                      # 128 x 3 x 3
        self.head = seq(("flatten", nn.Flatten()),
                        ("fc1", nn.Linear(128 * 3 * 3, 256)),
                        ("relu", nn.ReLU()),
                        ("drop", nn.Dropout(0.3)),
                        ("fc2", nn.Linear(256, 10)))
        self.desc = ("cnn 3x[conv3x3+bn+relu+maxpool2] (32,64,128) > "
                     "dense256+relu+dropout0.3 > dense10")

    def forward(self, x):
        return self.head(self.b3(self.b2(self.b1(x))))

    def stages(self):
        return [("b1.", self.b1), ("b2.", self.b2), ("b3.", self.b3),
                ("head.", self.head)]


class EarlyExit(nn.Module):
    """BranchyNet-style CNN: backbone blocks b1,b2,b3; exits ee1 (after b1),
    ee2 (after b2) and ee3 (the final exit, after b3)."""

    def __init__(self):
        super().__init__()
        self.b1 = conv_block(1, 16)                        # 16 x 14 x 14
        self.ee1 = seq(("pool", nn.MaxPool2d(2)),          # 16 x 7 x 7
                       ("flatten", nn.Flatten()),
                       ("fc", nn.Linear(16 * 7 * 7, 10)))
        self.b2 = conv_block(16, 32)                       # 32 x 7 x 7
        self.ee2 = seq(("conv", nn.Conv2d(32, 16, 3, padding=1)),
                       ("relu", nn.ReLU()),
                       ("pool", nn.MaxPool2d(2)),          # 16 x 3 x 3
                       ("flatten", nn.Flatten()),
                       ("fc", nn.Linear(16 * 3 * 3, 10)))
        self.b3 = conv_block(32, 64)                       # 64 x 3 x 3
        self.ee3 = seq(("flatten", nn.Flatten()),
                       ("fc1", nn.Linear(64 * 3 * 3, 128)),
                       ("relu", nn.ReLU()),
                       ("fc2", nn.Linear(128, 10)))
        self.desc = ("branchynet cnn backbone 3x[conv3x3+bn+relu+maxpool2] "
                     "(16,32,64); ee1 after b1: maxpool2>dense10; "
                     "ee2 after b2: conv3x3(16)+relu>maxpool2>dense10; "
                     "ee3 final: dense128+relu>dense10")

    def forward(self, x):
        h1 = self.b1(x)
        h2 = self.b2(h1)
        h3 = self.b3(h2)
        return self.ee1(h1), self.ee2(h2), self.ee3(h3)

    def stages(self):
        # execution order of an early-exit inference: an exit branch runs
        # right after the backbone block it hangs from.
        return [("b1.", self.b1), ("ee1.", self.ee1),
                ("b2.", self.b2), ("ee2.", self.ee2),
                ("b3.", self.b3), ("ee3.", self.ee3)]


EE_WEIGHTS = (0.5, 0.75, 1.0)   # joint loss weights of ee1, ee2, ee3


def plain_block(cin, cout, pool):
    named = [("conv", nn.Conv2d(cin, cout, 3, padding=1, bias=False)),
             ("bn", nn.BatchNorm2d(cout)),
             ("relu", nn.ReLU())]
    if pool:
        named.append(("pool", nn.MaxPool2d(2)))
    return seq(*named)


def gap_head(c):
    """The network's classifier, replicated at every exit (003 sec. III):
    global average pool > dense10."""
    return seq(("gap", nn.AdaptiveAvgPool2d(1)),
               ("flatten", nn.Flatten()),
               ("fc", nn.Linear(c, 10)))


# EE8 backbone: (output channels, max-pool after the block); 28 -> 14 -> 7
EE8_BLOCKS = ((16, False), (16, True),
              (32, False), (32, False), (32, True),
              (64, False), (64, False), (64, False))
EE8_WEIGHTS = (1.0,) * len(EE8_BLOCKS)   # joint loss: every exit weighs 1


class EarlyExit8(nn.Module):
    """Split-computing CNN: backbone blocks b1..b8 (conv3x3-BN-ReLU, max-pool
    after b2 and b5), exits ee1..ee7 after blocks 1..7 and ee8, the final
    classifier, after b8.  Every exit is the same classifier (global average
    pool > dense10), as in 003's evaluation ("we replicate the classifier of
    each original network")."""

    def __init__(self):
        super().__init__()
        blocks, heads, cin = [], [], 1
        for cout, pool in EE8_BLOCKS:
            blocks.append(plain_block(cin, cout, pool))
            heads.append(gap_head(cout))
            cin = cout
        self.blocks = nn.ModuleList(blocks)
        self.heads = nn.ModuleList(heads)
        self.desc = ("ee8 cnn backbone 8x[conv3x3+bn+relu] (16,16,32,32,32,"
                     "64,64,64; maxpool2 after b2 and b5); exit eek after "
                     "block k, each gap>dense10; ee8 = the final classifier")

    def forward(self, x):
        outs = []
        for b, h in zip(self.blocks, self.heads):
            x = b(x)
            outs.append(h(x))
        return tuple(outs)

    def stages(self):
        st = []
        for k, (b, h) in enumerate(zip(self.blocks, self.heads), 1):
            st += [("b%d." % k, b), ("ee%d." % k, h)]
        return st


def n_params(model):
    return sum(p.numel() for p in model.parameters())


# --------------------------------------------------------------------------
# training / inference

def train(model, x, y, epochs, lr, batch, seed, loss_fn, log, name):
    g = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    steps = epochs * ((len(x) + batch - 1) // batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(
        opt, max_lr=lr, total_steps=steps, pct_start=0.2)
    for ep in range(epochs):
        model.train()
        t0 = time.time()
        perm = torch.randperm(len(x), generator=g)
        total, nb = 0.0, 0
        for i in range(0, len(x), batch):
            idx = perm[i:i + batch]
            xb, yb = x[idx], y[idx]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            sched.step()
            total += float(loss)
            nb += 1
        log("  %s epoch %d/%d loss %.4f (%.1f s)"
            % (name, ep + 1, epochs, total / nb, time.time() - t0))


@torch.no_grad()
def infer(model, x, batch=1000):
    model.eval()
    outs = []
    for i in range(0, len(x), batch):
        o = model(x[i:i + batch])
        outs.append(o if isinstance(o, tuple) else (o,))
    return [torch.cat([o[k] for o in outs]) for k in range(len(outs[0]))]


def ce(out, y):
    return F.cross_entropy(out, y)


def ee_loss(outs, y):
    return sum(w * F.cross_entropy(o, y) for w, o in zip(EE_WEIGHTS, outs))


def ee8_loss(outs, y):
    return sum(w * F.cross_entropy(o, y) for w, o in zip(EE8_WEIGHTS, outs))


def bce(out, y):
    return F.binary_cross_entropy_with_logits(out.squeeze(1), y)


# --------------------------------------------------------------------------
# layer profiles

def layer_type(m):
    return type(m).__name__


def layer_flops(m, x, y):
    """Floating-point operations of one layer at batch 1 (multiply-add = 2)."""
    if isinstance(m, nn.Conv2d):
        k = m.kernel_size[0] * m.kernel_size[1] * (m.in_channels // m.groups)
        f = 2 * k * y.numel()
        return f + (y.numel() if m.bias is not None else 0)
    if isinstance(m, nn.Linear):
        return 2 * m.in_features * m.out_features + (
            m.out_features if m.bias is not None else 0)
    if isinstance(m, nn.BatchNorm2d):
        return 2 * y.numel()                # folded scale and shift
    if isinstance(m, nn.ReLU):
        return y.numel()
    if isinstance(m, nn.MaxPool2d):
        ks = m.kernel_size
        k = ks * ks if isinstance(ks, int) else ks[0] * ks[1]
        return (k - 1) * y.numel()          # comparisons
    if isinstance(m, nn.AdaptiveAvgPool2d):
        return x.numel()                    # one add per input element
    return 0                                # Flatten, Dropout (eval)


@torch.no_grad()
def profile(model, sample, runs, warmup):
    """Per-layer rows in execution order at batch 1, eval mode.

    Each run executes the whole model layer by layer, in execution order
    (an exit branch right after the backbone block it hangs from), timing
    every layer; a layer's cpu_ms is the median over `runs` runs after
    `warmup` runs.  Also returns the median time of the model's own forward
    (all exits for the early-exit model), timed in runs interleaved with
    the layer-by-layer ones."""
    model.eval()
    plan = []               # (name, module, first layer of a stage)
    for prefix, stage in model.stages():
        for i, (name, m) in enumerate(stage.named_children()):
            plan.append((prefix + name, m, i == 0))
    times = [[] for _ in plan]
    whole = []
    outs = [None] * len(plan)
    for r in range(warmup + runs):
        x = h = sample
        for j, (name, m, first) in enumerate(plan):
            if first:
                x = h               # every stage starts from the backbone
            t0 = time.perf_counter()
            y = m(x)
            t1 = time.perf_counter()
            if r >= warmup:
                times[j].append((t1 - t0) * 1e3)
            if not name.startswith("ee"):
                h = y
            outs[j] = (x, y)
            x = y
        t0 = time.perf_counter()
        model(sample)
        t1 = time.perf_counter()
        if r >= warmup:
            whole.append((t1 - t0) * 1e3)
    rows = []
    for j, (name, m, _) in enumerate(plan):
        x, y = outs[j]
        rows.append({
            "name": name,
            "type": layer_type(m),
            "flops": layer_flops(m, x, y),
            "params": sum(p.numel() for p in m.parameters()),
            "output_bytes": y.numel() * y.element_size(),
            "cpu_ms": float(np.median(times[j])),
        })
    return rows, float(np.median(whole))


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def write_profile(path, rows, meta):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for k, v in meta:
            f.write("# %s: %s\n" % (k, v))
        f.write("index,name,type,flops,params,output_bytes,cpu_ms\n")
        for i, r in enumerate(rows):
            f.write("%d,%s,%s,%d,%d,%d,%.4f\n" % (
                i, r["name"], r["type"], r["flops"], r["params"],
                r["output_bytes"], r["cpu_ms"]))


# --------------------------------------------------------------------------
# trace writing

def fmt_probs(p):
    """Formats float32 probabilities, each clamped to [0,1]."""
    return [PROB_FMT % min(1.0, max(0.0, float(v))) for v in p]


def write_trace(path, meta, header, rows):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for k, v in meta:
            f.write("# %s: %s\n" % (k, v))
        f.write(",".join(header) + "\n")
        for r in rows:
            f.write(",".join(r) + "\n")


def top2(strings, probs):
    """Index of the max, the max and 2nd-largest as the written strings."""
    order = np.argsort(-probs, kind="stable")
    return int(order[0]), strings[order[0]], strings[order[1]]


def acc(pred, label):
    return float(np.mean(np.asarray(pred) == np.asarray(label)))


# --------------------------------------------------------------------------

def machine_name():
    return "%s, %d cores" % (cpu_model(), os.cpu_count() or 0)


def profile_meta(model, machine, threads, load_before, load_after, runs,
                 warm, whole, rows, gap=False):
    return [
        ("profile_format", "1"),
        ("model", model.desc),
        ("params", str(n_params(model))),
        ("input", "1x1x28x28 float32 (%d bytes); raw image %d bytes"
         % (4 * IMAGE_BYTES, IMAGE_BYTES)),
        ("machine", machine),
        ("torch", torch.__version__),
        ("threads", str(threads)),
        ("load_average", "%.2f before, %.2f after profiling (1-min; "
                         "other processes on the machine slow the "
                         "timings)" % (load_before, load_after)),
        ("batch", "1"),
        ("runs", "%d (median; %d warm-up runs)" % (runs, warm)),
        ("timing", "each run executes the model layer by layer in "
                   "execution order and times every layer "
                   "(time.perf_counter, eval mode, torch.no_grad); "
                   "cpu_ms = median over the runs"),
        ("flops", "multiply-add = 2 (conv/dense incl. bias add); "
                  "batchnorm 2/elem; relu 1/elem; maxpool k*k-1 "
                  "comparisons/output; " + ("global average pool 1/input "
                  "elem; " if gap else "") + "flatten, dropout 0"),
        ("model_cpu_ms", "%.4f (the model's own forward, median; "
                         "sum of cpu_ms = %.4f)"
         % (whole, sum(r["cpu_ms"] for r in rows))),
    ]


def record_base(args, data, xtr, ytr, xte, yte, n_train, n_test, ep, log,
                t_start, load_start):
    """The S-ML, binary S-ML, L-ML and EE models: five files."""
    seed = args.seed
    # ---- S-ML (10 classes): small and briefly trained, on purpose -------
    torch.manual_seed(seed + 1)
    sml = SML(filters=8, hidden=16, outputs=10)
    train(sml, xtr, ytr, epochs=ep(1), lr=2e-3, batch=64, seed=seed + 1,
          loss_fn=ce, log=log, name="sml")
    # ---- S-ML/b (binary relevant-vs-rest) -------------------------------
    rc = args.relevant_class
    torch.manual_seed(seed + 2)
    smlb = SML(filters=8, hidden=32, outputs=1)
    smlb.desc = ("binary cnn conv3x3(8)+relu > maxpool2 > dense32+relu > "
                 "dense1+sigmoid")
    train(smlb, xtr, (ytr == rc).float(), epochs=ep(1), lr=2e-3, batch=64,
          seed=seed + 2, loss_fn=bce, log=log, name="sml-binary")
    # ---- L-ML -----------------------------------------------------------
    torch.manual_seed(seed + 3)
    lml = LML()
    train(lml, xtr, ytr, epochs=ep(8), lr=2e-3, batch=128, seed=seed + 3,
          loss_fn=ce, log=log, name="lml")
    # ---- early-exit model -----------------------------------------------
    torch.manual_seed(seed + 4)
    ee = EarlyExit()
    train(ee, xtr, ytr, epochs=ep(8), lr=2e-3, batch=128, seed=seed + 4,
          loss_fn=ee_loss, log=log, name="ee")
    t_train = time.time() - t_start
    log("training done")

    # ---- inference on the test set --------------------------------------
    s_prob = F.softmax(infer(sml, xte)[0], dim=1).numpy().astype(np.float32)
    l_prob = F.softmax(infer(lml, xte)[0], dim=1).numpy().astype(np.float32)
    e_prob = [F.softmax(o, dim=1).numpy().astype(np.float32)
              for o in infer(ee, xte)]
    b_p = torch.sigmoid(infer(smlb, xte)[0].squeeze(1)).numpy() \
        .astype(np.float32)
    log("inference done")

    # ---- rows of the 10-class trace --------------------------------------
    cnn_header = (["id", "label", "sml_pred", "sml_conf", "sml_p2"]
                  + ["sml_prob_%d" % k for k in range(10)]
                  + ["lml_pred", "lml_conf", "bytes"]
                  + ["ee%d_%s" % (e, c) for e in (1, 2, 3)
                     for c in ("conf", "pred", "p2")])
    cnn_rows = []
    c_sml, c_lml, c_ee = [], [], [[], [], []]
    for i in range(n_test):
        ps = fmt_probs(s_prob[i])
        sp, sconf, sp2 = top2(ps, s_prob[i])
        lp_s = fmt_probs(l_prob[i])
        lp, lconf, _ = top2(lp_s, l_prob[i])
        row = [str(i), str(int(yte[i])), str(sp), sconf, sp2] + ps + \
            [str(lp), lconf, str(IMAGE_BYTES)]
        c_sml.append(sp)
        c_lml.append(lp)
        for e in range(3):
            es = fmt_probs(e_prob[e][i])
            epred, econf, ep2 = top2(es, e_prob[e][i])
            row += [econf, str(epred), ep2]
            c_ee[e].append(epred)
        cnn_rows.append(row)

    # ---- rows of the binary-relevance trace -------------------------------
    rel = (yte == rc).astype(np.int64)
    rel_header = ["id", "label", "relevant", "sml_pred", "sml_conf",
                  "sml_p2", "sml_prob_0", "sml_prob_1", "lml_pred",
                  "lml_conf", "bytes"]
    rel_rows = []
    b_sml, b_lml = [], []
    for i in range(n_test):
        p1 = float(b_p[i])
        pb = np.array([1.0 - p1, p1], dtype=np.float64)
        pbs = fmt_probs(pb)
        bp, bconf, bp2 = top2(pbs, pb)
        # the L-ML's binary decision and its confidence in it
        lpr = float(l_prob[i][rc])
        lpred = 1 if int(np.argmax(l_prob[i])) == rc else 0
        lconf = PROB_FMT % min(1.0, max(0.0, lpr if lpred else 1.0 - lpr))
        rel_rows.append([str(i), str(int(rel[i])), str(int(rel[i])), str(bp),
                         bconf, bp2, pbs[0], pbs[1], str(lpred), lconf,
                         str(IMAGE_BYTES)])
        b_sml.append(bp)
        b_lml.append(lpred)

    a_sml, a_lml = acc(c_sml, yte), acc(c_lml, yte)
    a_ee = [acc(c, yte) for c in c_ee]
    a_bsml, a_blml = acc(b_sml, rel), acc(b_lml, rel)
    log("accuracy: sml %.4f  lml %.4f  ee %s  binary sml %.4f lml %.4f"
        % (a_sml, a_lml, " ".join("%.4f" % a for a in a_ee), a_bsml, a_blml))

    # ---- layer profiles ----------------------------------------------------
    runs = 20 if args.quick else args.profile_runs
    warm = 5 if args.quick else 20
    sample = xte[:1].clone()
    prof = {}
    load_before = os.getloadavg()[0]
    torch.set_num_threads(args.profile_threads)
    for name, model in (("sml", sml), ("lml", lml), ("ee", ee)):
        prof[name] = profile(model, sample, runs, warm)
    torch.set_num_threads(args.threads)
    load_after = os.getloadavg()[0]
    log("profiles done")

    t_total = time.time() - t_start
    now = datetime.datetime.now(datetime.timezone.utc) \
        .strftime("%Y-%m-%dT%H:%M:%SZ")
    script = "%s %s" % (SCRIPT, __version__)
    mode = "quick (smoke run, not for results)" if args.quick else "full"
    machine = machine_name()
    common_tail = [
        ("seed", str(seed)),
        ("script", script),
        ("mode", mode),
        ("torch", torch.__version__),
        ("threads", str(args.threads)),
        ("machine", machine),
        ("date", now),
        ("train_time_s", "%.1f" % t_train),
        ("recording_time_s", "%.1f" % t_total),
        ("load_average", "%.2f at start, %.2f at end (1-min; other "
                         "processes on the machine slow the recording)"
         % (load_start, os.getloadavg()[0])),
    ]
    os.makedirs(args.out_dir, exist_ok=True)

    cnn_meta = [
        ("trace_format", "1"),
        ("dataset", "Fashion-MNIST"),
        ("split", "test" if not args.quick else "test[:%d]" % n_test),
        ("train_split", "train[:%d]" % n_train),
        ("n", str(n_test)),
        ("classes", "; ".join("%d=%s" % (k, c) for k, c in enumerate(CLASSES))),
        ("sml_model", sml.desc),
        ("sml_params", str(n_params(sml))),
        ("sml_size_bytes", str(4 * n_params(sml))),
        ("sml_accuracy", "%.4f" % a_sml),
        ("lml_model", lml.desc),
        ("lml_params", str(n_params(lml))),
        ("lml_accuracy", "%.4f" % a_lml),
        ("ee_model", ee.desc),
        ("ee_params", str(n_params(ee))),
        ("ee_loss_weights", ",".join("%g" % w for w in EE_WEIGHTS)),
        ("ee1_accuracy", "%.4f" % a_ee[0]),
        ("ee2_accuracy", "%.4f" % a_ee[1]),
        ("ee3_accuracy", "%.4f" % a_ee[2]),
        ("bytes", "raw 28x28 8-bit image = %d" % IMAGE_BYTES),
    ] + common_tail
    write_trace(os.path.join(args.out_dir, "fmnist-cnn.csv"),
                cnn_meta, cnn_header, cnn_rows)

    rel_meta = [
        ("trace_format", "1"),
        ("dataset", "Fashion-MNIST"),
        ("split", "test" if not args.quick else "test[:%d]" % n_test),
        ("train_split", "train[:%d]" % n_train),
        ("n", str(n_test)),
        ("task", "binary relevance: label = relevant = 1 iff the true class "
                 "is relevant_class"),
        ("relevant_class", str(rc)),
        ("relevant_class_name", CLASSES[rc]),
        ("relevant_fraction", "%.4f" % float(rel.mean())),
        ("sml_model", smlb.desc),
        ("sml_kind", "separately trained binary CNN (sigmoid p = P(relevant); "
                     "sml_prob_1 = p, sml_prob_0 = 1-p, sml_pred = 1 iff p > 0.5, "
                     "sml_conf = max(p, 1-p))"),
        ("sml_params", str(n_params(smlb))),
        ("sml_size_bytes", str(4 * n_params(smlb))),
        ("sml_accuracy", "%.4f" % a_bsml),
        ("lml_model", lml.desc + " (the 10-class L-ML of fmnist-cnn.csv)"),
        ("lml_params", str(n_params(lml))),
        ("lml_decision", "lml_pred = 1 iff L-ML argmax == relevant_class; "
                         "lml_conf = q or 1-q where q = L-ML softmax of "
                         "relevant_class"),
        ("lml_accuracy", "%.4f" % a_blml),
        ("lml_accuracy_10class", "%.4f" % a_lml),
        ("bytes", "raw 28x28 8-bit image = %d" % IMAGE_BYTES),
    ] + common_tail
    write_trace(os.path.join(args.out_dir, "fmnist-relevant.csv"),
                rel_meta, rel_header, rel_rows)

    for name, model in (("sml", sml), ("lml", lml), ("ee", ee)):
        rows, whole = prof[name]
        meta = profile_meta(model, machine, args.profile_threads,
                            load_before, load_after, runs, warm, whole, rows)
        if name == "ee":
            meta.append(("exits", "ee1 after b1, ee2 after b2, ee3 = final "
                                  "exit after b3; rows are in execution "
                                  "order, so the device cost of stopping at "
                                  "exit k is the sum over rows 0 .. last "
                                  "row named eek.*"))
        meta += [("seed", str(seed)), ("script", script), ("mode", mode),
                 ("date", now)]
        write_profile(os.path.join(args.out_dir, "profile-%s.csv" % name),
                      rows, meta)

    return ["fmnist-cnn.csv", "fmnist-relevant.csv", "profile-sml.csv",
            "profile-lml.csv", "profile-ee.csv"]


def record_ee8(args, xtr, ytr, xte, yte, n_train, n_test, ep, log):
    """EE8, the split-computing model: fmnist-ee8.csv and profile-ee8.csv.

    The trace is also a valid HI trace: the required S-ML columns are exit
    1's, the L-ML columns the final classifier's (exit 8)."""
    seed = args.seed
    t0 = time.time()
    load_start = os.getloadavg()[0]
    torch.manual_seed(seed + 5)
    net = EarlyExit8()
    train(net, xtr, ytr, epochs=ep(6), lr=2e-3, batch=128, seed=seed + 5,
          loss_fn=ee8_loss, log=log, name="ee8")
    t_train = time.time() - t0
    n_exits = len(EE8_BLOCKS)
    probs = [F.softmax(o, dim=1).numpy().astype(np.float32)
             for o in infer(net, xte)]
    header = (["id", "label", "sml_pred", "sml_conf", "lml_pred",
               "lml_conf", "bytes"]
              + ["ee%d_%s" % (e, c) for e in range(1, n_exits + 1)
                 for c in ("conf", "pred")])
    rows, preds = [], [[] for _ in range(n_exits)]
    for i in range(n_test):
        ex = []
        for e in range(n_exits):
            es = fmt_probs(probs[e][i])
            epred, econf, _ = top2(es, probs[e][i])
            ex.append((econf, str(epred)))
            preds[e].append(epred)
        rows.append([str(i), str(int(yte[i])), ex[0][1], ex[0][0],
                     ex[-1][1], ex[-1][0], str(IMAGE_BYTES)]
                    + [v for c, p in ex for v in (c, p)])
    accs = [acc(p, yte) for p in preds]
    log("accuracy: ee8 exits %s" % " ".join("%.4f" % a for a in accs))

    runs = 20 if args.quick else args.profile_runs
    warm = 5 if args.quick else 20
    load_before = os.getloadavg()[0]
    torch.set_num_threads(args.profile_threads)
    prows, whole = profile(net, xte[:1].clone(), runs, warm)
    torch.set_num_threads(args.threads)
    load_after = os.getloadavg()[0]
    log("ee8 profile done")

    now = datetime.datetime.now(datetime.timezone.utc) \
        .strftime("%Y-%m-%dT%H:%M:%SZ")
    script = "%s %s" % (SCRIPT, __version__)
    mode = "quick (smoke run, not for results)" if args.quick else "full"
    machine = machine_name()
    meta = [
        ("trace_format", "1"),
        ("dataset", "Fashion-MNIST"),
        ("split", "test" if not args.quick else "test[:%d]" % n_test),
        ("train_split", "train[:%d]" % n_train),
        ("n", str(n_test)),
        ("classes", "; ".join("%d=%s" % (k, c)
                              for k, c in enumerate(CLASSES))),
        ("ee_model", net.desc),
        ("ee_params", str(n_params(net))),
        ("ee_loss_weights", ",".join("%g" % w for w in EE8_WEIGHTS)),
        ("ee_epochs", str(ep(6))),
        ("columns", "sml_pred, sml_conf = exit 1 (ee1_pred, ee1_conf); "
                    "lml_pred, lml_conf = the final classifier (ee%d_pred, "
                    "ee%d_conf)" % (n_exits, n_exits)),
    ]
    meta += [("ee%d_accuracy" % (e + 1), "%.4f" % a)
             for e, a in enumerate(accs)]
    meta += [
        ("sml_accuracy", "%.4f" % accs[0]),
        ("lml_accuracy", "%.4f" % accs[-1]),
        ("bytes", "raw 28x28 8-bit image = %d" % IMAGE_BYTES),
        ("seed", str(seed)),
        ("script", script),
        ("mode", mode),
        ("torch", torch.__version__),
        ("threads", str(args.threads)),
        ("machine", machine),
        ("date", now),
        ("train_time_s", "%.1f" % t_train),
        ("recording_time_s", "%.1f" % (time.time() - t0)),
        ("load_average", "%.2f at start, %.2f at end (1-min; other "
                         "processes on the machine slow the recording)"
         % (load_start, os.getloadavg()[0])),
    ]
    os.makedirs(args.out_dir, exist_ok=True)
    write_trace(os.path.join(args.out_dir, "fmnist-ee8.csv"), meta, header,
                rows)
    pmeta = profile_meta(net, machine, args.profile_threads, load_before,
                         load_after, runs, warm, whole, prows, gap=True)
    pmeta += [("exits", "eek after block bk (k = 1..%d), ee%d = the final "
                        "classifier; rows are in execution order, so the "
                        "device cost of stopping at exit k is the sum over "
                        "rows 0 .. last row named eek.*" % (n_exits, n_exits)),
              ("seed", str(seed)), ("script", script), ("mode", mode),
              ("date", now)]
    write_profile(os.path.join(args.out_dir, "profile-ee8.csv"), prows, pmeta)
    return ["fmnist-ee8.csv", "profile-ee8.csv"]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out-dir", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "fmnist"),
        help="where to write the traces (default: traces/fmnist)")
    ap.add_argument("--data-dir", default=DEFAULT_DATA,
                    help="Fashion-MNIST idx files (default: %(default)s)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--relevant-class", type=int, default=0)
    ap.add_argument("--profile-runs", type=int, default=200)
    ap.add_argument("--profile-threads", type=int, default=1,
                    help="torch threads while profiling at batch 1 "
                         "(default 1: with 2 OpenMP threads on a 2-core "
                         "machine any other running process stalls "
                         "every parallel layer by a scheduler time slice)")
    ap.add_argument("--quick", action="store_true",
                    help="smoke run: 6000 training images, 1 epoch each, "
                         "1000 test images, 20 profile runs")
    ap.add_argument("--models", default="base,ee8",
                    help="comma-separated groups to record: base (S-ML, "
                         "binary S-ML, L-ML, EE: five files) and ee8 (the "
                         "split-computing EE8: two files); default both")
    ap.add_argument("--version", action="version",
                    version="%s %s" % (SCRIPT, __version__))
    args = ap.parse_args(argv)
    groups = [g for g in args.models.split(",") if g]
    if not groups or any(g not in ("base", "ee8") for g in groups):
        ap.error("--models: expected a list of base and ee8, found '%s'"
                 % args.models)

    t_start = time.time()
    load_start = os.getloadavg()[0]

    def log(msg):
        print("[%7.1f s] %s" % (time.time() - t_start, msg), flush=True)

    torch.set_num_threads(args.threads)
    torch.use_deterministic_algorithms(True)
    seed = args.seed
    np.random.seed(seed)
    torch.manual_seed(seed)

    data = load_data(args.data_dir)
    n_train = 6000 if args.quick else 60000
    n_test = 1000 if args.quick else 10000
    xtr = to_tensor(data["train_x"][:n_train])
    ytr = torch.from_numpy(data["train_y"][:n_train].astype(np.int64))
    xte = to_tensor(data["test_x"][:n_test])
    yte = data["test_y"][:n_test].astype(np.int64)
    log("data: %d train, %d test images from %s"
        % (n_train, n_test, args.data_dir))

    def ep(full):
        return 1 if args.quick else full

    written = []
    if "base" in groups:
        written += record_base(args, data, xtr, ytr, xte, yte, n_train,
                               n_test, ep, log, t_start, load_start)
    if "ee8" in groups:
        written += record_ee8(args, xtr, ytr, xte, yte, n_train, n_test, ep,
                              log)
    log("wrote %s in %.1f s" % (os.path.abspath(args.out_dir),
                                time.time() - t_start))
    for f in written:
        p = os.path.join(args.out_dir, f)
        log("  %-20s %9d bytes" % (f, os.path.getsize(p)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
