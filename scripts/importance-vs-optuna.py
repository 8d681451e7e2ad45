#!/usr/bin/env python3
"""runner's parameter importances beside Optuna's, on the same trials.

Reads the JSON `runner importance RESULTS/NAME --json` prints (one file per argument, or
standard input), makes an Optuna study of its trials (each parameter with the distribution the
spec sampled it from, each trial COMPLETE with its figure) and prints, per parameter, runner's
importance, Optuna's `get_param_importances` with its default evaluator (PED-ANOVA: the same
method, so the same figures are expected) and with fANOVA over a random forest (another method:
only the ranking is compared). With --check, exits 1 if any PED-ANOVA figure differs from
Optuna's by more than 1e-9 (the suite's test uses this).

    .build/pyenv/bin/python scripts/importance-vs-optuna.py [--check] [--fanova-seeds N] FILE...
"""
import json
import sys
import warnings

import optuna
from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from optuna.importance import FanovaImportanceEvaluator, PedAnovaImportanceEvaluator, get_param_importances

optuna.logging.set_verbosity(optuna.logging.ERROR)
warnings.filterwarnings("ignore")


def study_of(doc):
    distributions = {}
    for p in doc["parameters"]:
        d = p["distribution"]
        if d["kind"] == "float":
            distributions[p["name"]] = FloatDistribution(d["low"], d["high"], log=d["log"])
        elif d["kind"] == "int":
            distributions[p["name"]] = IntDistribution(d["low"], d["high"], log=d["log"])
        else:
            distributions[p["name"]] = CategoricalDistribution(d["choices"])
    study = optuna.create_study(direction=doc["direction"])
    for t in doc["trials"]:
        study.add_trial(optuna.trial.create_trial(params=t["params"], distributions=distributions, value=t["value"]))
    return study


def ranks(values, names):
    order = sorted(names, key=lambda n: -values[n])
    return {n: i + 1 for i, n in enumerate(order)}


def kendall_tau(a, b, names):
    concordant = discordant = 0
    for i, x in enumerate(names):
        for y in names[i + 1:]:
            s = (a[x] - a[y]) * (b[x] - b[y])
            concordant += s > 0
            discordant += s < 0
    pairs = len(names) * (len(names) - 1) / 2
    return (concordant - discordant) / pairs if pairs else 1.0


def main(argv):
    check = "--check" in argv
    seeds = 5
    if "--fanova-seeds" in argv:
        seeds = int(argv[argv.index("--fanova-seeds") + 1])
    files = [a for i, a in enumerate(argv) if not a.startswith("--") and (i == 0 or argv[i - 1] != "--fanova-seeds")]
    docs = [json.load(open(f)) for f in files] if files else [json.load(sys.stdin)]
    worst = 0.0
    print(f"optuna {optuna.__version__}")
    for doc in docs:
        study = study_of(doc)
        names = [p["name"] for p in doc["parameters"]]
        ours = doc["importances"]
        ped = get_param_importances(study, evaluator=PedAnovaImportanceEvaluator())
        difference = max(abs(ours[n] - ped[n]) for n in names)
        worst = max(worst, difference)
        print(f"\n{doc.get('experiment', '?')}: {len(doc['trials'])} trials, {doc['direction']} {doc['metric']}"
              + (f" at epoch {doc['epoch']}" if doc.get("epoch") else ""))
        if check:
            print(f"  PED-ANOVA: largest difference from Optuna's {difference:.3g}")
            continue
        fanovas = [get_param_importances(study, evaluator=FanovaImportanceEvaluator(seed=s)) for s in range(seeds)]
        fanova = {n: sum(f[n] for f in fanovas) / seeds for n in names}
        print(f"  {'parameter':<14} {'runner':>8} {'Optuna PED-ANOVA':>17} {'Optuna fANOVA (mean of ' + str(seeds) + ' forests)':>36}")
        rr, fr = ranks(ours, names), ranks(fanova, names)
        for n in sorted(names, key=lambda n: -ours[n]):
            spread = f"{min(f[n] for f in fanovas):.3f}-{max(f[n] for f in fanovas):.3f}"
            print(f"  {n:<14} {ours[n]:8.3f} {ped[n]:17.3f} {fanova[n]:10.3f} (forests {spread}, rank {fr[n]})")
        top_same = min(names, key=lambda n: rr[n]) == min(names, key=lambda n: fr[n])
        print(f"  PED-ANOVA: largest difference from Optuna's {difference:.3g}; "
              f"against fANOVA: same most important parameter: {'yes' if top_same else 'no'}, "
              f"Kendall's tau of the rankings {kendall_tau(ours, fanova, names):+.2f}")
    if check and worst > 1e-9:
        print(f"FAIL: runner's PED-ANOVA differs from Optuna's by {worst:.3g}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
