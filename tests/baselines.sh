#!/bin/sh
# baselines.sh — the baselines end to end: every policy in `hisim help
# policies`, 000 §5's OMD and OMA counts from a scenario, `hisim qos`
# (001 Table 5) and `hisim compare`, and their bad input.
set -u
: "${HISIM:=./hisim}" "${SRCDIR:=.}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# expect STATUS PATTERN CMD... : exit status, and one stderr line matching
expect() {
    want=$1 pat=$2
    shift 2
    "$@" >"$tmp/out" 2>"$tmp/err"
    got=$?
    [ "$got" = "$want" ] || { fail "$* -> status $got, want $want: $(cat "$tmp/err")"; return; }
    if [ -n "$pat" ]; then
        grep -q -- "$pat" "$tmp/err" || fail "$* -> stderr '$(cat "$tmp/err")' lacks '$pat'"
        [ "$(wc -l <"$tmp/err")" -eq 1 ] || fail "$* -> stderr is not one line: $(cat "$tmp/err")"
    fi
}

# every policy with its one-line summary
expect 0 "" "$HISIM" help policies
for p in no-offload full-offload fixed-threshold hil-f batch-hi hil-n tinyml remote omd oma-random oma-worst \
         oma-amr2 lr neurosurgeon ee ee-hi hedge-hi hedge-hi-restart; do
    grep -q "^  $p  *[A-Za-z0-9]" "$tmp/out" || fail "help policies lacks $p"
done
grep -q "^  full-offload .*run the S-ML, then offload" "$tmp/out" || fail "full-offload summary"
grep -q "^  remote .*without running the S-ML" "$tmp/out" || fail "remote summary"

# 000 §5 on 10^4 samples: OMD 132 offloads, 9.81288 s; OMA at T = 273.807 s: 3683
cp "$SRCDIR/tests/data/small.csv" "$tmp/t.csv"
printf 'trace:\n  file: t.csv\n  samples: 10000\npolicy:\n  name: omd\narrivals:\n  process: all-at-once\ndevice:\n  tau_ed_ms: 0.99\nnetwork:\n  offload_ms: 74.34\n' >"$tmp/omd.yaml"
db="$tmp/h.db"
expect 0 "" "$HISIM" run "$tmp/omd.yaml" --db "$db"
grep -q "offloaded         0.0132 (132 samples" "$tmp/out" || fail "omd: $(cat "$tmp/out")"
grep -q "makespan          9.812880 s" "$tmp/out" || fail "omd makespan: $(cat "$tmp/out")"
expect 0 "" "$HISIM" run "$tmp/omd.yaml" --db "$db" -s policy.name=oma-random -s oma.time_limit=273807
grep -q "(3683 samples" "$tmp/out" || fail "oma-random: $(cat "$tmp/out")"
expect 0 "" "$HISIM" run "$tmp/omd.yaml" --db "$db" -s policy.name=tinyml -s arrivals.process=closed
expect 2 "omd: plans the whole run at t = 0 and needs arrivals.process: all-at-once (found 'closed')" \
    "$HISIM" run "$tmp/omd.yaml" --db "$db" -s arrivals.process=closed
expect 2 "omd.rule: expected one of idle-first, ect, found 'fast'" "$HISIM" run "$tmp/omd.yaml" --db "$db" -s omd.rule=fast

# compare: run 1 (omd) against run 3 (tinyml): 1 − 9.81288/9.9
expect 0 "" "$HISIM" compare 1 3 --db "$db"
grep -q "^makespan_s  *9.81288  *9.9  *0.8800%" "$tmp/out" || fail "compare: $(cat "$tmp/out")"
expect 0 "" "$HISIM" compare 1 3 --db "$db" --json
grep -q '{"name":"offloaded","a":132,"b":0,"change":null}' "$tmp/out" || fail "compare --json: $(cat "$tmp/out")"
expect 2 "no run with id 9" "$HISIM" compare 1 9 --db "$db"
expect 2 "expected two run ids" "$HISIM" compare 1 --db "$db"
expect 2 "'x' is not a run id" "$HISIM" compare x 1 --db "$db"
expect 0 "" "$HISIM" compare -h
grep -q "usage: hisim compare" "$tmp/out" || fail "compare -h"

# qos: 001 Table 5 (18 cells) as text and JSON
expect 0 "" "$HISIM" qos
[ "$(grep -c "ResNet-8 + HI" "$tmp/out")" -eq 3 ] || fail "qos CIFAR-10 rows: $(cat "$tmp/out")"
grep -q "Jetson Orin   On Device (ResNet-56)    ResNet-8 + HI              ResNet-8 + HI" "$tmp/out" || fail "qos Jetson row"
grep -q "Jetson Orin   ResNet-18 + HI           ResNet-18 + HI             ResNet-18 + HI" "$tmp/out" || fail "qos ImageNet Jetson row"
[ "$(grep -c "Remote Inference         Remote Inference \*         Remote Inference \*" "$tmp/out")" -eq 2 ] || fail "qos remote rows"
expect 0 "" "$HISIM" qos --json
[ "$(grep -o '"strategy":"[^"]*"' "$tmp/out" | wc -l)" -eq 18 ] || fail "qos --json cells"
expect 0 "" "$HISIM" qos --accuracy-cifar10 0.99
grep -q "^CIFAR-10     Coral Micro   Remote Inference" "$tmp/out" || fail "qos --accuracy-cifar10: $(cat "$tmp/out")"
expect 2 "--accuracy-cifar10: expected an accuracy in \[0, 1\], found '2'" "$HISIM" qos --accuracy-cifar10 2
expect 2 "unknown option '--bogus'" "$HISIM" qos --bogus
expect 0 "" "$HISIM" help qos

# the paper scenarios: 000 §5 on the seed-36 cifar10-hi trace (Table 1's counts at theta = 0.607)
P="$SRCDIR/scenarios/papers"
expect 0 "" "$HISIM" trace synth --preset cifar10-hi --seed 36 -o "$tmp/c36.csv"
expect 0 "" "$HISIM" run "$P/000-section5-hi.yaml" --db "$db" -s trace.file="$tmp/c36.csv"
grep -q "accuracy          0.8352" "$tmp/out" || fail "000 HI accuracy: $(cat "$tmp/out")"
grep -q "(3550 samples" "$tmp/out" || fail "000 HI offloads"
grep -q "total cost        3423.0000" "$tmp/out" || fail "000 HI cost 3550 beta + 1648"
grep -q "makespan          273.807000 s" "$tmp/out" || fail "000 HI makespan"
grep -q "throughput        36.5221 samples/s" "$tmp/out" || fail "000 HI throughput"
expect 0 "" "$HISIM" run "$P/000-section5-remote.yaml" --db "$db" -s trace.file="$tmp/c36.csv"
grep -q "makespan          743.400000 s" "$tmp/out" || fail "000 full offload makespan"
expect 0 "" "$HISIM" run "$P/000-section5-oma.yaml" --db "$db" -s trace.file="$tmp/c36.csv"
grep -q "policy            oma-random k=3683 T=273807 ms (hi-makespan: theta=0.607, 3550 offloads)" "$tmp/out" \
    || fail "000 OMA budget: $(cat "$tmp/out")"
for s in tinyml omd oma-worst; do
    expect 0 "" "$HISIM" run "$P/000-section5-$s.yaml" --db "$db" -s trace.file="$tmp/c36.csv"
done
expect 0 "" "$HISIM" run "$P/000-neurosurgeon-fmnist.yaml" --db "$db" -s network.rate_mbps=1
grep -q "k\*=17 of 17" "$tmp/out" || fail "neurosurgeon at 1 Mbit/s: $(cat "$tmp/out")"
expect 0 "" "$HISIM" run "$P/001-fmnist-ee-hi.yaml" --db "$db" -s qos.accuracy=0.92
grep -q "theta=0.85,0.69 (search: latency 0.641594 ms" "$tmp/out" || fail "001 EE-HI search: $(cat "$tmp/out")"
expect 0 "" "$HISIM" run "$P/001-fmnist-hi.yaml" --db "$db"
grep -q "decision module   F1 0.9331" "$tmp/out" || fail "001 HI F1: $(cat "$tmp/out")"
expect 0 "" "$HISIM" run "$P/002-hedge-hi-regret.yaml" --db "$db" -s trace.samples=2000
# the LR is never fitted silently on the samples it scores
expect 2 "policy.lr_train: 0.5 trains on rows 5000..9999 of the trace; the run must read only rows before them" \
    "$HISIM" run "$P/001-fmnist-hi.yaml" --db "$db" -s trace.samples=all
expect 2 "is the run's own trace" "$HISIM" run "$P/001-fmnist-hi.yaml" --db "$db" \
    -s policy.lr_train_file="$SRCDIR/traces/fmnist/fmnist-cnn.csv"
expect 0 "" "$HISIM" run "$P/001-fmnist-hi.yaml" --db "$db" -s trace.samples=all -s policy.lr_train=all
grep -q "in-sample on all 10000 rows (optimistic)" "$tmp/out" || fail "lr in-sample not declared: $(cat "$tmp/out")"

[ "$fails" -eq 0 ] && echo "baselines: all passed"
exit $((fails > 0))
