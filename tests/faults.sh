#!/bin/sh
# faults.sh — nothing lost, nothing half-written: special output files,
# full disks, closed pipes, locked and odd databases, signals mid-run,
# failed plots, and the exact rerun of a stored run.
set -u
: "${HISIM:=./hisim}" "${SRCDIR:=.}"
command -v sqlite3 >/dev/null 2>&1 || { echo "faults: sqlite3 not found"; exit 77; }
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
    fi
}
no_temporaries() {
    left=$(find "$1" -name '*.tmp*' | head -3)
    [ -z "$left" ] || fail "$2: temporary files left behind: $left"
}

cp "$SRCDIR/tests/data/small.csv" "$tmp/t.csv"
printf 'seed: 3\ntrace:\n  file: t.csv\npolicy:\n  name: fixed-threshold\n' >"$tmp/s.yaml"
db="$tmp/h.db"
long="-s policy.name=hil-f -s trace.order=bootstrap"

# ---- output files that are not regular files ----
# a samples log to standard output, a FIFO, /dev/null: written through, never replaced
"$HISIM" run "$tmp/s.yaml" --db "$db" --samples-log /dev/stdout >"$tmp/stdout.txt" 2>"$tmp/err" || fail "samples log to /dev/stdout: $(cat "$tmp/err")"
grep -q '^idx,id,p,q_off,offload' "$tmp/stdout.txt" || fail "samples log to /dev/stdout: no header"
[ "$(grep -c '^[0-9]*,[0-9]*,' "$tmp/stdout.txt")" -eq 10 ] || fail "samples log to /dev/stdout: not 10 rows"
mkfifo "$tmp/fifo"
cat "$tmp/fifo" >"$tmp/fifo.txt" &
reader=$!
expect 0 "" "$HISIM" run "$tmp/s.yaml" --db "$db" --samples-log "$tmp/fifo"
wait "$reader"
[ "$(wc -l <"$tmp/fifo.txt")" -eq 11 ] || fail "FIFO reader got $(wc -l <"$tmp/fifo.txt") lines, want 11"
[ -p "$tmp/fifo" ] || fail "the FIFO was replaced"
# a symbolic link stays a link; the file it names gets the log
printf 'old\n' >"$tmp/real.csv"
ln -s "$tmp/real.csv" "$tmp/link.csv"
expect 0 "" "$HISIM" run "$tmp/s.yaml" --db "$db" --samples-log "$tmp/link.csv"
[ -L "$tmp/link.csv" ] || fail "the symlink was replaced"
[ "$(wc -l <"$tmp/real.csv")" -eq 11 ] || fail "the symlink's target did not get the log"
# a directory is refused before anything runs
runs0=$(sqlite3 "$db" "select count(*) from runs")
expect 2 "is a directory" "$HISIM" run "$tmp/s.yaml" --db "$db" --samples-log "$tmp"
# a full disk: the run is stored, the log's failure is reported, exit 1, no temporary
expect 1 "/dev/full: write error: No space left on device" "$HISIM" run "$tmp/s.yaml" --db "$db" --samples-log /dev/full
grep -q "the run itself is stored as run" "$tmp/err" || fail "log failure does not say the run is kept: $(cat "$tmp/err")"
[ "$(sqlite3 "$db" "select count(*) from runs")" -eq $((runs0 + 1)) ] || fail "the run with a failed log was not stored"
no_temporaries "$tmp" "output files"

# ---- standard output that fails: every verb exits 1 with a message ----
for cmd in "run $tmp/s.yaml --db $db" "runs --db $db" "show 1 --db $db" "trace info $tmp/t.csv" \
    "batch-size --tau-ed 1 --tau-es 1 --tau-tx 1 --tau-nw 1 --rho 0.5 --alpha 0.5" "help run" "--version" \
    "rerun 1 --db $db" "sweeps --db $db" "export --run 1 --format csv --db $db"; do
    # shellcheck disable=SC2086
    "$HISIM" $cmd >/dev/full 2>"$tmp/err"
    rc=$?
    [ "$rc" -eq 1 ] || fail "hisim $cmd >/dev/full -> status $rc, want 1"
    grep -q "standard output: write error: No space left on device" "$tmp/err" || fail "hisim $cmd >/dev/full: $(cat "$tmp/err")"
    [ "$(grep -c "standard output" "$tmp/err")" -eq 1 ] || fail "hisim $cmd >/dev/full: not one message: $(cat "$tmp/err")"
done
# a reader that is gone: with SIGPIPE ignored (as some supervisors leave
# it) the write fails with EPIPE; quiet, but never a success
if command -v python3 >/dev/null 2>&1; then
    for cmd in "runs --db $db" "sweeps --db $db" "export --run 1 --format csv --db $db"; do
        # shellcheck disable=SC2086
        rc=$(python3 -c '
import os, signal, subprocess, sys
signal.signal(signal.SIGPIPE, signal.SIG_IGN)
r, w = os.pipe()
os.close(r)                     # the reader is gone before hisim writes
p = subprocess.Popen(sys.argv[1:], stdout=w, stderr=subprocess.PIPE, restore_signals=False)
os.close(w)
err = p.stderr.read()
print(p.wait(), len(err))' "$HISIM" $cmd)
        [ "$rc" = "1 0" ] || fail "$cmd into a closed pipe (SIGPIPE ignored): status and stderr bytes '$rc', want '1 0'"
    done
fi

# ---- databases ----
expect 2 "an empty path" "$HISIM" run "$tmp/s.yaml" --db ''
expect 2 "':memory:' keeps nothing" "$HISIM" run "$tmp/s.yaml" --db :memory:
# sweep and cluster store runs too
expect 2 "an empty path" "$HISIM" sweep "$tmp/s.yaml" --db ''
expect 2 "':memory:' keeps nothing" "$HISIM" sweep "$tmp/s.yaml" --db :memory:
expect 2 "an empty path" "$HISIM" cluster "$tmp/s.yaml" --db ''
expect 2 "':memory:' keeps nothing" "$HISIM" cluster "$tmp/s.yaml" --db :memory:
# a missing folder or a directory fails before the simulation, by its cause
expect 2 "cannot create the database: no such folder '$tmp/nodir'" "$HISIM" run "$tmp/s.yaml" --db "$tmp/nodir/x.db" -s trace.samples=100000000 $long
expect 2 "is a directory" "$HISIM" run "$tmp/s.yaml" --db "$tmp"
expect 2 "is a directory" "$HISIM" runs --db "$tmp"
# read-only verbs change nothing: an empty file stays empty, a database keeps its bytes
: >"$tmp/empty.db"
expect 0 "" "$HISIM" runs --db "$tmp/empty.db"
[ ! -s "$tmp/empty.db" ] || fail "runs wrote to an empty file"
sum0=$(cksum <"$db")
expect 0 "" "$HISIM" runs --db "$db"
expect 0 "" "$HISIM" show 1 --db "$db"
if command -v gnuplot >/dev/null 2>&1; then
    expect 0 "" "$HISIM" plot cost --run 1 --db "$db" -o "$tmp/c.svg"
fi
[ "$(cksum <"$db")" = "$sum0" ] || fail "a read-only verb changed the database"
expect 2 "no such database" "$HISIM" show 1 --db "$tmp/none.db"
[ ! -e "$tmp/none.db" ] || fail "show created a database"
# a corrupt file is named as such
cp "$db" "$tmp/bad.db"
dd if=/dev/urandom of="$tmp/bad.db" bs=1024 seek=2 count=4 conv=notrunc 2>/dev/null
"$HISIM" runs --db "$tmp/bad.db" >/dev/null 2>"$tmp/err"
rc=$?
[ "$rc" -ne 0 ] && grep -q "corrupt\|malformed\|not a database" "$tmp/err" || fail "corrupt database: status $rc, '$(cat "$tmp/err")'"
# a lock held by another process: "database is locked", exit 1, before the simulation
if :; then
    (printf 'BEGIN EXCLUSIVE;\n'; sleep 3; printf 'COMMIT;\n') | sqlite3 "$db" &
    locker=$!
    sleep 0.5
    start=$(date +%s)
    HISIM_BUSY_TIMEOUT_MS=200 "$HISIM" run "$tmp/s.yaml" --db "$db" --samples-log "$tmp/locked.csv" >/dev/null 2>"$tmp/err"
    rc=$?
    [ "$rc" -eq 1 ] || fail "locked database: status $rc, want 1"
    grep -q "database is locked" "$tmp/err" || fail "locked database: '$(cat "$tmp/err")'"
    grep -q "not a hisim database" "$tmp/err" && fail "a lock reported as 'not a hisim database'"
    [ ! -e "$tmp/locked.csv" ] || fail "locked database: a samples log was written"
    wait "$locker"
fi

# ---- signals mid-run: stored as interrupted, the log complete up to there ----
"$HISIM" run "$tmp/s.yaml" --db "$db" $long -s trace.samples=20000000 --samples-log "$tmp/int.csv" >"$tmp/int.out" 2>"$tmp/int.err" &
pid=$!
sleep 2
kill -TERM "$pid"
wait "$pid"
rc=$?
[ "$rc" -eq 143 ] || fail "SIGTERM mid-run: status $rc, want 143 ($(cat "$tmp/int.err"))"
grep -q "interrupted after [0-9]* of 20000000 samples (SIGTERM): stored as run [0-9]* with status 'interrupted'" "$tmp/int.err" \
    || fail "SIGTERM mid-run: '$(cat "$tmp/int.err")'"
iid=$(sed -n 's/.*stored as run \([0-9]*\) with.*/\1/p' "$tmp/int.err")
[ "$(sqlite3 "$db" "select status from runs where id=$iid")" = interrupted ] || fail "interrupted run not stored as such"
logged=$(($(wc -l <"$tmp/int.csv") - 1))
[ "$(sqlite3 "$db" "select value from metrics where run_id=$iid and name='samples'")" = "$logged.0" ] \
    || fail "interrupted run: stored samples differ from the log's $logged rows"
no_temporaries "$tmp" "SIGTERM"
# SIGINT, as a terminal's ^C sends it: started with SIGINT at its default
# action (a background job of a script would ignore it, and hisim keeps
# an ignored SIGINT ignored)
if command -v python3 >/dev/null 2>&1; then
    rc=$(python3 -c '
import signal, subprocess, sys, time
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=open(sys.argv[-1] + ".err", "w"),
                     preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
time.sleep(2)
p.send_signal(signal.SIGINT)
try:
    print(p.wait(timeout=60))
except subprocess.TimeoutExpired:
    p.kill(); print("timeout")' "$HISIM" run "$tmp/s.yaml" --db "$db" $long -s trace.samples=20000000 --samples-log "$tmp/int2.csv")
    [ "$rc" = 130 ] || fail "SIGINT mid-run: status $rc, want 130 ($(cat "$tmp/int2.csv.err"))"
    grep -q "(SIGINT): stored as run" "$tmp/int2.csv.err" || fail "SIGINT mid-run: '$(cat "$tmp/int2.csv.err")'"
    rm -f "$tmp/int2.csv.err"
    no_temporaries "$tmp" "SIGINT"
fi
# a sweep: SIGTERM once its first run is stored and the second is in
# flight keeps the first, drops the second, stores the sweep as
# interrupted and exits 143; --resume finishes it
sweep_file() {      # the second point's samples
    printf 'scenario: s.yaml\nset: {policy.name: hil-f, trace.order: bootstrap}\naxes:\n  trace.samples: [1000, %s]\n' "$1" \
        >"$tmp/sw.yaml"
}
sweep_file 50000000
sweep_started() {    # waits until the sweep in $1 has stored its first run
    i=0
    while [ $i -lt 600 ]; do
        if [ -f "$1" ] && n=$(sqlite3 "$1" "select count(*) from sweep_runs where status = 'done'" 2>/dev/null) \
            && [ "$n" -ge 1 ]; then
            return 0
        fi
        sleep 0.05
        i=$((i + 1))
    done
    return 1
}
"$HISIM" sweep "$tmp/sw.yaml" --db "$tmp/sw.db" -j 1 >"$tmp/sw.out" 2>"$tmp/sw.err" &
pid=$!
sweep_started "$tmp/sw.db" || fail "sweep: the first run was not stored within 30 s"
sleep 0.3
kill -TERM "$pid"
wait "$pid"
rc=$?
[ "$rc" -eq 143 ] || fail "SIGTERM mid-sweep: status $rc, want 143 ($(cat "$tmp/sw.err"))"
grep -q "^hisim sweep: interrupted (SIGTERM): sweep 1 stored with status 'interrupted' (runs: 1 new, 0 reused, 0 kept, 0 failed; 1 stopped in flight, not stored); --resume finishes it$" "$tmp/sw.err" \
    || fail "SIGTERM mid-sweep: '$(cat "$tmp/sw.err")'"
[ "$(sqlite3 "$tmp/sw.db" "select status from sweeps where id = 1")" = interrupted ] || fail "interrupted sweep not stored as such"
[ "$(sqlite3 "$tmp/sw.db" "select count(*) from runs")" = 1 ] || fail "interrupted sweep: not exactly the finished run stored"
[ "$(sqlite3 "$tmp/sw.db" 'pragma integrity_check')" = ok ] || fail "integrity after an interrupted sweep"
# the long point made short (the file changed, so --force): the run kept,
# the other one new, the sweep done
sweep_file 2000
expect 0 "" "$HISIM" sweep "$tmp/sw.yaml" --db "$tmp/sw.db" --resume --force
grep -q "^sweep 1 resumed: 2 points: 2 done, 0 failed, 0 reused, 0 skipped (runs: 1 new, 0 reused, 1 kept, 0 failed)" "$tmp/out" \
    || fail "resume of an interrupted sweep: $(tail -1 "$tmp/out")"
[ "$(sqlite3 "$tmp/sw.db" "select status from sweeps where id = 1")" = done ] || fail "resumed sweep not done"
# a sweep's runs keep no effective configuration: rerun says so
expect 2 "run 1 has no stored effective configuration and trace checksum (runs of hisim sweep and hisim cluster keep none" \
    "$HISIM" rerun 1 --db "$tmp/sw.db"
# SIGINT, as from a terminal: 130
if command -v python3 >/dev/null 2>&1; then
    sweep_file 50000000
    rc=$(python3 -c '
import os, signal, sqlite3, subprocess, sys, time
db = sys.argv[1]
p = subprocess.Popen(sys.argv[2:], stdout=subprocess.DEVNULL, stderr=open(db + ".err", "w"),
                     preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
for i in range(600):                # until the first run is stored
    try:
        if os.path.exists(db) and sqlite3.connect(db).execute(
                "select count(*) from sweep_runs where status = \x27done\x27").fetchone()[0] >= 1:
            break
    except sqlite3.Error:
        pass
    time.sleep(0.05)
else:
    p.kill(); print("no run stored in 30 s"); sys.exit()
time.sleep(0.3)
p.send_signal(signal.SIGINT)
try:
    print(p.wait(timeout=60))
except subprocess.TimeoutExpired:
    p.kill(); print("timeout")' "$tmp/sw2.db" "$HISIM" sweep "$tmp/sw.yaml" --db "$tmp/sw2.db" -j 2)
    [ "$rc" = 130 ] || fail "SIGINT mid-sweep: status $rc, want 130 ($(cat "$tmp/sw2.db.err"))"
    grep -q "^hisim sweep: interrupted (SIGINT): sweep 1 stored with status 'interrupted'" "$tmp/sw2.db.err" \
        || fail "SIGINT mid-sweep: '$(cat "$tmp/sw2.db.err")'"
    [ "$(sqlite3 "$tmp/sw2.db" "select status from sweeps where id = 1")" = interrupted ] || fail "SIGINT: sweep not interrupted"
    rm -f "$tmp/sw2.db.err"
fi
no_temporaries "$tmp" "sweep signals"
# a signal while a synthetic trace is written leaves no temporary either
"$HISIM" trace synth --preset cifar10-hi -n 1000000 -o "$tmp/big.csv" >/dev/null 2>&1 &
pid=$!
i=0
while [ $i -lt 600 ] && [ -z "$(find "$tmp" -name 'big.csv.tmp*')" ]; do
    sleep 0.2
    i=$((i + 1))
done
[ $i -lt 600 ] || fail "trace synth: no temporary appeared beside the target"
kill -TERM "$pid"
wait "$pid"
[ ! -e "$tmp/big.csv" ] || fail "an interrupted trace synth left its output"
no_temporaries "$tmp" "trace synth"

# ---- plots: gnuplot's failures and incomplete figures leave no file ----
cat >"$tmp/fake-gnuplot" <<'EOF'
#!/bin/sh
# writes half a PNG where it is told, then exits 0 (a full disk)
out=$(sed -n "s/^set output '\(.*\)'$/\1/p")
printf '\211PNG\r\n\032\nhalf a figure' >"$out"
exit 0
EOF
chmod +x "$tmp/fake-gnuplot"
HISIM_GNUPLOT="$tmp/fake-gnuplot" expect 1 "incomplete figure" "$HISIM" plot cost --run 1 --db "$db" -o "$tmp/half.png"
[ ! -e "$tmp/half.png" ] || fail "an incomplete figure was kept"
no_temporaries "$tmp" "plot"
if command -v gnuplot >/dev/null 2>&1; then
    ln -s /dev/full "$tmp/full.svg"
    expect 1 "write error: No space left on device" "$HISIM" plot cost --run 1 --db "$db" -o "$tmp/full.svg"
    [ -L "$tmp/full.svg" ] || fail "plot replaced a link to /dev/full"
fi

# ---- rerun: from another directory, every metric byte-identical ----
expect 0 "" "$HISIM" run "$tmp/s.yaml" --db "$db" $long -s trace.samples=20000 -s seed=9 --json
rid=$(sed 's/^{"run_id":\([0-9]*\).*/\1/' "$tmp/out")
sed 's/.*"metrics":\({[^}]*}\).*/\1/' "$tmp/out" >"$tmp/m1"
mkdir "$tmp/elsewhere"
(cd "$tmp/elsewhere" && "$HISIM" rerun "$rid" --db "$db" --json) >"$tmp/out2" 2>"$tmp/err" || fail "rerun: $(cat "$tmp/err")"
sed 's/.*"metrics":\({[^}]*}\).*/\1/' "$tmp/out2" >"$tmp/m2"
cmp -s "$tmp/m1" "$tmp/m2" || fail "rerun metrics differ: $(diff "$tmp/m1" "$tmp/m2" | head -4)"
grep -q '"trace_sha256":"[0-9a-f]\{64\}"' "$tmp/out2" || fail "rerun --json lacks the trace checksum"
(cd "$tmp/elsewhere" && "$HISIM" show "$rid" --db "$db" --json) >"$tmp/show.json"
for key in trace_path trace_sha256 scenario_text effective config; do
    grep -q "\"$key\":" "$tmp/show.json" || fail "show --json lacks $key"
done
grep -q "\"trace_path\":\"$tmp/t.csv\"" "$tmp/show.json" || fail "show --json: trace path not absolute"
printf '# one more comment\n' >>"$tmp/t.csv"
expect 2 "the trace changed since run $rid" "$HISIM" rerun "$rid" --db "$db"
expect 2 "no run with id 999" "$HISIM" rerun 999 --db "$db"

# ---- rerun: every input file is checked, not only the trace ----
# a layer profile named in a devices list (relative to the directory the
# run started in) and an empirical delay file
mkdir "$tmp/in"
cp "$SRCDIR/tests/data/small.csv" "$tmp/in/t.csv"
cp "$SRCDIR/tests/data/layers-small.csv" "$tmp/in/p.csv"
printf '5\n20\n35\n' >"$tmp/in/delays.txt"
cat >"$tmp/in/s.yaml" <<'EOF'
seed: 4
trace:
  file: t.csv
  order: bootstrap
  samples: 200
network:
  delay_dist: empirical
  delay_file: delays.txt
  shared: false
devices:
  - count: 2
    device.profile: p.csv
  - count: 1
EOF
(cd "$tmp" && "$HISIM" run in/s.yaml --db "$db" --json) >"$tmp/out" 2>"$tmp/err" || fail "run with inputs: $(cat "$tmp/err")"
rid=$(sed 's/^{"run_id":\([0-9]*\).*/\1/' "$tmp/out")
"$HISIM" show "$rid" --db "$db" --json >"$tmp/show1.json"
sha_p=$(sha256sum <"$tmp/in/p.csv" | cut -c1-64)
sha_d=$(sha256sum <"$tmp/in/delays.txt" | cut -c1-64)
grep -q "\"inputs\":\[{\"key\":\"network.delay_file\",\"path\":\"$tmp/in/delays.txt\",\"sha256\":\"$sha_d\"},{\"key\":\"devices\[1\].device.profile\",\"path\":\"$tmp/in/p.csv\",\"sha256\":\"$sha_p\"}\]" "$tmp/show1.json" \
    || fail "show --json: inputs missing or wrong: $(sed 's/.*"inputs"/"inputs"/' "$tmp/show1.json")"
grep -q '"rng":"mt19937"' "$tmp/show1.json" || fail "show --json lacks the RNG"
# unchanged inputs, from another directory: the same run, byte for byte
# (all but its id and times)
(cd "$tmp/elsewhere" && "$HISIM" rerun "$rid" --db "$db" --json) >"$tmp/out2" 2>"$tmp/err" || fail "rerun with inputs: $(cat "$tmp/err")"
rid2=$(sed 's/^{"run_id":\([0-9]*\).*/\1/' "$tmp/out2")
"$HISIM" show "$rid2" --db "$db" --json >"$tmp/show2.json"
strip() { sed 's/^{"run_id":[0-9]*,//; s/"started":"[^"]*","finished":"[^"]*",//' "$1"; }
strip "$tmp/show1.json" >"$tmp/show1.s"
strip "$tmp/show2.json" >"$tmp/show2.s"
cmp -s "$tmp/show1.s" "$tmp/show2.s" || fail "rerun with inputs differs: $(cmp "$tmp/show1.s" "$tmp/show2.s" 2>&1)"
[ "$(sqlite3 "$db" "select count(distinct effective) from runs where id in ($rid, $rid2)")" = 1 ] \
    || fail "rerun stored another effective configuration"
# a changed profile, a missing delay file: refused, naming the file and its key
printf '# edited\n' >>"$tmp/in/p.csv"
expect 2 "$tmp/in/p.csv (devices\[1\].device.profile): the file changed since run $rid (SHA-256 was $(echo "$sha_p" | cut -c1-12)..., is now" \
    "$HISIM" rerun "$rid" --db "$db"
cp "$SRCDIR/tests/data/layers-small.csv" "$tmp/in/p.csv"
expect 0 "" "$HISIM" rerun "$rid" --db "$db"
rm "$tmp/in/delays.txt"
expect 2 "$tmp/in/delays.txt (network.delay_file): the file is gone or unreadable since run $rid (No such file or directory)" \
    "$HISIM" rerun "$rid" --db "$db"
[ "$(sqlite3 "$db" "select count(*) from runs where id > $rid2")" = 1 ] || fail "a refused rerun stored a run"
# a run stored before the checksums were: only the trace is checked, and
# rerun says so
printf '5\n20\n35\n' >"$tmp/in/delays.txt"
sqlite3 "$db" "update runs set effective = substr(effective, 1, instr(effective, '#= sha256') - 1) where id = $rid"
expect 0 "" "$HISIM" rerun "$rid" --db "$db"
grep -q "warning: run $rid was stored without the checksums of its input files (an older hisim): only the trace is checked, not $tmp/in/delays.txt and the others" "$tmp/err" \
    || fail "rerun of a run without input checksums: '$(cat "$tmp/err")'"

[ "$fails" -eq 0 ] && echo "faults: all passed"
exit $((fails > 0))
