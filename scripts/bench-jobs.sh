#!/usr/bin/env bash
# Benchmark: the same 4-run sweep with --jobs 1 and --jobs 2, alternating, REPS times each.
# Prints wall time and peak memory of every repetition, the medians, the speed-up, and
# whether both settings produced identical metrics.csv figures (every column but seconds).
#
#   scripts/bench-jobs.sh [REPS]        (default 3; needs the data: scripts/fetch-data.sh)
#
# The sweep: experiments/comparison.yaml with 1 epoch on the first 20,000 training images.
set -euo pipefail
cd "$(dirname "$0")/.."
reps=${1:-3}
swift build -c release --product runner >&2
runner="$(swift build -c release --show-bin-path)/runner"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sweep=(experiments/comparison.yaml --quiet --set epochs=1 --set train_subset=20000)

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "sweep: ${sweep[*]} (4 runs)"
declare -A times
for rep in $(seq 1 "$reps"); do
  for jobs in 1 2; do
    out="$work/j$jobs-r$rep"
    line=$(bench/measure.py -- "$runner" "${sweep[@]}" --jobs "$jobs" --results "$out")
    echo "rep $rep  --jobs $jobs  $line"
    times[$jobs]+="$(sed 's/.*seconds=\([0-9.]*\).*/\1/' <<<"$line") "
  done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
m1=$(median <<<"${times[1]}")
m2=$(median <<<"${times[2]}")
echo "median wall seconds: --jobs 1 $m1, --jobs 2 $m2, speed-up $(awk -v a="$m1" -v b="$m2" 'BEGIN {printf "%.2f", a/b}')x"

figures() { for f in "$1"/comparison/*/metrics.csv; do echo "$(basename "$(dirname "$f")") $(cut -d, -f1-4 "$f" | tr '\n' ' ')"; done; }
if diff <(figures "$work/j1-r1") <(figures "$work/j2-r1") >/dev/null; then
  echo "metrics.csv figures (timings aside): identical with --jobs 1 and --jobs 2"
else
  echo "metrics.csv figures DIFFER between --jobs 1 and --jobs 2"
  exit 1
fi
