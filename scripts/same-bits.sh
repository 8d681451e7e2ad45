#!/usr/bin/env bash
# Trains scripts/same-bits.yaml (13 configurations over every path of the engine) with the
# given runner binary and prints one line a run: its name and the SHA-256 of its metrics.csv
# without the seconds column. Two binaries that print the same lines computed the same bits.
#
#   scripts/same-bits.sh [RUNNER_BINARY]          (default: .build/release/runner)
#   diff <(scripts/same-bits.sh old/runner) <(scripts/same-bits.sh .build/release/runner)
set -euo pipefail
cd "$(dirname "$0")/.."
binary="${1:-.build/release/runner}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
"$binary" scripts/same-bits.yaml --results "$out" -j 1 -q
for dir in "$out"/same-bits/*/; do
  [ -f "$dir/metrics.csv" ] || continue
  name="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["name"])' "$dir/config.json")"
  digest="$(rev "$dir/metrics.csv" | cut -d, -f2- | rev | sha256sum | cut -c1-16)"
  echo "$digest  $name"
done | sort -k2
