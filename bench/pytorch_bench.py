#!/usr/bin/python3
"""Times the seed program's training epoch and evaluation pass (ReLU + dropout 0.5, batch 32,
the post's DataLoader pipeline), single-threaded, after loading the data, and prints
`train_seconds=S eval_seconds=E` for each repetition. Used by scripts/bench.sh.

    /usr/bin/python3 bench/pytorch_bench.py [--reps N] [--data data/mnist] [--flush-denormal]
                                            [--variant sgd|adam|batchnorm]

--flush-denormal runs it with torch.set_flush_denormal(True), the setting that matches the
runner's engine (which flushes subnormal floats to zero); the seed program does not set it.
"""
import argparse
import os
import sys
import time

import torch
import torch.nn as nn
from torchvision import datasets, transforms

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pytorch_seed import Net, evaluate, mnist_root, train  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=1)
    ap.add_argument("--data", default="data/mnist")
    ap.add_argument("--flush-denormal", action="store_true")
    ap.add_argument("--variant", default="sgd", choices=["sgd", "adam", "batchnorm"])
    args = ap.parse_args()
    torch.set_num_threads(1)
    if args.flush_denormal and not torch.set_flush_denormal(True):
        sys.exit("this CPU cannot flush denormals")
    torch.manual_seed(1)
    root = mnist_root(args.data)
    train_set = datasets.MNIST(root=root, train=True, download=False, transform=transforms.ToTensor())
    test_set = datasets.MNIST(root=root, train=False, transform=transforms.ToTensor())
    train_loader = torch.utils.data.DataLoader(train_set, batch_size=32, shuffle=True)
    test_loader = torch.utils.data.DataLoader(test_set, batch_size=32, shuffle=False)
    model = Net("relu", 0.5, batch_norm=args.variant == "batchnorm")
    if args.variant == "adam":
        optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    else:
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.5)
    criterion = nn.CrossEntropyLoss()
    for _ in range(args.reps):
        start = time.perf_counter()
        train(model, train_loader, optimizer, criterion)
        train_seconds = time.perf_counter() - start
        start = time.perf_counter()
        evaluate(model, test_loader, criterion)
        eval_seconds = time.perf_counter() - start
        print(f"train_seconds={train_seconds:.4f} eval_seconds={eval_seconds:.4f}", flush=True)


if __name__ == "__main__":
    main()
