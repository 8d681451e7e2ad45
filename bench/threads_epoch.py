#!/usr/bin/python3
"""PyTorch's training epoch of an MLP on MNIST on N intra-op threads, for scripts/bench-threads.sh:
ReLU, dropout 0.5 after each hidden activation, SGD lr 0.01 momentum 0.5, cross-entropy, the
images preloaded as one float tensor (ToTensor's scaling) and batched by shuffled indices, so
the figure is the network's compute, not a DataLoader's. Prints `train_seconds=S` per
repetition after a first, warming one.

    /usr/bin/python3 bench/threads_epoch.py --hidden 1024,1024,1024 --batch 100 --threads 2 [--reps N]
"""
import argparse
import os
import sys
import time

import numpy as np
import torch
from torch import nn


sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mnist_files import find, idx  # noqa: E402

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hidden", default="512,256")
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--reps", type=int, default=1)
    ap.add_argument("--data", default="data/mnist")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    x = torch.tensor(idx(find(a.data, "train-images-idx3-ubyte")).reshape(-1, 784), dtype=torch.float32) / 255
    y = torch.tensor(idx(find(a.data, "train-labels-idx1-ubyte")).astype(np.int64))
    sizes = [784] + [int(h) for h in a.hidden.split(",")]
    layers = []
    for i, o in zip(sizes, sizes[1:]):
        layers += [nn.Linear(i, o), nn.ReLU(), nn.Dropout(0.5)]
    model = nn.Sequential(*layers, nn.Linear(sizes[-1], 10))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.5)
    loss = nn.CrossEntropyLoss()
    model.train()
    for rep in range(a.reps + 1):
        order = torch.randperm(len(x))
        t = time.perf_counter()
        for start in range(0, len(x), a.batch):
            batch = order[start:start + a.batch]
            optimizer.zero_grad()
            loss(model(x[batch]), y[batch]).backward()
            optimizer.step()
        if rep > 0:
            print(f"train_seconds={time.perf_counter() - t:.3f}", flush=True)


if __name__ == "__main__":
    main()
