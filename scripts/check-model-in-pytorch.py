#!/usr/bin/env python3
"""Loads a run's model.safetensors in PyTorch and checks it predicts what runner predicts.

    check-model-in-pytorch.py RUN_DIR EXAMPLES PREDICTIONS_CSV

EXAMPLES: a CSV (features as the run read them; the columns named like the run's labels are
dropped), an .npy array, or an IDX file of images (pixels / 255, as ToTensor()). The network is
the nn.Sequential in the file's metadata ("architecture"), loaded with load_state_dict(strict=True)
from safetensors.torch.load_file; features are scaled with the run's scaling.json.
Classification: prints one JSON line (examples, agreeing predictions, largest probability
difference); exit 1 when any prediction differs. Regression (metadata "runner.task"): the
outputs agree when within 1e-4 relative (the engine's and PyTorch's float sums differ in order);
with the targets in the CSV, also nn.MSELoss of the outputs against them ("mse", the figure
runner's metrics.csv calls test_loss).
"""
import csv, gzip, json, os, struct, sys

import numpy as np
import torch
from torch import nn
from safetensors import safe_open
from safetensors.torch import load_file


def examples(path, run_dir):
    config = json.load(open(os.path.join(run_dir, "config.json")))["config"]
    if path.endswith(".npy"):
        return torch.tensor(np.load(path).reshape(len(np.load(path)), -1), dtype=torch.float32), None, False
    if path.endswith((".csv", ".tsv", ".txt")):
        dataset = config.get("dataset", "")
        labels = dataset.split("label=")[1].split(",")[0].split("|") if "label=" in dataset else []
        with open(path, newline="") as f:
            sample = f.read(4096)
            f.seek(0)
            dialect = csv.Sniffer().sniff(sample.splitlines()[0], delimiters=",;\t|")
            rows = list(csv.reader(f, dialect))
        header, body = rows[0], [r for r in rows[1:] if r]
        keep = [i for i, name in enumerate(header) if name.strip() not in labels]
        targets = [header.index(name) for name in labels if name in header]
        x = torch.tensor([[float(r[i]) for i in keep] for r in body], dtype=torch.float32)
        regression = config.get("task") == "regression"
        y = torch.tensor([[float(r[i]) for i in targets] for r in body], dtype=torch.float32) if targets and regression else None
        return x, y, False
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    n, h, w = struct.unpack(">III", data[4:16])
    pixels = np.frombuffer(data[16:], dtype=np.uint8).reshape(n, h * w)
    return torch.tensor(pixels, dtype=torch.float32) / 255, None, True


def main():
    run_dir, examples_path, predictions_path = sys.argv[1:4]
    model_path = os.path.join(run_dir, "model.safetensors")
    with safe_open(model_path, framework="pt") as f:
        metadata = f.metadata()
    model = eval(metadata["architecture"], {"nn": nn})
    model.load_state_dict(load_file(model_path), strict=True)
    model.eval()
    x, targets, pixels = examples(examples_path, run_dir)
    scaling_path = os.path.join(run_dir, "scaling.json")
    if not pixels and os.path.exists(scaling_path):
        scaling = json.load(open(scaling_path))
        if scaling["shift"]:
            x = (x - torch.tensor(scaling["shift"])) / torch.tensor(scaling["divisor"])
    theirs = list(csv.reader(open(predictions_path)))
    if metadata.get("runner.task") == "regression":
        with torch.no_grad():
            outputs = model(x)
        agree, largest = 0, 0.0
        for i, row in enumerate(theirs[1:]):
            ours = torch.tensor([float(v) for v in row[1:]])
            difference = float((ours - outputs[i]).abs().max())
            largest = max(largest, difference)
            agree += difference <= 1e-4 * (1 + float(outputs[i].abs().max()))
        result = {"examples": len(theirs) - 1, "agree": agree, "max_output_difference": largest}
        if targets is not None:
            with torch.no_grad():
                result["mse"] = float(nn.MSELoss()(outputs, targets))
        print(json.dumps(result))
        sys.exit(0 if agree == len(theirs) - 1 else 1)
    with torch.no_grad():
        probabilities = torch.softmax(model(x), dim=1)
    names = [c[2:] for c in theirs[0][2:]]
    agree, largest = 0, 0.0
    for i, row in enumerate(theirs[1:]):
        ours = names[int(torch.argmax(probabilities[i]))]
        agree += ours == row[1]
        largest = max(largest, float(max(abs(float(p) - float(q)) for p, q in zip(row[2:], probabilities[i]))))
    print(json.dumps({"examples": len(theirs) - 1, "agree": agree, "max_probability_difference": largest}))
    sys.exit(0 if agree == len(theirs) - 1 else 1)


if __name__ == "__main__":
    main()
