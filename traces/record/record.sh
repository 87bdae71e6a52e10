#!/bin/sh
# Regenerates the Fashion-MNIST traces and layer profiles in traces/fmnist/.
#
#   traces/record/record.sh [--quick] [--out-dir DIR] [other record_fmnist.py options]
#
# Uses Debian's /usr/bin/python3 (the one with torch), or $PYTHON if set.
# Exits 0 without doing anything when torch or the dataset is missing, so
# that it can run unconditionally from a build or CI script.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
py=${PYTHON:-/usr/bin/python3}
data=${FMNIST_DIR:-/usr/share/datasets/fashion-mnist}

if ! [ -x "$py" ] || ! "$py" -c 'import torch, numpy' >/dev/null 2>&1; then
    echo "torch not found: skipping trace recording ($py cannot import torch and numpy)"
    exit 0
fi
for f in train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz \
         t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz; do
    if ! [ -r "$data/$f" ]; then
        echo "dataset not found: skipping trace recording ($data/$f missing)"
        exit 0
    fi
done

exec "$py" "$here/record_fmnist.py" --data-dir "$data" "$@"
