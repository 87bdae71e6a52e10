#!/bin/sh
# cli.sh — the hisim command end to end: runs, the store, bad input (exit
# status 2, one line naming the place, nothing written).
set -u
: "${HISIM:=./hisim}" "${SRCDIR:=.}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
pass() { :; }
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

cp "$SRCDIR/tests/data/small.csv" "$tmp/t.csv"
cat >"$tmp/s.yaml" <<YAML
seed: 3
trace:
  file: t.csv
policy:
  name: fixed-threshold
  theta: optimal
YAML
db="$tmp/h.db"

# a run is stored, listed and shown; --json is one object
expect 0 "" "$HISIM" run "$tmp/s.yaml" --db "$db" --samples-log "$tmp/log.csv"
grep -q "stored as run 1 in" "$tmp/out" || fail "run id not printed"
grep -q "accuracy          0.7000" "$tmp/out" || fail "accuracy not printed: $(cat "$tmp/out")"
head -1 "$tmp/log.csv" | grep -qx "idx,id,p,q_off,offload,y_sml,y_lml,cost,response_ms,device,action,failed" || fail "log header"
[ "$(wc -l <"$tmp/log.csv")" -eq 11 ] || fail "log rows"
expect 0 "" "$HISIM" run "$tmp/s.yaml" --db "$db" --samples-log "$tmp/log2.csv" -s seed=3 --json
cmp -s "$tmp/log.csv" "$tmp/log2.csv" || fail "same seed, different samples log"
grep -q '^{"run_id":2,' "$tmp/out" || fail "json summary: $(cat "$tmp/out")"
expect 0 "" "$HISIM" runs --db "$db"
[ "$(grep -c fixed-threshold "$tmp/out")" -eq 2 ] || fail "runs lists two runs"
expect 0 "" "$HISIM" show 1 --db "$db"
grep -q '"policy.theta":"optimal"' "$tmp/out" || fail "show prints the effective config"
expect 0 "" "$HISIM" run "$tmp/s.yaml" --db "$db" -s policy.theta=0.6 -s cost.beta=0.3 --json
grep -q '"policy.theta":0.6' "$tmp/out" || fail "override not in the stored config"
grep -q '"cost.beta":0.3' "$tmp/out" || fail "override not in the stored config"
expect 0 "" "$HISIM" trace info "$tmp/t.csv" --json
grep -q '"theta_star":0.55,' "$tmp/out" || fail "trace info json: $(cat "$tmp/out")"
expect 0 "" "$HISIM" --help
expect 0 "" "$HISIM" help run
expect 0 "" "$HISIM" help scenario
grep -q "policy.theta" "$tmp/out" || fail "help scenario lists keys"

# online policies, the regret series and its plot, batch size
expect 0 "" "$HISIM" run "$tmp/s.yaml" --db "$db" -s policy.name=hil-f -s trace.order=bootstrap -s trace.samples=2000 --json
grep -q '"policy":"hil-f eta=' "$tmp/out" || fail "hil-f run: $(cat "$tmp/out")"
hid=$(sed 's/^{"run_id":\([0-9]*\).*/\1/' "$tmp/out")
"$HISIM" show "$hid" --db "$db" --json | grep -q '"regret":' || fail "regret metric not stored"
# (the stored series and the plots are checked in tests/cli-tools.sh, which
# needs sqlite3 and gnuplot)
expect 2 "no run with id 99" "$HISIM" plot regret --run 99 --db "$db" -o "$tmp/none.svg"
[ ! -e "$tmp/none.svg" ] || fail "plot wrote a file for a missing run"
expect 0 "" "$HISIM" run "$tmp/s.yaml" --db "$db" -s policy.name=batch-hi -s policy.batch=auto
grep -q "policy.batch auto: M\* = " "$tmp/out" || fail "batch auto: $(cat "$tmp/out")"
expect 0 "" "$HISIM" batch-size --tau-ed 1.48 --tau-es 4.41 --tau-tx 4.93 --tau-nw 20 --rho 0.421 --alpha 0.5 --json
grep -q '"m_star":3,' "$tmp/out" || fail "batch-size: $(cat "$tmp/out")"
expect 2 "--rho is required" "$HISIM" batch-size --tau-ed 1 --tau-es 1 --tau-tx 1 --tau-nw 1 --alpha 0.5
expect 2 "--alpha: expected a number in \[0, 1\]" "$HISIM" batch-size --alpha 2
expect 2 "policy.batch: hil-f decides one sample at a time" "$HISIM" run "$tmp/s.yaml" --db "$db" -s policy.name=hil-f -s policy.batch=4

# synthetic traces: written whole or not at all
expect 0 "" "$HISIM" trace synth --preset cifar10-hi -n 500 -o "$tmp/syn.csv"
expect 0 "" "$HISIM" trace info "$tmp/syn.csv" --json
grep -q '"n":500,' "$tmp/out" || fail "synth trace: $(cat "$tmp/out")"
expect 2 "" "$HISIM" trace synth --preset no-such-preset -o "$tmp/syn2.csv"
[ ! -e "$tmp/syn2.csv" ] || fail "synth wrote a file on bad input"

# bad input: status 2, one line naming file:line:col, nothing stored
count_runs() { "$HISIM" runs --db "$db" | grep -c '^ *[0-9]'; }
runs_before=$(count_runs) || fail "runs failed"
printf 'seed: 1\npolicy:\n  thetaa: 0.5\ntrace:\n  file: t.csv\n' >"$tmp/bad1.yaml"
expect 2 "bad1.yaml:3:3: unknown key 'policy.thetaa' (did you mean 'policy.theta'?)" "$HISIM" run "$tmp/bad1.yaml" --db "$db" --samples-log "$tmp/nolog.csv"
[ ! -e "$tmp/nolog.csv" ] || fail "samples log written on bad input"
printf 'cost:\n  beta: 2\ntrace:\n  file: t.csv\n' >"$tmp/bad2.yaml"
expect 2 "bad2.yaml:2:9: cost.beta: 2 is out of range" "$HISIM" run "$tmp/bad2.yaml" --db "$db"
printf 'trace:\n  file: "a\n' >"$tmp/bad3.yaml"
expect 2 "bad3.yaml:.*malformed YAML" "$HISIM" run "$tmp/bad3.yaml" --db "$db"
printf 'label,sml_pred,sml_conf,lml_pred\n1,1,0.5,1\n1,1,x,1\n' >"$tmp/bad.csv"
expect 2 "bad.csv:3:5: column 'sml_conf'" "$HISIM" run "$tmp/s.yaml" --db "$db" -s trace.file="$tmp/bad.csv"
expect 2 "missing.csv: cannot open trace" "$HISIM" run "$tmp/s.yaml" --db "$db" -s trace.file="$tmp/missing.csv"
expect 2 "unknown key 'cost.bta'" "$HISIM" run "$tmp/s.yaml" --db "$db" -s cost.bta=1
expect 2 "cannot open scenario" "$HISIM" run "$tmp/none.yaml" --db "$db"
# layer profiles: a bad one is pointed at, a time given twice is refused; a relative path is the scenario's
printf '# input_bytes: 4\nname,type,flops,params,output_bytes,cpu_ms\na,b,1,1,1,slow\n' >"$tmp/badp.csv"
expect 2 "badp.csv:3:11: column 'cpu_ms': expected a number >= 0, found 'slow' (while loading device.profile)" "$HISIM" run "$tmp/s.yaml" --db "$db" -s device.profile="$tmp/badp.csv"
expect 2 "device.tau_ed_ms and device.profile both give the S-ML time" "$HISIM" run "$tmp/s.yaml" --db "$db" -s device.tau_ed_ms=1 -s device.profile="$SRCDIR/traces/fmnist/profile-sml.csv"
cp "$SRCDIR/traces/fmnist/profile-sml.csv" "$tmp/p.csv"
printf 'device:\n  profile: p.csv\n' | cat "$tmp/s.yaml" - >"$tmp/prof.yaml"
expect 0 "" "$HISIM" run "$tmp/prof.yaml" --db "$tmp/prof.db" --json
grep -q '"device.tau_ed_ms":0.119' "$tmp/out" || fail "device.profile did not give tau_ed_ms: $(cat "$tmp/out")"
expect 2 "unknown option" "$HISIM" run "$tmp/s.yaml" --frobnicate
expect 2 "expected a scenario file" "$HISIM" run
expect 2 "unknown verb 'rnu' (did you mean 'run'?)" "$HISIM" rnu
expect 2 "no run with id 99" "$HISIM" show 99 --db "$db"
expect 2 "not a run id" "$HISIM" show abc --db "$db"
expect 2 "--beta: cost.beta: 3 is out of range" "$HISIM" trace info "$tmp/t.csv" --beta 3
echo "not sqlite at all, just some text padding padding padding padding padding" >"$tmp/junk.db"
expect 2 "not a hisim database" "$HISIM" run "$tmp/s.yaml" --db "$tmp/junk.db"
expect 2 "not a hisim database" "$HISIM" runs --db "$tmp/junk.db"
runs_after=$(count_runs) || fail "runs failed"
[ "$runs_before" = "$runs_after" ] || fail "bad input stored a run ($runs_before -> $runs_after)"

[ "$fails" -eq 0 ] && echo "cli: all passed"
exit $((fails > 0))
