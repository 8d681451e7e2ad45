#!/usr/bin/python3
"""The engines compared example for example: PyTorch's nn.Linear initial weights (seed S) are
written to a file the runner's engine loads, and both train one epoch of the seed's sigmoid
network (no dropout) on the training set in file order (no shuffling), then report test
accuracy. Equal figures mean the two compute the same training; run by scripts/same-order.sh.

    /usr/bin/python3 bench/same_order.py SEED INIT_FILE
"""
import os
import sys

import numpy as np
import torch
from torchvision import datasets, transforms

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pytorch_seed import Net, evaluate, mnist_root, train  # noqa: E402


def main():
    seed, init_file = int(sys.argv[1]), sys.argv[2]
    torch.set_num_threads(1)
    torch.manual_seed(seed)
    model = Net("sigmoid", 0.0)
    # The runner's flat layout: fc1.weight [out, in] row-major, fc1.bias, fc2.weight, ...
    parts = []
    for fc in (model.fc1, model.fc2, model.fc3):
        parts += [fc.weight.detach().numpy().ravel(), fc.bias.detach().numpy().ravel()]
    np.concatenate(parts).astype(np.float32).tofile(init_file)
    root = mnist_root("data/mnist")
    train_set = datasets.MNIST(root=root, train=True, download=False, transform=transforms.ToTensor())
    test_set = datasets.MNIST(root=root, train=False, transform=transforms.ToTensor())
    train_loader = torch.utils.data.DataLoader(train_set, batch_size=32, shuffle=False)
    test_loader = torch.utils.data.DataLoader(test_set, batch_size=32, shuffle=False)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.5)
    criterion = torch.nn.CrossEntropyLoss()
    train(model, train_loader, optimizer, criterion)
    print("PyTorch: epoch 1 test accuracy %.2f%%" % evaluate(model, test_loader, criterion)[2])


if __name__ == "__main__":
    main()
