#!/bin/sh
# fuzz-replay.sh — every fuzz harness on its seed corpus and on every input
# in tests/data/fuzz/NAME/ (crashes and hangs found by make fuzz, kept as
# regressions).  A harness must return normally on each: no crash, no
# abort, no sanitizer report (configure --enable-sanitizers), and no hang
# (each input gets 20 s).
set -u
: "${SRCDIR:=.}" "${BUILDDIR:=.}"
fails=0 total=0
export HISIM_DEVICES="$SRCDIR/traces/devices"
for bin in "$BUILDDIR"/tests/fuzz-*; do
    [ -x "$bin" ] || continue
    name=${bin##*/fuzz-}
    for f in "$SRCDIR/tests/fuzz/corpus/$name"/* "$SRCDIR/tests/data/fuzz/$name"/*; do
        [ -f "$f" ] || continue
        total=$((total + 1))
        if command -v timeout >/dev/null 2>&1; then
            timeout 20 "$bin" "$f" >/dev/null 2>"${TMPDIR:-/tmp}/fuzz-replay.$$"
        else
            "$bin" "$f" >/dev/null 2>"${TMPDIR:-/tmp}/fuzz-replay.$$"
        fi
        rc=$?
        if [ "$rc" -ne 0 ]; then
            echo "FAIL: $name on $f: status $rc"
            head -20 "${TMPDIR:-/tmp}/fuzz-replay.$$"
            fails=$((fails + 1))
        fi
    done
done
rm -f "${TMPDIR:-/tmp}/fuzz-replay.$$"
[ "$total" -gt 0 ] || { echo "no fuzz harness or input found"; exit 1; }
echo "fuzz-replay: $total inputs, $fails failed"
exit $((fails > 0))
