#!/usr/bin/env python3
"""Writes the broken-data corpus's binary cases (NPY and NPZ files, no NumPy needed): each
folder gets x/y arrays for train and test and a spec; `expected` is written by running runner
(see README.md). Run from this folder: python3 make-binary-cases.py"""
import os, struct, zipfile


def npy(descr, shape, data, fortran=False):
    header = "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }" % (descr, "True" if fortran else "False", shape)
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + data


def f4(values):
    return struct.pack("<%df" % len(values), *values)


good_x = npy("<f4", "(4, 2)", f4([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]))
good_y = npy("|u1", "(4,)", bytes([0, 1, 0, 1]))
pair_spec = "name: {name}\nepochs: 1\nhidden: [4]\nbatch_size: 2\n" \
            "dataset: {{train: {{x: train-x.npy, y: train-y.npy}}, test: {{x: test-x.npy, y: test-y.npy}}}}\n"
cases = {
    "npy-fortran-order": {"train-x.npy": npy("<f4", "(4, 2)", f4([0.1] * 8), fortran=True)},
    "npy-truncated": {"train-x.npy": good_x[:-5]},
    "npy-unsupported-dtype": {"train-x.npy": npy("<c8", "(4, 2)", f4([0.1] * 16))},
    "npy-big-endian": {"train-x.npy": npy(">f4", "(4, 2)", struct.pack(">8f", *([0.1] * 8)))},
    "npy-nan-feature": {"train-x.npy": npy("<f4", "(4, 2)", f4([0.1, float("nan"), 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]))},
    "npy-label-not-integer": {"train-y.npy": npy("<f8", "(4,)", struct.pack("<4d", 0, 1, 0.5, 1))},
    "npy-feature-counts-differ": {"test-x.npy": npy("<f4", "(2, 3)", f4([0.1] * 6)), "test-y.npy": npy("|u1", "(2,)", bytes([0, 1]))},
    "npy-labels-miscounted": {"train-y.npy": npy("|u1", "(3,)", bytes([0, 1, 0]))},
    "npy-not-numpy": {"train-x.npy": b"x,y\n1,2\n"},
}
for name, overrides in cases.items():
    os.makedirs(name, exist_ok=True)
    files = {"train-x.npy": good_x, "train-y.npy": good_y, "test-x.npy": good_x, "test-y.npy": good_y}
    files.update(overrides)
    for file, data in files.items():
        open(os.path.join(name, file), "wb").write(data)
    open(os.path.join(name, "spec.yaml"), "w").write(pair_spec.format(name=name))

os.makedirs("npz-missing-array", exist_ok=True)
with zipfile.ZipFile("npz-missing-array/data.npz", "w") as z:
    for member, data in [("x_train.npy", good_x), ("y_train.npy", good_y), ("x_test.npy", good_x), ("y_test.npy", good_y)]:
        z.writestr(member, data)
open("npz-missing-array/spec.yaml", "w").write(
    "name: npz-missing-array\nepochs: 1\nhidden: [4]\nbatch_size: 2\n"
    "dataset: {train: {file: data.npz, x: x_train, y: y_train}, test: {file: data.npz, x: x_val, y: y_test}}\n")
