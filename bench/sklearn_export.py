"""Exports scikit-learn's bundled datasets to CSV (and the regression ones also to NPY) with a
fixed split.

    python bench/sklearn_export.py OUT_DIR

Classification: digits (1,797 x 64, 10 classes), wine (178 x 13, 3 classes), breast_cancer
(569 x 30, 2 classes): 75% training, 25% test, stratified, random_state=0 (train_test_split), a
header of the feature names and a last column `target` (the class, 0..K-1).
Regression: diabetes (442 x 10, one target: disease progression after a year) as CSV with a
last column `target` and as NPY pairs (float64 features, float64 targets): 75% / 25%,
random_state=0.
The data ship inside the scikit-learn package (no download). Prints each file with its SHA-256.
"""
import hashlib, os, sys

import numpy as np
from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits, load_wine
from sklearn.model_selection import train_test_split

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
for name, loader in [("digits", load_digits), ("wine", load_wine), ("breast_cancer", load_breast_cancer)]:
    data = loader()
    x_train, x_test, y_train, y_test = train_test_split(data.data, data.target, test_size=0.25, stratify=data.target,
                                                        random_state=0)
    names = [str(f).replace(",", " ").replace(" ", "_") for f in data.feature_names]
    for part, x, y in [("train", x_train, y_train), ("test", x_test, y_test)]:
        path = os.path.join(out, f"{name}-{part}.csv")
        with open(path, "w") as f:
            f.write(",".join(names + ["target"]) + "\n")
            for row, label in zip(x, y):
                f.write(",".join(repr(float(v)) for v in row) + f",{int(label)}\n")
        print(f"{path}: {len(y)} rows, sha256 {hashlib.sha256(open(path, 'rb').read()).hexdigest()}")

for name, loader in [("diabetes", load_diabetes)]:
    data = loader()
    x_train, x_test, y_train, y_test = train_test_split(data.data, data.target[:, None], test_size=0.25, random_state=0)
    names, targets = [str(f) for f in data.feature_names], ["target"]
    for part, x, y in [("train", x_train, y_train), ("test", x_test, y_test)]:
        path = os.path.join(out, f"{name}-{part}.csv")
        with open(path, "w") as f:
            f.write(",".join(names + targets) + "\n")
            for row, values in zip(x, y):
                f.write(",".join(repr(float(v)) for v in list(row) + list(values)) + "\n")
        print(f"{path}: {len(y)} rows, sha256 {hashlib.sha256(open(path, 'rb').read()).hexdigest()}")
        for axis, array in [("x", np.ascontiguousarray(x, dtype=np.float64)),
                            ("y", np.ascontiguousarray(y[:, 0], dtype=np.float64))]:
            path = os.path.join(out, f"{name}-{part}-{axis}.npy")
            np.save(path, array)
            print(f"{path}: shape {array.shape}, sha256 {hashlib.sha256(open(path, 'rb').read()).hexdigest()}")
