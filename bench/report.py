#!/usr/bin/env python3
"""Prints the tables of results/REPORT.md: the runner's comparison sweep (results/comparison)
beside the seed's PyTorch program run on the same machine (results/pytorch/*.csv).

    python3 bench/report.py > /tmp/tables.md
"""
import csv
import os
import sys

ROOT = os.path.join(os.path.dirname(__file__), "..", "results")


def read_csv(path):
    with open(path) as f:
        return list(csv.DictReader(f))


def main():
    with open(os.path.join(ROOT, "comparison", "plan.tsv")) as f:
        plan = list(csv.DictReader(f, delimiter="\t"))
    runs = []
    for row in plan:
        ours = read_csv(os.path.join(ROOT, "comparison", row["id"], "metrics.csv"))
        torch_path = os.path.join(ROOT, "pytorch", row["name"] + ".csv")
        torch = read_csv(torch_path) if os.path.exists(torch_path) else []
        runs.append((row, ours, torch))

    def f(x, fmt):
        return format(float(x), fmt) if x not in (None, "") else "–"

    print("| run | runner final acc | runner best acc | runner final test loss | PyTorch final acc | "
          "PyTorch best acc | PyTorch final test loss | PyTorch printed loss |")
    print("|---|---|---|---|---|---|---|---|")
    for row, ours, torch in runs:
        last, tlast = ours[-1], (torch[-1] if torch else {})
        best = max(float(r["test_accuracy"]) for r in ours)
        tbest = max(float(r["test_accuracy"]) for r in torch) if torch else None
        print(f"| `{row['name']}` | {f(last['test_accuracy'], '.2f')}% | {best:.2f}% | "
              f"{f(last['test_loss'], '.4f')} | {f(tlast.get('test_accuracy'), '.2f')}% | "
              f"{(format(tbest, '.2f') + '%') if tbest is not None else '–'} | {f(tlast.get('test_loss'), '.4f')} | "
              f"{f(tlast.get('seed_printed_loss'), '.6f')} |")
    print()
    epochs = max(len(o) for _, o, _ in runs)
    header = ["epoch"]
    for row, _, _ in runs:
        short = row["name"].replace("activation=", "").replace(",dropout=", " p=")
        header += [f"{short} runner", f"{short} PyTorch"]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for e in range(epochs):
        cells = [str(e + 1)]
        for _, ours, torch in runs:
            cells.append(f(ours[e]["test_accuracy"], ".2f") if e < len(ours) else "–")
            cells.append(f(torch[e]["test_accuracy"], ".2f") if e < len(torch) else "–")
        print("| " + " | ".join(cells) + " |")
    print()
    print("| run | runner train loss (epoch 1 → last) | PyTorch train loss (epoch 1 → last) | "
          "runner mean epoch s | PyTorch mean epoch s |")
    print("|---|---|---|---|---|")
    for row, ours, torch in runs:
        mean = sum(float(r["epoch_seconds"]) for r in ours) / len(ours)
        tmean = sum(float(r["epoch_seconds"]) for r in torch) / len(torch) if torch else None
        tl = f"{float(torch[0]['train_loss']):.4f} → {float(torch[-1]['train_loss']):.4f}" if torch else "–"
        print(f"| `{row['name']}` | {float(ours[0]['train_loss']):.4f} → {float(ours[-1]['train_loss']):.4f} | {tl} | "
              f"{mean:.1f} | {(format(tmean, '.1f')) if tmean else '–'} |")


if __name__ == "__main__":
    sys.exit(main())
