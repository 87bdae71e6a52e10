#!/bin/sh
# split.sh — `hisim split` end to end: the split of the shipped profiles,
# JSON, bad input (exit status 2, one line), a failed write (status 1).
set -u
: "${HISIM:=./hisim}" "${SRCDIR:=.}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

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

ee="$SRCDIR/traces/fmnist/profile-ee.csv"
ee8="$SRCDIR/traces/fmnist/profile-ee8.csv"

# profile-ee.csv at 70% memory: s = 13 (after ee3.flatten, 2304 bytes sent),
# both side exits on the edge (hand count in tests/check_split.c)
expect 0 "" "$HISIM" split "$ee" --json
grep -q '"split":13,"split_layer":"ee3.flatten","sent_bytes":2304,' "$tmp/out" || fail "ee split: $(cat "$tmp/out")"
grep -q '"edge":{"layers":13,.*"candidates":2,"exits":\[1,2\]}' "$tmp/out" || fail "ee edge exits: $(cat "$tmp/out")"
expect 0 "" "$HISIM" split "$ee"
grep -q "^split     s = 13, after ee3.flatten (row 21)$" "$tmp/out" || fail "ee text: $(cat "$tmp/out")"
# latency against a 4x faster cloud: b1 only (s = 4), ee2 goes to the cloud
expect 0 "" "$HISIM" split "$ee" --rule latency --cloud-speed 4 --json
grep -q '"split":4,' "$tmp/out" || fail "latency split: $(cat "$tmp/out")"
grep -q '"cloud":{"layers":12,.*"exits":\[2\]}' "$tmp/out" || fail "latency cloud exits: $(cat "$tmp/out")"
# equal speeds: the whole network is as fast on the edge: edge-only, nothing sent
expect 0 "" "$HISIM" split "$ee" --rule latency --json
grep -q '"split":16,"split_layer":"ee3.fc2","sent_bytes":0,' "$tmp/out" || fail "edge-only: $(cat "$tmp/out")"
# layer-share 0: cloud-only sends the raw 784-byte image
expect 0 "" "$HISIM" split "$ee" --rule layer-share --fraction 0 --json
grep -q '"split":0,"split_layer":null,"sent_bytes":784,' "$tmp/out" || fail "cloud-only: $(cat "$tmp/out")"

# the closed form on the recorded trace, split at b2 (layer-share 0.5):
# c_thr > 1 exits nowhere: 0.7699 ms on the edge (b1, ee1, b2, ee2), 6272
# bytes at 50 Mbit/s (1.00352 ms), 20 ms delay, 0.5244 ms in the cloud =
# 22.29782 ms, the final classifier's accuracy, the cloud-only cost (both
# bill 100 ms); c_thr below every confidence answers at ee1 (0.1531 ms,
# ee1's accuracy), cost 0.  Cloud-only: 784 bytes, 1.0854 ms: 21.21084 ms.
cnn="$SRCDIR/traces/fmnist/fmnist-cnn.csv"
expect 0 "" "$HISIM" split "$ee" --rule layer-share --fraction 0.5 --trace "$cnn" --c-thr 2,-1 --json
grep -q '"cloud_only":{"accuracy":0.9216,"latency_ms":21.21084,' "$tmp/out" || fail "cloud-only: $(cat "$tmp/out")"
grep -q '{"c_thr":2,"edge_exit":0,"cloud_exit":0,"final":1,"offloaded":1,"accuracy":0.9216,"mean_latency_ms":22.29782,' "$tmp/out" \
    || fail "c_thr > 1: $(cat "$tmp/out")"
grep -q '"relative_cost":1.0000000000000' "$tmp/out" || fail "c_thr > 1 relative cost: $(cat "$tmp/out")"
grep -q '{"c_thr":-1,"edge_exit":1,"cloud_exit":0,"final":0,"offloaded":0,"accuracy":0.8923,"mean_latency_ms":0.1530999' "$tmp/out" \
    || fail "c_thr < every confidence: $(cat "$tmp/out")"
grep -q '"cost_per_1000":0,"relative_cost":0}' "$tmp/out" || fail "c_thr < every confidence costs 0: $(cat "$tmp/out")"
# the table: one row per c_thr of from:to:step
expect 0 "" "$HISIM" split "$ee" --trace "$cnn" --c-thr 0.3:0.9:0.1
[ "$(grep -c '^0\.[3-9] ' "$tmp/out")" -eq 7 ] || fail "c_thr table: $(cat "$tmp/out")"
expect 2 "--trace and --c-thr go together" "$HISIM" split "$ee" --trace "$cnn"
expect 2 "--c-thr: expected numbers" "$HISIM" split "$ee" --trace "$cnn" --c-thr 0.3:0.1:0.1
expect 2 "--rate-mbps, --delay-ms, --reply-ms and --billing-ms need --trace" "$HISIM" split "$ee" --delay-ms 3

# EE8: the 70% memory split leaves exits in both parts (s = 20, after
# b6.relu; ee2 ee3 ee5 on the edge, ee7 in the cloud; tests/check_split.c)
expect 0 "" "$HISIM" split "$ee8" --json
grep -q '"split":20,"split_layer":"b6.relu","sent_bytes":12544,' "$tmp/out" || fail "ee8 split: $(cat "$tmp/out")"
grep -q '"edge":{"layers":20,[^}]*"candidates":6,"exits":\[2,3,5\]}' "$tmp/out" || fail "ee8 edge exits: $(cat "$tmp/out")"
grep -q '"cloud":{"layers":9,[^}]*"candidates":1,"exits":\[7\]}' "$tmp/out" || fail "ee8 cloud exits: $(cat "$tmp/out")"
# its trace has 8 exits; the 3-exit trace cannot serve its plan
expect 2 "reads exit 8 of" "$HISIM" split "$ee8" --trace "$cnn" --c-thr 0.5

# help
expect 0 "" "$HISIM" split -h
grep -q "^usage: hisim split PROFILE.csv" "$tmp/out" || fail "split -h"
expect 0 "" "$HISIM" help split
expect 0 "" "$HISIM" --help
grep -q "split PROFILE" "$tmp/out" || fail "--help lists split"

# bad input: one line, status 2
expect 2 "--fraction: expected a number in \[0, 1\], found '2'" "$HISIM" split "$ee" --fraction 2
expect 2 "--rule: expected latency, memory-share or layer-share, found 'mem'" "$HISIM" split "$ee" --rule mem
expect 2 "--fraction applies to the memory-share and layer-share rules" "$HISIM" split "$ee" --rule latency --fraction 0.5
expect 2 "--per-part: expected an integer in \[0, 3\], found '4'" "$HISIM" split "$ee" --per-part 4
expect 2 "--cloud-speed: expected a number > 0, found '0'" "$HISIM" split "$ee" --cloud-speed 0
expect 2 "--placement: expected linear or pareto" "$HISIM" split "$ee" --placement log
expect 2 "expected a layer profile" "$HISIM" split
expect 2 "unexpected argument" "$HISIM" split "$ee" "$ee"
expect 2 "unknown option '--bogus'" "$HISIM" split "$ee" --bogus
expect 2 "$tmp/none.csv" "$HISIM" split "$tmp/none.csv"
printf '# input: x (12 bytes)\nindex,name,type,flops,params,output_bytes\n0,c,Conv2d,1,1,4\n' >"$tmp/nom.csv"
expect 2 "no cpu_ms column" "$HISIM" split "$tmp/nom.csv"
# a failed write of the output is an internal failure
if [ -w /dev/full ]; then
    "$HISIM" split "$ee" >/dev/full 2>"$tmp/err"
    [ $? -eq 1 ] || fail "write to /dev/full: status not 1"
    grep -q "cannot write" "$tmp/err" || fail "write to /dev/full: $(cat "$tmp/err")"
fi

[ "$fails" -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "split.sh: all passed"
