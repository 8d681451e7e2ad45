"""Optuna's side of scripts/bench-search.sh: TPESampler (its defaults) or RandomSampler on one of
runner's test functions, the objective evaluated by runner's own code (`runner-bench objective
FUNCTION`, one process kept open, a point a line), so both sides minimise the same function.
Prints, per repetition, the best value after 25, 50 and TRIALS trials, as `runner-bench search`
does.

    python bench/optuna_search.py BENCH FUNCTION tpe|random REPS TRIALS
"""
import subprocess
import sys

import optuna

# The spaces of runner-bench's functions (SearchBench.functions), as Optuna distributions.
SPACES = {
    "branin": [("x1", "float", -5.0, 10.0, False), ("x2", "float", 0.0, 15.0, False)],
    "hartmann6": [(f"x{i}", "float", 0.0, 1.0, False) for i in range(6)],
    "mixed": [("x", "float", 0.0, 1.0, False), ("y", "float", 0.0, 1.0, False),
              ("n", "int", 1, 100, True), ("c", "cat", 4, None, None)],
}


def main():
    bench, name, sampler_name, reps, trials = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    objective_process = subprocess.Popen([bench, "objective", name], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         text=True, bufsize=1)

    def evaluate(point):
        objective_process.stdin.write(" ".join(repr(float(v)) for v in point) + "\n")
        objective_process.stdin.flush()
        return float(objective_process.stdout.readline())

    def objective(trial):
        point = []
        for key, kind, low, high, log in SPACES[name]:
            if kind == "float":
                point.append(trial.suggest_float(key, low, high, log=log))
            elif kind == "int":
                point.append(trial.suggest_int(key, low, high, log=log))
            else:
                point.append(trial.suggest_categorical(key, list(range(low))))
        return evaluate(point)

    for rep in range(reps):
        sampler = optuna.samplers.TPESampler(seed=rep) if sampler_name == "tpe" else optuna.samplers.RandomSampler(seed=rep)
        study = optuna.create_study(direction="minimize", sampler=sampler)
        study.optimize(objective, n_trials=trials)
        values = [t.value for t in study.trials]
        print(f"rep={rep} best25={min(values[:25]):.6f} best50={min(values[:50]):.6f} best{trials}={min(values):.6f}", flush=True)
    objective_process.stdin.close()
    objective_process.wait()


if __name__ == "__main__":
    main()
