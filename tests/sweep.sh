#!/bin/sh
# sweep.sh — hisim sweep, sweeps, export, merge and plot sweep end to end:
# threads give the rows of one thread, an extended sweep runs only what is
# new, crn shares samples across a policy axis, kill -9 and --resume give
# the rows of an uninterrupted sweep, shards and merge give the rows of one
# process, bad input is one located line with exit status 2.
set -u
: "${HISIM:=./hisim}" "${SRCDIR:=.}"
tmp=$(mktemp -d)
trap 'kill -9 $bg 2>/dev/null; rm -rf "$tmp"' EXIT
bg=""
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 not found: skipped"; exit 77; }

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

# the export of sweep $2 of database $1 as CSV
export_csv() { "$HISIM" export --sweep "$2" --format csv --db "$1"; }

cp "$SRCDIR/tests/data/small.csv" "$tmp/t.csv"
cat >"$tmp/base.yaml" <<YAML
trace:
  file: t.csv
  order: bootstrap
  samples: 400
policy:
  name: hil-f
YAML
cat >"$tmp/s.yaml" <<YAML
scenario: base.yaml
axes:
  cost.beta: {from: 0.1, to: 0.5, step: 0.1}
  policy.name: [fixed-threshold, hil-f]
replications: 3
seed: 5
YAML

# a sweep: id, table, status line on stdout; nothing of the progress there
expect 0 "" "$HISIM" sweep "$tmp/s.yaml" --db "$tmp/j1.db" -j 1
grep -q "^sweep 1: s (" "$tmp/out" || fail "sweep id line: $(cat "$tmp/out")"
grep -q "^sweep 1 finished: 10 points: 10 done, 0 failed, 0 reused, 0 skipped (runs: 30 new" "$tmp/out" \
    || fail "status line: $(tail -1 "$tmp/out")"
grep -q "0.3  *hil-f  *3  " "$tmp/out" || fail "table row: $(cat "$tmp/out")"
grep -q "ETA" "$tmp/out" && fail "progress on stdout"
[ "$(sqlite3 "$tmp/j1.db" 'pragma integrity_check')" = ok ] || fail "integrity"
[ "$(sqlite3 "$tmp/j1.db" 'pragma journal_mode')" = wal ] || fail "the sweep database is not in WAL mode"

# -j 2 stores the same rows
expect 0 "" "$HISIM" sweep "$tmp/s.yaml" --db "$tmp/j2.db" -j 2
export_csv "$tmp/j1.db" 1 >"$tmp/j1.csv"
export_csv "$tmp/j2.db" 1 >"$tmp/j2.csv"
[ "$(wc -l <"$tmp/j1.csv")" -eq 31 ] || fail "export rows: $(wc -l <"$tmp/j1.csv")"
head -1 "$tmp/j1.csv" | grep -q "^sweep,point,cost.beta,policy.name,replication,seed,samples,accuracy," \
    || fail "export header: $(head -1 "$tmp/j1.csv")"
cmp -s "$tmp/j1.csv" "$tmp/j2.csv" || fail "-j 1 and -j 2 differ"

# the same file again reuses everything; one more axis value runs only it
expect 0 "" "$HISIM" sweep "$tmp/s.yaml" --db "$tmp/j1.db"
grep -q "^sweep 2 finished: 10 points: 0 done, 0 failed, 10 reused, 0 skipped (runs: 0 new, 30 reused" "$tmp/out" \
    || fail "rerun: $(tail -1 "$tmp/out")"
sed 's/to: 0.5, step: 0.1/to: 0.6, step: 0.1/' "$tmp/s.yaml" >"$tmp/s2.yaml"
cp "$tmp/s2.yaml" "$tmp/s.yaml"
expect 0 "" "$HISIM" sweep "$tmp/s.yaml" --db "$tmp/j1.db"
grep -q "^sweep 3 finished: 12 points: 2 done, 0 failed, 10 reused, 0 skipped (runs: 6 new, 30 reused" "$tmp/out" \
    || fail "extension: $(tail -1 "$tmp/out")"
export_csv "$tmp/j1.db" 3 | awk -F, '$3 != "0.6"' | sed 's/^3,/1,/' >"$tmp/ext.csv"
cmp -s "$tmp/ext.csv" "$tmp/j1.csv" || fail "the extended sweep changed old rows"
expect 0 "" "$HISIM" sweeps --db "$tmp/j1.db"
[ "$(grep -c ' done ' "$tmp/out")" -eq 3 ] || fail "sweeps: $(cat "$tmp/out")"

# crn: replication r has one seed at every point; hil-f and batch-hi with
# M = 1 and per-sample thresholds then decide every sample alike
cat >"$tmp/crn.yaml" <<YAML
scenario: base.yaml
set: {policy.batch: 1, policy.batch_threshold: per-sample}
axes:
  policy.name: [hil-f, batch-hi]
replications: 2
crn: true
YAML
expect 0 "" "$HISIM" sweep "$tmp/crn.yaml" --db "$tmp/crn.db"
export_csv "$tmp/crn.db" 1 >"$tmp/crn.csv"
s0=$(awk -F, 'NR == 2 { print $5 }' "$tmp/crn.csv")
[ "$(awk -F, -v s="$s0" 'NR > 1 && $4 == 0 && $5 == s' "$tmp/crn.csv" | wc -l)" -eq 2 ] \
    || fail "crn: replication 0 does not share its seed: $(cat "$tmp/crn.csv")"
"$HISIM" run "$tmp/base.yaml" --db "$tmp/r.db" -s seed="$s0" -s policy.name=hil-f --samples-log "$tmp/a.log" >/dev/null
"$HISIM" run "$tmp/base.yaml" --db "$tmp/r.db" -s seed="$s0" -s policy.name=batch-hi -s policy.batch=1 \
    -s policy.batch_threshold=per-sample --samples-log "$tmp/b.log" >/dev/null
cmp -s "$tmp/a.log" "$tmp/b.log" || fail "crn: per-sample decisions differ"
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "expected_cost") c = i }
         NR > 1 { k = $4; if (k in m) { if (m[k] != $c) bad = 1 } else m[k] = $c } END { exit bad }' \
    "$tmp/crn.csv" || fail "crn: the two policies' expected costs differ"
sed 's/crn: true/crn: false/' "$tmp/crn.yaml" >"$tmp/nocrn.yaml"
expect 0 "" "$HISIM" sweep "$tmp/nocrn.yaml" --db "$tmp/crn.db"
[ "$(export_csv "$tmp/crn.db" 2 | awk -F, 'NR > 1 && $4 == 0 { print $5 }' | sort -u | wc -l)" -eq 2 ] \
    || fail "without crn the points share seeds"

# kill -9 mid-way, then --resume: the rows of an uninterrupted sweep
cat >"$tmp/long.yaml" <<YAML
scenario: base.yaml
set: {trace.samples: 30000}
axes:
  cost.beta: {from: 0.02, to: 0.98, step: 0.02}
replications: 2
YAML
"$HISIM" sweep "$tmp/long.yaml" --db "$tmp/k.db" -j 1 >/dev/null 2>&1 &
bg=$!
n=0 i=0
while [ "$i" -lt 600 ]; do
    # polling only: the database may not exist yet, or be busy; the count
    # that matters is asserted after the kill
    if [ -f "$tmp/k.db" ] && n=$(sqlite3 "$tmp/k.db" "select count(*) from sweep_runs" 2>/dev/null) \
        && [ "$n" -ge 5 ]; then
        break
    fi
    sleep 0.05
    i=$((i + 1))
done
kill -9 $bg 2>/dev/null
wait $bg 2>/dev/null
bg=""
n=$(sqlite3 "$tmp/k.db" "select count(*) from sweep_runs where status = 'done'")
[ "$n" -ge 5 ] && [ "$n" -lt 98 ] || fail "kill -9 did not land mid-way ($n of 98 runs)"
[ "$(sqlite3 "$tmp/k.db" 'pragma integrity_check')" = ok ] || fail "integrity after kill -9"
[ "$(sqlite3 "$tmp/k.db" "select status from sweeps where id = 1")" = running ] || fail "killed sweep not running"
expect 0 "" "$HISIM" sweep "$tmp/long.yaml" --db "$tmp/k.db" -j 2 --resume
grep -q "^sweep 1 resumed: 49 points: 49 done, .* (runs: $((98 - n)) new, 0 reused, $n kept, 0 failed)" "$tmp/out" \
    || fail "resume: $(tail -1 "$tmp/out") (kept $n)"
[ "$(sqlite3 "$tmp/k.db" 'pragma integrity_check')" = ok ] || fail "integrity after resume"
expect 0 "" "$HISIM" sweep "$tmp/long.yaml" --db "$tmp/u.db" -j 2
export_csv "$tmp/k.db" 1 >"$tmp/k.csv"
export_csv "$tmp/u.db" 1 >"$tmp/u.csv"
cmp -s "$tmp/k.csv" "$tmp/u.csv" || fail "killed and resumed differs from uninterrupted"
[ "$(sqlite3 "$tmp/k.db" 'select count(*) from runs')" -eq 98 ] || fail "resume stored runs twice"

# --resume refuses a changed file, unless --force
echo "# changed" >>"$tmp/long.yaml"
expect 2 "cannot resume sweep 1: the sweep file changed since it started" \
    "$HISIM" sweep "$tmp/long.yaml" --db "$tmp/k.db" --resume
expect 0 "" "$HISIM" sweep "$tmp/long.yaml" --db "$tmp/k.db" --resume --force
grep -q "^sweep 1 resumed: .*(runs: 0 new, 0 reused, 98 kept" "$tmp/out" || fail "--force: $(tail -1 "$tmp/out")"
expect 2 "no sweep of this file" "$HISIM" sweep "$tmp/s.yaml" --db "$tmp/k.db" --resume
expect 2 "--force goes with --resume" "$HISIM" sweep "$tmp/s.yaml" --db "$tmp/k.db" --force

# shards and merge: the rows of one process
for i in 1 2 3; do
    expect 0 "" "$HISIM" sweep "$tmp/s.yaml" --db "$tmp/part$i.db" --shard $i/3
done
grep -q "^shard 3/3: 4 points" "$tmp/out" || fail "shard line: $(cat "$tmp/out")"
expect 0 "" "$HISIM" merge "$tmp/all.db" "$tmp/part1.db" "$tmp/part2.db" "$tmp/part3.db"
expect 0 "" "$HISIM" sweep "$tmp/s.yaml" --db "$tmp/one.db"
export_csv "$tmp/all.db" 1 >"$tmp/all.csv"
export_csv "$tmp/one.db" 1 >"$tmp/one.csv"
cmp -s "$tmp/all.csv" "$tmp/one.csv" || fail "shards + merge differ from one process"
[ "$(sqlite3 "$tmp/all.db" "select status || ' ' || shard from sweeps")" = "done " ] || fail "merged sweep not whole"
cp "$tmp/part1.db" "$tmp/part1b.db"
expect 2 "shard 1/3 of sweep 1 is already in" "$HISIM" merge "$tmp/all2.db" "$tmp/part1.db" "$tmp/part1b.db"
[ ! -e "$tmp/all2.db" ] || fail "a failed merge left its output"
expect 2 "no such database" "$HISIM" merge "$tmp/all3.db" "$tmp/none.db"

# a failing point is reported at once and the sweep goes on; --fail-fast stops
cat >"$tmp/failing.yaml" <<YAML
scenario: base.yaml
axes:
  policy.batch: [1, 4, 1]
  cost.beta: [0.2, 0.4]
YAML
expect 2 "" "$HISIM" sweep "$tmp/failing.yaml" --db "$tmp/f.db"
grep -q "points 0 (policy.batch=1, cost.beta=0.2) and 4 (policy.batch=1, cost.beta=0.2) have the same" "$tmp/err" \
    || fail "duplicate points: $(cat "$tmp/err")"
sed 's/\[1, 4, 1\]/[1, 4, 2]/' "$tmp/failing.yaml" >"$tmp/failing2.yaml"
expect 2 "" "$HISIM" sweep "$tmp/failing2.yaml" --db "$tmp/f.db"
[ "$(grep -c "failed: policy.batch: hil-f decides one sample at a time" "$tmp/err")" -eq 4 ] \
    || fail "failures not reported: $(cat "$tmp/err")"
grep -q "^sweep 1 finished: 6 points: 2 done, 4 failed, 0 reused, 0 skipped" "$tmp/out" \
    || fail "failing status: $(tail -1 "$tmp/out")"
[ "$(sqlite3 "$tmp/f.db" "select status from sweeps where id = 1")" = failed ] || fail "sweep status"
# --fail-fast: the failing points come first, the slow ones are dropped
cat >"$tmp/ff.yaml" <<YAML
scenario: base.yaml
set: {trace.samples: 30000}
axes:
  policy.batch: [4, 1]
  cost.beta: {from: 0.02, to: 0.98, step: 0.02}
YAML
expect 2 "" "$HISIM" sweep "$tmp/ff.yaml" --db "$tmp/f2.db" --fail-fast
grep -q "^sweep 1 finished: 98 points: [0-9]* done, [1-9][0-9]* failed, 0 reused, [1-9][0-9]* skipped" "$tmp/out" \
    || fail "--fail-fast: $(tail -1 "$tmp/out")"
[ "$(sqlite3 "$tmp/f2.db" "select status from sweeps where id = 1")" = failed ] || fail "fail-fast sweep status"

# bad sweep files: one located line, exit 2, no database
printf 'scenario: base.yaml\naxes:\n  cost.beta: {from: 0.9, to: 0.1, step: 0.1}\n' >"$tmp/bad1.yaml"
expect 2 "bad1.yaml:3:41: cost.beta: step of the wrong sign" "$HISIM" sweep "$tmp/bad1.yaml" --db "$tmp/bad.db"
printf 'scenario: base.yaml\nzip:\n  - {cost.beta: [0.1], network.bytes: [1, 2]}\n' >"$tmp/bad2.yaml"
expect 2 "bad2.yaml:3:24: zip: network.bytes has 2 values but cost.beta has 1" \
    "$HISIM" sweep "$tmp/bad2.yaml" --db "$tmp/bad.db"
printf 'scenario: base.yaml\naxes:\n  cost.beta: []\n' >"$tmp/bad3.yaml"
expect 2 "bad3.yaml:3:14: cost.beta: empty axis" "$HISIM" sweep "$tmp/bad3.yaml" --db "$tmp/bad.db"
printf 'scenario: base.yaml\nrepetitions: 3\n' >"$tmp/bad4.yaml"
expect 2 "bad4.yaml:2:1: unknown sweep key 'repetitions' (expected scenario, name, target, set, axes, zip, replications" \
    "$HISIM" sweep "$tmp/bad4.yaml" --db "$tmp/bad.db"
[ ! -e "$tmp/bad.db" ] || fail "bad input created the database"
expect 2 "-j: expected a thread count" "$HISIM" sweep "$tmp/s.yaml" -j 0
expect 2 "--shard: expected I/N" "$HISIM" sweep "$tmp/s.yaml" --shard 4/3

# export: JSON, the summary, one run, a FIFO is written, not replaced
expect 0 "" "$HISIM" export --sweep 1 --format json --db "$tmp/one.db" -o "$tmp/one.json"
head -c 200 "$tmp/one.json" | grep -q '^\[{"sweep":1,"point":"[0-9a-f]\{16\}","cost.beta":0.1,"policy.name":"fixed-threshold"' \
    || fail "json export: $(head -c 200 "$tmp/one.json")"
expect 0 "" "$HISIM" export --sweep 1 --summary --format csv --db "$tmp/one.db" -o "$tmp/sum.csv"
[ "$(wc -l <"$tmp/sum.csv")" -eq 13 ] || fail "summary rows"
head -1 "$tmp/sum.csv" | grep -q "^sweep,point,cost.beta,policy.name,n,samples_mean,samples_sd,samples_ci95," \
    || fail "summary header: $(head -1 "$tmp/sum.csv")"
# the summary's mean and half-width of mean_cost at point 0, recomputed
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "mean_cost") c = i }
         NR > 1 && NR <= 4 { v[++n] = $c; s += $c }
         END { m = s / n; for (i = 1; i <= n; i++) q += (v[i] - m) ^ 2; sd = sqrt(q / (n - 1))
               printf "%.10f %.10f\n", m, 4.302652729911275 * sd / sqrt(n) }' \
    "$tmp/one.csv" >"$tmp/want"
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) { if ($i == "mean_cost_mean") a = i; if ($i == "mean_cost_ci95") b = i } }
         NR == 2 { printf "%.10f %.10f\n", $a, $b }' "$tmp/sum.csv" >"$tmp/got"
cmp -s "$tmp/want" "$tmp/got" || fail "summary: $(cat "$tmp/got") want $(cat "$tmp/want")"
expect 0 "" "$HISIM" export --run 1 --format csv --db "$tmp/one.db"
grep -q "^# policy: fixed-threshold" "$tmp/out" && grep -q "^series,idx,x,y$" "$tmp/out" && grep -q "^regret,0,1," "$tmp/out" \
    || fail "run export: $(head -20 "$tmp/out")"
expect 2 "no sweep with id 9" "$HISIM" export --sweep 9 --format csv --db "$tmp/one.db" -o "$tmp/none.csv"
[ ! -e "$tmp/none.csv" ] || fail "export of a missing sweep wrote a file"
if command -v mkfifo >/dev/null 2>&1 && mkfifo "$tmp/fifo"; then
    cat "$tmp/fifo" >"$tmp/fromfifo" &
    expect 0 "" "$HISIM" export --sweep 1 --format csv --db "$tmp/one.db" -o "$tmp/fifo"
    wait $!
    [ -p "$tmp/fifo" ] || fail "export replaced the FIFO"
    cmp -s "$tmp/fromfifo" "$tmp/one.csv" || fail "export through a FIFO"
fi

# the closed forms as a target: 002 eq. (9) at rho 0.421 (seed-spec §3.5)
cat >"$tmp/bs.yaml" <<YAML
scenario: base.yaml
target: batch-size
set: {trace.file: '', batch.rho: 0.421, device.tau_ed_ms: 1.48, server.tau_es_ms: 4.41, network.bytes: 30812.5}
axes:
  batch.alpha: [0.1, 0.5, 0.9]
  network.delay_ms: [2, 20, 50]
YAML
expect 0 "" "$HISIM" sweep "$tmp/bs.yaml" --db "$tmp/bs.db"
"$HISIM" export --sweep 1 --format csv --db "$tmp/bs.db" | awk -F, '
    NR == 1 { for (i = 1; i <= NF; i++) { if ($i == "m_star") s = i; if ($i == "m_dagger") d = i } }
    NR > 1 { printf "%s %s %.3f %d\n", $3, $4, $d, $s }' >"$tmp/bs.txt"
cat >"$tmp/bs.want" <<EOF
0.1 2 0.322 1
0.1 20 1.017 1
0.1 50 1.608 2
0.5 2 0.965 1
0.5 20 3.052 3
0.5 50 4.825 5
0.9 2 2.895 3
0.9 20 9.156 9
0.9 50 14.476 14
EOF
cmp -s "$tmp/bs.txt" "$tmp/bs.want" || fail "batch-size sweep: $(cat "$tmp/bs.txt")"

# plots: a figure, or no file and exit 2
if command -v gnuplot >/dev/null 2>&1; then
    expect 0 "" "$HISIM" plot sweep --sweep 1 --db "$tmp/one.db" --x cost.beta --y mean_cost --by policy.name \
        -o "$tmp/sweep.svg"
    grep -q "<svg" "$tmp/sweep.svg" || fail "plot sweep wrote no svg"
    expect 0 "" "$HISIM" plot regret --sweep 1 --db "$tmp/one.db" --where cost.beta=0.3 -o "$tmp/regret.svg"
    grep -q "bound (002 eq. 5)" "$tmp/regret.svg" || fail "plot regret --sweep lacks the bound"
    expect 2 "axis policy.name varies" "$HISIM" plot sweep --sweep 1 --db "$tmp/one.db" --x cost.beta --y mean_cost \
        -o "$tmp/bad.svg"
    expect 2 "not a metric of sweep 1" "$HISIM" plot sweep --sweep 1 --db "$tmp/one.db" --x cost.beta --y nope \
        --by policy.name -o "$tmp/bad.svg"
    expect 2 "choose at most 16 with --where" "$HISIM" plot regret --sweep 1 --db "$tmp/u.db" -o "$tmp/bad.svg"
    expect 1 "gnuplot failed" env HISIM_GNUPLOT=false "$HISIM" plot sweep --sweep 1 --db "$tmp/one.db" --x cost.beta \
        --y mean_cost --by policy.name -o "$tmp/bad.svg"
    [ ! -e "$tmp/bad.svg" ] || fail "a failed plot left a file"
fi
expect 0 "" "$HISIM" help sweep
expect 0 "" "$HISIM" sweep -h
grep -q "^usage: hisim sweep" "$tmp/out" || fail "sweep -h"
expect 0 "" "$HISIM" export --help
expect 0 "" "$HISIM" merge -h

[ "$fails" -eq 0 ] || { echo "$fails failures"; exit 1; }
exit 0
