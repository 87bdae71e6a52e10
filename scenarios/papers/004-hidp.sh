#!/bin/sh
# 004-hidp.sh — HiDP's evaluation (004 Figs. 5-8) in the model: runs
# `hisim cluster` on scenarios/papers/004-hidp.yaml with -s overrides, reads
# the runs back with sqlite3, writes the data and gnuplot figures, and prints
# the averages 004 states (1 - HiDP / other, per strategy).  HiDP runs twice:
# with the 15 ms exploration per request (004 §IV-A), and without it
# (hidp0: the partitioning alone).
#
# usage: scenarios/papers/004-hidp.sh [HISIM [OUT_DIR]]
#        (defaults: ./hisim and docs/img, from the top of the source tree)
# needs: sqlite3, gnuplot (for the figures; the data and averages without)
set -eu
HISIM=${1:-./hisim}
OUT=${2:-docs/img}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
base=$here/004-hidp.yaml
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
db=$tmp/runs.db
mkdir -p "$OUT"
dnns="efficientnet-b0 inception-v3 resnet-152 vgg-19"
strategies="hidp disnet omniboost modnn hidp0"

q() { sqlite3 "$db" "$1"; }
m() { q "select printf('%.6g', value) from metrics where run_id = $1 and name = '$2'"; }
run() {   # run SCENARIO STRATEGY ARGS... -> prints the new run's id (hidp0: hidp, no overhead)
    sc=$1 st=$2
    shift 2
    if [ "$st" = hidp0 ]; then set -- -s cluster.strategy=hidp -s hidp.overhead_ms=0 "$@"; else set -- -s cluster.strategy=$st "$@"; fi
    "$HISIM" cluster "$sc" "$@" --db "$db" >/dev/null
    q "select max(id) from runs"
}
prof() { echo "$root/traces/dnn/$1.csv"; }

# the scenario up to its requests, for variants with other streams
sed '/^  requests:/,$d' "$base" >"$tmp/nodes.yaml"
variant() {   # variant FILE STREAMS-YAML [DURATION_S]
    { cat "$tmp/nodes.yaml"; [ -n "${3:-}" ] && echo "  duration_s: $3"; echo "  requests:"; printf '%s' "$2";
      echo "hidp:"; echo "  overhead_ms: 15"; } >"$1"
}
closed() {    # closed DNN START_MS -> a closed-loop stream
    printf '    - {profile: %s, arrivals: closed, start_ms: %s}\n' "$(prof "$1")" "$2"
}

# ---- Fig. 5: one request of each DNN alone, five nodes ----
: >"$tmp/fig5.dat"
for d in $dnns; do
    line=$d
    for s in $strategies; do
        id=$(run "$base" $s -s "cluster.requests.0.profile=$(prof $d)")
        line="$line $(m $id mean_response_ms) $(m $id energy_mj)"
    done
    echo "$line" >>"$tmp/fig5.dat"
done
{ echo "# dnn, then latency_ms energy_mj for: $strategies (one request alone, 5 nodes)"; cat "$tmp/fig5.dat"; } \
    >"$OUT/004-fig5.dat"

# ---- Fig. 6: dynamic workload, a DNN joins every 0.5 s, 5 s ----
streams=$(closed efficientnet-b0 0; closed inception-v3 500; closed resnet-152 1000; closed vgg-19 1500)
variant "$tmp/dyn.yaml" "$streams
" 5
: >"$tmp/fig6.txt"
for s in $strategies; do
    id=$(run "$tmp/dyn.yaml" $s)
    q "select printf('%.3f %.6g', x, y) from series where run_id = $id and name = 'gflops' order by idx" \
        >"$OUT/004-fig6-$s.dat"
    echo "$s $(m $id gflops) $(m $id completed)" >>"$tmp/fig6.txt"
done

# ---- Fig. 7: throughput of mixes of two and three DNNs, 100 s ----
: >"$tmp/fig7.dat"
mix=0
for combo in "efficientnet-b0 inception-v3" "efficientnet-b0 resnet-152" "efficientnet-b0 vgg-19" \
             "inception-v3 resnet-152" "inception-v3 vgg-19" "resnet-152 vgg-19" \
             "efficientnet-b0 inception-v3 resnet-152" "efficientnet-b0 inception-v3 vgg-19" \
             "efficientnet-b0 resnet-152 vgg-19" "inception-v3 resnet-152 vgg-19"; do
    mix=$((mix + 1))
    streams=""
    for d in $combo; do streams="$streams$(closed $d 0)
"; done
    variant "$tmp/mix.yaml" "$streams" 100
    line="mix$mix"
    for s in $strategies; do
        id=$(run "$tmp/mix.yaml" $s)
        line="$line $(m $id inferences_per_100s)"
    done
    echo "$line $(echo $combo | tr ' ' '+')" >>"$tmp/fig7.dat"
done
{ echo "# mix, inferences per 100 s for: $strategies, the DNNs (closed loops, one request in flight per DNN)"
  cat "$tmp/fig7.dat"; } >"$OUT/004-fig7.dat"

# ---- Fig. 8: one request alone with 2..5 nodes ----
: >"$tmp/fig8.dat"
for n in 2 3 4 5; do
    for d in $dnns; do
        line="$n $d"
        for s in $strategies; do
            id=$(run "$base" $s -s cluster.node_count=$n -s "cluster.requests.0.profile=$(prof $d)")
            line="$line $(m $id mean_response_ms)"
        done
        echo "$line" >>"$tmp/fig8.dat"
    done
done
{ echo "# nodes dnn, then latency_ms for: $strategies (one request alone)"; cat "$tmp/fig8.dat"; } >"$OUT/004-fig8.dat"

# ---- the averages 004 states: mean over rows of 1 - hidp / other ----
avg() {   # avg FILE H C1 C2 C3 -> mean over rows of 1 - \$H / \$Ci, in %
    awk -v h="$2" -v a="$3" -v b="$4" -v c="$5" '!/^#/ { s1 += 1 - $h / $a; s2 += 1 - $h / $b; s3 += 1 - $h / $c; n++ }
        END { printf "%6.1f %6.1f %6.1f", 100 * s1 / n, 100 * s2 / n, 100 * s3 / n }' "$1"
}
gain() {  # gain FILE H C1 C2 C3 -> mean over rows of \$H / \$Ci - 1, in %
    awk -v h="$2" -v a="$3" -v b="$4" -v c="$5" '!/^#/ { s1 += $h / $a - 1; s2 += $h / $b - 1; s3 += $h / $c - 1; n++ }
        END { printf "%6.1f %6.1f %6.1f", 100 * s1 / n, 100 * s2 / n, 100 * s3 / n }' "$1"
}
echo "mean over DNNs (mixes) of 1 - HiDP/other, %:  DisNet OmniBoost  MoDNN    004 says"
echo "latency, one request (Fig. 5a)      hidp  $(avg "$OUT/004-fig5.dat" 2 4 6 8)    37 44 56"
echo "                                    hidp0 $(avg "$OUT/004-fig5.dat" 10 4 6 8)"
echo "energy, one request (Fig. 5b)       hidp  $(avg "$OUT/004-fig5.dat" 3 5 7 9)    33 48 58"
echo "                                    hidp0 $(avg "$OUT/004-fig5.dat" 11 5 7 9)"
echo "latency, 2-5 nodes (Fig. 8)         hidp  $(avg "$OUT/004-fig8.dat" 3 4 5 6)    30 46 38"
echo "                                    hidp0 $(avg "$OUT/004-fig8.dat" 7 4 5 6)"
echo "mean of HiDP/other - 1, %:"
echo "throughput, mixes (Fig. 7)          hidp  $(gain "$OUT/004-fig7.dat" 2 3 4 5)    56 (all three)"
echo "                                    hidp0 $(gain "$OUT/004-fig7.dat" 6 3 4 5)"
echo "Fig. 6, 5 s: strategy, mean useful GFLOP/s, requests done"
cat "$tmp/fig6.txt"

# ---- figures ----
if command -v gnuplot >/dev/null 2>&1; then
    gnuplot <<GP
set terminal pngcairo size 900,420 font ',10'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set key below horizontal
set grid ytics
set output '$OUT/004-fig5.png'
set xtics rotate by -20
set multiplot layout 1,2
set title 'one request alone: latency'
set ylabel 'ms'
set logscale y
plot '$OUT/004-fig5.dat' using 2:xtic(1) title 'HiDP', '' using 10 title 'HiDP, no exploration', '' using 4 title 'DisNet', '' using 6 title 'OmniBoost', '' using 8 title 'MoDNN'
set title 'one request alone: energy'
set ylabel 'mJ'
plot '$OUT/004-fig5.dat' using 3:xtic(1) title 'HiDP', '' using 11 title 'HiDP, no exploration', '' using 5 title 'DisNet', '' using 7 title 'OmniBoost', '' using 9 title 'MoDNN'
unset multiplot
unset logscale y
set terminal pngcairo size 900,420 font ',10'
set output '$OUT/004-fig7.png'
set title 'throughput of DNN mixes (closed loops, 100 s)'
set ylabel 'inferences per 100 s'
set xtics rotate by -30
plot '$OUT/004-fig7.dat' using 2:xtic(1) title 'HiDP', '' using 6 title 'HiDP, no exploration', '' using 3 title 'DisNet', '' using 4 title 'OmniBoost', '' using 5 title 'MoDNN'
set xtics norotate
set style data linespoints
set terminal pngcairo size 900,420 font ',10'
set output '$OUT/004-fig6.png'
set title 'dynamic workload: a DNN joins every 0.5 s (EfficientNet-B0, InceptionV3, ResNet-152, VGG-19)'
set xlabel 'time (s)'
set ylabel 'useful GFLOP/s (100 ms bins)'
set style data lines
plot '$OUT/004-fig6-hidp.dat' using 1:2 title 'HiDP', '$OUT/004-fig6-hidp0.dat' using 1:2 title 'HiDP, no exploration', \
     '$OUT/004-fig6-disnet.dat' using 1:2 title 'DisNet', \
     '$OUT/004-fig6-omniboost.dat' using 1:2 title 'OmniBoost', '$OUT/004-fig6-modnn.dat' using 1:2 title 'MoDNN'
set terminal pngcairo size 900,700 font ',10'
set output '$OUT/004-fig8.png'
set key inside top right font ',8'
set offsets 0, 0, graph 0.35, graph 0.05
set style data linespoints
set xlabel 'nodes'
set ylabel 'ms'
set xtics 1
set multiplot layout 2,2
do for [d in "efficientnet-b0 inception-v3 resnet-152 vgg-19"] {
    set title d
    plot '< grep " '.d.' " $OUT/004-fig8.dat' using 1:3 title 'HiDP', '' using 1:7 title 'HiDP, no exploration', \
         '' using 1:4 title 'DisNet', '' using 1:5 title 'OmniBoost', '' using 1:6 title 'MoDNN'
}
unset multiplot
GP
    echo "figures: $OUT/004-fig5.png $OUT/004-fig6.png $OUT/004-fig7.png $OUT/004-fig8.png"
fi
