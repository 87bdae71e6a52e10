#!/bin/sh
# cli-tools.sh — the checks that need sqlite3 and gnuplot: stored series
# read back with SQL, and plots.  Exits 77 (SKIP) when either is missing.
set -u
: "${HISIM:=./hisim}" "${SRCDIR:=.}"
for tool in sqlite3 gnuplot; do
    command -v "$tool" >/dev/null 2>&1 || { echo "SKIP: $tool not found"; exit 77; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

cp "$SRCDIR/tests/data/small.csv" "$tmp/t.csv"
printf 'seed: 3\ntrace:\n  file: t.csv\n' >"$tmp/s.yaml"
db="$tmp/h.db"

"$HISIM" run "$tmp/s.yaml" --db "$db" >/dev/null || fail "run 1"
"$HISIM" run "$tmp/s.yaml" --db "$db" -s policy.name=hil-f -s trace.order=bootstrap -s trace.samples=2000 \
    >/dev/null || fail "run 2"
n=$(sqlite3 "$db" "select count(*) from series where run_id=2 and name='regret'") || fail "sqlite3 on $db"
[ "${n:-0}" -ge 100 ] || fail "regret series not stored (${n:-none} points)"
n=$(sqlite3 "$db" "select count(*) from runs") || fail "sqlite3 on $db"
[ "$n" = 2 ] || fail "runs stored: $n, want 2"

"$HISIM" plot regret --run 2 --db "$db" -o "$tmp/regret.svg" || fail "plot regret"
grep -q "<svg" "$tmp/regret.svg" || fail "plot regret wrote no svg"
"$HISIM" plot cost --run 1 --run 2 --db "$db" -o "$tmp/cost.svg" || fail "plot cost"
grep -q "<svg" "$tmp/cost.svg" || fail "plot cost wrote no svg"

[ "$fails" -eq 0 ] && echo "cli-tools: all passed"
exit $((fails > 0))
