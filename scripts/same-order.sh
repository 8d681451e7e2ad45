#!/usr/bin/env bash
# Do the runner's engine and PyTorch compute the same training? Same initial weights
# (PyTorch's, seed SEED), same example order (no shuffling), one epoch of the seed's sigmoid
# network: the two test accuracies should agree.
#
#   scripts/same-order.sh [SEED [EPOCHS [SCHEDULE [NORMALIZE [WEIGHT_DECAY [nesterov]]]]]]
#   e.g. 1 3 'step(step_size=1,gamma=0.5)' 0.1307/0.3081 0.001 nesterov
set -euo pipefail
cd "$(dirname "$0")/.."
seed=${1:-1}
epochs=${2:-1}
schedule=${3:-constant}
normalize=${4:-none}
decay=${5:-0}
nesterov=${6:-plain}
swift build -c release --product runner-bench >&2
init=$(mktemp)
trap 'rm -f "$init"' EXIT
/usr/bin/python3 bench/same_order.py "$seed" "$init" "$epochs" "$schedule" "$normalize" "$decay" "$nesterov"
"$(swift build -c release --show-bin-path)/runner-bench" initfrom "$init" "$seed" noshuffle "$epochs" "$schedule" "$normalize" "$decay" "$nesterov" | sed 's/^/runner:  /'
