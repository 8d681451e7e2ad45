#!/usr/bin/python3
"""The seed blog post's PyTorch program, runnable as the reference for numbers and speed.

The model, optimiser, data pipeline and loop are the post's (784-512-256-10 MLP, dropout after
each hidden activation, SGD lr 0.01 momentum 0.5, batch 32, ToTensor() pixels, log_softmax +
CrossEntropyLoss, shuffled DataLoader). Added around it: command-line choices for the activation,
dropout, epochs, seed and threads, reading MNIST from the runner's data/ folder (no download), and
a CSV with the same columns as the runner's metrics.csv.

    /usr/bin/python3 bench/pytorch_seed.py --activation relu --dropout 0.5 --epochs 20 \
        --out results/pytorch/relu_dropout.csv

Columns: epoch, train_loss (mean over the epoch's training examples, with dropout on),
test_loss (true mean over the test set), seed_printed_loss (the post's figure: the sum of batch
means divided by the number of examples, about 1/32 of the mean), test_accuracy (%), epoch_seconds.
"""
import argparse
import os
import sys
import tempfile
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
from torchvision import datasets, transforms


def mnist_root(data_dir):
    """A folder laid out as torchvision's MNIST expects (MNIST/raw/...), linking to data_dir."""
    root = tempfile.mkdtemp(prefix="pytorch-seed-")
    raw = os.path.join(root, "MNIST", "raw")
    os.makedirs(raw)
    for name in ("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                 "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"):
        src = os.path.abspath(os.path.join(data_dir, name))
        if not os.path.exists(src):
            sys.exit(f"{src}: missing; run scripts/fetch-data.sh")
        os.symlink(src, os.path.join(raw, name))
    return root


class Net(nn.Module):
    """The post's network; with batch_norm, the book chapter's (BatchNorm1d after each hidden
    Linear, before the activation: Linear, BN, activation, dropout)."""
    def __init__(self, activation, dropout_prob, batch_norm=False):
        super(Net, self).__init__()
        self.fc1 = nn.Linear(28 * 28, 512)
        self.fc2 = nn.Linear(512, 256)
        self.fc3 = nn.Linear(256, 10)
        self.dropout_prob = dropout_prob
        self.batch_norm = batch_norm
        if batch_norm:
            self.batch_norm1 = nn.BatchNorm1d(512)
            self.batch_norm2 = nn.BatchNorm1d(256)
        self.act = {"sigmoid": torch.sigmoid, "relu": F.relu, "tanh": torch.tanh}[activation]

    def forward(self, x):
        x = x.view(-1, 28 * 28)
        x = self.fc1(x)
        if self.batch_norm:
            x = self.batch_norm1(x)
        x = self.act(x)
        x = F.dropout(x, training=self.training, p=self.dropout_prob)
        x = self.fc2(x)
        if self.batch_norm:
            x = self.batch_norm2(x)
        x = self.act(x)
        x = F.dropout(x, training=self.training, p=self.dropout_prob)
        x = self.fc3(x)
        x = F.log_softmax(x, dim=1)
        return x


def train(model, train_loader, optimizer, criterion, max_batches=None, after_step=None):
    model.train()
    total, count = 0.0, 0
    for batch_idx, (image, label) in enumerate(train_loader):
        if max_batches is not None and batch_idx >= max_batches:
            break
        optimizer.zero_grad()
        output = model(image)
        loss = criterion(output, label)
        loss.backward()
        optimizer.step()
        if after_step:
            after_step()
        total += loss.item() * len(image)
        count += len(image)
    return total / count


def evaluate(model, test_loader, criterion):
    model.eval()
    test_loss = 0.0       # the post's figure: sum of batch means
    summed = 0.0          # sum of per-example losses
    correct = 0
    with torch.no_grad():
        for image, label in test_loader:
            output = model(image)
            test_loss += criterion(output, label).item()
            summed += F.nll_loss(output, label, reduction="sum").item()
            prediction = output.max(1, keepdim=True)[1]
            correct += prediction.eq(label.view_as(prediction)).sum().item()
    n = len(test_loader.dataset)
    return summed / n, test_loss / n, 100.0 * correct / n


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--activation", default="sigmoid", choices=["sigmoid", "relu", "tanh"])
    ap.add_argument("--dropout", type=float, default=0.5)
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--batch-norm", action="store_true", help="the chapter's BatchNorm1d layers")
    ap.add_argument("--init", default="default", choices=["default", "kaiming_uniform"],
                    help="kaiming_uniform: the chapter's weight_init (init.kaiming_uniform_ on Linear weights)")
    ap.add_argument("--optimizer", default="sgd", choices=["sgd", "adam"])
    ap.add_argument("--lr", type=float, default=0.01)
    ap.add_argument("--momentum", type=float, default=0.5, help="SGD only")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--data", default="data/mnist")
    ap.add_argument("--out", help="CSV to write (default: stdout only)")
    ap.add_argument("--max-batches", type=int, help="stop each epoch after N batches (benchmarks)")
    ap.add_argument("--no-eval", action="store_true", help="skip evaluation (benchmarks)")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    root = mnist_root(args.data)
    batch_size = 32
    train_dataset = datasets.MNIST(root=root, train=True, download=False, transform=transforms.ToTensor())
    test_dataset = datasets.MNIST(root=root, train=False, transform=transforms.ToTensor())
    train_loader = torch.utils.data.DataLoader(dataset=train_dataset, batch_size=batch_size, shuffle=True)
    test_loader = torch.utils.data.DataLoader(dataset=test_dataset, batch_size=batch_size, shuffle=False)

    model = Net(args.activation, args.dropout, args.batch_norm)
    if args.init == "kaiming_uniform":
        # The chapter's notebook: model.apply(weight_init), weights only, nn.init's defaults.
        def weight_init(m):
            if isinstance(m, nn.Linear):
                nn.init.kaiming_uniform_(m.weight.data)
        model.apply(weight_init)
    if args.optimizer == "adam":
        optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    else:
        optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=args.momentum)
    criterion = nn.CrossEntropyLoss()

    rows = ["epoch,train_loss,test_loss,seed_printed_loss,test_accuracy,epoch_seconds"]
    for epoch in range(1, args.epochs + 1):
        start = time.perf_counter()
        train_loss = train(model, train_loader, optimizer, criterion, args.max_batches)
        train_seconds = time.perf_counter() - start
        if args.no_eval:
            print(f"epoch {epoch} train_seconds {train_seconds:.4f}", flush=True)
            continue
        test_loss, printed, accuracy = evaluate(model, test_loader, criterion)
        seconds = time.perf_counter() - start
        rows.append(f"{epoch},{train_loss:.6f},{test_loss:.6f},{printed:.6f},{accuracy:.2f},{seconds:.3f}")
        print(f"[EPOCH: {epoch}], \tTest Loss: {printed:4f}, \tTest Accuracy: {accuracy:1f} % "
              f"\t(mean test loss {test_loss:.4f}, {seconds:.1f} s)", flush=True)
        if args.out:
            os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
            with open(args.out + ".tmp", "w") as f:
                f.write("\n".join(rows) + "\n")
            os.replace(args.out + ".tmp", args.out)


if __name__ == "__main__":
    main()
