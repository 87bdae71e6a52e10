#!/bin/sh
# bench.sh BUILDDIR — the benchmarks of docs/performance.md (make bench).
# Wall times, medians of 5 runs, pinned to one core when taskset exists.
set -eu
b=${1:-.}
src=$(cd "$(dirname "$0")/.." && pwd)
pin=""
command -v taskset >/dev/null 2>&1 && pin="taskset -c 0"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# BENCH selects sections: "mm1 hilf system store sweep" (the default) or any part of it
want() { case " ${BENCH:-mm1 hilf system store sweep} " in *" $1 "*) return 0 ;; esac; return 1; }

if want mm1; then
echo "== M/M/1 on the kernel (lambda 0.9, mu 1, 10^6 customers), 5 runs =="
$pin "$b/tests/bench-mm1" 5 1000000 0.9
fi

if want hilf; then
echo "== hil-f on the Fashion-MNIST trace, bootstrap samples, 5 runs each =="
for n in ${HILF_SIZES:-100000 1000000 10000000}; do
    times=""
    for i in 1 2 3 4 5; do
        s=$(date +%s.%N)
        $pin "$b/hisim" run "$src/scenarios/quickstart.yaml" --db "$tmp/bench.db" \
            -s policy.name=hil-f -s trace.order=bootstrap -s trace.samples=$n -s seed=$i >/dev/null
        e=$(date +%s.%N)
        times="$times $(awk -v a="$s" -v b="$e" 'BEGIN { printf "%.3f", b - a }')"
    done
    med=$(printf '%s\n' $times | sort -g | sed -n 3p)
    printf 'hil-f n=%-9s median %.3f s  (runs:%s)\n' "$n" "$med" "$(printf ' %.3f' $times)"
done
fi

if want system; then
# median of 5 runs of a command, printed with a label
median5() {
    label=$1
    shift
    times=""
    for i in 1 2 3 4 5; do
        s=$(date +%s.%N)
        "$@" >/dev/null
        e=$(date +%s.%N)
        times="$times $(awk -v a="$s" -v b="$e" 'BEGIN { printf "%.3f", b - a }')"
    done
    med=$(printf '%s\n' $times | sort -g | sed -n 3p)
    printf '%s median %.3f s  (runs:%s)\n' "$label" "$med" "$(printf ' %.3f' $times)"
}

echo "== replay: fixed-threshold, 10^7 bootstrap samples, closed arrivals, 5 runs =="
median5 "replay n=10000000" $pin "$b/hisim" run "$src/scenarios/quickstart.yaml" --db "$tmp/bench.db" \
    -s trace.order=bootstrap -s trace.samples=10000000

echo "== many devices: 1000 devices x 10^4 samples, one server with GPU batching, 5 runs =="
median5 "devices 1000x10000" $pin "$b/hisim" run "$src/scenarios/quickstart.yaml" --db "$tmp/bench.db" \
    -s trace.order=bootstrap -s trace.samples=10000 -s devices.count=1000 -s network.shared=false \
    -s arrivals.process=poisson -s arrivals.rate_hz=10 -s server.tau_es_ms=0.4 -s server.batch_max=32 \
    -s server.batch_timeout_ms=2 -s server.batch_setup_ms=2
fi

if want store; then
echo "== storing a run: 2000 runs shaped like the sweep's (44 metrics, 4 curves x 170 points), 5 repeats =="
$pin "$b/tests/bench-store" "$tmp/store.db" 2000 5 | tail -1
fi

want sweep || exit 0
echo "== sweep: 10^4 points x 10^4 samples (fixed threshold, closed arrivals), -j 2, ${SWEEP_RUNS:=3} runs =="
# cost.beta from 0.0001 to 1 in steps of 0.0001: 10 000 points, one run each
cat >"$tmp/bench-sweep.yaml" <<YAML
scenario: $src/scenarios/quickstart.yaml
set:
  policy.theta: 0.6
  trace.samples: 10000
axes:
  cost.beta: {from: 0.0001, to: 1, step: 0.0001}
YAML
# /usr/bin/time (Debian's time package), when there, adds the CPU time
cpu=""
[ -x /usr/bin/time ] && cpu="/usr/bin/time -f %U+%S -o $tmp/cpu"
times=""
for i in $(seq 1 "$SWEEP_RUNS"); do
    rm -f "$tmp/sweep.db" "$tmp/sweep.db-wal" "$tmp/sweep.db-shm" "$tmp/cpu"
    s=$(date +%s.%N)
    $cpu "$b/hisim" sweep "$tmp/bench-sweep.yaml" --db "$tmp/sweep.db" -j 2 --timing >"$tmp/sweep.out" 2>"$tmp/sweep.err"
    e=$(date +%s.%N)
    times="$times $(awk -v a="$s" -v b="$e" 'BEGIN { printf "%.2f", b - a }')"
    tail -1 "$tmp/sweep.out"
    grep "timing:" "$tmp/sweep.err"
    [ -s "$tmp/cpu" ] && awk -F+ '{ printf "CPU time: %.1f s user + %.1f s system = %.2f ms per run\n", $1, $2, ($1 + $2) / 10 }' "$tmp/cpu"
done
n=$(printf '%s\n' $times | wc -l)
med=$(printf '%s\n' $times | sort -g | sed -n "$(( (n + 1) / 2 ))p")
printf 'sweep 10^4 x 10^4 -j 2: median %.2f s  (runs:%s)\n' "$med" "$(printf ' %.2f' $times)"
# the same runs without the sweep: one hisim run of the same scenario, for
# the cost of one simulation and its store
s=$(date +%s.%N)
for i in 1 2 3 4 5 6 7 8 9 10; do
    "$b/hisim" run "$src/scenarios/quickstart.yaml" --db "$tmp/one.db" -s policy.theta=0.6 -s trace.samples=10000 \
        -s cost.beta=0.$i >/dev/null
done
e=$(date +%s.%N)
awk -v a="$s" -v b="$e" 'BEGIN { printf "hisim run, same scenario: %.1f ms per run (mean of 10, with start-up and trace loading)\n", (b - a) * 100 }'
