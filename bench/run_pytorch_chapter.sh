#!/usr/bin/env bash
# The book chapter's table (experiments/chapter.yaml) with the seed's PyTorch program, extended
# as the chapter's notebooks extend it: sigmoid; + dropout 0.5; ReLU (with dropout); + BatchNorm;
# + He (kaiming_uniform) init; + Adam lr 0.01. 10 epochs, one thread, one CSV per variant and
# seed in results/pytorch/chapter/ named as runner's groups are (GROUP,seed=N.csv), for
# `runner report --reference chapter=results/pytorch/chapter`. Files already there are kept.
#
#   bench/run_pytorch_chapter.sh 1 2 3
#   ONLY=optimizer=adam bench/run_pytorch_chapter.sh 6 7 8 9 10   # the variants whose group contains ONLY
set -euo pipefail
cd "$(dirname "$0")/.."
epochs=${EPOCHS:-10}
[ $# -gt 0 ] || { echo "usage: bench/run_pytorch_chapter.sh SEED..." >&2; exit 64; }
mkdir -p results/pytorch/chapter
# group name (as runner names chapter.yaml's groups) | pytorch_seed.py options
variants=(
  "activation=sigmoid,dropout=0.0,optimizer=sgd,init=default,batch_norm=false|--activation sigmoid --dropout 0.0"
  "activation=sigmoid,dropout=0.5,optimizer=sgd,init=default,batch_norm=false|--activation sigmoid --dropout 0.5"
  "activation=relu,dropout=0.5,optimizer=sgd,init=default,batch_norm=false|--activation relu --dropout 0.5"
  "activation=relu,dropout=0.5,optimizer=sgd,init=default,batch_norm=true|--activation relu --dropout 0.5 --batch-norm"
  "activation=relu,dropout=0.5,optimizer=sgd,init=kaiming_uniform,batch_norm=true|--activation relu --dropout 0.5 --batch-norm --init kaiming_uniform"
  "activation=relu,dropout=0.5,optimizer=adam,init=kaiming_uniform,batch_norm=true|--activation relu --dropout 0.5 --batch-norm --init kaiming_uniform --optimizer adam --lr 0.01"
)
for seed in "$@"; do
  for v in "${variants[@]}"; do
    group=${v%%|*} options=${v#*|}
    [[ "$group" == *"${ONLY:-}"* ]] || continue
    out="results/pytorch/chapter/${group},seed=${seed}.csv"
    [ -s "$out" ] && { echo "== $out (there already)" >&2; continue; }
    echo "== $out" >&2
    # shellcheck disable=SC2086
    /usr/bin/python3 bench/pytorch_seed.py $options --epochs "$epochs" --seed "$seed" --threads 1 --out "$out.partial"
    mv "$out.partial" "$out"
  done
done
