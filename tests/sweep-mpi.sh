#!/bin/sh
# sweep-mpi.sh — `mpirun -np 3 hisim sweep` stores the rows of `hisim sweep
# -j 1` (rank 0 writes, ranks 1 and 2 compute), for a trace scenario and
# a cluster scenario.  Skipped (77) when hisim
# was built without MPI (./configure --with-mpi) or mpirun is missing.
set -u
: "${HISIM:=./hisim}" "${SRCDIR:=.}" "${HISIM_MPI:=no}"
[ "$HISIM_MPI" = yes ] || { echo "built without MPI: skipped"; exit 77; }
command -v mpirun >/dev/null 2>&1 || { echo "mpirun not found: skipped"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

cp "$SRCDIR/tests/data/small.csv" "$tmp/t.csv"
cat >"$tmp/base.yaml" <<YAML
trace: {file: t.csv, order: bootstrap, samples: 2000}
policy: {name: hil-f}
YAML
cat >"$tmp/s.yaml" <<YAML
scenario: base.yaml
axes:
  cost.beta: {from: 0.1, to: 0.9, step: 0.1}
replications: 3
YAML
# Open MPI refuses root without --allow-run-as-root (CI runs as root)
mpi="mpirun --oversubscribe -np 3"
[ "$(id -u)" -eq 0 ] && mpi="mpirun --oversubscribe --allow-run-as-root -np 3"
$mpi "$HISIM" sweep "$tmp/s.yaml" --db "$tmp/mpi.db" >"$tmp/out" 2>"$tmp/err" || fail "mpirun: $(cat "$tmp/err")"
grep -q "^sweep 1 finished: 9 points: 9 done, 0 failed, 0 reused, 0 skipped (runs: 27 new" "$tmp/out" \
    || fail "status: $(cat "$tmp/out")"
[ "$(grep -c '^sweep 1 finished' "$tmp/out")" -eq 1 ] || fail "more than one rank printed the status"
"$HISIM" sweep "$tmp/s.yaml" --db "$tmp/one.db" -j 1 >/dev/null 2>&1 || fail "-j 1 sweep"
"$HISIM" export --sweep 1 --format csv --db "$tmp/mpi.db" >"$tmp/mpi.csv"
"$HISIM" export --sweep 1 --format csv --db "$tmp/one.db" >"$tmp/one.csv"
[ "$(wc -l <"$tmp/mpi.csv")" -eq 28 ] || fail "rows: $(wc -l <"$tmp/mpi.csv")"
cmp -s "$tmp/mpi.csv" "$tmp/one.csv" || fail "MPI and -j 1 differ"
if command -v sqlite3 >/dev/null 2>&1; then
    [ "$(sqlite3 "$tmp/mpi.db" 'pragma integrity_check')" = ok ] || fail "integrity"
fi
# a cluster sweep: the ranks send a cluster run's metrics and series as bytes
cat >"$tmp/p.csv" <<CSV
# model: tiny
# input: 1x3x8x8 float32 (768 bytes); raw image 192 bytes
index,name,type,flops,params,output_bytes
0,c1,conv,1000000000,10,4000
1,fc,dense,1000000,10,40
CSV
cat >"$tmp/c.yaml" <<YAML
cluster:
  nodes:
    - {name: a, processors: [{name: cpu, gflops: 10, active_w: 4, idle_w: 1}]}
    - {name: b, link: {rate_mbps: 100, latency_ms: 1}, processors: [{name: cpu, gflops: 10, active_w: 4}]}
  requests:
    - {profile: p.csv, arrivals: poisson, rate_hz: 30, count: 20}
YAML
printf 'scenario: c.yaml\naxes:\n  cluster.strategy: [hidp, modnn, disnet]\nreplications: 2\n' >"$tmp/cs.yaml"
$mpi "$HISIM" sweep "$tmp/cs.yaml" --db "$tmp/cmpi.db" >"$tmp/out" 2>"$tmp/err" || fail "mpirun cluster: $(cat "$tmp/err")"
"$HISIM" sweep "$tmp/cs.yaml" --db "$tmp/cone.db" -j 1 >/dev/null 2>&1 || fail "-j 1 cluster sweep"
"$HISIM" export --sweep 1 --format csv --db "$tmp/cmpi.db" >"$tmp/cmpi.csv"
"$HISIM" export --sweep 1 --format csv --db "$tmp/cone.db" >"$tmp/cone.csv"
[ "$(wc -l <"$tmp/cmpi.csv")" -eq 7 ] || fail "cluster rows: $(cat "$tmp/cmpi.csv")"
cmp -s "$tmp/cmpi.csv" "$tmp/cone.csv" || fail "MPI and -j 1 differ on a cluster sweep"
# rank 0 numbers runs in the order results arrive, so runs are matched by
# their seed (one per point and replication), not by id
for f in cmpi cone; do
    for id in 1 2 3 4 5 6; do
        "$HISIM" export --run $id --format csv --db "$tmp/$f.db" >"$tmp/run" || fail "export --run $id ($f)"
        seed=$(sed -n 's/^# seed: //p' "$tmp/run")
        grep '^response_ms,' "$tmp/run" | sed "s/^/$seed,/"
    done | sort >"$tmp/$f.series"
done
[ "$(cut -d, -f1 "$tmp/cmpi.series" | sort -u | wc -l)" -eq 6 ] || fail "cluster runs under MPI: not 6 seeds"
[ "$(wc -l <"$tmp/cmpi.series")" -eq 120 ] && cmp -s "$tmp/cmpi.series" "$tmp/cone.series" \
    || fail "the cluster runs' series under MPI: $(wc -l <"$tmp/cmpi.series") rows, or they differ from -j 1"
# bad input: one message (from rank 0), exit 2, no database
printf 'scenario: base.yaml\naxes:\n  cost.beta: []\n' >"$tmp/bad.yaml"
$mpi "$HISIM" sweep "$tmp/bad.yaml" --db "$tmp/bad.db" >/dev/null 2>"$tmp/err"
[ "$(grep -c 'empty axis' "$tmp/err")" -eq 1 ] || fail "bad input under MPI: $(cat "$tmp/err")"
[ ! -e "$tmp/bad.db" ] || fail "bad input under MPI made a database"
[ "$fails" -eq 0 ] || { echo "$fails failures"; exit 1; }
exit 0
