#!/bin/sh
# bench.sh BUILDDIR — the benchmarks of docs/performance.md.
set -eu
b=${1:-.}
echo "== M/M/1 on the kernel (lambda 0.9, mu 1, 10^6 customers), 5 runs =="
"$b/tests/bench-mm1" 5 1000000 0.9
