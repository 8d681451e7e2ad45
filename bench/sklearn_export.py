"""Exports scikit-learn's bundled classification datasets to CSV with a fixed split.

    python bench/sklearn_export.py OUT_DIR

digits (1,797 x 64, 10 classes), wine (178 x 13, 3 classes), breast_cancer (569 x 30, 2
classes): 75% training, 25% test, stratified, random_state=0 (train_test_split), a header of
the feature names and a last column `target` (the class, 0..K-1). The data ship inside the
scikit-learn package (no download). Prints each file with its SHA-256.
"""
import hashlib, os, sys

from sklearn.datasets import load_breast_cancer, load_digits, load_wine
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
