#!/bin/sh
# readme.sh — the README's tour, run: every line `$ ./hisim ...` of a code
# block is executed (in a fresh folder whose scenarios/ and traces/ are the
# source tree's, with ./hisim the binary under test), and its output
# (standard output and error) is compared with the lines that follow it in
# the block, up to the next `$ ` line or the end of the block.
#
# What varies between builds and runs is masked on both sides before the
# comparison: ISO 8601 times, git versions (hex words with a letter, with or
# without -dirty), wall times ("in 6.0 s") and runs of spaces (column
# widths follow the version).
# So the README is the only thing to edit when the tour changes: paste the
# real output, or let `README_UPDATE=1 tests/readme.sh` (HISIM and SRCDIR
# set) write every command's output into the README itself.  Exit 77
# (skip) only when a tool it needs is missing: python3, or gnuplot for a
# tour that plots.
set -u
: "${HISIM:=./hisim}" "${SRCDIR:=.}"
command -v python3 >/dev/null 2>&1 || { echo "readme: python3 not found"; exit 77; }
if grep -q '^\$ \./hisim plot ' "$SRCDIR/README.md" && ! command -v "${HISIM_GNUPLOT:-gnuplot}" >/dev/null 2>&1; then
    echo "readme: the tour plots, and gnuplot is not installed"
    exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ln -s "$SRCDIR/scenarios" "$tmp/scenarios"
ln -s "$SRCDIR/traces" "$tmp/traces"
ln -s "$HISIM" "$tmp/hisim"
unset HISIM_DB
cd "$tmp" || exit 1
python3 - "$SRCDIR/README.md" <<'EOF'
import os, re, subprocess, sys

def mask(line):
    line = re.sub(r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ', '<time>', line)
    # a git hash: 7 to 40 hex digits with a letter, or exactly 7 (a short
    # hash of digits only: it happens)
    line = re.sub(r'(?<![\w.+-])(?:(?=[0-9a-f]*[a-f])[0-9a-f]{7,40}|[0-9]{7})(-dirty)?(?![\w.+-])', '<version>', line)
    line = re.sub(r'\bin \d+(\.\d+)? s\b', 'in <seconds> s', line)   # wall times of sweeps
    return re.sub(r'\s+', ' ', line).strip()

tour, block, cmd = [], None, None
readme = open(sys.argv[1], encoding='utf-8').read().split('\n')
for n, line in enumerate(readme):
    if line.startswith('```'):
        if block is None:
            block = []
        else:
            block = None
            cmd = None
        continue
    if block is None:
        continue
    if line.startswith('$ '):
        cmd = [line[2:], [], n]
        tour.append(cmd)
    elif cmd is not None:
        cmd[1].append(line)

fails = 0
update = os.environ.get('README_UPDATE') == '1'
if not tour:
    print('readme: no `$ ./hisim` lines in the README')
    sys.exit(1)
outputs = []
for command, want, at in tour:
    got = subprocess.run(command, shell=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT).stdout
    got = got.decode('utf-8', 'replace').split('\n')
    if got and got[-1] == '':
        got.pop()
    outputs.append((at, len(want), got))
    w = [mask(x) for x in want]
    g = [mask(x) for x in got]
    if w != g:
        fails += 1
        print('FAIL: README: $ %s' % command)
        for i in range(max(len(w), len(g))):
            a = w[i] if i < len(w) else '(nothing)'
            b = g[i] if i < len(g) else '(nothing)'
            if a != b:
                print('  line %d of its output:\n    README: %s\n    ran:    %s' % (i + 1, a, b))
                break
if update:
    for at, n_old, got in reversed(outputs):
        readme[at + 1:at + 1 + n_old] = got
    open(sys.argv[1], 'w', encoding='utf-8').write('\n'.join(readme))
    print('readme: %d commands, README updated' % len(tour))
    sys.exit(0)
print('readme: %d commands, %d differ' % (len(tour), fails))
sys.exit(1 if fails else 0)
EOF
exit $?
