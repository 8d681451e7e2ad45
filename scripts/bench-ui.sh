#!/usr/bin/env bash
# runner ui at scale (issue 26): a real sampled sweep of 1,000 runs x 50 epochs (a 4-unit
# network on 200 of scikit-learn's digits, so it trains in minutes), then the dashboard's index
# and that experiment's page timed (the first request, then the median of 5, curl), and the server's CPU while
# two pages watch a sweep that trains (WebSockets held open on /live, content fetched again on
# each change as the pages do; the server's utime+stime from /proc over the sweep's wall time).
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
until curl -s -o /dev/null "http://127.0.0.1:$port/up"; do sleep 0.2; done  # a 404: builds no page
# The first request builds the page from disk; later ones reuse it until the folder changes.
for page in / /e/scale /groups; do
  first=$(curl -s -o /dev/null -w '%{time_total}' "http://127.0.0.1:$port$page")
  times=$(for i in 1 2 3 4 5; do curl -s -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$port$page"; done | sort -n)
  echo "GET $page: first $first s (built from disk), then median $(echo "$times" | sed -n 3p) s (of 5: $(echo $times))"
done
# Watching: a WebSocket on the experiment held open while a 25-run sweep trains into the root.
cat > "$work/live.yaml" <<SPEC
name: watched
dataset: {train: $(pwd)/data/sklearn/digits-train.csv, test: $(pwd)/data/sklearn/digits-test.csv, label: target, scale: standardize}
hidden: [256, 256]
batch_size: 8
epochs: 50
repeats: 25
SPEC
"$runner" "$work/live.yaml" --results "$work/results" -j 1 --threads 1 -q --index 0 >/dev/null 2>&1
# Two pages watch: the index (every folder of the root, 1,000+ runs, polled) and the experiment;
# each fetches its content again when told of a change, as the page's script does.
python3 - "$port" / watched > "$work/socket.log" 2>&1 <<'PY' &
import base64, os, select, socket, sys, urllib.request
sockets = {}
for on in sys.argv[2:]:
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
    key = base64.b64encode(os.urandom(16)).decode()
    s.sendall(f"GET /live?on={on} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
              f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode())
    sockets[s] = on
messages = dict.fromkeys(sockets.values(), 0)
while sockets:
    for s in select.select(list(sockets), [], [])[0]:
        data = s.recv(65536)
        if not data: del sockets[s]; continue
        messages[sockets[s]] += data.count(b"changed")
        if data.count(b"changed"):  # as the page does: fetch the content again
            path = "/content" if sockets[s] == "/" else f"/e/{sockets[s]}/content"
            urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}{path}").read()
        print(" ".join(f"{on}:{n}" for on, n in messages.items()), flush=True)
PY
watcher=$!
ticks=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' /proc/$server/stat; }
idle0=$(cpu); sleep 20; idle1=$(cpu)
echo "watching, nothing training (20 s): server CPU $(python3 -c "print(f'{($idle1 - $idle0) / $ticks:.2f} s = {100 * ($idle1 - $idle0) / $ticks / 20:.1f}%')") of one core"
before=$(cpu); t0=$(date +%s.%N)
"$runner" "$work/live.yaml" --results "$work/results" -j 1 --threads 1 -q >/dev/null 2>&1
after=$(cpu); t1=$(date +%s.%N)
kill $watcher 2>/dev/null || true
python3 - "$before" "$after" "$ticks" "$t0" "$t1" "$work/socket.log" <<'PY'
import sys
before, after, ticks, t0, t1 = (float(v) for v in sys.argv[1:6])
counts = open(sys.argv[6]).read().splitlines()[-1:] or ['none']
counts = counts[0].split()
cpu, wall = (after - before) / ticks, t1 - t0
print(f"watching a sweep train 24 runs x 50 epochs ({wall:.1f} s, an epoch every {wall / (24 * 50) * 1000:.0f} ms): "
      f"server CPU {cpu:.2f} s = {100 * cpu / wall:.1f}% of one core; change messages sent (page: count) {' '.join(counts[-2:])}")
PY
# The peer: TensorBoard on the same 1,000 runs (runner export), where its users look today: how
# long after launch until it lists every run, its scalar tags and one run's curve (median of 5),
# and its CPU (the Python server and its Rust data server) over 20 s with nothing changing.
tensorboard=${TENSORBOARD:-.build/pyenv/bin/tensorboard}
if [ -x "$tensorboard" ]; then
  "$runner" export "$work/results" --format tensorboard --output "$work/tb" >/dev/null
  tbport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  t0=$(date +%s.%N)
  "$tensorboard" --logdir "$work/tb/scale" --port "$tbport" --host 127.0.0.1 > "$work/tb.log" 2>&1 &
  tb=$!
  trap 'kill $server $tb 2>/dev/null' EXIT
  until [ "$(curl -s "http://127.0.0.1:$tbport/data/runs" | python3 -c 'import json,sys
try: print(len(json.load(sys.stdin)))
except Exception: print(0)')" -ge 1000 ]; do sleep 0.1; done
  echo "TensorBoard $("$tensorboard" --version_tb 2>/dev/null): every run listed $(python3 -c "print(f'{$(date +%s.%N) - $t0:.2f}')") s after launch"
  run=$(curl -s "http://127.0.0.1:$tbport/data/runs" | python3 -c 'import json,sys; print(sorted(r for r in json.load(sys.stdin) if r != ".")[0])')
  for page in /data/plugin/scalars/tags /data/plugin/scalars/scalars; do
    times=$(for i in 1 2 3 4 5; do curl -s -o /dev/null -w '%{time_total}\n' -G "http://127.0.0.1:$tbport$page" \
      --data-urlencode "run=$run" --data-urlencode "tag=test_accuracy"; done | sort -n)
    echo "TensorBoard GET $page: median $(echo "$times" | sed -n 3p) s (of 5: $(echo $times))"
  done
  tree() { echo $tb $(pgrep -P $tb); }
  tbcpu() { for p in $(tree); do awk '{print $14 + $15}' /proc/$p/stat; done | awk '{s += $1} END {print s}'; }
  idle0=$(tbcpu); sleep 20; idle1=$(tbcpu)
  echo "TensorBoard idle (20 s, its reload every 5 s): CPU $(python3 -c "print(f'{($idle1 - $idle0) / $ticks:.2f} s = {100 * ($idle1 - $idle0) / $ticks / 20:.1f}%')") of one core ($(tree | wc -w) processes)"
  kill $tb 2>/dev/null || true
fi
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores; runner $("$runner" --version | head -1)"
