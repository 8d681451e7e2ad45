#!/usr/bin/env bash
# Runs the seed's PyTorch program for the four runs of experiments/comparison.yaml
# (sigmoid/ReLU x dropout 0/0.5, 20 epochs, one thread each), writing results/pytorch/*.csv.
set -euo pipefail
cd "$(dirname "$0")/.."
epochs=${EPOCHS:-20}
for activation in sigmoid relu; do
  for dropout in 0.0 0.5; do
    out="results/pytorch/activation=${activation},dropout=${dropout}.csv"
    echo "== $out" >&2
    /usr/bin/python3 bench/pytorch_seed.py --activation "$activation" --dropout "$dropout" \
      --epochs "$epochs" --seed 1 --threads 1 --out "$out"
  done
done
