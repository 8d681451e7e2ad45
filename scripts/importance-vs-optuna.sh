#!/usr/bin/env bash
# runner's parameter importances beside Optuna's on the same trials (issue 25, item 4): for each
# results folder (default: the committed searches), `runner importance --json` exports the
# trials and runner's PED-ANOVA figures; scripts/importance-vs-optuna.py makes an Optuna study
# of them and prints Optuna's default evaluator (PED-ANOVA) and fANOVA (5 forests) beside them.
# The output is committed in docs/importance-vs-optuna.txt.
#   scripts/importance-vs-optuna.sh [RESULTS_DIR ...]
set -euo pipefail
cd "$(dirname "$0")/.."
python=${RUNNER_OPTUNA_PYTHON:-.build/pyenv/bin/python}
"$python" -c "import optuna, sklearn" 2>/dev/null || {
  echo "importance-vs-optuna: needs a Python with optuna and scikit-learn (scripts/test.sh sets up .build/pyenv)" >&2; exit 3; }
swift build -c release --product runner >/dev/null
dirs=("$@")
[ ${#dirs[@]} -gt 0 ] || dirs=(results/digits_importance results/lr_search results/lr_search_tpe)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
files=()
for d in "${dirs[@]}"; do
  f="$tmp/$(basename "$d").json"
  .build/release/runner importance "$d" --json > "$f"
  files+=("$f")
done
echo "$(.build/release/runner --version | head -1); $(date -u +%Y-%m-%d)"
"$python" scripts/importance-vs-optuna.py --fanova-seeds 5 "${files[@]}"
