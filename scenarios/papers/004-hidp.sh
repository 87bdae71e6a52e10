#!/bin/sh
# 004-hidp.sh — HiDP's evaluation (004 Figs. 5-8) as sweeps: runs the sweep
# files 004-fig5, -fig6, -fig7 and -fig8.yaml into one database, draws
# Figs. 5, 7 and 8 with `hisim plot sweep` and Fig. 6 (a time series) with
# gnuplot from the stored runs' gflops series, and prints the averages 004
# states (1 - HiDP / other, per strategy) from the sweeps' exports.  HiDP
# runs with the 15 ms of exploration per request of 004 §IV-A (hidp) and
# without it (hidp0: hidp.overhead_ms = 0, the partitioning alone).
#
# usage: scenarios/papers/004-hidp.sh [HISIM [OUT_DIR [DB]]]
#        (defaults: ./hisim, docs/img and a temporary database, from the
#        top of the source tree)
# needs: sqlite3 (Fig. 6's run ids), gnuplot (the figures; the averages without)
set -eu
HISIM=${1:-./hisim}
OUT=${2:-docs/img}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
db=${3:-$tmp/004.db}
mkdir -p "$OUT"

# sweep N: runs sweep file 004-figN.yaml, prints its sweep id
sweep() {
    "$HISIM" sweep "$here/004-fig$1.yaml" -j 2 --db "$db" >"$tmp/fig$1.txt" 2>"$tmp/fig$1.err" \
        || { cat "$tmp/fig$1.err" >&2; exit 1; }
    sed -n '1s/^sweep \([0-9]*\): .*/\1/p' "$tmp/fig$1.txt"
}
s5=$(sweep 5)
s6=$(sweep 6)
s7=$(sweep 7)
s8=$(sweep 8)
for n in 5 6 7 8; do
    eval id=\$s$n
    "$HISIM" export --sweep "$id" --format csv --db "$db" -o "$tmp/fig$n.csv"
done

# avg FILE METRIC MODE: per strategy, the mean over the other axes' values
# (DNNs, node counts, mixes) of 1 - hidp/other (MODE less: latency, energy)
# or hidp/other - 1 (MODE more: throughput), for hidp and hidp0 against the
# other three at 15 ms
avg() {
    awk -F, -v metric="$2" -v mode="$3" '
    NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
    {
        key = ""
        for (i = 3; i < c["replication"]; i++)
            if (i != c["cluster.strategy"] && i != c["hidp.overhead_ms"])
                key = key "," $i
        s = $c["cluster.strategy"]
        if (s == "hidp" && $c["hidp.overhead_ms"] == 0) s = "hidp0"
        else if ($c["hidp.overhead_ms"] == 0) next
        v[s, key] = $c[metric]
        if (!(key in seen)) { seen[key] = 1; keys[++n] = key }
    }
    END {
        split("hidp hidp0", hs, " ")
        split("disnet omniboost modnn", os, " ")
        for (h = 1; h <= 2; h++) {
            line = sprintf("%-5s", hs[h])
            for (o = 1; o <= 3; o++) {
                t = 0
                for (k = 1; k <= n; k++) {
                    r = v[hs[h], keys[k]] / v[os[o], keys[k]]
                    t += mode == "less" ? 1 - r : r - 1
                }
                line = line sprintf(" %6.1f", 100 * t / n)
            }
            print line
        }
    }' "$1"
}
row() {   # row TITLE FILE METRIC MODE PAPER
    avg "$2" "$3" "$4" | awk -v t="$1" -v p="$5" 'NR == 1 { printf "%-36s%s    %s\n", t, $0, p } NR == 2 { printf "%-36s%s\n", "", $0 }'
}
echo "mean over DNNs (mixes) of 1 - HiDP/other, %:  DisNet OmniBoost  MoDNN    004 says"
row "latency, one request (Fig. 5a)" "$tmp/fig5.csv" mean_response_ms less "37 44 56"
row "energy, one request (Fig. 5b)" "$tmp/fig5.csv" energy_mj less "33 48 58"
row "latency, 2-5 nodes (Fig. 8)" "$tmp/fig8.csv" mean_response_ms less "30 46 38"
echo "mean of HiDP/other - 1, %:"
row "throughput, mixes (Fig. 7)" "$tmp/fig7.csv" inferences_per_100s more "56 (all three)"
echo "Fig. 6, 5 s: strategy, mean useful GFLOP/s, requests done"
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
    { s = $c["cluster.strategy"]; if ($c["hidp.overhead_ms"] == 0) { if (s != "hidp") next; s = "hidp0" }
      printf "%s %.6g %s\n", s, $c["gflops"], $c["completed"] }' "$tmp/fig6.csv"

command -v gnuplot >/dev/null 2>&1 || exit 0
plot() { "$HISIM" plot sweep --db "$db" "$@"; }
plot --sweep "$s5" --x name --y mean_response_ms --by cluster.strategy --where hidp.overhead_ms=15 --logy \
    --title "004 Fig. 5a: latency of one request alone, 5 nodes (HiDP with 15 ms of exploration)" -o "$OUT/004-fig5a.png"
plot --sweep "$s5" --x name --y energy_mj --by cluster.strategy --where hidp.overhead_ms=15 --logy \
    --title "004 Fig. 5b: energy of one request alone, 5 nodes (HiDP with 15 ms of exploration)" -o "$OUT/004-fig5b.png"
plot --sweep "$s5" --x name --y mean_response_ms --by cluster.strategy --where hidp.overhead_ms=0 --logy \
    --title "004 Fig. 5a without HiDP's exploration (hidp.overhead_ms = 0)" -o "$OUT/004-fig5a-hidp0.png"
plot --sweep "$s7" --x name --y inferences_per_100s --by cluster.strategy --where hidp.overhead_ms=15 \
    --title "004 Fig. 7: throughput of DNN mixes, closed loops, 100 s (E+I: EfficientNet-B0 + InceptionV3)" \
    -o "$OUT/004-fig7.png"
for d in efficientnet-b0 inception-v3 resnet-152 vgg-19; do
    plot --sweep "$s8" --x cluster.node_count --y mean_response_ms --by cluster.strategy --where hidp.overhead_ms=15 \
        --where name=$d --title "004 Fig. 8: latency of one $d request alone on the first 2-5 nodes" \
        -o "$OUT/004-fig8-$d.png"
done

# Fig. 6: the gflops series of each run of the dynamic workload
sqlite3 "$db" "select r.run_id, p.axes from sweep_runs r join sweep_points p on p.sweep_id = r.sweep_id and
               p.point = r.point where r.sweep_id = $s6 order by p.idx" >"$tmp/fig6.ids"
plots=""
while IFS='|' read -r id axes; do
    s=$(echo "$axes" | sed 's/.*"cluster.strategy":"\([a-z]*\)".*/\1/')
    case $axes in *'"hidp.overhead_ms":0'*) [ "$s" = hidp ] || continue; s=hidp0 ;; esac
    "$HISIM" export --run "$id" --format csv --db "$db" | awk -F, '$1 == "gflops" { print $3, $4 }' >"$tmp/fig6-$s.dat"
    plots="$plots${plots:+, }'$tmp/fig6-$s.dat' using 1:2 title '$s'"
done <"$tmp/fig6.ids"
gnuplot <<GP
set terminal pngcairo size 900,420 font ',10'
set output '$OUT/004-fig6.png'
set title '004 Fig. 6: dynamic workload, a DNN joins every 0.5 s (EfficientNet-B0, InceptionV3, ResNet-152, VGG-19)'
set xlabel 'time (s)'
set ylabel 'useful GFLOP/s (100 ms bins)'
set key below horizontal
set grid
set style data lines
plot $plots
GP
echo "figures: $OUT/004-fig5a.png $OUT/004-fig5b.png $OUT/004-fig5a-hidp0.png $OUT/004-fig6.png $OUT/004-fig7.png $OUT/004-fig8-*.png"
