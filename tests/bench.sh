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

echo "== M/M/1 on the kernel (lambda 0.9, mu 1, 10^6 customers), 5 runs =="
$pin "$b/tests/bench-mm1" 5 1000000 0.9

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
