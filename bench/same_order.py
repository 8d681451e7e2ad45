#!/usr/bin/python3
"""The engines compared example for example: PyTorch's initial weights (seed S) are written to a
file the runner's engine loads, and both train the seed's network without dropout on the
training set in file order (no shuffling), then report test accuracy after each epoch. Equal
figures mean the two compute the same training; run by scripts/same-order.sh.

    /usr/bin/python3 bench/same_order.py INIT_FILE [key=value ...]

Keys (defaults in brackets): seed [1], epochs [1], activation [sigmoid], lr [0.01],
optimizer [sgd] (sgd, adam, adamw), weight_decay [0; adamw: 0.01], nesterov [false],
schedule [constant] (the runner's canonical spelling: step(step_size=1,gamma=0.5) for StepLR,
cosine(eta_min=0.001) for CosineAnnealingLR with T_max = epochs, stepped after each epoch),
normalize [none] (mean/std such as 0.1307/0.3081: transforms.Normalize after ToTensor()),
batch_norm [false] (BatchNorm1d after each hidden Linear, as bench/pytorch_seed.py's Net),
train_subset [all] (the first N training examples only), dump [none] (a file for the final
parameters in the runner's flat layout, to compare numbers rather than accuracies), threads [1]
(PyTorch's; 2 sums in another order: PyTorch against itself, the size of rounding's effect),
nudge [false] (move every initial parameter one float up after writing INIT_FILE: how far a
rounding-sized difference at the start grows); the dropout paper's recipe: schedule also
exponential(gamma=G) (ExponentialLR), linear(final_factor=F,epochs=N,begin=B) (pylearn2's
LinearDecayOverEpoch, as LambdaLR per epoch) and inverse_t(half_life=H) (deepnet's, LambdaLR
stepped after every batch); momentum_schedule [constant] linear(end=M,epochs=N,begin=B) (the
optimizer's momentum set before each epoch) or exponential(end=M,steps=S) (before each step);
max_norm [none] (C, or C1/C2/C3 per layer: torch.renorm_(W, 2, 0, C) on each Linear after
every step).
"""
import re
import os
import sys

import numpy as np
import torch
from torchvision import datasets, transforms

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pytorch_seed import Net, evaluate, mnist_root, train  # noqa: E402

DEFAULTS = {"seed": "1", "epochs": "1", "activation": "sigmoid", "lr": "0.01", "optimizer": "sgd",
            "weight_decay": None, "nesterov": "false", "schedule": "constant", "normalize": "none",
            "batch_norm": "false", "train_subset": "all", "dump": "", "threads": "1", "nudge": "false",
            "momentum_schedule": "constant", "max_norm": "none"}


def flat(model):
    """The parameters in the runner's flat layout: fc1.weight [out, in] row-major, fc1.bias,
    fc2.weight, ..., then each batch norm's weight and bias."""
    parts = []
    for fc in (model.fc1, model.fc2, model.fc3):
        parts += [fc.weight.detach().numpy().ravel(), fc.bias.detach().numpy().ravel()]
    if model.batch_norm:
        for bn in (model.batch_norm1, model.batch_norm2):
            parts += [bn.weight.detach().numpy().ravel(), bn.bias.detach().numpy().ravel()]
    return np.concatenate(parts).astype(np.float32)


def options(argv):
    opts = dict(DEFAULTS)
    for arg in argv:
        key, _, value = arg.partition("=")
        if key not in opts or not value:
            sys.exit(f"same_order.py: unknown or empty option '{arg}'; keys: {', '.join(DEFAULTS)}")
        opts[key] = value
    return opts


def main():
    init_file = sys.argv[1]
    o = options(sys.argv[2:])
    seed, epochs, lr = int(o["seed"]), int(o["epochs"]), float(o["lr"])
    steps = [transforms.ToTensor()]
    if o["normalize"] != "none":
        mean, std = (float(v) for v in o["normalize"].split("/"))
        steps.append(transforms.Normalize((mean,), (std,)))
    transform = transforms.Compose(steps)
    torch.set_num_threads(int(o["threads"]))
    torch.manual_seed(seed)
    model = Net(o["activation"], 0.0, o["batch_norm"] == "true")
    flat(model).tofile(init_file)
    if o["nudge"] == "true":
        with torch.no_grad():
            for q in model.parameters():
                q.copy_(torch.nextafter(q, torch.full_like(q, float("inf"))))
    root = mnist_root("data/mnist")
    train_set = datasets.MNIST(root=root, train=True, download=False, transform=transform)
    if o["train_subset"] != "all":
        train_set = torch.utils.data.Subset(train_set, range(int(o["train_subset"])))
    test_set = datasets.MNIST(root=root, train=False, transform=transform)
    train_loader = torch.utils.data.DataLoader(train_set, batch_size=32, shuffle=False)
    test_loader = torch.utils.data.DataLoader(test_set, batch_size=32, shuffle=False)
    kind = o["optimizer"]
    decay = float(o["weight_decay"]) if o["weight_decay"] is not None else (0.01 if kind == "adamw" else 0.0)
    if kind == "sgd":
        optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.5, weight_decay=decay,
                                    nesterov=o["nesterov"] == "true")
    elif kind == "adam":
        optimizer = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=decay)
    else:
        optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=decay)
    scheduler = None
    schedule = o["schedule"]
    m = re.fullmatch(r"step\(step_size=(\d+),gamma=([0-9.e-]+)\)", schedule)
    if m:
        scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=int(m.group(1)), gamma=float(m.group(2)))
    m = re.fullmatch(r"cosine\(eta_min=([0-9.e-]+)\)", schedule)
    if m:
        scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs, eta_min=float(m.group(1)))
    m = re.fullmatch(r"exponential\(gamma=([0-9.e-]+)\)", schedule)
    if m:
        scheduler = torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=float(m.group(1)))
    m = re.fullmatch(r"linear\(final_factor=([0-9.e-]+),epochs=(\d+),begin=(\d+)\)", schedule)
    if m:  # pylearn2: lr − (lr − lr·F)/N · k, k = epoch − begin (epoch 1-based: last_epoch + 1), lr·F from N on
        f, n, begin = float(m.group(1)), int(m.group(2)), int(m.group(3))
        scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda t: f if max(t + 1 - begin, 0) >= n
                                                      else (lr - (lr - lr * f) / n * max(t + 1 - begin, 0)) / lr)
    step_scheduler = None
    m = re.fullmatch(r"inverse_t\(half_life=([0-9.e-]+)\)", schedule)
    if m:  # deepnet: lr / (1 + t / h) for the t-th step from 0
        h = float(m.group(1))
        step_scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda t: 1 / (1 + t / h))
    momentum_of_epoch, momentum_of_step = None, None
    m = re.fullmatch(r"linear\(end=([0-9.e-]+),epochs=(\d+),begin=(\d+)\)", o["momentum_schedule"])
    if m:  # pylearn2's MomentumAdjustor
        end, n, begin = float(m.group(1)), int(m.group(2)), int(m.group(3))
        momentum_of_epoch = lambda e: 0.5 * (1 - min(max((e - begin) / n, 0), 1)) + min(max((e - begin) / n, 0), 1) * end
    m = re.fullmatch(r"exponential\(end=([0-9.e-]+),steps=([0-9.e-]+)\)", o["momentum_schedule"])
    if m:  # deepnet's GetMomentumAndEpsilon
        end, s = float(m.group(1)), float(m.group(2))
        momentum_of_step = lambda t: end - (end - 0.5) * np.exp(-t / s)
    limits = None
    if o["max_norm"] != "none":
        limits = [float(v) for v in o["max_norm"].split("/")]
        limits = limits * 3 if len(limits) == 1 else limits
    step_count = [0]

    def after_step():
        if limits:
            with torch.no_grad():
                for fc, c in zip((model.fc1, model.fc2, model.fc3), limits):
                    fc.weight.renorm_(2, 0, c)
        step_count[0] += 1
        if step_scheduler:
            step_scheduler.step()
        if momentum_of_step:
            for group in optimizer.param_groups:
                group["momentum"] = momentum_of_step(step_count[0])

    if momentum_of_step:
        for group in optimizer.param_groups:
            group["momentum"] = momentum_of_step(0)
    criterion = torch.nn.CrossEntropyLoss()
    for epoch in range(1, epochs + 1):
        if momentum_of_epoch:
            for group in optimizer.param_groups:
                group["momentum"] = momentum_of_epoch(epoch)
        train(model, train_loader, optimizer, criterion, after_step=after_step)
        print("PyTorch: epoch %d test accuracy %.2f%%" % (epoch, evaluate(model, test_loader, criterion)[2]))
        if scheduler:
            scheduler.step()
    if o["dump"]:
        flat(model).tofile(o["dump"])


if __name__ == "__main__":
    main()
