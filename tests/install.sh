#!/bin/sh
# install.sh — the installed hisim works without its source and build
# trees and names only installed paths: the distributed files (make
# distdir) are configured with a prefix in a temporary folder, built,
# installed, and deleted; then the installed binary runs a scenario on
# its installed catalog and reports an unknown device naming only the
# installed folders.  Skips (77) without make or a C compiler.
set -u
: "${SRCDIR:=.}" "${BUILDDIR:=.}"
command -v make >/dev/null 2>&1 || exit 77
command -v "${CC:-cc}" >/dev/null 2>&1 || command -v gcc >/dev/null 2>&1 || exit 77
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

src=$tmp/src build=$tmp/build prefix=$tmp/inst
make -s -C "$BUILDDIR" distdir distdir="$src" >"$tmp/log" 2>&1 || { cat "$tmp/log"; echo "FAIL: make distdir"; exit 1; }
mkdir "$build"
(cd "$build" && "$src/configure" -q --prefix="$prefix" CFLAGS="-O0" >"$tmp/log" 2>&1 && make -s -j2 hisim >>"$tmp/log" 2>&1 \
    && make -s install >>"$tmp/log" 2>&1) || { tail -30 "$tmp/log"; echo "FAIL: configure, build or install"; exit 1; }
rm -rf "$src" "$build"
hisim=$prefix/bin/hisim
[ -x "$hisim" ] || { echo "FAIL: no installed hisim"; exit 1; }
[ -f "$prefix/share/man/man1/hisim.1" ] || fail "man page not installed"
[ -f "$prefix/share/hisim/devices/raspberry-pi-4b.yaml" ] || fail "catalog not installed"

cd "$tmp"
cp "$SRCDIR/tests/data/small.csv" t.csv
printf 'trace:\n  file: t.csv\ndataset: cifar10\ndevice:\n  name: raspberry-pi-4b\n  model: resnet8\n' >ok.yaml
"$hisim" run ok.yaml --db "$tmp/h.db" >out 2>err || fail "installed hisim cannot run on its catalog: $(cat err)"
printf 'trace:\n  file: t.csv\ndevice:\n  name: raspbery-pi-4b\n  model: resnet8\n' >typo.yaml
"$hisim" run typo.yaml --db "$tmp/h.db" >out 2>err
[ $? -eq 2 ] || fail "unknown device: not bad input"
grep -q "did you mean 'raspberry-pi-4b'?; searched $prefix/share/hisim/devices)" err || fail "unknown device: $(cat err)"
for p in "$SRCDIR" "$BUILDDIR" "$src" "$build"; do
    grep -q "$p" err && fail "the installed hisim names $p: $(cat err)"
done
"$hisim" --version >out || fail "installed --version"
grep -q "^hisim [0-9]" out || fail "installed --version: $(cat out)"

[ "$fails" -eq 0 ] && echo "install: all passed"
exit $((fails > 0))
