import Experiments
import Foundation

/// The results layout of one experiment:
///
///     results/<experiment>/plan.tsv               the last plan run here (order of the summary)
///     results/<experiment>/summary.csv            one row per run (Reporting)
///     results/<experiment>/<run-id>/config.json   the run's resolved parameters, id and name
///                                  /metrics.csv   one row per finished epoch
///                                  /status.json   running | done | failed | diverged | interrupted
///                                  /checkpoint.bin  the state after the last finished epoch
///
/// Every file is replaced atomically (temporary file + rename), so a reader never sees a
/// half-written one. A run's folder is named by its id, so a changed config is a new folder
/// and nothing overwrites another config's results.
public struct RunStore: Sendable {
    /// `results/<experiment>`.
    public let directory: String

    public init(resultsRoot: String, experiment: String) {
        directory = (resultsRoot as NSString).appendingPathComponent(experiment)
    }

    public init(directory: String) { self.directory = directory }

    // MARK: - File names (the layout above, spelled once)

    public static let planFile = "plan.tsv"
    public static let summaryFile = "summary.csv"
    public static let configFile = "config.json"
    public static let metricsFile = "metrics.csv"
    public static let statusFile = "status.json"
    public static let checkpointFile = "checkpoint.bin"

    /// A file of the experiment's folder, e.g. `results/comparison/summary.csv`.
    public func file(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }

    /// A file of a run's folder, e.g. `results/comparison/<id>/metrics.csv`.
    public func file(_ name: String, ofID id: String) -> String {
        (path(ofID: id) as NSString).appendingPathComponent(name)
    }

    /// The folder of one run.
    public func path(of run: Run) -> String { path(ofID: run.id) }

    public func path(ofID id: String) -> String { (directory as NSString).appendingPathComponent(id) }

    /// The run's status record, if it has one.
    public func status(of run: Run) -> RunStatus? {
        guard hasSameConfig(run) else { return nil }
        return RunStatus.read(file(RunStore.statusFile, ofID: run.id))
    }

    /// True when `run` finished earlier with exactly this config.
    public func isDone(_ run: Run) -> Bool { status(of: run)?.state == .done }

    /// True when the folder's config.json holds exactly this run's config.
    public func hasSameConfig(_ run: Run) -> Bool {
        guard let text = try? String(contentsOfFile: file(RunStore.configFile, ofID: run.id), encoding: .utf8) else {
            return false
        }
        return text.contains("\"config\": \(Run.json(of: run.config))\n")
    }

    /// Writes the plan (the order `summary.csv` follows).
    public func writePlan(_ plan: Plan) throws(AtomicFile.WriteError) {
        try AtomicFile.createDirectory(directory)
        try AtomicFile.write(plan.tsv(), to: file(RunStore.planFile))
    }

    /// Marks a run failed with `reason`, keeping the rest of its status record (best effort:
    /// the failure may be the disk itself, so a write error is ignored).
    public func markFailed(_ run: Run, reason: String) {
        guard var status = status(of: run) else { return }
        status.state = .failed
        status.reason = reason
        status.updated = RunStatus.now()
        try? AtomicFile.write(status.json, to: file(RunStore.statusFile, ofID: run.id))
    }

    /// Opens the run's folder for (re)training: writes its config and returns a recorder
    /// that continues from `resume` (the rows of epochs already done, possibly none).
    public func begin(_ run: Run, resume rows: [EpochMetrics] = [], previous: RunStatus? = nil)
        throws(AtomicFile.WriteError) -> RunRecorder {
        let dir = path(of: run)
        try AtomicFile.createDirectory(dir)
        // Temporary files of a process that was killed mid-write: never a finished file.
        for name in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        where name.hasPrefix(".") && name.hasSuffix(".tmp") {
            try? FileManager.default.removeItem(atPath: dir + "/" + name)
        }
        try AtomicFile.write(RunStore.configJSON(run), to: file(RunStore.configFile, ofID: run.id))
        let recorder = RunRecorder(directory: dir, epochs: run.config.epochs, rows: rows,
                                   started: previous?.started ?? RunStatus.now(),
                                   secondsBefore: rows.isEmpty ? 0 : previous?.seconds ?? 0)
        try recorder.writeMetrics()
        try recorder.write(.running)
        return recorder
    }

    /// The text of a run's config.json.
    static func configJSON(_ run: Run) -> String {
        "{\n  \"id\": \(JSON.quote(run.id)),\n  \"name\": \(JSON.quote(run.name)),\n"
            + "  \"config\": \(Run.json(of: run.config))\n}\n"
    }
}

/// Records one run's progress: the metrics so far and its status.
public final class RunRecorder: @unchecked Sendable {
    public let directory: String
    public let epochs: Int
    public private(set) var rows: [EpochMetrics]
    private let started: String
    private let secondsBefore: Double
    private let clock = Date()

    init(directory: String, epochs: Int, rows: [EpochMetrics], started: String, secondsBefore: Double) {
        self.directory = directory
        self.epochs = epochs
        self.rows = rows
        self.started = started
        self.secondsBefore = secondsBefore
    }

    /// Adds an epoch and rewrites `metrics.csv` with every epoch so far.
    public func append(_ metrics: EpochMetrics) throws(AtomicFile.WriteError) {
        rows.append(metrics)
        try writeMetrics()
    }

    /// Rewrites `metrics.csv` with the rows so far.
    func writeMetrics() throws(AtomicFile.WriteError) {
        try AtomicFile.write(EpochMetrics.csv(rows), to: directory + "/" + RunStore.metricsFile)
    }

    /// Writes `status.json`.
    public func write(_ state: RunStatus.State, reason: String? = nil) throws(AtomicFile.WriteError) {
        let status = RunStatus(state: state, reason: reason, epochsDone: rows.count, epochs: epochs,
                               seconds: secondsBefore + Date().timeIntervalSince(clock),
                               started: started, updated: RunStatus.now())
        try AtomicFile.write(status.json, to: directory + "/" + RunStore.statusFile)
    }
}
