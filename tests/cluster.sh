#!/bin/sh
# cluster.sh — `hisim cluster` end to end: plans, a run in the store,
# determinism, -s on nodes and streams, bad input (status 2, one line,
# nothing stored); `hisim sweep` on a cluster scenario: one run per point
# and replication with the metrics of `hisim cluster` on that point, -j,
# reuse, resume, shards, lists replaced under set:, located bad keys.
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

# ---- hisim sweep on a cluster scenario ----
# every point is a cluster run: its stored metrics are those of
# `hisim cluster` on the same point and seed (Poisson arrivals, so a run
# that missed the seed or an axis would differ)
cat >"$tmp/cs.yaml" <<YAML
scenario: c.yaml
set:
  cluster.nodes.b.link.rate_mbps: 50
  cluster.requests.0.arrivals: poisson
  cluster.requests.0.count: 30
axes:
  cluster.strategy: [hidp, modnn]
  cluster.requests.0.rate_hz: [20, 40]
replications: 2
seed: 3
YAML
sdb="$tmp/sweep.db"
expect 0 "" "$HISIM" sweep "$tmp/cs.yaml" --db "$sdb"
grep -q "^sweep 1: cs (.*), 4 points, target cluster$" "$tmp/out" || fail "sweep header: $(head -1 "$tmp/out")"
grep -q "mean_response_ms (95% CI)" "$tmp/out" || fail "the table shows mean_response_ms: $(cat "$tmp/out")"
grep -q "^sweep 1 finished: 4 points: 4 done, 0 failed, 0 reused, 0 skipped (runs: 8 new, 0 reused, 0 kept, 0 failed)" \
    "$tmp/out" || fail "sweep status: $(tail -1 "$tmp/out")"
[ "$(sqlite3 "$sdb" "select count(*) from sweep_runs where sweep_id=1 and status='done'")" = 8 ] || fail "8 runs stored"
[ "$(sqlite3 "$sdb" "select count(*) from series where name='response_ms'")" = 240 ] || fail "response series of 8 runs"
"$HISIM" export --sweep 1 --format csv --db "$sdb" >"$tmp/cs.csv" || fail "export"
[ "$(wc -l <"$tmp/cs.csv")" -eq 9 ] || fail "export rows: $(cat "$tmp/cs.csv")"
head -1 "$tmp/cs.csv" | grep -q "^sweep,point,cluster.strategy,cluster.requests.0.rate_hz,replication,seed,requests,completed," \
    || fail "export header: $(head -1 "$tmp/cs.csv")"
metrics="mean_response_ms p95_response_ms throughput energy_mj gflops util.a.cpu util.b.link mean_response_ms.tiny"
# col NAME: the column of NAME in the export
col() { head -1 "$tmp/cs.csv" | tr , '\n' | grep -n -x -F "$1" | cut -d: -f1; }
checked=0
for row in 2 3 4 5 6 7 8 9; do
    line=$(sed -n "${row}p" "$tmp/cs.csv")
    st=$(echo "$line" | cut -d, -f3) rate=$(echo "$line" | cut -d, -f4) seed=$(echo "$line" | cut -d, -f6)
    "$HISIM" cluster "$tmp/c.yaml" --json --db "$tmp/direct.db" -s cluster.strategy="$st" -s seed="$seed" \
        -s cluster.nodes.b.link.rate_mbps=50 -s cluster.requests.0.arrivals=poisson -s cluster.requests.0.count=30 \
        -s cluster.requests.0.rate_hz="$rate" >"$tmp/direct.json" 2>&1 || { fail "direct run: $(cat "$tmp/direct.json")"; continue; }
    for m in $metrics; do
        stored=$(echo "$line" | cut -d, -f"$(col "$m")")
        direct=$(sed 's/.*"run":{//' "$tmp/direct.json" | tr ',{}' '\n\n\n' | sed -n "s/^\"$m\":\(.*\)$/\1/p")
        if [ -z "$stored" ] || [ -z "$direct" ] || ! awk -v a="$stored" -v b="$direct" 'BEGIN { exit !(a + 0 == b + 0) }'; then
            fail "row $row ($st, rate $rate, seed $seed): $m stored '$stored', hisim cluster '$direct'"
        fi
        checked=$((checked + 1))
    done
done
[ "$checked" -eq 64 ] || fail "compared $checked metrics, want 64"
# the replications differ (seeds), the points differ (keys)
[ "$(cut -d, -f"$(col mean_response_ms)" "$tmp/cs.csv" | sort -u | wc -l)" -eq 9 ] || fail "runs share a mean response"
# -j 2 stores the same rows; a second sweep reuses them all
expect 0 "" "$HISIM" sweep "$tmp/cs.yaml" --db "$tmp/sweep2.db" -j 2
"$HISIM" export --sweep 1 --format csv --db "$tmp/sweep2.db" | cmp -s - "$tmp/cs.csv" || fail "-j 2 differs from -j 1"
expect 0 "" "$HISIM" sweep "$tmp/cs.yaml" --db "$sdb"
grep -q "^sweep 2 finished: 4 points: 0 done, 0 failed, 4 reused, 0 skipped (runs: 0 new, 8 reused," "$tmp/out" \
    || fail "second sweep: $(tail -1 "$tmp/out")"
# resume re-runs nothing: a finished sweep keeps every run; replications a
# crash lost from the sweep (their runs committed) are found again, not rerun
expect 0 "" "$HISIM" sweep "$tmp/cs.yaml" --db "$tmp/sweep2.db" --resume
grep -q "^sweep 1 resumed: 4 points: 4 done, 0 failed, 0 reused, 0 skipped (runs: 0 new, 0 reused, 8 kept, 0 failed)" \
    "$tmp/out" || fail "resume of a finished sweep: $(tail -1 "$tmp/out")"
sqlite3 "$tmp/sweep2.db" "delete from sweep_runs where sweep_id = 1 and replication = 1; update sweeps set status = 'running'"
expect 0 "" "$HISIM" sweep "$tmp/cs.yaml" --db "$tmp/sweep2.db" --resume
grep -q "(runs: 0 new, 4 reused, 4 kept, 0 failed)" "$tmp/out" || fail "resume after a loss: $(tail -1 "$tmp/out")"
"$HISIM" export --sweep 1 --format csv --db "$tmp/sweep2.db" | cmp -s - "$tmp/cs.csv" || fail "the resumed sweep's rows differ"
# shards and merge give the rows of one process
expect 0 "" "$HISIM" sweep "$tmp/cs.yaml" --db "$tmp/p1.db" --shard 1/2
expect 0 "" "$HISIM" sweep "$tmp/cs.yaml" --db "$tmp/p2.db" --shard 2/2
expect 0 "" "$HISIM" merge "$tmp/merged.db" "$tmp/p1.db" "$tmp/p2.db"
"$HISIM" export --sweep 1 --format csv --db "$tmp/merged.db" | cmp -s - "$tmp/cs.csv" || fail "merged shards differ"
expect 0 "" "$HISIM" export --sweep 1 --summary --format csv --db "$sdb"
[ "$(wc -l <"$tmp/out")" -eq 5 ] || fail "summary rows: $(cat "$tmp/out")"
if command -v gnuplot >/dev/null 2>&1; then
    expect 0 "" "$HISIM" plot sweep --sweep 1 --db "$sdb" --x cluster.requests.0.rate_hz --y mean_response_ms \
        --by cluster.strategy -o "$tmp/cs.png"
    [ -s "$tmp/cs.png" ] || fail "no plot"
fi
# a list replaced whole under set:, a stream turned off, and a label zipped with an axis
cat >"$tmp/cs2.yaml" <<YAML
scenario: c.yaml
set:
  cluster.requests:
    - {profile: p.csv, arrivals: periodic, period_ms: 50, count: 3}
    - {profile: p.csv, arrivals: periodic, period_ms: 50, count: 5, start_ms: 10}
zip:
  - name: [both, first]
    cluster.requests.1.enabled: [true, false]
YAML
expect 0 "" "$HISIM" sweep "$tmp/cs2.yaml" --db "$tmp/cs2.db"
"$HISIM" export --sweep 1 --format csv --db "$tmp/cs2.db" >"$tmp/cs2.csv"
head -1 "$tmp/cs2.csv" | grep -q "^sweep,point,name,cluster.requests.1.enabled,replication,seed,requests," \
    || fail "cs2 header: $(head -1 "$tmp/cs2.csv")"
[ "$(cut -d, -f3,7 "$tmp/cs2.csv" | tail -2 | tr '\n' ' ')" = "both,8 first,3 " ] || fail "requests: $(cat "$tmp/cs2.csv")"
# bad cluster keys and values of a sweep: file:line:col, status 2, nothing written
printf 'scenario: c.yaml\naxes:\n  cluster.strategy: [hidp, modnn]\n  cluster.nodes.c.available: [true, false]\n' >"$tmp/bs1.yaml"
expect 2 "bs1.yaml:4:3: cluster.nodes.c.available: no node named 'c'" "$HISIM" sweep "$tmp/bs1.yaml" --db "$tmp/bad.db"
printf 'scenario: c.yaml\naxes:\n  cluster.requests.0.perod_ms: [10, 20]\n' >"$tmp/bs2.yaml"
expect 2 "bs2.yaml:3:3: cluster.requests.0.perod_ms: unknown request key 'perod_ms'" "$HISIM" sweep "$tmp/bs2.yaml" --db "$tmp/bad.db"
printf 'scenario: c.yaml\naxes:\n  cluster.requests.1.count: [1, 2]\n' >"$tmp/bs3.yaml"
expect 2 "bs3.yaml:3:3: cluster.requests.1.count: expected a request stream index in \\[0, 1), found '1'" \
    "$HISIM" sweep "$tmp/bs3.yaml" --db "$tmp/bad.db"
printf 'scenario: c.yaml\naxes:\n  cluster.nodes.b.cpu.gflops: [10, -1]\n' >"$tmp/bs4.yaml"
expect 2 "bs4.yaml:3:36: cpu.gflops: expected a number > 0" "$HISIM" sweep "$tmp/bs4.yaml" --db "$tmp/bad.db"
printf 'scenario: c.yaml\nset:\n  cluster.nodes.b.gpu.gflops: 10\n' >"$tmp/bs5.yaml"
expect 2 "bs5.yaml:3:31: node b has no processor 'gpu'" "$HISIM" sweep "$tmp/bs5.yaml" --db "$tmp/bad.db"
printf 'scenario: c.yaml\ntarget: simulate\naxes:\n  cluster.strategy: [hidp, modnn]\n' >"$tmp/bs6.yaml"
expect 2 "bs6.yaml:2:9: target simulate: the base scenario .* is a cluster scenario" "$HISIM" sweep "$tmp/bs6.yaml" --db "$tmp/bad.db"
printf 'trace: {file: t.csv}\n' >"$tmp/hi.yaml"
printf 'scenario: hi.yaml\naxes:\n  cluster.nodes.b.available: [true, false]\n' >"$tmp/bs7.yaml"
expect 2 "bs7.yaml:3:3: cluster.nodes.b.available: the base scenario .* is not a cluster scenario" \
    "$HISIM" sweep "$tmp/bs7.yaml" --db "$tmp/bad.db"
printf 'scenario: c.yaml\naxes:\n  cluster.node_count: [1, 3]\n' >"$tmp/bs8.yaml"
expect 2 "bs8.yaml: point 1 (cluster.node_count=3): cluster.node_count: 3, but cluster.nodes lists 2 nodes" \
    "$HISIM" sweep "$tmp/bs8.yaml" --db "$tmp/bad.db"
[ ! -e "$tmp/bad.db" ] || fail "a bad cluster sweep made a database"

[ "$fails" -eq 0 ] && echo "cluster: all passed"
exit $((fails > 0))
