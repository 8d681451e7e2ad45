import Crypto
import Foundation
import Results

/// `runner export --format mlflow`: an MLflow file store (the `mlruns/` folder MLflow's
/// `file:` tracking URI reads, and `mlflow ui --backend-store-uri` serves). One MLflow
/// experiment per runner experiment, one MLflow run per runner run: every parameter under
/// params/, every metrics.csv column's history under metrics/ (step = epoch, timestamp = when
/// the epoch ended), and tags: the run's name, runner's run id, its seed group, status and
/// the runner (with its commit) that trained it.
///
/// Ids are derived from runner's (the experiment's name, the run's id), so exporting again
/// writes the same files; only the experiment's own folder is written, so a store that holds
/// other experiments keeps them.
public struct MLflowExport: Sendable {
    public var runs: ExportedRuns
    public init(_ runs: ExportedRuns) { self.runs = runs }

    /// MLflow's experiment id for a runner experiment: 15 decimal digits of its name's SHA-256.
    static func experimentID(_ name: String) -> String {
        let digest = SHA256.hash(data: Data("runner experiment \(name)".utf8))
        let value = digest.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) } % 900_000_000_000_000 + 100_000_000_000_000
        return String(value)
    }

    /// MLflow's run id (32 hex digits, as its own uuid4 hex) for a runner run.
    static func runID(experiment: String, run: String) -> String {
        SHA256.hash(data: Data("runner run \(experiment)/\(run)".utf8)).prefix(16).map { String(format: "%02x", $0) }.joined()
    }

    /// MLflow's RunStatus numbers (FINISHED 3, FAILED 4, RUNNING 1, KILLED 5).
    static func status(_ status: String) -> Int {
        switch status {
        case "done", "stopped", "pruned": 3
        case "failed", "diverged", "damaged": 4
        case "running": 1
        default: 5
        }
    }

    static func quoted(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "''") + "'" }
    static func milliseconds(_ seconds: Double) -> Int64 { Int64((seconds * 1000).rounded()) }

    /// Writes the experiment into the store at `output` (created if need be); returns the
    /// experiment's folder.
    @discardableResult
    public func write(to output: String) throws -> String {
        let root = URL(fileURLWithPath: output).standardizedFileURL.path
        let experimentID = MLflowExport.experimentID(runs.experiment)
        let folder = (root as NSString).appendingPathComponent(experimentID)
        try AtomicFile.createDirectory(folder)
        let created = runs.runs.map(\.started).min() ?? 0
        let updated = runs.runs.compactMap { $0.epochEnds.last ?? $0.started }.max() ?? created
        try AtomicFile.write("""
            artifact_location: \(MLflowExport.quoted("file://" + folder))
            creation_time: \(MLflowExport.milliseconds(created))
            experiment_id: \(MLflowExport.quoted(experimentID))
            last_update_time: \(MLflowExport.milliseconds(updated))
            lifecycle_stage: active
            name: \(MLflowExport.quoted(runs.experiment))

            """, to: (folder as NSString).appendingPathComponent("meta.yaml"))
        for run in runs.runs {
            let id = MLflowExport.runID(experiment: runs.experiment, run: run.id)
            let dir = (folder as NSString).appendingPathComponent(id)
            for sub in ["params", "metrics", "tags", "artifacts"] {
                try AtomicFile.createDirectory((dir as NSString).appendingPathComponent(sub))
            }
            try AtomicFile.write("""
                artifact_uri: \(MLflowExport.quoted("file://" + dir + "/artifacts"))
                end_time: \(MLflowExport.milliseconds(run.epochEnds.last ?? run.started))
                entry_point_name: ''
                experiment_id: \(MLflowExport.quoted(experimentID))
                lifecycle_stage: active
                run_id: \(id)
                run_name: \(MLflowExport.quoted(run.name))
                run_uuid: \(id)
                source_name: ''
                source_type: 4
                source_version: ''
                start_time: \(MLflowExport.milliseconds(run.started))
                status: \(MLflowExport.status(run.status))
                tags: []
                user_id: runner

                """, to: (dir as NSString).appendingPathComponent("meta.yaml"))
            for (key, value) in run.parameters {
                try AtomicFile.write(value, to: (dir as NSString).appendingPathComponent("params/\(key)"))
            }
            var series: [String: String] = [:], order: [String] = []
            for (m, end) in zip(run.metrics, run.epochEnds) {
                for figure in m.namedFigures {
                    guard let value = figure.value else { continue }
                    if series[figure.name] == nil { order.append(figure.name) }
                    series[figure.name, default: ""] += "\(MLflowExport.milliseconds(end)) \(value) \(m.epoch)\n"
                }
            }
            for name in order {
                try AtomicFile.write(series[name]!, to: (dir as NSString).appendingPathComponent("metrics/\(name)"))
            }
            let commit = run.runner.flatMap { r in r.range(of: "commit ").map { String(r[$0.upperBound...].prefix { $0 != ")" }) } }
            var tags = ["mlflow.runName": run.name, "mlflow.user": "runner", "runner.run_id": run.id, "runner.group": run.group,
                        "runner.status": run.status, "runner.experiment": runs.experiment]
            if let runner = run.runner { tags["runner.version"] = runner }
            if let commit { tags["runner.commit"] = commit }
            for (key, value) in tags {
                try AtomicFile.write(value, to: (dir as NSString).appendingPathComponent("tags/\(key)"))
            }
        }
        return folder
    }
}
