#!/usr/bin/env bash
# The chapter's variants in the benchmark: one training epoch with Adam and one with BatchNorm,
# each against the plain SGD epoch (the engine's target: at most 1.3x it) and against PyTorch's
# same variant, alternating in one run so all see the same machine. Prints figures; asserts
# nothing. Also run at the end of scripts/bench.sh.
#
#   scripts/bench-variants.sh [REPS]      (default 3; needs the data and python3-torch)
set -euo pipefail
cd "$(dirname "$0")/.."
reps=${1:-3}
unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE
export OPENBLAS_NUM_THREADS=1 BLIS_NUM_THREADS=1 OMP_NUM_THREADS=1
swift build -c release --product runner-bench >&2
release="$(swift build -c release --show-bin-path)"
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
field() { sed -n "s/.*$1[_ ]seconds[= ]\([0-9.]*\).*/\1/p"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a/b}'; }

echo "== the chapter's variants: a training epoch (ReLU + dropout 0.5, batch 32), $reps reps, alternating"
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); runner: $("$release/runner-bench" blas)"
declare -A run torch
for v in sgd adam batchnorm; do run[$v]=""; torch[$v]=""; done
for i in $(seq "$reps"); do
  for v in sgd adam batchnorm; do
    run[$v]+="$("$release/runner-bench" epoch 1 "$v" | field epoch) "
    torch[$v]+="$(/usr/bin/python3 bench/pytorch_bench.py --reps 1 --variant "$v" | field train) "
  done
done
s=$(median <<<"${run[sgd]}") ts=$(median <<<"${torch[sgd]}")
for v in sgd adam batchnorm; do
  r=$(median <<<"${run[$v]}") t=$(median <<<"${torch[$v]}")
  printf '%-10s runner median %s s [%s]  PyTorch median %s s [%s]\n' "$v" "$r" "${run[$v]% }" "$t" "${torch[$v]% }"
  printf '%-10s runner / runner SGD = %s; PyTorch / PyTorch SGD = %s; runner is %sx faster than PyTorch\n' \
    "" "$(ratio "$r" "$s")" "$(ratio "$t" "$ts")" "$(ratio "$t" "$r")"
done
