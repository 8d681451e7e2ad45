#!/usr/bin/env bash
# The seed's PyTorch program for the four runs of experiments/comparison.yaml with more seeds,
# the reference spread for the runner's figures: results/pytorch/activation=A,dropout=P,seed=S.csv
# (seed 1 is results/pytorch/activation=A,dropout=P.csv, from run_pytorch_comparison.sh).
# Files already there are kept, so the script can be re-run to finish an interrupted set.
#
#   bench/run_pytorch_seeds.sh 2 3        # seeds 2 and 3, one thread, 20 epochs each
set -euo pipefail
cd "$(dirname "$0")/.."
epochs=${EPOCHS:-20}
[ $# -gt 0 ] || { echo "usage: bench/run_pytorch_seeds.sh SEED..." >&2; exit 64; }
for seed in "$@"; do
  for activation in sigmoid relu; do
    for dropout in 0.0 0.5; do
      out="results/pytorch/activation=${activation},dropout=${dropout},seed=${seed}.csv"
      [ -s "$out" ] && { echo "== $out (there already)" >&2; continue; }
      echo "== $out" >&2
      /usr/bin/python3 bench/pytorch_seed.py --activation "$activation" --dropout "$dropout" \
        --epochs "$epochs" --seed "$seed" --threads 1 --out "$out.partial"
      mv "$out.partial" "$out"
    done
  done
done
