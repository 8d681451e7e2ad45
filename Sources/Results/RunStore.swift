import Experiments
import Foundation

/// The results layout of one experiment:
///
///     results/<experiment>/plan.json              the last plan run here (order of the summary; PlanRecord)
///     results/<experiment>/plan.tsv               the same as a table, for people and shell tools
///     results/<experiment>/summary.csv            one row per run (Reporting)
///     results/<experiment>/<run-id>/config.json   the run's resolved parameters, id and name (RunRecord)
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
    public static let planRecordFile = "plan.json"
    public static let summaryFile = "summary.csv"
    public static let groupsFile = "groups.csv"
    public static let configFile = "config.json"
    public static let metricsFile = "metrics.csv"
    public static let statusFile = "status.json"
    public static let checkpointFile = "checkpoint.bin"
    public static let provenanceFile = "provenance.json"
    public static let selectionFile = "select.json"
    /// A run on a dataset of files: its feature scaling and class names (Training's `Scaling`).
    public static let scalingFile = "scaling.json"
    /// A finished run's trained network (Training's `ModelFile`).
    public static let modelFile = "model.safetensors"

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

    /// What a run's folder says, checked against its files.
    public enum Record: Sendable, Equatable {
        /// Nothing finished here: no folder, another config's, or a run still to train or resume.
        case unfinished
        /// Done, every epoch's row present and matching the status's checksum.
        case done
        /// Diverged in `epoch` (`RunStatus.reason` says how); its rows before that are intact.
        case diverged(epoch: Int)
        /// Ended early by its early-stopping rule after `epoch`, every row up to there intact.
        case stopped(epoch: Int)
        /// The status says finished but the metrics disagree: train it again.
        case damaged(reason: String)
    }

    /// Checks a run's status against its metrics on disk. "Done" means: status done, as many
    /// well-formed rows as the run has epochs, and (for records that carry one) the checksum.
    /// A finished run's check is remembered for the process while its files stay as they were
    /// (`RecordCache`): a rerun asks twice (which datasets to load, then the scheduler), and a
    /// million-epoch run's rows take a while to read.
    public func record(of run: Run) -> Record {
        guard let status = status(of: run) else { return .unfinished }
        let metrics = file(RunStore.metricsFile, ofID: run.id)
        let key = RecordCache.key(run: run, files: [file(RunStore.statusFile, ofID: run.id), metrics])
        if let key, let known = RecordCache.shared.record(for: key) { return known }
        let record = RunStore.check(status, metrics: RunStore.bytes(of: metrics), epochs: run.config.epochs,
                                    earlyStopping: run.config.earlyStopping)
        if let key { RecordCache.shared.remember(record, for: key) }
        return record
    }

    /// A file's bytes, read whole (nil when it cannot be read).
    public static func bytes(of path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: max(Int(info.st_size) + 1, 4096))
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { return nil }
            if n == 0 { return bytes }
            if bytes.isEmpty && n < chunk.count {  // the usual case: the whole file in one read
                chunk.removeLast(chunk.count - n)
                return chunk
            }
            bytes += chunk[0..<n]
        }
    }

    /// The check of `record(of:)`, for a status and metrics bytes already read: the checksum
    /// (when the record has one), then every row read strictly (a tampered figure with its
    /// checksum redone is damaged too), then the counts.
    /// A status that contradicts the rows is damaged too: diverged or stopped with every epoch
    /// done, stopped where the run has no early-stopping rule or where its rule, applied to the
    /// rows, does not stop there, or done although the rule stops before the last epoch.
    /// - Parameter rows: the bytes already parsed, when the caller has done so (nil: parse them here).
    /// - Parameter epochs: the run's configured epochs and `earlyStopping` its rule, from its
    ///   config; with no config known (epochs nil) only the status's own counts are checked.
    public static func check(_ status: RunStatus, metrics bytes: [UInt8]?, rows parsed: [EpochMetrics]? = nil,
                             epochs: Int?, earlyStopping: EarlyStopping? = nil) -> Record {
        guard status.state == .done || status.state == .diverged || status.state == .stopped else { return .unfinished }
        guard let bytes else { return .damaged(reason: "its metrics.csv is missing") }
        if let sum = status.metricsSHA256, sum != sha256(bytes) {
            return .damaged(reason: "its metrics.csv does not match the checksum in status.json")
        }
        // Every row read strictly (a tampered figure with its checksum redone is damaged too);
        // kept only when the early-stopping rule must be asked.
        let asksRule = epochs != nil && (status.state == .stopped || (status.state == .done && earlyStopping != nil))
        let rows = parsed ?? (asksRule ? EpochMetrics.parse(csv: bytes) : nil)
        guard let count = rows?.count ?? (asksRule ? nil : EpochMetrics.countRows(csv: bytes)) else {
            return .damaged(reason: "its metrics.csv is not a well-formed table of epochs")
        }
        guard count == status.epochsDone else {
            return .damaged(reason: "its metrics.csv holds \(count) epoch(s) where status.json says \(status.epochsDone)")
        }
        if status.state == .done, let epochs, count != epochs {
            return .damaged(reason: "it is marked done after \(count) of \(epochs) epochs")
        }
        if status.state != .done, let epochs, count >= epochs {
            return .damaged(reason: "it is marked \(status.state.rawValue) after \(count) epochs, all of its \(epochs)")
        }
        if asksRule, let epochs, let rows {
            guard let rule = earlyStopping else {
                return .damaged(reason: "it is marked stopped but has no early_stopping rule")
            }
            let values = rows.compactMap { $0.figure(rule.metric.rawValue) }
            let stop = values.count == rows.count ? rule.firstStop(values).flatMap { $0 < epochs ? $0 : nil } : nil
            if status.state == .stopped && stop != count {
                return .damaged(reason: "it is marked stopped after epoch \(count), where its early_stopping rule "
                    + (stop.map { "stops after epoch \($0)" } ?? "does not stop"))
            }
            if status.state == .done, let stop {
                return .damaged(reason: "it is marked done, but its early_stopping rule stops after epoch \(stop)")
            }
        }
        switch status.state {
        case .done: return .done
        case .stopped: return .stopped(epoch: status.epochsDone)
        default: return .diverged(epoch: status.epochsDone + 1)
        }
    }

    /// Hex SHA-256 of a text's UTF-8 bytes.
    public static func sha256(_ text: String) -> String { sha256(Array(text.utf8)) }

    /// Hex SHA-256 of bytes.
    public static func sha256(_ bytes: [UInt8]) -> String { ShortDigest.sha256(bytes) }

    /// True when `run` finished earlier with exactly this config, and its files agree.
    public func isDone(_ run: Run) -> Bool { record(of: run) == .done }

    /// True when a rerun has nothing to train for `run`: done, or diverged (a result too)
    /// unless diverged runs are to be retried.
    /// - Parameter acceptPruned: count a run pruned by a pruned sweep as finished (in that
    ///   sweep; elsewhere a pruned run is resumed to its full epochs).
    public func isFinished(_ run: Run, retryDiverged: Bool = false, acceptPruned: Bool = false) -> Bool {
        if acceptPruned, status(of: run)?.state == .pruned { return true }
        return switch record(of: run) {
        case .done, .stopped: true
        case .diverged: !retryDiverged
        case .unfinished, .damaged: false
        }
    }

    /// True when the folder's config.json holds exactly this run's config.
    public func hasSameConfig(_ run: Run) -> Bool {
        guard let record = RunRecord.read(file(RunStore.configFile, ofID: run.id)) else { return false }
        return record.id == run.id && record.config == run.config
    }

    /// The run record (config.json) of the run folder `id`, if it has a readable one.
    public func record(ofID id: String) -> RunRecord? { RunRecord.read(file(RunStore.configFile, ofID: id)) }

    /// Writes the plan (the order `summary.csv` follows).
    /// - Returns: whether any of the files changed (a file whose text is the same is left as it
    ///   was, so an unchanged plan leaves the summary current, see `Freshness`).
    @discardableResult
    public func writePlan(_ plan: Plan) throws(AtomicFile.WriteError) -> Bool {
        try AtomicFile.createDirectory(directory)
        var changed = try AtomicFile.update(PlanRecord(plan).json, at: file(RunStore.planRecordFile))
        changed = try AtomicFile.update(plan.tsv(), at: file(RunStore.planFile)) || changed
        if let selection = plan.selection {
            let json = "{\"metric\": \(JSON.quote(selection.metric)), \"goal\": \(JSON.quote(selection.goal))}\n"
            changed = try AtomicFile.update(json, at: file(RunStore.selectionFile)) || changed
        } else if FileManager.default.fileExists(atPath: file(RunStore.selectionFile)) {
            try? FileManager.default.removeItem(atPath: file(RunStore.selectionFile))
            changed = true
        }
        return changed
    }

    /// The selection the last plan run here asked for (select.json), if any (nil too when the
    /// file is not one runner wrote: `selectionProblem` says so).
    public func selection() -> Selection? {
        guard let data = FileManager.default.contents(atPath: file(RunStore.selectionFile)) else { return nil }
        return try? JSONDecoder().decode(Selection.self, from: data)
    }

    /// Why select.json cannot be read, when it is there and is not a selection runner wrote.
    public func selectionProblem() -> String? {
        guard let data = FileManager.default.contents(atPath: file(RunStore.selectionFile)),
              (try? JSONDecoder().decode(Selection.self, from: data)) == nil else { return nil }
        return "\(file(RunStore.selectionFile)): error: not a selection runner wrote (a metric among "
            + Selection.metrics.joined(separator: ", ") + ", and goal max or min); remove it, or run the spec again"
    }

    /// Marks a run failed with `reason`, keeping the rest of its status record and counting
    /// the epochs its metrics.csv holds (best effort: the failure may be the disk itself, so a
    /// write error is ignored).
    /// Marks a run paused at a rung as pruned there (its rows and checkpoint stay).
    public func markPruned(_ run: Run, reason: String) throws(AtomicFile.WriteError) {
        guard var status = status(of: run), status.state != .pruned || status.reason != reason else { return }
        status.state = .pruned
        status.reason = reason
        status.updated = RunStatus.now()
        try AtomicFile.write(status.json, to: file(RunStore.statusFile, ofID: run.id))
    }

    /// The run's rows on disk when they are as many as its status says (nil otherwise).
    public func intactRows(of run: Run) -> [EpochMetrics]? {
        guard let status = status(of: run),
              let bytes = RunStore.bytes(of: file(RunStore.metricsFile, ofID: run.id)),
              let rows = EpochMetrics.parse(csv: bytes), rows.count == status.epochsDone else { return nil }
        return rows
    }

    public func markFailed(_ run: Run, reason: String) {
        guard var status = status(of: run) else { return }
        status.state = .failed
        status.reason = reason
        status.updated = RunStatus.now()
        if let bytes = RunStore.bytes(of: file(RunStore.metricsFile, ofID: run.id)),
           let rows = EpochMetrics.parse(csv: bytes) {
            status.epochsDone = rows.count
            status.metricsSHA256 = RunStore.sha256(bytes)
        }
        try? AtomicFile.write(status.json, to: file(RunStore.statusFile, ofID: run.id))
    }

    /// Before a run is trained from scratch in a folder that holds figures of an earlier
    /// training (a done run retrained with --force, a result whose status or config cannot be
    /// read, a checkpoint that cannot be resumed from): moves those files into
    /// `<run>/set-aside-N/` instead of overwriting them.
    /// - Returns: the folder they went to, or nil when there were no figures to keep.
    public func setAsideEarlierFigures(of run: Run) throws(AtomicFile.WriteError) -> String? {
        let dir = path(of: run)
        guard let text = try? String(contentsOfFile: file(RunStore.metricsFile, ofID: run.id), encoding: .utf8),
              text.split(separator: "\n").count > 1 else { return nil }
        try AtomicFile.requireRealDirectory(dir)
        var n = 1
        while FileManager.default.fileExists(atPath: dir + "/set-aside-\(n)") { n += 1 }
        let kept = dir + "/set-aside-\(n)"
        try AtomicFile.createRealDirectory(kept)
        for name in [RunStore.metricsFile, RunStore.statusFile, RunStore.configFile, RunStore.provenanceFile,
                     RunStore.checkpointFile, RunStore.scalingFile, RunStore.modelFile] where FileManager.default.fileExists(atPath: dir + "/" + name) {
            guard rename(dir + "/" + name, kept + "/" + name) == 0 else {
                throw AtomicFile.WriteError(path: kept + "/" + name, reason: String(cString: strerror(errno)))
            }
        }
        return kept
    }

    /// Opens the run's folder for (re)training: writes its config and returns a recorder
    /// that continues from `resume` (the rows of epochs already done, possibly none).
    /// - Parameter stamp: who trains it now, appended to its provenance.json as a session (a
    ///   run trained from scratch starts a new list).
    public func begin(_ run: Run, resume rows: [EpochMetrics] = [], previous: RunStatus? = nil,
                      stamp: Provenance.Stamp? = nil) throws(AtomicFile.WriteError) -> RunRecorder {
        let dir = path(of: run)
        try AtomicFile.createDirectory(dir)
        try AtomicFile.requireRealDirectory(dir)
        // Temporary files of a process that was killed mid-write: never a finished file.
        for name in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        where name.hasPrefix(".") && name.hasSuffix(".tmp") {
            try? FileManager.default.removeItem(atPath: dir + "/" + name)
        }
        try AtomicFile.write(RunRecord(run).json, to: file(RunStore.configFile, ofID: run.id))
        let recorder = RunRecorder(directory: dir, epochs: run.config.epochs, rows: rows,
                                   started: previous?.started ?? RunStatus.now(),
                                   secondsBefore: rows.isEmpty ? 0 : previous?.seconds ?? 0)
        recorder.regression = run.config.task == .regression
        if let stamp {
            let path = file(RunStore.provenanceFile, ofID: run.id)
            var provenance = rows.isEmpty ? Provenance(sessions: []) : Provenance.read(path) ?? Provenance(sessions: [])
            var session = Provenance.Session(runner: stamp.runner, engine: stamp.engine, command: stamp.command,
                                             host: stamp.host, started: RunStatus.now(), fromEpoch: rows.count)
            if case .files(let files) = run.config.dataset {
                session.data = files.paths.map { path in
                    var info = stat()
                    let bytes = stat(path, &info) == 0 ? Int(info.st_size) : 0
                    return .init(path: path, bytes: bytes, sha256: (try? FileDigest.sha256(path)) ?? "unreadable")
                }
            }
            provenance.sessions.append(session)
            recorder.provenance = provenance
            try AtomicFile.write(provenance.json, to: path)
        }
        try recorder.writeMetrics()
        try recorder.write(.running)
        return recorder
    }
}

/// Records one run's progress: the metrics so far and its status.
public final class RunRecorder: @unchecked Sendable {
    public let directory: String
    public let epochs: Int
    public private(set) var rows: [EpochMetrics]
    /// Whether the run is a regression run (its metrics.csv has that header from the start).
    var regression = false
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

    /// Adds an epoch: rewrites `metrics.csv` with every epoch so far, then `status.json`
    /// (still running) with the new count, time and checksum, so the status never lags the
    /// metrics by more than the instant between two renames.
    public func append(_ metrics: EpochMetrics) throws(AtomicFile.WriteError) {
        rows.append(metrics)
        try writeMetrics()
        try write(.running)
    }

    /// Rewrites `metrics.csv` with the rows so far.
    func writeMetrics() throws(AtomicFile.WriteError) {
        let text = EpochMetrics.csv(rows, regression: regression)
        try AtomicFile.write(text, to: directory + "/" + RunStore.metricsFile)
        metricsSHA256 = RunStore.sha256(text)
    }

    /// SHA-256 of the metrics.csv last written.
    private var metricsSHA256: String?
    /// The run's sessions, the last one this; nil when not recorded (tests' doubles).
    var provenance: Provenance?

    /// Writes `status.json`.
    public func write(_ state: RunStatus.State, reason: String? = nil) throws(AtomicFile.WriteError) {
        let status = RunStatus(state: state, reason: reason, epochsDone: rows.count, epochs: epochs,
                               seconds: secondsBefore + Date().timeIntervalSince(clock),
                               started: started, updated: RunStatus.now(), metricsSHA256: metricsSHA256)
        try AtomicFile.write(status.json, to: directory + "/" + RunStore.statusFile)
        if state != .running, var provenance, let last = provenance.sessions.indices.last {
            provenance.sessions[last].ended = status.updated
            provenance.sessions[last].outcome = state.rawValue
            try AtomicFile.write(provenance.json, to: directory + "/" + RunStore.provenanceFile)
            self.provenance = provenance
        }
    }
}
