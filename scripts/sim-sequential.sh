#!/usr/bin/env bash
# The longer run of the seeds-until-decided simulation the test suite runs small
# (Tests/StatisticsTests/SequentialComparisonTests.swift): STUDIES simulated studies per design
# and true difference (in standard deviations), printing the rate of declared differences with
# its 95% Wilson interval, the seeds a group used on average, and the seeds the fixed design
# needs for the same power. Asserts nothing; its output is committed in docs/running.md.
#
#   scripts/sim-sequential.sh [STUDIES]      (default 50000)
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product runner-bench >&2
"$(swift build -c release --show-bin-path)/runner-bench" sequential "${1:-50000}"
