#!/usr/bin/env bash
# Fans a sweep out over independent processes, one run each, as a shell script would on a
# workstation (or as a template for any batch system): `runner SPEC --index I` trains run I.
#
#   scripts/batch-sweep.sh SPEC [PARALLEL] [-- --set key=value ...]
#
# Works from any folder: SPEC and RESULTS_DIR are taken relative to the folder it is run from.
# PARALLEL defaults to the number of cores. Options after -- go to both `runner plan` and
# `runner SPEC` (so: --set, --max-runs). RESULTS_DIR (default results) is where results go;
# RUNNER_DATA_DIR where the data is; RUNNER a prebuilt runner binary (default: the release
# build of the checkout this script belongs to, built if needed).
#
# Runs already done are skipped by each process, so the script can be re-run after a failure
# or an interruption. The summary and charts are refreshed at the end.
set -euo pipefail
usage="usage: scripts/batch-sweep.sh SPEC [PARALLEL] [-- runner options]"
spec=${1:?$usage}
shift
parallel=$(nproc)
if [ $# -gt 0 ] && [ "$1" != "--" ]; then parallel=$1; shift; fi
[ "${1:-}" = "--" ] && shift
case $parallel in ''|*[!0-9]*|0) echo "batch-sweep: PARALLEL must be a whole number >= 1, got '$parallel'; $usage" >&2; exit 64 ;; esac
runner=${RUNNER:-}
if [ -z "$runner" ]; then
  repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  swift build -c release --product runner --package-path "$repo" >&2
  runner="$(swift build -c release --package-path "$repo" --show-bin-path)/runner"
fi

# The plan as JSON (parsed as JSON): its experiment name and run count.
plan=$("$runner" plan "$spec" "$@" --format json)
read -r experiment count < <(printf '%s' "$plan" | python3 -c \
  'import json, sys; p = json.load(sys.stdin); print(p["experiment"], len(p["runs"]))')
echo "batch-sweep: $count runs of $spec, $parallel at a time" >&2
status=0
results=${RESULTS_DIR:-results}
seq 0 $((count - 1)) | xargs -P "$parallel" -I{} \
  "$runner" "$spec" --index {} --jobs 1 --quiet --results "$results" "$@" || status=$?

"$runner" summarize "$results/$experiment"
exit $status
