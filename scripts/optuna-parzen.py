#!/usr/bin/env python3
"""Optuna's own Parzen estimator (optuna.samplers._tpe.parzen_estimator, TPESampler's defaults) on
the observations and points a test gives as JSON on standard input; prints the log density at
each point, one a line. The reference runner's ParzenEstimator is checked against
(Tests/ExperimentsTests/TPETests.swift).

    {"space": [["float", low, high, log] | ["int", low, high, log] | ["cat", count]],
     "observations": [[...], ...], "points": [[...], ...]}
"""
import json
import sys

import numpy as np
from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from optuna.samplers._tpe.parzen_estimator import _ParzenEstimator, _ParzenEstimatorParameters
from optuna.samplers._tpe.sampler import default_weights

# Ties: Optuna sorts observations with numpy's default argsort (quicksort: tied values in an
# order the implementation picks), and a tied pair's two bandwidths go to whichever comes first.
# runner breaks ties by trial order; a stable sort here makes Optuna do the same, so the check
# compares the estimators, not numpy's tie order.
_argsort = np.argsort
np.argsort = lambda a, *args, **kwargs: _argsort(a, *args, **{**kwargs, "kind": "stable"})

request = json.load(sys.stdin)
space = {}
for i, d in enumerate(request["space"]):
    if d[0] == "float":
        space[f"p{i}"] = FloatDistribution(d[1], d[2], log=d[3])
    elif d[0] == "int":
        space[f"p{i}"] = IntDistribution(d[1], d[2], log=d[3])
    else:
        space[f"p{i}"] = CategoricalDistribution(list(range(d[1])))
columns = lambda rows: {f"p{i}": np.array([r[i] for r in rows], dtype=float) for i in range(len(space))}
parameters = _ParzenEstimatorParameters(prior_weight=1.0, consider_magic_clip=True, consider_endpoints=False,
                                        weights=default_weights, multivariate=True)
estimator = _ParzenEstimator(columns(request["observations"]), space, parameters)
for value in estimator.log_pdf(columns(request["points"])):
    print(repr(float(value)))
