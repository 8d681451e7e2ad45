#!/usr/bin/python3
"""The engines compared example for example: PyTorch's nn.Linear initial weights (seed S) are
written to a file the runner's engine loads, and both train one epoch of the seed's sigmoid
network (no dropout) on the training set in file order (no shuffling), then report test
accuracy. Equal figures mean the two compute the same training; run by scripts/same-order.sh.

    /usr/bin/python3 bench/same_order.py SEED INIT_FILE [EPOCHS [SCHEDULE [NORMALIZE [WEIGHT_DECAY [nesterov]]]]]

SCHEDULE is the runner's canonical spelling: step(step_size=1,gamma=0.5) for StepLR,
cosine(eta_min=0.001) for CosineAnnealingLR with T_max = EPOCHS (stepped after each epoch).
NORMALIZE is mean/std (0.1307/0.3081) for transforms.Normalize after ToTensor(), or none.
"""
import re
import os
import sys

import numpy as np
import torch
from torchvision import datasets, transforms

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pytorch_seed import Net, evaluate, mnist_root, train  # noqa: E402


def main():
    seed, init_file = int(sys.argv[1]), sys.argv[2]
    epochs = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    schedule = sys.argv[4] if len(sys.argv) > 4 else "constant"
    normalize = sys.argv[5] if len(sys.argv) > 5 else "none"
    weight_decay = float(sys.argv[6]) if len(sys.argv) > 6 else 0.0
    nesterov = len(sys.argv) > 7 and sys.argv[7] == "nesterov"
    steps = [transforms.ToTensor()]
    if normalize != "none":
        mean, std = (float(v) for v in normalize.split("/"))
        steps.append(transforms.Normalize((mean,), (std,)))
    transform = transforms.Compose(steps)
    torch.set_num_threads(1)
    torch.manual_seed(seed)
    model = Net("sigmoid", 0.0)
    # The runner's flat layout: fc1.weight [out, in] row-major, fc1.bias, fc2.weight, ...
    parts = []
    for fc in (model.fc1, model.fc2, model.fc3):
        parts += [fc.weight.detach().numpy().ravel(), fc.bias.detach().numpy().ravel()]
    np.concatenate(parts).astype(np.float32).tofile(init_file)
    root = mnist_root("data/mnist")
    train_set = datasets.MNIST(root=root, train=True, download=False, transform=transform)
    test_set = datasets.MNIST(root=root, train=False, transform=transform)
    train_loader = torch.utils.data.DataLoader(train_set, batch_size=32, shuffle=False)
    test_loader = torch.utils.data.DataLoader(test_set, batch_size=32, shuffle=False)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.5, weight_decay=weight_decay, nesterov=nesterov)
    scheduler = None
    m = re.fullmatch(r"step\(step_size=(\d+),gamma=([0-9.e-]+)\)", schedule)
    if m:
        scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=int(m.group(1)), gamma=float(m.group(2)))
    m = re.fullmatch(r"cosine\(eta_min=([0-9.e-]+)\)", schedule)
    if m:
        scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs, eta_min=float(m.group(1)))
    criterion = torch.nn.CrossEntropyLoss()
    for epoch in range(1, epochs + 1):
        train(model, train_loader, optimizer, criterion)
        print("PyTorch: epoch %d test accuracy %.2f%%" % (epoch, evaluate(model, test_loader, criterion)[2]))
        if scheduler:
            scheduler.step()


if __name__ == "__main__":
    main()
