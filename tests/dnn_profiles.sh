#!/bin/sh
# dnn_profiles.sh — the committed DNN layer profiles (traces/dnn/*.csv) are
# what traces/dnn/derive_profiles.py writes (which also checks each model's
# parameter count against Keras's).  Skipped (77) without python3.
set -u
: "${SRCDIR:=.}"
command -v python3 >/dev/null 2>&1 || { echo "no python3: skipped"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 "$SRCDIR/traces/dnn/derive_profiles.py" "$tmp" >/dev/null || { echo "FAIL: derive_profiles.py"; exit 1; }
fails=0
for f in efficientnet-b0 inception-v3 resnet-152 vgg-19; do
    cmp -s "$tmp/$f.csv" "$SRCDIR/traces/dnn/$f.csv" || { echo "FAIL: traces/dnn/$f.csv differs from the script's output"; fails=1; }
done
[ "$fails" -eq 0 ] && echo "dnn profiles: all match"
exit "$fails"
