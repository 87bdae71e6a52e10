#!/bin/sh
# edgelesspart.sh — `policy.name: edgelesspart` through `hisim run` against
# the closed form of `hisim split --trace --c-thr` on the recorded EE8
# model: with blocking arrivals nothing queues, so the run's accuracy,
# offloaded share, mean and p95 response, cloud cost per 1000 and relative
# cost equal the closed form's (to 1e-9, relative).  Bad keys: exit status 2
# and one line.
set -u
: "${HISIM:=./hisim}" "${SRCDIR:=.}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

scenario="$SRCDIR/scenarios/papers/003-edgelesspart.yaml"
ee8="$SRCDIR/traces/fmnist/profile-ee8.csv"
trace="$SRCDIR/traces/fmnist/fmnist-ee8.csv"

# field NAME FILE: the first number after "NAME": in a JSON text
field() { grep -o "\"$1\":[-0-9.eE+]*" "$2" | head -1 | cut -d: -f2; }

# same A B WHAT: |A - B| <= 1e-9 max(|A|, |B|, 1e-300)
same() {
    awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; if (d < 0) d = -d; m = a < 0 ? -a : a; n = b < 0 ? -b : b;
        if (n > m) m = n; if (m < 1e-300) m = 1e-300; exit !(a != "" && b != "" && d <= 1e-9 * m) }' \
        || fail "$3: run $1, closed form $2"
}

for p in linear pareto; do
    for c in 0.3 0.6 0.9 1.5; do
        "$HISIM" split "$ee8" --cloud-speed 2 --placement $p --trace "$trace" --c-thr $c --json >"$tmp/split.json" \
            || { fail "hisim split $p $c"; continue; }
        "$HISIM" run "$scenario" -s ee.placement=$p -s ee.c_thr=$c --db "$tmp/runs.db" --json >"$tmp/run.json" \
            2>"$tmp/err" || { fail "hisim run $p $c: $(cat "$tmp/err")"; continue; }
        # the c_thr entry of the split's JSON, past its cloud_only object
        sed 's/.*"c_thr":\[//' "$tmp/split.json" >"$tmp/row.json"
        same "$(field accuracy "$tmp/run.json")" "$(field accuracy "$tmp/row.json")" "$p $c accuracy"
        same "$(field offload_fraction "$tmp/run.json")" "$(field offloaded "$tmp/row.json")" "$p $c offloaded"
        same "$(field mean_response_ms "$tmp/run.json")" "$(field mean_latency_ms "$tmp/row.json")" "$p $c mean latency"
        same "$(field p95_response_ms "$tmp/run.json")" "$(field p95_latency_ms "$tmp/row.json")" "$p $c p95 latency"
        same "$(field cloud_cost_per_1000 "$tmp/run.json")" "$(field cost_per_1000 "$tmp/row.json")" "$p $c cost per 1000"
        same "$(field cloud_cost_rel "$tmp/run.json")" "$(field relative_cost "$tmp/row.json")" "$p $c relative cost"
    done
done

# the text summary names the cloud cost; other policies' summaries do not
"$HISIM" run "$scenario" --db "$tmp/runs.db" >"$tmp/out" 2>"$tmp/err" || fail "hisim run: $(cat "$tmp/err")"
grep -q "^  cloud cost        \\$.* per 1000 inferences, .* of cloud-only" "$tmp/out" || fail "summary: $(cat "$tmp/out")"
"$HISIM" run "$SRCDIR/scenarios/quickstart.yaml" --db "$tmp/runs.db" --json >"$tmp/out" 2>"$tmp/err" \
    || fail "quickstart: $(cat "$tmp/err")"
grep -q cloud_cost "$tmp/out" && fail "quickstart reports a cloud cost"

# bad values: status 2, one line
bad() {
    want=$1
    shift
    "$HISIM" run "$scenario" --db "$tmp/runs.db" "$@" >"$tmp/out" 2>"$tmp/err"
    got=$?
    [ "$got" = 2 ] || fail "$* -> status $got, want 2"
    grep -q -- "$want" "$tmp/err" || fail "$* -> '$(cat "$tmp/err")' lacks '$want'"
    [ "$(wc -l <"$tmp/err")" -eq 1 ] || fail "$* -> not one line: $(cat "$tmp/err")"
}
bad "ee.per_part: 4 is out of range" -s ee.per_part=4
bad "split.rule: expected one of latency, memory-share, layer-share" -s split.rule=middle
bad "cloud.billing_ms" -s cloud.billing_ms=-1
bad "server.profile" -s server.profile="$SRCDIR/traces/fmnist/profile-lml.csv"

[ "$fails" -eq 0 ] || exit 1
echo "edgelesspart.sh: all passed"
