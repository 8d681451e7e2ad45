#!/usr/bin/env bash
# Do the runner's engine and PyTorch compute the same training? Same initial weights
# (PyTorch's, seed S), same example order (no shuffling), no dropout: the test accuracies after
# each epoch should agree.
#
#   scripts/same-order.sh [key=value ...]
#   e.g. epochs=3 'schedule=step(step_size=1,gamma=0.5)' normalize=0.1307/0.3081
#        weight_decay=0.001 nesterov=true
#        activation=relu batch_norm=true optimizer=adam lr=0.001
# Keys: seed, epochs, activation, lr, optimizer (sgd, adam, adamw), weight_decay, nesterov,
# schedule, normalize, batch_norm (bench/same_order.py lists the defaults).
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product runner-bench >&2
init=$(mktemp)
trap 'rm -f "$init"' EXIT
/usr/bin/python3 bench/same_order.py "$init" "$@"
"$(swift build -c release --show-bin-path)/runner-bench" initfrom "$init" "$@" | sed 's/^/runner:  /'
