#!/usr/bin/env bash
# runner's TPE beside Optuna's (TPESampler with its defaults) and both random samplers, on
# Branin, Hartmann-6 and a mixed space with an integer and a categorical parameter: REPS
# repetitions of TRIALS trials each, every side minimising the same code (runner-bench's test
# functions; Optuna calls `runner-bench objective`). Prints, per function and budget, the median
# best value and its interquartile range for each sampler. Asserts nothing. Creates
# .build-optuna/venv (Optuna 5 from PyPI).
#
#   scripts/bench-search.sh [REPS] [TRIALS] [PARALLEL]      (default 30 100 1)
set -euo pipefail
cd "$(dirname "$0")/.."
reps=${1:-30} trials=${2:-100} parallel=${3:-1}
venv=.build-optuna/venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "optuna>=5,<6"
fi
swift build -c release --product runner-bench >&2
bench="$(swift build -c release --show-bin-path)/runner-bench"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "runner-bench search (batches of $parallel) beside Optuna $("$venv/bin/python" -c 'import optuna; print(optuna.__version__)'), $reps repetitions of $trials trials"
for f in branin hartmann6 mixed; do
  "$bench" search "$f" tpe "$reps" "$trials" "$parallel" > "$out/$f.runner-tpe" &
  "$bench" search "$f" random "$reps" "$trials" > "$out/$f.runner-random" &
  "$venv/bin/python" bench/optuna_search.py "$bench" "$f" tpe "$reps" "$trials" > "$out/$f.optuna-tpe" &
  "$venv/bin/python" bench/optuna_search.py "$bench" "$f" random "$reps" "$trials" > "$out/$f.optuna-random" &
  wait
done
"$venv/bin/python" - "$out" "$trials" <<'EOF'
import sys, numpy as np
out, trials = sys.argv[1], int(sys.argv[2])
minima = {"branin": 0.397887, "hartmann6": -3.32237, "mixed": 0.0}
print(f"{'function':10} {'budget':>6}  " + "  ".join(f"{s:>26}" for s in ("runner TPE", "Optuna TPE", "runner random", "Optuna random")))
for f, minimum in minima.items():
    sides = {}
    for s in ("runner-tpe", "optuna-tpe", "runner-random", "optuna-random"):
        rows = [dict(kv.split("=") for kv in line.split()) for line in open(f"{out}/{f}.{s}")]
        sides[s] = rows
    for budget in (25, 50, trials):
        cells = []
        for s in ("runner-tpe", "optuna-tpe", "runner-random", "optuna-random"):
            v = np.array([float(r[f"best{budget}"]) for r in sides[s]])
            q1, med, q3 = np.percentile(v, [25, 50, 75])
            cells.append(f"{med:9.4f} [{q1:8.4f}, {q3:8.4f}]")
        print(f"{f:10} {budget:>6}  " + "  ".join(f"{c:>26}" for c in cells))
    print(f"{'':10} {'':>6}  (known minimum {minimum}; medians over repetitions, [25th, 75th percentile])")
EOF
