#!/usr/bin/env bash
# How long a rerun of a sweep whose runs are all done takes, at several plan sizes: the check
# of every run's files and one refresh of the summary and charts (issue: it used to rebuild
# the summary after every skipped run, quadratic in the plan). Prints one line per size.
#
#   scripts/bench-rerun.sh [SIZES...]        default: 1000 10000
#
# Each run is as small as a run can be (1 epoch, 1 training and 1 test example, no hidden
# layer), so the figures are the runner's bookkeeping, not training.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product runner >&2
runner="$(swift build -c release --show-bin-path)/runner"
data=${RUNNER_DATA_DIR:-$PWD/data}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000)
echo "runs  first run (s)  rerun, all done (s)  rerun per run (ms)"
for n in "${sizes[@]}"; do
  printf 'name: rerun%s\nepochs: 1\ntrain_subset: 1\ntest_subset: 1\nhidden: []\nbatch_size: 1\nrepeats: %s\n' "$n" "$n" > "$work/s.yaml"
  start=$(date +%s.%N)
  "$runner" "$work/s.yaml" --data-dir "$data" --results "$work/r" --quiet --max-runs "$n"
  mid=$(date +%s.%N)
  "$runner" "$work/s.yaml" --data-dir "$data" --results "$work/r" --quiet --max-runs "$n"
  end=$(date +%s.%N)
  awk -v n="$n" -v a="$start" -v b="$mid" -v c="$end" \
    'BEGIN { printf "%5d  %13.2f  %19.2f  %18.3f\n", n, b - a, c - b, (c - b) * 1000 / n }'
done
