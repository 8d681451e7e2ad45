#!/usr/bin/env bash
# The test command: set-up (packages and data), a local one-node Slurm cluster when run as
# root (the job-array end-to-end test needs one), then the whole test suite.
#
#   scripts/test.sh [swift test options...]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# A real browser for the report test (Debian's chromium), when we may install packages.
if [ "$(id -u)" = 0 ] && ! command -v chromium >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null 2>&1 \
    || echo "test: chromium could not be installed; the report's browser test will be skipped" >&2
fi
# PyTorch (Debian's) and safetensors (PyPI, in a virtual environment that sees the system's
# packages) for the test that loads a run's model.safetensors in PyTorch.
if [ "$(id -u)" = 0 ] && ! /usr/bin/python3 -c "import torch, numpy" 2>/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-torch python3-numpy python3-venv >/dev/null 2>&1 \
    || echo "test: python3-torch could not be installed; the PyTorch model test will be skipped" >&2
fi
if [ ! -x .build/pyenv/bin/python ] && /usr/bin/python3 -c "import torch" 2>/dev/null; then
  /usr/bin/python3 -m venv --system-site-packages .build/pyenv >/dev/null 2>&1 \
    && .build/pyenv/bin/pip install -q "safetensors==0.8.0" >/dev/null 2>&1 \
    || echo "test: safetensors could not be installed from PyPI; the PyTorch model test will be skipped" >&2
fi
# Optuna (PyPI, pinned), for the test that checks TPE's Parzen estimators against Optuna's own.
if [ -x .build/pyenv/bin/python ] && ! .build/pyenv/bin/python -c "import optuna" 2>/dev/null; then
  .build/pyenv/bin/pip install -q "optuna==5.1.0" >/dev/null 2>&1 \
    || echo "test: optuna could not be installed from PyPI; the TPE-against-Optuna test will be skipped" >&2
fi
# TensorBoard, tbparse and MLflow (PyPI, pinned): the real readers the export test reads
# runner's TensorBoard event files and MLflow file store back with.
if [ -x .build/pyenv/bin/python ] && ! .build/pyenv/bin/python -c "import tensorboard, tbparse, mlflow" 2>/dev/null; then
  .build/pyenv/bin/pip install -q "tensorboard==2.21.0" "tbparse==0.0.9" "mlflow-skinny==3.17.2" >/dev/null 2>&1 \
    || echo "test: tensorboard/tbparse/mlflow could not be installed from PyPI; the exports' read-back will be skipped" >&2
fi
# scikit-learn's datasets as CSV (the committed runs on them keep their ids only on these bytes).
if [ -x .build/pyenv/bin/python ]; then
  scripts/fetch-sklearn-data.sh >/dev/null \
    || echo "test: scikit-learn's datasets could not be exported; their id test will be skipped" >&2
fi
if [ "$(id -u)" = 0 ] && [ "${RUNNER_SKIP_SLURM:-0}" != 1 ]; then
  if scripts/slurm-local.sh start; then
    export RUNNER_SLURM_TESTS=1
    # The binary a cluster's nodes would run (static Swift runtime), for the test that trains
    # with it on the local cluster.
    RUNNER_CLUSTER_BINARY="$(pwd)/$(scripts/build-cluster.sh)"
    export RUNNER_CLUSTER_BINARY
  else
    echo "test: the local Slurm cluster did not start; the job-array test will be skipped" >&2
  fi
else
  echo "test: not root (or RUNNER_SKIP_SLURM=1): no local Slurm cluster; the job-array test is skipped" >&2
fi
swift test "$@"
