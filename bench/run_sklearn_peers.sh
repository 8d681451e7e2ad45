#!/usr/bin/env bash
# Issue 23's peer comparison on scikit-learn's datasets: the data (scripts/fetch-sklearn-data.sh),
# runner's runs (experiments/sklearn_*.yaml, 5 seeds each), the same network in PyTorch and
# scikit-learn (bench/sklearn_peers.py, 5 seeds each, into results/peers/), then each
# experiment's report against each peer (the "Against the reference" table: both means, the
# difference runner - peer and its Welch interval). Prints those rows.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/fetch-sklearn-data.sh
swift build -c release --product runner >/dev/null
runner="$(swift build -c release --show-bin-path)/runner"
for n in digits wine breast_cancer diabetes; do "$runner" "experiments/sklearn_$n.yaml" -q; done
taskset -c 1 .build/pyenv/bin/python bench/sklearn_peers.py data/sklearn results/peers
for n in digits wine breast_cancer diabetes; do
  for peer in pytorch sklearn; do
    "$runner" report "results/sklearn_$n" --reference "results/peers/$peer" >/dev/null
    echo "== $n, runner vs $peer"
    grep -A6 "Against the reference" "results/sklearn_$n/report.md" | grep "^| sklearn_"
  done
done
