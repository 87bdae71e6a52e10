#!/usr/bin/python3
"""derive_profiles.py — layer profiles of four ImageNet DNNs from their
published architectures (the workloads of HiDP, 004 §IV-A).

Writes one CSV per model in the layer profile format (docs/trace-format.md,
"Layer profiles"): metadata lines, then index,name,type,flops,params,
output_bytes.  There is no cpu_ms column: nothing was timed; a simulator
derives times from FLOPs and processor rates.

One row is one *block between cut points*: a DNN can be split between two
rows only where a single tensor crosses (never inside a residual block or an
inception module, whose branches and shortcut need several tensors).  The
row's output_bytes is that tensor (float32, batch 1).

Architectures follow the Keras Applications definitions that 004 used
(TensorFlow): VGG19, ResNet152 (v1, stride on the first 1x1 of a block),
InceptionV3, EfficientNetB0.  The script checks every model's parameter
count against the Keras figure exactly, which checks the layer shapes.

FLOPs (the convention of traces/fmnist/profile-*.csv): a multiply-add is 2
(convolutions and dense layers: 2 x kernel volume x outputs; a bias adds 1
per output); batch normalisation 2 per element; ReLU 1 per element; swish
(x * sigmoid(x)) 4 per element and sigmoid 3 (exp, add, divide); residual
add and SE scaling 1 per element; max pooling k*k - 1 comparisons per
output; average pooling k*k per output (adds and a divide); global average
pooling 1 per input element; concatenation, flatten and dropout 0.

Usage: derive_profiles.py [OUT_DIR]   (default: the folder of this script)
"""

import math
import os
import sys

VERSION = "1.0.0"
F32 = 4


class Net:
    """Tracks the tensor shape (H, W, C) and accumulates rows."""

    def __init__(self, name, h, w, c):
        self.name = name
        self.h, self.w, self.c = h, w, c
        self.input_shape = (h, w, c)
        self.rows = []
        self._reset()

    def _reset(self):
        self.flops = 0
        self.params = 0

    # ---- operations on the current tensor; they add to the open row ----

    @staticmethod
    def out_size(n, k, s, pad):
        if pad == "same":
            return -(-n // s)                      # ceil(n / s), TF 'same'
        return (n - k) // s + 1                    # 'valid'

    def conv(self, cout, kh, kw=None, s=1, pad="same", bias=True, groups=1, shape=None):
        """A convolution from shape (h, w, c) (default: the current tensor)."""
        kw = kh if kw is None else kw
        h, w, c = shape if shape else (self.h, self.w, self.c)
        ho, wo = self.out_size(h, kh, s, pad), self.out_size(w, kw, s, pad)
        cin_g = c // groups
        outs = ho * wo * cout
        self.flops += 2 * kh * kw * cin_g * outs + (outs if bias else 0)
        self.params += kh * kw * cin_g * cout + (cout if bias else 0)
        if not shape:
            self.h, self.w, self.c = ho, wo, cout
        return (ho, wo, cout)

    def dwconv(self, k, s, pad="same"):
        """Depthwise convolution (one k x k filter per channel, no bias)."""
        return self.conv(self.c, k, k, s, pad, bias=False, groups=self.c)

    def bn(self, shape=None, scale=True):
        h, w, c = shape if shape else (self.h, self.w, self.c)
        self.flops += 2 * h * w * c
        # Keras: gamma (if scale), beta, moving mean, moving variance
        self.params += (4 if scale else 3) * c

    def act(self, per_elem, shape=None):
        h, w, c = shape if shape else (self.h, self.w, self.c)
        self.flops += per_elem * h * w * c

    def relu(self, shape=None):
        self.act(1, shape)

    def swish(self, shape=None):
        self.act(4, shape)

    def maxpool(self, k, s, pad="valid", shape=None):
        h, w, c = shape if shape else (self.h, self.w, self.c)
        ho, wo = self.out_size(h, k, s, pad), self.out_size(w, k, s, pad)
        self.flops += (k * k - 1) * ho * wo * c
        if not shape:
            self.h, self.w = ho, wo
        return (ho, wo, c)

    def avgpool(self, k, s, pad="same", shape=None):
        h, w, c = shape if shape else (self.h, self.w, self.c)
        ho, wo = self.out_size(h, k, s, pad), self.out_size(w, k, s, pad)
        self.flops += k * k * ho * wo * c
        if not shape:
            self.h, self.w = ho, wo
        return (ho, wo, c)

    def gap(self):
        self.flops += self.h * self.w * self.c
        self.h, self.w = 1, 1

    def dense(self, cout, bias=True):
        cin = self.h * self.w * self.c
        self.flops += 2 * cin * cout + (cout if bias else 0)
        self.params += cin * cout + (cout if bias else 0)
        self.h, self.w, self.c = 1, 1, cout

    # ---- rows ----

    def row(self, name, kind):
        self.rows.append((name, kind, self.flops, self.params, self.h * self.w * self.c * F32))
        self._reset()

    def total_params(self):
        return sum(r[3] for r in self.rows)

    def total_flops(self):
        return sum(r[2] for r in self.rows)


# ---------------------------------------------------------------- VGG-19

def vgg19():
    n = Net("vgg-19", 224, 224, 3)
    cfg = [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M",
           512, 512, 512, 512, "M", 512, 512, 512, 512, "M"]
    block, conv = 1, 1
    for v in cfg:
        if v == "M":
            n.maxpool(2, 2)
            n.row("block%d_pool" % block, "pool")
            block, conv = block + 1, 1
        else:
            n.conv(v, 3)
            n.relu()
            n.row("block%d_conv%d" % (block, conv), "conv")
            conv += 1
    n.dense(4096)          # flatten folded into fc1 (flatten moves no data)
    n.relu()
    n.row("fc1", "dense")
    n.dense(4096)
    n.relu()
    n.row("fc2", "dense")
    n.dense(1000)
    n.act(3)               # softmax: exp, sum, divide
    n.row("predictions", "dense")
    return n, 143667240


# ---------------------------------------------------------------- ResNet-152

def resnet152():
    n = Net("resnet-152", 224, 224, 3)
    n.conv(64, 7, s=2, pad="same")   # Keras: ZeroPadding(3) + 7x7/2 valid = 112
    n.bn()
    n.relu()
    n.row("conv1", "conv")
    n.maxpool(3, 2, pad="same")      # ZeroPadding(1) + 3x3/2 valid = 56
    n.row("pool1", "pool")
    stages = [(64, 3, 1), (128, 8, 2), (256, 36, 2), (512, 3, 2)]
    for si, (width, blocks, stride) in enumerate(stages, start=2):
        for b in range(1, blocks + 1):
            s = stride if b == 1 else 1
            x = (n.h, n.w, n.c)
            if b == 1:   # projection shortcut: 1x1/s conv + BN
                sc = n.conv(4 * width, 1, s=s, shape=x)
                n.bn(shape=sc)
            n.conv(width, 1, s=s)
            n.bn()
            n.relu()
            n.conv(width, 3)
            n.bn()
            n.relu()
            n.conv(4 * width, 1)
            n.bn()
            n.act(1)         # residual add
            n.relu()
            n.row("conv%d_block%d" % (si, b), "residual")
    n.gap()
    n.row("avg_pool", "pool")
    n.dense(1000)
    n.act(3)
    n.row("predictions", "dense")
    return n, 60419944


# ---------------------------------------------------------------- InceptionV3

def conv_bn(n, cout, kh, kw=None, s=1, pad="same", shape=None):
    """Keras InceptionV3 conv2d_bn: conv without bias, BN without scale, ReLU."""
    out = n.conv(cout, kh, kw, s, pad, bias=False, shape=shape)
    n.bn(shape=out, scale=False)
    n.relu(shape=out)
    return out


def inception_v3():
    n = Net("inception-v3", 299, 299, 3)
    conv_bn(n, 32, 3, s=2, pad="valid")
    n.row("conv1", "conv")
    conv_bn(n, 32, 3, pad="valid")
    n.row("conv2", "conv")
    conv_bn(n, 64, 3)
    n.row("conv3", "conv")
    n.maxpool(3, 2)
    n.row("pool1", "pool")
    conv_bn(n, 80, 1, pad="valid")
    n.row("conv4", "conv")
    conv_bn(n, 192, 3, pad="valid")
    n.row("conv5", "conv")
    n.maxpool(3, 2)
    n.row("pool2", "pool")

    def chain(x, layers):
        """Runs conv_bn layers (cout, kh, kw, s, pad) from shape x."""
        for (c, kh, kw, s, pad) in layers:
            x = conv_bn(n, c, kh, kw, s, pad, shape=x)
        return x

    def module(name, branches, ho, wo):
        """A module: branches from the current tensor, then concatenation."""
        x = (n.h, n.w, n.c)
        cout = 0
        for br in branches:
            cout += br(x)[2]
        n.h, n.w, n.c = ho, wo, cout
        n.row(name, "inception")

    # mixed0-2 (35 x 35)
    for i, pool_c in enumerate([32, 64, 64]):
        module("mixed%d" % i, [
            lambda x: chain(x, [(64, 1, 1, 1, "same")]),
            lambda x: chain(x, [(48, 1, 1, 1, "same"), (64, 5, 5, 1, "same")]),
            lambda x: chain(x, [(64, 1, 1, 1, "same"), (96, 3, 3, 1, "same"), (96, 3, 3, 1, "same")]),
            lambda x, pc=pool_c: chain(n.avgpool(3, 1, "same", shape=x), [(pc, 1, 1, 1, "same")]),
        ], 35, 35)
    # mixed3 (reduction to 17 x 17)
    module("mixed3", [
        lambda x: chain(x, [(384, 3, 3, 2, "valid")]),
        lambda x: chain(x, [(64, 1, 1, 1, "same"), (96, 3, 3, 1, "same"), (96, 3, 3, 2, "valid")]),
        lambda x: n.maxpool(3, 2, "valid", shape=x),
    ], 17, 17)
    # mixed4-7 (17 x 17)
    for i, c in zip(range(4, 8), [128, 160, 160, 192]):
        module("mixed%d" % i, [
            lambda x: chain(x, [(192, 1, 1, 1, "same")]),
            lambda x, c=c: chain(x, [(c, 1, 1, 1, "same"), (c, 1, 7, 1, "same"), (192, 7, 1, 1, "same")]),
            lambda x, c=c: chain(x, [(c, 1, 1, 1, "same"), (c, 7, 1, 1, "same"), (c, 1, 7, 1, "same"),
                                     (c, 7, 1, 1, "same"), (192, 1, 7, 1, "same")]),
            lambda x: chain(n.avgpool(3, 1, "same", shape=x), [(192, 1, 1, 1, "same")]),
        ], 17, 17)
    # mixed8 (reduction to 8 x 8)
    module("mixed8", [
        lambda x: chain(x, [(192, 1, 1, 1, "same"), (320, 3, 3, 2, "valid")]),
        lambda x: chain(x, [(192, 1, 1, 1, "same"), (192, 1, 7, 1, "same"), (192, 7, 1, 1, "same"),
                            (192, 3, 3, 2, "valid")]),
        lambda x: n.maxpool(3, 2, "valid", shape=x),
    ], 8, 8)

    # mixed9-10 (8 x 8): the 3x3 branches fork into 1x3 and 3x1
    def split(x, c):
        return (x[0], x[1], chain(x, [(c, 1, 3, 1, "same")])[2] + chain(x, [(c, 3, 1, 1, "same")])[2])

    for i in (9, 10):
        module("mixed%d" % i, [
            lambda x: chain(x, [(320, 1, 1, 1, "same")]),
            lambda x: split(chain(x, [(384, 1, 1, 1, "same")]), 384),
            lambda x: split(chain(x, [(448, 1, 1, 1, "same"), (384, 3, 3, 1, "same")]), 384),
            lambda x: chain(n.avgpool(3, 1, "same", shape=x), [(192, 1, 1, 1, "same")]),
        ], 8, 8)
    n.gap()
    n.row("avg_pool", "pool")
    n.dense(1000)
    n.act(3)
    n.row("predictions", "dense")
    return n, 23851784


# ---------------------------------------------------------------- EfficientNet-B0

def efficientnet_b0():
    n = Net("efficientnet-b0", 224, 224, 3)
    n.conv(32, 3, s=2, bias=False)
    n.bn()
    n.swish()
    n.row("stem", "conv")
    # (expand ratio, kernel, stride, output channels, repeats)
    stages = [(1, 3, 1, 16, 1), (6, 3, 2, 24, 2), (6, 5, 2, 40, 2), (6, 3, 2, 80, 3),
              (6, 5, 1, 112, 3), (6, 5, 2, 192, 4), (6, 3, 1, 320, 1)]
    for si, (t, k, stride, cout, reps) in enumerate(stages, start=1):
        for r in range(reps):
            s = stride if r == 0 else 1
            cin = n.c
            cexp = cin * t
            if t != 1:
                n.conv(cexp, 1, bias=False)
                n.bn()
                n.swish()
            n.dwconv(k, s)
            n.bn()
            n.swish()
            # squeeze and excitation, ratio 0.25 of the block's input channels
            h, w = n.h, n.w
            n.flops += h * w * cexp                  # global average pooling
            cse = max(1, int(cin * 0.25))
            n.flops += 2 * cexp * cse + cse + 4 * cse    # reduce 1x1 (bias) + swish
            n.params += cexp * cse + cse
            n.flops += 2 * cse * cexp + cexp + 3 * cexp  # expand 1x1 (bias) + sigmoid
            n.params += cse * cexp + cexp
            n.flops += h * w * cexp                  # scale
            n.conv(cout, 1, bias=False)
            n.bn()
            if s == 1 and cin == cout:
                n.act(1)                             # residual add
            n.row("block%d%s" % (si, "abcd"[r]), "mbconv")
    n.conv(1280, 1, bias=False)
    n.bn()
    n.swish()
    n.row("top_conv", "conv")
    n.gap()
    n.row("avg_pool", "pool")
    n.dense(1000)
    n.act(3)
    n.row("predictions", "dense")
    # Keras counts 7 more (its input Normalization layer's mean, variance, count)
    return n, 5330571 - 7


MODELS = [
    (efficientnet_b0, "EfficientNetB0 (Tan and Le, ICML 2019, Table 1; Keras Applications efficientnet.py)",
     "224x224x3"),
    (inception_v3, "InceptionV3 (Szegedy et al., CVPR 2016; Keras Applications inception_v3.py)", "299x299x3"),
    (resnet152, "ResNet152 v1 (He et al., CVPR 2016, Table 1; Keras Applications resnet.py)", "224x224x3"),
    (vgg19, "VGG19 (Simonyan and Zisserman, ICLR 2015, Table 1, config E; Keras Applications vgg19.py)",
     "224x224x3"),
]


def write(net, source, keras_params, out_dir):
    got = net.total_params()
    if got != keras_params:
        sys.exit("%s: %d parameters, Keras has %d: the architecture is wrong" % (net.name, got, keras_params))
    h, w, c = net.input_shape
    tensor = h * w * c * F32
    raw = h * w * c
    path = os.path.join(out_dir, net.name + ".csv")
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        f.write("# profile_format: 1\n")
        f.write("# model: %s\n" % net.name)
        f.write("# source: %s\n" % source)
        f.write("# params: %d (equals the Keras Applications count)\n" % got)
        f.write("# total_flops: %d\n" % net.total_flops())
        f.write("# input: 1x%dx%dx%d float32 (%d bytes); raw image %d bytes\n" % (c, h, w, tensor, raw))
        f.write("# rows: one block between cut points each (one tensor crosses every row boundary); "
                "output_bytes = that tensor, float32, batch 1\n")
        f.write("# flops: multiply-add = 2 (conv/dense), bias 1/output; batchnorm 2/elem; relu 1/elem; "
                "swish 4/elem; sigmoid 3/elem; add and SE scale 1/elem; maxpool k*k-1/output; "
                "avgpool k*k/output; global pool 1/input elem; softmax 3/elem\n")
        f.write("# timing: none (no cpu_ms column): derived from the architecture, not measured\n")
        f.write("# script: traces/dnn/derive_profiles.py %s\n" % VERSION)
        f.write("index,name,type,flops,params,output_bytes\n")
        for i, (name, kind, flops, params, out) in enumerate(net.rows):
            f.write("%d,%s,%s,%d,%d,%d\n" % (i, name, kind, flops, params, out))
    os.replace(tmp, path)
    return path


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    for build, source, _ in MODELS:
        net, keras = build()
        path = write(net, source, keras, out_dir)
        print("%-16s %3d rows  %6.3f GFLOP  %11d params  -> %s" %
              (net.name, len(net.rows), net.total_flops() / 1e9, net.total_params(), path))


if __name__ == "__main__":
    main()
