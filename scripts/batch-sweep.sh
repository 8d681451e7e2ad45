#!/usr/bin/env bash
# Fans a sweep out over independent processes, one run each, as a shell script would on a
# workstation (or as a template for any batch system): `runner SPEC --index I` trains run I.
#
#   scripts/batch-sweep.sh SPEC [PARALLEL] [-- --set key=value ...]
#
# PARALLEL defaults to the number of cores. Options after -- go to both `runner plan` and
# `runner SPEC` (so: --set, --max-runs). RESULTS_DIR (default results) is where results go;
# RUNNER_DATA_DIR where the data is; RUNNER a prebuilt runner binary.
#
# Runs already done are skipped by each process, so the script can be re-run after a failure
# or an interruption. The summary and charts are refreshed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
spec=${1:?usage: scripts/batch-sweep.sh SPEC [PARALLEL] [-- runner options]}
shift
parallel=$(nproc)
if [ $# -gt 0 ] && [ "$1" != "--" ]; then parallel=$1; shift; fi
[ "${1:-}" = "--" ] && shift
runner=${RUNNER:-}
if [ -z "$runner" ]; then
  swift build -c release --product runner >&2
  runner="$(swift build -c release --show-bin-path)/runner"
fi

# One line per run: the plan's tsv without its header; the first column is the index.
count=$("$runner" plan "$spec" "$@" --format tsv | tail -n +2 | wc -l)
echo "batch-sweep: $count runs of $spec, $parallel at a time" >&2
status=0
results=${RESULTS_DIR:-results}
seq 0 $((count - 1)) | xargs -P "$parallel" -I{} \
  "$runner" "$spec" --index {} --jobs 1 --quiet --results "$results" "$@" || status=$?

experiment=$("$runner" plan "$spec" "$@" --format json | sed -n 's/^  "experiment": "\(.*\)",$/\1/p')
"$runner" summarize "$results/$experiment"
exit $status
