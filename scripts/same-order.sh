#!/usr/bin/env bash
# Do the runner's engine and PyTorch compute the same training? Same initial weights
# (PyTorch's, seed S), same example order (no shuffling), no dropout: the test accuracies after
# each epoch should agree, and the final parameters differ by rounding only (printed: the
# largest and mean difference, against how far training moved them).
#
#   scripts/same-order.sh [key=value ...]
#   e.g. epochs=3 'schedule=step(step_size=1,gamma=0.5)' normalize=0.1307/0.3081
#        weight_decay=0.001 nesterov=true
#        activation=relu batch_norm=true optimizer=adam lr=0.001 train_subset=3200
# Keys: seed, epochs, activation, lr, optimizer (sgd, adam, adamw), weight_decay, nesterov,
# schedule, normalize, batch_norm, train_subset (bench/same_order.py lists the defaults).
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product runner-bench >&2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 bench/same_order.py "$work/init" "$@" dump="$work/pytorch"
"$(swift build -c release --show-bin-path)/runner-bench" initfrom "$work/init" "$@" dump="$work/runner" | sed 's/^/runner:  /'
/usr/bin/python3 - "$work" <<'PY'
import sys
import numpy as np
w = sys.argv[1]
start, torch, runner = (np.fromfile(f"{w}/{n}", dtype=np.float32).astype(np.float64) for n in ("init", "pytorch", "runner"))
d, moved = np.abs(runner - torch), np.abs(torch - start)
print(f"parameters: max |runner - PyTorch| {d.max():.3g}, mean {d.mean():.3g}; mean |PyTorch's change| {moved.mean():.3g} "
      f"(relative difference {d.mean() / moved.mean():.2g})")
PY
