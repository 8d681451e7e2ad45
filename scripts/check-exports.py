#!/usr/bin/env python3
"""Reads runner's exports back with the real tools' readers and compares them with the results.

    check-exports.py RESULTS/NAME TENSORBOARD_DIR MLRUNS_DIR

TensorBoard: every run's scalars through tensorboard's EventAccumulator (each metrics.csv
column a tag, each epoch a step, each value equal to the CSV's as a float32, TensorBoard's
scalar type) and its HParams plugin data through tbparse (every parameter of summary.csv, the
same value; the seed group) plus the experiment's HParams config. MLflow: mlflow.search_runs
and MlflowClient.get_metric_history on the file store (every parameter, every metric's
history equal to metrics.csv, the tags). Prints what it checked; exits 1 on any difference.
"""
import csv
import math
import os
import sys
import warnings

warnings.filterwarnings("ignore")
os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
# MLflow 3 keeps its file store in maintenance mode and asks for this to read one.
os.environ.setdefault("MLFLOW_ALLOW_FILE_STORE", "true")

import numpy as np
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
from tensorboard.plugins.hparams import plugin_data_pb2
import tbparse
import mlflow
from mlflow.tracking import MlflowClient

problems = []


def problem(text):
    problems.append(text)
    print("MISMATCH: " + text)


def main(results, tb_dir, mlruns):
    with open(os.path.join(results, "summary.csv")) as f:
        summary = {row["id"]: row for row in csv.DictReader(f)}
    runs = {}
    for run_id, row in summary.items():
        path = os.path.join(results, run_id, "metrics.csv")
        if not os.path.exists(os.path.join(results, run_id, "status.json")):
            continue
        with open(path) as f:
            runs[run_id] = list(csv.DictReader(f)) if os.path.exists(path) else []
    # The parameters: summary.csv's columns between the name and the status.
    with open(os.path.join(results, "summary.csv")) as f:
        header = next(csv.reader(f))
    keys = header[header.index("name") + 1:header.index("status")]
    params = {run_id: {k: summary[run_id][k] for k in keys} for run_id in runs}
    experiment = os.path.basename(os.path.normpath(results))

    # TensorBoard: scalars with EventAccumulator, hparams with tbparse.
    root = os.path.join(tb_dir, experiment)
    folders = {d.split("-", 1)[0]: os.path.join(root, d) for d in os.listdir(root) if os.path.isdir(os.path.join(root, d))}
    scalars = 0
    for run_id, rows in runs.items():
        if run_id not in folders:
            problem(f"tensorboard: no folder for run {run_id}")
            continue
        ea = EventAccumulator(folders[run_id], size_guidance={"scalars": 0, "tensors": 0})
        ea.Reload()
        tags = set(ea.Tags()["scalars"])
        for column in (rows[0].keys() if rows else []):
            if column == "epoch":
                continue
            expected = [(int(r["epoch"]), float(r[column])) for r in rows if r[column] != ""]
            if not expected:
                if column in tags:
                    problem(f"tensorboard: {run_id} has a {column} series where metrics.csv has none")
                continue
            if column not in tags:
                problem(f"tensorboard: {run_id} lacks the scalar {column}")
                continue
            got = [(e.step, e.value) for e in ea.Scalars(column)]
            want = [(s, float(np.float32(v))) for s, v in expected]
            if got != want:
                problem(f"tensorboard: {run_id} {column}: {got[:3]}... vs metrics.csv {want[:3]}...")
            scalars += len(got)
    reader = tbparse.SummaryReader(root, extra_columns={"dir_name"})
    hp = reader.hparams
    checked_hparams = 0
    for run_id, folder in folders.items():
        if run_id not in runs:
            continue
        mine = hp[hp["dir_name"] == os.path.basename(folder)]
        values = dict(zip(mine["tag"], mine["value"]))
        for key, value in params[run_id].items():
            if key not in values:
                problem(f"tensorboard hparams: {run_id} lacks {key}")
            elif str(values[key]) != value and not (isinstance(values[key], float) and math.isclose(values[key], float(value))):
                problem(f"tensorboard hparams: {run_id} {key} = {values[key]!r}, summary.csv says {value!r}")
            else:
                checked_hparams += 1
        ea = EventAccumulator(folder, size_guidance={"tensors": 0})
        ea.Reload()
        content = ea.PluginTagToContent("hparams")
        start = plugin_data_pb2.HParamsPluginData.FromString(content["_hparams_/session_start_info"])
        if not start.session_start_info.group_name:
            problem(f"tensorboard hparams: {run_id} has no session group")
    ea = EventAccumulator(root, size_guidance={"tensors": 0})
    ea.Reload()
    exp = plugin_data_pb2.HParamsPluginData.FromString(ea.PluginTagToContent("hparams")["_hparams_/experiment"]).experiment
    print(f"tensorboard: {len(runs)} runs, {scalars} scalars equal to metrics.csv, {checked_hparams} parameters equal to "
          f"summary.csv; the experiment lists hparams {[h.name for h in exp.hparam_infos]} and "
          f"metrics {[m.name.tag for m in exp.metric_infos]}")

    # TensorBoard's own server: its HParams plugin lists every run with its final metrics.
    hparams_tab(tb_dir, runs, experiment)

    # MLflow: the file store through its client.
    mlflow.set_tracking_uri("file://" + os.path.abspath(mlruns))
    client = MlflowClient()
    found = mlflow.search_runs(experiment_names=[experiment], output_format="list", max_results=100000)
    by_runner = {r.data.tags.get("runner.run_id"): r for r in found}
    history_points = 0
    for run_id, rows in runs.items():
        r = by_runner.get(run_id)
        if r is None:
            problem(f"mlflow: no run tagged runner.run_id={run_id}")
            continue
        for key, value in params[run_id].items():
            if r.data.params.get(key) != value:
                problem(f"mlflow: {run_id} param {key} = {r.data.params.get(key)!r}, summary.csv says {value!r}")
        if r.data.tags.get("runner.status") != summary[run_id]["status"]:
            problem(f"mlflow: {run_id} status tag {r.data.tags.get('runner.status')!r} vs {summary[run_id]['status']!r}")
        if r.info.run_name != summary[run_id]["name"]:
            problem(f"mlflow: {run_id} run name {r.info.run_name!r} vs {summary[run_id]['name']!r}")
        for column in (rows[0].keys() if rows else []):
            if column == "epoch":
                continue
            expected = [(int(x["epoch"]), float(x[column])) for x in rows if x[column] != ""]
            got = sorted((m.step, m.value) for m in client.get_metric_history(r.info.run_id, column))
            if got != expected:
                problem(f"mlflow: {run_id} {column}: {got[:3]}... vs metrics.csv {expected[:3]}...")
            history_points += len(got)
    print(f"mlflow {mlflow.__version__}: {len(found)} runs in experiment {experiment!r}, {history_points} metric points equal to "
          f"metrics.csv, every parameter of summary.csv present and equal")
    return 1 if problems else 0


def hparams_tab(tb_dir, runs, experiment):
    """Starts `tensorboard --logdir` on a free port and asks its HParams plugin for the session
    groups, as the HParams tab does: every run a session, its final metrics equal to the CSV's."""
    import json
    import socket
    import subprocess
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    tensorboard = os.path.join(os.path.dirname(sys.executable), "tensorboard")
    import tempfile
    log = tempfile.TemporaryFile()
    server = subprocess.Popen([tensorboard, "--logdir", tb_dir, "--port", str(port), "--host", "127.0.0.1"],
                              stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
    try:
        body = json.dumps({"experimentName": "", "allowedStatuses": ["STATUS_SUCCESS", "STATUS_UNKNOWN", "STATUS_FAILURE",
                           "STATUS_RUNNING"], "colParams": [], "startIndex": 0, "sliceSize": 100000}).encode()
        groups = None
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and server.poll() is None:
            try:
                request = urllib.request.Request(f"http://127.0.0.1:{port}/data/plugin/hparams/session_groups", data=body,
                                                 headers={"Content-Type": "application/json"})
                groups = json.load(urllib.request.urlopen(request, timeout=5))["sessionGroups"]
                if sum(len(g["sessions"]) for g in groups) >= len(runs):
                    break
            except OSError:
                pass
            time.sleep(0.5)
        if groups is None:
            log.seek(0)
            problem("tensorboard server: the HParams plugin never answered; its log:\n" + log.read().decode(errors="replace")[-2000:])
            return
        sessions = {os.path.basename(x["name"]).split("-", 1)[0]: x for g in groups for x in g["sessions"]}
        for run_id, rows in runs.items():
            session = sessions.get(run_id)
            if session is None:
                problem(f"tensorboard server: the HParams tab lacks run {run_id}")
                continue
            final = {m["name"]["tag"]: m["value"] for m in session["metricValues"]}
            for column in ("test_accuracy", "test_loss", "test_rmse"):
                if rows and rows[-1].get(column, "") != "" and final.get(column) != float(np.float32(rows[-1][column])):
                    problem(f"tensorboard server: {run_id} final {column} {final.get(column)} vs metrics.csv {rows[-1][column]}")
        print(f"tensorboard server: the HParams tab lists {len(sessions)} sessions in {len(groups)} groups, "
              f"final metrics equal to metrics.csv")
    finally:
        # SIGKILL to its whole group (its data server too): a parent that ignores SIGTERM, as
        # a test runner may, passes that on to the server.
        import signal
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
