#!/bin/sh
# cluster.sh — `hisim cluster` end to end: plans, a run in the store,
# determinism, -s on nodes and streams, bad input (status 2, one line,
# nothing stored).
set -u
: "${HISIM:=./hisim}" "${SRCDIR:=.}"
command -v sqlite3 >/dev/null 2>&1 || { echo "no sqlite3: skipped"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# expect STATUS PATTERN CMD... : exit status and a line of stderr matching
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

# two nodes of one processor each; a 1 GFLOP layer and a tiny dense one
cat >"$tmp/p.csv" <<CSV
# model: tiny
# input: 1x3x8x8 float32 (768 bytes); raw image 192 bytes
index,name,type,flops,params,output_bytes
0,c1,conv,1000000000,10,4000
1,fc,dense,1000000,10,40
CSV
cat >"$tmp/c.yaml" <<YAML
name: two-nodes
cluster:
  strategy: hidp
  nodes:
    - name: a
      processors:
        - {name: cpu, gflops: 10, active_w: 4, idle_w: 1}
    - name: b
      link: {rate_mbps: 100, latency_ms: 1}
      processors:
        - {name: cpu, gflops: 10, active_w: 4, idle_w: 1}
  requests:
    - profile: p.csv
      arrivals: periodic
      period_ms: 50
      count: 4
hidp:
  overhead_ms: 15
YAML
db="$tmp/h.db"

expect 0 "" "$HISIM" cluster "$tmp/c.yaml" --db "$db"
grep -q "^tiny: 2 layers, 1.001 GFLOP, input 192 bytes; one request:" "$tmp/out" || fail "plan header: $(head -3 "$tmp/out")"
for s in hidp modnn omniboost disnet; do
    grep -q "^  $s " "$tmp/out" || fail "no plan for $s"
done
grep -q "+ 15.000 ms exploration" "$tmp/out" || fail "hidp overhead not printed"
grep -q "^    b .*share 0\.[0-9]*; link in" "$tmp/out" || fail "data partition over both nodes not printed: $(cat "$tmp/out")"
grep -q "^  requests  *4$" "$tmp/out" || fail "run summary: $(tail -20 "$tmp/out")"
grep -q "stored as run 1 in" "$tmp/out" || fail "run id not printed"
expect 0 "" "$HISIM" show 1 --db "$db"
grep -q "^  mean_response_ms  " "$tmp/out" || fail "show prints the cluster metrics: $(cat "$tmp/out")"
grep -q "cluster.nodes" "$tmp/out" || fail "show prints the nodes in the config"
[ "$(sqlite3 "$db" "select count(*) from series where run_id=1 and name='response_ms'")" = 4 ] || fail "response series"
[ "$(sqlite3 "$db" "select count(*) from series where run_id=1 and name='gflops'")" -ge 1 ] || fail "gflops series"
# p95 is stored as p95_response_ms, and the run repeats exactly
expect 0 "" "$HISIM" cluster "$tmp/c.yaml" --db "$db" --json
grep -q '"p95_response_ms":' "$tmp/out" || fail "json metrics: $(cat "$tmp/out")"
a=$(sqlite3 "$db" "select group_concat(name || '=' || value) from metrics where run_id=1 and name not like 'events'")
b=$(sqlite3 "$db" "select group_concat(name || '=' || value) from metrics where run_id=2 and name not like 'events'")
[ "$a" = "$b" ] || fail "same scenario, different metrics"

# -s on the scalar keys, a node and a stream: b unavailable -> one node does all
expect 0 "" "$HISIM" cluster "$tmp/c.yaml" --db "$db" --plans-only -s cluster.nodes.b.available=false -s cluster.strategy=modnn
grep -q "^    b " "$tmp/out" && fail "an unavailable node got work: $(cat "$tmp/out")"
grep -q "^  modnn      data partitioning, 100.100 ms" "$tmp/out" || fail "one node: $(grep modnn "$tmp/out")"
expect 0 "" "$HISIM" cluster "$tmp/c.yaml" --db "$db" -s cluster.requests.0.count=2 -s hidp.overhead_ms=0
grep -q "^  completed  *2$" "$tmp/out" || fail "stream override"
expect 0 "" "$HISIM" help cluster
expect 0 "" "$HISIM" cluster -h
grep -q "usage: hisim cluster" "$tmp/out" || fail "cluster -h"
expect 0 "" "$HISIM" help scenario
grep -q "cluster.strategy" "$tmp/out" || fail "help scenario lists cluster keys"

# bad input: status 2, one line, nothing stored
before=$(sqlite3 "$db" "select count(*) from runs")
sed 's/gflops: 10, active_w/gflops: -10, active_w/' "$tmp/c.yaml" >"$tmp/bad1.yaml"
expect 2 "bad1.yaml:7:31: cpu.gflops: expected a number > 0" "$HISIM" cluster "$tmp/bad1.yaml" --db "$db"
expect 2 "cluster.strategy: expected one of hidp, modnn, omniboost, disnet, found 'best'" \
    "$HISIM" cluster "$tmp/c.yaml" --db "$db" -s cluster.strategy=best
expect 2 "no node named 'c'" "$HISIM" cluster "$tmp/c.yaml" --db "$db" -s cluster.nodes.c.available=false
expect 2 "cluster.leader: node a is unavailable" "$HISIM" cluster "$tmp/c.yaml" --db "$db" -s cluster.nodes.a.available=0
expect 2 "poisson arrivals need rate_hz > 0" "$HISIM" cluster "$tmp/c.yaml" --db "$db" -s cluster.requests.0.arrivals=poisson
expect 2 "cluster.node_count: 3, but cluster.nodes lists 2 nodes" "$HISIM" cluster "$tmp/c.yaml" --db "$db" -s cluster.node_count=3
sed 's/profile: p.csv/profile: nope.csv/' "$tmp/c.yaml" >"$tmp/bad2.yaml"
expect 2 "nope.csv" "$HISIM" cluster "$tmp/bad2.yaml" --db "$db"
printf 'name: x\n' >"$tmp/bad3.yaml"
expect 2 "no cluster.nodes" "$HISIM" cluster "$tmp/bad3.yaml" --db "$db"
expect 2 "expected a scenario file" "$HISIM" cluster
echo "not sqlite at all, just some text padding padding padding padding padding" >"$tmp/junk.db"
expect 2 "not a hisim database" "$HISIM" cluster "$tmp/c.yaml" --db "$tmp/junk.db"
after=$(sqlite3 "$db" "select count(*) from runs")
[ "$before" = "$after" ] || fail "bad input stored a run ($before -> $after)"

# the 004 scenario plans with the catalog's devices
expect 0 "" "$HISIM" cluster "$SRCDIR/scenarios/papers/004-hidp.yaml" --plans-only
grep -q "^vgg-19: 24 layers, 39.298 GFLOP" "$tmp/out" || fail "004 scenario: $(head -2 "$tmp/out")"

[ "$fails" -eq 0 ] && echo "cluster: all passed"
exit $((fails > 0))
