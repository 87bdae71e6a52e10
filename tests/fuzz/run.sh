#!/bin/sh
# run.sh — `make fuzz`: builds each harness with AFL++'s compiler and fuzzes
# it for FUZZ_SECONDS, one after the other on one core, then prints
# executions, coverage, crashes and hangs from afl-fuzz's fuzzer_stats.
#
#   run.sh SRCDIR BUILDDIR SECONDS "HARNESSES" "LIB_SOURCES" "CFLAGS" "LIBS"
#
# Findings stay in BUILDDIR/fuzz-out/NAME/default/{crashes,hangs}; copy each
# into tests/data/fuzz/NAME/ (make check replays that folder) once fixed.
set -eu
src=$1 build=$2 secs=$3 harnesses=$4 sources=$5 cflags=$6 libs=$7
cc=${AFL_CC:-afl-clang-fast}
command -v "$cc" >/dev/null 2>&1 || { echo "make fuzz: $cc not found (Debian: apt-get install afl++)"; exit 1; }
command -v afl-fuzz >/dev/null 2>&1 || { echo "make fuzz: afl-fuzz not found (Debian: apt-get install afl++)"; exit 1; }
out=$build/fuzz-out
mkdir -p "$out"
libsrc=""
for f in $sources; do libsrc="$libsrc $src/$f"; done
for h in $harnesses; do
    bin=$out/fuzz-$h
    echo "== $h: building $bin"
    # shellcheck disable=SC2086
    "$cc" -O2 -g -std=gnu11 -I"$src" -I"$build" -DHISIM_DATADIR='"/nonexistent"' $cflags \
        -o "$bin" "$src/tests/fuzz/fuzz_$h.c" $libsrc $libs -lm
    rm -rf "$out/$h"
    echo "== $h: fuzzing for $secs s"
    HISIM_DEVICES=$src/traces/devices AFL_SKIP_CPUFREQ=1 AFL_NO_UI=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
        AFL_NO_AFFINITY=1 AFL_SKIP_BIN_CHECK=0 \
        afl-fuzz -i "$src/tests/fuzz/corpus/$h" -o "$out/$h" -x "$src/tests/fuzz/$h.dict" -V "$secs" \
        -t 2000 -- "$bin" >"$out/$h.log" 2>&1 || { echo "afl-fuzz failed, see $out/$h.log"; tail -20 "$out/$h.log"; exit 1; }
done
echo "== summary (fuzzer_stats)"
printf '%-10s %8s %12s %9s %10s %8s %6s\n' harness seconds execs execs/s coverage crashes hangs
for h in $harnesses; do
    s=$out/$h/default/fuzzer_stats
    get() { sed -n "s/^$1 *: *//p" "$s"; }
    printf '%-10s %8s %12s %9s %10s %8s %6s\n' "$h" "$(get run_time)" "$(get execs_done)" "$(get execs_per_sec)" \
        "$(get bitmap_cvg)" "$(get saved_crashes)" "$(get saved_hangs)"
done
