import Experiments
import Foundation

/// The results layout of one experiment:
///
///     results/<experiment>/<run-id>/config.json   the run's resolved parameters, id and name
///                                  /metrics.csv   one row per finished epoch
///                                  /status.json   running | done | diverged | failed, with timings
///
/// Every file is replaced atomically, so a reader never sees a half-written one.
public struct RunStore: Sendable {
    /// `results/<experiment>`.
    public let directory: String

    public init(resultsRoot: String, experiment: String) {
        directory = (resultsRoot as NSString).appendingPathComponent(experiment)
    }

    /// The folder of one run.
    public func path(of run: Run) -> String { (directory as NSString).appendingPathComponent(run.id) }

    /// True when `run` finished earlier with exactly this config.
    public func isDone(_ run: Run) -> Bool {
        let dir = path(of: run)
        guard let status = try? String(contentsOfFile: dir + "/status.json", encoding: .utf8),
              status.contains("\"status\": \"done\""),
              let config = try? String(contentsOfFile: dir + "/config.json", encoding: .utf8) else { return false }
        return config == RunStore.configJSON(run)
    }

    /// Creates the run's folder and writes its config and a `running` status.
    public func begin(_ run: Run) throws(AtomicFile.WriteError) -> RunRecorder {
        let dir = path(of: run)
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        } catch {
            throw AtomicFile.WriteError(path: dir, reason: "cannot create the folder")
        }
        try AtomicFile.write(RunStore.configJSON(run), to: dir + "/config.json")
        let recorder = RunRecorder(directory: dir)
        try recorder.write(status: "running", reason: nil)
        return recorder
    }

    /// The text of a run's config.json.
    static func configJSON(_ run: Run) -> String {
        "{\n  \"id\": \(JSON.quote(run.id)),\n  \"name\": \(JSON.quote(run.name)),\n"
            + "  \"config\": \(Run.json(of: run.config))\n}\n"
    }
}

/// Records one run's progress: the metrics so far and its status.
public final class RunRecorder {
    public let directory: String
    public private(set) var rows: [EpochMetrics] = []
    private let started = Date()

    init(directory: String) { self.directory = directory }

    /// Adds an epoch and rewrites `metrics.csv` with every epoch so far.
    public func append(_ metrics: EpochMetrics) throws(AtomicFile.WriteError) {
        rows.append(metrics)
        let text = ([EpochMetrics.csvHeader] + rows.map(\.csvRow)).joined(separator: "\n") + "\n"
        try AtomicFile.write(text, to: directory + "/metrics.csv")
    }

    /// Writes `status.json`: the state, an optional reason, epochs done and elapsed seconds.
    public func write(status: String, reason: String?) throws(AtomicFile.WriteError) {
        let seconds = Date().timeIntervalSince(started)
        var fields = ["\"status\": \(JSON.quote(status))"]
        if let reason { fields.append("\"reason\": \(JSON.quote(reason))") }
        fields.append("\"epochs_done\": \(rows.count)")
        fields.append("\"seconds\": " + String(format: "%.3f", seconds))
        fields.append("\"updated\": \(JSON.quote(ISO8601DateFormatter().string(from: Date())))")
        try AtomicFile.write("{\n  " + fields.joined(separator: ",\n  ") + "\n}\n", to: directory + "/status.json")
    }
}
