#!/usr/bin/env bash
# The engine benchmark, side by side with the seed's PyTorch program, in one run. Prints
# figures; asserts nothing. Results of a run are kept in BENCHMARKS.md.
#
#   scripts/bench.sh [REPS]      (default 5; needs the data and python3-torch)
#
# Both sides run single-threaded, as a user's machine would: OPENBLAS_CORETYPE and
# OPENBLAS_L2_SIZE are unset for everything below (OpenBLAS then picks its own kernels). It ends
# with scripts/bench-variants.sh (Adam, BatchNorm) and scripts/bench-jax.sh (JAX, the SGEMM ceiling).
set -euo pipefail
cd "$(dirname "$0")/.."
reps=${1:-5}
unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE
export OPENBLAS_NUM_THREADS=1 BLIS_NUM_THREADS=1 OMP_NUM_THREADS=1
openblas=$(ldconfig -p | awk '/libopenblas.so.0 / && !found {print $NF; found = 1}')

swift build -c release --product runner-bench >&2
swift build -c release --product runner >&2
swift build --product runner-bench >&2
release="$(swift build -c release --show-bin-path)"
debug="$(swift build --show-bin-path)"

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
field() { sed -n "s/.*$1[_ ]seconds[= ]\([0-9.]*\).*/\1/p"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a/b}'; }

echo "== machine"
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(getconf _NPROCESSORS_ONLN) cores; flags: $(grep -o -w 'avx2\|avx512f\|fma' /proc/cpuinfo | sort -u | tr '\n' ' ')"
echo "OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE: unset for this benchmark (both sides)"
echo "runner BLAS: $("$release/runner-bench" blas)"
echo "OpenBLAS: $(/usr/bin/python3 -c "
import ctypes; l = ctypes.CDLL('libopenblas.so.0'); l.openblas_get_config.restype = ctypes.c_char_p
print(l.openblas_get_config().decode())")"
echo "PyTorch: $(/usr/bin/python3 -c 'import torch; print(torch.__version__)'), single thread; its BLAS: libblas.so.3 -> $(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3)"
echo

echo "== GEMM ceiling: the GEMMs of one training epoch alone (1875 steps, engine shapes), $reps reps"
g_blis="" g_open=""
for i in $(seq "$reps"); do
  g_blis+="$("$release/runner-bench" gemm 1 | sed 's/gemm_epoch_seconds \([0-9.]*\).*/\1/') "
  g_open+="$(LD_PRELOAD="$openblas" "$release/runner-bench" gemm 1 | sed 's/gemm_epoch_seconds \([0-9.]*\).*/\1/') "
done
gb=$(median <<<"$g_blis"); go=$(median <<<"$g_open")
gflop=$(awk 'BEGIN {print 2*(784*512*2 + 512*256*3 + 256*10*3)*60000/1e9}')
echo "BLIS:     median $gb s ($(awk -v s="$gb" -v f="$gflop" 'BEGIN {printf "%.1f", f/s}') GFLOP/s)   [$g_blis]"
echo "OpenBLAS: median $go s ($(awk -v s="$go" -v f="$gflop" 'BEGIN {printf "%.1f", f/s}') GFLOP/s)   [$g_open]"
echo "BLIS is $(ratio "$go" "$gb")x faster at these shapes (${gflop} GFLOP per epoch)"
echo

echo "== one training epoch (ReLU + dropout 0.5, batch 32) and one evaluation pass, alternating, $reps reps"
echo "(each epoch right after a run of its GEMMs alone, so the two see the same machine: the"
echo " epoch / GEMM-only ratio is taken per pair, then the median)"
t_run="" e_run="" t_torch="" e_torch="" g_pair="" r_pair=""
for i in $(seq "$reps"); do
  g=$("$release/runner-bench" gemm 1 | sed 's/gemm_epoch_seconds \([0-9.]*\).*/\1/')
  t=$("$release/runner-bench" epoch 1 | field epoch)
  g_pair+="$g " t_run+="$t " r_pair+="$(ratio "$t" "$g") "
  e_run+="$("$release/runner-bench" eval 1 | field eval) "
  line=$(/usr/bin/python3 bench/pytorch_bench.py --reps 1)
  t_torch+="$(field train <<<"$line") "
  e_torch+="$(field eval <<<"$line") "
done
tr_=$(median <<<"$t_run"); tt=$(median <<<"$t_torch"); er=$(median <<<"$e_run"); et=$(median <<<"$e_torch")
echo "runner train epoch:  median $tr_ s   [$t_run]"
echo "PyTorch train epoch: median $tt s   [$t_torch]"
echo "runner eval pass:    median $er s   [$e_run]"
echo "PyTorch eval pass:   median $et s   [$e_torch]"
echo "GEMMs alone, paired: median $(median <<<"$g_pair") s   [$g_pair]"
echo "epoch / GEMM-only per pair: [$r_pair]"
echo "training: runner is $(ratio "$tt" "$tr_")x faster than PyTorch; epoch / GEMM-only = $(median <<<"$r_pair") (median of pairs; $(ratio "$tr_" "$(median <<<"$g_pair")") as a ratio of medians)"
echo "evaluation: runner is $(ratio "$et" "$er")x faster than PyTorch"
t_flush=""
for i in 1 2 3; do t_flush+="$(/usr/bin/python3 bench/pytorch_bench.py --reps 1 --flush-denormal | field train) "; done
tf=$(median <<<"$t_flush")
echo "PyTorch train epoch with torch.set_flush_denormal(True), as the engine flushes: median $tf s   [$t_flush]; runner is $(ratio "$tf" "$tr_")x faster"
t_open=""
for i in 1 2 3; do t_open+="$(LD_PRELOAD="$openblas" "$release/runner-bench" epoch 1 | field epoch) "; done
echo "runner train epoch on OpenBLAS instead of BLIS: median $(median <<<"$t_open") s   [$t_open]"
echo
echo "== the kernels: $("$release/runner-bench" blas) on this CPU"
"$release/runner-bench" products 3
"$release/runner-bench" weightstep 3
t_step=""
for i in 1 2 3; do t_step+="$("$release/runner-bench" epoch 1 blas | field epoch) "; done
echo "runner train epoch with every product through BLAS: median $(median <<<"$t_step") s   [$t_step]"
echo

echo "== debug build (what 'swift run runner' uses; the engine module is always optimised)"
t_debug=""
for i in 1 2 3; do t_debug+="$("$debug/runner-bench" epoch 1 | field epoch) "; done
td=$(median <<<"$t_debug")
echo "debug train epoch: median $td s   [$t_debug]; debug / release = $(ratio "$td" "$tr_")"
echo

echo "== peak resident memory"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "runner, 4-run sweep, --jobs 2, 1 epoch each: $(bench/measure.py -- "$release/runner" experiments/comparison.yaml \
  --jobs 2 --quiet --set epochs=1 --results "$work/mem")"
echo "PyTorch, one run, 1 epoch:                 $(bench/measure.py -- /usr/bin/python3 bench/pytorch_seed.py \
  --activation relu --dropout 0.5 --epochs 1 --out "$work/torch.csv")"
echo

# Heap allocations are counted with uprobes on every libc allocation function (perf probe, as
# root): valgrind cannot run the AVX-512 kernels.
libc=$(ldconfig -p | awk '/libc.so.6 / && !found {print $NF; found = 1}')
if command -v perf >/dev/null && { perf probe -q -d 'probe_libc:*' 2>/dev/null || true; } &&
   perf probe -q -x "$libc" --add malloc --add calloc --add realloc --add posix_memalign --add memalign 2>/dev/null; then
  allocs() { perf stat -e 'probe_libc:*' -x, "$@" 2>&1 >/dev/null | awk -F, '{s += $1} END {print s}'; }
  echo "== heap allocations per training step (perf uprobes on libc's allocators: 200 steps minus 100 steps)"
  for step in avx512 blas; do
    [ "$step" = blas ] || [[ "$("$release/runner-bench" blas)" == *"kernels: AVX-512"* ]] || continue
    a100=$(allocs "$release/runner-bench" steps 100 "$step"); a200=$(allocs "$release/runner-bench" steps 200 "$step")
    echo "kernels $step: 100 steps $a100 allocations; 200 steps $a200; per step: $(awk -v a="$a100" -v b="$a200" 'BEGIN {printf "%.2f", (b-a)/100}')"
  done
  c100=$(allocs "$release/runner-bench" gemmcalls 100); c200=$(allocs "$release/runner-bench" gemmcalls 200)
  echo "the BLAS alone, per GEMM call: $(awk -v a="$c100" -v b="$c200" 'BEGIN {printf "%.2f", (b-a)/100}') (the own kernels make no BLAS call; the BLAS path makes 23 a step: 3 forward, 2 input-gradient, 18 weight-gradient row blocks)"
  perf probe -q -d 'probe_libc:*'
else
  echo "== heap allocations: skipped (needs perf and root for uprobes)"
fi
echo; scripts/bench-variants.sh 3
echo; scripts/bench-jax.sh 3
