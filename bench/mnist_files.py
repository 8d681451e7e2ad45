"""MNIST's IDX files (raw or gzip) as numpy arrays, for the benchmark scripts that preload the
data (bench/jax_epoch.py, bench/threads_epoch.py)."""
import gzip
import os
import struct

import numpy as np


def idx(path):
    """An IDX file (raw or gzip) as a numpy array."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def find(folder, name):
    """The file `name` (or `name`.gz) in `folder`; exits with what to do when neither is there."""
    for candidate in (name, name + ".gz"):
        path = os.path.join(folder, candidate)
        if os.path.exists(path):
            return path
    raise SystemExit(f"{folder}/{name}: missing; run scripts/fetch-data.sh")
