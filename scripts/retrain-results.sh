#!/usr/bin/env bash
# Retrains committed results with the engine as built now, for a change that alters the bits
# (new kernels sum in another order): each named experiment's folder under results/ is moved
# aside to $RETRAIN_OLD (default /tmp/retrain-old, for comparison) and the experiment run again
# from its spec with --jobs 2. Then rewrite results/REPORT.md with docs/studies.md's `runner report`
# command and compare. Not for ordinary runs: finished runs are never retrained otherwise.
#
#   scripts/retrain-results.sh NAME...     (e.g. comparison chapter; needs the data)
set -euo pipefail
cd "$(dirname "$0")/.."
old=${RETRAIN_OLD:-/tmp/retrain-old}
swift build -c release --product runner >&2
# A copy that later builds do not touch, inside the checkout so that it still records the commit
# it was built from (provenance.json; a copy outside a checkout records "unknown").
bin=.build/retrain/runner
mkdir -p .build/retrain
cp "$(swift build -c release --show-bin-path)/runner" "$bin"
mkdir -p "$old"
for name in "$@"; do
  [ -f "experiments/$name.yaml" ] || { echo "retrain-results: no experiments/$name.yaml" >&2; exit 64; }
  if [ -d "results/$name" ]; then
    rm -rf "${old:?}/$name"
    mv "results/$name" "$old/$name"
  fi
  echo "== $name ($(date -u +%H:%M:%S))"
  "$bin" "experiments/$name.yaml" --jobs 2 --quiet
done
echo "== done ($(date -u +%H:%M:%S))"
