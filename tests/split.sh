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

# EE8: the 70% memory split leaves exits in both parts
if [ -r "$ee8" ]; then
    expect 0 "" "$HISIM" split "$ee8" --json
    grep -q '"edge":{[^}]*"exits":\[[0-9]' "$tmp/out" || fail "ee8 edge exits: $(cat "$tmp/out")"
    grep -q '"cloud":{[^}]*"exits":\[[0-9]' "$tmp/out" || fail "ee8 cloud exits: $(cat "$tmp/out")"
fi

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
