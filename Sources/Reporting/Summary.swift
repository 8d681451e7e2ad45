import Experiments
import Foundation
import Results
import Synchronization

/// One row per run of an experiment: its parameters, status and headline figures. Built from
/// what is on disk (plan.json, and each run's config, status and metrics, each through its type), so it is the same
/// whether the runs were trained here, by `--index` jobs, or on a cluster.
public struct Summary: Sendable {
    public struct Row: Sendable {
        /// Position in the plan, or nil for a run of an earlier plan.
        public var index: Int?
        public var id: String
        public var name: String
        /// The run's config, read through its record (nil only for a run of a plan from before
        /// plan.json that never started).
        public var config: RunConfig? { didSet { parameters = Row.parameters(of: config) } }
        /// Every parameter's canonical value, keyed like the spec (empty without a config):
        /// spelled once per row, as groups, comparisons and the CSV read it key by key.
        public private(set) var parameters: [String: String]
        /// running, done, failed, diverged, interrupted, pending (not started), or damaged
        /// (marked finished, but its metrics disagree; the next run of the spec retrains it).
        public var status: String
        public var epochsDone: Int
        public var epochs: Int?
        public var metrics: [EpochMetrics]
        public var seconds: Double?

        /// The epoch the experiment's `select:` picks (1-based), if it has one.
        public var selectedEpoch: Int?
        /// The metric that picked it.
        public var selectionMetric: String?

        public init(index: Int?, id: String, name: String, config: RunConfig?, status: String, epochsDone: Int,
                    epochs: Int?, metrics: [EpochMetrics], seconds: Double?, selectedEpoch: Int? = nil,
                    selectionMetric: String? = nil) {
            self.index = index
            self.id = id
            self.name = name
            self.config = config
            parameters = Row.parameters(of: config)
            self.status = status
            self.epochsDone = epochsDone
            self.epochs = epochs
            self.metrics = metrics
            self.seconds = seconds
            self.selectedEpoch = selectedEpoch
            self.selectionMetric = selectionMetric
        }

        static func parameters(of config: RunConfig?) -> [String: String] {
            guard let config else { return [:] }
            return Dictionary(uniqueKeysWithValues: Parameter.all.map { ($0.key, $0.read(config).description) })
        }

        public var finalAccuracy: Double? { metrics.last?.testAccuracy }
        public var bestAccuracy: Double? { metrics.lazy.compactMap(\.testAccuracy).max() }
        public var finalLoss: Double? { metrics.last?.testLoss }
    }

    public var experiment: String
    public var rows: [Row]
    /// The spec's `select:` (from select.json), if it asked for one.
    public var selection: Selection?
    /// The figure the runs are read by: test accuracy, or test RMSE for regression runs.
    public var headline: Headline { Headline.of(rows.map(\.metrics)) }

    public init(experiment: String, rows: [Row], selection: Selection? = nil) {
        self.experiment = experiment
        self.rows = rows
        self.selection = selection
    }

    /// Reads an experiment's folder (`results/<experiment>`).
    public static func load(_ store: RunStore) -> Summary {
        let dir = store.directory
        // The plan's runs first, in plan order; then runs of earlier plans still on disk, by name.
        var entries: [(index: Int?, id: String, name: String, config: RunConfig?)] = []
        var seen = Set<String>()
        for entry in PlanRecord.read(store)?.runs ?? [] where !seen.contains(entry.id) {
            entries.append((entry.index, entry.id, entry.name, entry.config))
            seen.insert(entry.id)
        }
        var extra: [(index: Int?, id: String, name: String, config: RunConfig?)] = []
        for id in ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []) where !seen.contains(id) {
            guard let record = store.record(ofID: id) else { continue }
            extra.append((nil, id, record.name, record.config))
        }
        let all = entries + extra.sorted { $0.name < $1.name }
        // Each run's files read on its own core (a long run's rows take a while); the rows
        // land in their places, so the order is the same for any number of cores.
        let slots = Mutex([Row?](repeating: nil, count: all.count))
        DispatchQueue.concurrentPerform(iterations: all.count) { i in
            let e = all[i]
            let r = row(store: store, index: e.index, id: e.id, name: e.name, config: e.config)
            slots.withLock { $0[i] = r }
        }
        var rows = slots.withLock { $0.map { $0! } }
        let selection = store.selection()
        if let selection {
            for i in rows.indices {
                rows[i].selectedEpoch = selection.selectedEpoch(rows[i].metrics)
                rows[i].selectionMetric = selection.metric
            }
        }
        return Summary(experiment: (dir as NSString).lastPathComponent, rows: rows, selection: selection)
    }

    private static func row(store: RunStore, index: Int?, id: String, name: String, config: RunConfig?) -> Row {
        let status = RunStatus.read(store.file(RunStore.statusFile, ofID: id))
        let bytes = RunStore.bytes(of: store.file(RunStore.metricsFile, ofID: id))
        let parsed = bytes.flatMap { EpochMetrics.parse(csv: $0) }
        let metrics = parsed ?? []
        var state = status?.state.rawValue ?? "pending"
        // "running" with no process holding the run's lock: it was killed, not running.
        if status?.state == .running && !RunLock.isHeld(directory: store.path(ofID: id)) { state = "interrupted" }
        if let status, case .damaged = RunStore.check(status, metrics: bytes, rows: parsed, epochs: config?.epochs,
                                                                 earlyStopping: config?.earlyStopping) {
            state = "damaged"
        }
        // Finished, with a checksum that matches, yet rows no run can have (a tampered figure
        // with its checksum redone): no figures to show, and said so.
        if let status, [.done, .diverged, .stopped].contains(status.state), bytes != nil, parsed == nil { state = "damaged" }
        return Row(index: index, id: id, name: name, config: config,
                   status: state, epochsDone: metrics.count,
                   epochs: status?.epochs ?? config?.epochs, metrics: metrics, seconds: status?.seconds)
    }

    /// The columns after index, id and name: every parameter, in the spec's order.
    static var parameterKeys: [String] { Parameter.keys }

    static let figureColumns = ["status", "epochs_done", "final_test_accuracy", "best_test_accuracy",
                                "final_test_loss", "total_seconds"]
    /// Regression runs' figures, after the others (in a summary with a regression run only, so
    /// other summaries keep their columns).
    static let regressionFigures: [Groups.Figure] = [.finalTestRMSE, .bestTestRMSE, .finalTestMAE, .finalTestR2]

    /// `summary.csv`: a header, then one row per run.
    public func csv() -> String {
        let regression = rows.contains { $0.metrics.first?.isRegression == true }
        var header = ["index", "id", "name"] + Summary.parameterKeys + Summary.figureColumns
        if regression { header += Summary.regressionFigures.map(\.rawValue) }
        if let selection {
            header += ["selected_epoch", "selected_\(selection.metric)"]
                + (regression ? ["test_accuracy_at_selected", "test_rmse_at_selected"] : ["test_accuracy_at_selected"])
        }
        var lines = [header.joined(separator: ",")]
        for r in rows {
            var cells: [String] = [r.index.map(String.init) ?? "", r.id, Summary.csvField(r.name)]
            for key in Summary.parameterKeys { cells.append(Summary.csvField(r.parameters[key] ?? "")) }
            cells.append(r.status)
            cells.append(String(r.epochsDone))
            cells.append(Summary.format(r.finalAccuracy, "%.4f"))
            cells.append(Summary.format(r.bestAccuracy, "%.4f"))
            cells.append(Summary.format(r.finalLoss, "%.8f"))
            cells.append(Summary.format(r.seconds, "%.1f"))
            if regression { cells += Summary.regressionFigures.map { Summary.format($0.value(r), "%.8f") } }
            if let selection {
                let m = r.selectedEpoch.map { r.metrics[$0 - 1] }
                cells += [r.selectedEpoch.map(String.init) ?? "", Summary.format(m.flatMap { $0.figure(selection.metric) }, "%.8g"),
                          Summary.format(m?.testAccuracy, "%.4f")]
                if regression { cells.append(Summary.format(m?.testErrors?.rmse, "%.8f")) }
            }
            lines.append(cells.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func format(_ value: Double?, _ format: String, none: String = "") -> String {
        value.map { String(format: format, $0) } ?? none
    }

    /// Seconds for people: whole seconds from 10 on, one decimal from 1, two below (a
    /// sub-second run shows 0.04, not 0), "-" when unknown.
    static func seconds(_ value: Double?) -> String {
        guard let value else { return "-" }
        return String(format: value < 0.995 ? "%.2f" : value < 9.95 ? "%.1f" : "%.0f", value)
    }

    /// The summary as an aligned table for a terminal.
    public func table() -> String {
        let headline = headline
        let header = ["#", "id", "name", "status", "epochs", "final \(headline.short)", "best \(headline.short)", "final loss", "seconds"]
        var all = [header]
        for r in rows {
            let epochs = "\(r.epochsDone)/" + (r.epochs.map(String.init) ?? "?")
            all.append([r.index.map(String.init) ?? "-", r.id, r.name, r.status, epochs,
                        headline.format(headline.final.value(r)),
                        headline.format(headline.best.value(r)),
                        Summary.format(r.finalLoss, "%.4f", none: "-"),
                        Summary.seconds(r.seconds)])
        }
        let widths = header.indices.map { c in all.map { $0[c].count }.max() ?? 0 }
        let numeric: Set<Int> = [0, 4, 5, 6, 7, 8]
        var lines = ["\(experiment): \(rows.count) run" + (rows.count == 1 ? "" : "s")]
        for cells in all {
            var line = ""
            for (c, cell) in cells.enumerated() {
                let pad = String(repeating: " ", count: widths[c] - cell.count)
                line += (c == 0 ? "" : "  ") + (numeric.contains(c) ? pad + cell : cell + pad)
            }
            while line.hasSuffix(" ") { line.removeLast() }
            lines.append(line)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Quotes a CSV field that holds a comma or a quote (run names do: `a=1,b=2`).
    public static func csvField(_ s: String) -> String {
        s.contains(",") || s.contains("\"") ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }
}
