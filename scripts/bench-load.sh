#!/usr/bin/env bash
# Issue 23's loading benchmark: MNIST's training set written as a CSV (60,000 x 785, a label
# column and 784 pixel columns), read by runner (a dataset of files: runner-bench loadcsv) and
# by pandas.read_csv (Debian's python3-pandas) in the same run, each REPS times; prints the
# median seconds and peak memory of each, their ratio, and runner's peak against the float32
# matrix (188 MB). Prints figures; asserts nothing.
#
# Then the same data as NPY pairs (float32 features, uint8 labels) read by runner and by
# numpy.load, against reading the file's bytes (cat to /dev/null: disk speed from the page
# cache); and with BIG=1, a 1 GB CSV (the file ten times) whose last row is bad: the time to
# the error and the peak memory (the matrix of the rows before it, never the text twice).
#
#   scripts/bench-load.sh [REPS]      (default 3; needs python3-numpy and python3-pandas)
set -euo pipefail
cd "$(dirname "$0")/.."
reps="${1:-3}"
swift build -c release --product runner-bench >/dev/null
bench="$(swift build -c release --show-bin-path)/runner-bench"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 - "$work" <<'PY'
import numpy as np, sys
def idx(path, offset):
    return np.frombuffer(open(path, "rb").read()[offset:], dtype=np.uint8)
x = idx("data/mnist/train-images-idx3-ubyte", 16).reshape(60000, 784)
y = idx("data/mnist/train-labels-idx1-ubyte", 8)
with open(sys.argv[1] + "/train.csv", "w") as f:
    f.write("label," + ",".join(f"p{i}" for i in range(784)) + "\n")
    for label, row in zip(y, x):
        f.write(f"{label}," + ",".join(map(str, row)) + "\n")
with open(sys.argv[1] + "/test.csv", "w") as f:
    f.write("label," + ",".join(f"p{i}" for i in range(784)) + "\n")
    f.write("0," + ",".join("0" for _ in range(784)) + "\n")
PY
echo "MNIST training set as CSV: $(du -h "$work/train.csv" | cut -f1); $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), one core each"
runner_s=(); runner_kb=(); pandas_s=(); pandas_kb=()
for _ in $(seq "$reps"); do
  /usr/bin/time -o "$work/t" -f "%e %M" taskset -c 1 "$bench" loadcsv "$work/train.csv" "$work/test.csv" label >/dev/null
  out="$(tail -1 "$work/t")"
  runner_s+=("${out% *}"); runner_kb+=("${out#* }")
  /usr/bin/time -o "$work/t" -f "%e %M" taskset -c 1 /usr/bin/python3 -c "import pandas, sys; pandas.read_csv(sys.argv[1])" "$work/train.csv" >/dev/null
  out="$(tail -1 "$work/t")"
  pandas_s+=("${out% *}"); pandas_kb+=("${out#* }")
done
# The same file with its last row broken: the error comes at the end of one streaming pass,
# with no more memory than a good file takes.
cp "$work/train.csv" "$work/bad.csv"
printf '7,%s,x\n' "$(seq -s, 1 783 | sed 's/[0-9]*/0/g')" >> "$work/bad.csv"
/usr/bin/time -o "$work/bad.time" -f "%e %M" taskset -c 1 "$bench" loadcsv "$work/bad.csv" "$work/test.csv" label \
  >/dev/null 2>"$work/bad.err" || true
bad="$(tail -1 "$work/bad.time")"
echo "bad last row: $(head -c 160 "$work/bad.err" | sed "s#$work/##")"
echo "  found in ${bad% *} s, peak $(( ${bad#* } / 1024 )) MB"
/usr/bin/python3 - "$work" <<'PY'
import numpy as np, sys
def idx(path, offset):
    return np.frombuffer(open(path, "rb").read()[offset:], dtype=np.uint8)
x = idx("data/mnist/train-images-idx3-ubyte", 16).reshape(60000, 784).astype(np.float32) / 255
np.save(sys.argv[1] + "/x.npy", x)
np.save(sys.argv[1] + "/y.npy", idx("data/mnist/train-labels-idx1-ubyte", 8))
np.save(sys.argv[1] + "/tx.npy", x[:1])
np.save(sys.argv[1] + "/ty.npy", idx("data/mnist/train-labels-idx1-ubyte", 8)[:1])
PY
npy_runner=(); npy_numpy=(); npy_cat=()
for _ in $(seq "$reps"); do
  /usr/bin/time -o "$work/t" -f "%e %M" taskset -c 1 "$bench" loadnpy "$work/x.npy" "$work/y.npy" "$work/tx.npy" "$work/ty.npy" >/dev/null
  npy_runner+=("$(tail -1 "$work/t")")
  /usr/bin/time -o "$work/t" -f "%e %M" taskset -c 1 /usr/bin/python3 -c "import numpy, sys; numpy.load(sys.argv[1]).sum(); numpy.load(sys.argv[2])" "$work/x.npy" "$work/y.npy" >/dev/null
  npy_numpy+=("$(tail -1 "$work/t")")
  /usr/bin/time -o "$work/t" -f "%e %M" cat "$work/x.npy" "$work/y.npy" >/dev/null
  npy_cat+=("$(tail -1 "$work/t")")
done
/usr/bin/python3 - "${npy_runner[*]}" "${npy_numpy[*]}" "${npy_cat[*]}" <<'PY'
import statistics, sys

rows = [list(map(float, a.split())) for a in sys.argv[1:4]]
for name, values in zip(["runner (NPYFile, x and y)", "numpy.load (and a sum, to touch it)", "cat the bytes"], rows):
    secs, kb = values[0::2], values[1::2]
    print(f"NPY, 188 MB of float32: {name}: median {statistics.median(secs):.2f} s, peak {statistics.median(kb)/1024:.0f} MB")
PY
if [ "${BIG:-0}" = 1 ]; then
  { cat "$work/train.csv"; for _ in $(seq 9); do tail -n +2 "$work/train.csv"; done; tail -1 "$work/bad.csv"; } > "$work/big.csv"
  /usr/bin/time -o "$work/t" -f "%e %M" taskset -c 1 "$bench" loadcsv "$work/big.csv" "$work/test.csv" label >/dev/null 2>"$work/big.err" || true
  big="$(tail -1 "$work/t")"
  echo "1 GB CSV ($(du -h "$work/big.csv" | cut -f1)), last row bad: $(head -c 120 "$work/big.err" | sed "s#$work/##")"
  echo "  found in ${big% *} s, peak $(( ${big#* } / 1024 )) MB (the float32 matrix of its 600,000 good rows: 1,882 MB)"
fi
/usr/bin/python3 - "${runner_s[*]}" "${runner_kb[*]}" "${pandas_s[*]}" "${pandas_kb[*]}" <<'PY'
import statistics, sys
rs, rk, ps, pk = ([float(v) for v in a.split()] for a in sys.argv[1:5])
import pandas
print(f"runner (CSVTable, float32 matrix): median {statistics.median(rs):.2f} s, peak {statistics.median(rk)/1024:.0f} MB")
print(f"pandas {pandas.__version__} read_csv (C engine, int64 frame): median {statistics.median(ps):.2f} s, peak {statistics.median(pk)/1024:.0f} MB")
print(f"time ratio runner/pandas: {statistics.median(rs)/statistics.median(ps):.2f}; "
      f"runner peak / float32 matrix (188.2 MB): {statistics.median(rk)/1024*1.048576/188.16:.2f}")
PY
