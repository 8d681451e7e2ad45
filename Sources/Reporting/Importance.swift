import Foundation
import Experiments
import Results
import SpecYAML

/// Which sampled parameters mattered in a sampled or searched sweep (`runner importance`, the
/// report's "Which parameters mattered"): PED-ANOVA importances (`PEDANOVA`, Optuna's default
/// evaluator) over the trials, and the trials themselves for the parallel-coordinates chart
/// and for export to other tools.
///
/// The trials are the runs that finished, each read by the experiment's `select:` figure at its
/// selected epoch (or the headline test figure at its last). A pruned sweep finishes few runs,
/// so there every trial is read at the first rung's epoch, which all of them reached; `epoch`
/// reads them all at another epoch (those that reached it).
public struct Importance: Sendable {
    public struct Parameter: Sendable {
        public var key: String
        public var distribution: Distribution
    }
    public struct Trial: Sendable {
        public var id: String
        public var name: String
        /// The sampled parameters' values as written (`0.003162`, `relu`), in `parameters` order.
        public var values: [String]
        /// The same as a point of the sampler's space (categories as indexes).
        public var point: [Double]
        public var value: Double
    }

    public var experiment: String
    public var parameters: [Parameter]
    /// The per-epoch figure trials are read by, and whether lower is better.
    public var metric: String
    public var minimize: Bool
    /// The epoch every trial is read at, or nil for each run's selected (or last) epoch.
    public var epoch: Int?
    /// Why the trials are read where they are, for people.
    public var basis: String
    public var trials: [Trial]
    /// One per parameter, in `parameters` order, summing to 1.
    public var importances: [Double]

    /// The parameters by importance, most first.
    public var ranking: [(key: String, importance: Double)] {
        zip(parameters.map(\.key), importances).sorted { $0.1 > $1.1 }.map { ($0.0, $0.1) }
    }

    /// Why there are no importances to give.
    public struct Failure: Error, Sendable { public var message: String }

    /// The importances of the experiment in `store` (its latest archived spec's sampled
    /// parameters), or nil when there are none to give (`Failure` says why).
    public init?(_ store: RunStore, summary: Summary, epoch: Int? = nil) {
        guard let found = try? Importance.load(store, summary: summary, epoch: epoch) else { return nil }
        self = found
    }

    public static func load(_ store: RunStore, summary: Summary, epoch: Int? = nil) throws(Failure) -> Importance {
        let archive = SpecArchive(store: store)
        guard let latest = archive.sources().last else {
            throw Failure(message: "\(store.directory) has no archived spec (specs/); run the experiment with this runner first")
        }
        let path = archive.directory + "/\(latest.sha).yaml"
        let sampled: [ExperimentSpec.SampledAxis]
        do {
            let text = try String(contentsOfFile: path, encoding: .utf8)
            sampled = try ExperimentSpec.sampledAxes(of: Source(name: path, text: text))
        } catch {
            throw Failure(message: "\(path): the archived spec does not read: \(error)")
        }
        return try Importance(sampled, summary: summary, epoch: epoch)
    }

    /// - Parameter sampled: the spec's sampled parameters (`ExperimentSpec.sampled`).
    public init(_ sampled: [ExperimentSpec.SampledAxis], summary: Summary, epoch requested: Int? = nil) throws(Failure) {
        guard sampled.count >= 2 else {
            throw Failure(message: "\(summary.experiment) samples \(sampled.count == 0 ? "no parameters" : "one parameter"); "
                + "importance compares the parameters of a sampled or searched sweep (samples: or search: over two or more)")
        }
        experiment = summary.experiment
        parameters = sampled.map { Parameter(key: $0.parameter.key, distribution: $0.distribution) }
        let headline = summary.headline
        metric = summary.selection?.metric ?? (headline.isPercentage ? "test_accuracy" : "test_rmse")
        minimize = summary.selection.map { $0.goal == "min" } ?? headline.lowerIsBetter
        let rows = summary.rows.filter { $0.config != nil }
        if let requested {
            epoch = requested
            basis = "\(metric) at epoch \(requested), in every run that reached it"
        } else if rows.contains(where: { $0.status == "pruned" }),
                  let reached = rows.filter({ ["done", "pruned"].contains($0.status) }).map(\.metrics.count).min(), reached >= 1 {
            epoch = reached
            basis = "\(metric) at epoch \(reached), the last that every trial reached (pruning stopped most before the end)"
        } else {
            epoch = nil
            basis = summary.selection != nil ? "\(metric) at each run's selected epoch, in the runs that finished"
                : "\(metric) at the last epoch, in the runs that finished"
        }
        trials = []
        for row in rows {
            let at: Int?
            if let epoch {
                guard ["done", "pruned", "stopped", "running", "interrupted"].contains(row.status), row.metrics.count >= epoch else { continue }
                at = epoch
            } else {
                guard row.status == "done" || row.status == "stopped" else { continue }
                at = row.selectedEpoch ?? row.metrics.count
            }
            guard let at, at >= 1, at <= row.metrics.count, let value = row.metrics[at - 1].figure(metric), value.isFinite,
                  let config = row.config else { continue }
            trials.append(Trial(id: row.id, name: row.name,
                                values: sampled.map { $0.parameter.read(config).description },
                                point: Search.point(of: config, sampled), value: value))
        }
        guard trials.count >= 2 else {
            throw Failure(message: "\(summary.experiment) has \(trials.count) trial\(trials.count == 1 ? "" : "s") with \(basis); "
                + "importance needs at least 2 (more runs to finish\(requested == nil ? ", or --epoch E to read them at an earlier epoch" : "")")
        }
        let dimensions = Search.dimensions(of: sampled)
        importances = PEDANOVA.importances(dimensions: dimensions, points: trials.map(\.point), values: trials.map(\.value),
                                           minimize: minimize)
    }

    /// How many trials count as the best in PED-ANOVA (the best 10%, ties kept).
    public var topCount: Int { isBest.filter { $0 }.count }

    /// For each trial, whether it is among the best 10% PED-ANOVA compares with all.
    public var isBest: [Bool] { PEDANOVA.best(trials.map(\.value), minimize: minimize) }

    /// A sentence on how far to trust the figures: PED-ANOVA's authors ask for at least five
    /// trials among the best.
    public var caution: String? {
        topCount >= 5 ? nil : "Only \(topCount) trial\(topCount == 1 ? "" : "s") of \(trials.count) make the best 10%; "
            + "PED-ANOVA's authors suggest at least 5 (about 50 trials), so read these importances as rough."
    }

    public static let introduction = "Importance by PED-ANOVA (Watanabe et al., IJCAI 2023; Optuna's default evaluator): how "
        + "differently each parameter is spread among the best 10% of trials than among all, normalized to sum to 1."

    /// Rows for a table: parameter, importance, distribution.
    public func rows() -> (header: [String], rows: [[String]]) {
        (["parameter", "importance", "sampled from"],
         ranking.map { item in
             [item.key, String(format: "%.3f", item.importance),
              parameters.first { $0.key == item.key }.map { Importance.describe($0.distribution) } ?? ""]
         })
    }

    static func describe(_ d: Distribution) -> String {
        switch d.kind {
        case .uniform(let low, let high, let log): "\(log ? "log_uniform" : "uniform") [\(low), \(high)]"
        case .intUniform(let low, let high, let log): "int_uniform [\(low), \(high)]\(log ? ", log" : "")"
        case .choice(let values): "choice [\(values.map(\.description).joined(separator: ", "))]"
        }
    }

    // MARK: - Export

    /// The trials and importances as JSON for other tools: each parameter's distribution in
    /// Optuna's terms (`float`, `int`, `categorical`), each trial's values and figure.
    public func json() -> String {
        func distribution(_ d: Distribution) -> [String: Any] {
            switch d.kind {
            case .uniform(let low, let high, let log): ["kind": "float", "low": low, "high": high, "log": log]
            case .intUniform(let low, let high, let log): ["kind": "int", "low": low, "high": high, "log": log]
            case .choice(let values): ["kind": "categorical", "choices": values.map(\.description)]
            }
        }
        func value(_ text: String, _ d: Distribution) -> Any {
            switch d.kind {
            case .uniform: Double(text) ?? text
            case .intUniform: Int(text) ?? text
            case .choice: text
            }
        }
        let object: [String: Any] = [
            "experiment": experiment,
            "method": "PED-ANOVA (Optuna's PedAnovaImportanceEvaluator defaults: target_quantile 0.1, region 1.0, 50 grid steps)",
            "metric": metric, "direction": minimize ? "minimize" : "maximize",
            "epoch": epoch.map { $0 as Any } ?? NSNull(), "basis": basis,
            "parameters": parameters.map { ["name": $0.key, "distribution": distribution($0.distribution)] as [String: Any] },
            "trials": trials.map { t in
                ["id": t.id, "name": t.name, "value": t.value,
                 "params": Dictionary(uniqueKeysWithValues: zip(parameters, t.values).map { ($0.key, value($1, $0.distribution)) })]
                    as [String: Any]
            },
            "importances": Dictionary(uniqueKeysWithValues: zip(parameters.map(\.key), importances)),
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
