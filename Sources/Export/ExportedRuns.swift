import Foundation
import Experiments
import Reporting
import Results

/// An experiment's runs as the exports write them: each run with a status, read through the
/// records (summary rows, status.json, provenance.json), with the times the exports stamp
/// its epochs with: the run's start plus its epochs' seconds, so that exporting twice gives
/// the same files.
public struct ExportedRuns: Sendable {
    public struct Run: Sendable {
        public var id: String
        public var name: String
        /// The seed group (runs that differ only in seed) it belongs to.
        public var group: String
        /// done, running, failed, diverged, interrupted, stopped, pruned, damaged.
        public var status: String
        /// Every parameter, in the spec's key order, as `runner plan` prints it.
        public var parameters: [(key: String, value: String)]
        public var metrics: [EpochMetrics]
        /// Seconds since 1970 when it started (status.json), and when each epoch ended.
        public var started: Double
        public var epochEnds: [Double]
        /// The runner that trained it last ("0.4.0 (commit 7f305c19fbb7)"), from provenance.json.
        public var runner: String?
    }

    public var experiment: String
    public var runs: [Run]
    /// The parameters whose values differ between runs.
    public var varying: [String]
    public var headline: Headline

    public init(_ store: RunStore) {
        let summary = Summary.load(store)
        let groups = Groups(summary)
        experiment = summary.experiment
        headline = summary.headline
        varying = groups.varying + (Set(summary.rows.map { $0.parameters["seed"] ?? "" }).count > 1 ? ["seed"] : [])
        var groupOf: [String: String] = [:]
        for g in groups.groups { for r in g.rows { groupOf[r.id] = g.name } }
        let formatter = ISO8601DateFormatter()
        runs = summary.rows.compactMap { row in
            guard row.config != nil, let status = RunStatus.read(store.file(RunStore.statusFile, ofID: row.id)) else { return nil }
            let started = formatter.date(from: status.started)?.timeIntervalSince1970 ?? 0
            var ends: [Double] = [], t = started
            for m in row.metrics { t += m.epochSeconds; ends.append(t) }
            let runner = Provenance.read(store.file(RunStore.provenanceFile, ofID: row.id))?.sessions.last?.runner
            return Run(id: row.id, name: row.name, group: groupOf[row.id] ?? row.name, status: row.status,
                       parameters: Parameter.all.map { ($0.key, row.parameters[$0.key] ?? "") }, metrics: row.metrics,
                       started: started, epochEnds: ends, runner: runner)
        }
    }

    /// A run's folder name in an export: its id, then its name with anything but letters,
    /// digits and `._,=+-` as `_` (names are made of parameter values, which may hold `/`).
    static func folderName(_ run: Run) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._,=+-")
        let name = String(run.name.map { allowed.contains($0) ? $0 : "_" }.prefix(120))
        return run.id + "-" + name
    }
}
