#!/usr/bin/env bash
# One run on two cores: the training epoch on 1 and on 2 threads, runner (--threads: the same
# bits for any number) beside PyTorch (torch.set_num_threads, preloaded data: bench/threads_epoch.py)
# and JAX (the epoch one jitted lax.scan: bench/jax_epoch.py; XLA's Eigen thread pool off on one
# core, on over two), for the seed model at batch 32 and a 784-1024-1024-1024-10 network at
# batch 100 (the dropout paper's size). Every side is pinned: 1 thread to core 1, 2 threads to
# cores 0 and 1. Reps alternate; medians and speed-ups printed. Asserts nothing. Needs the data,
# Debian's python3-torch and the JAX venv scripts/bench-jax.sh makes; run it on quiet cores.
#
#   scripts/bench-threads.sh [REPS]      (default 3)
set -euo pipefail
cd "$(dirname "$0")/.."
reps=${1:-3}
export OPENBLAS_NUM_THREADS=1 BLIS_NUM_THREADS=1 OMP_NUM_THREADS=2
venv=.build-jax/venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "jax==0.10.2" "jaxlib==0.10.2"
fi
cores() { [ "$1" = 1 ] && echo 1 || echo 0,1; }
swift build -c release --product runner-bench >&2
bench="$(swift build -c release --show-bin-path)/runner-bench"
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores; runner: $("$bench" blas)"
echo "PyTorch: $(/usr/bin/python3 -c 'import torch; print(torch.__version__)'); JAX: $("$venv/bin/python" -c 'import jax, jaxlib; print("jax", jax.__version__, "jaxlib", jaxlib.__version__)')"
for net in "512,256 32" "1024,1024,1024 100"; do
  set -- $net
  declare -A t=()
  for i in $(seq "$reps"); do
    for n in 1 2; do
      t[runner$n]+="$(BENCH_HIDDEN=$1 BENCH_BATCH=$2 BENCH_THREADS=$n taskset -c "$(cores $n)" "$bench" epoch 1 | sed 's/epoch_seconds \([0-9.]*\).*/\1/') "
      t[torch$n]+="$(taskset -c "$(cores $n)" /usr/bin/python3 bench/threads_epoch.py --hidden "$1" --batch "$2" --threads $n | sed 's/train_seconds=//') "
      eigen=$([ "$n" = 1 ] && echo false || echo true)
      t[jax$n]+="$(XLA_FLAGS=--xla_cpu_multi_thread_eigen=$eigen taskset -c "$(cores $n)" "$venv/bin/python" bench/jax_epoch.py --reps 1 \
                   --hidden "$1" --batch "$2" | sed -n 's/^train_seconds=\([0-9.]*\).*/\1/p') "
    done
  done
  r1=$(median <<<"${t[runner1]}") r2=$(median <<<"${t[runner2]}") p1=$(median <<<"${t[torch1]}") p2=$(median <<<"${t[torch2]}")
  j1=$(median <<<"${t[jax1]}") j2=$(median <<<"${t[jax2]}")
  echo "== 784-${1//,/-}-10, batch $2, one training epoch, median of $reps"
  echo "runner:  1 thread $r1 s, 2 threads $r2 s: $(awk -v a="$r1" -v b="$r2" 'BEGIN {printf "%.2f", a/b}')x   [${t[runner1]}| ${t[runner2]}]"
  echo "PyTorch: 1 thread $p1 s, 2 threads $p2 s: $(awk -v a="$p1" -v b="$p2" 'BEGIN {printf "%.2f", a/b}')x   [${t[torch1]}| ${t[torch2]}]"
  echo "JAX:     1 thread $j1 s, 2 threads $j2 s: $(awk -v a="$j1" -v b="$j2" 'BEGIN {printf "%.2f", a/b}')x   [${t[jax1]}| ${t[jax2]}]"
  echo "runner on 2 threads is $(awk -v a="$p2" -v b="$r2" 'BEGIN {printf "%.2f", a/b}')x PyTorch on 2, $(awk -v a="$j2" -v b="$r2" 'BEGIN {printf "%.2f", a/b}')x JAX on 2"
  unset t
done
