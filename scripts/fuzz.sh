#!/usr/bin/env bash
# Fuzzes the spec loader (libYAML events -> node tree -> typed spec -> plan) with libFuzzer.
#
#   scripts/fuzz.sh [SECONDS]        default 600
#
# Builds Sources/spec-fuzz with -sanitize=fuzzer into .build-fuzz, seeds a working corpus
# (.build-fuzz/corpus) from experiments/ and the broken-spec corpus, and runs for SECONDS on
# one core. A crashing, leaking or hanging input is written to Tests/Fixtures/fuzz-regressions/,
# which `swift test` replays; the run's last statistics line is printed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
swift build -c release --product spec-fuzz --scratch-path .build-fuzz \
  -Xswiftc -sanitize=fuzzer -Xswiftc -DFUZZING >&2
fuzzer=.build-fuzz/release/spec-fuzz
corpus=.build-fuzz/corpus
regressions=Tests/Fixtures/fuzz-regressions
mkdir -p "$corpus" "$regressions"
cp experiments/*.yaml Tests/Fixtures/broken-specs/*.yaml "$corpus"/
log=.build-fuzz/last-run.log
status=0
"$fuzzer" "$corpus" -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
  -print_final_stats=1 -artifact_prefix="$regressions/" 2>"$log" || status=$?
grep -E "^#[0-9]+ +(DONE|INITED)|stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb|Done [0-9]+ runs" "$log" | tail -n 6
if [ $status -ne 0 ]; then
  echo "fuzz: the fuzzer found a problem (exit $status); the input is in $regressions/ — see $log" >&2
  grep -E "ERROR|SUMMARY|Test unit written" "$log" >&2 || true
fi
exit $status
