#!/bin/sh
# EdgeLessPart on the recorded EE8 model: the c_thr sweep of 003 Figs. 2-3,
# linear against Pareto exits, split at 70% of the memory, each point a
# simulation (`hisim run scenarios/papers/003-edgelesspart.yaml`).  Prints
# both tables and draws docs/img/edgelesspart-fmnist.png with gnuplot.
#
#   docs/examples/edgelesspart.sh [HISIM] [OUT.png]
#
# Timing (the scenario): the profile's CPU times on the edge (speed 1), a
# cloud twice as fast (speed 2), 50 Mbit/s and 20 ms per transmission, one
# sample at a time (blocking arrivals); Google Cloud Functions 1st gen
# prices (docs/partitioning.md).  `hisim split --trace --c-thr` gives the
# same figures in closed form (tests/edgelesspart.sh checks that they agree).
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
hisim=${1:-$here/hisim}
out=${2:-$here/docs/img/edgelesspart-fmnist.png}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# metric NAME: its value in the run's JSON summary
metric() { grep -o "\"$1\":[-0-9.eE+]*" "$tmp/run.json" | head -1 | cut -d: -f2; }

for p in linear pareto; do
    echo "== $p"
    echo "c_thr  offloaded  accuracy  latency_ms  p95_ms  cost_per_1000  rel_cost"
    : >"$tmp/$p.dat"
    for c in 0.3 0.35 0.4 0.45 0.5 0.55 0.6 0.65 0.7 0.75 0.8 0.85 0.9; do
        "$hisim" run "$here/scenarios/papers/003-edgelesspart.yaml" -s ee.placement=$p -s ee.c_thr=$c \
            --db "$tmp/runs.db" --json >"$tmp/run.json"
        printf '%s %s %s %s %s %s %s\n' $c "$(metric offload_fraction)" "$(metric accuracy)" \
            "$(metric mean_response_ms)" "$(metric p95_response_ms)" "$(metric cloud_cost_per_1000)" \
            "$(metric cloud_cost_rel)" >>"$tmp/$p.dat"
    done
    awk '{ printf "%-5s  %9.4f  %8.4f  %10.4f  %6.3f  %13.6g  %8.4f\n", $1, $2, $3, $4, $5, $6, $7 }' "$tmp/$p.dat"
done

gnuplot <<GP
if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {
    set terminal pngcairo size 1200,400 font ',10'
} else {
    set terminal png size 1200,400
}
set output '$out.tmp'
set multiplot layout 1,3 title 'EdgeLessPart on Fashion-MNIST EE8, split at 70% memory (hisim run)'
set xlabel 'c_{thr}'
set key bottom right
set grid
# columns: 1 c_thr, 2 offloaded, 3 accuracy, 4 latency_ms, 5 p95_ms,
# 6 cost_per_1000, 7 rel_cost
set ylabel 'mean latency (ms)'
plot '$tmp/linear.dat' using 1:4 with linespoints title 'linear', \
     '$tmp/pareto.dat' using 1:4 with linespoints title 'Pareto'
set ylabel 'accuracy'
plot '$tmp/linear.dat' using 1:3 with linespoints title 'linear', \
     '$tmp/pareto.dat' using 1:3 with linespoints title 'Pareto'
set ylabel 'cloud cost relative to cloud-only'
set key top left
plot '$tmp/linear.dat' using 1:7 with linespoints title 'linear', \
     '$tmp/pareto.dat' using 1:7 with linespoints title 'Pareto'
unset multiplot
GP
mv "$out.tmp" "$out"
echo "wrote $out"
