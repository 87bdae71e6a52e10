#!/usr/bin/env python3
"""Checks traces written by record_fmnist.py (hisim trace format v1).

    python3 traces/record/check_traces.py [DIR]      (default: traces/fmnist)

Standard library only.  Verifies, for every trace: the required columns,
integer predictions in range, probabilities in [0,1], sml_p2 <= sml_conf,
sml_conf == max(sml_prob_*) as written, the softmax rows sum to ~1, and
that every *_accuracy in the metadata equals the accuracy recomputed from
the rows.  For the profiles: the columns and non-negative values.
Exits 1 on the first failure.
"""

import csv
import os
import sys

REQUIRED = ("label", "sml_pred", "sml_conf", "lml_pred")


def read(path):
    meta, lines = {}, []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not lines and line.startswith("#"):
                k, _, v = line[1:].strip().partition(":")
                meta[k.strip()] = v.strip()
            else:
                lines.append(line)
    rows = list(csv.DictReader(lines))
    return meta, rows


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def check_trace(path):
    meta, rows = read(path)
    cols = rows[0].keys()
    for c in REQUIRED:
        if c not in cols:
            fail("%s: missing column %s" % (path, c))
    if meta.get("n") and int(meta["n"]) != len(rows):
        fail("%s: n=%s but %d rows" % (path, meta["n"], len(rows)))
    probs = sorted((c for c in cols if c.startswith("sml_prob_")),
                   key=lambda c: int(c[9:]))
    k = len(probs)
    conf_cols = [c for c in cols if c.endswith("_conf") or c == "sml_p2"]
    correct = {}
    for i, r in enumerate(rows):
        where = "%s: row %d" % (path, i)
        for c in conf_cols + probs:
            v = float(r[c])
            if not 0.0 <= v <= 1.0:
                fail("%s: %s=%s outside [0,1]" % (where, c, r[c]))
        if "sml_p2" in r and float(r["sml_p2"]) > float(r["sml_conf"]):
            fail("%s: sml_p2 > sml_conf" % where)
        if probs:
            p = [float(r[c]) for c in probs]
            if float(r["sml_conf"]) != max(p):
                fail("%s: sml_conf != max(sml_prob_*)" % where)
            if p.index(max(p)) != int(r["sml_pred"]) and \
                    p.count(max(p)) == 1:
                fail("%s: sml_pred is not the argmax" % where)
            if abs(sum(p) - 1.0) > 1e-4:
                fail("%s: sml_prob_* sum to %g" % (where, sum(p)))
            srt = sorted(p, reverse=True)
            if "sml_p2" in r and float(r["sml_p2"]) != srt[1]:
                fail("%s: sml_p2 is not the 2nd largest" % where)
        for c in cols:
            if c.endswith("_pred"):
                v = int(r[c])
                if k and not 0 <= v < k:
                    fail("%s: %s=%d out of range" % (where, c, v))
                m = c[:-5]
                correct[m] = correct.get(m, 0) + (v == int(r["label"]))
        if "relevant" in r and r["relevant"] not in ("0", "1"):
            fail("%s: relevant=%s" % (where, r["relevant"]))
    for m, n in correct.items():
        key = "%s_accuracy" % m
        got = "%.4f" % (n / len(rows))
        if key not in meta:
            fail("%s: no metadata %s" % (path, key))
        if meta[key] != got:
            fail("%s: %s=%s but rows give %s" % (path, key, meta[key], got))
        print("  %-22s %s = %s" % (os.path.basename(path), key, got))
    print("ok %s: %d rows, %d columns, %d metadata keys"
          % (path, len(rows), len(cols), len(meta)))


def check_profile(path):
    meta, rows = read(path)
    want = ["index", "name", "type", "flops", "params", "output_bytes",
            "cpu_ms"]
    if list(rows[0].keys()) != want:
        fail("%s: columns %s" % (path, list(rows[0].keys())))
    for i, r in enumerate(rows):
        if int(r["index"]) != i:
            fail("%s: index %s at row %d" % (path, r["index"], i))
        for c in want[3:]:
            if float(r[c]) < 0:
                fail("%s: row %d %s < 0" % (path, i, c))
    print("ok %s: %d layers, sum cpu_ms %.3f, %d flops" % (
        path, len(rows), sum(float(r["cpu_ms"]) for r in rows),
        sum(int(r["flops"]) for r in rows)))


def main():
    d = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "fmnist")
    found = 0
    # the base group, then EE8 (record_fmnist.py --models); a group not
    # recorded is skipped, a group half there fails
    for traces, profiles in ((("fmnist-cnn.csv", "fmnist-relevant.csv"),
                              ("profile-sml.csv", "profile-lml.csv",
                               "profile-ee.csv")),
                             (("fmnist-ee8.csv",), ("profile-ee8.csv",))):
        there = [os.path.exists(os.path.join(d, f))
                 for f in traces + profiles]
        if not any(there):
            continue
        if not all(there):
            fail("%s: %s is only partly there" % (d, ", ".join(traces + profiles)))
        found += 1
        for f in traces:
            check_trace(os.path.join(d, f))
        for f in profiles:
            check_profile(os.path.join(d, f))
    if not found:
        fail("%s: no recorded traces" % d)
    return 0


if __name__ == "__main__":
    sys.exit(main())
