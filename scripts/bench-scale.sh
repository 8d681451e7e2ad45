#!/usr/bin/env bash
# Issue 22's scale case: an experiment of two done runs of 1,000,000 epochs each (written
# directly, as a sweep would have), then the time and peak memory of a rerun with nothing to
# train, `summarize` and `report`, and the size of report.html. Prints figures; asserts nothing.
#
#   scripts/bench-scale.sh [RUNNER_BINARY]     (default: .build/release/runner)
set -euo pipefail
cd "$(dirname "$0")/.."
runner="$(realpath "${1:-.build/release/runner}")"
data="$(realpath data)"
work="$(mktemp -d)"
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
cd "$work"
printf 'name: big\nepochs: 1000000\ntrain_subset: 64\ntest_subset: 10\nhidden: [2]\nrepeats: 2\n' > big.yaml
"$runner" plan big.yaml --format json > plan.json
python3 - <<'PY'
import hashlib, json, os
plan = json.load(open("plan.json"))
header = "epoch,train_loss,test_loss,test_accuracy,train_eval_loss,train_eval_accuracy,val_loss,val_accuracy,epoch_seconds"
for r in plan["runs"]:
    d = f"results/big/{r['id']}"
    os.makedirs(d, exist_ok=True)
    rows = [header] + [f"{e},{2.3/(1+e/100):.8f},{2.3/(1+e/120):.8f},{50+40*(1-1/(1+e/1000)):.4f},"
                       f"{2.3/(1+e/110):.8f},{51+40*(1-1/(1+e/1000)):.4f},,,0.001" for e in range(1, 1_000_001)]
    text = "\n".join(rows) + "\n"
    open(f"{d}/metrics.csv", "w").write(text)
    config = json.dumps(r["config"], separators=(", ", ": "))
    open(f"{d}/config.json", "w").write('{\n  "id": "%s",\n  "name": "%s",\n  "config": %s\n}\n' % (r["id"], r["name"], config))
    status = {"epochs": 1000000, "epochs_done": 1000000, "metrics_sha256": hashlib.sha256(text.encode()).hexdigest(),
              "seconds": 1000.0, "started": "2026-12-07T00:00:00Z", "status": "done", "updated": "2026-12-07T00:00:00Z"}
    open(f"{d}/status.json", "w").write(json.dumps(status, indent=2, sort_keys=True) + "\n")
PY
echo "runner: $runner; two done runs of 1,000,000 epochs ($(du -sh results/big | cut -f1))"
# The first rerun finds no summary and builds it (as the sweep's end would have); the second is
# the case of the issue: a rerun of a finished sweep, nothing to train, the summary current.
for command in "big.yaml -q --data-dir $data" "big.yaml -q --data-dir $data" "summarize results/big" "report results/big"; do
  /usr/bin/time -f "%e s, peak %M KB: runner $command" "$runner" $command > /dev/null
done 2>&1
echo "report.html: $(stat -c %s results/big/report.html) bytes; SVGs: $(cat results/big/*.svg | wc -c) bytes"
