#!/usr/bin/env bash
# runner ui at scale (issue 26): a real sampled sweep of 1,000 runs x 50 epochs (a 4-unit
# network on 200 of scikit-learn's digits, so it trains in minutes), then the dashboard's index
# and that experiment's page timed (median of 5 requests each, curl), and the server's CPU while
# one page watches a sweep that trains (a raw WebSocket held open on /live, the server's
# utime+stime from /proc over the sweep's wall time).
#   scripts/bench-ui.sh [WORK_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-$(mktemp -d)}
mkdir -p "$work"
[ -f data/sklearn/digits-train.csv ] || scripts/fetch-sklearn-data.sh >/dev/null
swift build -c release --product runner >/dev/null 2>&1
runner=$(pwd)/.build/release/runner
cat > "$work/scale.yaml" <<SPEC
name: scale
dataset: {train: $(pwd)/data/sklearn/digits-train.csv, test: $(pwd)/data/sklearn/digits-test.csv, label: target, scale: standardize}
train_subset: 200
test_subset: 100
hidden: [4]
epochs: 50
samples: 1000
sweep:
  lr: {log_uniform: [0.001, 0.5]}
  momentum: {uniform: [0, 0.9]}
SPEC
start=$(date +%s)
"$runner" "$work/scale.yaml" --results "$work/results" -j 2 -q --max-runs 2000 || true
echo "generated: $(ls "$work/results/scale" | grep -c '^[0-9a-f]\{12\}$') runs x 50 epochs in $(( $(date +%s) - start )) s"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$runner" ui "$work/results" --port "$port" > "$work/ui.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null' EXIT
until curl -s -o /dev/null "http://127.0.0.1:$port/"; do sleep 0.2; done
for page in / /e/scale /groups; do
  times=$(for i in 1 2 3 4 5; do curl -s -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$port$page"; done | sort -n)
  echo "GET $page: median $(echo "$times" | sed -n 3p) s (of 5: $(echo $times))"
done
# Watching: a WebSocket on the experiment held open while a 20-run sweep trains into the root.
cat > "$work/live.yaml" <<SPEC
name: watched
dataset: {train: $(pwd)/data/sklearn/digits-train.csv, test: $(pwd)/data/sklearn/digits-test.csv, label: target, scale: standardize}
hidden: [32]
epochs: 30
repeats: 20
SPEC
"$runner" "$work/live.yaml" --results "$work/results" -j 1 --threads 1 -q --set repeats=1 >/dev/null 2>&1
python3 - "$port" > "$work/socket.log" 2>&1 <<'PY' &
import base64, os, socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
key = base64.b64encode(os.urandom(16)).decode()
s.sendall(f"GET /live?on=watched HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode())
messages = 0
while True:
    data = s.recv(65536)
    if not data: break
    messages += data.count(b"changed")
    print(messages, flush=True)
PY
watcher=$!
ticks=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' /proc/$server/stat; }
before=$(cpu); t0=$(date +%s.%N)
"$runner" "$work/live.yaml" --results "$work/results" -j 1 --threads 1 -q >/dev/null 2>&1
after=$(cpu); t1=$(date +%s.%N)
kill $watcher 2>/dev/null || true
python3 -c "print(f'watching a 20-run sweep ({float($t1)-float($t0):.1f} s): server CPU {($after-$before)/$ticks:.2f} s = {100*($after-$before)/$ticks/(float($t1)-float($t0)):.1f}% of one core; {open('$work/socket.log').read().split()[-1] if open('$work/socket.log').read().split() else 0} change messages sent')"
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores; runner $("$runner" --version | head -1)"
