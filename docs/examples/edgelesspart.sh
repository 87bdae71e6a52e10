#!/bin/sh
# EdgeLessPart on the recorded EE8 model: the c_thr sweep of 003 Figs. 2-3,
# linear against Pareto exits, split at 70% of the memory.  Prints both
# tables and draws docs/img/edgelesspart-fmnist.png with gnuplot.
#
#   docs/examples/edgelesspart.sh [HISIM] [OUT.png]
#
# Timing: the profile's CPU times on the edge (speed 1), a cloud twice as
# fast (speed 2), 50 Mbit/s and 20 ms per transmission; Google Cloud
# Functions 1st gen prices (docs/partitioning.md).
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
hisim=${1:-$here/hisim}
out=${2:-$here/docs/img/edgelesspart-fmnist.png}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for p in linear pareto; do
    "$hisim" split "$here/traces/fmnist/profile-ee8.csv" --rule memory-share --fraction 0.7 \
        --cloud-speed 2 --placement "$p" \
        --trace "$here/traces/fmnist/fmnist-ee8.csv" --c-thr 0.3:0.9:0.05 >"$tmp/$p.txt"
    echo "== $p"
    cat "$tmp/$p.txt"
    # the rows of the c_thr table: the lines after its header that start with a digit
    awk '/^c_thr /{t=1; next} t && /^[0-9]/' "$tmp/$p.txt" >"$tmp/$p.dat"
done

gnuplot <<GP
if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {
    set terminal pngcairo size 1200,400 font ',10'
} else {
    set terminal png size 1200,400
}
set output '$out.tmp'
set multiplot layout 1,3 title 'EdgeLessPart on Fashion-MNIST EE8, split at 70% memory'
set xlabel 'c_{thr}'
set key bottom right
set grid
# columns: 1 c_thr, 2 edge_exit, 3 cloud_exit, 4 final, 5 offloaded,
# 6 accuracy, 7 latency_ms, 8 p95_ms, 9 cost_per_1000, 10 rel_cost
set ylabel 'mean latency (ms)'
plot '$tmp/linear.dat' using 1:7 with linespoints title 'linear', \
     '$tmp/pareto.dat' using 1:7 with linespoints title 'Pareto'
set ylabel 'accuracy'
plot '$tmp/linear.dat' using 1:6 with linespoints title 'linear', \
     '$tmp/pareto.dat' using 1:6 with linespoints title 'Pareto'
set ylabel 'cloud cost relative to cloud-only'
set key top left
plot '$tmp/linear.dat' using 1:10 with linespoints title 'linear', \
     '$tmp/pareto.dat' using 1:10 with linespoints title 'Pareto'
unset multiplot
GP
mv "$out.tmp" "$out"
echo "wrote $out"
